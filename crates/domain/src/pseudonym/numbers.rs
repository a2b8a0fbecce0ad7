//! Employee numbers in the text: the register's numbers as written there (「E00123」), in any
//! case and width (「ｅ００１２３」), and without the prefix or the leading zeros (「00123」
//! 「E123」「123」) — but never a number that is no employee's, and never an everyday number
//! that only looks like a short one (「3回目」「2026年」).
//!
//! A spelling is masked wherever it stands (as a whole word of letters, digits, 「-」 and 「_」)
//! when it cannot be an everyday number: letters and digits (4 characters or more), digits with
//! a leading zero (4 or more), or 6 digits or more not followed by a counter (年, 円, 件 …, a
//! kanji or katakana, 「%」) nor part of a decimal or an amount. Any other spelling of a
//! register number (「123」, 「E12」) is masked only where the text says it is an employee
//! number: right after 社員番号, 社番, 従業員番号, 職員番号, 社員ID, Employee No. …, or after
//! another masked number in a list (「社員番号 12、15」).

use super::fold::Folded;
use super::index::hash_of;
use std::collections::HashMap;

/// Words that say an employee number follows; each may be followed by 「no」「id」「#」 etc.
const JA_HEADS: &[&str] = &["社員", "従業員", "職員"];
const JA_TAILS: &[&str] = &["番号", "no", "id", "コード", "cd", "#", "num"];
const LATIN_HEADS: &[&str] = &["employee", "emp", "staff"];
const LATIN_TAILS: &[&str] = &["number", "no", "id", "#", "code", "num", "nr"];
/// Cue words complete in themselves.
const WHOLE_CUES: &[&str] = &["社番", "社員番号", "従業員番号", "職員番号"];
/// Between a cue and the number: 「社員番号：E0123」「社員番号は 123」「Employee No. 123」
/// (as folded: hiragana are katakana there).
const CUE_GAP: &[char] = &[' ', '\u{3000}', '\t', ':', '#', '(', '[', '「', '『', '【', '〔', '=', '.', 'ハ', 'ガ', '-', '/'];
const MAX_CUE_GAP: usize = 4;
/// Between two numbers of a list: 「12、15」「12, 15 and 17」「12・15」「12と15」 (as folded).
const LIST_GAP: &[char] = &[' ', '\u{3000}', '\t', '、', ',', '/', '・', 'ト', '及', 'ビ', '&', 'a', 'n', 'd', '(', ')'];
const MAX_LIST_GAP: usize = 5;
/// Right after a number, what makes it a count, a date or an amount: 3回目, 2026年, 100000円.
const COUNTERS: &str =
    "年月日回件円人名歳才時分秒%％万億千百十個本枚点位度階週代号期台冊社歩倍割番条項章頁行列箇ヶかカケ等級次周席杯問校科通泊連局品式型";

/// The register's employee numbers by spelling (its hash, [`hash_of`] the lower-case spelling):
/// true where the spelling is masked wherever it stands, false where only after a cue.
#[derive(Default)]
pub(super) struct Numbers {
    spellings: HashMap<u64, bool>,
}

/// A word of the folded text that may be a number: letters, digits, 「-」 and 「_」.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

/// Whether a spelling (its parts, one after the other) can be masked wherever it stands.
fn stands_alone(parts: &[&str]) -> bool {
    let bytes = || parts.iter().flat_map(|p| p.bytes());
    let len = bytes().count();
    let digits = bytes().filter(u8::is_ascii_digit).count();
    let letters = bytes().filter(u8::is_ascii_alphabetic).count();
    let leading_zero = bytes().next() == Some(b'0');
    digits > 0 && ((letters > 0 && len >= 4) || (digits == len && (len >= 6 || (leading_zero && len >= 4))))
}

impl Numbers {
    /// How many spellings are indexed.
    pub(super) fn len(&self) -> usize {
        self.spellings.len()
    }

