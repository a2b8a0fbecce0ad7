//! The management report (経営層への報告, R5): HR's report to management for one cycle, composed
//! from a released overall report (全体報告書), the important cases whose employees consented to
//! their report "to HR and management" and that HR marked for it, the status of the
//! organizational issues, and HR's own commentary. Each version is drafted by HR and released;
//! a released version is frozen and kept, and executives read released versions only
//! (`policy::aggregate_report`).
//!
//! A case is never copied into the report: the report keeps which case (and which version of its
//! text) it holds, and every read asks the consent ledger again ([`case_released_to`], through
//! `consent::released_version`). A withdrawal, an expiry or a changed text removes the case from
//! every later view and export, even of a released version; the reader is told how many cases
//! are not shown, never which.
//!
//! Everything here is pure: the commentary's limit, the release rule of a case for the report's
//! readers, the summary figures and the trends read from released overall reports, and the JSON
//! shape of `GET /api/v1/reports/management` and `careerdock report management --format json`.

use crate::consent::{released_version, DisclosureFacts, DisclosureState, Purpose};
use crate::limits::TextLimit;
use crate::overall_report::{CycleRef, Measure, OverallReport};
use crate::policy::Actor;
use crate::{Invalid, Role};
use serde::{Deserialize, Serialize};

/// HR's commentary (人事部門の所見).
pub const COMMENTARY: TextLimit =
    TextLimit { field: "commentary", max: 8_000, label_ja: "人事部門の所見", label_en: "HR's commentary", one_line: false };

/// The commentary trimmed, or why it is refused (it may be empty while the report is a draft).
pub fn check_commentary(text: &str) -> Result<String, Vec<Invalid>> {
    COMMENTARY.check(text).map_err(|e| vec![e])
}

/// What a release needs: a commentary (a report to management says what HR makes of it).
pub fn check_releasable(commentary: &str) -> Result<(), Vec<Invalid>> {
    if commentary.trim().is_empty() {
        return Err(vec![Invalid::new(
            COMMENTARY.field,
            "公開する前に、人事部門の所見を入力して保存してください。",
            "Write and save HR's commentary before releasing",
        )]);
    }
    Ok(())
}

/// The version of an important case's text that a reader of the management report may read now,
/// or `None`. The employee's consent (purpose `important_case`, 重要事案としての報告) covers the
/// report to HR and management: the case is released to the report's readers — HR and executives
/// — exactly when [`released_version`] releases it to HR, with the same ledger state, the same
/// tenant and the same personnel-authority rule (a holder of personnel authority reads no case,
/// whatever their role).
pub fn case_released_to(facts: &DisclosureFacts, current: DisclosureState, reader: &Actor) -> Option<i64> {
    if facts.purpose != Purpose::ImportantCase || !matches!(reader.role(), Role::Hr | Role::Executive) {
        return None;
    }
    let as_hr = Actor::new(reader.user(), reader.tenant(), Role::Hr).with_personnel_authority(reader.has_personnel_authority());
    released_version(facts, current, &as_hr, None)
}

/// One figure of the whole population from the released overall report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The measure's code (`people`, `flag:life_safety`, `tag:…`, `theme:…`).
    pub measure: String,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<f64>,
}

impl Figure {
    /// The share of the group the figure counts (0..=1), when shown.
    pub fn share(&self) -> Option<f64> {
        match (self.n, self.value) {
            (Some(n), Some(v)) if n > 0 => Some(v / n as f64),
            _ => None,
        }
    }
}

pub(crate) fn measure_rank(code: &str) -> (u8, String) {
    match Measure::parse(code) {
        Some(Measure::People) => (0, String::new()),
        Some(Measure::LifeSafety) => (1, String::new()),
        Some(Measure::OrganizationalResponse) => (2, String::new()),
        Some(Measure::Tag(t)) => (3, t),
        Some(Measure::Theme(t)) => (4, t),
        None => (5, code.to_string()),
    }
}

