//! Interviews, notes, consultation requests and the calendar feed, through the store's public
//! API on a fresh SQLite file and a fresh PostgreSQL database. SQL appears only to set up what
//! other features own (cycles, reports) and to look at the disk as an attacker would.

use crate::{assert_absent_from_sqlite_files, contains, inline_key, pg_dump, random_hex, raw_pool, sqlite_files};
use anyhow::{bail, Context, Result};
use careerdock_store::{Ctx, InterviewChange, NewInterview, NewUser, OpenOptions, Routing, Store, StoreError, TenantRow};
use chrono::NaiveDate;
use domain::ids::{CycleId, EmployeeId, InterviewId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus, Slot};
use domain::policy::View;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use sqlx::AnyPool;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    overlapping_interviews_are_refused_naming_the_clash,
    concurrent_schedulings_cannot_both_take_one_slot,
    status_changes_follow_the_state_machine,
    held_waits_for_the_start_and_corrections_for_their_period,
    notes_are_read_by_the_interviewer_and_a_reviewing_supervisor_only,
    status_notes_are_sealed_and_read_by_their_consultant_only,
    requests_go_to_the_assigned_consultant_or_the_pool,
    calendar_feed_tokens_resolve_until_rotated_or_revoked,
    a_consultant_reaches_only_assigned_or_requesting_employees,
);

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    consultant: Ctx,
    colleague: Ctx,
    supervisor: Ctx,
    other_supervisor: Ctx,
    hr: Ctx,
    admin: Ctx,
    /// Linked to E001 (山田 太郎).
    employee: Ctx,
    /// Linked to E002 (佐藤 花子).
    employee2: Ctx,
}

const CSV: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール\r\n\
E001,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G3,1980,2005-04-01,,\r\n\
E002,佐藤 花子,サトウ ハナコ,営業本部/第一営業部,G2,1990,2015-04-01,E001,\r\n\
E003,鈴木 一郎,スズキ イチロウ,管理本部/人事部,G4,1975,2000-04-01,,\r\n\
E004,田中 美咲,タナカ ミサキ,管理本部/人事部,G2,1995,2018-04-01,E003,\r\n";

impl Env {
    async fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
        let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
        let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        let op = Ctx::operator(tenant.id, "test");
        let today = NaiveDate::from_ymd_opt(2026, 4, 1).context("date")?;
        let parsed = parse_employee_csv(CSV.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.import_employees(&op, &parsed.rows).await?;
        let e1 = store.employee_by_number(tenant.id, "E001").await?.id;
        let e2 = store.employee_by_number(tenant.id, "E002").await?.id;
        let mut ctxs = Vec::new();
        for (login, role, employee) in [
            ("consultant", Role::Consultant, None),
            ("colleague", Role::Consultant, None),
            ("supervisor", Role::Supervisor, None),
            ("supervisor2", Role::Supervisor, None),
            ("hr", Role::Hr, None),
            ("admin", Role::Admin, None),
            ("employee", Role::Employee, Some(e1)),
            ("employee2", Role::Employee, Some(e2)),
        ] {
            let name = format!("{login} さん");
            let new = NewUser { login, display_name: &name, password: "password-123", roles: &[role], employee };
            let id = store.create_user(&op, &new).await?;
            ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
        }
        let mut it = ctxs.into_iter();
        let mut next = || it.next().context("ctx");
        let env = Env {
            consultant: next()?,
            colleague: next()?,
            supervisor: next()?,
            other_supervisor: next()?,
            hr: next()?,
            admin: next()?,
            employee: next()?,
            employee2: next()?,
            db,
            store,
            tenant,
        };
        // A consultant reaches an employee only through an assignment or a request: both
        // consultants had every employee assigned in past (closed) cycles.
        let everyone = ["E001", "E002", "E003", "E004"];
        for (name, who) in [("過去の担当A", &env.consultant), ("過去の担当B", &env.colleague)] {
            let targets: Vec<(&str, Option<&Ctx>)> = everyone.iter().map(|n| (*n, Some(who))).collect();
            env.cycle(name, "closed", &targets).await?;
        }
        Ok(env)
    }

    async fn employee(&self, number: &str) -> Result<EmployeeId> {
        Ok(self.store.employee_by_number(self.tenant.id, number).await?.id)
    }

    /// A connection of the test's own, for what other features own and for looking at the disk.
    async fn raw(&self) -> Result<AnyPool> {
        raw_pool(&self.db).await
    }

    /// A cycle with targets (employee number → assigned consultant), made with SQL because
    /// cycles belong to another part of the store.
    async fn cycle(&self, name: &str, status: &str, targets: &[(&str, Option<&Ctx>)]) -> Result<CycleId> {
        let raw = self.raw().await?;
        let r = sqlx::query(
            "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, '2020-04-01', '2099-03-31', $3, '{}', 0) RETURNING id",
        )
        .bind(self.tenant.id.get())
        .bind(name)
        .bind(status)
        .fetch_one(&raw)
        .await?;
        let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
        for (number, consultant) in targets {
            sqlx::query("INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at) VALUES ($1, $2, $3, $4, 'test', 0)")
                .bind(cycle)
                .bind(self.tenant.id.get())
                .bind(self.employee(number).await?.get())
                .bind(consultant.and_then(|c| c.user()).map(|u| u.get()))
                .execute(&raw)
                .await?;
        }
        raw.close().await;
        Ok(CycleId::new(cycle))
    }

