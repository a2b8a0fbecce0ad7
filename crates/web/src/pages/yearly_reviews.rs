//! The yearly review (年次レビュー, R11, R12) and the comparison of cycles.
//!
//! `/reviews` lists the reviews the reader may read (executives: final ones) and lets HR open
//! one for a closed cycle that has none; `/reviews/{cycle}` shows a review: participation, the
//! flags and issue tags beside the previous cycle's, the proposals for next year (consultants,
//! the supervisor and HR add theirs while it is a draft) and HR's improvement plan, which HR
//! saves and finalizes. `/reviews/compare` puts the newest cycles side by side, for the whole
//! population or one department, from released overall reports only. Forms sent back keep what
//! was typed.

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{grouped, ListParams, ListSpec, ListView, SortOption};
use super::overall_reports::Words;
use super::{render, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path};
use crate::i18n::Tr;
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::CycleId;
use domain::management_report::Figure;
use domain::overall_report::Measure;
use domain::policy::{decide, Operation, Target};
use domain::yearly_review::{ActionTally, AwarenessChange, Participation, ReviewState, PLAN, PROPOSAL};
use domain::Locale;
use store::{Ctx, Direction, YearlyReview};

pub fn routes(r: Routes) -> Routes {
    r.get("/reviews", Operation::ReadYearlyReviews, list)
        .post("/reviews", Operation::WriteYearlyReviews, open)
        .get("/reviews/compare", Operation::CompareCycles, comparison)
        .get("/reviews/{id}", Operation::ReadYearlyReviews, one)
        .post("/reviews/{id}/proposals", Operation::ProposeYearlyChanges, propose)
        .post("/reviews/{id}/plan", Operation::WriteYearlyReviews, save_plan)
        .post("/reviews/{id}/refresh", Operation::WriteYearlyReviews, refresh)
        .post("/reviews/{id}/finalize", Operation::WriteYearlyReviews, finalize)
}

fn may(p: &Principal, op: Operation) -> bool {
    p.actor().is_some_and(|a| decide(&a, op, Target::Route).is_allow())
}

fn state_label(t: Tr, s: ReviewState) -> String {
    t.get(&format!("yr-state-{}", s.as_str()))
}

fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_default()
}

