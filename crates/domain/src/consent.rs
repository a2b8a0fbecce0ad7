//! Consent and disclosure (R5, R8): what may leave the consultant's side, to whom, for what.
//!
//! A release is never "the report": the consultant writes a **disclosure**, the exact text meant
//! for one recipient and one purpose, and the employee decides on that text. Every decision is an
//! entry of an append-only ledger; the current state is derived from the ledger at the time of
//! each read, so a withdrawal or an expiry takes effect for every later read at once. A changed
//! text is a new version and needs a new decision: a grant covers the version it was given for.
//!
//! [`release`] is the one function that decides whether a text is released to a reader. The
//! policy (`policy::disclosure`) asks it through [`released_version`] for every read by a
//! recipient; the store reads the text of the version it returns, and no other.

use crate::ids::{TenantId, UserId};
use crate::policy::Actor;
use crate::Role;

/// Why a text would be released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Feedback to the employee's boss (上司へのフィードバック, R8).
    BossFeedback,
    /// Reported to HR and management as an important case (重要事案としての報告, R5).
    ImportantCase,
    /// A referral to a related department (関連部署への紹介).
    Referral,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::BossFeedback, Purpose::ImportantCase, Purpose::Referral];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::BossFeedback => "boss_feedback",
            Purpose::ImportantCase => "important_case",
            Purpose::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// The roles a recipient must act in to read a text released for this purpose: a boss reads
    /// feedback as a boss, not as HR; an important case is read by HR (and, with the management
    /// report, by executives); a referral by health staff.
    pub fn reader_roles(self) -> &'static [Role] {
        match self {
            Purpose::BossFeedback => &[Role::Boss],
            Purpose::ImportantCase => &[Role::Hr, Role::Executive],
            Purpose::Referral => &[Role::Health],
        }
    }
}

/// To whom: one person, or everyone acting in a role (HR, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    User(UserId),
    Role(Role),
}

impl Recipient {
    /// Whether `reader`, in their acting role, is this recipient for `purpose`.
    pub fn is(self, reader: &Actor, purpose: Purpose) -> bool {
        if !purpose.reader_roles().contains(&reader.role()) {
            return false;
        }
        match self {
            Recipient::User(u) => u == reader.user(),
            Recipient::Role(r) => r == reader.role(),
        }
    }
}

/// One decision of the employee (or recorded for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsentDecision {
    Grant,
    Refuse,
    Withdraw,
    /// The employee asks the consultant to change the text (with a comment).
    RequestChanges,
}

impl ConsentDecision {
    pub const ALL: [ConsentDecision; 4] =
        [ConsentDecision::Grant, ConsentDecision::Refuse, ConsentDecision::Withdraw, ConsentDecision::RequestChanges];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentDecision::Grant => "grant",
            ConsentDecision::Refuse => "refuse",
            ConsentDecision::Withdraw => "withdraw",
            ConsentDecision::RequestChanges => "request_changes",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentDecision> {
        ConsentDecision::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }
}

/// How a decision was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConsentMethod {
    /// By the employee, in the app.
    App,
    /// On paper, recorded by the consultant (with an evidence note).
    Written,
    /// Spoken, recorded by the consultant (with an evidence note).
    Verbal,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 3] = [ConsentMethod::App, ConsentMethod::Written, ConsentMethod::Verbal];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::App => "app",
            ConsentMethod::Written => "written",
            ConsentMethod::Verbal => "verbal",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Whether the consultant records it on the employee's behalf (then an evidence note is due).
    pub fn on_behalf(self) -> bool {
        !matches!(self, ConsentMethod::App)
    }
}

/// One entry of the ledger, in the ledger's order: the decision on one version of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsentEntry {
    /// The version of the text decided on.
    pub version: i64,
    pub decision: ConsentDecision,
    /// When (epoch milliseconds).
    pub at_ms: i64,
    /// A grant may end by itself (epoch milliseconds); ignored for other decisions.
    pub expires_at_ms: Option<i64>,
}

/// Where a disclosure stands for its current text, derived from the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisclosureState {
    /// Waiting for the employee's decision on the current text.
    Pending,
    Granted,
    Refused,
    Withdrawn,
    /// The employee asked for a change; the consultant revises (a new version).
    ChangesRequested,
    /// Granted with an expiry that has passed.
    Expired,
}

