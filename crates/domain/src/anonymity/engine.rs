//! The decision: atoms, primary suppression, the Gaussian-elimination pass over candidates in
//! order of preference, and the search for small unions of atoms in the released row space.

use super::field::Fp;
use super::sparse::{indicator, Basis, Entry, Mode, Scratch, Tag};
use super::{Candidate, Decision, PriorRelease, Reason, Stats, Verdict, MIN_K};
use std::collections::{HashMap, HashSet};

/// Work (coefficients touched) the search for small unions may spend per round before it
/// stops being exhaustive.
const UNION_BUDGET: u64 = 40_000_000;
/// Above this many rows over small atoms, the search only looks at the rows themselves.
const RREF_LIMIT: usize = 3_000;
/// A cell with more regions than this (2^16 unions) is checked set by set for primary
/// suppression; the global search still looks at every union of its atoms.
const VENN_LIMIT: usize = 16;

/// The candidates and the history over atoms: people with the same membership in every set.
pub(crate) struct Prepared {
    k: usize,
    /// Unique set → sorted atom columns.
    sets: Vec<Vec<u32>>,
    /// Unique set → people.
    set_size: Vec<usize>,
    /// Atom column → people.
    weight: Vec<usize>,
    /// Columns at and after this one are atoms of fewer than k people.
    first_small: u32,
    /// Candidate → its distinct unique sets, in the order given.
    cand_sets: Vec<Vec<u32>>,
    /// Candidate → its unique sets as given (repeats kept).
    cand_given: Vec<Vec<u32>>,
    /// Release → its distinct unique sets.
    hist_sets: Vec<Vec<u32>>,
    /// Release → the unique sets it hid (protected: never to come back by subtraction).
    hist_hidden: Vec<Vec<u32>>,
}

impl Prepared {
    pub(crate) fn new(k: u32, candidates: &[Candidate], history: &[PriorRelease]) -> Prepared {
        let k = k.max(MIN_K) as usize;
        let mut ids: HashMap<Vec<i64>, u32> = HashMap::new();
        let mut members: Vec<Vec<i64>> = Vec::new();
        let mut intern = |set: &[i64]| -> u32 {
            let mut v = set.to_vec();
            v.sort_unstable();
            v.dedup();
            if let Some(&id) = ids.get(&v) {
                return id;
            }
            let id = members.len() as u32;
            members.push(v.clone());
            ids.insert(v, id);
            id
        };
        let distinct = |list: Vec<u32>| -> Vec<u32> {
            let mut seen = HashSet::new();
            list.into_iter().filter(|s| seen.insert(*s)).collect()
        };
        let cand_given: Vec<Vec<u32>> = candidates.iter().map(|c| c.sets.iter().map(|s| intern(s)).collect()).collect();
        let cand_sets: Vec<Vec<u32>> = cand_given.iter().map(|c| distinct(c.clone())).collect();
        let hist_sets: Vec<Vec<u32>> = history.iter().map(|r| distinct(r.shown.iter().map(|s| intern(s)).collect())).collect();
        let hist_hidden: Vec<Vec<u32>> = history.iter().map(|r| distinct(r.hidden.iter().map(|s| intern(s)).collect())).collect();

        // People, densely numbered in id order.
        let mut people: Vec<i64> = members.iter().flatten().copied().collect();
        people.sort_unstable();
        people.dedup();
        let mut signature: Vec<Vec<u32>> = vec![Vec::new(); people.len()];
        for (s, set) in members.iter().enumerate() {
            for m in set {
                if let Ok(i) = people.binary_search(m) {
                    if let Some(sig) = signature.get_mut(i) {
                        sig.push(s as u32);
                    }
                }
            }
        }
        // Atoms in order of their first person; then heavy atoms first, small ones last, and
        // within each, in the order of their signatures: sets are numbered in the candidates'
        // order (the whole, then the department tree depth first, then the bands), so the atoms
        // of one group sit side by side and the echelon rows stay short.
        let mut atom_of_sig: HashMap<&[u32], usize> = HashMap::new();
        let mut atom_weight: Vec<usize> = Vec::new();
        let mut atom_sig: Vec<&[u32]> = Vec::new();
        for sig in &signature {
            let next = atom_weight.len();
            let a = *atom_of_sig.entry(sig.as_slice()).or_insert(next);
            if a == next {
                atom_weight.push(0);
                atom_sig.push(sig.as_slice());
            }
            if let Some(w) = atom_weight.get_mut(a) {
                *w += 1;
            }
        }
        let mut order: Vec<usize> = (0..atom_weight.len()).collect();
        order.sort_by_key(|&a| (atom_weight.get(a).copied().unwrap_or(0) < k, atom_sig.get(a).copied().unwrap_or(&[]), a));
        let first_small = order.iter().take_while(|&&a| atom_weight.get(a).copied().unwrap_or(0) >= k).count() as u32;
        let mut sets: Vec<Vec<u32>> = vec![Vec::new(); members.len()];
        let mut weight = Vec::with_capacity(order.len());
        for (col, &a) in order.iter().enumerate() {
            weight.push(atom_weight.get(a).copied().unwrap_or(0));
            for &s in atom_sig.get(a).copied().unwrap_or(&[]) {
                if let Some(list) = sets.get_mut(s as usize) {
                    list.push(col as u32);
                }
            }
        }
        let set_size = members.iter().map(Vec::len).collect();
        Prepared { k, sets, set_size, weight, first_small, cand_sets, cand_given, hist_sets, hist_hidden }
    }

