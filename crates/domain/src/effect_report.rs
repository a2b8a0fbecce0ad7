//! The effect report (効果把握, R7, R12): per group, what changed between the questionnaire
//! answered before the program (`pre`) and after it (`post`), as `careerdock report effect` and
//! `GET /api/v1/reports/effect` give it and the page 効果把握 shows it. Pure: the store hands in
//! each person's dated scores (already opened through the audited gate) and their register
//! facts; this module pairs them ([`complete_pairs`]), builds the groups with the overall
//! report's breakdowns (`crate::breakdown`), lets the anonymity engine decide which groups may
//! be shown exactly as it decides the overall report's counts, and computes the statistics of
//! the shown groups only (`crate::effect::measure`).
//!
//! The JSON keeps the overall report's `k`, `dimensions` and cell shape (`group`, `measure`,
//! `suppressed`, `n`, `value`); a shown cell's `value` is an [`EffectValue`] instead of a
//! number, and a small group's cell adds `warning` (Japanese and English). A suppressed cell
//! carries none of `n`, `value` and `warning`.

use crate::breakdown::{self, Department, Person, Verdict};
use crate::effect::{self, Pair};
use crate::overall_report::{CycleRef, Dimension, Dimensions};
use crate::questionnaire::{pair_between, DatedScore, Timing};
use crate::Message;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The population's rule: people with a complete pair (the latest `pre` and the latest `post`
/// answer set of the cycle, both complete).
pub const POPULATION_RULE: &str = "complete_pairs";
/// The measure code of every cell.
pub const MEASURE: &str = "effect";

/// The pairing rule: each person's pair between their latest `pre` and latest `post` answer set
/// of the cycle (`questionnaire::pair_between`: by answer date; an incomplete latest set leaves
/// that side empty), kept only when complete. `answers` may come in any order and hold several
/// people; the result is by employee id, ascending.
pub fn complete_pairs(answers: &[(i64, DatedScore)]) -> BTreeMap<i64, (f64, f64)> {
    let mut by_person: BTreeMap<i64, Vec<DatedScore>> = BTreeMap::new();
    for (employee, a) in answers {
        by_person.entry(*employee).or_default().push(*a);
    }
    by_person
        .into_iter()
        .filter_map(|(employee, list)| match pair_between(&list, Timing::Pre, Timing::Post) {
            Pair { before: Some(b), after: Some(a) } if b.is_finite() && a.is_finite() => Some((employee, (b, a))),
            _ => None,
        })
        .collect()
}

/// The figures of one shown group, under the names; `null` where not computable.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EffectValue {
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// post − pre.
    pub mean_change: Option<f64>,
    /// The 95 % t-interval of the mean change.
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// Two-sided, as `scipy.stats.wilcoxon` with its defaults.
    pub wilcoxon_p: Option<f64>,
    /// Cohen's d_z.
    pub effect_size: Option<f64>,
    /// Score points, 80 % power, α = 0.05.
    pub min_detectable_effect: Option<f64>,
}

impl EffectValue {
    pub fn of(e: &effect::Effect) -> EffectValue {
        EffectValue {
            mean_pre: e.mean_before,
            mean_post: e.mean_after,
            mean_change: e.mean_change,
            ci95_low: e.ci95.map(|i| i.low),
            ci95_high: e.ci95.map(|i| i.high),
            wilcoxon_p: e.wilcoxon.map(|w| w.p_value),
            effect_size: e.d_z,
            min_detectable_effect: e.min_detectable_change,
        }
    }
}

/// One cell: the overall report's shape with an [`EffectValue`]. Suppressed: no `n`, `value`
/// or `warning`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectCell {
    /// Dimension → label; `{}` is the whole population.
    pub group: BTreeMap<Dimension, String>,
    /// Always [`MEASURE`].
    pub measure: String,
    pub suppressed: bool,
    /// Complete pairs in the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<EffectValue>,
    /// The plain-language warning of a small group (`effect::SMALL_GROUP_D_Z`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<Message>,
}

impl EffectCell {
    fn hidden(group: BTreeMap<Dimension, String>) -> EffectCell {
        EffectCell { group, measure: MEASURE.to_string(), suppressed: true, n: None, value: None, warning: None }
    }

