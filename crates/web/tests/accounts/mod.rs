//! Accounts over HTTP on both databases: an administrator disables and enables an account in
//! the app (a live session and a live token stop at once, and enabling brings neither back);
//! a one-time password leads to the password change before anything else; every user changes
//! their own password with the current one, throttled like a sign-in.

use crate::support::*;
use anyhow::{Context, Result};
use domain::audit::AuditAction;
use domain::Role;
use reqwest::{Method, StatusCode};
use testkit::{on_both_backends, Backend};

on_both_backends!(
    a_disabled_users_session_and_token_stop_at_once,
    a_one_time_password_is_changed_before_anything_else,
    users_change_their_own_password,
    wrong_current_passwords_are_throttled_like_sign_ins,
);

async fn bearer(a: &mut Agent, path: &str, token: &str) -> Result<Resp> {
    let rb = a.request(Method::GET, path).bearer_auth(token);
    a.send(rb).await
}

async fn audit_actions(app: &App) -> Result<Vec<(String, String, String)>> {
    let events = app.store.recent_audit(app.tenant.id, 200, None).await?;
    Ok(events.into_iter().map(|e| (e.action, e.actor_label, e.detail)).collect())
}

async fn a_disabled_users_session_and_token_stop_at_once(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let hr = app.store.user_by_login(app.tenant.id, "hr").await?;
    let (token, _) =
        app.store.create_token(&store::Ctx::for_tests(app.tenant.id, hr.id, "hr", Some(Role::Hr)), Role::Hr, "連携", None).await?;
    let mut user = app.signed_in("hr").await?;
    let mut api = app.agent();
    assert_eq!(bearer(&mut api, "/api/v1/me", &token).await?.status, StatusCode::OK);
    let mut admin = app.signed_in("admin").await?;

    let page = admin.get("/admin/users").await?;
    let form = format!(r#"action="/admin/users/{}/status""#, hr.id);
    assert!(page.body.contains(&form), "no disable form for hr: {}", page.brief());
    let res = admin.post_form(&format!("/admin/users/{}/status", hr.id), &[("status", "disabled")]).await?;
    assert!(res.is_redirect_to(&format!("/admin/users?disabled={}", hr.id)), "{}", res.brief());
    let shown = admin.get(res.location().unwrap_or("/admin/users")).await?;
    assert!(shown.body.contains("アカウント「hr」を停止しました。"), "{}", shown.brief());
    assert!(shown.body.contains(r#"data-status="disabled""#));

    // At once: the next request of the live session and of the live token.
    let res = user.get("/").await?;
    assert!(res.is_redirect_to("/login"), "a disabled user's session still works: {}", res.brief());
    let res = bearer(&mut api, "/api/v1/me", &token).await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "a disabled user's token still works: {}", res.brief());
    let mut again = app.agent();
    assert_eq!(submit_login(&mut again, "hr", PASSWORD).await?.status, StatusCode::UNAUTHORIZED);

    // Enabling lets the account sign in anew; what was ended stays ended.
    let res = admin.post_form(&format!("/admin/users/{}/status", hr.id), &[("status", "active")]).await?;
    assert!(res.is_redirect_to(&format!("/admin/users?enabled={}", hr.id)), "{}", res.brief());
    assert!(user.get("/").await?.is_redirect_to("/login"), "enabling brought the old session back");
    assert_eq!(bearer(&mut api, "/api/v1/me", &token).await?.status, StatusCode::UNAUTHORIZED, "enabling brought the token back");
    let mut fresh = app.signed_in("hr").await?;
    assert_eq!(fresh.get("/").await?.status, StatusCode::OK);

    // Refusals: oneself (no button is offered either), a bad status, an unknown account.
    let admin_user = app.store.user_by_login(app.tenant.id, "admin").await?;
    assert!(!admin.get("/admin/users").await?.body.contains(&format!(r#"action="/admin/users/{}/status""#, admin_user.id)));
    let own = admin.post_form(&format!("/admin/users/{}/status", admin_user.id), &[("status", "disabled")]).await?;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.brief());
    assert!(own.body.contains("ご自身のアカウントは停止できません"), "{}", own.brief());
    let bad = admin.post_form(&format!("/admin/users/{}/status", hr.id), &[("status", "gone")]).await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.brief());
    let missing = admin.post_form("/admin/users/999999/status", &[("status", "disabled")]).await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.brief());
    assert_eq!(admin.get("/").await?.status, StatusCode::OK, "the administrator is still signed in");

    let actions = audit_actions(&app).await?;
    let disabled = actions.iter().find(|(a, _, _)| a == AuditAction::UserDisabled.as_str()).context("no user_disabled event")?;
    assert_eq!((disabled.1.as_str(), disabled.2.as_str()), ("admin", "sessions_ended=1 tokens_revoked=1 calendar_feeds_deleted=0"));
    assert!(actions.iter().any(|(a, l, _)| a == AuditAction::UserEnabled.as_str() && l == "admin"));
    Ok(())
}

async fn a_one_time_password_is_changed_before_anything_else(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut admin = app.signed_in("admin").await?;
    let initial = "given-by-admin-1";
    let form = [("login", "kenji"), ("display_name", "佐藤 健二"), ("password", initial), ("roles", "consultant"), ("roles", "hr")];
    let res = admin.post_form("/admin/users", &form).await?;
    assert!(res.is_redirect_to("/admin/users?created="), "{}", res.brief());
    let list = admin.get("/admin/users").await?;
    assert!(list.body.contains(r#"data-status="must_change""#), "the list shows the pending change: {}", list.brief());

    let mut k = app.agent();
    let res = submit_login(&mut k, "kenji", initial).await?;
    assert!(res.status.is_redirection(), "{}", res.brief());
    let mut other = app.agent();
    assert!(submit_login(&mut other, "kenji", initial).await?.status.is_redirection());
    // Every page leads to the password change; the API refuses; signing out and the language do not wait.
    for path in ["/", "/role", "/tokens", "/cycles", "/account/password?x=1"] {
        let res = k.get(path).await?;
        if path.starts_with("/account/password") {
            assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.brief());
        } else {
            assert!(res.is_redirect_to("/account/password"), "{path}: {}", res.brief());
        }
    }
    let api = k.get("/api/v1/me").await?;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "{}", api.brief());
    assert_eq!(api.json()?["error"]["code"], "password_change_required");
    let page = k.get("/account/password").await?;
    assert!(
        page.body.contains(r#"data-must-change="true""#) && page.body.contains("仮パスワードでログインしています。"),
        "{}",
        page.brief()
    );
    assert!(!page.body.contains(r#"class="site-nav""#), "no navigation to pages that are not reachable yet");
    k.csrf = hidden_csrf(&page.body).context("csrf")?;

    let wrong = k
        .post_form(
            "/account/password",
            &[("current_password", "nope-nope"), ("new_password", "kenji-own-pw"), ("confirm_password", "kenji-own-pw")],
        )
        .await?;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.brief());
    assert!(wrong.body.contains("現在のパスワードが正しくありません。") && wrong.body.contains(r#"aria-invalid="true""#));
    assert!(!wrong.body.contains("nope-nope") && !wrong.body.contains("kenji-own-pw"), "passwords are never echoed");
    let res = k
        .post_form(
            "/account/password",
            &[("current_password", initial), ("new_password", "kenji-own-pw"), ("confirm_password", "kenji-own-pw")],
        )
        .await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    // Two roles: the role choice comes next, then the product.
    assert!(k.get("/").await?.is_redirect_to("/role"));
    let res = k.post_form("/role", &[("role", "consultant"), ("next", "/")]).await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    assert_eq!(k.get("/").await?.status, StatusCode::OK);
    assert_eq!(k.get("/api/v1/me").await?.status, StatusCode::OK);
    assert!(other.get("/").await?.is_redirect_to("/login"), "the other session outlived the change");

    let mut later = app.agent();
    assert_eq!(submit_login(&mut later, "kenji", initial).await?.status, StatusCode::UNAUTHORIZED, "the one-time password still works");
    assert!(submit_login(&mut later, "kenji", "kenji-own-pw").await?.is_redirect_to("/role"));
    let actions = audit_actions(&app).await?;
    assert!(actions.iter().any(|(a, l, d)| a == AuditAction::PasswordChanged.as_str() && l == "kenji" && d == "other_sessions_ended=1"));
    assert!(actions.iter().any(|(a, _, d)| a == AuditAction::UserCreated.as_str() && d.ends_with("must_change_password")));
    Ok(())
}

async fn users_change_their_own_password(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.signed_in("hr").await?;
    let mut b = app.signed_in("hr").await?;
    let home = a.get("/").await?;
    assert!(home.body.contains(r#"href="/account/password""#), "every page links to the password change");
    let page = a.get("/account/password").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("data-must-change"), "{}", page.brief());
    assert!(page.body.contains(r#"class="site-nav""#));

    let typo = a
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "hr-new-password"), ("confirm_password", "hr-new-passw0rd")],
        )
        .await?;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.body.contains("確認用のパスワードが一致しません。"), "{}", typo.brief());
    let rb = a.request(Method::POST, "/account/password").header("accept-language", "en").form(&[
        ("csrf", a.csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", "short"),
        ("confirm_password", "short"),
    ]);
    let short = a.send(rb).await?;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 8 characters") || short.body.contains("8文字以上"), "{}", short.brief());
    let empty = a.post_form("/account/password", &[]).await?;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.brief());

    let res = a
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "hr-new-password"), ("confirm_password", "hr-new-password")],
        )
        .await?;
    assert!(res.is_redirect_to("/account/password?changed=1"), "{}", res.brief());
    let done = a.get("/account/password?changed=1").await?;
    assert!(done.body.contains("パスワードを変更しました。"), "{}", done.brief());
    assert_eq!(a.get("/").await?.status, StatusCode::OK, "the session that changed it stays");
    assert!(b.get("/").await?.is_redirect_to("/login"), "another session of the user outlived the change");
    let mut c = app.agent();
    assert_eq!(submit_login(&mut c, "hr", PASSWORD).await?.status, StatusCode::UNAUTHORIZED);
    assert!(submit_login(&mut c, "hr", "hr-new-password").await?.status.is_redirection());
    Ok(())
}

async fn wrong_current_passwords_are_throttled_like_sign_ins(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.signed_in("executive").await?;
    for i in 0..5 {
        let res = a
            .post_form(
                "/account/password",
                &[("current_password", "guess-guess"), ("new_password", "new-password-1"), ("confirm_password", "new-password-1")],
            )
            .await?;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "guess {}: {}", i + 1, res.brief());
    }
    let res = a
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "new-password-1"), ("confirm_password", "new-password-1")],
        )
        .await?;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.brief());
    assert!(res.header("retry-after").is_some());
    // The sign-in form counts the same guesses.
    let mut b = app.agent();
    assert_eq!(submit_login(&mut b, "executive", PASSWORD).await?.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(app.store.authenticate(app.tenant.id, "executive", PASSWORD).await?.is_some(), "nothing was changed");
    Ok(())
}
