//! The caller's notices as JSON (`/api/v1/notifications`): what kind, when, and the path of the
//! thing in the application; never personal content. Every role has an inbox.

use super::employees::ListQuery;
use super::openapi::ErrorBody;
use super::tokens::rfc3339;
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use store::{InboxFilter, NotificationRow, PageRequest};
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/notifications", Operation::ViewNotifications, list)
}

#[derive(OpenApi)]
#[openapi(
    paths(list),
    components(schemas(NotificationList, Notification)),
    tags((name = "notifications", description = "The caller's notices (お知らせ)"))
)]
pub struct NotificationsApi;

/// One page of the caller's notices, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Notices matching `state`, over all pages.
    pub total: i64,
    /// The caller's unread notices (counted up to 100).
    pub unread: i64,
    pub items: Vec<Notification>,
    pub limit: i64,
    pub offset: i64,
}

/// A notice: what kind of thing waits, when, and where it is. The record behind `link` answers
/// by the same rules as any other read (404 when it may no longer be seen).
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    #[schema(example = 12)]
    pub id: i64,
    /// `disclosure_requested`, `disclosure_decided`, `disclosure_shared`, `escalation_raised`,
    /// `escalation_overdue`, `escalation_approval_requested`, `escalation_disclosure_notice`,
    /// `important_case_shared`, `org_issue_raised`, `boss_guide_updated` (a newer server may add kinds).
    #[schema(example = "disclosure_requested")]
    pub kind: String,
    /// A path of the application's pages.
    #[schema(example = "/my/consents")]
    pub link: String,
    #[schema(format = DateTime, example = "2026-05-12T01:00:00.000Z")]
    pub created_at: String,
    pub read: bool,
    #[schema(format = DateTime, example = "2026-05-12T02:30:00.000Z")]
    pub read_at: Option<String>,
    /// When its e-mail was accepted by the mail server (when SMTP is configured).
    #[schema(format = DateTime)]
    pub emailed_at: Option<String>,
}

impl From<&NotificationRow> for Notification {
    fn from(n: &NotificationRow) -> Self {
        Notification {
            id: n.id.get(),
            kind: n.kind.map_or("other", |k| k.as_str()).to_string(),
            link: n.link.clone(),
            created_at: rfc3339(n.created_at),
            read: n.read_at.is_some(),
            read_at: n.read_at.map(rfc3339),
            emailed_at: n.emailed_at.map(rfc3339),
        }
    }
}

/// `state`: all (default), unread or read; the paging of the other lists.
fn parse(raw: Option<&str>) -> Result<(InboxFilter, ListQuery), Invalid> {
    let mut filter = None;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "state" && filter.is_none() {
            filter = Some(InboxFilter::parse(v.trim()).ok_or_else(|| {
                let v = super::echo(&v);
                Invalid::new(
                    "state",
                    format!("state には all、unread、read のいずれかを指定してください（指定値:「{v}」）。"),
                    format!("state must be all, unread or read (got \"{v}\")"),
                )
            })?);
        }
    }
    Ok((filter.unwrap_or(InboxFilter::All), ListQuery::parse(raw)?))
}

/// The caller's notices, newest first. Any role.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    operation_id = "listNotifications",
    tag = "notifications",
    params(
        ("state" = Option<String>, Query, description = "`all` (default), `unread` or `read`"),
        ("limit" = Option<i64>, Query, description = "Notices per page, 1–500 (default 50; at most 200 are answered, as `limit` says)", minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = "Notices to skip (default 0)", minimum = 0),
    ),
    responses(
        (status = 200, description = "The caller's notices", body = NotificationList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen", body = ErrorBody),
        (status = 422, description = "A bad `state`, `limit` or `offset`; `field` names it", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<NotificationList>> {
    let (filter, q) = parse(raw.as_deref()).map_err(AppError::Invalid)?;
    let ctx = p.ctx();
    let request = PageRequest::new(q.limit, q.offset);
    let page = state.store.notifications_page(&ctx, filter, request).await?;
    let unread = state.store.unread_notification_count(ctx.tenant(), p.user.id).await?;
    let items = page.items.iter().map(Notification::from).collect();
    Ok(Json(NotificationList { total: page.total, unread, items, limit: request.limit(), offset: request.offset() }))
}
