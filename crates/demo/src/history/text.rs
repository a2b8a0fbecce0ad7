//! The words of the demo history: report sections, interview notes, review comments and
//! consultation requests, combined from phrase banks with small variations, so that no two
//! reports read alike and many name the person or the boss the way consultants really write
//! (山田さん, 山田 太郎さん, 鈴木課長, ヤマダさん …), which is what pseudonymization must mask.

use domain::interview::InterviewKind;
use domain::report::{ReportFlags, ReportSections};
use rand::seq::SliceRandom;
use rand::Rng;

/// The interviewee as the text refers to them.
pub(super) struct Person<'a> {
    pub family: &'a str,
    pub given: &'a str,
    pub kana_family: Option<&'a str>,
    pub kana_given: Option<&'a str>,
    /// Age reached in the fiscal year.
    pub age: Option<i32>,
    /// Year of service (入社N年目) in the fiscal year.
    pub years: Option<i32>,
    /// The department's own name, such as 法人営業課.
    pub dept: &'a str,
    /// A young man, whom colleagues might call 太郎くん.
    pub kun: bool,
    pub boss: Option<Boss<'a>>,
}

/// The interviewee's boss: name and title (課長, 部長 …) if the grade has one.
pub(super) struct Boss<'a> {
    pub family: &'a str,
    pub given: &'a str,
    pub title: Option<&'static str>,
}

/// What the text says about the interview itself.
pub(super) struct Occasion {
    /// This is the person's n-th consultation interview.
    pub nth: usize,
    /// Month of the planned follow-up (1–12).
    pub follow_month: u32,
    pub kind: InterviewKind,
}

/// One issue tag with what each section may say about it. Sentences use the tokens of
/// [`Writer::fill`].
struct Theme {
    code: &'static str,
    career: &'static [&'static str],
    workplace: &'static [&'static str],
    organization: &'static [&'static str],
    support: &'static [&'static str],
    next: &'static [&'static str],
}

