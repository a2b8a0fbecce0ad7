//! The overall report (全体報告書, R3) as versioned snapshots (migration 14).
//!
//! A consultant or the supervisor starts a draft for a cycle (version n+1) and writes its
//! narrative (four sealed sections); the draft's tables are a preview, with what would be hidden
//! and why, computed when the draft is started and again when it is approved (kept in
//! `overall_reports.preview`, so that reading a draft does not run the engine). The supervisor or a lead consultant approves it, then
//! releases it: the release computes every table at once at `as_of` = the moment of release,
//! has them decided jointly against every earlier release of the tenant, freezes the result as
//! `snapshot` (the JSON contract) and records the member sets it showed (the ledger), all in one
//! transaction, audited. HR and executives read released versions only; anything else answers as
//! missing. The threshold k is the tenant's setting when a cycle's first version is released,
//! and stays with that cycle from then on.
//!
//! Counting reads no report: the population and the breakdowns come from the register and the
//! reports' plain columns, tags and flags from their keyed marks (`report_tag_marks`), themes
//! from the term index's keyed marks (`report_terms`; only the shown themes' words are opened).

use crate::paging::{PageRequest, Paged};
use crate::{now_ms, Acting, Ctx, Hr, Result, Store, StoreError, TermMark};
use base64::Engine as _;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::breakdown::{self, Breakdown, Department, Heading, Ledger, Person, Verdict};
use domain::ids::{SealedId, TenantId, UserId};
use domain::overall_narrative::{check_complete, check_narrative, Narrative};
use domain::overall_report::{self as contract, CycleRef, Dimension, Measure, OverallReport, TableSummary, Take};
use domain::policy::{self, AggregateState, Operation, OverallReportFacts, Permit, Target};
use domain::tenant::KThreshold;
use domain::Role;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// The verdicts of the last few builds, by the digest of their inputs
/// ([`breakdown::decision_digest`]): the same inputs are decided alike, so the approval and the
/// release of a version whose data did not change since its preview skip the engine. Kept in
/// this process only (never in the database); a miss, another server or a restart decides anew.
/// The digest of a build's inputs and its verdicts.
type Decided = ([u8; 32], Vec<Verdict>);

#[derive(Clone, Default)]
pub(crate) struct Decisions {
    kept: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<Decided>>>,
}

impl Decisions {
    const KEEP: usize = 8;

    fn get(&self, digest: &[u8; 32]) -> Option<Vec<Verdict>> {
        let kept = self.kept.lock().ok()?;
        kept.iter().find(|(d, _)| d == digest).map(|(_, v)| v.clone())
    }

    fn keep(&self, digest: [u8; 32], verdicts: &[Verdict]) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|(d, _)| *d != digest);
            if kept.len() >= Self::KEEP {
                kept.pop_front();
            }
            kept.push_back((digest, verdicts.to_vec()));
        }
    }
}

/// A version's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OverallReportId(i64);

impl OverallReportId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for OverallReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

const NARRATIVE: &str = "overall_narrative";

/// The most themes a version's tables carry (those held by the most people).
pub const MAX_THEMES: usize = 20;

/// One version as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverallVersionRow {
    pub id: OverallReportId,
    pub cycle: CycleRef,
    pub version: i64,
    pub state: AggregateState,
    pub k: u32,
    pub created_at: i64,
    pub approved_at: Option<i64>,
    pub released_at: Option<i64>,
}

/// What a reader's view of one cell adds to the contract: why it is hidden (previews only).
#[derive(Clone, Debug, PartialEq)]
pub struct CellNotes {
    /// One per cell of every table of `report`, in order.
    pub verdicts: Vec<Verdict>,
}

/// One version with its narrative and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct OverallReportDetail {
    pub row: OverallVersionRow,
    pub narrative: Narrative,
    /// The released snapshot, or (draft, approved) the preview as it would be released now.
    pub report: OverallReport,
    /// The engine's verdicts of a preview (drafts and approved versions only).
    pub preview: Option<CellNotes>,
    /// Every table of the version (name, breakdown, cells, shown cells), whether `report` holds
    /// its cells or not ([`TableChoice`]).
    pub tables: Vec<TableSummary>,
    /// The latest released version of each earlier cycle, oldest first (trends).
    pub earlier: Vec<OverallReport>,
    /// A preview's names of the tenant's releases, by id (a cell hidden against release #id
    /// says which): id, cycle, version. Empty for a released version.
    pub releases: Vec<(i64, CycleRef, i64)>,
    pub can_write: bool,
    pub can_approve: bool,
    pub can_release: bool,
}

/// Which tables of a released version a reader reads ([`Store::overall_report_with`]): the
/// others are scanned for their counts only, never kept (a snapshot of 100,000 employees holds
/// 125,000 cells). A preview (draft, approved) is always read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableChoice {
    /// Every table (downloads without a choice, the command line).
    Every,
    /// The whole-population table only (the narrative's editor, the trend).
    Whole,
    /// The whole-population table and the table by exactly these dimensions (any order).
    Breakdown(Vec<Dimension>),
    /// The whole-population table and the first table by some dimension with a shown cell (a
    /// page without a choice).
    FirstOffered,
}

impl TableChoice {
    fn take(&self, by: &[Dimension], first: Option<&str>, name: &str) -> Take {
        let same = |want: &[Dimension]| want.len() == by.len() && want.iter().all(|d| by.contains(d));
        let whole = match self {
            _ if by.is_empty() => true,
            TableChoice::Every => true,
            TableChoice::Whole => false,
            TableChoice::Breakdown(want) => same(want),
            TableChoice::FirstOffered => first.is_some_and(|f| f == name),
        };
        if whole {
            Take::Whole
        } else {
            Take::Count
        }
    }
}

/// Reads a released snapshot keeping the tables `choice` names (the others counted only).
fn read_snapshot(text: &str, choice: &TableChoice) -> Result<contract::PartialReport> {
    read_snapshot_at(text, choice, None)
}

/// [`read_snapshot`] keeping, with `level`, only the cells of that level of the department
/// drill-down (`Some(None)` the top level; `breakdown::group_at_department_level`).
fn read_snapshot_at(text: &str, choice: &TableChoice, level: Option<Option<&str>>) -> Result<contract::PartialReport> {
    let damaged = |e: serde_json::Error| StoreError::Config(format!("damaged overall report snapshot: {e}"));
    let keep = |c: &contract::Cell| level.is_none_or(|level| breakdown::group_at_department_level(level, &c.group));
    // Without a choice the page shows the first breakdown with a shown cell: guessed as the
    // first breakdown, read again in the rare case that it has none.
    let first = |guess: Option<&str>| contract::read_tables_where(text, |name, by| choice.take(by, guess, name), keep).map_err(damaged);
    if *choice != TableChoice::FirstOffered {
        return first(None);
    }
    let guess = {
        // The first table by some dimension, from a scan that keeps nothing.
        let scan = contract::read_tables(text, |_, _| Take::Count).map_err(damaged)?;
        scan.tables.iter().find(|t| !t.by.is_empty() && t.shown > 0).map(|t| t.name.clone())
    };
    first(guess.as_deref())
}

