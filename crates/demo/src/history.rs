//! Three fiscal years of Self-Career Dock history for the demo company: cycles and their
//! targets, interviews with notes, individual reports with their reviews, and consultation
//! requests, so that every page of the demo has something to show.
//!
//! Pure and deterministic like the company: the same `(company, seed, today, consultants)`
//! gives the same history, in time linear in the company's size. Times are JST epoch
//! milliseconds. Each consultant's interviews take distinct one-hour slots on working days
//! (9:00–18:00, lunch left free), so none of them overlap; when a year has more targets than
//! the consultants have hours, the rest of the targets simply have no interview.

#[cfg(test)]
mod tests;
mod text;

use crate::{grade_label, Company};
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use domain::cycle::{fiscal_year, fiscal_year_period, Candidate, TargetRule};
use domain::employee::{DepartmentPath, EmployeeStatus};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
use domain::report::{ReportFlags, ReportSections, ReportStatus, DEFAULT_RUBRIC};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// Length of every generated interview.
pub const INTERVIEW_MINUTES: i64 = 60;
/// Start hours of the slots of a working day; 12:00 is lunch.
pub const SLOT_HOURS: [u32; 8] = [9, 10, 11, 13, 14, 15, 16, 17];
/// The reason recorded for targets added from a list (as the product records it).
pub use domain::cycle::LISTED_REASON;
/// Share of the eligible employees each cycle targets.
const TARGET_SHARE: f64 = 0.15;
/// Age-milestone rules, widest first; each cycle takes the widest within its share.
const RULES: [&[i32]; 5] = [&[30, 40, 50], &[30, 40], &[40, 50], &[30], &[40]];

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const JST: i64 = domain::time::JST_OFFSET_MS;

/// The generated history. Employees are indices into `company.employees`, consultants are
/// `0..consultants`; reviews and comments are all by the one supervisor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Oldest first; the last one is the current fiscal year.
    pub cycles: Vec<CycleSpec>,
    pub interviews: Vec<InterviewSpec>,
    pub reports: Vec<ReportSpec>,
    pub requests: Vec<RequestSpec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleState {
    Active,
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleSpec {
    /// Such as 2026年度 セルフ・キャリアドック.
    pub name: String,
    pub fiscal_year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub state: CycleState,
    pub rule: TargetRule,
    pub created_at: i64,
    /// In employee order.
    pub targets: Vec<TargetSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    pub employee: usize,
    pub consultant: usize,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterviewSpec {
    /// Index into `cycles`; `None` for an additional interview outside any cycle.
    pub cycle: Option<usize>,
    pub employee: usize,
    pub consultant: usize,
    pub kind: InterviewKind,
    pub mode: InterviewMode,
    /// A room, or the link of the online meeting.
    pub place: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: InterviewStatus,
    /// Why it was cancelled or missed; empty otherwise.
    pub status_note: String,
    /// The consultant's note (面談記録), for most held interviews.
    pub note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSpec {
    /// Index into `interviews` (always a held one); its consultant is the author.
    pub interview: usize,
    pub status: ReportStatus,
    pub sections: ReportSections,
    /// Codes of `domain::report::DEFAULT_TAGS`, one to three.
    pub tags: Vec<&'static str>,
    pub flags: ReportFlags,
    /// 1 + the number of returns so far.
    pub round: i64,
    pub version: i64,
    /// Whether the author named the supervisor when submitting (who then sees it identified).
    pub supervisor_assigned: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
    /// Oldest first.
    pub reviews: Vec<ReviewSpec>,
}

/// A supervisor's decision on one round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewSpec {
    pub round: i64,
    /// `Returned` or `Approved`.
    pub decision: ReportStatus,
    /// (rubric code of `DEFAULT_RUBRIC`, 1–4)
    pub scores: Vec<(&'static str, i64)>,
    /// (section id or "general", text)
    pub comments: Vec<(&'static str, String)>,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSpec {
    pub employee: usize,
    /// The consultant it is addressed to or answered by; `None` for an open request in the pool.
    pub consultant: Option<usize>,
    pub preferred: String,
    pub message: String,
    pub status: RequestStatus,
    /// The reason of a refusal, or a note with the appointment.
    pub reply: Option<String>,
    /// Index into `interviews` of the additional interview that answers it.
    pub interview: Option<usize>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Generates the history of the last three fiscal years up to `today` for `consultants`
/// consultants (none: cycles without targets, and nothing else).
pub fn generate_history(company: &Company, seed: u64, today: NaiveDate, consultants: usize) -> History {
    let people = People::new(company);
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6869_7374_6f72_7921),
        held_so_far: vec![0; company.employees.len()],
        people,
        today,
        now: jst_ms(today, 0, 0),
        consultants,
        out: History::default(),
        held: Vec::new(),
    };
    let current = fiscal_year(today);
    for fy in current - 2..=current {
        let Some(cycle) = b.plan_cycle(fy, fy == current) else { continue };
        if consultants == 0 {
            continue;
        }
        if fy == current {
            b.current_year(cycle);
        } else {
            b.closed_year(cycle);
        }
    }
    if consultants > 0 {
        b.reports(current);
    }
    b.out
}

/// Milliseconds since the epoch of a JST wall-clock time.
pub use domain::time::jst_ms;

/// The JST date of an epoch-millisecond instant.
pub fn jst_date(ms: i64) -> NaiveDate {
    domain::time::jst_date(ms).unwrap_or_default()
}

/// Weekdays outside the New Year, Golden Week and Obon holidays.
fn is_working_day(d: NaiveDate) -> bool {
    let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let holiday = matches!((d.month(), d.day()), (12, 29..=31) | (1, 1..=3) | (4, 29) | (5, 3..=5) | (8, 13..=15));
    !weekend && !holiday
}

fn working_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    if to < from {
        return Vec::new();
    }
    from.iter_days().take_while(|d| *d <= to).filter(|d| is_working_day(*d)).collect()
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(n)).unwrap_or(d)
}

/// The company as the history needs it: bosses by index and members by department.
struct People<'c> {
    company: &'c Company,
    boss: Vec<Option<usize>>,
    members: Vec<Vec<usize>>,
    demo_employee: Option<usize>,
}

