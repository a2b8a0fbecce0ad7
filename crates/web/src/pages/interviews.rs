//! The consultant's interviews (面談): the upcoming list, scheduling, the interview page
//! (reschedule; held, no-show or cancelled; the sealed notes), the week and month calendars
//! and the iCalendar feed. Times are entered and shown in Japan time (UTC+9).

mod calendar;
mod feed;

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone};
use domain::ids::{CycleId, InterviewId};
use domain::interview::{
    change_status_at, correction_deadline, needs_confirmation, InterviewKind, InterviewMode, InterviewStatus, Slot, StatusChange,
    STATUS_CORRECTION_DAYS,
};
use domain::policy::Operation;
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::Ctx;
use store::{Direction, InterviewChange, InterviewQuery, InterviewRow, InterviewSort, InterviewWhen, NewInterview, StoreError};

pub fn routes(r: Routes) -> Routes {
    r.get("/interviews", Operation::ManageInterviews, list)
        .get("/interviews/new", Operation::ManageInterviews, new_form)
        .post("/interviews", Operation::ManageInterviews, create)
        .get("/interviews/calendar", Operation::ManageInterviews, calendar::page)
        .get("/interviews/feed", Operation::ManageInterviews, feed::page)
        .post("/interviews/feed", Operation::ManageInterviews, feed::rotate)
        .post("/interviews/feed/names", Operation::ManageInterviews, feed::names)
        .post("/interviews/feed/revoke", Operation::ManageInterviews, feed::revoke)
        .get("/interviews/{id}", Operation::ManageInterviews, show)
        .post("/interviews/{id}/reschedule", Operation::ManageInterviews, reschedule)
        .post("/interviews/{id}/status", Operation::ManageInterviews, set_status)
        .post("/interviews/{id}/notes", Operation::ManageInterviews, save_notes)
        .get("/calendar/{file}", Operation::Public, feed::ics)
}

// ---------------------------------------------------------------- time in Japan

pub(super) use domain::time::JST;

const DAY_MS: i64 = 86_400_000;

/// Midnight of a date in Japan, as epoch milliseconds.
pub(super) fn midnight_ms(d: NaiveDate) -> i64 {
    JST.from_local_datetime(&d.and_time(NaiveTime::MIN)).single().map(|t| t.timestamp_millis()).unwrap_or(0)
}

/// A date and time of day in Japan, from epoch milliseconds.
pub(super) fn local(ms: i64) -> Option<chrono::NaiveDateTime> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&JST).naive_local())
}

/// `text` in parentheses as the language writes them: 「（初回）」, " (Initial)".
pub(super) fn parenthesized(t: Tr, text: &str) -> String {
    match t.locale {
        Locale::Ja => format!("（{text}）"),
        Locale::En => format!(" ({text})"),
    }
}

/// `2026/05/12（火） 10:00–11:00` (the end's date is left out when it is the same day).
pub(super) fn time_range(t: Tr, start: i64, end: i64) -> String {
    t.time_range(start, end)
}

/// A date of the form, in the years interviews are booked in (the API's rule too).
fn parse_date(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    let day = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| Invalid { field, message: Tr::both("iv-error-date") })?;
    domain::interview::bookable_day(day).map_err(|e| Invalid { field, message: e.message })
}

fn parse_time(field: &'static str, raw: &str) -> Result<NaiveTime, Invalid> {
    let raw = raw.trim();
    NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .map_err(|_| Invalid { field, message: Tr::both(if field == "start" { "iv-error-start" } else { "iv-error-end" }) })
}

/// A slot from the form's date, start and end (Japan time).
pub(super) fn parse_slot(date: &str, start: &str, end: &str) -> Result<Slot, Invalid> {
    let day = parse_date("date", date)?;
    let (from, to) = (parse_time("start", start)?, parse_time("end", end)?);
    if to <= from {
        return Err(Invalid { field: "end", message: Tr::both("iv-error-end-before-start") });
    }
    let ms = |t: NaiveTime| JST.from_local_datetime(&day.and_time(t)).single().map(|x| x.timestamp_millis()).unwrap_or(0);
    let field = |e: &Invalid| if e.field == "starts_at" { "date" } else { "end" };
    Slot::bookable(ms(from), ms(to)).map_err(|e| Invalid { field: field(&e), message: e.message })
}

