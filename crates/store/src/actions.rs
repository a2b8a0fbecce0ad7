//! Improvement actions (改善施策, R10): HR's actions about an organizational issue, with their
//! owner, due date, status, dated progress notes, evidence and the evaluation after the fact;
//! an issue HR takes up from a finding of a released overall report (a measure and a group
//! shown in it), and that finding's figure beside the same measure and group in the next
//! cycle's released report (read through the released snapshots: protection is the engine's).
//!
//! The text of an action is HR's own organizational text, naming nobody: kept in clear. Who
//! reads what is `domain::policy` (`action_view`): HR everything, executives the status fields,
//! the consultant who raised the issue the status fields of its actions. Every write is audited
//! (`action_changed`); a record the reader may not see answers as missing.

use crate::org_issues::OrgIssueId;
use crate::overall_reports::OverallReportId;
use crate::paging::{Direction, PageRequest, Paged};
use crate::{now_ms, today_jst, Acting, Ctx, Hr, Result, Store, StoreError};
use chrono::NaiveDate;
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::ids::{CycleId, TenantId, UserId};
use domain::important_case::{check_org_issue, issue_mask_labels, IssueStatus};
use domain::improvement_action::{self as rules, ActionStatus, Evaluation};
use domain::overall_report::{self as contract, Cell, CycleRef, Dimension, Dimensions, Take};
use domain::policy::{self, action_view, ActionFacts, ActionView, AggregateState, Operation, OrgIssueFacts, Target};
use domain::Role;
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt;

/// An action's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(i64);

impl ActionId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A progress note (進捗メモ).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionNote {
    pub noted_on: NaiveDate,
    pub body: String,
    /// The status the action moved to with this note, if it did.
    pub status_to: Option<ActionStatus>,
    pub author: String,
}

/// An action as a list shows it. With [`ActionView::Status`] the owner, the latest note and the
/// evaluation are left empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionRow {
    pub id: ActionId,
    pub issue_id: OrgIssueId,
    pub title: String,
    /// The HR account's name, or the department or person as typed.
    pub owner: String,
    pub owner_user: Option<UserId>,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub overdue: bool,
    pub evaluation: Option<Evaluation>,
    pub latest_note: Option<ActionNote>,
    pub updated_at: i64,
    pub view: ActionView,
}

/// The figure of a finding in one released version.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingFigure {
    pub report_id: OverallReportId,
    pub cycle: CycleRef,
    pub version: i64,
    pub k: u32,
    pub dimensions: Dimensions,
    /// The cell as released (suppressed or shown); `None` when the version has no such cell
    /// (the group does not exist in it).
    pub cell: Option<Cell>,
}

/// A finding of a released overall report an issue was taken up from, with its figure where it
/// was found and in the next cycle's latest released version (re-measurement).
#[derive(Clone, Debug, PartialEq)]
pub struct FindingCompare {
    pub measure: String,
    pub group: BTreeMap<Dimension, String>,
    pub found: FindingFigure,
    pub next: Option<FindingFigure>,
}

/// One action whole (HR).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDetail {
    pub row: ActionRow,
    pub notes: Vec<ActionNote>,
    pub evidence: String,
    pub evaluation_comment: String,
    pub evaluated_on: Option<NaiveDate>,
    pub evaluated_by: Option<String>,
    pub finding: Option<FindingCompare>,
}

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionSort {
    Due,
    Updated,
    Status,
}

impl ActionSort {
    fn sql(self) -> &'static str {
        match self {
            ActionSort::Due => "a.due_on",
            ActionSort::Updated => "a.updated_at",
            ActionSort::Status => "CASE a.status WHEN 'planned' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'done' THEN 2 ELSE 3 END",
        }
    }
}

/// The list's filter and order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionQuery {
    pub status: Option<ActionStatus>,
    /// Only the overdue ones (due date passed, neither done nor cancelled).
    pub overdue: bool,
    pub sort: ActionSort,
    pub dir: Direction,
}

impl Default for ActionQuery {
    fn default() -> Self {
        ActionQuery { status: None, overdue: false, sort: ActionSort::Due, dir: Direction::Asc }
    }
}

/// The actions by status, for the homes (counted in SQL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub planned: i64,
    pub in_progress: i64,
    pub done: i64,
    pub cancelled: i64,
    pub overdue: i64,
    pub evaluated: i64,
}

/// A cycle's action completion (the yearly review's figure, [`Store::action_completion`]): the
/// same counts, of the actions due within the cycle.
pub type ActionCompletion = ActionCounts;

