use super::*;
use chrono::Datelike;
use std::collections::{HashMap, HashSet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

/// Checks every structural promise of [`Company`] and returns direct-report counts by number.
fn check(company: &Company, n: usize, today: NaiveDate) -> HashMap<String, usize> {
    assert_eq!(company.employees.len(), n);
    assert!(company.name.starts_with("株式会社"));

    let departments: HashSet<&DepartmentPath> = company.departments.iter().collect();
    assert_eq!(departments.len(), company.departments.len(), "department paths are unique");
    for (i, d) in company.departments.iter().enumerate() {
        if let Some(parent) = d.parent() {
            let at = company.departments.iter().position(|p| *p == parent).unwrap();
            assert!(at < i, "{} comes after its parent", d.to_path_string());
        }
        assert!(d.depth() <= 3);
        assert!(d.depth() == 1 || !d.to_path_string().starts_with("役員室"));
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut reports: HashMap<String, usize> = HashMap::new();
    for (i, e) in company.employees.iter().enumerate() {
        assert!(seen.insert(e.number.as_str(), i).is_none(), "duplicate {}", e.number.as_str());
        // Every boss exists and comes earlier, which also rules out cycles.
        match &e.boss_number {
            Some(b) => {
                assert!(seen.contains_key(b.as_str()) && b != &e.number, "{} has boss {} missing or later", e.number.as_str(), b.as_str());
                *reports.entry(b.as_str().to_string()).or_default() += 1;
            }
            None => assert_eq!(i, 0, "only the president has no boss"),
        }
        assert!(departments.contains(&e.department));

        // Values round-trip through the parsers.
        assert_eq!(EmployeeNumber::parse(e.number.as_str()).unwrap(), e.number);
        assert_eq!(PersonName::parse(e.name.as_str()).unwrap(), e.name);
        let kana = e.name_kana.as_ref().unwrap();
        assert_eq!(NameKana::parse(kana.as_str()).unwrap(), *kana);
        assert_eq!(e.name.as_str().split(' ').count(), 2);
        assert_eq!(kana.as_str().split(' ').count(), 2);
        let email = e.email.as_ref().unwrap();
        assert_eq!(email.as_str(), format!("{}@example.co.jp", e.number.as_str().to_lowercase()));
        assert!(e.number.as_str().starts_with('E') && e.number.as_str().len() >= 7);
        assert!(grade_label(e.grade.as_deref().unwrap()).is_some());

        // Ages 22–64 whatever the birthday; hired at 22 or later, before today.
        let birth_year = e.birth_year.unwrap();
        let age = today.year() - birth_year;
        assert!((23..=64).contains(&age), "age {age}");
        assert!(domain::employee::parse_birth_year(&birth_year.to_string(), today).is_ok());
        let hired = e.hire_date.unwrap();
        assert!(hired < today);
        assert!(hired.year() - birth_year >= 23, "hired {hired} born {birth_year}");
    }
    if n > 0 {
        assert!(seen.contains_key(company.boss_user_employee.as_str()));
        assert!(seen.contains_key(company.employee_user_employee.as_str()));
        assert_eq!(company.employees[0].grade.as_deref(), Some("G8"));
        assert_eq!(company.employees[0].department.to_path_string(), "役員室");
    }
    reports
}

fn record<'a>(company: &'a Company, number: &EmployeeNumber) -> &'a EmployeeRecord {
    company.employees.iter().find(|e| &e.number == number).unwrap()
}

#[test]
fn a_company_of_1200() {
    let company = generate_company(1200, 7, today());
    let reports = check(&company, 1200, today());
    assert!((25..=40).contains(&company.departments.len()), "{} departments", company.departments.len());

    let boss = record(&company, &company.boss_user_employee);
    assert!(reports.get(boss.number.as_str()).copied().unwrap_or(0) >= 3);
    assert_eq!(boss.grade.as_deref(), Some("G5"));
    assert_eq!(boss.status, EmployeeStatus::Active);
    let member = record(&company, &company.employee_user_employee);
    assert_eq!(member.status, EmployeeStatus::Active);
    assert!(!reports.contains_key(member.number.as_str()), "the demo employee manages nobody");
    assert_eq!(member.boss_number.as_ref(), Some(&boss.number));
    assert!(matches!(member.grade.as_deref(), Some("G1" | "G2" | "G3" | "G4")));

    // Every department has a head reporting to the head of its parent.
    let head_of: HashMap<&DepartmentPath, &EmployeeRecord> = company
        .employees
        .iter()
        .filter(|e| matches!(e.grade.as_deref(), Some("G5" | "G6" | "G7" | "G8")))
        .map(|e| (&e.department, e))
        .collect();
    assert_eq!(head_of.len(), company.departments.len());
    for d in &company.departments {
        let head = head_of[d];
        let president = &company.employees[0].number;
        let expected = match d.parent() {
            Some(parent) => Some(&head_of[&parent].number),
            None if head.number == *president => None,
            None => Some(president),
        };
        assert_eq!(head.boss_number.as_ref(), expected, "head of {}", d.to_path_string());
        let grade = match d.depth() {
            1 if d.name() == "役員室" => "G8",
            1 => "G7",
            2 => "G6",
            _ => "G5",
        };
        assert_eq!(head.grade.as_deref(), Some(grade), "head of {}", d.to_path_string());
    }
    // Members report to the head of their own department.
    for e in &company.employees {
        if matches!(e.grade.as_deref(), Some("G1" | "G2" | "G3" | "G4")) {
            assert_eq!(e.boss_number.as_ref(), Some(&head_of[&e.department].number));
        }
    }

    // Managers are older than members on average.
    let mean_age = |grades: &[&str]| {
        let ages: Vec<i32> = company
            .employees
            .iter()
            .filter(|e| grades.contains(&e.grade.as_deref().unwrap()))
            .map(|e| today().year() - e.birth_year.unwrap())
            .collect();
        ages.iter().sum::<i32>() as f64 / ages.len() as f64
    };
    assert!(mean_age(&["G5", "G6", "G7"]) > mean_age(&["G1", "G2"]) + 5.0);

    let on_leave = company.employees.iter().filter(|e| e.status == EmployeeStatus::OnLeave).count();
    let retired = company.employees.iter().filter(|e| e.status == EmployeeStatus::Retired).count();
    assert!((15..=60).contains(&on_leave), "{on_leave} on leave");
    assert!((2..=30).contains(&retired), "{retired} retired");

    let names: HashSet<&str> = company.employees.iter().map(|e| e.name.as_str()).collect();
    assert!(names.len() >= 500, "only {} distinct names", names.len());
    let families: HashSet<&str> = company.employees.iter().filter_map(|e| e.name.as_str().split(' ').next()).collect();
    assert!(families.len() >= 100);
}

