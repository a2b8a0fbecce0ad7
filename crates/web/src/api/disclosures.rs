//! Disclosures and consent as JSON (R5, R8): the employee's own disclosures, decisions and
//! withdrawals (`/api/v1/my/disclosures`), the consultant's disclosures (`/api/v1/disclosures`)
//! and the boss's feedback (`/api/v1/feedback`). The same store calls as the pages: every read
//! derives the state from the consent ledger at that moment, and anything not released answers
//! 404 exactly like an id that does not exist.

use super::interviews::rfc3339_jst;
use super::json_body;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppError, AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::consent::{Purpose, Recipient};
use domain::ids::{DisclosureId, ReportId, UserId};
use domain::policy::Operation;
use domain::Invalid;
use serde::{Deserialize, Serialize};
use store::{ConsentInput, Ctx, DisclosureQuery, DisclosureRow, NewDisclosure};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/my/disclosures", Operation::DecideOwnDisclosures, mine)
        .post("/api/v1/my/disclosures/{id}/decision", Operation::DecideOwnDisclosures, decide)
        .post("/api/v1/my/disclosures/{id}/withdraw", Operation::DecideOwnDisclosures, withdraw)
        .post("/api/v1/disclosures", Operation::WriteDisclosures, create)
        .get("/api/v1/disclosures", Operation::WriteDisclosures, authored)
        .get("/api/v1/feedback", Operation::ReadFeedback, feedback_list)
        .get("/api/v1/feedback/{id}", Operation::ReadFeedback, feedback_one)
}

#[derive(OpenApi)]
#[openapi(
    paths(mine, decide, withdraw, create, authored, feedback_list, feedback_one),
    components(schemas(OwnDisclosure, OwnDisclosureList, DecisionBody, ConsentDecided, NewDisclosureBody, CreatedDisclosure, Disclosure, DisclosureList, Feedback, FeedbackList)),
    tags((name = "consent", description = "同意: disclosures written by consultants, decided by the employee, read by their recipients only while consent holds"))
)]
pub struct DisclosuresApi;

use crate::path_id::path_id as disclosure_id;

fn recipient_fields(r: &DisclosureRow) -> (String, Option<i64>, Option<String>) {
    match r.recipient {
        Recipient::User(u) => (r.recipient_name.clone(), Some(u.get()), None),
        Recipient::Role(role) => (role.as_str().to_string(), None, Some(role.as_str().to_string())),
    }
}

/// A disclosure about the caller, with exactly the text that would be shared.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnDisclosure {
    pub id: i64,
    /// `boss_feedback`, `important_case` or `referral`.
    pub purpose: String,
    /// The recipient: a person's name, or a role (`hr`, `health`).
    pub recipient: String,
    pub recipient_user_id: Option<i64>,
    pub recipient_role: Option<String>,
    /// The exact text that would be (or is) shared: the current version.
    pub text: String,
    /// The version of the text; a decision applies to this version only.
    pub version: i64,
    /// `pending`, `granted`, `refused`, `withdrawn`, `changes_requested` or `expired`.
    pub state: String,
    pub consultant: String,
    pub asked_at: String,
    /// While granted: since when.
    pub granted_at: Option<String>,
    /// While granted: when the consent ends by itself.
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnDisclosureList {
    pub items: Vec<OwnDisclosure>,
}

