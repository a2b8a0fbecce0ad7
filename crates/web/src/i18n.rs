//! Every UI string lives in `locales/{ja,en}/*.ftl` (Fluent). Japanese is the fallback.

use domain::Locale;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::Loader;
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{langid, LanguageIdentifier};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ja",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static JA: LanguageIdentifier = langid!("ja");
static EN: LanguageIdentifier = langid!("en");

fn lang(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Ja => &JA,
        Locale::En => &EN,
    }
}

/// The translator handed to templates: `{{ t.get("key") }}`.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    pub fn get(&self, key: &str) -> String {
        LOCALES.lookup(lang(self.locale), key)
    }

    /// A message with one named argument, e.g. `{ $count }`.
    pub fn with(&self, key: &str, name: &str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Owned(name.to_string()), FluentValue::from(value.to_string()));
        LOCALES.lookup_with_args(lang(self.locale), key, &args)
    }

    /// A message with several named arguments.
    pub fn with_args(&self, key: &str, values: &[(&str, String)]) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        for (name, value) in values {
            args.insert(Cow::Owned(name.to_string()), FluentValue::from(value.clone()));
        }
        LOCALES.lookup_with_args(lang(self.locale), key, &args)
    }

    pub fn code(&self) -> &'static str {
        self.locale.code()
    }

    pub fn msg<'a>(&self, m: &'a domain::Message) -> &'a str {
        m.in_locale(self.locale)
    }

    /// A message from the catalogue in both languages, for errors that carry one in each.
    pub fn both(key: &str) -> domain::Message {
        domain::Message::new(Tr::new(Locale::Ja).get(key), Tr::new(Locale::En).get(key))
    }

    /// [`Tr::both`] with one named argument, as [`Tr::with`].
    pub fn both_with(key: &str, name: &str, value: &str) -> domain::Message {
        domain::Message::new(Tr::new(Locale::Ja).with(key, name, value), Tr::new(Locale::En).with(key, name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn keys_in(dir: &Path) -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once(" =") {
                    if !id.starts_with(['#', ' ', '.']) && !id.is_empty() {
                        keys.insert(id.trim().to_string());
                    }
                }
            }
        }
        keys
    }

    /// Every key used in a template or in the code, by `get("…")`, `with("…"`, `both("…")` or `tr!("…")`.
    fn keys_used() -> BTreeSet<String> {
        let mut used = BTreeSet::new();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for pat in ["get(\"", "with(\"", "both(\""] {
                    for piece in text.split(pat).skip(1) {
                        if let Some(end) = piece.find('"') {
                            let key = &piece[..end];
                            if !key.is_empty()
                                && !key.starts_with("x-")
                                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                                && key.contains('-')
                            {
                                used.insert(key.to_string());
                            }
                        }
                    }
                }
            }
        }
        used
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let ja = keys_in(&root.join("ja"));
        let en = keys_in(&root.join("en"));
        assert!(!ja.is_empty());
        let only_ja: Vec<_> = ja.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ja).collect();
        assert!(only_ja.is_empty() && only_en.is_empty(), "missing in en: {only_ja:?}; missing in ja: {only_en:?}");
    }

    #[test]
    fn every_key_used_is_translated() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let ja = keys_in(&root.join("ja"));
        let missing: Vec<_> = keys_used().into_iter().filter(|k| !ja.contains(k)).collect();
        assert!(missing.is_empty(), "keys used but not defined: {missing:?}");
    }

    #[test]
    fn lookups_differ_by_language() {
        assert_eq!(Tr::new(Locale::Ja).get("app-name"), "careerdock");
        assert_ne!(Tr::new(Locale::Ja).get("nav-home"), Tr::new(Locale::En).get("nav-home"));
    }
}
