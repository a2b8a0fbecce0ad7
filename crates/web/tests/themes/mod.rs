//! HR's settings of the text themes (/settings/themes, R13), over HTTP on SQLite and
//! PostgreSQL: a list with a problem comes back with what was typed and the problem, with its
//! line, beside its field; a good one is saved, shown again as the store keeps it, audited,
//! and re-indexes the approved reports (a pending theme job).

use crate::forms::expect_sent_back;
use crate::records::world::World;
use anyhow::{ensure, Result};
use reqwest::StatusCode;
use testkit::{on_both_backends, Backend};

on_both_backends!(theme_settings_keep_what_was_typed_and_re_index_when_saved; known_bugs:);

async fn theme_settings_keep_what_was_typed_and_re_index_when_saved(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut hr = w.app.signed_in("hr").await?;
    let page = hr.get("/settings/themes").await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("テーマ抽出の設定"), "{}", page.brief());
    ensure!(page.body.contains(r#"href="/settings/themes""#), "HR's navigation leads to the page");

    // A synonym line without its variants, and a stop word that is too long: both said beside
    // their fields with their lines, everything typed kept.
    let long = "長".repeat(domain::themes::MAX_ENTRY_CHARS + 1);
    let typed_synonyms = "育児 = 子育て\n昇進";
    let res = hr.post_form("/settings/themes", &[("synonyms", typed_synonyms), ("stop_words", &format!("残業\n{long}"))]).await?;
    expect_sent_back(&res, "two bad lists", &[("synonyms", "2行目"), ("stop_words", "2行目")])?;
    ensure!(res.body.contains("育児 = 子育て\n昇進") && res.body.contains(&long), "what was typed is lost");

    let res = hr.post_form("/settings/themes", &[("synonyms", "育児＝子育て、育休"), ("stop_words", "残業")]).await?;
    ensure!(res.is_redirect_to("/settings/themes?saved=1"), "{}", res.brief());
    let page = hr.get("/settings/themes?saved=1").await?;
    ensure!(page.body.contains("設定を保存しました") && page.body.contains("育児 = 子育て, 育休"), "{}", page.brief());
    let store = w.store();
    let events = store.recent_audit(w.home.tenant, 20, None).await?;
    ensure!(events.iter().any(|e| e.action == "taxonomy_changed" && e.target_kind == "theme_rules"), "the save is audited");
    ensure!(events.iter().any(|e| e.action == "sealed_text_read" && e.target_kind == "theme_rules"), "the read is audited");
    let jobs = store.recent_jobs(50, false).await?;
    ensure!(
        jobs.iter().any(|j| j.unique_key.as_deref().is_some_and(|k| k.starts_with("report_terms:reindex:"))),
        "the change re-indexes: {jobs:?}"
    );

    // Nobody else reaches it.
    let mut consultant = w.app.signed_in("consultant").await?;
    ensure!(consultant.get("/settings/themes").await?.status == StatusCode::FORBIDDEN);
    Ok(())
}
