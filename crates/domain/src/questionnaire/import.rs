//! Reading answer sets from a file (`careerdock import responses`): CSV in UTF-8 or CP932, the
//! columns `社員番号`/`employee_number`, `時点`/`timing`, `回答日`/`answered_on`, then one column
//! per item code of the questionnaire. Every bad cell of every row is reported with its line and
//! its column as the file wrote it, in both languages; nothing is returned unless the whole file
//! is clean. Whether each employee exists is the store's check, reported the same way.

use super::{Questionnaire, Timing};
use crate::csv_text::{decode, line_after, Decoded, SourceEncoding};
use crate::employee::{fold_full_width_ascii, parse_date, EmployeeNumber};
use crate::import::RowError;
use crate::Message;
use chrono::NaiveDate;
use std::collections::HashMap;

/// One answer set read from the file.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseRow {
    /// 1-based line of the row in the file (the header is line 1).
    pub line: usize,
    pub employee_number: EmployeeNumber,
    pub timing: Timing,
    pub answered_on: NaiveDate,
    /// Every item of the questionnaire in its order; `None` where the cell was blank.
    pub answers: Vec<(String, Option<i64>)>,
    /// The employee-number column's header as written, for the store's messages.
    pub number_column: String,
}

/// A file that parsed cleanly.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedResponses {
    pub encoding: SourceEncoding,
    pub rows: Vec<ResponseRow>,
}

const NUMBER: [&str; 2] = ["社員番号", "employee_number"];
const TIMING: [&str; 2] = ["時点", "timing"];
const ANSWERED_ON: [&str; 2] = ["回答日", "answered_on"];

fn problem(line: usize, column: Option<&str>, ja: String, en: String) -> RowError {
    RowError { line, column: column.map(str::to_string), message: Message::new(ja, en) }
}

