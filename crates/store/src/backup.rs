//! Backups and restores of the whole database (DESIGN.md promise 6). A backup is a consistent
//! online snapshot (SQLite `VACUUM INTO`, PostgreSQL `pg_dump -Fc`) beside a JSON sidecar with its
//! SHA-256; a restore checks the file before it touches the target, and keeps what it replaces.

use crate::db::{Backend, Db, DbUrl};
use crate::{migrate, Keyring, Result, Store, StoreError};
use domain::Message;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A backup or restore refused because of what is already there; nothing was changed.
fn refused(ja: String, en: String) -> StoreError {
    StoreError::Conflict(Message::new(ja, en))
}

const FORMAT: &str = "careerdock-backup";
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";
/// Tables whose presence means a PostgreSQL database already holds careerdock data.
const CAREERDOCK_TABLES: [&str; 4] = ["schema_migrations", "tenants", "audit_events", "sealed_texts"];

/// What the sidecar `<backup>.meta.json` says about a backup. Nothing in it is secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackupMeta {
    pub format: String,
    pub backend: String,
    pub schema_version: i64,
    /// Keys sealing text in the backup: the key file used to restore it must hold each of them.
    pub key_ids: Vec<String>,
    /// Every key the database has registered, retired ones included.
    pub data_keys: Vec<String>,
    pub sealed_values: i64,
    pub created_at: String,
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub careerdock_version: String,
}

/// A written backup.
#[derive(Clone, Debug)]
pub struct Backup {
    pub file: PathBuf,
    pub sidecar: PathBuf,
    pub meta: BackupMeta,
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub backend: Backend,
    /// The backup's schema version; opening the store migrates it if older than this build's.
    pub schema_version: i64,
    /// A sidecar was present and the file matched its SHA-256.
    pub sha256_checked: bool,
    /// The configured keys were checked against those sealing the backup's text.
    pub keys_checked: bool,
    /// What the restore replaced, kept rather than deleted (moved-aside SQLite files, or a
    /// `pg_dump` of the PostgreSQL database taken just before).
    pub kept: Vec<PathBuf>,
}

/// `<file>.meta.json`.
pub fn sidecar_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".meta.json");
    PathBuf::from(s)
}

impl Store {
    /// Writes a consistent snapshot of the whole database to `path` (which must not exist yet)
    /// and its sidecar, while the application keeps running. Only its owner may read the file.
    pub async fn backup_to(&self, path: &Path) -> Result<Backup> {
        write_backup(&self.db, path).await
    }
}

/// Restores `from` into `target`. Refuses a target that already holds data unless `force`, and
/// then keeps what it replaces. Checks first: the file's kind, its sidecar's SHA-256, its
/// schema version, and that `keys` open its sealed text.
pub async fn restore_backup(target: &DbUrl, from: &Path, keys: &Keyring, force: bool) -> Result<Restored> {
    let from = absolute(from)?;
    let kind = backup_kind(&from)?;
    if kind != target.backend() {
        return Err(StoreError::Config(format!(
            "{} is a {} backup but --db is a {} database: restore it into a {} database",
            from.display(),
            kind.as_str(),
            target.backend().as_str(),
            kind.as_str()
        )));
    }
    let meta = read_sidecar(&from)?;
    if let Some(m) = &meta {
        if m.backend != kind.as_str() {
            let (sidecar, file) = (sidecar_path(&from).display().to_string(), from.display().to_string());
            return Err(refused(
                format!(
                    "説明ファイル {sidecar} は {} のバックアップを説明していますが、{file} は {} のファイルです。",
                    m.backend,
                    kind.as_str()
                ),
                format!("the sidecar {sidecar} describes a {} backup, but {file} is a {} file", m.backend, kind.as_str()),
            ));
        }
    }
    match target {
        DbUrl::Sqlite(path) => restore_sqlite(&absolute(path)?, &from, meta.as_ref(), keys, force).await,
        DbUrl::Postgres(_) => restore_postgres(target, &from, meta.as_ref(), keys, force).await,
    }
}

// ------------------------------------------------------------------------------------------
// Backup
// ------------------------------------------------------------------------------------------