/// Endings of men's given names in the name banks, for 〜くん.
const KUN_ENDINGS: [char; 16] = ['郎', '太', '斗', '翔', '輝', '也', '介', '樹', '夫', '男', '雄', '彦', '司', '平', '哉', '吾'];

impl<'c> People<'c> {
    fn new(company: &'c Company) -> Self {
        let by_number: HashMap<&str, usize> = company.employees.iter().enumerate().map(|(i, e)| (e.number.as_str(), i)).collect();
        let boss = company.employees.iter().map(|e| e.boss_number.as_ref().and_then(|b| by_number.get(b.as_str()).copied())).collect();
        let dept_index: HashMap<&DepartmentPath, usize> = company.departments.iter().enumerate().map(|(i, d)| (d, i)).collect();
        let mut members = vec![Vec::new(); company.departments.len()];
        for (i, e) in company.employees.iter().enumerate() {
            if let Some(d) = dept_index.get(&e.department) {
                members[*d].push(i);
            }
        }
        let demo_employee = by_number.get(company.employee_user_employee.as_str()).copied();
        People { company, boss, members, demo_employee }
    }

    fn person(&self, i: usize, fy: i32) -> text::Person<'c> {
        let employees = &self.company.employees;
        let e = &employees[i];
        let (family, given) = split_name(e.name.as_str());
        let (kana_family, kana_given) = match &e.name_kana {
            Some(k) => {
                let (f, g) = split_name(k.as_str());
                (Some(f), Some(g).filter(|g| !g.is_empty()))
            }
            None => (None, None),
        };
        let age = e.birth_year.map(|b| fy - b);
        let boss = self.boss[i].map(|b| {
            let be = &employees[b];
            let (family, given) = split_name(be.name.as_str());
            text::Boss { family, given, title: be.grade.as_deref().and_then(title) }
        });
        text::Person {
            family,
            given,
            kana_family,
            kana_given,
            age,
            years: e.hire_date.map(|h| fy - fiscal_year(h) + 1),
            dept: e.department.name(),
            kun: age.is_some_and(|a| a < 30) && given.chars().last().is_some_and(|c| KUN_ENDINGS.contains(&c)),
            boss,
        }
    }
}

/// 課長, 部長 … for grades that carry a title; none for 一般.
fn title(grade: &str) -> Option<&'static str> {
    grade_label(grade).filter(|t| *t != "一般")
}

fn split_name(full: &str) -> (&str, &str) {
    match full.split_once([' ', '\u{3000}']) {
        Some((f, g)) => (f.trim(), g.trim()),
        None => (full.trim(), ""),
    }
}

/// An interview waiting for its slot.
#[derive(Clone, Copy, Debug)]
struct Event {
    cycle: Option<usize>,
    employee: usize,
    consultant: usize,
    kind: InterviewKind,
    status: InterviewStatus,
    request: Option<usize>,
}

/// A held interview that may get a report.
struct Held {
    interview: usize,
    nth: usize,
    fy: i32,
    follow_month: u32,
}

struct Builder<'c> {
    rng: ChaCha8Rng,
    people: People<'c>,
    today: NaiveDate,
    /// Start of today (JST): everything in the past happened before this.
    now: i64,
    consultants: usize,
    out: History,
    /// Held interviews so far, per employee.
    held_so_far: Vec<usize>,
    held: Vec<Held>,
}

