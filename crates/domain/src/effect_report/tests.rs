use super::*;
use proptest::prelude::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, d).unwrap_or_default()
}

fn ans(employee: i64, timing: Timing, d: u32, score: Option<f64>) -> (i64, DatedScore) {
    (employee, DatedScore { timing, answered_on: day(d), score })
}

#[test]
fn the_latest_pre_and_the_latest_post_make_the_pair() {
    let answers = vec![
        // 1: two pre answers, the later counts; two posts, the later counts.
        ans(1, Timing::Pre, 2, Some(2.0)),
        ans(1, Timing::Post, 20, Some(3.0)),
        ans(1, Timing::Pre, 5, Some(2.5)),
        ans(1, Timing::Post, 25, Some(3.75)),
        ans(1, Timing::FollowUp, 28, Some(5.0)),
        // 2: no post.
        ans(2, Timing::Pre, 2, Some(3.0)),
        ans(2, Timing::FollowUp, 20, Some(4.0)),
        // 3: the latest post is incomplete: no pair, even with an earlier complete one.
        ans(3, Timing::Pre, 2, Some(3.0)),
        ans(3, Timing::Post, 10, Some(4.0)),
        ans(3, Timing::Post, 12, None),
        // 4: complete.
        ans(4, Timing::Post, 9, Some(1.0)),
        ans(4, Timing::Pre, 1, Some(1.5)),
    ];
    let pairs = complete_pairs(&answers);
    assert_eq!(pairs.into_iter().collect::<Vec<_>>(), vec![(1, (2.5, 3.75)), (4, (1.5, 1.0))]);
    assert!(complete_pairs(&[]).is_empty());
}

fn person(employee: i64, department: i64, pre: f64, post: f64) -> PairedPerson {
    PairedPerson { employee, department, birth_year: Some(1990), hire_date: Some(day(1)), grade: Some("G2".into()), pre, post }
}

fn head(k: u32) -> EffectHeading {
    EffectHeading {
        tenant: "t".into(),
        cycle: CycleRef { id: 1, name: "2026年度".into() },
        questionnaire: QuestionnaireRef {
            code: "career-awareness".into(),
            title: "キャリア意識".into(),
            title_en: "Career awareness".into(),
            scale_min: 1,
            scale_max: 5,
        },
        k,
    }
}

fn departments() -> Vec<Department> {
    vec![
        Department { id: 1, parent: None, path: "営業部".into() },
        Department { id: 2, parent: None, path: "開発部".into() },
        Department { id: 3, parent: Some(2), path: "開発部/第一課".into() },
    ]
}

#[test]
fn shown_cells_carry_the_measure_of_their_members_and_small_groups_are_hidden() {
    // 30 in sales (1), 12 in development (2) of whom 4 in its first section (3).
    let mut people = Vec::new();
    for i in 0..30 {
        people.push(person(i, 1, 3.0 + (i % 4) as f64 / 4.0, 3.25 + (i % 5) as f64 / 4.0));
    }
    for i in 30..42 {
        people.push(person(i, if i < 34 { 3 } else { 2 }, 2.5, 2.5 + (i % 3) as f64 / 8.0));
    }
    let r = build(head(10), &people, &departments(), day(30), &[Dimension::Department]);
    let json = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(json["k"], 10);
    assert_eq!(json["population"]["n"], 42);
    assert_eq!(r.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["overall", "department"]);
    let whole = &r.tables[0].cells[0];
    let all: Vec<Pair> = people.iter().map(|p| Pair::new(p.pre, p.post)).collect();
    assert_eq!(whole.value, Some(EffectValue::of(&effect::measure(&all))));
    assert_eq!(whole.n, Some(42));
    let by_label: HashMap<&str, &EffectCell> =
        r.tables[1].cells.iter().map(|c| (c.group.get(&Dimension::Department).map_or("", |s| s.as_str()), c)).collect();
    let sales = by_label["営業部"];
    let sales_pairs: Vec<Pair> = people[..30].iter().map(|p| Pair::new(p.pre, p.post)).collect();
    assert_eq!(sales.value, Some(EffectValue::of(&effect::measure(&sales_pairs))));
    assert!(sales.warning.is_some(), "30 pairs is a small group");
    let section = by_label["開発部/第一課"];
    assert!(section.suppressed && section.n.is_none() && section.value.is_none() && section.warning.is_none());
    // Development (12) is shown: nothing shown subtracts to its hidden section.
    assert_eq!(by_label["開発部"].n, Some(12));
    let cell = serde_json::to_value(section).unwrap_or_default();
    assert!(cell.get("n").is_none() && cell.get("value").is_none() && cell.get("warning").is_none());
    assert_eq!(cell["measure"], "effect");
    let shown = serde_json::to_value(sales).unwrap_or_default();
    let keys: BTreeSet<&str> = shown["value"].as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let expected: BTreeSet<&str> =
        ["mean_pre", "mean_post", "mean_change", "ci95_low", "ci95_high", "wilcoxon_p", "effect_size", "min_detectable_effect"]
            .into_iter()
            .collect();
    assert_eq!(keys, expected);
    assert!(shown["warning"]["ja"].as_str().is_some_and(|s| s.contains("30人")));
}

