//! Fresh, isolated databases for integration tests: a SQLite file in its own
//! temp dir, or a brand-new database on a per-process PostgreSQL 15 cluster.

use std::fmt;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Once, PoisonError, TryLockError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

use crate::proc::{free_port, log_tail, lookup_user, spawn_supervised, testkit_tempdir, wait_timeout};

/// Directory holding the PostgreSQL 15 client and server binaries.
pub const PG_BIN_DIR: &str = "/usr/lib/postgresql/15/bin";

/// When set (e.g. `postgres://postgres@127.0.0.1:5544/postgres`), tests use
/// this already-running cluster instead of starting their own. The URL must
/// name a maintenance database its user may `CREATE DATABASE` from.
pub const PG_URL_ENV: &str = "CAREERDOCK_TEST_PG_URL";

/// How long the local cluster may take to accept connections.
const PG_START_TIMEOUT: Duration = Duration::from_secs(30);

/// A database backend supported by the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Every backend, for tests that run against each one.
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    /// `"sqlite"` or `"postgres"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fresh, empty database. Dropping it removes the SQLite temp dir or drops
/// the PostgreSQL database (best effort, `WITH (FORCE)`).
#[derive(Debug)]
pub struct TestDb {
    /// SQLite: the plain path of `careerdock.db` (file not created yet).
    /// PostgreSQL: `postgres://user@host:port/t_<random>`.
    pub url: String,
    pub backend: Backend,
    dir: Option<TempDir>,
    pg: Option<PgDatabase>,
}

#[derive(Debug)]
struct PgDatabase {
    name: String,
    maintenance_url: String,
}

impl TestDb {
    /// Path of the SQLite database file; `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self.backend {
            Backend::Sqlite => Some(PathBuf::from(&self.url)),
            Backend::Postgres => None,
        }
    }

    /// The temp dir holding the SQLite file; `None` for PostgreSQL.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }

    /// The PostgreSQL database name (`t_<random>`); `None` for SQLite.
    pub fn pg_database(&self) -> Option<&str> {
        self.pg.as_ref().map(|pg| pg.name.as_str())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(pg) = self.pg.take() {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg.name);
            let _ = psql(&pg.maintenance_url, &sql);
        }
    }
}

/// A brand-new empty database on `backend`.
///
/// PostgreSQL databases live on one cluster per test process, started on first
/// use (or the cluster named by [`PG_URL_ENV`]).
pub fn fresh_db(backend: Backend) -> Result<TestDb> {
    match backend {
        Backend::Sqlite => {
            let dir = testkit_tempdir("sqlite")?;
            let path = dir.path().join("careerdock.db");
            let url = path.to_str().with_context(|| format!("temp path {} is not UTF-8", path.display()))?.to_owned();
            Ok(TestDb { url, backend, dir: Some(dir), pg: None })
        }
        Backend::Postgres => {
            let cluster = cluster()?;
            let name = format!("t_{:016x}", rand::random::<u64>());
            // FILE_COPY (PG 15+) is ~3x faster than the default WAL_LOG for a
            // near-empty template with fsync on; older servers lack STRATEGY.
            let create = format!("CREATE DATABASE {name} STRATEGY = FILE_COPY");
            if let Err(e) = psql(&cluster.base_url, &create) {
                if !format!("{e:#}").contains("STRATEGY") {
                    return Err(e.context(format!("creating test database {name}")));
                }
                psql(&cluster.base_url, &format!("CREATE DATABASE {name}")).with_context(|| format!("creating test database {name}"))?;
            }
            Ok(TestDb {
                url: cluster.url_for(&name),
                backend,
                dir: None,
                pg: Some(PgDatabase { name, maintenance_url: cluster.base_url.clone() }),
            })
        }
    }
}

/// URL of the shared cluster's maintenance database (for `pg_dump`, `psql`…);
/// starts the cluster if needed.
pub fn postgres_base_url() -> Result<String> {
    Ok(cluster()?.base_url.clone())
}

/// `/usr/lib/postgresql/15/bin/<tool>`.
pub fn pg_bin(tool: &str) -> PathBuf {
    Path::new(PG_BIN_DIR).join(tool)
}

