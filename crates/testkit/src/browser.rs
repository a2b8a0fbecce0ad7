//! Headless Chromium driven through chromedriver + fantoccini.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};
use tempfile::TempDir;

use crate::proc::{free_port, log_tail, spawn_supervised, testkit_tempdir, wait_timeout};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A headless Chromium session (Japanese UI locale, 1280×900 window).
///
/// Owns the chromedriver process (and, through its process group, Chromium)
/// and a fresh profile dir. Prefer [`Browser::close`]; dropping also kills
/// chromedriver and Chromium.
pub struct Browser {
    pub client: Client,
    // Field order matters for drop: session handle, then processes, then the
    // profile dir they were using.
    driver: Driver,
    dir: TempDir,
}

impl Browser {
    /// Ends the WebDriver session (Chromium quits), then stops chromedriver
    /// and removes the profile dir.
    pub async fn close(self) -> Result<()> {
        let Browser { client, driver, dir } = self;
        let closed = client.close().await;
        drop(driver);
        let _ = dir.close();
        closed.context("closing the WebDriver session")
    }

    /// Process id of chromedriver (also its process group id).
    pub fn chromedriver_pid(&self) -> u32 {
        self.driver.child.id()
    }

    /// The chromedriver log, for diagnosing failures.
    pub fn driver_log(&self) -> String {
        log_tail(&self.dir.path().join("chromedriver.log"), 16 * 1024)
    }
}

/// Starts chromedriver on a free loopback port and opens a session in a fresh
/// headless Chromium profile.
pub async fn browser() -> Result<Browser> {
    for bin in [CHROMEDRIVER, CHROMIUM] {
        if !Path::new(bin).exists() {
            bail!("{bin} not found: run scripts/ensure-test-deps.sh (installs chromium, chromium-driver)");
        }
    }
    let dir = testkit_tempdir("chrome")?;
    let profile = dir.path().join("profile");
    std::fs::create_dir(&profile)?;
    let log_path = dir.path().join("chromedriver.log");

    let mut last_err = None;
    for _attempt in 0..3 {
        let port = free_port()?;
        let mut cmd = Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log_path.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Own process group: Chromium inherits it, so one killpg stops all.
            .process_group(0);
        let child = spawn_supervised(cmd, libc::SIGKILL)?;
        let mut driver = Driver { watchdog: spawn_watchdog(child.id()), child };
        match wait_for_port(&mut driver.child, port).await {
            Ok(()) => {}
            Err(e) => {
                last_err = Some(e.context(log_tail(&log_path, 4000)));
                continue; // e.g. port taken meanwhile
            }
        }
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&profile))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .with_context(|| format!("creating a Chromium session via chromedriver; log:\n{}", log_tail(&log_path, 4000)))?;
        return Ok(Browser { client, driver, dir });
    }
    Err(last_err.unwrap_or_else(|| anyhow::anyhow!("chromedriver did not start")).context("starting chromedriver"))
}

fn capabilities(profile: &Path) -> Map<String, Value> {
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-quic".to_owned(),
        format!("--user-data-dir={}", profile.display()),
        "--window-size=1280,900".to_owned(),
        "--lang=ja-JP".to_owned(),
    ];
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": args,
            "prefs": { "intl.accept_languages": "ja-JP,ja" },
        }),
    );
    caps
}

async fn wait_for_port(child: &mut Child, port: u16) -> Result<()> {
    let deadline = Instant::now() + DRIVER_START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("chromedriver exited during startup ({status})");
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("chromedriver did not listen on port {port} within {}s", DRIVER_START_TIMEOUT.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Starts a shell that kills process group `pgid` once this process is gone.
///
/// chromedriver's parent-death signal cannot reach Chromium, which chromedriver
/// leaves behind when killed. The watchdog blocks reading a pipe whose write
/// end only this process holds (close-on-exec), so it sees EOF however this
/// process ends, even SIGKILL. It has its own process group and ignores
/// INT/TERM/HUP so it outlives signals aimed at the test's group.
/// Best effort: without it, Chromium can only leak if the test is killed.
fn spawn_watchdog(pgid: u32) -> Option<Child> {
    Command::new("/bin/sh")
        .args(["-c", "trap '' INT TERM HUP; read -r _; kill -9 \"-$1\" 2>/dev/null", "careerdock-testkit-watchdog"])
        .arg(pgid.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()
}

/// The chromedriver child; dropping it kills its whole process group.
struct Driver {
    child: Child,
    watchdog: Option<Child>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Retire the watchdog first so it never signals a recycled group id.
        if let Some(mut watchdog) = self.watchdog.take() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        let Ok(pgid) = i32::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: the group was created for this chromedriver (process_group(0)).
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        if !wait_timeout(&mut self.child, Duration::from_secs(5)) {
            let _ = self.child.kill();
        }
        // Give Chromium's processes a moment to vanish before the profile dir
        // is removed (they may linger as zombies if nobody reaps them).
        let deadline = Instant::now() + Duration::from_millis(500);
        // SAFETY: signal 0 to our own process group only checks existence.
        while unsafe { libc::kill(-pgid, 0) } == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
