//! Disclosures (R5, R8): the author writes and asks; the employee the text is about decides; a
//! recipient reads only what the consent ledger releases to them at the time of the read (see
//! `consent::released_version`, the one release decision).

use super::{Actor, Decision, Operation, View};
use crate::consent::{released_version, DisclosureFacts, DisclosureState, Purpose};
use crate::Role;

pub(super) fn decide(actor: &Actor, op: Operation, d: DisclosureFacts, state: DisclosureState) -> Decision {
    let released = |purpose: Purpose| d.purpose == purpose && released_version(&d, state, actor, None).is_some();
    let ok = match op {
        Operation::WriteDisclosures => actor.role == Role::Consultant && actor.user == d.author,
        Operation::DecideOwnDisclosures => actor.role == Role::Employee && d.employee_user == Some(actor.user),
        Operation::ReadFeedback => released(Purpose::BossFeedback),
        Operation::ManageImportantCases => released(Purpose::ImportantCase),
        _ => false,
    };
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}