/// What a database holds that the sidecar records.
struct Facts {
    schema_version: i64,
    key_ids: Vec<String>,
    data_keys: Vec<String>,
    sealed_values: i64,
}

async fn facts(pool: &AnyPool) -> Result<Facts> {
    let schema_version: i64 =
        sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(pool).await?.try_get("v")?;
    let ids = |rows: Vec<sqlx::any::AnyRow>| rows.iter().map(|r| r.try_get::<String, _>("key_id")).collect::<Result<Vec<_>, _>>();
    let key_ids = ids(sqlx::query("SELECT DISTINCT key_id FROM sealed_texts ORDER BY key_id").fetch_all(pool).await?)?;
    let data_keys = ids(sqlx::query("SELECT key_id FROM data_keys ORDER BY key_id").fetch_all(pool).await?)?;
    let sealed_values: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sealed_texts").fetch_one(pool).await?.try_get("n")?;
    Ok(Facts { schema_version, key_ids, data_keys, sealed_values })
}

async fn write_backup(db: &Db, path: &Path) -> Result<Backup> {
    let path = absolute(path)?;
    if path.exists() {
        return Err(refused(
            format!("{} はすでに存在します。バックアップは既存のファイルを上書きしません。別の名前を指定してください。", path.display()),
            format!("{} already exists: a backup never overwrites a file, give a new name", path.display()),
        ));
    }
    let dir = parent_dir(&path);
    std::fs::create_dir_all(&dir).map_err(|e| io_error("cannot create", &dir, e))?;
    let tmp = TempFile::beside(&path, "backup");
    let facts = match db.backend {
        Backend::Sqlite => {
            // A read transaction on the live database: writers carry on meanwhile (WAL).
            sqlx::query("VACUUM INTO $1").bind(utf8(tmp.path())?).execute(&db.read).await?;
            // The snapshot itself says what it holds.
            let pool = open_sqlite_file(tmp.path()).await?;
            let f = facts(&pool).await;
            pool.close().await;
            f?
        }
        Backend::Postgres => {
            // pg_dump reads in one repeatable-read snapshot; the keys are read on both sides of
            // it, so a rotation running meanwhile cannot leave a needed key unlisted.
            let before = facts(&db.read).await?;
            let (conninfo, password) = libpq_target(db);
            let mut args = vec![OsString::from("--format=custom"), OsString::from("--file")];
            args.push(tmp.path().into());
            args.push(format!("--dbname={conninfo}").into());
            run_pg_tool("pg_dump", &args, password.as_deref()).await?;
            let after = facts(&db.read).await?;
            let schema_version = dump_schema_version(tmp.path()).await?;
            Facts {
                schema_version,
                key_ids: union(before.key_ids, after.key_ids),
                data_keys: union(before.data_keys, after.data_keys),
                sealed_values: after.sealed_values,
            }
        }
    };
    owner_only_and_synced(tmp.path())?;
    let (sha256, bytes) = hash_file(tmp.path()).await?;
    let meta = BackupMeta {
        format: FORMAT.to_string(),
        backend: db.backend.as_str().to_string(),
        schema_version: facts.schema_version,
        key_ids: facts.key_ids,
        data_keys: facts.data_keys,
        sealed_values: facts.sealed_values,
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        file: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes,
        sha256,
        careerdock_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let sidecar = sidecar_path(&path);
    let side_tmp = TempFile::beside(&sidecar, "meta");
    let json = serde_json::to_string_pretty(&meta).map_err(|e| StoreError::Config(format!("cannot encode the sidecar: {e}")))?;
    write_synced(side_tmp.path(), format!("{json}\n").as_bytes())?;
    tmp.persist(&path)?;
    side_tmp.persist(&sidecar)?;
    sync_dir(&dir)?;
    Ok(Backup { file: path, sidecar, meta })
}

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    a.extend(b);
    a.sort();
    a.dedup();
    a
}

// ------------------------------------------------------------------------------------------
// Restore
// ------------------------------------------------------------------------------------------

