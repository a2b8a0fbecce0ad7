//! The home dashboards: for each role, the counts, dates and short lists of its own work, each
//! read through its role handle and decided by the policy like the full lists are. Only metadata
//! (names, dates, statuses, counts) — no sealed text is opened here. Every query is a count or a
//! small `LIMIT`ed list, so the home page stays fast however large the company is.

use crate::interviews::{kind_of, mode_of, status_of};
use crate::{Acting, Admin, Consultant, Employee, Hr, Result, Store, StoreError, Supervisor, VerifyOutcome};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::dashboard::Agenda;
use domain::ids::{CycleId, InterviewId, ReportId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
use domain::policy::{self, Operation, ReportFacts, RequestFacts, Target};
use domain::report::ReportStatus;
use sqlx::any::AnyRow;
use sqlx::Row;

/// How many rows a dashboard list shows; the card's figure gives the full count.
pub const DASHBOARD_LIST: i64 = 5;
/// How many interviews of today and of the rest of the week are listed.
const AGENDA_LIST: i64 = 20;

/// One interview on a consultant's agenda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaItem {
    pub id: InterviewId,
    pub employee_name: String,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
}

/// A held interview whose report has not been started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldWithoutReport {
    pub id: InterviewId,
    pub employee_name: String,
    pub kind: InterviewKind,
    pub starts_at: i64,
}

/// One of the consultant's own reports still in their hands (a draft, or returned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnReportItem {
    pub id: ReportId,
    pub employee_name: String,
    pub updated_at: i64,
    /// The supervisor's comments of the last review (returned reports; 0 for drafts).
    pub comments: i64,
}

/// A consultant's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultantDashboard {
    pub today: Vec<AgendaItem>,
    pub this_week: Vec<AgendaItem>,
    pub held_without_report: i64,
    pub held_without_report_list: Vec<HeldWithoutReport>,
    pub returned: i64,
    pub returned_list: Vec<OwnReportItem>,
    pub drafts: i64,
    pub drafts_list: Vec<OwnReportItem>,
    /// Consultation requests waiting in this consultant's queue (theirs and the pool's).
    pub requests_waiting: i64,
    pub oldest_request_at: Option<i64>,
}

/// A report waiting in the review queue, without names (the queue page shows them as the policy allows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingReport {
    pub id: ReportId,
    pub round: i64,
    pub submitted_at: i64,
    pub assigned_to_me: bool,
}

/// A supervisor's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorDashboard {
    pub queue: i64,
    pub assigned_to_me: i64,
    pub oldest_submitted_at: Option<i64>,
    /// Reports returned once and submitted again, oldest first.
    pub resubmitted: i64,
    pub resubmitted_list: Vec<WaitingReport>,
    /// Reports this supervisor returned that are still with their author.
    pub returned_by_me: i64,
}

/// One consultant's row of the active cycle's progress (or the unassigned targets' row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressRow {
    /// `None`: targets not yet assigned to a consultant.
    pub consultant: Option<UserId>,
    pub name: String,
    pub targets: i64,
    /// Targets with an interview scheduled or held.
    pub scheduled: i64,
    /// Targets with a held interview.
    pub held: i64,
    /// Targets whose report was approved.
    pub approved: i64,
}

/// HR's home: the active cycle's progress, in total and per consultant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HrDashboard {
    /// The active cycle (the latest started, if several are active); `None` when no cycle is active.
    pub cycle: Option<(CycleId, String)>,
    pub total: ProgressRow,
    pub consultants: Vec<ProgressRow>,
    pub employees: i64,
}

/// The last verification of the audit chain recorded in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainCheck {
    pub at: i64,
    pub intact: bool,
    pub events: i64,
}

/// The administrator's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminDashboard {
    pub accounts: i64,
    pub disabled: i64,
    /// Events in this tenant's chain now.
    pub events: i64,
    pub last_check: Option<ChainCheck>,
    pub last_backup_at: Option<i64>,
}

/// The employee's next interview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextInterview {
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub consultant_name: String,
}

/// One of the employee's consultation requests, by its status and dates only (the messages are
/// on the employee's own page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestItem {
    pub status: RequestStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub consultant_name: Option<String>,
    /// The interview set in answer: its start.
    pub interview_at: Option<i64>,
}

/// The employee's home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeDashboard {
    pub next: Option<NextInterview>,
    pub requests: i64,
    pub requests_list: Vec<RequestItem>,
}

