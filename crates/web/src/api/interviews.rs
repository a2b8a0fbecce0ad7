//! `/api/v1/interviews`: the acting consultant's own interviews as JSON, and the writes the
//! pages offer (schedule, reschedule, record held / no-show / cancelled). Times are RFC 3339;
//! answers give them in Japan time (`+09:00`), requests may use any offset.

use super::echo;
use super::openapi::ErrorBody;
use crate::auth::{Authed, Principal};
use crate::error::{AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::ids::{CycleId, InterviewId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::policy::Operation;
use domain::Invalid;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::Ctx;
use store::{InterviewChange, InterviewRow, NewInterview, StoreError};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/interviews", Operation::ManageInterviews, list)
        .post("/api/v1/interviews", Operation::ManageInterviews, schedule)
        .post("/api/v1/interviews/{id}/reschedule", Operation::ManageInterviews, reschedule)
        .post("/api/v1/interviews/{id}/status", Operation::ManageInterviews, set_status)
}

/// The paths and schemas of this module, merged into `/api/v1/openapi.json` by `openapi.rs`.
#[derive(OpenApi)]
#[openapi(
    paths(list, schedule, reschedule, set_status),
    components(schemas(Interview, InterviewList, ScheduleBody, RescheduleBody, StatusBody)),
    tags((name = "interviews", description = "面談: the acting consultant's own interviews (role: consultant)"))
)]
pub struct InterviewsApi;

use domain::time::JST;

/// Epoch milliseconds as RFC 3339 in Japan time, e.g. `2026-05-12T10:00:00+09:00`.
pub fn rfc3339_jst(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&JST).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// An interview of the calling consultant. Notes are never part of it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Interview {
    #[schema(example = 42)]
    pub id: i64,
    /// The cycle (実施年度) it belongs to, if any.
    #[schema(example = 3)]
    pub cycle_id: Option<i64>,
    #[schema(example = "E0102")]
    pub employee_number: String,
    #[schema(example = "佐藤 花子")]
    pub employee_name: String,
    /// `initial` (初回), `additional` (追加) or `follow_up` (フォローアップ).
    #[schema(example = "initial")]
    pub kind: String,
    /// `in_person` (対面) or `online` (オンライン).
    #[schema(example = "online")]
    pub mode: String,
    /// A room, or the meeting link.
    #[schema(example = "https://meet.example.jp/abc")]
    pub place: String,
    #[schema(format = DateTime, example = "2026-05-12T10:00:00+09:00")]
    pub starts_at: String,
    #[schema(format = DateTime, example = "2026-05-12T11:00:00+09:00")]
    pub ends_at: String,
    /// `scheduled` (予定), `held` (実施済み), `no_show` (欠席) or `cancelled` (キャンセル).
    #[schema(example = "scheduled")]
    pub status: String,
}

