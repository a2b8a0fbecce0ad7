//! The term index of the Japanese text themes (issue 9 item 3, migration 15).
//!
//! When a supervisor approves a report, the approval's transaction enqueues a durable job
//! ([`JobKind::ReportTerms`]); the job opens the approved reports' text as the system (audited:
//! one `report_read` event per batch, purpose `themes`), analyzes it with lindera and IPADIC
//! (`careerdock-tokenize`), applies the rules of `domain::themes` (noun compounds, stop words,
//! the tenant's synonyms, no names) and writes the index:
//!
//! - `report_terms`: one row per (report, term) with the report's employee and cycle and the
//!   term's **mark**, HMAC-SHA256 (cut to 16 bytes) of the tenant and the term under a key
//!   derived from the data keys; never the word;
//! - `theme_vocabulary`: the mark and the sealed term it stands for, one row per term;
//! - `theme_settings`: the tenant's synonyms and stop words, sealed, with a version; each report
//!   records the version it was indexed under (`reports.terms_version`), and a newer version
//!   re-indexes it.
//!
//! So a database file alone names no word, and ties no word to a person. What it does show is
//! which reports share a term and how many carry each (as with the tag marks). The overall
//! report counts employees per mark ([`Store::theme_term_employees`]) and opens only the labels
//! of the themes it shows ([`Store::open_theme_labels`], gated and audited). A key rotation
//! remakes the marks with the sealed vocabulary (`remark_term_in_tx`).

use crate::jobs::{insert_job, NewJob};
use crate::{now_ms, Acting, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{EmployeeId, SealedId, TenantId};
use domain::job::JobKind;
use domain::policy::{self, Operation, OverallReportFacts, Target};
use domain::themes::{extract_terms, names_filter, ThemeRules};
use domain::Invalid;
use hmac::Mac;
use sha2::Sha256;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The sealed purpose of one term of the vocabulary.
pub(crate) const TERM_PURPOSE: &str = "theme_term";
/// The sealed purpose of the tenant's synonyms and stop words.
pub(crate) const RULES_PURPOSE: &str = "theme_rules";
/// What the marks' key is derived for.
const MARK_PURPOSE: &str = "careerdock:report-term-mark:v1";
/// Bytes kept of each MAC: 128 bits, no collision among a tenant's terms.
const MARK_LEN: usize = 16;
/// Reports opened, analyzed and written in one step of the job (one audited read, one
/// transaction).
const BATCH: i64 = 500;

/// A term's keyed mark as the index holds it: opaque without the data keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermMark(Vec<u8>);

impl TermMark {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Lower-case hex, for carrying a mark through a page or a job.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    pub fn from_hex(s: &str) -> Option<TermMark> {
        hex::decode(s).ok().filter(|b| b.len() == MARK_LEN).map(TermMark)
    }
}

fn mark(key: &[u8], tenant: TenantId, term: &str) -> Result<TermMark> {
    Ok(mark_with(&keyed(key)?, tenant, term))
}

/// The MAC keyed once (its inner and outer pads computed), to be cloned for every term.
fn keyed(key: &[u8]) -> Result<hmac::Hmac<Sha256>> {
    <hmac::Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| StoreError::Crypto("bad mark key".into()))
}

fn mark_with(mac: &hmac::Hmac<Sha256>, tenant: TenantId, term: &str) -> TermMark {
    let digest = mac.clone().chain_update(tenant.get().to_be_bytes()).chain_update(term.as_bytes()).finalize().into_bytes();
    TermMark(digest[..MARK_LEN].to_vec())
}

/// What one run of the extraction keeps from batch to batch: the marks' keys, keyed once, and
/// the mark of every term already found in (or added to) the vocabulary, so that a term met
/// again is neither marked nor looked up again.
struct MarkCache {
    /// One keyed MAC per data key, the current one first.
    keys: Vec<hmac::Hmac<Sha256>>,
    known: HashMap<String, TermMark>,
}

/// The tenant's synonyms and stop words as the settings page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThemeSettings {
    /// One canonical term a line with its variants: 「育児 = 子育て, 育休」.
    pub synonyms: String,
    /// One stop word a line.
    pub stop_words: String,
    /// Raised by every save; 0 before the first.
    pub version: i64,
    pub updated_at: Option<i64>,
}

/// What one run of the extraction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extraction {
    pub reports: usize,
    pub terms: usize,
    /// Where the time went: finding and reading the sealed reports (with the audit); decrypting
    /// and analyzing them and applying the rules (on the blocking threads); writing the index.
    /// The three overlap (a batch is analyzed while the one before is written), so they add up
    /// to more than the run's time.
    pub open: std::time::Duration,
    pub analyze: std::time::Duration,
    pub write: std::time::Duration,
}

