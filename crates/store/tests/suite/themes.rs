//! The term index of the text themes, on SQLite and PostgreSQL: written by the durable job that
//! an approval enqueues (never for a report that is not approved), holding no word and no link
//! from a word to a person in the database file, re-indexed when HR changes the synonyms or
//! stop words, its marks remade by a key rotation, and counted per employee for the overall
//! report with only the shown labels opened.

use super::reports::{env_with, held_interview_ago, Env};
use crate::{contains, pg_dump, raw_pool, sqlite_files};
use anyhow::{ensure, Context, Result};
use careerdock_store::{JobHandler, KeySource, Keyring, OpenOptions, ReviewInput, StandardJobs, Store, StoreError, TermMark};
use domain::ids::{EmployeeId, ReportId};
use domain::job::JobKind;
use domain::report::{ReportFlags, ReportSections};
use domain::session::SessionLimits;
use sqlx::Row;
use std::collections::BTreeSet;
use testkit::{on_both_backends, Backend};

on_both_backends!(
    terms_are_indexed_on_approval_by_the_job_and_the_database_names_no_word,
    approved_reports_of_a_database_from_before_the_index_are_indexed_once,
    the_bulk_reindex_leaves_the_same_index_as_one_report_at_a_time
);

/// Words no dictionary knows and no other text of the test holds.
const PLANTED: &str = "ゾルゲンタール";
const UNAPPROVED: &str = "ベルクマイヤー";

fn text(extra: &str) -> ReportSections {
    ReportSections {
        career_awareness: format!("ワークライフバランスと育児の両立に悩んでいる。{extra}の話が出た。"),
        workplace: "山田さんは職場の人間関係に不安がある。".into(),
        organization: "営業本部の評価制度に課題がある。".into(),
        support_plan: "キャリア形成の方向性を一緒に考える。".into(),
        next_steps: "3か月後に追加面談。".into(),
    }
}

/// A report of `c1` on an interview held `days` ago in the tenant's cycle, taken to `approve`
/// (approved) or left submitted.
async fn report(e: &Env, days: i64, extra: &str, approve: bool) -> Result<ReportId> {
    let me = e.c1.as_consultant()?;
    let interview = held_interview_ago(e, days).await?;
    let raw = raw_pool(&e.db).await?;
    sqlx::query("UPDATE interviews SET cycle_id = (SELECT MIN(id) FROM cycles) WHERE id = $1").bind(interview.get()).execute(&raw).await?;
    raw.close().await;
    let id = e.store.create_report(&me, interview).await?;
    e.store.save_report(&me, id, &text(extra), &[], ReportFlags::default(), 1).await?;
    e.store.submit_report(&me, id, Some(e.sup.user().context("supervisor")?)).await?;
    if approve {
        let review = ReviewInput { approve: true, comments: Vec::new(), scores: Vec::new() };
        e.store.review_report(&e.sup.as_supervisor()?, id, &review).await?;
    }
    Ok(id)
}

/// Runs every due theme job through the standard handler, as a server's runner would.
async fn run_term_jobs(store: &Store) -> Result<usize> {
    let handler = StandardJobs { session_limits: SessionLimits::default() };
    let mut ran = 0;
    while let Some(job) = store.claim_job("test", &[JobKind::ReportTerms], 60_000).await? {
        let result = handler.run(store, &job).await.map_err(|e| anyhow::anyhow!(e))?;
        ensure!(store.finish_job(job.id, "test", &result, None).await?, "the job is recorded");
        ran += 1;
    }
    Ok(ran)
}

async fn cycle(e: &Env) -> Result<i64> {
    let raw = raw_pool(&e.db).await?;
    let id: i64 = sqlx::query("SELECT MIN(id) AS id FROM cycles").fetch_one(&raw).await?.try_get("id")?;
    raw.close().await;
    Ok(id)
}

/// The employees the index gives for a word (under the current key).
async fn who(store: &Store, e: &Env, cycle: i64, word: &str) -> Result<BTreeSet<EmployeeId>> {
    let tenant = e.c1.tenant();
    let marks = store.theme_term_marks(tenant, word)?;
    let index = store.theme_term_employees(tenant, cycle, i64::MAX).await?;
    Ok(marks.iter().filter_map(|m| index.get(m)).flatten().copied().collect())
}

async fn database_holds(e: &Env, backend: Backend, needle: &str) -> Result<bool> {
    Ok(match backend {
        Backend::Sqlite => sqlite_files(&e.db)?.iter().any(|(_, bytes)| contains(bytes, needle.as_bytes())),
        Backend::Postgres => contains(&pg_dump(&e.db)?, needle.as_bytes()),
    })
}

