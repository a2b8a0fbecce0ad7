//! The demo's yearly reviews (issue 10), written through the store as the people would: each
//! closed cycle's review is opened (oldest first), consultant1, consultant2, the supervisor and
//! HR write their proposals, and HR saves the improvement plan and finalizes it. The texts are
//! `demo::reviews`.

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

/// Writes the reviews; returns (reviews, proposals).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, usize)> {
    let user = |login: &str| users.get(login).copied().ok_or_else(|| anyhow::anyhow!("the demo account {login} is missing"));
    let op = Ctx::operator(tenant, "demo");
    let mut sessions = Vec::new();
    let mut ctxs: HashMap<&str, Ctx> = HashMap::new();
    for (login, role) in
        [("consultant1", Role::Consultant), ("consultant2", Role::Consultant), ("supervisor", Role::Supervisor), ("hr", Role::Hr)]
    {
        let (ctx, secret) = acting(store, tenant, user(login)?, role).await?;
        ctxs.insert(login, ctx);
        sessions.push(secret);
    }
    let hr = ctxs.get("hr").ok_or_else(|| anyhow::anyhow!("the hr context"))?.as_hr()?;
    let mut cycles = store.cycles(tenant).await?;
    cycles.reverse();
    let (mut reviews, mut proposals) = (0, 0);
    for (position, c) in cycles.iter().filter(|c| c.status == CycleStatus::Closed).enumerate() {
        store.open_yearly_review(&op, c.id).await?;
        for p in demo::reviews::proposals(position) {
            let ctx = ctxs.get(p.login).ok_or_else(|| anyhow::anyhow!("the demo account {} is missing", p.login))?;
            store.add_review_proposal(ctx, c.id, p.text).await?;
            proposals += 1;
        }
        store.save_review_plan(&hr, c.id, demo::reviews::plan(position)).await?;
        store.finalize_yearly_review(&hr, c.id).await?;
        reviews += 1;
    }
    for secret in sessions {
        store.delete_session(&secret).await?;
    }
    Ok((reviews, proposals))
}