async fn restore_sqlite(path: &Path, from: &Path, meta: Option<&BackupMeta>, keys: &Keyring, force: bool) -> Result<Restored> {
    let exists = sqlite_files(path).iter().any(|p| p.exists());
    if exists && !force {
        return Err(refused(
            format!(
                "データベース {0} はすでに存在します。何も変更していません。置き換える場合は --force を付けて実行してください（現在のファイルは {0}.before-restore-<時刻> として残します）。",
                path.display()
            ),
            format!(
                "the database {0} already exists: nothing was changed. To replace it, re-run with --force \
                 (the current file is then kept as {0}.before-restore-<time>)",
                path.display()
            ),
        ));
    }
    let dir = parent_dir(path);
    std::fs::create_dir_all(&dir).map_err(|e| io_error("cannot create", &dir, e))?;

    // What is installed is the copy that was checked, not the file it came from.
    let tmp = TempFile::beside(path, "restore");
    std::fs::copy(from, tmp.path()).map_err(|e| io_error("cannot copy", from, e))?;
    owner_only_and_synced(tmp.path())?;
    let sha256_checked = match meta {
        Some(m) => {
            check_hash(tmp.path(), from, m).await?;
            true
        }
        None => false,
    };
    let pool = open_sqlite_file(tmp.path()).await?;
    let checked = check_sqlite_copy(&pool, from).await;
    pool.close().await;
    let facts = checked?;
    check_version(facts.schema_version, from)?;
    check_keys(&facts.key_ids, keys, from)?;

    let mut kept = Vec::new();
    if exists {
        let in_use = sqlite_in_use(path).await.map_err(|e| {
            StoreError::Config(format!(
                "cannot tell whether {} is in use ({e}): if no process uses it, move it away yourself and restore \
                 without --force; nothing was changed",
                path.display()
            ))
        })?;
        if in_use {
            return Err(refused(
                format!(
                    "データベース {} は別のプロセスが使用中です（`careerdock serve` が動いていませんか）。停止してから復元してください。何も変更していません。",
                    path.display()
                ),
                format!(
                    "the database {} is in use by another process (is `careerdock serve` running?): stop it, then restore; nothing was changed",
                    path.display()
                ),
            ));
        }
        kept = move_aside(path)?;
    }
    tmp.persist(path)?;
    sync_dir(&dir)?;
    Ok(Restored { backend: Backend::Sqlite, schema_version: facts.schema_version, sha256_checked, keys_checked: true, kept })
}

/// Checks a SQLite file is an intact careerdock database; returns what it holds.
async fn check_sqlite_copy(pool: &AnyPool, from: &Path) -> Result<Facts> {
    let not_ours = |why: String| StoreError::Config(format!("{} is not a careerdock backup: {why}", from.display()));
    let rows = sqlx::query("PRAGMA quick_check").fetch_all(pool).await.map_err(|e| not_ours(e.to_string()))?;
    let problems: Vec<String> = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).filter(|s| s != "ok").collect();
    if !problems.is_empty() {
        let problems = problems.join("; ");
        return Err(refused(
            format!("{} は破損しています: {problems}", from.display()),
            format!("{} is damaged: {problems}", from.display()),
        ));
    }
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
        .fetch_one(pool)
        .await?
        .try_get("n")?;
    if n == 0 {
        return Err(not_ours("it has no schema_migrations table".into()));
    }
    facts(pool).await.map_err(|e| not_ours(e.to_string()))
}

