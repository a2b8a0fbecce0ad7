//! Life/safety escalations (生命・安全, R4): the list for responders and for the consultant who
//! raised them (open ones by deadline, overdue marked), one escalation with its summary and its
//! forms (acknowledge, ask to disclose more, approve as a second responder, close with the
//! actions taken, the consultant's summary), HR's responder settings, the employee's notices,
//! and the health staff's home cards.

use super::form::{sent_back, FormErrors, FormPairs};
use super::home::{Card, Line};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::list_terms::{term_options, vocabulary_filter};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::escalation::{DisclosureRequestState, EscalationSettings, EscalationSource, EscalationState};
use domain::ids::{EscalationId, UserId};
use domain::policy::Operation;
use domain::report::SECTIONS;
use domain::Locale;
use store::{Ctx, Direction, EscalationDetail, EscalationRow, PageRequest};

pub fn routes(r: Routes) -> Routes {
    r.get("/escalations", Operation::ViewEscalations, list)
        .get("/escalations/{id}", Operation::ViewEscalations, show)
        .post("/escalations/{id}/summary", Operation::WriteReports, summary)
        .post("/escalations/{id}/acknowledge", Operation::RespondToEscalations, acknowledge)
        .post("/escalations/{id}/disclosure-requests", Operation::RespondToEscalations, ask)
        .post("/escalations/{id}/disclosure-requests/{rid}/approve", Operation::RespondToEscalations, approve)
        .post("/escalations/{id}/close", Operation::RespondToEscalations, close)
        .get("/settings/escalations", Operation::ManageResponders, settings)
        .post("/settings/escalations", Operation::ManageResponders, save_settings)
        .get("/my/escalation-notices", Operation::DecideOwnDisclosures, notices)
}

pub(crate) use crate::path_id::path_id as parse_id;

/// The only sort: the most urgent first (open by deadline, then acknowledged, then closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    Deadline,
}

static LIST: ListSpec<Urgency> = ListSpec {
    path: "/escalations",
    default_sort: SortOption::new("deadline", Urgency::Deadline, Direction::Asc),
    sorts: &[],
    filters: &["state"],
    search: false,
    per_page: 50,
};

/// One escalation as a row reads.
pub struct RowView {
    pub id: i64,
    pub opened: String,
    pub due: String,
    pub source: String,
    pub state: String,
    pub state_code: &'static str,
    pub overdue: bool,
    pub raised_by: String,
    /// When and by whom (a name: user data), or empty.
    pub acknowledged_at: String,
    pub acknowledged_by: String,
}

fn source_label(t: Tr, s: EscalationSource) -> String {
    t.get(match s {
        EscalationSource::Report => "esc-source-report",
        EscalationSource::InterviewNote => "esc-source-note",
    })
}

fn row_view(t: Tr, r: &EscalationRow) -> RowView {
    RowView {
        id: r.id.get(),
        opened: t.date_time(r.opened_at),
        due: t.date_time(r.due_at),
        source: source_label(t, r.source),
        state: t.term(r.state),
        state_code: r.state.as_str(),
        overdue: r.overdue,
        raised_by: r.raised_by_name.clone(),
        acknowledged_at: t.date_time_opt(r.acknowledged_at),
        acknowledged_by: r.acknowledged_by_name.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "escalations.html")]
struct ListPage {
    ctx: PageCtx,
    lead: String,
    list: ListView,
    items: Vec<RowView>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "esc-title", "/escalations");
    let t = ctx.t;
    let mut params = ListParams::parse(&LIST, raw.as_deref());
    let filter = vocabulary_filter(&mut params, "state", EscalationState::parse);
    let page = state.store.escalations_page(&p.ctx(), filter, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let items: Vec<RowView> = page.items.iter().map(|r| row_view(t, r)).collect();
    let states = term_options(t, &EscalationState::ALL, EscalationState::as_str);
    let list = ListView::new(t, &params, page.total, items.len())
        .filter("state", "esc-col-state", params.filter("state"), states)
        .column("esc-col-id", None, "num")
        .column("esc-col-state", None, "nowrap")
        .column("esc-col-due", None, "date")
        .column("esc-col-opened", None, "date")
        .column("esc-col-source", None, "nowrap")
        .column("esc-col-raised-by", None, "")
        .column("esc-col-acknowledged", None, "")
        .empty("esc-empty", "esc-empty-filtered");
    let lead = t.get(match p.role {
        Some(domain::Role::Consultant) => "esc-lead-consultant",
        _ if !state.store.acts_as_responder(&p.ctx()).await? => "esc-lead-not-named",
        _ => "esc-lead-responder",
    });
    render(&ListPage { ctx, lead, list, items })
}

