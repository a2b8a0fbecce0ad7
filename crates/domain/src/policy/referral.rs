//! Referrals (R9): the consultant who referred sees their referral and its status; the
//! addressee (a health staff member, or everyone acting as health staff) sees it — who, the
//! summary, the history — only while its basis holds at the time of the read: the employee's
//! consent for the `referral` purpose (`consent::released_version`, the one release decision,
//! so a withdrawal takes effect at once), or a life/safety escalation whose designated
//! responder the reader is. HR sees no referral, only k-protected counts.

use super::{Actor, Decision, Operation, View};
use crate::consent::{released_version, DisclosureFacts, DisclosureState};
use crate::ids::{TenantId, UserId};
use crate::referral::Addressee;
use crate::Role;

/// The consent a referral stands on: the referral-purpose disclosure, its state derived from
/// the ledger at the time of the request, and the version of its text the summary is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferralConsent {
    pub facts: DisclosureFacts,
    pub state: DisclosureState,
    pub version: i64,
}

/// A life/safety escalation a referral stands on (opened without consent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationBasis {
    /// Whether the acting user is one of the tenant's designated responders (the store reads it
    /// for the actor of the request).
    pub designated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferralFacts {
    pub tenant: TenantId,
    /// The consultant who referred.
    pub referred_by: UserId,
    pub addressee: Addressee,
    pub consent: Option<ReferralConsent>,
    pub escalation: Option<EscalationBasis>,
}

impl ReferralFacts {
    /// Whether the referral's summary is released to `actor` now: the actor is its addressee
    /// in the app, and its basis holds for them.
    pub fn released_to(&self, actor: &Actor) -> bool {
        if actor.tenant != self.tenant || !self.addressee.is(actor.user, actor.role) {
            return false;
        }
        let consented = self.consent.is_some_and(|c| released_version(&c.facts, c.state, actor, None) == Some(c.version));
        // Personnel authority keeps a responder away from escalations (R4), and so from what
        // they release without consent.
        let escalated = self.escalation.is_some_and(|e| e.designated && !actor.has_personnel_authority());
        consented || escalated
    }

    /// Whether the basis holds for writing the referral: a grant of the current text, or an
    /// escalation.
    fn has_basis(&self) -> bool {
        self.consent.is_some_and(|c| c.state == DisclosureState::Granted && c.version == c.facts.version) || self.escalation.is_some()
    }
}

