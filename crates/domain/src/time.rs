//! Japan time: the product shows and reasons about dates as the people using it live them.
//!
//! Rules take the moment as a parameter; the clock is read at the edge (`store::now_ms`,
//! `store::today_jst`), so that every rule can be tested at any date.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Japan's offset from UTC in milliseconds: nine hours (Japan has no daylight saving).
pub const JST_OFFSET_MS: i64 = 9 * 3_600_000;

/// UTC+9 (Japan has no daylight saving).
pub const JST: FixedOffset = match FixedOffset::east_opt((JST_OFFSET_MS / 1000) as i32) {
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

/// The calendar day in Japan at the moment `now`: the "today" of every rule that needs one
/// (fiscal years, ages, default dates of forms).
pub fn today_in_japan(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&JST).date_naive()
}

/// Epoch milliseconds of a wall-clock time in Japan (0 for an hour or minute out of range).
pub fn jst_ms(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    day.and_hms_opt(hour, minute, 0).and_then(|t| t.and_local_timezone(JST).single()).map_or(0, |t| t.timestamp_millis())
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

    #[test]
    fn today_turns_at_midnight_in_japan_not_in_utc() {
        let before = DateTime::from_timestamp_millis(1_774_969_199_000).unwrap_or_default(); // 14:59:59 UTC
        let after = DateTime::from_timestamp_millis(1_774_969_200_000).unwrap_or_default(); // 15:00:00 UTC
        assert_eq!(today_in_japan(before), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default());
        assert_eq!(today_in_japan(after), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default());
        assert_eq!(after.date_naive(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(), "UTC is still on March 31");
    }

    #[test]
    fn japan_wall_clock_times_are_nine_hours_before_utc() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
        assert_eq!(jst_ms(day, 0, 30), 1_774_971_000_000);
        assert_eq!(format_jst(jst_ms(day, 9, 5)), "2026-04-01 09:05");
        assert_eq!(jst_ms(day, 24, 0), 0);
    }

    proptest::proptest! {
        #[test]
        fn wall_clock_times_and_days_agree(days in 0i64..60_000, hour in 0u32..24, minute in 0u32..60) {
            let day = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(days);
            let ms = jst_ms(day, hour, minute);
            proptest::prop_assert_eq!(jst_date(ms), Some(day));
            let now = DateTime::from_timestamp_millis(ms).unwrap_or_default();
            proptest::prop_assert_eq!(today_in_japan(now), day);
        }
    }
}
