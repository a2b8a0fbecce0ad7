//! Records of issue 10's yearly review for the record-level matrix: a cycle of its own, closed
//! (which opens its review as a draft), and, for a final review, HR's plan saved and finalized.

use super::world::{Company, World};
use anyhow::Result;
use domain::cycle::{CycleStatus, TargetRule};
use store::NewCycle;

/// HR's improvement plan of a finalized test review.
pub const PLAN: &str = "面談後のフォローアップ面談を全員に案内します。";

impl World {
    /// The yearly review of a new closed cycle of `c` (its id is the cycle's): a draft, or final.
    pub async fn yearly_review(&self, c: &Company, finalized: bool) -> Result<i64> {
        let today = chrono::Utc::now().date_naive();
        let name = format!("年次レビュー検証 {}", self.serial());
        let rule = TargetRule { departments: vec!["検証部".into()], ..TargetRule::default() };
        let new = NewCycle { name: &name, starts_on: today, ends_on: today + chrono::Days::new(30), rule: &rule };
        let (cycle, _) = self.store().create_cycle(&c.op, &new).await?;
        self.store().set_cycle_status(&c.op, cycle, CycleStatus::Closed).await?;
        if finalized {
            let hr = c.hr.ctx.as_hr()?;
            self.store().save_review_plan(&hr, cycle, PLAN).await?;
            self.store().finalize_yearly_review(&hr, cycle).await?;
        }
        Ok(cycle.get())
    }
}
