//! The demo's consent story (issue 8): the `employee` login's employee and several other members
//! of the `boss` login's team each get an approved report by `consultant1` in the current cycle
//! (an additional interview held a few weeks ago), and feedback to their boss in every state:
//! the demo employee has one disclosure waiting for their decision and one they granted earlier;
//! the others have granted, refused and withdrawn feedback, recorded by the consultant on their
//! behalf (they have no accounts).
//!
//! Pure like the rest of the crate: [`add_story`] extends a generated history, [`to_seed`] turns
//! the story into the store's terms once the ids are known.

use crate::history::{History, InterviewSpec, ReportSpec, ReviewSpec};
use crate::Company;
use chrono::{Datelike, NaiveDate, TimeDelta};
use domain::consent::{ConsentDecision, ConsentMethod, Purpose, Recipient};
use domain::employee::EmployeeStatus;
use domain::ids::{EmployeeId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use store::{SeedConsent, SeedDisclosure};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// How a team member's feedback ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The demo employee: one granted earlier, one waiting for their decision.
    DemoEmployee,
    Granted,
    Refused,
    Withdrawn,
}

/// One member of the boss's team in the story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Index into the company's employees.
    pub employee: usize,
    pub family: String,
    pub outcome: Outcome,
    /// When the report was approved (the disclosures come after).
    pub approved_at: i64,
}

/// The outcomes of the members after the demo employee, in order.
const OTHERS: [Outcome; 4] = [Outcome::Granted, Outcome::Refused, Outcome::Withdrawn, Outcome::Granted];

/// Adds to `history` an additional interview with `consultant1` (consultant 0) and its approved
/// report for the demo employee and up to four other active members reporting to the demo boss,
/// in the current cycle; returns who they are. Interviews take 8:00 on distinct past days, before
/// the generated slots of any day, so they overlap nothing.
pub fn add_story(history: &mut History, company: &Company, today: NaiveDate) -> Vec<Member> {
    let Some(cycle) = history.cycles.len().checked_sub(1) else { return Vec::new() };
    let starts_on = history.cycles[cycle].starts_on;
    let boss = &company.boss_user_employee;
    let demo = company.employees.iter().position(|e| e.number == company.employee_user_employee);
    let team = company
        .employees
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            Some(*i) != demo && e.boss_number.as_ref() == Some(boss) && e.status == EmployeeStatus::Active && e.number != *boss
        })
        .map(|(i, _)| i)
        .take(OTHERS.len());
    let chosen: Vec<(usize, Outcome)> = demo.map(|d| (d, Outcome::DemoEmployee)).into_iter().chain(team.zip(OTHERS)).collect();
    let mut out = Vec::new();
    for (k, (employee, outcome)) in chosen.into_iter().enumerate() {
        let day = (today - TimeDelta::days(35 + 3 * k as i64)).max(starts_on);
        if day >= today {
            continue;
        }
        let start = domain::time::jst_ms(day, 8, 0);
        let family = company.employees[employee].name.as_str().split([' ', '\u{3000}']).next().unwrap_or_default().to_string();
        let interview = history.interviews.len();
        history.interviews.push(InterviewSpec {
            cycle: Some(cycle),
            employee,
            consultant: 0,
            kind: InterviewKind::Additional,
            mode: InterviewMode::InPerson,
            place: "本社 3階 面談室B".into(),
            starts_at: start,
            ends_at: start + 50 * MINUTE,
            status: InterviewStatus::Held,
            status_note: String::new(),
            note: Some(format!("{family}さんと、今後の担当業務と上司との対話について話した。上司への共有について本人の意向を確認した。")),
            created_at: start - 7 * DAY,
            updated_at: start + HOUR,
        });
        let approved_at = start + 3 * DAY;
        history.reports.push(ReportSpec {
            interview,
            status: ReportStatus::Approved,
            sections: sections(&family, day.month()),
            tags: vec!["career_direction", "relationships"],
            flags: ReportFlags::default(),
            round: 1,
            version: 3,
            supervisor_assigned: true,
            created_at: start + HOUR,
            updated_at: approved_at,
            submitted_at: Some(start + DAY),
            approved_at: Some(approved_at),
            reviews: vec![ReviewSpec {
                round: 1,
                decision: ReportStatus::Approved,
                scores: vec![("evidence", 3), ("privacy", 4)],
                comments: Vec::new(),
                at: approved_at,
            }],
        });
        out.push(Member { employee, family, outcome, approved_at });
    }
    out
}

fn sections(family: &str, month: u32) -> ReportSections {
    ReportSections {
        career_awareness: format!("{family}さんは、今の仕事の幅を広げたいと考えているが、何から始めればよいか迷っている。"),
        workplace: format!("{family}さんは、上司との1on1が{month}月以降あまり持てていないと感じている。チームの雰囲気は良好。"),
        organization: "業務の割り振りの考え方がチーム内で共有されていないと感じている。".into(),
        support_plan: "本人の強みを言語化し、上司と話す内容を一緒に整理する。".into(),
        next_steps: "上司へのフィードバックについて本人の同意を得て共有し、2か月後に追加面談を行う。".into(),
    }
}

