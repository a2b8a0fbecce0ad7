//! The lists of disclosures counted, filtered, ordered and paged in SQL (issue 8): the
//! consultant's own disclosures (`/disclosures`) and the important cases released to HR
//! (`/important-cases`). The SQL chooses the page by the ledger's rule ([`crate::consent_sql`]);
//! each row of the page is then derived from its ledger and decided again by the policy and
//! `consent::release`, as every other read is, so the SQL can only leave a row out, never show
//! one the rule does not allow.

use crate::consent_sql::{granted_cond, last_entry_join, state_expr};
use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{
    now_ms, Acting, CaseRecord, Consultant, Ctx, DisclosureQuery, DisclosureRow, ImportantCaseRow, Released, Result, Store, StoreError,
};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::consent::{self, Purpose};
use domain::important_case::CaseStatus;
use domain::policy::{self, Operation};
use domain::Role;
use sqlx::Row;

/// The orders of HR's case list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CaseSort {
    /// By status, 未着手 first.
    #[default]
    Status,
    /// By when consent was given.
    Granted,
    /// By HR's last change (or the disclosure's, before HR answered).
    Updated,
}

/// HR's case list: filtered by status and by the management-report mark.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub in_management_report: Option<bool>,
    pub sort: CaseSort,
    pub dir: Direction,
}

const CASE_STATUS_RANK: &str =
    "(CASE COALESCE(ic.status, 'open') WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'monitoring' THEN 2 ELSE 3 END)";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The consultant's list query with the values its count and its page share ($1–$6).
fn authored_query<'q>(sql: &'q str, [tenant, author, report, now]: [i64; 4], state: &'q str, like: Option<String>) -> AnyQuery<'q> {
    sqlx::query(sql).bind(tenant).bind(author).bind(report).bind(state).bind(like).bind(now)
}

/// HR's case query with the values its count and its page share ($1–$6).
fn case_query<'q>(sql: &'q str, [tenant, mark, now]: [i64; 3], status: &'q str) -> AnyQuery<'q> {
    sqlx::query(sql).bind(tenant).bind(Purpose::ImportantCase.as_str()).bind(Role::Hr.as_str()).bind(status).bind(mark).bind(now)
}

