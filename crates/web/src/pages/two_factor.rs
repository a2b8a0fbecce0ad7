//! Two-factor sign-in: the second step after a right password (a code from an authenticator
//! app, or a recovery code), enrollment (forced by the tenant's setting, or by choice from the
//! user's own page), turning it off, and the administrator's setting and resets. The rules are
//! `domain::totp`'s and `domain::throttle`'s; secrets and codes live in the store.

use super::session::{append_cookies, attach_login_csrf, login_form_with, safe_next, start_session};
use super::{render, role_label, with_status, PageCtx};
use crate::auth::{cookie, secure_request, set_cookie, Authed, Lang, MaybeAuthed, Principal};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::audit::{AuditAction, AuditTarget, Fact, Key};
use domain::ids::UserId;
use domain::policy::Operation;
use domain::throttle::{second_factor_key, Verdict};
use domain::totp::{self, SecondStep, TwoFactorRequirement};
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::{Ctx, SecondFactorOutcome, StoreError, TenantRow, TotpSecret, UserRow};

/// The cookie naming the half-finished sign-in (its secret; the server keeps the state).
pub const TWO_FACTOR_COOKIE: &str = "cd_2fa";

pub fn routes(r: Routes) -> Routes {
    r.get("/login/code", Operation::Public, code_page)
        .post("/login/code", Operation::Public, code_submit)
        .get("/login/enroll", Operation::Public, forced_enroll_page)
        .post("/login/enroll", Operation::Public, forced_enroll_submit)
        .get("/account/two-factor", Operation::ManageOwnSession, own_page)
        .post("/account/two-factor", Operation::ManageOwnSession, own_enroll_submit)
        .post("/account/two-factor/disable", Operation::ManageOwnSession, own_disable)
        .post("/account/two-factor/recovery-codes", Operation::ManageOwnSession, own_renew_codes)
        .get("/admin/security", Operation::ManageUsers, admin_page)
        .post("/admin/security", Operation::ManageUsers, admin_set_requirement)
        .post("/admin/users/{id}/two-factor/reset", Operation::ManageUsers, admin_reset)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

// ---------------------------------------------------------------- the QR code

/// A QR code as the pieces of an inline SVG: its size in modules (with the quiet zone) and
/// one path of dark modules. Drawn by the page itself: the secret never leaves the server.
pub struct QrSvg {
    pub size: usize,
    pub path: String,
}

pub fn qr_svg(data: &str) -> Option<QrSvg> {
    use std::fmt::Write;
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    const QUIET: usize = 4;
    let mut path = String::new();
    for (y, row) in colors.chunks(width.max(1)).enumerate() {
        let mut x = 0;
        while x < row.len() {
            if row[x] != qrcode::Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] == qrcode::Color::Dark {
                x += 1;
            }
            let _ = write!(path, "M{} {}h{}v1h-{}z", start + QUIET, y + QUIET, x - start, x - start);
        }
    }
    Some(QrSvg { size: width + 2 * QUIET, path })
}

// ---------------------------------------------------------------- after the password

/// Called by the sign-in form once the password is right: `None` when the user is signed in
/// at once, else the redirect to the second step (a code, or the enrollment the tenant
/// requires), with the half-signed-in state kept server-side for a few minutes.
pub(super) async fn second_step(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &TenantRow,
    user: &UserRow,
    next: &str,
) -> AppResult<Option<Response>> {
    let step = state.store.second_step_for(tenant.id, user.id, &user.roles).await?;
    let path = match step {
        SecondStep::None => return Ok(None),
        SecondStep::Code => "/login/code",
        SecondStep::Enroll => "/login/enroll",
    };
    let secret = state.store.create_sign_in_challenge(tenant.id, user.id, step, next).await?;
    let mut res = Redirect::to(path).into_response();
    let secure = secure_request(state, headers);
    append_cookies(&mut res, &[set_cookie(TWO_FACTOR_COOKIE, &secret, Some(totp::CHALLENGE_TTL_MS / 1000), secure)]);
    Ok(Some(res))
}

/// The half-finished sign-in this browser holds, with its user and tenant.
struct Pending {
    secret: String,
    stage: SecondStep,
    next: String,
    tenant: TenantRow,
    user: UserRow,
    proof: store::SignedIn,
}

impl Pending {
    /// The store context of the half-signed-in user (no role yet).
    fn ctx(&self) -> Ctx {
        Ctx::signed_in(&self.proof, &self.user, None)
    }
}

