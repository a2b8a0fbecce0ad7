//! `careerdock bench overall` (issue 9, item 8): the overall report at scale, in one run.
//!
//! 1. Generation: a tenant of N employees from the demo's company generator (its department
//!    tree, ages, hire dates and grades), C closed fiscal-year cycles, about 30% of the active
//!    employees interviewed per cycle, each with an approved individual report (text, issue
//!    tags, the two flags, drawn from the demo history's reports), loaded through the store's
//!    bulk path (`seed_history`); the themes' terms are then indexed by the job's own function.
//! 2. The latest cycle's overall report through the product's flow (start → approve →
//!    release), after the earlier cycles' reports have been released, so that the release is
//!    decided against real history. The population and tables alone are timed as well (the
//!    builder before the engine), which says where the release's time goes.
//! 3. DuckDB (from PyPI, in a venv under ~/.cache/careerdock) counts the same breakdowns of the
//!    same population from CSV files: the bare counting the product is compared with.
//! 4. The PDF of the released report.
//! 5. The peak memory (VmHWM) of a real `careerdock serve` on the database after HR has read
//!    the released report's page and API and the home page.
//! 6. Theme extraction per report against the bare tokenizer (`bench themes`' measurement).
//!
//! Figures are printed, never asserted; the last lines are a table of figure, value, goal and
//! PASS/MISS.

use super::pages::{hidden, median, Agent};
use crate::config::{self, Global};
use anyhow::{bail, Context};
use domain::cycle::{fiscal_year, fiscal_year_period};
use domain::employee::EmployeeStatus;
use domain::ids::{EmployeeId, TenantId, UserId};
use domain::import::ParsedRow;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus};
use domain::overall_narrative::Narrative;
use domain::overall_report::{Dimension, Measure, OverallReport};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store::{Ctx, CycleStatus, NewUser, OverallReportId, SeedCycle, SeedHistory, SeedInterview, SeedReport, SeedTarget, Store};

/// The benchmark's tenant (its own, beside any demo in the same database).
pub const BENCH_TENANT: &str = "bench-overall";
pub(super) const PASSWORD: &str = "bench-overall-password";
/// Share of the active employees interviewed (with an approved report) per cycle.
const INTERVIEWED: f64 = 0.3;
/// Start hours of a working day's interview slots (12:00 is lunch), as in the demo.
const SLOT_HOURS: [u32; 8] = [9, 10, 11, 13, 14, 15, 16, 17];
/// Employees of the demo company whose history lends its report texts, tags and flags.
const TEXT_POOL_EMPLOYEES: usize = 3000;

/// Goals (issue 9, item 8).
const GOAL_RATIO: f64 = 1.5;
const GOAL_PDF_S: f64 = 1.0;
const GOAL_RSS_MB: f64 = 300.0;
const GOAL_THEMES: f64 = 0.5;

pub struct OverallArgs {
    pub employees: usize,
    pub cycles: usize,
    /// Timed requests per page against the server.
    pub requests: usize,
    /// Skip DuckDB (no venv, no pip).
    pub no_duckdb: bool,
    pub seed: u64,
    /// Stop once the tenant is in the database (to reuse it with --db later).
    pub generate_only: bool,
    /// Skip the theme extraction figure (the term index stays as it is).
    pub no_themes: bool,
    /// The database named by `--db`, when it was given; otherwise a temporary SQLite file.
    pub db: Option<String>,
}

/// One line of the final table.
pub(super) struct Figure {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) goal: String,
    /// `None`: no goal, or not measured.
    pub(super) pass: Option<bool>,
}

impl Figure {
    pub(super) fn info(name: &str, value: String) -> Figure {
        Figure { name: name.into(), value, goal: "—".into(), pass: None }
    }
    pub(super) fn goal(name: &str, value: String, goal: &str, pass: bool) -> Figure {
        Figure { name: name.into(), value, goal: goal.into(), pass: Some(pass) }
    }
    pub(super) fn skipped(name: &str, why: &str, goal: &str) -> Figure {
        Figure { name: name.into(), value: format!("skipped ({why})"), goal: goal.into(), pass: None }
    }
}

/// The accounts acting in the flow, as signed-in contexts (sessions deleted at the end).
struct Actors {
    consultant: Ctx,
    supervisor: Ctx,
    secrets: Vec<String>,
}

