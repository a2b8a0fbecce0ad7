//! Additional and follow-up interviews (R7) on pages: the consultant's 「フォローアップ予定」 list
//! (overdue first, the one list pattern), one item (schedule its interview, or close it with a
//! reason), planning from a report's support plan, the card on the consultant's home, HR's
//! k-protected counts on the HR home, and the 「前回の振り返り」 panel of the interview page (R11).

use super::form::{sent_back, FormErrors, FormPairs};
use super::home::{Card, Line};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path, Query};
use crate::i18n::Tr;
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::follow_up::{FollowUpKind, FollowUpState};
use domain::ids::{FollowUpId, InterviewId, ReportId};
use domain::policy::Operation;
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::{Ctx, Direction, FollowUpFilter, FollowUpRow, FollowUpSlot, NewFollowUp, StoreError};

const PATH: &str = "/follow-ups";

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Operation::ManageFollowUps, list)
        .get("/follow-ups/{id}", Operation::ManageFollowUps, show)
        .post("/follow-ups/{id}/schedule", Operation::ManageFollowUps, schedule)
        .post("/follow-ups/{id}/close", Operation::ManageFollowUps, close)
        .get("/reports/{id}/follow-ups/new", Operation::PlanFollowUps, new_form)
        .post("/reports/{id}/follow-ups", Operation::PlanFollowUps, create)
}

pub(crate) fn state_key(s: FollowUpState) -> &'static str {
    match s {
        FollowUpState::Planned => "fu-state-planned",
        FollowUpState::Scheduled => "fu-state-scheduled",
        FollowUpState::Done => "fu-state-done",
        FollowUpState::Closed => "fu-state-closed",
    }
}

/// One item on a page.
pub struct ItemView {
    pub id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub kind: String,
    pub due: String,
    pub state: String,
    pub state_code: &'static str,
    pub overdue: bool,
    pub due_soon: bool,
    pub what: String,
    pub reason: String,
    pub interview: Option<(i64, String)>,
    pub report: i64,
}

impl ItemView {
    pub fn new(t: Tr, r: &FollowUpRow) -> Self {
        ItemView {
            id: r.id.get(),
            employee_number: r.employee_number.clone(),
            employee_name: r.employee_name.clone(),
            kind: r.kind.label(t.locale).to_string(),
            due: t.date(r.due_on),
            state: t.get(state_key(r.state)),
            state_code: if r.overdue { "overdue" } else { r.state.as_str() },
            overdue: r.overdue,
            due_soon: r.due_soon,
            what: r.what.clone(),
            reason: r.reason.clone(),
            interview: r.interview.map(|i| (i.get(), r.interview_at.map(|at| t.date_time(at)).unwrap_or_default())),
            report: r.report.get(),
        }
    }
}

// ---------------------------------------------------------------- the list

static LIST: ListSpec<()> = ListSpec {
    path: PATH,
    default_sort: SortOption::new("due", (), Direction::Asc),
    sorts: &[],
    filters: &["state"],
    search: false,
    per_page: 50,
};

#[derive(Template)]
#[template(path = "follow_ups.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    rows: Vec<ItemView>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "fu-title", PATH);
    let t = ctx.t;
    let mut params = ListParams::parse(&LIST, raw.as_deref());
    let current = params.filter("state").map(str::to_string);
    let filter = match params.filter("state").map(FollowUpFilter::parse) {
        Some(Some(f)) => f,
        Some(None) => {
            params.drop_filter("state");
            FollowUpFilter::All
        }
        None => FollowUpFilter::All,
    };
    let page = state.store.follow_up_page(&p.acting(Ctx::as_consultant)?, filter, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let options = FollowUpFilter::ALL[1..].iter().map(|f| (f.as_str().to_string(), t.get(&format!("fu-filter-{}", f.as_str())))).collect();
    let list = ListView::new(t, &params, page.total, page.items.len())
        .filter("state", "fu-filter", current.as_deref(), options)
        .column("fu-col-due", None, "date")
        .column("fu-col-employee", None, "")
        .column("fu-col-kind", None, "nowrap")
        .column("fu-col-state", None, "nowrap")
        .column("fu-col-what", None, "")
        .column("fu-col-interview", None, "date")
        .empty("fu-empty", "fu-empty-filtered");
    let rows = page.items.iter().map(|r| ItemView::new(t, r)).collect();
    render(&ListPage { ctx, list, rows })
}

