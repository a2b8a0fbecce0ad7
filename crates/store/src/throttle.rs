//! Sign-in failures, kept in the database so that throttling holds across server processes.

use crate::{now_ms, Result, Store};
use domain::session::ThrottlePolicy;
use domain::throttle::{self, Failures, SignInFailures, SignInKeys, Verdict};
use sqlx::Row;

impl Store {
    /// How long the holder of `key` must wait before trying again (0: may try now).
    pub async fn throttle_wait_ms(&self, key: &str, policy: ThrottlePolicy) -> Result<i64> {
        let now = now_ms();
        let r = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE throttle_key = $1 AND at > $2")
            .bind(key)
            .bind(now - policy.window_ms)
            .fetch_one(&self.db.read)
            .await?;
        let n: i64 = r.try_get("n")?;
        let last: Option<i64> = r.try_get("last")?;
        Ok(policy.wait_ms(n.clamp(0, i64::from(u32::MAX)) as u32, last.unwrap_or(0), now))
    }

    pub async fn record_login_failure(&self, keys: &[&str]) -> Result<()> {
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        for key in keys {
            sqlx::query("INSERT INTO login_failures (throttle_key, at) VALUES ($1, $2)").bind(*key).bind(now).execute(&mut *tx).await?;
        }
        // Old failures say nothing any more; keep the table small.
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(now - 24 * 3600 * 1000).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1").bind(key).execute(&self.db.write).await?;
        Ok(())
    }

    /// Failures recorded under each of `keys` inside the throttling window.
    async fn failures_of(&self, keys: &[&str]) -> Result<Vec<Failures>> {
        let since = now_ms() - throttle::WINDOW_MS;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let r = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE throttle_key = $1 AND at > $2")
                .bind(*key)
                .bind(since)
                .fetch_one(&self.db.read)
                .await?;
            let n: i64 = r.try_get("n")?;
            let last: Option<i64> = r.try_get("last")?;
            out.push(Failures { count: n.clamp(0, i64::from(u32::MAX)) as u32, last_ms: last.unwrap_or(0) });
        }
        Ok(out)
    }

    /// Whether a password attempt under `keys` may be checked now (`domain::throttle`'s rule).
    pub async fn sign_in_verdict(&self, keys: &SignInKeys) -> Result<Verdict> {
        let f = self.failures_of(&keys.all()).await?;
        let failures = SignInFailures { address: f[0], account: f[1], pair: f[2] };
        Ok(throttle::sign_in_verdict(&failures, now_ms()))
    }

    /// Whether a second-factor code of this account may be checked now.
    pub async fn second_factor_verdict(&self, tenant: domain::ids::TenantId, user: domain::ids::UserId) -> Result<Verdict> {
        let key = throttle::second_factor_key(tenant.get(), user.get());
        let f = self.failures_of(&[&key]).await?;
        Ok(throttle::second_factor_verdict(f[0], now_ms()))
    }
}
