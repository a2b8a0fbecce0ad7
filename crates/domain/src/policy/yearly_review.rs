//! The yearly review (年次レビュー) of a closed cycle and the comparison of cycles (R11, R12).
//! Both name nobody: their figures are program counts and cells of released overall reports.
//!
//! - Consultants, the supervisor and HR read a review and write proposals for next year while it
//!   is a draft (`ReadYearlyReviews`, `ProposeYearlyChanges`).
//! - HR writes the improvement plan, computes the figures again and finalizes
//!   (`WriteYearlyReviews`), while it is a draft; a final review is frozen.
//! - Executives read final reviews only: a draft answers as one that does not exist.
//! - HR and executives compare cycles side by side (`CompareCycles`, a route-level operation).

use super::{Actor, Decision, Operation, View};
use crate::ids::TenantId;
use crate::yearly_review::ReviewState;
use crate::Role;

/// One cycle's yearly review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearlyReviewFacts {
    pub tenant: TenantId,
    pub state: ReviewState,
}

pub(super) fn decide(actor: &Actor, op: Operation, f: YearlyReviewFacts) -> Decision {
    let draft = f.state == ReviewState::Draft;
    let ok = match (op, actor.role) {
        (Operation::ReadYearlyReviews, Role::Hr | Role::Consultant | Role::Supervisor) => true,
        (Operation::ReadYearlyReviews, Role::Executive) => !draft,
        (Operation::ProposeYearlyChanges, Role::Hr | Role::Consultant | Role::Supervisor) => draft,
        (Operation::WriteYearlyReviews, Role::Hr) => draft,
        _ => false,
    };
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
    use crate::ids::UserId;

    fn actor(role: Role) -> Actor {
        Actor::new(UserId::new(1), TenantId::new(1), role)
    }

    fn facts(state: ReviewState) -> Target {
        Target::YearlyReview(YearlyReviewFacts { tenant: TenantId::new(1), state })
    }

    #[test]
    fn who_reads_proposes_and_writes_a_review() {
        use Operation as O;
        use ReviewState::{Draft, Final};
        let allowed = |role, op, state| decide_any(&actor(role), op, facts(state)).is_allow();
        for role in [Role::Hr, Role::Consultant, Role::Supervisor] {
            assert!(allowed(role, O::ReadYearlyReviews, Draft), "{role:?}");
            assert!(allowed(role, O::ReadYearlyReviews, Final), "{role:?}");
            assert!(allowed(role, O::ProposeYearlyChanges, Draft), "{role:?}");
            assert!(!allowed(role, O::ProposeYearlyChanges, Final), "a final review is frozen: {role:?}");
        }
        assert!(allowed(Role::Executive, O::ReadYearlyReviews, Final));
        assert!(!allowed(Role::Executive, O::ReadYearlyReviews, Draft), "a draft answers as missing to executives");
        assert!(!allowed(Role::Executive, O::ProposeYearlyChanges, Draft));
        assert!(allowed(Role::Hr, O::WriteYearlyReviews, Draft));
        assert!(!allowed(Role::Hr, O::WriteYearlyReviews, Final));
        for role in [Role::Consultant, Role::Supervisor, Role::Executive] {
            assert!(!allowed(role, O::WriteYearlyReviews, Draft), "{role:?}");
        }
        for role in [Role::Boss, Role::Health, Role::Employee, Role::Admin] {
            for op in [O::ReadYearlyReviews, O::ProposeYearlyChanges, O::WriteYearlyReviews] {
                assert!(!allowed(role, op, Final), "{role:?} {op:?}");
                assert!(!allowed(role, op, Draft), "{role:?} {op:?}");
            }
        }
        let other = Target::YearlyReview(YearlyReviewFacts { tenant: TenantId::new(2), state: Final });
        assert!(!decide_any(&actor(Role::Hr), O::ReadYearlyReviews, other).is_allow(), "no tenant is crossed");
    }

    #[test]
    fn hr_and_executives_compare_cycles() {
        for role in Role::ALL {
            let ok = decide_any(&actor(role), Operation::CompareCycles, Target::Route).is_allow();
            assert_eq!(ok, matches!(role, Role::Hr | Role::Executive), "{role:?}");
        }
    }
}
