//! The yearly review (年次レビュー, R11, R12) of a closed cycle and the comparison of cycles.
//!
//! A review is opened as a draft when its cycle is closed (`Store::set_cycle_status`), or by HR
//! for a cycle closed before reviews existed; its figures are computed then (program counts of
//! the cycle, and the flags and issue tags of the cycle's latest released overall report beside
//! the previous cycle's) and again whenever HR asks, until HR finalizes it. Proposals for next
//! year and the improvement plan are program-level text (they name nobody; the form says so) and
//! are stored plain. The comparison reads released overall reports only, so each figure it shows
//! passed the anonymity engine with every earlier release in its ledger. Every read and write is
//! decided by `domain::policy` (`Target::YearlyReview`) and audited.

use crate::{now_ms, Acting, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::ids::{CycleId, TenantId, UserId};
use domain::management_report::rfc3339;
use domain::overall_report::{self as contract, CycleRef, Dimension, OverallReport, Take};
use domain::policy::{self, Operation, Target, YearlyReviewFacts};
use domain::yearly_review::{
    check_finalizable, check_plan, check_proposal, compare, group_figures, measure_trends, ActionTally, AwarenessChange, Comparison,
    ComparisonColumn, Participation, ReleaseRef, ReviewFigures, ReviewState,
};
use domain::{Message, Role};
use sqlx::Row;

/// Cycles the comparison shows at most, the newest ones.
pub const COMPARE_MAX: usize = 5;

/// A review as a list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct YearlyReviewRow {
    pub cycle: CycleRef,
    pub state: ReviewState,
    pub updated_at: i64,
    pub finalized_at: Option<i64>,
}

/// One proposal for next year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewProposal {
    pub author: String,
    pub role: Role,
    pub body: String,
    pub created_at: i64,
}

/// A review read whole, with what the reader may do with it.
#[derive(Clone, Debug, PartialEq)]
pub struct YearlyReview {
    pub row: YearlyReviewRow,
    pub figures: ReviewFigures,
    pub plan: String,
    pub proposals: Vec<ReviewProposal>,
    pub finalized_by: Option<String>,
    /// The reader may add a proposal (a draft; consultants, the supervisor, HR).
    pub may_propose: bool,
    /// The reader may write the plan, compute the figures again and finalize (HR, a draft).
    pub may_write: bool,
}

/// The comparison of cycles with the departments it can be narrowed to.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleComparison {
    pub comparison: Comparison,
    /// Department labels of the newest release (the top two levels), to narrow the comparison.
    pub departments: Vec<String>,
}

/// The latest released overall report of one cycle.
struct Release {
    id: i64,
    version: i64,
    cycle: CycleRef,
}

struct Stored {
    id: i64,
    row: YearlyReviewRow,
    figures: String,
    plan: String,
    finalized_by: Option<i64>,
}

fn changed_meanwhile() -> StoreError {
    StoreError::Conflict(Message::new(
        "この年次レビューは他の方が先に確定しました。最新の内容をご確認ください。",
        "Someone else finalized this yearly review meanwhile. Check the latest state.",
    ))
}

fn not_closed() -> StoreError {
    StoreError::problems(vec![domain::Invalid::new(
        "cycle",
        "年次レビューは、実施年度を「終了」にしてから作成できます。",
        "A yearly review is opened once the cycle is closed",
    )])
}

fn facts(tenant: TenantId, state: ReviewState) -> Target {
    Target::YearlyReview(YearlyReviewFacts { tenant, state })
}

fn damaged(e: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("damaged yearly review figures: {e}"))
}

