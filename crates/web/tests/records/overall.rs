//! The overall reports of the record-level matrix: a version on a cycle of its own, as a draft
//! (started and written by the company's consultant) or released (approved and released by its
//! supervisor), made through the store.

use super::world::{Company, World};
use anyhow::Result;
use domain::cycle::TargetRule;
use domain::overall_narrative::Narrative;
use store::NewCycle;

impl World {
    /// A version of an overall report on a new cycle of `c`: its id.
    pub async fn overall_report(&self, c: &Company, released: bool) -> Result<i64> {
        let today = chrono::Utc::now().date_naive();
        let name = format!("報告書検証 {}", self.serial());
        let rule = TargetRule { departments: vec!["検証部".into()], ..TargetRule::default() };
        let new = NewCycle { name: &name, starts_on: today, ends_on: today + chrono::Days::new(30), rule: &rule };
        let (cycle, _) = self.store().create_cycle(&c.op, &new).await?;
        let narrative =
            Narrative { trends: "傾向".into(), issues: "課題".into(), solutions: "解決策".into(), development: "育成策".into() };
        let id = self.store().draft_and_release_overall(&c.consultant.ctx, &c.supervisor.ctx, cycle.get(), &narrative, released).await?;
        Ok(id.get())
    }
}
