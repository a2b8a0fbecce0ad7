//! The review flow in the browser (R1, R2): a consultant writes a report that names the
//! employee and the boss and submits it; the supervisor reads it pseudonymized, comments on a
//! section and returns it; the consultant sees the comment beside the section, revises and
//! resubmits; the supervisor approves; another consultant reads the shared case without any
//! name; HR is refused the report.

use super::fixture::{self, Fixture, CONSULTANT1, CONSULTANT2, NAMES};
use super::{expect_absent, expect_present, Timer, Ui};
use crate::support::{spawn_app, App};
use anyhow::{bail, Context, Result};
use fantoccini::Locator;
use testkit::Backend;

testkit::on_both_backends!(a_report_is_reviewed_returned_revised_and_shared; known_bugs:);

/// What the consultant types, section by section: the employee's full name, the family name
/// with an honorific, the given name with one, and the boss by family name and title.
const SECTIONS: &[(&str, &str)] = &[
    ("career_awareness", "山田太郎さんは今後のキャリアの方向性に迷いがあると話した。"),
    ("workplace", "上司の佐藤課長とは月1回の1on1がある。山田さんは調整役を任されることが多い。"),
    ("organization", "部門間の連携に課題があると太郎さんは感じている。"),
    ("support_plan", "山田さんの強みを言語化し、社内公募の情報を提供する。"),
    ("next_steps", "3か月後に追加面談を行い、佐藤課長との対話の結果を確認する。"),
];

/// Phrases of the report that carry no name: they must survive pseudonymization.
const CONTENT: &[&str] = &["キャリアの方向性に迷いがある", "月1回の1on1", "部門間の連携に課題がある", "強みを言語化し", "追加面談を行い"];

const COMMENT: &str = "具体的なエピソードを追記してください。";
const REVISION: &str = "先月の商談では同僚の支援で受注につながった。";

const SUBMITTED: &str = "レビュー待ち";
const RETURNED: &str = "差し戻し";
const APPROVED: &str = "承認済み";

async fn a_report_is_reviewed_returned_revised_and_shared(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "review flow (sqlite)",
        Backend::Postgres => "review flow (postgres)",
    });
    let app = spawn_app(backend).await?;
    let fx = fixture::held_interview(&app).await?;
    let ui = Ui::open(&app).await?;
    let outcome = review_flow(&app, &fx, &ui).await;
    ui.finish(outcome).await
}

