//! Who is asking, and may they: sessions and bearer tokens resolve to a `Principal`; every
//! route's declared action goes through `domain::policy::decide`; state-changing requests
//! carry a CSRF token.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::{decide, Actor, Operation, Target};
use domain::{Locale, Role};
use std::net::SocketAddr;
use store::{Acting, Ctx, SignedIn, TenantRow, UserRow};

pub const SESSION_COOKIE: &str = "cd_session";
pub const LANG_COOKIE: &str = "cd_lang";
pub const LOGIN_CSRF_COOKIE: &str = "cd_login_csrf";

#[derive(Clone, Debug)]
pub enum Via {
    Session { secret: String, csrf: String },
    Token,
}

/// A signed-in user, the tenant, and the role they act in (if chosen). Made only by `resolve`
/// from the store's proof of the session or token.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: UserRow,
    pub tenant: TenantRow,
    pub role: Option<Role>,
    pub via: Via,
    proof: SignedIn,
    ctx: Ctx,
}

impl Principal {
    fn new(user: UserRow, tenant: TenantRow, proof: SignedIn, role: Option<Role>, via: Via) -> Principal {
        let ctx = Ctx::signed_in(&proof, &user.login, &user.roles, role);
        Principal { role: ctx.role(), user, tenant, via, proof, ctx }
    }

    pub fn actor(&self) -> Option<Actor> {
        self.ctx.policy_actor()
    }

    /// The store context: every store call names the acting user and role for the audit log.
    pub fn ctx(&self) -> Ctx {
        self.ctx.clone()
    }

    /// The same user's context acting in another role they hold (the role switch).
    pub fn ctx_as(&self, role: Role) -> Ctx {
        Ctx::signed_in(&self.proof, &self.user.login, &self.user.roles, Some(role))
    }

