//! The overall report as versioned snapshots (migration 14), on SQLite and PostgreSQL: drafts
//! that HR and executives cannot see, the approval by the supervisor or a lead consultant, a
//! release that freezes the snapshot and records its ledger, a cycle's k locked by its first
//! release, and counts made from the reports' marks (tags and flags) without opening a report.

use crate::raw_pool;
use anyhow::{ensure, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use careerdock_store::{Ctx, CycleChoice, KeySource, NewUser, OpenOptions, PageRequest, Store, StoreError, TableChoice};
use domain::ids::TenantId;
use domain::import::parse_employee_csv;
use domain::overall_narrative::Narrative;
use domain::overall_report::{Dimension, OverallReport};
use domain::policy::AggregateState;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::RngCore;
use sqlx::Row;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(versions_release_freeze_and_lock_k, a_release_is_decided_against_what_was_released_since_its_preview);

/// Fourteen employees: ten in 営業本部 (six in 第一, four in 第二), four in 開発本部.
const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E01,社員 一,シャイン イチ,営業本部/第一,G2,1990,2015-04-01,
E02,社員 二,シャイン ニ,営業本部/第一,G2,1991,2016-04-01,
E03,社員 三,シャイン サン,営業本部/第一,G2,1992,2017-04-01,
E04,社員 四,シャイン ヨン,営業本部/第一,G3,1985,2010-04-01,
E05,社員 五,シャイン ゴ,営業本部/第一,G3,1986,2011-04-01,
E06,社員 六,シャイン ロク,営業本部/第一,G3,1987,2012-04-01,
E07,社員 七,シャイン ナナ,営業本部/第二,G2,1993,2018-04-01,
E08,社員 八,シャイン ハチ,営業本部/第二,G2,1994,2019-04-01,
E09,社員 九,シャイン キュウ,営業本部/第二,G3,1980,2005-04-01,
E10,社員 十,シャイン ジュウ,営業本部/第二,G3,1981,2006-04-01,
E11,社員 十一,シャイン ジュウイチ,開発本部,G2,1995,2020-04-01,
E12,社員 十二,シャイン ジュウニ,開発本部,G2,1996,2021-04-01,
E13,社員 十三,シャイン ジュウサン,開発本部,G3,1975,2000-04-01,
E14,社員 十四,シャイン ジュウヨン,開発本部,G4,1970,1995-04-01,
";

struct Env {
    db: TestDb,
    key: String,
    store: Store,
    tenant: TenantId,
    c1: Ctx,
    c2: Ctx,
    sup: Ctx,
    hr: Ctx,
    exec: Ctx,
    cycle: i64,
    sealed: i64,
}

fn narrative() -> Narrative {
    Narrative { trends: "傾向".into(), issues: "課題".into(), solutions: "解決策".into(), development: "育成策".into() }
}

async fn open(db: &TestDb, key: &str, create: bool) -> Result<Store> {
    Ok(Store::open(&db.url, OpenOptions { create, migrate: true, keys: KeySource::Inline(key.to_string()) }).await?)
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = B64.encode(bytes);
    let store = open(&db, &key, true).await?;
    let k = KThreshold::parse(5).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", k, "test").await?.id;
    let op = Ctx::operator(tenant, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let mut users = Vec::new();
    for (login, role) in
        [("c1", Role::Consultant), ("c2", Role::Consultant), ("sup", Role::Supervisor), ("hr", Role::Hr), ("exec", Role::Executive)]
    {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant, id, login, Some(role)));
    }
    let sealed = store.write_sealed(&users[0], "report", "{}").await?.get();
    let raw = raw_pool(&db).await?;
    let cycle: i64 = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, 'FY2025', '2025-04-01', '2026-03-31', 'closed', '{}', 0) RETURNING id",
    )
    .bind(tenant.get())
    .fetch_one(&raw)
    .await?
    .try_get("id")?;
    raw.close().await;
    let mut it = users.into_iter();
    let mut next = || it.next().context("user");
    let (c1, c2, sup, hr, exec) = (next()?, next()?, next()?, next()?, next()?);
    Ok(Env { db, key, store, tenant, c1, c2, sup, hr, exec, cycle, sealed })
}

