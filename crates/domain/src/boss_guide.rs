//! 上司ガイド (R8): what a boss reads and acknowledges before the first feedback — the purpose
//! of the Self-Career Dock, what the boss will and will not receive, why the employee's consent
//! matters, how to support after an interview and what not to do. The product's own text is
//! version 1 of every tenant; HR may publish new versions (R13). A boss has acknowledged the guide
//! when they acknowledged the latest version that asked for it (a minor correction may be
//! published without asking again).
//!
//! The text is plain: a line starting with `## ` is a heading, a line starting with `- ` (or
//! `・`) an item of a list, any other line a paragraph. [`blocks`] reads it for the page.

use crate::limits::TextLimit;
use crate::{Invalid, Locale};

/// The version every tenant starts with: the product's own text ([`default_text`]).
pub const PRODUCT_VERSION: i64 = 1;

pub const TITLE_JA: TextLimit =
    TextLimit { field: "title_ja", max: 120, label_ja: "タイトル（日本語）", label_en: "the Japanese title", one_line: true };
pub const BODY_JA: TextLimit =
    TextLimit { field: "body_ja", max: 20_000, label_ja: "本文（日本語）", label_en: "the Japanese text", one_line: false };
pub const TITLE_EN: TextLimit =
    TextLimit { field: "title_en", max: 120, label_ja: "タイトル（英語）", label_en: "the English title", one_line: true };
pub const BODY_EN: TextLimit =
    TextLimit { field: "body_en", max: 20_000, label_ja: "本文（英語）", label_en: "the English text", one_line: false };

/// One language's guide: a title and the body in the plain format of this module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideText {
    pub title: String,
    pub body: String,
}

/// A guide in both product languages, as published or as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuideDraft {
    pub ja: GuideText,
    pub en: GuideText,
}

impl GuideDraft {
    pub fn in_locale(&self, locale: Locale) -> &GuideText {
        match locale {
            Locale::Ja => &self.ja,
            Locale::En => &self.en,
        }
    }

    /// The product's own guide (version 1 of every tenant).
    pub fn product() -> GuideDraft {
        GuideDraft { ja: default_text(Locale::Ja), en: default_text(Locale::En) }
    }
}

/// A guide as HR typed it, checked whole: both titles and both texts required, each within its
/// limit; every problem at once, or the texts as kept (trimmed).
pub fn check_guide(title_ja: &str, body_ja: &str, title_en: &str, body_en: &str) -> Result<GuideDraft, Vec<Invalid>> {
    let mut problems = Vec::new();
    let mut field = |limit: TextLimit, value: &str| match limit.check(value) {
        Ok(v) if v.is_empty() => {
            problems.push(Invalid::new(
                limit.field,
                format!("{}を入力してください。", limit.label_ja),
                format!("enter {}", limit.label_en),
            ));
            v
        }
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let draft = GuideDraft {
        ja: GuideText { title: field(TITLE_JA, title_ja), body: field(BODY_JA, body_ja) },
        en: GuideText { title: field(TITLE_EN, title_en), body: field(BODY_EN, body_en) },
    };
    if problems.is_empty() {
        Ok(draft)
    } else {
        Err(problems)
    }
}

/// One published version's facts: its number and whether bosses were asked to read it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishedVersion {
    pub version: i64,
    pub asks_acknowledgment: bool,
}

/// The version a boss must have acknowledged: the latest that asked for it, or the product's
/// own text when no version did.
pub fn required_version(published: &[PublishedVersion]) -> i64 {
    published.iter().filter(|v| v.asks_acknowledgment).map(|v| v.version).max().unwrap_or(PRODUCT_VERSION).max(PRODUCT_VERSION)
}

/// Whether a boss whose latest acknowledgment is of `acknowledged` has acknowledged the guide
/// that asks for `required`. Acknowledging a later version (a minor correction) also counts.
pub fn is_acknowledged(required: i64, acknowledged: Option<i64>) -> bool {
    acknowledged.is_some_and(|v| v >= required)
}

