//! Japan time: the product shows and reasons about dates as the people using it live them.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// UTC+9 (Japan has no daylight saving).
pub const JST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(tz) => tz,
    None => panic!("UTC+9 is a valid offset"),
};

/// Epoch milliseconds as a moment in Japan time.
pub fn to_jst(ms: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&JST))
}

/// Epoch milliseconds as `YYYY-MM-DD HH:MM` in Japan time (empty when out of range).
pub fn format_jst(ms: i64) -> String {
    to_jst(ms).map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// The calendar day in Japan of an epoch-milliseconds moment.
pub fn jst_date(ms: i64) -> Option<NaiveDate> {
    to_jst(ms).map(|t| t.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japan_time_is_nine_hours_ahead() {
        // 2026-03-31 15:30 UTC is already April 1st in Japan: a new fiscal year.
        let ms = 1_774_971_000_000;
        assert_eq!(format_jst(ms), "2026-04-01 00:30");
        assert_eq!(jst_date(ms), NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(format_jst(i64::MAX), "");
    }
}
