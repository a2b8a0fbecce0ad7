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

// ---------------------------------------------------------------- reading a stored snapshot in part

/// What [`read_tables`] does with one table of a stored report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Take {
    /// Every cell, as [`Table`] has them.
    Whole,
    /// Only how many cells it has and how many are shown (no cell is kept).
    Count,
}

/// One table of a stored report, as [`read_tables`] saw it whether it kept its cells or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSummary {
    pub name: String,
    pub by: Vec<Dimension>,
    /// Its cells.
    pub cells: usize,
    /// Of those, the shown ones (not suppressed).
    pub shown: usize,
}

/// A stored report read in part: the report with only the tables asked for (in their order),
/// and every table's summary (in the report's order).
#[derive(Clone, Debug, PartialEq)]
pub struct PartialReport {
    pub report: OverallReport,
    pub tables: Vec<TableSummary>,
}

/// Reads a report's JSON (a released snapshot) keeping only the cells of the tables `take`
/// answers [`Take::Whole`] for (it sees a table's name and breakdown); the others are scanned
/// without keeping anything but their counts. A snapshot of 125,000 cells is parsed whole into
/// about 130 MB of cells; the trend across cycles needs the whole-population table only, and a
/// page one or two tables. `take` is asked once per table, after its `name` and `by`, which
/// the stored JSON writes before the cells; a table whose cells come first is kept whole.
pub fn read_tables(json: &str, take: impl Fn(&str, &[Dimension]) -> Take) -> serde_json::Result<PartialReport> {
    read_tables_where(json, take, |_| true)
}

/// [`read_tables`] keeping, of the tables kept, only the cells `keep` accepts (each cell is
/// dropped as soon as it is read; the counts are of every cell). A page at one level of the
/// department drill-down keeps a few dozen of the 77,000 cells of a department table.
pub fn read_tables_where(
    json: &str,
    take: impl Fn(&str, &[Dimension]) -> Take,
    keep: impl Fn(&Cell) -> bool,
) -> serde_json::Result<PartialReport> {
    let mut de = serde_json::Deserializer::from_str(json);
    let out = serde::de::DeserializeSeed::deserialize(partial::ReportSeed { take: &take, keep: &keep }, &mut de)?;
    de.end()?;
    Ok(out)
}

/// The whole-population tables only (`by` empty): what the trend across cycles reads.
pub fn read_whole_population(json: &str) -> serde_json::Result<OverallReport> {
    read_tables(json, |_, by| if by.is_empty() { Take::Whole } else { Take::Count }).map(|p| p.report)
}

mod partial {
    use super::{Cell, CycleRef, Dimension, Dimensions, OverallReport, PartialReport, PopulationInfo, Table, TableSummary, Take};
    use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde::Deserialize;
    use std::fmt;