    fn shown(group: BTreeMap<Dimension, String>, e: &effect::Effect) -> EffectCell {
        EffectCell {
            group,
            measure: MEASURE.to_string(),
            suppressed: false,
            n: Some(e.n as u64),
            value: Some(EffectValue::of(e)),
            warning: e.warning.as_ref().map(|w| w.message.clone()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectTable {
    pub name: String,
    pub by: Vec<Dimension>,
    pub cells: Vec<EffectCell>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionnaireRef {
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub scale_min: i64,
    pub scale_max: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectPopulation {
    /// Always [`POPULATION_RULE`].
    pub rule: String,
    /// `YYYY-MM-DD`: the day the report was computed (ages and tenures are at this date).
    pub as_of: String,
    /// The number of complete pairs, only when the whole-population cell is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
}

/// The report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectReport {
    pub tenant: String,
    pub cycle: CycleRef,
    pub questionnaire: QuestionnaireRef,
    pub k: u32,
    pub population: EffectPopulation,
    pub dimensions: Dimensions,
    pub tables: Vec<EffectTable>,
}

/// The facts around the tables.
pub struct EffectHeading {
    pub tenant: String,
    pub cycle: CycleRef,
    pub questionnaire: QuestionnaireRef,
    pub k: u32,
}

/// One person with a complete pair, with the register facts the breakdowns need.
#[derive(Clone, Debug, PartialEq)]
pub struct PairedPerson {
    pub employee: i64,
    pub department: i64,
    pub birth_year: Option<i32>,
    pub hire_date: Option<NaiveDate>,
    pub grade: Option<String>,
    pub pre: f64,
    pub post: f64,
}

/// Builds the report. The candidates the engine decides jointly are always the same: the
/// whole-population table and the four one-way tables (department with its sub-departments,
/// age, tenure, grade), whatever `by` asks, so that asking for one table and then another gives
/// nothing that asking for both at once would not. `by` then chooses which one-way tables are
/// returned (none: all four), after the whole-population table. Only shown groups are measured.
pub fn build(
    head: EffectHeading,
    people: &[PairedPerson],
    departments: &[Department],
    reference: NaiveDate,
    by: &[Dimension],
) -> EffectReport {
    let persons: Vec<Person> = people
        .iter()
        .map(|p| Person {
            employee: p.employee,
            department: p.department,
            birth_year: p.birth_year,
            hire_date: p.hire_date,
            grade: p.grade.clone(),
            measures: BTreeSet::new(),
        })
        .collect();
    let pairs: HashMap<i64, Pair> = people.iter().map(|p| (p.employee, Pair::new(p.pre, p.post))).collect();
    let mut b = breakdown::breakdown(&persons, departments, &[], reference);
    b.tables.retain(|t| t.by.len() <= 1);
    let cells: Vec<&breakdown::Pending> = b.cells().collect();
    let (verdicts, _ledger) = breakdown::verdicts(head.k, &cells, &[], 0);
    let chosen: BTreeSet<Dimension> = if by.is_empty() { Dimension::ALL.into_iter().collect() } else { by.iter().copied().collect() };
    let mut i = 0;
    let mut tables = Vec::new();
    let mut population_n = None;
    for t in &b.tables {
        let wanted = t.by.iter().all(|d| chosen.contains(d));
        let mut out = Vec::new();
        for c in &t.cells {
            let verdict: Option<&Verdict> = verdicts.get(i);
            i += 1;
            if !wanted {
                continue;
            }
            let shown = verdict.is_some_and(|v| v.hidden.is_none()) && !c.members.is_empty();
            if !shown {
                out.push(EffectCell::hidden(c.group.clone()));
                continue;
            }
            let group_pairs: Vec<Pair> = c.members.iter().filter_map(|m| pairs.get(m).copied()).collect();
            let e = effect::measure(&group_pairs);
            if t.by.is_empty() {
                population_n = Some(e.n as u64);
            }
            out.push(EffectCell::shown(c.group.clone(), &e));
        }
        if wanted {
            tables.push(EffectTable { name: t.name.clone(), by: t.by.clone(), cells: out });
        }
    }
    EffectReport {
        tenant: head.tenant,
        cycle: head.cycle,
        questionnaire: head.questionnaire,
        k: head.k,
        population: EffectPopulation {
            rule: POPULATION_RULE.to_string(),
            as_of: reference.format("%Y-%m-%d").to_string(),
            n: population_n,
        },
        dimensions: b.dimensions,
        tables,
    }
}

#[cfg(test)]
mod tests;
