//! Improvement actions and policy documents (migration 22), on SQLite and PostgreSQL: HR adds an
//! action to an organizational issue and moves it through its states with notes, evidence and
//! an evaluation; the overdue rule in SQL; executives read the status fields, the consultant who
//! raised the issue the status of its actions, nobody else anything; an issue taken up from a
//! shown finding of a released overall report (never a suppressed one) and that finding
//! re-measured in the next cycle's release; policy documents keep every version; writes audited.

use crate::raw_pool;
use anyhow::{ensure, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use careerdock_store::{
    ActionInput, ActionQuery, Ctx, CycleChoice, KeySource, NewUser, OpenOptions, OrgIssueId, PageRequest, Store, StoreError,
};
use domain::ids::{CycleId, TenantId};
use domain::import::parse_employee_csv;
use domain::improvement_action::{ActionStatus, Evaluation};
use domain::overall_narrative::Narrative;
use domain::policy::ActionView;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::RngCore;
use sqlx::Row;
use std::collections::BTreeMap;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    actions_move_are_seen_by_role_and_audited,
    findings_are_taken_up_and_re_measured,
    policy_documents_keep_every_version,
    action_completion_counts_a_cycles_actions
);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E01,社員 一,シャイン イチ,営業本部,G2,1990,2015-04-01,
E02,社員 二,シャイン ニ,営業本部,G2,1991,2016-04-01,
E03,社員 三,シャイン サン,営業本部,G2,1992,2017-04-01,
E04,社員 四,シャイン ヨン,営業本部,G3,1985,2010-04-01,
E05,社員 五,シャイン ゴ,営業本部,G3,1986,2011-04-01,
E06,社員 六,シャイン ロク,営業本部,G3,1987,2012-04-01,
E07,社員 七,シャイン ナナ,開発本部,G2,1993,2018-04-01,
E08,社員 八,シャイン ハチ,開発本部,G2,1994,2019-04-01,
E09,社員 九,シャイン キュウ,開発本部,G3,1980,2005-04-01,
E10,社員 十,シャイン ジュウ,開発本部,G3,1981,2006-04-01,
E11,社員 十一,シャイン ジュウイチ,開発本部,G2,1995,2020-04-01,
E12,社員 十二,シャイン ジュウニ,開発本部,G2,1996,2021-04-01,
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
    others: Vec<Ctx>,
    sealed: i64,
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
    for (login, role) in [
        ("c1", Role::Consultant),
        ("c2", Role::Consultant),
        ("sup", Role::Supervisor),
        ("hr", Role::Hr),
        ("exec", Role::Executive),
        ("boss", Role::Boss),
        ("health", Role::Health),
        ("emp", Role::Employee),
        ("admin", Role::Admin),
    ] {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant, id, login, Some(role)));
    }
    let sealed = store.write_sealed(&users[0], "report", "{}").await?.get();
    let mut it = users.into_iter();
    let mut next = || it.next().context("user");
    let (c1, c2, sup, hr, exec) = (next()?, next()?, next()?, next()?, next()?);
    let others: Vec<Ctx> = it.collect();
    Ok(Env { db, key, store, tenant, c1, c2, sup, hr, exec, others, sealed })
}

/// An organizational issue raised by `author` (its text the fixture's sealed placeholder).
async fn issue(e: &Env, author: &Ctx) -> Result<OrgIssueId> {
    let raw = raw_pool(&e.db).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO org_issues (tenant_id, author_id, title_sealed_id, body_sealed_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $3, 'open', 0, 0) RETURNING id",
    )
    .bind(e.tenant.get())
    .bind(author.user().context("author")?.get())
    .bind(e.sealed)
    .fetch_one(&raw)
    .await?
    .try_get("id")?;
    raw.close().await;
    Ok(OrgIssueId::new(id))
}

fn input(title: &str, due: &str) -> ActionInput {
    ActionInput { title: title.into(), owner_user: None, owner_text: "人事部".into(), due_on: due.into() }
}