// ---------------------------------------------------------------- one item

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// What was typed in the item page's forms.
#[derive(Clone, Debug, Default)]
struct ItemForms {
    date: String,
    start: String,
    end: String,
    mode: String,
    place: String,
    reason: String,
    error_in: &'static str,
}

#[derive(Template)]
#[template(path = "follow_up.html")]
struct ItemPage {
    ctx: PageCtx,
    notice: String,
    item: ItemView,
    can_schedule: bool,
    can_close: bool,
    modes: Vec<Choice>,
    forms: ItemForms,
    errors: FormErrors,
}

async fn item_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: FollowUpId,
    notice: String,
    mut forms: ItemForms,
    errors: FormErrors,
) -> AppResult<Response> {
    let mut ctx = PageCtx::new(p, locale, "fu-item-title", PATH);
    let t = ctx.t;
    let row = state.store.follow_up(&p.acting(Ctx::as_consultant)?, id).await?;
    if forms.date.is_empty() {
        forms.date = row.due_on.format("%Y-%m-%d").to_string();
        forms.start = "10:00".into();
        forms.end = "11:00".into();
    }
    ctx.title_data = row.employee_name.clone();
    render(&ItemPage {
        notice,
        can_schedule: row.state == FollowUpState::Planned,
        can_close: row.state.is_open(),
        modes: super::interviews::mode_choices(t, &forms.mode),
        item: ItemView::new(t, &row),
        forms,
        errors,
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
    let id: FollowUpId = path_id(&raw)?;
    let t = Tr::new(locale);
    let notice = match q.done.as_deref() {
        Some("planned") => t.get("fu-done-planned"),
        Some("scheduled") => t.get("fu-done-scheduled"),
        Some("closed") => t.get("fu-done-closed"),
        _ => String::new(),
    };
    item_page(&state, &p, locale, id, notice, ItemForms::default(), FormErrors::none()).await
}

fn slot_of(date: &str, start: &str, end: &str, mode: &str, place: &str) -> Result<FollowUpSlot, Vec<Invalid>> {
    let mut problems = Vec::new();
    let slot = super::interviews::parse_slot(date, start, end).map_err(|e| problems.push(e)).ok();
    let mode = super::interviews::parse_mode(mode).map_err(|e| problems.push(e)).ok();
    match (slot, mode) {
        (Some(slot), Some(mode)) if problems.is_empty() => Ok(FollowUpSlot { mode, place: place.to_string(), slot }),
        _ => Err(problems),
    }
}

const ITEM_ANCHORS: &[(&str, &str)] = &[
    ("date", "fu-date"),
    ("start", "fu-start"),
    ("end", "fu-end"),
    ("slot", "fu-start"),
    ("mode", "fu-mode"),
    ("place", "fu-place"),
    ("reason", "fu-reason"),
    ("status", "fu-state"),
    ("form", "fu-state"),
];

async fn schedule(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id: FollowUpId = path_id(&raw)?;
    let forms = ItemForms {
        date: f.text("date"),
        start: f.text("start"),
        end: f.text("end"),
        mode: f.text("mode"),
        place: f.text("place"),
        error_in: "schedule",
        ..ItemForms::default()
    };
    let result = match slot_of(&forms.date, &forms.start, &forms.end, &forms.mode, &forms.place) {
        Ok(slot) => state.store.schedule_follow_up(&p.acting(Ctx::as_consultant)?, id, &slot).await.map(|_| ()).map_err(Into::into),
        Err(problems) => Err(StoreError::problems(problems).into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/follow-ups/{id}?done=scheduled")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(ITEM_ANCHORS);
            Ok(with_status(item_page(&state, &p, locale, id, String::new(), forms, errors).await?, status))
        }
    }
}

async fn close(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id: FollowUpId = path_id(&raw)?;
    let forms = ItemForms { reason: f.text("reason"), error_in: "close", ..ItemForms::default() };
    match state.store.close_follow_up(&p.acting(Ctx::as_consultant)?, id, &forms.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/follow-ups/{id}?done=closed")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(ITEM_ANCHORS);
            Ok(with_status(item_page(&state, &p, locale, id, String::new(), forms, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- planning from a report

#[derive(Clone, Debug, Default)]
struct PlanForm {
    kind: String,
    due_on: String,
    what: String,
    schedule: bool,
    date: String,
    start: String,
    end: String,
    mode: String,
    place: String,
}

#[derive(Template)]
#[template(path = "follow_up_new.html")]
struct PlanPage {
    ctx: PageCtx,
    report: i64,
    support_plan: String,
    kinds: Vec<Choice>,
    modes: Vec<Choice>,
    forms: PlanForm,
    errors: FormErrors,
    what_max: usize,
}

async fn plan_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    report: ReportId,
    form: PlanForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let mut ctx = PageCtx::new(p, locale, "fu-new-title", PATH);
    let t = ctx.t;
    // The author's own report only; any other answers as not found.
    let d = state.store.read_report(&p.ctx(), report, locale).await?;
    if !d.summary.is_mine {
        return Err(StoreError::NotFound.into());
    }
    ctx.title_data = d.summary.subject.clone();
    let kind = if form.kind.is_empty() { FollowUpKind::FollowUp.as_str().to_string() } else { form.kind.clone() };
    let kinds = FollowUpKind::ALL
        .iter()
        .map(|k| Choice { value: k.as_str().into(), label: k.label(t.locale).into(), selected: k.as_str() == kind })
        .collect();
    render(&PlanPage {
        report: report.get(),
        support_plan: d.sections.support_plan.clone(),
        kinds,
        modes: super::interviews::mode_choices(t, &form.mode),
        forms: form,
        errors,
        what_max: domain::follow_up::WHAT.max,
        ctx,
    })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    let report: ReportId = path_id(&raw)?;
    let due = (today_jst() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let form = PlanForm { due_on: due, start: "10:00".into(), end: "11:00".into(), ..PlanForm::default() };
    plan_page(&state, &p, locale, report, form, FormErrors::none()).await
}

const PLAN_ANCHORS: &[(&str, &str)] = &[
    ("kind", "fu-kind"),
    ("due_on", "fu-due"),
    ("what", "fu-what"),
    ("date", "fu-date"),
    ("start", "fu-start"),
    ("end", "fu-end"),
    ("slot", "fu-start"),
    ("mode", "fu-mode"),
    ("place", "fu-place"),
    ("employee", "fu-date"),
    ("form", "fu-kind"),
];

async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let report: ReportId = path_id(&raw)?;
    let form = PlanForm {
        kind: f.text("kind"),
        due_on: f.text("due_on"),
        what: f.text("what"),
        schedule: f.text("schedule") == "yes",
        date: f.text("date"),
        start: f.text("start"),
        end: f.text("end"),
        mode: f.text("mode"),
        place: f.text("place"),
    };
    let mut problems = Vec::new();
    let kind = FollowUpKind::parse(&form.kind);
    if kind.is_none() {
        problems.push(Invalid::new("kind", "面談の種類を選んでください。", "choose the kind of interview"));
    }
    let due_on = NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d").ok();
    let schedule = if form.schedule {
        match slot_of(&form.date, &form.start, &form.end, &form.mode, &form.place) {
            Ok(s) => Some(s),
            Err(ps) => {
                problems.extend(ps);
                None
            }
        }
    } else {
        None
    };
    let result = match kind {
        Some(kind) if problems.is_empty() => {
            let new = NewFollowUp { kind, due_on, what: form.what.clone(), schedule };
            state.store.plan_follow_up(&p.acting(Ctx::as_consultant)?, report, &new).await.map_err(Into::into)
        }
        _ => {
            // The domain's own checks too, so that every problem is said at once.
            if let Err(more) = domain::follow_up::check_new(due_on, &form.what, today_jst()) {
                problems.extend(more);
            }
            Err(StoreError::problems(problems).into())
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/follow-ups/{id}?done=planned")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(PLAN_ANCHORS);
            Ok(with_status(plan_page(&state, &p, locale, report, form, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- homes

/// The consultant's home card: open items, overdue ones, those due soon.
pub async fn consultant_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<Card> {
    let c = state.store.follow_up_counts(&p.acting(Ctx::as_consultant)?).await?;
    let href = if c.overdue > 0 { "/follow-ups?state=overdue" } else { "/follow-ups?state=open" };
    let (figure, body) = if c.open == 0 {
        (String::new(), t.get("home-follow-ups-empty"))
    } else {
        (
            t.with("home-count", "count", super::list::grouped(c.open)),
            t.with_args("home-follow-ups-body", &[("overdue", c.overdue.to_string()), ("soon", c.due_soon.to_string())]),
        )
    };
    Ok(Card {
        key: "follow_ups",
        title: t.get("home-follow-ups-title"),
        figure,
        body,
        items: Vec::new(),
        href: href.into(),
        link: t.get("home-follow-ups-link"),
    })
}

/// HR's home card: per cycle, items planned, held and overdue, each withheld below k.
pub async fn hr_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<Card> {
    let rows = state.store.hr_follow_up_counts(&p.acting(Ctx::as_hr)?).await?;
    let items: Vec<Line> = rows
        .iter()
        .take(3)
        .map(|r| {
            let s = r.shown;
            let meta = match (s.planned, s.held, s.overdue) {
                (Some(pl), Some(h), Some(o)) => t.with_args(
                    "home-hr-follow-ups-line",
                    &[("planned", pl.to_string()), ("held", h.to_string()), ("overdue", o.to_string())],
                ),
                _ => t.get("home-hr-follow-ups-withheld"),
            };
            Line { href: format!("/cycles/{}", r.cycle.get()), text: r.cycle_name.clone(), meta, start_report: None }
        })
        .collect();
    let body = if rows.is_empty() { t.get("home-hr-follow-ups-empty") } else { t.get("home-hr-follow-ups-body") };
    Ok(Card {
        key: "hr_follow_ups",
        title: t.get("home-hr-follow-ups-title"),
        figure: String::new(),
        body,
        items,
        href: "/cycles".into(),
        link: t.get("home-hr-follow-ups-link"),
    })
}

// ---------------------------------------------------------------- the interview page's panel

/// The 「前回の振り返り」 panel.
pub struct ReviewPanel {
    pub lead: String,
    /// The earlier support plan; `None` when the reader may not read it (or there is no report).
    pub plan: Option<String>,
    /// The sentence said instead of the plan.
    pub withheld: String,
    pub items: Vec<ItemView>,
    /// The questionnaire trajectory: (cycle, timing, date, score).
    pub points: Vec<(String, String, String, String)>,
}

pub async fn review_panel(state: &AppState, p: &Principal, t: Tr, interview: InterviewId) -> AppResult<Option<ReviewPanel>> {
    let me = p.acting(Ctx::as_consultant)?;
    let Some(r) = state.store.previous_review(&me, interview).await? else { return Ok(None) };
    let row = state.store.interview(&me, interview).await?;
    let code = domain::questionnaire::career_awareness::CODE;
    let points = match state.store.answer_trajectory(me.ctx(), row.employee, code).await {
        Ok(tr) => tr
            .points
            .iter()
            .map(|pt| {
                let score = pt.scored.score.map(|s| format!("{s:.2}")).unwrap_or_else(|| "—".into());
                (pt.cycle_name.clone(), pt.timing.label(t.locale).to_string(), t.date(pt.answered_on), score)
            })
            .collect(),
        Err(StoreError::NotFound) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let withheld = match (&r.plan, r.has_report, r.own) {
        (Some(_), _, _) => String::new(),
        (None, false, _) => t.get("fu-review-no-report"),
        (None, true, true) => t.get("fu-review-no-report"),
        (None, true, false) => t.get("fu-review-other-consultant"),
    };
    Ok(Some(ReviewPanel {
        lead: t.with_args("fu-review-lead", &[("cycle", r.cycle_name.clone()), ("held", t.date_time(r.held_at))]),
        plan: r.plan,
        withheld,
        items: r.open_items.iter().map(|i| ItemView::new(t, i)).collect(),
        points,
    }))
}
