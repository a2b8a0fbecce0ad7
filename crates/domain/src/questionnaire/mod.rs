//! Questionnaires (アンケート, R7, R12, R13): a tenant's instruments for measuring change —
//! items on one Likert scale, reverse-scored items, subscales — and when they are answered
//! ([`Timing`]). A definition is checked whole ([`Questionnaire::parse`]): every problem is
//! returned with where it is (which item, which field) in both languages. [`scoring`] turns
//! one answer set into scores; [`career_awareness`] is the product's own questionnaire, which
//! every tenant starts with.

pub mod career_awareness;
pub mod edit;
pub mod import;
pub mod scoring;

pub use scoring::{pair_between, AnswerProblem, DatedScore, Scored, SubscaleScore};

use crate::limits::TextLimit;
use crate::{Locale, Message};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// When an answer was given, relative to the interview (or the program).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Before (事前).
    Pre,
    /// Right after (事後).
    Post,
    /// Some months later (フォローアップ).
    FollowUp,
}

impl Timing {
    pub const ALL: [Timing; 3] = [Timing::Pre, Timing::Post, Timing::FollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            Timing::Pre => "pre",
            Timing::Post => "post",
            Timing::FollowUp => "follow_up",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Timing::Pre, Locale::Ja) => "事前",
            (Timing::Post, Locale::Ja) => "事後",
            (Timing::FollowUp, Locale::Ja) => "フォローアップ",
            (Timing::Pre, Locale::En) => "Before",
            (Timing::Post, Locale::En) => "After",
            (Timing::FollowUp, Locale::En) => "Follow-up",
        }
    }

    /// The code (`pre`, `post`, `follow_up`) or either label, as an import file may write it.
    pub fn parse(s: &str) -> Option<Timing> {
        let s = s.trim();
        Timing::ALL.into_iter().find(|t| {
            s == t.as_str() || s == t.label(Locale::Ja) || s.eq_ignore_ascii_case(t.label(Locale::En)) || s.eq_ignore_ascii_case(t.as_str())
        })
    }
}

/// A text in both product languages; an empty English text falls back to the Japanese.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub ja: String,
    pub en: String,
}

impl Text {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Text { ja: ja.into(), en: en.into() }
    }

    pub fn in_locale(&self, locale: Locale) -> &str {
        match locale {
            Locale::En if !self.en.trim().is_empty() => &self.en,
            _ => &self.ja,
        }
    }
}

/// The answer scale: whole numbers `min..=max`, one label per point, lowest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    pub min: i64,
    pub max: i64,
    pub labels: Vec<Text>,
}

impl Scale {
    /// Whether `value` is an answer on this scale.
    pub fn contains(&self, value: i64) -> bool {
        (self.min..=self.max).contains(&value)
    }

    /// A reverse-scored answer: `min + max − value`.
    pub fn reversed(&self, value: i64) -> i64 {
        self.min + self.max - value
    }

    /// The label of one point.
    pub fn label(&self, value: i64) -> Option<&Text> {
        usize::try_from(value.checked_sub(self.min)?).ok().and_then(|i| self.labels.get(i))
    }
}

/// A group of items measuring one thing (下位尺度).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscale {
    pub code: String,
    pub name: Text,
}

/// One statement the respondent rates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Its id: a column of the import file, stable across edits of the text.
    pub code: String,
    pub text: Text,
    /// Agreement means less of what the questionnaire measures; scored `min + max − answer`.
    pub reverse: bool,
    /// The subscale's code; required when the questionnaire has subscales, absent otherwise.
    pub subscale: Option<String>,
}

/// A questionnaire as typed or stored, not yet checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireDraft {
    pub code: String,
    pub title: Text,
    /// What the respondent is asked to do, shown above the items (may be empty).
    #[serde(default)]
    pub instructions: Text,
    pub scale: Scale,
    #[serde(default)]
    pub subscales: Vec<Subscale>,
    pub items: Vec<Item>,
}

/// A checked questionnaire: codes well-formed and unique, texts within their limits, the scale
/// sound, every item in a known subscale. Only [`Questionnaire::parse`] makes one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Questionnaire(QuestionnaireDraft);

