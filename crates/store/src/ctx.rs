//! Who acts on the store. A `Ctx` names the tenant, the user and the role they act in (for the
//! audit log and for every decision); its fields are private to the store, and a user's context
//! is made only from a `SignedIn` proof, which only the store's authentication makes (a live
//! session, a valid API token, or a sign-in). Role-exclusive operations take an `Acting<R>`
//! handle instead, obtainable only from a context acting in that role (lldap's idea): a
//! forgotten role check is a type error, not a leak.

use crate::{Result, StoreError};
use domain::audit::{AuditAction, AuditEvent, AuditTarget};
use domain::ids::{TenantId, TokenId, UserId};
use domain::policy::{self, Actor, Operation, Target};
use domain::Role;
use std::marker::PhantomData;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ctx {
    pub(crate) tenant: TenantId,
    pub(crate) user: Option<UserId>,
    pub(crate) label: String,
    pub(crate) role: Option<Role>,
    /// The tenant marks this user as holding personnel authority (人事権): read from the account
    /// at every request, so a change holds at once (see `Actor::has_personnel_authority`).
    pub(crate) personnel_authority: bool,
}

/// Proof that the store authenticated a user: made by resolving a session or an API token, or by
/// creating a session at sign-in. Fields private; nothing outside the store can make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    tenant: TenantId,
    user: UserId,
    token: Option<TokenId>,
    role: Option<Role>,
}

impl SignedIn {
    pub(crate) fn new(tenant: TenantId, user: UserId, token: Option<TokenId>, role: Option<Role>) -> Self {
        Self { tenant, user, token, role }
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    /// The role recorded with the session or token (may since have been taken away).
    pub fn role(&self) -> Option<Role> {
        self.role
    }
}

impl Ctx {
    /// The context of an authenticated user acting in `role`, which they must still hold
    /// (`user`: their account as the store reads it now, with their current roles and whether
    /// they hold personnel authority). A role taken away since sign-in is dropped; an account
    /// that is not the proof's acts in no role.
    pub fn signed_in(proof: &SignedIn, user: &crate::UserRow, role: Option<Role>) -> Ctx {
        let label = match proof.token {
            // The audit log names the token that acted, so a leaked token's use can be traced.
            Some(id) => format!("{} (token {id})", user.login),
            None => user.login.clone(),
        };
        let same = user.id == proof.user && user.tenant == proof.tenant;
        Ctx {
            tenant: proof.tenant,
            user: Some(proof.user),
            label,
            role: role.filter(|r| same && user.roles.contains(r)),
            personnel_authority: user.personnel_authority,
        }
    }

    /// An operator's command-line action, recorded as `cli:<command>`. Reads no personal data.
    pub fn operator(tenant: TenantId, command: &str) -> Self {
        Self { tenant, user: None, label: format!("cli:{command}"), role: None, personnel_authority: false }
    }

    /// The system doing its own work in a background job, recorded as `job:<kind>`: it acts in
    /// no role, so no policy lets it read; the store opens what the job needs itself and
    /// audits it under this context (the theme extraction).
    pub(crate) fn system_job(tenant: TenantId, job: &str) -> Self {
        let label = if job.contains(':') { job.to_string() } else { format!("job:{job}") };
        Self { tenant, user: None, label, role: None, personnel_authority: false }
    }

    /// Someone not (yet) signed in, such as a failed sign-in: can be audited, reads nothing.
    pub fn anonymous(tenant: TenantId, label: &str) -> Self {
        Self { tenant, user: None, label: label.to_string(), role: None, personnel_authority: false }
    }

    /// A user's context for tests, without a proof.
    #[cfg(any(test, feature = "test-support"))]
    pub fn for_tests(tenant: TenantId, user: UserId, login: &str, role: Option<Role>) -> Self {
        Self { tenant, user: Some(user), label: login.to_string(), role, personnel_authority: false }
    }

