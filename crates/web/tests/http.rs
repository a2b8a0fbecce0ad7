//! The web crate's one integration-test binary: the real application on port 0 over a fresh
//! SQLite file and a fresh PostgreSQL database (`sqlite::name`, `postgres::name`), driven over
//! HTTP like a browser would (cookies, forms, CSRF tokens, no redirect following).

mod accounts;
mod actions;
mod audit_kinds;
mod audit_log;
mod boss;
mod cases;
mod consent_api;
mod dashboard;
mod e2e;
mod effect_report;
mod escalations;
mod follow_ups;
mod forms;
mod hardening;
mod hr_setup;
mod lists;
mod management;
mod notifications;
mod overall_report;
mod planted_word;
mod questionnaire_admin;
mod questionnaire_pages;
mod records;
mod referrals;
mod request_refusals;
mod schemathesis_findings;
mod sign_in_hardening;
mod support;
mod themes;
mod two_factor;
mod words;
mod yearly_reviews;

use anyhow::{bail, ensure, Context, Result};
use domain::audit::AuditAction;
use domain::ids::{TenantId, UserId};
use domain::policy::{decide, Actor, Operation};
use domain::Role;
use reqwest::{Method, StatusCode};
use std::collections::{BTreeMap, BTreeSet};
use support::*;
use testkit::{on_both_backends, Backend};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    sign_in_sets_a_strict_session_cookie_and_renews_its_id,
    wrong_password_answers_401_in_japanese,
    repeated_failures_throttle_the_account,
    posts_without_csrf_or_from_another_origin_are_refused,
    logout_invalidates_the_session,
    a_user_with_two_roles_chooses_one,
    pages_carry_security_headers_and_obey_their_csp,
    oversized_bodies_are_refused_with_413,
    unknown_paths_answer_404_as_page_or_json,
    accept_language_en_gives_english,
    healthz_answers,
    every_route_answers_each_role_as_the_table_says,
    api_tokens_act_in_their_role_until_revoked,
    sign_in_redirects_stay_on_the_site,
    sessions_work_across_two_servers,
    configured_cookie_security_and_idle_expiry_apply,
    language_switch_redirects_stay_on_the_site,
    oversized_body_is_explained_in_the_users_language;
    known_bugs:
);

// ---------------------------------------------------------------------------------------------
// Signing in and out
// ---------------------------------------------------------------------------------------------

async fn sign_in_sets_a_strict_session_cookie_and_renews_its_id(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;

    let mut a = app.agent();
    let res = submit_login(&mut a, "hr", PASSWORD).await?;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.brief());
    assert_eq!(res.location(), Some("/"));
    let line = res.set_cookie(SESSION_COOKIE).context("no session cookie set")?;
    let attrs: Vec<String> = line.split(';').map(|p| p.trim().to_ascii_lowercase()).collect();
    assert!(attrs.contains(&"httponly".into()), "{line}");
    assert!(attrs.contains(&"samesite=strict".into()), "{line}");
    assert!(attrs.contains(&"path=/".into()), "{line}");
    assert!(a.cookie(LOGIN_CSRF_COOKIE).is_none(), "the one-off sign-in token must be cleared");
    let first = a.cookie(SESSION_COOKIE).context("session cookie")?.to_string();
    assert!(first.len() >= 32, "session id too short to be unguessable");
    let home = a.get("/").await?;
    assert_eq!(home.status, StatusCode::OK, "{}", home.brief());
    assert!(home.body.contains("人事部門として利用中"), "the acting role is shown");

    // A cookie planted before sign-in (session fixation) is never adopted.
    let mut b = app.agent();
    b.set_cookie(SESSION_COOKIE, "attacker-chosen-value");
    submit_login(&mut b, "hr", PASSWORD).await?;
    let issued = b.cookie(SESSION_COOKIE).context("no session after sign-in")?.to_string();
    assert_ne!(issued, "attacker-chosen-value");

    // Signing in again over a live session replaces it: new id, the old one is dead.
    a.csrf = hidden_csrf(&home.body).context("home page csrf")?;
    let again = a.request(Method::POST, "/login").form(&[
        ("tenant", TENANT),
        ("login", "hr"),
        ("password", PASSWORD),
        ("csrf", a.csrf.as_str()),
        ("next", "/"),
    ]);
    let res = a.send(again).await?;
    assert!(res.status.is_redirection(), "{}", res.brief());
    let second = a.cookie(SESSION_COOKIE).context("session cookie")?.to_string();
    assert_ne!(first, second, "the session id must change at sign-in");
    let mut stale = app.agent();
    stale.set_cookie(SESSION_COOKIE, &first);
    assert!(stale.get("/").await?.is_redirect_to("/login"), "the replaced session still works");
    assert_eq!(a.get("/").await?.status, StatusCode::OK);

    let events = app.store.recent_audit(app.tenant.id, 100, None).await?;
    assert_eq!(events.iter().filter(|e| e.action == AuditAction::SignIn.as_str()).count(), 3);
    Ok(())
}