/// What was typed into one of the page's forms, kept when it is sent back.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    /// `summary`, `acknowledge`, `ask`, `approve-<rid>` or `close`.
    pub error_in: String,
    pub summary: Option<String>,
    pub reason: String,
    pub delay_days: String,
    pub delay_reason: String,
    pub actions: String,
}

/// A person's name inside one of our sentences: escaped and marked as the tenant's data.
fn data(s: &str) -> String {
    format!("<span lang=\"ja\">{}</span>", super::form::escape(s))
}

pub struct RequestView {
    pub id: i64,
    pub reason: String,
    pub requested: String,
    pub state: String,
    pub state_code: &'static str,
    pub approved: String,
    pub notice: String,
    pub delay_reason: String,
    /// The reader may approve it (a designated responder who did not ask, while pending).
    pub approvable: bool,
    /// The reader asked: a second responder must approve.
    pub mine: bool,
}

pub struct SectionView {
    pub label: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "escalation_show.html")]
struct ShowPage {
    ctx: PageCtx,
    row: RowView,
    summary: String,
    summary_form: String,
    actions: String,
    closed_at: String,
    requests: Vec<RequestView>,
    released: Option<store::ReleasedText>,
    released_sections: Vec<SectionView>,
    responder: bool,
    raised_by_me: bool,
    open: bool,
    acknowledged: bool,
    delay_max: i64,
    typed: Typed,
    errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: EscalationId,
    typed: Typed,
    errors: FormErrors,
) -> AppResult<Response> {
    let d: EscalationDetail = state.store.escalation(&p.ctx(), id).await?;
    let path = format!("/escalations/{id}");
    let mut ctx = PageCtx::new(p, locale, "esc-show-title", &path);
    let t = ctx.t;
    ctx.title = t.with("esc-show-title", "id", id.get());
    let settings = state.store.escalation_settings(&p.ctx()).await?;
    let requests = d
        .requests
        .iter()
        .map(|q| RequestView {
            id: q.id,
            reason: q.reason.clone(),
            requested: t.with2("esc-requested-by", ("when", &t.date_time(q.requested_at)), ("name", &data(&q.requested_by_name))),
            state: t.term(q.state),
            state_code: q.state.as_str(),
            approved: match (&q.approved_by_name, q.approved_at) {
                (Some(n), Some(at)) => t.with2("esc-approved-by", ("when", &t.date_time(at)), ("name", &data(n))),
                _ => String::new(),
            },
            notice: q.notice_at.map(|n| t.date_time(n)).unwrap_or_default(),
            delay_reason: q.delay_reason.clone().unwrap_or_default(),
            approvable: d.responder && q.state == DisclosureRequestState::Pending && q.requested_by != d.me,
            mine: q.requested_by == d.me && q.state == DisclosureRequestState::Pending,
        })
        .collect();
    let released_sections = d
        .released
        .as_ref()
        .and_then(|r| r.report.as_ref())
        .map(|s| {
            SECTIONS
                .iter()
                .map(|sec| SectionView {
                    label: super::reports::section_label(locale, sec).to_string(),
                    text: s.get(sec).unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let summary = d.summary.clone().unwrap_or_default();
    render(&ShowPage {
        row: row_view(t, &d.row),
        summary_form: typed.summary.clone().unwrap_or_else(|| summary.clone()),
        summary,
        actions: d.actions.clone().unwrap_or_default(),
        closed_at: t.date_time_opt(d.row.closed_at),
        requests,
        released: d.released.clone(),
        released_sections,
        responder: d.responder,
        raised_by_me: d.raised_by_me,
        open: d.row.state == EscalationState::Open,
        acknowledged: d.row.state == EscalationState::Acknowledged,
        delay_max: settings.notice_delay_max_days,
        typed,
        errors,
        ctx,
    })
}

async fn show(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    show_page(&state, &p, locale, id, Typed::default(), FormErrors::none()).await
}

/// After a form: back to the page, or the page again with the problems beside the form's fields.
async fn after(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: EscalationId,
    outcome: AppResult<()>,
    typed: Typed,
) -> AppResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/escalations/{id}")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let anchor = |f: &str| format!("esc-{}-{f}", typed.error_in);
            let ids: Vec<(&str, String)> =
                ["summary", "reason", "delay_days", "delay_reason", "actions", "state", "approver", "request", "form"]
                    .into_iter()
                    .map(|f| (f, anchor(if matches!(f, "state" | "approver" | "request" | "form") { "submit" } else { f })))
                    .collect();
            let anchors: Vec<(&str, &str)> = ids.iter().map(|(f, a)| (*f, a.as_str())).collect();
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&anchors);
            Ok(with_status(show_page(state, p, locale, id, typed, errors).await?, status))
        }
    }
}

