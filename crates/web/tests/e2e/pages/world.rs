//! A demo-like world for the page walker: the company and three years of history that
//! `careerdock demo` creates (the same generator, the same logins and roles), on a fresh
//! database, with the application serving it on an ephemeral port.
//!
//! `careerdock demo` lives in the binary crate, so its few lines that map the generated history
//! to database ids are repeated here; the generator itself (crate `demo`) is shared.

use anyhow::{anyhow, Context, Result};
use base64::Engine;
use careerdock_web::{AppState, WebConfig};
use demo::history;
use domain::ids::{EmployeeId, UserId};
use domain::import::ParsedRow;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::RngCore;
use std::collections::HashMap;
use std::net::SocketAddr;
use store::{Ctx, KeySource, NewUser, OpenOptions, PasswordCost, Store};
use testkit::{fresh_db, Backend, TestDb};

pub const TENANT: &str = "demo";
pub const PASSWORD: &str = "demo-password";

/// Employees of the generated company: the demo's default size.
const EMPLOYEES: usize = 1200;
const SEED: u64 = 20261125;

enum Link {
    None,
    Boss,
    Employee,
}

/// The demo logins (as `careerdock demo` creates them).
pub const LOGINS: &[(&str, &[Role])] = &[
    ("consultant1", &[Role::Consultant]),
    ("consultant2", &[Role::Consultant]),
    ("supervisor", &[Role::Supervisor]),
    ("hr", &[Role::Hr]),
    ("hr-consultant", &[Role::Hr, Role::Consultant]),
    ("executive", &[Role::Executive]),
    ("boss", &[Role::Boss]),
    ("health", &[Role::Health]),
    ("health2", &[Role::Health]),
    ("employee", &[Role::Employee]),
    ("admin", &[Role::Admin]),
];

fn link_of(login: &str) -> Link {
    match login {
        "boss" => Link::Boss,
        "employee" => Link::Employee,
        _ => Link::None,
    }
}

fn display_name(login: &str) -> &'static str {
    match login {
        "consultant1" => "相田 美咲（キャリアコンサルタント）",
        "consultant2" => "石川 健一（キャリアコンサルタント）",
        "supervisor" => "上野 さくら（スーパーバイザー）",
        "hr" => "江口 直樹（人事部）",
        "hr-consultant" => "大野 由美（人事部・キャリアコンサルタント）",
        "executive" => "加藤 誠（取締役）",
        "health" => "木村 彩（保健師）",
        "health2" => "森 雅人（産業医）",
        "admin" => "工藤 亮（システム管理者）",
        _ => "（利用者）",
    }
}

/// The running demo-like application.
pub struct World {
    pub base: String,
    /// The store behind the application (for what only an operator does, as a new company).
    pub store: Store,
    _db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for World {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn demo_world(backend: Backend) -> Result<World> {
    demo_world_of(backend, EMPLOYEES).await
}

/// A demo-like world of a company of `employees` (the same generator, seed and logins).
pub async fn demo_world_of(backend: Backend, employees: usize) -> Result<World> {
    let db = fresh_db(backend)?;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let keys = KeySource::Inline(base64::engine::general_purpose::STANDARD.encode(key));
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys })
        .await
        .context("opening the store")?
        .with_password_cost(PasswordCost::Minimal);
    populate(&store, employees).await.context("creating the demo company")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = careerdock_web::app(AppState::new(store.clone(), WebConfig::default()));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok(World { base: format!("http://{addr}"), store, _db: db, server })
}

