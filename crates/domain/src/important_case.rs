//! Important cases (重要事案, R5) and organizational issues (組織課題).
//!
//! An important case is a consultant's summary of an approved report, released to HR only as a
//! disclosure of purpose `important_case` to the role hr that the employee agreed to
//! (`consent::release` at every read). HR records what the company does about it: the solution
//! (解決策, sealed), who owns it (担当), how far it has come ([`CaseStatus`]) and whether it goes
//! into the management report. Without consent, only an organizational issue may be raised from a
//! report flagged 組織的対応が必要: a text with no person in it (the pseudonymizer masks any name
//! that slips in, see [`issue_mask_labels`]) in a register HR works through ([`IssueStatus`]).
//!
//! Everything here is a pure rule: the statuses, what a record must hold, and the labels that
//! replace masked names.

use crate::limits::TextLimit;
use crate::pseudonym::MaskLabels;
use crate::Invalid;

/// How far HR has come with an important case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    /// Received; nobody acts on it yet.
    Open,
    /// An owner works on a solution.
    InProgress,
    /// A solution is in place; HR watches whether it holds.
    Monitoring,
    /// Done.
    Resolved,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [CaseStatus::Open, CaseStatus::InProgress, CaseStatus::Monitoring, CaseStatus::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Monitoring => "monitoring",
            CaseStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether someone must own the case in this status.
    pub fn needs_owner(self) -> bool {
        self != CaseStatus::Open
    }

    /// Whether the case must say what was done.
    pub fn needs_solution(self) -> bool {
        matches!(self, CaseStatus::Monitoring | CaseStatus::Resolved)
    }
}

