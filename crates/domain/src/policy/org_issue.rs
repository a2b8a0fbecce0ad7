//! Organizational issues (組織課題, R5): raised without consent, so they name nobody.
//!
//! - A consultant raises one from a report they wrote that carries the flag 組織的対応が必要 and
//!   is no longer a draft (`IssueSourceFacts`, under `WriteOrgIssues`), and reads back the
//!   issues they raised.
//! - HR reads the tenant's whole register and moves each issue's status (`ViewOrgIssues`). An
//!   issue names nobody, so personnel authority does not withhold it.
//!
//! Important cases are disclosures (`policy::disclosure`, `ManageImportantCases`): HR reads one
//! only while `consent::released_version` releases it, which never releases it to a holder of
//! personnel authority (`Actor::has_personnel_authority`).

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::report::ReportStatus;
use crate::Role;

/// The report an organizational issue is raised from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssueSourceFacts {
    pub tenant: TenantId,
    pub author: UserId,
    pub status: ReportStatus,
    /// The report's (sealed) flag 組織的対応が必要, as its author reads it.
    pub organizational_response: bool,
}

/// An organizational issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgIssueFacts {
    pub tenant: TenantId,
    /// The consultant who raised it.
    pub author: UserId,
}

pub(super) fn decide_source(actor: &Actor, op: Operation, f: IssueSourceFacts) -> Decision {
    let ok = op == Operation::WriteOrgIssues
        && actor.role == Role::Consultant
        && actor.user == f.author
        && f.organizational_response
        && f.status != ReportStatus::Draft;
    allow_if(ok)
}

pub(super) fn decide_issue(actor: &Actor, op: Operation, f: OrgIssueFacts) -> Decision {
    let ok = match (op, actor.role) {
        (Operation::WriteOrgIssues, Role::Consultant) => actor.user == f.author,
        (Operation::ViewOrgIssues, Role::Hr) => true,
        _ => false,
    };
    allow_if(ok)
}

fn allow_if(ok: bool) -> Decision {
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decide, Target};
    use super::*;
    use crate::consent::{released_version, DisclosureFacts, DisclosureState, Purpose, Recipient};
    use proptest::prelude::*;

    const T1: TenantId = TenantId::new(1);

    fn actor(user: i64, role: Role, pa: bool) -> Actor {
        Actor::new(UserId::new(user), T1, role).with_personnel_authority(pa)
    }

    fn role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    fn status() -> impl Strategy<Value = ReportStatus> {
        prop::sample::select(ReportStatus::ALL.to_vec())
    }

    fn source(status: ReportStatus, flag: bool) -> Target {
        Target::IssueSource(IssueSourceFacts { tenant: T1, author: UserId::new(1), status, organizational_response: flag })
    }

    #[test]
    fn a_consultant_raises_an_issue_from_their_flagged_report() {
        let me = actor(1, Role::Consultant, false);
        assert!(decide(&me, Operation::WriteOrgIssues, source(ReportStatus::Submitted, true)).is_allow());
        assert!(decide(&me, Operation::WriteOrgIssues, source(ReportStatus::Approved, true)).is_allow());
        assert!(!decide(&me, Operation::WriteOrgIssues, source(ReportStatus::Approved, false)).is_allow());
        assert!(!decide(&me, Operation::WriteOrgIssues, source(ReportStatus::Draft, true)).is_allow());
        assert!(!decide(&actor(2, Role::Consultant, false), Operation::WriteOrgIssues, source(ReportStatus::Approved, true)).is_allow());
    }

    #[test]
    fn hr_reads_every_issue_and_the_consultant_their_own() {
        let issue = Target::OrgIssue(OrgIssueFacts { tenant: T1, author: UserId::new(1) });
        assert!(decide(&actor(5, Role::Hr, false), Operation::ViewOrgIssues, issue).is_allow());
        // An issue names nobody: personnel authority does not withhold it.
        assert!(decide(&actor(5, Role::Hr, true), Operation::ViewOrgIssues, issue).is_allow());
        assert!(decide(&actor(1, Role::Consultant, false), Operation::WriteOrgIssues, issue).is_allow());
        assert!(!decide(&actor(2, Role::Consultant, false), Operation::WriteOrgIssues, issue).is_allow());
        for r in [Role::Supervisor, Role::Executive, Role::Boss, Role::Health, Role::Employee, Role::Admin] {
            for op in Operation::ALL {
                assert!(!decide(&actor(1, r, false), op, issue).is_allow(), "{r} {op:?}");
            }
        }
    }

    fn case(purpose: Purpose, recipient: Recipient) -> DisclosureFacts {
        DisclosureFacts { tenant: T1, author: UserId::new(1), employee_user: Some(UserId::new(9)), purpose, recipient, version: 3 }
    }

    #[test]
    fn personnel_authority_withholds_important_cases_and_feedback_even_when_granted() {
        let hr_case = case(Purpose::ImportantCase, Recipient::Role(Role::Hr));
        let granted = DisclosureState::Granted;
        assert_eq!(released_version(&hr_case, granted, &actor(5, Role::Hr, false), None), Some(3));
        assert_eq!(released_version(&hr_case, granted, &actor(5, Role::Hr, true), None), None);
        let d = Target::Disclosure(hr_case, granted);
        assert!(decide(&actor(5, Role::Hr, false), Operation::ManageImportantCases, d).is_allow());
        assert!(!decide(&actor(5, Role::Hr, true), Operation::ManageImportantCases, d).is_allow());
        let feedback = case(Purpose::BossFeedback, Recipient::User(UserId::new(7)));
        assert_eq!(released_version(&feedback, granted, &actor(7, Role::Boss, true), None), None);
        assert_eq!(released_version(&feedback, granted, &actor(7, Role::Boss, false), None), Some(3));
        // A referral to health staff is not withheld.
        let referral = case(Purpose::Referral, Recipient::Role(Role::Health));
        assert_eq!(released_version(&referral, granted, &actor(8, Role::Health, true), None), Some(3));
    }

    proptest! {
        /// Whatever the state, role and recipient, a holder of personnel authority is never
        /// released an important case or boss feedback.
        #[test]
        fn nothing_withheld_is_ever_released_to_personnel_authority(
            r in role(), user in 1i64..10,
            purpose in prop::sample::select(vec![Purpose::ImportantCase, Purpose::BossFeedback]),
            to_role in any::<bool>(),
            st in prop::sample::select(vec![DisclosureState::Pending, DisclosureState::Granted, DisclosureState::Refused, DisclosureState::Withdrawn, DisclosureState::Expired]),
        ) {
            let recipient = if to_role { Recipient::Role(r) } else { Recipient::User(UserId::new(user)) };
            prop_assert_eq!(released_version(&case(purpose, recipient), st, &actor(user, r, true), None), None);
        }

        /// An issue is raised only by the author of a flagged report that is not a draft.
        #[test]
        fn only_the_author_raises(
            r in role(), user in 1i64..4, author in 1i64..4, st in status(), flag in any::<bool>(), tenant in 1i64..3,
            op in prop::sample::select(Operation::ALL.to_vec()),
        ) {
            let f = IssueSourceFacts { tenant: TenantId::new(tenant), author: UserId::new(author), status: st, organizational_response: flag };
            let allowed = decide(&actor(user, r, false), op, Target::IssueSource(f)).is_allow();
            prop_assert_eq!(allowed, op == Operation::WriteOrgIssues && r == Role::Consultant && user == author && tenant == 1 && flag && st != ReportStatus::Draft);
        }
    }
}
