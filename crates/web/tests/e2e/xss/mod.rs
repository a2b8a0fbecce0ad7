//! Stored cross-site scripting and injection, walked rather than listed: on a demo world (the
//! company and history of `careerdock demo`, 150 employees), every demo login (each role of
//! `hr-consultant` apart) walks its pages over HTTP ([`walk`]), one URL per GET route pattern.
//! Every operation of the OpenAPI document that takes a JSON body gets a payload in each of its
//! string properties ([`api`]); then every form of the walked pages that posts free text (text,
//! search, e-mail, URL and telephone inputs without a `pattern`, text areas) is filled with
//! payloads, in turn so that every payload lands somewhere, and sent with the session's CSRF
//! token, the other fields kept valid from the page's own values (a refusal naming a field puts a
//! tamer payload there, then the page's value back; refusals are counted). Where the page's own
//! values do not make the form valid, another option of a choice is tried, and an empty field
//! naming a record by id (`escalation_id`) takes the id of such a record the session's walk
//! linked to; then the form is sent from the other places that show it: the same page reached
//! with a query that fills it in (`/boss-consultations/new?employee=…`, a questionnaire's copy),
//! another record's page, another session's ([`walk::fill_forms`]). The register upload (names,
//! departments, grades, the file's name, a refused file's echoed cell), typed login ids (kept by
//! the audit log) and a company's name are stored by hand, as their owners store them. The
//! overall report the forms wrote is released, and a management report composed on it, its
//! commentary filled like any form, and released ([`exports::release`]).
//!
//! Then every page the walk reached, and where each submission led, is fetched again as the
//! session that reached it, with the records those pages link to now and did not during the walk
//! (what the submissions made: the consent an important case asks for); a record the API wrote
//! that a form writes again is looked at before the form does. A page holding a payload
//! unescaped fails at once, and each page showing a stored value is opened in headless Chromium
//! with the Content-Security-Policy bypassed (`Page.setBypassCSP`), so that a payload rendered as
//! markup would run: the policy is a second wall, this test checks the first (escaping). A page
//! whose `<main>` is markup for markup what another session was shown is opened once, and a new
//! record (its template opened already) only when it shows a value no other page does. A page
//! fails if a payload ran (`window.__xss`, the title), or if the document holds an element a
//! payload would make (a script of its own, an `onerror`/`onload` attribute, an iframe, a
//! `javascript:` link). Values stored by hand must be found verbatim; of the walked ones, how
//! many were is told (a place typed without ticking "schedule now" is not kept; a text the page
//! masks is shown altered). The downloads the walk found and those of what it released (CSV in
//! UTF-8 and CP932, PDF: the overall and the management report) and the consultants' iCalendar
//! feeds are checked for CSV and iCalendar injection ([`exports`]).
//!
//! The test prints how many routes, forms, fields, API operations, payloads, pages and exports
//! it covered. `CAREERDOCK_XSS_VERBOSE=1` tells every submission and what was not seen;
//! `CAREERDOCK_XSS_DUMP=<dir>` keeps the pages fetched and the answers to refused submissions.

mod api;
mod exports;
mod html;
mod walk;

use super::pages::world::{demo_world_of, World as DemoWorld};
use super::{Timer, Ui};
use crate::support::{open_login_page, SESSION_COOKIE};
use anyhow::{anyhow, bail, Context, Result};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use fantoccini::Locator;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use store::Ctx;
use testkit::Backend;
use walk::Session;

testkit::on_both_backends!(stored_payloads_are_shown_as_text_and_never_run);

/// The payloads, each with where its marker `§` goes (`Z<n>:`, which makes every stored value
/// unique and findable). Each would run, change the page, break out of a CSV cell, a typst
/// string or an iCalendar property if it reached its output unescaped; those aimed at a file
/// end in markup too, so that every field that takes one is tried as HTML as well.
pub const PAYLOADS: [(&str, &str); 17] = [
    ("script", "§<script>window.__xss=1</script>"),
    ("attribute breakout", "§\"><img src=x onerror=\"window.__xss=1;document.title='XSS'\">"),
    ("single-quoted attribute breakout", "§'><img src=x onerror='window.__xss=1'>"),
    ("javascript: URL", "javascript:window.__xss=1//§"),
    ("closing textarea", "§</textarea><script>window.__xss=1</script>"),
    ("SVG onload", "§<svg onload=window.__xss=1>"),
    ("template syntax", "§{{7*7}}{% raw %}${7*7}#{7*7} <img src=x onerror=window.__xss=1>"),
    ("typst markup", "§#read(\"/etc/passwd\") ]#panic(\"x\")[ $x$ \\ <img src=x onerror=window.__xss=1>"),
    ("formula =", "=HYPERLINK(\"https://evil.example/\",\"§\") <img src=x onerror=window.__xss=1>"),
    ("formula +", "+cmd|' /C calc'!A0 § <img src=x onerror=window.__xss=1>"),
    ("formula -", "-2+3 § <img src=x onerror=window.__xss=1>"),
    ("formula @", "@SUM(1+1) § <img src=x onerror=window.__xss=1>"),
    ("formula after a tab", "\t=1+1 § <img src=x onerror=window.__xss=1>"),
    ("full-width formula", "＝1+1 § <img src=x onerror=window.__xss=1>"),
    ("iCalendar separators", "§;X-INJECTED=1,\\;x\\,y:z\tDTSTART:19700101T000000Z <img src=x onerror=window.__xss=1>"),
    ("line breaks", "§\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\n=1+1 <img src=x onerror=window.__xss=1>"),
    ("long", "§"),
];

