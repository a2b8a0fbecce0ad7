//! Questionnaire answers from a file (`careerdock import responses`): any bytes, read for the
//! product's own questionnaire (16 items on 1..5) or for a small one with subscales on 0..10.
//! Besides not panicking: errors are sorted and located; a clean file has one answer per item
//! of the questionnaire in its order, each on the scale, no answer date after today, no two
//! rows of one employee, timing and date; every row scores.
#![no_main]

use careerdock_fuzz::today;
use domain::questionnaire::import::parse_response_csv;
use domain::questionnaire::{career_awareness, Item, Questionnaire, QuestionnaireDraft, Scale, Subscale, Text};
use domain::Locale;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::sync::OnceLock;

fn small() -> Questionnaire {
    let item = |code: &str, sub: &str, reverse: bool| Item {
        code: code.into(),
        text: Text::new("設問", "item"),
        reverse,
        subscale: Some(sub.into()),
    };
    let draft = QuestionnaireDraft {
        code: "small".into(),
        title: Text::new("小さなアンケート", "A small one"),
        instructions: Text::default(),
        scale: Scale { min: 0, max: 10, labels: (0..=10).map(|i| Text::new(format!("{i}点"), "")).collect() },
        subscales: vec![
            Subscale { code: "a".into(), name: Text::new("甲", "A") },
            Subscale { code: "b".into(), name: Text::new("乙", "B") },
        ],
        items: vec![item("x", "a", false), item("y", "a", true), item("z1", "b", false)],
    };
    Questionnaire::parse(draft).unwrap_or_else(|p| panic!("the small questionnaire is invalid: {p:?}"))
}

fn questionnaires() -> &'static [Questionnaire; 2] {
    static Q: OnceLock<[Questionnaire; 2]> = OnceLock::new();
    Q.get_or_init(|| [career_awareness::questionnaire().unwrap_or_else(|p| panic!("{p:?}")), small()])
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let q = &questionnaires()[usize::from(pick & 1)];
    match parse_response_csv(bytes, q, today()) {
        Err(errors) => {
            assert!(!errors.is_empty());
            assert!(errors.windows(2).all(|w| w[0].line <= w[1].line), "errors not sorted by line");
            for e in &errors {
                assert!(!e.describe(Locale::Ja).is_empty() && !e.describe(Locale::En).is_empty());
            }
        }
        Ok(parsed) => {
            assert!(!parsed.rows.is_empty());
            let mut keys = HashSet::new();
            for row in &parsed.rows {
                assert!(row.line >= 2);
                assert!(row.answered_on <= today());
                assert!(keys.insert((row.employee_number.clone(), row.timing, row.answered_on)), "two rows for one answer set");
                let codes: Vec<&str> = row.answers.iter().map(|(c, _)| c.as_str()).collect();
                let expected: Vec<&str> = q.items().iter().map(|i| i.code.as_str()).collect();
                assert_eq!(codes, expected);
                assert!(row.answers.iter().any(|(_, v)| v.is_some()), "a row without any answer");
                assert!(row.answers.iter().all(|(_, v)| v.is_none_or(|v| q.scale().contains(v))));
                let given: Vec<(&str, Option<i64>)> = row.answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
                let scored = q.score(&given).unwrap_or_else(|p| panic!("an imported row does not score: {p:?}"));
                assert_eq!(scored.items, q.items().len());
                if let Some(s) = scored.score {
                    assert!(s >= q.scale().min as f64 && s <= q.scale().max as f64);
                }
            }
        }
    }
});
