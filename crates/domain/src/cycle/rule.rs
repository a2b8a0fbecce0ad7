//! Who a cycle targets: the rule HR sets up (department subtree, grade, age milestones, years
//! of service), how it is checked, stored and applied to the register.

use super::fiscal_year;
use super::reason::{Reason, Reasons};
use crate::limits::GRADE;
use crate::Invalid;
use chrono::NaiveDate;

/// The milestone ages offered (セルフ・キャリアドックの節目).
pub const AGE_MILESTONES: [i32; 7] = [30, 35, 40, 45, 50, 55, 60];
/// The years of service offered.
pub const TENURE_YEARS: [i32; 5] = [1, 3, 5, 10, 20];

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

/// Whether `department` is `path` or a department under it (`営業本部/第一営業部` is under
/// `営業本部`; `営業本部` is not under `営業`).
pub fn in_subtree(department: &str, path: &str) -> bool {
    department.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn unknown_department(d: &str) -> Invalid {
    Invalid::new(
        "department",
        format!("所属部署「{d}」は登録されていません。従業員名簿にある部署から選んでください。"),
        format!("the department \"{d}\" is not in the employee register; choose one of its departments"),
    )
}

fn not_offered(field: &'static str, offer: &[i32], (ja, en): (&str, &str), unit_ja: &str) -> Invalid {
    let list = offer.iter().map(i32::to_string).collect::<Vec<_>>();
    Invalid::new(field, format!("{ja}は{}{unit_ja}から選んでください。", list.join("、")), format!("choose {en} among {}", list.join(", ")))
}

fn age_not_offered() -> Invalid {
    not_offered("age", &AGE_MILESTONES, ("節目年齢", "age milestones"), "歳")
}

fn tenure_not_offered() -> Invalid {
    not_offered("tenure", &TENURE_YEARS, ("勤続年数", "years of service"), "年")
}

/// Whole numbers chosen from an offered list, sorted and without repeats.
fn offered(raw: &[String], offer: &[i32], refuse: fn() -> Invalid) -> Result<Vec<i32>, Invalid> {
    let mut out = Vec::new();
    for v in raw.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        let n = v.parse::<i32>().ok().filter(|n| offer.contains(n)).ok_or_else(refuse)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// What a form or a command line chose, as text.
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleChoices<'a> {
    pub departments: &'a [String],
    pub grades: &'a [String],
    pub ages: &'a [String],
    pub tenures: &'a [String],
}

impl RuleChoices<'_> {
    /// The rule chosen, checked against the register's departments; blanks are ignored and
    /// repeats kept once.
    pub fn to_rule(&self, known_departments: &[String]) -> Result<TargetRule, Invalid> {
        let mut departments: Vec<String> = Vec::new();
        for d in self.departments.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
            if !departments.iter().any(|x| x == d) {
                departments.push(d.to_string());
            }
        }
        let mut grades: Vec<String> = Vec::new();
        for g in self.grades.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
            if !grades.iter().any(|x| x == g) {
                grades.push(g.to_string());
            }
        }
        let rule = TargetRule {
            departments,
            grades,
            age_milestones: offered(self.ages, &AGE_MILESTONES, age_not_offered)?,
            tenure_years: offered(self.tenures, &TENURE_YEARS, tenure_not_offered)?,
        };
        rule.validate(known_departments)?;
        Ok(rule)
    }
}

