//! Additional and follow-up interviews (追加的キャリアコンサルティング面談, R7): items a report's
//! author plans from its support plan (支援方針), each with a due date and what to follow up.
//! An item is planned until an interview is scheduled for it, done when that interview is held,
//! or closed with a reason. This module holds the rules: the state an item is in, when it is
//! due soon or overdue, which reminder is owed, and when HR's counts may be shown.

use crate::interview::{InterviewKind, InterviewStatus};
use crate::limits::TextLimit;
use crate::Invalid;
use chrono::{Duration, NaiveDate};

/// What to follow up (sealed: it may describe the person).
pub const WHAT: TextLimit =
    TextLimit { field: "what", max: 2000, label_ja: "フォローする内容", label_en: "what to follow up", one_line: false };
/// Why an item was closed without an interview (sealed).
pub const CLOSE_REASON: TextLimit =
    TextLimit { field: "reason", max: 500, label_ja: "終了の理由", label_en: "the reason for closing", one_line: false };

/// How many days before its due date the consultant is reminded of an open item.
pub const REMIND_DAYS_BEFORE: i64 = 7;

/// How far ahead an item may be planned.
pub const MAX_DAYS_AHEAD: i64 = 2 * 366;

/// The two kinds of interview an item plans (R7: 追加面談, フォローアップ面談).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FollowUpKind {
    Additional,
    FollowUp,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 2] = [FollowUpKind::Additional, FollowUpKind::FollowUp];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Additional => "additional",
            FollowUpKind::FollowUp => "follow_up",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpKind> {
        FollowUpKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The kind of the interview scheduled for it.
    pub fn interview_kind(self) -> InterviewKind {
        match self {
            FollowUpKind::Additional => InterviewKind::Additional,
            FollowUpKind::FollowUp => InterviewKind::FollowUp,
        }
    }

    pub fn label(self, locale: crate::Locale) -> &'static str {
        self.interview_kind().label(locale)
    }
}

/// Where an item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FollowUpState {
    /// Planned, no interview scheduled (or the one scheduled was cancelled or missed).
    Planned,
    /// An interview is scheduled for it.
    Scheduled,
    /// Its interview was held.
    Done,
    /// Closed with a reason, without an interview.
    Closed,
}

impl FollowUpState {
    pub const ALL: [FollowUpState; 4] = [FollowUpState::Planned, FollowUpState::Scheduled, FollowUpState::Done, FollowUpState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpState::Planned => "planned",
            FollowUpState::Scheduled => "scheduled",
            FollowUpState::Done => "done",
            FollowUpState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpState> {
        FollowUpState::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Still waiting for its interview.
    pub fn is_open(self) -> bool {
        matches!(self, FollowUpState::Planned | FollowUpState::Scheduled)
    }
}

/// The state of an item from its facts: closed wins; then the linked interview's status.
pub fn state(closed: bool, interview: Option<InterviewStatus>) -> FollowUpState {
    match (closed, interview) {
        (true, _) => FollowUpState::Closed,
        (false, Some(InterviewStatus::Held)) => FollowUpState::Done,
        (false, Some(InterviewStatus::Scheduled)) => FollowUpState::Scheduled,
        // Cancelled or missed: the item waits for another interview.
        (false, _) => FollowUpState::Planned,
    }
}

/// Open and past its due date (the due day itself is not overdue).
pub fn is_overdue(state: FollowUpState, due: NaiveDate, today: NaiveDate) -> bool {
    state.is_open() && today > due
}

/// Open, not overdue, and due within [`REMIND_DAYS_BEFORE`] days.
pub fn is_due_soon(state: FollowUpState, due: NaiveDate, today: NaiveDate) -> bool {
    state.is_open() && today <= due && due - today <= Duration::days(REMIND_DAYS_BEFORE)
}

/// A reminder owed to the consultant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// The due date is near and no interview is scheduled yet.
    DueSoon,
    /// The due date passed and the item is still open.
    Overdue,
}

/// Which reminder is owed today, given the ones already sent (each is sent once). A scheduled
/// item needs no "due soon" (its interview is on the calendar) but is still told when overdue.
/// An item that went overdue before its "due soon" was sent gets only the overdue one.
pub fn reminder_due(state: FollowUpState, due: NaiveDate, today: NaiveDate, sent_soon: bool, sent_overdue: bool) -> Option<Reminder> {
    if is_overdue(state, due, today) {
        return (!sent_overdue).then_some(Reminder::Overdue);
    }
    (state == FollowUpState::Planned && is_due_soon(state, due, today) && !sent_soon).then_some(Reminder::DueSoon)
}

/// Checks a new item: a due date from today up to [`MAX_DAYS_AHEAD`], what to follow up
/// within its limit. Returns the trimmed text, or every problem.
pub fn check_new(due: Option<NaiveDate>, what: &str, today: NaiveDate) -> Result<(NaiveDate, String), Vec<Invalid>> {
    let mut problems = Vec::new();
    let due = match due {
        None => {
            problems.push(Invalid::new("due_on", "期限を入力してください（例: 2027-01-15）。", "enter the due date (e.g. 2027-01-15)"));
            None
        }
        Some(d) if d < today => {
            problems.push(Invalid::new("due_on", "期限に過去の日付は指定できません。", "the due date cannot be in the past"));
            None
        }
        Some(d) if d - today > Duration::days(MAX_DAYS_AHEAD) => {
            problems.push(Invalid::new("due_on", "期限は2年以内の日付にしてください。", "the due date must be within two years"));
            None
        }
        Some(d) => Some(d),
    };
    let what = match WHAT.check(what) {
        Ok(w) if w.is_empty() => {
            problems.push(Invalid::new("what", "フォローする内容を入力してください。", "say what to follow up"));
            None
        }
        Ok(w) => Some(w),
        Err(e) => {
            problems.push(e);
            None
        }
    };
    match (due, what) {
        (Some(d), Some(w)) if problems.is_empty() => Ok((d, w)),
        _ => Err(problems),
    }
}

/// HR's figures for one group (a cycle): items planned and still open, held, overdue, each
/// with the number of distinct employees behind it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupCounts {
    pub planned: (i64, i64),
    pub held: (i64, i64),
    pub overdue: (i64, i64),
    /// Distinct employees with any item in the group.
    pub people: i64,
}

