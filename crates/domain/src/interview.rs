//! Interviews (面談): kinds, modes, states, and the rule that one consultant's interviews
//! never overlap.

use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

macro_rules! code_enum {
    ($name:ident { $($variant:ident = $code:literal / $ja:literal / $en:literal),* $(,)? }) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($code => Some($name::$variant),)* _ => None }
            }

            pub fn label_ja(self) -> &'static str {
                match self { $($name::$variant => $ja),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            pub fn label(self, locale: crate::Locale) -> &'static str {
                match locale { crate::Locale::Ja => self.label_ja(), crate::Locale::En => self.label_en() }
            }
        }
    };
}

code_enum!(InterviewKind {
    Initial = "initial" / "初回面談" / "Initial interview",
    Additional = "additional" / "追加面談" / "Additional interview",
    FollowUp = "follow_up" / "フォローアップ面談" / "Follow-up interview",
});

code_enum!(InterviewMode {
    InPerson = "in_person" / "対面" / "In person",
    Online = "online" / "オンライン" / "Online",
});

code_enum!(InterviewStatus {
    Scheduled = "scheduled" / "予定" / "Scheduled",
    Held = "held" / "実施済み" / "Held",
    NoShow = "no_show" / "欠席" / "No-show",
    Cancelled = "cancelled" / "キャンセル" / "Cancelled",
});

code_enum!(RequestStatus {
    Open = "open" / "受付中" / "Received",
    Scheduled = "scheduled" / "日程確定" / "Scheduled",
    Declined = "declined" / "見送り" / "Declined",
});

impl InterviewStatus {
    /// Whether the interview occupies the consultant's time.
    pub fn occupies_time(self) -> bool {
        matches!(self, InterviewStatus::Scheduled | InterviewStatus::Held)
    }
}

/// Which state changes are allowed: only a scheduled interview moves, and it moves once.
pub fn change_status(from: InterviewStatus, to: InterviewStatus) -> Result<InterviewStatus, Invalid> {
    use InterviewStatus as S;
    match (from, to) {
        (S::Scheduled, S::Held | S::NoShow | S::Cancelled) => Ok(to),
        (S::NoShow, S::Held) => Ok(to),
        _ => Err(Invalid::new(
            "status",
            format!("「{}」の面談を「{}」にはできません。", from.label_ja(), to.label_ja()),
            format!("an interview that is {} cannot become {}", from.label_en(), to.label_en()),
        )),
    }
}

/// A span of time in epoch milliseconds, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Slot {
    pub const MIN_MS: i64 = 15 * 60_000;
    pub const MAX_MS: i64 = 4 * 3_600_000;

    pub fn new(start_ms: i64, end_ms: i64) -> Result<Slot, Invalid> {
        let len = end_ms - start_ms;
        if !(Self::MIN_MS..=Self::MAX_MS).contains(&len) {
            return Err(Invalid::new(
                "ends_at",
                "面談時間は15分以上4時間以内で設定してください（終了は開始より後にしてください）。",
                "an interview lasts between 15 minutes and 4 hours (and ends after it starts)",
            ));
        }
        Ok(Slot { start_ms, end_ms })
    }

    /// A slot that may be booked, from the form or the API alike: each end on a day
    /// [`bookable_day`] accepts (Japan time), and a length [`Slot::new`] accepts. A day out of
    /// range names `starts_at` or `ends_at`.
    pub fn bookable(start_ms: i64, end_ms: i64) -> Result<Slot, Invalid> {
        for (field, ms) in [("starts_at", start_ms), ("ends_at", end_ms)] {
            let day = crate::time::jst_date(ms).unwrap_or(NaiveDate::MIN);
            bookable_day(day).map_err(|e| Invalid { field, ..e })?;
        }
        Slot::new(start_ms, end_ms)
    }

    pub fn overlaps(self, other: Slot) -> bool {
        self.start_ms < other.end_ms && other.start_ms < self.end_ms
    }
}

/// The years in which interviews are booked (Japan time): enough for any real plan, and
/// nothing a typing slip (1970, 9999) turns into a record that sorts and counts wrongly.
pub const BOOKABLE_YEARS: RangeInclusive<i32> = 2000..=2100;

/// A day an interview may be held on: in [`BOOKABLE_YEARS`]. The error names `date`.
pub fn bookable_day(day: NaiveDate) -> Result<NaiveDate, Invalid> {
    if BOOKABLE_YEARS.contains(&day.year()) {
        return Ok(day);
    }
    Err(Invalid::new(
        "date",
        format!(
            "面談の日付は{}年1月1日から{}年12月31日までの範囲で指定してください（指定値：{}）。",
            BOOKABLE_YEARS.start(),
            BOOKABLE_YEARS.end(),
            day.format("%Y-%m-%d")
        ),
        format!(
            "the interview date must be between {}-01-01 and {}-12-31 (got {})",
            BOOKABLE_YEARS.start(),
            BOOKABLE_YEARS.end(),
            day.format("%Y-%m-%d")
        ),
    ))
}

