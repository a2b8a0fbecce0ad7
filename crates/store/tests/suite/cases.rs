//! Organizational issues and personnel authority through the store's public API, on SQLite and
//! PostgreSQL: an issue is raised only from the author's flagged report, masked before it is
//! sealed, read by HR and its author only, its status moved by HR, every step audited; the
//! personnel-authority mark is set by the administrator only, audited, and carried by the
//! context made from a session.

use crate::inline_key;
use anyhow::{ensure, Context, Result};
use careerdock_store::{
    Ctx, Direction, NewInterview, NewUser, OpenOptions, OrgIssueQuery, OrgIssueSort, PageRequest, ReviewInput, Store, StoreError,
};
use domain::ids::{EmployeeId, ReportId, TenantId};
use domain::import::parse_employee_csv;
use domain::important_case::IssueStatus;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    org_issues_are_masked_sealed_and_reach_hr_and_their_author,
    personnel_authority_is_set_by_the_administrator_and_audited,
    important_cases_reach_hr_only_under_consent_and_never_personnel_authority
);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001
";

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantId,
    c1: Ctx,
    c2: Ctx,
    sup: Ctx,
    hr: Ctx,
    admin: Ctx,
    subject: EmployeeId,
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
        [("c1", Role::Consultant), ("c2", Role::Consultant), ("sup", Role::Supervisor), ("hr", Role::Hr), ("admin", Role::Admin)]
    {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    let subject = store.employee_by_number(tenant.id, "E002").await?.id;
    for c in &users[..2] {
        super::assign_everyone(&db, tenant.id, c.user().context("consultant")?).await?;
    }
    let mut it = users.into_iter();
    let mut next = |n: &str| it.next().with_context(|| n.to_string());
    let (c1, c2, sup, hr, admin) = (next("c1")?, next("c2")?, next("sup")?, next("hr")?, next("admin")?);
    Ok(Env { db, store, tenant: tenant.id, c1, c2, sup, hr, admin, subject })
}

