//! The demo's questionnaire answers (キャリア意識アンケート, `career-awareness`): most interviewees
//! of every cycle answer before their interview (`pre`) and some weeks after it (`post`, when
//! that day has come). Half of the 部 (chosen from the seed) get a real but modest rise in
//! score (d_z about 0.3–0.5 at the group level); the others none. The `employee` demo login
//! answers in every cycle that has begun, with a score that rises from year to year, so that
//! their わたしのアンケート shows a trajectory. Pure and deterministic from the seed.

use crate::history::{jst_date, CycleState, History};
use crate::Company;
use chrono::{Duration, NaiveDate};
use domain::interview::InterviewStatus;
use domain::questionnaire::{career_awareness, Timing};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Of the interviewees of a cycle, those who answer before their interview.
pub const ANSWER_PRE: f64 = 0.88;
/// Of those, who answer again afterwards.
pub const ANSWER_POST: f64 = 0.9;
/// Of the answer sets, those left with one item blank (no score).
pub const INCOMPLETE: f64 = 0.02;
/// The mean rise in the 部 with an effect (score points, before the answers are rounded).
pub const EFFECT: f64 = 0.22;
/// The spread of a person's true change (score points).
pub const CHANGE_SD: f64 = 0.4;

/// One answer set to write.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerSpec {
    /// Index into `company.employees`.
    pub employee: usize,
    pub timing: Timing,
    pub answered_on: NaiveDate,
    /// Every item of `career-awareness` in order; `None` for a blank.
    pub answers: Vec<(String, Option<i64>)>,
}

/// The answer sets of one cycle (by its name).
#[derive(Clone, Debug, PartialEq)]
pub struct CycleAnswers {
    pub cycle: String,
    pub answers: Vec<AnswerSpec>,
}

/// The 部 a department path belongs to (its first segment named …部 but not …本部), or its last
/// segment: the unit the effect is drawn for.
pub fn unit_of(segments: &[String]) -> String {
    segments.iter().find(|s| s.ends_with('部') && !s.ends_with("本部")).or(segments.last()).cloned().unwrap_or_default()
}

/// The units with an effect: about half of them, from the seed.
pub fn effect_units(company: &Company, seed: u64) -> BTreeSet<String> {
    let units: BTreeSet<String> = company.employees.iter().map(|e| unit_of(e.department.segments())).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6566_6665_6374);
    units.into_iter().filter(|_| rng.gen_bool(0.5)).collect()
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Item answers around a true level: each item is the level plus noise, rounded onto the scale;
/// a reverse-scored item is answered the other way.
fn answers_at(rng: &mut ChaCha8Rng, level: f64, items: &[(String, bool)], incomplete: bool) -> Vec<(String, Option<i64>)> {
    let blank = if incomplete { Some(rng.gen_range(0..items.len())) } else { None };
    items
        .iter()
        .enumerate()
        .map(|(i, (code, reverse))| {
            let v = (level + 0.7 * normal(rng)).round().clamp(1.0, 5.0) as i64;
            let v = if *reverse { 6 - v } else { v };
            (code.clone(), if blank == Some(i) { None } else { Some(v) })
        })
        .collect()
}