/// How far HR has come with an organizational issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueStatus {
    /// Raised; not taken up yet.
    Open,
    /// Being worked on.
    InProgress,
    /// Addressed.
    Resolved,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 3] = [IssueStatus::Open, IssueStatus::InProgress, IssueStatus::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Open => "open",
            IssueStatus::InProgress => "in_progress",
            IssueStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<IssueStatus> {
        IssueStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The summary a consultant writes for HR (the disclosure's text).
pub const CASE_SUMMARY: TextLimit =
    TextLimit { field: "summary", max: 4_000, label_ja: "事案の概要", label_en: "the summary", one_line: false };
/// What the company does about a case.
pub const CASE_SOLUTION: TextLimit =
    TextLimit { field: "solution", max: 4_000, label_ja: "解決策", label_en: "the solution", one_line: false };
/// Who owns a case (a department or a person of the company, as HR writes it).
pub const CASE_OWNER: TextLimit = TextLimit { field: "owner", max: 100, label_ja: "担当", label_en: "the owner", one_line: true };
/// An organizational issue's title.
pub const ISSUE_TITLE: TextLimit = TextLimit { field: "title", max: 100, label_ja: "件名", label_en: "the title", one_line: true };
/// An organizational issue's description.
pub const ISSUE_BODY: TextLimit =
    TextLimit { field: "body", max: 4_000, label_ja: "課題の内容", label_en: "the description", one_line: false };

/// Every limit of this module (the pages' `maxlength` take the same numbers).
pub const LIMITS: [TextLimit; 5] = [CASE_SUMMARY, CASE_SOLUTION, CASE_OWNER, ISSUE_TITLE, ISSUE_BODY];

fn required(limit: TextLimit) -> Invalid {
    Invalid::new(limit.field, format!("{}を入力してください。", limit.label_ja), format!("Enter {}", limit.label_en))
}

/// A checked text: trimmed, within its limit, present when `needed`.
fn text(limit: TextLimit, value: &str, needed: bool, problems: &mut Vec<Invalid>) -> String {
    match limit.check(value) {
        Ok(v) if v.is_empty() && needed => {
            problems.push(required(limit));
            v
        }
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            value.trim().to_string()
        }
    }
}

/// The summary of an important case as the consultant typed it, or every problem.
pub fn check_case_summary(summary: &str) -> Result<String, Vec<Invalid>> {
    let mut problems = Vec::new();
    let s = text(CASE_SUMMARY, summary, true, &mut problems);
    if problems.is_empty() {
        Ok(s)
    } else {
        Err(problems)
    }
}

/// What HR records about an important case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResponse {
    pub status: CaseStatus,
    pub owner: String,
    pub solution: String,
    /// Whether the case goes into the management report (経営層への報告).
    pub in_management_report: bool,
}

/// HR's record of a case as typed (status as its code), or every problem at once: a known
/// status; an owner once someone works on it; the solution once one is in place; each text
/// within its limit.
pub fn check_case_response(status: &str, owner: &str, solution: &str, in_management_report: bool) -> Result<CaseResponse, Vec<Invalid>> {
    let mut problems = Vec::new();
    let parsed = CaseStatus::parse(status.trim());
    if parsed.is_none() {
        problems.push(Invalid::new("status", "状況を選んでください。", "Choose a status"));
    }
    let st = parsed.unwrap_or(CaseStatus::Open);
    let owner = text(CASE_OWNER, owner, st.needs_owner(), &mut problems);
    let solution = text(CASE_SOLUTION, solution, st.needs_solution(), &mut problems);
    if problems.is_empty() {
        Ok(CaseResponse { status: st, owner, solution, in_management_report })
    } else {
        Err(problems)
    }
}

/// An organizational issue's title and description as typed, or every problem at once.
pub fn check_org_issue(title: &str, body: &str) -> Result<(String, String), Vec<Invalid>> {
    let mut problems = Vec::new();
    let t = text(ISSUE_TITLE, title, true, &mut problems);
    let b = text(ISSUE_BODY, body, true, &mut problems);
    if problems.is_empty() {
        Ok((t, b))
    } else {
        Err(problems)
    }
}

/// What replaces a person in an organizational issue: no pseudonym code (an issue is about
/// the organization, not about someone whom a code would follow across texts), only their
/// place in the story.
pub fn issue_mask_labels() -> MaskLabels {
    MaskLabels {
        subject: "相談者".to_owned(),
        boss: "上司".to_owned(),
        other_prefix: "関係者".to_owned(),
        department: "ある部署".to_owned(),
        employee_number: "[社員番号]".to_owned(),
        email: "[メールアドレス]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pseudonym::{KnownPerson, NameIndex};
    use proptest::prelude::*;

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        for s in IssueStatus::ALL {
            assert_eq!(IssueStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("closed"), None);
        assert_eq!(IssueStatus::parse(""), None);
    }

    #[test]
    fn a_case_response_names_every_problem_at_once() {
        let e = check_case_response("resolved", "", "", true).err().unwrap_or_default();
        let fields: Vec<_> = e.iter().map(|i| i.field).collect();
        assert_eq!(fields, ["owner", "solution"]);
        assert_eq!(e[1].message.ja, "解決策を入力してください。");
        let e = check_case_response("nonsense", &"あ".repeat(101), "", false).err().unwrap_or_default();
        assert_eq!(e.iter().map(|i| i.field).collect::<Vec<_>>(), ["status", "owner"]);
        assert_eq!(
            check_case_response("open", "", "", false),
            Ok(CaseResponse { status: CaseStatus::Open, owner: String::new(), solution: String::new(), in_management_report: false })
        );
        let ok = check_case_response("in_progress", " 人事部 労務課 ", "", true);
        assert_eq!(ok.map(|r| (r.status, r.owner)), Ok((CaseStatus::InProgress, "人事部 労務課".to_string())));
        assert!(check_case_response("in_progress", "人事部\n労務課", "", false).is_err());
    }

    #[test]
    fn an_issue_needs_a_title_and_a_description() {
        let e = check_org_issue(" ", "").err().unwrap_or_default();
        assert_eq!(e.iter().map(|i| i.field).collect::<Vec<_>>(), ["title", "body"]);
        assert_eq!(check_org_issue(" 長時間労働 ", "内容\n続き"), Ok(("長時間労働".into(), "内容\n続き".into())));
        assert!(check_org_issue("a\nb", "x").is_err());
        assert!(check_org_issue("a", &"x".repeat(4_001)).is_err());
    }

    #[test]
    fn the_summary_is_required_and_bounded() {
        assert!(check_case_summary("").is_err());
        assert_eq!(check_case_summary(" 概要 "), Ok("概要".into()));
        assert!(check_case_summary(&"あ".repeat(4_001)).is_err());
    }

    #[test]
    fn every_limit_is_worded_in_both_languages() {
        for l in LIMITS {
            let m = required(l).message;
            assert!(m.ja.contains(l.label_ja) && m.en.contains(l.label_en));
        }
    }

    fn register() -> NameIndex {
        NameIndex::with_departments(
            &[KnownPerson {
                id: 1,
                family: "山田".into(),
                given: "太郎".into(),
                family_kana: Some("ヤマダ".into()),
                given_kana: Some("タロウ".into()),
                employee_number: Some("E00123".into()),
                email: Some("yamada@example.jp".into()),
            }],
            &["第一営業部".to_string()],
        )
    }

    #[test]
    fn a_name_that_slips_into_an_issue_is_masked_without_a_code() {
        let idx = register();
        let out = idx.mask("山田太郎さん（E00123）が第一営業部で深夜残業", Some(1), None, &issue_mask_labels());
        assert!(!out.contains("山田") && !out.contains("E00123") && !out.contains("第一営業部"), "{out}");
        assert!(out.contains("相談者") && out.contains("ある部署"), "{out}");
    }

    proptest! {
        /// Whatever HR types, a response is accepted exactly when the status is known, the
        /// texts fit, and the owner and solution are there where the status needs them.
        #[test]
        fn a_response_is_accepted_exactly_when_its_rules_hold(
            status in prop::sample::select(vec!["open", "in_progress", "monitoring", "resolved", "bogus"]),
            owner in "[a-z ]{0,3}",
            solution in "[a-z ]{0,3}",
            flag in any::<bool>(),
        ) {
            let accepted = check_case_response(status, &owner, &solution, flag).is_ok();
            let expected = match CaseStatus::parse(status) {
                None => false,
                Some(s) => (!s.needs_owner() || !owner.trim().is_empty()) && (!s.needs_solution() || !solution.trim().is_empty()),
            };
            prop_assert_eq!(accepted, expected);
        }
    }
}
