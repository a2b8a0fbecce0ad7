//! Settings every command shares: where the database and the data keys are, and logging.
//! Order: defaults, then environment (`CAREERDOCK_*`, secrets also from `*_FILE`), then flags.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use store::{DbUrl, KeySource, OpenOptions, Store, TenantRow};

#[derive(Args, Clone, Debug)]
pub struct Global {
    /// Database: a SQLite file path or postgres://… URL.
    #[arg(long = "db", global = true, env = "CAREERDOCK_DATABASE_URL", hide_env_values = true, default_value = "careerdock.db")]
    pub db: String,
    /// Key file with the data keys (default: beside the SQLite file as <db>.key, or careerdock.key for PostgreSQL).
    #[arg(long = "key-file", global = true, env = "CAREERDOCK_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long = "log-format", global = true, env = "CAREERDOCK_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Global {
    /// The database URL, read from `CAREERDOCK_DATABASE_URL_FILE` when that is set.
    pub fn db_url(&self) -> anyhow::Result<String> {
        if let Ok(path) = std::env::var("CAREERDOCK_DATABASE_URL_FILE") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read CAREERDOCK_DATABASE_URL_FILE ({path})"))?;
            return Ok(text.trim().to_string());
        }
        Ok(self.db.clone())
    }

    /// Where the data keys come from: `CAREERDOCK_DATA_KEY` (or `_FILE`), else a key file.
    pub fn key_source(&self) -> anyhow::Result<(KeySource, Option<PathBuf>)> {
        if let Ok(path) = std::env::var("CAREERDOCK_DATA_KEY_FILE") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read CAREERDOCK_DATA_KEY_FILE ({path})"))?;
            return Ok((KeySource::Inline(text.trim().to_string()), None));
        }
        if let Ok(key) = std::env::var("CAREERDOCK_DATA_KEY") {
            return Ok((KeySource::Inline(key), None));
        }
        let path = match &self.key_file {
            Some(p) => p.clone(),
            None => match DbUrl::parse(&self.db_url()?)? {
                DbUrl::Sqlite(p) => {
                    let mut s = p.into_os_string();
                    s.push(".key");
                    PathBuf::from(s)
                }
                DbUrl::Postgres(_) => PathBuf::from("careerdock.key"),
            },
        };
        Ok((KeySource::File(path.clone()), Some(path)))
    }
}

impl Global {
    /// The key source for a database other than `--db` (benchmarks over several databases):
    /// the environment's key, `--key-file`, or the key file beside that database.
    pub fn key_source_for(&self, url: &str) -> anyhow::Result<KeySource> {
        let other = Global { db: url.to_string(), ..self.clone() };
        if std::env::var("CAREERDOCK_DATABASE_URL_FILE").is_ok() {
            anyhow::bail!("CAREERDOCK_DATABASE_URL_FILE is set: give the databases to measure with --db instead");
        }
        Ok(other.key_source()?.0)
    }
}

/// Opens the store. `create`: create the database and key file when absent (demo, migrate).
pub async fn open(g: &Global, create: bool) -> anyhow::Result<Store> {
    let url = g.db_url()?;
    if !create {
        // A missing database file is the real problem (often a typo): name it before its key file.
        if let DbUrl::Sqlite(path) = DbUrl::parse(&url)? {
            if !path.exists() {
                anyhow::bail!(
                    "database file {} does not exist: create it with `careerdock migrate --db {}` or `careerdock demo`",
                    path.display(),
                    path.display()
                );
            }
        }
    }
    let (keys, key_path) = g.key_source()?;
    if let Some(path) = &key_path {
        if create {
            store::Keyring::create_file_if_absent(path)?;
        } else if !path.exists() {
            anyhow::bail!(
                "no data key: the key file {} does not exist (create the database with `careerdock migrate` or `careerdock demo`, or give --key-file / CAREERDOCK_DATA_KEY)",
                path.display()
            );
        }
    }
    let store = Store::open(&url, OpenOptions { create, migrate: true, keys }).await?;
    Ok(store)
}

pub async fn tenant(store: &Store, slug: &str) -> anyhow::Result<TenantRow> {
    match store.tenant_by_slug(slug).await {
        Ok(t) => Ok(t),
        Err(store::StoreError::NotFound) => anyhow::bail!("tenant '{slug}' does not exist"),
        Err(e) => Err(e.into()),
    }
}

pub fn init_tracing(g: &Global, server: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if server { "info,sqlx=warn" } else { "warn" };
    let filter = EnvFilter::try_from_env("CAREERDOCK_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Colours only on a terminal: a log file or journal gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if g.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
