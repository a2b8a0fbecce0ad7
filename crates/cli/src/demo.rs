//! `careerdock demo`: a synthetic company in tenant `demo`, with one login per role.

use crate::config::{self, Global};
use crate::serve::{serve_store, ServeArgs};
use clap::Args;
use demo::history;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::ids::{EmployeeId, UserId};
use domain::import::ParsedRow;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;
use store::{Ctx, NewUser, SeedSummary, Store};

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";

#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    /// Number of employees of the synthetic company.
    #[arg(long, default_value_t = 1200)]
    pub employees: usize,
    /// Random seed (the same seed gives the same company).
    #[arg(long, default_value_t = 20261125)]
    pub seed: u64,
    /// Create the data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to listen on.
    #[arg(long, env = "CAREERDOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    #[command(flatten)]
    pub mail: crate::mail::MailArgs,
}

/// The demo accounts: login, display name, roles, and which generated employee they are.
enum Link {
    None,
    Boss,
    Employee,
    /// A member of 人事部/人事課: the in-house consultant, whom automatic assignment keeps away
    /// from their own department, bosses and reports.
    HrStaff,
}

const USERS: &[(&str, &str, &[Role], Link)] = &[
    ("consultant1", "相田 美咲（キャリアコンサルタント）", &[Role::Consultant], Link::None),
    ("consultant2", "石川 健一（キャリアコンサルタント）", &[Role::Consultant], Link::None),
    ("supervisor", "上野 さくら（スーパーバイザー）", &[Role::Supervisor], Link::None),
    ("hr", "江口 直樹（人事部）", &[Role::Hr], Link::None),
    ("hr-consultant", "大野 由美（人事部・キャリアコンサルタント）", &[Role::Hr, Role::Consultant], Link::HrStaff),
    ("executive", "加藤 誠（取締役）", &[Role::Executive], Link::None),
    ("boss", "（上司）", &[Role::Boss], Link::Boss),
    ("health", "木村 彩（保健師）", &[Role::Health], Link::None),
    ("health2", "森 雅人（産業医）", &[Role::Health], Link::None),
    ("employee", "（従業員）", &[Role::Employee], Link::Employee),
    ("admin", "工藤 亮（システム管理者）", &[Role::Admin], Link::None),
];