    /// A handle for the acting role's own operations; a role mismatch is refused (the route's
    /// check has already passed, so this only catches a handler wired to the wrong route).
    pub fn acting<R: store::ActingRole>(&self, get: fn(&Ctx) -> store::Result<Acting<R>>) -> AppResult<Acting<R>> {
        get(&self.ctx).map_err(|_| AppError::Forbidden)
    }

    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token => "",
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The caller's address: the socket peer, or the proxy's `X-Forwarded-For` when trusted.
pub fn client_addr(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.behind_proxy {
        if let Some(first) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()) {
            return first.trim().to_string();
        }
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Whether cookies must be marked `Secure`: configured, or a trusted proxy says HTTPS.
pub fn secure_request(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || (state.config.behind_proxy
            && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Principal>> {
    if let Some(secret) = bearer(headers) {
        let Some(p) = state.store.token_principal(secret).await? else { return Err(AppError::Unauthenticated) };
        let user = state.store.user(p.tenant, p.user).await?;
        let tenant = state.store.tenant(p.tenant).await?;
        return Ok(Some(Principal::new(user, tenant, p.proof, Some(p.role), Via::Token)));
    }
    let Some(secret) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let Some(s) = state.store.session(secret, state.config.session_limits).await? else { return Ok(None) };
    let user = match state.store.user(s.tenant, s.user).await {
        // Disabling ends the sessions at once; this also covers a sign-in racing with it.
        Ok(u) if u.disabled => return Ok(None),
        Ok(u) => u,
        Err(store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let tenant = state.store.tenant(s.tenant).await?;
    // A role taken away since sign-in is no longer acted in (`Ctx::signed_in` drops it).
    Ok(Some(Principal::new(user, tenant, s.proof, s.acting_role, Via::Session { secret: secret.to_string(), csrf: s.csrf_token })))
}

pub fn request_locale(headers: &HeaderMap, principal: Option<&Principal>) -> Locale {
    principal
        .and_then(|p| p.user.locale)
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Locale::parse))
        .unwrap_or_else(|| Locale::from_accept_language(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("")))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cross-site form post names another origin; refuse it whatever the token says.
fn origin_ok(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    origin != "null" && origin_host == host
}

/// Finds the CSRF token in a header, the query string, or a url-encoded form body; the body
/// is put back untouched for the handler.
async fn csrf_token_of(req: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let t = h.to_string();
        return Ok((req, Some(t)));
    }
    if let Some(q) = req.uri().query() {
        if let Some((_, v)) = url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "csrf") {
            let t = v.into_owned();
            return Ok((req, Some(t)));
        }
    }
    let is_form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    // Read as the handler's extractor would (same limit), so a body over the limit is a 413
    // whether or not it announced its length.
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        Err(_) => {
            return Err(AppError::Invalid(domain::Invalid::new(
                "body",
                "送信内容を読み取れませんでした。",
                "the request body could not be read",
            ))
            .into_response())
        }
    };
    let token = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Global middleware: resolves the principal and the language, enforces CSRF on
/// state-changing requests made with a session cookie (and on the sign-in form).
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let principal = match resolve(&state, req.headers()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let locale = request_locale(req.headers(), principal.as_ref());
    let mut req = req;
    if !is_safe(req.method()) {
        let session_csrf = principal.as_ref().and_then(|p| match &p.via {
            Via::Session { csrf, .. } => Some(csrf.clone()),
            Via::Token => None,
        });
        let login_csrf = cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_string);
        let needs_check = principal.as_ref().is_none_or(|p| matches!(p.via, Via::Session { .. }));
        if needs_check {
            if !origin_ok(req.headers()) {
                return with_locale(AppError::Csrf.into_response(), locale);
            }
            let (r, token) = match csrf_token_of(req).await {
                Ok(x) => x,
                Err(res) => return with_locale(res, locale),
            };
            req = r;
            let expected = session_csrf.or(login_csrf);
            let ok = matches!((&expected, &token), (Some(e), Some(t)) if constant_eq(e, t));
            if !ok {
                return with_locale(AppError::Csrf.into_response(), locale);
            }
        }
    }
    req.extensions_mut().insert(locale);
    if let Some(p) = principal.clone() {
        req.extensions_mut().insert(p);
    }
    let mut res = with_locale(next.run(req).await, locale);
    // Error pages are drawn further out; they show the signed-in frame (role, sign-out, a
    // working language switch) when they know who asked.
    if let Some(p) = principal {
        res.extensions_mut().insert(p);
    }
    res
}

fn with_locale(mut res: Response, locale: Locale) -> Response {
    res.extensions_mut().insert(locale);
    res
}

/// Per-route middleware: the route's declared action, decided for the principal.
pub async fn authorize(State(action): State<Operation>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let principal = req.extensions().get::<Principal>().cloned();
    if !action.needs_sign_in() {
        return next.run(req).await;
    }
    let Some(p) = principal else {
        if is_api {
            return AppError::Unauthenticated.into_response();
        }
        let target = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let next_param: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    };
    if let Some(refusal) = password_change_first(&p, action, is_api) {
        return refusal;
    }
    if !action.needs_role() {
        return next.run(req).await;
    }
    let Some(actor) = p.actor() else {
        if is_api {
            return AppError::NeedsRole.into_response();
        }
        return Redirect::to("/role").into_response();
    };
    if !decide(&actor, action, Target::Route).is_allow() {
        return AppError::Forbidden.into_response();
    }
    next.run(req).await
}

/// Where a password change is due and how to get there.
pub const PASSWORD_PAGE: &str = "/account/password";

/// A user signed in with a one-time password reaches nothing but the password change (and
/// signing out, the language): pages send them there, the API refuses. API tokens are issued
/// by an operator on purpose and are not held back.
fn password_change_first(p: &Principal, action: Operation, is_api: bool) -> Option<Response> {
    if !p.user.must_change_password || matches!(p.via, Via::Token) || action == Operation::ManageOwnSession {
        return None;
    }
    Some(if is_api { AppError::PasswordChangeRequired.into_response() } else { Redirect::to(PASSWORD_PAGE).into_response() })
}

/// Extractor for handlers behind `authorize`: the principal, known to be signed in.
pub struct Authed(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(Authed).ok_or(AppError::Unauthenticated)
    }
}

/// Extractor: the principal if signed in.
pub struct MaybeAuthed(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeAuthed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuthed(parts.extensions.get::<Principal>().cloned()))
    }
}

/// Extractor: the language of this request.
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(parts.extensions.get::<Locale>().copied().unwrap_or_default()))
    }
}

/// Extractor: the caller's address (for throttling).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Ok(ClientAddr(client_addr(state, &parts.headers, peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_among_many() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; cd_session=abc; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "zz"), None);
    }

    #[test]
    fn foreign_origins_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(origin_ok(&h));
        h.insert(ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(origin_ok(&h));
        h.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!origin_ok(&h));
    }

    #[test]
    fn token_comparison() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
