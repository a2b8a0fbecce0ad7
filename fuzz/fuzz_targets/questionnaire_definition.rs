//! The questionnaire definition check (`Questionnaire::parse`, behind HR's definition form and
//! the stored JSON): a draft built from the input, or the input read as the stored JSON.
//! Besides not panicking: a definition that passes is canonical (checking it again changes
//! nothing, also through its JSON), its codes are well-formed and unique, it has a label per
//! point of its scale and every item in a subscale when it has any; trimming during the check
//! never counts as a structural change (`locked_changes` of the draft against the result is
//! empty); every problem names a place inside the draft; any answers score within the scale.
#![no_main]

use careerdock_fuzz::{fragment, Unstructured};
use domain::questionnaire::edit::{code_kept, locked_changes};
use domain::questionnaire::{Item, Place, Questionnaire, QuestionnaireDraft, Scale, Subscale, Text};
use domain::Locale;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

const CODES: [&str; 12] = [
    "q1",
    "q2",
    "a",
    "b",
    " q1 ",
    "Q1",
    "1q",
    "employee_number",
    "timing",
    "answered_on",
    "q-1_x",
    "abcdefghijabcdefghijabcdefghijabcdefghijk",
];

fn text(u: &mut Unstructured) -> Text {
    Text::new(fragment(u, &["設問", "名称", "あてはまる"]), fragment(u, &["item", "Title"]))
}

fn draft(u: &mut Unstructured) -> QuestionnaireDraft {
    let bound = |u: &mut Unstructured| -> i64 {
        match u.int_in_range(0u8..=15).unwrap_or(0) {
            15 => u.arbitrary::<i64>().unwrap_or(0),
            b => i64::from(b) - 2,
        }
    };
    let (min, max) = (bound(u), bound(u));
    let labels = (0..u.int_in_range(0usize..=13).unwrap_or(0)).map(|_| text(u)).collect();
    let subscales = (0..u.int_in_range(0usize..=3).unwrap_or(0)).map(|_| Subscale { code: fragment(u, &CODES), name: text(u) }).collect();
    let many = u.ratio(1u8, 16).unwrap_or(false);
    let n = if many { 61 } else { u.int_in_range(0usize..=6).unwrap_or(0) };
    let items = (0..n)
        .map(|i| Item {
            code: if many { format!("q{i}") } else { fragment(u, &CODES) },
            text: text(u),
            reverse: u.arbitrary().unwrap_or(false),
            subscale: if u.arbitrary().unwrap_or(false) { Some(fragment(u, &CODES)) } else { None },
        })
        .collect();
    QuestionnaireDraft {
        code: fragment(u, &CODES),
        title: text(u),
        instructions: text(u),
        scale: Scale { min, max, labels },
        subscales,
        items,
    }
}

fn valid_code(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 40
        && c.starts_with(|c: char| c.is_ascii_lowercase())
        && c.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check(d: &QuestionnaireDraft, u: &mut Unstructured) {
    let q = match Questionnaire::parse(d.clone()) {
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                let inside = match p.place {
                    Place::Questionnaire { .. } => true,
                    Place::ScaleLabel { index, .. } => index < d.scale.labels.len(),
                    Place::Subscale { index, .. } => index < d.subscales.len(),
                    Place::Item { index, .. } => index < d.items.len(),
                };
                assert!(inside, "a problem outside the draft: {:?}", p.place);
                assert!(!p.place.path().is_empty() && !p.describe(Locale::Ja).is_empty() && !p.describe(Locale::En).is_empty());
            }
            return;
        }
        Ok(q) => q,
    };
    assert_eq!(Questionnaire::parse(q.as_draft().clone()).as_ref(), Ok(&q), "a valid definition changes when checked again");
    let json = serde_json::to_string(&q).unwrap_or_default();
    let back: QuestionnaireDraft = serde_json::from_str(&json).unwrap_or_else(|e| panic!("the stored JSON does not read back: {e}"));
    assert_eq!(Questionnaire::parse(back).as_ref(), Ok(&q), "a definition changes through its JSON");
    assert!(valid_code(q.code()));
    let items: HashSet<&str> = q.items().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(items.len(), q.items().len(), "two items with one code");
    assert!(q.items().iter().all(|i| valid_code(&i.code)) && q.subscales().iter().all(|s| valid_code(&s.code)));
    let s = q.scale();
    assert!(0 <= s.min && s.min < s.max && s.max <= 10 && s.labels.len() as i64 == s.max - s.min + 1);
    if !q.subscales().is_empty() {
        assert!(q.items().iter().all(|i| i.subscale.as_ref().is_some_and(|c| q.subscales().iter().any(|s| &s.code == c))));
    }
    assert_eq!(locked_changes(d, q.as_draft()), Vec::new(), "trimming counted as a structural change");
    assert_eq!(code_kept(&q, &q), None);
    // Any answers: refused, or scored within the scale.
    let answers: Vec<(String, Option<i64>)> = (0..u.int_in_range(0usize..=8).unwrap_or(0))
        .map(|_| {
            let code = if u.arbitrary().unwrap_or(true) {
                q.items().get(u.choose_index(q.items().len()).unwrap_or(0)).map(|i| i.code.clone()).unwrap_or_default()
            } else {
                fragment(u, &CODES)
            };
            let v = if u.arbitrary().unwrap_or(false) { Some(u.int_in_range(-1i64..=11).unwrap_or(0)) } else { None };
            (code, v)
        })
        .collect();
    let given: Vec<(&str, Option<i64>)> = answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
    if let Ok(scored) = q.score(&given) {
        for m in [scored.score, scored.answered_mean].into_iter().flatten().chain(scored.subscales.iter().filter_map(|s| s.mean)) {
            assert!(m >= s.min as f64 && m <= s.max as f64, "a mean {m} off the scale");
        }
        assert_eq!(scored.complete, scored.missing.is_empty());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut u = Unstructured::new(rest);
    if mode & 1 == 1 {
        // The stored JSON (and what a client could send).
        if let Ok(d) = serde_json::from_slice::<QuestionnaireDraft>(rest) {
            check(&d, &mut Unstructured::new(&[]));
        }
        return;
    }
    let d = draft(&mut u);
    check(&d, &mut u);
    // An edit of it: the structural comparison never panics and sees no change from itself.
    let edited = draft(&mut u);
    let _ = locked_changes(&d, &edited);
    if let (Ok(a), Ok(b)) = (Questionnaire::parse(d.clone()), Questionnaire::parse(edited)) {
        let _ = code_kept(&a, &b);
        assert_eq!(locked_changes(a.as_draft(), a.as_draft()), Vec::new());
    }
});
