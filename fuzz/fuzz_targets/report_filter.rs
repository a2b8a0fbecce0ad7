//! The overall report's breakdowns and the reader's filters: a population (departments in any
//! tree, even a looping one; ages, tenures, grades, tags and themes) broken down into every
//! table, decided by the engine, assembled, stored as JSON, and read back through the filters
//! the pages and the API use (`by=` dimensions, the department drill-down level, the partial
//! reader of stored snapshots); or any bytes read as a stored snapshot.
//! Besides not panicking: every cell's members are in the population, ascending, its holders
//! among them; a shown cell meets the primary bound; the partial reader agrees with a plain
//! deserialization and with `select`/`at_department` on the whole report; a breakdown is
//! selectable exactly when it is offered; department trails lead to their label.
#![no_main]

use careerdock_fuzz::{fragment, Unstructured};
use domain::breakdown::{self, at_department, breakdown, department_trail, group_at_department_level, offered, select, Department, Person};
use domain::overall_report::{read_tables, read_tables_where, CycleRef, Dimension, Measure, OverallReport, Take};
use libfuzzer_sys::fuzz_target;
use std::collections::{BTreeSet, HashSet};

const PATHS: [&str; 8] = ["営業部", "営業部/第一課", "営業部/第二課", "開発部", "開発部/基盤/SRE", "/", "営業部/", "a/b/c"];
const BY: [&str; 9] = ["department", "age", "tenure", "grade", "salary", " age", "", "department,age", "grade,tenure,age"];

fn dims(text: &str) -> Vec<Dimension> {
    let mut by = Vec::new();
    for d in text.split(',').filter_map(|p| Dimension::parse(p.trim())) {
        if !by.contains(&d) {
            by.push(d);
        }
    }
    by
}

fn same_set(a: &[Dimension], b: &[Dimension]) -> bool {
    a.len() == b.len() && a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
}

/// The stored snapshot read through the filters, against the whole report filtered in memory.
fn read_back(report: &OverallReport, json: &str, by: &[Dimension], level: Option<&str>) {
    let whole = read_tables(json, |_, _| Take::Whole).unwrap_or_else(|e| panic!("a stored report does not read back: {e}"));
    assert_eq!(&whole.report, report, "the partial reader changed the report");
    let plain: OverallReport = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(&plain, report);
    let take = |_: &str, t: &[Dimension]| if t.is_empty() || same_set(t, by) { Take::Whole } else { Take::Count };
    let part = read_tables_where(json, take, |c| group_at_department_level(level, &c.group)).unwrap_or_else(|e| panic!("{e}"));
    let level_view = at_department(report, level);
    let expected: Vec<_> = level_view.tables.iter().filter(|t| t.by.is_empty() || same_set(&t.by, by)).cloned().collect();
    assert_eq!(part.report.tables, expected, "the filtered read differs from the report filtered in memory");
    assert_eq!(part.tables.len(), report.tables.len());
    for (s, t) in part.tables.iter().zip(&report.tables) {
        assert_eq!((s.name.as_str(), s.cells, s.shown), (t.name.as_str(), t.cells.len(), t.cells.iter().filter(|c| !c.suppressed).count()));
    }
}