pub async fn run(g: &Global, args: OverallArgs) -> anyhow::Result<()> {
    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("bench overall: {} employees, {} cycles ({build} build)", args.employees, args.cycles);
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with `cargo build --release -p careerdock`");
    }
    if args.cycles == 0 {
        bail!("--cycles must be at least 1");
    }
    let temp = std::env::temp_dir().join(format!("careerdock-bench-overall-{}", std::process::id()));
    std::fs::create_dir_all(&temp)?;
    // The exported population (tags and flags per employee) is for this process only.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o700))?;
    }
    let result = bench(g, &args, &temp).await;
    let _ = std::fs::remove_dir_all(&temp);
    let figures = result?;
    print_table("bench overall", &figures, build);
    Ok(())
}

/// Where the server finds the database and its key: the bench's own temporary file (key file
/// beside it), or what `--db` and `--key-file` (or the environment) named.
fn serve_global(g: &Global, args: &OverallArgs, temp: &Path) -> Global {
    match &args.db {
        Some(_) => g.clone(),
        None => Global { db: temp.join("overall.db").display().to_string(), key_file: None, ..g.clone() },
    }
}

pub(super) async fn bench(g: &Global, args: &OverallArgs, temp: &Path) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let g = serve_global(g, args, temp);
    let store = config::open(&g, true).await?;
    let backend = store.backend().as_str();

    // ---------------------------------------------------------------- 1. generation
    let tenant = match store.tenant_by_slug(BENCH_TENANT).await {
        Ok(t) => {
            let n = store.employee_count(t.id).await?;
            let cycles = store.cycles(t.id).await?.len();
            if n != args.employees as i64 || cycles != args.cycles {
                bail!(
                    "the database already holds a bench tenant of {n} employees and {cycles} cycles, not {} and {}: give --employees {n} --cycles {cycles} or another --db",
                    args.employees,
                    args.cycles
                );
            }
            println!("on {backend}: reusing the bench tenant of {n} employees and {cycles} cycles");
            figures.push(Figure::info("generation", "reused (--db)".into()));
            t.id
        }
        Err(store::StoreError::NotFound) => {
            let (tenant, generated, reports) = generate(&store, args).await?;
            figures.push(Figure::info(
                "generation (register + reports, bulk)",
                format!("{:.1} s ({reports} approved reports)", generated.as_secs_f64()),
            ));
            tenant
        }
        Err(e) => return Err(e.into()),
    };
    let op = Ctx::operator(tenant, "bench overall");
    if args.generate_only {
        println!("--generate-only: the tenant {BENCH_TENANT} is ready; measure with the same --db, --employees and --cycles");
        store.close().await;
        return Ok(figures);
    }

    // Themes: the job's extraction of every approved report (indexes them), beside the bare
    // tokenizer over the same texts (item 6, `bench themes`' measurement).
    let themes = if args.no_themes {
        println!("themes: skipped (--no-themes); the term index stays as it is");
        figures.push(Figure::skipped("themes: extraction / bare tokenizer", "--no-themes", "≥ 0.5×"));
        None
    } else {
        Some(store.bench_themes(&op, tenant).await)
    };
    match themes {
        None => {}
        Some(Ok(f)) => {
            let n = f.reports.max(1) as f64;
            let bare = n / f.tokenize.as_secs_f64().max(1e-9);
            let full = f.extraction.reports.max(1) as f64 / f.extract.as_secs_f64().max(1e-9);
            println!(
                "themes: {} approved reports, {} terms indexed ({} distinct) in {:.1} s (open {:.1} s, analyze {:.1} s, write {:.1} s); bare tokenizer {:.1} s",
                f.reports,
                f.extraction.terms,
                f.distinct_terms,
                f.extract.as_secs_f64(),
                f.extraction.open.as_secs_f64(),
                f.extraction.analyze.as_secs_f64(),
                f.extraction.write.as_secs_f64(),
                f.tokenize.as_secs_f64()
            );
            figures.push(Figure::info("theme index (job's extraction)", format!("{:.1} s", f.extract.as_secs_f64())));
            let ratio = full / bare;
            figures.push(Figure::goal(
                "themes: extraction / bare tokenizer",
                format!("{ratio:.2}× ({full:.0} vs {bare:.0} reports/s)"),
                "≥ 0.5×",
                ratio >= GOAL_THEMES,
            ));
        }
        Some(Err(e)) => {
            println!("themes: skipped: {e}");
            figures.push(Figure::skipped("themes: extraction / bare tokenizer", "no tokenizer", "≥ 0.5×"));
        }
    }

    // ---------------------------------------------------------------- 2. the overall reports
    let actors = actors(&store, tenant).await?;
    let mut cycles = store.cycles(tenant).await?;
    cycles.sort_by_key(|c| (c.starts_on, c.id.get()));
    let Some(latest) = cycles.pop() else { bail!("the bench tenant has no cycle") };
    for (i, c) in cycles.iter().enumerate() {
        if released_versions(&store, &actors.supervisor, c.id.get()).await? > 0 {
            continue;
        }
        let started = Instant::now();
        let id = store.draft_and_release_overall(&actors.consultant, &actors.supervisor, c.id.get(), &narrative(i), true).await?;
        println!(
            "released the earlier cycle {} (report {id}) in {:.2} s (start, approve, release)",
            c.name,
            started.elapsed().as_secs_f64()
        );
    }
    let earlier = released_count(&store, &actors.supervisor).await?;
    let cycle = latest.id.get();
    let started = Instant::now();
    let id = store.start_overall_report(&actors.consultant, cycle).await?;
    let start_s = started.elapsed().as_secs_f64();
    store.save_overall_narrative(&actors.consultant, id, &narrative(cycles.len())).await?;
    let started = Instant::now();
    store.approve_overall_report(&actors.supervisor, id).await?;
    let approve_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = store.release_overall_report(&actors.supervisor, id).await?;
    let release_s = started.elapsed().as_secs_f64();
    let (b, breakdown) = store.bench_overall_breakdown(&op, cycle, store::now_ms()).await?;
    let cells: usize = report.tables.iter().map(|t| t.cells.len()).sum();
    let hidden_cells = report.tables.iter().flat_map(|t| t.cells.iter()).filter(|c| c.suppressed).count();
    let measures = b.tables.first().map(|t| t.cells.len()).unwrap_or(1);
    println!(
        "latest cycle {}: {} people, {} tables, {} cells ({} hidden), {} measures per group, against {earlier} earlier release(s)",
        latest.name,
        b.population.len(),
        report.tables.len(),
        cells,
        hidden_cells,
        measures
    );
    println!("  start (builds the preview: every check, history, themes): {start_s:>8.2} s");
    println!("  approve (builds it again; the engine's verdicts reused when nothing changed): {approve_s:>8.2} s");
    println!("  release (builds it again, the ledger sealed; the same reuse): {release_s:>8.2} s");
    println!(
        "  of which the population and tables (SQL, tags, tree, breakdowns): {:.2} s; the rest of the full build (anonymity engine, assembly): about {:.2} s",
        breakdown.as_secs_f64(),
        (start_s - breakdown.as_secs_f64()).max(0.0)
    );
    // The engine alone on the same cells, without history: what the release adds beyond it is
    // the check against the earlier releases, the assembly and the ledger's write.
    let engine_cells: Vec<&domain::breakdown::Pending> = b.cells().collect();
    let started = Instant::now();
    let (decided, _) = domain::breakdown::verdicts(report.k, &engine_cells, &[], 0);
    let engine_s = started.elapsed().as_secs_f64();
    println!(
        "  the anonymity engine alone on these {} cells, without history: {engine_s:.2} s ({} hidden)",
        decided.len(),
        decided.iter().filter(|v| v.hidden.is_some()).count()
    );
    drop((decided, engine_cells));
    figures.push(Figure::info("overall build: start (every check)", format!("{start_s:.2} s")));
    figures.push(Figure::info("overall build: approve (verdicts reused)", format!("{approve_s:.2} s")));
    figures.push(Figure::info("overall build: release (verdicts reused)", format!("{release_s:.2} s")));
    figures.push(Figure::info("  of which population and tables", format!("{:.2} s", breakdown.as_secs_f64())));
    figures.push(Figure::info("  engine alone, no history", format!("{engine_s:.2} s")));

    // ---------------------------------------------------------------- 3. DuckDB
    let product_groups = groups_per_table(&b);
    if args.no_duckdb {
        println!("DuckDB: skipped (--no-duckdb)");
        figures.push(Figure::skipped("ratio full build / DuckDB", "--no-duckdb", "≤ 1.5"));
    } else {
        let dir = temp.join("duckdb");
        std::fs::create_dir_all(&dir)?;
        export_population(&b, &dir)?;
        match duckdb(&dir) {
            Ok(d) => {
                let total = d.load_s + d.count_s;
                println!(
                    "DuckDB {}: load the CSV files {:.3} s, count every table {:.3} s; {} non-zero measure cells",
                    d.version, d.load_s, d.count_s, d.nonzero
                );
                let same = product_groups == d.groups;
                println!(
                    "  groups per table {} the product's ({} groups)",
                    if same { "match" } else { "DIFFER from" },
                    product_groups.values().sum::<usize>()
                );
                if !same {
                    println!("  product: {product_groups:?}\n  DuckDB:  {:?}", d.groups);
                }
                figures.push(Figure::info("DuckDB: load + count", format!("{total:.3} s (count {:.3} s)", d.count_s)));
                // The full build (the start: every check against every earlier release, with the
                // themes), not the release, which may reuse the start's verdicts.
                let ratio = start_s / total.max(1e-9);
                figures.push(Figure::goal("ratio full build / DuckDB", format!("{ratio:.1}×"), "≤ 1.5", ratio <= GOAL_RATIO));
            }
            Err(e) => {
                println!("DuckDB: skipped: {e:#}");
                figures.push(Figure::skipped("ratio full build / DuckDB", "DuckDB unavailable", "≤ 1.5"));
            }
        }
    }
    drop(b);

    // ---------------------------------------------------------------- 4. PDF
    let detail = store.overall_report(&actors.supervisor, id).await?;
    figures.push(pdf(&report, &detail.earlier, &detail.narrative));

    for secret in &actors.secrets {
        store.delete_session(secret).await?;
    }
    store.close().await;

    // ---------------------------------------------------------------- 5. the server's memory
    match serve_rss(&g, id, args.requests.max(1), temp).await {
        Ok(mb) => figures.push(Figure::goal("server peak RSS (VmHWM)", format!("{mb:.0} MB"), "< 300 MB", mb < GOAL_RSS_MB)),
        Err(e) => {
            println!("server: failed: {e:#}");
            figures.push(Figure::skipped("server peak RSS (VmHWM)", "server failed", "< 300 MB"));
        }
    }
    Ok(figures)
}

