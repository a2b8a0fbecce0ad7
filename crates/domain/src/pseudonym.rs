//! Pseudonymized sharing (R2): consultants read colleagues' approved individual reports as case
//! studies, so every known person's name is masked and identifying details are coarsened.
//!
//! Matching runs on a folded copy of the text (hiragana and half-width katakana to katakana,
//! variant kanji to their common form, invisible characters dropped), so that 「やまだ」「ﾔﾏﾀﾞ」
//! 「髙橋」 and 「山\u{200B}田」 cannot slip through; offsets are mapped back to the original text.

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;

/// A person known to the tenant, whose name must never survive in pseudonymized text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownPerson {
    pub id: i64,
    pub family: String,
    pub given: String,
    pub family_kana: Option<String>,
    pub given_kana: Option<String>,
}

/// What replaces a name: the subject's pseudonym, the boss, or a lettered placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskLabels {
    /// e.g. 「対象者K-7Q2F-9XMA」.
    pub subject: String,
    /// e.g. 「上司」.
    pub boss: String,
    /// e.g. 「関係者」, followed by A, B, … (AA after Z).
    pub other_prefix: String,
}

impl MaskLabels {
    /// Japanese labels around a subject pseudonym from [`pseudonym`].
    pub fn ja(subject_pseudonym: &str) -> Self {
        Self { subject: format!("対象者{subject_pseudonym}"), boss: "上司".to_owned(), other_prefix: "関係者".to_owned() }
    }

    /// English labels around a subject pseudonym from [`pseudonym`].
    pub fn en(subject_pseudonym: &str) -> Self {
        Self { subject: format!("Subject {subject_pseudonym}"), boss: "the boss".to_owned(), other_prefix: "Person ".to_owned() }
    }
}

/// Who bears one folded name form: as a family name, as a given name, or both (for different people).
struct Form {
    family: Vec<usize>,
    given: Vec<usize>,
    chars: usize,
    kana: bool,
    ascii: bool,
}

/// All name forms of a tenant's people in one Aho–Corasick automaton. Built once per tenant
/// and reused for many texts.
pub struct NameIndex {
    ids: Vec<i64>,
    slot_of: HashMap<i64, usize>,
    forms: Vec<Form>,
    /// None only if the automaton could not be built; `mask` then fails closed.
    names: Option<AhoCorasick>,
    common: Option<AhoCorasick>,
}

impl fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameIndex")
            .field("people", &self.ids.len())
            .field("forms", &self.forms.len())
            .field("usable", &self.names.is_some())
            .finish()
    }
}

/// Honorifics absorbed into the mask, each with the characters that, right after it, show it is
/// part of another word (山田様子 is not 山田様).
#[rustfmt::skip]
const HONORIFICS: &[(&str, &str)] = &[
    ("さん", ""), ("さま", "ざ"), ("様", "子式態相々変"), ("ちゃん", ""), ("くん", ""),
    ("君", "臨主子"), ("氏", "名族"), ("殿", "堂下"), ("サン", ""), ("サマ", ""),
    ("チャン", ""), ("クン", ""), ("ｻﾝ", ""), ("ｻﾏ", ""), ("ﾁｬﾝ", ""), ("ｸﾝ", ""),
];

/// Titles that follow a family name; they stay in the text (山田課長 → 関係者A課長).
const TITLES: &str = concat!(
    "課長 部長 係長 主任 主査 主幹 班長 室長 所長 支店長 支社長 店長 工場長 局長 本部長 ",
    "次長 副部長 副課長 社長 副社長 専務 常務 取締役 会長 理事 監査役 執行役員 役員 顧問 ",
    "参与 相談役 代表 先輩 せんぱい 後輩 先生 せんせい 医師 師長 看護師 保健師 産業医 ",
    "教授 准教授 講師 職長 組長 工長 部門長 統括 グループ長 チーム長 リーダー ",
    "サブリーダー マネージャー マネジャー マネージャ チーフ ディレクター プロデューサー ",
);

/// One-character words that read as a family name before a title but are prefixes
/// (新部長, 前社長, 本部長, 各課長): before a title they are not taken as a name.
const TITLE_PREFIXES: &str = "新前元現本各全同旧副総次初歴当某両諸故亡";

/// Common words equal to, or containing, a name form. A name form lying inside one of these
/// (and not part of a full name) is left alone, unless an honorific makes it a name. Matched on
/// the original text, so 「かない」 protects hiragana 行かない but not the katakana name カナイ.
const COMMON_WORDS: &str = concat!(
    // given names that are everyday words
    "未来 希望 勇気 元気 一生 一生懸命 正直 公平 大地 博士 真実 正義 勝利 永遠 一心 大和 ",
    "光輝 一人 太平 孝行 直行 正常 大成 雄大 壮大 聡明 真理 明日 栄光 平和 自由 誠実 友愛 ",
    "純真 真心 ",
    // hiragana spellings of kana names that are everyday words or word endings
    "ただし はじめ まこと あきら かわい なかの なかま はるか ゆたか すすむ まもる みのる ",
    "あゆみ のぞみ めぐみ ひかり ひかる しげる つとむ さとる まさる まなぶ いさむ かおる ",
    "しのぶ ひとみ みどり あおい つばさ さかい あらい のぼる わたる たもつ おさむ かなえ ",
    "まどか いずみ あかね さくら すなお かない くらい やすい いない おおい ながい たかい ",
    "ふかい あさい ひろい うすい あかい わかい むかい まるい くろい とおい ちから ゆずる ",
    "かける ひびき いぶき ひなた みなと かなた あらた げんき のぞむ いたる たくみ あゆむ ",
    "ほのか あかり こころ いのり のどか ゆかり しずか かすみ なぎさ みやび いわい ところ ",
    "あいだ そうだ こうだ すぎた いまだ いいだ おいしい ありさま ようこそ しょう きょう ",
    "かおり しおり みなみ ひがし たくさん みなさん みなさま ",
    // loanwords containing a katakana name
    "エイジング ショウルーム ショウケース クライアント カレンダー ケイタイ ",
);

/// Characters allowed between family and given name: 山田 太郎, 山田　太郎, 山田・太郎.
const SEPARATORS: &[char] = &[' ', '\u{3000}', '・', '\t'];
const MAX_SEPARATORS: usize = 3;