fn structured(u: &mut Unstructured) {
    let n_depts = u.int_in_range(0usize..=6).unwrap_or(0);
    let departments: Vec<Department> = (0..n_depts)
        .map(|i| {
            let parent = match u.int_in_range(0u8..=3).unwrap_or(0) {
                0 => None,
                // Any department, itself or a later one too: the tree may loop.
                1 => Some(u.int_in_range(0..=n_depts as i64).unwrap_or(0)),
                _ => (i > 0).then(|| u.int_in_range(0..=i as i64 - 1).unwrap_or(0)),
            };
            Department { id: i as i64, parent, path: fragment(u, &PATHS) }
        })
        .collect();
    let tags = [Measure::Tag("career".into()), Measure::Theme("残業".into()), Measure::LifeSafety];
    let people: Vec<Person> = (0..u.int_in_range(0usize..=24).unwrap_or(0))
        .map(|i| Person {
            employee: i as i64 * 7 + 1,
            department: u.int_in_range(0..=n_depts as i64).unwrap_or(0),
            birth_year: u.arbitrary::<bool>().unwrap_or(false).then(|| u.int_in_range(1900..=2030).unwrap_or(1980)),
            hire_date: u
                .arbitrary::<bool>()
                .unwrap_or(false)
                .then(|| chrono::NaiveDate::from_num_days_from_ce_opt(u.int_in_range(690_000..=740_000).unwrap_or(730_000)))
                .flatten(),
            grade: u.arbitrary::<bool>().unwrap_or(false).then(|| fragment(u, &["G1", "G2", " "])),
            measures: tags.iter().filter(|_| u.arbitrary::<bool>().unwrap_or(false)).cloned().collect(),
        })
        .collect();
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
    let b = breakdown(&people, &departments, &tags, reference);
    let population: HashSet<i64> = b.population.iter().copied().collect();
    assert_eq!(population.len(), people.len());
    for c in b.cells() {
        assert!(
            c.members.windows(2).all(|w| w[0] < w[1]),
            "members not ascending: {c:?} {departments:?} {:?}",
            people.iter().map(|p| p.department).collect::<Vec<_>>()
        );
        assert!(c.members.iter().all(|m| population.contains(m)));
        assert!(c.with.iter().all(|m| c.members.binary_search(m).is_ok()), "a holder outside the group");
        if c.measure == Measure::People {
            assert_eq!(c.with, c.members);
        }
    }
    let k = u.int_in_range(5u32..=6).unwrap_or(5);
    let cells: Vec<_> = b.cells().collect();
    let (verdicts, ledger) = breakdown::verdicts(k, &cells, &[], 1);
    assert_eq!(verdicts.len(), cells.len());
    let primary = breakdown::primary_verdicts(k, &cells);
    for ((v, p), c) in verdicts.iter().zip(&primary).zip(&cells) {
        assert!(v.hidden.is_some() || p.hidden.is_none(), "a shown cell below the primary bound: {c:?}");
    }
    assert_eq!(breakdown::ledger_of(&cells, &verdicts, 1), ledger);
    let head = breakdown::Heading {
        tenant: "demo".into(),
        cycle: CycleRef { id: 1, name: "2026年度".into() },
        version: 1,
        released_at: None,
        k,
        as_of: "2026-04-01".into(),
    };
    let report = breakdown::assemble(&b, &verdicts, head).report;
    let json = serde_json::to_string(&report).unwrap_or_default();

    let by = dims(&fragment(u, &BY));
    let level = if u.arbitrary::<bool>().unwrap_or(false) { Some(fragment(u, &PATHS)) } else { None };
    read_back(&report, &json, &by, level.as_deref());
    let chosen = select(&report, &by);
    let offers = offered(&report);
    if by.is_empty() {
        assert_eq!(chosen.as_ref(), Some(&report));
    } else {
        assert_eq!(chosen.is_some(), offers.iter().any(|o| same_set(o, &by)), "selectable and offered disagree for {by:?}");
    }
    if let Some(c) = chosen {
        assert!(c.tables.iter().all(|t| report.tables.contains(t)));
        assert!(c.tables.iter().any(|t| t.by.is_empty()) || report.tables.iter().all(|t| !t.by.is_empty()));
    }
    for label in report.dimensions.department.iter().flat_map(|d| d.labels.iter()).map(|l| l.label.clone()).chain(level) {
        let trail = department_trail(&label);
        assert_eq!(trail.last(), Some(&label));
        for w in trail.windows(2) {
            assert_eq!(breakdown::parent_department(&w[1]), Some(w[0].as_str()));
        }
        let _ = breakdown::knows_department(&report, &label);
    }
    let _ = breakdown::departments_with_children(&report);
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 1 {
        // Any bytes as a stored snapshot: the partial reader never accepts less than a plain
        // deserialization, and agrees with it.
        let Ok(json) = std::str::from_utf8(rest) else { return };
        let plain = serde_json::from_str::<OverallReport>(json);
        let whole = read_tables(json, |_, _| Take::Whole);
        let _ = read_tables(json, |_, by| if by.is_empty() { Take::Whole } else { Take::Count });
        if let Ok(plain) = plain {
            let whole = whole.unwrap_or_else(|e| panic!("the partial reader refused a report: {e}"));
            assert_eq!(whole.report, plain);
        }
        return;
    }
    structured(&mut Unstructured::new(rest));
});
