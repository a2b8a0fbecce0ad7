use super::*;
use crate::effect::Pair;
use chrono::NaiveDate;
use proptest::prelude::*;

fn default() -> Questionnaire {
    career_awareness::questionnaire().expect("the product's questionnaire is valid")
}

fn paths(problems: &[DefinitionProblem]) -> Vec<String> {
    problems.iter().map(|p| p.place.path()).collect()
}

#[test]
fn the_default_questionnaire_is_valid_and_balanced() {
    let q = default();
    assert_eq!(q.code(), "career-awareness");
    assert_eq!((q.scale().min, q.scale().max, q.scale().labels.len()), (1, 5, 5));
    assert_eq!(q.items().len(), 16);
    assert_eq!(q.subscales().len(), 4);
    for s in q.subscales() {
        let members: Vec<&Item> = q.items().iter().filter(|i| i.subscale.as_deref() == Some(s.code.as_str())).collect();
        assert_eq!(members.len(), 4, "{}", s.code);
        assert_eq!(members.iter().filter(|i| i.reverse).count(), 1, "one reverse-scored item in {}", s.code);
    }
    let mut texts: Vec<&str> = q.items().iter().flat_map(|i| [i.text.ja.as_str(), i.text.en.as_str()]).collect();
    assert!(texts.iter().all(|t| !t.is_empty()));
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 32, "no two items say the same");
    assert!(q.items().iter().all(|i| i.text.ja.ends_with('。') && i.text.en.ends_with('.')));
    // Stored as JSON and read back, it is the same questionnaire.
    let json = serde_json::to_string(&q).unwrap();
    let back: QuestionnaireDraft = serde_json::from_str(&json).unwrap();
    assert_eq!(Questionnaire::parse(back).unwrap(), q);
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let mut d = career_awareness::draft();
    d.code = "Career Awareness".into();
    d.title.ja = "  ".into();
    d.scale.labels.pop();
    d.subscales.push(Subscale { code: "awareness".into(), name: Text::new("重複", "") });
    d.subscales.push(Subscale { code: "unused".into(), name: Text::new("未使用", "Unused") });
    d.items[1].code = "q01".into();
    d.items[2].code = "timing".into();
    d.items[3].subscale = Some("nowhere".into());
    d.items[4].subscale = None;
    d.items[5].text.ja = "あ".repeat(201);
    d.items[6].text.en = "two\nlines".into();
    let problems = Questionnaire::parse(d).unwrap_err();
    assert_eq!(
        paths(&problems),
        [
            "code",
            "title_ja",
            "labels",
            "subscales[4].code",
            "items[1].code",
            "items[2].code",
            "items[3].subscale",
            "items[4].subscale",
            "items[5].text_ja",
            "items[6].text_en",
            "subscales[5].items",
        ]
    );
    let said: Vec<String> = problems.iter().map(|p| p.describe(Locale::Ja)).collect();
    assert!(said.contains(&"設問2のコード: コード「q01」は設問1と重複しています。".to_string()), "{said:#?}");
    assert!(said.iter().any(|s| s.starts_with("設問6の本文（日本語）: 本文（日本語）は200文字以内")), "{said:#?}");
    assert!(said.contains(&"名称（日本語）: 名称（日本語）を入力してください。".to_string()), "{said:#?}");
    let en: Vec<String> = problems.iter().map(|p| p.describe(Locale::En)).collect();
    assert!(en.contains(&"item 4, subscale: there is no subscale \"nowhere\"".to_string()), "{en:#?}");
    assert!(en.contains(&"subscale 6, items: no item belongs to this subscale".to_string()), "{en:#?}");
}

#[test]
fn scale_and_item_count_rules() {
    let mut d = career_awareness::draft();
    d.scale = Scale { min: 3, max: 3, labels: vec![Text::new("ふつう", "")] };
    assert_eq!(paths(&Questionnaire::parse(d.clone()).unwrap_err()), ["scale_max"]);
    d.scale = Scale { min: -1, max: 11, labels: vec![] };
    assert_eq!(paths(&Questionnaire::parse(d.clone()).unwrap_err()), ["scale_min", "scale_max"]);
    d.scale = Scale { min: 0, max: 1, labels: vec![Text::new("いいえ", "No"), Text::new("", "Yes")] };
    assert_eq!(paths(&Questionnaire::parse(d.clone()).unwrap_err()), ["scale.labels[1].ja"]);
    d.scale.labels[1].ja = "はい".into();
    d.items.clear();
    assert_eq!(paths(&Questionnaire::parse(d.clone()).unwrap_err())[0], "items");
    // Without subscales, items name none.
    let mut plain = career_awareness::draft();
    plain.subscales.clear();
    for i in &mut plain.items {
        i.subscale = None;
    }
    assert!(Questionnaire::parse(plain).is_ok());
}

#[test]
fn texts_and_codes_are_trimmed_and_english_falls_back() {
    let mut d = career_awareness::draft();
    d.code = "  career-awareness ".into();
    d.items[0].text = Text::new(" 数年先のこと。 ", "");
    let q = Questionnaire::parse(d).unwrap();
    assert_eq!(q.code(), "career-awareness");
    assert_eq!(q.items()[0].text.in_locale(Locale::En), "数年先のこと。");
}

