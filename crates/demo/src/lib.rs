//! A synthetic Japanese company for demos and load tests: departments, employees and their bosses.
//!
//! Pure and deterministic: the same `(employees, seed, today)` gives the same company. Everything it
//! makes passes the domain's parsers, and every address is at `example.co.jp`.
//!
//! Grades ([`GRADES`]) are stored as short codes: G1 一般, G2 一般, G3 主任, G4 係長 for members;
//! G5 課長, G6 部長, G7 本部長 for the heads of 課, 部 and 本部; G8 社長 for the president, who heads
//! 役員室 at the top of the tree.

pub mod actions;
pub mod boss;
pub mod cases;
pub mod consent;
pub mod escalations;
pub mod follow_ups;
pub mod history;
pub mod management;
mod names;
pub mod notices;
mod org;
pub mod overall;
mod people;
pub mod questionnaires;
pub mod referrals;
pub mod reviews;
pub mod seed;

use chrono::NaiveDate;
use domain::employee::{DepartmentPath, Email, EmployeeNumber, EmployeeRecord, EmployeeStatus, NameKana, PersonName};
use org::{Dept, Level};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use people::GRADES;

/// Every generated e-mail address is at this reserved, obviously synthetic domain.
pub const EMAIL_DOMAIN: &str = "example.co.jp";

/// A generated company.
#[derive(Clone, Debug)]
pub struct Company {
    /// Such as 株式会社みなと精機.
    pub name: String,
    /// Every department, parents before children.
    pub departments: Vec<DepartmentPath>,
    /// Bosses appear before their reports; the president comes first.
    pub employees: Vec<EmployeeRecord>,
    /// A 課長 with at least three direct reports (when the company is big enough), for the demo login `boss`.
    /// With no employees at all this names the first number that would have been given out.
    pub boss_user_employee: EmployeeNumber,
    /// An active member (not a head) reporting to `boss_user_employee`, for the demo login `employee`.
    /// Falls back to another active member, then to the boss, in very small companies.
    pub employee_user_employee: EmployeeNumber,
}

/// The Japanese title of a grade code, such as `"G5"` → `"課長"`.
pub fn grade_label(code: &str) -> Option<&'static str> {
    GRADES.iter().find(|(c, _)| *c == code).map(|(_, label)| *label)
}

const COMPANY_STEMS: [&str; 10] = ["みなと", "さくら", "あおば", "ひかり", "つばさ", "みどり", "あさひ", "わかば", "はるか", "やまと"];
const COMPANY_TRADES: [&str; 8] = ["精機", "電機", "工業", "製作所", "化学", "産業", "テクノ", "システムズ"];

/// Share of members on leave, and (on top of that) of members who have left.
const ON_LEAVE: f64 = 0.03;
const RETIRED: f64 = 0.01;

/// Upper bound on up-front allocation, so an absurd `employees` cannot overflow a capacity.
const PREALLOCATE: usize = 1 << 20;

/// Members the demo boss's 課 is guaranteed, so the `boss` login has a team to look at.
const DEMO_TEAM: usize = 3;

/// Builds a company of exactly `employees` people (fewer only if a value failed to parse, which the
/// tests show does not happen), seeded for reproducibility, with ages and hire dates relative to `today`.
pub fn generate_company(employees: usize, seed: u64, today: NaiveDate) -> Company {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let name = format!(
        "株式会社{}{}",
        COMPANY_STEMS[rng.gen_range(0..COMPANY_STEMS.len())],
        COMPANY_TRADES[rng.gen_range(0..COMPANY_TRADES.len())]
    );
    let plan = org::plan(org::department_count(employees));

    // Heads first, one per department in tree order; whoever is left joins a team.
    let heads = employees.min(plan.len());
    let demo_team = plan.iter().take(heads).position(|d| d.level == Level::Section && !d.has_children);
    let members = staff_counts(&plan, heads, employees - heads, demo_team, &mut rng);

    let width = employees.to_string().len().max(6);
    let mut make =
        Maker { rng, today, width, next: 1, out: Vec::with_capacity(employees.min(PREALLOCATE)), boss_of: Vec::new(), is_head: Vec::new() };
    let mut head_of: Vec<Option<usize>> = vec![None; plan.len()];
    for (at, dept) in plan.iter().enumerate().take(heads) {
        let grade = match dept.level {
            Level::Office => people::PRESIDENT,
            Level::Division => people::DIVISION_HEAD,
            Level::Department => people::DEPARTMENT_HEAD,
            Level::Section => people::SECTION_HEAD,
        };
        let boss = nearest_head(&plan, &head_of, dept.parent);
        head_of[at] = make.employee(grade, &dept.path, boss, EmployeeStatus::Active, true);
        let boss = nearest_head(&plan, &head_of, Some(at));
        for k in 0..members[at] {
            let grade = people::staff_grade(&mut make.rng);
            // The demo boss's first member must be able to log in as the demo employee.
            let status = if Some(at) == demo_team && k == 0 { EmployeeStatus::Active } else { make.status() };
            make.employee(grade, &dept.path, boss, status, false);
        }
    }

    let placeholder = make.number(1);
    let boss_user = demo_boss(&make, &head_of, demo_team);
    let employee_user =
        boss_user.and_then(|b| make.first_member(|boss| boss == Some(b))).or_else(|| make.first_member(|_| true)).or(boss_user);
    let number_at = |i: Option<usize>| i.and_then(|i| make.out.get(i)).map(|e| e.number.clone());
    let boss_user_employee = number_at(boss_user).or_else(|| placeholder.clone());
    let employee_user_employee = number_at(employee_user).or_else(|| placeholder.clone());
    let (Some(boss_user_employee), Some(employee_user_employee)) = (boss_user_employee, employee_user_employee) else {
        // Only reachable if "E000001" stopped being a valid employee number.
        unreachable!("the first employee number is valid")
    };
    Company {
        name,
        departments: plan.into_iter().map(|d| d.path).collect(),
        employees: make.out,
        boss_user_employee,
        employee_user_employee,
    }
}

