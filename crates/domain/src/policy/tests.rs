use super::*;
use crate::report::ReportStatus;
use proptest::prelude::*;

const T1: TenantId = TenantId::new(1);

fn actor(user: i64, role: Role) -> Actor {
    Actor::new(UserId::new(user), T1, role)
}

fn report(status: ReportStatus, sup: Option<i64>) -> ReportFacts {
    ReportFacts { tenant: T1, author: UserId::new(1), status, assigned_supervisor: sup.map(UserId::new) }
}

fn read(a: &Actor, f: ReportFacts) -> Option<View> {
    decide(a, Operation::ReadReports, Target::Report(f)).view()
}

#[test]
fn employee_register_is_for_hr_and_admin_only() {
    for role in Role::ALL {
        let expected = matches!(role, Role::Hr | Role::Admin);
        assert_eq!(decide(&actor(1, role), Operation::ListEmployees, Target::Route).is_allow(), expected, "{role}");
        assert_eq!(decide(&actor(1, role), Operation::ImportEmployees, Target::Route).is_allow(), expected, "{role}");
    }
}

#[test]
fn audit_and_accounts_are_for_admin_only() {
    for role in Role::ALL {
        let expected = role == Role::Admin;
        assert_eq!(decide(&actor(1, role), Operation::ViewAuditLog, Target::Route).is_allow(), expected);
        assert_eq!(decide(&actor(1, role), Operation::ManageUsers, Target::Route).is_allow(), expected);
    }
}

#[test]
fn owned_things_only_by_their_owner() {
    let a = actor(1, Role::Admin);
    assert!(decide(&a, Operation::ManageOwnTokens, Target::OwnedBy(UserId::new(1))).is_allow());
    assert!(!decide(&a, Operation::ManageOwnTokens, Target::OwnedBy(UserId::new(2))).is_allow());
}

#[test]
fn employees_are_offered_no_api_tokens() {
    for role in Role::ALL {
        let expected = role != Role::Employee;
        assert_eq!(decide(&actor(1, role), Operation::ManageOwnTokens, Target::Route).is_allow(), expected, "{role}");
        assert_eq!(decide(&actor(1, role), Operation::ManageOwnTokens, Target::OwnedBy(UserId::new(1))).is_allow(), expected, "{role}");
    }
}

#[test]
fn nothing_crosses_a_tenant() {
    let other = TenantId::new(2);
    let i = InterviewFacts { tenant: other, consultant: UserId::new(1), employee_user: Some(UserId::new(1)) };
    let targets = [
        Target::InTenant(other),
        Target::Report(ReportFacts { tenant: other, ..report(ReportStatus::Approved, Some(1)) }),
        Target::Interview(i),
        Target::Notes(NoteFacts { tenant: other, interviewer: UserId::new(1), report: None }),
        Target::Request(RequestFacts { tenant: other, addressee: None, requester: Some(UserId::new(1)) }),
        Target::Employee(EmployeeFacts { tenant: other, assigned_to_actor: true, requested_actor: true, open_in_pool: true }),
        Target::Disclosure(
            crate::consent::DisclosureFacts {
                tenant: other,
                author: UserId::new(1),
                employee_user: Some(UserId::new(1)),
                purpose: crate::consent::Purpose::BossFeedback,
                recipient: crate::consent::Recipient::User(UserId::new(1)),
                version: 1,
            },
            crate::consent::DisclosureState::Granted,
        ),
    ];
    for role in Role::ALL {
        for op in Operation::ALL {
            for t in targets {
                assert_eq!(decide(&actor(1, role), op, t), Decision::Deny, "{role} {op:?} {t:?}");
            }
        }
    }
}

#[test]
fn drafts_stay_with_the_author() {
    let f = report(ReportStatus::Draft, Some(3));
    assert_eq!(read(&actor(1, Role::Consultant), f), Some(View::Identified));
    assert_eq!(read(&actor(2, Role::Consultant), f), None);
    assert_eq!(read(&actor(3, Role::Supervisor), f), None);
}

#[test]
fn colleagues_see_approved_cases_pseudonymized() {
    assert_eq!(read(&actor(2, Role::Consultant), report(ReportStatus::Approved, None)), Some(View::Pseudonymized));
    assert_eq!(read(&actor(2, Role::Consultant), report(ReportStatus::Submitted, None)), None);
}

#[test]
fn supervisors_see_identified_only_when_assigned() {
    assert_eq!(read(&actor(3, Role::Supervisor), report(ReportStatus::Submitted, Some(3))), Some(View::Identified));
    assert_eq!(read(&actor(4, Role::Supervisor), report(ReportStatus::Submitted, Some(3))), Some(View::Pseudonymized));
}

#[test]
fn only_the_author_edits_and_only_while_editable() {
    let w = |a: &Actor, s| decide(a, Operation::WriteReports, Target::Report(report(s, None))).is_allow();
    assert!(w(&actor(1, Role::Consultant), ReportStatus::Draft));
    assert!(w(&actor(1, Role::Consultant), ReportStatus::Returned));
    assert!(!w(&actor(1, Role::Consultant), ReportStatus::Submitted));
    assert!(!w(&actor(1, Role::Consultant), ReportStatus::Approved));
    assert!(!w(&actor(2, Role::Consultant), ReportStatus::Draft));
}

