//! Shared cases narrowed, searched and ordered by tag in SQL through the tags' keyed marks, on
//! SQLite and PostgreSQL: the same answers as opening every case's sealed tags, marks that hold
//! no tag's code, marks that follow a key rotation (the old key can then be dropped), and a
//! database whose reports were sealed before the marks existed marked when it is opened.

use super::reports::{env_with, held_interview_ago, sections, Env};
use crate::raw_pool;
use anyhow::{ensure, Context, Result};
use careerdock_store::{
    Direction, KeySource, Keyring, OpenOptions, PageRequest, ReportFilter, ReportQuery, ReportSort, ReviewInput, Store,
};
use domain::ids::ReportId;
use domain::report::{ReportFlags, ReportStatus};
use domain::Locale;
use sqlx::Row;
use std::collections::BTreeSet;
use testkit::{on_both_backends, Backend};

on_both_backends!(cases_are_narrowed_by_tag_marks_across_a_key_rotation, reports_sealed_before_the_marks_are_marked_when_opened);

/// An approved report of `c1` on an interview held `days` ago, with these tags, the supervisor
/// assigned (so the case is identified to them).
async fn approved(e: &Env, days: i64, tags: &[&str]) -> Result<ReportId> {
    let me = e.c1.as_consultant()?;
    let id = e.store.create_report(&me, held_interview_ago(e, days).await?).await?;
    let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
    e.store.save_report(&me, id, &sections("タグ"), &tags, ReportFlags::default(), 1).await?;
    e.store.submit_report(&me, id, Some(e.sup.user().context("supervisor")?)).await?;
    let review = ReviewInput { approve: true, comments: Vec::new(), scores: Vec::new() };
    e.store.review_report(&e.sup.as_supervisor()?, id, &review).await?;
    Ok(id)
}

/// The shared cases `who` finds: the total and the page's ids in order.
async fn cases(
    store: &Store,
    who: &careerdock_store::Ctx,
    tag: Option<&str>,
    search: Option<&str>,
    sort: ReportSort,
    dir: Direction,
) -> Result<(i64, Vec<ReportId>)> {
    let q = ReportQuery {
        filter: ReportFilter { status: Some(ReportStatus::Approved), shared_only: true, ..Default::default() },
        search: search.map(str::to_string),
        tag: tag.map(str::to_string),
        sort,
        dir,
    };
    let page = store.report_page(who, &q, PageRequest::first(50), Locale::Ja).await?;
    Ok((page.total, page.items.iter().map(|s| s.id).collect()))
}

struct Four {
    health: ReportId,
    career: ReportId,
    both: ReportId,
    none: ReportId,
}

/// What every view of the four cases must answer, whichever way it is computed; `opened` is
/// how many cases' sealed tags the tag filter opens (the page's through the marks, every
/// candidate's without them), as its audit event says.
async fn answers_hold(store: &Store, e: &Env, f: &Four, when: &str, opened: usize) -> Result<()> {
    let c2 = &e.c2;
    let (n, ids) = cases(store, c2, Some("health"), None, ReportSort::Held, Direction::Desc).await?;
    ensure!(n == 2 && ids.iter().copied().collect::<BTreeSet<_>>() == [f.health, f.both].into(), "{when}: tag filter: {n} {ids:?}");
    let event = store.recent_audit(c2.tenant(), 1, None).await?.into_iter().next().context("no event")?;
    ensure!(event.action == "report_list_read" && event.detail == format!("count={opened}"), "{when}: {} {}", event.action, event.detail);
    let (n, ids) = cases(store, c2, None, Some("健康"), ReportSort::Held, Direction::Desc).await?;
    ensure!(n == 2 && ids == vec![f.health, f.both], "{when}: search by a tag's label: {n} {ids:?}");
    let (n, ids) = cases(store, c2, Some("career_direction"), Some("健康"), ReportSort::Held, Direction::Desc).await?;
    ensure!(n == 1 && ids == vec![f.both], "{when}: filter and search: {n} {ids:?}");
    // By the first tag's label (キ before 健), equal labels by when held, untagged last.
    let (n, ids) = cases(store, c2, None, None, ReportSort::Tag, Direction::Asc).await?;
    ensure!(n == 4 && ids == vec![f.both, f.career, f.health, f.none], "{when}: tag order: {ids:?}");
    let (_, ids) = cases(store, c2, None, None, ReportSort::Tag, Direction::Desc).await?;
    ensure!(ids == vec![f.health, f.career, f.both, f.none], "{when}: tag order, descending: {ids:?}");
    // A colleague never finds a case by the person's name; the assigned supervisor, who sees
    // the cases identified, does.
    let (n, _) = cases(store, c2, None, Some("山田"), ReportSort::Held, Direction::Desc).await?;
    ensure!(n == 0, "{when}: no real-name search for a colleague: {n}");
    let (n, _) = cases(store, &e.sup, None, Some("山田"), ReportSort::Held, Direction::Desc).await?;
    ensure!(n == 4, "{when}: the assigned supervisor finds the cases by name: {n}");
    let (n, ids) = cases(store, &e.sup, Some("health"), Some("山田"), ReportSort::Tag, Direction::Asc).await?;
    ensure!(n == 2 && ids == vec![f.both, f.health], "{when}: the supervisor's filter, search and order: {ids:?}");
    Ok(())
}

