//! The individual report (個別報告書, R1) and its review by a supervisor (R2):
//! sections, flags, and the status machine draft → submitted → returned → submitted → approved.

use crate::{Invalid, Role};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [ReportStatus::Draft, ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the consultant may still change the text.
    pub fn editable(self) -> bool {
        matches!(self, ReportStatus::Draft | ReportStatus::Returned)
    }
}

/// What can happen to a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportEvent {
    /// The consultant submits (or resubmits after a return) for review.
    Submit,
    /// The supervisor sends it back with comments.
    Return,
    /// The supervisor approves it.
    Approve,
}

/// The next status, or why not. Only the writing consultant submits; only a supervisor
/// returns or approves; an approved report is final.
pub fn transition(from: ReportStatus, event: ReportEvent, by: Role, is_author: bool) -> Result<ReportStatus, Invalid> {
    use ReportEvent as E;
    use ReportStatus as S;
    let refused = |ja: &str, en: &str| Err(Invalid::new("status", ja, en));
    match (from, event) {
        (S::Draft | S::Returned, E::Submit) if by == Role::Consultant && is_author => Ok(S::Submitted),
        (S::Draft | S::Returned, E::Submit) => {
            refused("報告書を提出できるのは作成した担当コンサルタントだけです。", "only the consultant who wrote the report may submit it")
        }
        (S::Submitted, E::Return | E::Approve) if by == Role::Supervisor && !is_author => {
            Ok(if event == E::Return { S::Returned } else { S::Approved })
        }
        (S::Submitted, E::Return | E::Approve) => refused(
            "差し戻し・承認はスーパーバイザーが行います（自分の報告書は承認できません）。",
            "only a supervisor other than the author may return or approve",
        ),
        (S::Approved, _) => refused("承認済みの報告書は変更できません。", "an approved report is final"),
        (S::Submitted, E::Submit) => {
            refused("この報告書はすでに提出され、レビュー待ちです。", "the report is already submitted and waits for review")
        }
        (S::Draft | S::Returned, E::Return | E::Approve) => refused(
            "提出されていない報告書は差し戻し・承認できません。",
            "a report that has not been submitted cannot be returned or approved",
        ),
    }
}

/// The five sections: the seed's three (R1) plus the support plan and next steps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSections {
    /// キャリア意識に関する課題
    pub career_awareness: String,
    /// 職場環境
    pub workplace: String,
    /// 組織内の問題
    pub organization: String,
    /// 支援方針
    pub support_plan: String,
    /// 今後の対応
    pub next_steps: String,
}

/// Section identifiers, in display order, as used in the API and in comments.
pub const SECTIONS: [&str; 5] = ["career_awareness", "workplace", "organization", "support_plan", "next_steps"];

impl ReportSections {
    pub const MAX_CHARS: usize = 20_000;

    pub fn get(&self, section: &str) -> Option<&str> {
        match section {
            "career_awareness" => Some(&self.career_awareness),
            "workplace" => Some(&self.workplace),
            "organization" => Some(&self.organization),
            "support_plan" => Some(&self.support_plan),
            "next_steps" => Some(&self.next_steps),
            _ => None,
        }
    }

    pub fn set(&mut self, section: &str, text: String) {
        match section {
            "career_awareness" => self.career_awareness = text,
            "workplace" => self.workplace = text,
            "organization" => self.organization = text,
            "support_plan" => self.support_plan = text,
            "next_steps" => self.next_steps = text,
            _ => {}
        }
    }

