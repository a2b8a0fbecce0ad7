//! Name forms in the text: full names (family, separators, given), single forms accepted when the
//! evidence says they are a name here, the honorifics absorbed into the mask, the titles left
//! after it, and the common words that protect a form standing alone.

use super::fold::{alnum_after, alnum_before, is_katakana_or_half, Folded};
use super::index::{intersect, Candidate, Hit, NameIndex, Who};

/// Honorifics absorbed into the mask, each with the characters that, right after it, show it is
/// part of another word (山田様子 is not 山田様).
#[rustfmt::skip]
const HONORIFICS: &[(&str, &str)] = &[
    ("さん", ""), ("さま", "ざ"), ("様", "子式態相々変"), ("ちゃん", ""), ("くん", ""),
    ("君", "臨主子"), ("氏", "名族"), ("殿", "堂下"), ("サン", ""), ("サマ", ""),
    ("チャン", ""), ("クン", ""), ("ｻﾝ", ""), ("ｻﾏ", ""), ("ﾁｬﾝ", ""), ("ｸﾝ", ""),
];

/// Titles that follow a family name; they stay in the text (山田課長 → 関係者A課長).
const TITLES: &str = concat!(
    "課長 部長 係長 主任 主査 主幹 班長 室長 所長 支店長 支社長 店長 工場長 局長 本部長 ",
    "次長 副部長 副課長 社長 副社長 専務 常務 取締役 会長 理事 監査役 執行役員 役員 顧問 ",
    "参与 相談役 代表 先輩 せんぱい 後輩 先生 せんせい 医師 師長 看護師 保健師 産業医 ",
    "教授 准教授 講師 職長 組長 工長 部門長 統括 グループ長 チーム長 リーダー ",
    "サブリーダー マネージャー マネジャー マネージャ チーフ ディレクター プロデューサー ",
);

/// One-character words that read as a family name before a title but are prefixes
/// (新部長, 前社長, 本部長, 各課長): before a title they are not taken as a name.
const TITLE_PREFIXES: &str = "新前元現本各全同旧副総次初歴当某両諸故亡";

/// Common words equal to, or containing, a name form. A name form lying inside one of these
/// (and not part of a full name) is left alone, unless an honorific makes it a name. Matched on
/// the original text, so 「かない」 protects hiragana 行かない but not the katakana name カナイ.
pub(super) const COMMON_WORDS: &str = concat!(
    // given names that are everyday words
    "未来 希望 勇気 元気 一生 一生懸命 正直 公平 大地 博士 真実 正義 勝利 永遠 一心 大和 ",
    "光輝 一人 太平 孝行 直行 正常 大成 雄大 壮大 聡明 真理 明日 栄光 平和 自由 誠実 友愛 ",
    "純真 真心 ",
    // hiragana spellings of kana names that are everyday words or word endings
    "ただし はじめ まこと あきら かわい なかの なかま はるか ゆたか すすむ まもる みのる ",
    "あゆみ のぞみ めぐみ ひかり ひかる しげる つとむ さとる まさる まなぶ いさむ かおる ",
    "しのぶ ひとみ みどり あおい つばさ さかい あらい のぼる わたる たもつ おさむ かなえ ",
    "まどか いずみ あかね さくら すなお かない くらい やすい いない おおい ながい たかい ",
    "ふかい あさい ひろい うすい あかい わかい むかい まるい くろい とおい ちから ゆずる ",
    "かける ひびき いぶき ひなた みなと かなた あらた げんき のぞむ いたる たくみ あゆむ ",
    "ほのか あかり こころ いのり のどか ゆかり しずか かすみ なぎさ みやび いわい ところ ",
    "あいだ そうだ こうだ すぎた いまだ いいだ おいしい ありさま ようこそ しょう きょう ",
    "かおり しおり みなみ ひがし たくさん みなさん みなさま ",
    // loanwords containing a katakana name
    "エイジング ショウルーム ショウケース クライアント カレンダー ケイタイ ",
);