/// The version a newly published guide gets: one after the latest.
pub fn next_version(latest: i64) -> i64 {
    latest.max(PRODUCT_VERSION) + 1
}

/// A part of the guide's text as the page draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
}

/// Reads the plain format: `## ` headings, `- ` or `・` list items (consecutive items make one
/// list), other non-blank lines paragraphs. Nothing is markup but these line starts, so any text
/// is safe to draw escaped.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix("## ").or_else(|| line.strip_prefix("##　")) {
            out.push(Block::Heading(h.trim().to_string()));
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix('・')) {
            let item = item.trim().to_string();
            match out.last_mut() {
                Some(Block::List(items)) => items.push(item),
                _ => out.push(Block::List(vec![item])),
            }
        } else {
            out.push(Block::Paragraph(line.to_string()));
        }
    }
    out
}

/// The product's guide in one language, written for this product (R8).
pub fn default_text(locale: Locale) -> GuideText {
    match locale {
        Locale::Ja => GuideText { title: DEFAULT_TITLE_JA.to_string(), body: DEFAULT_BODY_JA.to_string() },
        Locale::En => GuideText { title: DEFAULT_TITLE_EN.to_string(), body: DEFAULT_BODY_EN.to_string() },
    }
}

const DEFAULT_TITLE_JA: &str = "上司の皆さまへ：セルフ・キャリアドックとキャリアコンサルティングについて";

const DEFAULT_BODY_JA: &str = "\
当社では、従業員一人ひとりが自らのキャリアを主体的に考え、働きがいを持って力を発揮できるよう、セルフ・キャリアドックとして定期的にキャリアコンサルティングの機会を設けています。部下の方への支援にあたって、上司の皆さまに知っておいていただきたいことをまとめました。最後までお読みいただき、内容を確認したら「読みました・理解しました」を押してください。

## キャリアコンサルティングの目的
キャリアコンサルティングは、国家資格を持つキャリアコンサルタントとの面談を通じて、本人がこれまでの経験や強み、価値観を振り返り、これからの働き方を自分で考えるための時間です。
- 本人が自分のキャリアの方向性を考え、納得して選べるようにすること
- 仕事への意欲や職場への適応を高め、力を発揮しやすい環境につなげること
- 必要に応じて、上司や職場、関係部署からの支援につなげること
面談は評価や指導の場ではありません。本人が安心して本音を話せることが、何より大切です。

## 上司の方が受け取るもの・受け取らないもの
- 受け取るもの：本人が同意した場合に限り、キャリアコンサルタントが本人と文面を確認したうえでお送りする「上司へのフィードバック」
- 受け取らないもの：面談の記録、個別報告書、本人が話した内容そのもの、本人が共有に同意しなかった事項
- 本人はいつでも同意を取り消すことができます。取り消された時点で、フィードバックは表示されなくなります。
フィードバックが届かないことは、面談で問題があったことを意味しません。共有するかどうかは、本人が決めることです。

## なぜ本人の同意が必要なのか
面談では、健康や家庭の事情など、特に配慮が必要な個人情報（要配慮個人情報）が話されることがあります。本人が「この内容なら、この人に伝えてよい」と納得したものだけを共有することで、安心して話せる面談が成り立ち、結果として本人の成長と職場の力につながります。本人の同意のない情報は、上司の方にも人事部門にも共有されません。ただし、生命や安全に関わる緊急の場合に限り、定められた手続きにより関係者へ連絡することがあります。

## 面談後の支援のしかた
- フィードバックを受け取ったら、まずは本人と話す時間を設け、本人の考えを聴くことから始めてください。
- 本人が挙げた目標や希望について、仕事の任せ方、育成や学びの機会、働き方の調整など、職場でできる支援を本人と一緒に考えてください。
- 支援は一度きりにせず、日頃の声かけや定期的な1on1ミーティングで続けてください。
- キャリアコンサルタントから上司の方へのコンサルテーション（面談）をお願いすることがあります。面談前後の本人の変化や業務の状況を伺い、支援の進め方を一緒に考えますので、ご協力をお願いします。

