//! Background jobs: the kinds there are, how often the recurring ones run, and how long a
//! failed job waits before it is tried again. The store keeps them in the `jobs` table and
//! each server process runs one runner that takes due jobs under a lease.

/// Every kind of job the product runs. A runner only takes the kinds it knows, so a server
/// of an older version leaves a newer kind to the servers that can run it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Deletes sessions past their idle or absolute lifetime.
    SessionPurge,
    /// Deletes the rows of jobs finished long ago (failed ones are kept longer).
    JobHistoryPurge,
    /// Notifies the responders again of overdue life/safety escalations, and tells employees
    /// of disclosures whose notice is due (R4).
    EscalationSweep,
    /// Sends the e-mail of one notification (a subject and a link, no personal content). Only
    /// a server with SMTP configured takes it.
    NotificationEmail,
    /// Extracts the text themes of approved reports into the term index (issue 9): enqueued by
    /// an approval, a change of the tenant's synonyms or stop words, or a backfill.
    ReportTerms,
    /// Reminds consultants of follow-up items due soon and overdue (R7), each reminder once.
    FollowUpReminders,
}

impl JobKind {
    pub const ALL: [JobKind; 6] = [
        JobKind::SessionPurge,
        JobKind::JobHistoryPurge,
        JobKind::EscalationSweep,
        JobKind::NotificationEmail,
        JobKind::ReportTerms,
        JobKind::FollowUpReminders,
    ];

    /// The kinds that run every so often (the others are one-off jobs).
    pub fn recurring() -> impl Iterator<Item = JobKind> {
        JobKind::ALL.into_iter().filter(|k| k.every_ms().is_some())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SessionPurge => "session_purge",
            JobKind::JobHistoryPurge => "job_history_purge",
            JobKind::EscalationSweep => "escalation_sweep",
            JobKind::NotificationEmail => "notification_email",
            JobKind::ReportTerms => "report_terms",
            JobKind::FollowUpReminders => "follow_up_reminders",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How often a recurring kind runs: after each run (done or given up) the next one is
    /// scheduled this long after. `None` for one-off jobs.
    pub fn every_ms(self) -> Option<i64> {
        match self {
            JobKind::SessionPurge => Some(10 * 60 * 1000),
            JobKind::JobHistoryPurge => Some(24 * 60 * 60 * 1000),
            // An overdue escalation is seen within five minutes of its deadline.
            JobKind::EscalationSweep => Some(5 * 60 * 1000),
            JobKind::NotificationEmail => None,
            JobKind::ReportTerms => None,
            // Due dates are days: an hourly look is soon enough, and cheap.
            JobKind::FollowUpReminders => Some(60 * 60 * 1000),
        }
    }

    /// How many times a job of this kind is tried before it is recorded as failed.
    pub fn max_attempts(self) -> u32 {
        match self {
            JobKind::SessionPurge | JobKind::JobHistoryPurge | JobKind::EscalationSweep | JobKind::FollowUpReminders => 3,
            // With the standard backoff (30 s doubling): the last try about an hour after the
            // first, which outlasts a mail server's restart or a short outage.
            JobKind::NotificationEmail => 8,
            // A missing dictionary is installed by an operator: keep trying for about a day.
            JobKind::ReportTerms => 12,
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exponential backoff: the first retry waits `base_ms`, each further one twice as long as
/// the one before, never more than `max_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: i64,
    pub max_ms: i64,
}

impl Backoff {
    /// Half a minute, doubling, at most an hour: long enough for a database restart or a
    /// mail server's hiccup, short enough that a deadline is not missed by much.
    pub const STANDARD: Backoff = Backoff { base_ms: 30_000, max_ms: 60 * 60 * 1000 };

    /// The wait after the `attempts`-th failed attempt (1 for the first failure).
    pub fn delay_ms(self, attempts: u32) -> i64 {
        let doublings = attempts.saturating_sub(1).min(40);
        self.base_ms.max(0).saturating_mul(1i64 << doublings).min(self.max_ms.max(0))
    }
}

/// What becomes of a job whose attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this time (epoch milliseconds).
    RetryAt(i64),
    /// Every attempt is spent: record the job as failed.
    GiveUp,
}

/// The rule for a failed attempt: `attempts` counts the attempts made so far, this one
/// included.
pub fn after_failure(backoff: Backoff, attempts: u32, max_attempts: u32, now_ms: i64) -> AfterFailure {
    if attempts >= max_attempts {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(now_ms.saturating_add(backoff.delay_ms(attempts)))
    }
}

/// The longest error text kept with a job: enough for a cause, never a dump.
pub const ERROR_MAX_CHARS: usize = 2000;

/// An error as recorded: cut to [`ERROR_MAX_CHARS`] characters.
pub fn error_text(error: &str) -> String {
    error.chars().take(ERROR_MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kinds_round_trip() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
            assert!(k.max_attempts() >= 1);
        }
        assert_eq!(JobKind::parse("mail"), None);
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let b = Backoff { base_ms: 100, max_ms: 1_000 };
        let delays: Vec<i64> = (1..=6).map(|n| b.delay_ms(n)).collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(b.delay_ms(0), 100, "no failure yet counts as the first");
        assert_eq!(b.delay_ms(u32::MAX), 1_000);
        assert_eq!(Backoff::STANDARD.delay_ms(1), 30_000);
        assert_eq!(Backoff::STANDARD.delay_ms(100), 3_600_000);
    }

    #[test]
    fn the_last_attempt_gives_up() {
        let b = Backoff { base_ms: 100, max_ms: 1_000 };
        assert_eq!(after_failure(b, 1, 3, 5_000), AfterFailure::RetryAt(5_100));
        assert_eq!(after_failure(b, 2, 3, 5_000), AfterFailure::RetryAt(5_200));
        assert_eq!(after_failure(b, 3, 3, 5_000), AfterFailure::GiveUp);
        assert_eq!(after_failure(b, 4, 3, 5_000), AfterFailure::GiveUp, "a lease lost after the last attempt");
        assert_eq!(after_failure(b, 1, 1, 5_000), AfterFailure::GiveUp);
    }

    #[test]
    fn errors_are_cut_on_characters() {
        let long = "あ".repeat(ERROR_MAX_CHARS + 10);
        assert_eq!(error_text(&long).chars().count(), ERROR_MAX_CHARS);
        assert_eq!(error_text("boom"), "boom");
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_stay_within_bounds(base in 0i64..100_000, max in 0i64..10_000_000, n in 0u32..200) {
            let b = Backoff { base_ms: base, max_ms: max };
            let d = b.delay_ms(n);
            prop_assert!(d >= 0 && d <= max);
            prop_assert!(b.delay_ms(n + 1) >= d);
            prop_assert!(d >= base.min(max));
        }

        #[test]
        fn retries_are_in_the_future_until_the_last(attempts in 1u32..50, max in 1u32..50, now in 0i64..1_000_000_000_000) {
            match after_failure(Backoff::STANDARD, attempts, max, now) {
                AfterFailure::RetryAt(at) => prop_assert!(attempts < max && at > now),
                AfterFailure::GiveUp => prop_assert!(attempts >= max),
            }
        }
    }
}
