//! Important cases (重要事案): the consultant writes the summary for HR from an approved report
//! (`/reports/{id}/important-case`; it becomes a disclosure the employee decides on); HR reads the
//! cases whose summary the employee's consent releases to them now (`/important-cases`, one list
//! pattern, filtered by status and by the management-report mark), and records the solution,
//! owner, status and the mark. A holder of personnel authority sees none (the page says why).

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::list_terms::{term_options, vocabulary_filter};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{DisclosureId, ReportId};
use domain::important_case::{check_case_response, CaseStatus, CASE_OWNER, CASE_SOLUTION, CASE_SUMMARY};
use domain::policy::Operation;
use domain::report::ReportStatus;
use domain::Locale;
use serde::Deserialize;
use store::{CaseQuery, CaseSort, Ctx, Direction, ImportantCaseRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/reports/{id}/important-case", Operation::WriteDisclosures, raise_form)
        .post("/reports/{id}/important-case", Operation::WriteDisclosures, raise)
        .get("/important-cases", Operation::ManageImportantCases, list)
        .get("/important-cases/{id}", Operation::ManageImportantCases, one)
        .post("/important-cases/{id}", Operation::ManageImportantCases, record)
}

/// A positive id from the path, or "not found" (the consent pages' one parser).
use super::consents::path_id as positive;

// ---------------------------------------------------------------- the consultant

#[derive(Template)]
#[template(path = "important_case_new.html")]
struct RaisePage {
    ctx: PageCtx,
    report: i64,
    summary: String,
    summary_max: usize,
    errors: FormErrors,
}

async fn raise_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let report = positive::<ReportId>(&id)?;
    let d = state.store.read_report(&p.ctx(), report, locale).await?;
    if !(d.summary.is_mine && d.summary.status == ReportStatus::Approved) {
        return Err(AppError::NotFound);
    }
    let ctx = PageCtx::new(&p, locale, "ic-new-title", "/reports");
    render(&RaisePage { ctx, report: report.get(), summary: String::new(), summary_max: CASE_SUMMARY.max, errors: FormErrors::none() })
}

async fn raise(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let report = positive::<ReportId>(&id)?;
    let summary = f.text("summary");
    match state.store.raise_important_case(&p.acting(Ctx::as_consultant)?, report, &summary).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{report}?notice=important-case")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let ctx = PageCtx::new(&p, locale, "ic-new-title", "/reports");
            let errors = FormErrors::new(ctx.t, &problems);
            let page = render(&RaisePage { ctx, report: report.get(), summary, summary_max: CASE_SUMMARY.max, errors })?;
            Ok(with_status(page, status))
        }
    }
}

// ---------------------------------------------------------------- HR's list

static LIST: ListSpec<CaseSort> = ListSpec {
    path: "/important-cases",
    default_sort: SortOption::new("status", CaseSort::Status, Direction::Asc),
    sorts: &[
        SortOption::new("granted", CaseSort::Granted, Direction::Desc),
        SortOption::new("updated", CaseSort::Updated, Direction::Desc),
    ],
    filters: &["status", "report"],
    search: false,
    per_page: 50,
};

