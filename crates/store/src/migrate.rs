//! One migration chain for both databases. Statements use `{id}` and `{blob}` where the two
//! differ; everything else is SQL both accept.

use crate::db::Db;
use crate::{now_ms, Result, StoreError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    statements: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "foundation",
    statements: &[
        "CREATE TABLE tenants (
            id {id},
            slug TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            k_threshold BIGINT NOT NULL DEFAULT 10,
            created_at BIGINT NOT NULL
        )",
        "CREATE TABLE departments (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            parent_id BIGINT REFERENCES departments(id),
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            depth BIGINT NOT NULL,
            UNIQUE (tenant_id, path)
        )",
        "CREATE TABLE employees (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            employee_number TEXT NOT NULL,
            name TEXT NOT NULL,
            name_kana TEXT,
            department_id BIGINT NOT NULL REFERENCES departments(id),
            grade TEXT,
            birth_year BIGINT,
            hire_date TEXT,
            boss_id BIGINT REFERENCES employees(id),
            email TEXT,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, employee_number)
        )",
        "CREATE INDEX employees_boss ON employees (tenant_id, boss_id)",
        "CREATE INDEX employees_department ON employees (tenant_id, department_id)",
        "CREATE TABLE users (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            login TEXT NOT NULL,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            employee_id BIGINT REFERENCES employees(id),
            locale TEXT,
            created_at BIGINT NOT NULL,
            disabled_at BIGINT,
            UNIQUE (tenant_id, login)
        )",
        "CREATE TABLE user_roles (
            user_id BIGINT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            PRIMARY KEY (user_id, role)
        )",
        "CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            user_id BIGINT NOT NULL REFERENCES users(id),
            acting_role TEXT,
            csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen BIGINT NOT NULL
        )",
        "CREATE INDEX sessions_user ON sessions (user_id)",
        "CREATE TABLE api_tokens (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            user_id BIGINT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            revoked_at BIGINT,
            last_used_at BIGINT
        )",
        "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
        "CREATE TABLE login_failures (
            id {id},
            throttle_key TEXT NOT NULL,
            at BIGINT NOT NULL
        )",
        "CREATE INDEX login_failures_key ON login_failures (throttle_key, at)",
        "CREATE TABLE audit_heads (
            tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )",
        "CREATE TABLE audit_events (
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            seq BIGINT NOT NULL,
            at BIGINT NOT NULL,
            actor_user_id BIGINT,
            actor_label TEXT NOT NULL,
            acting_role TEXT NOT NULL,
            action TEXT NOT NULL,
            target_kind TEXT NOT NULL,
            target_id TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (tenant_id, seq)
        )",
        "CREATE TABLE data_keys (
            key_id TEXT PRIMARY KEY,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        )",
        "CREATE TABLE sealed_texts (
            id {id},
            tenant_id BIGINT NOT NULL REFERENCES tenants(id),
            purpose TEXT NOT NULL,
            key_id TEXT NOT NULL,
            nonce {blob} NOT NULL,
            ciphertext {blob} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
        "CREATE INDEX sealed_texts_key ON sealed_texts (key_id)",
    ],
}];

/// The newest schema version this build knows.
pub fn latest() -> i64 {
    MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
}

async fn ensure_table(db: &Db) -> Result<()> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(&db.write)
        .await?;
    Ok(())
}

async fn applied(db: &Db) -> Result<i64> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(&db.read).await?;
    Ok(row.try_get::<i64, _>("v")?)
}

/// Applies every pending migration, each in its own transaction with its version row.
pub async fn run(db: &Db) -> Result<Vec<i64>> {
    ensure_table(db).await?;
    let current = applied(db).await?;
    let mut done = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let mut tx = db.write.begin().await?;
        for stmt in m.statements {
            sqlx::query(&db.ddl(stmt)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done.push(m.version);
    }
    Ok(done)
}

/// Refuses a database whose schema is older or newer than this build.
pub async fn check_current(db: &Db) -> Result<()> {
    ensure_table(db).await?;
    let v = applied(db).await?;
    if v != latest() {
        return Err(StoreError::Config(format!(
            "the database schema is at version {v} but this build expects {}: run `careerdock migrate`",
            latest()
        )));
    }
    Ok(())
}