    /// Checks lengths always, and on submission that the seed's three sections are written.
    pub fn validate(&self, for_submission: bool) -> Result<(), Vec<Invalid>> {
        let mut errors = Vec::new();
        for s in SECTIONS {
            let text = self.get(s).unwrap_or("");
            if text.chars().count() > Self::MAX_CHARS {
                errors.push(Invalid::new(
                    section_field(s),
                    format!("「{}」は{}文字以内で入力してください。", section_label_ja(s), Self::MAX_CHARS),
                    format!("\"{}\" must be at most {} characters", section_label_en(s), Self::MAX_CHARS),
                ));
            }
        }
        if for_submission {
            for s in &SECTIONS[..3] {
                if self.get(s).unwrap_or("").trim().is_empty() {
                    errors.push(Invalid::new(
                        section_field(s),
                        format!("提出するには「{}」を記入してください。", section_label_ja(s)),
                        format!("write \"{}\" before submitting", section_label_en(s)),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn section_field(s: &str) -> &'static str {
    SECTIONS.into_iter().find(|x| *x == s).unwrap_or("section")
}

pub fn section_label_ja(s: &str) -> &'static str {
    match s {
        "career_awareness" => "キャリア意識に関する課題",
        "workplace" => "職場環境",
        "organization" => "組織内の問題",
        "support_plan" => "支援方針",
        "next_steps" => "今後の対応",
        _ => "",
    }
}

pub fn section_label_en(s: &str) -> &'static str {
    match s {
        "career_awareness" => "Career-awareness issues",
        "workplace" => "Workplace environment",
        "organization" => "Problems in the organization",
        "support_plan" => "Support plan",
        "next_steps" => "Next steps",
        _ => "",
    }
}

/// The flags later issues act on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFlags {
    /// 生命・安全に関わる内容
    pub life_safety: bool,
    /// 組織的対応が必要
    pub organizational_response: bool,
}

/// One of the flags a report may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportFlag {
    /// Life or safety at stake (生命・安全に関わる内容, R4): the emergency contact is raised at once.
    LifeSafety,
    /// A matter the organization has to act on (組織的対応が必要な事項, R4).
    OrganizationalResponse,
}

impl ReportFlag {
    pub const ALL: [ReportFlag; 2] = [ReportFlag::LifeSafety, ReportFlag::OrganizationalResponse];
}

impl ReportFlags {
    /// The flags set, in a fixed order.
    pub fn set(self) -> Vec<ReportFlag> {
        let mut v = Vec::new();
        if self.life_safety {
            v.push(ReportFlag::LifeSafety);
        }
        if self.organizational_response {
            v.push(ReportFlag::OrganizationalResponse);
        }
        v
    }

    pub fn codes(self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.life_safety {
            v.push("life_safety");
        }
        if self.organizational_response {
            v.push("organizational_response");
        }
        v
    }
}

/// The tenant's issue-tag taxonomy ships with these (R13: the tenant may edit them).
pub const DEFAULT_TAGS: [(&str, &str, &str); 8] = [
    ("career_direction", "キャリアの方向性", "Career direction"),
    ("job_content", "仕事内容", "Job content"),
    ("skill_development", "能力開発", "Skill development"),
    ("evaluation", "評価・処遇", "Evaluation and pay"),
    ("relationships", "人間関係", "Relationships"),
    ("work_style", "働き方・両立", "Work style and life balance"),
    ("health", "健康", "Health"),
    ("organization_system", "組織・制度", "Organization and systems"),
];

/// The supervisor's review rubric ships with these items, each scored 1–4 (R13: editable).
pub const DEFAULT_RUBRIC: [(&str, &str, &str); 5] = [
    ("issue_clarity", "課題の把握が明確か", "Are the issues clearly identified?"),
    ("evidence", "記述が面談の事実に基づいているか", "Is the text grounded in what was said?"),
    ("support_fit", "支援方針が課題に対応しているか", "Does the support plan address the issues?"),
    ("next_steps", "今後の対応が具体的か", "Are the next steps concrete?"),
    ("privacy", "不要な個人情報を含んでいないか", "Is unnecessary personal information left out?"),
];

/// Rubric scores run from 1 (needs work) to 4 (excellent).
pub fn check_score(score: i64) -> Result<i64, Invalid> {
    if (1..=4).contains(&score) {
        Ok(score)
    } else {
        Err(Invalid::new(
            "score",
            format!("評価は1〜4で入力してください（入力値: {score}）。"),
            format!("scores run from 1 to 4 (got {score})"),
        ))
    }
}

/// The review form's comment fields, one per section and one general, in display order.
pub const COMMENT_FIELDS: [&str; 6] = [
    "comment_career_awareness",
    "comment_workplace",
    "comment_organization",
    "comment_support_plan",
    "comment_next_steps",
    "comment_general",
];

/// The form field of a comment on `section` (a section id or `general`).
pub fn comment_field(section: &str) -> Option<&'static str> {
    COMMENT_FIELDS.into_iter().find(|f| f.strip_prefix("comment_") == Some(section))
}

/// Everything wrong with a supervisor's review, all at once (never only the first):
/// `approve` is the decision (None when neither was chosen); `comments` are (section id or
/// `general`, text); `scores` are (rubric code, score as typed, None when it is not a number);
/// `rubric` the codes that may be scored. A return needs at least one comment (said on
/// `comment_general`); each comment on a known section within its length; each score a known
/// item from 1 to 4 (said on `scores`).
pub fn review_problems(
    approve: Option<bool>,
    comments: &[(String, String)],
    scores: &[(String, Option<i64>)],
    rubric: &[String],
) -> Vec<Invalid> {
    let mut out = Vec::new();
    if approve.is_none() {
        out.push(Invalid::new("decision", "「差し戻す」か「承認する」を選んでください。", "choose return or approve"));
    }
    let written: Vec<&(String, String)> = comments.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
    if approve == Some(false) && written.is_empty() {
        out.push(Invalid::new(
            "comment_general",
            "差し戻す場合は、少なくとも1つのコメントを記入してください（全体へのコメントか、いずれかの欄へのコメント）。",
            "write at least one comment when returning a report (general or on a section)",
        ));
    }
    for (section, text) in written {
        match comment_field(section) {
            None => out.push(Invalid::new("comments", "コメントの対象欄が不正です。", "unknown section for a comment")),
            Some(field) if !crate::limits::REVIEW_COMMENT.fits(text) => {
                out.push(Invalid { field, ..crate::limits::REVIEW_COMMENT.too_long() })
            }
            Some(_) => {}
        }
    }
    for (code, score) in scores {
        if !rubric.iter().any(|r| r == code) {
            out.push(Invalid::new("scores", format!("評価項目「{code}」は登録されていません。"), format!("unknown rubric item {code}")));
        } else {
            match score.map(check_score) {
                None => out.push(Invalid::new("scores", "評価は1〜4の数値で選んでください。", "scores must be numbers from 1 to 4")),
                Some(Err(e)) => out.push(Invalid { field: "scores", ..e }),
                Some(Ok(_)) => {}
            }
        }
    }
    out
}

/// A save refused because the report changed in another window since it was opened.
pub fn edited_elsewhere() -> crate::Message {
    crate::Message::new(
        "この報告書は別の画面で更新されています。最新の内容を読み込み直してください。",
        "this report was changed in another window; reload it to see the latest version",
    )
}

/// A step refused because the report's status changed meanwhile (submitted, reviewed, …).
pub fn status_changed() -> crate::Message {
    crate::Message::new("報告書の状態が変わっています。画面を読み込み直してください。", "the report's status has changed; reload the page")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn submission_lists_every_missing_section_at_once() {
        let errors = ReportSections::default().validate(true).err().unwrap_or_default();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["career_awareness", "workplace", "organization"]);
        let s = ReportSections { workplace: "書いた".into(), ..ReportSections::default() };
        assert_eq!(s.validate(true).err().map(|e| e.len()), Some(2));
    }

