//! Consent in the browser (R5, R8): the employee reads on わたしの同意 exactly the text their
//! consultant asks to share with their boss, and agrees; the boss reads it on フィードバック;
//! the employee withdraws; the boss's next request for it gets 404 and their list no longer
//! shows it.

use super::fixture::{self, Fixture};
use super::{expect_absent, expect_present, Timer, Ui};
use crate::support::{spawn_app, App, PASSWORD};
use anyhow::{bail, Context, Result};
use domain::consent::Purpose;
use domain::ids::DisclosureId;
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::Role;
use store::{Ctx, NewDisclosure, NewUser, ReviewInput};
use testkit::Backend;

testkit::on_both_backends!(an_employee_agrees_the_boss_reads_and_a_withdrawal_ends_it_at_once; known_bugs:);

/// What the consultant asks to share: the boss must read exactly this, and nothing else of the report.
const FEEDBACK: &str = "山田さんは、企画の仕事に関心があります。\n月1回の1on1で、本人の希望を聞く時間をとってください。";
/// A phrase of the report that is not in the disclosure.
const REPORT_ONLY: &str = "家族の介護で残業が難しい時期がある";

const EMPLOYEE: &str = "yamada";
const BOSS: &str = "sato";

async fn an_employee_agrees_the_boss_reads_and_a_withdrawal_ends_it_at_once(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "consent flow (sqlite)",
        Backend::Postgres => "consent flow (postgres)",
    });
    let app = spawn_app(backend).await?;
    let fx = fixture::held_interview(&app).await?;
    let id = asked_disclosure(&app, &fx).await?;
    let ui = Ui::open(&app).await?;
    let outcome = consent_flow(&ui, id).await;
    ui.finish(outcome).await
}

/// 山田 (E002) and their boss 佐藤 (E001) get accounts; consultant1's report about 山田 is
/// approved, and consultant1 asks 山田 to share `FEEDBACK` with 佐藤.
async fn asked_disclosure(app: &App, fx: &Fixture) -> Result<DisclosureId> {
    let op = Ctx::operator(app.tenant.id, "e2e");
    for (login, name, role, number) in [(EMPLOYEE, "山田 太郎", Role::Employee, "E002"), (BOSS, "佐藤 健", Role::Boss, "E001")] {
        let employee = Some(app.store.employee_by_number(app.tenant.id, number).await?.id);
        let id = app.store.create_user(&op, &NewUser { login, display_name: name, password: PASSWORD, roles: &[role], employee }).await?;
        if role == Role::Boss {
            // The boss has read and acknowledged the guide for bosses, which feedback requires.
            app.store.acknowledge_boss_guide(&Ctx::for_tests(app.tenant.id, id, login, Some(role)).as_boss()?, 1).await?;
        }
    }
    // The boss has read the guide for bosses (its gate is tested with the guide).
    let sato = app.store.user_by_login(app.tenant.id, BOSS).await?;
    app.store.acknowledge_boss_guide(&Ctx::for_tests(app.tenant.id, sato.id, BOSS, Some(Role::Boss)).as_boss()?, 1).await?;
    let me = fx.consultant1.as_consultant()?;
    let report = app.store.create_report(&me, fx.interview).await?;
    let mut sections = ReportSections::default();
    for s in domain::report::SECTIONS {
        sections.set(s, format!("山田さんは{REPORT_ONLY}と話した。"));
    }
    app.store.save_report(&me, report, &sections, &[], ReportFlags::default(), 1).await?;
    app.store.submit_report(&me, report, None).await?;
    let sup = app.store.user_by_login(app.tenant.id, "supervisor").await?;
    let sup = Ctx::for_tests(app.tenant.id, sup.id, "supervisor", Some(Role::Supervisor));
    let approve = ReviewInput { approve: true, comments: vec![], scores: vec![] };
    if app.store.review_report(&sup.as_supervisor()?, report, &approve).await? != ReportStatus::Approved {
        bail!("the report was not approved");
    }
    let new = NewDisclosure { report, purpose: Purpose::BossFeedback, recipient_user: None, text: FEEDBACK };
    Ok(app.store.create_disclosure(&me, &new).await?)
}

/// The text shown in `css`, with the line breaks the page keeps.
pub(super) async fn shown_text(ui: &Ui, css: &str) -> Result<String> {
    let v = ui.js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", vec![serde_json::json!(css)]).await?;
    v.as_str().map(|s| s.trim().to_string()).with_context(|| format!("no element {css} on the page"))
}

