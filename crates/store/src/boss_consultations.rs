//! Boss consultations (上司へのコンサルテーション, R8): a consultant's record of a meeting with an
//! employee's boss — the date, the employee, the boss as the register named them that day, the
//! interview it follows (if any) in plain; what changed before and after the interview, the work
//! performance and the support the boss will give sealed together (purpose `boss_consultation`).
//! Only the consultant who recorded one reads it (`domain::policy::boss_consultation`); lists
//! are cut to the author in SQL and each row is decided again by the policy.

use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{now_ms, Acting, Consultant, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::boss_consultation::{check_consultation, ConsultationText};
use domain::ids::{BossConsultationId, EmployeeId, InterviewId, SealedId, TenantId, UserId};
use domain::interview::{InterviewKind, InterviewStatus};
use domain::policy::{self, BossConsultationFacts, InterviewFacts, Operation, Target};
use domain::Invalid;
use sqlx::any::AnyRow;
use sqlx::Row;

/// The sealed purpose of a consultation's text.
pub(crate) const PURPOSE: &str = "boss_consultation";

/// A consultation as the consultant typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewBossConsultation {
    pub employee_number: String,
    pub interview: Option<InterviewId>,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub changes: String,
    pub performance: String,
    pub support: String,
}

/// One consultation's facts (no sealed text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BossConsultationRow {
    pub id: BossConsultationId,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    /// The boss as the register named them when it was recorded.
    pub boss_name: Option<String>,
    pub interview: Option<InterviewId>,
    /// When the interview it follows took place.
    pub interview_at: Option<i64>,
    pub held_on: NaiveDate,
    pub created_at: i64,
}

/// One consultation with its text, for its author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BossConsultationDetail {
    pub row: BossConsultationRow,
    pub text: ConsultationText,
}

/// How the consultant's list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BossConsultationSort {
    #[default]
    Held,
    Employee,
}

#[derive(Clone, Debug, Default)]
pub struct BossConsultationQuery {
    /// Only this employee's (the interview page's section).
    pub employee: Option<EmployeeId>,
    /// Part of the employee's name, reading or number.
    pub search: Option<String>,
    pub sort: BossConsultationSort,
    pub dir: Direction,
}

const FROM: &str = "FROM boss_consultations c
    JOIN employees e ON e.id = c.employee_id
    LEFT JOIN employees b ON b.id = c.boss_employee_id
    LEFT JOIN interviews i ON i.id = c.interview_id";

const COLUMNS: &str = "c.id, c.tenant_id, c.consultant_id, c.employee_id, e.employee_number, e.name AS employee_name,
    b.name AS boss_name, c.interview_id, i.starts_at AS interview_at, c.held_on, c.text_sealed_id, c.created_at";

fn to_row(r: &AnyRow) -> Result<BossConsultationRow> {
    let held: String = r.try_get("held_on")?;
    Ok(BossConsultationRow {
        id: BossConsultationId::new(r.try_get("id")?),
        employee: EmployeeId::new(r.try_get("employee_id")?),
        employee_number: r.try_get("employee_number")?,
        employee_name: r.try_get("employee_name")?,
        boss_name: r.try_get("boss_name")?,
        interview: r.try_get::<Option<i64>, _>("interview_id")?.map(InterviewId::new),
        interview_at: r.try_get("interview_at")?,
        held_on: NaiveDate::parse_from_str(&held, "%Y-%m-%d")
            .map_err(|_| StoreError::Config("a damaged date in boss_consultations".into()))?,
        created_at: r.try_get("created_at")?,
    })
}

fn facts(r: &AnyRow) -> Result<Target> {
    Ok(Target::BossConsultation(BossConsultationFacts {
        tenant: TenantId::new(r.try_get("tenant_id")?),
        author: UserId::new(r.try_get("consultant_id")?),
    }))
}

fn order_by(sort: BossConsultationSort, dir: Direction) -> String {
    let d = dir.sql();
    match sort {
        BossConsultationSort::Held => format!("c.held_on {d}, c.id {d}"),
        BossConsultationSort::Employee => format!("COALESCE(e.name_kana, e.name) {d}, e.employee_number {d}, c.held_on DESC, c.id"),
    }
}

