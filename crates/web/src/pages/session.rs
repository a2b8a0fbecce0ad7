//! Signing in and out, choosing the acting role (R6), and the language switch.

use super::{render, role_label, with_status, PageCtx};
use crate::auth::{
    cookie, secure_request, set_cookie, Authed, ClientAddr, Lang, MaybeAuthed, Via, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::error::{AppError, AppResult, Form, Query};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::{AuditAction, AuditTarget, Fact};
use domain::policy::Operation;
use domain::session::local_return_path;
use domain::throttle::{SignInKeys, Verdict};
use domain::{Locale, Role};
use serde::Deserialize;
use store::{Ctx, TenantRow, UserRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/login", Operation::Public, login_page)
        .post("/login", Operation::Public, login_submit)
        .post("/logout", Operation::ManageOwnSession, logout)
        .get("/role", Operation::ChooseRole, role_page)
        .post("/role", Operation::ChooseRole, role_submit)
        .post("/locale", Operation::Public, locale_submit)
}

/// Only paths of this site are followed after sign-in, a role choice or a language switch
/// (`domain::session::local_return_path`), so a link cannot send a user elsewhere.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next.and_then(local_return_path) {
        Some(n) if !n.starts_with("/login") => n.to_string(),
        _ => "/".to_string(),
    }
}

pub struct DemoLogin {
    pub login: &'static str,
    pub roles: String,
}

const DEMO_LOGINS: &[(&str, &[Role])] = &[
    ("consultant1", &[Role::Consultant]),
    ("consultant2", &[Role::Consultant]),
    ("supervisor", &[Role::Supervisor]),
    ("hr", &[Role::Hr]),
    ("hr-consultant", &[Role::Hr, Role::Consultant]),
    ("executive", &[Role::Executive]),
    ("boss", &[Role::Boss]),
    ("health", &[Role::Health]),
    ("health2", &[Role::Health]),
    ("employee", &[Role::Employee]),
    ("admin", &[Role::Admin]),
];

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    tenant: String,
    login: String,
    next: String,
    error: String,
    demo: Vec<DemoLogin>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    tenant: Option<String>,
}

async fn default_tenant(state: &AppState) -> String {
    match state.store.tenants().await {
        Ok(t) if t.len() == 1 => t[0].slug.clone(),
        _ => String::new(),
    }
}

fn login_response(state: &AppState, headers: &HeaderMap, mut page: LoginPage, status: StatusCode) -> AppResult<Response> {
    let token = state.store.issue_login_form_token();
    page.ctx.csrf = token.clone();
    let mut res = with_status(render(&page)?, status);
    attach_login_csrf(state, headers, &mut res, &token);
    Ok(res)
}

/// Sets the cookie half of a form token for pages shown before sign-in (the sign-in form, and
/// the second step's forms), whose other half is the form's hidden field.
pub(super) fn attach_login_csrf(state: &AppState, headers: &HeaderMap, res: &mut Response, token: &str) {
    if let Ok(v) = set_cookie(LOGIN_CSRF_COOKIE, token, Some(3600), secure_request(state, headers)).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
}

fn login_page_for(state: &AppState, locale: Locale, tenant: String, login: String, next: String, error: String) -> LoginPage {
    let t = crate::i18n::Tr::new(locale);
    let demo = if state.config.demo_mode {
        DEMO_LOGINS
            .iter()
            .map(|(login, roles)| DemoLogin { login, roles: roles.iter().map(|r| role_label(t, *r)).collect::<Vec<_>>().join(" + ") })
            .collect()
    } else {
        Vec::new()
    };
    LoginPage { ctx: PageCtx::anonymous(locale, "login-title", "/login"), tenant, login, next, error, demo }
}

async fn login_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAuthed(p): MaybeAuthed,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if p.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let tenant = match q.tenant {
        Some(t) => t,
        None => default_tenant(&state).await,
    };
    let page = login_page_for(&state, locale, tenant, String::new(), safe_next(q.next.as_deref()), String::new());
    login_response(&state, &headers, page, StatusCode::OK)
}

