//! Validation failures that say what is wrong and where, in both languages.

use std::fmt;

/// A message in both product languages.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub ja: String,
    pub en: String,
}

impl Message {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self { ja: ja.into(), en: en.into() }
    }

    pub fn in_locale(&self, locale: crate::Locale) -> &str {
        match locale {
            crate::Locale::Ja => &self.ja,
            crate::Locale::En => &self.en,
        }
    }
}

/// A rejected value: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Invalid {
    pub field: &'static str,
    pub message: Message,
}

impl Invalid {
    pub fn new(field: &'static str, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self { field, message: Message::new(ja, en) }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message.en)
    }
}
