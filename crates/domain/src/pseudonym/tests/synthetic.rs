//! The synthetic company of the tests and of the benchmark (`cargo bench -p careerdock-domain`,
//! which includes this file): people drawn from name banks, the demo's department tree, and
//! texts mixing their names, departments and ages with ordinary report phrases. Only the public
//! API is used here, so that the benchmark can share it.

#![allow(dead_code)]

use super::KnownPerson;

#[rustfmt::skip]
pub const FILLERS: &[&str] = &[
    "面談では", "について話した。", "今後のキャリアの方向性を", "上司との関係", "本人は",
    "が気になっている。", "と相談した。", "から連絡があった。", "の件で",
    "は前向きだった。", "仕事のやりがい", "研修の効果", "チームの雰囲気", "、", "。",
    "異動を希望している。", "\n", " ", "を確認した。", "に伝えた。",
];

#[rustfmt::skip]
pub const SUFFIXES: &[&str] = &[
    "", "", "", "さん", "様", "君", "くん", "氏", "ちゃん", "課長", "部長", "係長", "主任",
    "リーダー", "マネージャー", "先輩", "社長", "専務",
];

pub fn hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Full-width katakana to half-width, splitting voiced kana into base + ﾞ/ﾟ.
pub fn half_width(s: &str) -> String {
    const HALF: &str = "ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
    const FULL: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ";
    const PLAIN: &str = "カキクケコサシスセソタチツテトハヒフヘホウ";
    const SEMI: &str = "パピプペポ";
    const SEMI_PLAIN: &str = "ハヒフヘホ";
    let half = |c: char| FULL.chars().position(|f| f == c).and_then(|i| HALF.chars().nth(i));
    let mut out = String::new();
    for c in s.chars() {
        let (base, mark) = if let Some(i) = VOICED.chars().position(|v| v == c) {
            (PLAIN.chars().nth(i).unwrap_or(c), Some('\u{FF9E}'))
        } else if let Some(i) = SEMI.chars().position(|v| v == c) {
            (SEMI_PLAIN.chars().nth(i).unwrap_or(c), Some('\u{FF9F}'))
        } else {
            (c, None)
        };
        match half(base) {
            Some(h) => {
                out.push(h);
                out.extend(mark);
            }
            None => out.push(c),
        }
    }
    out
}

pub fn name_form(p: &KnownPerson, kind: usize) -> String {
    let fk = p.family_kana.clone().unwrap_or_default();
    let gk = p.given_kana.clone().unwrap_or_default();
    let (f, g) = (&p.family, &p.given);
    match kind {
        0 => format!("{f}{g}"),
        1 => format!("{f} {g}"),
        2 => format!("{f}\u{3000}{g}"),
        3 => format!("{f}・{g}"),
        4 => f.clone(),
        5 => g.clone(),
        6 => format!("{fk}{gk}"),
        7 => format!("{fk} {gk}"),
        8 => fk,
        9 => gk,
        10 => hiragana(&format!("{fk}{gk}")),
        11 => hiragana(&fk),
        12 => hiragana(&gk),
        13 => half_width(&format!("{fk} {gk}")),
        14 => half_width(&fk),
        15 => half_width(&gk),
        _ => format!("{f} {gk}"),
    }
}

/// Before and after a department mentioned in the text.
pub const DEPARTMENT_BEFORE: &[&str] = &["、", "は", "と", "\n", "（", "。"];
pub const DEPARTMENT_AFTER: &[&str] = &["", "", "の", "では", "長", "から", "）", "に異動した。", "の業務量は増加傾向"];

pub fn department_mention(path: &str, kind: usize) -> String {
    let last = path.rsplit('/').next().unwrap_or(path);
    match kind {
        0 | 1 => last.to_owned(),
        2 => path.to_owned(),
        3 => path.replace('/', "／"),
        4 => path.replace('/', " "),
        5 => path.replace('/', " / "),
        _ => path.replace('/', ""),
    }
}

