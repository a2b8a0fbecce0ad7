//! Two-factor sign-in over HTTP, on both databases: enrollment from the user's own page, the
//! second step after the password (a code, a recovery code once), wrong and replayed codes,
//! throttling, the tenant's requirement forcing enrollment before anything else, the
//! administrator's reset, and API tokens left alone. The codes are computed here from the
//! secret the page shows, as an authenticator app would.

use crate::support::*;
use anyhow::{bail, Context, Result};
use domain::audit::AuditAction;
use domain::Role;
use reqwest::StatusCode;
use testkit::{on_both_backends, Backend};

on_both_backends!(
    a_user_enrolls_and_signs_in_with_a_code_or_a_recovery_code_once,
    second_factor_codes_are_throttled_per_account,
    the_tenant_requirement_sends_users_to_enrollment_and_nowhere_else,
    api_tokens_are_unaffected_by_two_factor_sign_in;
    known_bugs:
);

pub const TWO_FACTOR_COOKIE: &str = "cd_2fa";

/// The secret an enrollment page shows as text (base32 in groups), decoded.
pub fn secret_in(html: &str) -> Option<Vec<u8>> {
    let start = html.find(r#"id="two-factor-secret""#)?;
    let rest = &html[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</code>")?;
    let text: String = rest.get(open..close)?.chars().filter(|c| !c.is_whitespace()).collect();
    domain::totp::secret_from_text(&text)
}

/// The code an authenticator shows `steps` time steps from now (30 s each; the server accepts
/// the step before and after its own, so the next step's code is a fresh one to use now).
pub fn code_for(secret: &[u8], steps: i64) -> String {
    let now = chrono::Utc::now().timestamp() + steps * domain::totp::STEP_SECS as i64;
    domain::totp::code_at(secret, u64::try_from(now).unwrap_or(0)).unwrap_or_default()
}

/// A six-digit code that is none of the codes accepted now.
fn wrong_code(secret: &[u8]) -> String {
    let right: Vec<String> = (-1..=2).map(|s| code_for(secret, s)).collect();
    (0..10).map(|d| format!("{d}{d}{d}{d}{d}{d}")).find(|c| !right.contains(c)).unwrap_or_default()
}

/// The recovery codes a page shows (once).
pub fn recovery_codes_in(html: &str) -> Vec<String> {
    let Some(list) = html.find(r#"id="recovery-codes""#).map(|i| &html[i..]) else { return Vec::new() };
    let end = list.find("</ol>").unwrap_or(list.len());
    list[..end].split("<code>").skip(1).filter_map(|piece| piece.split("</code>").next()).map(str::to_string).collect()
}

/// Enrolls the signed-in `agent` from its own page; returns the secret and the recovery codes.
pub async fn enroll(agent: &mut Agent) -> Result<(Vec<u8>, Vec<String>)> {
    let page = agent.get("/account/two-factor").await?;
    if page.status != StatusCode::OK {
        bail!("GET /account/two-factor: {}", page.brief());
    }
    if !page.body.contains("<svg") || !page.body.contains(r#"<path d="M"#) {
        bail!("the enrollment page shows no QR code: {}", page.brief());
    }
    let secret = secret_in(&page.body).context("the enrollment page shows no secret")?;
    let res = agent.post_form("/account/two-factor", &[("code", &code_for(&secret, 0))]).await?;
    if res.status != StatusCode::OK {
        bail!("confirming the enrollment: {}", res.brief());
    }
    let codes = recovery_codes_in(&res.body);
    if codes.len() != 10 {
        bail!("expected 10 recovery codes, got {codes:?}");
    }
    Ok((secret, codes))
}

/// Posts the second step's form of a half-signed-in `agent`.
pub async fn submit_code(agent: &mut Agent, code: &str) -> Result<Resp> {
    let page = agent.get("/login/code").await?;
    if page.status != StatusCode::OK {
        bail!("GET /login/code: {}", page.brief());
    }
    let csrf = hidden_csrf(&page.body).context("the code form has no csrf field")?;
    agent.post_raw_form("/login/code", &[("code", code), ("csrf", &csrf)]).await
}

async fn actions(app: &App) -> Result<Vec<(String, String)>> {
    let events = app.store.recent_audit(app.tenant.id, 500, None).await?;
    Ok(events.into_iter().map(|e| (e.action, e.detail)).collect())
}

async fn a_user_enrolls_and_signs_in_with_a_code_or_a_recovery_code_once(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut me = app.signed_in("hr").await?;
    let (secret, recovery) = enroll(&mut me).await?;
    let status = me.get("/account/two-factor").await?;
    assert!(status.body.contains("2段階認証は有効です"), "{}", status.brief());
    assert!(status.body.contains("未使用のリカバリーコード: 10個"), "{}", status.brief());

    // The password alone no longer signs in: it leads to the code, with no session yet.
    let mut a = app.agent();
    let res = submit_login(&mut a, "hr", PASSWORD).await?;
    assert!(res.is_redirect_to("/login/code"), "{}", res.brief());
    assert!(res.set_cookie(SESSION_COOKIE).is_none(), "a session before the second factor");
    let challenge = res.set_cookie(TWO_FACTOR_COOKIE).context("no cookie for the half-finished sign-in")?;
    assert!(challenge.to_ascii_lowercase().contains("httponly") && challenge.contains("Max-Age=300"), "{challenge}");
    assert!(a.get("/").await?.is_redirect_to("/login"), "half signed in reaches a page");
    assert!(a.get("/account/two-factor").await?.is_redirect_to("/login"));

    // A wrong code: refused, still no session.
    let res = submit_code(&mut a, &wrong_code(&secret)).await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.brief());
    assert!(res.body.contains("確認コードが正しくありません"), "{}", res.brief());
    assert!(a.cookie(SESSION_COOKIE).is_none());

    // The right code (of the next time step: the enrollment spent the current one).
    let code = code_for(&secret, 1);
    let res = submit_code(&mut a, &code).await?;
    assert!(res.is_redirect_to("/"), "{}", res.brief());
    assert!(a.cookie(SESSION_COOKIE).is_some() && a.cookie(TWO_FACTOR_COOKIE).is_none());
    let home = a.get("/").await?;
    assert!(home.status == StatusCode::OK && home.body.contains("人事部門として利用中"), "{}", home.brief());

    // The same code again, on another sign-in: a replay, refused.
    let mut b = app.agent();
    assert!(submit_login(&mut b, "hr", PASSWORD).await?.is_redirect_to("/login/code"));
    let res = submit_code(&mut b, &code).await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.brief());
    assert!(res.body.contains("すでに使用されています"), "{}", res.brief());

    // A recovery code signs in, typed in capitals with spaces; once.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let res = submit_code(&mut b, &typed).await?;
    assert!(res.is_redirect_to("/"), "recovery code: {}", res.brief());
    b.csrf = hidden_csrf(&b.get("/").await?.body).context("home csrf")?;
    assert!(b.get("/account/two-factor").await?.body.contains("未使用のリカバリーコード: 9個"));
    let mut c = app.agent();
    assert!(submit_login(&mut c, "hr", PASSWORD).await?.is_redirect_to("/login/code"));
    let res = submit_code(&mut c, &recovery[0]).await?;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "a recovery code worked twice: {}", res.brief());
    assert!(c.cookie(SESSION_COOKIE).is_none());

    // Each step is in the audit log; the failures say which step failed.
    let log = actions(&app).await?;
    let count = |a: AuditAction, detail: &str| log.iter().filter(|(x, d)| x == a.as_str() && d.contains(detail)).count();
    assert_eq!(count(AuditAction::TwoFactorEnrolled, ""), 1);
    assert_eq!(count(AuditAction::RecoveryCodeUsed, "left=9"), 1);
    assert_eq!(count(AuditAction::SignInFailed, "step=second_factor"), 3);
    assert_eq!(count(AuditAction::SignIn, ""), 3, "the first sign-in, the code, the recovery code");

    // Signing in again over a live session: the second step's form carries the session's own
    // token, and the session is replaced once the second factor is given.
    let old = a.cookie(SESSION_COOKIE).context("session")?.to_string();
    a.csrf = hidden_csrf(&a.get("/").await?.body).context("home csrf")?;
    let res = a.post_form("/login", &[("tenant", TENANT), ("login", "hr"), ("password", PASSWORD), ("next", "/tokens")]).await?;
    assert!(res.is_redirect_to("/login/code"), "{}", res.brief());
    let res = submit_code(&mut a, &recovery[2]).await?;
    assert!(res.is_redirect_to("/tokens"), "{}", res.brief());
    assert_ne!(a.cookie(SESSION_COOKIE), Some(old.as_str()), "the session id must change at sign-in");

    // Turning it off takes a code; then the password alone signs in again.
    let res = b.post_form("/account/two-factor/disable", &[("code", &wrong_code(&secret))]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    let res = b.post_form("/account/two-factor/disable", &[("code", &recovery[1])]).await?;
    assert!(res.is_redirect_to("/account/two-factor?disabled=1"), "{}", res.brief());
    let mut d = app.agent();
    assert!(submit_login(&mut d, "hr", PASSWORD).await?.is_redirect_to("/"));
    assert_eq!(count_of(&app, AuditAction::TwoFactorDisabled).await?, 1);
    Ok(())
}

async fn count_of(app: &App, action: AuditAction) -> Result<usize> {
    Ok(actions(app).await?.iter().filter(|(a, _)| a == action.as_str()).count())
}

async fn second_factor_codes_are_throttled_per_account(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut me = app.signed_in("consultant").await?;
    let (secret, _) = enroll(&mut me).await?;
    let mut a = app.agent();
    assert!(submit_login(&mut a, "consultant", PASSWORD).await?.is_redirect_to("/login/code"));
    for i in 0..5 {
        let res = submit_code(&mut a, &wrong_code(&secret)).await?;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {}: {}", i + 1, res.brief());
    }
    // Even the right code waits now, and a new sign-in with the right password does not help.
    let res = submit_code(&mut a, &code_for(&secret, 1)).await?;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.brief());
    let retry: u64 = res.header("retry-after").context("429 without Retry-After")?.parse()?;
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
    let mut b = app.agent();
    assert!(submit_login(&mut b, "consultant", PASSWORD).await?.is_redirect_to("/login/code"));
    let res = submit_code(&mut b, &code_for(&secret, 1)).await?;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.brief());
    assert!(a.cookie(SESSION_COOKIE).is_none() && b.cookie(SESSION_COOKIE).is_none());
    // Another account is not concerned.
    let mut c = app.agent();
    assert!(submit_login(&mut c, "boss", PASSWORD).await?.is_redirect_to("/"));
    Ok(())
}

