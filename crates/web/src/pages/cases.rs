//! Shared cases (R2): colleagues' approved reports, pseudonymized, for learning.

use super::reports::{lines, Line};
use super::{render, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::{AppResult, Query};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::policy::Operation;
use domain::report::ReportStatus;
use serde::Deserialize;
use store::{ReportFilter, Taxonomy};

pub fn routes(r: Routes) -> Routes {
    r.get("/cases", Operation::ReadReports, list)
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    tag: String,
    tags: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct CasesQuery {
    tag: Option<String>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<CasesQuery>) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "cases-title", "/cases");
    let t = ctx.t;
    let filter = ReportFilter { status: Some(ReportStatus::Approved), shared_only: true, ..Default::default() };
    let mut items = state.store.list_reports(&p.ctx(), &filter, locale).await?;
    let tag = q.tag.unwrap_or_default();
    if !tag.is_empty() {
        items.retain(|r| r.tags.contains(&tag));
    }
    let all = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let tags = all.iter().filter(|x| x.active).map(|x| (x.code.clone(), x.label(locale).to_string())).collect();
    render(&CasesPage { lines: lines(t, &items, &all), tag, tags, ctx })
}
