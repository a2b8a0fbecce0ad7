//! The overall report (全体報告書) in every export format, from the fixed JSON contract
//! [`OverallReport`]: the CSV ([`csv`]), the charts ([`charts`]) and the PDF's document
//! ([`document`]).
//!
//! The management report (経営層への報告) builds its document from the same pieces: the
//! report's summary ([`summary_pairs`]), its tables with their charts ([`table_blocks`]), the
//! trend across cycles ([`trend_chart`]), narrative sections ([`narrative_blocks`]) and the
//! footer ([`footer`]), with blocks of its own in between.
//!
//! Nothing here decides what may be shown: a suppressed cell has neither `n` nor `value` in
//! the report, and is shown as [`hidden_marker`] everywhere.

use crate::charts::{Bar, Chart, ChartKind, Series, StackedBar};
use crate::csv::{CsvEncoding, CsvError, CsvFile};
use crate::pdf::{Block, Cell as PdfCell, Column, Document, Table as PdfTable};
use crate::{format_number, hidden_marker, Locale};
use domain::overall_report::{Cell, Dimension, Measure, OverallReport, Table};
use std::collections::BTreeMap;

/// The headings of the consultants' four narrative sections, in the order of the report
/// (面談対象者全体の傾向, 組織的な課題, 解決策, 従業員育成策に関する提案).
pub fn narrative_headings(locale: Locale) -> [&'static str; 4] {
    match locale {
        Locale::Ja => ["面談対象者全体の傾向", "組織的な課題", "解決策", "従業員育成策に関する提案"],
        Locale::En => ["Trends across everyone interviewed", "Organizational issues", "Solutions", "Proposals for employee development"],
    }
}

/// 部署 / Department, ….
pub fn dimension_label(dimension: Dimension, locale: Locale) -> &'static str {
    match (dimension, locale) {
        (Dimension::Department, Locale::Ja) => "部署",
        (Dimension::Age, Locale::Ja) => "年齢",
        (Dimension::Tenure, Locale::Ja) => "勤続年数",
        (Dimension::Grade, Locale::Ja) => "等級",
        (Dimension::Department, Locale::En) => "Department",
        (Dimension::Age, Locale::En) => "Age",
        (Dimension::Tenure, Locale::En) => "Tenure",
        (Dimension::Grade, Locale::En) => "Grade",
    }
}

/// A measure's name: 人数, the tag's name, 生命・安全に関わる事案, 組織的対応が必要な事項,
/// テーマ: term (Theme: term). An unknown code is shown as it is.
pub fn measure_label(code: &str, locale: Locale) -> String {
    match (Measure::parse(code), locale) {
        (Some(Measure::People), Locale::Ja) => "人数".into(),
        (Some(Measure::People), Locale::En) => "People".into(),
        (Some(Measure::Tag(t)), _) => t,
        (Some(Measure::LifeSafety), Locale::Ja) => "生命・安全に関わる事案".into(),
        (Some(Measure::LifeSafety), Locale::En) => "Life or safety at stake".into(),
        (Some(Measure::OrganizationalResponse), Locale::Ja) => "組織的対応が必要な事項".into(),
        (Some(Measure::OrganizationalResponse), Locale::En) => "Organizational response needed".into(),
        (Some(Measure::Theme(t)), Locale::Ja) => format!("テーマ: {t}"),
        (Some(Measure::Theme(t)), Locale::En) => format!("Theme: {t}"),
        (None, _) => code.to_string(),
    }
}

fn measure_kind_label(code: &str, locale: Locale) -> &'static str {
    match (Measure::parse(code), locale) {
        (Some(Measure::People), Locale::Ja) => "人数",
        (Some(Measure::People), Locale::En) => "People",
        (Some(Measure::Tag(_)), Locale::Ja) => "課題の分類",
        (Some(Measure::Tag(_)), Locale::En) => "Issue tags",
        (Some(Measure::LifeSafety | Measure::OrganizationalResponse), Locale::Ja) => "フラグ",
        (Some(Measure::LifeSafety | Measure::OrganizationalResponse), Locale::En) => "Flags",
        (Some(Measure::Theme(_)), Locale::Ja) => "テーマ",
        (Some(Measure::Theme(_)), Locale::En) => "Themes",
        (None, Locale::Ja) => "集計",
        (None, Locale::En) => "Figures",
    }
}

