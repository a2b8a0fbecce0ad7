//! Sign-in throttling as one rule: which failures are counted (the keys), how many are free
//! (the limits), and the answer to the next attempt.
//!
//! Failures are counted per account (tenant and login, wherever they come from), per address,
//! and per (address, account). An account that has failed too often waits, wherever the next
//! attempt comes from: guessing one password is slow. An address that has failed too often is
//! only *suspect*: from it, each account may still fail a few times before it waits too. So an
//! attacker behind an office's proxy gets a few guesses per account and cannot lock the
//! office out; a colleague whose own account has not been failing signs in as usual.

use crate::session::ThrottlePolicy;

/// The counters one sign-in attempt is judged by, and records its failure under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInKeys {
    pub address: String,
    pub account: String,
    pub pair: String,
}

impl SignInKeys {
    /// The keys of an attempt from `address` at `login` of the tenant typed as `tenant`.
    pub fn new(address: &str, tenant: &str, login: &str) -> SignInKeys {
        SignInKeys {
            address: format!("addr:{address}"),
            account: format!("acct:{tenant}:{login}"),
            pair: format!("pair:{address}:{tenant}:{login}"),
        }
    }

    /// Every key a failure is recorded under.
    pub fn all(&self) -> [&str; 3] {
        [&self.address, &self.account, &self.pair]
    }

    /// The keys a success clears: the account's own, never the address's (other accounts may
    /// be failing from there).
    pub fn cleared_by_success(&self) -> [&str; 2] {
        [&self.account, &self.pair]
    }
}

/// The key second-factor failures of one account are counted under.
pub fn second_factor_key(tenant: i64, user: i64) -> String {
    format!("2fa:{tenant}:{user}")
}

/// Failures of one key inside the window, and when the last one was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_ms: i64,
}

/// The failures an attempt is judged by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignInFailures {
    pub address: Failures,
    pub account: Failures,
    pub pair: Failures,
}

/// From a suspect address, each account's own failures from there before it waits.
pub const PAIR_FROM_SUSPECT_ADDRESS: ThrottlePolicy =
    ThrottlePolicy { free_attempts: 3, window_ms: 15 * 60 * 1000, base_delay_ms: 30_000, max_delay_ms: 15 * 60 * 1000 };

/// Second-factor codes are throttled per account like passwords.
pub const SECOND_FACTOR: ThrottlePolicy = ThrottlePolicy::ACCOUNT;

/// The longest window any key is counted over, for the store's query.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The answer to the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The password (or code) is checked.
    Attempt,
    /// Refused unchecked: try again after this many milliseconds.
    Wait { ms: i64 },
}

impl Verdict {
    fn of(wait_ms: i64) -> Verdict {
        if wait_ms > 0 {
            Verdict::Wait { ms: wait_ms }
        } else {
            Verdict::Attempt
        }
    }

    /// Whole seconds to announce in `Retry-After` (rounded up), zero for an attempt.
    pub fn retry_after_secs(self) -> u64 {
        match self {
            Verdict::Attempt => 0,
            Verdict::Wait { ms } => ((ms.max(0) + 999) / 1000) as u64,
        }
    }
}

/// The rule for a password attempt (see the module's documentation).
pub fn sign_in_verdict(f: &SignInFailures, now_ms: i64) -> Verdict {
    let account = ThrottlePolicy::ACCOUNT.wait_ms(f.account.count, f.account.last_ms, now_ms);
    let suspect = f.address.count >= ThrottlePolicy::ADDRESS.free_attempts;
    let pair = if suspect { PAIR_FROM_SUSPECT_ADDRESS.wait_ms(f.pair.count, f.pair.last_ms, now_ms) } else { 0 };
    Verdict::of(account.max(pair))
}

