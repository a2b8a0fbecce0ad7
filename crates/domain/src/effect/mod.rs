//! 効果把握 (effect measurement, R7, R12): what changed in a group between a questionnaire
//! answered before the program (`pre`) and after it (`post`).
//!
//! [`measure`] takes each person's pair of scores and gives the number of complete pairs, the
//! means before and after, the mean change (after − before) with its 95 % t-interval, the
//! Wilcoxon signed-rank test ([`wilcoxon`]), two paired effect sizes (Cohen's d_z and the
//! matched-pairs rank-biserial correlation), the smallest effect the group could detect
//! ([`power`]) and, for a small group, a plain warning in both languages. Nothing here panics
//! or returns NaN: what cannot be computed for a group is `None`. Whether a group may be shown
//! at all is the anonymity engine's decision, not this module's. `docs/effect-measurement.md`
//! says which method is used when and how the scipy fixtures are made.

pub mod power;
pub mod wilcoxon;

pub use power::min_detectable_d_z;
pub use wilcoxon::{signed_rank, RankMethod, SignedRank};

use crate::Message;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Changes (and absolute changes) closer than this are equal: scores are means of whole
/// answers, and their differences can disagree in the last bit.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// A group whose smallest detectable d_z is above this (a "medium" effect) gets the warning;
/// at α = 0.05 and 80 % power that is every group of fewer than 34 pairs.
pub const SMALL_GROUP_D_Z: f64 = 0.5;

/// One person's score before and after; a missing or non-finite score makes the pair
/// incomplete, and it is left out.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Pair {
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl Pair {
    pub fn new(before: f64, after: f64) -> Self {
        Pair { before: Some(before), after: Some(after) }
    }

    fn complete(&self) -> Option<(f64, f64)> {
        match (self.before, self.after) {
            (Some(b), Some(a)) if b.is_finite() && a.is_finite() => Some((b, a)),
            _ => None,
        }
    }
}

/// A closed interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// What [`measure`] found for one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// Complete pairs: people with both scores.
    pub n: usize,
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
    /// Mean of after − before (positive: the score went up).
    pub mean_change: Option<f64>,
    /// Sample standard deviation of the changes (n − 1 in the denominator); from 2 pairs.
    pub sd_change: Option<f64>,
    /// 95 % t-interval of the mean change; from 2 pairs (a single point when every change is equal).
    pub ci95: Option<Interval>,
    /// The Wilcoxon signed-rank test with scipy's defaults.
    pub wilcoxon: Option<SignedRank>,
    /// Cohen's d_z: mean change over the standard deviation of the changes; `None` when that is 0.
    pub d_z: Option<f64>,
    /// Matched-pairs rank-biserial correlation (R₊ − R₋)/(R₊ + R₋), zero changes left out; in [−1, 1].
    pub rank_biserial: Option<f64>,
    /// Smallest d_z this many pairs detect (α = 0.05 two-sided, power 0.8).
    pub min_detectable_d_z: Option<f64>,
    /// The same in score points: `min_detectable_d_z` × `sd_change`; `None` when the sd is 0.
    pub min_detectable_change: Option<f64>,
    /// Present when the group is too small to show small changes.
    pub warning: Option<SmallGroupWarning>,
}

/// The plain-language warning for a small group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SmallGroupWarning {
    pub n: usize,
    pub min_detectable_d_z: Option<f64>,
    pub min_detectable_change: Option<f64>,
    pub message: Message,
}

