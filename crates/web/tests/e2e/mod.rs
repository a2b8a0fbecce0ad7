//! End-to-end tests in a real headless Chromium (chromedriver + fantoccini) against the real
//! application: signing in per role, the supervisor's review of a report (R1, R2), the
//! report editor's autosave surviving an expired sign-in, and stored payloads in every
//! free-text field shown as text and never run (`xss`), and every page of every demo login
//! walked at phone and desktop widths in both languages, checked by axe-core (`pages`), and
//! one employee's year from the interview to the next cycle's interview page (`year`).
//!
//! Waits poll the page (never fixed sleeps); a failing step reports the page's URL and text
//! and the tail of the chromedriver log.

mod autosave;
mod consent;
mod escalation;
mod fixture;
mod forms;
mod management;
mod overall;
mod pages;
mod print;
mod review;
mod roles;
mod two_factor;
mod xss;
mod year;

use crate::support::{App, PASSWORD, TENANT};
use anyhow::{anyhow, bail, Context, Result};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::time::{Duration, Instant};
use testkit::Browser;

/// How long a wait polls before giving up.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// One browser pointed at one running application.
pub struct Ui {
    browser: Browser,
    base: String,
}

impl Ui {
    pub async fn open(app: &App) -> Result<Ui> {
        Ui::at(&app.base).await
    }

    /// A browser pointed at the application serving `base`.
    pub async fn at(base: &str) -> Result<Ui> {
        let browser = testkit::browser().await.context("starting headless Chromium")?;
        Ok(Ui { browser, base: base.to_string() })
    }

    pub fn client(&self) -> &Client {
        &self.browser.client
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Loads `path` and waits for the document to be complete.
    pub async fn goto(&self, path: &str) -> Result<()> {
        self.client().goto(&self.url(path)).await.with_context(|| format!("opening {path}"))?;
        self.wait_loaded().await
    }

    /// The path (and query) of the current page.
    pub async fn path(&self) -> Result<String> {
        let url = self.client().current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.client().execute(script, args).await.with_context(|| format!("running script {script:?}"))
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> Result<String> {
        let v = self.js("return document.body ? document.body.innerText : '';", vec![]).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Polls `probe` until it answers `Some`, for at most [`WAIT`].
    pub async fn until<T, F, Fut>(&self, what: &str, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + WAIT;
        let mut last_err = None;
        loop {
            match probe().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
            if Instant::now() >= deadline {
                let why = last_err.map(|e| format!(" (last error: {e:#})")).unwrap_or_default();
                bail!("timed out after {}s waiting for {what}{why}", WAIT.as_secs());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_loaded(&self) -> Result<()> {
        self.until("the page to finish loading", || async {
            let state = self.js("return document.readyState;", vec![]).await?;
            Ok((state == json!("complete")).then_some(()))
        })
        .await
    }

    /// The text of the first element matching `css`, if there is one.
    pub async fn text_of(&self, css: &str) -> Result<Option<String>> {
        let found = self.client().find_all(Locator::Css(css)).await?;
        match found.first() {
            Some(el) => Ok(Some(el.text().await?)),
            None => Ok(None),
        }
    }

    /// Waits until the element `css` exists and its text contains `needle`; returns the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        self.until(&format!("{css} to contain {needle:?}"), || async { Ok(self.text_of(css).await?.filter(|t| t.contains(needle))) }).await
    }

    /// Asserts the text of `css` right now (after the page has loaded).
    pub async fn expect_text(&self, css: &str, expected: &str) -> Result<()> {
        let Some(got) = self.text_of(css).await? else {
            bail!("no element {css} on {}", self.path_or_unknown().await);
        };
        if got.trim() != expected {
            bail!("{css} shows {got:?}, expected {expected:?}");
        }
        Ok(())
    }

    pub async fn exists(&self, css: &str) -> Result<bool> {
        Ok(!self.client().find_all(Locator::Css(css)).await?.is_empty())
    }

    /// The `value` of a form field.
    pub async fn value_of(&self, css: &str) -> Result<String> {
        let el = self.client().find(Locator::Css(css)).await.with_context(|| format!("no field {css}"))?;
        Ok(el.prop("value").await?.unwrap_or_default())
    }

    /// Types `text` at the end of the field `css`, key by key, as a user would.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let el = self.client().find(Locator::Css(css)).await.with_context(|| format!("no field {css}"))?;
        el.send_keys(text).await.with_context(|| format!("typing into {css}"))
    }

    /// Empties the field `css`, then types `text`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let el = self.client().find(Locator::Css(css)).await.with_context(|| format!("no field {css}"))?;
        el.clear().await?;
        el.send_keys(text).await.with_context(|| format!("typing into {css}"))
    }

    /// Clicks `css` (a radio button, a checkbox) where the page stays.
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self.client().find(Locator::Css(css)).await.with_context(|| format!("no element {css} to click"))?;
        el.click().await.with_context(|| format!("clicking {css}"))
    }

    /// Sets a date or time field to `value` (`2026-05-01`, `10:00`) as its picker does, with
    /// the input and change events: typing into one depends on the browser's locale.
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        let script = "const e = document.querySelector(arguments[0]); if (!e) return false;
            e.value = arguments[1];
            e.dispatchEvent(new Event('input', { bubbles: true }));
            e.dispatchEvent(new Event('change', { bubbles: true }));
            return e.value === arguments[1];";
        match self.js(script, vec![json!(css), json!(value)]).await? {
            Value::Bool(true) => Ok(()),
            _ => bail!("cannot set {css} to {value:?}"),
        }
    }

    /// Clicks `css` and waits until a new document has replaced the current one and loaded.
    pub async fn click_and_wait(&self, css: &str) -> Result<()> {
        self.js("window.__e2eOldPage = true;", vec![]).await?;
        let el = self.client().find(Locator::Css(css)).await.with_context(|| format!("no element {css} to click"))?;
        el.click().await.with_context(|| format!("clicking {css}"))?;
        self.until(&format!("the page after clicking {css}"), || async {
            let v = self.js("return window.__e2eOldPage === true ? 'old' : document.readyState;", vec![]).await?;
            Ok((v == json!("complete")).then_some(()))
        })
        .await
    }

    /// Signs in through the form on the current `/login` page (opened with `path`); waits for
    /// the page the sign-in leads to.
    pub async fn sign_in_at(&self, path: &str, login: &str) -> Result<()> {
        self.sign_in_with(path, TENANT, login).await
    }

    /// Signs in to `tenant` through the form on the `/login` page opened with `path`.
    pub async fn sign_in_with(&self, path: &str, tenant: &str, login: &str) -> Result<()> {
        self.goto(path).await?;
        if !self.path().await?.starts_with("/login") {
            bail!("expected the sign-in page at {path}, got {}", self.path().await?);
        }
        self.fill("#tenant", tenant).await?;
        self.fill("#login", login).await?;
        self.fill("#password", PASSWORD).await?;
        self.click_and_wait("form[action='/login'] button[type=submit]").await?;
        let now = self.path().await?;
        if now.starts_with("/login") {
            bail!("sign-in as {login} stayed on {now}: {}", self.page_text().await.unwrap_or_default());
        }
        Ok(())
    }

    pub async fn sign_in(&self, login: &str) -> Result<()> {
        self.sign_in_at("/login", login).await
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) -> Result<()> {
        self.click_and_wait("form[action='/logout'] button[type=submit]").await?;
        if !self.path().await?.starts_with("/login") {
            bail!("signing out did not lead to /login but to {}", self.path().await?);
        }
        Ok(())
    }

    /// The HTTP status the browser gets for a GET of `path` in this session (redirects not followed).
    pub async fn status_of(&self, path: &str) -> Result<u64> {
        let script = "const done = arguments[arguments.length - 1];
            fetch(arguments[0], { credentials: 'same-origin', redirect: 'manual' })
              .then((r) => done(r.status), (e) => done('error: ' + e));";
        let v = self.client().execute_async(script, vec![json!(path)]).await?;
        v.as_u64().ok_or_else(|| anyhow!("fetch {path}: {v}"))
    }

    /// A download as the browser gets it in this session: "status content-type first-bytes"
    /// (the first four bytes as text, e.g. `%PDF`).
    pub async fn download_of(&self, path: &str) -> Result<String> {
        let script = "const done = arguments[arguments.length - 1];
            fetch(arguments[0], { credentials: 'same-origin', redirect: 'manual' })
              .then((r) => r.arrayBuffer().then((b) => done(r.status + ' ' + r.headers.get('content-type') + ' '
                  + String.fromCharCode(...new Uint8Array(b.slice(0, 4))))), (e) => done('error: ' + e));";
        let v = self.client().execute_async(script, vec![json!(path)]).await?;
        v.as_str().map(String::from).ok_or_else(|| anyhow!("fetch {path}: {v}"))
    }

    /// What a failure report shows: where the browser is, what it shows, what chromedriver logged.
    pub async fn diagnostics(&self) -> String {
        let url = match self.client().current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("<unknown: {e}>"),
        };
        let text = self.page_text().await.unwrap_or_else(|e| format!("<cannot read the page: {e:#}>"));
        let log = self.browser.driver_log();
        let tail: String = {
            let chars: Vec<char> = log.chars().collect();
            chars[chars.len().saturating_sub(6000)..].iter().collect()
        };
        format!("=== page {url} ===\n{text}\n=== chromedriver log (tail) ===\n{tail}")
    }