fn answers_all(q: &Questionnaire, value: i64) -> Vec<(&str, Option<i64>)> {
    q.items().iter().map(|i| (i.code.as_str(), Some(value))).collect()
}

#[test]
fn reverse_scoring_and_subscale_means() {
    let q = default();
    // "5" to everything: the reverse items count as 1, so each subscale is (3·5 + 1)/4 = 4.
    let s = q.score(&answers_all(&q, 5)).unwrap();
    assert!(s.complete);
    assert_eq!(s.score, Some(4.0));
    assert!(s.subscales.iter().all(|x| x.mean == Some(4.0) && x.items == 4));
    // Agreeing with the positive items and disagreeing with the reverse ones is the top score.
    let best: Vec<(&str, Option<i64>)> = q.items().iter().map(|i| (i.code.as_str(), Some(if i.reverse { 1 } else { 5 }))).collect();
    assert_eq!(q.score(&best).unwrap().score, Some(5.0));
}

#[test]
fn a_partial_answer_has_no_score() {
    let q = default();
    let mut answers = answers_all(&q, 4);
    answers[0].1 = None; // q01 left blank
    answers.retain(|(c, _)| *c != "q16"); // q16 not sent at all
    let s = q.score(&answers).unwrap();
    assert!(!s.complete);
    assert_eq!((s.answered, s.items, s.score), (14, 16, None));
    assert_eq!(s.missing, ["q01", "q16"]);
    assert!(s.answered_mean.is_some());
    let by_code = |c: &str| s.subscales.iter().find(|x| x.code == c).unwrap().clone();
    assert_eq!(by_code("awareness").mean, None);
    assert_eq!(by_code("awareness").answered, 3);
    assert_eq!(by_code("self_understanding").mean, Some((4.0 * 3.0 + 2.0) / 4.0));
    let none = q.score(&[]).unwrap();
    assert_eq!((none.answered, none.answered_mean, none.score), (0, None, None));
}

#[test]
fn bad_answers_are_all_refused() {
    let q = default();
    let mut answers = answers_all(&q, 3);
    answers.push(("q02", Some(4)));
    answers.push(("q99", Some(3)));
    answers[4].1 = Some(6);
    answers[5].1 = Some(0);
    let problems = q.score(&answers).unwrap_err();
    let items: Vec<&str> = problems.iter().map(|p| p.item.as_str()).collect();
    assert_eq!(items, ["q05", "q06", "q02", "q99"]);
    assert_eq!(problems[0].message.ja, "設問「q05」の回答は1〜5の整数で入力してください。");
}

#[test]
fn timing_codes_and_labels() {
    for t in Timing::ALL {
        assert_eq!(Timing::parse(t.as_str()), Some(t));
        assert_eq!(Timing::parse(t.label(Locale::Ja)), Some(t));
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
    assert_eq!(Timing::parse(" FOLLOW_UP "), Some(Timing::FollowUp));
    assert_eq!(Timing::parse("after"), Some(Timing::Post));
    assert_eq!(Timing::parse("later"), None);
}

#[test]
fn a_person_contributes_their_latest_answers() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).unwrap();
    let a = |timing, d, score| DatedScore { timing, answered_on: day(d), score };
    let answers = [
        a(Timing::Pre, 1, Some(2.5)),
        a(Timing::Pre, 3, Some(2.75)),
        a(Timing::Post, 20, Some(3.5)),
        a(Timing::Post, 10, Some(3.0)),
        a(Timing::FollowUp, 28, None),
    ];
    assert_eq!(pair_between(&answers, Timing::Pre, Timing::Post), Pair::new(2.75, 3.5));
    assert_eq!(pair_between(&answers, Timing::Pre, Timing::FollowUp), Pair { before: Some(2.75), after: None });
    // Same date: the later one given wins.
    let same = [a(Timing::Post, 20, Some(3.0)), a(Timing::Post, 20, Some(4.0))];
    assert_eq!(pair_between(&same, Timing::Pre, Timing::Post), Pair { before: None, after: Some(4.0) });
}

proptest! {
    #[test]
    fn scores_stay_on_the_scale_and_mirror(values in prop::collection::vec(prop::option::weighted(0.9, 1i64..=5), 16)) {
        let q = default();
        let answers: Vec<(&str, Option<i64>)> = q.items().iter().zip(&values).map(|(i, v)| (i.code.as_str(), *v)).collect();
        let s = q.score(&answers).unwrap();
        prop_assert_eq!(s.complete, values.iter().all(Option::is_some));
        prop_assert_eq!(s.score.is_some(), s.complete);
        for m in s.score.into_iter().chain(s.answered_mean).chain(s.subscales.iter().filter_map(|x| x.mean)) {
            prop_assert!((1.0..=5.0).contains(&m));
        }
        // Answering every item the other way round mirrors every score around the midpoint.
        let flipped: Vec<(&str, Option<i64>)> = answers.iter().map(|(c, v)| (*c, v.map(|v| 6 - v))).collect();
        let f = q.score(&flipped).unwrap();
        let near = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            (a, b) => a.is_none() && b.is_none(),
        };
        prop_assert!(near(f.score.map(|x| 6.0 - x), s.score));
        prop_assert!(near(f.answered_mean.map(|x| 6.0 - x), s.answered_mean));
    }
}
