//! Feature suites of the store, each run on SQLite and PostgreSQL.

mod cycles;
mod interviews;
mod pseudonymize;
mod reports;
mod seed;
mod two_factor;
