//! The demo's referrals (R9), written through the store as the people would: HR registers the
//! outside contacts; consultant1 writes a referral disclosure from an approved report, records the
//! employee's written consent, and refers; the recipients (health, health2, or consultant1 for the
//! EAP) answer; one referral is opened under an escalation consultant1 raised. The texts are
//! `demo::referrals`.

use demo::referrals::{To, CONTACTS, ESCALATION_SUMMARY, REFERRALS};
use domain::consent::{ConsentDecision, ConsentMethod, Purpose};
use domain::escalation::EscalationState;
use domain::ids::{TenantId, UserId};
use domain::referral::{check_contact, check_decision, Addressee};
use domain::report::ReportStatus;
use domain::{Locale, Role};
use std::collections::{HashMap, HashSet};
use store::{ConsentInput, Ctx, NewDisclosure, NewReferral, PageRequest, ReportFilter, Store};

async fn acting(store: &Store, tenant: TenantId, user: UserId, role: Role) -> anyhow::Result<(Ctx, String)> {
    let session = store.create_session(tenant, user, Some(role), None).await?;
    let row = store.user(tenant, user).await?;
    Ok((Ctx::signed_in(&session.proof, &row, Some(role)), session.secret))
}

/// Writes the contacts and the referrals; returns (contacts, referrals).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let (consultant, c_secret) = acting(store, tenant, user("consultant1")?, Role::Consultant).await?;
    let (hr, h_secret) = acting(store, tenant, user("hr")?, Role::Hr).await?;
    let (health, h1_secret) = acting(store, tenant, user("health")?, Role::Health).await?;
    let (health2, h2_secret) = acting(store, tenant, user("health2")?, Role::Health).await?;
    let me = consultant.as_consultant()?;
    let mut contacts = Vec::new();
    for (name, kind, phone, email) in CONTACTS {
        let c = check_contact(name, kind, phone, email).map_err(|p| anyhow::anyhow!("demo contact: {p:?}"))?;
        contacts.push(store.save_contact(&hr.as_hr()?, None, &c, true).await?);
    }
    // consultant1's approved reports, one per employee, after those the important cases took.
    let filter = ReportFilter { cycle: None, status: None, mine_only: true, shared_only: false };
    let mine = store.list_reports(&consultant, &filter, Locale::Ja).await?;
    let mut seen = HashSet::new();
    let reports: Vec<_> = mine
        .iter()
        .filter(|r| r.status == ReportStatus::Approved)
        .filter(|r| seen.insert(r.subject.clone()))
        .skip(demo::cases::CASES.len())
        .map(|r| r.id)
        .collect();
    let mut made = 0;
    for (spec, report) in REFERRALS.iter().zip(reports) {
        let new = NewDisclosure { report, purpose: Purpose::Referral, recipient_user: None, text: spec.text };
        let disclosure = store.create_disclosure(&me, &new).await?;
        let grant = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
        store.record_consent_on_behalf(&me, disclosure, &grant, ConsentMethod::Written, "面談時に紹介への同意を書面で確認（デモ）").await?;
        let (addressee, answerer) = match spec.to {
            To::Health => (Addressee::User(user("health")?), &health),
            To::Health2 => (Addressee::User(user("health2")?), &health2),
            To::HealthStaff => (Addressee::Role(Role::Health), &health),
            To::Eap => (Addressee::Contact(contacts[0]), &consultant),
        };
        let id = store
            .create_referral(
                &me,
                &NewReferral {
                    employee: None,
                    report: Some(report),
                    disclosure: Some(disclosure),
                    escalation: None,
                    addressee,
                    summary: "",
                },
            )
            .await?;
        for (action, note) in spec.steps {
            let d = check_decision(action, note).map_err(|p| anyhow::anyhow!("demo referral step: {p:?}"))?;
            store.decide_referral(answerer, id, &d).await?;
        }
        made += 1;
    }
    // One opened without consent under an escalation consultant1 raised, to health (a named
    // responder); health has accepted it.
    let raised = store.escalations_page(&consultant, None, PageRequest::first(50)).await?;
    if let Some(e) = raised.items.iter().find(|e| e.state != EscalationState::Closed) {
        let new = NewReferral {
            employee: None,
            report: None,
            disclosure: None,
            escalation: Some(e.id),
            addressee: Addressee::User(user("health")?),
            summary: ESCALATION_SUMMARY,
        };
        let id = store.create_referral(&me, &new).await?;
        let d = check_decision("accept", "本日15時に産業医面談を実施します。").map_err(|p| anyhow::anyhow!("{p:?}"))?;
        store.decide_referral(&health, id, &d).await?;
        made += 1;
    }
    for secret in [c_secret, h_secret, h1_secret, h2_secret] {
        store.delete_session(&secret).await?;
    }
    Ok((contacts.len(), made))
}
