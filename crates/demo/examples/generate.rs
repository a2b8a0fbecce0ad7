//! Prints a synthetic company and how long it took to generate.
//!
//! `cargo run --release -p careerdock-demo --example generate -- 100000 1`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let employees = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_200);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let today = domain::time::today_in_japan(chrono::Utc::now());

    let start = Instant::now();
    let company = careerdock_demo::generate_company(employees, seed, today);
    let elapsed = start.elapsed();

    println!("{}: {} departments, {} employees in {elapsed:?}", company.name, company.departments.len(), company.employees.len());
    for d in company.departments.iter().take(40) {
        println!("  {}", d.to_path_string());
    }
    for e in company.employees.iter().take(25) {
        println!(
            "  {} {} ({}) {} {} born {} hired {} boss {} {}",
            e.number.as_str(),
            e.name.as_str(),
            e.name_kana.as_ref().map_or("", |k| k.as_str()),
            e.department.to_path_string(),
            e.grade.as_deref().and_then(careerdock_demo::grade_label).unwrap_or(""),
            e.birth_year.unwrap_or_default(),
            e.hire_date.map(|d| d.to_string()).unwrap_or_default(),
            e.boss_number.as_ref().map_or("-", |b| b.as_str()),
            e.status.label_ja(),
        );
    }
    println!("boss login: {}, employee login: {}", company.boss_user_employee.as_str(), company.employee_user_employee.as_str());
}
