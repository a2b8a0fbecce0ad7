//! `careerdock bench proof` (issue 11, item 5): every figure of the proof under load and scale,
//! in one run on one database, over the tenant `bench overall` generates (N employees, C
//! cycles, from the demo's company generator):
//!
//! 1. load: a real `careerdock serve` child answers N keep-alive connections in closed loops
//!    for S seconds per endpoint: a trivial endpoint (`/healthz`), HR's and a consultant's home
//!    page (session cookies), and two API lists (bearer tokens); p50, p99, throughput, and each
//!    p99 against the trivial endpoint's (goal ≤ 3×);
//! 2. audited reads: T tasks read confidential reports through the gate (each read audited
//!    durably before the text is opened) for S seconds, against the same database's sequential
//!    single-row durable commits (goal ≥ 10×);
//! 3. import: `careerdock import employees` (this executable, a child process) of a generated
//!    register of N rows into a fresh tenant, against `sqlite3`'s `.import` of the same file into
//!    a fresh table (goal ≥ 0.5× its speed);
//! 4. the overall report against DuckDB, its PDF and the server's memory: `bench overall`'s
//!    figures, measured in the same run.
//!
//! Figures are printed, never asserted; the last lines are one table of figure, value, goal and
//! PASS/MISS.

use super::load::{self, Target};
use super::overall::{self, Figure, OverallArgs, BENCH_TENANT};
use crate::config::{self, Global};
use anyhow::{bail, Context};
use domain::ids::TokenId;
use domain::import::{write_employee_csv, SourceEncoding};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use reqwest::header::{AUTHORIZATION, COOKIE};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store::{Ctx, PageRequest, ReportQuery, MAX_PAGE_SIZE};

/// Goals (issue 11, item 5).
const GOAL_P99_RATIO: f64 = 3.0;
const GOAL_AUDITED: f64 = 10.0;
const GOAL_IMPORT: f64 = 0.5;

pub struct ProofArgs {
    pub employees: usize,
    pub cycles: usize,
    pub seed: u64,
    /// Concurrent connections of the load.
    pub connections: usize,
    /// Seconds of load per endpoint.
    pub seconds: f64,
    /// Concurrent tasks of the audited reads.
    pub tasks: usize,
    /// Seconds of audited reads.
    pub audit_seconds: f64,
    /// Sequential single-row commits timed for the raw rate.
    pub raw_commits: usize,
    /// Rows of the imported register (default: the tenant's employees).
    pub import_rows: Option<usize>,
    /// Timed requests per page of the overall part's server.
    pub requests: usize,
    pub no_duckdb: bool,
    pub no_themes: bool,
    pub no_overall: bool,
    /// The database named by `--db`, when it was given; otherwise a temporary SQLite file.
    pub db: Option<String>,
}

pub async fn run(g: &Global, args: ProofArgs) -> anyhow::Result<()> {
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!(
        "bench proof: {} employees, {} cycles; load {} connections × {} s per endpoint; audited reads {} tasks × {} s ({build} build)",
        args.employees, args.cycles, args.connections, args.seconds, args.tasks, args.audit_seconds
    );
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with `cargo build --release -p careerdock`");
    }
    if args.cycles == 0 {
        bail!("--cycles must be at least 1");
    }
    let temp = std::env::temp_dir().join(format!("careerdock-bench-proof-{}", std::process::id()));
    std::fs::create_dir_all(&temp)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o700))?;
    }
    let result = proof(g, &args, &temp).await;
    let _ = std::fs::remove_dir_all(&temp);
    let figures = result?;
    overall::print_table("bench proof", &figures, build);
    Ok(())
}

