//! The breakdowns of the overall report (全体報告書): who is in each cell, before anything is
//! decided about showing it. Pure: the store hands in the population (the employees of
//! `approved_reports`, each with their department, birth year, hire date, grade and the measures
//! their approved reports carry) and the department tree; this module makes every table of a
//! release at once, with each cell's member sets, so that the anonymity engine can decide all of
//! them jointly against every earlier release of the tenant, and then turns the verdicts into the
//! JSON contract of [`crate::overall_report`].
//!
//! - Age is the reference year minus the birth year (the register holds the year only); tenure is
//!   the whole years completed from the hire date to the reference date. Bands have inclusive
//!   whole-year bounds (`BandDimension`); someone without a birth year (hire date, grade) is in
//!   the population and the whole-population cells but in no band (no grade label).
//! - A department label is a department with every sub-department under it; the one-way table has
//!   every department of the tree that has anyone of the population, the two-way tables the
//!   top-level departments.
//! - Measures: `people`, every issue tag (`tag:<code>`), the two flags, and whatever the caller
//!   adds (themes are measures `theme:<term>` like any other: a person carries the measure or not).

use crate::anonymity::measured;
pub use crate::anonymity::measured::{decode_set, encode_set, Ledger};
use crate::overall_report::{
    Band, BandDimension, Cell, CycleRef, DepartmentDimension, DepartmentLabel, Dimension, Dimensions, GradeDimension, GradeLabel, Measure,
    OverallReport, PopulationInfo, Table, POPULATION_RULE,
};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One department of the tenant's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub parent: Option<i64>,
    /// Names joined with `/` (営業部/第一課).
    pub path: String,
}

/// One employee of the population, with what the breakdowns and measures need.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub employee: i64,
    pub department: i64,
    pub birth_year: Option<i32>,
    pub hire_date: Option<NaiveDate>,
    pub grade: Option<String>,
    /// The measures other than `people` that this person carries (tags, flags, themes).
    pub measures: BTreeSet<Measure>,
}

/// Age bands: inclusive whole years, the top one open.
pub const AGE_BANDS: [(u32, Option<u32>); 4] = [(0, Some(29)), (30, Some(39)), (40, Some(49)), (50, None)];
/// Tenure bands: inclusive whole years completed, the top one open.
pub const TENURE_BANDS: [(u32, Option<u32>); 4] = [(0, Some(2)), (3, Some(9)), (10, Some(19)), (20, None)];

/// The two-way combinations a release carries (each also has the one-way tables of both sides).
pub const PAIRS: [(Dimension, Dimension); 6] = [
    (Dimension::Department, Dimension::Age),
    (Dimension::Department, Dimension::Tenure),
    (Dimension::Department, Dimension::Grade),
    (Dimension::Age, Dimension::Tenure),
    (Dimension::Age, Dimension::Grade),
    (Dimension::Tenure, Dimension::Grade),
];

/// A band's label: `30-39`, `50-` (language-neutral; pages word it from the bounds).
pub fn band_label(min: u32, max: Option<u32>) -> String {
    match max {
        Some(max) => format!("{min}-{max}"),
        None => format!("{min}-"),
    }
}

fn bands(spec: &[(u32, Option<u32>)]) -> Vec<Band> {
    spec.iter().map(|(min, max)| Band { label: band_label(*min, *max), min: *min, max: *max }).collect()
}

fn band_of(spec: &[(u32, Option<u32>)], years: i64) -> Option<String> {
    let y = u32::try_from(years).ok()?;
    spec.iter().find(|(min, max)| y >= *min && max.is_none_or(|m| y <= m)).map(|(min, max)| band_label(*min, *max))
}

/// Age at the reference date from the birth year: the reference year minus the birth year.
pub fn age_at(birth_year: i32, reference: NaiveDate) -> i64 {
    i64::from(reference.year()) - i64::from(birth_year)
}

/// Whole years completed from the hire date to the reference date (negative before hiring).
pub fn tenure_at(hire: NaiveDate, reference: NaiveDate) -> i64 {
    let mut years = i64::from(reference.year()) - i64::from(hire.year());
    if (reference.month(), reference.day()) < (hire.month(), hire.day()) {
        years -= 1;
    }
    years
}

/// One cell before the engine: its group, measure and members.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub group: BTreeMap<Dimension, String>,
    pub measure: Measure,
    /// The employees of the population in the group, ascending.
    pub members: Vec<i64>,
    /// Those of them carrying the measure (for `people`, the members again), ascending.
    pub with: Vec<i64>,
}

impl Pending {
    /// The sets a shown cell lets a reader count: the group, and (for a measure other than
    /// `people`) those in it carrying the measure.
    pub fn sets(&self) -> Vec<Vec<i64>> {
        if self.measure == Measure::People {
            vec![self.members.clone()]
        } else {
            vec![self.members.clone(), self.with.clone()]
        }
    }
}

