//! The consultant's individual reports (R1): list, create for a held interview, write with
//! autosave, submit; and the report page every permitted reader sees, with the supervisor's
//! review form (R2).

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Json, Redirect, Response};
use domain::ids::{InterviewId, ReportId, UserId};
use domain::policy::Operation;
use domain::report::{section_label_en, section_label_ja, ReportFlags, ReportSections, ReportStatus, SECTIONS};
use domain::Locale;
use serde::Deserialize;
use store::Ctx;
use store::{Direction, ReportDetail, ReportFilter, ReportQuery, ReportSort, ReportSummary, ReviewInput, Taxonomy, TaxonomyItem};

pub fn routes(r: Routes) -> Routes {
    r.get("/reports", Operation::WriteReports, list)
        .get("/reports/new", Operation::WriteReports, new_page)
        .post("/reports", Operation::WriteReports, create)
        .get("/reports/{id}", Operation::ReadReports, show)
        .get("/reports/{id}/edit", Operation::WriteReports, edit)
        .post("/reports/{id}", Operation::WriteReports, save)
        .post("/reports/{id}/autosave", Operation::WriteReports, autosave)
        .post("/reports/{id}/submit", Operation::WriteReports, submit)
        .post("/reports/{id}/review", Operation::ReviewReports, review)
}

pub fn status_label(t: Tr, s: ReportStatus) -> String {
    t.term(s)
}

/// When the interview was held, for people: the day with its weekday, or the coarse period
/// of a pseudonymized case as the store gives it.
pub fn held_label(t: Tr, r: &ReportSummary) -> String {
    r.held_on.map(|d| t.date(d)).unwrap_or_else(|| r.held.clone())
}

/// The heading over the "held" column: 「面談日」 over days, 「時期」 over the coarse periods of
/// pseudonymized cases, both words when a table mixes them.
pub fn held_heading(t: &Tr, lines: &[Line]) -> String {
    match (lines.iter().any(|l| l.coarse), lines.iter().all(|l| l.coarse)) {
        (false, _) => t.get("report-held"),
        (true, true) => t.get("report-held-period"),
        (true, false) => t.get("report-held-either"),
    }
}

pub fn section_label(locale: Locale, s: &str) -> &'static str {
    match locale {
        Locale::Ja => section_label_ja(s),
        Locale::En => section_label_en(s),
    }
}

/// A line of a report table, ready for the template.
pub struct Line {
    pub id: i64,
    pub subject: String,
    pub department: String,
    pub held: String,
    /// Whether `held` is a coarse period (a pseudonymized case), not a day.
    pub coarse: bool,
    pub status: String,
    pub status_code: &'static str,
    pub tags: String,
    pub flags: String,
    pub updated: String,
    pub mine: bool,
}

pub fn lines(t: Tr, items: &[ReportSummary], tags: &[TaxonomyItem]) -> Vec<Line> {
    items
        .iter()
        .map(|r| Line {
            id: r.id.get(),
            subject: r.subject.clone(),
            department: r.department.clone(),
            held: held_label(t, r),
            coarse: r.held_on.is_none(),
            status: status_label(t, r.status),
            status_code: r.status.as_str(),
            tags: t.join(
                &r.tags
                    .iter()
                    .map(|c| tags.iter().find(|x| &x.code == c).map(|x| x.label(t.locale).to_string()).unwrap_or_else(|| c.clone()))
                    .collect::<Vec<_>>(),
            ),
            flags: flag_labels(t, r.flags),
            updated: t.date_time_opt(r.updated_at),
            mine: r.is_mine,
        })
        .collect()
}

fn flag_labels(t: Tr, f: ReportFlags) -> String {
    t.terms(&f.set())
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<Line>,
}

static SPEC: ListSpec<ReportSort> = ListSpec {
    path: "/reports",
    default_sort: SortOption::new("updated", ReportSort::Updated, Direction::Desc),
    sorts: &[
        SortOption::new("held", ReportSort::Held, Direction::Desc),
        SortOption::new("status", ReportSort::Status, Direction::Asc),
        SortOption::new("employee", ReportSort::Employee, Direction::Asc),
    ],
    filters: &["status", "cycle"],
    search: true,
    per_page: 50,
};

/// The cycles of the tenant as filter options (id, name), in the store's order.
pub async fn cycle_options(state: &AppState, tenant: domain::ids::TenantId) -> AppResult<Vec<(String, String)>> {
    Ok(state.store.cycles(tenant).await?.into_iter().map(|c| (c.id.get().to_string(), c.name)).collect())
}