impl Store {
    /// The figures of a cycle now: its program counts, and the flags and issue tags of its latest
    /// released overall report beside the previous cycle's (released figures only).
    pub(crate) async fn yearly_figures(&self, ctx: &Ctx, cycle: CycleId) -> Result<ReviewFigures> {
        let tenant = ctx.tenant;
        let o = self.cycle_overview(tenant, cycle).await?;
        let participation = Participation {
            targets: o.cycle.targets.max(0) as u64,
            interviewed: o.interviewed.max(0) as u64,
            interviews_held: o.interviews.held.max(0) as u64,
            reports_approved: o.reports.approved.max(0) as u64,
        };
        let releases = self.latest_releases(tenant).await?;
        // Newest cycle first: this cycle's release, then the first one of an earlier cycle.
        let at = releases.iter().position(|r| r.cycle.id == cycle.get());
        let starts: Vec<(i64, chrono::NaiveDate)> = self.cycles(tenant).await?.iter().map(|c| (c.id.get(), c.starts_on)).collect();
        let start_of = |id: i64| starts.iter().find(|(c, _)| *c == id).map(|(_, s)| *s);
        let this_start = o.cycle.starts_on;
        let previous = releases.iter().find(|r| r.cycle.id != cycle.get() && start_of(r.cycle.id).is_some_and(|s| s < this_start));
        let this_report = match at {
            Some(i) => Some(self.whole_population_of(tenant, releases[i].id).await?),
            None => None,
        };
        let previous_report = match previous {
            Some(r) => Some(self.whole_population_of(tenant, r.id).await?),
            None => None,
        };
        let measures = measure_trends(this_report.as_ref(), previous_report.as_ref());
        let release = at.map(|i| ReleaseRef {
            id: releases[i].id,
            version: releases[i].version,
            population: this_report.as_ref().and_then(|r| r.population.n),
        });
        // The awareness change: the default questionnaire's effect report (read through its
        // audited gate, as HR reads it), of which only the whole population's cell is kept.
        let awareness = match self.effect_report(ctx, cycle, domain::questionnaire::career_awareness::CODE, &[]).await {
            Ok(report) => AwarenessChange::of(&report),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let a = self.action_completion_of(tenant, cycle).await?;
        let n = |v: i64| v.max(0) as u64;
        let actions = Some(ActionTally {
            planned: n(a.planned),
            in_progress: n(a.in_progress),
            done: n(a.done),
            cancelled: n(a.cancelled),
            overdue: n(a.overdue),
            evaluated: n(a.evaluated),
        });
        Ok(ReviewFigures {
            actions,
            awareness,
            cycle: CycleRef { id: cycle.get(), name: o.cycle.name.clone() },
            computed_at: rfc3339(now_ms()).unwrap_or_default(),
            participation,
            release,
            previous: previous.map(|r| r.cycle.clone()),
            measures,
        })
    }

    /// The latest released version of each cycle, newest cycle first.
    async fn latest_releases(&self, tenant: TenantId) -> Result<Vec<Release>> {
        let rows = sqlx::query(
            "SELECT o.id, o.cycle_id, c.name AS cycle_name, o.version FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' ORDER BY c.starts_on DESC, o.cycle_id DESC, o.version DESC",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut out: Vec<Release> = Vec::new();
        for r in &rows {
            let cycle: i64 = r.try_get("cycle_id")?;
            if out.iter().any(|o| o.cycle.id == cycle) {
                continue;
            }
            out.push(Release {
                id: r.try_get("id")?,
                version: r.try_get("version")?,
                cycle: CycleRef { id: cycle, name: r.try_get("cycle_name")? },
            });
        }
        Ok(out)
    }

    /// Opens the yearly review of a closed cycle as a draft with its figures of now, unless it
    /// has one. The cycle's closing calls it; HR calls it for a cycle closed before reviews
    /// existed. Answers whether a review was opened.
    pub async fn open_yearly_review(&self, ctx: &Ctx, cycle: CycleId) -> Result<bool> {
        ctx.check(Operation::ManageCycles)?;
        let c = self.cycle(ctx.tenant, cycle).await?;
        if c.status != domain::cycle::CycleStatus::Closed {
            return Err(not_closed());
        }
        if self.stored_review(ctx.tenant, cycle).await?.is_some() {
            return Ok(false);
        }
        let figures = self.yearly_figures(ctx, cycle).await?;
        let json = serde_json::to_string(&figures).map_err(damaged)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "INSERT INTO yearly_reviews (tenant_id, cycle_id, state, figures, plan, created_at, updated_at)
             VALUES ($1, $2, 'draft', $3, '', $4, $4) ON CONFLICT (tenant_id, cycle_id) DO NOTHING",
        )
        .bind(ctx.tenant.get())
        .bind(cycle.get())
        .bind(&json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let detail = AuditDetail::of(Fact::Name(Key::Step, "opened"));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::YearlyReviewWritten, AuditTarget::YearlyReview, cycle).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn stored_review(&self, tenant: TenantId, cycle: CycleId) -> Result<Option<Stored>> {
        let r = sqlx::query(
            "SELECT y.id, y.cycle_id, c.name AS cycle_name, y.state, y.figures, y.plan, y.updated_at, y.finalized_at, y.finalized_by
             FROM yearly_reviews y JOIN cycles c ON c.id = y.cycle_id WHERE y.tenant_id = $1 AND y.cycle_id = $2",
        )
        .bind(tenant.get())
        .bind(cycle.get())
        .fetch_optional(&self.db.read)
        .await?;
        r.as_ref().map(stored).transpose()
    }

    /// The review of a cycle for a write: it exists and the actor may take `op` on it; else "not
    /// found" (audited), or, for a final review the actor reads, "changed meanwhile".
    async fn review_for(&self, ctx: &Ctx, cycle: CycleId, op: Operation) -> Result<Stored> {
        let actor = ctx.actor()?;
        let Some(s) = self.stored_review(ctx.tenant, cycle).await? else {
            return Err(self.refused(ctx, op, AuditTarget::YearlyReview, cycle).await);
        };
        if policy::decide(&actor, op, facts(ctx.tenant, s.row.state)).is_allow() {
            return Ok(s);
        }
        if s.row.state == ReviewState::Final
            && policy::decide(&actor, Operation::ReadYearlyReviews, facts(ctx.tenant, s.row.state)).is_allow()
        {
            return Err(changed_meanwhile());
        }
        Err(self.refused(ctx, op, AuditTarget::YearlyReview, cycle).await)
    }

    /// Adds a proposal for next year to a draft review (consultants, the supervisor, HR).
    pub async fn add_review_proposal(&self, ctx: &Ctx, cycle: CycleId, text: &str) -> Result<()> {
        let s = self.review_for(ctx, cycle, Operation::ProposeYearlyChanges).await?;
        let body = check_proposal(text).map_err(StoreError::problems)?;
        let actor = ctx.actor()?;
        let mut tx = self.db.write.begin().await?;
        // The review must still be a draft when the proposal lands.
        let open = sqlx::query("UPDATE yearly_reviews SET updated_at = $1 WHERE tenant_id = $2 AND id = $3 AND state = 'draft'")
            .bind(now_ms())
            .bind(ctx.tenant.get())
            .bind(s.id)
            .execute(&mut *tx)
            .await?;
        if open.rows_affected() == 0 {
            return Err(changed_meanwhile());
        }
        sqlx::query(
            "INSERT INTO yearly_review_proposals (tenant_id, review_id, author_id, author_role, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ctx.tenant.get())
        .bind(s.id)
        .bind(actor.user().get())
        .bind(actor.role().as_str())
        .bind(&body)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        let detail = AuditDetail::of(Fact::Name(Key::Step, "proposal")).n(Key::Count, body.chars().count() as i64);
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::YearlyReviewWritten, AuditTarget::YearlyReview, cycle).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// HR saves the improvement plan of a draft review.
    pub async fn save_review_plan(&self, me: &Acting<Hr>, cycle: CycleId, text: &str) -> Result<()> {
        let ctx = me.ctx();
        let s = self.review_for(ctx, cycle, Operation::WriteYearlyReviews).await?;
        let plan = check_plan(text).map_err(StoreError::problems)?;
        let count = plan.chars().count() as i64;
        self.update_draft(ctx, s.id, cycle, "plan", plan, count).await
    }

    /// HR computes the figures of a draft review again (a report released since, say).
    pub async fn refresh_yearly_review(&self, me: &Acting<Hr>, cycle: CycleId) -> Result<()> {
        let ctx = me.ctx();
        let s = self.review_for(ctx, cycle, Operation::WriteYearlyReviews).await?;
        let figures = self.yearly_figures(ctx, cycle).await?;
        let json = serde_json::to_string(&figures).map_err(damaged)?;
        self.update_draft(ctx, s.id, cycle, "figures", json, 0).await
    }

    /// Sets one column of a draft review, audited; a review finalized meanwhile is refused.
    async fn update_draft(&self, ctx: &Ctx, id: i64, cycle: CycleId, column: &'static str, value: String, count: i64) -> Result<()> {
        let mut tx = self.db.write.begin().await?;
        let sql = format!("UPDATE yearly_reviews SET {column} = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND state = 'draft'");
        let done = sqlx::query(&sql).bind(value).bind(now_ms()).bind(ctx.tenant.get()).bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(changed_meanwhile());
        }
        let detail = AuditDetail::of(Fact::Name(Key::Step, column)).n(Key::Count, count);
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::YearlyReviewWritten, AuditTarget::YearlyReview, cycle).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// HR finalizes a draft review: the figures are computed a last time and frozen with the
    /// plan. A review without a plan is refused (say what to do).
    pub async fn finalize_yearly_review(&self, me: &Acting<Hr>, cycle: CycleId) -> Result<()> {
        let ctx = me.ctx();
        let s = self.review_for(ctx, cycle, Operation::WriteYearlyReviews).await?;
        check_finalizable(&s.plan).map_err(StoreError::problems)?;
        let figures = self.yearly_figures(ctx, cycle).await?;
        let json = serde_json::to_string(&figures).map_err(damaged)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE yearly_reviews SET state = 'final', figures = $1, updated_at = $2, finalized_at = $2, finalized_by = $3
             WHERE tenant_id = $4 AND id = $5 AND state = 'draft'",
        )
        .bind(&json)
        .bind(now)
        .bind(me.actor().user().get())
        .bind(ctx.tenant.get())
        .bind(s.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(changed_meanwhile());
        }
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::YearlyReviewFinalized, AuditTarget::YearlyReview, cycle)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reviews the reader may read, newest cycle first (drafts left out for executives).
    pub async fn yearly_reviews(&self, ctx: &Ctx) -> Result<Vec<YearlyReviewRow>> {
        let actor = ctx.actor()?;
        let rows = sqlx::query(
            "SELECT y.id, y.cycle_id, c.name AS cycle_name, y.state, y.figures, y.plan, y.updated_at, y.finalized_at, y.finalized_by
             FROM yearly_reviews y JOIN cycles c ON c.id = y.cycle_id WHERE y.tenant_id = $1 ORDER BY c.starts_on DESC, c.id DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let s = stored(r)?;
            if policy::decide(&actor, Operation::ReadYearlyReviews, facts(ctx.tenant, s.row.state)).is_allow() {
                out.push(s.row);
            }
        }
        Ok(out)
    }

    /// Closed cycles without a review (HR may open one for each), newest first.
    pub async fn cycles_without_review(&self, ctx: &Ctx) -> Result<Vec<CycleRef>> {
        ctx.check(Operation::WriteYearlyReviews)?;
        let rows = sqlx::query(
            "SELECT c.id, c.name FROM cycles c WHERE c.tenant_id = $1 AND c.status = 'closed'
               AND NOT EXISTS (SELECT 1 FROM yearly_reviews y WHERE y.tenant_id = c.tenant_id AND y.cycle_id = c.id)
             ORDER BY c.starts_on DESC, c.id DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter().map(|r| Ok(CycleRef { id: r.try_get("id")?, name: r.try_get("name")? })).collect()
    }

    /// One cycle's review as the reader may see it, audited; a review the reader may not read (a
    /// draft, for an executive) answers as one that does not exist.
    pub async fn yearly_review(&self, ctx: &Ctx, cycle: CycleId) -> Result<YearlyReview> {
        let actor = ctx.actor()?;
        let Some(s) = self.stored_review(ctx.tenant, cycle).await? else {
            return Err(self.refused(ctx, Operation::ReadYearlyReviews, AuditTarget::YearlyReview, cycle).await);
        };
        if !policy::decide(&actor, Operation::ReadYearlyReviews, facts(ctx.tenant, s.row.state)).is_allow() {
            return Err(self.refused(ctx, Operation::ReadYearlyReviews, AuditTarget::YearlyReview, cycle).await);
        }
        let figures: ReviewFigures = serde_json::from_str(&s.figures).map_err(damaged)?;
        let rows = sqlx::query(
            "SELECT p.author_role, p.body, p.created_at, u.display_name FROM yearly_review_proposals p
             JOIN users u ON u.id = p.author_id WHERE p.tenant_id = $1 AND p.review_id = $2 ORDER BY p.id",
        )
        .bind(ctx.tenant.get())
        .bind(s.id)
        .fetch_all(&self.db.read)
        .await?;
        let proposals = rows
            .iter()
            .map(|r| {
                let role: String = r.try_get("author_role")?;
                Ok(ReviewProposal {
                    author: r.try_get("display_name")?,
                    role: Role::parse(&role).ok_or_else(|| StoreError::Config(format!("unknown role {role}")))?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let finalized_by = match s.finalized_by {
            Some(u) => self.display_name(ctx.tenant, UserId::new(u)).await?,
            None => None,
        };
        self.audit(ctx, ctx.event(AuditAction::YearlyReviewRead, AuditTarget::YearlyReview, cycle)).await?;
        let may = |op| policy::decide(&actor, op, facts(ctx.tenant, s.row.state)).is_allow();
        Ok(YearlyReview {
            may_propose: may(Operation::ProposeYearlyChanges),
            may_write: may(Operation::WriteYearlyReviews),
            row: s.row,
            figures,
            plan: s.plan,
            proposals,
            finalized_by,
        })
    }

    async fn display_name(&self, tenant: TenantId, user: UserId) -> Result<Option<String>> {
        let r = sqlx::query("SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.get())
            .bind(user.get())
            .fetch_optional(&self.db.read)
            .await?;
        r.map(|r| r.try_get("display_name")).transpose().map_err(Into::into)
    }

    /// The newest cycles side by side (at most [`COMPARE_MAX`], oldest first): program counts,
    /// and the figures of the whole population or of one department as each cycle's latest
    /// released overall report shows them. HR and executives; audited.
    pub async fn cycle_comparison(&self, ctx: &Ctx, department: Option<&str>) -> Result<CycleComparison> {
        ctx.check(Operation::CompareCycles)?;
        let releases = self.latest_releases(ctx.tenant).await?;
        let mut cycles = self.cycles(ctx.tenant).await?;
        cycles.sort_by(|a, b| a.starts_on.cmp(&b.starts_on).then(a.id.cmp(&b.id)));
        let newest: Vec<_> = cycles.iter().rev().take(COMPARE_MAX).rev().collect();
        let mut columns = Vec::with_capacity(newest.len());
        for c in newest {
            let o = self.cycle_overview(ctx.tenant, c.id).await?;
            let participation = Participation {
                targets: o.cycle.targets.max(0) as u64,
                interviewed: o.interviewed.max(0) as u64,
                interviews_held: o.interviews.held.max(0) as u64,
                reports_approved: o.reports.approved.max(0) as u64,
            };
            let (release, figures) = match releases.iter().find(|r| r.cycle.id == c.id.get()) {
                Some(r) => {
                    let report = match department {
                        Some(d) => self.department_cells_of(ctx.tenant, r.id, d).await?,
                        None => self.whole_population_of(ctx.tenant, r.id).await?,
                    };
                    let population = report.population.n;
                    (Some(ReleaseRef { id: r.id, version: r.version, population }), group_figures(&report, department))
                }
                None => (None, Vec::new()),
            };
            // The awareness change as the final review froze it (never recomputed here).
            let (awareness, actions) = match (department, self.stored_review(ctx.tenant, c.id).await?) {
                (None, Some(r)) if r.row.state == ReviewState::Final => {
                    let f = serde_json::from_str::<ReviewFigures>(&r.figures).map_err(damaged)?;
                    (f.awareness, f.actions)
                }
                _ => (None, None),
            };
            columns.push(ComparisonColumn {
                cycle: CycleRef { id: c.id.get(), name: c.name.clone() },
                participation,
                release,
                figures,
                awareness,
                actions,
            });
        }
        let departments = match releases.first() {
            Some(r) => {
                let report = self.whole_population_of(ctx.tenant, r.id).await?;
                report
                    .dimensions
                    .department
                    .map(|d| d.labels.into_iter().map(|l| l.label).filter(|l| l.matches('/').count() <= 1).collect())
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        let detail = match department {
            Some(_) => AuditDetail::of(Fact::N(Key::Count, columns.len() as i64)).and(Fact::Name(Key::Via, "department")),
            None => AuditDetail::of(Fact::N(Key::Count, columns.len() as i64)),
        };
        self.audit(ctx, ctx.event(AuditAction::YearlyReviewRead, AuditTarget::CycleComparison, "cycles").detail(detail)).await?;
        Ok(CycleComparison { comparison: compare(department.map(str::to_string), columns), departments })
    }

    /// A released version with, of its department tables, the cells of one department only.
    async fn department_cells_of(&self, tenant: TenantId, id: i64, department: &str) -> Result<OverallReport> {
        let text: Option<String> =
            sqlx::query("SELECT snapshot FROM overall_reports WHERE id = $1 AND tenant_id = $2 AND state = 'released'")
                .bind(id)
                .bind(tenant.get())
                .fetch_optional(&self.db.read)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("snapshot")?;
        let take = |_: &str, by: &[Dimension]| if by == [Dimension::Department] || by.is_empty() { Take::Whole } else { Take::Count };
        let keep = |c: &contract::Cell| c.group.is_empty() || c.group.get(&Dimension::Department).map(String::as_str) == Some(department);
        contract::read_tables_where(text.as_deref().unwrap_or("{}"), take, keep)
            .map(|p| p.report)
            .map_err(|e| StoreError::Config(format!("damaged overall report snapshot: {e}")))
    }
}

fn stored(r: &sqlx::any::AnyRow) -> Result<Stored> {
    let state: String = r.try_get("state")?;
    Ok(Stored {
        id: r.try_get("id")?,
        row: YearlyReviewRow {
            cycle: CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("cycle_name")? },
            state: ReviewState::parse(&state).ok_or_else(|| StoreError::Config(format!("unknown review state {state}")))?,
            updated_at: r.try_get("updated_at")?,
            finalized_at: r.try_get("finalized_at")?,
        },
        figures: r.try_get("figures")?,
        plan: r.try_get("plan")?,
        finalized_by: r.try_get("finalized_by")?,
    })
}
