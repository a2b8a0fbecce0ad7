//! A small released overall report with shown, primary- and secondary-suppressed cells. The
//! suppressed cells are built malformed on purpose (`suppressed: true` but with an `n` and a
//! `value` of 7,777 / 8,888): every format must go by `suppressed` and print neither.
#![allow(dead_code)]

use careerdock_export::Locale;
use domain::overall_report::{
    Band, BandDimension, Cell, CycleRef, DepartmentDimension, DepartmentLabel, Dimension, Dimensions, Measure, OverallReport,
    PopulationInfo, Table, POPULATION_RULE,
};
use std::collections::BTreeMap;

pub const HIDDEN_N: &str = "7777";
pub const HIDDEN_VALUE: &str = "8888";

fn group(pairs: &[(Dimension, &str)]) -> BTreeMap<Dimension, String> {
    pairs.iter().map(|(d, l)| (*d, l.to_string())).collect()
}

fn shown(pairs: &[(Dimension, &str)], m: Measure, n: u64, v: f64) -> Cell {
    Cell::new(group(pairs), &m, Some((n, v)))
}

/// A suppressed cell that (wrongly) still carries figures.
fn hidden(pairs: &[(Dimension, &str)], m: Measure) -> Cell {
    Cell { group: group(pairs), measure: m.code(), suppressed: true, n: Some(7777), value: Some(8888.0) }
}

pub fn report() -> OverallReport {
    use Dimension::{Age, Department as Dept};
    OverallReport {
        tenant: "demo".into(),
        cycle: CycleRef { id: 3, name: "2025年度".into() },
        version: 2,
        released_at: Some("2026-04-01T09:00:00Z".into()),
        k: 10,
        population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-03-31T15:00:00Z".into(), n: Some(131) },
        dimensions: Dimensions {
            department: Some(DepartmentDimension {
                labels: ["営業部", "開発部", "法務部", "総務部"]
                    .iter()
                    .enumerate()
                    .map(|(i, l)| DepartmentLabel { label: l.to_string(), department_ids: vec![i as i64 + 1], paths: vec![l.to_string()] })
                    .collect(),
            }),
            age: Some(BandDimension {
                reference_date: "2026-04-01".into(),
                bands: vec![
                    Band { label: "20〜39歳".into(), min: 20, max: Some(39) },
                    Band { label: "40歳以上".into(), min: 40, max: None },
                ],
            }),
            tenure: None,
            grade: None,
        },
        tables: vec![
            Table {
                name: "overall".into(),
                by: vec![],
                cells: vec![
                    shown(&[], Measure::People, 131, 131.0),
                    shown(&[], Measure::Tag("キャリアの方向性".into()), 131, 45.0),
                    shown(&[], Measure::Tag("=HYPERLINK(\"http://x\")".into()), 131, 12.0),
                    hidden(&[], Measure::LifeSafety),
                    shown(&[], Measure::OrganizationalResponse, 131, 14.0),
                    shown(&[], Measure::Theme("異動".into()), 131, 22.0),
                ],
            },
            Table {
                name: "people_by_department".into(),
                by: vec![Dept],
                cells: vec![
                    shown(&[(Dept, "営業部")], Measure::People, 48, 48.0),
                    shown(&[(Dept, "開発部")], Measure::People, 63, 63.0),
                    hidden(&[(Dept, "法務部")], Measure::People),
                    hidden(&[(Dept, "総務部")], Measure::People),
                ],
            },
            Table {
                name: "部署別・年齢別の人数".into(),
                by: vec![Dept, Age],
                cells: vec![
                    shown(&[(Dept, "営業部"), (Age, "20〜39歳")], Measure::People, 30, 30.0),
                    shown(&[(Dept, "営業部"), (Age, "40歳以上")], Measure::People, 18, 18.0),
                    shown(&[(Dept, "開発部"), (Age, "20〜39歳")], Measure::People, 40, 40.0),
                    shown(&[(Dept, "開発部"), (Age, "40歳以上")], Measure::People, 23, 23.0),
                    hidden(&[(Dept, "法務部"), (Age, "20〜39歳")], Measure::People),
                    hidden(&[(Dept, "法務部"), (Age, "40歳以上")], Measure::People),
                ],
            },
            Table {
                name: "tags_by_department".into(),
                by: vec![Dept],
                cells: vec![
                    shown(&[(Dept, "営業部")], Measure::Tag("キャリアの方向性".into()), 48, 20.0),
                    hidden(&[(Dept, "法務部")], Measure::Tag("キャリアの方向性".into())),
                ],
            },
        ],
    }
}

pub fn narrative(locale: Locale) -> Vec<(String, String)> {
    careerdock_export::overall::narrative_headings(locale)
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_string(), format!("第{}節の本文です。\n二行目です。\n\n次の段落です。", i + 1)))
        .collect()
}

/// The text of a PDF, as `pdftotext` (poppler-utils) extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("write: {e}"));
    let out = std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils; run scripts/ensure-test-deps.sh): {e}"));
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
