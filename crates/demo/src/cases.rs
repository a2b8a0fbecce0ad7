//! The demo's important cases (重要事案) and organizational issues (組織課題), issue 8: what the
//! consultant wrote, where the employee's consent stands, and how far HR has come. Pure data; the
//! command line writes it through the store as the people would (the consultant raises, the
//! consent is recorded, HR answers). Names never appear: the texts speak of roles.

use domain::important_case::{CaseStatus, IssueStatus};

/// Where the employee's consent to share a case with HR stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoConsent {
    Granted,
    Pending,
    /// Granted, then withdrawn: HR no longer sees it.
    Withdrawn,
}

/// HR's record of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoResponse {
    pub status: CaseStatus,
    pub owner: &'static str,
    pub solution: &'static str,
    pub in_management_report: bool,
}

/// An important case of the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoCase {
    pub summary: &'static str,
    pub consent: DemoConsent,
    pub response: Option<DemoResponse>,
}

/// Important cases with solutions in several states, one pending and one withdrawn.
pub const CASES: [DemoCase; 6] = [
    DemoCase {
        summary: "直属の上司から業務量の調整について相談しても取り合ってもらえず、月80時間を超える残業が3か月続いている。本人は配置転換も含めた検討を希望している。",
        consent: DemoConsent::Granted,
        response: Some(DemoResponse {
            status: CaseStatus::Resolved,
            owner: "人事部 人事課",
            solution: "部門長と面談し、業務の一部を他チームへ移管した。翌月から残業は月30時間程度に減少。本人とも確認済み。",
            in_management_report: true,
        }),
    },
    DemoCase {
        summary: "育児との両立のため短時間勤務を希望しているが、部署内で前例がないことを理由に申請をためらっている。制度の案内と部署への働きかけを希望。",
        consent: DemoConsent::Granted,
        response: Some(DemoResponse {
            status: CaseStatus::Monitoring,
            owner: "人事部 労務課",
            solution: "短時間勤務制度を本人に案内し、部署長へ制度の趣旨を説明した。来月から適用開始。3か月後に状況を確認する。",
            in_management_report: false,
        }),
    },
    DemoCase {
        summary: "チーム内での発言が否定されることが続き、会議で意見を言えなくなっている。ハラスメント相談窓口の利用についても迷っている。",
        consent: DemoConsent::Granted,
        response: Some(DemoResponse {
            status: CaseStatus::InProgress,
            owner: "人事部 コンプライアンス担当",
            solution: "",
            in_management_report: true,
        }),
    },
    DemoCase {
        summary: "専門性を活かせる部署への異動を強く希望している。社内公募制度の利用方法を知りたい。",
        consent: DemoConsent::Granted,
        response: None,
    },
    DemoCase {
        summary: "体調面の不安から、当面は出張の多い業務を控えたいと考えている。人事部門に業務配分の配慮を依頼したい。",
        consent: DemoConsent::Pending,
        response: None,
    },
    DemoCase {
        summary: "評価面談での説明に納得できず、評価制度の運用について人事部門に確認してほしいと考えていた。",
        consent: DemoConsent::Withdrawn,
        response: None,
    },
];

/// An organizational issue of the demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoIssue {
    pub title: &'static str,
    pub body: &'static str,
    pub status: IssueStatus,
}

/// Organizational issues in every status.
pub const ISSUES: [DemoIssue; 4] = [
    DemoIssue {
        title: "繁忙期の長時間労働の常態化",
        body: "複数の面談で、四半期末の繁忙期に深夜までの残業が常態化しているとの声があった。業務の平準化や応援体制の検討が望まれる。",
        status: IssueStatus::Open,
    },
    DemoIssue {
        title: "キャリア面談後のフォロー不足",
        body: "上司との1on1が形骸化しており、キャリアの相談をする場がないという声が多い。管理職向けの面談研修の実施が望まれる。",
        status: IssueStatus::InProgress,
    },
    DemoIssue {
        title: "社内公募制度の周知不足",
        body: "社内公募制度の存在や応募方法を知らない従業員が多い。制度の周知と、応募を上司に知られずに相談できる窓口が望まれる。",
        status: IssueStatus::Resolved,
    },
    DemoIssue {
        title: "在宅勤務時のコミュニケーション",
        body: "在宅勤務の日に相談しづらく、若手が孤立しがちとの声があった。チーム内の定例や相談チャネルの整備が望まれる。",
        status: IssueStatus::Open,
    },
];

/// The demo logins marked as holding personnel authority (人事権): the director, who decides
/// promotions, reads no important case.
pub const PERSONNEL_AUTHORITY_LOGINS: [&str; 1] = ["executive"];

#[cfg(test)]
mod tests {
    use super::*;
    use domain::important_case::{check_case_response, check_case_summary, check_org_issue};

    #[test]
    fn every_demo_text_passes_the_rules() {
        for c in CASES {
            assert!(check_case_summary(c.summary).is_ok(), "{}", c.summary);
            if let Some(r) = c.response {
                assert!(check_case_response(r.status.as_str(), r.owner, r.solution, r.in_management_report).is_ok(), "{r:?}");
            }
        }
        for i in ISSUES {
            assert!(check_org_issue(i.title, i.body).is_ok(), "{}", i.title);
        }
        for s in [CaseStatus::Resolved, CaseStatus::Monitoring, CaseStatus::InProgress] {
            assert!(CASES.iter().any(|c| c.response.is_some_and(|r| r.status == s)), "{s:?}");
        }
        for s in IssueStatus::ALL {
            assert!(ISSUES.iter().any(|i| i.status == s), "{s:?}");
        }
    }
}
