//! Records of issue 9's management report for the record-level matrix and the HTTP tests: a
//! released overall report of a fresh cycle (drafted by the tenant's consultant, released by its
//! supervisor) and a management report HR drafts on it, released or not.

use super::world::{Company, World};
use anyhow::Result;
use domain::overall_narrative::Narrative;
use store::ManagementReportId;

/// HR's commentary of a released test report.
pub const COMMENTARY: &str = "配置と労働時間の課題に取り組みます。";

impl World {
    /// A released overall report of a new cycle of `c`; returns (cycle id, overall report id).
    pub async fn released_overall(&self, c: &Company) -> Result<(i64, i64)> {
        let cycle = self.probe_cycle(c).await?.get();
        let narrative = Narrative {
            trends: "キャリアの方向性に迷う声が多い。".into(),
            issues: "長時間労働。".into(),
            solutions: "業務配分の見直し。".into(),
            development: "1on1研修。".into(),
        };
        let id = self.store().draft_and_release_overall(&c.consultant.ctx, &c.supervisor.ctx, cycle, &narrative, true).await?;
        Ok((cycle, id.get()))
    }

    /// A management report of `c` on a fresh released overall report: a draft, or released with
    /// HR's commentary.
    pub async fn management_report(&self, c: &Company, released: bool) -> Result<ManagementReportId> {
        let (_, overall) = self.released_overall(c).await?;
        let hr = c.hr.ctx.as_hr()?;
        let id = self.store().create_management_report(&hr, overall).await?;
        if released {
            self.store().save_management_commentary(&hr, id, COMMENTARY).await?;
            self.store().release_management_report(&hr, id).await?;
        }
        Ok(id)
    }
}
