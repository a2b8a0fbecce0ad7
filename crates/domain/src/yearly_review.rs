//! The yearly review (年次レビュー, R11, R12): what a closed cycle (実施年度) of the program did and
//! what changes next year.
//!
//! Closing a cycle opens its review as a draft with the figures of that moment: participation
//! (targets, people interviewed, interviews held, approved reports), the flags and issue tags of
//! the cycle's latest released overall report beside the previous cycle's, and the measures the
//! other parts of the follow-up loop add (awareness change, improvement actions). Consultants, the
//! supervisor and HR write proposals for next year; HR writes the improvement plan (改善計画) and
//! finalizes the review, which freezes it. Executives read final reviews only (`policy`).
//!
//! The comparison of cycles side by side reads the released overall reports only: each figure
//! shown there passed the anonymity engine, whose ledger covers every earlier release of the
//! tenant, so putting cycles next to each other (or one department across cycles) shows nothing
//! a subtraction between releases could isolate. Participation counts are program figures HR
//! already sees on the cycle page; no personal attribute is derived from them.

use crate::effect_report::EffectReport;
use crate::limits::TextLimit;
use crate::management_report::{summary_figures, Figure};
use crate::overall_report::{CycleRef, Dimension, Measure, OverallReport};
use crate::Invalid;
use serde::{Deserialize, Serialize};

/// One proposal for next year (来年度への提案).
pub const PROPOSAL: TextLimit =
    TextLimit { field: "proposal", max: 2_000, label_ja: "来年度への提案", label_en: "the proposal", one_line: false };
/// HR's improvement plan (改善計画).
pub const PLAN: TextLimit =
    TextLimit { field: "plan", max: 8_000, label_ja: "改善計画", label_en: "the improvement plan", one_line: false };

/// Where a review is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Open for proposals and the plan; the figures can be computed again.
    Draft,
    /// Finalized by HR: frozen, readable by executives.
    Final,
}

impl ReviewState {
    pub const ALL: [ReviewState; 2] = [ReviewState::Draft, ReviewState::Final];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        ReviewState::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How far the program reached in a cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Participation {
    /// Employees targeted by the cycle.
    pub targets: u64,
    /// Targeted employees with at least one interview held.
    pub interviewed: u64,
    /// Interviews held (initial, additional and follow-up).
    pub interviews_held: u64,
    /// Individual reports approved.
    pub reports_approved: u64,
}

impl Participation {
    /// Interviewed over targeted (0..=1); `None` without targets.
    pub fn rate(&self) -> Option<f64> {
        (self.targets > 0).then(|| self.interviewed as f64 / self.targets as f64)
    }
}

/// A released overall report a review or a comparison column reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseRef {
    /// The overall report version's id.
    pub id: i64,
    pub version: i64,
    /// Employees in its population, when at least k.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub population: Option<u64>,
}

/// One flag or issue tag: its share of the population this cycle and the previous one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureTrend {
    /// The measure's code (`flag:life_safety`, `tag:…`).
    pub measure: String,
    /// Share (0..=1) this cycle, when shown.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub this: Option<f64>,
    /// Share (0..=1) in the previous cycle's release, when shown.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<f64>,
}

impl MeasureTrend {
    /// This cycle's share minus the previous one, when both are shown.
    pub fn change(&self) -> Option<f64> {
        Some(self.this? - self.previous?)
    }
}

/// The figures of a review, frozen when it is finalized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewFigures {
    pub cycle: CycleRef,
    /// When they were computed (RFC 3339, UTC).
    pub computed_at: String,
    pub participation: Participation,
    /// The cycle's latest released overall report, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub release: Option<ReleaseRef>,
    /// The previous cycle with a released overall report, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous: Option<CycleRef>,
    /// Flags and issue tags, this cycle beside the previous one.
    #[serde(default)]
    pub measures: Vec<MeasureTrend>,
    /// The change in career awareness over the cycle (`None`: the questionnaire is not there).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub awareness: Option<AwarenessChange>,
    /// The improvement actions due within the cycle, by status (R10).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actions: Option<ActionTally>,
}

