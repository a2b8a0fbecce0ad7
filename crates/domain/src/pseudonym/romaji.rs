//! Names written in Latin letters, from each person's kana reading: 「ヤマダ タロウ」 is also
//! 「Yamada Taro」「TARO YAMADA」「yamadatarou」「Yamada-san」.
//!
//! The reading is turned into Hepburn romaji by `wana_kana`; then both that spelling and every
//! word of the text are reduced to one key on which the common variants agree: shi/si, chi/ti,
//! tsu/tu, fu/hu, ji/zi, sha/sya, cha/tya, ja/zya/jya, long vowels (ou, oo, oh, ō, uu, ū → one
//! vowel), double consonants (tt, kk, tch, cch → one), m before b, p or m (Homma, Kambe → n),
//! and n' (Shin'ichi). So one key per reading stands for all its spellings, and looking a word up
//! costs one pass over it and one hash lookup, however many variants there are.

use super::fold::Folded;
use super::index::{hash_of, intersect, union, Candidate, NameIndex, Who};
use super::names::{after_name, After};
use wana_kana::ConvertJapanese;

/// Between family and given name in Latin letters: 「Yamada Taro」「YAMADA, Taro」「Yamada-Taro」
/// 「Yamada・Taro」.
const SEPARATORS: &[char] = &[' ', '\u{3000}', '・', '\t', ',', '-', '_', '.'];
const MAX_SEPARATORS: usize = 3;

/// The keys of the honorifics written in Latin letters after a name (「Yamada-san」「Yamada san」
/// 「Yamadasan」): san, kun, sama, chan.
const HONORIFIC_KEYS: [&str; 4] = ["san", "kun", "sama", "tyan"];

/// A kana reading (katakana, as folded) in Hepburn romaji, and its key; None if the reading
/// holds anything but kana (a reading is never a name in Latin letters then).
pub(super) fn reading(kana: &str) -> Option<(String, String)> {
    if kana.is_empty() {
        return None;
    }
    let romaji = kana.to_romaji();
    if !romaji.chars().all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-') {
        return None;
    }
    let key = key(&romaji);
    (!key.is_empty()).then_some((romaji, key))
}

/// Whether `c` may be part of a word in Latin letters as folded (lower case), macrons and
/// circumflexes included (Ōno, Yūki, Shôji).
pub(super) fn is_romaji_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{C0}'..='\u{17F}').contains(&c) && "āīūēōâîûêôĀĪŪĒŌÂÎÛÊÔ".contains(c))
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'i' | b'u' | b'e' | b'o')
}

/// The key of a word in Latin letters: every common romanization of one kana reading gives the
/// same key (see the module's documentation). Letters only; anything else is dropped.
pub(super) fn key(word: &str) -> String {
    String::from_utf8(Keyer::default().key(&[word]).to_vec()).unwrap_or_default()
}

/// Computes keys with buffers reused from one key to the next (the index computes two for each
/// person of the register).
#[derive(Default)]
pub(super) struct Keyer {
    letters: Vec<u8>,
    spelled: Vec<u8>,
    key: Vec<u8>,
}

impl Keyer {
    /// The key of `parts` written one after the other.
    pub(super) fn key(&mut self, parts: &[&str]) -> &[u8] {
        self.consonants(parts);
        long_vowels(&self.spelled, &mut self.key);
        &self.key
    }

    /// The first steps of [`Keyer::key`] (letters, consonants to one spelling) for one reading in
    /// Hepburn: a reading ends with a vowel or n, so these steps never reach across the end of
    /// one reading into the next, and [`Keyer::joined`] can finish the key of two readings.
    pub(super) fn consonants_of(&mut self, hepburn: &str) -> Vec<u8> {
        self.consonants(&[hepburn]);
        self.spelled.clone()
    }

    /// The key of two readings one after the other, from their [`Keyer::consonants_of`].
    pub(super) fn joined(&mut self, first: &[u8], second: &[u8]) -> &[u8] {
        self.spelled.clear();
        self.spelled.extend_from_slice(first);
        self.spelled.extend_from_slice(second);
        long_vowels(&self.spelled, &mut self.key);
        &self.key
    }

