//! A cycle's targets from an uploaded list of employee numbers: the file is read (UTF-8 or
//! Shift_JIS, see [`crate::csv_text`]), the first cell of each line taken as a number, and the
//! numbers checked against the register. Every problem is reported with its line, and then
//! nothing is added.

use crate::csv_text::decode;
use crate::employee::EmployeeNumber;
use crate::import::RowError;
use crate::Message;
use std::collections::HashSet;

/// Headers a list of employee numbers may start with (compared case-insensitively).
const NUMBER_HEADERS: [&str; 12] = [
    "社員番号",
    "従業員番号",
    "社員コード",
    "社員no",
    "社員no.",
    "番号",
    "employee_number",
    "employee number",
    "employee_no",
    "employee no",
    "number",
    "id",
];

/// The employee numbers of a list, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NumberList {
    /// (line, number) in file order, without repeats.
    pub numbers: Vec<(usize, EmployeeNumber)>,
    /// The header line's first cell as written, if the list has one.
    pub header: Option<String>,
    /// Every line whose first cell is not an employee number.
    pub errors: Vec<RowError>,
}

/// The employee numbers of an uploaded list's text: the first cell of each non-empty line (CSV,
/// tab or semicolon separated), with an optional header line.
pub fn parse_number_list(text: &str) -> NumberList {
    let mut list = NumberList::default();
    let mut seen = HashSet::new();
    let mut first = true;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let cell = line.trim_start_matches('\u{feff}').split([',', '\t', ';']).next().unwrap_or("").trim().trim_matches('"').trim();
        if cell.is_empty() {
            continue;
        }
        if std::mem::take(&mut first) {
            let lower = cell.to_lowercase();
            // A header names the column; employee numbers nearly always hold a digit.
            if NUMBER_HEADERS.contains(&lower.as_str()) || !cell.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
                list.header = Some(cell.to_string());
                continue;
            }
        }
        match EmployeeNumber::parse(cell) {
            Ok(n) => {
                if seen.insert(n.clone()) {
                    list.numbers.push((line_no, n));
                }
            }
            Err(e) => list.errors.push(RowError { line: line_no, column: list.header.clone(), message: e.message }),
        }
    }
    list
}

/// An uploaded list's bytes read as numbers; `Err` when the file is not text.
pub fn read_number_list(bytes: &[u8]) -> Result<NumberList, Vec<RowError>> {
    let decoded = decode(bytes).map_err(|e| vec![RowError::from(e)])?;
    Ok(parse_number_list(&decoded.text))
}

/// What the register says of a listed number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listed {
    pub employee: i64,
    pub retired: bool,
}

/// What adding a list would do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedPlan {
    /// Employees to add, in list order.
    pub new: Vec<i64>,
    /// Listed employees who are targets already (left as they are).
    pub already: usize,
}

