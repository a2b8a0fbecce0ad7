//! The demo's additional and follow-up interviews (R7, R11): what consultant1 plans from their
//! reports, in every state (due later, due soon, overdue, scheduled, held, closed), and which
//! earlier report the current year's interview reviews. Pure: the writer
//! (`careerdock demo`, `crates/cli/src/demo_follow_ups.rs`) turns each plan into store calls.

use domain::follow_up::FollowUpKind;

/// The state an item is left in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoState {
    /// Planned, due in a few weeks, no interview yet.
    Planned,
    /// Due within the reminder window.
    DueSoon,
    /// Past its due date, still open.
    Overdue,
    /// An interview is scheduled for it (in the coming weeks).
    Scheduled,
    /// Its interview was held (in the past).
    Held,
    /// Closed without an interview, with a reason.
    Closed,
}

/// One item to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoFollowUp {
    /// Index into the candidate reports given to [`plan`].
    pub report: usize,
    pub kind: FollowUpKind,
    /// Days from today (negative: in the past).
    pub due_in_days: i64,
    pub what: &'static str,
    pub state: DemoState,
    /// For a held item: how many days ago its interview was held; for a scheduled one, in how
    /// many days it takes place.
    pub interview_in_days: i64,
    pub closed_reason: Option<&'static str>,
}

const WHAT: [&str; 8] = [
    "社内公募への応募を検討するとのこと。応募状況と不安な点を確認する。",
    "上司との1on1で業務量の調整を相談した結果を確認する。",
    "資格取得の学習計画（週3時間）が続いているか確認する。",
    "異動後の職場への適応状況と、新しい業務への手応えを聞く。",
    "育児と両立できる働き方について、人事制度の情報提供後の考えを聞く。",
    "キャリアの棚卸しシートの記入状況を確認し、強みを一緒に整理する。",
    "中長期の目標（3年後の姿）を言葉にしてもらい、次の一歩を決める。",
    "睡眠と体調の変化を確認し、必要なら産業保健スタッフにつなぐ。",
];

/// The items for `candidates` reports of consultant1 (newest first); fewer when there are fewer
/// reports. Every state appears when there are at least six.
pub fn plan(candidates: usize) -> Vec<DemoFollowUp> {
    use DemoState as S;
    use FollowUpKind as K;
    let specs: [(K, i64, S, i64, Option<&'static str>); 10] = [
        (K::FollowUp, 5, S::DueSoon, 0, None),
        (K::Additional, 2, S::DueSoon, 0, None),
        (K::FollowUp, -6, S::Overdue, 0, None),
        (K::Additional, -20, S::Overdue, 0, None),
        (K::FollowUp, 40, S::Planned, 0, None),
        (K::FollowUp, 25, S::Scheduled, 10, None),
        (K::Additional, -15, S::Held, 18, None),
        (K::FollowUp, -40, S::Held, 45, None),
        (K::FollowUp, -30, S::Closed, 0, Some("本人が部署異動となり、異動先の上司との面談で状況を確認できたため。")),
        (K::Additional, 60, S::Planned, 0, None),
    ];
    specs
        .iter()
        .enumerate()
        .take(candidates)
        .map(|(i, (kind, due, state, iv, reason))| DemoFollowUp {
            report: i,
            kind: *kind,
            due_in_days: *due,
            what: WHAT[i % WHAT.len()],
            state: *state,
            interview_in_days: *iv,
            closed_reason: *reason,
        })
        .collect()
}

/// What the open item from last year's report (reviewed on this year's interview) says.
pub const REVIEW_ITEM: &str = "昨年度の支援方針（社内公募の情報提供）のその後を今年度の面談で振り返る。";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_appears_and_dates_fit_the_state() {
        let items = plan(20);
        for s in [DemoState::Planned, DemoState::DueSoon, DemoState::Overdue, DemoState::Scheduled, DemoState::Held, DemoState::Closed] {
            assert!(items.iter().any(|i| i.state == s), "{s:?}");
        }
        for i in &items {
            match i.state {
                DemoState::DueSoon => assert!((0..=domain::follow_up::REMIND_DAYS_BEFORE).contains(&i.due_in_days)),
                DemoState::Overdue => assert!(i.due_in_days < 0),
                DemoState::Planned => assert!(i.due_in_days > domain::follow_up::REMIND_DAYS_BEFORE),
                DemoState::Scheduled => assert!(i.interview_in_days > 0 && i.due_in_days >= i.interview_in_days),
                DemoState::Held => assert!(i.interview_in_days > 0),
                DemoState::Closed => assert!(i.closed_reason.is_some()),
            }
        }
        assert_eq!(plan(3).len(), 3);
        assert!(plan(0).is_empty());
    }
}
