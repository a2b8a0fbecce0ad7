//! Property tests: random small organizations, breakdowns and sequences of releases, checked
//! with an independent computation: exact rational elimination over people (not atoms, not
//! modular), and brute-force enumeration of every group of 1..k-1 people.

use super::*;
use proptest::prelude::*;

use super::exact::Space;

/// Every group of 1..k-1 of the `n` people, as index lists.
fn small_groups(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for mask in 1u32..(1u32 << n) {
        let c = mask.count_ones() as usize;
        if c < k {
            out.push((0..n).filter(|i| mask & (1 << i) != 0).collect());
        }
    }
    out
}

#[derive(Clone, Debug)]
struct Person {
    top: u8,
    sub: u8,
    age: u8,
    tag: bool,
    flag: bool,
}

fn person() -> impl Strategy<Value = Person> {
    (0..2u8, 0..2u8, 0..3u8, any::<bool>(), prop::bool::weighted(0.2)).prop_map(|(top, sub, age, tag, flag)| Person {
        top,
        sub,
        age,
        tag,
        flag,
    })
}

#[derive(Clone, Debug)]
struct ReleasePlan {
    /// Who is in this release's population.
    population: Vec<bool>,
    /// Which breakdowns: bit 0 top department, 1 sub-department, 2 age, 3 top × age.
    dims: u8,
    /// Whether attribute cells (tag, flag) are included.
    attributes: bool,
}

fn plan(n: usize) -> impl Strategy<Value = ReleasePlan> {
    (prop::collection::vec(prop::bool::weighted(0.85), n), 0..16u8, any::<bool>()).prop_map(|(population, dims, attributes)| ReleasePlan {
        population,
        dims,
        attributes,
    })
}

fn org() -> impl Strategy<Value = (Vec<Person>, Vec<ReleasePlan>)> {
    prop::collection::vec(person(), 5..=13).prop_flat_map(|people| {
        let n = people.len();
        (Just(people), prop::collection::vec(plan(n), 1..=3))
    })
}

/// A breakdown: the label of a person's group, or none when the breakdown is not chosen.
type Breakdown<'a> = Box<dyn Fn(&Person) -> Option<u8> + 'a>;

/// The cells of a release: for the total and each group of the chosen breakdowns, a people
/// cell and (optionally) a tag and a flag cell. Employee ids are 1000 + index.
fn cells(people: &[Person], plan: &ReleasePlan) -> Vec<Candidate> {
    let keys: Vec<Breakdown> = vec![
        Box::new(|_| Some(0)),
        Box::new(|p| (plan.dims & 1 != 0).then_some(p.top)),
        Box::new(|p| (plan.dims & 2 != 0).then_some(p.top * 2 + p.sub)),
        Box::new(|p| (plan.dims & 4 != 0).then_some(p.age)),
        Box::new(|p| (plan.dims & 8 != 0).then_some(p.top * 3 + p.age)),
    ];
    let mut out = Vec::new();
    for key in &keys {
        for label in 0..6u8 {
            let members: Vec<usize> =
                (0..people.len()).filter(|&i| plan.population.get(i).copied().unwrap_or(false) && key(&people[i]) == Some(label)).collect();
            if members.is_empty() && label > 0 {
                continue;
            }
            let ids = |f: &dyn Fn(&Person) -> bool| -> Vec<i64> {
                members.iter().filter(|&&i| f(&people[i])).map(|&i| 1000 + i as i64).collect()
            };
            let group = ids(&|_| true);
            out.push(Candidate::people(group.clone()));
            if plan.attributes {
                out.push(Candidate::attribute(group.clone(), ids(&|p| p.tag)));
                out.push(Candidate::attribute(group, ids(&|p| p.flag)));
            }
        }
    }
    out
}

