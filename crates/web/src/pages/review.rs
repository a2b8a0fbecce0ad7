//! The supervisor's queue (R2): what waits for review, oldest first, with waiting times.

use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::reports::{lines, Line};
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
use store::Ctx;
use store::{Direction, PageRequest, QueueSort, ReportFilter, ReportQuery, ReportSort, Taxonomy};

pub fn routes(r: Routes) -> Routes {
    r.get("/review", Operation::ReviewReports, queue)
}

pub struct QueueLine {
    pub id: i64,
    pub subject: String,
    pub author: String,
    pub round: i64,
    pub submitted: String,
    pub waiting: String,
    pub assigned: bool,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    ctx: PageCtx,
    list: ListView,
    queue: Vec<QueueLine>,
    turnaround: String,
    recent: Vec<Line>,
}

static SPEC: ListSpec<QueueSort> = ListSpec {
    path: "/review",
    default_sort: SortOption::new("waiting", QueueSort::Waiting, Direction::Desc),
    sorts: &[SortOption::new("round", QueueSort::Round, Direction::Desc)],
    filters: &[],
    search: false,
    per_page: 50,
};

/// "3日と4時間" / "3 days 4 hours": how long something has waited.
pub fn waited(locale: domain::Locale, ms: i64) -> String {
    domain::display::duration(ms, locale)
}

async fn queue(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "review-title", "/review");
    let t = ctx.t;
    let now = store::now_ms();
    let params = ListParams::parse(&SPEC, raw.as_deref());
    let page = state.store.review_queue_page(&p.acting(Ctx::as_supervisor)?, params.sort, params.dir, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let list = ListView::new(t, &params, page.total, page.items.len())
        .column("report-subject", None, "")
        .column("report-author", None, "")
        .column("review-round-col", Some("round"), "num")
        .column("review-submitted", None, "date")
        .column("review-waited", Some("waiting"), "num")
        .empty("review-queue-empty-none", "review-queue-empty-none");
    let queue = page
        .items
        .into_iter()
        .map(|q| QueueLine {
            id: q.id.get(),
            subject: q.subject,
            author: q.author_name,
            round: q.round,
            submitted: t.date_time(q.submitted_at),
            waiting: waited(locale, now - q.submitted_at),
            assigned: q.assigned_to_me,
        })
        .collect();
    let turnaround = match state.store.review_turnaround_hours(p.tenant.id).await? {
        Some(h) => t.with("review-turnaround", "hours", domain::display::hours(h, locale)),
        None => t.get("review-turnaround-none"),
    };
    let returned = ReportQuery {
        filter: ReportFilter { status: Some(ReportStatus::Returned), ..Default::default() },
        sort: ReportSort::Updated,
        dir: Direction::Desc,
        ..Default::default()
    };
    let decided = state.store.report_page(&p.ctx(), &returned, PageRequest::first(20), locale).await?;
    let tags = state.store.taxonomy(p.tenant.id, Taxonomy::IssueTags, true).await?;
    let recent = lines(t, &decided.items, &tags);
    render(&QueuePage { ctx, list, queue, turnaround, recent })
}

#[cfg(test)]
mod tests {
    use super::waited;
    use domain::Locale;

    #[test]
    fn waiting_times_read_naturally() {
        assert_eq!(waited(Locale::Ja, 76 * 3_600_000), "3日と4時間");
        assert_eq!(waited(Locale::Ja, 5 * 3_600_000), "5時間");
        assert_eq!(waited(Locale::En, 26 * 3_600_000), "1 day 2 hours");
        assert_eq!(waited(Locale::En, 144 * 3_600_000), "6 days");
        assert_eq!(waited(Locale::En, -5), "less than an hour");
    }
}
