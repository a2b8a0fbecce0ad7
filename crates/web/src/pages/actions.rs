//! Improvement actions (改善施策, R10). HR: the list (`/actions`, one list pattern, filtered by
//! status and overdue), one action with its progress notes, evidence and evaluation forms
//! (`/actions/{id}`), a new action from an organizational issue (`/org-issues/{id}/actions/new`),
//! and an issue taken up from a finding of a released overall report
//! (`/org-issues/from-finding`). Executives: the same list with the status fields only and a
//! summary by status. An action tied to a finding shows the finding's figure where it was found
//! beside the same measure and group in the next cycle's released report.

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{grouped, ListParams, ListSpec, ListView, SortOption};
use super::list_terms::{term_options, vocabulary_filter};
use super::overall_reports::Words;
use super::{render, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::important_case::{ISSUE_BODY, ISSUE_TITLE};
use domain::improvement_action::{
    evidence_link, ActionStatus, Evaluation, ACTION_COMMENT, ACTION_EVIDENCE, ACTION_NOTE, ACTION_OWNER, ACTION_TITLE,
};
use domain::overall_report::{Cell, Dimension, Dimensions};
use domain::policy::{ActionView, Operation};
use domain::Locale;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::{
    ActionCounts, ActionId, ActionInput, ActionQuery, ActionRow, ActionSort, Ctx, Direction, FindingFigure, OrgIssueId, OverallReportId,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/actions", Operation::ReadActionStatus, list)
        .get("/actions/{id}", Operation::ManageActions, one)
        .post("/actions/{id}/status", Operation::ManageActions, set_status)
        .post("/actions/{id}/notes", Operation::ManageActions, add_note)
        .post("/actions/{id}/evidence", Operation::ManageActions, set_evidence)
        .post("/actions/{id}/evaluation", Operation::ManageActions, evaluate)
        .get("/org-issues/{id}/actions/new", Operation::ManageActions, new_form)
        .post("/org-issues/{id}/actions", Operation::ManageActions, create)
        .get("/org-issues/from-finding", Operation::ManageActions, finding_form)
        .post("/org-issues/from-finding", Operation::ManageActions, raise_from_finding)
}

fn action_id(raw: &str) -> AppResult<ActionId> {
    crate::path_id::path_id::<i64>(raw).map(ActionId::new)
}

fn issue_id(raw: &str) -> AppResult<OrgIssueId> {
    crate::path_id::path_id::<OrgIssueId>(raw)
}

// ---------------------------------------------------------------- the list

/// One action of a list.
pub struct ActionLine {
    pub href: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub status_code: &'static str,
    pub overdue: bool,
    pub evaluation: String,
    pub progress: String,
}

pub fn line(t: Tr, r: &ActionRow) -> ActionLine {
    ActionLine {
        href: if r.view == ActionView::Full { format!("/actions/{}", r.id) } else { String::new() },
        title: r.title.clone(),
        owner: r.owner.clone(),
        due: t.date(r.due_on),
        status: t.term(r.status),
        status_code: r.status.as_str(),
        overdue: r.overdue,
        evaluation: r.evaluation.map(|e| t.term(e)).unwrap_or_default(),
        progress: r.latest_note.as_ref().map(|n| format!("{}: {}", t.date(n.noted_on), n.body)).unwrap_or_default(),
    }
}

/// The summary by status (both homes and the list).
pub struct Summary {
    pub items: Vec<(String, String)>,
}

pub fn summary(t: Tr, c: &ActionCounts) -> Summary {
    let n = |x: i64| t.with("home-count", "count", grouped(x));
    Summary {
        items: vec![
            (t.term(ActionStatus::Planned), n(c.planned)),
            (t.term(ActionStatus::InProgress), n(c.in_progress)),
            (t.term(ActionStatus::Done), n(c.done)),
            (t.term(ActionStatus::Cancelled), n(c.cancelled)),
            (t.get("action-overdue"), n(c.overdue)),
            (t.get("action-evaluated"), n(c.evaluated)),
        ],
    }
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ListPage {
    ctx: PageCtx,
    full: bool,
    summary: Summary,
    list: ListView,
    lines: Vec<ActionLine>,
    can_take_finding: bool,
}

static LIST: ListSpec<ActionSort> = ListSpec {
    path: "/actions",
    default_sort: SortOption::new("due", ActionSort::Due, Direction::Asc),
    sorts: &[
        SortOption::new("status", ActionSort::Status, Direction::Asc),
        SortOption::new("updated", ActionSort::Updated, Direction::Desc),
    ],
    filters: &["status", "overdue"],
    search: false,
    per_page: 50,
};

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let full = p.role == Some(domain::Role::Hr);
    let ctx = PageCtx::new(&p, locale, if full { "actions-title" } else { "actions-status-title" }, LIST.path);
    let t = ctx.t;
    let mut params = ListParams::parse(&LIST, raw.as_deref());
    let status = vocabulary_filter(&mut params, "status", ActionStatus::parse);
    let overdue = vocabulary_filter(&mut params, "overdue", |s| (s == "1").then_some(true)).unwrap_or(false);
    let query = ActionQuery { status, overdue, sort: params.sort, dir: params.dir };
    let page = state.store.action_page(&p.ctx(), &query, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let counts = state.store.action_counts(&p.ctx()).await?;
    let options = term_options(t, &ActionStatus::ALL, ActionStatus::as_str);
    let mut list = ListView::new(t, &params, page.total, page.items.len())
        .filter("status", "action-status", status.map(ActionStatus::as_str), options)
        .filter("overdue", "action-overdue-filter", overdue.then_some("1"), vec![("1".to_string(), t.get("action-overdue-only"))])
        .column("action-title-col", None, "")
        .column("action-due", Some("due"), "date")
        .column("action-status", Some("status"), "nowrap");
    if full {
        list = list.column("action-owner", None, "").column("action-progress", None, "").column("action-evaluation", None, "nowrap");
    }
    let list = list.empty("actions-empty", "actions-empty-filtered");
    let lines = page.items.iter().map(|r| line(t, r)).collect();
    render(&ListPage { summary: summary(t, &counts), full, list, lines, can_take_finding: full, ctx })
}

// ---------------------------------------------------------------- one action

/// A figure of a finding as the page shows it.
pub struct FigureView {
    pub report_href: String,
    pub report_name: String,
    pub text: String,
    pub hidden: bool,
}

pub struct FindingView {
    pub measure: String,
    pub group: String,
    pub found: FigureView,
    pub next: Option<FigureView>,
}

fn group_text(words: &Words, dims: &Dimensions, group: &BTreeMap<Dimension, String>, t: Tr) -> String {
    if group.is_empty() {
        return t.get("or-table-overall");
    }
    group.iter().map(|(d, l)| format!("{}: {}", words.dimension(*d), words.label(dims, *d, l))).collect::<Vec<_>>().join(" / ")
}

fn cell_text(t: Tr, measure: &str, cell: Option<&Cell>, k: u32) -> (String, bool) {
    match cell {
        None => (t.get("action-finding-absent"), false),
        Some(c) if c.suppressed => (t.with("or-hidden", "k", k), true),
        Some(c) => match (c.n, c.value) {
            (Some(n), Some(v)) if measure != "people" && n > 0 => {
                let pct = (v / n as f64 * 100.0).round();
                (
                    t.with_args(
                        "action-finding-share",
                        &[("value", format!("{v:.0}")), ("n", n.to_string()), ("pct", format!("{pct:.0}"))],
                    ),
                    false,
                )
            }
            (Some(n), _) => (t.with("home-people", "count", grouped(n as i64)), false),
            _ => (String::new(), false),
        },
    }
}

fn figure_view(t: Tr, measure: &str, f: &FindingFigure) -> FigureView {
    let (text, hidden) = cell_text(t, measure, f.cell.as_ref(), f.k);
    FigureView {
        report_href: format!("/overall-reports/{}", f.report_id),
        report_name: t.with2("or-release-name", ("cycle", &f.cycle.name), ("version", &f.version.to_string())),
        text,
        hidden,
    }
}

pub struct NoteLine {
    pub on: String,
    pub by: String,
    pub body: String,
    pub status: String,
}

pub struct EvidenceLine {
    pub text: String,
    pub link: bool,
}

#[derive(Template)]
#[template(path = "action.html")]
struct OnePage {
    ctx: PageCtx,
    id: i64,
    issue_href: String,
    a: ActionLine,
    notices: Vec<String>,
    notes: Vec<NoteLine>,
    evidence_lines: Vec<EvidenceLine>,
    evidence: String,
    evaluation: String,
    evaluation_comment: String,
    evaluated: String,
    finding: Option<FindingView>,
    moves: Vec<Choice>,
    results: Vec<Choice>,
    can_evaluate: bool,
    form_note: String,
    form_noted_on: String,
    form_status_note: String,
    form_comment: String,
    note_max: usize,
    evidence_max: usize,
    comment_max: usize,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    saved: Option<String>,
    created: Option<String>,
}

/// What the forms held when sent back.
#[derive(Default)]
struct Typed {
    note: String,
    noted_on: String,
    status_note: String,
    evidence: Option<String>,
    result: String,
    comment: String,
}

async fn one_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ActionId,
    notices: Vec<String>,
    typed: Typed,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.action(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(p, locale, "actions-title", LIST.path);
    let t = ctx.t;
    ctx.title = t.with("action-heading", "id", id.get());
    let finding = match &d.finding {
        None => None,
        Some(f) => {
            let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
            Some(FindingView {
                measure: words.measure(&f.measure),
                group: group_text(&words, &f.found.dimensions, &f.group, t),
                found: figure_view(t, &f.measure, &f.found),
                next: f.next.as_ref().map(|n| figure_view(t, &f.measure, n)),
            })
        }
    };
    let notes = d
        .notes
        .iter()
        .map(|n| NoteLine {
            on: t.date(n.noted_on),
            by: n.author.clone(),
            body: n.body.clone(),
            status: n.status_to.map(|s| t.term(s)).unwrap_or_default(),
        })
        .collect();
    let evidence_lines = d
        .evidence
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| EvidenceLine { link: evidence_link(l).is_some(), text: l.trim().to_string() })
        .collect();
    let moves =
        d.row.status.next().into_iter().map(|s| Choice { value: s.as_str().to_string(), label: t.term(s), selected: false }).collect();
    let chosen =
        if typed.result.is_empty() { d.row.evaluation.map(|e| e.as_str().to_string()).unwrap_or_default() } else { typed.result.clone() };
    let results = Evaluation::ALL
        .iter()
        .map(|e| Choice { value: e.as_str().to_string(), label: t.term(*e), selected: chosen == e.as_str() })
        .collect();
    let evaluated = match (&d.evaluated_on, &d.evaluated_by) {
        (Some(on), Some(by)) => t.with2(
            "action-evaluated-by",
            ("date", &super::form::escape(&t.date(*on))),
            ("name", &format!("<span lang=\"ja\">{}</span>", super::form::escape(by))),
        ),
        _ => String::new(),
    };
    let today = super::today_jst().format("%Y-%m-%d").to_string();
    render(&OnePage {
        id: id.get(),
        issue_href: format!("/org-issues/{}", d.row.issue_id),
        a: line(t, &d.row),
        notices,
        notes,
        evidence_lines,
        evidence: typed.evidence.unwrap_or(d.evidence.clone()),
        evaluation: d.row.evaluation.map(|e| t.term(e)).unwrap_or_default(),
        evaluation_comment: d.evaluation_comment.clone(),
        evaluated,
        finding,
        moves,
        results,
        can_evaluate: d.row.status == ActionStatus::Done,
        form_note: typed.note,
        form_noted_on: if typed.noted_on.is_empty() { today } else { typed.noted_on },
        form_status_note: typed.status_note,
        form_comment: if typed.comment.is_empty() { d.evaluation_comment } else { typed.comment },
        note_max: ACTION_NOTE.max,
        evidence_max: ACTION_EVIDENCE.max,
        comment_max: ACTION_COMMENT.max,
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
    let id = action_id(&id)?;
    let t = Tr::new(locale);
    let mut notices = Vec::new();
    if q.created.is_some() {
        notices.push(t.get("action-created"));
    }
    if q.saved.is_some() {
        notices.push(t.get("action-saved"));
    }
    one_page(&state, &p, locale, id, notices, Typed::default(), FormErrors::none()).await
}

async fn after(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ActionId,
    r: Result<(), store::StoreError>,
    typed: Typed,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/actions/{id}?saved=1")).into_response()),
        Err(e) => {
            let (code, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(one_page(state, p, locale, id, Vec::new(), typed, errors).await?, code))
        }
    }
}

async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = action_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let note = f.text("status_note");
    let r = match ActionStatus::parse(f.text("status").trim()) {
        None => Err(store::StoreError::problems(vec![domain::Invalid::new(
            "status",
            "変更後の状況を選んでください。",
            "Choose the new status",
        )])),
        Some(to) => state.store.set_action_status(&me, id, to, &note).await.map(|_| ()),
    };
    after(&state, &p, locale, id, r, Typed { status_note: note, ..Typed::default() }).await
}

async fn add_note(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = action_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let (note, on) = (f.text("note"), f.text("noted_on"));
    let r = state.store.add_action_note(&me, id, &note, &on).await;
    after(&state, &p, locale, id, r, Typed { note, noted_on: on, ..Typed::default() }).await
}

async fn set_evidence(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = action_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let evidence = f.text("evidence");
    let r = state.store.set_action_evidence(&me, id, &evidence).await.map(|_| ());
    after(&state, &p, locale, id, r, Typed { evidence: Some(evidence), ..Typed::default() }).await
}

async fn evaluate(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = action_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let (result, comment) = (f.text("result"), f.text("comment"));
    let r = state.store.evaluate_action(&me, id, &result, &comment).await;
    after(&state, &p, locale, id, r, Typed { result, comment, ..Typed::default() }).await
}

// ---------------------------------------------------------------- a new action

#[derive(Template)]
#[template(path = "action_new.html")]
struct NewPage {
    ctx: PageCtx,
    issue: i64,
    issue_title: String,
    title: String,
    owners: Vec<Choice>,
    owner_text: String,
    due_on: String,
    title_max: usize,
    owner_max: usize,
    errors: FormErrors,
}

async fn new_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    issue: OrgIssueId,
    input: &ActionInput,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.org_issue(&p.ctx(), issue).await?;
    let ctx = PageCtx::new(p, locale, "action-new-title", "/org-issues");
    let me = p.acting(Ctx::as_hr)?;
    let owners = state
        .store
        .hr_accounts(&me)
        .await?
        .into_iter()
        .map(|(id, name)| Choice { selected: input.owner_user == Some(id), value: id.get().to_string(), label: name })
        .collect();
    render(&NewPage {
        issue: issue.get(),
        issue_title: d.row.title,
        title: input.title.clone(),
        owners,
        owner_text: input.owner_text.clone(),
        due_on: input.due_on.clone(),
        title_max: ACTION_TITLE.max,
        owner_max: ACTION_OWNER.max,
        errors,
        ctx,
    })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let issue = issue_id(&id)?;
    new_page(&state, &p, locale, issue, &ActionInput::default(), FormErrors::none()).await
}

