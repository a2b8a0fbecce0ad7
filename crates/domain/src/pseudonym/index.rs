//! The [`NameIndex`] of a tenant's people and departments, and the masking pass that finds every
//! candidate (e-mail addresses, names in any script, departments, employee numbers, ages),
//! chooses among overlapping ones and renders the labels.

use super::ages::{age_decade, ages};
use super::departments::{department_fits, department_forms, DEPARTMENT_JOINERS, MAX_JOINERS};
use super::email;
use super::fold::{compact, fold, is_katakana};
use super::labels::{first_free_letter, label_spans, letter, MaskLabels};
use super::names::COMMON_WORDS;
use super::numbers::Numbers;
use super::romaji;
use super::KnownPerson;
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::fmt;

/// Passes after the first at most (see [`NameIndex::mask`]): each one only masks what the one
/// before freed, so the second is almost always the last.
const MAX_PASSES: usize = 3;

/// Who bears one folded name form: as a family name, as a given name, or both (for different
/// people); and whether it is also a spelling of one of the tenant's departments.
pub(super) struct Form {
    pub(super) family: Vec<usize>,
    pub(super) given: Vec<usize>,
    pub(super) department: bool,
    /// Characters of the form; of a reading written in Latin letters, characters of the kana.
    pub(super) chars: usize,
    pub(super) kana: bool,
    pub(super) ascii: bool,
}

/// All name forms of a tenant's people, and the names of its departments, in one Aho–Corasick
/// automaton; the keys of their readings in Latin letters, their employee numbers and their
/// unusual e-mail addresses beside it. Built once per tenant and reused for many texts.
pub struct NameIndex {
    ids: Vec<i64>,
    pub(super) slot_of: HashMap<i64, usize>,
    /// The automaton's patterns, then the readings in Latin letters (looked up by key).
    pub(super) forms: Vec<Form>,
    /// How many of `forms` are department spellings.
    departments: usize,
    /// None only if the automaton could not be built; `mask` then fails closed.
    names: Option<AhoCorasick>,
    common: Option<AhoCorasick>,
    /// The key of a family or given reading in Latin letters → its form.
    pub(super) romaji: HashMap<String, usize>,
    /// The key of a whole reading in Latin letters (its [`hash_of`]), family then given or given
    /// then family, → who bears it.
    pub(super) romaji_full: HashMap<u64, Slots>,
    numbers: Numbers,
    unusual_emails: Option<AhoCorasick>,
}

impl fmt::Debug for NameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameIndex")
            .field("people", &self.ids.len())
            .field("forms", &self.forms.len())
            .field("departments", &self.departments)
            .field("romaji", &self.romaji.len())
            .field("romaji_full", &self.romaji_full.len())
            .field("number_spellings", &self.numbers.len())
            .field("usable", &self.names.is_some())
            .finish()
    }
}

impl NameIndex {
    /// Indexes every name form of every person (kanji and kana, family and given; the reading in
    /// Latin letters), the employee numbers and e-mail addresses, and no department:
    /// [`NameIndex::with_departments`] with none.
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
        let names = AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok();
        drop(patterns);
        let common = AhoCorasick::builder().match_kind(MatchKind::Standard).build(COMMON_WORDS.split_whitespace()).ok();

