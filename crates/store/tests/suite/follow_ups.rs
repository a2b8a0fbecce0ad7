//! Additional and follow-up interviews (R7) and the previous year's review (R11) on a fresh
//! SQLite file and a fresh PostgreSQL database: planning from a report (its author only),
//! scheduling, held closes the item, closing with a reason, sealed on disk, reminders once each
//! even when the job runs twice, HR's k-protected counts, and the previous support plan read by
//! the current interviewer only (audited).

use crate::{contains, inline_key, pg_dump, raw_pool, sqlite_files};
use anyhow::{ensure, Context, Result};
use careerdock_store::{
    Ctx, FollowUpFilter, FollowUpSlot, NewFollowUp, NewInterview, NewUser, OpenOptions, PageRequest, Store, StoreError, TenantRow,
};
use chrono::{Duration, NaiveDate};
use domain::audit::AuditAction;
use domain::follow_up::{FollowUpKind, FollowUpState};
use domain::ids::{CycleId, EmployeeId, InterviewId, ReportId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    an_item_is_planned_by_the_author_scheduled_held_or_closed,
    reminders_are_sent_once_each_even_when_the_job_runs_twice,
    hr_sees_counts_per_cycle_withheld_below_k,
    the_previous_plan_is_shown_to_the_current_interviewer_only,
);

