//! Parsing the employee register as HR systems export it (CSV, UTF-8 or CP932).
//!
//! [`parse_employee_csv`] detects the encoding, maps the header row (Japanese or English column
//! names, with the variants HR systems use), validates every cell with the parsers of
//! [`crate::employee`], then checks the rows against each other (duplicate employee numbers,
//! a boss equal to the employee, loops of bosses). Every problem of every row is reported with
//! its physical line number and the column name as written in the file; nothing is applied
//! unless the whole file is clean.
//!
//! [`write_employee_csv`] writes the same format back, so that an export can be edited and
//! imported again.

use crate::csv_text::{decode, DecodeError, Decoded};
use crate::employee::{
    fold_full_width_ascii, parse_birth_year, parse_date, DepartmentPath, Email, EmployeeNumber, EmployeeRecord, EmployeeStatus, NameKana,
    PersonName,
};
use crate::{Invalid, Locale, Message};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::collections::HashMap;

pub use crate::csv_text::SourceEncoding;

/// One valid data row and where it was in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedRow {
    /// 1-based physical line number where the row starts (the header is line 1).
    pub line: usize,
    pub record: EmployeeRecord,
    /// The boss column's header as the file wrote it, so later errors name it the same way.
    pub boss_column: Option<std::sync::Arc<str>>,
}

impl ParsedRow {
    /// A row that did not come from a file (generated, or built in code).
    pub fn new(line: usize, record: EmployeeRecord) -> Self {
        ParsedRow { line, record, boss_column: None }
    }

    /// The boss column's name for messages: as written in the file, else the Japanese name.
    pub fn boss_column_name(&self) -> &str {
        self.boss_column.as_deref().unwrap_or("上司社員番号")
    }
}

/// A problem in the file: where, and what, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based physical line number; 0 for a problem with the file as a whole.
    pub line: usize,
    /// The column's header as written in the file, or `None` for a whole-row problem.
    pub column: Option<String>,
    pub message: Message,
}

impl RowError {
    fn new(line: usize, column: Option<String>, message: Message) -> Self {
        Self { line, column, message }
    }

    /// The error with its place, e.g. `3行目「生年」: …` or `line 3, column 生年: …`.
    pub fn describe(&self, locale: Locale) -> String {
        let msg = self.message.in_locale(locale);
        match (locale, self.line, &self.column) {
            (Locale::Ja, 0, Some(c)) => format!("「{c}」: {msg}"),
            (Locale::Ja, 0, None) => msg.to_string(),
            (Locale::Ja, n, Some(c)) => format!("{n}行目「{c}」: {msg}"),
            (Locale::Ja, n, None) => format!("{n}行目: {msg}"),
            (Locale::En, 0, Some(c)) => format!("column {c}: {msg}"),
            (Locale::En, 0, None) => msg.to_string(),
            (Locale::En, n, Some(c)) => format!("line {n}, column {c}: {msg}"),
            (Locale::En, n, None) => format!("line {n}: {msg}"),
        }
    }
}

/// A file that parsed cleanly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedImport {
    pub encoding: SourceEncoding,
    pub rows: Vec<ParsedRow>,
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Number,
    Name,
    Kana,
    Department,
    Grade,
    BirthYear,
    HireDate,
    Boss,
    Email,
    Status,
}

const COLUMNS: [Column; 10] = [
    Column::Number,
    Column::Name,
    Column::Kana,
    Column::Department,
    Column::Grade,
    Column::BirthYear,
    Column::HireDate,
    Column::Boss,
    Column::Email,
    Column::Status,
];

impl Column {
    fn index(self) -> usize {
        self as usize
    }

    /// The header written by [`write_employee_csv`] with Japanese headers.
    fn ja(self) -> &'static str {
        match self {
            Column::Number => "社員番号",
            Column::Name => "氏名",
            Column::Kana => "氏名カナ",
            Column::Department => "所属",
            Column::Grade => "等級",
            Column::BirthYear => "生年",
            Column::HireDate => "入社日",
            Column::Boss => "上司社員番号",
            Column::Email => "メール",
            Column::Status => "在籍区分",
        }
    }

    /// The header written by [`write_employee_csv`] with English headers.
    fn en(self) -> &'static str {
        match self {
            Column::Number => "employee_number",
            Column::Name => "name",
            Column::Kana => "name_kana",
            Column::Department => "department",
            Column::Grade => "grade",
            Column::BirthYear => "birth_year",
            Column::HireDate => "hire_date",
            Column::Boss => "boss_employee_number",
            Column::Email => "email",
            Column::Status => "status",
        }
    }

    fn required(self) -> bool {
        matches!(self, Column::Number | Column::Name | Column::Department)
    }

    /// Other names HR systems give the column (compared after [`header_key`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Number => &[
                "社員番号",
                "社員No",
                "社員コード",
                "社員CD",
                "社員ID",
                "従業員番号",
                "従業員No",
                "従業員コード",
                "職員番号",
                "employee number",
                "employee no",
                "employee id",
                "employee code",
                "emp no",
                "emp id",
                "staff number",
                "staff id",
            ],
            Column::Name => &["氏名", "名前", "社員名", "従業員名", "氏名(漢字)", "name", "full name", "employee name"],
            Column::Kana => &[
                "氏名カナ",
                "氏名かな",
                "氏名フリガナ",
                "氏名(カナ)",
                "氏名(かな)",
                "氏名(フリガナ)",
                "氏名(ふりがな)",
                "氏名(ヨミ)",
                "氏名(よみ)",
                "氏名(読み)",
                "カナ氏名",
                "カナ",
                "かな",
                "フリガナ",
                "ふりがな",
                "ヨミガナ",
                "よみがな",
                "読み",
                "name kana",
                "kana",
                "furigana",
                "name reading",
                "reading",
            ],
            Column::Department => &[
                "所属",
                "所属部署",
                "所属部門",
                "所属組織",
                "所属名",
                "部署",
                "部署名",
                "部門",
                "組織",
                "department",
                "dept",
                "department path",
                "division",
                "organization",
            ],
            Column::Grade => &["等級", "資格等級", "職能等級", "社員等級", "グレード", "grade", "job grade", "pay grade"],
            Column::BirthYear => {
                &["生年", "生まれ年", "出生年", "誕生年", "生年月日", "birth year", "year of birth", "birth date", "date of birth", "dob"]
            }
            Column::HireDate => {
                &["入社日", "入社年月日", "採用日", "採用年月日", "hire date", "join date", "joined date", "date of hire", "start date"]
            }
            Column::Boss => &[
                "上司社員番号",
                "上司",
                "上司番号",
                "上司No",
                "上司の社員番号",
                "上司コード",
                "上長",
                "上長社員番号",
                "直属上司",
                "直属上司社員番号",
                "boss employee number",
                "boss",
                "boss number",
                "boss no",
                "boss id",
                "manager",
                "manager number",
                "manager employee number",
                "manager id",
            ],
            Column::Email => &["メール", "メールアドレス", "Eメール", "Eメールアドレス", "mail", "email", "email address", "mail address"],
            Column::Status => &["在籍区分", "在籍状況", "在籍状態", "在籍", "状態", "ステータス", "status", "employment status"],
        }
    }
}

