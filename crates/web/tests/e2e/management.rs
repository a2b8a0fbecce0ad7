//! The management report in the browser (issue 9): HR opens the released report from the list
//! and reads the consented case, the issues and the commentary; the executive signs in, lands on
//! the same released report with the trends, and never sees the current draft.

use super::{Timer, Ui};
use crate::records::management::COMMENTARY;
use crate::records::world::{role_login, World};
use anyhow::{bail, Result};
use domain::important_case::check_case_response;
use domain::Role;
use testkit::Backend;

testkit::on_both_backends!(hr_and_an_executive_open_the_released_management_report; known_bugs:);

const SUMMARY: &str = "配置の検討をお願いしたい。";
const SOLUTION: &str = "業務配分を見直し、翌月から残業が減った。";

async fn hr_and_an_executive_open_the_released_management_report(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "management report (sqlite)",
        Backend::Postgres => "management report (postgres)",
    });
    let w = World::new(backend).await?;
    let home = &w.home;
    let case = w.important_case(home, &home.consultant, "E002").await?;
    let response = check_case_response("resolved", "人事部", SOLUTION, true).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    w.store().record_case_response(&home.hr.ctx.as_hr()?, case, &response).await?;
    let released = w.management_report(home, true).await?;
    let draft = w.management_report(home, false).await?;
    let ui = Ui::open(&w.app).await?;
    let outcome = flow(&ui, released.get(), draft.get()).await;
    ui.finish(outcome).await
}

async fn flow(ui: &Ui, released: i64, draft: i64) -> Result<()> {
    // HR: the list shows both versions; the released one opens with its case and commentary.
    ui.sign_in(role_login(Role::Hr)).await?;
    ui.goto("/management-reports").await?;
    ui.wait_text("table.list", "公開済み").await?;
    ui.wait_text("table.list", "下書き").await?;
    ui.click_and_wait(&format!("a[href='/management-reports/{released}']")).await?;
    ui.wait_text("#mr-cases-heading + p + ol", SUMMARY).await?;
    ui.wait_text("main", SOLUTION).await?;
    ui.wait_text("main", COMMENTARY).await?;
    ui.wait_text("main", "年度ごとの推移").await?;
    // The released version's charts (inline SVG with their text) and downloads.
    ui.wait_text(".report-downloads", "PDFをダウンロード").await?;
    ui.wait_text(".report-downloads", "CSV（Excel用・Shift_JIS）").await?;
    if !ui.exists(".report-charts figure.chart svg[role='img']").await? {
        bail!("no chart on the released management report");
    }
    let pdf = format!("/management-reports/{released}/report.pdf");
    let got = ui.download_of(&pdf).await?;
    if got != "200 application/pdf %PDF" {
        bail!("HR's PDF link answers {got}");
    }
    // A draft has no downloads.
    if ui.download_of(&format!("/management-reports/{draft}/report.pdf")).await?.split(' ').next() != Some("404") {
        bail!("the draft's PDF is served");
    }
    ui.sign_out().await?;

    // The executive lands on the released report; the draft is not theirs to read.
    ui.sign_in(role_login(Role::Executive)).await?;
    if ui.path().await? != "/" {
        bail!("the executive did not land on the home page: {}", ui.path().await?);
    }
    ui.wait_text("h1", "最新の経営層への報告").await?;
    ui.wait_text("main", SUMMARY).await?;
    ui.wait_text("main", COMMENTARY).await?;
    ui.wait_text(".report-downloads", "PDFをダウンロード").await?;
    let got = ui.download_of(&format!("/management-reports/{released}/report.pdf")).await?;
    if got != "200 application/pdf %PDF" {
        bail!("the executive's PDF link answers {got}");
    }
    ui.goto("/management-reports").await?;
    ui.wait_text("table.list", "公開済み").await?;
    if ui.exists(&format!("a[href='/management-reports/{draft}']")).await? {
        bail!("the draft is listed to the executive");
    }
    ui.goto(&format!("/management-reports/{draft}")).await?;
    ui.wait_text("main", "見つかりません").await?;
    Ok(())
}