/// Where in a definition a problem is. Indexes are 0-based; [`Place::describe`] says them 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A field of the questionnaire itself (`code`, `title_ja`, `scale_min`, `labels`, `items`, …).
    Questionnaire { field: &'static str },
    /// One point's label (`ja`, `en`).
    ScaleLabel { index: usize, field: &'static str },
    /// A subscale's field (`code`, `name_ja`, `name_en`, `items`).
    Subscale { index: usize, field: &'static str },
    /// An item's field (`code`, `text_ja`, `text_en`, `subscale`).
    Item { index: usize, field: &'static str },
}

impl Place {
    /// The place as a form or API path: `items[2].text_ja`, `scale.labels[0].en`, `code`.
    pub fn path(&self) -> String {
        match self {
            Place::Questionnaire { field } => (*field).to_string(),
            Place::ScaleLabel { index, field } => format!("scale.labels[{index}].{field}"),
            Place::Subscale { index, field } => format!("subscales[{index}].{field}"),
            Place::Item { index, field } => format!("items[{index}].{field}"),
        }
    }

    /// The place in words: 「設問3の本文（日本語）」, "item 3, Japanese text".
    pub fn describe(&self, locale: Locale) -> String {
        let (ja, en) = field_label(self);
        match (self, locale) {
            (Place::Questionnaire { .. }, Locale::Ja) => ja.to_string(),
            (Place::Questionnaire { .. }, Locale::En) => en.to_string(),
            (Place::ScaleLabel { index, .. }, Locale::Ja) => format!("選択肢{}の{ja}", index + 1),
            (Place::ScaleLabel { index, .. }, Locale::En) => format!("scale point {}, {en}", index + 1),
            (Place::Subscale { index, .. }, Locale::Ja) => format!("下位尺度{}の{ja}", index + 1),
            (Place::Subscale { index, .. }, Locale::En) => format!("subscale {}, {en}", index + 1),
            (Place::Item { index, .. }, Locale::Ja) => format!("設問{}の{ja}", index + 1),
            (Place::Item { index, .. }, Locale::En) => format!("item {}, {en}", index + 1),
        }
    }
}

fn field_label(place: &Place) -> (&'static str, &'static str) {
    let field = match place {
        Place::Questionnaire { field } | Place::ScaleLabel { field, .. } | Place::Subscale { field, .. } | Place::Item { field, .. } => {
            *field
        }
    };
    match (place, field) {
        (_, "code") => ("コード", "code"),
        (Place::Questionnaire { .. }, "title_ja") => ("名称（日本語）", "Japanese title"),
        (Place::Questionnaire { .. }, "title_en") => ("名称（英語）", "English title"),
        (_, "instructions_ja") => ("回答の説明（日本語）", "Japanese instructions"),
        (_, "instructions_en") => ("回答の説明（英語）", "English instructions"),
        (_, "scale_min") => ("尺度の最小値", "scale minimum"),
        (_, "scale_max") => ("尺度の最大値", "scale maximum"),
        (_, "labels") => ("尺度の選択肢", "scale labels"),
        (_, "ja") => ("表示（日本語）", "Japanese label"),
        (_, "en") => ("表示（英語）", "English label"),
        (_, "name_ja") => ("名称（日本語）", "Japanese name"),
        (_, "name_en") => ("名称（英語）", "English name"),
        (Place::Questionnaire { .. }, "items") => ("設問", "items"),
        (_, "items") => ("設問の割り当て", "items"),
        (_, "subscales") => ("下位尺度", "subscales"),
        (_, "text_ja") => ("本文（日本語）", "Japanese text"),
        (_, "text_en") => ("本文（英語）", "English text"),
        (_, "subscale") => ("下位尺度", "subscale"),
        (_, "reverse") => ("逆転項目", "reverse scoring"),
        _ => ("項目", "field"),
    }
}

/// One problem of a definition: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionProblem {
    pub place: Place,
    pub message: Message,
}

impl DefinitionProblem {
    fn new(place: Place, ja: impl Into<String>, en: impl Into<String>) -> Self {
        DefinitionProblem { place, message: Message::new(ja, en) }
    }

    /// 「設問3の本文（日本語）: …」, "item 3, Japanese text: …".
    pub fn describe(&self, locale: Locale) -> String {
        format!("{}: {}", self.place.describe(locale), self.message.in_locale(locale))
    }
}

/// Lowest and highest value a scale may use.
pub const SCALE_BOUNDS: (i64, i64) = (0, 10);
/// Most items in one questionnaire.
pub const MAX_ITEMS: usize = 60;
/// Most subscales in one questionnaire.
pub const MAX_SUBSCALES: usize = 10;
/// Longest code (questionnaire, subscale, item).
pub const MAX_CODE_CHARS: usize = 40;
/// Column names of the response import file, which an item code must not take.
pub const RESERVED_ITEM_CODES: [&str; 3] = ["employee_number", "timing", "answered_on"];

const TITLE: (usize, usize) = (120, 160);
const INSTRUCTIONS: (usize, usize) = (1_000, 1_500);
const LABEL: (usize, usize) = (30, 40);
const NAME: (usize, usize) = (60, 80);
const ITEM_TEXT: (usize, usize) = (200, 300);

impl Questionnaire {
    /// Checks a definition whole: every problem at once, each with its place, or the
    /// questionnaire with its texts and codes trimmed.
    pub fn parse(draft: QuestionnaireDraft) -> Result<Questionnaire, Vec<DefinitionProblem>> {
        let mut problems = Vec::new();
        let draft = check(draft, &mut problems);
        if problems.is_empty() {
            Ok(Questionnaire(draft))
        } else {
            Err(problems)
        }
    }

    pub fn code(&self) -> &str {
        &self.0.code
    }
    pub fn title(&self) -> &Text {
        &self.0.title
    }
    pub fn instructions(&self) -> &Text {
        &self.0.instructions
    }
    pub fn scale(&self) -> &Scale {
        &self.0.scale
    }
    pub fn subscales(&self) -> &[Subscale] {
        &self.0.subscales
    }
    pub fn items(&self) -> &[Item] {
        &self.0.items
    }
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.0.items.iter().find(|i| i.code == code)
    }
    pub fn as_draft(&self) -> &QuestionnaireDraft {
        &self.0
    }
    pub fn into_draft(self) -> QuestionnaireDraft {
        self.0
    }
}

fn check(mut d: QuestionnaireDraft, out: &mut Vec<DefinitionProblem>) -> QuestionnaireDraft {
    use Place::Questionnaire as Q;
    d.code = d.code.trim().to_string();
    check_code(&d.code, Q { field: "code" }, out);
    d.title.ja = text(&d.title.ja, true, TITLE.0, Q { field: "title_ja" }, out);
    d.title.en = text(&d.title.en, false, TITLE.1, Q { field: "title_en" }, out);
    d.instructions.ja = multiline(&d.instructions.ja, INSTRUCTIONS.0, Q { field: "instructions_ja" }, out);
    d.instructions.en = multiline(&d.instructions.en, INSTRUCTIONS.1, Q { field: "instructions_en" }, out);
    check_scale(&mut d.scale, out);

    if d.subscales.len() > MAX_SUBSCALES {
        out.push(DefinitionProblem::new(
            Q { field: "subscales" },
            format!("下位尺度は{MAX_SUBSCALES}個までです。"),
            format!("at most {MAX_SUBSCALES} subscales"),
        ));
    }
    let mut subscale_index: HashMap<String, usize> = HashMap::new();
    for (index, s) in d.subscales.iter_mut().enumerate() {
        let at = |field| Place::Subscale { index, field };
        s.code = s.code.trim().to_string();
        if check_code(&s.code, at("code"), out) {
            if let Some(first) = subscale_index.get(&s.code) {
                out.push(duplicate(at("code"), &s.code, "下位尺度", "subscale", *first));
            } else {
                subscale_index.insert(s.code.clone(), index);
            }
        }
        s.name.ja = text(&s.name.ja, true, NAME.0, at("name_ja"), out);
        s.name.en = text(&s.name.en, false, NAME.1, at("name_en"), out);
    }

    if d.items.is_empty() {
        out.push(DefinitionProblem::new(Q { field: "items" }, "設問を1つ以上入力してください。", "add at least one item"));
    } else if d.items.len() > MAX_ITEMS {
        out.push(DefinitionProblem::new(
            Q { field: "items" },
            format!("設問は{MAX_ITEMS}個までです。"),
            format!("at most {MAX_ITEMS} items"),
        ));
    }
    let mut item_index: HashMap<String, usize> = HashMap::new();
    let mut used_subscales: HashSet<String> = HashSet::new();
    for (index, item) in d.items.iter_mut().enumerate() {
        let at = |field| Place::Item { index, field };
        item.code = item.code.trim().to_string();
        if check_code(&item.code, at("code"), out) {
            if RESERVED_ITEM_CODES.contains(&item.code.as_str()) {
                out.push(DefinitionProblem::new(
                    at("code"),
                    format!("「{}」は回答ファイルの列名として使われているため、設問のコードにはできません。", item.code),
                    format!("\"{}\" is a column of the response file and cannot be an item code", item.code),
                ));
            } else if let Some(first) = item_index.get(&item.code) {
                out.push(duplicate(at("code"), &item.code, "設問", "item", *first));
            } else {
                item_index.insert(item.code.clone(), index);
            }
        }
        item.text.ja = text(&item.text.ja, true, ITEM_TEXT.0, at("text_ja"), out);
        item.text.en = text(&item.text.en, false, ITEM_TEXT.1, at("text_en"), out);
        item.subscale = item.subscale.take().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        match (&item.subscale, d.subscales.is_empty()) {
            (None, false) => out.push(DefinitionProblem::new(at("subscale"), "下位尺度を選んでください。", "choose a subscale")),
            (Some(code), _) if !subscale_index.contains_key(code) => out.push(DefinitionProblem::new(
                at("subscale"),
                format!("下位尺度「{code}」は登録されていません。"),
                format!("there is no subscale \"{code}\""),
            )),
            (Some(code), _) => {
                used_subscales.insert(code.clone());
            }
            (None, true) => {}
        }
    }
    for (index, s) in d.subscales.iter().enumerate() {
        if !s.code.is_empty() && subscale_index.get(&s.code) == Some(&index) && !used_subscales.contains(&s.code) {
            out.push(DefinitionProblem::new(
                Place::Subscale { index, field: "items" },
                "この下位尺度に属する設問がありません。",
                "no item belongs to this subscale",
            ));
        }
    }
    d
}

/// A code: a lowercase ASCII letter, then lowercase letters, digits, `-` or `_`. True when well-formed.
fn check_code(code: &str, place: Place, out: &mut Vec<DefinitionProblem>) -> bool {
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_CHARS
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        out.push(DefinitionProblem::new(
            place,
            format!("コードは半角英小文字で始め、半角英小文字・数字・「-」「_」で{MAX_CODE_CHARS}文字以内にしてください。"),
            format!("a code starts with a lowercase letter and has at most {MAX_CODE_CHARS} lowercase letters, digits, '-' or '_'"),
        ));
    }
    ok
}