#[test]
fn a_supervisor_decides_submitted_reports_only() {
    let r = |s| decide(&actor(3, Role::Supervisor), Operation::ReviewReports, Target::Report(report(s, None))).is_allow();
    assert!(r(ReportStatus::Submitted));
    assert!(!r(ReportStatus::Draft));
    assert!(!r(ReportStatus::Approved));
    // The author, even when also a supervisor, never reviews their own case.
    let own = ReportFacts { author: UserId::new(3), ..report(ReportStatus::Submitted, None) };
    assert!(!decide(&actor(3, Role::Supervisor), Operation::ReviewReports, Target::Report(own)).is_allow());
}

#[test]
fn notes_only_to_the_interviewer_and_a_reviewing_supervisor() {
    let n = |r| Target::Notes(NoteFacts { tenant: T1, interviewer: UserId::new(1), report: r });
    assert_eq!(decide(&actor(1, Role::Consultant), Operation::ReadNotes, n(None)).view(), Some(View::Identified));
    assert_eq!(decide(&actor(2, Role::Consultant), Operation::ReadNotes, n(None)).view(), None);
    assert_eq!(decide(&actor(1, Role::Hr), Operation::ReadNotes, n(None)).view(), None);
    let submitted = Some(report(ReportStatus::Submitted, None));
    assert_eq!(decide(&actor(3, Role::Supervisor), Operation::ReadNotes, n(submitted)).view(), Some(View::Pseudonymized));
    let assigned = Some(report(ReportStatus::Submitted, Some(3)));
    assert_eq!(decide(&actor(3, Role::Supervisor), Operation::ReadNotes, n(assigned)).view(), Some(View::Identified));
    let approved = Some(report(ReportStatus::Approved, None));
    assert_eq!(decide(&actor(3, Role::Supervisor), Operation::ReadNotes, n(approved)).view(), None);
}

#[test]
fn interviews_belong_to_their_interviewer_and_their_employee() {
    let i = Target::Interview(InterviewFacts { tenant: T1, consultant: UserId::new(1), employee_user: Some(UserId::new(9)) });
    assert!(decide(&actor(1, Role::Consultant), Operation::ManageInterviews, i).is_allow());
    assert!(decide(&actor(1, Role::Consultant), Operation::WriteReports, i).is_allow());
    assert!(decide(&actor(1, Role::Consultant), Operation::ReadStatusNote, i).is_allow());
    assert!(!decide(&actor(2, Role::Consultant), Operation::ManageInterviews, i).is_allow());
    assert!(!decide(&actor(2, Role::Consultant), Operation::WriteReports, i).is_allow());
    assert!(decide(&actor(9, Role::Employee), Operation::ViewOwnInterviews, i).is_allow());
    assert!(!decide(&actor(8, Role::Employee), Operation::ViewOwnInterviews, i).is_allow());
    // The employee never reads the sealed reason of a cancellation.
    assert!(!decide(&actor(9, Role::Employee), Operation::ReadStatusNote, i).is_allow());
}

#[test]
fn requests_reach_their_addressee_or_the_pool() {
    let r = |addressee: Option<i64>| {
        Target::Request(RequestFacts { tenant: T1, addressee: addressee.map(UserId::new), requester: Some(UserId::new(9)) })
    };
    assert!(decide(&actor(1, Role::Consultant), Operation::HandleRequests, r(None)).is_allow());
    assert!(decide(&actor(1, Role::Consultant), Operation::HandleRequests, r(Some(1))).is_allow());
    assert!(!decide(&actor(1, Role::Consultant), Operation::HandleRequests, r(Some(2))).is_allow());
    assert!(decide(&actor(9, Role::Employee), Operation::ViewOwnInterviews, r(Some(2))).is_allow());
    assert!(!decide(&actor(8, Role::Employee), Operation::ViewOwnInterviews, r(Some(2))).is_allow());
}

#[test]
fn a_consultant_reaches_an_employee_only_through_an_assignment_or_a_request() {
    let e = |a, r, p| Target::Employee(EmployeeFacts { tenant: T1, assigned_to_actor: a, requested_actor: r, open_in_pool: p });
    let c = actor(1, Role::Consultant);
    assert!(!decide(&c, Operation::ReachEmployee, e(false, false, false)).is_allow());
    assert!(decide(&c, Operation::ReachEmployee, e(true, false, false)).is_allow());
    assert!(decide(&c, Operation::ReachEmployee, e(false, true, false)).is_allow());
    assert!(decide(&c, Operation::ReachEmployee, e(false, false, true)).is_allow());
    assert!(!decide(&actor(1, Role::Hr), Operation::ReachEmployee, e(true, true, true)).is_allow());
}