/// Released versions of a cycle, as the supervisor lists them.
async fn released_versions(store: &Store, supervisor: &Ctx, cycle: i64) -> anyhow::Result<usize> {
    let page = store.overall_report_page(supervisor, store::PageRequest::new(store::MAX_PAGE_SIZE, 0)).await?;
    Ok(page.items.iter().filter(|r| r.cycle.id == cycle && r.state == domain::policy::AggregateState::Released).count())
}

async fn released_count(store: &Store, supervisor: &Ctx) -> anyhow::Result<usize> {
    let page = store.overall_report_page(supervisor, store::PageRequest::new(store::MAX_PAGE_SIZE, 0)).await?;
    Ok(page.items.iter().filter(|r| r.state == domain::policy::AggregateState::Released).count())
}

fn narrative(position: usize) -> Narrative {
    demo::overall::released_narrative(position)
}

async fn actors(store: &Store, tenant: TenantId) -> anyhow::Result<Actors> {
    let mut secrets = Vec::new();
    let acting = |login: &'static str, role: Role| {
        let store = store.clone();
        async move {
            let user = store.user_by_login(tenant, login).await.with_context(|| format!("the bench account {login}"))?;
            let session = store.create_session(tenant, user.id, Some(role), None).await?;
            Ok::<_, anyhow::Error>((Ctx::signed_in(&session.proof, &user, Some(role)), session.secret))
        }
    };
    let (consultant, s1) = acting("consultant1", Role::Consultant).await?;
    let (supervisor, s2) = acting("supervisor", Role::Supervisor).await?;
    secrets.extend([s1, s2]);
    Ok(Actors { consultant, supervisor, secrets })
}