async fn summary(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let text = f.text("summary").replace("\r\n", "\n");
    let outcome = async { Ok(state.store.write_escalation_summary(&p.acting(Ctx::as_consultant)?, id, &text).await?) }.await;
    after(&state, &p, locale, id, outcome, Typed { error_in: "summary".into(), summary: Some(text), ..Default::default() }).await
}

async fn acknowledge(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let outcome = async { Ok(state.store.acknowledge_escalation(&p.acting(Ctx::as_responder)?, id).await?) }.await;
    after(&state, &p, locale, id, outcome, Typed { error_in: "acknowledge".into(), ..Default::default() }).await
}

async fn ask(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let reason = f.text("reason").replace("\r\n", "\n");
    let outcome = async {
        state.store.request_escalation_disclosure(&p.acting(Ctx::as_responder)?, id, &reason).await.map(|_| ()).map_err(AppError::from)
    }
    .await;
    after(&state, &p, locale, id, outcome, Typed { error_in: "ask".into(), reason, ..Default::default() }).await
}

/// The notice's delay as typed: empty is none; anything else must be a whole number of days.
pub(crate) fn delay_days(raw: &str) -> AppResult<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    raw.parse::<i64>().map_err(|_| {
        AppError::Invalid(domain::Invalid::new(
            "delay_days",
            "遅らせる日数は整数で入力してください。",
            "the delay must be a whole number of days",
        ))
    })
}

async fn approve(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path((raw, rid)): Path<(String, String)>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let rid: i64 = parse_id(&rid)?;
    let typed = Typed {
        error_in: format!("approve-{rid}"),
        delay_days: f.text("delay_days"),
        delay_reason: f.text("delay_reason").replace("\r\n", "\n"),
        ..Default::default()
    };
    let outcome = async {
        let days = delay_days(&typed.delay_days)?;
        Ok(state.store.approve_escalation_disclosure(&p.acting(Ctx::as_responder)?, id, rid, days, &typed.delay_reason).await?)
    }
    .await;
    after(&state, &p, locale, id, outcome, typed).await
}

async fn close(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let actions = f.text("actions").replace("\r\n", "\n");
    let outcome = async { Ok(state.store.close_escalation(&p.acting(Ctx::as_responder)?, id, &actions).await?) }.await;
    after(&state, &p, locale, id, outcome, Typed { error_in: "close".into(), actions, ..Default::default() }).await
}

// ---------------------------------------------------------------- HR's responder settings

pub struct CandidateView {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub roles: String,
    pub designated: bool,
}

#[derive(Template)]
#[template(path = "escalation_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    ack_hours: String,
    delay_max: String,
    candidates: Vec<CandidateView>,
    saved: bool,
    errors: FormErrors,
}

async fn settings_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: Option<(String, String, Vec<i64>)>,
    saved: bool,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "esc-settings-title", "/settings/escalations");
    let t = ctx.t;
    let s = state.store.responder_settings(&p.acting(Ctx::as_hr)?).await?;
    let (ack_hours, delay_max, chosen) = match typed {
        Some((a, d, c)) => (a, d, Some(c)),
        None => (s.settings.ack_hours.to_string(), s.settings.notice_delay_max_days.to_string(), None),
    };
    let candidates = s
        .candidates
        .iter()
        .map(|c| CandidateView {
            id: c.user.get(),
            login: c.login.clone(),
            name: c.name.clone(),
            roles: c.roles.iter().map(|r| t.term(*r)).collect::<Vec<_>>().join(if t.locale == Locale::Ja { "・" } else { ", " }),
            designated: chosen.as_ref().map_or(c.designated, |ids| ids.contains(&c.user.get())),
        })
        .collect();
    render(&SettingsPage { ctx, ack_hours, delay_max, candidates, saved, errors })
}

