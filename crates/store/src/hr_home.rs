//! What HR's home counts of issue 8 (in SQL, nothing opened, nothing personal): the
//! organizational issues still open, and the important cases shared with HR now that HR has
//! not answered yet (no solution, owner or status recorded, or still 未着手).

use crate::consent_sql::{granted_cond, last_entry_join};
use crate::{now_ms, Acting, Hr, Result, Store};
use domain::consent::Purpose;
use domain::important_case::{CaseStatus, IssueStatus};
use domain::policy::{self, Operation, Target};
use domain::Role;
use sqlx::Row;

/// HR's figures of issue 8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HrIssueCounts {
    /// Organizational issues raised and not taken up yet (未着手).
    pub issues_open: i64,
    /// Organizational issues being worked on (対応中).
    pub issues_in_progress: i64,
    /// Important cases shared with HR now (consent in force); `None` for a holder of personnel
    /// authority, who reads none.
    pub cases_shared: Option<i64>,
    /// Of those, the ones HR has not answered yet.
    pub cases_unanswered: i64,
}

impl Store {
    pub async fn hr_issue_counts(&self, me: &Acting<Hr>) -> Result<HrIssueCounts> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let mut out = HrIssueCounts::default();
        if policy::decide(&actor, Operation::ViewOrgIssues, Target::InTenant(ctx.tenant)).is_allow() {
            let r = sqlx::query(
                "SELECT COALESCE(SUM(CASE WHEN status = $2 THEN 1 ELSE 0 END), 0) AS open,
                        COALESCE(SUM(CASE WHEN status = $3 THEN 1 ELSE 0 END), 0) AS in_progress
                 FROM org_issues WHERE tenant_id = $1",
            )
            .bind(ctx.tenant.get())
            .bind(IssueStatus::Open.as_str())
            .bind(IssueStatus::InProgress.as_str())
            .fetch_one(&self.db.read)
            .await?;
            out.issues_open = r.try_get("open")?;
            out.issues_in_progress = r.try_get("in_progress")?;
        }
        if actor.has_personnel_authority() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT COUNT(*) AS shared, COALESCE(SUM(CASE WHEN ic.id IS NULL OR ic.status = $4 THEN 1 ELSE 0 END), 0) AS unanswered
             FROM disclosures d {}
             LEFT JOIN important_cases ic ON ic.disclosure_id = d.id AND ic.tenant_id = d.tenant_id
             WHERE d.tenant_id = $1 AND d.purpose = $2 AND d.recipient_role = $3 AND {}",
            last_entry_join(5),
            granted_cond(5)
        );
        let r = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(Purpose::ImportantCase.as_str())
            .bind(Role::Hr.as_str())
            .bind(CaseStatus::Open.as_str())
            .bind(now_ms())
            .fetch_one(&self.db.read)
            .await?;
        out.cases_shared = Some(r.try_get("shared")?);
        out.cases_unanswered = r.try_get("unanswered")?;
        Ok(out)
    }
}
