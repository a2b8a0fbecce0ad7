//! Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238): which codes are
//! accepted (and which are replays), recovery codes, and who must enroll under a tenant's
//! setting. Pure functions of their inputs; randomness and time are passed in.

use crate::ids::{TenantId, UserId};
use crate::Role;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};
use unicode_normalization::UnicodeNormalization;

/// Seconds per code (the value every authenticator app assumes).
pub const STEP_SECS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Codes of the step before and the step after the current one are accepted too, for clocks
/// that drift a little.
pub const SKEW_STEPS: u64 = 1;
/// Bytes of a new secret: 160 bits, as RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;
/// Random bytes per recovery code: 80 bits, so a SHA-256 of the code cannot be reversed by
/// trying codes.
pub const RECOVERY_CODE_BYTES: usize = 10;
/// How long the half-signed-in state (password accepted, code not yet) lasts.
pub const CHALLENGE_TTL_MS: i64 = 5 * 60 * 1000;
/// The issuer an authenticator app shows beside the account.
pub const ISSUER: &str = "careerdock";

/// The roles that read confidential consultation content.
pub const CONFIDENTIAL_ROLES: [Role; 3] = [Role::Consultant, Role::Supervisor, Role::Health];

fn totp(secret: &[u8]) -> Option<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, SKEW_STEPS as u8, STEP_SECS, secret.to_vec(), Some(ISSUER.to_string()), String::new()).ok()
}

/// The code an authenticator shows at `unix_secs` for `secret`; `None` for a secret shorter
/// than 128 bits.
pub fn code_at(secret: &[u8], unix_secs: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix_secs))
}

/// The time step `unix_secs` falls in.
pub fn step_of(unix_secs: u64) -> i64 {
    i64::try_from(unix_secs / STEP_SECS).unwrap_or(i64::MAX)
}

/// The answer to a typed code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code of time step `step`, not used before.
    Accepted {
        step: i64,
    },
    /// A right code whose step has already been used to sign in: refused, so a code seen over
    /// someone's shoulder cannot be used a second time.
    Replayed,
    Wrong,
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a normalized six-digit `code` against the steps around `now_secs`. `last_step` is
/// the step of the last accepted code: that step and every earlier one are spent.
pub fn check_code(secret: &[u8], code: &str, now_secs: u64, last_step: Option<i64>) -> CodeCheck {
    let Some(t) = totp(secret) else { return CodeCheck::Wrong };
    let current = now_secs / STEP_SECS;
    let mut outcome = CodeCheck::Wrong;
    for step in current.saturating_sub(SKEW_STEPS)..=current.saturating_add(SKEW_STEPS) {
        let Some(at) = step.checked_mul(STEP_SECS) else { continue };
        // Every candidate is computed and compared, so the time taken says nothing.
        if !same(&t.generate(at), code) {
            continue;
        }
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if last_step.is_some_and(|last| step <= last) {
            if outcome == CodeCheck::Wrong {
                outcome = CodeCheck::Replayed;
            }
        } else {
            outcome = CodeCheck::Accepted { step };
        }
    }
    outcome
}

/// What a user typed at the second step, once normalized (full-width digits, spaces and
/// hyphens are forgiven).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactorInput {
    /// Six digits from the authenticator.
    Code(String),
    /// A recovery code, lower case without separators.
    Recovery(String),
    Malformed,
}

/// Reads what was typed: six digits are a code; sixteen letters and digits of the base32
/// alphabet are a recovery code. Input longer than any of them is malformed without more work.
pub fn classify(input: &str) -> SecondFactorInput {
    if input.chars().nth(64).is_some() {
        return SecondFactorInput::Malformed;
    }
    let cleaned: String = input.nfkc().filter(|c| !c.is_whitespace() && *c != '-' && *c != '_').flat_map(|c| c.to_lowercase()).collect();
    if cleaned.len() == DIGITS && cleaned.chars().all(|c| c.is_ascii_digit()) {
        return SecondFactorInput::Code(cleaned);
    }
    let recovery_len = RECOVERY_CODE_BYTES * 8 / 5;
    if cleaned.len() == recovery_len && cleaned.chars().all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)) {
        return SecondFactorInput::Recovery(cleaned);
    }
    SecondFactorInput::Malformed
}

/// The secret as base32 (what an authenticator app asks for when typed by hand).
pub fn secret_text(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(s) => s.trim_end_matches('=').to_string(),
        Secret::Raw(_) => String::new(),
    }
}

/// The secret as shown to a person: base32 in groups of four.
pub fn secret_for_display(secret: &[u8]) -> String {
    let text = secret_text(secret);
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Reads a secret stored as base32.
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    Secret::Encoded(text.trim().to_string()).to_bytes().ok().filter(|b| b.len() >= 16)
}