/// A change of share in percentage points, signed (`+2.1` / `−0.4`).
fn points(t: Tr, change: Option<f64>) -> String {
    match change {
        Some(c) => {
            let v = c * 100.0;
            let sign = if v > 0.05 {
                "+"
            } else if v < -0.05 {
                "−"
            } else {
                "±"
            };
            t.with("yr-points", "value", format!("{sign}{:.1}", v.abs()))
        }
        None => "—".into(),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YrSort {
    Cycle,
}

static LIST: ListSpec<YrSort> = ListSpec {
    path: "/reviews",
    default_sort: SortOption::new("cycle", YrSort::Cycle, Direction::Desc),
    sorts: &[],
    filters: &[],
    search: false,
    per_page: 50,
};

pub struct YrLine {
    pub cycle_id: i64,
    pub cycle: String,
    pub state: String,
    pub state_code: &'static str,
    pub updated: String,
    pub finalized: String,
}

#[derive(Template)]
#[template(path = "yearly_reviews.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<YrLine>,
    can_compare: bool,
    /// Closed cycles HR may open a review for.
    openable: Vec<Choice>,
    errors: FormErrors,
}

async fn list_page(state: &AppState, p: &Principal, locale: Locale, raw: Option<&str>, errors: FormErrors) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "yr-list-title", "/reviews");
    let t = ctx.t;
    let params = ListParams::parse(&LIST, raw);
    let all = state.store.yearly_reviews(&p.ctx()).await?;
    let total = all.len() as i64;
    if let Some(last) = params.beyond_end(total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let req = params.page_request();
    let lines: Vec<YrLine> = all
        .iter()
        .skip(req.offset().max(0) as usize)
        .take(req.limit().max(0) as usize)
        .map(|r| YrLine {
            cycle_id: r.cycle.id,
            cycle: r.cycle.name.clone(),
            state: state_label(t, r.state),
            state_code: r.state.as_str(),
            updated: t.date_time(r.updated_at),
            finalized: r.finalized_at.map(|at| t.date_time(at)).unwrap_or_default(),
        })
        .collect();
    let list = ListView::new(t, &params, total, lines.len())
        .column("yr-cycle", None, "")
        .column("yr-state", None, "nowrap")
        .column("yr-updated", None, "date")
        .column("yr-finalized", None, "date")
        .empty("yr-empty", "yr-empty");
    let openable = if may(p, Operation::WriteYearlyReviews) {
        let c = p.ctx();
        state
            .store
            .cycles_without_review(&c)
            .await?
            .into_iter()
            .enumerate()
            .map(|(i, c)| Choice { value: c.id.to_string(), label: c.name, selected: i == 0 })
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.any() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(with_status(render(&ListPage { ctx, list, lines, can_compare: may(p, Operation::CompareCycles), openable, errors })?, status))
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    list_page(&state, &p, locale, raw.as_deref(), FormErrors::none()).await
}

/// HR opens the review of a closed cycle that has none.
async fn open(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let cycle = f.text("cycle").trim().parse::<i64>().ok().filter(|n| *n > 0).map(CycleId::new);
    let result = match cycle {
        Some(c) => state.store.open_yearly_review(&p.ctx(), c).await.map(|_| c).map_err(Into::into),
        None => Err(crate::error::AppError::Invalid(domain::Invalid::new(
            "cycle",
            "年次レビューを作成する実施年度を選んでください。",
            "choose the cycle to open a review for",
        ))),
    };
    match result {
        Ok(c) => Ok(Redirect::to(&format!("/reviews/{c}?done=opened")).into_response()),
        Err(e) => {
            let (_, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[("cycle", "yr-open-cycle"), ("form", "yr-open-cycle")]);
            list_page(&state, &p, locale, None, errors).await
        }
    }
}

// ---------------------------------------------------------------- one review

pub struct ProposalLine {
    pub author: String,
    pub role: String,
    pub at: String,
    pub body: String,
}

pub struct TrendRow {
    pub label: String,
    /// The tenant's own word (an issue tag), marked lang="ja".
    pub data: bool,
    pub previous: String,
    pub this: String,
    pub change: String,
}

pub struct ParticipationView {
    pub targets: String,
    pub interviewed: String,
    pub rate: String,
    pub held: String,
    pub approved: String,
}

fn participation_view(t: Tr, p: &Participation) -> ParticipationView {
    let people = |n: u64| t.with("yr-people", "count", grouped(n as i64));
    ParticipationView {
        targets: people(p.targets),
        interviewed: people(p.interviewed),
        rate: p.rate().map(|r| percent(Some(r))).unwrap_or_else(|| "—".into()),
        held: t.with("yr-times", "count", grouped(p.interviews_held as i64)),
        approved: t.with("yr-count", "count", grouped(p.reports_approved as i64)),
    }
}

/// The awareness change as the page shows it: the figures, or why there are none.
pub struct AwarenessView {
    /// Empty when the figures are hidden or missing (then `note` says why).
    pub pairs: String,
    pub pre: String,
    pub post: String,
    pub change: String,
    pub reading: String,
    pub note: String,
}

/// A score to two decimals; a change signed (`+0.32` / `−0.10`).
fn score(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

fn signed(v: Option<f64>) -> String {
    match v {
        Some(v) if v >= 0.005 => format!("+{v:.2}"),
        Some(v) if v <= -0.005 => format!("−{:.2}", v.abs()),
        Some(_) => "±0.00".into(),
        None => "—".into(),
    }
}

fn awareness_view(t: Tr, a: Option<&AwarenessChange>) -> AwarenessView {
    let empty = |note: String| AwarenessView {
        pairs: String::new(),
        pre: String::new(),
        post: String::new(),
        change: String::new(),
        reading: String::new(),
        note,
    };
    match a {
        None => empty(t.get("yr-awareness-none")),
        Some(a) if a.suppressed => empty(t.get("yr-awareness-hidden")),
        Some(a) => {
            let reading = if a.rose() {
                "yr-awareness-rose"
            } else if a.ci95_high.is_some_and(|h| h < 0.0) {
                "yr-awareness-fell"
            } else {
                "yr-awareness-unclear"
            };
            AwarenessView {
                pairs: t.with("yr-people", "count", grouped(a.n.unwrap_or(0) as i64)),
                pre: score(a.mean_pre),
                post: score(a.mean_post),
                change: t.with_args(
                    "yr-awareness-change-value",
                    &[("change", signed(a.mean_change)), ("low", signed(a.ci95_low)), ("high", signed(a.ci95_high))],
                ),
                reading: t.get(reading),
                note: String::new(),
            }
        }
    }
}

/// One cycle's awareness change in the comparison: the mean change and the pairs, hidden, or
/// "—" without a final review.
fn awareness_cell(t: Tr, a: Option<&AwarenessChange>) -> String {
    match a {
        None => "—".into(),
        Some(a) if a.suppressed => t.get("yr-hidden"),
        Some(a) => t.with_args("yr-awareness-cell", &[("change", signed(a.mean_change)), ("count", grouped(a.n.unwrap_or(0) as i64))]),
    }
}

/// The improvement actions due within the cycle, as the page shows them (empty: none).
pub struct ActionsView {
    pub total: String,
    pub done: String,
    pub open: String,
    pub overdue: String,
    pub evaluated: String,
    pub cancelled: String,
}

fn actions_view(t: Tr, a: Option<&ActionTally>) -> Option<ActionsView> {
    let a = a.filter(|a| a.counted() + a.cancelled > 0)?;
    let count = |n: u64| t.with("yr-count", "count", grouped(n as i64));
    Some(ActionsView {
        total: count(a.counted()),
        done: t.with_args(
            "yr-actions-done-value",
            &[("count", grouped(a.done as i64)), ("share", a.completion().map(|c| percent(Some(c))).unwrap_or_else(|| "—".into()))],
        ),
        open: count(a.planned + a.in_progress),
        overdue: count(a.overdue),
        evaluated: count(a.evaluated),
        cancelled: count(a.cancelled),
    })
}

/// One cycle's action completion in the comparison: done of counted, or "—".
fn actions_cell(t: Tr, a: Option<&ActionTally>) -> String {
    match a.filter(|a| a.counted() > 0) {
        Some(a) => t.with_args(
            "yr-actions-cell",
            &[
                ("done", grouped(a.done as i64)),
                ("total", grouped(a.counted() as i64)),
                ("share", a.completion().map(|c| percent(Some(c))).unwrap_or_default()),
            ],
        ),
        None => "—".into(),
    }
}

#[derive(Template)]
#[template(path = "yearly_review.html")]
struct OnePage {
    ctx: PageCtx,
    notice: String,
    cycle_id: i64,
    state: String,
    state_code: &'static str,
    finalized: String,
    computed: String,
    participation: ParticipationView,
    awareness: AwarenessView,
    actions: Option<ActionsView>,
    /// Whether the effect report's page is the reader's (HR, executives).
    may_read_effect: bool,
    release: String,
    previous: String,
    trends: Vec<TrendRow>,
    proposals: Vec<ProposalLine>,
    plan: String,
    may_propose: bool,
    may_write: bool,
    proposal: String,
    proposal_max: usize,
    plan_max: usize,
    errors: FormErrors,
}

/// What a page sent back keeps: the proposal or the plan typed, its problems and its status.
#[derive(Default)]
struct Typed {
    proposal: String,
    plan: Option<String>,
    errors: FormErrors,
    status: StatusCode,
}

async fn one_page(state: &AppState, p: &Principal, locale: Locale, cycle: CycleId, notice: String, typed: Typed) -> AppResult<Response> {
    let Typed { proposal, plan, errors, status } = typed;
    let r: YearlyReview = state.store.yearly_review(&p.ctx(), cycle).await?;
    let mut ctx = PageCtx::new(p, locale, "yr-title", "/reviews");
    let t = ctx.t;
    ctx.title_data = r.row.cycle.name.clone();
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    let f = &r.figures;
    let trends = f
        .measures
        .iter()
        .map(|m| TrendRow {
            label: words.measure(&m.measure),
            data: matches!(Measure::parse(&m.measure), Some(Measure::Tag(_))),
            previous: if f.previous.is_none() {
                "—".into()
            } else {
                m.previous.map(|s| percent(Some(s))).unwrap_or_else(|| t.get("yr-hidden"))
            },
            this: if f.release.is_none() { "—".into() } else { m.this.map(|s| percent(Some(s))).unwrap_or_else(|| t.get("yr-hidden")) },
            change: points(t, m.change()),
        })
        .collect();
    let release = match &f.release {
        Some(rel) => {
            let pop = rel.population.map(|n| t.with("yr-people", "count", grouped(n as i64))).unwrap_or_else(|| t.get("yr-hidden"));
            t.with_args("yr-release", &[("version", rel.version.to_string()), ("population", pop)])
        }
        None => t.get("yr-no-release"),
    };
    let proposals = r
        .proposals
        .iter()
        .map(|x| ProposalLine {
            author: x.author.clone(),
            role: super::role_label(t, x.role),
            at: t.date_time(x.created_at),
            body: x.body.clone(),
        })
        .collect();
    let finalized = match (r.row.finalized_at, &r.finalized_by) {
        (Some(at), Some(by)) => t.with_args("yr-finalized-by", &[("at", t.date_time(at)), ("by", by.clone())]),
        (Some(at), None) => t.date_time(at),
        _ => String::new(),
    };
    let computed = chrono::DateTime::parse_from_rfc3339(&f.computed_at).map(|d| t.date_time(d.timestamp_millis())).unwrap_or_default();
    let page = OnePage {
        notice,
        cycle_id: cycle.get(),
        state: state_label(t, r.row.state),
        state_code: r.row.state.as_str(),
        finalized,
        computed,
        participation: participation_view(t, &f.participation),
        awareness: awareness_view(t, f.awareness.as_ref()),
        actions: actions_view(t, f.actions.as_ref()),
        may_read_effect: p.actor().is_some_and(|a| {
            domain::policy::decide(&a, domain::policy::Operation::ReadEffectReport, domain::policy::Target::Route).is_allow()
        }),
        release,
        previous: f.previous.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        trends,
        proposals,
        plan: plan.unwrap_or(r.plan),
        may_propose: r.may_propose,
        may_write: r.may_write,
        proposal,
        proposal_max: PROPOSAL.max,
        plan_max: PLAN.max,
        errors,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

fn done_notice(t: Tr, raw: Option<&str>) -> String {
    let done = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).find(|(k, _)| k == "done").map(|(_, v)| v.into_owned());
    match done.as_deref() {
        Some(d @ ("opened" | "proposed" | "plan" | "refreshed" | "finalized")) => t.get(&format!("yr-done-{d}")),
        _ => String::new(),
    }
}

async fn one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let cycle: CycleId = path_id(&id)?;
    let notice = done_notice(Tr::new(locale), raw.as_deref());
    one_page(&state, &p, locale, cycle, notice, Typed::default()).await
}

const ANCHORS: &[(&str, &str)] = &[("proposal", "yr-proposal"), ("plan", "yr-plan"), ("form", "yr-plan")];

/// After a write: to the review with its notice, or the page again with the problems and
/// what was typed.
async fn after(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    cycle: CycleId,
    result: store::Result<()>,
    done: &str,
    typed: Typed,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/reviews/{cycle}?done={done}")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(ANCHORS);
            one_page(state, p, locale, cycle, String::new(), Typed { errors, status, ..typed }).await
        }
    }
}

