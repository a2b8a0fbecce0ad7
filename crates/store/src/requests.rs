//! Consultation requests (任意の相談申し出): an employee asks for a consultation at a
//! preferred time; the request lands with the consultant assigned to them, or in the pool
//! every consultant of the tenant sees; it is answered by scheduling or declining.

use crate::cycles::CycleStatus;
use crate::interviews::{lock_consultant, mode_of, status_of, InterviewChange, NewInterview};
use crate::{now_ms, Acting, Consultant, Employee, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{CycleId, EmployeeId, InterviewId, SealedId, TenantId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
use domain::policy::{self, Operation, RequestFacts, Target};
use domain::{limits, Invalid, Role};
use sqlx::{Any, Row, Transaction};
use std::fmt;

/// A consultation request's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsultationRequestId(i64);

impl ConsultationRequestId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ConsultationRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a new request went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// To the consultant assigned to the employee in their latest active cycle.
    Assigned(UserId),
    /// To the pool every consultant of the tenant sees.
    Pool,
}

/// A request in a consultant's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedRequest {
    pub id: ConsultationRequestId,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    /// Addressed to the reader (`true`) or to the pool (`false`).
    pub assigned_to_me: bool,
    pub preferred: String,
    pub message: String,
    pub created_at: i64,
}

/// A request as the employee who made it sees it, with the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnRequest {
    pub id: ConsultationRequestId,
    pub preferred: String,
    pub message: String,
    pub status: RequestStatus,
    /// The consultant's words: the reason of a refusal, or a note with the appointment.
    pub reply: String,
    pub consultant_name: Option<String>,
    /// The interview that answers it, when scheduled: start, end, mode, place, status.
    pub interview: Option<(i64, i64, InterviewMode, String, InterviewStatus)>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// How many unanswered requests one employee may have at once.
pub const MAX_OPEN_REQUESTS: i64 = 3;

fn request_status(s: &str) -> Result<RequestStatus> {
    RequestStatus::parse(s).ok_or_else(|| StoreError::Config("unknown status in consultation_requests".into()))
}

/// The employee's latest active cycle (the one whose period holds today first) and who is
/// assigned to them there, if anyone.
async fn latest_target(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    employee: EmployeeId,
) -> Result<Option<(CycleId, Option<UserId>)>> {
    let today = crate::today_jst().format("%Y-%m-%d").to_string();
    let r = sqlx::query(
        "SELECT t.cycle_id, t.consultant_id FROM cycle_targets t JOIN cycles c ON c.id = t.cycle_id
         WHERE t.tenant_id = $1 AND t.employee_id = $2 AND c.status = $3
         ORDER BY CASE WHEN c.starts_on <= $4 AND c.ends_on >= $4 THEN 0 ELSE 1 END, c.starts_on DESC, c.id DESC
         LIMIT 1",
    )
    .bind(tenant.get())
    .bind(employee.get())
    .bind(CycleStatus::Active.as_str())
    .bind(today)
    .fetch_optional(&mut **tx)
    .await?;
    match r {
        Some(r) => Ok(Some((CycleId::new(r.try_get("cycle_id")?), r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new)))),
        None => Ok(None),
    }
}

/// Whether the user can still take requests: enabled, and holding the consultant role.
async fn is_active_consultant(tx: &mut Transaction<'static, Any>, tenant: TenantId, user: UserId) -> Result<bool> {
    let r = sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
         WHERE u.id = $1 AND u.tenant_id = $2 AND u.disabled_at IS NULL AND r.role = $3",
    )
    .bind(user.get())
    .bind(tenant.get())
    .bind(Role::Consultant.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.is_some())
}

