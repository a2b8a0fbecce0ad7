//! The effect report (効果把握, R7, R12): group statistics of a questionnaire's scores between
//! `pre` and `post` in one cycle, for HR and executives (`domain::policy`,
//! `Operation::ReadEffectReport`) and the operator's command line. The scores are sealed; they
//! are opened here through the audited gate (one `effect_report_read` event for the whole read,
//! durable before anything is opened), handed to `domain::effect_report::build` (pairing, the
//! anonymity engine, the statistics) and never returned one by one: the caller gets the report,
//! whose shown cells all passed the engine.

use crate::{today_jst, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::breakdown::Department;
use domain::effect_report::{self, EffectHeading, EffectReport, PairedPerson, QuestionnaireRef};
use domain::ids::{CycleId, SealedId};
use domain::overall_report::{CycleRef, Dimension};
use domain::policy::{self, Operation, Permit, Target};
use domain::questionnaire::{DatedScore, Timing};
use sqlx::Row;
use std::collections::HashMap;

/// What the page's selectors offer: the tenant's cycles (newest first) and questionnaires
/// (code, Japanese title, English title).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectChoices {
    pub cycles: Vec<(i64, String)>,
    pub questionnaires: Vec<(String, String, String)>,
}

impl Store {
    /// The permit to read the effect report: HR or an executive, or an operator's command.
    /// Anyone else is refused (audited) and answered "not found".
    async fn effect_permit(&self, ctx: &Ctx, cycle: CycleId) -> Result<Permit> {
        let permit = match ctx.policy_actor() {
            Some(actor) => policy::permit(&actor, Operation::ReadEffectReport, Target::InTenant(ctx.tenant)),
            None if ctx.is_operator() => policy::operator_permit(ctx.tenant, Operation::ReadEffectReport),
            None => None,
        };
        match permit {
            Some(p) => Ok(p),
            None => Err(self.refused(ctx, Operation::ReadEffectReport, AuditTarget::Cycle, cycle.get()).await),
        }
    }

