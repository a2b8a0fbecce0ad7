//! The anonymity engine (R3: 個別の従業員が特定されないように): which cells of an aggregate
//! release may be shown, so that nobody who knows the roster and who was interviewed can
//! isolate fewer than k people from what is shown now together with everything released
//! before. docs/anonymity.md says exactly what is guaranteed and how.
//!
//! The engine knows nothing of departments or measures: a cell is the list of member sets its
//! figures reveal (a `people` cell: its group's members; an attribute cell `tag:`/`flag:`/
//! `theme:`: its group's members, for `n`, and the members with the attribute, for `value`).
//! Members are employee ids. The caller keeps, per tenant, the sets of every released cell
//! ([`PriorRelease`]) and passes them back with every later release.

mod engine;
pub mod exact;
mod field;
pub mod measured;
mod sparse;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod perf;
#[cfg(test)]
mod properties;

use crate::{Invalid, Message};
use serde::{Deserialize, Serialize};

/// k when a tenant has not chosen one.
pub const DEFAULT_K: u32 = 10;
/// The smallest k a tenant may choose; the engine never decides with less.
pub const MIN_K: u32 = 5;
/// The largest k a tenant may choose (as `tenant::KThreshold`).
pub const MAX_K: u32 = 1000;

/// A tenant's k as entered (a form, the command line, the API): refused below [`MIN_K`].
pub fn check_k(k: i64) -> Result<u32, Invalid> {
    if k < i64::from(MIN_K) {
        return Err(Invalid::new(
            "k",
            format!("集計の最小人数（k）は{MIN_K}人以上にしてください（指定値: {k}）。{MIN_K}人未満では個人が特定されるおそれがあります。"),
            format!("k (the minimum group size) must be at least {MIN_K} (got {k}): smaller groups could identify individuals"),
        ));
    }
    if k > i64::from(MAX_K) {
        return Err(Invalid::new(
            "k",
            format!("集計の最小人数（k）は{MAX_K}人以下にしてください（指定値: {k}）。"),
            format!("k (the minimum group size) must be at most {MAX_K} (got {k})"),
        ));
    }
    Ok(k as u32)
}

/// One cell of the release being decided: the member sets its figures reveal. Order matters
/// only for the homogeneity mark: the first set is the group, later ones its attribute
/// members. Repeated members and repeated sets are harmless.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub sets: Vec<Vec<i64>>,
}

impl Candidate {
    /// A `people` cell: its group's members.
    pub fn people(group: Vec<i64>) -> Candidate {
        Candidate { sets: vec![group] }
    }

    /// An attribute cell: its group's members (`n`) and those with the attribute (`value`).
    pub fn attribute(group: Vec<i64>, with: Vec<i64>) -> Candidate {
        Candidate { sets: vec![group, with] }
    }
}

/// An earlier release of the tenant: its id (as stored by the caller), the member sets of
/// every cell it showed, and the sets of the cells it hid because they described 1..k-1
/// people (protected from then on: no later release may give them back).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorRelease {
    pub id: i64,
    pub shown: Vec<Vec<i64>>,
    #[serde(default)]
    pub hidden: Vec<Vec<i64>>,
}

impl PriorRelease {
    /// What to keep once a release is made: the sets of the cells that were shown (each set
    /// once, sorted), to pass as history to every later decision.
    pub fn from_decision(id: i64, candidates: &[Candidate], verdicts: &[Verdict]) -> PriorRelease {
        let mut shown: Vec<Vec<i64>> = candidates
            .iter()
            .zip(verdicts)
            .filter(|(_, v)| v.is_shown())
            .flat_map(|(c, _)| c.sets.iter())
            .map(|s| {
                let mut s = s.clone();
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        shown.sort();
        shown.dedup();
        PriorRelease { id, shown, hidden: Vec::new() }
    }
}

/// What happens to one candidate cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Shown with its figures. `homogeneous`: everyone or no one in the group has the
    /// attribute; shown, but flagged to the approver (docs/anonymity.md).
    Shown { homogeneous: bool },
    /// Hidden, with neither `n` nor `value`, for the reason given.
    Suppressed(Reason),
}

impl Verdict {
    pub fn is_shown(&self) -> bool {
        matches!(self, Verdict::Shown { .. })
    }
}

/// Why a cell is hidden, for the approver's preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// The cell itself describes 1..k-1 people (its group, those with the attribute, or those
    /// of the group without it).
    BelowK,
    /// Shown together with the other cells of this release, it would let a subtraction give
    /// back a hidden cell or 1..k-1 people.
    Secondary,
    /// Subtracted from what release `release` showed, it would describe 1..k-1 people.
    Differencing { release: i64 },
}

impl Reason {
    /// The approver's explanation, in both languages.
    pub fn message(&self, k: u32) -> Message {
        let k = k.max(MIN_K);
        match self {
            Reason::BelowK => Message::new(
                format!("{k}人未満の集団を表すため非表示にしています。"),
                format!("Hidden: it describes fewer than {k} people."),
            ),
            Reason::Secondary => Message::new(
                "他のセルとの差し引きで非表示のセルや少人数の集団が分かってしまうため、非表示にしています。",
                "Hidden: together with the other cells, a subtraction would reveal a hidden cell or a small group.",
            ),
            Reason::Differencing { release } => Message::new(
                format!("公開済みの報告（リリース {release}）との差し引きで{k}人未満の集団が分かってしまうため、非表示にしています。"),
                format!("Hidden: subtracted from what release {release} showed, it would describe fewer than {k} people."),
            ),
        }
    }
}

/// The verdicts and how the decision went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// One per candidate, in the candidates' order.
    pub verdicts: Vec<Verdict>,
    pub stats: Stats,
}

/// Figures of one decision (for benchmarks and the docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct people in any set.
    pub people: usize,
    /// People with the same membership in every set form one atom.
    pub atoms: usize,
    /// Atoms of 1..k-1 people.
    pub small_atoms: usize,
    pub distinct_sets: usize,
    /// Dimension of the released row space (this release's shown cells and the history).
    pub rank: usize,
    /// Elimination passes (a pass is repeated when the search finds a new small union).
    pub rounds: usize,
    /// Whether the last search for unions of 1..k-1 people covered every such union.
    pub exhaustive: bool,
    /// Small groups the history alone already gave away (nothing this release can change).
    pub unprotectable: usize,
}

/// Decides one release: a verdict per candidate, in order. `k` below [`MIN_K`] is raised to
/// it. `history`: the tenant's earlier releases, each with the sets it showed.
pub fn decide_release(k: u32, candidates: &[Candidate], history: &[PriorRelease]) -> Vec<Verdict> {
    engine::decide(k, candidates, &[], history, true).verdicts
}

/// [`decide_release`] with the figures of the decision.
pub fn decide_release_detailed(k: u32, candidates: &[Candidate], history: &[PriorRelease]) -> Decision {
    engine::decide(k, candidates, &[], history, true)
}

/// [`decide_release_detailed`] where the caller already knows some candidates must be hidden
/// (`forced[i]`: a figure outside the sets, such as a count of 1..k-1 people with an attribute
/// the reader does not know). Those are suppressed as [`Reason::BelowK`] and their sets are
/// protected: nothing shown may give them back.
pub fn decide_release_forced(k: u32, candidates: &[Candidate], forced: &[bool], history: &[PriorRelease]) -> Decision {
    engine::decide(k, candidates, forced, history, true)
}