    #[test]
    fn a_review_is_checked_whole() {
        let rubric = vec!["evidence".to_string(), "privacy".to_string()];
        let none: Vec<(String, String)> = Vec::new();
        let fields = |p: Vec<Invalid>| p.into_iter().map(|e| e.field).collect::<Vec<_>>();
        // Returned without a comment, with a bad score and an unknown item: three problems.
        let scores = vec![("evidence".to_string(), Some(7)), ("nope".to_string(), Some(2)), ("privacy".to_string(), Some(3))];
        assert_eq!(fields(review_problems(Some(false), &none, &scores, &rubric)), vec!["comment_general", "scores", "scores"]);
        assert_eq!(fields(review_problems(None, &none, &[], &rubric)), vec!["decision"]);
        assert!(review_problems(Some(true), &none, &[("evidence".into(), Some(4))], &rubric).is_empty());
        let blank = vec![("workplace".to_string(), "  ".to_string())];
        assert_eq!(fields(review_problems(Some(false), &blank, &[], &rubric)), vec!["comment_general"]);
        let long = vec![("workplace".to_string(), "あ".repeat(5_001)), ("elsewhere".to_string(), "x".to_string())];
        assert_eq!(
            fields(review_problems(Some(false), &long, &[("privacy".into(), None)], &rubric)),
            vec!["comment_workplace", "comments", "scores"]
        );
        assert_eq!(comment_field("general"), Some("comment_general"));
        assert_eq!(comment_field("x"), None);
    }

