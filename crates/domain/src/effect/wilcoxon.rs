//! The Wilcoxon signed-rank test of paired changes, two-sided, as `scipy.stats.wilcoxon`
//! computes it with its defaults (`zero_method="wilcox"`, `correction=False`, `method="auto"`,
//! scipy 1.17):
//!
//! - zero changes are dropped before ranking; tied absolute changes get mid-ranks;
//! - more than 50 pairs (zeros included): normal approximation;
//! - otherwise, no ties and no zeros: the exact null distribution (the standard recursion);
//! - otherwise, at most 13 pairs: exact over all 2ⁿ sign flips of the ranks as they are
//!   (scipy's permutation test, which enumerates them all at that size);
//! - otherwise: normal approximation with the tie correction of the variance.
//!
//! Both exact branches are one recursion over doubled ranks, which are whole numbers even
//! with mid-ranks. The normal approximation takes an optional continuity correction
//! (scipy's `correction=True`), off by default as in scipy.

use super::TIE_TOLERANCE;
use serde::Serialize;

/// How the p-value was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankMethod {
    /// The exact distribution of the signed-rank statistic (no ties, no zeros, n ≤ 50).
    Exact,
    /// Exact over every sign flip of the mid-ranks (ties or zeros, n ≤ 13).
    Permutation,
    /// Normal approximation with the tie correction (n > 50, or ties or zeros and n > 13).
    Asymptotic,
}

impl RankMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RankMethod::Exact => "exact",
            RankMethod::Permutation => "permutation",
            RankMethod::Asymptotic => "asymptotic",
        }
    }
}

/// The test's result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SignedRank {
    /// Changes that were not zero (the ranked ones).
    pub nonzero: usize,
    /// Sum of the ranks of the increases.
    pub r_plus: f64,
    /// Sum of the ranks of the decreases.
    pub r_minus: f64,
    /// The smaller of the two sums (scipy's `statistic` for the two-sided test).
    pub statistic: f64,
    /// Two-sided p-value, in [0, 1].
    pub p_value: f64,
    pub method: RankMethod,
}

/// Largest n for which scipy uses an exact method without ties.
const EXACT_MAX: usize = 50;
/// Largest n for which scipy enumerates every sign flip when there are ties or zeros.
const PERMUTATION_MAX: usize = 13;

/// The test of `changes` (after − before; non-finite values are ignored). `None` when there is
/// nothing to test: no changes, or (above 13 pairs) only zero changes, where scipy's p-value
/// is NaN.
pub fn signed_rank(changes: &[f64], continuity: bool) -> Option<SignedRank> {
    let all: Vec<f64> = changes.iter().copied().filter(|d| d.is_finite()).collect();
    let n = all.len();
    if n == 0 {
        return None;
    }
    let mut nonzero: Vec<f64> = all.iter().copied().filter(|d| d.abs() > TIE_TOLERANCE).collect();
    let zeros = n - nonzero.len();
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let ranks = doubled_mid_ranks(&nonzero);
    let m = nonzero.len();
    let mut plus2: u64 = 0;
    let mut minus2: u64 = 0;
    for (d, r) in nonzero.iter().zip(&ranks.doubled) {
        if *d > 0.0 {
            plus2 += r;
        } else {
            minus2 += r;
        }
    }
    let has_ties = ranks.tie_sizes.iter().any(|&t| t > 1);
    let method = if n > EXACT_MAX {
        RankMethod::Asymptotic
    } else if !has_ties && zeros == 0 {
        RankMethod::Exact
    } else if n <= PERMUTATION_MAX {
        RankMethod::Permutation
    } else {
        RankMethod::Asymptotic
    };
    let r_plus = plus2 as f64 / 2.0;
    let r_minus = minus2 as f64 / 2.0;
    let p_value = match method {
        RankMethod::Exact | RankMethod::Permutation => exact_p(&ranks.doubled, plus2),
        RankMethod::Asymptotic => normal_p(m, &ranks.tie_sizes, r_plus, continuity)?,
    };
    Some(SignedRank { nonzero: m, r_plus, r_minus, statistic: r_plus.min(r_minus), p_value, method })
}

