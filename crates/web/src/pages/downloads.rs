//! Downloads of released aggregate reports (issue 9, item 5): the overall report and the
//! management report as PDF and CSV, drawn by `careerdock-export`. The routes take the same
//! operation and record-level check as reading the page (the store's read, audited as a read);
//! a draft, another tenant's version or a missing one all answer 404 alike.

use crate::error::{AppError, AppResult};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use domain::management_report::ManagementReportDoc;
use domain::overall_narrative::{Narrative, SECTIONS};
use domain::overall_report::{Measure, OverallReport};
use domain::Locale;
use export::charts::Chart;
use export::csv::CsvEncoding;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::collections::HashMap;

/// What `filename*=UTF-8''…` leaves as it is (RFC 8187's attr-char).
const ATTR: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The consultants' narrative as (heading, text) pairs in `locale`.
pub fn sections(n: &Narrative, locale: Locale) -> Vec<(String, String)> {
    SECTIONS
        .iter()
        .map(|s| ((if locale == Locale::Ja { s.label_ja } else { s.label_en }).to_string(), n.get(s.field).to_string()))
        .collect()
}

/// A tag measure as the PDF prints it: `tag:<code>` becomes `tag:<the tenant's label>`, so that
/// the PDF (which prints the name after `tag:`) says 「キャリアの方向性」, not `career_direction`.
/// For the PDF only: the CSV keeps the contract's codes.
fn tag_named(code: &str, labels: &HashMap<String, String>) -> Option<String> {
    match Measure::parse(code) {
        Some(Measure::Tag(c)) => labels.get(&c).map(|l| format!("tag:{l}")),
        _ => None,
    }
}

/// The report with its tag measures named by the tenant's labels (see [`tag_named`]).
pub fn overall_tags_named(report: &OverallReport, labels: &HashMap<String, String>) -> OverallReport {
    let mut out = report.clone();
    for cell in out.tables.iter_mut().flat_map(|t| t.cells.iter_mut()) {
        if let Some(named) = tag_named(&cell.measure, labels) {
            cell.measure = named;
        }
    }
    out
}

/// A management report's figures named as [`overall_tags_named`] names the overall report's (for
/// its PDF and its CSV, whose one column of items has no room for a code).
pub fn management_tags_named(doc: &ManagementReportDoc, labels: &HashMap<String, String>) -> ManagementReportDoc {
    let mut out = doc.clone();
    for f in &mut out.figures {
        if let Some(named) = tag_named(&f.measure, labels) {
            f.measure = named;
        }
    }
    out
}

/// The measures the trend chart follows across cycles.
pub fn trend_measures() -> [String; 3] {
    [Measure::People.code(), Measure::LifeSafety.code(), Measure::OrganizationalResponse.code()]
}

/// The trend across the earlier cycles' releases and this one; `None` with no earlier release.
pub fn trend(earlier: &[OverallReport], this: &OverallReport, locale: Locale) -> Option<Chart> {
    let all: Vec<&OverallReport> = earlier.iter().chain(std::iter::once(this)).collect();
    let measures = trend_measures();
    let refs: Vec<&str> = measures.iter().map(String::as_str).collect();
    export::overall::trend_chart(&all, &refs, locale)
}

/// `?encoding=` of a CSV download: UTF-8 with a BOM unless `cp932` (or `sjis`, `shift_jis`).
pub fn encoding(raw: Option<&str>) -> CsvEncoding {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "encoding")
        .and_then(|(_, v)| CsvEncoding::parse(&v))
        .unwrap_or_default()
}

/// Renders a document to PDF off the async threads.
pub async fn render_pdf(doc: export::pdf::Document) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        let renderer = export::pdf::Renderer::shared().map_err(|e| AppError::Internal(format!("pdf fonts: {e}")))?;
        renderer.render(&doc).map_err(|e| AppError::Internal(format!("pdf: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("pdf task: {e}")))?
}

/// An attachment: the type, `Content-Disposition` with an ASCII fallback name and the UTF-8 name.
pub fn attachment(bytes: Vec<u8>, content_type: &str, names: (String, String)) -> AppResult<Response> {
    let (ascii, full) = names;
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(&full, ATTR));
    let ct = HeaderValue::from_str(content_type).map_err(|e| AppError::Internal(format!("content-type: {e}")))?;
    let cd = HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(format!("content-disposition: {e}")))?;
    Ok(([(header::CONTENT_TYPE, ct), (header::CONTENT_DISPOSITION, cd)], bytes).into_response())
}

