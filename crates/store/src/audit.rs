//! The audit chain in the database. Writes append their events inside their own transaction;
//! reads hand their events to one appender per process, which chains and commits them in
//! batches and answers each caller once its batch is durable.

use crate::db::{Backend, Db, InsertBatch};
use crate::{now_ms, Ctx, Result, Store, StoreError};
use domain::audit::{chain, AuditEvent, AuditTarget, BrokenLink, ChainVerifier, ChainedEvent, Fact, GENESIS};
use domain::ids::TenantId;
use sqlx::{Any, AnyConnection, Row, Transaction};
use tokio::sync::{mpsc, oneshot};

/// The most events committed in one appender transaction.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<(), String>>;

enum Job {
    Append(TenantId, AuditEvent, Reply),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Auditor {
    tx: mpsc::Sender<Job>,
}

impl Auditor {
    pub fn start(db: Db) -> Auditor {
        let (tx, rx) = mpsc::channel::<Job>(8192);
        tokio::spawn(run_appender(db, rx));
        Auditor { tx }
    }

    pub async fn append(&self, tenant: TenantId, event: AuditEvent) -> Result<()> {
        let (reply, wait) = oneshot::channel();
        self.tx.send(Job::Append(tenant, event, reply)).await.map_err(|_| StoreError::Audit("the audit appender has stopped".into()))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StoreError::Audit(e)),
            Err(_) => Err(StoreError::Audit("the audit appender has stopped".into())),
        }
    }

    pub async fn flush(&self) {
        let (reply, wait) = oneshot::channel();
        if self.tx.send(Job::Flush(reply)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn run_appender(db: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch: Vec<(TenantId, AuditEvent, Reply)> = Vec::new();
        let mut flushes = Vec::new();
        let mut push = |job: Job, batch: &mut Vec<_>| match job {
            Job::Append(t, e, r) => batch.push((t, e, r)),
            Job::Flush(r) => flushes.push(r),
        };
        push(first, &mut batch);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => push(job, &mut batch),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let events: Vec<(TenantId, AuditEvent)> = batch.iter().map(|(t, e, _)| (*t, e.clone())).collect();
            let outcome = commit_batch(&db, &events).await.map_err(|e| e.to_string());
            if let Err(e) = &outcome {
                tracing::error!(error = %e, events = events.len(), "audit batch failed");
            }
            for (_, _, reply) in batch {
                let _ = reply.send(outcome.clone());
            }
        }
        for f in flushes {
            let _ = f.send(());
        }
    }
}

