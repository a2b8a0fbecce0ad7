//! Disclosures and the consent ledger (R5, R8). A consultant writes a disclosure — the exact text
//! meant for one recipient and one purpose — from an approved report they authored, and asks the
//! employee; the employee (or the consultant on their behalf, with an evidence note) grants,
//! refuses, asks for changes or withdraws. Every decision is a new row of `consent_records`,
//! which no statement anywhere updates or deletes (the database refuses it too: migration 8).
//!
//! Every read of a text derives the disclosure's state from the ledger at the time of the read
//! (`domain::consent::state`), asks the policy with it, and opens the sealed text through the
//! gate (audited before it is decrypted). A recipient reads only the version
//! `domain::consent::release` returns, so a withdrawal or an expiry takes effect for every later
//! read at once, whatever asks: a page, the API, an export or a link from an e-mail.

use crate::{now_ms, Acting, Consultant, Ctx, Employee, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::consent::{
    self, may_decide, ConsentDecision, ConsentEntry, ConsentMethod, DisclosureFacts, DisclosureState, Purpose, Recipient,
};
use domain::disclosure::{check_text, refusal};
use domain::ids::{ConsentRecordId, DisclosureId, EmployeeId, ReportId, SealedId, TenantId, UserId};
use domain::notification::NotificationKind;
use domain::policy::{self, Actor, Operation, Permit, ReportFacts, Target};
use domain::report::ReportStatus;
use domain::{Invalid, Role};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// The sealed purposes of this module.
const TEXT_PURPOSE: &str = "disclosure_text";
const COMMENT_PURPOSE: &str = "consent_comment";
const EVIDENCE_PURPOSE: &str = "consent_evidence";

/// The most disclosures one list reads (a consultant's, an employee's, a recipient's).
const LIST_MAX: i64 = 5000;

/// A disclosure to write from a report.
#[derive(Clone, Debug)]
pub struct NewDisclosure<'a> {
    pub report: ReportId,
    pub purpose: Purpose,
    /// For feedback to the boss: the boss's account (checked against the register); `None` lets
    /// the store find it. Other purposes are addressed to a role and take none.
    pub recipient_user: Option<UserId>,
    pub text: &'a str,
}

/// A decision as it reaches the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentInput {
    pub decision: ConsentDecision,
    /// The version of the text decided on (what the reader saw).
    pub version: i64,
    /// The employee's comment (for a request for changes); empty for none.
    pub comment: String,
    pub expires_at_ms: Option<i64>,
}

/// A disclosure as listed: who it is about, for what, to whom, and where it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureRow {
    pub id: DisclosureId,
    pub report: Option<ReportId>,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub author: UserId,
    pub author_name: String,
    pub purpose: Purpose,
    pub recipient: Recipient,
    /// The recipient's display name (a person), or empty (a role: the page words it).
    pub recipient_name: String,
    /// The version of the current text.
    pub version: i64,
    /// Derived from the ledger at the time of the read.
    pub state: DisclosureState,
    /// When the current text was written (and the employee asked).
    pub asked_at: i64,
    /// When the grant that holds was given, while the state is granted (or expired).
    pub granted_at: Option<i64>,
    /// When that grant ends by itself.
    pub expires_at: Option<i64>,
    pub updated_at: i64,
}

/// One entry of the ledger, as shown to the employee it is about and to the author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: ConsentRecordId,
    pub disclosure: DisclosureId,
    pub version: i64,
    pub decision: ConsentDecision,
    pub method: ConsentMethod,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    pub expires_at: Option<i64>,
    pub at: i64,
    /// The employee's comment (opened through the gate); empty for none.
    pub comment: String,
    /// The consultant's evidence note of a decision recorded on the employee's behalf (shown to
    /// the author only); empty otherwise.
    pub evidence: String,
}

/// A disclosure with its current text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureText {
    pub row: DisclosureRow,
    pub text: String,
}

/// What the employee's own page shows: every disclosure about them with its current text, and
/// every decision of the ledger, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnConsents {
    pub disclosures: Vec<DisclosureText>,
    pub history: Vec<(LedgerEntry, DisclosureRow)>,
}

/// The author's view of one disclosure: its text, its versions and its ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthoredDisclosure {
    pub row: DisclosureRow,
    pub text: String,
    /// (version, written at), oldest first.
    pub versions: Vec<(i64, i64)>,
    pub entries: Vec<LedgerEntry>,
}

/// A printable receipt of one decision (同意記録).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentReceipt {
    pub entry: LedgerEntry,
    pub row: DisclosureRow,
    /// The text of the version decided on.
    pub text: String,
}

/// A text released to its reader now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Released {
    pub row: DisclosureRow,
    /// The released version's text; empty in a list read without texts.
    pub text: String,
}

/// Filters of the author's list.
#[derive(Clone, Debug, Default)]
pub struct DisclosureQuery {
    pub state: Option<DisclosureState>,
    pub report: Option<ReportId>,
    /// Part of the employee's name, reading or number.
    pub search: Option<String>,
}

const ROW_SELECT: &str = "SELECT d.id, d.report_id, d.employee_id, e.employee_number, e.name AS employee_name, COALESCE(e.name_kana, '') AS employee_kana,
        d.author_id, a.display_name AS author_name, d.purpose, d.recipient_user_id, d.recipient_role, COALESCE(ru.display_name, '') AS recipient_name,
        d.version, d.updated_at, v.created_at AS asked_at, v.sealed_id AS text_sealed_id
     FROM disclosures d
     JOIN employees e ON e.id = d.employee_id
     JOIN users a ON a.id = d.author_id
     LEFT JOIN users ru ON ru.id = d.recipient_user_id
     JOIN disclosure_versions v ON v.disclosure_id = d.id AND v.version = d.version";

/// A row of `ROW_SELECT` before its ledger is read.
struct Raw {
    id: DisclosureId,
    report: Option<ReportId>,
    employee: EmployeeId,
    employee_number: String,
    employee_name: String,
    employee_kana: String,
    author: UserId,
    author_name: String,
    purpose: Purpose,
    recipient: Recipient,
    recipient_name: String,
    version: i64,
    updated_at: i64,
    asked_at: i64,
    text: SealedId,
}

