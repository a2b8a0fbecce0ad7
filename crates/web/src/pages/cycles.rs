//! Cycles (実施年度): the list, HR's set-up form (period, target criteria), the overview of a
//! cycle's progress, and HR's target list (upload, removal, assignment to consultants).
//! The list and overview are for every role that may view cycles; the target list names
//! employees and is for HR only.

use super::employees::{grouped, PageMath, PAGE_SIZE};
use super::form::FormPairs;
use super::{format_ms, render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::cycle::{fiscal_year, fiscal_year_period, parse_period, validate_cycle, RuleChoices, TargetRule, AGE_MILESTONES, TENURE_YEARS};
use domain::ids::{CycleId, EmployeeId, UserId};
use domain::import::RowError;
use domain::policy::{decide, Operation, Target};
use domain::{Invalid, Locale};
use store::{CycleRow, CycleStatus, NewCycle, StoreError, TargetFilter};

pub fn routes(r: Routes) -> Routes {
    r.get("/cycles", Operation::ViewCycles, list)
        .get("/cycles/new", Operation::ManageCycles, new_form)
        .post("/cycles", Operation::ManageCycles, create)
        .get("/cycles/{id}", Operation::ViewCycles, overview)
        .post("/cycles/{id}/status", Operation::ManageCycles, set_status)
        .get("/cycles/{id}/targets", Operation::ManageCycles, targets)
        .post("/cycles/{id}/targets/upload", Operation::ManageCycles, upload)
        .post("/cycles/{id}/targets/{employee_id}/assign", Operation::ManageCycles, assign)
        .post("/cycles/{id}/targets/{employee_id}/remove", Operation::ManageCycles, remove)
        .post("/cycles/{id}/assign", Operation::ManageCycles, auto_assign)
}

/// Most upload problems drawn on the page; the rest is counted.
const PROBLEM_CAP: usize = 500;

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn positive(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// An id in the path that is not a positive number names nothing.
fn cycle_id(raw: &str) -> AppResult<CycleId> {
    positive(raw).map(CycleId::new).ok_or(AppError::NotFound)
}

fn employee_id(raw: &str) -> AppResult<EmployeeId> {
    positive(raw).map(EmployeeId::new).ok_or(AppError::NotFound)
}

pub fn status_label(t: Tr, s: CycleStatus) -> String {
    t.get(match s {
        CycleStatus::Planning => "cycles-status-planning",
        CycleStatus::Active => "cycles-status-active",
        CycleStatus::Closed => "cycles-status-closed",
    })
}

/// The target rule in words, e.g. 「所属: 営業本部 ／ 節目年齢: 30、40歳」.
pub fn describe_rule(t: Tr, rule: &TargetRule) -> String {
    let sep = t.get("cycles-list-separator");
    let join = |items: Vec<String>| items.join(&sep);
    let mut parts = Vec::new();
    if !rule.departments.is_empty() {
        parts.push(t.with("cycles-rule-departments", "list", join(rule.departments.clone())));
    }
    if !rule.grades.is_empty() {
        parts.push(t.with("cycles-rule-grades", "list", join(rule.grades.clone())));
    }
    if !rule.age_milestones.is_empty() {
        parts.push(t.with("cycles-rule-ages", "list", join(rule.age_milestones.iter().map(i32::to_string).collect())));
    }
    if !rule.tenure_years.is_empty() {
        parts.push(t.with("cycles-rule-tenure", "list", join(rule.tenure_years.iter().map(i32::to_string).collect())));
    }
    if parts.is_empty() {
        t.get("cycles-rule-all")
    } else {
        parts.join(&t.get("cycles-rule-separator"))
    }
}

/// A cycle as every page shows it.
pub struct CycleView {
    pub id: i64,
    pub name: String,
    pub period: String,
    pub status: String,
    pub closed: bool,
    pub rule: String,
    pub created: String,
    pub targets: String,
    pub assigned: String,
}

impl CycleView {
    fn new(t: Tr, c: &CycleRow) -> Self {
        CycleView {
            id: c.id.get(),
            name: c.name.clone(),
            period: format!("{} {} {}", day(c.starts_on), t.get("cycles-period-to"), day(c.ends_on)),
            status: status_label(t, c.status),
            closed: c.status == CycleStatus::Closed,
            rule: describe_rule(t, &c.rule),
            created: format_ms(c.created_at),
            targets: t.with("cycles-people", "count", grouped(c.targets)),
            assigned: t.with("cycles-people", "count", grouped(c.assigned)),
        }
    }
}

/// One checkbox of a group.
pub struct Check {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A result line, e.g. after a redirect: `?done=…&count=…`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub page: i64,
    pub unassigned: bool,
    pub done: String,
    pub count: i64,
    pub already: i64,
}

impl Query {
    /// Read leniently: an edited link shows the page without its notice rather than an error.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut q = Query { page: 1, ..Query::default() };
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "page" => q.page = positive(&v).unwrap_or(1),
                "unassigned" => q.unassigned = v == "1",
                "done" => q.done = v.chars().filter(|c| c.is_ascii_lowercase()).take(20).collect(),
                "count" => q.count = v.trim().parse().unwrap_or(0),
                "already" => q.already = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        q
    }

    /// The notice for a finished action, in the page's language.
    pub fn notice(&self, t: Tr) -> String {
        let n = grouped(self.count.max(0));
        match self.done.as_str() {
            "created" => t.with("cycles-done-created", "count", n),
            "status" => t.get("cycles-done-status"),
            "assigned" => t.get("cycles-done-assigned"),
            "unassigned" => t.get("cycles-done-unassigned"),
            "removed" => t.get("cycles-done-removed"),
            "auto" if self.count > 0 => t.with("cycles-done-auto", "count", n),
            "auto" => t.get("cycles-done-auto-none"),
            "uploaded" if self.already > 0 => {
                format!(
                    "{}{}",
                    t.with("cycles-done-uploaded", "count", n),
                    t.with("cycles-done-uploaded-already", "count", grouped(self.already))
                )
            }
            "uploaded" => t.with("cycles-done-uploaded", "count", n),
            _ => String::new(),
        }
    }
}

/// The target list's address, keeping its page and filter.
pub fn targets_href(id: CycleId, page: i64, unassigned: bool, done: &[(&str, String)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    if page > 1 {
        s.append_pair("page", &page.to_string());
    }
    if unassigned {
        s.append_pair("unassigned", "1");
    }
    for (k, v) in done {
        s.append_pair(k, v);
    }
    let q = s.finish();
    if q.is_empty() {
        format!("/cycles/{id}/targets")
    } else {
        format!("/cycles/{id}/targets?{q}")
    }
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "cycles.html")]
struct ListPage {
    ctx: PageCtx,
    cycles: Vec<CycleView>,
    can_manage: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let actor = p.actor().ok_or(AppError::NeedsRole)?;
    let ctx = PageCtx::new(&p, locale, "cycles-title", "/cycles");
    let t = ctx.t;
    let cycles = state.store.cycles(p.tenant.id).await?.iter().map(|c| CycleView::new(t, c)).collect();
    render(&ListPage { ctx, cycles, can_manage: decide(&actor, Operation::ManageCycles, Target::Route).is_allow() })
}

// ---------------------------------------------------------------------------------------------
// Setting a cycle up
// ---------------------------------------------------------------------------------------------

/// The set-up form as sent, kept as text so that it can be shown again with its error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CycleForm {
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub departments: Vec<String>,
    pub grades: Vec<String>,
    pub ages: Vec<String>,
    pub tenures: Vec<String>,
}

