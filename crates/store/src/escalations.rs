//! Life/safety escalations (生命・安全, R4). A save that raises the flag on a report or an
//! interview note opens one in its own transaction (`raise_in_tx`) and notifies the tenant's
//! designated responders there and then; the recurring job notifies them again while it is
//! overdue and tells the employee of a disclosure once its notice is due. Responders read the
//! consultant's summary through the gate; the report itself only after a disclosure request
//! approved by a second, different responder.

use crate::paging::{Direction, PageRequest, Paged};
use crate::{now_ms, Acting, Consultant, Ctx, Employee, Responder, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::consent::{Recipient, TwoPersonApproval};
use domain::escalation::{self as rules, DisclosureRequestState, Earlier, EscalationSettings, EscalationSource, EscalationState};
use domain::ids::{EmployeeId, EscalationId, InterviewId, ReportId, SealedId, TenantId, UserId};
use domain::notification::NotificationKind;
use domain::policy::{self, Actor, EscalationFacts, EscalationPart, Operation, Permit, Target};
use domain::report::ReportSections;
use domain::{Invalid, Role};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

const SUMMARY_PURPOSE: &str = "escalation_summary";
const ACTIONS_PURPOSE: &str = "escalation_actions";
const REASON_PURPOSE: &str = "escalation_reason";
const DELAY_PURPOSE: &str = "escalation_notice_delay";

/// What raised the flag, as the save that raised it knows it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raise {
    pub source: EscalationSource,
    pub interview: InterviewId,
    pub report: Option<ReportId>,
    pub employee: EmployeeId,
    pub flag: bool,
}

/// One escalation as a list shows it: where it stands, never what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationRow {
    pub id: EscalationId,
    pub source: EscalationSource,
    pub report_id: Option<ReportId>,
    pub state: EscalationState,
    pub opened_at: i64,
    pub due_at: i64,
    pub overdue: bool,
    pub raised_by_name: String,
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// A request to disclose more without consent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureRequestRow {
    pub id: i64,
    pub reason: String,
    pub requested_by: UserId,
    pub requested_by_name: String,
    pub requested_at: i64,
    pub state: DisclosureRequestState,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<i64>,
    pub notice_at: Option<i64>,
    pub delay_reason: Option<String>,
}

/// What an approved disclosure releases to the responders: who the employee is, and the text
/// the flag was raised on (the report's sections, or the interview note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedText {
    pub employee_name: String,
    pub employee_number: String,
    pub department: String,
    pub report: Option<ReportSections>,
    pub note: Option<String>,
}

/// One escalation as its reader may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationDetail {
    pub row: EscalationRow,
    pub summary: Option<String>,
    pub actions: Option<String>,
    pub requests: Vec<DisclosureRequestRow>,
    pub released: Option<ReleasedText>,
    /// The reader is a designated responder (acknowledge, ask, approve, close).
    pub responder: bool,
    /// The reader raised it (writes the summary).
    pub raised_by_me: bool,
    pub me: UserId,
}

/// What an employee is told of a disclosure made without their consent: when and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationNotice {
    pub approved_at: i64,
    pub notice_at: i64,
    pub reason: String,
}

/// A user who may be named a responder: a holder of the health role, or of the HR role (the
/// HR lead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderCandidate {
    pub user: UserId,
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub designated: bool,
}

/// The responder settings page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponderSettings {
    pub settings: EscalationSettings,
    pub candidates: Vec<ResponderCandidate>,
}

/// What the recurring job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EscalationSweep {
    pub renotified: usize,
    pub notices: usize,
}

const ROW_SELECT: &str = "SELECT e.id, e.source, e.report_id, e.interview_id, e.employee_id, e.raised_by, e.state, e.opened_at, e.due_at,
        e.summary_sealed_id, e.actions_sealed_id, e.acknowledged_at, e.closed_at,
        r.display_name AS raised_by_name, a.display_name AS acknowledged_by_name
    FROM escalations e JOIN users r ON r.id = e.raised_by LEFT JOIN users a ON a.id = e.acknowledged_by";

fn state_of(s: &str) -> Result<EscalationState> {
    EscalationState::parse(s).ok_or_else(|| StoreError::Config(format!("unknown escalation state {s}")))
}

