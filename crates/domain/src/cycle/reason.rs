//! Why an employee is a cycle's target, as facts (which department, grade, age milestone, years
//! of service, or an uploaded list), stored as compact JSON and worded per language when shown.

use crate::Locale;
use serde::{Deserialize, Serialize};

/// One reason an employee is targeted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// In the subtree of this department.
    Department(String),
    /// Holds this grade.
    Grade(String),
    /// Reaches this age in the cycle's fiscal year.
    AgeMilestone(i32),
    /// Completes this many years of service in the cycle's fiscal year.
    TenureYears(i32),
    /// Added from an uploaded list of employee numbers.
    Listed,
}

/// All the reasons of one target, in the rule's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reasons(pub Vec<Reason>);

/// The stored reason of targets added from an uploaded list.
pub const LISTED_REASON: &str = r#"["listed"]"#;

/// How the product recorded a listed target before reasons were stored as facts.
const LEGACY_LISTED: &str = "対象者リストから追加";

impl Reasons {
    /// As stored in `cycle_targets.reason`.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored reason, or `None` for text recorded before reasons were facts.
    pub fn decode(stored: &str) -> Option<Reasons> {
        if stored.trim() == LEGACY_LISTED {
            return Some(Reasons(vec![Reason::Listed]));
        }
        serde_json::from_str(stored).ok()
    }

    /// In words: 「所属: 営業本部・30歳の節目」 / "Department: 営業本部; turning 30".
    pub fn words(&self, locale: Locale) -> String {
        let parts: Vec<String> = self.0.iter().map(|r| r.words(locale)).collect();
        parts.join(match locale {
            Locale::Ja => "・",
            Locale::En => "; ",
        })
    }
}

impl Reason {
    pub fn words(&self, locale: Locale) -> String {
        match (self, locale) {
            (Reason::Department(d), Locale::Ja) => format!("所属: {d}"),
            (Reason::Department(d), Locale::En) => format!("department: {d}"),
            (Reason::Grade(g), Locale::Ja) => format!("等級: {g}"),
            (Reason::Grade(g), Locale::En) => format!("grade: {g}"),
            (Reason::AgeMilestone(a), Locale::Ja) => format!("{a}歳の節目"),
            (Reason::AgeMilestone(a), Locale::En) => format!("turning {a}"),
            (Reason::TenureYears(y), Locale::Ja) => format!("勤続{y}年"),
            (Reason::TenureYears(1), Locale::En) => "1 year of service".to_string(),
            (Reason::TenureYears(y), Locale::En) => format!("{y} years of service"),
            (Reason::Listed, Locale::Ja) => "対象者リストから追加".to_string(),
            (Reason::Listed, Locale::En) => "added from a list of employees".to_string(),
        }
    }
}

/// A stored reason in the reader's language; text recorded before reasons were facts is shown
/// as it was recorded.
pub fn reason_words(stored: &str, locale: Locale) -> String {
    match Reasons::decode(stored) {
        Some(r) => {
            let w = r.words(locale);
            let mut chars = w.chars();
            match (locale, chars.next()) {
                (Locale::En, Some(first)) => first.to_uppercase().chain(chars).collect(),
                _ => w,
            }
        }
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_stored_as_facts_and_worded_per_language() {
        let r = Reasons(vec![Reason::Department("営業本部".into()), Reason::AgeMilestone(30), Reason::TenureYears(5)]);
        let stored = r.encode();
        assert_eq!(Reasons::decode(&stored), Some(r));
        assert_eq!(reason_words(&stored, Locale::Ja), "所属: 営業本部・30歳の節目・勤続5年");
        assert_eq!(reason_words(&stored, Locale::En), "Department: 営業本部; turning 30; 5 years of service");
        assert_eq!(Reasons(vec![Reason::Listed]).encode(), LISTED_REASON);
        assert_eq!(reason_words(LISTED_REASON, Locale::En), "Added from a list of employees");
        assert_eq!(reason_words("対象者リストから追加", Locale::En), "Added from a list of employees");
        assert_eq!(reason_words("手入力の理由", Locale::En), "手入力の理由");
    }
}
