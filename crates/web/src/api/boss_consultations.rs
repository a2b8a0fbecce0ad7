//! `/api/v1/boss-consultations`: the acting consultant's own records of consultations with
//! employees' bosses (上司へのコンサルテーション, R8), listed, read one by one and recorded. Only
//! the consultant who recorded one reads it; anyone else's answers 404 like an id that does not
//! exist. Every read is recorded in the audit log.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppError, AppResult, Path};
use crate::path_id::path_id as parse_id;
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::InterviewId;
use domain::policy::Operation;
use domain::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{
    BossConsultationDetail, BossConsultationQuery, BossConsultationRow, Ctx, Direction, NewBossConsultation, PageRequest, StoreError,
};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/boss-consultations", Operation::RecordBossConsultations, list)
        .post("/api/v1/boss-consultations", Operation::RecordBossConsultations, create)
        .get("/api/v1/boss-consultations/{id}", Operation::RecordBossConsultations, show)
}

/// The paths and schemas of this module, merged into `/api/v1/openapi.json` by `openapi.rs`.
#[derive(OpenApi)]
#[openapi(
    paths(list, show, create),
    components(schemas(BossConsultation, BossConsultationSummary, BossConsultationList, BossConsultationBody)),
    tags((name = "boss-consultations", description = "上司へのコンサルテーション: the acting consultant's own records (role: consultant)"))
)]
pub struct BossConsultationsApi;

/// One consultation's facts (no text).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BossConsultationSummary {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "E0102")]
    pub employee_number: String,
    #[schema(example = "佐藤 花子")]
    pub employee_name: String,
    /// The boss as the register named them when it was recorded.
    #[schema(example = "田中 一郎")]
    pub boss_name: Option<String>,
    /// The interview it follows, if one was named.
    #[schema(example = 42)]
    pub interview_id: Option<i64>,
    /// The day of the consultation (Japan).
    #[schema(format = Date, example = "2026-05-20")]
    pub held_on: String,
    #[schema(format = DateTime, example = "2026-05-20T17:05:00+09:00")]
    pub recorded_at: String,
}

impl From<BossConsultationRow> for BossConsultationSummary {
    fn from(r: BossConsultationRow) -> Self {
        BossConsultationSummary {
            id: r.id.get(),
            employee_number: r.employee_number,
            employee_name: r.employee_name,
            boss_name: r.boss_name,
            interview_id: r.interview.map(|i| i.get()),
            held_on: r.held_on.format("%Y-%m-%d").to_string(),
            recorded_at: super::interviews::rfc3339_jst(r.created_at),
        }
    }
}

/// One consultation with what was said (sealed at rest; reading it is audited).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BossConsultation {
    #[serde(flatten)]
    pub summary: BossConsultationSummary,
    /// What changed in the employee before and after the interview.
    #[schema(example = "面談後、業務の優先順位を自分から相談してくるようになった。")]
    pub changes: String,
    /// How the employee's work is going.
    #[schema(example = "担当案件は期限どおりに進んでいる。")]
    pub performance: String,
    /// The support the boss will give.
    #[schema(example = "月1回の1on1で、資格取得の計画を一緒に確認する。")]
    pub support: String,
}