const THEMES: [Theme; 8] = [
    Theme {
        code: "career_direction",
        career: &[
            "今後のキャリアの方向性について迷いがある。",
            "管理職を目指すか専門性を深めるかで悩んでいる。",
            "{A}歳を迎え、このまま今の仕事を続けてよいのか考えるようになったと話した。",
            "5年後・10年後の自分の姿を具体的に描けていないことに焦りを感じている。",
            "社内公募制度を利用した異動にも関心を示している。",
            "同期の昇進をきっかけに、自身のキャリアを見つめ直したいと考えている。",
            "{T}、将来に向けて何を積み上げるべきか分からなくなっているとのこと。",
            "{S}を生かせる仕事に就きたいという思いが強まっている。",
        ],
        workplace: &[
            "{D}では将来のキャリアパスを示すロールモデルが少ない。",
            "職場で今後のキャリアについて話す機会がほとんどない。",
            "{B}とはキャリアの希望について話したことがないという。",
        ],
        organization: &[
            "中長期のキャリアパスが社員に示されていない。",
            "専門職として処遇されるコースが制度上用意されていない。",
            "異動・配置の方針が社員に十分説明されていない。",
        ],
        support: &[
            "今後3年間のキャリアプランを本人と一緒に作成する。",
            "管理職・専門職それぞれの役割と求められる能力について情報提供する。",
            "社内のロールモデルとなる先輩社員との面談機会を検討する。",
            "価値観カードを用いて、仕事で大切にしたいことを明確にする。",
        ],
        next: &[
            "次回面談までに、将来やってみたい仕事を3つ挙げてもらう。",
            "{M}月頃にフォローアップ面談を行い、キャリアプランの進み具合を確認する。",
        ],
    },
    Theme {
        code: "job_content",
        career: &[
            "現在の業務にやりがいを感じにくくなっている。",
            "定型業務が中心で、自身の強みを生かせていないと感じている。",
            "担当業務の範囲が広がり、何を優先すべきか迷う場面が増えている。",
            "顧客と直接関わる仕事に手応えを感じており、今後も続けたいと話した。",
            "業務の意義が見えにくく、モチベーションの維持に苦労している。",
            "{T}、任される仕事の難易度が上がり、手応えと不安の両方を感じている。",
        ],
        workplace: &[
            "業務量に対して人員が不足している。",
            "新しいシステムの導入で業務手順が大きく変わり、慣れるまでに時間がかかっている。",
            "担当顧客が増え、一件あたりにかけられる時間が減っている。",
            "{B}から任される案件が特定のメンバーに偏っている。",
        ],
        organization: &["業務分担が不明確で、特定の社員に負荷が偏っている。", "業務の目的や全体像が現場に共有されていない。"],
        support: &[
            "現在の仕事の意味づけを見直すワークを行う。",
            "ジョブ・クラフティングの考え方を紹介し、工夫できる余地を一緒に探す。",
            "業務の優先順位づけについて、具体的な場面をもとに整理する。",
        ],
        next: &[
            "次回までに、やりがいを感じた場面と負担に感じた場面を書き出してもらう。",
            "業務分担の見直しについて、本人の同意を得たうえで{B}と相談する。",
        ],
    },
    Theme {
        code: "skill_development",
        career: &[
            "専門性を高めたいが、学ぶ時間を確保できていない。",
            "デジタル関連のスキル不足に不安を感じている。",
            "{C}の取得に挑戦したいという意欲がある。",
            "後輩指導を任されたが、教え方に自信がないと話した。",
            "これまでの経験を整理できておらず、自分の強みを言葉にできていない。",
            "{S}には自信があるが、それ以外の能力をどう伸ばすか迷っている。",
        ],
        workplace: &[
            "OJTが担当者任せで、育成の仕組みが整っていない。",
            "業務に追われ、研修に参加する余裕がない。",
            "{D}では自己啓発の取り組みを共有する機会がない。",
        ],
        organization: &[
            "体系的な教育プログラムが不足している。",
            "専門人材の育成計画が明確でない。",
            "研修受講が業務扱いにならず、受講をためらう社員がいる。",
        ],
        support: &[
            "学習計画を立て、実行状況を次回面談で確認する。",
            "社内外の研修情報を提供する。",
            "{C}の取得に向けた学習計画づくりを支援する。",
            "これまでの経験を振り返り、強みを言語化するワークを行う。",
        ],
        next: &["{M}月の研修申込状況を確認する。", "次回面談で学習計画の進み具合を確認する。"],
    },
    Theme {
        code: "evaluation",
        career: &[
            "評価の基準が分かりにくく、納得感が持てていない。",
            "成果が処遇に反映されていないと感じている。",
            "目標設定面談が形式的になっているとの認識がある。",
            "昇格の要件が不明確で、何を努力すればよいか分からないと話した。",
            "{T}、評価結果について説明を受けた記憶がないという。",
        ],
        workplace: &[
            "{B}からのフィードバックが少なく、自身の評価が分からない。",
            "評価面談が短時間で終わってしまう。",
            "チーム内で評価の公平性に疑問を持つ声がある。",
        ],
        organization: &[
            "評価者研修が十分に行われていない可能性がある。",
            "等級ごとに期待される役割が明文化されていない。",
            "評価制度の運用が部署によってばらついている。",
        ],
        support: &[
            "評価制度の仕組みについて、人事部門の資料をもとに説明する。",
            "目標設定のポイントを一緒に整理する。",
            "{B}との面談で確認したいことを事前に整理する。",
        ],
        next: &["次の目標設定面談の前に、目標案を一緒に見直す。", "評価面談の結果を次回面談で共有してもらう。"],
    },
    Theme {
        code: "relationships",
        career: &[
            "チーム内のコミュニケーションに課題を感じている。",
            "{B}との意思疎通がうまくいかず、相談しにくいと感じている。",
            "周囲に相談できる相手がおらず、一人で抱え込む傾向がある。",
            "他部署との調整で板挟みになることが多い。",
        ],
        workplace: &[
            "{B}からの指示が急に変わることが多く、戸惑っている。",
            "チーム内で情報共有が不足している。",
            "先輩社員に気を遣い、意見を言いにくい雰囲気がある。",
            "{T}、メンバーの入れ替わりが続き、職場の雰囲気が変わったと感じている。",
        ],
        organization: &["管理職と若手の間で仕事に対する意識のずれがある。", "部署間の連携がとりにくい組織構造になっている。"],
        support: &[
            "{B}とのコミュニケーションの取り方を一緒に考える。",
            "本人の同意を得たうえで、{B}へのコンサルテーションを検討する。",
            "アサーションの考え方を紹介し、伝え方を練習する。",
        ],
        next: &["{B}へのフィードバックは、本人の同意を得た範囲で行う。", "{M}月に職場での変化を確認する面談を行う。"],
    },
    Theme {
        code: "work_style",
        career: &[
            "育児と仕事の両立に不安を抱えている。",
            "親の介護が始まり、今後の働き方を見直す必要を感じている。",
            "残業が続き、私生活とのバランスが取れていない。",
            "在宅勤務をどこまで活用してよいか迷っている。",
            "ライフイベントを見据えて、働き方を含めたキャリアを考え直したいとの意向がある。",
        ],
        workplace: &[
            "月の残業が{H}時間前後の状態が続いている。",
            "始業前や休日にもメール対応をしている。",
            "短時間勤務の同僚の業務をカバーする負担が偏っている。",
            "フレックスタイム制度はあるが、実際には利用しにくい。",
        ],
        organization: &[
            "部署全体で長時間労働が常態化している。",
            "両立支援制度はあるが、利用しにくい雰囲気がある。",
            "業務の属人化により、休暇を取りにくい状況がある。",
        ],
        support: &[
            "利用できる両立支援制度について、人事部門と連携して情報提供する。",
            "業務量の調整について、本人の同意のもと{B}と相談する。",
            "仕事と生活の時間の使い方を一緒に振り返る。",
        ],
        next: &["両立支援制度の利用状況を{M}月に確認する。", "残業時間の推移を次回面談で確認する。"],
    },
    Theme {
        code: "health",
        career: &[
            "睡眠不足が続いており、疲れが取れにくいと話した。",
            "業務量の増加に伴い、心身の負担を感じている。",
            "体調面の不安から、今の業務を続けられるか心配している。",
        ],
        workplace: &["繁忙期には深夜までの作業が続くことがある。", "体調を崩して休む同僚が続いている。", "{T}、休日出勤が増えている。"],
        organization: &["メンタルヘルス不調者の復職を支える仕組みが十分ではない。", "ストレスチェックの結果が職場改善に生かされていない。"],
        support: &[
            "産業医・保健師との面談を勧める。",
            "セルフケアの方法について情報提供する。",
            "本人の了解を得て、健康推進課の保健師と情報を共有する。",
        ],
        next: &["{M}月中に体調の変化を確認する面談を行う。", "産業医面談の実施状況を確認する。"],
    },
    Theme {
        code: "organization_system",
        career: &[
            "キャリア研修や面談の機会が少ないと感じている。",
            "異動・配置の方針が見えず、将来像を描きにくい。",
            "社内公募制度の存在を知らなかった。",
        ],
        workplace: &["人事異動の頻度が高く、知識の継承が難しい。", "{D}の方針が頻繁に変わり、現場が対応に追われている。"],
        organization: &[
            "キャリア面談の結果を人事施策に反映する仕組みがない。",
            "社内公募制度の周知が不足している。",
            "{B}の方針転換が、十分に説明されないまま進んでいる。",
            "組織改編の目的が現場に伝わっていない。",
        ],
        support: &["社内公募制度や自己申告制度の活用を案内する。", "組織の方針について、人事部門の説明資料を紹介する。"],
        next: &["制度に関する意見を、個人が特定されない形で人事部門に伝える。"],
    },
];