#[test]
fn the_same_seed_gives_the_same_company() {
    let a = generate_company(300, 42, today());
    let b = generate_company(300, 42, today());
    assert_eq!(a.name, b.name);
    assert_eq!(a.departments, b.departments);
    assert_eq!(a.employees, b.employees);
    assert_eq!(a.boss_user_employee, b.boss_user_employee);
    assert_eq!(a.employee_user_employee, b.employee_user_employee);

    let c = generate_company(300, 43, today());
    assert_ne!(a.employees, c.employees);
    let same_names = a.employees.iter().zip(&c.employees).filter(|(x, y)| x.name == y.name).count();
    assert!(same_names < 30, "{same_names} names unchanged across seeds");
}

#[test]
fn no_employees() {
    let company = generate_company(0, 1, today());
    check(&company, 0, today());
    assert!(company.employees.is_empty());
    assert!(company.departments.len() >= 5);
    assert_eq!(company.boss_user_employee.as_str(), "E000001");
    assert_eq!(company.employee_user_employee.as_str(), "E000001");
}

#[test]
fn one_employee_is_the_president() {
    let company = generate_company(1, 1, today());
    check(&company, 1, today());
    assert_eq!(company.employees[0].boss_number, None);
    assert_eq!(company.boss_user_employee, company.employees[0].number);
    assert_eq!(company.employee_user_employee, company.employees[0].number);
}

#[test]
fn ten_employees_still_give_a_boss_with_a_team() {
    let company = generate_company(10, 1, today());
    let reports = check(&company, 10, today());
    assert!(company.departments.len() >= 5);
    assert!(reports[company.boss_user_employee.as_str()] >= 3);
    let member = record(&company, &company.employee_user_employee);
    assert_eq!(member.status, EmployeeStatus::Active);
    assert_eq!(member.boss_number.as_ref(), Some(&company.boss_user_employee));
}

#[test]
fn every_small_size_is_well_formed() {
    for n in 0..=120 {
        let company = generate_company(n, n as u64, today());
        let reports = check(&company, n, today());
        if n >= 10 {
            assert!(reports[company.boss_user_employee.as_str()] >= 3, "n = {n}");
            assert_ne!(company.boss_user_employee, company.employee_user_employee, "n = {n}");
        }
    }
}

#[test]
fn department_count_scales_with_employees() {
    for (n, low, high) in [(4_000, 80, 120), (40_000, 800, 1_200)] {
        let company = generate_company(n, 3, today());
        assert!((low..=high).contains(&company.departments.len()), "{n}: {}", company.departments.len());
        check(&company, n, today());
    }
}

#[test]
fn dates_hold_on_new_years_day() {
    let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let company = generate_company(500, 9, new_year);
    check(&company, 500, new_year);
}

#[test]
fn name_banks_are_large_and_parse() {
    assert!(names::FAMILY.len() >= 100);
    let male: usize = names::ALL_GIVEN[..3].iter().map(|b| b.len()).sum();
    let female: usize = names::ALL_GIVEN[3..].iter().map(|b| b.len()).sum();
    assert!(male >= 100 && female >= 100, "{male} male, {female} female");
    for (written, reading) in names::FAMILY.iter().chain(names::ALL_GIVEN.iter().flat_map(|b| b.iter())) {
        assert!(PersonName::parse(written).is_ok(), "{written}");
        assert!(NameKana::parse(reading).is_ok(), "{written} {reading}");
    }
    let family: HashSet<&str> = names::FAMILY.iter().map(|(w, _)| *w).collect();
    assert_eq!(family.len(), names::FAMILY.len(), "no repeated family names");
}

#[test]
fn grade_labels() {
    assert_eq!(grade_label("G1"), Some("一般"));
    assert_eq!(grade_label("G5"), Some("課長"));
    assert_eq!(grade_label("G8"), Some("社長"));
    assert_eq!(grade_label("X"), None);
}

/// Prints the time for 100,000 employees (run with `--release -- --nocapture` to see it).
#[test]
fn time_100k() {
    let start = std::time::Instant::now();
    let company = generate_company(100_000, 2026, today());
    let elapsed = start.elapsed();
    println!("generate_company(100_000): {elapsed:?}, {} departments, {} employees", company.departments.len(), company.employees.len());
    assert_eq!(company.employees.len(), 100_000);
    let numbers: HashSet<&str> = company.employees.iter().map(|e| e.number.as_str()).collect();
    assert_eq!(numbers.len(), 100_000);
}
