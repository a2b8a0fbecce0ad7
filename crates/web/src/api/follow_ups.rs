//! Follow-up items as JSON (R7): `GET /api/v1/follow-ups` lists the acting consultant's own
//! items (overdue first), `POST /api/v1/reports/{id}/follow-ups` plans one from a report the
//! consultant wrote. Another consultant's report answers 404, as one that does not exist.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppResult, Path};
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use domain::follow_up::FollowUpKind;
use domain::ids::ReportId;
use domain::policy::Operation;
use domain::Invalid;
use serde::{Deserialize, Serialize};
use store::{Ctx, FollowUpFilter, FollowUpRow, NewFollowUp, PageRequest, MAX_PAGE_SIZE};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/follow-ups", Operation::ManageFollowUps, list_follow_ups).post(
        "/api/v1/reports/{id}/follow-ups",
        Operation::PlanFollowUps,
        plan_follow_up,
    )
}

#[derive(OpenApi)]
#[openapi(
    paths(list_follow_ups, plan_follow_up),
    components(schemas(FollowUpList, FollowUp, PlanBody)),
    tags((name = "follow-ups", description = "Additional and follow-up interviews (追加面談・フォローアップ面談) planned from a report's support plan"))
)]
pub struct FollowUpsApi;

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    /// Items matching, over every page.
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    pub report_id: i64,
    #[schema(example = "E00042")]
    pub employee_number: String,
    pub employee_name: String,
    /// `additional` or `follow_up`.
    #[schema(example = "follow_up")]
    pub kind: String,
    #[schema(example = "2027-01-15")]
    pub due_on: String,
    /// `planned`, `scheduled`, `done` or `closed`.
    #[schema(example = "planned")]
    pub state: String,
    pub overdue: bool,
    pub due_soon: bool,
    /// What to follow up (the consultant's own text).
    pub what: String,
    pub interview_id: Option<i64>,
}

impl From<&FollowUpRow> for FollowUp {
    fn from(r: &FollowUpRow) -> Self {
        FollowUp {
            id: r.id.get(),
            report_id: r.report.get(),
            employee_number: r.employee_number.clone(),
            employee_name: r.employee_name.clone(),
            kind: r.kind.as_str().into(),
            due_on: r.due_on.format("%Y-%m-%d").to_string(),
            state: r.state.as_str().into(),
            overdue: r.overdue,
            due_soon: r.due_soon,
            what: r.what.clone(),
            interview_id: r.interview.map(|i| i.get()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanBody {
    /// `additional` or `follow_up`.
    #[schema(example = "follow_up")]
    pub kind: Option<String>,
    #[schema(example = "2027-01-15")]
    pub due_on: Option<String>,
    /// What to follow up (sealed).
    pub what: Option<String>,
}

/// The acting consultant's items, overdue first, then by due date; done and closed last.
/// Role: consultant.
#[utoipa::path(
    get,
    path = "/api/v1/follow-ups",
    operation_id = "listFollowUps",
    tag = "follow-ups",
    params(("state" = Option<String>, Query, description = "`open`, `overdue`, `done` or `closed`; all when absent")),
    responses(
        (status = 200, description = "The caller's items (at most 200)", body = FollowUpList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant", body = ErrorBody),
        (status = 422, description = "An unknown `state`", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list_follow_ups(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<FollowUpList>> {
    let mut filter = FollowUpFilter::All;
    for (k, v) in url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()) {
        if k == "state" {
            filter = FollowUpFilter::parse(&v).filter(|f| *f != FollowUpFilter::All).ok_or_else(|| {
                Invalid::new(
                    "state",
                    "state は open・overdue・done・closed のいずれかです。",
                    "state is one of open, overdue, done, closed",
                )
            })?;
        }
    }
    let page = state.store.follow_up_page(&p.acting(Ctx::as_consultant)?, filter, PageRequest::first(MAX_PAGE_SIZE)).await?;
    Ok(Json(FollowUpList { items: page.items.iter().map(FollowUp::from).collect(), total: page.total }))
}

/// Plans an additional or follow-up interview from a report the caller wrote (it stays a due
/// item until an interview is scheduled for it on the item's page). Role: consultant, the
/// report's author.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{id}/follow-ups",
    operation_id = "planFollowUp",
    tag = "follow-ups",
    params(("id" = i64, Path, description = "The report")),
    request_body = PlanBody,
    responses(
        (status = 201, description = "Planned: the item (its page is `/follow-ups/{id}`)", body = FollowUp),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant", body = ErrorBody),
        (status = 404, description = "No such report, or not one the caller wrote", body = ErrorBody),
        (status = 422, description = "A missing or bad field (`kind`, `due_on`, `what`)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn plan_follow_up(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>, body: Bytes) -> AppResult<Response> {
    let report: ReportId = path_id(&raw)?;
    let b: PlanBody = serde_json::from_slice(&body)
        .map_err(|_| Invalid::new("body", "本文はJSONのオブジェクトで送ってください。", "the body must be a JSON object"))?;
    let kind =
        b.kind.as_deref().and_then(FollowUpKind::parse).ok_or_else(|| {
            Invalid::new("kind", "kind は additional か follow_up で指定してください。", "kind is additional or follow_up")
        })?;
    let due_on = match b.due_on.as_deref() {
        None => None,
        Some(s) => Some(
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| Invalid::new("due_on", "due_on は YYYY-MM-DD で指定してください。", "due_on is a date as YYYY-MM-DD"))?,
        ),
    };
    let me = p.acting(Ctx::as_consultant)?;
    let new = NewFollowUp { kind, due_on, what: b.what.unwrap_or_default(), schedule: None };
    let id = state.store.plan_follow_up(&me, report, &new).await?;
    let row = state.store.follow_up(&me, id).await?;
    Ok((StatusCode::CREATED, Json(FollowUp::from(&row))).into_response())
}