    #[test]
    fn conflicts_are_said_in_both_languages() {
        for m in [edited_elsewhere(), status_changed()] {
            assert!(!m.ja.is_empty() && !m.en.is_empty() && m.ja != m.en, "{m:?}");
        }
    }

    #[test]
    fn the_happy_path() {
        let s = transition(ReportStatus::Draft, ReportEvent::Submit, Role::Consultant, true).unwrap();
        assert_eq!(s, ReportStatus::Submitted);
        let s = transition(s, ReportEvent::Return, Role::Supervisor, false).unwrap();
        assert_eq!(s, ReportStatus::Returned);
        let s = transition(s, ReportEvent::Submit, Role::Consultant, true).unwrap();
        let s = transition(s, ReportEvent::Approve, Role::Supervisor, false).unwrap();
        assert_eq!(s, ReportStatus::Approved);
    }

    #[test]
    fn others_cannot_submit_and_authors_cannot_approve() {
        assert!(transition(ReportStatus::Draft, ReportEvent::Submit, Role::Consultant, false).is_err());
        assert!(transition(ReportStatus::Draft, ReportEvent::Submit, Role::Hr, true).is_err());
        assert!(transition(ReportStatus::Submitted, ReportEvent::Approve, Role::Supervisor, true).is_err());
        assert!(transition(ReportStatus::Submitted, ReportEvent::Approve, Role::Consultant, false).is_err());
    }

    fn status() -> impl Strategy<Value = ReportStatus> {
        prop::sample::select(ReportStatus::ALL.to_vec())
    }
    fn event() -> impl Strategy<Value = ReportEvent> {
        prop::sample::select(vec![ReportEvent::Submit, ReportEvent::Return, ReportEvent::Approve])
    }
    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn approved_is_final(e in event(), r in role(), a in any::<bool>()) {
            prop_assert!(transition(ReportStatus::Approved, e, r, a).is_err());
        }

        #[test]
        fn only_consultants_submit_and_only_supervisors_decide(from in status(), e in event(), r in role(), a in any::<bool>()) {
            if let Ok(to) = transition(from, e, r, a) {
                match to {
                    ReportStatus::Submitted => prop_assert!(r == Role::Consultant && a),
                    ReportStatus::Returned | ReportStatus::Approved => prop_assert!(r == Role::Supervisor && !a && from == ReportStatus::Submitted),
                    ReportStatus::Draft => prop_assert!(false, "nothing goes back to draft"),
                }
            }
        }

        #[test]
        fn any_sequence_reaches_approval_only_through_submission(events in prop::collection::vec((event(), role(), any::<bool>()), 0..20)) {
            let mut s = ReportStatus::Draft;
            let mut last_submitted = false;
            for (e, r, a) in events {
                if let Ok(next) = transition(s, e, r, a) {
                    if next == ReportStatus::Approved { prop_assert!(last_submitted); }
                    last_submitted = next == ReportStatus::Submitted;
                    s = next;
                }
            }
        }
    }

    #[test]
    fn submission_needs_the_three_seed_sections() {
        let mut s = ReportSections::default();
        let errs = s.validate(true).unwrap_err();
        assert_eq!(errs.len(), 3);
        assert!(s.validate(false).is_ok());
        s.career_awareness = "a".into();
        s.workplace = "b".into();
        s.organization = "c".into();
        assert!(s.validate(true).is_ok());
        s.next_steps = "x".repeat(ReportSections::MAX_CHARS + 1);
        assert_eq!(s.validate(false).unwrap_err()[0].field, "next_steps");
    }

    #[test]
    fn scores() {
        assert!(check_score(0).is_err());
        assert_eq!(check_score(4), Ok(4));
    }
}
