//! The demo's improvement actions and policy documents (R10), written through the store as HR
//! would: two findings of a released overall report taken up as issues (from the latest release
//! of a cycle that has a later release, so the next cycle's figure shows beside the action), the
//! actions of `demo::actions` on those and on the register's issues, moved through their
//! statuses with dated progress notes, evidence and evaluations, and the policy documents'
//! versions published oldest first.

use chrono::Duration;
use demo::actions::{DemoIssueRef, DemoOwner, FINDINGS};
use domain::ids::{TenantId, UserId};
use domain::overall_report::Dimension;
use domain::Role;
use std::collections::HashMap;
use store::{ActionInput, Ctx, Direction, OrgIssueQuery, OrgIssueSort, PageRequest, Store};

async fn acting(store: &Store, tenant: TenantId, user: UserId, role: Role) -> anyhow::Result<(Ctx, String)> {
    let session = store.create_session(tenant, user, Some(role), None).await?;
    let row = store.user(tenant, user).await?;
    Ok((Ctx::signed_in(&session.proof, &row, Some(role)), session.secret))
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Writes the actions and documents; returns (actions, findings taken up, document versions).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let (ctx, secret) = acting(store, tenant, user("hr")?, Role::Hr).await?;
    let hr = ctx.as_hr()?;
    let today = store::today_jst();
    let q = OrgIssueQuery { status: None, sort: OrgIssueSort::Created, dir: Direction::Asc };
    let register: Vec<_> = store.org_issue_page(&ctx, &q, PageRequest::new(100, 0)).await?.items.iter().map(|r| r.id).collect();
    // The latest release of the newest cycle that has a later cycle's release.
    let releases = store.released_for_findings(&ctx).await?;
    let source = releases.first().and_then(|(_, newest, _)| releases.iter().find(|(_, c, _)| c.id != newest.id)).map(|(id, _, _)| *id);
    let mut findings = Vec::new();
    if let Some(report) = source {
        let choices = store.finding_choices(&ctx, report, &[Dimension::Department]).await?;
        let cells: Vec<_> = choices.cells.iter().filter(|c| c.measure.starts_with("flag:") || c.measure.starts_with("tag:")).collect();
        for f in FINDINGS {
            let Some(cell) = cells.get(f.cell).or_else(|| cells.first()) else { break };
            findings.push(store.raise_issue_from_finding(&hr, report, &cell.measure, &cell.group, f.title, f.body).await?);
        }
    }
    let mut actions = 0;
    for a in demo::actions::actions() {
        let issue = match a.issue {
            DemoIssueRef::Register(i) => register.get(i),
            DemoIssueRef::Finding(i) => findings.get(i),
        };
        let Some(issue) = issue.copied() else { continue };
        let (owner_user, owner_text) = match a.owner {
            DemoOwner::Account(login) => (Some(user(login)?), String::new()),
            DemoOwner::Text(t) => (None, t.to_string()),
        };
        let input = ActionInput { title: a.title.to_string(), owner_user, owner_text, due_on: day(today + Duration::days(a.due_in_days)) };
        let id = store.create_action(&hr, issue, &input).await?;
        let path = demo::actions::path_to(a.status);
        // The dated notes, then the moves (written today), the evidence and the evaluation.
        for (ago, text) in a.notes {
            store.add_action_note(&hr, id, text, &day(today - Duration::days(*ago))).await?;
        }
        for s in path {
            store.set_action_status(&hr, id, s, "").await?;
        }
        if !a.evidence.is_empty() {
            store.set_action_evidence(&hr, id, a.evidence).await?;
        }
        if let Some((e, comment)) = a.evaluation {
            store.evaluate_action(&hr, id, e.as_str(), comment).await?;
        }
        actions += 1;
    }
    let mut versions = 0;
    for doc in demo::actions::policy_documents() {
        let mut id = None;
        for v in doc {
            let on = day(today - Duration::days(v.approved_days_ago));
            let (d, _) = store.publish_policy_document(&hr, id, v.title, v.body, &on, v.approved_by).await?;
            id = Some(d);
            versions += 1;
        }
    }
    store.delete_session(&secret).await?;
    Ok((actions, findings.len(), versions))
}
