//! Improvement actions (改善施策, R10) and the program's policy documents.
//!
//! - HR manages every action of the tenant (`ManageActions`): creates, moves, notes, evaluates.
//! - An executive reads the actions' status (`ReadActionStatus`): title, due date, status,
//!   overdue; not the progress notes, the evidence or the evaluation's comment.
//! - A consultant reads the actions of an issue they raised (`WriteOrgIssues` on the action,
//!   whose facts carry the issue's author), status fields only.
//! - Every role reads the current policy documents and their history (`ReadPolicyDocuments`);
//!   HR publishes new versions (`ManagePolicyDocuments`).
//!
//! An action names nobody (it is about an organizational issue or a released finding), so
//! personnel authority does not withhold it.

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::Role;

/// An improvement action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionFacts {
    pub tenant: TenantId,
    /// Who raised the issue the action is tied to (a consultant, or the HR user who took up a
    /// finding of an overall report).
    pub issue_author: UserId,
}

/// How much of an action a reader is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionView {
    /// Everything: owner, progress notes, evidence, evaluation (HR).
    Full,
    /// Title, due date, status, overdue (executives, the issue's consultant).
    Status,
}

pub(super) fn decide(actor: &Actor, op: Operation, f: ActionFacts) -> Decision {
    let ok = match (op, actor.role) {
        (Operation::ManageActions, Role::Hr) => true,
        (Operation::ReadActionStatus, Role::Hr | Role::Executive) => true,
        (Operation::WriteOrgIssues, Role::Consultant) => actor.user == f.issue_author,
        _ => false,
    };
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

/// The view of an action `actor` gets, if any: HR the whole, an executive or the issue's
/// consultant the status fields.
pub fn action_view(actor: &Actor, f: ActionFacts) -> Option<ActionView> {
    use super::{decide as d, Target};
    if d(actor, Operation::ManageActions, Target::Action(f)).is_allow() {
        Some(ActionView::Full)
    } else if d(actor, Operation::ReadActionStatus, Target::Action(f)).is_allow()
        || d(actor, Operation::WriteOrgIssues, Target::Action(f)).is_allow()
    {
        Some(ActionView::Status)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decide, Target};
    use super::*;
    use proptest::prelude::*;

    const T1: TenantId = TenantId::new(1);

    fn actor(user: i64, role: Role) -> Actor {
        Actor::new(UserId::new(user), T1, role)
    }

    fn facts(author: i64) -> ActionFacts {
        ActionFacts { tenant: T1, issue_author: UserId::new(author) }
    }

    #[test]
    fn who_sees_an_action_and_how_much() {
        assert_eq!(action_view(&actor(5, Role::Hr), facts(1)), Some(ActionView::Full));
        assert_eq!(action_view(&actor(5, Role::Hr).with_personnel_authority(true), facts(1)), Some(ActionView::Full));
        assert_eq!(action_view(&actor(6, Role::Executive), facts(1)), Some(ActionView::Status));
        assert_eq!(action_view(&actor(1, Role::Consultant), facts(1)), Some(ActionView::Status));
        assert_eq!(action_view(&actor(2, Role::Consultant), facts(1)), None);
        for r in [Role::Supervisor, Role::Boss, Role::Health, Role::Employee, Role::Admin] {
            assert_eq!(action_view(&actor(1, r), facts(1)), None, "{r}");
        }
        // Only HR writes.
        assert!(!decide(&actor(6, Role::Executive), Operation::ManageActions, Target::Action(facts(1))).is_allow());
        // Another tenant's action is nobody's.
        let other = ActionFacts { tenant: TenantId::new(2), issue_author: UserId::new(1) };
        assert_eq!(action_view(&actor(5, Role::Hr), other), None);
    }

    #[test]
    fn policy_documents_are_read_by_every_role_and_written_by_hr() {
        for r in Role::ALL {
            assert!(decide(&actor(1, r), Operation::ReadPolicyDocuments, Target::Route).is_allow(), "{r}");
            assert_eq!(decide(&actor(1, r), Operation::ManagePolicyDocuments, Target::Route).is_allow(), r == Role::Hr, "{r}");
        }
    }

    proptest! {
        #[test]
        fn only_hr_manages_and_nothing_crosses_tenants(
            r in prop::sample::select(Role::ALL.to_vec()), user in 1i64..4, author in 1i64..4, tenant in 1i64..3,
            op in prop::sample::select(Operation::ALL.to_vec()),
        ) {
            let f = ActionFacts { tenant: TenantId::new(tenant), issue_author: UserId::new(author) };
            let allowed = decide(&actor(user, r), op, Target::Action(f)).is_allow();
            let expected = tenant == 1 && match (op, r) {
                (Operation::ManageActions, Role::Hr) => true,
                (Operation::ReadActionStatus, Role::Hr | Role::Executive) => true,
                (Operation::WriteOrgIssues, Role::Consultant) => user == author,
                _ => false,
            };
            prop_assert_eq!(allowed, expected);
        }
    }
}
