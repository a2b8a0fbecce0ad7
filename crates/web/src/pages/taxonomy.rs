//! HR's settings of the tenant's issue tags and review rubric (R13).

use super::form::FormPairs;
use super::{render, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::{AppError, AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Operation;
use store::{Taxonomy, TaxonomyItem};

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

#[derive(Template)]
#[template(path = "taxonomy.html")]
struct TaxonomyPage {
    ctx: PageCtx,
    tags: Vec<TaxonomyItem>,
    rubric: Vec<TaxonomyItem>,
}

async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let tags = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let rubric = state.store.taxonomy(p.tenant.id, Taxonomy::Rubric, true).await?;
    render(&TaxonomyPage { ctx: PageCtx::new(&p, locale, "taxonomy-title", "/settings/taxonomy"), tags, rubric })
}

async fn add(State(state): State<AppState>, Authed(p): Authed, Path(k): Path<String>, form: FormPairs) -> AppResult<Response> {
    let which = kind(&k)?;
    state.store.add_taxonomy_item(&p.ctx(), which, &form.text("label_ja"), &form.text("label_en")).await?;
    Ok(Redirect::to("/settings/taxonomy").into_response())
}

async fn update(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path((k, id)): Path<(String, String)>,
    form: FormPairs,
) -> AppResult<Response> {
    let which = kind(&k)?;
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    state.store.update_taxonomy_item(&p.ctx(), which, id, &form.text("label_ja"), &form.text("label_en"), form.has("active")).await?;
    Ok(Redirect::to("/settings/taxonomy").into_response())
}