pub fn age_mention(years: u32, style: usize, man: bool) -> String {
    const FULL: [char; 10] = ['０', '１', '２', '３', '４', '５', '６', '７', '８', '９'];
    let number = match style {
        1 => years.to_string().chars().map(|d| FULL[d.to_digit(10).unwrap_or(0) as usize]).collect(),
        2 if (1..100).contains(&years) => {
            let digit = |d: u32| "〇一二三四五六七八九".chars().nth(d as usize).map(String::from).unwrap_or_default();
            let tens = match years / 10 {
                0 => String::new(),
                1 => "十".to_owned(),
                t => format!("{}十", digit(t)),
            };
            let ones = match years % 10 {
                0 => String::new(),
                d => digit(d),
            };
            format!("{tens}{ones}")
        }
        _ => years.to_string(),
    };
    let unit = if style == 3 { "才" } else { "歳" };
    format!("{}{number}{unit}", if man { "満" } else { "" })
}

#[rustfmt::skip]
const SYLLABLES_A: &[(&str, &str)] = &[
    ("大", "オオ"), ("小", "コ"), ("中", "ナカ"), ("上", "カミ"), ("下", "シモ"),
    ("北", "キタ"), ("南", "ミナミ"), ("西", "ニシ"), ("東", "ヒガシ"), ("石", "イシ"),
    ("岩", "イワ"), ("松", "マツ"), ("竹", "タケ"), ("梅", "ウメ"), ("桜", "サクラ"),
    ("杉", "スギ"), ("森", "モリ"), ("林", "ハヤシ"), ("川", "カワ"), ("山", "ヤマ"),
];
#[rustfmt::skip]
const SYLLABLES_B: &[(&str, &str)] = &[
    ("田", "タ"), ("野", "ノ"), ("川", "カワ"), ("山", "ヤマ"), ("島", "シマ"),
    ("沢", "サワ"), ("井", "イ"), ("村", "ムラ"), ("本", "モト"), ("原", "ハラ"),
    ("谷", "タニ"), ("口", "グチ"), ("崎", "サキ"), ("木", "キ"), ("橋", "ハシ"),
    ("岡", "オカ"), ("内", "ウチ"), ("浦", "ウラ"), ("尾", "オ"), ("部", "ベ"),
];
const SYLLABLES_C: &[(&str, &str)] = &[("", ""), ("田", "ダ"), ("川", "ガワ"), ("島", "ジマ"), ("野", "ノ")];
#[rustfmt::skip]
const GIVEN_A: &[(&str, &str)] = &[
    ("健", "ケン"), ("大", "ダイ"), ("翔", "ショウ"), ("拓", "タク"), ("直", "ナオ"),
    ("和", "カズ"), ("誠", "セイ"), ("浩", "コウ"), ("隆", "タカ"), ("正", "マサ"),
    ("秀", "ヒデ"), ("雅", "マサ"), ("康", "ヤス"), ("達", "タツ"), ("洋", "ヨウ"),
    ("雄", "ユウ"), ("美", "ミ"), ("真", "マ"), ("智", "トモ"), ("優", "ユウ"),
];
#[rustfmt::skip]
const GIVEN_B: &[(&str, &str)] = &[
    ("太", "タ"), ("介", "スケ"), ("也", "ヤ"), ("樹", "キ"), ("一", "イチ"), ("二", "ジ"),
    ("人", "ト"), ("平", "ヘイ"), ("斗", "ト"), ("輔", "スケ"), ("子", "コ"), ("美", "ミ"),
    ("奈", "ナ"), ("香", "カ"), ("恵", "エ"), ("穂", "ホ"), ("花", "カ"), ("菜", "ナ"),
    ("希", "キ"), ("郎", "ロウ"),
];
const GIVEN_C: &[(&str, &str)] = &[("", ""), ("郎", "ロウ"), ("子", "コ"), ("美", "ミ")];

/// Deterministic pseudo-random numbers (64-bit LCG), so the benchmark needs no extra crate.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
    pub fn pick<'a>(&mut self, list: &'a [(&'a str, &'a str)]) -> (&'a str, &'a str) {
        list[self.below(list.len())]
    }
}

pub fn synthetic_people(n: usize, rng: &mut Lcg) -> Vec<KnownPerson> {
    (0..n)
        .map(|i| {
            let (fa, fb, fc) = (rng.pick(SYLLABLES_A), rng.pick(SYLLABLES_B), rng.pick(SYLLABLES_C));
            let (ga, gb, gc) = (rng.pick(GIVEN_A), rng.pick(GIVEN_B), rng.pick(GIVEN_C));
            KnownPerson {
                id: i as i64 + 1,
                family: format!("{}{}{}", fa.0, fb.0, fc.0),
                given: format!("{}{}{}", ga.0, gb.0, gc.0),
                family_kana: Some(format!("{}{}{}", fa.1, fb.1, fc.1)),
                given_kana: Some(format!("{}{}{}", ga.1, gb.1, gc.1)),
                employee_number: Some(employee_number(i)),
                email: Some(email(i)),
            }
        })
        .collect()
}

