//! Organizational issues (組織課題): raised by a consultant from a report flagged 組織的対応が必要,
//! without the employee's consent, so they name nobody. The text passes the pseudonymizer before
//! it is sealed (any name, employee number, e-mail address, department or exact age of the
//! register that slipped in is masked, `domain::important_case::issue_mask_labels`), and nothing
//! in clear links an issue to a report or a person: only its author (the consultant) and its
//! status. HR reads the whole register and moves each issue's status; the consultant reads the
//! issues they raised.

use crate::paging::{Direction, PageRequest, Paged};
use crate::reports::{meta, META_SELECT};
use crate::{now_ms, Acting, Consultant, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key};
use domain::ids::{ReportId, SealedId, UserId};
use domain::important_case::{check_org_issue, issue_mask_labels, IssueStatus};
use domain::notification::NotificationKind;
use domain::policy::{self, IssueSourceFacts, Operation, OrgIssueFacts, Permit, Target, View};
use domain::Role;
use sqlx::Row;
use std::fmt;

/// An organizational issue's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgIssueId(i64);

impl OrgIssueId {
    pub const fn new(raw: i64) -> Self {
        Self(raw)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for OrgIssueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An issue as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgIssueRow {
    pub id: OrgIssueId,
    pub title: String,
    pub status: IssueStatus,
    pub created_at: i64,
    pub updated_at: i64,
    /// Raised by the reader.
    pub mine: bool,
}

/// One issue, with its description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgIssueDetail {
    pub row: OrgIssueRow,
    pub body: String,
    /// Whether the reader may move its status (HR).
    pub can_respond: bool,
}

/// What the consultant typed became this after masking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RaisedIssue {
    pub id: OrgIssueId,
    /// Whether the pseudonymizer changed the text (a name or another identifier was masked).
    pub masked: bool,
}

/// How the register is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgIssueSort {
    Created,
    Updated,
    /// Open first, then in progress, then resolved.
    Status,
}

impl OrgIssueSort {
    fn sql(self) -> &'static str {
        match self {
            OrgIssueSort::Created => "o.created_at",
            OrgIssueSort::Updated => "o.updated_at",
            OrgIssueSort::Status => "CASE o.status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END",
        }
    }
}

/// The register's filter and order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgIssueQuery {
    pub status: Option<IssueStatus>,
    pub sort: OrgIssueSort,
    pub dir: Direction,
}

const TITLE: &str = "org_issue_title";
const BODY: &str = "org_issue_body";

struct Stored {
    row: OrgIssueRow,
    author: UserId,
    title: SealedId,
    body: SealedId,
}

fn stored(r: &sqlx::any::AnyRow, me: Option<UserId>) -> Result<Stored> {
    let status: String = r.try_get("status")?;
    let author = UserId::new(r.try_get("author_id")?);
    Ok(Stored {
        row: OrgIssueRow {
            id: OrgIssueId::new(r.try_get("id")?),
            title: String::new(),
            status: IssueStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown issue status {status}")))?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            mine: me == Some(author),
        },
        author,
        title: SealedId::new(r.try_get("title_sealed_id")?),
        body: SealedId::new(r.try_get("body_sealed_id")?),
    })
}

/// The operation by which the acting role reaches issues: the consultant their own, HR all.
fn reach(role: Role) -> Option<Operation> {
    match role {
        Role::Consultant => Some(Operation::WriteOrgIssues),
        Role::Hr => Some(Operation::ViewOrgIssues),
        _ => None,
    }
}