async fn propose(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let cycle: CycleId = path_id(&id)?;
    let text = f.text("proposal");
    let result = state.store.add_review_proposal(&p.ctx(), cycle, &text).await;
    after(&state, &p, locale, cycle, result, "proposed", Typed { proposal: text, ..Typed::default() }).await
}

async fn save_plan(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let cycle: CycleId = path_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let text = f.text("plan");
    let result = state.store.save_review_plan(&me, cycle, &text).await;
    after(&state, &p, locale, cycle, result, "plan", Typed { plan: Some(text), ..Typed::default() }).await
}

async fn refresh(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let cycle: CycleId = path_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let result = state.store.refresh_yearly_review(&me, cycle).await;
    after(&state, &p, locale, cycle, result, "refreshed", Typed::default()).await
}

async fn finalize(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let cycle: CycleId = path_id(&id)?;
    let me = p.acting(Ctx::as_hr)?;
    let result = state.store.finalize_yearly_review(&me, cycle).await;
    after(&state, &p, locale, cycle, result, "finalized", Typed::default()).await
}

// ---------------------------------------------------------------- cycles side by side

pub struct CompareRow {
    pub label: String,
    pub data: bool,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "cycle_comparison.html")]
struct ComparePage {
    ctx: PageCtx,
    department: String,
    departments: Vec<Choice>,
    cycles: Vec<String>,
    /// Program counts per cycle: targets, interviewed, rate, interviews held, reports approved.
    program: Vec<CompareRow>,
    /// The released figures (population first, then flags and issue tags).
    released: Vec<CompareRow>,
    k: String,
}

