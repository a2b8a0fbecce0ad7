//! Exact ages in a text (「30歳」「（満３４才）」「三十四歳」) and the decade that replaces them.

use super::fold::Folded;
use super::index::{Candidate, Who};

/// Right after an age, words that make it a bound, a band or a difference rather than someone's
/// age (30歳以上, 30歳代, 3歳年上, 2歳差): left alone.
const AGE_NOT_AN_AGE: &[&str] = &["以上", "以下", "未満", "超", "代", "台", "前後", "差", "年上", "年下", "上の", "下の", "違い", "若"];
pub(super) const KANJI_DIGITS: &str = "〇一二三四五六七八九";
/// Kanji that, right before a kanji number, make it part of a bigger one (百二十歳) or a word (万歳).
const KANJI_NUMBER_CHARS: &str = "〇一二三四五六七八九十百千万億";

/// Exact ages, as candidates over the original text: an optional 満, a number (1–3 digits, or
/// kanji up to 九十九), 歳 or 才, and a 半 after it; not a bound, band or difference.
pub(super) fn ages(text: &str, folded: &Folded) -> Vec<Candidate> {
    let norm = folded.text.as_str();
    let mut out = Vec::new();
    let mut units: Vec<(usize, &str)> = norm.match_indices('歳').chain(norm.match_indices('才')).collect();
    units.sort_unstable();
    for (at, c) in units {
        let before = &norm[..at];
        let digits = before.bytes().rev().take_while(u8::is_ascii_digit).count();
        let (number_start, years) = if digits > 0 {
            let start = at - digits;
            if digits > 3 || before[..start].ends_with(['.', ',']) {
                continue;
            }
            match before[start..].parse::<u32>() {
                Ok(years) => (start, years),
                Err(_) => continue,
            }
        } else {
            let kanji: usize = before.chars().rev().take_while(|&k| KANJI_DIGITS.contains(k) || k == '十').map(char::len_utf8).sum();
            let start = at - kanji;
            if kanji == 0 || before[..start].ends_with(|k: char| KANJI_NUMBER_CHARS.contains(k)) {
                continue;
            }
            match kanji_number(&before[start..]) {
                Some(years) => (start, years),
                None => continue,
            }
        };
        let mut end = at + c.len();
        if AGE_NOT_AN_AGE.iter().any(|w| text[folded.orig[end]..].starts_with(w)) {
            continue;
        }
        if norm[end..].starts_with('半') {
            end += '半'.len_utf8();
        }
        // 満30歳, but not the 満 ending 不満, 未満, 円満 ….
        let man = before[..number_start].strip_suffix('満').filter(|b| !b.ends_with(|k: char| "不未充円肥豊干飽".contains(k)));
        let start = man.map_or(number_start, str::len);
        out.push(Candidate { start: folded.orig[start], end: folded.orig[end], full: false, bare: false, who: Who::Age(years) });
    }
    out
}

/// 三十四 → 34, 二十 → 20, 十五 → 15, 三四 and 三〇 → 34 and 30; None for anything else,
/// including a leading 〇 (〇〇歳 is a placeholder, not an age).
pub(super) fn kanji_number(s: &str) -> Option<u32> {
    let digit = |c: char| KANJI_DIGITS.chars().position(|d| d == c).map(|p| p as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|&c| c == '十') {
        Some(ten) => {
            let tens = match ten {
                0 => 1,
                1 => digit(chars[0]).filter(|&d| d >= 1)?,
                _ => return None,
            };
            let ones = match &chars[ten + 1..] {
                [] => 0,
                [one] => digit(*one).filter(|&d| d >= 1)?,
                _ => return None,
            };
            Some(tens * 10 + ones)
        }
        None if (1..=3).contains(&chars.len()) && chars[0] != '〇' => chars.iter().try_fold(0, |n, &c| Some(n * 10 + digit(c)?)),
        None => None,
    }
}

/// The decade replacing an exact age: 34 → 30代, 15 → 10代, 7 → 10歳未満, 70 and over → 70代以上
/// (as [`age_band`], where so few people remain that the decade names them).
pub(super) fn age_decade(years: u32) -> String {
    match years {
        0..=9 => "10歳未満".to_owned(),
        10..=69 => format!("{}代", years / 10 * 10),
        _ => "70代以上".to_owned(),
    }
}
