//! The store's one integration-test binary: every test runs on a fresh SQLite file and on a
//! fresh PostgreSQL database (`sqlite::name` and `postgres::name`), through the public API,
//! with SQL only where a test plays the attacker (tampering with the audit log).

mod suite;

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use careerdock_store::{Ctx, EmployeeFilter, KeySource, Keyring, NewUser, OpenOptions, Store, StoreError, TenantRow, VerifyOutcome};
use chrono::NaiveDate;
use domain::audit::{event_hash, AuditAction, AuditDetail, AuditTarget, BreakReason, ChainedEvent, Key};
use domain::ids::{SealedId, TenantId, TokenId};
use domain::import::{parse_employee_csv, ParsedRow, RowError};
use domain::session::{SessionLimits, ThrottlePolicy};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use rand::RngCore;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use std::path::Path;
use std::time::Duration;
use testkit::{fresh_db, on_both_backends, pg_bin, psql, Backend, TestDb};

on_both_backends!(
    audit_tampering_is_named_at_the_first_broken_link,
    concurrent_audit_appends_keep_one_contiguous_chain,
    sealed_text_never_reaches_the_disk_in_clear,
    sealed_text_is_bound_to_its_tenant,
    key_rotation_resumes_across_batches_and_restarts,
    import_reads_utf8_and_shift_jis_and_builds_the_tree,
    import_of_a_bad_file_changes_nothing,
    sessions_expire_and_are_replaced_at_sign_in,
    sign_in_form_tokens_are_made_only_by_the_keys_holder,
    employee_search_matches_wildcards_literally,
    tokens_resolve_until_revoked_or_expired,
    sign_in_throttle_grows_with_failures,
    opening_refuses_what_it_should_not_create,
    import_errors_name_the_boss_column_as_written,
    department_headcounts_are_each_tenants_own;
    known_bugs:
);

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// A migrated store on a fresh database, with one tenant.
struct Env {
    db: TestDb,
    keys: KeySource,
    store: Store,
    tenant: TenantRow,
}

impl Env {
    async fn new(backend: Backend) -> Result<Env> {
        Env::with_keys(backend, inline_key()).await
    }

    async fn with_keys(backend: Backend, keys: KeySource) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = open(&db.url, keys.clone(), true).await?;
        let tenant = store.create_tenant(&slug("acme"), "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        Ok(Env { db, keys, store, tenant })
    }

    fn operator(&self) -> Ctx {
        Ctx::operator(self.tenant.id, "test")
    }

    /// Opens a second store on the same database (a restart, or a second server process).
    async fn reopen(&self, keys: KeySource) -> Result<Store, StoreError> {
        open(&self.db.url, keys, false).await
    }

    async fn verify(&self) -> Result<VerifyOutcome> {
        let all = self.store.verify_audit(Some(self.tenant.id)).await?;
        all.into_iter().next().context("verify_audit returned no outcome for the tenant")
    }

    /// Actions of the tenant's chain, oldest first.
    async fn actions(&self) -> Result<Vec<String>> {
        let mut events = self.store.recent_audit(self.tenant.id, 100_000, None).await?;
        events.reverse();
        Ok(events.into_iter().map(|e| e.action).collect())
    }

    /// A connection of the test's own, as an attacker with file or SQL access would have.
    async fn raw(&self) -> Result<AnyPool> {
        raw_pool(&self.db).await
    }
}

async fn open(url: &str, keys: KeySource, create: bool) -> Result<Store, StoreError> {
    Store::open(url, OpenOptions { create, migrate: create, keys }).await
}

/// A connection of the test's own to a test database, outside the store: as an attacker with
/// file or SQL access would have, or to set up what another part of the store owns.
async fn raw_pool(db: &TestDb) -> Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let url = match db.backend {
        Backend::Sqlite => format!("sqlite://{}", db.url),
        Backend::Postgres => db.url.clone(),
    };
    Ok(AnyPoolOptions::new().max_connections(1).connect(&url).await?)
}

/// Approved reports of held interviews in `cycle` for these employees (by number, with their
/// life/safety and organizational flags), written as the demo's bulk insert writes them (flags
/// in plain, sealed with their marks when the store is opened next); `author` wrote them a day
/// before now, all pointing at the one `sealed` text.
async fn approved_reports(
    db: &TestDb,
    tenant: TenantId,
    author: i64,
    sealed: i64,
    cycle: i64,
    numbers: &[(&str, bool, bool)],
) -> Result<()> {
    let raw = raw_pool(db).await?;
    let approved_at = chrono::Utc::now().timestamp_millis() - 86_400_000;
    for (number, life, org) in numbers {
        let employee: i64 = sqlx::query("SELECT id FROM employees WHERE tenant_id = $1 AND employee_number = $2")
            .bind(tenant.get())
            .bind(*number)
            .fetch_one(&raw)
            .await?
            .try_get("id")?;
        let interview: i64 = sqlx::query(
            "INSERT INTO interviews (tenant_id, cycle_id, employee_id, consultant_id, kind, mode, place, starts_at, ends_at, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'initial', 'in_person', '面談室', $5, $5, 'held', $5, $5) RETURNING id",
        )
        .bind(tenant.get())
        .bind(cycle)
        .bind(employee)
        .bind(author)
        .bind(approved_at - 86_400_000)
        .fetch_one(&raw)
        .await?
        .try_get("id")?;
        sqlx::query(
            "INSERT INTO reports (tenant_id, interview_id, employee_id, author_id, status, sealed_id, life_safety, organizational_response, round, version, created_at, updated_at, submitted_at, approved_at)
             VALUES ($1, $2, $3, $4, 'approved', $5, $6, $7, 1, 1, $8, $8, $8, $8)",
        )
        .bind(tenant.get())
        .bind(interview)
        .bind(employee)
        .bind(author)
        .bind(sealed)
        .bind(i64::from(*life))
        .bind(i64::from(*org))
        .bind(approved_at)
        .execute(&raw)
        .await?;
    }
    raw.close().await;
    Ok(())
}

/// A fresh random data key, given inline.
fn inline_key() -> KeySource {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    KeySource::Inline(B64.encode(bytes))
}

