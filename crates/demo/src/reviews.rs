//! The demo's yearly reviews (年次レビュー, issue 10): the proposals for next year and HR's
//! improvement plan of each closed cycle. Pure data; the command line writes them through the
//! store as the people would (each closed cycle's review opened, proposals by the consultants,
//! the supervisor and HR, the plan saved and finalized by HR). The texts speak of the program,
//! never of a person.

/// One proposal: the demo login that writes it, in which role, and the text.
pub struct DemoProposal {
    pub login: &'static str,
    /// `consultant`, `supervisor` or `hr`.
    pub role: &'static str,
    pub text: &'static str,
}

/// The proposals of a closed cycle's review, by its position among the closed cycles (oldest
/// first; more cycles than texts reuse the last set).
pub fn proposals(position: usize) -> Vec<DemoProposal> {
    let sets: [&[(&str, &str, &str)]; 2] = [
        &[
            ("consultant1", "consultant", "面談の案内が年度の後半に集中し、繁忙期と重なる部署がありました。案内を年度初めに出し、部署ごとに実施時期を分散させることを提案します。"),
            ("consultant2", "consultant", "面談前アンケートの回収率が低く、効果の把握が難しくなっています。面談予約の画面から回答できるようにしてはどうでしょうか。"),
            ("supervisor", "supervisor", "個別報告書の「支援方針」の書き方にばらつきがあります。年度初めに事例検討会を開き、書き方の目安をそろえたいと考えます。"),
            ("hr", "hr", "管理職への説明が不足し、部下の面談を業務として認めにくいという声がありました。管理職研修の中で制度の趣旨を説明します。"),
        ],
        &[
            ("consultant1", "consultant", "追加面談の希望が多い一方、日程調整に時間がかかっています。フォローアップ面談の枠をあらかじめ確保しておく運用を提案します。"),
            ("consultant2", "consultant", "若手層から、面談の結果をどう業務に生かせばよいか分からないという声がありました。面談後に参考となる社内制度の一覧を渡したいと考えます。"),
            ("supervisor", "supervisor", "スーパービジョンの待ち時間が長くなる時期がありました。レビュー担当を二名体制にすることを提案します。"),
            ("hr", "hr", "改善施策の進み具合を半期ごとに経営会議で報告し、次の全体報告書で効果を確かめる流れを定着させます。"),
        ],
    ];
    sets[position.min(sets.len() - 1)].iter().map(|(login, role, text)| DemoProposal { login, role, text }).collect()
}

/// HR's improvement plan of a closed cycle's review, by position (as [`proposals`]).
pub fn plan(position: usize) -> &'static str {
    let plans = [
        "1. 面談の案内を4月に全社へ出し、部署ごとに実施月を割り振る。\n2. 管理職研修（6月）で制度の趣旨と部下の面談時間の確保を説明する。\n3. 面談前アンケートを面談予約と同時に案内し、回収率80%を目指す。\n4. 支援方針の書き方について、年度初めに事例検討会を開く。",
        "1. フォローアップ面談の枠を各コンサルタントが月4枠確保する。\n2. 面談後に社内制度の案内資料を渡し、活用状況を次年度の面談で確認する。\n3. スーパービジョンを二名体制とし、レビュー待ちを5営業日以内にする。\n4. 改善施策の進み具合を半期ごとに経営会議へ報告する。",
    ];
    plans[position.min(plans.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_position_has_proposals_by_each_side_and_a_plan() {
        for position in 0..4 {
            let p = proposals(position);
            assert!(p.iter().any(|x| x.role == "consultant") && p.iter().any(|x| x.role == "hr"), "{position}");
            assert!(p.iter().all(|x| domain::yearly_review::check_proposal(x.text).is_ok()), "{position}");
            assert!(domain::yearly_review::check_finalizable(plan(position)).is_ok());
            assert!(domain::yearly_review::check_plan(plan(position)).is_ok());
        }
    }
}