/// The feedback texts: short, for the boss, and only what the member agreed to pass on.
fn feedback(family: &str, n: usize) -> String {
    match n {
        0 => format!(
            "{family}さんは、今の仕事の幅を広げたいと考えています。\n月1回の1on1で、本人が挑戦したい業務について話す時間をとってください。"
        ),
        _ => format!(
            "{family}さんは、業務の割り振りの考え方を知りたいと感じています。\n次の1on1で、チームの業務分担の方針を説明してください。"
        ),
    }
}

/// The story in the store's terms: `employees[i]` is the id of the company's i-th employee; the
/// demo employee decides in the app as `employee_user`, the others' decisions are recorded by
/// `consultant1` on their behalf. `now` is the time of seeding.
pub fn to_seed(
    members: &[Member],
    employees: &[EmployeeId],
    consultant1: UserId,
    boss: UserId,
    employee_user: UserId,
    now: i64,
) -> Vec<SeedDisclosure> {
    let mut out = Vec::new();
    for m in members {
        let Some(&employee) = employees.get(m.employee) else { continue };
        let written = m.approved_at + DAY;
        let seed = |versions: Vec<(String, i64)>, entries: Vec<SeedConsent>| SeedDisclosure {
            employee,
            author: consultant1,
            purpose: Purpose::BossFeedback,
            recipient: Recipient::User(boss),
            versions,
            entries,
        };
        let on_behalf = |decision: ConsentDecision, method: ConsentMethod, at: i64, evidence: &str| SeedConsent {
            version: 1,
            decision,
            method,
            recorded_by: consultant1,
            at,
            expires_at: None,
            comment: String::new(),
            evidence: evidence.to_string(),
        };
        match m.outcome {
            Outcome::DemoEmployee => {
                // Granted earlier in the app, until the end of the fiscal year.
                let fy_end = chrono::DateTime::from_timestamp_millis(now)
                    .map(|t| t.with_timezone(&domain::time::JST).date_naive())
                    .map(|d| domain::cycle::fiscal_year(d) + 1)
                    .and_then(|y| NaiveDate::from_ymd_opt(y, 4, 1))
                    .map(|d| domain::time::jst_ms(d, 0, 0));
                let granted = SeedConsent {
                    version: 1,
                    decision: ConsentDecision::Grant,
                    method: ConsentMethod::App,
                    recorded_by: employee_user,
                    at: written + 2 * DAY,
                    expires_at: fy_end.filter(|x| *x > now),
                    comment: String::new(),
                    evidence: String::new(),
                };
                out.push(seed(vec![(feedback(&m.family, 0), written)], vec![granted]));
                // A second text, asked two days ago, waiting for the decision.
                out.push(seed(vec![(feedback(&m.family, 1), now - 2 * DAY)], Vec::new()));
            }
            Outcome::Granted => out.push(seed(
                vec![(feedback(&m.family, 0), written)],
                vec![on_behalf(
                    ConsentDecision::Grant,
                    ConsentMethod::Written,
                    written + DAY,
                    "面談時に同意書（紙）に署名をもらい、人事部の鍵付き書庫に保管した。",
                )],
            )),
            Outcome::Refused => out.push(seed(
                vec![(feedback(&m.family, 1), written)],
                vec![on_behalf(
                    ConsentDecision::Refuse,
                    ConsentMethod::Verbal,
                    written + DAY,
                    "電話で確認したところ、今は上司に伝えないでほしいとのことだった。",
                )],
            )),
            Outcome::Withdrawn => out.push(seed(
                vec![(feedback(&m.family, 0), written)],
                vec![
                    on_behalf(ConsentDecision::Grant, ConsentMethod::Verbal, written + DAY, "面談の最後に口頭で同意を確認した。"),
                    on_behalf(
                        ConsentDecision::Withdraw,
                        ConsentMethod::Written,
                        written + 5 * DAY,
                        "本人から同意を取り消したいとの書面（メール）を受け取った。",
                    ),
                ],
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boss_team_gets_every_outcome_and_the_demo_employee_comes_first() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let company = crate::generate_company(1200, 20261125, today);
        let mut history = crate::history::generate_history(&company, 20261125, today, 3);
        let before = history.reports.len();
        let members = add_story(&mut history, &company, today);
        assert_eq!(members.first().map(|m| m.outcome), Some(Outcome::DemoEmployee));
        let outcomes: Vec<Outcome> = members.iter().map(|m| m.outcome).collect();
        for o in [Outcome::Granted, Outcome::Refused, Outcome::Withdrawn] {
            assert!(outcomes.contains(&o), "{outcomes:?}");
        }
        assert_eq!(history.reports.len(), before + members.len());
        let ids: Vec<EmployeeId> = (0..company.employees.len() as i64).map(|i| EmployeeId::new(i + 1)).collect();
        let now = domain::time::jst_ms(today, 12, 0);
        let seeds = to_seed(&members, &ids, UserId::new(1), UserId::new(2), UserId::new(3), now);
        // The demo employee has two: one granted, one waiting.
        assert_eq!(seeds.len(), members.len() + 1);
        assert!(seeds[0].entries.iter().any(|e| e.decision == ConsentDecision::Grant && e.method == ConsentMethod::App));
        assert!(seeds[1].entries.is_empty());
        // Every disclosure comes after its report was approved and before now.
        for (s, m) in seeds.iter().zip(std::iter::once(&members[0]).chain(members.iter())) {
            assert!(s.versions.iter().all(|(_, at)| *at > m.approved_at && *at < now), "{s:?}");
        }
    }
}
