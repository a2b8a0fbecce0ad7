//! Accounts, their password hashes (argon2id) and their roles per tenant.

use crate::{now_ms, Ctx, Result, Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::audit::AuditAction;
use domain::ids::{EmployeeId, TenantId, UserId};
use domain::{Locale, Role};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub tenant: TenantId,
    pub login: String,
    pub display_name: String,
    pub employee: Option<EmployeeId>,
    pub locale: Option<Locale>,
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub roles: &'a [Role],
    pub employee: Option<EmployeeId>,
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Crypto(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to check against when the login does not exist, so that timing does not reveal
/// which logins are real.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn validate_login(login: &str) -> Result<()> {
    let ok = !login.is_empty() && login.len() <= 64 && login.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
    if ok {
        Ok(())
    } else {
        Err(domain::Invalid::new(
            "login",
            "ログインIDは半角英数字と - _ . @ の64文字以内で指定してください。",
            "the login must be up to 64 ASCII letters, digits or - _ . @",
        )
        .into())
    }
}

impl Store {
    pub async fn create_user(&self, ctx: &Ctx, new: &NewUser<'_>) -> Result<UserId> {
        validate_login(new.login)?;
        if new.password.chars().count() < 8 {
            return Err(domain::Invalid::new("password", "パスワードは8文字以上にしてください。", "the password must have at least 8 characters").into());
        }
        let hash = {
            let pw = new.password.to_string();
            tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(|e| StoreError::Crypto(e.to_string()))??
        };
        let mut tx = self.db.write.begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (tenant_id, login, display_name, password_hash, employee_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(new.login)
        .bind(new.display_name)
        .bind(hash)
        .bind(new.employee.map(|e| e.get()))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(format!("login {} already exists", new.login)),
            e => e.into(),
        })?;
        let id = UserId::new(row.try_get("id")?);
        for role in new.roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)").bind(id.get()).bind(role.as_str()).execute(&mut *tx).await?;
        }
        let roles: Vec<&str> = new.roles.iter().map(|r| r.as_str()).collect();
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::UserCreated, "user", id).detail(format!("roles={}", roles.join(",")))]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a login's password; `None` for an unknown login, a disabled account or a wrong password.
    pub async fn authenticate(&self, tenant: TenantId, login: &str, password: &str) -> Result<Option<UserRow>> {
        let r = sqlx::query("SELECT id, password_hash FROM users WHERE tenant_id = $1 AND login = $2 AND disabled_at IS NULL")
            .bind(tenant.get())
            .bind(login)
            .fetch_optional(&self.db.read)
            .await?;
        let (id, hash) = match r {
            Some(r) => (Some(r.try_get::<i64, _>("id")?), r.try_get::<String, _>("password_hash")?),
            None => (None, DUMMY_HASH.get_or_init(|| hash_password("careerdock-dummy").unwrap_or_default()).clone()),
        };
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.map_err(|e| StoreError::Crypto(e.to_string()))?;
        match (id, ok) {
            (Some(id), true) => Ok(Some(self.user(tenant, UserId::new(id)).await?)),
            _ => Ok(None),
        }
    }

    pub async fn user(&self, tenant: TenantId, id: UserId) -> Result<UserRow> {
        let r = sqlx::query("SELECT id, tenant_id, login, display_name, employee_id, locale FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let roles = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role").bind(id.get()).fetch_all(&self.db.read).await?;
        let mut parsed: Vec<Role> = roles.iter().filter_map(|r| r.try_get::<String, _>("role").ok()).filter_map(|s| Role::parse(&s)).collect();
        parsed.sort();
        Ok(UserRow {
            id,
            tenant,
            login: r.try_get("login")?,
            display_name: r.try_get("display_name")?,
            employee: r.try_get::<Option<i64>, _>("employee_id")?.map(EmployeeId::new),
            locale: r.try_get::<Option<String>, _>("locale")?.and_then(|l| Locale::parse(&l)),
            roles: parsed,
        })
    }

    pub async fn user_by_login(&self, tenant: TenantId, login: &str) -> Result<UserRow> {
        let r = sqlx::query("SELECT id FROM users WHERE tenant_id = $1 AND login = $2")
            .bind(tenant.get())
            .bind(login)
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.user(tenant, UserId::new(r.try_get("id")?)).await
    }

    pub async fn users(&self, tenant: TenantId) -> Result<Vec<UserRow>> {
        let rows = sqlx::query("SELECT id FROM users WHERE tenant_id = $1 ORDER BY login").bind(tenant.get()).fetch_all(&self.db.read).await?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.user(tenant, UserId::new(r.try_get("id")?)).await?);
        }
        Ok(out)
    }

    pub async fn set_user_locale(&self, tenant: TenantId, user: UserId, locale: Locale) -> Result<()> {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(locale.code())
            .bind(user.get())
            .bind(tenant.get())
            .execute(&self.db.write)
            .await?;
        Ok(())
    }
}
