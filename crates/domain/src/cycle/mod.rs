//! Cycles (実施年度): the Japanese fiscal year, a cycle's period and status, who is targeted
//! ([`rule`]: department subtree, grade, age milestones, years of service; [`list`]: an
//! uploaded list of employee numbers), and how targets are shared among consultants.
//! Every refusal says what is wrong in both languages.

pub mod assign;
pub mod list;
pub mod reason;
pub mod rule;

pub use assign::{assign_without_conflicts, Assignment, Conflict, Org, Place, Seat};
pub use list::{parse_number_list, read_number_list, Listed, ListedPlan, NumberList};
pub use reason::{reason_words, Reason, Reasons, LISTED_REASON};
pub use rule::{select_targets, Candidate, RuleChoices, TargetRule, AGE_MILESTONES, TENURE_YEARS};

use crate::limits::CYCLE_NAME;
use crate::Invalid;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// The fiscal year a date falls in (April to March): 2027-03-31 → 2026.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// First and last day of a fiscal year.
pub fn fiscal_year_period(fy: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(fy, 4, 1)?, NaiveDate::from_ymd_opt(fy + 1, 3, 31)?))
}

/// The fiscal year a new cycle is proposed for: the one `today` falls in, or, when a cycle
/// already covers it (`taken` holds the fiscal years of existing cycles), the first later
/// year no cycle covers.
pub fn proposed_fiscal_year(today: NaiveDate, taken: &[i32]) -> i32 {
    let mut fy = fiscal_year(today);
    while taken.contains(&fy) && fy < 9_000 {
        fy += 1;
    }
    fy
}

/// Longest period of a cycle, in days.
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// Checks a cycle's name and period.
pub fn validate_cycle(name: &str, starts: NaiveDate, ends: NaiveDate) -> Result<(), Invalid> {
    check_cycle_name(name)?;
    check_cycle_period(starts, ends)
}

/// A cycle's name: not blank, within [`CYCLE_NAME`].
pub fn check_cycle_name(name: &str) -> Result<(), Invalid> {
    if name.trim().is_empty() || !CYCLE_NAME.fits(name) {
        return Err(Invalid::new(
            CYCLE_NAME.field,
            format!("実施年度の名称を{}文字以内で入力してください。", CYCLE_NAME.max),
            format!("give the cycle a name of at most {} characters", CYCLE_NAME.max),
        ));
    }
    Ok(())
}

/// A cycle's period: the end after the start, at most [`MAX_PERIOD_DAYS`] later.
pub fn check_cycle_period(starts: NaiveDate, ends: NaiveDate) -> Result<(), Invalid> {
    if ends <= starts || (ends - starts).num_days() > MAX_PERIOD_DAYS {
        return Err(Invalid::new(
            "ends_on",
            "終了日は開始日より後で、3年以内にしてください。",
            "the end must be after the start and within three years",
        ));
    }
    Ok(())
}

/// A day as a form or a command line gives it: `2026-04-01` or `2026/04/01`.
fn parse_day(field: &'static str, raw: &str, (ja, en): (&str, &str), example: &str) -> Result<NaiveDate, Invalid> {
    let s = raw.trim().replace('/', "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
        Invalid::new(
            field,
            format!("{ja}を「{example}」の形式で入力してください。"),
            format!("enter the {en} as YYYY-MM-DD (e.g. {example})"),
        )
    })
}

/// A cycle's period as typed, checked with [`validate_cycle`]'s rule for periods.
pub fn parse_period(starts: &str, ends: &str) -> Result<(NaiveDate, NaiveDate), Invalid> {
    let starts = parse_day("starts_on", starts, ("開始日", "start date"), "2026-04-01")?;
    let ends = parse_day("ends_on", ends, ("終了日", "end date"), "2027-03-31")?;
    Ok((starts, ends))
}