/// The `i`-th employee number, as the demo writes them (E + six digits).
pub fn employee_number(i: usize) -> String {
    format!("E{:06}", i + 1)
}

/// The `i`-th e-mail address, as the demo writes them.
pub fn email(i: usize) -> String {
    format!("{}@demo.example.com", employee_number(i).to_ascii_lowercase())
}

/// Worst case for the automaton: every name distinct (random kanji and katakana).
pub fn distinct_people(n: usize, rng: &mut Lcg) -> Vec<KnownPerson> {
    let mut word =
        |len: usize, base: u32, span: usize| -> String { (0..len).filter_map(|_| char::from_u32(base + rng.below(span) as u32)).collect() };
    (0..n)
        .map(|i| KnownPerson {
            id: i as i64 + 1,
            family: word(2, 0x4E00, 6_000),
            given: word(2, 0x4E00, 6_000),
            family_kana: Some(word(4, 0x30A2, 80)),
            given_kana: Some(word(3, 0x30A2, 80)),
            employee_number: Some(employee_number(i)),
            email: Some(email(i)),
        })
        .collect()
}

#[rustfmt::skip]
const DEMO_KINDS: &[(&str, usize, &[&str])] = &[
    ("営業", 1, &["法人営業課", "営業推進課", "代理店営業課", "官公庁営業課", "海外営業課"]),
    ("人事", 4, &["人事課", "労務課", "人材開発課", "採用課", "健康推進課"]),
    ("製造", 3, &["製造課", "組立課", "加工課", "生産技術課", "設備保全課"]),
    ("開発", 2, &["設計課", "ソフトウェア開発課", "試作課", "評価課", "技術管理課"]),
    ("経理", 4, &["経理課", "財務課", "管理会計課", "税務課"]),
    ("総務", 4, &["総務課", "施設管理課", "庶務課", "秘書課"]),
    ("経営企画", 0, &["経営企画課", "広報課", "事業開発課", "IR課"]),
    ("品質保証", 3, &["品質管理課", "品質保証課", "検査課", "環境安全課"]),
    ("情報システム", 4, &["システム企画課", "インフラ課", "業務システム課", "情報セキュリティ課"]),
    ("マーケティング", 1, &["市場調査課", "販売促進課", "商品企画課", "デジタルマーケティング課"]),
    ("研究開発", 2, &["基礎研究課", "応用研究課", "材料研究課", "先行開発課"]),
    ("購買", 3, &["調達課", "購買管理課", "外注管理課"]),
    ("生産管理", 3, &["生産計画課", "工程管理課", "資材課"]),
    ("物流", 3, &["物流企画課", "倉庫管理課", "配送課", "出荷管理課"]),
    ("カスタマーサポート", 1, &["お客様相談課", "技術サポート課", "修理サービス課"]),
    ("法務", 0, &["法務課", "知的財産課", "コンプライアンス課"]),
];
const DEMO_FAMILIES: [&str; 5] = ["経営企画本部", "営業本部", "開発本部", "製造本部", "管理本部"];
const DEMO_REPEATS: [usize; 9] = [0, 2, 3, 0, 2, 14, 13, 7, 8];

fn kanji(n: usize) -> String {
    let digits = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let units = ["", "十", "百", "千"];
    let mut out = String::new();
    for place in (0..4).rev() {
        let d = n / 10usize.pow(place as u32) % 10;
        if d > 0 {
            out.push_str(if d == 1 && place > 0 { "" } else { digits[d] });
            out.push_str(units[place]);
        }
    }
    out
}

