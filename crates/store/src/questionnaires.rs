//! Questionnaires (アンケート, R7, R12, R13) and their answers. A definition is the tenant's
//! (not personal); an answer set is the employee's personal data: its answers and its score are
//! sealed, each record and read decided by `domain::policy` (the employee themself, the
//! consultant of their interviews) and audited, the read durable before anything is opened.

use crate::{now_ms, today_jst, Acting, Consultant, Ctx, Employee, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditEvent, AuditTarget, Fact, Key};
use domain::ids::{CycleId, EmployeeId, InterviewId, QuestionnaireId, QuestionnaireResponseId, SealedId, TenantId, UserId};
use domain::import::RowError;
use domain::policy::{self, Actor, AnswerFacts, Operation, Permit, Target};
use domain::questionnaire::import::ResponseRow;
use domain::questionnaire::{career_awareness, Questionnaire, QuestionnaireDraft, Scored, Timing};
use domain::{Invalid, Message};
use sqlx::{Any, Row, Transaction};
use std::collections::{HashMap, HashSet};

/// The purpose of a sealed answer set (`{"q01": 4, "q02": null, …}`).
pub(crate) const ANSWERS_PURPOSE: &str = "questionnaire_answers";
/// The purpose of a sealed score (the mean after reverse scoring, of a complete set).
pub(crate) const SCORE_PURPOSE: &str = "questionnaire_score";

/// A questionnaire of the tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionnaireRow {
    pub id: QuestionnaireId,
    pub questionnaire: Questionnaire,
}

/// Who entered an answer set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnteredBy {
    /// The employee, on their own page (わたしのアンケート).
    Employee,
    /// A consultant, from the employee's answers on paper.
    Consultant,
    /// An operator's import of a file.
    Import,
}

impl EnteredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EnteredBy::Employee => "employee",
            EnteredBy::Consultant => "consultant",
            EnteredBy::Import => "import",
        }
    }

    fn parse(s: &str) -> Result<EnteredBy> {
        [EnteredBy::Employee, EnteredBy::Consultant, EnteredBy::Import]
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| StoreError::Config(format!("unknown entered_by {s:?} in questionnaire_responses")))
    }
}

/// An answer set to record.
#[derive(Clone, Debug)]
pub struct NewAnswers<'a> {
    /// The questionnaire's code.
    pub questionnaire: &'a str,
    pub cycle: CycleId,
    pub interview: Option<InterviewId>,
    pub timing: Timing,
    pub answered_on: NaiveDate,
    /// `(item code, answer)`; `None` for an item left blank.
    pub answers: &'a [(String, Option<i64>)],
}

/// One answer set in a person's trajectory.
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryPoint {
    pub response: QuestionnaireResponseId,
    pub cycle: CycleId,
    pub cycle_name: String,
    pub interview: Option<InterviewId>,
    pub timing: Timing,
    pub answered_on: NaiveDate,
    pub entered_by: EnteredBy,
    pub answers: Vec<(String, Option<i64>)>,
    pub scored: Scored,
}

/// A person's answer sets to one questionnaire, oldest first (by cycle, then date, then timing).
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    pub employee: EmployeeId,
    pub questionnaire: Questionnaire,
    pub points: Vec<TrajectoryPoint>,
}

fn definition_json(q: &QuestionnaireDraft) -> Result<String> {
    serde_json::to_string(q).map_err(|e| StoreError::Config(format!("questionnaire definition: {e}")))
}

pub(crate) fn parse_definition(json: &str) -> Result<Questionnaire> {
    let draft: QuestionnaireDraft =
        serde_json::from_str(json).map_err(|e| StoreError::Config(format!("a stored questionnaire definition is unreadable: {e}")))?;
    Questionnaire::parse(draft)
        .map_err(|p| StoreError::Config(format!("a stored questionnaire definition is invalid ({} problems)", p.len())))
}

fn default_definition() -> Result<String> {
    let q = career_awareness::questionnaire().map_err(|_| StoreError::Config("the default questionnaire is invalid".into()))?;
    definition_json(q.as_draft())
}