/// A cycle's name and period as typed, with every problem at once: the name
/// ([`validate_cycle`]'s rule), each day ([`parse_period`]'s format), and the period.
pub fn check_cycle_form(name: &str, starts: &str, ends: &str) -> Result<(NaiveDate, NaiveDate), Vec<Invalid>> {
    let mut problems = Vec::new();
    if let Err(e) = check_cycle_name(name) {
        problems.push(e);
    }
    let s = parse_day("starts_on", starts, ("開始日", "start date"), "2026-04-01").map_err(|e| problems.push(e)).ok();
    let e = parse_day("ends_on", ends, ("終了日", "end date"), "2027-03-31").map_err(|e| problems.push(e)).ok();
    if let (Some(s), Some(e)) = (s, e) {
        if let Err(p) = check_cycle_period(s, e) {
            problems.push(p);
        }
        if problems.is_empty() {
            return Ok((s, e));
        }
    }
    Err(problems)
}

/// Where a cycle stands: set up, running, or over (targets frozen).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CycleStatus {
    Planning,
    Active,
    Closed,
}

impl CycleStatus {
    pub const ALL: [CycleStatus; 3] = [CycleStatus::Planning, CycleStatus::Active, CycleStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            CycleStatus::Planning => "planning",
            CycleStatus::Active => "active",
            CycleStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CycleStatus> {
        CycleStatus::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// A status chosen in a form, or why it is refused.
    pub fn from_form(s: &str) -> Result<CycleStatus, Invalid> {
        CycleStatus::parse(s).ok_or_else(|| {
            let ja: Vec<String> = CycleStatus::ALL.iter().map(|c| format!("「{}」", c.label_ja())).collect();
            let en: Vec<&str> = CycleStatus::ALL.iter().map(|c| c.as_str()).collect();
            Invalid::new("status", format!("状態は{}から選んでください。", ja.concat()), format!("choose {} as the status", en.join(", ")))
        })
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            CycleStatus::Planning => "準備中",
            CycleStatus::Active => "実施中",
            CycleStatus::Closed => "終了",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CycleStatus::Planning => "Planning",
            CycleStatus::Active => "Active",
            CycleStatus::Closed => "Closed",
        }
    }
}

/// Most targets listed on one page.
pub const TARGET_PAGE_MAX: i64 = 1_000;

/// Which of a cycle's targets to list: a page, whether only those without a consultant or only
/// those of one consultant, a search in employee numbers and names, and the order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetFilter {
    pub unassigned_only: bool,
    pub limit: i64,
    pub offset: i64,
    /// Only the targets assigned to this user.
    pub consultant: Option<i64>,
    /// Part of an employee number, name or kana.
    pub search: Option<String>,
    pub sort: TargetSort,
    pub descending: bool,
}

/// The orders a cycle's target list offers; each ends with the employee number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TargetSort {
    #[default]
    Number,
    Kana,
    Department,
    Consultant,
}

impl TargetFilter {
    /// The page size asked for, within 1..=[`TARGET_PAGE_MAX`].
    pub fn page_size(&self) -> i64 {
        self.limit.clamp(1, TARGET_PAGE_MAX)
    }

    /// The offset asked for, never negative.
    pub fn start(&self) -> i64 {
        self.offset.max(0)
    }
}

/// The refusal of any change to the targets of a closed cycle.
pub fn closed_cycle() -> Invalid {
    Invalid::new(
        "status",
        "終了した実施年度の対象者・担当は変更できません。変更する場合は、状態を「実施中」に戻してください。",
        "the targets of a closed cycle cannot be changed; set the cycle back to active first",
    )
}

/// The refusal to remove a target who already has interviews in the cycle.
pub fn target_has_interviews(n: i64) -> Invalid {
    Invalid::new(
        "employee_id",
        format!("この対象者にはこの実施年度の面談が{n}件登録されているため、対象者から外せません。"),
        format!("this employee has {n} interview(s) in the cycle and cannot be removed from its targets"),
    )
}

