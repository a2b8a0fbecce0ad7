//! 上司ガイド (R8, R13): the boss reads the tenant's guide and acknowledges it (「読みました・理解しました」)
//! before any feedback is shown to them (`gate`); HR edits it per language with a preview and
//! publishes versions, and sees which bosses have acknowledged (the one list pattern).

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::boss_guide::{self, Block, GuideDraft, GuideText};
use domain::policy::Operation;
use domain::session::local_return_path;
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::{AcknowledgmentFilter, AcknowledgmentSort, BossGuide, Ctx, Direction};

pub const GUIDE_PATH: &str = "/boss/guide";
const SETTINGS_PATH: &str = "/settings/boss-guide";

pub fn routes(r: Routes) -> Routes {
    r.get(GUIDE_PATH, Operation::AcknowledgeBossGuide, guide)
        .post("/boss/guide/acknowledge", Operation::AcknowledgeBossGuide, acknowledge)
        .get(SETTINGS_PATH, Operation::EditBossGuide, settings)
        .post(SETTINGS_PATH, Operation::EditBossGuide, publish)
        .get("/settings/boss-guide/acknowledgments", Operation::EditBossGuide, acknowledgments)
}

/// The gate before a boss's feedback pages: `None` when the acting boss has acknowledged the
/// guide as it now requires; otherwise a redirect to the guide, which returns to `back` once they
/// have.
pub async fn gate(state: &AppState, p: &Principal, back: &str) -> AppResult<Option<Response>> {
    if state.store.boss_guide_acknowledged(&p.ctx()).await? {
        return Ok(None);
    }
    Ok(Some(Redirect::to(&guide_href(back)).into_response()))
}

/// The guide, returning to `back` (a path of this site) once acknowledged.
pub fn guide_href(back: &str) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("next", back);
    format!("{GUIDE_PATH}?{}", s.finish())
}

/// A part of the guide as the template draws it (escaped; the text is the tenant's).
pub struct BlockView {
    pub kind: &'static str,
    pub text: String,
    pub items: Vec<String>,
}

fn block_views(body: &str) -> Vec<BlockView> {
    boss_guide::blocks(body)
        .into_iter()
        .map(|b| match b {
            Block::Heading(text) => BlockView { kind: "heading", text, items: Vec::new() },
            Block::Paragraph(text) => BlockView { kind: "paragraph", text, items: Vec::new() },
            Block::List(items) => BlockView { kind: "list", text: String::new(), items },
        })
        .collect()
}

/// One language's guide, ready to draw.
pub struct GuideView {
    pub lang: &'static str,
    pub title: String,
    pub blocks: Vec<BlockView>,
}

impl GuideView {
    fn new(locale: Locale, text: &GuideText) -> Self {
        GuideView { lang: locale.code(), title: text.title.clone(), blocks: block_views(&text.body) }
    }
}

/// 「第3版」 / "version 3".
fn version_label(t: Tr, v: i64) -> String {
    t.with("bg-version", "version", v)
}

/// The boss's home card: whether they have acknowledged the guide, and the way to it.
pub async fn home_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let g = state.store.boss_guide(&p.acting(Ctx::as_boss)?).await?;
    let (figure, body) = match g.acknowledged {
        Some((v, at)) if g.is_acknowledged() => {
            (t.get("bg-state-done-label"), t.with2("bg-state-done", ("version", &version_label(t, v)), ("when", &t.date_time(at))))
        }
        Some((v, _)) => (
            t.get("bg-state-renew-label"),
            t.with2("bg-state-renew", ("old", &version_label(t, v)), ("version", &version_label(t, g.version))),
        ),
        None => (t.get("bg-state-pending-label"), t.get("home-boss-guide-pending")),
    };
    Ok(super::home::Card {
        key: "boss_guide",
        title: t.get("home-boss-guide-title"),
        figure,
        body: super::form::escape(&body),
        items: Vec::new(),
        href: GUIDE_PATH.to_string(),
        link: t.get("home-boss-guide-link"),
    })
}

// ---------------------------------------------------------------- the boss's guide