/// The `otpauth://` URI an authenticator app reads from the QR code. The account is named
/// `login@tenant`, which an app shows under the issuer.
pub fn provisioning_uri(secret: &[u8], tenant_slug: &str, login: &str) -> Option<String> {
    let account = format!("{login}@{tenant_slug}");
    TOTP::new(Algorithm::SHA1, DIGITS, SKEW_STEPS as u8, STEP_SECS, secret.to_vec(), Some(ISSUER.to_string()), account)
        .ok()
        .map(|t| t.get_url())
}

/// A recovery code from its random bytes: sixteen base32 characters in groups of four.
pub fn recovery_code_text(bytes: &[u8; RECOVERY_CODE_BYTES]) -> String {
    let text = secret_text(bytes).to_lowercase();
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// What is stored of a recovery code (normalized by [`classify`]): its SHA-256, bound to the
/// account so that equal codes of two accounts never match each other.
pub fn recovery_code_hash(tenant: TenantId, user: UserId, normalized: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"careerdock recovery code v1\0");
    h.update(tenant.get().to_be_bytes());
    h.update(user.get().to_be_bytes());
    h.update(normalized.as_bytes());
    hex::encode(h.finalize())
}

/// A tenant's setting: who must sign in with a second factor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TwoFactorRequirement {
    /// Nobody must; everyone may.
    #[default]
    Nobody,
    /// Holders of a role that reads confidential content (consultant, supervisor, health).
    ConfidentialRoles,
    Everyone,
}

impl TwoFactorRequirement {
    pub const ALL: [TwoFactorRequirement; 3] =
        [TwoFactorRequirement::Nobody, TwoFactorRequirement::ConfidentialRoles, TwoFactorRequirement::Everyone];

    pub fn as_str(self) -> &'static str {
        match self {
            TwoFactorRequirement::Nobody => "nobody",
            TwoFactorRequirement::ConfidentialRoles => "confidential",
            TwoFactorRequirement::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<TwoFactorRequirement> {
        TwoFactorRequirement::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Whether a user holding `roles` must use a second factor. A user with several roles
    /// must when any of them is concerned: they can act in it with the same sign-in.
    pub fn applies_to(self, roles: &[Role]) -> bool {
        match self {
            TwoFactorRequirement::Nobody => false,
            TwoFactorRequirement::ConfidentialRoles => roles.iter().any(|r| CONFIDENTIAL_ROLES.contains(r)),
            TwoFactorRequirement::Everyone => true,
        }
    }
}

/// What follows a correct password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondStep {
    /// Signed in.
    None,
    /// A code (or a recovery code) is asked for.
    Code,
    /// The tenant requires a second factor the user has not set up: enrollment first, and
    /// nothing else until it is done.
    Enroll,
}

impl SecondStep {
    pub fn as_str(self) -> &'static str {
        match self {
            SecondStep::None => "none",
            SecondStep::Code => "code",
            SecondStep::Enroll => "enroll",
        }
    }

    pub fn parse(s: &str) -> Option<SecondStep> {
        [SecondStep::None, SecondStep::Code, SecondStep::Enroll].into_iter().find(|x| x.as_str() == s)
    }
}

/// The step after the password: whoever has enrolled gives a code; whoever must but has not,
/// enrolls; everyone else is in.
pub fn second_step(requirement: TwoFactorRequirement, roles: &[Role], enrolled: bool) -> SecondStep {
    if enrolled {
        SecondStep::Code
    } else if requirement.applies_to(roles) {
        SecondStep::Enroll
    } else {
        SecondStep::None
    }
}

