//! 通知の設定 and the accounts' own addresses over HTTP, on both databases: the page says
//! whether notices are e-mailed and to which address; the owner sets a malformed address (sent
//! back with what was typed and the problem beside the field), a good one, and clears it; the
//! inbox says the same; the administrator sets addresses on the account list and when creating
//! an account; no one else can. Every change is audited, without the address.

use super::{linked_employee, ADDRESS};
use crate::support::*;
use anyhow::{ensure, Context, Result};
use reqwest::StatusCode;
use testkit::{on_both_backends, Backend};

on_both_backends!(an_account_sets_its_own_address_for_notices_and_the_administrator_sets_any);

const PAGE: &str = "/account/notifications";

async fn email_events(app: &App) -> Result<Vec<String>> {
    let events = app.store.recent_audit(app.tenant.id, 500, None).await?;
    Ok(events.into_iter().filter(|e| e.action == "email_changed").map(|e| format!("{} {}", e.target_id, e.detail)).collect())
}

async fn an_account_sets_its_own_address_for_notices_and_the_administrator_sets_any(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let taro = linked_employee(&app).await?;
    let mut a = app.signed_in("taro").await?;

    // No server sends e-mail yet: off, and why; the register's address is named under the field.
    let page = a.get(PAGE).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.brief());
    ensure!(page.body.contains("data-email-notices=\"off\"") && page.body.contains("メール送信が設定されていない"), "{}", page.body);
    ensure!(page.body.contains(&format!("従業員名簿のメールアドレス：{ADDRESS}")), "{}", page.body);
    ensure!(a.get("/").await?.body.contains("href=\"/account/notifications\""), "the user menu links to the settings");
    app.store.set_mail_delivery(true).await?;
    let page = a.get(PAGE).await?;
    ensure!(page.body.contains("data-email-notices=\"on\"") && page.body.contains(&format!("{ADDRESS} 宛てにメールでも")), "{}", page.body);

    // A malformed address: 422, the form keeps it, the problem beside the field; nothing changes.
    let bad = a.post_form(PAGE, &[("email", "taro@example")]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.brief());
    ensure!(bad.body.contains("value=\"taro@example\"") && bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    ensure!(bad.body.contains("id=\"err-email\"") && bad.body.contains("形式が正しくありません"), "{}", bad.body);
    ensure!(email_events(&app).await?.is_empty());

    // A good one (full-width letters folded), then the inbox says where notices go.
    let saved = a.post_form(PAGE, &[("email", " ｔａｒｏ@example.jp ")]).await?;
    assert_eq!((saved.status, saved.location()), (StatusCode::SEE_OTHER, Some("/account/notifications?saved=1")));
    let page = a.get("/account/notifications?saved=1").await?;
    ensure!(page.body.contains("通知用メールアドレスを保存しました。") && page.body.contains("value=\"taro@example.jp\""), "{}", page.body);
    ensure!(page.body.contains("taro@example.jp 宛てにメールでも"), "{}", page.body);
    let inbox = a.get("/notifications").await?;
    ensure!(inbox.body.contains("data-email-notices=\"on\"") && inbox.body.contains("taro@example.jp 宛て"), "{}", inbox.body);
    assert_eq!(email_events(&app).await?, vec![format!("{} added", taro.get())]);

    // Cleared: the register's address counts again.
    let cleared = a.post_form(PAGE, &[("email", "taro@example.jp"), ("clear", "1")]).await?;
    assert_eq!(cleared.location(), Some("/account/notifications?cleared=1"));
    ensure!(a.get(PAGE).await?.body.contains(&format!("{ADDRESS} 宛てに")), "the register's address again");

    // In English.
    a.set_cookie("cd_lang", "en");
    let en = a.get(PAGE).await?;
    ensure!(en.body.contains("Notices by e-mail") && en.body.contains(&format!("also e-mailed to {ADDRESS}")), "{}", en.brief());

    // Only the administrator sets another account's address.
    let refused = a.post_form(&format!("/admin/users/{}/email", taro.get()), &[("email", "x@example.jp")]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut admin = app.signed_in("admin").await?;
    let back = "/admin/users?q=taro";
    let bad = admin.post_form(&format!("/admin/users/{}/email", taro.get()), &[("email", "taro at example.jp"), ("back", back)]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.brief());
    let row = format!("id=\"email-{}\"", taro.get());
    ensure!(bad.body.contains(&row) && bad.body.contains("value=\"taro at example.jp\""), "{}", bad.body);
    ensure!(bad.body.contains(&format!("id=\"err-email-{}\"", taro.get())) && bad.body.contains("<details open>"), "{}", bad.body);
    let ok = admin.post_form(&format!("/admin/users/{}/email", taro.get()), &[("email", "yamada@example.jp"), ("back", back)]).await?;
    assert_eq!(ok.location(), Some(format!("/admin/users?q=taro&email={}", taro.get()).as_str()));
    let list = admin.get(ok.location().context("where")?).await?;
    ensure!(list.body.contains("taro の通知用メールアドレスを保存しました。"), "{}", list.brief());
    ensure!(list.body.contains("data-email=\"yamada@example.jp\""), "{}", list.body);

    // A new account with an address: a bad one keeps every value typed; a good one is set.
    let form = |email: &'static str| {
        [("login", "nurse"), ("display_name", "保健 花子"), ("password", "a-long-enough-password"), ("roles", "health"), ("email", email)]
    };
    let bad = admin.post_form("/admin/users", &form("nurse@")).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.brief());
    ensure!(bad.body.contains("value=\"nurse@\"") && bad.body.contains("value=\"nurse\"") && bad.body.contains("id=\"err-email\""));
    let created = admin.post_form("/admin/users", &form("nurse@example.co.jp")).await?;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.brief());
    let nurse = app.store.user_by_login(app.tenant.id, "nurse").await?.id;
    let listed = app.store.accounts(app.tenant.id).await?;
    let row = listed.iter().find(|r| r.id == nurse).context("the new account")?;
    assert_eq!(row.email.as_deref(), Some("nurse@example.co.jp"));

    let events = email_events(&app).await?;
    assert_eq!(events.len(), 4, "{events:?}");
    ensure!(events.iter().all(|e| !e.contains('@')), "the log holds no address: {events:?}");
    Ok(())
}
