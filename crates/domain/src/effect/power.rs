//! The smallest effect a group can detect: the standardized mean change d_z that a two-sided
//! paired t-test at α = 0.05 finds with 80 % power, for n pairs.
//!
//! Power comes from the noncentral t distribution, written as an expectation over the chi
//! distribution of the standard deviation's scale, W ~ χ(ν) with ν = n − 1:
//! power(δ) = E[Φ(δ − c·W/√ν) + Φ(−δ − c·W/√ν)], δ = d_z·√n, c the t quantile. The integral is
//! taken by Simpson's rule over the bulk of W's density, and d_z is solved by regula falsi
//! (Illinois). statrs has no noncentral t; the fixtures check this against scipy's `nct`.

use statrs::function::erf::erfc;
use statrs::function::gamma::ln_gamma;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const ALPHA: f64 = 0.05;
pub const POWER: f64 = 0.8;

/// Simpson panels over W's range; enough for 1e-9 on the power even at ν = 1, where the
/// integrand is steepest.
const PANELS: usize = 4_000;

/// Group sizes whose detectable effect the process keeps (a report's tables repeat sizes, and
/// a page asks for the same groups again); beyond it the memo starts over.
const MEMO_SIZES: usize = 10_000;

/// The smallest d_z detectable with n pairs (α = 0.05 two-sided, power 0.8); `None` below
/// 2 pairs, where the t-test is undefined. It depends on n alone, and one solve integrates
/// thousands of nodes dozens of times, so each n is solved once per process.
pub fn min_detectable_d_z(n: usize) -> Option<f64> {
    static MEMO: OnceLock<Mutex<HashMap<usize, Option<f64>>>> = OnceLock::new();
    let memo = MEMO.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(known) = memo.lock().ok().and_then(|m| m.get(&n).copied()) {
        return known;
    }
    let solved = solve_min_detectable_d_z(n);
    if let Ok(mut m) = memo.lock() {
        if m.len() >= MEMO_SIZES {
            m.clear();
        }
        m.insert(n, solved);
    }
    solved
}

fn solve_min_detectable_d_z(n: usize) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let nu = (n - 1) as f64;
    let c = super::t_quantile_975(nu)?;
    let grid = ChiGrid::new(nu);
    let sqrt_n = (n as f64).sqrt();
    let f = |d: f64| grid.power(d * sqrt_n, c) - POWER;
    // Bracket: start from the normal approximation and widen until the power passes 0.8.
    let mut lo = 0.0;
    let mut hi = 2.8 / sqrt_n;
    let mut f_lo = f(lo);
    let mut f_hi = f(hi);
    let mut widen = 0;
    while f_hi < 0.0 {
        lo = hi;
        f_lo = f_hi;
        hi *= 2.0;
        f_hi = f(hi);
        widen += 1;
        if widen > 60 || !f_hi.is_finite() {
            return None;
        }
    }
    let mut side = 0i8;
    let mut x = hi;
    for _ in 0..200 {
        x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
        if !x.is_finite() {
            return None;
        }
        let fx = f(x);
        if fx.abs() < 1e-13 || (hi - lo) < 1e-12 * hi {
            break;
        }
        if fx > 0.0 {
            hi = x;
            f_hi = fx;
            if side == 1 {
                f_lo /= 2.0;
            }
            side = 1;
        } else {
            lo = x;
            f_lo = fx;
            if side == -1 {
                f_hi /= 2.0;
            }
            side = -1;
        }
    }
    (x.is_finite() && x > 0.0).then_some(x)
}

/// Simpson nodes and weights (density included) for W ~ χ(ν).
struct ChiGrid {
    /// (w/√ν, weight × density at w).
    nodes: Vec<(f64, f64)>,
}

impl ChiGrid {
    fn new(nu: f64) -> Self {
        // The density lives within a few units of √(ν − 1), with a spread below 1.
        let centre = (nu - 1.0).max(0.0).sqrt();
        let from = (centre - 12.0).max(0.0);
        let to = centre + 12.0;
        let h = (to - from) / PANELS as f64;
        let log_norm = (nu / 2.0 - 1.0) * std::f64::consts::LN_2 + ln_gamma(nu / 2.0);
        let sqrt_nu = nu.sqrt();
        let nodes = (0..=PANELS)
            .map(|i| {
                let w = from + h * i as f64;
                let simpson = if i == 0 || i == PANELS {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                let log_density = if w > 0.0 { (nu - 1.0) * w.ln() - w * w / 2.0 - log_norm } else { f64::NEG_INFINITY };
                // At w = 0 the χ(1) density is √(2/π); for ν > 1 it is 0.
                let density = if w > 0.0 {
                    log_density.exp()
                } else if nu == 1.0 {
                    (2.0 / std::f64::consts::PI).sqrt()
                } else {
                    0.0
                };
                (w / sqrt_nu, simpson * h / 3.0 * density)
            })
            .collect();
        ChiGrid { nodes }
    }

    /// Power of the two-sided test at noncentrality δ and critical value c.
    fn power(&self, delta: f64, c: f64) -> f64 {
        self.nodes.iter().map(|&(s, weight)| weight * (phi(delta - c * s) + phi(-delta - c * s))).sum()
    }
}

/// The standard normal distribution function, accurate in both tails.
fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn larger_groups_detect_smaller_effects() {
        let mut last = f64::INFINITY;
        for n in [2, 3, 5, 10, 30, 100, 1_000, 10_000] {
            let d = min_detectable_d_z(n).unwrap();
            assert!(d < last, "n={n}: {d} ≥ {last}");
            last = d;
        }
        // Large n approaches the normal approximation (z₀.₉₇₅ + z₀.₈)/√n.
        for n in [10_000usize, 1_000_000, 100_000_000] {
            let approx = (1.959_963_984_540_054 + 0.841_621_233_572_914_3) / (n as f64).sqrt();
            let d = min_detectable_d_z(n).unwrap();
            assert!((d - approx).abs() < 2e-4 * approx, "n={n}: {d} vs {approx}");
        }
    }

    #[test]
    fn the_memo_answers_as_the_solve_does() {
        for n in [2, 7, 10, 11, 250, 4_000] {
            let solved = solve_min_detectable_d_z(n);
            assert_eq!(min_detectable_d_z(n), solved, "first ask, n={n}");
            assert_eq!(min_detectable_d_z(n), solved, "remembered, n={n}");
        }
    }

    #[test]
    fn undefined_below_two_pairs() {
        assert_eq!(min_detectable_d_z(0), None);
        assert_eq!(min_detectable_d_z(1), None);
    }
}
