//! Sparse rows over atom columns, an echelon basis of the released row space, and the
//! reduction of a vector against it.

use super::field::Fp;

/// One coordinate: (atom column, coefficient).
pub(crate) type Entry = (u32, Fp);

/// Which earlier release a row or a reduced vector draws on (the latest one, by its index in
/// the history); `None` for rows of the release being decided only.
pub(crate) type Tag = Option<usize>;

/// A basis row: entries sorted by column, the first one the pivot, with coefficient 1.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) entries: Vec<Entry>,
    pub(crate) tag: Tag,
}

const NONE: u32 = u32::MAX;

/// Rows in echelon form: each row is zero before its pivot, and no two rows share a pivot.
/// (Not fully reduced: a row may be non-zero at a later row's pivot; reduction works column by
/// column from the left, so that is enough for membership.)
#[derive(Clone, Debug)]
pub(crate) struct Basis {
    pub(crate) rows: Vec<Row>,
    pivot: Vec<u32>,
}

impl Basis {
    pub(crate) fn new(columns: usize) -> Basis {
        Basis { rows: Vec::new(), pivot: vec![NONE; columns] }
    }

    pub(crate) fn row_at(&self, col: u32) -> Option<&Row> {
        match self.pivot.get(col as usize) {
            Some(&r) if r != NONE => self.rows.get(r as usize),
            _ => None,
        }
    }

    pub(crate) fn is_pivot(&self, col: u32) -> bool {
        self.pivot.get(col as usize).is_some_and(|&r| r != NONE)
    }

    /// Adds a reduced, non-zero vector whose lead is not a pivot yet. Returns false (and adds
    /// nothing) when its lead cannot be divided by (see `Fp::is_unit`).
    pub(crate) fn push(&mut self, entries: Vec<Entry>, tag: Tag) -> bool {
        let Some(&(lead, v)) = entries.first() else { return false };
        let Some(inv) = v.inv() else { return false };
        if self.is_pivot(lead) {
            return false;
        }
        let entries: Vec<Entry> = if v.is_one() { entries } else { entries.into_iter().map(|(c, x)| (c, x.mul(inv))).collect() };
        if let Some(slot) = self.pivot.get_mut(lead as usize) {
            *slot = self.rows.len() as u32;
        }
        self.rows.push(Row { entries, tag });
        true
    }

    /// Drops the rows added after the first `len`.
    pub(crate) fn truncate(&mut self, len: usize) {
        while self.rows.len() > len {
            if let Some(row) = self.rows.pop() {
                if let Some(&(lead, _)) = row.entries.first() {
                    if let Some(slot) = self.pivot.get_mut(lead as usize) {
                        *slot = NONE;
                    }
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }
}

/// How far to reduce: until the lead is not a pivot, or every pivot column is cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Lead,
    Full,
}

/// A dense accumulator reused across reductions (one per decision), with a bitset of the
/// columns that hold something. A reduction only ever adds at columns after the one it works
/// on (a basis row is zero before its pivot), so it scans the bitset forward once.
pub(crate) struct Scratch {
    acc: Vec<Fp>,
    bits: Vec<u64>,
    pending: usize,
}

impl Scratch {
    pub(crate) fn new(columns: usize) -> Scratch {
        Scratch { acc: vec![Fp::ZERO; columns], bits: vec![0; columns.div_ceil(64)], pending: 0 }
    }

    fn add_at(&mut self, col: u32, v: Fp) {
        let i = col as usize;
        if let (Some(a), Some(w)) = (self.acc.get_mut(i), self.bits.get_mut(i >> 6)) {
            *a = a.add(v);
            let bit = 1u64 << (i & 63);
            if *w & bit == 0 {
                *w |= bit;
                self.pending += 1;
            }
        }
    }

    /// The first column at or after `from` that holds something, taken out of the set.
    fn next(&mut self, from: usize) -> Option<(u32, Fp)> {
        if self.pending == 0 {
            return None;
        }
        let mut wi = from >> 6;
        let mut mask = u64::MAX << (from & 63);
        while let Some(w) = self.bits.get_mut(wi) {
            let hit = *w & mask;
            if hit != 0 {
                let b = hit.trailing_zeros() as usize;
                *w &= !(1u64 << b);
                self.pending -= 1;
                let col = (wi << 6) + b;
                let v = self.acc.get_mut(col).map(std::mem::take).unwrap_or(Fp::ZERO);
                return Some((col as u32, v));
            }
            wi += 1;
            mask = u64::MAX;
        }
        None
    }

    /// Reduces `x` against `basis`; the tag is the latest release of any row used.
    pub(crate) fn reduce(&mut self, x: &[Entry], tag: Tag, basis: &Basis, mode: Mode) -> (Vec<Entry>, Tag) {
        let mut tag = tag;
        let mut from = usize::MAX;
        for &(c, v) in x {
            from = from.min(c as usize);
            self.add_at(c, v);
        }
        let mut out = Vec::new();
        if from == usize::MAX {
            return (out, tag);
        }
        while let Some((c, v)) = self.next(from) {
            from = c as usize;
            if v.is_zero() {
                continue;
            }
            if let Some(row) = basis.row_at(c) {
                tag = tag.max(row.tag);
                let f = v.neg();
                for &(col, rv) in row.entries.iter().skip(1) {
                    self.add_at(col, if rv.is_one() { f } else { f.mul(rv) });
                }
                continue;
            }
            out.push((c, v));
            if mode == Mode::Lead {
                while let Some((c, v)) = self.next(from) {
                    from = c as usize;
                    if !v.is_zero() {
                        out.push((c, v));
                    }
                }
            }
        }
        (out, tag)
    }
}

/// A 0/1 vector over the given (sorted, distinct) columns.
pub(crate) fn indicator(cols: &[u32]) -> Vec<Entry> {
    cols.iter().map(|&c| (c, Fp::ONE)).collect()
}
