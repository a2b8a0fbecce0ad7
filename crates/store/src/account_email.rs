//! An account's own e-mail address for notices (issue 8). Notices are e-mailed to it, or else
//! to the address of the employee the account is linked to in the register, while this
//! database's servers send e-mail. Its owner sets it on 通知の設定, an administrator on the
//! account list, the operator with `careerdock user email`; every change is audited
//! (`email_changed`, without the address).

use crate::ctx::Ctx;
use crate::{Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Outcome};
use domain::employee::Email;
use domain::ids::UserId;
use domain::policy::Operation;
use sqlx::Row;

/// Where an account's notices are e-mailed, as its owner sees it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct EmailSettings {
    /// The account's own address.
    pub own: Option<String>,
    /// The address of the employee the account is linked to, from the register.
    pub register: Option<String>,
    /// Whether this database's servers send e-mail (SMTP configured).
    pub delivery: bool,
}

impl EmailSettings {
    /// The address notices go to: the account's own, else the register's.
    pub fn address(&self) -> Option<&str> {
        self.own.as_deref().or(self.register.as_deref())
    }

    /// Whether notices are e-mailed at all: the servers send e-mail and there is an address.
    pub fn emailed(&self) -> bool {
        self.delivery && self.address().is_some()
    }
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("own", &self.own.as_ref().map(|_| "…"))
            .field("register", &self.register.as_ref().map(|_| "…"))
            .field("delivery", &self.delivery)
            .finish()
    }
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Store {
    /// The signed-in user's own settings: their address, the register's and whether e-mail is sent.
    pub async fn own_email_settings(&self, ctx: &Ctx) -> Result<EmailSettings> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let r = sqlx::query(
            "SELECT u.email AS own, e.email AS register,
                    (SELECT COUNT(*) FROM mail_delivery WHERE id = 1 AND enabled = 1) AS delivery
             FROM users u LEFT JOIN employees e ON e.id = u.employee_id AND e.tenant_id = u.tenant_id
             WHERE u.id = $1 AND u.tenant_id = $2",
        )
        .bind(user.get())
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(EmailSettings {
            own: blank_to_none(r.try_get("own")?),
            register: blank_to_none(r.try_get("register")?),
            delivery: r.try_get::<i64, _>("delivery")? > 0,
        })
    }

    /// Sets (or, with `None`, clears) the signed-in user's own address.
    pub async fn set_own_email(&self, ctx: &Ctx, email: Option<&Email>) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        self.write_email(ctx, user, email).await
    }

    /// An administrator (or the operator's command line) sets or clears an account's address.
    pub async fn set_user_email(&self, ctx: &Ctx, user: UserId, email: Option<&Email>) -> Result<()> {
        ctx.check(Operation::ManageUsers)?;
        self.write_email(ctx, user, email).await
    }

    async fn write_email(&self, ctx: &Ctx, user: UserId, email: Option<&Email>) -> Result<()> {
        let mut tx = self.db.write.begin().await?;
        let row = sqlx::query("SELECT email FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let was = blank_to_none(row.try_get("email")?);
        let new = email.map(|e| e.as_str().to_string());
        if was == new {
            return Ok(());
        }
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(new.as_deref())
            .bind(user.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let outcome = match (&was, &new) {
            (None, _) => Outcome::Added,
            (_, None) => Outcome::Deleted,
            _ => Outcome::Updated,
        };
        let event = ctx.event(AuditAction::EmailChanged, AuditTarget::User, user).detail(AuditDetail::of(Fact::Is(outcome)));
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(())
    }
}
