//! Questionnaires and their answers on a fresh SQLite file and a fresh PostgreSQL database:
//! the default questionnaire per tenant, recording (the employee's own and a consultant's paper
//! entry), the trajectory for the employee and their consultant only, sealed on disk, audited,
//! and the all-or-nothing import.

use crate::{contains, inline_key, pg_dump, raw_pool, sqlite_files};
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, EnteredBy, NewAnswers, NewInterview, NewUser, OpenOptions, Store, StoreError, TenantRow};
use chrono::NaiveDate;
use domain::audit::AuditAction;
use domain::ids::{CycleId, EmployeeId, InterviewId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, Slot};
use domain::questionnaire::import::parse_response_csv;
use domain::questionnaire::Timing;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    every_tenant_has_the_default_questionnaire,
    answers_are_recorded_sealed_and_read_by_the_employee_and_their_consultant_only,
    answers_are_checked_whole_and_refused_without_a_trace,
    import_is_all_or_nothing_with_every_bad_row_named,
);

const CSV: &str =
    "社員番号,氏名,所属\r\nE001,山田 太郎,営業本部/第一営業部\r\nE002,佐藤 花子,営業本部/第一営業部\r\nE003,鈴木 一郎,管理本部/人事部\r\n";

pub(crate) struct Env {
    pub(crate) db: TestDb,
    pub(crate) store: Store,
    pub(crate) tenant: TenantRow,
    pub(crate) consultant: Ctx,
    colleague: Ctx,
    pub(crate) hr: Ctx,
    supervisor: Ctx,
    pub(crate) employee: Ctx,
    employee2: Ctx,
    pub(crate) cycle: CycleId,
}

