//! Feature suites of the store, each run on SQLite and PostgreSQL.

mod accounts;
mod actions;
mod boss;
mod cases;
mod consent;
mod cycles;
mod disclosure_pages;
mod effect_reports;
mod escalations;
mod follow_ups;
mod interviews;
mod jobs;
mod management;
mod notifications;
mod overall_reports;
mod pseudonymize;
mod questionnaire_definitions;
mod questionnaires;
mod referrals;
mod reports;
mod seed;
mod tag_marks;
mod themes;
mod two_factor;
mod yearly_reviews;

use crate::raw_pool;
use anyhow::Result;
use domain::ids::{TenantId, UserId};
use testkit::TestDb;

/// A consultant reaches an employee only through an assignment in a cycle or a consultation
/// request: a past (closed) cycle in which every employee of the tenant was assigned to
/// `consultant`, written with SQL because cycles belong to another part of the store.
pub async fn assign_everyone(db: &TestDb, tenant: TenantId, consultant: UserId) -> Result<()> {
    let raw = raw_pool(db).await?;
    let r = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, '2020-04-01', '2021-03-31', 'closed', '{}', 0) RETURNING id",
    )
    .bind(tenant.get())
    .bind(format!("過去の担当 {consultant}"))
    .fetch_one(&raw)
    .await?;
    let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
    sqlx::query(
        "INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at) SELECT $1, tenant_id, id, $2, 'test', 0 FROM employees WHERE tenant_id = $3",
    )
    .bind(cycle)
    .bind(consultant.get())
    .bind(tenant.get())
    .execute(&raw)
    .await?;
    raw.close().await;
    Ok(())
}