impl TargetRule {
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty() && self.grades.is_empty() && self.age_milestones.is_empty() && self.tenure_years.is_empty()
    }

    /// Checks the rule: its departments are in the register, its grades are grades, its ages
    /// and years of service are among those offered.
    pub fn validate(&self, known_departments: &[String]) -> Result<(), Invalid> {
        if let Some(d) = self.departments.iter().find(|d| !known_departments.contains(d)) {
            return Err(unknown_department(d));
        }
        for g in &self.grades {
            if g.trim().is_empty() {
                return Err(Invalid::new(GRADE.field, "空の等級は指定できません。", "a grade cannot be empty"));
            }
            GRADE.check(g)?;
        }
        if self.age_milestones.iter().any(|a| !AGE_MILESTONES.contains(a)) {
            return Err(age_not_offered());
        }
        if self.tenure_years.iter().any(|t| !TENURE_YEARS.contains(t)) {
            return Err(tenure_not_offered());
        }
        Ok(())
    }

    /// Why a candidate is targeted, or `None`.
    pub fn reason(&self, c: &Candidate, fy: i32) -> Option<Reasons> {
        if !c.active {
            return None;
        }
        let mut why = Vec::new();
        if !self.departments.is_empty() {
            let d = self.departments.iter().find(|d| in_subtree(&c.department, d))?;
            why.push(Reason::Department(d.clone()));
        }
        if !self.grades.is_empty() {
            let g = c.grade.as_ref().filter(|g| self.grades.contains(g))?;
            why.push(Reason::Grade(g.clone()));
        }
        if !self.age_milestones.is_empty() {
            // The age reached on the birthday falling in this fiscal year.
            let age = fy - c.birth_year?;
            let alt = age + 1; // born January–March: the birthday of this FY falls in fy+1
            let m = self.age_milestones.iter().find(|m| **m == age || **m == alt)?;
            why.push(Reason::AgeMilestone(*m));
        }
        if !self.tenure_years.is_empty() {
            let hire = c.hire_date?;
            let years = fy - fiscal_year(hire);
            let t = self.tenure_years.iter().find(|t| **t == years)?;
            why.push(Reason::TenureYears(*t));
        }
        if why.is_empty() {
            None
        } else {
            Some(Reasons(why))
        }
    }

    /// The rule as stored: readable JSON that says what was asked.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "departments": self.departments,
            "grades": self.grades,
            "age_milestones": self.age_milestones,
            "tenure_years": self.tenure_years,
        })
        .to_string()
    }

    /// The stored rule read back; missing or unreadable parts count as "not applied".
    pub fn from_json(raw: &str) -> TargetRule {
        let v: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
        let strings = |k: &str| -> Vec<String> {
            v.get(k)
                .and_then(|x| x.as_array())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let numbers = |k: &str| -> Vec<i32> {
            v.get(k)
                .and_then(|x| x.as_array())
                .map(|a| a.iter().filter_map(|n| n.as_i64().and_then(|n| i32::try_from(n).ok())).collect())
                .unwrap_or_default()
        };
        TargetRule {
            departments: strings("departments"),
            grades: strings("grades"),
            age_milestones: numbers("age_milestones"),
            tenure_years: numbers("tenure_years"),
        }
    }
}

