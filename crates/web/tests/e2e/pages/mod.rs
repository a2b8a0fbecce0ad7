//! The page walker: every page every demo login can reach, in both languages and at both widths,
//! checked in headless Chromium for what a phone, a screen reader and an English reader need.
//!
//! For each login (and each role of `hr-consultant`) one browser signs in to a demo-like world
//! ([`world`]), starts at `/` and follows same-origin links breadth first, visiting one URL per
//! route pattern of [`careerdock_web::route_table`] (`/reports/123` stands for `/reports/{id}`),
//! so pages added later are covered without a list to keep up. Each page is checked at
//! 1366×900 and 390×844 (the window is resized in place), in Japanese and, after the header's
//! language switch, in English:
//!
//! * at 390 px the document is no wider than the viewport (tables reflow into cards);
//! * axe-core (`tests/axe`, pinned by its package-lock.json, installed by
//!   `scripts/ensure-test-deps.sh`) finds no serious or critical WCAG 2.x A/AA violation. It runs
//!   once per role and route pattern: the first login of a role to reach a page checks it, and
//!   another login of the same role (consultant2, health2, hr-consultant) checks only the pages
//!   no login of its role has checked: they are the same templates over other records, and
//!   axe-core was three fifths of the walk's CPU. The other two checks, which the records can
//!   change (a long name, an untranslated label), run on every page of every login;
//! * an English page shows no Japanese (kana, kanji, Japanese punctuation) outside user data,
//!   which templates mark with `lang="ja"` (names, departments, free text, tenant-defined tags).
//!
//! The walk runs once per test binary; the three checks are separate tests reading its result,
//! each failure naming the login and role, the URL, the language and the width.

mod focus;
mod form_errors;
pub(crate) mod world;

use super::Ui;
use anyhow::{anyhow, bail, Context, Result};
use domain::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use testkit::Backend;
use world::{demo_world, LOGINS};

/// What the walker runs in each page (links, overflow, Japanese text).
const PAGE_JS: &str = include_str!("page.js");
const WIDE: (u32, u32) = (1366, 900);
const PHONE: (u32, u32) = (390, 844);
/// Browsers walking at the same time (each one role).
const PARALLEL: usize = 3;
/// Pages no walk should follow: not HTML pages of the product.
/// Characters of a failed walk's report (the page's text and the chromedriver log's tail).
const ERROR_SHOWN: usize = 6000;
/// Japanese texts told per page (the rest are counted).
const JAPANESE_SHOWN: usize = 8;
const NOT_PAGES: &[&str] = &["/static/", "/calendar/", "/api/", "/logout", "/healthz"];

const PRUNE_ROWS: &str = "document.querySelectorAll('tbody > tr:nth-child(n+21)').forEach((r) => r.remove());";
const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
  axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                      resultTypes: ['violations'] })
    .then((r) => done(r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), summary: n.failureSummary || '' })) }))),
          (e) => done({ error: String(e) }));";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Ja,
    En,
}

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

/// A failure, told with where it was seen.
#[derive(Clone, Debug)]
struct Finding {
    who: String,
    url: String,
    lang: Lang,
    width: u32,
    what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} — {} [{}, {} px]: {}", self.who, self.url, self.lang.code(), self.width, self.what)
    }
}

#[derive(Default)]
struct Walked {
    /// Per login and role: the URLs visited (one per route pattern).
    pages: BTreeMap<String, Vec<String>>,
    /// Per login and role: the role it acted in.
    roles: BTreeMap<String, Role>,
    /// The role and route pattern of every page axe-core checked, each once.
    axe_checked: Vec<(Role, String)>,
    overflow: Vec<Finding>,
    axe: Vec<Finding>,
    japanese: Vec<Finding>,
    elapsed: Duration,
}

#[derive(Deserialize)]
struct PageFacts {
    path: String,
    lang: String,
    links: Vec<String>,
    overflow: Overflow,
    japanese: Vec<Located>,
}

#[derive(Deserialize)]
struct Overflow {
    #[serde(rename = "scrollWidth")]
    scroll_width: u32,
    #[serde(rename = "innerWidth")]
    inner_width: u32,
    culprits: Vec<Culprit>,
}