/// A cell's group as text: 「営業部・30〜39歳」; 全体 / All for the whole population.
pub fn group_label(group: &BTreeMap<Dimension, String>, locale: Locale) -> String {
    if group.is_empty() {
        return whole(locale).to_string();
    }
    let sep = match locale {
        Locale::Ja => "・",
        Locale::En => ", ",
    };
    group.values().cloned().collect::<Vec<_>>().join(sep)
}

fn whole(locale: Locale) -> &'static str {
    match locale {
        Locale::Ja => "全体",
        Locale::En => "All",
    }
}

/// A table's heading. The contract's `name` is shown as it is when it reads as a title; a
/// code-like name (ASCII `snake_case`, such as `people_by_department`) is replaced by one made
/// from the table's breakdown and measures: 「部署別・人数」 / "People by department".
pub fn table_title(table: &Table, locale: Locale) -> String {
    let code_like =
        !table.name.is_empty() && table.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | ':'));
    if !code_like {
        return table.name.clone();
    }
    let mut kinds: Vec<&str> = Vec::new();
    for cell in &table.cells {
        let k = measure_kind_label(&cell.measure, locale);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    let dims: Vec<&str> = table.by.iter().map(|d| dimension_label(*d, locale)).collect();
    match locale {
        Locale::Ja => {
            let what = kinds.join("・");
            if dims.is_empty() {
                format!("全体・{what}")
            } else {
                format!("{}別・{what}", dims.join("×"))
            }
        }
        Locale::En => {
            let what = kinds.join(", ");
            if dims.is_empty() {
                format!("{what}, all")
            } else {
                format!("{what} by {}", dims.join(" × ").to_lowercase())
            }
        }
    }
}

fn people_only(table: &Table) -> bool {
    !table.cells.is_empty() && table.cells.iter().all(|c| c.measure == "people")
}

/// The share of a shown, non-`people` cell: value / n, in percent with one decimal.
fn share(cell: &Cell) -> Option<String> {
    match (cell.suppressed, cell.n, cell.value) {
        (false, Some(n), Some(v)) if n > 0 && cell.measure != "people" => Some(format!("{:.1}%", v / n as f64 * 100.0)),
        _ => None,
    }
}

/// The CSV header and rows: one row per cell, with the columns 表 (the table's `name`, as in
/// the JSON), one column per dimension used by any table (empty where a table does not break
/// down by it; 全体 in the first for the whole population), 指標, 指標コード (the contract's
/// code), 人数 (n) and 値 (value). A suppressed cell has the marker in both 人数 and 値, and no
/// number anywhere.
pub fn csv_rows(report: &OverallReport, locale: Locale) -> (Vec<String>, Vec<Vec<String>>) {
    let dims: Vec<Dimension> = Dimension::ALL.into_iter().filter(|d| report.tables.iter().any(|t| t.by.contains(d))).collect();
    let mut header = vec![match locale {
        Locale::Ja => "表",
        Locale::En => "Table",
    }
    .to_string()];
    header.extend(dims.iter().map(|d| dimension_label(*d, locale).to_string()));
    header.extend(
        match locale {
            Locale::Ja => ["指標", "指標コード", "人数", "値"],
            Locale::En => ["Measure", "Measure code", "n", "Value"],
        }
        .map(String::from),
    );
    let marker = hidden_marker(locale, report.k);
    let mut rows = Vec::new();
    for table in &report.tables {
        for cell in &table.cells {
            let mut row = vec![table.name.clone()];
            for (i, d) in dims.iter().enumerate() {
                let label = match cell.group.get(d) {
                    Some(l) => l.clone(),
                    None if i == 0 && cell.group.is_empty() => whole(locale).to_string(),
                    None => String::new(),
                };
                row.push(label);
            }
            row.push(measure_label(&cell.measure, locale));
            row.push(cell.measure.clone());
            match (cell.suppressed, cell.n, cell.value) {
                (false, Some(n), Some(v)) => {
                    row.push(n.to_string());
                    row.push(plain_number(v));
                }
                _ => {
                    row.push(marker.clone());
                    row.push(marker.clone());
                }
            }
            rows.push(row);
        }
    }
    (header, rows)
}

/// A number for a spreadsheet: no thousands separator; at most four decimals.
fn plain_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The report as a CSV file.
pub fn csv(report: &OverallReport, locale: Locale, encoding: CsvEncoding) -> Result<CsvFile, CsvError> {
    let (header, rows) = csv_rows(report, locale);
    crate::csv::write(&header, &rows, encoding)
}