fn n(r: &AnyRow, col: &str) -> Result<i64> {
    Ok(r.try_get::<Option<i64>, _>(col)?.unwrap_or(0))
}

fn report_status(s: &str) -> Result<ReportStatus> {
    ReportStatus::parse(s).ok_or_else(|| StoreError::Config(format!("unknown report status {s}")))
}

fn agenda_item(r: &AnyRow) -> Result<AgendaItem> {
    Ok(AgendaItem {
        id: InterviewId::new(r.try_get("id")?),
        employee_name: r.try_get("employee_name")?,
        kind: kind_of(&r.try_get::<String, _>("kind")?)?,
        mode: mode_of(&r.try_get::<String, _>("mode")?)?,
        place: r.try_get("place")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        status: status_of(&r.try_get::<String, _>("status")?)?,
    })
}

const AGENDA_SELECT: &str = "SELECT i.id, e.name AS employee_name, i.kind, i.mode, i.place, i.starts_at, i.ends_at, i.status
     FROM interviews i JOIN employees e ON e.id = i.employee_id
     WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND i.status <> 'cancelled' AND i.starts_at >= $3 AND i.starts_at < $4
     ORDER BY i.starts_at, i.id LIMIT $5";

/// Parses the detail of an `audit_verified` event (`status=intact count=N`).
fn chain_check(at: i64, detail: &str) -> ChainCheck {
    let mut check = ChainCheck { at, intact: false, events: 0 };
    for part in detail.split_whitespace() {
        match part.split_once('=') {
            Some(("status", v)) => check.intact = v == "intact",
            Some(("count", v)) => check.events = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    check
}

impl Store {
    /// The acting consultant's home: today's and the rest of this week's interviews, held
    /// interviews without a report, their returned reports and drafts, and the requests waiting.
    pub async fn consultant_dashboard(&self, me: &Acting<Consultant>, agenda: Agenda) -> Result<ConsultantDashboard> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let (tenant, user) = (ctx.tenant.get(), actor.user().get());
        let window = |from: i64, to: i64| {
            sqlx::query(AGENDA_SELECT).bind(tenant).bind(user).bind(from).bind(to).bind(AGENDA_LIST).fetch_all(&self.db.read)
        };
        let today = window(agenda.today_from, agenda.today_to).await?.iter().map(agenda_item).collect::<Result<Vec<_>>>()?;
        let this_week = window(agenda.week_from, agenda.week_to).await?.iter().map(agenda_item).collect::<Result<Vec<_>>>()?;

        const HELD: &str = "FROM interviews i JOIN employees e ON e.id = i.employee_id
             WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND i.status = 'held' AND i.reported = 0
               AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.interview_id = i.id)";
        let held_without_report =
            n(&sqlx::query(&format!("SELECT COUNT(*) AS n {HELD}")).bind(tenant).bind(user).fetch_one(&self.db.read).await?, "n")?;
        let held_without_report_list = sqlx::query(&format!(
            "SELECT i.id, e.name AS employee_name, i.kind, i.starts_at {HELD} ORDER BY i.starts_at DESC, i.id DESC LIMIT $3"
        ))
        .bind(tenant)
        .bind(user)
        .bind(DASHBOARD_LIST)
        .fetch_all(&self.db.read)
        .await?
        .iter()
        .map(|r| {
            Ok(HeldWithoutReport {
                id: InterviewId::new(r.try_get("id")?),
                employee_name: r.try_get("employee_name")?,
                kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                starts_at: r.try_get("starts_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;

        // The author's reports in their hands, each decided by the policy as an edit (the
        // author's, while a draft or returned). The comments counted are the last review's
        // (a return moves the report to the next round).
        let own = |status: ReportStatus| {
            let sql = "SELECT r.id, r.author_id, r.supervisor_id, r.status, r.updated_at, e.name AS employee_name,
                    (SELECT COUNT(*) FROM report_comments c WHERE c.report_id = r.id AND c.round = r.round - 1) AS comments
                 FROM reports r JOIN employees e ON e.id = r.employee_id
                 WHERE r.tenant_id = $1 AND r.author_id = $2 AND r.status = $3
                 ORDER BY r.updated_at DESC, r.id DESC LIMIT $4";
            let count = "SELECT COUNT(*) AS n FROM reports WHERE tenant_id = $1 AND author_id = $2 AND status = $3";
            let db = &self.db.read;
            async move {
                let total = n(&sqlx::query(count).bind(tenant).bind(user).bind(status.as_str()).fetch_one(db).await?, "n")?;
                let rows = sqlx::query(sql).bind(tenant).bind(user).bind(status.as_str()).bind(DASHBOARD_LIST).fetch_all(db).await?;
                let mut items = Vec::new();
                for r in &rows {
                    let facts = ReportFacts {
                        tenant: ctx.tenant,
                        author: UserId::new(r.try_get("author_id")?),
                        status: report_status(&r.try_get::<String, _>("status")?)?,
                        assigned_supervisor: r.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new),
                    };
                    if !policy::decide(&actor, Operation::WriteReports, Target::Report(facts)).is_allow() {
                        continue;
                    }
                    items.push(OwnReportItem {
                        id: ReportId::new(r.try_get("id")?),
                        employee_name: r.try_get("employee_name")?,
                        updated_at: r.try_get("updated_at")?,
                        comments: if status == ReportStatus::Returned { n(r, "comments")? } else { 0 },
                    });
                }
                Ok::<_, StoreError>((total, items))
            }
        };
        let (returned, returned_list) = own(ReportStatus::Returned).await?;
        let (drafts, drafts_list) = own(ReportStatus::Draft).await?;

        let r = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM consultation_requests
             WHERE tenant_id = $1 AND status = $2 AND (consultant_id = $3 OR consultant_id IS NULL)",
        )
        .bind(tenant)
        .bind(RequestStatus::Open.as_str())
        .bind(user)
        .fetch_one(&self.db.read)
        .await?;
        let (requests_waiting, oldest_request_at) = (n(&r, "n")?, r.try_get::<Option<i64>, _>("oldest")?);

        // The home names the consultant's interviewees: a read of personal data, audited.
        let shown = today.len() + this_week.len() + held_without_report_list.len() + returned_list.len() + drafts_list.len();
        self.audit(
            ctx,
            ctx.event(AuditAction::InterviewListRead, AuditTarget::InterviewList, "dashboard").detail(AuditDetail::count(shown)),
        )
        .await?;
        Ok(ConsultantDashboard {
            today,
            this_week,
            held_without_report,
            held_without_report_list,
            returned,
            returned_list,
            drafts,
            drafts_list,
            requests_waiting,
            oldest_request_at,
        })
    }

    /// The acting supervisor's home: the review queue's size, its oldest report, the reports
    /// submitted again after a return. Each queued report is decided by the policy as the
    /// queue page decides it; no names are read.
    pub async fn supervisor_dashboard(&self, me: &Acting<Supervisor>) -> Result<SupervisorDashboard> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let rows = sqlx::query(
            "SELECT id, author_id, supervisor_id, round, COALESCE(submitted_at, updated_at) AS submitted_at FROM reports
             WHERE tenant_id = $1 AND status = 'submitted' ORDER BY COALESCE(submitted_at, updated_at), id",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut waiting = Vec::new();
        for r in &rows {
            let supervisor = r.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new);
            let facts = ReportFacts {
                tenant: ctx.tenant,
                author: UserId::new(r.try_get("author_id")?),
                status: ReportStatus::Submitted,
                assigned_supervisor: supervisor,
            };
            if !policy::decide(&actor, Operation::ReviewReports, Target::Report(facts)).is_allow() {
                continue;
            }
            waiting.push(WaitingReport {
                id: ReportId::new(r.try_get("id")?),
                round: r.try_get("round")?,
                submitted_at: r.try_get("submitted_at")?,
                assigned_to_me: supervisor == Some(actor.user()),
            });
        }
        let returned_by_me = n(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM reports r WHERE r.tenant_id = $1 AND r.status = 'returned'
                   AND EXISTS (SELECT 1 FROM report_reviews v WHERE v.report_id = r.id AND v.reviewer_id = $2 AND v.round = r.round - 1)",
            )
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .fetch_one(&self.db.read)
            .await?,
            "n",
        )?;
        let resubmitted: Vec<WaitingReport> = waiting.iter().filter(|w| w.round > 1).cloned().collect();
        Ok(SupervisorDashboard {
            queue: waiting.len() as i64,
            assigned_to_me: waiting.iter().filter(|w| w.assigned_to_me).count() as i64,
            oldest_submitted_at: waiting.first().map(|w| w.submitted_at),
            resubmitted: resubmitted.len() as i64,
            resubmitted_list: resubmitted.into_iter().take(DASHBOARD_LIST as usize).collect(),
            returned_by_me,
        })
    }

    /// HR's home: the active cycle's targets, and how many of them have an interview
    /// scheduled, held, and a report approved, in total and per consultant.
    ///
    /// These are counts of interviews and reports per consultant over the cycle's targets, not
    /// of what employees answered or said: they reveal no one's words, health or choices, only
    /// the consultants' workload and pace, which HR plans. So no small-group suppression (the
    /// tenant's k threshold) applies here; it applies to aggregates of employees' answers and
    /// of report contents, which this does not read.
    pub async fn hr_dashboard(&self, me: &Acting<Hr>) -> Result<HrDashboard> {
        let ctx = me.ctx();
        let tenant = ctx.tenant.get();
        let employees = self.employee_count(ctx.tenant).await?;
        let active =
            sqlx::query("SELECT id, name FROM cycles WHERE tenant_id = $1 AND status = 'active' ORDER BY starts_on DESC, id DESC LIMIT 1")
                .bind(tenant)
                .fetch_optional(&self.db.read)
                .await?;
        let empty = |consultant, name: String| ProgressRow { consultant, name, targets: 0, scheduled: 0, held: 0, approved: 0 };
        let Some(active) = active else {
            return Ok(HrDashboard { cycle: None, total: empty(None, String::new()), consultants: Vec::new(), employees });
        };
        let cycle = CycleId::new(active.try_get("id")?);
        let rows = sqlx::query(
            "WITH iv AS (
                 SELECT employee_id,
                     MAX(CASE WHEN status IN ('scheduled', 'held') THEN 1 ELSE 0 END) AS s,
                     MAX(CASE WHEN status = 'held' THEN 1 ELSE 0 END) AS h
                 FROM interviews WHERE tenant_id = $1 AND cycle_id = $2 GROUP BY employee_id),
             ap AS (
                 SELECT i.employee_id FROM reports r JOIN interviews i ON i.id = r.interview_id
                 WHERE r.tenant_id = $1 AND i.cycle_id = $2 AND r.status = 'approved' GROUP BY i.employee_id)
             SELECT t.consultant_id, u.display_name, COUNT(*) AS targets, SUM(COALESCE(iv.s, 0)) AS scheduled,
                 SUM(COALESCE(iv.h, 0)) AS held, COUNT(ap.employee_id) AS approved
             FROM cycle_targets t
             LEFT JOIN iv ON iv.employee_id = t.employee_id
             LEFT JOIN ap ON ap.employee_id = t.employee_id
             LEFT JOIN users u ON u.id = t.consultant_id
             WHERE t.tenant_id = $1 AND t.cycle_id = $2
             GROUP BY t.consultant_id, u.display_name",
        )
        .bind(tenant)
        .bind(cycle.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut total = empty(None, String::new());
        let mut consultants = Vec::new();
        let mut unassigned = None;
        for r in &rows {
            let consultant = r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new);
            let row = ProgressRow {
                consultant,
                name: r.try_get::<Option<String>, _>("display_name")?.unwrap_or_default(),
                targets: n(r, "targets")?,
                scheduled: n(r, "scheduled")?,
                held: n(r, "held")?,
                approved: n(r, "approved")?,
            };
            total.targets += row.targets;
            total.scheduled += row.scheduled;
            total.held += row.held;
            total.approved += row.approved;
            match consultant {
                Some(_) => consultants.push(row),
                None => unassigned = Some(row),
            }
        }
        consultants.sort_by(|a, b| a.name.cmp(&b.name).then(a.consultant.cmp(&b.consultant)));
        consultants.extend(unassigned);
        Ok(HrDashboard { cycle: Some((cycle, active.try_get("name")?)), total, consultants, employees })
    }

    /// The administrator's home: accounts, disabled accounts, the audit chain's length and
    /// its last recorded verification, and the last backup the command line recorded.
    pub async fn admin_dashboard(&self, me: &Acting<Admin>) -> Result<AdminDashboard> {
        let tenant = me.ctx().tenant.get();
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, SUM(CASE WHEN disabled_at IS NOT NULL THEN 1 ELSE 0 END) AS disabled FROM users WHERE tenant_id = $1",
        )
        .bind(tenant)
        .fetch_one(&self.db.read)
        .await?;
        let (accounts, disabled) = (n(&r, "n")?, n(&r, "disabled")?);
        let events = sqlx::query("SELECT seq FROM audit_heads WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&self.db.read)
            .await?
            .map(|r| r.try_get::<i64, _>("seq"))
            .transpose()?
            .unwrap_or(0);
        let last = |action: AuditAction| {
            sqlx::query("SELECT at, detail FROM audit_events WHERE tenant_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1")
                .bind(tenant)
                .bind(action.as_str())
                .fetch_optional(&self.db.read)
        };
        let last_check = match last(AuditAction::AuditVerified).await? {
            Some(r) => Some(chain_check(r.try_get("at")?, &r.try_get::<String, _>("detail")?)),
            None => None,
        };
        let last_backup_at = last(AuditAction::BackupWritten).await?.map(|r| r.try_get::<i64, _>("at")).transpose()?;
        Ok(AdminDashboard { accounts, disabled, events, last_check, last_backup_at })
    }

    /// Records in the chain that the administrator verified it, and what was found, so the
    /// home can say when the chain was last checked without walking it on every visit.
    pub async fn record_audit_verification(&self, me: &Acting<Admin>, outcome: &VerifyOutcome) -> Result<()> {
        let ctx = me.ctx();
        let status = if outcome.broken.is_none() { "intact" } else { "broken" };
        let detail = AuditDetail::of(Fact::Name(Key::Status, status)).n(Key::Count, outcome.events);
        self.audit(ctx, ctx.event(AuditAction::AuditVerified, AuditTarget::Tenant, ctx.tenant).detail(detail)).await
    }

    /// The signed-in employee's home: their next interview and their consultation requests
    /// (status and dates; the messages and answers are on their own page).
    pub async fn employee_dashboard(&self, me: &Acting<Employee>, now: i64) -> Result<EmployeeDashboard> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else {
            return Ok(EmployeeDashboard { next: None, requests: 0, requests_list: Vec::new() });
        };
        let next = sqlx::query(
            "SELECT i.kind, i.mode, i.place, i.starts_at, i.ends_at, u.display_name AS consultant_name
             FROM interviews i JOIN users u ON u.id = i.consultant_id
             WHERE i.tenant_id = $1 AND i.employee_id = $2 AND i.status = 'scheduled' AND i.ends_at > $3
             ORDER BY i.starts_at, i.id LIMIT 1",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(now)
        .fetch_optional(&self.db.read)
        .await?
        .map(|r| {
            Ok::<_, StoreError>(NextInterview {
                kind: kind_of(&r.try_get::<String, _>("kind")?)?,
                mode: mode_of(&r.try_get::<String, _>("mode")?)?,
                place: r.try_get("place")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                consultant_name: r.try_get("consultant_name")?,
            })
        })
        .transpose()?;
        let requests = n(
            &sqlx::query("SELECT COUNT(*) AS n FROM consultation_requests WHERE tenant_id = $1 AND employee_id = $2")
                .bind(ctx.tenant.get())
                .bind(employee.get())
                .fetch_one(&self.db.read)
                .await?,
            "n",
        )?;
        let rows = sqlx::query(
            "SELECT r.consultant_id, r.status, r.created_at, r.updated_at, u.display_name AS consultant_name, i.starts_at
             FROM consultation_requests r LEFT JOIN users u ON u.id = r.consultant_id LEFT JOIN interviews i ON i.id = r.interview_id
             WHERE r.tenant_id = $1 AND r.employee_id = $2 ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(DASHBOARD_LIST)
        .fetch_all(&self.db.read)
        .await?;
        let mut requests_list = Vec::new();
        for r in &rows {
            let facts = RequestFacts {
                tenant: ctx.tenant,
                addressee: r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new),
                requester: Some(actor.user()),
            };
            if !policy::decide(&actor, Operation::ViewOwnInterviews, Target::Request(facts)).is_allow() {
                continue;
            }
            let status: String = r.try_get("status")?;
            requests_list.push(RequestItem {
                status: RequestStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown request status {status}")))?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
                consultant_name: r.try_get("consultant_name")?,
                interview_at: r.try_get("starts_at")?,
            });
        }
        self.audit(
            ctx,
            ctx.event(AuditAction::InterviewListRead, AuditTarget::InterviewList, "own-dashboard")
                .detail(AuditDetail::count(usize::from(next.is_some()) + requests_list.len())),
        )
        .await?;
        Ok(EmployeeDashboard { next, requests, requests_list })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_is_read_back_from_its_detail() {
        assert_eq!(chain_check(5, "status=intact count=42"), ChainCheck { at: 5, intact: true, events: 42 });
        assert_eq!(chain_check(5, "status=broken count=7"), ChainCheck { at: 5, intact: false, events: 7 });
        assert_eq!(chain_check(5, ""), ChainCheck { at: 5, intact: false, events: 0 });
    }
}
