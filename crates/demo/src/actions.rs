//! The demo's improvement actions (改善施策, R10) and policy documents (方針・規程): HR's actions
//! on the organizational issues of the register and on two findings of a released overall
//! report, in every status (some overdue, some evaluated after the fact), and the program's two
//! policy documents with their versions and approval dates. Pure: the writer (`careerdock demo`,
//! `crates/cli/src/demo_actions.rs`) turns each plan into store calls as HR would. The texts
//! speak of the organization, never of a person.

use domain::improvement_action::{ActionStatus, Evaluation};

/// Which issue an action is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoIssueRef {
    /// The n-th issue of the register raised by consultants (oldest first).
    Register(usize),
    /// The n-th finding HR takes up from a released overall report ([`FINDINGS`]).
    Finding(usize),
}

/// Who owns an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoOwner {
    /// An HR account, by its demo login.
    Account(&'static str),
    /// A department or person named as text.
    Text(&'static str),
}

/// One action and what happens to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAction {
    pub issue: DemoIssueRef,
    pub title: &'static str,
    pub owner: DemoOwner,
    /// Days from today (negative: in the past; an open action due in the past is overdue).
    pub due_in_days: i64,
    /// The status it is left in (reached through the allowed moves).
    pub status: ActionStatus,
    /// Dated progress notes: days ago, text (oldest first).
    pub notes: &'static [(i64, &'static str)],
    pub evidence: &'static str,
    /// The evaluation after the fact (only of a done action).
    pub evaluation: Option<(Evaluation, &'static str)>,
}

/// A finding HR takes up as an issue: which shown cell of the department table to choose (the
/// n-th of the cells of a flag or an issue tag), with HR's title and description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoFinding {
    pub cell: usize,
    pub title: &'static str,
    pub body: &'static str,
}

/// The findings HR takes up from the oldest released overall report that has a release after it
/// (so that the next cycle's figure is shown beside the action).
pub const FINDINGS: [DemoFinding; 2] = [
    DemoFinding {
        cell: 0,
        title: "全体報告書の所見：部署別に目立った傾向への対応",
        body: "全体報告書の部署別の表で、この部署の割合が全社より高く出ていた。次年度の全体報告書で同じ指標を確かめる。",
    },
    DemoFinding {
        cell: 1,
        title: "全体報告書の所見：部署別の課題タグへの対応",
        body: "全体報告書の部署別の表で、この課題タグの件数が目立った。部署長と相談のうえ施策を決め、次年度の同じ欄で効果を確かめる。",
    },
];

