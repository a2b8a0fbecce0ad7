//! The PDF, read back with `pdftotext`: Japanese headings, the marker of a suppressed cell, no
//! hidden figure, and hostile text printed literally without reading any file.

mod common;

use careerdock_export::overall;
use careerdock_export::pdf::{Block, Document, Renderer};
use careerdock_export::Locale;
use common::{narrative, pdf_text, report, HIDDEN_N, HIDDEN_VALUE};

fn renderer() -> Renderer {
    Renderer::system().unwrap_or_else(|e| panic!("{e} (run scripts/ensure-test-deps.sh)"))
}

/// pdftotext breaks lines and may space out letters; compare without white space.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn the_japanese_pdf_has_its_headings_and_hides_suppressed_cells() {
    let report = report();
    let pdf = overall::pdf(&renderer(), &report, &narrative(Locale::Ja), None, Locale::Ja).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    let text = squeeze(&pdf_text(&pdf));
    for expected in [
        "全体報告書（2025年度）",
        "所見",
        "面談対象者全体の傾向",
        "組織的な課題",
        "解決策",
        "従業員育成策に関する提案",
        "第1節の本文です。",
        "集計",
        "部署別・人数",
        "部署別・年齢別の人数",
        "非表示（10人未満）",
        "営業部",
        "生命・安全に関わる事案",
        "demo社外秘",
        "1/",
    ] {
        assert!(text.contains(expected), "{expected} is missing from:\n{text}");
    }
    assert!(!text.contains(HIDDEN_N) && !text.contains(HIDDEN_VALUE), "a hidden figure is printed:\n{text}");
}

#[test]
fn the_english_pdf_uses_english_labels() {
    let report = report();
    let pdf = overall::pdf(&renderer(), &report, &narrative(Locale::En), None, Locale::En).unwrap_or_else(|e| panic!("{e}"));
    let text = squeeze(&pdf_text(&pdf));
    for expected in ["Overallreport:2025年度", "Findings", "Organizationalissues", "Hidden(fewerthan10)", "Confidential"] {
        assert!(text.contains(expected), "{expected} is missing from:\n{text}");
    }
    assert!(!text.contains(HIDDEN_N) && !text.contains(HIDDEN_VALUE));
}

#[test]
fn hostile_text_is_printed_literally_and_reads_no_file() {
    let hostile = [
        "#import \"/etc/passwd\": *",
        "#read(\"/etc/passwd\")",
        "#include \"/etc/hostname\"",
        "#image(\"/etc/hosts\")",
        "] $x^2$ *strong* _em_ `raw` <label> @ref \\ \" //",
        "#{ panic(\"boom\") }",
    ];
    let doc = Document {
        locale: Locale::Ja,
        title: hostile[0].to_string(),
        subtitle: Some(hostile[1].to_string()),
        footer: hostile[2].to_string(),
        blocks: hostile
            .iter()
            .flat_map(|h| [Block::Heading { level: 2, text: h.to_string() }, Block::Paragraph(h.to_string())])
            .chain([Block::KeyValues(vec![(hostile[4].to_string(), hostile[5].to_string())])])
            .collect(),
    };
    let pdf = renderer().render(&doc).unwrap_or_else(|e| panic!("{e}"));
    let text = pdf_text(&pdf);
    let flat = squeeze(&text);
    for h in hostile {
        assert!(flat.contains(&squeeze(h)), "{h} is not printed literally:\n{text}");
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    if let Some(first) = passwd.lines().next() {
        assert!(!flat.contains(&squeeze(first)), "/etc/passwd was read into the PDF");
    }
    assert!(!text.contains("boom") || flat.contains("panic(\"boom\")"));
}

#[test]
fn a_renderer_is_reused_across_renders() {
    let renderer = renderer();
    let report = report();
    let first = overall::pdf(&renderer, &report, &[], None, Locale::Ja).unwrap_or_else(|e| panic!("{e}"));
    let second = overall::pdf(&renderer, &report, &[], None, Locale::Ja).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first, second, "the same document gives the same PDF");
}