impl NameIndex {
    /// Indexes every name form of every person (kanji and kana, family and given).
    ///
    /// Fails closed: if the automaton cannot be built (only past billions of states),
    /// [`NameIndex::mask`] returns an empty string rather than unmasked text.
    pub fn new(people: &[KnownPerson]) -> NameIndex {
        let mut ids = Vec::new();
        let mut slot_of: HashMap<i64, usize> = HashMap::new();
        let mut form_of: HashMap<String, usize> = HashMap::new();
        let mut forms: Vec<Form> = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        for person in people {
            let slot = *slot_of.entry(person.id).or_insert_with(|| {
                ids.push(person.id);
                ids.len() - 1
            });
            let parts = [
                (Some(&person.family), true),
                (Some(&person.given), false),
                (person.family_kana.as_ref(), true),
                (person.given_kana.as_ref(), false),
            ];
            for (raw, is_family) in parts {
                let Some(raw) = raw else { continue };
                let form = compact(raw);
                let chars = form.chars().count();
                let kana = form.chars().all(is_katakana);
                let ascii = form.chars().all(|c| c.is_ascii_alphanumeric());
                if chars == 0 || (kana && chars < 2) {
                    continue;
                }
                let at = match form_of.get(&form) {
                    Some(&at) => at,
                    None => {
                        form_of.insert(form.clone(), forms.len());
                        patterns.push(form);
                        forms.push(Form { family: Vec::new(), given: Vec::new(), chars, kana, ascii });
                        forms.len() - 1
                    }
                };
                let entry = &mut forms[at];
                if is_family {
                    entry.family.push(slot);
                } else {
                    entry.given.push(slot);
                }
            }
        }
        for form in &mut forms {
            form.family.sort_unstable();
            form.family.dedup();
            form.given.sort_unstable();
            form.given.dedup();
        }
        let names = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok();
        let common = AhoCorasick::builder().match_kind(MatchKind::Standard).build(COMMON_WORDS.split_whitespace()).ok();
        NameIndex { ids, slot_of, forms, names, common }
    }

    /// How many distinct people are indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no one is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Masks every name form of every known person in `text`. The subject becomes
    /// `labels.subject`, the boss `labels.boss`, anyone else `labels.other_prefix` + A, B, …
    /// (same person, or same ambiguous name, → same letter within one call). A name shared by
    /// several people and not written in full is masked as a generic person, never as the subject.
    ///
    /// Full names (family, up to three spaces or 「・」, given) and any form followed by an
    /// honorific are always masked; honorifics are absorbed, titles (課長, リーダー…) stay.
    /// Alone, a form is masked if it has 2+ characters (kanji) or 3+ (kana); shorter ones stay
    /// (林, 誠, モリ: masking them would destroy 森林, 誠実, パワハラ), and so does a form lying
    /// inside a listed common word (未来, ただし, 行かない, 一生懸命). Leftmost-longest, full names
    /// first. Applying `mask` to its own output changes nothing.
    pub fn mask(&self, text: &str, subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
        let Some(names) = &self.names else {
            return String::new();
        };
        let folded = fold(text);
        let norm = folded.text.as_str();
        let mut hits: Vec<Hit> =
            names.find_overlapping_iter(norm).map(|m| Hit { start: m.start(), end: m.end(), form: m.pattern().as_usize() }).collect();
        hits.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let common: Vec<(usize, usize)> = match &self.common {
            Some(ac) => ac.find_overlapping_iter(text).map(|m| (m.start(), m.end())).collect(),
            None => Vec::new(),
        };
        let labelled = label_spans(text, labels);

        let mut candidates = Vec::new();
        for hit in &hits {
            self.full_names(text, &folded, &hits, hit, &mut candidates);
            if let Some(single) = self.single(text, &folded, hit, &common) {
                candidates.push(single);
            }
        }
        // A name lying wholly inside a label already in the text is the label (masking twice
        // changes nothing); one that only overlaps it is a name (村上司 with the label 上司).
        candidates.retain(|c| !labelled.iter().any(|&(s, e)| s <= c.start && c.end <= e));
        let chosen = select(candidates, text.len());
        self.render(text, &chosen, subject, boss, labels)
    }

    /// Full names: a family form, up to three separators, then a given form of the same person.
    fn full_names(&self, text: &str, folded: &Folded, hits: &[Hit], family: &Hit, out: &mut Vec<Candidate>) {
        let form = &self.forms[family.form];
        if form.family.is_empty() {
            return;
        }
        let norm = folded.text.as_str();
        if form.ascii && alnum_before(norm, family.start) {
            return;
        }
        let rest = &norm[family.end..];
        let skipped: usize = rest.chars().take_while(|c| SEPARATORS.contains(c)).map(char::len_utf8).sum();
        if rest[..skipped].chars().count() > MAX_SEPARATORS {
            return;
        }
        let at = family.end + skipped;
        let from = hits.partition_point(|h| h.start < at);
        for given in hits[from..].iter().take_while(|h| h.start == at) {
            let gform = &self.forms[given.form];
            if gform.given.is_empty() || (gform.ascii && alnum_after(norm, given.end)) {
                continue;
            }
            let both = intersect(&form.family, &gform.given);
            if both.is_empty() {
                continue;
            }
            let name_end = folded.orig[given.end];
            let end = match after_name(&text[name_end..], true) {
                After::Honorific(len) => name_end + len,
                After::Title(_) | After::Plain => name_end,
            };
            out.push(Candidate { start: folded.orig[family.start], end, full: true, who: Who::People(both) });
        }
    }

    /// A family or given form on its own, accepted when the evidence says it is a name here.
    fn single(&self, text: &str, folded: &Folded, hit: &Hit, common: &[(usize, usize)]) -> Option<Candidate> {
        let form = &self.forms[hit.form];
        let norm = folded.text.as_str();
        if form.ascii && (alnum_before(norm, hit.start) || alnum_after(norm, hit.end)) {
            return None;
        }
        let start = folded.orig[hit.start];
        let name_end = folded.orig[hit.end];
        let is_family = !form.family.is_empty();
        let first = norm[hit.start..].chars().next();
        let (end, guard_end) = match after_name(&text[name_end..], is_family) {
            After::Honorific(len) => (name_end + len, name_end + len),
            After::Title(len) => {
                let prefix_word = form.chars == 1 && !form.kana && first.is_some_and(|c| TITLE_PREFIXES.contains(c));
                if prefix_word {
                    return None;
                }
                (name_end, name_end + len)
            }
            After::Plain => {
                let long_enough = if form.kana { form.chars >= 3 } else { form.chars >= 2 };
                if !long_enough {
                    return None;
                }
                (name_end, name_end)
            }
        };
        if common.iter().any(|&(s, e)| s <= start && guard_end <= e) {
            return None;
        }
        Some(Candidate { start, end, full: false, who: Who::Form(hit.form) })
    }