impl Store {
    /// The signed-in employee asks for a consultation. Routed to the consultant assigned to
    /// them in their latest active cycle, or else to the pool.
    pub async fn request_consultation(
        &self,
        me: &Acting<Employee>,
        preferred: &str,
        message: &str,
    ) -> Result<(ConsultationRequestId, Routing)> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let (preferred, message) = domain::request::check_request(preferred, message).map_err(StoreError::problems)?;
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else {
            return Err(Invalid::new(
                "employee",
                "このアカウントは従業員情報と紐づいていないため、申し出ができません。システム管理者にお問い合わせください。",
                "this account is not linked to an employee record; ask your administrator",
            )
            .into());
        };
        let mut tx = self.db.write.begin().await?;
        let open: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM consultation_requests WHERE tenant_id = $1 AND employee_id = $2 AND status = $3")
                .bind(ctx.tenant.get())
                .bind(employee.get())
                .bind(RequestStatus::Open.as_str())
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if open >= MAX_OPEN_REQUESTS {
            return Err(Invalid::new(
                "preferred",
                format!("回答待ちの申し出が{open}件あります。回答をお待ちいただくか、担当のコンサルタントにご連絡ください。"),
                format!("you already have {open} requests waiting for an answer; please wait for them"),
            )
            .into());
        }
        let routing = match latest_target(&mut tx, ctx.tenant, employee).await? {
            Some((_, Some(c))) if is_active_consultant(&mut tx, ctx.tenant, c).await? => Routing::Assigned(c),
            _ => Routing::Pool,
        };
        let message_id =
            if message.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, ctx.tenant, "consultation_message", &message).await?) };
        let now = now_ms();
        let consultant = match routing {
            Routing::Assigned(c) => Some(c.get()),
            Routing::Pool => None,
        };
        let r = sqlx::query(
            "INSERT INTO consultation_requests (tenant_id, employee_id, consultant_id, preferred, message_sealed_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(consultant)
        .bind(preferred)
        .bind(message_id.map(|m| m.get()))
        .bind(RequestStatus::Open.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = ConsultationRequestId::new(r.try_get("id")?);
        let routed = if consultant.is_some() { "assigned" } else { "pool" };
        let ev =
            ctx.event(AuditAction::ConsultationRequested, AuditTarget::ConsultationRequest, id).detail(Fact::Name(Key::Routed, routed));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok((id, routing))
    }

    /// The signed-in employee's own requests, newest first, with each answer.
    pub async fn own_requests(&self, me: &Acting<Employee>) -> Result<Vec<OwnRequest>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT r.id, r.consultant_id, r.preferred, r.message_sealed_id, r.status, r.reply_sealed_id, r.created_at, r.updated_at,
                u.display_name AS consultant_name, i.starts_at, i.ends_at, i.mode, i.place, i.status AS interview_status
             FROM consultation_requests r
             LEFT JOIN users u ON u.id = r.consultant_id
             LEFT JOIN interviews i ON i.id = r.interview_id
             WHERE r.tenant_id = $1 AND r.employee_id = $2 ORDER BY r.created_at DESC, r.id DESC",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut sealed = Vec::new();
        for r in &rows {
            // The request is the employee's own: they asked it, through their linked record.
            let facts = RequestFacts {
                tenant: ctx.tenant,
                addressee: r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new),
                requester: Some(actor.user()),
            };
            let Some(permit) = policy::permit(&actor, Operation::ViewOwnInterviews, Target::Request(facts)) else { continue };
            for col in ["message_sealed_id", "reply_sealed_id"] {
                if let Some(id) = r.try_get::<Option<i64>, _>(col)? {
                    sealed.push((permit, SealedId::new(id)));
                }
            }
        }
        let event = ctx
            .event(AuditAction::ConsultationRequestsRead, AuditTarget::ConsultationRequestList, "own")
            .detail(AuditDetail::count(rows.len()));
        let texts = self.open_permitted_each(ctx, &[event], &sealed).await?;
        let text = |id: Option<i64>| id.and_then(|i| texts.get(&SealedId::new(i)).cloned()).unwrap_or_default();
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let interview = match r.try_get::<Option<i64>, _>("starts_at")? {
                Some(start) => Some((
                    start,
                    r.try_get::<i64, _>("ends_at")?,
                    mode_of(&r.try_get::<String, _>("mode")?)?,
                    r.try_get::<String, _>("place")?,
                    status_of(&r.try_get::<String, _>("interview_status")?)?,
                )),
                None => None,
            };
            items.push(OwnRequest {
                id: ConsultationRequestId::new(r.try_get("id")?),
                preferred: r.try_get("preferred")?,
                message: text(r.try_get("message_sealed_id")?),
                status: request_status(&r.try_get::<String, _>("status")?)?,
                reply: text(r.try_get("reply_sealed_id")?),
                consultant_name: r.try_get("consultant_name")?,
                interview,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            });
        }
        Ok(items)
    }

    /// The acting consultant's queue: open requests addressed to them or to the pool, oldest first.
    pub async fn request_queue(&self, me: &Acting<Consultant>) -> Result<Vec<QueuedRequest>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let rows = sqlx::query(
            "SELECT r.id, r.employee_id, e.employee_number, e.name AS employee_name, d.path AS department, r.consultant_id,
                r.preferred, r.message_sealed_id, r.created_at
             FROM consultation_requests r JOIN employees e ON e.id = r.employee_id JOIN departments d ON d.id = e.department_id
             WHERE r.tenant_id = $1 AND r.status = $2 AND (r.consultant_id = $3 OR r.consultant_id IS NULL)
             ORDER BY r.created_at, r.id",
        )
        .bind(ctx.tenant.get())
        .bind(RequestStatus::Open.as_str())
        .bind(actor.user().get())
        .fetch_all(&self.db.read)
        .await?;
        let (sealed, visible) = permitted_requests(&actor, ctx.tenant, &rows)?;
        let event = ctx
            .event(AuditAction::ConsultationRequestsRead, AuditTarget::ConsultationRequestList, "queue")
            .detail(AuditDetail::count(visible.len()));
        let texts = self.open_permitted_each(ctx, &[event], &sealed).await?;
        let items = visible.into_iter().map(|r| queued_request(r, &texts)).collect::<Result<Vec<_>>>()?;
        Ok(items)
    }

    /// How many requests wait in the acting consultant's queue (for the navigation).
    pub async fn request_queue_len(&self, me: &Acting<Consultant>) -> Result<i64> {
        let (ctx, actor) = (me.ctx(), me.actor());
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM consultation_requests WHERE tenant_id = $1 AND status = $2 AND (consultant_id = $3 OR consultant_id IS NULL)",
        )
        .bind(ctx.tenant.get())
        .bind(RequestStatus::Open.as_str())
        .bind(actor.user().get())
        .fetch_one(&self.db.read)
        .await?
        .try_get("n")?)
    }

    /// Takes an open request in the queue of `me` as answered (`to`), inside the write; the
    /// row lock makes two consultants answering one pool request meet here, one of them late.
    async fn claim_request(
        &self,
        tx: &mut Transaction<'static, Any>,
        who: &Acting<Consultant>,
        id: ConsultationRequestId,
        to: RequestStatus,
    ) -> Result<EmployeeId> {
        let (tenant, me) = (who.ctx().tenant, who.actor().user());
        let n = sqlx::query(
            "UPDATE consultation_requests SET status = $1, consultant_id = $2, updated_at = $3
             WHERE id = $4 AND tenant_id = $5 AND status = $6 AND (consultant_id = $2 OR consultant_id IS NULL)",
        )
        .bind(to.as_str())
        .bind(me.get())
        .bind(now_ms())
        .bind(id.get())
        .bind(tenant.get())
        .bind(RequestStatus::Open.as_str())
        .execute(&mut **tx)
        .await?;
        let r = sqlx::query("SELECT employee_id, status, consultant_id FROM consultation_requests WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(tenant.get())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if n.rows_affected() == 0 {
            // Another consultant's request (answered by them, or addressed to them) stays
            // invisible, exactly as one that does not exist; one's own answered request says so.
            let facts = RequestFacts { tenant, addressee: r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new), requester: None };
            if !policy::decide(&who.actor(), Operation::HandleRequests, Target::Request(facts)).is_allow() {
                return Err(StoreError::NotFound);
            }
            let status = request_status(&r.try_get::<String, _>("status")?)?;
            return Err(StoreError::Conflict(domain::request::already_answered(status)));
        }
        Ok(EmployeeId::new(r.try_get("employee_id")?))
    }

    /// Answers a request by scheduling an additional interview with the acting consultant
    /// (same checks as scheduling, the overlap included) and links it; `reply` is optional.
    pub async fn schedule_request(
        &self,
        me: &Acting<Consultant>,
        id: ConsultationRequestId,
        when: &InterviewChange,
        reply: &str,
    ) -> Result<InterviewId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let reply = limits::REQUEST_REPLY.check(reply)?;
        let mut tx = self.db.write.begin().await?;
        lock_consultant(&mut tx, ctx.tenant, actor.user()).await?;
        let employee = match self.claim_request(&mut tx, me, id, RequestStatus::Scheduled).await {
            Err(StoreError::NotFound) => {
                drop(tx);
                return Err(self.refused(ctx, Operation::HandleRequests, AuditTarget::ConsultationRequest, id).await);
            }
            other => other?,
        };
        let cycle = latest_target(&mut tx, ctx.tenant, employee).await?.map(|(c, _)| c);
        let new =
            NewInterview { cycle, employee, kind: InterviewKind::Additional, mode: when.mode, place: when.place.clone(), slot: when.slot };
        let interview = self.insert_interview_in_tx(&mut tx, ctx.tenant, actor.user(), &new).await?;
        let reply_id =
            if reply.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, ctx.tenant, "consultation_reply", &reply).await?) };
        sqlx::query("UPDATE consultation_requests SET interview_id = $1, reply_sealed_id = $2 WHERE id = $3 AND tenant_id = $4")
            .bind(interview.get())
            .bind(reply_id.map(|r| r.get()))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let events = [
            ctx.event(AuditAction::InterviewScheduled, AuditTarget::Interview, interview)
                .detail(AuditDetail::of(Fact::Name(Key::Kind, InterviewKind::Additional.as_str())).n(Key::Request, id.get())),
            ctx.event(AuditAction::ConsultationAnswered, AuditTarget::ConsultationRequest, id)
                .detail(AuditDetail::of(Fact::Is(Outcome::Scheduled)).n(Key::Interview, interview.get())),
        ];
        Store::audit_in_tx(&mut tx, ctx, &events).await?;
        tx.commit().await?;
        Ok(interview)
    }

    /// Declines a request with a reason, which the employee will read (sealed at rest).
    pub async fn decline_request(&self, me: &Acting<Consultant>, id: ConsultationRequestId, reason: &str) -> Result<()> {
        let ctx = me.ctx();
        let reason = limits::DECLINE_REASON.check(reason)?;
        if reason.is_empty() {
            return Err(Invalid::new(
                "reason",
                "お断りする理由を入力してください。ご本人に表示されます。",
                "give the reason for declining; the employee will read it",
            )
            .into());
        }
        let mut tx = self.db.write.begin().await?;
        if let Err(e) = self.claim_request(&mut tx, me, id, RequestStatus::Declined).await {
            drop(tx);
            return Err(match e {
                StoreError::NotFound => self.refused(ctx, Operation::HandleRequests, AuditTarget::ConsultationRequest, id).await,
                e => e,
            });
        }
        let reply = self.seal_in_tx(&mut tx, ctx.tenant, "consultation_reply", &reason).await?;
        sqlx::query("UPDATE consultation_requests SET reply_sealed_id = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(reply.get())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let ev = ctx.event(AuditAction::ConsultationAnswered, AuditTarget::ConsultationRequest, id).detail(Fact::Is(Outcome::Declined));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The permits to open the visible rows' sealed messages, and those rows.
pub(crate) type PermittedRows<'r> = (Vec<(policy::Permit, SealedId)>, Vec<&'r sqlx::any::AnyRow>);

/// The rows of consultation requests the policy lets `actor` handle, with the permits to open
/// their sealed messages: the per-row decision of the queue and of the `/requests` pages.
pub(crate) fn permitted_requests<'r>(actor: &policy::Actor, tenant: TenantId, rows: &'r [sqlx::any::AnyRow]) -> Result<PermittedRows<'r>> {
    let mut sealed = Vec::new();
    let mut visible = Vec::new();
    for r in rows {
        let facts = RequestFacts { tenant, addressee: r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new), requester: None };
        let Some(permit) = policy::permit(actor, Operation::HandleRequests, Target::Request(facts)) else { continue };
        if let Some(id) = r.try_get::<Option<i64>, _>("message_sealed_id")? {
            sealed.push((permit, SealedId::new(id)));
        }
        visible.push(r);
    }
    Ok((sealed, visible))
}

/// One request row as the consultant sees it, its message taken from the opened `texts`.
pub(crate) fn queued_request(r: &sqlx::any::AnyRow, texts: &std::collections::HashMap<SealedId, String>) -> Result<QueuedRequest> {
    let message = r.try_get::<Option<i64>, _>("message_sealed_id")?.and_then(|i| texts.get(&SealedId::new(i)).cloned()).unwrap_or_default();
    Ok(QueuedRequest {
        id: ConsultationRequestId::new(r.try_get("id")?),
        employee: EmployeeId::new(r.try_get("employee_id")?),
        employee_number: r.try_get("employee_number")?,
        employee_name: r.try_get("employee_name")?,
        department: r.try_get("department")?,
        assigned_to_me: r.try_get::<Option<i64>, _>("consultant_id")?.is_some(),
        preferred: r.try_get("preferred")?,
        message,
        created_at: r.try_get("created_at")?,
    })
}