/// One table before the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingTable {
    pub name: String,
    pub by: Vec<Dimension>,
    pub cells: Vec<Pending>,
}

/// Every table of one release, with the dimensions' definitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub reference_date: NaiveDate,
    pub population: Vec<i64>,
    pub dimensions: Dimensions,
    pub tables: Vec<PendingTable>,
}

impl Breakdown {
    /// Every cell of every table, in order (the engine's candidates).
    pub fn cells(&self) -> impl Iterator<Item = &Pending> {
        self.tables.iter().flat_map(|t| t.cells.iter())
    }
}

/// Why a cell is hidden (the engine's reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Hidden {
    /// Fewer than k people in the group, or a count of 1..k-1 people in it.
    BelowK,
    /// Hidden so that no combination of shown cells gives a hidden one back.
    Secondary,
    /// Shown, it would let a subtraction against an earlier release (its id) isolate 1..k-1 people.
    Differencing { release: i64 },
}

/// The engine's verdict on one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `None`: shown.
    pub hidden: Option<Hidden>,
    /// Shown, and everyone in the group shares the measure (flagged to the approver, not hidden).
    pub homogeneous: bool,
}

/// Builds every table of a release over `people` at `reference`. `measures` lists the measures
/// other than `people` every table carries, in order (the caller's tags, flags, themes).
pub fn breakdown(people: &[Person], departments: &[Department], measures: &[Measure], reference: NaiveDate) -> Breakdown {
    let by_id: HashMap<i64, &Department> = departments.iter().map(|d| (d.id, d)).collect();
    // Each person's departments: their own and every ancestor (a label includes its subtree).
    // A damaged tree (a department its own ancestor) stops at the first repeat, so that nobody
    // is counted twice in one label.
    let ancestry = |mut id: i64| {
        let mut out: Vec<i64> = Vec::new();
        while let Some(d) = by_id.get(&id) {
            if out.contains(&d.id) {
                break;
            }
            out.push(d.id);
            match d.parent {
                Some(p) => id = p,
                None => break,
            }
        }
        out
    };
    let top_of = |id: i64| ancestry(id).last().copied();
    let path_of = |id: i64| by_id.get(&id).map(|d| d.path.clone()).unwrap_or_default();

    struct Keys {
        departments: Vec<i64>,
        top: Option<i64>,
        age: Option<String>,
        tenure: Option<String>,
        grade: Option<String>,
    }
    let keys: Vec<Keys> = people
        .iter()
        .map(|p| Keys {
            departments: ancestry(p.department),
            top: top_of(p.department),
            age: p.birth_year.and_then(|y| band_of(&AGE_BANDS, age_at(y, reference))),
            tenure: p.hire_date.and_then(|h| band_of(&TENURE_BANDS, tenure_at(h, reference))),
            grade: p.grade.clone().filter(|g| !g.trim().is_empty()),
        })
        .collect();
    let label_of = |k: &Keys, d: Dimension, top_level: bool| -> Vec<String> {
        match d {
            Dimension::Department if top_level => k.top.map(path_of).into_iter().collect(),
            Dimension::Department => {
                // Two departments of one path (a damaged register) are one label.
                let mut paths: Vec<String> = Vec::with_capacity(k.departments.len());
                for path in k.departments.iter().map(|id| path_of(*id)) {
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
                paths
            }
            Dimension::Age => k.age.clone().into_iter().collect(),
            Dimension::Tenure => k.tenure.clone().into_iter().collect(),
            Dimension::Grade => k.grade.clone().into_iter().collect(),
        }
    };

    // The department labels in use, with the ids and paths of their subtrees.
    let used: BTreeSet<i64> = keys.iter().flat_map(|k| k.departments.iter().copied()).collect();
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for d in departments {
        if let Some(p) = d.parent {
            children.entry(p).or_default().push(d.id);
        }
    }
    // Every department under a root, each once (in a damaged tree a department may be its own
    // descendant), by path.
    let subtree = |root: i64| {
        let mut out = vec![root];
        let mut seen: HashSet<i64> = HashSet::from([root]);
        let mut i = 0;
        while let Some(&id) = out.get(i) {
            for &child in children.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(child) {
                    out.push(child);
                }
            }
            i += 1;
        }
        out.sort_by_cached_key(|id| path_of(*id));
        out
    };
    let mut dept_labels: Vec<DepartmentLabel> = used
        .iter()
        .map(|id| {
            let ids = subtree(*id);
            DepartmentLabel { label: path_of(*id), paths: ids.iter().map(|i| path_of(*i)).collect(), department_ids: ids }
        })
        .collect();
    dept_labels.sort_by(|a, b| a.label.cmp(&b.label));
    let grades: BTreeSet<String> = keys.iter().filter_map(|k| k.grade.clone()).collect();
    let reference_date = reference.format("%Y-%m-%d").to_string();
    let dimensions = Dimensions {
        department: Some(DepartmentDimension { labels: dept_labels }),
        age: Some(BandDimension { reference_date: reference_date.clone(), bands: bands(&AGE_BANDS) }),
        tenure: Some(BandDimension { reference_date, bands: bands(&TENURE_BANDS) }),
        grade: Some(GradeDimension { labels: grades.iter().map(|g| GradeLabel { label: g.clone(), grades: vec![g.clone()] }).collect() }),
    };

    let mut all_measures = vec![Measure::People];
    all_measures.extend(measures.iter().filter(|m| **m != Measure::People).cloned());
    let table = |name: String, by: Vec<Dimension>| -> PendingTable {
        // Group → members (in population order, which is ascending by employee id).
        let mut groups: BTreeMap<BTreeMap<Dimension, String>, Vec<usize>> = BTreeMap::new();
        let top_level = by.len() > 1;
        for (i, k) in keys.iter().enumerate() {
            let mut combos: Vec<BTreeMap<Dimension, String>> = vec![BTreeMap::new()];
            for d in &by {
                let labels = label_of(k, *d, top_level);
                combos = combos
                    .into_iter()
                    .flat_map(|c| {
                        labels.iter().map(move |l| {
                            let mut c = c.clone();
                            c.insert(*d, l.clone());
                            c
                        })
                    })
                    .collect();
            }
            for c in combos {
                groups.entry(c).or_default().push(i);
            }
        }
        let mut cells = Vec::new();
        for (group, idx) in groups {
            let members: Vec<i64> = idx.iter().map(|i| people[*i].employee).collect();
            for m in &all_measures {
                let with: Vec<i64> = if *m == Measure::People {
                    members.clone()
                } else {
                    idx.iter().filter(|i| people[**i].measures.contains(m)).map(|i| people[*i].employee).collect()
                };
                cells.push(Pending { group: group.clone(), measure: m.clone(), members: members.clone(), with });
            }
        }
        PendingTable { name, by, cells }
    };
    let mut sorted: Vec<&Person> = people.iter().collect();
    sorted.sort_by_key(|p| p.employee);
    let mut tables = vec![table("overall".to_string(), Vec::new())];
    for d in Dimension::ALL {
        tables.push(table(d.as_str().to_string(), vec![d]));
    }
    for (a, b) in PAIRS {
        tables.push(table(format!("{}_{}", a.as_str(), b.as_str()), vec![a, b]));
    }
    // Members ascending by employee id whatever order the caller gave.
    for t in &mut tables {
        for c in &mut t.cells {
            c.members.sort_unstable();
            c.with.sort_unstable();
        }
    }
    // An empty population still has its whole-population table (hidden: nobody to show).
    if people.is_empty() {
        tables[0].cells =
            all_measures.iter().map(|m| Pending { group: BTreeMap::new(), measure: m.clone(), members: vec![], with: vec![] }).collect();
    }
    Breakdown { reference_date: reference, population: sorted.iter().map(|p| p.employee).collect(), dimensions, tables }
}