/// The long one: this unit repeated as far as the field takes, up to [`LONG_MAX`].
const LONG_UNIT: &str = "'\"><iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>";
const LONG: usize = PAYLOADS.len() - 1;
/// The iCalendar separators.
const ICAL: usize = 14;
pub const LONG_MAX: usize = 3_000;

/// Markup a payload leaves in a page's HTML when it was not escaped.
const UNESCAPED: [&str; 7] = [
    "<script>window.__xss",
    "onerror=\"window.__xss",
    "onerror='window.__xss",
    "<svg onload",
    "<iframe srcdoc",
    "<img src=x",
    "</textarea><script>",
];

/// A value stored (or offered) somewhere.
pub struct StoredValue {
    pub field: String,
    pub kind: usize,
    pub sent: String,
    pub accepted: bool,
    /// Stored by hand (the register, a typed login id, a company's name), where the test knows
    /// the pages that show it: it must be found verbatim.
    pub hand: bool,
}

/// Every value offered, numbered by its marker.
#[derive(Default)]
pub struct Stored {
    pub values: Vec<StoredValue>,
    turn: usize,
    places: usize,
}

impl Stored {
    /// The marker of value `i`.
    pub fn marker(i: usize) -> String {
        format!("Z{}:", i + 1)
    }

    /// A new value of payload `kind` for `field`, at most `max` characters.
    pub fn make(&mut self, field: &str, kind: usize, max: usize) -> usize {
        let i = self.values.len();
        let marker = Self::marker(i);
        let mut v = if kind == LONG {
            let n = max.min(LONG_MAX);
            format!("{marker}{}", LONG_UNIT.repeat(n / LONG_UNIT.len() + 1)).chars().take(n).collect()
        } else {
            PAYLOADS[kind].1.replace('§', &marker)
        };
        if v.chars().count() > max {
            // Too long for the field: the marker first, then as much of the script as fits.
            v = PAYLOADS[0].1.replace('§', &marker).chars().take(max).collect();
        }
        self.values.push(StoredValue { field: field.to_string(), kind, sent: v, accepted: false, hand: false });
        i
    }

    /// The next payload in turn, so that every payload lands somewhere.
    pub fn next(&mut self, field: &str, max: usize, input_type: &str) -> usize {
        let kind = self.turn % PAYLOADS.len();
        self.turn += 1;
        // An e-mail or telephone field takes no markup at all: the script, which it refuses.
        // Every other place (which the calendar feed carries) gets the iCalendar separators.
        let kind = if matches!(input_type, "email" | "tel") {
            0
        } else if field.ends_with("place") && self.places.is_multiple_of(2) {
            self.places += 1;
            ICAL
        } else {
            self.places += usize::from(field.ends_with("place"));
            kind
        };
        self.make(field, kind, max)
    }

    /// A tamer payload, for a field that refused the first: one line, short, no formula.
    pub fn tame(&mut self, field: &str, max: usize, _input_type: &str) -> usize {
        let kind = [1, 5, 0, 6][self.turn % 4];
        self.turn += 1;
        self.make(field, kind, max.min(200))
    }

    /// A value set by hand (the register's cells, a typed login id, a company's name): stored.
    pub fn hand(&mut self, field: &str, kind: usize, max: usize) -> String {
        let i = self.make(field, kind, max);
        self.values[i].accepted = true;
        self.values[i].hand = true;
        self.values[i].sent.clone()
    }

    pub fn accept(&mut self, i: usize) {
        self.values[i].accepted = true;
    }

    pub fn sent(&self, i: usize) -> &str {
        &self.values[i].sent
    }

