//! Life/safety escalations through the store's public API, on SQLite and PostgreSQL: a raised
//! flag opens one in the save's own transaction and notifies the designated responders; the
//! responders see the summary, not the report, until a second, different responder approves a
//! disclosure; the employee is told; the recurring job notifies again while overdue.

use crate::raw_pool;
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, NewInterview, Store, StoreError};
use domain::escalation::{EscalationSettings, EscalationState};
use domain::ids::{EmployeeId, InterviewId, ReportId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections};
use domain::{Locale, Role};
use sqlx::Row;
use testkit::{on_both_backends, Backend, TestDb};

on_both_backends!(a_flag_opens_an_escalation_and_more_needs_two_responders, overdue_escalations_and_delayed_notices_follow_the_job);

const HOUR: i64 = 3_600_000;

struct Env {
    db: TestDb,
    store: Store,
    c1: Ctx,
    c2: Ctx,
    h1: Ctx,
    h2: Ctx,
    /// Health staff the tenant did not name.
    h3: Ctx,
    hr: Ctx,
    employee: Ctx,
    subject: EmployeeId,
}

async fn env(backend: Backend) -> Result<Env> {
    let super::Staffed { db, store, op: _, subject, users } = super::staffed(
        backend,
        &[
            ("c1", Role::Consultant),
            ("c2", Role::Consultant),
            ("h1", Role::Health),
            ("h2", Role::Health),
            ("h3", Role::Health),
            ("hr", Role::Hr),
            ("yamada", Role::Employee),
        ],
    )
    .await?;
    let mut it = users.into_iter();
    let mut next = || it.next().context("user");
    let (c1, c2, h1, h2, h3, hr, employee) = (next()?, next()?, next()?, next()?, next()?, next()?, next()?);
    // The tenant names two health staff as responders; h3 holds the role but is not named.
    let named = [h1.user().context("h1")?, h2.user().context("h2")?];
    store.save_responder_settings(&hr.as_hr()?, EscalationSettings::default(), &named).await?;
    Ok(Env { db, store, c1, c2, h1, h2, h3, hr, employee, subject })
}

async fn held_interview(e: &Env, days_ago: i64) -> Result<InterviewId> {
    let start = chrono::Utc::now().timestamp_millis() - days_ago * 86_400_000;
    let new = NewInterview {
        cycle: None,
        employee: e.subject,
        kind: InterviewKind::Initial,
        mode: InterviewMode::InPerson,
        place: "本社 面談室A".into(),
        slot: Slot::new(start, start + HOUR)?,
    };
    let id = e.store.schedule_interview(&e.c1.as_consultant()?, &new).await?;
    e.store.set_interview_status(&e.c1.as_consultant()?, id, InterviewStatus::Held, "").await?;
    Ok(id)
}

fn sections(secret: &str) -> ReportSections {
    ReportSections { career_awareness: format!("山田太郎さんの状況。{secret}"), ..ReportSections::default() }
}

async fn save(e: &Env, id: ReportId, flag: bool, summary: Option<&str>) -> Result<Option<domain::ids::EscalationId>> {
    let v = e.store.read_report(&e.c1, id, Locale::Ja).await?.version;
    let flags = ReportFlags { life_safety: flag, organizational_response: false };
    Ok(e.store.save_report_escalating(&e.c1.as_consultant()?, id, &sections("秘密の記述XYZ"), &[], flags, v, summary).await?.1)
}

async fn notices(e: &Env, user: &Ctx, kind: &str) -> Result<i64> {
    let raw = raw_pool(&e.db).await?;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = $2")
        .bind(user.user().context("user")?.get())
        .bind(kind)
        .fetch_one(&raw)
        .await?
        .try_get("n")?;
    raw.close().await;
    Ok(n)
}