fn input_of(f: &FormPairs) -> ActionInput {
    ActionInput {
        title: f.text("title"),
        owner_user: f.text("owner_user").trim().parse::<i64>().ok().filter(|n| *n > 0).map(domain::ids::UserId::new),
        owner_text: f.text("owner_text"),
        due_on: f.text("due_on"),
    }
}

async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let issue = issue_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let input = input_of(&f);
    match state.store.create_action(&me, issue, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/actions/{id}?created=1")).into_response()),
        Err(e) => {
            let (code, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(new_page(&state, &p, locale, issue, &input, errors).await?, code))
        }
    }
}

// ---------------------------------------------------------------- an issue from a finding

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FindingQuery {
    report: Option<String>,
    by: Option<String>,
}

pub struct FindingOption {
    pub value: String,
    pub label: String,
    pub figure: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "org_issue_finding.html")]
struct FindingPage {
    ctx: PageCtx,
    reports: Vec<Choice>,
    report: i64,
    tables: Vec<Choice>,
    by: String,
    options: Vec<FindingOption>,
    title: String,
    body: String,
    title_max: usize,
    body_max: usize,
    errors: FormErrors,
}

fn parse_by(s: &str) -> Vec<Dimension> {
    s.split(',').filter_map(|d| Dimension::parse(d.trim())).collect()
}