async fn audited(e: &Env, action: &str) -> Result<i64> {
    let raw = raw_pool(&e.db).await?;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE tenant_id = $1 AND action = $2")
        .bind(e.tenant.get())
        .bind(action)
        .fetch_one(&raw)
        .await?
        .try_get("n")?;
    raw.close().await;
    Ok(n)
}

/// The problems a refusal names (one or several).
fn problems<T>(r: Result<T, StoreError>) -> Vec<domain::Invalid> {
    match r {
        Err(StoreError::Problems(p)) => p,
        Err(StoreError::Invalid(i)) => vec![i],
        _ => Vec::new(),
    }
}

fn missing<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

async fn actions_move_are_seen_by_role_and_audited(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let s = &e.store;
    let hr = e.hr.as_hr()?;
    let issue1 = issue(&e, &e.c1).await?;

    // Every problem at once; an owner account must be one of the tenant's HR.
    let bad = s
        .create_action(
            &hr,
            issue1,
            &ActionInput { title: String::new(), owner_user: None, owner_text: String::new(), due_on: "6/30".into() },
        )
        .await;
    match bad {
        Err(StoreError::Problems(p)) => ensure!(p.len() == 3, "{p:?}"),
        other => anyhow::bail!("refused with every problem: {other:?}"),
    }
    let not_hr = ActionInput { owner_user: e.c1.user(), ..input("x", "2026-06-30") };
    ensure!(!problems(s.create_action(&hr, issue1, &not_hr).await).is_empty(), "a consultant is no owner");
    ensure!(missing(s.create_action(&hr, OrgIssueId::new(999_999), &input("x", "2026-06-30")).await), "no such issue");

    let today = careerdock_store::today_jst();
    let past = (today - chrono::Days::new(10)).format("%Y-%m-%d").to_string();
    let future = (today + chrono::Days::new(30)).format("%Y-%m-%d").to_string();
    let late = s.create_action(&hr, issue1, &input("管理職研修", &past)).await?;
    let owned = ActionInput { owner_user: e.hr.user(), ..input("面談枠の拡大", &future) };
    let fine = s.create_action(&hr, issue1, &owned).await?;

    // The state machine: planned → in progress → done; done cannot be cancelled.
    ensure!(s.set_action_status(&hr, late, ActionStatus::InProgress, "開始した").await?, "moved");
    ensure!(!s.set_action_status(&hr, late, ActionStatus::InProgress, "").await?, "the same status writes nothing");
    ensure!(!problems(s.evaluate_action(&hr, late, "effective", "").await).is_empty(), "not done: no evaluation");
    s.add_action_note(&hr, late, "第1回を実施", &today.format("%Y-%m-%d").to_string()).await?;
    ensure!(!problems(s.add_action_note(&hr, late, "", "").await).is_empty(), "a note needs text and date");
    ensure!(s.set_action_evidence(&hr, late, "研修資料\nhttps://intra.example/slides.pdf").await?, "evidence saved");

    // Overdue: the past due date, not done; counted and filtered in SQL.
    let counts = s.action_counts(&e.hr).await?;
    ensure!(counts.in_progress == 1 && counts.planned == 1 && counts.overdue == 1, "{counts:?}");
    let overdue = s.action_page(&e.hr, &ActionQuery { overdue: true, ..ActionQuery::default() }, PageRequest::first(50)).await?;
    ensure!(overdue.total == 1 && overdue.items[0].id == late && overdue.items[0].overdue, "{overdue:?}");
    let page = s.action_page(&e.hr, &ActionQuery::default(), PageRequest::first(50)).await?;
    ensure!(page.total == 2 && page.items.iter().all(|r| r.view == ActionView::Full), "HR reads all");
    let latest = page.items.iter().find(|r| r.id == late).and_then(|r| r.latest_note.clone()).context("latest note")?;
    ensure!(latest.body == "第1回を実施", "{latest:?}");
    ensure!(page.items.iter().any(|r| r.id == fine && r.owner == "hr"), "the owner account's name");

    s.set_action_status(&hr, late, ActionStatus::Done, "").await?;
    ensure!(!problems(s.set_action_status(&hr, late, ActionStatus::Cancelled, "").await).is_empty(), "done → cancelled refused");
    s.evaluate_action(&hr, late, "partly", "参加率が低かった").await?;
    let d = s.action(&e.hr, late).await?;
    ensure!(d.row.evaluation == Some(Evaluation::Partly) && d.evaluation_comment == "参加率が低かった" && !d.row.overdue, "{d:?}");
    ensure!(d.notes.len() == 2 && d.evidence.contains("https://"), "notes {:?}", d.notes);
    ensure!(d.finding.is_none(), "raised from a report: no finding");
    s.set_action_status(&hr, fine, ActionStatus::Cancelled, "予算見送り").await?;
    let counts = s.action_counts(&e.hr).await?;
    ensure!(counts.done == 1 && counts.cancelled == 1 && counts.overdue == 0 && counts.evaluated == 1, "{counts:?}");

    // Executives: the status fields only; the detail is not theirs.
    let page = s.action_page(&e.exec, &ActionQuery::default(), PageRequest::first(50)).await?;
    ensure!(
        page.total == 2 && page.items.iter().all(|r| r.view == ActionView::Status && r.owner.is_empty() && r.evaluation.is_none()),
        "{page:?}"
    );
    ensure!(s.action_counts(&e.exec).await? == counts, "the executive's summary");
    ensure!(missing(s.action(&e.exec, late).await), "no detail for executives");
    // The consultant who raised the issue sees its actions' status; a colleague none.
    let mine = s.actions_of_issue(&e.c1, issue1).await?;
    ensure!(mine.len() == 2 && mine.iter().all(|r| r.view == ActionView::Status && r.latest_note.is_none()), "{mine:?}");
    ensure!(s.actions_of_issue(&e.c2, issue1).await?.is_empty(), "a colleague sees none");
    ensure!(missing(s.action(&e.c1, late).await), "the consultant reads no detail");
    for other in e.others.iter().chain([&e.c2, &e.sup]) {
        ensure!(s.action_page(other, &ActionQuery::default(), PageRequest::first(50)).await?.items.is_empty(), "{}", other.label());
        ensure!(missing(s.action(other, late).await), "{}", other.label());
        ensure!(s.action_counts(other).await?.total() == 0, "{}", other.label());
    }
    // Every write audited; the refusals too.
    ensure!(audited(&e, "action_changed").await? == 8, "writes: {}", audited(&e, "action_changed").await?);
    ensure!(audited(&e, "access_refused").await? >= 5, "refusals audited");
    Ok(())
}