fn row_of(r: &AnyRow, now: i64) -> Result<EscalationRow> {
    let state = state_of(&r.try_get::<String, _>("state")?)?;
    let due_at: i64 = r.try_get("due_at")?;
    let source: String = r.try_get("source")?;
    Ok(EscalationRow {
        id: EscalationId::new(r.try_get("id")?),
        source: EscalationSource::parse(&source).ok_or_else(|| StoreError::Config(format!("unknown escalation source {source}")))?,
        report_id: r.try_get::<Option<i64>, _>("report_id")?.map(ReportId::new),
        state,
        opened_at: r.try_get("opened_at")?,
        due_at,
        overdue: rules::is_overdue(state, due_at, now),
        raised_by_name: r.try_get("raised_by_name")?,
        acknowledged_by_name: r.try_get("acknowledged_by_name")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

fn problems(all: Vec<Invalid>) -> StoreError {
    StoreError::problems(all)
}

impl Store {
    /// The tenant's escalation settings, for any signed-in reader (they say nothing personal).
    pub async fn escalation_settings(&self, ctx: &Ctx) -> Result<EscalationSettings> {
        self.escalation_settings_of(ctx.tenant).await
    }

    /// The tenant's escalation settings (the defaults until HR saves others).
    pub(crate) async fn escalation_settings_of(&self, tenant: TenantId) -> Result<EscalationSettings> {
        let r = sqlx::query("SELECT ack_hours, notice_delay_max_days FROM escalation_settings WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        Ok(match r {
            Some(r) => {
                EscalationSettings { ack_hours: r.try_get("ack_hours")?, notice_delay_max_days: r.try_get("notice_delay_max_days")? }
            }
            None => EscalationSettings::default(),
        })
    }

    /// The designated responders who can act now: named by the tenant, still enabled and still
    /// holding the health or HR role.
    async fn responders_in_tx(tx: &mut Transaction<'static, Any>, tenant: TenantId) -> Result<Vec<UserId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT s.user_id FROM escalation_responders s JOIN users u ON u.id = s.user_id
             JOIN user_roles ur ON ur.user_id = s.user_id
             WHERE s.tenant_id = $1 AND u.tenant_id = $1 AND u.disabled_at IS NULL AND ur.role IN ('health', 'hr') ORDER BY s.user_id",
        )
        .bind(tenant.get())
        .fetch_all(&mut **tx)
        .await?;
        rows.iter().map(|r| Ok(UserId::new(r.try_get("user_id")?))).collect()
    }

    /// Whether the signed-in reader acts as one of the tenant's named responders (the list says
    /// so when they are not).
    pub async fn acts_as_responder(&self, ctx: &Ctx) -> Result<bool> {
        self.is_designated(&ctx.actor()?).await
    }

    /// Whether the actor acts as a designated responder: named by the tenant, and acting as
    /// health staff or HR.
    pub(crate) async fn is_designated(&self, actor: &Actor) -> Result<bool> {
        if !matches!(actor.role(), Role::Health | Role::Hr) {
            return Ok(false);
        }
        let r = sqlx::query("SELECT user_id FROM escalation_responders WHERE tenant_id = $1 AND user_id = $2")
            .bind(actor.tenant().get())
            .bind(actor.user().get())
            .fetch_optional(&self.db.read)
            .await?;
        Ok(r.is_some())
    }

    /// Opens an escalation inside the save that raised the flag, when the rule says so, and
    /// notifies every designated responder in the same transaction. Lowering the flag marks the
    /// closed escalations of the source, so that raising it again opens a new one.
    pub(crate) async fn raise_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &Ctx,
        raise: Raise,
        summary: Option<&str>,
    ) -> Result<Option<EscalationId>> {
        let actor = ctx.actor()?;
        let (cond, key) = match (raise.source, raise.report) {
            (EscalationSource::Report, Some(r)) => ("source = 'report' AND report_id = $2", r.get()),
            _ => ("source = 'interview_note' AND interview_id = $2", raise.interview.get()),
        };
        if !raise.flag {
            sqlx::query(&format!("UPDATE escalations SET flag_lowered = 1 WHERE tenant_id = $1 AND {cond} AND state = 'closed'"))
                .bind(ctx.tenant.get())
                .bind(key)
                .execute(&mut **tx)
                .await?;
            return Ok(None);
        }
        let earlier = sqlx::query(&format!("SELECT state, flag_lowered FROM escalations WHERE tenant_id = $1 AND {cond}"))
            .bind(ctx.tenant.get())
            .bind(key)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| {
                Ok(Earlier {
                    state: state_of(&r.try_get::<String, _>("state")?)?,
                    flag_lowered_since: r.try_get::<i64, _>("flag_lowered")? != 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !rules::opens_escalation(true, &earlier) {
            // A summary typed while the flag is raised (an autosave may have opened the
            // escalation a moment before, with what was typed so far) goes to the escalation
            // that covers the source.
            if let Some(text) = summary.map(|s| rules::SUMMARY.check(s)).transpose()?.filter(|s| !s.is_empty()) {
                let open = sqlx::query(&format!(
                    "SELECT id, summary_sealed_id FROM escalations WHERE tenant_id = $1 AND {cond} AND state <> 'closed' AND raised_by = $3"
                ))
                .bind(ctx.tenant.get())
                .bind(key)
                .bind(actor.user().get())
                .fetch_optional(&mut **tx)
                .await?;
                if let Some(r) = open {
                    let id = EscalationId::new(r.try_get("id")?);
                    match r.try_get::<Option<i64>, _>("summary_sealed_id")?.map(SealedId::new) {
                        Some(s) => self.reseal_in_tx(tx, ctx.tenant, s, &text).await?,
                        None => {
                            let sealed = self.seal_in_tx(tx, ctx.tenant, SUMMARY_PURPOSE, &text).await?;
                            sqlx::query("UPDATE escalations SET summary_sealed_id = $1 WHERE id = $2")
                                .bind(sealed.get())
                                .bind(id.get())
                                .execute(&mut **tx)
                                .await?;
                        }
                    }
                    let ev =
                        ctx.event(AuditAction::EscalationChanged, AuditTarget::Escalation, id).detail(Fact::Name(Key::Purpose, "summary"));
                    Store::audit_in_tx(tx, ctx, &[ev]).await?;
                }
            }
            return Ok(None);
        }
        let summary = match summary.map(|s| rules::SUMMARY.check(s)).transpose()? {
            Some(s) if !s.is_empty() => Some(self.seal_in_tx(tx, ctx.tenant, SUMMARY_PURPOSE, &s).await?),
            _ => None,
        };
        let settings = self.escalation_settings_of(ctx.tenant).await?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO escalations (tenant_id, source, interview_id, report_id, employee_id, raised_by, state, opened_at, due_at, last_notified_at, summary_sealed_id)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $7, $9) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(raise.source.as_str())
        .bind(raise.interview.get())
        .bind(raise.report.map(|r| r.get()))
        .bind(raise.employee.get())
        .bind(actor.user().get())
        .bind(now)
        .bind(rules::due_at(now, settings.ack_hours))
        .bind(summary.map(|s| s.get()))
        .fetch_one(&mut **tx)
        .await?;
        let id = EscalationId::new(row.try_get("id")?);
        let responders = Self::responders_in_tx(tx, ctx.tenant).await?;
        for r in &responders {
            crate::notifications::notify_in_tx(tx, ctx.tenant, *r, NotificationKind::EscalationRaised, &format!("/escalations/{id}"))
                .await?;
        }
        let detail = AuditDetail::of(Fact::Is(Outcome::Created))
            .and(Fact::Name(Key::Kind, raise.source.as_str()))
            .and(Fact::N(Key::Count, responders.len() as i64));
        Store::audit_in_tx(tx, ctx, &[ctx.event(AuditAction::EscalationOpened, AuditTarget::Escalation, id).detail(detail)]).await?;
        Ok(Some(id))
    }

    /// The facts the policy decides an escalation from, for this actor.
    async fn escalation_facts(&self, ctx: &Ctx, id: EscalationId) -> Result<(AnyRow, EscalationFacts)> {
        let actor = ctx.actor()?;
        let r = sqlx::query(&format!("{ROW_SELECT} WHERE e.tenant_id = $1 AND e.id = $2"))
            .bind(ctx.tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let approved = sqlx::query(
            "SELECT requested_by, approved_by FROM escalation_disclosures WHERE escalation_id = $1 AND state = 'approved' ORDER BY id LIMIT 1",
        )
        .bind(id.get())
        .fetch_optional(&self.db.read)
        .await?;
        let approval = match approved {
            Some(a) => Some(TwoPersonApproval {
                requested_by: UserId::new(a.try_get("requested_by")?),
                approved_by: UserId::new(a.try_get::<Option<i64>, _>("approved_by")?.unwrap_or_default()),
                recipient: Recipient::Role(actor.role()),
            }),
            None => None,
        };
        let facts = EscalationFacts {
            tenant: ctx.tenant,
            raised_by: UserId::new(r.try_get("raised_by")?),
            designated: self.is_designated(&actor).await?,
            approval,
            part: EscalationPart::Case,
        };
        Ok((r, facts))
    }

    async fn escalation_permit(&self, ctx: &Ctx, op: Operation, id: EscalationId) -> Result<(AnyRow, EscalationFacts, Permit)> {
        let actor = ctx.actor()?;
        let (r, facts) = self.escalation_facts(ctx, id).await?;
        match policy::permit(&actor, op, Target::Escalation(facts)) {
            Some(p) => Ok((r, facts, p)),
            None => Err(self.refused(ctx, op, AuditTarget::Escalation, id).await),
        }
    }

    /// The escalations the reader may see, most urgent first: a designated responder sees the
    /// tenant's; a consultant those they raised; anyone else none. Lists carry no content.
    pub async fn escalations_page(&self, ctx: &Ctx, state: Option<EscalationState>, page: PageRequest) -> Result<Paged<EscalationRow>> {
        let actor = ctx.actor()?;
        let designated = self.is_designated(&actor).await?;
        let scope = match actor.role() {
            Role::Consultant => "e.raised_by = $2",
            Role::Health | Role::Hr if designated => "$2 = $2",
            _ => return Ok(Paged { total: 0, items: Vec::new() }),
        };
        let facts = EscalationFacts { tenant: ctx.tenant, raised_by: actor.user(), designated, approval: None, part: EscalationPart::Case };
        if !policy::decide(&actor, Operation::ViewEscalations, Target::Escalation(facts)).is_allow() {
            return Ok(Paged { total: 0, items: Vec::new() });
        }
        let state_cond = if state.is_some() { " AND e.state = $3" } else { " AND $3 = $3" };
        let cond = format!("e.tenant_id = $1 AND {scope}{state_cond}");
        let state_val = state.map(|s| s.as_str()).unwrap_or("");
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM escalations e WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(state_val)
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        // Open first by deadline, then acknowledged, then closed (newest first).
        let order = "CASE e.state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END, CASE WHEN e.state = 'closed' THEN -e.opened_at ELSE e.due_at END, e.id";
        let rows = sqlx::query(&format!("{ROW_SELECT} WHERE {cond} ORDER BY {order} {} LIMIT $4 OFFSET $5", Direction::Asc.sql()))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(state_val)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let now = now_ms();
        let items = rows.iter().map(|r| row_of(r, now)).collect::<Result<Vec<_>>>()?;
        Ok(Paged { total, items })
    }

    /// One escalation for its reader: the summary (and actions) through the gate, the disclosure
    /// requests with their reasons, and, once a request is approved, the released text.
    pub async fn escalation(&self, ctx: &Ctx, id: EscalationId) -> Result<EscalationDetail> {
        let actor = ctx.actor()?;
        let (r, facts, permit) = self.escalation_permit(ctx, Operation::ViewEscalations, id).await?;
        let now = now_ms();
        let row = row_of(&r, now)?;
        let requests = sqlx::query(
            "SELECT d.id, d.reason_sealed_id, d.requested_by, d.requested_at, d.state, d.approved_at, d.notice_at, d.delay_reason_sealed_id,
                    q.display_name AS requested_by_name, a.display_name AS approved_by_name
             FROM escalation_disclosures d JOIN users q ON q.id = d.requested_by LEFT JOIN users a ON a.id = d.approved_by
             WHERE d.escalation_id = $1 ORDER BY d.id",
        )
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut sealed: Vec<SealedId> = Vec::new();
        let summary_id = r.try_get::<Option<i64>, _>("summary_sealed_id")?.map(SealedId::new);
        let actions_id = r.try_get::<Option<i64>, _>("actions_sealed_id")?.map(SealedId::new);
        sealed.extend(summary_id);
        sealed.extend(actions_id);
        for q in &requests {
            sealed.push(SealedId::new(q.try_get("reason_sealed_id")?));
            sealed.extend(q.try_get::<Option<i64>, _>("delay_reason_sealed_id")?.map(SealedId::new));
        }
        let texts = if sealed.is_empty() {
            Default::default()
        } else {
            let event = ctx.event(AuditAction::EscalationRead, AuditTarget::Escalation, id).detail(Fact::Name(Key::Purpose, "summary"));
            self.open_permitted(ctx, &permit, &[event], &sealed).await?
        };
        let text = |s: Option<SealedId>| s.and_then(|s| texts.get(&s).cloned());
        let mut out = Vec::new();
        for q in &requests {
            let s: String = q.try_get("state")?;
            out.push(DisclosureRequestRow {
                id: q.try_get("id")?,
                reason: text(Some(SealedId::new(q.try_get("reason_sealed_id")?))).unwrap_or_default(),
                requested_by: UserId::new(q.try_get("requested_by")?),
                requested_by_name: q.try_get("requested_by_name")?,
                requested_at: q.try_get("requested_at")?,
                state: DisclosureRequestState::parse(&s).ok_or_else(|| StoreError::Config(format!("unknown disclosure state {s}")))?,
                approved_by_name: q.try_get("approved_by_name")?,
                approved_at: q.try_get("approved_at")?,
                notice_at: q.try_get("notice_at")?,
                delay_reason: text(q.try_get::<Option<i64>, _>("delay_reason_sealed_id")?.map(SealedId::new)),
            });
        }
        let more = EscalationFacts { part: EscalationPart::Released, ..facts };
        let released = match policy::permit(&actor, Operation::RespondToEscalations, Target::Escalation(more)) {
            Some(p) => Some(self.released_text(ctx, &p, id, &r).await?),
            None => None,
        };
        Ok(EscalationDetail {
            row,
            summary: text(summary_id),
            actions: text(actions_id),
            requests: out,
            released,
            responder: facts.designated,
            raised_by_me: facts.raised_by == actor.user(),
            me: actor.user(),
        })
    }

    /// The text the flag was raised on and who the employee is, for the responders once a
    /// second responder approved: an audited read of the report (or note) like any other.
    async fn released_text(&self, ctx: &Ctx, permit: &Permit, id: EscalationId, r: &AnyRow) -> Result<ReleasedText> {
        let employee: i64 = r.try_get("employee_id")?;
        let e = sqlx::query(
            "SELECT e.employee_number, e.name, d.path FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.id = $1 AND e.tenant_id = $2",
        )
        .bind(employee)
        .bind(ctx.tenant.get())
        .fetch_one(&self.db.read)
        .await?;
        let report_id = r.try_get::<Option<i64>, _>("report_id")?;
        let interview: i64 = r.try_get("interview_id")?;
        let (sealed, target, target_id) = match report_id {
            Some(rid) => {
                let s = sqlx::query("SELECT sealed_id FROM reports WHERE id = $1 AND tenant_id = $2")
                    .bind(rid)
                    .bind(ctx.tenant.get())
                    .fetch_optional(&self.db.read)
                    .await?;
                (s.map(|s| s.try_get::<i64, _>("sealed_id")).transpose()?, AuditTarget::Report, rid)
            }
            None => {
                let s = sqlx::query("SELECT sealed_id FROM interview_notes WHERE interview_id = $1 AND tenant_id = $2")
                    .bind(interview)
                    .bind(ctx.tenant.get())
                    .fetch_optional(&self.db.read)
                    .await?;
                (s.map(|s| s.try_get::<i64, _>("sealed_id")).transpose()?, AuditTarget::Interview, interview)
            }
        };
        let read = if report_id.is_some() { AuditAction::ReportRead } else { AuditAction::InterviewNoteRead };
        let events = [
            ctx.event(AuditAction::EscalationRead, AuditTarget::Escalation, id).detail(Fact::Name(Key::Purpose, "released")),
            ctx.event(read, target, target_id)
                .detail(AuditDetail::of(Fact::View(policy::View::Identified)).and(Fact::Name(Key::Purpose, "escalation"))),
        ];
        let (mut report, mut note) = (None, None);
        match sealed.map(SealedId::new) {
            Some(s) => {
                let mut texts = self.open_permitted(ctx, permit, &events, &[s]).await?;
                let t = texts.remove(&s).unwrap_or_default();
                if report_id.is_some() {
                    report = Some(crate::reports::decode_sections(&t)?);
                } else {
                    note = Some(t);
                }
            }
            // Nothing written yet: the identity alone is released, and audited as such.
            None => {
                for ev in events {
                    self.audit(ctx, ev).await?;
                }
            }
        }
        Ok(ReleasedText {
            employee_name: e.try_get("name")?,
            employee_number: e.try_get("employee_number")?,
            department: e.try_get("path")?,
            report,
            note,
        })
    }

    /// Acknowledges an open escalation (a designated responder).
    pub async fn acknowledge_escalation(&self, me: &Acting<Responder>, id: EscalationId) -> Result<()> {
        let ctx = me.ctx();
        let (r, _, _) = self.escalation_permit(ctx, Operation::RespondToEscalations, id).await?;
        let state = state_of(&r.try_get::<String, _>("state")?)?;
        rules::check_acknowledge(state)?;
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        let n = sqlx::query("UPDATE escalations SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND tenant_id = $4 AND state = 'open'")
            .bind(me.actor().user().get())
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(rules::check_acknowledge(EscalationState::Acknowledged)
                .err()
                .map(StoreError::from)
                .unwrap_or(StoreError::NotFound));
        }
        let ev = ctx
            .event(AuditAction::EscalationChanged, AuditTarget::Escalation, id)
            .detail(Fact::Transition { from: "open", to: "acknowledged" });
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The consultant who raised it writes (or rewrites) the summary for the responders.
    pub async fn write_escalation_summary(&self, me: &Acting<Consultant>, id: EscalationId, text: &str) -> Result<()> {
        let ctx = me.ctx();
        let (r, facts, _) = self.escalation_permit(ctx, Operation::ViewEscalations, id).await?;
        if facts.raised_by != me.actor().user() {
            return Err(self.refused(ctx, Operation::ViewEscalations, AuditTarget::Escalation, id).await);
        }
        let text = rules::required(rules::SUMMARY, text)?;
        let mut tx = self.db.write.begin().await?;
        match r.try_get::<Option<i64>, _>("summary_sealed_id")?.map(SealedId::new) {
            Some(s) => self.reseal_in_tx(&mut tx, ctx.tenant, s, &text).await?,
            None => {
                let s = self.seal_in_tx(&mut tx, ctx.tenant, SUMMARY_PURPOSE, &text).await?;
                sqlx::query("UPDATE escalations SET summary_sealed_id = $1 WHERE id = $2 AND tenant_id = $3")
                    .bind(s.get())
                    .bind(id.get())
                    .bind(ctx.tenant.get())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let ev = ctx.event(AuditAction::EscalationChanged, AuditTarget::Escalation, id).detail(Fact::Name(Key::Purpose, "summary"));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A responder asks to disclose more without consent, with a written reason; a second,
    /// different responder must approve. The other responders are notified.
    pub async fn request_escalation_disclosure(&self, me: &Acting<Responder>, id: EscalationId, reason: &str) -> Result<i64> {
        let ctx = me.ctx();
        let (r, _, _) = self.escalation_permit(ctx, Operation::RespondToEscalations, id).await?;
        let state = state_of(&r.try_get::<String, _>("state")?)?;
        let reason = rules::check_disclosure_request(state, reason).map_err(problems)?;
        let mut tx = self.db.write.begin().await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, REASON_PURPOSE, &reason).await?;
        let row = sqlx::query(
            "INSERT INTO escalation_disclosures (tenant_id, escalation_id, reason_sealed_id, requested_by, requested_at, state) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(id.get())
        .bind(sealed.get())
        .bind(me.actor().user().get())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let rid: i64 = row.try_get("id")?;
        for u in Self::responders_in_tx(&mut tx, ctx.tenant).await? {
            if u != me.actor().user() {
                crate::notifications::notify_in_tx(
                    &mut tx,
                    ctx.tenant,
                    u,
                    NotificationKind::EscalationApprovalRequested,
                    &format!("/escalations/{id}"),
                )
                .await?;
            }
        }
        let ev = ctx
            .event(AuditAction::EscalationDisclosure, AuditTarget::Escalation, id)
            .detail(AuditDetail::of(Fact::Is(Outcome::Created)).and(Fact::N(Key::Request, rid)));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// A second, different responder approves a request: the two-person rule of
    /// `domain::escalation`. The employee's notice is due at once or after the delay decided
    /// here, within the tenant's bound; both responders are recorded.
    pub async fn approve_escalation_disclosure(
        &self,
        me: &Acting<Responder>,
        id: EscalationId,
        request: i64,
        delay_days: i64,
        delay_reason: &str,
    ) -> Result<()> {
        let ctx = me.ctx();
        let actor = me.actor();
        let (_, facts, _) = self.escalation_permit(ctx, Operation::RespondToEscalations, id).await?;
        let q =
            sqlx::query("SELECT requested_by, state FROM escalation_disclosures WHERE id = $1 AND escalation_id = $2 AND tenant_id = $3")
                .bind(request)
                .bind(id.get())
                .bind(ctx.tenant.get())
                .fetch_optional(&self.db.read)
                .await?
                .ok_or(StoreError::NotFound)?;
        let state: String = q.try_get("state")?;
        let state = DisclosureRequestState::parse(&state).ok_or_else(|| StoreError::Config(format!("unknown disclosure state {state}")))?;
        let requested_by = UserId::new(q.try_get("requested_by")?);
        rules::check_second_approval(requested_by, actor.user(), facts.designated, state)?;
        let settings = self.escalation_settings_of(ctx.tenant).await?;
        let now = now_ms();
        let (notice_at, delay_reason) =
            rules::notice_at(now, delay_days, settings.notice_delay_max_days, delay_reason).map_err(problems)?;
        let mut tx = self.db.write.begin().await?;
        let delay_sealed = match &delay_reason {
            Some(d) => Some(self.seal_in_tx(&mut tx, ctx.tenant, DELAY_PURPOSE, d).await?),
            None => None,
        };
        // Guarded by the state and by a different requester, so that two approvals racing, or
        // a requester's own approval, never pass.
        let n = sqlx::query(
            "UPDATE escalation_disclosures SET state = 'approved', approved_by = $1, approved_at = $2, notice_at = $3, delay_reason_sealed_id = $4
             WHERE id = $5 AND tenant_id = $6 AND state = 'pending' AND requested_by <> $1",
        )
        .bind(actor.user().get())
        .bind(now)
        .bind(notice_at)
        .bind(delay_sealed.map(|s| s.get()))
        .bind(request)
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(rules::check_second_approval(requested_by, actor.user(), true, DisclosureRequestState::Approved)
                .err()
                .map(StoreError::from)
                .unwrap_or(StoreError::NotFound));
        }
        let detail = AuditDetail::of(Fact::Transition { from: "pending", to: "approved" })
            .and(Fact::N(Key::Request, request))
            .and(Fact::N(Key::By, requested_by.get()));
        let ev = ctx.event(AuditAction::EscalationDisclosure, AuditTarget::Escalation, id).detail(detail);
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        if rules::notice_visible(notice_at, now) {
            self.notify_employee_in_tx(&mut tx, ctx.tenant, id, request, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Tells the employee (if they have an account) that a disclosure was made, once.
    async fn notify_employee_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        id: EscalationId,
        request: i64,
        now: i64,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE escalation_disclosures SET employee_notified_at = $1 WHERE id = $2 AND tenant_id = $3 AND employee_notified_at IS NULL",
        )
        .bind(now)
        .bind(request)
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
        if n.rows_affected() == 0 {
            return Ok(false);
        }
        let users = sqlx::query("SELECT u.id FROM escalations e JOIN users u ON u.employee_id = e.employee_id WHERE e.id = $1 AND u.tenant_id = $2 AND u.disabled_at IS NULL")
            .bind(id.get())
            .bind(tenant.get())
            .fetch_all(&mut **tx)
            .await?;
        for u in &users {
            crate::notifications::notify_in_tx(
                tx,
                tenant,
                UserId::new(u.try_get("id")?),
                NotificationKind::EscalationDisclosureNotice,
                "/my/escalation-notices",
            )
            .await?;
        }
        Ok(true)
    }

    /// Closes an acknowledged escalation with the actions taken (sealed).
    pub async fn close_escalation(&self, me: &Acting<Responder>, id: EscalationId, actions: &str) -> Result<()> {
        let ctx = me.ctx();
        let (r, _, _) = self.escalation_permit(ctx, Operation::RespondToEscalations, id).await?;
        let state = state_of(&r.try_get::<String, _>("state")?)?;
        let actions = rules::check_close(state, actions).map_err(problems)?;
        let mut tx = self.db.write.begin().await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, ACTIONS_PURPOSE, &actions).await?;
        let n = sqlx::query(
            "UPDATE escalations SET state = 'closed', closed_by = $1, closed_at = $2, actions_sealed_id = $3 WHERE id = $4 AND tenant_id = $5 AND state = 'acknowledged'",
        )
        .bind(me.actor().user().get())
        .bind(now_ms())
        .bind(sealed.get())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(rules::check_close(EscalationState::Closed, &actions).err().map(problems).unwrap_or(StoreError::NotFound));
        }
        let ev = ctx
            .event(AuditAction::EscalationChanged, AuditTarget::Escalation, id)
            .detail(Fact::Transition { from: "acknowledged", to: "closed" });
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The escalation still covering one of the consultant's reports (open or acknowledged),
    /// for the report's editor: it links there instead of offering a new summary.
    pub async fn report_escalation(&self, me: &Acting<Consultant>, report: ReportId) -> Result<Option<EscalationRow>> {
        let r = sqlx::query(&format!(
            "{ROW_SELECT} WHERE e.tenant_id = $1 AND e.report_id = $2 AND e.source = 'report' AND e.raised_by = $3 AND e.state <> 'closed' ORDER BY e.id DESC"
        ))
        .bind(me.ctx().tenant.get())
        .bind(report.get())
        .bind(me.actor().user().get())
        .fetch_optional(&self.db.read)
        .await?;
        r.map(|r| row_of(&r, now_ms())).transpose()
    }

    /// Whether an interview's note has an escalation that still covers it (open or
    /// acknowledged): the note form shows its flag as raised.
    pub async fn note_escalated(&self, me: &Acting<Consultant>, interview: InterviewId) -> Result<bool> {
        let r = sqlx::query(
            "SELECT id FROM escalations WHERE tenant_id = $1 AND interview_id = $2 AND source = 'interview_note' AND raised_by = $3 AND state <> 'closed'",
        )
        .bind(me.ctx().tenant.get())
        .bind(interview.get())
        .bind(me.actor().user().get())
        .fetch_optional(&self.db.read)
        .await?;
        Ok(r.is_some())
    }

    /// The employee's notices of disclosures made without their consent, once each is due:
    /// when and why. Reading the reasons is audited.
    pub async fn own_escalation_notices(&self, me: &Acting<Employee>) -> Result<Vec<EscalationNotice>> {
        let ctx = me.ctx();
        let actor = me.actor();
        let now = now_ms();
        let rows = sqlx::query(
            "SELECT d.id, d.escalation_id, d.approved_at, d.notice_at, d.reason_sealed_id FROM escalation_disclosures d
             JOIN escalations e ON e.id = d.escalation_id JOIN users u ON u.employee_id = e.employee_id
             WHERE d.tenant_id = $1 AND u.id = $2 AND d.state = 'approved' AND d.notice_at <= $3 ORDER BY d.approved_at DESC, d.id DESC",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(now)
        .fetch_all(&self.db.read)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        let mut events = Vec::new();
        for r in &rows {
            // The employee reads what was disclosed about them: their own notice.
            let Some(p) = policy::permit(&actor, Operation::DecideOwnDisclosures, Target::OwnedBy(actor.user())) else {
                return Err(StoreError::NotFound);
            };
            let sealed = SealedId::new(r.try_get("reason_sealed_id")?);
            events.push(
                ctx.event(AuditAction::EscalationRead, AuditTarget::Escalation, r.try_get::<i64, _>("escalation_id")?)
                    .detail(Fact::Name(Key::Purpose, "notice")),
            );
            items.push((p, sealed, r.try_get::<i64, _>("approved_at")?, r.try_get::<i64, _>("notice_at")?));
        }
        let pairs: Vec<(Permit, SealedId)> = items.iter().map(|(p, s, _, _)| (*p, *s)).collect();
        let texts = self.open_permitted_each(ctx, &events, &pairs).await?;
        Ok(items
            .into_iter()
            .map(|(_, s, approved_at, notice_at)| EscalationNotice {
                approved_at,
                notice_at,
                reason: texts.get(&s).cloned().unwrap_or_default(),
            })
            .collect())
    }

    /// HR's responder settings: the deadline, the bound of a notice's delay, and who responds.
    pub async fn responder_settings(&self, me: &Acting<crate::Hr>) -> Result<ResponderSettings> {
        let ctx = me.ctx();
        ctx.check(Operation::ManageResponders)?;
        let settings = self.escalation_settings_of(ctx.tenant).await?;
        let rows = sqlx::query(
            "SELECT u.id, u.login, u.display_name, ur.role, s.user_id AS designated FROM users u JOIN user_roles ur ON ur.user_id = u.id
             LEFT JOIN escalation_responders s ON s.user_id = u.id AND s.tenant_id = u.tenant_id
             WHERE u.tenant_id = $1 AND u.disabled_at IS NULL AND ur.role IN ('health', 'hr') ORDER BY u.login, ur.role",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut candidates: Vec<ResponderCandidate> = Vec::new();
        for r in &rows {
            let user = UserId::new(r.try_get("id")?);
            let role = Role::parse(&r.try_get::<String, _>("role")?);
            match candidates.last_mut() {
                Some(c) if c.user == user => c.roles.extend(role),
                _ => candidates.push(ResponderCandidate {
                    user,
                    login: r.try_get("login")?,
                    name: r.try_get("display_name")?,
                    roles: role.into_iter().collect(),
                    designated: r.try_get::<Option<i64>, _>("designated")?.is_some(),
                }),
            }
        }
        Ok(ResponderSettings { settings, candidates })
    }

    /// Saves the settings and the designated responders (each must hold the health or HR role),
    /// audited with what changed.
    pub async fn save_responder_settings(&self, me: &Acting<crate::Hr>, settings: EscalationSettings, responders: &[UserId]) -> Result<()> {
        let ctx = me.ctx();
        ctx.check(Operation::ManageResponders)?;
        let settings = EscalationSettings::check(settings.ack_hours, settings.notice_delay_max_days).map_err(problems)?;
        let current = self.responder_settings(me).await?;
        let mut wanted: Vec<UserId> = responders.to_vec();
        wanted.sort();
        wanted.dedup();
        if let Some(bad) = wanted.iter().find(|u| !current.candidates.iter().any(|c| c.user == **u)) {
            return Err(Invalid::new(
                "responders",
                format!("対応者に指定できるのは産業保健スタッフまたは人事部門の役割を持つアカウントだけです（ID {bad}）。"),
                format!("only accounts holding the health or HR role can be responders (id {bad})"),
            )
            .into());
        }
        let before: Vec<UserId> = current.candidates.iter().filter(|c| c.designated).map(|c| c.user).collect();
        let added = wanted.iter().filter(|u| !before.contains(u)).count();
        let removed = before.iter().filter(|u| !wanted.contains(u)).count();
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        sqlx::query("DELETE FROM escalation_settings WHERE tenant_id = $1").bind(ctx.tenant.get()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO escalation_settings (tenant_id, ack_hours, notice_delay_max_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(ctx.tenant.get())
            .bind(settings.ack_hours)
            .bind(settings.notice_delay_max_days)
            .bind(me.actor().user().get())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for u in before.iter().filter(|u| !wanted.contains(u)) {
            sqlx::query("DELETE FROM escalation_responders WHERE tenant_id = $1 AND user_id = $2")
                .bind(ctx.tenant.get())
                .bind(u.get())
                .execute(&mut *tx)
                .await?;
        }
        for u in wanted.iter().filter(|u| !before.contains(u)) {
            sqlx::query("INSERT INTO escalation_responders (tenant_id, user_id, added_by, added_at) VALUES ($1, $2, $3, $4)")
                .bind(ctx.tenant.get())
                .bind(u.get())
                .bind(me.actor().user().get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let detail =
            AuditDetail::of(Fact::Is(Outcome::Updated)).and(Fact::N(Key::Added, added as i64)).and(Fact::N(Key::Removed, removed as i64));
        let ev = ctx.event(AuditAction::EscalationSettingsChanged, AuditTarget::Tenant, ctx.tenant).detail(detail);
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The recurring job: notifies the responders again of every overdue escalation (once when
    /// it becomes overdue, then every `RENOTIFY_EVERY_MS`), and tells employees of disclosures
    /// whose notice is due. Harmless when repeated: each notice is guarded by its timestamp.
    pub async fn sweep_escalations(&self, now: i64) -> Result<EscalationSweep> {
        let mut sweep = EscalationSweep::default();
        let rows = sqlx::query("SELECT id, tenant_id, raised_by, state, due_at, last_notified_at FROM escalations WHERE state = 'open' AND due_at < $1 ORDER BY due_at LIMIT 500")
            .bind(now)
            .fetch_all(&self.db.read)
            .await?;
        for r in &rows {
            let state = state_of(&r.try_get::<String, _>("state")?)?;
            let (due, last): (i64, i64) = (r.try_get("due_at")?, r.try_get("last_notified_at")?);
            if !rules::renotify_due(state, due, last, now) {
                continue;
            }
            let id = EscalationId::new(r.try_get("id")?);
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            let mut tx = self.db.write.begin().await?;
            let n = sqlx::query("UPDATE escalations SET last_notified_at = $1 WHERE id = $2 AND last_notified_at = $3 AND state = 'open'")
                .bind(now)
                .bind(id.get())
                .bind(last)
                .execute(&mut *tx)
                .await?;
            if n.rows_affected() == 0 {
                continue;
            }
            let link = format!("/escalations/{id}");
            for u in Self::responders_in_tx(&mut tx, tenant).await? {
                crate::notifications::notify_in_tx(&mut tx, tenant, u, NotificationKind::EscalationOverdue, &link).await?;
            }
            // The consultant who raised it is told once, when it becomes overdue.
            if last <= due {
                let raiser = UserId::new(r.try_get("raised_by")?);
                crate::notifications::notify_in_tx(&mut tx, tenant, raiser, NotificationKind::EscalationOverdue, &link).await?;
            }
            tx.commit().await?;
            sweep.renotified += 1;
        }
        let due = sqlx::query(
            "SELECT id, escalation_id, tenant_id FROM escalation_disclosures WHERE state = 'approved' AND employee_notified_at IS NULL AND notice_at <= $1 ORDER BY notice_at LIMIT 500",
        )
        .bind(now)
        .fetch_all(&self.db.read)
        .await?;
        for r in &due {
            let mut tx = self.db.write.begin().await?;
            let tenant = TenantId::new(r.try_get("tenant_id")?);
            if self.notify_employee_in_tx(&mut tx, tenant, EscalationId::new(r.try_get("escalation_id")?), r.try_get("id")?, now).await? {
                sweep.notices += 1;
            }
            tx.commit().await?;
        }
        Ok(sweep)
    }
}