/// Every section opens on who the person is; each form names them in name mode.
const OPENERS: &[&str] = &[
    "{P}は入社{Y}年目で、{D}に所属している。",
    "{P}は入社{Y}年目を迎えた。",
    "{P}（{A}歳）は、今回が{N}回目のキャリア面談である。",
    "{P}は{A}歳で、{D}に所属している。",
    "{P}は{D}で、{S}を生かした業務を担っている。",
    "{P}は{D}に所属し、{S}を強みとしている。",
    "面談では{P}が終始落ち着いた様子で話した。",
];

const CAREER_EXTRA: &[&str] = &[
    "{P}は自分の強みとして{S}を挙げた。",
    "仕事そのものへの意欲は高い。",
    "話すうちに考えが整理され、{P}の表情が和らいだ。",
    "家族とも今後の働き方について話し合っているとのこと。",
    "現時点で転職は考えていないと{P}は話した。",
    "{T}の経験から、{S}には手応えを感じている。",
];

const WORKPLACE_GENERAL: &[&str] = &[
    "職場の雰囲気は概ね良好で、同僚との関係にも大きな問題はない。",
    "{D}は繁忙期と閑散期の差が大きい。",
    "チームは{K}名体制で、メンバーの入れ替わりが多い。",
    "{B}とは月1回の1on1があり、業務上の相談はしやすいとのこと。",
    "{B}との定期的な面談はなく、日常の会話も少ない。",
    "{D}には相談しやすい先輩がいると{P}は話した。",
    "{K}名のチームで、年齢構成に偏りがある。",
    "{T}、{D}の業務量は増加傾向にある。",
    "{P}によると、{B}は多忙で席にいないことが多い。",
    "在宅勤務と出社の組み合わせで、{K}名のメンバーが働いている。",
    "{D}では新しい業務の立ち上げが続いている。",
];