/// The sign-in form again, saying why (a second step that expired, say).
pub(super) async fn login_form_with(state: &AppState, headers: &HeaderMap, locale: Locale, error: String) -> AppResult<Response> {
    let tenant = default_tenant(state).await;
    let page = login_page_for(state, locale, tenant, String::new(), "/".to_string(), error);
    login_response(state, headers, page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    tenant: String,
    login: String,
    password: String,
    next: Option<String>,
}

async fn login_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    // No account has a longer login id or organization code: refused before any work.
    if let Err(e) = domain::session::check_sign_in_input(&f.tenant, &f.login) {
        let t = crate::i18n::Tr::new(locale);
        let page =
            login_page_for(&state, locale, String::new(), String::new(), safe_next(f.next.as_deref()), t.msg(&e.message).to_string());
        return login_response(&state, &headers, page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let login = f.login.trim().to_string();
    let tenant_slug = f.tenant.trim().to_string();
    let keys = SignInKeys::new(&addr, &tenant_slug, &login);
    let verdict = state.store.sign_in_verdict(&keys).await?;
    if verdict != Verdict::Attempt {
        return Err(AppError::Throttled(verdict.retry_after_secs()));
    }
    let tenant = state.store.tenant_by_slug(&tenant_slug).await.ok();
    let user = match &tenant {
        Some(t) if !login.is_empty() => state.store.authenticate(t.id, &login, &f.password).await?,
        // As slow as a wrong password, so the answer does not tell which codes exist.
        _ => {
            state.store.authenticate_nobody(&f.password).await?;
            None
        }
    };
    let next = safe_next(f.next.as_deref());
    let (Some(tenant), Some(user)) = (tenant.clone(), user) else {
        state.store.record_login_failure(&keys.all()).await?;
        if let Some(t) = &tenant {
            // What was typed reaches the permanent audit log only normalized and capped.
            let label = domain::session::untrusted_label(&login);
            let ctx = Ctx::anonymous(t.id, &label);
            state.store.audit(&ctx, ctx.event(AuditAction::SignInFailed, AuditTarget::SignInAttempt, &label)).await?;
        }
        let t = crate::i18n::Tr::new(locale);
        let page = login_page_for(&state, locale, tenant_slug, login, next, t.get("login-failed"));
        return login_response(&state, &headers, page, StatusCode::UNAUTHORIZED);
    };
    for key in keys.cleared_by_success() {
        state.store.clear_login_failures(key).await?;
    }
    // An enrolled user gives a code next; one the tenant requires to enroll, enrolls first.
    if let Some(res) = super::two_factor::second_step(&state, &headers, &tenant, &user, &next).await? {
        return Ok(res);
    }
    let (cookies, target) = start_session(&state, &headers, &tenant, &user, next).await?;
    let mut res = Redirect::to(&target).into_response();
    append_cookies(&mut res, &cookies);
    Ok(res)
}

/// Starts the session of a user who has proven who they are (password, and the second factor
/// when they have one): the `Set-Cookie` lines to send, and where to go next.
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    tenant: &TenantRow,
    user: &UserRow,
    next: String,
) -> AppResult<(Vec<String>, String)> {
    let role = if user.roles.len() == 1 { user.roles.first().copied() } else { None };
    let old = cookie(headers, SESSION_COOKIE);
    let session = state.store.create_session(tenant.id, user.id, role, old).await?;
    let ctx = Ctx::signed_in(&session.proof, user, role);
    state.store.audit(&ctx, ctx.event(AuditAction::SignIn, AuditTarget::User, user.id)).await?;
    let target = if role.is_none() && !user.roles.is_empty() {
        format!("/role?next={}", url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>())
    } else {
        next
    };
    let secure = secure_request(state, headers);
    let cookies = vec![set_cookie(SESSION_COOKIE, &session.secret, None, secure), set_cookie(LOGIN_CSRF_COOKIE, "", Some(0), secure)];
    Ok((cookies, target))
}

pub(super) fn append_cookies(res: &mut Response, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
}

async fn logout(State(state): State<AppState>, Authed(p): Authed, headers: HeaderMap) -> AppResult<Response> {
    if let Via::Session { secret, .. } = &p.via {
        state.store.delete_session(secret).await?;
    }
    let ctx = p.ctx();
    state.store.audit(&ctx, ctx.event(AuditAction::SignOut, AuditTarget::User, p.user.id)).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, "", Some(0), secure_request(&state, &headers)).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

pub struct RoleChoice {
    pub code: &'static str,
    pub label: String,
    pub description: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "role.html")]
struct RolePage {
    ctx: PageCtx,
    choices: Vec<RoleChoice>,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn role_page(Authed(p): Authed, Lang(locale): Lang, Query(q): Query<NextQuery>) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "role-title", "/role");
    let t = ctx.t;
    let choices = p
        .user
        .roles
        .iter()
        .map(|r| RoleChoice {
            code: r.as_str(),
            label: role_label(t, *r),
            description: t.get(&format!("role-{}-desc", r.as_str())),
            current: p.role == Some(*r),
        })
        .collect();
    render(&RolePage { ctx, choices, next: safe_next(q.next.as_deref()) })
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
    next: Option<String>,
}

async fn role_submit(State(state): State<AppState>, Authed(p): Authed, headers: HeaderMap, Form(f): Form<RoleForm>) -> AppResult<Response> {
    let Via::Session { secret, .. } = &p.via else { return Err(AppError::Forbidden) };
    let role = Role::parse(&f.role).filter(|r| p.user.roles.contains(r)).ok_or(AppError::Forbidden)?;
    // A new session id for the new role; the old one no longer works.
    let renewed = state.store.set_session_role(secret, role).await?;
    let ctx = p.ctx_as(role);
    state.store.audit(&ctx, ctx.event(AuditAction::RoleChosen, AuditTarget::User, p.user.id).detail(Fact::Role(role))).await?;
    let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    if let Ok(v) = set_cookie(SESSION_COOKIE, &renewed, None, secure_request(&state, &headers)).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Deserialize)]
pub struct LocaleForm {
    locale: String,
    next: Option<String>,
}

async fn locale_submit(
    State(state): State<AppState>,
    MaybeAuthed(p): MaybeAuthed,
    headers: HeaderMap,
    Form(f): Form<LocaleForm>,
) -> AppResult<Response> {
    let locale = Locale::parse(&f.locale)
        .ok_or_else(|| domain::Invalid::new("locale", "言語は ja または en を指定してください。", "the language must be ja or en"))?;
    if let Some(p) = &p {
        state.store.set_user_locale(p.tenant.id, p.user.id, locale).await?;
    }
    let next = f.next.as_deref().and_then(local_return_path).unwrap_or("/").to_string();
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = set_cookie(LANG_COOKIE, locale.code(), Some(365 * 86400), secure_request(&state, &headers)).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/employees?q=1")), "/employees?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/%09/evil.example/")), "/");
        assert_eq!(safe_next(Some("/login?next=/x")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