    async fn actions(&self) -> Result<Vec<String>> {
        let mut events = self.store.recent_audit(self.tenant.id, 100_000, None).await?;
        events.reverse();
        Ok(events.into_iter().map(|e| e.action).collect())
    }
}

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
/// Monday 2030-01-07 00:00 in Japan (UTC+9).
const BASE: i64 = 1_893_942_000_000;

/// Day `d` after BASE at hh:mm Japan time.
fn at(d: i64, hh: i64, mm: i64) -> i64 {
    BASE + d * 24 * HOUR + hh * HOUR + mm * MIN
}

fn slot(start: i64, end: i64) -> Slot {
    Slot { start_ms: start, end_ms: end }
}

fn new(employee: EmployeeId, kind: InterviewKind, s: Slot) -> NewInterview {
    NewInterview { cycle: None, employee, kind, mode: InterviewMode::InPerson, place: "第3会議室".into(), slot: s }
}

fn field_of(e: &StoreError) -> Option<&'static str> {
    match e {
        StoreError::Invalid(i) => Some(i.field),
        _ => None,
    }
}

fn expect_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, must_contain: &[&str]) -> Result<()> {
    match r {
        Err(StoreError::Conflict(m)) => {
            for s in must_contain {
                if !m.ja.contains(s) {
                    bail!("conflict message {m:?} does not contain {s:?}");
                }
            }
            if m.en.is_empty() || m.en == m.ja {
                bail!("conflict message {m:?} is not said in English too");
            }
            Ok(())
        }
        other => bail!("expected a conflict, got {other:?}"),
    }
}

