//! What the fuzz targets share: the fixed dates they parse against, structured fragments, and
//! (from the domain, shared with the engine's property tests) the exact rational check of which
//! groups of people a set of released member sets lets a reader isolate.

use chrono::NaiveDate;

/// The date the parsers are given as "today" (birth years, answer dates in the future).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

pub use domain::anonymity::exact::Space;

pub use libfuzzer_sys::arbitrary::{self, Unstructured};

/// A short text for a structured target: mostly one of the fragments the parsers care about
/// (codes, reserved names, spaces, line breaks, full-width and invisible characters, texts at
/// and past the length limits), sometimes any string the input spells.
pub fn fragment(u: &mut Unstructured, pool: &[&str]) -> String {
    const COMMON: [&str; 16] = ["", " ", "　", "\n", "\r\n", "\t", "\u{feff}", "\u{200b}", "a", "Ａ", "ｱ", "-", "_", "0", "あ", "\u{0}"];
    match u.int_in_range(0u8..=9).unwrap_or(0) {
        0..=4 => pool.get(u.choose_index(pool.len().max(1)).unwrap_or(0)).copied().unwrap_or("").to_string(),
        5 | 6 => COMMON.get(u.choose_index(COMMON.len()).unwrap_or(0)).copied().unwrap_or("").to_string(),
        7 => {
            // Around the text limits (30..300 characters, 1,000..1,500 for instructions).
            let unit = ["あ", "a", " ", "\u{1F600}"][usize::from(u.int_in_range(0u8..=3).unwrap_or(0))];
            let n =
                [29usize, 30, 31, 40, 41, 60, 61, 80, 81, 120, 121, 200, 201, 300, 301, 1000, 1001, 1501][u.choose_index(18).unwrap_or(0)];
            unit.repeat(n)
        }
        _ => u.arbitrary::<String>().unwrap_or_default(),
    }
}
