//! Exports of the aggregate reports (issue 9, item 5): CSV, SVG charts and PDF.
//!
//! - [`charts`]: deterministic SVG (the same input gives the same bytes) drawn with plotters:
//!   bars, stacked bars and trend lines, with a `<title>` and `<desc>` for screen readers. The
//!   same SVG is inlined in HTML and placed in the PDF.
//! - [`pdf`]: a small document model ([`pdf::Document`]) rendered through typst, as a library,
//!   to PDF bytes, with Japanese fonts from Debian's `fonts-noto-cjk` read at run time. Every
//!   piece of text in the model reaches typst as a string literal, never as markup.
//! - [`csv`]: tables written as CSV in UTF-8 with a BOM or in CP932, with formula-injection
//!   protection.
//! - [`overall`]: the overall report (`domain::overall_report::OverallReport`) as CSV, charts
//!   and a PDF document; its building blocks serve the management report too.
//!
//! A suppressed cell (one the anonymity engine hid) is shown as 「非表示（k人未満）」 /
//! "Hidden (fewer than k)" in every format and never carries its value or its `n`: the
//! exports only ever see the released value, in which such a cell has neither.

pub mod charts;
pub mod csv;
pub mod management;
pub mod overall;
pub mod pdf;
mod text;

pub use domain::locale::Locale;
pub use text::{format_number, hidden_marker};

/// A file name for a download: `{stem}-{cycle}-v{version}.{ext}`, the cycle's name
/// as it is (for `filename*`) and with everything but ASCII letters, digits, `-` and `_` taken
/// out (the ASCII fallback).
pub fn file_names(stem: &str, cycle: &str, version: i64, ext: &str) -> (String, String) {
    let full = format!("{stem}-{cycle}-v{version}.{ext}");
    let ascii_cycle: String = cycle.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    let ascii = if ascii_cycle.is_empty() { format!("{stem}-v{version}.{ext}") } else { format!("{stem}-{ascii_cycle}-v{version}.{ext}") };
    (ascii, full)
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_have_an_ascii_fallback() {
        let (a, f) = super::file_names("overall-report", "2025年度", 2, "pdf");
        assert_eq!(a, "overall-report-2025-v2.pdf");
        assert_eq!(f, "overall-report-2025年度-v2.pdf");
        let (a, _) = super::file_names("overall-report", "年度", 1, "csv");
        assert_eq!(a, "overall-report-v1.csv");
    }
}
