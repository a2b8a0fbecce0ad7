//! Rules for sessions and sign-in throttling, as pure functions of the time.

/// How long a session lives without use, and at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl Default for SessionLimits {
    fn default() -> Self {
        Self { idle_ms: 30 * 60 * 1000, absolute_ms: 12 * 60 * 60 * 1000 }
    }
}

/// Whether a session created at `created_ms` and last used at `last_seen_ms` is still valid.
pub fn session_alive(limits: SessionLimits, created_ms: i64, last_seen_ms: i64, now_ms: i64) -> bool {
    now_ms - last_seen_ms < limits.idle_ms && now_ms - created_ms < limits.absolute_ms
}

/// Sign-in throttling: after `free_attempts` failures inside `window_ms`, each further attempt
/// must wait, doubling from `base_delay_ms` up to `max_delay_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub free_attempts: u32,
    pub window_ms: i64,
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
}

impl ThrottlePolicy {
    /// Per account: a few mistakes are normal; guessing is not.
    pub const ACCOUNT: ThrottlePolicy =
        ThrottlePolicy { free_attempts: 5, window_ms: 15 * 60 * 1000, base_delay_ms: 30_000, max_delay_ms: 15 * 60 * 1000 };
    /// Per address: an office behind one NAT signs in many people at once.
    pub const ADDRESS: ThrottlePolicy =
        ThrottlePolicy { free_attempts: 30, window_ms: 15 * 60 * 1000, base_delay_ms: 30_000, max_delay_ms: 15 * 60 * 1000 };

    /// How many milliseconds to wait before the next attempt, given the failures recorded in
    /// the window and the time of the last one; zero when an attempt may be made now.
    pub fn wait_ms(self, failures_in_window: u32, last_failure_ms: i64, now_ms: i64) -> i64 {
        if failures_in_window < self.free_attempts {
            return 0;
        }
        let excess = (failures_in_window - self.free_attempts).min(20);
        let delay = self.base_delay_ms.saturating_mul(1i64 << excess).min(self.max_delay_ms);
        (last_failure_ms + delay - now_ms).clamp(0, delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn idle_and_absolute_expiry() {
        let l = SessionLimits { idle_ms: 100, absolute_ms: 1000 };
        assert!(session_alive(l, 0, 950, 999));
        assert!(!session_alive(l, 0, 850, 999 + 1));
        assert!(!session_alive(l, 0, 990, 1000));
    }

    #[test]
    fn throttle_grows_after_free_attempts() {
        let p = ThrottlePolicy::ACCOUNT;
        assert_eq!(p.wait_ms(4, 0, 0), 0);
        assert_eq!(p.wait_ms(5, 0, 0), 30_000);
        assert_eq!(p.wait_ms(6, 0, 0), 60_000);
        assert_eq!(p.wait_ms(5, 0, 30_000), 0);
        assert_eq!(p.wait_ms(60, 0, 0), p.max_delay_ms);
    }

    proptest! {
        #[test]
        fn wait_never_exceeds_max(n in 0u32..1000, last in 0i64..1_000_000, now in 0i64..2_000_000) {
            let w = ThrottlePolicy::ADDRESS.wait_ms(n, last, now);
            prop_assert!((0..=ThrottlePolicy::ADDRESS.max_delay_ms).contains(&w));
        }
    }
}
