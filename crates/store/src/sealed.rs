//! Confidential text, encrypted at rest with AES-256-GCM (DESIGN.md promise 5). Every value
//! carries the id of its key, so `keys rotate` can re-encrypt under a new key, resumably.

use crate::db::Db;
use crate::{now_ms, Ctx, Result, Store, StoreError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use domain::audit::AuditEvent;
use domain::ids::{SealedId, TenantId};
use domain::policy::Permit;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// A 256-bit data key; never printed.
#[derive(Clone)]
struct DataKey {
    id: String,
    bytes: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({}, ***)", self.id)
    }
}

/// The key id is a fingerprint of the key, so the database can name the key it needs
/// without holding it.
fn key_id(bytes: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"careerdock data key v1");
    h.update(bytes);
    hex::encode(&h.finalize()[..8])
}

/// Where the data keys come from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// A key file: one key per line (`<id> <base64>`), the last being current.
    File(PathBuf),
    /// A single base64 key (from `CAREERDOCK_DATA_KEY`).
    Inline(String),
}

impl KeySource {
    pub fn load(&self) -> Result<Keyring> {
        match self {
            KeySource::File(path) => Keyring::read_file(path),
            KeySource::Inline(b64) => {
                let key = decode_key(b64.trim()).map_err(|e| StoreError::Config(format!("CAREERDOCK_DATA_KEY: {e}")))?;
                Ok(Keyring { keys: vec![key], file: None })
            }
        }
    }
}

fn decode_key(b64: &str) -> std::result::Result<DataKey, String> {
    let raw = Zeroizing::new(B64.decode(b64).map_err(|_| "the key is not valid base64".to_string())?);
    let bytes: [u8; 32] = raw.as_slice().try_into().map_err(|_| format!("a key must be 32 bytes, this one has {}", raw.len()))?;
    Ok(DataKey { id: key_id(&bytes), bytes: Zeroizing::new(bytes) })
}

/// The data keys: the current one seals, all of them open.
#[derive(Clone, Debug)]
pub struct Keyring {
    keys: Vec<DataKey>,
    file: Option<PathBuf>,
}

impl Keyring {
    /// Creates a key file with one fresh key (mode 0600), unless it exists.
    pub fn create_file_if_absent(path: &Path) -> Result<()> {
        if path.exists() {
            return Ok(());
        }
        let key = fresh_key();
        write_key_file(path, std::slice::from_ref(&key))
    }

