//! The management report (経営層への報告, R5): HR composes it per cycle from a released version of
//! the overall report, the important cases HR marked for it (`important_cases`), the
//! organizational issues and HR's own commentary (sealed); executives read released versions.
//!
//! Versions: HR drafts a version (one draft per cycle at a time), writes the commentary and
//! releases it. Releasing freezes it: which cases (and which version of each case's text) it
//! holds, their status and a sealed copy of their solution, the organizational issues with their
//! status and a sealed copy of their title. A released version is never changed; a later one is
//! a new version.
//!
//! A case's summary is never copied: every read derives the case's consent state from the ledger
//! at the time of the read and shows it only when `domain::management_report::case_released_to`
//! releases the frozen version of its text to the reader (a holder of personnel authority reads
//! none). A withdrawal removes the case from every later view and export; the reader learns how
//! many cases are not shown, never which. Every read opens its sealed texts through the gate with
//! the policy's permit for the report (`ReadManagementReports`), audited.

use crate::paging::{PageRequest, Paged};
use crate::{now_ms, Acting, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::consent::DisclosureState;
use domain::ids::{DisclosureId, SealedId, TenantId};
use domain::management_report::{
    case_released_to, check_commentary, check_releasable, rfc3339, summary_figures, trends, CaseDoc, IssueDoc, ManagementReportDoc,
    OverallRef, TrendPoint,
};
use domain::overall_report::{CycleRef, OverallReport};
use domain::policy::{self, Actor, AggregateState, ManagementReportFacts, Operation, OverallReportFacts, Permit, Target};
use domain::{Message, Role};
use sqlx::Row;
use std::fmt;

const COMMENTARY: &str = "management_commentary";
const CASE_SOLUTION: &str = "management_case_solution";
const ISSUE_TITLE: &str = "management_issue_title";

/// The most organizational issues one report lists.
const ISSUES_MAX: i64 = 200;

/// A management report version's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManagementReportId(i64);

impl ManagementReportId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ManagementReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A version as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagementReportRow {
    pub id: ManagementReportId,
    pub cycle: CycleRef,
    pub version: i64,
    pub state: AggregateState,
    pub overall_report_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub released_at: Option<i64>,
}

/// One version read whole, as its reader may see it now.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagementReportView {
    pub row: ManagementReportRow,
    pub doc: ManagementReportDoc,
    /// The reader holds personnel authority: no case is shown to them.
    pub personnel_authority: bool,
    /// The reader may edit and release it (HR, a draft).
    pub can_compose: bool,
}

/// A released overall report HR may build a management report on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverallChoice {
    pub id: i64,
    pub cycle: CycleRef,
    pub version: i64,
    pub released_at: Option<i64>,
    /// The latest released version of its cycle.
    pub latest: bool,
    /// Its cycle is closed (not the current one).
    pub cycle_closed: bool,
}

/// A released overall report version (migration 14's `overall_reports`), without its figures.
struct OverallVersion {
    id: i64,
    cycle_id: i64,
    cycle_name: String,
    cycle_closed: bool,
    version: i64,
    k: u32,
    released_at: Option<i64>,
}

struct Stored {
    row: ManagementReportRow,
    commentary: Option<SealedId>,
}

/// A case as the report holds it before the consent ledger is asked.
struct HeldCase {
    disclosure: DisclosureId,
    /// The version of the case's text the report holds (a draft: the current one).
    version: Option<i64>,
    status: String,
    solution: Option<SealedId>,
}

/// An issue as the report holds it.
struct HeldIssue {
    title: SealedId,
    status: String,
}

const SELECT: &str = "SELECT m.id, m.cycle_id, c.name AS cycle_name, m.version, m.state, m.overall_report_id, m.commentary_sealed_id,
        m.created_at, m.updated_at, m.released_at
     FROM management_reports m JOIN cycles c ON c.id = m.cycle_id";

