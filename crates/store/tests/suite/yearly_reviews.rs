//! The yearly review (年次レビュー) and the comparison of cycles through the store's public API,
//! on SQLite and PostgreSQL: closing a cycle opens its review once, with its figures beside the
//! previous cycle's release; proposals and the plan while it is a draft; finalizing needs a plan
//! and freezes it; executives never read a draft; the comparison reads released cells only (a
//! suppressed cell stays suppressed), for the whole population or one department; every step
//! audited.

use crate::{inline_key, raw_pool};
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, NewUser, OpenOptions, Store, StoreError};
use domain::cycle::CycleStatus;
use domain::ids::{CycleId, TenantId};
use domain::overall_report::{Cell, CycleRef, Dimension, Measure, OverallReport, PopulationInfo, Table, POPULATION_RULE};
use domain::tenant::{KThreshold, TenantSlug};
use domain::yearly_review::ReviewState;
use domain::Role;
use std::collections::BTreeMap;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(closing_a_cycle_opens_a_review_that_hr_finalizes_and_cycles_compare);

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantId,
    op: Ctx,
    c1: Ctx,
    hr: Ctx,
    exec: Ctx,
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let mut users = Vec::new();
    for (login, role) in [("c1", Role::Consultant), ("hr", Role::Hr), ("exec", Role::Executive)] {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    let mut it = users.into_iter();
    let mut next = |n: &str| it.next().with_context(|| n.to_string());
    let (c1, hr, exec) = (next("c1")?, next("hr")?, next("exec")?);
    Ok(Env { db, store, tenant: tenant.id, op, c1, hr, exec })
}

/// An active cycle starting on `starts` with a released overall report (SQL: the release
/// belongs to another part of the store): `people` in the population, `org` of them flagged
/// 組織的対応が必要, life/safety suppressed; 営業本部 shows its head count, its flag hidden.
async fn released_cycle(e: &Env, name: &str, starts: &str, people: u64, org: u64) -> Result<(CycleId, i64)> {
    let raw = raw_pool(&e.db).await?;
    let r = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $3, 'active', '{}', 0) RETURNING id",
    )
    .bind(e.tenant.get())
    .bind(name)
    .bind(starts)
    .fetch_one(&raw)
    .await?;
    let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
    let whole = |m: Measure, shown: Option<(u64, f64)>| Cell::new(BTreeMap::new(), &m, shown);
    let dept =
        |m: Measure, shown: Option<(u64, f64)>| Cell::new(BTreeMap::from([(Dimension::Department, "営業本部".to_string())]), &m, shown);
    let snapshot = OverallReport {
        tenant: "acme".into(),
        cycle: CycleRef { id: cycle, name: name.into() },
        version: 1,
        released_at: Some("2026-04-01T00:00:00Z".into()),
        k: 10,
        population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-03-31T00:00:00Z".into(), n: Some(people) },
        dimensions: Default::default(),
        tables: vec![
            Table {
                name: "overall".into(),
                by: vec![],
                cells: vec![
                    whole(Measure::People, Some((people, people as f64))),
                    whole(Measure::OrganizationalResponse, Some((people, org as f64))),
                    whole(Measure::LifeSafety, None),
                ],
            },
            Table {
                name: "department".into(),
                by: vec![Dimension::Department],
                cells: vec![dept(Measure::People, Some((30, 30.0))), dept(Measure::OrganizationalResponse, None)],
            },
        ],
    };
    let by = e.hr.user().context("hr")?.get();
    let r = sqlx::query(
        "INSERT INTO overall_reports (tenant_id, cycle_id, version, state, k, as_of, snapshot, created_by, created_at, updated_at, released_by, released_at)
         VALUES ($1, $2, 1, 'released', 10, 0, $3, $4, 0, 0, $4, 1000) RETURNING id",
    )
    .bind(e.tenant.get())
    .bind(cycle)
    .bind(serde_json::to_string(&snapshot)?)
    .bind(by)
    .fetch_one(&raw)
    .await?;
    raw.close().await;
    Ok((CycleId::new(cycle), sqlx::Row::try_get(&r, "id")?))
}