/// The signed-in boss finds 山田's feedback in their list, opens it (`link`: the list's link to
/// it) and reads exactly `text`, and nothing of `absent`.
pub(super) async fn boss_reads(ui: &Ui, link: &str, text: &str, absent: &[&str]) -> Result<()> {
    ui.goto("/feedback").await?;
    ui.wait_text("#fb-list", "山田 太郎").await?;
    ui.click_and_wait(link).await?;
    let shown = shown_text(ui, "#fb-text").await?;
    if shown != text {
        bail!("the boss reads another text: {shown:?}");
    }
    expect_absent("the boss's page", &ui.page_text().await?, absent)
}

async fn consent_flow(ui: &Ui, id: DisclosureId) -> Result<()> {
    let feedback_path = format!("/feedback/{id}");

    // The employee reads exactly the text, to whom and for what, and agrees.
    ui.sign_in(EMPLOYEE).await?;
    ui.goto("/my/consents").await?;
    let card = format!("#cs-{id}");
    if shown_text(ui, &format!("{card}-text")).await? != FEEDBACK {
        bail!("わたしの同意 does not show the exact text: {:?}", shown_text(ui, &format!("{card}-text")).await?);
    }
    let card_text = shown_text(ui, &card).await?;
    expect_present("the request", &card_text, &["上司へのフィードバック", "佐藤 健", "確認待ち"])?;
    expect_absent("the request", &card_text, &[REPORT_ONLY])?;
    ui.client().find(fantoccini::Locator::Css(&format!("#cs-{id}-grant"))).await?.click().await?;
    ui.click_and_wait(&format!("#cs-{id}-send")).await?;
    if ui.path().await? != "/my/consents?done=grant" {
        bail!("agreeing led to {}", ui.path().await?);
    }
    ui.wait_text("#cs-notice", "同意を記録しました").await?;
    ui.wait_text(&format!("#cs-shared-{id}"), "佐藤 健").await?;
    ui.sign_out().await?;

    // The boss finds it in their list and reads exactly the agreed text.
    ui.sign_in(BOSS).await?;
    boss_reads(ui, &format!("a[href='{feedback_path}']"), FEEDBACK, &[REPORT_ONLY]).await?;
    ui.sign_out().await?;

    // The employee withdraws.
    ui.sign_in(EMPLOYEE).await?;
    ui.goto("/my/consents").await?;
    ui.click_and_wait(&format!("#cs-{id}-withdraw")).await?;
    ui.wait_text("#cs-notice", "同意を取り消しました").await?;
    if ui.exists(&format!("#cs-shared-{id}")).await? {
        bail!("the withdrawn disclosure is still listed as shared");
    }
    ui.sign_out().await?;

    // The boss's next request gets 404, and the list no longer shows it.
    ui.sign_in(BOSS).await?;
    let status = ui.status_of(&feedback_path).await?;
    if status != 404 {
        bail!("after the withdrawal the boss's request for {feedback_path} answered {status}, not 404");
    }
    ui.goto(&feedback_path).await?;
    expect_absent("the page after the withdrawal", &ui.page_text().await?, &["企画の仕事", "山田"])?;
    ui.goto("/feedback").await?;
    if ui.exists(&format!("a[href='{feedback_path}']")).await? || !ui.exists("#fb-empty").await? {
        bail!("the boss's list still shows the withdrawn feedback");
    }
    ui.sign_out().await?;

    // The employee changes their mind: from 共有していない内容 they read the same text again,
    // tick that they agree, and grant it again; the boss reads it again.
    ui.sign_in(EMPLOYEE).await?;
    ui.goto("/my/consents").await?;
    ui.wait_text(&format!("#cs-closed-{id}"), "取り消し").await?;
    ui.client().find(fantoccini::Locator::Css(&format!("#cs-again-{id}-open"))).await?.click().await?;
    if shown_text(ui, &format!("#cs-again-{id}-text")).await? != FEEDBACK {
        bail!("granting again does not show the exact text: {:?}", shown_text(ui, &format!("#cs-again-{id}-text")).await?);
    }
    ui.client().find(fantoccini::Locator::Css(&format!("#cs-again-{id}-grant"))).await?.click().await?;
    ui.click_and_wait(&format!("#cs-again-{id}-send")).await?;
    if ui.path().await? != "/my/consents?done=grant" {
        bail!("agreeing again led to {}", ui.path().await?);
    }
    ui.wait_text(&format!("#cs-shared-{id}"), "佐藤 健").await?;
    ui.sign_out().await?;
    ui.sign_in(BOSS).await?;
    if ui.status_of(&feedback_path).await? != 200 {
        bail!("granted again, the boss still cannot read {feedback_path}");
    }
    ui.goto(&feedback_path).await?;
    if shown_text(ui, "#fb-text").await? != FEEDBACK {
        bail!("the boss reads another text after the new grant: {:?}", shown_text(ui, "#fb-text").await?);
    }
    Ok(())
}