/// The head of the demo 課 if it got its team; otherwise whoever has the most direct reports.
fn demo_boss(make: &Maker, head_of: &[Option<usize>], demo_team: Option<usize>) -> Option<usize> {
    let head = demo_team.and_then(|d| head_of.get(d).copied().flatten());
    let mut reports = vec![0usize; make.out.len()];
    for boss in make.boss_of.iter().flatten() {
        reports[*boss] += 1;
    }
    if let Some(h) = head.filter(|h| reports[*h] >= DEMO_TEAM) {
        return Some(h);
    }
    let most = reports.iter().enumerate().max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)));
    most.map(|(i, _)| i)
}

/// The closest department at or above `from` that has a head, as an index into the employees.
fn nearest_head(plan: &[Dept], head_of: &[Option<usize>], mut from: Option<usize>) -> Option<usize> {
    while let Some(at) = from {
        if let Some(head) = head_of[at] {
            return Some(head);
        }
        from = plan[at].parent;
    }
    None
}

/// How many members each department gets besides its head: most work in 課, a few sit directly in
/// a 部 or 本部, a handful in 役員室. The demo 課 is given its team first.
fn staff_counts(plan: &[Dept], heads: usize, members: usize, demo_team: Option<usize>, rng: &mut impl Rng) -> Vec<usize> {
    let mut counts = vec![0usize; plan.len()];
    if members == 0 || heads == 0 {
        return counts;
    }
    let reserved = demo_team.map_or(0, |_| members.min(DEMO_TEAM));
    if let Some(d) = demo_team {
        counts[d] = reserved;
    }
    let weights: Vec<f64> = plan
        .iter()
        .take(heads)
        .map(|d| match d.level {
            Level::Office => 0.04,
            Level::Division => 0.05,
            Level::Department | Level::Section if d.has_children => 0.08 * d.size,
            Level::Department | Level::Section => d.size * rng.gen_range(0.7..1.3),
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let rest = members - reserved;
    // Cumulative rounding: linear, and the counts add up to exactly `rest`.
    let (mut sum, mut given) = (0.0, 0usize);
    for (i, w) in weights.iter().enumerate() {
        sum += w;
        let upto = if i + 1 == weights.len() { rest } else { ((sum / total) * rest as f64).round() as usize };
        let upto = upto.clamp(given, rest);
        counts[i] += upto - given;
        given = upto;
    }
    counts
}

/// Hands out numbers in order and builds validated records.
struct Maker {
    rng: ChaCha8Rng,
    today: NaiveDate,
    width: usize,
    next: usize,
    out: Vec<EmployeeRecord>,
    /// For each record, the index of its boss.
    boss_of: Vec<Option<usize>>,
    is_head: Vec<bool>,
}

impl Maker {
    fn number(&self, n: usize) -> Option<EmployeeNumber> {
        EmployeeNumber::parse(&format!("E{n:0width$}", width = self.width)).ok()
    }

    fn status(&mut self) -> EmployeeStatus {
        match self.rng.gen::<f64>() {
            r if r < ON_LEAVE => EmployeeStatus::OnLeave,
            r if r < ON_LEAVE + RETIRED => EmployeeStatus::Retired,
            _ => EmployeeStatus::Active,
        }
    }

    /// Adds one employee and returns its index; skips it (None) if a value would not parse.
    fn employee(
        &mut self,
        grade: usize,
        department: &DepartmentPath,
        boss: Option<usize>,
        status: EmployeeStatus,
        head: bool,
    ) -> Option<usize> {
        let n = self.next;
        self.next += 1;
        let person = people::person(&mut self.rng, grade, self.today);
        let number = self.number(n)?;
        let name = PersonName::parse(&person.name).ok()?;
        let email = Email::parse(&format!("{}@{EMAIL_DOMAIN}", number.as_str().to_ascii_lowercase())).ok();
        let boss_number = boss.and_then(|b| self.out.get(b)).map(|b| b.number.clone());
        self.out.push(EmployeeRecord {
            number,
            name,
            name_kana: NameKana::parse(&person.kana).ok(),
            department: department.clone(),
            grade: GRADES.get(grade).map(|(code, _)| code.to_string()),
            birth_year: Some(person.birth_year),
            hire_date: person.hire_date,
            boss_number,
            email,
            status,
        });
        self.boss_of.push(boss);
        self.is_head.push(head);
        Some(self.out.len() - 1)
    }

    /// The first active member (not a head) whose boss satisfies `boss`.
    fn first_member(&self, boss: impl Fn(Option<usize>) -> bool) -> Option<usize> {
        (0..self.out.len()).find(|&i| !self.is_head[i] && self.out[i].status == EmployeeStatus::Active && boss(self.boss_of[i]))
    }
}

#[cfg(test)]
mod tests;
