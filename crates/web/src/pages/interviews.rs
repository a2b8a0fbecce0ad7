//! The consultant's interviews (面談): the upcoming list, scheduling, the interview page
//! (reschedule; held, no-show or cancelled; the sealed notes), the week and month calendars
//! and the iCalendar feed. Times are entered and shown in Japan time (UTC+9).

mod calendar;
mod feed;

use super::form::FormPairs;
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
use chrono::{NaiveDate, NaiveTime, TimeZone};
use domain::ids::{CycleId, InterviewId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::policy::Operation;
use domain::{Invalid, Locale, Message};
use serde::Deserialize;
use store::Ctx;
use store::{InterviewChange, InterviewRow, NewInterview, StoreError};

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

/// `2026-05-12 10:00〜11:00` (the end's date is left out when it is the same day).
/// `text` in parentheses as the language writes them: 「（初回）」, " (Initial)".
pub(super) fn parenthesized(t: Tr, text: &str) -> String {
    match t.locale {
        Locale::Ja => format!("（{text}）"),
        Locale::En => format!(" ({text})"),
    }
}

pub(super) fn time_range(t: Tr, start: i64, end: i64) -> String {
    let (s, e) = (format_ms(start), format_ms(end));
    let same_day = s.get(..10) == e.get(..10);
    let end = if same_day { e.get(11..).unwrap_or(&e).to_string() } else { e };
    format!("{s}{}{end}", if t.locale == Locale::Ja { "〜" } else { "–" })
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

pub(super) fn parse_id(raw: &str) -> AppResult<InterviewId> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).map(InterviewId::new).ok_or(AppError::NotFound)
}

/// The message and field of an error the form can show next to its fields; anything else
/// (not found, internal) goes to the error page.
pub(super) fn form_error(e: AppError) -> Result<(StatusCode, &'static str, Message), AppError> {
    match e {
        AppError::Invalid(i) => Ok((StatusCode::UNPROCESSABLE_ENTITY, i.field, i.message)),
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, "slot", m)),
        other => Err(other),
    }
}

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
    choices(InterviewMode::ALL, selected, InterviewMode::as_str, |m| m.label(t.locale).to_string())
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
            kind: i.kind.label(t.locale).to_string(),
            mode: i.mode.label(t.locale).to_string(),
            place: i.place.clone(),
            place_is_link: is_link(&i.place),
            status: i.status.label(t.locale).to_string(),
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
    upcoming: Vec<InterviewView>,
    requests_waiting: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn notice(t: Tr, done: Option<&str>) -> String {
    match done {
        Some("scheduled") => t.get("iv-done-scheduled"),
        Some("rescheduled") => t.get("iv-done-rescheduled"),
        Some("status") => t.get("iv-done-status"),
        Some("notes") => t.get("iv-done-notes"),
        _ => String::new(),
    }
}

/// Upcoming interviews, and past ones still waiting to be recorded as held or no-show.
async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "iv-list-title", "/interviews");
    let t = ctx.t;
    let now = store::now_ms();
    let rows = state.store.consultant_interviews(&p.acting(Ctx::as_consultant)?, now - 60 * DAY_MS, now + 120 * DAY_MS).await?;
    let scheduled = |i: &&InterviewRow| i.status == InterviewStatus::Scheduled;
    let to_record = rows.iter().filter(scheduled).filter(|i| i.ends_at <= now).map(|i| InterviewView::new(t, i)).collect();
    let upcoming = rows.iter().filter(scheduled).filter(|i| i.ends_at > now).map(|i| InterviewView::new(t, i)).collect();
    let requests_waiting = state.store.request_queue_len(&p.acting(Ctx::as_consultant)?).await?;
    render(&ListPage { notice: notice(t, q.done.as_deref()), ctx, to_record, upcoming, requests_waiting })
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
    pub error: String,
    pub error_field: &'static str,
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
            ..Default::default()
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

async fn new_page(state: &AppState, p: &Principal, locale: Locale, form: ScheduleForm) -> AppResult<Response> {
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
    let kinds = choices(InterviewKind::ALL, kind, InterviewKind::as_str, |k| k.label(t.locale).to_string());
    let modes = mode_choices(t, mode);
    render(&NewPage { ctx, form, targets, cycles, kinds, modes })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let mut form = ScheduleForm { date: q.date.unwrap_or_else(|| today_jst().format("%Y-%m-%d").to_string()), ..Default::default() };
    match (q.employee, q.cycle) {
        (Some(e), Some(c)) => form.target = format!("{}:{}", c.trim(), e.trim()),
        (Some(e), None) => form.employee_number = e.trim().to_string(),
        _ => {}
    }
    form.kind = q.kind.unwrap_or_default();
    new_page(&state, &p, locale, form).await
}

