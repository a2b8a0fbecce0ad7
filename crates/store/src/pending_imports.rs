//! Uploaded registers waiting for HR to confirm the preview. The file is personal data, so
//! its decoded text is kept sealed, only for its uploader, and for one hour at most.

use crate::{now_ms, Acting, Ctx, Registrar, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{SealedId, TenantId, UserId};
use domain::policy::{self, Operation, Target};

use sqlx::{Any, Row, Transaction};
use std::fmt;

/// How long an upload waits for confirmation before it is refused and purged.
pub const PENDING_IMPORT_TTL_MS: i64 = 60 * 60 * 1000;

/// The purpose recorded on the sealed text (and in its audit events).
const PURPOSE: &str = "pending_import";

/// An upload awaiting confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PendingImportId(i64);

impl PendingImportId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for PendingImportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What is kept of an upload that parsed cleanly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPendingImport<'a> {
    pub filename: &'a str,
    /// The encoding detected, as a code (`utf8`, `utf8bom`, `sjis`).
    pub encoding: &'a str,
    pub rows: i64,
    /// The file decoded to text.
    pub text: &'a str,
}

/// An upload read back for its uploader.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingImport {
    pub id: PendingImportId,
    pub filename: String,
    pub encoding: String,
    pub rows: i64,
    pub created_at: i64,
    pub text: String,
}

// The text is personal data: never in logs.
impl fmt::Debug for PendingImport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingImport")
            .field("id", &self.id)
            .field("filename", &self.filename)
            .field("encoding", &self.encoding)
            .field("rows", &self.rows)
            .field("created_at", &self.created_at)
            .field("text", &"***")
            .finish()
    }
}

fn uploader(me: &Acting<Registrar>) -> UserId {
    me.actor().user()
}

