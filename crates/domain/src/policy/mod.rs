//! Who may do what: the one place that answers, for routes and for records. Default deny.
//!
//! `decide(actor, operation, target)` first asks whether the acting role may take the operation at
//! all (`roles`), then, when the target is a record, asks the module for that kind of record, which
//! decides from the record's facts (author, status, assignment, addressee, …). Any failing check
//! denies; nothing crosses a tenant. The store calls `permit` before it reads or writes personal data,
//! and only a `Permit` opens sealed text (see `store::sealed`).

mod aggregate_report;
mod boss_consultation;
mod disclosure;
mod employee;
mod escalation;
mod follow_up;
mod improvement_action;
mod interview;
mod note;
mod org_issue;
mod questionnaire;
mod referral;
mod report;
mod request;
mod roles;
mod yearly_review;

pub use aggregate_report::{AggregateState, ManagementReportFacts, OverallReportFacts};
pub use boss_consultation::BossConsultationFacts;
pub use employee::EmployeeFacts;
pub use escalation::{EscalationFacts, EscalationPart};
pub use follow_up::{FollowUpFacts, PreviousPlanFacts};
pub use improvement_action::{action_view, ActionFacts, ActionView};
pub use interview::InterviewFacts;
pub use note::NoteFacts;
pub use org_issue::{IssueSourceFacts, OrgIssueFacts};
pub use questionnaire::AnswerFacts;
pub use referral::{EscalationBasis, ReferralConsent, ReferralFacts};
pub use report::{read_scope, review_history_visible, ReportFacts, ReportScope};
pub use request::RequestFacts;
pub use yearly_review::YearlyReviewFacts;

use crate::consent::{DisclosureFacts, DisclosureState};
use crate::ids::{TenantId, UserId};
use crate::Role;

/// Who is asking: a signed-in user acting in one role in one tenant. Built by the authentication
/// layer of the store (a session or an API token) and by test helpers; rules only read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    user: UserId,
    tenant: TenantId,
    role: Role,
    personnel_authority: bool,
}

impl Actor {
    pub fn new(user: UserId, tenant: TenantId, role: Role) -> Self {
        Self { user, tenant, role, personnel_authority: false }
    }

    /// The same actor, marked by the tenant as holding personnel authority (人事権: hiring,
    /// evaluation, promotion, transfer decisions) or not. The store sets it from the account at
    /// every request.
    pub fn with_personnel_authority(mut self, yes: bool) -> Self {
        self.personnel_authority = yes;
        self
    }