/// A header reduced to what identifies it: full-width ASCII folded, lower case, without spaces,
/// separators (`_ - . ・`) or the `*`/`※` marks some templates put on required columns.
fn header_key(raw: &str) -> String {
    fold_full_width_ascii(raw)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '・' | '*' | '※' | '\u{feff}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key without one trailing annotation such as `(西暦)`, `[必須]` or `【必須】`.
fn strip_annotation(key: &str) -> Option<&str> {
    for (open, close) in [('(', ')'), ('[', ']'), ('【', '】'), ('〔', '〕')] {
        if let Some(inner) = key.strip_suffix(close) {
            if let Some(at) = inner.rfind(open) {
                return key.get(..at);
            }
        }
    }
    None
}

fn header_aliases() -> HashMap<String, Column> {
    let mut map = HashMap::new();
    for c in COLUMNS {
        for name in c.aliases().iter().copied().chain([c.ja(), c.en()]) {
            map.insert(header_key(name), c);
        }
    }
    map
}

fn lookup_header(aliases: &HashMap<String, Column>, raw: &str) -> Option<Column> {
    let key = header_key(raw);
    let mut k: &str = &key;
    loop {
        if k.is_empty() {
            return None;
        }
        if let Some(c) = aliases.get(k) {
            return Some(*c);
        }
        k = strip_annotation(k)?;
    }
}

fn known_columns_ja() -> String {
    COLUMNS.iter().map(|c| c.ja()).collect::<Vec<_>>().join("、")
}

fn known_columns_en() -> String {
    COLUMNS.iter().map(|c| c.en()).collect::<Vec<_>>().join(", ")
}

/// The header row understood: which column each field is, and how the file names it.
struct Layout {
    /// Per field of the file: the column it holds, or `None` for an ignored (unnamed) field.
    fields: Vec<Option<Column>>,
    /// Per field of the file: the header as written (trimmed).
    names: Vec<String>,
    /// Per column: the field holding it.
    position: [Option<usize>; 10],
}

impl Layout {
    fn name_of(&self, c: Column) -> Option<String> {
        self.position[c.index()].and_then(|i| self.names.get(i)).cloned()
    }
}

fn trim_cell(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

fn read_header(record: &csv::StringRecord, line: usize) -> Result<Layout, Vec<RowError>> {
    let aliases = header_aliases();
    let mut errors = Vec::new();
    let mut layout = Layout { fields: Vec::new(), names: Vec::new(), position: [None; 10] };
    for (i, raw) in record.iter().enumerate() {
        let name = trim_cell(raw).to_string();
        let column = if name.is_empty() {
            None
        } else {
            match lookup_header(&aliases, &name) {
                None => {
                    errors.push(RowError::new(
                        line,
                        Some(name.clone()),
                        Message::new(
                            format!("列名「{name}」は不明です。使える列名: {}。", known_columns_ja()),
                            format!("unknown column \"{name}\"; the known columns are {}", known_columns_en()),
                        ),
                    ));
                    None
                }
                Some(c) => match layout.position[c.index()] {
                    Some(first) => {
                        let first_name = layout.names.get(first).cloned().unwrap_or_default();
                        errors.push(RowError::new(
                            line,
                            Some(name.clone()),
                            Message::new(
                                format!("列「{name}」が重複しています（「{first_name}」と同じ「{}」の列です）。", c.ja()),
                                format!("column \"{name}\" is a duplicate: \"{first_name}\" already gives the {} column", c.en()),
                            ),
                        ));
                        None
                    }
                    None => {
                        layout.position[c.index()] = Some(i);
                        Some(c)
                    }
                },
            }
        };
        layout.fields.push(column);
        layout.names.push(name);
    }
    for c in COLUMNS {
        if c.required() && layout.position[c.index()].is_none() {
            errors.push(RowError::new(
                line,
                None,
                Message::new(
                    format!("必須の列「{}」がありません。見出し行に「{}」の列を追加してください。", c.ja(), c.ja()),
                    format!("the required column \"{}\" ({}) is missing from the header row", c.en(), c.ja()),
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(layout)
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

impl From<DecodeError> for RowError {
    fn from(e: DecodeError) -> Self {
        RowError::new(e.line, None, e.message)
    }
}

// ---------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------

/// Whether a spreadsheet would read the text as a formula once the `'`s before it are removed;
/// exports protect such values with one more `'`, which [`clean_cell`] removes.
fn needs_formula_guard(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(['=', '+', '-', '@'])
}

/// A cell's text: trimmed, and without the `'` that protects a formula-like value.
fn clean_cell(raw: &str) -> &str {
    let t = trim_cell(raw);
    match t.strip_prefix('\'') {
        Some(rest) if needs_formula_guard(rest) => rest,
        _ => t,
    }
}

const GRADE_MAX_CHARS: usize = crate::limits::GRADE.max;

fn parse_grade(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().replace('\u{3000}', " ");
    if s.is_empty() || s.chars().count() > GRADE_MAX_CHARS || s.chars().any(char::is_control) {
        return Err(Invalid::new(
            "grade",
            format!("等級「{}」が不正です。{GRADE_MAX_CHARS}文字以内で指定してください。", raw.trim()),
            format!("grade \"{}\" is invalid: use up to {GRADE_MAX_CHARS} characters", raw.trim()),
        ));
    }
    Ok(s)
}

/// A year in the Japanese calendar (`昭和60年`, `S60`, `平成元年`) as a Gregorian year.
fn wareki_year(s: &str) -> Option<i32> {
    const ERAS: [(&str, i32); 10] = [
        ("明治", 1868),
        ("大正", 1912),
        ("昭和", 1926),
        ("平成", 1989),
        ("令和", 2019),
        ("m", 1868),
        ("t", 1912),
        ("s", 1926),
        ("h", 1989),
        ("r", 2019),
    ];
    let s = s.trim().to_lowercase();
    for (era, first) in ERAS {
        if let Some(rest) = s.strip_prefix(era) {
            let n = rest.trim().trim_end_matches('年').trim_end_matches('.').trim();
            let n: i32 = if n == "元" { 1 } else { n.parse().ok()? };
            return (1..=64).contains(&n).then_some(first + n - 1);
        }
    }
    None
}

/// A birth year as HR files write it: `1985`, `1985年`, `昭和60年`, `S60`, or a full date of
/// birth, of which only the year is kept.
fn parse_birth_year_cell(raw: &str, today: NaiveDate) -> Result<i32, Invalid> {
    let folded = fold_full_width_ascii(raw.trim());
    if let Ok(date) = parse_date("birth_year", &folded) {
        return parse_birth_year(&date.year().to_string(), today);
    }
    if let Some(y) = wareki_year(&folded) {
        return parse_birth_year(&y.to_string(), today);
    }
    parse_birth_year(raw, today)
}

fn parse_status_cell(raw: &str) -> Result<EmployeeStatus, Invalid> {
    EmployeeStatus::parse(raw).or_else(|e| EmployeeStatus::parse(&fold_full_width_ascii(raw).to_lowercase()).map_err(|_| e))
}

fn parse_boss_cell(raw: &str) -> Result<EmployeeNumber, Invalid> {
    EmployeeNumber::parse(raw).map_err(|_| {
        Invalid::new(
            "boss_employee_number",
            format!(
                "上司社員番号「{raw}」が不正です。上司は社員番号（半角英数字・ハイフン・アンダースコアの20文字以内）で指定してください。"
            ),
            format!("boss employee number \"{raw}\" is invalid: name the boss by employee number (up to 20 letters, digits, '-' or '_')"),
        )
    })
}

fn required_message(c: Column) -> Message {
    Message::new(format!("{}は必須です。空欄にできません。", c.ja()), format!("{} is required and cannot be empty", c.en()))
}

/// What one data row yielded: its record if every cell was valid, and the number and boss
/// when those cells were valid (for the checks across rows).
struct RowState {
    line: usize,
    number: Option<EmployeeNumber>,
    boss: Option<EmployeeNumber>,
    record: Option<EmployeeRecord>,
}

/// Validates the cells of one row, appending an error per bad cell (in the order of the header).
struct RowParser<'a> {
    layout: &'a Layout,
    record: &'a csv::StringRecord,
    line: usize,
    /// (field position, error), sorted by position at the end.
    errors: Vec<(usize, RowError)>,
}

impl<'a> RowParser<'a> {
    fn cell(&self, c: Column) -> Option<(usize, &'a str)> {
        let at = self.layout.position[c.index()]?;
        let raw = self.record.get(at)?;
        let s = clean_cell(raw);
        (!s.is_empty()).then_some((at, s))
    }

    fn fail(&mut self, at: usize, c: Column, message: Message) {
        self.errors.push((at, RowError::new(self.line, self.layout.name_of(c), message)));
    }

    fn optional<T>(&mut self, c: Column, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        let (at, s) = self.cell(c)?;
        match parse(s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(at, c, e.message);
                None
            }
        }
    }

    fn required<T>(&mut self, c: Column, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        if self.cell(c).is_none() {
            let at = self.layout.position[c.index()].unwrap_or(0);
            self.fail(at, c, required_message(c));
            return None;
        }
        self.optional(c, parse)
    }
}

fn parse_row(layout: &Layout, record: &csv::StringRecord, line: usize, today: NaiveDate, errors: &mut Vec<RowError>) -> RowState {
    let mut state = RowState { line, number: None, boss: None, record: None };
    if record.len() != layout.fields.len() {
        errors.push(RowError::new(
            line,
            None,
            Message::new(
                format!(
                    "この行は{}列ありますが、見出し行は{}列です。値にカンマや改行を含む場合は \"…\" で囲んでください。",
                    record.len(),
                    layout.fields.len()
                ),
                format!(
                    "this row has {} fields but the header row has {}; quote values that contain commas or line breaks",
                    record.len(),
                    layout.fields.len()
                ),
            ),
        ));
        return state;
    }
    let mut p = RowParser { layout, record, line, errors: Vec::new() };
    for (i, (column, raw)) in layout.fields.iter().zip(record.iter()).enumerate() {
        if column.is_none() && layout.names.get(i).is_some_and(String::is_empty) && !clean_cell(raw).is_empty() {
            p.errors.push((
                i,
                RowError::new(
                    line,
                    None,
                    Message::new(
                        format!("{}列目に値「{}」がありますが、見出し行にその列の名前がありません。", i + 1, clean_cell(raw)),
                        format!("field {} holds \"{}\" but the header row gives that field no name", i + 1, clean_cell(raw)),
                    ),
                ),
            ));
        }
    }
    let number = p.required(Column::Number, EmployeeNumber::parse);
    let name = p.required(Column::Name, PersonName::parse);
    let name_kana = p.optional(Column::Kana, NameKana::parse);
    let department = p.required(Column::Department, DepartmentPath::parse);
    let grade = p.optional(Column::Grade, parse_grade);
    let birth_year = p.optional(Column::BirthYear, |s| parse_birth_year_cell(s, today));
    let hire_date = p.optional(Column::HireDate, |s| parse_date("hire_date", s));
    let boss_number = p.optional(Column::Boss, parse_boss_cell);
    let email = p.optional(Column::Email, Email::parse);
    let status = p.optional(Column::Status, parse_status_cell);
    if let (Some(n), Some(b)) = (&number, &boss_number) {
        if n == b {
            let at = layout.position[Column::Boss.index()].unwrap_or(0);
            p.fail(
                at,
                Column::Boss,
                Message::new(
                    format!("上司社員番号が本人の社員番号「{}」と同じです。", n.as_str()),
                    format!("the boss is the employee themself (\"{}\")", n.as_str()),
                ),
            );
        }
    }
    let ok = p.errors.is_empty();
    let mut row_errors = p.errors;
    row_errors.sort_by_key(|(at, _)| *at);
    errors.extend(row_errors.into_iter().map(|(_, e)| e));

    state.number = number.clone();
    state.boss = boss_number.clone();
    if ok {
        if let (Some(number), Some(name), Some(department)) = (number, name, department) {
            let status = status.unwrap_or_default();
            state.record =
                Some(EmployeeRecord { number, name, name_kana, department, grade, birth_year, hire_date, boss_number, email, status });
        }
    }
    state
}

// ---------------------------------------------------------------------------------------------
// Checks across rows
// ---------------------------------------------------------------------------------------------

const CYCLE_SHOWN: usize = 8;

fn check_across_rows(layout: &Layout, rows: &[RowState], errors: &mut Vec<RowError>) {
    let number_column = layout.name_of(Column::Number);
    let boss_column = layout.name_of(Column::Boss);

    // Duplicate numbers: reported on every later line, naming the first.
    let mut first: foldhash::HashMap<&EmployeeNumber, usize> = foldhash::HashMap::default();
    first.reserve(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(n) = &row.number else { continue };
        match first.get(n) {
            Some(&j) => {
                let first_line = rows.get(j).map(|r| r.line).unwrap_or(0);
                errors.push(RowError::new(
                    row.line,
                    number_column.clone(),
                    Message::new(
                        format!("社員番号「{}」は{}行目と重複しています。", n.as_str(), first_line),
                        format!("employee number \"{}\" already appears on line {}", n.as_str(), first_line),
                    ),
                ));
            }
            None => {
                first.insert(n, i);
            }
        }
    }

    // Bosses within the file: each first occurrence points to at most one other row, so the
    // loops are found by one walk over the rows (each row is entered once).
    let next: Vec<Option<usize>> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| match (&row.number, &row.boss) {
            (Some(n), Some(b)) if n != b && first.get(n) == Some(&i) => first.get(b).copied(),
            _ => None,
        })
        .collect();
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; rows.len()];
    let mut place = vec![0usize; rows.len()];
    let mut path: Vec<usize> = Vec::new();
    for start in 0..rows.len() {
        path.clear();
        let mut cur = Some(start);
        while let Some(c) = cur {
            if state.get(c) != Some(&NEW) {
                break;
            }
            if let (Some(s), Some(p)) = (state.get_mut(c), place.get_mut(c)) {
                *s = ON_PATH;
                *p = path.len();
            }
            path.push(c);
            cur = next.get(c).copied().flatten();
        }
        if let Some(c) = cur {
            if state.get(c) == Some(&ON_PATH) {
                let from = place.get(c).copied().unwrap_or(0);
                let cycle = path.get(from..).unwrap_or_default();
                report_cycle(rows, cycle, &boss_column, errors);
            }
        }
        for &c in &path {
            if let Some(s) = state.get_mut(c) {
                *s = DONE;
            }
        }
    }
}

fn report_cycle(rows: &[RowState], cycle: &[usize], boss_column: &Option<String>, errors: &mut Vec<RowError>) {
    let number = |i: usize| rows.get(i).and_then(|r| r.number.as_ref()).map(EmployeeNumber::as_str).unwrap_or("");
    let len = cycle.len();
    for (k, &row) in cycle.iter().enumerate() {
        let mut shown: Vec<&str> = (0..len.min(CYCLE_SHOWN)).map(|j| cycle.get((k + j) % len).map(|&i| number(i)).unwrap_or("")).collect();
        if len > CYCLE_SHOWN {
            shown.push("…");
        }
        shown.push(number(row));
        let chain = shown.join(" → ");
        let line = rows.get(row).map(|r| r.line).unwrap_or(0);
        errors.push(RowError::new(
            line,
            boss_column.clone(),
            Message::new(format!("上司の関係が循環しています（{chain}）。"), format!("the chain of bosses loops ({chain})")),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Physical line numbers of record starts, computed incrementally (starts only move forward).
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The line of the record that csv reports at byte `from`: csv gives the position before the
    /// blank lines and line ends it skips, so those are skipped here too.
    fn line_of_record_at(&mut self, from: usize) -> usize {
        let mut start = from.max(self.pos).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        for i in self.pos..start {
            match self.text.get(i) {
                Some(b'\n') => self.line += 1,
                Some(b'\r') if self.text.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.pos = start;
        self.line
    }
}

fn no_data_rows() -> RowError {
    RowError::new(
        0,
        None,
        Message::new(
            "データ行がありません。見出し行の下に従業員を1行に1人ずつ記入してください。",
            "the file has no data rows: list one employee per line below the header row",
        ),
    )
}

/// Reads an employee register exported by an HR system.
///
/// The encoding is detected (UTF-8 with or without BOM, else Shift_JIS/CP932); the first non-blank
/// row is the header (Japanese or English names); blank rows are skipped. On failure every problem
/// of every row is returned, sorted by line. Bosses not in the file are not checked here.
pub fn parse_employee_csv(bytes: &[u8], today: NaiveDate) -> Result<ParsedImport, Vec<RowError>> {
    let partial = parse_employee_csv_partial(bytes, today)?;
    if !partial.errors.is_empty() {
        return Err(partial.errors);
    }
    Ok(ParsedImport { encoding: partial.encoding, rows: partial.rows })
}

/// A file whose rows were read one by one: the rows that are valid, the problems of the
/// others, and every employee number the file names (valid row or not), so that checks
/// against the register (unknown bosses) can run over the whole file in the same pass.
#[derive(Clone, Debug)]
pub struct PartialImport {
    pub encoding: SourceEncoding,
    pub rows: Vec<ParsedRow>,
    pub numbers_in_file: std::collections::HashSet<String>,
    pub errors: Vec<RowError>,
}

/// Like [`parse_employee_csv`], but row problems do not stop the valid rows from being
/// returned. `Err` only for problems of the whole file (encoding, header, no data).
pub fn parse_employee_csv_partial(bytes: &[u8], today: NaiveDate) -> Result<PartialImport, Vec<RowError>> {
    let Decoded { encoding, text } = decode(bytes).map_err(|e| vec![RowError::from(e)])?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::None).from_reader(text.as_bytes());
    let mut lines = LineCounter { text: text.as_bytes(), pos: 0, line: 1 };
    let mut errors: Vec<RowError> = Vec::new();
    let mut layout: Option<Layout> = None;
    let mut rows: Vec<RowState> = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map(|p| p.byte() as usize).unwrap_or(lines.pos);
                let line = lines.line_of_record_at(at);
                errors.push(RowError::new(
                    line,
                    None,
                    Message::new("この行をCSVとして読み取れません。", format!("this line cannot be read as CSV: {e}")),
                ));
                break;
            }
        }
        let at = record.position().map(|p| p.byte() as usize).unwrap_or(lines.pos);
        let line = lines.line_of_record_at(at);
        if record.iter().all(|f| clean_cell(f).is_empty()) {
            continue;
        }
        match &layout {
            None => match read_header(&record, line) {
                Ok(l) => layout = Some(l),
                Err(mut header_errors) => {
                    header_errors.append(&mut errors);
                    return Err(header_errors);
                }
            },
            Some(l) => rows.push(parse_row(l, &record, line, today, &mut errors)),
        }
    }
    let Some(layout) = layout else {
        errors.push(no_data_rows());
        return Err(errors);
    };
    if rows.is_empty() && errors.is_empty() {
        return Err(vec![no_data_rows()]);
    }
    check_across_rows(&layout, &rows, &mut errors);
    errors.sort_by_key(|e| e.line);
    let numbers_in_file = rows.iter().filter_map(|r| r.number.as_ref().map(|n| n.as_str().to_string())).collect();
    let boss_column: Option<std::sync::Arc<str>> = layout.name_of(Column::Boss).map(std::sync::Arc::from);
    let rows = rows
        .into_iter()
        .filter_map(|r| r.record.map(|record| ParsedRow { line: r.line, record, boss_column: boss_column.clone() }))
        .collect();
    Ok(PartialImport { encoding, rows, numbers_in_file, errors })
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// A value as written in a cell: a leading `= + - @` gets a `'` so that spreadsheets do not run
/// it as a formula; [`parse_employee_csv`] removes that `'` again.
fn cell_text(s: &str) -> Cow<'_, str> {
    if needs_formula_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

fn record_cells(r: &EmployeeRecord, japanese: bool) -> [String; 10] {
    let opt = |s: Option<&str>| s.map(|s| cell_text(s).into_owned()).unwrap_or_default();
    [
        cell_text(r.number.as_str()).into_owned(),
        cell_text(r.name.as_str()).into_owned(),
        opt(r.name_kana.as_ref().map(NameKana::as_str)),
        cell_text(&r.department.to_path_string()).into_owned(),
        opt(r.grade.as_deref()),
        r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        r.hire_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        opt(r.boss_number.as_ref().map(EmployeeNumber::as_str)),
        opt(r.email.as_ref().map(Email::as_str)),
        if japanese { r.status.label_ja() } else { r.status.as_str() }.to_string(),
    ]
}

fn write_text(records: &[EmployeeRecord], japanese_headers: bool) -> String {
    let mut writer =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).quote_style(csv::QuoteStyle::Necessary).from_writer(Vec::new());
    let header = COLUMNS.map(|c| if japanese_headers { c.ja() } else { c.en() });
    // Writing to a Vec cannot fail, and every row has the header's length.
    let _ = writer.write_record(header);
    for r in records {
        let _ = writer.write_record(record_cells(r, japanese_headers));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Writes records in the format [`parse_employee_csv`] reads (CRLF line ends, all ten columns).
///
/// Shift_JIS cannot hold every character: check [`first_unencodable`] first, since a character
/// it cannot hold is written as an HTML character reference (`&#…;`).
pub fn write_employee_csv(records: &[EmployeeRecord], encoding: SourceEncoding, japanese_headers: bool) -> Vec<u8> {
    encoding.encode(&write_text(records, japanese_headers))
}

/// The first record (by index) and character that `encoding` cannot carry faithfully, if any.
/// UTF-8 carries everything; Shift_JIS lacks many characters (e.g. `𠮷`; `髙` and `①` are fine), and
/// a few come back as a different character; both kinds are reported.
pub fn first_unencodable(records: &[EmployeeRecord], encoding: SourceEncoding) -> Option<(usize, char)> {
    if encoding != SourceEncoding::ShiftJis {
        return None;
    }
    for (i, r) in records.iter().enumerate() {
        for cell in record_cells(r, true) {
            if encoding.round_trips(&cell) {
                continue;
            }
            let mut buf = [0u8; 4];
            if let Some(c) = cell.chars().find(|c| !encoding.round_trips(c.encode_utf8(&mut buf))) {
                return Some((i, c));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::SHIFT_JIS;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    fn parse(text: &str) -> Result<ParsedImport, Vec<RowError>> {
        parse_employee_csv(text.as_bytes(), today())
    }

    fn errors(text: &str) -> Vec<RowError> {
        match parse(text) {
            Ok(p) => panic!("expected errors, parsed {} rows", p.rows.len()),
            Err(e) => e,
        }
    }

    fn ok(text: &str) -> ParsedImport {
        match parse(text) {
            Ok(p) => p,
            Err(e) => panic!("unexpected errors: {:?}", e.iter().map(|e| e.describe(Locale::Ja)).collect::<Vec<_>>()),
        }
    }

    /// (line, column) of each error, for compact assertions.
    fn places(errs: &[RowError]) -> Vec<(usize, Option<&str>)> {
        errs.iter().map(|e| (e.line, e.column.as_deref())).collect()
    }

    const SAMPLE: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール,在籍区分\n\
        E001,山田 太郎,やまだ たろう,営業本部,M1,1970,2000-04-01,,taro@example.co.jp,在籍\n\
        E002,佐藤　花子,サトウ ハナコ,営業本部/第一営業部,S2,1985年,2010/4/1,E001,,休職\n";

    #[test]
    fn utf8_sample_parses_every_field() {
        let p = ok(SAMPLE);
        assert_eq!(p.encoding, SourceEncoding::Utf8);
        assert_eq!(p.rows.len(), 2);
        let a = &p.rows[0];
        assert_eq!(a.line, 2);
        assert_eq!(a.record.number.as_str(), "E001");
        assert_eq!(a.record.name_kana.as_ref().map(NameKana::as_str), Some("ヤマダ タロウ"));
        assert_eq!(a.record.grade.as_deref(), Some("M1"));
        assert_eq!(a.record.birth_year, Some(1970));
        assert_eq!(a.record.hire_date, NaiveDate::from_ymd_opt(2000, 4, 1));
        assert_eq!(a.record.boss_number, None);
        assert_eq!(a.record.email.as_ref().map(Email::as_str), Some("taro@example.co.jp"));
        let b = &p.rows[1];
        assert_eq!(b.line, 3);
        assert_eq!(b.record.name.as_str(), "佐藤 花子");
        assert_eq!(b.record.department.segments(), ["営業本部", "第一営業部"]);
        assert_eq!(b.record.birth_year, Some(1985));
        assert_eq!(b.record.hire_date, NaiveDate::from_ymd_opt(2010, 4, 1));
        assert_eq!(b.record.boss_number.as_ref().map(EmployeeNumber::as_str), Some("E001"));
        assert_eq!(b.record.email, None);
        assert_eq!(b.record.status, EmployeeStatus::OnLeave);
    }

    #[test]
    fn utf8_with_bom() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(SAMPLE.as_bytes());
        let p = parse_employee_csv(&bytes, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.encoding, SourceEncoding::Utf8Bom);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].record.number.as_str(), "E001");
    }

    #[test]
    fn cp932_bytes() {
        let sample = SAMPLE.replace('\n', "\r\n") + "E003,髙橋 ①郎,タカハシ,総務部,,S60,,E001,,退職\r\n";
        let (bytes, _, unmappable) = SHIFT_JIS.encode(&sample);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        let p = parse_employee_csv(&bytes, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.encoding, SourceEncoding::ShiftJis);
        assert_eq!(p.rows.len(), 3);
        assert_eq!(p.rows[1].record.name.as_str(), "佐藤 花子");
        assert_eq!(p.rows[2].line, 4);
        assert_eq!(p.rows[2].record.name.as_str(), "髙橋 ①郎");
        assert_eq!(p.rows[2].record.birth_year, Some(1985));
        assert_eq!(p.rows[2].record.status, EmployeeStatus::Retired);
    }

    #[test]
    fn neither_utf8_nor_shift_jis() {
        // 0x81 0x20 is an invalid Shift_JIS pair, and invalid UTF-8, on line 3.
        let mut bytes = b"employee_number,name,department\nE1,Taro,Sales\nE2,".to_vec();
        bytes.extend_from_slice(&[0x81, 0x20]);
        bytes.extend_from_slice(b",Sales\n");
        let errs = parse_employee_csv(&bytes, today()).err().unwrap_or_default();
        assert_eq!(places(&errs), [(3, None)]);
        assert!(errs[0].message.ja.contains("Shift_JIS"));
        assert!(errs[0].message.en.contains("neither UTF-8 nor Shift_JIS"));
        let utf16 = parse_employee_csv(&[0xFF, 0xFE, b'a', 0], today()).err().unwrap_or_default();
        assert_eq!(places(&utf16), [(0, None)]);
    }

    #[test]
    fn damaged_utf8_is_not_read_as_shift_jis() {
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes.extend_from_slice("E003,鈴木 一郎,,総務部,,,,,,\nE004,".as_bytes());
        bytes.push(0xE3); // a cut three-byte sequence on line 5
        bytes.extend_from_slice(b",,x,,,,,,,\n");
        let errs = parse_employee_csv(&bytes, today()).err().unwrap_or_default();
        assert_eq!(places(&errs), [(5, None)]);
    }

    #[test]
    fn english_headers_in_any_case() {
        let p = ok("Employee_Number, NAME ,Department,Birth Year,hire-date,BOSS_EMPLOYEE_NUMBER,E-mail,Status\n\
            a1,Alice,Sales,1990,2015/10/01,,alice@example.com,Active\n\
            a2,Bob,Sales/Inside,,,a1,,on_leave\n");
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].record.hire_date, NaiveDate::from_ymd_opt(2015, 10, 1));
        assert_eq!(p.rows[0].record.status, EmployeeStatus::Active);
        assert_eq!(p.rows[1].record.boss_number.as_ref().map(EmployeeNumber::as_str), Some("a1"));
        assert_eq!(p.rows[1].record.status, EmployeeStatus::OnLeave);
    }

    #[test]
    fn header_variants() {
        let p = ok("　社員番号　,名前,氏名（カナ）,所属部署,生年（西暦）,入社年月日,上司,メールアドレス,ステータス,等級\n\
            Ｅ００１,山田太郎,ヤマダタロウ,人事部,1980,2001/4/1,,ｔａｒｏ@example.jp,在籍,G3\n");
        let r = &p.rows[0].record;
        assert_eq!(r.number.as_str(), "E001");
        assert_eq!(r.name_kana.as_ref().map(NameKana::as_str), Some("ヤマダタロウ"));
        assert_eq!(r.birth_year, Some(1980));
        assert_eq!(r.email.as_ref().map(Email::as_str), Some("taro@example.jp"));
        let q = ok("社員番号※,氏名【必須】,フリガナ,部署(必須),生年月日,上長\nE1,A,ア,X,1980/05/06,\n");
        assert_eq!(q.rows[0].record.birth_year, Some(1980));
        assert_eq!(q.rows[0].record.name_kana.as_ref().map(NameKana::as_str), Some("ア"));
    }

    #[test]
    fn aliases_do_not_collide() {
        let mut seen: HashMap<String, Column> = HashMap::new();
        for c in COLUMNS {
            for a in c.aliases().iter().copied().chain([c.ja(), c.en()]) {
                if let Some(other) = seen.insert(header_key(a), c) {
                    assert_eq!(other, c, "alias {a} is used by two columns");
                }
            }
        }
    }

    #[test]
    fn header_problems() {
        let errs = errors("社員番号,氏名,生まれた町\nE1,A,B\n");
        assert_eq!(places(&errs), [(1, Some("生まれた町")), (1, None)]);
        assert!(errs[1].message.ja.contains("所属"));
        assert!(errs[1].message.en.contains("department"));
        let dup = errors("社員番号,氏名,所属,名前\nE1,A,B,C\n");
        assert_eq!(places(&dup), [(1, Some("名前"))]);
        assert!(dup[0].message.ja.contains("重複"));
        let later = errors("\n\nemployee_number,name\n");
        assert_eq!(places(&later), [(3, None)]);
    }

    #[test]
    fn empty_and_header_only() {
        for text in ["", "\n\n", "社員番号,氏名,所属\n", "社員番号,氏名,所属\n,,\n\n"] {
            let errs = errors(text);
            assert_eq!(places(&errs), [(0, None)], "{text:?}");
            assert!(errs[0].message.ja.contains("データ行がありません"));
        }
    }

    #[test]
    fn every_error_of_every_row_with_line_and_column() {
        let text = "社員番号,氏名,所属,生年,入社日,メール,在籍区分,氏名カナ,等級\n\
            E1,山田,営業,1980,2000-01-01,a@b.jp,在籍,ヤマダ,\n\
            E2,,営業,abc,2000-02-30,not-mail,不明,山田,\n\
            \n\
            E3,鈴木,営業//一課,1980,,,,,\n\
            E4,田中,営業\n\
            ,佐藤,営業,,,,,,\n";
        let errs = errors(text);
        assert_eq!(
            places(&errs),
            [
                (3, Some("氏名")),
                (3, Some("生年")),
                (3, Some("入社日")),
                (3, Some("メール")),
                (3, Some("在籍区分")),
                (3, Some("氏名カナ")),
                (5, Some("所属")),
                (6, None),
                (7, Some("社員番号")),
            ]
        );
        assert_eq!(errs[1].message.ja, "生年「abc」が不正です。西暦4桁で、1926〜2011年の範囲で指定してください。");
        assert_eq!(errs[1].describe(Locale::Ja), "3行目「生年」: 生年「abc」が不正です。西暦4桁で、1926〜2011年の範囲で指定してください。");
        assert_eq!(errs[1].describe(Locale::En), "line 3, column 生年: birth year \"abc\" is invalid: give a year between 1926 and 2011");
        assert!(errs[7].message.ja.contains("3列"));
        assert!(errs[7].describe(Locale::En).starts_with("line 6: this row has 3 fields"));
        assert!(errs[8].message.en.contains("required"));
    }

    #[test]
    fn unnamed_columns_must_be_empty() {
        let p = ok("社員番号,氏名,所属,\nE1,A,B,\n");
        assert_eq!(p.rows.len(), 1);
        let errs = errors("社員番号,氏名,所属,\nE1,A,B,x\n");
        assert_eq!(places(&errs), [(2, None)]);
        assert!(errs[0].message.ja.contains("4列目"));
    }

    #[test]
    fn duplicate_numbers_name_the_first_line() {
        let errs = errors("社員番号,氏名,所属\nE1,A,X\nE2,B,X\nE1,C,X\nＥ１,D,X\n");
        assert_eq!(places(&errs), [(4, Some("社員番号")), (5, Some("社員番号"))]);
        assert!(errs[0].message.ja.contains("2行目"));
        assert!(errs[1].message.en.contains("line 2"));
    }

    #[test]
    fn boss_equal_to_self() {
        let errs = errors("社員番号,氏名,所属,上司\nE1,A,X,E1\n");
        assert_eq!(places(&errs), [(2, Some("上司"))]);
    }

    #[test]
    fn boss_cycles_are_reported_on_each_row() {
        let errs = errors(
            "社員番号,氏名,所属,上司社員番号\n\
             E1,A,X,E2\n\
             E2,B,X,E1\n\
             E3,C,X,E1\n\
             E4,D,X,E5\n\
             E5,E,X,E6\n\
             E6,F,X,E4\n\
             E7,G,X,E99\n",
        );
        assert_eq!(
            places(&errs),
            [
                (2, Some("上司社員番号")),
                (3, Some("上司社員番号")),
                (5, Some("上司社員番号")),
                (6, Some("上司社員番号")),
                (7, Some("上司社員番号")),
            ]
        );
        assert!(errs[0].message.ja.contains("E1 → E2 → E1"));
        assert!(errs[1].message.en.contains("E2 → E1 → E2"));
        assert!(errs[4].message.ja.contains("E6 → E4 → E5 → E6"));
    }

    #[test]
    fn bosses_outside_the_file_are_left_to_the_store() {
        let p = ok("社員番号,氏名,所属,上司社員番号\nE1,A,X,E900\nE2,B,X,E1\n");
        assert_eq!(p.rows.len(), 2);
    }

    #[test]
    fn embedded_newlines_keep_line_numbers() {
        let text = "社員番号,氏名,所属,等級\r\n\
            E1,\"Yamada\r\nTaro\",X,\r\n\
            E2,B,\"営業\n本部\",\r\n\
            \r\n\
            E3,C,X,\"G\"\"1\"\r\n\
            E4,D,X,\"a,b\"\r\n\
            E5,E,,\r\n";
        let errs = errors(text);
        assert_eq!(places(&errs), [(2, Some("氏名")), (4, Some("所属")), (9, Some("所属"))]);
        // Lone CRs (old Mac files) end lines too, inside quotes as well.
        let cr_text = "社員番号,氏名,所属,等級\r\"E1\",A,X,\"G\r1\"\rE2,B,X,\"a,b\"\rE3,C,,\r";
        let errs = errors(cr_text);
        assert_eq!(places(&errs), [(2, Some("等級")), (5, Some("所属"))]);
        let p = ok("社員番号,氏名,所属,等級\n\"E1\",\"A, B\",X,\"G\"\"1\"\n\n\nE2,B,X,\n");
        assert_eq!(p.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 5]);
        assert_eq!(p.rows[0].record.name.as_str(), "A, B");
        assert_eq!(p.rows[0].record.grade.as_deref(), Some("G\"1"));
    }

    #[test]
    fn birth_years_in_the_japanese_calendar() {
        assert_eq!(wareki_year("昭和60年"), Some(1985));
        assert_eq!(wareki_year("S60"), Some(1985));
        assert_eq!(wareki_year("平成元年"), Some(1989));
        assert_eq!(wareki_year("h3"), Some(1991));
        assert_eq!(wareki_year("令和"), None);
        assert_eq!(parse_birth_year_cell("1985-04-01", today()), Ok(1985));
        assert!(parse_birth_year_cell("2020-04-01", today()).is_err());
    }

    #[test]
    fn formula_like_values_are_escaped_and_restored() {
        let r = EmployeeRecord {
            number: EmployeeNumber::parse("-1").unwrap_or_else(|e| panic!("{e}")),
            name: PersonName::parse("=HYPERLINK(\"x\")").unwrap_or_else(|e| panic!("{e}")),
            name_kana: None,
            department: DepartmentPath::parse("@営業").unwrap_or_else(|e| panic!("{e}")),
            grade: Some("+1".into()),
            birth_year: None,
            hire_date: None,
            boss_number: None,
            email: None,
            status: EmployeeStatus::Active,
        };
        let bytes = write_employee_csv(std::slice::from_ref(&r), SourceEncoding::Utf8, true);
        let text = String::from_utf8(bytes.clone()).unwrap_or_default();
        assert!(text.contains("'-1,\"'=HYPERLINK(\"\"x\"\")\",,'@営業,'+1"), "{text}");
        let p = parse_employee_csv(&bytes, today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.rows[0].record, r);
    }

    #[test]
    fn shift_jis_gaps_are_found() {
        let mut r = EmployeeRecord {
            number: EmployeeNumber::parse("E1").unwrap_or_else(|e| panic!("{e}")),
            name: PersonName::parse("髙橋").unwrap_or_else(|e| panic!("{e}")),
            name_kana: None,
            department: DepartmentPath::parse("営業").unwrap_or_else(|e| panic!("{e}")),
            grade: None,
            birth_year: None,
            hire_date: None,
            boss_number: None,
            email: None,
            status: EmployeeStatus::Active,
        };
        assert_eq!(first_unencodable(std::slice::from_ref(&r), SourceEncoding::ShiftJis), None);
        r.name = PersonName::parse("𠮷田").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first_unencodable(std::slice::from_ref(&r), SourceEncoding::ShiftJis), Some((0, '𠮷')));
        assert_eq!(first_unencodable(std::slice::from_ref(&r), SourceEncoding::Utf8), None);
    }

    #[test]
    fn encoding_names() {
        assert_eq!(SourceEncoding::from_name("UTF-8"), Some(SourceEncoding::Utf8));
        assert_eq!(SourceEncoding::from_name("utf8-bom"), Some(SourceEncoding::Utf8Bom));
        assert_eq!(SourceEncoding::from_name("CP932"), Some(SourceEncoding::ShiftJis));
        assert_eq!(SourceEncoding::from_name("latin1"), None);
        assert_eq!(SourceEncoding::ShiftJis.label(), "Shift_JIS (CP932)");
    }

    #[test]
    fn a_hundred_thousand_rows() {
        let mut text = String::from("社員番号,氏名,所属,上司社員番号\n");
        for i in 0..100_000 {
            let boss = if i == 0 { String::new() } else { format!("E{}", i - 1) };
            text.push_str(&format!("E{i},山田 太郎,営業本部/第一営業部,{boss}\n"));
        }
        let p = ok(&text);
        assert_eq!(p.rows.len(), 100_000);
        assert_eq!(p.rows[99_999].line, 100_001);
        // Close the chain into one long loop: every row is reported.
        text.push_str("E100000,X,Y,E99999\n");
        let text = text.replacen("E0,山田 太郎,営業本部/第一営業部,\n", "E0,山田 太郎,営業本部/第一営業部,E100000\n", 1);
        let errs = errors(&text);
        assert_eq!(errs.len(), 100_001);
        assert!(errs[0].message.ja.contains("…"));
    }

    // -----------------------------------------------------------------------------------------
    // Properties
    // -----------------------------------------------------------------------------------------

    fn name_strategy() -> impl Strategy<Value = PersonName> {
        "[山田太郎花子佐藤鈴木髙橋渡辺齋藤a-zA-Z ,\"'=@・ー\u{3000}-]{1,20}".prop_filter_map("valid name", |s| PersonName::parse(&s).ok())
    }

    fn kana_strategy() -> impl Strategy<Value = NameKana> {
        "[ァ-ヶぁ-んー・ \u{3000}]{1,20}".prop_filter_map("valid kana", |s| NameKana::parse(&s).ok())
    }

    fn department_strategy() -> impl Strategy<Value = DepartmentPath> {
        proptest::collection::vec("[営業本部第一二課総務人事A-Za-z0-9 &,\"@+-]{1,12}", 1..4)
            .prop_filter_map("valid department", |segs| DepartmentPath::parse(&segs.join("/")).ok())
    }

    fn email_strategy() -> impl Strategy<Value = Email> {
        "[a-z0-9._+-]{1,10}@[a-z]{1,8}\\.(jp|com|co\\.jp)".prop_filter_map("valid email", |s| Email::parse(&s).ok())
    }

    fn date_strategy() -> impl Strategy<Value = NaiveDate> {
        (1950i32..2031, 1u32..13, 1u32..32).prop_filter_map("real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
    }

    prop_compose! {
        fn partial_record()(
            number in "[A-Za-z0-9_-]{1,20}",
            name in name_strategy(),
            name_kana in proptest::option::of(kana_strategy()),
            department in department_strategy(),
            grade in proptest::option::of("[A-Z0-9一二三級 =+-]{1,8}".prop_filter_map("valid grade", |s| parse_grade(&s).ok())),
            birth_year in proptest::option::of(1926i32..=2011),
            hire_date in proptest::option::of(date_strategy()),
            boss_pick in proptest::option::of(any::<usize>()),
            email in proptest::option::of(email_strategy()),
            status in prop_oneof![Just(EmployeeStatus::Active), Just(EmployeeStatus::OnLeave), Just(EmployeeStatus::Retired)],
        ) -> (String, EmployeeRecord, Option<usize>) {
            let record = EmployeeRecord {
                number: EmployeeNumber::parse("placeholder").unwrap_or_else(|e| panic!("{e}")),
                name, name_kana, department, grade, birth_year, hire_date, boss_number: None, email, status,
            };
            (number, record, boss_pick)
        }
    }

    /// Distinct numbers, and bosses chosen among earlier rows so that there is no loop.
    fn records_strategy() -> impl Strategy<Value = Vec<EmployeeRecord>> {
        proptest::collection::vec(partial_record(), 1..16).prop_map(|parts| {
            let mut seen = std::collections::HashSet::new();
            let mut out: Vec<EmployeeRecord> = Vec::new();
            for (number, mut record, boss_pick) in parts {
                let Ok(n) = EmployeeNumber::parse(&number) else {
                    continue;
                };
                if !seen.insert(n.clone()) {
                    continue;
                }
                record.number = n;
                record.boss_number = match (boss_pick, out.len()) {
                    (Some(pick), len) if len > 0 => out.get(pick % len).map(|b| b.number.clone()),
                    _ => None,
                };
                out.push(record);
            }
            out
        })
    }

    proptest! {
        #[test]
        fn written_files_read_back(records in records_strategy(), japanese in any::<bool>()) {
            for encoding in SourceEncoding::ALL {
                prop_assume!(first_unencodable(&records, encoding).is_none());
                let bytes = write_employee_csv(&records, encoding, japanese);
                let parsed = parse_employee_csv(&bytes, today());
                let parsed = match parsed {
                    Ok(p) => p,
                    Err(e) => {
                        let msgs: Vec<String> = e.iter().map(|e| e.describe(Locale::En)).collect();
                        return Err(TestCaseError::fail(format!("{encoding:?}: {msgs:?}")));
                    }
                };
                let expected = match encoding {
                    SourceEncoding::ShiftJis if std::str::from_utf8(&bytes).is_ok() => SourceEncoding::Utf8,
                    other => other,
                };
                prop_assert_eq!(parsed.encoding, expected);
                let lines: Vec<usize> = parsed.rows.iter().map(|r| r.line).collect();
                let expected_lines: Vec<usize> = (2..records.len() + 2).collect();
                prop_assert_eq!(lines, expected_lines);
                let back: Vec<EmployeeRecord> = parsed.rows.into_iter().map(|r| r.record).collect();
                prop_assert_eq!(&back, &records);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse_employee_csv(&bytes, today());
        }

        #[test]
        fn arbitrary_csv_like_text_never_panics(
            body in "[社員番号氏名所属上司生年E1-3,\"\r\n 　'=\u{feff}ｱ-]{0,300}",
            header in prop_oneof![
                Just("社員番号,氏名,所属,上司社員番号,生年\n"),
                Just("employee_number,name,department,boss\n"),
                Just(""),
            ],
        ) {
            let text = format!("{header}{body}");
            for encoding_bytes in [text.as_bytes().to_vec(), SHIFT_JIS.encode(&text).0.into_owned()] {
                if let Err(errs) = parse_employee_csv(&encoding_bytes, today()) {
                    prop_assert!(!errs.is_empty());
                    prop_assert!(errs.windows(2).all(|w| w[0].line <= w[1].line));
                    for e in &errs {
                        prop_assert!(!e.describe(Locale::Ja).is_empty());
                    }
                }
            }
        }
    }
}
