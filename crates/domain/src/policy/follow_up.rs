//! Follow-up items (R7) and the previous year's review (R11). An item belongs to the consultant
//! who planned it, who is the author of the report it comes from: only they plan, read,
//! schedule and close it. HR sees counts only (k-protected, `ViewFollowUpCounts`).
//!
//! The previous support plan (前回の振り返り): the consultant of an employee's interview may
//! read the support plan (支援方針, that section only) of the same employee's report from an
//! earlier cycle when they wrote it themself, or when it was approved by a supervisor (a
//! finished record of the program, not a colleague's draft). Anyone else, and a report still
//! in review, is refused: the page says only that an earlier interview exists.

use super::{Actor, Decision, Operation, ReportFacts, View};
use crate::ids::{TenantId, UserId};
use crate::report::ReportStatus;
use crate::Role;

/// A follow-up item, or the report an item is planned from (then `consultant` is its author).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowUpFacts {
    pub tenant: TenantId,
    pub consultant: UserId,
}

/// An earlier report of the employee of an interview being opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreviousPlanFacts {
    pub tenant: TenantId,
    /// The earlier report.
    pub report: ReportFacts,
    /// The consultant of the interview being opened.
    pub interviewer: UserId,
    /// The earlier report is about the employee of that interview.
    pub same_employee: bool,
    /// The earlier report's interview lies in a cycle before the one being opened.
    pub earlier_cycle: bool,
}

pub(super) fn decide(actor: &Actor, op: Operation, f: FollowUpFacts) -> Decision {
    let own = actor.role == Role::Consultant && actor.user == f.consultant;
    match op {
        Operation::PlanFollowUps | Operation::ManageFollowUps if own => Decision::Allow(View::Identified),
        _ => Decision::Deny,
    }
}

pub(super) fn decide_previous(actor: &Actor, op: Operation, f: PreviousPlanFacts) -> Decision {
    let ok = op == Operation::ReadPreviousPlan
        && actor.role == Role::Consultant
        && actor.user == f.interviewer
        && f.report.tenant == f.tenant
        && f.same_employee
        && f.earlier_cycle
        && (f.report.author == actor.user || f.report.status == ReportStatus::Approved);
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{decide as policy_decide, Target};

    const T: TenantId = TenantId::new(1);

    fn item(consultant: i64) -> Target {
        Target::FollowUp(FollowUpFacts { tenant: T, consultant: UserId::new(consultant) })
    }

    fn previous(author: i64, status: ReportStatus, interviewer: i64, same: bool, earlier: bool) -> Target {
        let report = ReportFacts { tenant: T, author: UserId::new(author), status, assigned_supervisor: None };
        Target::PreviousPlan(PreviousPlanFacts {
            tenant: T,
            report,
            interviewer: UserId::new(interviewer),
            same_employee: same,
            earlier_cycle: earlier,
        })
    }

    #[test]
    fn items_are_their_consultants_only() {
        let me = Actor::new(UserId::new(3), T, Role::Consultant);
        for op in [Operation::PlanFollowUps, Operation::ManageFollowUps] {
            assert!(policy_decide(&me, op, item(3)).is_allow());
            assert!(!policy_decide(&me, op, item(4)).is_allow(), "another consultant's");
            for role in [Role::Hr, Role::Supervisor, Role::Boss, Role::Executive, Role::Health, Role::Admin, Role::Employee] {
                assert!(!policy_decide(&Actor::new(UserId::new(3), T, role), op, item(3)).is_allow(), "{role:?}");
            }
        }
        let elsewhere = Actor::new(UserId::new(3), TenantId::new(2), Role::Consultant);
        assert!(!policy_decide(&elsewhere, Operation::ManageFollowUps, item(3)).is_allow());
        assert!(!policy_decide(&me, Operation::ReadReports, item(3)).is_allow());
    }

    #[test]
    fn hr_sees_counts_only() {
        let hr = Actor::new(UserId::new(5), T, Role::Hr);
        assert!(policy_decide(&hr, Operation::ViewFollowUpCounts, Target::InTenant(T)).is_allow());
        assert!(!policy_decide(&hr, Operation::ViewFollowUpCounts, Target::InTenant(TenantId::new(2))).is_allow());
        assert!(!policy_decide(&hr, Operation::ManageFollowUps, Target::Route).is_allow());
        let consultant = Actor::new(UserId::new(3), T, Role::Consultant);
        assert!(!policy_decide(&consultant, Operation::ViewFollowUpCounts, Target::InTenant(T)).is_allow());
    }

    #[test]
    fn the_previous_plan_for_the_current_interviewer() {
        let me = Actor::new(UserId::new(3), T, Role::Consultant);
        let read = |t| policy_decide(&me, Operation::ReadPreviousPlan, t).is_allow();
        // Their own earlier report, in any state; a colleague's once approved.
        assert!(read(previous(3, ReportStatus::Draft, 3, true, true)));
        assert!(read(previous(4, ReportStatus::Approved, 3, true, true)));
        // A colleague's report still in review, another employee, a later cycle, another's interview.
        assert!(!read(previous(4, ReportStatus::Submitted, 3, true, true)));
        assert!(!read(previous(4, ReportStatus::Returned, 3, true, true)));
        assert!(!read(previous(4, ReportStatus::Draft, 3, true, true)));
        assert!(!read(previous(3, ReportStatus::Approved, 3, false, true)));
        assert!(!read(previous(3, ReportStatus::Approved, 3, true, false)));
        assert!(!read(previous(3, ReportStatus::Approved, 4, true, true)));
        for role in [Role::Hr, Role::Supervisor, Role::Boss, Role::Executive, Role::Health, Role::Admin, Role::Employee] {
            let other = Actor::new(UserId::new(3), T, role);
            assert!(!policy_decide(&other, Operation::ReadPreviousPlan, previous(3, ReportStatus::Approved, 3, true, true)).is_allow());
        }
        let elsewhere = Actor::new(UserId::new(3), TenantId::new(2), Role::Consultant);
        assert!(!policy_decide(&elsewhere, Operation::ReadPreviousPlan, previous(3, ReportStatus::Approved, 3, true, true)).is_allow());
        assert!(!policy_decide(&me, Operation::ReadReports, previous(3, ReportStatus::Approved, 3, true, true)).is_allow());
    }
}