/// The acting consultant's own reports: searched by the employee's name, reading or number,
/// narrowed by status and cycle, sorted by last change, interview date, status or employee.
/// A filter value that is not one of the choices is dropped (the list shows all).
async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "reports-title", "/reports");
    let t = ctx.t;
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let status = params.filter("status").and_then(ReportStatus::parse);
    if status.is_none() {
        params.drop_filter("status");
    }
    let cycles = cycle_options(&state, p.tenant.id).await?;
    let cycle = params.filter("cycle").and_then(|c| cycles.iter().find(|(id, _)| id == c)).and_then(|(id, _)| id.parse::<i64>().ok());
    if cycle.is_none() {
        params.drop_filter("cycle");
    }
    let query = ReportQuery {
        filter: ReportFilter { cycle, status, mine_only: true, shared_only: false },
        search: params.search().map(str::to_string),
        tag: None,
        sort: params.sort,
        dir: params.dir,
    };
    let page = state.store.report_page(&p.ctx(), &query, params.page_request(), locale).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let tags = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let statuses = ReportStatus::ALL.iter().map(|s| (s.as_str().to_string(), status_label(t, *s))).collect();
    let status_code = params.filter("status").map(str::to_string);
    let cycle_code = params.filter("cycle").map(str::to_string);
    let list = ListView::new(t, &params, page.total, page.items.len())
        .search(&params.q, "reports-search", "reports-search-help")
        .filter("status", "report-status", status_code.as_deref(), statuses)
        .filter("cycle", "reports-cycle", cycle_code.as_deref(), cycles)
        .user_data()
        .column("report-subject", Some("employee"), "")
        .column("report-department", None, "")
        .column("report-held", Some("held"), "date")
        .column("report-status", Some("status"), "nowrap")
        .column("report-tags", None, "")
        .column("report-flags", None, "")
        .column("report-updated", Some("updated"), "date")
        .empty("reports-empty-none", "reports-empty-filtered");
    render(&ListPage { lines: lines(t, &page.items, &tags), list, ctx })
}

#[derive(Deserialize)]
pub struct NewQuery {
    interview: Option<String>,
}

fn interview_param(raw: Option<&str>) -> AppResult<InterviewId> {
    raw.and_then(|s| s.trim().parse::<i64>().ok()).map(InterviewId::new).ok_or_else(|| {
        AppError::Invalid(domain::Invalid::new(
            "interview",
            "面談が指定されていません。面談の詳細画面から作成してください。",
            "no interview given: start from the interview's page",
        ))
    })
}

/// Older links to the report of an interview: its editor when the report is started, else the
/// interview's page, where one button starts it. A colleague's interview answers as missing.
async fn new_page(State(state): State<AppState>, Authed(p): Authed, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let interview = interview_param(q.interview.as_deref())?;
    match state.store.report_of_interview(&p.acting(Ctx::as_consultant)?, interview).await? {
        Some(id) => Ok(Redirect::to(&format!("/reports/{id}/edit")).into_response()),
        None => Ok(Redirect::to(&format!("/interviews/{interview}#report")).into_response()),
    }
}

/// Starts the report of a held interview (the button on the interview's page) and opens its
/// editor; an existing report is opened as it is.
async fn create(State(state): State<AppState>, Authed(p): Authed, form: FormPairs) -> AppResult<Response> {
    let interview = interview_param(form.first("interview"))?;
    let id = state.store.create_report(&p.acting(Ctx::as_consultant)?, interview).await?;
    Ok(Redirect::to(&format!("/reports/{id}/edit")).into_response())
}

fn report_id(raw: &str) -> AppResult<ReportId> {
    raw.parse::<i64>().map(ReportId::new).map_err(|_| AppError::NotFound)
}

/// A section with its text and the review comments on it, for display side by side.
pub struct SectionView {
    pub id: &'static str,
    pub label: &'static str,
    pub text: String,
    pub comments: Vec<CommentView>,
}

pub struct CommentView {
    pub author: String,
    pub round: i64,
    pub body: String,
    pub at: String,
}

pub struct TagChoice {
    pub code: String,
    pub label: String,
    pub checked: bool,
}

pub struct ScoreView {
    pub label: String,
    pub score: i64,
}