impl Builder<'_> {
    /// Creates the cycle of a fiscal year with its targets: everyone the widest age-milestone
    /// rule within the share selects, topped up from a few departments' lists.
    fn plan_cycle(&mut self, fy: i32, current: bool) -> Option<usize> {
        let (starts_on, ends_on) = fiscal_year_period(fy)?;
        let company = self.people.company;
        let employees = &company.employees;
        let cutoff = if current { self.today } else { starts_on };
        // Back then, today's retirees and people on leave were still at work.
        let eligible: Vec<bool> =
            employees.iter().map(|e| e.hire_date.is_none_or(|h| h <= cutoff) && (!current || e.status == EmployeeStatus::Active)).collect();
        let eligible_count = eligible.iter().filter(|e| **e).count();
        let quota = (eligible_count as f64 * TARGET_SHARE).round() as usize;

        let mut ages: HashMap<i32, usize> = HashMap::new();
        for (e, ok) in employees.iter().zip(&eligible) {
            if let (true, Some(b)) = (*ok, e.birth_year) {
                *ages.entry(fy - b).or_default() += 1;
            }
        }
        // A milestone m is reached by those of age m or m - 1 at the start of the year.
        let matching =
            |ms: &[i32]| ms.iter().map(|m| ages.get(m).copied().unwrap_or(0) + ages.get(&(m - 1)).copied().unwrap_or(0)).sum::<usize>();
        let milestones = RULES.iter().find(|ms| matching(ms) <= quota).copied().unwrap_or(RULES[RULES.len() - 1]);
        let rule = TargetRule { age_milestones: milestones.to_vec(), ..TargetRule::default() };

        let mut targeted = vec![false; employees.len()];
        let mut targets: Vec<(usize, String)> = Vec::new();
        for (i, e) in employees.iter().enumerate() {
            if !eligible[i] {
                continue;
            }
            let c =
                Candidate { id: i as i64, department: String::new(), grade: None, birth_year: e.birth_year, hire_date: None, active: true };
            if let Some(reason) = rule.reason(&c, fy) {
                targeted[i] = true;
                targets.push((i, reason.encode()));
            }
        }
        // HR adds the members of a few departments of concern from a list.
        let mut order: Vec<usize> = (0..company.departments.len()).filter(|d| company.departments[*d].depth() > 1).collect();
        order.shuffle(&mut self.rng);
        for d in order {
            if targets.len() >= quota {
                break;
            }
            for &i in &self.people.members[d] {
                if targets.len() >= quota {
                    break;
                }
                if eligible[i] && !targeted[i] {
                    targeted[i] = true;
                    targets.push((i, LISTED_REASON.to_string()));
                }
            }
        }
        // The demo employee has a history to look at this year and last.
        if let Some(i) = self.people.demo_employee.filter(|i| fy + 1 >= fiscal_year(self.today) && eligible[*i] && !targeted[*i]) {
            targets.push((i, LISTED_REASON.to_string()));
        }
        targets.sort_by_key(|t| t.0);

        let mut shuffled: Vec<usize> = (0..targets.len()).collect();
        shuffled.shuffle(&mut self.rng);
        let mut consultant_of = vec![0usize; targets.len()];
        for (n, t) in shuffled.into_iter().enumerate() {
            consultant_of[t] = n % self.consultants.max(1);
        }
        let targets = if self.consultants == 0 {
            Vec::new()
        } else {
            targets
                .into_iter()
                .zip(consultant_of)
                .map(|((employee, reason), consultant)| TargetSpec { employee, consultant, reason })
                .collect()
        };
        self.out.cycles.push(CycleSpec {
            name: format!("{fy}年度 セルフ・キャリアドック"),
            fiscal_year: fy,
            starts_on,
            ends_on,
            state: if current { CycleState::Active } else { CycleState::Closed },
            rule,
            created_at: jst_ms(add_days(starts_on, -20), 10, 0),
            targets,
        });
        Some(self.out.cycles.len() - 1)
    }

    /// The targets of one consultant in a cycle in a random order, the demo employee last.
    fn targets_of(&mut self, cycle: usize, consultant: usize) -> Vec<usize> {
        let mut mine: Vec<usize> =
            self.out.cycles[cycle].targets.iter().filter(|t| t.consultant == consultant).map(|t| t.employee).collect();
        mine.shuffle(&mut self.rng);
        if let Some(pos) = self.people.demo_employee.and_then(|d| mine.iter().position(|e| *e == d)) {
            let d = mine.remove(pos);
            mine.push(d);
        }
        mine
    }

    /// A closed year: initial interviews from May to mid-January, then re-scheduled,
    /// additional and follow-up interviews until March.
    fn closed_year(&mut self, cycle: usize) {
        let (start, end) = (self.out.cycles[cycle].starts_on, self.out.cycles[cycle].ends_on);
        let first = working_days(add_days(start, 30), add_days(end, -76));
        let second = working_days(add_days(end, -75), add_days(end, -10));
        for c in 0..self.consultants {
            let events: Vec<Event> = self
                .targets_of(cycle, c)
                .into_iter()
                .map(|employee| {
                    let status =
                        self.draw_status(&[(InterviewStatus::Held, 90), (InterviewStatus::NoShow, 4), (InterviewStatus::Cancelled, 6)]);
                    Event { cycle: Some(cycle), employee, consultant: c, kind: InterviewKind::Initial, status, request: None }
                })
                .collect();
            let placed = self.place(events, &first, 0);
            let later: Vec<Event> = placed.iter().filter_map(|(ev, _)| self.follow_on(ev)).collect();
            self.place(later, &second, 0);
        }
    }

    /// The current year: interviews held so far, as many of the rest scheduled in the next
    /// four weeks as the consultants have time for, and the consultation requests.
    fn current_year(&mut self, cycle: usize) {
        let (start, end) = (self.out.cycles[cycle].starts_on, self.out.cycles[cycle].ends_on);
        let span = working_days(add_days(start, 14), add_days(end, -10)).len().max(1);
        let past = working_days(add_days(start, 14), add_days(self.today, -1));
        let future = working_days(add_days(self.today, 1), add_days(self.today, 14));
        let progress = past.len() as f64 / span as f64;
        let done_share = (progress * 1.1).min(0.95);
        let split = past.len() * 3 / 4;
        let (first, second) = past.split_at(split);

        let mut upcoming: Vec<Vec<Event>> = Vec::with_capacity(self.consultants);
        let mut busy = vec![false; self.people.company.employees.len()];
        for c in 0..self.consultants {
            let mine = self.targets_of(cycle, c);
            let n_past = (mine.len() as f64 * done_share).round() as usize;
            let n_past =
                n_past.min(mine.len().saturating_sub(usize::from(self.people.demo_employee.is_some_and(|d| mine.last() == Some(&d)))));
            let events: Vec<Event> = mine[..n_past]
                .iter()
                .map(|&employee| {
                    let status =
                        self.draw_status(&[(InterviewStatus::Held, 88), (InterviewStatus::NoShow, 5), (InterviewStatus::Cancelled, 7)]);
                    Event { cycle: Some(cycle), employee, consultant: c, kind: InterviewKind::Initial, status, request: None }
                })
                .collect();
            let placed = self.place(events, first, 0);
            let later: Vec<Event> = placed.iter().filter_map(|(ev, _)| self.follow_on(ev)).collect();
            self.place(later, second, 0);

            let mut interviewed = vec![false; mine.len()];
            let index: HashMap<usize, usize> = mine.iter().enumerate().map(|(k, e)| (*e, k)).collect();
            for (ev, _) in &placed {
                if let Some(k) = index.get(&ev.employee) {
                    interviewed[*k] = true;
                }
            }
            // The demo employee first, so that they always get their appointment.
            let mut rest: Vec<usize> = mine.iter().zip(&interviewed).filter(|(_, done)| !**done).map(|(e, _)| *e).rev().collect();
            // About half of the rest, within a good part of the next two weeks' hours.
            let room = future.len() * SLOT_HOURS.len() * 45 / 100;
            let keep = rest.len().div_ceil(2).min(room).max(usize::from(!rest.is_empty()));
            rest.truncate(keep);
            let mut events = Vec::new();
            for (k, employee) in rest.into_iter().enumerate() {
                let status = if k == 0 {
                    InterviewStatus::Scheduled
                } else {
                    self.draw_status(&[(InterviewStatus::Scheduled, 94), (InterviewStatus::Cancelled, 6)])
                };
                events.push(Event { cycle: Some(cycle), employee, consultant: c, kind: InterviewKind::Initial, status, request: None });
            }
            for (ev, _) in &placed {
                if ev.status == InterviewStatus::Held && self.rng.gen_bool(0.06) {
                    events.push(Event { kind: InterviewKind::FollowUp, status: InterviewStatus::Scheduled, ..*ev });
                }
            }
            for ev in &events {
                busy[ev.employee] = true;
            }
            upcoming.push(events);
        }

        let requested = self.plan_requests(cycle, &busy);
        for (c, mut theirs) in upcoming.into_iter().enumerate() {
            let mut events: Vec<Event> = requested.iter().filter(|e| e.consultant == c).copied().collect();
            let priority = events.len() + 1;
            events.append(&mut theirs);
            for (ev, idx) in self.place(events, &future, priority) {
                if let Some(r) = ev.request {
                    self.out.requests[r].interview = Some(idx);
                }
            }
        }
        // A request whose interview found no slot stays open.
        for r in &mut self.out.requests {
            if r.status == RequestStatus::Scheduled && r.interview.is_none() {
                r.status = RequestStatus::Open;
                r.reply = None;
                r.updated_at = r.created_at;
            }
        }
    }

    /// Consultation requests of a few employees: open, answered with an additional interview
    /// (returned as events to schedule), or declined with a reason. The demo employee's is open.
    fn plan_requests(&mut self, cycle: usize, busy: &[bool]) -> Vec<Event> {
        let employees = &self.people.company.employees;
        let mut assigned: Vec<Option<usize>> = vec![None; employees.len()];
        for t in &self.out.cycles[cycle].targets {
            assigned[t.employee] = Some(t.consultant);
        }
        let active = employees.iter().filter(|e| e.status == EmployeeStatus::Active).count();
        let wanted = (3 + active / 200).min(150).min(active);
        let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
        let mut taken = vec![false; employees.len()];
        if let Some(d) = self.people.demo_employee.filter(|d| employees[*d].status == EmployeeStatus::Active) {
            chosen.push(d);
            taken[d] = true;
        }
        let mut attempts = 0;
        while chosen.len() < wanted && attempts < wanted * 20 && !employees.is_empty() {
            attempts += 1;
            let i = self.rng.gen_range(0..employees.len());
            if !taken[i] && !busy[i] && employees[i].status == EmployeeStatus::Active {
                taken[i] = true;
                chosen.push(i);
            }
        }
        let demo = self.people.demo_employee;
        let mut events = Vec::new();
        for (k, employee) in chosen.into_iter().enumerate() {
            let status = match (Some(employee) == demo, k % 8) {
                (true, _) => RequestStatus::Open,
                (false, 1 | 4 | 7) => RequestStatus::Scheduled,
                (false, 2 | 5) => RequestStatus::Declined,
                _ => RequestStatus::Open,
            };
            let created_at = self.now - self.rng.gen_range(DAY..12 * DAY);
            let answered = (created_at + self.rng.gen_range(2 * HOUR..48 * HOUR)).min(self.now - MINUTE);
            let answerer = assigned[employee].unwrap_or_else(|| self.rng.gen_range(0..self.consultants));
            let preferred = if self.rng.gen_bool(0.5) {
                let d = add_days(self.today, self.rng.gen_range(3..15));
                let h = SLOT_HOURS[self.rng.gen_range(0..SLOT_HOURS.len() - 1)];
                format!("{}月{}日 {}時〜{}時", d.month(), d.day(), h, h + 2)
            } else {
                text::pick(&mut self.rng, text::PREFERRED).to_string()
            };
            let message = text::pick(&mut self.rng, text::REQUEST_MESSAGES).to_string();
            let (consultant, reply, updated_at) = match status {
                RequestStatus::Open => (assigned[employee], None, created_at),
                RequestStatus::Scheduled => {
                    let reply = self.rng.gen_bool(0.5).then(|| text::pick(&mut self.rng, text::SCHEDULE_REPLIES).to_string());
                    (Some(answerer), reply, answered)
                }
                RequestStatus::Declined => (Some(answerer), Some(text::pick(&mut self.rng, text::DECLINE_REASONS).to_string()), answered),
            };
            let r = self.out.requests.len();
            self.out.requests.push(RequestSpec {
                employee,
                consultant,
                preferred,
                message,
                status,
                reply,
                interview: None,
                created_at,
                updated_at,
            });
            if status == RequestStatus::Scheduled {
                events.push(Event {
                    cycle: assigned[employee].map(|_| cycle),
                    employee,
                    consultant: answerer,
                    kind: InterviewKind::Additional,
                    status: InterviewStatus::Scheduled,
                    request: Some(r),
                });
            }
        }
        events
    }

    fn draw_status(&mut self, weights: &[(InterviewStatus, u32)]) -> InterviewStatus {
        weighted(&mut self.rng, weights)
    }

    /// What follows an interview later in the year: another try after a cancellation or a
    /// no-show, and for some held ones an additional or follow-up interview.
    fn follow_on(&mut self, ev: &Event) -> Option<Event> {
        use InterviewStatus as S;
        let (kind, status) = match ev.status {
            S::Cancelled | S::NoShow if self.rng.gen_bool(0.7) => {
                (InterviewKind::Initial, self.draw_status(&[(S::Held, 92), (S::NoShow, 8)]))
            }
            S::Held => {
                let kind = match self.rng.gen_range(0..100) {
                    0..=6 => InterviewKind::Additional,
                    7..=16 => InterviewKind::FollowUp,
                    _ => return None,
                };
                (kind, self.draw_status(&[(S::Held, 93), (S::Cancelled, 5), (S::NoShow, 2)]))
            }
            _ => return None,
        };
        Some(Event { kind, status, request: None, ..*ev })
    }

    /// Gives events distinct slots of the days (uniformly spread, selection sampling) and
    /// records them; the first `priority` events are never the ones left out for lack of time.
    fn place(&mut self, mut events: Vec<Event>, days: &[NaiveDate], priority: usize) -> Vec<(Event, usize)> {
        let cap = days.len() * SLOT_HOURS.len();
        let priority = priority.min(events.len());
        events[priority..].shuffle(&mut self.rng);
        events.truncate(cap);
        events.shuffle(&mut self.rng);
        let mut placed = Vec::with_capacity(events.len());
        let mut pending = events.into_iter();
        let mut need = pending.len();
        for t in 0..cap {
            if need == 0 {
                break;
            }
            if self.rng.gen_range(0..cap - t) < need {
                need -= 1;
                let Some(ev) = pending.next() else { break };
                let at = jst_ms(days[t / SLOT_HOURS.len()], SLOT_HOURS[t % SLOT_HOURS.len()], 0);
                let idx = self.record(&ev, at);
                placed.push((ev, idx));
            }
        }
        placed
    }

    /// Adds the interview of an event at its start time; returns its index.
    fn record(&mut self, ev: &Event, starts_at: i64) -> usize {
        use InterviewStatus as S;
        let ends_at = starts_at + INTERVIEW_MINUTES * MINUTE;
        let (mode, place) = if self.rng.gen_bool(0.6) {
            (InterviewMode::InPerson, text::pick(&mut self.rng, text::ROOMS).to_string())
        } else {
            (InterviewMode::Online, format!("https://meet.example.jp/{}", self.meeting_code()))
        };
        let cycle_created = ev.cycle.map_or(i64::MIN, |c| self.out.cycles[c].created_at);
        let future = starts_at >= self.now;
        let created_at = match ev.request {
            Some(r) => self.out.requests[r].updated_at,
            None if future => (self.now - self.rng.gen_range(HOUR..14 * DAY)).max(cycle_created),
            None => (starts_at - self.rng.gen_range(3 * DAY..28 * DAY)).max(cycle_created),
        };
        let updated_at = match ev.status {
            S::Held | S::NoShow => (ends_at + self.rng.gen_range(10 * MINUTE..30 * HOUR)).min(self.now).max(ends_at),
            S::Cancelled if future => created_at + (self.now - created_at) / 2,
            S::Cancelled => (starts_at - self.rng.gen_range(DAY..4 * DAY)).max(created_at),
            S::Scheduled => created_at,
        };
        let status_note = match ev.status {
            S::Cancelled => text::pick(&mut self.rng, text::CANCEL_NOTES).to_string(),
            S::NoShow => text::pick(&mut self.rng, text::NO_SHOW_NOTES).to_string(),
            _ => String::new(),
        };
        let day = jst_date(starts_at);
        let fy = fiscal_year(day);
        let nth = self.held_so_far[ev.employee] + 1;
        let follow_month = add_days(day, 91).month();
        let note = if ev.status == S::Held && self.rng.gen_bool(0.85) {
            let person = self.people.person(ev.employee, fy);
            let occasion = text::Occasion { nth, follow_month, kind: ev.kind };
            let named = self.rng.gen_bool(0.3);
            Some(text::Writer::new(&person, &occasion, &mut self.rng, named).note())
        } else {
            None
        };
        let idx = self.out.interviews.len();
        if ev.status == S::Held {
            self.held_so_far[ev.employee] = nth;
            self.held.push(Held { interview: idx, nth, fy, follow_month });
        }
        self.out.interviews.push(InterviewSpec {
            cycle: ev.cycle,
            employee: ev.employee,
            consultant: ev.consultant,
            kind: ev.kind,
            mode,
            place,
            starts_at,
            ends_at,
            status: ev.status,
            status_note,
            note,
            created_at,
            updated_at,
        });
        idx
    }

    fn meeting_code(&mut self) -> String {
        let mut s = String::with_capacity(12);
        for (i, len) in [3, 4, 3].into_iter().enumerate() {
            if i > 0 {
                s.push('-');
            }
            for _ in 0..len {
                s.push(char::from(b'a' + self.rng.gen_range(0..26u8)));
            }
        }
        s
    }

    /// Reports of held interviews: their status follows how long ago the interview was, and
    /// the current year shows every status.
    fn reports(&mut self, current: i32) {
        use ReportStatus as R;
        let held = std::mem::take(&mut self.held);
        let mut plan: Vec<(usize, ReportStatus, ReportFlags)> = Vec::with_capacity(held.len());
        for (h, item) in held.iter().enumerate() {
            let iv = &self.out.interviews[item.interview];
            if iv.kind != InterviewKind::Initial && !self.rng.gen_bool(0.85) {
                continue;
            }
            let age_days = (self.now - iv.ends_at) / DAY;
            // A closed year's reports were all reviewed and approved before it closed.
            let weights: &[(ReportStatus, u32)] = match age_days {
                _ if held[h].fy != current => &[(R::Approved, 1)],
                ..=2 => &[(R::Draft, 1)],
                3..=10 => &[(R::Draft, 40), (R::Submitted, 35), (R::Returned, 15), (R::Approved, 10)],
                11..=30 => &[(R::Draft, 10), (R::Submitted, 20), (R::Returned, 15), (R::Approved, 55)],
                31..=60 => &[(R::Submitted, 5), (R::Returned, 5), (R::Approved, 90)],
                _ => &[(R::Approved, 1)],
            };
            if age_days <= 2 && self.rng.gen_bool(0.5) {
                continue; // not started yet
            }
            let status = weighted(&mut self.rng, weights);
            let flags = ReportFlags { life_safety: self.rng.gen_bool(0.015), organizational_response: self.rng.gen_bool(0.10) };
            plan.push((h, status, flags));
        }

        // Every status in the current year: the most recent reports take the missing ones
        // (the oldest takes "approved"), from statuses that have more than one.
        let mut recent: Vec<usize> = (0..plan.len()).filter(|p| held[plan[*p].0].fy == current).collect();
        recent.sort_by_key(|p| std::cmp::Reverse(self.out.interviews[held[plan[*p].0].interview].ends_at));
        for s in R::ALL {
            let count = |plan: &[(usize, ReportStatus, ReportFlags)], s: ReportStatus| recent.iter().filter(|p| plan[**p].1 == s).count();
            if count(&plan, s) > 0 {
                continue;
            }
            let candidates: Vec<usize> = if s == R::Approved { recent.iter().rev().copied().collect() } else { recent.clone() };
            if let Some(p) = candidates.into_iter().find(|p| count(&plan, plan[*p].1) > 1) {
                plan[p].1 = s;
            }
        }
        // At least one life/safety case once there are enough reports to hide it among.
        if plan.len() >= 30 && !plan.iter().any(|p| p.2.life_safety) {
            if let Some(p) = recent.first().copied().or(Some(plan.len() - 1)) {
                plan[p].2.life_safety = true;
            }
        }

        self.out.reports.reserve(plan.len());
        for (h, status, flags) in plan {
            let item = &held[h];
            let report = self.report(item, status, flags);
            self.out.reports.push(report);
        }
    }

    fn report(&mut self, item: &Held, status: ReportStatus, flags: ReportFlags) -> ReportSpec {
        use ReportStatus as R;
        let iv = &self.out.interviews[item.interview];
        let (employee, ends_at, kind) = (iv.employee, iv.ends_at, iv.kind);
        let tags = choose_tags(&mut self.rng, flags);
        let person = self.people.person(employee, item.fy);
        let occasion = text::Occasion { nth: item.nth, follow_month: item.follow_month, kind };
        let named = self.rng.gen_bool(0.55);
        let sections = text::Writer::new(&person, &occasion, &mut self.rng, named).report(&tags, flags);

        // Returns so far: approved reports went back once in a while; a returned or resubmitted one at least once.
        let returns = match status {
            R::Draft => 0,
            R::Submitted => usize::from(self.rng.gen_bool(0.3)),
            R::Returned => 1 + usize::from(self.rng.gen_bool(0.1)),
            R::Approved => weighted(&mut self.rng, &[(0usize, 78), (1, 19), (2, 3)]),
        };
        let mut steps = vec![Step::Create];
        match status {
            R::Draft => steps.push(Step::Save),
            R::Submitted | R::Approved => {
                steps.push(Step::Submit);
                for _ in 0..returns {
                    steps.extend([Step::Return, Step::Submit]);
                }
                if status == R::Approved {
                    steps.push(Step::Approve);
                }
            }
            R::Returned => {
                steps.push(Step::Submit);
                for _ in 1..returns {
                    steps.extend([Step::Return, Step::Submit]);
                }
                steps.push(Step::Return);
            }
        }
        let times = self.timeline(ends_at, &steps);

        let mut reviews = Vec::new();
        let mut round = 1;
        let mut submitted_at = None;
        let mut approved_at = None;
        for (step, at) in steps.iter().zip(&times) {
            match step {
                Step::Submit => submitted_at = Some(*at),
                Step::Return => {
                    let scores = self.scores(2, 3);
                    reviews.push(ReviewSpec {
                        round,
                        decision: R::Returned,
                        scores,
                        comments: text::return_comments(&mut self.rng),
                        at: *at,
                    });
                    round += 1;
                }
                Step::Approve => {
                    let scores = self.scores(2, 4);
                    let comments = text::approval_comment(&mut self.rng).into_iter().collect();
                    reviews.push(ReviewSpec { round, decision: R::Approved, scores, comments, at: *at });
                    approved_at = Some(*at);
                }
                Step::Create | Step::Save => {}
            }
        }
        let saves = steps.iter().filter(|s| matches!(s, Step::Save | Step::Submit)).count() as i64;
        ReportSpec {
            interview: item.interview,
            status,
            sections,
            tags,
            flags,
            round,
            version: 1 + saves + self.rng.gen_range(0..=2),
            // Authors name a supervisor for a case now and then, not as a rule.
            supervisor_assigned: status != R::Draft && self.rng.gen_bool(0.15),
            created_at: times[0],
            updated_at: times[times.len() - 1],
            submitted_at,
            approved_at,
            reviews,
        }
    }

    /// Times of the steps after `from`, squeezed to end before now when needed.
    fn timeline(&mut self, from: i64, steps: &[Step]) -> Vec<i64> {
        let gaps: Vec<i64> = steps
            .iter()
            .map(|s| match s {
                Step::Create => self.rng.gen_range(2 * HOUR..30 * HOUR),
                Step::Save => self.rng.gen_range(HOUR..48 * HOUR),
                Step::Submit => self.rng.gen_range(DAY..4 * DAY),
                Step::Return | Step::Approve => self.rng.gen_range(DAY..3 * DAY),
            })
            .collect();
        let total: i64 = gaps.iter().sum();
        let room = (self.now - MINUTE - from).max(steps.len() as i64);
        let squeezed: Vec<i64> =
            gaps.iter().map(|g| if total > room { (i128::from(*g) * i128::from(room) / i128::from(total)) as i64 } else { *g }).collect();
        let walk = |snap: bool| {
            let mut t = from;
            squeezed
                .iter()
                .map(|g| {
                    t += g.max(&1);
                    if snap {
                        t = office_hours(t);
                    }
                    t
                })
                .collect::<Vec<i64>>()
        };
        // People write and review in office hours, when that still ends before now.
        let office = walk(true);
        if office.last().is_some_and(|l| *l < self.now - MINUTE) {
            office
        } else {
            walk(false)
        }
    }

    fn scores(&mut self, low: i64, high: i64) -> Vec<(&'static str, i64)> {
        DEFAULT_RUBRIC.iter().map(|(code, _, _)| (*code, self.rng.gen_range(low..=high))).collect()
    }
}