pub async fn run(g: &Global, args: DemoArgs) -> anyhow::Result<ExitCode> {
    // The dictionary of the report themes and the fonts of the PDF exports come from Debian.
    crate::debian_packages::ensure_installed();
    let store = config::open(g, true).await?;
    match store.tenant_by_slug(DEMO_TENANT).await {
        Ok(t) => {
            eprintln!("careerdock: the demo company already exists ({} employees); using it as it is", store.employee_count(t.id).await?)
        }
        Err(store::StoreError::NotFound) => populate(&store, &args).await?,
        Err(e) => return Err(e.into()),
    }
    print_logins();
    if args.no_serve {
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let serve = ServeArgs {
        listen: args.listen.clone(),
        behind_proxy: false,
        secure_cookies: false,
        session_idle_minutes: 30,
        demo_mode: true,
        mail: args.mail.clone(),
    };
    serve_store(store, &serve).await?;
    Ok(ExitCode::SUCCESS)
}

/// Creates the demo tenant, its employees and its users.
pub async fn populate(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let today = store::today_jst();
    let company = demo::generate_company(args.employees, args.seed, today);
    let slug = TenantSlug::parse(DEMO_TENANT)?;
    let tenant = store.create_tenant(&slug, &company.name, KThreshold::DEFAULT, "demo").await?;
    let ctx = Ctx::operator(tenant.id, "demo");
    let rows: Vec<ParsedRow> = company.employees.iter().enumerate().map(|(i, r)| ParsedRow::new(i + 2, r.clone())).collect();
    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.set_message("従業員を登録しています");
    let summary = store.import_employees_with_progress(&ctx, &rows, &|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    let mut user_ids = HashMap::new();
    for (login, name, roles, link) in USERS {
        let linked = match link {
            Link::None => None,
            Link::Boss => Some(&company.boss_user_employee),
            Link::Employee => Some(&company.employee_user_employee),
            Link::HrStaff => hr_staff(&company),
        };
        let (employee, display) = match linked {
            Some(number) => match store.employee_by_number(tenant.id, number.as_str()).await {
                Ok(e) if matches!(link, Link::HrStaff) => (Some(e.id), format!("{}（人事部・キャリアコンサルタント）", e.name)),
                Ok(e) => (Some(e.id), e.name),
                Err(_) => (None, name.to_string()),
            },
            None => (None, name.to_string()),
        };
        let id = store.create_user(&ctx, &NewUser { login, display_name: &display, password: DEMO_PASSWORD, roles, employee }).await?;
        user_ids.insert(*login, id);
    }
    store
        .audit(
            &ctx,
            ctx.event(AuditAction::DemoGenerated, AuditTarget::Tenant, tenant.id)
                .detail(AuditDetail::none().n(Key::Employees, args.employees).n(Key::Seed, args.seed)),
        )
        .await?;
    eprintln!(
        "careerdock: created the demo company 「{}」: {} employees in {} departments, {} accounts ({:.1} s)",
        company.name,
        summary.created,
        summary.departments_created,
        USERS.len(),
        start.elapsed().as_secs_f64()
    );
    let history_start = Instant::now();
    let seeded = seed_history(store, &ctx, &company, args.seed, today, &user_ids).await?;
    let notices = seed_notices(store, &ctx, &user_ids).await?;
    eprintln!(
        "careerdock: its history: {} cycles ({} targets), {} interviews ({} notes), {} reports ({} reviews, {} comments), {} consultation requests, {} notices ({:.1} s)",
        seeded.cycles,
        seeded.targets,
        seeded.interviews,
        seeded.notes,
        seeded.reports,
        seeded.reviews,
        seeded.comments,
        seeded.requests,
        notices,
        history_start.elapsed().as_secs_f64()
    );
    let (bosses, acknowledged, consultations) = seed_bosses(store, &ctx, &company, &user_ids).await?;
    eprintln!(
        "careerdock: the guide for bosses: {acknowledged} of {bosses} bosses have acknowledged it; {consultations} boss consultations by consultant1"
    );
    let (cases, issues) = crate::demo_cases::seed(store, tenant.id, &user_ids).await?;
    eprintln!(
        "careerdock: {cases} important cases and {issues} organizational issues; personnel authority marked for {}",
        demo::cases::PERSONNEL_AUTHORITY_LOGINS.join(", ")
    );
    let (released, hidden, drafts) = crate::demo_overall::seed(store, tenant.id, &user_ids).await?;
    eprintln!("careerdock: {released} released overall reports ({hidden} hidden cells) and {drafts} draft");
    let (released, drafts) = crate::demo_management::seed(store, tenant.id, &user_ids).await?;
    eprintln!("careerdock: {released} released management reports, {drafts} draft(s)");
    let (actions, findings, versions) = crate::demo_actions::seed(store, tenant.id, &user_ids).await?;
    eprintln!("careerdock: {actions} improvement actions in every status ({findings} on findings of a released overall report); {versions} policy document versions");
    let (answers, seconds) = crate::demo_questionnaires::seed(store, &ctx, &company, args.seed, today).await?;
    eprintln!("careerdock: {answers} questionnaire answer sets (pre and post, career-awareness) ({seconds:.1} s)");
    // The reviews come after the answers and the actions: their figures include both.
    let (reviews, proposals) = crate::demo_reviews::seed(store, tenant.id, &user_ids).await?;
    eprintln!("careerdock: {reviews} yearly reviews of closed cycles, finalized with {proposals} proposals");
    let (items, review) = crate::demo_follow_ups::seed(store, tenant.id, &user_ids).await?;
    eprintln!("careerdock: {items} follow-up items of consultant1 in every state; next year's review shown: {review}");
    let (contacts, referrals) = crate::demo_referrals::seed(store, tenant.id, &user_ids).await?;
    eprintln!(
        "careerdock: {referrals} referrals by consultant1 (health, health2, the EAP; one under an escalation), {contacts} outside contacts"
    );
    Ok(())
}

/// Other bosses' accounts (some have acknowledged the guide for bosses, some not; `boss` has),
/// and consultant1's consultations with employees' bosses. Answers (bosses, acknowledged,
/// consultations).
async fn seed_bosses(
    store: &Store,
    ctx: &Ctx,
    company: &demo::Company,
    users: &HashMap<&str, UserId>,
) -> anyhow::Result<(usize, usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let mut acknowledged = vec![user("boss")?];
    let extra = demo::boss::extra_bosses(company);
    for b in &extra {
        let e = store.employee_by_number(ctx.tenant(), b.employee.as_str()).await?;
        let new = NewUser { login: &b.login, display_name: &e.name, password: DEMO_PASSWORD, roles: &[Role::Boss], employee: Some(e.id) };
        let id = store.create_user(ctx, &new).await?;
        if b.acknowledged {
            acknowledged.push(id);
        }
    }
    for id in &acknowledged {
        store.seed_boss_guide_acknowledgment(ctx, *id).await?;
    }
    let consultations = store.seed_boss_demo(ctx, user("consultant1")?, &demo::boss::consultation_texts()).await?;
    Ok((extra.len() + 1, acknowledged.len(), consultations))
}

/// A few notices per login, some read (demo::notices), without e-mail: they are history.
async fn seed_notices(store: &Store, ctx: &Ctx, users: &HashMap<&str, UserId>) -> anyhow::Result<usize> {
    let now = store::now_ms();
    let hour = 3_600_000;
    let notices = demo::notices::NOTICES
        .iter()
        .filter_map(|n| {
            users.get(n.login).map(|user| store::SeedNotice {
                user: *user,
                kind: n.kind,
                link: n.link.to_string(),
                created_at: now - n.hours_ago * hour,
                read_at: n.read_hours_ago.map(|h| now - h * hour),
            })
        })
        .collect::<Vec<_>>();
    Ok(store.seed_notices(ctx, &notices).await?)
}

/// The first active member (not a head) of 人事部/人事課, for the in-house consultant.
fn hr_staff(company: &demo::Company) -> Option<&domain::employee::EmployeeNumber> {
    company
        .employees
        .iter()
        .find(|e| {
            e.status == domain::employee::EmployeeStatus::Active
                && e.department.to_path_string().ends_with("人事部/人事課")
                && e.grade.as_deref().is_some_and(|g| ["G1", "G2", "G3", "G4"].contains(&g))
        })
        .map(|e| &e.number)
}

/// The consultants of the demo history, in the generator's order, and the supervisor.
pub(crate) const HISTORY_CONSULTANTS: [&str; 3] = ["consultant1", "consultant2", "hr-consultant"];
const HISTORY_SUPERVISOR: &str = "supervisor";

/// Three fiscal years of cycles, interviews, reports and requests for the demo company.
async fn seed_history(
    store: &Store,
    ctx: &Ctx,
    company: &demo::Company,
    seed: u64,
    today: chrono::NaiveDate,
    users: &HashMap<&str, UserId>,
) -> anyhow::Result<SeedSummary> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let consultants = HISTORY_CONSULTANTS.iter().map(|l| user(l)).collect::<anyhow::Result<Vec<UserId>>>()?;
    let supervisor = user(HISTORY_SUPERVISOR)?;
    let mut history = history::generate_history(company, seed, today, consultants.len());
    // Issue 8: reports of the boss's team by consultant1 and their feedback in every state.
    let consent_story = demo::consent::add_story(&mut history, company, today);
    let by_number = store.employee_ids_by_number(ctx.tenant()).await?;
    let employees = company
        .employees
        .iter()
        .map(|e| {
            by_number.get(e.number.as_str()).copied().ok_or_else(|| anyhow::anyhow!("employee {} was not registered", e.number.as_str()))
        })
        .collect::<anyhow::Result<Vec<EmployeeId>>>()?;
    let input = demo::seed::to_seed(history, &employees, &consultants, supervisor);
    let summary = store.seed_history(ctx, &input).await?;
    let consents =
        demo::consent::to_seed(&consent_story, &employees, user("consultant1")?, user("boss")?, user("employee")?, store::now_ms());
    store.seed_disclosures(ctx, &consents).await?;
    // The escalations of 木村 (health) and 森 (health2), the tenant's named responders.
    let responders = [user("health")?, user("health2")?];
    let escalations = demo::escalations::escalations(&input, consultants[0], responders, store::now_ms());
    store.seed_escalations(ctx, &escalations).await?;
    Ok(summary)
}

/// The demo logins and their roles, in the order they are printed.
pub fn demo_logins() -> impl Iterator<Item = (&'static str, &'static [Role])> {
    USERS.iter().map(|(login, _, roles, _)| (*login, *roles))
}

fn print_logins() {
    println!("デモ用ログイン / demo logins — 組織コード (tenant): {DEMO_TENANT}, パスワード (password): {DEMO_PASSWORD}");
    for (login, _, roles, _) in USERS {
        let labels: Vec<&str> = roles.iter().map(|r| r.label_ja()).collect();
        println!("  {login:<14} {}", labels.join(" + "));
    }
}
