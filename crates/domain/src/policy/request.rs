//! Consultation requests: the employee who asked; the consultant they are addressed to, or
//! any consultant while a request waits in the pool. An answered request belongs to whoever
//! answered it, and is invisible to the other consultants.

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestFacts {
    pub tenant: TenantId,
    /// The consultant it is addressed to (or who answered it); `None` while in the pool.
    pub addressee: Option<UserId>,
    /// The account of the employee who asked.
    pub requester: Option<UserId>,
}

pub(super) fn decide(actor: &Actor, op: Operation, r: RequestFacts) -> Decision {
    let ok = match (op, actor.role) {
        (Operation::HandleRequests, Role::Consultant) => r.addressee.is_none_or(|a| a == actor.user),
        (Operation::ViewOwnInterviews, Role::Employee) => r.requester == Some(actor.user),
        _ => false,
    };
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}
