//! The harness of the web crate's integration tests: the real application on port 0 over a
//! fresh database, one account per role, and a small HTTP agent that keeps its own cookies
//! and never follows redirects (so every 303 and every `Set-Cookie` is seen).

// Shared by the `http` and `e2e` binaries; each uses only part of it.
#![allow(dead_code)]

use anyhow::{bail, Context, Result};
use base64::Engine;
use careerdock_web::{AppState, WebConfig};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::RngCore;
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use store::{Ctx, KeySource, NewUser, OpenOptions, PasswordCost, Store, TenantRow};
use testkit::{fresh_db, Backend, TestDb};

pub const TENANT: &str = "demo";
pub const PASSWORD: &str = "demo-password";
pub const SESSION_COOKIE: &str = "cd_session";
pub const LOGIN_CSRF_COOKIE: &str = "cd_login_csrf";

/// One account per role (login = role name), and one holding two roles.
pub const ACCOUNTS: &[(&str, &[Role])] = &[
    ("consultant", &[Role::Consultant]),
    ("supervisor", &[Role::Supervisor]),
    ("hr", &[Role::Hr]),
    ("executive", &[Role::Executive]),
    ("boss", &[Role::Boss]),
    ("health", &[Role::Health]),
    ("employee", &[Role::Employee]),
    ("admin", &[Role::Admin]),
    ("hr-consultant", &[Role::Hr, Role::Consultant]),
];

/// The running application.
pub struct App {
    pub base: String,
    pub addr: SocketAddr,
    pub store: Store,
    pub tenant: TenantRow,
    pub db: TestDb,
    pub keys: KeySource,
    servers: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for App {
    fn drop(&mut self) {
        for s in &self.servers {
            s.abort();
        }
    }
}

impl App {
    /// Starts another server process's worth of application (its own store and pools) on the
    /// same database, as behind a load balancer; returns its base URL.
    pub async fn second_server(&mut self, config: WebConfig) -> Result<String> {
        let store = Store::open(&self.db.url, OpenOptions { create: false, migrate: false, keys: self.keys.clone() })
            .await?
            .with_password_cost(PasswordCost::Minimal);
        let (base, server) = serve(store, config).await?;
        self.servers.push(server);
        Ok(base)
    }

    pub fn agent(&self) -> Agent {
        Agent::new(&self.base)
    }

    /// A new agent signed in as `login` (see [`login_as`]).
    pub async fn signed_in(&self, login: &str) -> Result<Agent> {
        let mut a = self.agent();
        login_as(&mut a, login).await?;
        Ok(a)
    }
}

pub fn test_config() -> WebConfig {
    WebConfig::default()
}

pub async fn spawn_app(backend: Backend) -> Result<App> {
    spawn_app_with(backend, test_config()).await
}

/// Fresh database, migrated store, tenant `demo` with every account of [`ACCOUNTS`], and the
/// application listening on 127.0.0.1 with an ephemeral port.
pub async fn spawn_app_with(backend: Backend, config: WebConfig) -> Result<App> {
    spawn_app_hashing(backend, config, PasswordCost::Minimal).await
}

/// [`spawn_app_with`], its accounts' passwords hashed at `cost`: the sign-in timing test needs
/// the product's standard cost; every other test takes the minimal one (see [`PasswordCost`]).
pub async fn spawn_app_hashing(backend: Backend, config: WebConfig, cost: PasswordCost) -> Result<App> {
    let db = fresh_db(backend)?;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let keys = KeySource::Inline(base64::engine::general_purpose::STANDARD.encode(key));
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: keys.clone() })
        .await
        .context("opening the store")?
        .with_password_cost(cost);
    let slug = TenantSlug::parse(TENANT).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tenant = store.create_tenant(&slug, "デモ株式会社", KThreshold::DEFAULT, "test").await?;
    // Password hashing dominates the set-up: hash the accounts in parallel.
    let mut creating = Vec::new();
    for (login, roles) in ACCOUNTS {
        let store = store.clone();
        let ctx = Ctx::operator(tenant.id, "test");
        creating.push(tokio::spawn(async move {
            let user = NewUser { login, display_name: login, password: PASSWORD, roles, employee: None };
            store.create_user(&ctx, &user).await
        }));
    }
    for c in creating {
        c.await??;
    }
    let (base, server) = serve(store.clone(), config).await?;
    let addr = base.trim_start_matches("http://").parse()?;
    Ok(App { base, addr, store, tenant, db, keys, servers: vec![server] })
}

async fn serve(store: Store, config: WebConfig) -> Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = careerdock_web::app(AppState::new(store, config));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok((format!("http://{addr}"), server))
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }

    pub fn is_redirect_to(&self, prefix: &str) -> bool {
        self.status.is_redirection() && self.location().is_some_and(|l| l.starts_with(prefix))
    }

    /// The raw `Set-Cookie` line for `name`, if this response sets it.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.split(';').next().and_then(|kv| kv.split_once('=')).is_some_and(|(k, _)| k.trim() == name))
            .map(str::to_string)
    }

    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }

    /// A short description for assertion messages.
    pub fn brief(&self) -> String {
        let body: String = self.body.chars().take(300).collect();
        format!("{} location={:?} body={body:?}", self.status, self.location())
    }
}

