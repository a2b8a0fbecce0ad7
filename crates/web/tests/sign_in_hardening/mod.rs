//! The sign-in form probed as an attacker would, on both databases: what a failed sign-in can
//! write into the permanent audit log, whether the answer's timing tells which organization
//! codes and logins exist, whether failures from one address lock out everyone behind it, and
//! whether a claimed `X-Forwarded-For` counts (only behind a proxy).

use crate::support::*;
use anyhow::{Context, Result};
use domain::audit::AuditAction;
use reqwest::{Method, StatusCode};
use std::time::{Duration, Instant};
use testkit::{on_both_backends, Backend};

on_both_backends!(
    a_failed_sign_in_writes_a_capped_normalized_login_to_the_audit_log,
    unknown_organizations_and_logins_answer_as_slowly_as_real_ones,
    failures_from_one_address_do_not_lock_out_the_office_behind_it,
    forwarded_addresses_count_only_behind_a_proxy;
    known_bugs:
);

async fn post_login(agent: &mut Agent, tenant: &str, login: &str, password: &str) -> Result<Resp> {
    let (_, csrf) = open_login_page(agent).await?;
    agent.post_raw_form("/login", &[("tenant", tenant), ("login", login), ("password", password), ("csrf", &csrf)]).await
}

async fn failed_labels(app: &App) -> Result<Vec<(String, String)>> {
    let events = app.store.recent_audit(app.tenant.id, 100, None).await?;
    Ok(events.into_iter().filter(|e| e.action == AuditAction::SignInFailed.as_str()).map(|e| (e.actor_label, e.target_id)).collect())
}

async fn a_failed_sign_in_writes_a_capped_normalized_login_to_the_audit_log(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.agent();

    // A login no account can have (1 MiB) is refused before any work, saying why; nothing is logged.
    let huge = "x".repeat(1 << 20);
    let res = post_login(&mut a, TENANT, &huge, "wrong-password").await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(res.body.contains("ログインIDは64文字以内で入力してください。"), "{}", res.brief());
    assert!(res.body.len() < 100_000, "the answer echoes the login: {} bytes", res.body.len());
    let res = post_login(&mut a, &"t".repeat(100_000), "hr", "wrong-password").await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(res.body.contains("組織コードは40文字以内で入力してください。"), "{}", res.brief());
    assert!(failed_labels(&app).await?.is_empty(), "an over-long login reached the audit log");

    // What is logged is normalized: full-width folded, control and invisible characters gone.
    let res = post_login(&mut a, TENANT, "ｈａｎａ\u{7}\u{202E}\u{200B}\u{1b}[2J", "wrong-password").await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.brief());
    assert_eq!(failed_labels(&app).await?, vec![("hana[2J".to_string(), "hana[2J".to_string())]);

    // And capped: 64 characters that normalize to 192 are cut to 64 with a marker.
    let res = post_login(&mut a, TENANT, &"ﬃ".repeat(64), "wrong-password").await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.brief());
    let labels = failed_labels(&app).await?;
    let (actor, target) = labels.first().context("no event")?;
    assert_eq!(actor.chars().count(), 64, "{actor}");
    assert!(actor.starts_with("ffiffi") && actor.ends_with('…'), "{actor}");
    assert_eq!(actor, target);
    let verified = app.store.verify_audit(Some(app.tenant.id)).await?;
    assert!(verified.iter().all(|v| v.broken.is_none()));
    Ok(())
}

/// How long one sign-in attempt takes to be answered.
async fn answer_time(app: &App, tenant: &str, login: &str) -> Result<Duration> {
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    let form = [("tenant", tenant), ("login", login), ("password", "wrong-password"), ("csrf", csrf.as_str())];
    let started = Instant::now();
    let res = a.post_raw_form("/login", &form).await?;
    let took = started.elapsed();
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{tenant}/{login}: {}", res.brief());
    Ok(took)
}

