use super::*;
use proptest::prelude::*;

const T: TenantId = TenantId::new(1);
const EMPLOYEE: UserId = UserId::new(10);
const CONSULTANT: UserId = UserId::new(20);
const BOSS: UserId = UserId::new(30);
const OTHER_BOSS: UserId = UserId::new(31);
const HOUR: i64 = 3_600_000;

fn facts(version: i64) -> DisclosureFacts {
    DisclosureFacts {
        tenant: T,
        author: CONSULTANT,
        employee_user: Some(EMPLOYEE),
        purpose: Purpose::BossFeedback,
        recipient: Recipient::User(BOSS),
        version,
    }
}

fn boss() -> Actor {
    Actor::new(BOSS, T, Role::Boss)
}

fn entry(version: i64, decision: ConsentDecision, at_ms: i64, expires_at_ms: Option<i64>) -> ConsentEntry {
    ConsentEntry { version, decision, at_ms, expires_at_ms }
}

#[test]
fn nothing_is_released_before_a_decision() {
    assert_eq!(state(1, &[], 0), DisclosureState::Pending);
    assert_eq!(release(&facts(1), &[], &boss(), 0, None), None);
}

#[test]
fn a_grant_releases_exactly_the_version_granted_to_the_recipient_only() {
    let ledger = [entry(1, ConsentDecision::Grant, 100, None)];
    assert_eq!(release(&facts(1), &ledger, &boss(), 200, None), Some(1));
    // Another boss, the same boss acting as HR, the employee, another tenant: nothing.
    assert_eq!(release(&facts(1), &ledger, &Actor::new(OTHER_BOSS, T, Role::Boss), 200, None), None);
    assert_eq!(release(&facts(1), &ledger, &Actor::new(BOSS, T, Role::Hr), 200, None), None);
    assert_eq!(release(&facts(1), &ledger, &Actor::new(EMPLOYEE, T, Role::Employee), 200, None), None);
    assert_eq!(release(&facts(1), &ledger, &Actor::new(BOSS, TenantId::new(2), Role::Boss), 200, None), None);
    // Not before the grant was given.
    assert_eq!(release(&facts(1), &ledger, &boss(), 50, None), None);
}

#[test]
fn withdrawal_expiry_and_a_changed_text_end_the_release() {
    let granted = entry(1, ConsentDecision::Grant, 100, Some(100 + HOUR));
    assert_eq!(state(1, &[granted], 100 + HOUR - 1), DisclosureState::Granted);
    assert_eq!(state(1, &[granted], 100 + HOUR), DisclosureState::Expired);
    let withdrawn = [granted, entry(1, ConsentDecision::Withdraw, 200, None)];
    assert_eq!(state(1, &withdrawn, 300), DisclosureState::Withdrawn);
    assert_eq!(release(&facts(1), &withdrawn, &boss(), 300, None), None);
    // The consultant changed the text after the grant: version 2 waits for a new decision.
    assert_eq!(state(2, &[granted], 300), DisclosureState::Pending);
    assert_eq!(release(&facts(2), &[granted], &boss(), 300, None), None);
}

#[test]
fn a_role_recipient_is_anyone_acting_in_that_role_for_a_fitting_purpose() {
    let f = DisclosureFacts { purpose: Purpose::ImportantCase, recipient: Recipient::Role(Role::Hr), ..facts(1) };
    let ledger = [entry(1, ConsentDecision::Grant, 0, None)];
    assert_eq!(release(&f, &ledger, &Actor::new(UserId::new(77), T, Role::Hr), 1, None), Some(1));
    assert_eq!(release(&f, &ledger, &Actor::new(UserId::new(77), T, Role::Executive), 1, None), None);
    // A recipient role that does not fit the purpose never reads: feedback addressed to HR.
    let misfit = DisclosureFacts { recipient: Recipient::Role(Role::Hr), ..facts(1) };
    assert_eq!(release(&misfit, &ledger, &Actor::new(UserId::new(77), T, Role::Hr), 1, None), None);
}