fn expect_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, who: &str) -> Result<()> {
    match r {
        Err(StoreError::NotFound) => Ok(()),
        other => bail!("{who}: expected NotFound, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Scheduling and the no-overlap rule
// ---------------------------------------------------------------------------------------------

async fn overlapping_interviews_are_refused_naming_the_clash(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    assert_eq!(BASE % (24 * HOUR), 15 * HOUR, "BASE is midnight in Japan");
    let s = &env.store;
    let c = &env.consultant;
    let (e1, e2, e3, e4) =
        (env.employee("E001").await?, env.employee("E002").await?, env.employee("E003").await?, env.employee("E004").await?);

    let first = s.schedule_interview(&c.as_consultant()?, &new(e1, InterviewKind::Initial, slot(at(1, 10, 0), at(1, 11, 0)))).await?;
    // Overlapping by half an hour: refused, naming the date, time and kind of the clash.
    let clash = s.schedule_interview(&c.as_consultant()?, &new(e2, InterviewKind::FollowUp, slot(at(1, 10, 30), at(1, 11, 30)))).await;
    expect_conflict(clash, &["2030/01/08（火） 10:00–11:00", "初回面談"])?;
    // Back to back is fine; another consultant's calendar is theirs.
    let second = s.schedule_interview(&c.as_consultant()?, &new(e2, InterviewKind::Initial, slot(at(1, 11, 0), at(1, 12, 0)))).await?;
    s.schedule_interview(&env.colleague.as_consultant()?, &new(e2, InterviewKind::Initial, slot(at(1, 10, 30), at(1, 11, 30)))).await?;

    // Rescheduling is checked against the others, not against itself.
    let to = |a, b| InterviewChange { mode: InterviewMode::Online, place: "https://meet.example.jp/x".into(), slot: slot(a, b) };
    expect_conflict(s.reschedule_interview(&c.as_consultant()?, second, &to(at(1, 10, 15), at(1, 10, 45))).await, &["10:00–11:00"])?;
    s.reschedule_interview(&c.as_consultant()?, second, &to(at(1, 11, 30), at(1, 12, 30))).await?;
    let row = s.interview(&c.as_consultant()?, second).await?;
    assert_eq!((row.starts_at, row.mode, row.place.as_str()), (at(1, 11, 30), InterviewMode::Online, "https://meet.example.jp/x"));

    // A cancelled interview frees its time.
    s.set_interview_status(&c.as_consultant()?, first, InterviewStatus::Cancelled, "本人の都合により").await?;
    s.schedule_interview(&c.as_consultant()?, &new(e3, InterviewKind::Initial, slot(at(1, 10, 0), at(1, 11, 0)))).await?;

    // Length and place are validated; an employee must belong to the tenant.
    let short = s.schedule_interview(&c.as_consultant()?, &new(e3, InterviewKind::Initial, slot(at(2, 10, 0), at(2, 10, 5)))).await;
    assert_eq!(short.as_ref().err().and_then(field_of), Some("ends_at"), "{short:?}");
    let mut long_place = new(e3, InterviewKind::Initial, slot(at(2, 10, 0), at(2, 11, 0)));
    long_place.place = "x".repeat(301);
    assert_eq!(s.schedule_interview(&c.as_consultant()?, &long_place).await.err().as_ref().and_then(field_of), Some("place"));
    let stranger = s
        .schedule_interview(&c.as_consultant()?, &new(EmployeeId::new(999_999), InterviewKind::Initial, slot(at(2, 10, 0), at(2, 11, 0))))
        .await;
    assert_eq!(stranger.err().as_ref().and_then(field_of), Some("employee"));

    // A cycle's initial interview is for its targets; additional ones are for anyone.
    let cycle = env.cycle("2029年度", "active", &[("E003", Some(c))]).await?;
    let mut initial = new(e4, InterviewKind::Initial, slot(at(3, 10, 0), at(3, 11, 0)));
    initial.cycle = Some(cycle);
    assert_eq!(s.schedule_interview(&c.as_consultant()?, &initial).await.err().as_ref().and_then(field_of), Some("employee"));
    initial.kind = InterviewKind::Additional;
    s.schedule_interview(&c.as_consultant()?, &initial).await?;
    let mut unknown_cycle = new(e3, InterviewKind::Initial, slot(at(3, 12, 0), at(3, 13, 0)));
    unknown_cycle.cycle = Some(CycleId::new(999_999));
    assert_eq!(s.schedule_interview(&c.as_consultant()?, &unknown_cycle).await.err().as_ref().and_then(field_of), Some("cycle"));
    let in_cycle = s.cycle_interviews(&c.as_consultant()?, Some(cycle)).await?;
    assert_eq!(in_cycle.iter().map(|i| i.employee_number.as_str()).collect::<Vec<_>>(), ["E004"]);
    assert_eq!(s.cycle_interviews(&c.as_consultant()?, Some(CycleId::new(424_242))).await.err().as_ref().and_then(field_of), Some("cycle"));

    // Only a consultant schedules; a role outside consulting gets nothing.
    // (the store's handle for a consultant's operations cannot be had in another role)
    expect_not_found(env.hr.as_consultant().map(|_| ()), "hr")?;
    expect_not_found(s.interview(&env.colleague.as_consultant()?, second).await, "colleague")?;

    // The calendar of one consultant, and the employee's own list (no notes in it by type).
    let week = s.consultant_interviews(&c.as_consultant()?, at(0, 0, 0), at(7, 0, 0)).await?;
    assert_eq!(week.len(), 4, "{week:?}");
    assert!(week.windows(2).all(|w| w[0].starts_at <= w[1].starts_at));
    let own = s.own_interviews(&env.employee.as_employee()?).await?;
    assert_eq!(own.len(), 1);
    assert_eq!((own[0].status, own[0].consultant_name.as_str()), (InterviewStatus::Cancelled, "consultant さん"));
    expect_not_found(c.as_employee().map(|_| ()), "consultant acting as such")?;

    let actions = env.actions().await?;
    assert!(actions.iter().filter(|a| *a == "interview_scheduled").count() >= 5);
    assert!(actions.iter().any(|a| a == "interview_changed") && actions.iter().any(|a| a == "interview_list_read"));
    Ok(())
}

async fn concurrent_schedulings_cannot_both_take_one_slot(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let e = env.employee("E001").await?;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = env.store.clone();
        let ctx = env.consultant.clone();
        tasks.push(tokio::spawn(async move {
            // Every attempt overlaps every other one.
            store
                .schedule_interview(&ctx.as_consultant()?, &new(e, InterviewKind::Additional, slot(at(5, 9, i * 5), at(5, 10, i * 5))))
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await? {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => bail!("unexpected error: {e:?}"),
        }
    }
    assert_eq!(ok, 1, "exactly one of eight overlapping schedulings succeeds");
    Ok(())
}

async fn status_changes_follow_the_state_machine(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let c = &env.consultant;
    let e = env.employee("E001").await?;
    // Outcomes are recorded after the start: these interviews lie four years back (so their
    // correction period is over too).
    let ago = |d: i64, hh: i64, mm: i64| at(d, hh, mm) - 4 * 365 * 24 * HOUR;
    let a = s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::Initial, slot(ago(1, 10, 0), ago(1, 11, 0)))).await?;

    assert_eq!(
        s.set_interview_status(&c.as_consultant()?, a, InterviewStatus::Cancelled, "  ").await.err().as_ref().and_then(field_of),
        Some("note")
    );
    expect_not_found(s.set_interview_status(&env.colleague.as_consultant()?, a, InterviewStatus::Held, "").await, "colleague")?;
    assert_eq!(s.set_interview_status(&c.as_consultant()?, a, InterviewStatus::Held, "").await?, InterviewStatus::Held);
    assert_eq!(
        s.set_interview_status(&c.as_consultant()?, a, InterviewStatus::Cancelled, "間違い").await.err().as_ref().and_then(field_of),
        Some("status")
    );
    let resched = InterviewChange { mode: InterviewMode::InPerson, place: String::new(), slot: slot(ago(2, 10, 0), ago(2, 11, 0)) };
    assert_eq!(s.reschedule_interview(&c.as_consultant()?, a, &resched).await.err().as_ref().and_then(field_of), Some("status"));

    // A no-show frees the slot; recording it as held afterwards must not double-book it.
    let b = s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::FollowUp, slot(ago(3, 10, 0), ago(3, 11, 0)))).await?;
    s.set_interview_status(&c.as_consultant()?, b, InterviewStatus::NoShow, "連絡なし").await?;
    let other = s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::Additional, slot(ago(3, 10, 30), ago(3, 11, 30)))).await?;
    expect_conflict(s.set_interview_status(&c.as_consultant()?, b, InterviewStatus::Held, "").await, &["10:30–11:30", "追加面談"])?;
    s.set_interview_status(&c.as_consultant()?, other, InterviewStatus::Cancelled, "重複").await?;
    assert_eq!(s.set_interview_status(&c.as_consultant()?, b, InterviewStatus::Held, "遅れて実施").await?, InterviewStatus::Held);
    let row = s.interview(&c.as_consultant()?, b).await?;
    assert_eq!((row.status, row.has_status_note), (InterviewStatus::Held, true));
    assert_eq!(s.interview_status_note(&c.as_consultant()?, b).await?.as_deref(), Some("遅れて実施"));
    assert!(!s.interview(&c.as_consultant()?, a).await?.has_status_note);
    assert_eq!(s.interview_status_note(&c.as_consultant()?, a).await?, None);
    expect_not_found(
        s.set_interview_status(&c.as_consultant()?, InterviewId::new(999_999), InterviewStatus::Held, "").await,
        "unknown id",
    )?;
    Ok(())
}

