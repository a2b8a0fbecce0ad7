//! `careerdock`: the server and the operator's commands, over the same store and rules.

mod backup;
mod bench;
mod config;
mod cycle;
mod debian_packages;
mod demo;
mod demo_actions;
mod demo_cases;
mod demo_follow_ups;
mod demo_management;
mod demo_overall;
mod demo_questionnaires;
mod demo_referrals;
mod demo_reviews;
mod keys;
mod list_scope;
mod mail;
mod register;
mod report;
mod report_effect;
mod report_management;
mod serve;
mod token;
mod user;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "careerdock", version, about = "Self-Career Dock follow-up: reports, consent, anonymized aggregates, audit")]
struct Cli {
    #[command(flatten)]
    global: config::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API.
    Serve(serve::ServeArgs),
    /// Create (if absent) a demo database with a synthetic company, then serve it.
    Demo(demo::DemoArgs),
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Import data (employees from an HR system's CSV).
    Import {
        #[command(subcommand)]
        what: register::ImportWhat,
    },
    /// Export data (employees as CSV).
    Export {
        #[command(subcommand)]
        what: register::ExportWhat,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Data keys for sealed (encrypted) text.
    Keys {
        #[command(subcommand)]
        what: keys::KeysWhat,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        what: token::TokenWhat,
    },
    /// Tenants (client companies).
    Tenant {
        #[command(subcommand)]
        what: token::TenantWhat,
    },
    /// Accounts: create (with a one-time password), list, disable, enable.
    User {
        #[command(subcommand)]
        what: user::UserWhat,
    },
    /// Cycles (実施年度).
    Cycle {
        #[command(subcommand)]
        what: cycle::CycleWhat,
    },
    /// Background jobs: recent and failed ones.
    Jobs {
        #[command(subcommand)]
        what: JobsWhat,
    },
    /// Write a consistent snapshot of the database (online) and its sidecar FILE.meta.json.
    Backup(backup::BackupArgs),
    /// Restore a backup into --db (refuses to replace data unless --force; keeps what it replaces).
    Restore(backup::RestoreArgs),
    /// Aggregate reports: a released overall report or management report (JSON, HTML, …).
    Report {
        #[command(subcommand)]
        what: report::ReportWhat,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        what: bench::BenchWhat,
    },
}

#[derive(Subcommand)]
enum JobsWhat {
    /// List the newest jobs (tab-separated: id, kind, state, attempts, due, last error).
    List {
        /// Only jobs that failed for good.
        #[arg(long)]
        failed: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Subcommand)]
enum AuditWhat {
    /// Verify every tenant's hash chain (or one) and name the first broken link.
    Verify {
        #[arg(long)]
        tenant: Option<String>,
    },
}

/// Whether the argument `id` was given (on the command line or in the environment) at any level.
fn given(m: &ArgMatches, id: &str) -> bool {
    let here =
        matches!(m.try_get_raw(id), Ok(Some(_))) && matches!(m.value_source(id), Some(ValueSource::CommandLine | ValueSource::EnvVariable));
    here || m.subcommand().is_some_and(|(_, sub)| given(sub, id))
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let db_given = given(&matches, "db");
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    config::init_tracing(&cli.global, matches!(cli.command, Command::Serve(_) | Command::Demo(_)));
    if matches!(cli.command, Command::Serve(_) | Command::Demo(_)) {
        // Before any thread: freed big buffers go back to the system (serve.rs).
        serve::return_big_buffers_to_the_os();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, db_given)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, db_given: bool) -> anyhow::Result<ExitCode> {
    let g = cli.global;
    match cli.command {
        Command::Serve(args) => serve::run(&g, args).await,
        Command::Demo(args) => demo::run(&g, args).await,
        Command::Migrate => {
            let store = config::open(&g, true).await?;
            println!("database is at schema version {} ({})", store::schema_version(), store.backend().as_str());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { what } => register::import(&g, what).await,
        Command::Export { what } => register::export(&g, what).await,
        Command::Audit { what: AuditWhat::Verify { tenant } } => audit_verify(&g, tenant).await,
        Command::Keys { what } => keys::run(&g, what).await,
        Command::Token { what } => token::run(&g, what).await,
        Command::Tenant { what } => token::tenant(&g, what).await,
        Command::User { what } => user::run(&g, what).await,
        Command::Cycle { what } => cycle::run(&g, what).await,
        Command::Jobs { what: JobsWhat::List { failed, limit } } => jobs_list(&g, failed, limit).await,
        Command::Backup(args) => backup::backup(&g, args).await,
        Command::Restore(args) => backup::restore(&g, args).await,
        Command::Bench { what } => bench::run(&g, what, db_given).await,
        Command::Report { what } => report::run(&g, what).await,
    }
}

async fn jobs_list(g: &config::Global, failed: bool, limit: i64) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let jobs = store.recent_jobs(limit, failed).await;
    store.close().await;
    let now = store::now_ms();
    for j in jobs? {
        let error = j.last_error.as_deref().unwrap_or("").replace(['\t', '\n'], " ");
        println!(
            "{}\t{}\t{}\t{}/{}\t{}\t{error}",
            j.id,
            j.kind,
            j.state(now).as_str(),
            j.attempts,
            j.max_attempts,
            domain::time::format_jst(j.due_at)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit_verify(g: &config::Global, tenant: Option<String>) -> anyhow::Result<ExitCode> {
    let store = config::open(g, false).await?;
    let only = match &tenant {
        Some(slug) => Some(config::tenant(&store, slug).await?.id),
        None => None,
    };
    let outcomes = store.verify_audit(only).await?;
    let mut ok = true;
    for o in &outcomes {
        match &o.broken {
            None => println!("ok      tenant {} ({}): {} events, chain intact", o.slug, o.tenant, o.events),
            Some(b) => {
                ok = false;
                println!("BROKEN  tenant {} ({}): first broken link at event {}: {b}", o.slug, o.tenant, b.seq);
            }
        }
    }
    store.close().await;
    if outcomes.is_empty() {
        println!("no tenants");
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
