//! The report editor saves by itself while the consultant types, and when the sign-in has
//! expired it keeps the text in the tab until the consultant signs in again.

use super::fixture::{self, Fixture, CONSULTANT1};
use super::{Timer, Ui};
use crate::support::{spawn_app, App, SESSION_COOKIE};
use anyhow::{bail, Result};
use domain::ids::ReportId;
use domain::Locale;
use testkit::Backend;

const FIRST: &str = "転職も視野に入れつつ、社内での異動を希望している。";
const AFTER_EXPIRY: &str = "期限切れの後に書いた一文。";

const SAVED: &str = "自動保存しました";
const OFFLINE: &str = "保存できませんでした";
const RESTORED: &str = "前回保存できなかった入力内容を復元しました";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autosave_keeps_text_through_an_expired_sign_in() -> Result<()> {
    let _t = Timer::start("autosave_keeps_text_through_an_expired_sign_in");
    let app = spawn_app(Backend::Sqlite).await?;
    let fx = fixture::held_interview(&app).await?;
    let id = app.store.create_report(&fx.consultant1.as_consultant()?, fx.interview).await?;
    let ui = Ui::open(&app).await?;
    let outcome = autosave_flow(&app, &fx, &ui, id).await;
    ui.finish(outcome).await
}

async fn stored_text(app: &App, fx: &Fixture, id: ReportId) -> Result<String> {
    Ok(app.store.read_report(&fx.consultant1, id, Locale::Ja).await?.sections.career_awareness)
}

async fn autosave_flow(app: &App, fx: &Fixture, ui: &Ui, id: ReportId) -> Result<()> {
    let edit = format!("/reports/{id}/edit");
    let field = "textarea#career_awareness";
    ui.sign_in_at(&format!("/login?next={edit}"), CONSULTANT1).await?;
    if ui.path().await? != edit {
        bail!("signing in with next={edit} led to {}", ui.path().await?);
    }

    // Typing is saved without pressing anything.
    ui.type_into(field, FIRST).await?;
    ui.wait_text("#autosave-status", SAVED).await?;
    let stored = stored_text(app, fx, id).await?;
    if stored != FIRST {
        bail!("the autosave notice was shown but the server holds {stored:?}");
    }
    ui.client().refresh().await?;
    ui.wait_loaded().await?;
    let reloaded = ui.value_of(field).await?;
    if reloaded != FIRST {
        bail!("after reloading, the editor shows {reloaded:?}, expected {FIRST:?}");
    }

    // The sign-in expires (the session cookie is gone); what is typed next cannot be saved...
    ui.client().delete_cookie(SESSION_COOKIE).await?;
    ui.type_into(field, AFTER_EXPIRY).await?;
    ui.wait_text("#autosave-status", OFFLINE).await?;
    if stored_text(app, fx, id).await? != FIRST {
        bail!("a save without a session reached the server");
    }

    // ...but after signing in again it is back in the editor, and saving keeps it.
    ui.sign_in_at(&format!("/login?next={edit}"), CONSULTANT1).await?;
    if ui.path().await? != edit {
        bail!("signing in again led to {}, not back to {edit}", ui.path().await?);
    }
    let restored = ui.value_of(field).await?;
    let want = format!("{FIRST}{AFTER_EXPIRY}");
    if restored != want {
        bail!("after signing in again the editor shows {restored:?}, expected {want:?}");
    }
    ui.wait_text("#autosave-status", RESTORED).await?;
    ui.click_and_wait("#report-save").await?;
    let stored = stored_text(app, fx, id).await?;
    if stored != want {
        bail!("saving the restored text stored {stored:?}");
    }
    Ok(())
}