fn not_found<T: std::fmt::Debug>(r: careerdock_store::Result<T>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

async fn a_flag_opens_an_escalation_and_more_needs_two_responders(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let interview = held_interview(&e, 7).await?;
    let report = e.store.create_report(&e.c1.as_consultant()?, interview).await?;

    // Saved without the flag: nothing. Raised: opened at once, in the save, and both named
    // responders are notified in the same transaction (the unnamed one is not).
    ensure!(save(&e, report, false, None).await?.is_none());
    let started = std::time::Instant::now();
    let esc = save(&e, report, true, Some("自傷のおそれ。至急、産業医面談を。")).await?.context("the flag opens an escalation")?;
    let took = started.elapsed();
    for h in [&e.h1, &e.h2] {
        ensure!(notices(&e, h, "escalation_raised").await? == 1, "a named responder is notified with the save");
    }
    ensure!(notices(&e, &e.h3, "escalation_raised").await? == 0);
    println!("{backend:?}: flag to notification (the save that raises it) {} ms", took.as_millis());
    ensure!(save(&e, report, true, None).await?.is_none(), "a raised flag opens one escalation, not one per save");

    // Who sees it: the raising consultant and the named responders; nobody else.
    let page = |c: &Ctx| {
        let store = e.store.clone();
        let c = c.clone();
        async move { store.escalations_page(&c, None, careerdock_store::PageRequest::first(50)).await }
    };
    ensure!(page(&e.c1).await?.total == 1 && page(&e.h1).await?.total == 1);
    ensure!(page(&e.c2).await?.total == 0 && page(&e.h3).await?.total == 0 && page(&e.hr).await?.total == 0);
    ensure!(not_found(e.store.escalation(&e.c2, esc).await) && not_found(e.store.escalation(&e.h3, esc).await));
    let seen = e.store.escalation(&e.h1, esc).await?;
    ensure!(seen.summary.as_deref() == Some("自傷のおそれ。至急、産業医面談を。"), "{seen:?}");
    ensure!(seen.released.is_none(), "the summary, not the report");
    ensure!(seen.row.state == EscalationState::Open && !seen.row.overdue && seen.row.report_id == Some(report));

    // The two-person rule: one responder asks, the same one cannot approve, an unnamed one cannot
    // either; a second named responder can, once.
    ensure!(e.c1.as_responder().is_err(), "a consultant never responds");
    ensure!(not_found(e.store.acknowledge_escalation(&e.h3.as_responder()?, esc).await), "an unnamed health staff member does not either");
    let rid = e.store.request_escalation_disclosure(&e.h1.as_responder()?, esc, "本人と連絡が取れず、危険が切迫しているため").await?;
    ensure!(notices(&e, &e.h2, "escalation_approval_requested").await? == 1);
    match e.store.approve_escalation_disclosure(&e.h1.as_responder()?, esc, rid, 0, "").await {
        Err(StoreError::Invalid(i)) if i.field == "approver" => {}
        other => anyhow::bail!("the requester approved their own request: {other:?}"),
    }
    ensure!(not_found(e.store.approve_escalation_disclosure(&e.h3.as_responder()?, esc, rid, 0, "").await));
    ensure!(e.store.escalation(&e.h1, esc).await?.released.is_none(), "nothing released before the second approval");
    match e.store.approve_escalation_disclosure(&e.h2.as_responder()?, esc, rid, 99, "").await {
        Err(StoreError::Problems(p)) => ensure!(p.iter().any(|i| i.field == "delay_days") && p.iter().any(|i| i.field == "delay_reason")),
        other => anyhow::bail!("a delay past the bound was accepted: {other:?}"),
    }
    e.store.approve_escalation_disclosure(&e.h2.as_responder()?, esc, rid, 0, "").await?;
    ensure!(e.store.approve_escalation_disclosure(&e.h2.as_responder()?, esc, rid, 0, "").await.is_err(), "approved once");
    let d = e.store.escalation(&e.h1, esc).await?;
    let released = d.released.context("released after two approvals")?;
    ensure!(released.employee_name == "山田 太郎" && released.report.is_some_and(|s| s.career_awareness.contains("秘密の記述XYZ")));
    let q = &d.requests[0];
    ensure!(q.requested_by == e.h1.user().context("h1")? && q.approved_by_name.as_deref() == Some("h2"), "{q:?}");
    ensure!(e.store.escalation(&e.c1, esc).await?.released.is_none(), "the consultant's view does not change");

    // The employee is told, when and why, and notified.
    let told = e.store.own_escalation_notices(&e.employee.as_employee()?).await?;
    ensure!(told.len() == 1 && told[0].reason.contains("危険が切迫"), "{told:?}");
    ensure!(notices(&e, &e.employee, "escalation_disclosure_notice").await? == 1);

    // Acknowledged, then closed with the actions taken; closing needs them.
    ensure!(e.store.close_escalation(&e.h1.as_responder()?, esc, "対応").await.is_err(), "closing an unacknowledged escalation");
    e.store.acknowledge_escalation(&e.h2.as_responder()?, esc).await?;
    ensure!(e.store.acknowledge_escalation(&e.h1.as_responder()?, esc).await.is_err(), "acknowledged once");
    ensure!(e.store.close_escalation(&e.h1.as_responder()?, esc, "  ").await.is_err());
    e.store.close_escalation(&e.h1.as_responder()?, esc, "産業医面談を設定し、上長と連携した。").await?;
    let closed = e.store.escalation(&e.c1, esc).await?;
    ensure!(closed.row.state == EscalationState::Closed && closed.actions.as_deref() == Some("産業医面談を設定し、上長と連携した。"));

    // Still flagged after closing: no new escalation; lowered and raised again: a new one.
    ensure!(save(&e, report, true, None).await?.is_none());
    ensure!(save(&e, report, false, None).await?.is_none());
    ensure!(save(&e, report, true, None).await?.is_some(), "raised again after closing");

    // An interview note's flag opens one too, in the note's save.
    let other = held_interview(&e, 8).await?;
    let by_note = e.store.write_interview_note_flagged(&e.c1.as_consultant()?, other, "面談中に希死念慮の訴え。", true).await?;
    ensure!(by_note.is_some() && e.store.note_escalated(&e.c1.as_consultant()?, other).await?);
    ensure!(e.store.write_interview_note_flagged(&e.c1.as_consultant()?, other, "追記", true).await?.is_none());

    Ok(())
}

async fn overdue_escalations_and_delayed_notices_follow_the_job(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let settings = EscalationSettings::check(2, 7).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let named: Vec<UserId> = [&e.h1, &e.h2].iter().filter_map(|c| c.user()).collect();
    e.store.save_responder_settings(&e.hr.as_hr()?, settings, &named).await?;
    let interview = held_interview(&e, 7).await?;
    let report = e.store.create_report(&e.c1.as_consultant()?, interview).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let esc = save(&e, report, true, None).await?.context("opened")?;
    let due = e.store.escalation(&e.h1, esc).await?.row.due_at;
    ensure!((due - now - 2 * HOUR).abs() < 60_000, "the tenant's deadline: {}", due - now);

    // Before the deadline nothing; past it, one notice each; not again within the interval;
    // again after it. Acknowledged: never again.
    ensure!(e.store.sweep_escalations(now + HOUR).await?.renotified == 0);
    ensure!(e.store.sweep_escalations(now + 3 * HOUR).await?.renotified == 1);
    ensure!(notices(&e, &e.h1, "escalation_overdue").await? == 1 && notices(&e, &e.h2, "escalation_overdue").await? == 1);
    ensure!(notices(&e, &e.c1, "escalation_overdue").await? == 1, "the consultant who raised it is told it is overdue");
    ensure!(e.store.sweep_escalations(now + 4 * HOUR).await?.renotified == 0);
    ensure!(e.store.sweep_escalations(now + 10 * HOUR).await?.renotified == 1);
    ensure!(notices(&e, &e.h1, "escalation_overdue").await? == 2 && notices(&e, &e.c1, "escalation_overdue").await? == 1);
    e.store.acknowledge_escalation(&e.h1.as_responder()?, esc).await?;
    ensure!(e.store.sweep_escalations(now + 30 * HOUR).await?.renotified == 0);

    // A notice delayed by a recorded decision (with its reason) is not shown until due; the job
    // then notifies the employee, once.
    let rid = e.store.request_escalation_disclosure(&e.h1.as_responder()?, esc, "緊急連絡先への連絡が必要").await?;
    match e.store.approve_escalation_disclosure(&e.h2.as_responder()?, esc, rid, 8, "治療中のため").await {
        Err(StoreError::Invalid(i)) if i.field == "delay_days" => {}
        other => anyhow::bail!("a delay past the tenant's bound (7 days) was accepted: {other:?}"),
    }
    e.store.approve_escalation_disclosure(&e.h2.as_responder()?, esc, rid, 3, "治療中のため").await?;
    ensure!(e.store.own_escalation_notices(&e.employee.as_employee()?).await?.is_empty(), "not before the notice is due");
    ensure!(notices(&e, &e.employee, "escalation_disclosure_notice").await? == 0);
    ensure!(e.store.sweep_escalations(now + 2 * 86_400_000).await?.notices == 0);
    ensure!(e.store.sweep_escalations(now + 3 * 86_400_000 + HOUR).await?.notices == 1);
    ensure!(e.store.sweep_escalations(now + 4 * 86_400_000).await?.notices == 0, "told once");
    ensure!(notices(&e, &e.employee, "escalation_disclosure_notice").await? == 1);
    let d = e.store.escalation(&e.h1, esc).await?;
    ensure!(d.requests[0].delay_reason.as_deref() == Some("治療中のため"));
    Ok(())
}
