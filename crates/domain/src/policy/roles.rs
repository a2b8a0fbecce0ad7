//! Which roles may take an operation at all, before any record's facts are read.

use super::Operation;
use crate::Role;

pub(super) fn allows(role: Role, op: Operation) -> bool {
    use Operation as O;
    use Role as R;
    match op {
        O::Public | O::ChooseRole | O::ManageOwnSession => true,
        O::ViewHome | O::ViewSelf | O::QueryReports => true,
        // API tokens serve integrations with other systems; an employee's own pages need none.
        O::ManageOwnTokens => !matches!(role, R::Employee),
        O::ListEmployees | O::ImportEmployees => matches!(role, R::Hr | R::Admin),
        O::ViewAuditLog | O::ManageUsers => matches!(role, R::Admin),
        O::ManageCycles | O::ManageTaxonomy => matches!(role, R::Hr),
        O::ViewCycles => matches!(role, R::Hr | R::Consultant | R::Supervisor),
        O::ManageInterviews | O::HandleRequests | O::WriteReports | O::SubmitReport | O::ReadStatusNote | O::ReachEmployee => {
            matches!(role, R::Consultant)
        }
        O::ViewOwnInterviews => matches!(role, R::Employee),
        O::ReadReports | O::ReadNotes => matches!(role, R::Consultant | R::Supervisor),
        O::ReviewReports => matches!(role, R::Supervisor),
        // Operators only (see `operator_permit`); no signed-in role runs benchmarks.
        O::RunBenchmark => false,
        O::WriteDisclosures | O::RecordBossConsultations | O::WriteOrgIssues => matches!(role, R::Consultant),
        O::DecideOwnDisclosures => matches!(role, R::Employee),
        O::ReadFeedback | O::AcknowledgeBossGuide => matches!(role, R::Boss),
        O::EditBossGuide | O::ManageResponders | O::ManageImportantCases | O::ViewOrgIssues => matches!(role, R::Hr),
        // The consultant sees the escalations they raised; HR leads and health staff respond.
        O::ViewEscalations => matches!(role, R::Consultant | R::Hr | R::Health),
        O::RespondToEscalations => matches!(role, R::Hr | R::Health),
        O::SetPersonnelAuthority => matches!(role, R::Admin),
        O::ViewNotifications => true,
        O::WriteOverallReports => matches!(role, R::Consultant | R::Supervisor),
        O::ReleaseOverallReports => matches!(role, R::Consultant | R::Supervisor),
        O::ReadOverallReports => matches!(role, R::Consultant | R::Supervisor | R::Hr | R::Executive),
        O::ComposeManagementReports | O::ManageReportSettings => matches!(role, R::Hr),
        O::ReadManagementReports => matches!(role, R::Hr | R::Executive),
        O::ListQuestionnaires => matches!(role, R::Hr | R::Consultant),
        O::AnswerOwnQuestionnaires => matches!(role, R::Employee),
        O::RecordPaperAnswers => matches!(role, R::Consultant),
        O::ReadAnswers => matches!(role, R::Employee | R::Consultant),
        // HR uploads answer files (they never read answers back); operators on the command line
        // (see `operator_may`).
        O::ImportResponses | O::ManageQuestionnaires => matches!(role, R::Hr),
        O::ReadYearlyReviews => matches!(role, R::Hr | R::Consultant | R::Supervisor | R::Executive),
        O::ProposeYearlyChanges => matches!(role, R::Hr | R::Consultant | R::Supervisor),
        O::WriteYearlyReviews => matches!(role, R::Hr),
        O::CompareCycles => matches!(role, R::Hr | R::Executive),
        O::ReadEffectReport => matches!(role, R::Hr | R::Executive),
        O::PlanFollowUps | O::ManageFollowUps | O::ReadPreviousPlan => matches!(role, R::Consultant),
        O::ViewFollowUpCounts => matches!(role, R::Hr),
        O::ViewReferrals | O::DecideReferrals => matches!(role, R::Consultant | R::Health),
        O::MakeReferrals => matches!(role, R::Consultant),
        O::ManageReferralContacts | O::ViewReferralCounts => matches!(role, R::Hr),
        O::ManageActions | O::ManagePolicyDocuments => matches!(role, R::Hr),
        O::ReadActionStatus => matches!(role, R::Hr | R::Executive),
        O::ReadPolicyDocuments => true,
    }
}