fn by_code(by: &[Dimension]) -> String {
    by.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

fn finding_value(measure: &str, group: &BTreeMap<Dimension, String>) -> String {
    serde_json::json!({ "measure": measure, "group": group }).to_string()
}

#[allow(clippy::too_many_arguments)]
async fn finding_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    report: Option<i64>,
    by: &[Dimension],
    chosen: &str,
    title: String,
    body: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "finding-title", "/org-issues");
    let t = ctx.t;
    let released = state.store.released_for_findings(&p.ctx()).await?;
    let report = report.or_else(|| released.first().map(|(id, _, _)| id.get()));
    let reports = released
        .iter()
        .map(|(id, c, v)| Choice {
            value: id.get().to_string(),
            label: t.with2("or-release-name", ("cycle", &c.name), ("version", &v.to_string())),
            selected: Some(id.get()) == report,
        })
        .collect();
    let (tables, options, by) = match report {
        None => (Vec::new(), Vec::new(), String::new()),
        Some(r) => {
            let c = state.store.finding_choices(&p.ctx(), OverallReportId::new(r), by).await?;
            let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
            let tables = c
                .tables
                .iter()
                .map(|b| Choice {
                    value: by_code(b),
                    label: if b.is_empty() {
                        t.get("or-table-overall")
                    } else {
                        t.with("or-table-by", "dims", b.iter().map(|d| words.dimension(*d)).collect::<Vec<_>>().join(" × "))
                    },
                    selected: *b == c.by,
                })
                .collect();
            let options = c
                .cells
                .iter()
                .map(|cell| {
                    let value = finding_value(&cell.measure, &cell.group);
                    let as_cell =
                        Cell { group: cell.group.clone(), measure: cell.measure.clone(), suppressed: false, n: cell.n, value: cell.value };
                    FindingOption {
                        checked: value == chosen,
                        label: format!("{} — {}", words.measure(&cell.measure), group_text(&words, &c.dimensions, &cell.group, t)),
                        figure: cell_text(t, &cell.measure, Some(&as_cell), 0).0,
                        value,
                    }
                })
                .collect();
            (tables, options, by_code(&c.by))
        }
    };
    render(&FindingPage {
        reports,
        report: report.unwrap_or(0),
        tables,
        by,
        options,
        title,
        body,
        title_max: ISSUE_TITLE.max,
        body_max: ISSUE_BODY.max,
        errors,
        ctx,
    })
}