fn indices(set: &[i64]) -> Vec<usize> {
    set.iter().map(|&id| (id - 1000) as usize).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, .. ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_releases_lets_a_subtraction_isolate_fewer_than_k((people, plans) in org(), k in 5u32..=6) {
        let n = people.len();
        let groups = small_groups(n, k as usize);
        let mut history: Vec<PriorRelease> = Vec::new();
        for (r, plan) in plans.iter().enumerate() {
            let cells = cells(&people, plan);
            let d = decide_release_detailed(k, &cells, &history);
            prop_assert!(d.stats.exhaustive);
            prop_assert_eq!(d.verdicts.len(), cells.len());
            history.push(PriorRelease::from_decision(r as i64 + 1, &cells, &d.verdicts));
            let released: Vec<Vec<usize>> = history.iter().flat_map(|h| h.shown.iter().map(|s| indices(s))).collect();
            let space = Space::from_sets(n, &released);
            // No group of 1..k-1 people is a combination of anything released so far.
            for g in &groups {
                prop_assert!(!space.contains(g), "release {} lets {:?} be isolated", r + 1, g);
            }
            for (c, v) in cells.iter().zip(&d.verdicts) {
                let sets: Vec<Vec<usize>> = c.sets.iter().map(|s| indices(s)).collect();
                match v {
                    Verdict::Shown { homogeneous } => {
                        // Never a set of 1..k-1 people.
                        for s in &sets {
                            prop_assert!(s.is_empty() || s.len() >= k as usize);
                        }
                        let flat = sets.len() == 2 && (sets[1].is_empty() || sets[1].len() == sets[0].len());
                        prop_assert_eq!(*homogeneous, flat);
                    }
                    Verdict::Suppressed(reason) => {
                        // A hidden cell cannot be rebuilt from what was released.
                        prop_assert!(!sets.iter().all(|s| space.contains(s)), "hidden cell {:?} is derivable", c);
                        if *reason == Reason::BelowK {
                            // Its own sets describe 1..k-1 people.
                            let own = Space::from_sets(n, &sets);
                            prop_assert!(groups.iter().any(|g| own.contains(g)));
                        }
                        if let Reason::Differencing { release } = reason {
                            prop_assert!(*release >= 1 && *release <= r as i64);
                        }
                    }
                }
            }
            // The first release always shows a total of at least k people.
            if r == 0 {
                let total = cells[0].sets[0].len();
                prop_assert_eq!(d.verdicts[0].is_shown(), total == 0 || total >= k as usize);
            }
        }
    }

    #[test]
    fn the_verdicts_do_not_depend_on_how_members_are_listed((people, plans) in org()) {
        let plan = &plans[0];
        let cells = cells(&people, plan);
        let shuffled: Vec<Candidate> = cells
            .iter()
            .map(|c| Candidate { sets: c.sets.iter().map(|s| { let mut s = s.clone(); s.reverse(); s.extend(s.clone()); s }).collect() })
            .collect();
        prop_assert_eq!(decide_release(5, &cells, &[]), decide_release(5, &shuffled, &[]));
    }
}

/// The groups and cells of a release in the per-measure form (`measured`): the same
/// breakdowns as [`cells`], with a people cell and (optionally) a tag and a flag cell per group.
fn measured_release(people: &[Person], plan: &ReleasePlan) -> (Vec<Vec<i64>>, Vec<measured::Cell<'static>>) {
    let mut groups: Vec<Vec<i64>> = Vec::new();
    let mut out = Vec::new();
    for c in cells(people, &ReleasePlan { attributes: false, ..plan.clone() }) {
        let members = c.sets[0].clone();
        let g = groups.len();
        let count = |f: &dyn Fn(&Person) -> bool| members.iter().filter(|&&id| f(&people[(id - 1000) as usize])).count();
        out.push(measured::Cell { group: g, measure: None, with: 0 });
        if plan.attributes {
            out.push(measured::Cell { group: g, measure: Some("tag:x"), with: count(&|p| p.tag) });
            out.push(measured::Cell { group: g, measure: Some("flag:y"), with: count(&|p| p.flag) });
        }
        groups.push(members);
    }
    (groups, out)
}

