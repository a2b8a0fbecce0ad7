//! The disclosure lists paged in SQL (issue 8) against the ledger's rule in Rust, on SQLite and
//! PostgreSQL: for disclosures in every state (pending, granted, refused, withdrawn, changes
//! requested, expired, a grant on an older text), the consultant's page filtered by each state
//! holds exactly the rows whose derived state it is, counted alike and paged without gaps or
//! repeats; HR's case page holds exactly the cases released now, filtered by HR's record.

use super::consent::{approved_report as approved_report_for_pages, decision as decision_for_pages, env as env_for_pages};
use anyhow::{ensure, Result};
use careerdock_store::{CaseQuery, CaseSort, Direction, DisclosureQuery, NewDisclosure, PageRequest};
use domain::consent::{ConsentDecision, ConsentMethod, DisclosureState, Purpose};
use domain::ids::DisclosureId;
use domain::important_case::{CaseResponse, CaseStatus};
use testkit::{on_both_backends, Backend};

on_both_backends!(the_sql_pages_hold_exactly_what_the_ledger_says);

async fn the_sql_pages_hold_exactly_what_the_ledger_says(backend: Backend) -> Result<()> {
    let e = env_for_pages(backend).await?;
    let report = approved_report_for_pages(&e).await?;
    let c1 = e.c1.as_consultant()?;
    let me = e.employee.as_employee()?;
    use ConsentDecision as D;
    // (purpose, the employee's decisions in order, a new text after them)
    let plans: &[(Purpose, &[D], bool)] = &[
        (Purpose::BossFeedback, &[], false),
        (Purpose::BossFeedback, &[D::Grant], false),
        (Purpose::BossFeedback, &[D::Refuse], false),
        (Purpose::BossFeedback, &[D::Grant, D::Withdraw], false),
        (Purpose::BossFeedback, &[D::RequestChanges], false),
        (Purpose::BossFeedback, &[D::Grant], true),
        (Purpose::BossFeedback, &[D::Refuse, D::Grant], false),
        (Purpose::ImportantCase, &[D::Grant], false),
        (Purpose::ImportantCase, &[D::Grant], false),
        (Purpose::ImportantCase, &[D::Grant, D::Withdraw], false),
        (Purpose::ImportantCase, &[], false),
        (Purpose::ImportantCase, &[D::Grant], true),
    ];
    let mut ids: Vec<DisclosureId> = Vec::new();
    for (n, (purpose, decisions, revise)) in plans.iter().enumerate() {
        let text = format!("共有する文章 その{n}。");
        let id = e.store.create_disclosure(&c1, &NewDisclosure { report, purpose: *purpose, recipient_user: None, text: &text }).await?;
        for d in decisions.iter() {
            match d {
                D::Withdraw => {
                    e.store.withdraw_consent(&me, id).await?;
                }
                D::RequestChanges => {
                    let ask = careerdock_store::ConsentInput { comment: "直してください。".into(), ..decision_for_pages(*d, 1) };
                    e.store.decide_disclosure(&me, id, &ask).await?;
                }
                _ => {
                    e.store.decide_disclosure(&me, id, &decision_for_pages(*d, 1)).await?;
                }
            }
        }
        if *revise {
            e.store.revise_disclosure(&c1, id, &format!("{text}（改訂）"), 1).await?;
        }
        ids.push(id);
    }
    // One grant that runs out: recorded on paper, until a moment just ahead.
    let soon = chrono::Utc::now().timestamp_millis() + 800;
    let expiring = e
        .store
        .create_disclosure(&c1, &NewDisclosure { report, purpose: Purpose::BossFeedback, recipient_user: None, text: "期限つき。" })
        .await?;
    let paper = careerdock_store::ConsentInput { expires_at_ms: Some(soon), ..decision_for_pages(D::Grant, 1) };
    e.store.record_consent_on_behalf(&c1, expiring, &paper, ConsentMethod::Written, "書面で確認").await?;
    ids.push(expiring);
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;

    // The rule in Rust: every disclosure with its derived state.
    let all = e.store.authored_disclosures(&c1, &DisclosureQuery::default()).await?;
    ensure!(all.len() == ids.len(), "{} of {}", all.len(), ids.len());
    for s in DisclosureState::ALL {
        let mut want: Vec<i64> = all.iter().filter(|r| r.state == s).map(|r| r.id.get()).collect();
        want.sort_unstable();
        let q = DisclosureQuery { state: Some(s), ..Default::default() };
        let page = e.store.authored_disclosure_page(&c1, &q, PageRequest::first(100)).await?;
        let mut got: Vec<i64> = page.items.iter().map(|r| r.id.get()).collect();
        got.sort_unstable();
        ensure!(got == want && page.total == want.len() as i64, "{s:?}: SQL {got:?} ({}) / rule {want:?}", page.total);
        ensure!(page.items.iter().all(|r| r.state == s), "{s:?}");
    }
    ensure!(all.iter().any(|r| r.state == DisclosureState::Expired), "an expired one is among them");
    // Paged by three: every row once, in the list's order, the same count on each page.
    let mut seen = Vec::new();
    for n in 0..5 {
        let page = e.store.authored_disclosure_page(&c1, &DisclosureQuery::default(), PageRequest::new(3, n * 3)).await?;
        ensure!(page.total == all.len() as i64, "total on page {n}");
        seen.extend(page.items.iter().map(|r| r.id.get()));
    }
    ensure!(seen == all.iter().map(|r| r.id.get()).collect::<Vec<_>>(), "pages: {seen:?}");
    let q = DisclosureQuery { search: Some("ヤマダ".into()), ..Default::default() };
    ensure!(e.store.authored_disclosure_page(&c1, &q, PageRequest::first(50)).await?.total == all.len() as i64, "by reading");
    let q = DisclosureQuery { search: Some("E003".into()), ..Default::default() };
    ensure!(e.store.authored_disclosure_page(&c1, &q, PageRequest::first(50)).await?.total == 0, "another number");
    ensure!(
        e.store.authored_disclosure_page(&e.c2.as_consultant()?, &DisclosureQuery::default(), PageRequest::first(50)).await?.total == 0
    );

    // HR: exactly the cases released now (two granted on their current text), filtered by record.
    let released = e.store.important_cases(&e.hr).await?;
    let mut want: Vec<i64> = released.iter().map(|r| r.released.row.id.get()).collect();
    want.sort_unstable();
    ensure!(want == vec![ids[7].get(), ids[8].get()], "{want:?}");
    let page = e.store.important_case_page(&e.hr, &CaseQuery::default(), PageRequest::first(50)).await?;
    let mut got: Vec<i64> = page.items.iter().map(|r| r.released.row.id.get()).collect();
    got.sort_unstable();
    ensure!(got == want && page.total == 2, "{got:?}");
    let response = CaseResponse {
        status: CaseStatus::Resolved,
        owner: "人事部".into(),
        solution: "配置を見直した。".into(),
        in_management_report: true,
    };
    e.store.record_case_response(&e.hr.as_hr()?, ids[8], &response).await?;
    let open = CaseQuery { status: Some(CaseStatus::Open), ..Default::default() };
    let page = e.store.important_case_page(&e.hr, &open, PageRequest::first(50)).await?;
    ensure!(page.total == 1 && page.items[0].released.row.id == ids[7], "open: {:?}", page.items.len());
    let marked = CaseQuery { in_management_report: Some(true), ..Default::default() };
    let page = e.store.important_case_page(&e.hr, &marked, PageRequest::first(50)).await?;
    ensure!(page.total == 1 && page.items[0].record.status == CaseStatus::Resolved && page.items[0].record.owner == "人事部");
    let by_status = CaseQuery { sort: CaseSort::Status, dir: Direction::Desc, ..Default::default() };
    let page = e.store.important_case_page(&e.hr, &by_status, PageRequest::first(50)).await?;
    ensure!(page.items.first().map(|r| r.released.row.id) == Some(ids[8]), "resolved first when descending");
    for who in [&e.c1, &e.boss, &e.hr.clone().with_personnel_authority_for_tests(true)] {
        ensure!(e.store.important_case_page(who, &CaseQuery::default(), PageRequest::first(50)).await?.total == 0, "{}", who.label());
    }
    e.store.close().await;
    Ok(())
}