/// The same moment, or the next one within 9:00–19:00 JST (minutes kept).
fn office_hours(t: i64) -> i64 {
    let local = t + JST;
    let day = local - local.rem_euclid(DAY);
    let at = local - day;
    let moved = if at < 9 * HOUR {
        day + 9 * HOUR + at % HOUR
    } else if at >= 19 * HOUR {
        day + DAY + 9 * HOUR + at % HOUR
    } else {
        local
    };
    moved - JST
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Create,
    Save,
    Submit,
    Return,
    Approve,
}

/// How often each tag leads a report.
const TAG_WEIGHTS: [(&str, u32); 8] = [
    ("career_direction", 22),
    ("skill_development", 16),
    ("job_content", 14),
    ("work_style", 14),
    ("relationships", 12),
    ("evaluation", 10),
    ("organization_system", 6),
    ("health", 6),
];

/// One to three distinct tags; health leads a life/safety case, and an organizational
/// response comes with an organizational tag.
fn choose_tags<R: Rng>(rng: &mut R, flags: ReportFlags) -> Vec<&'static str> {
    let n = weighted(rng, &[(1usize, 50), (2, 35), (3, 15)]);
    let mut tags: Vec<&'static str> = Vec::with_capacity(3);
    if flags.life_safety {
        tags.push("health");
    }
    while tags.len() < n {
        let t = weighted(rng, &TAG_WEIGHTS);
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let organizational = ["organization_system", "work_style", "relationships"];
    if flags.organizational_response && !tags.iter().any(|t| organizational.contains(t)) {
        if tags.len() == 3 {
            tags.pop();
        }
        tags.push(organizational[rng.gen_range(0..organizational.len())]);
    }
    tags
}

fn weighted<R: Rng, T: Copy>(rng: &mut R, weights: &[(T, u32)]) -> T {
    let total: u32 = weights.iter().map(|w| w.1).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for (value, w) in weights {
        if roll < *w {
            return *value;
        }
        roll -= w;
    }
    weights[0].0
}