fn duplicate(place: Place, code: &str, kind_ja: &str, kind_en: &str, first: usize) -> DefinitionProblem {
    DefinitionProblem::new(
        place,
        format!("コード「{code}」は{kind_ja}{}と重複しています。", first + 1),
        format!("the code \"{code}\" is already used by {kind_en} {}", first + 1),
    )
}

/// A one-line text within `max` characters; `required` refuses an empty one.
fn text(value: &str, required: bool, max: usize, place: Place, out: &mut Vec<DefinitionProblem>) -> String {
    limited(value, required, max, true, place, out)
}

fn multiline(value: &str, max: usize, place: Place, out: &mut Vec<DefinitionProblem>) -> String {
    limited(value, false, max, false, place, out)
}

fn limited(value: &str, required: bool, max: usize, one_line: bool, place: Place, out: &mut Vec<DefinitionProblem>) -> String {
    let (label_ja, label_en) = field_label(&place);
    let limit = TextLimit { field: "", max, label_ja, label_en, one_line };
    match limit.check(value) {
        Ok(v) if required && v.is_empty() => {
            out.push(DefinitionProblem::new(place, format!("{label_ja}を入力してください。"), format!("enter the {label_en}")));
            v
        }
        Ok(v) => v,
        Err(e) => {
            out.push(DefinitionProblem { place, message: e.message });
            value.trim().to_string()
        }
    }
}