## してはいけないこと
- 面談で何を話したかを本人に尋ねたり、フィードバックの共有を求めたり、促したりしないでください。
- 面談の内容やフィードバックを、人事評価、昇進・昇格、配置などの判断に用いないでください。
- フィードバックの内容を、本人の同意なく他の人に伝えたり、書き写して保存したりしないでください。
- 面談を受けたこと、受けなかったこと、同意しなかったことを理由に、本人を不利益に扱わないでください。

## 困ったときは
本人の様子で心配なことがあるときや、支援のしかたに迷うときは、人事部門またはキャリアコンサルタントにご相談ください。心身の健康に不安がありそうなときは、産業保健スタッフにおつなぎください。
";

const DEFAULT_TITLE_EN: &str = "For managers: the Self-Career Dock and career consulting";

const DEFAULT_BODY_EN: &str = "\
Our company runs the Self-Career Dock: regular career consulting that helps every employee think about their own career, find meaning in their work and use their strengths. This guide explains what managers need to know to support the members of their team. Please read it to the end and then press \"I have read and understood this\".

## What career consulting is for
In career consulting, the employee meets a nationally certified career consultant to look back on their experience, strengths and values, and to think about how they want to work from now on.
- To help the employee think through the direction of their career and choose it for themselves
- To strengthen motivation and fit with the workplace, so the employee can do their best work
- Where needed, to connect the employee with support from their manager, the workplace and other departments
The interview is not an evaluation or a coaching session by the company. What matters most is that the employee can speak openly and in confidence.

## What you will and will not receive
- You will receive: only if the employee agrees, the \"feedback to the manager\" whose exact wording the career consultant has agreed with the employee
- You will not receive: interview notes, individual reports, what the employee said, or anything the employee did not agree to share
- The employee can withdraw consent at any time. From that moment the feedback is no longer shown to you.
Receiving no feedback does not mean that anything went wrong in the interview. Whether to share is the employee's decision.

## Why the employee's consent matters
Interviews can touch on health, family circumstances and other special-care personal information. Sharing only what the employee has agreed may be passed on, and to whom, is what lets them talk openly; in the end that serves both their growth and the team. Nothing the employee has not agreed to share is passed to you or to HR. Only in an emergency involving someone's life or safety may the people concerned be contacted, under a defined procedure.

## How to support after an interview
- When you receive feedback, first make time to talk with the employee and start by listening to what they think.
- Work out together what the workplace can do for the goals and wishes they raise: how work is assigned, chances to learn and grow, adjustments to how they work.
- Keep the support going through everyday conversations and regular one-on-one meetings, not just once.
- The career consultant may ask to meet you (a consultation with the manager) to hear how the employee has changed since the interview and how their work is going, and to plan support together. Please take part.

## What not to do
- Do not ask the employee what was said in the interview, and do not ask or nudge them to share feedback.
- Do not use the interview or the feedback in performance evaluations, promotion or placement decisions.
- Do not pass the feedback on to anyone, or copy and keep it, without the employee's consent.
- Do not treat the employee less favourably because they had an interview, did not have one, or did not agree to share.