    fn columns(&self) -> usize {
        self.weight.len()
    }

    fn set(&self, s: u32) -> &[u32] {
        self.sets.get(s as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    fn size(&self, s: u32) -> usize {
        self.set_size.get(s as usize).copied().unwrap_or(0)
    }

    fn weight_of(&self, col: u32) -> usize {
        self.weight.get(col as usize).copied().unwrap_or(0)
    }

    fn small(&self, w: usize) -> bool {
        w >= 1 && w < self.k
    }

    /// The unions of 1..k-1 people that a cell gives away on its own (a set of 1..k-1 people,
    /// or a difference of its sets such as a group minus those with the attribute).
    fn cell_unions(&self, cand: &[u32]) -> Vec<Vec<u32>> {
        let mut found: Vec<Vec<u32>> = Vec::new();
        for &s in cand {
            if self.small(self.size(s)) {
                found.push(self.set(s).to_vec());
            }
        }
        if cand.len() < 2 || cand.len() > 63 {
            return found;
        }
        // Regions of the cell's own Venn diagram.
        let mut mask_of: HashMap<u32, u64> = HashMap::new();
        for (i, &s) in cand.iter().enumerate() {
            for &c in self.set(s) {
                *mask_of.entry(c).or_insert(0) |= 1 << i;
            }
        }
        let mut regions: HashMap<u64, (usize, Vec<u32>)> = HashMap::new();
        for (&c, &m) in &mask_of {
            let r = regions.entry(m).or_insert((0, Vec::new()));
            r.0 += self.weight_of(c);
            r.1.push(c);
        }
        let mut regions: Vec<(u64, usize, Vec<u32>)> = regions.into_iter().map(|(m, (w, cs))| (m, w, cs)).collect();
        regions.sort_by_key(|r| r.0);
        if regions.len() > VENN_LIMIT {
            return found;
        }
        let rows: Vec<Vec<Fp>> =
            (0..cand.len()).map(|i| regions.iter().map(|r| if r.0 & (1 << i) != 0 { Fp::ONE } else { Fp::ZERO }).collect()).collect();
        let rref = dense_rref(rows);
        for u in 1u32..(1u32 << regions.len()) {
            let w: usize = regions.iter().enumerate().filter(|(j, _)| u & (1 << j) != 0).map(|(_, r)| r.1).sum();
            if !self.small(w) {
                continue;
            }
            let x: Vec<Fp> = (0..regions.len()).map(|j| if u & (1 << j) != 0 { Fp::ONE } else { Fp::ZERO }).collect();
            if dense_member(&rref, x) {
                let mut atoms: Vec<u32> =
                    regions.iter().enumerate().filter(|(j, _)| u & (1 << j) != 0).flat_map(|(_, r)| r.2.iter().copied()).collect();
                atoms.sort_unstable();
                found.push(atoms);
            }
        }
        found.sort();
        found.dedup();
        found
    }
}

/// Reduced row echelon form of a small dense matrix: (pivot column, row) pairs.
fn dense_rref(mut rows: Vec<Vec<Fp>>) -> Vec<(usize, Vec<Fp>)> {
    let mut out: Vec<(usize, Vec<Fp>)> = Vec::new();
    for mut row in rows.drain(..) {
        for (p, prow) in &out {
            let v = row.get(*p).copied().unwrap_or(Fp::ZERO);
            if !v.is_zero() {
                for (x, y) in row.iter_mut().zip(prow) {
                    *x = x.sub(v.mul(*y));
                }
            }
        }
        let Some(p) = row.iter().position(|x| !x.is_zero()) else { continue };
        let Some(inv) = row.get(p).and_then(|v| v.inv()) else { continue };
        for x in row.iter_mut() {
            *x = x.mul(inv);
        }
        for (_, prow) in out.iter_mut() {
            let v = prow.get(p).copied().unwrap_or(Fp::ZERO);
            if !v.is_zero() {
                for (x, y) in prow.iter_mut().zip(&row) {
                    *x = x.sub(v.mul(*y));
                }
            }
        }
        out.push((p, row));
    }
    out
}

fn dense_member(rref: &[(usize, Vec<Fp>)], mut x: Vec<Fp>) -> bool {
    for (p, prow) in rref {
        let v = x.get(*p).copied().unwrap_or(Fp::ZERO);
        if !v.is_zero() {
            for (a, b) in x.iter_mut().zip(prow) {
                *a = a.sub(v.mul(*b));
            }
        }
    }
    x.iter().all(|v| v.is_zero())
}

/// A vector the release must not put in the row space, reduced against it so far.
struct Protected {
    r: Vec<Entry>,
    tag: Tag,
}

struct PassResult {
    verdicts: Vec<Option<Verdict>>,
    basis: Basis,
    degenerate: bool,
    unprotectable: usize,
}

fn reason(tag: Tag, history: &[PriorRelease]) -> Reason {
    match tag.and_then(|i| history.get(i)) {
        Some(r) => Reason::Differencing { release: r.id },
        None => Reason::Secondary,
    }
}

/// The row space of the earlier releases, the same in every pass: built once per decision.
#[derive(Clone)]
struct HistorySpace {
    basis: Basis,
    /// Unique set → already in the row space (shown by an earlier release).
    in_v: Vec<bool>,
    degenerate: bool,
}

impl HistorySpace {
    /// Every set an earlier release showed, oldest release first; a set shown by several
    /// releases is reduced once, tagged with the first (a second reduction gives zero).
    fn new(prep: &Prepared, scratch: &mut Scratch) -> HistorySpace {
        let mut basis = Basis::new(prep.columns());
        let mut degenerate = false;
        let mut in_v = vec![false; prep.sets.len()];
        for (i, rel) in prep.hist_sets.iter().enumerate() {
            for &s in rel {
                match in_v.get_mut(s as usize) {
                    Some(flag) if !*flag => *flag = true,
                    _ => continue,
                }
                let (r, t) = scratch.reduce(&indicator(prep.set(s)), Some(i), &basis, Mode::Lead);
                if !r.is_empty() && !basis.push(r, t) {
                    degenerate = true;
                }
            }
        }
        HistorySpace { basis, in_v, degenerate }
    }
}

/// One pass of the elimination: history first, then each candidate in order; a candidate
/// whose vectors would put a protected vector in the row space is suppressed.
fn pass(
    prep: &Prepared,
    primary: &[bool],
    order: &[usize],
    protected: &[Vec<u32>],
    history: &[PriorRelease],
    space: &HistorySpace,
) -> PassResult {
    let cols = prep.columns();
    let mut scratch = Scratch::new(cols);
    let HistorySpace { mut basis, mut in_v, mut degenerate } = space.clone();
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); cols];
    let mut prot: Vec<Protected> = Vec::with_capacity(protected.len());
    let mut unprotectable = 0;
    for f in protected {
        let (r, tag) = scratch.reduce(&indicator(f), None, &basis, Mode::Lead);
        match r.first() {
            Some(&(lead, _)) => {
                if let Some(b) = buckets.get_mut(lead as usize) {
                    b.push(prot.len() as u32);
                }
                prot.push(Protected { r, tag });
            }
            None => unprotectable += 1,
        }
    }
    let mut verdicts: Vec<Option<Verdict>> = vec![None; prep.cand_sets.len()];
    for &ci in order {
        if primary.get(ci).copied().unwrap_or(true) {
            continue;
        }
        let cand = prep.cand_sets.get(ci).map(Vec::as_slice).unwrap_or(&[]);
        let base = basis.len();
        let mut new_pivots: Vec<u32> = Vec::new();
        let mut bad = false;
        for &s in cand {
            if in_v.get(s as usize).copied().unwrap_or(false) {
                continue;
            }
            let (r, t) = scratch.reduce(&indicator(prep.set(s)), None, &basis, Mode::Lead);
            let Some(&(lead, _)) = r.first() else { continue };
            if !basis.push(r, t) {
                bad = true;
                break;
            }
            new_pivots.push(lead);
        }
        if bad {
            basis.truncate(base);
            degenerate = true;
            verdicts[ci] = Some(Verdict::Suppressed(Reason::Secondary));
            continue;
        }
        // A protected vector can only fall into the span through a new pivot at its lead. Reducing
        // it until its lead is not a pivot decides membership (a non-zero vector of the span
        // leads at a pivot) and gives its next state, kept if the candidate stays.
        let mut leak: Option<Tag> = None;
        let mut moved: Vec<(u32, Vec<Entry>, Tag)> = Vec::new();
        'check: for &p in &new_pivots {
            for &fi in buckets.get(p as usize).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(f) = prot.get(fi as usize) {
                    let (r, t) = scratch.reduce(&f.r, f.tag, &basis, Mode::Lead);
                    if r.is_empty() {
                        leak = Some(t);
                        break 'check;
                    }
                    moved.push((fi, r, t));
                }
            }
        }
        if let Some(t) = leak {
            basis.truncate(base);
            verdicts[ci] = Some(Verdict::Suppressed(reason(t, history)));
            continue;
        }
        for &s in cand {
            if let Some(flag) = in_v.get_mut(s as usize) {
                *flag = true;
            }
        }
        for &p in &new_pivots {
            if let Some(b) = buckets.get_mut(p as usize) {
                b.clear();
            }
        }
        for (fi, r, t) in moved {
            if let Some(&(lead, _)) = r.first() {
                if let Some(b) = buckets.get_mut(lead as usize) {
                    b.push(fi);
                }
            }
            if let Some(f) = prot.get_mut(fi as usize) {
                f.r = r;
                f.tag = t;
            }
        }
        verdicts[ci] = Some(Verdict::Shown { homogeneous: false });
    }
    PassResult { verdicts, basis, degenerate, unprotectable }
}

