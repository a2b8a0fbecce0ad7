//! Questionnaire answers are the employee's personal data: the employee answers and reads their
//! own; the consultant of one of their interviews enters paper answers and reads the
//! trajectory. No one else (HR sees only k-protected group figures, never a person's answers).

use super::{Actor, Decision, Operation, View};
use crate::ids::TenantId;
use crate::ids::UserId;
use crate::Role;

/// One employee's answers, as the store found them for the asking actor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerFacts {
    pub tenant: TenantId,
    /// The account linked to the employee the answers are about, if any.
    pub employee_user: Option<UserId>,
    /// The acting user is the consultant of at least one interview of this employee.
    pub actor_interviewed: bool,
}

pub(super) fn decide(actor: &Actor, op: Operation, a: AnswerFacts) -> Decision {
    let own = actor.role == Role::Employee && a.employee_user == Some(actor.user);
    let interviewer = actor.role == Role::Consultant && a.actor_interviewed;
    let ok = match op {
        Operation::AnswerOwnQuestionnaires => own,
        Operation::RecordPaperAnswers => interviewer,
        Operation::ReadAnswers => own || interviewer,
        _ => false,
    };
    if ok {
        Decision::Allow(View::Identified)
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{decide as policy_decide, Target};

    fn facts(employee_user: Option<i64>, actor_interviewed: bool) -> Target {
        Target::Answers(AnswerFacts { tenant: TenantId::new(1), employee_user: employee_user.map(UserId::new), actor_interviewed })
    }

    #[test]
    fn the_employee_and_their_interviewer_only() {
        let me = Actor::new(UserId::new(7), TenantId::new(1), Role::Employee);
        assert!(policy_decide(&me, Operation::ReadAnswers, facts(Some(7), false)).is_allow());
        assert!(policy_decide(&me, Operation::AnswerOwnQuestionnaires, facts(Some(7), false)).is_allow());
        assert!(!policy_decide(&me, Operation::ReadAnswers, facts(Some(8), false)).is_allow());
        assert!(!policy_decide(&me, Operation::RecordPaperAnswers, facts(Some(7), true)).is_allow());
        let consultant = Actor::new(UserId::new(3), TenantId::new(1), Role::Consultant);
        assert!(policy_decide(&consultant, Operation::ReadAnswers, facts(Some(7), true)).is_allow());
        assert!(policy_decide(&consultant, Operation::RecordPaperAnswers, facts(None, true)).is_allow());
        assert!(!policy_decide(&consultant, Operation::ReadAnswers, facts(Some(7), false)).is_allow());
        for role in [Role::Hr, Role::Supervisor, Role::Boss, Role::Executive, Role::Health, Role::Admin] {
            let other = Actor::new(UserId::new(7), TenantId::new(1), role);
            assert!(!policy_decide(&other, Operation::ReadAnswers, facts(Some(7), true)).is_allow(), "{role:?}");
        }
        let elsewhere = Actor::new(UserId::new(7), TenantId::new(2), Role::Employee);
        assert!(!policy_decide(&elsewhere, Operation::ReadAnswers, facts(Some(7), false)).is_allow());
    }

    #[test]
    fn hr_defines_questionnaires_and_uploads_answers_but_never_reads_them() {
        for role in Role::ALL {
            let actor = Actor::new(UserId::new(1), TenantId::new(1), role);
            let hr = role == Role::Hr;
            for op in [Operation::ManageQuestionnaires, Operation::ImportResponses] {
                assert_eq!(policy_decide(&actor, op, Target::Route).is_allow(), hr, "{role} {op:?}");
            }
        }
        let hr = Actor::new(UserId::new(1), TenantId::new(1), Role::Hr);
        assert!(!policy_decide(&hr, Operation::ReadAnswers, facts(Some(7), false)).is_allow(), "HR writes answers, never reads them");
        assert!(crate::policy::operator_may(Operation::ManageQuestionnaires) && crate::policy::operator_may(Operation::ImportResponses));
    }
}
