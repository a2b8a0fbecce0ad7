//! Pseudonymized sharing (R2): consultants read colleagues' approved individual reports as case
//! studies, so every known person's name is masked and identifying details are coarsened.
//!
//! Matching runs on a folded copy of the text (hiragana and half-width katakana to katakana,
//! variant kanji to their common form, invisible characters dropped), so that 「やまだ」「ﾔﾏﾀﾞ」
//! 「髙橋」 and 「山\u{200B}田」 cannot slip through; offsets are mapped back to the original text.
//!
//! Names are found in every script the register allows one to be written in: kanji, kana, and
//! Latin letters derived from the kana reading (「Yamada Taro」「SATOH-san」). The register's
//! other identifiers go too: employee numbers (「E00123」「０１２３」) become 「[社員番号]」
//! and e-mail addresses 「[メールアドレス]」.
//!
//! The same pass removes the quasi-identifiers that would undo the coarsened header (department
//! shown as its level, age as a band): the tenant's department names become 「ある部署」 and
//! exact ages (「30歳」「（満３４才）」) their decade (「30代」). See [`NameIndex::mask`].
//!
//! The modules, by what they do:
//! - `fold`: the folded copy of a text and its map back to the original;
//! - `index`: the [`NameIndex`] of a tenant's people and departments, and the masking pass;
//! - `names`: name forms, honorifics, titles and the common words that protect a form;
//! - `romaji`: names in Latin letters, from the kana reading, and the key their variants share;
//! - `numbers`: employee numbers, and when a number is one;
//! - `email`: e-mail addresses;
//! - `departments`: which department spellings are indexed and when a match stands as a name;
//! - `ages`: exact ages in the text and the decade replacing them;
//! - `labels`: what replaces what was masked ([`MaskLabels`]);
//! - `coarse`: the coarsened header (age band, department level, fiscal half-year);
//! - `code`: the stable pseudonym code of a person ([`pseudonym`]).

mod ages;
mod coarse;
mod code;
mod departments;
mod email;
mod fold;
mod index;
mod labels;
mod names;
mod numbers;
mod romaji;

#[cfg(test)]
mod tests;

pub use coarse::{age_band, coarse_date, department_level};
pub use code::pseudonym;
pub use index::NameIndex;
pub use labels::MaskLabels;

/// A person known to the tenant, whose name (in any script), employee number and e-mail address
/// must never survive in pseudonymized text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownPerson {
    pub id: i64,
    pub family: String,
    pub given: String,
    pub family_kana: Option<String>,
    pub given_kana: Option<String>,
    /// The register's employee number, as written there (「E00123」).
    pub employee_number: Option<String>,
    pub email: Option<String>,
}