fn raw(r: &AnyRow) -> Result<Raw> {
    let purpose: String = r.try_get("purpose")?;
    let purpose = Purpose::parse(&purpose).ok_or_else(|| StoreError::Config(format!("unknown disclosure purpose {purpose}")))?;
    let recipient = match (r.try_get::<Option<i64>, _>("recipient_user_id")?, r.try_get::<Option<String>, _>("recipient_role")?) {
        (Some(u), _) => Recipient::User(UserId::new(u)),
        (None, Some(role)) => {
            Recipient::Role(Role::parse(&role).ok_or_else(|| StoreError::Config(format!("unknown recipient role {role}")))?)
        }
        (None, None) => return Err(StoreError::Config("a disclosure without a recipient".into())),
    };
    Ok(Raw {
        id: DisclosureId::new(r.try_get("id")?),
        report: r.try_get::<Option<i64>, _>("report_id")?.map(ReportId::new),
        employee: EmployeeId::new(r.try_get("employee_id")?),
        employee_number: r.try_get("employee_number")?,
        employee_name: r.try_get("employee_name")?,
        employee_kana: r.try_get("employee_kana")?,
        author: UserId::new(r.try_get("author_id")?),
        author_name: r.try_get("author_name")?,
        purpose,
        recipient,
        recipient_name: r.try_get("recipient_name")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        asked_at: r.try_get("asked_at")?,
        text: SealedId::new(r.try_get("text_sealed_id")?),
    })
}

/// A ledger row with its sealed parts not yet opened.
struct RawEntry {
    entry: LedgerEntry,
    comment: Option<SealedId>,
    evidence: Option<SealedId>,
}

impl RawEntry {
    fn consent(&self) -> ConsentEntry {
        ConsentEntry {
            version: self.entry.version,
            decision: self.entry.decision,
            at_ms: self.entry.at,
            expires_at_ms: self.entry.expires_at,
        }
    }
}

fn raw_entry(r: &AnyRow) -> Result<RawEntry> {
    let decision: String = r.try_get("decision")?;
    let method: String = r.try_get("method")?;
    Ok(RawEntry {
        entry: LedgerEntry {
            id: ConsentRecordId::new(r.try_get("id")?),
            disclosure: DisclosureId::new(r.try_get("disclosure_id")?),
            version: r.try_get("version")?,
            decision: ConsentDecision::parse(&decision)
                .ok_or_else(|| StoreError::Config(format!("unknown consent decision {decision}")))?,
            method: ConsentMethod::parse(&method).ok_or_else(|| StoreError::Config(format!("unknown consent method {method}")))?,
            recorded_by: UserId::new(r.try_get("recorded_by")?),
            recorded_by_name: r.try_get("recorded_by_name")?,
            expires_at: r.try_get("expires_at")?,
            at: r.try_get("created_at")?,
            comment: String::new(),
            evidence: String::new(),
        },
        comment: r.try_get::<Option<i64>, _>("comment_sealed_id")?.map(SealedId::new),
        evidence: r.try_get::<Option<i64>, _>("evidence_sealed_id")?.map(SealedId::new),
    })
}

const ENTRY_SELECT: &str =
    "SELECT c.id, c.disclosure_id, c.version, c.decision, c.method, c.recorded_by, u.display_name AS recorded_by_name,
        c.expires_at, c.created_at, c.comment_sealed_id, c.evidence_sealed_id
     FROM consent_records c JOIN users u ON u.id = c.recorded_by";

/// A disclosure's facts and state for the policy, with its ledger, derived at `now`.
pub(crate) struct Derived {
    raw: Raw,
    entries: Vec<RawEntry>,
    pub(crate) facts: DisclosureFacts,
    pub(crate) state: DisclosureState,
}

impl Derived {
    fn new(raw: Raw, entries: Vec<RawEntry>, tenant: TenantId, employee_user: Option<UserId>, now: i64) -> Derived {
        let ledger: Vec<ConsentEntry> = entries.iter().map(RawEntry::consent).collect();
        let state = consent::state(raw.version, &ledger, now);
        let facts = DisclosureFacts {
            tenant,
            author: raw.author,
            employee_user,
            purpose: raw.purpose,
            recipient: raw.recipient,
            version: raw.version,
        };
        Derived { raw, entries, facts, state }
    }

    pub(crate) fn version(&self) -> i64 {
        self.raw.version
    }

    pub(crate) fn id(&self) -> DisclosureId {
        self.raw.id
    }

    pub(crate) fn employee(&self) -> EmployeeId {
        self.raw.employee
    }

    /// The sealed text of the current version.
    pub(crate) fn text_id(&self) -> SealedId {
        self.raw.text
    }

    pub(crate) fn ledger(&self) -> Vec<ConsentEntry> {
        self.entries.iter().map(RawEntry::consent).collect()
    }

    pub(crate) fn target(&self) -> Target {
        Target::Disclosure(self.facts, self.state)
    }

    /// The row as listed, with the grant that holds (if the state is granted or expired).
    pub(crate) fn row(&self) -> DisclosureRow {
        let holding = matches!(self.state, DisclosureState::Granted | DisclosureState::Expired)
            .then(|| self.entries.iter().rev().find(|e| e.entry.decision == ConsentDecision::Grant && e.entry.version == self.raw.version))
            .flatten();
        let r = &self.raw;
        DisclosureRow {
            id: r.id,
            report: r.report,
            employee: r.employee,
            employee_number: r.employee_number.clone(),
            employee_name: r.employee_name.clone(),
            author: r.author,
            author_name: r.author_name.clone(),
            purpose: r.purpose,
            recipient: r.recipient,
            recipient_name: r.recipient_name.clone(),
            version: r.version,
            state: self.state,
            asked_at: r.asked_at,
            granted_at: holding.map(|e| e.entry.at),
            expires_at: holding.and_then(|e| e.entry.expires_at),
            updated_at: r.updated_at,
        }
    }
}

/// The operation a recipient reads a text of `purpose` with; `None` for a purpose no recipient
/// reads through this module yet (referrals come with the follow-up issue).
pub fn read_operation(purpose: Purpose) -> Option<Operation> {
    match purpose {
        Purpose::BossFeedback => Some(Operation::ReadFeedback),
        Purpose::ImportantCase => Some(Operation::ManageImportantCases),
        Purpose::Referral => None,
    }
}

fn decision_name(d: ConsentDecision) -> &'static str {
    d.as_str()
}