async fn unknown_organizations_and_logins_answer_as_slowly_as_real_ones(backend: Backend) -> Result<()> {
    // The product's own password cost: the comparison is about its time.
    let app = spawn_app_hashing(backend, test_config(), store::PasswordCost::Standard).await?;
    // One attempt per account (five accounts), so that none is throttled on the way; the kinds
    // take turns, so that a busy moment of the machine slows all of them alike.
    let real = ["hr", "boss", "executive", "health", "employee"];
    let mut fastest = [Duration::MAX; 4];
    for (i, login) in real.iter().enumerate() {
        let nobody = format!("nobody-{i}");
        let attempts = [(TENANT, *login), ("no-such-company", *login), (TENANT, nobody.as_str()), (TENANT, "")];
        for (k, (tenant, login)) in attempts.iter().enumerate() {
            fastest[k] = fastest[k].min(answer_time(&app, tenant, login).await?);
        }
    }
    // A password check (argon2) is most of a real answer: without one, an answer came some
    // twenty to fifty times faster. Noise only slows answers down, so the fastest of each is
    // compared; the margin leaves room for the audit write a known organization adds.
    let [known, no_tenant, no_login, empty_login] = fastest;
    for (what, took) in [("an unknown organization", no_tenant), ("an unknown login", no_login), ("an empty login", empty_login)] {
        assert!(took * 8 >= known, "{what} answers in {took:?}, a real account's wrong password in {known:?}");
    }
    Ok(())
}

async fn failures_from_one_address_do_not_lock_out_the_office_behind_it(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    // Someone behind the office's one address fails thirty times, on thirty logins.
    let mut attacker = app.agent();
    for i in 0..30 {
        let res = post_login(&mut attacker, TENANT, &format!("guess-{i}"), "wrong-password").await?;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {}: {}", i + 1, res.brief());
    }
    // A colleague at the same address signs in with the right password.
    let mut colleague = app.agent();
    let res = submit_login(&mut colleague, "boss", PASSWORD).await?;
    assert!(res.is_redirect_to("/"), "the office is locked out: {}", res.brief());

    // From the suspect address, guessing one account stops after a few tries...
    for i in 0..3 {
        let res = post_login(&mut attacker, TENANT, "executive", "wrong-password").await?;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "guess {}: {}", i + 1, res.brief());
    }
    let res = post_login(&mut attacker, TENANT, "executive", PASSWORD).await?;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.brief());
    assert!(res.header("retry-after").is_some());
    // ...while every other colleague still gets in.
    let mut another = app.agent();
    assert!(submit_login(&mut another, "health", PASSWORD).await?.is_redirect_to("/"));
    Ok(())
}

/// A sign-in that claims to come from `forwarded` (`X-Forwarded-For`).
async fn post_login_as_from(agent: &mut Agent, login: &str, password: &str, forwarded: &str) -> Result<Resp> {
    let (_, csrf) = open_login_page(agent).await?;
    let rb = agent.request(Method::POST, "/login").header("x-forwarded-for", forwarded).form(&[
        ("tenant", TENANT),
        ("login", login),
        ("password", password),
        ("csrf", csrf.as_str()),
    ]);
    agent.send(rb).await
}

/// The same attack twice: thirty failures on thirty logins, then three guesses at one account,
/// then its right password from "another" address. Not behind a proxy, `X-Forwarded-For` is
/// the client's own claim: a new one on every try changes nothing, and the account waits.
/// Behind a proxy (`behind_proxy`), it names the client: the one real colleague at another
/// address gets in while the suspect address stays throttled.
async fn forwarded_addresses_count_only_behind_a_proxy(backend: Backend) -> Result<()> {
    for behind_proxy in [false, true] {
        let config = careerdock_web::WebConfig { behind_proxy, ..test_config() };
        let app = spawn_app_with(backend, config).await?;
        let mut attacker = app.agent();
        let from = |i: usize| if behind_proxy { "203.0.113.9".to_string() } else { format!("203.0.113.{}", i % 250) };
        for i in 0..30 {
            let res = post_login_as_from(&mut attacker, &format!("guess-{i}"), "wrong-password", &from(i)).await?;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "proxy {behind_proxy}, attempt {}: {}", i + 1, res.brief());
        }
        for i in 0..3 {
            let res = post_login_as_from(&mut attacker, "executive", "wrong-password", &from(100 + i)).await?;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "proxy {behind_proxy}, guess {}: {}", i + 1, res.brief());
        }
        // From the suspect address, even the right password waits.
        let res = post_login_as_from(&mut attacker, "executive", PASSWORD, &from(200)).await?;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "proxy {behind_proxy}, the suspect address: {}", res.brief());
        let mut colleague = app.agent();
        let res = post_login_as_from(&mut colleague, "executive", PASSWORD, "198.51.100.7").await?;
        if behind_proxy {
            assert!(res.is_redirect_to("/"), "behind a proxy, another client gets in: {}", res.brief());
        } else {
            assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "a claimed address must not escape the throttle: {}", res.brief());
        }
    }
    Ok(())
}
