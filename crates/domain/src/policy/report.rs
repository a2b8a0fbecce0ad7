//! Individual reports (R1, R2): drafts stay with their author; colleagues see approved cases
//! only, pseudonymized; a supervisor sees what was submitted, pseudonymized unless assigned. No
//! other role ever reads a report (R6: HR acting as HR sees none).

use super::{Actor, Decision, Operation, View};
use crate::ids::{TenantId, UserId};
use crate::report::ReportStatus;
use crate::Role;

/// What decides who may read or change a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportFacts {
    pub tenant: TenantId,
    pub author: UserId,
    pub status: ReportStatus,
    pub assigned_supervisor: Option<UserId>,
}

fn view(actor: &Actor, r: ReportFacts) -> Option<View> {
    match actor.role {
        Role::Consultant if actor.user == r.author => Some(View::Identified),
        Role::Consultant if r.status == ReportStatus::Approved => Some(View::Pseudonymized),
        Role::Supervisor if actor.user == r.author => None,
        Role::Supervisor if r.status == ReportStatus::Draft => None,
        Role::Supervisor if r.assigned_supervisor == Some(actor.user) => Some(View::Identified),
        Role::Supervisor => Some(View::Pseudonymized),
        _ => None,
    }
}

pub(super) fn decide(actor: &Actor, op: Operation, r: ReportFacts) -> Decision {
    let is_author = actor.role == Role::Consultant && actor.user == r.author;
    let allowed = match op {
        Operation::ReadReports | Operation::QueryReports => view(actor, r),
        // Only the author edits, and only while the report is a draft or returned.
        Operation::WriteReports => (is_author && r.status.editable()).then_some(View::Identified),
        // The author submits; the status machine says from which states.
        Operation::SubmitReport => is_author.then_some(View::Identified),
        // Another supervisor decides a submitted report, in the view they read it.
        Operation::ReviewReports if r.status == ReportStatus::Submitted => view(actor, r),
        _ => None,
    };
    allowed.map_or(Decision::Deny, Decision::Allow)
}

/// Whether the review history (comments, decisions, scores) comes with a report read in `view`:
/// with the identified view, and for a supervisor reviewing a pseudonymized case; never with a
/// colleague's shared case, whose history would name reviewers and times.
pub fn review_history_visible(actor: &Actor, view: View) -> bool {
    view == View::Identified || actor.role == Role::Supervisor
}

/// Which reports a role may read at all (`ReadReports`), as a condition on the author and the
/// status a store can put into its query before the policy decides each row: the list's
/// prefilter. [`ReportScope::admits`] is exactly [`decide`]'s rule (a property test compares
/// them), so a page counted with it holds the rows the policy shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportScope {
    /// No report.
    Nothing,
    /// The actor's own reports, and others' approved ones (a consultant).
    OwnOrApproved(UserId),
    /// Others' reports that are no longer drafts (a supervisor).
    OthersNotDraft(UserId),
}

impl ReportScope {
    pub fn admits(self, r: &ReportFacts) -> bool {
        match self {
            ReportScope::Nothing => false,
            ReportScope::OwnOrApproved(me) => r.author == me || r.status == ReportStatus::Approved,
            ReportScope::OthersNotDraft(me) => r.author != me && r.status != ReportStatus::Draft,
        }
    }
}

/// The reports `actor` may read in their acting role (within their tenant).
pub fn read_scope(actor: &Actor) -> ReportScope {
    match actor.role {
        Role::Consultant => ReportScope::OwnOrApproved(actor.user),
        Role::Supervisor => ReportScope::OthersNotDraft(actor.user),
        _ => ReportScope::Nothing,
    }
}
