use super::*;
use crate::pseudonym::KnownPerson;
use proptest::prelude::*;

fn n(surface: &str, sub1: &str) -> Morpheme {
    Morpheme::new(surface, "名詞", sub1, "*")
}

fn suffix(surface: &str) -> Morpheme {
    Morpheme::new(surface, "名詞", "接尾", "一般")
}

fn particle(surface: &str) -> Morpheme {
    Morpheme::new(surface, "助詞", "格助詞", "一般")
}

fn verb(surface: &str) -> Morpheme {
    Morpheme::new(surface, "動詞", "自立", "*")
}

fn terms(ms: &[Morpheme], rules: &ThemeRules) -> Vec<String> {
    extract_terms(ms, rules, |_| false).into_iter().collect()
}

#[test]
fn nouns_in_a_row_make_one_compound_and_a_suffix_joins_the_noun_before() {
    let ms = [n("キャリア", "一般"), n("形成", "サ変接続"), particle("の"), n("方向", "一般"), suffix("性"), particle("を"), verb("考え")];
    assert_eq!(compounds(&ms), vec!["キャリア形成", "方向性"]);
    assert_eq!(terms(&ms, &ThemeRules::default()), vec!["キャリア形成", "方向性"]);
}

#[test]
fn a_suffix_with_no_noun_before_it_and_counters_after_numbers_are_dropped() {
    let ms = [
        Morpheme::new("3", "名詞", "数", "*"),
        Morpheme::new("年", "名詞", "接尾", "助数詞"),
        particle("が"),
        suffix("性"),
        n("異動", "サ変接続"),
        Morpheme::new("こと", "名詞", "非自立", "一般"),
        Morpheme::new("それ", "名詞", "代名詞", "一般"),
        Morpheme::new("。", "記号", "句点", "*"),
    ];
    assert_eq!(terms(&ms, &ThemeRules::default()), vec!["異動"]);
}

#[test]
fn numbers_symbols_single_kana_and_overlong_runs_are_no_terms() {
    let rules = ThemeRules::default();
    assert_eq!(term_of("１２３", &rules), None);
    assert_eq!(term_of("ー", &rules), None);
    assert_eq!(term_of("ア", &rules), None);
    assert_eq!(term_of("x", &rules), None);
    assert_eq!(term_of("2024年度", &rules), None);
    assert_eq!(term_of(&"成長".repeat(9), &rules), None);
    assert_eq!(term_of("夢", &rules).as_deref(), Some("夢"), "a single kanji can be a theme");
    assert_eq!(term_of("ＤＸ", &rules).as_deref(), Some("dx"), "full-width Latin folds");
}

#[test]
fn built_in_and_tenant_stop_words_are_removed_and_synonyms_map_to_the_canonical_term() {
    let rules = ThemeRules::parse("ワークライフバランス = WLB, ワークライフ・バランス\n育児 = 子育て", "残業").unwrap();
    let ms = [
        n("面談", "サ変接続"),
        particle("で"),
        n("WLB", "一般"),
        particle("と"),
        n("子育て", "一般"),
        particle("と"),
        n("残業", "サ変接続"),
    ];
    assert_eq!(terms(&ms, &rules), vec!["ワークライフバランス", "育児"]);
    // A synonym whose canonical term is a stop word is removed too.
    let rules = ThemeRules::parse("残業 = 時間外労働", "残業").unwrap();
    assert_eq!(term_of("時間外労働", &rules), None);
}

#[test]
fn the_lists_parse_with_japanese_punctuation_and_report_each_problem_with_its_line() {
    let rules = ThemeRules::parse("育児＝子育て、育児休業\n\n異動 = 転勤", "残業，研修\n雑談").unwrap();
    assert_eq!(rules.synonyms.get("子育て").map(String::as_str), Some("育児"));
    assert_eq!(rules.synonyms.get("転勤").map(String::as_str), Some("異動"));
    assert_eq!(rules.stop_words.len(), 3);
    let round = ThemeRules::parse(&rules.synonyms_text(), &rules.stop_words_text()).unwrap();
    assert_eq!(round, rules, "the shown text reads back as the same rules");

    let (syn, stop) = ThemeRules::parse("育児\n異動 = \n昇進 = 子育て\n育児 = 子育て", &"長".repeat(MAX_ENTRY_CHARS + 1)).unwrap_err();
    assert_eq!(syn.iter().map(|p| p.line).collect::<Vec<_>>(), vec![1, 2, 4]);
    assert!(syn[2].ja.contains("昇進"), "{:?}", syn[2]);
    assert_eq!(stop.len(), 1);
    assert_eq!(stop[0].line, 1);
}

#[test]
fn the_fingerprint_follows_the_rules() {
    let a = ThemeRules::parse("育児 = 子育て", "残業").unwrap();
    let b = ThemeRules::parse("育児 = 子育て", "研修").unwrap();
    assert_eq!(a.fingerprint(), ThemeRules::parse("育児=子育て", " 残業 ").unwrap().fingerprint());
    assert_ne!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), ThemeRules::default().fingerprint());
}