## When you are unsure
If you are worried about the employee, or unsure how to support them, talk to HR or to the career consultant. If their physical or mental health seems to be at risk, put them in touch with the occupational health staff.
";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_product_guide_reads_as_headings_paragraphs_and_lists_in_both_languages() {
        for locale in [Locale::Ja, Locale::En] {
            let g = default_text(locale);
            let b = blocks(&g.body);
            let headings = b.iter().filter(|x| matches!(x, Block::Heading(_))).count();
            let lists = b.iter().filter(|x| matches!(x, Block::List(_))).count();
            assert_eq!(headings, 6, "{locale:?}");
            assert_eq!(lists, 4, "{locale:?}");
            assert!(matches!(b.first(), Some(Block::Paragraph(_))));
            assert!(check_guide(&g.title, &g.body, "t", "b").is_ok());
            assert!(TITLE_JA.fits(&g.title) && BODY_JA.fits(&g.body));
        }
        let ja = default_text(Locale::Ja).body;
        for must in ["同意", "人事評価", "要配慮個人情報", "1on1", "コンサルテーション"] {
            assert!(ja.contains(must), "{must}");
        }
        let en = default_text(Locale::En).body;
        assert!(!en.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }

    #[test]
    fn blocks_group_consecutive_items_and_ignore_blank_lines() {
        let b = blocks("前書き\n\n## 見出し\n- 一\n・二\n本文\n- 三\n");
        assert_eq!(
            b,
            vec![
                Block::Paragraph("前書き".into()),
                Block::Heading("見出し".into()),
                Block::List(vec!["一".into(), "二".into()]),
                Block::Paragraph("本文".into()),
                Block::List(vec!["三".into()]),
            ]
        );
        assert_eq!(blocks("<script>x</script>"), vec![Block::Paragraph("<script>x</script>".into())]);
    }

    #[test]
    fn a_guide_is_checked_whole() {
        let fields = |a: &str, b: &str, c: &str, d: &str| {
            check_guide(a, b, c, d).err().unwrap_or_default().into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert_eq!(fields(" ", "", "t\nx", &"x".repeat(20_001)), vec!["title_ja", "body_ja", "title_en", "body_en"]);
        assert_eq!(fields("題", "本文", "Title", "Text"), Vec::<&str>::new());
        let ok = check_guide(" 題 ", "本文\n", "Title", "Text").unwrap_or_else(|_| GuideDraft::product());
        assert_eq!(ok.ja.title, "題");
        assert_eq!(ok.in_locale(Locale::En).title, "Title");
    }

    #[test]
    fn the_required_version_is_the_latest_that_asked() {
        let v = |version, asks_acknowledgment| PublishedVersion { version, asks_acknowledgment };
        assert_eq!(required_version(&[]), 1);
        assert_eq!(required_version(&[v(2, true), v(3, false)]), 2);
        assert_eq!(required_version(&[v(2, false), v(3, false)]), 1);
        assert_eq!(required_version(&[v(2, true), v(4, true), v(3, false)]), 4);
        assert!(!is_acknowledged(1, None));
        assert!(is_acknowledged(2, Some(3)));
        assert!(!is_acknowledged(4, Some(3)));
        assert_eq!(next_version(0), 2);
        assert_eq!(next_version(5), 6);
    }

    proptest! {
        /// Publishing a minor correction never asks a boss who had acknowledged to do it again,
        /// and publishing one that asks always does, until they acknowledge it.
        #[test]
        fn acknowledgment_follows_what_each_version_asks(asks in proptest::collection::vec(any::<bool>(), 0..12), acked_at in 0usize..12) {
            let published: Vec<PublishedVersion> =
                asks.iter().enumerate().map(|(i, a)| PublishedVersion { version: i as i64 + 2, asks_acknowledgment: *a }).collect();
            let acked = (acked_at <= asks.len()).then_some(acked_at as i64 + 1);
            let required = required_version(&published);
            let later_asked = published.iter().any(|p| p.asks_acknowledgment && Some(p.version) > acked);
            prop_assert_eq!(is_acknowledged(required, acked), acked.is_some() && !later_asked);
        }

        #[test]
        fn any_text_reads_without_losing_a_non_blank_line(text in "[a-zあ-ん#・ \\-\n]{0,200}") {
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            let parts: usize = blocks(&text).iter().map(|b| match b { Block::List(items) => items.len(), _ => 1 }).sum();
            prop_assert_eq!(parts, lines);
        }
    }
}