    /// Indexes the spellings of one register number: as written, without its leading zeros,
    /// without its prefix (the letters and signs before the first digit), and without both.
    pub(super) fn add(&mut self, number: &str) {
        // Register numbers are ASCII already (EmployeeNumber folds them); anything else is
        // folded here, as the text will be.
        let folded;
        let number = if number.bytes().all(|b| is_word_byte(b.to_ascii_lowercase())) {
            number
        } else {
            folded = super::fold::fold(number).text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            folded.as_str()
        };
        if number.is_empty() || !number.bytes().all(|b| is_word_byte(b.to_ascii_lowercase())) {
            return;
        }
        let mut put = |parts: &[&str]| {
            let alone = stands_alone(parts);
            *self.spellings.entry(hash_of(parts)).or_insert(alone) |= alone;
        };
        put(&[number]);
        let Some(at) = number.bytes().position(|b| b.is_ascii_digit()) else { return };
        let (prefix, rest) = number.split_at(at);
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, suffix) = rest.split_at(digits);
        let trimmed = digits.trim_start_matches('0');
        let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
        if trimmed != digits {
            put(&[prefix, trimmed, suffix]);
        }
        if !prefix.is_empty() {
            put(&[digits, suffix]);
            if trimmed != digits {
                put(&[trimmed, suffix]);
            }
        }
    }

    /// Whether `spelling` is indexed, and if so whether it stands alone.
    fn get(&self, spelling: &str) -> Option<bool> {
        self.spellings.get(&hash_of(&[spelling])).copied()
    }

    /// The spans (in the original text) of the employee numbers in `text`. `named` marks the
    /// bytes of the original already chosen to be masked as names: a counter there is not one.
    pub(super) fn find(&self, text: &str, folded: &Folded, named: &[bool]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        if self.spellings.is_empty() {
            return out;
        }
        let norm = folded.text.as_bytes();
        let mut last_end: Option<usize> = None;
        let mut i = 0;
        while i < norm.len() {
            if !is_word_byte(norm[i]) || (i > 0 && is_word_byte(norm[i - 1])) {
                i += 1;
                continue;
            }
            let mut start = i;
            while i < norm.len() && is_word_byte(norm[i]) {
                i += 1;
            }
            let mut end = i;
            // 「-E0123-」: signs around a word are not part of it.
            while start < end && matches!(norm[start], b'-' | b'_') {
                start += 1;
            }
            while end > start && matches!(norm[end - 1], b'-' | b'_') {
                end -= 1;
            }
            let word = &folded.text[start..end];
            if !word.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            // After a cue, any spelling is a number; in a list after one, any spelling that is not
            // a count, a date or an amount (「社員番号 12、3回目」: 3 is a count).
            let cued = cue_before(&folded.text[..start]);
            let listed = !cued && last_end.is_some_and(|l| list_gap(&folded.text[l..start]));
            let mut found = Vec::new();
            if self.matches(word, cued || listed) && (cued || self.plain_number_fits(text, folded, named, start, end)) {
                found.push((start, end));
            } else if word.bytes().any(|b| b.is_ascii_lowercase()) {
                // 「E0123-E0124」「A-0789-2」: the longest runs of pieces that are numbers.
                let mut pieces = Vec::new();
                let mut at = start;
                for piece in word.split(['-', '_']) {
                    pieces.push((at, at + piece.len()));
                    at += piece.len() + 1;
                }
                let mut p = 0;
                while p < pieces.len() {
                    let longest = (p..pieces.len()).rev().find(|&q| self.matches(&folded.text[pieces[p].0..pieces[q].1], cued));
                    match longest {
                        Some(q) => {
                            found.push((pieces[p].0, pieces[q].1));
                            p = q + 1;
                        }
                        None => p += 1,
                    }
                }
            }
            for (s, e) in found {
                out.push((folded.orig[s], folded.orig[e]));
                last_end = Some(e);
            }
        }
        out
    }

    fn matches(&self, spelling: &str, cued: bool) -> bool {
        self.get(spelling).is_some_and(|alone| alone || cued)
    }

    /// A spelling of digits only, standing without a cue, is a number only if nothing around it
    /// makes it a count, a date, an amount or a decimal.
    fn plain_number_fits(&self, text: &str, folded: &Folded, named: &[bool], start: usize, end: usize) -> bool {
        let norm = folded.text.as_str();
        if !norm[start..end].bytes().all(|b| b.is_ascii_digit()) {
            return true;
        }
        let before = norm[..start].chars().next_back();
        let after = norm[end..].chars().next();
        let digit_beyond = |s: &str| s.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
        if before.is_some_and(|c| "¥￥$€£".contains(c))
            || (matches!(before, Some('.' | ',')) && norm[..start].chars().rev().nth(1).is_some_and(|c| c.is_ascii_digit()))
        {
            return false;
        }
        if matches!(after, Some('.' | ',')) && digit_beyond(&norm[end..]) {
            return false;
        }
        let Some(next) = after else { return true };
        let at = folded.orig[end];
        if named.get(at).copied().unwrap_or(false) {
            return true;
        }
        let original = text[at..].chars().next().unwrap_or(next);
        !(COUNTERS.contains(next) || COUNTERS.contains(original) || is_kanji(next) || super::fold::is_katakana_or_half(original))
    }
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Whether the folded text before a number ends with a cue (社員番号, Employee No. …) and at most
/// a few characters of [`CUE_GAP`].
fn cue_before(before: &str) -> bool {
    let trimmed = before.trim_end_matches(CUE_GAP);
    let gap = &before[trimmed.len()..];
    if gap.chars().count() > MAX_CUE_GAP {
        return false;
    }
    if WHOLE_CUES.iter().any(|c| trimmed.ends_with(c)) {
        return true;
    }
    // 「社員#15」「Emp#15」: the 「#」 went with the gap.
    let tails = |list: &'static [&'static str]| list.iter().copied().chain(gap.contains('#').then_some(""));
    for tail in tails(JA_TAILS) {
        if let Some(head) = trimmed.strip_suffix(tail) {
            if JA_HEADS.iter().any(|h| head.ends_with(h)) {
                return true;
            }
        }
    }
    for tail in tails(LATIN_TAILS) {
        let Some(head) = trimmed.strip_suffix(tail) else { continue };
        let head = head.trim_end_matches([' ', '.', '-', '_']);
        for h in LATIN_HEADS {
            if let Some(rest) = head.strip_suffix(h) {
                if !rest.ends_with(|c: char| c.is_ascii_alphanumeric()) {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether what lies between two numbers makes them one list (「12、15」「12 and 15」).
fn list_gap(gap: &str) -> bool {
    let chars = gap.chars().count();
    chars > 0 && chars <= MAX_LIST_GAP && gap.chars().all(|c| LIST_GAP.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::super::fold::fold;
    use super::*;

    fn numbers(list: &[&str]) -> Numbers {
        let mut n = Numbers::default();
        for number in list {
            n.add(number);
        }
        n
    }

    fn found(n: &Numbers, text: &str) -> Vec<String> {
        let folded = fold(text);
        n.find(text, &folded, &vec![false; text.len()]).into_iter().map(|(s, e)| text[s..e].to_owned()).collect()
    }

    #[test]
    fn employee_number_spellings() {
        let n = numbers(&["E00123", "0456", "100234", "15", "A-0789"]);
        for (spelling, alone) in [
            ("e00123", true),
            ("e123", true),
            ("00123", true),
            ("123", false),
            ("0456", true),
            ("456", false),
            ("100234", true),
            ("15", false),
            ("a-0789", true),
            ("a-789", true),
            ("0789", true),
            ("789", false),
        ] {
            assert_eq!(n.get(spelling), Some(alone), "{spelling}");
        }
        assert_eq!(n.get("2026"), None);
        assert_eq!(n.get("E00123"), Some(true), "any case");
        assert_eq!(n.len(), 12);
    }

    #[test]
    fn employee_numbers_are_found_in_any_case_and_width() {
        let n = numbers(&["E00123", "0456", "100234"]);
        assert_eq!(found(&n, "E00123さんとe00123、Ｅ００１２３"), ["E00123", "e00123", "Ｅ００１２３"]);
        assert_eq!(found(&n, "番号００１２３の件。E123。0456と１００２３４"), ["００１２３", "E123", "0456", "１００２３４"]);
        assert_eq!(found(&n, "E00123-E0456"), ["E00123"]);
        assert_eq!(found(&n, "社員番号E0\u{200B}0123"), ["E0\u{200B}0123"]);
        // Not inside a longer word.
        assert!(found(&n, "XE00123 E001234 e00123x 1000234").is_empty());
    }

    #[test]
    fn short_numbers_only_after_a_cue() {
        let n = numbers(&["E00123", "E00003", "E02026", "15", "100234"]);
        assert!(found(&n, "3回目の面談、2026年度、123件、15名、第3四半期、3歳、100234円、0.100234、¥100234").is_empty());
        assert_eq!(found(&n, "社員番号 123 と 社員番号：3、社番15"), ["123", "3", "15"]);
        assert_eq!(found(&n, "社員番号は3。従業員No.2026、職員ID#15"), ["3", "2026", "15"]);
        assert_eq!(found(&n, "Employee No. 123, employee-id 3, Emp#15, staff number 2026"), ["123", "3", "15", "2026"]);
        assert_eq!(found(&n, "社員番号 123、3、15 と 2026 の4名"), ["123", "3", "15", "2026"]);
        assert_eq!(found(&n, "社員番号 123、3回目の面談"), ["123"]);
        // A cue that is part of another word, or too far, is none.
        assert!(found(&n, "temployee no 3、社員番号の一覧 3").is_empty());
        // Numbers that are no one's are never masked.
        assert!(found(&n, "社員番号 999、社員番号 E99999").is_empty());
    }
}
