//! The one authorization function: (actor, acting role, action, target) → allow or deny.
//! Default deny: an action not listed for a role is refused.

use crate::ids::{TenantId, UserId};
use crate::Role;

/// Who is asking: a signed-in user acting in one role in one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub tenant: TenantId,
    pub role: Role,
}

/// What is asked. Every route declares one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Pages and endpoints anyone may reach (login page, health check, static files).
    Public,
    /// Choosing the role to act in; needs a signed-in user, not yet a role.
    ChooseRole,
    /// Signing out, changing one's language: any signed-in user.
    ManageOwnSession,
    /// The home page of the acting role.
    ViewHome,
    /// Who am I (`/api/v1/me`).
    ViewSelf,
    /// Listing, creating and revoking one's own API tokens.
    ManageOwnTokens,
    /// The employee register (names, departments, grades, bosses).
    ListEmployees,
    /// Importing the employee register from an HR system's CSV.
    ImportEmployees,
    /// Reading the audit log's metadata and verifying its chain.
    ViewAuditLog,
    /// Accounts and their roles.
    ManageUsers,
    /// Setting up cycles: period, targets, consultants (R13).
    ManageCycles,
    /// Reading cycles and their progress figures.
    ViewCycles,
    /// Scheduling and recording one's own interviews as a consultant.
    ManageInterviews,
    /// An employee's own interviews and consultation requests.
    ViewOwnInterviews,
    /// Answering employees' consultation requests (the consultant's queue).
    HandleRequests,
    /// Writing interview notes and individual reports (R1).
    WriteReports,
    /// Reading individual reports the role may see (own, under review, or shared cases).
    ReadReports,
    /// Reviewing reports as a supervisor (R2).
    ReviewReports,
    /// Editing the tenant's issue tags and review rubric (R13).
    ManageTaxonomy,
    /// Asking the API for reports: every role may ask; the answer holds only what the role may
    /// see (an empty list, or 404 for one report), so the API never confirms that a report exists.
    QueryReports,
}

impl Action {
    pub const ALL: [Action; 20] = [
        Action::Public,
        Action::ChooseRole,
        Action::ManageOwnSession,
        Action::ViewHome,
        Action::ViewSelf,
        Action::ManageOwnTokens,
        Action::ListEmployees,
        Action::ImportEmployees,
        Action::ViewAuditLog,
        Action::ManageUsers,
        Action::ManageCycles,
        Action::ViewCycles,
        Action::ManageInterviews,
        Action::ViewOwnInterviews,
        Action::HandleRequests,
        Action::WriteReports,
        Action::ReadReports,
        Action::ReviewReports,
        Action::ManageTaxonomy,
        Action::QueryReports,
    ];

    /// Whether the request must come from a signed-in user.
    pub fn needs_sign_in(self) -> bool {
        !matches!(self, Action::Public)
    }

    /// Whether the request must come with a chosen acting role.
    pub fn needs_role(self) -> bool {
        !matches!(self, Action::Public | Action::ChooseRole | Action::ManageOwnSession)
    }
}

/// What the action is applied to, where the answer depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The route as a whole.
    Route,
    /// Something owned by a user (an API token, say).
    OwnedBy(UserId),
    /// Something belonging to a tenant.
    InTenant(TenantId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn is_allow(self) -> bool {
        self == Decision::Allow
    }
}

/// Which roles may take an action on a route at all.
fn role_allows(role: Role, action: Action) -> bool {
    use Action as A;
    use Role as R;
    match action {
        A::Public | A::ChooseRole | A::ManageOwnSession => true,
        A::ViewHome | A::ViewSelf | A::ManageOwnTokens | A::QueryReports => true,
        A::ListEmployees | A::ImportEmployees => matches!(role, R::Hr | R::Admin),
        A::ViewAuditLog | A::ManageUsers => matches!(role, R::Admin),
        A::ManageCycles | A::ManageTaxonomy => matches!(role, R::Hr),
        A::ViewCycles => matches!(role, R::Hr | R::Consultant | R::Supervisor),
        A::ManageInterviews | A::HandleRequests | A::WriteReports => matches!(role, R::Consultant),
        A::ViewOwnInterviews => matches!(role, R::Employee),
        A::ReadReports => matches!(role, R::Consultant | R::Supervisor),
        A::ReviewReports => matches!(role, R::Supervisor),
    }
}

/// Decides one request. Any failing check denies; nothing crosses a tenant; owned things
/// are reachable by their owner only.
pub fn decide(actor: &Actor, action: Action, target: Target) -> Decision {
    if !role_allows(actor.role, action) {
        return Decision::Deny;
    }
    let target_ok = match target {
        Target::Route => true,
        Target::OwnedBy(owner) => owner == actor.user,
        Target::InTenant(tenant) => tenant == actor.tenant,
    };
    if target_ok {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor { user: UserId::new(1), tenant: TenantId::new(1), role }
    }

    #[test]
    fn employee_register_is_for_hr_and_admin_only() {
        for role in Role::ALL {
            let expected = matches!(role, Role::Hr | Role::Admin);
            assert_eq!(decide(&actor(role), Action::ListEmployees, Target::Route).is_allow(), expected, "{role}");
            assert_eq!(decide(&actor(role), Action::ImportEmployees, Target::Route).is_allow(), expected, "{role}");
        }
    }

    #[test]
    fn audit_and_accounts_are_for_admin_only() {
        for role in Role::ALL {
            let expected = role == Role::Admin;
            assert_eq!(decide(&actor(role), Action::ViewAuditLog, Target::Route).is_allow(), expected);
            assert_eq!(decide(&actor(role), Action::ManageUsers, Target::Route).is_allow(), expected);
        }
    }

    #[test]
    fn owned_things_only_by_their_owner() {
        let a = actor(Role::Admin);
        assert!(decide(&a, Action::ManageOwnTokens, Target::OwnedBy(UserId::new(1))).is_allow());
        assert!(!decide(&a, Action::ManageOwnTokens, Target::OwnedBy(UserId::new(2))).is_allow());
    }

    #[test]
    fn nothing_crosses_a_tenant() {
        for role in Role::ALL {
            for action in Action::ALL {
                let d = decide(&actor(role), action, Target::InTenant(TenantId::new(2)));
                assert_eq!(d, Decision::Deny, "{role} {action:?}");
            }
        }
    }
}