/// Every cycle's answer sets; `employee_login` is the `employee` demo login's index.
pub fn generate(company: &Company, history: &History, seed: u64, today: NaiveDate, employee_login: Option<usize>) -> Vec<CycleAnswers> {
    let Ok(q) = career_awareness::questionnaire() else { return Vec::new() };
    let items: Vec<(String, bool)> = q.items().iter().map(|i| (i.code.clone(), i.reverse)).collect();
    let effect = effect_units(company, seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7175_6573_7469_6f6e);
    // Each person's usual level, the same across cycles.
    let base: Vec<f64> = (0..company.employees.len()).map(|_| (3.1 + 0.45 * normal(&mut rng)).clamp(1.5, 4.6)).collect();
    let mut out = Vec::new();
    for (ci, cycle) in history.cycles.iter().enumerate() {
        // The first held interview of each employee in the cycle.
        let mut first: BTreeMap<usize, NaiveDate> = BTreeMap::new();
        for iv in history.interviews.iter().filter(|iv| iv.cycle == Some(ci) && iv.status == InterviewStatus::Held) {
            let day = jst_date(iv.starts_at);
            first.entry(iv.employee).and_modify(|d| *d = (*d).min(day)).or_insert(day);
        }
        if let Some(me) = employee_login.filter(|_| cycle.starts_on <= today) {
            first.entry(me).or_insert_with(|| (cycle.starts_on + Duration::days(60)).min(today));
        }
        let mut answers = Vec::new();
        for (&employee, &interview) in &first {
            let mine = Some(employee) == employee_login;
            if !mine && !rng.gen_bool(ANSWER_PRE) {
                continue;
            }
            let Some(person) = company.employees.get(employee) else { continue };
            let pre_on = (interview - Duration::days(rng.gen_range(1..=7))).max(cycle.starts_on.min(interview));
            let level = if mine { 2.6 + 0.35 * ci as f64 } else { base[employee] + 0.1 * normal(&mut rng) };
            let incomplete = !mine && rng.gen_bool(INCOMPLETE);
            answers.push(AnswerSpec {
                employee,
                timing: Timing::Pre,
                answered_on: pre_on,
                answers: answers_at(&mut rng, level, &items, incomplete),
            });
            let post_on = interview + Duration::days(rng.gen_range(14..=42));
            let answers_post = mine || rng.gen_bool(ANSWER_POST);
            if post_on > today || !answers_post || (cycle.state == CycleState::Closed && post_on > cycle.ends_on + Duration::days(30)) {
                continue;
            }
            let rise = if mine {
                0.3
            } else if effect.contains(&unit_of(person.department.segments())) {
                EFFECT + CHANGE_SD * normal(&mut rng)
            } else {
                CHANGE_SD * normal(&mut rng)
            };
            let incomplete = !mine && rng.gen_bool(INCOMPLETE);
            answers.push(AnswerSpec {
                employee,
                timing: Timing::Post,
                answered_on: post_on,
                answers: answers_at(&mut rng, level + rise, &items, incomplete),
            });
        }
        out.push(CycleAnswers { cycle: cycle.name.clone(), answers });
    }
    out
}

/// One cycle's answer sets as the rows `Store::import_responses` takes.
pub fn response_rows(company: &Company, c: &CycleAnswers) -> Vec<domain::questionnaire::import::ResponseRow> {
    c.answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            company.employees.get(a.employee).map(|e| domain::questionnaire::import::ResponseRow {
                line: i + 2,
                employee_number: e.number.clone(),
                timing: a.timing,
                answered_on: a.answered_on,
                answers: a.answers.clone(),
                number_column: "employee_number".to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::effect::{measure, Pair};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn most_interviewees_answer_and_the_effect_is_modest_where_drawn() {
        let company = crate::generate_company(1200, 7, today());
        let history = crate::history::generate_history(&company, 7, today(), 3);
        let me = company.employees.iter().position(|e| e.number == company.employee_user_employee);
        let all = generate(&company, &history, 7, today(), me);
        assert_eq!(all, generate(&company, &history, 7, today(), me), "deterministic");
        assert!(all.len() >= 3);
        let q = career_awareness::questionnaire().unwrap();
        let score = |a: &AnswerSpec| {
            let refs: Vec<(&str, Option<i64>)> = a.answers.iter().map(|(c, v)| (c.as_str(), *v)).collect();
            q.score(&refs).ok().and_then(|s| s.score)
        };
        let effect = effect_units(&company, 7);
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for c in &all {
            let mut pre: BTreeMap<usize, f64> = BTreeMap::new();
            for a in c.answers.iter().filter(|a| a.timing == Timing::Pre) {
                if let Some(s) = score(a) {
                    pre.insert(a.employee, s);
                }
            }
            for a in c.answers.iter().filter(|a| a.timing == Timing::Post) {
                assert!(a.answered_on <= today());
                if let (Some(b), Some(s)) = (pre.get(&a.employee), score(a)) {
                    let unit = unit_of(company.employees[a.employee].department.segments());
                    if effect.contains(&unit) { &mut with } else { &mut without }.push(Pair::new(*b, s));
                }
            }
        }
        let (w, wo) = (measure(&with), measure(&without));
        let (dw, dwo) = (w.d_z.unwrap_or_default(), wo.d_z.unwrap_or_default());
        assert!((0.25..0.6).contains(&dw), "with an effect: d_z {dw} over {}", w.n);
        assert!(dwo.abs() < 0.3, "without: d_z {dwo} over {}", wo.n);
        // The employee login answers in every cycle that has begun.
        let me = me.unwrap_or_default();
        let mine = all.iter().filter(|c| c.answers.iter().any(|a| a.employee == me && a.timing == Timing::Pre)).count();
        assert!(mine >= 2, "the employee login's trajectory: {mine} cycles");
    }
}