pub(super) fn parse_mode(raw: &str) -> Result<InterviewMode, Invalid> {
    InterviewMode::parse(raw).ok_or_else(|| Invalid { field: "mode", message: Tr::both("iv-error-mode") })
}

fn parse_kind(raw: &str) -> Result<InterviewKind, Invalid> {
    InterviewKind::parse(raw).ok_or_else(|| Invalid { field: "kind", message: Tr::both("iv-error-kind") })
}

pub(super) use crate::path_id::path_id as parse_id;

// ---------------------------------------------------------------- views

pub(super) fn choices<T: Copy + PartialEq>(
    all: &[T],
    selected: &str,
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
) -> Vec<Choice> {
    all.iter().map(|v| Choice { value: code(*v).to_string(), label: label(*v), selected: code(*v) == selected }).collect()
}

pub(super) fn mode_choices(t: Tr, selected: &str) -> Vec<Choice> {
    choices(InterviewMode::ALL, selected, InterviewMode::as_str, |m| t.term(m))
}

/// An interview as the consultant's pages show it.
pub struct InterviewView {
    pub id: i64,
    pub when: String,
    pub employee_number: String,
    pub employee_name: String,
    pub kind: String,
    pub mode: String,
    pub place: String,
    pub place_is_link: bool,
    pub status: String,
    pub status_code: &'static str,
    pub cycle: String,
}

/// Only web links become links; anything else stays text.
pub(super) fn is_link(place: &str) -> bool {
    (place.starts_with("https://") || place.starts_with("http://")) && !place.contains(char::is_whitespace)
}

impl InterviewView {
    pub(super) fn new(t: Tr, i: &InterviewRow) -> Self {
        InterviewView {
            id: i.id.get(),
            when: time_range(t, i.starts_at, i.ends_at),
            employee_number: i.employee_number.clone(),
            employee_name: i.employee_name.clone(),
            kind: t.term(i.kind),
            mode: t.term(i.mode),
            place: i.place.clone(),
            place_is_link: is_link(&i.place),
            status: t.term(i.status),
            status_code: i.status.as_str(),
            cycle: i.cycle_name.clone().unwrap_or_default(),
        }
    }
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "interviews.html")]
struct ListPage {
    ctx: PageCtx,
    notice: String,
    to_record: Vec<InterviewView>,
    to_report: Vec<InterviewView>,
    to_report_total: String,
    tabs: Vec<Tab>,
    list: ListView,
    rows: Vec<InterviewView>,
    requests_waiting: i64,
}

/// A tab of the list (upcoming, past, all): a link that keeps the other conditions.
pub struct Tab {
    pub label: String,
    pub href: String,
    pub current: bool,
}