/// The running sum of the chosen rows in the union search, dense over the atom columns, with
/// what the leaf test needs kept up to date: how many columns hold neither 0 nor 1, and the
/// people in the columns that hold 1. A leaf is then tested without looking at the sum.
struct Sum<'a> {
    prep: &'a Prepared,
    value: Vec<Fp>,
    /// The pass (set size) in which a column was last touched, for the work count.
    seen: Vec<u32>,
    pass: u32,
    /// Columns touched in this pass (the work a leaf is charged, as before the dense sum).
    touched: usize,
    other: usize,
    ones: usize,
}

impl<'a> Sum<'a> {
    fn new(prep: &'a Prepared) -> Sum<'a> {
        let n = prep.columns();
        Sum { prep, value: vec![Fp::ZERO; n], seen: vec![0; n], pass: 0, touched: 0, other: 0, ones: 0 }
    }

    /// A new pass starts from the zero sum (every pass ends with every row taken back out).
    fn restart(&mut self) {
        self.pass += 1;
        self.touched = 0;
    }

    fn classify(&mut self, col: u32, x: Fp, sign: isize) {
        if x.is_one() {
            let w = self.prep.weight_of(col);
            self.ones = if sign > 0 { self.ones + w } else { self.ones.saturating_sub(w) };
        } else if !x.is_zero() {
            self.other = if sign > 0 { self.other + 1 } else { self.other.saturating_sub(1) };
        }
    }

    /// Adds (`add`) or takes back a row.
    fn apply(&mut self, row: &[Entry], add: bool) {
        for &(c, x) in row {
            let Some(old) = self.value.get(c as usize).copied() else { continue };
            if let Some(seen) = self.seen.get_mut(c as usize) {
                if *seen != self.pass {
                    *seen = self.pass;
                    self.touched += 1;
                }
            }
            let new = if add { old.add(x) } else { old.sub(x) };
            self.classify(c, old, -1);
            self.classify(c, new, 1);
            if let Some(v) = self.value.get_mut(c as usize) {
                *v = new;
            }
        }
    }

    /// The sum is a 0/1 vector over atoms of 1..k-1 people in all.
    fn is_small_union(&self) -> bool {
        self.other == 0 && self.prep.small(self.ones)
    }

    /// The atoms of the sum (the columns holding 1), ascending; only the chosen rows' columns
    /// can be non-zero.
    fn union<'r>(&self, rows: impl Iterator<Item = &'r [Entry]>) -> Vec<u32> {
        let mut cols: Vec<u32> =
            rows.flat_map(|r| r.iter().map(|&(c, _)| c)).filter(|&c| self.value.get(c as usize).is_some_and(|x| x.is_one())).collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    }
}