/// The tenant's reporting settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    pub k: u32,
    /// Every consultant of the tenant, with whether the tenant names them lead.
    pub consultants: Vec<(UserId, String, bool)>,
    /// Cycles whose k is locked by a release: name and k.
    pub locked: Vec<(String, u32)>,
}

/// Which cycle a reader asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CycleChoice {
    /// The newest cycle (by its start) with a released version.
    Latest,
    /// A cycle's id or its name.
    Named(String),
}

impl CycleChoice {
    pub fn parse(s: &str) -> CycleChoice {
        let s = s.trim();
        if s.is_empty() || s == "latest" {
            CycleChoice::Latest
        } else {
            CycleChoice::Named(s.to_string())
        }
    }
}

/// A released version for the API: the stored JSON as it is, or the tables of a breakdown choice.
#[derive(Debug)]
pub enum ReleasedJson {
    Stored(String),
    Chosen(Box<OverallReport>),
}

/// Every table's name, breakdown and counts (a preview read whole).
fn summaries(report: &OverallReport) -> Vec<TableSummary> {
    report
        .tables
        .iter()
        .map(|t| TableSummary {
            name: t.name.clone(),
            by: t.by.clone(),
            cells: t.cells.len(),
            shown: t.cells.iter().filter(|c| !c.suppressed).count(),
        })
        .collect()
}

struct Stored {
    row: OverallVersionRow,
    narrative: Option<SealedId>,
    snapshot: Option<String>,
    preview: Option<String>,
}

/// One version with its figures: a released row's snapshot, a draft's kept preview (a released
/// row's preview is never read: the release clears it, and reading does not depend on it).
const SELECT: &str = "SELECT o.id, o.cycle_id, c.name AS cycle_name, o.version, o.state, o.k, o.snapshot,
    CASE WHEN o.state = 'released' THEN NULL ELSE o.preview END AS preview, o.narrative_sealed_id,
    o.created_at, o.approved_at, o.released_at
    FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id";

/// The versions as a list shows them: no snapshot, no preview.
const SELECT_ROW: &str = "SELECT o.id, o.cycle_id, c.name AS cycle_name, o.version, o.state, o.k,
    o.created_at, o.approved_at, o.released_at
    FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id";

fn version_row(r: &sqlx::any::AnyRow) -> Result<OverallVersionRow> {
    let state: String = r.try_get("state")?;
    Ok(OverallVersionRow {
        id: OverallReportId::new(r.try_get("id")?),
        cycle: CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("cycle_name")? },
        version: r.try_get("version")?,
        state: AggregateState::parse(&state).ok_or_else(|| StoreError::Config(format!("unknown report state {state}")))?,
        k: u32::try_from(r.try_get::<i64, _>("k")?).unwrap_or(KThreshold::DEFAULT.get()),
        created_at: r.try_get("created_at")?,
        approved_at: r.try_get("approved_at")?,
        released_at: r.try_get("released_at")?,
    })
}

fn stored(r: &sqlx::any::AnyRow) -> Result<Stored> {
    Ok(Stored {
        row: version_row(r)?,
        narrative: r.try_get::<Option<i64>, _>("narrative_sealed_id")?.map(SealedId::new),
        snapshot: r.try_get("snapshot")?,
        preview: r.try_get("preview")?,
    })
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
}

fn encode_narrative(n: &Narrative) -> Result<String> {
    serde_json::to_string(n).map_err(|e| StoreError::Crypto(format!("cannot encode the narrative: {e}")))
}

fn decode_narrative(s: &str) -> Result<Narrative> {
    serde_json::from_str(s).map_err(|e| StoreError::Crypto(format!("damaged narrative: {e}")))
}

/// A draft's kept preview.
#[derive(serde::Serialize, serde::Deserialize)]
struct Preview {
    report: OverallReport,
    verdicts: Vec<Verdict>,
}

fn parse_snapshot(s: &str) -> Result<OverallReport> {
    serde_json::from_str(s).map_err(|e| StoreError::Config(format!("damaged overall report snapshot: {e}")))
}

/// The sealed purpose of the anonymity engine's ledger (the store's own: never opened for a
/// caller).
pub(crate) const LEDGER_PURPOSE: &str = "release_ledger";

fn encode_ledger(l: &Ledger) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(l.encode())
}

fn decode_ledger(release: i64, text: &str) -> Result<Ledger> {
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text.trim())
        .ok()
        .and_then(|bytes| Ledger::decode(release, &bytes))
        .ok_or_else(|| StoreError::Config(format!("damaged anonymity ledger of release {release}")))
}

fn no_release() -> StoreError {
    StoreError::Conflict(domain::Message::new(
        "この期間の全体報告書はまだ公開されていません。",
        "No overall report has been released for this cycle yet.",
    ))
}

