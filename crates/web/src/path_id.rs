//! The one reading of a record's id in a path, for every page and API route: a positive whole
//! number, or "not found" — exactly the answer of an id that does not exist, so that garbage,
//! zero, a negative number and another's record all look alike.

use crate::error::{AppError, AppResult};
use domain::ids::{
    BossConsultationId, ConsentRecordId, CycleId, DisclosureId, EscalationId, InterviewId, NotificationId, ReferralId, ReportId, UserId,
};
use store::{ConsultationRequestId, OrgIssueId, PendingImportId};

/// A typed id made from a path's positive number.
pub trait PathId: Sized {
    fn from_path(n: i64) -> Self;
}

macro_rules! path_ids {
    ($($t:ty),* $(,)?) => {$(
        impl PathId for $t {
            fn from_path(n: i64) -> Self {
                <$t>::new(n)
            }
        }
    )*};
}

path_ids!(
    BossConsultationId,
    ConsentRecordId,
    ConsultationRequestId,
    CycleId,
    DisclosureId,
    EscalationId,
    domain::ids::FollowUpId,
    InterviewId,
    NotificationId,
    OrgIssueId,
    PendingImportId,
    ReferralId,
    ReportId,
    UserId,
    domain::ids::QuestionnaireId,
);

/// An id with no type of its own (a disclosure request of an escalation).
impl PathId for i64 {
    fn from_path(n: i64) -> Self {
        n
    }
}

/// The id of `raw` (spaces around it ignored), or not found.
pub fn path_id<T: PathId>(raw: &str) -> AppResult<T> {
    raw.trim().parse::<i64>().ok().filter(|n| *n > 0).map(T::from_path).ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_positive_number_is_an_id() {
        assert_eq!(path_id::<InterviewId>(" 42 ").ok(), Some(InterviewId::new(42)));
        assert_eq!(path_id::<i64>("7").ok(), Some(7));
        for bad in ["", "0", "-3", "abc", "1.5", "9999999999999999999999", "1e3", "+"] {
            assert!(matches!(path_id::<DisclosureId>(bad), Err(AppError::NotFound)), "{bad:?}");
        }
    }
}
