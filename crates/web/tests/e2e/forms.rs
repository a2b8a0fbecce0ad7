//! A form sent back keeps what was typed (issue 7, item 4): the supervisor returns a report
//! without a comment; the review form comes back on the same page with the rubric scores still
//! chosen and the problem said beside the comment field (not an error page).

use super::fixture;
use super::{Timer, Ui};
use crate::support::{spawn_app, App};
use anyhow::{bail, Context, Result};
use domain::report::{ReportFlags, ReportSections, SECTIONS};
use fantoccini::Locator;
use store::Taxonomy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_without_a_comment_keeps_the_scores_and_says_why_beside_the_comment() -> Result<()> {
    let _t = Timer::start("review form sent back (sqlite)");
    let app = spawn_app(testkit::Backend::Sqlite).await?;
    let fx = fixture::held_interview(&app).await?;
    // The consultant writes and submits the report to the supervisor.
    let me = fx.consultant1.as_consultant()?;
    let id = app.store.create_report(&me, fx.interview).await?;
    let mut sections = ReportSections::default();
    for s in SECTIONS {
        sections.set(s, format!("{s}について話し合った。"));
    }
    app.store.save_report(&me, id, &sections, &[], ReportFlags::default(), 1).await?;
    let supervisor = app.store.user_by_login(app.tenant.id, "supervisor").await?.id;
    app.store.submit_report(&me, id, Some(supervisor)).await?;
    let ui = Ui::open(&app).await?;
    let outcome = sent_back(&app, &ui, id.get()).await;
    ui.finish(outcome).await
}

async fn sent_back(app: &App, ui: &Ui, id: i64) -> Result<()> {
    let rubric = app.store.taxonomy(app.tenant.id, Taxonomy::Rubric, true).await?;
    if rubric.len() < 2 {
        bail!("the rubric has fewer than two items");
    }
    ui.sign_in("supervisor").await?;
    ui.goto(&format!("/reports/{id}")).await?;
    let chosen = [("3", &rubric[0].code), ("1", &rubric[1].code)];
    for (score, code) in chosen {
        let select = ui.client().find(Locator::Css(&format!("#score_{code}"))).await.context("a rubric score")?;
        select.select_by_value(score).await?;
    }
    ui.click_and_wait("#review-return").await?;

    // The same report page with its review form, not the error page.
    let path = ui.path().await?;
    if path != format!("/reports/{id}/review") || !ui.exists("#review-form").await? {
        bail!("returning without a comment led to {path} without the review form");
    }
    let text = ui.page_text().await?;
    if text.contains("ホームへ戻る") || text.contains("ステータス 422") {
        bail!("the error page was shown: {text}");
    }
    for (score, code) in chosen {
        let value = ui.value_of(&format!("#score_{code}")).await?;
        if value != score {
            bail!("the score of {code} is {value:?}, not the {score} chosen");
        }
    }
    // Said beside the comment field, which points at it, and listed in the summary at the top.
    let beside = ui
        .js(
            "const f = document.getElementById('comment_general'); const m = document.getElementById('err-comment_general');
             if (!f || !m) return null;
             return { same_field: f.closest('.field') === m.closest('.field'), described: (f.getAttribute('aria-describedby') || '').split(' ').includes('err-comment_general'),
                      invalid: f.getAttribute('aria-invalid'), text: m.innerText,
                      summary: !!document.querySelector('#form-errors a[href=\"#comment_general\"]') };",
            vec![],
        )
        .await?;
    if beside.is_null() {
        bail!("no message beside the general comment field");
    }
    let ok = beside["same_field"] == true && beside["described"] == true && beside["invalid"] == "true" && beside["summary"] == true;
    let message = beside["text"].as_str().unwrap_or_default();
    if !ok || !message.contains("少なくとも1つのコメント") {
        bail!("the message beside the comment field is not as expected: {beside}");
    }
    Ok(())
}