fn figure_text(t: Tr, f: Option<&Figure>, has_release: bool) -> String {
    match f {
        _ if !has_release => t.get("yr-no-release-short"),
        None => "—".into(),
        Some(f) if f.suppressed => t.get("yr-hidden"),
        Some(f) if f.measure == Measure::People.code() => t.with("yr-people", "count", grouped(f.n.unwrap_or(0) as i64)),
        Some(f) => percent(f.share()),
    }
}

async fn comparison(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let department = url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, v)| k == "dept" && !v.trim().is_empty())
        .map(|(_, v)| v.into_owned());
    let c = state.store.cycle_comparison(&p.ctx(), department.as_deref()).await?;
    if let Some(d) = &department {
        // A department no release names answers as a page that does not exist.
        if !c.departments.contains(d) && c.comparison.columns.iter().all(|col| col.figures.is_empty()) {
            return Err(crate::error::AppError::NotFound);
        }
    }
    let mut ctx = PageCtx::new(&p, locale, "yr-compare-title", "/reviews/compare");
    let t = ctx.t;
    if let Some(d) = &department {
        ctx.title_data = d.clone();
    }
    let words = Words::of_tenant(&state.store, p.tenant.id, t).await?;
    let cols = &c.comparison.columns;
    let views: Vec<ParticipationView> = cols.iter().map(|col| participation_view(t, &col.participation)).collect();
    let row = |key: &str, pick: fn(&ParticipationView) -> &String| CompareRow {
        label: t.get(key),
        data: false,
        cells: views.iter().map(|v| pick(v).clone()).collect(),
    };
    let program = vec![
        row("yr-targets", |v| &v.targets),
        row("yr-interviewed", |v| &v.interviewed),
        row("yr-rate", |v| &v.rate),
        row("yr-held", |v| &v.held),
        row("yr-approved", |v| &v.approved),
    ];
    let mut program = program;
    if department.is_none() {
        // The awareness change as each final review froze it (the whole population only).
        program.push(CompareRow {
            label: t.get("yr-awareness-row"),
            data: false,
            cells: cols.iter().map(|col| awareness_cell(t, col.awareness.as_ref())).collect(),
        });
        program.push(CompareRow {
            label: t.get("yr-actions-row"),
            data: false,
            cells: cols.iter().map(|col| actions_cell(t, col.actions.as_ref())).collect(),
        });
    }
    let released = c
        .comparison
        .rows
        .iter()
        .map(|r| CompareRow {
            label: words.measure(&r.measure),
            data: matches!(Measure::parse(&r.measure), Some(Measure::Tag(_))),
            cells: r.cells.iter().zip(cols).map(|(f, col)| figure_text(t, f.as_ref(), col.release.is_some())).collect(),
        })
        .collect();
    let chosen = department.clone().unwrap_or_default();
    let mut departments = vec![Choice { value: String::new(), label: t.get("yr-whole"), selected: chosen.is_empty() }];
    departments.extend(c.departments.iter().map(|d| Choice { value: d.clone(), label: d.replace('/', " / "), selected: *d == chosen }));
    let k = p.tenant.k_threshold.to_string();
    render(&ComparePage {
        ctx,
        department: chosen,
        departments,
        cycles: cols.iter().map(|col| col.cycle.name.clone()).collect(),
        program,
        released,
        k,
    })
}

// ---------------------------------------------------------------- home card

/// The home card of HR, consultants and the supervisor: the newest review and its state
/// (a draft invites proposals), or that none is open yet.
pub async fn home_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let reviews = state.store.yearly_reviews(&p.ctx()).await?;
    let (figure, body, href, link) = match reviews.first() {
        Some(r) => {
            let cycle = format!("<span lang=\"ja\">{}</span>", super::form::escape(&r.cycle.name));
            let body = match r.state {
                ReviewState::Draft => t.with("yr-card-draft", "cycle", cycle),
                ReviewState::Final => t.with("yr-card-final", "cycle", cycle),
            };
            (state_label(t, r.state), body, format!("/reviews/{}", r.cycle.id), t.get("yr-card-open"))
        }
        None => {
            // Executives read final reviews only: say so rather than "closing a cycle opens one".
            let none = if p.role == Some(domain::Role::Executive) { "yr-card-none-final" } else { "yr-card-none" };
            (String::new(), super::form::escape(&t.get(none)), "/reviews".to_string(), t.get("yr-card-list"))
        }
    };
    Ok(super::home::Card { key: "yearly_review", title: t.get("yr-card-title"), figure, body, items: Vec::new(), href, link })
}
