//! The only place with SQL. One set of repository functions serves embedded SQLite and
//! PostgreSQL; where the two differ, a small named function in `db.rs` says how.

mod account_email;
mod account_pages;
mod actions;
mod audit;
mod audit_log;
mod backup;
mod boss_consultations;
mod boss_guide;
mod calendar;
mod consent_sql;
mod ctx;
mod cycles;
mod dashboard;
mod db;
mod disclosure_pages;
mod disclosures;
mod effect_reports;
mod employees;
mod error;
mod escalation_seed;
mod escalations;
mod follow_ups;
mod hr_home;
mod important_cases;
mod interview_pages;
mod interviews;
mod job_runner;
mod jobs;
mod management_reports;
mod migrate;
mod notification_inbox;
mod notifications;
mod org_issues;
mod overall_bench;
mod overall_reports;
mod paging;
mod pending_imports;
mod personnel_authority;
mod policy_documents;
mod pseudonymize;
mod questionnaire_definitions;
mod questionnaires;
mod referrals;
mod report_pages;
mod reports;
mod request_pages;
mod requests;
mod sealed;
mod seed;
mod sessions;
mod tag_marks;
mod taxonomy;
mod tenants;
mod themes;
mod throttle;
mod tokens;
mod totp;
mod users;
mod yearly_reviews;

pub use account_email::EmailSettings;
pub use account_pages::{AccountQuery, AccountSort, AccountState};
pub use actions::{
    ActionCompletion, ActionCounts, ActionDetail, ActionId, ActionInput, ActionNote, ActionQuery, ActionRow, ActionSort, FindingChoice,
    FindingChoices, FindingCompare, FindingFigure, FINDING_CHOICES_MAX,
};
pub use audit::{AuditStats, VerifyOutcome};
pub use audit_log::{AuditFilter, AuditLogRow, AUDIT_EXPORT_MAX};
pub use backup::{restore_backup, sidecar_path, Backup, BackupMeta, Restored};
pub use boss_consultations::{
    BossConsultationDetail, BossConsultationQuery, BossConsultationRow, BossConsultationSort, NewBossConsultation,
};
pub use boss_guide::{AcknowledgmentFilter, AcknowledgmentRow, AcknowledgmentSort, BossGuide, GuideVersionRow};
pub use calendar::{CalendarFeed, CalendarFeedInfo, FeedEvent};
pub use ctx::{Acting, ActingRole, Admin, Boss, Consultant, Ctx, Employee, Health, Hr, Registrar, Responder, SignedIn, Supervisor};
pub use cycles::{AutoAssigned, TargetSort};
pub use cycles::{
    ConsultantProgress, CycleOverview, CycleRow, CycleStatus, CycleTargetRow, InterviewCounts, NewCycle, ReportCounts, TargetFilter,
    TargetsAdded,
};
pub use dashboard::{
    AdminDashboard, AgendaItem, ChainCheck, ConsultantDashboard, EmployeeDashboard, HeldWithoutReport, HrDashboard, NextInterview,
    OwnReportItem, ProgressRow, RequestItem, SupervisorDashboard, WaitingReport, DASHBOARD_LIST,
};
pub use db::{Backend, DbUrl};
pub use disclosure_pages::{CaseQuery, CaseSort};
pub use disclosures::{
    read_operation, AuthoredDisclosure, ConsentInput, ConsentReceipt, DisclosureQuery, DisclosureRow, DisclosureText, LedgerEntry,
    NewDisclosure, OwnConsents, Released, SeedConsent, SeedDisclosure,
};
pub use effect_reports::EffectChoices;
pub use employees::{DepartmentRow, EmployeeFilter, EmployeeRow, EmployeeSort, ImportSummary, NewEmployees};
pub use error::StoreError;
pub use escalation_seed::{SeedEscalation, SeedEscalationDisclosure, SeedEscalations};
pub use escalations::{
    DisclosureRequestRow, EscalationDetail, EscalationNotice, EscalationRow, EscalationSweep, ReleasedText, ResponderCandidate,
    ResponderSettings,
};
pub use follow_ups::{
    CycleFollowUpCounts, FollowUpCounts, FollowUpFilter, FollowUpRow, FollowUpSlot, NewFollowUp, PreviousReview, SeedFollowUp,
};
pub use hr_home::HrIssueCounts;
pub use important_cases::{CaseRecord, ImportantCaseDetail, ImportantCaseRow};
pub use interview_pages::{InterviewQuery, InterviewSort, InterviewWhen};
pub use interviews::{clash_message, AssignedTarget, InterviewChange, InterviewNote, InterviewRow, NewInterview, OwnInterview};
pub use job_runner::{JobHandler, JobRunner, RunnerOptions, StandardJobs};
pub use jobs::{ClaimedJob, JobRow, JobState, NewJob};
pub use management_reports::{ManagementReportId, ManagementReportRow, ManagementReportView, OverallChoice};
pub use notification_inbox::{InboxFilter, NotificationEmail, NotificationRow, SeedNotice, UNREAD_COUNT_CAP};
pub use org_issues::{OrgIssueDetail, OrgIssueId, OrgIssueQuery, OrgIssueRow, OrgIssueSort, RaisedIssue};
pub use overall_reports::{
    CellNotes, CycleChoice, OverallReportDetail, OverallReportId, OverallVersionRow, ReleasedJson, ReportSettings, TableChoice,
};
pub use paging::{like_pattern, Direction, PageRequest, Paged, MAX_PAGE_SIZE};
pub use pending_imports::{NewPendingImport, PendingImport, PendingImportId, PENDING_IMPORT_TTL_MS};
pub use personnel_authority::{PersonnelAuthorityRow, LISTED_ROLES as PERSONNEL_AUTHORITY_ROLES};
pub use policy_documents::{PolicyDocumentId, PolicyDocumentRow, PolicyDocumentVersion};
pub use questionnaire_definitions::{Defined, QuestionnaireEntry};
pub use questionnaires::{EnteredBy, NewAnswers, QuestionnaireRow, Trajectory, TrajectoryPoint};
pub use referrals::{
    Contact, NewReferral, ReferralBasis, ReferralConsentOption, ReferralCounts, ReferralCountsView, ReferralDetail, ReferralEvent,
    ReferralRecipients, ReferralRow, SeedBasis, SeedReferral,
};
pub use report_pages::{QueueSort, ReportQuery, ReportSort};
pub use reports::{CommentRow, PseudonymizeFigures, QueueItem, ReportDetail, ReportFilter, ReportSummary, ReviewInput, ReviewRow};
pub use request_pages::{ListedRequest, RequestQuery, RequestSort};
pub use requests::{ConsultationRequestId, OwnRequest, QueuedRequest, Routing};
pub use sealed::{KeySource, Keyring, RotationProgress};
pub use seed::{SeedCycle, SeedHistory, SeedInterview, SeedReport, SeedRequest, SeedReview, SeedSummary, SeedTarget};
pub use sessions::{NewSession, SessionRecord};
pub use taxonomy::{Taxonomy, TaxonomyItem};
pub use tenants::TenantRow;
pub use themes::{Extraction, TermMark, ThemeBench, ThemeSettings};
pub use tokens::{TokenPrincipal, TokenRow};
pub use totp::{SecondFactorOutcome, SignInChallenge, TotpSecret, TwoFactorStatus};
pub use users::{one_time_password, AccountRow, NewUser, PasswordCost, UserRow, WRONG_CURRENT_PASSWORD};
pub use yearly_reviews::{CycleComparison, ReviewProposal, YearlyReview, YearlyReviewRow, COMPARE_MAX};