    /// Whether the tenant marks this user as holding personnel authority. Such a user reads no
    /// important case, escalation or boss feedback, whatever role they act in (the practice of
    /// 労働安全衛生規則 第52条の10): every rule that releases those calls this and denies.
    pub fn has_personnel_authority(&self) -> bool {
        self.personnel_authority
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub fn role(&self) -> Role {
        self.role
    }
}

/// What is asked. Every route declares one of these; the store asks the record-level ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
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
    /// Scheduling and recording interviews as a consultant: on a record, the interviewer only.
    ManageInterviews,
    /// An employee's own interviews and consultation requests.
    ViewOwnInterviews,
    /// Answering employees' consultation requests: on a record, its addressee (or the pool's).
    HandleRequests,
    /// Writing interview notes and individual reports (R1): on a record, the author only.
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
    /// Submitting one's own report for review.
    SubmitReport,
    /// Reading the interview notes of an interview.
    ReadNotes,
    /// Reading the sealed reason of a cancellation or no-show.
    ReadStatusNote,
    /// Reaching an employee as a consultant (scheduling with them, seeing their name).
    ReachEmployee,
    /// An operator's benchmark over a tenant's sealed text (command line only, audited).
    RunBenchmark,
    /// Writing disclosures from one's own approved reports and asking the employee (R5, R8): on a
    /// record, its author only.
    WriteDisclosures,
    /// An employee deciding on, listing and withdrawing what is shared about them.
    DecideOwnDisclosures,
    /// A boss reading the feedback released to them (R8): on a record, only while consent holds.
    ReadFeedback,
    /// A boss reading and acknowledging the guide for bosses (R8).
    AcknowledgeBossGuide,
    /// HR editing the guide for bosses (R13).
    EditBossGuide,
    /// A consultant recording consultations with an employee's boss (R8).
    RecordBossConsultations,
    /// Seeing life/safety escalations: responders, and the consultant who raised one (R4).
    ViewEscalations,
    /// Acknowledging, closing and approving disclosures of escalations (responders only).
    RespondToEscalations,
    /// Naming the tenant's escalation responders and deadlines.
    ManageResponders,
    /// HR's register of important cases shared with consent (R5): on a record, only while consent holds.
    ManageImportantCases,
    /// A consultant writing a de-identified organizational issue (組織課題).
    WriteOrgIssues,
    /// HR's register of organizational issues.
    ViewOrgIssues,
    /// Marking the users who hold personnel authority (人事権).
    SetPersonnelAuthority,
    /// One's own in-app notices.
    ViewNotifications,
    /// Drafting an overall report and writing its narrative sections (R3): consultants, the supervisor.
    WriteOverallReports,
    /// Approving and releasing an overall report to HR: the supervisor, or a lead consultant.
    ReleaseOverallReports,
    /// Reading overall reports: drafts on the consultants' side, released versions for HR and executives.
    ReadOverallReports,
    /// HR composing the report to management (R5).
    ComposeManagementReports,
    /// Reading the management report: executives (released versions), HR.
    ReadManagementReports,
    /// The tenant's reporting settings: threshold k, theme synonyms and stop words, lead consultants.
    ManageReportSettings,
    /// The tenant's questionnaires (definitions, no answers): HR and consultants.
    ListQuestionnaires,
    /// An employee answering a questionnaire about themselves (わたしのアンケート).
    AnswerOwnQuestionnaires,
    /// A consultant entering an interviewee's paper answers: on a record, the consultant of
    /// one of the employee's interviews only.
    RecordPaperAnswers,
    /// A person's answers and their trajectory: the employee themself, the consultant of their
    /// interviews.
    ReadAnswers,
    /// Importing answer sets from a file: HR on the web (an upload they write but never read back:
    /// the answers stay sealed), operators on the command line.
    ImportResponses,
    /// Reading a closed cycle's yearly review (年次レビュー): consultants, the supervisor, HR;
    /// executives the final ones.
    ReadYearlyReviews,
    /// Writing a proposal for next year into a draft review: consultants, the supervisor, HR.
    ProposeYearlyChanges,
    /// HR writing the improvement plan, computing the figures again and finalizing a review.
    WriteYearlyReviews,
    /// Cycles side by side from their released overall reports: HR, executives.
    CompareCycles,
    /// The effect report (効果把握): group statistics of the questionnaire scores, through the
    /// anonymity engine: HR and executives; an operator's command (`careerdock report effect`).
    ReadEffectReport,
    /// Planning additional or follow-up interviews from a report (R7): on a record, the report's author.
    PlanFollowUps,
    /// Reading, scheduling and closing one's follow-up items: on a record, its consultant.
    ManageFollowUps,
    /// HR's k-protected counts of follow-up items.
    ViewFollowUpCounts,
    /// The support plan of the same employee's report of an earlier cycle, on the interview page
    /// (R11: 翌年の面談でレビュー): the current interviewer, see `follow_up::decide_previous`.
    ReadPreviousPlan,
    /// Referrals (R9): the consultant's own, health staff's addressed to them (on a record, only
    /// while its basis holds).
    ViewReferrals,
    /// A consultant referring an employee, on consent or under a life/safety escalation.
    MakeReferrals,
    /// The recipient accepting, declining, starting care and closing (a contact's answers
    /// through the consultant who referred).
    DecideReferrals,
    /// HR keeping the tenant's outside contacts (the EAP, institutions).
    ManageReferralContacts,
    /// HR's k-protected counts of referrals per cycle (never a referral itself).
    ViewReferralCounts,
    /// HR's improvement actions (改善施策, R10): creating, moving, notes, evidence, evaluation.
    ManageActions,
    /// The status of the improvement actions: executives (and HR).
    ReadActionStatus,
    /// The program's policy documents (人材育成方針・実施規程): every role.
    ReadPolicyDocuments,
    /// Publishing a new version of a policy document: HR.
    ManagePolicyDocuments,
    /// Defining and editing the tenant's questionnaires (R13): HR; an operator's command. Once a
    /// questionnaire has answers its structure is locked (`questionnaire::edit::locked_changes`).
    ManageQuestionnaires,
}