impl Env {
    pub(crate) async fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
        let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
        let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        let op = Ctx::operator(tenant.id, "test");
        let parsed = parse_employee_csv(CSV.as_bytes(), day(2026, 4, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.import_employees(&op, &parsed.rows).await?;
        let e1 = store.employee_by_number(tenant.id, "E001").await?.id;
        let e2 = store.employee_by_number(tenant.id, "E002").await?.id;
        let mut ctxs = Vec::new();
        for (login, role, employee) in [
            ("consultant", Role::Consultant, None),
            ("colleague", Role::Consultant, None),
            ("hr", Role::Hr, None),
            ("supervisor", Role::Supervisor, None),
            ("employee", Role::Employee, Some(e1)),
            ("employee2", Role::Employee, Some(e2)),
        ] {
            let name = format!("{login} さん");
            let new = NewUser { login, display_name: &name, password: "password-123", roles: &[role], employee };
            let id = store.create_user(&op, &new).await?;
            ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
        }
        // The consultant has every employee assigned in the current cycle.
        let raw = raw_pool(&db).await?;
        let r = sqlx::query(
            "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, '2026年度', '2026-04-01', '2027-03-31', 'active', '{}', 0) RETURNING id",
        )
        .bind(tenant.id.get())
        .fetch_one(&raw)
        .await?;
        let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
        let consultant_id = ctxs[0].user().context("user")?;
        sqlx::query(
            "INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at) SELECT $1, tenant_id, id, $2, 'test', 0 FROM employees WHERE tenant_id = $3",
        )
        .bind(cycle)
        .bind(consultant_id.get())
        .bind(tenant.id.get())
        .execute(&raw)
        .await?;
        raw.close().await;
        let mut it = ctxs.into_iter();
        let mut next = || it.next().context("ctx");
        Ok(Env {
            consultant: next()?,
            colleague: next()?,
            hr: next()?,
            supervisor: next()?,
            employee: next()?,
            employee2: next()?,
            db,
            store,
            tenant,
            cycle: CycleId::new(cycle),
        })
    }

    async fn employee_id(&self, number: &str) -> Result<EmployeeId> {
        Ok(self.store.employee_by_number(self.tenant.id, number).await?.id)
    }

    async fn interview(&self, number: &str) -> Result<InterviewId> {
        let new = NewInterview {
            cycle: Some(self.cycle),
            employee: self.employee_id(number).await?,
            kind: InterviewKind::Initial,
            mode: InterviewMode::InPerson,
            place: "第1会議室".into(),
            slot: Slot { start_ms: 1_780_000_000_000, end_ms: 1_780_003_600_000 },
        };
        Ok(self.store.schedule_interview(&self.consultant.as_consultant()?, &new).await?)
    }

    pub(crate) async fn count(&self, action: AuditAction) -> Result<usize> {
        let events = self.store.recent_audit(self.tenant.id, 100_000, None).await?;
        Ok(events.iter().filter(|e| e.action == action.as_str()).count())
    }
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub(crate) fn all(value: i64) -> Vec<(String, Option<i64>)> {
    (1..=16).map(|i| (format!("q{i:02}"), Some(value))).collect()
}

async fn every_tenant_has_the_default_questionnaire(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let list = env.store.questionnaires(&env.hr).await?;
    ensure!(list.len() == 1 && list[0].questionnaire.code() == "career-awareness", "{list:?}");
    ensure!(list[0].questionnaire.items().len() == 16 && list[0].questionnaire.scale().max == 5);
    ensure!(env.store.questionnaires(&env.consultant).await?.len() == 1);
    ensure!(env.store.questionnaires(&env.employee).await?.len() == 1, "an employee sees what to answer");
    ensure!(matches!(env.store.questionnaires(&env.supervisor).await, Err(StoreError::NotFound)));
    // A second tenant has its own; reopening (a tenant made before questionnaires) adds none twice.
    let slug = TenantSlug::parse("beta").map_err(|e| anyhow::anyhow!("{e}"))?;
    let beta = env.store.create_tenant(&slug, "ベータ", KThreshold::DEFAULT, "test").await?;
    let raw = raw_pool(&env.db).await?;
    sqlx::query("DELETE FROM questionnaires WHERE tenant_id = $1").bind(beta.id.get()).execute(&raw).await?;
    raw.close().await;
    let again = Store::open(&env.db.url, OpenOptions { create: false, migrate: false, keys: inline_key() }).await?;
    ensure!(again.questionnaires(&Ctx::operator(beta.id, "test")).await?.len() == 1);
    ensure!(again.questionnaires(&env.hr).await?.len() == 1);
    again.close().await;
    Ok(())
}

async fn answers_are_recorded_sealed_and_read_by_the_employee_and_their_consultant_only(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let e1 = env.employee_id("E001").await?;
    let mut pre = all(2);
    pre[2].1 = Some(5); // q03 is reverse-scored: 5 counts as 1
    let new = NewAnswers {
        questionnaire: "career-awareness",
        cycle: env.cycle,
        interview: None,
        timing: Timing::Pre,
        answered_on: day(2026, 5, 1),
        answers: &pre,
    };
    env.store.answer_own_questionnaire(&env.employee.as_employee()?, &new).await?;
    // Before any interview, the consultant may neither enter nor read the employee's answers.
    let post = all(4);
    let paper = NewAnswers { timing: Timing::Post, answered_on: day(2026, 6, 1), answers: &post, ..new.clone() };
    let refused = env.store.record_paper_answers(&env.consultant.as_consultant()?, e1, &paper).await;
    ensure!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    ensure!(matches!(env.store.answer_trajectory(&env.consultant, e1, "career-awareness").await, Err(StoreError::NotFound)));
    let interview = env.interview("E001").await?;
    let paper = NewAnswers { interview: Some(interview), ..paper };
    env.store.record_paper_answers(&env.consultant.as_consultant()?, e1, &paper).await?;

    let own = env.store.own_answer_trajectory(&env.employee.as_employee()?, "career-awareness").await?;
    ensure!(own.points.len() == 2, "{own:?}");
    let first = &own.points[0];
    ensure!(first.timing == Timing::Pre && first.entered_by == EnteredBy::Employee && first.scored.complete);
    // q07, q12 and q15 are reverse-scored too: 2 counts as 4.
    let expected = (12.0 * 2.0 + 1.0 + 3.0 * 4.0) / 16.0;
    ensure!(first.scored.score.is_some_and(|s| (s - expected).abs() < 1e-9), "{:?}", first.scored.score);
    ensure!(own.points[1].entered_by == EnteredBy::Consultant && own.points[1].interview == Some(interview));
    let seen = env.store.answer_trajectory(&env.consultant, e1, "career-awareness").await?;
    ensure!(seen.points == own.points);

    // Nobody else: a colleague, HR, a supervisor, another employee.
    for other in [&env.colleague, &env.hr, &env.supervisor, &env.employee2] {
        let r = env.store.answer_trajectory(other, e1, "career-awareness").await;
        ensure!(matches!(r, Err(StoreError::NotFound)), "{}: {r:?}", other.label());
    }
    ensure!(env.count(AuditAction::QuestionnaireAnswered).await? == 2);
    ensure!(env.count(AuditAction::QuestionnaireAnswersRead).await? == 2);
    ensure!(env.count(AuditAction::AccessRefused).await? >= 6);

    // The database holds no answer in clear.
    env.store.close().await;
    let needle = br#"{"q01":"#;
    match backend {
        Backend::Sqlite => {
            for (p, bytes) in sqlite_files(&env.db)? {
                ensure!(!contains(&bytes, needle), "{p} holds answers in clear");
            }
        }
        Backend::Postgres => ensure!(!contains(&pg_dump(&env.db)?, needle), "the dump holds answers in clear"),
    }
    Ok(())
}

async fn answers_are_checked_whole_and_refused_without_a_trace(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let mut bad = all(3);
    bad[0].1 = Some(9);
    bad.push(("zz".into(), Some(1)));
    let new = NewAnswers {
        questionnaire: "career-awareness",
        cycle: env.cycle,
        interview: None,
        timing: Timing::Pre,
        answered_on: day(2099, 1, 1),
        answers: &bad,
    };
    match env.store.answer_own_questionnaire(&env.employee.as_employee()?, &new).await {
        Err(StoreError::Problems(ps)) => ensure!(ps.len() == 2 || ps.len() == 3, "{ps:?}"),
        other => anyhow::bail!("expected problems, got {other:?}"),
    }
    let blank: Vec<(String, Option<i64>)> = all(3).into_iter().map(|(c, _)| (c, None)).collect();
    let r = env
        .store
        .answer_own_questionnaire(
            &env.employee.as_employee()?,
            &NewAnswers { answers: &blank, answered_on: day(2026, 5, 1), ..new.clone() },
        )
        .await;
    ensure!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    let r = env
        .store
        .answer_own_questionnaire(
            &env.employee.as_employee()?,
            &NewAnswers { questionnaire: "nope", answers: &all(3), answered_on: day(2026, 5, 1), ..new.clone() },
        )
        .await;
    ensure!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    ensure!(env.count(AuditAction::QuestionnaireAnswered).await? == 0);
    // A partial answer set is kept, without a score.
    let mut partial = all(4);
    partial[15].1 = None;
    env.store
        .answer_own_questionnaire(&env.employee.as_employee()?, &NewAnswers { answers: &partial, answered_on: day(2026, 5, 1), ..new })
        .await?;
    let own = env.store.own_answer_trajectory(&env.employee.as_employee()?, "career-awareness").await?;
    ensure!(own.points.len() == 1 && own.points[0].scored.score.is_none() && own.points[0].scored.answered == 15);
    Ok(())
}

async fn import_is_all_or_nothing_with_every_bad_row_named(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let op = Ctx::operator(env.tenant.id, "import");
    let q = env.store.questionnaire(&op, "career-awareness").await?.questionnaire;
    let items: Vec<String> = (1..=16).map(|i| format!("q{i:02}")).collect();
    let header = format!("employee_number,timing,answered_on,{}\r\n", items.join(","));
    let row = |n: &str, t: &str, v: &str| format!("{n},{t},2026-05-01,{}\r\n", vec![v; 16].join(","));
    let bad = format!("{header}{}{}{}", row("E001", "pre", "3"), row("E999", "pre", "3"), row("E998", "post", "4"));
    let parsed = parse_response_csv(bad.as_bytes(), &q, day(2026, 12, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    match env.store.import_responses(&op, "career-awareness", env.cycle, &parsed.rows).await {
        Err(StoreError::Rows(errors)) => {
            ensure!(errors.len() == 2, "{errors:?}");
            ensure!(errors[0].line == 3 && errors[0].column.as_deref() == Some("employee_number"), "{errors:?}");
            ensure!(errors[1].line == 4);
        }
        other => anyhow::bail!("expected rows, got {other:?}"),
    }
    ensure!(env.count(AuditAction::QuestionnaireAnswered).await? == 0, "nothing was written");
    let good = format!("{header}{}{}{}", row("E001", "pre", "3"), row("E001", "post", "4"), row("E002", "pre", "2"));
    let parsed = parse_response_csv(good.as_bytes(), &q, day(2026, 12, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(env.store.import_responses(&op, "career-awareness", env.cycle, &parsed.rows).await? == 3);
    ensure!(env.count(AuditAction::QuestionnaireAnswered).await? == 3);
    // The same file again repeats what is recorded: refused whole.
    match env.store.import_responses(&op, "career-awareness", env.cycle, &parsed.rows).await {
        Err(StoreError::Rows(errors)) => ensure!(errors.len() == 3, "{errors:?}"),
        other => anyhow::bail!("expected rows, got {other:?}"),
    }
    let own = env.store.own_answer_trajectory(&env.employee.as_employee()?, "career-awareness").await?;
    ensure!(own.points.len() == 2 && own.points.iter().all(|p| p.entered_by == EnteredBy::Import));
    ensure!(own.points[1].scored.score == Some((12.0 * 4.0 + 4.0 * 2.0) / 16.0), "{:?}", own.points[1].scored);
    // HR may import (the web upload) and check; a consultant cannot.
    ensure!(matches!(
        env.store.import_responses(&env.consultant, "career-awareness", env.cycle, &parsed.rows).await,
        Err(StoreError::NotFound)
    ));
    ensure!(matches!(
        env.store.check_responses(&env.consultant, "career-awareness", env.cycle, &parsed.rows).await,
        Err(StoreError::NotFound)
    ));
    match env.store.check_responses(&env.hr, "career-awareness", env.cycle, &parsed.rows).await {
        Err(StoreError::Rows(errors)) => ensure!(errors.len() == 3, "HR's check names the same rows: {errors:?}"),
        other => anyhow::bail!("expected rows, got {other:?}"),
    }
    Ok(())
}
