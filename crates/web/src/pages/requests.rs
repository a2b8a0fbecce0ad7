//! Consultation requests (任意の相談申し出): the consultant's queue, answered by scheduling an
//! interview or declining with a reason, and the employee's own page — their interviews
//! (never the notes) and their requests with the answers.

use super::form::{sent_back, FormErrors, FormPairs};
use super::history_table::{Cell, HistoryTable};
use super::interviews::{checked, is_link, mode_choices, parenthesized, parse_mode, parse_slot, time_range};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::interview::{InterviewMode, InterviewStatus, RequestStatus};
use domain::policy::Operation;
use domain::Locale;
use serde::Deserialize;
use store::Ctx;
use store::{ConsultationRequestId, Direction, InterviewChange, RequestQuery, RequestSort};

pub fn routes(r: Routes) -> Routes {
    r.get("/requests", Operation::HandleRequests, queue)
        .post("/requests/{id}/schedule", Operation::HandleRequests, schedule)
        .post("/requests/{id}/decline", Operation::HandleRequests, decline)
        .get("/my/interviews", Operation::ViewOwnInterviews, mine)
        .post("/my/requests", Operation::ViewOwnInterviews, ask)
}

use crate::path_id::path_id as parse_request_id;

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
    /// The status in words, and its code (for the pill's class).
    pub status: String,
    pub status_code: &'static str,
    /// Waiting for an answer: the answer forms are offered.
    pub open: bool,
    pub form: AnswerForm,
    pub modes: Vec<Choice>,
    /// The problems of this request's form, when it was sent back.
    pub errors: FormErrors,
}

/// The consultant's requests: waiting ones first by default, or by reception or employee;
/// searched by the employee's name or number, filtered by status.
static REQUESTS: ListSpec<RequestSort> = ListSpec {
    path: "/requests",
    default_sort: SortOption::new("status", RequestSort::Status, Direction::Asc),
    sorts: &[
        SortOption::new("received", RequestSort::Received, Direction::Desc),
        SortOption::new("employee", RequestSort::Employee, Direction::Asc),
    ],
    filters: &["status"],
    search: true,
    per_page: 20,
};

/// The list's state as read from a query string, or from a form's `back` field (the list's
/// relative address, e.g. `/requests?status=open&page=2`): anything else than the list's own
/// parameters is dropped, so it can only lead back to this list.
fn list_params(back: &str) -> ListParams<RequestSort> {
    let query = back.trim().strip_prefix(REQUESTS.path).and_then(|q| q.strip_prefix('?')).unwrap_or("");
    let mut params = ListParams::parse(&REQUESTS, Some(query));
    if params.filter("status").is_some_and(|s| RequestStatus::parse(s).is_none()) {
        params.drop_filter("status");
    }
    params
}

/// Where the list was when a row's form was sent (the hidden `back` field).
fn origin(f: &FormPairs) -> ListParams<RequestSort> {
    list_params(&f.text("back"))
}

/// The list at the same page, search, filter and sort, with what happened added.
fn requests_href(params: &ListParams<RequestSort>, done: &[(&str, String)]) -> String {
    let mut href = params.href(params.page);
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in done {
        s.append_pair(k, v);
    }
    let extra = s.finish();
    if !extra.is_empty() {
        href.push(if href.contains('?') { '&' } else { '?' });
        href.push_str(&extra);
    }
    href
}

#[derive(Template)]
#[template(path = "requests.html")]
struct QueuePage {
    ctx: PageCtx,
    notice: String,
    notice_link: String,
    list: ListView,
    /// The list's relative address, sent back by every row's form so that the page keeps its place.
    back: String,
    items: Vec<QueueItem>,
}

