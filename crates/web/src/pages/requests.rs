//! Consultation requests (任意の相談申し出): the consultant's queue, answered by scheduling an
//! interview or declining with a reason, and the employee's own page — their interviews
//! (never the notes) and their requests with the answers.

use super::form::FormPairs;
use super::interviews::{form_error, is_link, mode_choices, parenthesized, parse_mode, parse_slot, time_range};
use super::{format_ms, render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::interview::{InterviewMode, InterviewStatus, RequestStatus};
use domain::policy::Operation;
use domain::Locale;
use serde::Deserialize;
use store::Ctx;
use store::{ConsultationRequestId, InterviewChange};

pub fn routes(r: Routes) -> Routes {
    r.get("/requests", Operation::HandleRequests, queue)
        .post("/requests/{id}/schedule", Operation::HandleRequests, schedule)
        .post("/requests/{id}/decline", Operation::HandleRequests, decline)
        .get("/my/interviews", Operation::ViewOwnInterviews, mine)
        .post("/my/requests", Operation::ViewOwnInterviews, ask)
}

fn parse_request_id(raw: &str) -> AppResult<ConsultationRequestId> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).map(ConsultationRequestId::new).ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
    interview: Option<i64>,
}

// ---------------------------------------------------------------- the consultant's queue

/// What was typed into one request's forms, kept when it is sent back with an error.
#[derive(Clone, Debug, Default)]
pub struct AnswerForm {
    pub request: i64,
    pub date: String,
    pub start: String,
    pub end: String,
    pub mode: String,
    pub place: String,
    pub reply: String,
    pub reason: String,
    /// `schedule` or `decline`.
    pub error_in: &'static str,
    pub error: String,
    pub error_field: &'static str,
}

pub struct QueueItem {
    pub id: i64,
    pub received: String,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    pub to_me: bool,
    pub preferred: String,
    pub message: String,
    pub form: AnswerForm,
    pub modes: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "requests.html")]
struct QueuePage {
    ctx: PageCtx,
    notice: String,
    notice_link: String,
    items: Vec<QueueItem>,
}

async fn queue_page(state: &AppState, p: &Principal, locale: Locale, q: &DoneQuery, typed: Option<AnswerForm>) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "rq-queue-title", "/requests");
    let t = ctx.t;
    let rows = state.store.request_queue(&p.acting(Ctx::as_consultant)?).await?;
    let default_date = today_jst().format("%Y-%m-%d").to_string();
    let items = rows
        .into_iter()
        .map(|r| {
            let form = match &typed {
                Some(f) if f.request == r.id.get() => f.clone(),
                _ => AnswerForm {
                    request: r.id.get(),
                    date: default_date.clone(),
                    mode: InterviewMode::InPerson.as_str().into(),
                    ..Default::default()
                },
            };
            QueueItem {
                id: r.id.get(),
                received: format_ms(r.created_at),
                employee_number: r.employee_number,
                employee_name: r.employee_name,
                department: r.department,
                to_me: r.assigned_to_me,
                preferred: r.preferred,
                message: r.message,
                modes: mode_choices(t, &form.mode),
                form,
            }
        })
        .collect();
    let (notice, notice_link) = match q.done.as_deref() {
        Some("scheduled") => (t.get("rq-done-scheduled"), q.interview.map(|i| format!("/interviews/{i}")).unwrap_or_default()),
        Some("declined") => (t.get("rq-done-declined"), String::new()),
        _ => (String::new(), String::new()),
    };
    render(&QueuePage { ctx, notice, notice_link, items })
}

async fn queue(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    queue_page(&state, &p, locale, &q, None).await
}

/// Redraws the queue with the refusal next to the request's form.
async fn refused(state: &AppState, p: &Principal, locale: Locale, mut form: AnswerForm, e: AppError) -> AppResult<Response> {
    let (status, field, message) = form_error(e)?;
    form.error = message.in_locale(locale).to_string();
    form.error_field = field;
    Ok(with_status(queue_page(state, p, locale, &DoneQuery::default(), Some(form)).await?, status))
}

async fn schedule(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_request_id(&raw)?;
    let form = AnswerForm {
        request: id.get(),
        date: f.text("date"),
        start: f.text("start"),
        end: f.text("end"),
        mode: f.text("mode"),
        place: f.text("place"),
        reply: f.text("reply").replace("\r\n", "\n"),
        error_in: "schedule",
        ..Default::default()
    };
    let outcome: AppResult<_> = async {
        let slot = parse_slot(&form.date, &form.start, &form.end)?;
        let when = InterviewChange { mode: parse_mode(&form.mode)?, place: form.place.clone(), slot };
        // A clash or an answer given meanwhile comes from the store in both languages.
        Ok(state.store.schedule_request(&p.acting(Ctx::as_consultant)?, id, &when, &form.reply).await?)
    }
    .await;
    match outcome {
        Ok(interview) => Ok(Redirect::to(&format!("/requests?done=scheduled&interview={interview}")).into_response()),
        Err(e) => refused(&state, &p, locale, form, e).await,
    }
}