async fn settings(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let saved = raw.as_deref() == Some("saved=1");
    settings_page(&state, &p, locale, None, saved, FormErrors::none()).await
}

fn whole(field: &'static str, raw: &str) -> Result<i64, domain::Invalid> {
    raw.trim().parse::<i64>().map_err(|_| domain::Invalid::new(field, "整数で入力してください。", "enter a whole number"))
}

async fn save_settings(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let (ack, delay) = (f.text("ack_hours"), f.text("notice_delay_max_days"));
    let chosen: Vec<i64> = f.all("responders").iter().filter_map(|v| v.trim().parse::<i64>().ok()).collect();
    let outcome: AppResult<()> = async {
        let mut problems = Vec::new();
        let a = whole("ack_hours", &ack).map_err(|e| problems.push(e)).ok();
        let d = whole("notice_delay_max_days", &delay).map_err(|e| problems.push(e)).ok();
        let (Some(a), Some(d)) = (a, d) else { return Err(AppError::Problems(problems)) };
        let settings = EscalationSettings::check(a, d).map_err(AppError::Problems)?;
        let ids: Vec<UserId> = chosen.iter().map(|i| UserId::new(*i)).collect();
        Ok(state.store.save_responder_settings(&p.acting(Ctx::as_hr)?, settings, &ids).await?)
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to("/settings/escalations?saved=1").into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[
                ("ack_hours", "esc-ack-hours"),
                ("notice_delay_max_days", "esc-delay-max"),
                ("responders", "esc-responders"),
                ("form", "esc-ack-hours"),
            ]);
            Ok(with_status(settings_page(&state, &p, locale, Some((ack, delay, chosen)), false, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- the employee's notices

pub struct NoticeView {
    pub when: String,
    pub told: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "my_escalation_notices.html")]
struct NoticesPage {
    ctx: PageCtx,
    items: Vec<NoticeView>,
}

async fn notices(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "esc-notices-title", "/my/escalation-notices");
    let t = ctx.t;
    let items = state
        .store
        .own_escalation_notices(&p.acting(Ctx::as_employee)?)
        .await?
        .into_iter()
        .map(|n| NoticeView { when: t.date_time(n.approved_at), told: t.date_time(n.notice_at), reason: n.reason })
        .collect();
    render(&NoticesPage { ctx, items })
}

// ---------------------------------------------------------------- health staff's home

/// The health staff's home: open escalations by deadline (overdue first), and referrals
/// addressed to them (waiting for their answer, and in care).
pub(crate) async fn health_cards(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    let page = state.store.escalations_page(&p.ctx(), Some(EscalationState::Open), PageRequest::first(5)).await?;
    let card = |key: &'static str, href: &str| Card {
        key,
        title: t.get(&format!("home-{}-title", key.replace('_', "-"))),
        figure: String::new(),
        body: String::new(),
        items: Vec::new(),
        href: href.to_string(),
        link: t.get(&format!("home-{}-link", key.replace('_', "-"))),
    };
    let mut escalations = card("escalations", "/escalations");
    if page.total == 0 {
        escalations.body = t.get("home-escalations-empty");
    } else {
        let overdue = page.items.iter().filter(|r| r.overdue).count();
        escalations.figure = t.with("home-count", "count", page.total);
        escalations.body = if overdue > 0 { t.with("home-escalations-overdue", "count", overdue) } else { t.get("home-escalations-body") };
        escalations.items = page
            .items
            .iter()
            .map(|r| Line {
                href: format!("/escalations/{}", r.id),
                text: t.with("home-escalation-line", "id", r.id.get()),
                meta: if r.overdue {
                    t.with("home-escalation-overdue", "due", t.date_time(r.due_at))
                } else {
                    t.with("home-escalation-due", "due", t.date_time(r.due_at))
                },
                start_report: None,
            })
            .collect();
    }
    let referrals = super::referrals::health_card(state, p, t).await?;
    Ok(vec![escalations, referrals])
}
