//! The demo's management reports (経営層への報告, issue 9): HR's commentary for each closed
//! cycle's released report and for the current cycle's draft, and the one case whose employee
//! withdrew consent after a report was released (so the released report shows that a case is no
//! longer shown, without naming it). Pure data; the command line writes it through the store as
//! HR would. Names never appear.

/// HR's commentary of a released report: the same concerns, followed from year to year.
pub fn released_commentary(cycle: &str) -> String {
    format!(
        "{cycle}では、面談を受けた従業員の多くが今後のキャリアの方向性について相談しており、\
         特に中堅層で「専門性を深めるか、マネジメントに進むか」の迷いが目立ちました。\n\n\
         組織的な課題としては、一部部門での長時間労働の常態化と、上司との対話の機会の不足が挙げられます。\
         人事部門では、部門長との個別面談と業務配分の見直しを進めています。\n\n\
         経営層の皆さまには、次の二点についてご判断をお願いいたします。\n\
         1. 社内公募制度の対象職種の拡大\n\
         2. 管理職向け1on1研修の全社展開（来年度予算での措置）"
    )
}

/// HR's commentary of the draft (written so far): the current cycle's report when its overall
/// report is released, else a revision of the latest released report.
pub const DRAFT_COMMENTARY: &str =
    "前回の報告以降に対応が進んだ重要事案と組織課題の状況を反映した改訂版です。今年度の面談の集計が公開され次第、所見をまとめます。";

/// The case raised for the demo's withdrawal story: granted, marked for the management report,
/// released with it, then withdrawn.
pub const WITHDRAWN_CASE_SUMMARY: &str =
    "異動後の業務に慣れず、前の部署に戻ることを希望している。人事部門から現部署の上司に状況を伝えてほしい。";

/// HR's solution recorded for it before the release.
pub const WITHDRAWN_CASE_SOLUTION: &str = "現部署の上司と面談し、業務の引き継ぎ期間を延長した。";