/// The actions, in every status: planned (due later, and overdue), in progress (due later, and
/// overdue), done (evaluated effective, partly, not effective, and not yet evaluated), cancelled.
pub fn actions() -> Vec<DemoAction> {
    use ActionStatus as S;
    use DemoIssueRef::{Finding, Register};
    use DemoOwner::{Account, Text};
    vec![
        DemoAction {
            issue: Register(0),
            title: "繁忙期の応援体制の整備",
            owner: Text("業務企画部"),
            due_in_days: 90,
            status: S::Planned,
            notes: &[],
            evidence: "",
            evaluation: None,
        },
        DemoAction {
            issue: Register(0),
            title: "四半期末の業務平準化の方針策定",
            owner: Account("hr"),
            due_in_days: -20,
            status: S::Planned,
            notes: &[(40, "各部の繁忙期の業務量を集計中。方針案は部長会で諮る予定。")],
            evidence: "",
            evaluation: None,
        },
        DemoAction {
            issue: Register(1),
            title: "管理職向け1on1研修の実施",
            owner: Account("hr"),
            due_in_days: 45,
            status: S::InProgress,
            notes: &[(60, "研修会社と内容を調整。対象は課長級の全員。"), (14, "第1回を実施（参加者28名）。第2回の日程を調整中。")],
            evidence: "研修の案内（社内ポータル）\nhttps://intranet.example.co.jp/hr/1on1-training",
            evaluation: None,
        },
        DemoAction {
            issue: Register(1),
            title: "1on1の実施状況の定期確認",
            owner: Text("各部の部長"),
            due_in_days: -10,
            status: S::InProgress,
            notes: &[(30, "4部のうち2部から実施状況の報告を受領。残りの部に催促中。")],
            evidence: "",
            evaluation: None,
        },
        DemoAction {
            issue: Register(2),
            title: "社内公募制度の説明会の開催",
            owner: Account("hr"),
            due_in_days: -120,
            status: S::Done,
            notes: &[(150, "説明会を全社で3回開催する計画を確定。"), (125, "3回の説明会を終了。延べ参加者は160名。")],
            evidence: "説明会の資料と参加者数の集計\nhttps://intranet.example.co.jp/hr/job-posting-briefing",
            evaluation: Some((
                Evaluation::Effective,
                "公募への応募件数が前年の2倍に増え、面談でも制度を知らないという声はほとんど聞かれなくなった。",
            )),
        },
        DemoAction {
            issue: Register(2),
            title: "公募の相談窓口の設置",
            owner: Text("人事部 キャリア相談窓口"),
            due_in_days: -60,
            status: S::Done,
            notes: &[(70, "窓口を人事部内に設置し、社内ポータルで案内。")],
            evidence: "窓口の案内ページ",
            evaluation: Some((Evaluation::Partly, "相談は寄せられているが、上司に知られる不安を理由にためらう声が残っている。")),
        },
        DemoAction {
            issue: Register(3),
            title: "在宅勤務日のチーム定例の導入",
            owner: Text("各チームのリーダー"),
            due_in_days: -30,
            status: S::Done,
            notes: &[(35, "全チームで週1回の定例を導入済み。")],
            evidence: "",
            evaluation: None,
        },
        DemoAction {
            issue: Register(3),
            title: "相談用チャットチャネルの一斉開設",
            owner: Text("情報システム部"),
            due_in_days: -400,
            status: S::Cancelled,
            notes: &[(410, "各チームの定例で足りるとの判断から、一斉開設は見送り。")],
            evidence: "",
            evaluation: None,
        },
        DemoAction {
            issue: Finding(0),
            title: "該当部署でのキャリア面談の追加案内",
            owner: Account("hr"),
            due_in_days: -300,
            status: S::Done,
            notes: &[(330, "該当部署の全員に面談の案内を再送。"), (305, "追加の面談枠を設け、予約が埋まった。")],
            evidence: "案内メールの文面と予約状況の集計",
            evaluation: Some((
                Evaluation::NotEffective,
                "次年度の全体報告書でも同じ指標が下がっておらず、案内だけでは足りなかった。原因を部署長と検討する。",
            )),
        },
        DemoAction {
            issue: Finding(1),
            title: "部署長との改善会議の開催",
            owner: Text("該当部署の部長"),
            due_in_days: 30,
            status: S::InProgress,
            notes: &[(21, "第1回の会議を開催。業務の分担の見直しを決定。")],
            evidence: "",
            evaluation: None,
        },
    ]
}

/// A policy document's version: approved how many days ago, by whom, its title and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoPolicyVersion {
    pub approved_days_ago: i64,
    pub approved_by: &'static str,
    pub title: &'static str,
    pub body: &'static str,
}

/// The program's policy documents (人材育成方針, キャリアコンサルティング実施規程), each with its
/// versions, oldest first.
pub fn policy_documents() -> Vec<Vec<DemoPolicyVersion>> {
    vec![
        vec![
            DemoPolicyVersion {
                approved_days_ago: 1_100,
                approved_by: "取締役会",
                title: "人材育成方針",
                body: "1. 当社は、従業員一人ひとりが自らのキャリアを考え、その能力を高める機会を確保する。\n2. 従業員は、年に一度、キャリアコンサルタントによるキャリアコンサルティングを受けることができる。\n3. 面談の内容は本人の同意なく人事評価に用いない。",
            },
            DemoPolicyVersion {
                approved_days_ago: 400,
                approved_by: "取締役会",
                title: "人材育成方針",
                body: "1. 当社は、従業員一人ひとりが自らのキャリアを考え、その能力を高める機会を確保する（職業能力開発促進法に基づく）。\n2. 従業員は、年に一度、キャリアコンサルタントによるキャリアコンサルティングを受けることができる。業務時間内に受けることができる。\n3. 面談の内容は本人の同意なく人事評価に用いない。\n4. 面談から明らかになった組織的な課題には、人事部が改善施策を定め、その効果を次年度に確かめる。",
            },
        ],
        vec![
            DemoPolicyVersion {
                approved_days_ago: 1_000,
                approved_by: "人事担当役員",
                title: "キャリアコンサルティング実施規程",
                body: "第1条（目的）この規程は、キャリアコンサルティングの実施に必要な事項を定める。\n第2条（対象）正社員を対象とする。\n第3条（時期）毎年度、定期に実施する。\n第4条（守秘）キャリアコンサルタントは、面談で知り得た内容を本人の同意なく第三者に開示しない。",
            },
            DemoPolicyVersion {
                approved_days_ago: 600,
                approved_by: "人事担当役員",
                title: "キャリアコンサルティング実施規程",
                body: "第1条（目的）この規程は、キャリアコンサルティングの実施に必要な事項を定める。\n第2条（対象）正社員および契約社員を対象とする。\n第3条（時期）毎年度、定期に実施するほか、本人の希望により追加で実施する。\n第4条（守秘）キャリアコンサルタントは、面談で知り得た内容を本人の同意なく第三者に開示しない。ただし、生命・安全に関わる場合を除く。",
            },
            DemoPolicyVersion {
                approved_days_ago: 200,
                approved_by: "人事担当役員",
                title: "キャリアコンサルティング実施規程",
                body: "第1条（目的）この規程は、キャリアコンサルティングの実施に必要な事項を定める。\n第2条（対象）正社員および契約社員を対象とする。\n第3条（時期）毎年度、定期に実施するほか、本人の希望により追加で実施する。\n第4条（守秘）キャリアコンサルタントは、面談で知り得た内容を本人の同意なく第三者に開示しない。ただし、生命・安全に関わる場合を除く。\n第5条（効果の把握）面談の前後にアンケートを行い、その結果は個人が特定されない形でのみ集計する。\n第6条（改善）年度の終わりに制度を振り返り、翌年度の改善計画を定める。",
            },
        ],
    ]
}

