//! `careerdock bench anonymity`: the anonymity engine over a generated organization of the
//! given size. A cycle's population (about 30% of the employees) is broken down by every level
//! of the department tree, age band, tenure band, grade and their two-way combinations, with
//! the people count and 30 attribute measures per group; a second release (more reports
//! approved) is decided against the first. Figures are printed, never asserted.

use domain::anonymity::measured::{decide, ledger, Cell, Outcome, PEOPLE};
use domain::anonymity::{Reason, Verdict};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

pub struct AnonymityArgs {
    pub employees: usize,
    pub k: u32,
    pub seed: u64,
}

const DIVISIONS: usize = 10;
const DEPARTMENTS_PER_DIVISION: usize = 5;
const SECTIONS_PER_DEPARTMENT: usize = 4;
const AGE_BANDS: usize = 6;
const TENURE_BANDS: usize = 5;
const GRADES: usize = 6;
/// 28 issue tags and the two flags.
const MEASURES: usize = 30;

struct Employee {
    id: i64,
    section: usize,
    age: usize,
    tenure: usize,
    grade: usize,
    attributes: Vec<bool>,
}

impl Employee {
    fn division(&self) -> usize {
        self.section / (DEPARTMENTS_PER_DIVISION * SECTIONS_PER_DEPARTMENT)
    }
    fn department(&self) -> usize {
        self.section / SECTIONS_PER_DEPARTMENT
    }
}

/// How common each measure is: tags from 2% to 40%, the flags 1% and 5%.
fn prevalence(m: usize) -> f64 {
    match m {
        28 => 0.01,
        29 => 0.05,
        _ => 0.02 + 0.38 * (m as f64) / 27.0,
    }
}

fn organization(employees: usize, rng: &mut StdRng) -> Vec<Employee> {
    let sections = DIVISIONS * DEPARTMENTS_PER_DIVISION * SECTIONS_PER_DEPARTMENT;
    // Uneven sections: some large, some very small.
    let weights: Vec<u32> = (0..sections).map(|_| rng.gen_range(1..=20) * rng.gen_range(1..=3)).collect();
    let total: u32 = weights.iter().sum();
    (0..employees)
        .map(|i| {
            let mut pick = rng.gen_range(0..total.max(1));
            let mut section = 0;
            for (s, &w) in weights.iter().enumerate() {
                if pick < w {
                    section = s;
                    break;
                }
                pick -= w;
            }
            let age = rng.gen_range(0..AGE_BANDS);
            let tenure = rng.gen_range(0..TENURE_BANDS.min(age + 2));
            let grade = (age + rng.gen_range(0..3)).min(GRADES - 1);
            let attributes = (0..MEASURES).map(|m| rng.gen_bool(prevalence(m))).collect();
            Employee { id: 1_000_000 + i as i64, section, age, tenure, grade, attributes }
        })
        .collect()
}