use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Options for opening a store.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Create the SQLite file if it does not exist (demo, migrate); otherwise refuse.
    pub create: bool,
    /// Apply pending migrations.
    pub migrate: bool,
    pub keys: KeySource,
}

/// The store: database pools, the data keys and the audit appender.
#[derive(Clone)]
pub struct Store {
    db: db::Db,
    keys: Arc<Keyring>,
    auditor: audit::Auditor,
    names: pseudonymize::NameCache,
    decisions: overall_reports::Decisions,
    password_cost: PasswordCost,
}

impl Store {
    pub async fn open(url: &str, opts: OpenOptions) -> Result<Store> {
        let parsed = DbUrl::parse(url)?;
        let db = db::Db::connect(&parsed, opts.create).await?;
        if opts.migrate {
            migrate::run(&db).await?;
        } else {
            migrate::check_current(&db).await?;
        }
        let keys = Arc::new(opts.keys.load()?);
        sealed::register_keys(&db, &keys).await?;
        let auditor = audit::Auditor::start(db.clone());
        let store = Store {
            db,
            keys,
            auditor,
            names: pseudonymize::NameCache::default(),
            decisions: overall_reports::Decisions::default(),
            password_cost: PasswordCost::Standard,
        };
        // What an older version kept in plain is sealed before anything is served.
        store.seal_plain_report_facts().await?;
        store.mark_unmarked_reports().await?;
        // The anonymity ledger of releases made before it was sealed.
        store.seal_legacy_ledgers().await?;
        // Released versions are read from their snapshot only: their kept previews go.
        store.clear_released_previews().await?;
        // Approved reports not in the term index yet (an upgraded database) are indexed once.
        store.enqueue_unindexed_report_terms().await?;
        // Every tenant has the product's questionnaire (tenants made before it existed too).
        store.ensure_default_questionnaires().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    /// This store with new password hashes made at `cost` (see [`PasswordCost`]). Only with the
    /// `test-support` feature, which only the tests' builds enable: the product cannot choose a
    /// lighter hash.
    #[cfg(feature = "test-support")]
    pub fn with_password_cost(mut self, cost: PasswordCost) -> Store {
        self.password_cost = cost;
        self
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> bool {
        self.db.ping().await
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Waits until every audit event queued so far is durable, then stops the appender.
    pub async fn close(&self) {
        self.auditor.flush().await;
        self.db.close().await;
    }
}

/// The schema version this build migrates to.
pub fn schema_version() -> i64 {
    migrate::latest()
}

/// Milliseconds since the Unix epoch: the one clock read of the store.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Today's date in Japan, read from the clock: the edge where "today" enters; the rules in
/// `domain` take it as a parameter (`domain::time::today_in_japan`).
pub fn today_jst() -> chrono::NaiveDate {
    domain::time::today_in_japan(chrono::Utc::now())
}