impl Store {
    // ------------------------------------------------------------------------ reading rows

    /// The rows of `condition` (on `d`), with their ledgers, derived at `now` for the actor.
    async fn derive(&self, ctx: &Ctx, condition: &str, binds: &[i64], now: i64) -> Result<Vec<Derived>> {
        let sql = format!("{ROW_SELECT} WHERE d.tenant_id = $1 AND {condition} ORDER BY d.updated_at DESC, d.id DESC LIMIT {LIST_MAX}");
        let mut q = sqlx::query(&sql).bind(ctx.tenant.get());
        for b in binds {
            q = q.bind(*b);
        }
        let rows = q.fetch_all(&self.db.read).await?;
        let raws = rows.iter().map(raw).collect::<Result<Vec<_>>>()?;
        let mut ledgers = self.ledgers(&raws.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
        let me = ctx.user;
        let my_employee = match me {
            Some(u) => self.employee_of_user(ctx.tenant, u).await.ok().flatten(),
            None => None,
        };
        let accounts = self.employee_accounts(ctx.tenant, &raws.iter().map(|r| r.employee).collect::<Vec<_>>()).await?;
        Ok(raws
            .into_iter()
            .map(|r| {
                // The acting user is the employee's account when linked to them; otherwise any
                // account of the employee stands for them.
                let employee_user = if my_employee == Some(r.employee) { me } else { accounts.get(&r.employee).copied() };
                let entries = ledgers.remove(&r.id).unwrap_or_default();
                Derived::new(r, entries, ctx.tenant, employee_user, now)
            })
            .collect())
    }

    /// The disclosures `ids` (a page chosen in SQL), derived at `now`, in the order of `ids`.
    pub(crate) async fn derive_ids(&self, ctx: &Ctx, ids: &[i64], now: i64) -> Result<Vec<Derived>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        let mut all = self.derive(ctx, &format!("d.id IN ({})", placeholders.join(",")), ids, now).await?;
        all.sort_by_key(|d| ids.iter().position(|i| *i == d.raw.id.get()));
        Ok(all)
    }

