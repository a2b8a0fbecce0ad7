//! The program's policy documents (方針・規程, R10): every role reads the current version of
//! each and its history (`/policies`, `/policies/{id}`, `?version=N` for an older one, shown
//! read-only); HR publishes a new document or a new version (the older ones are kept).

use super::form::{sent_back, FormErrors, FormPairs};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{decide, Operation, Target};
use domain::policy_document::{blocks, Block, DOC_APPROVER, DOC_BODY, DOC_TITLE};
use domain::Locale;
use serde::Deserialize;
use store::{Ctx, PolicyDocumentId, PolicyDocumentVersion};

pub fn routes(r: Routes) -> Routes {
    r.get("/policies", Operation::ReadPolicyDocuments, list)
        .get("/policies/new", Operation::ManagePolicyDocuments, new_form)
        .post("/policies", Operation::ManagePolicyDocuments, create)
        .get("/policies/{id}", Operation::ReadPolicyDocuments, one)
        .get("/policies/{id}/revise", Operation::ManagePolicyDocuments, revise_form)
        .post("/policies/{id}/revise", Operation::ManagePolicyDocuments, revise)
}

const PATH: &str = "/policies";

fn doc_id(raw: &str) -> AppResult<PolicyDocumentId> {
    crate::path_id::path_id::<i64>(raw).map(PolicyDocumentId::new)
}

fn can_manage(p: &Principal) -> bool {
    p.actor().is_some_and(|a| decide(&a, Operation::ManagePolicyDocuments, Target::Route).is_allow())
}

pub struct DocLine {
    pub href: String,
    pub title: String,
    pub version: String,
    pub approved: String,
}

fn approved(t: Tr, v: &PolicyDocumentVersion) -> String {
    t.with2("policy-approved", ("date", &t.date(v.approved_on)), ("by", &v.approved_by))
}

fn doc_line(t: Tr, v: &PolicyDocumentVersion, href: String) -> DocLine {
    DocLine { href, title: v.title.clone(), version: t.with("policy-version", "version", v.version), approved: approved(t, v) }
}

#[derive(Template)]
#[template(path = "policies.html")]
struct ListPage {
    ctx: PageCtx,
    docs: Vec<DocLine>,
    can_manage: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "policies-title", PATH);
    let t = ctx.t;
    let docs = state.store.policy_documents(&p.ctx()).await?;
    let docs = docs.iter().map(|d| doc_line(t, &d.current, format!("/policies/{}", d.current.document))).collect();
    render(&ListPage { docs, can_manage: can_manage(&p), ctx })
}

/// A block of a body as the page draws it (text only; the template escapes it).
pub struct BlockView {
    pub kind: &'static str,
    pub lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct OnePage {
    ctx: PageCtx,
    id: i64,
    title: String,
    version: String,
    approved: String,
    is_current: bool,
    current_href: String,
    blocks: Vec<BlockView>,
    history: Vec<DocLine>,
    notice: String,
    can_manage: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OneQuery {
    version: Option<String>,
    saved: Option<String>,
}

async fn one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<OneQuery>,
) -> AppResult<Response> {
    let id = doc_id(&id)?;
    let d = state.store.policy_document(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(&p, locale, "policies-title", PATH);
    let t = ctx.t;
    let shown = match q.version.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => d.current.clone(),
        Some(v) => {
            let n = v.parse::<i64>().map_err(|_| AppError::NotFound)?;
            d.history.iter().find(|h| h.version == n).cloned().ok_or(AppError::NotFound)?
        }
    };
    ctx.title = shown.title.clone();
    let blocks = blocks(&shown.body)
        .into_iter()
        .map(|b| match b {
            Block::Heading(h) => BlockView { kind: "h", lines: vec![h] },
            Block::Paragraph(l) => BlockView { kind: "p", lines: l },
            Block::List(l) => BlockView { kind: "ul", lines: l },
        })
        .collect();
    let history = d.history.iter().map(|v| doc_line(t, v, format!("/policies/{id}?version={}", v.version))).collect();
    render(&OnePage {
        id: id.get(),
        title: shown.title.clone(),
        version: t.with("policy-version", "version", shown.version),
        approved: approved(t, &shown),
        is_current: shown.version == d.current.version,
        current_href: format!("/policies/{id}"),
        blocks,
        history,
        notice: if q.saved.is_some() { t.get("policy-saved") } else { String::new() },
        can_manage: can_manage(&p),
        ctx,
    })
}

#[derive(Template)]
#[template(path = "policy_form.html")]
struct FormPage {
    ctx: PageCtx,
    action: String,
    cancel: String,
    title: String,
    body: String,
    approved_on: String,
    approved_by: String,
    title_max: usize,
    body_max: usize,
    approver_max: usize,
    errors: FormErrors,
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    p: &Principal,
    locale: Locale,
    doc: Option<PolicyDocumentId>,
    title: String,
    body: String,
    approved_on: String,
    approved_by: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, if doc.is_some() { "policy-revise-title" } else { "policy-new-title" }, PATH);
    let (action, cancel) = match doc {
        Some(d) => (format!("/policies/{d}/revise"), format!("/policies/{d}")),
        None => ("/policies".to_string(), PATH.to_string()),
    };
    render(&FormPage {
        ctx,
        action,
        cancel,
        title,
        body,
        approved_on,
        approved_by,
        title_max: DOC_TITLE.max,
        body_max: DOC_BODY.max,
        approver_max: DOC_APPROVER.max,
        errors,
    })
}

async fn new_form(Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    form_page(&p, locale, None, String::new(), String::new(), String::new(), String::new(), FormErrors::none())
}

async fn revise_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let id = doc_id(&id)?;
    let d = state.store.policy_document(&p.ctx(), id).await?;
    let c = d.current;
    form_page(&p, locale, Some(id), c.title, c.body, String::new(), c.approved_by, FormErrors::none())
}

async fn save(state: &AppState, p: &Principal, locale: Locale, doc: Option<PolicyDocumentId>, f: FormPairs) -> AppResult<Response> {
    let me = p.acting(Ctx::as_hr)?;
    let (title, body, on, by) = (f.text("title"), f.text("body"), f.text("approved_on"), f.text("approved_by"));
    match state.store.publish_policy_document(&me, doc, &title, &body, &on, &by).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/policies/{id}?saved=1")).into_response()),
        Err(e) => {
            let (code, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(form_page(p, locale, doc, title, body, on, by, errors)?, code))
        }
    }
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    save(&state, &p, locale, None, f).await
}

async fn revise(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = doc_id(&id)?;
    // Another tenant's or a missing document answers as not found before anything is checked.
    state.store.policy_document(&p.ctx(), id).await?;
    save(&state, &p, locale, Some(id), f).await
}

/// The home card of the policy documents (every role reads them): how many, and the newest
/// approval date.
pub async fn home_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let docs = state.store.policy_documents(&p.ctx()).await?;
    let card = super::home::Card::named(t, "policies", PATH);
    let Some(latest) = docs.iter().map(|d| d.current.approved_on).max() else {
        return Ok(card.with_body(t.get("home-policies-empty")));
    };
    Ok(card
        .with_figure(t.with("home-count", "count", docs.len()))
        .with_body(t.with_args("home-policies-body", &[("count", docs.len().to_string()), ("date", t.date(latest))])))
}
