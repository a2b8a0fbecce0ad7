//! Pseudonymized sharing (R2): consultants read colleagues' approved individual reports as case
//! studies, so every known person's name is masked and identifying details are coarsened.
//!
//! Matching runs on a folded copy of the text (hiragana and half-width katakana to katakana,
//! variant kanji to their common form, invisible characters dropped), so that 「やまだ」「ﾔﾏﾀﾞ」
//! 「髙橋」 and 「山\u{200B}田」 cannot slip through; offsets are mapped back to the original text.
//!
//! The same pass removes the quasi-identifiers that would undo the coarsened header (department
//! shown as its level, age as a band): the tenant's department names become 「ある部署」 and
//! exact ages (「30歳」「（満３４才）」) their decade (「30代」). See [`NameIndex::mask`].

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

/// Who bears one folded name form: as a family name, as a given name, or both (for different
/// people); and whether it is also a spelling of one of the tenant's departments.
struct Form {
    family: Vec<usize>,
    given: Vec<usize>,
    department: bool,
    chars: usize,
    kana: bool,
    ascii: bool,
}

/// All name forms of a tenant's people, and the names of its departments, in one Aho–Corasick
/// automaton. Built once per tenant and reused for many texts.
pub struct NameIndex {
    ids: Vec<i64>,
    slot_of: HashMap<i64, usize>,
    forms: Vec<Form>,
    /// How many of `forms` are department spellings.
    departments: usize,
    /// None only if the automaton could not be built; `mask` then fails closed.
    names: Option<AhoCorasick>,
    common: Option<AhoCorasick>,
}

impl fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameIndex")
            .field("people", &self.ids.len())
            .field("forms", &self.forms.len())
            .field("departments", &self.departments)
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

/// What replaces a department name (see [`department_label`]).
const DEPARTMENT_LABEL_JA: &str = "ある部署";
const DEPARTMENT_LABEL_EN: &str = "a department";

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
const DEPARTMENT_JOINERS: &[char] = &[' ', '\u{3000}', '\t', '/', '／'];
const MAX_JOINERS: usize = 3;

/// Right after an age, words that make it a bound, a band or a difference rather than someone's
/// age (30歳以上, 30歳代, 3歳年上, 2歳差): left alone.
const AGE_NOT_AN_AGE: &[&str] = &["以上", "以下", "未満", "超", "代", "台", "前後", "差", "年上", "年下", "上の", "下の", "違い", "若"];
const KANJI_DIGITS: &str = "〇一二三四五六七八九";
/// Kanji that, right before a kanji number, make it part of a bigger one (百二十歳) or a word (万歳).
const KANJI_NUMBER_CHARS: &str = "〇一二三四五六七八九十百千万億";

impl NameIndex {
    /// Indexes every name form of every person (kanji and kana, family and given), and no
    /// department: [`NameIndex::with_departments`] with none.
    ///
    /// Fails closed: if the automaton cannot be built (only past billions of states),
    /// [`NameIndex::mask`] returns an empty string rather than unmasked text.
    pub fn new(people: &[KnownPerson]) -> NameIndex {
        NameIndex::with_departments(people, &[])
    }