impl CycleForm {
    /// The current fiscal year (April to March), named after it.
    pub fn defaults(t: Tr, today: NaiveDate) -> Self {
        let fy = fiscal_year(today);
        let (starts, ends) = fiscal_year_period(fy).unwrap_or((today, today));
        CycleForm { name: t.with("cycles-default-name", "year", fy), starts_on: day(starts), ends_on: day(ends), ..CycleForm::default() }
    }

    pub fn from_pairs(f: &FormPairs) -> Self {
        let clean = |v: Vec<String>| v.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        CycleForm {
            name: f.text("name").trim().to_string(),
            starts_on: f.text("starts_on").trim().to_string(),
            ends_on: f.text("ends_on").trim().to_string(),
            departments: clean(f.all("department")),
            grades: clean(f.all("grade")),
            ages: clean(f.all("age")),
            tenures: clean(f.all("tenure")),
        }
    }

    /// The period and rule the form asks for (`domain::cycle`); departments must be known to
    /// the tenant.
    pub fn validate(&self, known_departments: &[String]) -> Result<(NaiveDate, NaiveDate, TargetRule), Invalid> {
        let (starts, ends) = parse_period(&self.starts_on, &self.ends_on)?;
        validate_cycle(&self.name, starts, ends)?;
        let choices = RuleChoices { departments: &self.departments, grades: &self.grades, ages: &self.ages, tenures: &self.tenures };
        Ok((starts, ends, choices.to_rule(known_departments)?))
    }
}