    /// The cycles and questionnaires the page offers (no answer is read).
    pub async fn effect_report_choices(&self, ctx: &Ctx) -> Result<EffectChoices> {
        let allowed = match ctx.policy_actor() {
            Some(actor) => policy::decide(&actor, Operation::ReadEffectReport, Target::InTenant(ctx.tenant)).is_allow(),
            None => false,
        };
        if !allowed {
            return Err(StoreError::NotFound);
        }
        let cycles = sqlx::query("SELECT id, name FROM cycles WHERE tenant_id = $1 ORDER BY starts_on DESC, id DESC")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query("SELECT code, definition FROM questionnaires WHERE tenant_id = $1 ORDER BY code")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut questionnaires = Vec::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get("code")?;
            let draft: domain::questionnaire::QuestionnaireDraft = serde_json::from_str(&r.try_get::<String, _>("definition")?)
                .map_err(|e| StoreError::Config(format!("a stored questionnaire definition is unreadable: {e}")))?;
            let title = draft.title.clone();
            questionnaires.push((code, title.ja.clone(), if title.en.trim().is_empty() { title.ja } else { title.en }));
        }
        Ok(EffectChoices { cycles, questionnaires })
    }

    /// The effect report of one questionnaire in one cycle of the context's tenant, with the
    /// one-way tables `by` chooses (none: all four). A cycle or questionnaire of another
    /// tenant, or unknown, is "not found".
    pub async fn effect_report(&self, ctx: &Ctx, cycle: CycleId, questionnaire: &str, by: &[Dimension]) -> Result<EffectReport> {
        let permit = self.effect_permit(ctx, cycle).await?;
        let cycle_row = sqlx::query("SELECT id, name FROM cycles WHERE id = $1 AND tenant_id = $2")
            .bind(cycle.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let cycle_ref = CycleRef { id: cycle_row.try_get("id")?, name: cycle_row.try_get("name")? };
        let q = sqlx::query("SELECT id, definition FROM questionnaires WHERE tenant_id = $1 AND code = $2")
            .bind(ctx.tenant.get())
            .bind(questionnaire.trim())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let q_id: i64 = q.try_get("id")?;
        let draft: domain::questionnaire::QuestionnaireDraft = serde_json::from_str(&q.try_get::<String, _>("definition")?)
            .map_err(|e| StoreError::Config(format!("a stored questionnaire definition is unreadable: {e}")))?;
        let rows = sqlx::query(
            "SELECT employee_id, timing, answered_on, score_sealed_id FROM questionnaire_responses
             WHERE tenant_id = $1 AND questionnaire_id = $2 AND cycle_id = $3 AND timing IN ('pre', 'post')
             ORDER BY employee_id, answered_on, id",
        )
        .bind(ctx.tenant.get())
        .bind(q_id)
        .bind(cycle.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut dated: Vec<(i64, Timing, chrono::NaiveDate, Option<SealedId>)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let timing: String = r.try_get("timing")?;
            let answered_on: String = r.try_get("answered_on")?;
            dated.push((
                r.try_get("employee_id")?,
                Timing::parse(&timing).ok_or_else(|| StoreError::Config(format!("unknown timing {timing:?}")))?,
                chrono::NaiveDate::parse_from_str(&answered_on, "%Y-%m-%d")
                    .map_err(|_| StoreError::Config(format!("bad answered_on {answered_on:?}")))?,
                r.try_get::<Option<i64>, _>("score_sealed_id")?.map(SealedId::new),
            ));
        }
        let sealed: Vec<SealedId> = dated.iter().filter_map(|d| d.3).collect();
        let event = ctx
            .event(AuditAction::EffectReportRead, AuditTarget::Cycle, cycle.get())
            .detail(AuditDetail::count(sealed.len()).n(Key::Cycle, cycle.get()));
        // One audit event for the aggregate read, durable before anything is opened.
        let texts = if sealed.is_empty() {
            self.audit(ctx, event).await?;
            HashMap::new()
        } else {
            self.open_permitted(ctx, &permit, &[event], &sealed).await?
        };
        let mut answers: Vec<(i64, DatedScore)> = Vec::with_capacity(dated.len());
        for (employee, timing, answered_on, id) in dated {
            let score = match id {
                Some(id) => {
                    let text = texts.get(&id).ok_or(StoreError::NotFound)?;
                    Some(text.trim().parse::<f64>().map_err(|_| StoreError::Config("a sealed score is unreadable".into()))?)
                }
                None => None,
            };
            answers.push((employee, DatedScore { timing, answered_on, score }));
        }
        drop(texts);
        let pairs = effect_report::complete_pairs(&answers);
        drop(answers);
        let mut people = Vec::with_capacity(pairs.len());
        if !pairs.is_empty() {
            // Only the people with a `post` answer can be in a pair: at 100,000 employees the
            // whole register would cost most of the report's time in row transfer.
            let rows = sqlx::query(
                "SELECT id, department_id, birth_year, hire_date, grade FROM employees
                 WHERE tenant_id = $1 AND id IN (SELECT employee_id FROM questionnaire_responses
                     WHERE tenant_id = $1 AND questionnaire_id = $2 AND cycle_id = $3 AND timing = 'post')
                 ORDER BY id",
            )
            .bind(ctx.tenant.get())
            .bind(q_id)
            .bind(cycle.get())
            .fetch_all(&self.db.read)
            .await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let Some((pre, post)) = pairs.get(&id) else { continue };
                let hire: Option<String> = r.try_get("hire_date")?;
                people.push(PairedPerson {
                    employee: id,
                    department: r.try_get("department_id")?,
                    birth_year: r.try_get::<Option<i64>, _>("birth_year")?.and_then(|y| i32::try_from(y).ok()),
                    hire_date: hire.and_then(|h| chrono::NaiveDate::parse_from_str(h.get(..10).unwrap_or(&h), "%Y-%m-%d").ok()),
                    grade: r.try_get("grade")?,
                    pre: *pre,
                    post: *post,
                });
            }
        }
        let departments = sqlx::query("SELECT id, parent_id, path FROM departments WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok(Department { id: r.try_get("id")?, parent: r.try_get("parent_id")?, path: r.try_get("path")? }))
            .collect::<Result<Vec<_>>>()?;
        let k = self.cycle_k(ctx.tenant, cycle.get()).await?;
        let slug: String =
            sqlx::query("SELECT slug FROM tenants WHERE id = $1").bind(ctx.tenant.get()).fetch_one(&self.db.read).await?.try_get("slug")?;
        let title = draft.title.clone();
        let head = EffectHeading {
            tenant: slug,
            cycle: cycle_ref,
            questionnaire: QuestionnaireRef {
                code: draft.code.clone(),
                title_en: if title.en.trim().is_empty() { title.ja.clone() } else { title.en },
                title: title.ja,
                scale_min: draft.scale.min,
                scale_max: draft.scale.max,
            },
            k,
        };
        let by = by.to_vec();
        let reference = today_jst();
        // The engine and the statistics are CPU work: off the async workers.
        tokio::task::spawn_blocking(move || effect_report::build(head, &people, &departments, reference, &by))
            .await
            .map_err(|e| StoreError::Config(format!("the effect report stopped: {e}")))
    }
}