/// The statuses an action moves through from planned to `to` (the allowed moves of
/// `domain::improvement_action`).
pub fn path_to(to: ActionStatus) -> Vec<ActionStatus> {
    match to {
        ActionStatus::Planned => Vec::new(),
        ActionStatus::InProgress => vec![ActionStatus::InProgress],
        ActionStatus::Done => vec![ActionStatus::InProgress, ActionStatus::Done],
        ActionStatus::Cancelled => vec![ActionStatus::Cancelled],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::important_case::check_org_issue;
    use domain::improvement_action::{check_evaluation, check_evidence, check_new_action, check_note, is_overdue};

    #[test]
    fn every_text_passes_the_rules_and_every_status_is_there() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let all = actions();
        for a in &all {
            let owner = match a.owner {
                DemoOwner::Account(_) => "",
                DemoOwner::Text(t) => t,
            };
            let due = today + chrono::Duration::days(a.due_in_days);
            let due_s = due.format("%Y-%m-%d").to_string();
            assert!(check_new_action(a.title, owner, matches!(a.owner, DemoOwner::Account(_)), &due_s).is_ok(), "{}", a.title);
            for (ago, n) in a.notes {
                let on = (today - chrono::Duration::days(*ago)).format("%Y-%m-%d").to_string();
                assert!(check_note(n, &on, today).is_ok(), "{n}");
            }
            assert!(check_evidence(a.evidence).is_ok());
            if let Some((e, c)) = a.evaluation {
                assert!(check_evaluation(a.status, e.as_str(), c).is_ok(), "{}", a.title);
            }
            let mut at = ActionStatus::Planned;
            for s in path_to(a.status) {
                assert!(at.can_move_to(s), "{at:?} → {s:?}");
                at = s;
            }
            assert_eq!(at, a.status);
        }
        for s in ActionStatus::ALL {
            assert!(all.iter().any(|a| a.status == s), "{s:?}");
        }
        let overdue = |a: &DemoAction| is_overdue(today + chrono::Duration::days(a.due_in_days), a.status, today);
        assert!(all.iter().any(|a| overdue(a) && a.status == ActionStatus::Planned));
        assert!(all.iter().any(|a| overdue(a) && a.status == ActionStatus::InProgress));
        assert!(all.iter().any(|a| !overdue(a) && !a.status.is_closed()));
        for e in Evaluation::ALL {
            assert!(all.iter().any(|a| a.evaluation.is_some_and(|(x, _)| x == e)), "{e:?}");
        }
        assert!(all.iter().any(|a| a.status == ActionStatus::Done && a.evaluation.is_none()));
        for (i, f) in FINDINGS.iter().enumerate() {
            assert!(check_org_issue(f.title, f.body).is_ok(), "{}", f.title);
            assert!(all.iter().any(|a| a.issue == DemoIssueRef::Finding(i)));
        }
    }

    #[test]
    fn policy_documents_have_versions_that_pass_the_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let docs = policy_documents();
        assert!(docs.len() >= 2);
        for d in &docs {
            assert!(d.len() >= 2);
            for w in d.windows(2) {
                assert!(w[0].approved_days_ago > w[1].approved_days_ago);
            }
            for v in d {
                let on = (today - chrono::Duration::days(v.approved_days_ago)).format("%Y-%m-%d").to_string();
                assert!(domain::policy_document::check_version(v.title, v.body, &on, v.approved_by, today).is_ok(), "{}", v.title);
            }
        }
    }
}