    fn render(&self, text: &str, chosen: &[Candidate], subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
        let subject = subject.and_then(|id| self.slot_of.get(&id).copied());
        let boss = boss.and_then(|id| self.slot_of.get(&id).copied());
        let mut letters: HashMap<Vec<usize>, String> = HashMap::new();
        let mut out = String::with_capacity(text.len() + chosen.len() * 8);
        let mut at = 0;
        for c in chosen {
            let people = match &c.who {
                Who::People(p) => p.clone(),
                Who::Form(f) => union(&self.forms[*f].family, &self.forms[*f].given),
            };
            out.push_str(&text[at..c.start]);
            match people.as_slice() {
                [one] if Some(*one) == subject => out.push_str(&labels.subject),
                [one] if Some(*one) == boss => out.push_str(&labels.boss),
                _ => {
                    let next = letters.len();
                    let letter = letters.entry(people).or_insert_with(|| letter(next));
                    out.push_str(&labels.other_prefix);
                    out.push_str(letter);
                }
            }
            at = c.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

#[derive(Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    form: usize,
}

enum Who {
    People(Vec<usize>),
    Form(usize),
}

/// A span of the original text to mask (a title after it is not part of it).
struct Candidate {
    start: usize,
    end: usize,
    full: bool,
    who: Who,
}

/// Full names first, then single forms; within each, leftmost then longest, never overlapping.
fn select(mut candidates: Vec<Candidate>, len: usize) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.full.cmp(&a.full).then(a.start.cmp(&b.start)).then(b.end.cmp(&a.end)));
    let mut covered = vec![false; len];
    let mut chosen = Vec::new();
    for c in candidates {
        if covered[c.start..c.end].iter().any(|&b| b) {
            continue;
        }
        covered[c.start..c.end].iter_mut().for_each(|b| *b = true);
        chosen.push(c);
    }
    chosen.sort_by_key(|c| c.start);
    chosen
}

enum After {
    Honorific(usize),
    Title(usize),
    Plain,
}

fn after_name(rest: &str, family: bool) -> After {
    for &(honorific, breaks) in HONORIFICS {
        let Some(tail) = rest.strip_prefix(honorific) else {
            continue;
        };
        let next = tail.chars().next();
        if next.is_some_and(|n| breaks.contains(n)) {
            continue;
        }
        // サン in サンプル is not an honorific.
        if honorific.chars().all(is_katakana_or_half) && next.is_some_and(is_katakana_or_half) {
            continue;
        }
        return After::Honorific(honorific.len());
    }
    if family {
        if let Some(title) = TITLES.split_whitespace().find(|t| rest.starts_with(t)) {
            return After::Title(title.len());
        }
    }
    After::Plain
}

/// Spans of the labels already in the text, so that masking twice changes nothing.
fn label_spans(text: &str, labels: &MaskLabels) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for label in [&labels.subject, &labels.boss] {
        if !label.is_empty() {
            spans.extend(text.match_indices(label.as_str()).map(|(i, l)| (i, i + l.len())));
        }
    }
    if !labels.other_prefix.is_empty() {
        for (i, l) in text.match_indices(labels.other_prefix.as_str()) {
            let tail = &text[i + l.len()..];
            let letters = tail.bytes().take_while(u8::is_ascii_uppercase).count();
            spans.push((i, i + l.len() + letters));
        }
    }
    spans
}

/// 0 → A, 25 → Z, 26 → AA.
fn letter(n: usize) -> String {
    let mut n = n + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    out.iter().rev().collect()
}