/// Everything a consultant asked to share about the caller, and everything shared. Role: employee.
#[utoipa::path(get, path = "/api/v1/my/disclosures", operation_id = "listMyDisclosures", tag = "consent",
    responses((status = 200, body = OwnDisclosureList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn mine(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<OwnDisclosureList>> {
    let own = state.store.own_consents(&p.acting(Ctx::as_employee)?).await?;
    let items = own
        .disclosures
        .into_iter()
        .map(|d| {
            let (recipient, recipient_user_id, recipient_role) = recipient_fields(&d.row);
            OwnDisclosure {
                id: d.row.id.get(),
                purpose: d.row.purpose.as_str().into(),
                recipient,
                recipient_user_id,
                recipient_role,
                text: d.text,
                version: d.row.version,
                state: d.row.state.as_str().into(),
                consultant: d.row.author_name.clone(),
                asked_at: rfc3339_jst(d.row.asked_at),
                granted_at: d.row.granted_at.map(rfc3339_jst),
                expires_at: d.row.expires_at.map(rfc3339_jst),
            }
        })
        .collect();
    Ok(Json(OwnDisclosureList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `grant`, `refuse` or `request_changes`.
    pub decision: String,
    /// Required with `request_changes`: what should change.
    #[serde(default)]
    pub comment: String,
    /// For a grant: the last day it holds (YYYY-MM-DD, Japan time).
    #[serde(default)]
    pub expires_on: String,
    /// The version of the text decided on, as read; a changed text answers 422 (field `version`).
    /// Omitted: the current version.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentDecided {
    /// The id of the new entry of the consent ledger.
    pub record_id: i64,
    /// The disclosure's state after the decision.
    pub state: String,
}

async fn current_version(state: &AppState, me: &store::Acting<store::Employee>, id: DisclosureId) -> AppResult<i64> {
    let own = state.store.own_consents(me).await?;
    own.disclosures.iter().find(|d| d.row.id == id).map(|d| d.row.version).ok_or(AppError::NotFound)
}

async fn state_after(state: &AppState, me: &store::Acting<store::Employee>, id: DisclosureId) -> AppResult<String> {
    let own = state.store.own_consents(me).await?;
    Ok(own.disclosures.iter().find(|d| d.row.id == id).map(|d| d.row.state.as_str().to_string()).unwrap_or_default())
}

/// Decides on a disclosure about the caller: agree (optionally until a day), refuse, or ask for
/// changes with a comment. Role: employee.
#[utoipa::path(post, path = "/api/v1/my/disclosures/{id}/decision", operation_id = "decideMyDisclosure", tag = "consent",
    request_body = DecisionBody, params(("id" = i64, Path, description = "Disclosure id")),
    responses((status = 200, body = ConsentDecided), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn decide(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>, body: Bytes) -> AppResult<Json<ConsentDecided>> {
    let id = disclosure_id(&raw)?;
    let me = p.acting(Ctx::as_employee)?;
    let req: DecisionBody = json_body(&body)?;
    let checked =
        domain::disclosure::check_decision(&req.decision, &req.comment, &req.expires_on, store::today_jst()).map_err(AppError::Problems)?;
    let version = match req.version {
        Some(v) => v,
        None => current_version(&state, &me, id).await?,
    };
    let input = ConsentInput { decision: checked.decision, version, comment: checked.comment, expires_at_ms: checked.expires_at_ms };
    let record = state.store.decide_disclosure(&me, id, &input).await?;
    Ok(Json(ConsentDecided { record_id: record.get(), state: state_after(&state, &me, id).await? }))
}

/// Withdraws the caller's consent: from this moment the recipient can no longer read the text.
/// Role: employee.
#[utoipa::path(post, path = "/api/v1/my/disclosures/{id}/withdraw", operation_id = "withdrawMyConsent", tag = "consent",
    params(("id" = i64, Path, description = "Disclosure id")),
    responses((status = 200, body = ConsentDecided), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn withdraw(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Json<ConsentDecided>> {
    let id = disclosure_id(&raw)?;
    let me = p.acting(Ctx::as_employee)?;
    let record = state.store.withdraw_consent(&me, id).await?;
    Ok(Json(ConsentDecided { record_id: record.get(), state: state_after(&state, &me, id).await? }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDisclosureBody {
    /// An approved report you wrote.
    pub report_id: i64,
    /// `boss_feedback` or `important_case`.
    pub purpose: String,
    /// For `boss_feedback`: the account of the employee's boss (found from the register when
    /// omitted). Other purposes go to a role and take none.
    pub recipient_user_id: Option<i64>,
    /// The exact text to be shared.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDisclosure {
    pub id: i64,
}

/// Writes a disclosure from an approved report you wrote and asks the employee. Role: consultant.
#[utoipa::path(post, path = "/api/v1/disclosures", operation_id = "createDisclosure", tag = "consent", request_body = NewDisclosureBody,
    responses((status = 201, body = CreatedDisclosure), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn create(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let me = p.acting(Ctx::as_consultant)?;
    let req: NewDisclosureBody = json_body(&body)?;
    let purpose = Purpose::parse(&req.purpose).filter(|p| domain::disclosure::WRITABLE_PURPOSES.contains(p)).ok_or_else(|| {
        AppError::Invalid(Invalid::new(
            "purpose",
            "purpose は boss_feedback、important_case、referral のいずれかです。",
            "purpose must be boss_feedback, important_case or referral",
        ))
    })?;
    let new = NewDisclosure {
        report: ReportId::new(req.report_id),
        purpose,
        recipient_user: req.recipient_user_id.map(UserId::new),
        text: &req.text,
    };
    let id = state.store.create_disclosure(&me, &new).await?;
    Ok((StatusCode::CREATED, Json(CreatedDisclosure { id: id.get() })).into_response())
}

/// A disclosure as its author lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Disclosure {
    pub id: i64,
    pub report_id: Option<i64>,
    pub employee_number: String,
    pub employee_name: String,
    pub purpose: String,
    pub recipient: String,
    pub recipient_user_id: Option<i64>,
    pub recipient_role: Option<String>,
    pub version: i64,
    /// `pending`, `granted`, `refused`, `withdrawn`, `changes_requested` or `expired`.
    pub state: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureList {
    pub items: Vec<Disclosure>,
}

/// The disclosures you wrote and where each stands now. Role: consultant.
#[utoipa::path(get, path = "/api/v1/disclosures", operation_id = "listDisclosures", tag = "consent",
    responses((status = 200, body = DisclosureList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn authored(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<DisclosureList>> {
    let rows = state.store.authored_disclosures(&p.acting(Ctx::as_consultant)?, &DisclosureQuery::default()).await?;
    let items = rows
        .iter()
        .map(|r| {
            let (recipient, recipient_user_id, recipient_role) = recipient_fields(r);
            Disclosure {
                id: r.id.get(),
                report_id: r.report.map(|x| x.get()),
                employee_number: r.employee_number.clone(),
                employee_name: r.employee_name.clone(),
                purpose: r.purpose.as_str().into(),
                recipient,
                recipient_user_id,
                recipient_role,
                version: r.version,
                state: r.state.as_str().into(),
                updated_at: rfc3339_jst(r.updated_at),
            }
        })
        .collect();
    Ok(Json(DisclosureList { items }))
}

/// Feedback released to the caller now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Feedback {
    pub id: i64,
    /// The team member it is about.
    pub employee_name: String,
    pub consultant: String,
    pub text: String,
    pub granted_at: Option<String>,
    pub expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackList {
    pub items: Vec<Feedback>,
}

fn feedback(r: store::Released) -> Feedback {
    Feedback {
        id: r.row.id.get(),
        employee_name: r.row.employee_name.clone(),
        consultant: r.row.author_name.clone(),
        text: r.text,
        granted_at: r.row.granted_at.map(rfc3339_jst),
        expires_at: r.row.expires_at.map(rfc3339_jst),
    }
}

/// The feedback your team members agreed to share with you, only while their consent holds
/// (read audited). Role: boss.
#[utoipa::path(get, path = "/api/v1/feedback", operation_id = "listFeedback", tag = "consent",
    responses(
        (status = 200, body = FeedbackList),
        (status = 403, description = "The acting role is not boss", body = ErrorBody),
        (status = 409, description = "`boss_guide_not_acknowledged`: the caller has not yet acknowledged the guide for bosses (`/boss/guide`) as it now requires", body = ErrorBody),
    ),
    security(("bearerAuth" = [])))]
async fn feedback_list(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<FeedbackList>> {
    p.acting(Ctx::as_boss)?;
    let items = state.store.released_to_me(&p.ctx(), Purpose::BossFeedback, true).await?.into_iter().map(feedback).collect();
    Ok(Json(FeedbackList { items }))
}

/// One feedback released to you now; anything else (withdrawn, expired, not yours, missing)
/// answers 404. Role: boss.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", operation_id = "getFeedback", tag = "consent",
    params(("id" = i64, Path, description = "Disclosure id")),
    responses(
        (status = 200, body = Feedback),
        (status = 403, description = "The acting role is not boss", body = ErrorBody),
        (status = 409, description = "`boss_guide_not_acknowledged`: the caller has not yet acknowledged the guide for bosses (`/boss/guide`) as it now requires", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearerAuth" = [])))]
async fn feedback_one(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Json<Feedback>> {
    p.acting(Ctx::as_boss)?;
    let id = disclosure_id(&raw)?;
    Ok(Json(feedback(state.store.read_released(&p.ctx(), id, Purpose::BossFeedback).await?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_body_needs_only_the_decision() {
        let b: DecisionBody = serde_json::from_str(r#"{"decision":"grant"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((b.decision.as_str(), b.comment.as_str(), b.version), ("grant", "", None));
        assert!(domain::consent::ConsentDecision::parse(&b.decision).is_some());
    }
}
