//! お知らせ: every role's inbox of notices (issue 8). A notice says what kind of thing waits and
//! when, and leads to it; 「開く」 marks it read and goes there, 「既読にする」 and 「すべて既読にする」
//! only mark. The header shows the unread count on every page ([`HeaderNotices`]). Another
//! user's notice answers exactly as one that does not exist.

use super::form::FormPairs;
use super::list::{grouped, ListParams, ListSpec, ListView, SortOption};
use super::{render, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::notification::{valid_link, NotificationKind};
use domain::policy::Operation;
use store::{Direction, InboxFilter, UNREAD_COUNT_CAP};

pub fn routes(r: Routes) -> Routes {
    r.get("/notifications", Operation::ViewNotifications, inbox)
        .post("/notifications/read-all", Operation::ViewNotifications, read_all)
        .post("/notifications/{id}/open", Operation::ViewNotifications, open)
        .post("/notifications/{id}/read", Operation::ViewNotifications, read)
}

/// The header's link to the inbox.
#[derive(Clone, Debug, Default)]
pub struct HeaderNotices {
    /// Whether the link is shown (signed in, acting in a role).
    pub shown: bool,
    pub unread: i64,
    /// The figure in the badge: "3", or "99+".
    pub count: String,
    /// What a screen reader hears after the link's name: 「（未読 3件）」.
    pub label: String,
}

impl HeaderNotices {
    pub fn new(t: Tr, p: &Principal) -> Self {
        let unread = p.unread_notices.max(0);
        let many = unread >= UNREAD_COUNT_CAP;
        HeaderNotices {
            shown: p.role.is_some(),
            unread,
            count: if many { "99+".to_string() } else { unread.to_string() },
            label: if many { t.get("notifications-unread-many") } else { t.with("notifications-unread-count", "count", grouped(unread)) },
        }
    }
}

/// The inbox has one order, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeSort {
    Newest,
}

static INBOX: ListSpec<NoticeSort> = ListSpec {
    path: "/notifications",
    default_sort: SortOption::new("newest", NoticeSort::Newest, Direction::Desc),
    sorts: &[],
    filters: &["show"],
    search: false,
    per_page: 20,
};

/// The list's state from a query string or a form's `back` field; only the list's own parameters.
fn list_params(back: &str) -> ListParams<NoticeSort> {
    let query = back.trim().strip_prefix(INBOX.path).and_then(|q| q.strip_prefix('?')).unwrap_or("");
    let mut params = ListParams::parse(&INBOX, Some(query));
    if params.filter("show").is_some_and(|s| !matches!(InboxFilter::parse(s), Some(InboxFilter::Unread | InboxFilter::Read))) {
        params.drop_filter("show");
    }
    params
}

fn with_done(params: &ListParams<NoticeSort>, done: &[(&str, String)]) -> String {
    let mut href = params.href(params.page);
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in done {
        s.append_pair(k, v);
    }
    href.push(if href.contains('?') { '&' } else { '?' });
    href.push_str(&s.finish());
    href
}

pub struct NoticeView {
    pub id: i64,
    pub what: String,
    pub when: String,
    pub unread: bool,
    pub emailed: bool,
    pub open_label: String,
    pub read_label: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct InboxPage {
    ctx: PageCtx,
    notice: String,
    list: ListView,
    back: String,
    items: Vec<NoticeView>,
    any_unread: bool,
    /// Whether notices are also e-mailed, and the sentence saying so (通知の設定).
    email_on: bool,
    email_status: String,
}

fn what(t: Tr, kind: Option<NotificationKind>) -> String {
    kind.map_or_else(|| t.get("term-notice-other"), |k| t.term(k))
}

async fn inbox(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let raw = raw.unwrap_or_default();
    let params = list_params(&format!("{}?{raw}", INBOX.path));
    let ctx = PageCtx::new(&p, locale, "notifications-title", "/notifications");
    let t = ctx.t;
    let filter = params.filter("show").and_then(InboxFilter::parse).unwrap_or(InboxFilter::All);
    let page = state.store.notifications_page(&p.ctx(), filter, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let done: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    let done_value = |k: &str| done.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let notice = match done_value("done") {
        Some("read") => t.get("notifications-done-read"),
        Some("all") => {
            t.with("notifications-done-all-read", "count", grouped(done_value("count").and_then(|c| c.parse().ok()).unwrap_or(0)))
        }
        _ => String::new(),
    };
    let items: Vec<NoticeView> = page
        .items
        .iter()
        .map(|n| {
            let what = what(t, n.kind);
            let when = t.date_time(n.created_at);
            NoticeView {
                id: n.id.get(),
                open_label: t.with2("notifications-open-label", ("what", &what), ("when", &when)),
                read_label: t.with2("notifications-mark-read-label", ("what", &what), ("when", &when)),
                what,
                when,
                unread: n.read_at.is_none(),
                emailed: n.emailed_at.is_some(),
            }
        })
        .collect();
    let any_unread = p.unread_notices > 0;
    let shows = [InboxFilter::Unread, InboxFilter::Read]
        .into_iter()
        .map(|f| (f.as_str().to_string(), t.get(&format!("notifications-filter-{}", f.as_str()))))
        .collect();
    let list = ListView::new(t, &params, page.total, items.len())
        .filter("show", "notifications-filter", params.filter("show"), shows)
        .column("notifications-col-what", None, "")
        .column("notifications-col-when", None, "date")
        .column("notifications-col-state", None, "nowrap")
        .column("notifications-col-actions", None, "nowrap")
        .empty("notifications-empty", "notifications-empty-filtered");
    let back = params.href(params.page);
    let (email_on, email_status) = super::notice_settings::email_status(t, &state.store.own_email_settings(&p.ctx()).await?);
    render(&InboxPage { ctx, notice, list, back, items, any_unread, email_on, email_status })
}

use crate::path_id::path_id as parse_id;

/// 「開く」: marks the notice read and goes where it leads (a path of this application only).
async fn open(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Response> {
    let n = state.store.mark_notification_read(&p.ctx(), parse_id(&raw)?).await?;
    let to = if valid_link(&n.link) { n.link } else { INBOX.path.to_string() };
    Ok(Redirect::to(&to).into_response())
}

/// 「既読にする」: back to the list where it was.
async fn read(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>, f: FormPairs) -> AppResult<Response> {
    state.store.mark_notification_read(&p.ctx(), parse_id(&raw)?).await?;
    Ok(Redirect::to(&with_done(&list_params(&f.text("back")), &[("done", "read".into())])).into_response())
}

/// 「すべて既読にする」.
async fn read_all(State(state): State<AppState>, Authed(p): Authed, f: FormPairs) -> AppResult<Response> {
    let n = state.store.mark_all_notifications_read(&p.ctx()).await?;
    let params = list_params(&f.text("back"));
    Ok(Redirect::to(&with_done(&params, &[("done", "all".into()), ("count", n.to_string())])).into_response())
}