/// The improvement actions (改善施策) due within a cycle, by status: organizational measures,
/// naming no one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTally {
    pub planned: u64,
    pub in_progress: u64,
    pub done: u64,
    pub cancelled: u64,
    /// Still open past the due date (on the day the figures were computed).
    pub overdue: u64,
    /// Done and evaluated after the fact.
    pub evaluated: u64,
}

impl ActionTally {
    /// Actions not cancelled.
    pub fn counted(&self) -> u64 {
        self.planned + self.in_progress + self.done
    }

    /// The share done of the actions not cancelled (`None` without any).
    pub fn completion(&self) -> Option<f64> {
        let n = self.counted();
        (n > 0).then(|| self.done as f64 / n as f64)
    }
}

/// The change in career awareness over a cycle: the default questionnaire's whole population as
/// the effect report shows it (people with a complete pair, their mean scores before and after,
/// the mean change with its 95 % interval). Fewer than k pairs: hidden, with no figure at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AwarenessChange {
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mean_pre: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mean_post: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mean_change: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ci95_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ci95_high: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub effect_size: Option<f64>,
}

impl AwarenessChange {
    /// The whole population's cell of an effect report (its table without a breakdown). A
    /// hidden cell stays hidden: nothing of it is carried over.
    pub fn of(report: &EffectReport) -> Option<AwarenessChange> {
        let cell = report.tables.iter().filter(|t| t.by.is_empty()).flat_map(|t| t.cells.iter()).find(|c| c.group.is_empty())?;
        let (Some(n), Some(v), false) = (cell.n, cell.value, cell.suppressed) else {
            return Some(AwarenessChange { suppressed: true, ..AwarenessChange::default() });
        };
        Some(AwarenessChange {
            suppressed: false,
            n: Some(n),
            mean_pre: v.mean_pre,
            mean_post: v.mean_post,
            mean_change: v.mean_change,
            ci95_low: v.ci95_low,
            ci95_high: v.ci95_high,
            effect_size: v.effect_size,
        })
    }

    /// Whether the interval of the change lies wholly above zero (a rise the data supports).
    pub fn rose(&self) -> bool {
        !self.suppressed && self.ci95_low.is_some_and(|l| l > 0.0)
    }
}

/// Whether a measure belongs in the trends: the two flags and the issue tags (not the head
/// count, which is the population, and not the themes, whose words change year to year).
fn trended(code: &str) -> bool {
    matches!(Measure::parse(code), Some(Measure::LifeSafety | Measure::OrganizationalResponse | Measure::Tag(_)))
}

/// The flags and issue tags of `this` beside `previous` (both released overall reports, read
/// for their whole-population table), in the order of the overall report's summary; a measure
/// only the previous cycle had is listed too, with no figure this cycle.
pub fn measure_trends(this: Option<&OverallReport>, previous: Option<&OverallReport>) -> Vec<MeasureTrend> {
    let now: Vec<Figure> = this.map(summary_figures).unwrap_or_default();
    let before: Vec<Figure> = previous.map(summary_figures).unwrap_or_default();
    let mut out: Vec<MeasureTrend> = Vec::new();
    for f in now.iter().chain(before.iter()).filter(|f| trended(&f.measure)) {
        if out.iter().any(|t| t.measure == f.measure) {
            continue;
        }
        let share = |list: &[Figure]| list.iter().find(|g| g.measure == f.measure).and_then(Figure::share);
        out.push(MeasureTrend { measure: f.measure.clone(), this: share(&now), previous: share(&before) });
    }
    out
}

/// A proposal trimmed, or why it is refused (empty, too long).
pub fn check_proposal(text: &str) -> Result<String, Vec<Invalid>> {
    let t = PROPOSAL.check(text).map_err(|e| vec![e])?;
    if t.is_empty() {
        return Err(vec![Invalid::new(PROPOSAL.field, "提案を入力してください。", "write the proposal")]);
    }
    Ok(t)
}

/// The plan trimmed, or why it is refused (it may be empty while the review is a draft).
pub fn check_plan(text: &str) -> Result<String, Vec<Invalid>> {
    PLAN.check(text).map_err(|e| vec![e])
}