/// A chart as a page shows it: the SVG inline (with its own `<title>` and `<desc>`) and the
/// same data as text under it.
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub summary: String,
}

/// A chart drawn for a page; a chart that cannot be drawn is left out (its table is on the
/// page anyway).
pub fn chart_view(chart: &Chart) -> Option<ChartView> {
    let svg = chart.svg().map_err(|e| tracing::warn!("chart {}: {e}", chart.id)).ok()?;
    Some(ChartView { id: format!("{}-figure", chart.id), title: chart.title.clone(), svg, summary: chart.summary() })
}

/// A download link.
pub struct DownloadLink {
    pub href: String,
    pub label: String,
}

/// The PDF and the two CSV links of a released version at `base` (…/{id}).
pub fn links(t: crate::i18n::Tr, base: &str) -> Vec<DownloadLink> {
    vec![
        DownloadLink { href: format!("{base}/report.pdf"), label: t.get("dl-pdf") },
        DownloadLink { href: format!("{base}/report.csv"), label: t.get("dl-csv-utf8") },
        DownloadLink { href: format!("{base}/report.csv?encoding=cp932"), label: t.get("dl-csv-cp932") },
    ]
}

/// The management report's charts from what its page shows: the whole population's figures
/// (people concerned by each tag and flag) and, with two cycles or more, the shares of the two
/// flags across cycles.
pub fn management_charts(
    t: crate::i18n::Tr,
    words: &super::overall_reports::Words,
    doc: &domain::management_report::ManagementReportDoc,
    trends: &[domain::management_report::TrendPoint],
) -> Vec<ChartView> {
    use export::charts::{Bar, ChartKind, Series};
    let locale = t.locale;
    let k = doc.overall_report.k;
    let people = match locale {
        Locale::Ja => "人",
        Locale::En => "people",
    };
    let mut out = Vec::new();
    let bars: Vec<Bar> = doc
        .figures
        .iter()
        .filter(|f| f.measure != "people")
        .map(|f| Bar { label: words.measure(&f.measure), value: if f.suppressed { None } else { f.value } })
        .collect();
    if !bars.is_empty() {
        let chart = Chart {
            id: "mr-figures".into(),
            title: t.get("mr-chart-figures"),
            description: None,
            unit: people.into(),
            locale,
            k,
            kind: ChartKind::Bars(bars),
        };
        out.extend(chart_view(&chart));
    }
    if trends.len() >= 2 {
        let pct = |v: Option<f64>| v.map(|s| (s * 1000.0).round() / 10.0);
        let series = vec![
            Series { name: words.measure(&Measure::LifeSafety.code()), values: trends.iter().map(|p| pct(p.life_safety)).collect() },
            Series {
                name: words.measure(&Measure::OrganizationalResponse.code()),
                values: trends.iter().map(|p| pct(p.organizational_response)).collect(),
            },
        ];
        let chart = Chart {
            id: "mr-trend".into(),
            title: t.get("mr-chart-trend"),
            description: None,
            unit: "%".into(),
            locale,
            k,
            kind: ChartKind::Trend { x_labels: trends.iter().map(|p| p.cycle.name.clone()).collect(), series },
        };
        out.extend(chart_view(&chart));
    }
    out
}

/// A CSV's `Content-Type`.
pub fn csv_type(e: CsvEncoding) -> String {
    format!("text/csv; charset={}", e.charset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disposition_has_both_names() {
        let r = attachment(b"x".to_vec(), "application/pdf", export::file_names("overall-report", "2025年度", 1, "pdf"));
        let r = r.ok().map(|r| r.headers().get(header::CONTENT_DISPOSITION).cloned());
        let v = r.flatten().map(|v| v.to_str().unwrap_or("").to_string()).unwrap_or_default();
        assert_eq!(v, "attachment; filename=\"overall-report-2025-v1.pdf\"; filename*=UTF-8''overall-report-2025%E5%B9%B4%E5%BA%A6-v1.pdf");
    }

    #[test]
    fn encodings_from_the_query() {
        assert_eq!(encoding(Some("encoding=cp932")), CsvEncoding::Cp932);
        assert_eq!(encoding(None), CsvEncoding::Utf8Bom);
        assert_eq!(encoding(Some("encoding=latin1")), CsvEncoding::Utf8Bom);
    }
}
