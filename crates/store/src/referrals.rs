//! Referrals (関連部署との連携, R9) and the tenant's outside contacts.
//!
//! A consultant refers an employee to a health staff member, to everyone acting as health staff,
//! or to an outside contact (the EAP, an institution). The referral stands on the employee's
//! consent for the `referral` purpose — a granted referral-purpose disclosure the consultant
//! wrote, whose exact text becomes the referral's sealed summary — or on a life/safety escalation
//! the consultant raised (its designated responders receive it without consent; the escalation
//! is recorded as the basis). Without either, the referral is refused.
//!
//! Every read derives the consent's state from the ledger at the time of the read and asks the
//! policy (`Target::Referral`, which asks `consent::released_version`), so a withdrawal takes
//! effect for every later read at once; a referral the reader may not see answers as not found.
//! The summary and the notes are sealed and opened only through the gate, audited first. HR
//! reads no referral, only counts per cycle with the tenant's k.

use crate::disclosures::Derived;
use crate::paging::{PageRequest, Paged};
use crate::{now_ms, Acting, Consultant, Ctx, Hr, Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::consent::{DisclosureState, Purpose};
use domain::ids::{ContactId, DisclosureId, EmployeeId, EscalationId, ReferralId, ReportId, SealedId, TenantId, UserId};
use domain::policy::{self, Actor, EscalationBasis, Operation, Permit, ReferralConsent, ReferralFacts, Target};
use domain::referral::{
    check_decision_at, check_summary, no_basis, transition, Addressee, CheckedContact, CheckedDecision, ContactKind, ReferralStatus,
};
use domain::{Invalid, Role};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const SUMMARY_PURPOSE: &str = "referral_summary";
const NOTE_PURPOSE: &str = "referral_note";
/// The most referrals one list reads.
const LIST_MAX: i64 = 5000;

/// An outside contact of the tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub kind: ContactKind,
    pub phone: String,
    pub email: String,
    pub active: bool,
}

/// Whom a consultant may refer to: health staff (by name) and the active contacts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralRecipients {
    pub health: Vec<(UserId, String)>,
    pub contacts: Vec<Contact>,
}

/// A consent a referral may stand on: a granted referral-purpose disclosure the consultant wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralConsentOption {
    pub disclosure: DisclosureId,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub granted_at: Option<i64>,
}

/// What a referral stands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralBasis {
    Consent { disclosure: DisclosureId, version: i64 },
    Escalation(EscalationId),
}

/// A new referral as the consultant asks for it.
#[derive(Clone, Debug)]
pub struct NewReferral<'a> {
    pub employee: Option<EmployeeId>,
    pub report: Option<ReportId>,
    /// The referral-purpose disclosure to stand on; `None` takes the newest granted one.
    pub disclosure: Option<DisclosureId>,
    /// Refer under this escalation (without consent) instead.
    pub escalation: Option<EscalationId>,
    pub addressee: Addressee,
    /// Empty takes the consented text.
    pub summary: &'a str,
}

/// A referral as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralRow {
    pub id: ReferralId,
    pub employee: EmployeeId,
    pub employee_number: String,
    pub employee_name: String,
    pub report: Option<ReportId>,
    pub referred_by: UserId,
    pub referred_by_name: String,
    pub addressee: Addressee,
    /// The addressee's name (a person or a contact); empty for the health role.
    pub addressee_name: String,
    pub contact_kind: Option<ContactKind>,
    pub basis: ReferralBasis,
    /// The consent's state now (derived from the ledger at this read); `None` under an escalation.
    pub consent_state: Option<DisclosureState>,
    pub status: ReferralStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One step of a referral.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralEvent {
    pub status: ReferralStatus,
    pub by: UserId,
    pub by_name: String,
    pub at: i64,
    /// The note or reason (opened through the gate); empty for none.
    pub note: String,
}

/// One referral with its summary and its history (oldest first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralDetail {
    pub row: ReferralRow,
    pub summary: String,
    pub events: Vec<ReferralEvent>,
    /// Whether the reader may record the next decision.
    pub may_decide: bool,
}

/// HR's counts of one cycle; `None` where the count is suppressed (below the tenant's k).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralCounts {
    pub cycle: String,
    pub referred: Option<i64>,
    pub accepted: Option<i64>,
    pub closed: Option<i64>,
}

/// The counts HR sees, with the tenant's k.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferralCountsView {
    pub k: i64,
    pub cycles: Vec<ReferralCounts>,
}

const ROW_SELECT: &str = "SELECT r.id, r.employee_id, e.employee_number, e.name AS employee_name, r.report_id, r.referred_by,
        rb.display_name AS referred_by_name, r.recipient_user_id, r.recipient_role, r.contact_id,
        COALESCE(ru.display_name, '') AS recipient_name, COALESCE(c.name, '') AS contact_name, COALESCE(c.kind, '') AS contact_kind,
        r.disclosure_id, r.disclosure_version, r.escalation_id, r.summary_sealed_id, r.status, r.created_at, r.updated_at
     FROM referrals r
     JOIN employees e ON e.id = r.employee_id
     JOIN users rb ON rb.id = r.referred_by
     LEFT JOIN users ru ON ru.id = r.recipient_user_id
     LEFT JOIN tenant_contacts c ON c.id = r.contact_id";