fn cell(raw: &str) -> String {
    fold_full_width_ascii(raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
}

/// Reads an answer file for `q`. `today` bounds the answer dates (none in the future).
pub fn parse_response_csv(bytes: &[u8], q: &Questionnaire, today: NaiveDate) -> Result<ParsedResponses, Vec<RowError>> {
    let Decoded { encoding, text } = decode(bytes).map_err(|e| vec![RowError::from(e)])?;
    let bytes_of = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes_of);
    let mut records = reader.records();
    let mut errors = Vec::new();
    // The header: the first row that is not blank.
    let (header, header_line) = loop {
        match records.next() {
            None => return Err(vec![problem(0, None, "ファイルが空です。".into(), "the file is empty".into())]),
            Some(Err(e)) => return Err(vec![problem(line_at(bytes_of, e.position()), None, csv_ja(&e), e.to_string())]),
            Some(Ok(r)) if r.iter().all(|c| cell(c).is_empty()) => continue,
            Some(Ok(r)) => break (r.iter().map(cell).collect::<Vec<String>>(), line_at(bytes_of, r.position())),
        }
    };
    let find = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let mut fixed: Vec<Option<usize>> = Vec::new();
    for names in [&NUMBER, &TIMING, &ANSWERED_ON] {
        let at = find(names);
        if at.is_none() {
            errors.push(problem(
                header_line,
                None,
                format!("見出し行に「{}」（{}）の列がありません。", names[0], names[1]),
                format!("the header row has no column \"{}\" ({})", names[1], names[0]),
            ));
        }
        fixed.push(at);
    }
    let mut item_at: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if fixed.contains(&Some(i)) || h.is_empty() {
            continue;
        }
        match q.item(h) {
            Some(item) if item_at.contains_key(item.code.as_str()) => errors.push(problem(
                header_line,
                Some(h),
                format!("設問「{h}」の列が2つあります。"),
                format!("the column of item \"{h}\" appears twice"),
            )),
            Some(item) => {
                item_at.insert(item.code.as_str(), i);
            }
            None => errors.push(problem(
                header_line,
                Some(h),
                format!("「{h}」はアンケート「{}」の設問コードではありません。", q.code()),
                format!("\"{h}\" is not an item code of the questionnaire \"{}\"", q.code()),
            )),
        }
    }
    for item in q.items() {
        if !item_at.contains_key(item.code.as_str()) {
            errors.push(problem(
                header_line,
                None,
                format!("見出し行に設問「{}」の列がありません。", item.code),
                format!("the header row has no column for item \"{}\"", item.code),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(number_at), Some(timing_at), Some(date_at)) = (fixed[0], fixed[1], fixed[2]) else { return Err(errors) };
    let name = |i: usize| header.get(i).map(String::as_str).unwrap_or("");
    let scale = q.scale();
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Timing, NaiveDate), usize> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(problem(line_at(bytes_of, e.position()), None, csv_ja(&e), e.to_string()));
                continue;
            }
        };
        if record.iter().all(|c| cell(c).is_empty()) {
            continue;
        }
        let line = line_at(bytes_of, record.position());
        let get = |i: usize| record.get(i).map(cell).unwrap_or_default();
        let before = errors.len();
        let number = match EmployeeNumber::parse(&get(number_at)) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(RowError { line, column: Some(name(number_at).to_string()), message: e.message });
                None
            }
        };
        let raw_timing = get(timing_at);
        let timing = Timing::parse(&raw_timing);
        if timing.is_none() {
            errors.push(problem(
                line,
                Some(name(timing_at)),
                format!("時点「{raw_timing}」は pre（事前）・post（事後）・follow_up（フォローアップ）のいずれかにしてください。"),
                format!("the timing \"{raw_timing}\" must be pre, post or follow_up"),
            ));
        }
        let answered_on = match parse_date("answered_on", &get(date_at)) {
            Ok(d) if d > today => {
                errors.push(problem(
                    line,
                    Some(name(date_at)),
                    format!("回答日 {d} が未来の日付です。"),
                    format!("the answer date {d} is in the future"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(RowError { line, column: Some(name(date_at).to_string()), message: e.message });
                None
            }
        };
        let mut answers = Vec::with_capacity(q.items().len());
        for item in q.items() {
            let at = item_at.get(item.code.as_str()).copied().unwrap_or(usize::MAX);
            let raw = get(at);
            if raw.is_empty() {
                answers.push((item.code.clone(), None));
                continue;
            }
            match raw.parse::<i64>() {
                Ok(v) if scale.contains(v) => answers.push((item.code.clone(), Some(v))),
                _ => errors.push(problem(
                    line,
                    Some(name(at)),
                    format!("回答「{raw}」は{}〜{}の整数にしてください（空欄は未回答）。", scale.min, scale.max),
                    format!("the answer \"{raw}\" must be a whole number from {} to {} (blank for no answer)", scale.min, scale.max),
                )),
            }
        }
        if answers.iter().all(|(_, v)| v.is_none()) && errors.len() == before {
            errors.push(problem(line, None, "回答が1つもありません。".into(), "the row answers no item".into()));
        }
        if let (Some(number), Some(timing), Some(answered_on)) = (number, timing, answered_on) {
            let key = (number.as_str().to_string(), timing, answered_on);
            if let Some(first) = seen.get(&key) {
                errors.push(problem(
                    line,
                    None,
                    format!("{}行目と同じ社員・時点・回答日の回答です。", first),
                    format!("the same employee, timing and date as line {first}"),
                ));
            } else {
                seen.insert(key, line);
            }
            if errors.len() == before {
                rows.push(ResponseRow {
                    line,
                    employee_number: number,
                    timing,
                    answered_on,
                    answers,
                    number_column: name(number_at).to_string(),
                });
            }
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(problem(
            0,
            None,
            "データ行がありません。見出し行の下に回答を1行に1件ずつ記入してください。".into(),
            "the file has no data rows: one answer set per line below the header row".into(),
        ));
    }
    if errors.is_empty() {
        Ok(ParsedResponses { encoding, rows })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// The physical line a record starts on: csv reports the byte just after the previous record,
/// before the line ends and blank lines it skips.
fn line_at(text: &[u8], position: Option<&csv::Position>) -> usize {
    let Some(p) = position else { return 0 };
    let mut start = usize::try_from(p.byte()).unwrap_or(0).min(text.len());
    while matches!(text.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    line_after(text.get(..start).unwrap_or_default())
}

fn csv_ja(e: &csv::Error) -> String {
    format!("CSVとして読めない行があります（{e}）。")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::career_awareness;
    use crate::Locale;

    fn q() -> Questionnaire {
        career_awareness::questionnaire().unwrap()
    }

    fn header() -> String {
        let items: Vec<String> = (1..=16).map(|i| format!("q{i:02}")).collect();
        format!("社員番号,時点,回答日,{}\r\n", items.join(","))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn reads_utf8_and_cp932_with_blank_answers() {
        let text = format!("{}E001,事前,2026-05-01,{}\r\nE001,post,2026/06/01,{}\r\n", header(), ["3"; 16].join(","), ["4"; 16].join(","));
        let text = text.replacen("2026-05-01,3,", "2026-05-01,,", 1);
        for bytes in [text.as_bytes().to_vec(), SourceEncoding::ShiftJis.encode(&text)] {
            let parsed = parse_response_csv(&bytes, &q(), today()).unwrap();
            assert_eq!(parsed.rows.len(), 2);
            assert_eq!(parsed.rows[0].timing, Timing::Pre);
            assert_eq!(parsed.rows[0].answers[0], ("q01".to_string(), None));
            assert_eq!(parsed.rows[1].timing, Timing::Post);
            assert_eq!(parsed.rows[1].line, 3);
        }
    }

    #[test]
    fn every_bad_cell_is_reported_with_line_and_column() {
        let good = ["3"; 16].join(",");
        let bad_answer = format!("9,{}", ["3"; 15].join(","));
        let text =
            format!("{}E001,before-ish,2026-05-01,{good}\r\nE#2,pre,2026-13-01,{bad_answer}\r\nE003,pre,2027-01-01,{good}\r\n", header());
        let errors = parse_response_csv(text.as_bytes(), &q(), today()).unwrap_err();
        let described: Vec<String> = errors.iter().map(|e| e.describe(Locale::Ja)).collect();
        assert_eq!(errors.len(), 5, "{described:?}");
        assert!(described[0].starts_with("2行目「時点」"), "{described:?}");
        assert!(described.iter().any(|d| d.starts_with("3行目「社員番号」")));
        assert!(described.iter().any(|d| d.starts_with("3行目「回答日」")));
        assert!(described.iter().any(|d| d.starts_with("3行目「q01」")));
        assert!(described.iter().any(|d| d.starts_with("4行目「回答日」") && d.contains("未来")));
        assert!(errors.iter().all(|e| !e.describe(Locale::En).is_empty()));
    }

    #[test]
    fn header_problems_name_missing_and_unknown_columns() {
        let text = "employee_number,timing,q01,zz\r\nE001,pre,3,1\r\n";
        let errors = parse_response_csv(text.as_bytes(), &q(), today()).unwrap_err();
        let en: Vec<String> = errors.iter().map(|e| e.describe(Locale::En)).collect();
        assert!(en.iter().any(|d| d.contains("answered_on")), "{en:?}");
        assert!(en.iter().any(|d| d.contains("column zz")), "{en:?}");
        assert!(en.iter().any(|d| d.contains("item \"q16\"")), "{en:?}");
    }

    #[test]
    fn duplicates_in_the_file_are_refused() {
        let good = ["3"; 16].join(",");
        let text = format!("{}E001,pre,2026-05-01,{good}\r\nE001,pre,2026-05-01,{good}\r\n", header());
        let errors = parse_response_csv(text.as_bytes(), &q(), today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
    }
}