        // Readings in Latin letters (each distinct reading romanized once), employee numbers and
        // e-mail addresses.
        let mut romaji_forms: HashMap<String, usize> = HashMap::new();
        let mut romaji_full: HashMap<u64, Slots> = HashMap::with_capacity(people.len() * 2);
        // A kana reading as written → its Hepburn spelling (the first steps of its key, in
        // `spelled`) and its form.
        let mut readings: HashMap<&str, Option<(usize, Option<usize>)>> = HashMap::new();
        let mut spelled_readings: Vec<Vec<u8>> = Vec::new();
        let mut keyer = romaji::Keyer::default();
        let mut numbers = Numbers::default();
        let mut unusual_emails = Vec::new();
        for person in people {
            let Some(&slot) = slot_of.get(&person.id) else { continue };
            let mut spelled = [None, None];
            for (n, kana) in [person.family_kana.as_deref(), person.given_kana.as_deref()].into_iter().enumerate() {
                let Some(kana) = kana else { continue };
                let reading = readings.entry(kana).or_insert_with(|| {
                    let kana = compact(kana);
                    let chars = kana.chars().count();
                    let (spelling, key) = romaji::reading(&kana)?;
                    spelled_readings.push(keyer.consonants_of(&spelling));
                    // A reading of one kana is no name in Latin letters on its own (only in a
                    // whole reading).
                    let form = (chars >= 2).then(|| {
                        let at = *romaji_forms.entry(key).or_insert_with(|| {
                            forms.push(Form { family: Vec::new(), given: Vec::new(), department: false, chars, kana: false, ascii: true });
                            forms.len() - 1
                        });
                        forms[at].chars = forms[at].chars.max(chars);
                        at
                    });
                    Some((spelled_readings.len() - 1, form))
                });
                let Some((spelling, form)) = *reading else { continue };
                if let Some(at) = form {
                    let entry = &mut forms[at];
                    if n == 0 {
                        entry.family.push(slot);
                    } else {
                        entry.given.push(slot);
                    }
                }
                spelled[n] = Some(spelling);
            }
            if let [Some(f), Some(g)] = spelled {
                let (f, g) = (&spelled_readings[f], &spelled_readings[g]);
                for (a, b) in [(f, g), (g, f)] {
                    let key = keyer.joined(a, b);
                    romaji_full.entry(hash_bytes(key)).or_default().push(slot);
                }
            }
            if let Some(number) = &person.employee_number {
                numbers.add(number);
            }
            if let Some(address) = person.email.as_deref().filter(|a| email::unusual(a)) {
                unusual_emails.push(address.to_ascii_lowercase());
            }
        }
        for form in &mut forms {
            form.family.sort_unstable();
            form.family.dedup();
            form.given.sort_unstable();
            form.given.dedup();
        }
        let unusual_emails = email::matcher(&unusual_emails);
        NameIndex {
            ids,
            slot_of,
            forms,
            departments: department_count,
            names,
            common,
            romaji: romaji_forms,
            romaji_full,
            numbers,
            unusual_emails,
        }
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
    /// A reading written in Latin letters counts as a form of the same person (Hepburn and its
    /// common variants, any case, family and given in either order, with or without a space;
    /// see `romaji`), under the same rules: 3+ kana standing alone, any length with an honorific
    /// (「-san」「 san」「-kun」「-sama」「-chan」, or さん etc.) or in a full name.
    ///
    /// In the same pass, every indexed department spelling becomes `labels.department`
    /// (「ある部署」, "a department"), longest first, unless it runs
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
    /// Every e-mail address becomes `labels.email` (「[メールアドレス]」) before anything else is
    /// looked for (a name or a number inside it goes with it), and every employee number of the
    /// register `labels.employee_number` (「[社員番号]」): as written, in any case or width, and
    /// without its prefix or leading zeros where that cannot be an everyday number, or where the
    /// text says an employee number follows (see `numbers`). Numbers that are no one's stay.
    ///
    /// Applying `mask` to its own output changes nothing: the mask is one pass repeated until it
    /// changes nothing. A pass can change how a neighbour reads: 「上司0Yamada」 keeps the full
    /// name 「上司 0」 as it runs on into a Latin word, until the pass masks 「Yamada」 and the
    /// name stands alone (docs/fuzzing.md, finding 5). Each pass only masks more; a lettered
    /// label of a later pass never reuses a letter already in the text. Linear in the length of
    /// the text (plus the matches found) for each pass: one when nothing is masked, usually two.
    pub fn mask(&self, text: &str, subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
        let mut out = self.mask_pass(text, subject, boss, labels);
        if out == text {
            return out;
        }
        for _ in 0..MAX_PASSES {
            let again = self.mask_pass(&out, subject, boss, labels);
            if again == out {
                break;
            }
            out = again;
        }
        out
    }

