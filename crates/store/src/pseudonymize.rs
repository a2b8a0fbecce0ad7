//! What pseudonymized reading needs from the database: the tenant's secret for stable
//! pseudonyms (kept as sealed text, so a stolen file cannot reverse them), and an index of
//! every employee's name forms (kanji, kana, and the kana reading in Latin letters), employee
//! number and e-mail address, and every department's name, cached per tenant until the
//! register or the department tree changes.

use crate::{now_ms, Result, Store, StoreError};
use domain::ids::{SealedId, TenantId};
use domain::pseudonym::{KnownPerson, NameIndex};
use rand::RngCore;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// A tenant's name index and the stamp (register and department tree) it was built from.
type Cached = (String, Arc<NameIndex>);

/// Name indexes by tenant.
#[derive(Clone, Default)]
pub(crate) struct NameCache {
    pub(crate) inner: Arc<Mutex<HashMap<TenantId, Cached>>>,
}

/// Splits "山田 太郎" into family and given names; a name without a space is all family.
fn split_name(full: &str) -> (String, String) {
    let normalized = full.replace('\u{3000}', " ");
    match normalized.trim().split_once(' ') {
        Some((f, g)) => (f.trim().to_string(), g.trim().to_string()),
        None => (normalized.trim().to_string(), String::new()),
    }
}

impl Store {
    /// The tenant's pseudonym secret, created on first use.
    pub(crate) async fn pseudonym_secret(&self, tenant: TenantId) -> Result<Vec<u8>> {
        let r = sqlx::query("SELECT pseudonym_sealed_id FROM tenants WHERE id = $1").bind(tenant.get()).fetch_one(&self.db.read).await?;
        let existing: Option<i64> = r.try_get("pseudonym_sealed_id")?;
        let id = match existing {
            Some(id) => SealedId::new(id),
            None => {
                let mut secret = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut secret);
                let mut tx = self.db.write.begin().await?;
                // Another request may have created it meanwhile: re-read under the write lock.
                let again: Option<i64> = sqlx::query("SELECT pseudonym_sealed_id FROM tenants WHERE id = $1")
                    .bind(tenant.get())
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("pseudonym_sealed_id")?;
                let id = match again {
                    Some(id) => SealedId::new(id),
                    None => {
                        let id = self.seal_in_tx(&mut tx, tenant, "pseudonym_secret", &hex::encode(secret)).await?;
                        sqlx::query("UPDATE tenants SET pseudonym_sealed_id = $1 WHERE id = $2")
                            .bind(id.get())
                            .bind(tenant.get())
                            .execute(&mut *tx)
                            .await?;
                        id
                    }
                };
                tx.commit().await?;
                id
            }
        };
        let text = self.open_system_secret(tenant, id).await?;
        hex::decode(text.trim()).map_err(|_| StoreError::Crypto("damaged pseudonym secret".into()))
    }

    /// The index of every employee's name forms, number and e-mail address, and every
    /// department's name and path, rebuilt when the register or the department tree has changed.
    pub(crate) async fn name_index(&self, tenant: TenantId) -> Result<Arc<NameIndex>> {
        let stamp = self.name_index_stamp(tenant).await?;
        let mut cache = self.names.inner.lock().await;
        if let Some((s, idx)) = cache.get(&tenant) {
            if *s == stamp {
                return Ok(idx.clone());
            }
        }
        let rows = sqlx::query("SELECT id, employee_number, name, name_kana, email FROM employees WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut people = Vec::with_capacity(rows.len());
        for r in &rows {
            let (family, given) = split_name(&r.try_get::<String, _>("name")?);
            let kana: Option<String> = r.try_get("name_kana")?;
            let (family_kana, given_kana) = match kana {
                Some(k) => {
                    let (f, g) = split_name(&k);
                    (Some(f), (!g.is_empty()).then_some(g))
                }
                None => (None, None),
            };
            people.push(KnownPerson {
                id: r.try_get("id")?,
                family,
                given,
                family_kana,
                given_kana,
                employee_number: Some(r.try_get("employee_number")?),
                email: r.try_get("email")?,
            });
        }
        let rows =
            sqlx::query("SELECT name, path FROM departments WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&self.db.read).await?;
        let mut departments = Vec::with_capacity(rows.len() * 2);
        for r in &rows {
            departments.push(r.try_get::<String, _>("name")?);
            departments.push(r.try_get::<String, _>("path")?);
        }
        let start = now_ms();
        let idx = Arc::new(NameIndex::with_departments(&people, &departments));
        tracing::debug!(people = people.len(), departments = rows.len(), ms = now_ms() - start, "name index built");
        cache.insert(tenant, (stamp, idx.clone()));
        Ok(idx)
    }

    /// What the index depends on: the register (count, last update) and the department tree
    /// (count, highest id; departments are only ever added, by imports).
    async fn name_index_stamp(&self, tenant: TenantId) -> Result<String> {
        let e = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), 0) AS m FROM employees WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?;
        let d = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM departments WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?;
        Ok(format!(
            "{}:{}/{}:{}",
            e.try_get::<i64, _>("n")?,
            e.try_get::<i64, _>("m")?,
            d.try_get::<i64, _>("n")?,
            d.try_get::<i64, _>("m")?
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn names_split_on_either_space() {
        assert_eq!(split_name("山田 太郎"), ("山田".into(), "太郎".into()));
        assert_eq!(split_name("山田　太郎"), ("山田".into(), "太郎".into()));
        assert_eq!(split_name("山田"), ("山田".into(), String::new()));
    }
}