/// Primary suppression alone: a cell is shown when its group has at least k people and the
/// count of its measure, and of those without it, is 0 or at least k. A release is decided by
/// [`verdicts`] (the engine, `crate::anonymity`, which adds secondary suppression and the
/// checks against earlier releases); this is the bound every shown cell also meets.
pub fn primary_verdicts(k: u32, cells: &[&Pending]) -> Vec<Verdict> {
    let k = k as usize;
    let ok = |n: usize| n == 0 || n >= k;
    cells
        .iter()
        .map(|c| {
            let n = c.members.len();
            let v = c.with.len();
            let shown = n >= k && ok(v) && ok(n - v.min(n));
            Verdict { hidden: (!shown).then_some(Hidden::BelowK), homogeneous: shown && c.measure != Measure::People && v == n && n > 0 }
        })
        .collect()
}

/// The verdicts on every cell of a release (in [`Breakdown::cells`] order), decided per measure
/// (`crate::anonymity::measured`) against the ledgers of every earlier release. Returns the
/// verdicts and what to keep in the ledger if this release is made (as release `release`).
pub fn verdicts(k: u32, cells: &[&Pending], prior: &[Ledger], release: i64) -> (Vec<Verdict>, Ledger) {
    let input = EngineInput::of(cells);
    let engine = input.cells();
    let outcome = measured::decide(k, &input.groups, &engine, prior);
    let ledger = measured::ledger(release, &input.groups, &engine, &outcome.verdicts);
    let verdicts = outcome.verdicts.into_iter().map(Verdict::from).collect();
    (verdicts, ledger)
}

/// The ledger a release with these verdicts keeps (what [`verdicts`] returns beside them),
/// for verdicts decided earlier on the same cells.
pub fn ledger_of(cells: &[&Pending], verdicts: &[Verdict], release: i64) -> Ledger {
    let input = EngineInput::of(cells);
    let engine = input.cells();
    let decided: Vec<crate::anonymity::Verdict> = verdicts.iter().map(|v| v.to_engine()).collect();
    measured::ledger(release, &input.groups, &engine, &decided)
}

