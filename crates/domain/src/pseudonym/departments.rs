//! Department names: which spellings of a tenant's departments are indexed, and when a match in
//! the text stands as the name of a department rather than as part of another word.

use super::fold::{compact, fold, is_katakana_or_half, Folded};
use super::index::Hit;

/// A department name (the last segment of its path) is indexed on its own only with at least
/// this many characters: 人事, 総務, 営業, 本社 are everyday words.
const MIN_DEPARTMENT_CHARS: usize = 3;

/// Endings that make a segment the name of an organisational unit. A segment without one
/// (人材開発, マーケティング, 経営層, 管理職) reads as an everyday word and is not indexed on its
/// own. The Latin endings count only after a non-letter (営業1G, 開発 Team; not Marketing).
const UNIT_ENDINGS: &str = "部 課 室 係 班 局 所 店 社 院 科 署 庁 工場 センター チーム グループ ユニット セクション オフィス ラボ";
const LATIN_UNIT_ENDINGS: &str = "g gr grp team group unit section office dept div lab";

/// Unit names that are everyday words: a segment equal to one of them is not indexed on its own
/// (its full path still is). A segment ending in 部門 (人事部門, 営業部門) names a function rather
/// than a unit and is skipped the same way.
const GENERIC_UNITS: &str = concat!(
    "事業部 事業所 営業所 研究所 事務所 出張所 事務局 子会社 親会社 関連会社 関係会社 グループ会社 ",
    "センター グループ チーム ユニット セクション オフィス ",
    "会議室 面談室 応接室 相談室 医務室 保健室 研究室 休憩室 ",
);

/// For a department name ending in the first character, the characters that, right after it,
/// show it is part of another word: 人事部|門, 開発課|題, 営業所|属, 研究室|内. Not applied where
/// another department name follows (製造本部品質保証部 is a path). A numbered 部 is indexed as a
/// 部門 too (第一営業部門 is that department).
#[rustfmt::skip]
const DEPARTMENT_BREAKS: &[(char, &str)] = &[
    ('部', "門分品材署隊位屋類"), ('課', "題程金税外目徴"), ('室', "内外温"),
    ('所', "得属有在要感見定"), ('局', "面所地"), ('係', "数争"), ('科', "目学"),
];

/// Between two department names, what makes them one path (営業本部/第一営業部, 営業本部　第一営業部):
/// up to three of these, and the two get a single label.
pub(super) const DEPARTMENT_JOINERS: &[char] = &[' ', '\u{3000}', '\t', '/', '／'];
pub(super) const MAX_JOINERS: usize = 3;

/// The spellings under which a department, given as a path or a name, is indexed: its full path
/// and, if it is the specific name of a unit, its last segment; each folded as the text will be,
/// with and without inner spaces.
pub(super) fn department_forms(raw: &str) -> Vec<String> {
    let segments: Vec<&str> = raw.split(['/', '／']).map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut out = Vec::new();
    let Some(last) = segments.last() else { return out };
    let mut spellings = |s: &str| {
        out.push(fold(s).text.trim().to_owned());
        out.push(compact(s));
    };
    if specific_unit(last) {
        spellings(last);
        // A numbered 部 is that department also as a 部門 (第一営業部門), which 人事部門 is not.
        let numbered = last
            .strip_prefix('第')
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
        if numbered && last.ends_with('部') {
            spellings(&format!("{last}門"));
        }
    }
    if segments.len() > 1 {
        spellings(&segments.join("/"));
    }
    out.retain(|f| !f.is_empty());
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether a path segment names a unit specifically enough to be masked wherever it stands
/// (see [`NameIndex::with_departments`]).
pub(super) fn specific_unit(segment: &str) -> bool {
    let form = compact(segment);
    let spaced = fold(segment).text;
    let spaced = spaced.trim();
    let unit_word = UNIT_ENDINGS.split_whitespace().any(|e| form.ends_with(e))
        || LATIN_UNIT_ENDINGS
            .split_whitespace()
            .any(|e| spaced.strip_suffix(e).is_some_and(|head| !head.is_empty() && !head.ends_with(|c: char| c.is_ascii_alphabetic())));
    form.chars().count() >= MIN_DEPARTMENT_CHARS
        && unit_word
        && !form.ends_with("部門")
        && !GENERIC_UNITS.split_whitespace().any(|g| g == form)
}

/// Whether a department match stands as a word: not run into by katakana or Latin letters on
/// either side, and not continued into another word (人事部|門, 開発課|題). A side touching another
/// department match (`joined`: a path written without 「/」), or a character in `named` (a name
/// chosen for masking, which will not be there), is not checked.
pub(super) fn department_fits(
    text: &str,
    folded: &Folded,
    hit: &Hit,
    (joined_left, joined_right): (bool, bool),
    named: Option<&[bool]>,
) -> bool {
    let norm = folded.text.as_str();
    let pattern = &norm[hit.start..hit.end];
    let original = |at: usize| text[folded.orig[at]..].chars().next();
    let is_named = |at: usize| named.is_some_and(|n| n.get(folded.orig[at]).copied().unwrap_or(false));
    let (Some(first), Some(last)) = (pattern.chars().next(), pattern.chars().next_back()) else { return false };
    if !joined_left {
        if let Some(prev) = norm[..hit.start].chars().next_back() {
            let at = hit.start - prev.len_utf8();
            let runs_on = (first.is_ascii_alphanumeric() && prev.is_ascii_alphanumeric())
                || (original(hit.start).is_some_and(is_katakana_or_half) && original(at).is_some_and(is_katakana_or_half));
            if runs_on && !is_named(at) {
                return false;
            }
        }
    }
    if !joined_right {
        if let Some(next) = norm[hit.end..].chars().next() {
            let last_at = hit.end - last.len_utf8();
            let runs_on = (last.is_ascii_alphanumeric() && next.is_ascii_alphanumeric())
                || (original(last_at).is_some_and(is_katakana_or_half) && original(hit.end).is_some_and(is_katakana_or_half))
                || DEPARTMENT_BREAKS.iter().any(|&(end, breaks)| end == last && breaks.contains(next));
            if runs_on && !is_named(hit.end) {
                return false;
            }
        }
    }
    true
}
