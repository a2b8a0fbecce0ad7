//! The demo's life/safety escalations (R4), one in every state: overdue, open, acknowledged
//! with a disclosure request waiting for a second responder, and closed after a disclosure two
//! responders approved. Each is raised on a report of the generated history whose life/safety
//! flag is set, the first consultant's first, so that `consultant1` sees the ones they raised.

use domain::ids::UserId;
use store::{SeedEscalation, SeedEscalationDisclosure, SeedEscalations, SeedHistory};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

const SUMMARIES: [&str; 4] = [
    "面談中に強い希死念慮の訴えがありました。本日中に産業医・保健師による面談をお願いします。",
    "長時間労働が続き、睡眠がほとんど取れていないとのことです。健康面の確認をお願いします。",
    "職場での強いストレスにより体調を崩しているとの話がありました。早めの面談をお願いします。",
    "自傷をほのめかす発言がありました。本人は相談の継続を希望しています。",
];

/// The escalations of `history` as of `now`, answered by `responders` (two health staff).
pub fn escalations(history: &SeedHistory, first_consultant: UserId, responders: [UserId; 2], now: i64) -> SeedEscalations {
    let [h1, h2] = responders;
    let mut flagged: Vec<_> =
        history.reports.iter().filter(|r| r.flags.life_safety).filter_map(|r| history.interviews.get(r.interview)).collect();
    // The first consultant's latest first.
    flagged.sort_by_key(|i| (i.consultant != first_consultant, std::cmp::Reverse(i.starts_at)));
    let items = flagged
        .into_iter()
        .take(4)
        .enumerate()
        .map(|(n, i)| {
            let mut e = SeedEscalation {
                employee: i.employee,
                consultant: i.consultant,
                interview_starts_at: i.starts_at,
                opened_at: now,
                summary: SUMMARIES[n].to_string(),
                acknowledged: None,
                closed: None,
                disclosure: None,
            };
            match n {
                // Past the default 24-hour deadline, unacknowledged.
                0 => e.opened_at = now - 30 * HOUR,
                1 => e.opened_at = now - 2 * HOUR,
                2 => {
                    e.opened_at = now - 3 * DAY;
                    e.acknowledged = Some((h1, now - 3 * DAY + 4 * HOUR));
                    e.disclosure = Some(SeedEscalationDisclosure {
                        requested_by: h1,
                        requested_at: now - 2 * DAY,
                        reason: "本人と連絡が取れず、所在の確認のため上長への連絡が必要です。".into(),
                        approved: None,
                    });
                }
                _ => {
                    e.opened_at = now - 20 * DAY;
                    e.acknowledged = Some((h2, now - 20 * DAY + 3 * HOUR));
                    e.disclosure = Some(SeedEscalationDisclosure {
                        requested_by: h2,
                        requested_at: now - 20 * DAY + 5 * HOUR,
                        reason: "生命に危険が及ぶおそれがあり、緊急に主治医と連携する必要があったため。".into(),
                        approved: Some((h1, now - 20 * DAY + 6 * HOUR)),
                    });
                    e.closed = Some((
                        h1,
                        now - 15 * DAY,
                        "産業医面談を実施し、主治医と連携のうえ休養を勧めました。上長には業務量の調整を依頼しました。".into(),
                    ));
                }
            }
            e
        })
        .collect();
    SeedEscalations { responders: responders.to_vec(), items }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::escalation::{due_at, is_overdue, EscalationState, DEFAULT_ACK_HOURS};
    use domain::ids::EmployeeId;

    #[test]
    fn one_escalation_in_every_state_and_one_overdue() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let company = crate::generate_company(1200, 20261125, today);
        let history = crate::history::generate_history(&company, 20261125, today, 3);
        let employees: Vec<EmployeeId> = (1..=company.employees.len() as i64).map(EmployeeId::new).collect();
        let consultants = [UserId::new(1), UserId::new(2), UserId::new(3)];
        let seed = crate::seed::to_seed(history, &employees, &consultants, UserId::new(9));
        let now = 1_796_000_000_000;
        let (h1, h2) = (UserId::new(20), UserId::new(21));
        let plan = escalations(&seed, consultants[0], [h1, h2], now);
        assert_eq!(plan.responders, vec![h1, h2]);
        assert_eq!(plan.items.len(), 4, "the generated history has enough life/safety reports");
        let state = |e: &SeedEscalation| match (e.acknowledged, &e.closed) {
            (_, Some(_)) => EscalationState::Closed,
            (Some(_), None) => EscalationState::Acknowledged,
            _ => EscalationState::Open,
        };
        let states: Vec<_> = plan.items.iter().map(state).collect();
        assert_eq!(states, [EscalationState::Open, EscalationState::Open, EscalationState::Acknowledged, EscalationState::Closed]);
        let overdue: Vec<bool> = plan.items.iter().map(|e| is_overdue(state(e), due_at(e.opened_at, DEFAULT_ACK_HOURS), now)).collect();
        assert_eq!(overdue, [true, false, false, false]);
        assert_eq!(plan.items[0].consultant, consultants[0], "consultant1 raised the first");
        // Every approved disclosure has two different responders.
        for e in &plan.items {
            if let Some(SeedEscalationDisclosure { requested_by, approved: Some((approver, _)), .. }) = &e.disclosure {
                assert_ne!(requested_by, approver);
            }
        }
    }
}