pub struct ReviewView {
    pub round: i64,
    pub decision: String,
    pub reviewer: String,
    pub at: String,
    pub scores: Vec<ScoreView>,
}

fn section_views(locale: Locale, d: &ReportDetail) -> Vec<SectionView> {
    let t = Tr::new(locale);
    SECTIONS
        .iter()
        .map(|s| SectionView {
            id: s,
            label: section_label(locale, s),
            text: d.sections.get(s).unwrap_or("").to_string(),
            comments: d
                .comments
                .iter()
                .filter(|c| c.section == *s)
                .map(|c| CommentView {
                    author: c.author_name.clone(),
                    round: c.round,
                    body: c.body.clone(),
                    at: c.created_at.map(|ms| t.date_time(ms)).unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

fn general_comments(t: Tr, d: &ReportDetail) -> Vec<CommentView> {
    d.comments
        .iter()
        .filter(|c| c.section == "general")
        .map(|c| CommentView {
            author: c.author_name.clone(),
            round: c.round,
            body: c.body.clone(),
            at: c.created_at.map(|ms| t.date_time(ms)).unwrap_or_default(),
        })
        .collect()
}

fn review_views(t: Tr, d: &ReportDetail, rubric: &[TaxonomyItem]) -> Vec<ReviewView> {
    d.reviews
        .iter()
        .map(|r| ReviewView {
            round: r.round,
            decision: ReportStatus::parse(&r.decision).map(|s| status_label(t, s)).unwrap_or_else(|| r.decision.clone()),
            reviewer: r.reviewer_name.clone(),
            at: r.created_at.map(|ms| t.date_time(ms)).unwrap_or_default(),
            scores: r
                .scores
                .iter()
                .map(|(code, score)| ScoreView {
                    label: rubric.iter().find(|x| &x.code == code).map(|x| x.label(t.locale).to_string()).unwrap_or_else(|| code.clone()),
                    score: *score,
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "report_show.html")]
struct ShowPage {
    ctx: PageCtx,
    id: i64,
    subject: String,
    department: String,
    held: String,
    age_band: String,
    author: String,
    status: String,
    status_code: &'static str,
    pseudonymized: bool,
    tags: String,
    flags: String,
    sections: Vec<SectionView>,
    general: Vec<CommentView>,
    reviews: Vec<ReviewView>,
    editable: bool,
    /// The author of an approved report may write disclosures from it (issue 8).
    can_disclose: bool,
    /// The author plans additional and follow-up interviews from the support plan (R7).
    can_plan_follow_ups: bool,
    can_review: bool,
    rubric: Vec<RubricChoice>,
    review_comments: Vec<CommentField>,
    general_comment: String,
    errors: FormErrors,
    notice: String,
    /// The author may raise an organizational issue from this report (its flag is set).
    can_raise_issue: bool,
    /// The author may report it to HR as an important case (it is approved).
    can_raise_case: bool,
}

/// A rubric item of the review form, with the score chosen (kept when the form is sent back).
pub struct RubricChoice {
    pub code: String,
    pub label: String,
    pub chosen: String,
}

/// A comment box of the review form: its field, the section's label, what was typed.
pub struct CommentField {
    pub field: &'static str,
    pub label: String,
    pub value: String,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn notice_text(t: Tr, key: Option<&str>) -> String {
    match key {
        Some("saved") => t.get("report-notice-saved"),
        Some("submitted") => t.get("report-notice-submitted"),
        Some("returned") => t.get("report-notice-returned"),
        Some("approved") => t.get("report-notice-approved"),
        Some("important-case") => t.get("report-notice-important-case"),
        _ => String::new(),
    }
}

async fn show(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let notice = notice_text(Tr::new(locale), q.notice.as_deref());
    show_page(&state, &p, locale, id, notice, FormErrors::none(), &FormPairs(Vec::new())).await
}

/// The report page; `typed` is the review form as sent (kept when it is sent back).
async fn show_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ReportId,
    notice: String,
    errors: FormErrors,
    typed: &FormPairs,
) -> AppResult<Response> {
    let d = state.store.read_report(&p.ctx(), id, locale).await?;
    let ctx = PageCtx::new(p, locale, "report-title", "/reports");
    let t = ctx.t;
    let tags = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let rubric = state.store.taxonomy(p.tenant.id, Taxonomy::Rubric, true).await?;
    let can_review = d.reviewable;
    let review_comments = SECTIONS
        .iter()
        .filter_map(|s| domain::report::comment_field(s).map(|f| (s, f)))
        .map(|(s, field)| CommentField {
            field,
            label: t.with("review-comment-on", "section", section_label(locale, s)),
            value: typed.text(field),
        })
        .collect();
    let line = lines(t, std::slice::from_ref(&d.summary), &tags).into_iter().next();
    let can_raise_issue =
        d.summary.is_mine && d.summary.flags.organizational_response && d.summary.status != domain::report::ReportStatus::Draft;
    let can_raise_case = d.summary.is_mine && d.summary.status == domain::report::ReportStatus::Approved;
    render(&ShowPage {
        can_raise_issue,
        can_raise_case,
        id: id.get(),
        subject: d.summary.subject.clone(),
        department: d.summary.department.clone(),
        held: held_label(t, &d.summary),
        age_band: d.age_band.clone(),
        author: d.summary.author_name.clone(),
        status: status_label(t, d.summary.status),
        status_code: d.summary.status.as_str(),
        pseudonymized: d.summary.pseudonymized,
        tags: line.as_ref().map(|l| l.tags.clone()).unwrap_or_default(),
        flags: line.map(|l| l.flags).unwrap_or_default(),
        sections: section_views(locale, &d),
        general: general_comments(t, &d),
        reviews: review_views(t, &d, &rubric),
        editable: d.editable,
        can_disclose: d.summary.is_mine && d.summary.status == domain::report::ReportStatus::Approved,
        can_plan_follow_ups: d.summary.is_mine,
        can_review,
        rubric: rubric
            .iter()
            .filter(|r| r.active)
            .map(|r| RubricChoice {
                code: r.code.clone(),
                label: r.label(locale).to_string(),
                chosen: typed.text(&format!("score_{}", r.code)).trim().to_string(),
            })
            .collect(),
        review_comments,
        general_comment: typed.text("comment_general"),
        errors,
        notice,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "report_edit.html")]
struct EditPage {
    ctx: PageCtx,
    id: i64,
    subject: String,
    held: String,
    status: String,
    version: i64,
    sections: Vec<SectionView>,
    general: Vec<CommentView>,
    tags: Vec<TagChoice>,
    life_safety: bool,
    organizational_response: bool,
    /// The escalation the raised flag opened, still covering the report: (id, its deadline).
    escalation: Option<(i64, String)>,
    escalation_summary: String,
    supervisors: Vec<(i64, String)>,
    supervisor: i64,
    errors: FormErrors,
    notice: String,
}

/// What the editor says above the form, and the supervisor chosen in it.
#[derive(Default)]
struct Said {
    errors: FormErrors,
    notice: String,
    supervisor: i64,
    /// The summary for the escalation's responders, as typed.
    escalation_summary: String,
}

async fn edit_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ReportId,
    overlay: Option<(&ReportSections, &[String], ReportFlags)>,
    said: Said,
) -> AppResult<Response> {
    let Said { errors, notice, supervisor, escalation_summary } = said;
    let d = state.store.read_report(&p.ctx(), id, locale).await?;
    if !d.editable {
        return Ok(Redirect::to(&format!("/reports/{id}")).into_response());
    }
    let ctx = PageCtx::new(p, locale, "report-edit-title", "/reports");
    let t = ctx.t;
    let all_tags = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, false).await?;
    let mut sections = section_views(locale, &d);
    let (chosen, flags): (Vec<String>, ReportFlags) = match overlay {
        Some((s, tags, flags)) => {
            for v in sections.iter_mut() {
                v.text = s.get(v.id).unwrap_or("").to_string();
            }
            (tags.to_vec(), flags)
        }
        None => (d.summary.tags.clone(), d.summary.flags),
    };
    let escalation = state.store.report_escalation(&p.acting(Ctx::as_consultant)?, id).await?.map(|e| (e.id.get(), t.date_time(e.due_at)));
    let supervisors =
        state.store.supervisors(p.tenant.id).await?.into_iter().filter(|(u, _)| *u != p.user.id).map(|(u, n)| (u.get(), n)).collect();
    render(&EditPage {
        id: id.get(),
        subject: d.summary.subject.clone(),
        held: held_label(t, &d.summary),
        status: status_label(t, d.summary.status),
        version: d.version,
        general: general_comments(t, &d),
        sections,
        tags: all_tags
            .iter()
            .map(|x| TagChoice { code: x.code.clone(), label: x.label(locale).to_string(), checked: chosen.contains(&x.code) })
            .collect(),
        life_safety: flags.life_safety,
        organizational_response: flags.organizational_response,
        escalation,
        escalation_summary,
        supervisors,
        supervisor,
        errors,
        notice,
        ctx,
    })
}

async fn edit(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let notice = notice_text(Tr::new(locale), q.notice.as_deref());
    edit_page(&state, &p, locale, id, None, Said { notice, ..Said::default() }).await
}

/// The author's form: five sections, tag checkboxes, two flags, and the version it was loaded at.
fn read_form(form: &FormPairs) -> AppResult<(ReportSections, Vec<String>, ReportFlags, i64)> {
    let mut s = ReportSections::default();
    for id in SECTIONS {
        s.set(id, form.text(id).replace("\r\n", "\n"));
    }
    let flags = ReportFlags { life_safety: form.has("life_safety"), organizational_response: form.has("organizational_response") };
    let version = form.int("version")?.ok_or_else(|| {
        AppError::Invalid(domain::Invalid::new(
            "version",
            "フォームが不完全です。画面を読み込み直してください。",
            "the form is incomplete: reload the page",
        ))
    })?;
    Ok((s, form.all("tags"), flags, version))
}

async fn save(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let (sections, tags, flags, version) = read_form(&form)?;
    let summary = form.text("escalation_summary").replace("\r\n", "\n");
    let me = p.acting(Ctx::as_consultant)?;
    match state.store.save_report_escalating(&me, id, &sections, &tags, flags, version, Some(&summary)).await {
        Ok(_) if form.has("then_submit") => submit_and_show(&state, &p, locale, id, &form).await,
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}/edit?notice=saved")).into_response()),
        // Keep what was typed on the page: a refused save must not lose the text.
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            let supervisor = form.int("supervisor").ok().flatten().unwrap_or(0);
            let said = Said { errors, supervisor, escalation_summary: summary, ..Said::default() };
            let res = edit_page(&state, &p, locale, id, Some((&sections, &tags, flags)), said).await?;
            redrawn(res, status, problems)
        }
    }
}

/// The editor drawn again with the refusal, answered with `status`. A report that is no longer
/// editable (submitted or approved meanwhile) has no editor to draw: the refusal is answered on
/// its own (an error page with its message) rather than as a redirect with an error status.
fn redrawn(editor: Response, status: axum::http::StatusCode, mut refusal: Vec<domain::Invalid>) -> AppResult<Response> {
    if editor.status().is_redirection() {
        Err(match (status, refusal.len()) {
            (axum::http::StatusCode::CONFLICT, _) if !refusal.is_empty() => AppError::Conflict(refusal.remove(0).message),
            (_, 1) => AppError::Invalid(refusal.remove(0)),
            _ => AppError::Problems(refusal),
        })
    } else {
        Ok(with_status(editor, status))
    }
}

/// Autosave from the editor's script: JSON answer with the new version.
async fn autosave(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let (sections, tags, flags, version) = read_form(&form)?;
    let summary = form.text("escalation_summary").replace("\r\n", "\n");
    let saved =
        state.store.save_report_escalating(&p.acting(Ctx::as_consultant)?, id, &sections, &tags, flags, version, Some(&summary)).await;
    match saved.map(|(v, _)| v) {
        Ok(v) => Ok(Json(serde_json::json!({ "version": v, "saved_at": Tr::new(locale).date_time(store::now_ms()) })).into_response()),
        Err(store::StoreError::Conflict(msg)) => {
            Ok((axum::http::StatusCode::CONFLICT, Json(serde_json::json!({ "error": msg.in_locale(locale) }))).into_response())
        }
        Err(store::StoreError::Invalid(inv)) => {
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "error": inv.message.in_locale(locale) })))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn submit(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    submit_and_show(&state, &p, locale, report_id(&id)?, &form).await
}

/// Submits a report for review (to the supervisor picked in the form, if any) and shows it,
/// or redraws the editor with why it cannot be submitted yet.
async fn submit_and_show(state: &AppState, p: &Principal, locale: Locale, id: ReportId, form: &FormPairs) -> AppResult<Response> {
    let supervisor = form.int("supervisor")?.map(UserId::new);
    match state.store.submit_report(&p.acting(Ctx::as_consultant)?, id, supervisor).await {
        Ok(()) => Ok(Redirect::to(&format!("/reports/{id}?notice=submitted")).into_response()),
        Err(e) => {
            // Every section still missing is said at once, beside each; the text is as saved.
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            let chosen = supervisor.map(|s| s.get()).unwrap_or(0);
            let res = edit_page(state, p, locale, id, None, Said { errors, supervisor: chosen, ..Said::default() }).await?;
            redrawn(res, status, problems)
        }
    }
}

/// The supervisor's form as typed: the decision (None when neither), the comments per section
/// (blank ones dropped), and the scores chosen (None for one that is not a number).
/// The review form as typed: decision, comments (section, text), scores (code, number).
type ReviewTyped = (Option<bool>, Vec<(String, String)>, Vec<(String, Option<i64>)>);

fn review_typed(form: &FormPairs) -> ReviewTyped {
    let approve = match form.first("decision") {
        Some("approve") => Some(true),
        Some("return") => Some(false),
        _ => None,
    };
    let comments =
        form.prefixed("comment_").into_iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k, v.replace("\r\n", "\n"))).collect();
    let scores = form
        .prefixed("score_")
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(code, v)| (code, v.trim().parse::<i64>().ok()))
        .collect();
    (approve, comments, scores)
}

/// Reads the supervisor's form whole, or every problem in it (`domain::report::review_problems`).
pub fn review_input(form: &FormPairs, rubric: &[String]) -> Result<ReviewInput, Vec<domain::Invalid>> {
    let (approve, comments, scores) = review_typed(form);
    let problems = domain::report::review_problems(approve, &comments, &scores, rubric);
    match approve {
        Some(approve) if problems.is_empty() => {
            Ok(ReviewInput { approve, comments, scores: scores.into_iter().filter_map(|(c, n)| n.map(|n| (c, n))).collect() })
        }
        _ => Err(problems),
    }
}

async fn review(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let id = report_id(&id)?;
    let rubric: Vec<String> = state.store.taxonomy(p.tenant.id, Taxonomy::Rubric, false).await?.into_iter().map(|r| r.code).collect();
    let outcome = match review_input(&form, &rubric) {
        Ok(input) => state.store.review_report(&p.acting(Ctx::as_supervisor)?, id, &input).await.map_err(AppError::from),
        Err(problems) => Err(AppError::Problems(problems)),
    };
    match outcome {
        Ok(to) => {
            let notice = if to == ReportStatus::Approved { "approved" } else { "returned" };
            Ok(Redirect::to(&format!("/reports/{id}?notice={notice}")).into_response())
        }
        // The review form comes back with every comment and score as chosen.
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors =
                FormErrors::new(Tr::new(locale), &problems).anchored(&[("scores", "review-rubric"), ("comments", "comment_general")]);
            Ok(with_status(show_page(&state, &p, locale, id, String::new(), errors, &form).await?, status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_form_is_read_whole() {
        let f = FormPairs(vec![
            ("decision".into(), "return".into()),
            ("comment_workplace".into(), "具体的に".into()),
            ("comment_general".into(), "  ".into()),
            ("score_evidence".into(), "3".into()),
            ("score_privacy".into(), "".into()),
        ]);
        let rubric = vec!["evidence".to_string(), "privacy".to_string()];
        let i = review_input(&f, &rubric).unwrap();
        assert!(!i.approve);
        assert_eq!(i.comments, vec![("workplace".to_string(), "具体的に".to_string())]);
        assert_eq!(i.scores, vec![("evidence".to_string(), 3)]);
        assert!(review_input(&FormPairs(vec![]), &rubric).is_err());
        let bare = FormPairs(vec![("decision".into(), "return".into()), ("score_evidence".into(), "x".into())]);
        let fields: Vec<&str> = review_input(&bare, &rubric).err().unwrap_or_default().iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["comment_general", "scores"], "every problem at once");
    }

    #[test]
    fn author_form_needs_a_version() {
        let f = FormPairs(vec![
            ("career_awareness".into(), "a\r\nb".into()),
            ("tags".into(), "health".into()),
            ("life_safety".into(), "on".into()),
        ]);
        assert!(read_form(&f).is_err());
        let mut pairs = f.0.clone();
        pairs.push(("version".into(), "3".into()));
        let (s, tags, flags, v) = read_form(&FormPairs(pairs)).unwrap();
        assert_eq!(s.career_awareness, "a\nb");
        assert_eq!(tags, vec!["health"]);
        assert!(flags.life_safety && !flags.organizational_response);
        assert_eq!(v, 3);
    }
}