/// The first interview (by start) among `existing` that overlaps `slot`, ignoring `except`
/// (the interview being rescheduled).
pub fn find_clash<T: Copy + PartialEq>(slot: Slot, existing: &[(T, Slot)], except: Option<T>) -> Option<(T, Slot)> {
    existing.iter().filter(|(id, _)| Some(*id) != except).filter(|(_, s)| s.overlaps(slot)).min_by_key(|(_, s)| s.start_ms).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;
    use proptest::prelude::*;

    const H: i64 = 3_600_000;

    #[test]
    fn codes_round_trip() {
        for k in InterviewKind::ALL {
            assert_eq!(InterviewKind::parse(k.as_str()), Some(*k));
        }
        for s in InterviewStatus::ALL {
            assert_eq!(InterviewStatus::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn slots_and_clashes() {
        assert!(Slot::new(0, 10 * 60_000).is_err());
        assert!(Slot::new(0, 5 * H).is_err());
        let a = Slot::new(10 * H, 11 * H).unwrap();
        let existing = [(1, a), (2, Slot::new(12 * H, 13 * H).unwrap())];
        assert_eq!(find_clash(Slot::new(11 * H, 12 * H).unwrap(), &existing, None), None);
        assert_eq!(find_clash(Slot::new(10 * H + 1, 11 * H + 1).unwrap(), &existing, None).map(|c| c.0), Some(1));
        assert_eq!(find_clash(Slot::new(10 * H, 11 * H).unwrap(), &existing, Some(1)), None);
    }

    fn jst_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .map(|t| t.and_utc().timestamp_millis() - 9 * H)
            .unwrap_or(i64::MIN)
    }

    #[test]
    fn interviews_are_booked_between_2000_and_2100_in_japan_time() {
        assert!(Slot::bookable(jst_ms(2026, 5, 12, 10, 0), jst_ms(2026, 5, 12, 11, 0)).is_ok());
        assert!(Slot::bookable(jst_ms(2000, 1, 1, 0, 0), jst_ms(2000, 1, 1, 1, 0)).is_ok());
        assert!(Slot::bookable(jst_ms(2100, 12, 31, 22, 0), jst_ms(2100, 12, 31, 23, 59)).is_ok());
        let field = |a: i64, b: i64| Slot::bookable(a, b).err().map(|e| e.field);
        assert_eq!(field(jst_ms(1970, 1, 1, 9, 0), jst_ms(1970, 1, 1, 10, 0)), Some("starts_at"));
        assert_eq!(field(jst_ms(9999, 1, 1, 9, 0), jst_ms(9999, 1, 1, 10, 0)), Some("starts_at"));
        // The years are Japan's: a start at 1999-12-31 23:30 JST is refused, though it ends in 2000.
        assert_eq!(field(jst_ms(1999, 12, 31, 23, 30), jst_ms(2000, 1, 1, 0, 30)), Some("starts_at"));
        assert_eq!(field(jst_ms(2100, 12, 31, 23, 30), jst_ms(2101, 1, 1, 0, 30)), Some("ends_at"));
        assert_eq!(field(i64::MIN, 0), Some("starts_at"));
        assert_eq!(field(jst_ms(2026, 5, 12, 10, 0), jst_ms(2026, 5, 12, 10, 5)), Some("ends_at"), "and the length rule still applies");
        let e = Slot::bookable(0, H).err().map(|e| e.message).unwrap_or_else(|| Message::new("", ""));
        assert!(e.ja.contains("2000年1月1日から2100年12月31日") && e.ja.contains("1970-01-01"), "{}", e.ja);
        assert!(e.en.contains("between 2000-01-01 and 2100-12-31") && e.en.contains("1970-01-01"), "{}", e.en);
        assert_eq!(bookable_day(NaiveDate::from_ymd_opt(1800, 1, 8).unwrap_or_default()).err().map(|e| e.field), Some("date"));
    }

    #[test]
    fn status_changes() {
        assert!(change_status(InterviewStatus::Scheduled, InterviewStatus::Held).is_ok());
        assert!(change_status(InterviewStatus::Cancelled, InterviewStatus::Held).is_err());
        assert!(change_status(InterviewStatus::Held, InterviewStatus::Cancelled).is_err());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in 0i64..1000, al in 1i64..100, b in 0i64..1000, bl in 1i64..100) {
            let x = Slot { start_ms: a, end_ms: a + al };
            let y = Slot { start_ms: b, end_ms: b + bl };
            prop_assert_eq!(x.overlaps(y), y.overlaps(x));
            prop_assert_eq!(x.overlaps(y), a < b + bl && b < a + al);
        }

        #[test]
        fn bookable_slots_lie_in_the_bookable_years(start in 631_152_000_000i64..4_133_980_800_000, len in 0i64..5 * H) {
            if let Ok(slot) = Slot::bookable(start, start + len) {
                prop_assert!(Slot::new(slot.start_ms, slot.end_ms).is_ok());
                for ms in [slot.start_ms, slot.end_ms] {
                    let year = crate::time::jst_date(ms).map(|d| d.year());
                    prop_assert!(year.is_some_and(|y| BOOKABLE_YEARS.contains(&y)), "{:?}", year);
                }
            }
        }

        #[test]
        fn every_day_of_the_bookable_years_is_bookable(days in 0i64..(101 * 366)) {
            let day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() + chrono::Duration::days(days);
            prop_assert_eq!(bookable_day(day).is_ok(), day.year() <= 2100);
        }
    }
}
