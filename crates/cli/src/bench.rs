//! `careerdock bench …`: figures printed, never asserted.

use crate::config::Global;
use crate::demo::{populate, DemoArgs};
use clap::Subcommand;
use domain::audit::{AuditAction, AuditTarget};
use domain::tenant::{KThreshold, TenantSlug};
use std::process::ExitCode;
use std::time::Instant;
use store::{Ctx, KeySource, OpenOptions, Store};

mod anonymity;
mod load;
mod overall;
mod pages;
mod pdf;
mod proof;
mod themes;

#[derive(Subcommand)]
pub enum BenchWhat {
    /// Audited appends per second under concurrent readers, beside raw durable commits.
    Audit {
        /// Databases to measure (repeat for several; default: a fresh SQLite file in a temp dir).
        #[arg(long = "on")]
        on: Vec<String>,
        #[arg(long, default_value_t = 64)]
        tasks: usize,
        #[arg(long, default_value_t = 50)]
        per_task: usize,
        /// Single-row commits for the raw rate.
        #[arg(long, default_value_t = 300)]
        raw: usize,
    },
    /// The pseudonymizer over the demo's reports: name index build, and masking per report.
    Reports {
        /// Databases that already hold the demo tenant (default: a fresh demo in a temp dir).
        #[arg(long = "on")]
        on: Vec<String>,
        /// Employees of the fresh demo when no database is given.
        #[arg(long, default_value_t = 1200)]
        employees: usize,
    },
    /// Every page of every demo login's navigation, and the main sub-pages, over real HTTP:
    /// median and p95 time and size, against 200 ms and 200 KiB. With --db, builds the demo
    /// there (or reuses a demo of that size); otherwise in a temporary SQLite file.
    Pages {
        /// Employees of the demo company.
        #[arg(long, default_value_t = 1200)]
        employees: usize,
        /// Timed requests per page.
        #[arg(long, default_value_t = 7)]
        requests: usize,
    },
    /// Japanese text themes: the dictionary's build and load times, and theme extraction per
    /// approved report against the bare tokenizer's rate on the same texts (goal ≥ 0.5×).
    Themes {
        /// Databases that already hold the demo tenant (default: a fresh demo in a temp dir).
        #[arg(long = "on")]
        on: Vec<String>,
        /// Employees of the fresh demo when no database is given.
        #[arg(long, default_value_t = 1200)]
        employees: usize,
        /// The tenant of the databases given with --on (`bench-overall` for a database made by
        /// `bench overall --db`).
        #[arg(long, default_value = crate::demo::DEMO_TENANT)]
        tenant: String,
    },
    /// The anonymity engine over a generated organization: one release and a second one
    /// against it (no database).
    Anonymity {
        #[arg(long, default_value_t = 100_000)]
        employees: usize,
        #[arg(long, default_value_t = domain::anonymity::DEFAULT_K)]
        k: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The overall report's PDF on a generated report (no database): fonts' load time, first
    /// render, median of the later renders, pages.
    Pdf {
        /// Departments of the generated report (each adds rows to three tables).
        #[arg(long, default_value_t = 12)]
        departments: usize,
        /// Renders timed after the first.
        #[arg(long, default_value_t = 9)]
        renders: usize,
    },
    /// The overall report at scale, in one run: a generated tenant of N employees and C cycles
    /// (about 30% interviewed per cycle, approved reports with tags, flags and text), the latest
    /// cycle's report built and released through the product's flow against the earlier
    /// releases, the same counts in DuckDB (from PyPI, in ~/.cache/careerdock/bench-venv), the
    /// PDF, the peak memory of `careerdock serve` answering HR, and theme extraction against the
    /// bare tokenizer; ends with a table of figure, value, goal and PASS/MISS. With --db, the
    /// tenant is made there once and reused by later runs of the same size.
    Overall {
        #[arg(long, default_value_t = 100_000)]
        employees: usize,
        #[arg(long, default_value_t = 5)]
        cycles: usize,
        /// Timed requests per page against the server.
        #[arg(long, default_value_t = 3)]
        requests: usize,
        /// Skip the DuckDB comparison (no venv, no pip).
        #[arg(long)]
        no_duckdb: bool,
        #[arg(long, default_value_t = 20261204)]
        seed: u64,
        /// Only make the tenant (in --db, for later runs), then stop.
        #[arg(long)]
        generate_only: bool,
        /// Skip the theme extraction figure (a reused tenant keeps its term index).
        #[arg(long)]
        no_themes: bool,
    },
    /// Issue 11's figures under load and at scale, side by side, in one run on one database (a
    /// temporary SQLite file, or --db): over `bench overall`'s tenant of N employees and C cycles
    /// (made once, reused), (1) a real `careerdock serve` under N keep-alive connections for S
    /// seconds per endpoint: /healthz, HR's and a consultant's home, two API lists (p50, p99,
    /// throughput; goal p99 ≤ 3× /healthz's); (2) audited reads of confidential reports by T
    /// tasks against sequential single-row durable commits (goal ≥ 10×); (3) `careerdock import
    /// employees` of N rows against `sqlite3`'s `.import` of the same file (goal ≥ 0.5× its
    /// speed); (4) `bench overall`'s figures: the overall report against DuckDB, its PDF, the
    /// server's memory. Ends with one table of figure, value, goal and PASS/MISS.
    Proof {
        #[arg(long, default_value_t = 100_000)]
        employees: usize,
        #[arg(long, default_value_t = 5)]
        cycles: usize,
        /// Concurrent keep-alive connections of the load.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds of load per endpoint.
        #[arg(long, default_value_t = 30.0)]
        seconds: f64,
        /// Concurrent tasks reading confidential reports.
        #[arg(long, default_value_t = 64)]
        tasks: usize,
        /// Seconds of audited reads.
        #[arg(long, default_value_t = 10.0)]
        audit_seconds: f64,
        /// Sequential single-row durable commits timed for the database's own rate.
        #[arg(long, default_value_t = 500)]
        raw_commits: usize,
        /// Rows of the imported register (default: --employees).
        #[arg(long)]
        import_rows: Option<usize>,
        /// Timed requests per page when the overall part reads the released report.
        #[arg(long, default_value_t = 3)]
        requests: usize,
        /// Skip the DuckDB comparison (no venv, no pip).
        #[arg(long)]
        no_duckdb: bool,
        /// Skip the theme extraction figure.
        #[arg(long)]
        no_themes: bool,
        /// Skip the overall report's part (DuckDB, PDF, the server's memory).
        #[arg(long)]
        no_overall: bool,
        #[arg(long, default_value_t = 20261204)]
        seed: u64,
    },
    /// Time to generate and load the demo company.
    Demo {
        #[arg(long = "on")]
        on: Vec<String>,
        #[arg(long, default_value_t = 100_000)]
        employees: usize,
    },
}

/// A throwaway data key: benchmarks seal nothing worth keeping.
pub(crate) fn random_key() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::STANDARD.encode(b)
}