    /// Letters of `parts` in lower case, macrons dropped, into `letters`; consonants to one
    /// spelling into `spelled`.
    fn consonants(&mut self, parts: &[&str]) {
        let s = &mut self.letters;
        s.clear();
        for c in parts.iter().flat_map(|p| p.chars()) {
            let b = match c {
                'a'..='z' => c as u8,
                'A'..='Z' => c.to_ascii_lowercase() as u8,
                'ā' | 'â' | 'Ā' | 'Â' => b'a',
                'ī' | 'î' | 'Ī' | 'Î' => b'i',
                'ū' | 'û' | 'Ū' | 'Û' => b'u',
                'ē' | 'ê' | 'Ē' | 'Ê' => b'e',
                'ō' | 'ô' | 'Ō' | 'Ô' => b'o',
                _ => continue,
            };
            s.push(b);
        }
        // Consonants to one spelling: a double consonant before ch is a t or c (Hatchi, Hacchi).
        let out = &mut self.spelled;
        out.clear();
        let mut i = 0;
        let at = |i: usize| s.get(i).copied().unwrap_or(0);
        while i < s.len() {
            let (c, n, nn) = (s[i], at(i + 1), at(i + 2));
            match (c, n, nn) {
                (b't' | b'c', b'c', b'h') => i += 1,
                (b's', b'h', b'i') | (b'c', b'h', b'i') | (b't', b's', b'u') => {
                    out.push(if c == b's' { b's' } else { b't' });
                    out.push(if c == b't' { b'u' } else { b'i' });
                    i += 3;
                }
                (b's', b'h', _) => {
                    out.extend_from_slice(b"sy");
                    i += 2;
                }
                (b'c', b'h' | b'y', _) => {
                    out.extend_from_slice(b"ty");
                    i += 2;
                }
                (b'j', b'y', _) | (b'd', b'y', _) => {
                    out.extend_from_slice(b"zy");
                    i += 2;
                }
                (b'j' | b'd', b'i', _) => {
                    out.extend_from_slice(b"zi");
                    i += 2;
                }
                (b'd', b'z', b'u') => {
                    out.extend_from_slice(b"zu");
                    i += 3;
                }
                (b'd', b'u', _) => {
                    out.extend_from_slice(b"zu");
                    i += 2;
                }
                (b'j', _, _) => {
                    out.extend_from_slice(b"zy");
                    i += 1;
                }
                (b'f', _, _) => {
                    out.push(b'h');
                    i += 1;
                }
                (b'v', _, _) => {
                    out.push(b'b');
                    i += 1;
                }
                (b'm', b'b' | b'p' | b'm', _) => {
                    out.push(b'n');
                    i += 1;
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
    }
}

/// The last step of a key: long vowels to one vowel (an h after o before a consonant is a long
/// mark: Ohno, Satoh), and double consonants to one.
fn long_vowels(spelled: &[u8], key: &mut Vec<u8>) {
    key.clear();
    for (i, &c) in spelled.iter().enumerate() {
        let prev = key.last().copied();
        let next = spelled.get(i + 1).copied();
        if c == b'h' && prev == Some(b'o') && !next.is_some_and(is_vowel) {
            continue;
        }
        if is_vowel(c) && (prev == Some(c) || (c == b'u' && prev == Some(b'o'))) {
            continue;
        }
        if !is_vowel(c) && prev == Some(c) {
            continue;
        }
        key.push(c);
    }
}

/// If `key` ends with the key of a Latin honorific and something of at least two letters comes
/// before it (「tanakasan」), that something.
pub(super) fn strip_honorific(key: &str) -> Option<&str> {
    HONORIFIC_KEYS.iter().find_map(|h| key.strip_suffix(h).filter(|rest| rest.len() >= 2))
}

/// Whether a word's key is a Latin honorific.
pub(super) fn is_honorific(key: &str) -> bool {
    HONORIFIC_KEYS.contains(&key)
}

/// A word in Latin letters of the folded text (apostrophes inside it included: Shin'ichi), and
/// its key.
struct Word {
    start: usize,
    end: usize,
    key: String,
}

fn words(folded: &Folded) -> Vec<Word> {
    let norm = folded.text.as_str();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut letters_end = 0;
    let close = |start: usize, end: usize, out: &mut Vec<Word>| {
        let key = key(&norm[start..end]);
        if !key.is_empty() {
            out.push(Word { start, end, key });
        }
    };
    for (i, c) in norm.char_indices() {
        if is_romaji_letter(c) {
            start.get_or_insert(i);
            letters_end = i + c.len_utf8();
        } else if let Some(s) = start {
            if matches!(c, '\'' | '’') && letters_end == i {
                continue;
            }
            close(s, letters_end, &mut out);
            start = None;
        }
    }
    if let Some(s) = start {
        close(s, letters_end, &mut out);
    }
    out
}

/// What follows a name in Latin letters.
enum Follows {
    Honorific,
    Title,
    Plain,
}

impl NameIndex {
    /// Names written in Latin letters: whole readings (family and given in either order, apart
    /// or run together), and family or given readings on their own, each accepted as a form of
    /// the same script would be (3+ kana alone; any length with an honorific, or before a title
    /// if a family name).
    pub(super) fn romaji_names(&self, text: &str, folded: &Folded, out: &mut Vec<Candidate>) {
        if self.romaji.is_empty() {
            return;
        }
        let words = words(folded);
        let norm = folded.text.as_str();
        let orig = |at: usize| folded.orig[at];
        // Where a name ending with `words[i]` ends (an honorific after it absorbed), and what
        // follows it.
        let follows = |i: usize, family: bool| -> (usize, Follows) {
            let w = &words[i];
            if let Some(n) = words.get(i + 1) {
                if matches!(&norm[w.end..n.start], "-" | " " | "\u{3000}") && is_honorific(&n.key) {
                    return (orig(n.end), Follows::Honorific);
                }
            }
            let end = orig(w.end);
            match after_name(&text[end..], family) {
                After::Honorific(len) => (end + len, Follows::Honorific),
                After::Title(_) => (end, Follows::Title),
                After::Plain => (end, Follows::Plain),
            }
        };
        // A family or given reading spanning words[first..=last] with this key.
        let single = |first: usize, last: usize, key: &str| -> Option<Candidate> {
            let start = orig(words[first].start);
            if let Some(&f) = self.romaji.get(key) {
                let form = &self.forms[f];
                let (end, after) = follows(last, !form.family.is_empty());
                // Alone, three kana and three letters (「Ōo」 for オオオ is a word, not a name).
                let accepted = match after {
                    Follows::Honorific | Follows::Title => true,
                    Follows::Plain => form.chars >= 3 && key.len() >= 3,
                };
                if accepted {
                    return Some(Candidate { start, end, full: false, bare: matches!(after, Follows::Plain), who: Who::Form(f) });
                }
            }
            // 「Tanakasan」: the honorific inside the word.
            let f = *self.romaji.get(strip_honorific(key)?)?;
            Some(Candidate { start, end: orig(words[last].end), full: false, bare: false, who: Who::Form(f) })
        };
        for (i, w) in words.iter().enumerate() {
            // A whole reading run together: 「YamadaTaro」「taroyamada」「yamadatarousan」.
            let full = |key: &str| self.romaji_full.get(&hash_of(&[key]));
            let whole = match full(&w.key) {
                Some(people) => Some((people, follows(i, false).0)),
                None => strip_honorific(&w.key).and_then(full).map(|p| (p, orig(w.end))),
            };
            if let Some((people, end)) = whole {
                out.push(Candidate { start: orig(w.start), end, full: true, bare: false, who: Who::People(people.to_vec()) });
            }
            out.extend(single(i, i, &w.key));
            let Some(next) = words.get(i + 1) else { continue };
            let gap = &norm[w.end..next.start];
            if gap.chars().count() > MAX_SEPARATORS || !gap.chars().all(|c| SEPARATORS.contains(&c)) {
                continue;
            }
            // 「Jun-ichi」: one reading in two words.
            if gap == "-" {
                out.extend(single(i, i + 1, &key(&norm[w.start..next.end])));
            }
            // 「Yamada Taro」「TARO YAMADA」「Yamada, Taro-san」「Yamada Tarosan」.
            let first = self.romaji.get(&w.key).map(|&f| &self.forms[f]);
            let (second, end) = match self.romaji.get(&next.key) {
                Some(&f) => (Some(&self.forms[f]), follows(i + 1, false).0),
                None => (strip_honorific(&next.key).and_then(|k| self.romaji.get(k)).map(|&f| &self.forms[f]), orig(next.end)),
            };
            let mut people = match (first, second) {
                (Some(a), Some(b)) => union(&intersect(&a.family, &b.given), &intersect(&a.given, &b.family)),
                _ => Vec::new(),
            };
            let mut end = end;
            if people.is_empty() && (first.is_some() || second.is_some()) {
                // A part of one kana has no form of its own: 「O Taro」 as a whole reading.
                let joined = key(&format!("{}{}", &norm[w.start..w.end], &norm[next.start..next.end]));
                if let Some(p) = full(&joined) {
                    people = p.to_vec();
                    end = follows(i + 1, false).0;
                } else if let Some(p) = strip_honorific(&joined).and_then(full) {
                    people = p.to_vec();
                    end = orig(next.end);
                }
            }
            if !people.is_empty() {
                out.push(Candidate { start: orig(w.start), end, full: true, bare: false, who: Who::People(people) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading_key(kana: &str) -> Option<String> {
        reading(kana).map(|(_, key)| key)
    }

    fn read(kana: &str) -> String {
        reading_key(kana).unwrap_or_default()
    }

    #[test]
    fn romaji_variants_share_the_key_of_the_reading() {
        for (kana, spellings) in [
            ("ヤマダ", &["Yamada", "YAMADA", "yamada"][..]),
            ("タロウ", &["Taro", "Tarou", "Taroo", "Taroh", "Tarō", "Tarô"]),
            ("サトウ", &["Sato", "Satou", "Satoh", "Satoo", "Satō"]),
            ("シンイチ", &["Shinichi", "Shin'ichi", "Siniti", "Shin-ichi", "Shinnichi"]),
            ("ジュンイチロウ", &["Junichiro", "Jun'ichirō", "Jyunichirou", "Zyun'itiroo"]),
            ("ツジ", &["Tsuji", "Tuzi", "Tuji", "Tsuzi"]),
            ("フクダ", &["Fukuda", "Hukuda"]),
            ("ハットリ", &["Hattori", "Hatori"]),
            ("ハッチ", &["Hatchi", "Hacchi", "Hatti", "Hati"]),
            ("ホンマ", &["Homma", "Honma"]),
            ("カンベ", &["Kambe", "Kanbe"]),
            ("オオノ", &["Ono", "Ohno", "Oono", "Ōno"]),
            ("コウノ", &["Kono", "Kohno", "Kouno", "Kōno"]),
            ("ユウキ", &["Yuki", "Yuuki", "Yūki"]),
            ("ショウタ", &["Shota", "Shouta", "Syota", "Shohta", "Shōta"]),
            ("チヒロ", &["Chihiro", "Tihiro"]),
            ("ジョウジ", &["Joji", "Jouji", "Zyozi", "George"]),
        ] {
            for s in spellings {
                if *s == "George" {
                    assert_ne!(key(s), read(kana), "English is not romaji");
                    continue;
                }
                assert_eq!(key(s), read(kana), "{s} is {kana}");
            }
        }
    }

    #[test]
    fn romaji_whole_readings_join_their_parts() {
        let mut keyer = Keyer::default();
        for (a, b) in
            [("サトウ", "ウキョウ"), ("ホン", "ナオキ"), ("オオ", "ヒャクタ"), ("シン", "イチ"), ("タナカ", "アイ"), ("ハットリ", "ジュン")]
        {
            let (ra, rb) = (reading(a).unwrap_or_default().0, reading(b).unwrap_or_default().0);
            let (ca, cb) = (keyer.consonants_of(&ra), keyer.consonants_of(&rb));
            let joined = String::from_utf8_lossy(keyer.joined(&ca, &cb)).into_owned();
            assert_eq!(joined, key(&format!("{ra}{rb}")), "{a}{b}");
        }
    }

    #[test]
    fn romaji_readings_of_other_scripts_have_no_key() {
        assert_eq!(reading_key("山田"), None);
        assert_eq!(reading_key(""), None);
        assert_eq!(read("ヤマダ"), "yamada");
        assert_eq!(reading("シンイチ").map(|r| r.0), Some("shin'ichi".to_owned()));
    }

    #[test]
    fn romaji_honorifics_come_off_the_word() {
        assert_eq!(strip_honorific(&key("Tanakasan")), Some("tanaka"));
        assert_eq!(strip_honorific(&key("Kenchan")), Some("ken"));
        assert_eq!(strip_honorific(&key("san")), None);
        for h in ["san", "kun", "sama", "chan"] {
            assert!(is_honorific(&key(h)), "{h}");
        }
        assert!(is_honorific(&key("chan")) && is_honorific("sama") && !is_honorific("sensei"));
    }
}
