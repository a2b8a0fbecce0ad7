//! Improvement actions as JSON (`/api/v1/actions`, R10) and the program's policy documents
//! (`/api/v1/policy-documents`). HR reads every field and creates actions; an executive reads
//! the status fields only (the others are `null`). Anyone else: 403 at the route.

use super::json_body;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::UserId;
use domain::policy::{ActionView, Operation};
use serde::{Deserialize, Serialize};
use store::{ActionInput, ActionQuery, ActionRow, Ctx, OrgIssueId, PageRequest, MAX_PAGE_SIZE};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/actions", Operation::ReadActionStatus, list).post("/api/v1/actions", Operation::ManageActions, create).get(
        "/api/v1/policy-documents",
        Operation::ReadPolicyDocuments,
        policy_documents,
    )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, policy_documents),
    components(schemas(ActionList, ActionItem, ActionProgress, ActionEvaluation, NewActionBody, CreatedAction, PolicyDocumentList, PolicyDocumentItem, PolicyVersionItem)),
    tags(
        (name = "actions", description = "Improvement actions (改善施策) about organizational issues and findings of the overall reports"),
        (name = "policies", description = "The program's policy documents (人材育成方針・実施規程)")
    )
)]
pub struct ActionsApi;

/// The latest progress note.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionProgress {
    /// YYYY-MM-DD.
    pub noted_on: String,
    pub by: String,
    pub text: String,
}

/// The evaluation after the fact.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionEvaluation {
    /// `effective`, `partly` or `not_effective`.
    pub result: String,
}

/// One action. For an executive `issue_id`, `owner`, `progress` and `evaluation` are `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActionItem {
    pub id: i64,
    pub issue_id: Option<i64>,
    pub title: String,
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    #[schema(example = "2026-06-30")]
    pub due_on: String,
    /// `planned`, `in_progress`, `done` or `cancelled`.
    pub status: String,
    pub progress: Option<ActionProgress>,
    pub evaluation: Option<ActionEvaluation>,
    /// The due date has passed and the action is neither done nor cancelled.
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionItem>,
    pub total: i64,
}

fn item(r: &ActionRow) -> ActionItem {
    let full = r.view == ActionView::Full;
    ActionItem {
        id: r.id.get(),
        issue_id: full.then_some(r.issue_id.get()),
        title: r.title.clone(),
        owner: full.then(|| r.owner.clone()),
        due_on: r.due_on.format("%Y-%m-%d").to_string(),
        status: r.status.as_str().to_string(),
        progress: r.latest_note.as_ref().filter(|_| full).map(|n| ActionProgress {
            noted_on: n.noted_on.format("%Y-%m-%d").to_string(),
            by: n.author.clone(),
            text: n.body.clone(),
        }),
        evaluation: r.evaluation.filter(|_| full).map(|e| ActionEvaluation { result: e.as_str().to_string() }),
        overdue: r.overdue,
    }
}

/// The tenant's improvement actions by due date. Roles: hr (every field), executive (status fields).
#[utoipa::path(get, path = "/api/v1/actions", operation_id = "listActions", tag = "actions",
    responses((status = 200, body = ActionList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn list(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<ActionList>> {
    let page = state.store.action_page(&p.ctx(), &ActionQuery::default(), PageRequest::first(MAX_PAGE_SIZE)).await?;
    Ok(Json(ActionList { items: page.items.iter().map(item).collect(), total: page.total }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionBody {
    /// The organizational issue the action is about.
    pub issue_id: i64,
    pub title: String,
    /// An HR account of the tenant as the owner, or none.
    pub owner_user_id: Option<i64>,
    /// A department or a person as text, when no account is given.
    #[serde(default)]
    pub owner: String,
    /// YYYY-MM-DD.
    #[schema(example = "2026-06-30")]
    pub due_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedAction {
    pub id: i64,
}

/// Adds an improvement action to an organizational issue (status `planned`). Role: hr.
#[utoipa::path(post, path = "/api/v1/actions", operation_id = "createAction", tag = "actions", request_body = NewActionBody,
    responses((status = 201, body = CreatedAction), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn create(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let me = p.acting(Ctx::as_hr)?;
    let req: NewActionBody = json_body(&body)?;
    if req.issue_id <= 0 {
        return Err(crate::error::AppError::NotFound);
    }
    let input = ActionInput { title: req.title, owner_user: req.owner_user_id.map(UserId::new), owner_text: req.owner, due_on: req.due_on };
    let id = state.store.create_action(&me, OrgIssueId::new(req.issue_id), &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedAction { id: id.get() })).into_response())
}

/// One version of a policy document.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionItem {
    pub version: i64,
    pub title: String,
    /// YYYY-MM-DD.
    pub approved_on: String,
    pub approved_by: String,
}

/// A policy document: its current version's text and every version's approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDocumentItem {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub body: String,
    pub approved_on: String,
    pub approved_by: String,
    /// Every version, newest first.
    pub history: Vec<PolicyVersionItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDocumentList {
    pub items: Vec<PolicyDocumentItem>,
}

/// The program's policy documents (人材育成方針・キャリアコンサルティング実施規程), current
/// versions with their history. Every role.
#[utoipa::path(get, path = "/api/v1/policy-documents", operation_id = "listPolicyDocuments", tag = "policies",
    responses((status = 200, body = PolicyDocumentList), (status = 401, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn policy_documents(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<PolicyDocumentList>> {
    let docs = state.store.policy_documents(&p.ctx()).await?;
    let items = docs
        .into_iter()
        .map(|d| PolicyDocumentItem {
            id: d.current.document.get(),
            title: d.current.title.clone(),
            version: d.current.version,
            body: d.current.body.clone(),
            approved_on: d.current.approved_on.format("%Y-%m-%d").to_string(),
            approved_by: d.current.approved_by.clone(),
            history: d
                .history
                .iter()
                .map(|v| PolicyVersionItem {
                    version: v.version,
                    title: v.title.clone(),
                    approved_on: v.approved_on.format("%Y-%m-%d").to_string(),
                    approved_by: v.approved_by.clone(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(PolicyDocumentList { items }))
}