impl From<&InterviewRow> for Interview {
    fn from(i: &InterviewRow) -> Self {
        Interview {
            id: i.id.get(),
            cycle_id: i.cycle.map(|c| c.get()),
            employee_number: i.employee_number.clone(),
            employee_name: i.employee_name.clone(),
            kind: i.kind.as_str().to_string(),
            mode: i.mode.as_str().to_string(),
            place: i.place.clone(),
            starts_at: rfc3339_jst(i.starts_at),
            ends_at: rfc3339_jst(i.ends_at),
            status: i.status.as_str().to_string(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InterviewList {
    pub items: Vec<Interview>,
}

/// What scheduling needs. The consultant is the caller.
#[allow(dead_code)] // documents the body; it is read field by field so that errors name the field
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScheduleBody {
    #[schema(example = "E0102")]
    pub employee_number: String,
    /// For an `initial` interview the employee must be a target of this cycle.
    #[schema(example = 3)]
    pub cycle_id: Option<i64>,
    #[schema(example = "initial")]
    pub kind: String,
    #[schema(example = "in_person")]
    pub mode: String,
    #[schema(example = "第3会議室")]
    pub place: Option<String>,
    #[schema(format = DateTime, example = "2026-05-12T10:00:00+09:00")]
    pub starts_at: String,
    /// 15 minutes to 4 hours after the start.
    #[schema(format = DateTime, example = "2026-05-12T11:00:00+09:00")]
    pub ends_at: String,
}

/// A new time (and mode and place) for a scheduled interview.
#[allow(dead_code)] // documents the body; it is read field by field so that errors name the field
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RescheduleBody {
    #[schema(example = "online")]
    pub mode: String,
    #[schema(example = "https://meet.example.jp/abc")]
    pub place: Option<String>,
    #[schema(format = DateTime, example = "2026-05-13T15:00:00+09:00")]
    pub starts_at: String,
    #[schema(format = DateTime, example = "2026-05-13T16:00:00+09:00")]
    pub ends_at: String,
}

/// A status change: scheduled → held, no_show or cancelled; no_show → held. Held and no_show
/// only once the start time has come; a recorded outcome (held, no_show, cancelled) may be
/// corrected to another status, scheduled included, until 14 days after the start (audited
/// as `interview_status_corrected`); a held interview whose report is started is final.
#[allow(dead_code)] // documents the body; it is read field by field so that errors name the field
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StatusBody {
    #[schema(example = "cancelled")]
    pub status: String,
    /// Required when cancelling (the reason); optional otherwise. At most 500 characters.
    #[schema(example = "本人の都合により")]
    pub note: Option<String>,
}

// ---------------------------------------------------------------- parsing

/// Reads the `cycle` parameter: a positive whole number, or absent.
pub fn parse_list_query(raw: Option<&str>) -> Result<Option<CycleId>, Invalid> {
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "cycle" {
            let n = v.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                let v = echo(&v);
                Invalid::new(
                    "cycle",
                    format!("cycle には実施年度のID（1以上の整数）を指定してください（指定値:「{v}」）。"),
                    format!("cycle must be a cycle id, a whole number from 1 (got \"{v}\")"),
                )
            })?;
            return Ok(Some(CycleId::new(n)));
        }
    }
    Ok(None)
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Invalid> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(Invalid::new("body", "本文はJSONオブジェクトで送ってください。", "the body must be a JSON object")),
    }
}

fn text<'a>(m: &'a Map<String, Value>, field: &'static str, required: bool) -> Result<Option<&'a str>, Invalid> {
    match m.get(field) {
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        None | Some(Value::Null) if !required => Ok(None),
        None | Some(Value::Null) => Err(Invalid::new(field, format!("{field} を指定してください。"), format!("{field} is required"))),
        Some(_) => Err(Invalid::new(field, format!("{field} は文字列で指定してください。"), format!("{field} must be a string"))),
    }
}

fn required<'a>(m: &'a Map<String, Value>, field: &'static str) -> Result<&'a str, Invalid> {
    text(m, field, true)?.ok_or_else(|| Invalid::new(field, format!("{field} を指定してください。"), format!("{field} is required")))
}

fn instant(m: &Map<String, Value>, field: &'static str) -> Result<i64, Invalid> {
    let raw = required(m, field)?;
    chrono::DateTime::parse_from_rfc3339(raw.trim()).map(|t| t.timestamp_millis()).map_err(|_| {
        let v = echo(raw);
        Invalid::new(
            field,
            format!("{field} はRFC 3339形式の日時で指定してください（例：2026-05-12T10:00:00+09:00、指定値:「{v}」）。"),
            format!("{field} must be an RFC 3339 date-time such as 2026-05-12T10:00:00+09:00 (got \"{v}\")"),
        )
    })
}

fn slot_of(m: &Map<String, Value>) -> Result<Slot, Invalid> {
    // The same rule as the form's: 2000–2100 in Japan time, 15 minutes to 4 hours.
    Slot::bookable(instant(m, "starts_at")?, instant(m, "ends_at")?)
}

fn code<T>(m: &Map<String, Value>, field: &'static str, parse: fn(&str) -> Option<T>, allowed: &str) -> Result<T, Invalid> {
    let raw = required(m, field)?;
    parse(raw).ok_or_else(|| {
        let v = echo(raw);
        Invalid::new(
            field,
            format!("{field} には {allowed} のいずれかを指定してください（指定値:「{v}」）。"),
            format!("{field} must be one of {allowed} (got \"{v}\")"),
        )
    })
}

fn mode_of(m: &Map<String, Value>) -> Result<InterviewMode, Invalid> {
    code(m, "mode", InterviewMode::parse, "in_person, online")
}

use crate::path_id::path_id as parse_id;

