//! How much free text each field takes, and what is said when there is more: one table for
//! the store (which refuses), the pages (whose `maxlength` attributes show the same numbers)
//! and the API.

use crate::Invalid;

/// A free-text field's limit and its name in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextLimit {
    /// The field a refusal names (the form field's name).
    pub field: &'static str,
    /// Most characters (not bytes) the trimmed value may have.
    pub max: usize,
    pub label_ja: &'static str,
    pub label_en: &'static str,
    /// A one-line field refuses line breaks; others take `\n`, `\r` and tabs.
    pub one_line: bool,
}

/// Where an interview takes place: a room or a meeting link.
pub const INTERVIEW_PLACE: TextLimit =
    TextLimit { field: "place", max: 300, label_ja: "場所・URL", label_en: "the place or link", one_line: true };
/// Why an interview was cancelled or missed (the status note).
pub const INTERVIEW_STATUS_NOTE: TextLimit =
    TextLimit { field: "note", max: 500, label_ja: "理由・メモ", label_en: "the note", one_line: false };
/// The consultant's record of an interview.
pub const INTERVIEW_NOTE: TextLimit =
    TextLimit { field: "note", max: 50_000, label_ja: "面談記録", label_en: "the note", one_line: false };
/// When an employee would like to meet (a consultation request).
pub const REQUEST_PREFERRED: TextLimit =
    TextLimit { field: "preferred", max: 200, label_ja: "希望日時", label_en: "the preferred time", one_line: false };
/// What an employee would like to talk about.
pub const REQUEST_MESSAGE: TextLimit =
    TextLimit { field: "message", max: 2_000, label_ja: "相談したいこと", label_en: "the message", one_line: false };
/// The consultant's note to the employee when scheduling a request.
pub const REQUEST_REPLY: TextLimit =
    TextLimit { field: "reply", max: 1_000, label_ja: "連絡事項", label_en: "the reply", one_line: false };
/// Why a consultant declines a request.
pub const DECLINE_REASON: TextLimit =
    TextLimit { field: "reason", max: 1_000, label_ja: "お断りする理由", label_en: "the reason", one_line: false };
/// One comment of a supervisor's review of a report.
pub const REVIEW_COMMENT: TextLimit =
    TextLimit { field: "comments", max: 5_000, label_ja: "コメント", label_en: "a comment", one_line: false };
/// A taxonomy item's Japanese name (issue tags, rubric items, …).
pub const TAXONOMY_LABEL_JA: TextLimit =
    TextLimit { field: "label_ja", max: 60, label_ja: "名称（日本語）", label_en: "the Japanese label", one_line: true };
/// A taxonomy item's English name.
pub const TAXONOMY_LABEL_EN: TextLimit =
    TextLimit { field: "label_en", max: 80, label_ja: "英語名", label_en: "the English label", one_line: true };
/// A cycle's name.
pub const CYCLE_NAME: TextLimit =
    TextLimit { field: "name", max: 80, label_ja: "実施年度の名称", label_en: "the cycle's name", one_line: true };
/// A grade as the register writes it (等級).
pub const GRADE: TextLimit = TextLimit { field: "grade", max: 40, label_ja: "等級", label_en: "the grade", one_line: true };

/// The name of an API token, so its owner can tell tokens apart.
pub const TOKEN_NAME: TextLimit =
    TextLimit { field: "name", max: 80, label_ja: "トークン名", label_en: "the token name", one_line: true };

/// Every limit, for tests and documentation.
pub const ALL: [TextLimit; 13] = [
    INTERVIEW_PLACE,
    INTERVIEW_STATUS_NOTE,
    INTERVIEW_NOTE,
    REQUEST_PREFERRED,
    REQUEST_MESSAGE,
    REQUEST_REPLY,
    DECLINE_REASON,
    REVIEW_COMMENT,
    TAXONOMY_LABEL_JA,
    TAXONOMY_LABEL_EN,
    CYCLE_NAME,
    GRADE,
    TOKEN_NAME,
];

/// `n` with thousands separators, as both languages write it (50,000).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl TextLimit {
    /// The refusal of a value longer than the limit.
    pub fn too_long(&self) -> Invalid {
        let max = grouped(self.max);
        Invalid::new(
            self.field,
            format!("{}は{max}文字以内で入力してください。", self.label_ja),
            format!("{} must be at most {max} characters", self.label_en),
        )
    }

    /// Whether the trimmed value fits.
    pub fn fits(&self, value: &str) -> bool {
        value.trim().chars().count() <= self.max
    }

    /// The value trimmed, or why it is refused: longer than the limit, a line break in a
    /// one-line field, or a control character.
    pub fn check(&self, value: &str) -> Result<String, Invalid> {
        let v = value.trim();
        if v.chars().count() > self.max {
            return Err(self.too_long());
        }
        if self.one_line && v.contains(['\n', '\r']) {
            return Err(Invalid::new(
                self.field,
                format!("{}は1行で入力してください。", self.label_ja),
                format!("{} must be on one line", self.label_en),
            ));
        }
        if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(Invalid::new(
                self.field,
                format!("{}に使用できない文字が含まれています。", self.label_ja),
                format!("{} contains characters that cannot be used", self.label_en),
            ));
        }
        Ok(v.to_string())
    }
}

