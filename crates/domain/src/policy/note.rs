//! Interview notes: the interviewing consultant; a supervisor only while the report waits for
//! review (pseudonymized unless assigned to the case).

use super::{Actor, Decision, Operation, ReportFacts, View};
use crate::ids::{TenantId, UserId};
use crate::report::ReportStatus;
use crate::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoteFacts {
    pub tenant: TenantId,
    pub interviewer: UserId,
    /// The report written on the interview, if one was started.
    pub report: Option<ReportFacts>,
}

pub(super) fn decide(actor: &Actor, op: Operation, n: NoteFacts) -> Decision {
    let view = match (op, actor.role) {
        (Operation::ReadNotes, Role::Consultant) if actor.user == n.interviewer => Some(View::Identified),
        (Operation::ReadNotes, Role::Supervisor) => match n.report {
            Some(r) if r.status == ReportStatus::Submitted && r.author != actor.user => {
                Some(if r.assigned_supervisor == Some(actor.user) { View::Identified } else { View::Pseudonymized })
            }
            _ => None,
        },
        (Operation::WriteReports, Role::Consultant) if actor.user == n.interviewer => Some(View::Identified),
        _ => None,
    };
    view.map_or(Decision::Deny, Decision::Allow)
}