async fn held_waits_for_the_start_and_corrections_for_their_period(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let me = env.consultant.as_consultant()?;
    let e = env.employee("E001").await?;
    let now = chrono::Utc::now().timestamp_millis();
    // Tomorrow: neither held nor no-show yet, whatever the caller; a cancellation is recorded.
    let soon = s.schedule_interview(&me, &new(e, InterviewKind::Initial, slot(now + 24 * HOUR, now + 25 * HOUR))).await?;
    for to in [InterviewStatus::Held, InterviewStatus::NoShow] {
        let refused = s.set_interview_status(&me, soon, to, "").await;
        assert_eq!(refused.err().as_ref().and_then(field_of), Some("status"), "{to:?} before the start");
    }
    s.set_interview_status(&me, soon, InterviewStatus::Cancelled, "日程の誤り").await?;
    // Corrected back to scheduled within the period: audited as a correction.
    assert_eq!(s.set_interview_status(&me, soon, InterviewStatus::Scheduled, "").await?, InterviewStatus::Scheduled);
    let last = s.recent_audit(env.tenant.id, 1, None).await?.into_iter().next().context("no event")?;
    assert_eq!((last.action.as_str(), last.detail.as_str()), ("interview_status_corrected", "cancelled->scheduled"));

    // Two hours ago: held, then corrected to a no-show; 20 days ago: held is final.
    let recent = s.schedule_interview(&me, &new(e, InterviewKind::FollowUp, slot(now - 2 * HOUR, now - HOUR))).await?;
    s.set_interview_status(&me, recent, InterviewStatus::Held, "").await?;
    s.set_interview_status(&me, recent, InterviewStatus::NoShow, "本人不在").await?;
    assert_eq!(s.interview(&me, recent).await?.status, InterviewStatus::NoShow);
    let old =
        s.schedule_interview(&me, &new(e, InterviewKind::Additional, slot(now - 20 * 24 * HOUR, now - 20 * 24 * HOUR + HOUR))).await?;
    s.set_interview_status(&me, old, InterviewStatus::Held, "").await?;
    let late = s.set_interview_status(&me, old, InterviewStatus::NoShow, "").await;
    assert_eq!(late.err().as_ref().and_then(field_of), Some("status"), "after the period");
    assert_eq!(s.interview(&me, old).await?.status, InterviewStatus::Held);
    let corrections = env.actions().await?.iter().filter(|a| *a == "interview_status_corrected").count();
    assert_eq!(corrections, 2);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Notes
// ---------------------------------------------------------------------------------------------

async fn notes_are_read_by_the_interviewer_and_a_reviewing_supervisor_only(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let c = &env.consultant;
    let e = env.employee("E001").await?;
    let id = s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::Initial, slot(at(1, 10, 0), at(1, 11, 0)))).await?;
    assert_eq!(s.read_interview_note(c, id).await?, None, "nothing written yet");

    let secret = "山田太郎さんは転職を考えている。機密メモ-Zeta-7741";
    s.write_interview_note(&c.as_consultant()?, id, secret).await?;
    expect_not_found(s.write_interview_note(&env.colleague.as_consultant()?, id, "乗っ取り").await, "colleague writing")?;
    let note = s.read_interview_note(c, id).await?.context("note")?;
    assert_eq!((note.text.as_str(), note.view), (secret, View::Identified));
    let row = s.interview(&c.as_consultant()?, id).await?;
    assert!(row.has_note && !row.has_report);

    for (who, ctx) in [
        ("colleague", &env.colleague),
        ("hr", &env.hr),
        ("admin", &env.admin),
        ("supervisor", &env.supervisor),
        ("employee", &env.employee),
    ] {
        expect_not_found(s.read_interview_note(ctx, id).await, who)?;
    }

    // A report on the interview: a draft keeps the note from the supervisor…
    let raw = env.raw().await?;
    let sealed = s.write_sealed(c, "report", "{}").await?;
    let sup = env.supervisor.user().context("supervisor id")?;
    sqlx::query(
        "INSERT INTO reports (tenant_id, interview_id, employee_id, author_id, supervisor_id, status, sealed_id, life_safety, organizational_response, round, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, 0, 0, 1, 1, 0, 0)",
    )
    .bind(env.tenant.id.get())
    .bind(id.get())
    .bind(e.get())
    .bind(c.user().context("consultant id")?.get())
    .bind(sup.get())
    .bind(sealed.get())
    .execute(&raw)
    .await?;
    expect_not_found(s.read_interview_note(&env.supervisor, id).await, "supervisor, draft")?;

    // …while it is submitted, the assigned supervisor reads it, another one pseudonymized…
    sqlx::query("UPDATE reports SET status = 'submitted' WHERE interview_id = $1").bind(id.get()).execute(&raw).await?;
    let read = s.read_interview_note(&env.supervisor, id).await?.context("supervisor note")?;
    assert_eq!((read.text.as_str(), read.view), (secret, View::Identified));
    let masked = s.read_interview_note(&env.other_supervisor, id).await?.context("other supervisor note")?;
    assert_eq!(masked.view, View::Pseudonymized);
    assert!(!masked.text.contains("山田") && !masked.text.contains("太郎") && masked.text.contains("Zeta-7741"), "{}", masked.text);
    for (who, ctx) in [("colleague", &env.colleague), ("hr", &env.hr), ("admin", &env.admin)] {
        expect_not_found(s.read_interview_note(ctx, id).await, who)?;
    }

    // …and once approved, no longer.
    sqlx::query("UPDATE reports SET status = 'approved' WHERE interview_id = $1").bind(id.get()).execute(&raw).await?;
    expect_not_found(s.read_interview_note(&env.supervisor, id).await, "supervisor, approved")?;
    assert!(s.interview(&c.as_consultant()?, id).await?.has_report);

    // Every read that returned text is in the audit log; rewriting replaces the text.
    let reads = env.actions().await?.iter().filter(|a| *a == "interview_note_read").count();
    assert_eq!(reads, 3);
    s.write_interview_note(&c.as_consultant()?, id, "書き直した記録").await?;
    assert_eq!(s.read_interview_note(c, id).await?.map(|n| n.text), Some("書き直した記録".to_string()));
    assert!(env.actions().await?.iter().filter(|a| *a == "interview_note_written").count() >= 2);
    raw.close().await;

    // The note never reaches the disk in clear (the database file and its WAL).
    if let Some(path) = env.db.sqlite_path() {
        s.close().await;
        let needle = "機密メモ-Zeta-7741".as_bytes();
        for file in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "note text found in {}", file.display());
                assert!(!bytes.windows("書き直した記録".len()).any(|w| w == "書き直した記録".as_bytes()));
            }
        }
    }
    Ok(())
}

