//! Employees as HR systems describe them, with every field validated on the way in.

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Full-width ASCII (ＡＢＣ１２３) as HR exports often carry it, folded to half-width.
pub fn fold_full_width_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// An employee number: 1–20 characters of ASCII letters, digits, '-' or '_'.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmployeeNumber(String);

impl EmployeeNumber {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = fold_full_width_ascii(raw.trim());
        let ok = !s.is_empty() && s.chars().count() <= 20 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(Invalid::new(
                "employee_number",
                format!("社員番号「{}」が不正です。半角英数字・ハイフン・アンダースコアの20文字以内で指定してください。", raw.trim()),
                format!("employee number \"{}\" is invalid: use up to 20 letters, digits, '-' or '_'", raw.trim()),
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as written (kanji, kana or Latin letters), 1–60 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().replace('\u{3000}', " ");
        let count = s.chars().count();
        if count == 0 || count > 60 || s.chars().any(char::is_control) {
            return Err(Invalid::new("name", "氏名は1〜60文字で入力してください。", "the name must be 1 to 60 characters"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name's reading in full-width katakana; hiragana is accepted and converted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NameKana(String);

impl NameKana {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let converted: String = raw
            .trim()
            .replace('\u{3000}', " ")
            .chars()
            .map(|c| match c {
                '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
                _ => c,
            })
            .collect();
        let count = converted.chars().count();
        let kana_only = converted.chars().all(|c| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | ' ' | 'ヽ' | 'ヾ'));
        if count == 0 || count > 60 || !kana_only {
            return Err(Invalid::new(
                "name_kana",
                format!("氏名カナ「{}」は全角カタカナ（またはひらがな）で入力してください。", raw.trim()),
                format!("name reading \"{}\" must be written in katakana or hiragana", raw.trim()),
            ));
        }
        Ok(Self(converted))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A department as a path from the top of the tree, such as `営業本部/第一営業部`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DepartmentPath(Vec<String>);

impl DepartmentPath {
    pub const MAX_DEPTH: usize = 8;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let segments: Vec<String> = raw.split(['/', '／']).map(|s| s.trim().replace('\u{3000}', " ")).collect();
        let bad = segments.is_empty()
            || segments.len() > Self::MAX_DEPTH
            || segments.iter().any(|s| s.is_empty() || s.chars().count() > 60 || s.chars().any(char::is_control));
        if bad {
            return Err(Invalid::new(
                "department",
                format!("所属「{}」が不正です。「営業本部/第一営業部」のように / で区切って指定してください（8階層まで）。", raw.trim()),
                format!("department \"{}\" is invalid: write it as a path such as 'Sales/First Sales' (up to 8 levels)", raw.trim()),
            ));
        }
        Ok(Self(segments))
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The path of the parent department, if this is not a top-level one.
    pub fn parent(&self) -> Option<DepartmentPath> {
        (self.0.len() > 1).then(|| DepartmentPath(self.0[..self.0.len() - 1].to_vec()))
    }

    /// Every ancestor path from the top, then this path itself.
    pub fn ancestry(&self) -> Vec<DepartmentPath> {
        (1..=self.0.len()).map(|n| DepartmentPath(self.0[..n].to_vec())).collect()
    }

    pub fn name(&self) -> &str {
        self.0.last().map(String::as_str).unwrap_or("")
    }

    pub fn depth(&self) -> usize {
        self.0.len()
    }

    pub fn to_path_string(&self) -> String {
        self.0.join("/")
    }
}

/// An e-mail address, checked for shape only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = fold_full_width_ascii(raw.trim());
        let ok = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && s.len() <= 254
                    && s.is_ascii()
                    && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !ok {
            return Err(Invalid::new(
                "email",
                format!("メールアドレス「{}」の形式が正しくありません。", raw.trim()),
                format!("\"{}\" is not a valid e-mail address", raw.trim()),
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A year of birth; the person must be between 15 and 100 years old on `today`.
pub fn parse_birth_year(raw: &str, today: NaiveDate) -> Result<i32, Invalid> {
    let s = fold_full_width_ascii(raw.trim());
    let year = s.trim_end_matches('年').parse::<i32>().ok();
    match year {
        Some(y) if y >= today.year() - 100 && y <= today.year() - 15 => Ok(y),
        _ => Err(Invalid::new(
            "birth_year",
            format!(
                "生年「{}」が不正です。西暦4桁で、{}〜{}年の範囲で指定してください。",
                raw.trim(),
                today.year() - 100,
                today.year() - 15
            ),
            format!("birth year \"{}\" is invalid: give a year between {} and {}", raw.trim(), today.year() - 100, today.year() - 15),
        )),
    }
}

/// A calendar date written YYYY-MM-DD or YYYY/MM/DD (months and days may have one digit).
pub fn parse_date(field: &'static str, raw: &str) -> Result<NaiveDate, Invalid> {
    let s = fold_full_width_ascii(raw.trim());
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let parsed = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => match (y.parse(), m.parse(), d.parse()) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| {
        Invalid::new(
            field,
            format!("日付「{}」が不正です。YYYY-MM-DD または YYYY/MM/DD の形式で、実在する日付を指定してください。", raw.trim()),
            format!("date \"{}\" is invalid: use YYYY-MM-DD or YYYY/MM/DD with a real date", raw.trim()),
        )
    })
}

/// Whether the employee is at work, on leave or has left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    #[default]
    Active,
    OnLeave,
    Retired,
}

impl EmployeeStatus {
    pub const ALL: [EmployeeStatus; 3] = [EmployeeStatus::Active, EmployeeStatus::OnLeave, EmployeeStatus::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeStatus::Active => "active",
            EmployeeStatus::OnLeave => "on_leave",
            EmployeeStatus::Retired => "retired",
        }
    }

    /// Accepts the stored code and the words HR files use (在籍, 休職, 退職).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "" | "active" | "在籍" | "在職" => Ok(EmployeeStatus::Active),
            "on_leave" | "休職" | "休職中" => Ok(EmployeeStatus::OnLeave),
            "retired" | "退職" | "退職済" => Ok(EmployeeStatus::Retired),
            other => Err(Invalid::new(
                "status",
                format!("在籍区分「{other}」は不明です。在籍・休職・退職のいずれかを指定してください。"),
                format!("status \"{other}\" is unknown: use active, on_leave or retired"),
            )),
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            EmployeeStatus::Active => "在籍",
            EmployeeStatus::OnLeave => "休職",
            EmployeeStatus::Retired => "退職",
        }
    }
}

/// One employee as imported or generated: everything validated, the boss named by number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeRecord {
    pub number: EmployeeNumber,
    pub name: PersonName,
    pub name_kana: Option<NameKana>,
    pub department: DepartmentPath,
    pub grade: Option<String>,
    pub birth_year: Option<i32>,
    pub hire_date: Option<NaiveDate>,
    pub boss_number: Option<EmployeeNumber>,
    pub email: Option<Email>,
    pub status: EmployeeStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn employee_numbers_fold_full_width() {
        assert_eq!(EmployeeNumber::parse(" Ｅ０１２ ").map(|n| n.0), Ok("E012".to_string()));
        assert!(EmployeeNumber::parse("").is_err());
        assert!(EmployeeNumber::parse("12 34").is_err());
        assert!(EmployeeNumber::parse("123456789012345678901").is_err());
    }

    #[test]
    fn kana_accepts_hiragana_and_rejects_kanji() {
        assert_eq!(NameKana::parse("やまだ　たろう").map(|k| k.0), Ok("ヤマダ タロウ".to_string()));
        assert!(NameKana::parse("山田").is_err());
    }

    #[test]
    fn department_paths() {
        let p = DepartmentPath::parse("営業本部／第一営業部").unwrap_or_else(|_| DepartmentPath(vec![]));
        assert_eq!(p.segments(), ["営業本部", "第一営業部"]);
        assert_eq!(p.parent().map(|p| p.to_path_string()), Some("営業本部".to_string()));
        assert_eq!(p.ancestry().len(), 2);
        assert!(DepartmentPath::parse("営業本部//第一").is_err());
        assert!(DepartmentPath::parse("").is_err());
    }

    #[test]
    fn dates_in_both_forms() {
        let d = NaiveDate::from_ymd_opt(2020, 4, 1);
        assert_eq!(parse_date("hire_date", "2020-04-01").ok(), d);
        assert_eq!(parse_date("hire_date", "2020/4/1").ok(), d);
        assert!(parse_date("hire_date", "2020-02-30").is_err());
        assert!(parse_date("hire_date", "20200401").is_err());
    }

    #[test]
    fn birth_years_in_range() {
        assert_eq!(parse_birth_year("1985", today()), Ok(1985));
        assert!(parse_birth_year("2020", today()).is_err());
        assert!(parse_birth_year("abc", today()).is_err());
    }

    #[test]
    fn emails() {
        assert!(Email::parse("taro.yamada@example.co.jp").is_ok());
        assert!(Email::parse("taro@").is_err());
        assert!(Email::parse("taro example.com").is_err());
    }
}