    /// The same test context marked as holding personnel authority (or not).
    #[cfg(any(test, feature = "test-support"))]
    pub fn with_personnel_authority_for_tests(mut self, yes: bool) -> Self {
        self.personnel_authority = yes;
        self
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub fn user(&self) -> Option<UserId> {
        self.user
    }

    pub fn role(&self) -> Option<Role> {
        self.role
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn is_operator(&self) -> bool {
        self.user.is_none() && self.label.starts_with("cli:")
    }

    /// The signed-in actor of this context; operator and anonymous contexts have none, and
    /// get "not found".
    pub(crate) fn actor(&self) -> Result<Actor> {
        self.policy_actor().ok_or(StoreError::NotFound)
    }

    /// Asks the policy whether this context may take `op` on its tenant as a whole (set-up
    /// operations, the register): a user as their role allows, an operator's command as
    /// `policy::operator_may` allows. Refused as "not found".
    pub(crate) fn check(&self, op: Operation) -> Result<()> {
        let ok = match self.policy_actor() {
            Some(actor) => policy::decide(&actor, op, Target::InTenant(self.tenant)).is_allow(),
            None => self.is_operator() && policy::operator_may(op),
        };
        if ok {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The actor the policy decides for, if any.
    pub fn policy_actor(&self) -> Option<Actor> {
        match (self.user, self.role) {
            (Some(user), Some(role)) => Some(Actor::new(user, self.tenant, role).with_personnel_authority(self.personnel_authority)),
            _ => None,
        }
    }

    /// An audit event attributed to this actor.
    pub fn event(&self, action: AuditAction, target: AuditTarget, target_id: impl ToString) -> AuditEvent {
        AuditEvent::new(action, target, target_id).by(self.user.map(|u| u.get()), &self.label, self.role)
    }

    fn acting<R: ActingRole>(&self) -> Result<Acting<R>> {
        let actor = self.actor()?;
        if R::ROLES.contains(&actor.role()) {
            Ok(Acting { ctx: self.clone(), actor, _role: PhantomData })
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// A handle for a consultant's own operations (interviews, notes, reports, requests).
    pub fn as_consultant(&self) -> Result<Acting<Consultant>> {
        self.acting()
    }

    /// A handle for a supervisor's review operations.
    pub fn as_supervisor(&self) -> Result<Acting<Supervisor>> {
        self.acting()
    }

    /// A handle for HR's program set-up (cycles, taxonomy).
    pub fn as_hr(&self) -> Result<Acting<Hr>> {
        self.acting()
    }

    /// A handle for keeping the employee register (HR or the administrator).
    pub fn as_registrar(&self) -> Result<Acting<Registrar>> {
        self.acting()
    }

    /// A handle for an employee's own interviews and requests.
    pub fn as_employee(&self) -> Result<Acting<Employee>> {
        self.acting()
    }

    /// A handle for the administrator's accounts and audit log.
    pub fn as_admin(&self) -> Result<Acting<Admin>> {
        self.acting()
    }

    /// A handle for a boss: the guide, and the feedback released to them (R8).
    pub fn as_boss(&self) -> Result<Acting<Boss>> {
        self.acting()
    }

    /// A handle for health staff: escalations and referrals addressed to them (R4).
    pub fn as_health(&self) -> Result<Acting<Health>> {
        self.acting()
    }

    /// A handle for an escalation responder: health staff, or an HR lead the tenant names.
    pub fn as_responder(&self) -> Result<Acting<Responder>> {
        self.acting()
    }
}

/// A context known to act in one of `R`'s roles.
#[derive(Clone, Debug)]
pub struct Acting<R> {
    ctx: Ctx,
    actor: Actor,
    _role: PhantomData<R>,
}

impl<R> Acting<R> {
    pub fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }
}

/// The roles a handle stands for.
pub trait ActingRole {
    const ROLES: &'static [Role];
}

macro_rules! acting_roles {
    ($($(#[$m:meta])* $name:ident => [$($role:ident),+]),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name;
        impl ActingRole for $name {
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    )*};
}

acting_roles!(
    /// キャリアコンサルタント.
    Consultant => [Consultant],
    /// スーパーバイザー.
    Supervisor => [Supervisor],
    /// 人事部門.
    Hr => [Hr],
    /// Whoever keeps the employee register: HR or the administrator.
    Registrar => [Hr, Admin],
    /// 従業員本人.
    Employee => [Employee],
    /// システム管理者.
    Admin => [Admin],
    /// 上司.
    Boss => [Boss],
    /// 産業保健スタッフ.
    Health => [Health],
    /// Whoever may respond to a life/safety escalation (the record says whether they are named).
    Responder => [Health, Hr],
);

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(role: Option<Role>) -> Ctx {
        Ctx { tenant: TenantId::new(1), user: Some(UserId::new(1)), label: "u".into(), role, personnel_authority: false }
    }

    #[test]
    fn handles_only_for_their_roles() {
        assert!(ctx(Some(Role::Consultant)).as_consultant().is_ok());
        assert!(ctx(Some(Role::Hr)).as_consultant().is_err());
        assert!(ctx(Some(Role::Hr)).as_registrar().is_ok());
        assert!(ctx(Some(Role::Admin)).as_registrar().is_ok());
        assert!(ctx(Some(Role::Consultant)).as_registrar().is_err());
        assert!(ctx(None).as_admin().is_err());
        assert!(Ctx::operator(TenantId::new(1), "x").as_hr().is_err());
        assert!(ctx(Some(Role::Boss)).as_boss().is_ok() && ctx(Some(Role::Hr)).as_boss().is_err());
        assert!(ctx(Some(Role::Health)).as_health().is_ok() && ctx(Some(Role::Employee)).as_health().is_err());
        assert!(ctx(Some(Role::Hr)).as_responder().is_ok() && ctx(Some(Role::Consultant)).as_responder().is_err());
    }

    #[test]
    fn a_role_taken_away_is_not_acted_in() {
        let proof = SignedIn::new(TenantId::new(1), UserId::new(1), None, Some(Role::Hr));
        let c = Ctx::signed_in(&proof, &user(1, &[Role::Consultant], false), Some(Role::Hr));
        assert_eq!(c.role(), None);
        let t = SignedIn::new(TenantId::new(1), UserId::new(1), Some(TokenId::new(7)), Some(Role::Hr));
        assert_eq!(Ctx::signed_in(&t, &user(1, &[Role::Hr], false), Some(Role::Hr)).label(), "hana (token 7)");
        // Another account than the proof's acts in no role.
        assert_eq!(Ctx::signed_in(&proof, &user(2, &[Role::Hr], false), Some(Role::Hr)).role(), None);
    }

    fn user(id: i64, roles: &[Role], personnel_authority: bool) -> crate::UserRow {
        crate::UserRow {
            id: UserId::new(id),
            tenant: TenantId::new(1),
            login: "hana".into(),
            display_name: "花".into(),
            employee: None,
            locale: None,
            roles: roles.to_vec(),
            must_change_password: false,
            disabled: false,
            personnel_authority,
        }
    }

    #[test]
    fn the_actor_carries_the_accounts_personnel_authority() {
        let proof = SignedIn::new(TenantId::new(1), UserId::new(1), None, Some(Role::Hr));
        let marked = Ctx::signed_in(&proof, &user(1, &[Role::Hr], true), Some(Role::Hr));
        assert!(marked.policy_actor().is_some_and(|a| a.has_personnel_authority()));
        let plain = Ctx::signed_in(&proof, &user(1, &[Role::Hr], false), Some(Role::Hr));
        assert!(plain.policy_actor().is_some_and(|a| !a.has_personnel_authority()));
    }
}
