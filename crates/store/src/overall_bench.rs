//! `careerdock bench overall`: the population and every table of a cycle's overall report, made
//! exactly as a release makes them before the anonymity engine decides (the builder of
//! `overall_reports.rs`), timed. For the operator's benchmark only: no report is opened (the
//! breakdown reads the register, the reports' plain columns and their keyed tag marks), but the
//! member sets it returns are the population itself, so the caller must not keep or show them.

use crate::{Ctx, Result, Store, StoreError};
use domain::breakdown::Breakdown;
use std::time::{Duration, Instant};

impl Store {
    /// Every table of the cycle's population at `as_of`, before any decision, and the time it
    /// took (the SQL of the population, tags and flags, the department tree, and the tables).
    /// Only an operator's context is served.
    pub async fn bench_overall_breakdown(&self, op: &Ctx, cycle: i64, as_of: i64) -> Result<(Breakdown, Duration)> {
        if !op.is_operator() {
            return Err(StoreError::NotFound);
        }
        let started = Instant::now();
        let b = self.overall_breakdown(op.tenant, cycle, as_of).await?;
        Ok((b, started.elapsed()))
    }
}
