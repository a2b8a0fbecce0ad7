//! E-mail addresses in the text: every address-shaped word (「yamada.taro@example.co.jp」, in
//! any case or width, 「＠」 included), whoever it belongs to, and every address of the register
//! however odd its local part.

use super::fold::Folded;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Characters of a local part, besides ASCII letters and digits (RFC 5322's atom, and dots).
const LOCAL: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || LOCAL.contains(&b)
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// The spans (in the folded text) of the address-shaped words: a local part, 「@」, and a domain
/// of at least two labels whose last has two letters or more.
pub(super) fn addresses(folded: &Folded) -> Vec<(usize, usize)> {
    let norm = folded.text.as_bytes();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (at, _) in folded.text.match_indices('@') {
        let mut start = at;
        while start > 0 && is_local(norm[start - 1]) {
            start -= 1;
        }
        while start < at && norm[start] == b'.' {
            start += 1;
        }
        let mut end = at + 1;
        while end < norm.len() && is_domain(norm[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(norm[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &folded.text[at + 1..end];
        let labels: Vec<&str> = domain.split('.').collect();
        let top = labels.last().copied().unwrap_or("");
        let shaped = start < at
            && labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && top.len() >= 2
            && top.bytes().all(|b| b.is_ascii_alphabetic());
        if shaped && out.last().is_none_or(|&(_, e)| e <= start) {
            out.push((start, end));
        }
    }
    out
}

/// Whether [`addresses`] would not find this address of the register whole (a local part with
/// quotes, commas, brackets …).
pub(super) fn unusual(address: &str) -> bool {
    !address.bytes().all(|b| is_local(b) || b == b'@' || is_domain(b))
}

/// The register's unusual addresses, matched as they are, in any case.
pub(super) fn matcher(unusual: &[String]) -> Option<AhoCorasick> {
    if unusual.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new().ascii_case_insensitive(true).match_kind(MatchKind::LeftmostLongest).build(unusual).ok()
}

#[cfg(test)]
mod tests {
    use super::super::fold::fold;
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let folded = fold(text);
        addresses(&folded).into_iter().map(|(s, e)| text[folded.orig[s]..folded.orig[e]].to_owned()).collect()
    }

    #[test]
    fn addresses_in_any_case_and_width() {
        assert_eq!(
            found("連絡先はyamada.taro@example.co.jpまで。TARO+cd@Mail.Example.COM、ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            ["yamada.taro@example.co.jp", "TARO+cd@Mail.Example.COM", "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"]
        );
        assert_eq!(found("<mailto:e0123@demo.example.com>."), ["e0123@demo.example.com"]);
    }

    #[test]
    fn not_addresses() {
        assert!(found("@yamada さん、a@b、x@localhost、user@example.c0m、@@、.@.、メール@会社.jp").is_empty());
    }

    #[test]
    fn unusual_register_addresses_are_matched_whole() {
        let register = ["plain@example.com".to_owned(), "\"o'neil, k\"@example.com".to_owned()];
        assert!(!unusual(&register[0]) && unusual(&register[1]));
        let odd: Vec<String> = register.iter().filter(|a| unusual(a)).cloned().collect();
        let ac = matcher(&odd);
        assert!(ac.is_some());
        let hits: Vec<_> =
            ac.iter().flat_map(|ac| ac.find_iter("to \"O'Neil, K\"@Example.com now")).map(|m| (m.start(), m.end())).collect();
        assert_eq!(hits, [(3, 26)]);
        assert!(matcher(&[]).is_none());
    }
}