async fn the_tenant_requirement_sends_users_to_enrollment_and_nowhere_else(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut consultant = app.signed_in("consultant").await?;
    let mut hr = app.signed_in("hr").await?;
    let mut admin = app.signed_in("admin").await?;

    // "Everyone" would concern the administrator, who has not enrolled: refused, saying why.
    let res = admin.post_form("/admin/security", &[("requirement", "everyone")]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(res.body.contains("ご自身にも適用されます"), "{}", res.brief());

    // The roles that read confidential content: the consultant's live session ends at once.
    let res = admin.post_form("/admin/security", &[("requirement", "confidential")]).await?;
    assert!(res.is_redirect_to("/admin/security?saved=1&ended=1"), "{}", res.brief());
    let page = admin.get("/admin/security").await?;
    assert!(page.body.contains(r#"value="confidential" aria-describedby="requirement-confidential-help" checked"#), "{}", page.brief());
    assert!(page.body.contains("要設定"), "the page names who still has to enroll");
    assert!(consultant.get("/").await?.is_redirect_to("/login"), "the consultant's session outlived the requirement");
    assert_eq!(hr.get("/").await?.status, StatusCode::OK, "HR is not concerned");

    // After the password: enrollment, and nothing else.
    let mut a = app.agent();
    let res = submit_login(&mut a, "consultant", PASSWORD).await?;
    assert!(res.is_redirect_to("/login/enroll"), "{}", res.brief());
    assert!(a.cookie(SESSION_COOKIE).is_none());
    for path in ["/", "/interviews", "/account/two-factor", "/tokens"] {
        assert!(a.get(path).await?.is_redirect_to("/login"), "{path} reached before enrolling");
    }
    assert!(a.get("/login/code").await?.is_redirect_to("/login/enroll"));
    let page = a.get("/login/enroll").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.brief());
    assert!(page.body.contains("組織の設定により、2段階認証の設定が必要です"), "{}", page.brief());
    let secret = secret_in(&page.body).context("no secret on the enrollment page")?;
    let csrf = hidden_csrf(&page.body).context("csrf")?;
    let res = a.post_raw_form("/login/enroll", &[("code", &wrong_code(&secret)), ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert_eq!(secret_in(&res.body).as_deref(), Some(secret.as_slice()), "the same secret is shown again");
    let csrf = hidden_csrf(&res.body).context("csrf")?;
    let res = a.post_raw_form("/login/enroll", &[("code", &code_for(&secret, 0)), ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    assert_eq!(recovery_codes_in(&res.body).len(), 10);
    assert!(res.body.contains(r#"id="codes-continue" href="/""#), "{}", res.brief());
    assert!(a.cookie(SESSION_COOKIE).is_some(), "enrolled and signed in");
    let home = a.get("/").await?;
    assert!(home.body.contains("キャリアコンサルタントとして利用中"), "{}", home.brief());

    // The requirement cannot be turned off by the user it concerns.
    a.csrf = hidden_csrf(&home.body).context("csrf")?;
    let res = a.post_form("/account/two-factor/disable", &[("code", &code_for(&secret, 1))]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(res.body.contains("必須のため解除できません"), "{}", res.brief());

    // The administrator resets it (a lost phone): the consultant is signed out and enrolls again.
    let id = app.store.user_by_login(app.tenant.id, "consultant").await?.id;
    let res = admin.post_form(&format!("/admin/users/{id}/two-factor/reset"), &[]).await?;
    assert!(res.is_redirect_to(&format!("/admin/security?reset={id}")), "{}", res.brief());
    assert!(a.get("/").await?.is_redirect_to("/login"), "a reset ends the user's sessions");
    let mut again = app.agent();
    assert!(submit_login(&mut again, "consultant", PASSWORD).await?.is_redirect_to("/login/enroll"));

    // Users the requirement does not concern sign in as before.
    let mut other = app.agent();
    assert!(submit_login(&mut other, "executive", PASSWORD).await?.is_redirect_to("/"));

    let log = actions(&app).await?;
    assert!(log.iter().any(
        |(a, d)| a == AuditAction::TwoFactorRequirementChanged.as_str() && d == "requirement=confidential was=nobody sessions_ended=1"
    ));
    assert!(log.iter().any(|(a, d)| a == AuditAction::TwoFactorDisabled.as_str() && d == "by=admin"));
    Ok(())
}

async fn api_tokens_are_unaffected_by_two_factor_sign_in(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let user = app.store.user_by_login(app.tenant.id, "consultant").await?;
    let ctx = store::Ctx::for_tests(app.tenant.id, user.id, "consultant", Some(Role::Consultant));
    let (token, _) = app.store.create_token(&ctx, Role::Consultant, "連携", Some(30)).await?;
    let mut api = app.agent();
    let me = |api: &mut Agent| api.request(reqwest::Method::GET, "/api/v1/me").bearer_auth(token.clone());

    // Required of the consultant, not enrolled: the token still acts.
    let admin_ctx = store::Ctx::operator(app.tenant.id, "test");
    app.store.set_two_factor_requirement(&admin_ctx, domain::totp::TwoFactorRequirement::Everyone).await?;
    let rb = me(&mut api);
    let res = api.send(rb).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    assert_eq!(res.json()?["user"]["login"], "consultant");

    // Enrolled: the token still acts, without any code.
    let mut a = app.agent();
    assert!(submit_login(&mut a, "consultant", PASSWORD).await?.is_redirect_to("/login/enroll"));
    let page = a.get("/login/enroll").await?;
    let secret = secret_in(&page.body).context("secret")?;
    let csrf = hidden_csrf(&page.body).context("csrf")?;
    let res = a.post_raw_form("/login/enroll", &[("code", &code_for(&secret, 0)), ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    let rb = me(&mut api);
    let res = api.send(rb).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    assert!(res.set_cookie(SESSION_COOKIE).is_none() && res.set_cookie(TWO_FACTOR_COOKIE).is_none());
    Ok(())
}
