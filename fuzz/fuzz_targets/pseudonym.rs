//! The pseudonymizer (`NameIndex::mask`, R2): a register of people (from a bank of real-looking
//! names, or any names the register accepts) and departments, and a text made of their names in every script,
//! employee numbers, e-mail addresses, ages, ordinary words and any characters. Besides not
//! panicking: masking is deterministic and masking its own output changes nothing (documented);
//! with a register of real-looking names, a full name, an employee number, an e-mail address or
//! an exact age standing between punctuation never survives.
#![no_main]

use careerdock_fuzz::{fragment, Unstructured};
use domain::employee::{DepartmentPath, EmployeeNumber, NameKana, PersonName};
use domain::pseudonym::{age_band, coarse_date, pseudonym, KnownPerson, MaskLabels, NameIndex};
use libfuzzer_sys::fuzz_target;

#[rustfmt::skip]
const FAMILIES: [(&str, &str, &str); 16] = [
    ("佐藤", "サトウ", "Sato"), ("鈴木", "スズキ", "Suzuki"), ("高橋", "タカハシ", "Takahashi"), ("田中", "タナカ", "Tanaka"),
    ("渡辺", "ワタナベ", "Watanabe"), ("山本", "ヤマモト", "Yamamoto"), ("中村", "ナカムラ", "Nakamura"), ("小林", "コバヤシ", "Kobayashi"),
    ("山田", "ヤマダ", "Yamada"), ("佐々木", "ササキ", "Sasaki"), ("井上", "イノウエ", "Inoue"), ("長谷川", "ハセガワ", "Hasegawa"),
    ("村上", "ムラカミ", "Murakami"), ("林", "ハヤシ", "Hayashi"), ("森", "モリ", "Mori"), ("髙橋", "タカハシ", "Takahashi"),
];
#[rustfmt::skip]
const GIVENS: [(&str, &str, &str); 16] = [
    ("太郎", "タロウ", "Taro"), ("花子", "ハナコ", "Hanako"), ("健太", "ケンタ", "Kenta"), ("翔太", "ショウタ", "Shota"),
    ("大輔", "ダイスケ", "Daisuke"), ("直樹", "ナオキ", "Naoki"), ("誠", "マコト", "Makoto"), ("亮", "リョウ", "Ryo"),
    ("恵子", "ケイコ", "Keiko"), ("美咲", "ミサキ", "Misaki"), ("真由美", "マユミ", "Mayumi"), ("愛", "アイ", "Ai"),
    ("一郎", "イチロウ", "Ichiro"), ("浩", "ヒロシ", "Hiroshi"), ("優子", "ユウコ", "Yuko"), ("陽菜", "ヒナ", "Hina"),
];
const DEPARTMENTS: [&str; 6] = ["営業本部/第一営業部", "営業本部", "品質保証課", "人事部", "開発本部/開発 1G", "製造本部/中村工場"];
const FILLERS: [&str; 14] = [
    "は",
    "さん",
    "と面談した。",
    "課長",
    "の件で",
    "未来",
    "人事",
    "上司",
    "ある部署",
    "関係者A",
    "30代",
    "[社員番号]",
    "Subject K-TEST-0001",
    "様",
];

