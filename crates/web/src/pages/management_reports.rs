//! The management report (経営層への報告, R5). HR drafts a version on a released overall report
//! (`/management-reports/new`), writes the commentary (`/management-reports/{id}/edit`) and
//! releases it; HR and executives read the list (`/management-reports`, one list pattern) and a
//! version (`/management-reports/{id}`): the overall report's figures, the consented important
//! cases (summary, solution and status only; the page says how many are not shown, never which),
//! the organizational issues with their status, HR's commentary and the trends across cycles.
//! An executive's home is the latest released version (`executive_home`).

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::overall_reports::Words;
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::important_case::{CaseStatus, IssueStatus};
use domain::management_report::{Figure, ManagementReportDoc, TrendPoint, COMMENTARY};
use domain::overall_report::Measure;
use domain::policy::{AggregateState, Operation};
use domain::Locale;
use serde::Deserialize;
use store::{Ctx, Direction, ManagementReportId, ManagementReportView};

pub fn routes(r: Routes) -> Routes {
    r.get("/management-reports", Operation::ReadManagementReports, list)
        .get("/management-reports/new", Operation::ComposeManagementReports, new_form)
        .post("/management-reports", Operation::ComposeManagementReports, create)
        .get("/management-reports/{id}", Operation::ReadManagementReports, one)
        .get("/management-reports/{id}/report.pdf", Operation::ReadManagementReports, download_pdf)
        .get("/management-reports/{id}/report.csv", Operation::ReadManagementReports, download_csv)
        .get("/management-reports/{id}/edit", Operation::ComposeManagementReports, edit_form)
        .post("/management-reports/{id}/edit", Operation::ComposeManagementReports, save)
        .post("/management-reports/{id}/release", Operation::ComposeManagementReports, release)
}

/// A positive id from the path, or "not found".
fn report_id(raw: &str) -> AppResult<ManagementReportId> {
    super::consents::path_id(raw).map(ManagementReportId::new)
}

fn state_label(t: Tr, s: AggregateState) -> String {
    t.term(s)
}

// ---------------------------------------------------------------- the list

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MrSort {
    Cycle,
}

static LIST: ListSpec<MrSort> = ListSpec {
    path: "/management-reports",
    default_sort: SortOption::new("cycle", MrSort::Cycle, Direction::Desc),
    sorts: &[],
    filters: &[],
    search: false,
    per_page: 50,
};

/// One version of the list.
pub struct MrLine {
    pub id: i64,
    pub cycle: String,
    pub version: i64,
    pub state: String,
    pub state_code: &'static str,
    pub released: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "management_reports.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<MrLine>,
    can_compose: bool,
}

fn can_compose(p: &Principal) -> bool {
    p.actor().is_some_and(|a| domain::policy::decide(&a, Operation::ComposeManagementReports, domain::policy::Target::Route).is_allow())
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "mr-title", "/management-reports");
    let t = ctx.t;
    let params = ListParams::parse(&LIST, raw.as_deref());
    let page = state.store.management_report_page(&p.ctx(), params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let lines: Vec<MrLine> = page
        .items
        .iter()
        .map(|r| MrLine {
            id: r.id.get(),
            cycle: r.cycle.name.clone(),
            version: r.version,
            state: state_label(t, r.state),
            state_code: r.state.as_str(),
            released: r.released_at.map(|at| t.date_time(at)).unwrap_or_default(),
            updated: t.date_time(r.updated_at),
        })
        .collect();
    let list = ListView::new(t, &params, page.total, lines.len())
        .column("mr-cycle", None, "")
        .column("mr-version", None, "num")
        .column("mr-state", None, "nowrap")
        .column("mr-released", None, "date")
        .column("mr-updated", None, "date")
        .empty("mr-empty", "mr-empty");
    render(&ListPage { ctx, list, lines, can_compose: can_compose(&p) })
}

// ---------------------------------------------------------------- a new draft

pub struct SourceChoice {
    pub id: i64,
    pub label: String,
    pub meta: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "management_report_new.html")]
struct NewPage {
    ctx: PageCtx,
    choices: Vec<SourceChoice>,
    errors: FormErrors,
}

