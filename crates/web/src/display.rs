//! Dates, times, durations and lists for templates and pages, in the reader's language:
//! `{{ t.date_time(row.at) }}`, `{{ t.date(cycle.starts_on) }}`, `{{ t.join(tags) }}`.
//! The wording itself lives in `domain::display`; this is the askama-friendly face of it.

use crate::i18n::Tr;
use chrono::NaiveDate;
use domain::display;

impl Tr {
    /// `2026/12/03（木）` / `Thu 3 Dec 2026`.
    pub fn date(&self, day: impl std::borrow::Borrow<NaiveDate>) -> String {
        display::date(*day.borrow(), self.locale)
    }

    /// The day in Japan of epoch milliseconds, as [`Tr::date`].
    pub fn date_ms(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        display::date_ms(*ms.borrow(), self.locale)
    }

    /// `2026/12/03（木） 10:00` / `Thu 3 Dec 2026 10:00`, in Japan time.
    pub fn date_time(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        display::date_time(*ms.borrow(), self.locale)
    }

    /// [`Tr::date_time`] of a moment that may be absent (empty then).
    pub fn date_time_opt(&self, ms: impl std::borrow::Borrow<Option<i64>>) -> String {
        ms.borrow().map(|ms| display::date_time(ms, self.locale)).unwrap_or_default()
    }

    /// `10:00`, in Japan time.
    pub fn time_of_day(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        display::time_of_day(*ms.borrow())
    }

    /// `2026/12/03（木） 10:00–11:00`, both ends in full when they fall on different days.
    pub fn time_range(&self, start: impl std::borrow::Borrow<i64>, end: impl std::borrow::Borrow<i64>) -> String {
        display::time_range(*start.borrow(), *end.borrow(), self.locale)
    }

    /// `2026/10/01（木）〜2027/03/31（水）` / `Thu 1 Oct 2026 – Wed 31 Mar 2027`.
    pub fn date_range(&self, from: impl std::borrow::Borrow<NaiveDate>, to: impl std::borrow::Borrow<NaiveDate>) -> String {
        display::date_range(*from.borrow(), *to.borrow(), self.locale)
    }

    /// `2026年12月` / `December 2026`.
    pub fn month(&self, year: i32, month: u32) -> String {
        display::month(year, month, self.locale)
    }

    /// `3日と4時間` / `3 days 4 hours`.
    pub fn duration(&self, ms: impl std::borrow::Borrow<i64>) -> String {
        display::duration(*ms.borrow(), self.locale)
    }

    /// Items joined with `、` / `, `.
    pub fn join<S: AsRef<str>>(&self, items: &[S]) -> String {
        display::join(items, self.locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Locale;

    #[test]
    fn templates_get_the_readers_format() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let ms = domain::time::jst_ms(day, 10, 0);
        let (ja, en) = (Tr::new(Locale::Ja), Tr::new(Locale::En));
        assert_eq!(ja.date(day), "2026/12/03（木）");
        assert_eq!(en.date(day), "Thu 3 Dec 2026");
        assert_eq!(ja.date_time(ms), "2026/12/03（木） 10:00");
        assert_eq!(en.date_time(ms), "Thu 3 Dec 2026 10:00");
        assert_eq!(ja.date_time_opt(None), "");
        assert_eq!(ja.time_range(ms, ms + 3_600_000), "2026/12/03（木） 10:00–11:00");
        assert_eq!(en.duration(6 * 24 * 3_600_000), "6 days");
        assert_eq!(ja.join(&["a".to_string(), "b".to_string()]), "a、b");
        assert_eq!(en.join(&["a", "b"]), "a, b");
    }
}