// -------------------------------------------------------------------- generation

/// Makes the tenant; answers its id, the time the register and the history took, and the
/// number of approved reports.
async fn generate(store: &Store, args: &OverallArgs) -> anyhow::Result<(TenantId, Duration, usize)> {
    let started = Instant::now();
    let today = store::today_jst();
    let company = demo::generate_company(args.employees, args.seed, today);
    let slug = TenantSlug::parse(BENCH_TENANT)?;
    let tenant = store.create_tenant(&slug, &company.name, KThreshold::DEFAULT, "bench overall").await?.id;
    let ctx = Ctx::operator(tenant, "bench overall");
    let rows: Vec<ParsedRow> = company.employees.iter().enumerate().map(|(i, r)| ParsedRow::new(i + 2, r.clone())).collect();
    let summary = store.import_employees_with_progress(&ctx, &rows, &|_| {}).await?;
    let register = started.elapsed();
    println!(
        "generated the register: {} employees in {} departments in {:.1} s",
        summary.created,
        summary.departments_created,
        register.as_secs_f64()
    );

    // Who is interviewed in each cycle: about 30% of the active employees, chosen afresh.
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed ^ 0x6f76_6572_616c_6c21);
    let by_number = store.employee_ids_by_number(tenant).await?;
    let active: Vec<EmployeeId> = company
        .employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active)
        .filter_map(|e| by_number.get(e.number.as_str()).copied())
        .collect();
    let current = fiscal_year(today);
    let years: Vec<i32> = (0..args.cycles as i32).map(|i| current - args.cycles as i32 + i).collect();
    let chosen: Vec<Vec<EmployeeId>> =
        years.iter().map(|_| active.iter().copied().filter(|_| rng.gen_bool(INTERVIEWED)).collect()).collect();
    let most = chosen.iter().map(Vec::len).max().unwrap_or(0);

    // Enough consultants that everyone's interviews fit the year's working hours.
    let mut working_days: Vec<Vec<chrono::NaiveDate>> = Vec::new();
    for fy in &years {
        let (start, end) = fiscal_year_period(*fy).context("a fiscal year out of range")?;
        working_days
            .push(start.iter_days().take_while(|d| *d <= end).filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5).collect());
    }
    let slots = working_days.iter().map(Vec::len).min().unwrap_or(1).max(1) * SLOT_HOURS.len();
    let consultants_needed = most.div_ceil(slots).max(1);
    let mut consultants = Vec::with_capacity(consultants_needed);
    for i in 0..consultants_needed {
        let login = format!("consultant{}", i + 1);
        let name = format!("ベンチ 相談員{}（キャリアコンサルタント）", i + 1);
        consultants.push(new_user(store, &ctx, &login, &name, Role::Consultant).await?);
    }
    new_user(store, &ctx, "supervisor", "ベンチ 監督者（スーパーバイザー）", Role::Supervisor).await?;
    new_user(store, &ctx, "hr", "ベンチ 人事（人事部）", Role::Hr).await?;

    // The texts, tags and flags of the demo history's approved reports, drawn for each report.
    let pool_company = demo::generate_company(TEXT_POOL_EMPLOYEES, args.seed.wrapping_add(1), today);
    let pool: Vec<(ReportSections, Vec<String>, ReportFlags)> = demo::history::generate_history(&pool_company, args.seed, today, 3)
        .reports
        .into_iter()
        .filter(|r| r.status == ReportStatus::Approved)
        .map(|r| (r.sections, r.tags.iter().map(|t| t.to_string()).collect(), r.flags))
        .collect();
    if pool.is_empty() {
        bail!("the demo history gave no approved report to draw texts from");
    }

    let mut input = SeedHistory::default();
    let hour = 3_600_000i64;
    let day = 24 * hour;
    for (ci, (fy, people)) in years.iter().zip(&chosen).enumerate() {
        let (starts_on, ends_on) = fiscal_year_period(*fy).context("a fiscal year out of range")?;
        let created_at = jst_ms(starts_on, 9) - 30 * day;
        input.cycles.push(SeedCycle {
            name: format!("{fy}年度 セルフ・キャリアドック"),
            starts_on,
            ends_on,
            status: CycleStatus::Closed,
            rule: Default::default(),
            created_at,
            targets: people
                .iter()
                .enumerate()
                .map(|(j, e)| SeedTarget {
                    employee: *e,
                    consultant: Some(consultants[j % consultants.len()]),
                    reason: domain::cycle::LISTED_REASON.to_string(),
                })
                .collect(),
        });
        let days = &working_days[ci];
        for (j, employee) in people.iter().enumerate() {
            let consultant = consultants[j % consultants.len()];
            let slot = j / consultants.len();
            let date = *days.get(slot / SLOT_HOURS.len()).context("more interviews than working-day slots")?;
            let starts_at = jst_ms(date, SLOT_HOURS[slot % SLOT_HOURS.len()]);
            let ends_at = starts_at + hour;
            input.interviews.push(SeedInterview {
                cycle: Some(ci),
                employee: *employee,
                consultant,
                kind: InterviewKind::Initial,
                mode: if j % 3 == 0 { InterviewMode::Online } else { InterviewMode::InPerson },
                place: "第1面談室".into(),
                starts_at,
                ends_at,
                status: InterviewStatus::Held,
                status_note: String::new(),
                note: None,
                created_at: starts_at - 14 * day,
                updated_at: ends_at,
            });
            let (sections, tags, flags) = pool.choose(&mut rng).cloned().context("empty pool")?;
            let approved_at = ends_at + 3 * day;
            input.reports.push(SeedReport {
                interview: input.interviews.len() - 1,
                status: ReportStatus::Approved,
                sections,
                tags,
                flags,
                round: 1,
                version: 1,
                supervisor: None,
                created_at: ends_at + hour,
                updated_at: approved_at,
                submitted_at: Some(ends_at + day),
                approved_at: Some(approved_at),
                reviews: Vec::new(),
            });
        }
    }
    let reports = input.reports.len();
    let seeding = Instant::now();
    store.seed_history(&ctx, &input).await?;
    println!(
        "generated the history: {} cycles, {} interviews, {reports} approved reports ({} consultants) in {:.1} s (the store's bulk path, texts sealed, tags marked)",
        input.cycles.len(),
        input.interviews.len(),
        consultants.len(),
        seeding.elapsed().as_secs_f64()
    );
    Ok((tenant, started.elapsed(), reports))
}