/// `(person, name form)` for a bank person; only full names stand alone unmistakably.
fn name_form(u: &mut Unstructured, p: &KnownPerson, romaji: (&str, &str)) -> String {
    let fk = p.family_kana.clone().unwrap_or_default();
    let gk = p.given_kana.clone().unwrap_or_default();
    match u.int_in_range(0u8..=9).unwrap_or(0) {
        0 => format!("{}{}", p.family, p.given),
        1 => format!("{} {}", p.family, p.given),
        2 => format!("{}さん", p.family),
        3 => p.given.clone(),
        4 => format!("{fk}{gk}"),
        5 => format!("{fk}さん"),
        6 => format!("{} {}", romaji.0, romaji.1),
        7 => format!("{}-san", romaji.0.to_uppercase()),
        8 => format!("{}\u{200b}{}", p.family, p.given),
        _ => p.family.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let bank_only = u.arbitrary::<bool>().unwrap_or(true);
    let mut people: Vec<KnownPerson> = Vec::new();
    let mut romaji: Vec<(&str, &str)> = Vec::new();
    for i in 0..u.int_in_range(1usize..=8).unwrap_or(1) {
        let (f, fk, fr) = FAMILIES[u.choose_index(FAMILIES.len()).unwrap_or(0)];
        let (g, gk, gr) = GIVENS[u.choose_index(GIVENS.len()).unwrap_or(0)];
        let id = i as i64 + 1;
        let number = format!("E{:05}", 100 + u.int_in_range(0u16..=999).unwrap_or(0));
        let email = format!("{}.{}@example.co.jp", gr.to_lowercase(), fr.to_lowercase());
        let mut p = KnownPerson {
            id,
            family: f.into(),
            given: g.into(),
            family_kana: Some(fk.into()),
            given_kana: Some(gk.into()),
            employee_number: Some(number),
            email: Some(email),
        };
        if !bank_only && u.arbitrary::<bool>().unwrap_or(false) {
            // Any name the register accepts (at most 60 characters, no control characters): the
            // index is built from the register only.
            let name = |raw: String| PersonName::parse(&raw).ok().map(|n| n.as_str().to_string());
            let kana = |raw: String| NameKana::parse(&raw).ok().map(|n| n.as_str().to_string());
            p.family = name(fragment(&mut u, &["上司", "人事", "ある部署", "未来"])).unwrap_or(p.family);
            p.given = name(fragment(&mut u, &["太郎", "ー"])).unwrap_or(p.given);
            p.family_kana = kana(fragment(&mut u, &["ヤ", "ﾔﾏﾀﾞ", "やまだ"])).or(p.family_kana);
            p.employee_number = EmployeeNumber::parse(&fragment(&mut u, &["E1", "0123", "1"])).ok().map(|n| n.as_str().to_string());
            p.email = Some(fragment(&mut u, &["a@b", "@", "x@example.jp"]));
        }
        people.push(p);
        romaji.push((fr, gr));
    }
    let departments: Vec<String> = if bank_only {
        DEPARTMENTS.iter().map(|d| d.to_string()).collect()
    } else {
        (0..u.int_in_range(0usize..=3).unwrap_or(0))
            .filter_map(|_| DepartmentPath::parse(&fragment(&mut u, &DEPARTMENTS)).ok().map(|d| d.to_path_string()))
            .collect()
    };
    let index = NameIndex::with_departments(&people, &departments);

    // The text, and what must not survive in it.
    let mut text = String::new();
    let mut forbidden: Vec<String> = Vec::new();
    for _ in 0..u.int_in_range(1usize..=24).unwrap_or(1) {
        let who = u.choose_index(people.len()).unwrap_or(0);
        let p = &people[who];
        match u.int_in_range(0u8..=7).unwrap_or(0) {
            0 | 1 => text.push_str(&name_form(&mut u, p, romaji[who])),
            2 => {
                // A full name standing between punctuation.
                let t = format!("、{}{}。", p.family, p.given);
                forbidden.push(t.clone());
                text.push_str(&t);
            }
            3 => {
                let t = format!("、{}。", p.employee_number.clone().unwrap_or_default());
                forbidden.push(t.clone());
                text.push_str(&t);
            }
            4 => {
                let t = format!(" {} ", p.email.clone().unwrap_or_default());
                forbidden.push(t.clone());
                text.push_str(&t);
            }
            5 => {
                let t = format!("、{}歳。", u.int_in_range(0u8..=99).unwrap_or(30));
                forbidden.push(t.clone());
                text.push_str(&t);
            }
            6 => text.push_str(FILLERS[u.choose_index(FILLERS.len()).unwrap_or(0)]),
            _ => text.push_str(&fragment(&mut u, &DEPARTMENTS)),
        }
    }
    let subject = people.first().map(|p| p.id);
    let boss = people.get(1).map(|p| p.id);
    for labels in [MaskLabels::ja("K-TEST-0001"), MaskLabels::en("K-TEST-0001")] {
        let out = index.mask(&text, subject, boss, &labels);
        assert_eq!(index.mask(&text, subject, boss, &labels), out, "masking is not deterministic");
        let again = index.mask(&out, subject, boss, &labels);
        assert_eq!(again, out, "masking its own output changed it: {text:?}");
        if bank_only {
            for f in &forbidden {
                assert!(!out.contains(f.as_str()), "{f:?} survived: {text:?} → {out:?}");
            }
        }
    }
    let secret = u.bytes(16).unwrap_or(&[0; 16]);
    let id = u.arbitrary::<i64>().unwrap_or(0);
    let code = pseudonym(secret, id);
    assert_eq!(code, pseudonym(secret, id));
    assert!(code.starts_with("K-") && code.len() == 11, "{code}");
    let _ = age_band(u.arbitrary().unwrap_or(0), u.arbitrary().unwrap_or(0));
    if let Some(d) = chrono::NaiveDate::from_num_days_from_ce_opt(u.arbitrary().unwrap_or(0)) {
        let _ = coarse_date(d);
    }
});
