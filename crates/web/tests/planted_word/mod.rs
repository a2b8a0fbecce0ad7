//! A planted rare word (issue 9 item 3): on SQLite and PostgreSQL, with k = 5, a made-up word
//! that only two employees' approved reports hold never leaves the term index: not in the
//! overall report's JSON (the API, and the value the command line prints), not in the page or
//! the print HTML, not in the CSV or the PDF, and not in the database in clear (a raw scan of
//! the SQLite files; every text and bytea column of PostgreSQL, as `pg_dump` writes them;
//! the common word is there, in the released snapshot, which shows that the scan reads text).
//! A word of all five employees is a theme, `theme:<word>`, with n ≥ k.

use crate::records::world::{Company, Person, World};
use anyhow::{ensure, Context, Result};
use domain::job::JobKind;
use domain::report::{ReportFlags, ReportSections};
use domain::session::SessionLimits;
use export::csv::CsvEncoding;
use export::{overall, Locale};
use reqwest::StatusCode;
use store::{Ctx, CycleChoice, JobHandler, ReviewInput, StandardJobs, Store};
use testkit::{on_both_backends, pg_bin, Backend};

on_both_backends!(a_rare_word_is_in_no_format_and_a_common_one_is_a_theme);

/// Invented: no dictionary knows them, no other text of the test holds them.
const RARE: &str = "ヤマブキカイカク";
const COMMON: &str = "ミズナラセイド";

fn sections(rare: bool) -> ReportSections {
    let extra = if rare { format!("{RARE}について詳しく聞いた。") } else { String::new() };
    ReportSections {
        career_awareness: format!("{COMMON}の運用に関心がある。{extra}"),
        workplace: "チーム内の情報共有に課題を感じている。".into(),
        organization: format!("{COMMON}の見直しを希望している。"),
        support_plan: "キャリア形成の方向性を一緒に考える。".into(),
        next_steps: "3か月後に追加面談。".into(),
    }
}

/// An approved report of a held interview of `employee` with these sections.
async fn approved(w: &World, c: &Company, consultant: &Person, employee: &str, supervisor: &Person, rare: bool) -> Result<()> {
    let interview = w.held_interview(c, consultant, employee).await?;
    let me = consultant.ctx.as_consultant()?;
    let store = w.store();
    let id = store.create_report(&me, interview).await?;
    store.save_report(&me, id, &sections(rare), &[], ReportFlags::default(), 1).await?;
    store.submit_report(&me, id, Some(supervisor.id)).await?;
    let review = ReviewInput { approve: true, comments: Vec::new(), scores: Vec::new() };
    store.review_report(&supervisor.ctx.as_supervisor()?, id, &review).await?;
    Ok(())
}