    pub(super) struct ReportSeed<'a, F, K> {
        pub take: &'a F,
        pub keep: &'a K,
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> DeserializeSeed<'de> for ReportSeed<'_, F, K> {
        type Value = PartialReport;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<PartialReport, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> Visitor<'de> for ReportSeed<'_, F, K> {
        type Value = PartialReport;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an overall report")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartialReport, A::Error> {
            let mut tenant: Option<String> = None;
            let mut cycle: Option<CycleRef> = None;
            let mut version: Option<i64> = None;
            let mut released_at: Option<String> = None;
            let mut k: Option<u32> = None;
            let mut population: Option<PopulationInfo> = None;
            let mut dimensions: Option<Dimensions> = None;
            let mut tables: Option<(Vec<Table>, Vec<TableSummary>)> = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match key.as_ref() {
                    "tenant" => tenant = Some(map.next_value()?),
                    "cycle" => cycle = Some(map.next_value()?),
                    "version" => version = Some(map.next_value()?),
                    "released_at" => released_at = map.next_value()?,
                    "k" => k = Some(map.next_value()?),
                    "population" => population = Some(map.next_value()?),
                    "dimensions" => dimensions = Some(map.next_value()?),
                    "tables" => tables = Some(map.next_value_seed(TablesSeed { take: self.take, keep: self.keep })?),
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            let (kept, summaries) = tables.ok_or_else(|| A::Error::missing_field("tables"))?;
            Ok(PartialReport {
                report: OverallReport {
                    tenant: tenant.ok_or_else(|| A::Error::missing_field("tenant"))?,
                    cycle: cycle.ok_or_else(|| A::Error::missing_field("cycle"))?,
                    version: version.ok_or_else(|| A::Error::missing_field("version"))?,
                    released_at,
                    k: k.ok_or_else(|| A::Error::missing_field("k"))?,
                    population: population.ok_or_else(|| A::Error::missing_field("population"))?,
                    dimensions: dimensions.ok_or_else(|| A::Error::missing_field("dimensions"))?,
                    tables: kept,
                },
                tables: summaries,
            })
        }
    }

    struct TablesSeed<'a, F, K> {
        take: &'a F,
        keep: &'a K,
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> DeserializeSeed<'de> for TablesSeed<'_, F, K> {
        type Value = (Vec<Table>, Vec<TableSummary>);
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> Visitor<'de> for TablesSeed<'_, F, K> {
        type Value = (Vec<Table>, Vec<TableSummary>);
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of tables")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let (mut kept, mut summaries) = (Vec::new(), Vec::new());
            while let Some((table, summary)) = seq.next_element_seed(TableSeed { take: self.take, keep: self.keep })? {
                kept.extend(table);
                summaries.push(summary);
            }
            Ok((kept, summaries))
        }
    }

    struct TableSeed<'a, F, K> {
        take: &'a F,
        keep: &'a K,
    }