    async fn path_or_unknown(&self) -> String {
        self.path().await.unwrap_or_else(|_| "<unknown page>".into())
    }

    /// Closes the browser; a failed `outcome` gains the page and driver log as diagnostics.
    pub async fn finish(self, outcome: Result<()>) -> Result<()> {
        match outcome {
            Ok(()) => self.browser.close().await,
            Err(e) => {
                let diagnostics = self.diagnostics().await;
                let _ = self.browser.close().await;
                Err(anyhow!("{e:#}\n\n{diagnostics}"))
            }
        }
    }
}

/// Fails unless none of `names` occurs in `text`.
pub fn expect_absent(what: &str, text: &str, names: &[&str]) -> Result<()> {
    let leaked: Vec<&str> = names.iter().copied().filter(|n| text.contains(n)).collect();
    if !leaked.is_empty() {
        bail!("{what} shows {leaked:?}:\n{text}");
    }
    Ok(())
}

/// Fails unless every one of `parts` occurs in `text`.
pub fn expect_present(what: &str, text: &str, parts: &[&str]) -> Result<()> {
    let missing: Vec<&str> = parts.iter().copied().filter(|n| !text.contains(n)).collect();
    if !missing.is_empty() {
        bail!("{what} lacks {missing:?}:\n{text}");
    }
    Ok(())
}

/// Logs how long a test took, so the suite's budget stays visible.
pub struct Timer(&'static str, Instant);

impl Timer {
    pub fn start(name: &'static str) -> Timer {
        Timer(name, Instant::now())
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        eprintln!("e2e {}: {} ms", self.0, self.1.elapsed().as_millis());
    }
}