    pub fn read_file(path: &Path) -> Result<Keyring> {
        let text =
            std::fs::read_to_string(path).map_err(|e| StoreError::Config(format!("cannot read the key file {}: {e}", path.display())))?;
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let b64 = line.split_whitespace().last().unwrap_or("");
            let key = decode_key(b64).map_err(|e| StoreError::Config(format!("{} line {}: {e}", path.display(), i + 1)))?;
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(StoreError::Config(format!("the key file {} holds no key", path.display())));
        }
        Ok(Keyring { keys, file: Some(path.to_path_buf()) })
    }

    /// A keyring with one random key, kept in memory only (tests and benchmarks).
    pub fn ephemeral() -> Keyring {
        Keyring { keys: vec![fresh_key()], file: None }
    }

    pub fn current_id(&self) -> &str {
        self.keys.last().map(|k| k.id.as_str()).unwrap_or("")
    }

    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    fn get(&self, id: &str) -> Option<&DataKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    fn current(&self) -> Result<&DataKey> {
        self.keys.last().ok_or_else(|| StoreError::Config("no data key".into()))
    }

    /// Adds a fresh key as current and saves the file; returns its id.
    pub fn add_key_to_file(&mut self) -> Result<String> {
        let path = self
            .file
            .clone()
            .ok_or_else(|| StoreError::Config("keys can only be rotated when they come from a key file (--key-file)".into()))?;
        let key = fresh_key();
        let id = key.id.clone();
        self.keys.push(key);
        write_key_file(&path, &self.keys)?;
        Ok(id)
    }

    /// A key for `purpose` derived from each data key, the current one first: for MACs that
    /// every server holding the keys can check and nobody without them can forge.
    pub(crate) fn derived_keys(&self, purpose: &str) -> Vec<Zeroizing<Vec<u8>>> {
        use hmac::Mac;
        self.keys
            .iter()
            .rev()
            .filter_map(|k| <hmac::Hmac<Sha256> as Mac>::new_from_slice(k.bytes.as_slice()).ok())
            .map(|mac| Zeroizing::new(mac.chain_update(purpose.as_bytes()).finalize().into_bytes().to_vec()))
            .collect()
    }

    /// [`Keyring::derived_keys`] with the id of the data key each is derived from, the current
    /// one first: for keyed marks that must follow a key rotation.
    pub(crate) fn derived_keys_by_id(&self, purpose: &str) -> Vec<(String, Zeroizing<Vec<u8>>)> {
        use hmac::Mac;
        self.keys
            .iter()
            .rev()
            .filter_map(|k| Some((k.id.clone(), <hmac::Hmac<Sha256> as Mac>::new_from_slice(k.bytes.as_slice()).ok()?)))
            .map(|(id, mac)| (id, Zeroizing::new(mac.chain_update(purpose.as_bytes()).finalize().into_bytes().to_vec())))
            .collect()
    }

    pub fn seal(&self, tenant: TenantId, plaintext: &str) -> Result<(String, Vec<u8>, Vec<u8>)> {
        let key = self.current()?;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = encrypt(key, tenant, &nonce, plaintext.as_bytes())?;
        Ok((key.id.clone(), nonce.to_vec(), ct))
    }

    pub(crate) fn open(&self, tenant: TenantId, key_id: &str, nonce: &[u8], ciphertext: &[u8]) -> Result<String> {
        let key = self.get(key_id).ok_or_else(|| StoreError::Crypto(format!("the key {key_id} is not in the keyring")))?;
        if nonce.len() != 12 {
            return Err(StoreError::Crypto("damaged nonce".into()));
        }
        let cipher = Aes256Gcm::new_from_slice(key.bytes.as_slice()).map_err(|_| StoreError::Crypto("bad key".into()))?;
        let aad = aad(tenant);
        let plain = cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
            .map_err(|_| StoreError::Crypto("a sealed value failed its integrity check".into()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto("a sealed value is not text".into()))
    }
}

fn fresh_key() -> DataKey {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
    DataKey { id: key_id(&bytes), bytes }
}

/// Binds a ciphertext to its tenant: a value copied into another tenant will not open.
fn aad(tenant: TenantId) -> Vec<u8> {
    format!("careerdock:sealed:{}", tenant.get()).into_bytes()
}

fn encrypt(key: &DataKey, tenant: TenantId, nonce: &[u8; 12], plain: &[u8]) -> Result<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key.bytes.as_slice()).map_err(|_| StoreError::Crypto("bad key".into()))?;
    let aad = aad(tenant);
    cipher.encrypt(Nonce::from_slice(nonce), Payload { msg: plain, aad: &aad }).map_err(|_| StoreError::Crypto("encryption failed".into()))
}

fn write_key_file(path: &Path, keys: &[DataKey]) -> Result<()> {
    use std::io::Write;
    let mut text = String::from("# careerdock data keys: keep secret, keep a copy with the backups. The last key is current.\n");
    for k in keys {
        text.push_str(&format!("{} {}\n", k.id, B64.encode(k.bytes.as_slice())));
    }
    let tmp = path.with_extension("tmp");
    let io = |e: std::io::Error| StoreError::Config(format!("cannot write the key file {}: {e}", path.display()));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(())
}

/// Records the keyring's current key and refuses a keyring that lacks a key the database
/// still uses (a wrong key file would otherwise make sealed text unreadable).
pub(crate) async fn register_keys(db: &Db, keys: &Keyring) -> Result<()> {
    let used = sqlx::query("SELECT DISTINCT key_id FROM sealed_texts").fetch_all(&db.read).await?;
    for r in used {
        let id: String = r.try_get("key_id")?;
        if keys.get(&id).is_none() {
            return Err(StoreError::Config(format!(
                "the database holds text sealed with key {id}, which the configured keys ({}) do not include: wrong key file?",
                keys.ids().join(", ")
            )));
        }
    }
    let marked = sqlx::query("SELECT DISTINCT tag_marks_key FROM reports WHERE tag_marks_key IS NOT NULL").fetch_all(&db.read).await?;
    for r in marked {
        let id: String = r.try_get("tag_marks_key")?;
        if keys.get(&id).is_none() {
            return Err(StoreError::Config(format!(
                "the database holds tag marks made with key {id}, which the configured keys ({}) do not include: wrong key file?",
                keys.ids().join(", ")
            )));
        }
    }
    let current = keys.current_id().to_string();
    let known = sqlx::query("SELECT key_id FROM data_keys WHERE key_id = $1").bind(&current).fetch_optional(&db.read).await?;
    if known.is_none() {
        sqlx::query("INSERT INTO data_keys (key_id, created_at) VALUES ($1, $2)").bind(&current).bind(now_ms()).execute(&db.write).await?;
    }
    Ok(())
}

