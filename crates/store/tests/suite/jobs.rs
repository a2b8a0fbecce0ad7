//! The durable job runner on a fresh SQLite file and a fresh PostgreSQL database: two runners
//! (two stores, as two server processes) on one database, retries with backoff, a crashed
//! runner's lease, the recurring jobs, and a graceful stop. The handler here counts what it
//! is given to run; the runner, the table and the leases are the product's.

use crate::{inline_key, open};
use anyhow::{ensure, Context, Result};
use careerdock_store::{ClaimedJob, JobHandler, JobRow, JobRunner, JobState, NewJob, NewUser, RunnerOptions, StandardJobs, Store};
use domain::ids::JobId;
use domain::job::{Backoff, JobKind};
use domain::session::SessionLimits;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    two_runners_never_run_one_job_twice,
    a_failing_job_is_retried_with_backoff_then_marked_failed,
    an_expired_lease_is_taken_again,
    recurring_jobs_run_once_per_period_and_reschedule_themselves,
    stopping_a_runner_lets_the_job_in_flight_finish,
);

/// One execution of a job: which runner, when.
#[derive(Clone, Debug)]
struct Run {
    owner: String,
    at: Instant,
}

type Runs = Arc<Mutex<HashMap<JobId, Vec<Run>>>>;

/// Records every execution; the payload says how long to work and how many attempts to fail.
struct Counting {
    owner: String,
    runs: Runs,
}

impl JobHandler for Counting {
    fn kinds(&self) -> Vec<JobKind> {
        vec![JobKind::SessionPurge]
    }

    async fn run(&self, _store: &Store, job: &ClaimedJob) -> Result<serde_json::Value, String> {
        if let Ok(mut runs) = self.runs.lock() {
            runs.entry(job.id).or_default().push(Run { owner: self.owner.clone(), at: Instant::now() });
        }
        let work_ms = job.payload["work_ms"].as_u64().unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(work_ms)).await;
        let fail_times = job.payload["fail_times"].as_u64().unwrap_or(0);
        if u64::from(job.attempts) <= fail_times {
            return Err(format!("refused on attempt {}", job.attempts));
        }
        Ok(json!({ "n": job.payload["n"], "by": self.owner }))
    }
}

fn options(owner: &str, lease_ms: i64, backoff: Backoff) -> RunnerOptions {
    RunnerOptions { owner: owner.to_string(), lease_ms, poll_ms: 10, backoff, stop_grace_ms: 10_000 }
}

fn counting(owner: &str, runs: &Runs) -> Counting {
    Counting { owner: owner.to_string(), runs: runs.clone() }
}

fn runs_of(runs: &Runs, id: JobId) -> Vec<Run> {
    runs.lock().map(|r| r.get(&id).cloned().unwrap_or_default()).unwrap_or_default()
}

struct Env {
    db: TestDb,
    store: Store,
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = open(&db.url, inline_key(), true).await?;
    Ok(Env { db, store })
}

/// A second server process's store on the same database.
async fn second_store(env: &Env) -> Result<Store> {
    // The keys only open sealed text, which jobs do not touch.
    Ok(open(&env.db.url, inline_key(), false).await?)
}

async fn enqueue(store: &Store, n: usize, payload: impl Fn(usize) -> serde_json::Value) -> Result<Vec<JobId>> {
    let mut ids = Vec::new();
    for i in 0..n {
        let job = NewJob::new(JobKind::SessionPurge, payload(i));
        ids.push(store.enqueue_job(&job).await?.context("a job without a unique key is always enqueued")?);
    }
    Ok(ids)
}

