//! The tenant's issue tags and review rubric (R13): shipped with sensible Japanese defaults,
//! editable by HR. Items are deactivated rather than deleted, so old reports keep their tags.

use crate::{Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditTarget, Fact, Outcome};
use domain::ids::TenantId;
use domain::limits::taxonomy_labels;
use domain::policy::Operation;
use domain::report::{DEFAULT_RUBRIC, DEFAULT_TAGS};
use sqlx::{Any, Row, Transaction};

/// An issue tag or a rubric item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxonomyItem {
    pub id: i64,
    pub code: String,
    pub label_ja: String,
    pub label_en: String,
    pub position: i64,
    pub active: bool,
}

impl TaxonomyItem {
    pub fn label(&self, locale: domain::Locale) -> &str {
        match locale {
            domain::Locale::Ja => &self.label_ja,
            domain::Locale::En => &self.label_en,
        }
    }
}

/// Which list: the issue tags of reports, or the supervisor's review rubric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taxonomy {
    IssueTags,
    Rubric,
}

impl Taxonomy {
    fn table(self) -> &'static str {
        match self {
            Taxonomy::IssueTags => "issue_tags",
            Taxonomy::Rubric => "rubric_items",
        }
    }

    fn audit_target(self) -> AuditTarget {
        match self {
            Taxonomy::IssueTags => AuditTarget::IssueTags,
            Taxonomy::Rubric => AuditTarget::RubricItems,
        }
    }

    fn defaults(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Taxonomy::IssueTags => &DEFAULT_TAGS,
            Taxonomy::Rubric => &DEFAULT_RUBRIC,
        }
    }
}

fn item(r: &sqlx::any::AnyRow) -> Result<TaxonomyItem> {
    Ok(TaxonomyItem {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        label_ja: r.try_get("label_ja")?,
        label_en: r.try_get("label_en")?,
        position: r.try_get("position")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

/// Inserts the default items when the tenant has none yet (inside the caller's transaction).
pub(crate) async fn ensure_defaults(tx: &mut Transaction<'static, Any>, tenant: TenantId, which: Taxonomy) -> Result<()> {
    let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {} WHERE tenant_id = $1", which.table()))
        .bind(tenant.get())
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")?;
    if n > 0 {
        return Ok(());
    }
    for (i, (code, ja, en)) in which.defaults().iter().enumerate() {
        sqlx::query(&format!(
            "INSERT INTO {} (tenant_id, code, label_ja, label_en, position, active) VALUES ($1, $2, $3, $4, $5, 1)",
            which.table()
        ))
        .bind(tenant.get())
        .bind(*code)
        .bind(*ja)
        .bind(*en)
        .bind(i as i64)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The items of a list, defaults created on first use; inactive ones only when asked.
    pub async fn taxonomy(&self, tenant: TenantId, which: Taxonomy, include_inactive: bool) -> Result<Vec<TaxonomyItem>> {
        let sql = format!(
            "SELECT id, code, label_ja, label_en, position, active FROM {} WHERE tenant_id = $1 ORDER BY position, id",
            which.table()
        );
        let mut rows = sqlx::query(&sql).bind(tenant.get()).fetch_all(&self.db.read).await?;
        // The defaults are written once, by the first reader; every later list reads only (and
        // does not queue behind the writer).
        if rows.is_empty() {
            let mut tx = self.db.write.begin().await?;
            ensure_defaults(&mut tx, tenant, which).await?;
            tx.commit().await?;
            rows = sqlx::query(&sql).bind(tenant.get()).fetch_all(&self.db.read).await?;
        }
        let items = rows.iter().map(item).collect::<Result<Vec<_>>>()?;
        Ok(items.into_iter().filter(|i| include_inactive || i.active).collect())
    }

    /// Adds an item at the end of the list.
    pub async fn add_taxonomy_item(&self, ctx: &Ctx, which: Taxonomy, label_ja: &str, label_en: &str) -> Result<i64> {
        ctx.check(Operation::ManageTaxonomy)?;
        let (ja, en) = taxonomy_labels(label_ja, label_en)?;
        let mut tx = self.db.write.begin().await?;
        ensure_defaults(&mut tx, ctx.tenant, which).await?;
        let next: i64 =
            sqlx::query(&format!("SELECT COALESCE(MAX(position), -1) + 1 AS p, COUNT(*) AS n FROM {} WHERE tenant_id = $1", which.table()))
                .bind(ctx.tenant.get())
                .fetch_one(&mut *tx)
                .await?
                .try_get("p")?;
        let code = format!("custom_{}", next + 1);
        let dup = sqlx::query(&format!("SELECT id FROM {} WHERE tenant_id = $1 AND (label_ja = $2 OR code = $3)", which.table()))
            .bind(ctx.tenant.get())
            .bind(&ja)
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
        if dup.is_some() {
            return Err(StoreError::Conflict(domain::Message::new(
                format!("「{ja}」はすでに登録されています。"),
                format!("\"{ja}\" is already registered"),
            )));
        }
        let row = sqlx::query(&format!(
            "INSERT INTO {} (tenant_id, code, label_ja, label_en, position, active) VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
            which.table()
        ))
        .bind(ctx.tenant.get())
        .bind(&code)
        .bind(&ja)
        .bind(&en)
        .bind(next)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::TaxonomyChanged, which.audit_target(), id).detail(Fact::Is(Outcome::Added))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Renames an item, or switches it on or off.
    pub async fn update_taxonomy_item(
        &self,
        ctx: &Ctx,
        which: Taxonomy,
        id: i64,
        label_ja: &str,
        label_en: &str,
        active: bool,
    ) -> Result<()> {
        ctx.check(Operation::ManageTaxonomy)?;
        let (ja, en) = taxonomy_labels(label_ja, label_en)?;
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query(&format!(
            "UPDATE {} SET label_ja = $1, label_en = $2, active = $3 WHERE id = $4 AND tenant_id = $5",
            which.table()
        ))
        .bind(&ja)
        .bind(&en)
        .bind(i64::from(active))
        .bind(id)
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::TaxonomyChanged, which.audit_target(), id).detail(Fact::Is(if active {
                Outcome::Updated
            } else {
                Outcome::Deactivated
            }))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
