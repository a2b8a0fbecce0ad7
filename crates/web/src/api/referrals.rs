//! Referrals as JSON (`/api/v1/referrals`, R9): the same rules as the pages — a consultant lists
//! the referrals they made, health staff those addressed to them while their basis holds; a
//! referral needs the employee's consent for the `referral` purpose (its exact text is what is
//! sent) or a life/safety escalation the consultant raised; one the caller may not see answers 404.

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
use domain::ids::{ContactId, DisclosureId, EmployeeId, EscalationId, ReferralId, ReportId, UserId};
use domain::policy::Operation;
use domain::referral::Addressee;
use domain::{Invalid, Role};
use serde::{Deserialize, Serialize};
use store::{Ctx, NewReferral, PageRequest, ReferralBasis, ReferralRow, MAX_PAGE_SIZE};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/referrals", Operation::ViewReferrals, list).post("/api/v1/referrals", Operation::MakeReferrals, create).post(
        "/api/v1/referrals/{id}/decision",
        Operation::DecideReferrals,
        decide,
    )
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, decide),
    components(schemas(ReferralList, ReferralItem, RecipientBody, NewReferralBody, CreatedReferral, ReferralDecisionBody, DecisionDone)),
    tags((name = "referrals", description = "Referrals to health staff, the EAP or outside institutions (関連部署との連携)"))
)]
pub struct ReferralsApi;

/// To whom: `{"kind": "user", "id": 12}` (a health staff member), `{"kind": "health"}` (everyone
/// acting as health staff), or `{"kind": "contact", "id": 3}` (an outside contact of the tenant).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecipientBody {
    /// `user`, `health` or `contact`.
    pub kind: String,
    /// The user's or the contact's id (not for `health`).
    #[serde(default)]
    pub id: Option<i64>,
}

impl RecipientBody {
    fn of(a: Addressee) -> RecipientBody {
        match a {
            Addressee::User(u) => RecipientBody { kind: "user".into(), id: Some(u.get()) },
            Addressee::Role(_) => RecipientBody { kind: "health".into(), id: None },
            Addressee::Contact(c) => RecipientBody { kind: "contact".into(), id: Some(c.get()) },
        }
    }

    fn addressee(&self) -> AppResult<Addressee> {
        match (self.kind.trim(), self.id) {
            ("user", Some(id)) => Ok(Addressee::User(UserId::new(id))),
            ("health", _) => Ok(Addressee::Role(Role::Health)),
            ("contact", Some(id)) => Ok(Addressee::Contact(ContactId::new(id))),
            _ => Err(AppError::Invalid(Invalid::new(
                "recipient",
                "recipient は {\"kind\": \"user\"|\"health\"|\"contact\", \"id\": …} の形で指定してください。",
                "recipient must be {\"kind\": \"user\"|\"health\"|\"contact\", \"id\": …}",
            ))),
        }
    }
}

/// A referral as listed: who, to whom, on which basis, where it stands. No summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralItem {
    pub id: i64,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub referred_by: i64,
    pub recipient: RecipientBody,
    /// The recipient's name (a person or a contact); empty for health staff as a role.
    pub recipient_name: String,
    /// `consent` or `escalation`.
    pub basis: String,
    /// The referral consent's state now (`granted`, `withdrawn`, …); `null` under an escalation.
    pub consent_state: Option<String>,
    /// `referred`, `accepted`, `in_care`, `closed` or `declined`.
    pub status: String,
    /// RFC 3339, Japan time.
    pub referred_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralList {
    pub items: Vec<ReferralItem>,
    pub total: i64,
}

