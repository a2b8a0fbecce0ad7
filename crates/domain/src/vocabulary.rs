//! The product's one vocabulary for statuses and kinds: every value of every status or kind
//! people read (a report's status, an interview's kind, a cycle's state, a role …) maps here to
//! exactly one message key. The words themselves live in the web crate's
//! `locales/{ja,en}/vocabulary.ftl` (roles in `main.ftl`), and `docs/glossary.md` explains each;
//! tests keep the three in step.

use crate::consent::{ConsentDecision, ConsentMethod, DisclosureState, Purpose};
use crate::cycle::CycleStatus;
use crate::employee::EmployeeStatus;
use crate::escalation::{DisclosureRequestState, EscalationState};
use crate::important_case::{CaseStatus, IssueStatus};
use crate::improvement_action::{ActionStatus, Evaluation};
use crate::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
use crate::notification::NotificationKind;
use crate::policy::AggregateState;
use crate::referral::{ContactKind, ReferralStatus};
use crate::report::{ReportFlag, ReportStatus};
use crate::Role;

/// A value with a name in the vocabulary.
pub trait Term: Copy + 'static {
    /// Its message key, e.g. `term-report-submitted`.
    fn key(self) -> &'static str;
}

macro_rules! terms {
    ($ty:ty { $($variant:path => $key:literal),* $(,)? }) => {
        impl Term for $ty {
            fn key(self) -> &'static str {
                match self { $($variant => $key),* }
            }
        }
    };
}

terms!(ReportStatus {
    ReportStatus::Draft => "term-report-draft",
    ReportStatus::Submitted => "term-report-submitted",
    ReportStatus::Returned => "term-report-returned",
    ReportStatus::Approved => "term-report-approved",
});

terms!(ReportFlag {
    ReportFlag::LifeSafety => "term-flag-life-safety",
    ReportFlag::OrganizationalResponse => "term-flag-organizational-response",
});

terms!(InterviewKind {
    InterviewKind::Initial => "term-interview-initial",
    InterviewKind::Additional => "term-interview-additional",
    InterviewKind::FollowUp => "term-interview-follow-up",
});

terms!(InterviewMode {
    InterviewMode::InPerson => "term-mode-in-person",
    InterviewMode::Online => "term-mode-online",
});

terms!(InterviewStatus {
    InterviewStatus::Scheduled => "term-interview-scheduled",
    InterviewStatus::Held => "term-interview-held",
    InterviewStatus::NoShow => "term-interview-no-show",
    InterviewStatus::Cancelled => "term-interview-cancelled",
});

terms!(RequestStatus {
    RequestStatus::Open => "term-request-open",
    RequestStatus::Scheduled => "term-request-scheduled",
    RequestStatus::Declined => "term-request-declined",
});

terms!(CycleStatus {
    CycleStatus::Planning => "term-cycle-planning",
    CycleStatus::Active => "term-cycle-active",
    CycleStatus::Closed => "term-cycle-closed",
});

terms!(EmployeeStatus {
    EmployeeStatus::Active => "term-employee-active",
    EmployeeStatus::OnLeave => "term-employee-on-leave",
    EmployeeStatus::Retired => "term-employee-retired",
});

terms!(Role {
    Role::Consultant => "role-consultant",
    Role::Supervisor => "role-supervisor",
    Role::Hr => "role-hr",
    Role::Executive => "role-executive",
    Role::Boss => "role-boss",
    Role::Health => "role-health",
    Role::Employee => "role-employee",
    Role::Admin => "role-admin",
});

terms!(Purpose {
    Purpose::BossFeedback => "term-purpose-boss-feedback",
    Purpose::ImportantCase => "term-purpose-important-case",
    Purpose::Referral => "term-purpose-referral",
});

terms!(DisclosureState {
    DisclosureState::Pending => "term-disclosure-pending",
    DisclosureState::Granted => "term-disclosure-granted",
    DisclosureState::Refused => "term-disclosure-refused",
    DisclosureState::Withdrawn => "term-disclosure-withdrawn",
    DisclosureState::ChangesRequested => "term-disclosure-changes-requested",
    DisclosureState::Expired => "term-disclosure-expired",
});

terms!(ConsentDecision {
    ConsentDecision::Grant => "term-consent-grant",
    ConsentDecision::Refuse => "term-consent-refuse",
    ConsentDecision::Withdraw => "term-consent-withdraw",
    ConsentDecision::RequestChanges => "term-consent-request-changes",
});

terms!(ConsentMethod {
    ConsentMethod::App => "term-method-app",
    ConsentMethod::Written => "term-method-written",
    ConsentMethod::Verbal => "term-method-verbal",
});

terms!(EscalationState {
    EscalationState::Open => "term-escalation-open",
    EscalationState::Acknowledged => "term-escalation-acknowledged",
    EscalationState::Closed => "term-escalation-closed",
});

terms!(DisclosureRequestState {
    DisclosureRequestState::Pending => "term-escalation-request-pending",
    DisclosureRequestState::Approved => "term-escalation-request-approved",
});