async fn proof(g: &Global, args: &ProofArgs, temp: &Path) -> anyhow::Result<Vec<Figure>> {
    // The bench's own SQLite file (its key file beside it) unless --db named a database.
    let g = match &args.db {
        Some(_) => g.clone(),
        None => Global { db: temp.join("proof.db").display().to_string(), key_file: None, ..g.clone() },
    };
    let overall_args = |generate_only: bool| OverallArgs {
        employees: args.employees,
        cycles: args.cycles,
        requests: args.requests,
        no_duckdb: args.no_duckdb,
        seed: args.seed,
        generate_only,
        no_themes: args.no_themes,
        db: Some(g.db.clone()),
    };

    println!("\n== 1. the tenant");
    let mut figures = overall::bench(&g, &overall_args(true), temp).await?;

    println!("\n== 2. load: {} connections, {} s per endpoint, over real HTTP", args.connections, args.seconds);
    figures.extend(or_failed(load_figures(&g, args, temp).await, "load", "≤ 3×"));

    println!("\n== 3. audited reads of confidential content: {} tasks, {} s", args.tasks, args.audit_seconds);
    figures.extend(or_failed(audited_reads(&g, args).await, "audited reads / single-row commits", "≥ 10×"));

    println!("\n== 4. import of the employee register");
    figures.extend(or_failed(import(&g, args, temp).await, "import: careerdock / sqlite3 .import (speed)", "≥ 0.5×"));

    println!("\n== 5. the overall report against DuckDB, its PDF, the server's memory");
    if args.no_overall {
        println!("overall: skipped (--no-overall)");
        figures.push(Figure::skipped("ratio full build / DuckDB", "--no-overall", "≤ 1.5"));
        figures.push(Figure::skipped("PDF of the report", "--no-overall", "< 1 s"));
    } else {
        let measured = or_failed(overall::bench(&g, &overall_args(false), temp).await, "ratio full build / DuckDB", "≤ 1.5");
        // The tenant's line is the first part's.
        figures.extend(measured.into_iter().filter(|f| f.name != "generation"));
    }
    Ok(figures)
}

/// A part that failed is a line of the table (a MISS that says why); the next parts still run.
fn or_failed(result: anyhow::Result<Vec<Figure>>, name: &str, goal: &str) -> Vec<Figure> {
    match result {
        Ok(figures) => figures,
        Err(e) => {
            println!("FAILED: {e:#}");
            vec![Figure::goal(name, format!("failed: {e:#}"), goal, false)]
        }
    }
}

// -------------------------------------------------------------------- 1. load

async fn load_figures(g: &Global, args: &ProofArgs, temp: &Path) -> anyhow::Result<Vec<Figure>> {
    // Bearer tokens for the API lists, issued as `careerdock token create` does.
    let store = config::open(g, false).await?;
    let tenant = store.tenant_by_slug(BENCH_TENANT).await?;
    let op = Ctx::operator(tenant.id, "bench proof");
    let mut tokens: Vec<(domain::ids::UserId, TokenId)> = Vec::new();
    let token_of = |login: &'static str, role: Role| {
        let store = store.clone();
        let op = op.clone();
        async move {
            let user = store.user_by_login(tenant.id, login).await.with_context(|| format!("the bench account {login}"))?;
            let (secret, id) = store.issue_token(&op, user.id, role, "bench proof", Some(1)).await?;
            Ok::<_, anyhow::Error>((secret, user.id, id))
        }
    };
    let (hr_token, hr, hr_id) = token_of("hr", Role::Hr).await?;
    let (consultant_token, consultant, consultant_id) = token_of("consultant1", Role::Consultant).await?;
    tokens.extend([(hr, hr_id), (consultant, consultant_id)]);
    store.close().await;

    let outcome = async {
        let (mut server, base) = overall::start_server(g, temp).await?;
        println!("server: careerdock serve (pid {}) at {base}", server.child.id());
        let hr_cookie = overall::signed_in(&base, "hr").await?.cookie_header();
        let consultant_cookie = overall::signed_in(&base, "consultant1").await?.cookie_header();
        let bearer = |t: &str| vec![(AUTHORIZATION, format!("Bearer {t}"))];
        let targets = [
            Target { name: "trivial endpoint".into(), path: "/healthz".into(), headers: Vec::new() },
            Target { name: "HR's home (dashboard)".into(), path: "/".into(), headers: vec![(COOKIE, hr_cookie)] },
            Target { name: "consultant's home (dashboard)".into(), path: "/".into(), headers: vec![(COOKIE, consultant_cookie)] },
            Target { name: "API list: employees (HR)".into(), path: "/api/v1/employees".into(), headers: bearer(&hr_token) },
            Target { name: "API list: reports (consultant)".into(), path: "/api/v1/reports".into(), headers: bearer(&consultant_token) },
        ];
        println!(
            "  {:<32} {:<18} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9}",
            "endpoint", "path", "requests", "per s", "p50 ms", "p99 ms", "max ms", "errors", "body KiB"
        );
        let mut figures = Vec::new();
        let mut trivial_p99 = None;
        for t in &targets {
            let f = match load::run(&base, t, args.connections, args.seconds).await {
                Ok(f) => f,
                Err(e) => {
                    // A failure is a figure too: say it, show what the server said, go on.
                    println!("  {:<32} {:<18} FAILED: {e:#}", t.name, t.path);
                    let log = std::fs::read_to_string(temp.join("serve.stderr")).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(5).collect();
                    for line in tail.iter().rev() {
                        println!("    server: {line}");
                    }
                    figures.push(Figure::goal(&format!("load: {} p99 / trivial p99", t.name), format!("failed: {e:#}"), "≤ 3×", false));
                    continue;
                }
            };
            println!(
                "  {:<32} {:<18} {:>9} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>9.1}",
                t.name,
                t.path,
                f.requests,
                f.per_second,
                f.p50_ms,
                f.p99_ms,
                f.max_ms,
                f.errors,
                f.body_bytes as f64 / 1024.0
            );
            let errors = if f.errors > 0 { format!(", {} ERRORS", f.errors) } else { String::new() };
            let detail = format!("p50 {:.1} ms, p99 {:.1} ms, {:.0}/s{errors}", f.p50_ms, f.p99_ms, f.per_second);
            match trivial_p99 {
                None => {
                    trivial_p99 = Some(f.p99_ms);
                    figures.push(Figure::info(&format!("load: {} {}", t.name, t.path), detail));
                }
                Some(base_p99) => {
                    let ratio = f.p99_ms / f64::max(base_p99, 1e-3);
                    figures.push(Figure::goal(
                        &format!("load: {} p99 / trivial p99", t.name),
                        format!("{ratio:.1}× ({detail})"),
                        "≤ 3×",
                        ratio <= GOAL_P99_RATIO && f.errors == 0,
                    ));
                }
            }
        }
        server.stop();
        Ok::<_, anyhow::Error>(figures)
    }
    .await;

    // The tokens end with the bench (they would expire in a day anyway).
    if let Ok(store) = config::open(g, false).await {
        for (user, id) in tokens {
            let _ = store.revoke_user_token(&op, user, id).await;
        }
        store.close().await;
    }
    outcome
}