async fn terms_are_indexed_on_approval_by_the_job_and_the_database_names_no_word(backend: Backend) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let key_file = dir.path().join("k.key");
    Keyring::create_file_if_absent(&key_file)?;
    let e = env_with(backend, KeySource::File(key_file.clone())).await?;
    let tenant = e.c1.tenant();
    let cycle = cycle(&e).await?;
    let approved = report(&e, 10, PLANTED, true).await?;
    report(&e, 9, UNAPPROVED, false).await?;

    // The approval enqueued the job; nothing is indexed until it runs.
    let pending: Vec<_> = e.store.recent_jobs(50, false).await?.into_iter().filter(|j| j.kind == "report_terms").collect();
    ensure!(pending.len() == 1 && pending[0].unique_key.as_deref() == Some(&*format!("report_terms:{approved}")), "{pending:?}");
    ensure!(e.store.theme_term_employees(tenant, cycle, i64::MAX).await?.is_empty(), "nothing before the job");
    ensure!(run_term_jobs(&e.store).await? == 1, "one job");

    let subject: BTreeSet<EmployeeId> = who(&e.store, &e, cycle, "育児").await?;
    ensure!(subject.len() == 1, "育児: {subject:?}");
    for word in ["ワークライフバランス", "キャリア形成", "方向性", "評価制度", "人間関係", PLANTED] {
        ensure!(who(&e.store, &e, cycle, word).await? == subject, "{word} is indexed");
    }
    for word in [UNAPPROVED, "山田", "営業本部", "面談", "3", "か月"] {
        ensure!(who(&e.store, &e, cycle, word).await?.is_empty(), "{word} is not a theme");
    }
    ensure!(e.store.theme_term_employees(tenant, cycle, 0).await?.is_empty(), "as_of before the approval");
    ensure!(e.store.theme_term_employees(tenant, cycle + 1000, i64::MAX).await?.is_empty(), "another cycle");
    let job_read = e.store.recent_audit(tenant, 50, None).await?.into_iter().find(|ev| ev.actor_label == "job:report_terms");
    let job_read = job_read.context("the job's read is audited")?;
    ensure!(job_read.action == "report_read" && job_read.detail.contains("count=1"), "{job_read:?}");

    // Only the labels asked for are opened, audited.
    let wanted: Vec<TermMark> = e.store.theme_term_marks(tenant, "育児")?;
    let labels = e.store.open_theme_labels_as_system(tenant, "cli:test", &wanted).await?;
    ensure!(labels.values().cloned().collect::<Vec<_>>() == vec!["育児".to_string()], "{labels:?}");
    let ev = e.store.recent_audit(tenant, 1, None).await?.into_iter().next().context("an event")?;
    ensure!(ev.action == "sealed_text_read" && ev.target_kind == "theme_term" && ev.detail == "count=1", "{ev:?}");

    // The database file names no word: neither the planted one nor an everyday one.
    if backend == Backend::Sqlite {
        let raw = raw_pool(&e.db).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&raw).await?;
        raw.close().await;
    }
    for word in [PLANTED, UNAPPROVED, "育児", "ワークライフバランス"] {
        ensure!(!database_holds(&e, backend, word).await?, "the database holds {word} in clear");
    }

    // HR's synonyms and stop words: checked line by line, kept, audited, and re-indexing.
    let hr = e.hr.as_hr()?;
    let bad = e.store.save_theme_settings(&hr, "子育て\n", "").await;
    ensure!(matches!(&bad, Err(StoreError::Invalid(i)) if i.field == "synonyms" && i.message.ja.contains("1行目")), "{bad:?}");
    let saved = e.store.save_theme_settings(&hr, "子育て ＝ 育児、育休", "ワークライフバランス").await?;
    ensure!(saved.version == 1 && saved.synonyms == "子育て = 育休, 育児", "{saved:?}");
    let read = e.store.theme_settings(&hr).await?;
    ensure!(read.synonyms == saved.synonyms && read.stop_words == "ワークライフバランス", "{read:?}");
    ensure!(run_term_jobs(&e.store).await? == 1, "the change re-indexes");
    ensure!(who(&e.store, &e, cycle, "子育て").await? == subject, "the synonym's canonical term");
    ensure!(who(&e.store, &e, cycle, "育児").await?.is_empty(), "the variant is gone");
    ensure!(who(&e.store, &e, cycle, "ワークライフバランス").await?.is_empty(), "the stop word is gone");
    ensure!(who(&e.store, &e, cycle, PLANTED).await? == subject, "the rest stays");

    // A key rotation remakes every mark; the index answers the same under the new key.
    let before = e.store.theme_term_marks(tenant, "子育て")?;
    let mut ring = Keyring::read_file(&key_file)?;
    ring.add_key_to_file()?;
    e.store.close().await;
    let store = Store::open(&e.db.url, OpenOptions { create: false, migrate: true, keys: KeySource::File(key_file.clone()) }).await?;
    while store.rotate_batch(50).await?.remaining > 0 {}
    let after = store.theme_term_marks(tenant, "子育て")?;
    ensure!(after[0] != before[0], "a new mark under the new key");
    let index = store.theme_term_employees(tenant, cycle, i64::MAX).await?;
    ensure!(index.get(&after[0]) == Some(&subject), "the index follows the rotation");
    ensure!(!index.contains_key(&before[0]), "no row keeps the old mark");
    ensure!(run_term_jobs(&store).await? == 0, "nothing left to index");
    store.close().await;
    Ok(())
}