/// Approved reports of a held interview in `cycle` for these employees (by number).
async fn approved(e: &Env, cycle: i64, numbers: &[(&str, bool, bool)]) -> Result<()> {
    let author = e.c1.user().context("c1")?.get();
    crate::approved_reports(&e.db, e.tenant, author, e.sealed, cycle, numbers).await
}

fn cell(r: &OverallReport, table: &str, measure: &str, label: Option<&str>) -> Option<(bool, Option<u64>, Option<f64>)> {
    let t = r.tables.iter().find(|t| t.name == table)?;
    let c = t.cells.iter().find(|c| c.measure == measure && c.group.values().next().map(String::as_str) == label)?;
    Some((c.suppressed, c.n, c.value))
}

fn hidden<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

async fn versions_release_freeze_and_lock_k(backend: Backend) -> Result<()> {
    let mut e = env(backend).await?;
    // Twelve interviewed: two with the life/safety flag, six needing an organizational response.
    let mut first: Vec<(&str, bool, bool)> = Vec::new();
    for (i, n) in ["E01", "E02", "E03", "E04", "E05", "E06", "E07", "E08", "E09", "E10", "E11", "E12"].iter().enumerate() {
        first.push((n, i < 2, i % 2 == 0));
    }
    approved(&e, e.cycle, &first).await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let s = &e.store;

    // HR may not start a draft; a consultant does, and HR and executives cannot see it.
    ensure!(hidden(s.start_overall_report(&e.hr, e.cycle).await), "HR starts no draft");
    let v1 = s.start_overall_report(&e.c1, e.cycle).await?;
    ensure!(s.start_overall_report(&e.sup, e.cycle).await? == v1, "one unreleased version per cycle");
    for reader in [&e.hr, &e.exec] {
        ensure!(hidden(s.overall_report(reader, v1).await), "a draft is missing to {}", reader.label());
        ensure!(s.overall_report_page(reader, PageRequest::first(10)).await?.items.is_empty(), "no draft in their list");
        ensure!(hidden(s.released_overall_report(reader, &CycleChoice::Latest, None).await), "no release yet");
    }
    let op = Ctx::operator(e.tenant, "report-overall");
    ensure!(
        matches!(s.operator_overall_report(&op, &CycleChoice::Latest, None).await, Err(StoreError::Conflict(_))),
        "no release: said so"
    );

    // The preview: counts from the marks, hidden below k = 5.
    let d = s.overall_report(&e.c1, v1).await?;
    ensure!(d.preview.is_some() && d.row.state == AggregateState::Draft && d.can_write && !d.can_approve, "the author's draft");
    ensure!(d.report.population.n == Some(12), "population {:?}", d.report.population);
    ensure!(cell(&d.report, "overall", "flag:life_safety", None) == Some((true, None, None)), "two flagged: hidden");
    ensure!(cell(&d.report, "overall", "flag:organizational_response", None) == Some((false, Some(12), Some(6.0))), "six: shown");
    ensure!(cell(&d.report, "department", "people", Some("開発本部")) == Some((true, None, None)), "two in 開発本部: hidden");
    // 営業本部 (ten people, with its sub-departments) would give 開発本部's two back from the whole.
    ensure!(cell(&d.report, "department", "people", Some("営業本部")) == Some((true, None, None)), "secondary suppression");
    let labels = d.report.dimensions.department.as_ref().map(|d| d.labels.clone()).unwrap_or_default();
    let sales = labels.iter().find(|l| l.label == "営業本部").map(|l| l.paths.clone()).unwrap_or_default();
    ensure!(sales == ["営業本部", "営業本部/第一", "営業本部/第二"], "a department includes its sub-departments: {sales:?}");

    // Approval needs the supervisor (or a lead) and the whole narrative.
    ensure!(hidden(s.approve_overall_report(&e.c1, v1).await), "a consultant who is not lead cannot approve");
    ensure!(matches!(s.approve_overall_report(&e.sup, v1).await, Err(StoreError::Problems(_))), "an empty narrative is refused");
    s.save_overall_narrative(&e.c1, v1, &narrative()).await?;
    s.approve_overall_report(&e.sup, v1).await?;
    ensure!(hidden(s.save_overall_narrative(&e.c1, v1, &narrative()).await), "an approved version is not written");
    let released = s.release_overall_report(&e.sup, v1).await?;
    ensure!(released.k == 5 && released.version == 1 && released.released_at.is_some(), "released at k=5");

    // HR and executives read it, by name, id and latest; the narrative too.
    for reader in [&e.hr, &e.exec] {
        let r = s.released_overall_report(reader, &CycleChoice::Named("FY2025".into()), None).await?;
        ensure!(r == released, "the snapshot as released");
        let by_id = s.released_overall_report(reader, &CycleChoice::Named(e.cycle.to_string()), Some(1)).await?;
        ensure!(by_id == released, "by the cycle's id and version");
        let d = s.overall_report(reader, v1).await?;
        ensure!(d.preview.is_none() && d.narrative == narrative() && !d.can_write && !d.can_release, "read only");
        ensure!(s.overall_report_page(reader, PageRequest::first(10)).await?.items.len() == 1, "listed");
    }
    ensure!(hidden(s.save_overall_narrative(&e.sup, v1, &narrative()).await), "a released version is frozen");
    let (r, n, earlier) = s.operator_overall_report(&op, &CycleChoice::Latest, None).await?;
    ensure!(r == released && n == narrative() && earlier.is_empty(), "the command line's read (no earlier cycle)");

    // The ledger: sealed (no member set in plain), one per release.
    let raw = raw_pool(&e.db).await?;
    let row = sqlx::query("SELECT o.ledger_sealed_id, t.purpose, t.ciphertext FROM overall_reports o JOIN sealed_texts t ON t.id = o.ledger_sealed_id WHERE o.id = $1")
        .bind(v1.get())
        .fetch_one(&raw)
        .await?;
    ensure!(row.try_get::<String, _>("purpose")? == "release_ledger", "sealed as the store's own data");
    let legacy = sqlx::query("SELECT COUNT(*) AS n FROM overall_report_sets").fetch_one(&raw).await?.try_get::<i64, _>("n")?;
    ensure!(legacy == 0, "nothing in the unsealed table");
    // The release cleared the kept preview (18 MB a row at 100,000 employees); the released
    // version is read from its snapshot alone, whatever the column holds.
    let preview: Option<String> =
        sqlx::query("SELECT preview FROM overall_reports WHERE id = $1").bind(v1.get()).fetch_one(&raw).await?.try_get("preview")?;
    ensure!(preview.is_none(), "the released row keeps no preview");
    sqlx::query("UPDATE overall_reports SET preview = 'damaged' WHERE id = $1").bind(v1.get()).execute(&raw).await?;
    let d = s.overall_report(&e.hr, v1).await?;
    ensure!(d.report == released && d.preview.is_none(), "read without the preview column");
    // Only the tables asked for are read out of the snapshot; every table is still counted.
    let chosen = s.overall_report_with(&e.hr, v1, &TableChoice::Breakdown(vec![Dimension::Department])).await?;
    let names: Vec<&str> = chosen.report.tables.iter().map(|t| t.name.as_str()).collect();
    ensure!(names == ["overall", "department"], "the chosen tables: {names:?}");
    ensure!(Some(&chosen.report) == domain::breakdown::select(&released, &[Dimension::Department]).as_ref(), "as the full read's choice");
    ensure!(chosen.tables.len() == released.tables.len(), "every table counted: {}", chosen.tables.len());
    for (summary, t) in chosen.tables.iter().zip(&released.tables) {
        ensure!(summary.name == t.name && summary.cells == t.cells.len(), "{}", t.name);
        ensure!(summary.shown == t.cells.iter().filter(|c| !c.suppressed).count(), "{}: shown", t.name);
    }
    let whole = s.overall_report_with(&e.hr, v1, &TableChoice::Whole).await?;
    ensure!(whole.report.tables.len() == 1 && whole.report.tables[0].by.is_empty(), "the whole only");
    // A store opened again clears what an earlier version kept on released rows.
    sqlx::query("UPDATE overall_reports SET preview = 'kept by an earlier version' WHERE id = $1").bind(v1.get()).execute(&raw).await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let s = &e.store;
    let preview: Option<String> =
        sqlx::query("SELECT preview FROM overall_reports WHERE id = $1").bind(v1.get()).fetch_one(&raw).await?.try_get("preview")?;
    ensure!(preview.is_none(), "cleared when the store opens");
    raw.close().await;

    // k: never below 5; a new value applies to cycles not yet released.
    let hr = e.hr.as_hr()?;
    match s.set_report_settings(&hr, "4", &[]).await {
        Err(StoreError::Invalid(i)) => ensure!(i.field == "k", "{i:?}"),
        other => anyhow::bail!("k = 4 accepted: {other:?}"),
    }
    let c2 = e.c2.user().context("c2")?;
    ensure!(s.set_report_settings(&hr, "8", &[c2]).await?, "saved");
    let settings = s.report_settings(&e.hr).await?;
    ensure!(settings.k == 8 && settings.locked == vec![("FY2025".to_string(), 5)], "{settings:?}");
    ensure!(settings.consultants.iter().any(|(u, _, lead)| *u == c2 && *lead), "c2 is lead");

    // More approved reports: version 2 of the same cycle keeps k = 5; version 1 stays frozen.
    approved(&e, e.cycle, &[("E13", false, false), ("E14", false, true)]).await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let s = &e.store;
    let v2 = s.start_overall_report(&e.c2, e.cycle).await?;
    ensure!(v2 != v1, "a new version");
    let d2 = s.overall_report(&e.c2, v2).await?;
    // Two more people than version 1: showing the whole would let a subtraction from version
    // 1's whole give them back, so the engine hides it, naming version 1.
    ensure!(d2.row.version == 2 && d2.report.k == 5 && d2.report.population.n.is_none(), "v2 preview {:?}", d2.report.population);
    let first_verdict = d2.preview.as_ref().and_then(|p| p.verdicts.first().copied());
    let differencing = Some(domain::breakdown::Hidden::Differencing { release: v1.get() });
    ensure!(first_verdict.map(|v| v.hidden) == Some(differencing), "the reason names release 1: {first_verdict:?}");
    ensure!(d2.earlier.is_empty(), "no earlier cycle");
    s.save_overall_narrative(&e.c2, v2, &narrative()).await?;
    // The lead consultant approves and releases.
    s.approve_overall_report(&e.c2, v2).await?;
    ensure!(hidden(s.release_overall_report(&e.c1, v2).await), "not a lead");
    let r2 = s.release_overall_report(&e.c2, v2).await?;
    ensure!(r2.version == 2 && r2.k == 5, "released by the lead");
    let again = s.released_overall_report(&e.hr, &CycleChoice::Named("FY2025".into()), Some(1)).await?;
    ensure!(again == released, "version 1 unchanged after more approvals");
    let latest = s.released_overall_report(&e.hr, &CycleChoice::Latest, None).await?;
    ensure!(latest.version == 2 && latest.population.n.is_none(), "latest is version 2");

    // The audit: started, written, approved, released, read, settings.
    let kinds: std::collections::BTreeSet<String> = s.recent_audit(e.tenant, 500, None).await?.into_iter().map(|a| a.action).collect();
    for k in ["overall_report_written", "overall_report_read", "overall_report_decided", "report_settings_changed"] {
        ensure!(kinds.contains(k), "{k} is audited: {kinds:?}");
    }

    // A database from before the sealed ledger: version 1's sets in the unsealed table. Opening
    // the store moves them into a sealed ledger and deletes them; the engine reads it.
    let raw = raw_pool(&e.db).await?;
    sqlx::query("UPDATE overall_reports SET ledger_sealed_id = NULL WHERE id = $1").bind(v1.get()).execute(&raw).await?;
    let everyone: Vec<i64> = sqlx::query("SELECT id FROM employees WHERE tenant_id = $1 ORDER BY id")
        .bind(e.tenant.get())
        .fetch_all(&raw)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<std::result::Result<_, _>>()?;
    sqlx::query("INSERT INTO overall_report_sets (report_id, tenant_id, ord, members) VALUES ($1, $2, 0, $3)")
        .bind(v1.get())
        .bind(e.tenant.get())
        .bind(domain::breakdown::encode_set(&everyone))
        .execute(&raw)
        .await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let left = sqlx::query("SELECT COUNT(*) AS n FROM overall_report_sets").fetch_one(&raw).await?.try_get::<i64, _>("n")?;
    ensure!(left == 0, "the legacy sets are moved");
    let moved: Option<i64> = sqlx::query("SELECT ledger_sealed_id FROM overall_reports WHERE id = $1")
        .bind(v1.get())
        .fetch_one(&raw)
        .await?
        .try_get("ledger_sealed_id")?;
    ensure!(moved.is_some(), "version 1 has its ledger again");
    raw.close().await;
    let v3 = e.store.start_overall_report(&e.c2, e.cycle).await?;
    ensure!(e.store.overall_report(&e.c2, v3).await?.preview.is_some(), "a preview against the moved ledger");
    Ok(())
}

