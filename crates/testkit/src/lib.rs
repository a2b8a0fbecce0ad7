//! Integration-test harness for careerdock: fresh SQLite/PostgreSQL databases
//! and a headless Chromium driven by fantoccini.
//!
//! * [`fresh_db`] gives each test its own empty database. PostgreSQL databases
//!   live on one cluster per test process, started lazily from
//!   `/usr/lib/postgresql/15/bin` and stopped at exit — or on the cluster named
//!   by `CAREERDOCK_TEST_PG_URL`.
//! * [`browser`] starts chromedriver + headless Chromium (ja-JP).
//!
//! System packages: `scripts/ensure-test-deps.sh`.

mod browser;
mod db;
mod proc;

pub use browser::{browser, Browser, CHROMEDRIVER, CHROMIUM};
pub use db::{fresh_db, pg_bin, postgres_base_url, psql, Backend, TestDb, PG_BIN_DIR, PG_URL_ENV};