async fn wrong_password_answers_401_in_japanese(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    let res = submit_login(&mut a, "hr", "wrong-password").await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.brief());
    assert!(res.body.contains("組織コード、ログインID、またはパスワードが正しくありません。"), "{}", res.brief());
    assert!(res.body.contains(r#"<html lang="ja""#));
    assert!(res.set_cookie(SESSION_COOKIE).is_none(), "no session for a failed sign-in");
    // The form is shown again with a fresh token, and the login kept (never the password).
    assert!(hidden_csrf(&res.body).is_some());
    assert!(res.body.contains(r#"value="hr""#) && !res.body.contains("wrong-password"));

    // An unknown login and an unknown tenant answer exactly alike.
    let unknown = submit_login(&mut a, "nobody", "wrong-password").await?;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let mut c = app.agent();
    let (_, csrf) = open_login_page(&mut c).await?;
    let res = c.post_raw_form("/login", &[("tenant", "no-such-tenant"), ("login", "hr"), ("password", PASSWORD), ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let events = app.store.recent_audit(app.tenant.id, 100, None).await?;
    assert_eq!(events.iter().filter(|e| e.action == AuditAction::SignInFailed.as_str()).count(), 2);
    Ok(())
}

async fn repeated_failures_throttle_the_account(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    for i in 0..5 {
        let res = submit_login(&mut a, "executive", "wrong-password").await?;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {}: {}", i + 1, res.brief());
    }
    // Even the right password must wait now.
    let res = submit_login(&mut a, "executive", PASSWORD).await?;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.brief());
    let retry: u64 = res.header("retry-after").context("429 without Retry-After")?.parse()?;
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
    assert!(res.body.contains("試行回数が多すぎます"), "{}", res.brief());
    assert!(res.set_cookie(SESSION_COOKIE).is_none());
    // Another account from the same address is not locked out.
    let mut b = app.agent();
    login_as(&mut b, "boss").await?;
    Ok(())
}

async fn posts_without_csrf_or_from_another_origin_are_refused(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;

    // The sign-in form: the token must be there and match the cookie.
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    let form = [("tenant", TENANT), ("login", "hr"), ("password", PASSWORD)];
    let res = a.post_raw_form("/login", &form).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "sign-in without a token: {}", res.brief());
    assert!(res.body.contains("不正な送信"), "{}", res.brief());
    let res = a.post_raw_form("/login", &[form[0], form[1], form[2], ("csrf", "0123456789abcdef")]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "sign-in with a wrong token");
    let mut no_cookie = app.agent();
    let res = no_cookie.post_raw_form("/login", &[form[0], form[1], form[2], ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "sign-in with a token but without its cookie");
    let rb = a.request(Method::POST, "/login").header("origin", "https://evil.example").form(&[form[0], form[1], form[2], ("csrf", &csrf)]);
    let res = a.send(rb).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "sign-in posted from another site");
    assert!(a.cookie(SESSION_COOKIE).is_none());

    // Signed in: every state-changing request needs the session's token.
    let mut s = app.signed_in("hr").await?;
    let res = s.post_raw_form("/logout", &[]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "logout without a token: {}", res.brief());
    let res = s.post_raw_form("/logout", &[("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "the sign-in token is not the session's");
    let rb = s
        .request(Method::POST, "/locale")
        .header("origin", "https://evil.example")
        .header("x-csrf-token", s.csrf.clone())
        .form(&[("locale", "en")]);
    let res = s.send(rb).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a post from another origin, even with the token");
    let rb = s.request(Method::POST, "/locale").header("origin", "null").header("x-csrf-token", s.csrf.clone()).form(&[("locale", "en")]);
    assert_eq!(s.send(rb).await?.status, StatusCode::FORBIDDEN, "Origin: null");
    assert_eq!(s.get("/").await?.status, StatusCode::OK, "refused posts left the session alone");

    // The token is accepted from the form or the X-CSRF-Token header; never from the query
    // string, where it would show in the address bar, the history and `Referer`.
    let same_origin = app.base.clone();
    let rb = s
        .request(Method::POST, "/locale")
        .header("origin", same_origin)
        .header("x-csrf-token", s.csrf.clone())
        .form(&[("locale", "ja"), ("next", "/")]);
    let res = s.send(rb).await?;
    assert!(res.is_redirect_to("/"), "header token: {}", res.brief());
    let path = format!("/locale?csrf={}", s.csrf);
    let res = s.post_raw_form(&path, &[("locale", "ja")]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "query token: {}", res.brief());
    let res = s.post_form("/locale", &[("locale", "ja")]).await?;
    assert!(res.status.is_redirection(), "form token: {}", res.brief());
    Ok(())
}

async fn logout_invalidates_the_session(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.signed_in("consultant").await?;
    let old = a.cookie(SESSION_COOKIE).context("session cookie")?.to_string();
    let res = a.post_form("/logout", &[]).await?;
    assert!(res.is_redirect_to("/login"), "{}", res.brief());
    let cleared = res.set_cookie(SESSION_COOKIE).context("logout does not clear the cookie")?;
    assert!(cleared.to_ascii_lowercase().contains("max-age=0"), "{cleared}");
    assert!(a.get("/").await?.is_redirect_to("/login"));

    // The old cookie, replayed, is worth nothing.
    let mut replay = app.agent();
    replay.set_cookie(SESSION_COOKIE, &old);
    let res = replay.get("/").await?;
    assert!(res.is_redirect_to("/login"), "{}", res.brief());
    assert!(res.location().is_some_and(|l| l.contains("next=%2F")), "{}", res.brief());
    let res = replay.request(Method::POST, "/logout").header("x-csrf-token", a.csrf.clone()).send().await?;
    assert_ne!(res.status(), StatusCode::SEE_OTHER, "a dead session's token must not pass");
    let events = app.store.recent_audit(app.tenant.id, 50, None).await?;
    assert_eq!(events.iter().filter(|e| e.action == AuditAction::SignOut.as_str()).count(), 1);
    Ok(())
}

/// Sessions live in the database: a second server on the same database honours them, and a
/// sign-out on one is a sign-out on both.
async fn sessions_work_across_two_servers(backend: Backend) -> Result<()> {
    let mut app = spawn_app(backend).await?;
    let other = app.second_server(test_config()).await?;
    let mut a = app.signed_in("hr-consultant").await?;
    let mut b = Agent::new(&other);
    b.set_cookie(SESSION_COOKIE, a.cookie(SESSION_COOKIE).context("session")?);
    b.csrf = a.csrf.clone();
    // The role chosen through server B is seen by server A, under the session id B renewed
    // (the id from before the change works on neither).
    let before = a.cookie(SESSION_COOKIE).context("session")?.to_string();
    let res = b.post_form("/role", &[("role", "hr"), ("next", "/")]).await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    assert!(a.get("/").await?.is_redirect_to("/login"), "the id from before the role change still works on A");
    let renewed = b.cookie(SESSION_COOKIE).context("renewed session")?.to_string();
    assert_ne!(renewed, before);
    a.set_cookie(SESSION_COOKIE, &renewed);
    let home = a.get("/").await?;
    assert!(home.body.contains("人事部門として利用中"), "{}", home.brief());
    let res = b.post_form("/logout", &[]).await?;
    assert!(res.is_redirect_to("/login"), "{}", res.brief());
    assert!(a.get("/").await?.is_redirect_to("/login"), "signed out on B, still in on A");
    Ok(())
}

async fn configured_cookie_security_and_idle_expiry_apply(backend: Backend) -> Result<()> {
    use domain::session::SessionLimits;
    let limits = SessionLimits { idle_ms: 1_500, absolute_ms: 60_000 };
    let config = careerdock_web::WebConfig { secure_cookies: true, session_limits: limits, ..test_config() };
    let mut app = spawn_app_with(backend, config).await?;
    let mut a = app.agent();
    let res = submit_login(&mut a, "admin", PASSWORD).await?;
    let line = res.set_cookie(SESSION_COOKIE).context("session cookie")?;
    assert!(line.split(';').any(|p| p.trim().eq_ignore_ascii_case("secure")), "{line}");
    assert_eq!(a.get("/").await?.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1_800)).await;
    assert!(a.get("/").await?.is_redirect_to("/login"), "an idle session must expire");

    // Behind a proxy, the proxy's word on HTTPS decides; without one, a client's header is ignored.
    let proxied = app.second_server(careerdock_web::WebConfig { behind_proxy: true, ..test_config() }).await?;
    let direct = app.second_server(test_config()).await?;
    for (base, expect_secure) in [(proxied, true), (direct, false)] {
        let mut c = Agent::new(&base);
        let (_, csrf) = open_login_page(&mut c).await?;
        let form = [("tenant", TENANT), ("login", "admin"), ("password", PASSWORD), ("csrf", csrf.as_str())];
        let rb = c.request(Method::POST, "/login").header("x-forwarded-proto", "https").form(&form);
        let res = c.send(rb).await?;
        let line = res.set_cookie(SESSION_COOKIE).context("session cookie")?;
        assert_eq!(line.split(';').any(|p| p.trim().eq_ignore_ascii_case("secure")), expect_secure, "{base}: {line}");
    }
    Ok(())
}

async fn a_user_with_two_roles_chooses_one(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    let res = submit_login(&mut a, "hr-consultant", PASSWORD).await?;
    assert!(res.is_redirect_to("/role"), "{}", res.brief());
    let res = a.get("/").await?;
    assert!(res.is_redirect_to("/role"), "no role chosen yet: {}", res.brief());
    let page = a.get("/role").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"data-role="hr""#) && page.body.contains(r#"data-role="consultant""#));
    assert!(!page.body.contains(r#"data-role="admin""#));
    a.csrf = hidden_csrf(&page.body).context("role page csrf")?;

    // A role not held is refused.
    let res = a.post_form("/role", &[("role", "admin"), ("next", "/")]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.brief());
    assert!(a.get("/").await?.is_redirect_to("/role"));

    let res = a.post_form("/role", &[("role", "hr"), ("next", "/")]).await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    let home = a.get("/").await?;
    assert_eq!(home.status, StatusCode::OK, "{}", home.brief());
    assert!(home.body.contains("人事部門として利用中"), "the header shows the acting role");
    assert!(home.body.contains(r#"href="/role""#), "a user with two roles can switch");

    // Switching is recorded, and the header follows.
    let res = a.post_form("/role", &[("role", "consultant"), ("next", "/")]).await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    let home = a.get("/").await?;
    assert!(home.body.contains("キャリアコンサルタントとして利用中") && !home.body.contains("人事部門として利用中"));
    let events = app.store.recent_audit(app.tenant.id, 50, None).await?;
    let chosen: Vec<&str> = events.iter().filter(|e| e.action == AuditAction::RoleChosen.as_str()).map(|e| e.detail.as_str()).collect();
    assert_eq!(chosen, vec!["role=consultant", "role=hr"]);
    Ok(())
}

/// Where a sign-in sends the user next is always on this site.
async fn sign_in_redirects_stay_on_the_site(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    for (next, expected) in
        [("//evil.example/", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("/tokens?x=1", "/tokens?x=1")]
    {
        let mut a = app.agent();
        let page = a.get(&format!("/login?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())).await?;
        let csrf = hidden_csrf(&page.body).context("csrf")?;
        assert!(!page.body.contains("evil.example"), "the form carries a foreign next: {next}");
        let res = a
            .post_raw_form("/login", &[("tenant", TENANT), ("login", "hr"), ("password", PASSWORD), ("csrf", &csrf), ("next", next)])
            .await?;
        assert_eq!(res.location(), Some(expected), "next={next}: {}", res.brief());
    }
    Ok(())
}

/// The language switch, too, only returns to a page of this site.
async fn language_switch_redirects_stay_on_the_site(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let res = a.post_raw_form("/locale", &[("locale", "en"), ("next", next), ("csrf", &csrf)]).await?;
        let to = res.location().context("no redirect")?;
        assert!(to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\"), "next={next} sends the user to {to}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

async fn bearer(a: &mut Agent, method: Method, path: &str, token: &str) -> Result<Resp> {
    let rb = a.request(method, path).bearer_auth(token);
    a.send(rb).await
}

async fn api_tokens_act_in_their_role_until_revoked(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let t = app.tenant.id;
    let issue = |login: &'static str, role: Role| {
        let store = app.store.clone();
        async move {
            let user = store.user_by_login(t, login).await?;
            let ctx = store::Ctx::for_tests(t, user.id, login, Some(role));
            Ok::<_, anyhow::Error>(store.create_token(&ctx, role, "連携", Some(30)).await?)
        }
    };
    let (hr_token, hr_token_id) = issue("hr", Role::Hr).await?;
    let (consultant_token, consultant_token_id) = issue("consultant", Role::Consultant).await?;
    let mut a = app.agent();

    let me = bearer(&mut a, Method::GET, "/api/v1/me", &hr_token).await?;
    assert_eq!(me.status, StatusCode::OK, "{}", me.brief());
    let json = me.json()?;
    assert_eq!(
        (json["user"]["login"].as_str(), json["acting_role"].as_str(), json["tenant"]["slug"].as_str()),
        (Some("hr"), Some("hr"), Some(TENANT))
    );
    assert!(me.set_cookie(SESSION_COOKIE).is_none(), "a token request opens no session");

    // The token's role is the one decided: a consultant's token cannot list employees.
    let res = bearer(&mut a, Method::GET, "/api/v1/employees", &hr_token).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    let res = bearer(&mut a, Method::GET, "/api/v1/employees", &consultant_token).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.brief());
    assert_eq!(res.json()?["error"]["code"], "forbidden");

    // The reports API never confirms a report exists to a role that may not read reports (R6):
    // HR gets an empty list and 404 for any id, exactly as for an id that does not exist.
    let res = bearer(&mut a, Method::GET, "/api/v1/reports", &hr_token).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    assert_eq!(res.json()?["items"].as_array().map(Vec::len), Some(0));
    let res = bearer(&mut a, Method::GET, "/api/v1/reports/1", &hr_token).await?;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.brief());
    assert_eq!(res.json()?["error"]["code"], "not_found");

    // The questionnaires (definitions, no one's answers): HR and consultants, every tenant
    // with the product's own `career-awareness`.
    for token in [&hr_token, &consultant_token] {
        let res = bearer(&mut a, Method::GET, "/api/v1/questionnaires", token).await?;
        assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
        let json = res.json()?;
        let q = json["items"].as_array().and_then(|items| items.iter().find(|q| q["code"] == "career-awareness")).cloned();
        let q = q.ok_or_else(|| anyhow::anyhow!("no career-awareness in {json}"))?;
        assert_eq!(
            (q["title"].as_str(), q["scale_min"].as_i64(), q["scale_max"].as_i64()),
            (Some("キャリア意識アンケート"), Some(1), Some(5))
        );
        let items = q["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 16);
        assert!(items.iter().all(|i| i["code"].is_string() && i["text"].is_string() && i["reverse"].is_boolean()), "{q}");
        assert_eq!(items.iter().filter(|i| i["reverse"] == true).count(), 4);
    }

    // Only one's own tokens can be revoked; a token request needs no CSRF token.
    let other = bearer(&mut a, Method::DELETE, &format!("/api/v1/tokens/{}", consultant_token_id.get()), &hr_token).await?;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{}", other.brief());
    assert!(app.store.token_principal(&consultant_token).await?.is_some());
    let own = bearer(&mut a, Method::DELETE, &format!("/api/v1/tokens/{}", hr_token_id.get()), &hr_token).await?;
    assert!(own.status.is_success(), "{}", own.brief());

    // Revoked, unknown and malformed tokens are 401 in JSON, never a redirect to a page.
    for token in [hr_token.as_str(), "cdk_00000000000000000000000000000000", "not-a-token"] {
        let res = bearer(&mut a, Method::GET, "/api/v1/me", token).await?;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{token}: {}", res.brief());
        assert_eq!(res.json()?["error"]["code"], "unauthenticated");
    }
    let anon = a.get("/api/v1/me").await?;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{}", anon.brief());

    // With a session cookie instead, the same DELETE needs the CSRF token.
    let mut s = app.signed_in("consultant").await?;
    let path = format!("/api/v1/tokens/{}", consultant_token_id.get());
    let rb = s.request(Method::DELETE, &path);
    assert_eq!(s.send(rb).await?.status, StatusCode::FORBIDDEN);
    let rb = s.request(Method::DELETE, &path).header("x-csrf-token", s.csrf.clone());
    let res = s.send(rb).await?;
    assert!(res.status.is_success(), "{}", res.brief());
    assert!(app.store.token_principal(&consultant_token).await?.is_none());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Headers, limits, errors, languages
// ---------------------------------------------------------------------------------------------

fn check_security_headers(what: &str, res: &Resp) {
    let csp = res.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no Content-Security-Policy"));
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'self'") || csp.contains("default-src 'none'"), "{what}: {csp}");
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"), "{what}");
    let referrer = res.header("referrer-policy").unwrap_or_else(|| panic!("{what}: no Referrer-Policy"));
    assert!(["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"].contains(&referrer), "{what}: {referrer}");
}

/// What the CSP forbids must not be on the page: inline scripts, style attributes, handlers.
fn check_page_obeys_csp(what: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("<script") {
        let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
        assert!(rest[at..tag_end].contains(" src="), "{what}: inline <script>");
        rest = &rest[tag_end..];
    }
    assert!(!lower.contains(" style=\"") && !lower.contains("<style"), "{what}: inline style");
    for handler in [" onclick=", " onload=", " onsubmit=", " onchange=", "javascript:"] {
        assert!(!lower.contains(handler), "{what}: {handler}");
    }
}

async fn pages_carry_security_headers_and_obey_their_csp(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut anon = app.agent();
    let login = anon.get("/login").await?;
    check_security_headers("GET /login", &login);
    check_page_obeys_csp("GET /login", &login.body);
    assert_eq!(login.header("cache-control"), Some("no-store"), "pages are never cached");
    let missing = anon.get("/no-such-page").await?;
    check_security_headers("404 page", &missing);
    check_page_obeys_csp("404 page", &missing.body);
    check_security_headers("/api 404", &anon.get("/api/v1/nope").await?);
    let css = anon.get("/static/app.css").await?;
    assert_eq!(css.status, StatusCode::OK);
    check_security_headers("static file", &css);

    for login in ["admin", "hr-consultant"] {
        let mut a = app.signed_in(login).await?;
        let landing = if login == "admin" { "/" } else { "/role" };
        let page = a.get(landing).await?;
        assert_eq!(page.status, StatusCode::OK);
        check_security_headers(landing, &page);
        check_page_obeys_csp(landing, &page.body);
        assert_eq!(page.header("cache-control"), Some("no-store"));
    }
    Ok(())
}

async fn oversized_bodies_are_refused_with_413(backend: Backend) -> Result<()> {
    let config = careerdock_web::WebConfig { body_limit: 64 * 1024, ..test_config() };
    let app = spawn_app_with(backend, config).await?;
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    let big = "a".repeat(200 * 1024);

    // With a Content-Length.
    let res = a.post_raw_form("/login", &[("csrf", &csrf), ("tenant", TENANT), ("login", "hr"), ("password", &big)]).await?;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.brief());

    // Streamed without a length (chunked), as a client may send an upload.
    let body = format!("csrf={csrf}&tenant={TENANT}&login=hr&password={big}");
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: {LOGIN_CSRF_COOKIE}={csrf}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr
    );
    let (status, answer) = raw_chunked_post(app.addr, &head, body.as_bytes()).await?;
    assert_eq!(status, 413, "a chunked body over the limit: {answer}");
    assert!(answer.contains("送信されたデータが大きすぎます"), "explained in Japanese: {answer}");

    // Under the limit, a sign-in still works.
    let mut b = app.agent();
    login_as(&mut b, "hr").await?;
    Ok(())
}

/// `render_errors` means to explain a 413 in the user's language, as a page (or JSON under /api/).
async fn oversized_body_is_explained_in_the_users_language(backend: Backend) -> Result<()> {
    let config = careerdock_web::WebConfig { body_limit: 64 * 1024, ..test_config() };
    let app = spawn_app_with(backend, config).await?;
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    let big = "a".repeat(200 * 1024);
    let res = a.post_raw_form("/login", &[("csrf", &csrf), ("tenant", TENANT), ("login", "hr"), ("password", &big)]).await?;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.brief());
    assert!(res.body.contains("送信されたデータが大きすぎます"), "explained in Japanese: {}", res.brief());
    check_security_headers("413 page", &res);
    Ok(())
}

/// Sends a request with a chunked body over a plain socket; returns the answer's status and text.
async fn raw_chunked_post(addr: std::net::SocketAddr, head: &str, body: &[u8]) -> Result<(u16, String)> {
    let mut sock = tokio::net::TcpStream::connect(addr).await?;
    sock.write_all(head.as_bytes()).await?;
    for chunk in body.chunks(16 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        // The server may answer and stop reading before the end: that is the point.
        if sock.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), sock.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).context("no status line")?.parse()?;
    Ok((status, text))
}

async fn unknown_paths_answer_404_as_page_or_json(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    for signed_in in [false, true] {
        let mut a = if signed_in { app.signed_in("employee").await? } else { app.agent() };
        let page = a.get("/no/such/page").await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.brief());
        assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")));
        assert!(page.body.contains("お探しのページまたはデータは見つかりません。"), "{}", page.brief());
        assert!(page.body.contains(r#"<html lang="ja""#));

        let api = a.get("/api/v1/nope").await?;
        assert_eq!(api.status, StatusCode::NOT_FOUND, "{}", api.brief());
        assert!(api.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{}", api.brief());
        let json = api.json()?;
        assert_eq!(json["error"]["code"], "not_found", "{json}");
        assert!(json["error"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{json}");
        assert_eq!(api.header("x-request-id"), json["error"]["request_id"].as_str());

        let missing_static = a.get("/static/nope.js").await?;
        assert_eq!(missing_static.status, StatusCode::NOT_FOUND);
    }
    Ok(())
}

async fn accept_language_en_gives_english(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    let rb = a.request(Method::GET, "/login").header("accept-language", "en-US,en;q=0.9,ja;q=0.5");
    let en = a.send(rb).await?;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains(r#"<html lang="en""#), "{}", en.brief());
    assert!(en.body.contains("Sign in") && en.body.contains("Organization code"), "{}", en.brief());
    assert!(!en.body.contains("ログインID"));

    let ja = a.get("/login").await?;
    assert!(ja.body.contains(r#"<html lang="ja""#) && ja.body.contains("ログインID"));
    let rb = a.request(Method::GET, "/login").header("accept-language", "fr-FR,de;q=0.8");
    assert!(a.send(rb).await?.body.contains(r#"<html lang="ja""#), "Japanese is the fallback");

    // Errors follow the language too.
    let rb = a.request(Method::GET, "/no/such/page").header("accept-language", "en");
    let nf = a.send(rb).await?;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.body.contains("Not found.") && nf.body.contains(r#"<html lang="en""#), "{}", nf.brief());

    // The switch in the header sets a cookie that wins over Accept-Language.
    let login_csrf = a.cookie(LOGIN_CSRF_COOKIE).context("sign-in token cookie")?.to_string();
    let res = a.post_form("/locale", &[("locale", "en"), ("next", "/login"), ("csrf", &login_csrf)]).await?;
    assert!(res.is_redirect_to("/login"), "{}", res.brief());
    assert_eq!(a.cookie("cd_lang"), Some("en"));
    let rb = a.request(Method::GET, "/login").header("accept-language", "ja");
    assert!(a.send(rb).await?.body.contains(r#"<html lang="en""#));
    Ok(())
}

async fn healthz_answers(backend: Backend) -> Result<()> {
    let route = careerdock_web::route_table().into_iter().find(|r| r.method == Method::GET && r.path == "/healthz");
    let route = route.context("GET /healthz is not in route_table(): load balancers have nothing to ask")?;
    assert_eq!(route.operation, Operation::Public, "/healthz answers without signing in");
    let app = spawn_app(backend).await?;
    let mut a = app.agent();
    let res = a.get("/healthz").await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    assert!(res.set_cookie(SESSION_COOKIE).is_none());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Every route × every role, against the committed table
// ---------------------------------------------------------------------------------------------

const TABLE: &str = include_str!("route_roles.tsv");
const COLUMNS: [&str; 11] =
    ["method", "path", "consultant", "supervisor", "hr", "executive", "boss", "health", "employee", "admin", "anonymous"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Allow,
    Deny,
}

impl Answer {
    fn parse(s: &str) -> Option<Answer> {
        match s {
            "allow" => Some(Answer::Allow),
            "deny" => Some(Answer::Deny),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Answer::Allow => "allow",
            Answer::Deny => "deny",
        }
    }
}

/// (method, path) → one answer per column after the path (roles, then anonymous).
fn read_table() -> Result<BTreeMap<(String, String), Vec<Answer>>> {
    let mut rows = BTreeMap::new();
    let mut header_seen = false;
    for (i, line) in TABLE.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if !header_seen {
            if cells != COLUMNS {
                bail!("route_roles.tsv line {}: the header must be {:?}", i + 1, COLUMNS.join("\t"));
            }
            header_seen = true;
            continue;
        }
        if cells.len() != COLUMNS.len() {
            bail!("route_roles.tsv line {}: {} cells, expected {}", i + 1, cells.len(), COLUMNS.len());
        }
        let answers = cells[2..]
            .iter()
            .map(|c| Answer::parse(c).with_context(|| format!("route_roles.tsv line {}: {c:?} is neither allow nor deny", i + 1)))
            .collect::<Result<Vec<_>>>()?;
        if rows.insert((cells[0].to_string(), cells[1].to_string()), answers).is_some() {
            bail!("route_roles.tsv line {}: {} {} is listed twice", i + 1, cells[0], cells[1]);
        }
    }
    Ok(rows)
}

/// A concrete path for a route pattern: every `{param}` becomes `1`.
fn concrete(path: &str) -> String {
    path.split('/').map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "1" } else { seg }).collect::<Vec<_>>().join("/")
}

/// What the policy says for a route's declared action (shown as a suggestion for new rows).
fn suggested_row(method: &str, path: &str, action: Operation) -> String {
    let actor = |role| Actor::new(UserId::new(1), TenantId::new(1), role);
    let mut cells = vec![method.to_string(), path.to_string()];
    for role in Role::ALL {
        cells.push(if decide(&actor(role), action, domain::policy::Target::Route).is_allow() { "allow" } else { "deny" }.to_string());
    }
    cells.push(if action.needs_sign_in() { "deny" } else { "allow" }.to_string());
    cells.join("\t")
}

async fn request_route(agent: &mut Agent, method: &Method, path: &str, csrf: &str) -> Result<Resp> {
    let mut rb = agent.request(method.clone(), path);
    if !matches!(*method, Method::GET | Method::HEAD) {
        rb = rb.header("x-csrf-token", csrf).header("content-type", "application/x-www-form-urlencoded").body("");
    }
    agent.send(rb).await
}

async fn every_route_answers_each_role_as_the_table_says(backend: Backend) -> Result<()> {
    assert_eq!(&COLUMNS[2..10], Role::ALL.map(|r| r.as_str()).as_slice(), "the table's role columns follow Role::ALL");
    let table = read_table()?;
    let routes = careerdock_web::route_table();
    let app = spawn_app(backend).await?;

    let mut agents: Vec<(String, Agent)> = Vec::new();
    for role in Role::ALL {
        agents.push((role.as_str().to_string(), app.signed_in(role.as_str()).await?));
    }
    // The boss has read the guide for bosses, so the feedback routes answer as the policy says.
    for (name, agent) in agents.iter_mut().filter(|(n, _)| n == "boss") {
        let res = agent.post_form("/boss/guide/acknowledge", &[("version", "1")]).await?;
        ensure!(res.status.is_redirection(), "{name} acknowledging the guide: {}", res.brief());
    }
    let mut anon = app.agent();
    open_login_page(&mut anon).await?;

    let mut problems: Vec<String> = Vec::new();
    let mut served: BTreeSet<(String, String)> = BTreeSet::new();
    for route in &routes {
        let method = route.method.as_str().to_string();
        let key = (method.clone(), route.path.to_string());
        served.insert(key.clone());
        let Some(expected) = table.get(&key) else {
            problems.push(format!(
                "route without a row in route_roles.tsv (add one; the route's declared action {:?} suggests):\n    {}",
                route.operation,
                suggested_row(&method, route.path, route.operation)
            ));
            continue;
        };
        let path = concrete(route.path);
        for (i, (name, agent)) in agents.iter_mut().enumerate() {
            let csrf = agent.csrf.clone();
            let res = request_route(agent, &route.method, &path, &csrf).await?;
            let got = if res.status == StatusCode::FORBIDDEN { Answer::Deny } else { Answer::Allow };
            let signed_out = res.is_redirect_to("/login")
                && res.set_cookie(SESSION_COOKIE).is_some_and(|c| c.to_ascii_lowercase().contains("max-age=0"));
            if res.status == StatusCode::UNAUTHORIZED || (res.is_redirect_to("/login") && !signed_out) {
                problems.push(format!("{method} {path} as {name}: a signed-in user was treated as anonymous: {}", res.brief()));
            } else if res.status.is_server_error() {
                problems.push(format!("{method} {path} as {name}: server error {}", res.brief()));
            } else if got != expected[i] {
                problems.push(format!(
                    "{method} {path} as {name}: expected {}, got {} ({})",
                    expected[i].as_str(),
                    got.as_str(),
                    res.brief()
                ));
            }
            // A route that ended the session (sign-out) must not spoil the next checks.
            if route.method != Method::GET && !agent.get("/").await?.status.is_success() {
                *agent = app.signed_in(name).await?;
            }
        }
        // Each sign-in page view issues a new sign-in token: send the current one.
        let anon_csrf = anon.cookie(LOGIN_CSRF_COOKIE).unwrap_or_default().to_string();
        let res = request_route(&mut anon, &route.method, &path, &anon_csrf).await?;
        let got = if res.status == StatusCode::UNAUTHORIZED || res.status == StatusCode::FORBIDDEN || res.is_redirect_to("/login") {
            Answer::Deny
        } else {
            Answer::Allow
        };
        if res.status.is_server_error() {
            problems.push(format!("{method} {path} anonymously: server error {}", res.brief()));
        } else if got != expected[Role::ALL.len()] {
            problems.push(format!(
                "{method} {path} anonymously: expected {}, got {} ({})",
                expected[Role::ALL.len()].as_str(),
                got.as_str(),
                res.brief()
            ));
        }
    }
    for (method, path) in table.keys() {
        if !served.contains(&(method.clone(), path.clone())) {
            problems.push(format!("route_roles.tsv lists {method} {path}, which route_table() does not serve"));
        }
    }
    if !problems.is_empty() {
        bail!("{} problem(s) with routes × roles on {backend}:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}
