//! Record-level access to interview notes and individual reports: who sees what, identified
//! or pseudonymized. Route-level checks live in `policy`; these decide at the read.

use crate::ids::UserId;
use crate::policy::Actor;
use crate::report::ReportStatus;
use crate::Role;

/// How a report (or note) may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// With the person's name and details: the author, or the supervisor assigned to the case.
    Identified,
    /// Names, numbers, department, boss and dates replaced (R2).
    Pseudonymized,
}

/// Facts about a report that decide who may read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportFacts {
    pub author: UserId,
    pub status: ReportStatus,
    pub assigned_supervisor: Option<UserId>,
}

/// Who may read a report, and how. Drafts stay with their author; colleagues see approved
/// cases only, pseudonymized; a supervisor sees what was submitted, pseudonymized unless
/// assigned. No other role ever reads a report (R6: HR acting as HR sees none).
pub fn report_view(actor: &Actor, r: ReportFacts) -> Option<View> {
    match actor.role {
        Role::Consultant if actor.user == r.author => Some(View::Identified),
        Role::Consultant if r.status == ReportStatus::Approved => Some(View::Pseudonymized),
        Role::Supervisor if r.status == ReportStatus::Draft => None,
        Role::Supervisor if r.assigned_supervisor == Some(actor.user) => Some(View::Identified),
        Role::Supervisor => Some(View::Pseudonymized),
        _ => None,
    }
}

/// Who may read interview notes: the interviewing consultant; the supervisor only while the
/// report waits for review.
pub fn notes_view(actor: &Actor, interviewer: UserId, report: Option<ReportFacts>) -> Option<View> {
    match actor.role {
        Role::Consultant if actor.user == interviewer => Some(View::Identified),
        Role::Supervisor => match report {
            Some(r) if r.status == ReportStatus::Submitted => {
                Some(if r.assigned_supervisor == Some(actor.user) { View::Identified } else { View::Pseudonymized })
            }
            _ => None,
        },
        _ => None,
    }
}

/// Only the author edits, and only while the report is a draft or returned.
pub fn may_edit_report(actor: &Actor, r: ReportFacts) -> bool {
    actor.role == Role::Consultant && actor.user == r.author && r.status.editable()
}

/// A consultant acts on interviews they conduct.
pub fn may_manage_interview(actor: &Actor, interviewer: UserId) -> bool {
    actor.role == Role::Consultant && actor.user == interviewer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;
    use proptest::prelude::*;

    fn actor(user: i64, role: Role) -> Actor {
        Actor { user: UserId::new(user), tenant: TenantId::new(1), role }
    }

    fn facts(status: ReportStatus, sup: Option<i64>) -> ReportFacts {
        ReportFacts { author: UserId::new(1), status, assigned_supervisor: sup.map(UserId::new) }
    }

    #[test]
    fn drafts_stay_with_the_author() {
        let f = facts(ReportStatus::Draft, Some(3));
        assert_eq!(report_view(&actor(1, Role::Consultant), f), Some(View::Identified));
        assert_eq!(report_view(&actor(2, Role::Consultant), f), None);
        assert_eq!(report_view(&actor(3, Role::Supervisor), f), None);
    }

    #[test]
    fn colleagues_see_approved_cases_pseudonymized() {
        assert_eq!(report_view(&actor(2, Role::Consultant), facts(ReportStatus::Approved, None)), Some(View::Pseudonymized));
        assert_eq!(report_view(&actor(2, Role::Consultant), facts(ReportStatus::Submitted, None)), None);
    }

    #[test]
    fn supervisors_see_identified_only_when_assigned() {
        assert_eq!(report_view(&actor(3, Role::Supervisor), facts(ReportStatus::Submitted, Some(3))), Some(View::Identified));
        assert_eq!(report_view(&actor(4, Role::Supervisor), facts(ReportStatus::Submitted, Some(3))), Some(View::Pseudonymized));
    }

    #[test]
    fn notes_only_to_the_interviewer_and_a_reviewing_supervisor() {
        let i = UserId::new(1);
        assert_eq!(notes_view(&actor(1, Role::Consultant), i, None), Some(View::Identified));
        assert_eq!(notes_view(&actor(1, Role::Hr), i, None), None);
        assert_eq!(notes_view(&actor(3, Role::Supervisor), i, Some(facts(ReportStatus::Submitted, None))), Some(View::Pseudonymized));
        assert_eq!(notes_view(&actor(3, Role::Supervisor), i, Some(facts(ReportStatus::Approved, None))), None);
    }

    fn status() -> impl Strategy<Value = ReportStatus> {
        prop::sample::select(ReportStatus::ALL.to_vec())
    }

    proptest! {
        /// R6: whatever the facts, the roles outside consulting never read a report or a note.
        #[test]
        fn other_roles_never_read(user in 1i64..5, author in 1i64..5, st in status(), sup in proptest::option::of(1i64..5)) {
            let f = ReportFacts { author: UserId::new(author), status: st, assigned_supervisor: sup.map(UserId::new) };
            for role in [Role::Hr, Role::Executive, Role::Boss, Role::Health, Role::Employee, Role::Admin] {
                let a = actor(user, role);
                prop_assert_eq!(report_view(&a, f), None);
                prop_assert_eq!(notes_view(&a, UserId::new(author), Some(f)), None);
                prop_assert!(!may_edit_report(&a, f));
            }
        }
    }
}