/// What a write to one interview starts with: the path names an interview, and the body is a
/// JSON object (the route has checked the role; the store decides on the interview itself).
fn write_request(raw: &str, body: &[u8]) -> AppResult<(InterviewId, Map<String, Value>)> {
    Ok((parse_id(raw)?, object(body)?))
}

/// The interview as it stands after a write, as the answer.
async fn current(state: &AppState, p: &Principal, id: InterviewId) -> AppResult<Json<Interview>> {
    Ok(Json(Interview::from(&state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?)))
}

// ---------------------------------------------------------------- handlers

/// The caller's interviews, in a cycle or all of them, by start time. The read is recorded
/// in the audit log. Role: consultant (their own interviews only).
#[utoipa::path(
    get,
    path = "/api/v1/interviews",
    operation_id = "listInterviews",
    tag = "interviews",
    params(("cycle" = Option<i64>, Query, description = "Only the interviews of this cycle (実施年度) id", minimum = 1)),
    responses(
        (status = 200, description = "The caller's interviews", body = InterviewList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant", body = ErrorBody),
        (status = 422, description = "`cycle` is not a cycle id of this organization; `field` is `cycle`", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<InterviewList>> {
    let cycle = parse_list_query(raw.as_deref())?;
    let rows = state.store.cycle_interviews(&p.acting(Ctx::as_consultant)?, cycle).await?;
    Ok(Json(InterviewList { items: rows.iter().map(Interview::from).collect() }))
}

/// Schedules an interview conducted by the caller. Refused with 409 when it overlaps one of
/// the caller's scheduled or held interviews (the message names the clash). Role: consultant.
#[utoipa::path(
    post,
    path = "/api/v1/interviews",
    operation_id = "scheduleInterview",
    tag = "interviews",
    request_body = ScheduleBody,
    responses(
        (status = 201, description = "Scheduled; `Location` names it", body = Interview),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The acting role is not consultant (or the CSRF token is missing for a session)", body = ErrorBody),
        (status = 409, description = "It overlaps another interview of the caller", body = ErrorBody),
        (status = 422, description = "A missing or bad field; `field` names it", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn schedule(State(state): State<AppState>, Authed(p): Authed, body: Bytes) -> AppResult<Response> {
    let m = object(&body)?;
    let number = required(&m, "employee_number")?.trim().to_string();
    let cycle = match m.get("cycle_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(CycleId::new(v.as_i64().filter(|n| *n > 0).ok_or_else(|| {
            Invalid::new(
                "cycle_id",
                "cycle_id は実施年度のID（1以上の整数）で指定してください。",
                "cycle_id must be a cycle id (a whole number from 1)",
            )
        })?)),
    };
    let kind = code(&m, "kind", InterviewKind::parse, "initial, additional, follow_up")?;
    let mode = mode_of(&m)?;
    let place = text(&m, "place", false)?.unwrap_or("").to_string();
    let slot = slot_of(&m)?;
    // An unknown number and an employee out of the consultant's reach answer alike.
    let employee = match state.store.reachable_employee(&p.acting(Ctx::as_consultant)?, &number).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => {
            let v = echo(&number);
            return Err(Invalid::new(
                "employee_number",
                format!("社員番号「{v}」の従業員は登録されていません。"),
                format!("no employee has the number \"{v}\""),
            )
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    let new = NewInterview { cycle, employee, kind, mode, place, slot };
    // A refused overlap comes from the store in both languages, naming the clash.
    let id = state.store.schedule_interview(&p.acting(Ctx::as_consultant)?, &new).await?;
    let row = state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?;
    Ok((StatusCode::CREATED, [(LOCATION, format!("/api/v1/interviews/{id}"))], Json(Interview::from(&row))).into_response())
}

/// Moves a scheduled interview of the caller to another time (and mode and place); the
/// same checks as scheduling, except against itself. Role: consultant.
#[utoipa::path(
    post,
    path = "/api/v1/interviews/{id}/reschedule",
    operation_id = "rescheduleInterview",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview")),
    request_body = RescheduleBody,
    responses(
        (status = 200, description = "Rescheduled", body = Interview),
        (status = 404, description = "No such interview of the caller", body = ErrorBody),
        (status = 409, description = "The new time overlaps another interview of the caller", body = ErrorBody),
        (status = 422, description = "A bad field, or the interview is not scheduled any more (`field`: `status`)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn reschedule(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(raw): Path<String>,
    body: Bytes,
) -> AppResult<Json<Interview>> {
    let (id, m) = write_request(&raw, &body)?;
    let change = InterviewChange { mode: mode_of(&m)?, place: text(&m, "place", false)?.unwrap_or("").to_string(), slot: slot_of(&m)? };
    state.store.reschedule_interview(&p.acting(Ctx::as_consultant)?, id, &change).await?;
    current(&state, &p, id).await
}

/// Records that an interview of the caller was held, missed (no_show) or cancelled (with the
/// reason in `note`). Role: consultant.
#[utoipa::path(
    post,
    path = "/api/v1/interviews/{id}/status",
    operation_id = "setInterviewStatus",
    tag = "interviews",
    params(("id" = i64, Path, description = "The interview")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "The interview with its new status", body = Interview),
        (status = 404, description = "No such interview of the caller", body = ErrorBody),
        (status = 409, description = "A no-show recorded as held now overlaps another interview", body = ErrorBody),
        (status = 422, description = "A change the status machine refuses: held or no_show before the start, a correction after 14 days, a held interview with a report (`field`: `status`); or a cancellation without its reason (`field`: `note`)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(raw): Path<String>,
    body: Bytes,
) -> AppResult<Json<Interview>> {
    let (id, m) = write_request(&raw, &body)?;
    let to = code(&m, "status", InterviewStatus::parse, "scheduled, held, no_show, cancelled")?;
    let note = text(&m, "note", false)?.unwrap_or("");
    state.store.set_interview_status(&p.acting(Ctx::as_consultant)?, id, to, note).await?;
    current(&state, &p, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_parameter_is_named_when_bad() {
        assert_eq!(parse_list_query(None), Ok(None));
        assert_eq!(parse_list_query(Some("cycle=3&x=1")), Ok(Some(CycleId::new(3))));
        for raw in ["cycle=", "cycle=0", "cycle=-2", "cycle=abc", "cycle=1.5"] {
            assert_eq!(parse_list_query(Some(raw)).err().map(|e| e.field), Some("cycle"), "{raw}");
        }
    }

    #[test]
    fn bodies_name_the_bad_field() {
        let field = |json: &str| -> Option<&'static str> {
            let r: Result<Slot, Invalid> = object(json.as_bytes()).and_then(|m| slot_of(&m));
            r.err().map(|e| e.field)
        };
        assert_eq!(field("[]"), Some("body"));
        assert_eq!(field("{"), Some("body"));
        assert_eq!(field(r#"{"ends_at":"2026-05-12T11:00:00+09:00"}"#), Some("starts_at"));
        assert_eq!(field(r#"{"starts_at":"2026-05-12 10:00","ends_at":"2026-05-12T11:00:00+09:00"}"#), Some("starts_at"));
        assert_eq!(field(r#"{"starts_at":"2026-05-12T10:00:00+09:00","ends_at":7}"#), Some("ends_at"));
        assert_eq!(field(r#"{"starts_at":"2026-05-12T10:00:00+09:00","ends_at":"2026-05-12T10:05:00+09:00"}"#), Some("ends_at"));
        assert_eq!(field(r#"{"starts_at":"2026-05-12T10:00:00+09:00","ends_at":"2026-05-12T02:00:00Z"}"#), None);
        assert_eq!(field(r#"{"starts_at":"1970-01-01T10:00:00+09:00","ends_at":"1970-01-01T11:00:00+09:00"}"#), Some("starts_at"));
        assert_eq!(field(r#"{"starts_at":"9999-12-01T10:00:00+09:00","ends_at":"9999-12-01T11:00:00+09:00"}"#), Some("starts_at"));
        assert_eq!(field(r#"{"starts_at":"2100-12-31T23:30:00+09:00","ends_at":"2101-01-01T00:30:00+09:00"}"#), Some("ends_at"));
        let m = object(br#"{"mode":"video"}"#).unwrap_or_default();
        assert_eq!(mode_of(&m).err().map(|e| e.field), Some("mode"));
    }

    #[test]
    fn times_are_answered_in_japan_time() {
        assert_eq!(rfc3339_jst(1_778_547_600_000), "2026-05-12T10:00:00+09:00");
    }

    #[test]
    fn the_module_documents_its_routes() {
        let doc = InterviewsApi::openapi();
        for path in ["/api/v1/interviews", "/api/v1/interviews/{id}/status", "/api/v1/interviews/{id}/reschedule"] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
