//! The job runner: one per server process. It takes a due job under a lease, renews the
//! lease while the handler works, and records the outcome: done (with the next run of a
//! recurring kind), retried later with exponential backoff, or failed for good. A runner that
//! dies leaves its lease to expire; another runner then takes the job again. A job therefore
//! runs at least once, and twice only if its runner stalled past the lease without renewing
//! it: handlers are written to be harmless when repeated.

use crate::jobs::{ClaimedJob, NewJob};
use crate::{now_ms, Store};
use domain::job::{after_failure, AfterFailure, Backoff, JobKind};
use domain::session::SessionLimits;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What runs the jobs of some kinds.
pub trait JobHandler: Send + Sync + 'static {
    /// The kinds this handler runs; the runner takes no others.
    fn kinds(&self) -> Vec<JobKind>;

    /// One attempt: `Ok` with a result to keep, or `Err` with the cause of the failure.
    fn run(&self, store: &Store, job: &ClaimedJob) -> impl Future<Output = Result<serde_json::Value, String>> + Send;
}

#[derive(Clone, Debug)]
pub struct RunnerOptions {
    /// Names this runner in the `lease_owner` column: host, process and a random part.
    pub owner: String,
    /// How long a taken job stays this runner's without a renewal (renewed every third of it).
    pub lease_ms: i64,
    /// How long to wait before looking again when no job was due.
    pub poll_ms: u64,
    pub backoff: Backoff,
    /// How long `stop` waits for the job in flight before abandoning it to its lease.
    pub stop_grace_ms: u64,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
        let host = if host.is_empty() { "host".to_string() } else { host };
        RunnerOptions {
            owner: format!("{host}:{}:{}", std::process::id(), crate::sessions::random_token(4)),
            lease_ms: 5 * 60 * 1000,
            poll_ms: 2_000,
            backoff: Backoff::STANDARD,
            stop_grace_ms: 30_000,
        }
    }
}

/// A running runner; [`JobRunner::stop`] ends it.
pub struct JobRunner {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    owner: String,
    grace: Duration,
}

impl JobRunner {
    pub fn start<H: JobHandler>(store: Store, handler: H, options: RunnerOptions) -> JobRunner {
        let (stop, stopped) = watch::channel(false);
        let owner = options.owner.clone();
        let grace = Duration::from_millis(options.stop_grace_ms);
        let task = tokio::spawn(run_loop(store, Arc::new(handler), options, stopped));
        JobRunner { stop, task, owner, grace }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Takes no new job, waits (within the grace period) for the one in flight to be
    /// recorded, and returns once the runner has stopped.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(self.grace, &mut self.task).await.is_err() {
            tracing::warn!(owner = %self.owner, "job runner: the job in flight did not finish in time; its lease will expire");
            self.task.abort();
        }
    }
}