/// Waits until `done` holds for the job rows, or fails after `limit`.
async fn wait_for(store: &Store, ids: &[JobId], limit: Duration, done: impl Fn(&JobRow) -> bool) -> Result<Vec<JobRow>> {
    let start = Instant::now();
    loop {
        let mut rows = Vec::new();
        for id in ids {
            rows.push(store.job(*id).await?);
        }
        if rows.iter().all(&done) {
            return Ok(rows);
        }
        ensure!(start.elapsed() < limit, "jobs not finished after {limit:?}: {rows:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn two_runners_never_run_one_job_twice(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let other = second_store(&env).await?;

    // The guarded UPDATE itself: eight takers on two stores race for forty jobs.
    let ids = enqueue(&env.store, 40, |i| json!({ "n": i })).await?;
    let mut takers = Vec::new();
    for t in 0..8 {
        let store = if t % 2 == 0 { env.store.clone() } else { other.clone() };
        takers.push(tokio::spawn(async move {
            let mut taken = Vec::new();
            while let Some(job) = store.claim_job(&format!("taker-{t}"), &[JobKind::SessionPurge], 60_000).await? {
                taken.push(job.id);
            }
            Ok::<_, careerdock_store::StoreError>(taken)
        }));
    }
    let mut taken = Vec::new();
    for t in takers {
        taken.extend(t.await??);
    }
    let distinct: HashSet<JobId> = taken.iter().copied().collect();
    assert_eq!(taken.len(), distinct.len(), "a job was taken twice: {taken:?}");
    assert_eq!(distinct, ids.iter().copied().collect::<HashSet<_>>(), "every due job is taken");

    // Two runners, one per store, working through sixty jobs.
    let ids = enqueue(&env.store, 60, |i| json!({ "n": i, "work_ms": 3 })).await?;
    let runs: Runs = Arc::default();
    let a = JobRunner::start(env.store.clone(), counting("server-a", &runs), options("server-a", 30_000, Backoff::STANDARD));
    let b = JobRunner::start(other.clone(), counting("server-b", &runs), options("server-b", 30_000, Backoff::STANDARD));
    let rows = wait_for(&env.store, &ids, Duration::from_secs(60), |r| r.done_at.is_some()).await?;
    a.stop().await;
    b.stop().await;
    for (id, row) in ids.iter().zip(&rows) {
        let executions = runs_of(&runs, *id);
        assert_eq!(executions.len(), 1, "job {id} ran {} times", executions.len());
        assert_eq!(row.attempts, 1, "{row:?}");
        assert_eq!((row.lease_owner.as_deref(), row.lease_until, row.failed_at), (None, None, None), "{row:?}");
        let result: serde_json::Value = serde_json::from_str(row.result.as_deref().unwrap_or("null"))?;
        assert_eq!(result["by"].as_str(), Some(executions[0].owner.as_str()), "the result is the runner's that ran it");
    }
    let by_a = ids.iter().filter(|id| runs_of(&runs, **id)[0].owner == "server-a").count();
    eprintln!("[jobs] {backend}: server-a ran {by_a} of {}, server-b {}", ids.len(), ids.len() - by_a);
    other.close().await;
    env.store.close().await;
    Ok(())
}

async fn a_failing_job_is_retried_with_backoff_then_marked_failed(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let backoff = Backoff { base_ms: 300, max_ms: 5_000 };
    let always = env.store.enqueue_job(&NewJob::new(JobKind::SessionPurge, json!({ "fail_times": 99 })).max_attempts(3)).await?;
    let once = env.store.enqueue_job(&NewJob::new(JobKind::SessionPurge, json!({ "fail_times": 1 })).max_attempts(3)).await?;
    let (always, once) = (always.context("enqueued")?, once.context("enqueued")?);
    let runs: Runs = Arc::default();
    let runner = JobRunner::start(env.store.clone(), counting("only", &runs), options("only", 30_000, backoff));

    // After the first failure: waiting for its retry, the error kept.
    let row = wait_for(&env.store, &[always], Duration::from_secs(10), |r| r.attempts == 1 && r.lease_owner.is_none()).await?;
    assert_eq!(row[0].last_error.as_deref(), Some("refused on attempt 1"));
    assert_eq!(row[0].state(careerdock_store::now_ms()), JobState::Pending);

    let rows = wait_for(&env.store, &[always, once], Duration::from_secs(20), |r| r.done_at.is_some() || r.failed_at.is_some()).await?;
    runner.stop().await;
    let failed = &rows[0];
    assert_eq!(failed.attempts, 3, "{failed:?}");
    assert!(failed.failed_at.is_some() && failed.done_at.is_none(), "{failed:?}");
    assert_eq!(failed.last_error.as_deref(), Some("refused on attempt 3"));
    assert_eq!(failed.state(careerdock_store::now_ms()), JobState::Failed);
    let times: Vec<Instant> = runs_of(&runs, always).iter().map(|r| r.at).collect();
    assert_eq!(times.len(), 3, "tried exactly max_attempts times");
    // Each wait at least the backoff for that failure (300 ms, then 600 ms).
    for (i, pair) in times.windows(2).enumerate() {
        let gap = pair[1] - pair[0];
        let least = Duration::from_millis(backoff.delay_ms(i as u32 + 1) as u64);
        // Due times are stored in whole milliseconds of the wall clock, the gap is measured on
        // the monotonic clock: the two may differ by the truncation, under 2 ms (seen: 599.95 ms).
        let resolution = Duration::from_millis(2);
        assert!(gap + resolution >= least, "retry {} came after {gap:?}, before its backoff {least:?}", i + 1);
        assert!(gap < least + Duration::from_secs(3), "retry {} came late: {gap:?}", i + 1);
    }
    let recovered = &rows[1];
    assert!(recovered.done_at.is_some() && recovered.failed_at.is_none(), "{recovered:?}");
    assert_eq!((recovered.attempts, recovered.last_error.as_deref()), (2, None), "{recovered:?}");
    assert_eq!(runs_of(&runs, once).len(), 2);

    // The operator's view lists it among the failed.
    let listed = env.store.recent_jobs(10, true).await?;
    assert_eq!(listed.iter().map(|j| j.id).collect::<Vec<_>>(), vec![always]);
    env.store.close().await;
    Ok(())
}

async fn an_expired_lease_is_taken_again(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let id = enqueue(&env.store, 1, |_| json!({ "n": 1 })).await?[0];
    // A runner takes the job and dies: nothing renews or finishes it.
    let crashed = env.store.claim_job("crashed", &[JobKind::SessionPurge], 1_200).await?.context("the due job is taken")?;
    assert_eq!((crashed.id, crashed.attempts), (id, 1));

    let other = second_store(&env).await?;
    let runs: Runs = Arc::default();
    let runner = JobRunner::start(other.clone(), counting("survivor", &runs), options("survivor", 30_000, Backoff::STANDARD));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(runs_of(&runs, id).is_empty(), "the job was taken while its lease was still valid");
    assert_eq!(env.store.job(id).await?.state(careerdock_store::now_ms()), JobState::Running);

    let row = wait_for(&env.store, &[id], Duration::from_secs(10), |r| r.done_at.is_some()).await?.remove(0);
    runner.stop().await;
    assert_eq!(runs_of(&runs, id).len(), 1);
    assert_eq!(row.attempts, 2, "the crashed attempt counts");
    assert!(row.result.as_deref().is_some_and(|r| r.contains("survivor")), "{row:?}");

    // The crashed runner coming back cannot overwrite what the survivor recorded.
    assert!(!env.store.renew_job_lease(id, "crashed", 60_000).await?);
    assert!(!env.store.finish_job(id, "crashed", &json!({ "by": "crashed" }), None).await?);
    assert!(!env.store.retry_job(id, "crashed", "late", careerdock_store::now_ms()).await?);
    assert_eq!(env.store.job(id).await?.result, row.result);
    other.close().await;
    env.store.close().await;
    Ok(())
}

async fn recurring_jobs_run_once_per_period_and_reschedule_themselves(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let other = second_store(&env).await?;
    // Every server schedules them at start; only the first adds anything.
    assert_eq!(env.store.schedule_recurring_jobs().await?, JobKind::recurring().count());
    assert_eq!(other.schedule_recurring_jobs().await?, 0);
    assert_eq!(env.store.schedule_recurring_jobs().await?, 0);

    // One session past its idle time, one alive.
    let tenant = env.store.create_tenant(&TenantSlug::parse("acme")?, "Acme", KThreshold::DEFAULT, "test").await?;
    let op = careerdock_store::Ctx::operator(tenant.id, "test");
    let user = NewUser { login: "hana", display_name: "花", password: "long-enough-password", roles: &[Role::Hr], employee: None };
    let hana = env.store.create_user(&op, &user).await?;
    let limits = SessionLimits { idle_ms: 300, absolute_ms: 60_000 };
    let stale = env.store.create_session(tenant.id, hana, None, None).await?;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let fresh = env.store.create_session(tenant.id, hana, None, None).await?;

    let first: Vec<JobId> = env.store.recent_jobs(10, false).await?.iter().map(|j| j.id).collect();
    assert_eq!(first.len(), JobKind::recurring().count());
    let started = careerdock_store::now_ms();
    let a = JobRunner::start(env.store.clone(), StandardJobs { session_limits: limits }, options("a", 30_000, Backoff::STANDARD));
    let b = JobRunner::start(other.clone(), StandardJobs { session_limits: limits }, options("b", 30_000, Backoff::STANDARD));
    let done = wait_for(&env.store, &first, Duration::from_secs(10), |r| r.done_at.is_some()).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.stop().await;
    b.stop().await;

    let purge = done.iter().find(|j| j.kind == JobKind::SessionPurge.as_str()).context("the session purge ran")?;
    assert_eq!(purge.result.as_deref(), Some(r#"{"sessions_purged":1}"#));
    let history = done.iter().find(|j| j.kind == JobKind::JobHistoryPurge.as_str()).context("the history purge ran")?;
    assert_eq!(history.result.as_deref(), Some(r#"{"jobs_removed":0}"#));
    assert!(env.store.session(&stale.secret, SessionLimits::default()).await?.is_none(), "the stale session is gone");
    assert!(env.store.session(&fresh.secret, SessionLimits::default()).await?.is_some(), "the live session is kept");

    // Each kind ran once, and its next run waits one period.
    let all = env.store.recent_jobs(100, false).await?;
    assert_eq!(all.len(), 2 * JobKind::recurring().count(), "{all:#?}");
    for kind in JobKind::recurring() {
        let of_kind: Vec<&JobRow> = all.iter().filter(|j| j.kind == kind.as_str()).collect();
        let pending: Vec<&&JobRow> = of_kind.iter().filter(|j| j.state(careerdock_store::now_ms()) == JobState::Pending).collect();
        assert_eq!((of_kind.len(), pending.len()), (2, 1), "{kind}: {of_kind:#?}");
        let every = kind.every_ms().context("recurring")?;
        assert!(pending[0].due_at >= started + every && pending[0].due_at <= careerdock_store::now_ms() + every, "{kind}: {pending:?}");
        assert_eq!(pending[0].unique_key.as_deref(), Some(kind.as_str()));
    }
    other.close().await;
    env.store.close().await;
    Ok(())
}

async fn stopping_a_runner_lets_the_job_in_flight_finish(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let id = enqueue(&env.store, 1, |_| json!({ "work_ms": 700 })).await?[0];
    let runs: Runs = Arc::default();
    let runner = JobRunner::start(env.store.clone(), counting("stopping", &runs), options("stopping", 30_000, Backoff::STANDARD));
    let start = Instant::now();
    while runs_of(&runs, id).is_empty() {
        ensure!(start.elapsed() < Duration::from_secs(10), "the job never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    runner.stop().await;
    let row = env.store.job(id).await?;
    assert!(row.done_at.is_some(), "stop returned before the job in flight was recorded: {row:?}");
    assert!(start.elapsed() >= Duration::from_millis(600));
    // A job enqueued after the stop stays pending.
    let later = enqueue(&env.store, 1, |_| json!({})).await?[0];
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(env.store.job(later).await?.attempts, 0);
    env.store.close().await;
    Ok(())
}