/// A taxonomy item's names as HR enters them: the Japanese one is required, the English one
/// falls back to it.
pub fn taxonomy_labels(ja: &str, en: &str) -> Result<(String, String), Invalid> {
    let ja = ja.trim();
    let en = en.trim();
    if ja.is_empty() || !TAXONOMY_LABEL_JA.fits(ja) || !TAXONOMY_LABEL_EN.fits(en) {
        return Err(Invalid::new(
            TAXONOMY_LABEL_JA.field,
            format!(
                "{}は1〜{}文字、{}は{}文字以内で入力してください。",
                TAXONOMY_LABEL_JA.label_ja, TAXONOMY_LABEL_JA.max, TAXONOMY_LABEL_EN.label_ja, TAXONOMY_LABEL_EN.max
            ),
            format!(
                "{} needs 1–{} characters, {} at most {}",
                TAXONOMY_LABEL_JA.label_en, TAXONOMY_LABEL_JA.max, TAXONOMY_LABEL_EN.label_en, TAXONOMY_LABEL_EN.max
            ),
        ));
    }
    Ok((ja.to_string(), if en.is_empty() { ja.to_string() } else { en.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn limits_are_counted_in_characters_not_bytes() {
        let at = "あ".repeat(REQUEST_REPLY.max);
        assert_eq!(REQUEST_REPLY.check(&format!("  {at}\n")), Ok(at.clone()));
        let e = REQUEST_REPLY.check(&format!("{at}あ")).err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.field, "reply");
        assert_eq!(e.message.ja, "連絡事項は1,000文字以内で入力してください。");
        assert_eq!(e.message.en, "the reply must be at most 1,000 characters");
        assert_eq!(INTERVIEW_NOTE.too_long().message.ja, "面談記録は50,000文字以内で入力してください。");
        assert_eq!(REVIEW_COMMENT.too_long().message.ja, "コメントは5,000文字以内で入力してください。");
    }

    #[test]
    fn one_line_fields_refuse_line_breaks_and_none_takes_control_characters() {
        assert_eq!(INTERVIEW_PLACE.check("会議室A\n3階").map_err(|e| e.field), Err("place"));
        assert_eq!(INTERVIEW_STATUS_NOTE.check("体調不良\n後日調整"), Ok("体調不良\n後日調整".into()));
        for limit in ALL {
            let e = limit.check("a\u{7}b").err().unwrap_or_else(|| panic!("{} took a bell", limit.field));
            assert_eq!(e.field, limit.field);
            assert!(e.message.ja.contains(limit.label_ja) && e.message.en.contains(limit.label_en), "{e:?}");
        }
    }

    #[test]
    fn every_limit_says_its_number_in_both_languages() {
        for limit in ALL {
            let m = limit.too_long().message;
            let n = grouped(limit.max);
            assert!(m.ja.contains(&n) && m.en.contains(&n) && m.ja != m.en, "{m:?}");
        }
        assert_eq!(
            (grouped(0), grouped(999), grouped(1_000), grouped(50_000), grouped(1_234_567)),
            ("0".into(), "999".into(), "1,000".into(), "50,000".into(), "1,234,567".into())
        );
    }

    #[test]
    fn taxonomy_labels_need_a_japanese_name() {
        assert_eq!(taxonomy_labels(" 仕事の悩み ", ""), Ok(("仕事の悩み".into(), "仕事の悩み".into())));
        assert_eq!(taxonomy_labels("仕事", " Work "), Ok(("仕事".into(), "Work".into())));
        for (ja, en) in [("", "Work"), (&*"あ".repeat(61), ""), ("仕事", &*"a".repeat(81))] {
            let e = taxonomy_labels(ja, en).err().unwrap_or_else(|| panic!("accepted {ja} / {en}"));
            assert_eq!(e.field, "label_ja");
            assert_eq!(e.message.ja, "名称（日本語）は1〜60文字、英語名は80文字以内で入力してください。");
        }
    }

    proptest! {
        #[test]
        fn a_value_is_taken_exactly_when_it_fits(text in "[あa \n]{0,90}", pick in 0usize..12) {
            let limit = ALL[pick];
            let trimmed = text.trim();
            let fits = trimmed.chars().count() <= limit.max && !(limit.one_line && trimmed.contains('\n'));
            match limit.check(&text) {
                Ok(v) => { prop_assert!(fits); prop_assert_eq!(v.as_str(), trimmed); }
                Err(e) => { prop_assert!(!fits); prop_assert_eq!(e.field, limit.field); }
            }
        }
    }
}
