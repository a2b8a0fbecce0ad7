//! The management report (経営層への報告) through the store's public API, on SQLite and
//! PostgreSQL: versions (one draft per cycle, released versions frozen and kept), executives
//! never reading a draft, the consent ledger asked again at every read (a withdrawal removes a
//! case from a released version's later reads and exports), personnel authority withholding
//! every case, every step audited.

use crate::{inline_key, raw_pool};
use anyhow::{bail, ensure, Context, Result};
use careerdock_store::{ConsentInput, Ctx, NewInterview, NewUser, OpenOptions, PageRequest, ReviewInput, Store, StoreError};
use domain::consent::{ConsentDecision, ConsentMethod};
use domain::ids::{ReportId, TenantId};
use domain::import::parse_employee_csv;
use domain::important_case::{check_case_response, IssueStatus};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::overall_report::{Cell, CycleRef, Measure, OverallReport, PopulationInfo, Table, POPULATION_RULE};
use domain::report::{ReportFlags, ReportSections};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use std::collections::BTreeMap;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(management_reports_are_versioned_frozen_and_follow_consent);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
";

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantId,
    c1: Ctx,
    sup: Ctx,
    hr: Ctx,
    exec: Ctx,
    admin: Ctx,
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let mut users = Vec::new();
    for (login, role) in
        [("c1", Role::Consultant), ("sup", Role::Supervisor), ("hr", Role::Hr), ("exec", Role::Executive), ("admin", Role::Admin)]
    {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    super::assign_everyone(&db, tenant.id, users[0].user().context("c1")?).await?;
    let mut it = users.into_iter();
    let mut next = |n: &str| it.next().with_context(|| n.to_string());
    let (c1, sup, hr, exec, admin) = (next("c1")?, next("sup")?, next("hr")?, next("exec")?, next("admin")?);
    Ok(Env { db, store, tenant: tenant.id, c1, sup, hr, exec, admin })
}

/// A report of c1 about E002, held `days` ago, submitted (and approved when asked).
async fn report(e: &Env, days: i64, organizational: bool, approve: bool) -> Result<ReportId> {
    let start = chrono::Utc::now().timestamp_millis() - days * 86_400_000;
    let me = e.c1.as_consultant()?;
    let employee = e.store.employee_by_number(e.tenant, "E002").await?.id;
    let interview = e
        .store
        .schedule_interview(
            &me,
            &NewInterview {
                cycle: None,
                employee,
                kind: InterviewKind::Initial,
                mode: InterviewMode::InPerson,
                place: "本社 面談室A".into(),
                slot: Slot::new(start, start + 3_600_000)?,
            },
        )
        .await?;
    e.store.set_interview_status(&me, interview, InterviewStatus::Held, "").await?;
    let id = e.store.create_report(&me, interview).await?;
    let v = e.store.read_report(&e.c1, id, Locale::Ja).await?.version;
    let text = "キャリアの方向性に迷いがある。".to_string();
    let sections = ReportSections {
        career_awareness: text.clone(),
        workplace: text.clone(),
        organization: text.clone(),
        support_plan: text.clone(),
        next_steps: text,
    };
    let flags = ReportFlags { life_safety: false, organizational_response: organizational };
    e.store.save_report(&me, id, &sections, &["career_direction".into()], flags, v).await?;
    e.store.submit_report(&me, id, e.sup.user()).await?;
    if approve {
        e.store.review_report(&e.sup.as_supervisor()?, id, &ReviewInput { approve: true, comments: vec![], scores: vec![] }).await?;
    }
    Ok(id)
}

/// A released overall report of a new cycle named `name`, written with SQL because the overall
/// report's release belongs to another part of the store. Returns (cycle id, overall report id).
async fn released_overall(e: &Env, name: &str, starts: &str, people: u64, org: u64) -> Result<(i64, i64)> {
    let raw = raw_pool(&e.db).await?;
    let r = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $3, 'closed', '{}', 0) RETURNING id",
    )
    .bind(e.tenant.get())
    .bind(name)
    .bind(starts)
    .fetch_one(&raw)
    .await?;
    let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
    let whole = |m: Measure, shown: Option<(u64, f64)>| Cell::new(BTreeMap::new(), &m, shown);
    let snapshot = OverallReport {
        tenant: "acme".into(),
        cycle: CycleRef { id: cycle, name: name.into() },
        version: 1,
        released_at: Some("2026-04-01T00:00:00Z".into()),
        k: 10,
        population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-03-31T00:00:00Z".into(), n: Some(people) },
        dimensions: Default::default(),
        tables: vec![Table {
            name: "overall".into(),
            by: vec![],
            cells: vec![
                whole(Measure::People, Some((people, people as f64))),
                whole(Measure::OrganizationalResponse, Some((people, org as f64))),
                whole(Measure::LifeSafety, None),
            ],
        }],
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
    Ok((cycle, sqlx::Row::try_get(&r, "id")?))
}

