//! The demo's important cases, organizational issues and personnel-authority marks (issue 8),
//! written through the store as the people would: consultant1 raises them from the approved
//! reports they wrote, the consent is recorded on the employee's behalf (in writing), HR answers,
//! the administrator marks `executive`. The texts are `demo::cases`.

use demo::cases::{DemoConsent, CASES, ISSUES, PERSONNEL_AUTHORITY_LOGINS};
use domain::consent::{ConsentDecision, ConsentMethod};
use domain::ids::{TenantId, UserId};
use domain::important_case::check_case_response;
use domain::report::ReportStatus;
use domain::{Locale, Role};
use std::collections::HashMap;
use store::{ConsentInput, Ctx, ReportFilter, Store};

/// A context of a demo account acting in `role`, made from a session as a sign-in would (the
/// session is ended afterwards).
async fn acting(store: &Store, tenant: TenantId, user: UserId, role: Role) -> anyhow::Result<(Ctx, String)> {
    let session = store.create_session(tenant, user, Some(role), None).await?;
    let row = store.user(tenant, user).await?;
    Ok((Ctx::signed_in(&session.proof, &row, Some(role)), session.secret))
}

/// Writes the cases and issues; returns (important cases, organizational issues).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let (consultant, c_secret) = acting(store, tenant, user("consultant1")?, Role::Consultant).await?;
    let (hr, h_secret) = acting(store, tenant, user("hr")?, Role::Hr).await?;
    let (admin, a_secret) = acting(store, tenant, user("admin")?, Role::Admin).await?;
    let me = consultant.as_consultant()?;
    let filter = ReportFilter { cycle: None, status: None, mine_only: true, shared_only: false };
    let mine = store.list_reports(&consultant, &filter, Locale::Ja).await?;
    let mut approved = mine.iter().filter(|r| r.status == ReportStatus::Approved).map(|r| r.id);
    let mut flagged = mine.iter().filter(|r| r.status != ReportStatus::Draft && r.flags.organizational_response).map(|r| r.id);
    let (mut cases, mut issues) = (0, 0);
    for c in CASES {
        let Some(report) = approved.next() else { break };
        let id = store.raise_important_case(&me, report, c.summary).await?;
        let decide = |decision| ConsentInput { decision, version: 1, comment: String::new(), expires_at_ms: None };
        if c.consent != DemoConsent::Pending {
            store
                .record_consent_on_behalf(
                    &me,
                    id,
                    &decide(ConsentDecision::Grant),
                    ConsentMethod::Written,
                    "面談時に書面で同意を確認（デモ）",
                )
                .await?;
        }
        if c.consent == DemoConsent::Withdrawn {
            store
                .record_consent_on_behalf(
                    &me,
                    id,
                    &decide(ConsentDecision::Withdraw),
                    ConsentMethod::Verbal,
                    "電話で撤回の意思を確認（デモ）",
                )
                .await?;
        }
        if let Some(r) = c.response {
            let input = check_case_response(r.status.as_str(), r.owner, r.solution, r.in_management_report)
                .map_err(|p| anyhow::anyhow!("demo case response: {p:?}"))?;
            store.record_case_response(&hr.as_hr()?, id, &input).await?;
        }
        cases += 1;
    }
    for i in ISSUES {
        let Some(report) = flagged.next() else { break };
        let raised = store.raise_org_issue(&me, report, i.title, i.body).await?;
        store.set_org_issue_status(&hr.as_hr()?, raised.id, i.status).await?;
        issues += 1;
    }
    for login in PERSONNEL_AUTHORITY_LOGINS {
        store.set_personnel_authority(&admin.as_admin()?, user(login)?, true).await?;
    }
    for secret in [c_secret, h_secret, a_secret] {
        store.delete_session(&secret).await?;
    }
    Ok((cases, issues))
}