async fn queue_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    params: &ListParams<RequestSort>,
    q: &DoneQuery,
    typed: Option<(AnswerForm, FormErrors)>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "rq-queue-title", "/requests");
    let t = ctx.t;
    let query = RequestQuery {
        status: params.filter("status").and_then(RequestStatus::parse),
        search: params.search().map(str::to_string),
        sort: params.sort,
        dir: params.dir,
    };
    let page = state.store.request_page(&p.acting(Ctx::as_consultant)?, &query, params.page_request()).await?;
    if typed.is_none() {
        if let Some(last) = params.beyond_end(page.total) {
            return Ok(Redirect::to(&last).into_response());
        }
    }
    let default_date = today_jst().format("%Y-%m-%d").to_string();
    let items: Vec<QueueItem> = page
        .items
        .into_iter()
        .map(|l| {
            let r = l.request;
            let (form, errors) = match &typed {
                Some((f, e)) if f.request == r.id.get() => (f.clone(), e.clone()),
                _ => (
                    AnswerForm {
                        request: r.id.get(),
                        date: default_date.clone(),
                        mode: InterviewMode::InPerson.as_str().into(),
                        ..Default::default()
                    },
                    FormErrors::none(),
                ),
            };
            QueueItem {
                id: r.id.get(),
                received: t.date_time(r.created_at),
                employee_number: r.employee_number,
                employee_name: r.employee_name,
                department: r.department,
                to_me: r.assigned_to_me,
                preferred: r.preferred,
                message: r.message,
                status: t.term(l.status),
                status_code: l.status.as_str(),
                open: l.status == RequestStatus::Open,
                modes: mode_choices(t, &form.mode),
                form,
                errors,
            }
        })
        .collect();
    let (notice, notice_link) = match q.done.as_deref() {
        Some("scheduled") => (t.get("rq-done-scheduled"), q.interview.map(|i| format!("/interviews/{i}")).unwrap_or_default()),
        Some("declined") => (t.get("rq-done-declined"), String::new()),
        _ => (String::new(), String::new()),
    };
    let statuses = super::list_terms::term_options(t, RequestStatus::ALL, RequestStatus::as_str);
    let list = ListView::new(t, params, page.total, items.len())
        .search(&params.q, "rq-list-search", "rq-list-search-help")
        .filter("status", "rq-list-status", params.filter("status"), statuses)
        .column("rq-received", Some("received"), "date")
        .column("rq-list-col-number", None, "nowrap")
        .column("rq-list-col-name", Some("employee"), "")
        .column("rq-department", None, "")
        .column("rq-list-col-to", None, "nowrap")
        .column("rq-preferred", None, "")
        .column("rq-message", None, "")
        .column("rq-list-status", Some("status"), "nowrap")
        .empty("rq-list-empty", "rq-list-empty-filtered");
    let back = params.href(params.page);
    render(&QueuePage { ctx, notice, notice_link, list, back, items })
}

async fn queue(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Query(q): Query<DoneQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let params = list_params(&format!("{}?{}", REQUESTS.path, raw.as_deref().unwrap_or("")));
    queue_page(&state, &p, locale, &params, &q, None).await
}

/// Redraws the queue with every problem beside the request's form, and what was typed in it.
async fn refused(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    params: &ListParams<RequestSort>,
    form: AnswerForm,
    e: AppError,
) -> AppResult<Response> {
    let (status, problems) = sent_back(e)?;
    let id = |f: &str| format!("rq-{}-{f}", form.request);
    let anchors: Vec<(&str, String)> = vec![
        ("date", id("date")),
        ("start", id("start")),
        ("end", id("end")),
        ("slot", id("start")),
        ("form", id(if form.error_in == "decline" { "reason" } else { "start" })),
        ("mode", id("mode")),
        ("place", id("place")),
        ("reply", id("reply")),
        ("reason", id("reason")),
        ("status", id(if form.error_in == "decline" { "reason" } else { "start" })),
    ];
    let anchors: Vec<(&str, &str)> = anchors.iter().map(|(f, a)| (*f, a.as_str())).collect();
    let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&anchors);
    Ok(with_status(queue_page(state, p, locale, params, &DoneQuery::default(), Some((form, errors))).await?, status))
}

async fn schedule(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id: ConsultationRequestId = parse_request_id(&raw)?;
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
        let mut problems = Vec::new();
        let slot = checked(&mut problems, parse_slot(&form.date, &form.start, &form.end));
        let mode = checked(&mut problems, parse_mode(&form.mode));
        for (limit, value) in [(&domain::limits::INTERVIEW_PLACE, &form.place), (&domain::limits::REQUEST_REPLY, &form.reply)] {
            if let Err(e) = limit.check(value) {
                problems.push(e);
            }
        }
        let (Some(slot), Some(mode), true) = (slot, mode, problems.is_empty()) else {
            return Err(AppError::Problems(problems));
        };
        let when = InterviewChange { mode, place: form.place.clone(), slot };
        // A clash or an answer given meanwhile comes from the store in both languages.
        Ok(state.store.schedule_request(&p.acting(Ctx::as_consultant)?, id, &when, &form.reply).await?)
    }
    .await;
    match outcome {
        Ok(interview) => {
            let to = requests_href(&origin(&f), &[("done", "scheduled".into()), ("interview", interview.to_string())]);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => refused(&state, &p, locale, &origin(&f), form, e).await,
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
        Ok(()) => Ok(Redirect::to(&requests_href(&origin(&f), &[("done", "declined".into())])).into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let form = AnswerForm { request: id.get(), reason, error_in: "decline", ..Default::default() };
            refused(&state, &p, locale, &origin(&f), form, e).await
        }
    }
}