async fn new_user(store: &Store, ctx: &Ctx, login: &str, name: &str, role: Role) -> anyhow::Result<UserId> {
    let roles = [role];
    Ok(store.create_user(ctx, &NewUser { login, display_name: name, password: PASSWORD, roles: &roles, employee: None }).await?)
}

/// Epoch milliseconds of a JST wall-clock hour.
fn jst_ms(date: chrono::NaiveDate, hour: u32) -> i64 {
    date.and_hms_opt(hour, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or_default() - domain::time::JST_OFFSET_MS
}

// -------------------------------------------------------------------- DuckDB

/// The number of groups of each table, as the product built them.
fn groups_per_table(b: &domain::breakdown::Breakdown) -> BTreeMap<String, usize> {
    b.tables.iter().map(|t| (t.name.clone(), t.cells.iter().filter(|c| c.measure == Measure::People).count())).collect()
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The population of the breakdown as three CSV files (see scripts/bench/duckdb_overall.py):
/// each person's bands, grade and top-level department; every department label they are
/// counted under; every measure they carry.
fn export_population(b: &domain::breakdown::Breakdown, dir: &Path) -> anyhow::Result<()> {
    #[derive(Default)]
    struct Row {
        age: String,
        tenure: String,
        grade: String,
        top: String,
    }
    let mut people: BTreeMap<i64, Row> = b.population.iter().map(|e| (*e, Row::default())).collect();
    let mut departments = std::io::BufWriter::new(std::fs::File::create(dir.join("departments.csv"))?);
    writeln!(departments, "employee,department")?;
    let mut measures = std::io::BufWriter::new(std::fs::File::create(dir.join("measures.csv"))?);
    writeln!(measures, "employee,measure")?;
    for t in &b.tables {
        if t.by.len() > 1 {
            continue;
        }
        for c in &t.cells {
            match (t.by.first(), &c.measure) {
                (None, Measure::People) => {}
                (None, m) => {
                    let code = quoted(&m.code());
                    for e in &c.with {
                        writeln!(measures, "{e},{code}")?;
                    }
                }
                (Some(d), Measure::People) => {
                    let label = c.group.get(d).cloned().unwrap_or_default();
                    for e in &c.members {
                        let Some(row) = people.get_mut(e) else { continue };
                        match d {
                            Dimension::Department => {
                                writeln!(departments, "{e},{}", quoted(&label))?;
                                if !label.contains('/') {
                                    row.top = label.clone();
                                }
                            }
                            Dimension::Age => row.age = label.clone(),
                            Dimension::Tenure => row.tenure = label.clone(),
                            Dimension::Grade => row.grade = label.clone(),
                        }
                    }
                }
                (Some(_), _) => {}
            }
        }
    }
    departments.flush()?;
    measures.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("people.csv"))?);
    writeln!(out, "employee,age,tenure,grade,top")?;
    // An empty field is NULL to DuckDB's CSV reader (someone in no band).
    let field = |s: &str| if s.is_empty() { String::new() } else { quoted(s) };
    for (e, r) in &people {
        writeln!(out, "{e},{},{},{},{}", field(&r.age), field(&r.tenure), field(&r.grade), field(&r.top))?;
    }
    out.flush()?;
    Ok(())
}