async fn new_page(state: &AppState, p: &Principal, locale: Locale, chosen: Option<i64>, errors: FormErrors) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "mr-new-title", "/management-reports");
    let t = ctx.t;
    let sources = state.store.management_report_sources(&p.acting(Ctx::as_hr)?).await?;
    let first_latest = sources.iter().find(|s| s.latest).map(|s| s.id);
    let choices = sources
        .iter()
        .map(|s| SourceChoice {
            id: s.id,
            label: t.with2("mr-source-label", ("cycle", &s.cycle.name), ("version", &s.version.to_string())),
            meta: match (s.released_at, s.latest) {
                (Some(at), true) => t.with("mr-source-latest", "at", t.date_time(at)),
                (Some(at), false) => t.with("mr-source-released", "at", t.date_time(at)),
                (None, _) => String::new(),
            },
            checked: chosen.or(first_latest) == Some(s.id),
        })
        .collect();
    render(&NewPage { ctx, choices, errors })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    new_page(&state, &p, locale, None, FormErrors::none()).await
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let chosen = f.text("overall").trim().parse::<i64>().ok().filter(|v| *v > 0);
    // No choice, or a choice that is not a released overall report of the tenant.
    let missing = || AppError::Invalid(domain::Invalid { field: "overall", message: Tr::both("mr-source-missing") });
    let err = match chosen {
        None => missing(),
        Some(id) => match state.store.create_management_report(&p.acting(Ctx::as_hr)?, id).await {
            Ok(r) => return Ok(Redirect::to(&format!("/management-reports/{r}/edit")).into_response()),
            Err(store::StoreError::NotFound) => missing(),
            Err(e) => e.into(),
        },
    };
    let (status, problems) = sent_back(err)?;
    let errors = FormErrors::new(Tr::new(locale), &problems);
    Ok(with_status(new_page(&state, &p, locale, chosen, errors).await?, status))
}

// ---------------------------------------------------------------- one version

/// A figure as the page shows it.
pub struct FigureLine {
    pub label: String,
    /// Tag or theme names are user data.
    pub data: bool,
    pub value: String,
    pub share: String,
    pub suppressed: bool,
}

pub struct CaseLine {
    pub summary: String,
    pub solution: String,
    pub status: String,
    pub status_code: String,
}

pub struct IssueLine {
    pub title: String,
    pub status: String,
    pub status_code: String,
}

pub struct TrendLine {
    pub cycle: String,
    pub population: String,
    pub life_safety: String,
    pub organizational_response: String,
}

/// Everything the report's page (and the executive's home) shows.
pub struct ReportBody {
    pub id: i64,
    pub cycle: String,
    pub version: i64,
    pub state: String,
    pub state_code: &'static str,
    pub released: String,
    pub overall: String,
    pub population: String,
    pub figures: Vec<FigureLine>,
    pub cases: Vec<CaseLine>,
    pub withheld: String,
    pub personnel_authority: bool,
    pub issues: Vec<IssueLine>,
    pub commentary: String,
    pub can_compose: bool,
    pub trends: Vec<TrendLine>,
}

/// A measure's label (tags by the tenant's taxonomy) and whether it is the tenant's own words
/// (a tag or a theme, marked as user data).
fn measure_label(words: &Words, code: &str) -> (String, bool) {
    let own = matches!(Measure::parse(code), Some(Measure::Tag(_) | Measure::Theme(_)));
    (words.measure(code), own)
}

fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_default()
}

fn figure_line(t: Tr, words: &Words, f: &Figure, k: u32) -> FigureLine {
    let (label, data) = measure_label(words, &f.measure);
    let value = match f.value {
        Some(v) if !f.suppressed => super::list::grouped(v.round() as i64),
        _ => t.with("mr-suppressed", "k", k),
    };
    FigureLine {
        label,
        data,
        value,
        share: if f.measure == "people" { String::new() } else { percent(f.share()) },
        suppressed: f.suppressed,
    }
}

pub fn trend_lines(t: Tr, points: &[TrendPoint]) -> Vec<TrendLine> {
    let hidden = || t.get("mr-trend-hidden");
    points
        .iter()
        .map(|p| TrendLine {
            cycle: p.cycle.name.clone(),
            population: p.population.map(|n| t.with("mr-people", "count", super::list::grouped(n as i64))).unwrap_or_else(hidden),
            life_safety: p.life_safety.map(|s| percent(Some(s))).unwrap_or_else(hidden),
            organizational_response: p.organizational_response.map(|s| percent(Some(s))).unwrap_or_else(hidden),
        })
        .collect()
}