async fn finding_form(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Query(q): Query<FindingQuery>,
) -> AppResult<Response> {
    let report = match q.report.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(crate::path_id::path_id::<i64>(s)?),
    };
    let by = parse_by(q.by.as_deref().unwrap_or(""));
    finding_page(&state, &p, locale, report, &by, "", String::new(), String::new(), FormErrors::none()).await
}

#[derive(Deserialize)]
struct Picked {
    measure: String,
    group: BTreeMap<Dimension, String>,
}

async fn raise_from_finding(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let me = p.acting(Ctx::as_hr)?;
    let report = crate::path_id::path_id::<i64>(&f.text("report"))?;
    let by = parse_by(&f.text("by"));
    let (title, body, chosen) = (f.text("title"), f.text("body"), f.text("finding"));
    let picked: Option<Picked> = serde_json::from_str(&chosen).ok();
    let r = match &picked {
        None => Err(store::StoreError::problems(vec![domain::Invalid::new(
            "finding",
            "課題として取り上げる所見を選んでください。",
            "Choose the finding to take up as an issue",
        )])),
        Some(pk) => state.store.raise_issue_from_finding(&me, OverallReportId::new(report), &pk.measure, &pk.group, &title, &body).await,
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/org-issues/{id}?raised=1")).into_response()),
        Err(e) => {
            let (code, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(finding_page(&state, &p, locale, Some(report), &by, &chosen, title, body, errors).await?, code))
        }
    }
}

/// HR's home card: open actions and overdue ones.
pub async fn hr_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let c = state.store.action_counts(&p.ctx()).await?;
    Ok(home_card(t, &c, "hr_actions", if c.overdue > 0 { "/actions?overdue=1" } else { "/actions" }))
}

/// An executive's home card: the actions by status.
pub async fn executive_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let c = state.store.action_counts(&p.ctx()).await?;
    Ok(home_card(t, &c, "executive_actions", "/actions"))
}

fn home_card(t: Tr, c: &ActionCounts, key: &'static str, href: &str) -> super::home::Card {
    let card = super::home::Card::named(t, key, href);
    if c.total() == 0 {
        return card.with_body(t.get("home-actions-empty"));
    }
    card.with_figure(t.with("home-count", "count", grouped(c.open()))).with_body(t.with_args(
        "home-actions-body",
        &[
            ("in_progress", c.in_progress.to_string()),
            ("planned", c.planned.to_string()),
            ("overdue", c.overdue.to_string()),
            ("done", c.done.to_string()),
            ("evaluated", c.evaluated.to_string()),
        ],
    ))
}
