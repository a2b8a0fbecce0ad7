//! The register's other identifiers: employee numbers, e-mail addresses, and names written in
//! Latin letters from the kana reading.

use super::bank::{bank_person, forbidden_forms, protected, FAMILIES, GIVENS};
use super::synthetic::*;
use super::*;
use proptest::prelude::*;

/// people() with employee numbers E00001…, two e-mail addresses, and people whose numbers are
/// written otherwise: 0456, 100234, E02026, E00003 … (ids 20–23).
fn people_with_identifiers() -> Vec<KnownPerson> {
    let mut people = people();
    for p in &mut people {
        p.employee_number = Some(format!("E{:05}", p.id));
    }
    people[0].email = Some("Taro.Yamada@Example.co.jp".to_owned());
    people[1].email = Some("\"hanako sato\"@example.co.jp".to_owned());
    for (id, number) in [(20, "0456"), (21, "100234"), (22, "E02026"), (23, "A-0789")] {
        people.push(KnownPerson { id, employee_number: Some(number.to_owned()), ..person(id, "中田", "翔", "ナカタ", "ショウ") });
    }
    people
}

fn index() -> NameIndex {
    NameIndex::new(&people_with_identifiers())
}

/// Masks with subject 山田太郎 (1) and boss 佐藤花子 (2), and checks that masking again changes
/// nothing.
fn imask(text: &str) -> String {
    let index = index();
    let once = index.mask(text, Some(1), Some(2), &labels());
    assert_eq!(index.mask(&once, Some(1), Some(2), &labels()), once, "masking {text} twice");
    once
}

#[test]
fn pseudonym_employee_numbers_are_masked() {
    for (text, masked) in [
        ("社員番号E00001の件", "社員番号[社員番号]の件"),
        ("e00012さんとＥ０００１１", "[社員番号]さんと[社員番号]"),
        ("00003と0456、１００２３４、０４５６", "[社員番号]と[社員番号]、[社員番号]、[社員番号]"),
        ("E2026の異動、A-0789とa-789、A-0789-E00005", "[社員番号]の異動、[社員番号]と[社員番号]、[社員番号]-[社員番号]"),
        (
            "社員番号 3 と 12、社員番号：E3、社番456、Employee No. 2026",
            "社員番号 [社員番号] と [社員番号]、社員番号：[社員番号]、社番[社員番号]、Employee No. [社員番号]",
        ),
        ("従業員番号は7、8、11と100234の4名", "従業員番号は[社員番号]、[社員番号]、[社員番号]と[社員番号]の4名"),
    ] {
        assert_eq!(imask(text), masked, "{text}");
    }
    // Without a cue, short spellings and everyday numbers stay; so do numbers that are no one's.
    let plain =
        "3回目の面談。2026年度、第3四半期、12件、E3、E12、社員番号 999、E99999、00099、100235、2026-04-01、03-1234-5678、3.5倍、¥100234";
    assert_eq!(imask(plain), plain);
    let en = MaskLabels::en("K-TEST-0001");
    assert_eq!(index().mask("employee no. 3 and E00004", None, None, &en), "employee no. [employee number] and [employee number]");
}