async fn actions(e: &Env) -> Result<Vec<String>> {
    Ok(e.store.recent_audit(e.tenant, 300, None).await?.into_iter().map(|ev| ev.action).collect())
}

/// The executive's context, after the administrator marks (or unmarks) personnel authority.
async fn marked(e: &Env, yes: bool) -> Result<Ctx> {
    let id = e.exec.user().context("exec")?;
    e.store.set_personnel_authority(&e.admin.as_admin()?, id, yes).await?;
    let session = e.store.create_session(e.tenant, id, Some(Role::Executive), None).await?;
    Ok(Ctx::signed_in(&session.proof, &e.store.user(e.tenant, id).await?, Some(Role::Executive)))
}

async fn management_reports_are_versioned_frozen_and_follow_consent(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let hr = e.hr.as_hr()?;
    let (_, overall1) = released_overall(&e, "2025年度", "2025-04-01", 40, 8).await?;
    let (_, overall2) = released_overall(&e, "2026年度", "2026-04-01", 50, 5).await?;

    // An important case HR marked for the report, granted; an organizational issue.
    let approved = report(&e, 20, false, true).await?;
    let c1 = e.c1.as_consultant()?;
    let summary = "配置の見直しをお願いしたい。";
    let case = e.store.raise_important_case(&c1, approved, summary).await?;
    let grant = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
    e.store.record_consent_on_behalf(&c1, case, &grant, ConsentMethod::Written, "書面で同意を確認").await?;
    let response =
        check_case_response("in_progress", "人事部", "面談のうえ配置転換を検討する。", true).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    e.store.record_case_response(&hr, case, &response).await?;
    let flagged = report(&e, 25, true, false).await?;
    let issue = e.store.raise_org_issue(&c1, flagged, "長時間労働の常態化", "深夜までの残業が続いている。").await?.id;

    // The sources: the released overall reports, newest cycle first.
    let sources = e.store.management_report_sources(&hr).await?;
    ensure!(
        sources.len() == 2 && sources[0].id == overall2 && sources[1].id == overall1 && sources.iter().all(|s| s.latest),
        "{sources:?}"
    );
    ensure!(matches!(e.store.create_management_report(&hr, 999_999).await, Err(StoreError::NotFound)), "an unknown overall report");

    // A draft: HR reads it, an executive never does.
    let draft = e.store.create_management_report(&hr, overall2).await?;
    ensure!(e.store.create_management_report(&hr, overall2).await? == draft, "one draft per cycle");
    ensure!(matches!(e.store.management_report(&e.exec, draft).await, Err(StoreError::NotFound)), "an executive read a draft");
    ensure!(e.store.management_report_page(&e.exec, PageRequest::first(50)).await?.total == 0, "an executive lists a draft");
    ensure!(e.store.latest_management_report(&e.exec).await?.is_none(), "an executive's home shows a draft");
    ensure!(matches!(e.store.released_management_report(&e.hr, "2026年度", None).await, Err(StoreError::NotFound)), "no release yet");
    let v = e.store.management_report(&e.hr, draft).await?;
    ensure!(v.can_compose && v.doc.state == "draft" && v.doc.cases.len() == 1 && v.doc.org_issues.len() == 1, "{v:?}");
    ensure!(v.doc.overall_report.population == Some(50) && v.doc.figures.len() == 3, "{:?}", v.doc.figures);
    ensure!(v.doc.figures[1].suppressed && v.doc.figures[1].value.is_none(), "a suppressed figure stays hidden");
    // Nobody else composes.
    ensure!(e.exec.as_hr().is_err() && e.c1.as_hr().is_err(), "only HR holds the handle");

    // Releasing needs a commentary.
    ensure!(matches!(e.store.release_management_report(&hr, draft).await, Err(StoreError::Invalid(_))), "released without commentary");
    ensure!(
        matches!(e.store.save_management_commentary(&hr, draft, &"あ".repeat(8_001)).await, Err(StoreError::Invalid(_))),
        "an overlong commentary"
    );
    e.store.save_management_commentary(&hr, draft, "配置と労働時間の課題に取り組みます。").await?;
    e.store.release_management_report(&hr, draft).await?;

    // Frozen: later changes to the case and the issue do not reach the released version.
    let later = check_case_response("resolved", "人事部", "配置転換を実施した。", true).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    e.store.record_case_response(&hr, case, &later).await?;
    e.store.set_org_issue_status(&hr, issue, IssueStatus::Resolved).await?;
    for reader in [&e.hr, &e.exec] {
        let v = e.store.management_report(reader, draft).await?;
        ensure!(v.doc.state == "released" && v.doc.released_at.is_some() && !v.can_compose, "{v:?}");
        ensure!(v.doc.cases.len() == 1 && v.doc.cases_withheld == 0, "{:?}", v.doc.cases);
        let c = &v.doc.cases[0];
        ensure!(c.summary == summary && c.solution == "面談のうえ配置転換を検討する。" && c.status == "in_progress", "{c:?}");
        ensure!(v.doc.org_issues.len() == 1 && v.doc.org_issues[0].status == "open", "{:?}", v.doc.org_issues);
        ensure!(v.doc.commentary == "配置と労働時間の課題に取り組みます。", "{}", v.doc.commentary);
    }
    ensure!(
        matches!(e.store.save_management_commentary(&hr, draft, "変更").await, Err(StoreError::Conflict(_))),
        "a released version changed"
    );
    ensure!(matches!(e.store.release_management_report(&hr, draft).await, Err(StoreError::Conflict(_))), "released twice");

    // A new version of the cycle; the executive's home is the latest released one.
    let second = e.store.create_management_report(&hr, overall2).await?;
    ensure!(second != draft && e.store.management_report(&e.hr, second).await?.doc.version == 2, "a new version");
    let home = e.store.latest_management_report(&e.exec).await?.context("the executive's home")?;
    ensure!(home.row.id == draft, "the latest released version is the first: {:?}", home.row);
    ensure!(e.store.management_report_page(&e.exec, PageRequest::first(50)).await?.total == 1, "the executive lists one");
    ensure!(e.store.management_report_page(&e.hr, PageRequest::first(50)).await?.total == 2, "HR lists both");
    // The trends: both cycles' released overall reports, oldest first.
    let trends = e.store.management_trends(&e.exec).await?;
    ensure!(trends.len() == 2 && trends[0].population == Some(40) && trends[1].organizational_response == Some(0.1), "{trends:?}");
    // The API's and the command line's reading: the cycle's latest release, or latest of all.
    let op = Ctx::operator(e.tenant, "report-management");
    for (who, cycle) in [(&e.hr, "2026年度"), (&e.exec, "latest"), (&op, "2026年度")] {
        let v = e.store.released_management_report(who, cycle, None).await?;
        ensure!(v.row.id == draft && v.doc.cases.len() == 1, "{:?} {cycle}: {:?}", who.label(), v.doc);
    }
    ensure!(matches!(e.store.released_management_report(&e.hr, "2026年度", Some(2)).await, Err(StoreError::NotFound)), "a draft version");
    ensure!(matches!(e.store.released_management_report(&e.hr, "2025年度", None).await, Err(StoreError::NotFound)), "a cycle without");
    ensure!(
        matches!(e.store.released_management_report(&Ctx::anonymous(e.tenant, "x"), "latest", None).await, Err(StoreError::NotFound)),
        "read without a reader"
    );
    // Another tenant reads nothing of it.
    let other = e.store.create_tenant(&TenantSlug::parse("other")?, "他社", KThreshold::DEFAULT, "test").await?;
    let other_hr = Ctx::for_tests(other.id, e.hr.user().context("hr")?, "hr", Some(Role::Hr));
    ensure!(matches!(e.store.management_report(&other_hr, draft).await, Err(StoreError::NotFound)), "read from another tenant");

    // Personnel authority: the executive, marked, reads the report without any case.
    let pa = marked(&e, true).await?;
    let v = e.store.management_report(&pa, draft).await?;
    ensure!(v.personnel_authority && v.doc.cases.is_empty() && v.doc.cases_withheld == 1, "{v:?}");
    ensure!(v.doc.org_issues.len() == 1, "issues name nobody: they stay");
    marked(&e, false).await?;

    // A withdrawal removes the case from every later read of the released version and exports.
    let withdraw = ConsentInput { decision: ConsentDecision::Withdraw, version: 1, comment: String::new(), expires_at_ms: None };
    e.store.record_consent_on_behalf(&c1, case, &withdraw, ConsentMethod::Verbal, "電話で撤回の意思を確認").await?;
    for who in [&e.hr, &e.exec] {
        let v = e.store.management_report(who, draft).await?;
        ensure!(v.doc.cases.is_empty() && v.doc.cases_withheld == 1, "{:?} still reads the case: {:?}", who.label(), v.doc.cases);
        let json = serde_json::to_string(&v.doc)?;
        ensure!(!json.contains(summary) && !json.contains("配置転換"), "the export carries the case: {json}");
    }
    let exported = e.store.released_management_report(&op, "latest", None).await?;
    ensure!(exported.doc.cases.is_empty() && exported.doc.cases_withheld == 1, "the operator's export: {:?}", exported.doc.cases);
    // Granted again (the employee changed their mind): it is back, as frozen.
    e.store.record_consent_on_behalf(&c1, case, &grant, ConsentMethod::Written, "再度の同意を書面で確認").await?;
    let back = e.store.management_report(&e.exec, draft).await?;
    ensure!(back.doc.cases.len() == 1 && back.doc.cases[0].status == "in_progress", "{:?}", back.doc.cases);

    let done = actions(&e).await?;
    for kind in ["management_report_written", "management_report_released", "management_report_read", "disclosure_read"] {
        ensure!(done.iter().any(|a| a == kind), "{kind} was not audited");
    }
    // A refused read is audited too.
    if !done.iter().any(|a| a == "access_refused") {
        bail!("the executive's read of a draft was not recorded as refused");
    }
    Ok(())
}