/// What finalizing needs: an improvement plan (a review says what changes next year).
pub fn check_finalizable(plan: &str) -> Result<(), Vec<Invalid>> {
    if plan.trim().is_empty() {
        return Err(vec![Invalid::new(
            PLAN.field,
            "確定する前に、改善計画を入力して保存してください。",
            "Write and save the improvement plan before finalizing",
        )]);
    }
    Ok(())
}

/// One cycle's column of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonColumn {
    pub cycle: CycleRef,
    pub participation: Participation,
    /// The cycle's latest released overall report, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub release: Option<ReleaseRef>,
    /// The figures of the group compared (the whole population, or one department) as that
    /// release shows them: a suppressed cell stays suppressed.
    #[serde(default)]
    pub figures: Vec<Figure>,
    /// The awareness change as the cycle's final yearly review froze it (whole population only:
    /// `None` for a department, or without a final review).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub awareness: Option<AwarenessChange>,
    /// The improvement actions as the final review froze them (whole organization only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub actions: Option<ActionTally>,
}

/// One measure across the compared cycles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub measure: String,
    /// Per column: the figure as released (`None` when the release had no such cell or the
    /// cycle has no release).
    pub cells: Vec<Option<Figure>>,
}

/// Cycles side by side, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The department compared (its label in the releases), or `None` for the whole population.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub department: Option<String>,
    pub columns: Vec<ComparisonColumn>,
    /// `people` first, then the flags and the issue tags (themes are not compared).
    pub rows: Vec<ComparisonRow>,
}

/// The figures of one group of a release: its whole population (`department` `None`) or the
/// cells of one department in the department table. Each measure once.
pub fn group_figures(report: &OverallReport, department: Option<&str>) -> Vec<Figure> {
    let Some(dept) = department else {
        return summary_figures(report);
    };
    let mut out: Vec<Figure> = Vec::new();
    for t in report.tables.iter().filter(|t| t.by == [Dimension::Department]) {
        for c in t.cells.iter().filter(|c| c.group.get(&Dimension::Department).map(String::as_str) == Some(dept)) {
            if out.iter().any(|f| f.measure == c.measure) {
                continue;
            }
            let (n, value) = if c.suppressed { (None, None) } else { (c.n, c.value) };
            out.push(Figure { measure: c.measure.clone(), suppressed: c.suppressed || n.is_none(), n, value });
        }
    }
    out.sort_by_key(|f| crate::management_report::measure_rank(&f.measure));
    out
}