struct DuckFigures {
    version: String,
    load_s: f64,
    count_s: f64,
    groups: BTreeMap<String, usize>,
    nonzero: usize,
}

/// The venv of the benchmark: made once, with DuckDB from PyPI (pip is asked only when
/// `import duckdb` fails).
fn duckdb_python() -> anyhow::Result<PathBuf> {
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    let venv = PathBuf::from(home).join(".cache/careerdock/bench-venv");
    let python = venv.join("bin/python");
    let imports = |p: &Path| Command::new(p).args(["-c", "import duckdb"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if python.exists() && imports(&python).is_ok_and(|s| s.success()) {
        return Ok(python);
    }
    if !python.exists() {
        std::fs::create_dir_all(venv.parent().unwrap_or(&venv))?;
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).output().context("running python3 -m venv")?;
        if !made.status.success() {
            bail!("python3 -m venv {} failed: {}", venv.display(), String::from_utf8_lossy(&made.stderr).trim());
        }
    }
    println!("DuckDB: installing duckdb from PyPI into {} …", venv.display());
    let pip = Command::new(&python).args(["-m", "pip", "install", "--quiet", "duckdb"]).output().context("running pip")?;
    if !pip.status.success() {
        bail!("pip could not install duckdb: {}", String::from_utf8_lossy(&pip.stderr).trim());
    }
    if !imports(&python).is_ok_and(|s| s.success()) {
        bail!("duckdb was installed but does not import");
    }
    Ok(python)
}

/// The script, kept in scripts/bench/ and carried in the binary so the bench runs anywhere.
const DUCKDB_SCRIPT: &str = include_str!("../../../../scripts/bench/duckdb_overall.py");

fn duckdb(dir: &Path) -> anyhow::Result<DuckFigures> {
    let python = duckdb_python()?;
    let script = dir.join("duckdb_overall.py");
    std::fs::write(&script, DUCKDB_SCRIPT)?;
    let out = Command::new(&python).arg(&script).arg(dir).output().context("running duckdb_overall.py")?;
    if !out.status.success() {
        bail!("duckdb_overall.py failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).context("reading duckdb_overall.py's answer")?;
    let groups = v
        .get("groups")
        .and_then(|g| g.as_object())
        .map(|o| o.iter().map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0) as usize)).collect())
        .unwrap_or_default();
    Ok(DuckFigures {
        version: v.get("duckdb").and_then(|x| x.as_str()).unwrap_or("?").to_string(),
        load_s: v.get("load_s").and_then(|x| x.as_f64()).unwrap_or(0.0),
        count_s: v.get("count_s").and_then(|x| x.as_f64()).unwrap_or(0.0),
        groups,
        nonzero: v.get("nonzero_measure_cells").and_then(|x| x.as_u64()).unwrap_or(0) as usize,
    })
}