/// Sealed purposes that hold the store's own secrets rather than personal data.
const SYSTEM_PURPOSES: &[&str] = &["pseudonym_secret", crate::totp::PURPOSE, crate::overall_reports::LEDGER_PURPOSE];

/// A sealed value as stored: opened only with the keyring, by [`SealedRow::open`].
pub(crate) struct SealedRow {
    key_id: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl SealedRow {
    pub(crate) fn open(&self, keys: &Keyring, tenant: TenantId) -> Result<String> {
        keys.open(tenant, &self.key_id, &self.nonce, &self.ciphertext)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purposes {
    Personal,
    System,
    /// One personal purpose, opened by the store for its own upkeep.
    Only(&'static str),
}

/// Progress of a key rotation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RotationProgress {
    pub reencrypted: u64,
    pub remaining: u64,
}

impl Store {
    /// Seals a text inside the caller's transaction.
    pub(crate) async fn seal_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        purpose: &str,
        text: &str,
    ) -> Result<SealedId> {
        let (key_id, nonce, ct) = self.keys.seal(tenant, text)?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO sealed_texts (tenant_id, purpose, key_id, nonce, ciphertext, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(tenant.get())
        .bind(purpose)
        .bind(key_id)
        .bind(nonce)
        .bind(ct)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        Ok(SealedId::new(row.try_get("id")?))
    }

    /// Replaces a sealed text inside the caller's transaction.
    pub(crate) async fn reseal_in_tx(&self, tx: &mut Transaction<'static, Any>, tenant: TenantId, id: SealedId, text: &str) -> Result<()> {
        let (key_id, nonce, ct) = self.keys.seal(tenant, text)?;
        let done = sqlx::query(
            "UPDATE sealed_texts SET key_id = $1, nonce = $2, ciphertext = $3, updated_at = $4 WHERE id = $5 AND tenant_id = $6",
        )
        .bind(key_id)
        .bind(nonce)
        .bind(ct)
        .bind(now_ms())
        .bind(id.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The gate: the only way from sealed text to plaintext for a caller. It takes the policy's
    /// permit for this very context, appends the read's audit events and waits until they are
    /// durable, and only then opens the values (all of the permit's tenant, none of the store's
    /// own secrets).
    pub(crate) async fn open_permitted(
        &self,
        ctx: &Ctx,
        permit: &Permit,
        events: &[AuditEvent],
        ids: &[SealedId],
    ) -> Result<HashMap<SealedId, String>> {
        let items: Vec<(Permit, SealedId)> = ids.iter().map(|id| (*permit, *id)).collect();
        self.open_permitted_each(ctx, events, &items).await
    }

    /// The gate for a list: each value with the permit of its own record.
    pub(crate) async fn open_permitted_each(
        &self,
        ctx: &Ctx,
        events: &[AuditEvent],
        items: &[(Permit, SealedId)],
    ) -> Result<HashMap<SealedId, String>> {
        if items.iter().any(|(p, _)| p.tenant() != ctx.tenant || p.user() != ctx.user) {
            return Err(StoreError::NotFound);
        }
        if events.is_empty() {
            return Err(StoreError::Config("a read of sealed text must be audited".into()));
        }
        for ev in events {
            self.audit(ctx, ev.clone()).await?;
        }
        let ids: Vec<SealedId> = items.iter().map(|(_, id)| *id).collect();
        self.open_rows(ctx.tenant, &ids, Purposes::Personal).await
    }

    /// Opens one of the store's own secrets (the tenant's pseudonym key): never personal data,
    /// never returned to a caller.
    pub(crate) async fn open_system_secret(&self, tenant: TenantId, id: SealedId) -> Result<Zeroizing<String>> {
        let mut texts = self.open_rows(tenant, &[id], Purposes::System).await?;
        texts.remove(&id).map(Zeroizing::new).ok_or(StoreError::NotFound)
    }

    /// Opens values of one purpose for the store's own upkeep (making the tag marks of reports
    /// sealed before them): never returned to a caller, like a key rotation's.
    pub(crate) async fn open_for_upkeep(
        &self,
        tenant: TenantId,
        ids: &[SealedId],
        purpose: &'static str,
    ) -> Result<HashMap<SealedId, String>> {
        self.open_rows(tenant, ids, Purposes::Only(purpose)).await
    }

    async fn open_rows(&self, tenant: TenantId, ids: &[SealedId], purposes: Purposes) -> Result<HashMap<SealedId, String>> {
        let rows = self.sealed_rows(tenant, ids, purposes).await?;
        let mut out = HashMap::with_capacity(rows.len());
        for (id, row) in rows {
            out.insert(id, row.open(&self.keys, tenant)?);
        }
        Ok(out)
    }

    /// [`Store::open_for_upkeep`] without the decryption: the rows as stored (their purpose
    /// checked), for a caller that opens them off the async threads with [`SealedRow::open`]
    /// (the theme extraction opens each batch on the threads that analyze it).
    pub(crate) async fn sealed_for_upkeep(
        &self,
        tenant: TenantId,
        ids: &[SealedId],
        purpose: &'static str,
    ) -> Result<HashMap<SealedId, SealedRow>> {
        self.sealed_rows(tenant, ids, Purposes::Only(purpose)).await
    }

    async fn sealed_rows(&self, tenant: TenantId, ids: &[SealedId], purposes: Purposes) -> Result<HashMap<SealedId, SealedRow>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(400) {
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, purpose, key_id, nonce, ciphertext FROM sealed_texts WHERE tenant_id = $1 AND id IN ({})",
                placeholders.join(",")
            );
            let mut q = sqlx::query(&sql).bind(tenant.get());
            for id in chunk {
                q = q.bind(id.get());
            }
            for r in q.fetch_all(&self.db.read).await? {
                let purpose: String = r.try_get("purpose")?;
                let allowed = match purposes {
                    Purposes::Personal => !SYSTEM_PURPOSES.contains(&purpose.as_str()),
                    Purposes::System => SYSTEM_PURPOSES.contains(&purpose.as_str()),
                    Purposes::Only(p) => purpose == p,
                };
                if !allowed {
                    return Err(StoreError::NotFound);
                }
                let row = SealedRow { key_id: r.try_get("key_id")?, nonce: r.try_get("nonce")?, ciphertext: r.try_get("ciphertext")? };
                out.insert(SealedId::new(r.try_get("id")?), row);
            }
        }
        // Every asked value must exist in this tenant.
        if ids.iter().any(|id| !out.contains_key(id)) {
            return Err(StoreError::NotFound);
        }
        Ok(out)
    }

    /// Writes a standalone sealed text and its audit event in one transaction (tests).
    #[cfg(feature = "test-support")]
    pub async fn write_sealed(&self, ctx: &Ctx, purpose: &'static str, text: &str) -> Result<SealedId> {
        let mut tx = self.db.write.begin().await?;
        let id = self.seal_in_tx(&mut tx, ctx.tenant, purpose, text).await?;
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(domain::audit::AuditAction::SealedTextWritten, domain::audit::AuditTarget::SealedText { purpose }, id)],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Reads a sealed text of the context's tenant, audited (tests: the product reads through
    /// the gate with a permit).
    #[cfg(feature = "test-support")]
    pub async fn read_sealed(&self, ctx: &Ctx, id: SealedId) -> Result<String> {
        let text = self.open_rows(ctx.tenant, &[id], Purposes::Personal).await?.remove(&id).ok_or(StoreError::NotFound)?;
        let purpose: String = sqlx::query("SELECT purpose FROM sealed_texts WHERE id = $1")
            .bind(id.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("purpose")?;
        // The audit names a purpose by its compile-time name; the tests' purposes are listed here.
        let purpose = ["interview_note", "note", "report", "report_body", "report_comment", "consultation_message", "consultation_reply"]
            .into_iter()
            .find(|p| *p == purpose)
            .unwrap_or("sealed_text");
        self.audit(ctx, ctx.event(domain::audit::AuditAction::SealedTextRead, domain::audit::AuditTarget::SealedText { purpose }, id))
            .await?;
        Ok(text)
    }

    /// Re-encrypts up to `batch` values not yet under the current key; call until
    /// `remaining` is zero. Each batch commits on its own, so an interrupted rotation resumes.
    pub async fn rotate_batch(&self, batch: i64) -> Result<RotationProgress> {
        let current = self.keys.current_id().to_string();
        let rows = sqlx::query(
            "SELECT id, tenant_id, purpose, key_id, nonce, ciphertext FROM sealed_texts WHERE key_id <> $1 ORDER BY id LIMIT $2",
        )
        .bind(&current)
        .bind(batch)
        .fetch_all(&self.db.read)
        .await?;
        let mut tx = self.db.write.begin().await?;
        let mut done = 0u64;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            let old_key: String = r.try_get("key_id")?;
            let nonce: Vec<u8> = r.try_get("nonce")?;
            let ct: Vec<u8> = r.try_get("ciphertext")?;
            let plain = Zeroizing::new(self.keys.open(tenant, &old_key, &nonce, &ct)?);
            let (key_id, nonce, ct) = self.keys.seal(tenant, &plain)?;
            let n = sqlx::query("UPDATE sealed_texts SET key_id = $1, nonce = $2, ciphertext = $3 WHERE id = $4 AND key_id = $5")
                .bind(key_id)
                .bind(nonce)
                .bind(ct)
                .bind(id)
                .bind(&old_key)
                .execute(&mut *tx)
                .await?;
            done += n.rows_affected();
            // A report's tag marks follow its sealed tags to the new key, in the same transaction.
            if n.rows_affected() > 0 && r.try_get::<String, _>("purpose")? == crate::reports::FACTS_PURPOSE {
                self.remark_facts_in_tx(&mut tx, tenant, SealedId::new(id), &plain).await?;
            }
            // A theme term's mark follows its sealed word to the new key, with the index rows.
            if n.rows_affected() > 0 && r.try_get::<String, _>("purpose")? == crate::themes::TERM_PURPOSE {
                self.remark_term_in_tx(&mut tx, tenant, SealedId::new(id), &plain).await?;
            }
        }
        tx.commit().await?;
        let remaining = sqlx::query("SELECT COUNT(*) AS n FROM sealed_texts WHERE key_id <> $1")
            .bind(&current)
            .fetch_one(&self.db.read)
            .await?
            .try_get::<i64, _>("n")?;
        if remaining == 0 {
            sqlx::query("UPDATE data_keys SET retired_at = $1 WHERE key_id <> $2 AND retired_at IS NULL")
                .bind(now_ms())
                .bind(&current)
                .execute(&self.db.write)
                .await?;
        }
        Ok(RotationProgress { reencrypted: done, remaining: remaining.max(0) as u64 })
    }

    /// Counts sealed values per key id.
    pub async fn sealed_by_key(&self) -> Result<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT key_id, COUNT(*) AS n FROM sealed_texts GROUP BY key_id ORDER BY key_id").fetch_all(&self.db.read).await?;
        rows.iter().map(|r| Ok((r.try_get("key_id")?, r.try_get("n")?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_and_is_bound_to_its_tenant() {
        let k = Keyring::ephemeral();
        let (id, nonce, ct) = k.seal(TenantId::new(1), "面談記録").unwrap();
        assert_eq!(k.open(TenantId::new(1), &id, &nonce, &ct).unwrap(), "面談記録");
        assert!(k.open(TenantId::new(2), &id, &nonce, &ct).is_err());
        assert!(!ct.windows(3).any(|w| w == "面".as_bytes()));
    }

    #[test]
    fn key_file_round_trips_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.key");
        Keyring::create_file_if_absent(&path).unwrap();
        let mut k = Keyring::read_file(&path).unwrap();
        let first = k.current_id().to_string();
        let second = k.add_key_to_file().unwrap();
        let again = Keyring::read_file(&path).unwrap();
        assert_eq!(again.ids(), vec![first, second]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(!format!("{again:?}").contains(&B64.encode([0u8; 4])[..2]) || format!("{again:?}").contains("***"));
    }
}