/// Whether a user may turn their own second factor off: not while the tenant requires it of them.
pub fn may_disable(requirement: TwoFactorRequirement, roles: &[Role]) -> bool {
    !requirement.applies_to(roles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_test_vectors() {
        // Appendix B gives eight digits; six are their last six.
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t).as_deref(), Some(&eight[2..]), "t={t}");
        }
    }

    #[test]
    fn neighbouring_steps_are_accepted_and_far_ones_are_not() {
        let now = 1_234_567_890;
        let step = step_of(now);
        for (offset, ok) in [(-60i64, false), (-30, true), (0, true), (30, true), (60, false)] {
            let at = (now as i64 + offset) as u64;
            let code = code_at(RFC_SECRET, at).unwrap_or_default();
            let got = check_code(RFC_SECRET, &code, now, None);
            if ok {
                assert_eq!(got, CodeCheck::Accepted { step: step_of(at) }, "offset {offset}");
                assert!((step_of(at) - step).abs() <= 1);
            } else {
                assert_eq!(got, CodeCheck::Wrong, "offset {offset}");
            }
        }
        assert_eq!(check_code(RFC_SECRET, "000000", now, None), CodeCheck::Wrong);
    }

    #[test]
    fn a_code_is_used_once() {
        let now = 1_111_111_111;
        let code = code_at(RFC_SECRET, now).unwrap_or_default();
        let CodeCheck::Accepted { step } = check_code(RFC_SECRET, &code, now, None) else { panic!("the current code is refused") };
        assert_eq!(check_code(RFC_SECRET, &code, now, Some(step)), CodeCheck::Replayed);
        assert_eq!(check_code(RFC_SECRET, &code, now + 10, Some(step)), CodeCheck::Replayed);
        // An older code after a newer one was used is spent too.
        let older = code_at(RFC_SECRET, now - 30).unwrap_or_default();
        assert_eq!(check_code(RFC_SECRET, &older, now, Some(step)), CodeCheck::Replayed);
        // The next step's code is fresh.
        let next = code_at(RFC_SECRET, now + 30).unwrap_or_default();
        assert_eq!(check_code(RFC_SECRET, &next, now + 30, Some(step)), CodeCheck::Accepted { step: step + 1 });
    }

    #[test]
    fn the_first_seconds_of_the_epoch_do_not_underflow() {
        let code = code_at(RFC_SECRET, 0).unwrap_or_default();
        assert_eq!(check_code(RFC_SECRET, &code, 0, None), CodeCheck::Accepted { step: 0 });
    }

    #[test]
    fn typed_input_is_forgiven_its_form() {
        assert_eq!(classify(" 123 456 "), SecondFactorInput::Code("123456".into()));
        assert_eq!(classify("１２３４５６"), SecondFactorInput::Code("123456".into()));
        assert_eq!(classify("ABCD-EFGH-2345-67ab"), SecondFactorInput::Recovery("abcdefgh234567ab".into()));
        assert_eq!(classify("12345"), SecondFactorInput::Malformed);
        assert_eq!(classify("abcd-efgh-1111-0000"), SecondFactorInput::Malformed, "0 and 1 are not base32");
        assert_eq!(classify(&"1".repeat(100_000)), SecondFactorInput::Malformed);
    }

    #[test]
    fn secrets_round_trip_through_text_and_uri() {
        let secret = [7u8; SECRET_BYTES];
        let text = secret_text(&secret);
        assert_eq!(text.len(), 32);
        assert_eq!(secret_from_text(&text).as_deref(), Some(&secret[..]));
        assert_eq!(secret_for_display(&secret).replace(' ', ""), text);
        let uri = provisioning_uri(&secret, "acme", "hana@example.jp").unwrap_or_default();
        assert!(uri.starts_with("otpauth://totp/careerdock:hana%40example.jp%40acme?"), "{uri}");
        assert!(uri.contains(&format!("secret={text}")) && uri.contains("issuer=careerdock"), "{uri}");
        assert_eq!(secret_from_text("short"), None);
    }

    #[test]
    fn recovery_codes_read_back_and_hash_per_account() {
        let code = recovery_code_text(&[0xA5; RECOVERY_CODE_BYTES]);
        assert_eq!(code.len(), 19);
        let SecondFactorInput::Recovery(norm) = classify(&code.to_uppercase()) else { panic!("{code} is not read back") };
        let (t, u) = (TenantId::new(1), UserId::new(2));
        assert_eq!(recovery_code_hash(t, u, &norm), recovery_code_hash(t, u, &code.replace('-', "")));
        assert_ne!(recovery_code_hash(t, u, &norm), recovery_code_hash(t, UserId::new(3), &norm));
    }

    #[test]
    fn who_must_enroll() {
        use TwoFactorRequirement as R;
        assert_eq!(second_step(R::Nobody, &[Role::Consultant], false), SecondStep::None);
        assert_eq!(second_step(R::Nobody, &[Role::Hr], true), SecondStep::Code);
        for role in Role::ALL {
            let confidential = matches!(role, Role::Consultant | Role::Supervisor | Role::Health);
            let expected = if confidential { SecondStep::Enroll } else { SecondStep::None };
            assert_eq!(second_step(R::ConfidentialRoles, &[role], false), expected, "{role}");
            assert_eq!(second_step(R::Everyone, &[role], false), SecondStep::Enroll, "{role}");
            assert_eq!(may_disable(R::ConfidentialRoles, &[role]), !confidential);
        }
        assert_eq!(second_step(R::ConfidentialRoles, &[Role::Hr, Role::Consultant], false), SecondStep::Enroll);
        for r in R::ALL {
            assert_eq!(R::parse(r.as_str()), Some(r));
        }
    }

    proptest! {
        #[test]
        fn the_right_code_is_accepted_once_at_any_time(secret in proptest::collection::vec(any::<u8>(), 16..40), now in 0u64..4_000_000_000) {
            let code = code_at(&secret, now).unwrap_or_default();
            let first = check_code(&secret, &code, now, None);
            prop_assert_eq!(first, CodeCheck::Accepted { step: step_of(now) });
            prop_assert_eq!(check_code(&secret, &code, now, Some(step_of(now))), CodeCheck::Replayed);
        }

        #[test]
        fn classify_never_panics(s in "\\PC{0,80}") {
            let _ = classify(&s);
        }
    }
}
