//! The effect report (効果把握) on a fresh SQLite file and a fresh PostgreSQL database: the
//! figures equal `domain::effect::measure` over the known scores of each shown group, a group
//! below k is hidden with nothing of it shown, the scores are read once through the audited gate
//! (one `effect_report_read`), for HR, executives and operators only, and no score is in clear.

use crate::{contains, inline_key, pg_dump, raw_pool, sqlite_files};
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, NewUser, OpenOptions, Store, StoreError, TenantRow};
use chrono::NaiveDate;
use domain::audit::AuditAction;
use domain::effect::{measure, Pair};
use domain::effect_report::EffectValue;
use domain::ids::CycleId;
use domain::import::parse_employee_csv;
use domain::overall_report::Dimension;
use domain::questionnaire::import::ResponseRow;
use domain::questionnaire::{career_awareness, Timing};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use std::collections::BTreeMap;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(the_effect_report_measures_the_shown_groups_and_hides_the_small_ones);

/// 営業部 15 people, 開発部 12, 管理部 4 (below k = 10), and one more in 営業部 with a `pre` only.
fn csv() -> String {
    let mut s = String::from("社員番号,氏名,所属\r\n");
    for i in 1..=32 {
        let dept = match i {
            1..=16 => "営業部",
            17..=28 => "開発部",
            _ => "管理部",
        };
        s.push_str(&format!("E{i:03},社員 {i}号,{dept}\r\n"));
    }
    s
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Answers whose items vary with the person and the time, so that scores and changes differ.
fn answers(person: i64, post: bool, salt: i64) -> Vec<(String, Option<i64>)> {
    (1..=16)
        .map(|i| {
            let base = 2 + (person * 7 + i * 3 + salt) % 3;
            let v = if post { (base + (person + i) % 2 + i64::from(person % 3 == 0)).min(5) } else { base };
            (format!("q{i:02}"), Some(v))
        })
        .collect()
}

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    cycle: CycleId,
}

async fn cycle(db: &TestDb, tenant: i64, name: &str) -> Result<CycleId> {
    let raw = raw_pool(db).await?;
    let r = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, '2026-04-01', '2027-03-31', 'active', '{}', 0) RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .fetch_one(&raw)
    .await?;
    let id: i64 = sqlx::Row::try_get(&r, "id")?;
    raw.close().await;
    Ok(CycleId::new(id))
}

async fn user(store: &Store, tenant: &TenantRow, login: &str, role: Role) -> Result<Ctx> {
    let op = Ctx::operator(tenant.id, "test");
    let name = format!("{login} さん");
    let id =
        store.create_user(&op, &NewUser { login, display_name: &name, password: "password-123", roles: &[role], employee: None }).await?;
    Ok(Ctx::for_tests(tenant.id, id, login, Some(role)))
}