// ---------------------------------------------------------------- the employee's own page

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
}

#[derive(Template)]
#[template(path = "my_interviews.html")]
struct MinePage {
    ctx: PageCtx,
    notice: String,
    linked: bool,
    interviews: HistoryTable,
    requests: Vec<OwnRequestView>,
    form: AskForm,
    errors: FormErrors,
    open_requests: usize,
}

async fn mine_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    notice: String,
    form: AskForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "my-title", "/my/interviews");
    let t = ctx.t;
    let now = store::now_ms();
    let rows = state
        .store
        .own_interviews(&p.acting(Ctx::as_employee)?)
        .await?
        .into_iter()
        .map(|i| {
            let upcoming = i.status == InterviewStatus::Scheduled && i.ends_at > now;
            let place = Cell::text(i.place.clone()).data();
            vec![
                Cell::text(time_range(t, i.starts_at, i.ends_at)).tag(if upcoming { t.get("my-upcoming") } else { String::new() }),
                Cell::text(t.term(i.kind)),
                Cell::text(t.term(i.mode)),
                if is_link(&i.place) { place.link(i.place, true) } else { place },
                Cell::text(i.consultant_name).data(),
                Cell::text(t.term(i.status)),
            ]
        })
        .collect();
    let interviews = HistoryTable {
        id: "my-interviews",
        heading: t.get("my-interviews-heading"),
        empty: t.get("my-interviews-empty"),
        columns: ["iv-col-when", "iv-col-kind", "iv-col-mode", "iv-col-place", "my-col-consultant", "iv-col-status"]
            .iter()
            .map(|k| t.get(k))
            .collect(),
        rows,
    };
    let own = state.store.own_requests(&p.acting(Ctx::as_employee)?).await?;
    let open_requests = own.iter().filter(|r| r.status == RequestStatus::Open).count();
    let requests = own
        .into_iter()
        .map(|r| OwnRequestView {
            id: r.id.get(),
            sent: t.date_time(r.created_at),
            preferred: r.preferred,
            message: r.message,
            status: t.term(r.status),
            status_code: r.status.as_str(),
            reply: r.reply,
            consultant: r.consultant_name.unwrap_or_default(),
            interview: r
                .interview
                .as_ref()
                .map(|(s, e, mode, _, st)| {
                    let sep = if t.locale == Locale::Ja { "・" } else { ", " };
                    format!("{}{}", time_range(t, *s, *e), parenthesized(t, &format!("{}{sep}{}", t.term(*mode), t.term(*st))))
                })
                .unwrap_or_default(),
            interview_place: r.interview.map(|i| i.3).unwrap_or_default(),
        })
        .collect();
    render(&MinePage { ctx, notice, linked: p.user.employee.is_some(), interviews, requests, form, errors, open_requests })
}

async fn mine(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = if q.done.as_deref() == Some("requested") { Tr::new(locale).get("my-done-requested") } else { String::new() };
    mine_page(&state, &p, locale, notice, AskForm::default(), FormErrors::none()).await
}

async fn ask(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let form = AskForm { preferred: f.text("preferred"), message: f.text("message").replace("\r\n", "\n") };
    match state.store.request_consultation(&p.acting(Ctx::as_employee)?, &form.preferred, &form.message).await {
        Ok(_) => Ok(Redirect::to("/my/interviews?done=requested").into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[
                ("preferred", "my-preferred"),
                ("message", "my-message"),
                ("employee", "my-preferred"),
                ("form", "my-preferred"),
            ]);
            let status = if status == StatusCode::CONFLICT { StatusCode::UNPROCESSABLE_ENTITY } else { status };
            Ok(with_status(mine_page(&state, &p, locale, String::new(), form, errors).await?, status))
        }
    }
}
