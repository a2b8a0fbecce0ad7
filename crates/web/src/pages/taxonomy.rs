//! HR's settings of the tenant's issue tags and review rubric (R13).

use super::form::{sent_back, FormErrors, FormPairs};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Operation;
use domain::{Invalid, Locale};
use store::Taxonomy;

pub fn routes(r: Routes) -> Routes {
    r.get("/settings/taxonomy", Operation::ManageTaxonomy, page).post("/settings/taxonomy/{kind}", Operation::ManageTaxonomy, add).post(
        "/settings/taxonomy/{kind}/{id}",
        Operation::ManageTaxonomy,
        update,
    )
}

fn kind(raw: &str) -> AppResult<Taxonomy> {
    match raw {
        "tags" => Ok(Taxonomy::IssueTags),
        "rubric" => Ok(Taxonomy::Rubric),
        _ => Err(AppError::NotFound),
    }
}

/// An item of a list as its row form shows it (as typed, when that form was sent back).
pub struct ItemView {
    pub id: i64,
    pub label_ja: String,
    pub label_en: String,
    pub active: bool,
    pub sent_back: bool,
}

/// One list (issue tags or rubric) with its rows and the form that adds to it.
pub struct ListView {
    pub kind: &'static str,
    pub items: Vec<ItemView>,
    pub new_ja: String,
    pub new_en: String,
    pub new_sent_back: bool,
}

#[derive(Template)]
#[template(path = "taxonomy.html")]
struct TaxonomyPage {
    ctx: PageCtx,
    lists: Vec<ListView>,
    errors: FormErrors,
}

/// Which form was sent back: the list's kind, the item (None for the add form), and the
/// labels as typed.
struct Typed<'a> {
    kind: &'a str,
    item: Option<i64>,
    ja: String,
    en: String,
    active: bool,
}

async fn taxonomy_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: Option<&Typed<'_>>,
    problems: &[Invalid],
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "taxonomy-title", "/settings/taxonomy");
    let mut lists = Vec::new();
    for (kind, which) in [("tags", Taxonomy::IssueTags), ("rubric", Taxonomy::Rubric)] {
        let here = typed.filter(|t| t.kind == kind);
        let items = state
            .store
            .taxonomy(p.tenant.id, which, true)
            .await?
            .into_iter()
            .map(|it| match here.filter(|t| t.item == Some(it.id)) {
                Some(t) => ItemView { id: it.id, label_ja: t.ja.clone(), label_en: t.en.clone(), active: t.active, sent_back: true },
                None => ItemView { id: it.id, label_ja: it.label_ja, label_en: it.label_en, active: it.active, sent_back: false },
            })
            .collect();
        let adding = here.filter(|t| t.item.is_none());
        lists.push(ListView {
            kind,
            items,
            new_ja: adding.map(|t| t.ja.clone()).unwrap_or_default(),
            new_en: adding.map(|t| t.en.clone()).unwrap_or_default(),
            new_sent_back: adding.is_some(),
        });
    }
    let anchor = |prefix: &str| match typed {
        Some(t) => match t.item {
            Some(id) => format!("{prefix}-{}-{id}", t.kind),
            None => format!("new-{prefix}-{}", t.kind),
        },
        None => String::new(),
    };
    let (ja, en) = (anchor("ja"), anchor("en"));
    let errors = FormErrors::new(ctx.t, problems).anchored(&[("label_ja", &ja), ("label_en", &en), ("form", &ja)]);
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(with_status(render(&TaxonomyPage { ctx, lists, errors })?, status))
}

async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    taxonomy_page(&state, &p, locale, None, &[]).await
}

async fn add(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(k): Path<String>,
    form: FormPairs,
) -> AppResult<Response> {
    let which = kind(&k)?;
    match state.store.add_taxonomy_item(&p.ctx(), which, &form.text("label_ja"), &form.text("label_en")).await {
        Ok(_) => Ok(Redirect::to("/settings/taxonomy").into_response()),
        Err(e) => {
            let (_, problems) = sent_back(e.into())?;
            let typed = Typed { kind: &k, item: None, ja: form.text("label_ja"), en: form.text("label_en"), active: true };
            taxonomy_page(&state, &p, locale, Some(&typed), &problems).await
        }
    }
}

async fn update(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path((k, id)): Path<(String, String)>,
    form: FormPairs,
) -> AppResult<Response> {
    let which = kind(&k)?;
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    match state.store.update_taxonomy_item(&p.ctx(), which, id, &form.text("label_ja"), &form.text("label_en"), form.has("active")).await {
        Ok(()) => Ok(Redirect::to("/settings/taxonomy").into_response()),
        Err(e) => {
            let (_, problems) = sent_back(e.into())?;
            let typed =
                Typed { kind: &k, item: Some(id), ja: form.text("label_ja"), en: form.text("label_en"), active: form.has("active") };
            taxonomy_page(&state, &p, locale, Some(&typed), &problems).await
        }
    }
}
