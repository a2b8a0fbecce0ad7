//! Two-factor secrets and codes in the database, on SQLite and PostgreSQL: the secret is
//! sealed and its every opening audited, recovery codes are stored only as hashes, a code or a
//! recovery code is spent once even when two server processes race for it, and turning the
//! second factor off leaves no secret behind.

use crate::{inline_key, raw_pool};
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, NewUser, OpenOptions, SecondFactorOutcome, Store};
use domain::audit::AuditAction;
use domain::tenant::{KThreshold, TenantSlug};
use domain::totp;
use domain::Role;
use sqlx::Row;
use testkit::{fresh_db, on_both_backends, Backend};

on_both_backends!(a_second_factor_is_sealed_hashed_and_spent_once);

/// The code of time step `step`.
fn code(secret: &[u8], step: i64) -> String {
    totp::code_at(secret, u64::try_from(step).unwrap_or(0) * totp::STEP_SECS).unwrap_or_default()
}

/// The current time step, once at least ten seconds of it remain: the server accepts the
/// codes of the step before, this one and the next, so the test has three fresh codes to spend
/// as long as it stays inside this step.
async fn fresh_step() -> i64 {
    let step = totp::STEP_SECS as i64;
    let now = chrono::Utc::now().timestamp_millis();
    let remaining_ms = step * 1000 - now.rem_euclid(step * 1000);
    if remaining_ms < 10_000 {
        tokio::time::sleep(std::time::Duration::from_millis(remaining_ms as u64 + 100)).await;
    }
    chrono::Utc::now().timestamp() / step
}

async fn a_second_factor_is_sealed_hashed_and_spent_once(backend: Backend) -> Result<()> {
    let db = fresh_db(backend)?;
    let keys = inline_key();
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: keys.clone() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let user = store
        .create_user(
            &op,
            &NewUser { login: "hana", display_name: "花子", password: "password-123", roles: &[Role::Supervisor], employee: None },
        )
        .await?;
    let ctx = Ctx::for_tests(tenant.id, user, "hana", None);
    let step = fresh_step().await;

    // Enrollment: the same pending secret until it is confirmed.
    let secret = store.two_factor_enrollment(&ctx).await?.bytes().to_vec();
    ensure!(store.two_factor_enrollment(&ctx).await?.bytes() == secret.as_slice(), "a second look gave another secret");
    ensure!(store.confirm_two_factor(&ctx, "000000x").await?.is_none(), "a malformed code confirmed the enrollment");
    let codes = store.confirm_two_factor(&ctx, &code(&secret, step - 1)).await?.context("the right code was refused")?;
    ensure!(codes.len() == totp::RECOVERY_CODES, "{codes:?}");
    let status = store.two_factor_status(tenant.id, user).await?;
    ensure!(status.enrolled_at.is_some() && status.recovery_codes_left == 10, "{status:?}");

    // At rest: the secret only sealed, the recovery codes only hashed.
    let pool = raw_pool(&db).await?;
    let text = totp::secret_text(&secret);
    let sealed =
        sqlx::query("SELECT s.ciphertext FROM sealed_texts s JOIN two_factor_secrets t ON t.sealed_id = s.id").fetch_all(&pool).await?;
    ensure!(sealed.len() == 1, "one sealed secret, found {}", sealed.len());
    let ct: Vec<u8> = sealed[0].try_get("ciphertext")?;
    ensure!(!ct.windows(text.len()).any(|w| w == text.as_bytes()) && !ct.windows(secret.len()).any(|w| w == secret.as_slice()));
    let hashes: Vec<String> = sqlx::query("SELECT code_hash FROM two_factor_recovery_codes")
        .fetch_all(&pool)
        .await?
        .iter()
        .map(|r| r.try_get("code_hash"))
        .collect::<Result<_, _>>()?;
    ensure!(hashes.len() == 10);
    for c in &codes {
        let bare = c.replace('-', "");
        ensure!(hashes.iter().all(|h| !h.contains(&bare) && !h.contains(c.as_str())), "a recovery code is stored in clear");
    }

    // Two server processes race with the same code, then with the same recovery code: one wins.
    let other = Store::open(&db.url, OpenOptions { create: false, migrate: false, keys }).await?;
    let next = code(&secret, step);
    let (a, b) = tokio::join!(store.check_second_factor(&ctx, &next), other.check_second_factor(&ctx, &next));
    let mut got = [a?, b?];
    got.sort_by_key(|o| format!("{o:?}"));
    ensure!(got == [SecondFactorOutcome::Code, SecondFactorOutcome::Replayed], "{got:?}");
    let (a, b) = tokio::join!(store.check_second_factor(&ctx, &codes[0]), other.check_second_factor(&ctx, &codes[0]));
    let accepted = [a?, b?].iter().filter(|o| o.accepted()).count();
    ensure!(accepted == 1, "a recovery code was accepted {accepted} times");
    ensure!(store.two_factor_status(tenant.id, user).await?.recovery_codes_left == 9);

    // New recovery codes take an authenticator code, and retire the old ones.
    ensure!(store.renew_recovery_codes(&ctx, &codes[1]).await?.is_none(), "a recovery code renewed the codes");
    let renewed = store.renew_recovery_codes(&ctx, &code(&secret, step + 1)).await?;
    let renewed = renewed.context("a fresh code was refused")?;
    ensure!(store.check_second_factor(&ctx, &codes[1]).await? == SecondFactorOutcome::Wrong, "an old recovery code still works");
    ensure!(store.check_second_factor(&ctx, &renewed[0]).await?.accepted());

    // Every opening of the secret is in the audit log, and nothing of the secret is.
    let events = store.recent_audit(tenant.id, 200, None).await?;
    let opened = events.iter().filter(|e| e.action == AuditAction::SealedTextRead.as_str() && e.target_kind == "two_factor_secret").count();
    ensure!(opened >= 5, "only {opened} openings of the secret were audited");
    ensure!(events.iter().all(|e| !e.detail.contains(&text) && !codes.iter().any(|c| e.detail.contains(c.as_str()))));

    // Someone else's second factor is reset only by a role the policy lets manage accounts.
    let taro = store
        .create_user(
            &op,
            &NewUser { login: "taro", display_name: "太郎", password: "password-123", roles: &[Role::Consultant], employee: None },
        )
        .await?;
    let colleague = Ctx::for_tests(tenant.id, taro, "taro", Some(Role::Consultant));
    ensure!(
        matches!(store.disable_two_factor(&colleague, user).await, Err(careerdock_store::StoreError::NotFound)),
        "a consultant reset another user's second factor"
    );

    // Turned off: no secret, no codes, nothing sealed left behind.
    ensure!(store.disable_two_factor(&ctx, user).await?);
    ensure!(!store.disable_two_factor(&ctx, user).await?, "disabled twice");
    for table in ["two_factor_secrets", "two_factor_recovery_codes"] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&pool).await?.try_get("n")?;
        ensure!(n == 0, "{table} keeps {n} rows");
    }
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM sealed_texts WHERE purpose = 'two_factor_secret'").fetch_one(&pool).await?.try_get("n")?;
    ensure!(n == 0, "{n} sealed two-factor secrets remain");
    ensure!(store.verify_audit(Some(tenant.id)).await?.iter().all(|v| v.broken.is_none()));
    other.close().await;
    store.close().await;
    Ok(())
}
