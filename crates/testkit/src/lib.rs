//! Integration-test harness for careerdock: fresh SQLite/PostgreSQL databases
//! and a headless Chromium driven by fantoccini.
//!
//! * [`fresh_db`] gives each test its own empty database. PostgreSQL databases
//!   live on one cluster per test process, started lazily from
//!   `/usr/lib/postgresql/15/bin` and stopped at exit — or on the cluster named
//!   by `CAREERDOCK_TEST_PG_URL`.
//! * [`browser`] starts chromedriver + headless Chromium (ja-JP).
//! * [`SmtpSink`] runs a real SMTP server (aiosmtpd) that keeps what it receives.
//!
//! System packages: `scripts/ensure-test-deps.sh`.

mod browser;
mod db;
mod proc;
mod smtp;

pub use browser::{browser, Browser, CHROMEDRIVER, CHROMIUM};
pub use db::{fresh_db, pg_bin, postgres_base_url, psql, Backend, TestDb, PG_BIN_DIR, PG_URL_ENV};
pub use smtp::{Received, SmtpOptions, SmtpSink, PYTHON};

/// Generates `sqlite::<name>` and `postgres::<name>` for each `async fn <name>(Backend) -> Result<()>`
/// in the calling module; a test listed after `known_bugs:` is ignored with its reason until the
/// product is fixed. The calling crate needs `tokio` (with `macros`) and `anyhow`.
///
/// ```ignore
/// testkit::on_both_backends!(first_test, second_test);
/// testkit::on_both_backends!(first_test; known_bugs: broken_test => "why it fails");
/// ```
#[macro_export]
macro_rules! on_both_backends {
    (@mod $module:ident, $backend:ident; $($name:ident),*; $($bug:ident => $why:literal),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name($crate::Backend::$backend).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                #[ignore = $why]
                async fn $bug() -> anyhow::Result<()> {
                    super::$bug($crate::Backend::$backend).await
                }
            )*
        }
    };
    ($($name:ident),* $(,)? ; known_bugs: $($bug:ident => $why:literal),* $(,)?) => {
        $crate::on_both_backends!(@mod sqlite, Sqlite; $($name),*; $($bug => $why),*);
        $crate::on_both_backends!(@mod postgres, Postgres; $($name),*; $($bug => $why),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!($($name),*; known_bugs:);
    };
}