impl Store {
    /// Whether the user is one of the tenant's lead consultants.
    async fn is_lead(&self, tenant: TenantId, user: Option<UserId>) -> Result<bool> {
        let Some(user) = user else { return Ok(false) };
        Ok(sqlx::query("SELECT 1 AS x FROM report_leads WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.get())
            .bind(user.get())
            .fetch_optional(&self.db.read)
            .await?
            .is_some())
    }

    /// The facts of a version in `state` for the acting reader (improvement actions read
    /// released versions through these).
    pub(crate) async fn overall_facts(&self, ctx: &Ctx, state: AggregateState) -> Result<OverallReportFacts> {
        self.facts_for(ctx, state).await
    }

    async fn facts_for(&self, ctx: &Ctx, state: AggregateState) -> Result<OverallReportFacts> {
        let lead = ctx.role() == Some(Role::Consultant) && self.is_lead(ctx.tenant, ctx.user).await?;
        Ok(OverallReportFacts { tenant: ctx.tenant, state, actor_is_lead: lead })
    }

    async fn stored_overall(&self, tenant: TenantId, id: OverallReportId) -> Result<Stored> {
        let r = sqlx::query(&format!("{SELECT} WHERE o.id = $1 AND o.tenant_id = $2"))
            .bind(id.get())
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        stored(&r)
    }

    /// The threshold a cycle's next version is decided at: the k of its first release, or the
    /// tenant's setting when it has none yet.
    pub(crate) async fn cycle_k(&self, tenant: TenantId, cycle: i64) -> Result<u32> {
        let locked = sqlx::query(
            "SELECT k FROM overall_reports WHERE tenant_id = $1 AND cycle_id = $2 AND state = 'released' ORDER BY version LIMIT 1",
        )
        .bind(tenant.get())
        .bind(cycle)
        .fetch_optional(&self.db.read)
        .await?;
        let k = match locked {
            Some(r) => r.try_get::<i64, _>("k")?,
            None => sqlx::query("SELECT k_threshold FROM tenants WHERE id = $1")
                .bind(tenant.get())
                .fetch_one(&self.db.read)
                .await?
                .try_get::<i64, _>("k_threshold")?,
        };
        Ok(KThreshold::parse(k).map(KThreshold::get).unwrap_or(KThreshold::DEFAULT.get()))
    }

    // ------------------------------------------------------------------ the builder

    /// Every table of the cycle's population at `as_of`, before any decision: the employees
    /// whose individual report of a held interview in the cycle was approved at or before
    /// `as_of`, with their department, age, tenure, grade, issue tags and flags (from the
    /// reports' keyed marks; no report is opened).
    pub(crate) async fn overall_breakdown(&self, tenant: TenantId, cycle: i64, as_of: i64) -> Result<Breakdown> {
        const POP: &str = "FROM reports r JOIN interviews i ON i.id = r.interview_id
            WHERE r.tenant_id = $1 AND i.tenant_id = $1 AND i.cycle_id = $2 AND i.status = 'held'
              AND r.status = 'approved' AND r.approved_at IS NOT NULL AND r.approved_at <= $3";
        let rows = sqlx::query(&format!(
            "SELECT e.id, e.department_id, e.birth_year, e.hire_date, e.grade FROM employees e
             WHERE e.tenant_id = $1 AND e.id IN (SELECT r.employee_id {POP}) ORDER BY e.id"
        ))
        .bind(tenant.get())
        .bind(cycle)
        .bind(as_of)
        .fetch_all(&self.db.read)
        .await?;
        let mut people = Vec::with_capacity(rows.len());
        let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            index.insert(id, people.len());
            let hire: Option<String> = r.try_get("hire_date")?;
            people.push(Person {
                employee: id,
                department: r.try_get("department_id")?,
                birth_year: r.try_get::<Option<i64>, _>("birth_year")?.and_then(|y| i32::try_from(y).ok()),
                hire_date: hire.and_then(|h| chrono::NaiveDate::parse_from_str(h.get(..10).unwrap_or(&h), "%Y-%m-%d").ok()),
                grade: r.try_get("grade")?,
                measures: BTreeSet::new(),
            });
        }
        // The measures: every issue tag of the tenant (in the taxonomy's order), then the flags.
        let tags = self.taxonomy(tenant, crate::Taxonomy::IssueTags, true).await?;
        let mut measures: Vec<Measure> = tags.iter().map(|t| Measure::Tag(t.code.clone())).collect();
        measures.push(Measure::LifeSafety);
        measures.push(Measure::OrganizationalResponse);
        let mut by_mark: HashMap<Vec<u8>, Measure> = HashMap::new();
        for m in &measures {
            let code = match m {
                Measure::Tag(c) => c.clone(),
                other => other.code(),
            };
            for mark in self.tag_marks(tenant, &code)? {
                by_mark.insert(mark, m.clone());
            }
        }
        let marks = sqlx::query(&format!(
            "SELECT r.employee_id, m.mark {POP} AND m.report_id = r.id",
            POP = POP.replacen("FROM reports r", "FROM report_tag_marks m, reports r", 1)
        ))
        .bind(tenant.get())
        .bind(cycle)
        .bind(as_of)
        .fetch_all(&self.db.read)
        .await?;
        for r in &marks {
            let employee: i64 = r.try_get("employee_id")?;
            let mark: Vec<u8> = r.try_get("mark")?;
            if let (Some(i), Some(m)) = (index.get(&employee), by_mark.get(&mark)) {
                people[*i].measures.insert(m.clone());
            }
        }
        // The themes: terms of at least k distinct employees of the population, by their marks.
        for (measure, holders) in self.overall_themes(tenant, cycle, as_of, &index).await? {
            for i in holders {
                people[i].measures.insert(measure.clone());
            }
            measures.push(measure);
        }
        let departments = sqlx::query("SELECT id, parent_id, path FROM departments WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok(Department { id: r.try_get("id")?, parent: r.try_get("parent_id")?, path: r.try_get("path")? }))
            .collect::<Result<Vec<_>>>()?;
        let reference = domain::time::jst_date(as_of).unwrap_or_default();
        Ok(breakdown::breakdown(&people, &departments, &measures, reference))
    }

    /// The themes a version's tables carry: from the term index (keyed marks, nothing opened
    /// to count), the terms held by at least k distinct employees of the population (`index`:
    /// employee id → position in the population), the [`MAX_THEMES`] held by the most people
    /// (ties by mark, so a rebuild picks the same), each with the positions of its holders.
    /// Only their labels are opened, as the store's own upkeep (audited `sealed_text_read` of
    /// `theme_term`, purpose `overall_report`), never under a reader's permit; a label that
    /// names a person or department under today's register is left out (the extraction
    /// already dropped those of its time).
    async fn overall_themes(
        &self,
        tenant: TenantId,
        cycle: i64,
        as_of: i64,
        index: &HashMap<i64, usize>,
    ) -> Result<Vec<(Measure, Vec<usize>)>> {
        let k = self.cycle_k(tenant, cycle).await? as usize;
        let mut candidates: Vec<(TermMark, Vec<usize>)> = self
            .theme_term_employees(tenant, cycle, as_of)
            .await?
            .into_iter()
            .map(|(mark, employees)| {
                let mut holders: Vec<usize> = employees.iter().filter_map(|e| index.get(&e.get()).copied()).collect();
                holders.sort_unstable();
                (mark, holders)
            })
            .filter(|(_, holders)| holders.len() >= k.max(1))
            .collect();
        candidates.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        candidates.truncate(MAX_THEMES);
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<TermMark> = candidates.iter().map(|(m, _)| m.clone()).collect();
        let labels = self.open_theme_labels_for_upkeep(tenant, "job:overall_report", Some("overall_report"), &marks).await?;
        // Two marks of one word (made under two keys of the ring) are one theme.
        let mut by_label: Vec<(Measure, Vec<usize>)> = Vec::new();
        for (mark, holders) in candidates {
            let Some(label) = labels.get(&mark) else { continue };
            let measure = Measure::Theme(label.clone());
            match by_label.iter_mut().find(|(m, _)| *m == measure) {
                Some((_, known)) => {
                    known.extend(holders);
                    known.sort_unstable();
                    known.dedup();
                }
                None => by_label.push((measure, holders)),
            }
        }
        Ok(by_label)
    }

    /// The ledger of every earlier release of the tenant (opened as the store's own data: it is
    /// never returned to a caller, only handed to the engine).
    async fn prior_releases(&self, tenant: TenantId) -> Result<Vec<Ledger>> {
        let rows = sqlx::query(
            "SELECT id, ledger_sealed_id FROM overall_reports WHERE tenant_id = $1 AND state = 'released' AND ledger_sealed_id IS NOT NULL ORDER BY id",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let sealed = SealedId::new(r.try_get("ledger_sealed_id")?);
            let text = self.open_system_secret(tenant, sealed).await?;
            out.push(decode_ledger(id, &text)?);
        }
        Ok(out)
    }

    /// Builds a version's figures at `as_of`: every table, decided per measure against every
    /// earlier release. Returns the report, the verdicts and the ledger to keep if released.
    async fn build_overall(
        &self,
        tenant: TenantId,
        s: &OverallVersionRow,
        as_of: i64,
        released_at: Option<i64>,
    ) -> Result<(OverallReport, Vec<Verdict>, Ledger)> {
        let b = self.overall_breakdown(tenant, s.cycle.id, as_of).await?;
        let prior = self.prior_releases(tenant).await?;
        let (k, release) = (s.k, s.id.get());
        // The engine is CPU work: off the async workers. A build whose inputs are those of an
        // earlier build in this process (the preview, then the approval, then the release, with
        // nothing approved or released in between) takes its verdicts again.
        let decisions = self.decisions.clone();
        let (b, verdicts, ledger) = tokio::task::spawn_blocking(move || {
            let cells: Vec<&breakdown::Pending> = b.cells().collect();
            let digest = breakdown::decision_digest(k, &cells, &prior, release);
            let (verdicts, ledger) = match decisions.get(&digest) {
                Some(verdicts) => {
                    let ledger = breakdown::ledger_of(&cells, &verdicts, release);
                    (verdicts, ledger)
                }
                None => {
                    let (verdicts, ledger) = breakdown::verdicts(k, &cells, &prior, release);
                    decisions.keep(digest, &verdicts);
                    (verdicts, ledger)
                }
            };
            (b, verdicts, ledger)
        })
        .await
        .map_err(|e| StoreError::Config(format!("the anonymity engine stopped: {e}")))?;
        let slug: String =
            sqlx::query("SELECT slug FROM tenants WHERE id = $1").bind(tenant.get()).fetch_one(&self.db.read).await?.try_get("slug")?;
        let head = Heading {
            tenant: slug,
            cycle: s.cycle.clone(),
            version: s.version,
            released_at: released_at.map(rfc3339),
            k: s.k,
            as_of: rfc3339(as_of),
        };
        let released = breakdown::assemble(&b, &verdicts, head);
        Ok((released.report, verdicts, ledger))
    }

    /// Computes a draft's preview now and keeps it (`overall_reports.preview`): the report as
    /// it would be released at this moment and the engine's verdicts.
    async fn refresh_preview(&self, tenant: TenantId, row: &OverallVersionRow) -> Result<(OverallReport, Vec<Verdict>)> {
        let mut row = row.clone();
        row.k = self.cycle_k(tenant, row.cycle.id).await?;
        let now = now_ms();
        let (report, verdicts, _) = self.build_overall(tenant, &row, now, None).await?;
        let kept = serde_json::to_string(&Preview { report: report.clone(), verdicts: verdicts.clone() })
            .map_err(|e| StoreError::Config(format!("cannot encode the preview: {e}")))?;
        sqlx::query("UPDATE overall_reports SET preview = $1, preview_at = $2 WHERE id = $3 AND tenant_id = $4 AND state <> 'released'")
            .bind(kept)
            .bind(now)
            .bind(row.id.get())
            .bind(tenant.get())
            .execute(&self.db.write)
            .await?;
        Ok((report, verdicts))
    }

    // ------------------------------------------------------------------ the flow

    /// Starts a draft for a cycle (the next version), audited. A cycle that already has a
    /// version not yet released answers with that version instead of a second one.
    pub async fn start_overall_report(&self, ctx: &Ctx, cycle: i64) -> Result<OverallReportId> {
        let actor = ctx.actor()?;
        let facts = self.facts_for(ctx, AggregateState::Draft).await?;
        if !policy::decide(&actor, Operation::WriteOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteOverallReports, AuditTarget::Cycle, cycle).await);
        }
        let exists = sqlx::query("SELECT id FROM cycles WHERE id = $1 AND tenant_id = $2")
            .bind(cycle)
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let open = sqlx::query("SELECT id FROM overall_reports WHERE tenant_id = $1 AND cycle_id = $2 AND state <> 'released'")
            .bind(ctx.tenant.get())
            .bind(cycle)
            .fetch_optional(&self.db.read)
            .await?;
        if let Some(r) = open {
            // Starting again opens the version, its preview computed afresh.
            let id = OverallReportId::new(r.try_get("id")?);
            let s = self.stored_overall(ctx.tenant, id).await?;
            self.refresh_preview(ctx.tenant, &s.row).await?;
            return Ok(id);
        }
        let k = self.cycle_k(ctx.tenant, cycle).await?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let version: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM overall_reports WHERE tenant_id = $1 AND cycle_id = $2")
                .bind(ctx.tenant.get())
                .bind(cycle)
                .fetch_one(&mut *tx)
                .await?
                .try_get("v")?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, NARRATIVE, &encode_narrative(&Narrative::default())?).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO overall_reports (tenant_id, cycle_id, version, state, k, narrative_sealed_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(cycle)
        .bind(version)
        .bind(i64::from(k))
        .bind(sealed.get())
        .bind(actor.user().get())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let detail = AuditDetail::of(Fact::Is(Outcome::Created)).and(Fact::N(Key::Cycle, cycle)).and(Fact::N(Key::Version, version));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OverallReportWritten, AuditTarget::OverallReport, id).detail(detail)])
            .await?;
        tx.commit().await?;
        let id = OverallReportId::new(id);
        let s = self.stored_overall(ctx.tenant, id).await?;
        self.refresh_preview(ctx.tenant, &s.row).await?;
        Ok(id)
    }

    /// Saves a draft's narrative (every problem at once), audited; a version past its draft
    /// answers as missing to the writer's operation.
    pub async fn save_overall_narrative(&self, ctx: &Ctx, id: OverallReportId, typed: &Narrative) -> Result<()> {
        let actor = ctx.actor()?;
        let s = self.stored_overall(ctx.tenant, id).await?;
        let facts = self.facts_for(ctx, s.row.state).await?;
        if !policy::decide(&actor, Operation::WriteOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteOverallReports, AuditTarget::OverallReport, id).await);
        }
        let n = check_narrative(typed).map_err(StoreError::problems)?;
        let text = encode_narrative(&n)?;
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query("UPDATE overall_reports SET updated_at = $1 WHERE id = $2 AND tenant_id = $3 AND state = 'draft'")
            .bind(now_ms())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(moved_on());
        }
        match s.narrative {
            Some(sid) => self.reseal_in_tx(&mut tx, ctx.tenant, sid, &text).await?,
            None => {
                let sid = self.seal_in_tx(&mut tx, ctx.tenant, NARRATIVE, &text).await?;
                sqlx::query("UPDATE overall_reports SET narrative_sealed_id = $1 WHERE id = $2")
                    .bind(sid.get())
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let detail = AuditDetail::of(Fact::Is(Outcome::Updated));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OverallReportWritten, AuditTarget::OverallReport, id).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The supervisor or a lead consultant approves a draft whose narrative is complete, audited.
    pub async fn approve_overall_report(&self, ctx: &Ctx, id: OverallReportId) -> Result<()> {
        let actor = ctx.actor()?;
        let s = self.stored_overall(ctx.tenant, id).await?;
        let facts = self.facts_for(ctx, s.row.state).await?;
        let Some(permit) = policy::permit(&actor, Operation::ReleaseOverallReports, Target::OverallReport(facts)) else {
            return Err(self.refused(ctx, Operation::ReleaseOverallReports, AuditTarget::OverallReport, id).await);
        };
        if s.row.state != AggregateState::Draft {
            return Err(moved_on());
        }
        let narrative = self.open_narrative(ctx, &permit, &s, AuditAction::OverallReportRead).await?;
        check_complete(&narrative).map_err(StoreError::problems)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE overall_reports SET state = 'approved', approved_by = $1, approved_at = $2, updated_at = $2
             WHERE id = $3 AND tenant_id = $4 AND state = 'draft'",
        )
        .bind(actor.user().get())
        .bind(now)
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(moved_on());
        }
        let detail = AuditDetail::of(Fact::Transition { from: "draft", to: "approved" });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OverallReportDecided, AuditTarget::OverallReport, id).detail(detail)])
            .await?;
        tx.commit().await?;
        // The approver sees the figures as of the approval before releasing.
        self.refresh_preview(ctx.tenant, &s.row).await?;
        Ok(())
    }

    /// Sends an approved version back to draft (the approver found something to change).
    pub async fn reopen_overall_report(&self, ctx: &Ctx, id: OverallReportId) -> Result<()> {
        let actor = ctx.actor()?;
        let s = self.stored_overall(ctx.tenant, id).await?;
        let facts = self.facts_for(ctx, s.row.state).await?;
        if !policy::decide(&actor, Operation::ReleaseOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ReleaseOverallReports, AuditTarget::OverallReport, id).await);
        }
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE overall_reports SET state = 'draft', approved_by = NULL, approved_at = NULL, updated_at = $1
             WHERE id = $2 AND tenant_id = $3 AND state = 'approved'",
        )
        .bind(now_ms())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(moved_on());
        }
        let detail = AuditDetail::of(Fact::Transition { from: "approved", to: "draft" });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OverallReportDecided, AuditTarget::OverallReport, id).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Releases an approved version: computes every table at this moment (`as_of`), decided
    /// jointly against every earlier release, and in one transaction freezes the snapshot,
    /// records the shown member sets in the ledger and the event. Returns the released report.
    pub async fn release_overall_report(&self, ctx: &Ctx, id: OverallReportId) -> Result<OverallReport> {
        let actor = ctx.actor()?;
        let s = self.stored_overall(ctx.tenant, id).await?;
        let facts = self.facts_for(ctx, s.row.state).await?;
        if !policy::decide(&actor, Operation::ReleaseOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ReleaseOverallReports, AuditTarget::OverallReport, id).await);
        }
        if s.row.state != AggregateState::Approved {
            return Err(moved_on());
        }
        self.release_in(ctx, &s, actor.user()).await
    }

    async fn release_in(&self, ctx: &Ctx, s: &Stored, by: UserId) -> Result<OverallReport> {
        let id = s.row.id;
        // The cycle's k may have been locked by another version's release meanwhile.
        let mut row = s.row.clone();
        row.k = self.cycle_k(ctx.tenant, row.cycle.id).await?;
        let now = now_ms();
        let (report, _, ledger) = self.build_overall(ctx.tenant, &row, now, Some(now)).await?;
        let snapshot = serde_json::to_string(&report).map_err(|e| StoreError::Config(format!("cannot encode the report: {e}")))?;
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE overall_reports SET state = 'released', k = $1, as_of = $2, snapshot = $3, preview = NULL, preview_at = NULL,
                released_by = $4, released_at = $2, updated_at = $2
             WHERE id = $5 AND tenant_id = $6 AND state = 'approved'",
        )
        .bind(i64::from(row.k))
        .bind(now)
        .bind(&snapshot)
        .bind(by.get())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(moved_on());
        }
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, LEDGER_PURPOSE, &encode_ledger(&ledger)).await?;
        sqlx::query("UPDATE overall_reports SET ledger_sealed_id = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(sealed.get())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let hidden = report.tables.iter().flat_map(|t| t.cells.iter()).filter(|c| c.suppressed).count();
        let detail = AuditDetail::of(Fact::Transition { from: "approved", to: "released" })
            .and(Fact::N(Key::Version, row.version))
            .and(Fact::N(Key::Count, hidden as i64));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OverallReportDecided, AuditTarget::OverallReport, id).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn open_narrative(&self, ctx: &Ctx, permit: &Permit, s: &Stored, action: AuditAction) -> Result<Narrative> {
        let Some(sid) = s.narrative else { return Ok(Narrative::default()) };
        let event = ctx.event(action, AuditTarget::OverallReport, s.row.id);
        let mut texts = self.open_permitted(ctx, permit, &[event], &[sid]).await?;
        decode_narrative(&texts.remove(&sid).unwrap_or_default())
    }

    // ------------------------------------------------------------------ reading

    /// The versions the acting role may read, newest cycle first: consultants and the
    /// supervisor every version, HR and executives the released ones; anyone else nothing.
    pub async fn overall_report_page(&self, ctx: &Ctx, page: PageRequest) -> Result<Paged<OverallVersionRow>> {
        let actor = ctx.actor()?;
        let released_only = match actor.role() {
            Role::Consultant | Role::Supervisor => false,
            Role::Hr | Role::Executive => true,
            _ => return Ok(Paged { total: 0, items: Vec::new() }),
        };
        let cond = "o.tenant_id = $1 AND ($2 = 0 OR o.state = 'released')";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM overall_reports o WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(i64::from(released_only))
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows =
            sqlx::query(&format!("{SELECT_ROW} WHERE {cond} ORDER BY c.starts_on DESC, c.id DESC, o.version DESC LIMIT $3 OFFSET $4"))
                .bind(ctx.tenant.get())
                .bind(i64::from(released_only))
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.db.read)
                .await?;
        let facts = self.facts_for(ctx, AggregateState::Draft).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let row = version_row(r)?;
            let f = OverallReportFacts { state: row.state, ..facts };
            if policy::decide(&actor, Operation::ReadOverallReports, Target::OverallReport(f)).is_allow() {
                items.push(row);
            }
        }
        let event = ctx
            .event(AuditAction::OverallReportRead, AuditTarget::OverallReportList, "")
            .detail(AuditDetail::count(items.len()).n(Key::Offset, page.offset()));
        self.audit(ctx, event).await?;
        Ok(Paged { total, items })
    }

    /// One version with its narrative and figures, audited: a released version's frozen
    /// snapshot, or a draft's preview computed now with the engine's reasons. Anyone the policy
    /// refuses (HR and executives for a draft) gets "not found".
    pub async fn overall_report(&self, ctx: &Ctx, id: OverallReportId) -> Result<OverallReportDetail> {
        self.overall_report_with(ctx, id, &TableChoice::Every).await
    }

    /// [`Store::overall_report`] with only the tables `choice` names parsed out of a released
    /// snapshot (`tables` still lists every table with its counts). A preview is read whole.
    pub async fn overall_report_with(&self, ctx: &Ctx, id: OverallReportId, choice: &TableChoice) -> Result<OverallReportDetail> {
        let s = self.stored_overall(ctx.tenant, id).await?;
        self.read_overall(ctx, s, choice, None).await
    }

    /// [`Store::overall_report_with`] keeping, of a released snapshot's tables, only the cells
    /// at one level of the department drill-down (`dept`: under that department; `None` the top
    /// level; `breakdown::at_department_level`), so that a page of 2,500 departments never holds
    /// them all. A preview is read whole.
    pub async fn overall_report_at(
        &self,
        ctx: &Ctx,
        id: OverallReportId,
        choice: &TableChoice,
        dept: Option<&str>,
    ) -> Result<OverallReportDetail> {
        let s = self.stored_overall(ctx.tenant, id).await?;
        self.read_overall(ctx, s, choice, Some(dept)).await
    }

    /// A released version as [`Store::overall_report`] reads it, for a download (PDF, CSV):
    /// a version that is not released (a draft, an approved one) answers exactly as one that
    /// does not exist, before any check or audited read, to every role (its consultant too).
    pub async fn released_overall_report_by_id(&self, ctx: &Ctx, id: OverallReportId) -> Result<OverallReportDetail> {
        self.released_overall_report_by_id_with(ctx, id, &TableChoice::Every).await
    }

    /// [`Store::released_overall_report_by_id`] with only the tables `choice` names parsed.
    pub async fn released_overall_report_by_id_with(
        &self,
        ctx: &Ctx,
        id: OverallReportId,
        choice: &TableChoice,
    ) -> Result<OverallReportDetail> {
        let s = self.stored_overall(ctx.tenant, id).await?;
        if s.row.state != AggregateState::Released || s.snapshot.is_none() {
            return Err(StoreError::NotFound);
        }
        self.read_overall(ctx, s, choice, None).await
    }

    async fn read_overall(&self, ctx: &Ctx, s: Stored, choice: &TableChoice, level: Option<Option<&str>>) -> Result<OverallReportDetail> {
        let actor = ctx.actor()?;
        let id = s.row.id;
        let facts = self.facts_for(ctx, s.row.state).await?;
        let Some(permit) = policy::permit(&actor, Operation::ReadOverallReports, Target::OverallReport(facts)) else {
            return Err(self.refused(ctx, Operation::ReadOverallReports, AuditTarget::OverallReport, id).await);
        };
        let narrative = self.open_narrative(ctx, &permit, &s, AuditAction::OverallReportRead).await?;
        let (report, preview, tables) = match &s.snapshot {
            Some(snap) if s.row.state == AggregateState::Released => {
                let part = read_snapshot_at(snap, choice, level)?;
                (part.report, None, part.tables)
            }
            _ => {
                let kept = s.preview.as_deref().and_then(|p| serde_json::from_str::<Preview>(p).ok());
                let (report, verdicts) = match kept {
                    Some(p) => (p.report, p.verdicts),
                    None => self.refresh_preview(ctx.tenant, &s.row).await?,
                };
                let tables = summaries(&report);
                (report, Some(CellNotes { verdicts }), tables)
            }
        };
        let earlier = self.earlier_releases(ctx.tenant, s.row.cycle.id).await?;
        let releases = if preview.is_some() { self.release_names(ctx.tenant).await? } else { Vec::new() };
        let target = |op| policy::decide(&actor, op, Target::OverallReport(facts)).is_allow();
        Ok(OverallReportDetail {
            can_write: target(Operation::WriteOverallReports),
            can_approve: target(Operation::ReleaseOverallReports) && s.row.state == AggregateState::Draft,
            can_release: target(Operation::ReleaseOverallReports) && s.row.state == AggregateState::Approved,
            row: s.row,
            narrative,
            report,
            preview,
            tables,
            earlier,
            releases,
        })
    }

    /// Every released version of the tenant: id, cycle and version (no figures).
    async fn release_names(&self, tenant: TenantId) -> Result<Vec<(i64, CycleRef, i64)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.cycle_id, c.name, o.version FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' ORDER BY o.id",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("name")? }, r.try_get("version")?)))
            .collect()
    }

    /// The latest released version of each cycle that started before this one, oldest first.
    async fn earlier_releases(&self, tenant: TenantId, cycle: i64) -> Result<Vec<OverallReport>> {
        let rows = sqlx::query(
            "SELECT o.id FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' AND o.snapshot IS NOT NULL
               AND c.starts_on < (SELECT starts_on FROM cycles WHERE id = $2)
               AND o.version = (SELECT MAX(o2.version) FROM overall_reports o2 WHERE o2.cycle_id = o.cycle_id AND o2.state = 'released')
             ORDER BY c.starts_on",
        )
        .bind(tenant.get())
        .bind(cycle)
        .fetch_all(&self.db.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.whole_population_of(tenant, r.try_get("id")?).await?);
        }
        Ok(out)
    }

    /// A released version's snapshot with its whole-population table only (the trend across
    /// cycles): read one at a time and scanned past the other tables without keeping them.
    pub(crate) async fn whole_population_of(&self, tenant: TenantId, id: i64) -> Result<OverallReport> {
        let text: Option<String> =
            sqlx::query("SELECT snapshot FROM overall_reports WHERE id = $1 AND tenant_id = $2 AND state = 'released'")
                .bind(id)
                .bind(tenant.get())
                .fetch_optional(&self.db.read)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("snapshot")?;
        contract::read_whole_population(text.as_deref().unwrap_or("{}"))
            .map_err(|e| StoreError::Config(format!("damaged overall report snapshot: {e}")))
    }

    /// A released version's id by cycle (name, id or latest) and version (the latest when
    /// absent); a cycle without a release is said so.
    async fn find_released(&self, tenant: TenantId, cycle: &CycleChoice, version: Option<i64>) -> Result<OverallReportId> {
        let cycle_id: i64 = match cycle {
            CycleChoice::Latest => sqlx::query(
                "SELECT c.id FROM cycles c WHERE c.tenant_id = $1
                   AND EXISTS (SELECT 1 FROM overall_reports o WHERE o.cycle_id = c.id AND o.state = 'released')
                 ORDER BY c.starts_on DESC, c.id DESC LIMIT 1",
            )
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or_else(no_release)?
            .try_get("id")?,
            CycleChoice::Named(name) => {
                let by_id = name.parse::<i64>().ok().unwrap_or(-1);
                sqlx::query("SELECT id FROM cycles WHERE tenant_id = $1 AND (name = $2 OR id = $3) ORDER BY id LIMIT 1")
                    .bind(tenant.get())
                    .bind(name)
                    .bind(by_id)
                    .fetch_optional(&self.db.read)
                    .await?
                    .ok_or(StoreError::NotFound)?
                    .try_get("id")?
            }
        };
        let row = sqlx::query(
            "SELECT id FROM overall_reports WHERE tenant_id = $1 AND cycle_id = $2 AND state = 'released' AND ($3 = 0 OR version = $3)
             ORDER BY version DESC LIMIT 1",
        )
        .bind(tenant.get())
        .bind(cycle_id)
        .bind(version.unwrap_or(0))
        .fetch_optional(&self.db.read)
        .await?
        .ok_or_else(no_release)?;
        Ok(OverallReportId::new(row.try_get("id")?))
    }

    /// The released version a cycle (and version) names, decided by the policy and audited; a
    /// cycle with no release, or one the reader may not read, answers "not found".
    async fn released_for_api(&self, ctx: &Ctx, cycle: &CycleChoice, version: Option<i64>) -> Result<Stored> {
        let actor = ctx.actor()?;
        let id = match self.find_released(ctx.tenant, cycle, version).await {
            Err(StoreError::Conflict(_)) => return Err(StoreError::NotFound),
            other => other?,
        };
        let s = self.stored_overall(ctx.tenant, id).await?;
        let facts = self.facts_for(ctx, s.row.state).await?;
        if !policy::decide(&actor, Operation::ReadOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ReadOverallReports, AuditTarget::OverallReport, id).await);
        }
        self.audit(ctx, ctx.event(AuditAction::OverallReportRead, AuditTarget::OverallReport, id)).await?;
        Ok(s)
    }

    /// A released version's snapshot for the API (HR, executives), audited; a cycle with no
    /// release (or a version that is not released) answers "not found".
    pub async fn released_overall_report(&self, ctx: &Ctx, cycle: &CycleChoice, version: Option<i64>) -> Result<OverallReport> {
        let s = self.released_for_api(ctx, cycle, version).await?;
        parse_snapshot(s.snapshot.as_deref().unwrap_or("{}"))
    }

    /// A released version's snapshot for the API as it was released (the stored JSON of the
    /// contract, checked by a scan that keeps nothing), audited like
    /// [`Store::released_overall_report`]; a breakdown choice reads only its tables.
    pub async fn released_overall_json(
        &self,
        ctx: &Ctx,
        cycle: &CycleChoice,
        version: Option<i64>,
        by: &[Dimension],
    ) -> Result<ReleasedJson> {
        let s = self.released_for_api(ctx, cycle, version).await?;
        let text = s.snapshot.unwrap_or_default();
        if by.is_empty() {
            read_snapshot(&text, &TableChoice::Whole)?;
            return Ok(ReleasedJson::Stored(text));
        }
        Ok(ReleasedJson::Chosen(Box::new(read_snapshot(&text, &TableChoice::Breakdown(by.to_vec()))?.report)))
    }

    /// The operator's command line: a released version with its narrative and, for the trend
    /// across cycles, the latest released version of each earlier cycle (oldest first, as the
    /// page and its PDF have them), audited. A cycle with no release is an error that says so.
    pub async fn operator_overall_report(
        &self,
        ctx: &Ctx,
        cycle: &CycleChoice,
        version: Option<i64>,
    ) -> Result<(OverallReport, Narrative, Vec<OverallReport>)> {
        let permit = policy::operator_permit(ctx.tenant, Operation::ReadOverallReports).ok_or(StoreError::NotFound)?;
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let id = self.find_released(ctx.tenant, cycle, version).await?;
        let s = self.stored_overall(ctx.tenant, id).await?;
        let narrative = self.open_narrative(ctx, &permit, &s, AuditAction::OverallReportRead).await?;
        let earlier = self.earlier_releases(ctx.tenant, s.row.cycle.id).await?;
        Ok((parse_snapshot(s.snapshot.as_deref().unwrap_or("{}"))?, narrative, earlier))
    }

    /// The cycles a draft can be started for, newest first: id and name.
    pub async fn cycles_for_overall(&self, ctx: &Ctx) -> Result<Vec<(i64, String)>> {
        let actor = ctx.actor()?;
        let facts = self.facts_for(ctx, AggregateState::Draft).await?;
        if !policy::decide(&actor, Operation::WriteOverallReports, Target::OverallReport(facts)).is_allow() {
            return Ok(Vec::new());
        }
        let rows =
            sqlx::query("SELECT id, name FROM cycles WHERE tenant_id = $1 AND status <> 'planning' ORDER BY starts_on DESC, id DESC")
                .bind(ctx.tenant.get())
                .fetch_all(&self.db.read)
                .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
    }

    // ------------------------------------------------------------------ settings

    /// The tenant's reporting settings (HR).
    pub async fn report_settings(&self, ctx: &Ctx) -> Result<ReportSettings> {
        ctx.check(Operation::ManageReportSettings)?;
        let k: i64 = sqlx::query("SELECT k_threshold FROM tenants WHERE id = $1")
            .bind(ctx.tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("k_threshold")?;
        let consultants = sqlx::query(
            "SELECT u.id, u.display_name, (SELECT COUNT(*) FROM report_leads l WHERE l.tenant_id = u.tenant_id AND l.user_id = u.id) AS lead
             FROM users u JOIN user_roles ur ON ur.user_id = u.id
             WHERE u.tenant_id = $1 AND ur.role = 'consultant' AND u.disabled_at IS NULL ORDER BY u.display_name, u.id",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?
        .iter()
        .map(|r| Ok((UserId::new(r.try_get("id")?), r.try_get("display_name")?, r.try_get::<i64, _>("lead")? > 0)))
        .collect::<Result<Vec<_>>>()?;
        let locked = sqlx::query(
            "SELECT c.name, o.k FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released'
               AND o.version = (SELECT MIN(o2.version) FROM overall_reports o2 WHERE o2.cycle_id = o.cycle_id AND o2.state = 'released')
             ORDER BY c.starts_on DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("name")?, u32::try_from(r.try_get::<i64, _>("k")?).unwrap_or(0))))
        .collect::<Result<Vec<_>>>()?;
        Ok(ReportSettings { k: u32::try_from(k).unwrap_or(KThreshold::DEFAULT.get()), consultants, locked })
    }

    /// HR sets the threshold k (5 or more; cycles already released keep theirs) and the lead
    /// consultants, audited. Returns whether anything changed.
    pub async fn set_report_settings(&self, me: &Acting<Hr>, k: &str, leads: &[UserId]) -> Result<bool> {
        let ctx = me.ctx();
        ctx.check(Operation::ManageReportSettings)?;
        let parsed = k
            .trim()
            .parse::<i64>()
            .map_err(|_| domain::Invalid::new("k", "集計の最小人数を数字で入力してください。", "Enter the minimum group size as a number"));
        let k = KThreshold::parse(parsed?).map_err(|e| domain::Invalid { field: "k", message: e.message })?;
        let current = self.report_settings(ctx).await?;
        let valid: BTreeSet<UserId> = current.consultants.iter().map(|(u, _, _)| *u).collect();
        let wanted: BTreeSet<UserId> = leads.iter().copied().filter(|u| valid.contains(u)).collect();
        let had: BTreeSet<UserId> = current.consultants.iter().filter(|c| c.2).map(|c| c.0).collect();
        if current.k == k.get() && wanted == had {
            return Ok(false);
        }
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        sqlx::query("UPDATE tenants SET k_threshold = $1 WHERE id = $2")
            .bind(i64::from(k.get()))
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM report_leads WHERE tenant_id = $1").bind(ctx.tenant.get()).execute(&mut *tx).await?;
        for u in &wanted {
            sqlx::query("INSERT INTO report_leads (tenant_id, user_id, added_at) VALUES ($1, $2, $3)")
                .bind(ctx.tenant.get())
                .bind(u.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let detail = AuditDetail::of(Fact::N(Key::Was, i64::from(current.k)))
            .and(Fact::N(Key::To, i64::from(k.get())))
            .and(Fact::N(Key::Consultants, wanted.len() as i64));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ReportSettingsChanged, AuditTarget::ReportSettings, "").detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

fn moved_on() -> StoreError {
    StoreError::Conflict(domain::Message::new(
        "この全体報告書は他の方が先に更新しました。最新の状態をご確認ください。",
        "Someone else changed this overall report meanwhile. Check its latest state.",
    ))
}

/// Test and demo support: the whole flow for one cycle in one call, as the given consultant
/// (draft, narrative) and approver (approve, release).
impl Store {
    pub async fn draft_and_release_overall(
        &self,
        author: &Ctx,
        approver: &Ctx,
        cycle: i64,
        narrative: &Narrative,
        release: bool,
    ) -> Result<OverallReportId> {
        let id = self.start_overall_report(author, cycle).await?;
        self.save_overall_narrative(author, id, narrative).await?;
        if release {
            self.approve_overall_report(approver, id).await?;
            self.release_overall_report(approver, id).await?;
        }
        Ok(id)
    }
}

impl Store {
    /// Clears the kept preview of every released version (versions before this change kept
    /// theirs: 18 MB a row at 100,000 employees). A released version is read from its snapshot
    /// only. Runs when the store opens; nothing to do afterwards.
    pub(crate) async fn clear_released_previews(&self) -> Result<()> {
        sqlx::query("UPDATE overall_reports SET preview = NULL, preview_at = NULL WHERE state = 'released' AND preview IS NOT NULL")
            .execute(&self.db.write)
            .await?;
        Ok(())
    }

    /// Moves the unsealed member sets that versions before migration 17 kept per release
    /// (`overall_report_sets`) into the sealed ledger, then deletes them: the sets of attribute
    /// cells said who carries an attribute. Those sets count for every measure (the cautious
    /// reading, `Ledger::legacy`). Runs when the store opens; nothing to do afterwards.
    pub(crate) async fn seal_legacy_ledgers(&self) -> Result<()> {
        let reports = sqlx::query("SELECT DISTINCT report_id, tenant_id FROM overall_report_sets ORDER BY report_id")
            .fetch_all(&self.db.read)
            .await?;
        for r in &reports {
            let id: i64 = r.try_get("report_id")?;
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            let rows = sqlx::query("SELECT members FROM overall_report_sets WHERE report_id = $1 ORDER BY ord")
                .bind(id)
                .fetch_all(&self.db.read)
                .await?;
            let mut sets = Vec::with_capacity(rows.len());
            for row in &rows {
                let bytes: Vec<u8> = row.try_get("members")?;
                sets.push(breakdown::decode_set(&bytes).ok_or_else(|| StoreError::Config(format!("damaged ledger of release {id}")))?);
            }
            let mut ledger = Ledger::legacy(id, sets);
            let mut tx = self.db.write.begin().await?;
            let existing: Option<i64> = sqlx::query("SELECT ledger_sealed_id FROM overall_reports WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get::<Option<i64>, _>("ledger_sealed_id"))
                .transpose()?
                .flatten();
            if let Some(sealed) = existing {
                // Both kinds (should not happen): keep both, merged.
                let text = self.open_system_secret(tenant, SealedId::new(sealed)).await?;
                let newer = decode_ledger(id, &text)?;
                ledger = merge_ledgers(ledger, newer);
                self.reseal_in_tx(&mut tx, tenant, SealedId::new(sealed), &encode_ledger(&ledger)).await?;
            } else {
                let sealed = self.seal_in_tx(&mut tx, tenant, LEDGER_PURPOSE, &encode_ledger(&ledger)).await?;
                sqlx::query("UPDATE overall_reports SET ledger_sealed_id = $1 WHERE id = $2")
                    .bind(sealed.get())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM overall_report_sets WHERE report_id = $1").bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

fn merge_ledgers(mut a: Ledger, b: Ledger) -> Ledger {
    let offset = a.groups.len() as u32;
    a.groups.extend(b.groups);
    a.entries.extend(b.entries.into_iter().map(|mut e| {
        e.shown.iter_mut().chain(e.hidden.iter_mut()).for_each(|i| *i += offset);
        e
    }));
    a
}

#[cfg(test)]
mod tests {
    use domain::management_report::trends;
    use domain::overall_report::{Cell, Dimensions, PopulationInfo, Table, POPULATION_RULE};
    use std::collections::BTreeMap;

    use super::*;

    /// A release of `n` people with a whole-population table and a large department table.
    fn release(cycle: i64, version: i64, n: u64, flagged: u64) -> OverallReport {
        let whole = vec![
            Cell::new(BTreeMap::new(), &Measure::People, Some((n, n as f64))),
            Cell::new(BTreeMap::new(), &Measure::LifeSafety, Some((n, flagged as f64))),
            Cell::new(BTreeMap::new(), &Measure::OrganizationalResponse, None),
        ];
        let departments = (0..500)
            .flat_map(|i| {
                let group: BTreeMap<Dimension, String> = [(Dimension::Department, format!("本部{}/部{i}", i % 7))].into();
                [Cell::new(group.clone(), &Measure::People, Some((12, 12.0))), Cell::new(group, &Measure::LifeSafety, None)]
            })
            .collect();
        OverallReport {
            tenant: "t".into(),
            cycle: CycleRef { id: cycle, name: format!("FY{cycle}") },
            version,
            released_at: Some("2026-04-01T00:00:00Z".into()),
            k: 10,
            population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-04-01T00:00:00Z".into(), n: Some(n) },
            dimensions: Dimensions::default(),
            tables: vec![
                Table { name: "overall".into(), by: vec![], cells: whole },
                Table { name: "department".into(), by: vec![Dimension::Department], cells: departments },
            ],
        }
    }

    #[test]
    fn the_trend_from_the_streaming_read_is_the_trend_from_the_full_parse() {
        let stored: Vec<String> = [release(1, 1, 400, 20), release(2, 1, 500, 30), release(2, 2, 520, 31), release(3, 1, 610, 0)]
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default())
            .collect();
        let full: Vec<OverallReport> = stored.iter().filter_map(|s| parse_snapshot(s).ok()).collect();
        let streamed: Vec<OverallReport> = stored.iter().filter_map(|s| contract::read_whole_population(s).ok()).collect();
        assert_eq!((full.len(), streamed.len()), (4, 4));
        assert_eq!(trends(&streamed), trends(&full), "the management report's trend");
        for (s, f) in streamed.iter().zip(&full) {
            assert_eq!(s.tables.len(), 1, "the whole-population table only");
            assert_eq!(s.tables[0], f.tables[0], "the overall report's trend reads the same whole");
            assert_eq!((&s.cycle, s.version, s.k, &s.population), (&f.cycle, f.version, f.k, &f.population));
        }
        let chosen = read_snapshot(&stored[0], &TableChoice::FirstOffered).map(|p| p.report.tables.len()).ok();
        assert_eq!(chosen, Some(2), "a page without a choice reads the first breakdown with a shown cell");
    }
}