fn narrative() -> Narrative {
    Narrative { trends: "傾向".into(), issues: "課題".into(), solutions: "解決策".into(), development: "育成策".into() }
}

/// A cycle and approved reports of held interviews in it (flags as given), as the demo writes them.
async fn cycle_with_reports(e: &Env, name: &str, starts: &str, ends: &str, flagged: &[(&str, bool, bool)]) -> Result<i64> {
    let raw = raw_pool(&e.db).await?;
    let cycle: i64 = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $4, 'closed', '{}', 0) RETURNING id",
    )
    .bind(e.tenant.get())
    .bind(name)
    .bind(starts)
    .bind(ends)
    .fetch_one(&raw)
    .await?
    .try_get("id")?;
    raw.close().await;
    let author = e.c1.user().context("c1")?.get();
    crate::approved_reports(&e.db, e.tenant, author, e.sealed, cycle, flagged).await?;
    Ok(cycle)
}

fn all(org_every: usize) -> Vec<(&'static str, bool, bool)> {
    ["E01", "E02", "E03", "E04", "E05", "E06", "E07", "E08", "E09", "E10", "E11", "E12"]
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i < 2, i % org_every == 0))
        .collect()
}

async fn findings_are_taken_up_and_re_measured(backend: Backend) -> Result<()> {
    let mut e = env(backend).await?;
    // FY2025: six of twelve flagged 組織的対応が必要 (shown), two life/safety (hidden below k = 5).
    let fy25 = cycle_with_reports(&e, "FY2025", "2025-04-01", "2026-03-31", &all(2)).await?;
    let fy26 = cycle_with_reports(&e, "FY2026", "2026-04-01", "2027-03-31", &all(3)).await?;
    e.store.close().await;
    e.store = open(&e.db, &e.key, false).await?;
    let s = &e.store;
    let r25 = s.draft_and_release_overall(&e.c1, &e.sup, fy25, &narrative(), true).await?;
    let hr = e.hr.as_hr()?;
    let whole = BTreeMap::new();

    // The released versions HR may take a finding from, and the shown cells of the whole population.
    ensure!(s.released_for_findings(&e.hr).await?.len() == 1, "one release");
    ensure!(s.released_for_findings(&e.exec).await?.is_empty(), "HR only");
    let choices = s.finding_choices(&e.hr, r25, &[]).await?;
    ensure!(choices.cells.iter().any(|c| c.measure == "flag:organizational_response" && c.group.is_empty()), "{:?}", choices.cells);
    ensure!(!choices.cells.iter().any(|c| c.measure == "flag:life_safety"), "a hidden cell is never offered");

    // A suppressed cell cannot be taken up; a shown one can (the text masked like any issue).
    let refused = s.raise_issue_from_finding(&hr, r25, "flag:life_safety", &whole, "安全配慮", "対応が必要").await;
    let p = problems(refused);
    ensure!(p.iter().any(|i| i.field == "finding"), "a hidden cell refused: {p:?}");
    ensure!(
        missing(s.raise_issue_from_finding(&hr, careerdock_store::OverallReportId::new(999_999), "people", &whole, "x", "y").await),
        "no such release"
    );
    let issue =
        s.raise_issue_from_finding(&hr, r25, "flag:organizational_response", &whole, "組織的対応の多さ", "半数に組織的対応が必要").await?;
    let d = s.org_issue(&e.hr, issue).await?;
    ensure!(d.row.title == "組織的対応の多さ", "{d:?}");
    // Consultants never see HR's issues in their own list.
    ensure!(
        s.org_issue_page(
            &e.c1,
            &careerdock_store::OrgIssueQuery {
                status: None,
                sort: careerdock_store::OrgIssueSort::Created,
                dir: careerdock_store::Direction::Asc
            },
            PageRequest::first(10)
        )
        .await?
        .total
            == 0,
        "not the consultant's"
    );

    let action = s.create_action(&hr, issue, &input("業務量の平準化", "2027-03-31")).await?;
    let f = s.action(&e.hr, action).await?.finding.context("the finding")?;
    let found = f.found.cell.clone().context("the found cell")?;
    ensure!(!found.suppressed && found.n == Some(12) && found.value == Some(6.0), "{found:?}");
    ensure!(f.next.is_none(), "no next release yet");

    // The next cycle released: the same measure and group beside it, as its snapshot has it.
    let r26 = s.draft_and_release_overall(&e.c1, &e.sup, fy26, &narrative(), true).await?;
    let f = s.action(&e.hr, action).await?.finding.context("the finding")?;
    let next = f.next.context("re-measured")?;
    ensure!(next.report_id == r26 && next.cycle.name == "FY2026", "{next:?}");
    let released = s.released_overall_report(&e.hr, &CycleChoice::Named("FY2026".into()), None).await?;
    let snap =
        released.tables.iter().flat_map(|t| t.cells.iter()).find(|c| c.group.is_empty() && c.measure == "flag:organizational_response");
    ensure!(next.cell.as_ref() == snap, "the next figure is the released cell: {:?} vs {snap:?}", next.cell);
    ensure!(audited(&e, "org_issue_raised").await? == 1, "raised audited");
    Ok(())
}

