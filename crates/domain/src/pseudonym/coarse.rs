//! The coarsened header of a pseudonymized case: age band, department level, fiscal half-year.

use chrono::{Datelike, NaiveDate};

/// Age as a 10-year band, (Japanese, English): 34 → ("30代", "30s"); under 20 → ("10代", "10s");
/// 70 and over → ("70代以上", "70 and over"), where so few people remain that the decade names them.
/// Only years are known, so the age is the one reached during `on_year`.
pub fn age_band(birth_year: i32, on_year: i32) -> (String, String) {
    let age = on_year.saturating_sub(birth_year);
    if age < 20 {
        ("10代".to_owned(), "10s".to_owned())
    } else if age >= 70 {
        ("70代以上".to_owned(), "70 and over".to_owned())
    } else {
        let decade = age / 10 * 10;
        (format!("{decade}代"), format!("{decade}s"))
    }
}

/// Department reduced to its level in the tree, (Japanese, English): depth 1 → 本部レベル,
/// 2 → 部レベル, 3 and deeper → 課・グループレベル; 0 (the company itself) → 全社レベル.
pub fn department_level(depth: usize) -> (String, String) {
    let (ja, en) = match depth {
        0 => ("全社レベル", "company level"),
        1 => ("本部レベル", "division level"),
        2 => ("部レベル", "department level"),
        _ => ("課・グループレベル", "section/group level"),
    };
    (ja.to_owned(), en.to_owned())
}

/// A date reduced to its fiscal half-year, (Japanese, English); the Japanese fiscal year starts
/// on April 1: 2026-05-14 → ("2026年度上期", "FY2026 H1"), 2026-03-31 → ("2025年度下期", "FY2025 H2").
pub fn coarse_date(date: NaiveDate) -> (String, String) {
    let month = date.month();
    let fiscal_year = if month >= 4 { date.year() } else { date.year() - 1 };
    let first_half = (4..=9).contains(&month);
    let (ja, en) = if first_half { ("上期", "H1") } else { ("下期", "H2") };
    (format!("{fiscal_year}年度{ja}"), format!("FY{fiscal_year} {en}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonym_age_bands() {
        let band = |b, y| age_band(b, y);
        assert_eq!(band(1992, 2026), ("30代".to_owned(), "30s".to_owned()));
        assert_eq!(band(2007, 2026).0, "10代"); // 19
        assert_eq!(band(2010, 2026).0, "10代"); // 16
        assert_eq!(band(2030, 2026).0, "10代"); // nonsense stays in the lowest band
        assert_eq!(band(2006, 2026), ("20代".to_owned(), "20s".to_owned())); // 20
        assert_eq!(band(1997, 2026).0, "20代"); // 29
        assert_eq!(band(1996, 2026).0, "30代"); // 30
        assert_eq!(band(1957, 2026).0, "60代"); // 69
        assert_eq!(band(1956, 2026), ("70代以上".to_owned(), "70 and over".to_owned()));
        assert_eq!(band(i32::MIN, i32::MAX).0, "70代以上");
    }

    #[test]
    fn pseudonym_department_levels() {
        assert_eq!(department_level(1).0, "本部レベル");
        assert_eq!(department_level(2), ("部レベル".to_owned(), "department level".to_owned()));
        assert_eq!(department_level(3).0, "課・グループレベル");
        assert_eq!(department_level(7).1, "section/group level");
        assert_eq!(department_level(0).0, "全社レベル");
    }

    #[test]
    fn pseudonym_coarse_dates_follow_the_fiscal_year() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let both = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(coarse_date(d(2026, 5, 14)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 3, 31)), both("2025年度下期", "FY2025 H2"));
        assert_eq!(coarse_date(d(2026, 4, 1)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 9, 30)), both("2026年度上期", "FY2026 H1"));
        assert_eq!(coarse_date(d(2026, 10, 1)), both("2026年度下期", "FY2026 H2"));
        assert_eq!(coarse_date(d(2027, 1, 15)), both("2026年度下期", "FY2026 H2"));
    }
}
