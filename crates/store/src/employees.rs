//! Departments (a tree) and the employee register, including the import that applies a
//! planned change in one transaction.

use crate::db::InsertBatch;
use crate::{now_ms, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::employee::{DepartmentPath, Email, EmployeeNumber, EmployeeRecord, EmployeeStatus, NameKana, PersonName};
use domain::ids::{DepartmentId, EmployeeId, TenantId};
use domain::import::{parse_employee_csv_partial, ParsedRow, SourceEncoding};
use domain::policy::Operation;
use domain::register::{plan_import, unknown_bosses, Existing, ImportPlan, PlannedRow};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentRow {
    pub id: DepartmentId,
    pub parent: Option<DepartmentId>,
    pub name: String,
    pub path: String,
    pub depth: i64,
    pub headcount: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeRow {
    pub id: EmployeeId,
    pub number: String,
    pub name: String,
    pub name_kana: Option<String>,
    pub department: String,
    pub grade: Option<String>,
    pub birth_year: Option<i64>,
    pub hire_date: Option<String>,
    pub boss_number: Option<String>,
    pub boss_name: Option<String>,
    pub email: Option<String>,
    pub status: String,
}

#[derive(Clone, Debug, Default)]
pub struct EmployeeFilter {
    /// Matches number, name or kana, case-insensitively.
    pub query: Option<String>,
    pub department_prefix: Option<String>,
    pub limit: i64,
    pub offset: i64,
    pub sort: EmployeeSort,
    pub dir: crate::Direction,
}

/// How the register is ordered (each ends with the employee number, which is unique).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmployeeSort {
    #[default]
    Number,
    /// By reading (kana), then name.
    Name,
    Department,
}

impl EmployeeSort {
    fn order_by(self, dir: crate::Direction) -> String {
        let d = dir.sql();
        match self {
            EmployeeSort::Number => format!("e.employee_number {d}"),
            EmployeeSort::Name => format!("COALESCE(e.name_kana, e.name) {d}, e.name {d}, e.employee_number {d}"),
            EmployeeSort::Department => format!("d.path {d}, e.employee_number {d}"),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub departments_created: usize,
}

/// The rows the demo generator (or a bulk loader) hands over; applied like an import.
pub type NewEmployees = Vec<ParsedRow>;

const EMPLOYEE_SELECT: &str =
    "SELECT e.id, e.employee_number, e.name, e.name_kana, d.path AS department, e.grade, e.birth_year, e.hire_date,
        b.employee_number AS boss_number, b.name AS boss_name, e.email, e.status
     FROM employees e JOIN departments d ON d.id = e.department_id LEFT JOIN employees b ON b.id = e.boss_id";

fn employee_row(r: &AnyRow) -> Result<EmployeeRow> {
    Ok(EmployeeRow {
        id: EmployeeId::new(r.try_get("id")?),
        number: r.try_get("employee_number")?,
        name: r.try_get("name")?,
        name_kana: r.try_get("name_kana")?,
        department: r.try_get("department")?,
        grade: r.try_get("grade")?,
        birth_year: r.try_get("birth_year")?,
        hire_date: r.try_get("hire_date")?,
        boss_number: r.try_get("boss_number")?,
        boss_name: r.try_get("boss_name")?,
        email: r.try_get("email")?,
        status: r.try_get("status")?,
    })
}

/// Escapes LIKE's wildcards (with '!', itself escaped) so a department name or a search holding
/// % or _ matches only itself; every LIKE given such a pattern says `ESCAPE '!'`.
fn escape_like(s: &str) -> String {
    s.replace('!', "!!").replace('%', "!%").replace('_', "!_")
}

/// Turns a stored row back into a validated record (for planning re-imports and exports).
fn to_record(r: &EmployeeRow) -> Result<EmployeeRecord> {
    Ok(EmployeeRecord {
        number: EmployeeNumber::parse(&r.number)?,
        name: PersonName::parse(&r.name)?,
        name_kana: r.name_kana.as_deref().map(NameKana::parse).transpose()?,
        department: DepartmentPath::parse(&r.department)?,
        grade: r.grade.clone(),
        birth_year: r.birth_year.map(|y| y as i32),
        hire_date: r.hire_date.as_deref().map(|d| domain::employee::parse_date("hire_date", d)).transpose()?,
        boss_number: r.boss_number.as_deref().map(EmployeeNumber::parse).transpose()?,
        email: r.email.as_deref().map(Email::parse).transpose()?,
        status: EmployeeStatus::parse(&r.status)?,
    })
}

impl Store {
    pub async fn departments(&self, tenant: TenantId) -> Result<Vec<DepartmentRow>> {
        let rows = sqlx::query(
            "SELECT d.id, d.parent_id, d.name, d.path, d.depth, (SELECT COUNT(*) FROM employees e WHERE e.tenant_id = d.tenant_id AND e.department_id = d.id) AS headcount
             FROM departments d WHERE d.tenant_id = $1 ORDER BY d.path",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DepartmentRow {
                    id: DepartmentId::new(r.try_get("id")?),
                    parent: r.try_get::<Option<i64>, _>("parent_id")?.map(DepartmentId::new),
                    name: r.try_get("name")?,
                    path: r.try_get("path")?,
                    depth: r.try_get("depth")?,
                    headcount: r.try_get("headcount")?,
                })
            })
            .collect()
    }

    /// A page of the register, and the total matching; the read is audited.
    pub async fn employees(&self, ctx: &Ctx, filter: &EmployeeFilter) -> Result<(i64, Vec<EmployeeRow>)> {
        ctx.check(Operation::ListEmployees)?;
        let q = filter.query.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(|q| format!("%{}%", escape_like(&q.to_lowercase())));
        // A department and everything under it: the path itself, or the path followed by '/'.
        let dept = filter.department_prefix.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        let under = dept.as_deref().map(|d| format!("{}/%", escape_like(d)));
        // The search scans the tenant's register (a part of a name): matched as it is stored,
        // without lowering 100,000 rows three times (half the time of the scan).
        let like = self.db.ilike();
        let cond = format!(
            "e.tenant_id = $1
            AND ($2 IS NULL OR e.employee_number {like} $2 ESCAPE '!' OR e.name {like} $2 ESCAPE '!'
                 OR COALESCE(e.name_kana, '') {like} $2 ESCAPE '!')
            AND ($3 IS NULL OR d.path = $3 OR d.path LIKE $4 ESCAPE '!')"
        );
        // The whole register's size is kept with it; only a search or a department is counted.
        let total = if q.is_none() && dept.is_none() {
            self.employee_count(ctx.tenant).await?
        } else {
            sqlx::query(&format!("SELECT COUNT(*) AS n FROM employees e JOIN departments d ON d.id = e.department_id WHERE {cond}"))
                .bind(ctx.tenant.get())
                .bind(q.clone())
                .bind(dept.clone())
                .bind(under.clone())
                .fetch_one(&self.db.read)
                .await?
                .try_get::<i64, _>("n")?
        };
        let rows = sqlx::query(&format!("{EMPLOYEE_SELECT} WHERE {cond} ORDER BY {} LIMIT $5 OFFSET $6", filter.sort.order_by(filter.dir)))
            .bind(ctx.tenant.get())
            .bind(q)
            .bind(dept)
            .bind(under)
            .bind(filter.limit.clamp(1, 1000))
            .bind(filter.offset.max(0))
            .fetch_all(&self.db.read)
            .await?;
        let items = rows.iter().map(employee_row).collect::<Result<Vec<_>>>()?;
        self.audit(
            ctx,
            ctx.event(AuditAction::EmployeeListRead, AuditTarget::EmployeeRegister, "list")
                .detail(AuditDetail::none().n(Key::Offset, filter.offset.max(0)).n(Key::Count, items.len())),
        )
        .await?;
        Ok((total, items))
    }

    /// The register's size (every status): the count the import keeps with the rows it adds.
    pub async fn employee_count(&self, tenant: TenantId) -> Result<i64> {
        Ok(sqlx::query("SELECT employee_count AS n FROM tenants WHERE id = $1")
            .bind(tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?)
    }

    pub async fn employee_by_number(&self, tenant: TenantId, number: &str) -> Result<EmployeeRow> {
        let r = sqlx::query(&format!("{EMPLOYEE_SELECT} WHERE e.tenant_id = $1 AND e.employee_number = $2"))
            .bind(tenant.get())
            .bind(number)
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        employee_row(&r)
    }

    /// Every employee as a validated record, for planning an import and for exports.
    pub async fn employee_records(&self, tenant: TenantId) -> Result<Vec<EmployeeRecord>> {
        let rows = sqlx::query(&format!("{EMPLOYEE_SELECT} WHERE e.tenant_id = $1 ORDER BY e.employee_number"))
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(|r| employee_row(r).and_then(|e| to_record(&e))).collect()
    }

    /// What an import would change, without changing anything (the web preview).
    pub async fn plan_employee_import(&self, tenant: TenantId, rows: &[ParsedRow]) -> Result<ImportPlan> {
        let existing: Existing = self.employee_records(tenant).await?.into_iter().map(|r| (r.number.clone(), r)).collect();
        let known: BTreeSet<DepartmentPath> =
            self.departments(tenant).await?.iter().filter_map(|d| DepartmentPath::parse(&d.path).ok()).collect();
        plan_import(&existing, &known, rows).map_err(StoreError::Rows)
    }

    /// Reads an uploaded register and plans it against the tenant's, reporting every problem of
    /// the file at once: bad cells, and unknown bosses of the rows that are otherwise valid.
    pub async fn check_employee_csv(
        &self,
        tenant: TenantId,
        bytes: &[u8],
        today: chrono::NaiveDate,
    ) -> Result<(SourceEncoding, Vec<ParsedRow>, ImportPlan)> {
        let partial = parse_employee_csv_partial(bytes, today).map_err(StoreError::Rows)?;
        if partial.errors.is_empty() {
            let plan = self.plan_employee_import(tenant, &partial.rows).await?;
            return Ok((partial.encoding, partial.rows, plan));
        }
        let existing: Existing = self.employee_records(tenant).await?.into_iter().map(|r| (r.number.clone(), r)).collect();
        let mut errors = partial.errors;
        errors.extend(unknown_bosses(&existing, &partial.numbers_in_file, &partial.rows));
        errors.sort_by_key(|e| e.line);
        Err(StoreError::Rows(errors))
    }

    /// Applies an import all-or-nothing: departments, new and changed employees and the audit
    /// event commit together, or nothing does.
    pub async fn import_employees(&self, ctx: &Ctx, rows: &[ParsedRow]) -> Result<ImportSummary> {
        ctx.check(Operation::ImportEmployees)?;
        self.import_employees_with_progress(ctx, rows, &|_| {}).await
    }

    pub async fn import_employees_with_progress(
        &self,
        ctx: &Ctx,
        rows: &[ParsedRow],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportSummary> {
        ctx.check(Operation::ImportEmployees)?;
        let plan = self.plan_employee_import(ctx.tenant, rows).await?;
        self.apply_employee_import(ctx, &plan, progress).await
    }

    /// Applies a plan just made by [`Store::check_employee_csv`] or
    /// [`Store::plan_employee_import`] (the command line plans, shows the plan, then applies it
    /// without planning 100,000 rows a second time). A row whose department or boss another
    /// writer removed since is refused inside the transaction, which then changes nothing.
    pub async fn apply_employee_import(&self, ctx: &Ctx, plan: &ImportPlan, progress: &(dyn Fn(usize) + Sync)) -> Result<ImportSummary> {
        ctx.check(Operation::ImportEmployees)?;
        let mut tx = self.db.write.begin().await?;
        let mut dept_ids = department_ids(&mut tx, ctx.tenant).await?;
        for path in &plan.new_departments {
            let key = path.to_path_string();
            if dept_ids.contains_key(&key) {
                continue;
            }
            let parent = path.parent().and_then(|p| dept_ids.get(&p.to_path_string()).copied());
            let r =
                sqlx::query("INSERT INTO departments (tenant_id, parent_id, name, path, depth) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(ctx.tenant.get())
                    .bind(parent)
                    .bind(path.name())
                    .bind(&key)
                    .bind(path.depth() as i64)
                    .fetch_one(&mut *tx)
                    .await?;
            dept_ids.insert(key, r.try_get("id")?);
        }
        let mut ids = employee_ids(&mut tx, ctx.tenant).await?;
        let now = now_ms();
        let mut done = 0usize;
        let mut inserted = 0usize;
        // New rows go in bosses-first chunks, so each boss id is known when its reports are inserted.
        let batch = self.db.insert_batch();
        let mut pending: Vec<&PlannedRow> = Vec::new();
        let mut pending_numbers: HashSet<&str> = HashSet::new();
        for row in &plan.rows {
            let boss_pending = row.record.boss_number.as_ref().is_some_and(|b| pending_numbers.contains(b.as_str()));
            if !row.is_new || boss_pending || pending.len() >= batch.rows {
                let n = insert_chunk(&mut tx, batch, ctx.tenant, &pending, &dept_ids, &mut ids, now).await?;
                done += n;
                inserted += n;
                pending.clear();
                pending_numbers.clear();
                progress(done);
            }
            if row.is_new {
                pending_numbers.insert(row.record.number.as_str());
                pending.push(row);
            } else {
                update_one(&mut tx, ctx.tenant, row, &dept_ids, &ids, now).await?;
                done += 1;
            }
        }
        let n = insert_chunk(&mut tx, batch, ctx.tenant, &pending, &dept_ids, &mut ids, now).await?;
        done += n;
        inserted += n;
        progress(done);
        sqlx::query("UPDATE tenants SET employee_count = employee_count + $1 WHERE id = $2")
            .bind(inserted as i64)
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let summary = ImportSummary {
            created: plan.created(),
            updated: plan.updated(),
            unchanged: plan.unchanged,
            departments_created: plan.new_departments.len(),
        };
        let detail = AuditDetail::none()
            .n(Key::Created, summary.created)
            .n(Key::Updated, summary.updated)
            .n(Key::Unchanged, summary.unchanged)
            .n(Key::DepartmentsCreated, summary.departments_created);
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::EmployeesImported, AuditTarget::EmployeeRegister, "import").detail(detail)],
        )
        .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

async fn department_ids(tx: &mut Transaction<'static, Any>, tenant: TenantId) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT id, path FROM departments WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut **tx).await?;
    rows.iter().map(|r| Ok((r.try_get("path")?, r.try_get("id")?))).collect()
}

async fn employee_ids(tx: &mut Transaction<'static, Any>, tenant: TenantId) -> Result<HashMap<String, i64>> {
    let rows =
        sqlx::query("SELECT id, employee_number FROM employees WHERE tenant_id = $1").bind(tenant.get()).fetch_all(&mut **tx).await?;
    rows.iter().map(|r| Ok((r.try_get("employee_number")?, r.try_get("id")?))).collect()
}

/// A department or boss that another writer removed while the import ran.
fn vanished(what: &str, key: &str) -> domain::Message {
    let ja = if what == "boss" { "上司社員番号" } else { "所属" };
    domain::Message::new(
        format!("{ja}「{key}」が取り込みの途中で見つからなくなりました。もう一度取り込んでください。"),
        format!("{what} {key} vanished during the import"),
    )
}

fn lookup(map: &HashMap<String, i64>, key: &str, what: &str) -> Result<i64> {
    map.get(key).copied().ok_or_else(|| StoreError::Conflict(vanished(what, key)))
}

async fn insert_chunk(
    tx: &mut Transaction<'static, Any>,
    batch: InsertBatch,
    tenant: TenantId,
    rows: &[&PlannedRow],
    depts: &HashMap<String, i64>,
    ids: &mut HashMap<String, i64>,
    now: i64,
) -> Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut sql = String::from(
        "INSERT INTO employees (tenant_id, employee_number, name, name_kana, department_id, grade, birth_year, hire_date, boss_id, email, status, created_at, updated_at)",
    );
    sql.push_str(&batch.values(rows.len(), 13));
    sql.push_str(" RETURNING id, employee_number");
    let mut q = sqlx::query(&sql);
    for row in rows {
        let r = &row.record;
        let dept = lookup(depts, &r.department.to_path_string(), "department")?;
        let boss = r.boss_number.as_ref().map(|b| lookup(ids, b.as_str(), "boss")).transpose()?;
        q = q
            .bind(tenant.get())
            .bind(r.number.as_str())
            .bind(r.name.as_str())
            .bind(r.name_kana.as_ref().map(|k| k.as_str()))
            .bind(dept)
            .bind(r.grade.as_deref())
            .bind(r.birth_year.map(i64::from))
            .bind(r.hire_date.map(|d| d.format("%Y-%m-%d").to_string()))
            .bind(boss)
            .bind(r.email.as_ref().map(|e| e.as_str()))
            .bind(r.status.as_str())
            .bind(now)
            .bind(now);
    }
    let returned = q.fetch_all(&mut **tx).await?;
    for r in &returned {
        ids.insert(r.try_get("employee_number")?, r.try_get("id")?);
    }
    Ok(rows.len())
}

async fn update_one(
    tx: &mut Transaction<'static, Any>,
    tenant: TenantId,
    row: &PlannedRow,
    depts: &HashMap<String, i64>,
    ids: &HashMap<String, i64>,
    now: i64,
) -> Result<()> {
    let r = &row.record;
    let dept = lookup(depts, &r.department.to_path_string(), "department")?;
    let boss = r.boss_number.as_ref().map(|b| lookup(ids, b.as_str(), "boss")).transpose()?;
    sqlx::query(
        "UPDATE employees SET name = $1, name_kana = $2, department_id = $3, grade = $4, birth_year = $5, hire_date = $6, boss_id = $7, email = $8, status = $9, updated_at = $10
         WHERE tenant_id = $11 AND employee_number = $12",
    )
    .bind(r.name.as_str())
    .bind(r.name_kana.as_ref().map(|k| k.as_str()))
    .bind(dept)
    .bind(r.grade.as_deref())
    .bind(r.birth_year.map(i64::from))
    .bind(r.hire_date.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(boss)
    .bind(r.email.as_ref().map(|e| e.as_str()))
    .bind(r.status.as_str())
    .bind(now)
    .bind(tenant.get())
    .bind(r.number.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
