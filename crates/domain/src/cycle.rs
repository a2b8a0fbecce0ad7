//! Cycles (実施年度): the Japanese fiscal year, who is targeted, and how targets are
//! shared among consultants.

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

/// Checks a cycle's name and period.
pub fn validate_cycle(name: &str, starts: NaiveDate, ends: NaiveDate) -> Result<(), Invalid> {
    if name.trim().is_empty() || name.chars().count() > 80 {
        return Err(Invalid::new(
            "name",
            "実施年度の名称を80文字以内で入力してください。",
            "give the cycle a name of at most 80 characters",
        ));
    }
    if ends <= starts || (ends - starts).num_days() > 3 * 366 {
        return Err(Invalid::new(
            "ends_on",
            "終了日は開始日より後で、3年以内にしてください。",
            "the end must be after the start and within three years",
        ));
    }
    Ok(())
}

/// One employee as the targeting rule sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    pub department: String,
    pub grade: Option<String>,
    pub birth_year: Option<i32>,
    pub hire_date: Option<NaiveDate>,
    pub active: bool,
}

/// Who a cycle targets. Empty criteria are not applied; when several are given, an employee
/// must match each of them (e.g. 営業本部 AND age 30/40/50).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetRule {
    /// Department paths; an employee matches a path or anything under it.
    pub departments: Vec<String>,
    pub grades: Vec<String>,
    /// Ages reached during the fiscal year (セルフ・キャリアドックの節目: 30, 40, 50 …).
    pub age_milestones: Vec<i32>,
    /// Completed years of service reached during the fiscal year (1, 3, 5, 10 …).
    pub tenure_years: Vec<i32>,
}

impl TargetRule {
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty() && self.grades.is_empty() && self.age_milestones.is_empty() && self.tenure_years.is_empty()
    }

    /// Why a candidate is targeted (Japanese), or `None`.
    pub fn reason(&self, c: &Candidate, fy: i32) -> Option<String> {
        if !c.active {
            return None;
        }
        let mut why = Vec::new();
        if !self.departments.is_empty() {
            let d = self.departments.iter().find(|d| c.department == **d || c.department.starts_with(&format!("{d}/")))?;
            why.push(format!("所属:{d}"));
        }
        if !self.grades.is_empty() {
            let g = c.grade.as_ref().filter(|g| self.grades.contains(g))?;
            why.push(format!("等級:{g}"));
        }
        if !self.age_milestones.is_empty() {
            // The age reached on the birthday falling in this fiscal year.
            let age = fy - c.birth_year?;
            let alt = age + 1; // born January–March: the birthday of this FY falls in fy+1
            let m = self.age_milestones.iter().find(|m| **m == age || **m == alt)?;
            why.push(format!("{m}歳の節目"));
        }
        if !self.tenure_years.is_empty() {
            let hire = c.hire_date?;
            let years = fy - fiscal_year(hire);
            let t = self.tenure_years.iter().find(|t| **t == years)?;
            why.push(format!("勤続{t}年"));
        }
        if why.is_empty() {
            None
        } else {
            Some(why.join("・"))
        }
    }
}

/// Targets by the rule, each with its reason, in candidate order.
pub fn select_targets(candidates: &[Candidate], rule: &TargetRule, fy: i32) -> Vec<(i64, String)> {
    if rule.is_empty() {
        return candidates.iter().filter(|c| c.active).map(|c| (c.id, "全従業員".to_string())).collect();
    }
    candidates.iter().filter_map(|c| rule.reason(c, fy).map(|r| (c.id, r))).collect()
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

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn fiscal_years_start_in_april() {
        assert_eq!(fiscal_year(d(2027, 3, 31)), 2026);
        assert_eq!(fiscal_year(d(2027, 4, 1)), 2027);
        assert_eq!(fiscal_year_period(2026), Some((d(2026, 4, 1), d(2027, 3, 31))));
    }

    fn cand(id: i64, dept: &str, birth: i32, hire: NaiveDate) -> Candidate {
        Candidate { id, department: dept.into(), grade: Some("G2".into()), birth_year: Some(birth), hire_date: Some(hire), active: true }
    }

    #[test]
    fn milestones_and_departments() {
        let rule = TargetRule { departments: vec!["営業本部".into()], age_milestones: vec![30, 40], ..Default::default() };
        let cs = [
            cand(1, "営業本部/第一営業部", 1996, d(2019, 4, 1)),
            cand(2, "開発本部", 1996, d(2019, 4, 1)),
            cand(3, "営業本部", 1990, d(2019, 4, 1)),
        ];
        let t = select_targets(&cs, &rule, 2026);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1]);
        assert!(t[0].1.contains("30歳"));
        let tenure = TargetRule { tenure_years: vec![7], ..Default::default() };
        assert_eq!(select_targets(&cs, &tenure, 2026).len(), 3);
        assert!(select_targets(&cs, &TargetRule::default(), 2026).len() == 3);
    }

    #[test]
    fn prefix_does_not_match_a_sibling_with_a_longer_name() {
        let rule = TargetRule { departments: vec!["営業".into()], ..Default::default() };
        let cs = [cand(1, "営業本部", 1990, d(2019, 4, 1))];
        assert!(select_targets(&cs, &rule, 2026).is_empty());
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
    }
}
