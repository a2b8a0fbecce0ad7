//! Life/safety escalations (R4): the consultant who raised one sees where it stands and writes
//! its summary; the tenant's designated responders (health staff, an HR lead the tenant names)
//! see the case and the summary, and respond. The text the flag was raised on and the
//! employee's identity reach the responders only under a valid two-person approval of the
//! life/safety exception (`consent::TwoPersonApproval`: two different responders).

use super::{Actor, Decision, Operation, View};
use crate::consent::TwoPersonApproval;
use crate::ids::{TenantId, UserId};
use crate::Role;

/// What of an escalation is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EscalationPart {
    /// That there is a case, where it stands, and the consultant's summary written for it.
    Case,
    /// More than the summary: the report (or note) and who the employee is.
    Released,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationFacts {
    pub tenant: TenantId,
    pub raised_by: UserId,
    /// Whether the actor is one of the tenant's designated responders (the store reads it for
    /// the actor of the request).
    pub designated: bool,
    /// The approved request to disclose more, if any.
    pub approval: Option<TwoPersonApproval>,
    pub part: EscalationPart,
}

pub(super) fn decide(actor: &Actor, op: Operation, f: EscalationFacts) -> Decision {
    // Personnel authority (人事権) keeps a user away from escalations even when named, following
    // the Stress Check practice (労働安全衛生規則 第52条の10).
    let responder = matches!(actor.role, Role::Health | Role::Hr) && f.designated && !actor.has_personnel_authority();
    let ok = match (op, f.part) {
        (Operation::ViewEscalations, EscalationPart::Case) => responder || (actor.role == Role::Consultant && actor.user == f.raised_by),
        (Operation::RespondToEscalations, EscalationPart::Case) => responder,
        // The consultant already knows the report; only responders need the exception.
        (Operation::RespondToEscalations, EscalationPart::Released) => responder && f.approval.is_some_and(|a| a.is_valid()),
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
    use super::*;
    use crate::consent::Recipient;
    use crate::policy::{decide as decide_all, Target};
    use proptest::prelude::*;

    fn facts(designated: bool, approval: Option<TwoPersonApproval>, part: EscalationPart) -> EscalationFacts {
        EscalationFacts { tenant: TenantId::new(1), raised_by: UserId::new(10), designated, approval, part }
    }

    fn approval(a: i64, b: i64) -> TwoPersonApproval {
        TwoPersonApproval { requested_by: UserId::new(a), approved_by: UserId::new(b), recipient: Recipient::Role(Role::Health) }
    }

    fn allowed(user: i64, role: Role, op: Operation, f: EscalationFacts) -> bool {
        decide_all(&Actor::new(UserId::new(user), TenantId::new(1), role), op, Target::Escalation(f)).is_allow()
    }

    #[test]
    fn personnel_authority_keeps_a_named_responder_away() {
        let case = facts(true, Some(approval(1, 2)), EscalationPart::Case);
        let marked = Actor::new(UserId::new(3), TenantId::new(1), Role::Hr).with_personnel_authority(true);
        for op in [Operation::ViewEscalations, Operation::RespondToEscalations] {
            assert!(allowed(3, Role::Hr, op, case));
            assert!(!decide_all(&marked, op, Target::Escalation(case)).is_allow());
        }
        let released = facts(true, Some(approval(1, 2)), EscalationPart::Released);
        assert!(!decide_all(&marked, Operation::RespondToEscalations, Target::Escalation(released)).is_allow());
    }

    #[test]
    fn the_raising_consultant_sees_the_case_but_never_responds() {
        let case = facts(false, None, EscalationPart::Case);
        assert!(allowed(10, Role::Consultant, Operation::ViewEscalations, case));
        assert!(!allowed(11, Role::Consultant, Operation::ViewEscalations, case));
        assert!(!allowed(10, Role::Consultant, Operation::RespondToEscalations, case));
        assert!(!allowed(
            10,
            Role::Consultant,
            Operation::RespondToEscalations,
            facts(true, Some(approval(1, 2)), EscalationPart::Released)
        ));
    }

    #[test]
    fn only_designated_responders_respond() {
        for role in Role::ALL {
            let ok = matches!(role, Role::Health | Role::Hr);
            assert_eq!(allowed(20, role, Operation::RespondToEscalations, facts(true, None, EscalationPart::Case)), ok, "{role}");
            assert!(!allowed(20, role, Operation::RespondToEscalations, facts(false, None, EscalationPart::Case)), "{role}");
        }
        let other_tenant = EscalationFacts { tenant: TenantId::new(2), ..facts(true, None, EscalationPart::Case) };
        assert!(!allowed(20, Role::Health, Operation::ViewEscalations, other_tenant));
    }

    proptest! {
        #[test]
        fn more_than_the_summary_needs_two_different_responders(a in 1i64..5, b in 1i64..5, designated: bool, with: bool) {
            let ap = with.then(|| approval(a, b));
            let ok = allowed(3, Role::Health, Operation::RespondToEscalations, facts(designated, ap, EscalationPart::Released));
            prop_assert_eq!(ok, designated && with && a != b);
            // Never through the viewing operation.
            prop_assert!(!allowed(3, Role::Health, Operation::ViewEscalations, facts(designated, ap, EscalationPart::Released)));
        }
    }
}