fn stored(r: &sqlx::any::AnyRow) -> Result<Stored> {
    let state: String = r.try_get("state")?;
    Ok(Stored {
        row: ManagementReportRow {
            id: ManagementReportId::new(r.try_get("id")?),
            cycle: CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("cycle_name")? },
            version: r.try_get("version")?,
            state: AggregateState::parse(&state).ok_or_else(|| StoreError::Config(format!("unknown management report state {state}")))?,
            overall_report_id: r.try_get("overall_report_id")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            released_at: r.try_get("released_at")?,
        },
        commentary: r.try_get::<Option<i64>, _>("commentary_sealed_id")?.map(SealedId::new),
    })
}

fn facts(tenant: TenantId, state: AggregateState) -> Target {
    Target::ManagementReport(ManagementReportFacts { tenant, state })
}

fn changed_meanwhile() -> StoreError {
    StoreError::Conflict(Message::new(
        "この報告は他の方が先に公開しました。最新の内容をご確認ください。",
        "Someone else released this report meanwhile. Check the latest state.",
    ))
}

/// Who reads: a signed-in actor (with the policy's permit) or an operator's export.
enum Reader {
    Actor(Actor),
    Operator,
}

impl Store {
    // ------------------------------------------------------------------ the overall reports

    /// One released overall report version of the tenant, or "not found".
    async fn released_overall(&self, tenant: TenantId, id: i64) -> Result<OverallVersion> {
        let r = sqlx::query(
            "SELECT o.id, o.cycle_id, c.name AS cycle_name, c.status AS cycle_status, o.version, o.k, o.released_at
             FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.id = $2 AND o.state = 'released'",
        )
        .bind(tenant.get())
        .bind(id)
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        overall_version(&r)
    }

