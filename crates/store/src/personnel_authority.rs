//! Personnel authority (人事権): the tenant's marks on the accounts of people who decide hiring,
//! evaluation, promotion or transfers. A marked user reads no important case, escalation or boss
//! feedback, whatever role they act in (`Actor::has_personnel_authority`, read from the account
//! at every request). The administrator sets the marks; every change is audited.

use crate::ctx::{Acting, Admin};
use crate::{Result, Store, StoreError};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact};
use domain::ids::UserId;
use domain::policy::{self, Operation, Target};
use domain::Role;
use sqlx::Row;
use std::collections::BTreeMap;

/// The roles whose holders the page lists: those who could otherwise receive what the mark
/// withholds (HR's important cases, health staff's escalations, a boss's feedback) or who
/// usually hold the authority (management).
pub const LISTED_ROLES: [Role; 4] = [Role::Hr, Role::Executive, Role::Boss, Role::Health];

/// One account as the setting's page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonnelAuthorityRow {
    pub id: UserId,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub marked: bool,
    pub disabled: bool,
}

impl Store {
    /// The accounts holding a listed role, and any marked account, by login.
    pub async fn personnel_authority_accounts(&self, me: &Acting<Admin>) -> Result<Vec<PersonnelAuthorityRow>> {
        let ctx = me.ctx();
        if !policy::decide(&me.actor(), Operation::SetPersonnelAuthority, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(
            "SELECT u.id, u.login, u.display_name, u.personnel_authority, u.disabled_at, r.role
             FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE u.tenant_id = $1 ORDER BY u.login, r.role",
        )
        .bind(ctx.tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let mut by_id: BTreeMap<i64, PersonnelAuthorityRow> = BTreeMap::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let entry = match by_id.get_mut(&id) {
                Some(e) => e,
                None => by_id.entry(id).or_insert(PersonnelAuthorityRow {
                    id: UserId::new(id),
                    login: r.try_get("login")?,
                    display_name: r.try_get("display_name")?,
                    roles: Vec::new(),
                    marked: r.try_get::<i64, _>("personnel_authority")? != 0,
                    disabled: r.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
                }),
            };
            if let Some(role) = r.try_get::<Option<String>, _>("role")?.and_then(|s| Role::parse(&s)) {
                entry.roles.push(role);
            }
        }
        let mut out: Vec<PersonnelAuthorityRow> =
            by_id.into_values().filter(|a| a.marked || a.roles.iter().any(|r| LISTED_ROLES.contains(r))).collect();
        out.sort_by(|a, b| a.login.cmp(&b.login));
        Ok(out)
    }

    /// Marks an account of the tenant as holding personnel authority, or takes the mark away;
    /// audited with the change. Returns whether anything changed (setting the same value again
    /// writes nothing). An account of another tenant answers as one that does not exist.
    pub async fn set_personnel_authority(&self, me: &Acting<Admin>, user: UserId, marked: bool) -> Result<bool> {
        let ctx = me.ctx();
        if !policy::decide(&me.actor(), Operation::SetPersonnelAuthority, Target::InTenant(ctx.tenant)).is_allow() {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.db.write.begin().await?;
        let was = sqlx::query("SELECT personnel_authority FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get::<i64, _>("personnel_authority")?
            != 0;
        if was == marked {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET personnel_authority = $1 WHERE id = $2 AND tenant_id = $3")
            .bind(i64::from(marked))
            .bind(user.get())
            .bind(ctx.tenant.get())
            .execute(&mut *tx)
            .await?;
        let word = |m: bool| if m { "personnel_authority" } else { "unmarked" };
        let detail = AuditDetail::of(Fact::Transition { from: word(was), to: word(marked) });
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::PersonnelAuthorityChanged, AuditTarget::User, user).detail(detail)])
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
