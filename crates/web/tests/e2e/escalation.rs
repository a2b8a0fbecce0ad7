//! A life/safety escalation in the browser (R4): HR names two health staff as responders; a
//! consultant raises the flag on a report with a summary for them, which opens the escalation
//! at once; one health-staff member reads the summary (never the report), acknowledges it and
//! asks to disclose more with a reason, and cannot approve their own request; a second one
//! approves, and the report and the employee's name are released to the responders only.

use super::fixture::{self, Fixture, CONSULTANT1};
use super::{expect_absent, expect_present, Timer, Ui};
use crate::support::{spawn_app, App, PASSWORD};
use anyhow::{bail, Context, Result};
use domain::Role;
use store::{Ctx, NewUser};
use testkit::Backend;

testkit::on_both_backends!(an_escalation_is_raised_acknowledged_and_a_disclosure_approved_by_a_second_responder; known_bugs:);

const SUMMARY: &str = "面談中に強い希死念慮の訴えあり。本日中の面談をお願いします。";
const REPORT_TEXT: &str = "山田太郎さんは強い疲労感を訴えている。";
const REASON: &str = "本人と連絡が取れず、危険が切迫しているため。";

async fn an_escalation_is_raised_acknowledged_and_a_disclosure_approved_by_a_second_responder(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "escalation flow (sqlite)",
        Backend::Postgres => "escalation flow (postgres)",
    });
    let app = spawn_app(backend).await?;
    let fx = fixture::held_interview(&app).await?;
    let op = Ctx::operator(app.tenant.id, "e2e");
    let new = NewUser { login: "health2", display_name: "森 雅人", password: PASSWORD, roles: &[Role::Health], employee: None };
    app.store.create_user(&op, &new).await?;
    let ui = Ui::open(&app).await?;
    let outcome = flow(&app, &fx, &ui).await;
    ui.finish(outcome).await
}

async fn flow(app: &App, fx: &Fixture, ui: &Ui) -> Result<()> {
    // HR names the two health-staff accounts as the responders.
    ui.sign_in("hr").await?;
    ui.goto("/settings/escalations").await?;
    for login in ["health", "health2"] {
        let script = format!(
            "const l = [...document.querySelectorAll('#esc-responders label')].find(l => l.textContent.includes('({login},'));
             l.querySelector('input').checked = true;"
        );
        ui.js(&script, vec![]).await.with_context(|| format!("choosing {login}"))?;
    }
    ui.click_and_wait("form[action='/settings/escalations'] button[type=submit]").await?;
    ui.wait_text("[role=status]", "保存しました").await?;
    ui.sign_out().await?;

    // The consultant writes the report, raises the flag with a summary, and saves.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&format!("/reports/new?interview={}", fx.interview)).await?;
    ui.click_and_wait("form[action='/reports'] button[type=submit]").await?;
    let report = fx.report(app).await?;
    ui.type_into("textarea#career_awareness", REPORT_TEXT).await?;
    ui.type_into("textarea#escalation_summary", SUMMARY).await?;
    ui.client().find(fantoccini::Locator::Css("#life_safety")).await?.click().await?;
    ui.click_and_wait("#report-save").await?;
    ui.wait_text("#report-escalation", "対応者へ連絡済み").await.context("the editor says the responders were alerted")?;
    let me = fx.consultant1.as_consultant()?;
    let escalation = app.store.report_escalation(&me, report).await?.context("the save opened the escalation")?.id;
    ui.goto("/escalations").await?;
    ui.wait_text(&format!("tr[data-escalation-id='{escalation}']"), "未確認").await?;
    ui.sign_out().await?;

    // The first responder: the home page lists it; the page shows the summary, not the report.
    ui.sign_in("health").await?;
    ui.goto("/").await?;
    ui.wait_text("[data-card=escalations]", &format!("No. {escalation}")).await?;
    let page = format!("/escalations/{escalation}");
    ui.goto(&page).await?;
    ui.wait_text("#esc-summary-text", SUMMARY).await?;
    expect_absent("the responder's view before approval", &ui.page_text().await?, &["山田", "強い疲労感"])?;
    ui.click_and_wait("#esc-acknowledge-submit").await?;
    ui.wait_text("#esc-state", "対応中").await?;
    ui.type_into("#esc-ask-reason", REASON).await?;
    ui.click_and_wait("#esc-ask-submit").await?;
    ui.wait_text("#disclosure", "承認待ち").await?;
    if ui.exists("[id^='esc-approve-']").await? {
        bail!("the responder who asked is offered to approve their own request");
    }
    expect_absent("the page after asking", &ui.page_text().await?, &["山田", "強い疲労感"])?;
    ui.sign_out().await?;

    // The second responder approves; the report and the employee are released to them.
    ui.sign_in("health2").await?;
    ui.goto(&page).await?;
    ui.click_and_wait("[id^='esc-approve-'][id$='-submit']").await?;
    ui.wait_text("#released", "山田 太郎").await?;
    expect_present("the released report", &ui.page_text().await?, &["強い疲労感", "承認済み", REASON])?;
    ui.sign_out().await?;

    // The consultant's view does not change: the state, never the responders' release.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&page).await?;
    ui.wait_text("#esc-state", "対応中").await?;
    if ui.exists("#released").await? {
        bail!("the consultant's page shows the responders' release");
    }
    Ok(())
}
