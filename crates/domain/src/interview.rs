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

/// How long after an interview's start its consultant may still correct a recorded outcome
/// (held, no-show, cancelled) that was wrong, in days. After that the record is final.
pub const STATUS_CORRECTION_DAYS: i64 = 14;

const DAY_MS: i64 = 86_400_000;

/// The last moment (epoch ms) at which the outcome of an interview starting at `starts_ms` may
/// still be corrected.
pub fn correction_deadline(starts_ms: i64) -> i64 {
    starts_ms.saturating_add(STATUS_CORRECTION_DAYS * DAY_MS)
}

/// What recording `to` on an interview means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// The first outcome of a scheduled interview (or a no-show later recorded as held).
    Record(InterviewStatus),
    /// A recorded outcome set right by the consultant, within [`STATUS_CORRECTION_DAYS`].
    Correct { from: InterviewStatus, to: InterviewStatus },
}

impl StatusChange {
    pub fn to(self) -> InterviewStatus {
        match self {
            StatusChange::Record(to) | StatusChange::Correct { to, .. } => to,
        }
    }
}

/// Whether `to` may be recorded at `now_ms` on an interview that is `from` and starts at
/// `starts_ms`: held and no-show only once the start time has come (the start itself counts);
/// a scheduled interview moves to any outcome ([`change_status`]); an outcome already recorded
/// is corrected (to another outcome, or back to scheduled) only until
/// [`correction_deadline`]. Every refusal names `status`.
pub fn change_status_at(from: InterviewStatus, to: InterviewStatus, starts_ms: i64, now_ms: i64) -> Result<StatusChange, Invalid> {
    use InterviewStatus as S;
    if matches!(to, S::Held | S::NoShow) && now_ms < starts_ms {
        return Err(Invalid::new(
            "status",
            format!("開始時刻より前の面談は「{}」にできません。面談の開始後に記録してください。", to.label_ja()),
            format!("an interview cannot be recorded as {} before it starts", to.label_en().to_lowercase()),
        ));
    }
    if from == to {
        return Err(Invalid::new(
            "status",
            format!("この面談はすでに「{}」です。", from.label_ja()),
            format!("the interview is already {}", from.label_en().to_lowercase()),
        ));
    }
    if let Ok(next) = change_status(from, to) {
        return Ok(StatusChange::Record(next));
    }
    if now_ms > correction_deadline(starts_ms) {
        return Err(Invalid::new(
            "status",
            format!("面談日から{STATUS_CORRECTION_DAYS}日を過ぎたため、「{}」の記録は修正できません。", from.label_ja()),
            format!(
                "more than {STATUS_CORRECTION_DAYS} days have passed since the interview: its record as {} is final",
                from.label_en().to_lowercase()
            ),
        ));
    }
    Ok(StatusChange::Correct { from, to })
}

/// Whether the consultant is asked to confirm `change` before it is recorded: a correction
/// (it rewrites what was recorded), a cancellation (it gives the time away), and any outcome
/// recorded after the correction period, which is final at once and cannot be undone.
pub fn needs_confirmation(change: StatusChange, starts_ms: i64, now_ms: i64) -> bool {
    match change {
        StatusChange::Correct { .. } | StatusChange::Record(InterviewStatus::Cancelled) => true,
        StatusChange::Record(_) => now_ms > correction_deadline(starts_ms),
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

    #[test]
    fn held_only_once_the_start_has_come() {
        use InterviewStatus as S;
        let start = 10 * H;
        assert!(change_status_at(S::Scheduled, S::Held, start, start - 1).is_err(), "a millisecond early");
        assert_eq!(change_status_at(S::Scheduled, S::Held, start, start), Ok(StatusChange::Record(S::Held)), "the start itself");
        assert!(change_status_at(S::Scheduled, S::NoShow, start, start - 60_000).is_err());
        assert_eq!(change_status_at(S::Scheduled, S::Cancelled, start, start - 14 * DAY_MS), Ok(StatusChange::Record(S::Cancelled)));
        let e = change_status_at(S::Scheduled, S::Held, start, 0).err().map(|e| (e.field, e.message.ja));
        assert_eq!(e.as_ref().map(|e| e.0), Some("status"));
        assert!(e.is_some_and(|e| e.1.contains("開始時刻より前")));
    }

    #[test]
    fn recorded_outcomes_are_corrected_within_the_period() {
        use InterviewStatus as S;
        let start = 10 * H;
        let last = correction_deadline(start);
        assert_eq!(last - start, STATUS_CORRECTION_DAYS * 86_400_000);
        assert_eq!(change_status_at(S::Held, S::Cancelled, start, last), Ok(StatusChange::Correct { from: S::Held, to: S::Cancelled }));
        assert_eq!(
            change_status_at(S::Cancelled, S::Scheduled, start, start - H),
            Ok(StatusChange::Correct { from: S::Cancelled, to: S::Scheduled })
        );
        assert_eq!(
            change_status_at(S::NoShow, S::Held, start, last + 1),
            Ok(StatusChange::Record(S::Held)),
            "a late no-show turned held is not a correction"
        );
        assert!(change_status_at(S::Held, S::Cancelled, start, last + 1).is_err());
        assert!(change_status_at(S::Held, S::Held, start, start).is_err());
        assert!(change_status_at(S::Scheduled, S::Scheduled, start, start).is_err());
        assert!(change_status_at(S::Cancelled, S::Held, start, start - 1).is_err(), "held still needs the start");
    }

    #[test]
    fn what_cannot_be_undone_is_confirmed() {
        use InterviewStatus as S;
        let start = 10 * H;
        assert!(!needs_confirmation(StatusChange::Record(S::Held), start, start + H), "held within the period can be corrected");
        assert!(needs_confirmation(StatusChange::Record(S::Held), start, correction_deadline(start) + 1), "final at once");
        assert!(needs_confirmation(StatusChange::Record(S::Cancelled), start, start - H));
        assert!(needs_confirmation(StatusChange::Correct { from: S::Held, to: S::NoShow }, start, start + H));
    }

    proptest! {
        #[test]
        fn nothing_is_held_before_it_starts(start in 0i64..1_000_000_000, early in 1i64..1_000_000_000, from in 0usize..4) {
            let from = InterviewStatus::ALL[from];
            prop_assert!(change_status_at(from, InterviewStatus::Held, start, start - early).is_err());
        }

        #[test]
        fn corrections_end_with_the_period(start in 0i64..1_000_000_000, after in 0i64..(60 * 86_400_000), from in 1usize..4, to in 0usize..4) {
            let (from, to) = (InterviewStatus::ALL[from], InterviewStatus::ALL[to]);
            let now = start + after;
            match change_status_at(from, to, start, now) {
                Ok(StatusChange::Correct { .. }) => prop_assert!(now <= correction_deadline(start)),
                Ok(StatusChange::Record(r)) => prop_assert!(change_status(from, r).is_ok()),
                Err(_) => prop_assert!(from == to || now > correction_deadline(start)),
            }
        }


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
