//! Two-factor sign-in in a real headless Chromium: a user sets it up from the link in the
//! header (the page draws the QR code itself and shows the key), confirms it with a code
//! computed here as an authenticator app would, is shown the recovery codes once, and signs in
//! again with the password and then a code.

use super::{expect_present, Timer, Ui};
use crate::support::{spawn_app, PASSWORD, TENANT};
use crate::two_factor::code_for;
use anyhow::{bail, Context, Result};
use serde_json::json;
use testkit::Backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_sets_up_two_factor_sign_in_and_signs_in_with_a_code() -> Result<()> {
    let _t = Timer::start("a_user_sets_up_two_factor_sign_in_and_signs_in_with_a_code");
    let app = spawn_app(Backend::Sqlite).await?;
    let ui = Ui::open(&app).await?;
    let outcome = flow(&ui).await;
    ui.finish(outcome).await
}

async fn flow(ui: &Ui) -> Result<()> {
    ui.sign_in("hr").await?;
    // The link is in the header's user menu: opened first, as a user would.
    ui.client().find(fantoccini::Locator::Css("details.user-menu summary")).await?.click().await?;
    ui.click_and_wait("a.two-factor-link").await?;
    if ui.path().await? != "/account/two-factor" {
        bail!("the user menu's link led to {}", ui.path().await?);
    }
    // The QR code is drawn, at a size a phone can read.
    let drawn = ui
        .js(
            "const svg = document.querySelector('#two-factor-qr');
             const path = svg && svg.querySelector('path');
             if (!svg || !path) return null;
             const box = svg.getBoundingClientRect();
             return { width: box.width, path: path.getAttribute('d').length };",
            vec![],
        )
        .await?;
    let width = drawn["width"].as_f64().unwrap_or(0.0);
    if width < 150.0 || drawn["path"].as_u64().unwrap_or(0) < 100 {
        bail!("the QR code is not drawn properly: {drawn}");
    }
    let shown = ui.text_of("#two-factor-secret").await?.context("no key shown beside the QR code")?;
    let text: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    let secret = domain::totp::secret_from_text(&text).with_context(|| format!("the key {shown:?} is not base32"))?;

    ui.fill("#code", &code_for(&secret, 0)).await?;
    ui.click_and_wait("form[action='/account/two-factor'] button[type=submit]").await?;
    let codes = ui.js("return [...document.querySelectorAll('#recovery-codes li')].map((li) => li.innerText.trim());", vec![]).await?;
    let codes: Vec<String> = serde_json::from_value(codes)?;
    if codes.len() != 10 || codes.iter().any(|c| c.len() != 19) {
        bail!("expected ten recovery codes, the page shows {codes:?}");
    }
    ui.click_and_wait("#codes-continue").await?;
    expect_present("the two-factor page", &ui.page_text().await?, &["2段階認証は有効です", "未使用のリカバリーコード: 10個"])?;

    // Signing in again: the password, then the code.
    ui.sign_out().await?;
    ui.goto("/login").await?;
    ui.fill("#tenant", TENANT).await?;
    ui.fill("#login", "hr").await?;
    ui.fill("#password", PASSWORD).await?;
    ui.click_and_wait("form[action='/login'] button[type=submit]").await?;
    if ui.path().await? != "/login/code" {
        bail!("after the password the browser is on {}", ui.path().await?);
    }
    // Half signed in is not signed in: the API does not know who asks.
    let status = ui.status_of("/api/v1/me").await?;
    if status != 401 {
        bail!("before the code, /api/v1/me answers {status}");
    }
    ui.fill("#code", &code_for(&secret, 1)).await?;
    ui.click_and_wait("form[action='/login/code'] button[type=submit]").await?;
    if ui.path().await? != "/" {
        bail!("after the code the browser is on {}: {}", ui.path().await?, ui.page_text().await?);
    }
    let badge = ui.js("const b = document.querySelector('.role-badge'); return b ? b.innerText : null;", vec![]).await?;
    if badge != json!("人事部門として利用中") {
        bail!("signed in with a code, the header shows {badge}");
    }
    Ok(())
}