fn unit(locale: Locale) -> String {
    match locale {
        Locale::Ja => "人",
        Locale::En => "people",
    }
    .to_string()
}

fn cell_value(cell: &Cell) -> Option<f64> {
    if cell.suppressed {
        None
    } else {
        cell.value
    }
}

/// The chart of one table, if it has one:
/// - no breakdown: one bar per measure other than `people` (tags, flags, themes);
/// - one dimension: one bar per group, for `people` (or the table's first measure);
/// - two dimensions: stacked bars of `people`, one bar per label of the first dimension, split
///   by the second.
///
/// The chart's id is `t{index}-…` so that several charts can share a page.
pub fn table_chart(report: &OverallReport, index: usize, locale: Locale) -> Option<Chart> {
    let table = report.tables.get(index)?;
    let title = table_title(table, locale);
    let base = |kind: ChartKind| Chart {
        id: format!("t{index}-chart"),
        title: title.clone(),
        description: Some(population_text(report, locale)),
        unit: unit(locale),
        locale,
        k: report.k,
        kind,
    };
    match table.by.as_slice() {
        [] => {
            let bars: Vec<Bar> = table
                .cells
                .iter()
                .filter(|c| c.measure != "people")
                .map(|c| Bar { label: measure_label(&c.measure, locale), value: cell_value(c) })
                .collect();
            (!bars.is_empty()).then(|| base(ChartKind::Bars(bars)))
        }
        [_] => {
            let measure =
                if table.cells.iter().any(|c| c.measure == "people") { "people".to_string() } else { table.cells.first()?.measure.clone() };
            let bars: Vec<Bar> = table
                .cells
                .iter()
                .filter(|c| c.measure == measure)
                .map(|c| Bar { label: group_label(&c.group, locale), value: cell_value(c) })
                .collect();
            (!bars.is_empty()).then(|| base(ChartKind::Bars(bars)))
        }
        [first, second] => {
            let people: Vec<&Cell> = table.cells.iter().filter(|c| c.measure == "people").collect();
            let mut outer: Vec<String> = Vec::new();
            let mut inner: Vec<String> = Vec::new();
            for c in &people {
                if let (Some(a), Some(b)) = (c.group.get(first), c.group.get(second)) {
                    if !outer.contains(a) {
                        outer.push(a.clone());
                    }
                    if !inner.contains(b) {
                        inner.push(b.clone());
                    }
                }
            }
            if outer.is_empty() {
                return None;
            }
            let bars = outer
                .iter()
                .map(|a| StackedBar {
                    label: a.clone(),
                    values: inner
                        .iter()
                        .map(|b| {
                            people
                                .iter()
                                .find(|c| c.group.get(first) == Some(a) && c.group.get(second) == Some(b))
                                .and_then(|c| cell_value(c))
                        })
                        .collect(),
                })
                .collect();
            Some(base(ChartKind::Stacked { series: inner, bars }))
        }
        _ => None,
    }
}

/// Every table's chart, in the order of the tables.
pub fn charts(report: &OverallReport, locale: Locale) -> Vec<Chart> {
    (0..report.tables.len()).filter_map(|i| table_chart(report, i, locale)).collect()
}

/// Trend lines across cycles: for each measure, its whole-population value (the cell with the
/// group `{}`) in each report, in the order given (oldest first). A cell that is missing or
/// suppressed in a report is a gap drawn as hidden. `None` with fewer than two reports.
pub fn trend_chart(reports: &[&OverallReport], measures: &[&str], locale: Locale) -> Option<Chart> {
    if reports.len() < 2 || measures.is_empty() {
        return None;
    }
    let x_labels: Vec<String> = reports.iter().map(|r| r.cycle.name.clone()).collect();
    let series = measures
        .iter()
        .map(|m| Series {
            name: measure_label(m, locale),
            values: reports
                .iter()
                .map(|r| r.tables.iter().flat_map(|t| t.cells.iter()).find(|c| c.group.is_empty() && c.measure == *m).and_then(cell_value))
                .collect(),
        })
        .collect();
    let k = reports.iter().map(|r| r.k).max().unwrap_or(0);
    Some(Chart {
        id: "trend-chart".into(),
        title: match locale {
            Locale::Ja => "サイクルごとの推移".into(),
            Locale::En => "Trend across cycles".into(),
        },
        description: None,
        unit: unit(locale),
        locale,
        k,
        kind: ChartKind::Trend { x_labels, series },
    })
}

