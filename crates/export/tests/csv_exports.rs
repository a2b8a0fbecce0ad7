//! The CSV exports of the overall and management reports: formula injection neutralized in
//! labels and texts, CP932 bytes that decode to the expected Japanese, suppressed figures as
//! the marker only.

use careerdock_export as export;
use domain::management_report::{CaseDoc, Figure, IssueDoc, ManagementReportDoc, OverallRef};
use domain::overall_report::{CycleRef, OverallReport};
use encoding_rs::SHIFT_JIS;
use export::csv::CsvEncoding;
use export::Locale;

fn report() -> OverallReport {
    let json = serde_json::json!({
        "tenant": "acme",
        "cycle": {"id": 3, "name": "2025年度"},
        "version": 2,
        "released_at": "2026-04-01T00:00:00Z",
        "k": 5,
        "population": {"rule": "approved_reports", "as_of": "2026-03-31T00:00:00Z", "n": 42},
        "dimensions": {},
        "tables": [
            {"name": "people_overall", "by": [], "cells": [
                {"group": {}, "measure": "people", "suppressed": false, "n": 42, "value": 42.0}
            ]},
            {"name": "people_by_department", "by": ["department"], "cells": [
                {"group": {"department": "=HYPERLINK(\"http://x\")"}, "measure": "people", "suppressed": false, "n": 30, "value": 30.0},
                {"group": {"department": "営業部"}, "measure": "people", "suppressed": false, "n": 9, "value": 9.0},
                {"group": {"department": "総務部"}, "measure": "people", "suppressed": true}
            ]}
        ]
    });
    serde_json::from_value(json).expect("a valid report")
}

fn decoded(bytes: &[u8]) -> String {
    let (text, _, bad) = SHIFT_JIS.decode(bytes);
    assert!(!bad, "not CP932");
    text.into_owned()
}

#[test]
fn overall_csv_neutralizes_formulas_and_decodes_from_cp932() {
    let r = report();
    let utf8 = export::overall::csv(&r, Locale::Ja, CsvEncoding::Utf8Bom).expect("csv");
    assert!(utf8.bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let text = String::from_utf8(utf8.bytes[3..].to_vec()).expect("utf-8");
    assert!(text.contains("'=HYPERLINK"), "the formula is not neutralized: {text}");
    assert!(!text.contains(",=HYPERLINK") && !text.contains("\"=HYPERLINK"), "a raw formula cell: {text}");

    let sjis = export::overall::csv(&r, Locale::Ja, CsvEncoding::Cp932).expect("csv");
    assert!(!sjis.bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM in CP932");
    assert!(sjis.replaced.is_empty(), "{:?}", sjis.replaced);
    let text = decoded(&sjis.bytes);
    let header = text.lines().next().unwrap_or_default();
    assert_eq!(header, "表,部署,指標,指標コード,人数,値");
    assert!(text.contains("people_by_department,営業部,人数,people,9,9\r\n"), "{text}");
    assert!(text.contains("総務部,人数,people,非表示（5人未満）,非表示（5人未満）"), "{text}");
    assert!(text.contains("'=HYPERLINK"), "{text}");
}

#[test]
fn cp932_replaces_what_it_cannot_encode() {
    let mut r = report();
    r.tables[1].cells[1].group.insert(domain::overall_report::Dimension::Department, "𠮷野家支店".into());
    let f = export::overall::csv(&r, Locale::Ja, CsvEncoding::Cp932).expect("csv");
    assert_eq!(f.replaced.len(), 1);
    assert!(decoded(&f.bytes).contains("〓野家支店"));
}

fn management_doc() -> ManagementReportDoc {
    ManagementReportDoc {
        tenant: "acme".into(),
        cycle: CycleRef { id: 3, name: "2025年度".into() },
        version: 1,
        state: "released".into(),
        released_at: Some("2026-04-10T00:00:00Z".into()),
        overall_report: OverallRef { id: 7, version: 2, released_at: None, k: 5, population: Some(42) },
        figures: vec![
            Figure { measure: "people".into(), suppressed: false, n: Some(42), value: Some(42.0) },
            Figure { measure: "flag:life_safety".into(), suppressed: true, n: None, value: None },
        ],
        cases: vec![CaseDoc {
            summary: "+長時間労働が続いている".into(), solution: "@配置を見直した".into(), status: "monitoring".into()
        }],
        cases_withheld: 1,
        org_issues: vec![IssueDoc { title: "-評価制度の説明不足".into(), status: "in_progress".into() }],
        commentary: "=1+1 人事部門のコメント".into(),
    }
}

#[test]
fn management_csv_neutralizes_texts_and_says_what_is_withheld() {
    let doc = management_doc();
    let sections = vec![("面談対象者全体の傾向".to_string(), "＝全角の等号で始まる所見".to_string())];
    let f = export::management::csv(&doc, &sections, Locale::Ja, CsvEncoding::Cp932).expect("csv");
    let text = decoded(&f.bytes);
    for s in ["'=1+1 人事部門のコメント", "'+長時間労働", "'@配置を見直した", "'-評価制度の説明不足", "'＝全角の等号"]
    {
        assert!(text.contains(s), "{s} missing in {text}");
    }
    assert!(text.contains("経過観察") && text.contains("対応中"), "{text}");
    assert!(text.contains("このほか1件の事案は"), "{text}");
    assert!(text.contains("生命・安全に関わる事案,,,非表示（5人未満）,非表示（5人未満）"), "{text}");
}