/// Everything about the change in one group of pairs (see the module's documentation).
pub fn measure(pairs: &[Pair]) -> Effect {
    let complete: Vec<(f64, f64)> = pairs.iter().filter_map(Pair::complete).collect();
    let n = complete.len();
    let changes: Vec<f64> = complete.iter().map(|(b, a)| a - b).collect();
    let mean_before = mean(complete.iter().map(|p| p.0));
    let mean_after = mean(complete.iter().map(|p| p.1));
    let mean_change = mean(changes.iter().copied());
    let sd_change = mean_change.and_then(|m| sample_sd(&changes, m));
    let ci95 = match (mean_change, sd_change) {
        (Some(m), Some(sd)) => t_interval(m, sd, n),
        _ => None,
    };
    let d_z = match (mean_change, sd_change) {
        (Some(m), Some(sd)) if sd > TIE_TOLERANCE => finite(m / sd),
        _ => None,
    };
    let wilcoxon = signed_rank(&changes, false);
    let rank_biserial = wilcoxon.and_then(|w| {
        let sum = w.r_plus + w.r_minus;
        (sum > 0.0).then(|| ((w.r_plus - w.r_minus) / sum).clamp(-1.0, 1.0))
    });
    let min_detectable_d_z = min_detectable_d_z(n);
    let min_detectable_change = match (min_detectable_d_z, sd_change) {
        (Some(d), Some(sd)) if sd > TIE_TOLERANCE => finite(d * sd),
        _ => None,
    };
    let warning = small_group_warning(n, min_detectable_d_z, min_detectable_change);
    Effect {
        n,
        mean_before,
        mean_after,
        mean_change,
        sd_change,
        ci95,
        wilcoxon,
        d_z,
        rank_biserial,
        min_detectable_d_z,
        min_detectable_change,
        warning,
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 {
        None
    } else {
        finite(sum / count as f64)
    }
}

/// Two-pass sample standard deviation; changes within [`TIE_TOLERANCE`] of each other count
/// as equal, so rounding noise does not make a spread out of identical changes.
fn sample_sd(values: &[f64], mean: f64) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    let sd = (ss / (values.len() - 1) as f64).sqrt();
    let sd = if sd <= TIE_TOLERANCE { 0.0 } else { sd };
    finite(sd)
}

/// mean ± t(0.975, n − 1) · sd / √n.
fn t_interval(mean: f64, sd: f64, n: usize) -> Option<Interval> {
    if n < 2 {
        return None;
    }
    let t = t_quantile_975((n - 1) as f64)?;
    let half = t * sd / (n as f64).sqrt();
    let (low, high) = (finite(mean - half)?, finite(mean + half)?);
    Some(Interval { low: low.min(mean), high: high.max(mean) })
}

/// The 0.975 quantile of Student's t with `nu` degrees of freedom. statrs's inverse (through the
/// incomplete beta function) drifts for large `nu` (1.95993 instead of 1.95997 at 10⁶, and it
/// stalls near 10⁸), so from 500 on the Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5,
/// four terms, error below 1e-13 there) is used instead.
pub(crate) fn t_quantile_975(nu: f64) -> Option<f64> {
    if nu.is_nan() || nu < 1.0 {
        return None;
    }
    let t = if nu < 500.0 {
        StudentsT::new(0.0, 1.0, nu).ok()?.inverse_cdf(0.975)
    } else {
        let z = Z_975;
        let (z2, z3) = (z * z, z * z * z);
        let (z5, z7, z9) = (z3 * z2, z3 * z2 * z2, z3 * z3 * z3);
        let g1 = (z3 + z) / 4.0;
        let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
        let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
        let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92_160.0;
        z + g1 / nu + g2 / nu.powi(2) + g3 / nu.powi(3) + g4 / nu.powi(4)
    };
    finite(t)
}

/// The standard normal's 0.975 quantile.
const Z_975: f64 = 1.959_963_984_540_054;

fn small_group_warning(n: usize, d: Option<f64>, points: Option<f64>) -> Option<SmallGroupWarning> {
    let message = match (n, d) {
        (0, _) => Message::new(
            "事前と事後の回答がそろった人がいないため、変化は計算できません。",
            "No one answered both before and after, so no change can be computed.",
        ),
        (1, _) => Message::new(
            "事前と事後の回答がそろった人が1人だけのため、信頼区間も検定も計算できません。",
            "Only one person answered both before and after, so no confidence interval or test can be computed.",
        ),
        (_, Some(d)) if d > SMALL_GROUP_D_Z => {
            let (ja_points, en_points) = match points {
                Some(p) => (format!("（この集団ではおよそ{p:.2}点）"), format!(" (about {p:.2} points in this group)")),
                None => (String::new(), String::new()),
            };
            Message::new(
                format!(
                    "事前と事後の回答がそろった人が{n}人と少ないため、小さな変化は偶然の揺れと区別できません。\
                     この人数で変化を見逃さずにとらえられる（有意水準5%、検出力80%）のは、\
                     平均の変化が変化のばらつき（標準偏差）の{d:.2}倍{ja_points}以上のときです。\
                     有意な差が出なくても、効果がなかったとは言えません。"
                ),
                format!(
                    "Only {n} people answered both before and after, so small changes cannot be told apart from chance. \
                     With this many people a change is reliably detected (5% significance, 80% power) only when the \
                     mean change is at least {d:.2} times the standard deviation of the changes{en_points}. \
                     A result that is not significant does not show that there was no effect."
                ),
            )
        }
        _ => return None,
    };
    Some(SmallGroupWarning { n, min_detectable_d_z: d, min_detectable_change: points, message })
}

#[cfg(test)]
mod tests;