/// Targets by the rule, each with its reason, in candidate order.
pub fn select_targets(candidates: &[Candidate], rule: &TargetRule, fy: i32) -> Vec<(i64, String)> {
    if rule.is_empty() {
        return candidates.iter().filter(|c| c.active).map(|c| (c.id, "全従業員".to_string())).collect();
    }
    candidates.iter().filter_map(|c| rule.reason(c, fy).map(|r| (c.id, r.encode()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cand(id: i64, dept: &str, birth: i32, hire: NaiveDate) -> Candidate {
        Candidate { id, department: dept.into(), grade: Some("G2".into()), birth_year: Some(birth), hire_date: Some(hire), active: true }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
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
        assert!(super::super::reason_words(&t[0].1, crate::Locale::Ja).contains("30歳"));
        let tenure = TargetRule { tenure_years: vec![7], ..Default::default() };
        assert_eq!(select_targets(&cs, &tenure, 2026).len(), 3);
        assert!(select_targets(&cs, &TargetRule::default(), 2026).len() == 3);
    }

    #[test]
    fn prefix_does_not_match_a_sibling_with_a_longer_name() {
        let rule = TargetRule { departments: vec!["営業".into()], ..Default::default() };
        let cs = [cand(1, "営業本部", 1990, d(2019, 4, 1))];
        assert!(select_targets(&cs, &rule, 2026).is_empty());
        assert!(in_subtree("営業本部", "営業本部") && in_subtree("営業本部/第一営業部", "営業本部"));
        assert!(!in_subtree("営業本部", "営業") && !in_subtree("営業", "営業本部"));
    }

    #[test]
    fn milestones_count_the_birthday_in_the_fiscal_year() {
        // FY2026 runs 2026-04-01 to 2027-03-31: born in 1996 turns 30 in it (April–December),
        // born January–March 1997 turns 30 in it too (birth year recorded only: both count).
        let rule = TargetRule { age_milestones: vec![30], ..Default::default() };
        let born = |y: i32| Candidate { birth_year: Some(y), ..cand(1, "総務部", y, d(2019, 4, 1)) };
        assert!(rule.reason(&born(1996), 2026).is_some());
        assert!(rule.reason(&born(1997), 2026).is_some());
        assert!(rule.reason(&born(1995), 2026).is_none());
        assert!(rule.reason(&born(1998), 2026).is_none());
        let unknown = Candidate { birth_year: None, ..born(1996) };
        assert!(rule.reason(&unknown, 2026).is_none());
    }

    #[test]
    fn tenure_counts_fiscal_years_since_hiring() {
        let rule = TargetRule { tenure_years: vec![1, 10], ..Default::default() };
        let hired = |date| cand(1, "総務部", 1990, date);
        assert_eq!(rule.reason(&hired(d(2025, 4, 1)), 2026).map(|r| r.words(crate::Locale::Ja)).as_deref(), Some("勤続1年"));
        // Hired in March 2026: still fiscal 2025, so one year in fiscal 2026.
        assert_eq!(rule.reason(&hired(d(2026, 3, 31)), 2026).map(|r| r.words(crate::Locale::Ja)).as_deref(), Some("勤続1年"));
        assert_eq!(rule.reason(&hired(d(2016, 10, 1)), 2026).map(|r| r.words(crate::Locale::Ja)).as_deref(), Some("勤続10年"));
        assert_eq!(rule.reason(&hired(d(2026, 4, 1)), 2026), None);
    }

    #[test]
    fn retired_and_on_leave_as_the_register_says() {
        let mut c = cand(1, "営業本部", 1996, d(2019, 4, 1));
        c.active = false;
        assert!(select_targets(&[c], &TargetRule::default(), 2026).is_empty());
    }

    #[test]
    fn grades_must_match_exactly_and_all_criteria_apply() {
        let rule =
            TargetRule {
                departments: vec!["営業本部".into()], grades: vec!["G2".into()], age_milestones: vec![30], tenure_years: vec![5]
            };
        let c = cand(7, "営業本部/第一営業部", 1996, d(2021, 4, 1));
        assert_eq!(
            rule.reason(&c, 2026).map(|r| r.words(crate::Locale::Ja)).as_deref(),
            Some("所属: 営業本部・等級: G2・30歳の節目・勤続5年")
        );
        assert_eq!(
            rule.reason(&c, 2026).map(|r| r.words(crate::Locale::En)).as_deref(),
            Some("department: 営業本部; grade: G2; turning 30; 5 years of service")
        );
        let other_grade = Candidate { grade: Some("G20".into()), ..c.clone() };
        assert_eq!(rule.reason(&other_grade, 2026), None);
        let no_grade = Candidate { grade: None, ..c };
        assert_eq!(rule.reason(&no_grade, 2026), None);
    }

    #[test]
    fn choices_become_a_rule() {
        let known = strings(&["営業本部", "開発本部"]);
        let choices = RuleChoices {
            departments: &strings(&["営業本部", " 営業本部 ", ""]),
            grades: &strings(&["G2", "G2"]),
            ages: &strings(&["40", "30", "40"]),
            tenures: &strings(&[" 10 "]),
        };
        assert_eq!(
            choices.to_rule(&known),
            Ok(TargetRule {
                departments: strings(&["営業本部"]),
                grades: strings(&["G2"]),
                age_milestones: vec![30, 40],
                tenure_years: vec![10]
            })
        );
        assert_eq!(RuleChoices::default().to_rule(&[]), Ok(TargetRule::default()));
    }

    #[test]
    fn bad_choices_name_their_field_in_both_languages() {
        let known = strings(&["営業本部"]);
        let cases: [(RuleChoices<'_>, &str); 5] = [
            (RuleChoices { departments: &strings(&["存在しない部"]), ..Default::default() }, "department"),
            (RuleChoices { grades: &strings(&[&"G".repeat(41)]), ..Default::default() }, "grade"),
            (RuleChoices { ages: &strings(&["33"]), ..Default::default() }, "age"),
            (RuleChoices { ages: &strings(&["三十"]), ..Default::default() }, "age"),
            (RuleChoices { tenures: &strings(&["abc"]), ..Default::default() }, "tenure"),
        ];
        for (choices, field) in cases {
            let e = choices.to_rule(&known).err().unwrap_or_else(|| panic!("{field}: accepted"));
            assert_eq!(e.field, field);
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty() && e.message.ja != e.message.en, "{e:?}");
        }
        let e = RuleChoices { departments: &strings(&["存在しない部"]), ..Default::default() }.to_rule(&known).err();
        assert!(e.is_some_and(|e| e.message.ja.contains("「存在しない部」") && e.message.en.contains("\"存在しない部\"")));
        let e = RuleChoices { ages: &strings(&["33"]), ..Default::default() }.to_rule(&known).err();
        assert!(e.is_some_and(|e| e.message.ja == "節目年齢は30、35、40、45、50、55、60歳から選んでください。"));
    }

    #[test]
    fn stored_rules_are_validated_too() {
        let known = strings(&["営業本部"]);
        assert!(TargetRule { age_milestones: vec![33], ..Default::default() }.validate(&known).is_err());
        assert!(TargetRule { tenure_years: vec![2], ..Default::default() }.validate(&known).is_err());
        assert!(TargetRule { grades: vec![" ".into()], ..Default::default() }.validate(&known).is_err());
        assert!(TargetRule { departments: vec!["営業".into()], ..Default::default() }.validate(&known).is_err());
        assert!(TargetRule { departments: vec!["営業本部".into()], age_milestones: vec![30], ..Default::default() }
            .validate(&known)
            .is_ok());
    }

    #[test]
    fn rules_round_trip_through_their_json() {
        let rule = TargetRule {
            departments: vec!["営業本部".into()],
            grades: vec!["G2".into()],
            age_milestones: vec![30, 40],
            tenure_years: vec![10],
        };
        let json = rule.to_json();
        assert!(json.contains("営業本部") && json.contains("age_milestones"));
        assert_eq!(TargetRule::from_json(&json), rule);
        assert_eq!(TargetRule::from_json("not json"), TargetRule::default());
        assert_eq!(TargetRule::from_json("{}"), TargetRule::default());
        assert_eq!(TargetRule::from_json(r#"{"age_milestones":[30,"x",99999999999]}"#).age_milestones, vec![30]);
    }

    proptest! {
        #[test]
        fn any_rule_survives_its_json(
            departments in proptest::collection::vec("[営業本部開発/a-z\"\\\\]{1,12}", 0..4),
            grades in proptest::collection::vec("[A-Z0-9 ]{1,6}", 0..4),
            ages in proptest::collection::vec(proptest::sample::select(AGE_MILESTONES.to_vec()), 0..4),
            tenures in proptest::collection::vec(proptest::sample::select(TENURE_YEARS.to_vec()), 0..4),
        ) {
            let rule = TargetRule { departments, grades, age_milestones: ages, tenure_years: tenures };
            prop_assert_eq!(TargetRule::from_json(&rule.to_json()), rule);
        }

        #[test]
        fn a_target_matches_every_criterion_given(
            dept in proptest::sample::select(vec!["営業本部", "営業本部/第一営業部", "営業", "開発本部"]),
            birth in 1960i32..2005,
            hire_days in 0i64..12_000,
            milestones in proptest::collection::vec(proptest::sample::select(AGE_MILESTONES.to_vec()), 0..3),
            tenures in proptest::collection::vec(proptest::sample::select(TENURE_YEARS.to_vec()), 0..3),
            by_department in any::<bool>(),
        ) {
            let hire = d(1990, 4, 1) + chrono::Duration::days(hire_days);
            let c = cand(1, dept, birth, hire);
            let rule = TargetRule {
                departments: if by_department { vec!["営業本部".into()] } else { vec![] },
                age_milestones: milestones.clone(),
                tenure_years: tenures.clone(),
                ..Default::default()
            };
            let fy = 2026;
            let expected = (!by_department || in_subtree(dept, "営業本部"))
                && (milestones.is_empty() || milestones.iter().any(|m| *m == fy - birth || *m == fy - birth + 1))
                && (tenures.is_empty() || tenures.contains(&(fy - fiscal_year(hire))));
            prop_assert_eq!(!select_targets(&[c], &rule, fy).is_empty(), expected);
        }
    }
}
