//! The program's policy documents (人材育成方針・キャリアコンサルティング実施規程, R10:
//! 職業能力開発促進法): versioned texts with their approval date and approver. HR publishes a
//! new version (an older one is never changed); every role reads the current version of each
//! and the history. The texts are the company's own rules, naming nobody: kept in clear.

use crate::{now_ms, today_jst, Acting, Ctx, Hr, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::policy::{self, Operation, Target};
use domain::policy_document::check_version;
use sqlx::Row;
use std::fmt;

/// A document's id (the same across its versions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyDocumentId(i64);

impl PolicyDocumentId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for PolicyDocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One version of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocumentVersion {
    pub document: PolicyDocumentId,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub approved_on: NaiveDate,
    pub approved_by: String,
    pub created_at: i64,
}

/// A document with its current version and its history (newest first, the current one too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocumentRow {
    pub current: PolicyDocumentVersion,
    /// Every version, newest first.
    pub history: Vec<PolicyDocumentVersion>,
}

fn version_of(r: &sqlx::any::AnyRow) -> Result<PolicyDocumentVersion> {
    let on: String = r.try_get("approved_on")?;
    Ok(PolicyDocumentVersion {
        document: PolicyDocumentId::new(r.try_get("document_id")?),
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        approved_on: NaiveDate::parse_from_str(&on, "%Y-%m-%d").map_err(|_| StoreError::Config(format!("bad approval date {on}")))?,
        approved_by: r.try_get("approved_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const SELECT: &str = "SELECT document_id, version, title, body, approved_on, approved_by, created_at FROM policy_document_versions";

impl Store {
    /// Every document of the tenant with its versions (current first), for any signed-in role.
    pub async fn policy_documents(&self, ctx: &Ctx) -> Result<Vec<PolicyDocumentRow>> {
        let actor = ctx.actor()?;
        if !policy::decide(&actor, Operation::ReadPolicyDocuments, Target::InTenant(ctx.tenant)).is_allow() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!("{SELECT} WHERE tenant_id = $1 ORDER BY document_id, version DESC"))
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut out: Vec<PolicyDocumentRow> = Vec::new();
        for r in &rows {
            let v = version_of(r)?;
            match out.last_mut() {
                Some(d) if d.current.document == v.document => d.history.push(v),
                _ => out.push(PolicyDocumentRow { current: v.clone(), history: vec![v] }),
            }
        }
        Ok(out)
    }

    /// One document with its history; not found for another tenant's or none.
    pub async fn policy_document(&self, ctx: &Ctx, id: PolicyDocumentId) -> Result<PolicyDocumentRow> {
        let actor = ctx.actor()?;
        if !policy::decide(&actor, Operation::ReadPolicyDocuments, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(&format!("{SELECT} WHERE tenant_id = $1 AND document_id = $2 ORDER BY version DESC"))
            .bind(ctx.tenant.get())
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?;
        let history = rows.iter().map(version_of).collect::<Result<Vec<_>>>()?;
        let current = history.first().cloned().ok_or(StoreError::NotFound)?;
        Ok(PolicyDocumentRow { current, history })
    }

    /// HR publishes a new version: of an existing document (`Some`), or a new document's first.
    /// Every problem at once; audited with the version. Returns the document and its version.
    pub async fn publish_policy_document(
        &self,
        me: &Acting<Hr>,
        document: Option<PolicyDocumentId>,
        title: &str,
        body: &str,
        approved_on: &str,
        approved_by: &str,
    ) -> Result<(PolicyDocumentId, i64)> {
        let ctx = me.ctx();
        if !policy::decide(&me.actor(), Operation::ManagePolicyDocuments, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        if let Some(d) = document {
            // Exists in this tenant, or not found.
            self.policy_document(ctx, d).await?;
        }
        let v = check_version(title, body, approved_on, approved_by, today_jst()).map_err(StoreError::problems)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let doc = match document {
            Some(d) => d,
            None => PolicyDocumentId::new(
                sqlx::query("INSERT INTO policy_documents (tenant_id, created_at) VALUES ($1, $2) RETURNING id")
                    .bind(ctx.tenant.get())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?,
            ),
        };
        let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM policy_document_versions WHERE document_id = $1")
            .bind(doc.get())
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        let inserted = sqlx::query(
            "INSERT INTO policy_document_versions (tenant_id, document_id, version, title, body, approved_on, approved_by, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(ctx.tenant.get())
        .bind(doc.get())
        .bind(version)
        .bind(&v.title)
        .bind(&v.body)
        .bind(v.approved_on.format("%Y-%m-%d").to_string())
        .bind(&v.approved_by)
        .bind(me.actor().user().get())
        .bind(now)
        .execute(&mut *tx)
        .await;
        if inserted.is_err() {
            return Err(StoreError::Conflict(domain::Message::new(
                "この文書は他の方が先に改訂しました。最新の版をご確認ください。",
                "Someone else published a version of this document meanwhile. Check the latest version.",
            )));
        }
        let detail = AuditDetail::of(Fact::N(Key::Version, version));
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::PolicyDocumentPublished, AuditTarget::PolicyDocument, doc).detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok((doc, version))
    }
}