async fn run_loop<H: JobHandler>(store: Store, handler: Arc<H>, options: RunnerOptions, mut stopped: watch::Receiver<bool>) {
    let kinds = handler.kinds();
    tracing::info!(owner = %options.owner, "job runner started");
    loop {
        if *stopped.borrow() {
            break;
        }
        match store.claim_job(&options.owner, &kinds, options.lease_ms).await {
            Ok(Some(job)) => {
                run_one(&store, &handler, &options, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "job runner: cannot look for due jobs"),
        }
        tokio::select! {
            changed = stopped.changed() => {
                if changed.is_err() {
                    break;
                }
            }
            _ = tokio::time::sleep(Duration::from_millis(options.poll_ms)) => {}
        }
    }
    tracing::info!(owner = %options.owner, "job runner stopped");
}

/// Runs one attempt of a taken job and records how it ended.
async fn run_one<H: JobHandler>(store: &Store, handler: &Arc<H>, options: &RunnerOptions, job: ClaimedJob) {
    let owner = options.owner.as_str();
    let now = now_ms();
    let next =
        if job.recurring { job.kind.every_ms().and_then(|every| NewJob::recurring(job.kind, now.saturating_add(every))) } else { None };
    if job.attempts > job.max_attempts {
        // Its runners kept stopping before the end (a crash, a kill): do not try once more.
        let cause = format!("gave up after {} attempts whose runners stopped before finishing", job.attempts - 1);
        record(store.fail_job(job.id, owner, &cause, next.as_ref()).await, &job, "failed");
        return;
    }
    // The handler runs in its own task, so that a panic is a failed attempt, not a dead runner.
    // A runner stopped past its grace abandons the job to its lease: the work stops with it
    // (as when the process ends), so that it never finishes unseen after another runner took it.
    let work = {
        let (handler, store, job) = (handler.clone(), store.clone(), job.clone());
        AbortOnDrop(tokio::spawn(async move { handler.run(&store, &job).await }))
    };
    tokio::pin!(work);
    let renew_every = Duration::from_millis(u64::try_from(options.lease_ms / 3).unwrap_or(1).max(1));
    let outcome = loop {
        tokio::select! {
            joined = &mut work => break joined.unwrap_or_else(|e| Err(format!("the job's handler stopped: {e}"))),
            _ = tokio::time::sleep(renew_every) => {
                match store.renew_job_lease(job.id, owner, options.lease_ms).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(job = %job.id, kind = %job.kind, "job runner: the lease was lost while the job ran"),
                    Err(e) => tracing::warn!(job = %job.id, error = %e, "job runner: cannot renew the lease"),
                }
            }
        }
    };
    let now = now_ms();
    match outcome {
        Ok(result) => record(store.finish_job(job.id, owner, &result, next.as_ref()).await, &job, "done"),
        Err(cause) => match after_failure(options.backoff, job.attempts, job.max_attempts, now) {
            AfterFailure::RetryAt(at) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, retry_in_ms = at - now, cause = %cause, "job failed; retrying later");
                record(store.retry_job(job.id, owner, &cause, at).await, &job, "retry");
            }
            AfterFailure::GiveUp => {
                tracing::error!(job = %job.id, kind = %job.kind, attempts = job.attempts, cause = %cause, "job failed for good");
                record(store.fail_job(job.id, owner, &cause, next.as_ref()).await, &job, "failed");
            }
        },
    }
}

/// A task that is aborted when its handle is dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn record(written: crate::Result<bool>, job: &ClaimedJob, what: &str) {
    match written {
        Ok(true) => tracing::debug!(job = %job.id, kind = %job.kind, outcome = what, "job recorded"),
        Ok(false) => {
            tracing::warn!(job = %job.id, kind = %job.kind, outcome = what, "job runner: the lease was lost; another runner has the job")
        }
        Err(e) => tracing::error!(job = %job.id, kind = %job.kind, outcome = what, error = %e, "job runner: cannot record the outcome"),
    }
}

/// The product's jobs, as every server runs them.
#[derive(Clone, Debug)]
pub struct StandardJobs {
    pub session_limits: SessionLimits,
}

/// Finished jobs are kept a month for the operator's view; failed ones three.
const KEEP_DONE_MS: i64 = 30 * 86_400_000;
const KEEP_FAILED_MS: i64 = 90 * 86_400_000;

impl JobHandler for StandardJobs {
    /// Every kind but the e-mail of notifications, which only a server with SMTP configured
    /// takes (the web crate's mail handler).
    fn kinds(&self) -> Vec<JobKind> {
        JobKind::ALL.into_iter().filter(|k| *k != JobKind::NotificationEmail).collect()
    }

    async fn run(&self, store: &Store, job: &ClaimedJob) -> Result<serde_json::Value, String> {
        match job.kind {
            JobKind::SessionPurge => {
                let purged = store.purge_sessions(self.session_limits).await.map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "sessions_purged": purged }))
            }
            JobKind::JobHistoryPurge => {
                let now = now_ms();
                let removed = store.purge_finished_jobs(now - KEEP_DONE_MS, now - KEEP_FAILED_MS).await.map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "jobs_removed": removed }))
            }
            JobKind::EscalationSweep => {
                let sweep = store.sweep_escalations(now_ms()).await.map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "renotified": sweep.renotified, "notices": sweep.notices }))
            }
            JobKind::NotificationEmail => Err("notification e-mail is sent by the mail handler, which this runner lacks".to_string()),
            JobKind::ReportTerms => {
                let tenant = job.tenant.ok_or_else(|| "a theme extraction job names its tenant".to_string())?;
                let done = store.index_report_terms(tenant).await.map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "reports": done.reports, "terms": done.terms }))
            }
            JobKind::FollowUpReminders => {
                let sent = store.sweep_follow_up_reminders(crate::today_jst()).await.map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "reminders": sent }))
            }
        }
    }
}