/// One table for the PDF. A `people`-only table has the columns of its dimensions and 人数;
/// otherwise also 指標 and one figure column, 該当人数／対象人数（割合） ("12 / 40 (30.0%)"). A
/// suppressed cell shows the marker in the figure column. Where two or more cells of a group are
/// suppressed, they are one row after the group's shown ones, with the marker and the hidden
/// measures' names (「すべての指標」 / "All measures" when the whole group is hidden: a group
/// under k, and the groups hidden with it): the same cells hidden, without a row of markers per
/// measure (the 2,000-employee report had 4,007 hidden cells of 5,921).
pub fn pdf_table(report: &OverallReport, table: &Table, locale: Locale) -> PdfTable {
    let marker = hidden_marker(locale, report.k);
    let mut columns: Vec<Column> = if table.by.is_empty() {
        vec![Column::text(match locale {
            Locale::Ja => "対象",
            Locale::En => "Group",
        })]
    } else {
        table.by.iter().map(|d| Column::text(dimension_label(*d, locale))).collect()
    };
    let people = people_only(table);
    if people {
        columns.push(Column::numeric(match locale {
            Locale::Ja => "人数",
            Locale::En => "People",
        }));
    } else {
        let names = match locale {
            Locale::Ja => ["指標", "該当人数／対象人数（割合）"],
            Locale::En => ["Measure", "With it / group size (share)"],
        };
        columns.push(Column::text(names[0]));
        columns.push(Column::numeric(names[1]));
    }
    let labels = |cell: &Cell| -> Vec<PdfCell> {
        if table.by.is_empty() {
            vec![PdfCell::text(whole(locale))]
        } else {
            table.by.iter().map(|d| PdfCell::text(cell.group.get(d).cloned().unwrap_or_default())).collect()
        }
    };
    // The cells of each group, the groups in the order they first appear.
    let mut groups: Vec<(&BTreeMap<Dimension, String>, Vec<&Cell>)> = Vec::new();
    let mut group_of: std::collections::HashMap<&BTreeMap<Dimension, String>, usize> = std::collections::HashMap::new();
    for cell in &table.cells {
        match group_of.get(&cell.group) {
            Some(&i) => groups[i].1.push(cell),
            None => {
                group_of.insert(&cell.group, groups.len());
                groups.push((&cell.group, vec![cell]));
            }
        }
    }
    let sep = match locale {
        Locale::Ja => "、",
        Locale::En => ", ",
    };
    let mut rows = Vec::new();
    for (_, cells) in &groups {
        let Some(first) = cells.first() else { continue };
        let hidden: Vec<&&Cell> = cells.iter().filter(|c| c.suppressed || c.n.is_none() || c.value.is_none()).collect();
        let collapse = !people && hidden.len() > 1;
        for cell in cells.iter().filter(|c| !(collapse && hidden.iter().any(|h| std::ptr::eq(**h, **c)))) {
            let mut row = labels(cell);
            let shown = match (cell.suppressed, cell.n, cell.value) {
                (false, Some(n), Some(v)) => Some((n, v)),
                _ => None,
            };
            if people {
                row.push(match shown {
                    Some((n, _)) => PdfCell::text(format_number(n as f64)),
                    None => PdfCell::hidden(marker.clone()),
                });
            } else {
                row.push(PdfCell::text(measure_label(&cell.measure, locale)));
                row.push(match shown {
                    Some((n, v)) => {
                        let figures = format!("{} / {}", format_number(v), format_number(n as f64));
                        PdfCell::text(match share(cell) {
                            Some(share) => format!("{figures} ({share})"),
                            None => figures,
                        })
                    }
                    None => PdfCell::hidden(marker.clone()),
                });
            }
            rows.push(row);
        }
        if collapse {
            // The group's hidden measures in one row, after its shown ones: 「すべての指標」 when
            // none is shown, else their names.
            let what = if hidden.len() == cells.len() {
                match locale {
                    Locale::Ja => "すべての指標".to_string(),
                    Locale::En => "All measures".to_string(),
                }
            } else {
                hidden.iter().map(|c| measure_label(&c.measure, locale)).collect::<Vec<_>>().join(sep)
            };
            let mut row = labels(first);
            row.push(PdfCell::text(what));
            row.push(PdfCell::hidden(marker.clone()));
            rows.push(row);
        }
    }
    PdfTable { caption: None, columns, rows }
}

