//! Records of issue 8's important-case part for the record-level matrix: a report flagged
//! 組織的対応が必要 (submitted, so an organizational issue may be raised from it) and an
//! organizational issue raised from one.

use super::world::{Company, Person, World, SECTION_TEXT};
use anyhow::Result;
use domain::ids::ReportId;
use domain::report::{ReportFlags, ReportSections};
use store::OrgIssueId;

impl World {
    /// A report of `consultant` about `employee` with the flag 組織的対応が必要, submitted to the
    /// tenant's supervisor.
    pub async fn flagged_report(&self, c: &Company, consultant: &Person, employee: &str) -> Result<ReportId> {
        let interview = self.held_interview(c, consultant, employee).await?;
        let me = consultant.ctx.as_consultant()?;
        let id = self.store().create_report(&me, interview).await?;
        let mut sections = ReportSections::default();
        for s in domain::report::SECTIONS {
            sections.set(s, SECTION_TEXT.to_string());
        }
        let flags = ReportFlags { life_safety: false, organizational_response: true };
        self.store().save_report(&me, id, &sections, &[], flags, 1).await?;
        self.store().submit_report(&me, id, Some(c.supervisor.id)).await?;
        Ok(id)
    }

    /// An organizational issue raised by `consultant` from a fresh flagged report.
    pub async fn org_issue(&self, c: &Company, consultant: &Person, employee: &str) -> Result<OrgIssueId> {
        let report = self.flagged_report(c, consultant, employee).await?;
        let raised = self
            .store()
            .raise_org_issue(&consultant.ctx.as_consultant()?, report, "長時間労働の常態化", "深夜までの残業が続いている。")
            .await?;
        Ok(raised.id)
    }
}

impl World {
    /// An important case: `consultant`'s approved report about `employee`, its summary written for
    /// HR and the employee's consent recorded on their behalf, so HR reads it.
    pub async fn important_case(&self, c: &Company, consultant: &Person, employee: &str) -> Result<domain::ids::DisclosureId> {
        let report = self.report(c, consultant, employee, &c.supervisor, domain::report::ReportStatus::Approved).await?;
        let me = consultant.ctx.as_consultant()?;
        let id = self.store().raise_important_case(&me, report, "配置の検討をお願いしたい。").await?;
        let grant = store::ConsentInput {
            decision: domain::consent::ConsentDecision::Grant,
            version: 1,
            comment: String::new(),
            expires_at_ms: None,
        };
        self.store().record_consent_on_behalf(&me, id, &grant, domain::consent::ConsentMethod::Written, "書面で同意を確認").await?;
        Ok(id)
    }
}
