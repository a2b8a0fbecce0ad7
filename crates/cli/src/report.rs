//! `careerdock report overall`: a released overall report (全体報告書) printed as the JSON
//! contract (the API's value) or as one print-friendly HTML document, to standard output or a
//! file. `--cycle` takes a cycle's name, its id or `latest`; without `--version` the latest
//! released version is used; a cycle with no release is an error that says so. Each `--by`
//! narrows the tables to the whole population and the table by exactly those dimensions. The
//! read is audited as `cli:report-overall`.
//!
//! `--format pdf` and `--format csv` (UTF-8 with a BOM, or `--encoding cp932`) are bytes: they
//! go to `-o FILE`, or to standard output only when it is not a terminal. Progress goes to
//! standard error.

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
    /// The effect report of a questionnaire in a cycle (効果把握): group statistics between pre and post.
    Effect(crate::report_effect::EffectArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    Department,
    Age,
    Tenure,
    Grade,
}

impl By {
    pub fn dimension(self) -> Dimension {
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
    Pdf,
    Csv,
}

/// The CSV's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark (Excel reads it as UTF-8).
    Utf8,
    /// CP932 (Windows' Shift_JIS), for older Japanese systems.
    Cp932,
}

impl Encoding {
    pub fn csv(self) -> export::csv::CsvEncoding {
        match self {
            Encoding::Utf8 => export::csv::CsvEncoding::Utf8Bom,
            Encoding::Cp932 => export::csv::CsvEncoding::Cp932,
        }
    }
}

/// The consultants' narrative as (heading, text) pairs in `locale`.
pub fn narrative_sections(n: &domain::overall_narrative::Narrative, locale: Locale) -> Vec<(String, String)> {
    domain::overall_narrative::SECTIONS
        .iter()
        .map(|s| {
            let heading = if locale == Locale::Ja { s.label_ja } else { s.label_en };
            (heading.to_string(), n.get(s.field).to_string())
        })
        .collect()
}

/// Refuses to write PDF or CSV bytes to a terminal (before any work is done).
pub fn check_binary_target(binary: bool, output: &Option<PathBuf>) -> anyhow::Result<()> {
    if binary && output.is_none() && std::io::stdout().is_terminal() {
        return Err(anyhow!(
            "--format pdf/csv writes bytes: give -o FILE or redirect standard output / PDF・CSV はバイナリです。-o でファイルを指定するか、標準出力をリダイレクトしてください"
        ));
    }
    Ok(())
}

/// The PDF renderer with its fonts loaded, timed on standard error.
pub fn renderer() -> anyhow::Result<&'static export::pdf::Renderer> {
    let started = std::time::Instant::now();
    let r = export::pdf::Renderer::shared().map_err(|e| anyhow!("{e}"))?;
    eprintln!("fonts loaded in {} ms / フォントを読み込みました", started.elapsed().as_millis());
    Ok(r)
}

/// Says which characters CP932 could not encode.
pub fn report_replaced(file: &export::csv::CsvFile) {
    for r in file.replaced.iter().take(20) {
        eprintln!(
            "warning: line {} column {}: {:?} is not in CP932, written as 〓 / CP932 にない文字を〓に置き換えました",
            r.line, r.column, r.character
        );
    }
    if file.replaced.len() > 20 {
        eprintln!("warning: {} characters replaced in all", file.replaced.len());
    }
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
    /// The language of the HTML, PDF and CSV (ja or en).
    #[arg(long, default_value = "ja")]
    lang: String,
    /// The CSV's encoding: utf8 (with a BOM) or cp932.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: Encoding,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

pub async fn run(g: &Global, what: ReportWhat) -> anyhow::Result<ExitCode> {
    let what = match what {
        ReportWhat::Management(args) => return crate::report_management::run(g, args).await,
        ReportWhat::Effect(args) => return crate::report_effect::run(g, args).await,
        other => other,
    };
    let store = config::open(g, false).await?;
    let result = match what {
        ReportWhat::Overall(args) => overall(&store, args).await,
        ReportWhat::Management(_) | ReportWhat::Effect(_) => Ok(()),
    };
    store.close().await;
    result.map(|_| ExitCode::SUCCESS)
}

async fn overall(store: &store::Store, a: OverallArgs) -> anyhow::Result<()> {
    let binary = matches!(a.format, Format::Pdf | Format::Csv);
    check_binary_target(binary, &a.output)?;
    let t = config::tenant(store, &a.tenant).await?;
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new_spinner() } else { ProgressBar::hidden() };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message("reading the released report / 公開版を読み込んでいます");
    let ctx = Ctx::operator(t.id, "report-overall");
    let cycle = CycleChoice::parse(&a.cycle);
    let (report, narrative, earlier) = match store.operator_overall_report(&ctx, &cycle, a.version).await {
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
    let locale = Locale::parse(&a.lang).unwrap_or_default();
    let bytes: Vec<u8> = match a.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&chosen)?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Html => {
            let words = web::OverallWords::of_tenant(store, t.id, web::i18n::Tr::new(locale)).await.map_err(|e| anyhow!("{e:?}"))?;
            let mut s = web::overall_print_html(&chosen, &narrative, &words).map_err(|e| anyhow!("{e:?}"))?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Pdf => {
            bar.finish_and_clear();
            eprintln!("building the document / 文書を組み立てています");
            let renderer = renderer()?;
            eprintln!("rendering PDF / PDF を作成しています");
            let started = std::time::Instant::now();
            // The trend across cycles, as the page's PDF has it.
            let trend = web::overall_trend_chart(&earlier, &chosen, locale);
            let words = web::OverallWords::of_tenant(store, t.id, web::i18n::Tr::new(locale)).await.map_err(|e| anyhow!("{e:?}"))?;
            let named = web::overall_tags_named(&chosen, words.tag_labels());
            let pdf = export::overall::pdf(renderer, &named, &narrative_sections(&narrative, locale), trend, locale)
                .map_err(|e| anyhow!("{e}"))?;
            eprintln!("rendered in {} ms", started.elapsed().as_millis());
            pdf
        }
        Format::Csv => {
            let file = export::overall::csv(&chosen, locale, a.encoding.csv()).map_err(|e| anyhow!("{e}"))?;
            report_replaced(&file);
            file.bytes
        }
    };
    bar.finish_and_clear();
    match &a.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("-o: cannot write {}", path.display()))?;
            eprintln!(
                "written {} bytes to {} ({} {}, version {})",
                bytes.len(),
                path.display(),
                report.cycle.name,
                a.tenant,
                report.version
            );
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(())
}
