//! Cycles (実施年度): their period and target rule, the targeted employees and the consultant
//! each is assigned to, and the progress figures of a cycle. Targets are chosen by
//! `domain::cycle`; this module only reads the register and writes the result with its audit.

pub use domain::cycle::{CycleStatus, TargetFilter, TargetSort, LISTED_REASON};

use crate::db::InsertBatch;
use crate::{now_ms, Ctx, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::cycle::{
    self, assign_without_conflicts, fiscal_year, read_number_list, select_targets, validate_cycle, Candidate, Conflict, Listed, Org, Place,
    Seat, TargetRule,
};
use domain::ids::{CycleId, EmployeeId, TenantId, UserId};
use domain::policy::Operation;
use domain::Role;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What HR gives to set up a cycle.
#[derive(Clone, Debug)]
pub struct NewCycle<'a> {
    pub name: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub rule: &'a TargetRule,
}

/// A cycle with its head counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleRow {
    pub id: CycleId,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: CycleStatus,
    pub rule: TargetRule,
    pub created_at: i64,
    pub targets: i64,
    pub assigned: i64,
}

/// One targeted employee, for HR's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleTargetRow {
    pub employee: EmployeeId,
    pub number: String,
    pub name: String,
    pub department: String,
    pub reason: String,
    pub consultant: Option<UserId>,
    pub consultant_name: Option<String>,
    /// Interviews of this cycle with the employee; a target with any cannot be removed.
    pub interviews: i64,
}

/// Interviews of a cycle by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InterviewCounts {
    pub scheduled: i64,
    pub held: i64,
    pub no_show: i64,
    pub cancelled: i64,
}

/// Individual reports of a cycle's interviews by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportCounts {
    pub draft: i64,
    pub submitted: i64,
    pub returned: i64,
    pub approved: i64,
}

/// One consultant's share of a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsultantProgress {
    pub consultant: UserId,
    pub name: String,
    pub targets: i64,
    pub interviews: InterviewCounts,
    pub reports: ReportCounts,
}

/// The figures of a cycle's overview page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleOverview {
    pub cycle: CycleRow,
    /// Targets with at least one held interview in this cycle.
    pub interviewed: i64,
    pub interviews: InterviewCounts,
    pub reports: ReportCounts,
    /// Consultants with targets or interviews in the cycle, by name.
    pub consultants: Vec<ConsultantProgress>,
}

/// What automatic assignment did: targets assigned, and targets left unassigned because every
/// consultant has a conflict with them, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AutoAssigned {
    pub assigned: usize,
    pub left: BTreeMap<Conflict, usize>,
}

impl AutoAssigned {
    pub fn left_total(&self) -> usize {
        self.left.values().sum()
    }
}

/// What adding targets from a list did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetsAdded {
    pub added: usize,
    /// Numbers already targeted (left as they were).
    pub already: usize,
}

fn parse_day(raw: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| StoreError::Config(format!("cycles holds a date that is not YYYY-MM-DD: {raw}")))
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn cycle_row(r: &AnyRow) -> Result<CycleRow> {
    let status: String = r.try_get("status")?;
    Ok(CycleRow {
        id: CycleId::new(r.try_get("id")?),
        name: r.try_get("name")?,
        starts_on: parse_day(&r.try_get::<String, _>("starts_on")?)?,
        ends_on: parse_day(&r.try_get::<String, _>("ends_on")?)?,
        status: CycleStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown cycle status {status}")))?,
        rule: TargetRule::from_json(&r.try_get::<String, _>("rule")?),
        created_at: r.try_get("created_at")?,
        targets: r.try_get("targets")?,
        assigned: r.try_get("assigned")?,
    })
}

const CYCLE_SELECT: &str = "SELECT c.id, c.name, c.starts_on, c.ends_on, c.status, c.rule, c.created_at,
        (SELECT COUNT(*) FROM cycle_targets t WHERE t.cycle_id = c.id) AS targets,
        (SELECT COUNT(t.consultant_id) FROM cycle_targets t WHERE t.cycle_id = c.id) AS assigned
     FROM cycles c";

