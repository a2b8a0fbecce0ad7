//! キャリア意識アンケート: the product's own questionnaire (code `career-awareness`), written for
//! careerdock and not taken or adapted from any published scale. Sixteen statements on a
//! five-point agreement scale, four per subscale: career awareness, self-understanding, action
//! toward goals and engagement with one's work; one item in each subscale is reverse-scored.
//! It has not been validated psychometrically: check its reliability on the tenant's own answers
//! before reading much into a subscale.

use super::{Item, Questionnaire, QuestionnaireDraft, Scale, Subscale, Text};

pub const CODE: &str = "career-awareness";

const SUBSCALES: [(&str, &str, &str); 4] = [
    ("awareness", "キャリアへの意識", "Career awareness"),
    ("self_understanding", "自己理解", "Self-understanding"),
    ("action", "目標に向けた行動", "Action toward goals"),
    ("engagement", "仕事への関わり", "Engagement with work"),
];

/// (code, subscale, reverse, Japanese, English).
#[rustfmt::skip]
const ITEMS: [(&str, &str, bool, &str, &str); 16] = [
    ("q01", "awareness", false,
     "数年先の自分の働き方について、考えをめぐらせることがある。",
     "I give thought to how I would like to be working a few years from now."),
    ("q02", "awareness", false,
     "これから積みたい経験や担いたい役割を、具体的に挙げることができる。",
     "I can name specific experiences I want to gain or roles I want to take on next."),
    ("q03", "awareness", true,
     "自分のキャリアは、会社の異動や配置に任せておけばよいと思う。",
     "I think my career can simply be left to the company's transfers and placements."),
    ("q04", "awareness", false,
     "職場や業界の変化が自分の仕事にどう影響するか、気にかけている。",
     "I keep in mind how changes in my workplace and industry may affect my work."),
    ("q05", "self_understanding", false,
     "自分の強みを、これまでの仕事の具体例とともに説明できる。",
     "I can explain my strengths with concrete examples from my work so far."),
    ("q06", "self_understanding", false,
     "仕事を選ぶうえで、自分にとって譲れないことがわかっている。",
     "I know what I will not give up when it comes to choosing my work."),
    ("q07", "self_understanding", true,
     "自分にどんな仕事が合っているのか、見当がつかない。",
     "I have no idea what kind of work suits me."),
    ("q08", "self_understanding", false,
     "うまくいった仕事を振り返り、その理由を自分なりに整理したことがある。",
     "I have looked back on work that went well and worked out for myself why it did."),
    ("q09", "action", false,
     "目標に向けて、いつまでに何をするかを決めている。",
     "I have decided what I will do toward my goals, and by when."),
    ("q10", "action", false,
     "この半年の間に、目標に近づくための取り組みを新たに始めた。",
     "In the past six months I have started something new to move closer to my goals."),
    ("q11", "action", false,
     "仕事に必要な知識や技能を学ぶ時間を、自分でつくっている。",
     "I make time of my own to learn the knowledge and skills my work needs."),
    ("q12", "action", true,
     "やりたいことはあっても、実際にはまだ何も動き出せていない。",
     "There are things I want to do, but I have not yet taken any real step toward them."),
    ("q13", "engagement", false,
     "今の仕事を通じて、自分が成長していると感じる。",
     "I feel that I am growing through my current work."),
    ("q14", "engagement", false,
     "仕事の進め方を、自分なりに工夫している。",
     "I find my own ways to improve how I go about my work."),
    ("q15", "engagement", true,
     "仕事に向かう気持ちが、以前より弱くなっている。",
     "My drive toward my work is weaker than it used to be."),
    ("q16", "engagement", false,
     "今の職場で、自分の経験や力が生かされていると感じる。",
     "I feel that my experience and abilities are put to good use in my current workplace."),
];

const LABELS: [(&str, &str); 5] = [
    ("あてはまらない", "Not true of me"),
    ("あまりあてはまらない", "Mostly not true of me"),
    ("どちらともいえない", "Neither"),
    ("ややあてはまる", "Somewhat true of me"),
    ("あてはまる", "True of me"),
];

/// The definition as every tenant first gets it.
pub fn draft() -> QuestionnaireDraft {
    QuestionnaireDraft {
        code: CODE.to_string(),
        title: Text::new("キャリア意識アンケート", "Career awareness questionnaire"),
        instructions: Text::new(
            "ここ1か月ほどのご自身を思い浮かべて、それぞれの文がどの程度あてはまるか、最も近いものを1つ選んでください。\
             正解や望ましい答えはありません。回答は面談の振り返りと、個人が特定されない形での集計に使います。",
            "Think of yourself over the past month or so and choose, for each statement, the answer closest to how true it \
             is of you. There are no right or desirable answers. Your answers are used to look back on your interviews and \
             in totals from which no one can be identified.",
        ),
        scale: Scale { min: 1, max: 5, labels: LABELS.iter().map(|(ja, en)| Text::new(*ja, *en)).collect() },
        subscales: SUBSCALES.iter().map(|(code, ja, en)| Subscale { code: (*code).to_string(), name: Text::new(*ja, *en) }).collect(),
        items: ITEMS
            .iter()
            .map(|(code, subscale, reverse, ja, en)| Item {
                code: (*code).to_string(),
                text: Text::new(*ja, *en),
                reverse: *reverse,
                subscale: Some((*subscale).to_string()),
            })
            .collect(),
    }
}

/// The checked questionnaire. Its definition is tested to be valid, so this cannot fail at
/// run time; should it ever, the caller gets the problems rather than a panic.
pub fn questionnaire() -> Result<Questionnaire, Vec<super::DefinitionProblem>> {
    Questionnaire::parse(draft())
}