/// Puts the columns side by side (sorted oldest first by the caller's order) and lists each
/// measure once across them: `people`, the flags, the issue tags.
pub fn compare(department: Option<String>, columns: Vec<ComparisonColumn>) -> Comparison {
    let mut codes: Vec<String> = Vec::new();
    for f in columns.iter().flat_map(|c| c.figures.iter()) {
        let keep = f.measure == Measure::People.code() || trended(&f.measure);
        if keep && !codes.contains(&f.measure) {
            codes.push(f.measure.clone());
        }
    }
    codes.sort_by_key(|c| crate::management_report::measure_rank(c));
    let rows = codes
        .into_iter()
        .map(|m| ComparisonRow { cells: columns.iter().map(|c| c.figures.iter().find(|f| f.measure == m).cloned()).collect(), measure: m })
        .collect();
    Comparison { department, columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overall_report::{Cell, Dimensions, PopulationInfo, Table};
    use std::collections::BTreeMap;

    fn effect(whole: crate::effect_report::EffectCell) -> EffectReport {
        use crate::effect_report::{EffectPopulation, EffectTable, QuestionnaireRef};
        EffectReport {
            tenant: "t".into(),
            cycle: CycleRef { id: 1, name: "2025年度".into() },
            questionnaire: QuestionnaireRef {
                code: "career-awareness".into(),
                title: "キャリア意識".into(),
                title_en: "Career awareness".into(),
                scale_min: 1,
                scale_max: 5,
            },
            k: 10,
            population: EffectPopulation { rule: "complete_pairs".into(), as_of: "2026-03-31".into(), n: whole.n },
            dimensions: Dimensions::default(),
            tables: vec![
                EffectTable { name: "department".into(), by: vec![Dimension::Department], cells: vec![] },
                EffectTable { name: "overall".into(), by: vec![], cells: vec![whole] },
            ],
        }
    }

    fn effect_cell(shown: Option<(u64, f64, f64)>) -> crate::effect_report::EffectCell {
        use crate::effect_report::{EffectCell, EffectValue};
        let value = shown.map(|(_, pre, post)| EffectValue {
            mean_pre: Some(pre),
            mean_post: Some(post),
            mean_change: Some(post - pre),
            ci95_low: Some(post - pre - 0.1),
            ci95_high: Some(post - pre + 0.1),
            wilcoxon_p: Some(0.01),
            effect_size: Some(0.4),
            min_detectable_effect: Some(0.2),
        });
        EffectCell {
            group: BTreeMap::new(),
            measure: "effect".into(),
            suppressed: shown.is_none(),
            n: shown.map(|s| s.0),
            value,
            warning: None,
        }
    }

    #[test]
    fn action_completion_counts_what_was_not_cancelled() {
        let t = ActionTally { planned: 1, in_progress: 1, done: 2, cancelled: 3, overdue: 1, evaluated: 1 };
        assert_eq!(t.counted(), 4);
        assert_eq!(t.completion(), Some(0.5));
        assert_eq!(ActionTally { cancelled: 2, ..ActionTally::default() }.completion(), None);
    }

    #[test]
    fn awareness_is_the_whole_population_cell_and_a_hidden_one_carries_nothing() {
        let shown = AwarenessChange::of(&effect(effect_cell(Some((42, 3.1, 3.5))))).unwrap_or_default();
        assert!(!shown.suppressed);
        assert_eq!(shown.n, Some(42));
        assert_eq!(shown.mean_pre, Some(3.1));
        assert!(shown.mean_change.is_some_and(|c| (c - 0.4).abs() < 1e-9));
        assert!(shown.rose(), "an interval above zero is a rise");
        let flat = AwarenessChange::of(&effect(effect_cell(Some((42, 3.5, 3.5))))).unwrap_or_default();
        assert!(!flat.rose(), "an interval around zero is not");
        let hidden = AwarenessChange::of(&effect(effect_cell(None))).unwrap_or_default();
        assert_eq!(hidden, AwarenessChange { suppressed: true, ..AwarenessChange::default() });
        assert!(!hidden.rose());
        // Stored figures written before the awareness existed still read.
        let json = serde_json::to_string(&hidden).unwrap_or_default();
        assert_eq!(json, r#"{"suppressed":true}"#);
    }

    fn report(cycle: i64, cells: Vec<Cell>, dept_cells: Vec<Cell>) -> OverallReport {
        OverallReport {
            tenant: "t".into(),
            cycle: CycleRef { id: cycle, name: format!("{cycle}年度") },
            version: 1,
            released_at: None,
            k: 10,
            population: PopulationInfo { rule: "approved_reports".into(), as_of: "2026-03-31".into(), n: Some(100) },
            dimensions: Dimensions::default(),
            tables: vec![
                Table { name: "whole".into(), by: vec![], cells },
                Table { name: "department".into(), by: vec![Dimension::Department], cells: dept_cells },
            ],
        }
    }

    fn whole(m: &Measure, shown: Option<(u64, f64)>) -> Cell {
        Cell::new(BTreeMap::new(), m, shown)
    }

    fn dept(d: &str, m: &Measure, shown: Option<(u64, f64)>) -> Cell {
        Cell::new(BTreeMap::from([(Dimension::Department, d.to_string())]), m, shown)
    }

    #[test]
    fn trends_put_this_cycle_beside_the_previous_and_skip_people_and_themes() {
        let tag = Measure::Tag("career".into());
        let this = report(
            2,
            vec![
                whole(&Measure::People, Some((100, 100.0))),
                whole(&Measure::LifeSafety, Some((100, 5.0))),
                whole(&tag, Some((100, 30.0))),
                whole(&Measure::Theme("異動".into()), Some((100, 12.0))),
            ],
            vec![],
        );
        let before = report(
            1,
            vec![
                whole(&Measure::People, Some((80, 80.0))),
                whole(&Measure::LifeSafety, None),
                whole(&tag, Some((80, 20.0))),
                whole(&Measure::Tag("gone".into()), Some((80, 8.0))),
            ],
            vec![],
        );
        let t = measure_trends(Some(&this), Some(&before));
        let codes: Vec<&str> = t.iter().map(|m| m.measure.as_str()).collect();
        assert_eq!(codes, ["flag:life_safety", "tag:career", "tag:gone"]);
        assert_eq!(t[0].this, Some(0.05));
        assert_eq!(t[0].previous, None, "a suppressed cell stays without a figure");
        assert_eq!(t[0].change(), None);
        assert_eq!(t[1].this, Some(0.3));
        assert_eq!(t[1].previous, Some(0.25));
        assert!((t[1].change().unwrap_or(0.0) - 0.05).abs() < 1e-12);
        assert_eq!(t[2].this, None);
        assert_eq!(t[2].previous, Some(0.1));
        assert!(measure_trends(None, None).is_empty());
    }

    #[test]
    fn a_department_column_takes_that_departments_cells_and_keeps_suppression() {
        let tag = Measure::Tag("career".into());
        let r = report(
            1,
            vec![whole(&Measure::People, Some((100, 100.0)))],
            vec![
                dept("営業部", &Measure::People, Some((40, 40.0))),
                dept("営業部", &tag, None),
                dept("開発部", &Measure::People, Some((60, 60.0))),
                dept("開発部", &tag, Some((60, 15.0))),
            ],
        );
        let sales = group_figures(&r, Some("営業部"));
        assert_eq!(sales.len(), 2);
        assert_eq!(sales[0].measure, "people");
        assert_eq!(sales[0].n, Some(40));
        assert!(sales[1].suppressed);
        assert_eq!(sales[1].value, None, "a suppressed cell carries no value");
        assert_eq!(group_figures(&r, Some("開発部"))[1].share(), Some(0.25));
        assert!(group_figures(&r, Some("総務部")).is_empty());
        assert_eq!(group_figures(&r, None)[0].n, Some(100));
    }

    #[test]
    fn the_comparison_lists_each_measure_once_in_summary_order() {
        let tag = Measure::Tag("career".into());
        let col = |cycle: i64, figures: Vec<Figure>| ComparisonColumn {
            cycle: CycleRef { id: cycle, name: format!("{cycle}") },
            participation: Participation::default(),
            release: None,
            figures,
            awareness: None,
            actions: None,
        };
        let fig = |m: &Measure, n: u64, v: f64| Figure { measure: m.code(), suppressed: false, n: Some(n), value: Some(v) };
        let c = compare(
            None,
            vec![
                col(1, vec![fig(&tag, 10, 2.0), fig(&Measure::People, 10, 10.0)]),
                col(2, vec![]),
                col(3, vec![fig(&Measure::OrganizationalResponse, 20, 3.0), fig(&Measure::Theme("x".into()), 20, 11.0)]),
            ],
        );
        let codes: Vec<&str> = c.rows.iter().map(|r| r.measure.as_str()).collect();
        assert_eq!(codes, ["people", "flag:organizational_response", "tag:career"]);
        assert!(c.rows.iter().all(|r| r.cells.len() == 3));
        assert_eq!(c.rows[2].cells[0].as_ref().and_then(Figure::share), Some(0.2));
        assert!(c.rows[2].cells[1].is_none());
    }

    #[test]
    fn participation_rate_and_text_checks() {
        assert_eq!(Participation::default().rate(), None);
        let p = Participation { targets: 200, interviewed: 150, interviews_held: 180, reports_approved: 140 };
        assert_eq!(p.rate(), Some(0.75));
        assert!(check_proposal("  ").is_err());
        assert_eq!(check_proposal(" 面談時間を60分に ").ok().as_deref(), Some("面談時間を60分に"));
        assert!(check_proposal(&"あ".repeat(PROPOSAL.max + 1)).is_err());
        assert!(check_plan("").is_ok());
        assert!(check_finalizable(" ").is_err());
        assert!(check_finalizable("研修を増やす").is_ok());
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
        }
    }
}
