//! `careerdock report effect`: the effect report (効果把握) of a questionnaire in one cycle, as
//! the API's JSON or as CSV (UTF-8 with a BOM, or `--encoding cp932`), to standard output or a
//! file. `--cycle` takes the cycle's name or id; each `--by` adds a one-way table after the
//! whole population (none: all four). The scores are read through the audited gate
//! (`effect_report_read`, as `cli:report-effect`); what is shown passed the anonymity engine.
//! A bad argument (unknown cycle or questionnaire) ends with exit status 2.

use crate::config::{self, Global};
use crate::report::{By, Encoding};
use anyhow::{anyhow, Context};
use clap::{Args, ValueEnum};
use domain::effect_report::EffectReport;
use domain::overall_report::Dimension;
use domain::Locale;
use std::path::PathBuf;
use std::process::ExitCode;
use store::{Ctx, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EffectFormat {
    Json,
    Csv,
}

#[derive(Args)]
pub struct EffectArgs {
    /// The tenant's code.
    #[arg(long)]
    tenant: String,
    /// The cycle's name or id.
    #[arg(long)]
    cycle: String,
    /// The questionnaire's code (career-awareness).
    #[arg(long)]
    questionnaire: String,
    /// A one-way table after the whole population; repeat for several (none: all four).
    #[arg(long, value_enum)]
    by: Vec<By>,
    #[arg(long, value_enum, default_value = "json")]
    format: EffectFormat,
    /// The language of the CSV's header and warnings (ja or en).
    #[arg(long, default_value = "ja")]
    lang: String,
    /// The CSV's encoding: utf8 (with a BOM) or cp932.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: Encoding,
    /// Write to this file instead of standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
}

fn bad(message: String) -> anyhow::Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(2))
}

pub async fn run(g: &Global, a: EffectArgs) -> anyhow::Result<ExitCode> {
    let Some(locale) = Locale::parse(&a.lang) else {
        return bad(format!("--lang: '{}' is not ja or en / --lang には ja か en を指定してください", a.lang));
    };
    let store = config::open(g, false).await?;
    let result = effect(&store, &a, locale).await;
    store.close().await;
    result
}

async fn effect(store: &store::Store, a: &EffectArgs, locale: Locale) -> anyhow::Result<ExitCode> {
    let t = match config::tenant(store, &a.tenant).await {
        Ok(t) => t,
        Err(e) => return bad(format!("--tenant: {e:#}")),
    };
    let cycle = match store.cycle_by_id_or_name(t.id, &a.cycle).await {
        Ok((id, _)) => id,
        Err(StoreError::NotFound) => {
            return bad(format!("--cycle: no cycle '{}' in tenant {} / 実施年度「{}」が見つかりません", a.cycle, a.tenant, a.cycle))
        }
        Err(e) => return Err(e.into()),
    };
    let ctx = Ctx::operator(t.id, "report-effect");
    let dims: Vec<Dimension> = a.by.iter().map(|b| b.dimension()).collect();
    let started = std::time::Instant::now();
    let report = match store.effect_report(&ctx, cycle, &a.questionnaire, &dims).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return bad(format!(
                "--questionnaire: no questionnaire '{}' in tenant {} / アンケート「{}」が見つかりません",
                a.questionnaire, a.tenant, a.questionnaire
            ))
        }
        Err(e) => return Err(e.into()),
    };
    eprintln!("computed in {} ms / 集計しました", started.elapsed().as_millis());
    let bytes = match a.format {
        EffectFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s.into_bytes()
        }
        EffectFormat::Csv => {
            let (header, rows) = csv_rows(&report, locale);
            let file = export::csv::write(&header, &rows, a.encoding.csv()).map_err(|e| anyhow!("{e}"))?;
            crate::report::report_replaced(&file);
            file.bytes
        }
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("-o: cannot write {}", path.display()))?;
            eprintln!("written {} bytes to {}", bytes.len(), path.display());
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// One row per cell: the table, the four dimensions' labels, then the figures (empty when
/// suppressed or not computable) and the warning in `locale`.
pub fn csv_rows(r: &EffectReport, locale: Locale) -> (Vec<String>, Vec<Vec<String>>) {
    let ja = locale == Locale::Ja;
    let header: Vec<String> = if ja {
        [
            "表",
            "部署",
            "年齢",
            "勤続年数",
            "等級",
            "非表示",
            "n",
            "事前平均",
            "事後平均",
            "平均変化",
            "95%信頼区間下限",
            "95%信頼区間上限",
            "wilcoxon_p",
            "効果量dz",
            "検出可能な最小効果",
            "注意",
        ]
        .map(String::from)
        .to_vec()
    } else {
        [
            "table",
            "department",
            "age",
            "tenure",
            "grade",
            "suppressed",
            "n",
            "mean_pre",
            "mean_post",
            "mean_change",
            "ci95_low",
            "ci95_high",
            "wilcoxon_p",
            "effect_size",
            "min_detectable_effect",
            "warning",
        ]
        .map(String::from)
        .to_vec()
    };
    let mut rows = Vec::new();
    for t in &r.tables {
        for c in &t.cells {
            let label = |d: Dimension| c.group.get(&d).cloned().unwrap_or_default();
            let v = c.value;
            let mut row = vec![
                t.name.clone(),
                label(Dimension::Department),
                label(Dimension::Age),
                label(Dimension::Tenure),
                label(Dimension::Grade),
                if c.suppressed { "true" } else { "false" }.to_string(),
                c.n.map(|n| n.to_string()).unwrap_or_default(),
            ];
            row.extend(
                [
                    v.and_then(|v| v.mean_pre),
                    v.and_then(|v| v.mean_post),
                    v.and_then(|v| v.mean_change),
                    v.and_then(|v| v.ci95_low),
                    v.and_then(|v| v.ci95_high),
                    v.and_then(|v| v.wilcoxon_p),
                    v.and_then(|v| v.effect_size),
                    v.and_then(|v| v.min_detectable_effect),
                ]
                .map(num),
            );
            row.push(c.warning.as_ref().map(|w| w.in_locale(locale).to_string()).unwrap_or_default());
            rows.push(row);
        }
    }
    (header, rows)
}
