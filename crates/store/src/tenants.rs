//! Tenants: one client company each; nothing crosses between them.

use crate::{audit, now_ms, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditTarget};
use domain::ids::TenantId;
use domain::tenant::{KThreshold, TenantSlug};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantRow {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    pub k_threshold: i64,
}

fn to_row(r: &sqlx::any::AnyRow) -> Result<TenantRow> {
    Ok(TenantRow {
        id: TenantId::new(r.try_get("id")?),
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        k_threshold: r.try_get("k_threshold")?,
    })
}

impl Store {
    /// Creates a tenant with its audit chain; the first event records the creation.
    pub async fn create_tenant(&self, slug: &TenantSlug, name: &str, k: KThreshold, by: &str) -> Result<TenantRow> {
        let mut tx = self.db.write.begin().await?;
        let row = sqlx::query("INSERT INTO tenants (slug, name, k_threshold, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(slug.as_str())
            .bind(name)
            .bind(i64::from(k.get()))
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(domain::Message::new(
                    format!("組織「{}」はすでにあります。", slug.as_str()),
                    format!("tenant {} already exists", slug.as_str()),
                )),
                e => e.into(),
            })?;
        let id = TenantId::new(row.try_get("id")?);
        audit::create_head(&mut tx, id).await?;
        Store::default_questionnaire_in_tx(&mut tx, id).await?;
        let ctx = Ctx::operator(id, by);
        Store::audit_in_tx(&mut tx, &ctx, &[ctx.event(AuditAction::TenantCreated, AuditTarget::Tenant, id)]).await?;
        tx.commit().await?;
        Ok(TenantRow { id, slug: slug.as_str().to_string(), name: name.to_string(), k_threshold: i64::from(k.get()) })
    }

    pub async fn tenant_by_slug(&self, slug: &str) -> Result<TenantRow> {
        let r = sqlx::query("SELECT id, slug, name, k_threshold FROM tenants WHERE slug = $1")
            .bind(slug.trim())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        to_row(&r)
    }

    pub async fn tenant(&self, id: TenantId) -> Result<TenantRow> {
        let r = sqlx::query("SELECT id, slug, name, k_threshold FROM tenants WHERE id = $1")
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        to_row(&r)
    }

    pub async fn tenants(&self) -> Result<Vec<TenantRow>> {
        let rows = sqlx::query("SELECT id, slug, name, k_threshold FROM tenants ORDER BY slug").fetch_all(&self.db.read).await?;
        rows.iter().map(to_row).collect()
    }
}
