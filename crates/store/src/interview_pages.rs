//! Pages of the consultant's interview list (`/interviews`), counted and cut in SQL, and the
//! held interviews still without a report. Only the acting consultant's own interviews: the
//! condition is the policy's rule for `ManageInterviews` (the interviewer), so the count is the
//! list's.

use crate::interviews::{to_row, SELECT};
use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{Acting, Consultant, InterviewRow, Result, Store};
use domain::audit::{AuditDetail, AuditTarget, Key};
use domain::interview::InterviewStatus;
use sqlx::Row;

/// Which interviews by time: not yet ended, ended, or all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InterviewWhen {
    #[default]
    Upcoming,
    Past,
    All,
}

impl InterviewWhen {
    pub const ALL: [InterviewWhen; 3] = [InterviewWhen::Upcoming, InterviewWhen::Past, InterviewWhen::All];

    pub fn as_str(self) -> &'static str {
        match self {
            InterviewWhen::Upcoming => "upcoming",
            InterviewWhen::Past => "past",
            InterviewWhen::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// How a page of interviews is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InterviewSort {
    #[default]
    Starts,
    Employee,
    Status,
}

#[derive(Clone, Debug, Default)]
pub struct InterviewQuery {
    pub when: InterviewWhen,
    /// The moment that divides upcoming from past (epoch ms).
    pub now: i64,
    pub status: Option<InterviewStatus>,
    /// Part of the employee's name, reading or number.
    pub search: Option<String>,
    pub sort: InterviewSort,
    pub dir: Direction,
}

const FROM: &str = "FROM interviews i JOIN employees e ON e.id = i.employee_id";

const COND: &str = "i.tenant_id = $1 AND i.consultant_id = $2
    AND ($3 = 'all' OR ($3 = 'upcoming' AND i.ends_at > $4) OR ($3 = 'past' AND i.ends_at <= $4))
    AND ($5 IS NULL OR i.status = $5)
    AND ($6 IS NULL OR LOWER(e.name) LIKE $6 ESCAPE '!' OR LOWER(e.employee_number) LIKE $6 ESCAPE '!'
         OR LOWER(COALESCE(e.name_kana, '')) LIKE $6 ESCAPE '!')";

fn order_by(sort: InterviewSort, dir: Direction) -> String {
    let d = dir.sql();
    match sort {
        InterviewSort::Starts => format!("i.starts_at {d}, i.id {d}"),
        InterviewSort::Employee => format!("COALESCE(e.name_kana, e.name) {d}, e.employee_number {d}, i.starts_at, i.id"),
        InterviewSort::Status => format!(
            "CASE i.status WHEN 'scheduled' THEN 0 WHEN 'held' THEN 1 WHEN 'no_show' THEN 2 ELSE 3 END {d}, i.starts_at DESC, i.id DESC"
        ),
    }
}

impl Store {
    /// One page of the acting consultant's interviews, with the total of the same conditions.
    pub async fn interview_page(&self, me: &Acting<Consultant>, q: &InterviewQuery, page: PageRequest) -> Result<Paged<InterviewRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let like = q.search.as_deref().and_then(like_pattern);
        let count_sql = format!("SELECT COUNT(*) AS n {FROM} WHERE {COND}");
        let total: i64 = sqlx::query(&count_sql)
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(q.when.as_str())
            .bind(q.now)
            .bind(q.status.map(|s| s.as_str()))
            .bind(like.as_deref())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let sql = format!("{SELECT} WHERE {COND} ORDER BY {} LIMIT $7 OFFSET $8", order_by(q.sort, q.dir));
        let rows = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(q.when.as_str())
            .bind(q.now)
            .bind(q.status.map(|s| s.as_str()))
            .bind(like.as_deref())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let items = rows.iter().map(to_row).collect::<Result<Vec<_>>>()?;
        self.audited_list(
            ctx,
            AuditTarget::InterviewList,
            q.when.as_str(),
            AuditDetail::none().n(Key::Offset, page.offset()).n(Key::Count, items.len()),
        )
        .await?;
        Ok(Paged { total, items })
    }

    /// The acting consultant's held interviews that have no report yet, most recent first (at
    /// most `limit`), with how many there are in all.
    pub async fn held_without_report(&self, me: &Acting<Consultant>, limit: i64) -> Result<Paged<InterviewRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let cond = "i.tenant_id = $1 AND i.consultant_id = $2 AND i.status = 'held' AND i.reported = 0
            AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.interview_id = i.id)";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM interviews i WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!("{SELECT} WHERE {cond} ORDER BY i.starts_at DESC, i.id DESC LIMIT $3"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(PageRequest::first(limit).limit())
            .fetch_all(&self.db.read)
            .await?;
        let items = rows.iter().map(to_row).collect::<Result<Vec<_>>>()?;
        self.audited_list(ctx, AuditTarget::InterviewList, "held_without_report", AuditDetail::count(items.len())).await?;
        Ok(Paged { total, items })
    }
}