#[test]
fn pseudonym_email_addresses_are_masked() {
    for (text, masked) in [
        ("連絡先：taro.yamada@example.co.jp（山田さん）", "連絡先：[メールアドレス]（対象者K-TEST-0001）"),
        ("TARO.YAMADA@EXAMPLE.CO.JPへ", "[メールアドレス]へ"),
        ("ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "[メールアドレス]"),
        ("someone.else+cc@other.example、e00001@demo.example.com", "[メールアドレス]、[メールアドレス]"),
        ("\"Hanako Sato\"@Example.co.jp に送付", "[メールアドレス] に送付"),
    ] {
        assert_eq!(imask(text), masked, "{text}");
    }
    let en = MaskLabels::en("K-TEST-0001");
    assert_eq!(index().mask("write to taro.yamada@example.co.jp", None, None, &en), "write to [e-mail address]");
    // Not address-shaped: left as they are.
    let plain = "@yamada は来週。a@b、x@localhost";
    assert_eq!(imask(plain).replace("対象者K-TEST-0001", "yamada"), plain);
}

#[test]
fn pseudonym_romaji_names_are_masked() {
    let subject = "対象者K-TEST-0001";
    for text in [
        "Yamada Taro",
        "YAMADA Taro",
        "Taro Yamada",
        "TARO YAMADA",
        "yamadataro",
        "YamadaTarou",
        "Yamada Tarō",
        "Yamada, Taro",
        "Yamada　Taroh",
        "Yamada-san",
        "Yamada san",
        "Yamadasan",
        "Taro-kun",
        "Tarou",
        "yamada taro-sama",
        "Yamadaさん",
        "ﾔﾏﾀﾞ",
    ] {
        assert_eq!(imask(text), subject, "{text}");
    }
    assert_eq!(imask("Yamada課長と"), format!("{subject}課長と"));
    for text in ["Sato-sama", "Satoh", "Satou", "SATO Hanako", "Hanako Sato", "Satō", "hanako-chan"] {
        assert_eq!(imask(text), "上司", "{text}");
    }
    for (text, masked) in [
        ("Suzuki Ichiro and Ichirou Suzuki", "関係者A and 関係者A"),
        ("Takahashi Naoki, Kimura", "関係者A, 関係者B"),
        ("Tadashi and Makoto", "関係者A and 関係者B"),
        ("Misaki、Mirai、Kenta", "関係者A、関係者B、関係者C"),
        ("Daisuke-kun", "関係者A"),
    ] {
        assert_eq!(imask(text), masked, "{text}");
    }
    // A reading of two kana stands only with an honorific or in a full name; English stays.
    assert_eq!(imask("Mori, Hara, Mae and Taku"), "Mori, Hara, Mae and Taku");
    assert_eq!(imask("Mori-san and Taku-kun, Kimura Taku"), "関係者A and 関係者B, 関係者B");
    let english = "The plan was discussed in the meeting at the Smithsonian; a same-day review is fine.";
    assert_eq!(imask(english), english);
    let en = MaskLabels::en("K-TEST-0001");
    assert_eq!(index().mask("Yamada-san met Sato and Suzuki", Some(1), Some(2), &en), "Subject K-TEST-0001 met the boss and Person A");
}

#[test]
fn pseudonym_shared_romaji_name_is_never_the_subject() {
    let index = NameIndex::new(&[person(1, "山田", "太郎", "ヤマダ", "タロウ"), person(2, "山田", "花子", "ヤマダ", "ハナコ")]);
    assert_eq!(
        index.mask("Yamada-san, Yamada Taro, Hanako Yamada, YAMADA", Some(1), None, &labels()),
        "関係者A, 対象者K-TEST-0001, 関係者B, 関係者A"
    );
}

#[test]
fn pseudonym_one_kana_readings_only_in_whole_names() {
    // 尾 タロウ (オ): 「O Taro」 is the person; 「O」 alone, even with an honorific, is no one.
    let index = NameIndex::new(&[person(1, "尾", "太郎", "オ", "タロウ")]);
    assert_eq!(index.mask("O Taro, Taro O, otaro", Some(1), None, &labels()), "対象者K-TEST-0001, 対象者K-TEST-0001, 対象者K-TEST-0001");
    assert_eq!(index.mask("O-san said o", None, None, &labels()), "O-san said o");
}

// ---- property: no identifier of anyone survives ----

const ROMAJI_SEPARATORS: &[&str] = &[" ", "", "・", ", ", "-", "\u{3000}"];
const ROMAJI_HONORIFICS: &[&str] = &["", "", "", "-san", " san", "san", "-kun", "-sama", " chan", "さん", "様"];
/// Everyday numbers that must survive however many employee numbers are indexed.
const EVERYDAY: &[&str] = &["3回目の面談", "2026年度", "第3四半期", "100%", "12件", "1.5倍", "30分", "2名"];
/// After a number or an address in the text.
const AFTER_IDENTIFIER: &[&str] = &["の件で", "さん", "（本人）", "、", "。"];

/// A bank person with an employee number (E + five digits) and an address made of the reading.
fn bank_employee(id: i64, f: usize, g: usize) -> KnownPerson {
    let mut p = bank_person(id, f, g);
    let hepburn = |kana: &str| spell(kana, false, &mut |_| 0);
    p.employee_number = Some(format!("E{id:05}"));
    p.email = Some(format!("{}.{}{id}@example.co.jp", hepburn(GIVENS[g].1), hepburn(FAMILIES[f].1)));
    p
}

/// One piece of text naming `p`: (text, what must not survive of it; empty if it may).
fn identifier_mention(p: &KnownPerson, kind: usize, choices: &[usize]) -> (String, Vec<String>) {
    let mut at = 0;
    let mut pick = |n: usize| {
        at += 1;
        choices.get(at % choices.len().max(1)).copied().unwrap_or(0) % n
    };
    let fk = p.family_kana.clone().unwrap_or_default();
    let gk = p.given_kana.clone().unwrap_or_default();
    let number = p.employee_number.clone().unwrap_or_default();
    let core = number.trim_start_matches('E').trim_start_matches('0').to_owned();
    match kind % 12 {
        // A reading alone: masked from three kana, or with an honorific.
        k @ 0..=2 => {
            let kana = if k == 0 { &fk } else { &gk };
            let honorific = ROMAJI_HONORIFICS[pick(ROMAJI_HONORIFICS.len())];
            let word = case(&spell(kana, honorific == "san", &mut pick), pick(3));
            let mention = format!("{word}{honorific}");
            let must = !honorific.is_empty() || kana.chars().count() >= 3;
            (format!("{mention}は"), if must { vec![mention] } else { Vec::new() })
        }
        // A whole reading, either order.
        3..=5 => {
            let separator = ROMAJI_SEPARATORS[pick(ROMAJI_SEPARATORS.len())];
            let honorific = ROMAJI_HONORIFICS[pick(ROMAJI_HONORIFICS.len())];
            let (a, b) = if pick(2) == 0 { (&fk, &gk) } else { (&gk, &fk) };
            let first = case(&spell(a, separator.is_empty(), &mut pick), pick(3));
            let second = case(&spell(b, honorific == "san", &mut pick), pick(3));
            let mention = format!("{first}{separator}{second}{honorific}");
            (format!("{mention}は"), vec![mention])
        }
        // The employee number, as written, in any case or width, without its prefix, or after a cue.
        6 => {
            let spelled = match pick(5) {
                0 => number.clone(),
                1 => number.to_ascii_lowercase(),
                2 => full_width(&number),
                3 => number.trim_start_matches('E').to_owned(),
                _ => full_width(number.trim_start_matches('E')),
            };
            let after = AFTER_IDENTIFIER[pick(AFTER_IDENTIFIER.len())];
            (format!("{spelled}{after}"), vec![spelled])
        }
        7 => {
            let cue = ["社員番号 ", "社員番号：", "社番", "Employee No. ", "従業員番号は"][pick(5)];
            let spelled = if pick(2) == 0 { core.clone() } else { format!("E{core}") };
            let after = AFTER_IDENTIFIER[pick(AFTER_IDENTIFIER.len())];
            (format!("{cue}{spelled}{after}"), vec![format!("{cue}{spelled}{after}")])
        }
        // The e-mail address, in any case or width.
        8 | 9 => {
            let email = p.email.clone().unwrap_or_default();
            let spelled = match pick(3) {
                0 => email,
                1 => email.to_uppercase(),
                _ => full_width(&email),
            };
            let after = AFTER_IDENTIFIER[pick(AFTER_IDENTIFIER.len())];
            (format!("{spelled}{after}"), vec![spelled])
        }
        // Kanji and kana, as in the names property.
        _ => (name_form(p, pick(17)), forbidden_forms(p).into_iter().filter(|f| !protected(f)).collect()),
    }
}

#[test]
fn pseudonym_romaji_spellings_are_sound() {
    let hepburn = |kana: &str| spell(kana, false, &mut |_| 0);
    assert_eq!(hepburn("ヤマダ"), "yamada");
    assert_eq!(hepburn("ジュンイチロウ"), "jun'ichirou");
    assert_eq!(hepburn("ハットリ"), "hattori");
    let mut n = 0;
    let mut cycle = |k: usize| {
        n += 1;
        n % k
    };
    let variants: Vec<String> = (0..8).map(|_| spell("ショウタ", false, &mut cycle)).collect();
    assert!(variants.iter().any(|v| v.starts_with("sy")) && variants.iter().any(|v| v.starts_with("sho")), "{variants:?}");
    assert_eq!(full_width("E01"), "Ｅ０１");
    for (f, &(_, family)) in FAMILIES.iter().enumerate() {
        for (g, &(_, given)) in GIVENS.iter().enumerate() {
            let p = bank_employee(1, f, g);
            assert!(p.email.iter().all(|e| e.is_ascii()), "{:?}", p.email);
            for kana in [family, given] {
                let spelled = hepburn(kana);
                assert!(!spelled.is_empty() && spelled.chars().all(|c| c.is_ascii_lowercase() || c == '\''), "{kana}: {spelled}");
                for filler in FILLERS.iter().chain(EVERYDAY).chain(AFTER_IDENTIFIER) {
                    assert!(!filler.to_lowercase().contains(&spelled), "{filler} contains {spelled}");
                }
            }
        }
    }
}

/// (kind: 0 identifier, 1 filler, 2 everyday number; who; form; choices)
type Mention = (usize, usize, usize, Vec<usize>);

fn arb_mentions() -> impl Strategy<Value = (Vec<(usize, usize)>, Vec<Mention>, usize)> {
    (
        prop::collection::vec((0..FAMILIES.len(), 0..GIVENS.len()), 1..20),
        prop::collection::vec((0..3usize, 0..64usize, 0..24usize, prop::collection::vec(0..7usize, 1..12)), 1..30),
        0..64usize,
    )
}

proptest! {
    #[test]
    fn pseudonym_no_identifier_survives((picks, mentions, subject) in arb_mentions()) {
        let people: Vec<KnownPerson> =
            picks.iter().enumerate().map(|(i, &(f, g))| bank_employee(i as i64 + 1, f, g)).collect();
        let index = NameIndex::new(&people);
        let mut text = String::new();
        let mut must_go = Vec::new();
        let mut everyday = Vec::new();
        for (kind, who, form, choices) in &mentions {
            match kind {
                0 => {
                    let (piece, gone) = identifier_mention(&people[who % people.len()], *form, choices);
                    text.push_str(&piece);
                    must_go.extend(gone);
                }
                1 => text.push_str(FILLERS[who % FILLERS.len()]),
                _ => {
                    let number = EVERYDAY[who % EVERYDAY.len()];
                    text.push_str("今回は");
                    text.push_str(number);
                    text.push('。');
                    everyday.push(number);
                }
            }
        }
        let subject = Some(people[subject % people.len()].id);
        for l in [labels(), MaskLabels::en("K-TEST-0001")] {
            let out = index.mask(&text, subject, None, &l);
            for gone in &must_go {
                prop_assert!(!out.contains(gone.as_str()), "{gone} survived: {text} → {out}");
            }
            for number in &everyday {
                let (before, after) = (text.matches(number).count(), out.matches(number).count());
                prop_assert!(after >= before, "{number} was masked: {text} → {out}");
            }
            prop_assert_eq!(index.mask(&out, subject, None, &l), out);
        }
    }
}
