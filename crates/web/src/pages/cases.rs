//! Shared cases (R2): colleagues' approved reports, pseudonymized, for learning. Searched by
//! what the reader sees (the pseudonym, the tags' names; never a real name), narrowed by tag and
//! cycle, sorted by period or tag, a page at a time.

use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::reports::{cycle_options, lines, Line};
use super::{render, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Operation;
use domain::report::ReportStatus;
use store::{Direction, ReportFilter, ReportQuery, ReportSort, Taxonomy};

pub fn routes(r: Routes) -> Routes {
    r.get("/cases", Operation::ReadReports, list)
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<Line>,
}

static SPEC: ListSpec<ReportSort> = ListSpec {
    path: "/cases",
    default_sort: SortOption::new("period", ReportSort::Held, Direction::Desc),
    sorts: &[SortOption::new("tag", ReportSort::Tag, Direction::Asc)],
    filters: &["tag", "cycle"],
    search: true,
    per_page: 50,
};

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "cases-title", "/cases");
    let t = ctx.t;
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let all = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let tag = params.filter("tag").filter(|c| all.iter().any(|x| x.code == *c)).map(str::to_string);
    if tag.is_none() {
        params.drop_filter("tag");
    }
    let cycles = cycle_options(&state, p.tenant.id).await?;
    let cycle = params.filter("cycle").and_then(|c| cycles.iter().find(|(id, _)| id == c)).and_then(|(id, _)| id.parse::<i64>().ok());
    if cycle.is_none() {
        params.drop_filter("cycle");
    }
    let query = ReportQuery {
        filter: ReportFilter { cycle, status: Some(ReportStatus::Approved), mine_only: false, shared_only: true },
        search: params.search().map(str::to_string),
        tag: tag.clone(),
        sort: params.sort,
        dir: params.dir,
    };
    let page = state.store.report_page(&p.ctx(), &query, params.page_request(), locale).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let tags = all.iter().filter(|x| x.active).map(|x| (x.code.clone(), x.label(locale).to_string())).collect();
    let cycle_code = params.filter("cycle").map(str::to_string);
    let list = ListView::new(t, &params, page.total, page.items.len())
        .search(&params.q, "cases-search", "cases-search-help")
        .filter("tag", "cases-tag", tag.as_deref(), tags)
        .filter("cycle", "reports-cycle", cycle_code.as_deref(), cycles)
        .user_data()
        .column("report-subject", None, "")
        .column("report-department", None, "")
        .column("cases-period", Some("period"), "date")
        .column("report-tags", Some("tag"), "")
        .column("report-flags", None, "")
        .empty("cases-empty-none", "cases-empty-filtered");
    render(&CasesPage { lines: lines(t, &page.items, &all), list, ctx })
}
