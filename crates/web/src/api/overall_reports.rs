//! The released overall report as JSON (`GET /api/v1/reports/overall`), for HR and executives:
//! the same value the command line's `--format json` prints and the snapshot the release froze.
//! `cycle` takes a cycle's name, its id or `latest`; `version` a released version (the latest
//! when absent); each `by` a dimension: with none, every table of the release; with some, the
//! whole-population table and the table by exactly those dimensions, offered only when it has a
//! shown cell. A cycle with no release answers 404.

use super::echo;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::breakdown;
use domain::overall_report::{Dimension, OverallReport};
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use store::CycleChoice;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/reports/overall", Operation::ReadOverallReports, overall_report)
}

#[derive(OpenApi)]
#[openapi(
    paths(overall_report),
    components(schemas(OverallReportDoc, CycleRefDoc, PopulationDoc, TableDoc, CellDoc)),
    tags((name = "aggregate-reports", description = "Aggregate reports (全体報告書): released versions only, every figure past the anonymity rules"))
)]
pub struct OverallReportsApi;

/// A released overall report (the JSON contract; names are fixed).
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct OverallReportDoc {
    /// The tenant's code.
    #[schema(example = "demo")]
    pub tenant: String,
    pub cycle: CycleRefDoc,
    #[schema(example = 1)]
    pub version: i64,
    /// RFC 3339, UTC.
    #[schema(example = "2026-03-31T09:00:00Z")]
    pub released_at: String,
    /// The minimum group size the release was decided at.
    #[schema(example = 10)]
    pub k: u32,
    pub population: PopulationDoc,
    /// How each label maps to people: `department` (labels with their department ids and paths; a
    /// department includes its sub-departments), `age` and `tenure` (`reference_date` and bands
    /// with inclusive whole-year bounds `min`, `max`), `grade` (labels with the grades they cover).
    #[schema(value_type = Object)]
    pub dimensions: serde_json::Value,
    pub tables: Vec<TableDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct CycleRefDoc {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "2025年度")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct PopulationDoc {
    /// Always `approved_reports`: the employees whose individual report of a held interview in
    /// the cycle was approved at or before `as_of`.
    #[schema(example = "approved_reports")]
    pub rule: String,
    #[schema(example = "2026-03-31T09:00:00Z")]
    pub as_of: String,
    /// The population's size, only when at least k.
    #[schema(example = 120)]
    pub n: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct TableDoc {
    #[schema(example = "department")]
    pub name: String,
    /// `department`, `age`, `tenure`, `grade`; empty for the whole population.
    pub by: Vec<String>,
    pub cells: Vec<CellDoc>,
}

/// A cell; a suppressed one carries neither `n` nor `value`.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct CellDoc {
    /// Dimension → label; `{}` is the whole population.
    #[schema(value_type = Object)]
    pub group: serde_json::Value,
    /// `people`, `tag:<tag>`, `flag:life_safety`, `flag:organizational_response` or `theme:<term>`.
    #[schema(example = "people")]
    pub measure: String,
    pub suppressed: bool,
    pub n: Option<u64>,
    pub value: Option<f64>,
}

/// The query: `cycle`, `version`, and `by` any number of times.
struct Asked {
    cycle: CycleChoice,
    version: Option<i64>,
    by: Vec<Dimension>,
}

fn asked(raw: Option<&str>) -> AppResult<Asked> {
    let mut out = Asked { cycle: CycleChoice::Latest, version: None, by: Vec::new() };
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cycle" => out.cycle = CycleChoice::parse(&v),
            // `version=` is refused like `version=x` (it once meant the latest): the document
            // says an integer, and the management report always refused it.
            "version" => {
                let n = v.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Invalid::new(
                        "version",
                        format!("版は1以上の整数で指定してください（指定値: {}）。", echo(&v)),
                        format!("version must be a positive whole number (got {})", echo(&v)),
                    )
                })?;
                out.version = Some(n);
            }
            "by" => add_dimensions(&mut out.by, &v)?,
            _ => {}
        }
    }
    Ok(out)
}

/// Adds the dimensions of one `by` value (comma-separated, each once) to `by`, or says which
/// one cannot be read. The overall and the effect report read their breakdowns alike.
pub(crate) fn add_dimensions(by: &mut Vec<Dimension>, value: &str) -> Result<(), Invalid> {
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let d = Dimension::parse(part).ok_or_else(|| {
            Invalid::new(
                "by",
                format!("内訳は department、age、tenure、grade のいずれかで指定してください（指定値: {}）。", echo(part)),
                format!("by must be department, age, tenure or grade (got {})", echo(part)),
            )
        })?;
        if !by.contains(&d) {
            by.push(d);
        }
    }
    Ok(())
}

/// A released overall report of a cycle.
#[utoipa::path(
    get,
    path = "/api/v1/reports/overall",
    operation_id = "getOverallReport",
    tag = "aggregate-reports",
    params(
        ("cycle" = Option<String>, Query, description = "The cycle's name, its id, or `latest` (the default): the newest cycle with a release"),
        ("version" = Option<i64>, Query, description = "A released version; the latest released one when absent"),
        ("by" = Option<Vec<String>>, Query, description = "Dimensions (`department`, `age`, `tenure`, `grade`), repeatable: the whole-population table and the table by exactly these; every table when absent"),
    ),
    responses(
        (status = 200, description = "The released report", body = OverallReportDoc),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or the role may not read overall reports (HR and executives may)", body = ErrorBody),
        (status = 404, description = "No such cycle, no release for it, or the breakdown has no table with a shown cell", body = ErrorBody),
        (status = 422, description = "A `by` or `version` that cannot be read", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn overall_report(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let q = asked(raw.as_deref())?;
    // Without a breakdown, the snapshot as it was released (the stored JSON of the contract),
    // not parsed into 125,000 cells and written again; with one, only its tables are read.
    match state.store.released_overall_json(&p.ctx(), &q.cycle, q.version, &q.by).await? {
        store::ReleasedJson::Stored(text) => Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response()),
        store::ReleasedJson::Chosen(report) => {
            let chosen: OverallReport = breakdown::select(&report, &q.by).ok_or(AppError::NotFound)?;
            Ok(Json(chosen).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_documents_its_path_and_schemas() {
        let doc = OverallReportsApi::openapi();
        assert!(doc.paths.paths.get("/api/v1/reports/overall").is_some_and(|p| p.get.is_some()));
    }

    #[test]
    fn the_query_reads_repeated_breakdowns() {
        let q = asked(Some("cycle=2025%E5%B9%B4%E5%BA%A6&by=department&by=age&version=2")).ok();
        let q = q.map(|q| (q.cycle, q.version, q.by));
        assert_eq!(q, Some((CycleChoice::Named("2025年度".into()), Some(2), vec![Dimension::Department, Dimension::Age])));
        assert!(asked(Some("by=salary")).is_err());
        assert!(asked(Some("version=0")).is_err());
        // schemathesis finding 3: an empty version is not the latest one.
        assert!(asked(Some("version=")).is_err());
    }
}
