//! Referrals (R9) through the store's public API, on SQLite and PostgreSQL: a referral stands on
//! the employee's granted referral consent (its exact text becomes the sealed summary) or on a
//! life/safety escalation the consultant raised; without either it is refused; a withdrawal hides
//! it from health staff at once; the status machine with its dates, people and notes; HR sees
//! k-protected counts only; the summary never reaches the database file in clear.

use crate::{contains, raw_pool, sqlite_files};
use anyhow::{ensure, Context, Result};
use careerdock_store::{ConsentInput, Ctx, NewDisclosure, NewInterview, NewReferral, ReviewInput, SeedBasis, Store, StoreError};
use domain::consent::{ConsentDecision, DisclosureState, Purpose};
use domain::escalation::EscalationSettings;
use domain::ids::{DisclosureId, EmployeeId, ReferralId, ReportId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::referral::{check_contact, check_decision, Addressee, ReferralStatus};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::Role;
use sqlx::Row;
use testkit::{on_both_backends, Backend, TestDb};

on_both_backends!(
    a_referral_needs_consent_and_a_withdrawal_hides_it_at_once,
    the_recipient_moves_a_referral_through_its_statuses,
    an_escalation_opens_a_referral_without_consent_to_its_responders,
    hr_sees_counts_only_and_the_summary_is_sealed
);

const CONSENTED: &str = "山田さんは睡眠の不調を訴えています。産業医面談で体調を確認してください。紹介マーカーQ7Z";

struct Env {
    db: TestDb,
    store: Store,
    op: Ctx,
    c1: Ctx,
    c2: Ctx,
    sup: Ctx,
    h1: Ctx,
    h2: Ctx,
    hr: Ctx,
    employee: Ctx,
    subject: EmployeeId,
}

async fn env(backend: Backend) -> Result<Env> {
    let super::Staffed { db, store, op, subject, users } = super::staffed(
        backend,
        &[
            ("c1", Role::Consultant),
            ("c2", Role::Consultant),
            ("sup", Role::Supervisor),
            ("h1", Role::Health),
            ("h2", Role::Health),
            ("hr", Role::Hr),
            ("yamada", Role::Employee),
        ],
    )
    .await?;
    let mut it = users.into_iter();
    let mut next = || it.next().context("user");
    let (c1, c2, sup, h1, h2, hr, employee) = (next()?, next()?, next()?, next()?, next()?, next()?, next()?);
    // h1 is a designated escalation responder; h2 is not.
    store.save_responder_settings(&hr.as_hr()?, EscalationSettings::default(), &[h1.user().context("h1")?]).await?;
    Ok(Env { db, store, op, c1, c2, sup, h1, h2, hr, employee, subject })
}

async fn approved_report(e: &Env, flag: bool) -> Result<(ReportId, Option<domain::ids::EscalationId>)> {
    let me = e.c1.as_consultant()?;
    let start = chrono::Utc::now().timestamp_millis() - 7 * 86_400_000;
    let new = NewInterview {
        cycle: None,
        employee: e.subject,
        kind: InterviewKind::Initial,
        mode: InterviewMode::InPerson,
        place: "本社 面談室A".into(),
        slot: Slot::new(start, start + 3_600_000)?,
    };
    let interview = e.store.schedule_interview(&me, &new).await?;
    e.store.set_interview_status(&me, interview, InterviewStatus::Held, "").await?;
    let id = e.store.create_report(&me, interview).await?;
    let mut sections = ReportSections::default();
    for s in domain::report::SECTIONS {
        sections.set(s, format!("{s}: 山田さんと体調と働き方について話し合った。"));
    }
    let flags = ReportFlags { life_safety: flag, organizational_response: false };
    let (_, esc) = e.store.save_report_escalating(&me, id, &sections, &[], flags, 1, flag.then_some("至急の確認が必要です。")).await?;
    e.store.submit_report(&me, id, None).await?;
    let ok = ReviewInput { approve: true, comments: vec![], scores: vec![] };
    ensure!(e.store.review_report(&e.sup.as_supervisor()?, id, &ok).await? == ReportStatus::Approved, "approved");
    Ok((id, esc))
}

/// A referral-purpose disclosure of c1 about 山田, granted by the employee when `grant`.
async fn referral_consent(e: &Env, report: ReportId, grant: bool) -> Result<DisclosureId> {
    let new = NewDisclosure { report, purpose: Purpose::Referral, recipient_user: None, text: CONSENTED };
    let id = e.store.create_disclosure(&e.c1.as_consultant()?, &new).await?;
    if grant {
        let input = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
        e.store.decide_disclosure(&e.employee.as_employee()?, id, &input).await?;
    }
    Ok(id)
}

fn to(e: &Env, who: &Ctx) -> Result<Addressee> {
    let _ = e;
    Ok(Addressee::User(who.user().context("user")?))
}

fn new_referral(e: &Env, addressee: Addressee) -> NewReferral<'static> {
    NewReferral { employee: Some(e.subject), report: None, disclosure: None, escalation: None, addressee, summary: "" }
}