struct Raw {
    row: ReferralRow,
    summary: SealedId,
}

fn raw(r: &AnyRow) -> Result<Raw> {
    let addressee = match (
        r.try_get::<Option<i64>, _>("recipient_user_id")?,
        r.try_get::<Option<String>, _>("recipient_role")?,
        r.try_get::<Option<i64>, _>("contact_id")?,
    ) {
        (Some(u), _, _) => Addressee::User(UserId::new(u)),
        (None, Some(role), _) => {
            Addressee::Role(Role::parse(&role).ok_or_else(|| StoreError::Config(format!("unknown referral role {role}")))?)
        }
        (None, None, Some(c)) => Addressee::Contact(ContactId::new(c)),
        _ => return Err(StoreError::Config("a referral without an addressee".into())),
    };
    let basis = match (
        r.try_get::<Option<i64>, _>("disclosure_id")?,
        r.try_get::<Option<i64>, _>("disclosure_version")?,
        r.try_get::<Option<i64>, _>("escalation_id")?,
    ) {
        (Some(d), Some(v), _) => ReferralBasis::Consent { disclosure: DisclosureId::new(d), version: v },
        (_, _, Some(e)) => ReferralBasis::Escalation(EscalationId::new(e)),
        _ => return Err(StoreError::Config("a referral without a basis".into())),
    };
    let status: String = r.try_get("status")?;
    let kind: String = r.try_get("contact_kind")?;
    let addressee_name: String = match addressee {
        Addressee::User(_) => r.try_get("recipient_name")?,
        Addressee::Contact(_) => r.try_get("contact_name")?,
        Addressee::Role(_) => String::new(),
    };
    Ok(Raw {
        row: ReferralRow {
            id: ReferralId::new(r.try_get("id")?),
            employee: EmployeeId::new(r.try_get("employee_id")?),
            employee_number: r.try_get("employee_number")?,
            employee_name: r.try_get("employee_name")?,
            report: r.try_get::<Option<i64>, _>("report_id")?.map(ReportId::new),
            referred_by: UserId::new(r.try_get("referred_by")?),
            referred_by_name: r.try_get("referred_by_name")?,
            addressee,
            addressee_name,
            contact_kind: ContactKind::parse(&kind),
            basis,
            consent_state: None,
            status: ReferralStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown referral status {status}")))?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        },
        summary: SealedId::new(r.try_get("summary_sealed_id")?),
    })
}

/// A referral with the facts the policy decides on for the actor of this read.
struct Seen {
    raw: Raw,
    facts: ReferralFacts,
}

fn contact_of(r: &AnyRow) -> Result<Contact> {
    let kind: String = r.try_get("kind")?;
    Ok(Contact {
        id: ContactId::new(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: ContactKind::parse(&kind).ok_or_else(|| StoreError::Config(format!("unknown contact kind {kind}")))?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

fn addressee_columns(a: Addressee) -> (Option<i64>, Option<&'static str>, Option<i64>) {
    match a {
        Addressee::User(u) => (Some(u.get()), None, None),
        Addressee::Role(r) => (None, Some(r.as_str()), None),
        Addressee::Contact(c) => (None, None, Some(c.get())),
    }
}

fn recipient_problem() -> StoreError {
    Invalid::new(
        "recipient",
        "紹介先を選んでください（産業保健スタッフ、またはこの会社に登録された連携先）。",
        "choose the recipient: health staff, or a contact registered for this company",
    )
    .into()
}

impl Store {
    // ------------------------------------------------------------------ contacts (HR)

    /// The tenant's outside contacts (HR keeps them; a consultant chooses among the active ones).
    pub async fn referral_contacts(&self, ctx: &Ctx) -> Result<Vec<Contact>> {
        let actor = ctx.actor()?;
        let allowed = [Operation::ManageReferralContacts, Operation::MakeReferrals]
            .into_iter()
            .any(|op| policy::decide(&actor, op, Target::InTenant(ctx.tenant)).is_allow());
        if !allowed {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT id, name, kind, phone, email, active FROM tenant_contacts WHERE tenant_id = $1 ORDER BY active DESC, name, id",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter().map(contact_of).collect()
    }

    /// HR adds a contact (`id` `None`) or changes one, and marks it active or not.
    pub async fn save_contact(&self, me: &Acting<Hr>, id: Option<ContactId>, c: &CheckedContact, active: bool) -> Result<ContactId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::ManageReferralContacts, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let id = match id {
            Some(id) => {
                let n = sqlx::query(
                    "UPDATE tenant_contacts SET name = $1, kind = $2, phone = $3, email = $4, active = $5, updated_at = $6 WHERE id = $7 AND tenant_id = $8",
                )
                .bind(&c.name)
                .bind(c.kind.as_str())
                .bind(&c.phone)
                .bind(&c.email)
                .bind(i64::from(active))
                .bind(now)
                .bind(id.get())
                .bind(ctx.tenant.get())
                .execute(&mut *tx)
                .await?;
                if n.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id
            }
            None => ContactId::new(
                sqlx::query(
                    "INSERT INTO tenant_contacts (tenant_id, name, kind, phone, email, active, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(ctx.tenant.get())
                .bind(&c.name)
                .bind(c.kind.as_str())
                .bind(&c.phone)
                .bind(&c.email)
                .bind(i64::from(active))
                .bind(actor.user().get())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?,
            ),
        };
        let ev =
            ctx.event(AuditAction::ReferralWritten, AuditTarget::TenantContact, id).detail(AuditDetail::of(Fact::Is(Outcome::Updated)));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }

    // ------------------------------------------------------------------ the consultant

    /// Whom the consultant may refer to.
    pub async fn referral_recipients(&self, me: &Acting<Consultant>) -> Result<ReferralRecipients> {
        let ctx = me.ctx();
        let health = self.health_staff(ctx.tenant).await?;
        let contacts = self.referral_contacts(ctx).await?.into_iter().filter(|c| c.active).collect();
        Ok(ReferralRecipients { health, contacts })
    }

    async fn health_staff(&self, tenant: TenantId) -> Result<Vec<(UserId, String)>> {
        let rows = sqlx::query(
            "SELECT DISTINCT u.id, u.display_name FROM users u JOIN user_roles ur ON ur.user_id = u.id
             WHERE u.tenant_id = $1 AND ur.role = $2 AND u.disabled_at IS NULL ORDER BY u.display_name, u.id",
        )
        .bind(tenant.get())
        .bind(Role::Health.as_str())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter().map(|r| Ok((UserId::new(r.try_get("id")?), r.try_get("display_name")?))).collect()
    }

    /// The consents the consultant may refer on now: their referral-purpose disclosures that the
    /// employee has granted (derived from the ledger at this read). No text is opened.
    pub async fn referral_consents(&self, me: &Acting<Consultant>) -> Result<Vec<ReferralConsentOption>> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM disclosures WHERE tenant_id = $1 AND author_id = $2 AND purpose = $3 ORDER BY updated_at DESC, id DESC LIMIT 1000",
        )
        .bind(ctx.tenant.get())
        .bind(actor.user().get())
        .bind(Purpose::Referral.as_str())
        .fetch_all(&self.db.read)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
        let derived = self.derive_ids(ctx, &ids, now_ms()).await?;
        Ok(derived
            .iter()
            .filter(|d| d.state == DisclosureState::Granted)
            .filter(|d| policy::decide(&actor, Operation::WriteDisclosures, d.target()).is_allow())
            .map(|d| {
                let row = d.row();
                ReferralConsentOption {
                    disclosure: row.id,
                    employee: row.employee,
                    employee_number: row.employee_number,
                    employee_name: row.employee_name,
                    granted_at: row.granted_at,
                }
            })
            .collect())
    }

    /// Refers an employee. On consent: the consultant's granted referral-purpose disclosure about
    /// the employee (the one named, or the newest), whose text becomes the sealed summary. Under
    /// an escalation the consultant raised (open or acknowledged): to its designated responders,
    /// with the consultant's summary. Neither: refused with the reason (422).
    pub async fn create_referral(&self, me: &Acting<Consultant>, new: &NewReferral<'_>) -> Result<ReferralId> {
        let (ctx, actor) = (me.ctx(), me.actor());
        let now = now_ms();
        // Whom it is about: the report the consultant wrote, or the employee named.
        let mut employee = new.employee;
        if let Some(report) = new.report {
            let r = sqlx::query("SELECT employee_id, author_id FROM reports WHERE tenant_id = $1 AND id = $2")
                .bind(ctx.tenant.get())
                .bind(report.get())
                .fetch_optional(&self.db.read)
                .await?
                .ok_or(StoreError::NotFound)?;
            if UserId::new(r.try_get("author_id")?) != actor.user() {
                return Err(self.refused(ctx, Operation::MakeReferrals, AuditTarget::Report, report).await);
            }
            let of_report = EmployeeId::new(r.try_get("employee_id")?);
            if employee.is_some_and(|e| e != of_report) {
                return Err(Invalid::new(
                    "employee_id",
                    "報告書の従業員と指定の従業員が異なります。",
                    "the report is about another employee",
                )
                .into());
            }
            employee = Some(of_report);
        }
        // The addressee must exist in the tenant.
        match new.addressee {
            Addressee::User(u) => {
                if !self.health_staff(ctx.tenant).await?.iter().any(|(id, _)| *id == u) {
                    return Err(recipient_problem());
                }
            }
            Addressee::Role(r) if r != Role::Health => return Err(recipient_problem()),
            Addressee::Role(_) => {}
            Addressee::Contact(c) => {
                let found = sqlx::query("SELECT active FROM tenant_contacts WHERE tenant_id = $1 AND id = $2")
                    .bind(ctx.tenant.get())
                    .bind(c.get())
                    .fetch_optional(&self.db.read)
                    .await?;
                let active = found.map(|r| r.try_get::<i64, _>("active")).transpose()?.is_some_and(|a| a != 0);
                if !active {
                    return Err(recipient_problem());
                }
            }
        }
        let (basis, summary, consent, escalation, employee) = match new.escalation {
            Some(esc) => {
                let r = sqlx::query("SELECT employee_id, raised_by, state FROM escalations WHERE tenant_id = $1 AND id = $2")
                    .bind(ctx.tenant.get())
                    .bind(esc.get())
                    .fetch_optional(&self.db.read)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                if UserId::new(r.try_get("raised_by")?) != actor.user() {
                    return Err(self.refused(ctx, Operation::MakeReferrals, AuditTarget::Escalation, esc).await);
                }
                let of_esc = EmployeeId::new(r.try_get("employee_id")?);
                if employee.is_some_and(|e| e != of_esc) {
                    return Err(Invalid::new(
                        "escalation_id",
                        "エスカレーションの従業員と指定の従業員が異なります。",
                        "the escalation is about another employee",
                    )
                    .into());
                }
                let state: String = r.try_get("state")?;
                if state == "closed" {
                    return Err(Invalid::new(
                        "escalation_id",
                        "完了したエスカレーションに基づく紹介はできません。本人の同意を得て紹介してください。",
                        "a closed escalation is no basis for a referral; ask for the employee's consent",
                    )
                    .into());
                }
                // Only to the escalation's responders: a designated health staff member, or
                // health staff as a role (released to its designated members only).
                let to_responder = match new.addressee {
                    Addressee::User(u) => self.is_designated(&Actor::new(u, ctx.tenant, Role::Health)).await?,
                    Addressee::Role(r) => r == Role::Health,
                    Addressee::Contact(_) => false,
                };
                if !to_responder {
                    return Err(Invalid::new(
                        "recipient",
                        "同意のない紹介は、エスカレーションの対応者（指定された産業保健スタッフ）にのみ送れます。",
                        "without consent, a referral goes only to the escalation's designated responders among health staff",
                    )
                    .into());
                }
                let summary = check_summary(new.summary, None)?;
                (ReferralBasis::Escalation(esc), summary, None, Some(EscalationBasis { designated: true }), of_esc)
            }
            None => {
                let Some(employee) = employee.or(match new.disclosure {
                    Some(d) => self.derive_ids(ctx, &[d.get()], now).await?.first().map(Derived::employee),
                    None => None,
                }) else {
                    return Err(Invalid::new(
                        "employee_id",
                        "紹介する従業員（または報告書）を指定してください。",
                        "name the employee or the report",
                    )
                    .into());
                };
                let (d, text) = self.consent_for(ctx, &actor, employee, new.disclosure, now).await?;
                let summary = check_summary(new.summary, Some(&text))?;
                let consent = ReferralConsent { facts: d.facts, state: d.state, version: d.version() };
                (ReferralBasis::Consent { disclosure: d.id(), version: d.version() }, summary, Some(consent), None, employee)
            }
        };
        let facts = ReferralFacts { tenant: ctx.tenant, referred_by: actor.user(), addressee: new.addressee, consent, escalation };
        if !policy::decide(&actor, Operation::MakeReferrals, Target::Referral(facts)).is_allow() {
            return Err(no_basis().into());
        }
        let (ru, rr, rc) = addressee_columns(new.addressee);
        let (disclosure, version, esc) = match basis {
            ReferralBasis::Consent { disclosure, version } => (Some(disclosure.get()), Some(version), None),
            ReferralBasis::Escalation(e) => (None, None, Some(e.get())),
        };
        let mut tx = self.db.write.begin().await?;
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, SUMMARY_PURPOSE, &summary).await?;
        let row = sqlx::query(
            "INSERT INTO referrals (tenant_id, employee_id, report_id, referred_by, recipient_user_id, recipient_role, contact_id,
                disclosure_id, disclosure_version, escalation_id, summary_sealed_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(employee.get())
        .bind(new.report.map(|r| r.get()))
        .bind(actor.user().get())
        .bind(ru)
        .bind(rr)
        .bind(rc)
        .bind(disclosure)
        .bind(version)
        .bind(esc)
        .bind(sealed.get())
        .bind(ReferralStatus::Referred.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id = ReferralId::new(row.try_get("id")?);
        sqlx::query("INSERT INTO referral_events (tenant_id, referral_id, status, by_user, note_sealed_id, created_at) VALUES ($1, $2, $3, $4, NULL, $5)")
            .bind(ctx.tenant.get())
            .bind(id.get())
            .bind(ReferralStatus::Referred.as_str())
            .bind(actor.user().get())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let basis_name = if matches!(basis, ReferralBasis::Escalation(_)) { "escalation" } else { "consent" };
        let ev = ctx
            .event(AuditAction::ReferralWritten, AuditTarget::Referral, id)
            .detail(AuditDetail::of(Fact::Is(Outcome::Created)).and(Fact::Name(Key::Via, basis_name)));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The granted referral-purpose disclosure a referral stands on, and its text (an audited
    /// read by its author).
    async fn consent_for(
        &self,
        ctx: &Ctx,
        actor: &Actor,
        employee: EmployeeId,
        named: Option<DisclosureId>,
        now: i64,
    ) -> Result<(Derived, String)> {
        let ids: Vec<i64> = match named {
            Some(d) => vec![d.get()],
            None => sqlx::query(
                "SELECT id FROM disclosures WHERE tenant_id = $1 AND author_id = $2 AND employee_id = $3 AND purpose = $4
                 ORDER BY updated_at DESC, id DESC LIMIT 100",
            )
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(employee.get())
            .bind(Purpose::Referral.as_str())
            .fetch_all(&self.db.read)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?,
        };
        let mut derived = self.derive_ids(ctx, &ids, now).await?;
        if let Some(d) = named {
            // A disclosure named that is not the consultant's own referral consent about this
            // employee answers as missing.
            let ok = derived.first().is_some_and(|x| {
                x.facts.purpose == Purpose::Referral
                    && x.employee() == employee
                    && policy::decide(actor, Operation::WriteDisclosures, x.target()).is_allow()
            });
            if !ok {
                return Err(self.refused(ctx, Operation::MakeReferrals, AuditTarget::Disclosure, d).await);
            }
        }
        let pos = derived
            .iter()
            .position(|x| x.state == DisclosureState::Granted && policy::decide(actor, Operation::WriteDisclosures, x.target()).is_allow())
            .ok_or_else(|| StoreError::from(no_basis()))?;
        let d = derived.swap_remove(pos);
        let permit = policy::permit(actor, Operation::WriteDisclosures, d.target()).ok_or(StoreError::NotFound)?;
        let ev = ctx
            .event(AuditAction::DisclosureRead, AuditTarget::Disclosure, d.id())
            .detail(AuditDetail::of(Fact::Name(Key::Purpose, Purpose::Referral.as_str())));
        let text = self.open_permitted(ctx, &permit, &[ev], &[d.text_id()]).await?.remove(&d.text_id()).unwrap_or_default();
        Ok((d, text))
    }

    // ------------------------------------------------------------------ reading

    /// The referrals of `condition`, with the facts the policy decides on for this actor now.
    async fn seen(&self, ctx: &Ctx, actor: &Actor, condition: &str, binds: &[Bind<'_>]) -> Result<Vec<Seen>> {
        let sql = format!("{ROW_SELECT} WHERE r.tenant_id = $1 AND {condition} ORDER BY r.updated_at DESC, r.id DESC LIMIT {LIST_MAX}");
        let mut q = sqlx::query(&sql).bind(ctx.tenant.get());
        for b in binds {
            q = match b {
                Bind::I(v) => q.bind(*v),
                Bind::S(v) => q.bind(*v),
            };
        }
        let raws = q.fetch_all(&self.db.read).await?.iter().map(raw).collect::<Result<Vec<_>>>()?;
        let now = now_ms();
        let disclosure_ids: Vec<i64> = raws
            .iter()
            .filter_map(|r| match r.row.basis {
                ReferralBasis::Consent { disclosure, .. } => Some(disclosure.get()),
                ReferralBasis::Escalation(_) => None,
            })
            .collect();
        let mut consents: HashMap<DisclosureId, (domain::consent::DisclosureFacts, DisclosureState)> = HashMap::new();
        let mut unique = disclosure_ids.clone();
        unique.sort_unstable();
        unique.dedup();
        for chunk in unique.chunks(400) {
            for d in self.derive_ids(ctx, chunk, now).await? {
                consents.insert(d.id(), (d.facts, d.state));
            }
        }
        let designated =
            if raws.iter().any(|r| matches!(r.row.basis, ReferralBasis::Escalation(_))) { self.is_designated(actor).await? } else { false };
        Ok(raws
            .into_iter()
            .map(|mut raw| {
                let (consent, escalation) = match raw.row.basis {
                    ReferralBasis::Consent { disclosure, version } => {
                        let c = consents.get(&disclosure).map(|(facts, state)| ReferralConsent { facts: *facts, state: *state, version });
                        raw.row.consent_state = c.map(|c| if c.version == c.facts.version { c.state } else { DisclosureState::Pending });
                        (c, None)
                    }
                    ReferralBasis::Escalation(_) => (None, Some(EscalationBasis { designated })),
                };
                let facts = ReferralFacts {
                    tenant: ctx.tenant,
                    referred_by: raw.row.referred_by,
                    addressee: raw.row.addressee,
                    consent,
                    escalation,
                };
                Seen { raw, facts }
            })
            .collect())
    }

    /// The referrals the reader sees, newest first: a consultant's own, or those addressed to a
    /// health staff member (to them, or to health staff) whose basis holds now. Optionally in one
    /// status. The list shows no summary; it is audited as a read of the list.
    pub async fn referrals_page(&self, ctx: &Ctx, status: Option<ReferralStatus>, page: PageRequest) -> Result<Paged<ReferralRow>> {
        let actor = ctx.actor()?;
        let all = match actor.role() {
            Role::Consultant => self.seen(ctx, &actor, "r.referred_by = $2", &[Bind::I(actor.user().get())]).await?,
            Role::Health => {
                self.seen(
                    ctx,
                    &actor,
                    "(r.recipient_user_id = $2 OR r.recipient_role = $3)",
                    &[Bind::I(actor.user().get()), Bind::S(Role::Health.as_str())],
                )
                .await?
            }
            _ => Vec::new(),
        };
        let rows: Vec<ReferralRow> = all
            .into_iter()
            .filter(|s| policy::decide(&actor, Operation::ViewReferrals, Target::Referral(s.facts)).is_allow())
            .filter(|s| status.is_none_or(|st| st == s.raw.row.status))
            .map(|s| s.raw.row)
            .collect();
        let total = rows.len() as i64;
        let items: Vec<ReferralRow> = rows.into_iter().skip(page.offset().max(0) as usize).take(page.limit().max(0) as usize).collect();
        let ev =
            ctx.event(AuditAction::ReferralRead, AuditTarget::ReferralList, actor.role().as_str()).detail(AuditDetail::count(items.len()));
        self.audit(ctx, ev).await?;
        Ok(Paged { total, items })
    }

    /// How many referrals wait for the health staff member's answer, and how many are in care
    /// (their home card); no text is opened.
    pub async fn referral_counts_for_me(&self, ctx: &Ctx) -> Result<(usize, usize)> {
        let page = self.referrals_page(ctx, None, PageRequest::new(crate::paging::MAX_PAGE_SIZE, 0)).await?;
        let waiting = page.items.iter().filter(|r| r.status == ReferralStatus::Referred).count();
        let caring = page.items.iter().filter(|r| matches!(r.status, ReferralStatus::Accepted | ReferralStatus::InCare)).count();
        Ok((waiting, caring))
    }

    async fn seen_one(&self, ctx: &Ctx, actor: &Actor, id: ReferralId) -> Result<Seen> {
        self.seen(ctx, actor, "r.id = $2", &[Bind::I(id.get())]).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// One referral with its summary and history, for the consultant who referred or the
    /// addressee while its basis holds; anything else answers as not found (and is audited as
    /// refused). The read is audited before the summary is opened.
    pub async fn referral(&self, ctx: &Ctx, id: ReferralId) -> Result<ReferralDetail> {
        let actor = ctx.actor()?;
        let s = self.seen_one(ctx, &actor, id).await?;
        let Some(permit) = policy::permit(&actor, Operation::ViewReferrals, Target::Referral(s.facts)) else {
            return Err(self.refused(ctx, Operation::ViewReferrals, AuditTarget::Referral, id).await);
        };
        let may_decide =
            policy::decide(&actor, Operation::DecideReferrals, Target::Referral(s.facts)).is_allow() && !s.raw.row.status.is_terminal();
        let events = self.referral_events(id).await?;
        let mut seals: Vec<(Permit, SealedId)> = vec![(permit, s.raw.summary)];
        seals.extend(events.iter().filter_map(|(_, note)| note.map(|n| (permit, n))));
        let ev = ctx.event(AuditAction::ReferralRead, AuditTarget::Referral, id);
        let texts = self.open_permitted_each(ctx, &[ev], &seals).await?;
        Ok(ReferralDetail {
            summary: texts.get(&s.raw.summary).cloned().unwrap_or_default(),
            events: events
                .into_iter()
                .map(|(mut e, note)| {
                    e.note = note.and_then(|n| texts.get(&n).cloned()).unwrap_or_default();
                    e
                })
                .collect(),
            row: s.raw.row,
            may_decide,
        })
    }

    async fn referral_events(&self, id: ReferralId) -> Result<Vec<(ReferralEvent, Option<SealedId>)>> {
        let rows = sqlx::query(
            "SELECT ev.status, ev.by_user, u.display_name, ev.created_at, ev.note_sealed_id FROM referral_events ev JOIN users u ON u.id = ev.by_user
             WHERE ev.referral_id = $1 ORDER BY ev.id",
        )
        .bind(id.get())
        .fetch_all(&self.db.read)
        .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok((
                    ReferralEvent {
                        status: ReferralStatus::parse(&status)
                            .ok_or_else(|| StoreError::Config(format!("unknown referral status {status}")))?,
                        by: UserId::new(r.try_get("by_user")?),
                        by_name: r.try_get("display_name")?,
                        at: r.try_get("created_at")?,
                        note: String::new(),
                    },
                    r.try_get::<Option<i64>, _>("note_sealed_id")?.map(SealedId::new),
                ))
            })
            .collect()
    }

    /// The recipient's decision (a contact's through the consultant who referred): accept with
    /// an optional note, decline with a reason, start care, close. The status machine of
    /// `domain::referral::transition`; a change made meanwhile is refused.
    pub async fn decide_referral(&self, ctx: &Ctx, id: ReferralId, d: &CheckedDecision) -> Result<ReferralStatus> {
        self.decide_referral_as_typed(ctx, id, d.action.as_str(), &d.note).await
    }

    /// The decision as typed in a form or a request body: once the referral is found and the
    /// actor may answer it, checked against its current status (`check_decision_at`), so that a
    /// step that cannot follow is said as such rather than asking for a reason; every problem
    /// comes back (`StoreError::problems`). A referral the actor may not see is not found
    /// before anything typed is looked at.
    pub async fn decide_referral_as_typed(&self, ctx: &Ctx, id: ReferralId, action: &str, note: &str) -> Result<ReferralStatus> {
        let actor = ctx.actor()?;
        let s = self.seen_one(ctx, &actor, id).await?;
        if !policy::decide(&actor, Operation::DecideReferrals, Target::Referral(s.facts)).is_allow() {
            return Err(self.refused(ctx, Operation::DecideReferrals, AuditTarget::Referral, id).await);
        }
        let from = s.raw.row.status;
        let d = check_decision_at(from, action, note).map_err(StoreError::problems)?;
        let to = transition(from, d.action)?;
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let n = sqlx::query("UPDATE referrals SET status = $1, updated_at = $2 WHERE id = $3 AND tenant_id = $4 AND status = $5")
            .bind(to.as_str())
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(domain::Message::new(
                "この紹介は、ほかの画面で更新されています。開き直してから記録してください。",
                "this referral was changed elsewhere; open it again",
            )));
        }
        let note = if d.note.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, ctx.tenant, NOTE_PURPOSE, &d.note).await?) };
        sqlx::query("INSERT INTO referral_events (tenant_id, referral_id, status, by_user, note_sealed_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(ctx.tenant.get())
            .bind(id.get())
            .bind(to.as_str())
            .bind(actor.user().get())
            .bind(note.map(|n| n.get()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let ev = ctx
            .event(AuditAction::ReferralDecided, AuditTarget::Referral, id)
            .detail(AuditDetail::of(Fact::Name(Key::Status, to.as_str())));
        Store::audit_in_tx(&mut tx, ctx, &[ev]).await?;
        tx.commit().await?;
        Ok(to)
    }

    // ------------------------------------------------------------------ HR's counts

    /// HR's counts per cycle (referrals made within the cycle's dates, those accepted, those
    /// closed), each suppressed below the tenant's k. No referral, name or text.
    pub async fn referral_counts(&self, me: &Acting<Hr>) -> Result<ReferralCountsView> {
        let (ctx, actor) = (me.ctx(), me.actor());
        if !policy::decide(&actor, Operation::ViewReferralCounts, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let k: i64 = sqlx::query("SELECT k_threshold FROM tenants WHERE id = $1")
            .bind(ctx.tenant.get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("k_threshold")?;
        let cycles = sqlx::query("SELECT name, starts_on, ends_on FROM cycles WHERE tenant_id = $1 ORDER BY starts_on DESC, id DESC")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let referrals = sqlx::query("SELECT status, created_at FROM referrals WHERE tenant_id = $1")
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let mut made: Vec<(chrono::NaiveDate, ReferralStatus)> = Vec::new();
        for r in &referrals {
            let status: String = r.try_get("status")?;
            let (Some(day), Some(status)) = (domain::time::jst_date(r.try_get("created_at")?), ReferralStatus::parse(&status)) else {
                continue;
            };
            made.push((day, status));
        }
        let mut out = Vec::new();
        for c in &cycles {
            let from: String = c.try_get("starts_on")?;
            let to: String = c.try_get("ends_on")?;
            let (Ok(from), Ok(to)) =
                (chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d"), chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d"))
            else {
                continue;
            };
            let inside: Vec<ReferralStatus> = made.iter().filter(|(d, _)| *d >= from && *d <= to).map(|(_, s)| *s).collect();
            let referred = inside.len() as i64;
            let accepted =
                inside.iter().filter(|s| matches!(s, ReferralStatus::Accepted | ReferralStatus::InCare | ReferralStatus::Closed)).count()
                    as i64;
            let closed = inside.iter().filter(|s| **s == ReferralStatus::Closed).count() as i64;
            out.push(ReferralCounts {
                cycle: c.try_get("name")?,
                referred: domain::referral::shown_count(referred, k),
                accepted: domain::referral::shown_count(accepted, k),
                closed: domain::referral::shown_count(closed, k),
            });
        }
        let ev = ctx.event(AuditAction::ReferralRead, AuditTarget::ReferralList, "counts").detail(AuditDetail::count(out.len()));
        self.audit(ctx, ev).await?;
        Ok(ReferralCountsView { k, cycles: out })
    }
}

/// A bound value of a list's condition.
enum Bind<'a> {
    I(i64),
    S(&'a str),
}

// ---------------------------------------------------------------------- seeding (the demo)

/// What a seeded referral stands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeedBasis {
    /// The referrer's newest referral-purpose disclosure about the employee.
    Consent,
    /// The newest escalation the referrer raised about the employee.
    Escalation,
}

/// A referral with its history, for the demo: its steps after `referred` at the times given.
#[derive(Clone, Debug)]
pub struct SeedReferral {
    pub employee: EmployeeId,
    pub referred_by: UserId,
    pub addressee: Addressee,
    pub basis: SeedBasis,
    pub summary: String,
    pub referred_at: i64,
    /// (status reached, by, at, note), oldest first; each must follow the status machine.
    pub steps: Vec<(ReferralStatus, UserId, i64, String)>,
}

impl Store {
    /// Loads contacts (an operator's command: the demo); returns their ids in order.
    pub async fn seed_contacts(&self, op: &Ctx, contacts: &[CheckedContact]) -> Result<Vec<ContactId>> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        let now = now_ms();
        let mut tx = self.db.write.begin().await?;
        let mut ids = Vec::new();
        for c in contacts {
            let row = sqlx::query(
                "INSERT INTO tenant_contacts (tenant_id, name, kind, phone, email, active, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, $6) RETURNING id",
            )
            .bind(op.tenant.get())
            .bind(&c.name)
            .bind(c.kind.as_str())
            .bind(&c.phone)
            .bind(&c.email)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(ContactId::new(row.try_get("id")?));
        }
        let ev = op.event(AuditAction::ReferralWritten, AuditTarget::TenantContact, "seed").detail(AuditDetail::count(ids.len()));
        Store::audit_in_tx(&mut tx, op, &[ev]).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Loads referrals and their histories in one transaction (an operator's command: the demo).
    pub async fn seed_referrals(&self, op: &Ctx, seeds: &[SeedReferral]) -> Result<usize> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        let tenant = op.tenant;
        let mut tx = self.db.write.begin().await?;
        for s in seeds {
            let mut status = ReferralStatus::Referred;
            for (to, ..) in &s.steps {
                let action =
                    domain::referral::ReferralAction::ALL.into_iter().find(|a| a.target() == *to && status.next_actions().contains(a));
                status = action
                    .map(|a| a.target())
                    .ok_or_else(|| StoreError::Config(format!("a seeded referral cannot reach {}", to.as_str())))?;
            }
            let (disclosure, version, escalation) = match s.basis {
                SeedBasis::Consent => {
                    let r = sqlx::query(
                        "SELECT id, version FROM disclosures WHERE tenant_id = $1 AND employee_id = $2 AND author_id = $3 AND purpose = $4 ORDER BY id DESC LIMIT 1",
                    )
                    .bind(tenant.get())
                    .bind(s.employee.get())
                    .bind(s.referred_by.get())
                    .bind(Purpose::Referral.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::Config(format!("employee {} has no referral consent by user {}", s.employee, s.referred_by)))?;
                    (Some(r.try_get::<i64, _>("id")?), Some(r.try_get::<i64, _>("version")?), None)
                }
                SeedBasis::Escalation => {
                    let r =
                        sqlx::query("SELECT MAX(id) AS id FROM escalations WHERE tenant_id = $1 AND employee_id = $2 AND raised_by = $3")
                            .bind(tenant.get())
                            .bind(s.employee.get())
                            .bind(s.referred_by.get())
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get::<Option<i64>, _>("id")?
                            .ok_or_else(|| {
                                StoreError::Config(format!("employee {} has no escalation by user {}", s.employee, s.referred_by))
                            })?;
                    (None, None, Some(r))
                }
            };
            let (ru, rr, rc) = addressee_columns(s.addressee);
            let last = s.steps.last().map_or(s.referred_at, |st| st.2);
            let sealed = self.seal_in_tx(&mut tx, tenant, SUMMARY_PURPOSE, &s.summary).await?;
            let id: i64 = sqlx::query(
                "INSERT INTO referrals (tenant_id, employee_id, report_id, referred_by, recipient_user_id, recipient_role, contact_id,
                    disclosure_id, disclosure_version, escalation_id, summary_sealed_id, status, created_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(tenant.get())
            .bind(s.employee.get())
            .bind(s.referred_by.get())
            .bind(ru)
            .bind(rr)
            .bind(rc)
            .bind(disclosure)
            .bind(version)
            .bind(escalation)
            .bind(sealed.get())
            .bind(status.as_str())
            .bind(s.referred_at)
            .bind(last)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            let mut steps = vec![(ReferralStatus::Referred, s.referred_by, s.referred_at, String::new())];
            steps.extend(s.steps.iter().cloned());
            for (st, by, at, note) in steps {
                let note = if note.is_empty() { None } else { Some(self.seal_in_tx(&mut tx, tenant, NOTE_PURPOSE, &note).await?) };
                sqlx::query("INSERT INTO referral_events (tenant_id, referral_id, status, by_user, note_sealed_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(tenant.get())
                    .bind(id)
                    .bind(st.as_str())
                    .bind(by.get())
                    .bind(note.map(|n| n.get()))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let ev = op.event(AuditAction::ReferralWritten, AuditTarget::ReferralList, "seed").detail(AuditDetail::count(seeds.len()));
        Store::audit_in_tx(&mut tx, op, &[ev]).await?;
        tx.commit().await?;
        Ok(seeds.len())
    }
}