fn body(t: Tr, words: &Words, v: &ManagementReportView, trends: Vec<TrendLine>) -> ReportBody {
    let d: &ManagementReportDoc = &v.doc;
    let k = d.overall_report.k;
    ReportBody {
        id: v.row.id.get(),
        cycle: d.cycle.name.clone(),
        version: d.version,
        state: state_label(t, v.row.state),
        state_code: v.row.state.as_str(),
        released: v.row.released_at.map(|at| t.date_time(at)).unwrap_or_default(),
        overall: t.with("mr-overall-version", "version", d.overall_report.version),
        population: d
            .overall_report
            .population
            .map(|n| t.with("mr-people", "count", super::list::grouped(n as i64)))
            .unwrap_or_else(|| t.with("mr-suppressed", "k", k)),
        figures: d.figures.iter().map(|f| figure_line(t, words, f, k)).collect(),
        cases: d
            .cases
            .iter()
            .map(|c| CaseLine {
                summary: c.summary.clone(),
                solution: c.solution.clone(),
                status: CaseStatus::parse(&c.status).map(|s| t.term(s)).unwrap_or_else(|| c.status.clone()),
                status_code: c.status.clone(),
            })
            .collect(),
        withheld: if d.cases_withheld > 0 && !v.personnel_authority {
            t.with("mr-cases-withheld", "count", d.cases_withheld)
        } else {
            String::new()
        },
        personnel_authority: v.personnel_authority,
        issues: d
            .org_issues
            .iter()
            .map(|i| IssueLine {
                title: i.title.clone(),
                status: IssueStatus::parse(&i.status).map(|s| t.term(s)).unwrap_or_else(|| i.status.clone()),
                status_code: i.status.clone(),
            })
            .collect(),
        commentary: d.commentary.clone(),
        can_compose: v.can_compose,
        trends,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    released: Option<String>,
}

#[derive(Template)]
#[template(path = "management_report.html")]
struct OnePage {
    ctx: PageCtx,
    r: ReportBody,
    notice: String,
    /// A change refused because the version was released meanwhile.
    conflict: String,
    home: bool,
    /// A released version's charts and download links (none for a draft).
    charts: Vec<super::downloads::ChartView>,
    downloads: Vec<super::downloads::DownloadLink>,
    /// On the executive's home: their dashboard cards (the improvement actions' status, the
    /// effect report, the policy documents).
    cards: Vec<super::home::Card>,
}

/// The charts and links of a released version's page.
fn extras(
    t: Tr,
    words: &Words,
    v: &ManagementReportView,
    points: &[TrendPoint],
) -> (Vec<super::downloads::ChartView>, Vec<super::downloads::DownloadLink>) {
    if v.row.state != AggregateState::Released {
        return (Vec::new(), Vec::new());
    }
    (
        super::downloads::management_charts(t, words, &v.doc, points),
        super::downloads::links(t, &format!("/management-reports/{}", v.row.id)),
    )
}

/// The version as it now stands, with why the change was refused (409): it was released
/// meanwhile, so it is read, not edited.
async fn conflict_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ManagementReportId,
    m: &domain::Message,
) -> AppResult<Response> {
    let v = state.store.management_report(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(p, locale, "mr-title", "/management-reports");
    let t = ctx.t;
    ctx.title = t.with("mr-heading", "version", v.doc.version);
    ctx.title_data = v.doc.cycle.name.clone();
    let points = state.store.management_trends(&p.ctx()).await?;
    let trends = trend_lines(t, &points);
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    let conflict = t.msg(m).to_string();
    let (charts, downloads) = extras(t, &words, &v, &points);
    let page = render(&OnePage {
        r: body(t, &words, &v, trends),
        ctx,
        notice: String::new(),
        conflict,
        home: false,
        charts,
        downloads,
        cards: Vec::new(),
    })?;
    Ok(with_status(page, axum::http::StatusCode::CONFLICT))
}

async fn one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let v = state.store.management_report(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(&p, locale, "mr-title", "/management-reports");
    let t = ctx.t;
    ctx.title = t.with("mr-heading", "version", v.doc.version);
    ctx.title_data = v.doc.cycle.name.clone();
    let points = state.store.management_trends(&p.ctx()).await?;
    let trends = trend_lines(t, &points);
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    let notice = if q.released.is_some() { t.get("mr-released-notice") } else { String::new() };
    let (charts, downloads) = extras(t, &words, &v, &points);
    render(&OnePage {
        r: body(t, &words, &v, trends),
        ctx,
        notice,
        conflict: String::new(),
        home: false,
        charts,
        downloads,
        cards: Vec::new(),
    })
}

/// The executive's home: the latest released management report with the trends, or `None`
/// when nothing is released yet (the home page then says what will come).
pub async fn executive_home(state: &AppState, p: &Principal, locale: Locale) -> AppResult<Option<Response>> {
    let Some(v) = state.store.latest_management_report(&p.ctx()).await? else { return Ok(None) };
    let mut ctx = PageCtx::new(p, locale, "mr-home-title", "/");
    let t = ctx.t;
    ctx.title_data = v.doc.cycle.name.clone();
    let points = state.store.management_trends(&p.ctx()).await?;
    let trends = trend_lines(t, &points);
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    let (charts, downloads) = extras(t, &words, &v, &points);
    let cards = super::home::executive_cards(state, p, t).await?;
    render(&OnePage {
        r: body(t, &words, &v, trends),
        ctx,
        notice: String::new(),
        conflict: String::new(),
        home: true,
        charts,
        downloads,
        cards,
    })
    .map(Some)
}

// ---------------------------------------------------------------- HR's home card

/// HR's home card: the draft in progress (linked to its editor) and the latest released
/// version, or, with neither, the way to compose one. Reads the list only (nothing opened).
pub async fn home_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let page = state.store.management_report_page(&p.ctx(), store::PageRequest::first(20)).await?;
    let draft = page.items.iter().find(|r| r.state != AggregateState::Released);
    let released = page.items.iter().find(|r| r.state == AggregateState::Released);
    let cycle = |r: &store::ManagementReportRow| format!("<span lang=\"ja\">{}</span>", super::form::escape(&r.cycle.name));
    let mut lines = Vec::new();
    if let Some(d) = draft {
        let at = t.date_time(d.updated_at);
        lines.push(t.with_args("mr-card-draft", &[("cycle", cycle(d)), ("version", d.version.to_string()), ("at", at)]));
    }
    if let Some(r) = released {
        let at = r.released_at.map(|at| t.date_time(at)).unwrap_or_default();
        lines.push(t.with_args("mr-card-released", &[("cycle", cycle(r)), ("version", r.version.to_string()), ("at", at)]));
    }
    let (figure, href, link) = match (draft, released) {
        (Some(d), _) => (t.term(d.state), format!("/management-reports/{}/edit", d.id), t.get("mr-card-edit")),
        (None, Some(r)) => (t.term(r.state), format!("/management-reports/{}", r.id), t.get("mr-card-open")),
        (None, None) => {
            lines.push(super::form::escape(&t.get("mr-card-none")));
            (String::new(), "/management-reports/new".to_string(), t.get("mr-card-new"))
        }
    };
    Ok(super::home::Card {
        key: "management_report",
        title: t.get("mr-card-title"),
        figure,
        body: lines.join("<br>"),
        items: Vec::new(),
        href,
        link,
    })
}

