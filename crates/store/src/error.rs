//! What can go wrong in the store, in terms the layers above can act on.

use domain::import::RowError;
use domain::{Invalid, Message};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The request clashes with the state of the data (a change made meanwhile, a value
    /// already taken, a file in the way); said in both languages for whoever sees it.
    #[error("conflict: {} / {}", .0.ja, .0.en)]
    Conflict(Message),
    #[error("invalid: {0}")]
    Invalid(#[from] Invalid),
    #[error("{} row(s) rejected", .0.len())]
    Rows(Vec<RowError>),
    /// Several values that cannot be accepted, all said at once (a form sent back whole).
    #[error("{} problem(s)", .0.len())]
    Problems(Vec<Invalid>),
    #[error("configuration: {0}")]
    Config(String),
    #[error("sealed text: {0}")]
    Crypto(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("audit log: {0}")]
    Audit(String),
    /// The policy refused an operation on an existing record inside a write; the public
    /// operation records the refusal once its transaction is gone and answers `NotFound`.
    #[error("not found")]
    Refused { operation: domain::policy::Operation, kind: domain::audit::AuditTarget, id: String },
    /// A boss asked for feedback before acknowledging the guide for bosses as it now requires
    /// (R8): the way on is the guide, not a refusal of the record.
    #[error("the guide for bosses must be acknowledged first")]
    GuideNotAcknowledged,
}

impl StoreError {
    /// Every problem of a check that lists them all: one as `Invalid`, several as `Problems`.
    pub fn problems(mut all: Vec<Invalid>) -> StoreError {
        match all.len() {
            0 => StoreError::Problems(all),
            1 => StoreError::Invalid(all.remove(0)),
            _ => StoreError::Problems(all),
        }
    }

    /// Whether the database refused because a unique key already holds the value.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }
}