fn intersect(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn alnum_before(norm: &str, at: usize) -> bool {
    norm[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn alnum_after(norm: &str, at: usize) -> bool {
    norm[at..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FC}'..='\u{30FE}')
}

fn is_katakana_or_half(c: char) -> bool {
    is_katakana(c) || matches!(c, '\u{FF66}'..='\u{FF9F}')
}

/// Folded text plus, for each of its byte offsets, the byte offset in the original.
struct Folded {
    text: String,
    orig: Vec<usize>,
}

fn fold(s: &str) -> Folded {
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
fn compact(raw: &str) -> String {
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

fn fold_char(c: char) -> Option<char> {
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
fn voice(base: char, mark: char) -> Option<char> {
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

/// A stable pseudonym for a person within a tenant: SHA-256 of `tenant_secret` || the id
/// (big-endian), as "K-" + 8 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ (no 0/O/1/I), in two
/// groups of four. 40 bits: among 100,000 people the chance that any two share a label is under
/// 0.5 % (4 characters, 20 bits, would already collide at about 1,200 people). Not reversible
/// without the secret, which must be random (16 bytes or more): ids are small and guessable.
pub fn pseudonym(tenant_secret: &[u8], person_id: i64) -> String {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut hasher = Sha256::new();
    hasher.update(tenant_secret);
    hasher.update(person_id.to_be_bytes());
    let digest = hasher.finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    let bits = u64::from_be_bytes(head);
    let mut out = String::from("K-");
    for i in 0..8 {
        if i == 4 {
            out.push('-');
        }
        let index = ((bits >> (59 - 5 * i)) & 31) as usize;
        out.push(char::from(ALPHABET[index]));
    }
    out
}

/// Age as a 10-year band, (Japanese, English): 34 → ("30代", "30s"); under 20 → ("10代", "10s");
/// 70 and over → ("70代以上", "70 and over"), where so few people remain that the decade names them.
/// Only years are known, so the age is the one reached during `on_year`.
pub fn age_band(birth_year: i32, on_year: i32) -> (String, String) {
    let age = on_year.saturating_sub(birth_year);
    if age < 20 {
        ("10代".to_owned(), "10s".to_owned())
    } else if age >= 70 {
        ("70代以上".to_owned(), "70 and over".to_owned())
    } else {
        let decade = age / 10 * 10;
        (format!("{decade}代"), format!("{decade}s"))
    }
}

/// Department reduced to its level in the tree, (Japanese, English): depth 1 → 本部レベル,
/// 2 → 部レベル, 3 and deeper → 課・グループレベル; 0 (the company itself) → 全社レベル.
pub fn department_level(depth: usize) -> (String, String) {
    let (ja, en) = match depth {
        0 => ("全社レベル", "company level"),
        1 => ("本部レベル", "division level"),
        2 => ("部レベル", "department level"),
        _ => ("課・グループレベル", "section/group level"),
    };
    (ja.to_owned(), en.to_owned())
}

/// A date reduced to its fiscal half-year, (Japanese, English); the Japanese fiscal year starts
/// on April 1: 2026-05-14 → ("2026年度上期", "FY2026 H1"), 2026-03-31 → ("2025年度下期", "FY2025 H2").
pub fn coarse_date(date: NaiveDate) -> (String, String) {
    let month = date.month();
    let fiscal_year = if month >= 4 { date.year() } else { date.year() - 1 };
    let first_half = (4..=9).contains(&month);
    let (ja, en) = if first_half { ("上期", "H1") } else { ("下期", "H2") };
    (format!("{fiscal_year}年度{ja}"), format!("FY{fiscal_year} {en}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;
    use std::time::Instant;

    fn person(id: i64, family: &str, given: &str, family_kana: &str, given_kana: &str) -> KnownPerson {
        KnownPerson {
            id,
            family: family.to_owned(),
            given: given.to_owned(),
            family_kana: Some(family_kana.to_owned()),
            given_kana: Some(given_kana.to_owned()),
        }
    }

    fn people() -> Vec<KnownPerson> {
        vec![
            person(1, "山田", "太郎", "ヤマダ", "タロウ"),
            person(2, "佐藤", "花子", "サトウ", "ハナコ"),
            person(3, "鈴木", "一郎", "スズキ", "イチロウ"),
            person(4, "林", "健太", "ハヤシ", "ケンタ"),
            person(5, "森", "誠", "モリ", "マコト"),
            person(6, "原", "美咲", "ハラ", "ミサキ"),
            person(7, "田中", "未来", "タナカ", "ミライ"),
            person(8, "安井", "忠", "やすい", "ただし"),
            person(9, "前", "大輔", "マエ", "ダイスケ"),
            person(10, "髙橋", "直樹", "ﾀｶﾊｼ", "ﾅｵｷ"),
            person(11, "Smith", "John", "スミス", "ジョン"),
            person(12, "木村", "拓", "キムラ", "タク"),
        ]
    }

    fn labels() -> MaskLabels {
        MaskLabels::ja("K-TEST-0001")
    }

    fn mask(text: &str) -> String {
        NameIndex::new(&people()).mask(text, None, None, &labels())
    }

    #[test]
    fn pseudonym_full_names_in_every_spelling_are_one_person() {
        let index = NameIndex::new(&people());
        for text in [
            "山田太郎",
            "山田 太郎",
            "山田　太郎",
            "山田・太郎",
            "山田太郎さん",
            "ヤマダタロウ",
            "ヤマダ タロウ",
            "ヤマダ・タロウ",
            "やまだたろう",
            "やまだ　たろう",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "ﾔﾏﾀﾞﾀﾛｳ",
            "山田 タロウ",
        ] {
            assert_eq!(index.mask(text, Some(1), None, &labels()), "対象者K-TEST-0001", "{text}");
        }
        // Longest first: one label for the full name, not one each for 山田 and 太郎.
        assert_eq!(mask("山田太郎と話した"), "関係者Aと話した");
        assert_eq!(mask("鈴木一郎、山田太郎"), "関係者A、関係者B");
    }

    #[test]
    fn pseudonym_family_name_with_honorifics_and_titles() {
        for h in ["さん", "様", "さま", "君", "くん", "氏", "ちゃん", "殿"] {
            assert_eq!(mask(&format!("山田{h}が来た")), "関係者Aが来た", "{h}");
        }
        for t in ["課長", "部長", "係長", "主任", "リーダー", "マネージャー", "先輩", "社長", "専務"] {
            assert_eq!(mask(&format!("山田{t}が来た")), format!("関係者A{t}が来た"), "{t}");
        }
        assert_eq!(mask("山田の意見"), "関係者Aの意見");
        assert_eq!(mask("山田様子見"), "関係者A様子見");
    }

    #[test]
    fn pseudonym_given_names() {
        for text in ["太郎さん", "太郎君", "太郎くん", "たろうくん", "タロウさん", "太郎"] {
            assert_eq!(mask(&format!("{text}と")), "関係者Aと", "{text}");
        }
        // A one-character given name needs an honorific or the family name.
        assert_eq!(mask("誠さんは誠実だ"), "関係者Aは誠実だ");
        assert_eq!(mask("森誠と"), "関係者Aと");
    }

    #[test]
    fn pseudonym_kana_forms() {
        for text in ["ヤマダ", "やまだ", "やまださん", "ﾔﾏﾀﾞ", "ﾔﾏﾀﾞｻﾝ", "ヤマダサン"] {
            assert_eq!(mask(&format!("{text}、")), "関係者A、", "{text}");
        }
        // サン in サンプル is not an honorific.
        assert_eq!(mask("ヤマダサンプル"), "関係者Aサンプル");
        // Names stored in hiragana or half-width kana are found in any script.
        assert_eq!(mask("ヤスイさん、タダシ"), "関係者A、関係者A");
        assert_eq!(mask("たかはしなおきさん"), "関係者A");
    }

    #[test]
    fn pseudonym_one_character_family_names() {
        for text in ["林さん", "林課長", "林健太", "林 健太", "林くん", "ハヤシ", "はやしさん"] {
            let out = mask(text);
            assert!(!out.contains('林') && !out.contains("ハヤシ") && !out.contains("はやし"), "{text} → {out}");
        }
        assert_eq!(mask("林課長"), "関係者A課長");
        assert_eq!(mask("林健太"), "関係者A");
        let hayashi = NameIndex::new(&[person(1, "林", "太郎", "ハヤシ", "タロウ")]);
        for text in ["林さん", "林課長", "林太郎", "林 太郎", "はやし たろう"] {
            assert_eq!(hayashi.mask(text, Some(1), None, &labels()).replace("課長", ""), "対象者K-TEST-0001", "{text}");
        }
        // Alone, 林 森 原 stay: masking them would destroy common words.
        for text in ["森林の保全と林業", "原因を探る", "森の中", "パワハラの相談", "モリモリ働く"] {
            assert_eq!(mask(text), text);
        }
        assert_eq!(mask("ハラさんとモリさん"), "関係者Aと関係者B");
        assert_eq!(mask("原美咲、ミサキさん"), "関係者A、関係者A");
    }

    #[test]
    fn pseudonym_common_words_survive_unless_used_as_names() {
        // 田中 未来, 安井 忠 (stored in hiragana), 前 大輔 are in the index.
        let plain = "未来のキャリアを考える。ただし、すぐには行かない。話しやすい職場。前部長の方針。";
        assert_eq!(mask(plain), plain);
        assert_eq!(mask("未来さん"), "関係者A");
        assert_eq!(mask("田中未来"), "関係者A");
        assert_eq!(mask("ただしくん"), "関係者A");
        assert_eq!(mask("タダシ"), "関係者A");
        assert_eq!(mask("やすいさん"), "関係者A");
        assert_eq!(mask("前さん"), "関係者A");
        assert_eq!(mask("一生懸命に働く"), "一生懸命に働く");
        assert_eq!(mask("たくさんの仕事"), "たくさんの仕事");
        assert_eq!(mask("拓さん、タクくん"), "関係者A、関係者A");
    }

    #[test]
    fn pseudonym_subject_boss_and_stable_letters() {
        let index = NameIndex::new(&people());
        let text = "山田さんは佐藤課長と鈴木さん、林さんについて話した。鈴木さんは林さんの先輩。太郎さんは元気。";
        assert_eq!(
            index.mask(text, Some(1), Some(2), &labels()),
            "対象者K-TEST-0001は上司課長と関係者A、関係者Bについて話した。関係者Aは関係者Bの先輩。対象者K-TEST-0001は元気。"
        );
        let en = MaskLabels::en("K-TEST-0001");
        assert_eq!(index.mask("山田さんと佐藤さんと鈴木さん", Some(1), Some(2), &en), "Subject K-TEST-0001とthe bossとPerson A");
    }

    #[test]
    fn pseudonym_shared_family_name_is_never_the_subject() {
        let index = NameIndex::new(&[person(1, "山田", "太郎", "ヤマダ", "タロウ"), person(2, "山田", "花子", "ヤマダ", "ハナコ")]);
        assert_eq!(
            index.mask("山田さんと山田太郎と山田花子とヤマダさん", Some(1), None, &labels()),
            "関係者Aと対象者K-TEST-0001と関係者Bと関係者A"
        );
        // The same full name for two people identifies neither.
        let twins = NameIndex::new(&[person(1, "山田", "太郎", "ヤマダ", "タロウ"), person(2, "山田", "太郎", "ヤマダ", "タロウ")]);
        assert_eq!(twins.mask("山田太郎", Some(1), None, &labels()), "関係者A");
    }

    #[test]
    fn pseudonym_evasions_are_folded() {
        assert_eq!(mask("山\u{200B}田さん"), "関係者A");
        assert_eq!(mask("高橋さん"), "関係者A");
        assert_eq!(mask("髙橋さん"), "関係者A");
        assert_eq!(mask("高\u{E0100}橋直樹"), "関係者A");
        assert_eq!(mask("ﾀｶﾊｼ ﾅｵｷ"), "関係者A");
        assert_eq!(mask("ヤマタ\u{3099}さん"), "関係者A");
        assert_eq!(mask("ＳＭＩＴＨさん"), "関係者A");
    }

    #[test]
    fn pseudonym_latin_names_need_word_edges() {
        assert_eq!(mask("Smith said"), "関係者A said");
        assert_eq!(mask("Smith John"), "関係者A");
        assert_eq!(mask("the Smithsonian"), "the Smithsonian");
    }

    #[test]
    fn pseudonym_text_without_names_is_unchanged() {
        let text = "面談では今後のキャリアの方向性について話した。上司との関係が気になっている。";
        assert_eq!(mask(text), text);
        assert_eq!(NameIndex::new(&[]).mask(text, None, None, &labels()), text);
        assert_eq!(mask(""), "");
    }

    #[test]
    fn pseudonym_names_overlapping_a_label_are_still_masked() {
        let index = NameIndex::new(&[person(1, "村上", "司", "ムラカミ", "ツカサ"), person(2, "佐藤", "花子", "サトウ", "ハナコ")]);
        let once = index.mask("村上司さんは上司の佐藤さんと面談した。井上司", None, Some(2), &labels());
        assert_eq!(once, "関係者Aは上司の上司と面談した。井上司");
        assert_eq!(index.mask(&once, None, Some(2), &labels()), once);
    }

    #[test]
    fn pseudonym_masking_twice_changes_nothing() {
        let index = NameIndex::new(&people());
        let text = "山田さんは佐藤課長と林 健太、ﾔﾏﾀﾞ、モリさんについて上司と話した。";
        let once = index.mask(text, Some(1), Some(2), &labels());
        assert_eq!(index.mask(&once, Some(1), Some(2), &labels()), once);
    }

    #[test]
    fn pseudonym_letters_go_past_z() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(26 + 26 * 26), "AAA");
    }

    #[test]
    fn pseudonym_is_stable_distinct_and_unambiguous() {
        let secret = b"tenant-secret-0123456789";
        let a = pseudonym(secret, 42);
        assert_eq!(a, pseudonym(secret, 42));
        assert_ne!(a, pseudonym(secret, 43));
        assert_ne!(a, pseudonym(b"another-tenant-secret-01", 42));
        assert_eq!(a.len(), 11);
        assert!(a.starts_with("K-"));
        assert_eq!(&a[6..7], "-");
        assert!(a[2..].chars().filter(|c| *c != '-').all(|c| { c.is_ascii_uppercase() || c.is_ascii_digit() }));
        assert!(!a[2..].contains(['0', 'O', '1', 'I']));
        let labels: HashSet<String> = (0..20_000).map(|id| pseudonym(secret, id)).collect();
        assert_eq!(labels.len(), 20_000);
    }

    #[test]
    fn pseudonym_age_bands() {
        let band = |b, y| age_band(b, y);
        assert_eq!(band(1992, 2026), ("30代".to_owned(), "30s".to_owned()));
        assert_eq!(band(2007, 2026).0, "10代"); // 19
        assert_eq!(band(2010, 2026).0, "10代"); // 16
        assert_eq!(band(2030, 2026).0, "10代"); // nonsense stays in the lowest band
        assert_eq!(band(2006, 2026), ("20代".to_owned(), "20s".to_owned())); // 20
        assert_eq!(band(1997, 2026).0, "20代"); // 29
        assert_eq!(band(1996, 2026).0, "30代"); // 30
        assert_eq!(band(1957, 2026).0, "60代"); // 69
        assert_eq!(band(1956, 2026), ("70代以上".to_owned(), "70 and over".to_owned()));
        assert_eq!(band(i32::MIN, i32::MAX).0, "70代以上");
    }

    #[test]
    fn pseudonym_department_levels() {
        assert_eq!(department_level(1).0, "本部レベル");
        assert_eq!(department_level(2), ("部レベル".to_owned(), "department level".to_owned()));
        assert_eq!(department_level(3).0, "課・グループレベル");
        assert_eq!(department_level(7).1, "section/group level");
        assert_eq!(department_level(0).0, "全社レベル");
    }

    #[test]
    fn pseudonym_coarse_dates_follow_the_fiscal_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let both = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(coarse_date(d(2026, 5, 14)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 3, 31)), both("2025年度下期", "FY2025 H2"));
        assert_eq!(coarse_date(d(2026, 4, 1)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 9, 30)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 10, 1)), both("2026年度下期", "FY2026 H2"));
        assert_eq!(coarse_date(d(2027, 1, 15)), both("2026年度下期", "FY2026 H2"));
    }

    // ---- property: no known name form survives ----

    #[rustfmt::skip]
    const FAMILIES: &[(&str, &str)] = &[
        ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
        ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
        ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
        ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
        ("木村", "キムラ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("阿部", "アベ"),
        ("池田", "イケダ"), ("橋本", "ハシモト"), ("山下", "ヤマシタ"), ("石川", "イシカワ"),
        ("中島", "ナカジマ"), ("前田", "マエダ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
        ("小川", "オガワ"), ("岡田", "オカダ"), ("村上", "ムラカミ"), ("長谷川", "ハセガワ"),
        ("近藤", "コンドウ"), ("石原", "イシハラ"), ("斎藤", "サイトウ"), ("坂本", "サカモト"),
        ("遠藤", "エンドウ"), ("藤井", "フジイ"), ("青木", "アオキ"), ("福田", "フクダ"),
        ("三浦", "ミウラ"), ("西村", "ニシムラ"), ("藤原", "フジワラ"), ("太田", "オオタ"),
        ("松田", "マツダ"), ("原田", "ハラダ"), ("岡本", "オカモト"), ("中川", "ナカガワ"),
        ("小野", "オノ"), ("田村", "タムラ"), ("竹内", "タケウチ"), ("金子", "カネコ"),
        ("和田", "ワダ"), ("中山", "ナカヤマ"), ("石田", "イシダ"), ("上田", "ウエダ"),
        ("林", "ハヤシ"), ("森", "モリ"), ("原", "ハラ"), ("辻", "ツジ"), ("堀", "ホリ"),
    ];

    #[rustfmt::skip]
    const GIVENS: &[(&str, &str)] = &[
        ("太郎", "タロウ"), ("次郎", "ジロウ"), ("健太", "ケンタ"), ("翔太", "ショウタ"),
        ("大輔", "ダイスケ"), ("拓也", "タクヤ"), ("直樹", "ナオキ"), ("和也", "カズヤ"),
        ("健一", "ケンイチ"), ("誠", "マコト"), ("浩", "ヒロシ"), ("聡", "サトシ"),
        ("亮", "リョウ"), ("隆", "タカシ"), ("剛", "ツヨシ"), ("淳", "ジュン"), ("仁", "ジン"),
        ("花子", "ハナコ"), ("恵子", "ケイコ"), ("美咲", "ミサキ"), ("由美", "ユミ"),
        ("真由美", "マユミ"), ("愛", "アイ"), ("優子", "ユウコ"), ("智子", "トモコ"),
        ("久美子", "クミコ"), ("直美", "ナオミ"), ("明美", "アケミ"), ("京子", "キョウコ"),
        ("幸子", "サチコ"), ("千尋", "チヒロ"), ("彩", "アヤ"), ("舞", "マイ"),
        ("結衣", "ユイ"), ("美穂", "ミホ"), ("沙織", "サオリ"), ("奈々", "ナナ"),
        ("理恵", "リエ"), ("陽菜", "ヒナ"), ("彩花", "アヤカ"), ("美月", "ミツキ"),
        ("萌", "モエ"), ("七海", "ナナミ"), ("桃子", "モモコ"), ("瑞穂", "ミズホ"),
        ("千夏", "チナツ"), ("亜希", "アキ"), ("紗希", "サキ"), ("大樹", "ダイキ"),
        ("悠斗", "ユウト"), ("蓮", "レン"), ("陽翔", "ハルト"), ("颯", "ハヤテ"),
        ("悠真", "ユウマ"), ("陸", "リク"), ("蒼真", "ソウマ"), ("一郎", "イチロウ"),
        ("三郎", "サブロウ"), ("健二", "ケンジ"), ("正樹", "マサキ"), ("秀樹", "ヒデキ"),
        ("雅人", "マサト"), ("康介", "コウスケ"), ("達也", "タツヤ"), ("洋平", "ヨウヘイ"),
        ("雄一", "ユウイチ"),
    ];

    #[rustfmt::skip]
    const FILLERS: &[&str] = &[
        "面談では", "について話した。", "今後のキャリアの方向性を", "上司との関係", "本人は",
        "が気になっている。", "と相談した。", "から連絡があった。", "の件で",
        "は前向きだった。", "仕事のやりがい", "研修の効果", "チームの雰囲気", "、", "。",
        "異動を希望している。", "\n", " ", "を確認した。", "に伝えた。",
    ];

    #[rustfmt::skip]
    const SUFFIXES: &[&str] = &[
        "", "", "", "さん", "様", "君", "くん", "氏", "ちゃん", "課長", "部長", "係長", "主任",
        "リーダー", "マネージャー", "先輩", "社長", "専務",
    ];

    fn hiragana(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
                _ => c,
            })
            .collect()
    }

    /// Full-width katakana to half-width, splitting voiced kana into base + ﾞ/ﾟ.
    fn half_width(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            let found = (0xFF66u32..=0xFF9D).find_map(|h| {
                let h = char::from_u32(h)?;
                ["", "\u{FF9E}", "\u{FF9F}"].iter().find_map(|mark| {
                    let candidate = format!("{h}{mark}");
                    (fold(&candidate).text == c.to_string()).then_some(candidate)
                })
            });
            out.push_str(&found.unwrap_or_else(|| c.to_string()));
        }
        out
    }

    fn bank_person(id: i64, f: usize, g: usize) -> KnownPerson {
        let (family, fk) = FAMILIES[f];
        let (given, gk) = GIVENS[g];
        person(id, family, given, fk, gk)
    }

    fn name_form(p: &KnownPerson, kind: usize) -> String {
        let fk = p.family_kana.clone().unwrap_or_default();
        let gk = p.given_kana.clone().unwrap_or_default();
        let (f, g) = (&p.family, &p.given);
        match kind {
            0 => format!("{f}{g}"),
            1 => format!("{f} {g}"),
            2 => format!("{f}\u{3000}{g}"),
            3 => format!("{f}・{g}"),
            4 => f.clone(),
            5 => g.clone(),
            6 => format!("{fk}{gk}"),
            7 => format!("{fk} {gk}"),
            8 => fk,
            9 => gk,
            10 => hiragana(&format!("{fk}{gk}")),
            11 => hiragana(&fk),
            12 => hiragana(&gk),
            13 => half_width(&format!("{fk} {gk}")),
            14 => half_width(&fk),
            15 => half_width(&gk),
            _ => format!("{f} {gk}"),
        }
    }

    /// Every form of `p` that must never appear in masked text.
    fn forbidden_forms(p: &KnownPerson) -> Vec<String> {
        let fk = p.family_kana.clone().unwrap_or_default();
        let gk = p.given_kana.clone().unwrap_or_default();
        let mut out = Vec::new();
        for sep in ["", " ", "\u{3000}", "・"] {
            out.push(format!("{}{sep}{}", p.family, p.given));
        }
        if p.family.chars().count() >= 2 {
            out.push(p.family.clone());
        }
        if p.given.chars().count() >= 2 {
            out.push(p.given.clone());
        }
        for kana in [fk.clone(), gk.clone(), format!("{fk}{gk}")] {
            if kana.chars().count() >= 3 {
                out.push(hiragana(&kana));
                out.push(half_width(&kana));
                out.push(kana);
            }
        }
        out
    }

    /// Forms a listed common word protects when they stand alone (only まこと in the bank).
    fn protected(form: &str) -> bool {
        COMMON_WORDS.split_whitespace().any(|w| w.contains(form))
    }

    #[test]
    fn pseudonym_bank_is_sound() {
        let mut exempt = HashSet::new();
        for f in 0..FAMILIES.len() {
            for g in 0..GIVENS.len() {
                for form in forbidden_forms(&bank_person(1, f, g)) {
                    for filler in FILLERS.iter().chain(SUFFIXES) {
                        assert!(!filler.contains(form.as_str()), "{filler} contains {form}");
                    }
                    assert!(!labels().other_prefix.contains(form.as_str()));
                    if protected(&form) {
                        exempt.insert(form);
                    }
                }
            }
        }
        assert_eq!(exempt, HashSet::from(["まこと".to_owned()]));
        assert_eq!(half_width("ヤマダ パン"), "ﾔﾏﾀﾞ ﾊﾟﾝ");
    }

    /// (is a name?, filler, person, form kind, suffix)
    type Segment = (bool, usize, usize, usize, usize);
    /// (people as bank indices, segments, subject, boss)
    type Case = (Vec<(usize, usize)>, Vec<Segment>, usize, usize);

    fn arb_case() -> impl Strategy<Value = Case> {
        (
            prop::collection::vec((0..FAMILIES.len(), 0..GIVENS.len()), 1..30),
            prop::collection::vec((any::<bool>(), 0..FILLERS.len(), 0..64usize, 0..17usize, 0..SUFFIXES.len()), 1..40),
            0..64usize,
            0..64usize,
        )
    }

    proptest! {
        #[test]
        fn pseudonym_no_known_name_survives((picks, segments, subject, boss) in arb_case()) {
            let people: Vec<KnownPerson> = picks
                .iter()
                .enumerate()
                .map(|(i, &(f, g))| bank_person(i as i64 + 1, f, g))
                .collect();
            let index = NameIndex::new(&people);
            let mut text = String::new();
            for &(is_name, filler, who, kind, suffix) in &segments {
                if is_name {
                    text.push_str(&name_form(&people[who % people.len()], kind));
                    text.push_str(SUFFIXES[suffix]);
                } else {
                    text.push_str(FILLERS[filler]);
                }
            }
            let subject = Some(people[subject % people.len()].id);
            let boss = Some(people[boss % people.len()].id);
            let out = index.mask(&text, subject, boss, &labels());
            for p in &people {
                for form in forbidden_forms(p) {
                    if protected(&form) {
                        prop_assert!(!out.contains(&format!("{form}さん")), "{form}さん in {out}");
                        continue;
                    }
                    prop_assert!(!out.contains(form.as_str()), "{form} survived: {text} → {out}");
                }
            }
            prop_assert_eq!(index.mask(&out, subject, boss, &labels()), out);
        }
    }

    // ---- timing (printed, not asserted) ----

    #[rustfmt::skip]
    const SYLLABLES_A: &[(&str, &str)] = &[
        ("大", "オオ"), ("小", "コ"), ("中", "ナカ"), ("上", "カミ"), ("下", "シモ"),
        ("北", "キタ"), ("南", "ミナミ"), ("西", "ニシ"), ("東", "ヒガシ"), ("石", "イシ"),
        ("岩", "イワ"), ("松", "マツ"), ("竹", "タケ"), ("梅", "ウメ"), ("桜", "サクラ"),
        ("杉", "スギ"), ("森", "モリ"), ("林", "ハヤシ"), ("川", "カワ"), ("山", "ヤマ"),
    ];
    #[rustfmt::skip]
    const SYLLABLES_B: &[(&str, &str)] = &[
        ("田", "タ"), ("野", "ノ"), ("川", "カワ"), ("山", "ヤマ"), ("島", "シマ"),
        ("沢", "サワ"), ("井", "イ"), ("村", "ムラ"), ("本", "モト"), ("原", "ハラ"),
        ("谷", "タニ"), ("口", "グチ"), ("崎", "サキ"), ("木", "キ"), ("橋", "ハシ"),
        ("岡", "オカ"), ("内", "ウチ"), ("浦", "ウラ"), ("尾", "オ"), ("部", "ベ"),
    ];
    const SYLLABLES_C: &[(&str, &str)] = &[("", ""), ("田", "ダ"), ("川", "ガワ"), ("島", "ジマ"), ("野", "ノ")];
    #[rustfmt::skip]
    const GIVEN_A: &[(&str, &str)] = &[
        ("健", "ケン"), ("大", "ダイ"), ("翔", "ショウ"), ("拓", "タク"), ("直", "ナオ"),
        ("和", "カズ"), ("誠", "セイ"), ("浩", "コウ"), ("隆", "タカ"), ("正", "マサ"),
        ("秀", "ヒデ"), ("雅", "マサ"), ("康", "ヤス"), ("達", "タツ"), ("洋", "ヨウ"),
        ("雄", "ユウ"), ("美", "ミ"), ("真", "マ"), ("智", "トモ"), ("優", "ユウ"),
    ];
    #[rustfmt::skip]
    const GIVEN_B: &[(&str, &str)] = &[
        ("太", "タ"), ("介", "スケ"), ("也", "ヤ"), ("樹", "キ"), ("一", "イチ"), ("二", "ジ"),
        ("人", "ト"), ("平", "ヘイ"), ("斗", "ト"), ("輔", "スケ"), ("子", "コ"), ("美", "ミ"),
        ("奈", "ナ"), ("香", "カ"), ("恵", "エ"), ("穂", "ホ"), ("花", "カ"), ("菜", "ナ"),
        ("希", "キ"), ("郎", "ロウ"),
    ];
    const GIVEN_C: &[(&str, &str)] = &[("", ""), ("郎", "ロウ"), ("子", "コ"), ("美", "ミ")];

    /// Deterministic pseudo-random numbers (64-bit LCG), so the benchmark needs no extra crate.
    struct Lcg(u64);
    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
        fn pick<'a>(&mut self, list: &'a [(&'a str, &'a str)]) -> (&'a str, &'a str) {
            list[self.below(list.len())]
        }
    }

    fn synthetic_people(n: usize, rng: &mut Lcg) -> Vec<KnownPerson> {
        (0..n)
            .map(|i| {
                let (fa, fb, fc) = (rng.pick(SYLLABLES_A), rng.pick(SYLLABLES_B), rng.pick(SYLLABLES_C));
                let (ga, gb, gc) = (rng.pick(GIVEN_A), rng.pick(GIVEN_B), rng.pick(GIVEN_C));
                person(
                    i as i64 + 1,
                    &format!("{}{}{}", fa.0, fb.0, fc.0),
                    &format!("{}{}{}", ga.0, gb.0, gc.0),
                    &format!("{}{}{}", fa.1, fb.1, fc.1),
                    &format!("{}{}{}", ga.1, gb.1, gc.1),
                )
            })
            .collect()
    }

    /// Worst case for the automaton: every name distinct (random kanji and katakana).
    fn distinct_people(n: usize, rng: &mut Lcg) -> Vec<KnownPerson> {
        let mut word = |len: usize, base: u32, span: usize| -> String {
            (0..len).filter_map(|_| char::from_u32(base + rng.below(span) as u32)).collect()
        };
        (0..n)
            .map(|i| KnownPerson {
                id: i as i64 + 1,
                family: word(2, 0x4E00, 6_000),
                given: word(2, 0x4E00, 6_000),
                family_kana: Some(word(4, 0x30A2, 80)),
                given_kana: Some(word(3, 0x30A2, 80)),
            })
            .collect()
    }

    #[test]
    fn pseudonym_timing() {
        let mut rng = Lcg(20_261_125);
        let people = synthetic_people(100_000, &mut rng);
        let small = &people[..1_200];
        let t = Instant::now();
        let small_index = NameIndex::new(small);
        let small_build = t.elapsed();
        let t = Instant::now();
        let index = NameIndex::new(&people);
        let big_build = t.elapsed();
        let texts: Vec<String> = (0..1_000)
            .map(|_| {
                let mut text = String::new();
                while text.chars().count() < 1_500 {
                    if rng.below(4) == 0 {
                        let p = &people[rng.below(people.len())];
                        text.push_str(&name_form(p, rng.below(17)));
                        text.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
                    } else {
                        text.push_str(FILLERS[rng.below(FILLERS.len())]);
                    }
                }
                text
            })
            .collect();
        let t = Instant::now();
        let mut masked_chars = 0;
        for (i, text) in texts.iter().enumerate() {
            masked_chars += index.mask(text, Some(i as i64 + 1), None, &labels()).chars().count();
        }
        let big_mask = t.elapsed();
        let t = Instant::now();
        for text in &texts {
            masked_chars += small_index.mask(text, Some(1), None, &labels()).chars().count();
        }
        let small_mask = t.elapsed();
        let distinct = distinct_people(100_000, &mut rng);
        let t = Instant::now();
        let distinct_index = NameIndex::new(&distinct);
        let distinct_build = t.elapsed();
        let t = Instant::now();
        for text in &texts {
            masked_chars += distinct_index.mask(text, None, None, &labels()).chars().count();
        }
        let distinct_mask = t.elapsed();
        println!(
            "pseudonym timing (all names distinct): build 100,000 people {distinct_build:?} ({} forms); \
             mask {:?}/report",
            distinct_index.forms.len(),
            distinct_mask / 1_000,
        );
        println!(
            "pseudonym timing: build 1,200 people {:?} ({} forms), 100,000 people {:?} ({} forms); \
             mask 1,000 texts of ~1,500 chars: {:?} ({:?}/report) on 100,000, {:?} ({:?}/report) on 1,200; {masked_chars} chars out",
            small_build,
            small_index.forms.len(),
            big_build,
            index.forms.len(),
            big_mask,
            big_mask / 1_000,
            small_mask,
            small_mask / 1_000,
        );
        assert_eq!(index.len(), 100_000);
    }
}