static SPEC: ListSpec<InterviewSort> = ListSpec {
    path: "/interviews",
    default_sort: SortOption::new("starts", InterviewSort::Starts, Direction::Asc),
    sorts: &[
        SortOption::new("employee", InterviewSort::Employee, Direction::Asc),
        SortOption::new("status", InterviewSort::Status, Direction::Asc),
    ],
    filters: &["when", "status"],
    search: true,
    per_page: 50,
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// How many held interviews without a report the list shows by name (the rest are counted).
const TO_REPORT_SHOWN: i64 = 20;

fn notice(t: Tr, done: Option<&str>) -> String {
    match done {
        Some("scheduled") => t.get("iv-done-scheduled"),
        Some("rescheduled") => t.get("iv-done-rescheduled"),
        Some("status") => t.get("iv-done-status"),
        Some("notes") => t.get("iv-done-notes"),
        _ => String::new(),
    }
}

/// The consultant's interviews: past ones still to be recorded as held or no-show, held ones
/// still without a report, and the list (upcoming, past or all) searched by name or number,
/// narrowed by status, sorted by date, employee or status, a page at a time.
async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "iv-list-title", "/interviews");
    let t = ctx.t;
    let me = p.acting(Ctx::as_consultant)?;
    let now = store::now_ms();
    let done = url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes()).find(|(k, _)| k == "done").map(|(_, v)| v.into_owned());
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let when = params.filter("when").and_then(InterviewWhen::parse);
    if when.is_none() {
        params.drop_filter("when");
    }
    let status = params.filter("status").and_then(InterviewStatus::parse);
    if status.is_none() {
        params.drop_filter("status");
    }
    let query = InterviewQuery {
        when: when.unwrap_or_default(),
        now,
        status,
        search: params.search().map(str::to_string),
        sort: params.sort,
        dir: params.dir,
    };
    let page = state.store.interview_page(&me, &query, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let recent = state.store.consultant_interviews(&me, now - 60 * DAY_MS, now).await?;
    let to_record =
        recent.iter().filter(|i| i.status == InterviewStatus::Scheduled && i.ends_at <= now).map(|i| InterviewView::new(t, i)).collect();
    let to_report = state.store.held_without_report(&me, TO_REPORT_SHOWN).await?;
    let requests_waiting = state.store.request_queue_len(&me).await?;
    let current = query.when;
    let tabs = InterviewWhen::ALL
        .into_iter()
        .map(|w| Tab {
            label: t.get(&format!("iv-when-{}", w.as_str())),
            // The default tab (upcoming) needs no parameter.
            href: params.href_with("when", if w == InterviewWhen::default() { "" } else { w.as_str() }),
            current: w == current,
        })
        .collect();
    let statuses = InterviewStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label(locale).to_string())).collect();
    let status_code = params.filter("status").map(str::to_string);
    let empty_key = match current {
        InterviewWhen::Upcoming => "iv-upcoming-empty",
        InterviewWhen::Past => "iv-past-empty",
        InterviewWhen::All => "iv-all-empty",
    };
    let list = ListView::new(t, &params, page.total, page.items.len())
        .search(&params.q, "iv-search", "iv-search-help")
        .filter("status", "iv-col-status", status_code.as_deref(), statuses)
        .column("iv-col-when", Some("starts"), "date")
        .column("iv-col-number", None, "nowrap")
        .column("iv-col-name", Some("employee"), "")
        .column("iv-col-kind", None, "nowrap")
        .column("iv-col-mode", None, "nowrap")
        .column("iv-col-place", None, "")
        .column("iv-col-status", Some("status"), "nowrap")
        .column("iv-col-cycle", None, "")
        .empty(empty_key, "iv-list-empty-filtered");
    let mut list = list;
    // The tab is a filter too: it travels in the form as a hidden field.
    if let Some(w) = params.filter("when") {
        list.hidden.push(("when", w.to_string()));
    }
    render(&ListPage {
        notice: notice(t, done.as_deref()),
        to_record,
        to_report_total: t.with("iv-to-report-count", "count", super::list::grouped(to_report.total)),
        to_report: to_report.items.iter().map(|i| InterviewView::new(t, i)).collect(),
        tabs,
        rows: page.items.iter().map(|i| InterviewView::new(t, i)).collect(),
        list,
        requests_waiting,
        ctx,
    })
}

// ---------------------------------------------------------------- scheduling

/// The scheduling form as typed, kept when it is sent back with an error.
#[derive(Clone, Debug, Default)]
pub struct ScheduleForm {
    /// `<cycle id>:<employee number>` from the list of assigned targets, or empty.
    pub target: String,
    pub employee_number: String,
    pub cycle: String,
    pub kind: String,
    pub mode: String,
    pub place: String,
    pub date: String,
    pub start: String,
    pub end: String,
}

impl ScheduleForm {
    fn from_pairs(f: &FormPairs) -> Self {
        ScheduleForm {
            target: f.text("target").trim().to_string(),
            employee_number: f.text("employee_number").trim().to_string(),
            cycle: f.text("cycle").trim().to_string(),
            kind: f.text("kind"),
            mode: f.text("mode"),
            place: f.text("place"),
            date: f.text("date"),
            start: f.text("start"),
            end: f.text("end"),
        }
    }