// -------------------------------------------------------------------- PDF

fn pdf(report: &OverallReport, earlier: &[OverallReport], narrative: &Narrative) -> Figure {
    use export::overall;
    use export::Locale;
    const NAME: &str = "PDF of the report";
    let headings = overall::narrative_headings(Locale::Ja);
    let texts = [&narrative.trends, &narrative.issues, &narrative.solutions, &narrative.development];
    let sections: Vec<(String, String)> = headings.iter().zip(texts).map(|(h, t)| (h.to_string(), t.clone())).collect();
    let mut series: Vec<&OverallReport> = earlier.iter().collect();
    series.push(report);
    let trend = overall::trend_chart(&series, &["people"], Locale::Ja);
    let started = Instant::now();
    let renderer = match export::pdf::Renderer::system() {
        Ok(r) => r,
        Err(e) => {
            println!("PDF: skipped: {e}");
            return Figure::skipped(NAME, "no fonts", "< 1 s");
        }
    };
    let fonts = started.elapsed().as_secs_f64();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..2 {
        let started = Instant::now();
        match overall::pdf(&renderer, report, &sections, trend.clone(), Locale::Ja) {
            Ok(bytes) => size = bytes.len(),
            Err(e) => {
                println!("PDF: failed: {e}");
                return Figure::skipped(NAME, "render failed", "< 1 s");
            }
        }
        times.push(started.elapsed().as_secs_f64());
    }
    let first = times.first().copied().unwrap_or(0.0);
    let again = times.last().copied().unwrap_or(0.0);
    println!(
        "PDF: fonts loaded once in {fonts:.2} s; first render {first:.2} s, again {again:.2} s; {:.0} KiB, {} tables",
        size as f64 / 1024.0,
        report.tables.len()
    );
    Figure::goal(NAME, format!("{first:.2} s (again {again:.2} s; fonts {fonts:.2} s once)"), "< 1 s", first < GOAL_PDF_S)
}

// -------------------------------------------------------------------- the server