fn item(r: &ReferralRow) -> ReferralItem {
    ReferralItem {
        id: r.id.get(),
        employee_id: r.employee.get(),
        employee_number: r.employee_number.clone(),
        employee_name: r.employee_name.clone(),
        referred_by: r.referred_by.get(),
        recipient: RecipientBody::of(r.addressee),
        recipient_name: r.addressee_name.clone(),
        basis: match r.basis {
            ReferralBasis::Consent { .. } => "consent".into(),
            ReferralBasis::Escalation(_) => "escalation".into(),
        },
        consent_state: r.consent_state.map(|s| s.as_str().to_string()),
        status: r.status.as_str().to_string(),
        referred_at: super::interviews::rfc3339_jst(r.created_at),
        updated_at: super::interviews::rfc3339_jst(r.updated_at),
    }
}

/// The referrals the caller sees, newest first: a consultant those they made (with where each
/// stands, and whether the employee's consent still holds); health staff those addressed to them
/// or to health staff whose basis holds now (a withdrawn consent hides it at once); anyone else
/// none. Roles: consultant, health.
#[utoipa::path(get, path = "/api/v1/referrals", operation_id = "listReferrals", tag = "referrals",
    responses((status = 200, body = ReferralList), (status = 403, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn list(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<ReferralList>> {
    let page = state.store.referrals_page(&p.ctx(), None, PageRequest::first(MAX_PAGE_SIZE)).await?;
    Ok(Json(ReferralList { items: page.items.iter().map(item).collect(), total: page.total }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReferralBody {
    /// The employee referred (or give `report_id`).
    #[serde(default)]
    pub employee_id: Option<i64>,
    /// A report you wrote about the employee.
    #[serde(default)]
    pub report_id: Option<i64>,
    /// Your referral-purpose disclosure the employee granted (default: the newest granted one).
    #[serde(default)]
    pub disclosure_id: Option<i64>,
    /// Refer without consent under this life/safety escalation you raised (open or
    /// acknowledged), to its designated responders only.
    #[serde(default)]
    pub escalation_id: Option<i64>,
    pub recipient: RecipientBody,
    /// On consent: empty, or exactly the text the employee consented to (anything else is
    /// refused). Under an escalation: your summary for the responders (required).
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedReferral {
    pub id: i64,
}

/// Refers an employee. Refused with 422 (`field` = `consent`) when the employee's consent for the
/// `referral` purpose is not held and no escalation is given. Role: consultant.
#[utoipa::path(post, path = "/api/v1/referrals", operation_id = "createReferral", tag = "referrals", request_body = NewReferralBody,
    responses((status = 201, body = CreatedReferral), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn create(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let me = p.acting(Ctx::as_consultant)?;
    let req: NewReferralBody = json_body(&body)?;
    let new = NewReferral {
        employee: req.employee_id.map(EmployeeId::new),
        report: req.report_id.map(ReportId::new),
        disclosure: req.disclosure_id.map(DisclosureId::new),
        escalation: req.escalation_id.map(EscalationId::new),
        addressee: req.recipient.addressee()?,
        summary: &req.summary,
    };
    let id = state.store.create_referral(&me, &new).await?;
    Ok((StatusCode::CREATED, Json(CreatedReferral { id: id.get() })).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReferralDecisionBody {
    /// `accept`, `decline`, `in_care` or `close`.
    pub decision: String,
    /// A note with an acceptance; the reason of a refusal (required for `decline`).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionDone {
    /// The status reached.
    pub status: String,
}

/// The recipient's decision: accept (with a note), decline (with a reason), then `in_care` and
/// `close`. A referral to an outside contact is answered by the consultant who made it. Roles:
/// health (the addressee), consultant (for a contact).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/decision", operation_id = "decideReferral", tag = "referrals",
    request_body = ReferralDecisionBody,
    params(("id" = i64, Path, description = "Referral id")),
    responses((status = 200, body = DecisionDone), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearerAuth" = [])))]
async fn decide(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>, body: Bytes) -> AppResult<Json<DecisionDone>> {
    let id: ReferralId = crate::path_id::path_id(&id)?;
    let req: ReferralDecisionBody = json_body(&body)?;
    let status = state.store.decide_referral_as_typed(&p.ctx(), id, &req.decision, &req.note).await?;
    Ok(Json(DecisionDone { status: status.as_str().to_string() }))
}