    /// The employee number and cycle: from the chosen target, or as typed.
    fn who(&self) -> Result<(String, Option<CycleId>), Invalid> {
        let bad_cycle = || Invalid { field: "cycle", message: Tr::both("iv-error-cycle") };
        if let Some((cycle, number)) = self.target.split_once(':') {
            let c = cycle.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(bad_cycle)?;
            return Ok((number.to_string(), Some(CycleId::new(c))));
        }
        if self.employee_number.is_empty() {
            return Err(Invalid { field: "employee_number", message: Tr::both("iv-error-employee-missing") });
        }
        let cycle = match self.cycle.as_str() {
            "" => None,
            c => Some(CycleId::new(c.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(bad_cycle)?)),
        };
        Ok((self.employee_number.clone(), cycle))
    }
}

#[derive(Template)]
#[template(path = "interview_new.html")]
struct NewPage {
    ctx: PageCtx,
    form: ScheduleForm,
    errors: FormErrors,
    targets: Vec<Choice>,
    cycles: Vec<Choice>,
    kinds: Vec<Choice>,
    modes: Vec<Choice>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    employee: Option<String>,
    cycle: Option<String>,
    kind: Option<String>,
    date: Option<String>,
}

async fn new_page(state: &AppState, p: &Principal, locale: Locale, form: ScheduleForm, errors: FormErrors) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "iv-new-title", "/interviews");
    let t = ctx.t;
    let assigned = state.store.assigned_targets(&p.acting(Ctx::as_consultant)?).await?;
    let targets = assigned
        .iter()
        .map(|a| {
            let value = format!("{}:{}", a.cycle, a.employee_number);
            let label =
                t.with("iv-target-option", "who", format!("{} {}{}", a.employee_number, a.employee_name, parenthesized(t, &a.cycle_name)));
            let done = if a.interviews > 0 { t.with("iv-target-interviews", "count", a.interviews) } else { String::new() };
            Choice { selected: value == form.target, value, label: format!("{label}{done}") }
        })
        .collect();
    let mut cycles: Vec<Choice> = Vec::new();
    for a in &assigned {
        let value = a.cycle.to_string();
        if !cycles.iter().any(|c| c.value == value) {
            cycles.push(Choice { selected: value == form.cycle, value, label: a.cycle_name.clone() });
        }
    }
    let kind = if form.kind.is_empty() { InterviewKind::Initial.as_str() } else { form.kind.as_str() };
    let mode = if form.mode.is_empty() { InterviewMode::InPerson.as_str() } else { form.mode.as_str() };
    let kinds = choices(InterviewKind::ALL, kind, InterviewKind::as_str, |k| t.term(k));
    let modes = mode_choices(t, mode);
    render(&NewPage { ctx, form, errors, targets, cycles, kinds, modes })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let mut form = ScheduleForm { date: q.date.unwrap_or_else(|| today_jst().format("%Y-%m-%d").to_string()), ..Default::default() };
    match (q.employee, q.cycle) {
        (Some(e), Some(c)) => form.target = format!("{}:{}", c.trim(), e.trim()),
        (Some(e), None) => form.employee_number = e.trim().to_string(),
        _ => {}
    }
    form.kind = q.kind.unwrap_or_default();
    new_page(&state, &p, locale, form, FormErrors::none()).await
}

/// The value of a check, or none with its problem added to `problems`: so a form is read
/// whole and every problem said at once.
pub(super) fn checked<T>(problems: &mut Vec<Invalid>, r: Result<T, Invalid>) -> Option<T> {
    r.map_err(|e| problems.push(e)).ok()
}

