//! Accounts, their password hashes (argon2id) and their roles per tenant.

use crate::{now_ms, Ctx, Result, Store, StoreError};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::account::{check_disable, check_display_name, check_login, check_password, check_role_change, new_password_problems};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{EmployeeId, TenantId, UserId};
use domain::policy::Operation;
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
    /// Signed in with a one-time password: nothing but the password change until it is replaced.
    pub must_change_password: bool,
    /// Disabled accounts cannot sign in; their sessions and tokens were ended when disabled.
    pub disabled: bool,
    /// The tenant marks this account as holding personnel authority (人事権).
    pub personnel_authority: bool,
}

/// An account as the administrator's list shows it: roles, linked employee number, status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub employee_number: Option<String>,
    /// The account's own address for notices.
    pub email: Option<String>,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub must_change_password: bool,
}

#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub roles: &'a [Role],
    pub employee: Option<EmployeeId>,
}

/// What a new password hash costs. Every server and every command hashes at
/// [`PasswordCost::Standard`]; only a test binary's own store, made with
/// [`Store::with_password_cost`], can ask for less. A check always costs what the stored hash
/// says (its parameters are part of it), so the two kinds never mix up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordCost {
    /// Argon2id with the `argon2` crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's recommended
    /// minimum).
    #[default]
    Standard,
    /// Argon2id at its smallest (8 KiB, 1 pass), for tests that create and sign in hundreds of
    /// accounts: in the HTTP tests the standard hash was about a third of all the CPU they used.
    /// The timing test of sign-in keeps [`PasswordCost::Standard`].
    Minimal,
}

impl PasswordCost {
    fn argon2(self) -> Argon2<'static> {
        match self {
            PasswordCost::Standard => Argon2::default(),
            // The smallest parameters argon2 accepts; should they ever be refused, the standard ones.
            PasswordCost::Minimal => Params::new(Params::MIN_M_COST, Params::MIN_T_COST, Params::MIN_P_COST, None)
                .map_or_else(|_| Argon2::default(), |p| Argon2::new(Algorithm::Argon2id, Version::V0x13, p)),
        }
    }
}

pub fn hash_password(password: &str, cost: PasswordCost) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    cost.argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Crypto(format!("password hashing failed: {e}")))
}

/// Checks `password` against `hash` with the parameters written in `hash`.
fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to check against when the login does not exist, so that timing does not reveal
/// which logins are real: one per cost, so that a store's unknown logins take as long as its
/// real ones.
static DUMMY_HASH: [std::sync::OnceLock<String>; 2] = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];

fn dummy_hash(cost: PasswordCost) -> String {
    let slot = &DUMMY_HASH[usize::from(cost == PasswordCost::Minimal)];
    slot.get_or_init(|| hash_password("careerdock-dummy", cost).unwrap_or_default()).clone()
}

/// A one-time password (80 random bits, unambiguous characters) for an account whose owner
/// must choose their own at the first sign-in.
pub fn one_time_password() -> String {
    let mut bytes = [0u8; domain::account::ONE_TIME_PASSWORD_BYTES];
    rand::RngCore::fill_bytes(&mut OsRng, &mut bytes);
    domain::account::one_time_password(bytes)
}

/// Checks `password` against `hash`, or against the dummy hash when there is no account to
/// check it against: either way one argon2 verification is spent, off the async threads.
async fn verify_or_dummy(password: &str, hash: Option<String>, cost: PasswordCost) -> Result<bool> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| dummy_hash(cost));
        verify_password(&pw, &hash)
    })
    .await
    .map_err(|e| StoreError::Crypto(e.to_string()))
}

async fn hash_in_background(password: &str, cost: PasswordCost) -> Result<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || hash_password(&pw, cost)).await.map_err(|e| StoreError::Crypto(e.to_string()))?
}

async fn verify_in_background(password: &str, hash: String) -> Result<bool> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash)).await.map_err(|e| StoreError::Crypto(e.to_string()))
}

/// Proves inside a transaction that `user` is an account of `tenant`; any other id is "not found".
pub(crate) async fn user_in_tenant(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: TenantId, user: UserId) -> Result<()> {
    let exists = sqlx::query("SELECT id FROM users WHERE id = $1 AND tenant_id = $2")
        .bind(user.get())
        .bind(tenant.get())
        .fetch_optional(&mut **tx)
        .await?;
    exists.map(|_| ()).ok_or(StoreError::NotFound)
}

