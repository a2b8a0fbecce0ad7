//! The engine as the reports use it: one decision per measure (docs/anonymity.md, "What a
//! reader knows").
//!
//! The reader we protect against knows the roster and who was interviewed, so they know who is
//! in every group; what they do not know is who carries an attribute (an issue tag, a flag, a
//! theme). Each measure is therefore its own linear system:
//!
//! - **people**: the rows are the groups of every shown cell (any measure's cell shows its
//!   group's `n`), over every release; a group of fewer than k people is hidden, and no
//!   subtraction of shown groups may give back 1..k-1 people or a hidden group;
//! - **an attribute** (`tag:…`, `flag:…`, `theme:…`): the rows are the groups of the cells
//!   of that measure that are shown, over every release (their `value`s are sums of the unknown
//!   attribute over the group); a cell whose count with the attribute, or without it, is 1..k-1
//!   is hidden, and no subtraction may give back its count or the count of 1..k-1 people.
//!
//! An attribute cell is shown only when its group's people cell is (it carries `n`). The
//! ledger ([`Ledger`]) keeps, per release and per measure, the groups shown and the groups hidden
//! for describing 1..k-1 people; every later decision is checked against all of it.

use super::{decide_release_forced, engine, Candidate, PriorRelease, Reason, Stats, Verdict, MIN_K};
use std::collections::BTreeMap;

/// The `people` measure's name in the ledger.
pub const PEOPLE: &str = "people";
/// Sets of a ledger written before decisions were made per measure: they count as shown for
/// every measure.
pub const EVERY_MEASURE: &str = "*";

/// One cell of a release: its group (an index into the release's groups), its measure (`None`
/// for `people`) and, for an attribute, how many of the group carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell<'a> {
    pub group: usize,
    pub measure: Option<&'a str>,
    pub with: usize,
}

/// What one release showed and hid, per measure, for the decisions after it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub release: i64,
    /// The distinct member sets (ascending employee ids) the entries point into.
    pub groups: Vec<Vec<i64>>,
    pub entries: Vec<LedgerEntry>,
}

/// One measure's part of a [`Ledger`]: indices into its groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LedgerEntry {
    pub measure: String,
    pub shown: Vec<u32>,
    /// Hidden because they described 1..k-1 people: protected in every later release.
    pub hidden: Vec<u32>,
}

/// The verdicts (one per cell, in order) and the figures of each measure's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub verdicts: Vec<Verdict>,
    /// `people` first, then each attribute in the order of its first cell.
    pub runs: Vec<(String, Stats)>,
}

impl Outcome {
    /// Whether every measure's search for small unions was exhaustive.
    pub fn exhaustive(&self) -> bool {
        self.runs.iter().all(|(_, s)| s.exhaustive)
    }
}

fn history_of(ledgers: &[Ledger], measure: &str) -> Vec<PriorRelease> {
    ledgers
        .iter()
        .map(|l| {
            let sets = |pick: &dyn Fn(&LedgerEntry) -> &[u32], names: &[&str]| -> Vec<Vec<i64>> {
                l.entries
                    .iter()
                    .filter(|e| names.contains(&e.measure.as_str()))
                    .flat_map(|e| pick(e).iter())
                    .filter_map(|&g| l.groups.get(g as usize).cloned())
                    .collect()
            };
            PriorRelease {
                id: l.release,
                shown: sets(&|e| e.shown.as_slice(), &[measure, EVERY_MEASURE]),
                hidden: sets(&|e| e.hidden.as_slice(), &[measure]),
            }
        })
        .collect()
}

fn small(n: usize, k: usize) -> bool {
    n >= 1 && n < k
}

/// One attribute's decision: (cell index, verdict) pairs and its figures.
type MeasureRun = (Vec<(usize, Verdict)>, Stats);