/// The rule for a second-factor code: per account, like a password.
pub fn second_factor_verdict(f: Failures, now_ms: i64) -> Verdict {
    Verdict::of(SECOND_FACTOR.wait_ms(f.count, f.last_ms, now_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_000_000_000;

    fn failed(count: u32) -> Failures {
        Failures { count, last_ms: NOW - 1_000 }
    }

    #[test]
    fn keys_separate_accounts_and_addresses() {
        let k = SignInKeys::new("192.0.2.7", "acme", "hana");
        assert_eq!(k.all(), ["addr:192.0.2.7", "acct:acme:hana", "pair:192.0.2.7:acme:hana"]);
        assert_eq!(k.cleared_by_success(), ["acct:acme:hana", "pair:192.0.2.7:acme:hana"]);
        assert_ne!(SignInKeys::new("192.0.2.7", "acme", "taro").pair, k.pair);
        assert_eq!(second_factor_key(1, 2), "2fa:1:2");
    }

    #[test]
    fn a_failing_account_waits_from_anywhere() {
        let f = SignInFailures { account: failed(5), ..Default::default() };
        assert_eq!(sign_in_verdict(&f, NOW), Verdict::Wait { ms: 29_000 });
        assert_eq!(sign_in_verdict(&SignInFailures { account: failed(4), ..Default::default() }, NOW), Verdict::Attempt);
    }

    #[test]
    fn an_office_behind_one_address_is_not_locked_out() {
        // Hundreds of failures from the proxy, none of them on this colleague's account.
        let f = SignInFailures { address: failed(500), ..Default::default() };
        assert_eq!(sign_in_verdict(&f, NOW), Verdict::Attempt);
        // A colleague who mistyped twice still gets in.
        let f = SignInFailures { address: failed(500), account: failed(2), pair: failed(2) };
        assert_eq!(sign_in_verdict(&f, NOW), Verdict::Attempt);
    }

    #[test]
    fn from_a_suspect_address_each_account_gets_a_few_guesses() {
        let f = SignInFailures { address: failed(30), account: failed(3), pair: failed(3) };
        assert_eq!(sign_in_verdict(&f, NOW), Verdict::Wait { ms: 29_000 });
        // The same account failing from an address that is not suspect has its five.
        let f = SignInFailures { address: failed(29), account: failed(3), pair: failed(3) };
        assert_eq!(sign_in_verdict(&f, NOW), Verdict::Attempt);
    }

    #[test]
    fn waits_end() {
        let f = SignInFailures { address: failed(40), account: failed(5), pair: failed(5) };
        let Verdict::Wait { ms } = sign_in_verdict(&f, NOW) else { panic!("no wait") };
        assert_eq!(sign_in_verdict(&f, NOW + ms), Verdict::Attempt);
        assert_eq!(Verdict::Wait { ms: 1 }.retry_after_secs(), 1);
        assert_eq!(Verdict::Wait { ms: 30_000 }.retry_after_secs(), 30);
    }

    #[test]
    fn second_factor_codes_are_throttled_like_passwords() {
        assert_eq!(second_factor_verdict(failed(4), NOW), Verdict::Attempt);
        assert!(matches!(second_factor_verdict(failed(5), NOW), Verdict::Wait { .. }));
    }

    proptest! {
        /// Whatever an address has done, an account with no failures of its own is never refused.
        #[test]
        fn an_unfailed_account_is_never_refused(address in 0u32..100_000, last in (NOW - 60_000)..NOW) {
            let f = SignInFailures { address: Failures { count: address, last_ms: last }, ..Default::default() };
            prop_assert_eq!(sign_in_verdict(&f, NOW), Verdict::Attempt);
        }

        /// More failures never shorten the wait.
        #[test]
        fn more_failures_never_help(a in 0u32..200, c in 0u32..50, p in 0u32..50, extra in 0u32..20) {
            let wait = |f: &SignInFailures| match sign_in_verdict(f, NOW) { Verdict::Attempt => 0, Verdict::Wait { ms } => ms };
            let f = SignInFailures { address: failed(a), account: failed(c), pair: failed(p) };
            let more = SignInFailures { address: failed(a + extra), account: failed(c + extra), pair: failed(p + extra) };
            prop_assert!(wait(&more) >= wait(&f));
        }
    }
}