/// The whole population's figures of an overall report (cells whose group is `{}`), each
/// measure once: people first, then the two flags, the issue tags and the themes. A suppressed
/// cell stays suppressed (no `n`, no `value`).
pub fn summary_figures(report: &OverallReport) -> Vec<Figure> {
    let mut out: Vec<Figure> = Vec::new();
    for t in &report.tables {
        for c in t.cells.iter().filter(|c| c.group.is_empty()) {
            if out.iter().any(|f| f.measure == c.measure) {
                continue;
            }
            let (n, value) = if c.suppressed { (None, None) } else { (c.n, c.value) };
            out.push(Figure { measure: c.measure.clone(), suppressed: c.suppressed || n.is_none(), n, value });
        }
    }
    out.sort_by_key(|f| measure_rank(&f.measure));
    out
}

/// One cycle's point of the trends: from the latest released overall report of the cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub cycle: CycleRef,
    /// Employees in the population (approved reports), when at least k.
    pub population: Option<u64>,
    /// Share of the population with the life/safety flag, when shown.
    pub life_safety: Option<f64>,
    /// Share of the population with the flag 組織的対応が必要, when shown.
    pub organizational_response: Option<f64>,
}

/// The trends across cycles, oldest first, from the released overall reports given (any order;
/// for a cycle with several, the highest version counts).
pub fn trends(reports: &[OverallReport]) -> Vec<TrendPoint> {
    let mut latest: Vec<&OverallReport> = Vec::new();
    for r in reports {
        match latest.iter_mut().find(|l| l.cycle.id == r.cycle.id) {
            Some(l) if l.version < r.version => *l = r,
            Some(_) => {}
            None => latest.push(r),
        }
    }
    latest.sort_by_key(|r| r.cycle.id);
    latest
        .into_iter()
        .map(|r| {
            let figures = summary_figures(r);
            let share = |m: &Measure| figures.iter().find(|f| f.measure == m.code()).and_then(Figure::share);
            TrendPoint {
                cycle: r.cycle.clone(),
                population: r.population.n,
                life_safety: share(&Measure::LifeSafety),
                organizational_response: share(&Measure::OrganizationalResponse),
            }
        })
        .collect()
}

/// The released overall report a management report is built on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverallRef {
    /// The overall report version's id.
    pub id: i64,
    pub version: i64,
    /// RFC 3339, UTC.
    pub released_at: Option<String>,
    pub k: u32,
    /// Employees in its population, when at least k.
    pub population: Option<u64>,
}

/// A consented important case as the report shows it: the summary the employee agreed to and
/// HR's solution and status; nothing else about the employee.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDoc {
    pub summary: String,
    pub solution: String,
    /// `open`, `in_progress`, `monitoring` or `resolved`.
    pub status: String,
}

/// An organizational issue and its status (it names nobody).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueDoc {
    pub title: String,
    /// `open`, `in_progress` or `resolved`.
    pub status: String,
}

/// A management report as the API and `--format json` give it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagementReportDoc {
    /// The tenant's code.
    pub tenant: String,
    pub cycle: CycleRef,
    pub version: i64,
    /// `draft` or `released`.
    pub state: String,
    /// RFC 3339, UTC; `null` on a draft.
    pub released_at: Option<String>,
    pub overall_report: OverallRef,
    /// The whole population's figures of the overall report.
    pub figures: Vec<Figure>,
    /// The consented cases shown to this reader now.
    pub cases: Vec<CaseDoc>,
    /// How many cases of the report are not shown now (consent withdrawn, expired or its text
    /// changed; or every case, for a holder of personnel authority).
    pub cases_withheld: u64,
    pub org_issues: Vec<IssueDoc>,
    pub commentary: String,
}