    /// The value as a page shows it: trimmed, line breaks as LF.
    pub fn shown(&self, i: usize) -> String {
        self.values[i].sent.trim().replace("\r\n", "\n")
    }

    /// The accepted values' indexes by marker number.
    pub fn accepted(&self) -> impl Iterator<Item = usize> + '_ {
        self.values.iter().enumerate().filter(|(_, v)| v.accepted).map(|(i, _)| i)
    }
}

/// The numbers `n` of the markers `Z<n>:` in `text`.
pub fn markers(text: &str) -> BTreeSet<usize> {
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while let Some(at) = text[i..].find('Z') {
        let start = i + at + 1;
        let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && b.get(start + digits) == Some(&b':') {
            if let Ok(n) = text[start..start + digits].parse::<usize>() {
                out.insert(n);
            }
        }
        i = start;
    }
    out
}

/// What was covered, printed at the end.
#[derive(Default)]
pub struct Tally {
    pub routes: BTreeSet<&'static str>,
    pub pages: usize,
    pub forms: usize,
    pub fields: usize,
    pub submissions: usize,
    pub accepted: usize,
    pub accepted_first: usize,
    pub refused_first: usize,
    pub declined: usize,
    pub fields_stored: usize,
    /// Submissions answered in place (200) rather than sent on (303).
    pub answered: usize,
    pub answer_problems: Vec<String>,
    pub refused_forms: Vec<String>,
    pub declined_forms: Vec<String>,
    /// Per session, the pages a submission stored something on (the form's page, where it led).
    pub touched: Vec<(String, Vec<String>)>,
    pub api_operations: usize,
    pub api_fields: usize,
    pub api_accepted: usize,
    pub api_refused: Vec<String>,
    pub fetched: usize,
    pub opened: usize,
    /// Pages showing stored values whose content another session's page had, markup for markup.
    pub same_content: usize,
    pub exports: BTreeMap<&'static str, usize>,
    /// Stored values the exports show (counted once per export).
    pub export_values: usize,
    /// Pages fetched again that no page linked to during the walk: records the submissions made.
    pub new_records: usize,
    /// Of those, the ones opened in the browser (they show a value no other page does).
    pub new_opened: usize,
    /// Pages opened at once, before a form wrote their record again.
    pub looked_early: usize,
    /// The management report composed: its page, and whether it was released.
    pub management: Option<(String, bool)>,
}

/// What a page holds after it has loaded, read in one round trip.
const INSPECT: &str = r#"
const bad = [];
const sel = 'script:not([src]), script[src]:not([src="/static/app.js"]), img[src="x"], [onerror], [onload], iframe, [srcdoc], object, embed, '
  + 'a[href^="javascript:" i], [action^="javascript:" i], [formaction]';
for (const e of document.querySelectorAll(sel)) bad.push(e.outerHTML.slice(0, 200));
const values = [];
for (const e of document.querySelectorAll('input, textarea')) values.push(e.value);
for (const e of document.querySelectorAll('option')) values.push(e.textContent);
return {
  ran: window.__xss !== undefined || (window.parent && window.parent.__xss !== undefined),
  title: document.title,
  bad: bad,
  text: (document.body ? document.body.textContent : '') + '\n' + values.join('\n'),
};
"#;

/// Issues a Chrome DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}

async fn stored_payloads_are_shown_as_text_and_never_run(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "stored xss (sqlite)",
        Backend::Postgres => "stored xss (postgres)",
    });
    let t = std::time::Instant::now();
    let w = demo_world_of(backend, EMPLOYEES).await?;
    eprintln!("stored xss on {backend}: demo world of {EMPLOYEES} employees built in {} ms", t.elapsed().as_millis());
    let ui = Ui::at(&w.base).await?;
    let outcome = run(backend, &w, &ui).await;
    ui.finish(outcome).await
}

/// The demo company's size: every kind of record of the demo, pages of lists kept short.
const EMPLOYEES: usize = 150;

/// Problems found along the way, reported together at the end.
type Problems = Vec<String>;

