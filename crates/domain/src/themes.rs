//! Japanese text themes (テーマ, issue 9 item 3): the pure rules that turn the morphemes of an
//! approved report into the set of terms it is indexed under.
//!
//! The morphological analysis itself (lindera with IPADIC) lives in the `careerdock-tokenize`
//! crate; it hands over [`Morpheme`]s with IPADIC's part of speech. Here:
//!
//! - consecutive nouns are joined into one compound (キャリア + 形成 → キャリア形成), and a suffix
//!   noun (名詞,接尾: 性, 化, 力, 的 …) is joined to the noun before it (方向 + 性 → 方向性);
//! - numbers, symbols, pronouns, dependent nouns (こと, もの, ため …) and anything that is not a
//!   noun end a compound and are dropped; so is a compound of a single kana, of digits or
//!   symbols only, or longer than [`MAX_TERM_CHARS`];
//! - a built-in list of stop words (nouns that say nothing about a theme: 面談, 本人, 今後 …)
//!   is removed, then the tenant's synonyms map a term to its canonical form and the tenant's
//!   stop words are removed (before and after the mapping);
//! - finally a term that is, or contains, a person's or department's name is dropped: the
//!   caller passes the test (the pseudonymizer's [`crate::pseudonym::NameIndex`], through
//!   [`names_filter`]), so that no theme ever names someone.

use crate::pseudonym::{MaskLabels, NameIndex};
use std::collections::{BTreeMap, BTreeSet};

/// One morpheme as the analyzer found it: the surface and IPADIC's part of speech (品詞) with
/// its first two subcategories (「名詞」「接尾」「一般」).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Morpheme {
    pub surface: String,
    pub pos: String,
    pub sub1: String,
    pub sub2: String,
}

impl Morpheme {
    pub fn new(surface: &str, pos: &str, sub1: &str, sub2: &str) -> Self {
        Morpheme { surface: surface.to_string(), pos: pos.to_string(), sub1: sub1.to_string(), sub2: sub2.to_string() }
    }
}

/// The longest term kept, in characters: a longer run of nouns is a list, not a theme.
pub const MAX_TERM_CHARS: usize = 16;

/// The most synonyms or stop words a tenant may keep, and the longest entry.
pub const MAX_ENTRIES: usize = 500;
pub const MAX_ENTRY_CHARS: usize = MAX_TERM_CHARS;

/// Nouns that appear in nearly every report and name no theme. Compared after [`normalize`].
pub const STOP_WORDS: &[&str] = &[
    // The interview itself and its people.
    "面談",
    "面接",
    "本人",
    "社員",
    "従業員",
    "相談",
    "相談者",
    "対象者",
    "面談者",
    "担当",
    "上司",
    "部下",
    "会社",
    "当社",
    "弊社",
    "職場",
    "話",
    "内容",
    "報告",
    "報告書",
    "記録",
    "回答",
    "質問",
    "確認",
    "説明",
    "発言",
    "意見",
    "様子",
    // Time words.
    "今回",
    "前回",
    "次回",
    "今後",
    "現在",
    "以前",
    "最近",
    "今年",
    "昨年",
    "来年",
    "今期",
    "来期",
    "当時",
    "時点",
    "時期",
    "期間",
    "毎日",
    "今日",
    "先日",
    "年度",
    "半年",
    "将来的",
    // Words of structure and degree.
    "こと",
    "もの",
    "ため",
    "よう",
    "とき",
    "ところ",
    "場合",
    "部分",
    "全体",
    "一部",
    "以上",
    "以下",
    "程度",
    "状況",
    "状態",
    "感じ",
    "必要",
    "可能",
    "特",
    "他",
    "方",
    "点",
    "面",
    "中",
    "後",
    "前",
    "上",
    "下",
    "内",
    "外",
    "間",
    "際",
    "等",
    "的",
    "自分",
    "自身",
    "皆",
    "みんな",
    "方向",
    "予定",
    "具体",
    "具体的",
    "様々",
    "色々",
    "いろいろ",
    "一つ",
    "何",
    "件",
    // Words of the reports' own phrasing that came out as top themes of the 2,000-employee
    // bench (「月1回」「一緒に整理する」「目標を設定」「明確に」「十分」「特定の」「所属」「同意」):
    // they say how something is done, not what it is about.
    "月",
    "一緒",
    "明確",
    "設定",
    "整理",
    "十分",
    "特定",
    "所属",
    "同意",
];

/// Whether a normalized term is one of [`STOP_WORDS`].
pub fn is_stop_word(term: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect()).contains(term)
}