#[test]
fn a_population_below_k_shows_nothing() {
    let people: Vec<PairedPerson> = (0..6).map(|i| person(i, 1, 3.0, 3.5)).collect();
    let r = build(head(10), &people, &departments(), day(30), &[]);
    assert_eq!(r.tables.len(), 5, "overall and the four one-way tables");
    assert!(r.tables.iter().flat_map(|t| &t.cells).all(|c| c.suppressed));
    assert_eq!(r.population.n, None);
    let empty = build(head(10), &[], &departments(), day(30), &[]);
    assert!(empty.tables[0].cells.iter().all(|c| c.suppressed));
}

#[test]
fn the_choice_of_tables_does_not_change_the_verdicts() {
    let mut people = Vec::new();
    for i in 0..25 {
        people.push(person(i, 1 + (i % 3), 3.0, 3.0 + (i % 4) as f64 / 4.0));
    }
    let all = build(head(5), &people, &departments(), day(30), &[]);
    let dept = build(head(5), &people, &departments(), day(30), &[Dimension::Department]);
    let from_all = all.tables.iter().find(|t| t.name == "department");
    assert_eq!(from_all, dept.tables.get(1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_shown_cell_has_at_least_k_pairs_and_no_cell_is_non_finite(
        rows in proptest::collection::vec((1i64..=3, 0u8..=16, 0u8..=16, 1970i32..2000), 0..40),
        k in 5u32..8,
    ) {
        let people: Vec<PairedPerson> = rows
            .iter()
            .enumerate()
            .map(|(i, (d, pre, post, y))| PairedPerson {
                employee: i as i64 + 1,
                department: *d,
                birth_year: Some(*y),
                hire_date: None,
                grade: None,
                pre: 1.0 + f64::from(*pre) / 4.0,
                post: 1.0 + f64::from(*post) / 4.0,
            })
            .collect();
        let r = build(head(k), &people, &departments(), day(30), &[]);
        for c in r.tables.iter().flat_map(|t| &t.cells) {
            if let Some(n) = c.n {
                prop_assert!(n >= u64::from(k));
                prop_assert!(!c.suppressed);
                let v = c.value.unwrap_or(EffectValue::of(&effect::measure(&[])));
                for x in [v.mean_pre, v.mean_post, v.mean_change, v.ci95_low, v.ci95_high, v.wilcoxon_p, v.effect_size, v.min_detectable_effect].into_iter().flatten() {
                    prop_assert!(x.is_finite());
                }
                prop_assert!(v.mean_pre.is_some() && v.mean_change.is_some());
            } else {
                prop_assert!(c.suppressed && c.value.is_none());
            }
        }
    }
}
