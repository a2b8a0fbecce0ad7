//! `careerdock report management`: a cycle's released management report (経営層への報告, R5)
//! as JSON (the API's shape), print-friendly HTML, PDF or CSV. The export reads what the
//! consent ledger releases at the time of the export: a case whose consent was withdrawn is
//! not in it, even for a version released before the withdrawal. A cycle with no released
//! management report is an error that says so.

use crate::config::{self, Global};
use anyhow::{bail, Context};
use clap::Args;
use domain::Locale;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use store::Ctx;

#[derive(Args)]
pub struct ManagementArgs {
    /// The tenant's code.
    #[arg(long)]
    pub tenant: String,
    /// The cycle's name, or `latest` (the newest cycle with a released management report).
    #[arg(long)]
    pub cycle: String,
    /// A released version (default: the latest released version of the cycle).
    #[arg(long)]
    pub version: Option<i64>,
    /// json, html, pdf or csv.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Japanese (ja) or English (en) headings for html, pdf and csv.
    #[arg(long, default_value = "ja")]
    pub lang: String,
    /// The CSV's encoding: utf8 (with a BOM) or cp932.
    #[arg(long, value_enum, default_value = "utf8")]
    pub encoding: crate::report::Encoding,
    /// Write to FILE instead of standard output (required for pdf and csv on a terminal).
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
}

/// The formats this command writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Html,
    Pdf,
    Csv,
}

impl Format {
    fn parse(s: &str) -> Option<Format> {
        match s.trim() {
            "json" => Some(Format::Json),
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

pub async fn run(g: &Global, args: ManagementArgs) -> anyhow::Result<ExitCode> {
    let Some(format) = Format::parse(&args.format) else {
        bail!("unknown format '{}': use json, html, pdf or csv", args.format);
    };
    crate::report::check_binary_target(matches!(format, Format::Pdf | Format::Csv), &args.output)?;
    let locale = Locale::parse(&args.lang).with_context(|| format!("unknown language '{}': use ja or en", args.lang))?;
    let store = config::open(g, false).await?;
    let tenant = config::tenant(&store, &args.tenant).await?;
    let op = Ctx::operator(tenant.id, "report-management");
    let view = match store.released_management_report(&op, &args.cycle, args.version).await {
        Ok(v) => v,
        Err(store::StoreError::NotFound) => {
            store.close().await;
            match args.version {
                Some(v) => bail!(
                    "cycle '{}' of tenant {} has no released management report version {v} (経営層への報告の公開済みの版がありません)",
                    args.cycle,
                    args.tenant
                ),
                None => bail!(
                    "cycle '{}' of tenant {} has no released management report (経営層への報告はまだ公開されていません)",
                    args.cycle,
                    args.tenant
                ),
            }
        }
        Err(e) => {
            store.close().await;
            return Err(e.into());
        }
    };
    if matches!(format, Format::Pdf | Format::Csv) {
        eprintln!(
            "building the document / 文書を組み立てています: {} case(s) with consent in force shown, {} not shown",
            view.doc.cases.len(),
            view.doc.cases_withheld
        );
    }
    let bytes: Vec<u8> = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&view.doc)?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Html => {
            let trends = store.management_trends(&op).await?;
            web::management_print_html(&view, &trends, tag_labels(&store, tenant.id, locale).await?, locale)
                .map_err(anyhow::Error::msg)?
                .into_bytes()
        }
        Format::Pdf | Format::Csv => {
            let built = export_bytes(&store, &op, &view, format, locale, args.encoding).await;
            if built.is_err() {
                store.close().await;
            }
            built?
        }
    };
    store.close().await;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "written {} bytes to {}: management report of {} version {}, {} case(s) shown, {} not shown",
                bytes.len(),
                path.display(),
                view.doc.cycle.name,
                view.doc.version,
                view.doc.cases.len(),
                view.doc.cases_withheld
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The PDF or the CSV: the overall report the version is built on (its narrative and tables)
/// is read as the operator, audited; the cases are those of `view` (consent in force now).
async fn export_bytes(
    store: &store::Store,
    op: &Ctx,
    view: &store::ManagementReportView,
    format: Format,
    locale: Locale,
    encoding: crate::report::Encoding,
) -> anyhow::Result<Vec<u8>> {
    let cycle = store::CycleChoice::Named(view.doc.cycle.name.clone());
    let (report, narrative, earlier) = store.operator_overall_report(op, &cycle, Some(view.doc.overall_report.version)).await?;
    let sections = crate::report::narrative_sections(&narrative, locale);
    // Tags by the tenant's labels in both files, as on the web.
    let labels = tag_labels(store, op.tenant(), locale).await?;
    if format == Format::Csv {
        let named = web::management_tags_named(&view.doc, &labels);
        let file = export::management::csv(&named, &sections, locale, encoding.csv()).map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::report::report_replaced(&file);
        return Ok(file.bytes);
    }
    let renderer = crate::report::renderer()?;
    eprintln!("rendering PDF / PDF を作成しています");
    let started = std::time::Instant::now();
    let trend = web::overall_trend_chart(&earlier, &report, locale);
    let pdf = export::management::pdf(
        renderer,
        &web::management_tags_named(&view.doc, &labels),
        &web::overall_tags_named(&report, &labels),
        &sections,
        trend,
        locale,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!("rendered in {} ms", started.elapsed().as_millis());
    Ok(pdf)
}

/// The tenant's issue-tag labels in `locale`, by code (the figures name tags by code).
async fn tag_labels(store: &store::Store, tenant: domain::ids::TenantId, locale: Locale) -> anyhow::Result<HashMap<String, String>> {
    let items = store.taxonomy(tenant, store::Taxonomy::IssueTags, true).await?;
    Ok(items.iter().map(|i| (i.code.clone(), i.label(locale).to_string())).collect())
}