async fn status_notes_are_sealed_and_read_by_their_consultant_only(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let c = &env.consultant;
    let e = env.employee("E001").await?;
    // Within the calendar feed's window, so that the feed is checked too; past, so that a
    // no-show can be recorded.
    let now = careerdock_store::now_ms();
    let start = now - now % HOUR - 24 * HOUR;
    let cancelled = s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::Initial, slot(start, start + HOUR))).await?;
    let missed =
        s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::FollowUp, slot(start + 2 * HOUR, start + 3 * HOUR))).await?;

    let marker = random_hex(12);
    let reason = format!("体調不良のため（メンタル不調で休職検討中）-{marker}");
    let missed_marker = random_hex(12);
    s.set_interview_status(&c.as_consultant()?, cancelled, InterviewStatus::Cancelled, &reason).await?;
    s.set_interview_status(&c.as_consultant()?, missed, InterviewStatus::NoShow, &format!("連絡なし-{missed_marker}")).await?;

    // The consultant reads the reason back, and the read is audited without the text.
    assert!(s.interview(&c.as_consultant()?, cancelled).await?.has_status_note);
    assert_eq!(s.interview_status_note(&c.as_consultant()?, cancelled).await?.as_deref(), Some(reason.as_str()));
    let events = s.recent_audit(env.tenant.id, 1_000, None).await?;
    let read = events
        .iter()
        .find(|ev| ev.action == "interview_note_read" && ev.target_id == cancelled.to_string())
        .context("no interview_note_read event for the status note")?;
    assert_eq!(read.detail, "status_note");
    assert!(events.iter().all(|ev| !ev.detail.contains(&marker)), "the audit log must not hold the reason");

    // Nobody else reads it: not another consultant, not the employee, not HR or a supervisor.
    for (who, ctx) in [
        ("colleague", &env.colleague),
        ("employee", &env.employee),
        ("hr", &env.hr),
        ("admin", &env.admin),
        ("supervisor", &env.supervisor),
    ] {
        match ctx.as_consultant() {
            // Another consultant holds the handle, and the policy refuses the record.
            Ok(me) => {
                expect_not_found(s.interview_status_note(&me, cancelled).await, who)?;
                expect_not_found(s.interview_status_note(&me, missed).await, who)?;
            }
            // Every other role cannot even ask.
            Err(e) => expect_not_found::<()>(Err(e), who)?,
        }
    }
    expect_not_found(s.interview(&env.colleague.as_consultant()?, cancelled).await, "colleague")?;
    // The employee sees the status, never a reason; lists and the calendar feed carry none.
    let own = s.own_interviews(&env.employee.as_employee()?).await?;
    assert!(own.iter().any(|i| i.id == cancelled && i.status == InterviewStatus::Cancelled), "{own:?}");
    let token = s.rotate_calendar_feed(&c.as_consultant()?, true).await?;
    let feed = s.calendar_feed_by_token(&token).await?.context("feed")?;
    assert_eq!(feed.events.len(), 2);
    let listed = format!(
        "{own:?}{feed:?}{:?}{:?}",
        s.consultant_interviews(&c.as_consultant()?, start - HOUR, start + 4 * HOUR).await?,
        s.cycle_interviews(&c.as_consultant()?, None).await?
    );
    for m in [&marker, &missed_marker] {
        assert!(!listed.contains(m.as_str()), "a list or the feed holds a status note");
    }

    // Recording the no-show as held without a note takes the old reason off the disk.
    s.set_interview_status(&c.as_consultant()?, missed, InterviewStatus::Held, "").await?;
    assert_eq!(s.interview_status_note(&c.as_consultant()?, missed).await?, None);
    let raw = env.raw().await?;
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM sealed_texts WHERE purpose = 'interview_status_note'").fetch_one(&raw).await?,
        "n",
    )?;
    assert_eq!(n, 1, "only the cancellation reason stays sealed");
    raw.close().await;

    // Not in the database in clear: the SQLite file and its WAL, or PostgreSQL's dump.
    let needles: [&[u8]; 3] = [reason.as_bytes(), marker.as_bytes(), "メンタル不調".as_bytes()];
    match backend {
        Backend::Sqlite => {
            assert_absent_from_sqlite_files(&env.db, &needles, "store open")?;
            s.close().await;
            for (p, bytes) in sqlite_files(&env.db)? {
                for n in needles {
                    assert!(!contains(&bytes, n), "after close: {p} holds the reason in clear");
                }
            }
        }
        Backend::Postgres => {
            let dump = pg_dump(&env.db)?;
            assert!(contains(&dump, b"sealed_texts"), "the dump covers sealed_texts");
            for n in needles {
                assert!(!contains(&dump, n), "pg_dump shows the reason in clear");
            }
            s.close().await;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Consultation requests
// ---------------------------------------------------------------------------------------------

async fn requests_go_to_the_assigned_consultant_or_the_pool(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let (c, c2) = (&env.consultant, &env.colleague);
    // E001 is assigned to the consultant in the active cycle; a closed cycle assigning E002
    // to the colleague does not route anything.
    env.cycle("2029年度", "active", &[("E001", Some(c)), ("E002", None)]).await?;
    env.cycle("2028年度", "closed", &[("E002", Some(c2))]).await?;

    assert_eq!(s.request_consultation(&env.employee.as_employee()?, "  ", "").await.err().as_ref().and_then(field_of), Some("preferred"));
    expect_not_found(c.as_employee().map(|_| ()), "consultant asking")?;
    let (assigned, routing) = s.request_consultation(&env.employee.as_employee()?, "来週の午後", "異動について相談したい-Kappa-99").await?;
    assert_eq!(routing, Routing::Assigned(c.user().context("id")?));
    let (pooled, routing) = s.request_consultation(&env.employee2.as_employee()?, "5月20日 10時〜12時", "").await?;
    assert_eq!(routing, Routing::Pool);

    let q1 = s.request_queue(&c.as_consultant()?).await?;
    assert_eq!(q1.iter().map(|r| (r.id, r.assigned_to_me)).collect::<Vec<_>>(), [(assigned, true), (pooled, false)], "oldest first");
    assert_eq!(q1[0].message, "異動について相談したい-Kappa-99");
    let q2 = s.request_queue(&c2.as_consultant()?).await?;
    assert_eq!(q2.iter().map(|r| r.id).collect::<Vec<_>>(), [pooled], "the colleague sees the pool only");
    assert_eq!(s.request_queue_len(&c.as_consultant()?).await?, 2);
    // Reading the requests' messages is its own audit kind, not an interview list.
    assert!(env.actions().await?.iter().any(|a| a == "consultation_requests_read"), "the queue's read is recorded as such");
    expect_not_found(env.hr.as_consultant().map(|_| ()), "hr")?;

    // The colleague takes the pool request by scheduling an additional interview.
    let when = InterviewChange {
        mode: InterviewMode::Online,
        place: "https://meet.example.jp/abc".into(),
        slot: slot(at(2, 10, 0), at(2, 11, 0)),
    };
    let interview = s.schedule_request(&c2.as_consultant()?, pooled, &when, "当日はこのURLからご参加ください。").await?;
    let row = s.interview(&c2.as_consultant()?, interview).await?;
    assert_eq!((row.kind, row.employee_number.as_str(), row.status), (InterviewKind::Additional, "E002", InterviewStatus::Scheduled));
    // Answered by the colleague, the request is theirs: to everyone else it answers exactly as
    // one that does not exist (issue 6), and the refusal is recorded.
    expect_not_found(s.schedule_request(&c.as_consultant()?, pooled, &when, "").await, "a pool request another answered")?;
    expect_not_found(s.decline_request(&c.as_consultant()?, pooled, "理由").await, "declining what another answered")?;
    let refused = env.actions().await?.iter().filter(|a| a.as_str() == "access_refused").count();
    assert!(refused >= 2, "refusals are audited ({refused})");
    expect_not_found(s.decline_request(&c2.as_consultant()?, assigned, "理由").await, "the colleague on another's request")?;
    assert_eq!(s.request_queue(&c.as_consultant()?).await?.iter().map(|r| r.id).collect::<Vec<_>>(), [assigned]);

    // Scheduling from a request is checked for overlaps like any other.
    s.schedule_interview(
        &c.as_consultant()?,
        &new(env.employee("E003").await?, InterviewKind::Additional, slot(at(4, 10, 0), at(4, 11, 0))),
    )
    .await?;
    let clash = InterviewChange { mode: InterviewMode::InPerson, place: String::new(), slot: slot(at(4, 10, 30), at(4, 11, 30)) };
    expect_conflict(s.schedule_request(&c.as_consultant()?, assigned, &clash, "").await, &["10:00–11:00"])?;
    assert_eq!(s.request_queue_len(&c.as_consultant()?).await?, 1, "a refused answer leaves the request open");

    // Declining needs a reason, which the employee reads.
    assert_eq!(s.decline_request(&c.as_consultant()?, assigned, "").await.err().as_ref().and_then(field_of), Some("reason"));
    s.decline_request(&c.as_consultant()?, assigned, "担当外のため、人事部の窓口をご案内します。").await?;
    assert!(s.request_queue(&c.as_consultant()?).await?.is_empty());

    let mine = s.own_requests(&env.employee.as_employee()?).await?;
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].status, mine[0].reply.as_str()), (RequestStatus::Declined, "担当外のため、人事部の窓口をご案内します。"));
    assert_eq!(mine[0].message, "異動について相談したい-Kappa-99");
    let theirs = s.own_requests(&env.employee2.as_employee()?).await?;
    assert_eq!(theirs[0].status, RequestStatus::Scheduled);
    assert_eq!(theirs[0].interview.as_ref().map(|i| (i.0, i.2)), Some((at(2, 10, 0), InterviewMode::Online)));
    assert_eq!(theirs[0].consultant_name.as_deref(), Some("colleague さん"));
    assert_eq!(s.own_interviews(&env.employee2.as_employee()?).await?.len(), 1);

    // At most three unanswered requests at once.
    for i in 0..3 {
        s.request_consultation(&env.employee.as_employee()?, &format!("候補{i}"), "").await?;
    }
    assert_eq!(
        s.request_consultation(&env.employee.as_employee()?, "もう一件", "").await.err().as_ref().and_then(field_of),
        Some("preferred")
    );

    let actions = env.actions().await?;
    assert!(actions.iter().filter(|a| *a == "consultation_requested").count() == 5);
    assert!(actions.iter().filter(|a| *a == "consultation_answered").count() == 2);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Calendar feed