#[derive(Deserialize)]
struct Culprit {
    at: String,
    right: i64,
}

#[derive(Deserialize)]
struct Located {
    text: String,
    at: String,
}

#[derive(Deserialize)]
struct Violation {
    id: String,
    impact: String,
    help: String,
    nodes: Vec<ViolationNode>,
}

#[derive(Deserialize)]
struct ViolationNode {
    target: String,
    summary: String,
}

/// The walk, run once for every test that reads it.
fn walked() -> &'static std::result::Result<Walked, String> {
    static WALK: OnceLock<std::result::Result<Walked, String>> = OnceLock::new();
    WALK.get_or_init(|| {
        let run = std::thread::spawn(|| -> Result<Walked> {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build()?;
            rt.block_on(walk_everything())
        });
        match run.join() {
            Ok(Ok(w)) => Ok(w),
            Ok(Err(e)) => Err(format!("{e:#}").chars().take(ERROR_SHOWN).collect()),
            Err(_) => Err("the page walk panicked".into()),
        }
    })
}

fn report(kind: &str, findings: &[Finding]) -> std::result::Result<(), String> {
    let walked = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    if findings.is_empty() && !walked.pages.is_empty() {
        return Ok(());
    }
    let mut msg = format!("{} {kind}:\n", findings.len());
    for f in findings {
        let _ = writeln!(msg, "- {f}");
    }
    Err(msg)
}

#[test]
fn no_page_is_wider_than_a_phone() -> std::result::Result<(), String> {
    let w = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    report("pages wider than the 390 px viewport", &w.overflow)
}

#[test]
fn axe_finds_no_serious_or_critical_violation() -> std::result::Result<(), String> {
    let w = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    report("serious or critical axe-core violations", &w.axe)
}

#[test]
fn english_pages_show_no_japanese_outside_user_data() -> std::result::Result<(), String> {
    let w = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    report("Japanese texts on English pages (outside elements marked lang=\"ja\")", &w.japanese)
}

#[test]
fn axe_checks_every_page_each_role_reaches_once() -> std::result::Result<(), String> {
    let w = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    let mut reached: BTreeSet<(Role, String)> = BTreeSet::new();
    for (who, role) in &w.roles {
        reached.extend(w.pages.get(who).into_iter().flatten().map(|url| (*role, pattern_of(url))));
    }
    let checked: BTreeSet<(Role, String)> = w.axe_checked.iter().cloned().collect();
    if checked.len() != w.axe_checked.len() {
        return Err(format!("a page was checked twice: {} checks of {} pages", w.axe_checked.len(), checked.len()));
    }
    let missed: Vec<String> = reached.difference(&checked).map(|(r, p)| format!("{} {p}", r.as_str())).collect();
    if !missed.is_empty() || checked.len() < 100 {
        return Err(format!("{} pages checked by axe-core; reached but not checked: {missed:?}", checked.len()));
    }
    Ok(())
}

#[test]
fn every_login_reaches_its_pages() -> std::result::Result<(), String> {
    let w = walked().as_ref().map_err(|e| format!("the page walk failed: {e}"))?;
    // Every account sees at least its home, its password and its second-factor pages.
    for (who, pages) in &w.pages {
        if pages.len() < 3 {
            return Err(format!("{who} reached only {pages:?}"));
        }
    }
    if w.pages.len() != LOGINS.len() + 1 {
        return Err(format!("walked {} logins and roles: {:?}", w.pages.len(), w.pages.keys()));
    }
    Ok(())
}

/// The axe-core script, installed from tests/axe/package-lock.json.
fn axe_source() -> Result<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run scripts/ensure-test-deps.sh: npm ci in crates/web/tests/axe)", path.display()))
}

