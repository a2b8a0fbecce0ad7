//! Rules for sessions and sign-in throttling, as pure functions of the time, and what a
//! sign-in form may send.

use crate::Invalid;
use unicode_normalization::UnicodeNormalization;

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

/// How long a sign-in form stays usable after the server drew it.
pub const LOGIN_FORM_TTL_MS: i64 = 60 * 60 * 1000;
/// How far ahead of this server's clock another server's form may have been issued.
const CLOCK_SKEW_MS: i64 = 60 * 1000;

/// Whether a sign-in form issued at `issued_ms` may still be sent at `now_ms`.
pub fn login_form_fresh(issued_ms: i64, now_ms: i64) -> bool {
    issued_ms <= now_ms.saturating_add(CLOCK_SKEW_MS) && now_ms.saturating_sub(issued_ms) < LOGIN_FORM_TTL_MS
}

/// Longest return path followed; a longer one is not a link a person clicked.
const RETURN_PATH_MAX: usize = 2048;

/// Where a user may be sent back to after signing in, choosing a role or switching language:
/// a path of this site, or nothing. Browsers read `//host`, `/\host` and `/<tab>/host` as
/// other sites (they drop tabs and newlines and turn backslashes into slashes), and a path
/// decoded once more by some later hop may become one: so the path is refused when it, or any
/// percent-decoding of it, holds a control character or a backslash, or a path part with `//`.
/// A path that starts with `/` cannot name a scheme.
pub fn local_return_path(raw: &str) -> Option<&str> {
    if raw.len() > RETURN_PATH_MAX || !raw.starts_with('/') {
        return None;
    }
    let mut current = raw.to_string();
    // Each round removes one level of encoding; a string stops changing after as many rounds
    // as it has levels, and the length bound keeps that small.
    for _ in 0..RETURN_PATH_MAX {
        if !plainly_local(&current) {
            return None;
        }
        let decoded = percent_decode(&current);
        if decoded == current {
            return Some(raw);
        }
        current = decoded;
    }
    None
}

fn plainly_local(s: &str) -> bool {
    let path = s.split(['?', '#']).next().unwrap_or("");
    s.starts_with('/') && !path.contains("//") && !s.chars().any(|c| c.is_control() || c == '\\')
}

/// `%XX` sequences decoded (others left as they are); bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    /// Per address: an office behind one NAT signs in many people at once. Past its free
    /// attempts an address is only suspect, never locked (see `throttle::sign_in_verdict`).
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

/// The longest login id a sign-in form may send: no account has a longer one (the store
/// refuses to create it), so a longer one is refused before any work.
pub const MAX_LOGIN_CHARS: usize = 64;
/// The longest organization code a sign-in form may send (a tenant's code has at most 40).
pub const MAX_TENANT_CHARS: usize = 40;

fn longer_than(s: &str, max: usize) -> bool {
    s.chars().nth(max).is_some()
}

/// Refuses a sign-in whose organization code or login id no account can have, before any
/// lookup, hashing, throttling or audit write.
pub fn check_sign_in_input(tenant: &str, login: &str) -> Result<(), Invalid> {
    if longer_than(tenant.trim(), MAX_TENANT_CHARS) {
        return Err(Invalid::new(
            "tenant",
            format!("組織コードは{MAX_TENANT_CHARS}文字以内で入力してください。"),
            format!("The organization code has at most {MAX_TENANT_CHARS} characters."),
        ));
    }
    if longer_than(login.trim(), MAX_LOGIN_CHARS) {
        return Err(Invalid::new(
            "login",
            format!("ログインIDは{MAX_LOGIN_CHARS}文字以内で入力してください。"),
            format!("The login ID has at most {MAX_LOGIN_CHARS} characters."),
        ));
    }
    Ok(())
}

/// At most this many characters of what an unauthenticated request typed reach the audit log.
pub const MAX_UNTRUSTED_LABEL_CHARS: usize = 64;
/// Ends a label that was cut.
pub const CUT_MARKER: char = '…';