async fn restore_postgres(target: &DbUrl, from: &Path, meta: Option<&BackupMeta>, keys: &Keyring, force: bool) -> Result<Restored> {
    let sha256_checked = match meta {
        Some(m) => {
            check_hash(from, from, m).await?;
            true
        }
        None => false,
    };
    let schema_version = dump_schema_version(from).await?;
    check_version(schema_version, from)?;
    // Without a sidecar the dump's key ids are unknown here; opening the store checks them.
    let keys_checked = match meta {
        Some(m) => {
            check_keys(&m.key_ids, keys, from)?;
            true
        }
        None => false,
    };

    let db = Db::connect(target, false)
        .await
        .map_err(|e| StoreError::Config(format!("cannot connect to the target database ({e}): create it first (createdb)")))?;
    let state = pg_state(&db).await;
    let (conninfo, password) = libpq_target(&db);
    let state = match state {
        Ok(s) => s,
        Err(e) => {
            db.close().await;
            return Err(e);
        }
    };
    let refuse = |ja: String, en: String| refused(format!("{ja}何も変更していません。"), format!("{en}; nothing was changed"));
    let problem = if state.other_sessions > 0 {
        Some(refuse(
            format!(
                "データベースにほかの接続が{}件あります（`careerdock serve` が動いていませんか）。停止してから復元してください。",
                state.other_sessions
            ),
            format!("the database has {} other session(s) (is `careerdock serve` running?): stop them, then restore", state.other_sessions),
        ))
    } else if !state.tables.is_empty() && !force {
        let tables = state.tables.join(", ");
        Some(refuse(
            format!(
                "データベースにはすでに careerdock のテーブル（{tables}）があります。置き換える場合は --force を付けて実行してください（現在のデータベースの pg_dump をバックアップファイルの隣に残します）。"
            ),
            format!(
                "the database already holds careerdock tables ({tables}): to replace them, re-run with --force \
                 (a pg_dump of the current database is then kept beside the backup file)"
            ),
        ))
    } else if state.schema_version > schema_version {
        Some(refuse(
            format!(
                "データベースのスキーマはバージョン{}、バックアップは{schema_version}です。pg_restore --clean では新しいテーブルが残ってしまうため、新しい空のデータベース（createdb）に復元してください。",
                state.schema_version
            ),
            format!(
                "the database is at schema version {} and the backup at {schema_version}: pg_restore --clean would leave the newer \
                 tables behind. Restore into a new empty database (createdb) instead",
                state.schema_version
            ),
        ))
    } else {
        None
    };
    let mut kept = Vec::new();
    let safety = match problem {
        Some(e) => Err(e),
        None if state.tables.is_empty() => Ok(()),
        None => {
            // Nothing already stored is lost: the database being replaced is dumped first.
            let name = format!("{}.before-restore-{}.dump", state.database, stamp());
            let path = unused(parent_dir(from).join(name));
            write_backup(&db, &path).await.map(|b| kept.push(b.file))
        }
    };
    db.close().await;
    safety?;

    let mut args: Vec<OsString> =
        ["--single-transaction", "--no-owner", "--no-privileges", "--exit-on-error"].into_iter().map(OsString::from).collect();
    if !state.tables.is_empty() {
        args.extend(["--clean", "--if-exists"].map(OsString::from));
    }
    args.push(format!("--dbname={conninfo}").into());
    args.push(from.into());
    run_pg_tool("pg_restore", &args, password.as_deref()).await?;
    Ok(Restored { backend: Backend::Postgres, schema_version, sha256_checked, keys_checked, kept })
}

struct PgState {
    database: String,
    tables: Vec<String>,
    schema_version: i64,
    other_sessions: i64,
}

async fn pg_state(db: &Db) -> Result<PgState> {
    let row = sqlx::query(
        "SELECT CAST(current_database() AS TEXT) AS db, (SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend') AS others",
    )
    .fetch_one(&db.read)
    .await?;
    let mut tables = Vec::new();
    for name in CAREERDOCK_TABLES {
        let n: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1")
                .bind(name)
                .fetch_one(&db.read)
                .await?
                .try_get("n")?;
        if n > 0 {
            tables.push(name.to_string());
        }
    }
    let schema_version = if tables.iter().any(|t| t == "schema_migrations") {
        sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(&db.read).await?.try_get("v")?
    } else {
        0
    };
    Ok(PgState { database: row.try_get("db")?, tables, schema_version, other_sessions: row.try_get("others")? })
}

// ------------------------------------------------------------------------------------------
// Checks
// ------------------------------------------------------------------------------------------