    /// The cells of a kept table: those `keep` accepts, with the counts of all.
    struct CellsSeed<'a, K> {
        keep: &'a K,
    }

    impl<'de, K: Fn(&Cell) -> bool> DeserializeSeed<'de> for CellsSeed<'_, K> {
        type Value = (Vec<Cell>, usize, usize);
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de, K: Fn(&Cell) -> bool> Visitor<'de> for CellsSeed<'_, K> {
        type Value = (Vec<Cell>, usize, usize);
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of cells")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let (mut kept, mut cells, mut shown) = (Vec::new(), 0, 0);
            while let Some(c) = seq.next_element::<Cell>()? {
                cells += 1;
                shown += usize::from(!c.suppressed);
                if (self.keep)(&c) {
                    kept.push(c);
                }
            }
            Ok((kept, cells, shown))
        }
    }

    /// A cell scanned for whether it is shown, nothing else kept.
    #[derive(Deserialize)]
    struct Shown {
        suppressed: bool,
    }

    /// The cells of a table that is not kept: counted as they are scanned.
    struct CountSeed;

    impl<'de> DeserializeSeed<'de> for CountSeed {
        type Value = (usize, usize);
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for CountSeed {
        type Value = (usize, usize);
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of cells")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let (mut cells, mut shown) = (0, 0);
            while let Some(c) = seq.next_element::<Shown>()? {
                cells += 1;
                shown += usize::from(!c.suppressed);
            }
            Ok((cells, shown))
        }
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> DeserializeSeed<'de> for TableSeed<'_, F, K> {
        type Value = (Option<Table>, TableSummary);
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de, F: Fn(&str, &[Dimension]) -> Take, K: Fn(&Cell) -> bool> Visitor<'de> for TableSeed<'_, F, K> {
        type Value = (Option<Table>, TableSummary);
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut name: Option<String> = None;
            let mut by: Option<Vec<Dimension>> = None;
            // The cells kept (`Some`) or only counted.
            let mut cells: Option<Vec<Cell>> = None;
            let mut counts: Option<(usize, usize)> = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match key.as_ref() {
                    "name" => name = Some(map.next_value()?),
                    "by" => by = Some(map.next_value()?),
                    "cells" => {
                        let take = match (&name, &by) {
                            (Some(n), Some(b)) => (self.take)(n, b),
                            _ => Take::Whole,
                        };
                        match take {
                            Take::Whole => {
                                let (kept, n, shown) = map.next_value_seed(CellsSeed { keep: self.keep })?;
                                counts = Some((n, shown));
                                cells = Some(kept);
                            }
                            Take::Count => counts = Some(map.next_value_seed(CountSeed)?),
                        }
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            let name = name.ok_or_else(|| A::Error::missing_field("name"))?;
            let by = by.ok_or_else(|| A::Error::missing_field("by"))?;
            let (n, shown) = counts.ok_or_else(|| A::Error::missing_field("cells"))?;
            // Cells read before the name: kept only if the table is wanted after all.
            let cells = cells.filter(|_| (self.take)(&name, &by) == Take::Whole);
            let summary = TableSummary { name: name.clone(), by: by.clone(), cells: n, shown };
            Ok((cells.map(|cells| Table { name, by, cells }), summary))
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

    fn sample() -> OverallReport {
        let cell = |group: &[(Dimension, &str)], m: &Measure, shown: Option<(u64, f64)>| {
            Cell::new(group.iter().map(|(d, l)| (*d, l.to_string())).collect(), m, shown)
        };
        OverallReport {
            tenant: "t".into(),
            cycle: CycleRef { id: 3, name: "2026年度".into() },
            version: 2,
            released_at: Some("2026-04-01T00:00:00Z".into()),
            k: 10,
            population: PopulationInfo { rule: POPULATION_RULE.into(), as_of: "2026-04-01T00:00:00Z".into(), n: Some(40) },
            dimensions: Dimensions::default(),
            tables: vec![
                Table {
                    name: "overall".into(),
                    by: vec![],
                    cells: vec![cell(&[], &Measure::People, Some((40, 40.0))), cell(&[], &Measure::LifeSafety, None)],
                },
                Table {
                    name: "department".into(),
                    by: vec![Dimension::Department],
                    cells: vec![
                        cell(&[(Dimension::Department, "営業部")], &Measure::People, Some((20, 20.0))),
                        cell(&[(Dimension::Department, "開発部")], &Measure::People, None),
                    ],
                },
                Table {
                    name: "age_tenure".into(),
                    by: vec![Dimension::Age, Dimension::Tenure],
                    cells: vec![cell(&[(Dimension::Age, "30-39"), (Dimension::Tenure, "3-9")], &Measure::People, None)],
                },
            ],
        }
    }

    #[test]
    fn a_snapshot_read_in_part_keeps_the_chosen_tables_and_counts_the_rest() {
        let full = sample();
        let json = serde_json::to_string(&full).unwrap_or_default();
        let all = read_tables(&json, |_, _| Take::Whole).map(|p| p.report).ok();
        assert_eq!(all.as_ref(), Some(&full), "everything kept is the full parse");
        let part = read_tables(&json, |name, _| if name == "department" { Take::Whole } else { Take::Count });
        let Ok(part) = part else { panic!("the partial read failed") };
        assert_eq!(part.report.tables, vec![full.tables[1].clone()]);
        assert_eq!((part.report.cycle.clone(), part.report.k, part.report.population.n), (full.cycle.clone(), 10, Some(40)));
        let counts: Vec<(&str, usize, usize)> = part.tables.iter().map(|t| (t.name.as_str(), t.cells, t.shown)).collect();
        assert_eq!(counts, vec![("overall", 2, 1), ("department", 2, 1), ("age_tenure", 1, 0)]);
        let whole = read_whole_population(&json).ok();
        let mut expected = full.clone();
        expected.tables.truncate(1);
        assert_eq!(whole, Some(expected));
        assert!(read_tables("{\"tenant\":1}", |_, _| Take::Whole).is_err(), "a damaged snapshot is an error");
        let sales = read_tables_where(&json, |_, _| Take::Whole, |c| c.group.get(&Dimension::Department).is_none_or(|d| d == "営業部"));
        let Ok(sales) = sales else { panic!("the filtered read failed") };
        let kept: Vec<usize> = sales.report.tables.iter().map(|t| t.cells.len()).collect();
        assert_eq!(kept, vec![2, 1, 1], "the other department's cell dropped");
        assert_eq!(sales.tables[1].cells, 2, "and still counted");
    }
}