/// The approval and the release may take the preview's verdicts again only when nothing they
/// depend on changed. Here another cycle's report is released between the preview of version 1
/// and its release: version 1 must then be decided against it (its whole would give back the
/// one person the other cycle has more), not released as previewed.
async fn a_release_is_decided_against_what_was_released_since_its_preview(backend: Backend) -> Result<()> {
    let mut e = env(backend).await?;
    let twelve: Vec<(&str, bool, bool)> =
        ["E01", "E02", "E03", "E04", "E05", "E06", "E07", "E08", "E09", "E10", "E11", "E12"].iter().map(|n| (*n, false, false)).collect();
    approved(&e, e.cycle, &twelve).await?;
    let raw = raw_pool(&e.db).await?;
    let next: i64 = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, 'FY2026', '2026-04-01', '2027-03-31', 'closed', '{}', 0) RETURNING id",
    )
    .bind(e.tenant.get())
    .fetch_one(&raw)
    .await?
    .try_get("id")?;
    raw.close().await;
    let mut thirteen = twelve.clone();
    thirteen.push(("E13", false, false));
    approved(&e, next, &thirteen).await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let s = &e.store;

    let v1 = s.start_overall_report(&e.c1, e.cycle).await?;
    ensure!(s.overall_report(&e.c1, v1).await?.report.population.n == Some(12), "the preview shows the whole");
    s.save_overall_narrative(&e.c1, v1, &narrative()).await?;
    s.approve_overall_report(&e.sup, v1).await?;
    ensure!(s.overall_report(&e.sup, v1).await?.report.population.n == Some(12), "nothing changed since: the same");

    let v2 = s.start_overall_report(&e.c1, next).await?;
    s.save_overall_narrative(&e.c1, v2, &narrative()).await?;
    s.approve_overall_report(&e.sup, v2).await?;
    let r2 = s.release_overall_report(&e.sup, v2).await?;
    ensure!(r2.population.n == Some(13), "the other cycle shows its thirteen");

    let r1 = s.release_overall_report(&e.sup, v1).await?;
    ensure!(r1.population.n.is_none(), "twelve beside thirteen would give E13 back: hidden, not as previewed");
    let first = r1.tables.first().and_then(|t| t.cells.first()).context("a cell")?;
    ensure!(first.suppressed && first.n.is_none(), "the whole is suppressed in the release: {first:?}");
    Ok(())
}