async fn marks(e: &Env) -> Result<(Vec<Vec<u8>>, BTreeSet<Option<String>>)> {
    let raw = raw_pool(&e.db).await?;
    let marks = sqlx::query("SELECT mark FROM report_tag_marks ORDER BY report_id, mark")
        .fetch_all(&raw)
        .await?
        .iter()
        .map(|r| r.try_get::<Vec<u8>, _>("mark"))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = sqlx::query("SELECT tag_marks_key FROM reports")
        .fetch_all(&raw)
        .await?
        .iter()
        .map(|r| r.try_get::<Option<String>, _>("tag_marks_key"))
        .collect::<Result<BTreeSet<_>, _>>()?;
    raw.close().await;
    Ok((marks, keys))
}

async fn four(e: &Env) -> Result<Four> {
    Ok(Four {
        both: approved(e, 10, &["health", "career_direction"]).await?,
        none: approved(e, 9, &[]).await?,
        career: approved(e, 8, &["career_direction"]).await?,
        health: approved(e, 7, &["health"]).await?,
    })
}

async fn open(e: &Env, keys: KeySource) -> Result<Store> {
    Ok(Store::open(&e.db.url, OpenOptions { create: false, migrate: true, keys }).await?)
}

async fn cases_are_narrowed_by_tag_marks_across_a_key_rotation(backend: Backend) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let key_file = dir.path().join("k.key");
    Keyring::create_file_if_absent(&key_file)?;
    let e = env_with(backend, KeySource::File(key_file.clone())).await?;
    let old_id = e.store.keyring().current_id().to_string();
    let f = four(&e).await?;
    answers_hold(&e.store, &e, &f, "first key", 2).await?;

    // One mark a tag a report, none holding the tag's code, all under the current key.
    let (before, keys) = marks(&e).await?;
    ensure!(before.len() == 4, "marks: {}", before.len());
    ensure!(!before.iter().any(|m| m.windows(6).any(|w| w == b"health")), "no code in a mark");
    ensure!(keys == [Some(old_id.clone())].into(), "{keys:?}");

    // A new key: half-way through the rotation the answers are the same, and after it every mark
    // is made anew under the new key.
    let mut ring = Keyring::read_file(&key_file)?;
    let new_id = ring.add_key_to_file()?;
    e.store.close().await;
    let store = open(&e, KeySource::File(key_file.clone())).await?;
    store.rotate_batch(2).await?;
    answers_hold(&store, &e, &f, "during the rotation", 2).await?;
    while store.rotate_batch(50).await?.remaining > 0 {}
    let (after, keys) = marks(&e).await?;
    ensure!(keys == [Some(new_id.clone())].into(), "{keys:?}");
    ensure!(after.len() == 4 && after.iter().all(|m| !before.contains(m)), "marks made anew");
    store.close().await;

    // The old key can go: the marks need only the new one.
    let text = std::fs::read_to_string(&key_file)?;
    let new_only = dir.path().join("new-only.key");
    let line = text.lines().find(|l| l.starts_with(&new_id)).context("the new key's line")?;
    std::fs::write(&new_only, format!("{line}\n"))?;
    let store = open(&e, KeySource::File(new_only)).await?;
    answers_hold(&store, &e, &f, "with the new key only", 2).await?;
    store.close().await;
    Ok(())
}

async fn reports_sealed_before_the_marks_are_marked_when_opened(backend: Backend) -> Result<()> {
    let e = env_with(backend, KeySource::Inline(test_key())).await?;
    let f = four(&e).await?;
    // As a database from before the marks: none, and no report says under which key.
    let raw = raw_pool(&e.db).await?;
    sqlx::query("DELETE FROM report_tag_marks").execute(&raw).await?;
    sqlx::query("UPDATE reports SET tag_marks_key = NULL").execute(&raw).await?;
    raw.close().await;
    // Until they are made, the list opens the candidates' tags: the same answers.
    answers_hold(&e.store, &e, &f, "unmarked", 4).await?;
    e.store.close().await;
    let store = open(&e, KeySource::Inline(test_key())).await?;
    let (marks, keys) = marks(&e).await?;
    ensure!(marks.len() == 4 && keys == [Some(store.keyring().current_id().to_string())].into(), "{} {keys:?}", marks.len());
    answers_hold(&store, &e, &f, "marked when opened", 2).await?;
    store.close().await;
    Ok(())
}

/// One fixed key for a test that opens the database twice.
fn test_key() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([7u8; 32])
}