async fn policy_documents_keep_every_version(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let s = &e.store;
    let hr = e.hr.as_hr()?;
    match s.publish_policy_document(&hr, None, "", "", "2099-01-01", "").await {
        Err(StoreError::Problems(p)) => ensure!(p.len() == 4, "{p:?}"),
        other => anyhow::bail!("every problem: {other:?}"),
    }
    let (doc, v1) = s.publish_policy_document(&hr, None, "人材育成方針", "# 目的\n旧本文", "2025-04-01", "取締役会").await?;
    let (same, v2) = s.publish_policy_document(&hr, Some(doc), "人材育成方針", "# 目的\n新本文", "2026-04-01", "取締役会").await?;
    ensure!(same == doc && v1 == 1 && v2 == 2, "versions {v1} {v2}");
    for reader in [&e.c1, &e.sup, &e.hr, &e.exec].into_iter().chain(e.others.iter()) {
        let docs = s.policy_documents(reader).await?;
        ensure!(docs.len() == 1 && docs[0].current.version == 2 && docs[0].current.body.contains("新本文"), "{}", reader.label());
        ensure!(docs[0].history.len() == 2 && docs[0].history[1].body.contains("旧本文"), "the old version kept");
    }
    ensure!(missing(s.policy_document(&e.hr, careerdock_store::PolicyDocumentId::new(999_999)).await), "missing");
    ensure!(audited(&e, "policy_document_published").await? == 2, "published audited");
    Ok(())
}