/// Runs one SQL statement with `psql` against `url`; errors carry psql's stderr.
pub fn psql(url: &str, sql: &str) -> Result<String> {
    let out = Command::new(pg_bin("psql"))
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", pg_bin("psql").display()))?;
    if !out.status.success() {
        bail!("psql -c {sql:?} on {url} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

// ---------------------------------------------------------------------------
// The shared cluster
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Cluster {
    /// URL of the maintenance database.
    base_url: String,
    /// `scheme://authority/`
    url_prefix: String,
    /// `?query` of the base URL, or empty.
    url_suffix: String,
}

impl Cluster {
    fn from_url(base_url: &str) -> Result<Cluster> {
        let (prefix, suffix) = split_pg_url(base_url)?;
        Ok(Cluster { base_url: base_url.to_owned(), url_prefix: prefix.to_owned(), url_suffix: suffix.to_owned() })
    }

    fn url_for(&self, db: &str) -> String {
        format!("{}{db}{}", self.url_prefix, self.url_suffix)
    }
}

/// Splits `postgres://auth/db?query` into (`postgres://auth/`, `?query`).
fn split_pg_url(url: &str) -> Result<(&str, &str)> {
    let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) else {
        bail!("{url:?} is not a postgres:// URL");
    };
    let scheme_len = url.len() - rest.len();
    let auth_len = rest.find(['/', '?']).unwrap_or(rest.len());
    if auth_len == 0 {
        bail!("{url:?} has no host");
    }
    let auth_end = scheme_len + auth_len;
    let path_and_query = &url[auth_end..];
    // Without a path, `url_for` would glue the name onto the port.
    if !path_and_query.starts_with('/') {
        bail!("{url:?} must include a database path, e.g. /postgres");
    }
    let query = path_and_query.find('?').map_or("", |i| &path_and_query[i..]);
    Ok((&url[..=auth_end], query))
}

static CLUSTER: Mutex<Option<Arc<Cluster>>> = Mutex::new(None);

fn cluster() -> Result<Arc<Cluster>> {
    let mut guard = CLUSTER.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(cluster) = guard.as_ref() {
        return Ok(Arc::clone(cluster));
    }
    let cluster = match std::env::var(PG_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => {
            let url = url.trim();
            let cluster = Cluster::from_url(url).with_context(|| format!("bad {PG_URL_ENV}"))?;
            psql(url, "SELECT 1").with_context(|| format!("{PG_URL_ENV}={url} does not accept connections"))?;
            cluster
        }
        _ => start_local_cluster().context("starting the test PostgreSQL cluster")?,
    };
    let cluster = Arc::new(cluster);
    *guard = Some(Arc::clone(&cluster));
    Ok(cluster)
}

/// The cluster this process started; stopped by [`stop_local_cluster`].
struct LocalServer {
    child: Child,
    dir: Option<TempDir>,
}

impl LocalServer {
    fn stop(&mut self) {
        // Immediate shutdown (SIGQUIT): a smart shutdown (SIGTERM) would wait
        // for clients, and at exit this process may still hold connections.
        // Nothing needs to survive: the data dir is deleted right after.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signalling our own child process.
            unsafe { libc::kill(pid, libc::SIGQUIT) };
        }
        if !wait_timeout(&mut self.child, Duration::from_secs(10)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

static LOCAL: Mutex<Option<LocalServer>> = Mutex::new(None);

extern "C" fn stop_local_cluster() {
    let mut guard = match LOCAL.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(p)) => p.into_inner(),
        Err(TryLockError::WouldBlock) => return, // the PR_SET_DEATHSIG signal still fires
    };
    if let Some(mut server) = guard.take() {
        server.stop();
    }
}

fn start_local_cluster() -> Result<Cluster> {
    let started = Instant::now();
    let initdb = pg_bin("initdb");
    if !initdb.exists() {
        bail!(
            "{} not found: PostgreSQL 15 is not installed \
             (apt-get install postgresql-15, or run scripts/ensure-test-deps.sh), \
             or set {PG_URL_ENV} to a running cluster",
            initdb.display()
        );
    }

    let dir = testkit_tempdir("pg")?;
    // PostgreSQL refuses to run as root.
    // SAFETY: geteuid has no preconditions.
    let run_as = if unsafe { libc::geteuid() } == 0 {
        let ids = lookup_user("postgres").context("root must run PostgreSQL as `postgres`")?;
        std::os::unix::fs::chown(dir.path(), Some(ids.0), Some(ids.1))
            .with_context(|| format!("chown postgres {}", dir.path().display()))?;
        Some(ids)
    } else {
        None
    };
    let as_postgres = |cmd: &mut Command| {
        if let Some((uid, gid)) = run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd.current_dir(dir.path()).env_remove("PGDATA").env("LC_ALL", "C").stdin(Stdio::null());
    };

    let data = dir.path().join("data");
    let mut cmd = Command::new(&initdb);
    cmd.arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"])
        // Only skips fsyncing initdb's own output; the server runs with fsync=on.
        .args(["--no-sync", "--no-instructions"]);
    as_postgres(&mut cmd);
    let out = cmd.output().with_context(|| format!("running {}", initdb.display()))?;
    if !out.status.success() {
        bail!(
            "initdb failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }

    // The free port may be taken by a concurrent process before postgres binds
    // it: retry with another one.
    let mut last_err = None;
    for attempt in 0..5 {
        let port = free_port()?;
        let log_path = dir.path().join(format!("postgres-{attempt}.log"));
        let log = File::create(&log_path)?;
        let mut cmd = Command::new(pg_bin("postgres"));
        cmd.arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(dir.path())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "fsync=on"])
            .args(["-c", "max_connections=300"])
            .args(["-c", "shared_buffers=32MB"])
            .stdout(log.try_clone()?)
            .stderr(log);
        as_postgres(&mut cmd);
        let mut child = spawn_supervised(cmd, libc::SIGQUIT)?;
        match wait_ready(&mut child, port, &log_path, started + PG_START_TIMEOUT) {
            Ok(()) => {
                *LOCAL.lock().unwrap_or_else(PoisonError::into_inner) = Some(LocalServer { child, dir: Some(dir) });
                static ATEXIT: Once = Once::new();
                ATEXIT.call_once(|| {
                    // SAFETY: registering a plain extern "C" fn.
                    unsafe { libc::atexit(stop_local_cluster) };
                });
                eprintln!("careerdock-testkit: PostgreSQL 15 on 127.0.0.1:{port} ready in {} ms", started.elapsed().as_millis());
                return Cluster::from_url(&format!("postgres://postgres@127.0.0.1:{port}/postgres"));
            }
            Err(StartError::PortInUse) => {
                last_err = Some(anyhow::anyhow!("port {port} in use: {}", log_tail(&log_path, 2000)));
            }
            Err(StartError::Fatal(e)) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        }
    }
    Err(last_err.unwrap_or_else(|| anyhow::anyhow!("postgres did not start")))
}

enum StartError {
    PortInUse,
    Fatal(anyhow::Error),
}

fn wait_ready(child: &mut Child, port: u16, log_path: &Path, deadline: Instant) -> std::result::Result<(), StartError> {
    let port_arg = port.to_string();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let log = log_tail(log_path, 4000);
                if log.contains("Address already in use") {
                    return Err(StartError::PortInUse);
                }
                return Err(StartError::Fatal(anyhow::anyhow!(
                    "postgres exited during startup ({status}); log {}:\n{log}",
                    log_path.display()
                )));
            }
            Ok(None) => {}
            Err(e) => return Err(StartError::Fatal(e.into())),
        }
        let ready = Command::new(pg_bin("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port_arg])
            .args(["-U", "postgres", "-d", "postgres", "-t", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| StartError::Fatal(anyhow::Error::new(e).context("running pg_isready")))?;
        if ready.success() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(StartError::Fatal(anyhow::anyhow!(
                "postgres on port {port} did not accept connections within {}s; log {}:\n{}",
                PG_START_TIMEOUT.as_secs(),
                log_path.display(),
                log_tail(log_path, 4000)
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let c = Cluster::from_url("postgres://postgres@127.0.0.1:5544/postgres").unwrap();
        assert_eq!(c.url_for("t_1"), "postgres://postgres@127.0.0.1:5544/t_1");
        let c = Cluster::from_url("postgresql://u:p@h:1/db?sslmode=disable").unwrap();
        assert_eq!(c.url_for("x"), "postgresql://u:p@h:1/x?sslmode=disable");
        assert!(Cluster::from_url("postgres://h:1").is_err());
        assert!(Cluster::from_url("mysql://h/db").is_err());
    }

    #[test]
    fn backend_display() {
        assert_eq!(Backend::Sqlite.to_string(), "sqlite");
        assert_eq!(Backend::Postgres.to_string(), "postgres");
        assert_eq!(Backend::ALL.len(), 2);
    }
}
