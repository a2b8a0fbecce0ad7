//! The consultants' narrative of an overall report (R3): four sections written in the app and
//! shown beside the numbers. Sealed in the store like every text a consultant writes; it names
//! nobody (the consultants write about the whole, the approver reads it before release).

use crate::limits::TextLimit;
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// The sections in their order: field name, Japanese heading, English heading.
pub const SECTIONS: [TextLimit; 4] = [
    TextLimit {
        field: "trends",
        max: 8_000,
        label_ja: "面談対象者全体の傾向",
        label_en: "Trends across everyone interviewed",
        one_line: false,
    },
    TextLimit { field: "issues", max: 8_000, label_ja: "組織的な課題", label_en: "Organizational issues", one_line: false },
    TextLimit { field: "solutions", max: 8_000, label_ja: "解決策", label_en: "Solutions", one_line: false },
    TextLimit {
        field: "development",
        max: 8_000,
        label_ja: "従業員育成策に関する提案",
        label_en: "Proposals for employee development",
        one_line: false,
    },
];

/// The four sections' text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Narrative {
    pub trends: String,
    pub issues: String,
    pub solutions: String,
    pub development: String,
}

impl Narrative {
    /// The text of a section by its field name.
    pub fn get(&self, field: &str) -> &str {
        match field {
            "trends" => &self.trends,
            "issues" => &self.issues,
            "solutions" => &self.solutions,
            "development" => &self.development,
            _ => "",
        }
    }

    fn slot(&mut self, field: &str) -> Option<&mut String> {
        match field {
            "trends" => Some(&mut self.trends),
            "issues" => Some(&mut self.issues),
            "solutions" => Some(&mut self.solutions),
            "development" => Some(&mut self.development),
            _ => None,
        }
    }

    /// Whether every section has text (release needs the whole narrative).
    pub fn complete(&self) -> bool {
        SECTIONS.iter().all(|s| !self.get(s.field).trim().is_empty())
    }
}

/// The narrative as typed, trimmed and within its limits, or every problem (each beside its
/// field). Empty sections are allowed while drafting.
pub fn check_narrative(typed: &Narrative) -> Result<Narrative, Vec<Invalid>> {
    let mut out = Narrative::default();
    let mut problems = Vec::new();
    for s in SECTIONS {
        match s.check(typed.get(s.field)) {
            Ok(v) => {
                if let Some(slot) = out.slot(s.field) {
                    *slot = v;
                }
            }
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Why a draft cannot be released yet: a section without text.
pub fn check_complete(n: &Narrative) -> Result<(), Vec<Invalid>> {
    let problems: Vec<Invalid> = SECTIONS
        .iter()
        .filter(|s| n.get(s.field).trim().is_empty())
        .map(|s| {
            Invalid::new(
                s.field,
                format!("公開の前に「{}」を記入してください。", s.label_ja),
                format!("Write “{}” before the release", s.label_en),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_checked_each_beside_its_field() {
        let typed = Narrative { trends: "  傾向  ".into(), issues: "x".repeat(8_001), ..Narrative::default() };
        let problems = check_narrative(&typed).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "issues");
        let ok = check_narrative(&Narrative { trends: " 傾向 ".into(), ..Narrative::default() }).unwrap_or_default();
        assert_eq!(ok.trends, "傾向");
        assert!(!ok.complete());
        let missing = check_complete(&ok).err().unwrap_or_default();
        assert_eq!(missing.iter().map(|p| p.field).collect::<Vec<_>>(), vec!["issues", "solutions", "development"]);
    }
}