/// Compares terms as written by people: full-width Latin letters and digits folded to
/// half-width, Latin letters lower-cased, spaces trimmed. Kana and kanji stay as they are.
pub fn normalize(term: &str) -> String {
    // Most terms are kana and kanji already as compared: no copy through the folding.
    let plain = |c: char| !c.is_ascii_uppercase() && !c.is_whitespace() && !matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}');
    if term.chars().all(|c| plain(c) && (c.is_ascii() || !c.is_uppercase())) {
        return term.to_string();
    }
    term.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The tenant's own rules (R13): synonyms mapped to a canonical term, and stop words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThemeRules {
    /// A variant (normalized) → its canonical term (as written).
    pub synonyms: BTreeMap<String, String>,
    /// Stop words (normalized).
    pub stop_words: BTreeSet<String>,
}

/// A problem with one line of the tenant's lists: which line and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleProblem {
    /// 1-based line number.
    pub line: usize,
    pub ja: String,
    pub en: String,
}

impl ThemeRules {
    /// Reads the two lists as typed in the settings page: synonyms one group a line,
    /// 「正規の語 = 別表記, 別表記 …」 (「＝」「、」「，」 accepted too); stop words one a line (or
    /// separated by commas). Empty lines are skipped. Every problem is reported with its line.
    pub fn parse(synonyms: &str, stop_words: &str) -> Result<ThemeRules, (Vec<RuleProblem>, Vec<RuleProblem>)> {
        let mut rules = ThemeRules::default();
        let mut syn_problems = Vec::new();
        let mut stop_problems = Vec::new();
        for (i, line) in synonyms.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let Some((canonical, variants)) = line.split_once(['=', '＝']) else {
                syn_problems.push(problem(
                    line_no,
                    "「正規の語 = 別表記, 別表記」の形で入力してください。",
                    "write it as \"canonical = variant, variant\"",
                ));
                continue;
            };
            let canonical = canonical.trim();
            let variants: Vec<&str> = split_list(variants);
            if canonical.is_empty() || variants.is_empty() {
                syn_problems.push(problem(
                    line_no,
                    "正規の語と、少なくとも1つの別表記を入力してください。",
                    "give the canonical term and at least one variant",
                ));
                continue;
            }
            for word in std::iter::once(canonical).chain(variants.iter().copied()) {
                if let Some(p) = entry_problem(line_no, word) {
                    syn_problems.push(p);
                }
            }
            for v in variants {
                let key = normalize(v);
                if key == normalize(canonical) {
                    continue;
                }
                if let Some(other) = rules.synonyms.get(&key) {
                    if other != canonical {
                        syn_problems.push(problem(
                            line_no,
                            &format!("「{v}」は別の行で「{other}」の別表記になっています。"),
                            &format!("\"{v}\" is already a variant of \"{other}\" on another line"),
                        ));
                        continue;
                    }
                }
                rules.synonyms.insert(key, canonical.to_string());
            }
        }
        for (i, line) in stop_words.lines().enumerate() {
            for word in split_list(line) {
                match entry_problem(i + 1, word) {
                    Some(p) => stop_problems.push(p),
                    None => {
                        rules.stop_words.insert(normalize(word));
                    }
                }
            }
        }
        if rules.synonyms.len() > MAX_ENTRIES {
            syn_problems.push(problem(0, &format!("別表記は{MAX_ENTRIES}語までです。"), &format!("at most {MAX_ENTRIES} variants")));
        }
        if rules.stop_words.len() > MAX_ENTRIES {
            stop_problems.push(problem(0, &format!("除外語は{MAX_ENTRIES}語までです。"), &format!("at most {MAX_ENTRIES} stop words")));
        }
        if syn_problems.is_empty() && stop_problems.is_empty() {
            Ok(rules)
        } else {
            Err((syn_problems, stop_problems))
        }
    }

    /// The synonyms as the settings page shows them: one canonical term a line with its
    /// variants, in a stable order.
    pub fn synonyms_text(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (variant, canonical) in &self.synonyms {
            groups.entry(canonical.as_str()).or_default().push(variant.as_str());
        }
        groups.into_iter().map(|(c, vs)| format!("{c} = {}", vs.join(", "))).collect::<Vec<_>>().join("\n")
    }

    /// The stop words, one a line.
    pub fn stop_words_text(&self) -> String {
        self.stop_words.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// A stable fingerprint of the rules: the index records it, and a change re-indexes.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (v, c) in &self.synonyms {
            h.update(v.as_bytes());
            h.update([0]);
            h.update(c.as_bytes());
            h.update([1]);
        }
        h.update([2]);
        for s in &self.stop_words {
            h.update(s.as_bytes());
            h.update([0]);
        }
        hex::encode(&h.finalize()[..8])
    }
}