/// One case of the list.
pub struct CaseLine {
    pub id: i64,
    pub employee: String,
    pub employee_number: String,
    pub granted: String,
    pub status: String,
    pub status_code: &'static str,
    pub owner: String,
    pub in_report: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "important_cases.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<CaseLine>,
    personnel_authority: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "ic-title", "/important-cases");
    let t = ctx.t;
    let mut params = ListParams::parse(&LIST, raw.as_deref());
    let status = vocabulary_filter(&mut params, "status", CaseStatus::parse);
    let in_report = match params.filter("report") {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    if in_report.is_none() {
        params.drop_filter("report");
    }
    // Counted, filtered, ordered and paged in SQL; each row of the page released again by the
    // one release decision.
    let q = CaseQuery { status, in_management_report: in_report, sort: params.sort, dir: params.dir };
    let page = state.store.important_case_page(&p.ctx(), &q, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let total = page.total;
    let shown: Vec<&ImportantCaseRow> = page.items.iter().collect();
    let lines: Vec<CaseLine> = shown
        .iter()
        .map(|r| CaseLine {
            id: r.released.row.id.get(),
            employee: r.released.row.employee_name.clone(),
            employee_number: r.released.row.employee_number.clone(),
            granted: r.released.row.granted_at.map(|at| t.date_time(at)).unwrap_or_default(),
            status: t.term(r.record.status),
            status_code: r.record.status.as_str(),
            owner: r.record.owner.clone(),
            in_report: r.record.in_management_report,
            updated: r.record.updated_at.map(|at| t.date_time(at)).unwrap_or_default(),
        })
        .collect();
    let statuses = term_options(t, &CaseStatus::ALL, CaseStatus::as_str);
    let marks = vec![("yes".to_string(), t.get("ic-report-yes")), ("no".to_string(), t.get("ic-report-no"))];
    let list = ListView::new(t, &params, total, lines.len())
        .filter("status", "ic-status", status.map(CaseStatus::as_str), statuses)
        .filter("report", "ic-in-report", params.filter("report"), marks)
        .column("ic-employee", None, "")
        .column("ic-granted", Some("granted"), "date")
        .column("ic-status", Some("status"), "nowrap")
        .column("ic-owner", None, "")
        .column("ic-in-report", None, "nowrap")
        .column("ic-updated", Some("updated"), "date")
        .empty("ic-empty", "ic-empty-filtered");
    let personnel_authority = p.actor().is_some_and(|a| a.has_personnel_authority());
    render(&ListPage { ctx, list, lines, personnel_authority })
}

// ---------------------------------------------------------------- one case

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    saved: Option<String>,
}

/// A status choice of the form.
pub struct StatusChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "important_case.html")]
struct OnePage {
    ctx: PageCtx,
    id: i64,
    employee: String,
    employee_number: String,
    granted: String,
    summary: String,
    choices: Vec<StatusChoice>,
    owner: String,
    solution: String,
    in_report: bool,
    owner_max: usize,
    solution_max: usize,
    notice: String,
    errors: FormErrors,
}

/// What the form holds: the stored record, or what was typed.
struct Typed {
    status: String,
    owner: String,
    solution: String,
    in_report: bool,
}

async fn one_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: DisclosureId,
    typed: Option<Typed>,
    notice: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.important_case(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(p, locale, "ic-title", "/important-cases");
    let t = ctx.t;
    ctx.title = t.with("ic-heading", "id", id.get());
    let typed = typed.unwrap_or(Typed {
        status: d.record.status.as_str().to_string(),
        owner: d.record.owner.clone(),
        solution: d.solution.clone(),
        in_report: d.record.in_management_report,
    });
    let choices = CaseStatus::ALL
        .iter()
        .map(|s| StatusChoice { value: s.as_str(), label: t.term(*s), checked: s.as_str() == typed.status })
        .collect();
    render(&OnePage {
        id: id.get(),
        employee: d.released.row.employee_name.clone(),
        employee_number: d.released.row.employee_number.clone(),
        granted: d.released.row.granted_at.map(|at| t.date_time(at)).unwrap_or_default(),
        summary: d.released.text,
        choices,
        owner: typed.owner,
        solution: typed.solution,
        in_report: typed.in_report,
        owner_max: CASE_OWNER.max,
        solution_max: CASE_SOLUTION.max,
        notice,
        errors,
        ctx,
    })
}

async fn one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = positive::<DisclosureId>(&id)?;
    let notice = if q.saved.is_some() { Tr::new(locale).get("ic-saved") } else { String::new() };
    one_page(&state, &p, locale, id, None, notice, FormErrors::none()).await
}

async fn record(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = positive::<DisclosureId>(&id)?;
    let typed = Typed { status: f.text("status"), owner: f.text("owner"), solution: f.text("solution"), in_report: f.has("in_report") };
    let result = match check_case_response(&typed.status, &typed.owner, &typed.solution, typed.in_report) {
        Ok(input) => state.store.record_case_response(&p.acting(Ctx::as_hr)?, id, &input).await.map_err(AppError::from),
        Err(problems) => Err(AppError::Problems(problems)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/important-cases/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(one_page(&state, &p, locale, id, Some(typed), String::new(), errors).await?, status))
        }
    }
}