async fn pending(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Pending>> {
    let Some(secret) = cookie(headers, TWO_FACTOR_COOKIE) else { return Ok(None) };
    let Some(ch) = state.store.sign_in_challenge(secret).await? else { return Ok(None) };
    let user = match state.store.user(ch.tenant, ch.user).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let tenant = state.store.tenant(ch.tenant).await?;
    Ok(Some(Pending { secret: secret.to_string(), stage: ch.stage, next: ch.next, tenant, user, proof: ch.proof }))
}

/// The answer to a browser at the wrong step: the step its half-finished sign-in is at; home
/// when it is signed in already; else the sign-in form, saying the step has expired.
async fn elsewhere(state: &AppState, headers: &HeaderMap, locale: Locale, signed_in: bool, at: Option<SecondStep>) -> AppResult<Response> {
    match at {
        Some(SecondStep::Code) => Ok(Redirect::to("/login/code").into_response()),
        Some(SecondStep::Enroll) => Ok(Redirect::to("/login/enroll").into_response()),
        _ if signed_in => Ok(Redirect::to("/").into_response()),
        _ => login_form_with(state, headers, locale, Tr::new(locale).get("two-factor-expired")).await,
    }
}

fn clear_challenge_cookie(state: &AppState, headers: &HeaderMap) -> String {
    set_cookie(TWO_FACTOR_COOKIE, "", Some(0), secure_request(state, headers))
}

/// Records a wrong second-factor input: counted for throttling, and audited.
async fn second_factor_failed(state: &AppState, ctx: &Ctx, user: UserId, step: &'static str) -> AppResult<()> {
    state.store.record_login_failure(&[&second_factor_key(ctx.tenant().get(), user.get())]).await?;
    state.store.audit(ctx, ctx.event(AuditAction::SignInFailed, AuditTarget::User, user).detail(Fact::Name(Key::Step, step))).await?;
    Ok(())
}

async fn throttle(state: &AppState, pending_ctx: &Ctx, user: UserId) -> AppResult<()> {
    let verdict = state.store.second_factor_verdict(pending_ctx.tenant(), user).await?;
    if verdict != Verdict::Attempt {
        return Err(AppError::Throttled(verdict.retry_after_secs()));
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    ctx: PageCtx,
    error: String,
}

/// Draws a page shown before the sign-in is complete with the form token its next post is
/// checked against: a fresh sign-in token (its cookie set on the answer), or the session's
/// own when the browser still holds one (signing in again over a live session).
fn with_form_token(
    state: &AppState,
    headers: &HeaderMap,
    me: Option<&Principal>,
    mut ctx: PageCtx,
    draw: impl FnOnce(PageCtx) -> AppResult<Response>,
) -> AppResult<Response> {
    if let Some(p) = me.filter(|p| !p.csrf().is_empty()) {
        ctx.csrf = p.csrf().to_string();
        return draw(ctx);
    }
    let token = state.store.issue_login_form_token();
    ctx.csrf = token.clone();
    let mut res = draw(ctx)?;
    attach_login_csrf(state, headers, &mut res, &token);
    Ok(res)
}

fn code_response(
    state: &AppState,
    headers: &HeaderMap,
    me: Option<&Principal>,
    locale: Locale,
    error: String,
    status: StatusCode,
) -> AppResult<Response> {
    let ctx = PageCtx::anonymous(locale, "two-factor-code-title", "/login/code");
    with_form_token(state, headers, me, ctx, |ctx| Ok(with_status(render(&CodePage { ctx, error })?, status)))
}

async fn code_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAuthed(me): MaybeAuthed,
    headers: HeaderMap,
) -> AppResult<Response> {
    match pending(&state, &headers).await? {
        Some(p) if p.stage == SecondStep::Code => code_response(&state, &headers, me.as_ref(), locale, String::new(), StatusCode::OK),
        other => elsewhere(&state, &headers, locale, me.is_some(), other.map(|p| p.stage)).await,
    }
}

async fn code_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAuthed(me): MaybeAuthed,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let p = match pending(&state, &headers).await? {
        Some(p) if p.stage == SecondStep::Code => p,
        other => return elsewhere(&state, &headers, locale, me.is_some(), other.map(|p| p.stage)).await,
    };
    let ctx = p.ctx();
    throttle(&state, &ctx, p.user.id).await?;
    let outcome = state.store.check_second_factor(&ctx, &f.code).await?;
    if !outcome.accepted() {
        second_factor_failed(&state, &ctx, p.user.id, "second_factor").await?;
        let key = if outcome == SecondFactorOutcome::Replayed { "two-factor-code-replayed" } else { "two-factor-code-wrong" };
        return code_response(&state, &headers, me.as_ref(), locale, Tr::new(locale).get(key), StatusCode::UNAUTHORIZED);
    }
    state.store.clear_login_failures(&second_factor_key(p.tenant.id.get(), p.user.id.get())).await?;
    state.store.end_sign_in_challenge(&p.secret).await?;
    let (mut cookies, target) = start_session(&state, &headers, &p.tenant, &p.user, safe_next(Some(&p.next))).await?;
    cookies.push(clear_challenge_cookie(&state, &headers));
    let mut res = Redirect::to(&target).into_response();
    append_cookies(&mut res, &cookies);
    Ok(res)
}