const ORGANIZATION_GENERAL: &[&str] = &[
    "部門をまたいだ情報共有の仕組みが十分でない。",
    "中堅層に業務が集中している。",
    "若手の定着が課題となっている。",
    "管理職がプレイングマネージャー化しており、部下育成の時間が取れていない。",
    "組織の方針変更が現場に十分伝わっていない。",
    "{P}からは、特に大きな組織上の問題は聞かれなかった。",
    "{D}では退職者の補充が遅れている。",
    "{B}に業務と判断が集中している。",
    "現場の声を経営に届ける仕組みが弱いと{P}は感じている。",
];

const SUPPORT_GENERAL: &[&str] = &[
    "傾聴を中心に、本人の考えを整理する支援を行う。",
    "{P}の強みである{S}を振り返り、自己理解を深める支援を行う。",
    "キャリアシートを用いて、これまでの経験を棚卸しする。",
    "本人のペースを尊重し、結論を急がずに支援する。",
    "{P}が自分で選択できるよう、選択肢を広げる情報提供を行う。",
    "{T}の経験を振り返り、成功体験を言語化する。",
    "{P}の意向を確認しながら、短期の行動目標を一緒に設定する。",
    "面談で出た気づきを、{P}自身の言葉でまとめてもらう。",
    "必要に応じて{B}とも連携し、職場での支援体制を整える。",
    "ライフラインチャートを用いて、これまでの転機を振り返る。",
];

const NEXT_GENERAL: &[&str] = &[
    "{M}月頃にフォローアップ面談を実施する。",
    "次回面談までに、キャリアシートの記入を依頼した。",
    "半年後に{P}の状況を確認する。",
    "必要に応じて追加面談を行う。",
    "{P}の同意を得て、{B}へのコンサルテーションを実施する予定。",
    "次回は{M}月に面談を設定する方向で{P}と合意した。",
    "{M}月の面談で、設定した行動目標の達成状況を確認する。",
    "{P}から連絡があれば、随時相談に応じることを伝えた。",
    "次年度の面談でも、今回の課題の変化を確認する。",
    "{B}へのフィードバックの要否は、次回面談で{P}と相談する。",
];

const ORG_RESPONSE: &[&str] = &[
    "部署全体で長時間労働が常態化しており、個人の努力では解決が難しい状況と考えられる。",
    "同様の指摘が複数の面談で聞かれており、職場単位での対応が必要と考えられる。",
    "ハラスメントに当たるおそれのある言動があったとの話があり、事実確認を含めた組織的な対応が必要である。",
];
const ORG_RESPONSE_NEXT: &str = "組織的な対応が必要な事項として、個人が特定されない形で人事部門に報告する。";

