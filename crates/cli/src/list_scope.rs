//! The report lists' SQL prefilter (`store::report_pages`) compared with the policy on the demo
//! world: for every demo login in every role it holds, the reports the prefilter selects are
//! exactly those `policy::decide` lets it read.

#[cfg(test)]
mod tests {
    use crate::demo::{populate, DemoArgs, DEMO_TENANT};
    use base64::Engine;
    use domain::policy::{decide, Actor, Operation, Target};
    use rand::RngCore;
    use std::collections::BTreeSet;
    use store::{Ctx, KeySource, OpenOptions, ReportFilter, Store};
    use testkit::{fresh_db, Backend};

    async fn prefilter_is_the_policy_on_the_demo_world(backend: Backend) -> anyhow::Result<()> {
        let db = fresh_db(backend)?;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let keys = KeySource::Inline(base64::engine::general_purpose::STANDARD.encode(key));
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys }).await?;
        let args = DemoArgs { employees: 300, seed: 20261125, no_serve: true, listen: String::new(), mail: Default::default() };
        populate(&store, &args).await?;
        let tenant = store.tenant_by_slug(DEMO_TENANT).await?;
        let mut compared = 0;
        let mut seen = 0;
        for account in store.accounts(tenant.id).await? {
            for role in account.roles.iter().copied() {
                let ctx = Ctx::for_tests(tenant.id, account.id, &account.login, Some(role));
                let by_sql: BTreeSet<i64> = store.report_ids_by_prefilter(&ctx).await?.iter().map(|id| id.get()).collect();
                let by_policy: BTreeSet<i64> =
                    store.list_reports(&ctx, &ReportFilter::default(), domain::Locale::Ja).await?.iter().map(|r| r.id.get()).collect();
                anyhow::ensure!(by_sql == by_policy, "{} as {role}: prefilter {by_sql:?}, policy {by_policy:?}", account.login);
                let actor = Actor::new(account.id, tenant.id, role);
                anyhow::ensure!(
                    by_sql.is_empty() || decide(&actor, Operation::ReadReports, Target::Route).is_allow(),
                    "{role} reads reports"
                );
                compared += 1;
                seen += by_sql.len();
            }
        }
        anyhow::ensure!(compared >= 10 && seen > 0, "the demo world was compared ({compared} actors, {seen} reports)");
        store.close().await;
        Ok(())
    }

    testkit::on_both_backends!(prefilter_is_the_policy_on_the_demo_world);
}