/// Milliseconds since the epoch as RFC 3339 in UTC (the JSON contract's timestamps).
pub fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::Recipient;
    use crate::ids::{TenantId, UserId};
    use crate::overall_report::{Cell, PopulationInfo, Table, POPULATION_RULE};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const T: TenantId = TenantId::new(1);

    fn case(version: i64) -> DisclosureFacts {
        DisclosureFacts {
            tenant: T,
            author: UserId::new(1),
            employee_user: Some(UserId::new(9)),
            purpose: Purpose::ImportantCase,
            recipient: Recipient::Role(Role::Hr),
            version,
        }
    }

    fn reader(role: Role, pa: bool) -> Actor {
        Actor::new(UserId::new(5), T, role).with_personnel_authority(pa)
    }

    #[test]
    fn hr_and_executives_read_a_granted_case_and_nobody_else() {
        for role in Role::ALL {
            let shown = case_released_to(&case(2), DisclosureState::Granted, &reader(role, false));
            assert_eq!(shown, matches!(role, Role::Hr | Role::Executive).then_some(2), "{role}");
        }
    }

    #[test]
    fn a_withdrawn_case_is_read_by_nobody() {
        for st in [DisclosureState::Withdrawn, DisclosureState::Expired, DisclosureState::Pending, DisclosureState::Refused] {
            for role in [Role::Hr, Role::Executive] {
                assert_eq!(case_released_to(&case(1), st, &reader(role, false)), None);
            }
        }
    }

    #[test]
    fn another_purpose_or_tenant_is_never_read() {
        let feedback = DisclosureFacts { purpose: Purpose::BossFeedback, ..case(1) };
        assert_eq!(case_released_to(&feedback, DisclosureState::Granted, &reader(Role::Hr, false)), None);
        let other = Actor::new(UserId::new(5), TenantId::new(2), Role::Executive);
        assert_eq!(case_released_to(&case(1), DisclosureState::Granted, &other), None);
    }

    proptest! {
        /// Personnel authority withholds every case from every reader, whatever the ledger says.
        #[test]
        fn personnel_authority_reads_no_case(role in prop::sample::select(Role::ALL.to_vec()),
                                             st in prop::sample::select(DisclosureState::ALL.to_vec()),
                                             v in 1i64..5) {
            prop_assert_eq!(case_released_to(&case(v), st, &reader(role, true)), None);
        }

        /// A case is shown only while its current text is granted.
        #[test]
        fn only_a_granted_text_is_shown(st in prop::sample::select(DisclosureState::ALL.to_vec()), v in 1i64..5) {
            let shown = case_released_to(&case(v), st, &reader(Role::Executive, false));
            prop_assert_eq!(shown.is_some(), st == DisclosureState::Granted);
        }
    }

    fn report(cycle: i64, version: i64, n: Option<u64>, cells: Vec<Cell>) -> OverallReport {
        OverallReport {
            tenant: "demo".into(),
            cycle: CycleRef { id: cycle, name: format!("{cycle}年度") },
            version,
            released_at: None,
            k: 10,
            population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-03-31T00:00:00Z".into(), n },
            dimensions: Default::default(),
            tables: vec![Table { name: "overall".into(), by: vec![], cells }],
        }
    }

    fn whole(m: Measure, shown: Option<(u64, f64)>) -> Cell {
        Cell::new(BTreeMap::new(), &m, shown)
    }

    #[test]
    fn figures_keep_suppression_and_order() {
        let r = report(
            1,
            1,
            Some(40),
            vec![
                whole(Measure::Tag("異動希望".into()), Some((40, 12.0))),
                whole(Measure::LifeSafety, None),
                whole(Measure::People, Some((40, 40.0))),
            ],
        );
        let f = summary_figures(&r);
        assert_eq!(f.iter().map(|f| f.measure.as_str()).collect::<Vec<_>>(), ["people", "flag:life_safety", "tag:異動希望"]);
        assert!(f[1].suppressed && f[1].n.is_none() && f[1].value.is_none());
        assert_eq!(f[2].share(), Some(0.3));
    }

    #[test]
    fn trends_take_the_latest_version_of_each_cycle_oldest_first() {
        let org = |v: f64| whole(Measure::OrganizationalResponse, Some((40, v)));
        let reports =
            vec![report(2, 1, Some(30), vec![org(3.0)]), report(1, 1, Some(40), vec![org(4.0)]), report(2, 2, Some(40), vec![org(8.0)])];
        let t = trends(&reports);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].cycle.id, 1);
        assert_eq!(t[1].population, Some(40));
        assert_eq!(t[1].organizational_response, Some(0.2));
        assert_eq!(t[1].life_safety, None);
    }

    #[test]
    fn commentary_is_limited_and_needed_for_a_release() {
        assert!(check_commentary(&"あ".repeat(COMMENTARY.max)).is_ok());
        assert!(check_commentary(&"あ".repeat(COMMENTARY.max + 1)).is_err());
        assert!(check_releasable("  ").is_err());
        assert!(check_releasable("所見").is_ok());
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
