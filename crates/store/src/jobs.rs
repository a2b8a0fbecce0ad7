//! The durable job table: enqueueing, taking a due job under a lease, and recording how each
//! attempt ended. Every statement is guarded by the lease, so that two runners (in one
//! process or in several servers on one database) never hold the same job at once. The loop
//! that drives this is `job_runner.rs`.

use crate::{now_ms, Result, Store, StoreError};
use domain::ids::{JobId, TenantId};
use domain::job::{error_text, JobKind};
use sqlx::Row;

/// A job to enqueue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub tenant: Option<TenantId>,
    pub due_at: i64,
    pub max_attempts: u32,
    /// At most one pending job holds a given key (recurring kinds use their kind's name).
    pub unique_key: Option<String>,
}

impl NewJob {
    /// A job of `kind`, due now, with the kind's number of attempts.
    pub fn new(kind: JobKind, payload: serde_json::Value) -> Self {
        NewJob { kind, payload, tenant: None, due_at: now_ms(), max_attempts: kind.max_attempts(), unique_key: None }
    }

    pub fn due_at(self, due_at: i64) -> Self {
        NewJob { due_at, ..self }
    }

    pub fn for_tenant(self, tenant: TenantId) -> Self {
        NewJob { tenant: Some(tenant), ..self }
    }

    pub fn max_attempts(self, max_attempts: u32) -> Self {
        NewJob { max_attempts: max_attempts.max(1), ..self }
    }

    pub fn unique_key(self, key: &str) -> Self {
        NewJob { unique_key: Some(key.to_string()), ..self }
    }

    /// The run of a recurring kind due at `due_at`; `None` for a one-off kind.
    pub fn recurring(kind: JobKind, due_at: i64) -> Option<NewJob> {
        kind.every_ms()?;
        Some(NewJob::new(kind, serde_json::json!({})).due_at(due_at).unique_key(kind.as_str()))
    }
}

/// A job taken by a runner: it holds the lease until `lease_until` (renewable).
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: JobKind,
    pub payload: serde_json::Value,
    pub tenant: Option<TenantId>,
    /// Attempts made, this one included.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Whether this is the pending run of a recurring kind (the next one follows it).
    pub recurring: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its due time or for a runner.
    Pending,
    /// Held by a runner whose lease has not expired.
    Running,
    Done,
    /// Every attempt failed.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

/// A job as stored, for operators and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    pub id: JobId,
    /// As stored: a kind a newer version added is shown, not dropped.
    pub kind: String,
    pub payload: String,
    pub tenant: Option<TenantId>,
    pub unique_key: Option<String>,
    pub due_at: i64,
    pub attempts: i64,
    pub max_attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub last_error: Option<String>,
    pub result: Option<String>,
    pub done_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub created_at: i64,
}

impl JobRow {
    pub fn state(&self, now: i64) -> JobState {
        if self.done_at.is_some() {
            JobState::Done
        } else if self.failed_at.is_some() {
            JobState::Failed
        } else if self.lease_until.is_some_and(|l| l >= now) {
            JobState::Running
        } else {
            JobState::Pending
        }
    }
}

const JOB_COLUMNS: &str = "id, kind, payload, tenant_id, unique_key, due_at, attempts, max_attempts, lease_owner, lease_until, \
                           last_error, result, done_at, failed_at, created_at";