/// Unions of atoms of 1..k-1 people in the row space of `basis`. Such a union lies in the
/// subspace of rows whose pivot is a small atom (small atoms are the last columns, so those
/// rows are zero on every large atom); in reduced form, a 0/1 vector there is the sum of the
/// rows at the pivots it covers, so the search enumerates sets of pivots of fewer than k people.
fn small_unions(prep: &Prepared, basis: &Basis) -> (Vec<Vec<u32>>, bool) {
    let k = prep.k;
    let urows: Vec<&[Entry]> =
        basis.rows.iter().map(|r| r.entries.as_slice()).filter(|e| e.first().is_some_and(|&(p, _)| p >= prep.first_small)).collect();
    if urows.is_empty() {
        return (Vec::new(), true);
    }
    let is_union = |v: &[Entry]| -> Option<Vec<u32>> {
        let mut w = 0usize;
        for &(c, x) in v {
            if !x.is_one() {
                return None;
            }
            w += prep.weight_of(c);
        }
        (prep.small(w)).then(|| v.iter().map(|&(c, _)| c).collect())
    };
    if urows.len() > RREF_LIMIT {
        let found: Vec<Vec<u32>> = urows.iter().filter_map(|r| is_union(r)).collect();
        return (found, false);
    }
    // Reduced echelon form of the rows over small atoms.
    let mut sub = Basis::new(prep.columns());
    for r in &urows {
        sub.push(r.to_vec(), None);
    }
    let mut scratch = Scratch::new(prep.columns());
    let mut rows: Vec<(usize, Vec<Entry>)> = Vec::with_capacity(urows.len());
    for r in &urows {
        let Some(&head) = r.first() else { continue };
        let (tail, _) = scratch.reduce(r.get(1..).unwrap_or(&[]), None, &sub, Mode::Full);
        let mut v = Vec::with_capacity(tail.len() + 1);
        v.push(head);
        v.extend(tail);
        rows.push((prep.weight_of(head.0), v));
    }
    rows.sort_by_key(|r| (r.0, r.1.first().map(|e| e.0)));
    let mut found: Vec<Vec<u32>> = Vec::new();
    let mut work: u64 = 0;
    let mut exhaustive = true;
    let mut acc = Sum::new(prep);
    // Iterative deepening on the number of pivots, so small sets are looked at first.
    'sizes: for size in 1..k {
        let mut chosen: Vec<usize> = Vec::new();
        let mut stack: Vec<usize> = vec![0];
        acc.restart();
        let mut wsum = 0usize;
        while let Some(next) = stack.last().copied() {
            if work > UNION_BUDGET {
                exhaustive = false;
                break 'sizes;
            }
            let depth = chosen.len();
            if depth == size {
                work += acc.touched as u64 + 1;
                if acc.is_small_union() {
                    found.push(acc.union(chosen.iter().filter_map(|&j| rows.get(j)).map(|(_, r)| r.as_slice())));
                }
            }
            let fits = depth < size && rows.get(next).is_some_and(|(w, _)| wsum + w < k) && rows.len() - next >= size - depth;
            if !fits {
                // Back up.
                stack.pop();
                if let Some(j) = chosen.pop() {
                    if let Some((w, r)) = rows.get(j) {
                        wsum -= w;
                        acc.apply(r, false);
                        work += r.len() as u64;
                    }
                    if let Some(top) = stack.last_mut() {
                        *top = j + 1;
                    }
                }
                continue;
            }
            if let Some((w, r)) = rows.get(next) {
                wsum += w;
                acc.apply(r, true);
                work += r.len() as u64;
            }
            chosen.push(next);
            stack.push(next + 1);
        }
    }
    found.sort();
    found.dedup();
    (found, exhaustive)
}

