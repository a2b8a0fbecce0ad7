//! The management report (経営層への報告) as a PDF document and a CSV file, built from the
//! overall report's pieces ([`crate::overall`]): HR's commentary, the consultants' narrative,
//! the overall report's tables with their charts, the consented cases' summaries and
//! solutions, and the organizational issues with their status.
//!
//! Nothing here decides which case may be shown: the caller passes the
//! [`ManagementReportDoc`] the store opened for the reader now (only cases whose consent is
//! granted at the time of the export). The document says how many cases are not shown, never
//! which.

use crate::charts::Chart;
use crate::csv::{CsvEncoding, CsvError, CsvFile};
use crate::overall;
use crate::pdf::{Block, Cell as PdfCell, Column, Document, Table as PdfTable};
use crate::{format_number, hidden_marker, Locale};
use domain::management_report::ManagementReportDoc;
use domain::overall_report::OverallReport;

/// 未着手 / Not started, … (the web's `term-case-*`); an unknown code as it is.
pub fn case_status_label(code: &str, locale: Locale) -> String {
    let ja = match code {
        "open" => ("未着手", "Not started"),
        "in_progress" => ("対応中", "In progress"),
        "monitoring" => ("経過観察", "Monitoring"),
        "resolved" => ("解決済み", "Resolved"),
        other => return other.to_string(),
    };
    match locale {
        Locale::Ja => ja.0.to_string(),
        Locale::En => ja.1.to_string(),
    }
}

/// 未対応 / Open, … (the web's `term-issue-*`); an unknown code as it is.
pub fn issue_status_label(code: &str, locale: Locale) -> String {
    let pair = match code {
        "open" => ("未対応", "Open"),
        "in_progress" => ("対応中", "In progress"),
        "resolved" => ("対応済み", "Addressed"),
        other => return other.to_string(),
    };
    match locale {
        Locale::Ja => pair.0.to_string(),
        Locale::En => pair.1.to_string(),
    }
}

/// The title: 経営層への報告（2025年度）第2版 / Report to management: FY2025, version 2.
pub fn title(doc: &ManagementReportDoc, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("経営層への報告（{}）第{}版", doc.cycle.name, doc.version),
        Locale::En => format!("Report to management: {}, version {}", doc.cycle.name, doc.version),
    }
}

fn withheld_text(doc: &ManagementReportDoc, locale: Locale) -> Option<String> {
    (doc.cases_withheld > 0).then(|| match locale {
        Locale::Ja => format!("このほか{}件の事案は、同意の撤回などにより表示していません。", doc.cases_withheld),
        Locale::En => format!("{} more case(s) are not shown (consent withdrawn or no longer in force).", doc.cases_withheld),
    })
}

fn heading(level: u8, ja: &str, en: &str, locale: Locale) -> Block {
    Block::Heading {
        level,
        text: match locale {
            Locale::Ja => ja,
            Locale::En => en,
        }
        .to_string(),
    }
}

/// The PDF's document: title; summary; HR's commentary; the consultants' narrative (`sections`
/// from the overall report); the consented cases; the organizational issues; the figures (the
/// trend chart, then every table of the overall report with its chart).
pub fn document(
    doc: &ManagementReportDoc,
    report: &OverallReport,
    sections: &[(String, String)],
    trend: Option<Chart>,
    locale: Locale,
) -> Document {
    let mut pairs = overall::summary_pairs(report, locale);
    let based = match locale {
        Locale::Ja => ("もとにした全体報告書".to_string(), format!("第{}版", doc.overall_report.version)),
        Locale::En => ("Based on the overall report".to_string(), format!("version {}", doc.overall_report.version)),
    };
    pairs.insert(1, based);
    if let Some(v) = pairs.iter_mut().find(|(k, _)| k == "版" || k == "Version") {
        v.1 = match locale {
            Locale::Ja => format!("第{}版", doc.version),
            Locale::En => doc.version.to_string(),
        };
    }
    let mut blocks = vec![Block::KeyValues(pairs), Block::Note(overall::suppression_note(report, locale))];
    if !doc.commentary.trim().is_empty() {
        blocks.push(heading(1, "人事部門のコメント", "HR's commentary", locale));
        blocks.push(Block::Paragraph(doc.commentary.clone()));
    }
    let narrative = overall::narrative_blocks(sections, 2);
    if !narrative.is_empty() {
        blocks.push(heading(1, "所見", "Findings", locale));
        blocks.extend(narrative);
    }
    blocks.push(heading(1, "重要事案", "Important cases", locale));
    if doc.cases.is_empty() {
        blocks.push(Block::Note(
            match locale {
                Locale::Ja => "表示できる事案はありません。",
                Locale::En => "No case can be shown.",
            }
            .to_string(),
        ));
    }
    for (i, c) in doc.cases.iter().enumerate() {
        let status = case_status_label(&c.status, locale);
        blocks.push(Block::Heading {
            level: 2,
            text: match locale {
                Locale::Ja => format!("事案{}（{status}）", i + 1),
                Locale::En => format!("Case {} ({status})", i + 1),
            },
        });
        blocks.push(heading(3, "概要", "Summary", locale));
        blocks.push(Block::Paragraph(c.summary.clone()));
        if !c.solution.trim().is_empty() {
            blocks.push(heading(3, "解決策", "Solution", locale));
            blocks.push(Block::Paragraph(c.solution.clone()));
        }
    }
    if let Some(text) = withheld_text(doc, locale) {
        blocks.push(Block::Note(text));
    }
    blocks.push(heading(1, "組織課題の対応状況", "Organizational issues", locale));
    if doc.org_issues.is_empty() {
        blocks.push(Block::Note(
            match locale {
                Locale::Ja => "組織課題はありません。",
                Locale::En => "No organizational issue.",
            }
            .to_string(),
        ));
    } else {
        let (a, b) = match locale {
            Locale::Ja => ("課題", "状況"),
            Locale::En => ("Issue", "Status"),
        };
        blocks.push(Block::Table(PdfTable {
            caption: None,
            columns: vec![Column::text(a), Column::text(b)],
            rows: doc
                .org_issues
                .iter()
                .map(|i| vec![PdfCell::text(i.title.clone()), PdfCell::text(issue_status_label(&i.status, locale))])
                .collect(),
        }));
    }
    blocks.push(heading(1, "集計", "Figures", locale));
    if let Some(trend) = trend {
        blocks.push(Block::Chart(trend));
    }
    blocks.extend(overall::table_blocks(report, locale, 2));
    let released = doc.released_at.as_deref().map(|a| a.get(..10).unwrap_or(a).to_string());
    let subtitle = match (locale, released) {
        (Locale::Ja, Some(at)) => format!("{at}公開・{}", doc.tenant),
        (Locale::Ja, None) => format!("未公開・{}", doc.tenant),
        (Locale::En, Some(at)) => format!("Released {at}, {}", doc.tenant),
        (Locale::En, None) => format!("Not released, {}", doc.tenant),
    };
    Document { locale, title: title(doc, locale), subtitle: Some(subtitle), footer: overall::footer(&doc.tenant, locale), blocks }
}

