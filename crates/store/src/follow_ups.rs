//! Additional and follow-up interviews (追加的キャリアコンサルティング面談, R7) and the previous
//! year's review (R11). A report's author plans items from its support plan: kind, due date and
//! what to follow up (sealed). An item is scheduled (an interview of its kind is created in the
//! same transaction), done when that interview is held, or closed with a sealed reason. Every
//! item is its consultant's only (`domain::policy::follow_up`); another user gets "not found".
//! The reminder job leaves one inbox notice (and its e-mail) per item when it is due soon and
//! one when it is overdue, each guarded by its column so that two servers never send it twice.

use crate::interviews::{lock_consultant, status_of};
use crate::paging::Paged;
use crate::{now_ms, today_jst, Acting, Consultant, Ctx, Hr, NewInterview, PageRequest, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::follow_up::{self as rules, FollowUpKind, FollowUpState, GroupCounts, Reminder, ShownCounts};
use domain::ids::{CycleId, EmployeeId, FollowUpId, InterviewId, ReportId, SealedId, TenantId, UserId};
use domain::interview::{InterviewMode, Slot};
use domain::notification::NotificationKind;
use domain::policy::{self, Actor, FollowUpFacts, InterviewFacts, Operation, Permit, PreviousPlanFacts, ReportFacts, Target};
use domain::report::ReportStatus;
use domain::Invalid;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// The sealed purpose of what to follow up.
pub(crate) const WHAT_PURPOSE: &str = "follow_up_what";
/// The sealed purpose of the reason an item was closed.
pub(crate) const REASON_PURPOSE: &str = "follow_up_reason";

/// The interview to schedule for an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpSlot {
    pub mode: InterviewMode,
    pub place: String,
    pub slot: Slot,
}

/// An item to plan from a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFollowUp {
    pub kind: FollowUpKind,
    pub due_on: Option<NaiveDate>,
    pub what: String,
    /// Schedule its interview at once; `None` leaves it a due item.
    pub schedule: Option<FollowUpSlot>,
}

/// One item as its consultant sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpRow {
    pub id: FollowUpId,
    pub report: ReportId,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub cycle_name: Option<String>,
    pub kind: FollowUpKind,
    pub due_on: NaiveDate,
    pub state: FollowUpState,
    pub overdue: bool,
    pub due_soon: bool,
    pub interview: Option<InterviewId>,
    pub interview_at: Option<i64>,
    pub what: String,
    /// Why it was closed (only on one item read; empty in lists).
    pub reason: String,
    pub created_at: i64,
}

/// Which items a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FollowUpFilter {
    #[default]
    All,
    /// Planned or scheduled.
    Open,
    Overdue,
    Done,
    Closed,
}

impl FollowUpFilter {
    pub const ALL: [FollowUpFilter; 5] =
        [FollowUpFilter::All, FollowUpFilter::Open, FollowUpFilter::Overdue, FollowUpFilter::Done, FollowUpFilter::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpFilter::All => "all",
            FollowUpFilter::Open => "open",
            FollowUpFilter::Overdue => "overdue",
            FollowUpFilter::Done => "done",
            FollowUpFilter::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpFilter> {
        FollowUpFilter::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }

    fn sql(self) -> &'static str {
        match self {
            FollowUpFilter::All => "1 = 1",
            FollowUpFilter::Open => OPEN,
            FollowUpFilter::Overdue => "f.closed_at IS NULL AND (i.status IS NULL OR i.status <> 'held') AND f.due_on < $3",
            FollowUpFilter::Done => "f.closed_at IS NULL AND i.status = 'held'",
            FollowUpFilter::Closed => "f.closed_at IS NOT NULL",
        }
    }
}

/// The consultant's figures for their home.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FollowUpCounts {
    pub open: i64,
    pub overdue: i64,
    pub due_soon: i64,
}

/// HR's figures of one cycle, as shown (k-protected).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleFollowUpCounts {
    pub cycle: CycleId,
    pub cycle_name: String,
    pub shown: ShownCounts,
}

/// What the interview page shows to review (前回の振り返り).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousReview {
    pub cycle_name: String,
    pub held_at: i64,
    pub interview: InterviewId,
    /// The earlier support plan, when the policy lets the interviewer read it.
    pub plan: Option<String>,
    /// Whether the earlier interview was held by the reader themself.
    pub own: bool,
    /// Whether the earlier interview has a report at all.
    pub has_report: bool,
    /// The reader's open items for this employee.
    pub open_items: Vec<FollowUpRow>,
}

