//! Individual reports as JSON (`/api/v1/reports`): the same rules as the pages — a report
//! the acting role may not see answers 404, and every read is audited.

use super::employees::{parse_limit, parse_offset, DEFAULT_LIMIT};
use super::json_body;
use super::openapi::ErrorBody;
use crate::auth::{Authed, Lang};
use crate::error::{AppError, AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::{InterviewId, ReportId, UserId};
use domain::policy::Operation;
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::Invalid;
use serde::{Deserialize, Serialize};
use store::Ctx;
use store::{Direction, PageRequest, ReportFilter, ReportQuery, ReportSort, ReportSummary, ReviewInput, MAX_PAGE_SIZE};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/reports", Operation::QueryReports, list)
        .post("/api/v1/reports", Operation::WriteReports, create)
        .get("/api/v1/reports/{id}", Operation::QueryReports, show)
        .put("/api/v1/reports/{id}", Operation::WriteReports, save)
        .post("/api/v1/reports/{id}/submit", Operation::WriteReports, submit)
        .post("/api/v1/reports/{id}/review", Operation::ReviewReports, review)
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, show, save, submit, review),
    components(schemas(ReportList, ReportItem, ReportBody, CommentBody, NewReport, Created, SaveReport, Saved, SubmitReport, ReviewBody, ReviewComment, ReviewScore, Decided, Flags)),
    tags((name = "reports", description = "Individual reports (個別報告書) and their review"))
)]
pub struct ReportsApi;

fn report_id(raw: &str) -> AppResult<ReportId> {
    raw.trim()
        .parse::<i64>()
        .map(ReportId::new)
        .map_err(|_| AppError::Invalid(Invalid::new("id", "報告書IDは整数で指定してください。", "the report id must be a whole number")))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Flags {
    pub life_safety: bool,
    pub organizational_response: bool,
}

impl From<ReportFlags> for Flags {
    fn from(f: ReportFlags) -> Self {
        Flags { life_safety: f.life_safety, organizational_response: f.organizational_response }
    }
}

/// A page of reports, the last changed first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportList {
    /// Reports the acting role may see that match the query, over all pages.
    pub total: i64,
    pub items: Vec<ReportItem>,
    pub limit: i64,
    pub offset: i64,
}

/// A report as listed: identified for its author (and an assigned supervisor), otherwise pseudonymized.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportItem {
    pub id: i64,
    /// `draft`, `submitted`, `returned` or `approved`.
    pub status: String,
    pub pseudonymized: bool,
    /// The person's name, or their pseudonym.
    pub subject: String,
    pub department: String,
    /// Interview date (YYYY-MM-DD), or a fiscal half-year when pseudonymized.
    pub held: String,
    pub tags: Vec<String>,
    pub flags: Flags,
    pub mine: bool,
    pub cycle_id: Option<i64>,
}

impl From<ReportSummary> for ReportItem {
    fn from(r: ReportSummary) -> Self {
        ReportItem {
            id: r.id.get(),
            status: r.status.as_str().to_string(),
            pseudonymized: r.pseudonymized,
            subject: r.subject,
            department: r.department,
            held: r.held,
            tags: r.tags,
            flags: r.flags.into(),
            mine: r.is_mine,
            cycle_id: r.cycle_id,
        }
    }
}

/// The list's query: filters and the page.
#[derive(Debug)]
struct ListQuery {
    filter: ReportFilter,
    limit: i64,
    offset: i64,
}

fn parse_list_query(raw: Option<&str>) -> Result<ListQuery, Invalid> {
    let mut q = ListQuery { filter: ReportFilter::default(), limit: DEFAULT_LIMIT, offset: 0 };
    let (mut seen_limit, mut seen_offset) = (false, false);
    // An empty value is refused like any other that does not read (as `limit=` always was): the
    // document says an integer (`cycle`) and a status, and `cycle=` once listed every cycle.
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cycle" => {
                q.filter.cycle = Some(v.trim().parse::<i64>().map_err(|_| {
                    Invalid::new("cycle", "cycle には実施年度のIDを整数で指定してください。", "cycle must be a cycle id (a whole number)")
                })?);
            }
            "status" => {
                q.filter.status = Some(ReportStatus::parse(v.trim()).ok_or_else(|| {
                    Invalid::new(
                        "status",
                        "status は draft, submitted, returned, approved のいずれかです。",
                        "status must be draft, submitted, returned or approved",
                    )
                })?);
            }
            "limit" if !seen_limit => {
                seen_limit = true;
                q.limit = parse_limit(&v, MAX_PAGE_SIZE)?;
            }
            "offset" if !seen_offset => {
                seen_offset = true;
                q.offset = parse_offset(&v)?;
            }
            _ => {}
        }
    }
    Ok(q)
}