impl Store {
    /// Seals the uploaded text and records it for its uploader, in one transaction with its
    /// audit event. Uploads of the tenant older than an hour are purged on the way.
    pub async fn create_pending_import(&self, me: &Acting<Registrar>, new: &NewPendingImport<'_>) -> Result<PendingImportId> {
        let (ctx, user) = (me.ctx(), uploader(me));
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        purge_expired(&mut tx, ctx, now).await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, PURPOSE, new.text).await?;
        let row = sqlx::query(
            "INSERT INTO pending_imports (tenant_id, user_id, sealed_id, filename, encoding, row_count, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(user.get())
        .bind(sealed.get())
        .bind(new.filename)
        .bind(new.encoding)
        .bind(new.rows)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = PendingImportId::new(row.try_get("id")?);
        let event = ctx
            .event(AuditAction::SealedTextWritten, AuditTarget::SealedText { purpose: PURPOSE }, sealed)
            .detail(AuditDetail::none().n(Key::PendingImport, id.get()).n(Key::Rows, new.rows));
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The upload with its text, for the user who made it, within the hour; otherwise
    /// `NotFound`. The read is audited and durable before the text is returned.
    pub async fn pending_import(&self, me: &Acting<Registrar>, id: PendingImportId) -> Result<PendingImport> {
        let (ctx, user) = (me.ctx(), uploader(me));
        let r = sqlx::query(
            "SELECT sealed_id, filename, encoding, row_count, created_at FROM pending_imports
             WHERE id = $1 AND tenant_id = $2 AND user_id = $3 AND created_at > $4",
        )
        .bind(id.get())
        .bind(ctx.tenant.get())
        .bind(user.get())
        .bind(now_ms() - PENDING_IMPORT_TTL_MS)
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        let permit = policy::permit(&me.actor(), Operation::ImportEmployees, Target::OwnedBy(user)).ok_or(StoreError::NotFound)?;
        let event = ctx
            .event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: PURPOSE }, sealed)
            .detail(AuditDetail::none().n(Key::PendingImport, id.get()));
        let mut texts = self.open_permitted(ctx, &permit, &[event], &[sealed]).await?;
        let text = texts.remove(&sealed).ok_or(StoreError::NotFound)?;
        Ok(PendingImport {
            id,
            filename: r.try_get("filename")?,
            encoding: r.try_get("encoding")?,
            rows: r.try_get("row_count")?,
            created_at: r.try_get("created_at")?,
            text,
        })
    }

    /// Discards an upload of this user (confirmed, cancelled or expired) and its sealed text.
    pub async fn delete_pending_import(&self, me: &Acting<Registrar>, id: PendingImportId) -> Result<()> {
        let (ctx, user) = (me.ctx(), uploader(me));
        let mut tx = self.db.write.begin().await?;
        let r = sqlx::query("SELECT sealed_id FROM pending_imports WHERE id = $1 AND tenant_id = $2 AND user_id = $3")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(user.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        delete_one(&mut tx, ctx.tenant, id, sealed).await?;
        let event = ctx
            .event(AuditAction::SealedTextWritten, AuditTarget::SealedText { purpose: PURPOSE }, sealed)
            .detail(AuditDetail::none().n(Key::PendingImport, id.get()).and(Fact::Is(Outcome::Deleted)));
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn delete_one(tx: &mut Transaction<'static, Any>, tenant: TenantId, id: PendingImportId, sealed: SealedId) -> Result<()> {
    // The pending row references the sealed text, so it goes first.
    sqlx::query("DELETE FROM pending_imports WHERE id = $1 AND tenant_id = $2")
        .bind(id.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sealed_texts WHERE id = $1 AND tenant_id = $2")
        .bind(sealed.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Removes the tenant's uploads left unconfirmed past their hour, each with an audit event.
async fn purge_expired(tx: &mut Transaction<'static, Any>, ctx: &Ctx, now: i64) -> Result<()> {
    let rows = sqlx::query("SELECT id, sealed_id FROM pending_imports WHERE tenant_id = $1 AND created_at <= $2")
        .bind(ctx.tenant.get())
        .bind(now - PENDING_IMPORT_TTL_MS)
        .fetch_all(&mut **tx)
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = PendingImportId::new(r.try_get("id")?);
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        delete_one(tx, ctx.tenant, id, sealed).await?;
        events.push(
            ctx.event(AuditAction::SealedTextWritten, AuditTarget::SealedText { purpose: PURPOSE }, sealed)
                .detail(AuditDetail::none().n(Key::PendingImport, id.get()).and(Fact::Is(Outcome::ExpiredDeleted))),
        );
    }
    Store::audit_in_tx(tx, ctx, &events).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeySource, NewUser, OpenOptions};
    use domain::tenant::{KThreshold, TenantSlug};
    use domain::Role;

    /// A fresh store on `backend` with two HR users of one tenant.
    async fn store_with_two_users(backend: testkit::Backend) -> (testkit::TestDb, Store, Acting<Registrar>, Acting<Registrar>) {
        let db = testkit::fresh_db(backend).unwrap();
        let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32]);
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(key) }).await.unwrap();
        let tenant = store.create_tenant(&TenantSlug::parse("acme").unwrap(), "Acme", KThreshold::DEFAULT, "test").await.unwrap();
        let op = Ctx::operator(tenant.id, "test");
        let mut ctxs = Vec::new();
        for login in ["hr1", "hr2"] {
            let user = store
                .create_user(
                    &op,
                    &NewUser { login, display_name: login, password: "correct horse battery", roles: &[Role::Hr], employee: None },
                )
                .await
                .unwrap();
            ctxs.push(Ctx::for_tests(tenant.id, user, login, Some(Role::Hr)).as_registrar().unwrap());
        }
        let second = ctxs.pop().unwrap();
        let first = ctxs.pop().unwrap();
        (db, store, first, second)
    }

    #[tokio::test]
    async fn only_the_uploader_reads_it_and_delete_removes_the_sealed_text() {
        for backend in testkit::Backend::ALL {
            only_the_uploader_on(backend).await;
        }
    }

    async fn only_the_uploader_on(backend: testkit::Backend) {
        let (_db, store, hr1, hr2) = store_with_two_users(backend).await;
        let text = "社員番号,氏名,所属\nE1,山田 太郎,営業本部\n";
        let id = store.create_pending_import(&hr1, &NewPendingImport { filename: "a.csv", encoding: "sjis", rows: 1, text }).await.unwrap();
        let got = store.pending_import(&hr1, id).await.unwrap();
        assert_eq!((got.text.as_str(), got.filename.as_str(), got.encoding.as_str(), got.rows), (text, "a.csv", "sjis", 1));
        assert!(!format!("{got:?}").contains("山田"));
        assert!(matches!(store.pending_import(&hr2, id).await, Err(StoreError::NotFound)));
        assert!(matches!(store.delete_pending_import(&hr2, id).await, Err(StoreError::NotFound)));
        assert_eq!(store.sealed_by_key().await.unwrap().iter().map(|(_, n)| n).sum::<i64>(), 1);
        store.delete_pending_import(&hr1, id).await.unwrap();
        assert!(matches!(store.pending_import(&hr1, id).await, Err(StoreError::NotFound)));
        assert_eq!(store.sealed_by_key().await.unwrap().iter().map(|(_, n)| n).sum::<i64>(), 0);
        store.close().await;
    }

    #[tokio::test]
    async fn uploads_expire_after_an_hour_and_are_purged() {
        for backend in testkit::Backend::ALL {
            expiry_on(backend).await;
        }
    }

    async fn expiry_on(backend: testkit::Backend) {
        let (_db, store, hr1, _) = store_with_two_users(backend).await;
        let old =
            store.create_pending_import(&hr1, &NewPendingImport { filename: "a.csv", encoding: "utf8", rows: 1, text: "x" }).await.unwrap();
        sqlx::query("UPDATE pending_imports SET created_at = created_at - $1 WHERE id = $2")
            .bind(PENDING_IMPORT_TTL_MS)
            .bind(old.get())
            .execute(&store.db.write)
            .await
            .unwrap();
        assert!(matches!(store.pending_import(&hr1, old).await, Err(StoreError::NotFound)));
        let fresh =
            store.create_pending_import(&hr1, &NewPendingImport { filename: "b.csv", encoding: "utf8", rows: 1, text: "y" }).await.unwrap();
        assert!(matches!(store.delete_pending_import(&hr1, old).await, Err(StoreError::NotFound)), "purged when the next upload arrived");
        assert_eq!(store.pending_import(&hr1, fresh).await.unwrap().text, "y");
        assert_eq!(store.verify_audit(None).await.map(|v| v.iter().all(|o| o.broken.is_none())).ok(), Some(true));
        store.close().await;
    }
}
