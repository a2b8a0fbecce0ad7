//! The CSV: formula injection, the BOM, CP932 round trip, and suppressed cells.

mod common;

use careerdock_export::csv::{formula_safe, write, CsvEncoding, REPLACEMENT};
use careerdock_export::{overall, Locale};
use common::{report, HIDDEN_N, HIDDEN_VALUE};
use encoding_rs::SHIFT_JIS;

fn rows_of(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.map(|r| r.iter().map(String::from).collect()).unwrap_or_default()).collect()
}

#[test]
fn formulas_are_neutralized_with_a_quote() {
    for cell in ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx", "＝1", "＋1", "－1", "＠a"] {
        assert_eq!(formula_safe(cell), format!("'{cell}"));
    }
    for cell in ["営業部", "12", "a=b", "", " =1"] {
        assert_eq!(formula_safe(cell), cell);
    }
    let file = write(&["=cmd|' /C calc'!A0".into(), "b".into()], &[vec!["@x".into(), "ok".into()]], CsvEncoding::Utf8Bom)
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8(file.bytes[3..].to_vec()).unwrap_or_default();
    let rows = rows_of(&text);
    assert_eq!(rows[0][0], "'=cmd|' /C calc'!A0");
    assert_eq!(rows[1], vec!["'@x", "ok"]);
}

#[test]
fn utf8_has_a_bom_and_crlf() {
    let file = overall::csv(&report(), Locale::Ja, CsvEncoding::Utf8Bom).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(file.replaced.is_empty());
    let text = String::from_utf8(file.bytes[3..].to_vec()).unwrap_or_default();
    assert!(text.contains("\r\n"));
    assert!(text.starts_with("表,部署,年齢,指標,指標コード,人数,値\r\n"), "{text}");
}

#[test]
fn cp932_round_trips_and_reports_what_it_cannot_encode() {
    let header = vec!["部署".to_string(), "メモ".to_string()];
    let rows = vec![vec!["髙橋（はしごだか）".to_string(), "①②ｱｲｳ～".to_string()], vec!["𠮷野家".to_string(), "面談😀".to_string()]];
    let file = write(&header, &rows, CsvEncoding::Cp932).unwrap_or_else(|e| panic!("{e}"));
    assert!(!file.bytes.starts_with(b"\xEF\xBB\xBF"));
    let (decoded, _, bad) = SHIFT_JIS.decode(&file.bytes);
    assert!(!bad);
    let back = rows_of(&decoded);
    assert_eq!(back[0], header);
    assert_eq!(back[1], rows[0], "CP932 characters come back as they were");
    assert_eq!(back[2], vec![format!("{REPLACEMENT}野家"), format!("面談{REPLACEMENT}")]);
    let replaced: Vec<(usize, usize, char)> = file.replaced.iter().map(|r| (r.line, r.column, r.character)).collect();
    assert_eq!(replaced, vec![(3, 1, '𠮷'), (3, 2, '😀')]);
}

#[test]
fn cp932_writes_unicode_dashes_as_windows_does_and_keeps_formulas_safe() {
    let rows = vec![vec!["—".to_string(), "課長 — 部長".to_string(), "−1+1".to_string()]];
    let file = write(&["a".into(), "b".into(), "c".into()], &rows, CsvEncoding::Cp932).unwrap_or_else(|e| panic!("{e}"));
    assert!(file.replaced.is_empty(), "{:?}", file.replaced);
    let (decoded, _, bad) = SHIFT_JIS.decode(&file.bytes);
    assert!(!bad);
    assert_eq!(rows_of(&decoded)[1], vec!["―", "課長 ― 部長", "'－1+1"]);
}

#[test]
fn the_overall_csv_has_one_row_per_cell_and_hides_suppressed_ones() {
    let report = report();
    for encoding in [CsvEncoding::Utf8Bom, CsvEncoding::Cp932] {
        let file = overall::csv(&report, Locale::Ja, encoding).unwrap_or_else(|e| panic!("{e}"));
        let text = match encoding {
            CsvEncoding::Utf8Bom => String::from_utf8(file.bytes[3..].to_vec()).unwrap_or_default(),
            CsvEncoding::Cp932 => SHIFT_JIS.decode(&file.bytes).0.into_owned(),
        };
        assert!(!text.contains(HIDDEN_N) && !text.contains(HIDDEN_VALUE), "{text}");
        let rows = rows_of(&text);
        let cells: usize = report.tables.iter().map(|t| t.cells.len()).sum();
        assert_eq!(rows.len(), cells + 1);
        let legal = rows.iter().find(|r| r[0] == "people_by_department" && r[1] == "法務部").cloned().unwrap_or_default();
        assert_eq!(legal, vec!["people_by_department", "法務部", "", "人数", "people", "非表示（10人未満）", "非表示（10人未満）"]);
        let sales = rows.iter().find(|r| r[0] == "people_by_department" && r[1] == "営業部").cloned().unwrap_or_default();
        assert_eq!(sales[5..], ["48".to_string(), "48".to_string()]);
        let whole = rows.iter().find(|r| r[0] == "overall" && r[4] == "people").cloned().unwrap_or_default();
        assert_eq!(whole[1], "全体");
        // A tag named like a formula is neutralized.
        assert!(rows.iter().any(|r| r[3] == "'=HYPERLINK(\"http://x\")" && r[4] == "tag:=HYPERLINK(\"http://x\")"));
    }
    let en = overall::csv(&report, Locale::En, CsvEncoding::Utf8Bom).unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8(en.bytes[3..].to_vec()).unwrap_or_default();
    assert!(text.starts_with("Table,Department,Age,Measure,Measure code,n,Value\r\n"));
    assert!(text.contains("Hidden (fewer than 10)"));
}