/// Like [`org`], but later releases often keep the population (a new version with no new
/// report, another breakdown of the same cycle): then the sets of a hidden cell come back exactly.
fn org_steady() -> impl Strategy<Value = (Vec<Person>, Vec<ReleasePlan>)> {
    org()
        .prop_flat_map(|(people, plans)| {
            let n = plans.len();
            (Just(people), Just(plans), prop::collection::vec(any::<bool>(), n))
        })
        .prop_map(|(people, mut plans, keep)| {
            for i in 1..plans.len() {
                if keep[i] {
                    plans[i].population = plans[i - 1].population.clone();
                    plans[i].attributes = true;
                }
            }
            (people, plans)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    /// Per measure: over every release so far, the rows a reader has (the groups shown for
    /// that measure; for people, the groups of every shown cell) never give back a group of
    /// 1..k-1 people nor any group hidden for describing 1..k-1 people, now or before.
    #[test]
    fn per_measure_no_sequence_of_releases_isolates_fewer_than_k((people, plans) in org_steady(), k in 5u32..=6) {
        let n = people.len();
        let small = small_groups(n, k as usize);
        let kk = k as usize;
        let mut ledgers: Vec<measured::Ledger> = Vec::new();
        let mut rows: [Vec<Vec<usize>>; 3] = Default::default();
        let mut protected: [Vec<Vec<usize>>; 3] = Default::default();
        for (r, plan) in plans.iter().enumerate() {
            let (groups, cells) = measured_release(&people, plan);
            let out = measured::decide(k, &groups, &cells, &ledgers);
            prop_assert!(out.exhaustive());
            prop_assert_eq!(out.verdicts.len(), cells.len());
            ledgers.push(measured::ledger(r as i64 + 1, &groups, &cells, &out.verdicts));
            for (c, v) in cells.iter().zip(&out.verdicts) {
                let members = &groups[c.group];
                if let Verdict::Shown { homogeneous } = v {
                    prop_assert!(members.len() >= kk, "a shown cell of {} people", members.len());
                    if c.measure.is_some() {
                        let (with, without) = (c.with, members.len() - c.with);
                        prop_assert!(with == 0 || with >= kk);
                        prop_assert!(without == 0 || without >= kk);
                        prop_assert_eq!(*homogeneous, with == 0 || without == 0);
                        // Its group's people cell is shown too.
                        let people_cell = cells.iter().zip(&out.verdicts).find(|(p, _)| p.group == c.group && p.measure.is_none());
                        prop_assert!(people_cell.is_some_and(|(_, pv)| pv.is_shown()));
                    }
                }
                if let Verdict::Suppressed(Reason::Differencing { release }) = v {
                    prop_assert!(*release >= 1 && *release <= r as i64);
                }
            }
            // The rows a reader has for each measure, and the hidden groups: each protected
            // from its release on, unless the earlier releases had already given it away (the
            // engine cannot take back what was public; docs/anonymity.md).
            let last = ledgers.last().cloned().unwrap_or_default();
            for (mi, measure) in [measured::PEOPLE, "tag:x", "flag:y"].into_iter().enumerate() {
                let before = Space::from_sets(n, &rows[mi]);
                for e in last.entries.iter().filter(|e| e.measure == measure) {
                    for &g in &e.hidden {
                        let h = indices(&last.groups[g as usize]);
                        if !h.is_empty() && !before.contains(&h) {
                            protected[mi].push(h);
                        }
                    }
                    rows[mi].extend(e.shown.iter().map(|&g| indices(&last.groups[g as usize])));
                }
                let space = Space::from_sets(n, &rows[mi]);
                for g in &small {
                    prop_assert!(!space.contains(g), "{}: release {} lets {:?} be isolated", measure, r + 1, g);
                }
                for h in &protected[mi] {
                    prop_assert!(!space.contains(h), "{}: release {} gives back the hidden group {:?}", measure, r + 1, h);
                }
            }
        }
    }
}