/// The demo company's department paths for `total` departments (crates/demo/src/org.rs,
/// condensed): 役員室, 本部 split every eight 部, numbered 部 of sixteen kinds, and their 課
/// cycling through each kind's names (法人営業課, …, then 法人営業第二課).
pub fn demo_departments(total: usize) -> Vec<String> {
    let kind_at = |i: usize| if i < DEMO_KINDS.len() { i } else { DEMO_REPEATS[(i - DEMO_KINDS.len()) % DEMO_REPEATS.len()] };
    let (mut per_family, mut divisions, mut parts) = ([0usize; 5], 0, 0);
    loop {
        let family = DEMO_KINDS[kind_at(parts)].1;
        let opens = usize::from(per_family[family] % 8 == 0);
        if 1 + divisions + opens + (parts + 1) * 3 > total {
            break;
        }
        per_family[family] += 1;
        divisions += opens;
        parts += 1;
    }
    let sections = total - 1 - divisions - parts;
    let mut kind_total = vec![0; DEMO_KINDS.len()];
    let mut seen = vec![0; DEMO_KINDS.len()];
    let mut by_family: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); DEMO_FAMILIES.len()];
    for i in 0..parts {
        kind_total[kind_at(i)] += 1;
    }
    for i in 0..parts {
        let k = kind_at(i);
        by_family[DEMO_KINDS[k].1].push((k, seen[k], i));
        seen[k] += 1;
    }
    let numbered = |stem: &str, suffix: &str, n: usize, of: usize| {
        if of <= 1 {
            format!("{stem}{suffix}")
        } else {
            format!("第{}{stem}{suffix}", kanji(n + 1))
        }
    };
    let mut out = vec!["役員室".to_owned()];
    for (family, slots) in by_family.iter().enumerate() {
        let count = slots.len().div_ceil(8);
        let mut next = 0;
        for division in 0..count {
            let head = numbered("", DEMO_FAMILIES[family], division, count);
            out.push(head.clone());
            while next < slots.len() && next * count / slots.len() == division {
                let (k, ordinal, index) = slots[next];
                next += 1;
                let (stem, _, names) = DEMO_KINDS[k];
                let part = format!("{head}/{}", numbered(stem, "部", ordinal, kind_total[k]));
                out.push(part.clone());
                for i in 0..sections / parts + usize::from(index < sections % parts) {
                    let (base, round) = (names[i % names.len()], i / names.len());
                    let name =
                        if round == 0 { base.to_owned() } else { format!("{}第{}課", base.trim_end_matches('課'), kanji(round + 1)) };
                    out.push(format!("{part}/{name}"));
                }
            }
        }
    }
    out
}

/// A report-like text of about `chars` characters: ordinary phrases and, one piece in four, a
/// name form of one of `people` (any kind of [`name_form`]) with a suffix. Also returns whom it
/// names (indices into `people`).
pub fn names_text(people: &[KnownPerson], chars: usize, rng: &mut Lcg) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut named = Vec::new();
    while text.chars().count() < chars {
        if rng.below(4) == 0 {
            let who = rng.below(people.len());
            named.push(who);
            text.push_str(&name_form(&people[who], rng.below(17)));
            text.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
        } else {
            text.push_str(FILLERS[rng.below(FILLERS.len())]);
        }
    }
    (text, named)
}

/// Like [`names_text`], with departments of `departments` (written in the seven ways of
/// [`department_mention`]) and exact ages too. Also returns whom it names and how many ages.
pub fn rich_text(people: &[KnownPerson], departments: &[String], chars: usize, rng: &mut Lcg) -> (String, Vec<usize>, usize) {
    let mut text = String::new();
    let mut named = Vec::new();
    let mut ages = 0;
    while text.chars().count() < chars {
        match rng.below(40) {
            0..=9 => {
                let who = rng.below(people.len());
                named.push(who);
                text.push_str(&name_form(&people[who], rng.below(17)));
                text.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
            }
            10 | 11 => {
                text.push_str(DEPARTMENT_BEFORE[rng.below(DEPARTMENT_BEFORE.len())]);
                text.push_str(&department_mention(&departments[rng.below(departments.len())], rng.below(7)));
                text.push_str(DEPARTMENT_AFTER[rng.below(DEPARTMENT_AFTER.len())]);
            }
            12 => {
                text.push_str("本人（");
                text.push_str(&age_mention(20 + rng.below(45) as u32, rng.below(4), rng.below(2) == 0));
                text.push_str("）は");
                ages += 1;
            }
            _ => text.push_str(FILLERS[rng.below(FILLERS.len())]),
        }
    }
    (text, named, ages)
}