/// Which backend a backup file is for, from its first bytes.
fn backup_kind(from: &Path) -> Result<Backend> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(from).map_err(|e| io_error("cannot open the backup", from, e))?;
    let n = read_up_to(&mut f, &mut head).map_err(|e| io_error("cannot read", from, e))?;
    if head[..n].starts_with(SQLITE_MAGIC) {
        Ok(Backend::Sqlite)
    } else if head[..n].starts_with(PG_DUMP_MAGIC) {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "{} is not a careerdock backup: neither a SQLite database nor a PostgreSQL custom-format dump",
            from.display()
        )))
    }
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn read_sidecar(from: &Path) -> Result<Option<BackupMeta>> {
    let path = sidecar_path(from);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot read the sidecar", &path, e)),
    };
    let meta: BackupMeta = serde_json::from_str(&text).map_err(|e| {
        refused(
            format!(
                "説明ファイル {} を読み取れません（{e}）。確認できないバックアップは復元しません（確認なしで復元する場合は説明ファイルを移動してください）。",
                path.display()
            ),
            format!(
                "the sidecar {} is not valid ({e}): refusing to restore a backup that cannot be checked (move the sidecar away to restore unchecked)",
                path.display()
            ),
        )
    })?;
    if meta.format != FORMAT || meta.sha256.is_empty() {
        return Err(refused(
            format!("{} は careerdock のバックアップの説明ファイルではありません。", path.display()),
            format!("the sidecar {} is not a careerdock backup description", path.display()),
        ));
    }
    Ok(Some(meta))
}

/// `file` (a copy of `from`, or `from` itself) must have the sidecar's size and SHA-256.
async fn check_hash(file: &Path, from: &Path, meta: &BackupMeta) -> Result<()> {
    let (sha256, bytes) = hash_file(file).await?;
    if sha256 != meta.sha256.to_ascii_lowercase() || bytes != meta.bytes {
        return Err(refused(
            format!(
                "{} が説明ファイルと一致しません: SHA-256 {sha256}（{bytes}バイト）、説明ファイルでは {}（{}バイト）。バックアップが破損しているか改変されているため復元しません。何も変更していません。",
                from.display(),
                meta.sha256,
                meta.bytes
            ),
            format!(
                "{} does not match its sidecar: SHA-256 {sha256} ({bytes} bytes), the sidecar says {} ({} bytes). \
                 The backup is damaged or was altered; refusing to restore it, nothing was changed",
                from.display(),
                meta.sha256,
                meta.bytes
            ),
        ));
    }
    Ok(())
}

fn check_version(version: i64, from: &Path) -> Result<()> {
    let latest = migrate::latest();
    if version < 1 {
        return Err(StoreError::Config(format!("{} is not a careerdock backup: it records no schema version", from.display())));
    }
    if version > latest {
        return Err(refused(
            format!(
                "{} のスキーマはバージョン{version}で、このビルド（{latest}）より新しいものです。新しい careerdock で復元してください。",
                from.display()
            ),
            format!(
                "{} is at schema version {version}, newer than this build's {latest}: restore it with a newer careerdock",
                from.display()
            ),
        ));
    }
    Ok(())
}

