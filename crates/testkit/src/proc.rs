//! Process and temp-dir plumbing shared by the PostgreSQL and browser helpers.

use std::ffi::CString;
use std::io;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use tempfile::TempDir;

/// Asks the kernel for a currently free TCP port on the loopback interface.
///
/// The port is released before returning, so a concurrent process may grab it;
/// callers that bind it in a child process retry on "address in use".
pub(crate) fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("binding 127.0.0.1:0 to find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Whether process `pid` still exists (zombies count as existing).
pub(crate) fn pid_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only performs the existence/permission check.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

// ---------------------------------------------------------------------------
// Temp dirs
// ---------------------------------------------------------------------------

/// Root for every temp dir this crate creates: `<tmp>/careerdock-testkit-<uid>`.
///
/// Entries are named `<kind>-<pid>-<random>`; the first use in a process removes
/// entries left behind by processes that no longer exist (e.g. a test binary
/// killed by a timeout, whose atexit handler never ran).
fn base_dir() -> Result<&'static Path> {
    static BASE: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BASE.get_or_init(|| init_base_dir().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(|e| anyhow!("testkit temp dir unavailable: {e}"))
}

fn init_base_dir() -> Result<PathBuf> {
    let mut tmp = std::env::temp_dir();
    // Server processes we run as the `postgres` user must be able to reach
    // their data dir, so the temp root has to be traversable by others.
    if !world_traversable(&tmp) {
        tmp = PathBuf::from("/tmp");
    }
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let base = tmp.join(format!("careerdock-testkit-{uid}"));
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o755)).with_context(|| format!("chmod 755 {}", base.display()))?;
    remove_stale_entries(&base);
    Ok(base)
}

fn world_traversable(path: &Path) -> bool {
    path.ancestors().all(|p| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o001 != 0).unwrap_or(false))
}

fn remove_stale_entries(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let me = std::process::id() as i32;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split('-').nth(1)).and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if pid != me && !pid_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A fresh, empty temp dir `<base>/<kind>-<pid>-<random>`, removed on drop.
pub(crate) fn testkit_tempdir(kind: &str) -> Result<TempDir> {
    let base = base_dir()?;
    tempfile::Builder::new()
        .prefix(&format!("{kind}-{}-", std::process::id()))
        .tempdir_in(base)
        .with_context(|| format!("creating a temp dir in {}", base.display()))
}

// ---------------------------------------------------------------------------
// Supervised child processes
// ---------------------------------------------------------------------------

type Job = Box<dyn FnOnce() + Send>;

/// A thread that lives as long as the process and performs every supervised
/// spawn.
///
/// `PR_SET_DEATHSIG` fires when the *thread* that forked the child exits, not
/// the process. Test functions run on short-lived threads, so forking from
/// them would kill a shared server as soon as the first test finishes.
fn spawner() -> &'static mpsc::Sender<Job> {
    static SPAWNER: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        // If the thread cannot be created, `rx` is dropped and every send fails,
        // which `spawn_supervised` reports as an error.
        let _ = std::thread::Builder::new().name("testkit-spawner".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
            }
        });
        tx
    })
}

/// Spawns `cmd` so that the child receives `deathsig` when this process dies,
/// however it dies (including SIGKILL).
///
/// Any `uid`/`gid` set on `cmd` are applied before the signal is armed (a
/// credential change would clear it).
pub(crate) fn spawn_supervised(mut cmd: Command, deathsig: libc::c_int) -> Result<Child> {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure only calls async-signal-safe functions (prctl,
    // getppid) and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, deathsig as libc::c_ulong, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl.
            if libc::getppid() != parent {
                return Err(io::Error::other("parent exited before exec"));
            }
            Ok(())
        });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    let (tx, rx) = mpsc::channel();
    spawner()
        .send(Box::new(move || {
            let _ = tx.send(cmd.spawn());
        }))
        .map_err(|_| anyhow!("testkit spawner thread is not running"))?;
    rx.recv().map_err(|_| anyhow!("testkit spawner thread died"))?.with_context(|| format!("spawning {program}"))
}

/// Waits up to `timeout` for `child` to exit; returns whether it did.
pub(crate) fn wait_timeout(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => return false,
            Err(_) => return true, // already reaped / not our child any more
        }
    }
}

/// Last `max` bytes of a log file, for error messages.
pub(crate) fn log_tail(path: &Path, max: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let start = bytes.len().saturating_sub(max);
            String::from_utf8_lossy(&bytes[start..]).trim().to_string()
        }
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

/// uid and gid of a local user account.
pub(crate) fn lookup_user(name: &str) -> Result<(u32, u32)> {
    let cname = CString::new(name)?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data; an all-zero value is valid.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the duration of the call and `buf`'s
    // length is passed correctly.
    let rc = unsafe { libc::getpwnam_r(cname.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc)).context(format!("getpwnam_r({name})"));
    }
    if result.is_null() {
        anyhow::bail!("user `{name}` does not exist");
    }
    Ok((pwd.pw_uid, pwd.pw_gid))
}