fn slug(s: &str) -> TenantSlug {
    TenantSlug::parse(s).unwrap_or_else(|e| panic!("slug {s}: {e}"))
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// A1. The audit chain names the first broken link
// ---------------------------------------------------------------------------------------------

const CHAIN_LEN: i64 = 20;

/// Twenty events: the tenant's creation, a user's creation, two sealed writes (all written
/// inside their own transactions) and sixteen reads through the batching appender.
async fn build_chain(env: &Env) -> Result<()> {
    let op = env.operator();
    let roles = [Role::Hr];
    let user = NewUser { login: "auditor", display_name: "監査 太郎", password: "long-enough-password", roles: &roles, employee: None };
    env.store.create_user(&op, &user).await?;
    for i in 0..16 {
        if i == 4 || i == 9 {
            env.store.write_sealed(&op, "note", &format!("メモ{i}")).await?;
        }
        let ev = op
            .event(AuditAction::EmployeeListRead, AuditTarget::EmployeeRegister, format!("page-{i}"))
            .detail(AuditDetail::none().n(Key::Offset, i));
        env.store.audit(&op, ev).await?;
    }
    let out = env.verify().await?;
    anyhow::ensure!(out.broken.is_none() && out.events == CHAIN_LEN, "fresh chain: {out:?}");
    Ok(())
}

async fn exec(pool: &AnyPool, sql: &str, tenant: TenantId) -> Result<u64> {
    Ok(sqlx::query(sql).bind(tenant.get()).execute(pool).await.with_context(|| sql.to_string())?.rows_affected())
}

async fn stored_event(pool: &AnyPool, tenant: TenantId, seq: i64) -> Result<ChainedEvent> {
    let r =
        sqlx::query("SELECT * FROM audit_events WHERE tenant_id = $1 AND seq = $2").bind(tenant.get()).bind(seq).fetch_one(pool).await?;
    Ok(ChainedEvent {
        tenant: r.try_get("tenant_id")?,
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at")?,
        actor_user: r.try_get("actor_user_id")?,
        actor_label: r.try_get("actor_label")?,
        acting_role: r.try_get("acting_role")?,
        action: r.try_get("action")?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Overwrites the row at `seq` with everything of `e` but its sequence number.
async fn overwrite_event(pool: &AnyPool, seq: i64, e: &ChainedEvent) -> Result<()> {
    sqlx::query(
        "UPDATE audit_events SET at = $1, actor_user_id = $2, actor_label = $3, acting_role = $4, action = $5, target_kind = $6,
         target_id = $7, detail = $8, prev_hash = $9, hash = $10 WHERE tenant_id = $11 AND seq = $12",
    )
    .bind(e.at_ms)
    .bind(e.actor_user)
    .bind(&e.actor_label)
    .bind(&e.acting_role)
    .bind(&e.action)
    .bind(&e.target_kind)
    .bind(&e.target_id)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .bind(e.tenant)
    .bind(seq)
    .execute(pool)
    .await?;
    Ok(())
}

async fn insert_event(pool: &AnyPool, e: &ChainedEvent) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, seq, at, actor_user_id, actor_label, acting_role, action, target_kind, target_id, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.tenant)
    .bind(e.seq)
    .bind(e.at_ms)
    .bind(e.actor_user)
    .bind(&e.actor_label)
    .bind(&e.acting_role)
    .bind(&e.action)
    .bind(&e.target_kind)
    .bind(&e.target_id)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(pool)
    .await?;
    Ok(())
}

/// Moves rows `from..` one place up, leaving `from` free (two steps: the primary key is
/// checked row by row on PostgreSQL).
async fn make_room_at(pool: &AnyPool, tenant: TenantId, from: i64) -> Result<()> {
    exec(pool, &format!("UPDATE audit_events SET seq = -seq WHERE tenant_id = $1 AND seq >= {from}"), tenant).await?;
    exec(pool, "UPDATE audit_events SET seq = 1 - seq WHERE tenant_id = $1 AND seq < 0", tenant).await?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    EditDetail,
    DeleteMiddle,
    DeleteLast,
    SwapRows,
    ForgeNaive,
    ForgeWithValidHash,
    AppendWithoutHead,
}

async fn tamper(env: &Env, how: Tamper) -> Result<()> {
    let pool = env.raw().await?;
    let t = env.tenant.id;
    match how {
        Tamper::EditDetail => {
            let n = exec(&pool, "UPDATE audit_events SET detail = 'offset=999' WHERE tenant_id = $1 AND seq = 7", t).await?;
            anyhow::ensure!(n == 1, "edit touched {n} rows");
        }
        Tamper::DeleteMiddle => {
            exec(&pool, "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 10", t).await?;
        }
        Tamper::DeleteLast => {
            exec(&pool, &format!("DELETE FROM audit_events WHERE tenant_id = $1 AND seq = {CHAIN_LEN}"), t).await?;
        }
        Tamper::SwapRows => {
            let five = stored_event(&pool, t, 5).await?;
            let six = stored_event(&pool, t, 6).await?;
            overwrite_event(&pool, 5, &six).await?;
            overwrite_event(&pool, 6, &five).await?;
        }
        Tamper::ForgeNaive | Tamper::ForgeWithValidHash => {
            let eleven = stored_event(&pool, t, 11).await?;
            make_room_at(&pool, t, 12).await?;
            let mut forged = eleven.clone();
            forged.seq = 12;
            forged.at_ms += 1;
            forged.target_id = "forged".into();
            forged.detail = "role=admin".into();
            forged.prev_hash = eleven.hash.clone();
            forged.hash = match how {
                Tamper::ForgeNaive => "f".repeat(64),
                _ => event_hash(&forged),
            };
            insert_event(&pool, &forged).await?;
        }
        Tamper::AppendWithoutHead => {
            let last = stored_event(&pool, t, CHAIN_LEN).await?;
            let mut forged = last.clone();
            forged.seq = CHAIN_LEN + 1;
            forged.prev_hash = last.hash.clone();
            forged.target_id = "forged".into();
            forged.hash = event_hash(&forged);
            insert_event(&pool, &forged).await?;
        }
    }
    pool.close().await;
    Ok(())
}

async fn audit_tampering_is_named_at_the_first_broken_link(backend: Backend) -> Result<()> {
    let cases: [(Tamper, i64, BreakReason); 7] = [
        (Tamper::EditDetail, 7, BreakReason::HashMismatch),
        (Tamper::DeleteMiddle, 10, BreakReason::SequenceGap { found: 11 }),
        (Tamper::DeleteLast, CHAIN_LEN, BreakReason::HeadMismatch { head_seq: CHAIN_LEN }),
        (Tamper::SwapRows, 5, BreakReason::PrevHashMismatch),
        (Tamper::ForgeNaive, 12, BreakReason::HashMismatch),
        // A forger who knows the hash function makes row 12 consistent; the row after it no
        // longer links, which is where the chain stops being trustworthy.
        (Tamper::ForgeWithValidHash, 13, BreakReason::PrevHashMismatch),
        (Tamper::AppendWithoutHead, CHAIN_LEN + 2, BreakReason::HeadMismatch { head_seq: CHAIN_LEN }),
    ];
    for (how, seq, reason) in cases {
        // Each case on its own copy: a fresh database holding the same chain.
        let env = Env::new(backend).await?;
        build_chain(&env).await?;
        // A second tenant, untouched, must still verify.
        let other = env.store.create_tenant(&slug("other"), "他社", KThreshold::DEFAULT, "test").await?;
        let other_ctx = Ctx::operator(other.id, "test");
        env.store.audit(&other_ctx, other_ctx.event(AuditAction::EmployeeListRead, AuditTarget::EmployeeRegister, "x")).await?;

        tamper(&env, how).await?;
        let out = env.verify().await?;
        let broken = out.broken.clone().with_context(|| format!("{how:?}: tampering went unnoticed: {out:?}"))?;
        assert_eq!((broken.tenant, broken.seq, broken.reason.clone()), (env.tenant.id.get(), seq, reason), "{how:?}");
        assert_eq!(out.events, seq - 1, "{how:?}: events verified before the break");
        assert!(broken.to_string().contains(&format!("event {seq}")), "{how:?}: {broken}");

        let all = env.store.verify_audit(None).await?;
        let other_out = all.iter().find(|o| o.tenant == other.id).context("other tenant missing from verify_audit(None)")?;
        assert_eq!((other_out.broken.clone(), other_out.events), (None, 2), "{how:?}: the other tenant's chain");
        env.store.close().await;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A2. Concurrent appends
// ---------------------------------------------------------------------------------------------

async fn concurrent_audit_appends_keep_one_contiguous_chain(backend: Backend) -> Result<()> {
    const TASKS: usize = 64;
    const PER_TASK: usize = 20;
    let env = Env::new(backend).await?;
    let setup = env.verify().await?.events;
    // Half the tasks go through a second store on the same database, as a second server
    // process (or a CLI command next to the server) would.
    let second = env.reopen(env.keys.clone()).await?;
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let store = if task % 2 == 0 { env.store.clone() } else { second.clone() };
        let ctx = env.operator();
        handles.push(tokio::spawn(async move {
            for i in 0..PER_TASK {
                let ev = ctx.event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: "note" }, format!("{task}-{i}"));
                store.audit(&ctx, ev).await?;
            }
            Ok::<(), StoreError>(())
        }));
    }
    for h in handles {
        h.await??;
    }
    let out = env.verify().await?;
    let expected = setup + (TASKS * PER_TASK) as i64;
    assert_eq!((out.broken, out.events), (None, expected));

    let pool = env.raw().await?;
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi, COUNT(DISTINCT target_id) AS targets FROM audit_events WHERE tenant_id = $1",
    )
    .bind(env.tenant.id.get())
    .fetch_one(&pool)
    .await?;
    let (n, lo, hi, targets): (i64, i64, i64, i64) = (r.try_get("n")?, r.try_get("lo")?, r.try_get("hi")?, r.try_get("targets")?);
    assert_eq!((n, lo, hi), (expected, 1, expected), "sequence must be 1..=n without gaps");
    assert_eq!(targets, (TASKS * PER_TASK) as i64 + setup, "every append is stored once");
    let head = sqlx::query("SELECT seq FROM audit_heads WHERE tenant_id = $1").bind(env.tenant.id.get()).fetch_one(&pool).await?;
    assert_eq!(head.try_get::<i64, _>("seq")?, expected);
    pool.close().await;
    second.close().await;
    env.store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A3. Sealed text at rest
// ---------------------------------------------------------------------------------------------

fn sqlite_files(db: &TestDb) -> Result<Vec<(String, Vec<u8>)>> {
    let path = db.sqlite_path().context("not SQLite")?;
    let mut out = Vec::new();
    for suffix in ["", "-wal", "-journal", "-shm"] {
        let p = format!("{}{suffix}", path.display());
        if Path::new(&p).exists() {
            out.push((p.clone(), std::fs::read(&p).with_context(|| p.clone())?));
        }
    }
    anyhow::ensure!(!out.is_empty(), "no database file at {}", path.display());
    Ok(out)
}

fn assert_absent_from_sqlite_files(db: &TestDb, needles: &[&[u8]], when: &str) -> Result<()> {
    let files = sqlite_files(db)?;
    anyhow::ensure!(files.iter().any(|(p, _)| p.ends_with("-wal")), "{when}: expected a WAL file (journal_mode=WAL)");
    for (p, bytes) in files {
        for n in needles {
            assert!(!contains(&bytes, n), "{when}: {p} holds the secret in clear");
        }
    }
    Ok(())
}

fn pg_dump(db: &TestDb) -> Result<Vec<u8>> {
    let out = std::process::Command::new(pg_bin("pg_dump"))
        .args(["--no-owner", "--data-only", "-d", &db.url])
        .stdin(std::process::Stdio::null())
        .output()
        .context("running pg_dump")?;
    if !out.status.success() {
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(out.stdout)
}

async fn sealed_text_never_reaches_the_disk_in_clear(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let ctx = env.operator();
    let marker = random_hex(12);
    let phrase = format!("秘密のフレーズ-{marker}");
    let id = env.store.write_sealed(&ctx, "interview_note", &phrase).await?;
    assert_eq!(env.store.read_sealed(&ctx, id).await?, phrase);

    let events = env.store.recent_audit(env.tenant.id, 50, None).await?;
    let read = events.iter().find(|e| e.action == AuditAction::SealedTextRead.as_str()).context("no sealed_text_read event")?;
    assert_eq!((read.target_kind.as_str(), read.target_id.clone()), ("interview_note", id.to_string()));
    assert!(events.iter().any(|e| e.action == AuditAction::SealedTextWritten.as_str() && e.target_id == id.to_string()));
    assert!(events.iter().all(|e| !e.detail.contains(&marker)), "the audit log must not hold content");

    let needles: [&[u8]; 2] = [phrase.as_bytes(), marker.as_bytes()];
    match backend {
        Backend::Sqlite => {
            // While the store is open the last commits sit in the WAL; after close, in the file.
            assert_absent_from_sqlite_files(&env.db, &needles, "store open")?;
            env.store.close().await;
            for (p, bytes) in sqlite_files(&env.db)? {
                for n in needles {
                    assert!(!contains(&bytes, n), "after close: {p} holds the secret in clear");
                }
            }
        }
        Backend::Postgres => {
            let rows = psql(&env.db.url, &format!("SELECT COUNT(*) FROM sealed_texts WHERE id = {}", id.get()))?;
            assert_eq!(rows, "1", "the sealed row exists");
            let dump = pg_dump(&env.db)?;
            assert!(contains(&dump, b"sealed_texts"), "the dump covers sealed_texts");
            for n in needles {
                assert!(!contains(&dump, n), "pg_dump shows the secret in clear");
            }
            env.store.close().await;
        }
    }
    Ok(())
}

async fn sealed_text_is_bound_to_its_tenant(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let a = env.operator();
    let other = env.store.create_tenant(&slug("beta"), "ベータ社", KThreshold::DEFAULT, "test").await?;
    let b = Ctx::operator(other.id, "test");
    let id = env.store.write_sealed(&a, "note", "テナントAの面談記録").await?;

    // Asking for A's id from B finds nothing.
    let err = env.store.read_sealed(&b, id).await.expect_err("tenant B read tenant A's text");
    assert!(matches!(err, StoreError::NotFound), "{err:?}");

    // Moving the row into B (an operator's mistake or an attack) does not help: the
    // ciphertext is bound to A and fails its integrity check.
    let pool = env.raw().await?;
    sqlx::query("UPDATE sealed_texts SET tenant_id = $1 WHERE id = $2").bind(other.id.get()).bind(id.get()).execute(&pool).await?;
    pool.close().await;
    let err = env.store.read_sealed(&b, id).await.expect_err("a moved ciphertext opened in the other tenant");
    assert!(matches!(err, StoreError::Crypto(_)), "{err:?}");
    let b_reads = env.store.recent_audit(other.id, 50, None).await?;
    assert!(b_reads.iter().all(|e| e.action != AuditAction::SealedTextRead.as_str()), "a failed read must not be logged as served");
    env.store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A4. Key rotation
// ---------------------------------------------------------------------------------------------

async fn key_rotation_resumes_across_batches_and_restarts(backend: Backend) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let key_file = dir.path().join("careerdock.key");
    Keyring::create_file_if_absent(&key_file)?;
    let old_only = dir.path().join("old-only.key");
    std::fs::copy(&key_file, &old_only)?;
    let env = Env::with_keys(backend, KeySource::File(key_file.clone())).await?;
    let old_id = env.store.keyring().current_id().to_string();
    let ctx = env.operator();
    let beta = env.store.create_tenant(&slug("beta"), "ベータ社", KThreshold::DEFAULT, "test").await?;
    let beta_ctx = Ctx::operator(beta.id, "test");

    let mut written: Vec<(Ctx, SealedId, String)> = Vec::new();
    for i in 0..5 {
        let c = if i % 2 == 0 { ctx.clone() } else { beta_ctx.clone() };
        let text = format!("面談記録その{i}: 今後のキャリアについて");
        let id = env.store.write_sealed(&c, "note", &text).await?;
        written.push((c, id, text));
    }
    assert_eq!(env.store.sealed_by_key().await?, vec![(old_id.clone(), 5)]);

    let mut ring = Keyring::read_file(&key_file)?;
    let new_id = ring.add_key_to_file()?;
    assert_ne!(new_id, old_id);
    env.store.close().await;

    // First batch, then a "crash": the next process resumes where the first stopped.
    let first = env.reopen(KeySource::File(key_file.clone())).await?;
    assert_eq!(first.keyring().current_id(), new_id);
    let p = first.rotate_batch(2).await?;
    assert_eq!((p.reencrypted, p.remaining), (2, 3));
    first.close().await;

    let second = env.reopen(KeySource::File(key_file.clone())).await?;
    let mut progress = vec![(p.reencrypted, p.remaining)];
    loop {
        let p = second.rotate_batch(2).await?;
        progress.push((p.reencrypted, p.remaining));
        if p.remaining == 0 {
            break;
        }
        anyhow::ensure!(progress.len() < 10, "rotation does not finish: {progress:?}");
    }
    assert_eq!(progress, vec![(2, 3), (2, 1), (1, 0)]);
    assert_eq!(second.rotate_batch(2).await?, careerdock_store::RotationProgress::default(), "nothing left to rotate");
    assert_eq!(second.sealed_by_key().await?, vec![(new_id.clone(), 5)]);
    for (c, id, text) in &written {
        assert_eq!(&second.read_sealed(c, *id).await?, text);
    }
    // New writes use the new key.
    second.write_sealed(&ctx, "note", "新しい鍵で").await?;
    assert_eq!(second.sealed_by_key().await?, vec![(new_id.clone(), 6)]);
    second.close().await;

    // A key file without the key in use is refused, naming the key.
    let err = env.reopen(KeySource::File(old_only)).await.err().context("a key file lacking the current key was accepted")?;
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Config(_)) && msg.contains(&new_id) && msg.contains("key"), "{msg}");
    let stranger = dir.path().join("stranger.key");
    Keyring::create_file_if_absent(&stranger)?;
    let err = env.reopen(KeySource::File(stranger)).await.err().context("an unrelated key file was accepted")?;
    assert!(matches!(err, StoreError::Config(_)), "{err}");
    let err = env.reopen(inline_key()).await.err().context("an unrelated inline key was accepted")?;
    assert!(matches!(err, StoreError::Config(_)), "{err}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A5. Employee import
// ---------------------------------------------------------------------------------------------

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default()
}

const JA_HEADER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール";

/// E001 reports to E010, who is defined later in the file.
fn ja_rows(e002_grade: &str) -> String {
    [
        JA_HEADER.to_string(),
        "E001,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G3,1980,2005-04-01,E010,yamada@example.jp".into(),
        format!("E002,佐藤 花子,サトウ ハナコ,営業本部/第一営業部,{e002_grade},1990,2015-04-01,E001,sato@example.jp"),
        "E003,鈴木 一郎,スズキ イチロウ,管理本部/人事部,G4,1975,2000-04-01,E010,".into(),
        "E010,髙橋 次郎,タカハシ ジロウ,営業本部,G5,1965,1990-04-01,,takahashi@example.jp".into(),
    ]
    .join("\r\n")
        + "\r\n"
}

fn parse(bytes: &[u8]) -> Result<Vec<ParsedRow>> {
    match parse_employee_csv(bytes, today()) {
        Ok(p) => Ok(p.rows),
        Err(errs) => bail!("parse failed: {:?}", errs.iter().map(|e| e.describe(domain::Locale::En)).collect::<Vec<_>>()),
    }
}

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "test data must be encodable in Shift_JIS");
    bytes.into_owned()
}

