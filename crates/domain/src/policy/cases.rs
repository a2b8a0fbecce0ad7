//! Important cases (重要事案) and organizational issues (組織課題), R5.
//!
//! - A consultant raises either from a report they wrote: an important case from an approved
//!   report, an organizational issue from one flagged 組織的対応が必要 (`CaseSourceFacts`); they
//!   read back the organizational issues they raised.
//! - HR reads an important case only while the employee's consent releases its summary to them
//!   (the store passes the outcome of `consent::release` at the time of the read as
//!   `ImportantCaseFacts::released`), and never while holding personnel authority (人事権,
//!   `Actor::has_personnel_authority`, the practice of 労働安全衛生規則 第52条の10). HR reads and
//!   answers every organizational issue of the tenant: it names nobody.

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::report::ReportStatus;
use crate::Role;

/// What a consultant raises from a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raising {
    ImportantCase,
    OrgIssue,
}

/// The report a case or an issue is raised from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseSourceFacts {
    pub tenant: TenantId,
    pub author: UserId,
    pub status: ReportStatus,
    /// The report's (sealed) flag 組織的対応が必要, as its author reads it.
    pub organizational_response: bool,
    pub raising: Raising,
}

/// An important case as HR asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportantCaseFacts {
    pub tenant: TenantId,
    /// The consultant who wrote the summary.
    pub author: UserId,
    /// Whether the consent ledger releases the summary to this reader now.
    pub released: bool,
}

/// An organizational issue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgIssueFacts {
    pub tenant: TenantId,
    pub author: UserId,
}

pub(super) fn decide_source(actor: &Actor, op: Operation, f: CaseSourceFacts) -> Decision {
    let mine = actor.role == Role::Consultant && actor.user == f.author;
    let ok = op == Operation::RaiseCases
        && mine
        && match f.raising {
            Raising::ImportantCase => f.status == ReportStatus::Approved,
            Raising::OrgIssue => f.organizational_response && f.status != ReportStatus::Draft,
        };
    allow_if(ok)
}

pub(super) fn decide_case(actor: &Actor, op: Operation, f: ImportantCaseFacts) -> Decision {
    let ok = op == Operation::ManageCases && actor.role == Role::Hr && f.released && !actor.has_personnel_authority();
    allow_if(ok)
}

pub(super) fn decide_issue(actor: &Actor, op: Operation, f: OrgIssueFacts) -> Decision {
    let ok = match (op, actor.role) {
        (Operation::RaiseCases, Role::Consultant) => actor.user == f.author,
        (Operation::ManageCases, Role::Hr) => true,
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

    #[test]
    fn a_consultant_raises_a_case_from_their_approved_report_and_an_issue_from_a_flagged_one() {
        let me = actor(1, Role::Consultant, false);
        let src = |status, flag, raising| {
            Target::CaseSource(CaseSourceFacts { tenant: T1, author: UserId::new(1), status, organizational_response: flag, raising })
        };
        assert!(decide(&me, Operation::RaiseCases, src(ReportStatus::Approved, false, Raising::ImportantCase)).is_allow());
        assert!(!decide(&me, Operation::RaiseCases, src(ReportStatus::Submitted, true, Raising::ImportantCase)).is_allow());
        assert!(decide(&me, Operation::RaiseCases, src(ReportStatus::Submitted, true, Raising::OrgIssue)).is_allow());
        assert!(!decide(&me, Operation::RaiseCases, src(ReportStatus::Approved, false, Raising::OrgIssue)).is_allow());
        assert!(!decide(&me, Operation::RaiseCases, src(ReportStatus::Draft, true, Raising::OrgIssue)).is_allow());
        let colleague = actor(2, Role::Consultant, false);
        assert!(!decide(&colleague, Operation::RaiseCases, src(ReportStatus::Approved, true, Raising::ImportantCase)).is_allow());
    }

    #[test]
    fn personnel_authority_keeps_hr_from_important_cases_but_not_from_issues() {
        let case = Target::ImportantCase(ImportantCaseFacts { tenant: T1, author: UserId::new(1), released: true });
        let issue = Target::OrgIssue(OrgIssueFacts { tenant: T1, author: UserId::new(1) });
        assert!(decide(&actor(5, Role::Hr, false), Operation::ManageCases, case).is_allow());
        assert!(!decide(&actor(5, Role::Hr, true), Operation::ManageCases, case).is_allow());
        assert!(decide(&actor(5, Role::Hr, true), Operation::ManageCases, issue).is_allow());
        let withheld = Target::ImportantCase(ImportantCaseFacts { tenant: T1, author: UserId::new(1), released: false });
        assert!(!decide(&actor(5, Role::Hr, false), Operation::ManageCases, withheld).is_allow());
    }

    proptest! {
        /// HR reads an important case exactly when its summary is released to them and they hold
        /// no personnel authority; no other role ever does, whatever the operation.
        #[test]
        fn an_important_case_is_read_only_by_hr_under_consent_without_personnel_authority(
            r in role(), pa in any::<bool>(), released in any::<bool>(), user in 1i64..4, author in 1i64..4,
            tenant in 1i64..3, op in prop::sample::select(Operation::ALL.to_vec()),
        ) {
            let a = actor(user, r, pa);
            let f = ImportantCaseFacts { tenant: TenantId::new(tenant), author: UserId::new(author), released };
            let allowed = decide(&a, op, Target::ImportantCase(f)).is_allow();
            prop_assert_eq!(allowed, op == Operation::ManageCases && r == Role::Hr && released && !pa && tenant == 1);
        }

        /// A case or an issue is raised only by the author of the report, in their tenant, as
        /// the report's state allows.
        #[test]
        fn only_the_author_raises(
            r in role(), user in 1i64..4, author in 1i64..4, st in status(), flag in any::<bool>(), tenant in 1i64..3,
            raising in prop::sample::select(vec![Raising::ImportantCase, Raising::OrgIssue]),
        ) {
            let f = CaseSourceFacts { tenant: TenantId::new(tenant), author: UserId::new(author), status: st, organizational_response: flag, raising };
            let allowed = decide(&actor(user, r, false), Operation::RaiseCases, Target::CaseSource(f)).is_allow();
            if allowed {
                prop_assert!(r == Role::Consultant && user == author && tenant == 1 && st != ReportStatus::Draft);
            }
        }
    }
}
