//! Two-factor sign-in in the database: each account's TOTP secret (sealed like every
//! confidential text), its recovery codes (only their hashes), the half-signed-in challenges
//! between the password and the code, and each tenant's requirement. Which code is accepted
//! and who must enroll are `domain::totp`'s rules.

use crate::sessions::{random_token, secret_hash};
use crate::{now_ms, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::ids::{SealedId, TenantId, UserId};
use domain::policy::Operation;
use domain::totp::{self, CodeCheck, SecondFactorInput, SecondStep, TwoFactorRequirement};
use domain::Role;
use rand::RngCore;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use std::fmt;
use zeroize::Zeroizing;

/// The purpose of the sealed texts holding secrets (and the audit events' target kind).
pub(crate) const PURPOSE: &str = "two_factor_secret";
/// An enrollment left unconfirmed this long starts over with a new secret.
const PENDING_TTL_MS: i64 = 60 * 60 * 1000;

/// A TOTP secret in memory: wiped when dropped, never printed.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// Where an account stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TwoFactorStatus {
    /// When enrollment was confirmed; `None` when the account has no second factor.
    pub enrolled_at: Option<i64>,
    pub recovery_codes_left: i64,
}

/// The answer to a second-factor input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactorOutcome {
    /// A right authenticator code, now spent.
    Code,
    /// A right recovery code, now spent; `left` remain.
    RecoveryCode {
        left: i64,
    },
    /// A right code of a step already used.
    Replayed,
    Wrong,
}

impl SecondFactorOutcome {
    pub fn accepted(self) -> bool {
        matches!(self, SecondFactorOutcome::Code | SecondFactorOutcome::RecoveryCode { .. })
    }
}

/// A half-finished sign-in: the password was right, `stage` is what remains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInChallenge {
    pub tenant: TenantId,
    pub user: UserId,
    pub stage: SecondStep,
    /// Where the user goes once signed in (already checked to be a local path).
    pub next: String,
    /// The store's proof that the password was right: a context without a role, for auditing
    /// and for the user's own second-factor operations.
    pub proof: crate::SignedIn,
}

fn now_secs() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap_or(0)
}

fn user_of(ctx: &Ctx) -> Result<UserId> {
    ctx.user.ok_or(StoreError::NotFound)
}

