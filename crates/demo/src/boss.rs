//! The demo's guide for bosses and boss consultations (R8), as data: which other 課長 get a boss
//! account (some have acknowledged the guide, some not), and what the consultant wrote after
//! meeting employees' bosses. Pure; the store writes it (`Store::seed_boss_demo`).

use crate::Company;
use domain::boss_consultation::ConsultationText;
use domain::employee::{EmployeeNumber, EmployeeStatus};
use std::collections::HashMap;

/// Other bosses than the `boss` login, and whether each has acknowledged the guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraBoss {
    pub employee: EmployeeNumber,
    /// The account's login: `boss-` and the employee number in lower case.
    pub login: String,
    pub acknowledged: bool,
}

/// How many other bosses get an account.
pub const EXTRA_BOSSES: usize = 5;

/// The active heads with the most active direct reports, after `boss_user_employee`, most first
/// (ties by number); every other one has acknowledged the guide, starting with the second.
pub fn extra_bosses(company: &Company) -> Vec<ExtraBoss> {
    let mut reports: HashMap<&str, usize> = HashMap::new();
    for e in company.employees.iter().filter(|e| e.status == EmployeeStatus::Active) {
        if let Some(b) = &e.boss_number {
            *reports.entry(b.as_str()).or_default() += 1;
        }
    }
    let mut heads: Vec<(&EmployeeNumber, usize)> = company
        .employees
        .iter()
        .filter(|e| e.status == EmployeeStatus::Active && e.number != company.boss_user_employee)
        .filter_map(|e| reports.get(e.number.as_str()).map(|n| (&e.number, *n)))
        .collect();
    heads.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.as_str().cmp(b.0.as_str())));
    heads
        .into_iter()
        .take(EXTRA_BOSSES)
        .enumerate()
        .map(|(i, (n, _))| ExtraBoss {
            employee: n.clone(),
            login: format!("boss-{}", n.as_str().to_ascii_lowercase()),
            acknowledged: i % 2 == 1,
        })
        .collect()
}

/// What consultant1 wrote after meeting employees' bosses, one per consultation.
pub fn consultation_texts() -> Vec<ConsultationText> {
    let t = |changes: &str, performance: &str, support: &str| ConsultationText {
        changes: changes.to_string(),
        performance: performance.to_string(),
        support: support.to_string(),
    };
    vec![
        t(
            "面談後、担当業務の優先順位について自分から相談してくるようになった。会議での発言も増えている。",
            "担当案件は期限どおりに進んでいる。後輩への説明が丁寧だと周囲からの評価も高い。",
            "月1回の1on1で、本人が挙げた資格取得の計画と業務量の調整を一緒に確認する。",
        ),
        t(
            "以前は異動の希望を口にしなかったが、面談後に他部署の業務に関心があると話してくれた。",
            "現在の業務は安定してこなしている。新しい仕事への意欲が見られる。",
            "社内公募の情報を伝え、関心のある部署の担当者と話す機会を設ける。",
        ),
        t(
            "育児との両立に不安を感じていたが、面談で働き方の選択肢を知り、表情が明るくなった。",
            "時間内に成果を出す工夫をしており、業務の質は保たれている。",
            "在宅勤務の日を固定できるよう調整し、急な休みにもチームで対応できる体制をつくる。",
        ),
        t(
            "大きな変化はまだ見られないが、本人から面談を受けてよかったと聞いた。",
            "",
            "焦らずに見守り、本人から相談があったときにすぐ時間を取れるようにする。",
        ),
        t(
            "リーダー職への挑戦に前向きになり、小さなプロジェクトの取りまとめを自ら申し出た。",
            "プロジェクト管理の経験はまだ浅いが、関係者との調整は丁寧に行っている。",
            "取りまとめ役を任せ、週次で振り返りの時間を取る。社外研修への参加も支援する。",
        ),
        t(
            "",
            "繁忙期で残業が続いており、疲れが見える。ミスは出ていない。",
            "業務の一部を他のメンバーに振り分け、繁忙期明けに本人と今後の業務量について話し合う。",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_bosses_are_heads_with_reports_half_of_them_acknowledged() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let company = crate::generate_company(300, 7, today);
        let bosses = extra_bosses(&company);
        assert_eq!(bosses.len(), EXTRA_BOSSES);
        assert!(bosses.iter().all(|b| b.employee != company.boss_user_employee && b.login.starts_with("boss-e")));
        assert_eq!(bosses.iter().filter(|b| b.acknowledged).count(), 2);
        assert!(bosses.iter().any(|b| !b.acknowledged));
        assert_eq!(extra_bosses(&company), bosses, "deterministic");
    }

    #[test]
    fn every_text_passes_the_rule() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        for t in consultation_texts() {
            assert!(domain::boss_consultation::check_consultation("2026-12-01", today, &t.changes, &t.performance, &t.support).is_ok());
        }
    }
}