// -------------------------------------------------------------------- 2. audited reads

async fn audited_reads(g: &Global, args: &ProofArgs) -> anyhow::Result<Vec<Figure>> {
    let store = config::open(g, false).await?;
    let backend = store.backend().as_str();
    let tenant = store.tenant_by_slug(BENCH_TENANT).await?;
    let user = store.user_by_login(tenant.id, "consultant1").await.context("the bench account consultant1")?;
    let session = store.create_session(tenant.id, user.id, Some(Role::Consultant), None).await?;
    let ctx = Ctx::signed_in(&session.proof, &user, Some(Role::Consultant));
    let outcome = async {
        // The consultant's own approved reports: each read opens its sections through the gate.
        let page = store.report_page(&ctx, &ReportQuery::default(), PageRequest::new(MAX_PAGE_SIZE, 0), Locale::Ja).await?;
        let ids: Vec<domain::ids::ReportId> = page.items.iter().filter(|r| r.is_mine).map(|r| r.id).collect();
        let Some(first) = ids.first() else { bail!("consultant1 has no report to read") };
        let sample = store.read_report(&ctx, *first, Locale::Ja).await?;
        let chars: usize = domain::report::SECTIONS.iter().map(|s| sample.sections.get(s).unwrap_or("").chars().count()).sum();
        println!("on {backend}: consultant1 reads {} own reports in turn (report {first}: {chars} characters decrypted)", ids.len());

        let raw = args.raw_commits.max(1);
        let took = store.bench_raw_commits(1, raw).await?;
        let raw_rate = raw as f64 / took.as_secs_f64().max(1e-9);
        println!("  sequential single-row durable commits (one INSERT per transaction): {raw_rate:>9.0} /s ({raw} commits)");

        let window = Duration::from_secs_f64(args.audit_seconds.max(0.1));
        let tasks = args.tasks.max(1);
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(tasks));
        let started = Instant::now();
        let mut handles = Vec::with_capacity(tasks);
        for t in 0..tasks {
            let store = store.clone();
            let ctx = ctx.clone();
            let ids = ids.clone();
            let barrier = barrier.clone();
            handles.push(tokio::spawn(async move {
                barrier.wait().await;
                let begun = Instant::now();
                let mut n = 0usize;
                let mut i = t;
                while begun.elapsed() < window {
                    store.read_report(&ctx, ids[i % ids.len()], Locale::Ja).await?;
                    n += 1;
                    i += tasks;
                }
                Ok::<usize, store::StoreError>(n)
            }));
        }
        let mut reads = 0;
        for h in handles {
            reads += h.await.context("a reading task panicked")??;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let rate = reads as f64 / elapsed.max(1e-9);
        println!("  audited reads (report sections decrypted, the audit event durable first), {tasks} tasks: {rate:>9.0} /s ({reads} reads, {elapsed:.1} s)");
        let ratio = rate / raw_rate.max(1e-9);
        println!("  ratio: {ratio:.1}×");
        Ok(vec![
            Figure::info("durable single-row commits, sequential", format!("{raw_rate:.0} /s")),
            Figure::goal(
                &format!("audited reads, {tasks} tasks / single-row commits"),
                format!("{ratio:.1}× ({rate:.0} reads/s)"),
                "≥ 10×",
                ratio >= GOAL_AUDITED,
            ),
        ])
    }
    .await;
    let _ = store.delete_session(&session.secret).await;
    store.close().await;
    outcome
}

