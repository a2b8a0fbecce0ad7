//! Feature suites of the store, each run on SQLite and PostgreSQL.

mod accounts;
mod cycles;
mod interviews;
mod jobs;
mod pseudonymize;
mod reports;
mod seed;