#[test]
fn the_life_safety_exception_needs_two_different_responders_and_the_named_recipient() {
    let f = DisclosureFacts { purpose: Purpose::Referral, recipient: Recipient::User(UserId::new(50)), ..facts(1) };
    let reader = Actor::new(UserId::new(50), T, Role::Health);
    let one = TwoPersonApproval { requested_by: UserId::new(5), approved_by: UserId::new(5), recipient: f.recipient };
    let two = TwoPersonApproval { approved_by: UserId::new(6), ..one };
    let elsewhere = TwoPersonApproval { recipient: Recipient::User(UserId::new(51)), ..two };
    assert_eq!(release(&f, &[], &reader, 1, Some(&one)), None);
    assert_eq!(release(&f, &[], &reader, 1, Some(&elsewhere)), None);
    assert_eq!(release(&f, &[], &reader, 1, Some(&two)), Some(1));
    // Still only to the recipient.
    assert_eq!(release(&f, &[], &Actor::new(UserId::new(6), T, Role::Health), 1, Some(&two)), None);
}

#[test]
fn decisions_follow_the_state() {
    use ConsentDecision as D;
    use DisclosureState as S;
    assert_eq!(may_decide(S::Pending, 1, 1, D::Grant, None, 0), Ok(()));
    assert_eq!(may_decide(S::Pending, 2, 1, D::Grant, None, 0), Err(DecisionRefused::StaleVersion));
    assert_eq!(may_decide(S::Granted, 1, 1, D::Grant, None, 0), Err(DecisionRefused::AlreadyGranted));
    assert_eq!(may_decide(S::Pending, 1, 1, D::Grant, Some(5), 5), Err(DecisionRefused::ExpiryInPast));
    assert_eq!(may_decide(S::Withdrawn, 1, 1, D::Grant, None, 0), Ok(()));
    assert_eq!(may_decide(S::Pending, 1, 1, D::Withdraw, None, 0), Err(DecisionRefused::NotGranted));
    assert_eq!(may_decide(S::Granted, 1, 1, D::Withdraw, None, 0), Ok(()));
    assert_eq!(may_decide(S::Granted, 1, 1, D::Refuse, None, 0), Err(DecisionRefused::AlreadyGranted));
    assert_eq!(may_decide(S::Refused, 1, 1, D::RequestChanges, None, 0), Err(DecisionRefused::NotPending));
    assert_eq!(may_decide(S::ChangesRequested, 1, 1, D::Refuse, None, 0), Ok(()));
}

#[test]
fn codes_round_trip() {
    for p in Purpose::ALL {
        assert_eq!(Purpose::parse(p.as_str()), Some(p));
    }
    for d in ConsentDecision::ALL {
        assert_eq!(ConsentDecision::parse(d.as_str()), Some(d));
    }
    for m in ConsentMethod::ALL {
        assert_eq!(ConsentMethod::parse(m.as_str()), Some(m));
    }
    for s in DisclosureState::ALL {
        assert_eq!(DisclosureState::parse(s.as_str()), Some(s));
    }
    assert!(!ConsentMethod::App.on_behalf() && ConsentMethod::Verbal.on_behalf());
}

/// What happens to a disclosure, one step at a time.
#[derive(Clone, Debug)]
enum Step {
    Decide(ConsentDecision, Option<i64>),
    /// The consultant changes the text: a new version.
    ChangeText,
    /// Time passes (milliseconds).
    Wait(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (prop::sample::select(ConsentDecision::ALL.to_vec()), prop::option::of(1i64..4 * HOUR)).prop_map(|(d, x)| Step::Decide(d, x)),
        Just(Step::ChangeText),
        (1i64..3 * HOUR).prop_map(Step::Wait),
    ]
}

fn reader() -> impl Strategy<Value = Actor> {
    (prop::sample::select(vec![BOSS, OTHER_BOSS, EMPLOYEE, CONSULTANT]), prop::sample::select(Role::ALL.to_vec()), 1i64..3)
        .prop_map(|(u, r, t)| Actor::new(u, TenantId::new(t), r))
}