/// Planned or scheduled: not closed and its interview not held.
const OPEN: &str = "f.closed_at IS NULL AND (i.status IS NULL OR i.status <> 'held')";

const COLUMNS: &str =
    "f.id, f.report_id, f.employee_id, e.employee_number, e.name AS employee_name, c.name AS cycle_name, f.kind, f.due_on,
    f.what_sealed_id, f.reason_sealed_id, f.interview_id, i.status AS interview_status, i.starts_at AS interview_at, f.closed_at,
    f.consultant_id, f.reminded_soon_at, f.reminded_overdue_at, f.created_at";

const FROM: &str = "FROM follow_ups f
    JOIN employees e ON e.id = f.employee_id
    LEFT JOIN cycles c ON c.id = f.cycle_id
    LEFT JOIN interviews i ON i.id = f.interview_id";

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::Config(format!("bad due_on {s:?} in follow_ups")))
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn item_state(r: &AnyRow) -> Result<FollowUpState> {
    let closed = r.try_get::<Option<i64>, _>("closed_at")?.is_some();
    let interview = match r.try_get::<Option<String>, _>("interview_status")? {
        Some(s) => Some(status_of(&s)?),
        None => None,
    };
    Ok(rules::state(closed, interview))
}

fn to_row(r: &AnyRow, today: NaiveDate, texts: &HashMap<SealedId, String>) -> Result<FollowUpRow> {
    let kind: String = r.try_get("kind")?;
    let due_on = day(&r.try_get::<String, _>("due_on")?)?;
    let state = item_state(r)?;
    let what = SealedId::new(r.try_get("what_sealed_id")?);
    let reason = r.try_get::<Option<i64>, _>("reason_sealed_id")?.map(SealedId::new);
    Ok(FollowUpRow {
        id: FollowUpId::new(r.try_get("id")?),
        report: ReportId::new(r.try_get("report_id")?),
        employee: EmployeeId::new(r.try_get("employee_id")?),
        employee_number: r.try_get("employee_number")?,
        employee_name: r.try_get("employee_name")?,
        cycle_name: r.try_get("cycle_name")?,
        kind: FollowUpKind::parse(&kind).ok_or_else(|| StoreError::Config(format!("unknown follow-up kind {kind:?}")))?,
        due_on,
        state,
        overdue: rules::is_overdue(state, due_on, today),
        due_soon: rules::is_due_soon(state, due_on, today),
        interview: r.try_get::<Option<i64>, _>("interview_id")?.map(InterviewId::new),
        interview_at: r.try_get("interview_at")?,
        what: texts.get(&what).cloned().unwrap_or_default(),
        reason: reason.and_then(|s| texts.get(&s).cloned()).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
    })
}

fn facts(tenant: TenantId, consultant: i64) -> Target {
    Target::FollowUp(FollowUpFacts { tenant, consultant: UserId::new(consultant) })
}

impl Store {
    /// The permit to read the acting consultant's own items (every row of their list is theirs).
    fn own_items_permit(&self, actor: &Actor) -> Result<Permit> {
        policy::permit(actor, Operation::ManageFollowUps, facts(actor.tenant(), actor.user().get())).ok_or(StoreError::NotFound)
    }

    /// Plans an item from a report: its author only (another consultant's report answers as
    /// one that does not exist). With a slot, its interview is scheduled in the same write.
    pub async fn plan_follow_up(&self, me: &Acting<Consultant>, report: ReportId, new: &NewFollowUp) -> Result<FollowUpId> {
        let result = self.plan_follow_up_in_tx(me, report, new).await;
        self.settle(me.ctx(), result).await
    }