/// Spellings of each kana in Latin letters: Hepburn first, then the common variants.
#[rustfmt::skip]
const SPELLINGS: &[(&str, &[&str])] = &[
    ("ア", &["a"]), ("イ", &["i"]), ("ウ", &["u"]), ("エ", &["e"]), ("オ", &["o"]),
    ("カ", &["ka"]), ("キ", &["ki"]), ("ク", &["ku"]), ("ケ", &["ke"]), ("コ", &["ko"]),
    ("ガ", &["ga"]), ("ギ", &["gi"]), ("グ", &["gu"]), ("ゲ", &["ge"]), ("ゴ", &["go"]),
    ("サ", &["sa"]), ("シ", &["shi", "si"]), ("ス", &["su"]), ("セ", &["se"]), ("ソ", &["so"]),
    ("ザ", &["za"]), ("ジ", &["ji", "zi"]), ("ズ", &["zu"]), ("ゼ", &["ze"]), ("ゾ", &["zo"]),
    ("タ", &["ta"]), ("チ", &["chi", "ti"]), ("ツ", &["tsu", "tu"]), ("テ", &["te"]), ("ト", &["to"]),
    ("ダ", &["da"]), ("ヂ", &["ji", "di"]), ("ヅ", &["zu", "du"]), ("デ", &["de"]), ("ド", &["do"]),
    ("ナ", &["na"]), ("ニ", &["ni"]), ("ヌ", &["nu"]), ("ネ", &["ne"]), ("ノ", &["no"]),
    ("ハ", &["ha"]), ("ヒ", &["hi"]), ("フ", &["fu", "hu"]), ("ヘ", &["he"]), ("ホ", &["ho"]),
    ("バ", &["ba"]), ("ビ", &["bi"]), ("ブ", &["bu"]), ("ベ", &["be"]), ("ボ", &["bo"]),
    ("パ", &["pa"]), ("ピ", &["pi"]), ("プ", &["pu"]), ("ペ", &["pe"]), ("ポ", &["po"]),
    ("マ", &["ma"]), ("ミ", &["mi"]), ("ム", &["mu"]), ("メ", &["me"]), ("モ", &["mo"]),
    ("ヤ", &["ya"]), ("ユ", &["yu"]), ("ヨ", &["yo"]),
    ("ラ", &["ra"]), ("リ", &["ri"]), ("ル", &["ru"]), ("レ", &["re"]), ("ロ", &["ro"]),
    ("ワ", &["wa"]), ("ヲ", &["o", "wo"]),
    ("キャ", &["kya"]), ("キュ", &["kyu"]), ("キョ", &["kyo"]), ("ギャ", &["gya"]), ("ギュ", &["gyu"]), ("ギョ", &["gyo"]),
    ("シャ", &["sha", "sya"]), ("シュ", &["shu", "syu"]), ("ショ", &["sho", "syo"]),
    ("ジャ", &["ja", "zya", "jya"]), ("ジュ", &["ju", "zyu", "jyu"]), ("ジョ", &["jo", "zyo", "jyo"]),
    ("チャ", &["cha", "tya", "cya"]), ("チュ", &["chu", "tyu", "cyu"]), ("チョ", &["cho", "tyo", "cyo"]),
    ("ニャ", &["nya"]), ("ニュ", &["nyu"]), ("ニョ", &["nyo"]), ("ヒャ", &["hya"]), ("ヒュ", &["hyu"]), ("ヒョ", &["hyo"]),
    ("ミャ", &["mya"]), ("ミュ", &["myu"]), ("ミョ", &["myo"]), ("リャ", &["rya"]), ("リュ", &["ryu"]), ("リョ", &["ryo"]),
    ("ビャ", &["bya"]), ("ビュ", &["byu"]), ("ビョ", &["byo"]), ("ピャ", &["pya"]), ("ピュ", &["pyu"]), ("ピョ", &["pyo"]),
];

