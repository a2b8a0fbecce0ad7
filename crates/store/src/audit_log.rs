//! The audit log as the administrator reads it: filtered by period, account, role and kind,
//! newest first, a page at a time with the total; and the same events for an export. Each read
//! and each export is itself an event of the log, written before the events are handed out.

use crate::ctx::{Acting, Admin};
use crate::{Direction, PageRequest, Paged, Result, Store};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, ChainedEvent, Fact, Key};
use domain::ids::UserId;
use domain::Role;
use sqlx::Row;

/// Which events to show. Days are calendar days in Japan, both ends included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub user: Option<UserId>,
    pub role: Option<Role>,
    pub action: Option<AuditAction>,
}

impl AuditFilter {
    /// The filter as facts of the event that records its use.
    fn facts(&self) -> AuditDetail {
        let mut d = AuditDetail::none();
        if let Some(from) = self.from {
            d = d.and(Fact::Date(Key::From, from));
        }
        if let Some(to) = self.to {
            d = d.and(Fact::Date(Key::To, to));
        }
        if let Some(user) = self.user {
            d = d.n(Key::User, user.get());
        }
        if let Some(role) = self.role {
            d = d.and(Fact::Role(role));
        }
        if let Some(action) = self.action {
            d = d.and(Fact::Name(Key::Kind, action.as_str()));
        }
        d
    }

    /// ` AND …` clauses over `e` and their values, numbered from `$2` (`$1` is the tenant).
    fn clauses(&self) -> (String, Vec<Value>) {
        let mut sql = String::new();
        let mut values = Vec::new();
        let mut push = |clause: &str, v: Value| {
            values.push(v);
            sql.push_str(&format!(" AND {clause} ${}", values.len() + 1));
        };
        if let Some(from) = self.from {
            push("e.at >=", Value::Int(domain::time::jst_ms(from, 0, 0)));
        }
        if let Some(to) = self.to {
            // The end of the day: midnight of the next one, excluded.
            let next = to.succ_opt().map_or(i64::MAX, |d| domain::time::jst_ms(d, 0, 0));
            push("e.at <", Value::Int(next));
        }
        if let Some(user) = self.user {
            push("e.actor_user_id =", Value::Int(user.get()));
        }
        if let Some(role) = self.role {
            push("e.acting_role =", Value::Text(role.as_str()));
        }
        if let Some(action) = self.action {
            push("e.action =", Value::Text(action.as_str()));
        }
        (sql, values)
    }
}

enum Value {
    Int(i64),
    Text(&'static str),
}

/// One event as the log's pages show it: the chained event and the actor's display name (when
/// the actor is an account of the tenant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLogRow {
    pub event: ChainedEvent,
    pub actor_name: Option<String>,
    /// A better name for the target than its stored id: an employee's number.
    pub target_label: Option<String>,
}

/// The most events one export holds.
pub const AUDIT_EXPORT_MAX: i64 = 100_000;

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: &[Value],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        q = match v {
            Value::Int(n) => q.bind(*n),
            Value::Text(s) => q.bind(*s),
        };
    }
    q
}

fn to_row(r: &sqlx::any::AnyRow) -> Result<AuditLogRow> {
    Ok(AuditLogRow { event: crate::audit::row_to_event(r)?, actor_name: r.try_get("actor_name")?, target_label: None })
}

impl Store {
    async fn audit_rows(&self, me: &Acting<Admin>, filter: &AuditFilter, dir: Direction, page: PageRequest) -> Result<Vec<AuditLogRow>> {
        self.audit_chunk(me, filter, None, dir, page.limit(), page.offset()).await
    }

