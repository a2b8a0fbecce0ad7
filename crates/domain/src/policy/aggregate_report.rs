//! The reports that leave the consultants' side (R3, R5): the overall report (全体報告書) and HR's
//! report to management (経営層への報告). Both name nobody: every figure in them has passed the
//! anonymity engine (`crate::anonymity`); what this module decides is who reads which version.
//!
//! - Consultants draft an overall report and write its narrative sections; the supervisor (or a
//!   consultant the tenant names as lead, `lead_consultant`) approves and releases it
//!   (`WriteOverallReports`, `ReleaseOverallReports`). Consultants and the supervisor read every
//!   version, drafts included, with the preview of what will be suppressed.
//! - HR and executives read released versions only (`ReadOverallReports`); a draft answers as
//!   one that does not exist.
//! - HR composes the management report from a released overall report, the important cases whose
//!   employees consented and the organizational issues (`ComposeManagementReports`); executives
//!   read released versions only (`ReadManagementReports`), HR reads every version.
//! - HR sets the tenant's reporting settings: the threshold k (locked once a cycle's first report
//!   is released), the synonyms and stop words of the themes, the lead consultants
//!   (`ManageReportSettings`).

use super::{Actor, Decision, Operation, View};
use crate::ids::TenantId;
use crate::Role;

/// Where a version of an aggregate report is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AggregateState {
    /// Being written; the figures are a preview.
    Draft,
    /// Approved by the supervisor or a lead consultant, not yet released.
    Approved,
    /// Released: frozen, kept, readable by its readers.
    Released,
}

impl AggregateState {
    pub const ALL: [AggregateState; 3] = [AggregateState::Draft, AggregateState::Approved, AggregateState::Released];

    pub fn as_str(self) -> &'static str {
        match self {
            AggregateState::Draft => "draft",
            AggregateState::Approved => "approved",
            AggregateState::Released => "released",
        }
    }

    pub fn parse(s: &str) -> Option<AggregateState> {
        AggregateState::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// One version of an overall report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverallReportFacts {
    pub tenant: TenantId,
    pub state: AggregateState,
    /// Whether the acting consultant is one the tenant names as a lead consultant.
    pub actor_is_lead: bool,
}

/// One version of a management report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManagementReportFacts {
    pub tenant: TenantId,
    pub state: AggregateState,
}

pub(super) fn decide_overall(actor: &Actor, op: Operation, f: OverallReportFacts) -> Decision {
    let released = f.state == AggregateState::Released;
    let ok = match (op, actor.role) {
        (Operation::WriteOverallReports, Role::Consultant | Role::Supervisor) => f.state == AggregateState::Draft,
        (Operation::ReleaseOverallReports, Role::Supervisor) => !released,
        (Operation::ReleaseOverallReports, Role::Consultant) => !released && f.actor_is_lead,
        (Operation::ReadOverallReports, Role::Consultant | Role::Supervisor) => true,
        (Operation::ReadOverallReports, Role::Hr | Role::Executive) => released,
        _ => false,
    };
    allow_if(ok)
}

pub(super) fn decide_management(actor: &Actor, op: Operation, f: ManagementReportFacts) -> Decision {
    let ok = match (op, actor.role) {
        (Operation::ComposeManagementReports, Role::Hr) => f.state != AggregateState::Released,
        (Operation::ReadManagementReports, Role::Hr) => true,
        (Operation::ReadManagementReports, Role::Executive) => f.state == AggregateState::Released,
        _ => false,
    };
    allow_if(ok)
}

fn allow_if(ok: bool) -> Decision {
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::super::{decide, Target};
    use super::*;
    use crate::ids::UserId;
    use proptest::prelude::*;

    const T1: TenantId = TenantId::new(1);

    fn actor(role: Role) -> Actor {
        Actor::new(UserId::new(7), T1, role)
    }

    fn overall(state: AggregateState, lead: bool) -> Target {
        Target::OverallReport(OverallReportFacts { tenant: T1, state, actor_is_lead: lead })
    }

    #[test]
    fn hr_and_executives_read_only_released_overall_reports() {
        for role in [Role::Hr, Role::Executive] {
            assert!(decide(&actor(role), Operation::ReadOverallReports, overall(AggregateState::Released, false)).is_allow());
            assert!(!decide(&actor(role), Operation::ReadOverallReports, overall(AggregateState::Draft, false)).is_allow());
            assert!(!decide(&actor(role), Operation::ReadOverallReports, overall(AggregateState::Approved, false)).is_allow());
        }
    }

    #[test]
    fn only_the_supervisor_or_a_lead_consultant_releases() {
        let draft = overall(AggregateState::Approved, false);
        assert!(decide(&actor(Role::Supervisor), Operation::ReleaseOverallReports, draft).is_allow());
        assert!(!decide(&actor(Role::Consultant), Operation::ReleaseOverallReports, draft).is_allow());
        assert!(decide(&actor(Role::Consultant), Operation::ReleaseOverallReports, overall(AggregateState::Approved, true)).is_allow());
        assert!(!decide(&actor(Role::Supervisor), Operation::ReleaseOverallReports, overall(AggregateState::Released, false)).is_allow());
    }

    #[test]
    fn a_released_version_is_frozen() {
        for role in Role::ALL {
            assert!(!decide(&actor(role), Operation::WriteOverallReports, overall(AggregateState::Released, true)).is_allow());
            let released = Target::ManagementReport(ManagementReportFacts { tenant: T1, state: AggregateState::Released });
            assert!(!decide(&actor(role), Operation::ComposeManagementReports, released).is_allow());
        }
    }

    proptest! {
        #[test]
        fn nobody_outside_the_tenant_reads_anything(role in prop::sample::select(Role::ALL.to_vec()),
                                                    state in prop::sample::select(AggregateState::ALL.to_vec()),
                                                    lead in any::<bool>()) {
            let other = Actor::new(UserId::new(7), TenantId::new(2), role);
            for op in Operation::ALL {
                prop_assert!(!decide(&other, op, overall(state, lead)).is_allow());
                let m = Target::ManagementReport(ManagementReportFacts { tenant: T1, state });
                prop_assert!(!decide(&other, op, m).is_allow());
            }
        }

        #[test]
        fn executives_never_read_an_unreleased_version(state in prop::sample::select(AggregateState::ALL.to_vec())) {
            let m = Target::ManagementReport(ManagementReportFacts { tenant: T1, state });
            let shown = decide(&actor(Role::Executive), Operation::ReadManagementReports, m).is_allow();
            prop_assert_eq!(shown, state == AggregateState::Released);
        }
    }
}