async fn walk_everything() -> Result<Walked> {
    let started = Instant::now();
    let axe = Arc::new(axe_source()?);
    let world = demo_world(Backend::Sqlite).await?;
    let built = started.elapsed();
    let base = Arc::new(world.base.clone());
    let limit = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let claims = AxeClaims::default();
    let mut tasks = Vec::new();
    // One browser per login; a login with several roles walks them one after the other (its
    // language is kept per account, so two sessions of it must not switch it at the same time).
    // CAREERDOCK_PAGE_WALK_LOGINS=hr,boss walks only those logins: a quick check of one role's
    // pages while working on them (every_login_reaches_its_pages then fails, as it should).
    let only: Option<Vec<String>> =
        std::env::var("CAREERDOCK_PAGE_WALK_LOGINS").ok().map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    for (login, roles) in LOGINS.iter().filter(|(l, _)| only.as_ref().is_none_or(|o| o.iter().any(|x| x == l))) {
        let (axe, base, limit, claims) = (axe.clone(), base.clone(), limit.clone(), claims.clone());
        // The role each walk acts in, and whether it is chosen on the role page first.
        let roles: Vec<(Role, bool)> = roles.iter().map(|r| (*r, roles.len() > 1)).collect();
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await?;
            let ui = Ui::at(&base).await?;
            let mut walks = Vec::new();
            let mut outcome = Ok(());
            for (i, (role, chosen)) in roles.into_iter().enumerate() {
                let t = Instant::now();
                let label = if chosen { format!("{login} as {}", role.as_str()) } else { login.to_string() };
                let mut out = RoleWalk { who: label.clone(), role: Some(role), ..RoleWalk::default() };
                let axe = Axe { source: &axe, claims: &claims };
                outcome = walk_role(&ui, login, chosen.then_some(role), i == 0, axe, &mut out)
                    .await
                    .with_context(|| format!("walking the pages of {label}"));
                eprintln!(
                    "pages {label}: {} pages ({} checked by axe-core) in {} ms",
                    out.pages.len(),
                    out.axe_checked.len(),
                    t.elapsed().as_millis()
                );
                walks.push(out);
                if outcome.is_err() {
                    break;
                }
            }
            ui.finish(outcome).await?;
            Ok::<Vec<RoleWalk>, anyhow::Error>(walks)
        }));
    }
    let mut walked = Walked::default();
    for t in tasks {
        for r in t.await?? {
            if let Some(role) = r.role {
                walked.roles.insert(r.who.clone(), role);
                walked.axe_checked.extend(r.axe_checked.iter().map(|p| (role, p.clone())));
            }
            walked.pages.insert(r.who.clone(), r.pages);
            walked.overflow.extend(r.overflow);
            walked.axe.extend(r.axe);
            walked.japanese.extend(r.japanese);
        }
    }
    walked.elapsed = started.elapsed();
    let total: usize = walked.pages.values().map(Vec::len).sum();
    eprintln!(
        "pages: {total} pages of {} logins and roles, each in 2 languages × 2 widths ({} checked by axe-core, once per role and route pattern), in {} ms (world built in {} ms)",
        walked.pages.len(),
        walked.axe_checked.len(),
        walked.elapsed.as_millis(),
        built.as_millis()
    );
    drop(world);
    Ok(walked)
}

/// The role and route pattern of every page some walk has claimed for axe-core.
type AxeClaims = Arc<std::sync::Mutex<BTreeSet<(Role, String)>>>;

/// axe-core's source, and the pages claimed for it by every walk.
#[derive(Clone, Copy)]
struct Axe<'a> {
    source: &'a str,
    claims: &'a AxeClaims,
}

impl Axe<'_> {
    /// Whether the walk of `role` that reached `url` first is this one (it then runs axe-core there).
    fn claim(&self, role: Role, url: &str) -> bool {
        self.claims.lock().is_ok_and(|mut c| c.insert((role, pattern_of(url))))
    }
}

#[derive(Default)]
struct RoleWalk {
    who: String,
    /// The role walked (none for the form pages' check, which runs axe-core on each of its pages).
    role: Option<Role>,
    pages: Vec<String>,
    /// The route patterns this walk claimed for axe-core.
    axe_checked: BTreeSet<String>,
    overflow: Vec<Finding>,
    axe: Vec<Finding>,
    japanese: Vec<Finding>,
}

impl RoleWalk {
    fn at(&self, url: &str, lang: Lang, width: u32, what: String) -> Finding {
        Finding { who: self.who.clone(), url: url.to_string(), lang, width, what }
    }
}

