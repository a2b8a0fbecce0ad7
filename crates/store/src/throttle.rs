//! Sign-in failures, kept in the database so that throttling holds across server processes.

use crate::{now_ms, Result, Store};
use domain::session::ThrottlePolicy;
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
}