#[test]
fn permits_carry_the_view_and_operators_only_benchmark() {
    let p = permit(&actor(2, Role::Consultant), Operation::ReadReports, Target::Report(report(ReportStatus::Approved, None)));
    let p = p.expect("a colleague reads an approved case");
    assert_eq!((p.view(), p.user(), p.tenant()), (View::Pseudonymized, Some(UserId::new(2)), T1));
    assert!(permit(&actor(2, Role::Consultant), Operation::ReadReports, Target::Report(report(ReportStatus::Draft, None))).is_none());
    for op in Operation::ALL {
        let operator_reads = matches!(
            op,
            Operation::RunBenchmark | Operation::ReadOverallReports | Operation::ReadManagementReports | Operation::ReadEffectReport
        );
        assert_eq!(operator_permit(T1, op).is_some(), operator_reads, "{op:?}");
        for role in Role::ALL {
            if op == Operation::RunBenchmark {
                assert!(!decide(&actor(1, role), op, Target::InTenant(T1)).is_allow());
            }
        }
    }
}

fn status() -> impl Strategy<Value = ReportStatus> {
    prop::sample::select(ReportStatus::ALL.to_vec())
}

fn operation() -> impl Strategy<Value = Operation> {
    prop::sample::select(Operation::ALL.to_vec())
}

proptest! {
    /// R6: whatever the facts, the roles outside consulting never read or change a report or a note.
    #[test]
    fn other_roles_never_read(user in 1i64..5, author in 1i64..5, st in status(), sup in proptest::option::of(1i64..5), op in operation()) {
        let f = ReportFacts { tenant: T1, author: UserId::new(author), status: st, assigned_supervisor: sup.map(UserId::new) };
        let n = NoteFacts { tenant: T1, interviewer: UserId::new(author), report: Some(f) };
        for role in [Role::Hr, Role::Executive, Role::Boss, Role::Health, Role::Employee, Role::Admin] {
            let a = actor(user, role);
            prop_assert_eq!(decide(&a, op, Target::Report(f)), Decision::Deny);
            prop_assert_eq!(decide(&a, op, Target::Notes(n)), Decision::Deny);
        }
    }

    /// A draft is never read, written, submitted or reviewed by anyone but its author.
    #[test]
    fn drafts_are_never_reached_by_anyone_else(user in 2i64..6, st in status(), sup in proptest::option::of(1i64..6), op in operation()) {
        prop_assume!(st == ReportStatus::Draft);
        let f = ReportFacts { tenant: T1, author: UserId::new(1), status: st, assigned_supervisor: sup.map(UserId::new) };
        for role in Role::ALL {
            prop_assert_eq!(decide(&actor(user, role), op, Target::Report(f)), Decision::Deny);
        }
    }
}

proptest! {
    /// A list's prefilter is the policy's rule: the scope admits exactly the reports `decide`
    /// lets the actor read, for every role, author, status and supervisor.
    #[test]
    fn the_read_scope_is_the_read_rule(user in 1i64..5, author in 1i64..5, st in status(), sup in proptest::option::of(1i64..5)) {
        let f = ReportFacts { tenant: T1, author: UserId::new(author), status: st, assigned_supervisor: sup.map(UserId::new) };
        for role in Role::ALL {
            let a = actor(user, role);
            prop_assert_eq!(read_scope(&a).admits(&f), read(&a, f).is_some(), "{:?} {:?}", role, f);
        }
    }
}

proptest! {
    /// A recipient reads a disclosure exactly when the one release decision releases it, in every
    /// state, whatever the operation a route asks with; the employee decides and the author
    /// writes, nobody else.
    #[test]
    fn disclosures_are_read_only_as_released(
        user in 1i64..5,
        author in 1i64..5,
        employee in 1i64..5,
        recipient in 1i64..5,
        state in prop::sample::select(crate::consent::DisclosureState::ALL.to_vec()),
        purpose in prop::sample::select(crate::consent::Purpose::ALL.to_vec()),
        op in operation(),
    ) {
        use crate::consent::{released_version, DisclosureFacts, Purpose, Recipient};
        let f = DisclosureFacts {
            tenant: T1,
            author: UserId::new(author),
            employee_user: Some(UserId::new(employee)),
            purpose,
            recipient: Recipient::User(UserId::new(recipient)),
            version: 2,
        };
        for role in Role::ALL {
            let a = actor(user, role);
            let allowed = decide(&a, op, Target::Disclosure(f, state)).is_allow();
            let released = released_version(&f, state, &a, None).is_some();
            let expected = match op {
                // Only the role that takes the operation at all reads what is released to it.
                Operation::ReadFeedback => role == Role::Boss && released && purpose == Purpose::BossFeedback,
                Operation::ManageImportantCases => role == Role::Hr && released && purpose == Purpose::ImportantCase,
                Operation::WriteDisclosures => role == Role::Consultant && user == author,
                Operation::DecideOwnDisclosures => role == Role::Employee && user == employee,
                _ => false,
            };
            prop_assert_eq!(allowed, expected, "{:?} {:?} {:?}", role, op, state);
        }
    }
}

#[test]
fn the_effect_report_is_for_hr_and_executives() {
    for role in Role::ALL {
        let allowed = decide(&actor(1, role), Operation::ReadEffectReport, Target::InTenant(T1)).is_allow();
        assert_eq!(allowed, matches!(role, Role::Hr | Role::Executive), "{role:?}");
    }
}