/// The route pattern `path` belongs to among the routes of `method` (literal segments win over
/// `{param}` ones), or `None`.
pub fn route_pattern(method: &str, path: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| careerdock_web::route_table().into_iter().map(|r| (r.method.to_string(), r.path)).collect());
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static str)> = None;
    for (m, pattern) in table {
        if m != method {
            continue;
        }
        let pat: Vec<&str> = pattern.split('/').collect();
        if pat.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let matches = pat.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') && p.ends_with('}') {
                !s.is_empty()
            } else {
                literal += 1;
                p == s
            }
        });
        if matches && best.is_none_or(|(n, _)| literal > n) {
            best = Some((literal, pattern));
        }
    }
    best.map(|(_, p)| p)
}

/// The GET route pattern a path belongs to, or the path itself (without query or fragment).
fn pattern_of(path: &str) -> String {
    route_pattern("GET", path).map_or_else(|| path.split(['?', '#']).next().unwrap_or(path).to_string(), str::to_string)
}

/// Kana, kanji and Japanese punctuation (the ranges page.js looks for).
fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

async fn facts(ui: &Ui, english: bool) -> Result<PageFacts> {
    let v = ui.js(PAGE_JS, vec![json!(english)]).await?;
    serde_json::from_value(v).context("reading the page's facts")
}

/// Whether a GET of `path` answers an HTML page (without following redirects).
async fn is_html_page(ui: &Ui, path: &str) -> Result<bool> {
    let script = "const done = arguments[arguments.length - 1];
        fetch(arguments[0], { credentials: 'same-origin', redirect: 'manual' })
          .then((r) => done(r.status === 200 && (r.headers.get('content-type') || '').startsWith('text/html')), () => done(false));";
    let v = ui.client().execute_async(script, vec![json!(path)]).await?;
    Ok(v == json!(true))
}

/// Walks the pages of `login` acting as `role` (signing in first when `sign_in`; otherwise
/// switching roles on the role choice).
async fn walk_role(ui: &Ui, login: &str, role: Option<Role>, sign_in: bool, axe: Axe<'_>, out: &mut RoleWalk) -> Result<()> {
    if sign_in {
        ui.sign_in_with("/login", world::TENANT, login).await?;
    } else {
        ui.goto("/role").await?;
    }
    if let Some(role) = role {
        if !ui.path().await?.starts_with("/role") {
            bail!("{login} holds several roles but did not land on the role choice");
        }
        ui.click_and_wait(&format!("button[data-role='{}']", role.as_str())).await?;
    }
    ui.client().set_window_size(WIDE.0, WIDE.1).await?;
    let mut width = WIDE;
    set_language(ui, Lang::Ja).await?;
    // Breadth first through the Japanese pages, then the same pages in English.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([String::from("/")]);
    while let Some(url) = queue.pop_front() {
        if NOT_PAGES.iter().any(|p| url.starts_with(p)) || !seen.insert(pattern_of(&url)) {
            continue;
        }
        if !is_html_page(ui, &url).await? {
            continue;
        }
        let checks_axe = out.role.is_some_and(|r| axe.claim(r, &url));
        if checks_axe {
            out.axe_checked.insert(pattern_of(&url));
        }
        let links = check_page(ui, &url, Lang::Ja, &mut width, checks_axe.then_some(axe.source), out).await?;
        out.pages.push(url);
        for link in links {
            if !seen.contains(&pattern_of(&link)) {
                queue.push_back(link);
            }
        }
    }
    set_language(ui, Lang::En).await?;
    for url in out.pages.clone() {
        let checks_axe = out.axe_checked.contains(&pattern_of(&url));
        check_page(ui, &url, Lang::En, &mut width, checks_axe.then_some(axe.source), out).await?;
    }
    Ok(())
}

/// Switches the session to `lang` with the header's language form (if it is not already).
async fn set_language(ui: &Ui, lang: Lang) -> Result<()> {
    ui.goto("/").await?;
    if ui.js("return document.documentElement.lang;", vec![]).await? != json!(lang.code()) {
        ui.click_and_wait("form[action='/locale'] button[type=submit]").await?;
    }
    let now = ui.js("return document.documentElement.lang;", vec![]).await?;
    if now != json!(lang.code()) {
        bail!("the language switch left the page in {now}, not {}", lang.code());
    }
    Ok(())
}