    /// Indexes every name form of every person, and the tenant's departments, each given as a
    /// path (「営業本部/第一営業部」) or a name; giving both is harmless.
    ///
    /// Of a path, the full path is indexed, and its last segment on its own if it is the specific
    /// name of a unit: 3 characters or more, ending in a unit word (部 課 室 係 班 局 所 店 社
    /// センター チーム グループ, 1G …), not a generic unit (営業所, 事業部, 会議室, センター …)
    /// and not a function (…部門). So 「第一営業部」「品質保証課」「営業部」 are masked wherever
    /// they stand, while 人事, 人事部門, 経営層, 管理職, マーケティング, 営業所 stay words. Ancestors
    /// are departments of their own and are indexed from their own rows.
    pub fn with_departments(people: &[KnownPerson], departments: &[String]) -> NameIndex {
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
                        forms.push(Form { family: Vec::new(), given: Vec::new(), department: false, chars, kana, ascii });
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
        let mut department_count = 0;
        for raw in departments {
            for form in department_forms(raw) {
                let at = match form_of.get(&form) {
                    Some(&at) => at,
                    None => {
                        let chars = form.chars().count();
                        let kana = form.chars().all(is_katakana);
                        let ascii = form.chars().all(|c| c.is_ascii_alphanumeric());
                        form_of.insert(form.clone(), forms.len());
                        patterns.push(form);
                        forms.push(Form { family: Vec::new(), given: Vec::new(), department: false, chars, kana, ascii });
                        forms.len() - 1
                    }
                };
                if !forms[at].department {
                    forms[at].department = true;
                    department_count += 1;
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
        NameIndex { ids, slot_of, forms, departments: department_count, names, common }
    }

    /// How many distinct people are indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no one is indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// How many department spellings (names and paths) are indexed.
    pub fn department_forms(&self) -> usize {
        self.departments
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
    /// first.
    ///
    /// In the same pass, every indexed department spelling becomes 「ある部署」 ("a department"
    /// when `labels.boss` is plain ASCII, as in [`MaskLabels::en`]), longest first, unless it runs
    /// on into a longer word: katakana into katakana, Latin into Latin, or a continuation such as
    /// 人事部|門 or 開発課|題 (see [`NameIndex::with_departments`] for what is indexed). Department
    /// names next to each other, or separated only by up to three spaces or 「/」, get one label.
    /// A person's name wins where it overlaps a department, except a bare name form (no
    /// honorific, title or given name) lying inside one: 「中村工場」 is the plant. Titles after a
    /// department stay (品質保証課長 → ある部署長).
    ///
    /// An exact age, in half- or full-width digits or kanji (「30歳」「（満３４才）」「三十歳」),
    /// becomes its decade: 「30代」; 10–19 「10代」, under 10 「10歳未満」, 70 and over 「70代以上」.
    /// Bounds, bands and differences stay (30歳以上, 30歳代, 3歳年上, 2歳差). Tenure and other
    /// numbers are left alone.
    ///
    /// Linear in the length of the text (plus the matches found). Applying `mask` to its own
    /// output changes nothing.
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
        // A name or department lying wholly inside a label already in the text is the label
        // (masking twice changes nothing); one that only overlaps it is a name (村上司 with the
        // label 上司).
        let labelled = Reach::new(label_spans(text, labels));
        let span = |h: &Hit| (folded.orig[h.start], folded.orig[h.end]);

        let mut departments: Vec<Hit> = hits.iter().filter(|h| self.forms[h.form].department).copied().collect();
        departments.retain(|h| {
            let (s, e) = span(h);
            !labelled.covers(s, e)
        });
        // A department name right next to another one is a path written without 「/」: that
        // side is not checked for running on into another word (製造本部品質保証部).
        let mut starts = vec![false; if departments.is_empty() { 0 } else { norm.len() + 1 }];
        let mut ends = starts.clone();
        for h in &departments {
            starts[h.start] = true;
            ends[h.end] = true;
        }
        let joined = |h: &Hit| (ends[h.start], starts[h.end]);
        let standing = Reach::new(departments.iter().filter(|h| department_fits(text, &folded, h, joined(h), None)).map(span));

        let mut candidates = Vec::new();
        for hit in &hits {
            self.full_names(text, &folded, &hits, hit, &mut candidates);
            if let Some(single) = self.single(text, &folded, hit, &common) {
                candidates.push(single);
            }
        }
        candidates.retain(|c| !labelled.covers(c.start, c.end));
        // A bare name form inside a department name stands back for it (and is masked after the
        // departments if a department is not).
        let (deferred, candidates): (Vec<Candidate>, Vec<Candidate>) = if standing.is_empty() {
            (Vec::new(), candidates)
        } else {
            candidates.into_iter().partition(|c| c.bare && standing.covers(c.start, c.end))
        };
        let mut covered = vec![false; text.len()];
        let mut chosen = select(candidates, &mut covered);

        // Departments: longest first, never over a name.
        let mut found: Vec<(usize, usize)> =
            departments.iter().filter(|h| department_fits(text, &folded, h, joined(h), Some(&covered))).map(span).collect();
        found.sort_unstable_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        for (start, end) in found {
            if take(&mut covered, start, end) {
                chosen.push(Candidate { start, end, full: false, bare: false, who: Who::Department });
            }
        }
        chosen.extend(select(deferred, &mut covered));
        for age in ages(text, &folded) {
            if !labelled.covers(age.start, age.end) && take(&mut covered, age.start, age.end) {
                chosen.push(age);
            }
        }
        chosen.sort_unstable_by_key(|c| c.start);
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
            out.push(Candidate { start: folded.orig[family.start], end, full: true, bare: false, who: Who::People(both) });
        }
    }

    /// A family or given form on its own, accepted when the evidence says it is a name here.
    fn single(&self, text: &str, folded: &Folded, hit: &Hit, common: &[(usize, usize)]) -> Option<Candidate> {
        let form = &self.forms[hit.form];
        if form.family.is_empty() && form.given.is_empty() {
            return None;
        }
        let norm = folded.text.as_str();
        if form.ascii && (alnum_before(norm, hit.start) || alnum_after(norm, hit.end)) {
            return None;
        }
        let start = folded.orig[hit.start];
        let name_end = folded.orig[hit.end];
        let is_family = !form.family.is_empty();
        let first = norm[hit.start..].chars().next();
        let after = after_name(&text[name_end..], is_family);
        let bare = matches!(after, After::Plain);
        let (end, guard_end) = match after {
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
        Some(Candidate { start, end, full: false, bare, who: Who::Form(hit.form) })
    }

    fn render(&self, text: &str, chosen: &[Candidate], subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
        let subject = subject.and_then(|id| self.slot_of.get(&id).copied());
        let boss = boss.and_then(|id| self.slot_of.get(&id).copied());
        let mut letters: HashMap<Vec<usize>, String> = HashMap::new();
        let mut out = String::with_capacity(text.len() + chosen.len() * 8);
        let department = department_label(labels);
        let mut at = 0;
        let mut after_department = false;
        for c in chosen {
            let gap = &text[at..c.start];
            let people = match &c.who {
                Who::People(p) => p.clone(),
                Who::Form(f) => union(&self.forms[*f].family, &self.forms[*f].given),
                Who::Department => {
                    let joins =
                        after_department && gap.chars().count() <= MAX_JOINERS && gap.chars().all(|ch| DEPARTMENT_JOINERS.contains(&ch));
                    if !joins {
                        out.push_str(gap);
                        out.push_str(department);
                    }
                    at = c.end;
                    after_department = true;
                    continue;
                }
                Who::Age(years) => {
                    out.push_str(gap);
                    out.push_str(&age_decade(*years));
                    at = c.end;
                    after_department = false;
                    continue;
                }
            };
            out.push_str(gap);
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
            after_department = false;
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
    Department,
    /// An exact age, in years.
    Age(u32),
}

/// A span of the original text to mask (a title after it is not part of it).
struct Candidate {
    start: usize,
    end: usize,
    full: bool,
    /// A single name form with neither honorific nor title after it.
    bare: bool,
    who: Who,
}

/// Full names first, then single forms; within each, leftmost then longest, never overlapping
/// each other or what `covered` already holds (which grows by what is chosen).
fn select(mut candidates: Vec<Candidate>, covered: &mut [bool]) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.full.cmp(&a.full).then(a.start.cmp(&b.start)).then(b.end.cmp(&a.end)));
    let mut chosen = Vec::new();
    for c in candidates {
        if take(covered, c.start, c.end) {
            chosen.push(c);
        }
    }
    chosen
}

/// Marks `start..end` as covered if none of it is yet; says whether it did.
fn take(covered: &mut [bool], start: usize, end: usize) -> bool {
    if covered[start..end].iter().any(|&b| b) {
        return false;
    }
    covered[start..end].iter_mut().for_each(|b| *b = true);
    true
}

/// Spans of a text, for asking in logarithmic time whether one of them wholly covers a range.
struct Reach {
    /// Starts, ascending.
    starts: Vec<usize>,
    /// For each start, the furthest end of the spans starting there or before.
    reach: Vec<usize>,
}

impl Reach {
    fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> Reach {
        let mut spans: Vec<(usize, usize)> = spans.into_iter().collect();
        spans.sort_unstable();
        let starts = spans.iter().map(|s| s.0).collect();
        let reach = spans
            .iter()
            .scan(0, |furthest, s| {
                *furthest = s.1.max(*furthest);
                Some(*furthest)
            })
            .collect();
        Reach { starts, reach }
    }

    fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Whether one span starts at or before `start` and ends at or after `end`.
    fn covers(&self, start: usize, end: usize) -> bool {
        let n = self.starts.partition_point(|&s| s <= start);
        n > 0 && self.reach[n - 1] >= end
    }
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
    for label in [labels.subject.as_str(), labels.boss.as_str(), department_label(labels)] {
        if !label.is_empty() {
            spans.extend(text.match_indices(label).map(|(i, l)| (i, i + l.len())));
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

/// The department label in the language of `labels`: English when the boss label is plain
/// ASCII (as in [`MaskLabels::en`]), Japanese otherwise.
fn department_label(labels: &MaskLabels) -> &'static str {
    if !labels.boss.is_empty() && labels.boss.is_ascii() {
        DEPARTMENT_LABEL_EN
    } else {
        DEPARTMENT_LABEL_JA
    }
}

/// The spellings under which a department, given as a path or a name, is indexed: its full path
/// and, if it is the specific name of a unit, its last segment; each folded as the text will be,
/// with and without inner spaces.
fn department_forms(raw: &str) -> Vec<String> {
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
fn specific_unit(segment: &str) -> bool {
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
fn department_fits(text: &str, folded: &Folded, hit: &Hit, (joined_left, joined_right): (bool, bool), named: Option<&[bool]>) -> bool {
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

/// Exact ages, as candidates over the original text: an optional 満, a number (1–3 digits, or
/// kanji up to 九十九), 歳 or 才, and a 半 after it; not a bound, band or difference.
fn ages(text: &str, folded: &Folded) -> Vec<Candidate> {
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
fn kanji_number(s: &str) -> Option<u32> {
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
fn age_decade(years: u32) -> String {
    match years {
        0..=9 => "10歳未満".to_owned(),
        10..=69 => format!("{}代", years / 10 * 10),
        _ => "70代以上".to_owned(),
    }
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
    use std::time::{Duration, Instant};

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

    // ---- departments and ages ----

    fn departments() -> Vec<String> {
        [
            "役員室",
            "営業本部",
            "営業本部/第一営業部",
            "営業本部/第一営業部/営業推進課",
            "営業本部/営業部",
            "営業本部/マーケティング部/マーケティング課",
            "製造本部",
            "製造本部/品質保証部",
            "製造本部/品質保証部/品質保証課",
            "製造本部/中村工場",
            "管理本部",
            "管理本部/人事部",
            "管理本部/人事部/健康推進課",
            "管理本部/人事部門",
            "開発本部/開発部/開発課",
            "開発本部/開発部/開発 1G",
            "営業本部/営業所",
            "経営企画本部/人材開発",
            "本社/総務",
            "本社/会議室",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn dept_index() -> NameIndex {
        let mut people = people();
        people.push(person(13, "中村", "亮", "ナカムラ", "リョウ"));
        people.push(person(14, "門田", "門太", "カドタ", "モンタ"));
        NameIndex::with_departments(&people, &departments())
    }

    fn dmask(text: &str) -> String {
        dept_index().mask(text, None, None, &labels())
    }

    #[test]
    fn pseudonym_department_names_are_masked() {
        assert_eq!(dmask("品質保証課の業務量は増加傾向"), "ある部署の業務量は増加傾向");
        assert_eq!(dmask("営業推進課では人手が足りない。"), "ある部署では人手が足りない。");
        assert_eq!(dmask("役員室と営業部、健康推進課の保健師"), "ある部署とある部署、ある部署の保健師");
        // A path, however written, is one department.
        for text in [
            "営業本部/第一営業部",
            "営業本部／第一営業部",
            "営業本部 / 第一営業部",
            "営業本部　第一営業部",
            "営業本部第一営業部",
            "製造本部品質保証部",
            "本社/総務",
        ] {
            assert_eq!(dmask(&format!("{text}に異動")), "ある部署に異動", "{text}");
        }
        assert_eq!(dmask("営業部から第一営業部へ"), "ある部署からある部署へ");
        assert_eq!(dmask("第一営業部門の方針"), "ある部署の方針");
        // Titles stay; folded spellings are found; a Latin unit needs word edges.
        assert_eq!(dmask("品質保証課長の山田さん"), "ある部署長の関係者A");
        assert_eq!(dmask("品質\u{200B}保証課、ﾏｰｹﾃｨﾝｸﾞ課"), "ある部署、ある部署");
        assert_eq!(dmask("開発 1Gのリーダー、開発1G"), "ある部署のリーダー、ある部署");
        assert_eq!(dmask("開発 1GB のメモリ"), "開発 1GB のメモリ");
        let en = MaskLabels::en("K-TEST-0001");
        assert_eq!(dept_index().mask("品質保証課の山田さん", None, None, &en), "a departmentのPerson A");
        assert_eq!(dept_index().department_forms(), 34);
        assert_eq!(NameIndex::new(&people()).department_forms(), 0);
    }

    #[test]
    fn pseudonym_department_rule_keeps_ordinary_words() {
        // Short names, generic units, functions (…部門), names without a unit word, and names
        // running on into a longer word all stay.
        let plain = concat!(
            "人事部門の方針と開発課題、部品の調達。営業所を回り、会議室で話した。",
            "人材開発の経験を活かし、総務と人事、本社の意向、経営層と管理職の期待。",
            "デジタルマーケティング課、品質保証課題、人事部署の役割、営業部隊。",
        );
        assert_eq!(dmask(plain), plain);
        assert_eq!(dmask("人事部の方針"), "ある部署の方針");
        assert_eq!(dmask("人事部門"), "人事部門");
        // The continuation is a name: a department is masked, and so is the name.
        assert_eq!(dmask("人事部門太さん"), "ある部署関係者A");
        // Without departments nothing of this changes.
        let names_only = NameIndex::new(&people());
        assert_eq!(names_only.mask("品質保証課の業務量", None, None, &labels()), "品質保証課の業務量");
    }

    #[test]
    fn pseudonym_names_win_over_departments_unless_bare_inside() {
        assert_eq!(dmask("中村工場の生産計画"), "ある部署の生産計画");
        assert_eq!(dmask("中村さんは中村工場へ"), "関係者Aはある部署へ");
        assert_eq!(dmask("中村工場長と話した"), "関係者A工場長と話した");
        assert_eq!(dmask("中村亮工場"), "関係者A工場");
        assert_eq!(dmask("中村の異動"), "関係者Aの異動");
    }

    #[test]
    fn pseudonym_exact_ages_become_decades() {
        for (text, masked) in [
            ("本人（30歳）は", "本人（30代）は"),
            ("本人(満34才)は", "本人(30代)は"),
            ("３０歳を迎え", "30代を迎え"),
            ("満３９歳", "30代"),
            ("三十四歳で", "30代で"),
            ("二十歳の頃", "20代の頃"),
            ("十九歳", "10代"),
            ("19歳で入社", "10代で入社"),
            ("5歳の娘", "10歳未満の娘"),
            ("1歳半の子", "10歳未満の子"),
            ("72歳の母", "70代以上の母"),
            ("105歳", "70代以上"),
            ("4\u{200B}5歳", "40代"),
            ("30歳上司", "30代上司"),
            ("円満30歳", "円満30代"),
        ] {
            assert_eq!(mask(text), masked, "{text}");
        }
        // Bounds, bands, differences, placeholders, tenure and other numbers stay.
        let plain = concat!(
            "30歳以上、30歳代、40歳前後、3歳年上の同僚、3歳上の兄、2歳差、10歳未満、〇〇歳、○○歳、万歳、",
            "千歳空港、百二十歳、1234歳、2.5歳、入社5年目、30代、30年",
        );
        assert_eq!(mask(plain), plain);
    }

    #[test]
    fn pseudonym_departments_and_ages_mask_once() {
        let index = dept_index();
        for text in [
            "本人（30歳）は品質保証課の山田さんと営業本部 / 第一営業部の佐藤課長について話した。",
            "人事部門太さん、中村工場の中村さん、5歳の娘、開発課題、営業本部品質保証課",
            "ある部署の関係者Aは30代",
        ] {
            for l in [labels(), MaskLabels::en("K-TEST-0001")] {
                let once = index.mask(text, Some(1), Some(2), &l);
                assert_eq!(index.mask(&once, Some(1), Some(2), &l), once, "{text}");
            }
        }
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

    // ---- property: no indexed department and no exact age survives ----

    #[rustfmt::skip]
    const DEPARTMENT_BANK: &[&str] = &[
        "役員室", "営業本部", "営業本部/第一営業部", "営業本部/第一営業部/法人営業課",
        "営業本部/第一営業部/営業推進課", "営業本部/第二営業部/代理店営業課", "営業本部/第二営業部/法人営業第二課",
        "営業本部/マーケティング部/デジタルマーケティング課", "製造本部", "製造本部/品質保証部",
        "製造本部/品質保証部/品質保証課", "製造本部/品質保証部/検査課", "製造本部/製造部/組立課",
        "管理本部", "管理本部/人事部", "管理本部/人事部/人事課", "管理本部/人事部/健康推進課",
        "開発本部", "開発本部/開発部/ソフトウェア開発課", "開発本部/開発部/設計課",
        "管理本部/情報システム部/情報セキュリティ課", "営業本部/カスタマーサポート部/お客様相談課",
        "経営企画本部/経営企画部/IR課", "管理本部/総務部/総務課",
    ];

    /// Before and after a department mentioned in the text.
    const DEPARTMENT_BEFORE: &[&str] = &["、", "は", "と", "\n", "（", "。"];
    const DEPARTMENT_AFTER: &[&str] = &["", "", "の", "では", "長", "から", "）", "に異動した。", "の業務量は増加傾向"];

    /// Every spelling of the bank's departments that must never appear in masked text.
    fn forbidden_departments() -> Vec<String> {
        let mut out = Vec::new();
        for path in DEPARTMENT_BANK {
            let last = path.rsplit('/').next().unwrap_or(path);
            if specific_unit(last) {
                out.push(last.to_owned());
            }
            if path.contains('/') {
                out.push((*path).to_owned());
            }
        }
        out
    }

    fn department_mention(path: &str, kind: usize) -> String {
        let last = path.rsplit('/').next().unwrap_or(path);
        match kind {
            0 | 1 => last.to_owned(),
            2 => path.to_owned(),
            3 => path.replace('/', "／"),
            4 => path.replace('/', " "),
            5 => path.replace('/', " / "),
            _ => path.replace('/', ""),
        }
    }

    fn age_mention(years: u32, style: usize, man: bool) -> String {
        const FULL: [char; 10] = ['０', '１', '２', '３', '４', '５', '６', '７', '８', '９'];
        let number = match style {
            1 => years.to_string().chars().map(|d| FULL[d.to_digit(10).unwrap_or(0) as usize]).collect(),
            2 if (1..100).contains(&years) => {
                let digit = |d: u32| KANJI_DIGITS.chars().nth(d as usize).map(String::from).unwrap_or_default();
                let tens = match years / 10 {
                    0 => String::new(),
                    1 => "十".to_owned(),
                    t => format!("{}十", digit(t)),
                };
                let ones = match years % 10 {
                    0 => String::new(),
                    d => digit(d),
                };
                format!("{tens}{ones}")
            }
            _ => years.to_string(),
        };
        let unit = if style == 3 { "才" } else { "歳" };
        format!("{}{number}{unit}", if man { "満" } else { "" })
    }

    #[test]
    fn pseudonym_department_bank_is_sound() {
        let departments = forbidden_departments();
        assert_eq!(departments.len(), 43);
        for f in 0..FAMILIES.len() {
            for g in 0..GIVENS.len() {
                for form in forbidden_forms(&bank_person(1, f, g)) {
                    for d in DEPARTMENT_BANK.iter().chain(DEPARTMENT_BEFORE).chain(DEPARTMENT_AFTER) {
                        assert!(!d.contains(form.as_str()), "{d} contains {form}");
                    }
                }
            }
        }
        for d in &departments {
            for filler in FILLERS.iter().chain(SUFFIXES).chain(DEPARTMENT_BEFORE).chain(DEPARTMENT_AFTER) {
                assert!(!filler.contains(d.as_str()), "{filler} contains {d}");
            }
        }
        assert_eq!(age_mention(34, 2, true), "満三十四歳");
        assert_eq!(age_mention(20, 1, false), "２０歳");
        assert_eq!(age_mention(7, 3, false), "7才");
    }

    /// (kind: 0 name, 1 filler, 2 department, 3 age; which; form or style; suffix or flag)
    type Piece = (usize, usize, usize, usize);

    fn arb_pieces() -> impl Strategy<Value = (Vec<(usize, usize)>, Vec<Piece>, usize)> {
        (
            prop::collection::vec((0..FAMILIES.len(), 0..GIVENS.len()), 1..20),
            prop::collection::vec((0..4usize, 0..128usize, 0..17usize, 0..64usize), 1..40),
            0..64usize,
        )
    }

    proptest! {
        #[test]
        fn pseudonym_no_department_or_age_survives((picks, pieces, subject) in arb_pieces()) {
            let people: Vec<KnownPerson> = picks
                .iter()
                .enumerate()
                .map(|(i, &(f, g))| bank_person(i as i64 + 1, f, g))
                .collect();
            let paths: Vec<String> = DEPARTMENT_BANK.iter().map(|s| s.to_string()).collect();
            let index = NameIndex::with_departments(&people, &paths);
            let mut text = String::new();
            let mut ages_written = 0;
            for &(kind, which, form, extra) in &pieces {
                match kind {
                    0 => {
                        text.push_str(&name_form(&people[which % people.len()], form));
                        text.push_str(SUFFIXES[extra % SUFFIXES.len()]);
                    }
                    1 => text.push_str(FILLERS[which % FILLERS.len()]),
                    2 => {
                        text.push_str(DEPARTMENT_BEFORE[extra % DEPARTMENT_BEFORE.len()]);
                        text.push_str(&department_mention(DEPARTMENT_BANK[which % DEPARTMENT_BANK.len()], form));
                        text.push_str(DEPARTMENT_AFTER[(extra / 8) % DEPARTMENT_AFTER.len()]);
                    }
                    _ => {
                        let mention = age_mention(which as u32, form % 4, extra % 2 == 0);
                        text.push_str(if extra % 3 == 0 { "（" } else { "本人は" });
                        text.push_str(&mention);
                        text.push_str(if extra % 3 == 0 { "）" } else { "で、" });
                        ages_written += 1;
                    }
                }
            }
            let subject = Some(people[subject % people.len()].id);
            for l in [labels(), MaskLabels::en("K-TEST-0001")] {
                let out = index.mask(&text, subject, None, &l);
                for d in forbidden_departments() {
                    prop_assert!(!out.contains(d.as_str()), "{d} survived: {text} → {out}");
                }
                for p in &people {
                    for form in forbidden_forms(p) {
                        prop_assert!(protected(&form) || !out.contains(form.as_str()), "{form} survived: {text} → {out}");
                    }
                }
                prop_assert!(ages(&out, &fold(&out)).is_empty(), "an exact age survived: {text} → {out}");
                let bands = ["10歳未満", "代"].iter().map(|b| out.matches(b).count()).sum::<usize>();
                prop_assert!(bands >= ages_written, "{ages_written} ages, {bands} bands: {text} → {out}");
                prop_assert_eq!(index.mask(&out, subject, None, &l), out);
            }
        }
    }

    #[rustfmt::skip]
    const TRICKY: &[&str] = &[
        "人事部", "人事課", "品質保証課", "営業本部", "第一営業部", "中村工場", "開発 1G", "マーケティング課",
        "門", "題", "品", "所", "属", "内", "長", "課長", "さん", "様", "ヤ", "マ", "ー", "ｶ", "ﾞ", "A", "g", "1",
        "3", "０", "三", "十", "〇", "満", "歳", "才", "半", "以上", "代", "未満", "/", "／", " ", "　", "・",
        "ある部署", "関係者", "関係者A", "上司", "a department", "中村", "亮", "門田", "門太", "山田", "太郎",
        "ヤマダ", "林", "誠", "の", "\u{200B}",
    ];

    proptest! {
        #[test]
        fn pseudonym_masking_tricky_text_twice_changes_nothing(tokens in prop::collection::vec(0..TRICKY.len(), 1..30)) {
            let index = dept_index();
            let text: String = tokens.iter().map(|&t| TRICKY[t]).collect();
            for l in [labels(), MaskLabels::en("K-TEST-0001")] {
                let once = index.mask(&text, Some(1), Some(13), &l);
                prop_assert_eq!(index.mask(&once, Some(1), Some(13), &l), once.clone(), "{}", text);
            }
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
        department_timing(&people, &index, big_build, &texts[..500], &mut rng);
    }

    #[rustfmt::skip]
    const DEMO_KINDS: &[(&str, usize, &[&str])] = &[
        ("営業", 1, &["法人営業課", "営業推進課", "代理店営業課", "官公庁営業課", "海外営業課"]),
        ("人事", 4, &["人事課", "労務課", "人材開発課", "採用課", "健康推進課"]),
        ("製造", 3, &["製造課", "組立課", "加工課", "生産技術課", "設備保全課"]),
        ("開発", 2, &["設計課", "ソフトウェア開発課", "試作課", "評価課", "技術管理課"]),
        ("経理", 4, &["経理課", "財務課", "管理会計課", "税務課"]),
        ("総務", 4, &["総務課", "施設管理課", "庶務課", "秘書課"]),
        ("経営企画", 0, &["経営企画課", "広報課", "事業開発課", "IR課"]),
        ("品質保証", 3, &["品質管理課", "品質保証課", "検査課", "環境安全課"]),
        ("情報システム", 4, &["システム企画課", "インフラ課", "業務システム課", "情報セキュリティ課"]),
        ("マーケティング", 1, &["市場調査課", "販売促進課", "商品企画課", "デジタルマーケティング課"]),
        ("研究開発", 2, &["基礎研究課", "応用研究課", "材料研究課", "先行開発課"]),
        ("購買", 3, &["調達課", "購買管理課", "外注管理課"]),
        ("生産管理", 3, &["生産計画課", "工程管理課", "資材課"]),
        ("物流", 3, &["物流企画課", "倉庫管理課", "配送課", "出荷管理課"]),
        ("カスタマーサポート", 1, &["お客様相談課", "技術サポート課", "修理サービス課"]),
        ("法務", 0, &["法務課", "知的財産課", "コンプライアンス課"]),
    ];
    const DEMO_FAMILIES: [&str; 5] = ["経営企画本部", "営業本部", "開発本部", "製造本部", "管理本部"];
    const DEMO_REPEATS: [usize; 9] = [0, 2, 3, 0, 2, 14, 13, 7, 8];

    fn kanji(n: usize) -> String {
        let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let units = ["", "十", "百", "千"];
        let mut out = String::new();
        for place in (0..4).rev() {
            let d = n / 10usize.pow(place as u32) % 10;
            if d > 0 {
                out.push_str(if d == 1 && place > 0 { "" } else { digits[d] });
                out.push_str(units[place]);
            }
        }
        out
    }

    /// The demo company's department paths for `total` departments (crates/demo/src/org.rs,
    /// condensed): 役員室, 本部 split every eight 部, numbered 部 of sixteen kinds, and their 課
    /// cycling through each kind's names (法人営業課, …, then 法人営業第二課).
    fn demo_departments(total: usize) -> Vec<String> {
        let kind_at = |i: usize| if i < DEMO_KINDS.len() { i } else { DEMO_REPEATS[(i - DEMO_KINDS.len()) % DEMO_REPEATS.len()] };
        let (mut per_family, mut divisions, mut parts) = ([0usize; 5], 0, 0);
        loop {
            let family = DEMO_KINDS[kind_at(parts)].1;
            let opens = usize::from(per_family[family] % 8 == 0);
            if 1 + divisions + opens + (parts + 1) * 3 > total {
                break;
            }
            per_family[family] += 1;
            divisions += opens;
            parts += 1;
        }
        let sections = total - 1 - divisions - parts;
        let mut kind_total = vec![0; DEMO_KINDS.len()];
        let mut seen = vec![0; DEMO_KINDS.len()];
        let mut by_family: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); DEMO_FAMILIES.len()];
        for i in 0..parts {
            kind_total[kind_at(i)] += 1;
        }
        for i in 0..parts {
            let k = kind_at(i);
            by_family[DEMO_KINDS[k].1].push((k, seen[k], i));
            seen[k] += 1;
        }
        let numbered = |stem: &str, suffix: &str, n: usize, of: usize| {
            if of <= 1 {
                format!("{stem}{suffix}")
            } else {
                format!("第{}{stem}{suffix}", kanji(n + 1))
            }
        };
        let mut out = vec!["役員室".to_owned()];
        for (family, slots) in by_family.iter().enumerate() {
            let count = slots.len().div_ceil(8);
            let mut next = 0;
            for division in 0..count {
                let head = numbered("", DEMO_FAMILIES[family], division, count);
                out.push(head.clone());
                while next < slots.len() && next * count / slots.len() == division {
                    let (k, ordinal, index) = slots[next];
                    next += 1;
                    let (stem, _, names) = DEMO_KINDS[k];
                    let part = format!("{head}/{}", numbered(stem, "部", ordinal, kind_total[k]));
                    out.push(part.clone());
                    for i in 0..sections / parts + usize::from(index < sections % parts) {
                        let (base, round) = (names[i % names.len()], i / names.len());
                        let name = if round == 0 {
                            base.to_owned()
                        } else {
                            format!("{}第{}課", base.trim_end_matches('課'), kanji(round + 1))
                        };
                        out.push(format!("{part}/{name}"));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn pseudonym_demo_departments_have_the_demo_shape() {
        let paths = demo_departments(2_500);
        assert_eq!(paths.len(), 2_500);
        assert_eq!(paths.iter().collect::<HashSet<_>>().len(), 2_500);
        for expected in ["役員室", "第一営業本部/第一営業部/法人営業課", "経営企画本部/法務部/知的財産課", "第二営業本部/第六営業部"]
        {
            assert!(paths.iter().any(|p| p == expected), "{expected}");
        }
    }

    /// The demo shape (100,000 people, 2,500 departments): the index with and without the
    /// departments, on texts of names only and on texts that also name departments and ages.
    fn department_timing(people: &[KnownPerson], names_only: &NameIndex, names_build: Duration, texts: &[String], rng: &mut Lcg) {
        let departments = demo_departments(2_500);
        let t = Instant::now();
        let index = NameIndex::with_departments(people, &departments);
        let build = t.elapsed();
        let rich: Vec<String> = (0..texts.len())
            .map(|_| {
                let mut text = String::new();
                while text.chars().count() < 1_500 {
                    match rng.below(40) {
                        0..=9 => {
                            text.push_str(&name_form(&people[rng.below(people.len())], rng.below(17)));
                            text.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
                        }
                        10 | 11 => {
                            text.push_str(DEPARTMENT_BEFORE[rng.below(DEPARTMENT_BEFORE.len())]);
                            text.push_str(&department_mention(&departments[rng.below(departments.len())], rng.below(7)));
                            text.push_str(DEPARTMENT_AFTER[rng.below(DEPARTMENT_AFTER.len())]);
                        }
                        12 => {
                            text.push_str("本人（");
                            text.push_str(&age_mention(20 + rng.below(45) as u32, rng.below(4), rng.below(2) == 0));
                            text.push_str("）は");
                        }
                        _ => text.push_str(FILLERS[rng.below(FILLERS.len())]),
                    }
                }
                text
            })
            .collect();
        let mut out_chars = 0;
        let mut time = |index: &NameIndex, texts: &[String]| {
            let t = Instant::now();
            for (i, text) in texts.iter().enumerate() {
                out_chars += index.mask(text, Some(i as i64 + 1), Some(i as i64 + 2), &labels()).chars().count();
            }
            t.elapsed() / texts.len() as u32
        };
        let (plain_names, plain_departments) = (time(names_only, texts), time(&index, texts));
        let (rich_names, rich_departments) = (time(names_only, &rich), time(&index, &rich));
        println!(
            "pseudonym timing (demo shape, 100,000 people): build names only {names_build:?} ({} forms), \
             with 2,500 departments {build:?} ({} forms, {} department spellings); mask per report of ~1,500 chars, \
             names only / with departments: names and fillers {plain_names:?} / {plain_departments:?}, \
             also departments and ages {rich_names:?} / {rich_departments:?}; {out_chars} chars out",
            names_only.forms.len(),
            index.forms.len(),
            index.department_forms(),
        );
    }
}