/// Decides one release. `forced`: candidates hidden whatever the rest (a figure the caller
/// knows to describe 1..k-1 people); their sets are protected like the sets every earlier
/// release hid. A missing entry is `false`.
/// `search`: whether to look for unions of 1..k-1 people in the row space (step 4 of
/// docs/anonymity.md). A caller that knows the row space lies inside one already searched (an
/// attribute's groups inside the people decision's) passes `false`.
pub(crate) fn decide(k: u32, candidates: &[Candidate], forced: &[bool], history: &[PriorRelease], search: bool) -> Decision {
    let prep = Prepared::new(k, candidates, history);
    let mut protected: Vec<Vec<u32>> = Vec::new();
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    let protect = |cols: &[u32], protected: &mut Vec<Vec<u32>>, seen: &mut HashSet<Vec<u32>>| {
        if !cols.is_empty() && seen.insert(cols.to_vec()) {
            protected.push(cols.to_vec());
        }
    };
    // Every atom of 1..k-1 people (without the search, the caller has protected every group of
    // 1..k-1 people in a larger row space already).
    for col in prep.first_small..prep.columns() as u32 {
        if search && prep.small(prep.weight_of(col)) {
            let v = vec![col];
            seen.insert(v.clone());
            protected.push(v);
        }
    }
    // What earlier releases hid.
    for hidden in &prep.hist_hidden {
        for &s in hidden {
            protect(prep.set(s), &mut protected, &mut seen);
        }
    }
    // Primary suppression, and what the suppressed cells would have given away.
    let mut primary = vec![false; prep.cand_sets.len()];
    for (ci, cand) in prep.cand_sets.iter().enumerate() {
        if forced.get(ci).copied().unwrap_or(false) {
            if let Some(p) = primary.get_mut(ci) {
                *p = true;
            }
            for &s in cand {
                protect(prep.set(s), &mut protected, &mut seen);
            }
        }
        let unions = prep.cell_unions(cand);
        if !unions.is_empty() {
            if let Some(p) = primary.get_mut(ci) {
                *p = true;
            }
            for u in unions {
                if seen.insert(u.clone()) {
                    protected.push(u);
                }
            }
        }
    }
    // Larger cells first: they are kept, smaller ones give way.
    let mut order: Vec<usize> = (0..prep.cand_sets.len()).collect();
    let largest = |ci: usize| -> usize { prep.cand_sets.get(ci).map(|c| c.iter().map(|&s| prep.size(s)).max().unwrap_or(0)).unwrap_or(0) };
    order.sort_by_key(|&ci| (std::cmp::Reverse(largest(ci)), prep.cand_sets.get(ci).map_or(0, Vec::len), ci));

    let space = HistorySpace::new(&prep, &mut Scratch::new(prep.columns()));
    let mut rounds = 0usize;
    let mut exhaustive;
    let result = loop {
        rounds += 1;
        let result = pass(&prep, &primary, &order, &protected, history, &space);
        if !search {
            exhaustive = true;
            break result;
        }
        let (found, complete) = small_unions(&prep, &result.basis);
        exhaustive = complete;
        let mut added = false;
        for u in found {
            if seen.insert(u.clone()) {
                protected.push(u);
                added = true;
            }
        }
        if !added {
            break result;
        }
    };
    let degenerate = result.degenerate;
    let verdicts: Vec<Verdict> = result
        .verdicts
        .iter()
        .enumerate()
        .map(|(ci, v)| match v {
            _ if degenerate => Verdict::Suppressed(Reason::Secondary),
            Some(Verdict::Shown { .. }) => Verdict::Shown { homogeneous: homogeneous(&prep, ci) },
            Some(v) => v.clone(),
            None => Verdict::Suppressed(Reason::BelowK),
        })
        .collect();
    Decision {
        verdicts,
        stats: Stats {
            people: prep.weight.iter().sum(),
            atoms: prep.columns(),
            small_atoms: prep.columns() - prep.first_small as usize,
            distinct_sets: prep.sets.len(),
            rank: result.basis.len(),
            rounds,
            exhaustive,
            unprotectable: result.unprotectable,
        },
    }
}

/// A shown cell whose attribute is held by none or by all of its group: a later set of the
/// cell is empty or equals its first set.
fn homogeneous(prep: &Prepared, ci: usize) -> bool {
    let Some(given) = prep.cand_given.get(ci) else { return false };
    let Some(&first) = given.first() else { return false };
    given.iter().skip(1).any(|&s| s == first || prep.size(s) == 0)
}