fn population_text(report: &OverallReport, locale: Locale) -> String {
    match (report.population.n, locale) {
        (Some(n), Locale::Ja) => format!("集計対象：承認済みの個別報告書がある従業員 {}人", format_number(n as f64)),
        (None, Locale::Ja) => format!("集計対象：承認済みの個別報告書がある従業員（{}）", hidden_marker(locale, report.k)),
        (Some(n), Locale::En) => {
            format!("Population: employees with an approved individual report, {}", format_number(n as f64))
        }
        (None, Locale::En) => {
            format!("Population: employees with an approved individual report ({})", hidden_marker(locale, report.k))
        }
    }
}

/// The date part of an RFC 3339 time, as 2026年4月1日 / 2026-04-01; the text as it is when it
/// is not one.
fn date_text(rfc3339: &str, locale: Locale) -> String {
    let date = rfc3339.get(..10).unwrap_or(rfc3339);
    let parts: Vec<&str> = date.split('-').collect();
    match (locale, parts.as_slice()) {
        (Locale::Ja, [y, m, d]) => match (m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(m), Ok(d)) => format!("{y}年{m}月{d}日"),
            _ => date.to_string(),
        },
        _ => date.to_string(),
    }
}

/// The report's facts as pairs: cycle, version, release, population, the rule of k.
pub fn summary_pairs(report: &OverallReport, locale: Locale) -> Vec<(String, String)> {
    let released = match (&report.released_at, locale) {
        (Some(at), _) => date_text(at, locale),
        (None, Locale::Ja) => "未公開（下書きのプレビュー）".into(),
        (None, Locale::En) => "Not released (draft preview)".into(),
    };
    let population = match (report.population.n, locale) {
        (Some(n), Locale::Ja) => format!(
            "{}人（{}時点で承認済みの個別報告書がある従業員）",
            format_number(n as f64),
            date_text(&report.population.as_of, locale)
        ),
        (Some(n), Locale::En) => format!(
            "{} (employees with an individual report approved by {})",
            format_number(n as f64),
            date_text(&report.population.as_of, locale)
        ),
        (None, _) => hidden_marker(locale, report.k),
    };
    match locale {
        Locale::Ja => vec![
            ("対象サイクル".into(), report.cycle.name.clone()),
            ("版".into(), format!("第{}版", report.version)),
            ("公開日".into(), released),
            ("集計対象".into(), population),
            ("匿名化の基準".into(), format!("{}人未満の集団の数値は表示しません", report.k)),
        ],
        Locale::En => vec![
            ("Cycle".into(), report.cycle.name.clone()),
            ("Version".into(), report.version.to_string()),
            ("Released".into(), released),
            ("Population".into(), population),
            ("Anonymity rule".into(), format!("No figure for a group of fewer than {} people", report.k)),
        ],
    }
}

/// What a hidden cell means, for a note under the summary.
pub fn suppression_note(report: &OverallReport, locale: Locale) -> String {
    let marker = hidden_marker(locale, report.k);
    match locale {
        Locale::Ja => format!(
            "「{marker}」は、{k}人未満の集団の数値、または表示すると他の数値との差し引きで少人数の数値がわかってしまう数値です。個人が特定されないよう、値も人数も表示していません。",
            k = report.k
        ),
        Locale::En => format!(
            "“{marker}” marks a figure for a group of fewer than {k} people, or one that would let a smaller group's figure be worked out from the others. Neither its value nor its group size is shown, so that no one can be identified.",
            k = report.k
        ),
    }
}

/// The footer of every page: the tenant and 「社外秘」 / "Confidential".
pub fn footer(tenant: &str, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{tenant}　社外秘"),
        Locale::En => format!("{tenant} · Confidential"),
    }
}

/// Narrative sections as headings (at `level`) and paragraphs; sections with empty text are
/// left out.
pub fn narrative_blocks(sections: &[(String, String)], level: u8) -> Vec<Block> {
    sections
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .flat_map(|(heading, text)| [Block::Heading { level, text: heading.clone() }, Block::Paragraph(text.clone())])
        .collect()
}

