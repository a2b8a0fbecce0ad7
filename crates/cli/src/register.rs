//! `careerdock import employees` and `careerdock export employees`.

use crate::config::{self, Global};
use anyhow::Context;
use clap::Subcommand;
use domain::import::{first_unencodable, write_employee_csv, SourceEncoding};
use domain::Locale;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use store::Ctx;

#[derive(Subcommand)]
pub enum ImportWhat {
    /// Employees from a CSV (UTF-8 with or without BOM, or Shift_JIS/CP932; Japanese or English headers).
    Employees {
        file: PathBuf,
        #[arg(long)]
        tenant: String,
        /// Check the file and show what would change, without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Questionnaire answers from a CSV (UTF-8 or Shift_JIS/CP932): 社員番号/employee_number,
    /// 時点/timing (pre, post, follow_up), 回答日/answered_on, then one column per item code.
    /// All or nothing: every bad cell is reported with its line and column.
    Responses {
        file: PathBuf,
        #[arg(long)]
        tenant: String,
        /// The questionnaire's code, e.g. career-awareness.
        #[arg(long)]
        questionnaire: String,
        /// The cycle (実施年度), by name or id.
        #[arg(long)]
        cycle: String,
        /// Check the file without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum ExportWhat {
    /// Employees as CSV.
    Employees {
        #[arg(long)]
        tenant: String,
        /// utf-8, utf-8-bom or sjis (Shift_JIS/CP932).
        #[arg(long, default_value = "utf-8-bom")]
        encoding: String,
        /// English headers instead of Japanese ones.
        #[arg(long)]
        english_headers: bool,
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

fn print_row_errors(errors: &[domain::import::RowError]) {
    eprintln!("取り込みを中止しました。{}件の誤りがあります（何も変更していません）。", errors.len());
    eprintln!("Import refused: {} problem(s) found; nothing was changed.", errors.len());
    for e in errors {
        eprintln!("  {}", e.describe(Locale::Ja));
        eprintln!("    {}", e.describe(Locale::En));
    }
}

pub async fn import(g: &Global, what: ImportWhat) -> anyhow::Result<ExitCode> {
    let (file, tenant, dry_run) = match what {
        ImportWhat::Employees { file, tenant, dry_run } => (file, tenant, dry_run),
        ImportWhat::Responses { file, tenant, questionnaire, cycle, dry_run } => {
            return import_responses(g, &file, &tenant, &questionnaire, &cycle, dry_run).await
        }
    };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let today = store::today_jst();
    let store = config::open(g, false).await?;
    let t = config::tenant(&store, &tenant).await?;
    let (encoding, rows, plan) = match store.check_employee_csv(t.id, &bytes, today).await {
        Ok(x) => x,
        Err(store::StoreError::Rows(errors)) => {
            print_row_errors(&errors);
            store.close().await;
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "{}: {} rows ({}) — new {}, changed {}, unchanged {}, new departments {}",
        file.display(),
        rows.len(),
        encoding.label(),
        plan.created(),
        plan.updated(),
        plan.unchanged,
        plan.new_departments.len()
    );
    if dry_run {
        eprintln!("--dry-run: nothing was changed");
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(plan.rows.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.set_message("取り込み中 / importing");
    let ctx = Ctx::operator(t.id, "import");
    let result = store.apply_employee_import(&ctx, &plan, &|n| bar.set_position(n as u64)).await;
    bar.finish_and_clear();
    match result {
        Ok(s) => {
            println!(
                "取り込みました / imported: 新規 created {}, 更新 updated {}, 変更なし unchanged {}, 新しい部署 departments {}",
                s.created, s.updated, s.unchanged, s.departments_created
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Err(store::StoreError::Rows(errors)) => {
            print_row_errors(&errors);
            store.close().await;
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export(g: &Global, what: ExportWhat) -> anyhow::Result<ExitCode> {
    let ExportWhat::Employees { tenant, encoding, english_headers, output } = what;
    let enc =
        SourceEncoding::from_name(&encoding).with_context(|| format!("unknown encoding '{encoding}': use utf-8, utf-8-bom or sjis"))?;
    let store = config::open(g, false).await?;
    let t = config::tenant(&store, &tenant).await?;
    let records = store.employee_records(t.id).await?;
    let ctx = Ctx::operator(t.id, "export");
    store
        .audit(
            &ctx,
            ctx.event(domain::audit::AuditAction::EmployeeListRead, domain::audit::AuditTarget::EmployeeRegister, "export")
                .detail(domain::audit::AuditDetail::count(records.len())),
        )
        .await?;
    store.close().await;
    if let Some((i, c)) = first_unencodable(&records, enc) {
        anyhow::bail!(
            "employee {} contains '{c}', which {} cannot hold: export as utf-8 instead",
            records.get(i).map(|r| r.number.as_str()).unwrap_or("?"),
            enc.label()
        );
    }
    let bytes = write_employee_csv(&records, enc, !english_headers);
    match output {
        Some(path) => std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    eprintln!("exported {} employees", records.len());
    Ok(ExitCode::SUCCESS)
}

/// `careerdock import responses`: the file is read whole, checked against the questionnaire and
/// the register, and written in one transaction, or not at all (exit status 2 with every problem).
async fn import_responses(
    g: &Global,
    file: &std::path::Path,
    tenant: &str,
    questionnaire: &str,
    cycle: &str,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = config::open(g, false).await?;
    let t = config::tenant(&store, tenant).await?;
    let ctx = Ctx::operator(t.id, "import-responses");
    let result = async {
        let q = match store.questionnaire(&ctx, questionnaire).await {
            Ok(q) => q,
            Err(store::StoreError::NotFound) => anyhow::bail!(
                "questionnaire '{questionnaire}' does not exist in tenant '{tenant}' / アンケート「{questionnaire}」はありません"
            ),
            Err(e) => return Err(e.into()),
        };
        let (cycle_id, cycle_name) = match store.cycle_by_id_or_name(t.id, cycle).await {
            Ok(c) => c,
            Err(store::StoreError::NotFound) => {
                anyhow::bail!("cycle '{cycle}' does not exist in tenant '{tenant}' / 実施年度「{cycle}」はありません")
            }
            Err(e) => return Err(e.into()),
        };
        let parsed = match domain::questionnaire::import::parse_response_csv(&bytes, &q.questionnaire, store::today_jst()) {
            Ok(p) => p,
            Err(errors) => {
                print_row_errors(&errors);
                return Ok(ExitCode::from(2));
            }
        };
        eprintln!("{}: {} rows ({}), cycle {cycle_name}", file.display(), parsed.rows.len(), parsed.encoding.label());
        if dry_run {
            // Every check against the database too (unknown employees, answers already recorded).
            return match store.check_responses(&ctx, q.questionnaire.code(), cycle_id, &parsed.rows).await {
                Ok(n) => {
                    eprintln!("--dry-run: {n} answer sets would be imported; nothing was changed");
                    Ok(ExitCode::SUCCESS)
                }
                Err(store::StoreError::Rows(errors)) => {
                    print_row_errors(&errors);
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            };
        }
        match store.import_responses(&ctx, q.questionnaire.code(), cycle_id, &parsed.rows).await {
            Ok(n) => {
                println!("取り込みました / imported: {n} 件の回答 answer sets ({}, {cycle_name})", q.questionnaire.code());
                Ok(ExitCode::SUCCESS)
            }
            Err(store::StoreError::Rows(errors)) => {
                print_row_errors(&errors);
                Ok(ExitCode::from(2))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    store.close().await;
    result
}
