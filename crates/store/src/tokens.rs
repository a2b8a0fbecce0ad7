//! API tokens: one user acting in one role in one tenant; only the hash is stored.

use crate::sessions::{random_token, secret_hash};
use crate::{now_ms, Ctx, Result, SignedIn, Store, StoreError};
use domain::audit::{AuditAction, AuditTarget, Fact};
use domain::ids::{TenantId, TokenId, UserId};
use domain::policy::{self, Operation, Target};
use domain::Role;
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// Who a presented token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPrincipal {
    pub token: TokenId,
    pub tenant: TenantId,
    pub user: UserId,
    pub role: Role,
    /// The store's proof that this token authenticates the user (for `Ctx::signed_in`).
    pub proof: SignedIn,
}

const PREFIX: &str = "cdk_";

/// Revokes every live token of `user` (the account is disabled); returns how many. Enabling
/// the account again does not bring them back.
pub(crate) async fn revoke_user_tokens(conn: &mut sqlx::AnyConnection, user: UserId) -> Result<u64> {
    let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user.get())
        .execute(conn)
        .await?;
    Ok(n.rows_affected())
}

impl Store {
    /// Issues a token for the acting user in `role` (which the user must hold); returns the
    /// token, shown this once, and its id.
    pub async fn create_token(&self, ctx: &Ctx, role: Role, name: &str, expires_days: Option<u32>) -> Result<(String, TokenId)> {
        let user = ctx.user.ok_or_else(|| StoreError::Config("a token belongs to a user".into()))?;
        self.create_token_for(ctx, user, role, name, expires_days).await
    }

    /// An operator's command issues a token to a user of the tenant (`careerdock token create`).
    pub async fn issue_token(
        &self,
        op: &Ctx,
        user: UserId,
        role: Role,
        name: &str,
        expires_days: Option<u32>,
    ) -> Result<(String, TokenId)> {
        op.check(Operation::ManageOwnTokens)?;
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        self.create_token_for(op, user, role, name, expires_days).await
    }

    async fn create_token_for(
        &self,
        ctx: &Ctx,
        user: UserId,
        role: Role,
        name: &str,
        expires_days: Option<u32>,
    ) -> Result<(String, TokenId)> {
        let holder = self.user(ctx.tenant, user).await?;
        let may_hold = policy::decide(&policy::Actor::new(user, ctx.tenant, role), Operation::ManageOwnTokens, Target::Route).is_allow();
        if !may_hold {
            return Err(domain::Invalid::new(
                "role",
                format!("役割「{}」ではAPIトークンを発行できません。", role.label_ja()),
                format!("API tokens cannot be issued for the role {role}"),
            )
            .into());
        }
        if !holder.roles.contains(&role) {
            return Err(domain::Invalid::new(
                "role",
                format!("このユーザーには役割「{}」がありません。", role.label_ja()),
                format!("the user does not hold the role {role}"),
            )
            .into());
        }
        let name = domain::limits::TOKEN_NAME.check(name)?;
        let name = name.as_str();
        let secret = format!("{PREFIX}{}", random_token(32));
        let now = now_ms();
        let expires = expires_days.map(|d| now + i64::from(d) * 86_400_000);
        let mut tx = self.db.write.begin().await?;
        let row = sqlx::query(
            "INSERT INTO api_tokens (tenant_id, user_id, role, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(user.get())
        .bind(role.as_str())
        .bind(if name.is_empty() { "API" } else { name })
        .bind(secret_hash(&secret))
        .bind(&secret[..PREFIX.len() + 8])
        .bind(now)
        .bind(expires)
        .fetch_one(&mut *tx)
        .await?;
        let id = TokenId::new(row.try_get("id")?);
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::TokenCreated, AuditTarget::ApiToken, id).detail(Fact::Role(role))])
            .await?;
        tx.commit().await?;
        Ok((secret, id))
    }

    pub async fn tokens_of(&self, tenant: TenantId, user: UserId) -> Result<Vec<TokenRow>> {
        let rows = sqlx::query("SELECT * FROM api_tokens WHERE tenant_id = $1 AND user_id = $2 ORDER BY id DESC")
            .bind(tenant.get())
            .bind(user.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenRow {
                    id: TokenId::new(r.try_get("id")?),
                    name: r.try_get("name")?,
                    role: Role::parse(&r.try_get::<String, _>("role")?)
                        .ok_or_else(|| StoreError::Config("unknown role in api_tokens".into()))?,
                    prefix: r.try_get("prefix")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of the acting user's own tokens; another user's token is "not found".
    pub async fn revoke_token(&self, ctx: &Ctx, id: TokenId) -> Result<()> {
        let user = ctx.user.ok_or(StoreError::NotFound)?;
        self.revoke_token_of(ctx, user, id).await
    }

    /// An operator's command revokes a user's token (`careerdock token revoke`).
    pub async fn revoke_user_token(&self, op: &Ctx, user: UserId, id: TokenId) -> Result<()> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        self.revoke_token_of(op, user, id).await
    }

    async fn revoke_token_of(&self, ctx: &Ctx, user: UserId, id: TokenId) -> Result<()> {
        let mut tx = self.db.write.begin().await?;
        let n =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND user_id = $4 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id.get())
                .bind(ctx.tenant.get())
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::TokenRevoked, AuditTarget::ApiToken, id)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a presented token; revoked, expired or unknown tokens resolve to nothing.
    pub async fn token_principal(&self, secret: &str) -> Result<Option<TokenPrincipal>> {
        if !secret.starts_with(PREFIX) {
            return Ok(None);
        }
        let now = now_ms();
        let r = sqlx::query(
            "SELECT t.id, t.tenant_id, t.user_id, t.role, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL",
        )
        .bind(secret_hash(secret))
        .bind(now)
        .fetch_optional(&self.db.read)
        .await?;
        let Some(r) = r else { return Ok(None) };
        let id: i64 = r.try_get("id")?;
        let user = UserId::new(r.try_get("user_id")?);
        let tenant = TenantId::new(r.try_get("tenant_id")?);
        let Some(role) = Role::parse(&r.try_get::<String, _>("role")?) else { return Ok(None) };
        // The role must still be held: removing a role disarms the tokens issued for it.
        let held = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 AND role = $2")
            .bind(user.get())
            .bind(role.as_str())
            .fetch_optional(&self.db.read)
            .await?;
        if held.is_none() {
            return Ok(None);
        }
        let last: Option<i64> = r.try_get("last_used_at")?;
        if last.is_none_or(|l| now - l > 60_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(&self.db.write).await?;
        }
        Ok(Some(TokenPrincipal {
            token: TokenId::new(id),
            tenant,
            user,
            role,
            proof: SignedIn::new(tenant, user, Some(TokenId::new(id)), Some(role)),
        }))
    }
}
