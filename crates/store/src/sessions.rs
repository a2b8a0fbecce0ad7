//! Server-side sessions: the cookie holds a random id, the database only its hash, so a
//! leaked database does not leak live sessions.

use crate::{now_ms, Result, SignedIn, Store, StoreError};
use domain::ids::{TenantId, UserId};
use domain::session::{login_form_fresh, session_alive, SessionLimits};
use domain::Role;
use hmac::Mac;
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

/// What the sign-in form's MAC key is derived for (see `Keyring::derived_keys`).
const LOGIN_FORM_PURPOSE: &str = "careerdock:login-form:v1";

fn login_form_mac(key: &[u8], body: &str) -> Option<hmac::Hmac<Sha256>> {
    let mac = hmac::Hmac::<Sha256>::new_from_slice(key).ok()?;
    Some(mac.chain_update(body.as_bytes()))
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

    /// A token for the sign-in form (its hidden field and its cookie): a random nonce and the
    /// time, with a MAC under a key derived from the data keys, so that every server on the
    /// database accepts it and nobody can make one up.
    pub fn issue_login_form_token(&self) -> String {
        let body = format!("{}.{}", random_token(16), now_ms());
        let mac = self
            .keys
            .derived_keys(LOGIN_FORM_PURPOSE)
            .first()
            .and_then(|key| login_form_mac(key, &body))
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{body}.{mac}")
    }

    /// Whether a sign-in form token was issued by a server of this installation, recently.
    pub fn login_form_token_valid(&self, token: &str) -> bool {
        let Some((body, mac)) = token.rsplit_once('.') else { return false };
        let Some((nonce, issued)) = body.split_once('.') else { return false };
        let (Ok(mac), Ok(issued)) = (hex::decode(mac), issued.parse::<i64>()) else { return false };
        if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) || !login_form_fresh(issued, now_ms()) {
            return false;
        }
        // Any key of the ring: a form drawn just before a key rotation still signs in.
        self.keys.derived_keys(LOGIN_FORM_PURPOSE).iter().any(|key| login_form_mac(key, body).is_some_and(|m| m.verify_slice(&mac).is_ok()))
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

    /// Sets the acting role under a new session id: the old secret stops working at once (a
    /// secret seen in one role is worth nothing in the next). The CSRF token, the creation
    /// time and so the absolute lifetime carry over. Returns the new secret.
    pub async fn set_session_role(&self, secret: &str, role: Role) -> Result<String> {
        let fresh = random_token(32);
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query(
            "INSERT INTO sessions (id_hash, tenant_id, user_id, acting_role, csrf_token, created_at, last_seen)
             SELECT $1, tenant_id, user_id, $2, csrf_token, created_at, $3 FROM sessions WHERE id_hash = $4",
        )
        .bind(secret_hash(&fresh))
        .bind(role.as_str())
        .bind(now_ms())
        .bind(secret_hash(secret))
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(secret_hash(secret)).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(fresh)
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