    /// The released overall report versions of the tenant, newest cycle and version first.
    async fn released_overalls(&self, tenant: TenantId) -> Result<Vec<OverallVersion>> {
        let rows = sqlx::query(
            "SELECT o.id, o.cycle_id, c.name AS cycle_name, c.status AS cycle_status, o.version, o.k, o.released_at
             FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' ORDER BY c.starts_on DESC, o.cycle_id DESC, o.version DESC",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter().map(overall_version).collect()
    }

    /// Whether the actor reads released overall reports (HR and executives do).
    fn reads_overall(actor: &Actor, tenant: TenantId) -> bool {
        let f = OverallReportFacts { tenant, state: AggregateState::Released, actor_is_lead: false };
        policy::decide(actor, Operation::ReadOverallReports, Target::OverallReport(f)).is_allow()
    }

    /// The released overall reports HR may build a management report on, newest first.
    pub async fn management_report_sources(&self, me: &Acting<Hr>) -> Result<Vec<OverallChoice>> {
        let ctx = me.ctx();
        if !Self::reads_overall(&me.actor(), ctx.tenant) {
            return Ok(Vec::new());
        }
        let all = self.released_overalls(ctx.tenant).await?;
        let mut seen: Vec<i64> = Vec::new();
        Ok(all
            .into_iter()
            .map(|o| {
                let latest = !seen.contains(&o.cycle_id);
                seen.push(o.cycle_id);
                OverallChoice {
                    id: o.id,
                    cycle: CycleRef { id: o.cycle_id, name: o.cycle_name.clone() },
                    version: o.version,
                    released_at: o.released_at,
                    latest,
                    cycle_closed: o.cycle_closed,
                }
            })
            .collect())
    }

    /// The trends across cycles from the latest released overall report of each cycle, oldest
    /// first (figures only: they passed the anonymity engine). Empty for a role that reads no
    /// overall report.
    pub async fn management_trends(&self, ctx: &Ctx) -> Result<Vec<TrendPoint>> {
        let allowed = match ctx.policy_actor() {
            Some(actor) => Self::reads_overall(&actor, ctx.tenant),
            // An operator's export of a management report carries the same trends.
            None => ctx.is_operator(),
        };
        if !allowed {
            return Ok(Vec::new());
        }
        // The latest version of each cycle (newest first here), each read for its
        // whole-population table only, one snapshot at a time.
        let mut seen: Vec<i64> = Vec::new();
        let mut all: Vec<OverallReport> = Vec::new();
        for o in self.released_overalls(ctx.tenant).await? {
            if seen.contains(&o.cycle_id) {
                continue;
            }
            seen.push(o.cycle_id);
            all.push(self.whole_population_of(ctx.tenant, o.id).await?);
        }
        Ok(trends(&all))
    }

    // ------------------------------------------------------------------ composing

    async fn stored_report(&self, tenant: TenantId, id: ManagementReportId) -> Result<Stored> {
        let r = sqlx::query(&format!("{SELECT} WHERE m.tenant_id = $1 AND m.id = $2"))
            .bind(tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        stored(&r)
    }

    /// HR drafts a management report on a released overall report: a new version of its cycle's
    /// report. When the cycle already has a draft, that draft is answered (one at a time).
    pub async fn create_management_report(&self, me: &Acting<Hr>, overall_report_id: i64) -> Result<ManagementReportId> {
        let ctx = me.ctx();
        let actor = me.actor();
        if !policy::decide(&actor, Operation::ComposeManagementReports, facts(ctx.tenant, AggregateState::Draft)).is_allow() {
            return Err(self.refused(ctx, Operation::ComposeManagementReports, AuditTarget::ManagementReport, "").await);
        }
        let overall = self.released_overall(ctx.tenant, overall_report_id).await?;
        let existing = sqlx::query("SELECT id FROM management_reports WHERE tenant_id = $1 AND cycle_id = $2 AND state = 'draft'")
            .bind(ctx.tenant.get())
            .bind(overall.cycle_id)
            .fetch_optional(&self.db.read)
            .await?;
        if let Some(r) = existing {
            return Ok(ManagementReportId::new(r.try_get("id")?));
        }
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let version: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM management_reports WHERE tenant_id = $1 AND cycle_id = $2")
                .bind(ctx.tenant.get())
                .bind(overall.cycle_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("v")?;
        let id: i64 = sqlx::query(
            "INSERT INTO management_reports (tenant_id, cycle_id, version, state, overall_report_id, created_at, created_by, updated_at)
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $5) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(overall.cycle_id)
        .bind(version)
        .bind(overall.id)
        .bind(now)
        .bind(actor.user().get())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let detail = AuditDetail::of(Fact::N(Key::Cycle, overall.cycle_id)).n(Key::Step, version);
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::ManagementReportWritten, AuditTarget::ManagementReport, id).detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(ManagementReportId::new(id))
    }

    /// HR saves the commentary of a draft (sealed), audited. A released version answers that it
    /// changed meanwhile; anyone else's tenant or a missing id "not found".
    pub async fn save_management_commentary(&self, me: &Acting<Hr>, id: ManagementReportId, text: &str) -> Result<()> {
        let ctx = me.ctx();
        let s = self.stored_report(ctx.tenant, id).await?;
        if !policy::decide(&me.actor(), Operation::ComposeManagementReports, facts(ctx.tenant, s.row.state)).is_allow() {
            if s.row.state == AggregateState::Released
                && policy::decide(&me.actor(), Operation::ReadManagementReports, facts(ctx.tenant, s.row.state)).is_allow()
            {
                return Err(changed_meanwhile());
            }
            return Err(self.refused(ctx, Operation::ComposeManagementReports, AuditTarget::ManagementReport, id).await);
        }
        let text = check_commentary(text).map_err(StoreError::problems)?;
        let mut tx = self.db.write.begin().await?;
        let sealed = match (s.commentary, text.is_empty()) {
            (Some(sid), _) => {
                self.reseal_in_tx(&mut tx, ctx.tenant, sid, &text).await?;
                Some(sid)
            }
            (None, true) => None,
            (None, false) => Some(self.seal_in_tx(&mut tx, ctx.tenant, COMMENTARY, &text).await?),
        };
        let done = sqlx::query(
            "UPDATE management_reports SET commentary_sealed_id = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND state = 'draft'",
        )
        .bind(sealed.map(|s| s.get()))
        .bind(now_ms())
        .bind(ctx.tenant.get())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(changed_meanwhile());
        }
        let detail = AuditDetail::of(Fact::N(Key::Count, text.chars().count() as i64));
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::ManagementReportWritten, AuditTarget::ManagementReport, id).detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// HR releases a draft: it freezes which cases it holds (marked for the report and granted
    /// now, the version of each text), their status and solution, the organizational issues with
    /// their status and title, and the release is audited. A draft without commentary is refused
    /// (say what to do); a released one answers that it changed meanwhile.
    pub async fn release_management_report(&self, me: &Acting<Hr>, id: ManagementReportId) -> Result<()> {
        let ctx = me.ctx();
        let actor = me.actor();
        let s = self.stored_report(ctx.tenant, id).await?;
        if !policy::decide(&actor, Operation::ComposeManagementReports, facts(ctx.tenant, s.row.state)).is_allow() {
            if s.row.state == AggregateState::Released {
                return Err(changed_meanwhile());
            }
            return Err(self.refused(ctx, Operation::ComposeManagementReports, AuditTarget::ManagementReport, id).await);
        }
        let has_commentary = match s.commentary {
            Some(_) => "x",
            None => "",
        };
        check_releasable(has_commentary).map_err(StoreError::problems)?;
        // The cases to freeze: marked and granted now. Which cases is decided as for an HR reader
        // without personnel authority (the releaser opens none of them; a holder of personnel
        // authority still reads none later).
        let as_hr = Actor::new(actor.user(), ctx.tenant, Role::Hr);
        let marked = self.marked_cases(ctx.tenant).await?;
        let standings = self.case_standings(ctx, &marked.iter().map(|c| c.disclosure).collect::<Vec<_>>()).await?;
        let issues = self.live_issues(ctx.tenant).await?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE management_reports SET state = 'released', released_at = $1, released_by = $2, updated_at = $1
             WHERE tenant_id = $3 AND id = $4 AND state = 'draft'",
        )
        .bind(now)
        .bind(actor.user().get())
        .bind(ctx.tenant.get())
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(changed_meanwhile());
        }
        let mut cases = 0i64;
        for c in &marked {
            let Some((f, st, _)) = standings.get(&c.disclosure) else { continue };
            let Some(version) = case_released_to(f, *st, &as_hr) else { continue };
            let solution = match c.solution {
                Some(sid) => Some(copy_sealed(&mut tx, ctx.tenant, sid, CASE_SOLUTION).await?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO management_report_cases (report_id, tenant_id, disclosure_id, disclosure_version, status, solution_sealed_id, position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(c.disclosure.get())
            .bind(version)
            .bind(&c.status)
            .bind(solution.map(|s| s.get()))
            .bind(cases)
            .execute(&mut *tx)
            .await?;
            cases += 1;
        }
        for (i, (issue_id, issue)) in issues.iter().enumerate() {
            let title = copy_sealed(&mut tx, ctx.tenant, issue.title, ISSUE_TITLE).await?;
            sqlx::query(
                "INSERT INTO management_report_issues (report_id, tenant_id, org_issue_id, status, title_sealed_id, position)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(*issue_id)
            .bind(&issue.status)
            .bind(title.get())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        let detail =
            AuditDetail::of(Fact::Transition { from: "draft", to: "released" }).n(Key::Count, cases).n(Key::Offset, issues.len() as i64);
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::ManagementReportReleased, AuditTarget::ManagementReport, id).detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cases HR marked for the management report, with HR's status and solution.
    async fn marked_cases(&self, tenant: TenantId) -> Result<Vec<HeldCase>> {
        let rows = sqlx::query(
            "SELECT disclosure_id, status, solution_sealed_id FROM important_cases
             WHERE tenant_id = $1 AND in_management_report = 1 ORDER BY disclosure_id",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HeldCase {
                    disclosure: DisclosureId::new(r.try_get("disclosure_id")?),
                    version: None,
                    status: r.try_get("status")?,
                    solution: r.try_get::<Option<i64>, _>("solution_sealed_id")?.map(SealedId::new),
                })
            })
            .collect()
    }

    /// The tenant's organizational issues now: open first, then in progress, then resolved.
    async fn live_issues(&self, tenant: TenantId) -> Result<Vec<(i64, HeldIssue)>> {
        let rows = sqlx::query(&format!(
            "SELECT id, title_sealed_id, status FROM org_issues WHERE tenant_id = $1
             ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END, created_at DESC, id DESC LIMIT {ISSUES_MAX}"
        ))
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((r.try_get("id")?, HeldIssue { title: SealedId::new(r.try_get("title_sealed_id")?), status: r.try_get("status")? }))
            })
            .collect()
    }

    // ------------------------------------------------------------------ reading

    /// The versions the acting role reads (HR: every version; an executive: released ones),
    /// newest first, paged in SQL. Anyone else reads none.
    pub async fn management_report_page(&self, ctx: &Ctx, page: PageRequest) -> Result<Paged<ManagementReportRow>> {
        let actor = ctx.actor()?;
        let reads = |state| policy::decide(&actor, Operation::ReadManagementReports, facts(ctx.tenant, state)).is_allow();
        if !reads(AggregateState::Released) {
            return Ok(Paged { total: 0, items: Vec::new() });
        }
        let released_only = i64::from(!reads(AggregateState::Draft));
        let cond = "m.tenant_id = $1 AND ($2 = 0 OR m.state = 'released')";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM management_reports m WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(released_only)
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE {cond} ORDER BY c.starts_on DESC, m.cycle_id DESC, m.version DESC, m.id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(ctx.tenant.get())
        .bind(released_only)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.db.read)
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let s = stored(r)?;
            if reads(s.row.state) {
                items.push(s.row);
            }
        }
        Ok(Paged { total, items })
    }

    /// One version as the reader may see it now, audited. A version the reader may not read (a
    /// draft, for an executive) answers as one that does not exist.
    pub async fn management_report(&self, ctx: &Ctx, id: ManagementReportId) -> Result<ManagementReportView> {
        let actor = ctx.actor()?;
        let s = self.stored_report(ctx.tenant, id).await?;
        let Some(permit) = policy::permit(&actor, Operation::ReadManagementReports, facts(ctx.tenant, s.row.state)) else {
            return Err(self.refused(ctx, Operation::ReadManagementReports, AuditTarget::ManagementReport, id).await);
        };
        self.open_report(ctx, Reader::Actor(actor), permit, s).await
    }

    /// A released version as [`Store::management_report`] reads it, for a download (PDF, CSV):
    /// a draft answers exactly as a version that does not exist, before any check or audited
    /// read, to every role (HR too).
    pub async fn released_management_report_by_id(&self, ctx: &Ctx, id: ManagementReportId) -> Result<ManagementReportView> {
        let actor = ctx.actor()?;
        let s = self.stored_report(ctx.tenant, id).await?;
        if s.row.state != AggregateState::Released {
            return Err(StoreError::NotFound);
        }
        let Some(permit) = policy::permit(&actor, Operation::ReadManagementReports, facts(ctx.tenant, s.row.state)) else {
            return Err(self.refused(ctx, Operation::ReadManagementReports, AuditTarget::ManagementReport, id).await);
        };
        self.open_report(ctx, Reader::Actor(actor), permit, s).await
    }

    /// The latest released version of the tenant's newest cycle that has one, as the reader may
    /// see it now (the executive's home); `None` when nothing is released or the role reads none.
    pub async fn latest_management_report(&self, ctx: &Ctx) -> Result<Option<ManagementReportView>> {
        let actor = ctx.actor()?;
        let Some(permit) = policy::permit(&actor, Operation::ReadManagementReports, facts(ctx.tenant, AggregateState::Released)) else {
            return Ok(None);
        };
        let r = sqlx::query(&format!(
            "{SELECT} WHERE m.tenant_id = $1 AND m.state = 'released' ORDER BY c.starts_on DESC, m.cycle_id DESC, m.version DESC LIMIT 1"
        ))
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?;
        match r {
            Some(r) => Ok(Some(self.open_report(ctx, Reader::Actor(actor), permit, stored(&r)?).await?)),
            None => Ok(None),
        }
    }

    /// A cycle's released version (its name, or `latest` for the newest cycle with a release;
    /// without `version`, the latest released version), as the API and the command line serve
    /// it: to HR and executives, and to an operator's export. No release answers "not found".
    pub async fn released_management_report(&self, ctx: &Ctx, cycle: &str, version: Option<i64>) -> Result<ManagementReportView> {
        let (reader, permit) = match ctx.policy_actor() {
            Some(actor) => {
                let p = policy::permit(&actor, Operation::ReadManagementReports, facts(ctx.tenant, AggregateState::Released))
                    .ok_or(StoreError::NotFound)?;
                (Reader::Actor(actor), p)
            }
            None if ctx.is_operator() => {
                (Reader::Operator, policy::operator_permit(ctx.tenant, Operation::ReadManagementReports).ok_or(StoreError::NotFound)?)
            }
            None => return Err(StoreError::NotFound),
        };
        let latest = cycle.trim() == "latest";
        let r = sqlx::query(&format!(
            "{SELECT} WHERE m.tenant_id = $1 AND m.state = 'released' AND ($2 = 1 OR c.name = $3) AND ($4 = 0 OR m.version = $5)
             ORDER BY c.starts_on DESC, m.cycle_id DESC, m.version DESC LIMIT 1"
        ))
        .bind(ctx.tenant.get())
        .bind(i64::from(latest))
        .bind(cycle.trim())
        .bind(i64::from(version.is_some()))
        .bind(version.unwrap_or(0))
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        self.open_report(ctx, reader, permit, stored(&r)?).await
    }

    /// Reads a version whole with `permit`: the overall report it is built on, the cases the
    /// ledger releases to the reader now, the issues and the commentary, opened through the gate
    /// under one audited read (and one disclosure read per case shown).
    async fn open_report(&self, ctx: &Ctx, reader: Reader, permit: Permit, s: Stored) -> Result<ManagementReportView> {
        let id = s.row.id;
        let overall = self.released_overall(ctx.tenant, s.row.overall_report_id).await?;
        // Its whole-population figures only (the summary): no other table is kept.
        let whole = self.whole_population_of(ctx.tenant, overall.id).await?;
        let released = s.row.state == AggregateState::Released;
        let (held_cases, held_issues) =
            if released { self.frozen_parts(ctx.tenant, id).await? } else { self.live_parts(ctx.tenant).await? };
        let standings = self.case_standings(ctx, &held_cases.iter().map(|c| c.disclosure).collect::<Vec<_>>()).await?;
        let personnel_authority = matches!(&reader, Reader::Actor(a) if a.has_personnel_authority());
        // The cases shown: released to this reader now, at the version the report holds.
        let mut shown: Vec<(&HeldCase, SealedId)> = Vec::new();
        for c in &held_cases {
            let Some((f, st, text)) = standings.get(&c.disclosure) else { continue };
            let now_released = match &reader {
                Reader::Actor(a) => case_released_to(f, *st, a),
                Reader::Operator => (*st == DisclosureState::Granted).then_some(f.version),
            };
            let wanted = c.version.unwrap_or(f.version);
            if now_released == Some(wanted) && f.version == wanted {
                shown.push((c, *text));
            }
        }
        let withheld = (held_cases.len() - shown.len()) as u64;
        let mut seals: Vec<SealedId> = Vec::new();
        seals.extend(s.commentary);
        for (c, text) in &shown {
            seals.push(*text);
            seals.extend(c.solution);
        }
        seals.extend(held_issues.iter().map(|i| i.title));
        let mut events = vec![ctx
            .event(AuditAction::ManagementReportRead, AuditTarget::ManagementReport, id)
            .detail(AuditDetail::count(shown.len()).n(Key::Left, withheld as i64))];
        for (c, _) in &shown {
            events.push(
                ctx.event(AuditAction::DisclosureRead, AuditTarget::Disclosure, c.disclosure)
                    .detail(AuditDetail::of(Fact::Name(Key::Purpose, "management_report"))),
            );
        }
        let mut texts = self.open_permitted(ctx, &permit, &events, &seals).await?;
        let mut take = |sid: Option<SealedId>| sid.and_then(|s| texts.remove(&s)).unwrap_or_default();
        let commentary = take(s.commentary);
        let cases: Vec<CaseDoc> = shown
            .iter()
            .map(|(c, text)| CaseDoc { summary: take(Some(*text)), solution: take(c.solution), status: c.status.clone() })
            .collect();
        let org_issues: Vec<IssueDoc> =
            held_issues.iter().map(|i| IssueDoc { title: take(Some(i.title)), status: i.status.clone() }).collect();
        let slug: String =
            sqlx::query("SELECT slug FROM tenants WHERE id = $1").bind(ctx.tenant.get()).fetch_one(&self.db.read).await?.try_get("slug")?;
        let can_compose = match &reader {
            Reader::Actor(a) => policy::decide(a, Operation::ComposeManagementReports, facts(ctx.tenant, s.row.state)).is_allow(),
            Reader::Operator => false,
        };
        let doc = ManagementReportDoc {
            tenant: slug,
            cycle: s.row.cycle.clone(),
            version: s.row.version,
            state: s.row.state.as_str().to_string(),
            released_at: s.row.released_at.and_then(rfc3339),
            overall_report: OverallRef {
                id: overall.id,
                version: overall.version,
                released_at: overall.released_at.and_then(rfc3339),
                k: overall.k,
                population: whole.population.n,
            },
            figures: summary_figures(&whole),
            cases,
            cases_withheld: withheld,
            org_issues,
            commentary,
        };
        Ok(ManagementReportView { row: s.row, doc, personnel_authority, can_compose })
    }

    /// What a released version froze.
    async fn frozen_parts(&self, tenant: TenantId, id: ManagementReportId) -> Result<(Vec<HeldCase>, Vec<HeldIssue>)> {
        let rows = sqlx::query(
            "SELECT disclosure_id, disclosure_version, status, solution_sealed_id FROM management_report_cases
             WHERE tenant_id = $1 AND report_id = $2 ORDER BY position",
        )
        .bind(tenant.get())
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        let cases = rows
            .iter()
            .map(|r| {
                Ok(HeldCase {
                    disclosure: DisclosureId::new(r.try_get("disclosure_id")?),
                    version: Some(r.try_get("disclosure_version")?),
                    status: r.try_get("status")?,
                    solution: r.try_get::<Option<i64>, _>("solution_sealed_id")?.map(SealedId::new),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT title_sealed_id, status FROM management_report_issues WHERE tenant_id = $1 AND report_id = $2 ORDER BY position",
        )
        .bind(tenant.get())
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        let issues = rows
            .iter()
            .map(|r| Ok(HeldIssue { title: SealedId::new(r.try_get("title_sealed_id")?), status: r.try_get("status")? }))
            .collect::<Result<Vec<_>>>()?;
        Ok((cases, issues))
    }

    /// What a draft shows: the cases marked now, the issues now.
    async fn live_parts(&self, tenant: TenantId) -> Result<(Vec<HeldCase>, Vec<HeldIssue>)> {
        let cases = self.marked_cases(tenant).await?;
        let issues = self.live_issues(tenant).await?.into_iter().map(|(_, i)| i).collect();
        Ok((cases, issues))
    }
}

/// Copies a sealed value of the tenant under a new purpose inside the caller's transaction,
/// without opening it (the ciphertext is bound to the tenant, not to the row).
async fn copy_sealed(tx: &mut sqlx::Transaction<'static, sqlx::Any>, tenant: TenantId, from: SealedId, purpose: &str) -> Result<SealedId> {
    let now = now_ms();
    let r = sqlx::query(
        "INSERT INTO sealed_texts (tenant_id, purpose, key_id, nonce, ciphertext, created_at, updated_at)
         SELECT tenant_id, $1, key_id, nonce, ciphertext, $2, $2 FROM sealed_texts WHERE tenant_id = $3 AND id = $4 RETURNING id",
    )
    .bind(purpose)
    .bind(now)
    .bind(tenant.get())
    .bind(from.get())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(SealedId::new(r.try_get("id")?))
}

fn overall_version(r: &sqlx::any::AnyRow) -> Result<OverallVersion> {
    let k: i64 = r.try_get("k")?;
    Ok(OverallVersion {
        id: r.try_get("id")?,
        cycle_id: r.try_get("cycle_id")?,
        cycle_name: r.try_get("cycle_name")?,
        cycle_closed: r.try_get::<String, _>("cycle_status")? == "closed",
        version: r.try_get("version")?,
        k: u32::try_from(k).unwrap_or(u32::MAX),
        released_at: r.try_get("released_at")?,
    })
}
