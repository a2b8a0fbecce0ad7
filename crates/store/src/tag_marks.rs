//! Keyed marks of a report's issue tags (migration 13): what lets a list of cases be narrowed,
//! searched and ordered by tag in SQL, a page at a time, while the tags themselves stay sealed.
//!
//! A mark is HMAC-SHA256 (cut to 16 bytes) of the tenant and the tag's code under a key derived
//! from a data key ([`crate::Keyring::derived_keys_by_id`]): the database holds one row per
//! (report, tag) with the mark, never the code. Without the key file a mark names no tag; what it
//! does show is which reports share a tag, and how many carry each (docs/security.md, "Tag
//! marks"). Marks are written with the sealed facts in the same transaction (saving a report,
//! sealing an old row's plain tags, re-encrypting under a new key), and `reports.tag_marks_key`
//! records the key they were made under; a list asks for a tag's marks under every key of the
//! ring, so a rotation in progress answers the same rows.

use crate::{Result, Store, StoreError};
use domain::ids::{SealedId, TenantId};
use hmac::Mac;
use sha2::Sha256;
use sqlx::{Any, Row, Transaction};

/// What the marks' key is derived for.
const PURPOSE: &str = "careerdock:report-tag-mark:v1";

/// Bytes kept of each MAC: 128 bits, no collision among a tenant's few dozen tags.
const MARK_LEN: usize = 16;

/// Reports whose marks are made in one transaction when a database from before the marks is
/// opened.
const BATCH: i64 = 500;

fn mark(key: &[u8], tenant: TenantId, code: &str) -> Result<Vec<u8>> {
    let mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| StoreError::Crypto("bad mark key".into()))?;
    let digest = mac.chain_update(tenant.get().to_be_bytes()).chain_update(code.as_bytes()).finalize().into_bytes();
    Ok(digest[..MARK_LEN].to_vec())
}

impl Store {
    /// Replaces the marks of a report's tags by those of `codes` under the current key, inside
    /// the caller's transaction (the one that seals the same tags).
    pub(crate) async fn mark_tags_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        report: i64,
        codes: &[String],
    ) -> Result<()> {
        let (key_id, key) =
            self.keys.derived_keys_by_id(PURPOSE).into_iter().next().ok_or_else(|| StoreError::Config("no data key".into()))?;
        sqlx::query("DELETE FROM report_tag_marks WHERE report_id = $1").bind(report).execute(&mut **tx).await?;
        let mut marks: Vec<Vec<u8>> = codes.iter().map(|c| mark(&key, tenant, c)).collect::<Result<_>>()?;
        marks.sort();
        marks.dedup();
        for m in marks {
            sqlx::query("INSERT INTO report_tag_marks (report_id, tenant_id, mark) VALUES ($1, $2, $3)")
                .bind(report)
                .bind(tenant.get())
                .bind(m)
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("UPDATE reports SET tag_marks_key = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(key_id)
            .bind(report)
            .bind(tenant.get())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The marks a tag of the tenant may carry in the database: one under each key of the ring.
    pub(crate) fn tag_marks(&self, tenant: TenantId, code: &str) -> Result<Vec<Vec<u8>>> {
        self.keys.derived_keys_by_id(PURPOSE).iter().map(|(_, key)| mark(key, tenant, code)).collect()
    }

    /// Whether every report of the tenant has its marks (a list narrows by them only then).
    pub(crate) async fn tags_all_marked(&self, tenant: TenantId) -> Result<bool> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM reports WHERE tenant_id = $1 AND tag_marks_key IS NULL")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        Ok(n == 0)
    }

    /// Re-marks the report whose sealed facts `facts` were just re-encrypted under the current
    /// key (key rotation), inside the rotation's transaction.
    pub(crate) async fn remark_facts_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        facts: SealedId,
        plain: &str,
    ) -> Result<()> {
        let report = sqlx::query("SELECT id FROM reports WHERE tenant_id = $1 AND facts_sealed_id = $2")
            .bind(tenant.get())
            .bind(facts.get())
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(r) = report {
            self.mark_tags_in_tx(tx, tenant, r.try_get("id")?, &crate::reports::sealed_tags(plain)?).await?;
        }
        Ok(())
    }

    /// Makes the marks of every report whose sealed facts have none yet (a database from before
    /// the marks): the store opens the facts for its own upkeep, as a key rotation does, and
    /// hands nothing out. Idempotent; returns how many reports were marked.
    pub(crate) async fn mark_unmarked_reports(&self) -> Result<usize> {
        let mut done = 0;
        loop {
            let rows = sqlx::query(
                "SELECT id, tenant_id, facts_sealed_id FROM reports WHERE tag_marks_key IS NULL AND facts_sealed_id IS NOT NULL ORDER BY id LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(&self.db.read)
            .await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let mut by_tenant: std::collections::BTreeMap<i64, Vec<(i64, SealedId)>> = Default::default();
            for r in &rows {
                by_tenant
                    .entry(r.try_get("tenant_id")?)
                    .or_default()
                    .push((r.try_get("id")?, SealedId::new(r.try_get("facts_sealed_id")?)));
            }
            let mut tx = self.db.write.begin().await?;
            for (tenant, reports) in by_tenant {
                let tenant = TenantId::new(tenant);
                let ids: Vec<SealedId> = reports.iter().map(|(_, f)| *f).collect();
                let texts = self.open_for_upkeep(tenant, &ids, crate::reports::FACTS_PURPOSE).await?;
                for (report, facts) in reports {
                    let plain = texts.get(&facts).ok_or(StoreError::NotFound)?;
                    self.mark_tags_in_tx(&mut tx, tenant, report, &crate::reports::sealed_tags(plain)?).await?;
                }
            }
            tx.commit().await?;
            done += rows.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_differ_by_tenant_tag_and_key_and_hide_the_code() {
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let a = mark(&k1, TenantId::new(1), "health").unwrap();
        assert_eq!(a.len(), MARK_LEN);
        assert_eq!(a, mark(&k1, TenantId::new(1), "health").unwrap(), "the same tag marks the same");
        assert_ne!(a, mark(&k1, TenantId::new(2), "health").unwrap(), "another tenant");
        assert_ne!(a, mark(&k1, TenantId::new(1), "career_direction").unwrap(), "another tag");
        assert_ne!(a, mark(&k2, TenantId::new(1), "health").unwrap(), "another key");
        assert!(!a.windows(6).any(|w| w == b"health"));
    }
}
