//! `careerdock report overall`: a released overall report (全体報告書) printed as the JSON
//! contract (the API's value) or as one print-friendly HTML document, to standard output or a
//! file. `--cycle` takes a cycle's name, its id or `latest`; without `--version` the latest
//! released version is used; a cycle with no release is an error that says so. Each `--by`
//! narrows the tables to the whole population and the table by exactly those dimensions. The
//! read is audited as `cli:report-overall`.

use crate::config::{self, Global};
use anyhow::{anyhow, Context};
use clap::{Args, Subcommand, ValueEnum};
use domain::breakdown;
use domain::overall_report::Dimension;
use domain::Locale;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use store::{Ctx, CycleChoice, StoreError};

#[derive(Subcommand)]
pub enum ReportWhat {
    /// The released overall report of a cycle (全体報告書).
    Overall(OverallArgs),
    /// A cycle's released management report (経営層への報告); the latest released version unless --version.
    Management(crate::report_management::ManagementArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    Department,
    Age,
    Tenure,
    Grade,
}

impl By {
    fn dimension(self) -> Dimension {
        match self {
            By::Department => Dimension::Department,
            By::Age => Dimension::Age,
            By::Tenure => Dimension::Tenure,
            By::Grade => Dimension::Grade,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Html,
}

#[derive(Args)]
pub struct OverallArgs {
    #[arg(long)]
    tenant: String,
    /// The cycle's name, its id, or `latest` (the newest cycle with a release).
    #[arg(long)]
    cycle: String,
    /// A released version (the latest released one when absent).
    #[arg(long)]
    version: Option<i64>,
    /// A breakdown dimension; repeat for a two-way table.
    #[arg(long, value_enum)]
    by: Vec<By>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// The language of the HTML (ja or en).
    #[arg(long, default_value = "ja")]
    lang: String,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub async fn run(g: &Global, what: ReportWhat) -> anyhow::Result<ExitCode> {
    let what = match what {
        ReportWhat::Management(args) => return crate::report_management::run(g, args).await,
        other => other,
    };
    let store = config::open(g, false).await?;
    let result = match what {
        ReportWhat::Overall(args) => overall(&store, args).await,
        ReportWhat::Management(_) => Ok(()),
    };
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}

async fn overall(store: &store::Store, a: OverallArgs) -> anyhow::Result<()> {
    let t = config::tenant(store, &a.tenant).await?;
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message("reading the released report / 公開版を読み込んでいます");
    let ctx = Ctx::operator(t.id, "report-overall");
    let cycle = CycleChoice::parse(&a.cycle);
    let (report, narrative) = match store.operator_overall_report(&ctx, &cycle, a.version).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => {
            bar.finish_and_clear();
            return Err(anyhow!("--cycle: no cycle '{}' in tenant {} / 実施年度「{}」が見つかりません", a.cycle, a.tenant, a.cycle));
        }
        Err(StoreError::Conflict(m)) => {
            bar.finish_and_clear();
            let which = match a.version {
                Some(v) => format!(" (version {v})"),
                None => String::new(),
            };
            return Err(anyhow!("--cycle {}{which}: {} / {}", a.cycle, m.en, m.ja));
        }
        Err(e) => {
            bar.finish_and_clear();
            return Err(e.into());
        }
    };
    let dims: Vec<Dimension> = a.by.iter().map(|b| b.dimension()).collect();
    let chosen = breakdown::select(&report, &dims)
        .ok_or_else(|| anyhow!("--by: this release has no table by that breakdown with a shown cell / その内訳の表は公開されていません"))?;
    bar.set_message("rendering / 出力しています");
    let text = match a.format {
        Format::Json => serde_json::to_string_pretty(&chosen)?,
        Format::Html => {
            let locale = Locale::parse(&a.lang).unwrap_or_default();
            let words = web::OverallWords::of_tenant(store, t.id, web::i18n::Tr::new(locale)).await.map_err(|e| anyhow!("{e:?}"))?;
            web::overall_print_html(&chosen, &narrative, &words).map_err(|e| anyhow!("{e:?}"))?
        }
    };
    bar.finish_and_clear();
    match &a.output {
        Some(path) => {
            std::fs::write(path, text.as_bytes()).with_context(|| format!("-o: cannot write {}", path.display()))?;
            eprintln!("wrote {} ({} {}, version {})", path.display(), report.cycle.name, a.tenant, report.version);
        }
        None => println!("{text}"),
    }
    Ok(())
}
