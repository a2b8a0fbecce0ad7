//! Per-entity identifiers: one newtype each, so that an `EmployeeId` can never be passed
//! where a `UserId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self { Self(raw) }
            pub const fn get(self) -> i64 { self.0 }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.0) }
        }
    )*};
}

id_type!(
    /// A client company.
    TenantId,
    /// A login account.
    UserId,
    /// An employee record (not necessarily a user).
    EmployeeId,
    /// A node of a tenant's department tree.
    DepartmentId,
    /// An API token.
    TokenId,
    /// A sealed (encrypted) text value.
    SealedId,
    /// A cycle (実施年度).
    CycleId,
    /// An interview (面談).
    InterviewId,
    /// An individual report (個別報告書).
    ReportId,
    /// A background job.
    JobId,
    /// A disclosure: a text meant for one recipient and purpose, released only with consent.
    DisclosureId,
    /// One entry of the consent ledger (append-only).
    ConsentRecordId,
    /// An in-app notice to one user.
    NotificationId,
    /// A life/safety escalation (R4).
    EscalationId,
    /// An important case reported to HR with consent (R5).
    ImportantCaseId,
    /// A de-identified organizational issue (組織課題).
    OrgIssueId,
    /// A consultant's record of a consultation with an employee's boss (R8).
    BossConsultationId,
    /// A tenant's questionnaire (アンケート).
    QuestionnaireId,
    /// One answer set to a questionnaire.
    QuestionnaireResponseId,
    /// A follow-up item: an additional or follow-up interview planned from a report (R7).
    FollowUpId,
);