/// [`document`] rendered to PDF bytes.
pub fn pdf(
    renderer: &crate::pdf::Renderer,
    doc: &ManagementReportDoc,
    report: &OverallReport,
    sections: &[(String, String)],
    trend: Option<Chart>,
    locale: Locale,
) -> Result<Vec<u8>, crate::pdf::PdfError> {
    renderer.render(&document(doc, report, sections, trend, locale))
}

/// The CSV: one row per item with the columns 区分 (kind), 項目 (heading), 内容 (text), 状況
/// (status), 人数 (n) and 値 (value): HR's commentary, the narrative sections, each shown
/// case's summary and solution, each issue, and the whole population's figures. A suppressed
/// figure has the marker in 人数 and 値.
pub fn csv_rows(doc: &ManagementReportDoc, sections: &[(String, String)], locale: Locale) -> (Vec<String>, Vec<Vec<String>>) {
    let l = |ja: &str, en: &str| match locale {
        Locale::Ja => ja.to_string(),
        Locale::En => en.to_string(),
    };
    let header = match locale {
        Locale::Ja => ["区分", "項目", "内容", "状況", "人数", "値"],
        Locale::En => ["Kind", "Item", "Text", "Status", "n", "Value"],
    }
    .map(String::from)
    .to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut text_row = |kind: String, item: String, text: String, status: String| {
        rows.push(vec![kind, item, text, status, String::new(), String::new()]);
    };
    if !doc.commentary.trim().is_empty() {
        text_row(l("コメント", "Commentary"), l("人事部門のコメント", "HR's commentary"), doc.commentary.clone(), String::new());
    }
    for (h, text) in sections.iter().filter(|(_, t)| !t.trim().is_empty()) {
        text_row(l("所見", "Findings"), h.clone(), text.clone(), String::new());
    }
    for (i, c) in doc.cases.iter().enumerate() {
        let status = case_status_label(&c.status, locale);
        let n = i + 1;
        text_row(l("重要事案", "Case"), l(&format!("事案{n}・概要"), &format!("Case {n}: summary")), c.summary.clone(), status.clone());
        text_row(l("重要事案", "Case"), l(&format!("事案{n}・解決策"), &format!("Case {n}: solution")), c.solution.clone(), status);
    }
    if let Some(text) = withheld_text(doc, locale) {
        text_row(l("重要事案", "Case"), l("表示していない事案", "Cases not shown"), text, String::new());
    }
    for i in &doc.org_issues {
        text_row(l("組織課題", "Issue"), i.title.clone(), String::new(), issue_status_label(&i.status, locale));
    }
    let marker = hidden_marker(locale, doc.overall_report.k);
    for f in &doc.figures {
        let (n, v) = match (f.suppressed, f.n, f.value) {
            (false, Some(n), Some(v)) => (n.to_string(), format_number(v).replace(',', "")),
            _ => (marker.clone(), marker.clone()),
        };
        rows.push(vec![l("集計（全体）", "Figures (all)"), overall::measure_label(&f.measure, locale), String::new(), String::new(), n, v]);
    }
    (header, rows)
}

/// The report as a CSV file.
pub fn csv(doc: &ManagementReportDoc, sections: &[(String, String)], locale: Locale, encoding: CsvEncoding) -> Result<CsvFile, CsvError> {
    let (header, rows) = csv_rows(doc, sections, locale);
    crate::csv::write(&header, &rows, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_labels() {
        assert_eq!(case_status_label("monitoring", Locale::Ja), "経過観察");
        assert_eq!(issue_status_label("resolved", Locale::En), "Addressed");
        assert_eq!(issue_status_label("odd", Locale::En), "odd");
    }
}