async fn approved_reports_of_a_database_from_before_the_index_are_indexed_once(backend: Backend) -> Result<()> {
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode([9u8; 32])
    };
    let e = env_with(backend, KeySource::Inline(key.clone())).await?;
    let tenant = e.c1.tenant();
    let cycle = cycle(&e).await?;
    report(&e, 10, PLANTED, true).await?;
    run_term_jobs(&e.store).await?;
    // As a database from before the index: no rows, no report indexed, no job.
    let raw = raw_pool(&e.db).await?;
    sqlx::query("DELETE FROM report_terms").execute(&raw).await?;
    sqlx::query("UPDATE reports SET terms_version = NULL").execute(&raw).await?;
    sqlx::query("DELETE FROM jobs").execute(&raw).await?;
    raw.close().await;
    e.store.close().await;
    let store = Store::open(&e.db.url, OpenOptions { create: false, migrate: true, keys: KeySource::Inline(key.clone()) }).await?;
    let jobs = store.recent_jobs(50, false).await?;
    ensure!(jobs.iter().filter(|j| j.kind == "report_terms").count() == 1, "one backfill job: {jobs:?}");
    ensure!(store.enqueue_unindexed_report_terms().await? == 0, "not twice while it is pending");
    ensure!(run_term_jobs(&store).await? == 1);
    ensure!(who(&store, &e, cycle, PLANTED).await?.len() == 1, "indexed once opened");
    ensure!(store.theme_term_employees(tenant, cycle, i64::MAX).await?.len() > 3, "every term");
    store.close().await;
    let store = Store::open(&e.db.url, OpenOptions { create: false, migrate: true, keys: KeySource::Inline(key) }).await?;
    ensure!(run_term_jobs(&store).await? == 0, "nothing to do the next time");
    store.close().await;
    Ok(())
}

/// Every row of the index and every mark of the vocabulary, in order.
async fn index_rows(e: &Env) -> Result<(Vec<(i64, i64, Option<i64>, Vec<u8>)>, Vec<Vec<u8>>)> {
    let raw = raw_pool(&e.db).await?;
    let rows = sqlx::query("SELECT report_id, employee_id, cycle_id, mark FROM report_terms ORDER BY report_id, mark")
        .fetch_all(&raw)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("report_id")?, r.try_get("employee_id")?, r.try_get("cycle_id")?, r.try_get("mark")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let vocabulary = sqlx::query("SELECT mark FROM theme_vocabulary ORDER BY mark")
        .fetch_all(&raw)
        .await?
        .iter()
        .map(|r| r.try_get("mark"))
        .collect::<Result<Vec<Vec<u8>>, sqlx::Error>>()?;
    raw.close().await;
    Ok((rows, vocabulary))
}

async fn the_bulk_reindex_leaves_the_same_index_as_one_report_at_a_time(backend: Backend) -> Result<()> {
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode([7u8; 32])
    };
    let e = env_with(backend, KeySource::Inline(key)).await?;
    let tenant = e.c1.tenant();
    // The approval path: each approval's job indexes that one report.
    let extras = ["育児休業", "リスキリング", "ゾルゲンタール", "転勤", "資格取得"];
    for (i, extra) in extras.iter().enumerate() {
        report(&e, 20 - i as i64, extra, true).await?;
        ensure!(run_term_jobs(&e.store).await? == 1, "one job per approval");
    }
    let one_at_a_time = index_rows(&e).await?;
    ensure!(one_at_a_time.0.iter().map(|r| r.0).collect::<BTreeSet<_>>().len() == extras.len(), "every report indexed");
    ensure!(one_at_a_time.0.len() > 5 * extras.len(), "terms per report: {}", one_at_a_time.0.len());

    // The bulk path from nothing: the index and the vocabulary emptied, every report re-indexed
    // two at a time (three batches through the pipeline), then all at once.
    for batch in [2, 500] {
        let raw = raw_pool(&e.db).await?;
        sqlx::query("DELETE FROM report_terms").execute(&raw).await?;
        sqlx::query("DELETE FROM theme_vocabulary").execute(&raw).await?;
        sqlx::query("UPDATE reports SET terms_version = NULL").execute(&raw).await?;
        raw.close().await;
        let done = e.store.index_report_terms_in_batches_of(tenant, batch).await?;
        ensure!(done.reports == extras.len() && done.terms == one_at_a_time.0.len(), "{done:?}");
        ensure!(index_rows(&e).await? == one_at_a_time, "batches of {batch}: the same rows and vocabulary");
    }
    // Indexed again over a full index (a change of rules with the same lists): still the same.
    let raw = raw_pool(&e.db).await?;
    sqlx::query("UPDATE reports SET terms_version = NULL").execute(&raw).await?;
    raw.close().await;
    e.store.index_report_terms_in_batches_of(tenant, 3).await?;
    ensure!(index_rows(&e).await? == one_at_a_time, "re-indexed in place");
    Ok(())
}
