//! The effect report as JSON (`GET /api/v1/reports/effect`), for HR and executives: the same
//! value `careerdock report effect --format json` prints. `cycle` takes a cycle's name or id,
//! `questionnaire` a questionnaire's code (`career-awareness` when absent), each `by` a one-way
//! table after the whole population (none: all four). A cycle or questionnaire the tenant does
//! not have answers 404.

use super::openapi::ErrorBody;
use super::overall_reports::add_dimensions;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::effect_report::EffectReport;
use domain::overall_report::Dimension;
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/reports/effect", Operation::ReadEffectReport, effect_report)
}

#[derive(OpenApi)]
#[openapi(
    paths(effect_report),
    components(schemas(EffectReportDoc, EffectQuestionnaireDoc, EffectPopulationDoc, EffectTableDoc, EffectCellDoc, EffectValueDoc, WarningDoc)),
    tags((name = "aggregate-reports", description = "Aggregate reports (全体報告書): released versions only, every figure past the anonymity rules"))
)]
pub struct EffectReportsApi;

/// The effect report (効果把握) of one questionnaire in one cycle.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectReportDoc {
    #[schema(example = "demo")]
    pub tenant: String,
    pub cycle: super::overall_reports::CycleRefDoc,
    pub questionnaire: EffectQuestionnaireDoc,
    /// The minimum group size (the cycle's k, as for the overall report).
    #[schema(example = 10)]
    pub k: u32,
    pub population: EffectPopulationDoc,
    /// As in the overall report: how each label maps to people.
    #[schema(value_type = Object)]
    pub dimensions: serde_json::Value,
    /// `overall` first, then the one-way tables asked for.
    pub tables: Vec<EffectTableDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectQuestionnaireDoc {
    #[schema(example = "career-awareness")]
    pub code: String,
    #[schema(example = "キャリア意識アンケート")]
    pub title: String,
    #[schema(example = "Career awareness questionnaire")]
    pub title_en: String,
    #[schema(example = 1)]
    pub scale_min: i64,
    #[schema(example = 5)]
    pub scale_max: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectPopulationDoc {
    /// Always `complete_pairs`: people with the latest `pre` and the latest `post` answer set
    /// of the cycle, both complete.
    #[schema(example = "complete_pairs")]
    pub rule: String,
    /// `YYYY-MM-DD`, the day of the computation (ages and tenures at this date).
    #[schema(example = "2026-12-05")]
    pub as_of: String,
    /// The number of complete pairs, only when the whole-population cell is shown.
    pub n: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectTableDoc {
    #[schema(example = "department")]
    pub name: String,
    pub by: Vec<String>,
    pub cells: Vec<EffectCellDoc>,
}

/// A cell: the overall report's shape; a suppressed one carries none of `n`, `value`, `warning`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectCellDoc {
    #[schema(value_type = Object)]
    pub group: serde_json::Value,
    /// Always `effect`.
    #[schema(example = "effect")]
    pub measure: String,
    pub suppressed: bool,
    /// Complete pairs in the group.
    pub n: Option<u64>,
    pub value: Option<EffectValueDoc>,
    /// For a small group (fewer than 34 pairs): what it cannot show, in plain language.
    pub warning: Option<WarningDoc>,
}

/// The figures of a shown group; `null` where not computable.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct EffectValueDoc {
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// post − pre.
    pub mean_change: Option<f64>,
    /// The 95 % t-interval of the mean change.
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// Two-sided Wilcoxon signed-rank test, as `scipy.stats.wilcoxon` with its defaults.
    pub wilcoxon_p: Option<f64>,
    /// Cohen's d_z: mean change over the standard deviation of the changes.
    pub effect_size: Option<f64>,
    /// The smallest change (score points) detected with 80 % power at α = 0.05.
    pub min_detectable_effect: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct WarningDoc {
    pub ja: String,
    pub en: String,
}

/// The query: `cycle`, `questionnaire`, and `by` any number of times.
#[derive(Debug, PartialEq)]
pub(crate) struct Asked {
    pub cycle: String,
    pub questionnaire: String,
    pub by: Vec<Dimension>,
}

pub(crate) fn asked(raw: Option<&str>) -> Result<Asked, Invalid> {
    let mut out = Asked { cycle: String::new(), questionnaire: "career-awareness".to_string(), by: Vec::new() };
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cycle" => out.cycle = v.trim().to_string(),
            "questionnaire" if !v.trim().is_empty() => out.questionnaire = v.trim().to_string(),
            "by" => add_dimensions(&mut out.by, &v)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The effect report of a questionnaire in a cycle.
#[utoipa::path(
    get,
    path = "/api/v1/reports/effect",
    operation_id = "getEffectReport",
    tag = "aggregate-reports",
    params(
        ("cycle" = String, Query, description = "The cycle's name or id"),
        ("questionnaire" = Option<String>, Query, description = "The questionnaire's code; `career-awareness` when absent"),
        ("by" = Option<Vec<String>>, Query, description = "One-way tables (`department`, `age`, `tenure`, `grade`), repeatable, after the whole population; all four when absent"),
    ),
    responses(
        (status = 200, description = "The report; every shown cell passed the anonymity engine", body = EffectReportDoc),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or the role may not read the effect report (HR and executives may)", body = ErrorBody),
        (status = 404, description = "No such cycle or questionnaire in the tenant", body = ErrorBody),
        (status = 422, description = "A `by` that cannot be read", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn effect_report(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<EffectReport>> {
    let q = asked(raw.as_deref())?;
    if q.cycle.is_empty() {
        return Err(AppError::NotFound);
    }
    let ctx = p.ctx();
    let (cycle, _) = state.store.cycle_by_id_or_name(ctx.tenant(), &q.cycle).await?;
    Ok(Json(state.store.effect_report(&ctx, cycle, &q.questionnaire, &q.by).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_documents_its_path_and_schemas() {
        let doc = EffectReportsApi::openapi();
        assert!(doc.paths.paths.get("/api/v1/reports/effect").is_some_and(|p| p.get.is_some()));
    }

    #[test]
    fn the_query_reads_the_cycle_the_questionnaire_and_breakdowns() {
        let q = asked(Some("cycle=2025%E5%B9%B4%E5%BA%A6&by=department&by=age,department")).ok();
        assert_eq!(
            q,
            Some(Asked {
                cycle: "2025年度".into(),
                questionnaire: "career-awareness".into(),
                by: vec![Dimension::Department, Dimension::Age]
            })
        );
        assert!(asked(Some("by=salary")).is_err());
    }
}