fn split_list(s: &str) -> Vec<&str> {
    s.split([',', '、', '，']).map(str::trim).filter(|w| !w.is_empty()).collect()
}

fn problem(line: usize, ja: &str, en: &str) -> RuleProblem {
    RuleProblem { line, ja: ja.to_string(), en: en.to_string() }
}

fn entry_problem(line: usize, word: &str) -> Option<RuleProblem> {
    let n = word.chars().count();
    if n > MAX_ENTRY_CHARS {
        return Some(problem(
            line,
            &format!("「{word}」が長すぎます（{MAX_ENTRY_CHARS}文字まで）。"),
            &format!("\"{word}\" is too long (at most {MAX_ENTRY_CHARS} characters)"),
        ));
    }
    if word.chars().any(|c| c.is_control() || c == '=' || c == '＝') {
        return Some(problem(
            line,
            &format!("「{word}」に使えない文字が含まれています。"),
            &format!("\"{word}\" has a character that cannot be used"),
        ));
    }
    None
}

/// Whether a noun of this subcategory may stand in a compound (as its head or inside it).
fn content_noun(m: &Morpheme) -> bool {
    m.pos == "名詞" && matches!(m.sub1.as_str(), "一般" | "固有名詞" | "サ変接続" | "形容動詞語幹" | "ナイ形容詞語幹" | "副詞可能")
}

/// A suffix noun joined to the noun before it (方向|性, 活性|化, 主体|的, 管理|職).
fn suffix_noun(m: &Morpheme) -> bool {
    m.pos == "名詞" && m.sub1 == "接尾" && m.sub2 != "助数詞"
}

fn is_kana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}' | '\u{30A0}'..='\u{30FF}' | '\u{FF66}'..='\u{FF9F}')
}

/// Whether a joined compound may be a term at all (before stop words and synonyms).
fn keepable(term: &str) -> bool {
    let n = term.chars().count();
    if n == 0 || n > MAX_TERM_CHARS {
        return false;
    }
    if n == 1 && term.chars().all(|c| is_kana(c) || c.is_ascii()) {
        return false;
    }
    // Digits, symbols and punctuation only: no theme.
    if term.chars().all(|c| !c.is_alphabetic() || c.is_numeric()) {
        return false;
    }
    if term.chars().any(|c| c.is_numeric() || c.is_whitespace()) {
        return false;
    }
    true
}

/// The noun compounds of a text's morphemes, in order, as written (before any list).
pub fn compounds(morphemes: &[Morpheme]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            out.push(std::mem::take(current));
        }
    };
    for m in morphemes {
        // A suffix noun joins only a noun before it; alone it is dropped.
        if content_noun(m) || (suffix_noun(m) && !current.is_empty()) {
            current.push_str(&m.surface);
        } else {
            flush(&mut current, &mut out);
        }
    }
    flush(&mut current, &mut out);
    out
}

/// The distinct terms of one report's morphemes under the tenant's rules; `is_name` says
/// whether a term is, or contains, a person's or department's name (such a term is dropped).
pub fn extract_terms(morphemes: &[Morpheme], rules: &ThemeRules, is_name: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for compound in compounds(morphemes) {
        if let Some(term) = term_of(&compound, rules) {
            // The name test is the costly one: once per distinct term.
            if !terms.contains(&term) && !is_name(&term) {
                terms.insert(term);
            }
        }
    }
    terms
}

/// One compound's term under the rules, or `None` when it is dropped.
pub fn term_of(compound: &str, rules: &ThemeRules) -> Option<String> {
    let key = normalize(compound);
    if !keepable(&key) || is_stop_word(&key) || rules.stop_words.contains(&key) {
        return None;
    }
    let term = match rules.synonyms.get(&key) {
        Some(canonical) => canonical.trim().to_string(),
        None => key,
    };
    let canonical_key = normalize(&term);
    if term.is_empty() || is_stop_word(&canonical_key) || rules.stop_words.contains(&canonical_key) {
        return None;
    }
    Some(term)
}

/// The test for [`extract_terms`] from the tenant's name index: a term the pseudonymizer would
/// mask (wholly or in part: a name, a department, an employee number) names someone.
pub fn names_filter(index: &NameIndex) -> impl Fn(&str) -> bool + '_ {
    let labels = MaskLabels::ja("");
    move |term: &str| index.mask(term, None, None, &labels) != term
}

#[cfg(test)]
mod tests;