/// A report of `c1` about the subject, submitted for review, with the organizational flag as given.
async fn submitted_report(e: &Env, organizational: bool) -> Result<ReportId> {
    // A day apart per flag, so the two interviews do not overlap.
    let days = if organizational { 7 } else { 8 };
    let start = chrono::Utc::now().timestamp_millis() - days * 86_400_000;
    let me = e.c1.as_consultant()?;
    let interview = e
        .store
        .schedule_interview(
            &me,
            &NewInterview {
                cycle: None,
                employee: e.subject,
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
    let text = "営業部門で深夜までの残業が常態化している。".to_string();
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
    Ok(id)
}

fn query() -> OrgIssueQuery {
    OrgIssueQuery { status: None, sort: OrgIssueSort::Created, dir: Direction::Desc }
}

async fn actions(e: &Env) -> Result<Vec<String>> {
    Ok(e.store.recent_audit(e.tenant, 200, None).await?.into_iter().map(|ev| ev.action).collect())
}

async fn org_issues_are_masked_sealed_and_reach_hr_and_their_author(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let flagged = submitted_report(&e, true).await?;
    let plain = submitted_report(&e, false).await?;
    let title = "第一営業部の長時間労働";
    let body = "山田太郎さん（E002）によれば、佐藤部長の指示で深夜までの残業が続いている。yamada@example.jp";

    // Nobody but the author raises, and only from a flagged report; the refusal reads as missing.
    for (who, report) in [(&e.c2, flagged), (&e.c1, plain)] {
        let r = e.store.raise_org_issue(&who.as_consultant()?, report, title, body).await;
        ensure!(matches!(r, Err(StoreError::NotFound)), "raised from {report} by {:?}: {r:?}", who.label());
    }
    ensure!(e.hr.as_consultant().is_err(), "HR holds no consultant handle");
    // Every problem at once.
    match e.store.raise_org_issue(&e.c1.as_consultant()?, flagged, " ", "").await {
        Err(StoreError::Problems(p)) => ensure!(p.iter().map(|i| i.field).collect::<Vec<_>>() == ["title", "body"], "{p:?}"),
        other => anyhow::bail!("an empty issue was not refused field by field: {other:?}"),
    }

    let hr_user = e.hr.user().context("hr")?;
    let unread_before = e.store.unread_notification_count(e.tenant, hr_user).await?;
    let raised = e.store.raise_org_issue(&e.c1.as_consultant()?, flagged, title, body).await?;
    ensure!(raised.masked, "the pseudonymizer changed nothing");
    // HR is told, with a link to the issue and nothing of its text.
    ensure!(e.store.unread_notification_count(e.tenant, hr_user).await? == unread_before + 1, "HR gets a notice of the new issue");
    let inbox = e.store.notifications_page(&e.hr, careerdock_store::InboxFilter::Unread, PageRequest::first(10)).await?;
    ensure!(inbox.items.iter().any(|n| n.link == format!("/org-issues/{}", raised.id)), "the notice links the issue: {:?}", inbox.items);
    let seen = e.store.org_issue(&e.hr, raised.id).await?;
    for leaked in ["山田", "太郎", "E002", "佐藤", "yamada@", "第一営業部"] {
        ensure!(!seen.row.title.contains(leaked) && !seen.body.contains(leaked), "{leaked} survived: {} / {}", seen.row.title, seen.body);
    }
    ensure!(seen.body.contains("相談者") && seen.body.contains("上司"), "the roles in the story stay: {}", seen.body);
    ensure!(seen.can_respond && seen.row.status == IssueStatus::Open, "HR answers an open issue");

    // The register: HR sees it, the author sees it, another consultant and a supervisor do not.
    let page = PageRequest::first(50);
    ensure!(e.store.org_issue_page(&e.hr, &query(), page).await?.total == 1, "HR's register");
    let own = e.store.org_issue_page(&e.c1, &query(), page).await?;
    ensure!(own.total == 1 && own.items[0].mine && own.items[0].title == seen.row.title, "the author's list");
    ensure!(e.store.org_issue_page(&e.c2, &query(), page).await?.total == 0, "another consultant's list");
    ensure!(e.store.org_issue_page(&e.sup, &query(), page).await?.total == 0, "a supervisor's list");
    ensure!(matches!(e.store.org_issue(&e.c2, raised.id).await, Err(StoreError::NotFound)), "another consultant reads it");
    ensure!(matches!(e.store.org_issue(&e.sup, raised.id).await, Err(StoreError::NotFound)), "a supervisor reads it");
    ensure!(!e.store.org_issue(&e.c1, raised.id).await?.can_respond, "the author does not move the status");

    // HR moves the status; the same status again writes nothing; the filter finds it.
    ensure!(e.store.set_org_issue_status(&e.hr.as_hr()?, raised.id, IssueStatus::InProgress).await?, "changed");
    ensure!(!e.store.set_org_issue_status(&e.hr.as_hr()?, raised.id, IssueStatus::InProgress).await?, "unchanged");
    let in_progress = OrgIssueQuery { status: Some(IssueStatus::InProgress), ..query() };
    ensure!(e.store.org_issue_page(&e.hr, &in_progress, page).await?.total == 1, "filtered by status");
    let open = OrgIssueQuery { status: Some(IssueStatus::Open), ..query() };
    ensure!(e.store.org_issue_page(&e.hr, &open, page).await?.total == 0, "no open issue left");

    let done = actions(&e).await?;
    for kind in ["org_issue_raised", "org_issue_read", "org_issue_updated", "access_refused"] {
        ensure!(done.iter().any(|a| a == kind), "{kind} was not audited: {done:?}");
    }

    // The text is sealed: the database holds neither the title nor the masked body in clear.
    let raw = crate::raw_pool(&e.db).await?;
    let rows =
        sqlx::query("SELECT ciphertext FROM sealed_texts WHERE purpose IN ('org_issue_title', 'org_issue_body')").fetch_all(&raw).await?;
    ensure!(rows.len() == 2, "two sealed values, found {}", rows.len());
    for r in rows {
        let ct: Vec<u8> = sqlx::Row::try_get(&r, "ciphertext")?;
        ensure!(!ct.windows("長時間労働".len()).any(|w| w == "長時間労働".as_bytes()), "the title is in clear");
    }
    raw.close().await;

    // Approval of the report does not change who reads the issue.
    e.store.review_report(&e.sup.as_supervisor()?, flagged, &ReviewInput { approve: true, comments: vec![], scores: vec![] }).await.ok();
    ensure!(e.store.org_issue_page(&e.hr, &query(), page).await?.total == 1, "still in the register");
    Ok(())
}

async fn personnel_authority_is_set_by_the_administrator_and_audited(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let hr_id = e.hr.user().context("hr")?;
    ensure!(e.hr.as_admin().is_err(), "HR holds no administrator handle");
    let admin = e.admin.as_admin()?;
    let listed = e.store.personnel_authority_accounts(&admin).await?;
    ensure!(listed.iter().any(|a| a.id == hr_id && !a.marked), "HR is listed, unmarked: {listed:?}");
    ensure!(!listed.iter().any(|a| a.login == "c1"), "a consultant is not listed");

    ensure!(e.store.set_personnel_authority(&admin, hr_id, true).await?, "marked");
    ensure!(!e.store.set_personnel_authority(&admin, hr_id, true).await?, "marking twice changes nothing");
    ensure!(e.store.personnel_authority_accounts(&admin).await?.iter().any(|a| a.id == hr_id && a.marked), "shown as marked");
    let events = e.store.recent_audit(e.tenant, 50, None).await?;
    let changes: Vec<_> = events.iter().filter(|ev| ev.action == "personnel_authority_changed").collect();
    ensure!(changes.len() == 1, "one change audited, found {}", changes.len());
    ensure!(changes[0].target_id == hr_id.to_string() && changes[0].detail.contains("unmarked->personnel_authority"), "{:?}", changes[0]);

    // The context made from a session carries the mark, read from the account.
    let user = e.store.user(e.tenant, hr_id).await?;
    let session = e.store.create_session(e.tenant, hr_id, Some(Role::Hr), None).await?;
    let ctx = Ctx::signed_in(&session.proof, &user, Some(Role::Hr));
    ensure!(ctx.policy_actor().is_some_and(|a| a.has_personnel_authority()), "the actor holds personnel authority");
    e.store.set_personnel_authority(&admin, hr_id, false).await?;
    let user = e.store.user(e.tenant, hr_id).await?;
    ensure!(
        !Ctx::signed_in(&session.proof, &user, Some(Role::Hr)).policy_actor().is_some_and(|a| a.has_personnel_authority()),
        "unmarked at once"
    );
    ensure!(
        e.store.recent_audit(e.tenant, 50, None).await?.iter().filter(|ev| ev.action == "personnel_authority_changed").count() == 2,
        "the unmarking is audited"
    );

    // Another tenant's account answers as missing.
    let other = e.store.create_tenant(&TenantSlug::parse("other")?, "他社", KThreshold::DEFAULT, "test").await?;
    let stranger = e
        .store
        .create_user(
            &Ctx::operator(other.id, "test"),
            &NewUser { login: "x", display_name: "x", password: "password-123", roles: &[Role::Hr], employee: None },
        )
        .await?;
    ensure!(matches!(e.store.set_personnel_authority(&admin, stranger, true).await, Err(StoreError::NotFound)), "crossed a tenant");
    Ok(())
}

async fn important_cases_reach_hr_only_under_consent_and_never_personnel_authority(backend: Backend) -> Result<()> {
    use careerdock_store::ConsentInput;
    use domain::consent::{ConsentDecision, ConsentMethod};
    use domain::important_case::check_case_response;
    let e = env(backend).await?;
    let report = submitted_report(&e, false).await?;
    let c1 = e.c1.as_consultant()?;
    // Only from an approved report.
    ensure!(e.store.raise_important_case(&c1, report, "概要").await.is_err(), "raised from a report under review");
    e.store.review_report(&e.sup.as_supervisor()?, report, &ReviewInput { approve: true, comments: vec![], scores: vec![] }).await?;
    ensure!(matches!(e.store.raise_important_case(&c1, report, " ").await, Err(StoreError::Invalid(_))), "an empty summary");
    ensure!(
        matches!(e.store.raise_important_case(&e.c2.as_consultant()?, report, "概要").await, Err(StoreError::NotFound)),
        "another consultant raised it"
    );
    let summary = "上司との関係に悩み、異動を希望している。人事部門として配置の検討をお願いしたい。";
    let id = e.store.raise_important_case(&c1, report, summary).await?;

    // Pending: HR sees nothing.
    ensure!(e.store.important_cases(&e.hr).await?.is_empty(), "released before consent");
    ensure!(matches!(e.store.important_case(&e.hr, id).await, Err(StoreError::NotFound)), "read before consent");
    let grant = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
    let hr_user = e.hr.user().context("hr")?;
    let unread_before = e.store.unread_notification_count(e.tenant, hr_user).await?;
    e.store.record_consent_on_behalf(&c1, id, &grant, ConsentMethod::Written, "書面で同意を確認").await?;
    ensure!(e.store.unread_notification_count(e.tenant, hr_user).await? == unread_before + 1, "HR is told of the shared case");

    // Granted: the summary, and HR's record.
    let cases = e.store.important_cases(&e.hr).await?;
    ensure!(cases.len() == 1 && cases[0].record.status == domain::important_case::CaseStatus::Open, "one open case: {cases:?}");
    let d = e.store.important_case(&e.hr, id).await?;
    ensure!(d.released.text == summary && d.solution.is_empty(), "{d:?}");
    let hr = e.hr.as_hr()?;
    let response = check_case_response("resolved", "人事部 労務課", "配置転換を実施した。", true).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    e.store.record_case_response(&hr, id, &response).await?;
    let d = e.store.important_case(&e.hr, id).await?;
    ensure!(d.solution == "配置転換を実施した。" && d.record.owner == "人事部 労務課" && d.record.in_management_report, "{d:?}");
    let again = check_case_response("monitoring", "人事部", "経過を見守る。", false).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    e.store.record_case_response(&hr, id, &again).await?;
    ensure!(e.store.important_case(&e.hr, id).await?.solution == "経過を見守る。", "the solution is resealed");
    // Nobody else: a consultant, a supervisor.
    ensure!(e.store.important_cases(&e.c1).await?.is_empty() && e.store.important_cases(&e.sup).await?.is_empty(), "others");

    // Personnel authority: the same HR account, marked, reads and records nothing.
    let hr_id = e.hr.user().context("hr")?;
    e.store.set_personnel_authority(&e.admin.as_admin()?, hr_id, true).await?;
    let session = e.store.create_session(e.tenant, hr_id, Some(Role::Hr), None).await?;
    let marked = Ctx::signed_in(&session.proof, &e.store.user(e.tenant, hr_id).await?, Some(Role::Hr));
    ensure!(e.store.important_cases(&marked).await?.is_empty(), "listed to personnel authority");
    ensure!(matches!(e.store.important_case(&marked, id).await, Err(StoreError::NotFound)), "read by personnel authority");
    ensure!(
        matches!(e.store.record_case_response(&marked.as_hr()?, id, &again).await, Err(StoreError::NotFound)),
        "recorded by personnel authority"
    );
    e.store.set_personnel_authority(&e.admin.as_admin()?, hr_id, false).await?;

    // Withdrawn: gone at once.
    let withdraw = ConsentInput { decision: ConsentDecision::Withdraw, version: 1, comment: String::new(), expires_at_ms: None };
    e.store.record_consent_on_behalf(&c1, id, &withdraw, ConsentMethod::Verbal, "電話で撤回の意思を確認").await?;
    ensure!(e.store.important_cases(&e.hr).await?.is_empty(), "listed after withdrawal");
    ensure!(matches!(e.store.important_case(&e.hr, id).await, Err(StoreError::NotFound)), "read after withdrawal");

    let done = actions(&e).await?;
    for kind in ["important_case_read", "important_case_updated", "disclosure_read"] {
        ensure!(done.iter().any(|a| a == kind), "{kind} was not audited");
    }
    Ok(())
}