async fn review_flow(app: &App, fx: &Fixture, ui: &Ui) -> Result<()> {
    // The consultant starts the report from the held interview and writes all five sections.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&format!("/reports/new?interview={}", fx.interview)).await?;
    ui.click_and_wait("form[action='/reports'] button[type=submit]").await?;
    let id = fx.report(app).await?;
    let edit = format!("/reports/{id}/edit");
    if ui.path().await? != edit {
        bail!("creating the report led to {}, expected {edit}", ui.path().await?);
    }
    for (section, text) in SECTIONS {
        ui.type_into(&format!("textarea#{section}"), text).await?;
    }
    ui.click_and_wait("#report-submit").await?;
    expect_report_page(ui, id.get(), SUBMITTED).await.context("after submitting")?;
    expect_present("the author's own report", &ui.page_text().await?, &["山田", "佐藤課長"])?;
    ui.sign_out().await?;

    // The supervisor finds it in the queue and reads it pseudonymized.
    ui.sign_in("supervisor").await?;
    open_from(ui, "/review", id.get()).await?;
    expect_pseudonymized(ui, "the supervisor's view", SUBMITTED, &[]).await?;
    ui.type_into("#comment_workplace", COMMENT).await?;
    let scores = ui.client().find_all(Locator::Css("#review-form select[id^='score_']")).await?;
    let first = scores.first().context("the review form has no rubric score")?;
    first.select_by_value("2").await?;
    ui.click_and_wait("#review-return").await?;
    expect_report_page(ui, id.get(), RETURNED).await.context("after returning")?;
    ui.sign_out().await?;

    // The consultant sees the comment beside the section, revises it and submits again.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&edit).await?;
    if ui.path().await? != edit {
        bail!("a returned report must be editable, but {edit} led to {}", ui.path().await?);
    }
    let lead = ui.text_of("main p.lead").await?.unwrap_or_default();
    if !lead.contains(RETURNED) {
        bail!("the editor's heading line {lead:?} does not say {RETURNED}");
    }
    let beside = ui.text_of(".report-section:has(#workplace) aside.comments").await?;
    match beside {
        Some(text) if text.contains(COMMENT) => {}
        other => bail!("the comment is not shown beside the workplace section (found {other:?})"),
    }
    let before = ui.value_of("textarea#workplace").await?;
    if !before.contains("佐藤課長") {
        bail!("the author's editor lost the identified text: {before:?}");
    }
    ui.type_into("textarea#workplace", REVISION).await?;
    ui.click_and_wait("#report-submit").await?;
    expect_report_page(ui, id.get(), SUBMITTED).await.context("after resubmitting")?;
    ui.sign_out().await?;

    // The supervisor sees the revision (still without names) and approves.
    ui.sign_in("supervisor").await?;
    open_from(ui, "/review", id.get()).await?;
    expect_pseudonymized(ui, "the supervisor's second view", SUBMITTED, &[REVISION]).await?;
    ui.click_and_wait("#review-approve").await?;
    expect_report_page(ui, id.get(), APPROVED).await.context("after approving")?;
    ui.sign_out().await?;

    // Another consultant learns from the shared case: the content is there, no name is.
    ui.sign_in(CONSULTANT2).await?;
    ui.goto("/cases").await?;
    expect_absent("the shared cases list", &ui.page_text().await?, NAMES)?;
    open_from(ui, "/cases", id.get()).await?;
    expect_pseudonymized(ui, "the shared case", APPROVED, &[REVISION]).await?;
    ui.sign_out().await?;

    // HR never reads an individual report, in either capacity.
    for (login, choose) in [("hr", None), ("hr-consultant", Some("hr"))] {
        ui.sign_in(login).await?;
        if let Some(role) = choose {
            ui.click_and_wait(&format!("button[data-role='{role}']")).await?;
        }
        let path = format!("/reports/{id}");
        let status = ui.status_of(&path).await?;
        if status != 403 {
            bail!("{login} acting as HR got {status} for {path}, expected 403");
        }
        ui.goto(&path).await?;
        let text = ui.page_text().await?;
        expect_present(&format!("{login}'s error page"), &text, &["403"])?;
        expect_absent(&format!("{login}'s error page"), &text, CONTENT)?;
        ui.sign_out().await?;
    }
    Ok(())
}

/// Follows the link to report `id` on the list at `list`.
async fn open_from(ui: &Ui, list: &str, id: i64) -> Result<()> {
    ui.goto(list).await?;
    let link = format!("main a[href='/reports/{id}']");
    if !ui.exists(&link).await? {
        bail!("{list} does not list report {id}");
    }
    ui.click_and_wait(&link).await
}

/// The report page of `id` is shown with `status`.
async fn expect_report_page(ui: &Ui, id: i64, status: &str) -> Result<()> {
    let path = ui.path().await?;
    let at = format!("/reports/{id}");
    if path != at && !path.starts_with(&format!("{at}?")) {
        bail!("expected the report page {at}, got {path}");
    }
    ui.expect_text("#report-status", status).await
}

/// The report page shows the content, `extra` phrases and `status`, says it is pseudonymized,
/// and shows no name.
async fn expect_pseudonymized(ui: &Ui, what: &str, status: &str, extra: &[&str]) -> Result<()> {
    ui.expect_text("#report-status", status).await.with_context(|| what.to_string())?;
    if !ui.exists("#pseudonymized-notice").await? {
        bail!("{what}: no #pseudonymized-notice");
    }
    let text = ui.page_text().await?;
    expect_absent(what, &text, NAMES)?;
    expect_present(what, &text, CONTENT)?;
    expect_present(what, &text, extra)?;
    // The page source too: a name hidden from view (an attribute, a hidden field) still leaks.
    let html = ui.client().source().await?;
    expect_absent(&format!("{what} (HTML source)"), &html, NAMES)
}
