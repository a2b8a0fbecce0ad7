//! The overall report's department drill-down in the browser (issue 9): HR opens the released
//! report at the top level of the department tree, follows 営業本部 down to its sub-departments,
//! comes back up by the breadcrumb, and reads the same in English.

use super::{Timer, Ui};
use crate::records::world::{role_login, World};
use anyhow::{bail, Result};
use domain::overall_narrative::Narrative;
use domain::report::ReportStatus;
use domain::Role;
use testkit::Backend;

testkit::on_both_backends!(hr_drills_down_the_departments_of_a_released_overall_report; known_bugs:);

async fn hr_drills_down_the_departments_of_a_released_overall_report(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "overall drill-down (sqlite)",
        Backend::Postgres => "overall drill-down (postgres)",
    });
    let w = World::new(backend).await?;
    let home = &w.home;
    let store = w.store();
    // Five of 営業本部 (k = 5): 営業本部 is shown, its two sub-departments hidden.
    store.set_report_settings(&home.hr.ctx.as_hr()?, "5", &[]).await?;
    for n in ["E001", "E004", "E005"] {
        store.assign_cycle_target(&home.op, home.cycle, home.employee(n)?, Some(home.consultant.id)).await?;
    }
    for n in ["E001", "E002", "E004", "E005"] {
        w.tagged_report(home, &home.consultant, n, &home.supervisor, ReportStatus::Approved, &[]).await?;
    }
    w.report(home, home.consultant2()?, "E003", home.supervisor2()?, ReportStatus::Approved).await?;
    let narrative =
        Narrative { trends: "傾向".into(), issues: "課題".into(), solutions: "解決策".into(), development: "育成策".into() };
    let id = store.draft_and_release_overall(&home.consultant.ctx, &home.supervisor.ctx, home.cycle.get(), &narrative, true).await?;
    let ui = Ui::open(&w.app).await?;
    let outcome = flow(&ui, id.get()).await;
    ui.finish(outcome).await
}

async fn flow(ui: &Ui, id: i64) -> Result<()> {
    ui.sign_in(role_login(Role::Hr)).await?;
    ui.goto(&format!("/overall-reports/{id}")).await?;
    ui.wait_text("nav.breadcrumb", "すべての部署").await?;
    let table = ui.wait_text("#table-department-caption + .table-wrap", "営業本部").await?;
    if table.contains("第一営業部") {
        bail!("the top level shows a sub-department: {table}");
    }
    // One level down: 営業本部's own row and its sub-departments, the breadcrumb says where.
    ui.click_and_wait("#table-department-caption + .table-wrap th a").await?;
    let down = ui.path().await?;
    if !down.contains("dept=") {
        bail!("the drill-down link went to {down}");
    }
    ui.wait_text("#table-department-caption + .table-wrap", "営業本部/第一営業部").await?;
    ui.wait_text("#table-department-caption + .table-wrap", "営業本部/第二営業部").await?;
    ui.wait_text("nav.breadcrumb [aria-current]", "営業本部").await?;
    // In English (the switch returns to the list): the same level, the breadcrumb in English.
    ui.click_and_wait("form[action='/locale'] button[type=submit]").await?;
    ui.goto(&down).await?;
    ui.wait_text("nav.breadcrumb", "All departments").await?;
    ui.wait_text("#table-department-caption + .table-wrap", "営業本部/第一営業部").await?;
    // Back up by the breadcrumb's first step.
    ui.click_and_wait("nav.breadcrumb li:first-child a").await?;
    let top = ui.wait_text("#table-department-caption + .table-wrap", "営業本部").await?;
    if top.contains("第一営業部") {
        bail!("back at the top, a sub-department is shown: {top}");
    }
    ui.click_and_wait("form[action='/locale'] button[type=submit]").await?;
    ui.sign_out().await
}