/// A digest (SHA-256) of everything the verdicts of a release depend on: k, the release, every
/// cell (group, measure, members, holders, in order) and every earlier ledger. Two builds with
/// the same digest are decided alike, so a build may reuse the verdicts of an earlier one
/// (the preview, then the approval, then the release, when nothing changed in between).
pub fn decision_digest(k: u32, cells: &[&Pending], prior: &[Ledger], release: i64) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let put = |h: &mut Sha256, bytes: &[u8], buf: &mut Vec<u8>| {
        buf.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        buf.extend_from_slice(bytes);
        if buf.len() >= 1 << 16 {
            h.update(buf.as_slice());
            buf.clear();
        }
    };
    put(&mut h, b"careerdock/decision/1", &mut buf);
    put(&mut h, &k.to_le_bytes(), &mut buf);
    put(&mut h, &release.to_le_bytes(), &mut buf);
    put(&mut h, &(cells.len() as u64).to_le_bytes(), &mut buf);
    let ids = |list: &[i64]| -> Vec<u8> { list.iter().flat_map(|m| m.to_le_bytes()).collect() };
    for c in cells {
        put(&mut h, c.measure.code().as_bytes(), &mut buf);
        put(&mut h, &(c.group.len() as u64).to_le_bytes(), &mut buf);
        for (d, label) in &c.group {
            put(&mut h, d.as_str().as_bytes(), &mut buf);
            put(&mut h, label.as_bytes(), &mut buf);
        }
        put(&mut h, &ids(&c.members), &mut buf);
        put(&mut h, &ids(&c.with), &mut buf);
    }
    put(&mut h, &(prior.len() as u64).to_le_bytes(), &mut buf);
    for l in prior {
        put(&mut h, &l.encode(), &mut buf);
    }
    h.update(buf.as_slice());
    h.finalize().into()
}

/// The cells as the engine takes them: every distinct (group, members) once, in order, and
/// each cell's group, measure code and count of holders.
struct EngineInput {
    groups: Vec<Vec<i64>>,
    group_of: Vec<usize>,
    codes: Vec<Option<String>>,
    with: Vec<usize>,
}

impl EngineInput {
    fn of(cells: &[&Pending]) -> EngineInput {
        let mut groups: Vec<Vec<i64>> = Vec::new();
        let mut index: HashMap<(&BTreeMap<Dimension, String>, &[i64]), usize> = HashMap::new();
        let mut group_of = Vec::with_capacity(cells.len());
        for c in cells {
            let next = groups.len();
            let group = *index.entry((&c.group, c.members.as_slice())).or_insert(next);
            if group == next {
                groups.push(c.members.clone());
            }
            group_of.push(group);
        }
        EngineInput {
            groups,
            group_of,
            codes: cells.iter().map(|c| (c.measure != Measure::People).then(|| c.measure.code())).collect(),
            with: cells.iter().map(|c| c.with.len()).collect(),
        }
    }

    fn cells(&self) -> Vec<measured::Cell<'_>> {
        self.group_of
            .iter()
            .zip(&self.codes)
            .zip(&self.with)
            .map(|((&group, code), &with)| measured::Cell { group, measure: code.as_deref(), with })
            .collect()
    }
}

impl From<crate::anonymity::Verdict> for Verdict {
    fn from(v: crate::anonymity::Verdict) -> Verdict {
        use crate::anonymity::Reason;
        match v {
            crate::anonymity::Verdict::Shown { homogeneous } => Verdict { hidden: None, homogeneous },
            crate::anonymity::Verdict::Suppressed(reason) => Verdict {
                hidden: Some(match reason {
                    Reason::BelowK => Hidden::BelowK,
                    Reason::Secondary => Hidden::Secondary,
                    Reason::Differencing { release } => Hidden::Differencing { release },
                }),
                homogeneous: false,
            },
        }
    }
}

impl Verdict {
    fn to_engine(self) -> crate::anonymity::Verdict {
        use crate::anonymity::Reason;
        match self.hidden {
            None => crate::anonymity::Verdict::Shown { homogeneous: self.homogeneous },
            Some(Hidden::BelowK) => crate::anonymity::Verdict::Suppressed(Reason::BelowK),
            Some(Hidden::Secondary) => crate::anonymity::Verdict::Suppressed(Reason::Secondary),
            Some(Hidden::Differencing { release }) => crate::anonymity::Verdict::Suppressed(Reason::Differencing { release }),
        }
    }
}

/// What a release shows: the report in the JSON contract.
pub struct Released {
    pub report: OverallReport,
}

