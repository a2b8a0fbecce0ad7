//! `careerdock bench pages`: every demo login signs in over real HTTP and every page of its
//! navigation, with the main sub-pages, is timed. Figures are printed, never asserted.

use crate::config::{self, Global};
use crate::demo::{demo_logins, populate, DemoArgs, DEMO_PASSWORD, DEMO_TENANT};
use crate::serve::{web_config, ServeArgs};
use anyhow::{bail, Context};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use store::{KeySource, OpenOptions, Store};

/// The goal for every page at 100,000 employees.
pub const BUDGET_MS: f64 = 200.0;
pub const BUDGET_KIB: f64 = 200.0;

/// The search the employee register is timed with (a common family name of the demo).
const SEARCH: &str = "山田";

pub struct PagesArgs {
    pub employees: usize,
    pub requests: usize,
    /// The database named by `--db`, when it was given; otherwise a temporary SQLite file.
    pub db: Option<String>,
}

/// One measured page.
pub struct Measured {
    pub role: String,
    pub path: String,
    pub median_ms: f64,
    pub p95_ms: f64,
    pub kib: f64,
    pub status: u16,
}

impl Measured {
    pub fn over_time(&self) -> bool {
        self.median_ms > BUDGET_MS
    }

    pub fn over_size(&self) -> bool {
        self.kib > BUDGET_KIB
    }
}

pub async fn run(g: &Global, args: PagesArgs) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with `cargo build --release -p careerdock`");
    }
    let temp = tempdir()?;
    let store = match &args.db {
        Some(_) => config::open(g, true).await?,
        None => {
            let url = temp.join("pages.db").display().to_string();
            Store::open(&url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(super::random_key()) }).await?
        }
    };
    let result = measure(&store, &args).await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&temp);
    let rows = result?;
    print_summary(&rows);
    Ok(())
}

fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("careerdock-bench-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn measure(store: &Store, args: &PagesArgs) -> anyhow::Result<Vec<Measured>> {
    let backend = store.backend().as_str();
    match store.tenant_by_slug(DEMO_TENANT).await {
        Ok(t) => {
            let n = store.employee_count(t.id).await?;
            if n != args.employees as i64 {
                bail!("the database already holds a demo of {n} employees, not {}: give --employees {n} or another --db", args.employees);
            }
            println!("bench pages on {backend}: reusing the demo of {n} employees");
        }
        Err(store::StoreError::NotFound) => {
            let start = Instant::now();
            populate(
                store,
                &DemoArgs { employees: args.employees, seed: 20261125, no_serve: true, listen: String::new(), mail: Default::default() },
            )
            .await?;
            println!("bench pages on {backend}: built the demo of {} employees in {:.1} s", args.employees, start.elapsed().as_secs_f64());
        }
        Err(e) => return Err(e.into()),
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let serve = ServeArgs {
        listen: String::new(),
        behind_proxy: false,
        secure_cookies: false,
        session_idle_minutes: 30,
        demo_mode: false,
        mail: crate::mail::MailArgs::none(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = web::AppState::new(store.clone(), web_config(&serve)?);
    let server = tokio::spawn(web::serve(state, listener, async {
        let _ = stopped.await;
    }));

    let requests = args.requests.max(1);
    println!("{requests} timed requests per page, one at a time, after one untimed request; sizes are the uncompressed bodies");
    print_header();
    let mut rows = Vec::new();
    let outcome = async {
        for (login, _) in demo_logins() {
            let mut agent = Agent::new(&base)?;
            let roles = agent.sign_in(login).await.with_context(|| format!("signing in as {login}"))?;
            for role in roles {
                let label = match &role {
                    Some(r) => format!("{login} ({r})"),
                    None => login.to_string(),
                };
                if let Some(r) = &role {
                    agent.act_as(r).await.with_context(|| format!("{login}: choosing the role {r}"))?;
                }
                rows.extend(agent.measure_role(&label, requests).await?);
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let _ = stop.send(());
    let _ = server.await;
    outcome?;
    Ok(rows)
}

/// The record pages of issues 8 and 10 timed from the first list that links to one.
const RECORDS: [&str; 13] = [
    "/disclosures/",
    "/important-cases/",
    "/escalations/",
    "/feedback/",
    "/org-issues/",
    "/raised-issues/",
    "/boss-consultations/",
    "/follow-ups/",
    "/referrals/",
    "/actions/",
    "/policies/",
    "/questionnaires/",
    "/reviews/",
];

/// Pages of issue 10 reached from a card or a list rather than the navigation, timed when a
/// visited page links to them.
const LINKED: [&str; 4] = ["/reviews/compare", "/reports/effect", "/referral-counts", "/my/questionnaires"];

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

const ROLE_W: usize = 26;
const PATH_W: usize = 36;

fn print_header() {
    println!();
    println!("{:<ROLE_W$}  {:<PATH_W$}  {:>9}  {:>9}  {:>8}  {:>6}  over", "role", "page", "median ms", "p95 ms", "KiB", "status");
}

/// One row, printed as soon as it is measured (a slow page shows while the rest runs).
fn print_row(r: &Measured) {
    let mut over = Vec::new();
    if r.over_time() {
        over.push("TIME");
    }
    if r.over_size() {
        over.push("SIZE");
    }
    println!(
        "{:<ROLE_W$}  {:<PATH_W$}  {:>9.1}  {:>9.1}  {:>8.1}  {:>6}  {}",
        r.role,
        r.path,
        r.median_ms,
        r.p95_ms,
        r.kib,
        r.status,
        over.join(" ")
    );
}

fn print_summary(rows: &[Measured]) {
    let slow = rows.iter().filter(|r| r.over_time()).count();
    let big = rows.iter().filter(|r| r.over_size()).count();
    let failed = rows.iter().filter(|r| r.status != 200).count();
    println!();
    println!("{} pages: {slow} over {BUDGET_MS:.0} ms (median), {big} over {BUDGET_KIB:.0} KiB, {failed} not answering 200", rows.len());
}

/// A client with its own cookies that never follows redirects.
pub(super) struct Agent {
    base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    csrf: String,
}

pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) location: Option<String>,
    pub(super) body: String,
}

impl Agent {
    pub(super) fn new(base: &str) -> anyhow::Result<Agent> {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(Agent { base: base.to_string(), http, cookies: BTreeMap::new(), csrf: String::new() })
    }

    /// The `Cookie` header the agent sends (its session), for another client to send as well.
    pub(super) fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub(super) async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> anyhow::Result<Answer> {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let header: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rb = rb.header(COOKIE, header.join("; "));
        }
        if let Some(form) = form {
            rb = rb.form(form);
        }
        let res = rb.send().await?;
        let status = res.status();
        for c in res.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            let mut parts = c.split(';');
            let Some((name, value)) = parts.next().and_then(|kv| kv.split_once('=')) else {
                continue;
            };
            if value.is_empty() || parts.any(|p| p.trim().eq_ignore_ascii_case("max-age=0")) {
                self.cookies.remove(name.trim());
            } else {
                self.cookies.insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = res.text().await?;
        Ok(Answer { status, location, body })
    }

    /// Signs in; returns the roles to measure (`None` for a single-role account).
    async fn sign_in(&mut self, login: &str) -> anyhow::Result<Vec<Option<String>>> {
        let page = self.send(Method::GET, "/login", None).await?;
        let csrf = hidden(&page.body, "csrf").context("the sign-in page has no csrf field")?;
        let res = self
            .send(
                Method::POST,
                "/login",
                Some(&[("tenant", DEMO_TENANT), ("login", login), ("password", DEMO_PASSWORD), ("csrf", &csrf), ("next", "/")]),
            )
            .await?;
        let Some(landing) = res.location.filter(|_| res.status.is_redirection()) else {
            bail!("the sign-in answered {} instead of a redirect", res.status);
        };
        let page = self.send(Method::GET, &landing, None).await?;
        if page.status != StatusCode::OK {
            bail!("after signing in, GET {landing} answered {}", page.status);
        }
        self.csrf = hidden(&page.body, "csrf").with_context(|| format!("GET {landing} shows no csrf token"))?;
        if landing.starts_with("/role") {
            let roles = all_values(&page.body, "role");
            if roles.is_empty() {
                bail!("the role choice offers no role");
            }
            Ok(roles.into_iter().map(Some).collect())
        } else {
            Ok(vec![None])
        }
    }

    async fn act_as(&mut self, role: &str) -> anyhow::Result<()> {
        let csrf = self.csrf.clone();
        let res = self.send(Method::POST, "/role", Some(&[("csrf", &csrf), ("role", role), ("next", "/")])).await?;
        if !res.status.is_redirection() {
            bail!("POST /role answered {}", res.status);
        }
        Ok(())
    }

    /// The pages of the acting role: its navigation, then the sub-pages found on them.
    async fn measure_role(&mut self, role: &str, requests: usize) -> anyhow::Result<Vec<Measured>> {
        let home = self.send(Method::GET, "/", None).await?;
        if home.status != StatusCode::OK {
            bail!("{role}: GET / answered {}", home.status);
        }
        let mut pages: Vec<String> = vec!["/".to_string()];
        for href in navigation(&home.body) {
            if !pages.contains(&href) {
                pages.push(href);
            }
        }
        // Every role's inbox and notification settings (issue 8), linked from the header.
        pages.extend(["/notifications".to_string(), "/account/notifications".to_string()]);
        let mut out = Vec::new();
        let mut i = 0;
        while i < pages.len() {
            let path = pages[i].clone();
            i += 1;
            let first = self.send(Method::GET, &path, None).await?;
            // The main sub-pages, from the first page that links to one.
            for prefix in RECORDS.iter().chain(["/cycles/", "/interviews/", "/reports/"].iter()) {
                if pages.iter().any(|p| is_record(p, prefix)) {
                    continue;
                }
                if let Some(link) = first_record_link(&first.body, prefix) {
                    pages.push(link);
                }
            }
            for linked in LINKED {
                if !pages.iter().any(|p| p == linked) && first.body.contains(&format!("href=\"{linked}\"")) {
                    pages.push(linked.to_string());
                }
            }
            // The questionnaire answers of the first interview (the consultant's trajectory).
            if is_record(&path, "/interviews/") && first.body.contains(&format!("href=\"{path}/questionnaire\"")) {
                pages.push(format!("{path}/questionnaire"));
            }
            // Issue 8's lists filtered in SQL, and HR's list of guide acknowledgments.
            match path.as_str() {
                "/disclosures" => pages.push("/disclosures?state=granted".to_string()),
                "/important-cases" => pages.push("/important-cases?status=open".to_string()),
                "/settings/boss-guide" => pages.push("/settings/boss-guide/acknowledgments".to_string()),
                _ => {}
            }
            if path == "/employees" {
                let q: String = url::form_urlencoded::byte_serialize(SEARCH.as_bytes()).collect();
                pages.push(format!("/employees?q={q}"));
            }
            // Shared cases narrowed by what only their reader sees: a tag, a search, the tag order.
            if path == "/cases" {
                if let Some((code, label)) = first_option(&first.body, "tag") {
                    let q: String = url::form_urlencoded::byte_serialize(label.as_bytes()).collect();
                    pages.push(format!("/cases?tag={code}"));
                    pages.push(format!("/cases?q={q}"));
                }
                pages.push("/cases?sort=tag".to_string());
            }
            let mut times = Vec::with_capacity(requests);
            let mut status = first.status;
            let mut bytes = first.body.len();
            for _ in 0..requests {
                let start = Instant::now();
                let a = self.send(Method::GET, &path, None).await?;
                times.push(start.elapsed());
                if a.status != StatusCode::OK {
                    status = a.status;
                }
                bytes = a.body.len();
            }
            let mut ms: Vec<f64> = times.iter().map(Duration::as_secs_f64).map(|s| s * 1000.0).collect();
            ms.sort_by(f64::total_cmp);
            let m = Measured {
                role: role.to_string(),
                path: decoded(&path),
                median_ms: median(&ms),
                p95_ms: percentile(&ms, 95.0),
                kib: bytes as f64 / 1024.0,
                status: status.as_u16(),
            };
            print_row(&m);
            out.push(m);
        }
        Ok(out)
    }
}

/// A path as people read it (the search term unescaped).
fn decoded(path: &str) -> String {
    percent_decode(path).unwrap_or_else(|| path.to_string())
}

fn percent_decode(path: &str) -> Option<String> {
    let (head, query) = path.split_once('?')?;
    let pairs: Vec<String> = url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| format!("{k}={v}")).collect();
    Some(format!("{head}?{}", pairs.join("&")))
}

/// `/cycles/12` is a record page of `/cycles/`; `/cycles/new` is not.
fn is_record(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The first link to a record page (`href="/reports/123"`) in a page.
fn first_record_link(html: &str, prefix: &str) -> Option<String> {
    let needle = format!("href=\"{prefix}");
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with('"') {
            return Some(format!("{prefix}{digits}"));
        }
        rest = after;
    }
    None
}

/// The links of the page's first `<nav>`, in order.
fn navigation(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav") else {
        return Vec::new();
    };
    let end = html[start..].find("</nav>").map(|e| start + e).unwrap_or(html.len());
    let mut out = Vec::new();
    let mut rest = &html[start..end];
    while let Some(at) = rest.find("href=\"") {
        let after = &rest[at + 6..];
        let Some(close) = after.find('"') else { break };
        let href = after[..close].replace("&amp;", "&");
        if href.starts_with('/') && !out.contains(&href) {
            out.push(href);
        }
        rest = &after[close..];
    }
    out
}

/// The value of the first hidden field `name`.
pub(super) fn hidden(html: &str, name: &str) -> Option<String> {
    all_values(html, name).into_iter().next()
}

/// The first non-empty option of the select `name` (value and label).
fn first_option(html: &str, name: &str) -> Option<(String, String)> {
    let attr = format!(" name=\"{name}\"");
    let mut rest = html;
    loop {
        let at = rest.find("<select ")?;
        rest = &rest[at..];
        let open = rest.find('>')?;
        if rest[..open].contains(&attr) {
            break;
        }
        rest = &rest[open..];
    }
    let end = rest.find("</select>")?;
    let mut rest = &rest[..end];
    while let Some(o) = rest.find("<option value=\"") {
        let after = &rest[o + "<option value=\"".len()..];
        let q = after.find('"')?;
        let value = &after[..q];
        let text = &after[after.find('>')? + 1..];
        let label = &text[..text.find("</option>")?];
        if !value.is_empty() {
            return Some((value.to_string(), label.to_string()));
        }
        rest = text;
    }
    None
}

/// The values of every `name="…" value="…"` field, in order, without repeats.
fn all_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let Some(end) = after.find('"') else { break };
        let v = after[..end].to_string();
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
        rest = &after[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(percentile(&v, 95.0), 100.0);
        assert_eq!(median(&[1.0, 3.0]), 2.0);
        assert_eq!(percentile(&[], 95.0), 0.0);
    }

    #[test]
    fn links_are_found() {
        let html = r#"<a href="/x"></a><nav class="site-nav"><ul><li><a href="/">H</a></li><li><a href="/cases?a=1&amp;b=2">C</a></li></ul></nav><a href="/reports/new"><a href="/reports/17">"#;
        assert_eq!(navigation(html), vec!["/", "/cases?a=1&b=2"]);
        assert_eq!(first_record_link(html, "/reports/"), Some("/reports/17".into()));
        assert!(is_record("/cycles/3", "/cycles/") && !is_record("/cycles/new", "/cycles/"));
        assert_eq!(decoded("/employees?q=%E5%B1%B1%E7%94%B0"), "/employees?q=山田");
        let select =
            r#"<select id="f-tag" name="tag"><option value="">すべて</option><option value="career" lang="ja">キャリア</option></select>"#;
        assert_eq!(first_option(select, "tag"), Some(("career".into(), "キャリア".into())));
        assert_eq!(first_option(select, "cycle"), None);
    }
}
