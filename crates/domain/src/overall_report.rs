//! The overall report's JSON contract (全体報告書, R3), as `GET /api/v1/reports/overall`, the
//! command line's `--format json` and the stored snapshot of a released version carry it. The
//! names are fixed: integrations check them. Other formats (HTML, PDF, CSV) render this same
//! value, so a suppressed cell can carry neither `n` nor `value` in any of them.
//!
//! Everything in a value of [`OverallReport`] has already passed the anonymity engine
//! (`crate::anonymity`); nothing here decides what may be shown.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The population's rule: the employees whose individual report of a held interview in the cycle
/// was approved at or before `as_of`.
pub const POPULATION_RULE: &str = "approved_reports";

/// The breakdowns a table may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Department,
    Age,
    Tenure,
    Grade,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Dimension::Department, Dimension::Age, Dimension::Tenure, Dimension::Grade];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Department => "department",
            Dimension::Age => "age",
            Dimension::Tenure => "tenure",
            Dimension::Grade => "grade",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One released (or previewed) overall report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverallReport {
    /// The tenant's code (`demo`).
    pub tenant: String,
    pub cycle: CycleRef,
    pub version: i64,
    /// RFC 3339, UTC; absent on a draft's preview.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub released_at: Option<String>,
    pub k: u32,
    pub population: PopulationInfo,
    pub dimensions: Dimensions,
    pub tables: Vec<Table>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleRef {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationInfo {
    /// Always [`POPULATION_RULE`].
    pub rule: String,
    /// RFC 3339, UTC.
    pub as_of: String,
    /// The population's size, only when at least k.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub n: Option<u64>,
}

/// How every label of every dimension maps to people, so that anyone holding the roster can
/// rebuild each cell's members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub department: Option<DepartmentDimension>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub age: Option<BandDimension>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tenure: Option<BandDimension>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub grade: Option<GradeDimension>,
}

/// A department label includes its sub-departments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentDimension {
    pub labels: Vec<DepartmentLabel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentLabel {
    pub label: String,
    pub department_ids: Vec<i64>,
    /// Paths joined with `/` (営業部/第一課), in the order of `department_ids`.
    pub paths: Vec<String>,
}

/// Age (from the birth year) or tenure (from the hire date), in whole years at `reference_date`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandDimension {
    /// `YYYY-MM-DD`.
    pub reference_date: String,
    pub bands: Vec<Band>,
}

/// Inclusive bounds in whole years; `max` absent for the open top band.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub label: String,
    pub min: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeDimension {
    pub labels: Vec<GradeLabel>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeLabel {
    pub label: String,
    pub grades: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub by: Vec<Dimension>,
    pub cells: Vec<Cell>,
}

/// One cell. A suppressed cell carries neither `n` nor `value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Dimension → label; `{}` is the whole population.
    pub group: BTreeMap<Dimension, String>,
    /// `people`, `tag:<tag name>`, `flag:life_safety`, `flag:organizational_response` or
    /// `theme:<term>` (see [`Measure`]).
    pub measure: String,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub n: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<f64>,
}

impl Cell {
    /// A cell as released: shown with its figures, or suppressed with none.
    pub fn new(group: BTreeMap<Dimension, String>, measure: &Measure, shown: Option<(u64, f64)>) -> Cell {
        Cell { group, measure: measure.code(), suppressed: shown.is_none(), n: shown.map(|(n, _)| n), value: shown.map(|(_, v)| v) }
    }
}

/// What a cell counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// The distinct employees of the population in the group (value = n).
    People,
    /// Employees in the group whose approved report carries the issue tag.
    Tag(String),
    /// Employees in the group with the life/safety flag.
    LifeSafety,
    /// Employees in the group with the flag 組織的対応が必要.
    OrganizationalResponse,
    /// Employees in the group whose approved reports hold the theme.
    Theme(String),
}

impl Measure {
    pub fn code(&self) -> String {
        match self {
            Measure::People => "people".to_string(),
            Measure::Tag(t) => format!("tag:{t}"),
            Measure::LifeSafety => "flag:life_safety".to_string(),
            Measure::OrganizationalResponse => "flag:organizational_response".to_string(),
            Measure::Theme(t) => format!("theme:{t}"),
        }
    }

    pub fn parse(code: &str) -> Option<Measure> {
        match code {
            "people" => Some(Measure::People),
            "flag:life_safety" => Some(Measure::LifeSafety),
            "flag:organizational_response" => Some(Measure::OrganizationalResponse),
            _ => {
                if let Some(t) = code.strip_prefix("tag:").filter(|t| !t.is_empty()) {
                    Some(Measure::Tag(t.to_string()))
                } else {
                    code.strip_prefix("theme:").filter(|t| !t.is_empty()).map(|t| Measure::Theme(t.to_string()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suppressed_cell_serializes_without_n_or_value() {
        let mut group = BTreeMap::new();
        group.insert(Dimension::Department, "営業部".to_string());
        let hidden = Cell::new(group.clone(), &Measure::LifeSafety, None);
        let json = serde_json::to_value(&hidden).unwrap_or_default();
        assert_eq!(json["suppressed"], true);
        assert!(json.get("n").is_none() && json.get("value").is_none());
        assert_eq!(json["group"]["department"], "営業部");
        assert_eq!(json["measure"], "flag:life_safety");
        let shown = serde_json::to_value(Cell::new(group, &Measure::People, Some((12, 12.0)))).unwrap_or_default();
        assert_eq!(shown["n"], 12);
        assert_eq!(shown["value"], 12.0);
    }

    #[test]
    fn measures_round_trip_through_their_codes() {
        for m in [
            Measure::People,
            Measure::Tag("キャリア".into()),
            Measure::LifeSafety,
            Measure::OrganizationalResponse,
            Measure::Theme("異動".into()),
        ] {
            assert_eq!(Measure::parse(&m.code()), Some(m));
        }
        assert_eq!(Measure::parse("tag:"), None);
        assert_eq!(Measure::parse("count"), None);
    }
}