/// A group's figures as HR may see them: `None` for a figure that is withheld.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShownCounts {
    pub planned: Option<i64>,
    pub held: Option<i64>,
    pub overdue: Option<i64>,
    /// Distinct employees; withheld below k too.
    pub people: Option<i64>,
}

/// The small-group rule for HR's counts: a group with fewer than `k` people shows nothing; a
/// figure resting on 1..k-1 people is withheld, and then every figure of the group is (one
/// withheld figure could be worked out from the others).
pub fn protect(c: GroupCounts, k: u32) -> ShownCounts {
    let k = i64::from(k.max(1));
    if c.people < k {
        return ShownCounts::default();
    }
    let small = |(_, people): (i64, i64)| people > 0 && people < k;
    if small(c.planned) || small(c.held) || small(c.overdue) {
        return ShownCounts { people: Some(c.people), ..ShownCounts::default() };
    }
    ShownCounts { planned: Some(c.planned.0), held: Some(c.held.0), overdue: Some(c.overdue.0), people: Some(c.people) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn state_follows_the_interview_and_closing_wins() {
        assert_eq!(state(false, None), FollowUpState::Planned);
        assert_eq!(state(false, Some(InterviewStatus::Scheduled)), FollowUpState::Scheduled);
        assert_eq!(state(false, Some(InterviewStatus::Held)), FollowUpState::Done);
        assert_eq!(state(false, Some(InterviewStatus::Cancelled)), FollowUpState::Planned);
        assert_eq!(state(false, Some(InterviewStatus::NoShow)), FollowUpState::Planned);
        assert_eq!(state(true, Some(InterviewStatus::Held)), FollowUpState::Closed);
        for s in FollowUpState::ALL {
            assert_eq!(FollowUpState::parse(s.as_str()), Some(s));
        }
        for k in FollowUpKind::ALL {
            assert_eq!(FollowUpKind::parse(k.as_str()), Some(k));
            assert_eq!(k.interview_kind().as_str(), k.as_str());
        }
    }

    #[test]
    fn due_and_overdue() {
        let due = d(2027, 1, 15);
        assert!(!is_overdue(FollowUpState::Planned, due, due), "the due day itself is not overdue");
        assert!(is_overdue(FollowUpState::Planned, due, d(2027, 1, 16)));
        assert!(is_overdue(FollowUpState::Scheduled, due, d(2027, 1, 16)));
        assert!(!is_overdue(FollowUpState::Done, due, d(2027, 2, 1)));
        assert!(!is_overdue(FollowUpState::Closed, due, d(2027, 2, 1)));
        assert!(is_due_soon(FollowUpState::Planned, due, d(2027, 1, 8)));
        assert!(!is_due_soon(FollowUpState::Planned, due, d(2027, 1, 7)));
        assert!(is_due_soon(FollowUpState::Planned, due, due));
        assert!(!is_due_soon(FollowUpState::Planned, due, d(2027, 1, 16)));
    }

    #[test]
    fn reminders_once_each_at_their_time() {
        let due = d(2027, 1, 15);
        let p = FollowUpState::Planned;
        assert_eq!(reminder_due(p, due, d(2027, 1, 1), false, false), None, "too early");
        assert_eq!(reminder_due(p, due, d(2027, 1, 8), false, false), Some(Reminder::DueSoon));
        assert_eq!(reminder_due(p, due, d(2027, 1, 8), true, false), None, "sent once");
        assert_eq!(reminder_due(p, due, d(2027, 1, 16), true, false), Some(Reminder::Overdue));
        assert_eq!(reminder_due(p, due, d(2027, 1, 16), false, false), Some(Reminder::Overdue), "late start: overdue only");
        assert_eq!(reminder_due(p, due, d(2027, 2, 16), true, true), None, "overdue sent once");
        assert_eq!(reminder_due(FollowUpState::Scheduled, due, d(2027, 1, 10), false, false), None, "on the calendar");
        assert_eq!(reminder_due(FollowUpState::Scheduled, due, d(2027, 1, 16), false, false), Some(Reminder::Overdue));
        assert_eq!(reminder_due(FollowUpState::Done, due, d(2027, 1, 16), false, false), None);
        assert_eq!(reminder_due(FollowUpState::Closed, due, d(2027, 1, 10), false, false), None);
    }

    #[test]
    fn a_new_item_needs_a_date_ahead_and_a_text() {
        let today = d(2026, 12, 5);
        assert!(check_new(Some(d(2027, 1, 5)), " 転職希望の再確認 ", today).is_ok_and(|(_, w)| w == "転職希望の再確認"));
        assert!(check_new(Some(today), "x", today).is_ok());
        let fields = |r: Result<(NaiveDate, String), Vec<Invalid>>| r.err().unwrap_or_default().iter().map(|p| p.field).collect::<Vec<_>>();
        assert_eq!(fields(check_new(None, "", today)), vec!["due_on", "what"]);
        assert_eq!(fields(check_new(Some(d(2026, 12, 4)), "x", today)), vec!["due_on"]);
        assert_eq!(fields(check_new(Some(d(2029, 12, 4)), "x", today)), vec!["due_on"]);
        assert_eq!(fields(check_new(Some(today), &"あ".repeat(2001), today)), vec!["what"]);
    }

    #[test]
    fn hr_counts_are_withheld_below_k() {
        let c = GroupCounts { planned: (12, 10), held: (6, 6), overdue: (5, 5), people: 20 };
        assert_eq!(protect(c, 5), ShownCounts { planned: Some(12), held: Some(6), overdue: Some(5), people: Some(20) });
        // One small figure withholds every figure of the group, not the group's size.
        let small = GroupCounts { overdue: (2, 2), ..c };
        assert_eq!(protect(small, 5), ShownCounts { people: Some(20), ..ShownCounts::default() });
        // A zero is not small.
        let none = GroupCounts { overdue: (0, 0), ..c };
        assert_eq!(protect(none, 5).overdue, Some(0));
        // A small group shows nothing at all.
        assert_eq!(protect(GroupCounts { people: 4, ..c }, 5), ShownCounts::default());
        assert_eq!(protect(c, 0).planned, Some(12), "k of 0 counts as 1");
    }

    proptest::proptest! {
        #[test]
        fn a_shown_figure_always_rests_on_k_people(p in 0i64..30, h in 0i64..30, o in 0i64..30, k in 1u32..12) {
            let people = p.max(h).max(o) + 1;
            let c = GroupCounts { planned: (p, p), held: (h, h), overdue: (o, o), people };
            let s = protect(c, k);
            for (shown, n) in [(s.planned, p), (s.held, h), (s.overdue, o)] {
                if shown.is_some() {
                    proptest::prop_assert!(n == 0 || n >= i64::from(k));
                }
            }
            proptest::prop_assert!(s.people.is_none() || people >= i64::from(k));
        }

        #[test]
        fn at_most_one_reminder_of_each_kind(days in -30i64..30, scheduled in proptest::bool::ANY) {
            let due = d(2027, 1, 15);
            let today = due + Duration::days(days);
            let st = if scheduled { FollowUpState::Scheduled } else { FollowUpState::Planned };
            let first = reminder_due(st, due, today, false, false);
            let (soon, over) = (first == Some(Reminder::DueSoon), first == Some(Reminder::Overdue));
            proptest::prop_assert_eq!(reminder_due(st, due, today, soon, over), None);
        }
    }
}
