//! Boss consultations (上司へのコンサルテーション, R8): the consultant who recorded one, and nobody
//! else. What the boss said about the employee is the consultant's working record: HR, the
//! boss, the employee, the executive and health staff never read it (the issue says it is not
//! shown to HR), and neither does a supervisor — a supervisor reviews individual reports, and the
//! consultation is not part of one, so the narrowest rule holds. Another consultant later
//! assigned to the employee does not inherit it either. Recording one needs the employee within
//! the consultant's reach (`employee.rs`), which the store asks separately.

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BossConsultationFacts {
    pub tenant: TenantId,
    /// The consultant who recorded it.
    pub author: UserId,
}

pub(super) fn decide(actor: &Actor, op: Operation, c: BossConsultationFacts) -> Decision {
    let ok = op == Operation::RecordBossConsultations && actor.role == Role::Consultant && actor.user == c.author;
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decide as decide_any, Target};
    use super::*;
    use proptest::prelude::*;

    const T1: TenantId = TenantId::new(1);

    fn facts(author: i64) -> Target {
        Target::BossConsultation(BossConsultationFacts { tenant: T1, author: UserId::new(author) })
    }

    #[test]
    fn only_the_consultant_who_recorded_it() {
        let me = Actor::new(UserId::new(1), T1, Role::Consultant);
        assert!(decide_any(&me, Operation::RecordBossConsultations, facts(1)).is_allow());
        assert!(!decide_any(&me, Operation::RecordBossConsultations, facts(2)).is_allow());
        assert!(!decide_any(&me, Operation::ReadReports, facts(1)).is_allow());
        let elsewhere = Actor::new(UserId::new(1), TenantId::new(2), Role::Consultant);
        assert!(!decide_any(&elsewhere, Operation::RecordBossConsultations, facts(1)).is_allow());
    }

    #[test]
    fn the_routes_are_the_consultants() {
        for role in Role::ALL {
            let a = Actor::new(UserId::new(1), T1, role);
            assert_eq!(decide_any(&a, Operation::RecordBossConsultations, Target::Route).is_allow(), role == Role::Consultant, "{role}");
        }
    }

    proptest! {
        /// Whatever the role, user and operation, a boss consultation is reached only by its
        /// author acting as a consultant, in its own tenant.
        #[test]
        fn nobody_else_ever_reads_one(
            user in 1i64..5, author in 1i64..5, tenant in 1i64..3,
            role in prop::sample::select(Role::ALL.to_vec()),
            op in prop::sample::select(Operation::ALL.to_vec()),
        ) {
            let a = Actor::new(UserId::new(user), TenantId::new(tenant), role);
            let allowed = decide_any(&a, op, facts(author)).is_allow();
            prop_assert_eq!(allowed, role == Role::Consultant && user == author && tenant == 1 && op == Operation::RecordBossConsultations);
        }
    }
}
