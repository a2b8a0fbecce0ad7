use super::super::departments::specific_unit;
use super::super::names::COMMON_WORDS;
use super::synthetic::*;
use super::*;
use std::collections::HashSet;

#[rustfmt::skip]
pub(super) const FAMILIES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
    ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"),
    ("木村", "キムラ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("阿部", "アベ"),
    ("池田", "イケダ"), ("橋本", "ハシモト"), ("山下", "ヤマシタ"), ("石川", "イシカワ"),
    ("中島", "ナカジマ"), ("前田", "マエダ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("小川", "オガワ"), ("岡田", "オカダ"), ("村上", "ムラカミ"), ("長谷川", "ハセガワ"),
    ("近藤", "コンドウ"), ("石原", "イシハラ"), ("斎藤", "サイトウ"), ("坂本", "サカモト"),
    ("遠藤", "エンドウ"), ("藤井", "フジイ"), ("青木", "アオキ"), ("福田", "フクダ"),
    ("三浦", "ミウラ"), ("西村", "ニシムラ"), ("藤原", "フジワラ"), ("太田", "オオタ"),
    ("松田", "マツダ"), ("原田", "ハラダ"), ("岡本", "オカモト"), ("中川", "ナカガワ"),
    ("小野", "オノ"), ("田村", "タムラ"), ("竹内", "タケウチ"), ("金子", "カネコ"),
    ("和田", "ワダ"), ("中山", "ナカヤマ"), ("石田", "イシダ"), ("上田", "ウエダ"),
    ("林", "ハヤシ"), ("森", "モリ"), ("原", "ハラ"), ("辻", "ツジ"), ("堀", "ホリ"),
];

#[rustfmt::skip]
pub(super) const GIVENS: &[(&str, &str)] = &[
    ("太郎", "タロウ"), ("次郎", "ジロウ"), ("健太", "ケンタ"), ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"), ("拓也", "タクヤ"), ("直樹", "ナオキ"), ("和也", "カズヤ"),
    ("健一", "ケンイチ"), ("誠", "マコト"), ("浩", "ヒロシ"), ("聡", "サトシ"),
    ("亮", "リョウ"), ("隆", "タカシ"), ("剛", "ツヨシ"), ("淳", "ジュン"), ("仁", "ジン"),
    ("花子", "ハナコ"), ("恵子", "ケイコ"), ("美咲", "ミサキ"), ("由美", "ユミ"),
    ("真由美", "マユミ"), ("愛", "アイ"), ("優子", "ユウコ"), ("智子", "トモコ"),
    ("久美子", "クミコ"), ("直美", "ナオミ"), ("明美", "アケミ"), ("京子", "キョウコ"),
    ("幸子", "サチコ"), ("千尋", "チヒロ"), ("彩", "アヤ"), ("舞", "マイ"),
    ("結衣", "ユイ"), ("美穂", "ミホ"), ("沙織", "サオリ"), ("奈々", "ナナ"),
    ("理恵", "リエ"), ("陽菜", "ヒナ"), ("彩花", "アヤカ"), ("美月", "ミツキ"),
    ("萌", "モエ"), ("七海", "ナナミ"), ("桃子", "モモコ"), ("瑞穂", "ミズホ"),
    ("千夏", "チナツ"), ("亜希", "アキ"), ("紗希", "サキ"), ("大樹", "ダイキ"),
    ("悠斗", "ユウト"), ("蓮", "レン"), ("陽翔", "ハルト"), ("颯", "ハヤテ"),
    ("悠真", "ユウマ"), ("陸", "リク"), ("蒼真", "ソウマ"), ("一郎", "イチロウ"),
    ("三郎", "サブロウ"), ("健二", "ケンジ"), ("正樹", "マサキ"), ("秀樹", "ヒデキ"),
    ("雅人", "マサト"), ("康介", "コウスケ"), ("達也", "タツヤ"), ("洋平", "ヨウヘイ"),
    ("雄一", "ユウイチ"),
];

pub(super) fn bank_person(id: i64, f: usize, g: usize) -> KnownPerson {
    let (family, fk) = FAMILIES[f];
    let (given, gk) = GIVENS[g];
    person(id, family, given, fk, gk)
}

pub(super) fn forbidden_forms(p: &KnownPerson) -> Vec<String> {
    let fk = p.family_kana.clone().unwrap_or_default();
    let gk = p.given_kana.clone().unwrap_or_default();
    let mut out = Vec::new();
    for sep in ["", " ", "\u{3000}", "・"] {
        out.push(format!("{}{sep}{}", p.family, p.given));
    }
    if p.family.chars().count() >= 2 {
        out.push(p.family.clone());
    }
    if p.given.chars().count() >= 2 {
        out.push(p.given.clone());
    }
    for kana in [fk.clone(), gk.clone(), format!("{fk}{gk}")] {
        if kana.chars().count() >= 3 {
            out.push(hiragana(&kana));
            out.push(half_width(&kana));
            out.push(kana);
        }
    }
    out
}

/// Forms a listed common word protects when they stand alone (only まこと in the bank).
pub(super) fn protected(form: &str) -> bool {
    COMMON_WORDS.split_whitespace().any(|w| w.contains(form))
}

#[test]
fn pseudonym_bank_is_sound() {
    let mut exempt = HashSet::new();
    for f in 0..FAMILIES.len() {
        for g in 0..GIVENS.len() {
            for form in forbidden_forms(&bank_person(1, f, g)) {
                for filler in FILLERS.iter().chain(SUFFIXES) {
                    assert!(!filler.contains(form.as_str()), "{filler} contains {form}");
                }
                assert!(!labels().other_prefix.contains(form.as_str()));
                if protected(&form) {
                    exempt.insert(form);
                }
            }
        }
    }
    assert_eq!(exempt, HashSet::from(["まこと".to_owned()]));
    assert_eq!(half_width("ヤマダ パン"), "ﾔﾏﾀﾞ ﾊﾟﾝ");
}

#[rustfmt::skip]
pub(super) const DEPARTMENT_BANK: &[&str] = &[
    "役員室", "営業本部", "営業本部/第一営業部", "営業本部/第一営業部/法人営業課",
    "営業本部/第一営業部/営業推進課", "営業本部/第二営業部/代理店営業課", "営業本部/第二営業部/法人営業第二課",
    "営業本部/マーケティング部/デジタルマーケティング課", "製造本部", "製造本部/品質保証部",
    "製造本部/品質保証部/品質保証課", "製造本部/品質保証部/検査課", "製造本部/製造部/組立課",
    "管理本部", "管理本部/人事部", "管理本部/人事部/人事課", "管理本部/人事部/健康推進課",
    "開発本部", "開発本部/開発部/ソフトウェア開発課", "開発本部/開発部/設計課",
    "管理本部/情報システム部/情報セキュリティ課", "営業本部/カスタマーサポート部/お客様相談課",
    "経営企画本部/経営企画部/IR課", "管理本部/総務部/総務課",
];

/// Every spelling of the bank's departments that must never appear in masked text.
pub(super) fn forbidden_departments() -> Vec<String> {
    forbidden_spellings(DEPARTMENT_BANK.iter().copied())
}

/// Every spelling of these departments (given as paths) that must never appear in masked text:
/// the path, and its last segment where that is the specific name of a unit.
pub(super) fn forbidden_spellings<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for path in paths {
        let last = path.rsplit('/').next().unwrap_or(path);
        if specific_unit(last) {
            out.push(last.to_owned());
        }
        if path.contains('/') {
            out.push(path.to_owned());
        }
    }
    out
}

#[test]
fn pseudonym_department_bank_is_sound() {
    let departments = forbidden_departments();
    assert_eq!(departments.len(), 43);
    for f in 0..FAMILIES.len() {
        for g in 0..GIVENS.len() {
            for form in forbidden_forms(&bank_person(1, f, g)) {
                for d in DEPARTMENT_BANK.iter().chain(DEPARTMENT_BEFORE).chain(DEPARTMENT_AFTER) {
                    assert!(!d.contains(form.as_str()), "{d} contains {form}");
                }
            }
        }
    }
    for d in &departments {
        for filler in FILLERS.iter().chain(SUFFIXES).chain(DEPARTMENT_BEFORE).chain(DEPARTMENT_AFTER) {
            assert!(!filler.contains(d.as_str()), "{filler} contains {d}");
        }
    }
    assert_eq!(age_mention(34, 2, true), "満三十四歳");
    assert_eq!(age_mention(20, 1, false), "２０歳");
    assert_eq!(age_mention(7, 3, false), "7才");
}