impl Store {
    /// The only place a TOTP secret is decrypted: a credential the store checks codes against,
    /// never personal content, so it opens on the store's own path for its secrets (which
    /// refuses any personal purpose); the read is audited, durably, before the secret is used.
    async fn open_two_factor_secret(&self, ctx: &Ctx, sealed: SealedId) -> Result<TotpSecret> {
        let text = self.open_system_secret(ctx.tenant, sealed).await?;
        let bytes = totp::secret_from_text(&text).ok_or_else(|| StoreError::Crypto("a two-factor secret is damaged".into()))?;
        self.audit(ctx, ctx.event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: PURPOSE }, sealed)).await?;
        Ok(TotpSecret(Zeroizing::new(bytes)))
    }

    /// Who of the tenant must use a second factor (nobody until an administrator says so).
    pub async fn two_factor_requirement(&self, tenant: TenantId) -> Result<TwoFactorRequirement> {
        let r = sqlx::query("SELECT requirement FROM two_factor_requirements WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        match r {
            Some(r) => {
                let raw: String = r.try_get("requirement")?;
                TwoFactorRequirement::parse(&raw)
                    .ok_or_else(|| StoreError::Config(format!("unknown two-factor requirement {raw:?} for tenant {tenant}")))
            }
            None => Ok(TwoFactorRequirement::Nobody),
        }
    }

    /// Sets the tenant's requirement, audited. Whoever must now enroll and has not loses their
    /// sessions at once, so the requirement holds from now on rather than from their next
    /// sign-in; API tokens are not touched. An administrator the requirement concerns must
    /// have enrolled first (or they would sign themselves out). Returns the sessions ended.
    pub async fn set_two_factor_requirement(&self, ctx: &Ctx, requirement: TwoFactorRequirement) -> Result<u64> {
        let enrolled = self.two_factor_enrolled(ctx.tenant).await?;
        let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
        let rows = sqlx::query("SELECT u.id, r.role FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        for r in &rows {
            let held = roles.entry(r.try_get("id")?).or_default();
            if let Some(role) = r.try_get::<Option<String>, _>("role")?.and_then(|s| Role::parse(&s)) {
                held.push(role);
            }
        }
        let must_enroll: Vec<i64> = roles
            .iter()
            .filter(|(id, held)| totp::second_step(requirement, held, enrolled.contains_key(&UserId::new(**id))) == SecondStep::Enroll)
            .map(|(id, _)| *id)
            .collect();
        if let Some(me) = ctx.user {
            if must_enroll.contains(&me.get()) {
                return Err(domain::Invalid::new(
                    "requirement",
                    "この設定はご自身にも適用されます。先に「2段階認証」の画面でご自身の設定を済ませてください。",
                    "This setting applies to you too. Set up your own two-factor sign-in first (on the two-factor page).",
                )
                .into());
            }
        }
        let was = self.two_factor_requirement(ctx.tenant).await?;
        let mut tx = self.db.write.begin().await?;
        sqlx::query(
            "INSERT INTO two_factor_requirements (tenant_id, requirement, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id) DO UPDATE SET requirement = $2, updated_at = $3",
        )
        .bind(ctx.tenant.get())
        .bind(requirement.as_str())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let mut ended = 0;
        for id in &must_enroll {
            let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND tenant_id = $2")
                .bind(*id)
                .bind(ctx.tenant.get())
                .execute(&mut *tx)
                .await?;
            ended += n.rows_affected();
        }
        let detail = AuditDetail::of(Fact::Name(Key::Requirement, requirement.as_str()))
            .and(Fact::Name(Key::Was, was.as_str()))
            .n(Key::SessionsEnded, ended);
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::TwoFactorRequirementChanged, AuditTarget::Tenant, ctx.tenant).detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Every account of the tenant with a confirmed second factor, and since when.
    pub async fn two_factor_enrolled(&self, tenant: TenantId) -> Result<HashMap<UserId, i64>> {
        let rows = sqlx::query("SELECT user_id, confirmed_at FROM two_factor_secrets WHERE tenant_id = $1 AND confirmed_at IS NOT NULL")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(|r| Ok((UserId::new(r.try_get("user_id")?), r.try_get("confirmed_at")?))).collect()
    }

    pub async fn two_factor_status(&self, tenant: TenantId, user: UserId) -> Result<TwoFactorStatus> {
        let enrolled_at =
            sqlx::query("SELECT confirmed_at FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2 AND confirmed_at IS NOT NULL")
                .bind(user.get())
                .bind(tenant.get())
                .fetch_optional(&self.db.read)
                .await?
                .map(|r| r.try_get::<i64, _>("confirmed_at"))
                .transpose()?;
        let left =
            sqlx::query("SELECT COUNT(*) AS n FROM two_factor_recovery_codes WHERE user_id = $1 AND tenant_id = $2 AND used_at IS NULL")
                .bind(user.get())
                .bind(tenant.get())
                .fetch_one(&self.db.read)
                .await?
                .try_get::<i64, _>("n")?;
        Ok(TwoFactorStatus { enrolled_at, recovery_codes_left: if enrolled_at.is_some() { left } else { 0 } })
    }

    /// What a user whose password was right must still do.
    pub async fn second_step_for(&self, tenant: TenantId, user: UserId, roles: &[Role]) -> Result<SecondStep> {
        let requirement = self.two_factor_requirement(tenant).await?;
        let enrolled = self.two_factor_status(tenant, user).await?.enrolled_at.is_some();
        Ok(totp::second_step(requirement, roles, enrolled))
    }

    /// The secret being enrolled for the acting user: the pending one if it is recent, else a
    /// new one, sealed and audited. Refused (conflict) when the user has already enrolled.
    pub async fn two_factor_enrollment(&self, ctx: &Ctx) -> Result<TotpSecret> {
        let user = user_of(ctx)?;
        let row = sqlx::query("SELECT sealed_id, created_at, confirmed_at FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        let mut stale = None;
        if let Some(r) = &row {
            let sealed = SealedId::new(r.try_get("sealed_id")?);
            if r.try_get::<Option<i64>, _>("confirmed_at")?.is_some() {
                return Err(StoreError::Conflict(domain::Message::new(
                    "このアカウントでは2段階認証がすでに設定されています。",
                    "two-factor sign-in is already set up for this account",
                )));
            }
            if r.try_get::<i64, _>("created_at")? > now_ms() - PENDING_TTL_MS {
                return self.open_two_factor_secret(ctx, sealed).await;
            }
            stale = Some(sealed);
        }
        let mut bytes = Zeroizing::new(vec![0u8; totp::SECRET_BYTES]);
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let text = Zeroizing::new(totp::secret_text(&bytes));
        let mut tx = self.db.write.begin().await?;
        if let Some(old) = stale {
            sqlx::query("DELETE FROM two_factor_secrets WHERE user_id = $1 AND confirmed_at IS NULL")
                .bind(user.get())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sealed_texts WHERE id = $1 AND tenant_id = $2")
                .bind(old.get())
                .bind(ctx.tenant.get())
                .execute(&mut *tx)
                .await?;
        }
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, PURPOSE, &text).await?;
        sqlx::query(
            "INSERT INTO two_factor_secrets (user_id, tenant_id, sealed_id, created_at, confirmed_at, last_step) VALUES ($1, $2, $3, $4, NULL, 0)",
        )
        .bind(user.get())
        .bind(ctx.tenant.get())
        .bind(sealed.get())
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(domain::Message::new("2段階認証の設定が同時に2回開始されました。画面を読み込み直してください。", "an enrollment was started twice at once")),
            e => e.into(),
        })?;
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::SealedTextWritten, AuditTarget::SealedText { purpose: PURPOSE }, sealed)],
        )
        .await?;
        tx.commit().await?;
        Ok(TotpSecret(bytes))
    }

    /// Confirms the pending enrollment with a code from the authenticator; on success the
    /// account has a second factor and the ten recovery codes are returned, to be shown once.
    /// `None` for a wrong code.
    pub async fn confirm_two_factor(&self, ctx: &Ctx, input: &str) -> Result<Option<Vec<String>>> {
        let user = user_of(ctx)?;
        let r = sqlx::query("SELECT sealed_id FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2 AND confirmed_at IS NULL")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        let SecondFactorInput::Code(code) = totp::classify(input) else { return Ok(None) };
        let secret = self.open_two_factor_secret(ctx, sealed).await?;
        let CodeCheck::Accepted { step } = totp::check_code(secret.bytes(), &code, now_secs(), None) else { return Ok(None) };
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE two_factor_secrets SET confirmed_at = $1, last_step = $2 WHERE user_id = $3 AND tenant_id = $4 AND sealed_id = $5 AND confirmed_at IS NULL",
        )
        .bind(now_ms())
        .bind(step)
        .bind(user.get())
        .bind(ctx.tenant.get())
        .bind(sealed.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(domain::Message::new(
                "確認中に2段階認証の設定が変わりました。もう一度やり直してください。",
                "the enrollment changed while it was being confirmed",
            )));
        }
        let codes = replace_recovery_codes(&mut tx, ctx.tenant, user).await?;
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::TwoFactorEnrolled, AuditTarget::User, user)]).await?;
        tx.commit().await?;
        Ok(Some(codes))
    }

    /// Checks a second-factor input of the acting user (an authenticator code or a recovery
    /// code) and spends it when right: a code's time step is marked used in the same statement
    /// that checks it was not, so two servers cannot both accept it.
    pub async fn check_second_factor(&self, ctx: &Ctx, input: &str) -> Result<SecondFactorOutcome> {
        let user = user_of(ctx)?;
        match totp::classify(input) {
            SecondFactorInput::Code(code) => self.check_code(ctx, user, &code).await,
            SecondFactorInput::Recovery(code) => {
                let hash = totp::recovery_code_hash(ctx.tenant, user, &code);
                let mut tx = self.db.write.begin().await?;
                let spent = sqlx::query(
                    "UPDATE two_factor_recovery_codes SET used_at = $1
                     WHERE tenant_id = $2 AND user_id = $3 AND code_hash = $4 AND used_at IS NULL
                       AND EXISTS (SELECT 1 FROM two_factor_secrets s WHERE s.user_id = $3 AND s.confirmed_at IS NOT NULL)",
                )
                .bind(now_ms())
                .bind(ctx.tenant.get())
                .bind(user.get())
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
                if spent.rows_affected() != 1 {
                    return Ok(SecondFactorOutcome::Wrong);
                }
                let left = sqlx::query("SELECT COUNT(*) AS n FROM two_factor_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                    .bind(user.get())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get::<i64, _>("n")?;
                let ev = ctx.event(AuditAction::RecoveryCodeUsed, AuditTarget::User, user).detail(AuditDetail::none().n(Key::Left, left));
                Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
                tx.commit().await?;
                Ok(SecondFactorOutcome::RecoveryCode { left })
            }
            SecondFactorInput::Malformed => Ok(SecondFactorOutcome::Wrong),
        }
    }

    async fn check_code(&self, ctx: &Ctx, user: UserId, code: &str) -> Result<SecondFactorOutcome> {
        let r = sqlx::query(
            "SELECT sealed_id, last_step FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2 AND confirmed_at IS NOT NULL",
        )
        .bind(user.get())
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?;
        let Some(r) = r else { return Ok(SecondFactorOutcome::Wrong) };
        let secret = self.open_two_factor_secret(ctx, SealedId::new(r.try_get("sealed_id")?)).await?;
        let last_step: i64 = r.try_get("last_step")?;
        match totp::check_code(secret.bytes(), code, now_secs(), Some(last_step)) {
            CodeCheck::Accepted { step } => {
                let spent =
                    sqlx::query("UPDATE two_factor_secrets SET last_step = $1 WHERE user_id = $2 AND tenant_id = $3 AND last_step < $1")
                        .bind(step)
                        .bind(user.get())
                        .bind(ctx.tenant.get())
                        .execute(&self.db.write)
                        .await?;
                // Another request spent this step (or a later one) in between.
                Ok(if spent.rows_affected() == 1 { SecondFactorOutcome::Code } else { SecondFactorOutcome::Replayed })
            }
            CodeCheck::Replayed => Ok(SecondFactorOutcome::Replayed),
            CodeCheck::Wrong => Ok(SecondFactorOutcome::Wrong),
        }
    }

    /// New recovery codes for the acting user, against a code from the authenticator (a
    /// recovery code cannot renew the codes); the old ones stop working. `None` for a wrong code.
    pub async fn renew_recovery_codes(&self, ctx: &Ctx, input: &str) -> Result<Option<Vec<String>>> {
        let user = user_of(ctx)?;
        let SecondFactorInput::Code(code) = totp::classify(input) else { return Ok(None) };
        if self.check_code(ctx, user, &code).await? != SecondFactorOutcome::Code {
            return Ok(None);
        }
        let mut tx = self.db.write.begin().await?;
        let codes = replace_recovery_codes(&mut tx, ctx.tenant, user).await?;
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::RecoveryCodesIssued, AuditTarget::User, user)]).await?;
        tx.commit().await?;
        Ok(Some(codes))
    }

    /// Removes `user`'s confirmed second factor (secret, recovery codes, pending sign-ins),
    /// audited. When an administrator resets another user's, that user's sessions end too: the
    /// reset usually follows a lost phone. Returns whether there was a second factor to remove.
    pub async fn disable_two_factor(&self, ctx: &Ctx, user: UserId) -> Result<bool> {
        let by_self = ctx.user == Some(user);
        // Someone else's second factor is reset by whoever the policy lets manage accounts.
        if !by_self {
            ctx.check(Operation::ManageUsers)?;
        }
        let mut tx = self.db.write.begin().await?;
        crate::users::user_in_tenant(&mut tx, ctx.tenant, user).await?;
        // Only a confirmed second factor is removed; an enrollment still waiting for its first
        // code is not one (and is replaced by itself after a while).
        let sealed =
            sqlx::query("SELECT sealed_id FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2 AND confirmed_at IS NOT NULL")
                .bind(user.get())
                .bind(ctx.tenant.get())
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<i64, _>("sealed_id"))
                .transpose()?;
        let Some(sealed) = sealed else { return Ok(false) };
        let t = ctx.tenant.get();
        sqlx::query("DELETE FROM two_factor_secrets WHERE user_id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(t)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sealed_texts WHERE id = $1 AND tenant_id = $2").bind(sealed).bind(t).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(t)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM two_factor_challenges WHERE user_id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(t)
            .execute(&mut *tx)
            .await?;
        if !by_self {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND tenant_id = $2").bind(user.get()).bind(t).execute(&mut *tx).await?;
        }
        let detail = Fact::Name(Key::By, if by_self { "self" } else { "admin" });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::TwoFactorDisabled, AuditTarget::User, user).detail(detail)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Starts the half-signed-in state after a right password; returns the secret for its
    /// cookie (the database keeps only its hash). Any earlier one of the user ends.
    pub async fn create_sign_in_challenge(&self, tenant: TenantId, user: UserId, stage: SecondStep, next: &str) -> Result<String> {
        let secret = random_token(32);
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        sqlx::query("DELETE FROM two_factor_challenges WHERE user_id = $1 OR expires_at < $2")
            .bind(user.get())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO two_factor_challenges (id_hash, tenant_id, user_id, stage, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(secret_hash(&secret))
        .bind(tenant.get())
        .bind(user.get())
        .bind(stage.as_str())
        .bind(next)
        .bind(now)
        .bind(now + totp::CHALLENGE_TTL_MS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// The live challenge of a cookie secret; an expired one is deleted and reported absent.
    pub async fn sign_in_challenge(&self, secret: &str) -> Result<Option<SignInChallenge>> {
        let hash = secret_hash(secret);
        let r = sqlx::query("SELECT tenant_id, user_id, stage, next_path, expires_at FROM two_factor_challenges WHERE id_hash = $1")
            .bind(&hash)
            .fetch_optional(&self.db.read)
            .await?;
        let Some(r) = r else { return Ok(None) };
        let stage = SecondStep::parse(&r.try_get::<String, _>("stage")?);
        if r.try_get::<i64, _>("expires_at")? <= now_ms() || stage.is_none() {
            self.end_sign_in_challenge(secret).await?;
            return Ok(None);
        }
        let (tenant, user) = (TenantId::new(r.try_get("tenant_id")?), UserId::new(r.try_get("user_id")?));
        Ok(Some(SignInChallenge {
            tenant,
            user,
            stage: stage.unwrap_or(SecondStep::Code),
            next: r.try_get("next_path")?,
            proof: crate::SignedIn::new(tenant, user, None, None),
        }))
    }

    pub async fn end_sign_in_challenge(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM two_factor_challenges WHERE id_hash = $1").bind(secret_hash(secret)).execute(&self.db.write).await?;
        Ok(())
    }
}

/// Replaces a user's recovery codes with ten new ones inside the caller's transaction; returns
/// them in clear, for the one time they are shown.
async fn replace_recovery_codes(tx: &mut Transaction<'static, Any>, tenant: TenantId, user: UserId) -> Result<Vec<String>> {
    sqlx::query("DELETE FROM two_factor_recovery_codes WHERE user_id = $1 AND tenant_id = $2")
        .bind(user.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    let now = now_ms();
    let mut codes = Vec::with_capacity(totp::RECOVERY_CODES);
    for _ in 0..totp::RECOVERY_CODES {
        let mut bytes = [0u8; totp::RECOVERY_CODE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = totp::recovery_code_text(&bytes);
        let hash = totp::recovery_code_hash(tenant, user, &code.replace('-', ""));
        sqlx::query("INSERT INTO two_factor_recovery_codes (tenant_id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(tenant.get())
            .bind(user.get())
            .bind(hash)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        codes.push(code);
    }
    Ok(codes)
}