impl ActionCounts {
    /// Planned or in progress.
    pub fn open(&self) -> i64 {
        self.planned + self.in_progress
    }

    pub fn total(&self) -> i64 {
        self.planned + self.in_progress + self.done + self.cancelled
    }
}

/// What a new action holds, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub title: String,
    /// An HR account of the tenant, or none.
    pub owner_user: Option<UserId>,
    /// A department or person, when no account is chosen.
    pub owner_text: String,
    pub due_on: String,
}

/// A shown cell of a released version HR may take up as an issue.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingChoice {
    pub measure: String,
    pub group: BTreeMap<Dimension, String>,
    pub n: Option<u64>,
    pub value: Option<f64>,
}

/// A released version's tables and, of the one chosen, its shown cells (at most
/// [`FINDING_CHOICES_MAX`], departments at the top level).
#[derive(Clone, Debug, PartialEq)]
pub struct FindingChoices {
    pub report_id: OverallReportId,
    pub cycle: CycleRef,
    pub version: i64,
    pub dimensions: Dimensions,
    /// Each table's breakdown (the whole population first).
    pub tables: Vec<Vec<Dimension>>,
    pub by: Vec<Dimension>,
    pub cells: Vec<FindingChoice>,
}

/// The most cells the picker offers at once.
pub const FINDING_CHOICES_MAX: usize = 400;

const ROW_SELECT: &str = "SELECT a.id, a.org_issue_id, a.title, a.owner_user_id, a.owner_text, a.due_on, a.status, a.evidence,
        a.evaluation, a.evaluation_comment, a.evaluated_on, a.updated_at, o.author_id AS issue_author,
        u.display_name AS owner_name, e.display_name AS evaluator
    FROM improvement_actions a
    JOIN org_issues o ON o.id = a.org_issue_id AND o.tenant_id = a.tenant_id
    LEFT JOIN users u ON u.id = a.owner_user_id
    LEFT JOIN users e ON e.id = a.evaluated_by";

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| StoreError::Config(format!("bad date {s} in improvement_actions")))
}

struct Loaded {
    row: ActionRow,
    author: UserId,
    evidence: String,
    evaluation_comment: String,
    evaluated_on: Option<NaiveDate>,
    evaluated_by: Option<String>,
}

fn loaded(r: &sqlx::any::AnyRow, today: NaiveDate) -> Result<Loaded> {
    let status: String = r.try_get("status")?;
    let status = ActionStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown action status {status}")))?;
    let due_on = day(&r.try_get::<String, _>("due_on")?)?;
    let owner_name: Option<String> = r.try_get("owner_name")?;
    let owner_text: String = r.try_get("owner_text")?;
    let evaluation: Option<String> = r.try_get("evaluation")?;
    let evaluated_on: Option<String> = r.try_get("evaluated_on")?;
    Ok(Loaded {
        row: ActionRow {
            id: ActionId::new(r.try_get("id")?),
            issue_id: OrgIssueId::new(r.try_get("org_issue_id")?),
            title: r.try_get("title")?,
            owner: owner_name.unwrap_or(owner_text),
            owner_user: r.try_get::<Option<i64>, _>("owner_user_id")?.map(UserId::new),
            due_on,
            status,
            overdue: rules::is_overdue(due_on, status, today),
            evaluation: evaluation.as_deref().and_then(Evaluation::parse),
            latest_note: None,
            updated_at: r.try_get("updated_at")?,
            view: ActionView::Full,
        },
        author: UserId::new(r.try_get("issue_author")?),
        evidence: r.try_get("evidence")?,
        evaluation_comment: r.try_get("evaluation_comment")?,
        evaluated_on: evaluated_on.as_deref().map(day).transpose()?,
        evaluated_by: r.try_get("evaluator")?,
    })
}

/// Leaves only what the view shows.
fn restrict(mut row: ActionRow, view: ActionView) -> ActionRow {
    row.view = view;
    if view == ActionView::Status {
        row.owner = String::new();
        row.owner_user = None;
        row.evaluation = None;
        row.latest_note = None;
    }
    row
}

fn conflict() -> StoreError {
    StoreError::Conflict(domain::Message::new(
        "この改善施策は他の方が先に更新しました。最新の内容をご確認ください。",
        "Someone else updated this improvement action meanwhile. Check the latest state.",
    ))
}