async fn decline(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_request_id(&raw)?;
    let reason = f.text("reason").replace("\r\n", "\n");
    match state.store.decline_request(&p.acting(Ctx::as_consultant)?, id, &reason).await {
        Ok(()) => Ok(Redirect::to("/requests?done=declined").into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let form = AnswerForm { request: id.get(), reason, error_in: "decline", ..Default::default() };
            refused(&state, &p, locale, form, e).await
        }
    }
}

// ---------------------------------------------------------------- the employee's own page

pub struct OwnInterviewView {
    pub when: String,
    pub kind: String,
    pub mode: String,
    pub place: String,
    pub place_is_link: bool,
    pub consultant: String,
    pub status: String,
    pub upcoming: bool,
}

pub struct OwnRequestView {
    pub id: i64,
    pub sent: String,
    pub preferred: String,
    pub message: String,
    pub status: String,
    pub status_code: &'static str,
    pub reply: String,
    pub consultant: String,
    pub interview: String,
    pub interview_place: String,
}

/// The request form as typed.
#[derive(Clone, Debug, Default)]
pub struct AskForm {
    pub preferred: String,
    pub message: String,
    pub error: String,
    pub error_field: &'static str,
}

#[derive(Template)]
#[template(path = "my_interviews.html")]
struct MinePage {
    ctx: PageCtx,
    notice: String,
    linked: bool,
    interviews: Vec<OwnInterviewView>,
    requests: Vec<OwnRequestView>,
    form: AskForm,
    open_requests: usize,
}

async fn mine_page(state: &AppState, p: &Principal, locale: Locale, notice: String, form: AskForm) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "my-title", "/my/interviews");
    let t = ctx.t;
    let now = store::now_ms();
    let interviews = state
        .store
        .own_interviews(&p.acting(Ctx::as_employee)?)
        .await?
        .into_iter()
        .map(|i| OwnInterviewView {
            when: time_range(t, i.starts_at, i.ends_at),
            kind: i.kind.label(t.locale).to_string(),
            mode: i.mode.label(t.locale).to_string(),
            place_is_link: is_link(&i.place),
            place: i.place,
            consultant: i.consultant_name,
            status: i.status.label(t.locale).to_string(),
            upcoming: i.status == InterviewStatus::Scheduled && i.ends_at > now,
        })
        .collect();
    let own = state.store.own_requests(&p.acting(Ctx::as_employee)?).await?;
    let open_requests = own.iter().filter(|r| r.status == RequestStatus::Open).count();
    let requests = own
        .into_iter()
        .map(|r| OwnRequestView {
            id: r.id.get(),
            sent: format_ms(r.created_at),
            preferred: r.preferred,
            message: r.message,
            status: r.status.label(t.locale).to_string(),
            status_code: r.status.as_str(),
            reply: r.reply,
            consultant: r.consultant_name.unwrap_or_default(),
            interview: r
                .interview
                .as_ref()
                .map(|(s, e, mode, _, st)| {
                    let sep = if t.locale == Locale::Ja { "・" } else { ", " };
                    format!(
                        "{}{}",
                        time_range(t, *s, *e),
                        parenthesized(t, &format!("{}{sep}{}", mode.label(t.locale), st.label(t.locale)))
                    )
                })
                .unwrap_or_default(),
            interview_place: r.interview.map(|i| i.3).unwrap_or_default(),
        })
        .collect();
    render(&MinePage { ctx, notice, linked: p.user.employee.is_some(), interviews, requests, form, open_requests })
}

async fn mine(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = if q.done.as_deref() == Some("requested") { Tr::new(locale).get("my-done-requested") } else { String::new() };
    mine_page(&state, &p, locale, notice, AskForm::default()).await
}

async fn ask(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let mut form = AskForm { preferred: f.text("preferred"), message: f.text("message").replace("\r\n", "\n"), ..Default::default() };
    match state.store.request_consultation(&p.acting(Ctx::as_employee)?, &form.preferred, &form.message).await {
        Ok(_) => Ok(Redirect::to("/my/interviews?done=requested").into_response()),
        Err(e) => {
            let (status, field, message) = match form_error(e.into()) {
                Ok(x) => x,
                Err(other) => return Err(other),
            };
            form.error = message.in_locale(locale).to_string();
            form.error_field = field;
            let status = if status == StatusCode::CONFLICT { StatusCode::UNPROCESSABLE_ENTITY } else { status };
            Ok(with_status(mine_page(&state, &p, locale, String::new(), form).await?, status))
        }
    }
}
