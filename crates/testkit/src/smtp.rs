//! A real SMTP server for the e-mail tests: Debian's `python3-aiosmtpd` (installed by
//! `scripts/ensure-test-deps.sh`) on a free loopback port, saving every message it accepts
//! to a temporary directory. Dropping the [`SmtpSink`] stops it.

use crate::proc::{free_port, spawn_supervised, testkit_tempdir};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The interpreter that has Debian's `aiosmtpd` (a pyenv or venv `python3` on the PATH may not).
pub const PYTHON: &str = "/usr/bin/python3";

const SCRIPT: &str = include_str!("smtp_sink.py");

/// How the sink behaves.
#[derive(Clone, Debug, Default)]
pub struct SmtpOptions {
    /// Require AUTH with this login and password.
    pub auth: Option<(String, String)>,
    /// Answer the first `RCPT TO` only after this long (to stop a sender in the middle).
    pub delay_first: Option<Duration>,
}

/// One message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The raw message (headers and body, as sent).
    pub raw: String,
    /// The envelope's recipients.
    pub recipients: Vec<String>,
    /// When the test saw it arrive.
    pub seen_at: Instant,
}

pub struct SmtpSink {
    pub port: u16,
    child: Child,
    // Held so that the server's standard input stays open while the sink lives.
    _stdin: Option<ChildStdin>,
    dir: TempDir,
}

impl SmtpSink {
    pub fn start(options: SmtpOptions) -> Result<SmtpSink> {
        let dir = testkit_tempdir("smtp")?;
        let mut last = None;
        // The free port may be taken by someone else before the server binds it: try again.
        for _ in 0..5 {
            let port = free_port()?;
            let mut cmd = Command::new(PYTHON);
            cmd.arg("-c").arg(SCRIPT).arg("--port").arg(port.to_string()).arg("--out").arg(dir.path());
            if let Some((login, password)) = &options.auth {
                cmd.arg("--login").arg(login).arg("--password").arg(password);
            }
            if let Some(d) = options.delay_first {
                cmd.arg("--delay-first").arg(format!("{:.3}", d.as_secs_f64()));
            }
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
            let mut child = spawn_supervised(cmd, libc::SIGKILL)
                .with_context(|| format!("starting the SMTP server ({PYTHON} with aiosmtpd; see scripts/ensure-test-deps.sh)"))?;
            let stdin = child.stdin.take();
            let stdout = child.stdout.take().context("the SMTP server's output")?;
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).context("reading the SMTP server's first line")?;
            if line.trim() == "ready" {
                return Ok(SmtpSink { port, child, _stdin: stdin, dir });
            }
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            let _ = child.kill();
            let _ = child.wait();
            last = Some(err);
        }
        bail!("the SMTP server did not start: {}", last.unwrap_or_default())
    }

    /// `smtp://[login@]127.0.0.1:<port>` (the password is given apart, as in production).
    pub fn url(&self, login: Option<&str>) -> String {
        match login {
            Some(l) => format!("smtp://{l}@127.0.0.1:{}", self.port),
            None => format!("smtp://127.0.0.1:{}", self.port),
        }
    }

    /// The messages received so far, in order.
    pub fn messages(&self) -> Result<Vec<Received>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| {
                let raw = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                let recipients = std::fs::read_to_string(p.with_extension("rcpt")).unwrap_or_default();
                Ok(Received { raw, recipients: recipients.lines().map(str::to_string).collect(), seen_at: Instant::now() })
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (polling every 10 ms), or fails after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Result<Vec<Received>> {
        let start = Instant::now();
        loop {
            let got = self.messages()?;
            if got.len() >= n {
                return Ok(got);
            }
            if start.elapsed() > timeout {
                bail!("{} message(s) arrived within {timeout:?}, expected {n}", got.len());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