async fn schedule(state: &AppState, p: &Principal, form: &ScheduleForm) -> AppResult<InterviewId> {
    let mut problems = Vec::new();
    let who = checked(&mut problems, form.who());
    let kind = checked(&mut problems, parse_kind(&form.kind));
    let mode = checked(&mut problems, parse_mode(&form.mode));
    let slot = checked(&mut problems, parse_slot(&form.date, &form.start, &form.end));
    if let Err(e) = domain::limits::INTERVIEW_PLACE.check(&form.place) {
        problems.push(Invalid { field: "place", ..e });
    }
    let (Some((number, cycle)), Some(kind), Some(mode), Some(slot), true) = (who, kind, mode, slot, problems.is_empty()) else {
        return Err(AppError::Problems(problems));
    };
    // An unknown number and an employee out of the consultant's reach answer alike.
    let employee = match state.store.reachable_employee(&p.acting(Ctx::as_consultant)?, &number).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => {
            let n: String = number.chars().take(40).collect();
            let m = Tr::both_with("iv-error-employee", "number", &n);
            return Err(AppError::Invalid(Invalid { field: "employee_number", message: m }));
        }
        Err(e) => return Err(e.into()),
    };
    let new = NewInterview { cycle, employee, kind, mode, place: form.place.clone(), slot };
    // A refused overlap comes from the store in both languages, naming the clash.
    Ok(state.store.schedule_interview(&p.acting(Ctx::as_consultant)?, &new).await?)
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, form: FormPairs) -> AppResult<Response> {
    let form = ScheduleForm::from_pairs(&form);
    let (status, problems) = match schedule(&state, &p, &form).await {
        Ok(id) => return Ok(Redirect::to(&format!("/interviews/{id}?done=scheduled")).into_response()),
        Err(e) => sent_back(e)?,
    };
    let errors = FormErrors::new(Tr::new(locale), &problems).anchored(SCHEDULE_ANCHORS);
    Ok(with_status(new_page(&state, &p, locale, form, errors).await?, status))
}

/// Where the scheduling form's problems link to (a clash is said on the start time).
const SCHEDULE_ANCHORS: &[(&str, &str)] = &[
    ("target", "iv-target"),
    ("cycle", "iv-target"),
    ("employee_number", "iv-employee"),
    ("employee", "iv-employee"),
    ("kind", "iv-kind"),
    ("mode", "iv-mode"),
    ("place", "iv-place"),
    ("date", "iv-date"),
    ("start", "iv-start"),
    ("end", "iv-end"),
    ("slot", "iv-start"),
    ("form", "iv-start"),
];

// ---------------------------------------------------------------- one interview

/// What the interview page redraws after a refused action, with what was typed.
#[derive(Clone, Debug, Default)]
pub struct DetailForms {
    pub date: String,
    pub start: String,
    pub end: String,
    pub mode: String,
    pub place: String,
    pub note_text: Option<String>,
    pub status_note: String,
    /// The outcome chosen in the status form.
    pub status: String,
    /// Which form the errors belong to: `reschedule`, `status` or `notes`.
    pub error_in: &'static str,
}

/// An outcome offered by the status form.
pub struct StatusOption {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
    /// Held and no-show wait for the start time.
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "interview_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    notice: String,
    iv: InterviewView,
    status_note: String,
    is_scheduled: bool,
    is_held: bool,
    has_report: bool,
    /// The status form is offered: a scheduled interview, or a recorded one still correctable.
    can_record: bool,
    started: bool,
    starts: String,
    /// Until when a recorded outcome may be corrected, said on the page.
    correction_help: String,
    /// Why a recorded outcome can no longer change (empty while it can).
    final_reason: String,
    statuses: Vec<StatusOption>,
    modes: Vec<Choice>,
    forms: DetailForms,
    errors: FormErrors,
    note: String,
    note_updated: String,
    note_max: usize,
    boss: super::boss_consultations::InterviewSection,
    /// The note's life/safety flag: an escalation still covers it.
    note_escalated: bool,
    /// 前回の振り返り (R11): the employee's earlier cycle, when there is one.
    review: Option<super::follow_ups::ReviewPanel>,
}