fn check_scale(scale: &mut Scale, out: &mut Vec<DefinitionProblem>) {
    use Place::Questionnaire as Q;
    let (lo, hi) = SCALE_BOUNDS;
    let mut sound = true;
    for (field, value) in [("scale_min", scale.min), ("scale_max", scale.max)] {
        if !(lo..=hi).contains(&value) {
            sound = false;
            out.push(DefinitionProblem::new(
                Q { field },
                format!("尺度の値は{lo}〜{hi}の整数にしてください。"),
                format!("scale values are whole numbers from {lo} to {hi}"),
            ));
        }
    }
    if sound && scale.max <= scale.min {
        sound = false;
        out.push(DefinitionProblem::new(
            Q { field: "scale_max" },
            "尺度の最大値は最小値より大きくしてください。",
            "the scale maximum must be greater than the minimum",
        ));
    }
    if sound {
        let points = usize::try_from(scale.max - scale.min + 1).unwrap_or(0);
        if scale.labels.len() != points {
            out.push(DefinitionProblem::new(
                Q { field: "labels" },
                format!("選択肢の表示は{}〜{}の{points}個すべてに入力してください（いま{}個）。", scale.min, scale.max, scale.labels.len()),
                format!("give a label for each of the {points} points {}..{} (now {})", scale.min, scale.max, scale.labels.len()),
            ));
        }
    }
    for (index, label) in scale.labels.iter_mut().enumerate() {
        label.ja = text(&label.ja, true, LABEL.0, Place::ScaleLabel { index, field: "ja" }, out);
        label.en = text(&label.en, false, LABEL.1, Place::ScaleLabel { index, field: "en" }, out);
    }
}

#[cfg(test)]
mod tests;