/// The facts of the report around its tables.
pub struct Heading {
    pub tenant: String,
    pub cycle: CycleRef,
    pub version: i64,
    pub released_at: Option<String>,
    pub k: u32,
    pub as_of: String,
}

/// Applies the verdicts (one per cell, in [`Breakdown::cells`] order) and makes the report.
pub fn assemble(b: &Breakdown, verdicts: &[Verdict], head: Heading) -> Released {
    let mut i = 0;
    let mut tables = Vec::with_capacity(b.tables.len());
    let mut population_shown = false;
    for t in &b.tables {
        let mut cells = Vec::with_capacity(t.cells.len());
        for c in &t.cells {
            let shown = verdicts.get(i).is_some_and(|v| v.hidden.is_none());
            i += 1;
            let figures = shown.then_some((c.members.len() as u64, c.with.len() as f64));
            if shown && c.group.is_empty() && c.measure == Measure::People {
                population_shown = true;
            }
            cells.push(Cell::new(c.group.clone(), &c.measure, figures));
        }
        tables.push(Table { name: t.name.clone(), by: t.by.clone(), cells });
    }
    let report = OverallReport {
        tenant: head.tenant,
        cycle: head.cycle,
        version: head.version,
        released_at: head.released_at,
        k: head.k,
        population: PopulationInfo {
            rule: POPULATION_RULE.to_string(),
            as_of: head.as_of,
            n: population_shown.then_some(b.population.len() as u64),
        },
        dimensions: b.dimensions.clone(),
        tables,
    };
    Released { report }
}

/// The tables a reader's breakdown choice selects: with no choice, every table; else the
/// whole-population table and the table by exactly the chosen dimensions (in any order).
/// `None` when the chosen combination is not a table of the release or has no shown cell.
pub fn select(report: &OverallReport, by: &[Dimension]) -> Option<OverallReport> {
    if by.is_empty() {
        return Some(report.clone());
    }
    let want: BTreeSet<Dimension> = by.iter().copied().collect();
    let table = report.tables.iter().find(|t| t.by.iter().copied().collect::<BTreeSet<_>>() == want && t.by.len() == want.len())?;
    if table.cells.iter().all(|c| c.suppressed) {
        return None;
    }
    // Only the chosen tables are copied (a released report of 100,000 employees holds 125,000
    // cells, most of them in tables the reader did not choose).
    let tables = report.tables.iter().filter(|t| t.by.is_empty() || t.name == table.name).cloned().collect();
    Some(with_tables(report, tables))
}

/// The report's header (tenant, cycle, version, k, population, dimensions) with other tables.
fn with_tables(report: &OverallReport, tables: Vec<crate::overall_report::Table>) -> OverallReport {
    OverallReport {
        tenant: report.tenant.clone(),
        cycle: report.cycle.clone(),
        version: report.version,
        released_at: report.released_at.clone(),
        k: report.k,
        population: report.population.clone(),
        dimensions: report.dimensions.clone(),
        tables,
    }
}

// ---------------------------------------------------------------- the department drill-down

/// The department a label (a path, 営業部/第一課) is directly under: `None` for a top-level one.
pub fn parent_department(label: &str) -> Option<&str> {
    label.rsplit_once('/').map(|(parent, _)| parent)
}

/// Whether a department label is shown at a level of the drill-down: at the top (`None`) the
/// top-level departments; under a department, that department itself (its total) and its
/// direct sub-departments.
pub fn at_department_level(level: Option<&str>, label: &str) -> bool {
    match level {
        None => parent_department(label).is_none(),
        Some(dept) => label == dept || parent_department(label) == Some(dept),
    }
}

/// Whether a cell's group is shown at a level of the drill-down: a group without a department
/// always is; one with a department when its department is at that level.
pub fn group_at_department_level(level: Option<&str>, group: &BTreeMap<Dimension, String>) -> bool {
    group.get(&Dimension::Department).is_none_or(|label| at_department_level(level, label))
}

/// Whether the report knows the department label (a drill-down to anything else is "not found").
pub fn knows_department(report: &OverallReport, label: &str) -> bool {
    report.dimensions.department.as_ref().is_some_and(|d| d.labels.iter().any(|l| l.label == label))
}

/// The labels of the report's departments that have a sub-department label of their own
/// (those a page offers to drill into).
pub fn departments_with_children(report: &OverallReport) -> BTreeSet<String> {
    let labels = report.dimensions.department.as_ref().map(|d| d.labels.as_slice()).unwrap_or(&[]);
    labels.iter().filter_map(|l| parent_department(&l.label)).map(str::to_string).collect()
}

/// The way down to a department: its ancestors' labels and its own, top first
/// (営業部, 営業部/第一課).
pub fn department_trail(label: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = Some(label);
    while let Some(l) = at {
        out.push(l.to_string());
        at = parent_department(l);
    }
    out.reverse();
    out
}