    async fn plan_follow_up_in_tx(&self, me: &Acting<Consultant>, report: ReportId, new: &NewFollowUp) -> Result<FollowUpId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query(
            "SELECT r.author_id, r.employee_id, i.cycle_id FROM reports r JOIN interviews i ON i.id = r.interview_id
             WHERE r.tenant_id = $1 AND r.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(report.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        if !policy::decide(&actor, Operation::PlanFollowUps, facts(ctx.tenant, r.try_get("author_id")?)).is_allow() {
            return Err(StoreError::Refused { operation: Operation::PlanFollowUps, kind: AuditTarget::Report, id: report.to_string() });
        }
        let (due, what) = rules::check_new(new.due_on, &new.what, today_jst()).map_err(StoreError::problems)?;
        let employee = EmployeeId::new(r.try_get("employee_id")?);
        let cycle = r.try_get::<Option<i64>, _>("cycle_id")?.map(CycleId::new);
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, WHAT_PURPOSE, &what).await?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO follow_ups (tenant_id, report_id, employee_id, consultant_id, cycle_id, kind, due_on, what_sealed_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(report.get())
        .bind(employee.get())
        .bind(actor.user().get())
        .bind(cycle.map(|c| c.get()))
        .bind(new.kind.as_str())
        .bind(ymd(due))
        .bind(sealed.get())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = FollowUpId::new(row.try_get("id")?);
        let mut events = vec![ctx
            .event(AuditAction::FollowUpChanged, AuditTarget::FollowUp, id)
            .detail(AuditDetail::of(Fact::Is(Outcome::Created)).and(Fact::Name(Key::Kind, new.kind.as_str())))];
        if let Some(slot) = &new.schedule {
            let interview = self.schedule_in_tx(&mut tx, ctx.tenant, actor.user(), id, employee, cycle, new.kind, slot).await?;
            events.push(
                ctx.event(AuditAction::InterviewScheduled, AuditTarget::Interview, interview)
                    .detail(Fact::Name(Key::Kind, new.kind.as_str())),
            );
        }
        Store::audit_in_tx(&mut tx, ctx, &events).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn schedule_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        consultant: UserId,
        id: FollowUpId,
        employee: EmployeeId,
        cycle: Option<CycleId>,
        kind: FollowUpKind,
        slot: &FollowUpSlot,
    ) -> Result<InterviewId> {
        let new =
            NewInterview { cycle, employee, kind: kind.interview_kind(), mode: slot.mode, place: slot.place.clone(), slot: slot.slot };
        let interview = self.insert_interview_in_tx(tx, tenant, consultant, &new).await?;
        sqlx::query("UPDATE follow_ups SET interview_id = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4")
            .bind(interview.get())
            .bind(now_ms())
            .bind(id.get())
            .bind(tenant.get())
            .execute(&mut **tx)
            .await?;
        Ok(interview)
    }

    /// Loads an item inside a write for its consultant; others get "not found" (audited).
    async fn own_item_in_tx(&self, tx: &mut Transaction<'static, Any>, actor: &Actor, id: FollowUpId) -> Result<AnyRow> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE f.tenant_id = $1 AND f.id = $2"))
            .bind(actor.tenant().get())
            .bind(id.get())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !policy::decide(actor, Operation::ManageFollowUps, facts(actor.tenant(), r.try_get("consultant_id")?)).is_allow() {
            return Err(StoreError::Refused { operation: Operation::ManageFollowUps, kind: AuditTarget::FollowUp, id: id.to_string() });
        }
        Ok(r)
    }

    /// Schedules the interview of a planned item (one whose earlier interview was cancelled or
    /// missed is planned again). The interview has the item's kind and the no-overlap rule.
    pub async fn schedule_follow_up(&self, me: &Acting<Consultant>, id: FollowUpId, slot: &FollowUpSlot) -> Result<InterviewId> {
        let result = self.schedule_follow_up_in_tx(me, id, slot).await;
        self.settle(me.ctx(), result).await
    }

    async fn schedule_follow_up_in_tx(&self, me: &Acting<Consultant>, id: FollowUpId, slot: &FollowUpSlot) -> Result<InterviewId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let r = self.own_item_in_tx(&mut tx, &actor, id).await?;
        if item_state(&r)? != FollowUpState::Planned {
            return Err(Invalid::new(
                "status",
                "この予定には面談を登録できません（登録済み・実施済み・終了済み）。",
                "an interview cannot be scheduled for this item (already scheduled, held or closed)",
            )
            .into());
        }
        let kind: String = r.try_get("kind")?;
        let kind = FollowUpKind::parse(&kind).ok_or_else(|| StoreError::Config("unknown follow-up kind".into()))?;
        let employee = EmployeeId::new(r.try_get("employee_id")?);
        let cycle = sqlx::query("SELECT cycle_id FROM follow_ups WHERE id = $1")
            .bind(id.get())
            .fetch_one(&mut *tx)
            .await?
            .try_get::<Option<i64>, _>("cycle_id")?
            .map(CycleId::new);
        let interview = self.schedule_in_tx(&mut tx, ctx.tenant, actor.user(), id, employee, cycle, kind, slot).await?;
        let events = [
            ctx.event(AuditAction::FollowUpChanged, AuditTarget::FollowUp, id).detail(Fact::Is(Outcome::Scheduled)),
            ctx.event(AuditAction::InterviewScheduled, AuditTarget::Interview, interview).detail(Fact::Name(Key::Kind, kind.as_str())),
        ];
        Store::audit_in_tx(&mut tx, ctx, &events).await?;
        tx.commit().await?;
        Ok(interview)
    }