impl Store {
    /// The consultant's own disclosures, newest change first, filtered by state (at this moment)
    /// and by part of the employee's name, reading or number, one page at a time.
    pub async fn authored_disclosure_page(
        &self,
        me: &Acting<Consultant>,
        q: &DisclosureQuery,
        page: PageRequest,
    ) -> Result<Paged<DisclosureRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let now = now_ms();
        let like = q.search.as_deref().and_then(like_pattern);
        let state = q.state.map(|s| s.as_str()).unwrap_or("");
        let from = format!(
            "FROM disclosures d JOIN employees e ON e.id = d.employee_id {}
             WHERE d.tenant_id = $1 AND d.author_id = $2 AND ($3 = 0 OR d.report_id = $3) AND ($4 = '' OR {} = $4)
               AND ($5 IS NULL OR LOWER(e.name) LIKE $5 ESCAPE '!' OR LOWER(COALESCE(e.name_kana, '')) LIKE $5 ESCAPE '!'
                    OR LOWER(e.employee_number) LIKE $5 ESCAPE '!')",
            last_entry_join(6),
            state_expr(6)
        );
        let report = q.report.map(|r| r.get()).unwrap_or(0);
        let bound = |sql| authored_query(sql, [ctx.tenant.get(), actor.user().get(), report, now], state, like.clone());
        let count_sql = format!("SELECT COUNT(*) AS n {from}");
        let total: i64 = bound(&count_sql).fetch_one(&self.db.read).await?.try_get("n")?;
        let page_sql = format!("SELECT d.id {from} ORDER BY d.updated_at DESC, d.id DESC LIMIT $7 OFFSET $8");
        let ids: Vec<i64> = bound(&page_sql)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let rows: Vec<DisclosureRow> = self
            .derive_ids(ctx, &ids, now)
            .await?
            .iter()
            .filter(|d| policy::decide(&actor, Operation::WriteDisclosures, d.target()).is_allow())
            .map(|d| d.row())
            .collect();
        let detail = AuditDetail::count(rows.len()).n(Key::Offset, page.offset());
        self.audit(ctx, ctx.event(AuditAction::DisclosureRead, AuditTarget::DisclosureList, "authored").detail(detail)).await?;
        Ok(Paged { total, items: rows })
    }

    /// The important cases released to the acting HR user now, with HR's record, filtered,
    /// ordered and paged in SQL. Empty for anyone else and for a holder of personnel authority.
    pub async fn important_case_page(&self, ctx: &Ctx, q: &CaseQuery, page: PageRequest) -> Result<Paged<ImportantCaseRow>> {
        let actor = ctx.actor()?;
        let op = Operation::ManageImportantCases;
        if actor.role() != Role::Hr
            || actor.has_personnel_authority()
            || !policy::decide(&actor, op, policy::Target::InTenant(ctx.tenant)).is_allow()
        {
            return Ok(Paged { total: 0, items: Vec::new() });
        }
        let now = now_ms();
        let status = q.status.map(CaseStatus::as_str).unwrap_or("");
        let mark = match q.in_management_report {
            None => -1,
            Some(m) => i64::from(m),
        };
        let from = format!(
            "FROM disclosures d {}
             LEFT JOIN important_cases ic ON ic.disclosure_id = d.id AND ic.tenant_id = d.tenant_id
             WHERE d.tenant_id = $1 AND d.purpose = $2 AND d.recipient_role = $3 AND {}
               AND ($4 = '' OR COALESCE(ic.status, 'open') = $4) AND ($5 < 0 OR COALESCE(ic.in_management_report, 0) = $5)",
            last_entry_join(6),
            granted_cond(6)
        );
        let bound = |sql| case_query(sql, [ctx.tenant.get(), mark, now], status);
        let count_sql = format!("SELECT COUNT(*) AS n {from}");
        let total: i64 = bound(&count_sql).fetch_one(&self.db.read).await?.try_get("n")?;
        let key = match q.sort {
            CaseSort::Status => CASE_STATUS_RANK.to_string(),
            CaseSort::Granted => "c.created_at".to_string(),
            CaseSort::Updated => "COALESCE(ic.updated_at, d.updated_at)".to_string(),
        };
        let dir = q.dir.sql();
        let page_sql = format!(
            "SELECT d.id, ic.status, ic.owner, ic.in_management_report, ic.updated_at AS record_updated_at {from}
             ORDER BY {key} {dir}, d.id DESC LIMIT $7 OFFSET $8"
        );
        let rows = bound(&page_sql).bind(page.limit()).bind(page.offset()).fetch_all(&self.db.read).await?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut records = std::collections::HashMap::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let record = match r.try_get::<Option<String>, _>("status")? {
                None => CaseRecord::default(),
                Some(s) => CaseRecord {
                    status: CaseStatus::parse(&s).ok_or_else(|| StoreError::Config(format!("unknown case status {s}")))?,
                    owner: r.try_get("owner")?,
                    in_management_report: r.try_get::<i64, _>("in_management_report")? != 0,
                    updated_at: r.try_get("record_updated_at")?,
                },
            };
            ids.push(id);
            records.insert(id, record);
        }
        // Each row released by the one release decision at this moment, or left out.
        let mut items = Vec::with_capacity(ids.len());
        for d in self.derive_ids(ctx, &ids, now).await? {
            let released = consent::release(&d.facts, &d.ledger(), &actor, now, None);
            let permitted = policy::permit(&actor, op, d.target()).is_some();
            if permitted && released == Some(d.version()) {
                let row = d.row();
                let record = records.remove(&row.id.get()).unwrap_or_default();
                items.push(ImportantCaseRow { released: Released { row, text: String::new() }, record });
            }
        }
        let detail = AuditDetail::count(items.len()).and(Fact::Name(Key::Purpose, "list")).n(Key::Offset, page.offset());
        let ev = ctx.event(AuditAction::DisclosureRead, AuditTarget::DisclosureList, Purpose::ImportantCase.as_str()).detail(detail);
        self.audit(ctx, ev).await?;
        Ok(Paged { total, items })
    }
}
