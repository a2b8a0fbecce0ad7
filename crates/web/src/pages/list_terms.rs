//! The list pattern over a vocabulary, shared by issue 8's lists (disclosures, escalations,
//! important cases, organizational issues) and the requests: a filter whose values are the
//! codes of a typed vocabulary, read as leniently as the address bar (a value that is none of
//! them is dropped from the list's address), and its options in the reader's words.

use super::list::ListParams;
use crate::i18n::Tr;
use domain::vocabulary::Term;

/// The filter `key` read as one of a vocabulary's values; anything else is dropped.
pub fn vocabulary_filter<S: Copy + 'static, T>(params: &mut ListParams<S>, key: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    let value = params.filter(key).and_then(parse);
    if value.is_none() {
        params.drop_filter(key);
    }
    value
}

/// The options of a filter over `all`: each value's code and its term.
pub fn term_options<T: Term>(t: Tr, all: &[T], code: impl Fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (code(*v).to_string(), t.term(*v))).collect()
}
