//! End-to-end tests of the `careerdock` binary: every test runs the real executable against a
//! fresh SQLite file and a fresh PostgreSQL database (see `both_backends!` at the bottom).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use tempfile::TempDir;
use testkit::{fresh_db, psql, Backend, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_careerdock");

/// Small companies keep the suite fast.
const EMPLOYEES: usize = 60;
const SEED: &str = "7";

/// Any single command must finish within this (a hung command fails the test instead of the run).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

const DEMO_LOGINS: [&str; 11] =
    ["consultant1", "consultant2", "supervisor", "hr", "hr-consultant", "executive", "boss", "health", "health2", "employee", "admin"];

const JA_HEADER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール";

// ------------------------------------------------------------------------------------------
// Running the binary
// ------------------------------------------------------------------------------------------

/// What a finished command left behind.
struct Out {
    what: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Out {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    fn success(&self) -> bool {
        self.status.success()
    }

    /// Stdout and stderr together, for messages that may go to either.
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Fails unless the command succeeded; returns itself for chaining.
    fn ok(self) -> Result<Out> {
        ensure!(self.success(), "`{}` failed: {self}", self.what);
        Ok(self)
    }
}

impl std::fmt::Display for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} after {:.2}s\n--- stdout ---\n{}\n--- stderr ---\n{}", self.status, self.took.as_secs_f64(), self.stdout, self.stderr)
    }
}