/// An HTTP client with its own cookie jar that never follows redirects.
pub struct Agent {
    pub base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    /// The session's CSRF token, once signed in.
    pub csrf: String,
}

impl Agent {
    pub fn new(base: &str) -> Agent {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("reqwest client: {e}"));
        Agent { base: base.to_string(), http, cookies: BTreeMap::new(), csrf: String::new() }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rb = rb.header(COOKIE, header.join("; "));
        }
        rb
    }

    /// Sends a request, keeping the cookies the answer sets or clears.
    pub async fn send(&mut self, rb: reqwest::RequestBuilder) -> Result<Resp> {
        let res = rb.send().await?;
        let status = res.status();
        let headers = res.headers().clone();
        for c in headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let mut parts = c.split(';');
            let Some((name, value)) = parts.next().and_then(|kv| kv.split_once('=')) else {
                continue;
            };
            let cleared = value.is_empty() || parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0"));
            if cleared {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        let body = res.text().await?;
        Ok(Resp { status, headers, body })
    }

    pub async fn get(&mut self, path: &str) -> Result<Resp> {
        let rb = self.request(Method::GET, path);
        self.send(rb).await
    }

    /// A download's status, headers and bytes as sent (no text decoding).
    pub async fn get_bytes(&mut self, path: &str) -> Result<(StatusCode, HeaderMap, Vec<u8>)> {
        let res = self.request(Method::GET, path).send().await?;
        let (status, headers) = (res.status(), res.headers().clone());
        Ok((status, headers, res.bytes().await?.to_vec()))
    }
}

/// The text of a PDF, by poppler's pdftotext (scripts/ensure-test-deps.sh installs it), with
/// every white space taken out (lines wrap where the layout wants).
pub fn pdf_text(bytes: &[u8]) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("file.pdf");
    std::fs::write(&path, bytes)?;
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().context("pdftotext (poppler-utils)")?;
    if !out.status.success() {
        bail!("pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect())
}

impl Agent {
    /// Posts a form; the session's CSRF token is added unless the form names its own.
    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Result<Resp> {
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        if !self.csrf.is_empty() && !fields.iter().any(|(k, _)| *k == "csrf") {
            fields.push(("csrf", &self.csrf));
        }
        let rb = self.request(Method::POST, path).form(&fields);
        self.send(rb).await
    }

    /// Posts a form exactly as given: no CSRF token is added.
    pub async fn post_raw_form(&mut self, path: &str, form: &[(&str, &str)]) -> Result<Resp> {
        let rb = self.request(Method::POST, path).form(form);
        self.send(rb).await
    }
}

/// The value of the hidden `csrf` field of the first form of a page.
pub fn hidden_csrf(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    let rest = html.get(at..)?;
    let end = rest.find('"')?;
    Some(rest[..end].to_string()).filter(|s| !s.is_empty())
}

/// Opens the sign-in page; returns the page's CSRF token after checking it matches the cookie.
pub async fn open_login_page(agent: &mut Agent) -> Result<(Resp, String)> {
    let page = agent.get("/login").await?;
    if page.status != StatusCode::OK {
        bail!("GET /login: {}", page.brief());
    }
    let field = hidden_csrf(&page.body).context("the sign-in form has no csrf field")?;
    let cookie = agent.cookie(LOGIN_CSRF_COOKIE).context("GET /login set no cd_login_csrf cookie")?;
    if cookie != field {
        bail!("the csrf field and the cd_login_csrf cookie differ");
    }
    Ok((page, field))
}

/// Posts the sign-in form for `login` (tenant `demo`, the shared password).
pub async fn submit_login(agent: &mut Agent, login: &str, password: &str) -> Result<Resp> {
    let (_, csrf) = open_login_page(agent).await?;
    agent.post_raw_form("/login", &[("tenant", TENANT), ("login", login), ("password", password), ("csrf", &csrf), ("next", "/")]).await
}

/// Signs in as `login`; returns the session's CSRF token (also kept in `agent.csrf`). A user
/// with several roles is left on the role choice (`/role`), not yet acting in any.
pub async fn login_as(agent: &mut Agent, login: &str) -> Result<String> {
    let res = submit_login(agent, login, PASSWORD).await?;
    if !res.status.is_redirection() {
        bail!("sign-in as {login} failed: {}", res.brief());
    }
    agent.cookie(SESSION_COOKIE).with_context(|| format!("sign-in as {login} set no session cookie"))?;
    let landing = res.location().unwrap_or("/").to_string();
    let page = agent.get(&landing).await?;
    if page.status != StatusCode::OK {
        bail!("after sign-in as {login}, GET {landing}: {}", page.brief());
    }
    agent.csrf = hidden_csrf(&page.body).with_context(|| format!("GET {landing} shows no csrf token"))?;
    Ok(agent.csrf.clone())
}
