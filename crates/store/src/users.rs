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

/// An account as the administrator's list shows it: roles, linked employee number, status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub employee_number: Option<String>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
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

/// Checks `password` against `hash`, or against the dummy hash when there is no account to
/// check it against: either way one argon2 verification is spent, off the async threads.
async fn check_password(password: &str, hash: Option<String>) -> Result<bool> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.get_or_init(|| hash_password("careerdock-dummy").unwrap_or_default()).clone());
        verify_password(&pw, &hash)
    })
    .await
    .map_err(|e| StoreError::Crypto(e.to_string()))
}

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

/// The rule for replacing roles: at least one role, and nobody takes away their own
/// administrator role (so an administrator cannot lock themselves, or the tenant, out).
pub fn check_role_change(actor: Option<UserId>, target: UserId, had: &[Role], roles: &[Role]) -> std::result::Result<(), domain::Invalid> {
    if roles.is_empty() {
        return Err(domain::Invalid::new("roles", "役割を1つ以上選択してください。", "choose at least one role"));
    }
    if actor == Some(target) && had.contains(&Role::Admin) && !roles.contains(&Role::Admin) {
        return Err(domain::Invalid::new(
            "roles",
            "ご自身の「システム管理者」の役割は外せません。別の管理者に依頼してください。",
            "you cannot remove your own administrator role; ask another administrator",
        ));
    }
    Ok(())
}

