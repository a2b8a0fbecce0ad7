//! Connections to SQLite or PostgreSQL, chosen from the URL, and the few places where the
//! two speak differently.

use crate::{Result, StoreError};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The backend a connection (or a transaction's) talks to. Anything but SQLite is taken
    /// for PostgreSQL, whose `$n` placeholders SQLite also reads.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// How a multi-row INSERT is cut and written on this backend.
    pub fn insert_batch(self) -> InsertBatch {
        match self {
            // One statement is one call into the same process: fewer of them save little. The
            // placeholders are positional (`?`): SQLite looks a named one up by a scan of the
            // statement's names, so binding n named values costs n² (a tenth of a 100,000-row
            // import's time at 16 rows of 13 values; docs/performance.md, issue 11).
            Backend::Sqlite => InsertBatch { rows: 64, positional: true },
            // PostgreSQL gains from few round trips.
            Backend::Postgres => InsertBatch { rows: 400, positional: false },
        }
    }
}

/// A database location: a PostgreSQL URL, or a SQLite file given as a path or `sqlite://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// Refuses anything that is neither clearly PostgreSQL nor clearly a file, so that a typo
    /// never silently creates an empty SQLite database.
    pub fn parse(raw: &str) -> Result<DbUrl> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(StoreError::Config("the database URL is empty".into()));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(s.to_string()));
        }
        if let Some(rest) = s.strip_prefix("sqlite://").or_else(|| s.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or(rest);
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::Config("an in-memory SQLite database would lose everything: give a file path".into()));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if s.contains("://") {
            let scheme = s.split("://").next().unwrap_or("");
            return Err(StoreError::Config(format!("unsupported database URL scheme '{scheme}': use postgres://… or a SQLite file path")));
        }
        Ok(DbUrl::Sqlite(PathBuf::from(s)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The pools. On SQLite every write goes through one connection (SQLite has one writer
/// anyway; queuing in-process avoids SQLITE_BUSY on lock upgrades); reads use several.
#[derive(Clone, Debug)]
pub struct Db {
    pub backend: Backend,
    pub read: AnyPool,
    pub write: AnyPool,
}

impl Db {
    pub async fn connect(url: &DbUrl, create: bool) -> Result<Db> {
        install_default_drivers();
        match url {
            DbUrl::Sqlite(path) => {
                if !create && !path.exists() {
                    return Err(StoreError::Config(format!(
                        "database file {} does not exist: create it with `careerdock migrate --db {}` or `careerdock demo`",
                        path.display(),
                        path.display()
                    )));
                }
                if let Some(parent) = path.parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", parent.display())))?;
                    }
                }
                if create {
                    create_private_file(path)?;
                }
                let conn_url = format!("sqlite://{}?mode=rwc", path.display());
                let write = sqlite_pool(&conn_url, 1).await?;
                // The first connection has switched the file to WAL; readers may now open.
                let read = sqlite_pool(&conn_url, 8).await?;
                restrict_sidecars(path)?;
                Ok(Db { backend: Backend::Sqlite, read, write })
            }
            DbUrl::Postgres(u) => {
                let pool = AnyPoolOptions::new().max_connections(32).acquire_timeout(Duration::from_secs(30)).connect(u).await?;
                Ok(Db { backend: Backend::Postgres, read: pool.clone(), write: pool })
            }
        }
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// DDL for an auto-assigned 64-bit primary key.
    pub fn id_column(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        }
    }

    /// DDL for a byte string.
    pub fn blob_type(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "BLOB",
            Backend::Postgres => "BYTEA",
        }
    }

    /// How a multi-row INSERT is cut and written on this backend.
    pub fn insert_batch(&self) -> InsertBatch {
        self.backend.insert_batch()
    }

    /// The clause that makes a `SELECT … LIMIT 1` in an UPDATE skip rows another transaction
    /// holds (PostgreSQL); SQLite has one writer at a time, so nothing is locked to skip.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// A migration statement for one backend only starts with `{sqlite}` or `{postgres}`
    /// (a trigger, whose syntax differs): the statement without its mark on that backend, `None`
    /// on the other. Statements without a mark are for both.
    pub fn for_this_backend<'s>(&self, stmt: &'s str) -> Option<&'s str> {
        match (stmt.strip_prefix("{sqlite}"), stmt.strip_prefix("{postgres}")) {
            (Some(s), _) => (self.backend == Backend::Sqlite).then_some(s),
            (_, Some(s)) => (self.backend == Backend::Postgres).then_some(s),
            _ => Some(stmt),
        }
    }

    /// The operator of a case-insensitive match of a column against a lower-case pattern,
    /// without lowering every row: SQLite's LIKE already ignores ASCII case (and its LOWER()
    /// knows no other), PostgreSQL has ILIKE.
    pub fn ilike(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        }
    }

    /// Expands the backend placeholders of a DDL statement.
    pub fn ddl(&self, sql: &str) -> String {
        sql.replace("{id}", self.id_column()).replace("{blob}", self.blob_type())
    }
}

/// Creates the database file readable by its owner only (it holds personal data; SQLite
/// would create it 0644). SQLite gives its `-wal` and `-shm` files the mode of the database.
fn create_private_file(path: &std::path::Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Config(format!("cannot create {}: {e}", path.display()))),
    }
}

/// The `-wal` and `-shm` files hold the same data as the database: one left behind with a
/// wider mode than the database (by an older version, say) is narrowed to the database's.
fn restrict_sidecars(path: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
        let allowed = meta.permissions().mode() & 0o777;
        for suffix in ["-wal", "-shm"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            let side = PathBuf::from(side);
            let Ok(m) = std::fs::metadata(&side) else { continue };
            let mode = m.permissions().mode() & 0o777;
            if mode & !allowed != 0 {
                std::fs::set_permissions(&side, std::fs::Permissions::from_mode(mode & allowed))
                    .map_err(|e| StoreError::Config(format!("cannot restrict {}: {e}", side.display())))?;
            }
        }
    }
    Ok(())
}

async fn sqlite_pool(url: &str, max: u32) -> Result<AnyPool> {
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // FULL: an acknowledged commit survives a power cut (DESIGN.md promise 6).
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_classified_or_refused() {
        assert_eq!(DbUrl::parse("careerdock.db").map(|u| u.backend()).ok(), Some(Backend::Sqlite));
        assert_eq!(DbUrl::parse("sqlite:///tmp/x.db").ok(), Some(DbUrl::Sqlite(PathBuf::from("/tmp/x.db"))));
        assert_eq!(DbUrl::parse("postgresql://u@h/db").map(|u| u.backend()).ok(), Some(Backend::Postgres));
        assert!(DbUrl::parse("mysql://u@h/db").is_err());
        assert!(DbUrl::parse("sqlite::memory:").is_err());
        assert!(DbUrl::parse("  ").is_err());
    }
}

/// Rows per multi-row INSERT, and the placeholders' style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsertBatch {
    pub rows: usize,
    /// `?` placeholders bound in order (SQLite), or `$1…$n` (PostgreSQL).
    pub positional: bool,
}

impl InsertBatch {
    /// ` VALUES (…),(…)` for `rows` rows of `cols` values, bound in row order.
    pub fn values(&self, rows: usize, cols: usize) -> String {
        let mut sql = String::with_capacity(8 + rows * cols * 6);
        sql.push_str(" VALUES ");
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ",(" });
            for c in 0..cols {
                if c > 0 {
                    sql.push(',');
                }
                if self.positional {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(r * cols + c + 1).to_string());
                }
            }
            sql.push(')');
        }
        sql
    }
}