impl Store {
    pub async fn create_user(&self, ctx: &Ctx, new: &NewUser<'_>) -> Result<UserId> {
        self.insert_user(ctx, new, false).await
    }

    /// Creates an account whose password was handed out (by an operator or an administrator)
    /// and must be replaced by its owner at the first sign-in.
    pub async fn create_user_with_temporary_password(&self, ctx: &Ctx, new: &NewUser<'_>) -> Result<UserId> {
        self.insert_user(ctx, new, true).await
    }

    async fn insert_user(&self, ctx: &Ctx, new: &NewUser<'_>, must_change: bool) -> Result<UserId> {
        ctx.check(Operation::ManageUsers)?;
        check_login(new.login)?;
        check_display_name(new.display_name)?;
        check_password(new.password)?;
        let hash = hash_in_background(new.password, self.password_cost).await?;
        let mut tx = self.db.write.begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (tenant_id, login, display_name, password_hash, employee_id, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(new.login)
        .bind(new.display_name.trim())
        .bind(hash)
        .bind(new.employee.map(|e| e.get()))
        .bind(now_ms())
        .bind(i64::from(must_change))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(domain::Message::new(format!("ログインID「{}」はすでに使われています。", new.login), format!("login {} already exists", new.login))),
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
        let mut detail = AuditDetail::of(Fact::Roles(Key::Roles, new.roles.to_vec()));
        if must_change {
            detail = detail.and(Fact::Is(Outcome::MustChangePassword));
        }
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::UserCreated, AuditTarget::User, id).detail(detail)]).await?;
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
        let ok = verify_or_dummy(password, hash, self.password_cost).await?;
        match (id, ok) {
            (Some(id), true) => Ok(Some(self.user(tenant, UserId::new(id)).await?)),
            _ => Ok(None),
        }
    }

    /// Spends the time of a password check on a sign-in that cannot succeed (an unknown
    /// organization code, an empty login), so that it answers no faster than a wrong password.
    pub async fn authenticate_nobody(&self, password: &str) -> Result<()> {
        verify_or_dummy(password, None, self.password_cost).await.map(|_| ())
    }

    pub async fn user(&self, tenant: TenantId, id: UserId) -> Result<UserRow> {
        let r = sqlx::query(
            "SELECT id, tenant_id, login, display_name, employee_id, locale, must_change_password, disabled_at, personnel_authority FROM users WHERE id = $1 AND tenant_id = $2",
        )
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
            must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
            disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            personnel_authority: r.try_get::<i64, _>("personnel_authority")? != 0,
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
            "SELECT u.id, u.login, u.display_name, u.created_at, u.disabled_at, u.must_change_password, e.employee_number, u.email
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
                    email: r.try_get::<Option<String>, _>("email")?.filter(|e| !e.trim().is_empty()),
                    created_at: r.try_get("created_at")?,
                    disabled_at: r.try_get("disabled_at")?,
                    must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
                })
            })
            .collect()
    }

    /// Replaces a user's roles; the change and its audit event commit together. Tokens and
    /// sessions acting in a removed role stop working at their next request.
    pub async fn set_user_roles(&self, ctx: &Ctx, user: UserId, roles: &[Role]) -> Result<()> {
        ctx.check(Operation::ManageUsers)?;
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
        let detail = AuditDetail::of(Fact::Roles(Key::Roles, roles.to_vec())).and(Fact::Roles(Key::Was, had.to_vec()));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::RolesChanged, AuditTarget::User, user).detail(detail)]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Why a password change was refused because of the current password (the handler throttles
/// these like failed sign-ins).
pub const WRONG_CURRENT_PASSWORD: &str = "current_password";

fn wrong_current_password() -> domain::Invalid {
    domain::Invalid::new(WRONG_CURRENT_PASSWORD, "現在のパスワードが正しくありません。", "the current password is not correct")
}

impl Store {
    /// The account list as [`Store::accounts`] gives it, recorded in the audit log as read by
    /// `ctx` (the administrator's page, `careerdock user list`).
    pub async fn read_accounts(&self, ctx: &Ctx) -> Result<Vec<AccountRow>> {
        let rows = self.accounts(ctx.tenant).await?;
        self.audit(ctx, ctx.event(AuditAction::AccountListRead, AuditTarget::AccountList, "").detail(AuditDetail::count(rows.len())))
            .await?;
        Ok(rows)
    }

    /// Disables an account: it can no longer sign in, and in the same transaction its
    /// sessions end, its API tokens are revoked and its calendar feed is deleted, so that
    /// nothing it held works a moment longer (nor after it is enabled again). Disabling a
    /// disabled account changes nothing.
    pub async fn disable_user(&self, ctx: &Ctx, user: UserId) -> Result<()> {
        ctx.check(Operation::ManageUsers)?;
        check_disable(ctx.user, user)?;
        let mut tx = self.db.write.begin().await?;
        user_in_tenant(&mut tx, ctx.tenant, user).await?;
        let n = sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2 AND tenant_id = $3 AND disabled_at IS NULL")
            .bind(now_ms())
            .bind(user.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Ok(());
        }
        let sessions = crate::sessions::end_user_sessions(&mut tx, user, None).await?;
        let tokens = crate::tokens::revoke_user_tokens(&mut tx, user).await?;
        let feeds = crate::calendar::delete_user_feed(&mut tx, user).await?;
        let detail = AuditDetail::none().n(Key::SessionsEnded, sessions).n(Key::TokensRevoked, tokens).n(Key::CalendarFeedsDeleted, feeds);
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::UserDisabled, AuditTarget::User, user).detail(detail)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables a disabled account: it may sign in again (with new sessions and new tokens;
    /// the ended ones stay ended). Enabling an active account changes nothing.
    pub async fn enable_user(&self, ctx: &Ctx, user: UserId) -> Result<()> {
        ctx.check(Operation::ManageUsers)?;
        let mut tx = self.db.write.begin().await?;
        user_in_tenant(&mut tx, ctx.tenant, user).await?;
        let n = sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1 AND tenant_id = $2 AND disabled_at IS NOT NULL")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Ok(());
        }
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::UserEnabled, AuditTarget::User, user)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in user of `ctx` replaces their password: the current one must be given,
    /// the new one follows the account rules. Every other session of the user ends (the one
    /// whose cookie secret is `keep_session` stays), and a one-time password is no longer
    /// one. A wrong current password is refused on the field [`WRONG_CURRENT_PASSWORD`].
    pub async fn change_password(&self, ctx: &Ctx, current: &str, new: &str, confirm: &str, keep_session: Option<&str>) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        let r = sqlx::query("SELECT password_hash FROM users WHERE id = $1 AND tenant_id = $2 AND disabled_at IS NULL")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let hash: String = r.try_get("password_hash")?;
        // Every problem at once: a wrong current password and the new one's.
        let mut problems = new_password_problems(current, new, confirm);
        if !verify_in_background(current, hash.clone()).await? {
            problems.insert(0, wrong_current_password());
        }
        if !problems.is_empty() {
            return Err(StoreError::problems(problems));
        }
        let new_hash = hash_in_background(new, self.password_cost).await?;
        let mut tx = self.db.write.begin().await?;
        // Only if the hash is still the one checked: two changes at once cannot both pass
        // with the same current password.
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = 0 WHERE id = $2 AND tenant_id = $3 AND password_hash = $4",
        )
        .bind(new_hash)
        .bind(user.get())
        .bind(ctx.tenant.get())
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(wrong_current_password().into());
        }
        let ended = crate::sessions::end_user_sessions(&mut tx, user, keep_session).await?;
        let detail = AuditDetail::none().n(Key::OtherSessionsEnded, ended);
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::PasswordChanged, AuditTarget::User, user).detail(detail)]).await?;
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
    fn a_store_hashes_at_argon2s_recommended_cost_unless_a_test_asks_for_less() {
        assert_eq!(PasswordCost::default(), PasswordCost::Standard);
        let standard = hash_password("password1", PasswordCost::Standard).expect("hash");
        assert!(standard.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{standard}");
        let minimal = hash_password("password1", PasswordCost::Minimal).expect("hash");
        assert!(minimal.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{minimal}");
        // A check reads the cost from the hash: each kind verifies, and refuses a wrong password.
        for hash in [&standard, &minimal] {
            assert!(verify_password("password1", hash));
            assert!(!verify_password("password2", hash));
        }
        assert!(dummy_hash(PasswordCost::Standard).contains("m=19456,t=2"));
        assert!(dummy_hash(PasswordCost::Minimal).contains("m=8,t=1"));
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
        let ctx = Ctx::for_tests(tenant.id, admin, "root", Some(Role::Admin));
        // A store as the product opens it hashes at the standard cost.
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(admin.get())
            .fetch_one(&store.db.read)
            .await
            .expect("hash");
        assert!(hash.contains("$m=19456,t=2,p=1$"), "{hash}");

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