/// A report to index, with what it is indexed under.
struct ToIndex {
    report: i64,
    employee: i64,
    cycle: Option<i64>,
    sealed: SealedId,
}

/// The durable job that indexes the tenant's approved reports not yet indexed under the current
/// rules. `key` makes it unique while pending.
fn terms_job(tenant: TenantId, key: String) -> NewJob {
    NewJob::new(JobKind::ReportTerms, serde_json::json!({})).for_tenant(tenant).unique_key(&key)
}

impl Store {
    /// Enqueues the extraction of an approved report's terms inside the approval's transaction.
    pub(crate) async fn enqueue_report_terms_in_tx(&self, tx: &mut Transaction<'static, Any>, tenant: TenantId, report: i64) -> Result<()> {
        insert_job(&mut **tx, &terms_job(tenant, format!("report_terms:{report}"))).await?;
        Ok(())
    }

    /// Enqueues, for every tenant with approved reports not indexed under its current rules,
    /// one job that indexes them (a database from before the index, the demo's history, a
    /// change of rules). Idempotent while the job is pending; returns how many were added.
    pub async fn enqueue_unindexed_report_terms(&self) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT r.tenant_id, COALESCE(MAX(s.version), 0) AS v FROM reports r LEFT JOIN theme_settings s ON s.tenant_id = r.tenant_id
             WHERE r.status = 'approved' AND (r.terms_version IS NULL OR r.terms_version <> COALESCE(s.version, 0))
             GROUP BY r.tenant_id ORDER BY r.tenant_id",
        )
        .fetch_all(&self.db.read)
        .await?;
        let mut added = 0;
        for r in rows {
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            let version: i64 = r.try_get("v")?;
            let job = terms_job(tenant, format!("report_terms:backfill:{}:{version}", tenant.get()));
            added += usize::from(self.enqueue_job(&job).await?.is_some());
        }
        Ok(added)
    }

    /// The job's work: indexes every approved report of the tenant not yet indexed under the
    /// current rules, a batch at a time (each batch audited, then written in one transaction).
    /// Harmless when repeated. Fails with the tokenizer's message when `mecab-ipadic` is missing.
    pub async fn index_report_terms(&self, tenant: TenantId) -> Result<Extraction> {
        self.index_report_terms_in_batches(tenant, BATCH).await
    }

    /// [`Store::index_report_terms`] `batch` reports at a time (tests: several batches through
    /// the pipeline with a few reports).
    #[cfg(feature = "test-support")]
    pub async fn index_report_terms_in_batches_of(&self, tenant: TenantId, batch: i64) -> Result<Extraction> {
        self.index_report_terms_in_batches(tenant, batch.max(1)).await
    }

    async fn index_report_terms_in_batches(&self, tenant: TenantId, batch_size: i64) -> Result<Extraction> {
        let tokenizer = tokenize::shared().map_err(StoreError::Config)?;
        let (rules, version) = self.theme_rules_for_upkeep(tenant).await?;
        let rules = std::sync::Arc::new(rules);
        let names = self.name_index(tenant).await?;
        let ctx = Ctx::system_job(tenant, JobKind::ReportTerms.as_str());
        let keys = self.keys.derived_keys_by_id(MARK_PURPOSE).iter().map(|(_, k)| keyed(k)).collect::<Result<Vec<_>>>()?;
        if keys.is_empty() {
            return Err(StoreError::Config("no data key".into()));
        }
        let mut cache = MarkCache { keys, known: HashMap::new() };
        let mut cursor = 0i64;
        let mut done = Extraction::default();
        // A pipeline: batch n+1 is found, opened and analyzed (on the blocking threads) while
        // batch n is written; `pending` is the analyzed batch waiting for its transaction.
        let mut pending: Option<(Vec<ToIndex>, Vec<BTreeSet<String>>)> = None;
        loop {
            let started = std::time::Instant::now();
            let batch = self.reports_to_index(tenant, version, cursor, batch_size).await?;
            let Some(last) = batch.last() else {
                if let Some((batch, terms)) = pending.take() {
                    let started = std::time::Instant::now();
                    self.write_terms(tenant, version, &batch, &terms, &mut cache).await?;
                    done.write += started.elapsed();
                }
                return Ok(done);
            };
            cursor = last.report;
            let event = ctx
                .event(AuditAction::ReportRead, AuditTarget::ReportList, "themes")
                .detail(AuditDetail::count(batch.len()).and(Fact::Name(Key::Purpose, "themes")));
            self.audit(&ctx, event).await?;
            let ids: Vec<SealedId> = batch.iter().map(|b| b.sealed).collect();
            // Read here, decrypted by the threads that analyze them (after the audit above).
            let mut sealed = self.sealed_for_upkeep(tenant, &ids, "report").await?;
            let mut work = Vec::with_capacity(batch.len());
            for b in &batch {
                work.push(sealed.remove(&b.sealed).ok_or(StoreError::NotFound)?);
            }
            done.open += started.elapsed();
            let (rules, names, keys) = (rules.clone(), names.clone(), self.keys.clone());
            let analysis = tokio::task::spawn_blocking(move || {
                let started = std::time::Instant::now();
                analyze(tokenizer, &rules, &names, &work, |row| report_text(&row.open(&keys, tenant)?))
                    .map(|terms| (terms, started.elapsed()))
            });
            if let Some((batch, terms)) = pending.take() {
                let started = std::time::Instant::now();
                self.write_terms(tenant, version, &batch, &terms, &mut cache).await?;
                done.write += started.elapsed();
            }
            let (terms, took) = analysis.await.map_err(|e| StoreError::Config(format!("the theme extraction stopped: {e}")))??;
            done.analyze += took;
            done.terms += terms.iter().map(BTreeSet::len).sum::<usize>();
            done.reports += batch.len();
            pending = Some((batch, terms));
        }
    }

    /// The next batch of approved reports not indexed under `version`, after `cursor`.
    async fn reports_to_index(&self, tenant: TenantId, version: i64, cursor: i64, limit: i64) -> Result<Vec<ToIndex>> {
        let rows = sqlx::query(
            "SELECT r.id, r.employee_id, r.sealed_id, i.cycle_id FROM reports r JOIN interviews i ON i.id = r.interview_id
             WHERE r.tenant_id = $1 AND r.status = 'approved' AND (r.terms_version IS NULL OR r.terms_version <> $2) AND r.id > $3
             ORDER BY r.id LIMIT $4",
        )
        .bind(tenant.get())
        .bind(version)
        .bind(cursor)
        .bind(limit)
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ToIndex {
                    report: r.try_get("id")?,
                    employee: r.try_get("employee_id")?,
                    cycle: r.try_get("cycle_id")?,
                    sealed: SealedId::new(r.try_get("sealed_id")?),
                })
            })
            .collect()
    }

    /// Writes the terms of a batch of reports: new terms sealed into the vocabulary, each
    /// report's rows replaced, its version recorded; one transaction. Terms already met by this
    /// run take their mark from `cache`; the others are looked up in the vocabulary at once.
    async fn write_terms(
        &self,
        tenant: TenantId,
        version: i64,
        batch: &[ToIndex],
        terms: &[BTreeSet<String>],
        cache: &mut MarkCache,
    ) -> Result<()> {
        let distinct: BTreeSet<&String> = terms.iter().flatten().filter(|t| !cache.known.contains_key(*t)).collect();
        // A term already in the vocabulary keeps its mark (made under whichever key of the
        // ring); a new one is marked under the current key.
        let mut candidates: HashMap<TermMark, &String> = HashMap::new();
        for term in &distinct {
            for key in &cache.keys {
                candidates.insert(mark_with(key, tenant, term), term);
            }
        }
        let marks: Vec<TermMark> = candidates.keys().cloned().collect();
        let mut known: HashMap<&String, TermMark> = HashMap::new();
        for chunk in marks.chunks(400) {
            let list: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT mark FROM theme_vocabulary WHERE tenant_id = $1 AND mark IN ({})", list.join(", "));
            let mut q = sqlx::query(&sql).bind(tenant.get());
            for m in chunk {
                q = q.bind(m.0.clone());
            }
            for r in q.fetch_all(&self.db.read).await? {
                let m = TermMark(r.try_get("mark")?);
                if let Some(term) = candidates.get(&m) {
                    known.insert(term, m);
                }
            }
        }
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        let mut added: HashMap<String, TermMark> = HashMap::new();
        for term in distinct {
            if let Some(m) = known.get(term) {
                added.insert(term.clone(), m.clone());
                continue;
            }
            let m = mark_with(&cache.keys[0], tenant, term);
            let sealed = self.seal_in_tx(&mut tx, tenant, TERM_PURPOSE, term).await?;
            let inserted = sqlx::query(
                "INSERT INTO theme_vocabulary (tenant_id, mark, sealed_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(tenant.get())
            .bind(m.0.clone())
            .bind(sealed.get())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                // Another runner added it meanwhile: keep theirs.
                sqlx::query("DELETE FROM sealed_texts WHERE id = $1").bind(sealed.get()).execute(&mut *tx).await?;
            }
            added.insert(term.clone(), m);
        }
        // The batch's reports and rows go to the database as one JSON parameter each, expanded
        // by the database (`json_each` / `jsonb_array_elements`): three statements a batch
        // whatever its size, instead of one per report (and a statement of hundreds of numbered
        // parameters, which SQLite binds by name one at a time).
        let report_ids = serde_json::Value::from(batch.iter().map(|b| b.report).collect::<Vec<i64>>()).to_string();
        let mut rows: Vec<serde_json::Value> = Vec::new();
        for (b, set) in batch.iter().zip(terms) {
            for term in set {
                if let Some(m) = cache.known.get(term).or_else(|| added.get(term)) {
                    rows.push(serde_json::json!([b.report, b.employee, b.cycle, m.to_hex()]));
                }
            }
        }
        let rows = serde_json::Value::from(rows).to_string();
        // The delete goes through the primary key (report_id, mark), the tenant checked on
        // `reports` by its primary key: with `tenant_id = $1` on report_terms itself, SQLite's planner took the
        // (tenant_id, cycle_id, mark) index and scanned the tenant's whole index (9 s a batch at
        // 150,000 reports). For the same reason SQLite's update names the report by id only
        // (`+` keeps the planner off the (tenant_id, status) index).
        let (delete_sql, insert_sql, update_sql) = match self.backend() {
            crate::Backend::Sqlite => (
                "DELETE FROM report_terms WHERE report_id IN (SELECT value FROM json_each($2))
                 AND EXISTS (SELECT 1 FROM reports r WHERE r.id = report_terms.report_id AND r.tenant_id = $1)",
                "INSERT INTO report_terms (report_id, tenant_id, employee_id, cycle_id, mark)
                 SELECT json_extract(value, '$[0]'), $1, json_extract(value, '$[1]'), json_extract(value, '$[2]'), unhex(json_extract(value, '$[3]'))
                 FROM json_each($2) WHERE true ON CONFLICT DO NOTHING",
                "UPDATE reports SET terms_version = $3 WHERE id IN (SELECT value FROM json_each($2)) AND +tenant_id = $1 AND +status = 'approved'",
            ),
            crate::Backend::Postgres => (
                "DELETE FROM report_terms WHERE report_id IN (SELECT (e #>> '{}')::bigint FROM jsonb_array_elements($2::jsonb) AS e)
                 AND EXISTS (SELECT 1 FROM reports r WHERE r.id = report_terms.report_id AND r.tenant_id = $1)",
                "INSERT INTO report_terms (report_id, tenant_id, employee_id, cycle_id, mark)
                 SELECT (e->>0)::bigint, $1, (e->>1)::bigint, (e->>2)::bigint, decode(e->>3, 'hex')
                 FROM jsonb_array_elements($2::jsonb) AS e ON CONFLICT DO NOTHING",
                "UPDATE reports SET terms_version = $3 WHERE tenant_id = $1 AND status = 'approved'
                 AND id IN (SELECT (e #>> '{}')::bigint FROM jsonb_array_elements($2::jsonb) AS e)",
            ),
        };
        sqlx::query(delete_sql).bind(tenant.get()).bind(&report_ids).execute(&mut *tx).await?;
        sqlx::query(insert_sql).bind(tenant.get()).bind(&rows).execute(&mut *tx).await?;
        sqlx::query(update_sql).bind(tenant.get()).bind(&report_ids).bind(version).execute(&mut *tx).await?;
        tx.commit().await?;
        cache.known.extend(added);
        Ok(())
    }

    /// The rules and their version, opened by the store for its own work (the extraction).
    async fn theme_rules_for_upkeep(&self, tenant: TenantId) -> Result<(ThemeRules, i64)> {
        let Some(r) = sqlx::query("SELECT sealed_id, version FROM theme_settings WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
        else {
            return Ok((ThemeRules::default(), 0));
        };
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        let texts = self.open_for_upkeep(tenant, &[sealed], RULES_PURPOSE).await?;
        let (synonyms, stop_words) = decode_settings(texts.get(&sealed).map(String::as_str).unwrap_or("{}"))?;
        let rules = ThemeRules::parse(&synonyms, &stop_words)
            .map_err(|_| StoreError::Crypto("the stored synonyms and stop words do not parse".into()))?;
        Ok((rules, r.try_get("version")?))
    }

    /// The tenant's synonyms and stop words, for HR's settings page (an audited read).
    pub async fn theme_settings(&self, me: &Acting<Hr>) -> Result<ThemeSettings> {
        let ctx = me.ctx();
        self.check_theme_settings(ctx).await?;
        let Some(r) = sqlx::query("SELECT sealed_id, version, updated_at FROM theme_settings WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
        else {
            return Ok(ThemeSettings::default());
        };
        let sealed = SealedId::new(r.try_get("sealed_id")?);
        let permit =
            policy::permit(&me.actor(), Operation::ManageReportSettings, Target::InTenant(ctx.tenant)).ok_or(StoreError::NotFound)?;
        let event = ctx.event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: RULES_PURPOSE }, sealed.get());
        let texts = self.open_permitted(ctx, &permit, &[event], &[sealed]).await?;
        let (synonyms, stop_words) = decode_settings(texts.get(&sealed).map(String::as_str).unwrap_or("{}"))?;
        Ok(ThemeSettings { synonyms, stop_words, version: r.try_get("version")?, updated_at: Some(r.try_get("updated_at")?) })
    }

    /// Saves the tenant's synonyms and stop words (R13) as typed, after checking every line
    /// (each problem beside its field, with its line), raises the version and enqueues the
    /// re-indexing of every approved report; audited.
    pub async fn save_theme_settings(&self, me: &Acting<Hr>, synonyms: &str, stop_words: &str) -> Result<ThemeSettings> {
        let ctx = me.ctx();
        self.check_theme_settings(ctx).await?;
        let rules = ThemeRules::parse(synonyms, stop_words).map_err(|(syn, stop)| {
            let line = |l: usize, ja: &str, en: &str| {
                if l == 0 {
                    (ja.to_string(), en.to_string())
                } else {
                    (format!("{l}行目: {ja}"), format!("line {l}: {en}"))
                }
            };
            let mut all = Vec::new();
            for (field, problems) in [("synonyms", syn), ("stop_words", stop)] {
                if problems.is_empty() {
                    continue;
                }
                let (ja, en): (Vec<String>, Vec<String>) = problems.iter().map(|p| line(p.line, &p.ja, &p.en)).unzip();
                all.push(Invalid::new(field, ja.join(" "), en.join("; ")));
            }
            StoreError::problems(all)
        })?;
        let (synonyms, stop_words) = (rules.synonyms_text(), rules.stop_words_text());
        let plain = serde_json::json!({ "synonyms": synonyms, "stop_words": stop_words }).to_string();
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let existing = sqlx::query("SELECT sealed_id, version FROM theme_settings WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?;
        let version = match existing {
            Some(r) => {
                let sealed = SealedId::new(r.try_get("sealed_id")?);
                let version = r.try_get::<i64, _>("version")? + 1;
                self.reseal_in_tx(&mut tx, ctx.tenant, sealed, &plain).await?;
                sqlx::query("UPDATE theme_settings SET version = $1, updated_at = $2, updated_by = $3 WHERE tenant_id = $4")
                    .bind(version)
                    .bind(now)
                    .bind(ctx.user.map(|u| u.get()))
                    .bind(ctx.tenant.get())
                    .execute(&mut *tx)
                    .await?;
                version
            }
            None => {
                let sealed = self.seal_in_tx(&mut tx, ctx.tenant, RULES_PURPOSE, &plain).await?;
                sqlx::query(
                    "INSERT INTO theme_settings (tenant_id, sealed_id, version, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)",
                )
                .bind(ctx.tenant.get())
                .bind(sealed.get())
                .bind(now)
                .bind(ctx.user.map(|u| u.get()))
                .execute(&mut *tx)
                .await?;
                1
            }
        };
        insert_job(&mut *tx, &terms_job(ctx.tenant, format!("report_terms:reindex:{}:{version}", ctx.tenant.get()))).await?;
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx
                .event(AuditAction::TaxonomyChanged, AuditTarget::SealedText { purpose: RULES_PURPOSE }, ctx.tenant.get())
                .detail(AuditDetail::of(Fact::Is(Outcome::Updated)).n(Key::Count, rules.synonyms.len() + rules.stop_words.len()))],
        )
        .await?;
        tx.commit().await?;
        Ok(ThemeSettings { synonyms, stop_words, version, updated_at: Some(now) })
    }

    async fn check_theme_settings(&self, ctx: &Ctx) -> Result<()> {
        let actor = ctx.actor()?;
        if !policy::decide(&actor, Operation::ManageReportSettings, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(self.refused(ctx, Operation::ManageReportSettings, AuditTarget::Tenant, ctx.tenant.get()).await);
        }
        Ok(())
    }

    /// The overall report's seam: for each term mark, the distinct employees whose report of
    /// an interview in `cycle` was approved at or before `as_of` (epoch ms) and carries the
    /// term. No text is opened (the marks are opaque); nothing is audited.
    pub async fn theme_term_employees(&self, tenant: TenantId, cycle: i64, as_of: i64) -> Result<BTreeMap<TermMark, BTreeSet<EmployeeId>>> {
        // One row per mark with its employees joined by the database: at 100,000 employees a
        // row per (mark, employee) was a million rows through the driver, 8 s of the build.
        let joined = match self.backend() {
            crate::Backend::Sqlite => "group_concat(t.employee_id)",
            crate::Backend::Postgres => "string_agg(t.employee_id::text, ',')",
        };
        let rows = sqlx::query(&format!(
            "SELECT t.mark, {joined} AS ids FROM report_terms t JOIN reports r ON r.id = t.report_id
             WHERE t.tenant_id = $1 AND t.cycle_id = $2 AND r.status = 'approved' AND r.approved_at <= $3
             GROUP BY t.mark"
        ))
        .bind(tenant.get())
        .bind(cycle)
        .bind(as_of)
        .fetch_all(&self.db.read)
        .await?;
        let mut out: BTreeMap<TermMark, BTreeSet<EmployeeId>> = BTreeMap::new();
        for r in rows {
            let ids: String = r.try_get("ids")?;
            let mut employees = BTreeSet::new();
            for id in ids.split(',').filter(|s| !s.is_empty()) {
                let id: i64 = id.trim().parse().map_err(|_| StoreError::Config(format!("a term index row names no employee: {id:?}")))?;
                employees.insert(EmployeeId::new(id));
            }
            out.entry(TermMark(r.try_get("mark")?)).or_default().extend(employees);
        }
        Ok(out)
    }

    /// The words of the given marks only (the themes an overall report shows), for someone
    /// who may write or read that overall report: audited (`sealed_text_read` of `theme_term`
    /// with the count) before anything is opened. A mark that names someone under today's
    /// register (a person or department added since the report was indexed) is left out, as is
    /// a mark that is not in the vocabulary.
    pub async fn open_theme_labels(&self, ctx: &Ctx, report: OverallReportFacts, marks: &[TermMark]) -> Result<BTreeMap<TermMark, String>> {
        let actor = ctx.actor()?;
        let permit = policy::permit(&actor, Operation::WriteOverallReports, Target::OverallReport(report))
            .or_else(|| policy::permit(&actor, Operation::ReadOverallReports, Target::OverallReport(report)));
        let Some(permit) = permit else {
            return Err(self
                .refused(ctx, Operation::ReadOverallReports, AuditTarget::SealedText { purpose: TERM_PURPOSE }, "themes")
                .await);
        };
        let sealed = self.vocabulary_rows(ctx.tenant, marks).await?;
        if sealed.is_empty() {
            return Ok(BTreeMap::new());
        }
        let event = ctx
            .event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: TERM_PURPOSE }, "themes")
            .detail(AuditDetail::count(sealed.len()));
        let ids: Vec<SealedId> = sealed.iter().map(|(_, s)| *s).collect();
        let texts = self.open_permitted(ctx, &permit, &[event], &ids).await?;
        self.labels_without_names(ctx.tenant, sealed, texts).await
    }

    /// [`Store::open_theme_labels`] for the system's own work (a job building a report, the
    /// command line, the benchmark): audited under `label` (`job:…`, `cli:…`).
    pub async fn open_theme_labels_as_system(
        &self,
        tenant: TenantId,
        label: &str,
        marks: &[TermMark],
    ) -> Result<BTreeMap<TermMark, String>> {
        self.open_theme_labels_for_upkeep(tenant, label, None, marks).await
    }

    /// [`Store::open_theme_labels_as_system`] with the purpose recorded in the audit event
    /// (`purpose=overall_report` when a version's figures are built).
    pub(crate) async fn open_theme_labels_for_upkeep(
        &self,
        tenant: TenantId,
        label: &str,
        purpose: Option<&'static str>,
        marks: &[TermMark],
    ) -> Result<BTreeMap<TermMark, String>> {
        let sealed = self.vocabulary_rows(tenant, marks).await?;
        if sealed.is_empty() {
            return Ok(BTreeMap::new());
        }
        let ctx = Ctx::system_job(tenant, label);
        let mut detail = AuditDetail::count(sealed.len());
        if let Some(purpose) = purpose {
            detail = detail.and(Fact::Name(Key::Purpose, purpose));
        }
        let event = ctx.event(AuditAction::SealedTextRead, AuditTarget::SealedText { purpose: TERM_PURPOSE }, "themes").detail(detail);
        self.audit(&ctx, event).await?;
        let ids: Vec<SealedId> = sealed.iter().map(|(_, s)| *s).collect();
        let texts = self.open_for_upkeep(tenant, &ids, TERM_PURPOSE).await?;
        self.labels_without_names(tenant, sealed, texts).await
    }

    async fn vocabulary_rows(&self, tenant: TenantId, marks: &[TermMark]) -> Result<Vec<(TermMark, SealedId)>> {
        let mut out = Vec::new();
        for chunk in marks.chunks(400) {
            let list: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT mark, sealed_id FROM theme_vocabulary WHERE tenant_id = $1 AND mark IN ({})", list.join(", "));
            let mut q = sqlx::query(&sql).bind(tenant.get());
            for m in chunk {
                q = q.bind(m.0.clone());
            }
            for r in q.fetch_all(&self.db.read).await? {
                out.push((TermMark(r.try_get("mark")?), SealedId::new(r.try_get("sealed_id")?)));
            }
        }
        Ok(out)
    }

    async fn labels_without_names(
        &self,
        tenant: TenantId,
        sealed: Vec<(TermMark, SealedId)>,
        mut texts: HashMap<SealedId, String>,
    ) -> Result<BTreeMap<TermMark, String>> {
        let names = self.name_index(tenant).await?;
        let is_name = names_filter(&names);
        let mut out = BTreeMap::new();
        for (m, s) in sealed {
            if let Some(word) = texts.remove(&s) {
                if !is_name(&word) {
                    out.insert(m, word);
                }
            }
        }
        Ok(out)
    }

    /// The marks a term of the tenant may carry in the index: one under each key of the ring
    /// (tests, and a caller that looks a known term up).
    pub fn theme_term_marks(&self, tenant: TenantId, term: &str) -> Result<Vec<TermMark>> {
        self.keys.derived_keys_by_id(MARK_PURPOSE).iter().map(|(_, key)| mark(key, tenant, term)).collect()
    }

    /// Remakes the mark of a vocabulary term whose sealed text was just re-encrypted under the
    /// current key (key rotation), and every index row that carries it, inside the rotation's
    /// transaction.
    pub(crate) async fn remark_term_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        sealed: SealedId,
        term: &str,
    ) -> Result<()> {
        let Some(r) = sqlx::query("SELECT mark FROM theme_vocabulary WHERE tenant_id = $1 AND sealed_id = $2")
            .bind(tenant.get())
            .bind(sealed.get())
            .fetch_optional(&mut **tx)
            .await?
        else {
            return Ok(());
        };
        let old = TermMark(r.try_get("mark")?);
        let (_, current) =
            self.keys.derived_keys_by_id(MARK_PURPOSE).into_iter().next().ok_or_else(|| StoreError::Config("no data key".into()))?;
        let new = mark(&current, tenant, term)?;
        if new == old {
            return Ok(());
        }
        sqlx::query("UPDATE report_terms SET mark = $1 WHERE tenant_id = $2 AND mark = $3")
            .bind(new.0.clone())
            .bind(tenant.get())
            .bind(old.0.clone())
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE theme_vocabulary SET mark = $1 WHERE tenant_id = $2 AND sealed_id = $3")
            .bind(new.0)
            .bind(tenant.get())
            .bind(sealed.get())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }
}

