//! The folded copy of a text in which names are looked for: hiragana and half-width katakana
//! to katakana, variant kanji to their common form, full-width Latin letters and digits to
//! ASCII lower case, invisible characters dropped; with the map of each offset back to the
//! original text.

use super::names::SEPARATORS;

pub(super) fn alnum_before(norm: &str, at: usize) -> bool {
    norm[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
}

pub(super) fn alnum_after(norm: &str, at: usize) -> bool {
    norm[at..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}')
}

pub(super) fn is_katakana_or_half(c: char) -> bool {
    is_katakana(c) || matches!(c, '\u{FF66}'..='\u{FF9F}')
}

/// Folded text plus, for each of its byte offsets, the byte offset in the original.
pub(super) struct Folded {
    pub(super) text: String,
    pub(super) orig: Vec<usize>,
}

pub(super) fn fold(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut orig = Vec::with_capacity(s.len() + 1);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let Some(mut f) = fold_char(c) else { continue };
        if let Some(&(_, mark)) = chars.peek() {
            if let Some(voiced) = voice(f, mark) {
                f = voiced;
                chars.next();
            }
        }
        orig.extend(std::iter::repeat_n(i, f.len_utf8()));
        text.push(f);
    }
    orig.push(s.len());
    Folded { text, orig }
}

/// A name field as a pattern: folded, with spaces and middle dots removed.
pub(super) fn compact(raw: &str) -> String {
    fold(raw).text.chars().filter(|c| !SEPARATORS.contains(c) && !c.is_whitespace()).collect()
}

/// Half-width katakana U+FF66..=U+FF9D in order.
const HALF_KANA: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ',
    'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム',
    'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

/// Variant kanji common in names, folded to the form most people type.
#[rustfmt::skip]
const VARIANTS: &[(char, char)] = &[
    ('髙', '高'), ('﨑', '崎'), ('嵜', '崎'), ('碕', '崎'), ('邊', '辺'), ('邉', '辺'),
    ('濵', '浜'), ('濱', '浜'), ('嶋', '島'), ('嶌', '島'), ('澤', '沢'), ('櫻', '桜'),
    ('廣', '広'), ('齋', '斎'), ('齊', '斉'), ('國', '国'), ('德', '徳'), ('惠', '恵'),
    ('眞', '真'), ('藏', '蔵'), ('龍', '竜'), ('冨', '富'), ('栁', '柳'), ('瀨', '瀬'),
    ('槇', '槙'), ('𠮷', '吉'), ('\u{FA10}', '塚'),
];

pub(super) fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        '\u{30F5}' => 'カ',
        '\u{30F6}' => 'ケ',
        '\u{FF66}'..='\u{FF9D}' => HALF_KANA.get((c as u32 - 0xFF66) as usize).copied().unwrap_or(c),
        '\u{FF61}' => '。',
        '\u{FF62}' => '「',
        '\u{FF63}' => '」',
        '\u{FF64}' => '、',
        '\u{FF65}' => '・',
        '\u{FF9E}' => '\u{309B}',
        '\u{FF9F}' => '\u{309C}',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).map_or(c, |a| a.to_ascii_lowercase()),
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{00A0}' => ' ',
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => {
            return None
        }
        _ => VARIANTS.iter().find(|(v, _)| *v == c).map_or(c, |&(_, to)| to),
    };
    Some(folded)
}

/// ｶﾞ, か + U+3099 → ガ; ﾊﾟ → パ.
pub(super) fn voice(base: char, mark: char) -> Option<char> {
    const PLAIN: &str = "カキクケコサシスセソタチツテトハヒフヘホウ";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ";
    const HALF: &str = "ハヒフヘホ";
    const SEMI: &str = "パピプペポ";
    let (from, to) = match mark {
        '\u{FF9E}' | '\u{3099}' => (PLAIN, VOICED),
        '\u{FF9F}' | '\u{309A}' => (HALF, SEMI),
        _ => return None,
    };
    let at = from.chars().position(|c| c == base)?;
    to.chars().nth(at)
}