impl NumberList {
    /// Checks every number against the register (`lookup`) and the current targets
    /// (`targeted`). Unknown numbers, retired employees, malformed lines and a list without
    /// any number are refused, all at once, sorted by line.
    pub fn plan(&self, lookup: impl Fn(&str) -> Option<Listed>, targeted: impl Fn(i64) -> bool) -> Result<ListedPlan, Vec<RowError>> {
        let mut errors = self.errors.clone();
        let mut plan = ListedPlan::default();
        for (line, number) in &self.numbers {
            let n = number.as_str();
            let refuse = |ja: String, en: String| RowError { line: *line, column: self.header.clone(), message: Message::new(ja, en) };
            match lookup(n) {
                None => errors.push(refuse(
                    format!("社員番号「{n}」の従業員は登録されていません。従業員名簿の社員番号を確認してください。"),
                    format!("no employee has the number \"{n}\"; check it against the employee register"),
                )),
                Some(Listed { retired: true, .. }) => errors.push(refuse(
                    format!("社員番号「{n}」の従業員は退職しているため、対象者にできません。"),
                    format!("the employee \"{n}\" has retired and cannot be targeted"),
                )),
                Some(Listed { employee, .. }) if targeted(employee) => plan.already += 1,
                Some(Listed { employee, .. }) => plan.new.push(employee),
            }
        }
        if self.numbers.is_empty() && errors.is_empty() {
            errors.push(RowError {
                line: 0,
                column: None,
                message: Message::new(
                    "社員番号が1件も見つかりません。1行に1人ずつ社員番号を記入したファイルを選んでください。",
                    "no employee numbers were found; the file should list one employee number per line",
                ),
            });
        }
        if errors.is_empty() {
            Ok(plan)
        } else {
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_text::SourceEncoding;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn numbers(list: &NumberList) -> Vec<(usize, &str)> {
        list.numbers.iter().map(|(l, x)| (*l, x.as_str())).collect()
    }

    #[test]
    fn number_lists_with_and_without_header() {
        let list = parse_number_list("社員番号,氏名\nE001,山田 太郎\n\n\"E002\"\nＥ００３\nE001\n");
        assert!(list.errors.is_empty(), "{:?}", list.errors);
        assert_eq!(list.header.as_deref(), Some("社員番号"));
        assert_eq!(numbers(&list), vec![(2, "E001"), (4, "E002"), (5, "E003")]);

        let list = parse_number_list("E001\r\nE0 02\r\n");
        assert_eq!((list.numbers.len(), list.header, list.errors.len()), (1, None, 1));
        assert_eq!(list.errors[0].line, 2);

        // "number" is a valid employee number, but as the first line it is the header.
        let list = parse_number_list("number\t氏名\n1001\t佐藤\n");
        assert_eq!((list.numbers.len(), list.header.as_deref()), (1, Some("number")));
        assert!(parse_number_list("").numbers.is_empty());
    }

    #[test]
    fn lists_are_read_from_utf8_or_shift_jis() {
        let text = "社員番号\r\nE001\r\nE002;x\r\n";
        for encoding in SourceEncoding::ALL {
            let list = read_number_list(&encoding.encode(text)).unwrap_or_else(|e| panic!("{encoding:?}: {e:?}"));
            assert_eq!((numbers(&list), list.header.as_deref()), (vec![(2, "E001"), (3, "E002")], Some("社員番号")), "{encoding:?}");
        }
        let errs = read_number_list(b"E001\nE002\n\x82\xFF\n").err().unwrap_or_default();
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [3]);
        assert!(errs[0].message.ja.contains("Shift_JIS") && errs[0].message.en.contains("byte"));
    }

    fn register() -> HashMap<&'static str, Listed> {
        HashMap::from([
            ("E001", Listed { employee: 1, retired: false }),
            ("E002", Listed { employee: 2, retired: false }),
            ("E009", Listed { employee: 9, retired: true }),
        ])
    }

    #[test]
    fn listed_numbers_are_checked_against_the_register() {
        let reg = register();
        let list = parse_number_list("社員番号\nE002\nE001\nE002\n");
        let plan = list.plan(|n| reg.get(n).copied(), |e| e == 2);
        assert_eq!(plan, Ok(ListedPlan { new: vec![1], already: 1 }));

        let list = parse_number_list("社員番号\nE404\nE0 01\nE009\nE001\n");
        let errs = list.plan(|n| reg.get(n).copied(), |_| false).err().unwrap_or_default();
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(errs.iter().all(|e| e.column.as_deref() == Some("社員番号")));
        assert!(errs[0].message.ja.contains("「E404」") && errs[0].message.en.contains("\"E404\""));
        assert!(errs[2].message.ja.contains("退職") && errs[2].message.en.contains("retired"));
    }

    #[test]
    fn a_list_without_numbers_is_refused_as_a_whole() {
        let errs = parse_number_list("\n\n").plan(|_| None, |_| false).err().unwrap_or_default();
        assert_eq!(errs.iter().map(|e| (e.line, e.column.clone())).collect::<Vec<_>>(), [(0, None)]);
        assert!(!errs[0].message.ja.is_empty() && !errs[0].message.en.is_empty());
    }

    proptest! {
        #[test]
        fn every_listed_number_is_planned_or_refused(picks in proptest::collection::vec(0usize..5, 1..30)) {
            let pool = ["E001", "E002", "E009", "E404", "bad number"];
            let text: String = std::iter::once("社員番号\n".to_string()).chain(picks.iter().map(|i| format!("{}\n", pool[*i]))).collect();
            let reg = register();
            let list = parse_number_list(&text);
            match list.plan(|n| reg.get(n).copied(), |e| e == 2) {
                Ok(plan) => {
                    prop_assert!(picks.iter().all(|i| *i < 2));
                    let distinct: HashSet<usize> = picks.iter().copied().collect();
                    prop_assert_eq!(plan.new.len() + plan.already, distinct.len());
                }
                Err(errs) => {
                    prop_assert!(picks.iter().any(|i| *i >= 2));
                    prop_assert!(errs.windows(2).all(|w| w[0].line <= w[1].line));
                }
            }
        }
    }
}
