//! HR defines and edits the tenant's questionnaires (R13). A definition is the tenant's, not
//! personal data. Each change is audited in its transaction (`questionnaire_defined`,
//! `questionnaire_edited`). Once a questionnaire has answers its structure is locked
//! (`domain::questionnaire::edit::locked_changes`): only texts and the order of items change, so
//! no answer already given changes meaning. The code never changes (the import and the API name
//! a questionnaire by it).

use crate::{now_ms, Ctx, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget};
use domain::ids::QuestionnaireId;
use domain::policy::Operation;
use domain::questionnaire::edit::{code_kept, locked_changes};
use domain::questionnaire::{DefinitionProblem, Place, Questionnaire, QuestionnaireDraft};
use domain::Message;
use sqlx::Row;

/// A questionnaire as HR manages it: the definition, how many answer sets it has (a
/// questionnaire with answers has its structure locked), when it last changed.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionnaireEntry {
    pub id: QuestionnaireId,
    pub questionnaire: Questionnaire,
    pub answer_sets: i64,
    pub updated_at: i64,
}

impl QuestionnaireEntry {
    /// Whether the structure is locked (answers exist).
    pub fn locked(&self) -> bool {
        self.answer_sets > 0
    }
}

/// Either done, or the definition's problems (each with its place), nothing written.
pub type Defined<T> = std::result::Result<T, Vec<DefinitionProblem>>;

fn to_json(q: &QuestionnaireDraft) -> Result<String> {
    serde_json::to_string(q).map_err(|e| StoreError::Config(format!("questionnaire definition: {e}")))
}

use crate::questionnaires::parse_definition as from_json;

const ENTRY_SQL: &str = "SELECT q.id, q.definition, q.updated_at,
        (SELECT COUNT(*) FROM questionnaire_responses r WHERE r.questionnaire_id = q.id) AS answer_sets
     FROM questionnaires q WHERE q.tenant_id = $1";

fn entry(r: &sqlx::any::AnyRow) -> Result<QuestionnaireEntry> {
    Ok(QuestionnaireEntry {
        id: QuestionnaireId::new(r.try_get("id")?),
        questionnaire: from_json(&r.try_get::<String, _>("definition")?)?,
        answer_sets: r.try_get("answer_sets")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// The tenant's questionnaires with their number of answer sets, by code: HR (and an
    /// operator's command). Anyone else: "not found".
    pub async fn questionnaire_entries(&self, ctx: &Ctx) -> Result<Vec<QuestionnaireEntry>> {
        ctx.check(Operation::ManageQuestionnaires)?;
        let rows = sqlx::query(&format!("{ENTRY_SQL} ORDER BY q.code")).bind(ctx.tenant.get()).fetch_all(&self.db.read).await?;
        rows.iter().map(entry).collect()
    }

    /// One questionnaire of the tenant, for HR to edit; another tenant's is "not found".
    pub async fn questionnaire_entry(&self, ctx: &Ctx, id: QuestionnaireId) -> Result<QuestionnaireEntry> {
        ctx.check(Operation::ManageQuestionnaires)?;
        let r = sqlx::query(&format!("{ENTRY_SQL} AND q.id = $2"))
            .bind(ctx.tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        entry(&r)
    }

    /// Adds a checked questionnaire to the tenant, audited in the same transaction. A code the
    /// tenant already uses is a problem of the definition (at `code`).
    pub async fn define_questionnaire(&self, ctx: &Ctx, q: &Questionnaire) -> Result<Defined<QuestionnaireId>> {
        ctx.check(Operation::ManageQuestionnaires)?;
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO questionnaires (tenant_id, code, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (tenant_id, code) DO NOTHING RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(q.code())
        .bind(to_json(q.as_draft())?)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(r) = inserted else {
            return Ok(Err(vec![DefinitionProblem {
                place: Place::Questionnaire { field: "code" },
                message: Message::new(
                    format!("コード「{}」のアンケートはすでにあります。別のコードにしてください。", q.code()),
                    format!("a questionnaire with the code \"{}\" already exists; choose another code", q.code()),
                ),
            }]));
        };
        let id = QuestionnaireId::new(r.try_get("id")?);
        let event =
            ctx.event(AuditAction::QuestionnaireDefined, AuditTarget::Questionnaire, id.get()).detail(AuditDetail::count(q.items().len()));
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Replaces a questionnaire's definition: its code is kept, and once it has answers only its
    /// texts and the order of its items may change (every refused change is returned with its
    /// place, nothing written). Audited in the same transaction.
    pub async fn edit_questionnaire(&self, ctx: &Ctx, id: QuestionnaireId, q: &Questionnaire) -> Result<Defined<()>> {
        ctx.check(Operation::ManageQuestionnaires)?;
        let mut tx = self.db.write.begin().await?;
        let old = sqlx::query("SELECT definition FROM questionnaires WHERE id = $1 AND tenant_id = $2")
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let old = from_json(&old.try_get::<String, _>("definition")?)?;
        // The update before the count: it holds the row while the answers are counted.
        let done = sqlx::query("UPDATE questionnaires SET definition = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4")
            .bind(to_json(q.as_draft())?)
            .bind(now_ms())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let answer_sets: i64 = sqlx::query("SELECT COUNT(*) AS n FROM questionnaire_responses WHERE questionnaire_id = $1")
            .bind(id.get())
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        let mut problems: Vec<DefinitionProblem> = code_kept(&old, q).into_iter().collect();
        if answer_sets > 0 {
            problems.extend(locked_changes(old.as_draft(), q.as_draft()));
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Ok(Err(problems));
        }
        let event =
            ctx.event(AuditAction::QuestionnaireEdited, AuditTarget::Questionnaire, id.get()).detail(AuditDetail::count(q.items().len()));
        Store::audit_in_tx(&mut tx, ctx, &[event]).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}