// ---------------------------------------------------------------------------------------------

async fn calendar_feed_tokens_resolve_until_rotated_or_revoked(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let c = &env.consultant;
    let e = env.employee("E001").await?;
    let now = careerdock_store::now_ms();
    let start = now - now % HOUR + 24 * HOUR;
    s.schedule_interview(&c.as_consultant()?, &new(e, InterviewKind::Initial, slot(start, start + HOUR))).await?;
    // Far outside the ±90-day window.
    s.schedule_interview(
        &c.as_consultant()?,
        &new(e, InterviewKind::FollowUp, slot(start + 200 * 24 * HOUR, start + 201 * 24 * HOUR - 23 * HOUR)),
    )
    .await?;

    assert_eq!(s.calendar_feed(&c.as_consultant()?).await?, None);
    let token = s.rotate_calendar_feed(&c.as_consultant()?, false).await?;
    assert!(token.starts_with("cal_") && token.len() == 68);
    let feed = s.calendar_feed_by_token(&token).await?.context("feed")?;
    assert_eq!(feed.consultant, c.user().context("id")?);
    assert_eq!(feed.events.len(), 1);
    assert_eq!((feed.events[0].kind, feed.events[0].employee_name.as_deref()), (InterviewKind::Initial, None));

    s.set_calendar_feed_names(&c.as_consultant()?, true).await?;
    let named = s.calendar_feed_by_token(&token).await?.context("feed with names")?;
    assert_eq!(named.events[0].employee_name.as_deref(), Some("山田 太郎"));
    assert_eq!(s.calendar_feed(&c.as_consultant()?).await?.map(|f| f.show_names), Some(true));

    // Only the hash is stored.
    let raw = env.raw().await?;
    let stored: String = sqlx::Row::try_get(&sqlx::query("SELECT token_hash FROM calendar_feeds").fetch_one(&raw).await?, "token_hash")?;
    assert!(!stored.contains(&token[4..]) && stored.len() == 64);
    raw.close().await;

    let rotated = s.rotate_calendar_feed(&c.as_consultant()?, false).await?;
    assert_ne!(rotated, token);
    assert!(s.calendar_feed_by_token(&token).await?.is_none(), "the old URL stops working");
    assert!(s.calendar_feed_by_token(&rotated).await?.is_some());
    s.revoke_calendar_feed(&c.as_consultant()?).await?;
    assert!(s.calendar_feed_by_token(&rotated).await?.is_none(), "a revoked URL stops working");
    expect_not_found(s.revoke_calendar_feed(&c.as_consultant()?).await, "revoking twice")?;
    expect_not_found(s.set_calendar_feed_names(&c.as_consultant()?, true).await, "names without a feed")?;
    expect_not_found(env.employee.as_consultant().map(|_| ()), "employee")?;
    assert!(s.calendar_feed_by_token("cal_nothing").await?.is_none());
    assert!(s.calendar_feed_by_token(&format!("cal_{}", "0".repeat(64))).await?.is_none());

    let actions = env.actions().await?;
    assert_eq!(actions.iter().filter(|a| *a == "calendar_feed_read").count(), 3);
    assert_eq!(actions.iter().filter(|a| *a == "calendar_feed_changed").count(), 4);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reach (issue 6): an assignment in a cycle or a consultation request, nothing else
// ---------------------------------------------------------------------------------------------

async fn a_consultant_reaches_only_assigned_or_requesting_employees(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let op = Ctx::operator(env.tenant.id, "test");
    let new_user =
        NewUser {
            login: "newcomer", display_name: "新任 相談員", password: "password-123", roles: &[Role::Consultant], employee: None
        };
    let id = s.create_user(&op, &new_user).await?;
    let newcomer = Ctx::for_tests(env.tenant.id, id, "newcomer", Some(Role::Consultant)).as_consultant()?;

    // Nobody assigned, no request: the number answers exactly as an unknown one.
    expect_not_found(s.reachable_employee(&newcomer, "E003").await, "unassigned employee")?;
    expect_not_found(s.reachable_employee(&newcomer, "E999").await, "unknown number")?;
    let e3 = env.employee("E003").await?;
    let refused = s.schedule_interview(&newcomer, &new(e3, InterviewKind::Additional, slot(at(6, 10, 0), at(6, 11, 0)))).await;
    assert_eq!(
        refused.err().as_ref().and_then(field_of),
        Some("employee"),
        "scheduling with an unreachable employee is refused like an unknown one"
    );
    assert!(s.consultant_interviews(&newcomer, 0, i64::MAX).await?.is_empty(), "nothing was written");

    // An open request in the pool reaches every consultant.
    s.request_consultation(&env.employee2.as_employee()?, "来週の午後", "").await?;
    assert_eq!(s.reachable_employee(&newcomer, "E002").await?, env.employee("E002").await?);
    // An assignment in a cycle reaches the assigned consultant.
    env.cycle("今年度", "active", &[("E004", Some(&Ctx::for_tests(env.tenant.id, id, "newcomer", Some(Role::Consultant))))]).await?;
    let e4 = env.employee("E004").await?;
    assert_eq!(s.reachable_employee(&newcomer, "E004").await?, e4);
    s.schedule_interview(&newcomer, &new(e4, InterviewKind::Additional, slot(at(6, 10, 0), at(6, 11, 0)))).await?;
    assert!(env.actions().await?.iter().any(|a| a == "access_refused"), "the refusals are audited");
    Ok(())
}