/// Runs every due theme job as a server's runner would.
async fn run_term_jobs(store: &Store) -> Result<usize> {
    let handler = StandardJobs { session_limits: SessionLimits::default() };
    let mut ran = 0;
    while let Some(job) = store.claim_job("test", &[JobKind::ReportTerms], 60_000).await? {
        let result = handler.run(store, &job).await.map_err(|e| anyhow::anyhow!(e))?;
        ensure!(store.finish_job(job.id, "test", &result, None).await?, "the job is recorded");
        ran += 1;
    }
    Ok(ran)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether the database holds the word in clear: the SQLite files (main, WAL, journal) byte by
/// byte; on PostgreSQL every row of every table as `pg_dump` writes it (text as it is, bytea
/// as hex, so the word's bytes are looked for in both forms).
fn database_holds(w: &World, word: &str) -> Result<bool> {
    let db = &w.app.db;
    match db.backend {
        Backend::Sqlite => {
            let path = db.sqlite_path().context("not SQLite")?;
            let mut any = false;
            let mut seen = 0;
            for suffix in ["", "-wal", "-journal", "-shm"] {
                let p = format!("{}{suffix}", path.display());
                if std::path::Path::new(&p).exists() {
                    seen += 1;
                    any |= contains(&std::fs::read(&p).with_context(|| p.clone())?, word.as_bytes());
                }
            }
            ensure!(seen > 0, "no database file at {}", path.display());
            Ok(any)
        }
        Backend::Postgres => {
            let out = std::process::Command::new(pg_bin("pg_dump"))
                .args(["--no-owner", "--data-only", "-d", &db.url])
                .stdin(std::process::Stdio::null())
                .output()
                .context("running pg_dump")?;
            ensure!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
            ensure!(out.stdout.len() > 1000, "pg_dump wrote {} bytes", out.stdout.len());
            let hex: String = word.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
            Ok(contains(&out.stdout, word.as_bytes()) || contains(&out.stdout, hex.as_bytes()))
        }
    }
}

async fn a_rare_word_is_in_no_format_and_a_common_one_is_a_theme(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let store = w.store();
    store.set_report_settings(&home.hr.ctx.as_hr()?, "5", &[]).await?;
    for n in ["E001", "E004", "E005"] {
        store.assign_cycle_target(&home.op, home.cycle, home.employee(n)?, Some(home.consultant.id)).await?;
    }
    // The rare word in two employees' reports, the common one in all five.
    for (n, rare) in [("E001", false), ("E002", true), ("E004", true), ("E005", false)] {
        approved(&w, home, &home.consultant, n, &home.supervisor, rare).await?;
    }
    approved(&w, home, home.consultant2()?, "E003", home.supervisor2()?, false).await?;
    ensure!(run_term_jobs(store).await? >= 1, "the approvals' theme jobs ran");

    // The index holds both (as marks): the rare word is left out by k, not by the analyzer.
    let index = store.theme_term_employees(home.tenant, home.cycle.get(), i64::MAX).await?;
    let holders = |word: &str| -> Result<usize> {
        let marks = store.theme_term_marks(home.tenant, word)?;
        Ok(marks.iter().filter_map(|m| index.get(m)).map(|s| s.len()).sum())
    };
    ensure!(holders(RARE)? == 2 && holders(COMMON)? == 5, "indexed: {} and {}", holders(RARE)?, holders(COMMON)?);

    // Drafted, approved and released through the pages.
    let mut consultant = w.app.signed_in("consultant").await?;
    let started = consultant.post_form("/overall-reports", &[("cycle", &home.cycle.get().to_string())]).await?;
    let edit = started.location().context("the draft's editor")?.to_string();
    let id = edit.trim_start_matches("/overall-reports/").trim_end_matches("/edit").to_string();
    let narrative = [("trends", "傾向"), ("issues", "課題"), ("solutions", "解決策"), ("development", "育成策")];
    ensure!(consultant.post_form(&edit, &narrative).await?.status.is_redirection(), "the narrative saved");
    let preview = consultant.get(&format!("/overall-reports/{id}")).await?;
    ensure!(preview.status == StatusCode::OK && !preview.body.contains(RARE), "the draft's preview names the rare word");
    let mut supervisor = w.app.signed_in("supervisor").await?;
    ensure!(supervisor.post_form(&format!("/overall-reports/{id}/approve"), &[]).await?.status.is_redirection(), "approved");
    ensure!(supervisor.post_form(&format!("/overall-reports/{id}/release"), &[]).await?.status.is_redirection(), "released");

    // The API's JSON: the common word is a theme of the whole population, n ≥ k.
    let mut hr = w.app.signed_in("hr").await?;
    let res = hr.get("/api/v1/reports/overall?cycle=latest").await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(!res.body.contains(RARE), "the API's JSON names the rare word");
    let report = res.json()?;
    let k = report["k"].as_u64().context("k")?;
    ensure!(k == 5, "k = {k}");
    let theme = format!("theme:{COMMON}");
    let whole = report["tables"]
        .as_array()
        .context("tables")?
        .iter()
        .flat_map(|t| t["cells"].as_array().cloned().unwrap_or_default())
        .find(|c| c["measure"] == theme.as_str() && c["group"].as_object().is_some_and(|g| g.is_empty()))
        .context("the common word's theme over the whole population")?;
    ensure!(whole["suppressed"] == false && whole["n"].as_u64().is_some_and(|n| n >= k) && whole["value"] == 5.0, "{whole}");
    // Every theme is a word of all five reports (their shared text), never the rare one.
    let s = sections(false);
    let shared = [s.career_awareness, s.workplace, s.organization, s.support_plan, s.next_steps].concat();
    for c in report["tables"].as_array().context("tables")?.iter().flat_map(|t| t["cells"].as_array().cloned().unwrap_or_default()) {
        let m = c["measure"].as_str().unwrap_or_default();
        if let Some(term) = m.strip_prefix("theme:") {
            ensure!(shared.contains(term) && !term.contains(RARE), "a theme of fewer than five reports: {m}");
        }
    }

    // The value the command line prints (`careerdock report overall --format json`).
    let op = Ctx::operator(home.tenant, "report-overall");
    let (cli, words, _) = store.operator_overall_report(&op, &CycleChoice::Latest, None).await?;
    let cli_json = serde_json::to_string_pretty(&cli)?;
    ensure!(cli_json.contains(&theme) && !cli_json.contains(RARE), "the command line's JSON");

    // The page (HR) and the print HTML, in both languages.
    let page = hr.get(&format!("/overall-reports/{id}")).await?;
    ensure!(page.status == StatusCode::OK, "{}", page.brief());
    ensure!(page.body.contains(&format!("テーマ: {COMMON}")) && !page.body.contains(RARE), "the page");
    for locale in [domain::Locale::Ja, domain::Locale::En] {
        let t = careerdock_web::i18n::Tr::new(locale);
        let ow = careerdock_web::OverallWords::of_tenant(store, home.tenant, t).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let html = careerdock_web::overall_print_html(&cli, &words, &ow).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        ensure!(html.contains(COMMON) && !html.contains(RARE), "the print HTML ({locale:?})");
    }

    // The CSV (UTF-8 and CP932) and the PDF, read back with pdftotext.
    for locale in [Locale::Ja, Locale::En] {
        let csv = overall::csv(&cli, locale, CsvEncoding::Utf8Bom).map_err(|e| anyhow::anyhow!("{e}"))?;
        let text = String::from_utf8_lossy(&csv.bytes).to_string();
        let label = match locale {
            Locale::Ja => format!("テーマ: {COMMON}"),
            Locale::En => format!("Theme: {COMMON}"),
        };
        ensure!(text.contains(&label) && text.contains(&theme) && !text.contains(RARE), "the CSV ({locale:?}):\n{text}");
    }
    let sjis = overall::csv(&cli, Locale::Ja, CsvEncoding::Cp932).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (rare_sjis, _, _) = encoding_rs::SHIFT_JIS.encode(RARE);
    ensure!(!contains(&sjis.bytes, &rare_sjis), "the CP932 CSV");
    let renderer = export::pdf::Renderer::system().map_err(|e| anyhow::anyhow!("{e} (run scripts/ensure-test-deps.sh)"))?;
    let pdf = overall::pdf(&renderer, &cli, &[], None, Locale::Ja).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("overall.pdf");
    std::fs::write(&file, &pdf)?;
    let out = std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&file).arg("-").output().context("pdftotext")?;
    ensure!(out.status.success(), "pdftotext failed");
    let text: String = String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    ensure!(text.contains("テーマ") && text.contains(COMMON) && !text.contains(RARE), "the PDF:\n{text}");

    // The database never holds the rare word in clear. The common one it does, in the released
    // snapshot (the report as it was shown): that the scan finds it shows the scan reads text.
    ensure!(!database_holds(&w, RARE)?, "the database holds {RARE} in clear");
    ensure!(database_holds(&w, COMMON)?, "the scan does not find the released theme {COMMON}");
    Ok(())
}
