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
    /// Unread notices, up to `store::UNREAD_COUNT_CAP` (pages only: 0 for API tokens).
    pub unread_notices: i64,
    /// The page asked for with a GET, when the language switch may return to it (`page_address`).
    pub here: Option<String>,
    proof: SignedIn,
    ctx: Ctx,
}

impl Principal {
    fn new(user: UserRow, tenant: TenantRow, proof: SignedIn, role: Option<Role>, via: Via) -> Principal {
        let ctx = Ctx::signed_in(&proof, &user, role);
        Principal { role: ctx.role(), user, tenant, via, unread_notices: 0, here: None, proof, ctx }
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
        Ctx::signed_in(&self.proof, &self.user, Some(role))
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
    let mut p = Principal::new(user, tenant, s.proof, s.acting_role, Via::Session { secret: secret.to_string(), csrf: s.csrf_token });
    // The header's count of unread notices: one indexed count, capped.
    p.unread_notices = state.store.unread_notification_count(s.tenant, s.user).await?;
    Ok(Some(p))
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

/// A cross-site post names another origin; refuse it whatever the token says. The origin must
/// be this server's own: the scheme it is reached by (`https` when cookies are secure or a
/// trusted proxy says so, `http` otherwise), the host and the port. `null` (a sandboxed frame,
/// a `data:` page, some redirects) is refused; a request without `Origin` is left to the token.
fn origin_ok(headers: &HeaderMap, authority: Option<&str>, secure: bool) -> bool {
    let Some(origin) = headers.get(ORIGIN) else { return true };
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()).or(authority) else { return false };
    let Ok(origin) = origin.to_str() else { return false };
    let scheme = if secure { "https" } else { "http" };
    let (Ok(theirs), Ok(ours)) = (url::Url::parse(origin), url::Url::parse(&format!("{scheme}://{host}"))) else { return false };
    let bare = |u: &url::Url| {
        u.path() == "/" && u.username().is_empty() && u.password().is_none() && u.query().is_none() && u.fragment().is_none()
    };
    // `Url::parse` names the default port `None`, so `:443` and nothing compare alike.
    origin != "null"
        && bare(&theirs)
        && bare(&ours)
        && !origin.ends_with('/')
        && theirs.scheme() == ours.scheme()
        && theirs.host() == ours.host()
        && theirs.port_or_known_default() == ours.port_or_known_default()
}

/// The one-off token of a sign-in form, as the server drew it (cookie and field alike).
fn login_form_ok(state: &AppState, cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        (Some(c), Some(f)) => constant_eq(c, f) && state.store.login_form_token_valid(c),
        _ => false,
    }
}

