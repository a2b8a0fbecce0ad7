//! What replaces what was masked: the subject's pseudonym, the boss, a lettered placeholder for
//! anyone else (whatever script the name was written in), and the labels saying that a
//! department, an employee number or an e-mail address stood there.

/// What replaces a name (the subject's pseudonym, the boss, or a lettered placeholder) and what
/// replaces the other identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaskLabels {
    /// e.g. 「対象者K-7Q2F-9XMA」.
    pub subject: String,
    /// e.g. 「上司」.
    pub boss: String,
    /// e.g. 「関係者」, followed by A, B, … (AA after Z).
    pub other_prefix: String,
    /// e.g. 「ある部署」.
    pub department: String,
    /// e.g. 「[社員番号]」.
    pub employee_number: String,
    /// e.g. 「[メールアドレス]」.
    pub email: String,
}

impl MaskLabels {
    /// Japanese labels around a subject pseudonym from [`pseudonym`](super::pseudonym).
    pub fn ja(subject_pseudonym: &str) -> Self {
        Self {
            subject: format!("対象者{subject_pseudonym}"),
            boss: "上司".to_owned(),
            other_prefix: "関係者".to_owned(),
            department: "ある部署".to_owned(),
            employee_number: "[社員番号]".to_owned(),
            email: "[メールアドレス]".to_owned(),
        }
    }

    /// English labels around a subject pseudonym from [`pseudonym`](super::pseudonym).
    pub fn en(subject_pseudonym: &str) -> Self {
        Self {
            subject: format!("Subject {subject_pseudonym}"),
            boss: "the boss".to_owned(),
            other_prefix: "Person ".to_owned(),
            department: "a department".to_owned(),
            employee_number: "[employee number]".to_owned(),
            email: "[e-mail address]".to_owned(),
        }
    }
}

/// Spans of the labels already in the text, so that masking twice changes nothing.
pub(super) fn label_spans(text: &str, labels: &MaskLabels) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let fixed = [&labels.subject, &labels.boss, &labels.department, &labels.employee_number, &labels.email];
    for label in fixed.map(String::as_str) {
        if !label.is_empty() {
            spans.extend(text.match_indices(label).map(|(i, l)| (i, i + l.len())));
        }
    }
    if !labels.other_prefix.is_empty() {
        for (i, l) in text.match_indices(labels.other_prefix.as_str()) {
            // The letters run on over any Latin letters, full-width too (関係者A + Ａ): the folded
            // text, where names are looked for case-insensitively, reads them alike, so a name
            // there would overlap the label.
            let tail = text.get(i + l.len()..).unwrap_or("");
            let letters: usize = tail
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || ('Ａ'..='Ｚ').contains(c) || ('ａ'..='ｚ').contains(c))
                .map(char::len_utf8)
                .sum();
            spans.push((i, i + l.len() + letters));
        }
    }
    spans
}

/// 0 → A, 25 → Z, 26 → AA.
pub(super) fn letter(n: usize) -> String {
    let mut n = n + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonym_letters_go_past_z() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(26 + 26 * 26), "AAA");
    }
}
