//! How dates, times, durations and lists read to people: the one place that words them.
//!
//! Japanese pages use the business format with the weekday (`2026/12/03（木）`,
//! `2026/12/03（木） 10:00`, `10:00–11:00` for a range within one day); English pages use
//! `Thu 3 Dec 2026` and `Thu 3 Dec 2026 10:00`. Every moment is shown in Japan time, whatever
//! the server's or the reader's clock says. Machines (the API, CSV exports, calendar feeds) keep
//! ISO 8601; these functions are for people only.

use crate::time::to_jst;
use crate::Locale;
use chrono::{Datelike, NaiveDate, Timelike, Weekday};

const JA_WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const EN_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const EN_MONTHS_LONG: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// The dash between the two ends of a time range within one day (an en dash).
pub const RANGE_DASH: &str = "–";

/// The short name of a weekday: 「木」 / "Thu".
pub fn weekday(day: Weekday, locale: Locale) -> &'static str {
    let i = day.num_days_from_monday() as usize;
    match locale {
        Locale::Ja => JA_WEEKDAYS[i],
        Locale::En => EN_WEEKDAYS[i],
    }
}

/// A calendar day: `2026/12/03（木）` / `Thu 3 Dec 2026`.
pub fn date(day: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{:04}/{:02}/{:02}（{}）", day.year(), day.month(), day.day(), weekday(day.weekday(), locale)),
        Locale::En => format!("{} {} {} {}", weekday(day.weekday(), locale), day.day(), EN_MONTHS[day.month0() as usize], day.year()),
    }
}

/// A month of a year: `2026年12月` / `December 2026`.
pub fn month(year: i32, month: u32, locale: Locale) -> String {
    let m = month.clamp(1, 12);
    match locale {
        Locale::Ja => format!("{year}年{m}月"),
        Locale::En => format!("{} {year}", EN_MONTHS_LONG[(m - 1) as usize]),
    }
}

/// The wall-clock time in Japan of an epoch-milliseconds moment: `10:00` (empty when out of range).
pub fn time_of_day(ms: i64) -> String {
    to_jst(ms).map(|t| format!("{:02}:{:02}", t.hour(), t.minute())).unwrap_or_default()
}

/// The day in Japan of an epoch-milliseconds moment, as [`date`] (empty when out of range).
pub fn date_ms(ms: i64, locale: Locale) -> String {
    to_jst(ms).map(|t| date(t.date_naive(), locale)).unwrap_or_default()
}

/// A moment in Japan time: `2026/12/03（木） 10:00` / `Thu 3 Dec 2026 10:00` (empty when out of range).
pub fn date_time(ms: i64, locale: Locale) -> String {
    match to_jst(ms) {
        Some(t) => format!("{} {:02}:{:02}", date(t.date_naive(), locale), t.hour(), t.minute()),
        None => String::new(),
    }
}

/// A span of time: `2026/12/03（木） 10:00–11:00` within one day in Japan, else both ends in full
/// (`2026/12/03（木） 23:00 – 2026/12/04（金） 01:00`).
pub fn time_range(start_ms: i64, end_ms: i64, locale: Locale) -> String {
    match (to_jst(start_ms), to_jst(end_ms)) {
        (Some(s), Some(e)) if s.date_naive() == e.date_naive() => {
            format!("{} {}{RANGE_DASH}{}", date(s.date_naive(), locale), time_of_day(start_ms), time_of_day(end_ms))
        }
        (Some(_), Some(_)) => format!("{} {RANGE_DASH} {}", date_time(start_ms, locale), date_time(end_ms, locale)),
        _ => String::new(),
    }
}

/// The times of day of a span within one day: `10:00–11:00`.
pub fn hours_range(start_ms: i64, end_ms: i64) -> String {
    format!("{}{RANGE_DASH}{}", time_of_day(start_ms), time_of_day(end_ms))
}