/// Whether the recorded outcome of `row` may still be corrected now, and if not, why.
fn finality(t: Tr, row: &InterviewRow, now: i64) -> Option<String> {
    if row.status == InterviewStatus::Scheduled {
        return None;
    }
    if row.status == InterviewStatus::Held && row.has_report {
        return Some(t.get("iv-final-report"));
    }
    (now > correction_deadline(row.starts_at)).then(|| t.with("iv-final-period", "days", STATUS_CORRECTION_DAYS))
}

async fn detail_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: InterviewId,
    notice_key: Option<&str>,
    mut forms: DetailForms,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "iv-detail-title", "/interviews");
    let t = ctx.t;
    let row = state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?;
    // The note is read (and the read audited) only to fill the editor of its own writer.
    let (note, note_updated) = match state.store.read_interview_note(&p.ctx(), id).await? {
        Some(n) => (n.text, t.date_time(n.updated_at)),
        None => (String::new(), String::new()),
    };
    let note = forms.note_text.take().unwrap_or(note);
    // The status note is sealed too: opened (and the read audited) only when there is one.
    let status_note = if row.has_status_note {
        state.store.interview_status_note(&p.acting(Ctx::as_consultant)?, id).await?.unwrap_or_default()
    } else {
        String::new()
    };
    if forms.date.is_empty() {
        if let (Some(s), Some(e)) = (local(row.starts_at), local(row.ends_at)) {
            forms.date = s.format("%Y-%m-%d").to_string();
            forms.start = s.format("%H:%M").to_string();
            forms.end = e.format("%H:%M").to_string();
        }
        forms.mode = row.mode.as_str().to_string();
        forms.place = row.place.clone();
    }
    let now = store::now_ms();
    let started = now >= row.starts_at;
    let final_reason = finality(t, &row, now).unwrap_or_default();
    let statuses = InterviewStatus::ALL
        .iter()
        .filter(|s| **s != row.status)
        .filter(|s| row.status != InterviewStatus::Scheduled || **s != InterviewStatus::Scheduled)
        .map(|s| StatusOption {
            value: s.as_str(),
            label: t.get(match s {
                InterviewStatus::Scheduled => "iv-choice-scheduled",
                InterviewStatus::Held => "iv-choice-held",
                InterviewStatus::NoShow => "iv-choice-no-show",
                InterviewStatus::Cancelled => "iv-choice-cancelled",
            }),
            checked: forms.status == s.as_str(),
            disabled: !started && matches!(s, InterviewStatus::Held | InterviewStatus::NoShow),
        })
        .collect();
    let modes = mode_choices(t, &forms.mode);
    let boss = super::boss_consultations::interview_section(state, p, t, row.employee, row.id).await?;
    let review = super::follow_ups::review_panel(state, p, t, row.id).await?;
    render(&DetailPage {
        review,
        boss,
        notice: notice(t, notice_key),
        iv: InterviewView::new(t, &row),
        status_note,
        is_scheduled: row.status == InterviewStatus::Scheduled,
        is_held: row.status == InterviewStatus::Held,
        has_report: row.has_report,
        can_record: final_reason.is_empty(),
        started,
        starts: t.date_time(row.starts_at),
        correction_help: t.with2(
            "iv-correction-help",
            ("days", &STATUS_CORRECTION_DAYS.to_string()),
            ("deadline", &t.date_time(correction_deadline(row.starts_at))),
        ),
        final_reason,
        statuses,
        modes,
        forms,
        errors,
        note,
        note_updated,
        note_max: domain::limits::INTERVIEW_NOTE.max,
        note_escalated: state.store.note_escalated(&p.acting(Ctx::as_consultant)?, id).await?,
        ctx,
    })
}

async fn show(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    detail_page(&state, &p, locale, id, q.done.as_deref(), DetailForms::default(), FormErrors::none()).await
}

/// Where the interview page's problems link to.
const DETAIL_ANCHORS: &[(&str, &str)] = &[
    ("date", "rs-date"),
    ("start", "rs-start"),
    ("end", "rs-end"),
    ("slot", "rs-start"),
    ("mode", "rs-mode"),
    ("place", "rs-place"),
    ("status", "iv-status-choices"),
    ("note", "iv-status-note"),
];