/// The refusal to assign a target to someone who is not an active consultant of the tenant.
pub fn not_a_consultant() -> Invalid {
    Invalid::new(
        "consultant",
        "選択された担当者は、この組織のキャリアコンサルタントではありません。一覧から選び直してください。",
        "the person chosen is not a career consultant of this organization; choose again from the list",
    )
}

/// The refusal of a bulk assignment with no target selected.
pub fn nobody_selected() -> Invalid {
    Invalid::new("employee", "割り当てる対象者を一覧で選択してください。", "select the targets to assign in the list first")
}

/// The refusal of an automatic assignment when nobody holds the consultant role.
pub fn no_consultants() -> Invalid {
    Invalid::new(
        "consultant",
        "キャリアコンサルタントの役割を持つアカウントがありません。先にアカウントを登録してください。",
        "no account holds the career consultant role; create one first",
    )
}

/// The refusal of a second cycle with a name already in use.
pub fn duplicate_name(name: &str) -> Invalid {
    Invalid::new(
        CYCLE_NAME.field,
        format!("「{name}」という名称の実施年度はすでにあります。別の名称にしてください。"),
        format!("a cycle named \"{name}\" already exists; choose another name"),
    )
}

/// Assigns unassigned targets to consultants, each to the one with the fewest so far (ties by
/// the order given), so loads differ by at most one when starting from `current` loads.
pub fn balance(targets: &[i64], consultants: &[i64], current: &HashMap<i64, usize>) -> Vec<(i64, i64)> {
    if consultants.is_empty() {
        return Vec::new();
    }
    let mut load: Vec<(usize, usize, i64)> =
        consultants.iter().enumerate().map(|(i, c)| (current.get(c).copied().unwrap_or(0), i, *c)).collect();
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        if let Some(min) = load.iter_mut().min_by_key(|(n, i, _)| (*n, *i)) {
            min.0 += 1;
            out.push((*t, min.2));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cycle_form_says_every_problem() {
        let fields = |n: &str, s: &str, e: &str| {
            check_cycle_form(n, s, e).err().unwrap_or_default().into_iter().map(|p| p.field).collect::<Vec<_>>()
        };
        assert_eq!(fields(" ", "x", "2027-13-01"), vec![CYCLE_NAME.field, "starts_on", "ends_on"]);
        assert_eq!(fields("", "2027-04-01", "2027-03-31"), vec![CYCLE_NAME.field, "ends_on"]);
        assert!(check_cycle_form("2027年度", "2027/04/01", "2028-03-31").is_ok());
    }

    #[test]
    fn the_next_free_fiscal_year_is_proposed() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default();
        assert_eq!(proposed_fiscal_year(d(2026, 12, 3), &[]), 2026);
        assert_eq!(proposed_fiscal_year(d(2026, 12, 3), &[2026]), 2027);
        assert_eq!(proposed_fiscal_year(d(2027, 3, 31), &[2025, 2026, 2027]), 2028);
        assert_eq!(proposed_fiscal_year(d(2026, 4, 1), &[2025]), 2026);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn fiscal_years_start_in_april() {
        assert_eq!(fiscal_year(d(2027, 3, 31)), 2026);
        assert_eq!(fiscal_year(d(2027, 4, 1)), 2027);
        assert_eq!(fiscal_year_period(2026), Some((d(2026, 4, 1), d(2027, 3, 31))));
    }

    #[test]
    fn names_and_periods() {
        assert!(validate_cycle("2026年度", d(2026, 4, 1), d(2027, 3, 31)).is_ok());
        assert!(validate_cycle(&"年".repeat(80), d(2026, 4, 1), d(2027, 3, 31)).is_ok());
        for (name, starts, ends, field) in [
            ("", d(2026, 4, 1), d(2027, 3, 31), "name"),
            (&*"年".repeat(81), d(2026, 4, 1), d(2027, 3, 31), "name"),
            ("2026", d(2026, 4, 1), d(2026, 4, 1), "ends_on"),
            ("2026", d(2026, 4, 1), d(2030, 4, 1), "ends_on"),
        ] {
            let e = validate_cycle(name, starts, ends).err().unwrap_or_else(|| panic!("{name} {starts} {ends} accepted"));
            assert_eq!(e.field, field);
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty() && e.message.ja != e.message.en);
        }
    }

    #[test]
    fn periods_are_read_with_either_separator() {
        assert_eq!(parse_period(" 2026-04-01 ", "2027/03/31"), Ok((d(2026, 4, 1), d(2027, 3, 31))));
        let e = parse_period("4月1日", "2027-03-31").err().map(|e| (e.field, e.message.ja));
        assert_eq!(e, Some(("starts_on", "開始日を「2026-04-01」の形式で入力してください。".into())));
        let e = parse_period("2026-04-01", "").err().map(|e| (e.field, e.message.en));
        assert_eq!(e, Some(("ends_on", "enter the end date as YYYY-MM-DD (e.g. 2027-03-31)".into())));
    }

    #[test]
    fn statuses_round_trip_and_a_wrong_one_is_named() {
        for s in CycleStatus::ALL {
            assert_eq!(CycleStatus::parse(s.as_str()), Some(s));
            assert_eq!(CycleStatus::from_form(&format!(" {} ", s.as_str())), Ok(s));
        }
        assert_eq!(CycleStatus::parse("open"), None);
        let e = CycleStatus::from_form("open").err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.field, "status");
        assert_eq!(e.message.ja, "状態は「準備中」「実施中」「終了」から選んでください。");
        assert!(e.message.en.contains("planning, active, closed"), "{}", e.message.en);
    }

    #[test]
    fn target_pages_are_bounded() {
        let f = |limit, offset| TargetFilter { limit, offset, ..TargetFilter::default() };
        assert_eq!((f(50, 100).page_size(), f(50, 100).start()), (50, 100));
        assert_eq!((f(0, -5).page_size(), f(0, -5).start()), (1, 0));
        assert_eq!(f(i64::MAX, 0).page_size(), TARGET_PAGE_MAX);
    }

    #[test]
    fn refusals_are_bilingual_and_name_their_field() {
        for (e, field) in [
            (closed_cycle(), "status"),
            (target_has_interviews(2), "employee_id"),
            (not_a_consultant(), "consultant"),
            (no_consultants(), "consultant"),
            (nobody_selected(), "employee"),
            (duplicate_name("2026年度"), "name"),
        ] {
            assert_eq!(e.field, field);
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty() && e.message.ja != e.message.en, "{e:?}");
        }
        assert!(target_has_interviews(2).message.ja.contains("2件"));
        assert!(duplicate_name("2026年度").message.en.contains("\"2026年度\""));
    }

    proptest! {
        #[test]
        fn balanced_loads_differ_by_at_most_one(n in 0usize..300, k in 1usize..12) {
            let targets: Vec<i64> = (0..n as i64).collect();
            let consultants: Vec<i64> = (100..100 + k as i64).collect();
            let out = balance(&targets, &consultants, &HashMap::new());
            prop_assert_eq!(out.len(), n);
            let mut load: HashMap<i64, usize> = HashMap::new();
            for (_, c) in &out { *load.entry(*c).or_default() += 1; }
            let max = consultants.iter().map(|c| load.get(c).copied().unwrap_or(0)).max().unwrap_or(0);
            let min = consultants.iter().map(|c| load.get(c).copied().unwrap_or(0)).min().unwrap_or(0);
            prop_assert!(max - min <= 1);
        }

        #[test]
        fn every_day_falls_in_the_fiscal_year_it_is_counted_in(days in 0i64..40_000) {
            let day = d(1990, 1, 1) + chrono::Duration::days(days);
            let (starts, ends) = fiscal_year_period(fiscal_year(day)).unwrap_or((day, day));
            prop_assert!(starts <= day && day <= ends);
        }
    }
}