    async fn derive_one(&self, ctx: &Ctx, id: DisclosureId, now: i64) -> Result<Derived> {
        self.derive(ctx, "d.id = $2", &[id.get()], now).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// The ledgers of `ids`, each in the order appended.
    async fn ledgers(&self, ids: &[DisclosureId]) -> Result<HashMap<DisclosureId, Vec<RawEntry>>> {
        let mut out: HashMap<DisclosureId, Vec<RawEntry>> = HashMap::new();
        for chunk in ids.chunks(400) {
            if chunk.is_empty() {
                continue;
            }
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("{ENTRY_SELECT} WHERE c.disclosure_id IN ({}) ORDER BY c.id", placeholders.join(","));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.get());
            }
            for r in q.fetch_all(&self.db.read).await? {
                let e = raw_entry(&r)?;
                out.entry(e.entry.disclosure).or_default().push(e);
            }
        }
        Ok(out)
    }

    /// One account of each employee (the lowest id), for the policy's facts.
    async fn employee_accounts(&self, tenant: TenantId, employees: &[EmployeeId]) -> Result<HashMap<EmployeeId, UserId>> {
        let mut out = HashMap::new();
        let mut wanted: Vec<i64> = employees.iter().map(|e| e.get()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for chunk in wanted.chunks(400) {
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT employee_id, MIN(id) AS user_id FROM users WHERE tenant_id = $1 AND employee_id IN ({}) GROUP BY employee_id",
                placeholders.join(",")
            );
            let mut q = sqlx::query(&sql).bind(tenant.get());
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.db.read).await? {
                out.insert(EmployeeId::new(r.try_get("employee_id")?), UserId::new(r.try_get("user_id")?));
            }
        }
        Ok(out)
    }

    /// Decides `op` on a disclosure; a refusal is audited and answers as one that does not exist.
    async fn disclosure_permit(&self, ctx: &Ctx, actor: &Actor, op: Operation, d: &Derived) -> Result<Permit> {
        match policy::permit(actor, op, d.target()) {
            Some(p) => Ok(p),
            None => Err(self.refused(ctx, op, AuditTarget::Disclosure, d.raw.id).await),
        }
    }

    /// Opens the comments (and, for the author, the evidence notes) of `entries` with `permit`.
    fn entry_seals(entries: &[RawEntry], permit: Permit, evidence: bool) -> Vec<(Permit, SealedId)> {
        let mut out = Vec::new();
        for e in entries {
            out.extend(e.comment.map(|s| (permit, s)));
            if evidence {
                out.extend(e.evidence.map(|s| (permit, s)));
            }
        }
        out
    }

    fn opened(entries: &[RawEntry], texts: &HashMap<SealedId, String>) -> Vec<LedgerEntry> {
        entries
            .iter()
            .map(|e| {
                let mut entry = e.entry.clone();
                entry.comment = e.comment.and_then(|s| texts.get(&s).cloned()).unwrap_or_default();
                entry.evidence = e.evidence.and_then(|s| texts.get(&s).cloned()).unwrap_or_default();
                entry
            })
            .collect()
    }

    // ------------------------------------------------------------------------ the author

    /// Writes a disclosure from an approved report the consultant authored and asks the employee
    /// (a notice to their account). For feedback to the boss the recipient is the account of the
    /// employee's boss in the register; an important case goes to HR, a referral to health staff.
    pub async fn create_disclosure(&self, me: &Acting<Consultant>, new: &NewDisclosure<'_>) -> Result<DisclosureId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let text = check_text(new.text)?;
        let r = sqlx::query(
            "SELECT r.author_id, r.status, r.supervisor_id, r.employee_id, e.boss_id FROM reports r JOIN employees e ON e.id = r.employee_id
             WHERE r.tenant_id = $1 AND r.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(new.report.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let status: String = r.try_get("status")?;
        let report = ReportFacts {
            tenant: ctx.tenant,
            author: UserId::new(r.try_get("author_id")?),
            status: ReportStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown report status {status}")))?,
            assigned_supervisor: r.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new),
        };
        // Only the author writes from a report (a colleague's shared case answers as missing).
        if report.author != actor.user() || !policy::decide(&actor, Operation::ReadReports, Target::Report(report)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteDisclosures, AuditTarget::Report, new.report).await);
        }
        if report.status != ReportStatus::Approved {
            return Err(Invalid::new(
                "report_id",
                "開示文は、スーパーバイザーが承認した報告書からのみ作成できます。",
                "a disclosure can only be written from a report a supervisor has approved",
            )
            .into());
        }
        let employee = EmployeeId::new(r.try_get("employee_id")?);
        let recipient = match new.purpose {
            Purpose::BossFeedback => {
                let boss = self.boss_account(ctx.tenant, r.try_get::<Option<i64>, _>("boss_id")?).await?;
                match (boss, new.recipient_user) {
                    (None, _) => {
                        return Err(Invalid::new(
                            "recipient_user_id",
                            "この従業員の上司には、上司の役割を持つアカウントがありません。システム管理者にアカウントの登録を依頼してください。",
                            "the employee's boss has no account with the boss role; ask the administrator to create one",
                        )
                        .into())
                    }
                    (Some(b), Some(asked)) if asked != b => {
                        return Err(Invalid::new(
                            "recipient_user_id",
                            "上司へのフィードバックは、従業員名簿上の上司にのみ宛てられます。",
                            "feedback can only be addressed to the employee's boss in the register",
                        )
                        .into())
                    }
                    (Some(b), _) => Recipient::User(b),
                }
            }
            Purpose::ImportantCase => Recipient::Role(Role::Hr),
            Purpose::Referral => Recipient::Role(Role::Health),
        };
        if new.purpose != Purpose::BossFeedback && new.recipient_user.is_some() {
            return Err(Invalid::new(
                "recipient_user_id",
                "この目的の開示は役割（人事部門・産業保健スタッフ）に宛てられるため、宛先のアカウントは指定できません。",
                "a disclosure for this purpose goes to a role; leave recipient_user_id out",
            )
            .into());
        }
        let employee_user = self.employee_accounts(ctx.tenant, &[employee]).await?.get(&employee).copied();
        let facts =
            DisclosureFacts { tenant: ctx.tenant, author: actor.user(), employee_user, purpose: new.purpose, recipient, version: 1 };
        if !policy::decide(&actor, Operation::WriteDisclosures, Target::Disclosure(facts, DisclosureState::Pending)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteDisclosures, AuditTarget::Report, new.report).await);
        }
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let (ru, rr) = match recipient {
            Recipient::User(u) => (Some(u.get()), None),
            Recipient::Role(role) => (None, Some(role.as_str())),
        };
        let row = sqlx::query(
            "INSERT INTO disclosures (tenant_id, employee_id, report_id, author_id, purpose, recipient_user_id, recipient_role, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(new.report.get())
        .bind(actor.user().get())
        .bind(new.purpose.as_str())
        .bind(ru)
        .bind(rr)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = DisclosureId::new(row.try_get("id")?);
        self.add_version_in_tx(&mut tx, ctx.tenant, (id, 1), actor.user(), &text, now).await?;
        if let Some(u) = employee_user {
            crate::notifications::notify_in_tx(&mut tx, ctx.tenant, u, NotificationKind::DisclosureRequested, "/my/consents").await?;
        }
        let ev = ctx
            .event(AuditAction::DisclosureWritten, AuditTarget::Disclosure, id)
            .detail(AuditDetail::of(Fact::Is(Outcome::Created)).and(Fact::Name(Key::Purpose, new.purpose.as_str())));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account of an employee's boss that holds the boss role, if any.
    async fn boss_account(&self, tenant: TenantId, boss_employee: Option<i64>) -> Result<Option<UserId>> {
        let Some(boss) = boss_employee else { return Ok(None) };
        let r = sqlx::query(
            "SELECT MIN(u.id) AS id FROM users u JOIN user_roles ur ON ur.user_id = u.id
             WHERE u.tenant_id = $1 AND u.employee_id = $2 AND ur.role = $3 AND u.disabled_at IS NULL",
        )
        .bind(tenant.get())
        .bind(boss)
        .bind(Role::Boss.as_str())
        .fetch_one(&self.db.read)
        .await?;
        Ok(r.try_get::<Option<i64>, _>("id")?.map(UserId::new))
    }

    /// The name of the boss a report's feedback would go to, or `None` if the boss has no account
    /// with the boss role (the editor says so before anything is typed).
    pub async fn feedback_recipient(&self, me: &Acting<Consultant>, report: ReportId) -> Result<Option<(UserId, String)>> {
        let ctx = me.ctx();
        let r = sqlx::query(
            "SELECT r.author_id, e.boss_id FROM reports r JOIN employees e ON e.id = r.employee_id WHERE r.tenant_id = $1 AND r.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(report.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        if UserId::new(r.try_get("author_id")?) != me.actor().user() {
            return Err(self.refused(ctx, Operation::WriteDisclosures, AuditTarget::Report, report).await);
        }
        let Some(boss) = self.boss_account(ctx.tenant, r.try_get::<Option<i64>, _>("boss_id")?).await? else { return Ok(None) };
        let name = self.user(ctx.tenant, boss).await?.display_name;
        Ok(Some((boss, name)))
    }

    async fn add_version_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        tenant: TenantId,
        (id, version): (DisclosureId, i64),
        by: UserId,
        text: &str,
        now: i64,
    ) -> Result<()> {
        let sealed = self.seal_in_tx(tx, tenant, TEXT_PURPOSE, text).await?;
        sqlx::query(
            "INSERT INTO disclosure_versions (disclosure_id, version, tenant_id, sealed_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.get())
        .bind(version)
        .bind(tenant.get())
        .bind(sealed.get())
        .bind(by.get())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Saves a changed text as a new version and asks the employee again: no earlier decision
    /// covers it. `expected_version` is the version the author revised (a stale one is refused).
    pub async fn revise_disclosure(&self, me: &Acting<Consultant>, id: DisclosureId, text: &str, expected_version: i64) -> Result<i64> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let now = now_ms();
        let d = self.derive_one(ctx, id, now).await?;
        let permit = self.disclosure_permit(ctx, &actor, Operation::WriteDisclosures, &d).await?;
        let text = check_text(text)?;
        let event = ctx
            .event(AuditAction::DisclosureRead, AuditTarget::Disclosure, id)
            .detail(AuditDetail::of(Fact::Name(Key::Purpose, "revision_check")));
        let current = self.open_permitted(ctx, &permit, &[event], &[d.raw.text]).await?.remove(&d.raw.text).unwrap_or_default();
        if current == text {
            return Err(Invalid::new(
                "text",
                "文章が変わっていません。直してから保存してください。",
                "the text has not changed; revise it before saving",
            )
            .into());
        }
        let mut tx = self.db.write.begin().await?;
        let next = expected_version + 1;
        let n = sqlx::query("UPDATE disclosures SET version = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4 AND version = $5")
            .bind(next)
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(domain::Message::new(
                "この開示文は、ほかの画面で更新されています。開き直してから直してください。",
                "this disclosure was changed elsewhere; open it again before revising",
            )));
        }
        self.add_version_in_tx(&mut tx, ctx.tenant, (id, next), actor.user(), &text, now).await?;
        if let Some(u) = d.facts.employee_user {
            crate::notifications::notify_in_tx(&mut tx, ctx.tenant, u, NotificationKind::DisclosureRequested, "/my/consents").await?;
        }
        let ev = ctx
            .event(AuditAction::DisclosureWritten, AuditTarget::Disclosure, id)
            .detail(AuditDetail::of(Fact::Is(Outcome::Updated)).and(Fact::Name(Key::Purpose, d.raw.purpose.as_str())));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// The disclosures the consultant wrote, newest first, each with its state now: all of them,
    /// those of one report, in one state, or of employees matching a search.
    pub async fn authored_disclosures(&self, me: &Acting<Consultant>, q: &DisclosureQuery) -> Result<Vec<DisclosureRow>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let all = match q.report {
            Some(r) => self.derive(ctx, "d.author_id = $2 AND d.report_id = $3", &[actor.user().get(), r.get()], now_ms()).await?,
            None => self.derive(ctx, "d.author_id = $2", &[actor.user().get()], now_ms()).await?,
        };
        let needle = q.search.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
        let rows: Vec<DisclosureRow> = all
            .iter()
            .filter(|d| policy::decide(&actor, Operation::WriteDisclosures, d.target()).is_allow())
            .filter(|d| q.state.is_none_or(|s| s == d.state))
            .filter(|d| {
                needle.as_deref().is_none_or(|n| {
                    d.raw.employee_name.to_lowercase().contains(n)
                        || d.raw.employee_kana.to_lowercase().contains(n)
                        || d.raw.employee_number.to_lowercase().contains(n)
                })
            })
            .map(Derived::row)
            .collect();
        let ev = ctx.event(AuditAction::DisclosureRead, AuditTarget::DisclosureList, "authored").detail(AuditDetail::count(rows.len()));
        self.audit(ctx, ev).await?;
        Ok(rows)
    }

    /// One disclosure as its author sees it: the current text, the versions, and the ledger with
    /// the employee's comments and the evidence notes.
    pub async fn authored_disclosure(&self, me: &Acting<Consultant>, id: DisclosureId) -> Result<AuthoredDisclosure> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let d = self.derive_one(ctx, id, now_ms()).await?;
        let permit = self.disclosure_permit(ctx, &actor, Operation::WriteDisclosures, &d).await?;
        let versions = sqlx::query("SELECT version, created_at FROM disclosure_versions WHERE disclosure_id = $1 ORDER BY version")
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("created_at")?)))
            .collect::<Result<Vec<(i64, i64)>>>()?;
        let mut seals = vec![(permit, d.raw.text)];
        seals.extend(Self::entry_seals(&d.entries, permit, true));
        let ev = ctx
            .event(AuditAction::DisclosureRead, AuditTarget::Disclosure, id)
            .detail(AuditDetail::of(Fact::Name(Key::Purpose, d.raw.purpose.as_str())));
        let texts = self.open_permitted_each(ctx, &[ev], &seals).await?;
        Ok(AuthoredDisclosure {
            row: d.row(),
            text: texts.get(&d.raw.text).cloned().unwrap_or_default(),
            versions,
            entries: Self::opened(&d.entries, &texts),
        })
    }

    /// The consultant records a decision the employee gave in writing or verbally, with an
    /// evidence note (sealed). The same ledger rules hold as for the employee's own decisions.
    pub async fn record_consent_on_behalf(
        &self,
        me: &Acting<Consultant>,
        id: DisclosureId,
        input: &ConsentInput,
        method: ConsentMethod,
        evidence: &str,
    ) -> Result<ConsentRecordId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !method.on_behalf() {
            return Err(Invalid::new("method", "確認の方法（書面・口頭）を選んでください。", "choose in writing or verbally").into());
        }
        let evidence = domain::disclosure::CONSENT_EVIDENCE.check(evidence)?;
        if evidence.is_empty() {
            return Err(Invalid::new(
                "evidence",
                "証跡メモを入力してください（いつ、どのように本人の判断を確認したか）。",
                "write the evidence note: when and how the employee's decision was confirmed",
            )
            .into());
        }
        let d = self.derive_one(ctx, id, now_ms()).await?;
        self.disclosure_permit(ctx, &actor, Operation::WriteDisclosures, &d).await?;
        self.append_decision(ctx, &actor, &d, input, method, Some(&evidence)).await
    }

    // ------------------------------------------------------------------------ the employee

    /// Everything shared or asked about the signed-in employee, with the exact current texts, and
    /// every decision of the ledger about them, newest first. One audited read.
    pub async fn own_consents(&self, me: &Acting<Employee>) -> Result<OwnConsents> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else { return Ok(OwnConsents::default()) };
        let all = self.derive(ctx, "d.employee_id = $2", &[employee.get()], now_ms()).await?;
        let mut seals = Vec::new();
        let mut mine = Vec::new();
        for d in &all {
            if let Some(p) = policy::permit(&actor, Operation::DecideOwnDisclosures, d.target()) {
                seals.push((p, d.raw.text));
                seals.extend(Self::entry_seals(&d.entries, p, false));
                mine.push(d);
            }
        }
        let ev = ctx.event(AuditAction::DisclosureRead, AuditTarget::DisclosureList, "own").detail(AuditDetail::count(mine.len()));
        let texts = self.open_permitted_each(ctx, &[ev], &seals).await?;
        let mut out = OwnConsents::default();
        for d in mine {
            let row = d.row();
            for e in Self::opened(&d.entries, &texts) {
                out.history.push((LedgerEntry { evidence: String::new(), ..e }, row.clone()));
            }
            out.disclosures.push(DisclosureText { text: texts.get(&d.raw.text).cloned().unwrap_or_default(), row });
        }
        out.history.sort_by(|a, b| b.0.at.cmp(&a.0.at).then(b.0.id.get().cmp(&a.0.id.get())));
        Ok(out)
    }

    /// How many disclosures about the signed-in employee wait for their decision, and how many are
    /// shared now (for their home page: no text is opened).
    pub async fn own_consent_counts(&self, me: &Acting<Employee>) -> Result<(usize, usize)> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let Some(employee) = self.employee_of_user(ctx.tenant, actor.user()).await? else { return Ok((0, 0)) };
        let all = self.derive(ctx, "d.employee_id = $2", &[employee.get()], now_ms()).await?;
        let mine: Vec<&Derived> =
            all.iter().filter(|d| policy::decide(&actor, Operation::DecideOwnDisclosures, d.target()).is_allow()).collect();
        let waiting = mine.iter().filter(|d| d.state == DisclosureState::Pending).count();
        let shared = mine.iter().filter(|d| d.state == DisclosureState::Granted).count();
        Ok((waiting, shared))
    }

    /// The employee decides on the text they read (`input.version`): grant (optionally until a
    /// day), refuse, or ask for changes with a comment. Withdrawal is [`Store::withdraw_consent`].
    pub async fn decide_disclosure(&self, me: &Acting<Employee>, id: DisclosureId, input: &ConsentInput) -> Result<ConsentRecordId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let d = self.derive_one(ctx, id, now_ms()).await?;
        self.disclosure_permit(ctx, &actor, Operation::DecideOwnDisclosures, &d).await?;
        if input.decision == ConsentDecision::Withdraw {
            return Err(refusal(consent::DecisionRefused::NotPending).into());
        }
        self.append_decision(ctx, &actor, &d, input, ConsentMethod::App, None).await
    }

    /// The employee withdraws a consent: from this moment no read releases the text.
    pub async fn withdraw_consent(&self, me: &Acting<Employee>, id: DisclosureId) -> Result<ConsentRecordId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let d = self.derive_one(ctx, id, now_ms()).await?;
        self.disclosure_permit(ctx, &actor, Operation::DecideOwnDisclosures, &d).await?;
        let input =
            ConsentInput { decision: ConsentDecision::Withdraw, version: d.raw.version, comment: String::new(), expires_at_ms: None };
        self.append_decision(ctx, &actor, &d, &input, ConsentMethod::App, None).await
    }

    /// Appends one entry to the ledger, after checking it against the ledger as it stands inside
    /// the writing transaction (the disclosure's row is locked first, so two decisions at once
    /// are taken one after the other). Tells the author, and the recipient of a grant.
    async fn append_decision(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        d: &Derived,
        input: &ConsentInput,
        method: ConsentMethod,
        evidence: Option<&str>,
    ) -> Result<ConsentRecordId> {
        let comment = domain::disclosure::CONSENT_COMMENT.check(&input.comment)?;
        if input.decision == ConsentDecision::RequestChanges && comment.is_empty() {
            return Err(Invalid::new(
                "comment",
                "修正を依頼する場合は、どこをどう直してほしいかをコメントに書いてください。",
                "say in the comment what should be changed",
            )
            .into());
        }
        let id = d.raw.id;
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        // Takes the row (and on SQLite the database) for this transaction.
        let locked = sqlx::query("UPDATE disclosures SET updated_at = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        if locked.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let version: i64 =
            sqlx::query("SELECT version FROM disclosures WHERE id = $1").bind(id.get()).fetch_one(&mut *tx).await?.try_get("version")?;
        let ledger = sqlx::query(&format!("{ENTRY_SELECT} WHERE c.disclosure_id = $1 ORDER BY c.id"))
            .bind(id.get())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| raw_entry(r).map(|e| e.consent()))
            .collect::<Result<Vec<_>>>()?;
        let current = consent::state(version, &ledger, now);
        may_decide(current, version, input.version, input.decision, input.expires_at_ms, now).map_err(refusal)?;
        let comment_id =
            if comment.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, ctx.tenant, COMMENT_PURPOSE, &comment).await?) };
        let evidence_id = match evidence {
            Some(e) => Some(self.seal_in_tx(&mut tx, ctx.tenant, EVIDENCE_PURPOSE, e).await?),
            None => None,
        };
        let expires = if input.decision == ConsentDecision::Grant { input.expires_at_ms } else { None };
        let row = sqlx::query(
            "INSERT INTO consent_records (tenant_id, disclosure_id, employee_id, purpose, version, decision, method, recorded_by, evidence_sealed_id, comment_sealed_id, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(id.get())
        .bind(d.raw.employee.get())
        .bind(d.raw.purpose.as_str())
        .bind(version)
        .bind(input.decision.as_str())
        .bind(method.as_str())
        .bind(actor.user().get())
        .bind(evidence_id.map(|s| s.get()))
        .bind(comment_id.map(|s| s.get()))
        .bind(expires)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let record = ConsentRecordId::new(row.try_get("id")?);
        if d.raw.author != actor.user() {
            let link = format!("/disclosures/{id}");
            crate::notifications::notify_in_tx(&mut tx, ctx.tenant, d.raw.author, NotificationKind::DisclosureDecided, &link).await?;
        }
        if input.decision == ConsentDecision::Grant {
            if let Recipient::User(reader) = d.raw.recipient {
                let link = match d.raw.purpose {
                    Purpose::BossFeedback => format!("/feedback/{id}"),
                    _ => "/".to_string(),
                };
                crate::notifications::notify_in_tx(&mut tx, ctx.tenant, reader, NotificationKind::DisclosureShared, &link).await?;
            }
            if d.raw.purpose == Purpose::ImportantCase && d.raw.recipient == Recipient::Role(domain::Role::Hr) {
                let link = format!("/important-cases/{id}");
                crate::notifications::notify_hr_in_tx(&mut tx, ctx.tenant, NotificationKind::ImportantCaseShared, &link).await?;
            }
        }
        let ev = ctx.event(AuditAction::ConsentRecorded, AuditTarget::Disclosure, id).detail(
            AuditDetail::of(Fact::Name(Key::Kind, decision_name(input.decision)))
                .and(Fact::Name(Key::Via, method.as_str()))
                .and(Fact::Name(Key::Purpose, d.raw.purpose.as_str())),
        );
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// The receipt of one decision about the signed-in employee: the entry, the disclosure and
    /// the exact text of the version decided on.
    pub async fn consent_receipt(&self, me: &Acting<Employee>, record: ConsentRecordId) -> Result<ConsentReceipt> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let r = sqlx::query("SELECT disclosure_id FROM consent_records WHERE tenant_id = $1 AND id = $2")
            .bind(ctx.tenant.get())
            .bind(record.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let d = self.derive_one(ctx, DisclosureId::new(r.try_get("disclosure_id")?), now_ms()).await?;
        let Some(permit) = policy::permit(&actor, Operation::DecideOwnDisclosures, d.target()) else {
            return Err(self.refused(ctx, Operation::DecideOwnDisclosures, AuditTarget::ConsentRecord, record).await);
        };
        let entry = d.entries.iter().find(|e| e.entry.id == record).ok_or(StoreError::NotFound)?;
        let text_id: i64 = sqlx::query("SELECT sealed_id FROM disclosure_versions WHERE disclosure_id = $1 AND version = $2")
            .bind(d.raw.id.get())
            .bind(entry.entry.version)
            .fetch_one(&self.db.read)
            .await?
            .try_get("sealed_id")?;
        let text_id = SealedId::new(text_id);
        let mut seals = vec![(permit, text_id)];
        seals.extend(Self::entry_seals(std::slice::from_ref(entry), permit, false));
        let ev = ctx.event(AuditAction::DisclosureRead, AuditTarget::ConsentRecord, record);
        let texts = self.open_permitted_each(ctx, &[ev], &seals).await?;
        let mut opened = Self::opened(std::slice::from_ref(entry), &texts);
        let entry = opened.pop().ok_or(StoreError::NotFound)?;
        Ok(ConsentReceipt { entry, row: d.row(), text: texts.get(&text_id).cloned().unwrap_or_default() })
    }

    // ------------------------------------------------------------------------ recipients

    /// The disclosures of `purpose` released to the acting user now (the one release decision at
    /// the time of this read, and the policy with the same state), newest first; with their texts
    /// when `with_texts`, opened through the gate. A boss's feedback, HR's important cases.
    pub async fn released_to_me(&self, ctx: &Ctx, purpose: Purpose, with_texts: bool) -> Result<Vec<Released>> {
        let actor = ctx.actor()?;
        let Some(op) = read_operation(purpose) else { return Ok(Vec::new()) };
        self.boss_guide_gate(ctx, purpose).await?;
        let now = now_ms();
        let all = self.released_candidates(ctx, &actor, purpose, now).await?;
        let mut permitted = Vec::new();
        for d in all {
            let released = consent::release(&d.facts, &d.ledger(), &actor, now, None);
            let permit = policy::permit(&actor, op, d.target());
            if let (Some(v), Some(p)) = (released, permit) {
                if v == d.raw.version {
                    permitted.push((d, p));
                }
            }
        }
        let ev = ctx
            .event(AuditAction::DisclosureRead, AuditTarget::DisclosureList, purpose.as_str())
            .detail(AuditDetail::count(permitted.len()).and(Fact::Name(Key::Purpose, if with_texts { "texts" } else { "list" })));
        let texts = if with_texts {
            let seals: Vec<(Permit, SealedId)> = permitted.iter().map(|(d, p)| (*p, d.raw.text)).collect();
            self.open_permitted_each(ctx, &[ev], &seals).await?
        } else {
            self.audit(ctx, ev).await?;
            HashMap::new()
        };
        Ok(permitted
            .into_iter()
            .map(|(d, _)| Released { text: texts.get(&d.raw.text).cloned().unwrap_or_default(), row: d.row() })
            .collect())
    }

    async fn released_candidates(&self, ctx: &Ctx, actor: &Actor, purpose: Purpose, now: i64) -> Result<Vec<Derived>> {
        let sql = format!(
            "{ROW_SELECT} WHERE d.tenant_id = $1 AND d.purpose = $2 AND (d.recipient_user_id = $3 OR d.recipient_role = $4)
             ORDER BY d.updated_at DESC, d.id DESC LIMIT {LIST_MAX}"
        );
        let rows = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(purpose.as_str())
            .bind(actor.user().get())
            .bind(actor.role().as_str())
            .fetch_all(&self.db.read)
            .await?;
        let raws = rows.iter().map(raw).collect::<Result<Vec<_>>>()?;
        let mut ledgers = self.ledgers(&raws.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
        let accounts = self.employee_accounts(ctx.tenant, &raws.iter().map(|r| r.employee).collect::<Vec<_>>()).await?;
        Ok(raws
            .into_iter()
            .map(|r| {
                let entries = ledgers.remove(&r.id).unwrap_or_default();
                let employee_user = accounts.get(&r.employee).copied();
                Derived::new(r, entries, ctx.tenant, employee_user, now)
            })
            .collect())
    }

    /// Where each important case of `ids` stands now, for the management report: its facts, its
    /// state derived from the ledger at the time of this read, and the sealed text of its current
    /// version. The caller decides the release (`management_report::case_released_to`) and
    /// opens the texts through the gate.
    pub(crate) async fn case_standings(
        &self,
        ctx: &Ctx,
        ids: &[DisclosureId],
    ) -> Result<HashMap<DisclosureId, (DisclosureFacts, DisclosureState, SealedId)>> {
        let now = now_ms();
        let mut out = HashMap::new();
        for chunk in ids.chunks(400) {
            if chunk.is_empty() {
                continue;
            }
            let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let condition = format!("d.purpose = 'important_case' AND d.id IN ({})", placeholders.join(","));
            let binds: Vec<i64> = chunk.iter().map(|id| id.get()).collect();
            for d in self.derive(ctx, &condition, &binds, now).await? {
                out.insert(d.raw.id, (d.facts, d.state, d.raw.text));
            }
        }
        Ok(out)
    }

    /// One text released to the acting user now, for `purpose`; anything else — withdrawn,
    /// expired, refused, pending, addressed to someone else, another purpose, another tenant, or
    /// no such id — answers "not found" alike. The read is audited before the text is opened.
    pub async fn read_released(&self, ctx: &Ctx, id: DisclosureId, purpose: Purpose) -> Result<Released> {
        let actor = ctx.actor()?;
        let op = read_operation(purpose).ok_or(StoreError::NotFound)?;
        self.boss_guide_gate(ctx, purpose).await?;
        let now = now_ms();
        let d = self.derive_one(ctx, id, now).await?;
        let released = consent::release(&d.facts, &d.ledger(), &actor, now, None);
        let permit = match (d.raw.purpose == purpose, released, policy::permit(&actor, op, d.target())) {
            (true, Some(v), Some(p)) if v == d.raw.version => p,
            _ => return Err(self.refused(ctx, op, AuditTarget::Disclosure, id).await),
        };
        let ev = ctx
            .event(AuditAction::DisclosureRead, AuditTarget::Disclosure, id)
            .detail(AuditDetail::of(Fact::Name(Key::Purpose, purpose.as_str())));
        let mut texts = self.open_permitted(ctx, &permit, &[ev], &[d.raw.text]).await?;
        Ok(Released { text: texts.remove(&d.raw.text).unwrap_or_default(), row: d.row() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_is_read_with_its_own_operation() {
        assert_eq!(read_operation(Purpose::BossFeedback), Some(Operation::ReadFeedback));
        assert_eq!(read_operation(Purpose::ImportantCase), Some(Operation::ManageImportantCases));
        assert_eq!(read_operation(Purpose::Referral), None);
    }
}

/// A disclosure with its history, for a demo or a migration from another system: written by
/// `author` from their latest approved report about `employee`, with every version of its text
/// and every ledger entry at the times given (oldest first).
#[derive(Clone, Debug)]
pub struct SeedDisclosure {
    pub employee: EmployeeId,
    pub author: UserId,
    pub purpose: Purpose,
    pub recipient: Recipient,
    /// (text, written at), one per version, oldest first.
    pub versions: Vec<(String, i64)>,
    pub entries: Vec<SeedConsent>,
}

#[derive(Clone, Debug)]
pub struct SeedConsent {
    /// 1-based, at most the number of versions.
    pub version: i64,
    pub decision: ConsentDecision,
    pub method: ConsentMethod,
    pub recorded_by: UserId,
    pub at: i64,
    pub expires_at: Option<i64>,
    /// Sealed; empty for none.
    pub comment: String,
    /// Sealed; required when the method is not the app.
    pub evidence: String,
}

impl Store {
    /// Loads disclosures and their ledgers in one transaction (an operator's command: the demo).
    /// Each must follow the ledger's rules entry by entry, as if decided at its time; one audit
    /// event at the end. Returns how many disclosures and entries were written.
    pub async fn seed_disclosures(&self, op: &Ctx, seeds: &[SeedDisclosure]) -> Result<(usize, usize)> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        let tenant = op.tenant;
        let mut tx = self.db.write.begin().await?;
        let mut entries = 0;
        for s in seeds {
            let Some(first) = s.versions.first() else { continue };
            let mut ledger: Vec<ConsentEntry> = Vec::new();
            for e in &s.entries {
                let current = consent::state(e.version, &ledger, e.at);
                may_decide(current, e.version, e.version, e.decision, e.expires_at, e.at).map_err(refusal)?;
                if e.version < 1 || e.version as usize > s.versions.len() || (e.method.on_behalf() && e.evidence.trim().is_empty()) {
                    return Err(StoreError::Config(format!("a seeded consent entry of employee {} is not valid", s.employee)));
                }
                ledger.push(ConsentEntry { version: e.version, decision: e.decision, at_ms: e.at, expires_at_ms: e.expires_at });
            }
            let report = sqlx::query(
                "SELECT MAX(id) AS id FROM reports WHERE tenant_id = $1 AND employee_id = $2 AND author_id = $3 AND status = 'approved'",
            )
            .bind(tenant.get())
            .bind(s.employee.get())
            .bind(s.author.get())
            .fetch_one(&mut *tx)
            .await?
            .try_get::<Option<i64>, _>("id")?
            .ok_or_else(|| StoreError::Config(format!("employee {} has no approved report by user {}", s.employee, s.author)))?;
            let (ru, rr) = match s.recipient {
                Recipient::User(u) => (Some(u.get()), None),
                Recipient::Role(role) => (None, Some(role.as_str())),
            };
            let last = s.entries.last().map_or(first.1, |e| e.at).max(s.versions.last().map_or(first.1, |v| v.1));
            let row = sqlx::query(
                "INSERT INTO disclosures (tenant_id, employee_id, report_id, author_id, purpose, recipient_user_id, recipient_role, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(tenant.get())
            .bind(s.employee.get())
            .bind(report)
            .bind(s.author.get())
            .bind(s.purpose.as_str())
            .bind(ru)
            .bind(rr)
            .bind(s.versions.len() as i64)
            .bind(first.1)
            .bind(last)
            .fetch_one(&mut *tx)
            .await?;
            let id = DisclosureId::new(row.try_get("id")?);
            for (n, (text, at)) in s.versions.iter().enumerate() {
                self.add_version_in_tx(&mut tx, tenant, (id, n as i64 + 1), s.author, text, *at).await?;
            }
            for e in &s.entries {
                let comment =
                    if e.comment.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, tenant, COMMENT_PURPOSE, &e.comment).await?) };
                let evidence =
                    if e.evidence.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, tenant, EVIDENCE_PURPOSE, &e.evidence).await?) };
                sqlx::query(
                    "INSERT INTO consent_records (tenant_id, disclosure_id, employee_id, purpose, version, decision, method, recorded_by, evidence_sealed_id, comment_sealed_id, expires_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(tenant.get())
                .bind(id.get())
                .bind(s.employee.get())
                .bind(s.purpose.as_str())
                .bind(e.version)
                .bind(e.decision.as_str())
                .bind(e.method.as_str())
                .bind(e.recorded_by.get())
                .bind(evidence.map(|x| x.get()))
                .bind(comment.map(|x| x.get()))
                .bind(e.expires_at)
                .bind(e.at)
                .execute(&mut *tx)
                .await?;
                entries += 1;
            }
        }
        let ev = op
            .event(AuditAction::DisclosureWritten, AuditTarget::DisclosureList, "seed")
            .detail(AuditDetail::count(seeds.len()).and(Fact::N(Key::Events, entries as i64)));
        Store::audit_in_tx(&mut tx, op, &[ev]).await?;
        tx.commit().await?;
        Ok((seeds.len(), entries))
    }
}