    /// Events matching `filter` (and older than `below`, a sequence number), `limit` from `offset`.
    async fn audit_chunk(
        &self,
        me: &Acting<Admin>,
        filter: &AuditFilter,
        below: Option<i64>,
        dir: Direction,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditLogRow>> {
        let (mut clauses, mut values) = filter.clauses();
        if let Some(seq) = below {
            values.push(Value::Int(seq));
            clauses.push_str(&format!(" AND e.seq < ${}", values.len() + 1));
        }
        let n = values.len();
        let sql = format!(
            "SELECT e.*, u.display_name AS actor_name FROM audit_events e
             LEFT JOIN users u ON u.id = e.actor_user_id AND u.tenant_id = e.tenant_id
             WHERE e.tenant_id = $1{clauses} ORDER BY e.seq {} LIMIT ${} OFFSET ${}",
            dir.sql(),
            n + 2,
            n + 3
        );
        let q = bind_all(sqlx::query(&sql).bind(me.ctx().tenant().get()), &values).bind(limit).bind(offset);
        let rows = q.fetch_all(&self.db.read).await?;
        let mut out: Vec<AuditLogRow> = rows.iter().map(to_row).collect::<Result<_>>()?;
        // Employees are named by their number (never their name), looked up for this page only.
        let ids: Vec<i64> = out
            .iter()
            .filter(|r| r.event.target_kind == AuditTarget::Employee.kind())
            .filter_map(|r| r.event.target_id.parse().ok())
            .collect();
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            let sql = format!("SELECT id, employee_number FROM employees WHERE tenant_id = $1 AND id IN ({})", list.join(","));
            let found = sqlx::query(&sql).bind(me.ctx().tenant().get()).fetch_all(&self.db.read).await?;
            for f in found {
                let (id, number): (i64, String) = (f.try_get("id")?, f.try_get("employee_number")?);
                for r in
                    out.iter_mut().filter(|r| r.event.target_kind == AuditTarget::Employee.kind() && r.event.target_id == id.to_string())
                {
                    r.target_label = Some(number.clone());
                }
            }
        }
        Ok(out)
    }

    /// The number of events `filter` matches.
    async fn audit_count(&self, me: &Acting<Admin>, filter: &AuditFilter) -> Result<i64> {
        let (clauses, values) = filter.clauses();
        let sql = format!("SELECT COUNT(*) AS n FROM audit_events e WHERE e.tenant_id = $1{clauses}");
        let row = bind_all(sqlx::query(&sql).bind(me.ctx().tenant().get()), &values).fetch_one(&self.db.read).await?;
        Ok(row.try_get("n")?)
    }

    /// A page of the tenant's audit log in sequence order (`Desc`: newest first), with the
    /// number of events the filter matches; the read is recorded (with its filter) first.
    pub async fn audit_log(
        &self,
        me: &Acting<Admin>,
        filter: &AuditFilter,
        dir: Direction,
        page: PageRequest,
    ) -> Result<Paged<AuditLogRow>> {
        let total = self.audit_count(me, filter).await?;
        let items = self.audit_rows(me, filter, dir, page).await?;
        let ctx = me.ctx();
        let detail = filter.facts().n(Key::Offset, page.offset()).n(Key::Count, items.len());
        self.audit(ctx, ctx.event(AuditAction::AuditLogRead, AuditTarget::AuditLog, "").detail(detail)).await?;
        Ok(Paged { total, items })
    }

    /// Every event `filter` matches (at most [`AUDIT_EXPORT_MAX`], newest first) for an export
    /// in `encoding` (its stored name); the export is recorded first.
    pub async fn audit_log_export(&self, me: &Acting<Admin>, filter: &AuditFilter, encoding: &'static str) -> Result<Vec<AuditLogRow>> {
        let total = self.audit_count(me, filter).await?.min(AUDIT_EXPORT_MAX);
        let ctx = me.ctx();
        let detail = filter.facts().and(Fact::Name(Key::Encoding, encoding)).n(Key::Count, total);
        self.audit(ctx, ctx.event(AuditAction::AuditLogExported, AuditTarget::AuditLog, "").detail(detail)).await?;
        // Newest first, in chunks that continue below the last sequence number read (no OFFSET).
        let mut out: Vec<AuditLogRow> = Vec::new();
        while (out.len() as i64) < total {
            let below = out.last().map(|r| r.event.seq);
            let chunk = self.audit_chunk(me, filter, below, Direction::Desc, (total - out.len() as i64).min(5000), 0).await?;
            if chunk.is_empty() {
                break;
            }
            out.extend(chunk);
        }
        Ok(out)
    }
}
