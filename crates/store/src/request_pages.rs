//! Pages of the consultant's consultation requests (`/requests`), counted and cut in SQL: the
//! requests addressed to the acting consultant or to the pool (the policy's rule for
//! `HandleRequests`, as the SQL prefilter; `decide` stays the final word on each row), by
//! status, searched by the employee's name or number, in a typed order.

use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{Acting, Consultant, QueuedRequest, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::interview::RequestStatus;
use sqlx::Row;

/// How a page of requests is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RequestSort {
    /// Waiting ones first, then answered; oldest first within each.
    #[default]
    Status,
    Received,
    Employee,
}

#[derive(Clone, Debug, Default)]
pub struct RequestQuery {
    pub status: Option<RequestStatus>,
    /// Part of the employee's name, reading or number.
    pub search: Option<String>,
    pub sort: RequestSort,
    pub dir: Direction,
}

/// One request of the list and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedRequest {
    pub request: QueuedRequest,
    pub status: RequestStatus,
}

const FROM: &str = "FROM consultation_requests r JOIN employees e ON e.id = r.employee_id JOIN departments d ON d.id = e.department_id";

const COND: &str = "r.tenant_id = $1 AND (r.consultant_id = $2 OR r.consultant_id IS NULL)
    AND ($3 IS NULL OR r.status = $3)
    AND ($4 IS NULL OR LOWER(e.name) LIKE $4 ESCAPE '!' OR LOWER(e.employee_number) LIKE $4 ESCAPE '!'
         OR LOWER(COALESCE(e.name_kana, '')) LIKE $4 ESCAPE '!')";

fn order_by(sort: RequestSort, dir: Direction) -> String {
    let d = dir.sql();
    match sort {
        RequestSort::Status => {
            format!("CASE r.status WHEN 'open' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END {d}, r.created_at, r.id")
        }
        RequestSort::Received => format!("r.created_at {d}, r.id {d}"),
        RequestSort::Employee => format!("COALESCE(e.name_kana, e.name) {d}, e.employee_number {d}, r.created_at, r.id"),
    }
}

impl Store {
    /// One page of the requests the acting consultant may handle, with the total of the same
    /// conditions; the messages are opened through the policy and the reading is audited.
    pub async fn request_page(&self, me: &Acting<Consultant>, q: &RequestQuery, page: PageRequest) -> Result<Paged<ListedRequest>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let like = q.search.as_deref().and_then(like_pattern);
        let status = q.status.map(|s| s.as_str());
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} WHERE {COND}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(status)
            .bind(like.as_deref())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let sql = format!(
            "SELECT r.id, r.employee_id, e.employee_number, e.name AS employee_name, d.path AS department, r.consultant_id,
                r.preferred, r.message_sealed_id, r.created_at, r.status
             {FROM} WHERE {COND} ORDER BY {} LIMIT $5 OFFSET $6",
            order_by(q.sort, q.dir)
        );
        let rows = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(status)
            .bind(like.as_deref())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let (sealed, visible) = crate::requests::permitted_requests(&actor, ctx.tenant, &rows)?;
        let event = ctx
            .event(AuditAction::ConsultationRequestsRead, AuditTarget::ConsultationRequestList, q.status.map_or("all", |s| s.as_str()))
            .detail(AuditDetail::none().n(Key::Offset, page.offset()).n(Key::Count, visible.len()));
        let texts = self.open_permitted_each(ctx, &[event], &sealed).await?;
        let items = visible
            .into_iter()
            .map(|r| {
                Ok(ListedRequest {
                    status: RequestStatus::parse(&r.try_get::<String, _>("status")?)
                        .ok_or_else(|| StoreError::Config("unknown status code in consultation_requests".into()))?,
                    request: crate::requests::queued_request(r, &texts)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Paged { total, items })
    }
}