/// What `careerdock bench themes` measures over a tenant's approved reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThemeBench {
    pub reports: usize,
    pub chars: usize,
    /// The bare tokenizer over the same texts, already opened (segmentation only).
    pub tokenize: std::time::Duration,
    pub morphemes: usize,
    /// The same texts analyzed with their parts of speech (what the extraction needs).
    pub with_parts_of_speech: std::time::Duration,
    /// The whole extraction as the job does it: open, analyze, apply the rules, write the index.
    pub extract: std::time::Duration,
    pub extraction: Extraction,
    pub distinct_terms: usize,
}

impl Store {
    /// Times the bare tokenizer over the tenant's approved reports, then the job's full
    /// extraction of the same reports (re-indexing them from scratch). The texts are opened for
    /// the store's own work under the operator's context, audited; none is returned.
    pub async fn bench_themes(&self, op: &Ctx, tenant: TenantId) -> Result<ThemeBench> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        let tokenizer = tokenize::shared().map_err(StoreError::Config)?;
        let rows = sqlx::query("SELECT sealed_id FROM reports WHERE tenant_id = $1 AND status = 'approved' ORDER BY id")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let ids: Vec<SealedId> = rows.iter().map(|r| r.try_get("sealed_id").map(SealedId::new)).collect::<std::result::Result<_, _>>()?;
        let event = op
            .event(AuditAction::ReportRead, AuditTarget::ReportList, "themes")
            .detail(AuditDetail::count(ids.len()).and(Fact::Name(Key::Purpose, "bench")));
        self.audit(op, event).await?;
        let texts = self.open_for_upkeep(tenant, &ids, "report").await?;
        let mut plain = Vec::with_capacity(ids.len());
        for id in &ids {
            plain.push(report_text(texts.get(id).map(String::as_str).ok_or(StoreError::NotFound)?)?);
        }
        drop(texts);
        let mut out = ThemeBench { reports: plain.len(), chars: plain.iter().map(|t| t.chars().count()).sum(), ..Default::default() };
        let started = std::time::Instant::now();
        let (morphemes, took, with_pos) = tokio::task::spawn_blocking(move || {
            let n = plain.iter().map(|t| tokenizer.count_tokens(t)).sum::<std::result::Result<usize, _>>();
            let took = started.elapsed();
            let started = std::time::Instant::now();
            let analyzed = plain.iter().map(|t| tokenizer.noun_morphemes(t).map(|m| m.len())).sum::<std::result::Result<usize, _>>();
            (n.and_then(|n| analyzed.map(|_| n)), took, started.elapsed())
        })
        .await
        .map_err(|e| StoreError::Config(e.to_string()))?;
        out.morphemes = morphemes.map_err(|e| StoreError::Config(e.to_string()))?;
        out.tokenize = took;
        out.with_parts_of_speech = with_pos;
        sqlx::query("UPDATE reports SET terms_version = NULL WHERE tenant_id = $1").bind(tenant.get()).execute(&self.db.write).await?;
        let started = std::time::Instant::now();
        out.extraction = self.index_report_terms(tenant).await?;
        out.extract = started.elapsed();
        out.distinct_terms = sqlx::query("SELECT COUNT(*) AS n FROM theme_vocabulary WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get::<i64, _>("n")?
            .max(0) as usize;
        Ok(out)
    }
}