// ---------------------------------------------------------------- downloads (PDF, CSV)

/// A released version as the reader may see it now (the page's check and audited read: only
/// the cases whose consent is in force now), with the overall report it is built on. A draft
/// answers "not found", refused by the store before any audited read: only released versions
/// are downloaded.
async fn released_for_download(
    state: &AppState,
    p: &Principal,
    raw_id: &str,
    tables: &store::TableChoice,
) -> AppResult<(ManagementReportDoc, store::OverallReportDetail)> {
    let id = report_id(raw_id)?;
    let v = state.store.released_management_report_by_id(&p.ctx(), id).await?;
    let overall =
        state.store.released_overall_report_by_id_with(&p.ctx(), store::OverallReportId::new(v.doc.overall_report.id), tables).await?;
    let mut doc = v.doc;
    if v.personnel_authority {
        // The page says nothing of cases to a holder of personnel authority; nor does the file.
        doc.cases.clear();
        doc.cases_withheld = 0;
    }
    Ok((doc, overall))
}

async fn download_pdf(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let (doc, o) = released_for_download(&state, &p, &id, &store::TableChoice::Every).await?;
    let trend = super::downloads::trend(&o.earlier, &o.report, locale);
    let words = Words::of_tenant(&state.store, p.tenant.id, Tr::new(locale)).await?;
    let (named, named_doc) = (
        super::downloads::overall_tags_named(&o.report, words.tag_labels()),
        super::downloads::management_tags_named(&doc, words.tag_labels()),
    );
    let pdf_doc = export::management::document(&named_doc, &named, &super::downloads::sections(&o.narrative, locale), trend, locale);
    let bytes = super::downloads::render_pdf(pdf_doc).await?;
    super::downloads::attachment(bytes, "application/pdf", export::file_names("management-report", &doc.cycle.name, doc.version, "pdf"))
}

