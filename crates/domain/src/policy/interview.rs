//! Interviews: the interviewing consultant acts on them; the employee sees their own.

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterviewFacts {
    pub tenant: TenantId,
    pub consultant: UserId,
    /// The account linked to the interviewed employee, if any.
    pub employee_user: Option<UserId>,
}

pub(super) fn decide(actor: &Actor, op: Operation, i: InterviewFacts) -> Decision {
    let interviewer = actor.role == Role::Consultant && actor.user == i.consultant;
    let ok = match op {
        // Scheduling, status, notes, the sealed reason and starting the report: the interviewer.
        Operation::ManageInterviews | Operation::WriteReports | Operation::ReadStatusNote => interviewer,
        Operation::ViewOwnInterviews => actor.role == Role::Employee && i.employee_user == Some(actor.user),
        _ => false,
    };
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}