/// Redraws the interview page with every problem beside the form it came from, and what was
/// typed in it.
async fn refused(state: &AppState, p: &Principal, locale: Locale, id: InterviewId, forms: DetailForms, e: AppError) -> AppResult<Response> {
    let (status, problems) = sent_back(e)?;
    let mut errors = FormErrors::new(Tr::new(locale), &problems).anchored(DETAIL_ANCHORS);
    if forms.error_in == "notes" {
        errors = errors.anchored(&[("note", "iv-note"), ("form", "iv-note")]);
    } else if forms.error_in == "reschedule" {
        errors = errors.anchored(&[("form", "rs-start"), ("status", "rs-date")]);
    } else {
        errors = errors.anchored(&[("form", "iv-status-choices")]);
    }
    Ok(with_status(detail_page(state, p, locale, id, None, forms, errors).await?, status))
}

async fn reschedule(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let forms = DetailForms {
        date: f.text("date"),
        start: f.text("start"),
        end: f.text("end"),
        mode: f.text("mode"),
        place: f.text("place"),
        error_in: "reschedule",
        ..Default::default()
    };
    let outcome: AppResult<()> = async {
        let mut problems = Vec::new();
        let slot = checked(&mut problems, parse_slot(&forms.date, &forms.start, &forms.end));
        let mode = checked(&mut problems, parse_mode(&forms.mode));
        if let Err(e) = domain::limits::INTERVIEW_PLACE.check(&forms.place) {
            problems.push(Invalid { field: "place", ..e });
        }
        let (Some(slot), Some(mode), true) = (slot, mode, problems.is_empty()) else {
            return Err(AppError::Problems(problems));
        };
        let change = InterviewChange { mode, place: forms.place.clone(), slot };
        Ok(state.store.reschedule_interview(&p.acting(Ctx::as_consultant)?, id, &change).await?)
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}?done=rescheduled")).into_response()),
        Err(e) => refused(&state, &p, locale, id, forms, e).await,
    }
}

#[derive(Template)]
#[template(path = "interview_confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    iv: InterviewView,
    status: &'static str,
    note: String,
    what: String,
    consequence: String,
}

/// Every problem of a status change as typed, for `row` at `now`: the outcome, its reason, and
/// the rules of `domain::interview` (held only once started; corrections within the period).
fn status_problems(row: &InterviewRow, status: &str, note: &str, now: i64) -> (Option<StatusChange>, Vec<Invalid>) {
    let mut problems = Vec::new();
    let to = InterviewStatus::parse(status);
    if to.is_none() {
        problems.push(Invalid { field: "status", message: Tr::both("iv-error-status") });
    }
    if let Err(e) = domain::limits::INTERVIEW_STATUS_NOTE.check(note) {
        problems.push(Invalid { field: "note", ..e });
    }
    if to == Some(InterviewStatus::Cancelled) && note.trim().is_empty() {
        problems.push(Invalid { field: "note", message: Tr::both("iv-error-cancel-reason") });
    }
    let change = to.and_then(|to| checked(&mut problems, change_status_at(row.status, to, row.starts_at, now)));
    (change, problems)
}

async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let note = f.text("note");
    let status = f.text("status");
    let forms = DetailForms { status_note: note.clone(), status: status.clone(), error_in: "status", ..Default::default() };
    let row = state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?;
    let now = store::now_ms();
    let (change, problems) = status_problems(&row, &status, &note, now);
    let change = match change {
        Some(c) if problems.is_empty() => c,
        _ => return refused(&state, &p, locale, id, forms, AppError::Problems(problems)).await,
    };
    // What cannot be undone is asked once more, on a page of its own (no script needed).
    if needs_confirmation(change, row.starts_at, now) && f.first("confirm") != Some("1") {
        let ctx = PageCtx::new(&p, locale, "iv-confirm-title", "/interviews");
        let t = ctx.t;
        let deadline = t.date_time(correction_deadline(row.starts_at));
        let to = change.to();
        let what = match change {
            StatusChange::Correct { from, to } => t.with2("iv-confirm-correct", ("from", &t.term(from)), ("to", &t.term(to))),
            StatusChange::Record(to) => t.with("iv-confirm-record", "to", t.term(to)),
        };
        let consequence = if now > correction_deadline(row.starts_at) {
            t.with("iv-confirm-final", "days", STATUS_CORRECTION_DAYS)
        } else {
            t.with("iv-confirm-until", "deadline", deadline)
        };
        let page = ConfirmPage { iv: InterviewView::new(t, &row), status: to.as_str(), note, what, consequence, ctx };
        return render(&page);
    }
    match state.store.set_interview_status(&p.acting(Ctx::as_consultant)?, id, change.to(), &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/interviews/{id}?done=status")).into_response()),
        Err(e) => refused(&state, &p, locale, id, forms, e.into()).await,
    }
}