impl Operation {
    pub const ALL: [Operation; 69] = [
        Operation::Public,
        Operation::ChooseRole,
        Operation::ManageOwnSession,
        Operation::ViewHome,
        Operation::ViewSelf,
        Operation::ManageOwnTokens,
        Operation::ListEmployees,
        Operation::ImportEmployees,
        Operation::ViewAuditLog,
        Operation::ManageUsers,
        Operation::ManageCycles,
        Operation::ViewCycles,
        Operation::ManageInterviews,
        Operation::ViewOwnInterviews,
        Operation::HandleRequests,
        Operation::WriteReports,
        Operation::ReadReports,
        Operation::ReviewReports,
        Operation::ManageTaxonomy,
        Operation::QueryReports,
        Operation::SubmitReport,
        Operation::ReadNotes,
        Operation::ReadStatusNote,
        Operation::ReachEmployee,
        Operation::RunBenchmark,
        Operation::WriteDisclosures,
        Operation::DecideOwnDisclosures,
        Operation::ReadFeedback,
        Operation::AcknowledgeBossGuide,
        Operation::EditBossGuide,
        Operation::RecordBossConsultations,
        Operation::ViewEscalations,
        Operation::RespondToEscalations,
        Operation::ManageResponders,
        Operation::ManageImportantCases,
        Operation::WriteOrgIssues,
        Operation::ViewOrgIssues,
        Operation::SetPersonnelAuthority,
        Operation::ViewNotifications,
        Operation::WriteOverallReports,
        Operation::ReleaseOverallReports,
        Operation::ReadOverallReports,
        Operation::ComposeManagementReports,
        Operation::ReadManagementReports,
        Operation::ManageReportSettings,
        Operation::ListQuestionnaires,
        Operation::AnswerOwnQuestionnaires,
        Operation::RecordPaperAnswers,
        Operation::ReadAnswers,
        Operation::ImportResponses,
        Operation::ReadYearlyReviews,
        Operation::ProposeYearlyChanges,
        Operation::WriteYearlyReviews,
        Operation::CompareCycles,
        Operation::ReadEffectReport,
        Operation::PlanFollowUps,
        Operation::ManageFollowUps,
        Operation::ViewFollowUpCounts,
        Operation::ReadPreviousPlan,
        Operation::ViewReferrals,
        Operation::MakeReferrals,
        Operation::DecideReferrals,
        Operation::ManageReferralContacts,
        Operation::ViewReferralCounts,
        Operation::ManageActions,
        Operation::ReadActionStatus,
        Operation::ReadPolicyDocuments,
        Operation::ManagePolicyDocuments,
        Operation::ManageQuestionnaires,
    ];

    /// Whether the request must come from a signed-in user.
    pub fn needs_sign_in(self) -> bool {
        !matches!(self, Operation::Public)
    }

    /// Whether the request must come with a chosen acting role.
    pub fn needs_role(self) -> bool {
        !matches!(self, Operation::Public | Operation::ChooseRole | Operation::ManageOwnSession)
    }
}

/// What the operation is applied to, with the facts the rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The route as a whole.
    Route,
    /// Something owned by a user (an API token, say).
    OwnedBy(UserId),
    /// Something belonging to a tenant.
    InTenant(TenantId),
    Report(ReportFacts),
    Interview(InterviewFacts),
    Notes(NoteFacts),
    Request(RequestFacts),
    Employee(EmployeeFacts),
    BossConsultation(BossConsultationFacts),
    /// A disclosure, with its state derived from the consent ledger at the time of the request.
    Disclosure(DisclosureFacts, DisclosureState),
    /// A life/safety escalation, with what of it is asked for (R4).
    Escalation(EscalationFacts),
    /// The report an organizational issue is raised from.
    IssueSource(IssueSourceFacts),
    OrgIssue(OrgIssueFacts),
    /// One version of an overall report (全体報告書).
    OverallReport(OverallReportFacts),
    /// One version of a management report (経営層への報告).
    ManagementReport(ManagementReportFacts),
    /// A person's questionnaire answers.
    Answers(AnswerFacts),
    /// A closed cycle's yearly review.
    YearlyReview(YearlyReviewFacts),
    /// A follow-up item, or the report one is planned from (R7).
    FollowUp(FollowUpFacts),
    /// An earlier report's support plan, read for the employee's current interview (R11).
    PreviousPlan(PreviousPlanFacts),
    /// A referral, with its basis as it stands at the time of the request (R9).
    Referral(ReferralFacts),
    /// An improvement action (改善施策).
    Action(ActionFacts),
}

/// How a record may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// With the person's name and details.
    Identified,
    /// Names, numbers, department, boss and dates replaced (R2).
    Pseudonymized,
}

impl View {
    pub fn as_str(self) -> &'static str {
        match self {
            View::Identified => "identified",
            View::Pseudonymized => "pseudonymized",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow(View),
    Deny,
}

impl Decision {
    pub fn is_allow(self) -> bool {
        matches!(self, Decision::Allow(_))
    }

    pub fn view(self) -> Option<View> {
        match self {
            Decision::Allow(v) => Some(v),
            Decision::Deny => None,
        }
    }

