//! The management report as JSON (`GET /api/v1/reports/management`, R5): a cycle's released
//! version, to HR and executives, in the shape `careerdock report management --format json`
//! writes (`domain::management_report::ManagementReportDoc`). A cycle with no release is 404.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::management_report::ManagementReportDoc;
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/reports/management", Operation::ReadManagementReports, released)
}

#[derive(OpenApi)]
#[openapi(
    paths(released),
    components(schemas(ManagementReport, CycleRefBody, OverallRefBody, FigureBody, CaseBody, IssueBody)),
    tags((name = "management-reports", description = "The management report (経営層への報告)"))
)]
pub struct ManagementReportsApi;

#[derive(Debug, Serialize, ToSchema)]
pub struct CycleRefBody {
    pub id: i64,
    pub name: String,
}

/// The released overall report the management report is built on.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverallRefBody {
    /// The overall report version's id.
    pub id: i64,
    pub version: i64,
    /// RFC 3339, UTC.
    pub released_at: Option<String>,
    /// The anonymity threshold of its figures.
    pub k: u32,
    /// Employees in its population; absent when fewer than k.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
}

/// A figure of the whole population; a suppressed one carries neither `n` nor `value`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureBody {
    /// `people`, `flag:life_safety`, `flag:organizational_response`, `tag:<name>` or `theme:<term>`.
    pub measure: String,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// A consented important case: the summary the employee agreed to, HR's solution and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseBody {
    pub summary: String,
    pub solution: String,
    /// `open`, `in_progress`, `monitoring` or `resolved`.
    pub status: String,
}

/// An organizational issue (names nobody) and its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueBody {
    pub title: String,
    /// `open`, `in_progress` or `resolved`.
    pub status: String,
}

/// A released version of a cycle's management report, as the caller may read it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagementReport {
    /// The tenant's code.
    pub tenant: String,
    pub cycle: CycleRefBody,
    pub version: i64,
    /// Always `released` here.
    pub state: String,
    /// RFC 3339, UTC.
    pub released_at: Option<String>,
    pub overall_report: OverallRefBody,
    pub figures: Vec<FigureBody>,
    /// The cases whose consent holds now; none for a holder of personnel authority.
    pub cases: Vec<CaseBody>,
    /// How many cases of this version are not shown now (consent withdrawn or no longer in
    /// effect, or personnel authority), never which.
    pub cases_withheld: u64,
    pub org_issues: Vec<IssueBody>,
    /// HR's commentary.
    pub commentary: String,
}

impl From<ManagementReportDoc> for ManagementReport {
    fn from(d: ManagementReportDoc) -> Self {
        ManagementReport {
            tenant: d.tenant,
            cycle: CycleRefBody { id: d.cycle.id, name: d.cycle.name },
            version: d.version,
            state: d.state,
            released_at: d.released_at,
            overall_report: OverallRefBody {
                id: d.overall_report.id,
                version: d.overall_report.version,
                released_at: d.overall_report.released_at,
                k: d.overall_report.k,
                population: d.overall_report.population,
            },
            figures: d
                .figures
                .into_iter()
                .map(|f| FigureBody { measure: f.measure, suppressed: f.suppressed, n: f.n, value: f.value })
                .collect(),
            cases: d.cases.into_iter().map(|c| CaseBody { summary: c.summary, solution: c.solution, status: c.status }).collect(),
            cases_withheld: d.cases_withheld,
            org_issues: d.org_issues.into_iter().map(|i| IssueBody { title: i.title, status: i.status }).collect(),
            commentary: d.commentary,
        }
    }
}

/// `cycle` (a name or `latest`, required) and `version` (optional) from the query.
fn parse_query(raw: Option<&str>) -> AppResult<(String, Option<i64>)> {
    let mut cycle = None;
    let mut version = None;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cycle" => cycle = Some(v.trim().to_string()).filter(|c| !c.is_empty()),
            "version" => {
                let n = v.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    AppError::Invalid(Invalid::new(
                        "version",
                        format!("version は1以上の整数で指定してください（「{}」）。", super::echo(&v)),
                        format!("version must be a whole number of 1 or more (got \"{}\")", super::echo(&v)),
                    ))
                })?;
                version = Some(n);
            }
            _ => {}
        }
    }
    let cycle = cycle.ok_or_else(|| {
        AppError::Invalid(Invalid::new(
            "cycle",
            "cycle に実施年度の名前か latest を指定してください。",
            "Give cycle: the cycle's name, or latest",
        ))
    })?;
    Ok((cycle, version))
}

/// A cycle's released management report (without `version`, its latest released version), as
/// the caller may read it now: the cases whose consent holds at this read. Roles: hr, executive.
#[utoipa::path(get, path = "/api/v1/reports/management", operation_id = "getManagementReport", tag = "management-reports",
    params(("cycle" = String, Query, description = "The cycle's name, or `latest`"), ("version" = Option<i64>, Query, description = "A released version (default: the latest)")),
    responses((status = 200, body = ManagementReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "The cycle has no released management report"), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn released(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<ManagementReport>> {
    let (cycle, version) = parse_query(raw.as_deref())?;
    let v = state.store.released_management_report(&p.ctx(), &cycle, version).await?;
    Ok(Json(v.doc.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_needs_a_cycle_and_a_positive_version() {
        assert_eq!(parse_query(Some("cycle=latest")).ok(), Some(("latest".to_string(), None)));
        assert_eq!(parse_query(Some("cycle=2025%E5%B9%B4%E5%BA%A6&version=2")).ok(), Some(("2025年度".to_string(), Some(2))));
        assert!(parse_query(None).is_err());
        assert!(parse_query(Some("cycle=x&version=0")).is_err());
    }
}
