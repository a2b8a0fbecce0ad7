//! Pages that answer a POST, which the walker (GET only) never reaches: forms sent back with
//! their problems (422) and an upload's problem list. Each is produced in the browser as a user
//! would (fields emptied, a broken CSV chosen), then checked like every walked page, in Japanese
//! and English, at both widths: axe-core, no overflow at 390 px, no Japanese outside user data.

use super::{axe_source, check_here, set_language, Finding, Lang, RoleWalk, WIDE};
use crate::e2e::Ui;
use crate::support::spawn_app;
use anyhow::{bail, Context, Result};
use fantoccini::Locator;
use std::fmt::Write as _;
use testkit::Backend;

/// (page, the form sent back, its button that saves): HR's forms of issue 10 and before.
const FORMS: &[(&str, &str, &str)] = &[
    ("/cycles/new", "form[action='/cycles']", "button[type=submit]"),
    ("/policies/new", "form[action='/policies']", "button[type=submit]"),
    ("/questionnaires/new", "form[action='/questionnaires/new']", "button[value='save']"),
    ("/settings/referral-contacts", "form[action='/settings/referral-contacts']", "button[type=submit]"),
];

/// Empties the form's typed fields and lets the server judge them.
const EMPTY_FORM: &str = "const f = document.querySelector(arguments[0]);
  if (!f) { return [...document.querySelectorAll('form')].map((x) => x.getAttribute('action')).join(', ') || 'no form'; }
  f.noValidate = true;
  for (const e of f.querySelectorAll('input, textarea')) {
    if (!['hidden', 'checkbox', 'radio', 'file', 'submit', 'button'].includes(e.type)) { e.value = ''; }
  }
  return true;";

const BROKEN_CSV: &str = "社員番号,氏名,所属\n,名前のない行,営業部\nE002,,\nE003,佐藤 花子,営業部,余分な列\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_sent_back_and_upload_problems_pass_the_page_checks() -> Result<()> {
    let _t = crate::e2e::Timer::start("forms sent back (sqlite)");
    let app = spawn_app(Backend::Sqlite).await?;
    let axe = axe_source()?;
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("社員名簿_誤りあり.csv");
    std::fs::write(&csv, BROKEN_CSV)?;
    let ui = Ui::open(&app).await?;
    let mut out = RoleWalk { who: "hr".into(), ..RoleWalk::default() };
    let outcome = sent_back(&ui, &axe, &csv, &mut out).await;
    ui.finish(outcome).await?;
    let findings: Vec<&Finding> = out.overflow.iter().chain(&out.axe).chain(&out.japanese).collect();
    if !findings.is_empty() {
        let mut msg = format!("{} finding(s) on pages answering a POST:\n", findings.len());
        for f in findings {
            let _ = writeln!(msg, "- {f}");
        }
        bail!(msg);
    }
    Ok(())
}

async fn sent_back(ui: &Ui, axe: &str, csv: &std::path::Path, out: &mut RoleWalk) -> Result<()> {
    ui.sign_in("hr").await?;
    let mut width = WIDE;
    ui.client().set_window_size(width.0, width.1).await?;
    for lang in [Lang::Ja, Lang::En] {
        set_language(ui, lang).await?;
        for (page, form, button) in FORMS {
            ui.goto(page).await?;
            let emptied = ui.js(EMPTY_FORM, vec![serde_json::json!(form)]).await?;
            if emptied != serde_json::json!(true) {
                bail!("{page}: no {form} to send (forms on the page: {emptied})");
            }
            ui.click_and_wait(&format!("{form} {button}")).await?;
            if !ui.exists("[aria-invalid='true']").await? {
                bail!("{page}: the emptied form did not come back with a field marked invalid:\n{}", ui.page_text().await?);
            }
            check_here(ui, &format!("{page} (sent back empty)"), lang, &mut width, Some(axe), out).await?;
        }
        // An upload with bad rows: the problem list, each row named.
        ui.goto("/employees/import").await?;
        let input = ui.client().find(Locator::Css("input[type=file]")).await.context("the upload's file input")?;
        input.send_keys(&csv.display().to_string()).await.context("choosing the CSV")?;
        ui.click_and_wait("form[action='/employees/import'] button[type=submit]").await?;
        if !ui.exists("table caption").await? || !ui.exists("tbody tr").await? {
            bail!("the upload's problems are not listed by line:\n{}", ui.page_text().await?);
        }
        check_here(ui, "/employees/import (problems)", lang, &mut width, Some(axe), out).await?;
    }
    Ok(())
}