fn check_keys(needed: &[String], keys: &Keyring, from: &Path) -> Result<()> {
    let have = keys.ids();
    let missing: Vec<&str> = needed.iter().filter(|k| !have.contains(k)).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(StoreError::Config(format!(
            "{} holds text sealed with key(s) {}, which the configured keys ({}) do not include: \
             give the key file kept with this backup (--key-file); nothing was changed",
            from.display(),
            missing.join(", "),
            have.join(", ")
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// SQLite files
// ------------------------------------------------------------------------------------------

/// The database file and its companions, which belong to it and move with it.
fn sqlite_files(path: &Path) -> [PathBuf; 4] {
    ["", "-wal", "-shm", "-journal"].map(|s| with_suffix(path, s))
}

fn sqlite_url(path: &Path, params: &str) -> Result<String> {
    // sqlx percent-decodes the path, so `%`, `?` and `#` in a file name must be encoded.
    let p = utf8(path)?.replace('%', "%25").replace('?', "%3F").replace('#', "%23");
    Ok(format!("sqlite://{p}?{params}"))
}

/// Opens a file that no one else uses, read-only and without locks, -wal or -shm files.
async fn open_sqlite_file(path: &Path) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    Ok(AnyPoolOptions::new().max_connections(1).connect(&sqlite_url(path, "mode=ro&immutable=true")?).await?)
}

/// Whether another connection has the database open: an exclusive lock in exclusive locking
/// mode is granted only when no other connection holds the file, even an idle WAL reader.
async fn sqlite_in_use(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let is_sqlite = std::fs::File::open(path).and_then(|mut f| read_up_to(&mut f, &mut head)).is_ok_and(|n| head[..n] == *SQLITE_MAGIC);
    if !is_sqlite {
        return Ok(false);
    }
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&sqlite_url(path, "mode=rw")?).await?;
    conn.execute("PRAGMA busy_timeout = 500").await?;
    conn.execute("PRAGMA locking_mode = EXCLUSIVE").await?;
    let busy = match conn.execute("BEGIN EXCLUSIVE").await {
        Ok(_) => {
            conn.execute("COMMIT").await?;
            false
        }
        Err(sqlx::Error::Database(e)) if e.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| matches!(c & 0xff, 5 | 6)) => true,
        Err(e) => return Err(e.into()),
    };
    // Closing in exclusive mode checkpoints the WAL into the file and removes -wal and -shm.
    conn.close().await?;
    Ok(busy)
}

/// Renames the database and its companions to `<db>.before-restore-<time>[-wal|-shm|-journal]`.
fn move_aside(path: &Path) -> Result<Vec<PathBuf>> {
    let base = unused(with_suffix(path, &format!(".before-restore-{}", stamp())));
    let mut kept = Vec::new();
    for (from, suffix) in sqlite_files(path).iter().zip(["", "-wal", "-shm", "-journal"]) {
        if from.exists() {
            let to = with_suffix(&base, suffix);
            std::fs::rename(from, &to).map_err(|e| io_error("cannot move aside", from, e))?;
            kept.push(to);
        }
    }
    Ok(kept)
}

// ------------------------------------------------------------------------------------------
// PostgreSQL tools
// ------------------------------------------------------------------------------------------

/// `pg_dump` / `pg_restore`: Debian's versioned directories (newest first), then PATH.
fn pg_tool(name: &str) -> Result<PathBuf> {
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin").join(name))))
        .collect();
    versioned.sort_by_key(|v| std::cmp::Reverse(v.0));
    let on_path: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect()).unwrap_or_default();
    versioned.into_iter().map(|(_, p)| p).chain(on_path).find(|p| p.is_file()).ok_or_else(|| {
        StoreError::Config(format!(
            "{name} not found in /usr/lib/postgresql/<version>/bin or on PATH: install the PostgreSQL client tools \
             (apt-get install postgresql-client-15, or the version of your server)"
        ))
    })
}