impl Store {
    /// Records a consultation with the boss of an employee within the consultant's reach, after
    /// an interview of theirs with that employee (if one is named). Every problem of the input at
    /// once; an employee out of reach is refused like an unknown one.
    pub async fn record_boss_consultation(&self, me: &Acting<Consultant>, new: &NewBossConsultation) -> Result<BossConsultationId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::RecordBossConsultations, Target::Route).is_allow() {
            return Err(StoreError::NotFound);
        }
        let mut problems = Vec::new();
        let checked = check_consultation(&new.held_on, crate::today_jst(), &new.changes, &new.performance, &new.support)
            .map_err(|p| problems.extend(p));
        let number = new.employee_number.trim();
        let employee = if number.is_empty() {
            problems.push(Invalid::new("employee", "社員番号を入力してください。", "enter the employee number"));
            None
        } else {
            match self.reachable_employee(me, number).await {
                Ok(e) => Some(e),
                Err(StoreError::NotFound) => {
                    problems.push(Invalid::new(
                        "employee",
                        "この社員番号の従業員は、あなたの担当にいません。担当している従業員の社員番号を入力してください。",
                        "no employee with this number is in your care; enter the number of an employee you are assigned to",
                    ));
                    None
                }
                Err(e) => return Err(e),
            }
        };
        let mut boss = None;
        if let Some(employee) = employee {
            let r = sqlx::query("SELECT boss_id FROM employees WHERE id = $1 AND tenant_id = $2")
                .bind(employee.get())
                .bind(ctx.tenant.get())
                .fetch_one(&self.db.read)
                .await?;
            boss = r.try_get::<Option<i64>, _>("boss_id")?;
            if boss.is_none() {
                problems.push(Invalid::new(
                    "employee",
                    "この従業員には上司が登録されていません。従業員名簿の上司欄を人事部門にご確認ください。",
                    "this employee has no boss in the register; ask HR to check the register",
                ));
            }
        }
        if let (Some(interview), Some(employee)) = (new.interview, employee) {
            let r = sqlx::query("SELECT consultant_id, employee_id FROM interviews WHERE id = $1 AND tenant_id = $2")
                .bind(interview.get())
                .bind(ctx.tenant.get())
                .fetch_optional(&self.db.read)
                .await?;
            let fits = match r {
                Some(r) => {
                    let f =
                        InterviewFacts { tenant: ctx.tenant, consultant: UserId::new(r.try_get("consultant_id")?), employee_user: None };
                    policy::decide(&actor, Operation::ManageInterviews, Target::Interview(f)).is_allow()
                        && r.try_get::<i64, _>("employee_id")? == employee.get()
                }
                None => false,
            };
            if !fits {
                problems.push(Invalid::new(
                    "interview",
                    "選んだ面談は、この従業員とのあなたの面談ではありません。面談を選び直してください。",
                    "the interview chosen is not one of yours with this employee; choose another",
                ));
            }
        }
        let (Ok((held_on, text)), Some(employee), true) = (checked, employee, problems.is_empty()) else {
            return Err(StoreError::problems(problems));
        };
        let json = serde_json::to_string(&text).map_err(|e| StoreError::Config(format!("boss consultation text: {e}")))?;
        let mut tx = self.db.write.begin().await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, PURPOSE, &json).await?;
        let r = sqlx::query(
            "INSERT INTO boss_consultations (tenant_id, employee_id, boss_employee_id, interview_id, consultant_id, held_on, text_sealed_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(boss)
        .bind(new.interview.map(|i| i.get()))
        .bind(actor.user().get())
        .bind(held_on.format("%Y-%m-%d").to_string())
        .bind(sealed.get())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id = BossConsultationId::new(r.try_get("id")?);
        let mut detail = AuditDetail::none();
        if let Some(i) = new.interview {
            detail = detail.n(Key::Interview, i.get());
        }
        let ev = ctx.event(AuditAction::BossConsultationRecorded, AuditTarget::BossConsultation, id).detail(detail);
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One consultation with its text, for its author; anyone else is answered as if it did not
    /// exist (and the refusal is audited). The reading is audited before the text is opened.
    pub async fn boss_consultation(&self, me: &Acting<Consultant>, id: BossConsultationId) -> Result<BossConsultationDetail> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE c.id = $1 AND c.tenant_id = $2"))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some(permit) = policy::permit(&actor, Operation::RecordBossConsultations, facts(&r)?) else {
            return Err(self.refused(ctx, Operation::RecordBossConsultations, AuditTarget::BossConsultation, id).await);
        };
        let row = to_row(&r)?;
        let sealed = SealedId::new(r.try_get("text_sealed_id")?);
        let ev = ctx.event(AuditAction::BossConsultationRead, AuditTarget::BossConsultation, id);
        let mut texts = self.open_permitted(ctx, &permit, &[ev], &[sealed]).await?;
        let json = texts.remove(&sealed).ok_or(StoreError::NotFound)?;
        let text = serde_json::from_str(&json).map_err(|_| StoreError::Crypto("a boss consultation's text is damaged".into()))?;
        Ok(BossConsultationDetail { row, text })
    }

    /// One page of the acting consultant's own consultations (facts only, no text), with the
    /// total; the reading is audited.
    pub async fn boss_consultation_page(
        &self,
        me: &Acting<Consultant>,
        q: &BossConsultationQuery,
        page: PageRequest,
    ) -> Result<Paged<BossConsultationRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::RecordBossConsultations, Target::Route).is_allow() {
            return Err(StoreError::NotFound);
        }
        let like = q.search.as_deref().and_then(like_pattern);
        // The policy's rule as the prefilter: the author's own.
        let cond = "c.tenant_id = $1 AND c.consultant_id = $2 AND ($3 IS NULL OR c.employee_id = $3)
            AND ($4 IS NULL OR LOWER(e.name) LIKE $4 ESCAPE '!' OR LOWER(e.employee_number) LIKE $4 ESCAPE '!'
                 OR LOWER(COALESCE(e.name_kana, '')) LIKE $4 ESCAPE '!')";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(q.employee.map(|e| e.get()))
            .bind(like.as_deref())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE {cond} ORDER BY {} LIMIT $5 OFFSET $6", order_by(q.sort, q.dir)))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(q.employee.map(|e| e.get()))
            .bind(like.as_deref())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            if policy::decide(&actor, Operation::RecordBossConsultations, facts(r)?).is_allow() {
                items.push(to_row(r)?);
            }
        }
        let target = q.employee.map_or_else(|| "all".to_string(), |e| format!("employee:{e}"));
        let ev = ctx
            .event(AuditAction::BossConsultationRead, AuditTarget::BossConsultationList, target)
            .detail(AuditDetail::none().n(Key::Offset, page.offset()).n(Key::Count, items.len()));
        self.audit(ctx, ev).await?;
        Ok(Paged { total, items })
    }

    /// The acting consultant's interviews with the employee of this number (newest first, at most
    /// 50), to link a consultation to; empty for an employee out of reach.
    pub async fn boss_consultation_interviews(
        &self,
        me: &Acting<Consultant>,
        employee_number: &str,
    ) -> Result<Vec<(InterviewId, i64, InterviewKind)>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let rows = sqlx::query(
            "SELECT i.id, i.starts_at, i.kind FROM interviews i JOIN employees e ON e.id = i.employee_id
             WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND e.employee_number = $3 AND i.status <> $4
             ORDER BY i.starts_at DESC, i.id DESC LIMIT 50",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(employee_number.trim())
        .bind(InterviewStatus::Cancelled.as_str())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let kind = InterviewKind::parse(&kind).ok_or_else(|| StoreError::Config("unknown interview kind".into()))?;
                Ok((InterviewId::new(r.try_get("id")?), r.try_get("starts_at")?, kind))
            })
            .collect()
    }

    /// Seeds the demo's boss consultations: one per text, recorded by `consultant` a week after
    /// their latest held interviews with different employees who have a boss (never after
    /// today). Answers how many were written.
    pub async fn seed_boss_demo(&self, ctx: &crate::Ctx, consultant: UserId, texts: &[ConsultationText]) -> Result<usize> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT i.id, i.employee_id, i.starts_at FROM interviews i JOIN employees e ON e.id = i.employee_id
             WHERE i.tenant_id = $1 AND i.consultant_id = $2 AND i.status = $3 AND e.boss_id IS NOT NULL
             ORDER BY i.starts_at DESC, i.id DESC LIMIT 500",
        )
        .bind(ctx.tenant.get())
        .bind(consultant.get())
        .bind(InterviewStatus::Held.as_str())
        .fetch_all(&self.db.read)
        .await?;
        let today = crate::today_jst();
        let mut seen = std::collections::HashSet::new();
        let mut written = 0;
        for r in &rows {
            let Some(text) = texts.get(written) else { break };
            let employee: i64 = r.try_get("employee_id")?;
            if !seen.insert(employee) {
                continue;
            }
            let held = domain::time::jst_date(r.try_get("starts_at")?).unwrap_or(today) + chrono::Duration::days(7);
            self.seed_boss_consultation(ctx, consultant, InterviewId::new(r.try_get("id")?), held.min(today), text).await?;
            written += 1;
        }
        Ok(written)
    }

    /// Seeds a consultation for the demo: an operator's command writes it as recorded by
    /// `consultant` (sealed and audited like one typed in the page).
    pub async fn seed_boss_consultation(
        &self,
        ctx: &crate::Ctx,
        consultant: UserId,
        interview: InterviewId,
        held_on: NaiveDate,
        text: &ConsultationText,
    ) -> Result<BossConsultationId> {
        if !ctx.is_operator() {
            return Err(StoreError::NotFound);
        }
        let json = serde_json::to_string(text).map_err(|e| StoreError::Config(format!("boss consultation text: {e}")))?;
        let mut tx = self.db.write.begin().await?;
        let r = sqlx::query(
            "SELECT i.employee_id, e.boss_id FROM interviews i JOIN employees e ON e.id = i.employee_id
             WHERE i.id = $1 AND i.tenant_id = $2 AND i.consultant_id = $3",
        )
        .bind(interview.get())
        .bind(ctx.tenant.get())
        .bind(consultant.get())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let employee: i64 = r.try_get("employee_id")?;
        let boss: Option<i64> = r.try_get("boss_id")?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, PURPOSE, &json).await?;
        let r = sqlx::query(
            "INSERT INTO boss_consultations (tenant_id, employee_id, boss_employee_id, interview_id, consultant_id, held_on, text_sealed_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(employee)
        .bind(boss)
        .bind(interview.get())
        .bind(consultant.get())
        .bind(held_on.format("%Y-%m-%d").to_string())
        .bind(sealed.get())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        let id = BossConsultationId::new(r.try_get("id")?);
        let ev = ctx
            .event(AuditAction::BossConsultationRecorded, AuditTarget::BossConsultation, id)
            .detail(Fact::N(Key::Interview, interview.get()));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }
}
