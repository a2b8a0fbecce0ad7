//! The demo's additional and follow-up interviews (R7) and next year's review (R11), written
//! through the store as consultant1 would: items in every state from their reports (due soon,
//! overdue, planned, scheduled, held with their interview held, closed), and a current-cycle
//! interview with an employee whose previous-cycle report consultant1 wrote, so that its page
//! shows 「前回の振り返り」 with that plan. Items whose dates lie in the past (overdue, held,
//! closed) are written with the store's demo seed. The plans are `demo::follow_ups`.

use chrono::{Duration, NaiveDate};
use demo::follow_ups::{plan, DemoState, REVIEW_ITEM};
use domain::cycle::CycleStatus;
use domain::ids::{CycleId, EmployeeId, InterviewId, TenantId, UserId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::ReportStatus;
use domain::{Locale, Role};
use std::collections::HashMap;
use store::{Acting, Consultant, Ctx, FollowUpSlot, NewFollowUp, NewInterview, ReportFilter, SeedFollowUp, Store, StoreError};

/// A free hour of consultant1 on `day` (from 18:00 Japan time, then later hours and days).
fn slots(day: NaiveDate) -> impl Iterator<Item = Slot> {
    (0..12i64).map(move |n| {
        let d = day + Duration::days(n / 3);
        let start = domain::time::jst_ms(d, 18 + (n % 3) as u32, 0);
        Slot { start_ms: start, end_ms: start + 3_600_000 }
    })
}

/// Schedules an interview at the first free slot from `day`; `held` records it as held.
async fn interview(
    store: &Store,
    me: &Acting<Consultant>,
    cycle: Option<CycleId>,
    employee: EmployeeId,
    kind: InterviewKind,
    day: NaiveDate,
    held: bool,
) -> anyhow::Result<InterviewId> {
    for slot in slots(day) {
        let new = NewInterview { cycle, employee, kind, mode: InterviewMode::InPerson, place: "本社 面談室C".into(), slot };
        match store.schedule_interview(me, &new).await {
            Ok(id) => {
                if held {
                    store.set_interview_status(me, id, InterviewStatus::Held, "").await?;
                }
                return Ok(id);
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("no free slot for the demo's follow-up interview")
}

/// Writes the items; returns (items, whether the review interview has a plan to show).
pub async fn seed(store: &Store, tenant: TenantId, users: &HashMap<&str, UserId>) -> anyhow::Result<(usize, bool)> {
    let user = users.get("consultant1").copied().ok_or_else(|| anyhow::anyhow!("the demo account consultant1 is missing"))?;
    let session = store.create_session(tenant, user, Some(Role::Consultant), None).await?;
    let row = store.user(tenant, user).await?;
    let ctx = Ctx::signed_in(&session.proof, &row, Some(Role::Consultant));
    let me = ctx.as_consultant()?;
    let op = Ctx::operator(tenant, "demo");
    let today = store::today_jst();
    let now = store::now_ms();
    let mut cycles = store.cycles(tenant).await?;
    cycles.sort_by_key(|c| c.starts_on);
    let Some(current) = cycles.iter().rev().find(|c| c.status == CycleStatus::Active).cloned() else { return Ok((0, false)) };
    let previous = cycles.iter().rev().find(|c| c.starts_on < current.starts_on).map(|c| c.id);
    let filter = ReportFilter { cycle: None, status: None, mine_only: true, shared_only: false };
    let mut reports = store.list_reports(&ctx, &filter, Locale::Ja).await?;
    // This year's reports first (newest held first), then earlier ones.
    reports.sort_by_key(|r| (r.cycle_id != Some(current.id.get()), std::cmp::Reverse(r.held_on)));
    let mut written = 0;
    for item in plan(reports.len()) {
        let r = &reports[item.report];
        let due_on = today + Duration::days(item.due_in_days);
        match item.state {
            DemoState::Planned | DemoState::DueSoon => {
                let new = NewFollowUp { kind: item.kind, due_on: Some(due_on), what: item.what.into(), schedule: None };
                store.plan_follow_up(&me, r.id, &new).await?;
            }
            DemoState::Scheduled => {
                let new = NewFollowUp { kind: item.kind, due_on: Some(due_on), what: item.what.into(), schedule: None };
                let id = store.plan_follow_up(&me, r.id, &new).await?;
                let mut done = false;
                for slot in slots(today + Duration::days(item.interview_in_days)) {
                    let s = FollowUpSlot { mode: InterviewMode::Online, place: String::new(), slot };
                    match store.schedule_follow_up(&me, id, &s).await {
                        Ok(_) => {
                            done = true;
                            break;
                        }
                        Err(StoreError::Conflict(_)) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
                anyhow::ensure!(done, "no free slot for the demo's scheduled follow-up");
            }
            DemoState::Overdue | DemoState::Closed | DemoState::Held => {
                let (report, held) = if item.state == DemoState::Held {
                    // The interview needs an employee consultant1 may still meet (assigned,
                    // requested or in the pool): the planned report's, else the next one's.
                    let day = today - Duration::days(item.interview_in_days);
                    let mut held = None;
                    for j in (item.report..reports.len()).chain(0..item.report) {
                        let r = &reports[j];
                        let employee = store.interview(&me, r.interview_id).await?.employee;
                        let cycle = r.cycle_id.map(CycleId::new);
                        match interview(store, &me, cycle, employee, item.kind.interview_kind(), day, true).await {
                            Ok(id) => {
                                held = Some((r.id, id));
                                break;
                            }
                            Err(e) if matches!(e.downcast_ref::<StoreError>(), Some(StoreError::Invalid(_))) => continue,
                            Err(e) => return Err(e),
                        }
                    }
                    let Some((report, id)) = held else { continue };
                    (report, Some(id))
                } else {
                    (r.id, None)
                };
                let seed = SeedFollowUp {
                    report,
                    kind: item.kind,
                    due_on,
                    what: item.what.into(),
                    interview: held,
                    closed_reason: item.closed_reason.map(str::to_string),
                    created_at: now - (item.due_in_days.abs() + 30) * 86_400_000,
                };
                store.seed_follow_up(&op, &seed).await?;
            }
        }
        written += 1;
    }
    // Next year's review: an employee whose previous-cycle report consultant1 wrote (an approved
    // one if any) meets consultant1 in the current cycle; one item from that report is open.
    let Some(previous) = previous else { return Ok((written, false)) };
    let mut last_year: Vec<_> = reports.iter().filter(|r| r.cycle_id == Some(previous.get())).collect();
    last_year.sort_by_key(|r| r.status != ReportStatus::Approved);
    let this_year = store.cycle_interviews(&me, Some(current.id)).await?;
    let mut chosen = None;
    // Someone consultant1 already meets this year; else a target of this year they can meet.
    for r in &last_year {
        let employee = store.interview(&me, r.interview_id).await?.employee;
        if this_year.iter().any(|i| i.employee == employee && i.status != InterviewStatus::Cancelled) {
            chosen = Some(*r);
            break;
        }
    }
    if chosen.is_none() {
        for r in &last_year {
            let employee = store.interview(&me, r.interview_id).await?.employee;
            let day = today + Duration::days(7);
            if interview(store, &me, Some(current.id), employee, InterviewKind::Initial, day, false).await.is_ok() {
                chosen = Some(*r);
                break;
            }
        }
    }
    let Some(r) = chosen else { return Ok((written, false)) };
    let new = NewFollowUp {
        kind: domain::follow_up::FollowUpKind::FollowUp,
        due_on: Some(today + Duration::days(14)),
        what: REVIEW_ITEM.into(),
        schedule: None,
    };
    store.plan_follow_up(&me, r.id, &new).await?;
    Ok((written + 1, true))
}