async fn commit_batch(db: &Db, events: &[(TenantId, AuditEvent)]) -> Result<()> {
    let mut tx = db.write.begin().await?;
    let mut tenants: Vec<TenantId> = events.iter().map(|(t, _)| *t).collect();
    tenants.sort();
    tenants.dedup();
    // Lock heads in a fixed order so two processes never deadlock on each other's tenants.
    for tenant in tenants {
        let mine: Vec<&AuditEvent> = events.iter().filter(|(t, _)| *t == tenant).map(|(_, e)| e).collect();
        append_events(&mut tx, tenant, &mine).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Appends events to a tenant's chain inside the caller's transaction. The head row is
/// updated first, which takes its row lock on PostgreSQL and the write lock on SQLite, so
/// concurrent appenders in other processes wait rather than fork the chain.
pub(crate) async fn append_events(tx: &mut Transaction<'static, Any>, tenant: TenantId, events: &[&AuditEvent]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let conn: &mut AnyConnection = tx;
    let locked = sqlx::query("UPDATE audit_heads SET seq = seq WHERE tenant_id = $1").bind(tenant.get()).execute(&mut *conn).await?;
    if locked.rows_affected() == 0 {
        return Err(StoreError::Audit(format!("tenant {tenant} has no audit chain head")));
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE tenant_id = $1").bind(tenant.get()).fetch_one(&mut *conn).await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut hash: String = head.try_get("hash")?;
    let at = now_ms();
    let mut chained = Vec::with_capacity(events.len());
    for ev in events {
        let c = chain(tenant.get(), seq, &hash, at, ev);
        seq = c.seq;
        hash.clone_from(&c.hash);
        chained.push(c);
    }
    // A batch of the appender is one INSERT per `rows` events, not one per event.
    let batch = Backend::of(conn).insert_batch();
    for part in chained.chunks(batch.rows) {
        insert_events(conn, batch, part).await?;
    }
    sqlx::query("UPDATE audit_heads SET seq = $1, hash = $2 WHERE tenant_id = $3")
        .bind(seq)
        .bind(&hash)
        .bind(tenant.get())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn insert_events(conn: &mut AnyConnection, batch: InsertBatch, events: &[ChainedEvent]) -> Result<()> {
    let mut sql = String::from(
        "INSERT INTO audit_events (tenant_id, seq, at, actor_user_id, actor_label, acting_role, action, target_kind, target_id, detail, prev_hash, hash)",
    );
    sql.push_str(&batch.values(events.len(), 12));
    let mut q = sqlx::query(&sql);
    for c in events {
        q = q
            .bind(c.tenant)
            .bind(c.seq)
            .bind(c.at_ms)
            .bind(c.actor_user)
            .bind(&c.actor_label)
            .bind(&c.acting_role)
            .bind(&c.action)
            .bind(&c.target_kind)
            .bind(&c.target_id)
            .bind(&c.detail)
            .bind(&c.prev_hash)
            .bind(&c.hash);
    }
    q.execute(conn).await?;
    Ok(())
}

/// Creates a tenant's chain head inside the tenant's creating transaction.
pub(crate) async fn create_head(tx: &mut Transaction<'static, Any>, tenant: TenantId) -> Result<()> {
    sqlx::query("INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)")
        .bind(tenant.get())
        .bind(GENESIS)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The result of checking one tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOutcome {
    pub tenant: TenantId,
    pub slug: String,
    pub events: i64,
    pub broken: Option<BrokenLink>,
}

/// Figures of the audit log, for the admin's page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditStats {
    pub events: i64,
    pub last_at: Option<i64>,
}

pub(crate) fn row_to_event(r: &sqlx::any::AnyRow) -> Result<ChainedEvent> {
    Ok(ChainedEvent {
        tenant: r.try_get("tenant_id")?,
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at")?,
        actor_user: r.try_get("actor_user_id")?,
        actor_label: r.try_get("actor_label")?,
        acting_role: r.try_get("acting_role")?,
        action: r.try_get("action")?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// Records the read of confidential content; returns once the event is durable.
    pub async fn audit(&self, ctx: &Ctx, event: AuditEvent) -> Result<()> {
        self.auditor.append(ctx.tenant, event).await
    }

    /// Records that the policy refused `op` on an existing record of confidential content, and
    /// answers as if the record did not exist (the caller returns this error).
    pub(crate) async fn refused(&self, ctx: &Ctx, op: domain::policy::Operation, kind: AuditTarget, id: impl ToString) -> StoreError {
        let ev = ctx.event(domain::audit::AuditAction::AccessRefused, kind, id).detail(Fact::Operation(op));
        match self.audit(ctx, ev).await {
            Ok(()) => StoreError::NotFound,
            Err(e) => e,
        }
    }

    /// Settles a result whose write may have been refused inside its transaction: the
    /// refusal is recorded now that the transaction is gone, and answers as "not found".
    pub(crate) async fn settle<T>(&self, ctx: &Ctx, result: Result<T>) -> Result<T> {
        match result {
            Err(StoreError::Refused { operation, kind, id }) => Err(self.refused(ctx, operation, kind, id).await),
            other => other,
        }
    }

    /// Appends events as part of a write's own transaction.
    pub(crate) async fn audit_in_tx(tx: &mut Transaction<'static, Any>, ctx: &Ctx, events: &[AuditEvent]) -> Result<()> {
        let refs: Vec<&AuditEvent> = events.iter().collect();
        append_events(tx, ctx.tenant, &refs).await
    }

    /// Verifies every tenant's chain (or one), reading in pages so memory stays flat.
    pub async fn verify_audit(&self, only: Option<TenantId>) -> Result<Vec<VerifyOutcome>> {
        let heads = sqlx::query(
            "SELECT h.tenant_id, h.seq, h.hash, t.slug FROM audit_heads h JOIN tenants t ON t.id = h.tenant_id ORDER BY h.tenant_id",
        )
        .fetch_all(&self.db.read)
        .await?;
        let mut out = Vec::new();
        for h in heads {
            let tenant = TenantId::new(h.try_get("tenant_id")?);
            if only.is_some_and(|o| o != tenant) {
                continue;
            }
            let head_seq: i64 = h.try_get("seq")?;
            let head_hash: String = h.try_get("hash")?;
            let mut verifier = ChainVerifier::new(tenant.get());
            let mut after: i64 = 0;
            let mut broken = None;
            'pages: loop {
                let rows = sqlx::query("SELECT * FROM audit_events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000")
                    .bind(tenant.get())
                    .bind(after)
                    .fetch_all(&self.db.read)
                    .await?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let e = row_to_event(r)?;
                    after = e.seq;
                    if let Err(b) = verifier.push(&e) {
                        broken = Some(b);
                        break 'pages;
                    }
                }
            }
            let (events, broken) = match broken {
                Some(b) => (b.seq - 1, Some(b)),
                None => match verifier.finish(head_seq, &head_hash) {
                    Ok(n) => (n, None),
                    Err(b) => (b.seq - 1, Some(b)),
                },
            };
            out.push(VerifyOutcome { tenant, slug: h.try_get("slug")?, events, broken });
        }
        Ok(out)
    }

    /// The newest events of a tenant, newest first (metadata only: no content is ever logged).
    pub async fn recent_audit(&self, tenant: TenantId, limit: i64, before_seq: Option<i64>) -> Result<Vec<ChainedEvent>> {
        let rows = sqlx::query("SELECT * FROM audit_events WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3")
            .bind(tenant.get())
            .bind(before_seq.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(row_to_event).collect()
    }

    pub async fn audit_stats(&self, tenant: TenantId) -> Result<AuditStats> {
        let r = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last_at FROM audit_events WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?;
        Ok(AuditStats { events: r.try_get("n")?, last_at: r.try_get("last_at")? })
    }

    /// For the benchmark: durable single-row commits, one after another, on a scratch table.
    pub async fn bench_raw_commits(&self, tasks: usize, per_task: usize) -> Result<std::time::Duration> {
        sqlx::query("CREATE TABLE IF NOT EXISTS bench_commits (id BIGINT NOT NULL, payload TEXT NOT NULL)").execute(&self.db.write).await?;
        let start = std::time::Instant::now();
        let mut handles = Vec::new();
        for t in 0..tasks {
            let pool = self.db.write.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..per_task {
                    sqlx::query("INSERT INTO bench_commits (id, payload) VALUES ($1, $2)")
                        .bind((t * per_task + i) as i64)
                        .bind("x")
                        .execute(&pool)
                        .await?;
                }
                Ok::<(), sqlx::Error>(())
            }));
        }
        for h in handles {
            h.await.map_err(|e| StoreError::Audit(e.to_string()))??;
        }
        let took = start.elapsed();
        sqlx::query("DROP TABLE bench_commits").execute(&self.db.write).await?;
        Ok(took)
    }
}