    fn from_bool(ok: bool) -> Decision {
        if ok {
            Decision::Allow(View::Identified)
        } else {
            Decision::Deny
        }
    }
}

/// Decides one request. The role must allow the operation; a record's rule then decides from
/// its facts; nothing crosses a tenant; owned things are reachable by their owner only.
pub fn decide(actor: &Actor, op: Operation, target: Target) -> Decision {
    if !roles::allows(actor.role, op) {
        return Decision::Deny;
    }
    match target {
        Target::Route => Decision::Allow(View::Identified),
        Target::OwnedBy(owner) => Decision::from_bool(owner == actor.user),
        Target::InTenant(tenant) => Decision::from_bool(tenant == actor.tenant),
        Target::Report(f) if f.tenant == actor.tenant => report::decide(actor, op, f),
        Target::Interview(f) if f.tenant == actor.tenant => interview::decide(actor, op, f),
        Target::Notes(f) if f.tenant == actor.tenant => note::decide(actor, op, f),
        Target::Request(f) if f.tenant == actor.tenant => request::decide(actor, op, f),
        Target::Employee(f) if f.tenant == actor.tenant => employee::decide(actor, op, f),
        Target::BossConsultation(f) if f.tenant == actor.tenant => boss_consultation::decide(actor, op, f),
        Target::Disclosure(f, state) if f.tenant == actor.tenant => disclosure::decide(actor, op, f, state),
        Target::Escalation(f) if f.tenant == actor.tenant => escalation::decide(actor, op, f),
        Target::IssueSource(f) if f.tenant == actor.tenant => org_issue::decide_source(actor, op, f),
        Target::OrgIssue(f) if f.tenant == actor.tenant => org_issue::decide_issue(actor, op, f),
        Target::OverallReport(f) if f.tenant == actor.tenant => aggregate_report::decide_overall(actor, op, f),
        Target::ManagementReport(f) if f.tenant == actor.tenant => aggregate_report::decide_management(actor, op, f),
        Target::Answers(f) if f.tenant == actor.tenant => questionnaire::decide(actor, op, f),
        Target::YearlyReview(f) if f.tenant == actor.tenant => yearly_review::decide(actor, op, f),
        Target::FollowUp(f) if f.tenant == actor.tenant => follow_up::decide(actor, op, f),
        Target::PreviousPlan(f) if f.tenant == actor.tenant => follow_up::decide_previous(actor, op, f),
        Target::Referral(f) if f.tenant == actor.tenant => referral::decide(actor, op, f),
        Target::Action(f) if f.tenant == actor.tenant => improvement_action::decide(actor, op, f),
        _ => Decision::Deny,
    }
}

/// Proof that the policy allowed an operation on a record, and how it may be shown. Only this
/// module makes one; the store's gate takes one before it opens sealed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    tenant: TenantId,
    user: Option<UserId>,
    op: Operation,
    view: View,
}

impl Permit {
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The user it was given to; `None` for an operator's command.
    pub fn user(&self) -> Option<UserId> {
        self.user
    }

    pub fn operation(&self) -> Operation {
        self.op
    }

    pub fn view(&self) -> View {
        self.view
    }
}

/// The decision as a permit, or `None` when denied.
pub fn permit(actor: &Actor, op: Operation, target: Target) -> Option<Permit> {
    decide(actor, op, target).view().map(|view| Permit { tenant: actor.tenant, user: Some(actor.user), op, view })
}

/// An operator's command on the server may run a benchmark over sealed text, print a released
/// overall report with its narrative (`careerdock report overall`) and export a released
/// management report (`careerdock report management`: the report meant for management, R5, whose
/// cases still pass the consent ledger at the time of the export); the store checks each is
/// released, and the gate audits each read like any other. No other operation is open to an
/// operator.
pub fn operator_permit(tenant: TenantId, op: Operation) -> Option<Permit> {
    matches!(op, Operation::RunBenchmark | Operation::ReadOverallReports | Operation::ReadManagementReports | Operation::ReadEffectReport)
        .then_some(Permit { tenant, user: None, op, view: View::Identified })
}

/// What an operator's command on the server may do without a role: set a company up (tenant,
/// register, accounts, cycles, taxonomy). Reading confidential content is not among it.
pub fn operator_may(op: Operation) -> bool {
    matches!(
        op,
        Operation::ImportEmployees
            | Operation::ListEmployees
            | Operation::ManageUsers
            | Operation::ManageCycles
            | Operation::ManageTaxonomy
            | Operation::ManageOwnTokens
            | Operation::RunBenchmark
            | Operation::ListQuestionnaires
            | Operation::ImportResponses
            | Operation::ManageQuestionnaires
    )
}

#[cfg(test)]
mod tests;