async fn run_pg_tool(name: &str, args: &[OsString], password: Option<&str>) -> Result<Vec<u8>> {
    let exe = pg_tool(name)?;
    let mut cmd = tokio::process::Command::new(&exe);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    cmd.env("PGCONNECT_TIMEOUT", "15");
    if let Some(p) = password {
        // Through the environment, so the password never shows in the process list.
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().await.map_err(|e| io_error("cannot run", &exe, e))?;
    if !out.status.success() {
        return Err(StoreError::Config(format!(
            "{} failed ({}): {}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// The connection URL for libpq, and the password taken out of it.
fn libpq_target(db: &Db) -> (String, Option<String>) {
    let mut url = db.read.connect_options().database_url.clone();
    let password = url.password().map(percent_decode);
    let _ = url.set_password(None);
    // sqlx-only parameters that libpq would refuse.
    let pairs: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| k != "statement-cache-capacity").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    url.set_query(None);
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    (url.to_string(), password)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks a custom-format dump is of a careerdock database; returns its schema version.
async fn dump_schema_version(dump: &Path) -> Result<i64> {
    let not_ours = |why: &str| StoreError::Config(format!("{} is not a careerdock backup: {why}", dump.display()));
    let list = run_pg_tool("pg_restore", &[OsString::from("--list"), dump.into()], None).await?;
    let has_table = String::from_utf8_lossy(&list).lines().any(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        w.len() >= 6 && w[3] == "TABLE" && w[5] == "schema_migrations"
    });
    if !has_table {
        return Err(not_ours("the dump has no schema_migrations table"));
    }
    let args = ["--data-only", "--table=schema_migrations", "--file=-"].map(OsString::from);
    let mut args = args.to_vec();
    args.push(dump.into());
    let data = run_pg_tool("pg_restore", &args, None).await?;
    max_version(&String::from_utf8_lossy(&data)).ok_or_else(|| not_ours("its schema_migrations table cannot be read"))
}

/// The highest `version` in the COPY block of `schema_migrations` in pg_restore's SQL output.
fn max_version(sql: &str) -> Option<i64> {
    let mut lines = sql.lines();
    let header = lines.find(|l| l.starts_with("COPY ") && l.contains("schema_migrations"))?;
    let columns = header.split_once('(')?.1.split_once(')')?.0;
    let at = columns.split(',').position(|c| c.trim() == "version")?;
    let mut max = 0;
    for line in lines.take_while(|l| *l != "\\.") {
        max = max.max(line.split('\t').nth(at)?.parse().ok()?);
    }
    Some(max)
}

// ------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------

/// A file being written; removed (with any SQLite companions) unless it is persisted.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// A hidden name in `target`'s directory, so the final rename stays on one file system.
    fn beside(target: &Path, tag: &str) -> TempFile {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let nonce: u32 = rand::random();
        let path = parent_dir(target).join(format!(".{name}.{tag}-{}-{nonce:08x}.tmp", std::process::id()));
        TempFile { path, keep: false }
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn persist(mut self, to: &Path) -> Result<()> {
        std::fs::rename(&self.path, to).map_err(|e| io_error("cannot rename into place", to, e))?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            for p in sqlite_files(&self.path) {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

fn owner_only_and_synced(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| io_error("cannot restrict", path, e))?;
    }
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(|e| io_error("cannot sync", path, e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| io_error("cannot create", path, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| io_error("cannot write", path, e))
}

/// Makes renames in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(|e| io_error("cannot sync", dir, e))
}

async fn hash_file(path: &Path) -> Result<(String, u64)> {
    let path = path.to_path_buf();
    let job = tokio::task::spawn_blocking(move || -> Result<(String, u64)> {
        let mut f = std::fs::File::open(&path).map_err(|e| io_error("cannot open", &path, e))?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(|e| io_error("cannot read", &path, e))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            total += n as u64;
        }
        Ok((hex::encode(h.finalize()), total))
    });
    job.await.map_err(|e| StoreError::Config(format!("hashing stopped: {e}")))?
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `path`, or `path-2`, `path-3`… when taken (two restores within one second).
fn unused(path: PathBuf) -> PathBuf {
    let mut candidate = path.clone();
    let mut i = 1;
    while candidate.exists() {
        i += 1;
        candidate = with_suffix(&path, &format!("-{i}"));
    }
    candidate
}

fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| io_error("cannot resolve", path, e))
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", path.display())))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_from_pg_restore_output() {
        let sql =
            "SET x = 1;\nCOPY public.schema_migrations (version, name, applied_at) FROM stdin;\n1\tfoundation\t5\n7\tx\t6\n3\ty\t7\n\\.\n";
        assert_eq!(max_version(sql), Some(7));
        assert_eq!(max_version("COPY public.other (version) FROM stdin;\n1\n\\.\n"), None);
        assert_eq!(max_version("COPY public.schema_migrations (name, version) FROM stdin;\na\t4\n\\.\n"), Some(4));
    }

    #[test]
    fn names_and_passwords() {
        assert_eq!(sidecar_path(Path::new("/b/x.db")), PathBuf::from("/b/x.db.meta.json"));
        assert_eq!(percent_decode("p%40ss%2Fw%zz"), "p@ss/w%zz");
        let free = std::env::temp_dir().join(format!("careerdock-unused-{}", rand::random::<u64>()));
        assert_eq!(unused(free.clone()), free);
    }
}