/// Decides every cell of a release: the `people` measure over the groups first, then each
/// attribute over the groups the first decision showed. `groups[i]`: the members of group `i`.
pub fn decide(k: u32, groups: &[Vec<i64>], cells: &[Cell], history: &[Ledger]) -> Outcome {
    let kk = k.max(MIN_K) as usize;
    // people: every group once.
    let candidates: Vec<Candidate> = groups.iter().map(|g| Candidate::people(g.clone())).collect();
    let forced: Vec<bool> = groups.iter().map(|g| g.len() < kk).collect();
    let people = decide_release_forced(k, &candidates, &forced, &history_of(history, PEOPLE));
    let group_verdict = people.verdicts;
    let people_exhaustive = people.stats.exhaustive;

    // Each attribute, over the groups the people decision showed.
    let mut measures: Vec<&str> = Vec::new();
    for c in cells {
        if let Some(m) = c.measure {
            if !measures.contains(&m) {
                measures.push(m);
            }
        }
    }
    let run = |m: &str| -> MeasureRun {
        let mut out: Vec<(usize, Verdict)> = Vec::new();
        let mut cand: Vec<Candidate> = Vec::new();
        let mut forced: Vec<bool> = Vec::new();
        let mut slots: Vec<usize> = Vec::new();
        for (ci, c) in cells.iter().enumerate().filter(|(_, c)| c.measure == Some(m)) {
            let members = groups.get(c.group).map(Vec::as_slice).unwrap_or(&[]);
            match group_verdict.get(c.group) {
                Some(Verdict::Suppressed(r @ (Reason::Secondary | Reason::Differencing { .. }))) => {
                    out.push((ci, Verdict::Suppressed(r.clone())));
                }
                gv => {
                    let n = members.len();
                    let with = c.with.min(n);
                    let below =
                        matches!(gv, Some(Verdict::Suppressed(Reason::BelowK)) | None) || n < kk || small(with, kk) || small(n - with, kk);
                    slots.push(ci);
                    cand.push(Candidate::people(members.to_vec()));
                    forced.push(below);
                }
            }
        }
        // The groups shown for this measure, now and before, are among the groups the people
        // decision showed (an attribute cell needs its group's people cell; the ledger's people
        // entry holds the group of every shown cell), so this row space lies inside the one
        // already searched for unions of 1..k-1 people: no second search.
        let mut d = engine::decide(k, &cand, &forced, &history_of(history, m), false);
        d.stats.exhaustive = people_exhaustive;
        for (slot, v) in slots.into_iter().zip(d.verdicts) {
            let v = match v {
                Verdict::Shown { .. } => {
                    let n = cells.get(slot).and_then(|c| groups.get(c.group)).map_or(0, Vec::len);
                    let with = cells.get(slot).map_or(0, |c| c.with);
                    Verdict::Shown { homogeneous: n > 0 && (with == 0 || with >= n) }
                }
                other => other,
            };
            out.push((slot, v));
        }
        (out, d.stats)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    let mut results: Vec<(usize, MeasureRun)> = Vec::with_capacity(measures.len());
    if threads == 1 || measures.len() < 2 {
        results.extend(measures.iter().enumerate().map(|(i, m)| (i, run(m))));
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..threads.min(measures.len()) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(m) = measures.get(i) else { break };
                    let r = run(m);
                    if let Ok(mut d) = done.lock() {
                        d.push((i, r));
                    }
                });
            }
        });
        results = done.into_inner().unwrap_or_default();
        results.sort_by_key(|(i, _)| *i);
    }

    let mut verdicts: Vec<Verdict> = cells
        .iter()
        .map(|c| match (c.measure, group_verdict.get(c.group)) {
            (None, Some(v)) => match v {
                Verdict::Shown { .. } => Verdict::Shown { homogeneous: false },
                other => other.clone(),
            },
            _ => Verdict::Suppressed(Reason::BelowK),
        })
        .collect();
    let mut runs = vec![(PEOPLE.to_string(), people.stats)];
    for (i, (decided, stats)) in results {
        for (ci, v) in decided {
            if let Some(slot) = verdicts.get_mut(ci) {
                *slot = v;
            }
        }
        runs.push((measures.get(i).map_or_else(String::new, |m| (*m).to_string()), stats));
    }
    Outcome { verdicts, runs }
}

