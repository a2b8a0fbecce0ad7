//! An exact check of what a set of released member sets gives away, independent of the
//! engine's own arithmetic (modular, over atoms): exact rational elimination over people, and a
//! search of every group of 1..k-1 people. The engine's property tests and the anonymity fuzz
//! target both judge the engine with it; nothing in a release path calls it.

/// A fraction in lowest terms with a positive denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Q {
    const ZERO: Q = Q(0, 1);
    const ONE: Q = Q(1, 1);
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1);
        let s = if d < 0 { -1 } else { 1 };
        Q(s * n / g, s * d / g)
    }
    fn is_zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// The row space of 0/1 vectors over `n` people (indices `0..n`), in reduced echelon form over
/// the rationals: what a reader can compute by adding and subtracting released counts.
#[derive(Clone)]
pub struct Space {
    n: usize,
    rows: Vec<(usize, Vec<Q>)>,
}

impl Space {
    pub fn new(n: usize) -> Space {
        Space { n, rows: Vec::new() }
    }

    fn vector(&self, set: &[usize]) -> Vec<Q> {
        let mut v = vec![Q::ZERO; self.n];
        for &p in set {
            if let Some(x) = v.get_mut(p) {
                *x = Q::ONE;
            }
        }
        v
    }

    fn reduce(&self, mut v: Vec<Q>) -> Vec<Q> {
        for (p, row) in &self.rows {
            let c = v[*p];
            if !c.is_zero() {
                for (x, y) in v.iter_mut().zip(row) {
                    *x = x.sub(c.mul(*y));
                }
            }
        }
        v
    }

    /// Adds one released set.
    pub fn add(&mut self, set: &[usize]) {
        let mut v = self.reduce(self.vector(set));
        let Some(p) = v.iter().position(|x| !x.is_zero()) else { return };
        let c = v[p];
        for x in v.iter_mut() {
            *x = x.div(c);
        }
        for (_, row) in self.rows.iter_mut() {
            let c = row[p];
            if !c.is_zero() {
                for (x, y) in row.iter_mut().zip(&v) {
                    *x = x.sub(c.mul(*y));
                }
            }
        }
        self.rows.push((p, v));
    }

    /// Whether the count of exactly these people follows from the released sets.
    pub fn contains(&self, set: &[usize]) -> bool {
        self.reduce(self.vector(set)).iter().all(|x| x.is_zero())
    }
}

impl Space {
    /// A group of 1..k-1 people (indices) whose count follows from the released sets, if any
    /// (`n` at most 20). A vector lies in the row space exactly when it is orthogonal to the
    /// null space, so every group is tested by summing the null space's vectors over it.
    pub fn isolated_group(&self, k: usize) -> Option<Vec<usize>> {
        let n = self.n.min(20);
        let pivots: Vec<usize> = self.rows.iter().map(|(p, _)| *p).collect();
        // One null-space vector per free column, scaled to integers.
        let mut null: Vec<Vec<i128>> = Vec::new();
        for f in (0..n).filter(|c| !pivots.contains(c)) {
            let mut z = vec![Q::ZERO; n];
            z[f] = Q::ONE;
            for (p, row) in &self.rows {
                z[*p] = Q::ZERO.sub(row[f]);
            }
            let scale = z.iter().fold(1i128, |l, q| l / gcd(l, q.1).max(1) * q.1);
            null.push(z.iter().map(|q| q.0 * (scale / q.1)).collect());
        }
        let masks = 1usize << n;
        let mut sums: Vec<Vec<i128>> = vec![vec![0; masks]; null.len()];
        for (z, sum) in null.iter().zip(sums.iter_mut()) {
            for mask in 1..masks {
                let low = mask.trailing_zeros() as usize;
                sum[mask] = sum[mask & (mask - 1)] + z[low];
            }
        }
        (1..masks)
            .find(|&mask| (mask.count_ones() as usize) < k && sums.iter().all(|s| s[mask] == 0))
            .map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).collect())
    }
}

impl Space {
    /// The space of the sets released so far.
    pub fn from_sets(n: usize, sets: &[Vec<usize>]) -> Space {
        let mut s = Space::new(n);
        for set in sets {
            s.add(set);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::Space;

    #[test]
    fn a_difference_of_two_released_sets_isolates_its_people() {
        // 5 people released, then 4 of them: the fifth is the difference.
        let s = Space::from_sets(6, &[vec![0, 1, 2, 3, 4], vec![0, 1, 2, 3]]);
        assert!(s.contains(&[4]));
        assert!(!s.contains(&[3]));
        assert_eq!(s.isolated_group(3), Some(vec![4]));
    }

    #[test]
    fn overlapping_sets_without_a_small_difference_isolate_no_one() {
        let s = Space::from_sets(8, &[vec![0, 1, 2, 3, 4], vec![3, 4, 5, 6, 7]]);
        assert!(!s.contains(&[3, 4]));
        assert!(s.contains(&[0, 1, 2, 3, 4]));
        assert_eq!(s.isolated_group(5), None);
        // With k = 6 the five of either set are a group smaller than k.
        assert!(s.isolated_group(6).is_some_and(|g| g.len() == 5));
    }

    #[test]
    fn sums_and_differences_over_several_sets_are_followed() {
        // {0,1,2} + {3,4} − {0,1,2,3} = {4}: no two sets alone give it.
        let s = Space::from_sets(5, &[vec![0, 1, 2], vec![3, 4], vec![0, 1, 2, 3]]);
        assert!(s.contains(&[4]));
        assert!(s.contains(&[3]));
        assert_eq!(s.isolated_group(2), Some(vec![3]));
    }
}
