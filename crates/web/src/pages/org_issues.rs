//! Organizational issues (組織課題): the consultant raises one from a report flagged 組織的対応が必要
//! (`/reports/{id}/org-issue`), sees the issues they raised (`/raised-issues`); HR keeps the
//! register (`/org-issues`, one list pattern, filtered by status) and moves each issue's status.
//! The text names nobody: the store masks any name that slips in before sealing it.

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
use domain::ids::ReportId;
use domain::important_case::{IssueStatus, ISSUE_BODY, ISSUE_TITLE};
use domain::policy::Operation;
use domain::Locale;
use serde::Deserialize;
use store::{Ctx, Direction, OrgIssueId, OrgIssueQuery, OrgIssueRow, OrgIssueSort};

pub fn routes(r: Routes) -> Routes {
    r.get("/reports/{id}/org-issue", Operation::WriteOrgIssues, raise_form)
        .post("/reports/{id}/org-issue", Operation::WriteOrgIssues, raise)
        .get("/raised-issues", Operation::WriteOrgIssues, raised_list)
        .get("/raised-issues/{id}", Operation::WriteOrgIssues, raised_one)
        .get("/org-issues", Operation::ViewOrgIssues, register)
        .get("/org-issues/{id}", Operation::ViewOrgIssues, register_one)
        .post("/org-issues/{id}/status", Operation::ViewOrgIssues, set_status)
}

/// A positive id from the path, or "not found" (the consent pages' one parser).
use super::consents::path_id as positive;

// ---------------------------------------------------------------- raising (consultant)

#[derive(Template)]
#[template(path = "org_issue_new.html")]
struct RaisePage {
    ctx: PageCtx,
    report: i64,
    title: String,
    body: String,
    title_max: usize,
    body_max: usize,
    errors: FormErrors,
}

fn raise_page(p: &Principal, locale: Locale, report: i64, title: String, body: String, errors: FormErrors) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "org-issue-new-title", "/reports");
    render(&RaisePage { ctx, report, title, body, title_max: ISSUE_TITLE.max, body_max: ISSUE_BODY.max, errors })
}

async fn raise_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let report = positive::<ReportId>(&id)?;
    // The form is offered only where raising is allowed: the author's flagged report.
    let d = state.store.read_report(&p.ctx(), report, locale).await?;
    if !(d.summary.is_mine && d.summary.flags.organizational_response && d.summary.status != domain::report::ReportStatus::Draft) {
        return Err(AppError::NotFound);
    }
    raise_page(&p, locale, report.get(), String::new(), String::new(), FormErrors::none())
}

async fn raise(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let report = positive::<ReportId>(&id)?;
    let (title, body) = (f.text("title"), f.text("body"));
    match state.store.raise_org_issue(&p.acting(Ctx::as_consultant)?, report, &title, &body).await {
        Ok(raised) => {
            let masked = if raised.masked { "&masked=1" } else { "" };
            Ok(Redirect::to(&format!("/raised-issues/{}?raised=1{masked}", raised.id)).into_response())
        }
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(raise_page(&p, locale, report.get(), title, body, errors)?, status))
        }
    }
}

// ---------------------------------------------------------------- lists

/// One issue of a list.
pub struct IssueLine {
    pub href: String,
    pub title: String,
    pub status: String,
    pub status_code: &'static str,
    pub created: String,
    pub updated: String,
}

fn line(t: Tr, base: &str, r: &OrgIssueRow) -> IssueLine {
    IssueLine {
        href: format!("{base}/{}", r.id),
        title: r.title.clone(),
        status: t.term(r.status),
        status_code: r.status.as_str(),
        created: t.date_time(r.created_at),
        updated: t.date_time(r.updated_at),
    }
}

#[derive(Template)]
#[template(path = "org_issues.html")]
struct ListPage {
    ctx: PageCtx,
    lead: String,
    list: ListView,
    lines: Vec<IssueLine>,
    /// On HR's register: the way to take up a finding of a released overall report.
    from_finding: bool,
}

static REGISTER: ListSpec<OrgIssueSort> = ListSpec {
    path: "/org-issues",
    default_sort: SortOption::new("status", OrgIssueSort::Status, Direction::Asc),
    sorts: &[
        SortOption::new("created", OrgIssueSort::Created, Direction::Desc),
        SortOption::new("updated", OrgIssueSort::Updated, Direction::Desc),
    ],
    filters: &["status"],
    search: false,
    per_page: 50,
};

static RAISED: ListSpec<OrgIssueSort> = ListSpec {
    path: "/raised-issues",
    default_sort: SortOption::new("created", OrgIssueSort::Created, Direction::Desc),
    sorts: &[
        SortOption::new("status", OrgIssueSort::Status, Direction::Asc),
        SortOption::new("updated", OrgIssueSort::Updated, Direction::Desc),
    ],
    filters: &["status"],
    search: false,
    per_page: 50,
};

