//! Interviews (面談): scheduling with the no-overlap rule checked inside the write, the state
//! machine, the lists (calendar, cycle, the employee's own) and the sealed notes (面談記録).

use crate::cycles::CycleStatus;
use crate::{now_ms, Acting, Consultant, Ctx, Employee, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{CycleId, EmployeeId, InterviewId, SealedId, TenantId, UserId};
use domain::interview::{change_status_at, find_clash, InterviewKind, InterviewMode, InterviewStatus, Slot, StatusChange};
use domain::policy::{self, Actor, EmployeeFacts, InterviewFacts, NoteFacts, Operation, ReportFacts, Target, View};
use domain::pseudonym::{pseudonym, MaskLabels};
use domain::report::ReportStatus;
use domain::{limits, Invalid, Message};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// What a consultant asks for when scheduling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInterview {
    pub cycle: Option<CycleId>,
    pub employee: EmployeeId,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    /// A room, or the link of an online meeting.
    pub place: String,
    pub slot: Slot,
}

/// A new time (and possibly a new place) for a scheduled interview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewChange {
    pub mode: InterviewMode,
    pub place: String,
    pub slot: Slot,
}

/// An interview as its consultant sees it (no note text, not even the status note: each is a
/// separate, audited read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewRow {
    pub id: InterviewId,
    pub cycle: Option<CycleId>,
    pub cycle_name: Option<String>,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub consultant: UserId,
    pub consultant_name: String,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
    /// Whether a status note (why it was cancelled or missed) is recorded; the text itself is
    /// sealed and read with `Store::interview_status_note`.
    pub has_status_note: bool,
    pub has_note: bool,
    pub has_report: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An interview as the employee sees it: when, how, where, with whom. Never the notes, nor
/// the status note (a cancellation or no-show reason is the consultant's record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnInterview {
    pub id: InterviewId,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
    pub consultant_name: String,
}

/// An employee assigned to the consultant in a cycle that is not closed (the scheduling form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignedTarget {
    pub cycle: CycleId,
    pub cycle_name: String,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    /// Interviews of this employee in this cycle that are scheduled or held.
    pub interviews: i64,
}

/// A note as the reader may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewNote {
    pub text: String,
    pub updated_at: i64,
    pub view: View,
}

/// The purpose recorded on a sealed status note.
pub(crate) const STATUS_NOTE_PURPOSE: &str = "interview_status_note";

pub(crate) const SELECT: &str = "SELECT i.id, i.cycle_id, c.name AS cycle_name, i.employee_id, e.employee_number, e.name AS employee_name,
        i.consultant_id, u.display_name AS consultant_name, i.kind, i.mode, i.place, i.starts_at, i.ends_at, i.status, i.status_note_sealed_id,
        i.created_at, i.updated_at,
        (SELECT COUNT(*) FROM interview_notes n WHERE n.interview_id = i.id) AS note_count,
        (SELECT COUNT(*) FROM reports r WHERE r.interview_id = i.id) AS report_count
     FROM interviews i
     JOIN employees e ON e.id = i.employee_id
     JOIN users u ON u.id = i.consultant_id
     LEFT JOIN cycles c ON c.id = i.cycle_id";

fn damaged(what: &str) -> StoreError {
    StoreError::Config(format!("unknown {what} code in interviews"))
}

pub(crate) fn kind_of(s: &str) -> Result<InterviewKind> {
    InterviewKind::parse(s).ok_or_else(|| damaged("kind"))
}

pub(crate) fn mode_of(s: &str) -> Result<InterviewMode> {
    InterviewMode::parse(s).ok_or_else(|| damaged("mode"))
}

pub(crate) fn status_of(s: &str) -> Result<InterviewStatus> {
    InterviewStatus::parse(s).ok_or_else(|| damaged("status"))
}