/// A kana reading in Latin letters, each choice made by `pick(n)` (0 ≤ result < n): Hepburn or
/// a variant for each kana; a long vowel as ou, oo, oh, ō or o (uu, ū or u); ン before b, p, m
/// as n or m, before a vowel as n or n'; ッ as a double consonant (tch or cch before ch). No
/// 「oh」 before a vowel, nor at the end when `run_on` (the reading runs into another word:
/// 「Satohai」 is no one's spelling).
pub fn spell(kana: &str, run_on: bool, pick: &mut dyn FnMut(usize) -> usize) -> String {
    let chars: Vec<char> = kana.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut double = false;
    let mut pending_n = false;
    while i < chars.len() {
        let c = chars[i];
        let last = out.chars().next_back();
        if c == 'ッ' {
            double = true;
            i += 1;
            continue;
        }
        if c == 'ン' {
            pending_n = true;
            i += 1;
            continue;
        }
        let long = match (last, c) {
            (Some('o'), 'ウ' | 'オ' | 'ー') | (Some('u'), 'ウ' | 'ー') => true,
            (Some(v), 'ー') if "aie".contains(v) => true,
            _ => false,
        };
        if long && !pending_n && !double {
            let at_end = i + 1 == chars.len();
            // 「oh」 only before a consonant: Kohno, Satoh, but not Kohe for コウエ.
            let vowel_next = chars.get(i + 1).is_some_and(|n| "アイウエオ".contains(*n));
            let choices: &[&str] = match last {
                Some('o') if (at_end && run_on) || vowel_next => &["u", "o", "", "\u{304}"],
                Some('o') => &["u", "o", "h", "", "\u{304}"],
                Some('u') => &["u", "", "\u{304}"],
                _ => &[""],
            };
            match choices[pick(choices.len())] {
                "\u{304}" => {
                    out.pop();
                    out.push(if last == Some('o') { 'ō' } else { 'ū' });
                }
                s => out.push_str(s),
            }
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let (len, options) = match SPELLINGS.iter().find(|(k, _)| *k == two) {
            Some((_, o)) if two.chars().count() == 2 => (2, *o),
            _ => match SPELLINGS.iter().find(|(k, _)| k.starts_with(c) && k.chars().count() == 1) {
                Some((_, o)) => (1, *o),
                None => return out,
            },
        };
        let syllable = options[pick(options.len())];
        if pending_n {
            let n = match syllable.chars().next() {
                Some('b' | 'p' | 'm') => ["n", "m"][pick(2)],
                Some('a' | 'i' | 'u' | 'e' | 'o' | 'y') => ["n'", "n"][pick(2)],
                _ => "n",
            };
            out.push_str(n);
            pending_n = false;
        }
        if double {
            if syllable.starts_with("ch") {
                out.push(['t', 'c'][pick(2)]);
            } else if let Some(first) = syllable.chars().next() {
                out.push(first);
            }
            double = false;
        }
        out.push_str(syllable);
        i += len;
    }
    if pending_n {
        out.push('n');
    }
    out
}

pub fn case(word: &str, style: usize) -> String {
    match style % 3 {
        0 => word.to_owned(),
        1 => word.chars().enumerate().map(|(i, c)| if i == 0 { c.to_uppercase().collect() } else { c.to_string() }).collect(),
        _ => word.to_uppercase(),
    }
}

pub fn full_width(s: &str) -> String {
    s.chars().map(|c| if ('!'..='~').contains(&c) { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }).collect()
}

/// Like [`names_text`], with the register's other identifiers: readings in Latin letters (any
/// variant of [`spell`], alone with an honorific or whole), employee numbers (as written or in
/// full width) and e-mail addresses. Also returns what must not survive masking.
pub fn identifiers_text(people: &[KnownPerson], chars: usize, rng: &mut Lcg) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut gone = Vec::new();
    while text.chars().count() < chars {
        let p = &people[rng.below(people.len())];
        let mut pick = |n: usize| rng.below(n);
        match pick(8) {
            0 => {
                let kana = if pick(2) == 0 { &p.family_kana } else { &p.given_kana };
                let word = case(&spell(kana.as_deref().unwrap_or(""), false, &mut pick), pick(3));
                let mention = format!("{word}{}", ["-san", " san", "さん", "-kun"][pick(4)]);
                text.push_str(&mention);
                gone.push(mention);
            }
            1 => {
                let f = case(&spell(p.family_kana.as_deref().unwrap_or(""), false, &mut pick), pick(3));
                let g = case(&spell(p.given_kana.as_deref().unwrap_or(""), false, &mut pick), pick(3));
                let mention = if pick(2) == 0 { format!("{f} {g}") } else { format!("{g} {f}") };
                text.push_str(&mention);
                gone.push(mention);
            }
            2 => {
                let number = p.employee_number.clone().unwrap_or_default();
                let mention = if pick(2) == 0 { number } else { full_width(&number) };
                text.push_str(&mention);
                gone.push(mention);
            }
            3 => {
                let email = p.email.clone().unwrap_or_default();
                text.push_str(&email);
                gone.push(email);
            }
            _ => text.push_str(FILLERS[pick(FILLERS.len())]),
        }
        text.push('、');
    }
    (text, gone)
}