/// The report with the cells of its department tables limited to a level of the drill-down
/// (see [`at_department_level`]); other tables as they are. Pages show a level at a time (a
/// company of 2,500 departments would otherwise have 2,500 rows in a table); the API and the
/// CSV keep every cell.
pub fn at_department(report: &OverallReport, level: Option<&str>) -> OverallReport {
    let tables = report
        .tables
        .iter()
        .map(|t| crate::overall_report::Table {
            name: t.name.clone(),
            by: t.by.clone(),
            cells: t.cells.iter().filter(|c| group_at_department_level(level, &c.group)).cloned().collect(),
        })
        .collect();
    with_tables(report, tables)
}

/// The breakdowns a reader may choose: the tables of the release with at least one shown cell.
pub fn offered(report: &OverallReport) -> Vec<Vec<Dimension>> {
    report.tables.iter().filter(|t| !t.by.is_empty() && t.cells.iter().any(|c| !c.suppressed)).map(|t| t.by.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn tree() -> Vec<Department> {
        vec![
            Department { id: 1, parent: None, path: "営業部".into() },
            Department { id: 2, parent: Some(1), path: "営業部/第一課".into() },
            Department { id: 3, parent: Some(1), path: "営業部/第二課".into() },
            Department { id: 4, parent: None, path: "開発部".into() },
        ]
    }

    fn person(id: i64, dept: i64, birth: i32, hire: &str, grade: &str, tags: &[&str]) -> Person {
        Person {
            employee: id,
            department: dept,
            birth_year: Some(birth),
            hire_date: Some(date(hire)),
            grade: Some(grade.into()),
            measures: tags.iter().map(|t| Measure::Tag((*t).into())).collect(),
        }
    }

    #[test]
    fn ages_and_tenures_use_inclusive_whole_years() {
        let r = date("2026-04-01");
        assert_eq!(age_at(1996, r), 30);
        assert_eq!(band_of(&AGE_BANDS, 29).as_deref(), Some("0-29"));
        assert_eq!(band_of(&AGE_BANDS, 30).as_deref(), Some("30-39"));
        assert_eq!(band_of(&AGE_BANDS, 71).as_deref(), Some("50-"));
        assert_eq!(tenure_at(date("2023-04-01"), r), 3, "the anniversary counts");
        assert_eq!(tenure_at(date("2023-04-02"), r), 2, "a day short does not");
        assert_eq!(band_of(&TENURE_BANDS, 2).as_deref(), Some("0-2"));
        assert_eq!(band_of(&TENURE_BANDS, -1), None, "hired after the reference date");
    }

    #[test]
    fn a_department_includes_its_sub_departments() {
        let people = vec![
            person(10, 2, 1990, "2015-04-01", "G3", &["career"]),
            person(11, 3, 1980, "2005-04-01", "G4", &[]),
            person(12, 4, 1970, "1995-04-01", "G4", &["career"]),
        ];
        let b = breakdown(&people, &tree(), &[Measure::Tag("career".into())], date("2026-04-01"));
        let dept = b.tables.iter().find(|t| t.name == "department").map(|t| t.cells.clone()).unwrap_or_default();
        let people_of = |label: &str| {
            dept.iter()
                .find(|c| c.group.get(&Dimension::Department).map(String::as_str) == Some(label) && c.measure == Measure::People)
                .map(|c| c.members.clone())
        };
        assert_eq!(people_of("営業部"), Some(vec![10, 11]));
        assert_eq!(people_of("営業部/第一課"), Some(vec![10]));
        assert_eq!(people_of("開発部"), Some(vec![12]));
        let labels = b.dimensions.department.map(|d| d.labels).unwrap_or_default();
        let sales = labels.iter().find(|l| l.label == "営業部").map(|l| l.department_ids.clone());
        assert_eq!(sales, Some(vec![1, 2, 3]));
        // Two-way tables use the top level.
        let pair = b.tables.iter().find(|t| t.name == "department_age").map(|t| t.cells.clone()).unwrap_or_default();
        assert!(pair.iter().all(|c| c.group.get(&Dimension::Department).is_some_and(|d| !d.contains('/'))));
        let tagged = b.tables[0].cells.iter().find(|c| c.measure == Measure::Tag("career".into())).map(|c| c.with.clone());
        assert_eq!(tagged, Some(vec![10, 12]));
    }

    /// Found by fuzzing (fuzz/regressions/report_filter/): a department its own parent put every
    /// member 64 times into its label (a group of 3 counted as 192). A looping tree or two
    /// departments of one path now count each person once per label.
    #[test]
    fn a_damaged_department_tree_counts_each_person_once() {
        let looping = vec![
            Department { id: 0, parent: Some(0), path: "営業部".into() },
            Department { id: 1, parent: Some(2), path: "開発部".into() },
            Department { id: 2, parent: Some(1), path: "開発部/基盤".into() },
            Department { id: 3, parent: Some(4), path: "総務部".into() },
            Department { id: 4, parent: None, path: "総務部".into() },
        ];
        let people: Vec<Person> = (0..9).map(|i| person(i * 7 + 1, i % 5, 1990, "2015-04-01", "G3", &[])).collect();
        let b = breakdown(&people, &looping, &[], date("2026-04-01"));
        for c in b.cells() {
            assert!(c.members.windows(2).all(|w| w[0] < w[1]), "{c:?}");
        }
        let dept = b.tables.iter().find(|t| t.name == "department").map(|t| t.cells.clone()).unwrap_or_default();
        let n = |label: &str| {
            dept.iter().find(|c| c.group.get(&Dimension::Department).map(String::as_str) == Some(label)).map(|c| c.members.len())
        };
        assert_eq!(n("営業部"), Some(2));
        assert_eq!(n("開発部"), Some(4));
        assert_eq!(n("総務部"), Some(3));
    }

    /// Found by fuzzing (fuzz/regressions/report_filter/department-own-child): a department its own
    /// child made its label list itself 100,000 times (a 450 MB report, 3 GB to build). Each
    /// department of a subtree is listed once, however the tree loops.
    #[test]
    fn a_looping_department_tree_lists_each_department_once() {
        let looping = vec![
            Department { id: 0, parent: None, path: "営業部".into() },
            Department { id: 1, parent: Some(1), path: "開発部".into() },
            Department { id: 2, parent: Some(3), path: "総務部".into() },
            Department { id: 3, parent: Some(2), path: "総務部/庶務課".into() },
        ];
        let people: Vec<Person> = (0..4).map(|i| person(i + 1, i, 1990, "2015-04-01", "G3", &[])).collect();
        let b = breakdown(&people, &looping, &[], date("2026-04-01"));
        let labels = b.dimensions.department.map(|d| d.labels).unwrap_or_default();
        let ids = |label: &str| labels.iter().find(|l| l.label == label).map(|l| l.department_ids.clone());
        assert_eq!(ids("営業部"), Some(vec![0]));
        assert_eq!(ids("開発部"), Some(vec![1]));
        assert_eq!(ids("総務部"), Some(vec![2, 3]));
        assert!(labels.iter().all(|l| l.paths.len() == l.department_ids.len()));
    }

    #[test]
    fn primary_suppression_hides_small_groups_and_small_counts() {
        let people: Vec<Person> = (0..12).map(|i| person(i, 2, 1990, "2015-04-01", "G3", if i < 2 { &["career"] } else { &[] })).collect();
        let b = breakdown(&people, &tree(), &[Measure::Tag("career".into())], date("2026-04-01"));
        let cells: Vec<&Pending> = b.tables[0].cells.iter().collect();
        let v = primary_verdicts(10, &cells);
        assert_eq!(v[0].hidden, None, "12 people shown");
        assert_eq!(v[1].hidden, Some(Hidden::BelowK), "2 with the tag: hidden");
        let all: Vec<&Pending> = b.cells().collect();
        let verdicts = primary_verdicts(10, &all);
        let head = Heading {
            tenant: "t".into(),
            cycle: CycleRef { id: 1, name: "2026".into() },
            version: 1,
            released_at: None,
            k: 10,
            as_of: "2026-04-01T00:00:00Z".into(),
        };
        let r = assemble(&b, &verdicts, head);
        assert_eq!(r.report.population.n, Some(12));
        let json = serde_json::to_string(&r.report).unwrap_or_default();
        assert!(!json.contains("\"n\":2"), "no hidden count leaks: {json}");
        assert!(select(&r.report, &[Dimension::Department]).is_some());
        assert!(select(&r.report, &[Dimension::Department, Dimension::Age]).is_some());
        assert_eq!(offered(&r.report).len(), 10);
    }

    fn company(tagged: usize) -> Breakdown {
        let people: Vec<Person> = (0..40)
            .map(|i| person(i, 2 + i % 3, 1960 + (i % 40) as i32, "2010-01-01", "G1", if (i as usize) < tagged { &["x"] } else { &[] }))
            .collect();
        breakdown(&people, &tree(), &[Measure::Tag("x".into())], date("2026-04-01"))
    }

    #[test]
    fn the_digest_changes_with_every_input_the_verdicts_depend_on() {
        let b = company(12);
        let cells: Vec<&Pending> = b.cells().collect();
        let (_, first) = verdicts(10, &cells, &[], 1);
        let base = decision_digest(10, &cells, &[], 2);
        assert_eq!(base, decision_digest(10, &cells, &[], 2), "the same inputs, the same digest");
        assert_ne!(base, decision_digest(11, &cells, &[], 2), "k");
        assert_ne!(base, decision_digest(10, &cells, &[], 3), "the release");
        assert_ne!(base, decision_digest(10, &cells, std::slice::from_ref(&first), 2), "an earlier release");
        let other = company(13);
        let moved: Vec<&Pending> = other.cells().collect();
        assert_ne!(base, decision_digest(10, &moved, &[], 2), "one more holder of a tag");
        let mut relabelled = b.clone();
        if let Some(c) = relabelled.tables.first_mut().and_then(|t| t.cells.first_mut()) {
            c.group.insert(Dimension::Grade, "G9".into());
        }
        let relabelled: Vec<&Pending> = relabelled.cells().collect();
        assert_ne!(base, decision_digest(10, &relabelled, &[], 2), "a group's label");
    }

    #[test]
    fn the_ledger_of_kept_verdicts_is_the_ledger_the_engine_gave() {
        let b = company(12);
        let cells: Vec<&Pending> = b.cells().collect();
        let (v1, l1) = verdicts(10, &cells, &[], 1);
        assert_eq!(ledger_of(&cells, &v1, 1), l1);
        let later = company(15);
        let cells2: Vec<&Pending> = later.cells().collect();
        let (v2, l2) = verdicts(10, &cells2, std::slice::from_ref(&l1), 2);
        assert!(v2.iter().any(|v| v.hidden.is_some()) && v2.iter().any(|v| v.hidden.is_none()));
        assert_eq!(ledger_of(&cells2, &v2, 2), l2);
    }

    #[test]
    fn the_department_drill_down_shows_a_level_at_a_time() {
        assert_eq!(parent_department("営業部/第一課/一係"), Some("営業部/第一課"));
        assert_eq!(parent_department("営業部"), None);
        assert!(at_department_level(None, "営業部") && !at_department_level(None, "営業部/第一課"));
        assert!(at_department_level(Some("営業部"), "営業部"), "its own total");
        assert!(at_department_level(Some("営業部"), "営業部/第一課"));
        assert!(!at_department_level(Some("営業部"), "営業部/第一課/一係"), "grandchildren wait for the next level");
        assert!(!at_department_level(Some("営業部"), "営業部2"), "a name that only starts the same");
        assert_eq!(department_trail("営業部/第一課"), vec!["営業部".to_string(), "営業部/第一課".to_string()]);
        let people: Vec<Person> = (0..12).map(|i| person(i, 2 + i % 3, 1990, "2015-04-01", "G3", &[])).collect();
        let b = breakdown(&people, &tree(), &[], date("2026-04-01"));
        let all: Vec<&Pending> = b.cells().collect();
        let head = Heading {
            tenant: "t".into(),
            cycle: CycleRef { id: 1, name: "2026".into() },
            version: 1,
            released_at: None,
            k: 1,
            as_of: "2026-04-01T00:00:00Z".into(),
        };
        let r = assemble(&b, &primary_verdicts(1, &all), head).report;
        assert!(knows_department(&r, "営業部/第一課") && !knows_department(&r, "総務部"));
        assert_eq!(departments_with_children(&r).into_iter().collect::<Vec<_>>(), vec!["営業部".to_string()]);
        let labels = |r: &OverallReport, name: &str| -> Vec<String> {
            r.tables
                .iter()
                .filter(|t| t.name == name)
                .flat_map(|t| t.cells.iter())
                .filter_map(|c| c.group.get(&Dimension::Department).cloned())
                .collect()
        };
        let top = at_department(&r, None);
        assert_eq!(labels(&top, "department"), vec!["営業部".to_string(), "開発部".to_string()]);
        let sales = at_department(&r, Some("営業部"));
        assert_eq!(labels(&sales, "department"), vec!["営業部".to_string(), "営業部/第一課".into(), "営業部/第二課".into()]);
        assert_eq!(labels(&sales, "department_age"), vec!["営業部".to_string()], "two-way tables hold the top level");
        assert_eq!(
            sales.tables.iter().find(|t| t.name == "age").map(|t| t.cells.len()),
            r.tables.iter().find(|t| t.name == "age").map(|t| t.cells.len())
        );
    }

    proptest! {
        #[test]
        fn member_sets_round_trip(mut ids in prop::collection::vec(1i64..5_000_000, 0..300)) {
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(decode_set(&encode_set(&ids)), Some(ids));
        }

        #[test]
        fn no_shown_cell_counts_fewer_than_k(n in 0usize..40, k in 5u32..12, tagged in 0usize..40) {
            let people: Vec<Person> = (0..n).map(|i| person(i as i64, 2 + (i % 3) as i64, 1960 + (i % 40) as i32, "2010-01-01", "G1",
                if i < tagged { &["x"] } else { &[] })).collect();
            let b = breakdown(&people, &tree(), &[Measure::Tag("x".into())], date("2026-04-01"));
            let all: Vec<&Pending> = b.cells().collect();
            for (c, v) in all.iter().zip(primary_verdicts(k, &all)) {
                if v.hidden.is_none() {
                    prop_assert!(c.members.len() >= k as usize);
                    prop_assert!(c.with.is_empty() || c.with.len() >= k as usize);
                }
            }
        }
    }
}