async fn list_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    spec: &'static ListSpec<OrgIssueSort>,
    raw: Option<&str>,
) -> AppResult<Response> {
    let (title_key, lead_key) =
        if spec.path == REGISTER.path { ("org-issues-title", "org-issues-lead") } else { ("raised-issues-title", "raised-issues-lead") };
    let ctx = PageCtx::new(p, locale, title_key, spec.path);
    let t = ctx.t;
    let mut params = ListParams::parse(spec, raw);
    let status = vocabulary_filter(&mut params, "status", IssueStatus::parse);
    let query = OrgIssueQuery { status, sort: params.sort, dir: params.dir };
    let page = state.store.org_issue_page(&p.ctx(), &query, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let options = term_options(t, &IssueStatus::ALL, IssueStatus::as_str);
    let list = ListView::new(t, &params, page.total, page.items.len())
        .filter("status", "org-issue-status", status.map(IssueStatus::as_str), options)
        .column("org-issue-title-col", None, "")
        .column("org-issue-status", Some("status"), "nowrap")
        .column("org-issue-created", Some("created"), "date")
        .column("org-issue-updated", Some("updated"), "date")
        .empty(if spec.path == REGISTER.path { "org-issues-empty" } else { "raised-issues-empty" }, "org-issues-empty-filtered");
    let lines = page.items.iter().map(|r| line(t, spec.path, r)).collect();
    let from_finding = spec.path == REGISTER.path
        && p.actor().is_some_and(|a| domain::policy::decide(&a, Operation::ManageActions, domain::policy::Target::Route).is_allow());
    render(&ListPage { lead: t.get(lead_key), ctx, list, lines, from_finding })
}

async fn register(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    list_page(&state, &p, locale, &REGISTER, raw.as_deref()).await
}

async fn raised_list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    list_page(&state, &p, locale, &RAISED, raw.as_deref()).await
}

// ---------------------------------------------------------------- one issue

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    raised: Option<String>,
    masked: Option<String>,
    saved: Option<String>,
}

/// A status choice of the form.
pub struct StatusChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "org_issue.html")]
struct OnePage {
    ctx: PageCtx,
    id: i64,
    back: &'static str,
    title: String,
    body: String,
    status: String,
    status_code: &'static str,
    created: String,
    updated: String,
    notices: Vec<String>,
    can_respond: bool,
    choices: Vec<StatusChoice>,
    errors: FormErrors,
    /// The improvement actions of the issue the reader sees (HR whole, the consultant who
    /// raised it their status), and whether HR may add one (「施策を追加」).
    actions: Vec<super::actions::ActionLine>,
    can_add_action: bool,
}

async fn one_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: OrgIssueId,
    back: &'static str,
    notices: Vec<String>,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.org_issue(&p.ctx(), id).await?;
    let title_key = if back == REGISTER.path { "org-issues-title" } else { "raised-issues-title" };
    let mut ctx = PageCtx::new(p, locale, title_key, back);
    let t = ctx.t;
    ctx.title = t.with("org-issue-heading", "id", id.get());
    let actions = state.store.actions_of_issue(&p.ctx(), id).await?.iter().map(|r| super::actions::line(t, r)).collect();
    let can_add_action = d.can_respond && back == REGISTER.path;
    let choices =
        IssueStatus::ALL.iter().map(|s| StatusChoice { value: s.as_str(), label: t.term(*s), checked: *s == d.row.status }).collect();
    render(&OnePage {
        id: id.get(),
        back,
        title: d.row.title.clone(),
        body: d.body,
        status: t.term(d.row.status),
        status_code: d.row.status.as_str(),
        created: t.date_time(d.row.created_at),
        updated: t.date_time(d.row.updated_at),
        notices,
        can_respond: d.can_respond && back == REGISTER.path,
        choices,
        errors,
        actions,
        can_add_action,
        ctx,
    })
}

fn notices(t: Tr, q: &DoneQuery) -> Vec<String> {
    let mut out = Vec::new();
    if q.raised.is_some() {
        out.push(t.get("org-issue-raised"));
    }
    if q.masked.is_some() {
        out.push(t.get("org-issue-masked"));
    }
    if q.saved.is_some() {
        out.push(t.get("org-issue-saved"));
    }
    out
}

async fn raised_one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = positive::<OrgIssueId>(&id)?;
    one_page(&state, &p, locale, id, RAISED.path, notices(Tr::new(locale), &q), FormErrors::none()).await
}

async fn register_one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = positive::<OrgIssueId>(&id)?;
    one_page(&state, &p, locale, id, REGISTER.path, notices(Tr::new(locale), &q), FormErrors::none()).await
}

async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = positive::<OrgIssueId>(&id)?;
    let Some(status) = IssueStatus::parse(f.text("status").trim()) else {
        let problem = domain::Invalid::new("status", "状況を選んでください。", "Choose a status");
        let errors = FormErrors::new(Tr::new(locale), &[problem]);
        let page = one_page(&state, &p, locale, id, REGISTER.path, Vec::new(), errors).await?;
        return Ok(with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY));
    };
    match state.store.set_org_issue_status(&p.acting(Ctx::as_hr)?, id, status).await {
        Ok(_) => Ok(Redirect::to(&format!("/org-issues/{id}?saved=1")).into_response()),
        Err(e) => {
            let (code, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(one_page(&state, &p, locale, id, REGISTER.path, Vec::new(), errors).await?, code))
        }
    }
}