/// The yearly review's figure: a cycle's actions (due within its period) by status, overdue and
/// evaluated; the roles that read neither the action status nor the reviews get "not found".
async fn action_completion_counts_a_cycles_actions(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let s = &e.store;
    let hr = e.hr.as_hr()?;
    let today = careerdock_store::today_jst();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    // The cycle around today (from 200 days ago to 100 days ahead), and the year before it.
    let starts = today - chrono::Days::new(200);
    let ends = today + chrono::Days::new(100);
    let before = cycle_with_reports(&e, "前年度", &day(starts - chrono::Days::new(365)), &day(starts - chrono::Days::new(1)), &[]).await?;
    let this = cycle_with_reports(&e, "今年度", &day(starts), &day(ends), &[]).await?;
    let issue1 = issue(&e, &e.c1).await?;
    let mk = |title: &'static str, due: chrono::NaiveDate| input(title, &day(due));
    let planned = s.create_action(&hr, issue1, &mk("計画のみ", today + chrono::Days::new(30))).await?;
    let late = s.create_action(&hr, issue1, &mk("期限切れ", today - chrono::Days::new(5))).await?;
    let going = s.create_action(&hr, issue1, &mk("実施中", today + chrono::Days::new(10))).await?;
    let done = s.create_action(&hr, issue1, &mk("完了・評価済み", starts)).await?;
    let done2 = s.create_action(&hr, issue1, &mk("完了", ends)).await?;
    let dropped = s.create_action(&hr, issue1, &mk("中止", today - chrono::Days::new(50))).await?;
    // Outside the cycle: the day before it starts and the day after it ends.
    let old = s.create_action(&hr, issue1, &mk("前年度の施策", starts - chrono::Days::new(1))).await?;
    s.create_action(&hr, issue1, &mk("来年度の施策", ends + chrono::Days::new(1))).await?;
    s.set_action_status(&hr, going, ActionStatus::InProgress, "").await?;
    s.set_action_status(&hr, late, ActionStatus::InProgress, "").await?;
    for id in [done, done2, old] {
        s.set_action_status(&hr, id, ActionStatus::Done, "").await?;
    }
    s.evaluate_action(&hr, done, "effective", "").await?;
    s.set_action_status(&hr, dropped, ActionStatus::Cancelled, "").await?;
    let _ = planned;

    let c = s.action_completion(&e.hr, CycleId::new(this)).await?;
    ensure!((c.planned, c.in_progress, c.done, c.cancelled, c.overdue, c.evaluated) == (1, 2, 2, 1, 1, 1), "this cycle: {c:?}");
    ensure!(c.total() == 6 && c.open() == 3, "{c:?}");
    let b = s.action_completion(&e.hr, CycleId::new(before)).await?;
    ensure!(b.total() == 1 && b.done == 1 && b.overdue == 0, "the year before: {b:?}");
    // Executives, consultants and the supervisor read it (reviews or status); the others not.
    for ctx in [&e.exec, &e.c1, &e.c2, &e.sup] {
        ensure!(s.action_completion(ctx, CycleId::new(this)).await? == c, "{}", ctx.label());
    }
    for other in &e.others {
        ensure!(missing(s.action_completion(other, CycleId::new(this)).await), "{}", other.label());
    }
    ensure!(missing(s.action_completion(&e.hr, CycleId::new(999_999)).await), "no such cycle");
    Ok(())
}