/// The reports the acting role may see: for a consultant, their own and colleagues' approved
/// ones (pseudonymized); for a supervisor, everything submitted; for every other role, none.
#[utoipa::path(get, path = "/api/v1/reports", operation_id = "listReports", tag = "reports",
    params(
        ("cycle" = Option<i64>, Query, description = "Only reports of interviews in this cycle"),
        ("status" = Option<String>, Query, description = "draft, submitted, returned or approved"),
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 200 (default 50)", minimum = 1, maximum = 200),
        ("offset" = Option<i64>, Query, description = "Rows to skip (default 0)", minimum = 0),
    ),
    responses((status = 200, body = ReportList), (status = 403, body = ErrorBody), (status = 422, description = "A bad cycle, status, limit or offset; `field` names it", body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn list(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    RawQuery(raw): RawQuery,
) -> AppResult<Json<ReportList>> {
    let q = parse_list_query(raw.as_deref())?;
    let query = ReportQuery { filter: q.filter, sort: ReportSort::Updated, dir: Direction::Desc, ..Default::default() };
    let page = state.store.report_page(&p.ctx(), &query, PageRequest::new(q.limit, q.offset), locale).await?;
    Ok(Json(ReportList {
        total: page.total,
        items: page.items.into_iter().map(ReportItem::from).collect(),
        limit: q.limit,
        offset: q.offset,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentBody {
    /// A section id, or `general`.
    pub section: String,
    pub round: i64,
    pub author: String,
    pub body: String,
    /// Exact time (milliseconds since the epoch); absent in a pseudonymized view.
    pub created_at: Option<i64>,
}

/// One report with its five sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    pub id: i64,
    pub status: String,
    pub pseudonymized: bool,
    pub subject: String,
    pub department: String,
    pub held: String,
    pub tags: Vec<String>,
    pub flags: Flags,
    /// キャリア意識に関する課題
    pub career_awareness: String,
    /// 職場環境
    pub workplace: String,
    /// 組織内の問題
    pub organization: String,
    /// 支援方針
    pub support_plan: String,
    /// 今後の対応
    pub next_steps: String,
    /// Pass back when saving, to detect a concurrent change.
    pub version: i64,
    pub comments: Vec<CommentBody>,
}

/// One report, as the acting role may see it; 404 when it may not (every other role: always 404).
#[utoipa::path(get, path = "/api/v1/reports/{id}", operation_id = "getReport", tag = "reports",
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = ReportBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn show(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Json<ReportBody>> {
    let id = report_id(&id)?;
    let d = state.store.read_report(&p.ctx(), id, locale).await?;
    Ok(Json(ReportBody {
        id: id.get(),
        status: d.summary.status.as_str().to_string(),
        pseudonymized: d.summary.pseudonymized,
        subject: d.summary.subject,
        department: d.summary.department,
        held: d.summary.held,
        tags: d.summary.tags,
        flags: d.summary.flags.into(),
        career_awareness: d.sections.career_awareness,
        workplace: d.sections.workplace,
        organization: d.sections.organization,
        support_plan: d.sections.support_plan,
        next_steps: d.sections.next_steps,
        version: d.version,
        comments: d
            .comments
            .into_iter()
            .map(|c| CommentBody { section: c.section, round: c.round, author: c.author_name, body: c.body, created_at: c.created_at })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReport {
    pub interview_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Starts the report of a held interview you conducted (returns the existing one if any). Role: consultant.
#[utoipa::path(post, path = "/api/v1/reports", operation_id = "createReport", tag = "reports", request_body = NewReport,
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn create(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let req: NewReport = json_body(&body)?;
    let id = state.store.create_report(&p.acting(Ctx::as_consultant)?, InterviewId::new(req.interview_id)).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.get() })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveReport {
    #[serde(default)]
    pub career_awareness: String,
    #[serde(default)]
    pub workplace: String,
    #[serde(default)]
    pub organization: String,
    #[serde(default)]
    pub support_plan: String,
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub life_safety: bool,
    #[serde(default)]
    pub organizational_response: bool,
    /// With `life_safety`: the summary written for the escalation's responders (they see this,
    /// not the report). Raising the flag opens the escalation at once, summary or not.
    #[serde(default)]
    pub escalation_summary: Option<String>,
    /// The version read; a stale one answers 409.
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    pub version: i64,
    /// The life/safety escalation this save opened, if it opened one.
    pub escalation_id: Option<i64>,
}

/// Saves a draft or returned report (author only). Role: consultant.
#[utoipa::path(put, path = "/api/v1/reports/{id}", operation_id = "saveReport", tag = "reports", request_body = SaveReport,
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = Saved), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn save(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Saved>> {
    let id = report_id(&id)?;
    let req: SaveReport = json_body(&body)?;
    let sections = ReportSections {
        career_awareness: req.career_awareness,
        workplace: req.workplace,
        organization: req.organization,
        support_plan: req.support_plan,
        next_steps: req.next_steps,
    };
    let flags = ReportFlags { life_safety: req.life_safety, organizational_response: req.organizational_response };
    let me = p.acting(Ctx::as_consultant)?;
    let (version, escalation) =
        state.store.save_report_escalating(&me, id, &sections, &req.tags, flags, req.version, req.escalation_summary.as_deref()).await?;
    Ok(Json(Saved { version, escalation_id: escalation.map(|e| e.get()) }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitReport {
    /// A supervisor who may see the case identified.
    pub supervisor_id: Option<i64>,
}

/// Submits (or resubmits) a report for review. Role: consultant (the author).
#[utoipa::path(post, path = "/api/v1/reports/{id}/submit", operation_id = "submitReport", tag = "reports", request_body = SubmitReport,
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn submit(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>, body: Bytes) -> AppResult<StatusCode> {
    let id = report_id(&id)?;
    let req: SubmitReport = if body.is_empty() { SubmitReport::default() } else { json_body(&body)? };
    state.store.submit_report(&p.acting(Ctx::as_consultant)?, id, req.supervisor_id.map(UserId::new)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewComment {
    /// A section id or `general`.
    pub section: String,
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewScore {
    /// A rubric item code.
    pub item: String,
    /// 1 to 4.
    pub score: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `return` or `approve`.
    pub decision: String,
    #[serde(default)]
    pub comments: Vec<ReviewComment>,
    #[serde(default)]
    pub scores: Vec<ReviewScore>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    pub status: String,
}

/// Returns (with at least one comment) or approves a submitted report. Role: supervisor.
#[utoipa::path(post, path = "/api/v1/reports/{id}/review", operation_id = "reviewReport", tag = "reports", request_body = ReviewBody,
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = Decided), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn review(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>, body: Bytes) -> AppResult<Json<Decided>> {
    let id = report_id(&id)?;
    let req: ReviewBody = json_body(&body)?;
    let approve = match req.decision.as_str() {
        "approve" => true,
        "return" => false,
        _ => {
            return Err(AppError::Invalid(Invalid::new(
                "decision",
                "decision は return か approve です。",
                "decision must be return or approve",
            )))
        }
    };
    let input = ReviewInput {
        approve,
        comments: req.comments.into_iter().map(|c| (c.section, c.text)).collect(),
        scores: req.scores.into_iter().map(|s| (s.item, s.score)).collect(),
    };
    let status = state.store.review_report(&p.acting(Ctx::as_supervisor)?, id, &input).await?;
    Ok(Json(Decided { status: status.as_str().to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_names_the_bad_parameter() {
        assert_eq!(parse_list_query(Some("cycle=x")).err().map(|e| e.field), Some("cycle"));
        assert_eq!(parse_list_query(Some("status=done")).err().map(|e| e.field), Some("status"));
        assert_eq!(parse_list_query(Some("limit=0")).err().map(|e| e.field), Some("limit"));
        assert_eq!(parse_list_query(Some("limit=201")).err().map(|e| e.field), Some("limit"));
        assert_eq!(parse_list_query(Some("offset=-1")).err().map(|e| e.field), Some("offset"));
        // Empty values are not "absent" (schemathesis finding 3): the document says an integer.
        for (raw, field) in [("cycle=", "cycle"), ("status=", "status"), ("limit=", "limit"), ("offset=", "offset")] {
            assert_eq!(parse_list_query(Some(raw)).err().map(|e| e.field), Some(field), "{raw}");
        }
        let q = parse_list_query(Some("cycle=3&status=approved&limit=20&offset=40")).unwrap();
        assert_eq!((q.filter.cycle, q.filter.status, q.limit, q.offset), (Some(3), Some(ReportStatus::Approved), 20, 40));
        let q = parse_list_query(None).unwrap();
        assert_eq!((q.limit, q.offset), (DEFAULT_LIMIT, 0), "the list pattern's default page");
    }

    #[test]
    fn malformed_json_is_a_named_error() {
        let r: AppResult<NewReport> = json_body(&Bytes::from_static(b"{oops"));
        assert!(matches!(r, Err(AppError::Malformed(i)) if i.field == "body"), "JSON that does not parse: 400");
        let r: AppResult<NewReport> = json_body(&Bytes::from_static(b"{}"));
        assert!(matches!(r, Err(AppError::Invalid(i)) if i.field == "body"), "JSON without its field: 422");
    }
}