impl Store {
    /// Raises an organizational issue from the consultant's own report flagged 組織的対応が必要
    /// (not a draft): the title and description are checked (every problem at once), masked by
    /// the pseudonymizer, sealed, and the raise audited. Anyone else's report, or one without
    /// the flag, answers as one that does not exist.
    pub async fn raise_org_issue(&self, me: &Acting<Consultant>, report: ReportId, title: &str, body: &str) -> Result<RaisedIssue> {
        let ctx = me.ctx();
        let actor = me.actor();
        let row = sqlx::query(&format!("{META_SELECT} WHERE r.tenant_id = $1 AND r.id = $2"))
            .bind(ctx.tenant.get())
            .bind(report.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = meta(&row)?;
        let facts = m.facts(ctx.tenant);
        // Only the author opens the flags: no one else may raise from this report anyway.
        if facts.author != actor.user() {
            return Err(self.refused(ctx, Operation::WriteOrgIssues, AuditTarget::Report, report).await);
        }
        let (title, body) = check_org_issue(title, body).map_err(StoreError::problems)?;
        let event = ctx.event(AuditAction::ReportRead, AuditTarget::Report, report).detail(Fact::View(View::Identified));
        let pair = [(m, View::Identified)];
        let opened = self.report_facts(ctx, &pair, event).await?;
        let m = &pair[0].0;
        let flagged = opened.get(&report).is_some_and(|(flags, _)| flags.organizational_response);
        let source = IssueSourceFacts { tenant: ctx.tenant, author: facts.author, status: facts.status, organizational_response: flagged };
        if !policy::decide(&actor, Operation::WriteOrgIssues, Target::IssueSource(source)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteOrgIssues, AuditTarget::Report, report).await);
        }
        let (masked_title, masked_body) = self.mask_for_issue(ctx, m).await.map(|mask| (mask(&title), mask(&body)))?;
        let masked = masked_title != title || masked_body != body;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let t = self.seal_in_tx(&mut tx, ctx.tenant, TITLE, &masked_title).await?;
        let b = self.seal_in_tx(&mut tx, ctx.tenant, BODY, &masked_body).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO org_issues (tenant_id, author_id, title_sealed_id, body_sealed_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(t.get())
        .bind(b.get())
        .bind(IssueStatus::Open.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let detail = AuditDetail::of(Fact::Name(Key::Status, IssueStatus::Open.as_str())).and(Fact::Flag(Key::Updated, masked));
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OrgIssueRaised, AuditTarget::OrgIssue, id).detail(detail)]).await?;
        crate::notifications::notify_hr_in_tx(&mut tx, ctx.tenant, NotificationKind::OrgIssueRaised, &format!("/org-issues/{id}")).await?;
        tx.commit().await?;
        Ok(RaisedIssue { id: OrgIssueId::new(id), masked })
    }

    /// The masking of an issue's text: the report's employee as 「相談者」, their boss as 「上司」,
    /// anyone else of the register as 「関係者A」…, departments, numbers, addresses and ages as
    /// the pseudonymizer replaces them. A register with nobody in it has nothing to mask.
    async fn mask_for_issue(&self, ctx: &Ctx, m: &crate::reports::Meta) -> Result<impl Fn(&str) -> String> {
        let index = self.name_index(ctx.tenant).await?;
        let boss: Option<i64> = sqlx::query("SELECT boss_id FROM employees WHERE id = $1 AND tenant_id = $2")
            .bind(m.employee_id.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?
            .map(|r| r.try_get::<Option<i64>, _>("boss_id"))
            .transpose()?
            .flatten();
        let subject = m.employee_id.get();
        let labels = issue_mask_labels();
        Ok(move |text: &str| if index.is_empty() { text.to_string() } else { index.mask(text, Some(subject), boss, &labels) })
    }

    /// The register as the acting role reaches it (HR: every issue of the tenant; a consultant:
    /// the issues they raised; anyone else: nothing), filtered by status and paged in SQL; the
    /// titles of the page are opened under one audited read.
    pub async fn org_issue_page(&self, ctx: &Ctx, q: &OrgIssueQuery, page: PageRequest) -> Result<Paged<OrgIssueRow>> {
        let actor = ctx.actor()?;
        let Some(op) = reach(actor.role()) else { return Ok(Paged { total: 0, items: Vec::new() }) };
        let mine_only = actor.role() == Role::Consultant;
        let cond = "o.tenant_id = $1 AND ($2 = 0 OR o.author_id = $3) AND ($4 = '' OR o.status = $4)";
        let status = q.status.map(IssueStatus::as_str).unwrap_or("");
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM org_issues o WHERE {cond}"))
            .bind(ctx.tenant.get())
            .bind(i64::from(mine_only))
            .bind(actor.user().get())
            .bind(status)
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let dir = q.dir.sql();
        let rows = sqlx::query(&format!(
            "SELECT o.id, o.author_id, o.title_sealed_id, o.body_sealed_id, o.status, o.created_at, o.updated_at
             FROM org_issues o WHERE {cond} ORDER BY {} {dir}, o.id {dir} LIMIT $5 OFFSET $6",
            q.sort.sql()
        ))
        .bind(ctx.tenant.get())
        .bind(i64::from(mine_only))
        .bind(actor.user().get())
        .bind(status)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.db.read)
        .await?;
        let mut listed: Vec<(Stored, Permit)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let s = stored(r, Some(actor.user()))?;
            if let Some(p) = policy::permit(&actor, op, Target::OrgIssue(OrgIssueFacts { tenant: ctx.tenant, author: s.author })) {
                listed.push((s, p));
            }
        }
        if listed.is_empty() {
            return Ok(Paged { total, items: Vec::new() });
        }
        let items: Vec<(Permit, SealedId)> = listed.iter().map(|(s, p)| (*p, s.title)).collect();
        let event = ctx
            .event(AuditAction::OrgIssueRead, AuditTarget::OrgIssueList, "")
            .detail(AuditDetail::count(listed.len()).n(Key::Offset, page.offset()));
        let mut texts = self.open_permitted_each(ctx, &[event], &items).await?;
        let items = listed
            .into_iter()
            .map(|(mut s, _)| {
                s.row.title = texts.remove(&s.title).unwrap_or_default();
                s.row
            })
            .collect();
        Ok(Paged { total, items })
    }

    async fn stored_issue(&self, ctx: &Ctx, id: OrgIssueId) -> Result<Stored> {
        let r = sqlx::query(
            "SELECT id, author_id, title_sealed_id, body_sealed_id, status, created_at, updated_at FROM org_issues WHERE id = $1 AND tenant_id = $2",
        )
        .bind(id.get())
        .bind(ctx.tenant.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        stored(&r, ctx.user)
    }

    /// One issue with its description, audited; answers as missing to anyone the policy refuses.
    pub async fn org_issue(&self, ctx: &Ctx, id: OrgIssueId) -> Result<OrgIssueDetail> {
        let actor = ctx.actor()?;
        let s = self.stored_issue(ctx, id).await?;
        let facts = OrgIssueFacts { tenant: ctx.tenant, author: s.author };
        let op = reach(actor.role()).unwrap_or(Operation::ViewOrgIssues);
        let Some(permit) = policy::permit(&actor, op, Target::OrgIssue(facts)) else {
            return Err(self.refused(ctx, op, AuditTarget::OrgIssue, id).await);
        };
        let event = ctx.event(AuditAction::OrgIssueRead, AuditTarget::OrgIssue, id);
        let mut texts = self.open_permitted(ctx, &permit, &[event], &[s.title, s.body]).await?;
        let mut row = s.row;
        row.title = texts.remove(&s.title).unwrap_or_default();
        Ok(OrgIssueDetail {
            row,
            body: texts.remove(&s.body).unwrap_or_default(),
            can_respond: policy::decide(&actor, Operation::ViewOrgIssues, Target::OrgIssue(facts)).is_allow(),
        })
    }

    /// HR moves an issue's status, audited with the change; the same status again writes
    /// nothing. Returns whether it changed.
    pub async fn set_org_issue_status(&self, me: &Acting<Hr>, id: OrgIssueId, status: IssueStatus) -> Result<bool> {
        let ctx = me.ctx();
        let s = self.stored_issue(ctx, id).await?;
        let facts = OrgIssueFacts { tenant: ctx.tenant, author: s.author };
        if !policy::decide(&me.actor(), Operation::ViewOrgIssues, Target::OrgIssue(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::ViewOrgIssues, AuditTarget::OrgIssue, id).await);
        }
        if s.row.status == status {
            return Ok(false);
        }
        let mut tx = self.db.write.begin().await?;
        let done = sqlx::query(
            "UPDATE org_issues SET status = $1, updated_at = $2, updated_by = $3 WHERE id = $4 AND tenant_id = $5 AND status = $6",
        )
        .bind(status.as_str())
        .bind(now_ms())
        .bind(me.actor().user().get())
        .bind(id.get())
        .bind(ctx.tenant.get())
        .bind(s.row.status.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            // Changed meanwhile by someone else: the caller reads it again.
            return Err(StoreError::Conflict(domain::Message::new(
                "この組織課題は他の方が先に更新しました。最新の内容をご確認ください。",
                "Someone else updated this organizational issue meanwhile. Check the latest state.",
            )));
        }
        let detail = AuditDetail::of(Fact::Transition { from: s.row.status.as_str(), to: status.as_str() });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::OrgIssueUpdated, AuditTarget::OrgIssue, id).detail(detail)]).await?;
        tx.commit().await?;
        Ok(true)
    }
}
