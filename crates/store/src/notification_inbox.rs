//! The inbox of notices (issue 8): the unread count of the page header, the list, marking read,
//! and the e-mail's bookkeeping. A notice is its recipient's alone: another user's notice (or
//! another tenant's) answers exactly as one that does not exist. Notices carry no personal
//! content (a kind and a link), so reading one's own inbox is not an audited read of personal
//! data; the link's page decides and audits again when it is opened.
//!
//! E-mail: [`enqueue_email_in_tx`] is called by `notify_in_tx`, in the transaction that makes
//! the notice, when this database's servers send e-mail ([`Store::set_mail_delivery`]) and the
//! recipient has an address. The job names the notice only; the address is looked up when the
//! message is sent, and [`Store::mark_notification_emailed`] records that it was.

use crate::jobs::{insert_job, NewJob};
use crate::{now_ms, Ctx, PageRequest, Paged, Result, Store, StoreError};
use domain::ids::{NotificationId, TenantId, UserId};
use domain::job::JobKind;
use domain::notification::NotificationKind;
use domain::policy::{decide, Operation, Target};
use sqlx::{Any, Row, Transaction};

/// The header counts unread notices up to this many (it shows "99+" beyond 99).
pub const UNREAD_COUNT_CAP: i64 = 100;

/// Which notices a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboxFilter {
    All,
    Unread,
    Read,
}

impl InboxFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxFilter::All => "all",
            InboxFilter::Unread => "unread",
            InboxFilter::Read => "read",
        }
    }

    pub fn parse(s: &str) -> Option<InboxFilter> {
        [InboxFilter::All, InboxFilter::Unread, InboxFilter::Read].into_iter().find(|f| f.as_str() == s)
    }

    fn sql(self) -> &'static str {
        match self {
            InboxFilter::All => "",
            InboxFilter::Unread => " AND read_at IS NULL",
            InboxFilter::Read => " AND read_at IS NOT NULL",
        }
    }
}

/// One notice of the inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: NotificationId,
    /// `None` for a kind a newer version added (shown as a plain notice).
    pub kind: Option<NotificationKind>,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub emailed_at: Option<i64>,
}

/// What the e-mail of one notice needs, read when it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct NotificationEmail {
    pub kind: NotificationKind,
    pub link: String,
    pub created_at: i64,
    pub emailed_at: Option<i64>,
    /// The recipient's address now: their account's own, else their employee record's; `None`
    /// when they have none or the account is disabled.
    pub address: Option<String>,
}

impl std::fmt::Debug for NotificationEmail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationEmail")
            .field("kind", &self.kind)
            .field("link", &self.link)
            .field("created_at", &self.created_at)
            .field("emailed_at", &self.emailed_at)
            .field("address", &self.address.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The recipient's address, as SQL over `u` (users) and `e` (employees, left-joined).
const ADDRESS: &str = "COALESCE(NULLIF(TRIM(u.email), ''), NULLIF(TRIM(e.email), ''))";

/// Enqueues the e-mail of notice `id` for `user` in the notice's own transaction, when this
/// database's servers send e-mail and the user has an address (and can sign in). The job's key is
/// the notice: one e-mail per notice, however often this is called.
pub(crate) async fn enqueue_email_in_tx(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    user: UserId,
    id: NotificationId,
) -> Result<bool> {
    let row = sqlx::query(&format!(
        "SELECT {ADDRESS} AS address FROM users u LEFT JOIN employees e ON e.id = u.employee_id
         WHERE u.id = $1 AND u.tenant_id = $2 AND u.disabled_at IS NULL
           AND EXISTS (SELECT 1 FROM mail_delivery WHERE id = 1 AND enabled = 1)"
    ))
    .bind(user.get())
    .bind(tenant.get())
    .fetch_optional(&mut **tx)
    .await?;
    let has_address = match row {
        Some(r) => r.try_get::<Option<String>, _>("address")?.is_some(),
        None => false,
    };
    if !has_address {
        return Ok(false);
    }
    let job = NewJob::new(JobKind::NotificationEmail, serde_json::json!({ "notification": id.get() }))
        .for_tenant(tenant)
        .unique_key(&format!("notification_email:{}", id.get()));
    Ok(insert_job(&mut **tx, &job).await?.is_some())
}

fn notification_row(r: &sqlx::any::AnyRow) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: NotificationId::new(r.try_get("id")?),
        kind: NotificationKind::parse(&r.try_get::<String, _>("kind")?),
        link: r.try_get("link")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        emailed_at: r.try_get("emailed_at")?,
    })
}

/// The acting user, when the policy lets them see their own notices (every role does).
fn reader(ctx: &Ctx) -> Result<(TenantId, UserId)> {
    let actor = ctx.policy_actor().ok_or(StoreError::NotFound)?;
    if !decide(&actor, Operation::ViewNotifications, Target::Route).is_allow() {
        return Err(StoreError::NotFound);
    }
    Ok((ctx.tenant(), actor.user()))
}