/// Characters allowed between family and given name: 山田 太郎, 山田　太郎, 山田・太郎.
pub(super) const SEPARATORS: &[char] = &[' ', '\u{3000}', '・', '\t'];
const MAX_SEPARATORS: usize = 3;

impl NameIndex {
    /// Full names: a family form, up to three separators, then a given form of the same person.
    pub(super) fn full_names(&self, text: &str, folded: &Folded, hits: &[Hit], family: &Hit, out: &mut Vec<Candidate>) {
        let form = &self.forms[family.form];
        if form.family.is_empty() {
            return;
        }
        let norm = folded.text.as_str();
        if form.ascii && alnum_before(norm, family.start) {
            return;
        }
        let rest = &norm[family.end..];
        let skipped: usize = rest.chars().take_while(|c| SEPARATORS.contains(c)).map(char::len_utf8).sum();
        if rest[..skipped].chars().count() > MAX_SEPARATORS {
            return;
        }
        let at = family.end + skipped;
        let from = hits.partition_point(|h| h.start < at);
        for given in hits[from..].iter().take_while(|h| h.start == at) {
            let gform = &self.forms[given.form];
            if gform.given.is_empty() || (gform.ascii && alnum_after(norm, given.end)) {
                continue;
            }
            let both = intersect(&form.family, &gform.given);
            if both.is_empty() {
                continue;
            }
            let name_end = folded.orig[given.end];
            let end = match after_name(&text[name_end..], true) {
                After::Honorific(len) => name_end + len,
                After::Title(_) | After::Plain => name_end,
            };
            out.push(Candidate { start: folded.orig[family.start], end, full: true, bare: false, who: Who::People(both) });
        }
    }

    /// A family or given form on its own, accepted when the evidence says it is a name here.
    pub(super) fn single(&self, text: &str, folded: &Folded, hit: &Hit, common: &[(usize, usize)]) -> Option<Candidate> {
        let form = &self.forms[hit.form];
        if form.family.is_empty() && form.given.is_empty() {
            return None;
        }
        let norm = folded.text.as_str();
        if form.ascii && (alnum_before(norm, hit.start) || alnum_after(norm, hit.end)) {
            return None;
        }
        let start = folded.orig[hit.start];
        let name_end = folded.orig[hit.end];
        let is_family = !form.family.is_empty();
        let first = norm[hit.start..].chars().next();
        let after = after_name(&text[name_end..], is_family);
        let bare = matches!(after, After::Plain);
        let (end, guard_end) = match after {
            After::Honorific(len) => (name_end + len, name_end + len),
            After::Title(len) => {
                let prefix_word = form.chars == 1 && !form.kana && first.is_some_and(|c| TITLE_PREFIXES.contains(c));
                if prefix_word {
                    return None;
                }
                (name_end, name_end + len)
            }
            After::Plain => {
                let long_enough = if form.kana { form.chars >= 3 } else { form.chars >= 2 };
                if !long_enough {
                    return None;
                }
                (name_end, name_end)
            }
        };
        if common.iter().any(|&(s, e)| s <= start && guard_end <= e) {
            return None;
        }
        Some(Candidate { start, end, full: false, bare, who: Who::Form(hit.form) })
    }
}

pub(super) enum After {
    Honorific(usize),
    Title(usize),
    Plain,
}

pub(super) fn after_name(rest: &str, family: bool) -> After {
    for &(honorific, breaks) in HONORIFICS {
        let Some(tail) = rest.strip_prefix(honorific) else {
            continue;
        };
        let next = tail.chars().next();
        if next.is_some_and(|n| breaks.contains(n)) {
            continue;
        }
        // サン in サンプル is not an honorific.
        if honorific.chars().all(is_katakana_or_half) && next.is_some_and(is_katakana_or_half) {
            continue;
        }
        return After::Honorific(honorific.len());
    }
    if family {
        if let Some(title) = TITLES.split_whitespace().find(|t| rest.starts_with(t)) {
            return After::Title(title.len());
        }
    }
    After::Plain
}