/// The terms of each report, the reports shared among the machine's cores (opening and
/// analyzing them is the extraction's costly part); `text` gives a report's text (decrypts it).
/// Whether a term names someone is asked of the name index once per distinct term and thread.
fn analyze<T: Sync>(
    tokenizer: &tokenize::Tokenizer,
    rules: &ThemeRules,
    names: &domain::pseudonym::NameIndex,
    reports: &[T],
    text: impl Fn(&T) -> Result<String> + Sync,
) -> Result<Vec<BTreeSet<String>>> {
    let one = |part: &[T]| {
        let filter = names_filter(names);
        let memo: std::cell::RefCell<HashMap<String, bool>> = Default::default();
        let is_name = |t: &str| {
            if let Some(known) = memo.borrow().get(t) {
                return *known;
            }
            let answer = filter(t);
            memo.borrow_mut().insert(t.to_string(), answer);
            answer
        };
        part.iter()
            .map(|report| {
                let text = text(report)?;
                let morphemes = tokenizer.noun_morphemes(&text).map_err(|e| StoreError::Config(e.to_string()))?;
                Ok(extract_terms(&morphemes, rules, is_name))
            })
            .collect::<Result<Vec<_>>>()
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    if threads == 1 || reports.len() < 2 * threads {
        return one(reports);
    }
    let per = reports.len().div_ceil(threads);
    let one = &one;
    std::thread::scope(|scope| {
        let handles: Vec<_> = reports.chunks(per).map(|part| scope.spawn(move || one(part))).collect();
        let mut out = Vec::with_capacity(reports.len());
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part?),
                Err(_) => return Err(StoreError::Config("a thread of the theme extraction stopped".into())),
            }
        }
        Ok(out)
    })
}