pub(super) fn decide(actor: &Actor, op: Operation, f: ReferralFacts) -> Decision {
    let referrer = actor.role == Role::Consultant && actor.user == f.referred_by;
    let ok = match op {
        Operation::MakeReferrals => referrer && f.has_basis(),
        Operation::ViewReferrals => referrer || f.released_to(actor),
        // A contact outside the app answers through the consultant who referred.
        Operation::DecideReferrals => f.released_to(actor) || (referrer && matches!(f.addressee, Addressee::Contact(_))),
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
    use crate::consent::{Purpose, Recipient};
    use crate::ids::ContactId;
    use crate::policy::{decide as decide_all, Target};
    use proptest::prelude::*;

    const CONSULTANT: i64 = 10;
    const HEALTH: i64 = 20;
    const HEALTH2: i64 = 21;

    fn consent(state: DisclosureState) -> ReferralConsent {
        let facts = DisclosureFacts {
            tenant: TenantId::new(1),
            author: UserId::new(CONSULTANT),
            employee_user: Some(UserId::new(30)),
            purpose: Purpose::Referral,
            recipient: Recipient::Role(Role::Health),
            version: 2,
        };
        ReferralConsent { facts, state, version: 2 }
    }

    fn facts(addressee: Addressee, consent: Option<ReferralConsent>, escalation: Option<EscalationBasis>) -> ReferralFacts {
        ReferralFacts { tenant: TenantId::new(1), referred_by: UserId::new(CONSULTANT), addressee, consent, escalation }
    }

    fn allowed(user: i64, role: Role, op: Operation, f: ReferralFacts) -> bool {
        decide_all(&Actor::new(UserId::new(user), TenantId::new(1), role), op, Target::Referral(f)).is_allow()
    }

    #[test]
    fn the_addressee_sees_it_while_the_consent_holds_and_not_after_withdrawal() {
        let to_health = Addressee::User(UserId::new(HEALTH));
        let granted = facts(to_health, Some(consent(DisclosureState::Granted)), None);
        assert!(allowed(HEALTH, Role::Health, Operation::ViewReferrals, granted));
        assert!(allowed(HEALTH, Role::Health, Operation::DecideReferrals, granted));
        assert!(!allowed(HEALTH2, Role::Health, Operation::ViewReferrals, granted), "another health staff member");
        for state in [DisclosureState::Withdrawn, DisclosureState::Expired, DisclosureState::Pending, DisclosureState::Refused] {
            let f = facts(to_health, Some(consent(state)), None);
            assert!(!allowed(HEALTH, Role::Health, Operation::ViewReferrals, f), "{state:?}");
            assert!(!allowed(HEALTH, Role::Health, Operation::DecideReferrals, f), "{state:?}");
            // The consultant who referred still sees where it stands.
            assert!(allowed(CONSULTANT, Role::Consultant, Operation::ViewReferrals, f), "{state:?}");
        }
        // A revised text needs a new grant: the summary is of the older version.
        let mut revised = consent(DisclosureState::Granted);
        revised.facts.version = 3;
        assert!(!allowed(HEALTH, Role::Health, Operation::ViewReferrals, facts(to_health, Some(revised), None)));
    }

    #[test]
    fn a_role_addressee_reaches_every_health_staff_member_and_no_one_else() {
        let f = facts(Addressee::Role(Role::Health), Some(consent(DisclosureState::Granted)), None);
        assert!(allowed(HEALTH, Role::Health, Operation::ViewReferrals, f));
        assert!(allowed(HEALTH2, Role::Health, Operation::ViewReferrals, f));
        for role in [Role::Hr, Role::Executive, Role::Supervisor, Role::Boss, Role::Employee, Role::Admin] {
            for op in [Operation::ViewReferrals, Operation::DecideReferrals, Operation::MakeReferrals] {
                assert!(!allowed(HEALTH, role, op, f), "{role:?} {op:?}");
            }
        }
        assert!(!allowed(11, Role::Consultant, Operation::ViewReferrals, f), "another consultant");
        let elsewhere = Actor::new(UserId::new(HEALTH), TenantId::new(2), Role::Health);
        assert!(!decide_all(&elsewhere, Operation::ViewReferrals, Target::Referral(f)).is_allow());
    }

    #[test]
    fn an_escalation_reaches_designated_responders_without_personnel_authority() {
        let to = Addressee::User(UserId::new(HEALTH));
        let f = facts(to, None, Some(EscalationBasis { designated: true }));
        assert!(allowed(HEALTH, Role::Health, Operation::ViewReferrals, f));
        assert!(allowed(CONSULTANT, Role::Consultant, Operation::MakeReferrals, f));
        let marked = Actor::new(UserId::new(HEALTH), TenantId::new(1), Role::Health).with_personnel_authority(true);
        assert!(!decide_all(&marked, Operation::ViewReferrals, Target::Referral(f)).is_allow());
        let not_designated = facts(to, None, Some(EscalationBasis { designated: false }));
        assert!(!allowed(HEALTH, Role::Health, Operation::ViewReferrals, not_designated));
    }

    #[test]
    fn personnel_authority_does_not_withhold_a_consented_referral() {
        let f = facts(Addressee::User(UserId::new(HEALTH)), Some(consent(DisclosureState::Granted)), None);
        let marked = Actor::new(UserId::new(HEALTH), TenantId::new(1), Role::Health).with_personnel_authority(true);
        assert!(decide_all(&marked, Operation::ViewReferrals, Target::Referral(f)).is_allow());
    }

    #[test]
    fn a_referral_needs_consent_or_an_escalation_and_contacts_answer_through_the_consultant() {
        let to = Addressee::Contact(ContactId::new(1));
        assert!(!allowed(CONSULTANT, Role::Consultant, Operation::MakeReferrals, facts(to, None, None)));
        let pending = facts(to, Some(consent(DisclosureState::Pending)), None);
        assert!(!allowed(CONSULTANT, Role::Consultant, Operation::MakeReferrals, pending));
        let granted = facts(to, Some(consent(DisclosureState::Granted)), None);
        assert!(allowed(CONSULTANT, Role::Consultant, Operation::MakeReferrals, granted));
        assert!(!allowed(11, Role::Consultant, Operation::MakeReferrals, granted));
        assert!(allowed(CONSULTANT, Role::Consultant, Operation::DecideReferrals, granted));
        let to_health = facts(Addressee::User(UserId::new(HEALTH)), Some(consent(DisclosureState::Granted)), None);
        assert!(!allowed(CONSULTANT, Role::Consultant, Operation::DecideReferrals, to_health), "health staff answer themselves");
    }

    proptest! {
        #[test]
        fn hr_never_sees_a_referral(user in 1i64..40, state_i in 0usize..6, esc: bool, designated: bool) {
            let f = facts(Addressee::Role(Role::Health), Some(consent(DisclosureState::ALL[state_i])), esc.then_some(EscalationBasis { designated }));
            for op in Operation::ALL {
                prop_assert!(!allowed(user, Role::Hr, op, f));
            }
        }
    }
}
