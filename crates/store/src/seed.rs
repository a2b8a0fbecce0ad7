//! Loads a prepared history (the demo's past years of cycles, interviews, notes, reports with
//! their reviews, and consultation requests) in one transaction: checked first, written with
//! multi-row inserts, every text sealed, one audit event at the end; all or nothing.

use crate::cycles::CycleStatus;
use crate::db::InsertBatch;
use crate::interviews::STATUS_NOTE_PURPOSE;
use crate::taxonomy::{ensure_defaults, Taxonomy};
use crate::{now_ms, Ctx, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::cycle::TargetRule;
use domain::ids::{EmployeeId, SealedId, TenantId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus, Slot};
use domain::report::{check_score, ReportFlags, ReportSections, ReportStatus, SECTIONS};
use domain::Invalid;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

/// A history to load into one tenant. Rows not yet in the database are referred to by their
/// index in these lists (a report's interview, an interview's cycle).
#[derive(Clone, Debug, Default)]
pub struct SeedHistory {
    pub cycles: Vec<SeedCycle>,
    pub interviews: Vec<SeedInterview>,
    pub reports: Vec<SeedReport>,
    pub requests: Vec<SeedRequest>,
}

#[derive(Clone, Debug)]
pub struct SeedCycle {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: CycleStatus,
    pub rule: TargetRule,
    /// Also when its targets were added.
    pub created_at: i64,
    pub targets: Vec<SeedTarget>,
}

#[derive(Clone, Debug)]
pub struct SeedTarget {
    pub employee: EmployeeId,
    pub consultant: Option<UserId>,
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct SeedInterview {
    /// Index into `SeedHistory::cycles`.
    pub cycle: Option<usize>,
    pub employee: EmployeeId,
    pub consultant: UserId,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
    /// Sealed (a cancellation or no-show reason); empty for none.
    pub status_note: String,
    /// Sealed as an interview note.
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An individual report; its author is the consultant of its interview.
#[derive(Clone, Debug)]
pub struct SeedReport {
    /// Index into `SeedHistory::interviews`; the interview must be held.
    pub interview: usize,
    pub status: ReportStatus,
    pub sections: ReportSections,
    /// Issue-tag codes of the tenant's taxonomy.
    pub tags: Vec<String>,
    pub flags: ReportFlags,
    pub round: i64,
    pub version: i64,
    /// The supervisor named at submission, who sees the case identified.
    pub supervisor: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
    pub reviews: Vec<SeedReview>,
}

#[derive(Clone, Debug)]
pub struct SeedReview {
    pub reviewer: UserId,
    pub round: i64,
    /// Returned or approved.
    pub decision: ReportStatus,
    /// (rubric code, 1–4)
    pub scores: Vec<(String, i64)>,
    /// (section id or "general", text), sealed.
    pub comments: Vec<(String, String)>,
    pub at: i64,
}

#[derive(Clone, Debug)]
pub struct SeedRequest {
    pub employee: EmployeeId,
    pub consultant: Option<UserId>,
    pub preferred: String,
    /// Sealed; empty for none.
    pub message: String,
    pub status: RequestStatus,
    /// Sealed.
    pub reply: Option<String>,
    /// Index into `SeedHistory::interviews`.
    pub interview: Option<usize>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub cycles: usize,
    pub targets: usize,
    pub interviews: usize,
    pub notes: usize,
    pub reports: usize,
    pub report_tags: usize,
    pub reviews: usize,
    pub comments: usize,
    pub requests: usize,
    pub sealed: usize,
}

impl SeedSummary {
    /// `cycles=3 targets=… …`, for the audit log and the command line.
    pub fn detail(&self) -> AuditDetail {
        AuditDetail::none()
            .n(Key::Cycles, self.cycles)
            .n(Key::Targets, self.targets)
            .n(Key::Interviews, self.interviews)
            .n(Key::Notes, self.notes)
            .n(Key::Reports, self.reports)
            .n(Key::ReportTags, self.report_tags)
            .n(Key::Reviews, self.reviews)
            .n(Key::Comments, self.comments)
            .n(Key::Requests, self.requests)
            .n(Key::Sealed, self.sealed)
    }
}

/// One bound value of a multi-row insert.
enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    Bytes(Vec<u8>),
}

fn bind<'q>(q: Query<'q, Any, AnyArguments<'q>>, v: Val) -> Query<'q, Any, AnyArguments<'q>> {
    match v {
        Val::Int(i) => q.bind(i),
        Val::OptInt(i) => q.bind(i),
        Val::Text(s) => q.bind(s),
        Val::Bytes(b) => q.bind(b),
    }
}

/// Inserts `values` (row after row of `cols` values) with `per_insert` rows a statement;
/// returns the rows of `returning`, if given.
async fn insert_values(
    tx: &mut Transaction<'static, Any>,
    head: &str,
    cols: usize,
    values: Vec<Val>,
    per_insert: InsertBatch,
    returning: Option<&str>,
) -> Result<Vec<AnyRow>> {
    let rows = values.len() / cols;
    let mut out = Vec::with_capacity(if returning.is_some() { rows } else { 0 });
    let mut values = values.into_iter();
    let mut done = 0;
    while done < rows {
        let n = per_insert.rows.max(1).min(rows - done);
        let mut sql = String::with_capacity(head.len() + n * cols * 6 + 32);
        sql.push_str(head);
        sql.push_str(&per_insert.values(n, cols));
        if let Some(cols) = returning {
            sql.push_str(" RETURNING ");
            sql.push_str(cols);
        }
        let mut q = sqlx::query(&sql);
        for v in values.by_ref().take(n * cols) {
            q = bind(q, v);
        }
        if returning.is_some() {
            out.extend(q.fetch_all(&mut **tx).await?);
        } else {
            q.execute(&mut **tx).await?;
        }
        done += n;
    }
    Ok(out)
}

fn refused(field: &'static str, ja: String, en: String) -> StoreError {
    StoreError::Invalid(Invalid::new(field, ja, en))
}

/// Checks what the schema cannot: indices, tenancy, slots, the no-overlap rule, statuses.
fn check(input: &SeedHistory, employees: &HashSet<i64>, users: &HashSet<i64>) -> Result<()> {
    let employee = |id: EmployeeId| {
        if employees.contains(&id.get()) {
            Ok(())
        } else {
            Err(refused("employee", format!("従業員 {id} はこの組織にいません。"), format!("employee {id} is not in this organization")))
        }
    };
    let user = |id: UserId| {
        if users.contains(&id.get()) {
            Ok(())
        } else {
            Err(refused("user", format!("利用者 {id} はこの組織にいません。"), format!("user {id} is not in this organization")))
        }
    };
    for c in &input.cycles {
        domain::cycle::validate_cycle(&c.name, c.starts_on, c.ends_on)?;
        for t in &c.targets {
            employee(t.employee)?;
            if let Some(u) = t.consultant {
                user(u)?;
            }
        }
    }
    let mut keys = HashSet::with_capacity(input.interviews.len());
    let mut busy: Vec<(i64, i64, i64)> = Vec::with_capacity(input.interviews.len());
    for (i, iv) in input.interviews.iter().enumerate() {
        employee(iv.employee)?;
        user(iv.consultant)?;
        if iv.cycle.is_some_and(|c| c >= input.cycles.len()) {
            return Err(refused("cycle", format!("面談 {i} の実施年度がありません。"), format!("interview {i} names a missing cycle")));
        }
        Slot::new(iv.starts_at, iv.ends_at)?;
        if !keys.insert((iv.employee.get(), iv.consultant.get(), iv.starts_at)) {
            return Err(refused("starts_at", format!("面談 {i} が重複しています。"), format!("interview {i} is a duplicate")));
        }
        if iv.status.occupies_time() {
            busy.push((iv.consultant.get(), iv.starts_at, iv.ends_at));
        }
    }
    busy.sort_unstable();
    if let Some(w) = busy.windows(2).find(|w| w[0].0 == w[1].0 && w[1].1 < w[0].2) {
        return Err(refused(
            "starts_at",
            format!("コンサルタント {} の面談が重なっています。", w[0].0),
            format!("interviews of consultant {} overlap", w[0].0),
        ));
    }
    let mut reported = HashSet::with_capacity(input.reports.len());
    for (i, r) in input.reports.iter().enumerate() {
        let held = input.interviews.get(r.interview).is_some_and(|iv| iv.status == InterviewStatus::Held);
        if !held || !reported.insert(r.interview) {
            return Err(refused(
                "interview",
                format!("報告書 {i} は実施済みの面談1件に対応していません。"),
                format!("report {i} does not belong to exactly one held interview"),
            ));
        }
        r.sections
            .validate(r.status != ReportStatus::Draft)
            .map_err(|e| e.into_iter().next().map_or(StoreError::NotFound, StoreError::Invalid))?;
        if let Some(s) = r.supervisor {
            user(s)?;
        }
        for v in &r.reviews {
            user(v.reviewer)?;
            for (_, score) in &v.scores {
                check_score(*score)?;
            }
            if let Some((section, _)) = v.comments.iter().find(|(s, _)| s != "general" && !SECTIONS.contains(&s.as_str())) {
                return Err(refused("section", format!("コメントの対象欄「{section}」が不正です。"), format!("unknown section {section}")));
            }
        }
    }
    for (i, r) in input.requests.iter().enumerate() {
        employee(r.employee)?;
        if let Some(u) = r.consultant {
            user(u)?;
        }
        if r.interview.is_some_and(|iv| iv >= input.interviews.len()) {
            return Err(refused("interview", format!("申し出 {i} の面談がありません。"), format!("request {i} names a missing interview")));
        }
    }
    Ok(())
}

impl Store {
    /// Employee ids of a tenant by employee number.
    pub async fn employee_ids_by_number(&self, tenant: TenantId) -> Result<HashMap<String, EmployeeId>> {
        let rows = sqlx::query("SELECT id, employee_number FROM employees WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("employee_number")?, EmployeeId::new(r.try_get("id")?)))).collect()
    }

    /// Writes a whole history into the acting tenant in one transaction, ending with one
    /// `demo_generated` audit event that counts what was written.
    pub async fn seed_history(&self, ctx: &Ctx, input: &SeedHistory) -> Result<SeedSummary> {
        let tenant = ctx.tenant;
        let mut tx = self.db.write.begin().await?;
        let ids = |rows: Vec<AnyRow>| rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<HashSet<i64>, _>>();
        let employees = ids(sqlx::query("SELECT id FROM employees WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut *tx).await?)?;
        let users = ids(sqlx::query("SELECT id FROM users WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut *tx).await?)?;
        check(input, &employees, &users)?;

        ensure_defaults(&mut tx, tenant, Taxonomy::IssueTags).await?;
        ensure_defaults(&mut tx, tenant, Taxonomy::Rubric).await?;
        let tag_rows = sqlx::query("SELECT id, code FROM issue_tags WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut *tx).await?;
        let tag_ids: HashMap<String, i64> = tag_rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("id")?))).collect::<Result<_>>()?;
        let rubric_rows = sqlx::query("SELECT code FROM rubric_items WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut *tx).await?;
        let rubric: HashSet<String> = rubric_rows.iter().map(|r| r.try_get("code")).collect::<Result<_, _>>()?;
        for r in &input.reports {
            if let Some(t) = r.tags.iter().find(|t| !tag_ids.contains_key(*t)) {
                return Err(refused("tags", format!("課題タグ「{t}」は登録されていません。"), format!("unknown issue tag {t}")));
            }
            if let Some((code, _)) = r.reviews.iter().flat_map(|v| &v.scores).find(|(c, _)| !rubric.contains(c)) {
                return Err(refused("scores", format!("評価項目「{code}」は登録されていません。"), format!("unknown rubric item {code}")));
            }
        }

        let per = self.db.insert_batch();
        let mut summary = SeedSummary::default();

        let mut cycle_ids = Vec::with_capacity(input.cycles.len());
        for c in &input.cycles {
            let row = sqlx::query(
                "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(tenant.get())
            .bind(c.name.trim())
            .bind(c.starts_on.format("%Y-%m-%d").to_string())
            .bind(c.ends_on.format("%Y-%m-%d").to_string())
            .bind(c.status.as_str())
            .bind(c.rule.to_json())
            .bind(c.created_at)
            .fetch_one(&mut *tx)
            .await?;
            cycle_ids.push(row.try_get::<i64, _>("id")?);
        }
        summary.cycles = cycle_ids.len();

        let mut values = Vec::new();
        for (c, id) in input.cycles.iter().zip(&cycle_ids) {
            for t in &c.targets {
                values.extend([
                    Val::Int(*id),
                    Val::Int(tenant.get()),
                    Val::Int(t.employee.get()),
                    Val::OptInt(t.consultant.map(|u| u.get())),
                    Val::Text(t.reason.clone()),
                    Val::Int(c.created_at),
                ]);
                summary.targets += 1;
            }
        }
        insert_values(
            &mut tx,
            "INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at)",
            6,
            values,
            per,
            None,
        )
        .await?;

        // An interview that gets a report here is marked so at once (no report is waited for).
        let mut reported = vec![false; input.interviews.len()];
        for r in &input.reports {
            if let Some(x) = reported.get_mut(r.interview) {
                *x = true;
            }
        }
        let (interview_ids, status_notes) = self.insert_interviews(&mut tx, tenant, &input.interviews, &reported, &cycle_ids, per).await?;
        summary.interviews = interview_ids.len();
        summary.sealed += status_notes;

        let noted: Vec<(usize, &str)> =
            input.interviews.iter().enumerate().filter_map(|(i, iv)| iv.note.as_deref().map(|n| (i, n))).collect();
        let sealed = self.seal_many(&mut tx, tenant, "interview_note", &noted.iter().map(|n| n.1).collect::<Vec<_>>()).await?;
        let mut values = Vec::with_capacity(noted.len() * 4);
        for ((i, _), s) in noted.iter().zip(&sealed) {
            values.extend([
                Val::Int(interview_ids[*i]),
                Val::Int(tenant.get()),
                Val::Int(s.get()),
                Val::Int(input.interviews[*i].updated_at),
            ]);
        }
        insert_values(&mut tx, "INSERT INTO interview_notes (interview_id, tenant_id, sealed_id, updated_at)", 4, values, per, None)
            .await?;
        summary.notes = noted.len();
        summary.sealed += sealed.len();

        let report_ids = self.insert_reports(&mut tx, tenant, input, &interview_ids, per).await?;
        summary.reports = report_ids.len();
        summary.sealed += report_ids.len();

        let mut values = Vec::new();
        for (r, id) in input.reports.iter().zip(&report_ids) {
            let mut seen = HashSet::new();
            for t in r.tags.iter().filter(|t| seen.insert(t.as_str())) {
                values.extend([Val::Int(*id), Val::Int(tag_ids[t])]);
                summary.report_tags += 1;
            }
        }
        insert_values(&mut tx, "INSERT INTO report_tags (report_id, tag_id)", 2, values, per, None).await?;

        let mut values = Vec::new();
        let mut comments: Vec<(i64, &SeedReview, &str, &str)> = Vec::new();
        for (r, id) in input.reports.iter().zip(&report_ids) {
            for v in &r.reviews {
                let scores = serde_json::to_string(&v.scores).map_err(|e| StoreError::Config(e.to_string()))?;
                values.extend([
                    Val::Int(tenant.get()),
                    Val::Int(*id),
                    Val::Int(v.reviewer.get()),
                    Val::Int(v.round),
                    Val::Text(v.decision.as_str().to_string()),
                    Val::Text(scores),
                    Val::Int(v.at),
                ]);
                summary.reviews += 1;
                comments.extend(v.comments.iter().map(|(section, text)| (*id, v, section.as_str(), text.trim())));
            }
        }
        insert_values(
            &mut tx,
            "INSERT INTO report_reviews (tenant_id, report_id, reviewer_id, round, decision, scores, created_at)",
            7,
            values,
            per,
            None,
        )
        .await?;
        let sealed = self.seal_many(&mut tx, tenant, "report_comment", &comments.iter().map(|c| c.3).collect::<Vec<_>>()).await?;
        let mut values = Vec::with_capacity(comments.len() * 7);
        for ((report, review, section, _), s) in comments.iter().zip(&sealed) {
            values.extend([
                Val::Int(tenant.get()),
                Val::Int(*report),
                Val::Int(review.reviewer.get()),
                Val::Int(review.round),
                Val::Text(section.to_string()),
                Val::Int(s.get()),
                Val::Int(review.at),
            ]);
        }
        insert_values(
            &mut tx,
            "INSERT INTO report_comments (tenant_id, report_id, author_id, round, section, sealed_id, created_at)",
            7,
            values,
            per,
            None,
        )
        .await?;
        summary.comments = comments.len();
        summary.sealed += sealed.len();

        summary.sealed += self.insert_requests(&mut tx, tenant, &input.requests, &interview_ids, per).await?;
        summary.requests = input.requests.len();

        let ev = ctx.event(AuditAction::DemoGenerated, AuditTarget::DemoHistory, tenant).detail(summary.detail());
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        // The bulk insert wrote the flags and tags in plain; seal them as for any older row.
        summary.sealed += self.seal_plain_report_facts().await?;
        // The approved reports of the history get their themes from the durable job.
        self.enqueue_unindexed_report_terms().await?;
        Ok(summary)
    }

    /// Seals many texts of one purpose with multi-row inserts; ids in the order of `texts`.
    async fn seal_many(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        purpose: &str,
        texts: &[&str],
    ) -> Result<Vec<SealedId>> {
        let now = now_ms();
        let mut values = Vec::with_capacity(texts.len() * 7);
        // Rows come back in no promised order: the (random, unique) nonce says which is which.
        let mut by_nonce: HashMap<Vec<u8>, usize> = HashMap::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let (key_id, nonce, ct) = self.keys.seal(tenant, text)?;
            if by_nonce.insert(nonce.clone(), i).is_some() {
                return Err(StoreError::Crypto("a nonce repeated".into()));
            }
            values.extend([
                Val::Int(tenant.get()),
                Val::Text(purpose.to_string()),
                Val::Text(key_id),
                Val::Bytes(nonce),
                Val::Bytes(ct),
                Val::Int(now),
                Val::Int(now),
            ]);
        }
        let head = "INSERT INTO sealed_texts (tenant_id, purpose, key_id, nonce, ciphertext, created_at, updated_at)";
        let rows = insert_values(tx, head, 7, values, self.db.insert_batch(), Some("id, nonce")).await?;
        let mut ids = vec![None; texts.len()];
        for r in &rows {
            let nonce: Vec<u8> = r.try_get("nonce")?;
            if let Some(i) = by_nonce.get(&nonce) {
                ids[*i] = Some(SealedId::new(r.try_get("id")?));
            }
        }
        ids.into_iter()
            .map(|id| {
                id.ok_or_else(|| {
                    StoreError::Conflict(domain::Message::new("暗号化した文書が保存されませんでした。", "a sealed text was not stored"))
                })
            })
            .collect()
    }

    /// Inserts the interviews with their sealed status notes; returns their ids in input
    /// order and how many status notes were sealed.
    async fn insert_interviews(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        interviews: &[SeedInterview],
        reported: &[bool],
        cycle_ids: &[i64],
        per: InsertBatch,
    ) -> Result<(Vec<i64>, usize)> {
        let notes: Vec<&str> = interviews.iter().map(|iv| iv.status_note.trim()).filter(|n| !n.is_empty()).collect();
        let mut note_ids = self.seal_many(tx, tenant, STATUS_NOTE_PURPOSE, &notes).await?.into_iter();
        let mut values = Vec::with_capacity(interviews.len() * 14);
        for (i, iv) in interviews.iter().enumerate() {
            let note = if iv.status_note.trim().is_empty() { None } else { note_ids.next() };
            values.extend([
                Val::Int(tenant.get()),
                Val::OptInt(iv.cycle.map(|c| cycle_ids[c])),
                Val::Int(iv.employee.get()),
                Val::Int(iv.consultant.get()),
                Val::Text(iv.kind.as_str().to_string()),
                Val::Text(iv.mode.as_str().to_string()),
                Val::Text(iv.place.trim().to_string()),
                Val::Int(iv.starts_at),
                Val::Int(iv.ends_at),
                Val::Text(iv.status.as_str().to_string()),
                Val::OptInt(note.map(|s| s.get())),
                Val::Int(iv.created_at),
                Val::Int(iv.updated_at),
                Val::Int(i64::from(reported.get(i).copied().unwrap_or(false))),
            ]);
        }
        let head = "INSERT INTO interviews (tenant_id, cycle_id, employee_id, consultant_id, kind, mode, place, starts_at, ends_at, status, status_note_sealed_id, created_at, updated_at, reported)";
        let rows = insert_values(tx, head, 14, values, per, Some("id, employee_id, consultant_id, starts_at")).await?;
        // (employee, consultant, start) is unique in the input (checked), so it names each row.
        let index: HashMap<(i64, i64, i64), usize> =
            interviews.iter().enumerate().map(|(i, iv)| ((iv.employee.get(), iv.consultant.get(), iv.starts_at), i)).collect();
        let mut ids = vec![0i64; interviews.len()];
        for r in &rows {
            let key = (r.try_get("employee_id")?, r.try_get("consultant_id")?, r.try_get("starts_at")?);
            if let Some(i) = index.get(&key) {
                ids[*i] = r.try_get("id")?;
            }
        }
        if rows.len() != interviews.len() || ids.contains(&0) {
            return Err(StoreError::Conflict(domain::Message::new("面談が保存されませんでした。", "an interview was not stored")));
        }
        Ok((ids, notes.len()))
    }

    async fn insert_reports(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        input: &SeedHistory,
        interview_ids: &[i64],
        per: InsertBatch,
    ) -> Result<Vec<i64>> {
        let texts = input
            .reports
            .iter()
            .map(|r| serde_json::to_string(&r.sections).map_err(|e| StoreError::Crypto(format!("cannot encode sections: {e}"))))
            .collect::<Result<Vec<String>>>()?;
        let sealed = self.seal_many(tx, tenant, "report", &texts.iter().map(String::as_str).collect::<Vec<_>>()).await?;
        let mut values = Vec::with_capacity(input.reports.len() * 15);
        for (r, s) in input.reports.iter().zip(&sealed) {
            let iv = &input.interviews[r.interview];
            values.extend([
                Val::Int(tenant.get()),
                Val::Int(interview_ids[r.interview]),
                Val::Int(iv.employee.get()),
                Val::Int(iv.consultant.get()),
                Val::OptInt(r.supervisor.map(|u| u.get())),
                Val::Text(r.status.as_str().to_string()),
                Val::Int(s.get()),
                Val::Int(i64::from(r.flags.life_safety)),
                Val::Int(i64::from(r.flags.organizational_response)),
                Val::Int(r.round),
                Val::Int(r.version),
                Val::Int(r.created_at),
                Val::Int(r.updated_at),
                Val::OptInt(r.submitted_at),
                Val::OptInt(r.approved_at),
            ]);
        }
        let head = "INSERT INTO reports (tenant_id, interview_id, employee_id, author_id, supervisor_id, status, sealed_id, life_safety, organizational_response, round, version, created_at, updated_at, submitted_at, approved_at)";
        let rows = insert_values(tx, head, 15, values, per, Some("id, interview_id")).await?;
        let by_interview: HashMap<i64, i64> =
            rows.iter().map(|r| Ok((r.try_get("interview_id")?, r.try_get("id")?))).collect::<Result<_>>()?;
        input
            .reports
            .iter()
            .map(|r| {
                by_interview
                    .get(&interview_ids[r.interview])
                    .copied()
                    .ok_or_else(|| StoreError::Conflict(domain::Message::new("報告書が保存されませんでした。", "a report was not stored")))
            })
            .collect()
    }

    /// Inserts the requests with their sealed message and reply; returns how many texts were sealed.
    async fn insert_requests(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        requests: &[SeedRequest],
        interview_ids: &[i64],
        per: InsertBatch,
    ) -> Result<usize> {
        let messages: Vec<&str> = requests.iter().map(|r| r.message.trim()).filter(|m| !m.is_empty()).collect();
        let replies: Vec<&str> = requests.iter().filter_map(|r| r.reply.as_deref().map(str::trim)).filter(|m| !m.is_empty()).collect();
        let mut message_ids = self.seal_many(tx, tenant, "consultation_message", &messages).await?.into_iter();
        let mut reply_ids = self.seal_many(tx, tenant, "consultation_reply", &replies).await?.into_iter();
        let mut values = Vec::with_capacity(requests.len() * 10);
        for r in requests {
            let message = if r.message.trim().is_empty() { None } else { message_ids.next() };
            let reply = if r.reply.as_deref().is_some_and(|t| !t.trim().is_empty()) { reply_ids.next() } else { None };
            values.extend([
                Val::Int(tenant.get()),
                Val::Int(r.employee.get()),
                Val::OptInt(r.consultant.map(|u| u.get())),
                Val::Text(r.preferred.trim().to_string()),
                Val::OptInt(message.map(|s| s.get())),
                Val::Text(r.status.as_str().to_string()),
                Val::OptInt(reply.map(|s| s.get())),
                Val::OptInt(r.interview.map(|i| interview_ids[i])),
                Val::Int(r.created_at),
                Val::Int(r.updated_at),
            ]);
        }
        let head = "INSERT INTO consultation_requests (tenant_id, employee_id, consultant_id, preferred, message_sealed_id, status, reply_sealed_id, interview_id, created_at, updated_at)";
        insert_values(tx, head, 10, values, per, None).await?;
        Ok(messages.len() + replies.len())
    }
}
