//! Server-side sessions: the cookie holds a random id, the database only its hash, so a
//! leaked database does not leak live sessions.

use crate::{now_ms, Result, SignedIn, Store, StoreError};
use domain::ids::{TenantId, UserId};
use domain::session::{session_alive, SessionLimits};
use domain::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub tenant: TenantId,
    pub user: UserId,
    pub acting_role: Option<Role>,
    pub csrf_token: String,
    pub created_at: i64,
    /// The store's proof that this session authenticates the user (for `Ctx::signed_in`).
    pub proof: SignedIn,
}

/// A new session: the secret for the cookie, and its CSRF token.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
    pub proof: SignedIn,
}

pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Ends every session of `user` except the one whose cookie secret is `keep`; returns how
/// many ended. Used when the account is disabled or its password changes.
pub(crate) async fn end_user_sessions(conn: &mut sqlx::AnyConnection, user: UserId, keep: Option<&str>) -> Result<u64> {
    let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user.get())
        .bind(keep.map(secret_hash).unwrap_or_default())
        .execute(conn)
        .await?;
    Ok(n.rows_affected())
}

/// How often `last_seen` is written: often enough for idle expiry, rarely enough not to
/// turn every page view into a write.
const TOUCH_EVERY_MS: i64 = 60_000;

impl Store {
    /// Starts a session; `replaces` (the pre-login session, if any) is deleted in the same
    /// transaction, so the id always changes at sign-in.
    pub async fn create_session(&self, tenant: TenantId, user: UserId, role: Option<Role>, replaces: Option<&str>) -> Result<NewSession> {
        let secret = random_token(32);
        let csrf = random_token(32);
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(secret_hash(old)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO sessions (id_hash, tenant_id, user_id, acting_role, csrf_token, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(secret_hash(&secret))
            .bind(tenant.get())
            .bind(user.get())
            .bind(role.map(|r| r.as_str()))
            .bind(&csrf)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(NewSession { secret, csrf_token: csrf, proof: SignedIn::new(tenant, user, None, role) })
    }

    /// The live session for a cookie secret; expired ones are deleted and reported as absent.
    pub async fn session(&self, secret: &str, limits: SessionLimits) -> Result<Option<SessionRecord>> {
        let hash = secret_hash(secret);
        let r = sqlx::query("SELECT tenant_id, user_id, acting_role, csrf_token, created_at, last_seen FROM sessions WHERE id_hash = $1")
            .bind(&hash)
            .fetch_optional(&self.db.read)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let now = now_ms();
        let created: i64 = r.try_get("created_at")?;
        let last_seen: i64 = r.try_get("last_seen")?;
        if !session_alive(limits, created, last_seen, now) {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&hash).execute(&self.db.write).await?;
            return Ok(None);
        }
        if now - last_seen > TOUCH_EVERY_MS {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2").bind(now).bind(&hash).execute(&self.db.write).await?;
        }
        let tenant = TenantId::new(r.try_get("tenant_id")?);
        let user = UserId::new(r.try_get("user_id")?);
        let acting_role = r.try_get::<Option<String>, _>("acting_role")?.and_then(|s| Role::parse(&s));
        Ok(Some(SessionRecord {
            tenant,
            user,
            acting_role,
            csrf_token: r.try_get("csrf_token")?,
            created_at: created,
            proof: SignedIn::new(tenant, user, None, acting_role),
        }))
    }

    pub async fn set_session_role(&self, secret: &str, role: Role) -> Result<()> {
        let n = sqlx::query("UPDATE sessions SET acting_role = $1 WHERE id_hash = $2")
            .bind(role.as_str())
            .bind(secret_hash(secret))
            .execute(&self.db.write)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn delete_session(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(secret_hash(secret)).execute(&self.db.write).await?;
        Ok(())
    }

    /// Removes sessions past their absolute lifetime.
    pub async fn purge_sessions(&self, limits: SessionLimits) -> Result<u64> {
        let now = now_ms();
        let n = sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen < $2")
            .bind(now - limits.absolute_ms)
            .bind(now - limits.idle_ms)
            .execute(&self.db.write)
            .await?;
        Ok(n.rows_affected())
    }
}