async fn save_notes(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    // Browsers send CRLF; keep the text as typed otherwise.
    let text = f.text("note").replace("\r\n", "\n");
    match state.store.write_interview_note_flagged(&p.acting(Ctx::as_consultant)?, id, &text, f.has("life_safety")).await {
        // A raised flag leads to the escalation it opened, where the summary is written.
        Ok(Some(escalation)) => Ok(Redirect::to(&format!("/escalations/{escalation}#summary")).into_response()),
        Ok(None) => Ok(Redirect::to(&format!("/interviews/{id}?done=notes#notes")).into_response()),
        Err(e) => {
            let forms = DetailForms { note_text: Some(text), error_in: "notes", ..Default::default() };
            refused(&state, &p, locale, id, forms, e.into()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_read_in_japan_time() {
        let s = parse_slot("2030-01-08", "10:00", "11:00").map_err(|e| e.field);
        assert_eq!(s, Ok(Slot { start_ms: 1_894_064_400_000, end_ms: 1_894_068_000_000 }));
        assert!(parse_slot("2030-01-08", "10:00:00", "11:30:00").is_ok(), "seconds from some browsers");
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |d: &str, s: &str, e: &str| parse_slot(d, s, e).err().map(|e| e.field);
        assert_eq!(field("2030/01/08", "10:00", "11:00"), Some("date"));
        assert_eq!(field("1800-01-08", "10:00", "11:00"), Some("date"));
        assert_eq!(field("1970-01-01", "10:00", "11:00"), Some("date"));
        assert_eq!(field("9999-01-01", "10:00", "11:00"), Some("date"));
        let msg = parse_slot("9999-01-01", "10:00", "11:00").err().map(|e| e.message.ja).unwrap_or_default();
        assert!(msg.contains("2000年1月1日から2100年12月31日"), "the domain's message: {msg}");
        assert_eq!(field("2030-01-08", "25:00", "11:00"), Some("start"));
        assert_eq!(field("2030-01-08", "10:00", ""), Some("end"));
        assert_eq!(field("2030-01-08", "11:00", "10:00"), Some("end"));
        assert_eq!(field("2030-01-08", "10:00", "10:05"), Some("end"));
        assert_eq!(field("2030-01-08", "08:00", "13:00"), Some("end"));
        assert_eq!(parse_mode("video").err().map(|e| e.field), Some("mode"));
    }

    #[test]
    fn targets_and_typed_numbers() {
        let f = ScheduleForm { target: "3:E001".into(), ..Default::default() };
        assert_eq!(f.who(), Ok(("E001".to_string(), Some(CycleId::new(3)))));
        let f = ScheduleForm { employee_number: "E009".into(), ..Default::default() };
        assert_eq!(f.who(), Ok(("E009".to_string(), None)));
        assert_eq!(ScheduleForm::default().who().err().map(|e| e.field), Some("employee_number"));
        let f = ScheduleForm { target: "x:E001".into(), ..Default::default() };
        assert_eq!(f.who().err().map(|e| e.field), Some("cycle"));
    }

    #[test]
    fn only_web_links_are_links() {
        assert!(is_link("https://meet.example.jp/abc"));
        assert!(!is_link("javascript:alert(1)"));
        assert!(!is_link("第3会議室"));
        assert!(!is_link("https://a b"));
    }
}
