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

/// The first letter no lettered label in `text` uses (0 when there is none): a later pass over
/// masked text letters the people it finds after those an earlier pass lettered.
pub(super) fn first_free_letter(text: &str, labels: &MaskLabels) -> usize {
    if labels.other_prefix.is_empty() {
        return 0;
    }
    text.match_indices(labels.other_prefix.as_str())
        .filter_map(|(i, l)| {
            let tail = text.get(i + l.len()..)?;
            let run: String = tail.chars().take_while(char::is_ascii_uppercase).take(4).collect();
            letter_index(&run)
        })
        .map(|n| n + 1)
        .max()
        .unwrap_or(0)
}

/// "A" → 0, "Z" → 25, "AA" → 26: the inverse of [`letter`], for ASCII capitals.
fn letter_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(letters.bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1) - 1)
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

    #[test]
    fn letters_read_back() {
        for n in 0..2_000 {
            assert_eq!(letter_index(&letter(n)), Some(n), "{n}");
        }
        assert_eq!(letter_index(""), None);
        assert_eq!(letter_index("a"), None);
    }

    #[test]
    fn new_letters_come_after_those_in_the_text() {
        let ja = MaskLabels::ja("K-TEST-0001");
        assert_eq!(first_free_letter("山田さんと話した。", &ja), 0);
        assert_eq!(first_free_letter("関係者は来なかった。", &ja), 0);
        assert_eq!(first_free_letter("関係者Aと関係者Cが、関係者Bと", &ja), 3);
        assert_eq!(first_free_letter("関係者AAの件", &ja), 27);
        let en = MaskLabels::en("K-TEST-0001");
        assert_eq!(first_free_letter("Person B met Person A.", &en), 2);
    }
}
