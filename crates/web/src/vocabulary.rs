//! The words of every status and kind, from the one vocabulary (`domain::vocabulary`):
//! `t.term(report.status)` in pages, `{{ ctx.t.term(iv.kind) }}` in templates.

use crate::i18n::Tr;
use domain::vocabulary::Term;

impl Tr {
    /// The word for a status or kind in the reader's language.
    pub fn term(&self, value: impl Term) -> String {
        self.get(value.key())
    }

    /// Several values' words joined as the language does (`、` / `, `).
    pub fn terms<T: Term>(&self, values: &[T]) -> String {
        domain::display::join(values.iter().map(|v| self.term(*v)), self.locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::cycle::CycleStatus;
    use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
    use domain::report::ReportStatus;
    use domain::Locale;
    use std::path::Path;

    fn both() -> [Tr; 2] {
        [Tr::new(Locale::Ja), Tr::new(Locale::En)]
    }

    #[test]
    fn every_term_is_worded_in_both_languages_and_distinct_within_its_group() {
        for (group, keys) in domain::vocabulary::groups() {
            for t in both() {
                let words: Vec<String> = keys.iter().map(|k| t.get(k)).collect();
                for (k, w) in keys.iter().zip(&words) {
                    assert!(!w.is_empty() && w != k, "{k} has no {} word", t.code());
                }
                let distinct: std::collections::BTreeSet<_> = words.iter().collect();
                assert_eq!(distinct.len(), words.len(), "two values of {group} read alike in {}: {words:?}", t.code());
            }
        }
    }

    /// The domain's own messages (a refused change names the status) use the same words.
    #[test]
    fn the_domains_labels_are_the_vocabularys_words() {
        let [ja, en] = both();
        macro_rules! same {
            ($all:expr) => {
                for v in $all.iter().copied() {
                    assert_eq!(ja.term(v), v.label_ja(), "{:?}", v);
                    assert_eq!(en.term(v), v.label_en(), "{:?}", v);
                }
            };
        }
        same!(InterviewKind::ALL);
        same!(InterviewMode::ALL);
        same!(InterviewStatus::ALL);
        same!(RequestStatus::ALL);
        same!(CycleStatus::ALL);
        for r in domain::Role::ALL {
            assert_eq!(ja.term(r), r.label_ja());
        }
        assert_eq!(ja.term(ReportStatus::Submitted), "レビュー待ち");
        assert_eq!(en.term(ReportStatus::Submitted), "Awaiting review");
        assert_eq!(ja.term(InterviewKind::Additional), "追加面談");
    }

    /// docs/glossary.md explains every word of the vocabulary, in both languages: it cannot drift.
    #[test]
    fn the_glossary_lists_every_term() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/glossary.md");
        let glossary = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!glossary.is_empty(), "{} is missing", path.display());
        let [ja, en] = both();
        let mut missing = Vec::new();
        for key in domain::vocabulary::all_keys() {
            let row = glossary.lines().find(|l| l.contains(&format!("`{key}`")));
            match row {
                Some(row) if row.contains(&format!("| {} |", ja.get(key))) && row.contains(&format!("| {} |", en.get(key))) => {}
                Some(row) => missing.push(format!("{key}: the row does not give 「{}」 and \"{}\": {row}", ja.get(key), en.get(key))),
                None => missing.push(format!("{key}: no row")),
            }
        }
        assert!(missing.is_empty(), "docs/glossary.md is out of step with the vocabulary:\n{}", missing.join("\n"));
    }
}
