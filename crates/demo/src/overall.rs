//! The demo's overall reports (全体報告書, issue 9): the consultants' narrative of each cycle.
//! Pure data; the command line writes it through the store as the people would (consultant1
//! drafts and writes, the supervisor approves and releases every closed cycle's report; the
//! current cycle keeps a draft). The texts speak of the whole, never of a person.

use domain::overall_narrative::Narrative;

/// The narrative of a closed cycle, by its position among the closed cycles (oldest first;
/// more cycles than texts reuse the last one).
pub fn released_narrative(position: usize) -> Narrative {
    let texts = [
        (
            "キャリアの方向性について「このままでよいのか」という漠然とした不安を語る方が多く、特に入社10年前後の層で将来像を描けていない傾向が見られました。一方で、面談をきっかけに自己理解が進んだという声も多く聞かれました。",
            "管理職の業務負荷が高く、部下との1on1が形骸化している部署が複数ありました。また、異動や社内公募の情報が現場に届いておらず、キャリアの選択肢が見えにくいという課題が共通して挙がっています。",
            "管理職向けに1on1の進め方の研修を実施し、面談時間を業務として確保する運用を提案します。社内公募の情報は全社ポータルに集約し、年2回の説明会を設けることが有効と考えます。",
            "入社10年前後の中堅層を対象に、キャリアの棚卸しと今後の選択肢を考えるワークショップを開催することを提案します。あわせて、シニア層の経験を若手に伝えるメンター制度の導入を検討してください。",
        ),
        (
            "前年度に比べ、キャリアの方向性を自ら言葉にできる方が増えています。育児や介護との両立を背景に、働き方の柔軟性を求める声が目立ちました。専門性を深めたいという希望と、管理職への関心の低さが併存しています。",
            "両立支援制度はあるものの、部署内で前例がないことを理由に利用をためらう状況が見られます。評価の基準が分かりにくく、成長の実感を持ちにくいという声も複数の部署で共通していました。",
            "両立支援制度の利用事例を社内で紹介し、部署長向けに制度の趣旨を説明する場を設けることを提案します。評価面談では、次の等級に求められる行動を具体的に示す運用が有効です。",
            "管理職以外のキャリアパスとして専門職制度の整備を提案します。また、学び直しの支援として、外部講座の受講費用補助と業務時間内の学習時間の確保を検討してください。",
        ),
        (
            "自分の強みを業務にどう生かすかを具体的に考える方が増え、面談の話題が不安から行動計画へと移りつつあります。若手層では早期の成長実感を、ベテラン層では役割の再定義を求める傾向が見られました。",
            "部署間の連携不足により、同じような課題を各部署が個別に抱えている状況が続いています。長時間労働が続く職場が一部に残り、健康面の不安につながっているケースがありました。",
            "部署横断のプロジェクトや勉強会を通じて、知見を共有する仕組みづくりを提案します。長時間労働については、業務量の見える化と配分の見直しを部門単位で進めることが必要です。",
            "若手層には半年ごとの振り返り面談を、ベテラン層には役割の再設計を支援するキャリア研修を提案します。キャリアコンサルティングの継続的な利用を促すため、相談窓口の周知を強化してください。",
        ),
    ];
    let (trends, issues, solutions, development) = texts[position.min(texts.len() - 1)];
    Narrative { trends: trends.into(), issues: issues.into(), solutions: solutions.into(), development: development.into() }
}

/// The current cycle's draft: written in part, as the consultants would midway.
pub fn draft_narrative() -> Narrative {
    Narrative {
        trends: "これまでの面談では、キャリアの方向性を自ら考えて行動に移している方が増えています。引き続き面談を進め、年度末に全体の傾向をまとめます。".into(),
        issues: "面談の途中経過として、業務量の偏りと評価への納得感が主な論点になっています。".into(),
        ..Narrative::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::overall_narrative::check_narrative;

    #[test]
    fn the_narratives_are_complete_and_within_their_limits() {
        for i in 0..4 {
            let n = released_narrative(i);
            assert!(n.complete());
            assert_eq!(check_narrative(&n).ok(), Some(n));
        }
        assert!(!draft_narrative().complete());
    }
}