async fn import_reads_utf8_and_shift_jis_and_builds_the_tree(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let ctx = env.operator();
    let t = env.tenant.id;

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(ja_rows("G2").as_bytes());
    let parsed = parse_employee_csv(&bom, today()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(parsed.encoding, domain::import::SourceEncoding::Utf8Bom);
    let s = env.store.import_employees(&ctx, &parsed.rows).await?;
    assert_eq!((s.created, s.updated, s.unchanged, s.departments_created), (4, 0, 0, 4));

    let e1 = env.store.employee_by_number(t, "E001").await?;
    assert_eq!((e1.boss_number.as_deref(), e1.boss_name.as_deref()), (Some("E010"), Some("髙橋 次郎")));
    assert_eq!((e1.department.as_str(), e1.hire_date.as_deref(), e1.birth_year), ("営業本部/第一営業部", Some("2005-04-01"), Some(1980)));
    assert_eq!(e1.name_kana.as_deref(), Some("ヤマダ タロウ"));
    let depts = env.store.departments(t).await?;
    let by_path = |p: &str| depts.iter().find(|d| d.path == p).cloned();
    let top = by_path("営業本部").context("営業本部 missing")?;
    let first = by_path("営業本部/第一営業部").context("第一営業部 missing")?;
    assert_eq!((first.parent, first.name.as_str(), first.depth), (Some(top.id), "第一営業部", 2));
    assert_eq!((top.parent, top.depth, top.headcount, first.headcount), (None, 1, 1, 2));
    let hr = by_path("管理本部/人事部").context("人事部 missing")?;
    assert_eq!(hr.parent, by_path("管理本部").map(|d| d.id));
    assert_eq!(depts.len(), 4);

    // The same register exported by a Windows HR system (Shift_JIS, CP932) changes nothing.
    let sjis = shift_jis(&ja_rows("G2"));
    let parsed = parse_employee_csv(&sjis, today()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(parsed.encoding, domain::import::SourceEncoding::ShiftJis);
    let s = env.store.import_employees(&ctx, &parsed.rows).await?;
    assert_eq!((s.created, s.updated, s.unchanged, s.departments_created), (0, 0, 4, 0));

    // One changed grade: exactly one update.
    let rows = parse(&shift_jis(&ja_rows("G3")))?;
    let plan = env.store.plan_employee_import(t, &rows).await?;
    assert_eq!((plan.created(), plan.updated(), plan.unchanged), (0, 1, 3));
    assert_eq!(plan.rows[0].changed, vec!["grade"]);
    let s = env.store.import_employees(&ctx, &rows).await?;
    assert_eq!((s.created, s.updated, s.unchanged), (0, 1, 3));
    assert_eq!(env.store.employee_by_number(t, "E002").await?.grade.as_deref(), Some("G3"));
    assert_eq!(env.store.employee_by_number(t, "E001").await?.grade.as_deref(), Some("G3"));

    // English headers and YYYY/MM/DD dates; a boss already in the register.
    let en = "employee_number,name,name_kana,department,grade,birth_year,hire_date,boss_employee_number,email\n\
              E020,Jane Smith,スミス ジェーン,営業本部/第二営業部,G1,1995,2019/04/01,E010,jane@example.com\n";
    let s = env.store.import_employees(&ctx, &parse(en.as_bytes())?).await?;
    assert_eq!((s.created, s.updated, s.unchanged, s.departments_created), (1, 0, 0, 1));
    let e20 = env.store.employee_by_number(t, "E020").await?;
    assert_eq!(
        (e20.hire_date.as_deref(), e20.boss_number.as_deref(), e20.email.as_deref()),
        (Some("2019-04-01"), Some("E010"), Some("jane@example.com"))
    );
    // The register's size, kept by the imports (4 new, none by the unchanged or updated
    // rows, 1 new): what HR's home shows without counting the rows.
    assert_eq!(env.store.employee_count(t).await?, 5);

    // The register lists them, filtered, and the read is audited.
    let filter = EmployeeFilter { department_prefix: Some("営業本部".into()), limit: 2, ..Default::default() };
    let (total, page) = env.store.employees(&ctx, &filter).await?;
    let numbers: Vec<&str> = page.iter().map(|e| e.number.as_str()).collect();
    assert_eq!((total, numbers), (4, vec!["E001", "E002"]));
    let (total, page) =
        env.store.employees(&ctx, &EmployeeFilter { query: Some("ヤマダ".into()), limit: 50, ..Default::default() }).await?;
    assert_eq!((total, page[0].number.as_str()), (1, "E001"));
    let actions = env.actions().await?;
    assert_eq!(actions.iter().filter(|a| *a == AuditAction::EmployeesImported.as_str()).count(), 4);
    assert_eq!(actions.iter().filter(|a| *a == AuditAction::EmployeeListRead.as_str()).count(), 2);
    assert!(env.verify().await?.broken.is_none());
    env.store.close().await;
    Ok(())
}

/// The register's department list (the /employees filter) counts each department's own
/// employees of this tenant, as counting the register itself would.
async fn department_headcounts_are_each_tenants_own(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let rows = parse(ja_rows("G2").as_bytes())?;
    env.store.import_employees(&env.operator(), &rows).await?;
    // Another tenant with the same departments and twice the people.
    let other = env.store.create_tenant(&slug("other"), "他社", KThreshold::DEFAULT, "test").await?;
    let octx = Ctx::operator(other.id, "test");
    env.store.import_employees(&octx, &rows).await?;
    let more: Vec<ParsedRow> = parse(ja_rows("G2").replace(",山田", ",X山田").replace("E0", "F0").as_bytes())?;
    env.store.import_employees(&octx, &more).await?;

    for (tenant, expected_total) in [(env.tenant.id, 4), (other.id, 8)] {
        let mut by_department: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
        for e in env.store.employee_records(tenant).await? {
            *by_department.entry(e.department.to_path_string()).or_default() += 1;
        }
        let depts = env.store.departments(tenant).await?;
        let counted: std::collections::BTreeMap<String, i64> =
            depts.iter().filter(|d| d.headcount > 0).map(|d| (d.path.clone(), d.headcount)).collect();
        assert_eq!(counted, by_department, "tenant {tenant:?}");
        assert_eq!(depts.iter().map(|d| d.headcount).sum::<i64>(), expected_total);
        assert_eq!(env.store.employee_count(tenant).await?, expected_total);
    }
    Ok(())
}

fn has_error(errs: &[RowError], line: usize, column: &str) -> bool {
    errs.iter().any(|e| e.line == line && e.column.as_deref() == Some(column))
}

async fn register_counts(env: &Env) -> Result<(i64, usize, i64)> {
    Ok((
        env.store.employee_count(env.tenant.id).await?,
        env.store.departments(env.tenant.id).await?.len(),
        env.store.audit_stats(env.tenant.id).await?.events,
    ))
}

async fn import_of_a_bad_file_changes_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let ctx = env.operator();
    env.store.import_employees(&ctx, &parse(ja_rows("G2").as_bytes())?).await?;
    let before = register_counts(&env).await?;
    let imports_before = env.actions().await?.iter().filter(|a| *a == AuditAction::EmployeesImported.as_str()).count();

    // Cell and cross-row problems are found by the parser, each with line and column.
    let bad = format!(
        "{JA_HEADER}\n\
         E101,新人 一号,シンジン イチゴウ,開発本部/第一開発部,G1,2000,2026-02-30,E010,\n\
         E102,新人 二号,シンジン ニゴウ,開発本部/第一開発部,G1,2000,2026-04-01,E999,\n\
         E101,新人 三号,シンジン サンゴウ,開発本部/第一開発部,G1,2000,2026-04-01,E010,\n"
    );
    for bytes in [bad.as_bytes().to_vec(), shift_jis(&bad)] {
        let errs = parse_employee_csv(&bytes, today()).expect_err("a file with a bad date and a duplicate number parsed");
        assert!(has_error(&errs, 2, "入社日"), "bad date at line 2: {errs:?}");
        assert!(has_error(&errs, 4, "社員番号"), "duplicate number at line 4: {errs:?}");
        assert!(errs[0].describe(domain::Locale::Ja).starts_with("2行目「入社日」"), "{}", errs[0].describe(domain::Locale::Ja));
    }

    // A boss in neither the file nor the register is found when planning against the
    // register; the import is refused as a whole, new departments included.
    let unknown_boss = format!(
        "{JA_HEADER}\n\
         E101,新人 一号,シンジン イチゴウ,開発本部/第一開発部,G1,2000,2026-04-01,E010,\n\
         E102,新人 二号,シンジン ニゴウ,開発本部/第一開発部,G1,2000,2026-04-01,E999,\n\
         E001,山田 太郎,ヤマダ タロウ,開発本部,G9,1980,2005-04-01,E010,yamada@example.jp\n"
    );
    let rows = parse(unknown_boss.as_bytes())?;
    let err = env.store.import_employees(&ctx, &rows).await.expect_err("an unknown boss was imported");
    let StoreError::Rows(errs) = &err else { bail!("expected row errors, got {err:?}") };
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(has_error(errs, 3, "上司社員番号"), "{errs:?}");
    assert!(errs[0].message.ja.contains("E999"), "{errs:?}");
    assert!(matches!(env.store.plan_employee_import(env.tenant.id, &rows).await, Err(StoreError::Rows(_))));

    assert_eq!(register_counts(&env).await?, before, "(employees, departments, audit events) changed");
    assert_eq!(env.store.employee_by_number(env.tenant.id, "E001").await?.grade.as_deref(), Some("G3"));
    assert!(matches!(env.store.employee_by_number(env.tenant.id, "E101").await, Err(StoreError::NotFound)));
    let imports_after = env.actions().await?.iter().filter(|a| *a == AuditAction::EmployeesImported.as_str()).count();
    assert_eq!(imports_after, imports_before, "a refused import left an import event");
    env.store.close().await;
    Ok(())
}

/// `RowError::column` is documented as "the column's header as written in the file"; the
/// parser honours that, so the register's checks must too.
async fn import_errors_name_the_boss_column_as_written(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let ctx = env.operator();
    let en = "employee_number,name,department,boss_employee_number\nE1,Jane Smith,Sales,E404\n";
    let err = env.store.import_employees(&ctx, &parse(en.as_bytes())?).await.expect_err("an unknown boss was imported");
    let StoreError::Rows(errs) = &err else { bail!("expected row errors, got {err:?}") };
    assert!(has_error(errs, 2, "boss_employee_number"), "the error names a column the file does not have: {errs:?}");
    env.store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A6. Sessions, tokens, throttling
// ---------------------------------------------------------------------------------------------

async fn sessions_expire_and_are_replaced_at_sign_in(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let roles = [Role::Consultant, Role::Hr];
    let user = env
        .store
        .create_user(
            &env.operator(),
            &NewUser { login: "hana", display_name: "花", password: "long-enough-password", roles: &roles, employee: None },
        )
        .await?;
    let t = env.tenant.id;
    let generous = SessionLimits::default();

    let s = env.store.create_session(t, user, None, None).await?;
    let rec = env.store.session(&s.secret, generous).await?.context("new session not found")?;
    assert_eq!((rec.tenant, rec.user, rec.acting_role, rec.csrf_token.clone()), (t, user, None, s.csrf_token.clone()));
    // Choosing a role renews the id: the role is on the new secret, the old one is dead.
    let s_hr = env.store.set_session_role(&s.secret, Role::Hr).await?;
    assert_ne!(s_hr, s.secret);
    let rec_hr = env.store.session(&s_hr, generous).await?.context("the renewed session not found")?;
    assert_eq!(rec_hr.acting_role, Some(Role::Hr));
    assert_eq!((rec_hr.tenant, rec_hr.user, rec_hr.csrf_token, rec_hr.created_at), (t, user, s.csrf_token.clone(), rec.created_at));
    assert!(env.store.session(&s.secret, generous).await?.is_none(), "the id from before the role change still works");
    assert!(matches!(env.store.set_session_role(&s.secret, Role::Consultant).await, Err(StoreError::NotFound)));

    // The cookie secret is not what the database keeps.
    let pool = env.raw().await?;
    let stored = sqlx::query("SELECT id_hash FROM sessions").fetch_all(&pool).await?;
    assert!(stored.iter().all(|r| r.try_get::<String, _>("id_hash").map(|h| h != s.secret).unwrap_or(false)));
    pool.close().await;

    // Signing in again replaces the pre-login session.
    let s2 = env.store.create_session(t, user, Some(Role::Consultant), Some(&s_hr)).await?;
    assert_ne!(s2.secret, s_hr);
    assert_ne!(s2.csrf_token, s.csrf_token);
    assert!(env.store.session(&s_hr, generous).await?.is_none(), "the replaced session still works");

    // Idle expiry: unused for longer than idle_ms, gone for good.
    let idle = SessionLimits { idle_ms: 300, absolute_ms: 60_000 };
    assert!(env.store.session(&s2.secret, idle).await?.is_some());
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(env.store.session(&s2.secret, idle).await?.is_none(), "idle session still alive");
    assert!(env.store.session(&s2.secret, generous).await?.is_none(), "an expired session must be deleted");

    // Absolute expiry, and the purge.
    let s3 = env.store.create_session(t, user, None, None).await?;
    let s4 = env.store.create_session(t, user, None, None).await?;
    let absolute = SessionLimits { idle_ms: 60_000, absolute_ms: 300 };
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(env.store.session(&s3.secret, absolute).await?.is_none(), "session past its lifetime");
    assert_eq!(env.store.purge_sessions(absolute).await?, 1, "s4 purged, s3 already gone");
    assert!(env.store.session(&s4.secret, generous).await?.is_none());
    assert!(matches!(env.store.set_session_role(&s4.secret, Role::Hr).await, Err(StoreError::NotFound)));
    env.store.close().await;
    Ok(())
}

/// The sign-in form's token is accepted by every server holding the keys, and by nobody else.
async fn sign_in_form_tokens_are_made_only_by_the_keys_holder(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let token = env.store.issue_login_form_token();
    assert!(env.store.login_form_token_valid(&token), "{token}");
    assert_ne!(token, env.store.issue_login_form_token(), "each form gets its own nonce");
    let second = env.reopen(env.keys.clone()).await?;
    assert!(second.login_form_token_valid(&token), "another server on the same keys accepts it");
    let stranger = env.reopen(inline_key()).await;
    // A store opened with other keys on this database may be refused; if it opens, it must not accept.
    if let Ok(stranger) = stranger {
        assert!(!stranger.login_form_token_valid(&token), "a token checked without the keys");
        stranger.close().await;
    }
    let other_db = Env::new(backend).await?;
    assert!(!other_db.store.login_form_token_valid(&token), "a token from another installation");
    let (body, mac) = token.rsplit_once('.').context("token shape")?;
    let (nonce, issued) = body.split_once('.').context("token shape")?;
    let forged = [
        String::new(),
        "0123456789abcdef".to_string(),
        format!("{nonce}.{issued}.{}", "0".repeat(mac.len())),
        format!("{nonce}.{}.{mac}", issued.parse::<i64>()? + 1),
        format!("{}.{issued}.{mac}", "f".repeat(32)),
        format!("{nonce}.{issued}"),
        format!("{token}.00"),
    ];
    for f in forged {
        assert!(!env.store.login_form_token_valid(&f), "forged token accepted: {f}");
    }
    second.close().await;
    other_db.store.close().await;
    env.store.close().await;
    Ok(())
}

/// `%`, `_` and the escape character in a search match themselves, on both databases.
async fn employee_search_matches_wildcards_literally(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let ctx = env.operator();
    let csv = "社員番号,氏名,所属\nE1,山田 太郎,営業本部\nE2,佐藤 100%,営業本部\nE3,田中_花子,営業本部\nE4,鈴木!一郎,営業本部\n";
    env.store.import_employees(&ctx, &parse(csv.as_bytes())?).await?;
    let search =
        |q: &str| EmployeeFilter { query: Some(q.to_string()), department_prefix: None, limit: 100, offset: 0, ..Default::default() };
    for (q, expected) in [
        ("%", vec!["E2"]),
        ("_", vec!["E3"]),
        ("!", vec!["E4"]),
        ("!%", Vec::new()),
        ("%%", Vec::new()),
        ("山田", vec!["E1"]),
        ("e", vec!["E1", "E2", "E3", "E4"]),
    ] {
        let (total, rows) = env.store.employees(&ctx, &search(q)).await?;
        let numbers: Vec<&str> = rows.iter().map(|r| r.number.as_str()).collect();
        assert_eq!((total, numbers), (expected.len() as i64, expected.clone()), "q={q}");
    }
    env.store.close().await;
    Ok(())
}

async fn tokens_resolve_until_revoked_or_expired(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let op = env.operator();
    let roles = [Role::Hr];
    let hr = env
        .store
        .create_user(&op, &NewUser { login: "hr", display_name: "人事", password: "long-enough-password", roles: &roles, employee: None })
        .await?;
    let other = env
        .store
        .create_user(&op, &NewUser { login: "other", display_name: "他", password: "long-enough-password", roles: &roles, employee: None })
        .await?;
    let ctx = Ctx::for_tests(env.tenant.id, hr, "hr", Some(Role::Hr));
    let other_ctx = Ctx::for_tests(env.tenant.id, other, "other", Some(Role::Hr));

    let (secret, id) = env.store.create_token(&ctx, Role::Hr, "連携", Some(30)).await?;
    assert!(secret.starts_with("cdk_"));
    let p = env.store.token_principal(&secret).await?.context("fresh token does not resolve")?;
    assert_eq!((p.token, p.tenant, p.user, p.role), (id, env.tenant.id, hr, Role::Hr));
    assert!(env.store.token_principal("cdk_0000").await?.is_none());
    assert!(env.store.token_principal(&secret.replacen("cdk_", "xyz_", 1)).await?.is_none());
    let listed = env.store.tokens_of(env.tenant.id, hr).await?;
    assert_eq!(listed.len(), 1);
    assert!(secret.starts_with(&listed[0].prefix) && listed[0].prefix.len() < secret.len());

    // A role the user does not hold cannot be given to a token.
    assert!(matches!(env.store.create_token(&ctx, Role::Admin, "x", None).await, Err(StoreError::Invalid(_))));

    // Only the owner revokes; revoked tokens resolve to nothing.
    assert!(matches!(env.store.revoke_token(&other_ctx, id).await, Err(StoreError::NotFound)));
    assert!(env.store.token_principal(&secret).await?.is_some());
    env.store.revoke_token(&ctx, id).await?;
    assert!(env.store.token_principal(&secret).await?.is_none(), "a revoked token still resolves");
    assert!(matches!(env.store.revoke_token(&ctx, id).await, Err(StoreError::NotFound)));
    assert!(env.store.tokens_of(env.tenant.id, hr).await?[0].revoked_at.is_some());

    // A token that expires now (0 days) no longer resolves.
    let (expired, _) = env.store.create_token(&ctx, Role::Hr, "short", Some(0)).await?;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(env.store.token_principal(&expired).await?.is_none(), "an expired token still resolves");
    assert!(matches!(env.store.revoke_token(&ctx, TokenId::new(9_999)).await, Err(StoreError::NotFound)));

    let actions = env.actions().await?;
    assert_eq!(actions.iter().filter(|a| *a == AuditAction::TokenCreated.as_str()).count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == AuditAction::TokenRevoked.as_str()).count(), 1);
    env.store.close().await;
    Ok(())
}

async fn sign_in_throttle_grows_with_failures(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let p = ThrottlePolicy::ACCOUNT;
    let key = "acct:acme:hana";
    let mut waits = Vec::new();
    for _ in 0..p.free_attempts + 2 {
        waits.push(env.store.throttle_wait_ms(key, p).await?);
        env.store.record_login_failure(&[key, "addr:192.0.2.1"]).await?;
    }
    waits.push(env.store.throttle_wait_ms(key, p).await?);
    let free = p.free_attempts as usize;
    assert!(waits[..=free - 1].iter().all(|w| *w == 0), "free attempts: {waits:?}");
    assert!(waits[free] > p.base_delay_ms - 5_000 && waits[free] <= p.base_delay_ms, "{waits:?}");
    assert!(waits[free + 1] > waits[free] && waits[free + 2] > waits[free + 1], "waits must grow: {waits:?}");
    // The address key is counted under its own, laxer policy; other keys are untouched.
    assert_eq!(env.store.throttle_wait_ms("addr:192.0.2.1", ThrottlePolicy::ADDRESS).await?, 0);
    assert_eq!(env.store.throttle_wait_ms("acct:acme:other", p).await?, 0);
    env.store.clear_login_failures(key).await?;
    assert_eq!(env.store.throttle_wait_ms(key, p).await?, 0);
    env.store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A7. Opening rules
// ---------------------------------------------------------------------------------------------

async fn opening_refuses_what_it_should_not_create(backend: Backend) -> Result<()> {
    let err = open("mysql://user@127.0.0.1/careerdock", inline_key(), true).await.err().context("mysql:// accepted")?;
    assert!(matches!(err, StoreError::Config(_)) && err.to_string().contains("mysql"), "{err}");
    let err = open("sqlite::memory:", inline_key(), true).await.err().context("in-memory SQLite accepted")?;
    assert!(matches!(err, StoreError::Config(_)), "{err}");

    let db = fresh_db(backend)?;
    match backend {
        Backend::Sqlite => {
            let path = db.sqlite_path().context("sqlite path")?;
            let err = open(&db.url, inline_key(), false).await.err().context("a missing SQLite file was opened")?;
            assert!(matches!(err, StoreError::Config(_)) && err.to_string().contains("does not exist"), "{err}");
            assert!(!path.exists(), "refusing must not create the file");
        }
        Backend::Postgres => {
            let missing = format!("{}_missing", db.url);
            let err = open(&missing, inline_key(), false).await.err().context("a missing PostgreSQL database was opened")?;
            assert!(matches!(err, StoreError::Db(_)), "{err}");
        }
    }
    // An empty database is not served without migrating…
    let unmigrated = Store::open(&db.url, OpenOptions { create: true, migrate: false, keys: inline_key() }).await;
    let err = unmigrated.err().context("an unmigrated database was opened")?;
    assert!(err.to_string().contains("migrate"), "{err}");
    // …and migrating then reopening without `create` works.
    open(&db.url, inline_key(), true).await?.close().await;
    open(&db.url, inline_key(), false).await?.close().await;
    Ok(())
}
