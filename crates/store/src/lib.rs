//! The only place with SQL. One set of repository functions serves embedded SQLite and
//! PostgreSQL; where the two differ, a small named function in `db.rs` says how.

mod audit;
mod backup;
mod calendar;
mod cycles;
mod db;
mod employees;
mod error;
mod interviews;
mod migrate;
mod pending_imports;
mod pseudonymize;
mod reports;
mod requests;
pub mod sealed;
mod seed;
mod sessions;
mod taxonomy;
mod tenants;
mod throttle;
mod tokens;
mod totp;
mod users;

pub use audit::{AuditStats, VerifyOutcome};
pub use backup::{restore_backup, sidecar_path, Backup, BackupMeta, Restored};
pub use calendar::{CalendarFeed, CalendarFeedInfo, FeedEvent};
pub use cycles::{
    ConsultantProgress, CycleOverview, CycleRow, CycleStatus, CycleTargetRow, InterviewCounts, NewCycle, ReportCounts, TargetFilter,
    TargetsAdded,
};
pub use db::{Backend, DbUrl};
pub use employees::{DepartmentRow, EmployeeFilter, EmployeeRow, ImportSummary, NewEmployees};
pub use error::StoreError;
pub use interviews::{
    clash_message, AssignedTarget, InterviewChange, InterviewNote, InterviewRow, NewInterview, OwnInterview, NOTE_MAX_CHARS,
};
pub use pending_imports::{NewPendingImport, PendingImport, PendingImportId, PENDING_IMPORT_TTL_MS};
pub use requests::{ConsultationRequestId, OwnRequest, QueuedRequest, Routing};
pub use sealed::{KeySource, Keyring};
pub use seed::{SeedCycle, SeedHistory, SeedInterview, SeedReport, SeedRequest, SeedReview, SeedSummary, SeedTarget};
pub use sessions::{NewSession, SessionRecord};

/// A random token (hex), for CSRF cookies and similar one-off secrets.
pub fn sessions_token() -> String {
    sessions::random_token(32)
}
pub use reports::{CommentRow, PseudonymizeFigures, QueueItem, ReportDetail, ReportFilter, ReportSummary, ReviewInput, ReviewRow};
pub use taxonomy::{Taxonomy, TaxonomyItem};
pub use tenants::TenantRow;
pub use tokens::{TokenPrincipal, TokenRow};
pub use totp::{SecondFactorOutcome, SignInChallenge, TotpSecret, TwoFactorStatus};
pub use users::{AccountRow, NewUser, UserRow};

use domain::audit::AuditEvent;
use domain::ids::{TenantId, UserId};
use domain::policy::Actor;
use domain::Role;
use std::sync::Arc;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who acts on the store, for the audit log: a signed-in user in a role, or an operator command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ctx {
    pub tenant: TenantId,
    pub user: Option<UserId>,
    pub label: String,
    pub role: Option<Role>,
}

impl Ctx {
    pub fn user(tenant: TenantId, user: UserId, login: &str, role: Option<Role>) -> Self {
        Self { tenant, user: Some(user), label: login.to_string(), role }
    }

    /// An operator's command-line action, recorded as `cli:<command>`.
    pub fn operator(tenant: TenantId, command: &str) -> Self {
        Self { tenant, user: None, label: format!("cli:{command}"), role: None }
    }

    /// The signed-in actor of this context; operator contexts have none, and get "not found".
    pub(crate) fn actor(&self) -> Result<Actor> {
        match (self.user, self.role) {
            (Some(user), Some(role)) => Ok(Actor { user, tenant: self.tenant, role }),
            _ => Err(StoreError::NotFound),
        }
    }

    /// An audit event attributed to this actor.
    pub fn event(&self, action: domain::audit::AuditAction, target_kind: &str, target_id: impl ToString) -> AuditEvent {
        AuditEvent::new(action, target_kind, target_id).by(self.user.map(|u| u.get()), &self.label, self.role)
    }
}

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
        Ok(Store { db, keys, auditor, names: pseudonymize::NameCache::default() })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
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