struct Ranks {
    /// 2 × the mid-rank of each value, in the order given (sorted by absolute value).
    doubled: Vec<u64>,
    /// Size of each group of tied absolute values.
    tie_sizes: Vec<u64>,
}

/// Mid-ranks of values sorted by absolute value, doubled so that they stay whole numbers.
/// Absolute values within [`TIE_TOLERANCE`] of their neighbour are tied.
fn doubled_mid_ranks(sorted: &[f64]) -> Ranks {
    let mut doubled = Vec::with_capacity(sorted.len());
    let mut tie_sizes = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && (sorted[end].abs() - sorted[end - 1].abs()) <= TIE_TOLERANCE {
            end += 1;
        }
        // 1-based ranks start+1 ..= end; their mean doubled is start + 1 + end.
        let r = (start + 1 + end) as u64;
        doubled.extend(std::iter::repeat_n(r, end - start));
        tie_sizes.push((end - start) as u64);
        start = end;
    }
    Ranks { doubled, tie_sizes }
}

/// Two-sided p-value from the distribution of the sum of doubled ranks given random signs:
/// 2 × the smaller tail, at most 1. Called for at most 50 ranks, so the counts (≤ 2⁵⁰) are exact.
fn exact_p(doubled: &[u64], observed2: u64) -> f64 {
    let total: u64 = doubled.iter().sum();
    let Ok(len) = usize::try_from(total + 1) else { return 1.0 };
    let mut counts = vec![0u64; len];
    counts[0] = 1;
    let mut reach = 0usize;
    for &r in doubled {
        let r = r as usize;
        for s in (0..=reach).rev() {
            let c = counts[s];
            if c > 0 {
                counts[s + r] = counts[s + r].saturating_add(c);
            }
        }
        reach += r;
    }
    let all: f64 = counts.iter().map(|&c| c as f64).sum();
    let obs = usize::try_from(observed2).unwrap_or(usize::MAX).min(len - 1);
    let lower: f64 = counts[..=obs].iter().map(|&c| c as f64).sum();
    let upper: f64 = counts[obs..].iter().map(|&c| c as f64).sum();
    (2.0 * lower.min(upper) / all).clamp(0.0, 1.0)
}

/// Normal approximation with the tie correction; `None` when the variance is zero.
fn normal_p(m: usize, tie_sizes: &[u64], r_plus: f64, continuity: bool) -> Option<f64> {
    let m = m as f64;
    let mean = m * (m + 1.0) / 4.0;
    let ties: f64 = tie_sizes.iter().map(|&t| (t as f64).powi(3) - t as f64).sum();
    let var = (m * (m + 1.0) * (2.0 * m + 1.0) - ties / 2.0) / 24.0;
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    let se = var.sqrt();
    let mut z = (r_plus - mean) / se;
    if continuity && z != 0.0 {
        z -= z.signum() * 0.5 / se;
    }
    let p = statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2);
    p.is_finite().then_some(p.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_of_small_n() {
        // n = 3: sums 0..6 with counts 1,1,1,2,1,1,1 of 8.
        let r = signed_rank(&[1.0, 2.0, 3.0], false).unwrap();
        assert_eq!(r.method, RankMethod::Exact);
        assert_eq!((r.r_plus, r.r_minus), (6.0, 0.0));
        assert!((r.p_value - 0.25).abs() < 1e-15);
        let r = signed_rank(&[-1.0, 2.0, 3.0], false).unwrap();
        assert!((r.p_value - 0.5).abs() < 1e-15);
    }

    #[test]
    fn nearly_equal_changes_are_tied() {
        // Two changes of 0.2 that differ in the last bit must still tie.
        let a = 0.7 - 0.5;
        let b = 3.2 - 3.0;
        assert_ne!(a, b);
        let r = signed_rank(&[a, b, 0.5], false).unwrap();
        assert_eq!(r.method, RankMethod::Permutation);
        assert_eq!(r.r_plus, 6.0);
    }

    #[test]
    fn nothing_to_test() {
        assert_eq!(signed_rank(&[], false), None);
        assert_eq!(signed_rank(&[f64::NAN, f64::INFINITY], false), None);
        assert_eq!(signed_rank(&[0.0; 20], false), None);
        assert_eq!(signed_rank(&[0.0; 5], false).map(|r| r.p_value), Some(1.0));
    }
}