async fn download_csv(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    // The CSV holds the narrative and the summary figures, not the overall report's tables.
    // Its one column of items names a tag by the tenant's label, as the PDF does (the file has no
    // column of codes; the overall report's CSV keeps them in 指標コード).
    let (doc, o) = released_for_download(&state, &p, &id, &store::TableChoice::Whole).await?;
    let encoding = super::downloads::encoding(raw.as_deref());
    let words = Words::of_tenant(&state.store, p.tenant.id, Tr::new(locale)).await?;
    let named = super::downloads::management_tags_named(&doc, words.tag_labels());
    let file = export::management::csv(&named, &super::downloads::sections(&o.narrative, locale), locale, encoding)
        .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    super::downloads::attachment(
        file.bytes,
        &super::downloads::csv_type(encoding),
        export::file_names("management-report", &doc.cycle.name, doc.version, "csv"),
    )
}

// ---------------------------------------------------------------- editing a draft

#[derive(Template)]
#[template(path = "management_report_edit.html")]
struct EditPage {
    ctx: PageCtx,
    r: ReportBody,
    commentary: String,
    commentary_max: usize,
    notice: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn edit_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ManagementReportId,
    typed: Option<String>,
    notice: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let v = state.store.management_report(&p.ctx(), id).await?;
    if !v.can_compose {
        // A released version is read, not edited.
        return Ok(Redirect::to(&format!("/management-reports/{id}")).into_response());
    }
    let mut ctx = PageCtx::new(p, locale, "mr-edit-title", "/management-reports");
    let t = ctx.t;
    ctx.title = t.with("mr-edit-heading", "version", v.doc.version);
    ctx.title_data = v.doc.cycle.name.clone();
    let commentary = typed.unwrap_or_else(|| v.doc.commentary.clone());
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    render(&EditPage { r: body(t, &words, &v, Vec::new()), ctx, commentary, commentary_max: COMMENTARY.max, notice, errors })
}

async fn edit_form(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let notice = if q.saved.is_some() { Tr::new(locale).get("mr-saved") } else { String::new() };
    edit_page(&state, &p, locale, id, None, notice, FormErrors::none()).await
}

async fn save(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let typed = f.text("commentary");
    match state.store.save_management_commentary(&p.acting(Ctx::as_hr)?, id, &typed).await {
        Ok(()) => Ok(Redirect::to(&format!("/management-reports/{id}/edit?saved=1")).into_response()),
        Err(store::StoreError::Conflict(m)) => conflict_page(&state, &p, locale, id, &m).await,
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(edit_page(&state, &p, locale, id, Some(typed), String::new(), errors).await?, status))
        }
    }
}

async fn release(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    _f: FormPairs,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    match state.store.release_management_report(&p.acting(Ctx::as_hr)?, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/management-reports/{id}?released=1")).into_response()),
        Err(store::StoreError::Conflict(m)) => conflict_page(&state, &p, locale, id, &m).await,
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(edit_page(&state, &p, locale, id, None, String::new(), errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- print

/// What the print wrapper needs of a page's frame.
struct PrintCtx {
    t: Tr,
    title: String,
}

#[derive(Template)]
#[template(path = "management_print.html")]
struct PrintPage {
    ctx: PrintCtx,
    r: ReportBody,
}

/// A version as one print-friendly, self-contained HTML document (the command line's
/// `--format html`): the same sections as the page, with the trends given.
pub fn print_html(
    v: &ManagementReportView,
    trends: &[TrendPoint],
    tags: std::collections::HashMap<String, String>,
    locale: Locale,
) -> Result<String, String> {
    let t = Tr::new(locale);
    let r = body(t, &Words::new(t, tags), v, trend_lines(t, trends));
    let page = PrintPage { ctx: PrintCtx { t, title: t.with("mr-heading", "version", v.doc.version) }, r };
    page.render().map_err(|e| format!("template: {e}"))
}