async fn closing_a_cycle_opens_a_review_that_hr_finalizes_and_cycles_compare(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let (y2025, _) = released_cycle(&e, "2025年度", "2025-04-01", 40, 8).await?;
    let (y2026, release2026) = released_cycle(&e, "2026年度", "2026-04-01", 50, 5).await?;
    let hr = e.hr.as_hr()?;

    // An active cycle has no review and cannot get one.
    ensure!(matches!(e.store.yearly_review(&e.hr, y2026).await, Err(StoreError::NotFound)), "a review before closing");
    ensure!(matches!(e.store.open_yearly_review(&e.hr, y2026).await, Err(StoreError::Invalid(_))), "opened while active");

    // Closing opens the review once (closing again after reopening keeps it).
    e.store.set_cycle_status(&e.op, y2025, CycleStatus::Closed).await?;
    e.store.set_cycle_status(&e.hr, y2026, CycleStatus::Closed).await?;
    e.store.set_cycle_status(&e.hr, y2026, CycleStatus::Active).await?;
    e.store.set_cycle_status(&e.hr, y2026, CycleStatus::Closed).await?;
    ensure!(!e.store.open_yearly_review(&e.hr, y2026).await?, "a second review of one cycle");
    ensure!(e.store.cycles_without_review(&e.hr).await?.is_empty(), "every closed cycle has its review");

    // The figures: this cycle's release beside the previous cycle's.
    let r = e.store.yearly_review(&e.c1, y2026).await?;
    ensure!(r.row.state == ReviewState::Draft && r.may_propose && !r.may_write, "{:?}", r.row);
    let f = &r.figures;
    ensure!(f.release.as_ref().map(|x| (x.id, x.population)) == Some((release2026, Some(50))), "{f:?}");
    ensure!(f.previous.as_ref().map(|c| c.name.as_str()) == Some("2025年度"), "{f:?}");
    let org = f.measures.iter().find(|m| m.measure == "flag:organizational_response").context("the flag's trend")?;
    ensure!(org.this == Some(0.1) && org.previous == Some(0.2), "{org:?}");
    ensure!(org.change().is_some_and(|c| (c + 0.1).abs() < 1e-12), "{org:?}");
    let life = f.measures.iter().find(|m| m.measure == "flag:life_safety").context("life/safety")?;
    ensure!(life.this.is_none() && life.previous.is_none(), "a suppressed cell has no share: {life:?}");
    // Nobody answered the career-awareness questionnaire: the change is hidden, no figure kept.
    ensure!(f.awareness.is_some_and(|a| a.suppressed && a.n.is_none() && a.mean_change.is_none()), "{:?}", f.awareness);
    // No improvement action is due within the cycle: all counts zero, still recorded.
    ensure!(f.actions == Some(domain::yearly_review::ActionTally::default()), "{:?}", f.actions);
    let first = e.store.yearly_review(&e.hr, y2025).await?;
    ensure!(first.figures.previous.is_none(), "the first cycle has nothing before it");

    // Executives never read a draft.
    ensure!(matches!(e.store.yearly_review(&e.exec, y2026).await, Err(StoreError::NotFound)), "an executive read a draft");
    ensure!(e.store.yearly_reviews(&e.exec).await?.is_empty(), "drafts listed to an executive");
    ensure!(e.store.yearly_reviews(&e.c1).await?.len() == 2, "the consultant lists both");

    // Proposals: the consultant's and HR's; empty refused; none from an executive.
    ensure!(matches!(e.store.add_review_proposal(&e.c1, y2026, " ").await, Err(StoreError::Invalid(_))), "an empty proposal");
    e.store.add_review_proposal(&e.c1, y2026, "面談の案内を早めたい。").await?;
    e.store.add_review_proposal(&e.hr, y2026, "説明会を開く。").await?;
    ensure!(matches!(e.store.add_review_proposal(&e.exec, y2026, "x").await, Err(StoreError::NotFound)), "an executive's proposal");

    // Finalizing needs a plan; then everything is frozen.
    ensure!(matches!(e.store.finalize_yearly_review(&hr, y2026).await, Err(StoreError::Invalid(_))), "finalized without a plan");
    e.store.save_review_plan(&hr, y2026, "案内を一か月早める。").await?;
    e.store.refresh_yearly_review(&hr, y2026).await?;
    e.store.finalize_yearly_review(&hr, y2026).await?;
    ensure!(matches!(e.store.add_review_proposal(&e.c1, y2026, "遅れた提案").await, Err(StoreError::Conflict(_))), "a proposal after");
    ensure!(matches!(e.store.save_review_plan(&hr, y2026, "変更").await, Err(StoreError::Conflict(_))), "the plan after");
    ensure!(matches!(e.store.finalize_yearly_review(&hr, y2026).await, Err(StoreError::Conflict(_))), "finalized twice");
    let r = e.store.yearly_review(&e.exec, y2026).await?;
    ensure!(r.row.state == ReviewState::Final && r.row.finalized_at.is_some() && r.finalized_by.as_deref() == Some("hr"), "{:?}", r.row);
    ensure!(r.plan == "案内を一か月早める。" && !r.may_propose && !r.may_write, "{r:?}");
    let authors: Vec<(&str, Role)> = r.proposals.iter().map(|p| (p.author.as_str(), p.role)).collect();
    ensure!(authors == [("c1", Role::Consultant), ("hr", Role::Hr)], "{authors:?}");
    ensure!(e.store.yearly_reviews(&e.exec).await?.len() == 1, "the final review is listed to executives");

    // Cycles side by side, oldest first: released cells as released.
    let c = e.store.cycle_comparison(&e.exec, None).await?.comparison;
    let names: Vec<&str> = c.columns.iter().map(|col| col.cycle.name.as_str()).collect();
    ensure!(names == ["2025年度", "2026年度"], "{names:?}");
    ensure!(c.rows.first().is_some_and(|r| r.measure == "people"), "{:?}", c.rows);
    let row = c.rows.iter().find(|r| r.measure == "flag:organizational_response").context("the flag's row")?;
    let shares: Vec<Option<f64>> = row.cells.iter().map(|f| f.as_ref().and_then(|f| f.share())).collect();
    ensure!(shares == [Some(0.2), Some(0.1)], "{shares:?}");
    let d = e.store.cycle_comparison(&e.hr, Some("営業本部")).await?.comparison;
    let people = d.rows.iter().find(|r| r.measure == "people").context("people in the department")?;
    ensure!(people.cells.iter().all(|f| f.as_ref().and_then(|f| f.n) == Some(30)), "{people:?}");
    let flag = d.rows.iter().find(|r| r.measure == "flag:organizational_response").context("the department's flag")?;
    ensure!(flag.cells.iter().all(|f| f.as_ref().is_some_and(|f| f.suppressed && f.value.is_none())), "suppressed stays: {flag:?}");
    ensure!(matches!(e.store.cycle_comparison(&e.c1, None).await, Err(StoreError::NotFound)), "a consultant compared cycles");

    // Every step is in the audit log.
    let log: Vec<String> = e.store.recent_audit(e.tenant, 300, None).await?.into_iter().map(|ev| ev.action).collect();
    for kind in ["yearly_review_written", "yearly_review_finalized", "yearly_review_read"] {
        ensure!(log.iter().any(|a| a == kind), "no {kind} in the log");
    }
    Ok(())
}