/// Every table of the report as a heading (at `level`), its chart (if it has one) and the
/// table; a table's themes (`theme:<term>`) follow it in a テーマ section of their own.
pub fn table_blocks(report: &OverallReport, locale: Locale, level: u8) -> Vec<Block> {
    let mut blocks = Vec::new();
    let is_theme = |c: &Cell| matches!(Measure::parse(&c.measure), Some(Measure::Theme(_)));
    for (i, table) in report.tables.iter().enumerate() {
        let (themes, rest): (Vec<Cell>, Vec<Cell>) = table.cells.iter().cloned().partition(is_theme);
        let rest = Table { cells: rest, ..table.clone() };
        blocks.push(Block::Heading { level, text: table_title(&rest, locale) });
        if let Some(chart) = table_chart(report, i, locale) {
            blocks.push(Block::Chart(chart));
        }
        blocks.push(Block::Table(pdf_table(report, &rest, locale)));
        if !themes.is_empty() {
            let themes = Table { cells: themes, ..table.clone() };
            blocks.push(Block::Heading { level, text: table_title(&themes, locale) });
            blocks.push(Block::Table(pdf_table(report, &themes, locale)));
        }
    }
    blocks
}

/// The title: 全体報告書（2025年度） / Overall report: FY2025.
pub fn title(report: &OverallReport, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("全体報告書（{}）", report.cycle.name),
        Locale::En => format!("Overall report: {}", report.cycle.name),
    }
}

/// The line under the title.
pub fn subtitle(report: &OverallReport, locale: Locale) -> String {
    let released = report.released_at.as_deref().map(|a| date_text(a, locale));
    match (locale, released) {
        (Locale::Ja, Some(at)) => format!("第{}版・{at}公開・{}", report.version, report.tenant),
        (Locale::Ja, None) => format!("第{}版（未公開）・{}", report.version, report.tenant),
        (Locale::En, Some(at)) => format!("Version {}, released {at}, {}", report.version, report.tenant),
        (Locale::En, None) => format!("Version {} (not released), {}", report.version, report.tenant),
    }
}

/// The PDF's document: title, summary, the note on hidden figures, the narrative sections
/// (`(heading, text)`, as the consultants wrote them), then every table with its chart;
/// `trend` (from [`trend_chart`]) goes before the tables.
pub fn document(report: &OverallReport, sections: &[(String, String)], trend: Option<Chart>, locale: Locale) -> Document {
    let mut blocks = vec![Block::KeyValues(summary_pairs(report, locale)), Block::Note(suppression_note(report, locale))];
    let narrative = narrative_blocks(sections, 2);
    if !narrative.is_empty() {
        blocks.push(Block::Heading {
            level: 1,
            text: match locale {
                Locale::Ja => "所見",
                Locale::En => "Findings",
            }
            .into(),
        });
        blocks.extend(narrative);
    }
    blocks.push(Block::Heading {
        level: 1,
        text: match locale {
            Locale::Ja => "集計",
            Locale::En => "Figures",
        }
        .into(),
    });
    if let Some(trend) = trend {
        blocks.push(Block::Chart(trend));
    }
    // A printed report keeps the department tables to the top-level departments: at 100,000
    // employees every level makes a thousand pages. The lower levels are in the CSV and, a level
    // at a time, on the report's page.
    if domain::breakdown::departments_with_children(report).is_empty() {
        blocks.extend(table_blocks(report, locale, 2));
    } else {
        blocks.push(Block::Note(top_level_note(locale).into()));
        blocks.extend(table_blocks(&domain::breakdown::at_department(report, None), locale, 2));
    }
    Document {
        locale,
        title: title(report, locale),
        subtitle: Some(subtitle(report, locale)),
        footer: footer(&report.tenant, locale),
        blocks,
    }
}

/// Said above the tables of a PDF whose department tables stop at the top level.
pub fn top_level_note(locale: Locale) -> &'static str {
    match locale {
        Locale::Ja => "部署別の表には最上位の部署のみを載せています。下位の部署の数値は、画面の部署別の表示（部署名から下の階層へ）またはCSVでご覧ください。",
        Locale::En => "The department tables list the top-level departments only. The figures of the departments below them are on the report's page (follow a department's name down) and in the CSV.",
    }
}

/// [`document`] rendered to PDF bytes.
pub fn pdf(
    renderer: &crate::pdf::Renderer,
    report: &OverallReport,
    sections: &[(String, String)],
    trend: Option<Chart>,
    locale: Locale,
) -> Result<Vec<u8>, crate::pdf::PdfError> {
    renderer.render(&document(report, sections, trend, locale))
}