#[test]
fn a_group_hidden_in_every_measure_is_one_row_with_the_marker() {
    use careerdock_export::hidden_marker;
    use careerdock_export::pdf::Cell as PdfCell;
    use domain::overall_report::{Cell, Dimension, Measure, Table};
    let group = |l: &str| [(Dimension::Department, l.to_string())].into_iter().collect();
    let shown = |l: &str, m: Measure, v: f64| Cell::new(group(l), &m, Some((48, v)));
    // Malformed on purpose, as in `common`: a suppressed cell that still carries figures.
    let hidden = |l: &str, m: Measure| Cell { group: group(l), measure: m.code(), suppressed: true, n: Some(7777), value: Some(8888.0) };
    let tag = || Measure::Tag("キャリアの方向性".into());
    let mut report = report();
    report.tables = vec![Table {
        name: "tags_by_department".into(),
        by: vec![Dimension::Department],
        cells: vec![
            shown("営業部", Measure::People, 48.0),
            shown("営業部", tag(), 12.0),
            hidden("営業部", Measure::LifeSafety),
            shown("営業部", Measure::OrganizationalResponse, 9.0),
            hidden("営業部", Measure::Tag("健康".into())),
            hidden("法務部", Measure::People),
            hidden("法務部", tag()),
            hidden("法務部", Measure::LifeSafety),
        ],
    }];
    let marker = hidden_marker(Locale::Ja, report.k);
    let table = overall::pdf_table(&report, &report.tables[0], Locale::Ja);
    let texts: Vec<Vec<&str>> = table.rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect();
    assert_eq!(
        texts,
        vec![
            vec!["営業部", "人数", "48 / 48"],
            vec!["営業部", "キャリアの方向性", "12 / 48 (25.0%)"],
            vec!["営業部", "組織的対応が必要な事項", "9 / 48 (18.8%)"],
            vec!["営業部", "生命・安全に関わる事案、健康", marker.as_str()],
            vec!["法務部", "すべての指標", marker.as_str()],
        ]
    );
    assert!(table.rows[3][2].hidden && table.rows[4][2].hidden && !table.rows[2][2].hidden);
    assert_eq!(table.rows[4][2], PdfCell::hidden(marker.clone()));
    // One hidden cell in a group stays a row of its own.
    let mut one = report.tables[0].clone();
    one.cells.retain(|c| c.group.values().all(|l| l == "営業部") && c.measure != "tag:健康");
    let texts: Vec<Vec<String>> =
        overall::pdf_table(&report, &one, Locale::Ja).rows.iter().map(|r| r.iter().map(|c| c.text.clone()).collect()).collect();
    assert_eq!(texts[2], vec!["営業部".to_string(), "生命・安全に関わる事案".into(), marker.clone()]);

    let pdf = overall::pdf(&renderer(), &report, &[], None, Locale::Ja).unwrap_or_else(|e| panic!("{e}"));
    let text = squeeze(&pdf_text(&pdf));
    for expected in ["部署別・人数・課題の分類・フラグ", "すべての指標", "非表示（10人未満）", "12/48(25.0%)"]
    {
        assert!(text.contains(expected), "{expected} is missing from:\n{text}");
    }
    assert!(!text.contains(HIDDEN_N) && !text.contains(HIDDEN_VALUE), "a hidden figure is printed:\n{text}");
}

#[test]
fn the_pdf_keeps_department_tables_to_the_top_level_and_says_so() {
    use domain::overall_report::{Cell, DepartmentLabel, Dimension, Measure, Table};
    let mut report = report();
    let labels = ["営業部", "営業部/第一営業課", "開発部"];
    if let Some(d) = report.dimensions.department.as_mut() {
        d.labels = labels
            .iter()
            .enumerate()
            .map(|(i, l)| DepartmentLabel { label: l.to_string(), department_ids: vec![i as i64 + 1], paths: vec![l.to_string()] })
            .collect();
    }
    let group = |l: &str| [(Dimension::Department, l.to_string())].into_iter().collect();
    report.tables.push(Table {
        name: "people_by_department".into(),
        by: vec![Dimension::Department],
        cells: labels.iter().map(|l| Cell::new(group(l), &Measure::People, Some((40, 40.0)))).collect(),
    });
    for locale in [Locale::Ja, Locale::En] {
        let pdf = overall::pdf(&renderer(), &report, &[], None, locale).unwrap_or_else(|e| panic!("{e}"));
        let text = squeeze(&pdf_text(&pdf));
        assert!(text.contains("営業部") && text.contains("開発部"), "a top-level department is missing:\n{text}");
        assert!(!text.contains("第一営業課"), "a sub-department is in the printed report:\n{text}");
        assert!(text.contains(&squeeze(overall::top_level_note(locale))), "the note on the lower levels is missing:\n{text}");
    }
    // Without sub-departments, no note.
    let pdf = overall::pdf(&renderer(), &common::report(), &[], None, Locale::Ja).unwrap_or_else(|e| panic!("{e}"));
    assert!(!squeeze(&pdf_text(&pdf)).contains(&squeeze(overall::top_level_note(Locale::Ja))));
}