// -------------------------------------------------------------------- 3. import

async fn import(g: &Global, args: &ProofArgs, temp: &Path) -> anyhow::Result<Vec<Figure>> {
    let rows = args.import_rows.unwrap_or(args.employees).max(1);
    let today = store::today_jst();
    let company = demo::generate_company(rows, args.seed ^ 0x696d_706f_7274, today);
    // As `careerdock export employees --encoding utf-8` writes it: Japanese headers, no BOM (which
    // sqlite3 would take into the first column's name).
    let csv = temp.join("employees.csv");
    std::fs::write(&csv, write_employee_csv(&company.employees, SourceEncoding::Utf8, true))?;
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "the register: {} rows, {:.1} MB, Japanese headers (as `export employees` writes them)",
        company.employees.len(),
        size as f64 / 1e6
    );

    // A fresh tenant, so that every row is new.
    let slug = format!("bench-import-{}", store::now_ms());
    {
        let store = config::open(g, false).await?;
        store.create_tenant(&TenantSlug::parse(&slug)?, "ベンチ取込株式会社", KThreshold::DEFAULT, "bench proof").await?;
        store.close().await;
    }
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.arg("--db").arg(g.db_url()?);
    if let Some(k) = &g.key_file {
        cmd.arg("--key-file").arg(k);
    }
    cmd.args(["import", "employees"]).arg(&csv).args(["--tenant", &slug]).stdin(Stdio::null());
    let started = Instant::now();
    let out = cmd.output().context("running careerdock import employees")?;
    let product_s = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("careerdock import employees failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    println!("  careerdock import employees (a child process, into the fresh tenant {slug}): {product_s:.2} s");
    println!("    {}", String::from_utf8_lossy(&out.stdout).trim());

    let sqlite_db = temp.join("sqlite3-import.db");
    let started = Instant::now();
    let sqlite =
        Command::new("sqlite3").arg(&sqlite_db).arg(format!(".import --csv \"{}\" employees", csv.display())).stdin(Stdio::null()).output();
    let sqlite_s = started.elapsed().as_secs_f64();
    let name = "import: careerdock / sqlite3 .import (speed)";
    let figure = match sqlite {
        Err(e) => {
            println!("  sqlite3: skipped ({e}; apt-get install sqlite3)");
            Figure::skipped(name, "no sqlite3", "≥ 0.5×")
        }
        Ok(o) if !o.status.success() => {
            println!("  sqlite3 .import failed: {}", String::from_utf8_lossy(&o.stderr).trim());
            Figure::skipped(name, "sqlite3 failed", "≥ 0.5×")
        }
        Ok(_) => {
            let count = Command::new("sqlite3").arg(&sqlite_db).arg("SELECT count(*) FROM employees").output()?;
            let count = String::from_utf8_lossy(&count.stdout).trim().to_string();
            println!("  sqlite3 .import --csv of the same file into a fresh table: {sqlite_s:.2} s ({count} rows)");
            let ratio = sqlite_s / product_s.max(1e-9);
            println!("  ratio (speed, careerdock / sqlite3): {ratio:.2}×");
            Figure::goal(name, format!("{ratio:.2}× ({product_s:.2} s vs {sqlite_s:.2} s, {rows} rows)"), "≥ 0.5×", ratio >= GOAL_IMPORT)
        }
    };
    Ok(vec![figure])
}