#[derive(Template)]
#[template(path = "cycles_new.html")]
struct NewPage {
    ctx: PageCtx,
    form: CycleForm,
    departments: Vec<Check>,
    grades: Vec<Check>,
    ages: Vec<Check>,
    tenures: Vec<Check>,
    error: String,
    error_field: String,
    preview: String,
}

/// What to say under the form: nothing, a preview count, or what is wrong.
enum FormOutcome {
    Blank,
    Preview(String),
    Error(Invalid),
}

async fn form_page(state: &AppState, p: &Principal, locale: Locale, form: CycleForm, outcome: FormOutcome) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "cycles-new-title", "/cycles/new");
    let t = ctx.t;
    let departments = state
        .store
        .departments(p.tenant.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, d)| Check {
            id: format!("cycle-dept-{i}"),
            // The tree is shown by indenting with ideographic spaces.
            label: format!("{}{}", "\u{3000}".repeat((d.depth.max(1) - 1) as usize), d.name),
            checked: form.departments.contains(&d.path),
            value: d.path,
        })
        .collect();
    let grades = state
        .store
        .grades_in_use(p.tenant.id)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, g)| Check { id: format!("cycle-grade-{i}"), label: g.clone(), checked: form.grades.contains(&g), value: g })
        .collect();
    let numbers = |offer: &[i32], prefix: &str, key: &str, chosen: &[String]| -> Vec<Check> {
        offer
            .iter()
            .map(|n| Check {
                id: format!("{prefix}-{n}"),
                value: n.to_string(),
                label: t.with(key, "count", n),
                checked: chosen.iter().any(|c| c.trim() == n.to_string()),
            })
            .collect()
    };
    let ages = numbers(&AGE_MILESTONES, "cycle-age", "cycles-age-option", &form.ages);
    let tenures = numbers(&TENURE_YEARS, "cycle-tenure", "cycles-tenure-option", &form.tenures);
    let (status, error, error_field, preview) = match outcome {
        FormOutcome::Blank => (StatusCode::OK, String::new(), String::new(), String::new()),
        FormOutcome::Preview(p) => (StatusCode::OK, String::new(), String::new(), p),
        FormOutcome::Error(e) => (StatusCode::UNPROCESSABLE_ENTITY, t.msg(&e.message).to_string(), e.field.to_string(), String::new()),
    };
    let page = NewPage { ctx, form, departments, grades, ages, tenures, error, error_field, preview };
    Ok(with_status(render(&page)?, status))
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    form_page(&state, &p, locale, CycleForm::defaults(Tr::new(locale), today_jst()), FormOutcome::Blank).await
}

/// Previews the number of targets (`intent=preview`) or creates the cycle.
async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, fields: FormPairs) -> AppResult<Response> {
    let t = Tr::new(locale);
    let form = CycleForm::from_pairs(&fields);
    let known: Vec<String> = state.store.departments(p.tenant.id).await?.into_iter().map(|d| d.path).collect();
    let (starts, ends, rule) = match form.validate(&known) {
        Ok(v) => v,
        Err(e) => return form_page(&state, &p, locale, form, FormOutcome::Error(e)).await,
    };
    if fields.first("intent") == Some("preview") {
        let n = state.store.preview_cycle_targets(p.tenant.id, &rule, starts).await?;
        let text = format!(
            "{}{}",
            t.with("cycles-preview-count", "count", grouped(n as i64)),
            t.with("cycles-preview-year", "year", fiscal_year(starts))
        );
        return form_page(&state, &p, locale, form, FormOutcome::Preview(text)).await;
    }
    let new = NewCycle { name: &form.name, starts_on: starts, ends_on: ends, rule: &rule };
    match state.store.create_cycle(&p.ctx(), &new).await {
        Ok((id, n)) => Ok(Redirect::to(&format!("/cycles/{id}?done=created&count={n}")).into_response()),
        Err(StoreError::Invalid(e)) => form_page(&state, &p, locale, form, FormOutcome::Error(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The overview
// ---------------------------------------------------------------------------------------------

pub struct Figure {
    pub label: String,
    pub value: String,
}

pub struct ConsultantView {
    pub name: String,
    pub targets: String,
    pub scheduled: String,
    pub held: String,
    pub no_show: String,
    pub draft: String,
    pub submitted: String,
    pub returned: String,
    pub approved: String,
}

#[derive(Template)]
#[template(path = "cycles_overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    cycle: CycleView,
    notice: String,
    error: String,
    target_figures: Vec<Figure>,
    interview_figures: Vec<Figure>,
    report_figures: Vec<Figure>,
    consultants: Vec<ConsultantView>,
    can_manage: bool,
    statuses: Vec<Choice>,
}

/// `part` of `whole` as a whole percentage, or nothing when there is no whole.
fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 100 + whole / 2) / whole)
}