impl Store {
    pub async fn create_user(&self, ctx: &Ctx, new: &NewUser<'_>) -> Result<UserId> {
        validate_login(new.login)?;
        if new.password.chars().count() < 8 {
            return Err(domain::Invalid::new(
                "password",
                "パスワードは8文字以上にしてください。",
                "the password must have at least 8 characters",
            )
            .into());
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
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(id.get())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let roles: Vec<&str> = new.roles.iter().map(|r| r.as_str()).collect();
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::UserCreated, "user", id).detail(format!("roles={}", roles.join(",")))])
            .await?;
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
            Some(r) => (Some(r.try_get::<i64, _>("id")?), Some(r.try_get::<String, _>("password_hash")?)),
            None => (None, None),
        };
        let ok = check_password(password, hash).await?;
        match (id, ok) {
            (Some(id), true) => Ok(Some(self.user(tenant, UserId::new(id)).await?)),
            _ => Ok(None),
        }
    }

    /// Spends the time of a password check on a sign-in that cannot succeed (an unknown
    /// organization code, an empty login), so that it answers no faster than a wrong password.
    pub async fn authenticate_nobody(&self, password: &str) -> Result<()> {
        check_password(password, None).await.map(|_| ())
    }

    pub async fn user(&self, tenant: TenantId, id: UserId) -> Result<UserRow> {
        let r = sqlx::query("SELECT id, tenant_id, login, display_name, employee_id, locale FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let roles =
            sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role").bind(id.get()).fetch_all(&self.db.read).await?;
        let mut parsed: Vec<Role> =
            roles.iter().filter_map(|r| r.try_get::<String, _>("role").ok()).filter_map(|s| Role::parse(&s)).collect();
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
        let rows =
            sqlx::query("SELECT id FROM users WHERE tenant_id = $1 ORDER BY login").bind(tenant.get()).fetch_all(&self.db.read).await?;
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

    /// Every account of a tenant with its roles, linked employee number and status, in two
    /// queries whatever the number of accounts.
    pub async fn accounts(&self, tenant: TenantId) -> Result<Vec<AccountRow>> {
        let rows = sqlx::query(
            "SELECT u.id, u.login, u.display_name, u.created_at, u.disabled_at, e.employee_number
             FROM users u LEFT JOIN employees e ON e.id = u.employee_id AND e.tenant_id = u.tenant_id
             WHERE u.tenant_id = $1 ORDER BY u.login",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let role_rows = sqlx::query("SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut roles: std::collections::HashMap<i64, Vec<Role>> = std::collections::HashMap::new();
        for r in &role_rows {
            if let Some(role) = Role::parse(&r.try_get::<String, _>("role")?) {
                roles.entry(r.try_get("user_id")?).or_default().push(role);
            }
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let mut held = roles.remove(&id).unwrap_or_default();
                held.sort();
                Ok(AccountRow {
                    id: UserId::new(id),
                    login: r.try_get("login")?,
                    display_name: r.try_get("display_name")?,
                    roles: held,
                    employee_number: r.try_get("employee_number")?,
                    created_at: r.try_get("created_at")?,
                    disabled_at: r.try_get("disabled_at")?,
                })
            })
            .collect()
    }

    /// Replaces a user's roles; the change and its audit event commit together. Tokens and
    /// sessions acting in a removed role stop working at their next request.
    pub async fn set_user_roles(&self, ctx: &Ctx, user: UserId, roles: &[Role]) -> Result<()> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        let mut tx = self.db.write.begin().await?;
        // Touching the row takes its lock, so two concurrent changes apply one after the other.
        let locked = sqlx::query("UPDATE users SET tenant_id = tenant_id WHERE id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if locked.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let old = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1").bind(user.get()).fetch_all(&mut *tx).await?;
        let mut had: Vec<Role> = old.iter().filter_map(|r| r.try_get::<String, _>("role").ok()).filter_map(|s| Role::parse(&s)).collect();
        had.sort();
        check_role_change(ctx.user, user, &had, &roles)?;
        if had == roles {
            return Ok(());
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user.get()).execute(&mut *tx).await?;
        for role in &roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user.get())
                .bind(role.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let list = |rs: &[Role]| rs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",");
        let detail = format!("roles={} was={}", list(&roles), list(&had));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::RolesChanged, "user", user).detail(detail)]).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeySource, OpenOptions};
    use domain::tenant::{KThreshold, TenantSlug};

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

    #[test]
    fn roles_cannot_be_emptied() {
        let e = check_role_change(None, UserId::new(2), &[Role::Hr], &[]).err();
        assert_eq!(e.map(|e| e.field), Some("roles"));
    }

    #[test]
    fn an_admin_keeps_their_own_admin_role() {
        let me = UserId::new(1);
        assert!(check_role_change(Some(me), me, &[Role::Admin, Role::Hr], &[Role::Hr]).is_err());
        assert!(check_role_change(Some(me), me, &[Role::Admin], &[Role::Admin, Role::Hr]).is_ok());
        // Another user's admin role may go, and one's own other roles too.
        assert!(check_role_change(Some(me), UserId::new(2), &[Role::Admin], &[Role::Hr]).is_ok());
        assert!(check_role_change(Some(me), me, &[Role::Admin, Role::Hr], &[Role::Admin]).is_ok());
        // Operators (no user) are not the target.
        assert!(check_role_change(None, me, &[Role::Admin], &[Role::Hr]).is_ok());
    }

    async fn roles_are_replaced_with_their_audit_event_on(backend: testkit::Backend) {
        let db = testkit::fresh_db(backend).expect("test database");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("open");
        let slug = TenantSlug::parse("acme").expect("slug");
        let tenant = store.create_tenant(&slug, "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let admin = store
            .create_user(
                &op,
                &NewUser { login: "root", display_name: "管理者", password: "password1", roles: &[Role::Admin], employee: None },
            )
            .await
            .expect("admin");
        let hr = store
            .create_user(
                &op,
                &NewUser { login: "hana", display_name: "人事 花子", password: "password1", roles: &[Role::Hr], employee: None },
            )
            .await
            .expect("hr");
        let ctx = Ctx::user(tenant.id, admin, "root", Some(Role::Admin));

        store.set_user_roles(&ctx, hr, &[Role::Consultant, Role::Hr, Role::Hr]).await.expect("set roles");
        assert_eq!(store.user(tenant.id, hr).await.expect("user").roles, vec![Role::Consultant, Role::Hr]);
        let last = store.recent_audit(tenant.id, 1, None).await.expect("audit");
        assert_eq!(last[0].action, AuditAction::RolesChanged.as_str());
        assert_eq!(last[0].target_id, hr.to_string());
        assert_eq!(last[0].detail, "roles=consultant,hr was=hr");

        // No change, no event.
        let before = store.audit_stats(tenant.id).await.expect("stats").events;
        store.set_user_roles(&ctx, hr, &[Role::Hr, Role::Consultant]).await.expect("same roles");
        assert_eq!(store.audit_stats(tenant.id).await.expect("stats").events, before);

        // Refused changes leave everything as it was.
        assert!(matches!(store.set_user_roles(&ctx, admin, &[Role::Hr]).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.set_user_roles(&ctx, hr, &[]).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.set_user_roles(&ctx, UserId::new(9999), &[Role::Hr]).await, Err(StoreError::NotFound)));
        assert_eq!(store.user(tenant.id, admin).await.expect("user").roles, vec![Role::Admin]);

        let accounts = store.accounts(tenant.id).await.expect("accounts");
        let logins: Vec<(&str, &[Role])> = accounts.iter().map(|a| (a.login.as_str(), a.roles.as_slice())).collect();
        assert_eq!(logins, vec![("hana", &[Role::Consultant, Role::Hr][..]), ("root", &[Role::Admin][..])]);
        assert!(accounts.iter().all(|a| a.disabled_at.is_none() && a.employee_number.is_none()));

        let verified = store.verify_audit(Some(tenant.id)).await.expect("verify");
        assert!(verified[0].broken.is_none());
        store.close().await;
    }

    #[tokio::test]
    async fn roles_are_replaced_with_their_audit_event() {
        for backend in testkit::Backend::ALL {
            roles_are_replaced_with_their_audit_event_on(backend).await;
        }
    }
}