// ---------------------------------------------------------------- enrollment

#[derive(Template)]
#[template(path = "two_factor_enroll.html")]
struct EnrollPage {
    ctx: PageCtx,
    /// Where the confirming code is posted.
    action: &'static str,
    /// Enrollment the tenant requires before anything else.
    forced: bool,
    qr: QrSvg,
    secret: String,
    notice: String,
    error: String,
}

fn enroll_page(
    ctx: PageCtx,
    action: &'static str,
    forced: bool,
    secret: &TotpSecret,
    tenant: &TenantRow,
    user: &UserRow,
    error: String,
) -> AppResult<EnrollPage> {
    let uri = totp::provisioning_uri(secret.bytes(), &tenant.slug, &user.login)
        .ok_or_else(|| AppError::Internal("a two-factor secret gives no provisioning URI".into()))?;
    let qr = qr_svg(&uri).ok_or_else(|| AppError::Internal("the provisioning URI does not fit a QR code".into()))?;
    Ok(EnrollPage { ctx, action, forced, qr, secret: totp::secret_for_display(secret.bytes()), notice: String::new(), error })
}

#[derive(Template)]
#[template(path = "two_factor_codes.html")]
struct CodesPage {
    ctx: PageCtx,
    codes: Vec<String>,
    /// Where the user goes on once the codes are kept.
    continue_to: String,
}

async fn forced_enroll_response(
    state: &AppState,
    headers: &HeaderMap,
    me: Option<&Principal>,
    locale: Locale,
    p: &Pending,
    error: String,
    status: StatusCode,
) -> AppResult<Response> {
    let secret = state.store.two_factor_enrollment(&p.ctx()).await?;
    let ctx = PageCtx::anonymous(locale, "two-factor-enroll-title", "/login/enroll");
    with_form_token(state, headers, me, ctx, |ctx| {
        let page = enroll_page(ctx, "/login/enroll", true, &secret, &p.tenant, &p.user, error)?;
        Ok(with_status(render(&page)?, status))
    })
}

async fn forced_enroll_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAuthed(me): MaybeAuthed,
    headers: HeaderMap,
) -> AppResult<Response> {
    match pending(&state, &headers).await? {
        Some(p) if p.stage == SecondStep::Enroll => {
            forced_enroll_response(&state, &headers, me.as_ref(), locale, &p, String::new(), StatusCode::OK).await
        }
        other => elsewhere(&state, &headers, locale, me.is_some(), other.map(|p| p.stage)).await,
    }
}