async fn schedule(state: &AppState, p: &Principal, form: &ScheduleForm) -> AppResult<InterviewId> {
    let (number, cycle) = form.who()?;
    let kind = parse_kind(&form.kind)?;
    let mode = parse_mode(&form.mode)?;
    let slot = parse_slot(&form.date, &form.start, &form.end)?;
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
    let mut form = ScheduleForm::from_pairs(&form);
    let (status, field, message) = match schedule(&state, &p, &form).await {
        Ok(id) => return Ok(Redirect::to(&format!("/interviews/{id}?done=scheduled")).into_response()),
        Err(e) => form_error(e)?,
    };
    form.error = message.in_locale(locale).to_string();
    form.error_field = field;
    Ok(with_status(new_page(&state, &p, locale, form).await?, status))
}

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
    /// Which form the error belongs to: `reschedule`, `status` or `notes`.
    pub error_in: &'static str,
    pub error: String,
    pub error_field: &'static str,
}

#[derive(Template)]
#[template(path = "interview_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    notice: String,
    iv: InterviewView,
    status_note: String,
    is_scheduled: bool,
    is_no_show: bool,
    is_held: bool,
    has_report: bool,
    modes: Vec<Choice>,
    forms: DetailForms,
    note: String,
    note_updated: String,
    note_max: usize,
}

async fn detail_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: InterviewId,
    notice_key: Option<&str>,
    mut forms: DetailForms,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "iv-detail-title", "/interviews");
    let t = ctx.t;
    let row = state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?;
    // The note is read (and the read audited) only to fill the editor of its own writer.
    let (note, note_updated) = match state.store.read_interview_note(&p.ctx(), id).await? {
        Some(n) => (n.text, format_ms(n.updated_at)),
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
    let modes = mode_choices(t, &forms.mode);
    render(&DetailPage {
        notice: notice(t, notice_key),
        iv: InterviewView::new(t, &row),
        status_note,
        is_scheduled: row.status == InterviewStatus::Scheduled,
        is_no_show: row.status == InterviewStatus::NoShow,
        is_held: row.status == InterviewStatus::Held,
        has_report: row.has_report,
        modes,
        forms,
        note,
        note_updated,
        note_max: domain::limits::INTERVIEW_NOTE.max,
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
    detail_page(&state, &p, locale, id, q.done.as_deref(), DetailForms::default()).await
}

/// Redraws the interview page with the refusal next to the form it came from.
async fn refused(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: InterviewId,
    mut forms: DetailForms,
    e: AppError,
) -> AppResult<Response> {
    let (status, field, message) = form_error(e)?;
    forms.error = message.in_locale(locale).to_string();
    forms.error_field = field;
    Ok(with_status(detail_page(state, p, locale, id, None, forms).await?, status))
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
        let slot = parse_slot(&forms.date, &forms.start, &forms.end)?;
        let change = InterviewChange { mode: parse_mode(&forms.mode)?, place: forms.place.clone(), slot };
        Ok(state.store.reschedule_interview(&p.acting(Ctx::as_consultant)?, id, &change).await?)
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}?done=rescheduled")).into_response()),
        Err(e) => refused(&state, &p, locale, id, forms, e).await,
    }
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
    let forms = DetailForms { status_note: note.clone(), error_in: "status", ..Default::default() };
    let outcome: AppResult<()> = async {
        let to =
            InterviewStatus::parse(&f.text("status")).ok_or_else(|| Invalid { field: "status", message: Tr::both("iv-error-status") })?;
        // Only a no-show turned held can clash; the store names the clash.
        state.store.set_interview_status(&p.acting(Ctx::as_consultant)?, id, to, &note).await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}?done=status")).into_response()),
        Err(e) => refused(&state, &p, locale, id, forms, e).await,
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
    match state.store.write_interview_note(&p.acting(Ctx::as_consultant)?, id, &text).await {
        Ok(()) => Ok(Redirect::to(&format!("/interviews/{id}?done=notes#notes")).into_response()),
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