fn same_group(a: &BTreeMap<Dimension, String>, b: &BTreeMap<Dimension, String>) -> bool {
    a == b
}

impl Store {
    /// The tenant's HR accounts (an action's owner may be one): id and name.
    pub async fn hr_accounts(&self, me: &Acting<Hr>) -> Result<Vec<(UserId, String)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id
             WHERE u.tenant_id = $1 AND r.role = $2 ORDER BY u.display_name, u.id",
        )
        .bind(me.ctx().tenant.get())
        .bind(Role::Hr.as_str())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter().map(|r| Ok((UserId::new(r.try_get("id")?), r.try_get("display_name")?))).collect()
    }

    async fn issue_author(&self, ctx: &Ctx, issue: OrgIssueId) -> Result<UserId> {
        let r = sqlx::query("SELECT author_id FROM org_issues WHERE id = $1 AND tenant_id = $2")
            .bind(issue.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(UserId::new(r.try_get("author_id")?))
    }

    /// HR adds an action to an issue of the register: every problem at once; the owner an HR
    /// account of the tenant or a name as text. Audited.
    pub async fn create_action(&self, me: &Acting<Hr>, issue: OrgIssueId, input: &ActionInput) -> Result<ActionId> {
        let ctx = me.ctx();
        let actor = me.actor();
        let author = self.issue_author(ctx, issue).await?;
        let issue_ok = policy::decide(&actor, Operation::ViewOrgIssues, Target::OrgIssue(OrgIssueFacts { tenant: ctx.tenant, author }));
        let facts = ActionFacts { tenant: ctx.tenant, issue_author: author };
        if !issue_ok.is_allow() || !policy::decide(&actor, Operation::ManageActions, Target::Action(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ManageActions, AuditTarget::OrgIssue, issue).await);
        }
        let mut checked = rules::check_new_action(&input.title, &input.owner_text, input.owner_user.is_some(), &input.due_on);
        if let Some(u) = input.owner_user {
            if !self.hr_accounts(me).await?.iter().any(|(id, _)| *id == u) {
                let p = domain::Invalid::new("owner_user", "担当者を一覧から選んでください。", "Choose the owner from the list");
                checked = match checked {
                    Ok(_) => Err(vec![p]),
                    Err(mut all) => {
                        all.push(p);
                        Err(all)
                    }
                };
            }
        }
        let a = checked.map_err(StoreError::problems)?;
        let owner_text = if input.owner_user.is_some() { String::new() } else { a.owner.clone() };
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO improvement_actions (tenant_id, org_issue_id, title, owner_user_id, owner_text, due_on, status, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(issue.get())
        .bind(&a.title)
        .bind(input.owner_user.map(|u| u.get()))
        .bind(&owner_text)
        .bind(a.due_on.format("%Y-%m-%d").to_string())
        .bind(ActionStatus::Planned.as_str())
        .bind(actor.user().get())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let detail = AuditDetail::of(Fact::Name(Key::Step, "created"))
            .and(Fact::Name(Key::Status, ActionStatus::Planned.as_str()))
            .n(Key::Request, issue.get());
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ActionChanged, AuditTarget::Action, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(ActionId::new(id))
    }

    /// The actions as the acting role reaches them (HR whole, executives their status; anyone
    /// else nothing), filtered and paged in SQL.
    pub async fn action_page(&self, ctx: &Ctx, q: &ActionQuery, page: PageRequest) -> Result<Paged<ActionRow>> {
        let actor = ctx.actor()?;
        if !matches!(actor.role(), Role::Hr | Role::Executive) {
            return Ok(Paged { total: 0, items: Vec::new() });
        }
        let today = today_jst();
        let cond =
            "a.tenant_id = $1 AND ($2 = '' OR a.status = $2) AND ($3 = 0 OR (a.due_on < $4 AND a.status IN ('planned', 'in_progress')))";
        let status = q.status.map(ActionStatus::as_str).unwrap_or("");
        let today_s = today.format("%Y-%m-%d").to_string();
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM improvement_actions a WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(status)
            .bind(i64::from(q.overdue))
            .bind(&today_s)
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let dir = q.dir.sql();
        let rows = sqlx::query(&format!("{ROW_SELECT} WHERE {cond} ORDER BY {} {dir}, a.id {dir} LIMIT $5 OFFSET $6", q.sort.sql()))
            .bind(ctx.tenant.get())
            .bind(status)
            .bind(i64::from(q.overdue))
            .bind(&today_s)
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let l = loaded(r, today)?;
            if let Some(view) = action_view(&actor, ActionFacts { tenant: ctx.tenant, issue_author: l.author }) {
                items.push(l.row_with(view));
            }
        }
        if items.iter().any(|r| r.view == ActionView::Full) {
            let notes = self.latest_notes(ctx, &items.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
            for r in items.iter_mut().filter(|r| r.view == ActionView::Full) {
                r.latest_note = notes.get(&r.id).cloned();
            }
        }
        Ok(Paged { total, items })
    }

    async fn latest_notes(&self, ctx: &Ctx, ids: &[ActionId]) -> Result<BTreeMap<ActionId, ActionNote>> {
        let mut out = BTreeMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = ids.iter().map(|i| i.get().to_string()).collect::<Vec<_>>().join(",");
        let rows = sqlx::query(&format!(
            "SELECT n.action_id, n.noted_on, n.body, n.status_to, u.display_name FROM improvement_action_notes n
             JOIN users u ON u.id = n.author_id
             WHERE n.tenant_id = $1 AND n.action_id IN ({list}) ORDER BY n.noted_on, n.id"
        ))
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        for r in &rows {
            out.insert(ActionId::new(r.try_get("action_id")?), note(r)?);
        }
        Ok(out)
    }

    /// The actions of one issue the reader reaches (HR whole; the consultant who raised it the
    /// status fields), oldest first. An issue the reader may not see has none.
    pub async fn actions_of_issue(&self, ctx: &Ctx, issue: OrgIssueId) -> Result<Vec<ActionRow>> {
        let actor = ctx.actor()?;
        let today = today_jst();
        let rows = sqlx::query(&format!("{ROW_SELECT} WHERE a.tenant_id = $1 AND a.org_issue_id = $2 ORDER BY a.due_on, a.id"))
            .bind(ctx.tenant.get())
            .bind(issue.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut items = Vec::new();
        for r in &rows {
            let l = loaded(r, today)?;
            if let Some(view) = action_view(&actor, ActionFacts { tenant: ctx.tenant, issue_author: l.author }) {
                items.push(l.row_with(view));
            }
        }
        Ok(items)
    }

    async fn loaded_action(&self, ctx: &Ctx, id: ActionId) -> Result<Loaded> {
        let r = sqlx::query(&format!("{ROW_SELECT} WHERE a.id = $1 AND a.tenant_id = $2"))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        loaded(&r, today_jst())
    }

    /// One action whole, for HR (with its notes and, for an issue taken up from a finding, the
    /// finding's figure where it was found and in the next cycle's release). Anyone else: not found.
    pub async fn action(&self, ctx: &Ctx, id: ActionId) -> Result<ActionDetail> {
        let actor = ctx.actor()?;
        let l = self.loaded_action(ctx, id).await?;
        let facts = ActionFacts { tenant: ctx.tenant, issue_author: l.author };
        if action_view(&actor, facts) != Some(ActionView::Full) {
            return Err(self.refused(ctx, Operation::ManageActions, AuditTarget::Action, id).await);
        }
        let rows = sqlx::query(
            "SELECT n.action_id, n.noted_on, n.body, n.status_to, u.display_name FROM improvement_action_notes n
             JOIN users u ON u.id = n.author_id WHERE n.tenant_id = $1 AND n.action_id = $2 ORDER BY n.noted_on DESC, n.id DESC",
        )
        .bind(ctx.tenant.get())
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        let notes = rows.iter().map(note).collect::<Result<Vec<_>>>()?;
        let finding = self.finding_compare(ctx, l.row.issue_id).await?;
        let mut row = l.row;
        row.latest_note = notes.first().cloned();
        Ok(ActionDetail {
            row,
            notes,
            evidence: l.evidence,
            evaluation_comment: l.evaluation_comment,
            evaluated_on: l.evaluated_on,
            evaluated_by: l.evaluated_by,
            finding,
        })
    }

    /// The action for a write by HR, or "not found" (audited refusal).
    async fn for_write(&self, me: &Acting<Hr>, id: ActionId) -> Result<Loaded> {
        let ctx = me.ctx();
        let l = self.loaded_action(ctx, id).await?;
        let facts = ActionFacts { tenant: ctx.tenant, issue_author: l.author };
        if !policy::decide(&me.actor(), Operation::ManageActions, Target::Action(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ManageActions, AuditTarget::Action, id).await);
        }
        Ok(l)
    }

    /// HR moves an action's status (the state machine of `domain::improvement_action`), with an
    /// optional progress note dated today. The same status again writes nothing.
    pub async fn set_action_status(&self, me: &Acting<Hr>, id: ActionId, to: ActionStatus, note: &str) -> Result<bool> {
        let ctx = me.ctx();
        let l = self.for_write(me, id).await?;
        let from = l.row.status;
        if from == to {
            return Ok(false);
        }
        if !from.can_move_to(to) {
            return Err(StoreError::problems(vec![domain::Invalid::new(
                "status",
                "この状況には変更できません。",
                "The action cannot move to this status",
            )]));
        }
        let note = domain::improvement_action::ACTION_NOTE.check(note).map_err(|e| StoreError::problems(vec![e]))?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let done =
            sqlx::query("UPDATE improvement_actions SET status = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4 AND status = $5")
                .bind(to.as_str())
                .bind(now)
                .bind(id.get())
                .bind(ctx.tenant.get())
                .bind(from.as_str())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(conflict());
        }
        if !note.is_empty() {
            insert_note(&mut tx, ctx, me.actor().user(), id, today_jst(), &note, Some(to), now).await?;
        }
        let detail = AuditDetail::of(Fact::Name(Key::Step, "status")).and(Fact::Transition { from: from.as_str(), to: to.as_str() });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ActionChanged, AuditTarget::Action, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// HR adds a dated progress note.
    pub async fn add_action_note(&self, me: &Acting<Hr>, id: ActionId, body: &str, noted_on: &str) -> Result<()> {
        let ctx = me.ctx();
        self.for_write(me, id).await?;
        let (body, on) = rules::check_note(body, noted_on, today_jst()).map_err(StoreError::problems)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        insert_note(&mut tx, ctx, me.actor().user(), id, on, &body, None, now).await?;
        sqlx::query("UPDATE improvement_actions SET updated_at = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let detail = AuditDetail::of(Fact::Name(Key::Step, "note"));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ActionChanged, AuditTarget::Action, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// HR records the evidence (text and links, one a line). The same text again writes nothing.
    pub async fn set_action_evidence(&self, me: &Acting<Hr>, id: ActionId, evidence: &str) -> Result<bool> {
        let ctx = me.ctx();
        let l = self.for_write(me, id).await?;
        let evidence = rules::check_evidence(evidence).map_err(StoreError::problems)?;
        if evidence == l.evidence {
            return Ok(false);
        }
        let mut tx = self.db.write.begin().await?;
        sqlx::query("UPDATE improvement_actions SET evidence = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4")
            .bind(&evidence)
            .bind(now_ms())
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let detail = AuditDetail::of(Fact::Name(Key::Step, "evidence"));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ActionChanged, AuditTarget::Action, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// HR evaluates a done action after the fact (a later evaluation replaces the earlier one).
    pub async fn evaluate_action(&self, me: &Acting<Hr>, id: ActionId, result: &str, comment: &str) -> Result<()> {
        let ctx = me.ctx();
        let l = self.for_write(me, id).await?;
        let (evaluation, comment) = rules::check_evaluation(l.row.status, result, comment).map_err(StoreError::problems)?;
        let mut tx = self.db.write.begin().await?;
        sqlx::query(
            "UPDATE improvement_actions SET evaluation = $1, evaluation_comment = $2, evaluated_on = $3, evaluated_by = $4, updated_at = $5
             WHERE id = $6 AND tenant_id = $7",
        )
        .bind(evaluation.as_str())
        .bind(&comment)
        .bind(today_jst().format("%Y-%m-%d").to_string())
        .bind(me.actor().user().get())
        .bind(now_ms())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .execute(&mut *tx)
        .await?;
        let detail = AuditDetail::of(Fact::Name(Key::Step, "evaluation")).and(Fact::Name(Key::Status, evaluation.as_str()));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ActionChanged, AuditTarget::Action, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actions by status and the overdue ones, for HR's and executives' homes (counted in
    /// SQL); nothing for anyone else.
    pub async fn action_counts(&self, ctx: &Ctx) -> Result<ActionCounts> {
        let actor = ctx.actor()?;
        if !policy::decide(&actor, Operation::ReadActionStatus, Target::InTenant(ctx.tenant)).is_allow() {
            return Ok(ActionCounts::default());
        }
        self.counts_due_between(ctx.tenant, None).await
    }

    /// A cycle's action completion, for its yearly review: the actions due within the cycle's
    /// period (its first to its last day) by status, the open ones past their due date
    /// (overdue as of today) and the evaluated ones. Organizational counts, naming nobody: for
    /// the roles that read the action status or the yearly reviews; anyone else, or a cycle of
    /// another tenant, answers "not found".
    pub async fn action_completion(&self, ctx: &Ctx, cycle: CycleId) -> Result<ActionCompletion> {
        let actor = ctx.actor()?;
        let may = [Operation::ReadActionStatus, Operation::ReadYearlyReviews]
            .into_iter()
            .any(|op| policy::decide(&actor, op, Target::InTenant(ctx.tenant)).is_allow());
        if !may {
            return Err(StoreError::NotFound);
        }
        self.action_completion_of(ctx.tenant, cycle).await
    }

    /// [`Store::action_completion`] without an actor, for the figures the store computes itself
    /// (the yearly review's, when its cycle closes).
    pub(crate) async fn action_completion_of(&self, tenant: TenantId, cycle: CycleId) -> Result<ActionCompletion> {
        let c = self.cycle(tenant, cycle).await?;
        self.counts_due_between(tenant, Some((c.starts_on, c.ends_on))).await
    }

    /// The tenant's actions by status (those due within `range`, both days included, if given).
    async fn counts_due_between(&self, tenant: TenantId, range: Option<(NaiveDate, NaiveDate)>) -> Result<ActionCounts> {
        let (from, to) = match range {
            Some((from, to)) => (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string()),
            None => (String::new(), "9999-12-31".to_string()),
        };
        let r = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN status = 'planned' THEN 1 ELSE 0 END), 0) AS planned,
                    COALESCE(SUM(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), 0) AS in_progress,
                    COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) AS done,
                    COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled,
                    COALESCE(SUM(CASE WHEN status IN ('planned', 'in_progress') AND due_on < $2 THEN 1 ELSE 0 END), 0) AS overdue,
                    COALESCE(SUM(CASE WHEN evaluation IS NOT NULL THEN 1 ELSE 0 END), 0) AS evaluated
             FROM improvement_actions WHERE tenant_id = $1 AND due_on >= $3 AND due_on <= $4",
        )
        .bind(tenant.get())
        .bind(today_jst().format("%Y-%m-%d").to_string())
        .bind(from)
        .bind(to)
        .fetch_one(&self.db.read)
        .await?;
        Ok(ActionCounts {
            planned: r.try_get("planned")?,
            in_progress: r.try_get("in_progress")?,
            done: r.try_get("done")?,
            cancelled: r.try_get("cancelled")?,
            overdue: r.try_get("overdue")?,
            evaluated: r.try_get("evaluated")?,
        })
    }

    // ------------------------------------------------------------------ findings

    /// A released version HR may read: its cycle, version, k and snapshot; anything else (a
    /// draft, another tenant's, a role that may not read it) answers "not found".
    async fn released_for_finding(&self, ctx: &Ctx, id: OverallReportId) -> Result<(CycleRef, i64, u32, String)> {
        let actor = ctx.actor()?;
        let r = sqlx::query(
            "SELECT o.cycle_id, c.name, o.version, o.k, o.snapshot FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.id = $1 AND o.tenant_id = $2 AND o.state = 'released' AND o.snapshot IS NOT NULL",
        )
        .bind(id.get())
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let facts = self.overall_facts(ctx, AggregateState::Released).await?;
        if !policy::decide(&actor, Operation::ReadOverallReports, Target::OverallReport(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ReadOverallReports, AuditTarget::OverallReport, id).await);
        }
        let k: i64 = r.try_get("k")?;
        Ok((
            CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("name")? },
            r.try_get("version")?,
            u32::try_from(k).unwrap_or(u32::MAX),
            r.try_get::<Option<String>, _>("snapshot")?.unwrap_or_default(),
        ))
    }

    /// The released versions HR may take a finding from (newest first): id, cycle, version.
    pub async fn released_for_findings(&self, ctx: &Ctx) -> Result<Vec<(OverallReportId, CycleRef, i64)>> {
        let actor = ctx.actor()?;
        let facts = self.overall_facts(ctx, AggregateState::Released).await?;
        if actor.role() != Role::Hr || !policy::decide(&actor, Operation::ReadOverallReports, Target::OverallReport(facts)).is_allow() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT o.id, o.cycle_id, c.name, o.version FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' ORDER BY c.starts_on DESC, o.version DESC",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    OverallReportId::new(r.try_get("id")?),
                    CycleRef { id: r.try_get("cycle_id")?, name: r.try_get("name")? },
                    r.try_get("version")?,
                ))
            })
            .collect()
    }

    /// The shown cells of one table of a released version (the whole population when `by` is
    /// empty or unknown), departments at the top level, audited as a read of the version.
    pub async fn finding_choices(&self, ctx: &Ctx, id: OverallReportId, by: &[Dimension]) -> Result<FindingChoices> {
        let (cycle, version, _k, text) = self.released_for_finding(ctx, id).await?;
        let same = |b: &[Dimension]| b.len() == by.len() && by.iter().all(|d| b.contains(d));
        let damaged = |e: serde_json::Error| StoreError::Config(format!("damaged overall report snapshot: {e}"));
        let part = contract::read_tables_where(
            &text,
            |_, b| if same(b) { Take::Whole } else { Take::Count },
            |c| !c.suppressed && domain::breakdown::group_at_department_level(None, &c.group),
        )
        .map_err(damaged)?;
        self.audit(ctx, ctx.event(AuditAction::OverallReportRead, AuditTarget::OverallReport, id)).await?;
        let tables: Vec<Vec<Dimension>> = part.tables.iter().filter(|t| t.shown > 0).map(|t| t.by.clone()).collect();
        let chosen = part.report.tables.iter().find(|t| same(&t.by));
        let cells = chosen
            .map(|t| {
                t.cells
                    .iter()
                    .filter(|c| !c.suppressed && c.measure != "people")
                    .take(FINDING_CHOICES_MAX)
                    .map(|c| FindingChoice { measure: c.measure.clone(), group: c.group.clone(), n: c.n, value: c.value })
                    .collect()
            })
            .unwrap_or_default();
        Ok(FindingChoices {
            report_id: id,
            cycle,
            version,
            dimensions: part.report.dimensions,
            tables,
            by: chosen.map(|t| t.by.clone()).unwrap_or_default(),
            cells,
        })
    }

    /// One cell of a released snapshot, as released (`None`: the version has no such cell).
    fn cell_of(text: &str, measure: &str, group: &BTreeMap<Dimension, String>) -> Result<(Dimensions, Option<Cell>)> {
        let by: Vec<Dimension> = group.keys().copied().collect();
        let same = |b: &[Dimension]| b.len() == by.len() && by.iter().all(|d| b.contains(d));
        let part = contract::read_tables_where(
            text,
            |_, b| if same(b) { Take::Whole } else { Take::Count },
            |c| c.measure == measure && same_group(&c.group, group),
        )
        .map_err(|e| StoreError::Config(format!("damaged overall report snapshot: {e}")))?;
        let cell = part.report.tables.iter().flat_map(|t| t.cells.iter()).next().cloned();
        Ok((part.report.dimensions, cell))
    }

    /// HR takes up a finding of a released version as an organizational issue: the cell must be
    /// shown there (never a suppressed one); the title and description are checked, masked by
    /// the pseudonymizer and sealed like a consultant's. Audited.
    pub async fn raise_issue_from_finding(
        &self,
        me: &Acting<Hr>,
        report: OverallReportId,
        measure: &str,
        group: &BTreeMap<Dimension, String>,
        title: &str,
        body: &str,
    ) -> Result<OrgIssueId> {
        let ctx = me.ctx();
        let actor = me.actor();
        let (_, _, _, text) = self.released_for_finding(ctx, report).await?;
        let (_, cell) = Self::cell_of(&text, measure, group)?;
        let shown = cell.as_ref().is_some_and(|c| !c.suppressed);
        let mut problems = Vec::new();
        if !shown {
            problems.push(domain::Invalid::new(
                "finding",
                "公開された全体報告書に表示されている所見を選んでください（非表示の欄は選べません）。",
                "Choose a finding shown in the released overall report (a hidden cell cannot be chosen)",
            ));
        }
        let checked = check_org_issue(title, body);
        if let Err(p) = &checked {
            problems.extend(p.iter().cloned());
        }
        let (title, body) = match checked {
            Ok(tb) if problems.is_empty() => tb,
            _ => return Err(StoreError::problems(problems)),
        };
        self.audit(ctx, ctx.event(AuditAction::OverallReportRead, AuditTarget::OverallReport, report)).await?;
        let index = self.name_index(ctx.tenant).await?;
        let labels = issue_mask_labels();
        let mask = |t: &str| if index.is_empty() { t.to_string() } else { index.mask(t, None, None, &labels) };
        let (title, body) = (mask(&title), mask(&body));
        let group_json = serde_json::to_string(group).map_err(|e| StoreError::Config(e.to_string()))?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let t = self.seal_in_tx(&mut tx, ctx.tenant, "org_issue_title", &title).await?;
        let b = self.seal_in_tx(&mut tx, ctx.tenant, "org_issue_body", &body).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO org_issues (tenant_id, author_id, title_sealed_id, body_sealed_id, status, created_at, updated_at,
                finding_report_id, finding_measure, finding_group)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(t.get())
        .bind(b.get())
        .bind(IssueStatus::Open.as_str())
        .bind(now)
        .bind(report.get())
        .bind(measure)
        .bind(&group_json)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let detail = AuditDetail::of(Fact::Name(Key::Status, IssueStatus::Open.as_str())).and(Fact::Name(Key::Kind, "finding"));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OrgIssueRaised, AuditTarget::OrgIssue, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(OrgIssueId::new(id))
    }

    /// The finding an issue was taken up from (HR), with its figure where it was found and in
    /// the latest released version of the next cycle that has one; `None` for an issue raised
    /// from a report. Reading the two versions is audited.
    pub async fn finding_compare(&self, ctx: &Ctx, issue: OrgIssueId) -> Result<Option<FindingCompare>> {
        let r = sqlx::query("SELECT finding_report_id, finding_measure, finding_group FROM org_issues WHERE id = $1 AND tenant_id = $2")
            .bind(issue.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some(report) = r.try_get::<Option<i64>, _>("finding_report_id")? else { return Ok(None) };
        let measure: String = r.try_get::<Option<String>, _>("finding_measure")?.unwrap_or_default();
        let group: BTreeMap<Dimension, String> =
            serde_json::from_str(&r.try_get::<Option<String>, _>("finding_group")?.unwrap_or_default()).unwrap_or_default();
        let report = OverallReportId::new(report);
        let (cycle, version, k, text) = self.released_for_finding(ctx, report).await?;
        let (dimensions, cell) = Self::cell_of(&text, &measure, &group)?;
        let mut events = vec![ctx.event(AuditAction::OverallReportRead, AuditTarget::OverallReport, report)];
        let found = FindingFigure { report_id: report, cycle: cycle.clone(), version, k, dimensions, cell };
        let next_row = sqlx::query(
            "SELECT o.id FROM overall_reports o JOIN cycles c ON c.id = o.cycle_id
             WHERE o.tenant_id = $1 AND o.state = 'released' AND o.snapshot IS NOT NULL
               AND c.starts_on > (SELECT starts_on FROM cycles WHERE id = $2)
             ORDER BY c.starts_on, o.version DESC LIMIT 1",
        )
        .bind(ctx.tenant.get())
        .bind(cycle.id)
        .fetch_optional(&self.db.read)
        .await?;
        let next = match next_row {
            None => None,
            Some(n) => {
                let nid = OverallReportId::new(n.try_get("id")?);
                let (cycle, version, k, text) = self.released_for_finding(ctx, nid).await?;
                let (dimensions, cell) = Self::cell_of(&text, &measure, &group)?;
                events.push(ctx.event(AuditAction::OverallReportRead, AuditTarget::OverallReport, nid));
                Some(FindingFigure { report_id: nid, cycle, version, k, dimensions, cell })
            }
        };
        for e in events {
            self.audit(ctx, e).await?;
        }
        Ok(Some(FindingCompare { measure, group, found, next }))
    }
}

impl Loaded {
    fn row_with(self, view: ActionView) -> ActionRow {
        restrict(self.row, view)
    }
}

fn note(r: &sqlx::any::AnyRow) -> Result<ActionNote> {
    let to: Option<String> = r.try_get("status_to")?;
    Ok(ActionNote {
        noted_on: day(&r.try_get::<String, _>("noted_on")?)?,
        body: r.try_get("body")?,
        status_to: to.as_deref().and_then(ActionStatus::parse),
        author: r.try_get("display_name")?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn insert_note(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ctx: &Ctx,
    author: UserId,
    id: ActionId,
    on: NaiveDate,
    body: &str,
    status_to: Option<ActionStatus>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO improvement_action_notes (tenant_id, action_id, noted_on, body, status_to, author_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ctx.tenant.get())
    .bind(id.get())
    .bind(on.format("%Y-%m-%d").to_string())
    .bind(body)
    .bind(status_to.map(ActionStatus::as_str))
    .bind(author.get())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