fn job_row(r: &sqlx::any::AnyRow) -> Result<JobRow> {
    Ok(JobRow {
        id: JobId::new(r.try_get("id")?),
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        tenant: r.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId::new),
        unique_key: r.try_get("unique_key")?,
        due_at: r.try_get("due_at")?,
        attempts: r.try_get("attempts")?,
        max_attempts: r.try_get("max_attempts")?,
        lease_owner: r.try_get("lease_owner")?,
        lease_until: r.try_get("lease_until")?,
        last_error: r.try_get("last_error")?,
        result: r.try_get("result")?,
        done_at: r.try_get("done_at")?,
        failed_at: r.try_get("failed_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Unfinished: neither done nor failed (the condition of the partial indexes).
const OPEN: &str = "done_at IS NULL AND failed_at IS NULL";

pub(crate) async fn insert_job<'c, E>(conn: E, job: &NewJob) -> Result<Option<JobId>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    // A pending job with the same key wins: the insert does nothing.
    let row = sqlx::query(
        "INSERT INTO jobs (kind, payload, tenant_id, unique_key, due_at, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(job.kind.as_str())
    .bind(job.payload.to_string())
    .bind(job.tenant.map(|t| t.get()))
    .bind(job.unique_key.as_deref())
    .bind(job.due_at)
    .bind(i64::from(job.max_attempts.max(1)))
    .bind(now_ms())
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok(JobId::new(r.try_get("id")?))).transpose()
}

impl Store {
    /// Enqueues a job; `None` when a pending job already holds its unique key.
    pub async fn enqueue_job(&self, job: &NewJob) -> Result<Option<JobId>> {
        insert_job(&self.db.write, job).await
    }

    /// Makes sure every recurring kind has its pending run (due now when it had none), so
    /// that each server may call this at start without doubling anything. Returns how many
    /// runs were added.
    pub async fn schedule_recurring_jobs(&self) -> Result<usize> {
        let now = now_ms();
        let mut added = 0;
        for job in JobKind::recurring().filter_map(|k| NewJob::recurring(k, now)) {
            added += usize::from(self.enqueue_job(&job).await?.is_some());
        }
        Ok(added)
    }

    /// Takes the next due job of one of `kinds` for `owner`, for `lease_ms`, counting the
    /// attempt. The row is re-checked in the UPDATE itself (and skipped if locked, on
    /// PostgreSQL), so that two runners racing for it cannot both take it.
    pub async fn claim_job(&self, owner: &str, kinds: &[JobKind], lease_ms: i64) -> Result<Option<ClaimedJob>> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let now = now_ms();
        let free = "(lease_until IS NULL OR lease_until < $3)";
        let kind_list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs WHERE {OPEN} AND due_at <= $3 AND {free} AND kind IN ({})
                         ORDER BY due_at, id LIMIT 1{})
               AND {OPEN} AND {free}
             RETURNING id, kind, payload, tenant_id, unique_key, attempts, max_attempts",
            kind_list.join(", "),
            self.db.skip_locked(),
        );
        let mut q = sqlx::query(&sql).bind(owner).bind(now.saturating_add(lease_ms)).bind(now);
        for k in kinds {
            q = q.bind(k.as_str());
        }
        let Some(r) = q.fetch_optional(&self.db.write).await? else { return Ok(None) };
        let raw_kind: String = r.try_get("kind")?;
        let kind = JobKind::parse(&raw_kind).ok_or_else(|| StoreError::Config(format!("unknown job kind {raw_kind}")))?;
        let payload: String = r.try_get("payload")?;
        let unique_key: Option<String> = r.try_get("unique_key")?;
        Ok(Some(ClaimedJob {
            id: JobId::new(r.try_get("id")?),
            kind,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            tenant: r.try_get::<Option<i64>, _>("tenant_id")?.map(TenantId::new),
            attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
            max_attempts: u32::try_from(r.try_get::<i64, _>("max_attempts")?).unwrap_or(1),
            recurring: kind.every_ms().is_some() && unique_key.as_deref() == Some(kind.as_str()),
        }))
    }

    /// Extends the lease of a job still held by `owner`; false when it was lost (expired and
    /// taken by another runner, or finished).
    pub async fn renew_job_lease(&self, id: JobId, owner: &str, lease_ms: i64) -> Result<bool> {
        let n = sqlx::query(&format!("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_owner = $3 AND {OPEN}"))
            .bind(now_ms().saturating_add(lease_ms))
            .bind(id.get())
            .bind(owner)
            .execute(&self.db.write)
            .await?;
        Ok(n.rows_affected() == 1)
    }

    /// Records a job done with its result, and enqueues `next` (a recurring kind's next run)
    /// in the same transaction. False (and nothing written) when `owner` no longer holds it.
    pub async fn finish_job(&self, id: JobId, owner: &str, result: &serde_json::Value, next: Option<&NewJob>) -> Result<bool> {
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query(&format!(
            "UPDATE jobs SET done_at = $1, result = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL
             WHERE id = $3 AND lease_owner = $4 AND {OPEN}"
        ))
        .bind(now_ms())
        .bind(result.to_string())
        .bind(id.get())
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(next) = next {
            insert_job(&mut *tx, next).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records a failed attempt to be tried again at `retry_at`.
    pub async fn retry_job(&self, id: JobId, owner: &str, error: &str, retry_at: i64) -> Result<bool> {
        let n = sqlx::query(&format!(
            "UPDATE jobs SET due_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
             WHERE id = $3 AND lease_owner = $4 AND {OPEN}"
        ))
        .bind(retry_at)
        .bind(error_text(error))
        .bind(id.get())
        .bind(owner)
        .execute(&self.db.write)
        .await?;
        Ok(n.rows_affected() == 1)
    }

    /// Records a job failed for good (every attempt spent), and enqueues `next` as
    /// [`Store::finish_job`] does: a recurring kind keeps running after one bad run.
    pub async fn fail_job(&self, id: JobId, owner: &str, error: &str, next: Option<&NewJob>) -> Result<bool> {
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query(&format!(
            "UPDATE jobs SET failed_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
             WHERE id = $3 AND lease_owner = $4 AND {OPEN}"
        ))
        .bind(now_ms())
        .bind(error_text(error))
        .bind(id.get())
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(next) = next {
            insert_job(&mut *tx, next).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn job(&self, id: JobId) -> Result<JobRow> {
        let r = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        job_row(&r)
    }

    /// The newest jobs first; with `failed_only`, only those that gave up.
    pub async fn recent_jobs(&self, limit: i64, failed_only: bool) -> Result<Vec<JobRow>> {
        let filter = if failed_only { "WHERE failed_at IS NOT NULL" } else { "" };
        let rows = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs {filter} ORDER BY id DESC LIMIT $1"))
            .bind(limit.max(0))
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(job_row).collect()
    }

    /// Deletes jobs done before `done_before` and jobs failed before `failed_before`.
    pub async fn purge_finished_jobs(&self, done_before: i64, failed_before: i64) -> Result<u64> {
        let n = sqlx::query("DELETE FROM jobs WHERE done_at < $1 OR failed_at < $2")
            .bind(done_before)
            .bind(failed_before)
            .execute(&self.db.write)
            .await?;
        Ok(n.rows_affected())
    }
}
