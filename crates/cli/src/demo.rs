//! `careerdock demo`: a synthetic company in tenant `demo`, with one login per role.

use crate::config::{self, Global};
use crate::serve::{serve_store, ServeArgs};
use clap::Args;
use domain::audit::AuditAction;
use domain::import::ParsedRow;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::time::Instant;
use store::{Ctx, NewUser, Store};

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
}

/// The demo accounts: login, display name, roles, and which generated employee they are.
enum Link {
    None,
    Boss,
    Employee,
}

const USERS: &[(&str, &str, &[Role], Link)] = &[
    ("consultant1", "相田 美咲（キャリアコンサルタント）", &[Role::Consultant], Link::None),
    ("consultant2", "石川 健一（キャリアコンサルタント）", &[Role::Consultant], Link::None),
    ("supervisor", "上野 さくら（スーパーバイザー）", &[Role::Supervisor], Link::None),
    ("hr", "江口 直樹（人事部）", &[Role::Hr], Link::None),
    ("hr-consultant", "大野 由美（人事部・キャリアコンサルタント）", &[Role::Hr, Role::Consultant], Link::None),
    ("executive", "加藤 誠（取締役）", &[Role::Executive], Link::None),
    ("boss", "（上司）", &[Role::Boss], Link::Boss),
    ("health", "木村 彩（保健師）", &[Role::Health], Link::None),
    ("employee", "（従業員）", &[Role::Employee], Link::Employee),
    ("admin", "工藤 亮（システム管理者）", &[Role::Admin], Link::None),
];

pub async fn run(g: &Global, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let store = config::open(g, true).await?;
    match store.tenant_by_slug(DEMO_TENANT).await {
        Ok(t) => eprintln!("careerdock: the demo company already exists ({} employees); using it as it is", store.employee_count(t.id).await?),
        Err(store::StoreError::NotFound) => populate(&store, &args).await?,
        Err(e) => return Err(e.into()),
    }
    print_logins();
    if args.no_serve {
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let serve = ServeArgs { listen: args.listen.clone(), behind_proxy: false, secure_cookies: false, session_idle_minutes: 30, demo_mode: true };
    serve_store(store, &serve).await?;
    Ok(ExitCode::SUCCESS)
}

/// Creates the demo tenant, its employees and its users.
pub async fn populate(store: &Store, args: &DemoArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let today = chrono::Local::now().date_naive();
    let company = demo::generate_company(args.employees, args.seed, today);
    let slug = TenantSlug::parse(DEMO_TENANT)?;
    let tenant = store.create_tenant(&slug, &company.name, KThreshold::DEFAULT, "demo").await?;
    let ctx = Ctx::operator(tenant.id, "demo");
    let rows: Vec<ParsedRow> = company.employees.iter().enumerate().map(|(i, r)| ParsedRow { line: i + 2, record: r.clone() }).collect();
    let bar = ProgressBar::new(rows.len() as u64);
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.set_message("従業員を登録しています");
    let summary = store.import_employees_with_progress(&ctx, &rows, &|n| bar.set_position(n as u64)).await?;
    bar.finish_and_clear();
    for (login, name, roles, link) in USERS {
        let linked = match link {
            Link::None => None,
            Link::Boss => Some(&company.boss_user_employee),
            Link::Employee => Some(&company.employee_user_employee),
        };
        let (employee, display) = match linked {
            Some(number) => match store.employee_by_number(tenant.id, number.as_str()).await {
                Ok(e) => (Some(e.id), e.name),
                Err(_) => (None, name.to_string()),
            },
            None => (None, name.to_string()),
        };
        store.create_user(&ctx, &NewUser { login, display_name: &display, password: DEMO_PASSWORD, roles, employee }).await?;
    }
    store.audit(&ctx, ctx.event(AuditAction::DemoGenerated, "tenant", tenant.id).detail(format!("employees={} seed={}", args.employees, args.seed))).await?;
    eprintln!(
        "careerdock: created the demo company 「{}」: {} employees in {} departments, {} accounts ({:.1} s)",
        company.name,
        summary.created,
        summary.departments_created,
        USERS.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn print_logins() {
    println!("デモ用ログイン / demo logins — 組織コード (tenant): {DEMO_TENANT}, パスワード (password): {DEMO_PASSWORD}");
    for (login, _, roles, _) in USERS {
        let labels: Vec<&str> = roles.iter().map(|r| r.label_ja()).collect();
        println!("  {login:<14} {}", labels.join(" + "));
    }
}