/// Every employee of the tenant as the targeting rule sees them, in employee-number order.
async fn candidates(conn: &mut sqlx::AnyConnection, tenant: TenantId) -> Result<Vec<Candidate>> {
    let rows = sqlx::query(
        "SELECT e.id, d.path, e.grade, e.birth_year, e.hire_date, e.status FROM employees e JOIN departments d ON d.id = e.department_id
         WHERE e.tenant_id = $1 ORDER BY e.employee_number",
    )
    .bind(tenant.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Candidate {
                id: r.try_get("id")?,
                department: r.try_get("path")?,
                grade: r.try_get("grade")?,
                birth_year: r.try_get::<Option<i64>, _>("birth_year")?.and_then(|y| i32::try_from(y).ok()),
                hire_date: r.try_get::<Option<String>, _>("hire_date")?.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                active: r.try_get::<String, _>("status")? == "active",
            })
        })
        .collect()
}

/// Inserts targets in multi-row statements.
async fn insert_targets(
    tx: &mut Transaction<'static, Any>,
    batch: InsertBatch,
    tenant: TenantId,
    cycle: CycleId,
    targets: &[(i64, String)],
    now: i64,
) -> Result<()> {
    for part in targets.chunks(batch.rows.max(1)) {
        let mut sql = String::from("INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, reason, added_at)");
        sql.push_str(&batch.values(part.len(), 5));
        let mut q = sqlx::query(&sql);
        for (employee, reason) in part {
            q = q.bind(cycle.get()).bind(tenant.get()).bind(*employee).bind(reason.clone()).bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Locks the cycle's row for the transaction and returns its status; concurrent changes to
/// one cycle apply one after the other.
async fn lock_cycle(tx: &mut Transaction<'static, Any>, tenant: TenantId, id: CycleId) -> Result<CycleStatus> {
    let touched = sqlx::query("UPDATE cycles SET tenant_id = tenant_id WHERE id = $1 AND tenant_id = $2")
        .bind(id.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    if touched.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let status: String =
        sqlx::query("SELECT status FROM cycles WHERE id = $1").bind(id.get()).fetch_one(&mut **tx).await?.try_get("status")?;
    CycleStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown cycle status {status}")))
}

/// As `lock_cycle`, refusing a closed cycle.
async fn lock_open_cycle(tx: &mut Transaction<'static, Any>, tenant: TenantId, id: CycleId) -> Result<()> {
    if lock_cycle(tx, tenant, id).await? == CycleStatus::Closed {
        return Err(cycle::closed_cycle().into());
    }
    Ok(())
}

/// Whether `user` is an active user of the tenant holding the consultant role.
async fn is_active_consultant(tx: &mut Transaction<'static, Any>, tenant: TenantId, user: UserId) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
         WHERE u.id = $1 AND u.tenant_id = $2 AND r.role = $3 AND u.disabled_at IS NULL",
    )
    .bind(user.get())
    .bind(tenant.get())
    .bind(Role::Consultant.as_str())
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Employees per statement that sets their consultant (named placeholders).
const CONSULTANT_CHUNK: usize = 128;

/// Sets the consultant of targets of a cycle, in chunks of `chunk` employees per statement.
async fn set_consultant(
    tx: &mut Transaction<'static, Any>,
    chunk: usize,
    cycle: CycleId,
    consultant: Option<i64>,
    employees: &[i64],
) -> Result<()> {
    for part in employees.chunks(chunk.max(1)) {
        let list: Vec<String> = (0..part.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!("UPDATE cycle_targets SET consultant_id = $1 WHERE cycle_id = $2 AND employee_id IN ({})", list.join(","));
        let mut q = sqlx::query(&sql).bind(consultant).bind(cycle.get());
        for e in part {
            q = q.bind(*e);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn count(r: &AnyRow, col: &str) -> Result<i64> {
    Ok(r.try_get::<i64, _>(col)?)
}

fn add_interview(c: &mut InterviewCounts, status: &str, n: i64) {
    match status {
        "scheduled" => c.scheduled += n,
        "held" => c.held += n,
        "no_show" => c.no_show += n,
        "cancelled" => c.cancelled += n,
        _ => {}
    }
}

fn add_report(c: &mut ReportCounts, status: &str, n: i64) {
    match status {
        "draft" => c.draft += n,
        "submitted" => c.submitted += n,
        "returned" => c.returned += n,
        "approved" => c.approved += n,
        _ => {}
    }
}

impl Store {
    /// The active users of a tenant holding `role`, by display name.
    pub async fn users_with_role(&self, tenant: TenantId, role: Role) -> Result<Vec<(UserId, String)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id
             WHERE u.tenant_id = $1 AND r.role = $2 AND u.disabled_at IS NULL",
        )
        .bind(tenant.get())
        .bind(role.as_str())
        .fetch_all(&self.db.read)
        .await?;
        let mut out = rows
            .iter()
            .map(|r| Ok((UserId::new(r.try_get("id")?), r.try_get("display_name")?)))
            .collect::<Result<Vec<(UserId, String)>>>()?;
        // Sorted here, not by the database's collation, so both backends give one order.
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    /// The grades in use in the register, for the targeting form.
    pub async fn grades_in_use(&self, tenant: TenantId) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT grade FROM employees WHERE tenant_id = $1 AND grade IS NOT NULL")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut grades = rows.iter().map(|r| Ok(r.try_get("grade")?)).collect::<Result<Vec<String>>>()?;
        grades.sort();
        Ok(grades)
    }

    /// How many employees a rule would target for a cycle starting on `starts_on` (the form's preview).
    pub async fn preview_cycle_targets(&self, tenant: TenantId, rule: &TargetRule, starts_on: NaiveDate) -> Result<usize> {
        let mut conn = self.db.read.acquire().await?;
        let all = candidates(&mut conn, tenant).await?;
        Ok(select_targets(&all, rule, fiscal_year(starts_on)).len())
    }

    /// Creates a cycle in planning with the targets its rule selects from the register as it is
    /// now; the cycle, its targets and the audit event commit together. The name, period and
    /// rule are checked first (`domain::cycle`: the rule's departments must be in the register).
    /// Returns the id and the number of targets.
    pub async fn create_cycle(&self, ctx: &Ctx, new: &NewCycle<'_>) -> Result<(CycleId, usize)> {
        ctx.check(Operation::ManageCycles)?;
        let name = new.name.trim();
        validate_cycle(name, new.starts_on, new.ends_on)?;
        let mut tx = self.db.write.begin().await?;
        let known = match new.rule.departments.is_empty() {
            true => Vec::new(),
            false => sqlx::query("SELECT path FROM departments WHERE tenant_id = $1")
                .bind(ctx.tenant.get())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("path"))
                .collect::<std::result::Result<Vec<_>, _>>()?,
        };
        new.rule.validate(&known)?;
        let all = candidates(&mut tx, ctx.tenant).await?;
        let targets = select_targets(&all, new.rule, fiscal_year(new.starts_on));
        let now = now_ms();
        let row = sqlx::query("INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(ctx.tenant.get())
            .bind(name)
            .bind(day(new.starts_on))
            .bind(day(new.ends_on))
            .bind(CycleStatus::Planning.as_str())
            .bind(new.rule.to_json())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Invalid(cycle::duplicate_name(name)),
                e => e.into(),
            })?;
        let id = CycleId::new(row.try_get("id")?);
        insert_targets(&mut tx, self.db.insert_batch(), ctx.tenant, id, &targets, now).await?;
        let detail =
            AuditDetail::of(Fact::Period(new.starts_on, new.ends_on)).n(Key::Targets, targets.len()).and(Fact::Rule(new.rule.clone()));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::CycleCreated, AuditTarget::Cycle, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok((id, targets.len()))
    }

    /// The tenant's cycles, newest period first, with their head counts.
    pub async fn cycles(&self, tenant: TenantId) -> Result<Vec<CycleRow>> {
        let rows = sqlx::query(&format!("{CYCLE_SELECT} WHERE c.tenant_id = $1 ORDER BY c.starts_on DESC, c.id DESC"))
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(cycle_row).collect()
    }

    pub async fn cycle(&self, tenant: TenantId, id: CycleId) -> Result<CycleRow> {
        let r = sqlx::query(&format!("{CYCLE_SELECT} WHERE c.tenant_id = $1 AND c.id = $2"))
            .bind(tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        cycle_row(&r)
    }

    /// A page of a cycle's targets in employee-number order, and the total matching; the read
    /// names employees, so it is audited.
    pub async fn cycle_targets(&self, ctx: &Ctx, id: CycleId, filter: &TargetFilter) -> Result<(i64, Vec<CycleTargetRow>)> {
        ctx.check(Operation::ManageCycles)?;
        self.cycle(ctx.tenant, id).await?;
        let cond = "t.tenant_id = $1 AND t.cycle_id = $2 AND ($3 = 0 OR t.consultant_id IS NULL)
            AND ($4 = 0 OR t.consultant_id = $4)
            AND ($5 = '' OR LOWER(e.employee_number) LIKE $5 ESCAPE '!' OR LOWER(e.name) LIKE $5 ESCAPE '!'
                 OR LOWER(COALESCE(e.name_kana, '')) LIKE $5 ESCAPE '!')";
        let only = i64::from(filter.unassigned_only);
        let consultant = filter.consultant.unwrap_or(0);
        let search = filter.search.as_deref().and_then(crate::paging::like_pattern).unwrap_or_default();
        let order = match filter.sort {
            TargetSort::Number => "e.employee_number",
            TargetSort::Kana => "COALESCE(e.name_kana, e.name)",
            TargetSort::Department => "d.path",
            TargetSort::Consultant => "COALESCE(u.display_name, '')",
        };
        let dir = if filter.descending { "DESC" } else { "ASC" };
        let total: i64 =
            sqlx::query(&format!("SELECT COUNT(*) AS n FROM cycle_targets t JOIN employees e ON e.id = t.employee_id WHERE {cond}"))
                .bind(ctx.tenant.get())
                .bind(id.get())
                .bind(only)
                .bind(consultant)
                .bind(search.clone())
                .fetch_one(&self.db.read)
                .await?
                .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT t.employee_id, e.employee_number, e.name, d.path, t.reason, t.consultant_id, u.display_name,
                (SELECT COUNT(*) FROM interviews i WHERE i.tenant_id = t.tenant_id AND i.cycle_id = t.cycle_id AND i.employee_id = t.employee_id) AS interviews
             FROM cycle_targets t JOIN employees e ON e.id = t.employee_id JOIN departments d ON d.id = e.department_id
             LEFT JOIN users u ON u.id = t.consultant_id
             WHERE {cond} ORDER BY {order} {dir}, e.employee_number {dir} LIMIT $6 OFFSET $7"
        ))
        .bind(ctx.tenant.get())
        .bind(id.get())
        .bind(only)
        .bind(consultant)
        .bind(search)
        .bind(filter.page_size())
        .bind(filter.start())
        .fetch_all(&self.db.read)
        .await?;
        let items = rows
            .iter()
            .map(|r| {
                Ok(CycleTargetRow {
                    employee: EmployeeId::new(r.try_get("employee_id")?),
                    number: r.try_get("employee_number")?,
                    name: r.try_get("name")?,
                    department: r.try_get("path")?,
                    reason: r.try_get("reason")?,
                    consultant: r.try_get::<Option<i64>, _>("consultant_id")?.map(UserId::new),
                    consultant_name: r.try_get("display_name")?,
                    interviews: r.try_get("interviews")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let detail = AuditDetail::none().n(Key::Cycle, id.get()).n(Key::Offset, filter.start()).n(Key::Count, items.len());
        self.audit(ctx, ctx.event(AuditAction::EmployeeListRead, AuditTarget::CycleTargets, id).detail(detail)).await?;
        Ok((total, items))
    }

    /// Adds the employees of an uploaded list of employee numbers (the file as uploaded:
    /// UTF-8 or Shift_JIS) as targets. Every malformed line, unknown number and retired
    /// employee is reported with its line (`domain::cycle::list`), and then nothing is added.
    pub async fn add_cycle_targets_from_list(&self, ctx: &Ctx, id: CycleId, file: &[u8]) -> Result<TargetsAdded> {
        ctx.check(Operation::ManageCycles)?;
        let list = read_number_list(file);
        let mut tx = self.db.write.begin().await?;
        lock_open_cycle(&mut tx, ctx.tenant, id).await?;
        let list = list.map_err(StoreError::Rows)?;
        let rows = sqlx::query("SELECT id, employee_number, status FROM employees WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_all(&mut *tx)
            .await?;
        let mut register: HashMap<String, Listed> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let listed = Listed { employee: r.try_get("id")?, retired: r.try_get::<String, _>("status")? == "retired" };
            register.insert(r.try_get("employee_number")?, listed);
        }
        let existing: HashSet<i64> = sqlx::query("SELECT employee_id FROM cycle_targets WHERE cycle_id = $1")
            .bind(id.get())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("employee_id"))
            .collect::<std::result::Result<_, _>>()?;
        let plan = list.plan(|n| register.get(n).copied(), |e| existing.contains(&e)).map_err(StoreError::Rows)?;
        let new: Vec<(i64, String)> = plan.new.iter().map(|e| (*e, LISTED_REASON.to_string())).collect();
        insert_targets(&mut tx, self.db.insert_batch(), ctx.tenant, id, &new, now_ms()).await?;
        if !new.is_empty() {
            let detail = AuditDetail::none().n(Key::Added, new.len()).n(Key::Already, plan.already).and(Fact::Name(Key::Via, "list"));
            Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::CycleTargetsChanged, AuditTarget::Cycle, id).detail(detail)]).await?;
        }
        tx.commit().await?;
        Ok(TargetsAdded { added: new.len(), already: plan.already })
    }

    /// Removes a target who has no interview in the cycle yet.
    pub async fn remove_cycle_target(&self, ctx: &Ctx, id: CycleId, employee: EmployeeId) -> Result<()> {
        ctx.check(Operation::ManageCycles)?;
        let mut tx = self.db.write.begin().await?;
        lock_open_cycle(&mut tx, ctx.tenant, id).await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM interviews WHERE tenant_id = $1 AND cycle_id = $2 AND employee_id = $3")
            .bind(ctx.tenant.get())
            .bind(id.get())
            .bind(employee.get())
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if n > 0 {
            return Err(cycle::target_has_interviews(n).into());
        }
        let done = sqlx::query("DELETE FROM cycle_targets WHERE cycle_id = $1 AND tenant_id = $2 AND employee_id = $3")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(employee.get())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let ev =
            ctx.event(AuditAction::CycleTargetsChanged, AuditTarget::Cycle, id).detail(AuditDetail::none().n(Key::Removed, employee.get()));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns a target to a consultant by hand (`None` takes the assignment away). The
    /// consultant must be an active user of the tenant holding the consultant role.
    pub async fn assign_cycle_target(&self, ctx: &Ctx, id: CycleId, employee: EmployeeId, consultant: Option<UserId>) -> Result<()> {
        ctx.check(Operation::ManageCycles)?;
        let mut tx = self.db.write.begin().await?;
        lock_open_cycle(&mut tx, ctx.tenant, id).await?;
        if let Some(c) = consultant {
            if !is_active_consultant(&mut tx, ctx.tenant, c).await? {
                return Err(cycle::not_a_consultant().into());
            }
        }
        let done = sqlx::query("UPDATE cycle_targets SET consultant_id = $1 WHERE cycle_id = $2 AND tenant_id = $3 AND employee_id = $4")
            .bind(consultant.map(UserId::get))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(employee.get())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let to = match consultant {
            Some(c) => Fact::N(Key::Consultant, c.get()),
            None => Fact::Name(Key::Consultant, "none"),
        };
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx
                .event(AuditAction::CycleTargetsChanged, AuditTarget::Cycle, id)
                .detail(AuditDetail::none().n(Key::Assigned, employee.get()).and(to))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Shares the unassigned targets among the tenant's consultants so that loads in this
    /// cycle end up as even as possible, never giving a consultant who is an employee (the
    /// account is linked to the register) someone of their own department, their bosses or
    /// their reports (`domain::cycle::assign`). Returns how many were assigned, and how many
    /// were left for want of a consultant without a conflict, by reason.
    pub async fn auto_assign_cycle(&self, ctx: &Ctx, id: CycleId) -> Result<AutoAssigned> {
        ctx.check(Operation::ManageCycles)?;
        let consultants = self.users_with_role(ctx.tenant, Role::Consultant).await?;
        if consultants.is_empty() {
            return Err(cycle::no_consultants().into());
        }
        let mut tx = self.db.write.begin().await?;
        lock_open_cycle(&mut tx, ctx.tenant, id).await?;
        let linked: HashMap<i64, i64> = sqlx::query("SELECT id, employee_id FROM users WHERE tenant_id = $1 AND employee_id IS NOT NULL")
            .bind(ctx.tenant.get())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("employee_id")?)))
            .collect::<Result<_>>()?;
        let seats: Vec<Seat> =
            consultants.iter().map(|(u, _)| Seat { consultant: u.get(), employee: linked.get(&u.get()).copied() }).collect();
        let mut org = Org::default();
        if seats.iter().any(|s| s.employee.is_some()) {
            for r in sqlx::query("SELECT id, department_id, boss_id FROM employees WHERE tenant_id = $1")
                .bind(ctx.tenant.get())
                .fetch_all(&mut *tx)
                .await?
            {
                let place = Place { department: r.try_get::<i64, _>("department_id")?.to_string(), boss: r.try_get("boss_id")? };
                org.insert(r.try_get("id")?, place);
            }
        }
        let mut current: HashMap<i64, usize> = HashMap::new();
        for r in sqlx::query("SELECT consultant_id, COUNT(*) AS n FROM cycle_targets WHERE cycle_id = $1 AND consultant_id IS NOT NULL GROUP BY consultant_id")
            .bind(id.get())
            .fetch_all(&mut *tx)
            .await?
        {
            current.insert(r.try_get("consultant_id")?, usize::try_from(count(&r, "n")?).unwrap_or(0));
        }
        let unassigned: Vec<i64> = sqlx::query(
            "SELECT t.employee_id FROM cycle_targets t JOIN employees e ON e.id = t.employee_id
             WHERE t.cycle_id = $1 AND t.consultant_id IS NULL ORDER BY e.employee_number",
        )
        .bind(id.get())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("employee_id"))
        .collect::<std::result::Result<_, _>>()?;
        let plan = assign_without_conflicts(&unassigned, &seats, &current, &org);
        let mut by_consultant: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (employee, consultant) in &plan.assigned {
            by_consultant.entry(*consultant).or_default().push(*employee);
        }
        for (consultant, employees) in &by_consultant {
            set_consultant(&mut tx, CONSULTANT_CHUNK, id, Some(*consultant), employees).await?;
        }
        if !plan.assigned.is_empty() || !plan.left.is_empty() {
            let detail = AuditDetail::none()
                .n(Key::AutoAssigned, plan.assigned.len())
                .n(Key::Consultants, by_consultant.len())
                .n(Key::Left, plan.left.len());
            Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::CycleTargetsChanged, AuditTarget::Cycle, id).detail(detail)]).await?;
        }
        tx.commit().await?;
        Ok(AutoAssigned { assigned: plan.assigned.len(), left: plan.left_by_reason() })
    }

    /// Assigns several targets of a cycle to one consultant at once (`None` takes their
    /// assignment away), as one change with one audit event. Every employee must be a target
    /// of this cycle and the consultant an active consultant of the tenant; otherwise nothing
    /// changes and the answer is "not found", as for records that do not exist.
    pub async fn assign_cycle_targets(
        &self,
        ctx: &Ctx,
        id: CycleId,
        employees: &[EmployeeId],
        consultant: Option<UserId>,
    ) -> Result<usize> {
        ctx.check(Operation::ManageCycles)?;
        let mut wanted: Vec<i64> = employees.iter().map(|e| e.get()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Err(cycle::nobody_selected().into());
        }
        let mut tx = self.db.write.begin().await?;
        lock_open_cycle(&mut tx, ctx.tenant, id).await?;
        if let Some(c) = consultant {
            if !is_active_consultant(&mut tx, ctx.tenant, c).await? {
                return Err(StoreError::NotFound);
            }
        }
        let targets: HashSet<i64> = sqlx::query("SELECT employee_id FROM cycle_targets WHERE cycle_id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("employee_id"))
            .collect::<std::result::Result<_, _>>()?;
        if wanted.iter().any(|e| !targets.contains(e)) {
            return Err(StoreError::NotFound);
        }
        set_consultant(&mut tx, CONSULTANT_CHUNK, id, consultant.map(UserId::get), &wanted).await?;
        let to = match consultant {
            Some(c) => Fact::N(Key::Consultant, c.get()),
            None => Fact::Name(Key::Consultant, "none"),
        };
        let detail = AuditDetail::none().n(Key::Count, wanted.len()).and(to).and(Fact::Name(Key::Via, "bulk"));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::CycleTargetsChanged, AuditTarget::Cycle, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(wanted.len())
    }

    /// Moves a cycle to another status; any move is allowed (a closed cycle may be reopened).
    /// Closing it opens its yearly review (`open_yearly_review`).
    pub async fn set_cycle_status(&self, ctx: &Ctx, id: CycleId, status: CycleStatus) -> Result<()> {
        ctx.check(Operation::ManageCycles)?;
        let mut tx = self.db.write.begin().await?;
        let was = lock_cycle(&mut tx, ctx.tenant, id).await?;
        if was == status {
            return Ok(());
        }
        sqlx::query("UPDATE cycles SET status = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(status.as_str())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let detail = AuditDetail::of(Fact::Name(Key::Status, status.as_str())).and(Fact::Name(Key::Was, was.as_str()));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::CycleChanged, AuditTarget::Cycle, id).detail(detail)]).await?;
        tx.commit().await?;
        // Closing a cycle opens its yearly review (R11, R12); HR can open it from the list of
        // reviews should this step not complete.
        if status == CycleStatus::Closed {
            self.open_yearly_review(ctx, id).await?;
        }
        Ok(())
    }

    /// The progress of a cycle: targets, interviews and reports, in total and per consultant.
    pub async fn cycle_overview(&self, tenant: TenantId, id: CycleId) -> Result<CycleOverview> {
        let cycle = self.cycle(tenant, id).await?;
        let mut per: BTreeMap<i64, ConsultantProgress> = BTreeMap::new();
        let targets = sqlx::query("SELECT consultant_id, COUNT(*) AS n FROM cycle_targets WHERE tenant_id = $1 AND cycle_id = $2 AND consultant_id IS NOT NULL GROUP BY consultant_id")
            .bind(tenant.get())
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?;
        for r in &targets {
            progress_of(&mut per, r.try_get("consultant_id")?).targets += count(r, "n")?;
        }
        let mut interviews = InterviewCounts::default();
        let rows = sqlx::query("SELECT consultant_id, status, COUNT(*) AS n FROM interviews WHERE tenant_id = $1 AND cycle_id = $2 GROUP BY consultant_id, status")
            .bind(tenant.get())
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?;
        for r in &rows {
            let (status, n): (String, i64) = (r.try_get("status")?, count(r, "n")?);
            add_interview(&mut interviews, &status, n);
            add_interview(&mut progress_of(&mut per, r.try_get("consultant_id")?).interviews, &status, n);
        }
        let mut reports = ReportCounts::default();
        let rows = sqlx::query(
            "SELECT i.consultant_id, r.status, COUNT(*) AS n FROM reports r JOIN interviews i ON i.id = r.interview_id
             WHERE i.tenant_id = $1 AND i.cycle_id = $2 AND r.tenant_id = $1 GROUP BY i.consultant_id, r.status",
        )
        .bind(tenant.get())
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        for r in &rows {
            let (status, n): (String, i64) = (r.try_get("status")?, count(r, "n")?);
            add_report(&mut reports, &status, n);
            add_report(&mut progress_of(&mut per, r.try_get("consultant_id")?).reports, &status, n);
        }
        let interviewed = count(
            &sqlx::query(
                "SELECT COUNT(DISTINCT i.employee_id) AS n FROM interviews i JOIN cycle_targets t ON t.cycle_id = i.cycle_id AND t.employee_id = i.employee_id
                 WHERE i.tenant_id = $1 AND i.cycle_id = $2 AND i.status = 'held'",
            )
            .bind(tenant.get())
            .bind(id.get())
            .fetch_one(&self.db.read)
            .await?,
            "n",
        )?;
        let names: HashMap<i64, String> = sqlx::query("SELECT id, display_name FROM users WHERE tenant_id = $1")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
            .collect::<Result<_>>()?;
        let mut consultants: Vec<ConsultantProgress> = per
            .into_values()
            .map(|mut p| {
                p.name = names.get(&p.consultant.get()).cloned().unwrap_or_default();
                p
            })
            .collect();
        consultants.sort_by(|a, b| a.name.cmp(&b.name).then(a.consultant.cmp(&b.consultant)));
        Ok(CycleOverview { cycle, interviewed, interviews, reports, consultants })
    }
}

fn progress_of(per: &mut BTreeMap<i64, ConsultantProgress>, consultant: i64) -> &mut ConsultantProgress {
    per.entry(consultant).or_insert_with(|| ConsultantProgress {
        consultant: UserId::new(consultant),
        name: String::new(),
        targets: 0,
        interviews: InterviewCounts::default(),
        reports: ReportCounts::default(),
    })
}
