//! In-app notices (issue 8): any operation that should tell someone calls [`notify_in_tx`] in
//! its own transaction, so that the notice exists exactly when the change it announces does.

use crate::{now_ms, Result, StoreError};
use domain::ids::{NotificationId, TenantId, UserId};
use domain::notification::{valid_link, NotificationKind};
use sqlx::{Any, Row, Transaction};

/// Leaves a notice of `kind` for `user`, pointing at `link` (a path inside the app). Returns its id.
pub(crate) async fn notify_in_tx(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    user: UserId,
    kind: NotificationKind,
    link: &str,
) -> Result<NotificationId> {
    if !valid_link(link) {
        return Err(StoreError::Config(format!("a notice's link must be a plain path inside the app, not {link:?}")));
    }
    let row =
        sqlx::query("INSERT INTO notifications (tenant_id, user_id, kind, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(tenant.get())
            .bind(user.get())
            .bind(kind.as_str())
            .bind(link)
            .bind(now_ms())
            .fetch_one(&mut **tx)
            .await?;
    let id = NotificationId::new(row.try_get("id")?);
    // Its e-mail, in the same transaction: sent by the job runner once this commits.
    crate::notification_inbox::enqueue_email_in_tx(tx, tenant, user, id).await?;
    Ok(id)
}

/// Leaves a notice of `kind` for everyone acting as HR in the tenant who may read what it points
/// at: enabled accounts with the hr role, without personnel authority (人事権), who are kept away
/// from important cases. Returns how many were told.
pub(crate) async fn notify_hr_in_tx(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    kind: NotificationKind,
    link: &str,
) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
         WHERE u.tenant_id = $1 AND r.role = 'hr' AND u.disabled_at IS NULL AND u.personnel_authority = 0
         ORDER BY u.id",
    )
    .bind(tenant.get())
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        notify_in_tx(tx, tenant, UserId::new(r.try_get("id")?), kind, link).await?;
    }
    Ok(rows.len())
}
