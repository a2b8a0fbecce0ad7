//! Records of issue 9's management report for the record-level matrix and the HTTP tests: a
//! management report HR drafts on a released overall report of a fresh cycle (`overall.rs`),
//! released with HR's commentary or left a draft.

use super::world::{Company, World};
use anyhow::Result;
use store::ManagementReportId;

/// HR's commentary of a released test report.
pub const COMMENTARY: &str = "配置と労働時間の課題に取り組みます。";

impl World {
    /// A management report of `c` on a fresh released overall report: a draft, or released with
    /// HR's commentary.
    pub async fn management_report(&self, c: &Company, released: bool) -> Result<ManagementReportId> {
        let overall = self.overall_report(c, true).await?;
        let hr = c.hr.ctx.as_hr()?;
        let id = self.store().create_management_report(&hr, overall).await?;
        if released {
            self.store().save_management_commentary(&hr, id, COMMENTARY).await?;
            self.store().release_management_report(&hr, id).await?;
        }
        Ok(id)
    }
}
