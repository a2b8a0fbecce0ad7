//! The arithmetic of the home dashboards: which days are "today" and "this week" in Japan,
//! and progress as a share of the targets.

use crate::time::jst_ms;
use chrono::{Datelike, Duration, NaiveDate};

/// The windows of a consultant's agenda, in epoch milliseconds: today (Japan time) and the rest
/// of this week after today. Weeks run Monday to Sunday, as Japanese business calendars do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Agenda {
    pub today_from: i64,
    pub today_to: i64,
    /// The start of tomorrow; equals `week_to` on a Sunday (nothing is left of the week).
    pub week_from: i64,
    pub week_to: i64,
}

/// The Monday that starts the week of `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Today and the rest of this week for `today` (a calendar day in Japan).
pub fn agenda(today: NaiveDate) -> Agenda {
    let tomorrow = today + Duration::days(1);
    let next_monday = week_start(today) + Duration::days(7);
    Agenda {
        today_from: jst_ms(today, 0, 0),
        today_to: jst_ms(tomorrow, 0, 0),
        week_from: jst_ms(tomorrow, 0, 0),
        week_to: jst_ms(next_monday, 0, 0),
    }
}

/// `part` as a whole percentage of `whole`, rounded half up; `None` when there is no whole.
/// Never above 100 even if `part` exceeds `whole` (it cannot for distinct targets).
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    if whole <= 0 {
        return None;
    }
    let part = part.clamp(0, whole);
    Some((part * 200 + whole) / (whole * 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::format_jst;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn the_week_runs_monday_to_sunday() {
        // 2026-12-03 is a Thursday.
        assert_eq!(week_start(day(2026, 12, 3)), day(2026, 11, 30));
        assert_eq!(week_start(day(2026, 11, 30)), day(2026, 11, 30));
        assert_eq!(week_start(day(2026, 12, 6)), day(2026, 11, 30), "Sunday closes the week");
    }

    #[test]
    fn the_agenda_is_in_japan_time() {
        let a = agenda(day(2026, 12, 3));
        assert_eq!(format_jst(a.today_from), "2026-12-03 00:00");
        assert_eq!(format_jst(a.today_to), "2026-12-04 00:00");
        assert_eq!(a.week_from, a.today_to);
        assert_eq!(format_jst(a.week_to), "2026-12-07 00:00");
        // On a Sunday nothing of the week is left after today.
        let s = agenda(day(2026, 12, 6));
        assert_eq!(s.week_from, s.week_to);
    }

    #[test]
    fn percentages_round_half_up_and_need_a_whole() {
        assert_eq!(percent(127, 174), Some(73));
        assert_eq!(percent(1, 8), Some(13), "12.5 rounds up");
        assert_eq!(percent(0, 10), Some(0));
        assert_eq!(percent(10, 10), Some(100));
        assert_eq!(percent(11, 10), Some(100));
        assert_eq!(percent(3, 0), None);
    }

    proptest::proptest! {
        #[test]
        fn percent_stays_within_bounds(part in 0i64..1_000_000, whole in 1i64..1_000_000) {
            let p = percent(part, whole).unwrap_or(-1);
            proptest::prop_assert!((0..=100).contains(&p));
        }

        #[test]
        fn today_lies_in_its_week(days in 0i64..40_000) {
            let d = day(1970, 1, 5) + Duration::days(days);
            let a = agenda(d);
            proptest::prop_assert!(a.today_from < a.today_to && a.today_to <= a.week_to);
            proptest::prop_assert!(a.week_to - a.today_from <= 7 * 86_400_000);
        }
    }
}