const CSV: &str = "社員番号,氏名,所属\r\nE001,山田 太郎,営業本部/第一営業部\r\nE002,佐藤 花子,営業本部/第一営業部\r\n";
const DAY: i64 = 86_400_000;
const PLAN: &str = "転職希望の背景を次回確認し、社内公募の情報を提供する";
const WHAT: &str = "社内公募への応募状況を三か月後に確認する";

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    consultant: Ctx,
    colleague: Ctx,
    hr: Ctx,
    previous: CycleId,
    current: CycleId,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Env {
    async fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
        let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
        let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        let op = Ctx::operator(tenant.id, "test");
        let parsed = parse_employee_csv(CSV.as_bytes(), day(2024, 4, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.import_employees(&op, &parsed.rows).await?;
        let mut ctxs = Vec::new();
        for (login, role) in [("consultant", Role::Consultant), ("colleague", Role::Consultant), ("hr", Role::Hr)] {
            let name = format!("{login} さん");
            let new = NewUser { login, display_name: &name, password: "password-123", roles: &[role], employee: None };
            let id = store.create_user(&op, &new).await?;
            ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
        }
        // Two cycles (last year's and this year's); both consultants have every employee.
        let raw = raw_pool(&db).await?;
        let mut cycles = Vec::new();
        for (name, from, to, status) in
            [("2025年度", "2025-04-01", "2026-03-31", "closed"), ("2026年度", "2026-04-01", "2027-03-31", "active")]
        {
            let r = sqlx::query(
                "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $4, $5, '{}', 0) RETURNING id",
            )
            .bind(tenant.id.get())
            .bind(name)
            .bind(from)
            .bind(to)
            .bind(status)
            .fetch_one(&raw)
            .await?;
            let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
            sqlx::query(
                "INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at) SELECT $1, tenant_id, id, $2, 'test', 0 FROM employees WHERE tenant_id = $3",
            )
            .bind(cycle)
            .bind(ctxs[0].user().context("user")?.get())
            .bind(tenant.id.get())
            .execute(&raw)
            .await?;
            cycles.push(CycleId::new(cycle));
        }
        raw.close().await;
        super::assign_everyone(&db, tenant.id, ctxs[1].user().context("user")?).await?;
        let mut it = ctxs.into_iter();
        let mut next = || it.next().context("ctx");
        Ok(Env { consultant: next()?, colleague: next()?, hr: next()?, db, store, tenant, previous: cycles[0], current: cycles[1] })
    }

    async fn employee(&self, number: &str) -> Result<EmployeeId> {
        Ok(self.store.employee_by_number(self.tenant.id, number).await?.id)
    }

    /// A held interview of `who` with the employee, `days_ago` days ago, in `cycle`.
    async fn held(&self, who: &Ctx, number: &str, cycle: CycleId, days_ago: i64) -> Result<InterviewId> {
        let start = store_now() - days_ago * DAY;
        let new = NewInterview {
            cycle: Some(cycle),
            employee: self.employee(number).await?,
            kind: InterviewKind::Initial,
            mode: InterviewMode::InPerson,
            place: "第1会議室".into(),
            slot: Slot { start_ms: start, end_ms: start + 3_600_000 },
        };
        let me = who.as_consultant()?;
        let id = self.store.schedule_interview(&me, &new).await?;
        self.store.set_interview_status(&me, id, InterviewStatus::Held, "").await?;
        Ok(id)
    }

    /// The report of a held interview, with its support plan written.
    async fn report(&self, who: &Ctx, interview: InterviewId) -> Result<ReportId> {
        let me = who.as_consultant()?;
        let id = self.store.create_report(&me, interview).await?;
        let sections = ReportSections { support_plan: PLAN.into(), ..ReportSections::default() };
        self.store.save_report(&me, id, &sections, &[], ReportFlags::default(), 1).await?;
        Ok(id)
    }

    async fn count(&self, action: AuditAction) -> Result<usize> {
        let events = self.store.recent_audit(self.tenant.id, 100_000, None).await?;
        Ok(events.iter().filter(|e| e.action == action.as_str()).count())
    }

    async fn notices(&self, kind: &str) -> Result<i64> {
        let raw = raw_pool(&self.db).await?;
        let r = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE tenant_id = $1 AND kind = $2")
            .bind(self.tenant.id.get())
            .bind(kind)
            .fetch_one(&raw)
            .await?;
        raw.close().await;
        Ok(sqlx::Row::try_get(&r, "n")?)
    }
}

fn store_now() -> i64 {
    careerdock_store::now_ms()
}

fn today() -> NaiveDate {
    careerdock_store::today_jst()
}

fn plan(due_in: i64) -> NewFollowUp {
    NewFollowUp { kind: FollowUpKind::FollowUp, due_on: Some(today() + Duration::days(due_in)), what: WHAT.into(), schedule: None }
}

async fn an_item_is_planned_by_the_author_scheduled_held_or_closed(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let me = env.consultant.as_consultant()?;
    let other = env.colleague.as_consultant()?;
    let iv = env.held(&env.consultant, "E001", env.current, 3).await?;
    let report = env.report(&env.consultant, iv).await?;
    // Only the report's author plans; another consultant's attempt answers as not found.
    ensure!(matches!(env.store.plan_follow_up(&other, report, &plan(20)).await, Err(StoreError::NotFound)));
    ensure!(matches!(env.store.plan_follow_up(&me, ReportId::new(9999), &plan(20)).await, Err(StoreError::NotFound)));
    // Every problem at once.
    let bad = NewFollowUp { due_on: Some(today() - Duration::days(1)), what: " ".into(), ..plan(0) };
    match env.store.plan_follow_up(&me, report, &bad).await {
        Err(StoreError::Problems(ps)) => ensure!(ps.len() == 2, "{ps:?}"),
        other => anyhow::bail!("expected two problems, got {other:?}"),
    }
    let id = env.store.plan_follow_up(&me, report, &plan(20)).await?;
    let item = env.store.follow_up(&me, id).await?;
    ensure!(item.state == FollowUpState::Planned && item.what == WHAT && !item.overdue, "{item:?}");
    ensure!(matches!(env.store.follow_up(&other, id).await, Err(StoreError::NotFound)), "another consultant gets not found");
    let page = env.store.follow_up_page(&me, FollowUpFilter::Open, PageRequest::first(50)).await?;
    ensure!(page.total == 1 && page.items[0].what == WHAT);
    ensure!(env.store.follow_up_page(&other, FollowUpFilter::All, PageRequest::first(50)).await?.total == 0);
    // Scheduled: an interview of the item's kind, in the item's cycle.
    let start = store_now() - DAY;
    let slot =
        FollowUpSlot { mode: InterviewMode::Online, place: String::new(), slot: Slot { start_ms: start, end_ms: start + 1_800_000 } };
    ensure!(matches!(env.store.schedule_follow_up(&other, id, &slot).await, Err(StoreError::NotFound)));
    let interview = env.store.schedule_follow_up(&me, id, &slot).await?;
    let row = env.store.interview(&me, interview).await?;
    ensure!(row.kind == InterviewKind::FollowUp && row.cycle == Some(env.current), "{row:?}");
    ensure!(env.store.follow_up(&me, id).await?.state == FollowUpState::Scheduled);
    ensure!(env.store.schedule_follow_up(&me, id, &slot).await.is_err(), "scheduled once");
    // Cancelled: planned again; held: done.
    env.store.set_interview_status(&me, interview, InterviewStatus::Held, "").await?;
    let done = env.store.follow_up(&me, id).await?;
    ensure!(done.state == FollowUpState::Done && done.interview == Some(interview), "{done:?}");
    ensure!(env.store.close_follow_up(&me, id, "不要").await.is_err(), "a done item cannot be closed");
    ensure!(env.store.follow_up_counts(&me).await?.open == 0);
    // Closed with a reason (sealed); a reason is required.
    let second = env.store.plan_follow_up(&me, report, &NewFollowUp { kind: FollowUpKind::Additional, ..plan(5) }).await?;
    ensure!(env.store.follow_up_counts(&me).await?.due_soon == 1);
    ensure!(env.store.close_follow_up(&me, second, "  ").await.is_err());
    ensure!(matches!(env.store.close_follow_up(&other, second, "退職のため").await, Err(StoreError::NotFound)));
    env.store.close_follow_up(&me, second, "本人の異動により不要となった").await?;
    let closed = env.store.follow_up(&me, second).await?;
    ensure!(closed.state == FollowUpState::Closed && closed.reason == "本人の異動により不要となった", "{closed:?}");
    ensure!(env.store.follow_up_page(&me, FollowUpFilter::Closed, PageRequest::first(50)).await?.total == 1);
    ensure!(env.store.follow_up_page(&me, FollowUpFilter::Done, PageRequest::first(50)).await?.total == 1);
    ensure!(env.count(AuditAction::FollowUpChanged).await? >= 4 && env.count(AuditAction::FollowUpRead).await? >= 4);
    ensure!(env.count(AuditAction::AccessRefused).await? >= 4, "refusals are audited");
    // Neither text is readable from the database alone.
    let texts: Vec<Vec<u8>> = match backend {
        Backend::Sqlite => sqlite_files(&env.db)?.into_iter().map(|(_, b)| b).collect(),
        Backend::Postgres => vec![pg_dump(&env.db)?],
    };
    for t in &texts {
        ensure!(!contains(t, WHAT.as_bytes()) && !contains(t, "本人の異動".as_bytes()), "a text in clear on disk");
    }
    Ok(())
}

async fn reminders_are_sent_once_each_even_when_the_job_runs_twice(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let me = env.consultant.as_consultant()?;
    let iv = env.held(&env.consultant, "E001", env.current, 3).await?;
    let report = env.report(&env.consultant, iv).await?;
    env.store.plan_follow_up(&me, report, &plan(20)).await?;
    env.store.plan_follow_up(&me, report, &plan(3)).await?;
    let t = today();
    // Too early for the first item; due soon for the second. A second run (a second server) sends nothing more.
    ensure!(env.store.sweep_follow_up_reminders(t).await? == 1);
    ensure!(env.store.sweep_follow_up_reminders(t).await? == 0);
    let (a, b) = tokio::join!(env.store.sweep_follow_up_reminders(t), env.store.sweep_follow_up_reminders(t));
    ensure!(a? + b? == 0);
    ensure!(env.notices("follow_up_due_soon").await? == 1 && env.notices("follow_up_overdue").await? == 0);
    // Four days on, the second is overdue (told once) and the first still not near.
    let later = t + Duration::days(4);
    let (a, b) = tokio::join!(env.store.sweep_follow_up_reminders(later), env.store.sweep_follow_up_reminders(later));
    ensure!(a? + b? == 1, "two runs at once send the overdue notice once");
    ensure!(env.store.sweep_follow_up_reminders(later).await? == 0);
    // Three weeks on: the first is overdue without ever having been "due soon" at a run: only the overdue one.
    ensure!(env.store.sweep_follow_up_reminders(t + Duration::days(21)).await? == 1);
    ensure!(env.store.sweep_follow_up_reminders(t + Duration::days(21)).await? == 0);
    ensure!(env.notices("follow_up_due_soon").await? == 1 && env.notices("follow_up_overdue").await? == 2);
    // Each notice links to the item and carries no text.
    let raw = raw_pool(&env.db).await?;
    let rows = sqlx::query("SELECT link FROM notifications WHERE tenant_id = $1 AND kind LIKE 'follow_up%'")
        .bind(env.tenant.id.get())
        .fetch_all(&raw)
        .await?;
    for r in &rows {
        let link: String = sqlx::Row::try_get(r, "link")?;
        ensure!(link.starts_with("/follow-ups/"), "{link}");
    }
    raw.close().await;
    Ok(())
}

async fn hr_sees_counts_per_cycle_withheld_below_k(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let me = env.consultant.as_consultant()?;
    let hr = env.hr.as_hr()?;
    ensure!(env.store.hr_follow_up_counts(&hr).await?.is_empty());
    for number in ["E001", "E002"] {
        let iv = env.held(&env.consultant, number, env.current, if number == "E001" { 3 } else { 2 }).await?;
        let report = env.report(&env.consultant, iv).await?;
        env.store.plan_follow_up(&me, report, &plan(20)).await?;
    }
    // Two people, below the default k: nothing shown.
    let rows = env.store.hr_follow_up_counts(&hr).await?;
    ensure!(rows.len() == 1 && rows[0].cycle == env.current, "{rows:?}");
    ensure!(rows[0].shown.planned.is_none() && rows[0].shown.people.is_none(), "{rows:?}");
    // With k = 2 the group shows; one held item (one person) withholds the figures again.
    let raw = raw_pool(&env.db).await?;
    sqlx::query("UPDATE tenants SET k_threshold = 2 WHERE id = $1").bind(env.tenant.id.get()).execute(&raw).await?;
    let rows = env.store.hr_follow_up_counts(&hr).await?;
    ensure!(rows[0].shown.planned == Some(2) && rows[0].shown.held == Some(0) && rows[0].shown.people == Some(2), "{rows:?}");
    let item = env.store.follow_up_page(&me, FollowUpFilter::Open, PageRequest::first(50)).await?.items[0].id;
    let start = store_now() - DAY / 2;
    let slot =
        FollowUpSlot { mode: InterviewMode::InPerson, place: String::new(), slot: Slot { start_ms: start, end_ms: start + 1_800_000 } };
    let interview = env.store.schedule_follow_up(&me, item, &slot).await?;
    env.store.set_interview_status(&me, interview, InterviewStatus::Held, "").await?;
    let rows = env.store.hr_follow_up_counts(&hr).await?;
    ensure!(rows[0].shown.held.is_none() && rows[0].shown.planned.is_none() && rows[0].shown.people == Some(2), "{rows:?}");
    sqlx::query("UPDATE tenants SET k_threshold = 1 WHERE id = $1").bind(env.tenant.id.get()).execute(&raw).await?;
    raw.close().await;
    let rows = env.store.hr_follow_up_counts(&hr).await?;
    ensure!(rows[0].shown.held == Some(1) && rows[0].shown.planned == Some(1), "{rows:?}");
    Ok(())
}

async fn the_previous_plan_is_shown_to_the_current_interviewer_only(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let me = env.consultant.as_consultant()?;
    let other = env.colleague.as_consultant()?;
    // Last year: the consultant's report on E001 with its plan, and an open item from it.
    let last = env.held(&env.consultant, "E001", env.previous, 300).await?;
    let report = env.report(&env.consultant, last).await?;
    env.store.plan_follow_up(&me, report, &plan(30)).await?;
    // This year: the consultant's interview with E001 shows last year's plan (audited).
    let now = env.held(&env.consultant, "E001", env.current, 1).await?;
    let before = env.count(AuditAction::PreviousPlanRead).await?;
    let review = env.store.previous_review(&me, now).await?.context("a review")?;
    ensure!(review.plan.as_deref() == Some(PLAN) && review.own && review.cycle_name == "2025年度", "{review:?}");
    ensure!(review.open_items.len() == 1 && review.open_items[0].what == WHAT);
    ensure!(env.count(AuditAction::PreviousPlanRead).await? == before + 1, "the read is audited");
    // Last year's interview itself has no earlier cycle.
    ensure!(env.store.previous_review(&me, last).await?.is_none());
    // Another consultant's interview: not found for the consultant.
    let theirs = env.held(&env.colleague, "E001", env.current, 2).await?;
    ensure!(matches!(env.store.previous_review(&me, theirs).await, Err(StoreError::NotFound)));
    // The colleague, interviewing E001 this year, learns only that an earlier interview exists:
    // the report is the consultant's draft. Nothing is opened, so nothing is audited as read.
    let before = env.count(AuditAction::PreviousPlanRead).await?;
    let seen = env.store.previous_review(&other, theirs).await?.context("a review")?;
    ensure!(seen.plan.is_none() && !seen.own && seen.has_report && seen.open_items.is_empty(), "{seen:?}");
    ensure!(env.count(AuditAction::PreviousPlanRead).await? == before);
    // No earlier interview: no panel.
    let fresh = env.held(&env.consultant, "E002", env.current, 4).await?;
    ensure!(env.store.previous_review(&me, fresh).await?.is_none());
    Ok(())
}
