//! The anonymity engine (docs/anonymity.md): sequences of up to four releases over up to 12
//! people, each with any cells (any member sets) or, per measure, any groups and attribute
//! counts, decided against the history of the earlier decisions. The invariant, checked by an
//! independent exact computation (rational elimination over people, every group enumerated):
//! whatever the engine releases, no combination of released sets (a subtraction of one from
//! another, a set minus released subsets, …) gives the count of 1..k-1 people; per measure,
//! neither does it give back a group hidden for describing 1..k-1 people. Also: a shown cell
//! never has a set of 1..k-1 people, the homogeneity mark is right, the verdicts do not depend
//! on how members are listed, and the ledger survives its byte encoding.
#![no_main]

use careerdock_fuzz::{Space, Unstructured};
use domain::anonymity::measured::{self, Cell, Ledger};
use domain::anonymity::{decide_release_detailed, decide_release_forced, Candidate, PriorRelease, Reason, Verdict, MIN_K};
use libfuzzer_sys::fuzz_target;

/// Up to 12 people: every group of fewer than k is enumerated.
const MAX_PEOPLE: usize = 12;

struct People {
    n: usize,
    base: i64,
}

impl People {
    fn ids(&self, mask: u16) -> Vec<i64> {
        (0..self.n).filter(|i| mask & (1 << i) != 0).map(|i| self.base.wrapping_add(i as i64)).collect()
    }
    fn index(&self, id: i64) -> usize {
        id.wrapping_sub(self.base) as usize
    }
    fn indices(&self, set: &[i64]) -> Vec<usize> {
        let mut v: Vec<usize> = set.iter().map(|&id| self.index(id)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn mask(u: &mut Unstructured, n: usize) -> u16 {
    u.arbitrary::<u16>().unwrap_or(0) & ((1u16 << n) - 1)
}

fn small(len: usize, k: usize) -> bool {
    len >= 1 && len < k
}

/// Releases of cells with any member sets, the history built from the engine's own decisions.
fn cells_mode(u: &mut Unstructured, p: &People, k: u32, forced_mode: bool) {
    let kk = k.max(MIN_K) as usize;
    let mut history: Vec<PriorRelease> = Vec::new();
    let mut space = Space::new(p.n);
    for r in 0..u.int_in_range(1usize..=4).unwrap_or(1) {
        let cells: Vec<Candidate> = (0..u.int_in_range(1usize..=10).unwrap_or(1))
            .map(|_| Candidate { sets: (0..u.int_in_range(1usize..=3).unwrap_or(1)).map(|_| p.ids(mask(u, p.n))).collect() })
            .collect();
        let forced: Vec<bool> = cells.iter().map(|_| forced_mode && u.ratio(1u8, 4).unwrap_or(false)).collect();
        let before = space.clone();
        let d =
            if forced_mode { decide_release_forced(k, &cells, &forced, &history) } else { decide_release_detailed(k, &cells, &history) };
        assert_eq!(d.verdicts.len(), cells.len());
        assert!(d.stats.exhaustive, "the search for small groups gave up on {} people", p.n);
        if r == 0 {
            // The same cells with members listed backwards and twice: the same verdicts.
            let listed: Vec<Candidate> = cells
                .iter()
                .map(|c| Candidate { sets: c.sets.iter().map(|s| s.iter().rev().chain(s.iter()).copied().collect()).collect() })
                .collect();
            let again = if forced_mode {
                decide_release_forced(k, &listed, &forced, &history)
            } else {
                decide_release_detailed(k, &listed, &history)
            };
            assert_eq!(again.verdicts, d.verdicts, "the verdicts depend on how members are listed");
        }
        for ((c, v), f) in cells.iter().zip(&d.verdicts).zip(&forced) {
            let sets: Vec<Vec<usize>> = c.sets.iter().map(|s| p.indices(s)).collect();
            if let Verdict::Shown { homogeneous } = v {
                assert!(!f, "a forced cell was shown");
                assert!(sets.iter().all(|s| !small(s.len(), kk)), "a shown cell has a set of 1..k-1 people: {sets:?}");
                let flat = sets.iter().skip(1).any(|s| s.is_empty() || Some(s) == sets.first());
                assert_eq!(*homogeneous, flat, "homogeneity mark wrong for {sets:?}");
                for s in &sets {
                    space.add(s);
                }
            }
            if let Verdict::Suppressed(Reason::Differencing { release }) = v {
                assert!(*release >= 1 && *release <= r as i64);
            }
        }
        if let Some(g) = space.isolated_group(kk) {
            panic!("release {}: the released sets isolate {g:?} (k = {kk})", r + 1);
        }
        // A forced cell's sets are protected: none comes back by subtraction (unless earlier
        // releases had already given it away).
        for (c, _) in cells.iter().zip(&forced).filter(|(_, f)| **f) {
            for s in c.sets.iter().map(|s| p.indices(s)).filter(|s| !s.is_empty()) {
                assert!(before.contains(&s) || !space.contains(&s), "release {}: a forced cell's set {s:?} comes back", r + 1);
            }
        }
        history.push(PriorRelease::from_decision(r as i64 + 1, &cells, &d.verdicts));
    }
}

/// Releases decided per measure (what the reports use), with the ledger as the store keeps it.
fn measured_mode(u: &mut Unstructured, p: &People, k: u32) {
    let kk = k.max(MIN_K) as usize;
    const MEASURES: [Option<&str>; 3] = [None, Some("tag:x"), Some("flag:y")];
    let mut ledgers: Vec<Ledger> = Vec::new();
    // Per measure: the rows a reader has, and the groups hidden for describing 1..k-1 people.
    let mut rows: [Vec<Vec<usize>>; 3] = Default::default();
    let mut protected: [Vec<Vec<usize>>; 3] = Default::default();
    for r in 0..u.int_in_range(1usize..=4).unwrap_or(1) {
        let groups: Vec<Vec<i64>> = (0..u.int_in_range(1usize..=8).unwrap_or(1)).map(|_| p.ids(mask(u, p.n))).collect();
        let cells: Vec<Cell> = (0..u.int_in_range(1usize..=14).unwrap_or(1))
            .map(|_| {
                let group = u.choose_index(groups.len()).unwrap_or(0);
                let measure = MEASURES[u.choose_index(3).unwrap_or(0)];
                let size = groups.get(group).map_or(0, Vec::len);
                let with = if measure.is_some() { u.int_in_range(0..=size + 1).unwrap_or(0) } else { 0 };
                Cell { group, measure, with }
            })
            .collect();
        let out = measured::decide(k, &groups, &cells, &ledgers);
        assert_eq!(out.verdicts.len(), cells.len());
        assert!(out.exhaustive(), "the search for small groups gave up on {} people", p.n);
        for (c, v) in cells.iter().zip(&out.verdicts) {
            let members = p.indices(&groups[c.group]);
            if let Verdict::Shown { homogeneous } = v {
                assert!(members.len() >= kk, "a shown cell of {} people", members.len());
                if c.measure.is_some() {
                    let with = c.with.min(members.len());
                    let without = members.len() - with;
                    assert!(!small(with, kk) && !small(without, kk), "a shown count of {with} with, {without} without");
                    assert_eq!(*homogeneous, with == 0 || without == 0);
                    let people = cells.iter().zip(&out.verdicts).find(|(q, _)| q.group == c.group && q.measure.is_none());
                    assert!(people.is_none_or(|(_, pv)| pv.is_shown()), "an attribute shown without its group's n");
                }
            }
            if let Verdict::Suppressed(Reason::Differencing { release }) = v {
                assert!(*release >= 1 && *release <= r as i64);
            }
        }
        let ledger = measured::ledger(r as i64 + 1, &groups, &cells, &out.verdicts);
        // Member sets are stored as varint differences of ascending ids: employee ids are
        // positive (database keys), so only those are checked.
        if p.base > 0 {
            assert_eq!(Ledger::decode(ledger.release, &ledger.encode()).as_ref(), Some(&ledger), "the ledger changes through its bytes");
        }
        for (mi, name) in [measured::PEOPLE, "tag:x", "flag:y"].into_iter().enumerate() {
            let mut before = Space::new(p.n);
            for s in &rows[mi] {
                before.add(s);
            }
            for e in ledger.entries.iter().filter(|e| e.measure == name) {
                for &g in &e.hidden {
                    let h = p.indices(&ledger.groups[g as usize]);
                    if !h.is_empty() && !before.contains(&h) {
                        protected[mi].push(h);
                    }
                }
                rows[mi].extend(e.shown.iter().map(|&g| p.indices(&ledger.groups[g as usize])));
            }
            let mut space = Space::new(p.n);
            for s in &rows[mi] {
                space.add(s);
            }
            if let Some(g) = space.isolated_group(kk) {
                panic!("{name}: release {} isolates {g:?} (k = {kk})", r + 1);
            }
            for h in &protected[mi] {
                assert!(!space.contains(h), "{name}: release {} gives back the hidden group {h:?}", r + 1);
            }
        }
        ledgers.push(ledger);
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mode = u.int_in_range(0u8..=2).unwrap_or(0);
    let n = u.int_in_range(1usize..=MAX_PEOPLE).unwrap_or(1);
    // k below the minimum is raised to it; member ids anywhere in i64.
    let k = u.int_in_range(0u32..=7).unwrap_or(5);
    let base = [1000i64, 0, -3, i64::MAX - 11, i64::MIN][u.choose_index(5).unwrap_or(0)];
    let people = People { n, base };
    match mode {
        0 => cells_mode(&mut u, &people, k, false),
        1 => cells_mode(&mut u, &people, k, true),
        _ => measured_mode(&mut u, &people, k),
    }
});