impl Store {
    /// Gives every tenant that lacks it the product's questionnaire (`career-awareness`): run
    /// when the store opens; two servers opening at once both succeed.
    pub(crate) async fn ensure_default_questionnaires(&self) -> Result<()> {
        let json = default_definition()?;
        sqlx::query(
            "INSERT INTO questionnaires (tenant_id, code, definition, created_at, updated_at)
             SELECT t.id, $1, $2, $3, $3 FROM tenants t
             WHERE NOT EXISTS (SELECT 1 FROM questionnaires q WHERE q.tenant_id = t.id AND q.code = $1)
             ON CONFLICT (tenant_id, code) DO NOTHING",
        )
        .bind(career_awareness::CODE)
        .bind(&json)
        .bind(now_ms())
        .execute(&self.db.write)
        .await?;
        Ok(())
    }

    /// The default questionnaire of a tenant being created, inside its transaction.
    pub(crate) async fn default_questionnaire_in_tx(tx: &mut Transaction<'static, Any>, tenant: TenantId) -> Result<()> {
        sqlx::query("INSERT INTO questionnaires (tenant_id, code, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(tenant.get())
            .bind(career_awareness::CODE)
            .bind(default_definition()?)
            .bind(now_ms())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Whether the context may see the tenant's questionnaires (definitions only): HR and
    /// consultants, an employee who answers, an operator's command.
    fn may_list_questionnaires(ctx: &Ctx) -> Result<()> {
        let ops = [Operation::ListQuestionnaires, Operation::AnswerOwnQuestionnaires, Operation::RecordPaperAnswers];
        if ops.into_iter().any(|op| ctx.check(op).is_ok()) {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The tenant's questionnaires, by code.
    pub async fn questionnaires(&self, ctx: &Ctx) -> Result<Vec<QuestionnaireRow>> {
        Store::may_list_questionnaires(ctx)?;
        let rows = sqlx::query("SELECT id, definition FROM questionnaires WHERE tenant_id = $1 ORDER BY code")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(QuestionnaireRow {
                    id: QuestionnaireId::new(r.try_get("id")?),
                    questionnaire: parse_definition(&r.try_get::<String, _>("definition")?)?,
                })
            })
            .collect()
    }

    /// One questionnaire of the tenant by its code.
    pub async fn questionnaire(&self, ctx: &Ctx, code: &str) -> Result<QuestionnaireRow> {
        Store::may_list_questionnaires(ctx)?;
        self.questionnaire_row(ctx.tenant, code).await
    }

    async fn questionnaire_row(&self, tenant: TenantId, code: &str) -> Result<QuestionnaireRow> {
        let r = sqlx::query("SELECT id, definition FROM questionnaires WHERE tenant_id = $1 AND code = $2")
            .bind(tenant.get())
            .bind(code.trim())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(QuestionnaireRow {
            id: QuestionnaireId::new(r.try_get("id")?),
            questionnaire: parse_definition(&r.try_get::<String, _>("definition")?)?,
        })
    }

    /// A cycle of the tenant named by its id or its name (the command line's `--cycle`).
    pub async fn cycle_by_id_or_name(&self, tenant: TenantId, which: &str) -> Result<(CycleId, String)> {
        let which = which.trim();
        let by_id = which.parse::<i64>().ok();
        let r = sqlx::query(
            "SELECT id, name FROM cycles WHERE tenant_id = $1 AND (name = $2 OR id = $3) ORDER BY CASE WHEN name = $2 THEN 0 ELSE 1 END",
        )
        .bind(tenant.get())
        .bind(which)
        .bind(by_id.unwrap_or(-1))
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((CycleId::new(r.try_get("id")?), r.try_get("name")?))
    }

    /// What the policy needs about one employee's answers, for this actor.
    async fn answer_facts(&self, ctx: &Ctx, actor: &Actor, employee: EmployeeId) -> Result<AnswerFacts> {
        let exists = sqlx::query("SELECT id FROM employees WHERE id = $1 AND tenant_id = $2")
            .bind(employee.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let linked: Vec<UserId> = sqlx::query("SELECT id FROM users WHERE tenant_id = $1 AND employee_id = $2 ORDER BY id")
            .bind(ctx.tenant.get())
            .bind(employee.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("id").map(UserId::new))
            .collect::<std::result::Result<_, _>>()?;
        let employee_user = linked.iter().copied().find(|u| *u == actor.user()).or_else(|| linked.first().copied());
        let interviewed =
            sqlx::query("SELECT COUNT(*) AS n FROM interviews WHERE tenant_id = $1 AND employee_id = $2 AND consultant_id = $3")
                .bind(ctx.tenant.get())
                .bind(employee.get())
                .bind(actor.user().get())
                .fetch_one(&self.db.read)
                .await?
                .try_get::<i64, _>("n")?;
        Ok(AnswerFacts { tenant: ctx.tenant, employee_user, actor_interviewed: interviewed > 0 })
    }

    async fn permit_answers(&self, ctx: &Ctx, actor: &Actor, op: Operation, employee: EmployeeId) -> Result<Permit> {
        let facts = self.answer_facts(ctx, actor, employee).await?;
        match policy::permit(actor, op, Target::Answers(facts)) {
            Some(p) => Ok(p),
            None => Err(self.refused(ctx, op, AuditTarget::QuestionnaireAnswers, employee).await),
        }
    }

    /// The signed-in employee answers a questionnaire about themself (わたしのアンケート).
    pub async fn answer_own_questionnaire(&self, me: &Acting<Employee>, new: &NewAnswers<'_>) -> Result<QuestionnaireResponseId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let employee = self.employee_of_user(ctx.tenant, actor.user()).await?.ok_or(StoreError::NotFound)?;
        self.permit_answers(ctx, &actor, Operation::AnswerOwnQuestionnaires, employee).await?;
        self.record_answers(ctx, employee, new, EnteredBy::Employee, None).await
    }

    /// A consultant enters an interviewee's answers from paper: only the consultant of one of
    /// the employee's interviews; an attached interview must be theirs, with this employee.
    pub async fn record_paper_answers(
        &self,
        me: &Acting<Consultant>,
        employee: EmployeeId,
        new: &NewAnswers<'_>,
    ) -> Result<QuestionnaireResponseId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        self.permit_answers(ctx, &actor, Operation::RecordPaperAnswers, employee).await?;
        self.record_answers(ctx, employee, new, EnteredBy::Consultant, Some(actor.user())).await
    }

    /// Checks and records one answer set (after the policy allowed it), sealed, with its audit
    /// event, all in one transaction.
    async fn record_answers(
        &self,
        ctx: &Ctx,
        employee: EmployeeId,
        new: &NewAnswers<'_>,
        by: EnteredBy,
        consultant: Option<UserId>,
    ) -> Result<QuestionnaireResponseId> {
        let row = self.questionnaire_row(ctx.tenant, new.questionnaire).await?;
        let mut problems = Vec::new();
        let refs: Vec<(&str, Option<i64>)> = new.answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
        let scored = match row.questionnaire.score(&refs) {
            Ok(s) if s.answered == 0 => {
                problems.push(Invalid::new("answers", "少なくとも1つの設問に回答してください。", "answer at least one item"));
                None
            }
            Ok(s) => Some(s),
            Err(ps) => {
                problems.extend(ps.into_iter().map(|p| Invalid { field: "answers", message: p.message }));
                None
            }
        };
        if new.answered_on > today_jst() {
            problems.push(Invalid::new("answered_on", "回答日に未来の日付は指定できません。", "the answer date cannot be in the future"));
        }
        let cycle = sqlx::query("SELECT id FROM cycles WHERE id = $1 AND tenant_id = $2")
            .bind(new.cycle.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        if cycle.is_none() {
            problems.push(Invalid::new("cycle", "実施年度を選んでください。", "choose a cycle"));
        }
        if let Some(interview) = new.interview {
            let r = sqlx::query("SELECT consultant_id FROM interviews WHERE id = $1 AND tenant_id = $2 AND employee_id = $3")
                .bind(interview.get())
                .bind(ctx.tenant.get())
                .bind(employee.get())
                .fetch_optional(&self.db.read)
                .await?;
            let ok = match (r, consultant) {
                (None, _) => false,
                (Some(r), Some(c)) => r.try_get::<i64, _>("consultant_id")? == c.get(),
                (Some(_), None) => true,
            };
            if !ok {
                problems.push(Invalid::new(
                    "interview",
                    "この面談には回答を結びつけられません。",
                    "the answers cannot be attached to this interview",
                ));
            }
        }
        let Some(scored) = scored.filter(|_| problems.is_empty()) else { return Err(StoreError::problems(problems)) };
        let mut tx = self.db.write.begin().await?;
        hold_definition(&mut tx, ctx.tenant, &row).await?;
        let id = self.insert_response_in_tx(&mut tx, ctx, row.id, employee, new, &scored, by).await?;
        let event = response_event(ctx, id, new.timing, new.cycle, by);
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_response_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &Ctx,
        questionnaire: QuestionnaireId,
        employee: EmployeeId,
        new: &NewAnswers<'_>,
        scored: &Scored,
        by: EnteredBy,
    ) -> Result<QuestionnaireResponseId> {
        let answers: serde_json::Map<String, serde_json::Value> =
            new.answers.iter().map(|(c, v)| (c.trim().to_string(), v.map_or(serde_json::Value::Null, serde_json::Value::from))).collect();
        let answers = serde_json::to_string(&answers).map_err(|e| StoreError::Config(format!("answers: {e}")))?;
        let answers_id = self.seal_in_tx(tx, ctx.tenant, ANSWERS_PURPOSE, &answers).await?;
        let score_id = match scored.score {
            Some(s) => Some(self.seal_in_tx(tx, ctx.tenant, SCORE_PURPOSE, &format!("{s}")).await?.get()),
            None => None,
        };
        let r = sqlx::query(
            "INSERT INTO questionnaire_responses (tenant_id, questionnaire_id, employee_id, cycle_id, interview_id, timing, answered_on,
                entered_by, entered_by_user, answers_sealed_id, score_sealed_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(questionnaire.get())
        .bind(employee.get())
        .bind(new.cycle.get())
        .bind(new.interview.map(|i| i.get()))
        .bind(new.timing.as_str())
        .bind(new.answered_on.format("%Y-%m-%d").to_string())
        .bind(by.as_str())
        .bind(ctx.user.map(|u| u.get()))
        .bind(answers_id.get())
        .bind(score_id)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(QuestionnaireResponseId::new(r.try_get("id")?))
    }

    /// A person's answers to one questionnaire over the cycles: for the employee themself and
    /// the consultant of their interviews; anyone else gets "not found" (and the refusal is
    /// audited). The read is audited before anything is opened.
    pub async fn answer_trajectory(&self, ctx: &Ctx, employee: EmployeeId, questionnaire: &str) -> Result<Trajectory> {
        let actor = ctx.actor()?;
        let permit = self.permit_answers(ctx, &actor, Operation::ReadAnswers, employee).await?;
        self.trajectory_with(ctx, &permit, employee, questionnaire).await
    }

    /// The signed-in employee's own trajectory (わたしのアンケート). An account not linked to an
    /// employee has none.
    pub async fn own_answer_trajectory(&self, me: &Acting<Employee>, questionnaire: &str) -> Result<Trajectory> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let employee = self.employee_of_user(ctx.tenant, actor.user()).await?.ok_or(StoreError::NotFound)?;
        let permit = self.permit_answers(ctx, &actor, Operation::ReadAnswers, employee).await?;
        self.trajectory_with(ctx, &permit, employee, questionnaire).await
    }

    async fn trajectory_with(&self, ctx: &Ctx, permit: &Permit, employee: EmployeeId, code: &str) -> Result<Trajectory> {
        let q = self.questionnaire_row(ctx.tenant, code).await?;
        let rows = sqlx::query(
            "SELECT r.id, r.cycle_id, c.name AS cycle_name, c.starts_on, r.interview_id, r.timing, r.answered_on, r.entered_by, r.answers_sealed_id
             FROM questionnaire_responses r JOIN cycles c ON c.id = r.cycle_id
             WHERE r.tenant_id = $1 AND r.employee_id = $2 AND r.questionnaire_id = $3
             ORDER BY c.starts_on, r.answered_on, r.id",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(q.id.get())
        .fetch_all(&self.db.read)
        .await?;
        let event = ctx
            .event(AuditAction::QuestionnaireAnswersRead, AuditTarget::QuestionnaireAnswers, employee)
            .detail(AuditDetail::count(rows.len()));
        let sealed: Vec<SealedId> =
            rows.iter().map(|r| r.try_get::<i64, _>("answers_sealed_id").map(SealedId::new)).collect::<std::result::Result<_, _>>()?;
        let texts = if sealed.is_empty() {
            self.audit(ctx, event).await?;
            HashMap::new()
        } else {
            self.open_permitted(ctx, permit, &[event], &sealed).await?
        };
        let mut points = Vec::with_capacity(rows.len());
        for (r, id) in rows.iter().zip(&sealed) {
            let text = texts.get(id).ok_or(StoreError::NotFound)?;
            let answers = parse_answers(text, &q.questionnaire)?;
            let refs: Vec<(&str, Option<i64>)> = answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
            let scored =
                q.questionnaire.score(&refs).map_err(|_| StoreError::Config("stored answers no longer fit their questionnaire".into()))?;
            let timing: String = r.try_get("timing")?;
            let answered_on: String = r.try_get("answered_on")?;
            points.push(TrajectoryPoint {
                response: QuestionnaireResponseId::new(r.try_get("id")?),
                cycle: CycleId::new(r.try_get("cycle_id")?),
                cycle_name: r.try_get("cycle_name")?,
                interview: r.try_get::<Option<i64>, _>("interview_id")?.map(InterviewId::new),
                timing: Timing::parse(&timing).ok_or_else(|| StoreError::Config(format!("unknown timing {timing:?}")))?,
                answered_on: NaiveDate::parse_from_str(&answered_on, "%Y-%m-%d")
                    .map_err(|_| StoreError::Config(format!("bad answered_on {answered_on:?}")))?,
                entered_by: EnteredBy::parse(&r.try_get::<String, _>("entered_by")?)?,
                answers,
                scored,
            });
        }
        Ok(Trajectory { employee, questionnaire: q.questionnaire, points })
    }

    /// Imports answer sets read from a file (`careerdock import responses`), all or nothing:
    /// every row naming an unknown employee, or repeating an answer set already recorded, is
    /// reported with its line and column, and then nothing is written. An operator's command.
    pub async fn import_responses(&self, ctx: &Ctx, questionnaire: &str, cycle: CycleId, rows: &[ResponseRow]) -> Result<usize> {
        self.import_responses_with(ctx, questionnaire, cycle, rows, true).await
    }

    /// Every check of [`Store::import_responses`] against the database, writing nothing: the
    /// number of answer sets the file would record, or every bad row (the web upload's
    /// "check only", the command's `--dry-run`).
    pub async fn check_responses(&self, ctx: &Ctx, questionnaire: &str, cycle: CycleId, rows: &[ResponseRow]) -> Result<usize> {
        self.import_responses_with(ctx, questionnaire, cycle, rows, false).await
    }

    async fn import_responses_with(
        &self,
        ctx: &Ctx,
        questionnaire: &str,
        cycle: CycleId,
        rows: &[ResponseRow],
        write: bool,
    ) -> Result<usize> {
        ctx.check(Operation::ImportResponses)?;
        let q = self.questionnaire_row(ctx.tenant, questionnaire).await?;
        let known = sqlx::query("SELECT id FROM cycles WHERE id = $1 AND tenant_id = $2")
            .bind(cycle.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let numbers: HashMap<String, EmployeeId> = sqlx::query("SELECT id, employee_number FROM employees WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<String, _>("employee_number")?, EmployeeId::new(r.try_get("id")?))))
            .collect::<Result<_>>()?;
        let existing: HashSet<(i64, String, String)> = sqlx::query(
            "SELECT employee_id, timing, answered_on FROM questionnaire_responses WHERE tenant_id = $1 AND questionnaire_id = $2 AND cycle_id = $3",
        )
        .bind(ctx.tenant.get())
        .bind(q.id.get())
        .bind(cycle.get())
        .fetch_all(&self.db.read)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("employee_id")?, r.try_get("timing")?, r.try_get("answered_on")?)))
        .collect::<Result<_>>()?;
        let mut errors = Vec::new();
        let mut ready = Vec::with_capacity(rows.len());
        for row in rows {
            let number = row.employee_number.as_str();
            let Some(&employee) = numbers.get(number) else {
                errors.push(RowError {
                    line: row.line,
                    column: Some(row.number_column.clone()),
                    message: Message::new(
                        format!("社員番号「{number}」の従業員は登録されていません。"),
                        format!("no employee has the number \"{number}\""),
                    ),
                });
                continue;
            };
            let date = row.answered_on.format("%Y-%m-%d").to_string();
            if existing.contains(&(employee.get(), row.timing.as_str().to_string(), date.clone())) {
                errors.push(RowError {
                    line: row.line,
                    column: None,
                    message: Message::new(
                        format!("社員番号「{number}」の{date}の{}の回答はすでに記録されています。", row.timing.label(domain::Locale::Ja)),
                        format!("the {} answers of \"{number}\" on {date} are already recorded", row.timing.as_str()),
                    ),
                });
                continue;
            }
            let refs: Vec<(&str, Option<i64>)> = row.answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
            match q.questionnaire.score(&refs) {
                Ok(scored) => ready.push((row, employee, scored)),
                Err(problems) => {
                    errors.extend(problems.into_iter().map(|p| RowError { line: row.line, column: Some(p.item), message: p.message }))
                }
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Rows(errors));
        }
        if !write {
            return Ok(ready.len());
        }
        let mut tx = self.db.write.begin().await?;
        hold_definition(&mut tx, ctx.tenant, &q).await?;
        let mut events = Vec::with_capacity(ready.len());
        for (row, employee, scored) in &ready {
            let new = NewAnswers {
                questionnaire: q.questionnaire.code(),
                cycle,
                interview: None,
                timing: row.timing,
                answered_on: row.answered_on,
                answers: &row.answers,
            };
            let id = self.insert_response_in_tx(&mut tx, ctx, q.id, *employee, &new, scored, EnteredBy::Import).await?;
            events.push(response_event(ctx, id, row.timing, cycle, EnteredBy::Import));
        }
        Store::audit_in_tx(&mut tx, ctx, &events).await?;
        tx.commit().await?;
        Ok(ready.len())
    }
}

/// Holds the questionnaire's row for the rest of the transaction and checks that its definition
/// is still the one the answers were scored against. An edit (which updates the row, then counts
/// the answers, in its own transaction) therefore either finished before, and is seen here, or
/// waits for these answers and counts them: a structure never changes under answers recorded
/// at the same moment, on PostgreSQL as on SQLite.
async fn hold_definition(tx: &mut Transaction<'static, Any>, tenant: TenantId, row: &QuestionnaireRow) -> Result<()> {
    sqlx::query("UPDATE questionnaires SET updated_at = updated_at WHERE id = $1 AND tenant_id = $2")
        .bind(row.id.get())
        .bind(tenant.get())
        .execute(&mut **tx)
        .await?;
    let now = sqlx::query("SELECT definition FROM questionnaires WHERE id = $1 AND tenant_id = $2")
        .bind(row.id.get())
        .bind(tenant.get())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if parse_definition(&now.try_get::<String, _>("definition")?)? != row.questionnaire {
        return Err(StoreError::Conflict(Message::new(
            "アンケートの内容がたった今変更されました。画面を読み込み直してから、もう一度回答してください。",
            "The questionnaire was changed just now. Reload the page and answer again.",
        )));
    }
    Ok(())
}

fn response_event(ctx: &Ctx, id: QuestionnaireResponseId, timing: Timing, cycle: CycleId, by: EnteredBy) -> AuditEvent {
    ctx.event(AuditAction::QuestionnaireAnswered, AuditTarget::QuestionnaireResponse, id)
        .detail(AuditDetail::of(Fact::Name(Key::Kind, timing.as_str())).n(Key::Cycle, cycle.get()).and(Fact::Name(Key::Via, by.as_str())))
}

/// The sealed answers in the questionnaire's order of items (an item added since is blank).
fn parse_answers(text: &str, q: &Questionnaire) -> Result<Vec<(String, Option<i64>)>> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| StoreError::Config(format!("sealed answers are unreadable: {e}")))?;
    let mut out: Vec<(String, Option<i64>)> =
        q.items().iter().map(|i| (i.code.clone(), map.get(&i.code).and_then(serde_json::Value::as_i64))).collect();
    // An item since removed from the definition is kept, so that scoring names it.
    out.extend(map.iter().filter(|(k, _)| q.item(k).is_none()).map(|(k, v)| (k.clone(), v.as_i64())));
    Ok(out)
}
