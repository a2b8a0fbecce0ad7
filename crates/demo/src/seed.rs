//! The generated history in the store's terms: what `careerdock demo` seeds, and what tests that
//! build a demo-like company seed the same way.

use crate::history;
use domain::ids::{EmployeeId, UserId};
use store::{CycleStatus, SeedCycle, SeedHistory, SeedInterview, SeedReport, SeedRequest, SeedReview, SeedTarget};

/// The generated history in database ids: `employees[i]` is the id of the company's i-th employee,
/// `consultants[i]` the account of the i-th consultant the history names.
pub fn to_seed(h: history::History, employees: &[EmployeeId], consultants: &[UserId], supervisor: UserId) -> SeedHistory {
    let cycles = h
        .cycles
        .into_iter()
        .map(|c| SeedCycle {
            name: c.name,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            status: match c.state {
                history::CycleState::Active => CycleStatus::Active,
                history::CycleState::Closed => CycleStatus::Closed,
            },
            rule: c.rule,
            created_at: c.created_at,
            targets: c
                .targets
                .into_iter()
                .map(|t| SeedTarget { employee: employees[t.employee], consultant: Some(consultants[t.consultant]), reason: t.reason })
                .collect(),
        })
        .collect();
    let interviews = h
        .interviews
        .into_iter()
        .map(|i| SeedInterview {
            cycle: i.cycle,
            employee: employees[i.employee],
            consultant: consultants[i.consultant],
            kind: i.kind,
            mode: i.mode,
            place: i.place,
            starts_at: i.starts_at,
            ends_at: i.ends_at,
            status: i.status,
            status_note: i.status_note,
            note: i.note,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
        .collect();
    let reports = h
        .reports
        .into_iter()
        .map(|r| SeedReport {
            interview: r.interview,
            status: r.status,
            sections: r.sections,
            tags: r.tags.iter().map(|t| t.to_string()).collect(),
            flags: r.flags,
            round: r.round,
            version: r.version,
            supervisor: r.supervisor_assigned.then_some(supervisor),
            created_at: r.created_at,
            updated_at: r.updated_at,
            submitted_at: r.submitted_at,
            approved_at: r.approved_at,
            reviews: r
                .reviews
                .into_iter()
                .map(|v| SeedReview {
                    reviewer: supervisor,
                    round: v.round,
                    decision: v.decision,
                    scores: v.scores.into_iter().map(|(c, s)| (c.to_string(), s)).collect(),
                    comments: v.comments.into_iter().map(|(s, t)| (s.to_string(), t)).collect(),
                    at: v.at,
                })
                .collect(),
        })
        .collect();
    let requests = h
        .requests
        .into_iter()
        .map(|r| SeedRequest {
            employee: employees[r.employee],
            consultant: r.consultant.map(|c| consultants[c]),
            preferred: r.preferred,
            message: r.message,
            status: r.status,
            reply: r.reply,
            interview: r.interview,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect();
    SeedHistory { cycles, interviews, reports, requests }
}