/// Finds the CSRF token in the `X-CSRF-Token` header, a url-encoded form body, or the `csrf`
/// field of a multipart body (file uploads); the body is put back untouched for the handler.
/// Never from the query string: a token in a URL shows in the address bar, history and
/// `Referer`.
async fn csrf_token_of(req: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let t = h.to_string();
        return Ok((req, Some(t)));
    }
    let content_type =
        req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").trim_start().to_ascii_lowercase();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    // Read as the handler's extractor would (same limit), so a body over the limit is a 413
    // whether or not it announced its length.
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(b) => b,
        Err(rejection) => return Err(AppError::from(rejection).into_response()),
    };
    let token = if is_form {
        url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned())
    } else {
        let copy = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let mut token = None;
        // A body that does not read as multipart carries no token, and is refused as such.
        let mut multipart = axum::extract::Multipart::from_request(copy, &()).await.ok();
        while let Some(m) = multipart.as_mut() {
            match m.next_field().await {
                Ok(Some(field)) if field.name() == Some("csrf") => {
                    token = field.text().await.ok();
                    break;
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::TooLarge.into_response()),
                Err(_) => break,
            }
        }
        token
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Global middleware: resolves the principal and the language, enforces CSRF on
/// state-changing requests made with a session cookie (and on the sign-in form).
pub async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut principal = match resolve(&state, req.headers()).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if let Some(p) = principal.as_mut().filter(|_| is_safe(req.method())) {
        p.here = page_address(req.uri());
    }
    let locale = request_locale(req.headers(), principal.as_ref());
    let mut req = req;
    if !is_safe(req.method()) {
        let session_csrf = principal.as_ref().and_then(|p| match &p.via {
            Via::Session { csrf, .. } => Some(csrf.clone()),
            Via::Token => None,
        });
        let login_csrf = cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_string);
        // A session's request, and an anonymous one (the sign-in form's token). Not a bearer
        // token's (no ambient credential to forge), nor an anonymous request to the API, which
        // has no form and nothing to sign in to: the route answers it 401 `unauthenticated`,
        // what a client that forgot its token must hear, rather than the form's 403 `csrf`.
        let anonymous_api = principal.is_none() && req.uri().path().starts_with("/api/");
        let needs_check = !anonymous_api && principal.as_ref().is_none_or(|p| matches!(p.via, Via::Session { .. }));
        if needs_check {
            let secure = secure_request(&state, req.headers());
            if !origin_ok(req.headers(), req.uri().authority().map(|a| a.as_str()), secure) {
                return with_locale(AppError::Csrf.into_response(), locale);
            }
            let (r, token) = match csrf_token_of(req).await {
                Ok(x) => x,
                Err(res) => return with_locale(res, locale),
            };
            req = r;
            // Signed in: the session's token. Before: the sign-in form's, which the server
            // must have drawn (a pair made up by someone else is refused).
            let ok = match &session_csrf {
                Some(expected) => token.as_deref().is_some_and(|t| constant_eq(expected, t)),
                None => login_form_ok(&state, login_csrf.as_deref(), token.as_deref()),
            };
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

/// The page `uri` asks for, as the language switch may return to it: its path, when its query
/// says nothing but the `done` notice of what had just been done. A query of anything else
/// (filters, a form's subject, another return address) is never written back into the page.
fn page_address(uri: &axum::http::Uri) -> Option<String> {
    let plain = uri.query().unwrap_or_default().split('&').all(|kv| kv.is_empty() || kv.starts_with("done="));
    plain.then(|| uri.path().to_string())
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
    fn the_page_address_is_a_path_without_a_query_but_done() {
        let at = |u: &str| page_address(&u.parse().unwrap());
        assert_eq!(at("/interviews/5").as_deref(), Some("/interviews/5"));
        assert_eq!(at("/interviews/5?done=scheduled").as_deref(), Some("/interviews/5"));
        assert_eq!(at("/cycles/3?done=created&count=2"), None);
        assert_eq!(at("/requests?status=evil"), None);
        assert_eq!(at("/boss/guide?next=//evil.example/x"), None);
    }

    #[test]
    fn cookies_are_found_among_many() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; cd_session=abc; b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "zz"), None);
    }

    fn origin_of(host: &'static str, origin: Option<&'static str>, secure: bool) -> bool {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static(host));
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(o));
        }
        origin_ok(&h, None, secure)
    }

    #[test]
    fn foreign_origins_are_refused() {
        assert!(origin_of("127.0.0.1:8080", None, false));
        assert!(origin_of("127.0.0.1:8080", Some("http://127.0.0.1:8080"), false));
        assert!(!origin_of("127.0.0.1:8080", Some("https://evil.example"), false));
    }

    #[test]
    fn origins_are_compared_by_scheme_host_and_port() {
        // Plain HTTP server: an https page of the same host is another origin, and so on.
        assert!(!origin_of("app.example:8080", Some("https://app.example:8080"), false));
        assert!(!origin_of("app.example", Some("https://app.example"), false));
        assert!(origin_of("app.example", Some("http://app.example"), false));
        assert!(origin_of("app.example", Some("http://app.example:80"), false));
        assert!(!origin_of("app.example", Some("http://app.example:8080"), false));
        assert!(!origin_of("app.example:8080", Some("http://app.example"), false));
        // Behind TLS: only https, default port or 443.
        assert!(origin_of("app.example", Some("https://app.example"), true));
        assert!(origin_of("app.example", Some("https://app.example:443"), true));
        assert!(origin_of("app.example:443", Some("https://app.example"), true));
        assert!(!origin_of("app.example", Some("http://app.example"), true));
        assert!(!origin_of("app.example", Some("https://app.example.evil.example"), true));
        assert!(!origin_of("app.example", Some("https://evil.example@app.example"), true), "user info");
        assert!(!origin_of("app.example", Some("https://app.example/"), true), "an origin has no path");
        assert!(!origin_of("app.example", Some("null"), true));
        assert!(!origin_of("app.example", Some("null"), false));
        assert!(!origin_of("app.example", Some("app.example"), false), "no scheme");
        assert!(!origin_of("app.example", Some(""), false));
        assert!(origin_of("APP.example", Some("http://app.EXAMPLE"), false), "host names compare case-insensitively");
    }

    #[test]
    fn token_comparison() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
