//! Tenants (client companies) and their settings.

use crate::Invalid;

/// A tenant's short code, used in logins and CLI flags: lowercase ASCII letters, digits, '-'.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let ok_chars = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if s.is_empty() || s.len() > 40 || !ok_chars || s.starts_with('-') {
            return Err(Invalid::new(
                "tenant",
                format!("組織コード「{s}」は使えません。半角英小文字・数字・ハイフン（40文字以内）で指定してください。"),
                format!("tenant code \"{s}\" is invalid: use lowercase letters, digits and '-' (at most 40)"),
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The smallest group size over which any number is shown (DESIGN.md promise 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KThreshold(u32);

impl KThreshold {
    pub const MIN: u32 = 5;
    pub const DEFAULT: KThreshold = KThreshold(10);

    pub fn parse(k: i64) -> Result<Self, Invalid> {
        if k < i64::from(Self::MIN) || k > 1000 {
            return Err(Invalid::new(
                "k_threshold",
                format!("集計の最小人数は5〜1000の範囲で指定してください（指定値: {k}）。"),
                format!("the minimum group size must be between 5 and 1000 (got {k})"),
            ));
        }
        Ok(Self(k as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        assert!(TenantSlug::parse("demo").is_ok());
        assert!(TenantSlug::parse("acme-2").is_ok());
        assert!(TenantSlug::parse("").is_err());
        assert!(TenantSlug::parse("Demo").is_err());
        assert!(TenantSlug::parse("-x").is_err());
        assert!(TenantSlug::parse("デモ").is_err());
    }

    #[test]
    fn k_is_never_below_five() {
        assert!(KThreshold::parse(4).is_err());
        assert_eq!(KThreshold::parse(5).map(|k| k.get()), Ok(5));
        assert_eq!(KThreshold::DEFAULT.get(), 10);
    }
}