impl DisclosureState {
    pub const ALL: [DisclosureState; 6] = [
        DisclosureState::Pending,
        DisclosureState::Granted,
        DisclosureState::Refused,
        DisclosureState::Withdrawn,
        DisclosureState::ChangesRequested,
        DisclosureState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureState::Pending => "pending",
            DisclosureState::Granted => "granted",
            DisclosureState::Refused => "refused",
            DisclosureState::Withdrawn => "withdrawn",
            DisclosureState::ChangesRequested => "changes_requested",
            DisclosureState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<DisclosureState> {
        DisclosureState::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }
}

/// The state of a disclosure whose text is at `current_version`, from its ledger `entries` (in
/// the order they were appended) at `now_ms`. Only the last entry counts, and only if it decided
/// the current text: after a change of the text, the disclosure is pending again.
pub fn state(current_version: i64, entries: &[ConsentEntry], now_ms: i64) -> DisclosureState {
    // An entry "from the future" (a clock that went back) does not count yet.
    match entries.iter().rev().find(|e| e.at_ms <= now_ms) {
        Some(last) if last.version == current_version => entry_state(last, now_ms),
        // No decision yet, or a decision on an older text: it does not carry over.
        _ => DisclosureState::Pending,
    }
}

fn entry_state(e: &ConsentEntry, now_ms: i64) -> DisclosureState {
    match e.decision {
        ConsentDecision::Grant if e.expires_at_ms.is_some_and(|x| x <= now_ms) => DisclosureState::Expired,
        ConsentDecision::Grant => DisclosureState::Granted,
        ConsentDecision::Refuse => DisclosureState::Refused,
        ConsentDecision::Withdraw => DisclosureState::Withdrawn,
        ConsentDecision::RequestChanges => DisclosureState::ChangesRequested,
    }
}

/// Why a decision cannot be recorded now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionRefused {
    /// Already granted: withdraw instead.
    AlreadyGranted,
    /// Only a granted disclosure can be withdrawn.
    NotGranted,
    /// Changes can be asked for while the text waits for a decision.
    NotPending,
    /// An expiry must lie in the future.
    ExpiryInPast,
    /// The decision names another version than the current text (the text changed meanwhile).
    StaleVersion,
}

/// Whether `decision` on `version` may be appended to a ledger whose disclosure stands at `now`
/// in state `current` for text `current_version`. The employee may change their mind: a refused,
/// withdrawn or expired disclosure may be granted again (a new entry; nothing is erased).
pub fn may_decide(
    current: DisclosureState,
    current_version: i64,
    version: i64,
    decision: ConsentDecision,
    expires_at_ms: Option<i64>,
    now_ms: i64,
) -> Result<(), DecisionRefused> {
    if version != current_version {
        return Err(DecisionRefused::StaleVersion);
    }
    use ConsentDecision as D;
    use DisclosureState as S;
    match decision {
        D::Grant if current == S::Granted => Err(DecisionRefused::AlreadyGranted),
        D::Grant if expires_at_ms.is_some_and(|x| x <= now_ms) => Err(DecisionRefused::ExpiryInPast),
        D::Grant => Ok(()),
        D::Refuse if matches!(current, S::Pending | S::ChangesRequested) => Ok(()),
        D::Refuse if current == S::Granted => Err(DecisionRefused::AlreadyGranted),
        D::Refuse => Err(DecisionRefused::NotPending),
        D::RequestChanges if current == S::Pending => Ok(()),
        D::RequestChanges => Err(DecisionRefused::NotPending),
        D::Withdraw if current == S::Granted => Ok(()),
        D::Withdraw => Err(DecisionRefused::NotGranted),
    }
}

/// The facts of a disclosure the policy decides on (no text, no ledger).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisclosureFacts {
    pub tenant: TenantId,
    /// The consultant who wrote it.
    pub author: UserId,
    /// The account of the employee it is about (`None` if they have none: then only the
    /// consultant can record a decision for them).
    pub employee_user: Option<UserId>,
    pub purpose: Purpose,
    pub recipient: Recipient,
    /// The version of the current text.
    pub version: i64,
}

/// The life/safety exception (R4): more may be disclosed without consent when one responder asks
/// with a written reason and a **different** responder approves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwoPersonApproval {
    pub requested_by: UserId,
    pub approved_by: UserId,
    pub recipient: Recipient,
}

impl TwoPersonApproval {
    /// Two different people, both present.
    pub fn is_valid(&self) -> bool {
        self.requested_by != self.approved_by
    }
}

/// The one release decision: the version of the text `reader` may read now, or `None`.
/// Released only to the recipient (in a role that fits the purpose, in the same tenant), and
/// only while the ledger holds an unwithdrawn, unexpired grant of the current text — or under
/// a valid two-person approval of the life/safety exception addressed to that recipient.
pub fn release(
    facts: &DisclosureFacts,
    entries: &[ConsentEntry],
    reader: &Actor,
    now_ms: i64,
    approval: Option<&TwoPersonApproval>,
) -> Option<i64> {
    released_version(facts, state(facts.version, entries, now_ms), reader, approval)
}

/// [`release`] for a state already derived from the ledger at the time of the read (the policy
/// takes this form, with the state the store derived through [`state`]).
pub fn released_version(
    facts: &DisclosureFacts,
    current: DisclosureState,
    reader: &Actor,
    approval: Option<&TwoPersonApproval>,
) -> Option<i64> {
    if reader.tenant() != facts.tenant || !facts.recipient.is(reader, facts.purpose) {
        return None;
    }
    let excepted = approval.is_some_and(|a| a.is_valid() && a.recipient == facts.recipient);
    (current == DisclosureState::Granted || excepted).then_some(facts.version)
}

#[cfg(test)]
mod tests;