async fn overview_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: CycleId,
    notice: String,
    error: Option<Invalid>,
) -> AppResult<Response> {
    let actor = p.actor().ok_or(AppError::NeedsRole)?;
    let o = state.store.cycle_overview(p.tenant.id, id).await?;
    let mut ctx = PageCtx::new(p, locale, "cycles-overview-title", "/cycles");
    let t = ctx.t;
    ctx.title = String::new();
    ctx.title_data = o.cycle.name.clone();
    let people = |n: i64| t.with("cycles-people", "count", grouped(n));
    let cases = |n: i64| t.with("cycles-cases", "count", grouped(n));
    let fig = |key: &str, value: String| Figure { label: t.get(key), value };
    let interviewed = match percent(o.interviewed, o.cycle.targets) {
        Some(pct) => format!("{}{}", people(o.interviewed), t.with("cycles-percent", "value", pct)),
        None => people(o.interviewed),
    };
    let target_figures = vec![
        fig("cycles-fig-targets", people(o.cycle.targets)),
        fig("cycles-fig-assigned", people(o.cycle.assigned)),
        fig("cycles-fig-unassigned", people(o.cycle.targets - o.cycle.assigned)),
        fig("cycles-fig-interviewed", interviewed),
    ];
    let i = o.interviews;
    let interview_figures = vec![
        fig("cycles-fig-scheduled", cases(i.scheduled)),
        fig("cycles-fig-held", cases(i.held)),
        fig("cycles-fig-no-show", cases(i.no_show)),
        fig("cycles-fig-cancelled", cases(i.cancelled)),
    ];
    let r = o.reports;
    let report_figures = vec![
        fig("cycles-fig-draft", cases(r.draft)),
        fig("cycles-fig-submitted", cases(r.submitted)),
        fig("cycles-fig-returned", cases(r.returned)),
        fig("cycles-fig-approved", cases(r.approved)),
    ];
    let consultants = o
        .consultants
        .iter()
        .map(|c| ConsultantView {
            name: if c.name.is_empty() { t.get("cycles-unknown-consultant") } else { c.name.clone() },
            targets: grouped(c.targets),
            scheduled: grouped(c.interviews.scheduled),
            held: grouped(c.interviews.held),
            no_show: grouped(c.interviews.no_show),
            draft: grouped(c.reports.draft),
            submitted: grouped(c.reports.submitted),
            returned: grouped(c.reports.returned),
            approved: grouped(c.reports.approved),
        })
        .collect();
    let statuses = CycleStatus::ALL
        .into_iter()
        .map(|s| Choice { value: s.as_str().to_string(), label: status_label(t, s), selected: s == o.cycle.status })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = OverviewPage {
        cycle: CycleView::new(t, &o.cycle),
        notice,
        error: error.map(|e| t.msg(&e.message).to_string()).unwrap_or_default(),
        target_figures,
        interview_figures,
        report_figures,
        consultants,
        can_manage: decide(&actor, Operation::ManageCycles, Target::Route).is_allow(),
        statuses,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn overview(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let id = cycle_id(&raw)?;
    let notice = Query::parse(q.as_deref()).notice(Tr::new(locale));
    overview_page(&state, &p, locale, id, notice, None).await
}

async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    fields: FormPairs,
) -> AppResult<Response> {
    let id = cycle_id(&raw)?;
    let status = match CycleStatus::from_form(&fields.text("status")) {
        Ok(status) => status,
        Err(e) => return overview_page(&state, &p, locale, id, String::new(), Some(e)).await,
    };
    state.store.set_cycle_status(&p.ctx(), id, status).await?;
    Ok(Redirect::to(&format!("/cycles/{id}?done=status")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Targets (HR only)
// ---------------------------------------------------------------------------------------------

pub struct TargetView {
    pub employee_id: i64,
    pub number: String,
    pub name: String,
    pub department: String,
    pub reason: String,
    pub consultant: String,
    pub options: Vec<Choice>,
    pub removable: bool,
    pub assign_label: String,
    pub remove_label: String,
}

pub struct ProblemRow {
    pub line: String,
    pub message: String,
}

/// What went wrong with the last action on the target list.
enum Trouble {
    None,
    Error(Invalid),
    Rows(Vec<RowError>),
}

#[derive(Template)]
#[template(path = "cycles_targets.html")]
struct TargetsPage {
    ctx: PageCtx,
    cycle: CycleView,
    rows: Vec<TargetView>,
    summary: String,
    position: String,
    prev: Option<String>,
    next: Option<String>,
    page: i64,
    unassigned: bool,
    all_href: String,
    unassigned_href: String,
    notice: String,
    error: String,
    problems: Vec<ProblemRow>,
    problems_more: String,
    upload_action: String,
    has_consultants: bool,
}

async fn targets_page(state: &AppState, p: &Principal, locale: Locale, id: CycleId, q: &Query, trouble: Trouble) -> AppResult<Response> {
    let cycle = state.store.cycle(p.tenant.id, id).await?;
    let filter = TargetFilter { unassigned_only: q.unassigned, limit: PAGE_SIZE, offset: PageMath::offset(q.page) };
    let (total, rows) = state.store.cycle_targets(&p.ctx(), id, &filter).await?;
    let math = PageMath::new(total, q.page, rows.len());
    if rows.is_empty() && q.page > math.pages {
        return Ok(Redirect::to(&targets_href(id, math.pages, q.unassigned, &[])).into_response());
    }
    let consultants = state.store.users_with_role(p.tenant.id, domain::Role::Consultant).await?;
    let mut ctx = PageCtx::new(p, locale, "cycles-targets-title", "/cycles");
    let t = ctx.t;
    ctx.title = t.get("cycles-targets-heading-lead");
    ctx.title_data = cycle.name.clone();
    let closed = cycle.status == CycleStatus::Closed;
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut options = vec![Choice { value: String::new(), label: t.get("cycles-unassigned"), selected: r.consultant.is_none() }];
            options.extend(consultants.iter().map(|(u, name)| Choice {
                value: u.get().to_string(),
                label: name.clone(),
                selected: r.consultant == Some(*u),
            }));
            TargetView {
                employee_id: r.employee.get(),
                consultant: r.consultant_name.clone().unwrap_or_else(|| t.get("cycles-unassigned")),
                assign_label: t.with("cycles-assign-label", "name", &r.name),
                remove_label: t.with("cycles-remove-label", "name", &r.name),
                removable: r.interviews == 0 && !closed,
                options,
                number: r.number,
                name: r.name,
                department: r.department,
                reason: r.reason,
            }
        })
        .collect();
    let summary = if total == 0 {
        t.get(if q.unassigned { "cycles-targets-none-unassigned" } else { "cycles-targets-none" })
    } else {
        format!(
            "{}{}",
            t.with("cycles-targets-total", "count", grouped(total)),
            t.with("cycles-targets-range", "range", format!("{}–{}", grouped(math.from), grouped(math.to)))
        )
    };
    let (status, error, problems, problems_more) = match trouble {
        Trouble::None => (StatusCode::OK, String::new(), Vec::new(), String::new()),
        Trouble::Error(e) => (StatusCode::UNPROCESSABLE_ENTITY, t.msg(&e.message).to_string(), Vec::new(), String::new()),
        Trouble::Rows(rows) => {
            let more = rows.len().saturating_sub(PROBLEM_CAP);
            let problems = rows
                .iter()
                .take(PROBLEM_CAP)
                .map(|r| ProblemRow {
                    line: if r.line == 0 { t.get("cycles-upload-whole-file") } else { r.line.to_string() },
                    message: t.msg(&r.message).to_string(),
                })
                .collect();
            let more = if more > 0 { t.with("cycles-upload-more", "count", more) } else { String::new() };
            (StatusCode::UNPROCESSABLE_ENTITY, t.with("cycles-upload-rejected", "count", rows.len()), problems, more)
        }
    };
    let page = TargetsPage {
        cycle: CycleView::new(t, &cycle),
        rows,
        summary,
        position: t.with("cycles-page-of", "position", format!("{} / {}", math.page, math.pages)),
        prev: (math.page > 1).then(|| targets_href(id, math.page - 1, q.unassigned, &[])),
        next: (math.page < math.pages).then(|| targets_href(id, math.page + 1, q.unassigned, &[])),
        page: math.page,
        unassigned: q.unassigned,
        all_href: targets_href(id, 1, false, &[]),
        unassigned_href: targets_href(id, 1, true, &[]),
        notice: q.notice(t),
        error,
        problems,
        problems_more,
        upload_action: format!("/cycles/{id}/targets/upload"),
        has_consultants: !consultants.is_empty(),
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn targets(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let id = cycle_id(&raw)?;
    targets_page(&state, &p, locale, id, &Query::parse(q.as_deref()), Trouble::None).await
}

/// Where the target list was when its form was sent (hidden `page` and `unassigned` fields).
fn origin(fields: &FormPairs) -> Query {
    Query { page: positive(&fields.text("page")).unwrap_or(1), unassigned: fields.first("unassigned") == Some("1"), ..Query::default() }
}

/// The list again after a refused change, or its error.
async fn refused(state: &AppState, p: &Principal, locale: Locale, id: CycleId, q: &Query, e: StoreError) -> AppResult<Response> {
    match e {
        StoreError::Invalid(e) => targets_page(state, p, locale, id, q, Trouble::Error(e)).await,
        StoreError::Rows(rows) => targets_page(state, p, locale, id, q, Trouble::Rows(rows)).await,
        e => Err(e.into()),
    }
}

async fn assign(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path((raw_id, raw_employee)): Path<(String, String)>,
    fields: FormPairs,
) -> AppResult<Response> {
    let (id, employee) = (cycle_id(&raw_id)?, employee_id(&raw_employee)?);
    let q = origin(&fields);
    let raw = fields.text("consultant");
    let consultant = match raw.trim() {
        "" => None,
        v => match positive(v) {
            Some(u) => Some(UserId::new(u)),
            None => {
                let e = Invalid { field: "consultant", message: Tr::both("cycles-error-consultant") };
                return targets_page(&state, &p, locale, id, &q, Trouble::Error(e)).await;
            }
        },
    };
    match state.store.assign_cycle_target(&p.ctx(), id, employee, consultant).await {
        Ok(()) => {
            let done = if consultant.is_some() { "assigned" } else { "unassigned" };
            Ok(Redirect::to(&targets_href(id, q.page, q.unassigned, &[("done", done.into())])).into_response())
        }
        Err(e) => refused(&state, &p, locale, id, &q, e).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path((raw_id, raw_employee)): Path<(String, String)>,
    fields: FormPairs,
) -> AppResult<Response> {
    let (id, employee) = (cycle_id(&raw_id)?, employee_id(&raw_employee)?);
    let q = origin(&fields);
    match state.store.remove_cycle_target(&p.ctx(), id, employee).await {
        Ok(()) => Ok(Redirect::to(&targets_href(id, q.page, q.unassigned, &[("done", "removed".into())])).into_response()),
        Err(e) => refused(&state, &p, locale, id, &q, e).await,
    }
}

async fn auto_assign(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    fields: FormPairs,
) -> AppResult<Response> {
    let id = cycle_id(&raw)?;
    let q = origin(&fields);
    match state.store.auto_assign_cycle(&p.ctx(), id).await {
        Ok(n) => {
            Ok(Redirect::to(&targets_href(id, q.page, q.unassigned, &[("done", "auto".into()), ("count", n.to_string())])).into_response())
        }
        Err(e) => refused(&state, &p, locale, id, &q, e).await,
    }
}

enum UploadProblem {
    TooLarge,
    Missing,
    Unreadable,
}

/// The first file field named `file`.
async fn read_file(multipart: Result<Multipart, MultipartRejection>) -> Result<Vec<u8>, UploadProblem> {
    let too_large = |s: StatusCode| if s == StatusCode::PAYLOAD_TOO_LARGE { UploadProblem::TooLarge } else { UploadProblem::Unreadable };
    let mut multipart = multipart.map_err(|_| UploadProblem::Unreadable)?;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let bytes = field.bytes().await.map_err(|e| too_large(e.status()))?;
                return if bytes.is_empty() { Err(UploadProblem::Missing) } else { Ok(bytes.to_vec()) };
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(UploadProblem::Missing),
            Err(e) => return Err(too_large(e.status())),
        }
    }
}

async fn upload(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let id = cycle_id(&raw)?;
    let q = Query { page: 1, ..Query::default() };
    let bytes = match read_file(multipart).await {
        Ok(b) => b,
        // The body limit is reported by the global error page (413).
        Err(UploadProblem::TooLarge) => return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        Err(UploadProblem::Missing) => {
            let e = Invalid { field: "file", message: Tr::both("cycles-upload-missing") };
            return targets_page(&state, &p, locale, id, &q, Trouble::Error(e)).await;
        }
        Err(UploadProblem::Unreadable) => {
            let e = Invalid { field: "file", message: Tr::both("cycles-upload-unreadable") };
            return targets_page(&state, &p, locale, id, &q, Trouble::Error(e)).await;
        }
    };
    match state.store.add_cycle_targets_from_list(&p.ctx(), id, &bytes).await {
        Ok(added) => {
            let done = [("done", "uploaded".to_string()), ("count", added.added.to_string()), ("already", added.already.to_string())];
            Ok(Redirect::to(&targets_href(id, 1, false, &done)).into_response())
        }
        Err(e) => refused(&state, &p, locale, id, &q, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> FormPairs {
        FormPairs(items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn the_default_period_is_the_current_fiscal_year() {
        let t = Tr::new(Locale::Ja);
        let f = CycleForm::defaults(t, NaiveDate::from_ymd_opt(2027, 2, 10).unwrap_or_default());
        assert_eq!((f.starts_on.as_str(), f.ends_on.as_str()), ("2026-04-01", "2027-03-31"));
        assert!(f.name.contains("2026"), "{}", f.name);
    }

    #[test]
    fn the_form_is_read_into_a_rule() {
        let f = CycleForm::from_pairs(&pairs(&[
            ("name", " 2026年度 "),
            ("starts_on", "2026-04-01"),
            ("ends_on", "2027/03/31"),
            ("department", "営業本部"),
            ("department", "営業本部"),
            ("grade", "G2"),
            ("age", "40"),
            ("age", "30"),
            ("tenure", "10"),
        ]));
        let known = vec!["営業本部".to_string(), "開発本部".to_string()];
        let (starts, ends, rule) = f.validate(&known).map_err(|e| e.to_string()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((day(starts), day(ends)), ("2026-04-01".to_string(), "2027-03-31".to_string()));
        assert_eq!(
            rule,
            TargetRule {
                departments: vec!["営業本部".into()],
                grades: vec!["G2".into()],
                age_milestones: vec![30, 40],
                tenure_years: vec![10]
            }
        );
    }

    #[test]
    fn bad_forms_name_their_field_in_both_languages() {
        let known = vec!["営業本部".to_string()];
        let base = [("name", "2026年度"), ("starts_on", "2026-04-01"), ("ends_on", "2027-03-31")];
        let field = |extra: &[(&str, &str)]| {
            let mut all: Vec<(&str, &str)> = base.to_vec();
            for (k, v) in extra {
                all.retain(|(key, _)| key != k);
                all.push((k, v));
            }
            CycleForm::from_pairs(&pairs(&all)).validate(&known).err().map(|e| (e.field, e.message))
        };
        for (extra, expected) in [
            (vec![("starts_on", "4月1日")], "starts_on"),
            (vec![("ends_on", "")], "ends_on"),
            (vec![("ends_on", "2026-03-31")], "ends_on"),
            (vec![("name", "")], "name"),
            (vec![("department", "存在しない部")], "department"),
            (vec![("age", "33")], "age"),
            (vec![("tenure", "abc")], "tenure"),
        ] {
            let (f, m) = field(&extra).unwrap_or_else(|| panic!("{extra:?} accepted"));
            assert_eq!(f, expected);
            assert!(!m.ja.is_empty() && !m.en.is_empty() && !m.ja.contains("Unknown localization") && m.ja != m.en, "{m:?}");
        }
        assert!(field(&[]).is_none());
    }

    #[test]
    fn rules_are_described_in_words() {
        let ja = Tr::new(Locale::Ja);
        assert_eq!(describe_rule(ja, &TargetRule::default()), ja.get("cycles-rule-all"));
        let rule = TargetRule { departments: vec!["営業本部".into()], age_milestones: vec![30, 40], ..Default::default() };
        let text = describe_rule(ja, &rule);
        assert!(text.contains("営業本部") && text.contains("30") && text.contains("40"), "{text}");
        let en = describe_rule(Tr::new(Locale::En), &rule);
        assert!(en.contains("Age") || en.contains("age"), "{en}");
    }

    #[test]
    fn queries_and_links() {
        let q = Query::parse(Some("page=3&unassigned=1&done=auto&count=12"));
        assert_eq!((q.page, q.unassigned, q.done.as_str(), q.count), (3, true, "auto", 12));
        assert_eq!(Query::parse(Some("page=-1&done=%3Cscript%3E")).page, 1);
        assert_eq!(Query::parse(Some("done=%3Cscript%3E")).notice(Tr::new(Locale::Ja)), "");
        let id = CycleId::new(7);
        assert_eq!(targets_href(id, 1, false, &[]), "/cycles/7/targets");
        assert_eq!(targets_href(id, 2, true, &[("done", "removed".into())]), "/cycles/7/targets?page=2&unassigned=1&done=removed");
        for locale in Locale::ALL {
            let t = Tr::new(locale);
            for done in ["created", "status", "assigned", "unassigned", "removed", "auto", "uploaded"] {
                for (count, already) in [(0, 0), (3, 2)] {
                    let n = Query { done: done.into(), count, already, ..Query::default() }.notice(t);
                    assert!(!n.is_empty() && !n.contains("Unknown localization"), "{done}: {n}");
                }
            }
            for s in CycleStatus::ALL {
                assert!(!status_label(t, s).contains("Unknown localization"));
            }
        }
    }

    #[test]
    fn percentages_round_and_need_a_whole() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(0, 0), None);
    }

    // -----------------------------------------------------------------------------------------
    // A target list uploaded through the real router, on both databases
    // -----------------------------------------------------------------------------------------

    use crate::{app, AppState, WebConfig};
    use axum::body::Body;
    use axum::http::Request;
    use domain::csv_text::SourceEncoding;
    use domain::tenant::{KThreshold, TenantSlug};
    use domain::Role;
    use store::{Ctx, KeySource, NewUser, OpenOptions, Store};
    use tower::ServiceExt;

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    const BOUNDARY: &str = "cd-cycles-boundary";

    async fn upload_list(app: &axum::Router, token: &str, cycle: CycleId, file: &[u8]) -> (StatusCode, String, String) {
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let req = Request::builder()
            .method("POST")
            .uri(format!("/cycles/{cycle}/targets/upload"))
            .header("authorization", format!("Bearer {token}"))
            .header("accept-language", "ja")
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(body))
            .unwrap_or_default();
        let res = app.clone().oneshot(req).await.unwrap_or_else(|e| match e {});
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap_or_default();
        (status, location, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn hr_uploads_a_target_list_in_shift_jis_and_a_broken_one_is_named_by_line() {
        for backend in testkit::Backend::ALL {
            upload_lists(backend).await;
        }
    }

    async fn upload_lists(backend: testkit::Backend) {
        let db = testkit::fresh_db(backend).expect("db");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("store");
        let tenant =
            store.create_tenant(&TenantSlug::parse("acme").expect("slug"), "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let register = "社員番号,氏名,所属,入社日\nE0001,山田 太郎,営業本部,2025-04-01\nE0002,佐藤 花子,営業本部,2025-04-01\n";
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let parsed = domain::import::parse_employee_csv(register.as_bytes(), today).expect("register");
        store.import_employees(&op, &parsed.rows).await.expect("import");
        let hr = store
            .create_user(&op, &NewUser { login: "hana", display_name: "hana", password: "password1", roles: &[Role::Hr], employee: None })
            .await
            .expect("user");
        let (token, _) =
            store.create_token(&Ctx::for_tests(tenant.id, hr, "hana", Some(Role::Hr)), Role::Hr, "t", None).await.expect("token");
        // Ten years of service: nobody yet, so every target comes from the lists.
        let rule = TargetRule { tenure_years: vec![10], ..TargetRule::default() };
        let new = NewCycle {
            name: "2026年度",
            starts_on: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default(),
            ends_on: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default(),
            rule: &rule,
        };
        let (cycle, n) = store.create_cycle(&Ctx::for_tests(tenant.id, hr, "hana", Some(Role::Hr)), &new).await.expect("cycle");
        assert_eq!(n, 0);
        let app = app(AppState::new(store.clone(), WebConfig::default()));

        let sjis = SourceEncoding::ShiftJis.encode("社員番号,氏名\r\nE0002,佐藤 花子\r\n");
        let (status, location, _) = upload_list(&app, &token, cycle, &sjis).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, format!("/cycles/{cycle}/targets?done=uploaded&count=1&already=0").as_str())
        );

        let broken = [b"E0001\n".as_slice(), &[0x82, 0xFF], b"\n"].concat();
        let (status, _, body) = upload_list(&app, &token, cycle, &broken).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("<th scope=\"row\">2</th>") && body.contains("2行目、先頭から7バイト目"), "{body}");
        assert_eq!(store.cycle(tenant.id, cycle).await.map(|c| c.targets).ok(), Some(1), "nothing added from the broken file");
        store.close().await;
    }
}