    /// One masking pass (see [`NameIndex::mask`]).
    fn mask_pass(&self, text: &str, subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
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
        // E-mail addresses first: what lies inside one (a name, a number) goes with it.
        let mut addresses = email::addresses(&folded);
        if let Some(unusual) = &self.unusual_emails {
            addresses.extend(unusual.find_iter(norm).map(|m| (m.start(), m.end())));
        }

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
        self.romaji_names(text, &folded, &mut candidates);
        candidates.retain(|c| !labelled.covers(c.start, c.end));
        // A bare name form inside a department name stands back for it (and is masked after the
        // departments if a department is not).
        let (deferred, candidates): (Vec<Candidate>, Vec<Candidate>) = if standing.is_empty() {
            (Vec::new(), candidates)
        } else {
            candidates.into_iter().partition(|c| c.bare && standing.covers(c.start, c.end))
        };
        let mut covered = vec![false; text.len()];
        let mut chosen = Vec::new();
        addresses.sort_unstable_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
        for (start, end) in addresses.into_iter().map(|(s, e)| (folded.orig[s], folded.orig[e])) {
            if !labelled.covers(start, end) && take(&mut covered, start, end) {
                chosen.push(Candidate { start, end, full: false, bare: false, who: Who::Email });
            }
        }
        chosen.extend(select(candidates, &mut covered));

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
        for (start, end) in self.numbers.find(text, &folded, &covered) {
            if !labelled.covers(start, end) && take(&mut covered, start, end) {
                chosen.push(Candidate { start, end, full: false, bare: false, who: Who::Number });
            }
        }
        for age in ages(text, &folded) {
            if !labelled.covers(age.start, age.end) && take(&mut covered, age.start, age.end) {
                chosen.push(age);
            }
        }
        chosen.sort_unstable_by_key(|c| c.start);
        self.render(text, &chosen, subject, boss, labels)
    }

    fn render(&self, text: &str, chosen: &[Candidate], subject: Option<i64>, boss: Option<i64>, labels: &MaskLabels) -> String {
        let subject = subject.and_then(|id| self.slot_of.get(&id).copied());
        let boss = boss.and_then(|id| self.slot_of.get(&id).copied());
        let mut letters: HashMap<Vec<usize>, String> = HashMap::new();
        // Letters already in the text (an earlier pass) stay theirs: new ones come after them.
        let first_letter = first_free_letter(text, labels);
        let mut out = String::with_capacity(text.len() + chosen.len() * 8);
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
                        out.push_str(&labels.department);
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
                Who::Number | Who::Email => {
                    out.push_str(gap);
                    out.push_str(if matches!(c.who, Who::Number) { &labels.employee_number } else { &labels.email });
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
                    let next = first_letter + letters.len();
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
pub(super) struct Hit {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) form: usize,
}

pub(super) enum Who {
    People(Vec<usize>),
    Form(usize),
    Department,
    /// An exact age, in years.
    Age(u32),
    /// An employee number of the register.
    Number,
    /// An e-mail address.
    Email,
}

/// A span of the original text to mask (a title after it is not part of it).
pub(super) struct Candidate {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) full: bool,
    /// A single name form with neither honorific nor title after it.
    pub(super) bare: bool,
    pub(super) who: Who,
}

/// Full names first, then single forms; within each, leftmost then longest, never overlapping
/// each other or what `covered` already holds (which grows by what is chosen).
pub(super) fn select(mut candidates: Vec<Candidate>, covered: &mut [bool]) -> Vec<Candidate> {
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
pub(super) fn take(covered: &mut [bool], start: usize, end: usize) -> bool {
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

pub(super) fn intersect(a: &[usize], b: &[usize]) -> Vec<usize> {
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

pub(super) fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Who bears a whole reading: almost always one person.
#[derive(Clone, Debug, Default)]
pub(super) enum Slots {
    #[default]
    None,
    One(usize),
    Many(Vec<usize>),
}

impl Slots {
    fn push(&mut self, slot: usize) {
        *self = match std::mem::take(self) {
            Slots::None => Slots::One(slot),
            Slots::One(one) if one == slot => Slots::One(one),
            Slots::One(one) => Slots::Many(vec![one, slot]),
            Slots::Many(mut many) => {
                if !many.contains(&slot) {
                    many.push(slot);
                    many.sort_unstable();
                }
                Slots::Many(many)
            }
        };
    }

    /// The people, ascending.
    pub(super) fn to_vec(&self) -> Vec<usize> {
        match self {
            Slots::None => Vec::new(),
            Slots::One(one) => vec![*one],
            Slots::Many(many) => many.clone(),
        }
    }
}

/// A 64-bit hash (FNV-1a) of `parts` written one after the other, ASCII letters in lower case:
/// the key under which spellings are looked up when there are many of them (one or two per
/// person), so that indexing a register allocates nothing per spelling.
pub(super) fn hash_of(parts: &[&str]) -> u64 {
    fnv(parts.iter().flat_map(|p| p.bytes()))
}

/// [`hash_of`] bytes.
pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    fnv(bytes.iter().copied())
}

fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(b.to_ascii_lowercase());
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