async fn the_effect_report_measures_the_shown_groups_and_hides_the_small_ones(backend: Backend) -> Result<()> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
    let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let parsed = parse_employee_csv(csv().as_bytes(), day(2026, 4, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let env = Env { cycle: cycle(&db, tenant.id.get(), "2026年度").await?, db, store, tenant };
    let q = career_awareness::questionnaire().map_err(|_| anyhow::anyhow!("the default questionnaire"))?;
    let score = |a: &[(String, Option<i64>)]| {
        let refs: Vec<(&str, Option<i64>)> = a.iter().map(|(c, v)| (c.as_str(), *v)).collect();
        q.score(&refs).ok().and_then(|s| s.score).unwrap_or_default()
    };
    // Everyone answers before; all but E016 after. E001 answered before twice: the later counts.
    let mut rows = Vec::new();
    let mut expected: BTreeMap<String, (String, Pair)> = BTreeMap::new();
    for i in 1..=32i64 {
        let number = format!("E{i:03}");
        let dept = match i {
            1..=16 => "営業部",
            17..=28 => "開発部",
            _ => "管理部",
        };
        let row = |timing, on: NaiveDate, a: Vec<(String, Option<i64>)>| ResponseRow {
            line: 2,
            employee_number: domain::employee::EmployeeNumber::parse(&number).unwrap_or_else(|_| unreachable!()),
            timing,
            answered_on: on,
            answers: a,
            number_column: "employee_number".into(),
        };
        if i == 1 {
            rows.push(row(Timing::Pre, day(2026, 5, 1), answers(99, false, 1)));
        }
        let pre = answers(i, false, 0);
        rows.push(row(Timing::Pre, day(2026, 5, 10), pre.clone()));
        if i != 16 {
            let post = answers(i, true, 0);
            rows.push(row(Timing::Post, day(2026, 7, 1), post.clone()));
            expected.insert(number.clone(), (dept.to_string(), Pair::new(score(&pre), score(&post))));
        }
    }
    ensure!(env.store.import_responses(&op, "career-awareness", env.cycle, &rows).await? == rows.len());

    let hr = user(&env.store, &env.tenant, "hr", Role::Hr).await?;
    let exec = user(&env.store, &env.tenant, "exec", Role::Executive).await?;
    let before = count(&env, AuditAction::EffectReportRead).await?;
    let r = env.store.effect_report(&hr, env.cycle, "career-awareness", &[]).await?;
    ensure!(count(&env, AuditAction::EffectReportRead).await? == before + 1, "one audit event for the aggregate read");
    ensure!(r.k == 10 && r.population.n == Some(31), "{:?}", r.population);
    ensure!(r.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>() == ["overall", "department", "age", "tenure", "grade"]);
    let all: Vec<Pair> = expected.values().map(|(_, p)| *p).collect();
    let whole = &r.tables[0].cells[0];
    ensure!(whole.n == Some(31) && whole.value == Some(EffectValue::of(&measure(&all))), "{whole:?}");
    let dept = &r.tables[1];
    let cell = |label: &str| dept.cells.iter().find(|c| c.group.get(&Dimension::Department).map(String::as_str) == Some(label));
    let admin = cell("管理部").context("管理部")?;
    ensure!(admin.suppressed && admin.n.is_none() && admin.value.is_none() && admin.warning.is_none(), "{admin:?}");
    // Whole − 営業部 − 開発部 would give 管理部 back: at least one more is hidden.
    let shown: Vec<_> = dept.cells.iter().filter(|c| !c.suppressed).collect();
    ensure!(shown.len() <= 1, "secondary suppression: {shown:?}");
    for c in shown {
        let label = c.group.get(&Dimension::Department).context("label")?;
        let pairs: Vec<Pair> = expected.values().filter(|(d, _)| d == label).map(|(_, p)| *p).collect();
        ensure!(c.value == Some(EffectValue::of(&measure(&pairs))) && c.n == Some(pairs.len() as u64), "{c:?}");
        ensure!(c.warning.is_some(), "fewer than 34 pairs: warned");
    }
    // The executive reads it too; one table when asked.
    let by = env.store.effect_report(&exec, env.cycle, "career-awareness", &[Dimension::Department]).await?;
    ensure!(by.tables.len() == 2 && by.tables[1] == r.tables[1]);
    // Nobody else: not found (and refused in the audit log).
    for (login, role) in [("consultant", Role::Consultant), ("employee", Role::Employee), ("boss", Role::Boss), ("health", Role::Health)] {
        let other = user(&env.store, &env.tenant, login, role).await?;
        let res = env.store.effect_report(&other, env.cycle, "career-awareness", &[]).await;
        ensure!(matches!(res, Err(StoreError::NotFound)), "{login}: {res:?}");
    }
    ensure!(count(&env, AuditAction::EffectReportRead).await? == before + 2);
    // An operator's command reads it; an unknown questionnaire and another tenant's cycle are not found.
    ensure!(env.store.effect_report(&op, env.cycle, "career-awareness", &[]).await?.population.n == Some(31));
    ensure!(matches!(env.store.effect_report(&hr, env.cycle, "no-such", &[]).await, Err(StoreError::NotFound)));
    let other_slug = TenantSlug::parse("other").map_err(|e| anyhow::anyhow!("{e}"))?;
    let other = env.store.create_tenant(&other_slug, "株式会社ほか", KThreshold::DEFAULT, "test").await?;
    let theirs = cycle(&env.db, other.id.get(), "2026年度").await?;
    ensure!(matches!(env.store.effect_report(&hr, theirs, "career-awareness", &[]).await, Err(StoreError::NotFound)));
    // No score in clear: E002's after-score, as the store seals it.
    let needle = format!("{}", expected.get("E002").and_then(|(_, p)| p.after).unwrap_or_default());
    ensure!(needle.len() > 3, "a telling score: {needle}");
    match backend {
        Backend::Sqlite => {
            for (p, bytes) in sqlite_files(&env.db)? {
                ensure!(!contains(&bytes, needle.as_bytes()), "{p} holds a score in clear");
            }
        }
        Backend::Postgres => ensure!(!contains(&pg_dump(&env.db)?, needle.as_bytes()), "the dump holds a score in clear"),
    }
    Ok(())
}

async fn count(env: &Env, action: AuditAction) -> Result<usize> {
    let events = env.store.recent_audit(env.tenant.id, 100_000, None).await?;
    Ok(events.iter().filter(|e| e.action == action.as_str()).count())
}