async fn populate(store: &Store, employees: usize) -> Result<()> {
    let today = store::today_jst();
    let company = demo::generate_company(employees, SEED, today);
    let slug = TenantSlug::parse(TENANT).map_err(|e| anyhow!("{e}"))?;
    let tenant = store.create_tenant(&slug, &company.name, KThreshold::DEFAULT, "test").await?;
    let ctx = Ctx::operator(tenant.id, "test");
    let rows: Vec<ParsedRow> = company.employees.iter().enumerate().map(|(i, r)| ParsedRow::new(i + 2, r.clone())).collect();
    store.import_employees(&ctx, &rows).await?;
    // Password hashing dominates: hash the accounts in parallel.
    let mut creating = Vec::new();
    for (login, roles) in LOGINS {
        let linked = match link_of(login) {
            Link::None => None,
            Link::Boss => Some(company.boss_user_employee.clone()),
            Link::Employee => Some(company.employee_user_employee.clone()),
        };
        let (employee, display) = match linked {
            Some(number) => {
                let e = store.employee_by_number(tenant.id, number.as_str()).await?;
                (Some(e.id), e.name)
            }
            None => (None, display_name(login).to_string()),
        };
        let store = store.clone();
        let ctx = ctx.clone();
        creating.push(tokio::spawn(async move {
            let user = NewUser { login, display_name: &display, password: PASSWORD, roles, employee };
            store.create_user(&ctx, &user).await.map(|id| (*login, id))
        }));
    }
    let mut users = HashMap::new();
    for c in creating {
        let (login, id) = c.await??;
        users.insert(login, id);
    }
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow!("the demo account {login} is missing"));
    let consultants = ["consultant1", "consultant2", "hr-consultant"].iter().map(|l| user(l)).collect::<Result<Vec<UserId>>>()?;
    let supervisor = user("supervisor")?;
    let mut history = history::generate_history(&company, SEED, today, consultants.len());
    let consent_story = demo::consent::add_story(&mut history, &company, today);
    let by_number = store.employee_ids_by_number(tenant.id).await?;
    let employees = company
        .employees
        .iter()
        .map(|e| by_number.get(e.number.as_str()).copied().ok_or_else(|| anyhow!("employee {} was not registered", e.number.as_str())))
        .collect::<Result<Vec<EmployeeId>>>()?;
    // As the demo: questionnaire answers before and after (the page 効果把握).
    let me = company.employees.iter().position(|e| e.number == company.employee_user_employee);
    let answers = demo::questionnaires::generate(&company, &history, SEED, today, me);
    let input = demo::seed::to_seed(history, &employees, &consultants, supervisor);
    store.seed_history(&ctx, &input).await?;
    for c in &answers {
        let rows = demo::questionnaires::response_rows(&company, c);
        if let (false, Ok((cycle, _))) = (rows.is_empty(), store.cycle_by_id_or_name(tenant.id, &c.cycle).await) {
            store.import_responses(&ctx, "career-awareness", cycle, &rows).await?;
        }
    }
    let consents =
        demo::consent::to_seed(&consent_story, &employees, user("consultant1")?, user("boss")?, user("employee")?, store::now_ms());
    store.seed_disclosures(&ctx, &consents).await?;
    // As the demo: `boss` has acknowledged the guide; consultant1 has met employees' bosses.
    store.seed_boss_guide_acknowledgment(&ctx, user("boss")?).await?;
    store.seed_boss_demo(&ctx, user("consultant1")?, &demo::boss::consultation_texts()).await?;
    let responders = [user("health")?, user("health2")?];
    let escalations = demo::escalations::escalations(&input, consultants[0], responders, store::now_ms());
    store.seed_escalations(&ctx, &escalations).await?;
    // As the demo: outside contacts, and a referral to health under consultant1's escalation
    // (the referral pages and the health home's card are walked with a record).
    let contacts: Vec<_> = demo::referrals::CONTACTS
        .iter()
        .filter_map(|(name, kind, phone, email)| domain::referral::check_contact(name, kind, phone, email).ok())
        .collect();
    store.seed_contacts(&ctx, &contacts).await?;
    if let Some(first) = escalations.items.iter().find(|e| e.consultant == consultants[0]) {
        let referral = store::SeedReferral {
            employee: first.employee,
            referred_by: consultants[0],
            addressee: domain::referral::Addressee::User(user("health")?),
            basis: store::SeedBasis::Escalation,
            summary: demo::referrals::ESCALATION_SUMMARY.to_string(),
            referred_at: store::now_ms() - 3_600_000,
            steps: Vec::new(),
        };
        store.seed_referrals(&ctx, &[referral]).await?;
    }
    // As the demo: every closed cycle's overall report released, the current cycle's a draft.
    let author = Ctx::for_tests(tenant.id, user("consultant1")?, "consultant1", Some(Role::Consultant));
    let approver = Ctx::for_tests(tenant.id, supervisor, "supervisor", Some(Role::Supervisor));
    let mut cycles = store.cycles(tenant.id).await?;
    cycles.reverse();
    for (i, c) in cycles.iter().enumerate() {
        let released = c.status == domain::cycle::CycleStatus::Closed;
        let narrative = if released { demo::overall::released_narrative(i) } else { demo::overall::draft_narrative() };
        if c.status != domain::cycle::CycleStatus::Planning {
            store.draft_and_release_overall(&author, &approver, c.id.get(), &narrative, released).await?;
        }
    }
    // As the demo: consultant1's follow-up items (R7), one due soon and one scheduled, so that the
    // walk reaches the list, the items and their forms.
    let me = author.as_consultant()?;
    let filter = store::ReportFilter { cycle: None, status: None, mine_only: true, shared_only: false };
    let reports = store.list_reports(&author, &filter, domain::Locale::Ja).await?;
    for (r, days) in reports.iter().take(2).zip([3i64, 30]) {
        let new = store::NewFollowUp {
            kind: domain::follow_up::FollowUpKind::FollowUp,
            due_on: Some(today + chrono::Duration::days(days)),
            what: demo::follow_ups::REVIEW_ITEM.into(),
            schedule: None,
        };
        store.plan_follow_up(&me, r.id, &new).await?;
    }
    // As the demo: a finding of a released overall report taken up by HR, with an overdue action
    // and a done, evaluated one (its next-cycle figure beside it), and a policy document in two
    // versions, so that the walk reaches the actions, the finding picker and /policies.
    let hr_ctx = Ctx::for_tests(tenant.id, user("hr")?, "hr", Some(Role::Hr));
    let hr = hr_ctx.as_hr()?;
    let releases = store.released_for_findings(&hr_ctx).await?;
    let source = releases.first().and_then(|(_, newest, _)| releases.iter().find(|(_, c, _)| c.id != newest.id)).map(|(id, _, _)| *id);
    if let Some(report) = source {
        let choices = store.finding_choices(&hr_ctx, report, &[domain::overall_report::Dimension::Department]).await?;
        if let Some(cell) = choices.cells.first() {
            let f = demo::actions::FINDINGS[0];
            let issue = store.raise_issue_from_finding(&hr, report, &cell.measure, &cell.group, f.title, f.body).await?;
            let day = |d: i64| (today + chrono::Duration::days(d)).format("%Y-%m-%d").to_string();
            for (a, (due, done)) in demo::actions::actions().iter().zip([(-10, false), (-60, true)]) {
                let input =
                    store::ActionInput { title: a.title.into(), owner_user: None, owner_text: "人事部".into(), due_on: day(due) };
                let id = store.create_action(&hr, issue, &input).await?;
                store.add_action_note(&hr, id, "進捗を確認した。", &day(-1)).await?;
                if done {
                    store.set_action_status(&hr, id, domain::improvement_action::ActionStatus::Done, "").await?;
                    store.evaluate_action(&hr, id, "partly", "一部の部署で効果が見られた。").await?;
                }
            }
        }
    }
    if let Some(doc) = demo::actions::policy_documents().first() {
        let mut id = None;
        for v in doc {
            let on = (today - chrono::Duration::days(v.approved_days_ago)).format("%Y-%m-%d").to_string();
            id = Some(store.publish_policy_document(&hr, id, v.title, v.body, &on, v.approved_by).await?.0);
        }
    }
    Ok(())
}
