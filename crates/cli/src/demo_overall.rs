//! The demo's overall reports (issue 9), written through the store as the people would:
//! consultant1 drafts each closed cycle's report and writes its narrative, the supervisor
//! approves and releases it (oldest cycle first, so each release is checked against the earlier
//! ones); the current cycle keeps a draft. The texts are `demo::overall`. The history's
//! approved reports are indexed for the text themes first, so that the releases carry themes.

use domain::cycle::CycleStatus;
use domain::ids::{TenantId, UserId};
use domain::Role;
use std::collections::HashMap;
use store::{Ctx, Store};

async fn acting(store: &Store, tenant: TenantId, user: UserId, role: Role) -> anyhow::Result<(Ctx, String)> {
    let session = store.create_session(tenant, user, Some(role), None).await?;
    let row = store.user(tenant, user).await?;
    Ok((Ctx::signed_in(&session.proof, &row, Some(role)), session.secret))
}

/// Writes the reports; returns (released versions, hidden cells over them, drafts).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let (consultant, c_secret) = acting(store, tenant, user("consultant1")?, Role::Consultant).await?;
    let (supervisor, s_secret) = acting(store, tenant, user("supervisor")?, Role::Supervisor).await?;
    // The history's approved reports were written in bulk: index their terms now, so that the
    // releases below carry the themes (without the dictionary they carry none, and the index
    // is made when a server first runs its jobs).
    match store.index_report_terms(tenant).await {
        Ok(done) => eprintln!("careerdock: text themes: {} approved reports indexed ({} terms)", done.reports, done.terms),
        Err(e) => eprintln!("careerdock: warning: the overall reports carry no themes: {e}"),
    }
    let mut cycles = store.cycles(tenant).await?;
    cycles.reverse();
    let (mut released, mut hidden, mut drafts) = (0, 0, 0);
    let mut position = 0;
    for c in &cycles {
        match c.status {
            CycleStatus::Closed => {
                let narrative = demo::overall::released_narrative(position);
                position += 1;
                let id = store.draft_and_release_overall(&consultant, &supervisor, c.id.get(), &narrative, true).await?;
                let d = store.overall_report(&supervisor, id).await?;
                hidden += d.report.tables.iter().flat_map(|t| t.cells.iter()).filter(|c| c.suppressed).count();
                released += 1;
            }
            CycleStatus::Active => {
                store.draft_and_release_overall(&consultant, &supervisor, c.id.get(), &demo::overall::draft_narrative(), false).await?;
                drafts += 1;
            }
            CycleStatus::Planning => {}
        }
    }
    for secret in [c_secret, s_secret] {
        store.delete_session(&secret).await?;
    }
    Ok((released, hidden, drafts))
}