pub(crate) fn to_row(r: &AnyRow) -> Result<InterviewRow> {
    Ok(InterviewRow {
        id: InterviewId::new(r.try_get("id")?),
        cycle: r.try_get::<Option<i64>, _>("cycle_id")?.map(CycleId::new),
        cycle_name: r.try_get("cycle_name")?,
        employee: EmployeeId::new(r.try_get("employee_id")?),
        employee_number: r.try_get("employee_number")?,
        employee_name: r.try_get("employee_name")?,
        consultant: UserId::new(r.try_get("consultant_id")?),
        consultant_name: r.try_get("consultant_name")?,
        kind: kind_of(&r.try_get::<String, _>("kind")?)?,
        mode: mode_of(&r.try_get::<String, _>("mode")?)?,
        place: r.try_get("place")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        status: status_of(&r.try_get::<String, _>("status")?)?,
        has_status_note: r.try_get::<Option<i64>, _>("status_note_sealed_id")?.is_some(),
        has_note: r.try_get::<i64, _>("note_count")? > 0,
        has_report: r.try_get::<i64, _>("report_count")? > 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The facts of an interview for the policy.
fn interview_facts(tenant: TenantId, row: &InterviewRow) -> Target {
    Target::Interview(InterviewFacts { tenant, consultant: row.consultant, employee_user: None })
}

/// How the acting consultant can reach an employee (an assignment in a cycle, a request), as
/// the policy's facts.
async fn reach_facts<'e, E>(exec: E, tenant: TenantId, consultant: UserId, employee: EmployeeId) -> Result<EmployeeFacts>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let r = sqlx::query(
        "SELECT
            (SELECT COUNT(*) FROM cycle_targets t WHERE t.tenant_id = $1 AND t.employee_id = $2 AND t.consultant_id = $3) AS assigned,
            (SELECT COUNT(*) FROM consultation_requests q WHERE q.tenant_id = $1 AND q.employee_id = $2 AND q.consultant_id = $3) AS requested,
            (SELECT COUNT(*) FROM consultation_requests q WHERE q.tenant_id = $1 AND q.employee_id = $2 AND q.consultant_id IS NULL AND q.status = 'open') AS pooled",
    )
    .bind(tenant.get())
    .bind(employee.get())
    .bind(consultant.get())
    .fetch_one(exec)
    .await?;
    Ok(EmployeeFacts {
        tenant,
        assigned_to_actor: r.try_get::<i64, _>("assigned")? > 0,
        requested_actor: r.try_get::<i64, _>("requested")? > 0,
        open_in_pool: r.try_get::<i64, _>("pooled")? > 0,
    })
}

/// An employee out of the consultant's reach is refused like an unknown one.
fn unknown_employee(e: StoreError) -> StoreError {
    match e {
        StoreError::NotFound => {
            Invalid::new("employee", "指定の従業員は登録されていません。", "no such employee in this organization").into()
        }
        e => e,
    }
}

/// The message of a refused overlap: when the clashing interview is, and its kind.
pub fn clash_message(kind: InterviewKind, slot: Slot) -> Message {
    use domain::display::time_range;
    use domain::Locale;
    Message::new(
        format!(
            "{}の{}と時間が重なっています。別の時間を指定してください。",
            time_range(slot.start_ms, slot.end_ms, Locale::Ja),
            kind.label_ja()
        ),
        format!(
            "This overlaps your {} on {} (Japan time). Choose another time.",
            kind.label_en().to_lowercase(),
            time_range(slot.start_ms, slot.end_ms, Locale::En)
        ),
    )
}

fn place_of(place: &str) -> Result<String> {
    Ok(limits::INTERVIEW_PLACE.check(place)?)
}

/// Takes the consultant's row lock for the rest of the transaction, so that two concurrent
/// schedulings for one consultant (two app servers on PostgreSQL) cannot both pass the overlap
/// check; on SQLite the single writer already serializes them. Also proves the user is ours.
pub(crate) async fn lock_consultant(tx: &mut Transaction<'static, Any>, tenant: TenantId, consultant: UserId) -> Result<()> {
    let n = sqlx::query("UPDATE users SET display_name = display_name WHERE id = $1 AND tenant_id = $2")
        .bind(consultant.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    if n.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The first interview of the consultant that occupies time and overlaps `slot`, other than
/// `except` (decided by `domain::interview::find_clash`).
async fn first_clash<'e, E>(
    exec: E,
    tenant: TenantId,
    consultant: UserId,
    slot: Slot,
    except: Option<InterviewId>,
) -> Result<Option<(InterviewKind, Slot)>>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let occupying: Vec<String> = InterviewStatus::ALL.iter().filter(|s| s.occupies_time()).map(|s| format!("'{}'", s.as_str())).collect();
    let sql = format!(
        "SELECT id, kind, starts_at, ends_at FROM interviews
         WHERE tenant_id = $1 AND consultant_id = $2 AND status IN ({}) AND starts_at < $3 AND ends_at > $4",
        occupying.join(", ")
    );
    let rows = sqlx::query(&sql).bind(tenant.get()).bind(consultant.get()).bind(slot.end_ms).bind(slot.start_ms).fetch_all(exec).await?;
    let mut existing = Vec::with_capacity(rows.len());
    let mut kinds = std::collections::HashMap::new();
    for r in &rows {
        let id = InterviewId::new(r.try_get("id")?);
        existing.push((id, Slot { start_ms: r.try_get("starts_at")?, end_ms: r.try_get("ends_at")? }));
        kinds.insert(id, kind_of(&r.try_get::<String, _>("kind")?)?);
    }
    Ok(find_clash(slot, &existing, except).map(|(id, s)| (kinds.get(&id).copied().unwrap_or(InterviewKind::Initial), s)))
}

/// Refuses a slot that overlaps another interview of the consultant that occupies time.
async fn check_clash(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    consultant: UserId,
    slot: Slot,
    except: Option<InterviewId>,
) -> Result<()> {
    match first_clash(&mut **tx, tenant, consultant, slot, except).await? {
        Some((kind, s)) => Err(StoreError::Conflict(clash_message(kind, s))),
        None => Ok(()),
    }
}

/// The sealed status note of an interview, inside a write.
async fn status_note_id_in_tx(tx: &mut Transaction<'static, Any>, tenant: TenantId, id: InterviewId) -> Result<Option<SealedId>> {
    let r = sqlx::query("SELECT status_note_sealed_id FROM interviews WHERE id = $1 AND tenant_id = $2")
        .bind(id.get())
        .bind(tenant.get())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(r.try_get::<Option<i64>, _>("status_note_sealed_id")?.map(SealedId::new))
}

/// Whether the employee is a target of the cycle.
async fn is_target(tx: &mut Transaction<'static, Any>, cycle: CycleId, employee: EmployeeId) -> Result<bool> {
    let r = sqlx::query("SELECT 1 AS x FROM cycle_targets WHERE cycle_id = $1 AND employee_id = $2")
        .bind(cycle.get())
        .bind(employee.get())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(r.is_some())
}

impl Store {
    /// Inserts an interview for the (already locked) consultant after every check; shared by
    /// scheduling and answering a consultation request.
    pub(crate) async fn insert_interview_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        consultant: UserId,
        new: &NewInterview,
    ) -> Result<InterviewId> {
        let place = place_of(&new.place)?;
        let slot = Slot::new(new.slot.start_ms, new.slot.end_ms)?;
        let employee = sqlx::query("SELECT employee_number FROM employees WHERE id = $1 AND tenant_id = $2")
            .bind(new.employee.get())
            .bind(tenant.get())
            .fetch_optional(&mut **tx)
            .await?;
        if employee.is_none() {
            return Err(Invalid::new("employee", "指定の従業員は登録されていません。", "no such employee in this organization").into());
        }
        if let Some(cycle) = new.cycle {
            let c = sqlx::query("SELECT name FROM cycles WHERE id = $1 AND tenant_id = $2")
                .bind(cycle.get())
                .bind(tenant.get())
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| Invalid::new("cycle", "指定の実施年度は見つかりません。", "no such cycle"))?;
            // The initial interview belongs to the cycle's targets; additional and follow-up
            // interviews may reach anyone the consultant sees.
            if new.kind == InterviewKind::Initial && !is_target(tx, cycle, new.employee).await? {
                let name: String = c.try_get("name")?;
                return Err(Invalid::new(
                    "employee",
                    format!("この従業員は実施年度「{name}」の対象者ではありません。初回面談は対象者に設定してください（追加・フォローアップ面談は対象者以外でも登録できます）。"),
                    format!("this employee is not a target of the cycle \"{name}\"; an initial interview is for targets (additional and follow-up interviews are not)"),
                )
                .into());
            }
        }
        check_clash(tx, tenant, consultant, slot, None).await?;
        let now = now_ms();
        let r = sqlx::query(
            "INSERT INTO interviews (tenant_id, cycle_id, employee_id, consultant_id, kind, mode, place, starts_at, ends_at, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(tenant.get())
        .bind(new.cycle.map(|c| c.get()))
        .bind(new.employee.get())
        .bind(consultant.get())
        .bind(new.kind.as_str())
        .bind(new.mode.as_str())
        .bind(place)
        .bind(slot.start_ms)
        .bind(slot.end_ms)
        .bind(InterviewStatus::Scheduled.as_str())
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        Ok(InterviewId::new(r.try_get("id")?))
    }

    /// Schedules an interview conducted by the acting consultant. Refuses an overlap with any
    /// of their scheduled or held interviews (`Conflict`, naming it), checked in the write.
    pub async fn schedule_interview(&self, me: &Acting<Consultant>, new: &NewInterview) -> Result<InterviewId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let facts = reach_facts(&mut *tx, ctx.tenant, actor.user(), new.employee).await?;
        if !policy::decide(&actor, Operation::ReachEmployee, Target::Employee(facts)).is_allow() {
            drop(tx);
            return Err(unknown_employee(self.refused(ctx, Operation::ReachEmployee, AuditTarget::Employee, new.employee).await));
        }
        let id = self.insert_interview_in_tx(&mut tx, ctx.tenant, actor.user(), new).await?;
        let ev = ctx.event(AuditAction::InterviewScheduled, AuditTarget::Interview, id).detail(Fact::Name(Key::Kind, new.kind.as_str()));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An employee the acting consultant may reach, by number; an unknown number and an
    /// employee out of reach answer the same ("no such employee").
    pub async fn reachable_employee(&self, me: &Acting<Consultant>, number: &str) -> Result<EmployeeId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query("SELECT id FROM employees WHERE tenant_id = $1 AND employee_number = $2")
            .bind(ctx.tenant.get())
            .bind(number)
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let employee = EmployeeId::new(r.try_get("id")?);
        let facts = reach_facts(&self.db.read, ctx.tenant, actor.user(), employee).await?;
        if !policy::decide(&actor, Operation::ReachEmployee, Target::Employee(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ReachEmployee, AuditTarget::Employee, employee).await);
        }
        Ok(employee)
    }

    /// Loads an interview inside a write, for its consultant only; a refusal is audited and
    /// answers as an interview that does not exist.
    async fn own_interview_in_tx(&self, tx: &mut Transaction<'static, Any>, actor: &Actor, id: InterviewId) -> Result<InterviewRow> {
        let r = sqlx::query(&format!("{SELECT} WHERE i.id = $1 AND i.tenant_id = $2"))
            .bind(id.get())
            .bind(actor.tenant().get())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = to_row(&r)?;
        if !policy::decide(actor, Operation::ManageInterviews, interview_facts(actor.tenant(), &row)).is_allow() {
            return Err(StoreError::Refused { operation: Operation::ManageInterviews, kind: AuditTarget::Interview, id: id.to_string() });
        }
        Ok(row)
    }

    /// Moves a scheduled interview to another time (and place); the same checks as
    /// scheduling, except against itself.
    pub async fn reschedule_interview(&self, me: &Acting<Consultant>, id: InterviewId, change: &InterviewChange) -> Result<()> {
        let result = self.reschedule_interview_in_tx(me, id, change).await;
        self.settle(me.ctx(), result).await
    }

    async fn reschedule_interview_in_tx(&self, me: &Acting<Consultant>, id: InterviewId, change: &InterviewChange) -> Result<()> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let place = place_of(&change.place)?;
        let slot = Slot::new(change.slot.start_ms, change.slot.end_ms)?;
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let row = self.own_interview_in_tx(&mut tx, &actor, id).await?;
        if row.status != InterviewStatus::Scheduled {
            return Err(Invalid::new(
                "status",
                format!("「{}」の面談は日程を変更できません。日程を変更できるのは予定の面談だけです。", row.status.label_ja()),
                format!("an interview that is {} cannot be rescheduled; only scheduled ones can", row.status.label_en().to_lowercase()),
            )
            .into());
        }
        check_clash(&mut tx, ctx.tenant, actor.user(), slot, Some(id)).await?;
        sqlx::query(
            "UPDATE interviews SET mode = $1, place = $2, starts_at = $3, ends_at = $4, updated_at = $5 WHERE id = $6 AND tenant_id = $7",
        )
        .bind(change.mode.as_str())
        .bind(place)
        .bind(slot.start_ms)
        .bind(slot.end_ms)
        .bind(now_ms())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        let ev = ctx.event(AuditAction::InterviewChanged, AuditTarget::Interview, id).detail(Fact::Is(Outcome::Rescheduled));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that an interview was held, missed or cancelled, with an optional note (a
    /// cancellation needs its reason), sealed; the note replaces the previous one, and an empty
    /// note removes it. Follows `domain::interview::change_status`.
    pub async fn set_interview_status(
        &self,
        me: &Acting<Consultant>,
        id: InterviewId,
        to: InterviewStatus,
        note: &str,
    ) -> Result<InterviewStatus> {
        let result = self.set_interview_status_in_tx(me, id, to, note).await;
        self.settle(me.ctx(), result).await
    }

    async fn set_interview_status_in_tx(
        &self,
        me: &Acting<Consultant>,
        id: InterviewId,
        to: InterviewStatus,
        note: &str,
    ) -> Result<InterviewStatus> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let note = limits::INTERVIEW_STATUS_NOTE.check(note)?;
        if to == InterviewStatus::Cancelled && note.is_empty() {
            return Err(Invalid::new("note", "キャンセルの理由を入力してください。", "give the reason for the cancellation").into());
        }
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let row = self.own_interview_in_tx(&mut tx, &actor, id).await?;
        let change = change_status_at(row.status, to, row.starts_at, now_ms())?;
        let next = change.to();
        // The report stands on a held interview: it cannot be taken from under it.
        if row.status == InterviewStatus::Held && row.has_report {
            return Err(Invalid::new(
                "status",
                "個別報告書が作成されているため、「実施済み」の記録は変更できません。",
                "a report has been started for this interview, so its record as held cannot change",
            )
            .into());
        }
        // A no-show later recorded as held takes its time back: it must not overlap anything.
        if next.occupies_time() && !row.status.occupies_time() {
            check_clash(&mut tx, ctx.tenant, actor.user(), Slot { start_ms: row.starts_at, end_ms: row.ends_at }, Some(id)).await?;
        }
        let previous = status_note_id_in_tx(&mut tx, ctx.tenant, id).await?;
        let sealed = match (previous, note.is_empty()) {
            (_, true) => None,
            (Some(s), false) => {
                self.reseal_in_tx(&mut tx, ctx.tenant, s, &note).await?;
                Some(s)
            }
            (None, false) => Some(self.seal_in_tx(&mut tx, ctx.tenant, STATUS_NOTE_PURPOSE, &note).await?),
        };
        sqlx::query("UPDATE interviews SET status = $1, status_note_sealed_id = $2, updated_at = $3 WHERE id = $4 AND tenant_id = $5")
            .bind(next.as_str())
            .bind(sealed.map(|s| s.get()))
            .bind(now_ms())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        // A reason taken back leaves no ciphertext behind.
        if let (Some(old), None) = (previous, sealed) {
            sqlx::query("DELETE FROM sealed_texts WHERE id = $1 AND tenant_id = $2")
                .bind(old.get())
                .bind(ctx.tenant.get())
                .execute(&mut *tx)
                .await?;
        }
        let ev = match change {
            StatusChange::Record(_) => {
                ctx.event(AuditAction::InterviewChanged, AuditTarget::Interview, id).detail(Fact::Name(Key::Status, next.as_str()))
            }
            StatusChange::Correct { from, to } => ctx
                .event(AuditAction::InterviewStatusCorrected, AuditTarget::Interview, id)
                .detail(Fact::Transition { from: from.as_str(), to: to.as_str() }),
        };
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// What the acting consultant's slot would clash with (kind and time only), to explain a
    /// refused scheduling in the reader's language; the refusal itself happens in the write.
    pub async fn interview_clash(
        &self,
        me: &Acting<Consultant>,
        slot: Slot,
        except: Option<InterviewId>,
    ) -> Result<Option<(InterviewKind, Slot)>> {
        first_clash(&self.db.read, me.ctx().tenant, me.actor().user(), slot, except).await
    }

    pub(crate) async fn audited_list(&self, ctx: &Ctx, target: AuditTarget, id: impl ToString, detail: AuditDetail) -> Result<()> {
        self.audit(ctx, ctx.event(AuditAction::InterviewListRead, target, id).detail(detail)).await
    }

    /// One interview, for its consultant; others get "not found". The read is audited.
    pub async fn interview(&self, me: &Acting<Consultant>, id: InterviewId) -> Result<InterviewRow> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query(&format!("{SELECT} WHERE i.id = $1 AND i.tenant_id = $2"))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let row = to_row(&r)?;
        if !policy::decide(&actor, Operation::ManageInterviews, interview_facts(ctx.tenant, &row)).is_allow() {
            return Err(self.refused(ctx, Operation::ManageInterviews, AuditTarget::Interview, id).await);
        }
        self.audited_list(ctx, AuditTarget::Interview, id, AuditDetail::none()).await?;
        Ok(row)
    }

    /// The status note of an interview (why it was cancelled or missed), for its consultant
    /// only; everyone else, the employee included, gets "not found". `None` when there is
    /// none. Such a reason can be special-care data (health, say), so the read is durable in
    /// the audit log before the text is returned.
    pub async fn interview_status_note(&self, me: &Acting<Consultant>, id: InterviewId) -> Result<Option<String>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query("SELECT consultant_id, status_note_sealed_id FROM interviews WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let facts = InterviewFacts { tenant: ctx.tenant, consultant: UserId::new(r.try_get("consultant_id")?), employee_user: None };
        let Some(permit) = policy::permit(&actor, Operation::ReadStatusNote, Target::Interview(facts)) else {
            return Err(self.refused(ctx, Operation::ReadStatusNote, AuditTarget::Interview, id).await);
        };
        let Some(sealed) = r.try_get::<Option<i64>, _>("status_note_sealed_id")?.map(SealedId::new) else { return Ok(None) };
        let event = ctx.event(AuditAction::InterviewNoteRead, AuditTarget::Interview, id).detail(Fact::Is(Outcome::StatusNote));
        let text = self.open_permitted(ctx, &permit, &[event], &[sealed]).await?.remove(&sealed).ok_or(StoreError::NotFound)?;
        Ok(Some(text))
    }

    /// The acting consultant's interviews that touch [from, to), every status, by start.
    pub async fn consultant_interviews(&self, me: &Acting<Consultant>, from_ms: i64, to_ms: i64) -> Result<Vec<InterviewRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND i.starts_at < $3 AND i.ends_at > $4 ORDER BY i.starts_at, i.id"
        ))
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(to_ms)
        .bind(from_ms)
        .fetch_all(&self.db.read)
        .await?;
        let items = rows.iter().map(to_row).collect::<Result<Vec<_>>>()?;
        self.audited_list(
            ctx,
            AuditTarget::InterviewList,
            "period",
            AuditDetail::none().n(Key::From, from_ms).n(Key::To, to_ms).n(Key::Count, items.len()),
        )
        .await?;
        Ok(items)
    }

    /// The acting consultant's interviews in a cycle (or all of them), by start. An unknown
    /// cycle is refused naming the `cycle` parameter.
    pub async fn cycle_interviews(&self, me: &Acting<Consultant>, cycle: Option<CycleId>) -> Result<Vec<InterviewRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if let Some(c) = cycle {
            let known = sqlx::query("SELECT id FROM cycles WHERE id = $1 AND tenant_id = $2")
                .bind(c.get())
                .bind(ctx.tenant.get())
                .fetch_optional(&self.db.read)
                .await?;
            if known.is_none() {
                return Err(Invalid::new(
                    "cycle",
                    format!("実施年度（cycle）{c} は見つかりません。"),
                    format!("cycle {c} does not exist in this organization"),
                )
                .into());
            }
        }
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND ($3 IS NULL OR i.cycle_id = $3) ORDER BY i.starts_at, i.id"
        ))
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(cycle.map(|c| c.get()))
        .fetch_all(&self.db.read)
        .await?;
        let items = rows.iter().map(to_row).collect::<Result<Vec<_>>>()?;
        let which = match cycle {
            Some(c) => Fact::N(Key::Cycle, c.get()),
            None => Fact::Name(Key::Cycle, "all"),
        };
        self.audited_list(ctx, AuditTarget::InterviewList, "cycle", AuditDetail::of(which).n(Key::Count, items.len())).await?;
        Ok(items)
    }

    /// The signed-in employee's own interviews, newest first: date, mode, place, consultant
    /// and status, never notes nor status notes. An account not linked to an employee has none.
    pub async fn own_interviews(&self, me: &Acting<Employee>) -> Result<Vec<OwnInterview>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT i.id, i.kind, i.mode, i.place, i.starts_at, i.ends_at, i.status, u.display_name AS consultant_name
             FROM interviews i JOIN users u ON u.id = i.consultant_id
             WHERE i.tenant_id = $1 AND i.employee_id = $2 ORDER BY i.starts_at DESC, i.id DESC",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .fetch_all(&self.db.read)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(OwnInterview {
                    id: InterviewId::new(r.try_get("id")?),
                    kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                    mode: mode_of(&r.try_get::<String, _>("mode")?)?,
                    place: r.try_get("place")?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    status: status_of(&r.try_get::<String, _>("status")?)?,
                    consultant_name: r.try_get("consultant_name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audited_list(ctx, AuditTarget::InterviewList, "own", AuditDetail::count(items.len())).await?;
        Ok(items)
    }

    /// The employee record a user account is linked to, if any.
    pub(crate) async fn employee_of_user(&self, tenant: TenantId, user: UserId) -> Result<Option<EmployeeId>> {
        let r = sqlx::query("SELECT employee_id FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.try_get::<Option<i64>, _>("employee_id")?.map(EmployeeId::new))
    }

    /// The employees assigned to the acting consultant in cycles that are not closed.
    pub async fn assigned_targets(&self, me: &Acting<Consultant>) -> Result<Vec<AssignedTarget>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let rows = sqlx::query(
            "SELECT t.cycle_id, c.name AS cycle_name, t.employee_id, e.employee_number, e.name AS employee_name,
                (SELECT COUNT(*) FROM interviews i WHERE i.cycle_id = t.cycle_id AND i.employee_id = t.employee_id
                    AND i.status IN ('scheduled', 'held')) AS interviews
             FROM cycle_targets t JOIN cycles c ON c.id = t.cycle_id JOIN employees e ON e.id = t.employee_id
             WHERE t.tenant_id = $1 AND t.consultant_id = $2 AND c.status <> $3
             ORDER BY c.starts_on DESC, e.employee_number",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(CycleStatus::Closed.as_str())
        .fetch_all(&self.db.read)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(AssignedTarget {
                    cycle: CycleId::new(r.try_get("cycle_id")?),
                    cycle_name: r.try_get("cycle_name")?,
                    employee: EmployeeId::new(r.try_get("employee_id")?),
                    employee_number: r.try_get("employee_number")?,
                    employee_name: r.try_get("employee_name")?,
                    interviews: r.try_get("interviews")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audited_list(ctx, AuditTarget::CycleTargets, "assigned", AuditDetail::count(items.len())).await?;
        Ok(items)
    }

    /// Writes (or replaces) the interview's note, sealed. Only its consultant may.
    pub async fn write_interview_note(&self, me: &Acting<Consultant>, id: InterviewId, text: &str) -> Result<()> {
        self.write_interview_note_flagged(me, id, text, false).await.map(|_| ())
    }

    /// [`Store::write_interview_note`] with the note's life/safety flag: raised, it opens an
    /// escalation in the same transaction (once; see `domain::escalation::opens_escalation`).
    pub async fn write_interview_note_flagged(
        &self,
        me: &Acting<Consultant>,
        id: InterviewId,
        text: &str,
        life_safety: bool,
    ) -> Result<Option<domain::ids::EscalationId>> {
        let result = self.write_interview_note_in_tx(me, id, text, life_safety).await;
        self.settle(me.ctx(), result).await
    }

    async fn write_interview_note_in_tx(
        &self,
        me: &Acting<Consultant>,
        id: InterviewId,
        text: &str,
        life_safety: bool,
    ) -> Result<Option<domain::ids::EscalationId>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        // The note is kept as typed (not trimmed); only its length is bounded.
        if text.chars().count() > limits::INTERVIEW_NOTE.max {
            return Err(limits::INTERVIEW_NOTE.too_long().into());
        }
        let mut tx = self.db.write.begin().await?;
        self.own_interview_in_tx(&mut tx, &actor, id).await?;
        let existing = sqlx::query("SELECT sealed_id FROM interview_notes WHERE interview_id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?;
        let now = now_ms();
        match existing {
            Some(r) => {
                let sealed = SealedId::new(r.try_get("sealed_id")?);
                self.reseal_in_tx(&mut tx, ctx.tenant, sealed, text).await?;
                sqlx::query("UPDATE interview_notes SET updated_at = $1 WHERE interview_id = $2")
                    .bind(now)
                    .bind(id.get())
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                let sealed = self.seal_in_tx(&mut tx, ctx.tenant, "interview_note", text).await?;
                sqlx::query("INSERT INTO interview_notes (interview_id, tenant_id, sealed_id, updated_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.get())
                    .bind(ctx.tenant.get())
                    .bind(sealed.get())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::InterviewNoteWritten, AuditTarget::Interview, id)]).await?;
        let employee = sqlx::query("SELECT employee_id FROM interviews WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_one(&mut *tx)
            .await?;
        let raise = crate::escalations::Raise {
            source: domain::escalation::EscalationSource::InterviewNote,
            interview: id,
            report: None,
            employee: EmployeeId::new(employee.try_get("employee_id")?),
            flag: life_safety,
        };
        let escalation = self.raise_in_tx(&mut tx, ctx, raise, None).await?;
        tx.commit().await?;
        Ok(escalation)
    }

    /// Reads the interview's note for whoever the policy lets read it (the
    /// interviewer; a supervisor while the report is submitted); everyone else gets "not
    /// found". `None` when nothing was written yet. The read is durable in the audit log
    /// before the text is returned.
    pub async fn read_interview_note(&self, ctx: &Ctx, id: InterviewId) -> Result<Option<InterviewNote>> {
        let actor = ctx.actor()?;
        let r = sqlx::query(
            "SELECT i.consultant_id, e.id AS employee_id, e.boss_id, n.sealed_id, n.updated_at, r.status AS report_status, r.author_id, r.supervisor_id
             FROM interviews i JOIN employees e ON e.id = i.employee_id
             LEFT JOIN interview_notes n ON n.interview_id = i.id
             LEFT JOIN reports r ON r.interview_id = i.id
             WHERE i.id = $1 AND i.tenant_id = $2",
        )
        .bind(id.get())
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let interviewer = UserId::new(r.try_get("consultant_id")?);
        let report = match r.try_get::<Option<String>, _>("report_status")? {
            Some(s) => Some(ReportFacts {
                tenant: ctx.tenant,
                author: UserId::new(r.try_get("author_id")?),
                status: ReportStatus::parse(&s).ok_or_else(|| StoreError::Config("unknown status in reports".into()))?,
                assigned_supervisor: r.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new),
            }),
            None => None,
        };
        let facts = NoteFacts { tenant: ctx.tenant, interviewer, report };
        let Some(permit) = policy::permit(&actor, Operation::ReadNotes, Target::Notes(facts)) else {
            return Err(self.refused(ctx, Operation::ReadNotes, AuditTarget::Interview, id).await);
        };
        let view = permit.view();
        let Some(sealed) = r.try_get::<Option<i64>, _>("sealed_id")?.map(SealedId::new) else { return Ok(None) };
        let updated_at: i64 = r.try_get("updated_at")?;
        let event = ctx.event(AuditAction::InterviewNoteRead, AuditTarget::Interview, id).detail(Fact::View(view));
        let mut texts = self.open_permitted(ctx, &permit, &[event], &[sealed]).await?;
        let text = texts.remove(&sealed).ok_or(StoreError::NotFound)?;
        let text = match view {
            View::Identified => text,
            // Every employee's name forms go, not only the interviewee's: the same index as
            // pseudonymized reports.
            View::Pseudonymized => {
                let employee: i64 = r.try_get("employee_id")?;
                let boss: Option<i64> = r.try_get("boss_id")?;
                let index = self.name_index(ctx.tenant).await?;
                let secret = self.pseudonym_secret(ctx.tenant).await?;
                index.mask(&text, Some(employee), boss, &MaskLabels::ja(&pseudonym(&secret, employee)))
            }
        };
        Ok(Some(InterviewNote { text, updated_at, view }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clash_messages_name_time_and_kind() {
        let slot = Slot { start_ms: 1_778_547_600_000, end_ms: 1_778_551_200_000 };
        let m = clash_message(InterviewKind::FollowUp, slot);
        assert!(m.ja.contains("フォローアップ面談") && m.ja.contains("2026/05/12（火） 10:00–11:00"), "{}", m.ja);
        assert!(m.en.contains("follow-up interview") && m.en.contains("Tue 12 May 2026 10:00–11:00"), "{}", m.en);
    }
}