/// Characters that change how text around them is shown without being seen themselves:
/// bidirectional overrides, zero-width characters, the byte-order mark, soft hyphens.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// What of a typed, unauthenticated value (a login id at a failed sign-in) the permanent
/// audit log may hold: NFKC-normalized, without control or invisible formatting characters,
/// at most [`MAX_UNTRUSTED_LABEL_CHARS`] characters, ending in [`CUT_MARKER`] when cut.
pub fn untrusted_label(typed: &str) -> String {
    // Only the beginning can survive; normalizing the rest would be work for nothing.
    let head: String = typed.chars().take(MAX_UNTRUSTED_LABEL_CHARS * 4).collect();
    let cleaned: Vec<char> = head.nfkc().filter(|c| !c.is_control() && !is_invisible_format(*c)).collect();
    let cleaned: Vec<char> = {
        let s: String = cleaned.into_iter().collect();
        s.trim().chars().collect()
    };
    let cut = cleaned.len() > MAX_UNTRUSTED_LABEL_CHARS || head.len() < typed.len();
    if !cut {
        return cleaned.into_iter().collect();
    }
    let mut out: String = cleaned.into_iter().take(MAX_UNTRUSTED_LABEL_CHARS - 1).collect();
    out.push(CUT_MARKER);
    out
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

    #[test]
    fn sign_in_forms_expire_and_cannot_come_from_the_future() {
        assert!(login_form_fresh(1_000, 1_000));
        assert!(login_form_fresh(1_000, 1_000 + LOGIN_FORM_TTL_MS - 1));
        assert!(!login_form_fresh(1_000, 1_000 + LOGIN_FORM_TTL_MS));
        assert!(login_form_fresh(1_000 + 30_000, 1_000), "a little clock skew between servers");
        assert!(!login_form_fresh(i64::MAX, 0));
        assert!(!login_form_fresh(i64::MIN, 0));
    }

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        for ok in ["/", "/employees?q=1", "/tokens?x=1", "/employees?q=%E5%B1%B1", "/role?next=%2Fcycles", "/a/b#c", "/社員"] {
            assert_eq!(local_return_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "employees",
            "//evil.example/",
            "///evil.example/",
            "/\\evil.example",
            "/\t/evil.example/",
            "/%09/evil.example/",
            "/%0a/evil.example/",
            "/%0D%0A/evil",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%252F%252Fevil.example",
            "/%25252F%25252Fevil.example",
            "/%5Cevil.example",
            "/%255Cevil.example",
            "/%00",
            "/x\u{7f}",
            "/x\u{85}",
            "https://evil.example/",
            "javascript:alert(1)",
            " /x",
            "/a//b",
        ] {
            assert_eq!(local_return_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_return_path(&format!("/{}", "a".repeat(RETURN_PATH_MAX))), None);
        assert_eq!(local_return_path("/search?u=https://x.example//y"), Some("/search?u=https://x.example//y"), "only the path part");
    }

    proptest! {
        #[test]
        /// Whatever is accepted stays on this site when a browser follows it, and again when
        /// some later hop decodes it once more before following it.
        #[test]
        fn accepted_return_paths_stay_on_the_site(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("/"), Just("\\"), Just("%2F"), Just("%2f"), Just("%5C"), Just("%25"), Just("%09"), Just("\t"),
                    Just("\n"), Just("%0A"), Just("."), Just(":"), Just("@"), Just("?"), Just("#"), Just("evil.example"),
                    Just("https:"), Just("javascript:"), Just(" "), Just("%20"), Just("a"), Just("%"), Just("2F"), Just("\u{3000}"),
                ],
                0..12,
            )
        ) {
            let raw = format!("/{}", parts.concat());
            if let Some(path) = local_return_path(&raw) {
                prop_assert_eq!(path, raw.as_str());
                prop_assert!(!path.chars().any(|c| c.is_control()));
                let base = url::Url::parse("https://app.example/some/page").map_err(|e| TestCaseError::fail(e.to_string()))?;
                for candidate in [path.to_string(), percent_decode(path), percent_decode(&percent_decode(path))] {
                    let to = base.join(&candidate).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(to.origin(), base.origin(), "{:?} leads to {}", candidate, to);
                }
            }
        }

        #[test]
        fn any_text_is_refused_or_stays_on_the_site(tail in "\\PC{0,40}") {
            if let Some(path) = local_return_path(&format!("/{tail}")) {
                let base = url::Url::parse("https://app.example/").map_err(|e| TestCaseError::fail(e.to_string()))?;
                let to = base.join(path).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(to.origin(), base.origin());
            }
        }

        fn wait_never_exceeds_max(n in 0u32..1000, last in 0i64..1_000_000, now in 0i64..2_000_000) {
            let w = ThrottlePolicy::ADDRESS.wait_ms(n, last, now);
            prop_assert!((0..=ThrottlePolicy::ADDRESS.max_delay_ms).contains(&w));
        }
    }
    #[test]
    fn over_long_sign_in_input_is_refused() {
        assert!(check_sign_in_input("acme", &"a".repeat(64)).is_ok());
        assert_eq!(check_sign_in_input("acme", &"a".repeat(65)).err().map(|e| e.field), Some("login"));
        assert_eq!(check_sign_in_input(&"a".repeat(41), "hana").err().map(|e| e.field), Some("tenant"));
        assert!(check_sign_in_input("acme", &"あ".repeat(1 << 20)).is_err());
    }

    #[test]
    fn untrusted_labels_are_normalized_and_capped() {
        assert_eq!(untrusted_label("hana"), "hana");
        assert_eq!(untrusted_label("ｈａｎａ"), "hana", "full-width letters fold");
        assert_eq!(untrusted_label("ha\u{0}na\r\n\u{1b}[31m"), "hana[31m", "control characters go");
        assert_eq!(untrusted_label("admin\u{202E}nimda\u{200B}"), "adminnimda", "bidi overrides and zero-width go");
        let cut = untrusted_label(&"x".repeat(1 << 20));
        assert_eq!(cut.chars().count(), MAX_UNTRUSTED_LABEL_CHARS);
        assert!(cut.ends_with(CUT_MARKER));
        assert_eq!(untrusted_label(&"y".repeat(64)), "y".repeat(64), "64 characters fit whole");
        assert!(untrusted_label(&"y".repeat(65)).ends_with(CUT_MARKER));
    }

    proptest! {
        #[test]
        fn untrusted_labels_never_exceed_the_cap(s in "\\PC{0,300}|[\\x00-\\x1f\\u{202a}-\\u{202e}a]{0,300}") {
            let label = untrusted_label(&s);
            prop_assert!(label.chars().count() <= MAX_UNTRUSTED_LABEL_CHARS);
            prop_assert!(!label.chars().any(|c| c.is_control() || is_invisible_format(c)));
        }
    }
}
