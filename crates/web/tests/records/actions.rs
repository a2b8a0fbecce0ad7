//! Records of issue 10's improvement actions for the record-level matrix: an action HR added to
//! an organizational issue, and a policy document HR published.

use super::world::{Company, Person, World};
use anyhow::Result;
use store::{ActionId, ActionInput, PolicyDocumentId};

impl World {
    /// An improvement action added by the tenant's HR to an issue raised by `consultant`.
    pub async fn action(&self, c: &Company, consultant: &Person, employee: &str) -> Result<ActionId> {
        let issue = self.org_issue(c, consultant, employee).await?;
        let input =
            ActionInput {
                title: "管理職向け1on1研修".into(), owner_user: None, owner_text: "人事部".into(), due_on: "2026-06-30".into()
            };
        Ok(self.store().create_action(&c.hr.ctx.as_hr()?, issue, &input).await?)
    }

    /// A policy document published by the tenant's HR.
    pub async fn policy_document(&self, c: &Company) -> Result<PolicyDocumentId> {
        let (id, _) = self
            .store()
            .publish_policy_document(
                &c.hr.ctx.as_hr()?,
                None,
                "人材育成方針",
                "# 目的\n社員の自律的なキャリア形成を支援する。",
                "2026-04-01",
                "取締役会",
            )
            .await?;
        Ok(id)
    }
}