impl From<BossConsultationDetail> for BossConsultation {
    fn from(d: BossConsultationDetail) -> Self {
        BossConsultation { summary: d.row.into(), changes: d.text.changes, performance: d.text.performance, support: d.text.support }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BossConsultationList {
    /// The caller's consultations, newest first (facts only; read one for its text).
    pub items: Vec<BossConsultationSummary>,
    /// How many there are in all.
    pub total: i64,
}

/// What recording needs. The consultant is the caller; the boss is the employee's boss in the
/// register.
#[allow(dead_code)] // documents the body; it is read field by field so that errors name the field
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BossConsultationBody {
    /// An employee in the caller's care (an assignment or a consultation request).
    #[schema(example = "E0102")]
    pub employee_number: String,
    /// One of the caller's interviews with this employee, if the consultation follows one.
    #[schema(example = 42)]
    pub interview_id: Option<i64>,
    /// Not in the future, not more than two years ago.
    #[schema(format = Date, example = "2026-05-20")]
    pub held_on: String,
    /// At most 5,000 characters; at least one of `changes`, `performance`, `support` is required.
    pub changes: Option<String>,
    pub performance: Option<String>,
    pub support: Option<String>,
}

fn text(m: &Map<String, Value>, field: &'static str) -> Result<String, Invalid> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Invalid::new(field, format!("{field} は文字列で指定してください。"), format!("{field} must be a string"))),
    }
}

/// The newest 200 of the caller's consultations (`?offset=` for more). Role: consultant.
#[utoipa::path(
    get,
    path = "/api/v1/boss-consultations",
    operation_id = "listBossConsultations",
    tag = "boss-consultations",
    params(("offset" = Option<i64>, Query, description = "Skip this many (newest first)", minimum = 0)),
    responses(
        (status = 200, description = "The caller's consultations", body = BossConsultationList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant", body = ErrorBody),
        (status = 422, description = "`offset` is not a whole number from 0; `field` is `offset`", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<BossConsultationList>> {
    let mut offset = 0;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "offset" {
            offset = v.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                Invalid::new("offset", "offset には0以上の整数を指定してください。", "offset must be a whole number from 0")
            })?;
        }
    }
    let q = BossConsultationQuery { dir: Direction::Desc, ..Default::default() };
    let page = state.store.boss_consultation_page(&p.acting(Ctx::as_consultant)?, &q, PageRequest::new(200, offset)).await?;
    Ok(Json(BossConsultationList { total: page.total, items: page.items.into_iter().map(Into::into).collect() }))
}

/// One of the caller's consultations with its text; anyone else's answers 404. Role: consultant.
#[utoipa::path(
    get,
    path = "/api/v1/boss-consultations/{id}",
    operation_id = "getBossConsultation",
    tag = "boss-consultations",
    params(("id" = i64, Path, description = "The consultation's id")),
    responses(
        (status = 200, description = "The consultation", body = BossConsultation),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant", body = ErrorBody),
        (status = 404, description = "No such consultation recorded by the caller", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn show(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Json<BossConsultation>> {
    let id = parse_id(&raw)?;
    Ok(Json(state.store.boss_consultation(&p.acting(Ctx::as_consultant)?, id).await?.into()))
}

/// Records a consultation with the boss of an employee in the caller's care. Every problem of
/// the body is answered at once (422; `field` names the first). Role: consultant.
#[utoipa::path(
    post,
    path = "/api/v1/boss-consultations",
    operation_id = "recordBossConsultation",
    tag = "boss-consultations",
    request_body = BossConsultationBody,
    responses(
        (status = 201, description = "Recorded; `Location` names it", body = BossConsultation),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant (or the CSRF token is missing for a session)", body = ErrorBody),
        (status = 422, description = "A missing or bad field, an employee not in the caller's care or without a boss, an interview not the caller's with this employee", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn create(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let m = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        _ => return Err(Invalid::new("body", "本文はJSONオブジェクトで送ってください。", "the body must be a JSON object").into()),
    };
    let interview = match m.get("interview_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(InterviewId::new(v.as_i64().filter(|n| *n > 0).ok_or_else(|| {
            Invalid::new(
                "interview_id",
                "interview_id は面談のID（1以上の整数）で指定してください。",
                "interview_id must be an interview id (a whole number from 1)",
            )
        })?)),
    };
    let new = NewBossConsultation {
        employee_number: text(&m, "employee_number")?,
        interview,
        held_on: text(&m, "held_on")?,
        changes: text(&m, "changes")?,
        performance: text(&m, "performance")?,
        support: text(&m, "support")?,
    };
    let me = p.acting(Ctx::as_consultant)?;
    let id = state.store.record_boss_consultation(&me, &new).await.map_err(api_fields)?;
    let body: BossConsultation = state.store.boss_consultation(&me, id).await?.into();
    let location = format!("/api/v1/boss-consultations/{id}");
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(body)).into_response())
}

/// The store names the form's fields; the API's body names them `employee_number` and
/// `interview_id`.
fn api_fields(e: StoreError) -> AppError {
    let rename = |mut i: Invalid| {
        i.field = match i.field {
            "employee" => "employee_number",
            "interview" => "interview_id",
            other => other,
        };
        i
    };
    match e {
        StoreError::Invalid(i) => AppError::Invalid(rename(i)),
        StoreError::Problems(all) => AppError::Problems(all.into_iter().map(rename).collect()),
        other => other.into(),
    }
}