impl Store {
    /// How many of the user's notices are unread, counted up to [`UNREAD_COUNT_CAP`]: one
    /// index range scan (`notifications_inbox`), cheap enough for every page.
    pub async fn unread_notification_count(&self, tenant: TenantId, user: UserId) -> Result<i64> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM (SELECT id FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL LIMIT $3) AS unread",
        )
        .bind(tenant.get())
        .bind(user.get())
        .bind(UNREAD_COUNT_CAP)
        .fetch_one(&self.db.read)
        .await?
        .try_get("n")?;
        Ok(n)
    }

    /// The acting user's notices, newest first.
    pub async fn notifications_page(&self, ctx: &Ctx, filter: InboxFilter, page: PageRequest) -> Result<Paged<NotificationRow>> {
        let (tenant, user) = reader(ctx)?;
        let cond = format!("tenant_id = $1 AND user_id = $2{}", filter.sql());
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM notifications WHERE {cond}"))
            .bind(tenant.get())
            .bind(user.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT id, kind, link, created_at, read_at, emailed_at FROM notifications WHERE {cond} ORDER BY id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(tenant.get())
        .bind(user.get())
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.db.read)
        .await?;
        Ok(Paged { total, items: rows.iter().map(notification_row).collect::<Result<_>>()? })
    }

    /// Marks one of the acting user's notices read (again: harmless) and answers it; anyone
    /// else's, or none, is `NotFound`.
    pub async fn mark_notification_read(&self, ctx: &Ctx, id: NotificationId) -> Result<NotificationRow> {
        let (tenant, user) = reader(ctx)?;
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE id = $2 AND tenant_id = $3 AND user_id = $4 AND read_at IS NULL")
            .bind(now_ms())
            .bind(id.get())
            .bind(tenant.get())
            .bind(user.get())
            .execute(&self.db.write)
            .await?;
        let row = sqlx::query(
            "SELECT id, kind, link, created_at, read_at, emailed_at FROM notifications WHERE id = $1 AND tenant_id = $2 AND user_id = $3",
        )
        .bind(id.get())
        .bind(tenant.get())
        .bind(user.get())
        .fetch_optional(&self.db.write)
        .await?
        .ok_or(StoreError::NotFound)?;
        notification_row(&row)
    }

    /// Marks every unread notice of the acting user read; answers how many were.
    pub async fn mark_all_notifications_read(&self, ctx: &Ctx) -> Result<u64> {
        let (tenant, user) = reader(ctx)?;
        let n = sqlx::query("UPDATE notifications SET read_at = $1 WHERE tenant_id = $2 AND user_id = $3 AND read_at IS NULL")
            .bind(now_ms())
            .bind(tenant.get())
            .bind(user.get())
            .execute(&self.db.write)
            .await?;
        Ok(n.rows_affected())
    }

    /// Records whether the servers of this database send notification e-mail (each server at
    /// start: all servers of one database are meant to share their mail settings).
    pub async fn set_mail_delivery(&self, enabled: bool) -> Result<()> {
        sqlx::query(
            "INSERT INTO mail_delivery (id, enabled, updated_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
        )
        .bind(i64::from(enabled))
        .bind(now_ms())
        .execute(&self.db.write)
        .await?;
        Ok(())
    }

    /// What the e-mail of notice `id` needs, for the mail job; `None` when the notice is gone
    /// or of a kind this version does not know.
    pub async fn notification_email(&self, tenant: TenantId, id: i64) -> Result<Option<NotificationEmail>> {
        let row = sqlx::query(&format!(
            "SELECT n.kind, n.link, n.created_at, n.emailed_at, CASE WHEN u.disabled_at IS NULL THEN {ADDRESS} END AS address
             FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN employees e ON e.id = u.employee_id
             WHERE n.id = $1 AND n.tenant_id = $2"
        ))
        .bind(id)
        .bind(tenant.get())
        .fetch_optional(&self.db.write)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let Some(kind) = NotificationKind::parse(&r.try_get::<String, _>("kind")?) else { return Ok(None) };
        Ok(Some(NotificationEmail {
            kind,
            link: r.try_get("link")?,
            created_at: r.try_get("created_at")?,
            emailed_at: r.try_get("emailed_at")?,
            address: r.try_get("address")?,
        }))
    }

    /// Records that notice `id`'s e-mail was accepted by the SMTP server; false when it already was.
    pub async fn mark_notification_emailed(&self, tenant: TenantId, id: i64) -> Result<bool> {
        let n = sqlx::query("UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND tenant_id = $3 AND emailed_at IS NULL")
            .bind(now_ms())
            .bind(id)
            .bind(tenant.get())
            .execute(&self.db.write)
            .await?;
        Ok(n.rows_affected() == 1)
    }
}

/// A notice of the demo's world, with its time and whether it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedNotice {
    pub user: UserId,
    pub kind: NotificationKind,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl Store {
    /// Writes the notices of a demo (an operator's command): as they would have been, without
    /// e-mail (they are history). Every user must be of the tenant and every link a plain path.
    pub async fn seed_notices(&self, ctx: &Ctx, notices: &[SeedNotice]) -> Result<usize> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let tenant = ctx.tenant();
        let mut tx = self.db.write.begin().await?;
        for n in notices {
            if !domain::notification::valid_link(&n.link) {
                return Err(StoreError::Config(format!("a notice's link must be a plain path inside the app, not {:?}", n.link)));
            }
            let inserted = sqlx::query(
                "INSERT INTO notifications (tenant_id, user_id, kind, link, created_at, read_at)
                 SELECT $1, id, $3, $4, $5, $6 FROM users WHERE id = $2 AND tenant_id = $1",
            )
            .bind(tenant.get())
            .bind(n.user.get())
            .bind(n.kind.as_str())
            .bind(&n.link)
            .bind(n.created_at)
            .bind(n.read_at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() != 1 {
                return Err(StoreError::Config(format!("user {} is not of this tenant", n.user.get())));
            }
        }
        tx.commit().await?;
        Ok(notices.len())
    }

    /// A notice made as an operation makes one (`notify_in_tx` in its own transaction, e-mail
    /// job included), for tests of the inbox and the e-mail.
    #[cfg(feature = "test-support")]
    pub async fn notify_for_tests(&self, tenant: TenantId, user: UserId, kind: NotificationKind, link: &str) -> Result<NotificationId> {
        let mut tx = self.db.write.begin().await?;
        let id = crate::notifications::notify_in_tx(&mut tx, tenant, user, kind, link).await?;
        tx.commit().await?;
        Ok(id)
    }
}
