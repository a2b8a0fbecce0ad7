//! The demo's life/safety escalations (R4), one in every state: overdue, open, acknowledged
//! with a disclosure request waiting for a second responder, and closed after a disclosure two
//! responders approved. Each is raised on a report of the generated history whose life/safety
//! flag is set, the first consultant's first, so that `consultant1` sees the ones they raised.

use domain::ids::UserId;
use store::{SeedDisclosure, SeedEscalation, SeedEscalations, SeedHistory};

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
                    e.disclosure = Some(SeedDisclosure {
                        requested_by: h1,
                        requested_at: now - 2 * DAY,
                        reason: "本人と連絡が取れず、所在の確認のため上長への連絡が必要です。".into(),
                        approved: None,
                    });
                }
                _ => {
                    e.opened_at = now - 20 * DAY;
                    e.acknowledged = Some((h2, now - 20 * DAY + 3 * HOUR));
                    e.disclosure = Some(SeedDisclosure {
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