async fn forced_enroll_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAuthed(me): MaybeAuthed,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let p = match pending(&state, &headers).await? {
        Some(p) if p.stage == SecondStep::Enroll => p,
        other => return elsewhere(&state, &headers, locale, me.is_some(), other.map(|p| p.stage)).await,
    };
    let ctx = p.ctx();
    throttle(&state, &ctx, p.user.id).await?;
    let codes = match state.store.confirm_two_factor(&ctx, &f.code).await {
        Ok(Some(codes)) => codes,
        Ok(None) => {
            second_factor_failed(&state, &ctx, p.user.id, "enrollment").await?;
            let error = Tr::new(locale).get("two-factor-code-wrong");
            return forced_enroll_response(&state, &headers, me.as_ref(), locale, &p, error, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        // The pending secret expired meanwhile: show the page again with a new one.
        Err(StoreError::NotFound) => return Ok(Redirect::to("/login/enroll").into_response()),
        Err(e) => return Err(e.into()),
    };
    state.store.clear_login_failures(&second_factor_key(p.tenant.id.get(), p.user.id.get())).await?;
    state.store.end_sign_in_challenge(&p.secret).await?;
    let (mut cookies, target) = start_session(&state, &headers, &p.tenant, &p.user, safe_next(Some(&p.next))).await?;
    cookies.push(clear_challenge_cookie(&state, &headers));
    let ctx = PageCtx::anonymous(locale, "two-factor-codes-title", "/login/enroll");
    let mut res = render(&CodesPage { ctx, codes, continue_to: target })?;
    append_cookies(&mut res, &cookies);
    Ok(res)
}

// ---------------------------------------------------------------- the user's own page

#[derive(Template)]
#[template(path = "two_factor_status.html")]
struct StatusPage {
    ctx: PageCtx,
    since: String,
    codes_left: i64,
    may_disable: bool,
    notice: String,
    error: String,
    error_form: &'static str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OwnQuery {
    disabled: String,
}

async fn own_response(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    notice: String,
    error: Option<(&'static str, String)>,
) -> AppResult<Response> {
    let status = state.store.two_factor_status(p.tenant.id, p.user.id).await?;
    let (error_form, error) = error.unwrap_or(("", String::new()));
    let code = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    match status.enrolled_at {
        Some(since) => {
            let requirement = state.store.two_factor_requirement(p.tenant.id).await?;
            let ctx = PageCtx::new(p, locale, "two-factor-title", "/account/two-factor");
            let page = StatusPage {
                ctx,
                since: Tr::new(locale).date_time(since),
                codes_left: status.recovery_codes_left,
                may_disable: totp::may_disable(requirement, &p.user.roles),
                notice,
                error,
                error_form,
            };
            Ok(with_status(render(&page)?, code))
        }
        None => {
            let secret = state.store.two_factor_enrollment(&p.ctx()).await?;
            let ctx = PageCtx::new(p, locale, "two-factor-title", "/account/two-factor");
            let mut page = enroll_page(ctx, "/account/two-factor", false, &secret, &p.tenant, &p.user, error)?;
            page.notice = notice;
            Ok(with_status(render(&page)?, code))
        }
    }
}

async fn own_page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<OwnQuery>) -> AppResult<Response> {
    let notice = if q.disabled.is_empty() { String::new() } else { Tr::new(locale).get("two-factor-disabled-notice") };
    own_response(&state, &p, locale, notice, None).await
}

async fn own_enroll_submit(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ctx = p.ctx();
    throttle(&state, &ctx, p.user.id).await?;
    match state.store.confirm_two_factor(&ctx, &f.code).await {
        Ok(Some(codes)) => {
            state.store.clear_login_failures(&second_factor_key(p.tenant.id.get(), p.user.id.get())).await?;
            let page = CodesPage {
                ctx: PageCtx::new(&p, locale, "two-factor-codes-title", "/account/two-factor"),
                codes,
                continue_to: "/account/two-factor".into(),
            };
            render(&page)
        }
        Ok(None) => {
            second_factor_failed(&state, &ctx, p.user.id, "enrollment").await?;
            own_response(&state, &p, locale, String::new(), Some(("enroll", Tr::new(locale).get("two-factor-code-wrong")))).await
        }
        // Enrolled meanwhile (another tab), or the pending secret expired: the page says which.
        Err(StoreError::NotFound | StoreError::Conflict(_)) => Ok(Redirect::to("/account/two-factor").into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn own_disable(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Form(f): Form<CodeForm>) -> AppResult<Response> {
    let t = Tr::new(locale);
    let requirement = state.store.two_factor_requirement(p.tenant.id).await?;
    if !totp::may_disable(requirement, &p.user.roles) {
        return own_response(&state, &p, locale, String::new(), Some(("disable", t.get("two-factor-disable-required")))).await;
    }
    let ctx = p.ctx();
    throttle(&state, &ctx, p.user.id).await?;
    if !state.store.check_second_factor(&ctx, &f.code).await?.accepted() {
        second_factor_failed(&state, &ctx, p.user.id, "disable").await?;
        return own_response(&state, &p, locale, String::new(), Some(("disable", t.get("two-factor-code-wrong")))).await;
    }
    state.store.clear_login_failures(&second_factor_key(p.tenant.id.get(), p.user.id.get())).await?;
    state.store.disable_two_factor(&ctx, p.user.id).await?;
    Ok(Redirect::to("/account/two-factor?disabled=1").into_response())
}

async fn own_renew_codes(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let ctx = p.ctx();
    throttle(&state, &ctx, p.user.id).await?;
    match state.store.renew_recovery_codes(&ctx, &f.code).await? {
        Some(codes) => {
            state.store.clear_login_failures(&second_factor_key(p.tenant.id.get(), p.user.id.get())).await?;
            let page = CodesPage {
                ctx: PageCtx::new(&p, locale, "two-factor-codes-title", "/account/two-factor"),
                codes,
                continue_to: "/account/two-factor".into(),
            };
            render(&page)
        }
        None => {
            second_factor_failed(&state, &ctx, p.user.id, "recovery_codes").await?;
            own_response(&state, &p, locale, String::new(), Some(("renew", Tr::new(locale).get("two-factor-code-wrong")))).await
        }
    }
}

// ---------------------------------------------------------------- the administrator's page

pub struct RequirementChoice {
    pub value: &'static str,
    pub label: String,
    pub help: String,
    pub checked: bool,
}

pub struct AccountTwoFactor {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub enrolled: bool,
    pub status: String,
    /// The tenant requires it of this account and it has not enrolled yet.
    pub missing: bool,
}

#[derive(Template)]
#[template(path = "admin_security.html")]
struct SecurityPage {
    ctx: PageCtx,
    choices: Vec<RequirementChoice>,
    accounts: Vec<AccountTwoFactor>,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SecurityQuery {
    saved: String,
    ended: String,
    reset: String,
}

async fn admin_response(state: &AppState, p: &Principal, locale: Locale, notice: String, error: String) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "two-factor-admin-title", "/admin/security");
    let t = ctx.t;
    let requirement = state.store.two_factor_requirement(p.tenant.id).await?;
    let enrolled = state.store.two_factor_enrolled(p.tenant.id).await?;
    let choices = TwoFactorRequirement::ALL
        .iter()
        .map(|r| RequirementChoice {
            value: r.as_str(),
            label: t.get(&format!("two-factor-requirement-{}", r.as_str())),
            help: t.get(&format!("two-factor-requirement-{}-help", r.as_str())),
            checked: *r == requirement,
        })
        .collect();
    let accounts = state
        .store
        .accounts(p.tenant.id)
        .await?
        .into_iter()
        .map(|a| {
            let since = enrolled.get(&a.id).copied();
            AccountTwoFactor {
                id: a.id.get(),
                status: match since {
                    Some(ms) => t.with("two-factor-admin-enrolled-since", "date", t.date_time(ms)),
                    None => t.get("two-factor-admin-not-enrolled"),
                },
                enrolled: since.is_some(),
                missing: since.is_none() && requirement.applies_to(&a.roles),
                roles: a.roles.iter().map(|r| role_label(t, *r)).collect(),
                login: a.login,
                display_name: a.display_name,
            }
        })
        .collect();
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(with_status(render(&SecurityPage { ctx, choices, accounts, notice, error })?, status))
}

async fn admin_page(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Query(q): Query<SecurityQuery>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let notice = if !q.saved.is_empty() {
        t.with("two-factor-admin-saved", "count", q.ended.parse::<u64>().unwrap_or(0))
    } else if let Ok(id) = super::admin::parse_user_id(&q.reset) {
        let login = state.store.user(p.tenant.id, id).await.map(|u| u.login).unwrap_or_default();
        t.with("two-factor-admin-reset-done", "login", login)
    } else {
        String::new()
    };
    admin_response(&state, &p, locale, notice, String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequirementForm {
    requirement: String,
}

async fn admin_set_requirement(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Form(f): Form<RequirementForm>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let Some(requirement) = TwoFactorRequirement::parse(&f.requirement) else {
        return admin_response(&state, &p, locale, String::new(), t.get("two-factor-admin-unknown-requirement")).await;
    };
    match state.store.set_two_factor_requirement(&p.ctx(), requirement).await {
        Ok(ended) => Ok(Redirect::to(&format!("/admin/security?saved=1&ended={ended}")).into_response()),
        Err(StoreError::Invalid(Invalid { message, .. })) => {
            admin_response(&state, &p, locale, String::new(), t.msg(&message).to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn admin_reset(State(state): State<AppState>, Authed(p): Authed, Path(id): Path<String>) -> AppResult<Response> {
    let user = super::admin::parse_user_id(&id)?;
    state.store.disable_two_factor(&p.ctx(), user).await?;
    Ok(Redirect::to(&format!("/admin/security?reset={user}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_one_path_of_whole_modules() {
        let qr = qr_svg("otpauth://totp/careerdock:hana%40acme?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&issuer=careerdock");
        let qr = qr.unwrap_or(QrSvg { size: 0, path: String::new() });
        assert!(qr.size >= 21 + 8, "size {}", qr.size);
        assert!(qr.path.starts_with('M') && qr.path.ends_with('z'));
        assert!(qr.path.chars().all(|c| c.is_ascii_digit() || " Mhvz-".contains(c)), "only path commands and numbers");
    }
}
