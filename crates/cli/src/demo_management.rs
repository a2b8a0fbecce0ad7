//! The demo's management reports (issue 9), written through the store as HR would: for every
//! closed cycle with a released overall report, a released management report with HR's
//! commentary; a draft for the current cycle, or, while its overall report is not released yet,
//! a draft revision of the latest released report. Before the latest closed cycle's report is
//! released, consultant1 raises one more important case, the employee consents, HR marks it for
//! the report and records a solution; after the release the employee withdraws, so the released
//! report shows that one case is no longer shown. The texts are `demo::management`.

use demo::management::{released_commentary, DRAFT_COMMENTARY, WITHDRAWN_CASE_SOLUTION, WITHDRAWN_CASE_SUMMARY};
use domain::consent::{ConsentDecision, ConsentMethod};
use domain::ids::{TenantId, UserId};
use domain::important_case::check_case_response;
use domain::report::ReportStatus;
use domain::{Locale, Role};
use std::collections::HashMap;
use store::{ConsentInput, Ctx, ReportFilter, Store};

/// A context of a demo account acting in `role`, made from a session as a sign-in would.
async fn acting(store: &Store, tenant: TenantId, user: UserId, role: Role) -> anyhow::Result<(Ctx, String)> {
    let session = store.create_session(tenant, user, Some(role), None).await?;
    let row = store.user(tenant, user).await?;
    Ok((Ctx::signed_in(&session.proof, &row, Some(role)), session.secret))
}

fn decision(decision: ConsentDecision) -> ConsentInput {
    ConsentInput { decision, version: 1, comment: String::new(), expires_at_ms: None }
}

/// Writes the reports; returns (released, drafts).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let (hr_ctx, h_secret) = acting(store, tenant, user("hr")?, Role::Hr).await?;
    let (consultant, c_secret) = acting(store, tenant, user("consultant1")?, Role::Consultant).await?;
    let hr = hr_ctx.as_hr()?;
    let mut sources: Vec<_> = store.management_report_sources(&hr).await?.into_iter().filter(|s| s.latest).collect();
    sources.reverse();
    let last_closed = sources.iter().rev().find(|s| s.cycle_closed).map(|s| s.id);
    let (mut released, mut drafts) = (0, 0);
    for s in &sources {
        let id = store.create_management_report(&hr, s.id).await?;
        if !s.cycle_closed {
            store.save_management_commentary(&hr, id, DRAFT_COMMENTARY).await?;
            drafts += 1;
            continue;
        }
        store.save_management_commentary(&hr, id, &released_commentary(&s.cycle.name)).await?;
        let story = if Some(s.id) == last_closed { withdrawn_case(store, &consultant, &hr_ctx).await? } else { None };
        store.release_management_report(&hr, id).await?;
        if let Some(case) = story {
            store
                .record_consent_on_behalf(
                    &consultant.as_consultant()?,
                    case,
                    &decision(ConsentDecision::Withdraw),
                    ConsentMethod::Verbal,
                    "電話で撤回の意思を確認（デモ）",
                )
                .await?;
        }
        released += 1;
    }
    // No release of the current cycle yet: HR revises the latest released report (a new draft
    // version of its cycle).
    if drafts == 0 {
        if let Some(s) = sources.last() {
            let id = store.create_management_report(&hr, s.id).await?;
            store.save_management_commentary(&hr, id, DRAFT_COMMENTARY).await?;
            drafts += 1;
        }
    }
    for secret in [h_secret, c_secret] {
        store.delete_session(&secret).await?;
    }
    Ok((released, drafts))
}

/// The case of the withdrawal story, granted and marked for the report (`None` when consultant1
/// has no approved report).
async fn withdrawn_case(store: &Store, consultant: &Ctx, hr: &Ctx) -> anyhow::Result<Option<domain::ids::DisclosureId>> {
    let filter = ReportFilter { cycle: None, status: None, mine_only: true, shared_only: false };
    let mine = store.list_reports(consultant, &filter, Locale::Ja).await?;
    let Some(report) = mine.iter().rev().find(|r| r.status == ReportStatus::Approved).map(|r| r.id) else { return Ok(None) };
    let me = consultant.as_consultant()?;
    let id = store.raise_important_case(&me, report, WITHDRAWN_CASE_SUMMARY).await?;
    store
        .record_consent_on_behalf(&me, id, &decision(ConsentDecision::Grant), ConsentMethod::Written, "面談時に書面で同意を確認（デモ）")
        .await?;
    let response = check_case_response("monitoring", "人事部 人事課", WITHDRAWN_CASE_SOLUTION, true)
        .map_err(|p| anyhow::anyhow!("demo case response: {p:?}"))?;
    store.record_case_response(&hr.as_hr()?, id, &response).await?;
    Ok(Some(id))
}
