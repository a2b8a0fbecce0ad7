//! Life/safety escalations as JSON (`/api/v1/escalations`, R4): the same rules as the pages —
//! responders see the tenant's, the consultant those they raised; one the caller may not see
//! answers 404. A disclosure without consent needs a second, different responder's approval.

use super::json_body;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::policy::Operation;
use serde::{Deserialize, Serialize};
use store::{Ctx, PageRequest, MAX_PAGE_SIZE};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/escalations", Operation::ViewEscalations, list)
        .post("/api/v1/escalations/{id}/acknowledge", Operation::RespondToEscalations, acknowledge)
        .post("/api/v1/escalations/{id}/disclosure-requests", Operation::RespondToEscalations, ask)
        .post("/api/v1/escalations/{id}/disclosure-requests/{rid}/approve", Operation::RespondToEscalations, approve)
}

#[derive(OpenApi)]
#[openapi(
    paths(list, acknowledge, ask, approve),
    components(schemas(EscalationList, EscalationItem, DisclosureRequestBody, ApproveBody, CreatedRequest)),
    tags((name = "escalations", description = "Life/safety escalations (生命・安全に関わるエスカレーション)"))
)]
pub struct EscalationsApi;

/// An escalation as listed: where it stands, never what it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationItem {
    pub id: i64,
    /// The report the flag was raised on; `null` when it was raised on an interview note.
    pub report_id: Option<i64>,
    /// `report` or `interview_note`.
    pub source: String,
    /// `open`, `acknowledged` or `closed`.
    pub state: String,
    /// When it was raised (RFC 3339, Japan time).
    pub opened_at: String,
    /// The acknowledgment deadline (RFC 3339, Japan time).
    pub due_at: String,
    /// Still open after its deadline.
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationList {
    pub items: Vec<EscalationItem>,
    pub total: i64,
}

/// The escalations the caller may see, most urgent first (open by deadline, then acknowledged,
/// then closed): a designated responder (health staff, the HR lead) the tenant's, a consultant
/// those they raised, anyone else none. Roles: consultant, hr, health.
#[utoipa::path(get, path = "/api/v1/escalations", operation_id = "listEscalations", tag = "escalations",
    responses((status = 200, body = EscalationList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn list(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<EscalationList>> {
    let page = state.store.escalations_page(&p.ctx(), None, PageRequest::first(MAX_PAGE_SIZE)).await?;
    let items = page
        .items
        .iter()
        .map(|e| EscalationItem {
            id: e.id.get(),
            report_id: e.report_id.map(|r| r.get()),
            source: e.source.as_str().to_string(),
            state: e.state.as_str().to_string(),
            opened_at: super::interviews::rfc3339_jst(e.opened_at),
            due_at: super::interviews::rfc3339_jst(e.due_at),
            overdue: e.overdue,
        })
        .collect();
    Ok(Json(EscalationList { items, total: page.total }))
}

/// Acknowledges an open escalation. Role: a designated responder (health, hr).
#[utoipa::path(post, path = "/api/v1/escalations/{id}/acknowledge", operation_id = "acknowledgeEscalation", tag = "escalations",
    params(("id" = i64, Path, description = "Escalation id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn acknowledge(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>) -> AppResult<StatusCode> {
    let id = crate::pages::escalation_id(&id)?;
    state.store.acknowledge_escalation(&p.acting(Ctx::as_responder)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisclosureRequestBody {
    /// Why more than the summary must be disclosed without the employee's consent (required).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRequest {
    pub id: i64,
}

/// Asks to disclose more without consent (the report or note, and who the employee is), with a
/// written reason; a second, different responder must approve. Role: a designated responder.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/disclosure-requests", operation_id = "requestEscalationDisclosure", tag = "escalations",
    request_body = DisclosureRequestBody,
    params(("id" = i64, Path, description = "Escalation id")),
    responses((status = 201, body = CreatedRequest), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn ask(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>, body: Bytes) -> AppResult<Response> {
    let id = crate::pages::escalation_id(&id)?;
    let req: DisclosureRequestBody = json_body(&body)?;
    let rid = state.store.request_escalation_disclosure(&p.acting(Ctx::as_responder)?, id, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(CreatedRequest { id: rid })).into_response())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApproveBody {
    /// Delay the employee's notice by this many days (0 by default; at most the tenant's bound).
    #[serde(default)]
    pub notice_delay_days: i64,
    /// Why the notice is delayed (required with a delay).
    #[serde(default)]
    pub delay_reason: String,
}

/// Approves a request as the second responder (not the one who asked). The employee is told
/// afterwards on their page, at once or after the delay decided here. Role: a designated responder.
#[utoipa::path(post, path = "/api/v1/escalations/{id}/disclosure-requests/{rid}/approve", operation_id = "approveEscalationDisclosure", tag = "escalations",
    request_body = ApproveBody,
    params(("id" = i64, Path, description = "Escalation id"), ("rid" = i64, Path, description = "Disclosure request id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn approve(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((id, rid)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<StatusCode> {
    let id = crate::pages::escalation_id(&id)?;
    let rid: i64 = crate::path_id::path_id(&rid)?;
    let req: ApproveBody = if body.is_empty() { ApproveBody::default() } else { json_body(&body)? };
    state.store.approve_escalation_disclosure(&p.acting(Ctx::as_responder)?, id, rid, req.notice_delay_days, &req.delay_reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
