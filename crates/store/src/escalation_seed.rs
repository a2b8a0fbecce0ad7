//! Escalations of a generated history (`careerdock demo`, the page walk's world): the tenant's
//! responders and escalations in every state, written as the operations would have left them.

use crate::{Ctx, Result, Store, StoreError};
use domain::escalation::{self as rules, EscalationState};
use domain::ids::{EmployeeId, UserId};
use sqlx::Row;

/// A request to disclose more, as seeded.
#[derive(Clone, Debug)]
pub struct SeedEscalationDisclosure {
    pub requested_by: UserId,
    pub requested_at: i64,
    pub reason: String,
    /// The second responder and when they approved (the employee is told then).
    pub approved: Option<(UserId, i64)>,
}

/// One escalation, raised on the report of the interview of `employee` with `consultant` that
/// started at `interview_starts_at`.
#[derive(Clone, Debug)]
pub struct SeedEscalation {
    pub employee: EmployeeId,
    pub consultant: UserId,
    pub interview_starts_at: i64,
    pub opened_at: i64,
    pub summary: String,
    pub acknowledged: Option<(UserId, i64)>,
    /// Who closed it, when, and the actions taken.
    pub closed: Option<(UserId, i64, String)>,
    pub disclosure: Option<SeedEscalationDisclosure>,
}

#[derive(Clone, Debug, Default)]
pub struct SeedEscalations {
    pub responders: Vec<UserId>,
    pub items: Vec<SeedEscalation>,
}

impl Store {
    /// Names the responders and writes the escalations (the default deadline). An escalation
    /// whose report is not found is skipped; returns how many were written.
    pub async fn seed_escalations(&self, ctx: &Ctx, input: &SeedEscalations) -> Result<usize> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let tenant = ctx.tenant;
        let ack_hours = self.escalation_settings_of(tenant).await?.ack_hours;
        let mut tx = self.db.write.begin().await?;
        for u in &input.responders {
            sqlx::query("DELETE FROM escalation_responders WHERE tenant_id = $1 AND user_id = $2")
                .bind(tenant.get())
                .bind(u.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO escalation_responders (tenant_id, user_id, added_at) VALUES ($1, $2, $3)")
                .bind(tenant.get())
                .bind(u.get())
                .bind(crate::now_ms())
                .execute(&mut *tx)
                .await?;
        }
        let mut written = 0;
        for e in &input.items {
            let report = sqlx::query(
                "SELECT r.id, r.interview_id FROM reports r JOIN interviews i ON i.id = r.interview_id
                 WHERE i.tenant_id = $1 AND i.employee_id = $2 AND i.consultant_id = $3 AND i.starts_at = $4",
            )
            .bind(tenant.get())
            .bind(e.employee.get())
            .bind(e.consultant.get())
            .bind(e.interview_starts_at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(report) = report else { continue };
            let state = match (e.acknowledged, &e.closed) {
                (_, Some(_)) => EscalationState::Closed,
                (Some(_), None) => EscalationState::Acknowledged,
                (None, None) => EscalationState::Open,
            };
            let summary = self.seal_in_tx(&mut tx, tenant, "escalation_summary", &e.summary).await?;
            let actions = match &e.closed {
                Some((_, _, a)) => Some(self.seal_in_tx(&mut tx, tenant, "escalation_actions", a).await?),
                None => None,
            };
            let due = rules::due_at(e.opened_at, ack_hours);
            let row = sqlx::query(
                "INSERT INTO escalations (tenant_id, source, interview_id, report_id, employee_id, raised_by, state, opened_at, due_at, last_notified_at,
                    summary_sealed_id, acknowledged_by, acknowledged_at, closed_by, closed_at, actions_sealed_id)
                 VALUES ($1, 'report', $2, $3, $4, $5, $6, $7, $8, $7, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(tenant.get())
            .bind(report.try_get::<i64, _>("interview_id")?)
            .bind(report.try_get::<i64, _>("id")?)
            .bind(e.employee.get())
            .bind(e.consultant.get())
            .bind(state.as_str())
            .bind(e.opened_at)
            .bind(due)
            .bind(summary.get())
            .bind(e.acknowledged.map(|(u, _)| u.get()))
            .bind(e.acknowledged.map(|(_, at)| at))
            .bind(e.closed.as_ref().map(|(u, _, _)| u.get()))
            .bind(e.closed.as_ref().map(|(_, at, _)| *at))
            .bind(actions.map(|a| a.get()))
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = row.try_get("id")?;
            if let Some(d) = &e.disclosure {
                let reason = self.seal_in_tx(&mut tx, tenant, "escalation_reason", &d.reason).await?;
                sqlx::query(
                    "INSERT INTO escalation_disclosures (tenant_id, escalation_id, reason_sealed_id, requested_by, requested_at, state, approved_by, approved_at, notice_at, employee_notified_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)",
                )
                .bind(tenant.get())
                .bind(id)
                .bind(reason.get())
                .bind(d.requested_by.get())
                .bind(d.requested_at)
                .bind(if d.approved.is_some() { "approved" } else { "pending" })
                .bind(d.approved.map(|(u, _)| u.get()))
                .bind(d.approved.map(|(_, at)| at))
                .execute(&mut *tx)
                .await?;
            }
            written += 1;
        }
        tx.commit().await?;
        Ok(written)
    }
}