/// The groups of a release: (name of the breakdown, key of a person's group in it).
type Breakdown = (&'static str, fn(&Employee) -> usize);

fn breakdowns() -> Vec<Breakdown> {
    vec![
        ("total", |_| 0),
        ("division", |e| e.division()),
        ("department", |e| e.department()),
        ("section", |e| e.section),
        ("age", |e| e.age),
        ("tenure", |e| e.tenure),
        ("grade", |e| e.grade),
        ("division×age", |e| e.division() * AGE_BANDS + e.age),
        ("division×tenure", |e| e.division() * TENURE_BANDS + e.tenure),
        ("division×grade", |e| e.division() * GRADES + e.grade),
        ("department×age", |e| e.department() * AGE_BANDS + e.age),
        ("department×tenure", |e| e.department() * TENURE_BANDS + e.tenure),
        ("department×grade", |e| e.department() * GRADES + e.grade),
        ("age×tenure", |e| e.age * TENURE_BANDS + e.tenure),
        ("age×grade", |e| e.age * GRADES + e.grade),
        ("tenure×grade", |e| e.tenure * GRADES + e.grade),
    ]
}

/// Every group with someone in the population, and its cells: a people cell and one cell per
/// measure.
fn release(org: &[Employee], population: &[bool]) -> (Vec<Vec<i64>>, Vec<Cell<'static>>) {
    let mut groups = Vec::new();
    let mut cells = Vec::new();
    for (_, key) in breakdowns() {
        let mut by: std::collections::BTreeMap<usize, Vec<&Employee>> = Default::default();
        for (e, _) in org.iter().zip(population).filter(|(_, &p)| p) {
            by.entry(key(e)).or_default().push(e);
        }
        for members in by.values() {
            let g = groups.len();
            groups.push(members.iter().map(|e| e.id).collect());
            cells.push(Cell { group: g, measure: None, with: 0 });
            for (m, name) in MEASURE_NAMES.iter().enumerate() {
                let with = members.iter().filter(|e| e.attributes.get(m).copied().unwrap_or(false)).count();
                cells.push(Cell { group: g, measure: Some(name), with });
            }
        }
    }
    (groups, cells)
}

const MEASURE_NAMES: [&str; MEASURES] = [
    "tag:0",
    "tag:1",
    "tag:2",
    "tag:3",
    "tag:4",
    "tag:5",
    "tag:6",
    "tag:7",
    "tag:8",
    "tag:9",
    "tag:10",
    "tag:11",
    "tag:12",
    "tag:13",
    "tag:14",
    "tag:15",
    "tag:16",
    "tag:17",
    "tag:18",
    "tag:19",
    "tag:20",
    "tag:21",
    "tag:22",
    "tag:23",
    "tag:24",
    "tag:25",
    "tag:26",
    "tag:27",
    "flag:life_safety",
    "flag:organizational_response",
];

fn report(label: &str, d: &Outcome, secs: f64) {
    let (mut shown, mut flagged, mut below, mut secondary, mut differencing) = (0, 0, 0, 0, 0);
    for v in &d.verdicts {
        match v {
            Verdict::Shown { homogeneous } => {
                shown += 1;
                if *homogeneous {
                    flagged += 1;
                }
            }
            Verdict::Suppressed(Reason::BelowK) => below += 1,
            Verdict::Suppressed(Reason::Secondary) => secondary += 1,
            Verdict::Suppressed(Reason::Differencing { .. }) => differencing += 1,
        }
    }
    println!("  {label}: {:.3} s", secs);
    println!(
        "    {} cells: {shown} shown ({flagged} homogeneous, flagged), {below} below k, {secondary} secondary, {differencing} differencing",
        d.verdicts.len()
    );
    for (measure, s) in d.runs.iter().filter(|(m, _)| m == PEOPLE || m == "tag:14" || m == "flag:life_safety") {
        println!(
            "    {measure}: {} people, {} distinct sets, {} atoms ({} of fewer than k), rank {}, {} pass(es), union search {}",
            s.people,
            s.distinct_sets,
            s.atoms,
            s.small_atoms,
            s.rank,
            s.rounds,
            if s.exhaustive { "exhaustive" } else { "bounded" }
        );
    }
    let bounded = d.runs.iter().filter(|(_, s)| !s.exhaustive).count();
    println!("    {} measure decisions, {bounded} with a bounded union search", d.runs.len());
}

pub fn run(args: AnonymityArgs) {
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with `cargo build --release -p careerdock`");
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let start = Instant::now();
    let org = organization(args.employees, &mut rng);
    // About 30% of the employees have an approved report in the cycle; the second version
    // adds about 3% more.
    let first: Vec<bool> = org.iter().map(|_| rng.gen_bool(0.3)).collect();
    let second: Vec<bool> = first.iter().map(|&p| p || rng.gen_bool(0.03)).collect();
    let (groups1, cells1) = release(&org, &first);
    let (groups2, cells2) = release(&org, &second);
    println!(
        "bench anonymity: {} employees, k = {}, {} breakdowns × (people + {MEASURES} measures), decided per measure; generated in {:.2} s",
        args.employees,
        args.k,
        breakdowns().len(),
        start.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let d1 = decide(args.k, &groups1, &cells1, &[]);
    report("first release", &d1, t.elapsed().as_secs_f64());
    let history = vec![ledger(1, &groups1, &cells1, &d1.verdicts)];
    let t = Instant::now();
    let d2 = decide(args.k, &groups2, &cells2, &history);
    report("second release, against the first", &d2, t.elapsed().as_secs_f64());
}