/// The text of a report's sections, one after the other/// The text of a report's sections, one after the other (what the themes are extracted from).
fn report_text(raw: &str) -> Result<String> {
    let sections = crate::reports::decode_sections(raw)?;
    Ok(domain::report::SECTIONS.iter().filter_map(|s| sections.get(s)).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n"))
}

fn decode_settings(plain: &str) -> Result<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(plain).map_err(|e| StoreError::Crypto(format!("damaged theme settings: {e}")))?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    Ok((field("synonyms"), field("stop_words")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_differ_by_tenant_term_and_key_and_hide_the_word() {
        let (k1, k2) = ([1u8; 32], [2u8; 32]);
        let a = mark(&k1, TenantId::new(1), "キャリア形成").unwrap();
        assert_eq!(a.as_bytes().len(), MARK_LEN);
        assert_eq!(a, mark(&k1, TenantId::new(1), "キャリア形成").unwrap());
        assert_ne!(a, mark(&k1, TenantId::new(2), "キャリア形成").unwrap());
        assert_ne!(a, mark(&k1, TenantId::new(1), "育児").unwrap());
        assert_ne!(a, mark(&k2, TenantId::new(1), "キャリア形成").unwrap());
        assert!(!a.as_bytes().windows(3).any(|w| w == "キ".as_bytes()));
        assert_eq!(TermMark::from_hex(&a.to_hex()), Some(a));
        assert_eq!(TermMark::from_hex("zz"), None);
    }

    #[test]
    fn the_text_is_every_section_in_order() {
        let raw = r#"{"career_awareness":"キャリア","workplace":"","organization":"","support_plan":"","next_steps":"研修"}"#;
        assert_eq!(report_text(raw).unwrap(), "キャリア\n研修");
    }
}