#[test]
fn names_of_people_and_departments_are_never_terms() {
    let people = [KnownPerson {
        id: 1,
        family: "佐々木".into(),
        given: "健太".into(),
        family_kana: Some("ササキ".into()),
        given_kana: Some("ケンタ".into()),
        ..Default::default()
    }];
    let index = NameIndex::with_departments(&people, &["営業本部/第一営業部".to_string()]);
    let is_name = names_filter(&index);
    assert!(is_name("佐々木"));
    assert!(is_name("佐々木課長"));
    assert!(is_name("第一営業部"));
    assert!(!is_name("キャリア形成"));
    assert!(!is_name("育児"));
    let ms = [n("佐々木", "固有名詞"), n("課長", "一般"), particle("と"), n("第一営業部", "固有名詞"), particle("の"), n("育児", "一般")];
    assert_eq!(extract_terms(&ms, &ThemeRules::default(), &is_name).into_iter().collect::<Vec<_>>(), vec!["育児"]);
}

fn morpheme() -> impl Strategy<Value = Morpheme> {
    let surface = prop_oneof![
        Just("キャリア".to_string()),
        Just("成長".to_string()),
        Just("性".to_string()),
        Just("こと".to_string()),
        Just("3".to_string()),
        Just("ア".to_string()),
        Just("面談".to_string()),
        "[ぁ-んァ-ン一-龥a-zＡ-Ｚ0-9。、！]{1,4}",
    ];
    let pos = prop_oneof![
        Just(("名詞", "一般", "*")),
        Just(("名詞", "サ変接続", "*")),
        Just(("名詞", "接尾", "一般")),
        Just(("名詞", "接尾", "助数詞")),
        Just(("名詞", "数", "*")),
        Just(("名詞", "非自立", "一般")),
        Just(("助詞", "格助詞", "一般")),
        Just(("記号", "一般", "*")),
        Just(("動詞", "自立", "*")),
    ];
    (surface, pos).prop_map(|(s, (p, a, b))| Morpheme::new(&s, p, a, b))
}

proptest! {
    #[test]
    fn every_term_is_a_kept_noun_compound_never_a_stop_word_and_never_a_name(
        ms in proptest::collection::vec(morpheme(), 0..40),
        stop in proptest::collection::vec("[一-龥]{1,3}", 0..4),
    ) {
        let rules = ThemeRules { stop_words: stop.iter().map(|s| normalize(s)).collect(), ..Default::default() };
        let all = compounds(&ms);
        let found = extract_terms(&ms, &rules, |t| t.contains('龥'));
        for t in &found {
            prop_assert!(all.iter().any(|c| normalize(c) == *t), "{t} comes from a compound");
            prop_assert!(!STOP_WORDS.contains(&t.as_str()));
            prop_assert!(!rules.stop_words.contains(t));
            prop_assert!(!t.contains('龥'));
            prop_assert!(t.chars().count() <= MAX_TERM_CHARS);
            prop_assert!(!t.chars().any(char::is_numeric));
            prop_assert!(t.chars().count() > 1 || !t.chars().all(|c| is_kana(c) || c.is_ascii()));
        }
        // The same text gives the same terms, and a compound is never empty.
        prop_assert_eq!(&found, &extract_terms(&ms, &rules, |t| t.contains('龥')));
        prop_assert!(all.iter().all(|c| !c.is_empty()));
    }

    #[test]
    fn normalizing_without_a_copy_gives_what_the_folding_gives(s in "[ -~ぁ-んァ-ン一-龥Ａ-Ｚａ-ｚ０-９　ΑΩ]{0,8}") {
        let folded: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            })
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .trim()
            .to_string();
        prop_assert_eq!(normalize(&s), folded);
    }

    #[test]
    fn parsing_never_panics_and_what_it_accepts_reads_back(syn in "[ぁ-ん一-龥=,、\n ]{0,60}", stop in "[ぁ-ん一-龥,\n ]{0,40}") {
        if let Ok(rules) = ThemeRules::parse(&syn, &stop) {
            let again = ThemeRules::parse(&rules.synonyms_text(), &rules.stop_words_text());
            prop_assert_eq!(again, Ok(rules));
        }
    }
}

#[test]
fn words_of_the_reports_phrasing_are_no_themes() {
    let rules = ThemeRules::default();
    for word in ["月", "一緒", "明確", "設定", "整理", "十分", "特定", "所属", "同意"] {
        assert!(is_stop_word(word), "{word}");
        assert_eq!(term_of(word, &rules), None, "{word} is a stop word");
    }
    // 「月1回、一緒にキャリアの目標を設定して整理する」: only the content noun is left.
    let ms = [
        n("月", "一般"),
        Morpheme::new("1", "名詞", "数", "*"),
        Morpheme::new("回", "名詞", "接尾", "助数詞"),
        n("一緒", "サ変接続"),
        particle("に"),
        n("キャリア", "一般"),
        particle("の"),
        n("目標", "一般"),
        particle("を"),
        n("設定", "サ変接続"),
        particle("し"),
        n("整理", "サ変接続"),
    ];
    assert_eq!(terms(&ms, &rules), vec!["キャリア", "目標"]);
    // Inside a compound they stay part of it: 目標設定 is a theme, 設定 alone is not.
    assert_eq!(term_of("目標設定", &rules).as_deref(), Some("目標設定"));
}
