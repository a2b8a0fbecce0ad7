//! The follow-up items of the record matrix: one planned by a consultant from their own draft
//! report on the employee (R7).

use super::world::{Company, Person, World};
use anyhow::Result;
use domain::follow_up::FollowUpKind;
use domain::ids::FollowUpId;
use domain::report::ReportStatus;

impl World {
    /// A planned item, due in a month, from a fresh report of `consultant` on `employee`.
    pub async fn follow_up(&self, c: &Company, consultant: &Person, employee: &str) -> Result<FollowUpId> {
        let report = self.report(c, consultant, employee, &c.supervisor, ReportStatus::Draft).await?;
        let new = store::NewFollowUp {
            kind: FollowUpKind::FollowUp,
            due_on: Some(store::today_jst() + chrono::Duration::days(30)),
            what: format!("三か月後の状況確認 {}", self.serial()),
            schedule: None,
        };
        Ok(self.store().plan_follow_up(&consultant.ctx.as_consultant()?, report, &new).await?)
    }
}