async fn run(backend: Backend, w: &DemoWorld, ui: &Ui) -> Result<()> {
    let started = std::time::Instant::now();
    let mut stored = Stored::default();
    let mut tally = Tally::default();
    let mut problems: Problems = Vec::new();
    let mut seen = Seen::default();
    bypass_csp(ui).await?;

    let mut sessions = walk::sessions(&w.base).await?;
    let t_walk = std::time::Instant::now();
    let mut walks = Vec::new();
    {
        let mut tasks = Vec::new();
        for mut s in sessions.drain(..) {
            tasks.push(tokio::spawn(async move {
                let walked = walk::walk(&mut s).await;
                (s, walked)
            }));
        }
        for t in tasks {
            let (s, walked) = t.await?;
            let walked = walked?;
            for p in &walked.pages {
                tally.routes.extend(walk::pattern_of("GET", p));
            }
            tally.pages += walked.pages.len();
            sessions.push(s);
            walks.push(walked);
        }
    }
    let walk_ms = t_walk.elapsed().as_millis();

    // The register, through the upload form in the browser (HR): names, departments, grades, the
    // file's name, and a refused file's echoed cell.
    let hr = sessions.iter().position(|s| s.who == "hr").context("no session of hr")?;
    act_as(ui, &sessions[hr]).await?;
    upload_register(ui, &mut stored, &mut seen, &mut problems).await?;

    // A failed sign-in leaves what was typed in the audit log (and its CSV, where a formula
    // must stay text); the log keeps 64 characters of it.
    for kind in [0, 10] {
        let login = stored.hand("typed login id", kind, 64);
        let mut anon = crate::support::Agent::new(&w.base);
        let (_, csrf) = open_login_page(&mut anon).await?;
        anon.post_raw_form("/login", &[("tenant", "demo"), ("login", &login), ("password", "wrong-password"), ("csrf", &csrf)]).await?;
    }

    // The API first (its records are made afresh), then the forms of the pages walked.
    let t_api = std::time::Instant::now();
    // Records the forms will write are the API's last choice, so that both show what they stored.
    let form_records: BTreeSet<String> = walks
        .iter()
        .flat_map(|w| w.forms.iter())
        .filter(|(_, f)| walk::fillable(f))
        .map(|(_, f)| f.action.split('?').next().unwrap_or_default().to_string())
        .collect();
    let api_touched = tally.touched.len();
    problems.extend(api::fill(&mut sessions, &form_records, &mut stored, &mut tally).await?);
    // What the API wrote on a record a form will write again (the only draft report of a
    // consultant) is looked at now, before the form replaces it.
    let rewritten: Vec<(String, String)> = tally.touched[api_touched..]
        .iter()
        .flat_map(|(who, pages)| pages.iter().map(move |p| (who.clone(), p.clone())))
        .filter(|(_, p)| form_records.iter().any(|r| r == p || r.starts_with(&format!("{p}/"))))
        .collect();
    look_now(ui, &mut sessions, &rewritten, &stored, &mut seen, &mut problems, &mut tally).await?;
    let api_ms = t_api.elapsed().as_millis();
    let t_fill = std::time::Instant::now();
    problems.extend(walk::fill_forms(&mut sessions, &walks, &mut stored, &mut tally).await?);
    problems.append(&mut tally.answer_problems);
    let fill_ms = t_fill.elapsed().as_millis();
    // The overall report the forms wrote is released, and a management report composed on it,
    // filled, and released (for the pages that show them and their downloads).
    let t_release = std::time::Instant::now();
    let (released, p) = exports::release(&mut sessions, &walks, &mut stored, &mut tally).await?;
    problems.extend(p);
    let release_ms = t_release.elapsed().as_millis();

    // Every page again, as every session that reached it, and where submissions stored things.
    let t_check = std::time::Instant::now();
    let mut to_open: Vec<(usize, Vec<ToOpen>)> = Vec::new();
    {
        let mut tasks = Vec::new();
        for (k, (mut s, walked)) in sessions.drain(..).zip(&walks).enumerate() {
            let mut urls: Vec<String> = walked.pages.clone();
            for (who, touched) in &tally.touched {
                if *who == s.who {
                    for t in touched {
                        if !urls.contains(t) && !walk::is_download(t) {
                            urls.push(t.clone());
                        }
                    }
                }
            }
            let touched: BTreeSet<String> =
                tally.touched.iter().filter(|(who, _)| *who == s.who).flat_map(|(_, t)| t.iter().cloned()).collect();
            let first: BTreeSet<String> = urls.iter().cloned().collect();
            let known = walked.links.clone();
            tasks.push(tokio::spawn(async move {
                let mut open = Vec::new();
                let mut problems = Vec::new();
                let mut fetched = 0;
                let mut new_records = 0;
                let mut queue: std::collections::VecDeque<String> = urls.into_iter().collect();
                let mut visited: BTreeSet<String> = BTreeSet::new();
                // Records reached only because they are new.
                let mut extra: BTreeSet<String> = BTreeSet::new();
                while let Some(url) = queue.pop_front() {
                    if !visited.insert(url.clone()) {
                        continue;
                    }
                    let res = match s.agent.get(&url).await {
                        Ok(r) => r,
                        Err(e) => return (s, Err(e.context(format!("GET {url}")))),
                    };
                    fetched += 1;
                    if res.status.is_server_error() {
                        problems.push(format!("GET {url} as {} answered {}", s.who, res.brief()));
                    }
                    walk::problems_in(&res.body, &format!("{url} as {}", s.who), &mut problems);
                    if !res.header("content-type").is_some_and(|c| c.starts_with("text/html")) {
                        continue;
                    }
                    // Where a submission led, the records it links to (the interview a request
                    // was scheduled as) show what was stored too: one step further. So do the
                    // records a page walked links to now and did not during the walk: what the
                    // submissions made (the consent an important case asks of its employee).
                    if first.contains(&url) {
                        let tokens = html::tokens(&res.body);
                        for link in html::links(&tokens, &url, &s.agent.base) {
                            let record = walk::pattern_of("GET", &link).is_some_and(|p| p.contains('{'));
                            let new = !known.contains(&link);
                            if record
                                && (new || touched.contains(&url))
                                && !walk::is_download(&link)
                                && !link.contains('?')
                                && !visited.contains(&link)
                                && !queue.contains(&link)
                            {
                                new_records += usize::from(new);
                                if !touched.contains(&url) {
                                    extra.insert(link.clone());
                                }
                                queue.push_back(link);
                            }
                        }
                    }
                    if let Some(dir) = std::env::var_os("CAREERDOCK_XSS_DUMP") {
                        let name: String =
                            format!("{}{url}", s.who).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                        let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.html")), &res.body);
                    }
                    let shown = markers(&res.body);
                    if !shown.is_empty() {
                        let key = main_key(&res.body, &s.agent.csrf);
                        let new = extra.contains(&url);
                        open.push(ToOpen { url, key, shown, new });
                    }
                }
                (s, Ok((k, open, problems, fetched, new_records)))
            }));
        }
        for t in tasks {
            let (s, r) = t.await?;
            let (k, open, p, fetched, new_records) = r?;
            sessions.push(s);
            to_open.push((k, open));
            problems.extend(p);
            tally.fetched += fetched;
            tally.new_records += new_records;
        }
    }
    let fetch_ms = t_check.elapsed().as_millis();
    // A page whose content (its <main>) is what another session was shown, markup for markup, is
    // opened once: what a payload could do there depends on that markup only. A record new since
    // the walk (its template opened already, with another record) is opened when it shows a
    // stored value no other page does.
    let mut contents = BTreeSet::new();
    let mut shown: BTreeSet<usize> = BTreeSet::new();
    for (_, pages) in &mut to_open {
        let before = pages.len();
        pages.retain(|p| p.new || contents.insert(p.key));
        tally.same_content += before - pages.len();
        shown.extend(pages.iter().filter(|p| !p.new).flat_map(|p| p.shown.iter().copied()));
    }
    for (_, pages) in &mut to_open {
        pages.retain(|p| !p.new || (!p.shown.is_subset(&shown) && contents.insert(p.key)));
        for p in pages.iter().filter(|p| p.new) {
            tally.new_opened += 1;
            shown.extend(p.shown.iter().copied());
        }
    }
    let to_open: Vec<(usize, Vec<String>)> =
        to_open.into_iter().map(|(k, pages)| (k, pages.into_iter().map(|p| p.url).collect())).collect();

    // In the browser: every page that shows a stored value, as the session that saw it.
    let t_open = std::time::Instant::now();
    let reflected = PAYLOADS[0].1.replace('§', "");
    let next: String = url::form_urlencoded::byte_serialize(format!("/{reflected}").as_bytes()).collect();
    ui.client().delete_all_cookies().await?;
    ui.goto(&format!("/login?next={next}")).await?;
    inspect(ui, "the sign-in page with a payload as next", &stored, &mut seen, &mut problems).await?;
    tally.opened += 1;
    for (k, urls) in &to_open {
        let s = &sessions[*k];
        if urls.is_empty() {
            continue;
        }
        act_as(ui, s).await?;
        for url in urls {
            let t = std::time::Instant::now();
            ui.goto(url).await?;
            inspect(ui, &format!("{url} as {}", s.who), &stored, &mut seen, &mut problems).await?;
            tally.opened += 1;
            if walk::verbose() {
                eprintln!("  opened {url} as {} in {} ms", s.who, t.elapsed().as_millis());
            }
        }
    }
    // An error page echoing a payload in its path.
    let encoded: String = url::form_urlencoded::byte_serialize(reflected.as_bytes()).collect();
    ui.goto(&format!("/no/such/{encoded}")).await?;
    inspect(ui, "a missing page named with a payload", &stored, &mut seen, &mut problems).await?;
    tally.opened += 1;

    // A company whose name is a payload, and its owner named with one.
    let tenant_name = stored.hand("tenant name", 1, 200);
    let slug = TenantSlug::parse("xss").map_err(|e| anyhow!("{e}"))?;
    let t3 = w.store.create_tenant(&slug, &tenant_name, KThreshold::DEFAULT, "test").await?.id;
    let name3 = stored.hand("display name of the company's owner", 5, 80);
    w.store
        .create_user(
            &Ctx::operator(t3, "test"),
            &store::NewUser {
                login: "owner",
                display_name: &name3,
                password: crate::e2e::pages::world::PASSWORD,
                roles: &[Role::Hr],
                employee: None,
            },
        )
        .await?;
    ui.client().delete_all_cookies().await?;
    ui.sign_in_with("/login", "xss", "owner").await?;
    inspect(ui, "the home page of a company named with a payload", &stored, &mut seen, &mut problems).await?;
    tally.opened += 1;
    let open_ms = t_open.elapsed().as_millis();

    // The downloads and the calendar feed.
    let t_exports = std::time::Instant::now();
    problems.extend(exports::check(&mut sessions, &walks, &released, &stored, &mut seen, &mut tally).await?);
    let exports_ms = t_exports.elapsed().as_millis();

    // Every value stored by hand is shown verbatim; of the walked ones, those the walk reaches
    // (a place kept only when an interview is scheduled with it, a text the page masks are not
    // all); every payload was stored somewhere.
    let mut kinds_stored = BTreeSet::new();
    let (mut walked_stored, mut verbatim, mut marker_only) = (0, 0, 0);
    let mut unseen = Vec::new();
    for i in stored.accepted() {
        let v = &stored.values[i];
        kinds_stored.insert(v.kind);
        if v.hand {
            if !seen.verbatim.contains(&(i + 1)) {
                problems.push(format!("{}: the stored value {} was not found, as text, on any page or export", v.field, clip(&v.sent)));
            }
            continue;
        }
        walked_stored += 1;
        if seen.verbatim.contains(&(i + 1)) {
            verbatim += 1;
        } else if seen.marker.contains(&(i + 1)) {
            marker_only += 1;
            unseen.push(format!("{} (shown altered): {}", v.field, clip(&v.sent)));
        } else {
            unseen.push(format!("{} (not shown on a page walked): {}", v.field, clip(&v.sent)));
        }
    }
    if verbatim * 2 < walked_stored {
        problems.push(format!("only {verbatim} of the {walked_stored} values the walk stored were seen again: the check tested little"));
    }
    let offered = stored.values.len();
    let accepted = stored.accepted().count();
    let management = match &tally.management {
        Some((page, true)) => format!("a management report composed and released ({page})"),
        Some((page, false)) => format!("a management report composed, not released ({page})"),
        None => "no management report composed".to_string(),
    };
    eprintln!(
        "stored xss on {backend}: {} GET routes walked ({} pages by {} sessions); {} forms, {} free-text fields filled, {} submissions \
         ({} accepted at once, {} refused with a message first, {} declined; {} answered in place; {} forms never accepted); {} API operations, {} string \
         fields ({} accepted); {management}; {} payloads ({} kinds) offered {offered} times, {accepted} values stored; {} pages fetched again \
         ({} records new since the walk), {} opened in Chromium ({} of those new records, {} before a form wrote their record again; {} more showed what one of those showed), \
         which showed {verbatim} of the {walked_stored} walked values verbatim and {marker_only} altered; exports {:?} showing {} stored values",
        tally.routes.len(),
        tally.pages,
        sessions.len(),
        tally.forms,
        tally.fields,
        tally.submissions,
        tally.accepted_first,
        tally.refused_first,
        tally.declined,
        tally.answered,
        tally.refused_forms.len(),
        tally.api_operations,
        tally.api_fields,
        tally.api_accepted,
        PAYLOADS.len(),
        kinds_stored.len(),
        tally.fetched,
        tally.new_records,
        tally.opened,
        tally.new_opened,
        tally.looked_early,
        tally.same_content,
        tally.exports,
        tally.export_values,
    );
    eprintln!(
        "stored xss on {backend}: walk {walk_ms} ms, API {api_ms} ms, forms {fill_ms} ms, releases {release_ms} ms, fetch {fetch_ms} ms, browser {open_ms} ms, \
         exports {exports_ms} ms, all {} ms",
        started.elapsed().as_millis()
    );
    if std::env::var_os("CAREERDOCK_XSS_VERBOSE").is_some() {
        for f in &tally.refused_forms {
            eprintln!("  never accepted: {f}");
        }
        for f in &tally.declined_forms {
            eprintln!("  declined: {f}");
        }
        for f in &tally.api_refused {
            eprintln!("  API refused: {f}");
        }
        for f in &unseen {
            eprintln!("  not seen verbatim: {f}");
        }
    }
    if !problems.is_empty() {
        bail!("{} problem(s) with stored payloads on {backend}:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}

/// A page fetched again that shows stored values, to open in the browser.
struct ToOpen {
    url: String,
    /// Its content ([`main_key`]).
    key: u64,
    /// The markers it shows.
    shown: BTreeSet<usize>,
    /// Reached only as a record new since the walk.
    new: bool,
}

/// What a page shows, less what differs from session to session: its `<main>` element with the
/// session's CSRF token taken out, hashed.
fn main_key(body: &str, csrf: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let main = body.find("<main").and_then(|a| body[a..].find("</main>").map(|b| &body[a..a + b])).unwrap_or(body);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    main.replace(csrf, "").hash(&mut h);
    h.finish()
}

/// Checks pages at once, each as the session named with it: over HTTP for markup left
/// unescaped, then, where it shows a stored value, in the browser (so that a value a later
/// submission replaces is seen while it is there).
#[allow(clippy::too_many_arguments)]
async fn look_now(
    ui: &Ui,
    sessions: &mut [Session],
    pages: &[(String, String)],
    stored: &Stored,
    seen: &mut Seen,
    problems: &mut Problems,
    tally: &mut Tally,
) -> Result<()> {
    for (who, url) in pages {
        let Some(s) = sessions.iter_mut().find(|s| s.who == *who) else { continue };
        let res = s.agent.get(url).await.with_context(|| format!("GET {url} as {who}"))?;
        tally.fetched += 1;
        if res.status.is_server_error() {
            problems.push(format!("GET {url} as {who} answered {}", res.brief()));
        }
        walk::problems_in(&res.body, &format!("{url} as {who}"), problems);
        if !res.header("content-type").is_some_and(|c| c.starts_with("text/html")) || markers(&res.body).is_empty() {
            continue;
        }
        act_as(ui, s).await?;
        ui.goto(url).await?;
        inspect(ui, &format!("{url} as {who}"), stored, seen, problems).await?;
        tally.opened += 1;
        tally.looked_early += 1;
    }
    Ok(())
}

/// Makes the browser act in `s`'s session: its cookie, on this origin.
async fn act_as(ui: &Ui, s: &Session) -> Result<()> {
    let cookie = s.cookie().with_context(|| format!("{} has no session cookie", s.who))?.to_string();
    ui.goto("/login").await?;
    ui.client().delete_all_cookies().await?;
    let host = url::Url::parse(&ui.url("/"))?.host_str().map(str::to_string).context("the application's host")?;
    let c = fantoccini::cookies::Cookie::parse(format!("{SESSION_COOKIE}={cookie}; Path=/; Domain={host}; HttpOnly; SameSite=Strict"))
        .context("the session cookie")?;
    ui.client().add_cookie(c).await.context("setting the session cookie")?;
    Ok(())
}

/// Sends the register's upload form with payloads in the file (HR's session in the browser).
async fn upload_register(ui: &Ui, stored: &mut Stored, seen: &mut Seen, problems: &mut Problems) -> Result<()> {
    let dir = tempfile::tempdir()?;
    // A refused upload echoes the offending cell in its row errors.
    let cell = stored.hand("cell of a refused upload (echoed by its error)", 1, 200);
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, format!("社員番号,氏名,所属,\nX09,検証 太郎,検証,\"{}\"\n", cell.replace('"', "\"\"")))?;
    upload(ui, &broken).await?;
    inspect(ui, "a refused upload", stored, seen, problems).await?;
    let filename = format!("{}.csv", stored.hand("import file name", 5, 200));
    let file = dir.path().join(&filename);
    std::fs::write(&file, register(stored))?;
    upload(ui, &file).await?;
    inspect(ui, "the import preview", stored, seen, problems).await?;
    ui.click_and_wait("form[action$='/confirm'] button[type=submit]").await?;
    inspect(ui, "the import result", stored, seen, problems).await
}

/// Sends `file` with the register's upload form.
async fn upload(ui: &Ui, file: &std::path::Path) -> Result<()> {
    ui.goto("/employees/import").await?;
    let input = ui.client().find(Locator::Css("#import-file")).await.context("no file field")?;
    input.send_keys(&file.display().to_string()).await.context("choosing the file")?;
    ui.click_and_wait("form[enctype='multipart/form-data'] button[type=submit]").await
}

/// The uploaded register: seven employees (X01 … X07) under 検証, each with a payload as name and
/// grade, and as department where the payload has no `/` (a department separator).
fn register(stored: &mut Stored) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("社員番号,氏名,所属,等級,生年,入社日,上司社員番号\n");
    let kinds = [0, 1, 2, 4, 5, 6, 8];
    for (i, &kind) in kinds.iter().enumerate() {
        let name = stored.hand("employee name", kind, 60);
        let department = if PAYLOADS[kind].1.contains('/') {
            "検証/一般".to_string()
        } else {
            format!("検証/{}", stored.hand("department", kind, 60))
        };
        let grade = stored.hand("grade", kind, 40);
        let boss = if i == 0 { String::new() } else { "X01".to_string() };
        csv.push_str(&format!("X0{},{},{},{},1990,2015-04-01,{boss}\n", i + 1, quote(&name), quote(&department), quote(&grade)));
    }
    csv
}

/// Turns the Content-Security-Policy off for this browser, and proves it: an inline script
/// added to a page of the application runs.
async fn bypass_csp(ui: &Ui) -> Result<()> {
    ui.client().issue_cmd(Cdp("Page.setBypassCSP", json!({ "enabled": true }))).await.context("Page.setBypassCSP")?;
    ui.goto("/login").await?;
    let ran = ui
        .js(
            "const s = document.createElement('script'); s.textContent = 'window.__probe = 7'; document.body.appendChild(s); return window.__probe === 7;",
            vec![],
        )
        .await?;
    if ran != json!(true) {
        bail!("the Content-Security-Policy still blocks inline scripts: a payload could not run, so the test would prove nothing");
    }
    // The inspection itself sees what a payload would do.
    ui.client().goto("data:text/html,<p>x</p><img src=x onerror=window.__xss=1><script>window.__xss=1</script>").await?;
    ui.wait_loaded().await?;
    let v = ui.js(INSPECT, vec![]).await?;
    if v["ran"] != json!(true) || v["bad"].as_array().is_none_or(Vec::is_empty) {
        bail!("the inspection does not see a payload that ran: {v}");
    }
    Ok(())
}

/// Checks the current page; notes which stored values it shows.
async fn inspect(ui: &Ui, what: &str, stored: &Stored, seen: &mut Seen, problems: &mut Problems) -> Result<()> {
    ui.wait_loaded().await?;
    let v = ui.js(INSPECT, vec![]).await.with_context(|| format!("inspecting {what}"))?;
    if v["ran"] != json!(false) {
        problems.push(format!("{what}: a payload ran (window.__xss is set)"));
    }
    // The title may quote a stored value (a questionnaire's name): only one set by a payload is
    // 'XSS' and nothing else.
    if v["title"].as_str().is_some_and(|t| t.trim() == "XSS") {
        problems.push(format!("{what}: a payload changed the title to {}", v["title"]));
    }
    if let Some(bad) = v["bad"].as_array().filter(|b| !b.is_empty()) {
        problems.push(format!("{what}: elements a payload would make: {bad:?}"));
    }
    let text = v["text"].as_str().unwrap_or_default();
    seen.note(text, stored);
    Ok(())
}

/// The stored values shown (by marker number): verbatim, or at least their marker.
#[derive(Default)]
pub struct Seen {
    pub verbatim: BTreeSet<usize>,
    pub marker: BTreeSet<usize>,
}

impl Seen {
    /// Notes the stored values `text` shows.
    pub fn note(&mut self, text: &str, stored: &Stored) {
        for n in markers(text) {
            let Some(i) = n.checked_sub(1).filter(|i| *i < stored.values.len()) else { continue };
            self.marker.insert(n);
            if !self.verbatim.contains(&n) && text.contains(&stored.shown(i)) {
                self.verbatim.insert(n);
            }
        }
    }
}

pub fn clip(s: &str) -> String {
    let c: String = s.chars().take(60).collect();
    format!("{c:?}{}", if s.chars().count() > 60 { "…" } else { "" })
}

#[test]
fn markers_are_found() {
    assert_eq!(markers("aZ1:b Z23:<x> Z:y Z4 Z56:"), BTreeSet::from([1, 23, 56]));
    let mut s = Stored::default();
    let i = s.make("f", 3, 100);
    assert_eq!(s.sent(i), "javascript:window.__xss=1//Z1:");
    let j = s.make("f", LONG, 100);
    assert_eq!(s.sent(j).chars().count(), 100);
    assert!(s.sent(j).starts_with("Z2:'\"><iframe"));
    let k = s.make("f", 8, 20);
    assert_eq!(s.sent(k), "Z3:<script>window.__");
    let t = s.make("f", 12, 100);
    assert_eq!(s.shown(t), "=1+1 Z4: <img src=x onerror=window.__xss=1>");
}