    /// Closes an open item without an interview, with a reason (sealed).
    pub async fn close_follow_up(&self, me: &Acting<Consultant>, id: FollowUpId, reason: &str) -> Result<()> {
        let result = self.close_follow_up_in_tx(me, id, reason).await;
        self.settle(me.ctx(), result).await
    }

    async fn close_follow_up_in_tx(&self, me: &Acting<Consultant>, id: FollowUpId, reason: &str) -> Result<()> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let reason = rules::CLOSE_REASON.check(reason)?;
        if reason.is_empty() {
            return Err(Invalid::new("reason", "終了の理由を入力してください。", "give the reason for closing").into());
        }
        let mut tx = self.db.write.begin().await?;
        let r = self.own_item_in_tx(&mut tx, &actor, id).await?;
        if !item_state(&r)?.is_open() {
            return Err(Invalid::new("status", "この予定はすでに完了または終了しています。", "this item is already done or closed").into());
        }
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, REASON_PURPOSE, &reason).await?;
        let now = now_ms();
        sqlx::query("UPDATE follow_ups SET closed_at = $1, reason_sealed_id = $2, updated_at = $1 WHERE id = $3 AND tenant_id = $4 AND closed_at IS NULL")
            .bind(now)
            .bind(sealed.get())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let ev = ctx.event(AuditAction::FollowUpChanged, AuditTarget::FollowUp, id).detail(Fact::Name(Key::Status, "closed"));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One item with its texts, for its consultant; others get "not found". Audited.
    pub async fn follow_up(&self, me: &Acting<Consultant>, id: FollowUpId) -> Result<FollowUpRow> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE f.tenant_id = $1 AND f.id = $2"))
            .bind(ctx.tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some(permit) = policy::permit(&actor, Operation::ManageFollowUps, facts(ctx.tenant, r.try_get("consultant_id")?)) else {
            return Err(self.refused(ctx, Operation::ManageFollowUps, AuditTarget::FollowUp, id).await);
        };
        let mut ids = vec![SealedId::new(r.try_get("what_sealed_id")?)];
        ids.extend(r.try_get::<Option<i64>, _>("reason_sealed_id")?.map(SealedId::new));
        let ev = ctx.event(AuditAction::FollowUpRead, AuditTarget::FollowUp, id).detail(AuditDetail::none());
        let texts = self.open_permitted(ctx, &permit, &[ev], &ids).await?;
        to_row(&r, today_jst(), &texts)
    }

    /// The acting consultant's items, overdue first, then by due date; done and closed last.
    /// The texts open through the gate under one audited read of the list.
    pub async fn follow_up_page(&self, me: &Acting<Consultant>, filter: FollowUpFilter, page: PageRequest) -> Result<Paged<FollowUpRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let permit = self.own_items_permit(&actor)?;
        let today = ymd(today_jst());
        let cond = format!("f.tenant_id = $1 AND f.consultant_id = $2 AND ($3 = $3) AND {}", filter.sql());
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(&today)
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} {FROM} WHERE {cond}
             ORDER BY CASE WHEN {OPEN} AND f.due_on < $3 THEN 0 WHEN {OPEN} THEN 1 ELSE 2 END, f.due_on, f.id LIMIT $4 OFFSET $5"
        ))
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(&today)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.db.read)
        .await?;
        let items = self.rows_with_texts(ctx, &permit, &rows, AuditTarget::FollowUpList, actor.user().get(), page.offset()).await?;
        Ok(Paged { total, items })
    }

    async fn rows_with_texts(
        &self,
        ctx: &Ctx,
        permit: &Permit,
        rows: &[AnyRow],
        target: AuditTarget,
        target_id: impl ToString,
        offset: i64,
    ) -> Result<Vec<FollowUpRow>> {
        let ids: Vec<SealedId> =
            rows.iter().map(|r| r.try_get::<i64, _>("what_sealed_id").map(SealedId::new)).collect::<std::result::Result<_, _>>()?;
        let ev = ctx
            .event(AuditAction::FollowUpRead, target, target_id)
            .detail(AuditDetail::none().n(Key::Offset, offset).n(Key::Count, rows.len()));
        let texts = if ids.is_empty() {
            self.audit(ctx, ev).await?;
            HashMap::new()
        } else {
            self.open_permitted(ctx, permit, &[ev], &ids).await?
        };
        let today = today_jst();
        rows.iter().map(|r| to_row(r, today, &texts)).collect()
    }

    /// The acting consultant's figures for their home (counts only, nothing opened).
    pub async fn follow_up_counts(&self, me: &Acting<Consultant>) -> Result<FollowUpCounts> {
        let (ctx, actor) = (me.ctx(), me.actor());
        self.own_items_permit(&actor)?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE f.tenant_id = $1 AND f.consultant_id = $2 AND {OPEN}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .fetch_all(&self.db.read)
            .await?;
        let today = today_jst();
        let mut out = FollowUpCounts::default();
        for r in &rows {
            let state = item_state(r)?;
            let due = day(&r.try_get::<String, _>("due_on")?)?;
            out.open += 1;
            out.overdue += i64::from(rules::is_overdue(state, due, today));
            out.due_soon += i64::from(rules::is_due_soon(state, due, today));
        }
        Ok(out)
    }

    /// HR's figures per cycle (planned and open, held, overdue), each withheld below the
    /// tenant's k (`domain::follow_up::protect`). Counts only: nothing is opened.
    pub async fn hr_follow_up_counts(&self, me: &Acting<Hr>) -> Result<Vec<CycleFollowUpCounts>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::ViewFollowUpCounts, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let k: i64 = sqlx::query("SELECT k_threshold FROM tenants WHERE id = $1")
            .bind(ctx.tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("k_threshold")?;
        let rows = sqlx::query(
            "SELECT f.cycle_id, c.name AS cycle_name, c.starts_on, f.employee_id, f.due_on, f.closed_at, i.status AS interview_status
             FROM follow_ups f JOIN cycles c ON c.id = f.cycle_id LEFT JOIN interviews i ON i.id = f.interview_id
             WHERE f.tenant_id = $1 ORDER BY c.starts_on DESC, c.id DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let today = today_jst();
        type Sets = (
            std::collections::HashSet<i64>,
            std::collections::HashSet<i64>,
            std::collections::HashSet<i64>,
            std::collections::HashSet<i64>,
        );
        let mut order: Vec<(CycleId, String)> = Vec::new();
        let mut groups: HashMap<i64, (GroupCounts, Sets)> = HashMap::new();
        for r in &rows {
            let cycle: i64 = r.try_get("cycle_id")?;
            if !groups.contains_key(&cycle) {
                order.push((CycleId::new(cycle), r.try_get("cycle_name")?));
            }
            let (c, sets) = groups.entry(cycle).or_default();
            let person: i64 = r.try_get("employee_id")?;
            let state = item_state(r)?;
            let due = day(&r.try_get::<String, _>("due_on")?)?;
            sets.3.insert(person);
            if rules::is_overdue(state, due, today) {
                c.overdue.0 += 1;
                sets.2.insert(person);
            } else if state.is_open() {
                c.planned.0 += 1;
                sets.0.insert(person);
            } else if state == FollowUpState::Done {
                c.held.0 += 1;
                sets.1.insert(person);
            }
        }
        let k = u32::try_from(k).unwrap_or(u32::MAX);
        Ok(order
            .into_iter()
            .map(|(cycle, cycle_name)| {
                let (mut c, sets) = groups.remove(&cycle.get()).unwrap_or_default();
                c.planned.1 = sets.0.len() as i64;
                c.held.1 = sets.1.len() as i64;
                c.overdue.1 = sets.2.len() as i64;
                c.people = sets.3.len() as i64;
                CycleFollowUpCounts { cycle, cycle_name, shown: rules::protect(c, k) }
            })
            .collect())
    }

    /// The reminder job: for every open item whose reminder is owed today, one notice (and its
    /// e-mail) to its consultant. The reminder's column is set in the same transaction, only if
    /// it was still empty, so a second run or a second server sends nothing more. Returns how
    /// many notices were left.
    pub async fn sweep_follow_up_reminders(&self, today: NaiveDate) -> Result<usize> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, f.tenant_id {FROM}
             WHERE {OPEN} AND (f.reminded_soon_at IS NULL OR f.reminded_overdue_at IS NULL) AND f.due_on <= $1
             ORDER BY f.due_on, f.id LIMIT 2000"
        ))
        .bind(ymd(today + chrono::Duration::days(rules::REMIND_DAYS_BEFORE)))
        .fetch_all(&self.db.read)
        .await?;
        let mut sent = 0;
        for r in &rows {
            let state = item_state(r)?;
            let due = day(&r.try_get::<String, _>("due_on")?)?;
            let soon = r.try_get::<Option<i64>, _>("reminded_soon_at")?.is_some();
            let over = r.try_get::<Option<i64>, _>("reminded_overdue_at")?.is_some();
            let Some(reminder) = rules::reminder_due(state, due, today, soon, over) else { continue };
            let (column, kind) = match reminder {
                Reminder::DueSoon => ("reminded_soon_at", NotificationKind::FollowUpDueSoon),
                Reminder::Overdue => ("reminded_overdue_at", NotificationKind::FollowUpOverdue),
            };
            let id: i64 = r.try_get("id")?;
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            let consultant = UserId::new(r.try_get("consultant_id")?);
            let mut tx = self.db.write.begin().await?;
            let n = sqlx::query(&format!("UPDATE follow_ups SET {column} = $1 WHERE id = $2 AND {column} IS NULL"))
                .bind(now_ms())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if n.rows_affected() == 0 {
                continue;
            }
            crate::notifications::notify_in_tx(&mut tx, tenant, consultant, kind, &format!("/follow-ups/{id}")).await?;
            tx.commit().await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// What the page of an interview shows to review (前回の振り返り): the employee's latest
    /// held interview of an earlier cycle, its support plan when the policy lets this
    /// interviewer read it (read through the gate, audited), and the reader's open items for the
    /// employee. `None` when the interview has no cycle or the employee no earlier interview.
    pub async fn previous_review(&self, me: &Acting<Consultant>, interview: InterviewId) -> Result<Option<PreviousReview>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let cur = sqlx::query(
            "SELECT i.employee_id, i.consultant_id, c.starts_on FROM interviews i LEFT JOIN cycles c ON c.id = i.cycle_id
             WHERE i.tenant_id = $1 AND i.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(interview.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let interviewer = UserId::new(cur.try_get("consultant_id")?);
        let f = InterviewFacts { tenant: ctx.tenant, consultant: interviewer, employee_user: None };
        if !policy::decide(&actor, Operation::ManageInterviews, Target::Interview(f)).is_allow() {
            return Err(self.refused(ctx, Operation::ManageInterviews, AuditTarget::Interview, interview).await);
        }
        let Some(starts_on) = cur.try_get::<Option<String>, _>("starts_on")? else { return Ok(None) };
        let employee = EmployeeId::new(cur.try_get("employee_id")?);
        let Some(prev) = sqlx::query(
            "SELECT pi.id AS interview_id, pi.starts_at, pi.consultant_id, pc.name AS cycle_name,
                    r.id AS report_id, r.author_id, r.status, r.supervisor_id, r.sealed_id
             FROM interviews pi JOIN cycles pc ON pc.id = pi.cycle_id LEFT JOIN reports r ON r.interview_id = pi.id
             WHERE pi.tenant_id = $1 AND pi.employee_id = $2 AND pi.status = 'held' AND pc.starts_on < $3
             ORDER BY pc.starts_on DESC, CASE WHEN r.id IS NULL THEN 1 ELSE 0 END, pi.starts_at DESC, pi.id DESC LIMIT 1",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(&starts_on)
        .fetch_optional(&self.db.read)
        .await?
        else {
            return Ok(None);
        };
        let own = prev.try_get::<i64, _>("consultant_id")? == actor.user().get();
        let mut plan = None;
        let report = prev.try_get::<Option<i64>, _>("report_id")?;
        if let Some(report) = report {
            let status: String = prev.try_get("status")?;
            let facts = ReportFacts {
                tenant: ctx.tenant,
                author: UserId::new(prev.try_get("author_id")?),
                status: ReportStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown report status {status}")))?,
                assigned_supervisor: prev.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new),
            };
            let target = Target::PreviousPlan(PreviousPlanFacts {
                tenant: ctx.tenant,
                report: facts,
                interviewer,
                same_employee: true,
                earlier_cycle: true,
            });
            if let Some(permit) = policy::permit(&actor, Operation::ReadPreviousPlan, target) {
                let sealed = SealedId::new(prev.try_get("sealed_id")?);
                let ev = ctx
                    .event(AuditAction::PreviousPlanRead, AuditTarget::Report, report)
                    .detail(AuditDetail::of(Fact::N(Key::Interview, interview.get())));
                let mut texts = self.open_permitted(ctx, &permit, &[ev], &[sealed]).await?;
                let sections = crate::reports::decode_sections(&texts.remove(&sealed).unwrap_or_default())?;
                plan = Some(sections.support_plan);
            }
        }
        let permit = self.own_items_permit(&actor)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} {FROM} WHERE f.tenant_id = $1 AND f.consultant_id = $2 AND f.employee_id = $3 AND {OPEN} ORDER BY f.due_on, f.id LIMIT 50"
        ))
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(employee.get())
        .fetch_all(&self.db.read)
        .await?;
        let open_items = self.rows_with_texts(ctx, &permit, &rows, AuditTarget::FollowUpList, actor.user().get(), 0).await?;
        Ok(Some(PreviousReview {
            cycle_name: prev.try_get("cycle_name")?,
            held_at: prev.try_get("starts_at")?,
            interview: InterviewId::new(prev.try_get("interview_id")?),
            plan,
            own,
            has_report: report.is_some(),
            open_items,
        }))
    }

    /// The demo's items (operator's command): written as planned on `created_at`, with an
    /// optional interview already linked and an optional closing, no reminders sent.
    pub async fn seed_follow_up(&self, ctx: &Ctx, seed: &SeedFollowUp) -> Result<FollowUpId> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let r = sqlx::query(
            "SELECT r.author_id, r.employee_id, i.cycle_id FROM reports r JOIN interviews i ON i.id = r.interview_id WHERE r.tenant_id = $1 AND r.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(seed.report.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut tx = self.db.write.begin().await?;
        let what = self.seal_in_tx(&mut tx, ctx.tenant, WHAT_PURPOSE, &seed.what).await?;
        let reason = match &seed.closed_reason {
            Some(text) => Some(self.seal_in_tx(&mut tx, ctx.tenant, REASON_PURPOSE, text).await?.get()),
            None => None,
        };
        let row = sqlx::query(
            "INSERT INTO follow_ups (tenant_id, report_id, employee_id, consultant_id, cycle_id, kind, due_on, what_sealed_id, interview_id,
                closed_at, reason_sealed_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(seed.report.get())
        .bind(r.try_get::<i64, _>("employee_id")?)
        .bind(r.try_get::<i64, _>("author_id")?)
        .bind(r.try_get::<Option<i64>, _>("cycle_id")?)
        .bind(seed.kind.as_str())
        .bind(ymd(seed.due_on))
        .bind(what.get())
        .bind(seed.interview.map(|i| i.get()))
        .bind(reason.map(|_| seed.created_at))
        .bind(reason)
        .bind(seed.created_at)
        .fetch_one(&mut *tx)
        .await?;
        let id = FollowUpId::new(row.try_get("id")?);
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::FollowUpChanged, AuditTarget::FollowUp, id).detail(Fact::Is(Outcome::Created))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// A demo item (see [`Store::seed_follow_up`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedFollowUp {
    pub report: ReportId,
    pub kind: FollowUpKind,
    pub due_on: NaiveDate,
    pub what: String,
    pub interview: Option<InterviewId>,
    pub closed_reason: Option<String>,
    pub created_at: i64,
}

/// Interview statuses named in this module's SQL, kept beside the domain's codes.
#[cfg(test)]
mod tests {
    use super::*;
    use domain::interview::InterviewStatus;

    #[test]
    fn the_sql_names_the_domain_codes() {
        assert_eq!(InterviewStatus::Held.as_str(), "held");
        for f in FollowUpFilter::ALL {
            assert_eq!(FollowUpFilter::parse(f.as_str()), Some(f));
        }
    }
}