/// A span of days: `2026/10/01（木）〜2027/03/31（水）` / `Thu 1 Oct 2026 – Wed 31 Mar 2027`.
pub fn date_range(from: NaiveDate, to: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{}〜{}", date(from, locale), date(to, locale)),
        Locale::En => format!("{} {RANGE_DASH} {}", date(from, locale), date(to, locale)),
    }
}

/// How long something took or has waited, in words, to the hour: `3日と4時間`, `6日`, `5時間`,
/// `1時間未満` / `3 days 4 hours`, `6 days`, `1 hour`, `less than an hour`. Negative spans read as zero.
pub fn duration(ms: i64, locale: Locale) -> String {
    let hours = ms.max(0) / 3_600_000;
    let (d, h) = (hours / 24, hours % 24);
    match locale {
        Locale::Ja => match (d, h) {
            (0, 0) => "1時間未満".to_string(),
            (0, h) => format!("{h}時間"),
            (d, 0) => format!("{d}日"),
            (d, h) => format!("{d}日と{h}時間"),
        },
        Locale::En => {
            let unit = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            match (d, h) {
                (0, 0) => "less than an hour".to_string(),
                (0, h) => unit(h, "hour", "hours"),
                (d, 0) => unit(d, "day", "days"),
                (d, h) => format!("{} {}", unit(d, "day", "days"), unit(h, "hour", "hours")),
            }
        }
    }
}

/// A number of hours with one decimal, in words: `2.5時間` / `2.5 hours`.
pub fn hours(h: f64, locale: Locale) -> String {
    let h = if h.is_finite() { h.max(0.0) } else { 0.0 };
    match locale {
        Locale::Ja => format!("{h:.1}時間"),
        Locale::En => format!("{h:.1} hours"),
    }
}

/// The separator between items of an inline list: `、` / `, `.
pub fn list_separator(locale: Locale) -> &'static str {
    match locale {
        Locale::Ja => "、",
        Locale::En => ", ",
    }
}