#[derive(Deserialize, Default)]
#[serde(default)]
struct GuideQuery {
    next: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "boss_guide.html")]
struct GuidePage {
    ctx: PageCtx,
    guide: GuideView,
    version: i64,
    version_label: String,
    /// What the boss's acknowledgment says: done (with when), to be renewed, or not yet.
    state: &'static str,
    state_label: String,
    state_text: String,
    notice: String,
    next: String,
    errors: FormErrors,
}

async fn guide_page(state: &AppState, p: &Principal, locale: Locale, q: &GuideQuery, problems: &[Invalid]) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "bg-title", GUIDE_PATH);
    let t = ctx.t;
    let g: BossGuide = state.store.boss_guide(&p.acting(Ctx::as_boss)?).await?;
    let (st, state_text) = match g.acknowledged {
        Some((v, at)) if g.is_acknowledged() => {
            ("done", t.with2("bg-state-done", ("version", &version_label(t, v)), ("when", &t.date_time(at))))
        }
        Some((v, _)) => ("renew", t.with2("bg-state-renew", ("old", &version_label(t, v)), ("version", &version_label(t, g.version)))),
        None => ("pending", t.get("bg-state-pending")),
    };
    let next = q.next.as_deref().and_then(local_return_path).unwrap_or_default().to_string();
    let notice = match (q.done.as_deref(), next.is_empty()) {
        (Some("acknowledged"), _) => t.get("bg-done-acknowledged"),
        (None, false) if st != "done" => t.get("bg-gate-notice"),
        _ => String::new(),
    };
    let errors = FormErrors::new(t, problems).anchored(&[("form", "bg-acknowledge")]);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    let page = GuidePage {
        guide: GuideView::new(locale, g.text.in_locale(locale)),
        version: g.version,
        version_label: version_label(t, g.version),
        state: st,
        state_label: t.get(&format!("bg-state-{st}-label")),
        state_text,
        notice,
        next,
        errors,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn guide(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<GuideQuery>) -> AppResult<Response> {
    guide_page(&state, &p, locale, &q, &[]).await
}

async fn acknowledge(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, form: FormPairs) -> AppResult<Response> {
    let me = p.acting(Ctx::as_boss)?;
    let version = form.int("version")?.unwrap_or(0);
    let next = form.first("next").and_then(local_return_path).map(str::to_string);
    match state.store.acknowledge_boss_guide(&me, version).await {
        Ok(_) => Ok(Redirect::to(next.as_deref().unwrap_or("/boss/guide?done=acknowledged")).into_response()),
        Err(e) => {
            let (_, problems) = sent_back(e.into())?;
            guide_page(&state, &p, locale, &GuideQuery { next, done: None }, &problems).await
        }
    }
}

// ---------------------------------------------------------------- HR: edit and publish

/// What HR typed into the editor (or the current version, when the page opens).
#[derive(Clone, Debug, Default)]
pub struct EditForm {
    pub title_ja: String,
    pub body_ja: String,
    pub title_en: String,
    pub body_en: String,
    /// 「軽微な修正のため、再確認を求めない」.
    pub minor: bool,
    pub based_on: i64,
}

impl EditForm {
    fn of(g: &BossGuide) -> Self {
        EditForm {
            title_ja: g.text.ja.title.clone(),
            body_ja: g.text.ja.body.clone(),
            title_en: g.text.en.title.clone(),
            body_en: g.text.en.body.clone(),
            minor: false,
            based_on: g.version,
        }
    }

    fn read(f: &FormPairs) -> AppResult<Self> {
        Ok(EditForm {
            title_ja: f.text("title_ja"),
            body_ja: f.text("body_ja"),
            title_en: f.text("title_en"),
            body_en: f.text("body_en"),
            minor: f.has("minor"),
            based_on: f.int("based_on")?.unwrap_or(0),
        })
    }

    fn draft(&self) -> GuideDraft {
        GuideDraft {
            ja: GuideText { title: self.title_ja.clone(), body: self.body_ja.clone() },
            en: GuideText { title: self.title_en.clone(), body: self.body_en.clone() },
        }
    }
}

pub struct VersionLine {
    pub label: String,
    pub published: String,
    pub by: String,
    pub asks: String,
    pub acknowledged_by: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "boss_guide_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    notice: String,
    current: String,
    required: String,
    versions: Vec<VersionLine>,
    form: EditForm,
    errors: FormErrors,
    /// The guide as typed, in both languages, when the preview was asked for.
    preview: Vec<GuideView>,
    title_max: usize,
    body_max: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsQuery {
    done: Option<String>,
    version: Option<i64>,
}

/// The editor as sent: what was typed, whether a preview was asked for, and what was refused.
struct Sent {
    typed: EditForm,
    preview: bool,
    problems: Vec<Invalid>,
    status: StatusCode,
}

async fn settings_page(state: &AppState, p: &Principal, locale: Locale, notice: String, sent: Option<Sent>) -> AppResult<Response> {
    let (typed, preview, problems, status) = match sent {
        Some(s) => (Some(s.typed), s.preview, s.problems, s.status),
        None => (None, false, Vec::new(), StatusCode::OK),
    };
    let ctx = PageCtx::new(p, locale, "bg-settings-title", SETTINGS_PATH);
    let t = ctx.t;
    let hr = p.acting(Ctx::as_hr)?;
    let g = state.store.boss_guide_for_hr(&hr).await?;
    let versions = state
        .store
        .boss_guide_versions(&hr)
        .await?
        .into_iter()
        .map(|v| VersionLine {
            label: version_label(t, v.version),
            published: v.published_at.map(|at| t.date_time(at)).unwrap_or_else(|| t.get("bg-product-text")),
            by: v.published_by.unwrap_or_default(),
            asks: t.get(if v.asks_acknowledgment { "bg-asks-yes" } else { "bg-asks-no" }),
            acknowledged_by: t.with("bg-people", "count", v.acknowledged_by),
            current: v.version == g.version,
        })
        .collect();
    let form = typed.unwrap_or_else(|| EditForm::of(&g));
    let preview = if preview {
        let d = form.draft();
        vec![GuideView::new(Locale::Ja, &d.ja), GuideView::new(Locale::En, &d.en)]
    } else {
        Vec::new()
    };
    let errors = FormErrors::new(t, &problems).anchored(&[
        ("title_ja", "bg-title-ja"),
        ("body_ja", "bg-body-ja"),
        ("title_en", "bg-title-en"),
        ("body_en", "bg-body-en"),
        ("form", "bg-title-ja"),
    ]);
    let page = SettingsPage {
        notice,
        current: version_label(t, g.version),
        required: version_label(t, g.required_version),
        versions,
        form,
        errors,
        preview,
        title_max: boss_guide::TITLE_JA.max,
        body_max: boss_guide::BODY_JA.max,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn settings(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Query(q): Query<SettingsQuery>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let notice = match (q.done.as_deref(), q.version) {
        (Some("published"), Some(v)) => t.with("bg-done-published", "version", version_label(t, v)),
        _ => String::new(),
    };
    settings_page(&state, &p, locale, notice, None).await
}

async fn publish(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, form: FormPairs) -> AppResult<Response> {
    let typed = EditForm::read(&form)?;
    if form.first("action") == Some("preview") {
        let notice = Tr::new(locale).get("bg-preview-notice");
        return settings_page(
            &state,
            &p,
            locale,
            notice,
            Some(Sent { typed, preview: true, problems: Vec::new(), status: StatusCode::OK }),
        )
        .await;
    }
    let hr = p.acting(Ctx::as_hr)?;
    match state.store.publish_boss_guide(&hr, &typed.draft(), !typed.minor, typed.based_on).await {
        Ok(v) => Ok(Redirect::to(&format!("{SETTINGS_PATH}?done=published&version={v}")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            settings_page(&state, &p, locale, String::new(), Some(Sent { typed, preview: false, problems, status })).await
        }
    }
}

// ---------------------------------------------------------------- HR: who has acknowledged

static ACKS: ListSpec<AcknowledgmentSort> = ListSpec {
    path: "/settings/boss-guide/acknowledgments",
    default_sort: SortOption::new("state", AcknowledgmentSort::State, Direction::Asc),
    sorts: &[
        SortOption::new("name", AcknowledgmentSort::Name, Direction::Asc),
        SortOption::new("acknowledged", AcknowledgmentSort::Acknowledged, Direction::Desc),
    ],
    filters: &["state"],
    search: true,
    per_page: 50,
};

pub struct AckLine {
    pub name: String,
    pub login: String,
    pub department: String,
    pub current: bool,
    pub state: String,
    pub version: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "boss_guide_acks.html")]
struct AcksPage {
    ctx: PageCtx,
    list: ListView,
    required: String,
    rows: Vec<AckLine>,
}

async fn acknowledgments(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "bg-acks-title", SETTINGS_PATH);
    let t = ctx.t;
    let mut params = ListParams::parse(&ACKS, raw.as_deref());
    let filter = match params.filter("state") {
        None => AcknowledgmentFilter::All,
        Some(s) => match AcknowledgmentFilter::parse(s) {
            Some(f) => f,
            None => {
                params.drop_filter("state");
                AcknowledgmentFilter::All
            }
        },
    };
    let hr = p.acting(Ctx::as_hr)?;
    let required = state.store.boss_guide_for_hr(&hr).await?.required_version;
    let page = state.store.boss_guide_acknowledgments(&hr, filter, params.search(), params.sort, params.dir, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let list = ListView::new(t, &params, page.total, page.items.len())
        .search(params.search().unwrap_or(""), "bg-acks-search", "bg-acks-search-help")
        .filter(
            "state",
            "bg-acks-state",
            params.filter("state"),
            vec![("pending".into(), t.get("bg-acks-pending")), ("acknowledged".into(), t.get("bg-acks-acknowledged"))],
        )
        .column("bg-acks-name", Some("name"), "")
        .column("bg-acks-login", None, "nowrap")
        .column("bg-acks-department", None, "")
        .column("bg-acks-state", Some("state"), "nowrap")
        .column("bg-acks-version", None, "num")
        .column("bg-acks-when", Some("acknowledged"), "date")
        .empty("bg-acks-empty", "bg-acks-empty-filtered");
    let rows = page
        .items
        .into_iter()
        .map(|r| AckLine {
            name: r.name,
            login: r.login,
            department: r.department.unwrap_or_default(),
            current: r.current,
            state: t.get(if r.current { "bg-acks-acknowledged" } else { "bg-acks-pending" }),
            version: r.acknowledged.map(|(v, _)| version_label(t, v)).unwrap_or_default(),
            when: r.acknowledged.map(|(_, at)| t.date_time(at)).unwrap_or_default(),
        })
        .collect();
    render(&AcksPage { ctx, list, required: version_label(t, required), rows })
}

#[cfg(test)]
mod tests {
    use super::guide_href;
    use crate::error::AppError;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::middleware::from_fn;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn ask(path: &str) -> (StatusCode, Option<String>, String) {
        let gated = || async { AppError::GuideNotAcknowledged };
        let app =
            Router::new().route("/feedback", get(gated)).route("/api/v1/feedback", get(gated)).layer(from_fn(crate::pages::render_errors));
        let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap_or_default()).await.unwrap_or_else(|never| match never {});
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap_or_default();
        (status, location, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A page that needs the guide leads to it and back; the API says so in its error body.
    #[tokio::test]
    async fn feedback_before_the_guide_leads_to_it() {
        let (status, location, _) = ask("/feedback?page=2").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/boss/guide?next=%2Ffeedback%3Fpage%3D2"));
        let (status, location, body) = ask("/api/v1/feedback").await;
        assert_eq!((status, location), (StatusCode::CONFLICT, None));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(v["error"]["code"], "boss_guide_not_acknowledged");
        assert!(v["error"]["message_ja"].as_str().is_some_and(|m| m.contains("上司ガイド")), "{v}");
        assert!(v["error"]["message_en"].as_str().is_some_and(|m| m.contains("/boss/guide")), "{v}");
        assert_eq!(guide_href("/feedback/3"), "/boss/guide?next=%2Ffeedback%2F3");
    }
}