/// Starts `careerdock serve` (this executable) on the database on a free loopback port and
/// answers it with its base URL once it says where it listens.
pub(super) async fn start_server(g: &Global, temp: &Path) -> anyhow::Result<(Server, String)> {
    let exe = std::env::current_exe()?;
    let log_path = temp.join("serve.stderr");
    let mut cmd = Command::new(exe);
    cmd.arg("--db").arg(g.db_url()?);
    if let Some(k) = &g.key_file {
        cmd.arg("--key-file").arg(k);
    }
    cmd.args(["serve", "--listen", "127.0.0.1:0"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(std::fs::File::create(&log_path)?);
    let child = cmd.spawn().context("starting careerdock serve")?;
    let mut server = Server { child };
    let deadline = Instant::now() + Duration::from_secs(120);
    let base = loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(addr) = log.split("serving http://").nth(1).and_then(|rest| rest.split('/').next()) {
            break format!("http://{}", addr.trim());
        }
        if let Some(status) = server.child.try_wait()? {
            bail!("serve exited during startup ({status}):\n{log}");
        }
        if Instant::now() > deadline {
            bail!("serve did not start within 120 s:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    Ok((server, base))
}

/// An agent signed in to the bench tenant as one of its single-role accounts.
pub(super) async fn signed_in(base: &str, login: &str) -> anyhow::Result<Agent> {
    let mut agent = Agent::new(base)?;
    let page = agent.send(Method::GET, "/login", None).await?;
    let csrf = hidden(&page.body, "csrf").context("the sign-in page has no csrf field")?;
    let res = agent
        .send(
            Method::POST,
            "/login",
            Some(&[("tenant", BENCH_TENANT), ("login", login), ("password", PASSWORD), ("csrf", &csrf), ("next", "/")]),
        )
        .await?;
    if !res.status.is_redirection() {
        bail!("signing in as {login} answered {}", res.status);
    }
    Ok(agent)
}

/// Starts `careerdock serve` on the database, signs in as HR, reads the released report's
/// page, the API and the home page, and answers the server's peak RSS in MB.
async fn serve_rss(g: &Global, id: OverallReportId, requests: usize, temp: &Path) -> anyhow::Result<f64> {
    let (mut server, base) = start_server(g, temp).await?;
    let pid = server.child.id();
    println!("server: careerdock serve (pid {pid}) at {base}; signing in as hr");
    let mut agent = signed_in(&base, "hr").await?;
    let paths = [
        "/".to_string(),
        "/overall-reports".to_string(),
        format!("/overall-reports/{id}"),
        "/api/v1/reports/overall".to_string(),
        "/api/v1/reports/overall?cycle=latest".to_string(),
    ];
    for path in &paths {
        let mut ms = Vec::new();
        let mut status = StatusCode::OK;
        let mut bytes = 0;
        for _ in 0..=requests {
            let started = Instant::now();
            let a = agent.send(Method::GET, path, None).await?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
            if a.status != StatusCode::OK {
                status = a.status;
            }
            bytes = a.body.len();
        }
        ms.remove(0);
        ms.sort_by(f64::total_cmp);
        println!("  GET {path:<36} {:>8.1} ms median, {:>8.1} KiB, {}", median(&ms), bytes as f64 / 1024.0, status.as_u16());
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc/<pid>/status")?;
    let kb = |key: &str| {
        status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()).and_then(|n| n.parse::<f64>().ok())
    };
    let hwm = kb("VmHWM:").context("no VmHWM in /proc/<pid>/status")?;
    let rss = kb("VmRSS:").unwrap_or(0.0);
    println!("  server memory: peak (VmHWM) {:.0} MB, now (VmRSS) {:.0} MB", hwm / 1024.0, rss / 1024.0);
    server.stop();
    Ok(hwm / 1024.0)
}

/// The child server; stopped (SIGTERM, then killed) when dropped.
pub(super) struct Server {
    pub(super) child: std::process::Child,
}

impl Server {
    pub(super) fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: sending a signal to our own child process by its id.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

// -------------------------------------------------------------------- the table

pub(super) fn print_table(title: &str, figures: &[Figure], build: &str) {
    println!();
    println!("{title}: results ({build} build)");
    let w = figures.iter().map(|f| f.name.chars().count()).max().unwrap_or(10).max(6);
    let v = figures.iter().map(|f| f.value.chars().count()).max().unwrap_or(10).max(5);
    println!("{:<w$}  {:<v$}  {:<9}  result", "figure", "value", "goal");
    for f in figures {
        let result = match f.pass {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "—",
        };
        println!("{:<w$}  {:<v$}  {:<9}  {result}", f.name, f.value, f.goal);
    }
}