/// Items of an inline list joined as the language does: `面談、報告` / `interview, report`.
pub fn join<I, S>(items: I, locale: Locale) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let sep = list_separator(locale);
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::jst_ms;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn dates_carry_the_weekday() {
        assert_eq!(date(day(2026, 12, 3), Locale::Ja), "2026/12/03（木）");
        assert_eq!(date(day(2026, 12, 3), Locale::En), "Thu 3 Dec 2026");
        assert_eq!(date(day(2027, 1, 10), Locale::Ja), "2027/01/10（日）");
        assert_eq!(date(day(2027, 1, 10), Locale::En), "Sun 10 Jan 2027");
    }

    #[test]
    fn moments_are_shown_in_japan_time() {
        let ms = jst_ms(day(2026, 12, 3), 10, 0);
        assert_eq!(date_time(ms, Locale::Ja), "2026/12/03（木） 10:00");
        assert_eq!(date_time(ms, Locale::En), "Thu 3 Dec 2026 10:00");
        // 2026-03-31 15:30 UTC is already Wednesday April 1st in Japan.
        assert_eq!(date_time(1_774_971_000_000, Locale::Ja), "2026/04/01（水） 00:30");
        assert_eq!(date_ms(1_774_971_000_000, Locale::En), "Wed 1 Apr 2026");
        assert_eq!(date_time(i64::MAX, Locale::Ja), "");
        assert_eq!(time_of_day(jst_ms(day(2026, 12, 3), 9, 5)), "09:05");
    }

    #[test]
    fn ranges_within_a_day_name_the_day_once() {
        let d = day(2026, 12, 3);
        assert_eq!(time_range(jst_ms(d, 10, 0), jst_ms(d, 11, 0), Locale::Ja), "2026/12/03（木） 10:00–11:00");
        assert_eq!(time_range(jst_ms(d, 10, 0), jst_ms(d, 11, 0), Locale::En), "Thu 3 Dec 2026 10:00–11:00");
        assert_eq!(
            time_range(jst_ms(d, 23, 0), jst_ms(day(2026, 12, 4), 1, 0), Locale::Ja),
            "2026/12/03（木） 23:00 – 2026/12/04（金） 01:00"
        );
        assert_eq!(hours_range(jst_ms(d, 10, 0), jst_ms(d, 11, 30)), "10:00–11:30");
        assert_eq!(date_range(day(2026, 10, 1), day(2027, 3, 31), Locale::Ja), "2026/10/01（木）〜2027/03/31（水）");
        assert_eq!(date_range(day(2026, 10, 1), day(2027, 3, 31), Locale::En), "Thu 1 Oct 2026 – Wed 31 Mar 2027");
    }

    #[test]
    fn months_read_as_words() {
        assert_eq!(month(2026, 12, Locale::Ja), "2026年12月");
        assert_eq!(month(2026, 12, Locale::En), "December 2026");
    }

    #[test]
    fn durations_read_as_words() {
        let h = 3_600_000;
        assert_eq!(duration(76 * h, Locale::Ja), "3日と4時間");
        assert_eq!(duration(144 * h, Locale::Ja), "6日");
        assert_eq!(duration(3 * h, Locale::Ja), "3時間");
        assert_eq!(duration(-5, Locale::Ja), "1時間未満");
        assert_eq!(duration(144 * h, Locale::En), "6 days");
        assert_eq!(duration(25 * h, Locale::En), "1 day 1 hour");
        assert_eq!(duration(26 * h, Locale::En), "1 day 2 hours");
        assert_eq!(duration(h, Locale::En), "1 hour");
        assert_eq!(duration(0, Locale::En), "less than an hour");
        assert_eq!(hours(2.5, Locale::Ja), "2.5時間");
        assert_eq!(hours(f64::NAN, Locale::En), "0.0 hours");
    }

    #[test]
    fn lists_join_as_the_language_does() {
        assert_eq!(join(["面談", "報告"], Locale::Ja), "面談、報告");
        assert_eq!(join(["interview", "report"], Locale::En), "interview, report");
        assert_eq!(join(Vec::<String>::new(), Locale::En), "");
    }

    proptest::proptest! {
        #[test]
        fn every_day_reads_with_its_own_weekday(days in 0i64..60_000, hour in 0u32..24, minute in 0u32..60) {
            let d = day(1970, 1, 1) + chrono::Duration::days(days);
            let ja = date(d, Locale::Ja);
            proptest::prop_assert_eq!(ja.chars().count(), 13);
            let suffix = format!("（{}）", weekday(d.weekday(), Locale::Ja));
            proptest::prop_assert!(ja.ends_with(&suffix));
            proptest::prop_assert_eq!(NaiveDate::parse_from_str(&ja[..10], "%Y/%m/%d").ok(), Some(d));
            let en = date(d, Locale::En);
            proptest::prop_assert_eq!(NaiveDate::parse_from_str(&en, "%a %d %b %Y").ok(), Some(d));
            let ms = jst_ms(d, hour, minute);
            let full = date_time(ms, Locale::Ja);
            proptest::prop_assert!(full.starts_with(&ja));
            let clock = format!(" {:02}:{:02}", hour, minute);
            proptest::prop_assert!(full.ends_with(&clock));
            proptest::prop_assert!(!full.contains('-'), "no ISO dates for people: {}", full);
        }

        #[test]
        fn durations_never_mix_languages(ms in -1_000_000i64..10_000_000_000) {
            let ja = duration(ms, Locale::Ja);
            let en = duration(ms, Locale::En);
            proptest::prop_assert!(!ja.is_empty() && !en.is_empty());
            proptest::prop_assert!(en.is_ascii(), "English duration {} has no Japanese", en);
            proptest::prop_assert!(!ja.chars().any(|c| c.is_ascii_alphabetic()));
        }
    }
}