async fn listed(e: &Env, who: &Ctx) -> Result<Vec<ReferralId>> {
    Ok(e.store.referrals_page(who, None, careerdock_store::PageRequest::first(100)).await?.items.iter().map(|r| r.id).collect())
}

fn not_found<T: std::fmt::Debug>(r: careerdock_store::Result<T>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

async fn a_referral_needs_consent_and_a_withdrawal_hides_it_at_once(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let (report, _) = approved_report(&e, false).await?;
    let me = e.c1.as_consultant()?;

    // No consent at all: refused with the reason, on the consent field.
    let refused = e.store.create_referral(&me, &new_referral(&e, to(&e, &e.h1)?)).await;
    ensure!(matches!(&refused, Err(StoreError::Invalid(i)) if i.field == "consent"), "{refused:?}");
    // A consent asked for but not granted is no basis either.
    let pending = referral_consent(&e, report, false).await?;
    let with_pending = NewReferral { disclosure: Some(pending), ..new_referral(&e, to(&e, &e.h1)?) };
    ensure!(matches!(e.store.create_referral(&me, &with_pending).await, Err(StoreError::Invalid(i)) if i.field == "consent"));

    // Granted: the referral takes the consented text; a different summary is refused.
    let granted = referral_consent(&e, report, true).await?;
    let more = NewReferral { summary: "もっと詳しい病歴", ..new_referral(&e, to(&e, &e.h1)?) };
    ensure!(matches!(e.store.create_referral(&me, &more).await, Err(StoreError::Invalid(i)) if i.field == "summary"));
    ensure!(
        not_found(
            e.store
                .create_referral(&e.c2.as_consultant()?, &NewReferral { disclosure: Some(granted), ..new_referral(&e, to(&e, &e.h1)?) })
                .await
        ),
        "another consultant cannot refer on c1's consent"
    );
    let hr_as_recipient = NewReferral { ..new_referral(&e, to(&e, &e.hr)?) };
    ensure!(matches!(e.store.create_referral(&me, &hr_as_recipient).await, Err(StoreError::Invalid(i)) if i.field == "recipient"));
    let id = e.store.create_referral(&me, &NewReferral { report: Some(report), ..new_referral(&e, to(&e, &e.h1)?) }).await?;

    // h1 sees it with the exact consented text; h2, HR and the other consultant do not.
    let seen = e.store.referral(&e.h1, id).await?;
    ensure!(seen.summary == CONSENTED && seen.row.status == ReferralStatus::Referred && seen.may_decide, "{seen:?}");
    ensure!(listed(&e, &e.h1).await? == vec![id]);
    for who in [&e.h2, &e.hr, &e.c2] {
        ensure!(not_found(e.store.referral(who, id).await), "{} reads the referral", who.label());
        ensure!(listed(&e, who).await?.is_empty(), "{} lists the referral", who.label());
    }
    let mine = e.store.referral(&e.c1, id).await?;
    ensure!(mine.row.consent_state == Some(DisclosureState::Granted) && !mine.may_decide, "the consultant sees it, health decides");

    // The employee withdraws: at once, health staff see nothing of it; the consultant sees why.
    e.store.withdraw_consent(&e.employee.as_employee()?, granted).await?;
    ensure!(not_found(e.store.referral(&e.h1, id).await), "withdrawal hides the referral from health at once");
    ensure!(listed(&e, &e.h1).await?.is_empty());
    let accept = check_decision("accept", "").map_err(|p| anyhow::anyhow!("{p:?}"))?;
    ensure!(not_found(e.store.decide_referral(&e.h1, id, &accept).await), "no decision after withdrawal");
    ensure!(e.store.referral(&e.c1, id).await?.row.consent_state == Some(DisclosureState::Withdrawn));
    // Granting again releases it again.
    let again = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
    e.store.decide_disclosure(&e.employee.as_employee()?, granted, &again).await?;
    ensure!(e.store.referral(&e.h1, id).await?.summary == CONSENTED);
    Ok(())
}

async fn the_recipient_moves_a_referral_through_its_statuses(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let (report, _) = approved_report(&e, false).await?;
    referral_consent(&e, report, true).await?;
    let me = e.c1.as_consultant()?;
    let to_health = e.store.create_referral(&me, &new_referral(&e, Addressee::Role(Role::Health))).await?;
    // Any health staff member sees a referral addressed to health staff.
    ensure!(listed(&e, &e.h2).await? == vec![to_health]);
    let d = |a: &str, n: &str| check_decision(a, n).map_err(|p| anyhow::anyhow!("{p:?}"));
    ensure!(
        matches!(e.store.decide_referral(&e.h2, to_health, &d("close", "")?).await, Err(StoreError::Invalid(i)) if i.field == "decision")
    );
    ensure!(not_found(e.store.decide_referral(&e.c1, to_health, &d("accept", "")?).await), "the consultant does not answer for health");
    e.store.decide_referral(&e.h2, to_health, &d("accept", "来週面談します")?).await?;
    e.store.decide_referral(&e.h1, to_health, &d("in_care", "")?).await?;
    // As typed: a step that cannot follow the status is said as such (not as a missing reason),
    // and one who may not answer finds nothing, whatever was typed.
    let typed = e.store.decide_referral_as_typed(&e.h1, to_health, "decline", "").await;
    ensure!(matches!(&typed, Err(StoreError::Invalid(i)) if i.field == "decision"), "{typed:?}");
    ensure!(not_found(e.store.decide_referral_as_typed(&e.c1, to_health, "maybe", "").await));
    ensure!(e.store.decide_referral(&e.h2, to_health, &d("close", "経過良好")?).await? == ReferralStatus::Closed);
    let done = e.store.referral(&e.c1, to_health).await?;
    let steps: Vec<_> = done.events.iter().map(|ev| (ev.status, ev.by_name.as_str(), ev.note.as_str())).collect();
    ensure!(
        steps
            == [
                (ReferralStatus::Referred, "c1", ""),
                (ReferralStatus::Accepted, "h2", "来週面談します"),
                (ReferralStatus::InCare, "h1", ""),
                (ReferralStatus::Closed, "h2", "経過良好"),
            ],
        "{steps:?}"
    );
    ensure!(done.events.iter().all(|ev| ev.at > 0));
    ensure!(
        matches!(e.store.decide_referral(&e.h2, to_health, &d("accept", "")?).await, Err(StoreError::Invalid(_))),
        "closed is terminal"
    );

    // An outside contact: HR registers it; the consultant records its answers; a refusal needs
    // its reason and ends the referral.
    let contact = check_contact("こころの相談室EAP", "eap", "03-0000-0000", "").map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let cid = e.store.save_contact(&e.hr.as_hr()?, None, &contact, true).await?;
    ensure!(not_found(e.store.save_contact(&e.hr.as_hr()?, Some(domain::ids::ContactId::new(cid.get() + 99)), &contact, true).await));
    let out = e.store.create_referral(&me, &new_referral(&e, Addressee::Contact(cid))).await?;
    ensure!(check_decision("decline", "").is_err(), "a refusal needs its reason");
    e.store.decide_referral(&e.c1, out, &d("decline", "予約が埋まっているため")?).await?;
    let declined = e.store.referral(&e.c1, out).await?;
    ensure!(declined.row.status == ReferralStatus::Declined && !declined.may_decide && declined.row.addressee_name == "こころの相談室EAP");
    ensure!(not_found(e.store.referral(&e.h1, out).await), "health staff see nothing of a contact's referral");
    Ok(())
}

async fn an_escalation_opens_a_referral_without_consent_to_its_responders(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let (_, esc) = approved_report(&e, true).await?;
    let esc = esc.context("the flag opened an escalation")?;
    let me = e.c1.as_consultant()?;
    let under = |a: Addressee| NewReferral {
        escalation: Some(esc), summary: "緊急の要旨：至急の面談が必要です。", ..new_referral(&e, a)
    };
    // Not to someone who is no responder, nor to a contact; not by another consultant.
    ensure!(matches!(e.store.create_referral(&me, &under(to(&e, &e.h2)?)).await, Err(StoreError::Invalid(i)) if i.field == "recipient"));
    ensure!(not_found(e.store.create_referral(&e.c2.as_consultant()?, &under(to(&e, &e.h1)?)).await));
    let id = e.store.create_referral(&me, &under(to(&e, &e.h1)?)).await?;
    let seen = e.store.referral(&e.h1, id).await?;
    ensure!(matches!(seen.row.basis, careerdock_store::ReferralBasis::Escalation(x) if x == esc) && seen.row.consent_state.is_none());
    ensure!(seen.summary.starts_with("緊急の要旨"));
    ensure!(not_found(e.store.referral(&e.h2, id).await));
    // A health role referral under the escalation reaches the designated responder only.
    let to_role = e.store.create_referral(&me, &under(Addressee::Role(Role::Health))).await?;
    ensure!(listed(&e, &e.h1).await?.contains(&to_role));
    ensure!(!listed(&e, &e.h2).await?.contains(&to_role));
    // The demo's seeding follows the same basis.
    let seeded = careerdock_store::SeedReferral {
        employee: e.subject,
        referred_by: e.c1.user().context("c1")?,
        addressee: to(&e, &e.h1)?,
        basis: SeedBasis::Escalation,
        summary: "シード".into(),
        referred_at: chrono::Utc::now().timestamp_millis() - 86_400_000,
        steps: vec![(ReferralStatus::Accepted, e.h1.user().context("h1")?, chrono::Utc::now().timestamp_millis(), String::new())],
    };
    ensure!(e.store.seed_referrals(&e.op, &[seeded]).await? == 1);
    ensure!(listed(&e, &e.h1).await?.len() == 3);
    Ok(())
}

async fn hr_sees_counts_only_and_the_summary_is_sealed(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let (report, _) = approved_report(&e, false).await?;
    referral_consent(&e, report, true).await?;
    let me = e.c1.as_consultant()?;
    let id = e.store.create_referral(&me, &new_referral(&e, to(&e, &e.h1)?)).await?;
    // A cycle around today.
    let raw = raw_pool(&e.db).await?;
    let today = domain::time::today_in_japan(chrono::Utc::now());
    sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, '今年度', $2, $3, 'open', '{}', 0)",
    )
    .bind(e.c1.tenant().get())
    .bind((today - chrono::Duration::days(30)).format("%Y-%m-%d").to_string())
    .bind((today + chrono::Duration::days(30)).format("%Y-%m-%d").to_string())
    .execute(&raw)
    .await?;
    let counts = e.store.referral_counts(&e.hr.as_hr()?).await?;
    let this = counts.cycles.iter().find(|c| c.cycle == "今年度").context("the cycle")?;
    // One referral is below k (10): suppressed; zero is shown.
    ensure!(this.referred.is_none() && this.accepted == Some(0) && this.closed == Some(0), "{this:?}");
    sqlx::query("UPDATE tenants SET k_threshold = 1 WHERE id = $1").bind(e.c1.tenant().get()).execute(&raw).await?;
    let counts = e.store.referral_counts(&e.hr.as_hr()?).await?;
    ensure!(counts.cycles.iter().any(|c| c.referred == Some(1)) && counts.k == 1);
    ensure!(not_found(e.store.referral(&e.hr, id).await) && listed(&e, &e.hr).await?.is_empty(), "HR sees no referral");
    // The read of the summary is audited.
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'referral_written'").fetch_one(&raw).await?.try_get("n")?;
    ensure!(n >= 1);
    raw.close().await;
    if backend == Backend::Sqlite {
        e.store.close().await;
        for (p, bytes) in sqlite_files(&e.db)? {
            ensure!(!contains(&bytes, "紹介マーカーQ7Z".as_bytes()), "{p} holds the referral summary in clear");
        }
    }
    Ok(())
}