/// Opens `url` and checks it at both widths, starting at the current one (so that consecutive
/// pages share a resize), axe-core last when given; returns the page's links.
async fn check_page(ui: &Ui, url: &str, lang: Lang, width: &mut (u32, u32), axe: Option<&str>, out: &mut RoleWalk) -> Result<Vec<String>> {
    ui.goto(url).await?;
    check_here(ui, url, lang, width, axe, out).await
}

/// [`check_page`] on the page the browser shows now (`url` names it in findings): a page
/// answering a POST cannot be opened again by its address.
async fn check_here(ui: &Ui, url: &str, lang: Lang, width: &mut (u32, u32), axe: Option<&str>, out: &mut RoleWalk) -> Result<Vec<String>> {
    let mut links = Vec::new();
    let order = if *width == WIDE { [WIDE, PHONE] } else { [PHONE, WIDE] };
    for (i, size) in order.into_iter().enumerate() {
        if *width != size {
            ui.client().set_window_size(size.0, size.1).await?;
            *width = size;
        }
        let f = facts(ui, lang == Lang::En && i == 0).await?;
        if f.lang != lang.code() {
            bail!("{url} answered in {:?}, expected {} (at {})", f.lang, lang.code(), f.path);
        }
        if size == PHONE && f.overflow.scroll_width > f.overflow.inner_width {
            let mut what = format!("the document is {} px wide in a {} px viewport", f.overflow.scroll_width, f.overflow.inner_width);
            for c in &f.overflow.culprits {
                let _ = write!(what, "; {} reaches {} px", c.at, c.right);
            }
            out.overflow.push(out.at(url, lang, size.0, what));
        }
        let japanese: Vec<&Located> = f.japanese.iter().collect();
        if !japanese.is_empty() {
            let mut what = format!("{} text(s) in Japanese", japanese.len());
            for j in japanese.iter().take(JAPANESE_SHOWN) {
                let _ = write!(what, "\n    {:?} in {}", j.text, j.at);
            }
            out.japanese.push(out.at(url, lang, size.0, what));
        }
        if i == 0 {
            links = f.links;
        }
    }
    let Some(axe) = axe else {
        return Ok(links);
    };
    // Rows of a long table repeat one template: axe checks the first ones (a 400-row list takes
    // seconds per run otherwise). The overflow and language checks above saw every row.
    ui.js(PRUNE_ROWS, vec![]).await?;
    for size in order.into_iter().rev() {
        if *width != size {
            ui.client().set_window_size(size.0, size.1).await?;
            *width = size;
        }
        for v in run_axe(ui, axe).await.with_context(|| format!("running axe-core on {url}"))? {
            let mut what = format!("{} ({}): {}", v.id, v.impact, v.help);
            for n in &v.nodes {
                let _ = write!(what, "\n    at {} — {}", n.target, n.summary.replace('\n', " "));
            }
            out.axe.push(out.at(url, lang, size.0, what));
        }
    }
    Ok(links)
}

async fn run_axe(ui: &Ui, axe: &str) -> Result<Vec<Violation>> {
    if ui.js("return typeof window.axe;", vec![]).await? != json!("object") {
        ui.js(axe, vec![]).await?;
    }
    let v: Value = ui.client().execute_async(AXE_RUN, vec![]).await?;
    if let Some(e) = v.get("error") {
        return Err(anyhow!("axe.run failed: {e}"));
    }
    Ok(serde_json::from_value(v)?)
}

#[test]
fn route_patterns_group_paths() {
    assert_eq!(pattern_of("/reports/123"), "/reports/{id}");
    assert_eq!(pattern_of("/reports/456?x=1"), "/reports/{id}");
    assert_eq!(pattern_of("/reports/new"), "/reports/new");
    assert_eq!(pattern_of("/reports/9/edit"), "/reports/{id}/edit");
    assert_eq!(pattern_of("/interviews/calendar?view=week"), "/interviews/calendar");
    assert_eq!(pattern_of("/no/such/page"), "/no/such/page");
}

#[test]
fn japanese_is_told_from_english() {
    assert!("株式会社「」、。（）カナかな".chars().all(is_japanese));
    assert!(!"Career direction, Job content (1) – 10:00".chars().any(is_japanese));
}