/// What to keep of a release once it is made.
pub fn ledger(release: i64, groups: &[Vec<i64>], cells: &[Cell], verdicts: &[Verdict]) -> Ledger {
    let mut entries: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (c, v) in cells.iter().zip(verdicts) {
        let names: &[&str] = match c.measure {
            None => &[PEOPLE],
            Some(m) => &[m],
        };
        for &name in names {
            let e = entries.entry(name).or_default();
            match v {
                Verdict::Shown { .. } => e.0.push(c.group),
                Verdict::Suppressed(Reason::BelowK) => e.1.push(c.group),
                Verdict::Suppressed(_) => {}
            }
        }
        // Any shown cell shows its group's n.
        if c.measure.is_some() && v.is_shown() {
            entries.entry(PEOPLE).or_default().0.push(c.group);
        }
    }
    // Keep only the groups the entries use, each once.
    let mut used: BTreeMap<usize, u32> = BTreeMap::new();
    for (shown, hidden) in entries.values() {
        for g in shown.iter().chain(hidden) {
            let next = used.len() as u32;
            used.entry(*g).or_insert(next);
        }
    }
    let mut order: Vec<(usize, u32)> = used.iter().map(|(g, i)| (*g, *i)).collect();
    order.sort_by_key(|(_, i)| *i);
    let kept: Vec<Vec<i64>> = order
        .iter()
        .map(|(g, _)| {
            let mut s = groups.get(*g).cloned().unwrap_or_default();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    let index = |list: &[usize]| -> Vec<u32> {
        let mut v: Vec<u32> = list.iter().filter_map(|g| used.get(g).copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    Ledger {
        release,
        groups: kept,
        entries: entries
            .into_iter()
            .map(|(m, (shown, hidden))| LedgerEntry { measure: m.to_string(), shown: index(&shown), hidden: index(&hidden) })
            .collect(),
    }
}

/// Encodes a member set compactly: ascending ids as LEB128 varints of their differences.
pub fn encode_set(ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 2);
    let mut prev = 0i64;
    for id in ids {
        put_varint(&mut out, (id - prev).max(0) as u64);
        prev = *id;
    }
    out
}

/// Decodes [`encode_set`]; `None` for damaged bytes.
pub fn decode_set(bytes: &[u8]) -> Option<Vec<i64>> {
    let mut out = Vec::new();
    let mut prev = 0i64;
    let mut at = 0usize;
    while at < bytes.len() {
        let d = get_varint(bytes, &mut at)?;
        prev = prev.checked_add(i64::try_from(d).ok()?)?;
        out.push(prev);
    }
    Some(out)
}

fn put_varint(out: &mut Vec<u8>, mut d: u64) {
    loop {
        let byte = (d & 0x7f) as u8;
        d >>= 7;
        if d == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
}

fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut d: u64 = 0;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        if shift > 63 {
            return None;
        }
        d |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(d);
        }
        shift += 7;
    }
}

const LEDGER_FORMAT: u8 = 1;

impl Ledger {
    /// The ledger as bytes (the store seals them): a format byte, the groups, the entries.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![LEDGER_FORMAT];
        put_varint(&mut out, self.groups.len() as u64);
        for g in &self.groups {
            let bytes = encode_set(g);
            put_varint(&mut out, bytes.len() as u64);
            out.extend_from_slice(&bytes);
        }
        put_varint(&mut out, self.entries.len() as u64);
        for e in &self.entries {
            put_varint(&mut out, e.measure.len() as u64);
            out.extend_from_slice(e.measure.as_bytes());
            for list in [&e.shown, &e.hidden] {
                put_varint(&mut out, list.len() as u64);
                for i in list.iter() {
                    put_varint(&mut out, u64::from(*i));
                }
            }
        }
        out
    }

    /// Decodes [`Ledger::encode`] for release `release`; `None` for damaged bytes.
    pub fn decode(release: i64, bytes: &[u8]) -> Option<Ledger> {
        if bytes.first() != Some(&LEDGER_FORMAT) {
            return None;
        }
        let mut at = 1usize;
        let count = |at: &mut usize| -> Option<usize> { usize::try_from(get_varint(bytes, at)?).ok().filter(|n| *n <= bytes.len()) };
        let n = count(&mut at)?;
        let mut groups = Vec::with_capacity(n);
        for _ in 0..n {
            let len = count(&mut at)?;
            let end = at.checked_add(len)?;
            groups.push(decode_set(bytes.get(at..end)?)?);
            at = end;
        }
        let n = count(&mut at)?;
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let len = count(&mut at)?;
            let end = at.checked_add(len)?;
            let measure = String::from_utf8(bytes.get(at..end)?.to_vec()).ok()?;
            at = end;
            let mut lists: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
            for list in lists.iter_mut() {
                let n = count(&mut at)?;
                for _ in 0..n {
                    let i = u32::try_from(get_varint(bytes, &mut at)?).ok().filter(|i| (*i as usize) < groups.len())?;
                    list.push(i);
                }
            }
            let [shown, hidden] = lists;
            entries.push(LedgerEntry { measure, shown, hidden });
        }
        (at == bytes.len()).then_some(Ledger { release, groups, entries })
    }

    /// A ledger of sets recorded before decisions were made per measure: every set counts as
    /// shown for every measure (the cautious reading).
    pub fn legacy(release: i64, sets: Vec<Vec<i64>>) -> Ledger {
        let shown = (0..sets.len() as u32).collect();
        Ledger { release, groups: sets, entries: vec![LedgerEntry { measure: EVERY_MEASURE.to_string(), shown, hidden: Vec::new() }] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn range(a: i64, b: i64) -> Vec<i64> {
        (a..=b).collect()
    }

    const SHOWN: Verdict = Verdict::Shown { homogeneous: false };

    /// The golden company of `golden.rs`: total 1..=20, 営業部 1..=11 (第一課 1..=7, 第二課
    /// 8..=11), 開発部 12..=20; キャリア: 1..=5 and 12..=18.
    fn groups() -> Vec<Vec<i64>> {
        vec![range(1, 20), range(1, 11), range(12, 20), range(1, 7), range(8, 11)]
    }

    #[test]
    fn an_attribute_is_decided_over_the_groups_the_people_decision_showed() {
        let g = groups();
        let career = |gi: usize| g[gi].iter().filter(|&&m| m <= 5 || (12..=18).contains(&m)).count();
        let cells: Vec<Cell> = (0..5)
            .flat_map(|gi| [Cell { group: gi, measure: None, with: 0 }, Cell { group: gi, measure: Some("tag:career"), with: career(gi) }])
            .collect();
        let out = decide(5, &g, &cells, &[]);
        let v = &out.verdicts;
        // people: 第二課 (4) is below k; 第一課 would give it back (営業部 − 第一課): secondary.
        assert_eq!(v[0], SHOWN);
        assert_eq!(v[2], SHOWN);
        assert_eq!(v[4], SHOWN);
        assert_eq!(v[6], Verdict::Suppressed(Reason::Secondary));
        assert_eq!(v[8], Verdict::Suppressed(Reason::BelowK));
        // キャリア: total 12 of 20 shown; 営業部 5 of 11 shown; 開発部 7 of 9 (2 without it):
        // hidden, and 営業部's count would give it back (total − 営業部), so one of them goes.
        assert_eq!(v[1], SHOWN);
        assert_eq!(v[5], Verdict::Suppressed(Reason::BelowK));
        assert_eq!(v[3], Verdict::Suppressed(Reason::Secondary));
        // The hidden sections' attribute cells follow their groups.
        assert_eq!(v[7], Verdict::Suppressed(Reason::Secondary));
        assert_eq!(v[9], Verdict::Suppressed(Reason::BelowK));
        assert_eq!(out.runs.len(), 2);
        assert!(out.exhaustive());
    }

    #[test]
    fn a_hidden_count_stays_hidden_in_the_next_release() {
        // Release 1: 開発部's キャリア count (7 of 9) is hidden; the total's is shown.
        let g = vec![range(1, 20), range(12, 20)];
        let cells = vec![
            Cell { group: 0, measure: None, with: 0 },
            Cell { group: 1, measure: None, with: 0 },
            Cell { group: 0, measure: Some("tag:career"), with: 12 },
            Cell { group: 1, measure: Some("tag:career"), with: 7 },
        ];
        let out = decide(5, &g, &cells, &[]);
        assert_eq!(out.verdicts[3], Verdict::Suppressed(Reason::BelowK));
        let first = ledger(101, &g, &cells, &out.verdicts);
        // Release 2 (next version): the same total, and everyone but 開発部 as a group of its
        // own (say a two-way table made it a cell). Its count would give back 開発部's hidden
        // count by subtraction from release 101's total: hidden, against 101.
        let g2 = vec![range(1, 20), range(1, 11)];
        let cells2 = vec![
            Cell { group: 0, measure: None, with: 0 },
            Cell { group: 1, measure: None, with: 0 },
            Cell { group: 1, measure: Some("tag:career"), with: 5 },
        ];
        let out2 = decide(5, &g2, &cells2, std::slice::from_ref(&first));
        assert_eq!(out2.verdicts[0], SHOWN);
        assert_eq!(out2.verdicts[1], SHOWN, "the group itself is known to the reader");
        assert_eq!(out2.verdicts[2], Verdict::Suppressed(Reason::Differencing { release: 101 }));
        // Without the ledger's hidden sets it would have been shown.
        let forgetful = Ledger { entries: first.entries.iter().map(|e| LedgerEntry { hidden: vec![], ..e.clone() }).collect(), ..first };
        assert_eq!(decide(5, &g2, &cells2, &[forgetful]).verdicts[2], SHOWN);
    }

    #[test]
    fn a_legacy_ledger_counts_for_every_measure() {
        let legacy = Ledger::legacy(9, vec![range(1, 20)]);
        let g = vec![range(1, 21)];
        let cells = vec![Cell { group: 0, measure: None, with: 0 }, Cell { group: 0, measure: Some("flag:life_safety"), with: 0 }];
        let out = decide(5, &g, &cells, &[legacy]);
        assert_eq!(out.verdicts[0], Verdict::Suppressed(Reason::Differencing { release: 9 }));
        assert_eq!(out.verdicts[1], Verdict::Suppressed(Reason::Differencing { release: 9 }));
    }

    #[test]
    fn ledgers_round_trip_and_damage_is_refused() {
        let g = groups();
        let cells: Vec<Cell> = (0..5).map(|gi| Cell { group: gi, measure: None, with: 0 }).collect();
        let out = decide(5, &g, &cells, &[]);
        let l = ledger(3, &g, &cells, &out.verdicts);
        assert_eq!(Ledger::decode(3, &l.encode()), Some(l.clone()));
        let bytes = l.encode();
        assert_eq!(Ledger::decode(3, &bytes[..bytes.len() - 1]), None);
        assert_eq!(Ledger::decode(3, &[]), None);
        assert_eq!(Ledger::decode(3, &[2]), None);
        // The secondary-hidden 第一課 is neither shown nor protected; 第二課 is protected.
        let people = l.entries.iter().find(|e| e.measure == PEOPLE).cloned().unwrap_or_default();
        assert_eq!(people.shown.len(), 3);
        assert_eq!(people.hidden.iter().map(|&i| l.groups[i as usize].clone()).collect::<Vec<_>>(), vec![range(8, 11)]);
    }

    proptest! {
        #[test]
        fn ledger_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = Ledger::decode(1, &bytes);
        }

        #[test]
        fn member_sets_round_trip(mut ids in prop::collection::vec(1i64..5_000_000, 0..300)) {
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(decode_set(&encode_set(&ids)), Some(ids));
        }
    }
}
