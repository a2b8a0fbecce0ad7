//! Reaching an employee as a consultant: only through an assignment in a cycle or a
//! consultation request (a pool request reaches every consultant while it is open). An employee
//! out of reach answers exactly as a number that does not exist.

use super::{Actor, Decision, Operation, View};
use crate::ids::TenantId;
use crate::Role;

/// The actor's relation to one employee, as the store found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmployeeFacts {
    pub tenant: TenantId,
    /// A target of a cycle assigned to the acting consultant.
    pub assigned_to_actor: bool,
    /// A consultation request addressed to (or answered by) the acting consultant.
    pub requested_actor: bool,
    /// An open request of this employee waiting in the pool.
    pub open_in_pool: bool,
}

pub(super) fn decide(actor: &Actor, op: Operation, e: EmployeeFacts) -> Decision {
    let ok =
        op == Operation::ReachEmployee && actor.role == Role::Consultant && (e.assigned_to_actor || e.requested_actor || e.open_in_pool);
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}