const LIFE_SAFETY_CAREER: &[&str] = &[
    "面談の中で、強い疲労感とともに「消えてしまいたいと思うことがある」との発言があった。",
    "面談の中で、眠れない日が続き「もう限界かもしれない」との発言があった。",
];
const LIFE_SAFETY_WORKPLACE: &str = "業務上の強いストレスが続いており、睡眠や食事にも影響が出ているとのこと。";
const LIFE_SAFETY_SUPPORT: &[&str] =
    &["本人の安全を最優先とし、面談中に相談窓口と連絡方法を本人と確認した。", "本人の了解を得て、産業医・保健師へ速やかにつなぐ。"];
const LIFE_SAFETY_NEXT: &[&str] = &[
    "面談当日中に健康推進課の保健師へ連絡し、産業医面談を調整する（生命・安全に関わる内容として対応）。",
    "翌営業日に本人へ連絡し、状況を確認する。",
];

const STRENGTHS: &[&str] =
    &["調整力", "粘り強さ", "分析力", "顧客対応力", "後輩指導", "段取り力", "専門知識", "語学力", "現場改善の経験", "数字に強いこと"];
const PERIODS: &[&str] = &["この半年", "ここ1年ほど", "昨年度から", "異動後", "最近", "今年度に入ってから"];
const CERTIFICATES: &[&str] = &[
    "中小企業診断士",
    "情報処理安全確保支援士",
    "日商簿記2級",
    "TOEIC 800点",
    "衛生管理者",
    "技術士",
    "社会保険労務士",
    "品質管理検定2級",
];

/// Writes texts for one person, filling tokens as it goes.
pub(super) struct Writer<'a, 'r, R: Rng> {
    person: &'a Person<'a>,
    occasion: &'a Occasion,
    rng: &'r mut R,
    /// Whether names appear (otherwise 本人 / 上司).
    named: bool,
    named_once: bool,
}

impl<'a, 'r, R: Rng> Writer<'a, 'r, R> {
    pub fn new(person: &'a Person<'a>, occasion: &'a Occasion, rng: &'r mut R, named: bool) -> Self {
        Writer { person, occasion, rng, named, named_once: false }
    }