async fn open_target(url: Option<&str>, dir: &std::path::Path) -> anyhow::Result<Store> {
    let url = match url {
        Some(u) => u.to_string(),
        None => dir.join("bench.db").display().to_string(),
    };
    Ok(Store::open(&url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(random_key()) }).await?)
}

/// `db_given`: whether `--db` (or its environment variable) named the database.
pub async fn run(g: &Global, what: BenchWhat, db_given: bool) -> anyhow::Result<ExitCode> {
    if let BenchWhat::Pages { employees, requests } = what {
        let db = if db_given { Some(g.db_url()?) } else { None };
        pages::run(g, pages::PagesArgs { employees, requests, db }).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let BenchWhat::Pdf { departments, renders } = what {
        pdf::run(pdf::PdfArgs { departments, renders })?;
        return Ok(ExitCode::SUCCESS);
    }
    if let BenchWhat::Overall { employees, cycles, requests, no_duckdb, seed, generate_only, no_themes } = what {
        let db = if db_given { Some(g.db_url()?) } else { None };
        if generate_only && db.is_none() {
            anyhow::bail!("--generate-only needs --db: the tenant is made for later runs");
        }
        overall::run(g, overall::OverallArgs { employees, cycles, requests, no_duckdb, seed, generate_only, no_themes, db }).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let BenchWhat::Proof {
        employees,
        cycles,
        connections,
        seconds,
        tasks,
        audit_seconds,
        raw_commits,
        import_rows,
        requests,
        no_duckdb,
        no_themes,
        no_overall,
        seed,
    } = what
    {
        let db = if db_given { Some(g.db_url()?) } else { None };
        let args = proof::ProofArgs {
            employees,
            cycles,
            seed,
            connections,
            seconds,
            tasks,
            audit_seconds,
            raw_commits,
            import_rows,
            requests,
            no_duckdb,
            no_themes,
            no_overall,
            db,
        };
        proof::run(g, args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if let BenchWhat::Anonymity { employees, k, seed } = what {
        anonymity::run(anonymity::AnonymityArgs { employees, k, seed });
        return Ok(ExitCode::SUCCESS);
    }
    let dir = std::env::temp_dir().join(format!("careerdock-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = match what {
        BenchWhat::Audit { on, tasks, per_task, raw } => {
            let targets: Vec<Option<String>> = if on.is_empty() { vec![None] } else { on.into_iter().map(Some).collect() };
            for t in targets {
                let store = open_target(t.as_deref(), &dir).await?;
                bench_audit(&store, tasks.max(1), per_task.max(1), raw.max(1)).await?;
                store.close().await;
            }
            Ok(ExitCode::SUCCESS)
        }
        BenchWhat::Reports { on, employees } => {
            let targets: Vec<Option<String>> = if on.is_empty() { vec![None] } else { on.into_iter().map(Some).collect() };
            for t in targets {
                let store = match &t {
                    Some(url) => Store::open(url, OpenOptions { create: false, migrate: true, keys: g.key_source_for(url)? }).await?,
                    None => {
                        let store = open_target(None, &dir).await?;
                        populate(&store, &DemoArgs { employees, seed: 1, no_serve: true, listen: String::new(), mail: Default::default() })
                            .await?;
                        store
                    }
                };
                let tenant = store.tenant_by_slug(crate::demo::DEMO_TENANT).await?;
                // Through the sealed gate with an operator's permit: the read is audited.
                let op = store::Ctx::operator(tenant.id, "bench reports");
                let f = store.bench_pseudonymize(&op, tenant.id).await?;
                let n = f.reports.max(1) as f64;
                println!(
                    "bench reports on {}: {} people, {} reports, {} characters",
                    store.backend().as_str(),
                    f.people,
                    f.reports,
                    f.chars
                );
                println!("  the reports were opened through the sealed gate with an operator's permit (one audited read)");
                println!("  name index build:        {:>9.1} ms", f.index_build.as_secs_f64() * 1000.0);
                println!("  mask one report (mean):  {:>9.3} ms", f.mask_total.as_secs_f64() * 1000.0 / n);
                println!("  mask one report (max):   {:>9.3} ms", f.mask_max.as_secs_f64() * 1000.0);
                println!("  mask all reports:        {:>9.1} ms", f.mask_total.as_secs_f64() * 1000.0);
                store.close().await;
            }
            Ok(ExitCode::SUCCESS)
        }
        BenchWhat::Demo { on, employees } => {
            let targets: Vec<Option<String>> = if on.is_empty() { vec![None] } else { on.into_iter().map(Some).collect() };
            for t in targets {
                let store = open_target(t.as_deref(), &dir).await?;
                let start = Instant::now();
                populate(&store, &DemoArgs { employees, seed: 1, no_serve: true, listen: String::new(), mail: Default::default() }).await?;
                println!("demo load on {}: {employees} employees in {:.2} s", store.backend().as_str(), start.elapsed().as_secs_f64());
                store.close().await;
            }
            Ok(ExitCode::SUCCESS)
        }
        BenchWhat::Themes { on, employees, tenant } => {
            themes::run(g, themes::ThemesArgs { on, employees, tenant }, &dir).await?;
            Ok(ExitCode::SUCCESS)
        }
        BenchWhat::Pages { .. }
        | BenchWhat::Anonymity { .. }
        | BenchWhat::Pdf { .. }
        | BenchWhat::Overall { .. }
        | BenchWhat::Proof { .. } => Ok(ExitCode::SUCCESS),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn bench_audit(store: &Store, tasks: usize, per_task: usize, raw: usize) -> anyhow::Result<()> {
    let slug = TenantSlug::parse(&format!("bench-{}", std::process::id()))?;
    let tenant = store.create_tenant(&slug, "bench", KThreshold::DEFAULT, "bench").await?;
    let backend = store.backend().as_str();

    let seq = store.bench_raw_commits(1, raw).await?;
    let seq_rate = raw as f64 / seq.as_secs_f64();
    let conc_n = (raw / tasks).max(1);
    let conc = store.bench_raw_commits(tasks, conc_n).await?;
    let conc_rate = (conc_n * tasks) as f64 / conc.as_secs_f64();

    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks {
        let store = store.clone();
        let ctx = Ctx::operator(tenant.id, "bench");
        handles.push(tokio::spawn(async move {
            for i in 0..per_task {
                store.audit(&ctx, ctx.event(AuditAction::SealedTextRead, AuditTarget::Bench, t * per_task + i)).await?;
            }
            Ok::<(), store::StoreError>(())
        }));
    }
    for h in handles {
        h.await??;
    }
    let took = start.elapsed();
    let total = tasks * per_task;
    let audited_rate = total as f64 / took.as_secs_f64();
    let verified = store.verify_audit(Some(tenant.id)).await?;
    let intact = verified.iter().all(|v| v.broken.is_none());
    println!("bench audit on {backend}:");
    println!("  raw durable single-row commits, 1 task:        {seq_rate:>10.0} /s ({raw} commits)");
    println!("  raw durable single-row commits, {tasks} tasks:      {conc_rate:>10.0} /s ({} commits)", conc_n * tasks);
    println!(
        "  audited appends (each durable before return), {tasks} tasks: {audited_rate:>10.0} /s ({total} events, {:.2} s)",
        took.as_secs_f64()
    );
    println!("  speed-up over raw 1-task commits: {:.1}x; chain intact after run: {intact}", audited_rate / seq_rate);
    Ok(())
}