proptest! {
    /// For any sequence of grants, refusals, withdrawals, requested changes, expiries and text
    /// changes, with or without the state machine's checks, a text is released only to the boss
    /// acting as boss in the same tenant, only while the newest decision is an unexpired grant of
    /// the current text, and only that text's version.
    #[test]
    fn nothing_is_released_outside_a_granted_unwithdrawn_unexpired_scope(
        steps in prop::collection::vec(step(), 0..40),
        readers in prop::collection::vec(reader(), 1..6),
        checked in any::<bool>(),
    ) {
        let mut now = 0i64;
        let mut version = 1i64;
        let mut ledger: Vec<ConsentEntry> = Vec::new();
        // The model: the grant in force (its version and expiry), erased by anything later.
        let mut in_force: Option<(i64, Option<i64>)> = None;
        for s in steps {
            match s {
                Step::Wait(ms) => now += ms,
                Step::ChangeText => {
                    version += 1;
                    in_force = None;
                }
                Step::Decide(d, x) => {
                    let expires = x.map(|ms| now + ms);
                    if checked && may_decide(state(version, &ledger, now), version, version, d, expires, now).is_err() {
                        continue;
                    }
                    ledger.push(entry(version, d, now, expires));
                    in_force = (d == ConsentDecision::Grant).then_some((version, expires));
                }
            }
            let f = facts(version);
            for r in &readers {
                let got = release(&f, &ledger, r, now, None);
                let granted = in_force.is_some_and(|(v, x)| v == version && x.is_none_or(|x| x > now));
                let is_recipient = r.user() == BOSS && r.role() == Role::Boss && r.tenant() == T;
                prop_assert_eq!(got, (granted && is_recipient).then_some(version));
                prop_assert!(got.is_none_or(|v| v == version), "only the current text is ever released");
            }
        }
    }

    /// The employee may change their mind: whatever came before, a refused, withdrawn or
    /// expired disclosure may be granted again on its current text (and only that), which is
    /// then released to its recipient alone until withdrawn; a pending one is granted the first
    /// time the same way. Nothing of the earlier ledger is touched.
    #[test]
    fn a_refused_or_withdrawn_disclosure_may_be_granted_again_on_the_same_text(
        steps in prop::collection::vec(step(), 0..30),
        expires in prop::option::of(1i64..4 * HOUR),
        r in reader(),
    ) {
        let mut now = 0i64;
        let mut version = 1i64;
        let mut ledger: Vec<ConsentEntry> = Vec::new();
        for s in steps {
            match s {
                Step::Wait(ms) => now += ms,
                Step::ChangeText => version += 1,
                Step::Decide(d, x) => {
                    let x = x.map(|ms| now + ms);
                    if may_decide(state(version, &ledger, now), version, version, d, x, now).is_ok() {
                        ledger.push(entry(version, d, now, x));
                    }
                }
            }
        }
        let before = ledger.clone();
        let current = state(version, &ledger, now);
        let again = may_decide(current, version, version, ConsentDecision::Grant, expires.map(|ms| now + ms), now);
        if current == DisclosureState::Granted {
            prop_assert_eq!(again, Err(DecisionRefused::AlreadyGranted));
            return Ok(());
        }
        prop_assert_eq!(again, Ok(()), "from {:?}", current);
        if version > 1 {
            prop_assert_eq!(
                may_decide(current, version, version - 1, ConsentDecision::Grant, None, now),
                Err(DecisionRefused::StaleVersion),
                "never an older text"
            );
        }
        ledger.push(entry(version, ConsentDecision::Grant, now, expires.map(|ms| now + ms)));
        prop_assert_eq!(&ledger[..before.len()], &before[..], "the earlier entries stay as they were");
        prop_assert_eq!(state(version, &ledger, now), DisclosureState::Granted);
        let is_recipient = r.user() == BOSS && r.role() == Role::Boss && r.tenant() == T;
        prop_assert_eq!(release(&facts(version), &ledger, &r, now, None), is_recipient.then_some(version));
        // Withdrawn again at once: nothing is released any more.
        ledger.push(entry(version, ConsentDecision::Withdraw, now, None));
        prop_assert_eq!(release(&facts(version), &ledger, &r, now, None), None);
    }

    /// Without a valid approval, an approval never widens a release; with one, it reaches only
    /// its recipient.
    #[test]
    fn an_approval_reaches_only_its_recipient(requested in 1i64..4, approved in 1i64..4, r in reader()) {
        let a = TwoPersonApproval { requested_by: UserId::new(requested), approved_by: UserId::new(approved), recipient: Recipient::User(BOSS) };
        let got = release(&facts(3), &[], &r, 0, Some(&a));
        let ok = requested != approved && r.user() == BOSS && r.role() == Role::Boss && r.tenant() == T;
        prop_assert_eq!(got, ok.then_some(3));
    }
}