/// A `careerdock` command with no `CAREERDOCK_*` variable inherited from the test's environment.
fn bare_command(cwd: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CAREERDOCK_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn describe(cmd: &Command) -> String {
    let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("careerdock {}", args.join(" "))
}

/// Runs `cmd` to completion (killing it after `timeout`), capturing both streams.
fn run_with_timeout(mut cmd: Command, timeout: Duration) -> Result<Out> {
    let what = describe(&cmd);
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().with_context(|| format!("spawning {what}"))?;
    let mut stdout = child.stdout.take().context("stdout pipe")?;
    let mut stderr = child.stderr.take().context("stderr pipe")?;
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            let err = err_reader.join().unwrap_or_default();
            bail!("`{what}` did not finish within {}s; stderr:\n{}", timeout.as_secs(), String::from_utf8_lossy(&err));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout_bytes = out_reader.join().map_err(|_| anyhow!("stdout reader panicked"))?;
    let stderr_bytes = err_reader.join().map_err(|_| anyhow!("stderr reader panicked"))?;
    Ok(Out {
        what,
        status,
        stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
        stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
        took: start.elapsed(),
    })
}

/// One test's world: a fresh database and a working directory for the binary.
struct Env {
    backend: Backend,
    db: TestDb,
    dir: TempDir,
}

impl Env {
    fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let dir = tempfile::Builder::new().prefix("careerdock-cli-test-").tempdir()?;
        Ok(Env { backend, db, dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The key file the binary uses: `<db>.key` beside the SQLite file (the default), or the
    /// `--key-file` given for PostgreSQL (whose default would be `./careerdock.key`).
    fn key_file(&self) -> PathBuf {
        match self.backend {
            Backend::Sqlite => PathBuf::from(format!("{}.key", self.db.url)),
            Backend::Postgres => self.path("k.key"),
        }
    }

    /// `careerdock --db <this db> [--key-file …] <args>`.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = bare_command(self.dir.path());
        cmd.arg("--db").arg(&self.db.url);
        if self.backend == Backend::Postgres {
            cmd.arg("--key-file").arg(self.key_file());
        }
        cmd.args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<Out> {
        run_with_timeout(self.command(args), COMMAND_TIMEOUT)
    }

    fn demo(&self) -> Result<Out> {
        self.demo_of(EMPLOYEES)
    }

    /// The demo company with `employees` people (a larger one where a test needs groups of k).
    fn demo_of(&self, employees: usize) -> Result<Out> {
        let n = employees.to_string();
        self.run(&["demo", "--no-serve", "--employees", &n, "--seed", SEED])?.ok()
    }

    /// One SQL statement through the backend's own command-line client; returns its output.
    fn sql(&self, sql: &str) -> Result<String> {
        match self.backend {
            Backend::Postgres => psql(&self.db.url, sql),
            Backend::Sqlite => {
                let out = Command::new("sqlite3")
                    .arg("-bail")
                    .arg(&self.db.url)
                    .arg(sql)
                    .stdin(Stdio::null())
                    .output()
                    .context("running the sqlite3 command-line client (apt-get install sqlite3)")?;
                ensure!(out.status.success(), "sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr));
                Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }
        }
    }

    /// The tenant's employees as the CLI exports them (UTF-8, Japanese headers), without the
    /// header row.
    fn exported_rows(&self, tenant: &str) -> Result<Vec<String>> {
        let out = self.run(&["export", "employees", "--tenant", tenant, "--encoding", "utf-8"])?.ok()?;
        let mut lines = out.stdout.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().context("export printed nothing")?;
        ensure!(header.starts_with("社員番号,"), "unexpected export header: {header}");
        Ok(lines.map(str::to_string).collect())
    }

    fn employee_count(&self) -> Result<usize> {
        Ok(self.exported_rows("demo")?.len())
    }

    /// Opens the store as the binary does, for setting up what no command creates.
    fn open_store(&self, key_file: &Path) -> impl std::future::Future<Output = Result<store::Store>> {
        let url = self.db.url.clone();
        let keys = store::KeySource::File(key_file.to_path_buf());
        async move { Ok(store::Store::open(&url, store::OpenOptions { create: false, migrate: false, keys }).await?) }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn timed(name: &str, backend: Backend, f: impl FnOnce(Backend) -> Result<()>) -> Result<()> {
    let start = Instant::now();
    let result = f(backend);
    eprintln!("[timing] {name} ({backend}): {:.2}s", start.elapsed().as_secs_f64());
    result
}

/// Unique names for files written by the tests of one process.
fn unique(prefix: &str, ext: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}.{ext}", N.fetch_add(1, Ordering::Relaxed))
}

// ------------------------------------------------------------------------------------------
// 1. demo
// ------------------------------------------------------------------------------------------

fn demo_creates_the_company_once(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    let first = env.demo()?;
    for login in DEMO_LOGINS {
        ensure!(first.stdout.lines().any(|l| l.split_whitespace().next() == Some(login)), "demo login {login} not printed: {first}");
    }
    ensure!(first.stdout.contains("demo-password") && first.stdout.contains("demo"), "the password and tenant are not printed: {first}");
    ensure!(first.stderr.contains(&format!("{EMPLOYEES} employees")), "demo does not report {EMPLOYEES} employees: {first}");
    let rows = env.exported_rows("demo")?;
    ensure!(rows.len() == EMPLOYEES, "tenant demo holds {} employees, not {EMPLOYEES}", rows.len());
    let tenants = env.run(&["tenant", "list"])?.ok()?;
    ensure!(tenants.stdout.lines().filter(|l| l.contains("\tdemo\t")).count() == 1, "tenant list: {tenants}");

    // The data key file exists and only its owner may read it.
    let key = env.key_file();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key).with_context(|| format!("key file {} missing", key.display()))?.permissions().mode();
    ensure!(mode & 0o777 == 0o600, "key file {} has mode {:o}, expected 600", key.display(), mode & 0o777);
    // So does the database (SQLite would create it readable by everyone).
    if backend == Backend::Sqlite {
        let mode = std::fs::metadata(&env.db.url)?.permissions().mode() & 0o777;
        ensure!(mode == 0o600, "database file {} has mode {mode:o}, expected 600", env.db.url);
    }
    let key_before = std::fs::read(&key)?;

    // Again: nothing is generated twice, and the same logins are shown.
    let second = env.demo()?;
    ensure!(
        second.stderr.contains("already exists") && second.stderr.contains(&format!("({EMPLOYEES} employees)")),
        "the second run does not say the company already exists: {second}"
    );
    ensure!(second.stdout == first.stdout, "the second run prints other logins:\n{}\nvs\n{}", second.stdout, first.stdout);
    ensure!(env.exported_rows("demo")? == rows, "the second demo run changed the employees");
    ensure!(std::fs::read(&key)? == key_before, "the second run rewrote the key file");
    let tenants = env.run(&["tenant", "list"])?.ok()?;
    ensure!(tenants.stdout.lines().filter(|l| l.contains("\tdemo\t")).count() == 1, "a second demo tenant appeared: {tenants}");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 2. tokens
// ------------------------------------------------------------------------------------------

fn token_create_prints_only_the_token(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let out = env.run(&["token", "create", "--tenant", "demo", "--login", "hr", "--role", "hr", "--expires", "30"])?.ok()?;
    let lines: Vec<&str> = out.stdout.lines().collect();
    ensure!(lines.len() == 1 && out.stdout.ends_with('\n'), "stdout is not exactly one line: {out}");
    let token = lines[0];
    ensure!(token.starts_with("cdk_") && token.len() > 20 && !token.contains(char::is_whitespace), "not a token: {token:?}");

    // Listed (by prefix), never shown again.
    let list = env.run(&["token", "list", "--tenant", "demo", "--login", "hr"])?.ok()?;
    ensure!(!list.all().contains(token), "token list shows the secret: {list}");
    let row = list
        .stdout
        .lines()
        .find(|l| l.contains(&token[..12]))
        .with_context(|| format!("token list does not show prefix {}: {list}", &token[..12]))?;
    ensure!(row.ends_with("active"), "new token is not active: {row}");
    let id = row.split('\t').next().unwrap_or_default().to_string();

    // A second token is another secret.
    let again = env.run(&["token", "create", "--tenant", "demo", "--login", "hr", "--role", "hr"])?.ok()?;
    ensure!(again.stdout.trim() != token, "two tokens share their secret");

    // Revocation.
    env.run(&["token", "revoke", "--tenant", "demo", "--login", "hr", &id])?.ok()?;
    let list = env.run(&["token", "list", "--tenant", "demo", "--login", "hr"])?.ok()?;
    ensure!(
        list.stdout.lines().any(|l| l.starts_with(&format!("{id}\t")) && l.ends_with("revoked")),
        "token {id} is not listed as revoked: {list}"
    );
    let twice = env.run(&["token", "revoke", "--tenant", "demo", "--login", "hr", &id])?;
    ensure!(!twice.success(), "revoking twice succeeded: {twice}");

    // Refusals name what is wrong, and print no token.
    let cases: [(&[&str], &str); 4] = [
        (&["--tenant", "demo", "--login", "hr", "--role", "wizard"], "wizard"),
        (&["--tenant", "demo", "--login", "nobody", "--role", "hr"], "nobody"),
        (&["--tenant", "acme", "--login", "hr", "--role", "hr"], "acme"),
        (&["--tenant", "demo", "--login", "hr", "--role", "admin"], "admin"),
    ];
    for (args, named) in cases {
        let mut full = vec!["token", "create"];
        full.extend_from_slice(args);
        let out = env.run(&full)?;
        ensure!(!out.success(), "token create {args:?} succeeded: {out}");
        ensure!(out.stderr.contains(named), "token create {args:?}: the message does not name {named}: {out}");
        ensure!(!out.stdout.contains("cdk_"), "token create {args:?} printed a token: {out}");
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 3. audit verify
// ------------------------------------------------------------------------------------------

fn audit_verify_names_the_tampered_event(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let out = env.run(&["audit", "verify"])?;
    ensure!(out.code() == Some(0), "audit verify on a fresh demo: {out}");
    ensure!(out.stdout.lines().any(|l| l.starts_with("ok") && l.contains("demo")), "audit verify does not say ok: {out}");
    ensure!(!out.stdout.contains("BROKEN"), "{out}");

    // Edit one event behind the application's back.
    let tampered = 3;
    let sql = format!(
        "UPDATE audit_events SET detail = 'tampered by a test' \
         WHERE seq = {tampered} AND tenant_id = (SELECT id FROM tenants WHERE slug = 'demo') RETURNING seq"
    );
    let changed = env.sql(&sql)?;
    ensure!(
        changed.lines().next().map(str::trim) == Some(tampered.to_string().as_str()),
        "the UPDATE did not hit exactly event {tampered}: {changed:?}"
    );

    for args in [&["audit", "verify"][..], &["audit", "verify", "--tenant", "demo"][..]] {
        let out = env.run(args)?;
        ensure!(out.code() == Some(2), "{args:?} after tampering: {out}");
        ensure!(
            out.stdout.contains("BROKEN") && out.stdout.contains(&format!("first broken link at event {tampered}:")),
            "{args:?} does not name event {tampered}: {out}"
        );
    }

    let out = env.run(&["audit", "verify", "--tenant", "nosuch"])?;
    ensure!(!out.success() && out.stderr.contains("nosuch"), "audit verify of an unknown tenant: {out}");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 4. import
// ------------------------------------------------------------------------------------------

fn csv(rows: &[&str]) -> String {
    let mut s = String::from(JA_HEADER);
    s.push('\n');
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

const NEW_BOSS: &str = "N00001,新井 一郎,アライ イチロウ,新規事業本部/企画部,部長,1975,2005-04-01,,arai@example.com";
const NEW_REPORT: &str = "N00002,新田 花子,ニッタ ハナコ,新規事業本部/企画部,主任,1990,2015/04/01,N00001,nitta@example.com";
const NEW_REPORT_RENAMED: &str = "N00002,新田 華子,ニッタ ハナコ,新規事業本部/企画部,主任,1990,2015/04/01,N00001,nitta@example.com";
const NEW_JUNIOR: &str = "N00003,新村 次郎,ニイムラ ジロウ,新規事業本部/企画部,,1998,2021-04-01,N00001,";

fn import_file(env: &Env, name: &str, bytes: &[u8], extra: &[&str]) -> Result<Out> {
    let path = env.path(name);
    std::fs::write(&path, bytes)?;
    let path = path.display().to_string();
    let mut args = vec!["import", "employees", path.as_str(), "--tenant", "demo"];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn import_reports_changes_and_refuses_bad_rows(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let file = csv(&[NEW_JUNIOR, NEW_REPORT, NEW_BOSS]);

    // A dry run changes nothing.
    let dry = import_file(&env, "new.csv", file.as_bytes(), &["--dry-run"])?.ok()?;
    ensure!(dry.stderr.contains("new 3") && dry.stderr.contains("new departments 2"), "dry run summary: {dry}");
    ensure!(env.employee_count()? == EMPLOYEES, "the dry run imported");

    let out = import_file(&env, "new.csv", file.as_bytes(), &[])?.ok()?;
    ensure!(
        out.stdout.contains("created 3")
            && out.stdout.contains("updated 0")
            && out.stdout.contains("unchanged 0")
            && out.stdout.contains("departments 2"),
        "import summary: {out}"
    );
    let rows = env.exported_rows("demo")?;
    ensure!(rows.len() == EMPLOYEES + 3, "{} employees after import", rows.len());
    let n2 = rows.iter().find(|r| r.starts_with("N00002,")).context("N00002 not exported")?;
    ensure!(
        n2.contains("新田 花子") && n2.contains(",新規事業本部/企画部,") && n2.contains(",2015-04-01,N00001,"),
        "N00002 exported as {n2}"
    );

    // The same file with one name changed.
    let renamed = csv(&[NEW_BOSS, NEW_REPORT_RENAMED, NEW_JUNIOR]);
    let out = import_file(&env, "renamed.csv", renamed.as_bytes(), &[])?.ok()?;
    ensure!(
        out.stdout.contains("created 0")
            && out.stdout.contains("updated 1")
            && out.stdout.contains("unchanged 2")
            && out.stdout.contains("departments 0"),
        "re-import summary: {out}"
    );
    let rows = env.exported_rows("demo")?;
    ensure!(rows.iter().any(|r| r.starts_with("N00002,新田 華子,")), "the new name was not stored");

    // Shift_JIS, as Excel on Japanese Windows saves it (CRLF).
    let sjis_text = csv(&["N00004,新谷 三郎,シンタニ サブロウ,新規事業本部/企画部,,1985,2010-10-01,N00001,"]).replace('\n', "\r\n");
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&sjis_text);
    ensure!(!unmappable, "test data not representable in Shift_JIS");
    ensure!(std::str::from_utf8(&sjis).is_err(), "the Shift_JIS file is also valid UTF-8, so it tests nothing");
    let out = import_file(&env, "sjis.csv", &sjis, &[])?.ok()?;
    ensure!(out.stderr.contains("Shift_JIS") && out.stdout.contains("created 1"), "Shift_JIS import: {out}");
    let rows = env.exported_rows("demo")?;
    ensure!(
        rows.iter().any(|r| r.starts_with("N00004,新谷 三郎,シンタニ サブロウ,新規事業本部/企画部,")),
        "the Shift_JIS row was not stored faithfully: {:?}",
        rows.iter().find(|r| r.starts_with("N00004,"))
    );
    let count = rows.len();
    ensure!(count == EMPLOYEES + 4, "{count} employees");

    // A bad row is refused with its line, and nothing of the file is applied.
    let bad_date = csv(&[
        "N00010,正田 一,ショウダ ハジメ,新規事業本部/企画部,,1980,2001-04-01,N00001,",
        "N00011,誤田 二,ゴダ ニ,新規事業本部/企画部,,1981,2020-13-45,N00001,",
    ]);
    let out = import_file(&env, "baddate.csv", bad_date.as_bytes(), &[])?;
    ensure!(
        out.code() == Some(2)
            && out.stderr.contains("3行目「入社日」")
            && out.stderr.contains("line 3, column 入社日")
            && out.stderr.contains("2020-13-45")
            && !out.stderr.contains("2行目"),
        "a bad date: {out}"
    );
    ensure!(env.employee_count()? == count, "a refused import changed the register");

    // An unknown boss is found against the register (by the store), also with its line.
    let bad_boss = csv(&[
        "N00010,正田 一,ショウダ ハジメ,新規事業本部/企画部,,1980,2001-04-01,N00001,",
        "N00012,誤野 三,ゴノ サン,新規事業本部/企画部,,1982,2003-04-01,Z99999,",
    ]);
    let out = import_file(&env, "badboss.csv", bad_boss.as_bytes(), &[])?;
    ensure!(
        out.code() == Some(2)
            && out.stderr.contains("3行目「上司社員番号」")
            && out.stderr.contains("line 3, column 上司社員番号")
            && out.stderr.contains("Z99999"),
        "an unknown boss: {out}"
    );
    ensure!(env.employee_count()? == count, "a refused import changed the register");
    Ok(())
}

fn responses_file(rows: &[(&str, &str, &str, &str)]) -> String {
    let items: Vec<String> = (1..=16).map(|i| format!("q{i:02}")).collect();
    let mut text = format!("社員番号,時点,回答日,{}\r\n", items.join(","));
    for (number, timing, date, answer) in rows {
        text.push_str(&format!("{number},{timing},{date},{}\r\n", vec![*answer; 16].join(",")));
    }
    text
}

fn response_count(env: &Env) -> Result<usize> {
    let out = env.sql("SELECT COUNT(*) FROM questionnaire_responses")?;
    out.trim().parse::<usize>().with_context(|| format!("count: {out:?}"))
}

/// `import responses`: a CP932 file is read and written whole; a file with several bad cells
/// is refused with each named (line and column, Japanese and English) and nothing is written.
fn import_responses_is_all_or_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    env.run(&["cycle", "create", "--tenant", "demo", "--name", "アンケート年度", "--from", "2026-04-01", "--to", "2027-03-31"])?.ok()?;
    let before = response_count(&env)?;
    let numbers: Vec<String> = env.exported_rows("demo")?.iter().filter_map(|r| r.split(',').next().map(str::to_string)).take(2).collect();
    ensure!(numbers.len() == 2, "{numbers:?}");
    let run = |name: &str, bytes: &[u8]| -> Result<Out> {
        let path = env.path(name);
        std::fs::write(&path, bytes)?;
        let path = path.display().to_string();
        env.run(&[
            "import",
            "responses",
            path.as_str(),
            "--tenant",
            "demo",
            "--questionnaire",
            "career-awareness",
            "--cycle",
            "アンケート年度",
        ])
    };
    let bad = responses_file(&[
        (numbers[0].as_str(), "事前", "2026-05-01", "3"),
        (numbers[1].as_str(), "sometime", "2026-05-01", "3"),
        ("ZZ999", "post", "2026-13-01", "7"),
    ]);
    let out = run("bad.csv", bad.as_bytes())?;
    ensure!(out.code() == Some(2), "a bad file: {out}");
    for needle in ["3行目「時点」", "line 3, column 時点", "4行目「回答日」", "line 4, column 回答日", "4行目「q01」", "line 4, column q16"]
    {
        ensure!(out.stderr.contains(needle), "{needle} not reported: {out}");
    }
    ensure!(!out.stderr.contains("2行目"), "the good line 2 is reported: {out}");
    ensure!(response_count(&env)? == before, "a refused import wrote answers");
    // An unknown employee is found against the register, the file otherwise clean.
    let unknown = responses_file(&[(numbers[0].as_str(), "pre", "2026-05-01", "3"), ("ZZ999", "pre", "2026-05-01", "3")]);
    let out = run("unknown.csv", unknown.as_bytes())?;
    ensure!(out.code() == Some(2) && out.stderr.contains("3行目「社員番号」") && out.stderr.contains("ZZ999"), "{out}");
    ensure!(response_count(&env)? == before, "a refused import wrote answers");

    let good = responses_file(&[
        (numbers[0].as_str(), "事前", "2026-05-01", "2"),
        (numbers[0].as_str(), "事後", "2026-06-01", "4"),
        (numbers[1].as_str(), "pre", "2026-05-01", "3"),
    ]);
    let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&good);
    ensure!(!unmappable && std::str::from_utf8(&sjis).is_err(), "the CP932 file must not also be UTF-8");
    let out = run("good.csv", &sjis)?.ok()?;
    ensure!(out.stderr.contains("Shift_JIS") && out.stdout.contains("3"), "{out}");
    ensure!(response_count(&env)? == before + 3);
    // Answers are sealed: none of the file's cells is stored in the clear beside the row.
    let plain = env.sql("SELECT COUNT(*) FROM questionnaire_responses r JOIN sealed_texts s ON s.id = r.answers_sealed_id")?;
    ensure!(plain.trim() == (before + 3).to_string(), "each response has its sealed answers: {plain}");
    Ok(())
}

/// A file with a bad date on line 3 and an unknown boss on line 4: both are reported at once
/// (the operator should not have to fix and re-run once per kind of mistake).
fn import_reports_every_bad_row_at_once(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let bad = csv(&[
        "N00010,正田 一,ショウダ ハジメ,新規事業本部/企画部,,1980,2001-04-01,,",
        "N00011,誤田 二,ゴダ ニ,新規事業本部/企画部,,1981,2020-13-45,N00010,",
        "N00012,誤野 三,ゴノ サン,新規事業本部/企画部,,1982,2003-04-01,Z99999,",
    ]);
    let out = import_file(&env, "bad.csv", bad.as_bytes(), &[])?;
    ensure!(out.code() == Some(2), "import of a bad file: {out}");
    ensure!(env.employee_count()? == EMPLOYEES, "a refused import changed the register");
    ensure!(out.stderr.contains("3行目") && out.stderr.contains("line 3"), "the bad date on line 3 is not reported: {out}");
    ensure!(!out.stderr.contains("2行目"), "the good line 2 is reported: {out}");
    ensure!(
        out.stderr.contains("4行目") && out.stderr.contains("line 4") && out.stderr.contains("Z99999"),
        "the unknown boss on line 4 is not reported beside the bad date on line 3: {out}"
    );
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 5. export → import round trip
// ------------------------------------------------------------------------------------------

fn export_then_import_changes_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let expected = format!("unchanged {EMPLOYEES},");
    for (encoding, english) in [("utf-8-bom", false), ("sjis", false), ("utf-8", true)] {
        let file = env.path(&unique(&format!("export-{encoding}"), "csv"));
        let file_arg = file.display().to_string();
        let mut args = vec!["export", "employees", "--tenant", "demo", "--encoding", encoding, "-o", file_arg.as_str()];
        if english {
            args.push("--english-headers");
        }
        let out = env.run(&args)?.ok()?;
        ensure!(out.stdout.is_empty(), "export -o also wrote to stdout: {out}");
        ensure!(out.stderr.contains(&format!("exported {EMPLOYEES} employees")), "{out}");
        let bytes = std::fs::read(&file)?;
        let text = match encoding {
            "utf-8-bom" => {
                ensure!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
                String::from_utf8(bytes[3..].to_vec())?
            }
            "sjis" => {
                ensure!(std::str::from_utf8(&bytes).is_err(), "the sjis export is plain UTF-8");
                let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&bytes);
                ensure!(!had_errors, "the sjis export does not decode as Shift_JIS");
                text.into_owned()
            }
            _ => String::from_utf8(bytes.clone())?,
        };
        let header = text.lines().next().unwrap_or_default();
        ensure!(header.starts_with(if english { "employee_number," } else { "社員番号," }), "{encoding} header: {header}");
        ensure!(text.lines().filter(|l| !l.is_empty()).count() == EMPLOYEES + 1, "{encoding}: not {EMPLOYEES} rows");

        let out = env.run(&["import", "employees", &file_arg, "--tenant", "demo"])?.ok()?;
        ensure!(
            out.stdout.contains("created 0")
                && out.stdout.contains("updated 0")
                && out.stdout.contains(&expected)
                && out.stdout.contains("departments 0"),
            "re-import of the {encoding} export is not a no-op: {out}"
        );
    }
    ensure!(env.employee_count()? == EMPLOYEES, "the round trips changed the register");

    let out = env.run(&["export", "employees", "--tenant", "demo", "--encoding", "latin1"])?;
    ensure!(!out.success() && out.stderr.contains("latin1"), "an unknown encoding: {out}");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 6. keys rotate
// ------------------------------------------------------------------------------------------

fn key_ids(path: &Path) -> Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect())
}

fn current_key(status: &Out) -> Result<String> {
    status
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("current key: "))
        .map(|s| s.trim().to_string())
        .with_context(|| format!("keys status shows no current key: {status}"))
}

const SECRETS: [&str; 3] = ["面談メモ：上司との関係に悩んでいる（機密）", "個別報告書：異動希望あり", "緊急対応の詳細：産業医へ連絡済み"];

/// The number of values `keys status` says a key seals.
fn sealed_count(status: &str, key: &str) -> Option<usize> {
    status.lines().find_map(|l| l.trim().strip_prefix(&format!("{key}: "))?.strip_suffix(" sealed values")?.parse().ok())
}

/// Seals [`SECRETS`] through the store as the app does (operator context); their ids.
fn seal_secrets(env: &Env, key_file: &Path, rt: &tokio::runtime::Runtime) -> Result<Vec<domain::ids::SealedId>> {
    rt.block_on(async {
        let store = env.open_store(key_file).await?;
        let tenant = store.tenant_by_slug("demo").await?;
        let ctx = store::Ctx::operator(tenant.id, "cli-test");
        let mut ids = Vec::new();
        for text in SECRETS {
            ids.push(store.write_sealed(&ctx, "interview_note", text).await?);
        }
        store.close().await;
        anyhow::Ok(ids)
    })
}

/// Opens the sealed values `ids` through the store, in order.
fn read_sealed(env: &Env, key_file: &Path, rt: &tokio::runtime::Runtime, ids: &[domain::ids::SealedId]) -> Result<Vec<String>> {
    rt.block_on(async {
        let store = env.open_store(key_file).await?;
        let tenant = store.tenant_by_slug("demo").await?;
        let ctx = store::Ctx::operator(tenant.id, "cli-test");
        let mut texts = Vec::new();
        for id in ids {
            texts.push(store.read_sealed(&ctx, *id).await?);
        }
        store.close().await;
        anyhow::Ok(texts)
    })
}

fn keys_rotate_reencrypts_sealed_text(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let key_file = env.key_file();
    let old_keys = key_ids(&key_file)?;
    ensure!(old_keys.len() == 1, "a fresh key file holds {old_keys:?}");
    let old_copy = env.path("old.key");
    std::fs::copy(&key_file, &old_copy)?;
    // The demo already seals notes, reports and comments; these three come on top.
    let before = env.run(&["keys", "status"])?.ok()?;
    let baseline = sealed_count(&before.stdout, &old_keys[0]).unwrap_or(0);
    ensure!(baseline > 0, "the demo seals its interview notes and reports: {before}");
    let expected = baseline + SECRETS.len();

    // Seal some more through the store, as the app does, with phrases we can look for.
    let rt = runtime()?;
    let ids = seal_secrets(&env, &key_file, &rt)?;
    if let Some(dir) = env.db.dir() {
        // Promise 5: the database files hold no plaintext.
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let bytes = std::fs::read(&path)?;
            for s in SECRETS {
                ensure!(!bytes.windows(s.len()).any(|w| w == s.as_bytes()), "{} holds the plaintext {s}", path.display());
            }
        }
    }

    let status = env.run(&["keys", "status"])?.ok()?;
    ensure!(current_key(&status)? == old_keys[0], "{status}");
    ensure!(sealed_count(&status.stdout, &old_keys[0]) == Some(expected), "keys status before rotation: {status}");

    let rotate = env.run(&["keys", "rotate", "--batch", "2"])?.ok()?;
    let new_keys = key_ids(&key_file)?;
    ensure!(
        new_keys.len() == 2 && new_keys[0] == old_keys[0] && new_keys[1] != old_keys[0],
        "the key file after rotation holds {new_keys:?}"
    );
    let new_key = &new_keys[1];
    ensure!(rotate.stdout.contains(&format!("every sealed value is under key {new_key}")), "rotate: {rotate}");
    ensure!(rotate.stderr.contains(&format!("added key {new_key}")) && rotate.stderr.contains("remaining 0"), "rotate progress: {rotate}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file)?.permissions().mode() & 0o777;
    ensure!(mode == 0o600, "the rewritten key file has mode {mode:o}");

    let status = env.run(&["keys", "status"])?.ok()?;
    ensure!(&current_key(&status)? == new_key, "{status}");
    ensure!(
        sealed_count(&status.stdout, new_key) == Some(expected) && !status.stdout.contains(&format!("{}:", old_keys[0])),
        "keys status after rotation: {status}"
    );

    // The text still opens, under the new keys.
    let texts = read_sealed(&env, &key_file, &rt, &ids)?;
    ensure!(texts == SECRETS, "sealed text after rotation: {texts:?}");

    // A resumed rotation with nothing left adds no key.
    env.run(&["keys", "rotate", "--resume"])?.ok()?;
    ensure!(key_ids(&key_file)? == new_keys, "--resume added a key");

    // The database still opens for the commands, and the rotation is audited in an intact chain.
    env.run(&["audit", "verify"])?.ok()?;
    ensure!(env.employee_count()? == EMPLOYEES);

    // The old key file alone no longer opens the database, and says why.
    let mut cmd = bare_command(env.dir.path());
    cmd.arg("--db").arg(&env.db.url).arg("--key-file").arg(&old_copy).args(["keys", "status"]);
    let out = run_with_timeout(cmd, COMMAND_TIMEOUT)?;
    ensure!(!out.success() && out.stderr.contains(new_key.as_str()), "opening with the pre-rotation key file: {out}");

    // Keys given inline cannot be rotated.
    let mut cmd = env.command(&["keys", "rotate"]);
    cmd.env("CAREERDOCK_DATA_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    let out = run_with_timeout(cmd, COMMAND_TIMEOUT)?;
    ensure!(!out.success() && out.stderr.contains("key file"), "keys rotate with CAREERDOCK_DATA_KEY: {out}");
    ensure!(key_ids(&key_file)? == new_keys, "a refused rotation changed the key file");
    Ok(())
}

fn keys_rotate_without_sealed_text(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let key_file = env.key_file();
    let before = key_ids(&key_file)?;
    let out = env.run(&["keys", "rotate"])?.ok()?;
    let after = key_ids(&key_file)?;
    ensure!(after.len() == 2 && after[0] == before[0], "key file: {after:?}");
    ensure!(out.stdout.contains(&after[1]), "{out}");
    let status = env.run(&["keys", "status"])?.ok()?;
    ensure!(current_key(&status)? == after[1], "{status}");
    // Still opens, for the CLI and for the server.
    ensure!(env.employee_count()? == EMPLOYEES);
    let server = Server::start(&env)?;
    let (code, _) = http_get(&server.addr, "/login")?;
    ensure!(code == 200, "GET /login after rotation: {code}");
    server.stop()?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 7. opening errors
// ------------------------------------------------------------------------------------------

const FAIL_FAST: Duration = Duration::from_secs(15);

fn opening_errors_are_clear(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;

    // An unsupported scheme is named.
    let mut cmd = bare_command(env.dir.path());
    cmd.args(["--db", "mysql://x", "serve", "--listen", "127.0.0.1:0"]);
    let out = run_with_timeout(cmd, FAIL_FAST)?;
    ensure!(!out.success() && out.stderr.contains("mysql"), "--db mysql://x: {out}");

    match backend {
        Backend::Sqlite => {
            let mut cmd = bare_command(env.dir.path());
            cmd.args(["serve", "--db", "does-not-exist.db", "--listen", "127.0.0.1:0"]);
            let out = run_with_timeout(cmd, FAIL_FAST)?;
            ensure!(!out.success(), "serving a missing file: {out}");
            ensure!(out.took < Duration::from_secs(10), "slow to fail: {out}");
            ensure!(
                out.stderr.contains("database file does-not-exist.db does not exist"),
                "the message does not say that the database file is missing: {out}"
            );
            ensure!(
                !env.path("does-not-exist.db").exists() && !env.path("does-not-exist.db.key").exists(),
                "serve created files for a missing database"
            );
            // The same through the environment variable.
            let mut cmd = bare_command(env.dir.path());
            cmd.env("CAREERDOCK_DATABASE_URL", "does-not-exist.db").args(["export", "employees", "--tenant", "demo"]);
            let out = run_with_timeout(cmd, FAIL_FAST)?;
            ensure!(
                !out.success() && out.stderr.contains("database file does-not-exist.db does not exist"),
                "CAREERDOCK_DATABASE_URL naming a missing file: {out}"
            );
        }
        Backend::Postgres => {
            // A key file exists (from migrate), the database does not.
            env.run(&["migrate"])?.ok()?;
            let missing = format!("t_missing_{}", std::process::id());
            let base = env.db.url.rsplit_once('/').map(|(b, _)| b.to_string()).context("postgres URL without a database")?;
            let url = format!("{base}/{missing}");
            let mut cmd = bare_command(env.dir.path());
            cmd.arg("--db").arg(&url).arg("--key-file").arg(env.key_file()).args(["serve", "--listen", "127.0.0.1:0"]);
            let out = run_with_timeout(cmd, FAIL_FAST)?;
            ensure!(!out.success() && out.stderr.contains(&missing), "serving a missing PostgreSQL database: {out}");
            ensure!(out.took < Duration::from_secs(10), "slow to fail: {out}");
        }
    }

    // A missing key file (the database exists) is named, not created.
    env.run(&["migrate"])?.ok()?;
    let mut cmd = bare_command(env.dir.path());
    cmd.arg("--db").arg(&env.db.url).arg("--key-file").arg(env.path("missing.key")).args(["audit", "verify"]);
    let out = run_with_timeout(cmd, FAIL_FAST)?;
    ensure!(!out.success() && out.stderr.contains("missing.key"), "a missing key file: {out}");
    ensure!(!env.path("missing.key").exists(), "the missing key file was created");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 8. serve
// ------------------------------------------------------------------------------------------

/// A running `careerdock serve`; killed on drop if the test did not stop it.
struct Server {
    child: Option<Child>,
    addr: String,
    stderr_path: PathBuf,
}

impl Server {
    /// Starts the server on a kernel-chosen port and waits until it accepts connections.
    fn start(env: &Env) -> Result<Server> {
        let stderr_path = env.path(&unique("serve", "stderr"));
        let mut cmd = env.command(&["serve", "--listen", "127.0.0.1:0"]);
        cmd.stdout(Stdio::null()).stderr(std::fs::File::create(&stderr_path)?);
        let child = cmd.spawn().context("spawning careerdock serve")?;
        let mut server = Server { child: Some(child), addr: String::new(), stderr_path };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let log = server.log();
            if let Some(rest) = log.split("serving http://").nth(1) {
                if let Some(addr) = rest.split('/').next() {
                    server.addr = addr.to_string();
                    break;
                }
            }
            if let Some(status) = server.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                bail!("serve exited during startup ({status}):\n{log}");
            }
            ensure!(Instant::now() < deadline, "serve did not start:\n{log}");
            std::thread::sleep(Duration::from_millis(20));
        }
        TcpStream::connect(&server.addr).with_context(|| format!("connecting to {}", server.addr))?;
        Ok(server)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) -> Result<(ExitStatus, Duration)> {
        let mut child = self.child.take().context("already stopped")?;
        let start = Instant::now();
        let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
        ensure!(killed.success(), "kill -TERM failed");
        loop {
            if let Some(status) = child.try_wait()? {
                let took = start.elapsed();
                ensure!(status.success(), "serve exited with {status} on SIGTERM:\n{}", self.log());
                return Ok((status, took));
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                bail!("serve did not stop within 20s of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A plain HTTP/1.0 GET; returns the status code and the whole response.
fn http_get(addr: &str, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.set_write_timeout(Some(Duration::from_secs(15)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept-Language: ja\r\nConnection: close\r\n\r\n")?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).with_context(|| format!("not an HTTP response: {text:.200}"))?;
    Ok((code, text))
}

fn serve_answers_and_stops_on_sigterm(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let server = Server::start(&env)?;
    let (code, body) = http_get(&server.addr, "/healthz")?;
    if code == 404 {
        eprintln!("NOTE: /healthz is not served yet (404); checking /login instead");
        let (code, body) = http_get(&server.addr, "/login")?;
        ensure!(code == 200, "GET /login: {body:.500}");
    } else {
        ensure!(code == 200, "GET /healthz: {body:.500}");
    }
    let (code, body) = http_get(&server.addr, "/login")?;
    ensure!(code == 200, "GET /login: {body:.500}");
    // The demo's executive lands on the latest released management report (issue 9).
    let latest = env.sql(
        "SELECT c.name FROM management_reports m JOIN cycles c ON c.id = m.cycle_id WHERE m.state = 'released'
         ORDER BY c.starts_on DESC, m.version DESC LIMIT 1",
    )?;
    let latest = latest.trim();
    ensure!(!latest.is_empty(), "the demo released no management report");
    let (session, to) = sign_in(&server.addr, "demo", "executive", "demo-password")?;
    ensure!(to == "/", "the executive is sent to {to}");
    let (code, home) = http(&server.addr, "GET", "/", &[("Cookie", &format!("cd_session={session}"))], "")?;
    ensure!(code == 200, "the executive's home: {home:.500}");
    ensure!(
        home.contains(&format!("<title>最新の経営層への報告：{latest} |")),
        "the executive's home is not the latest release ({latest}): {home:.800}"
    );
    ensure!(home.contains("report.pdf") && home.contains("<svg role=\"img\""), "the PDF link and the charts");
    let addr = server.addr.clone();
    let (_, took) = server.stop()?;
    ensure!(took < Duration::from_secs(10), "slow shutdown: {took:?}");
    ensure!(TcpStream::connect(&addr).is_err(), "something still listens on {addr} after the server stopped");
    // The server's writes (sessions, audit) left a consistent database behind.
    env.run(&["audit", "verify"])?.ok()?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// 9. backup and restore
// ------------------------------------------------------------------------------------------

/// The backup file's name: a SQLite snapshot or a PostgreSQL custom-format dump.
fn backup_name(backend: Backend, stem: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{stem}.db"),
        Backend::Postgres => format!("{stem}.dump"),
    }
}

fn sidecar(file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.meta.json", file.display()))
}

fn sha256_of(file: &Path) -> Result<String> {
    let out = Command::new("sha256sum").arg(file).stdin(Stdio::null()).output().context("running sha256sum")?;
    ensure!(out.status.success(), "sha256sum failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_string())
}

/// Files whose name says a restore kept them (SQLite: beside the database; PostgreSQL: beside the backup).
fn kept_files(env: &Env) -> Result<Vec<PathBuf>> {
    let mut dirs = vec![env.dir.path().to_path_buf()];
    dirs.extend(env.db.dir().map(Path::to_path_buf));
    let mut kept = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.file_name().is_some_and(|n| n.to_string_lossy().contains(".before-restore-")) {
                kept.push(path);
            }
        }
    }
    kept.sort();
    Ok(kept)
}

/// `careerdock --db <other> --key-file <env's key file> <args>`: another database, the same keys.
fn run_on(env: &Env, db: &TestDb, key_file: &Path, args: &[&str]) -> Result<Out> {
    let mut cmd = bare_command(env.dir.path());
    cmd.arg("--db").arg(&db.url).arg("--key-file").arg(key_file).args(args);
    run_with_timeout(cmd, COMMAND_TIMEOUT)
}

fn backup_then_restore_brings_the_data_back(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let key_file = env.key_file();
    let secret = SECRETS[1];
    // A runtime per use: dropping it releases every connection (on a current-thread runtime
    // `Store::close` may return before a connection handed back by a commit is closed), and a
    // restore refuses a database that is still open.
    let sealed = runtime()?.block_on(async {
        let store = env.open_store(&key_file).await?;
        let tenant = store.tenant_by_slug("demo").await?;
        let id = store.write_sealed(&store::Ctx::operator(tenant.id, "cli-test"), "report_body", secret).await?;
        store.close().await;
        anyhow::Ok(id)
    })?;
    let status_before = env.run(&["keys", "status"])?.ok()?.stdout;

    // Backup: the file, its sidecar, and the reminder about the key.
    let file = env.path(&backup_name(backend, "nightly"));
    let file_arg = file.display().to_string();
    let out = env.run(&["backup", "--to", &file_arg])?.ok()?;
    ensure!(out.stdout.contains("backup written") && out.stdout.contains(&file_arg), "backup: {out}");
    let key_shown = std::path::absolute(&key_file)?.display().to_string();
    ensure!(out.stderr.contains("NOT in the backup") && out.stderr.contains(&key_shown), "backup does not remind of the key file: {out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file)?.permissions().mode() & 0o777;
    ensure!(mode == 0o600, "the backup file has mode {mode:o}");
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(sidecar(&file))?)?;
    ensure!(meta["sha256"].as_str() == Some(sha256_of(&file)?.as_str()), "the sidecar's SHA-256 is not the file's: {meta}");
    ensure!(
        meta["backend"].as_str() == Some(backend.as_str()) && meta["schema_version"].as_i64() == Some(store::schema_version()),
        "{meta}"
    );
    let key_ids = key_ids(&key_file)?;
    ensure!(meta["key_ids"] == serde_json::json!(key_ids) && meta["created_at"].is_string(), "sidecar: {meta}");
    let bytes = std::fs::read(&file)?;
    ensure!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "the backup holds the plaintext of a sealed text");
    let again = env.run(&["backup", "--to", &file_arg])?;
    ensure!(!again.success() && again.stderr.contains("already exists"), "a second backup over the first: {again}");
    ensure!(std::fs::read(&file)? == bytes, "a refused backup changed the file");

    // Change the data.
    import_file(&env, "added.csv", csv(&[NEW_BOSS]).as_bytes(), &[])?.ok()?;
    ensure!(env.employee_count()? == EMPLOYEES + 1);

    // Without --force the existing database is left alone.
    let out = env.run(&["restore", "--from", &file_arg])?;
    ensure!(
        !out.success() && out.stderr.contains("--force") && out.stderr.contains("nothing was changed"),
        "restore without --force: {out}"
    );
    ensure!(env.employee_count()? == EMPLOYEES + 1, "a refused restore changed the database");
    ensure!(kept_files(&env)?.is_empty(), "a refused restore moved files: {:?}", kept_files(&env)?);

    // A damaged copy (one byte flipped) is refused by its sidecar's hash, even with --force.
    let bad = env.path(&backup_name(backend, "damaged"));
    let mut damaged = bytes.clone();
    let at = damaged.len() / 2;
    damaged[at] ^= 0x01;
    std::fs::write(&bad, &damaged)?;
    std::fs::copy(sidecar(&file), sidecar(&bad))?;
    let out = env.run(&["restore", "--from", &bad.display().to_string(), "--force"])?;
    ensure!(!out.success() && out.stderr.contains("SHA-256") && out.stderr.contains("does not match"), "a damaged backup: {out}");
    ensure!(env.employee_count()? == EMPLOYEES + 1 && kept_files(&env)?.is_empty(), "a refused restore changed something");

    // With --force: the demo's data is back, the added employee is gone, and nothing is lost.
    let out = env.run(&["restore", "--from", &file_arg, "--force"])?.ok()?;
    ensure!(out.stdout.contains("matched the SHA-256") && out.stdout.contains("kept in"), "restore --force: {out}");
    ensure!(out.stdout.lines().any(|l| l.starts_with("ok") && l.contains("demo") && l.contains("chain intact")), "{out}");
    let rows = env.exported_rows("demo")?;
    ensure!(rows.len() == EMPLOYEES && !rows.iter().any(|r| r.starts_with("N00001,")), "{} employees after restore", rows.len());
    env.run(&["audit", "verify"])?.ok()?;
    ensure!(env.run(&["keys", "status"])?.ok()?.stdout == status_before, "keys status differs after restore");
    let text = runtime()?.block_on(async {
        let store = env.open_store(&key_file).await?;
        let tenant = store.tenant_by_slug("demo").await?;
        let text = store.read_sealed(&store::Ctx::operator(tenant.id, "cli-test"), sealed).await?;
        store.close().await;
        anyhow::Ok(text)
    })?;
    ensure!(text == secret, "the sealed text after restore: {text:?}");
    let kept = kept_files(&env)?;
    match backend {
        Backend::Sqlite => {
            let old = kept.iter().find(|p| !p.display().to_string().ends_with("-wal")).context("the replaced database was not kept")?;
            let sql = "SELECT COUNT(*) FROM employees WHERE employee_number = 'N00001'";
            let n = Command::new("sqlite3").arg(old).arg(sql).output()?;
            ensure!(String::from_utf8_lossy(&n.stdout).trim() == "1", "the kept database lacks the added employee");
        }
        Backend::Postgres => {
            ensure!(kept.iter().any(|p| p.display().to_string().ends_with(".dump")), "no dump of the replaced database: {kept:?}");
            ensure!(kept.iter().any(|p| p.display().to_string().ends_with(".dump.meta.json")), "the kept dump has no sidecar: {kept:?}");
        }
    }
    Ok(())
}

fn restore_into_a_new_database(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let file = env.path(&backup_name(backend, "offsite"));
    let file_arg = file.display().to_string();
    env.run(&["backup", "--to", &file_arg])?.ok()?;
    let fresh = fresh_db(backend)?;

    // Without the key file nothing is restored, and the message says which file is missing.
    let missing = env.path("missing.key");
    let out = run_on(&env, &fresh, &missing, &["restore", "--from", &file_arg])?;
    ensure!(!out.success() && out.stderr.contains("missing.key") && out.stderr.contains("no data key"), "restore without a key: {out}");
    // A key file that lacks the backup's key is refused before anything is written.
    let other_key = env.path("other.key");
    std::fs::write(&other_key, "xxxxxxxxxxxxxxxx AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")?;
    let out = run_on(&env, &fresh, &other_key, &["restore", "--from", &file_arg])?;
    ensure!(!out.success() && out.stderr.contains(&key_ids(&env.key_file())?[0]), "restore with another key: {out}");
    // Not a backup at all.
    let not_backup = env.path("notes.csv");
    std::fs::write(&not_backup, csv(&[NEW_BOSS]))?;
    let out = run_on(&env, &fresh, &env.key_file(), &["restore", "--from", &not_backup.display().to_string()])?;
    ensure!(!out.success() && out.stderr.contains("not a careerdock backup"), "restoring a CSV: {out}");
    if let Some(path) = fresh.sqlite_path() {
        ensure!(!path.exists(), "a refused restore created {}", path.display());
    } else {
        let tables = psql(&fresh.url, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")?;
        ensure!(tables == "0", "a refused restore created {tables} tables");
    }

    // With the key file, into the empty database: no --force needed, nothing to keep aside.
    let out = run_on(&env, &fresh, &env.key_file(), &["restore", "--from", &file_arg])?.ok()?;
    ensure!(!out.stdout.contains("kept in") && out.stdout.contains("chain intact"), "restore into a new database: {out}");
    let export = run_on(&env, &fresh, &env.key_file(), &["export", "employees", "--tenant", "demo", "--encoding", "utf-8"])?.ok()?;
    ensure!(export.stdout.lines().filter(|l| !l.trim().is_empty()).count() == EMPLOYEES + 1, "export after restore: {export}");
    Ok(())
}

fn backup_while_the_store_is_open(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let key_file = env.key_file();
    // A writer keeps sealing text (each write with its audit event) while the backup runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (url, keys, stop) = (env.db.url.clone(), key_file.clone(), stop.clone());
        std::thread::spawn(move || -> Result<usize> {
            runtime()?.block_on(async {
                let store =
                    store::Store::open(&url, store::OpenOptions { create: false, migrate: false, keys: store::KeySource::File(keys) })
                        .await?;
                let tenant = store.tenant_by_slug("demo").await?;
                let ctx = store::Ctx::operator(tenant.id, "cli-test");
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) || n < 5 {
                    store.write_sealed(&ctx, "interview_note", SECRETS[n % SECRETS.len()]).await?;
                    n += 1;
                }
                store.close().await;
                anyhow::Ok(n)
            })
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let file = env.path(&backup_name(backend, "online"));
    let file_arg = file.display().to_string();
    let backup = env.run(&["backup", "--to", &file_arg]);
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().map_err(|_| anyhow!("the writer panicked"))??;
    let backup = backup?.ok()?;
    ensure!(written >= 5, "the writer wrote {written} texts");

    // The snapshot is consistent: restored elsewhere, its audit chain verifies.
    let fresh = fresh_db(backend)?;
    let out = run_on(&env, &fresh, &key_file, &["restore", "--from", &file_arg])?.ok()?;
    ensure!(out.stdout.contains("chain intact") && !out.stdout.contains("BROKEN"), "the online backup restored: {out}\n{backup}");
    let status = run_on(&env, &fresh, &key_file, &["keys", "status"])?.ok()?;
    let live = env.run(&["keys", "status"])?.ok()?;
    let key = current_key(&live)?;
    let (in_backup, now) = (sealed_count(&status.stdout, &key), sealed_count(&live.stdout, &key));
    ensure!(in_backup.is_some() && in_backup <= now, "sealed values in the backup {in_backup:?}, live {now:?}");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Every test on both backends
// ------------------------------------------------------------------------------------------
// 10. a real company: tenant, accounts, register, cycle, sign-in; the job runner of `serve`
// ------------------------------------------------------------------------------------------

/// One raw HTTP/1.0 request; returns the status code and the whole response.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.set_write_timeout(Some(Duration::from_secs(15)))?;
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\nAccept-Language: ja\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).with_context(|| format!("not an HTTP response: {text:.200}"))?;
    Ok((code, text))
}

/// The value of the first response header `name` (case-insensitive).
fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
}

/// The value a response sets for cookie `name`.
fn cookie_set(response: &str, name: &str) -> Option<String> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.trim().split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Signs in through the real sign-in form; returns the session cookie and where it leads.
fn sign_in(addr: &str, tenant: &str, login: &str, password: &str) -> Result<(String, String)> {
    let (code, page) = http(addr, "GET", &format!("/login?tenant={tenant}"), &[], "")?;
    ensure!(code == 200, "GET /login: {page:.300}");
    let csrf = cookie_set(&page, "cd_login_csrf").context("no sign-in token cookie")?;
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    let form = format!("tenant={}&login={}&password={}&csrf={csrf}&next=%2F", enc(tenant), enc(login), enc(password));
    let cookie = format!("cd_login_csrf={csrf}");
    let (code, res) = http(addr, "POST", "/login", &[("Cookie", &cookie)], &form)?;
    ensure!(code == 303, "sign-in as {login}: {res:.500}");
    let session = cookie_set(&res, "cd_session").context("no session cookie")?;
    Ok((session, header(&res, "location").unwrap_or_default().to_string()))
}

fn user_list(env: &Env, tenant: &str) -> Result<Vec<Vec<String>>> {
    let out = env.run(&["user", "list", "--tenant", tenant])?.ok()?;
    Ok(out.stdout.lines().map(|l| l.split('\t').map(str::to_string).collect()).collect())
}

fn status_of(rows: &[Vec<String>], login: &str) -> String {
    rows.iter().find(|r| r.get(1).map(String::as_str) == Some(login)).and_then(|r| r.get(5).cloned()).unwrap_or_default()
}

/// The README's "for a real company" path, command by command, then the first sign-in.
fn a_real_company_starts_from_the_command_line(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.run(&["migrate"])?.ok()?;
    env.run(&["tenant", "create", "acme", "--name", "株式会社アクメ"])?.ok()?;

    // The first administrator: a one-time password, alone on standard output.
    let admin = env.run(&["user", "create", "--tenant", "acme", "--login", "admin", "--name", "管理 太郎", "--role", "admin"])?.ok()?;
    let lines: Vec<&str> = admin.stdout.lines().collect();
    ensure!(lines.len() == 1 && admin.stdout.ends_with('\n'), "stdout is not exactly one line: {admin}");
    let one_time = lines[0].to_string();
    ensure!(
        one_time.len() == 19 && one_time.split('-').count() == 4 && one_time.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()),
        "not a one-time password: {one_time:?}"
    );
    ensure!(admin.stderr.contains("must be changed at the first sign-in"), "{admin}");
    let second = env.run(&["user", "create", "--tenant", "acme", "--login", "admin2", "--name", "管理 次郎", "--role", "admin"])?.ok()?;
    ensure!(second.stdout.trim() != one_time, "two accounts got the same one-time password");

    // HR with a password of the operator's choosing, from a file; the register; an employee's account.
    let pw = env.path("hr-password.txt");
    std::fs::write(&pw, "hr-chosen-password\n")?;
    let pw = pw.display().to_string();
    let hr = env.run(&[
        "user",
        "create",
        "--tenant",
        "acme",
        "--login",
        "hr",
        "--name",
        "人事 花子",
        "--role",
        "hr",
        "--role",
        "consultant",
        "--password-file",
        &pw,
    ])?;
    let hr = hr.ok()?;
    ensure!(hr.stdout.is_empty(), "a chosen password is not printed: {hr}");
    let register = env.path("register.csv");
    std::fs::write(&register, csv(&[NEW_BOSS, NEW_REPORT]))?;
    env.run(&["import", "employees", &register.display().to_string(), "--tenant", "acme"])?.ok()?;
    env.run(&[
        "user",
        "create",
        "--tenant",
        "acme",
        "--login",
        "nitta",
        "--name",
        "新田 花子",
        "--role",
        "employee",
        "--employee",
        "N00002",
        "--email",
        "ｎｉｔｔａ@example.co.jp",
    ])?
    .ok()?;
    // An account's own address for notices: refused when malformed (saying which option), set, cleared.
    let bad = env.run(&["user", "email", "--tenant", "acme", "--login", "hr", "--email", "hr@"])?;
    ensure!(!bad.status.success() && bad.stderr.contains("--email") && bad.stderr.contains("メールアドレス"), "{bad}");
    env.run(&["user", "email", "--tenant", "acme", "--login", "hr", "--email", "hr@example.co.jp"])?.ok()?;
    env.run(&["user", "email", "--tenant", "acme", "--login", "admin2", "--email", "a2@example.co.jp"])?.ok()?;
    env.run(&["user", "email", "--tenant", "acme", "--login", "admin2", "--clear"])?.ok()?;

    let rows = user_list(&env, "acme")?;
    ensure!(rows.len() == 4 && rows.iter().all(|r| r.len() == 7), "user list: {rows:?}");
    let email_of = |login: &str| rows.iter().find(|r| r[1] == login).map(|r| r[6].clone()).unwrap_or_default();
    ensure!(
        (email_of("nitta").as_str(), email_of("hr").as_str(), email_of("admin2").as_str())
            == ("nitta@example.co.jp", "hr@example.co.jp", "-"),
        "{rows:?}"
    );
    ensure!(status_of(&rows, "admin") == "must-change-password", "{rows:?}");
    ensure!(status_of(&rows, "hr") == "active", "{rows:?}");
    let nitta = rows.iter().find(|r| r[1] == "nitta").context("nitta listed")?;
    ensure!(nitta[2] == "新田 花子" && nitta[3] == "employee" && nitta[4] == "N00002", "{nitta:?}");
    let hr_row = rows.iter().find(|r| r[1] == "hr").context("hr listed")?;
    ensure!(hr_row[3] == "consultant,hr" && hr_row[4] == "-", "{hr_row:?}");

    // Cycles: the current Japanese fiscal year by default, or the period given.
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let fy = if chrono::Datelike::month(&today) >= 4 { chrono::Datelike::year(&today) } else { chrono::Datelike::year(&today) - 1 };
    let cycle = env.run(&["cycle", "create", "--tenant", "acme", "--name", "今年度"])?.ok()?;
    ensure!(cycle.stdout.contains(&format!("{fy}-04-01..{}-03-31", fy + 1)), "{cycle}");
    ensure!(cycle.stdout.contains("with 2 targets"), "every active employee is a target: {cycle}");
    let half = env.run(&["cycle", "create", "--tenant", "acme", "--name", "上期", "--from", "2026-04-01", "--to", "2026-09-30"])?.ok()?;
    ensure!(half.stdout.contains("2026-04-01..2026-09-30"), "{half}");

    // Disabling and enabling.
    env.run(&["user", "disable", "--tenant", "acme", "--login", "admin2"])?.ok()?;
    ensure!(status_of(&user_list(&env, "acme")?, "admin2") == "disabled");
    env.run(&["user", "enable", "--tenant", "acme", "--login", "admin2"])?.ok()?;
    ensure!(status_of(&user_list(&env, "acme")?, "admin2") == "must-change-password");

    // Each command is in the tenant's audit log, under its own name.
    let log = env.sql("SELECT action || ' ' || actor_label FROM audit_events ORDER BY seq")?;
    for expected in [
        "user_created cli:user-create",
        "employees_imported",
        "account_list_read cli:user-list",
        "cycle_created cli:cycle-create",
        "user_disabled cli:user-disable",
        "user_enabled cli:user-enable",
    ] {
        ensure!(log.lines().any(|l| l.starts_with(expected)), "no audit event {expected:?} in:\n{log}");
    }
    env.run(&["audit", "verify", "--tenant", "acme"])?.ok()?;

    // The first sign-in: the one-time password works once, and leads to the password change.
    let server = Server::start(&env)?;
    let (session, to) = sign_in(&server.addr, "acme", "admin", &one_time)?;
    ensure!(to == "/", "{to}");
    let cookie = format!("cd_session={session}");
    let (code, res) = http(&server.addr, "GET", "/", &[("Cookie", &cookie)], "")?;
    ensure!(code == 303 && header(&res, "location") == Some("/account/password"), "GET / with a one-time password: {res:.400}");
    let (code, page) = http(&server.addr, "GET", "/account/password", &[("Cookie", &cookie)], "")?;
    ensure!(code == 200 && page.contains("仮パスワードでログインしています。"), "{page:.600}");
    let (_, to) = sign_in(&server.addr, "acme", "hr", "hr-chosen-password")?;
    ensure!(to.starts_with("/role"), "hr holds two roles and chooses one: {to}");
    server.stop()?;

    // Refusals name the option at fault, in both languages, and print no password.
    let short = env.path("short.txt");
    std::fs::write(&short, "short\n")?;
    let short = short.display().to_string();
    let base = ["user", "create", "--tenant", "acme", "--name", "名前"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--login", "x1", "--role", "wizard"], "--role"),
        (vec!["--login", "bad login", "--role", "hr"], "--login"),
        (vec!["--login", "hr", "--role", "hr"], "already taken"),
        (vec!["--login", "x2", "--role", "hr", "--employee", "Z999"], "--employee"),
        (vec!["--login", "x3", "--role", "hr", "--password-file", &short], "8"),
        (vec!["--login", "x4", "--role", "hr", "--password-file", "/nonexistent/pw"], "--password-file"),
    ];
    for (extra, named) in cases {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(extra.iter().copied());
        let out = env.run(&args)?;
        ensure!(!out.success(), "{args:?} succeeded: {out}");
        ensure!(out.stderr.contains(named), "{args:?}: the message does not name {named}: {out}");
        ensure!(out.stdout.is_empty(), "{args:?} printed something: {out}");
    }
    let bad_name = env.run(&["user", "create", "--tenant", "acme", "--login", "x5", "--name", " ", "--role", "hr"])?;
    ensure!(!bad_name.success() && bad_name.stderr.contains("--name") && bad_name.stderr.contains("表示名"), "{bad_name}");
    let unknown = env.run(&["user", "disable", "--tenant", "acme", "--login", "nobody"])?;
    ensure!(!unknown.success() && unknown.stderr.contains("nobody"), "{unknown}");
    let dup = env.run(&["cycle", "create", "--tenant", "acme", "--name", "上期"])?;
    ensure!(!dup.success() && dup.stderr.contains("--name"), "{dup}");
    let half_period = env.run(&["cycle", "create", "--tenant", "acme", "--name", "下期", "--from", "2026-10-01"])?;
    ensure!(!half_period.success(), "{half_period}");
    let bad_date = env.run(&["cycle", "create", "--tenant", "acme", "--name", "下期", "--from", "2026-10-01", "--to", "2027-02-30"])?;
    ensure!(!bad_date.success() && bad_date.stderr.contains("--to"), "{bad_date}");
    ensure!(user_list(&env, "acme")?.len() == 4, "a refused command created an account");
    Ok(())
}

/// `serve` runs the job runner: the recurring jobs are scheduled and run, and the server still
/// stops promptly on SIGTERM. On SQLite, the database and its -wal/-shm files are private.
fn serve_runs_the_jobs_and_keeps_the_files_private(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let server = Server::start(&env)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let jobs = env.run(&["jobs", "list"])?.ok()?;
        let done = |kind: &str| jobs.stdout.lines().any(|l| l.split('\t').nth(1) == Some(kind) && l.split('\t').nth(2) == Some("done"));
        let pending =
            |kind: &str| jobs.stdout.lines().any(|l| l.split('\t').nth(1) == Some(kind) && l.split('\t').nth(2) == Some("pending"));
        if done("session_purge") && done("job_history_purge") && pending("session_purge") && pending("job_history_purge") {
            break;
        }
        ensure!(Instant::now() < deadline, "the recurring jobs did not run:\n{jobs}\n{}", server.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    if backend == Backend::Sqlite {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", env.db.url);
            let mode = std::fs::metadata(&path).with_context(|| format!("{path} missing while serving"))?.permissions().mode() & 0o777;
            ensure!(mode == 0o600, "{path} has mode {mode:o}, expected 600");
        }
    }
    let (_, took) = server.stop()?;
    ensure!(took < Duration::from_secs(10), "slow shutdown with the job runner: {took:?}");
    let failed = env.run(&["jobs", "list", "--failed"])?.ok()?;
    ensure!(failed.stdout.is_empty(), "failed jobs: {failed}");
    Ok(())
}

// ------------------------------------------------------------------------------------------
// bench pages
// ------------------------------------------------------------------------------------------

/// The table rows `bench pages` printed: (role, page, status).
fn bench_rows(out: &Out) -> Result<Vec<(String, String, String)>> {
    let mut lines = out.stdout.lines().skip_while(|l| !l.starts_with("role "));
    lines.next().with_context(|| format!("no table header: {out}"))?;
    let mut rows = Vec::new();
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
        ensure!(cells.len() >= 6, "a table row with {} cells: {line:?}", cells.len());
        rows.push((cells[0].to_string(), cells[1].to_string(), cells[5].to_string()));
    }
    Ok(rows)
}

fn bench_pages_times_every_role(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    let n = EMPLOYEES.to_string();
    let out = env.run(&["bench", "pages", "--employees", &n, "--requests", "2"])?.ok()?;
    ensure!(out.stdout.contains(&format!("built the demo of {EMPLOYEES} employees")), "no demo build time: {out}");
    let rows = bench_rows(&out)?;
    let mut roles: Vec<String> = DEMO_LOGINS.iter().filter(|l| **l != "hr-consultant").map(|l| l.to_string()).collect();
    roles.extend(["hr-consultant (hr)".to_string(), "hr-consultant (consultant)".to_string()]);
    for role in &roles {
        ensure!(rows.iter().any(|(r, p, _)| r == role && p == "/"), "no home page of {role} in the table: {out}");
    }
    for (role, page, status) in &rows {
        ensure!(status == "200", "{role} {page} answered {status}: {out}");
    }
    // The main sub-pages are among them.
    for (role, prefix) in [
        ("hr", "/employees?q="),
        ("hr", "/cycles/"),
        ("consultant1", "/reports/"),
        ("consultant1", "/interviews/"),
        ("supervisor", "/review"),
        ("supervisor", "/cases"),
        ("admin", "/admin/audit"),
    ] {
        ensure!(rows.iter().any(|(r, p, _)| r == role && p.starts_with(prefix)), "no {prefix}… page of {role}: {out}");
    }

    // The same database again: the demo is reused, and a demo of another size is refused.
    let again = env.run(&["bench", "pages", "--employees", &n, "--requests", "1"])?.ok()?;
    ensure!(again.stdout.contains(&format!("reusing the demo of {EMPLOYEES} employees")), "the demo was not reused: {again}");
    let other = env.run(&["bench", "pages", "--employees", "61", "--requests", "1"])?;
    ensure!(
        !other.success() && other.all().contains(&format!("holds a demo of {EMPLOYEES} employees")),
        "another size was not refused: {other}"
    );

    if backend == Backend::Sqlite {
        // Without --db the demo lives in a temporary file: nothing is left in the working directory.
        let mut cmd = bare_command(env.dir.path());
        cmd.args(["bench", "pages", "--employees", "30", "--requests", "1"]);
        let out = run_with_timeout(cmd, COMMAND_TIMEOUT)?.ok()?;
        ensure!(bench_rows(&out)?.iter().all(|(_, _, s)| s == "200"), "{out}");
        ensure!(std::fs::read_dir(env.dir.path())?.next().is_none(), "bench pages left files in the working directory");
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------

// ------------------------------------------------------------------------------------------
// Every audit kind that only the operator's commands write
// ------------------------------------------------------------------------------------------

/// The HTTP test of every audit kind leaves `AuditAction::OPERATOR_ONLY` to this one: each of
/// exactly those kinds is written by a command (creating a tenant, the demo, rotating the keys,
/// a backup, a restore). The log is read after the last command, so nothing restored over it
/// hides an event.
fn every_operator_audit_kind_is_written_by_a_command(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    env.run(&["tenant", "create", "acme", "--name", "株式会社アクメ"])?.ok()?;
    env.run(&["keys", "rotate"])?.ok()?;
    let first = env.path(&backup_name(backend, "before-restore"));
    env.run(&["backup", "--to", &first.display().to_string()])?.ok()?;
    env.run(&["restore", "--from", &first.display().to_string(), "--force"])?.ok()?;
    let second = env.path(&backup_name(backend, "after-restore"));
    env.run(&["backup", "--to", &second.display().to_string()])?.ok()?;

    let written = env.sql("SELECT DISTINCT action FROM audit_events")?;
    let written: Vec<&str> = written.lines().map(str::trim).collect();
    let never: Vec<&str> =
        domain::audit::AuditAction::OPERATOR_ONLY.into_iter().map(|a| a.as_str()).filter(|a| !written.contains(a)).collect();
    ensure!(never.is_empty(), "no command wrote these operator audit kinds: {never:?} (written: {written:?})");
    env.run(&["audit", "verify"])?.ok()?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// report management (issue 9)
// ------------------------------------------------------------------------------------------

/// The demo's latest released management report as JSON (the API's shape) and print-friendly
/// HTML; the case whose consent was withdrawn after the release is in neither, only counted; a
/// cycle without a release is an error that says so.
fn report_management_exports_the_released_version(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let out = env.run(&["report", "management", "--tenant", "demo", "--cycle", "latest"])?.ok()?;
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).with_context(|| format!("not JSON: {out}"))?;
    for key in ["tenant", "cycle", "version", "released_at", "overall_report", "cases", "org_issues", "commentary"] {
        ensure!(doc.get(key).is_some(), "no {key} in {doc}");
    }
    ensure!(doc["tenant"] == "demo" && doc["state"] == "released", "{doc}");
    ensure!(doc["cases_withheld"].as_u64().unwrap_or(0) >= 1, "the withdrawn case is not counted: {doc}");
    let withdrawn = demo::management::WITHDRAWN_CASE_SUMMARY;
    ensure!(!out.stdout.contains(withdrawn), "the withdrawn case is exported");
    let cases = doc["cases"].as_array().context("cases")?;
    ensure!(cases.iter().all(|c| c.get("summary").is_some() && c.get("solution").is_some() && c.get("status").is_some()), "{doc}");
    let cycle = doc["cycle"]["name"].as_str().context("cycle name")?.to_string();

    // The same version by the cycle's name, as HTML to a file.
    let file = env.dir.path().join(unique("management", "html"));
    let file_arg = file.to_string_lossy().to_string();
    let out = env.run(&["report", "management", "--tenant", "demo", "--cycle", &cycle, "--format", "html", "-o", &file_arg])?.ok()?;
    ensure!(out.stderr.contains("written"), "{out}");
    let html = std::fs::read_to_string(&file)?;
    ensure!(html.contains("人事部門の所見") && html.contains("重要事案") && html.contains(&cycle), "the HTML lacks its sections");
    ensure!(html.contains("同意の撤回などにより表示されません") && !html.contains(withdrawn), "the withdrawal is not said");

    // No release: a clear error, nothing written.
    let out = env.run(&["report", "management", "--tenant", "demo", "--cycle", "1999年度"])?;
    ensure!(!out.success() && out.all().contains("has no released management report"), "{out}");
    let out = env.run(&["report", "management", "--tenant", "demo", "--cycle", "latest", "--format", "docx"])?;
    ensure!(!out.success() && out.all().contains("unknown format"), "{out}");
    Ok(())
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;

                #[test]
                fn sqlite() -> Result<()> {
                    timed(stringify!($name), Backend::Sqlite, super::$name)
                }

                #[test]
                fn postgres() -> Result<()> {
                    timed(stringify!($name), Backend::Postgres, super::$name)
                }
            }
        )*
    };
}

#[path = "cli/report_overall.rs"]
mod report_overall;
use report_overall::report_overall_prints_the_released_version;
#[path = "cli/report_exports.rs"]
mod report_exports;
use report_exports::report_exports_pdf_and_csv;

#[path = "cli/report_effect.rs"]
mod report_effect;
use report_effect::report_effect_prints_json_and_csv;

#[path = "cli/crash.rs"]
mod crash;
use crash::{crash_cycles_lose_nothing, import_killed_midway_is_all_or_nothing, keys_rotate_killed_midway_resumes};
#[path = "cli/two_servers.rs"]
mod two_servers;

/// Two servers on one database is PostgreSQL's case (SQLite is one machine's file).
mod two_servers_share_one_postgresql {
    use super::*;

    #[test]
    fn postgres() -> Result<()> {
        timed("two_servers_share_one_postgresql", Backend::Postgres, two_servers::two_servers_share_one_postgresql)
    }
}

#[path = "cli/bench_overall.rs"]
mod bench_overall;
use bench_overall::bench_overall_prints_every_figure;
#[path = "cli/bench_proof.rs"]
mod bench_proof;
use bench_proof::bench_proof_prints_every_figure;

both_backends!(
    demo_creates_the_company_once,
    token_create_prints_only_the_token,
    audit_verify_names_the_tampered_event,
    import_reports_changes_and_refuses_bad_rows,
    import_reports_every_bad_row_at_once,
    import_responses_is_all_or_nothing,
    export_then_import_changes_nothing,
    keys_rotate_reencrypts_sealed_text,
    keys_rotate_without_sealed_text,
    opening_errors_are_clear,
    serve_answers_and_stops_on_sigterm,
    backup_then_restore_brings_the_data_back,
    restore_into_a_new_database,
    backup_while_the_store_is_open,
    a_real_company_starts_from_the_command_line,
    serve_runs_the_jobs_and_keeps_the_files_private,
    every_operator_audit_kind_is_written_by_a_command,
    bench_pages_times_every_role,
    bench_overall_prints_every_figure,
    bench_proof_prints_every_figure,
    report_overall_prints_the_released_version,
    report_management_exports_the_released_version,
    report_exports_pdf_and_csv,
    report_effect_prints_json_and_csv,
    crash_cycles_lose_nothing,
    keys_rotate_killed_midway_resumes,
    import_killed_midway_is_all_or_nothing,
);