terms!(CaseStatus {
    CaseStatus::Open => "term-case-open",
    CaseStatus::InProgress => "term-case-in-progress",
    CaseStatus::Monitoring => "term-case-monitoring",
    CaseStatus::Resolved => "term-case-resolved",
});

terms!(AggregateState {
    AggregateState::Draft => "term-aggregate-draft",
    AggregateState::Approved => "term-aggregate-approved",
    AggregateState::Released => "term-aggregate-released",
});

terms!(IssueStatus {
    IssueStatus::Open => "term-issue-open",
    IssueStatus::InProgress => "term-issue-in-progress",
    IssueStatus::Resolved => "term-issue-resolved",
});

terms!(ActionStatus {
    ActionStatus::Planned => "term-action-planned",
    ActionStatus::InProgress => "term-action-in-progress",
    ActionStatus::Done => "term-action-done",
    ActionStatus::Cancelled => "term-action-cancelled",
});

terms!(Evaluation {
    Evaluation::Effective => "term-evaluation-effective",
    Evaluation::Partly => "term-evaluation-partly",
    Evaluation::NotEffective => "term-evaluation-not-effective",
});

terms!(NotificationKind {
    NotificationKind::DisclosureRequested => "term-notice-disclosure-requested",
    NotificationKind::DisclosureDecided => "term-notice-disclosure-decided",
    NotificationKind::DisclosureShared => "term-notice-disclosure-shared",
    NotificationKind::EscalationRaised => "term-notice-escalation-raised",
    NotificationKind::EscalationOverdue => "term-notice-escalation-overdue",
    NotificationKind::EscalationApprovalRequested => "term-notice-escalation-approval-requested",
    NotificationKind::EscalationDisclosureNotice => "term-notice-escalation-disclosure-notice",
    NotificationKind::ImportantCaseShared => "term-notice-important-case-shared",
    NotificationKind::OrgIssueRaised => "term-notice-org-issue-raised",
    NotificationKind::BossGuideUpdated => "term-notice-boss-guide-updated",
    NotificationKind::FollowUpDueSoon => "term-notice-follow-up-due-soon",
    NotificationKind::FollowUpOverdue => "term-notice-follow-up-overdue",
});

terms!(ReferralStatus {
    ReferralStatus::Referred => "term-referral-referred",
    ReferralStatus::Accepted => "term-referral-accepted",
    ReferralStatus::InCare => "term-referral-in-care",
    ReferralStatus::Closed => "term-referral-closed",
    ReferralStatus::Declined => "term-referral-declined",
});

terms!(ContactKind {
    ContactKind::Eap => "term-contact-eap",
    ContactKind::Institution => "term-contact-institution",
});

/// Every group of the vocabulary, with every key in it, in the glossary's order.
pub fn groups() -> Vec<(&'static str, Vec<&'static str>)> {
    fn keys<T: Term>(all: &[T]) -> Vec<&'static str> {
        all.iter().map(|t| t.key()).collect()
    }
    vec![
        ("report-status", keys(&ReportStatus::ALL)),
        ("report-flag", keys(&ReportFlag::ALL)),
        ("interview-kind", keys(InterviewKind::ALL)),
        ("interview-mode", keys(InterviewMode::ALL)),
        ("interview-status", keys(InterviewStatus::ALL)),
        ("request-status", keys(RequestStatus::ALL)),
        ("cycle-status", keys(&CycleStatus::ALL)),
        ("employee-status", keys(&EmployeeStatus::ALL)),
        ("role", keys(&Role::ALL)),
        ("purpose", keys(&Purpose::ALL)),
        ("disclosure-state", keys(&DisclosureState::ALL)),
        ("consent-decision", keys(&ConsentDecision::ALL)),
        ("consent-method", keys(&ConsentMethod::ALL)),
        ("escalation-state", keys(&EscalationState::ALL)),
        ("escalation-request", keys(&DisclosureRequestState::ALL)),
        ("case-status", keys(&CaseStatus::ALL)),
        ("issue-status", keys(&IssueStatus::ALL)),
        ("notification-kind", keys(&NotificationKind::ALL)),
        ("aggregate-state", keys(&AggregateState::ALL)),
        ("referral-status", keys(&ReferralStatus::ALL)),
        ("contact-kind", keys(&ContactKind::ALL)),
        ("action-status", keys(&ActionStatus::ALL)),
        ("action-evaluation", keys(&Evaluation::ALL)),
    ]
}

/// Every key of the vocabulary.
pub fn all_keys() -> Vec<&'static str> {
    groups().into_iter().flat_map(|(_, keys)| keys).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_value_has_its_own_key() {
        let keys = all_keys();
        let distinct: BTreeSet<_> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "two values share a key");
        assert!(keys.iter().all(|k| k.starts_with("term-") || k.starts_with("role-")));
        assert_eq!(ReportStatus::Submitted.key(), "term-report-submitted");
    }
}