    /// Replaces the tokens of a template: {P} the person, {B} the boss, {Y} year of service,
    /// {A} age, {D} department, {N} interview count, {M} follow-up month, {K} team size,
    /// {H} overtime hours, {S} a strength, {T} a period, {C} a certificate.
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let token = &rest[open + 1..open + close];
            self.token(token, &mut out);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn token(&mut self, token: &str, out: &mut String) {
        let p = self.person;
        match token {
            "P" => self.person_ref(out),
            "B" => self.boss_ref(out),
            "Y" => match p.years {
                Some(y) if y > 0 => out.push_str(&y.to_string()),
                _ => out.push('数'),
            },
            "A" => match p.age {
                Some(a) => out.push_str(&a.to_string()),
                None => out.push_str("節目の"),
            },
            "D" => out.push_str(p.dept),
            "N" => out.push_str(&self.occasion.nth.to_string()),
            "M" => out.push_str(&self.occasion.follow_month.to_string()),
            "K" => out.push_str(&self.rng.gen_range(4..=15).to_string()),
            "H" => out.push_str(&(self.rng.gen_range(6..=14) * 5).to_string()),
            "S" => out.push_str(pick(self.rng, STRENGTHS)),
            "T" => out.push_str(pick(self.rng, PERIODS)),
            "C" => out.push_str(pick(self.rng, CERTIFICATES)),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
    }

    /// The person: 本人, or a name form (full name first, shorter forms afterwards).
    fn person_ref(&mut self, out: &mut String) {
        let p = self.person;
        if !self.named {
            out.push_str("本人");
            return;
        }
        let first = !std::mem::replace(&mut self.named_once, true);
        let given_ok = p.given.chars().count() >= 2;
        let roll = self.rng.gen_range(0..100);
        if first {
            match roll {
                0..=39 => push_all(out, &[p.family, " ", p.given, "さん"]),
                40..=74 => push_all(out, &[p.family, p.given, "さん"]),
                _ => push_all(out, &[p.family, "さん"]),
            }
            return;
        }
        match roll {
            0..=34 => push_all(out, &[p.family, "さん"]),
            35..=49 if given_ok => push_all(out, &[p.given, "さん"]),
            50..=57 if given_ok && p.kun => push_all(out, &[p.given, "くん"]),
            58..=69 if p.kana_family.is_some() => {
                let kana = p.kana_family.unwrap_or_default();
                match (self.rng.gen_bool(0.3), p.kana_given) {
                    (true, Some(g)) => push_all(out, &[kana, " ", g, "さん"]),
                    _ => push_all(out, &[kana, "さん"]),
                }
            }
            70..=79 => push_all(out, &[p.family, p.given, "さん"]),
            _ => out.push_str("本人"),
        }
    }

    /// The boss: 上司, or their family name with title (鈴木課長) or さん.
    fn boss_ref(&mut self, out: &mut String) {
        let Some(b) = self.person.boss.as_ref().filter(|_| self.named) else {
            out.push_str(if self.rng.gen_bool(0.8) { "上司" } else { "直属の上司" });
            return;
        };
        let title = b.title.unwrap_or("さん");
        match self.rng.gen_range(0..100) {
            0..=29 => push_all(out, &["上司の", b.family, title]),
            30..=59 => push_all(out, &[b.family, title]),
            60..=74 => push_all(out, &["上司の", b.family, "さん"]),
            75..=84 => push_all(out, &[b.family, b.given, title]),
            _ => out.push_str("上司"),
        }
    }

    /// Picks up to `n` distinct sentences of a bank and appends them filled.
    fn some(&mut self, out: &mut String, bank: &[&str], n: usize) {
        let chosen: Vec<&str> = bank.choose_multiple(self.rng, n).copied().collect();
        for s in chosen {
            let filled = self.fill(s);
            out.push_str(&filled);
        }
    }

    /// Up to `n` distinct templates of a bank, to be filled later with [`Self::put`].
    fn distinct(&mut self, bank: &[&'static str], n: usize) -> Vec<&'static str> {
        bank.choose_multiple(self.rng, n).copied().collect()
    }

    fn put(&mut self, out: &mut String, template: Option<&&'static str>) {
        if let Some(t) = template {
            let filled = self.fill(t);
            out.push_str(&filled);
        }
    }

    fn maybe(&mut self, out: &mut String, bank: &[&str], p: f64) {
        if self.rng.gen_bool(p) {
            self.some(out, bank, 1);
        }
    }

    /// The five sections for the given tags (codes of `DEFAULT_TAGS`) and flags.
    pub fn report(&mut self, tags: &[&'static str], flags: ReportFlags) -> ReportSections {
        let themes: Vec<&Theme> = tags.iter().filter_map(|t| THEMES.iter().find(|th| th.code == *t)).collect();
        let primary = themes.first().copied().unwrap_or(&THEMES[0]);
        let secondary = themes.get(1).copied();

        let mut career = String::new();
        self.some(&mut career, OPENERS, 1);
        let n = self.rng.gen_range(1..=2);
        self.some(&mut career, primary.career, n);
        if let Some(s) = secondary {
            self.some(&mut career, s.career, 1);
        }
        if flags.life_safety {
            self.some(&mut career, LIFE_SAFETY_CAREER, 1);
        } else {
            self.maybe(&mut career, CAREER_EXTRA, 0.4);
        }

        // General sentences of one section are drawn together, so none repeats in it.
        let extra = !flags.life_safety && self.rng.gen_bool(0.3);
        let general = self.distinct(WORKPLACE_GENERAL, 1 + usize::from(extra));
        let mut workplace = String::new();
        self.put(&mut workplace, general.first());
        self.some(&mut workplace, primary.workplace, 1);
        if let Some(s) = secondary {
            self.maybe(&mut workplace, s.workplace, 0.6);
        }
        if flags.life_safety {
            workplace.push_str(LIFE_SAFETY_WORKPLACE);
        }
        self.put(&mut workplace, general.get(1));

        let extra = !flags.organizational_response && self.rng.gen_bool(0.3);
        let general = self.distinct(ORGANIZATION_GENERAL, usize::from(secondary.is_none()) + usize::from(extra));
        let mut general = general.into_iter();
        let mut organization = String::new();
        self.some(&mut organization, primary.organization, 1);
        match secondary {
            Some(s) => self.some(&mut organization, s.organization, 1),
            None => self.put(&mut organization, general.next().as_ref()),
        }
        if flags.organizational_response {
            self.some(&mut organization, ORG_RESPONSE, 1);
        }
        self.put(&mut organization, general.next().as_ref());

        let mut support = String::new();
        self.some(&mut support, SUPPORT_GENERAL, 1);
        let n = self.rng.gen_range(1..=2);
        self.some(&mut support, primary.support, n);
        if flags.life_safety {
            self.some(&mut support, LIFE_SAFETY_SUPPORT, 2);
        } else if let Some(s) = secondary {
            self.maybe(&mut support, s.support, 0.5);
        }

        let extra = !flags.organizational_response && self.rng.gen_bool(0.3);
        let general = self.distinct(NEXT_GENERAL, 1 + usize::from(extra));
        let mut next = String::new();
        if flags.life_safety {
            self.some(&mut next, LIFE_SAFETY_NEXT, 2);
        }
        self.some(&mut next, primary.next, 1);
        self.put(&mut next, general.first());
        if flags.organizational_response {
            next.push_str(ORG_RESPONSE_NEXT);
        }
        self.put(&mut next, general.get(1));

        ReportSections { career_awareness: career, workplace, organization, support_plan: support, next_steps: next }
    }

    /// A short interview note (面談記録).
    pub fn note(&mut self) -> String {
        let mut out = String::new();
        let opener = match self.occasion.kind {
            InterviewKind::Initial if self.occasion.nth <= 1 => "初回面談。",
            InterviewKind::Initial => "年度の面談（{N}回目）。",
            InterviewKind::Additional => "追加面談。前回からの変化を確認した。",
            InterviewKind::FollowUp => "フォローアップ面談。",
        };
        let opener = self.fill(opener);
        out.push_str(&opener);
        let n = self.rng.gen_range(1..=3);
        self.some(&mut out, NOTE_MIDDLE, n);
        self.some(&mut out, NOTE_CLOSING, 1);
        out
    }
}

const NOTE_MIDDLE: &[&str] = &[
    "キャリアシートをもとに職務経歴を振り返った。",
    "{P}から最近の業務状況を聞き取った。",
    "異動希望の有無を確認。現時点では希望なし。",
    "強みとして{S}を挙げた。",
    "話すうちに表情が和らいだ。",
    "{B}との関係について言及あり。",
    "家族の事情で働き方の見直しを検討中。",
    "{C}の学習計画を共有してもらった。",
    "前回設定した行動目標は概ね実行できている。",
    "睡眠時間が短い様子。次回も体調を確認する。",
    "{T}、業務量が増えているとのこと。",
    "今後の方向性について迷いがあるとのこと。",
];

const NOTE_CLOSING: &[&str] = &[
    "次回までに自己理解シートの記入を依頼。",
    "次回は{M}月頃を想定。",
    "特記事項なし。",
    "報告書作成時に同意の範囲を確認する。",
    "本人了承のうえ、記録を残す。",
];

/// A supervisor's comments when returning a report: one to three sections.
pub(super) fn return_comments<R: Rng>(rng: &mut R) -> Vec<(&'static str, String)> {
    let n = rng.gen_range(1..=3);
    let sections: Vec<&(&str, &[&str])> = COMMENTS.choose_multiple(rng, n).collect();
    let mut out: Vec<(&'static str, String)> = sections.iter().map(|(s, bank)| (*s, pick(rng, bank).to_string())).collect();
    // Keep the order of the report's sections.
    out.sort_by_key(|(s, _)| COMMENTS.iter().position(|(c, _)| c == s));
    out
}

/// Sometimes a word of appreciation on approval.
pub(super) fn approval_comment<R: Rng>(rng: &mut R) -> Option<(&'static str, String)> {
    rng.gen_bool(0.35).then(|| ("general", pick(rng, APPROVAL).to_string()))
}

const COMMENTS: [(&str, &[&str]); 5] = [
    (
        "career_awareness",
        &[
            "具体的なエピソードを追記してください。",
            "本人の言葉をもう少し引用すると、課題が伝わりやすくなります。",
            "課題とその背景を分けて記述してください。",
        ],
    ),
    ("workplace", &["事実と本人の受け止めを区別して記載してください。", "業務量について、具体的な数字があれば追記してください。"]),
    ("organization", &["組織の問題として一般化できるか、根拠を補足してください。", "個人が特定されうる記述は避けてください。"]),
    (
        "support_plan",
        &["支援方針が課題とどう対応しているか明確にしてください。", "本人の意向を踏まえた支援であることが分かるようにしてください。"],
    ),
    (
        "next_steps",
        &["次回面談の時期と確認事項を具体的に記載してください。", "関係部署との連携について、同意の取得状況を明記してください。"],
    ),
];

const APPROVAL: &[&str] = &[
    "全体としてよくまとまっています。",
    "丁寧な聞き取りができています。",
    "プライバシーへの配慮が適切です。",
    "支援方針が具体的で分かりやすいです。",
];

/// Why an interview was cancelled or missed.
pub(super) const CANCEL_NOTES: &[&str] = &[
    "業務都合のため本人より延期の申し出",
    "体調不良のため本人より連絡",
    "出張と重なったため日程を再調整",
    "急な顧客対応のため",
    "本人の休暇取得のため日程変更",
];
pub(super) const NO_SHOW_NOTES: &[&str] =
    &["連絡なく欠席。後日本人に連絡済み", "当日欠席。業務が立て込んでいたとのこと", "欠席。改めて日程を調整する"];

/// In-person rooms; online meetings get a link instead.
pub(super) const ROOMS: &[&str] =
    &["本社 3F 面談室A", "本社 3F 面談室B", "本社 5F 相談室", "大阪支社 2F 会議室B", "第二工場 事務棟 1F 面談室", "名古屋営業所 小会議室"];

pub(super) const REQUEST_MESSAGES: &[&str] = &[
    "異動について相談したいことがあります。",
    "育児休業からの復帰後の働き方について相談したいです。",
    "今の仕事を続けていくべきか迷っています。",
    "昇格試験に向けた準備について相談させてください。",
    "職場の人間関係で悩んでいます。",
    "資格取得とキャリアの関係について話を聞きたいです。",
    "介護と仕事の両立について相談したいです。",
    "前回の面談後の状況を報告したいです。",
    "管理職になるかどうか迷っています。",
];

pub(super) const PREFERRED: &[&str] =
    &["来週の午後", "平日の夕方（16時以降）", "今月中、オンライン希望", "できるだけ早く", "午前中ならいつでも"];

pub(super) const DECLINE_REASONS: &[&str] = &[
    "ご希望の内容は人事課の制度窓口が適切なため、そちらをご案内します。",
    "ご相談の内容から、まずは産業医・保健師との面談をお勧めします。健康推進課へご連絡ください。",
    "今月は面談枠が埋まっているため、来月あらためてお申し込みください。",
];

pub(super) const SCHEDULE_REPLIES: &[&str] =
    &["ご相談ありがとうございます。上記の日時でお待ちしています。", "ご連絡ありがとうございます。当日はご自身のペースでお話しください。"];

pub(super) fn pick<'s, R: Rng>(rng: &mut R, bank: &[&'s str]) -> &'s str {
    bank.choose(rng).copied().unwrap_or("")
}

fn push_all(out: &mut String, parts: &[&str]) {
    for p in parts {
        out.push_str(p);
    }
}

/// Every sentence of every bank, for tests that look for unfilled tokens.
#[cfg(test)]
pub(super) fn all_templates() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for t in &THEMES {
        for bank in [t.career, t.workplace, t.organization, t.support, t.next] {
            v.extend_from_slice(bank);
        }
    }
    for bank in [OPENERS, CAREER_EXTRA, WORKPLACE_GENERAL, ORGANIZATION_GENERAL, SUPPORT_GENERAL, NEXT_GENERAL, NOTE_MIDDLE, NOTE_CLOSING] {
        v.extend_from_slice(bank);
    }
    v
}
