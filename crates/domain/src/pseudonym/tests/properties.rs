use super::super::ages::ages;
use super::super::fold::fold;
use super::bank::*;
use super::synthetic::*;
use super::*;
use proptest::prelude::*;

type Segment = (bool, usize, usize, usize, usize);
/// (people as bank indices, segments, subject, boss)
type Case = (Vec<(usize, usize)>, Vec<Segment>, usize, usize);

fn arb_case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((0..FAMILIES.len(), 0..GIVENS.len()), 1..30),
        prop::collection::vec((any::<bool>(), 0..FILLERS.len(), 0..64usize, 0..17usize, 0..SUFFIXES.len()), 1..40),
        0..64usize,
        0..64usize,
    )
}

proptest! {
    #[test]
    fn pseudonym_no_known_name_survives((picks, segments, subject, boss) in arb_case()) {
        let people: Vec<KnownPerson> = picks
            .iter()
            .enumerate()
            .map(|(i, &(f, g))| bank_person(i as i64 + 1, f, g))
            .collect();
        let index = NameIndex::new(&people);
        let mut text = String::new();
        for &(is_name, filler, who, kind, suffix) in &segments {
            if is_name {
                text.push_str(&name_form(&people[who % people.len()], kind));
                text.push_str(SUFFIXES[suffix]);
            } else {
                text.push_str(FILLERS[filler]);
            }
        }
        let subject = Some(people[subject % people.len()].id);
        let boss = Some(people[boss % people.len()].id);
        let out = index.mask(&text, subject, boss, &labels());
        for p in &people {
            for form in forbidden_forms(p) {
                if protected(&form) {
                    prop_assert!(!out.contains(&format!("{form}さん")), "{form}さん in {out}");
                    continue;
                }
                prop_assert!(!out.contains(form.as_str()), "{form} survived: {text} → {out}");
            }
        }
        prop_assert_eq!(index.mask(&out, subject, boss, &labels()), out);
    }
}

type Piece = (usize, usize, usize, usize);

fn arb_pieces() -> impl Strategy<Value = (Vec<(usize, usize)>, Vec<Piece>, usize)> {
    (
        prop::collection::vec((0..FAMILIES.len(), 0..GIVENS.len()), 1..20),
        prop::collection::vec((0..4usize, 0..128usize, 0..17usize, 0..64usize), 1..40),
        0..64usize,
    )
}

proptest! {
    #[test]
    fn pseudonym_no_department_or_age_survives((picks, pieces, subject) in arb_pieces()) {
        let people: Vec<KnownPerson> = picks
            .iter()
            .enumerate()
            .map(|(i, &(f, g))| bank_person(i as i64 + 1, f, g))
            .collect();
        let paths: Vec<String> = DEPARTMENT_BANK.iter().map(|s| s.to_string()).collect();
        let index = NameIndex::with_departments(&people, &paths);
        let mut text = String::new();
        let mut ages_written = 0;
        for &(kind, which, form, extra) in &pieces {
            match kind {
                0 => {
                    text.push_str(&name_form(&people[which % people.len()], form));
                    text.push_str(SUFFIXES[extra % SUFFIXES.len()]);
                }
                1 => text.push_str(FILLERS[which % FILLERS.len()]),
                2 => {
                    text.push_str(DEPARTMENT_BEFORE[extra % DEPARTMENT_BEFORE.len()]);
                    text.push_str(&department_mention(DEPARTMENT_BANK[which % DEPARTMENT_BANK.len()], form));
                    text.push_str(DEPARTMENT_AFTER[(extra / 8) % DEPARTMENT_AFTER.len()]);
                }
                _ => {
                    let mention = age_mention(which as u32, form % 4, extra % 2 == 0);
                    text.push_str(if extra % 3 == 0 { "（" } else { "本人は" });
                    text.push_str(&mention);
                    text.push_str(if extra % 3 == 0 { "）" } else { "で、" });
                    ages_written += 1;
                }
            }
        }
        let subject = Some(people[subject % people.len()].id);
        for l in [labels(), MaskLabels::en("K-TEST-0001")] {
            let out = index.mask(&text, subject, None, &l);
            for d in forbidden_departments() {
                prop_assert!(!out.contains(d.as_str()), "{d} survived: {text} → {out}");
            }
            for p in &people {
                for form in forbidden_forms(p) {
                    prop_assert!(protected(&form) || !out.contains(form.as_str()), "{form} survived: {text} → {out}");
                }
            }
            prop_assert!(ages(&out, &fold(&out)).is_empty(), "an exact age survived: {text} → {out}");
            let bands = ["10歳未満", "代"].iter().map(|b| out.matches(b).count()).sum::<usize>();
            prop_assert!(bands >= ages_written, "{ages_written} ages, {bands} bands: {text} → {out}");
            prop_assert_eq!(index.mask(&out, subject, None, &l), out);
        }
    }
}

#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "人事部", "人事課", "品質保証課", "営業本部", "第一営業部", "中村工場", "開発 1G", "マーケティング課",
    "門", "題", "品", "所", "属", "内", "長", "課長", "さん", "様", "ヤ", "マ", "ー", "ｶ", "ﾞ", "A", "g", "1",
    "3", "０", "三", "十", "〇", "満", "歳", "才", "半", "以上", "代", "未満", "/", "／", " ", "　", "・",
    "ある部署", "関係者", "関係者A", "上司", "a department", "中村", "亮", "門田", "門太", "山田", "太郎",
    "ヤマダ", "林", "誠", "の", "\u{200B}",
];

proptest! {
    #[test]
    fn pseudonym_masking_tricky_text_twice_changes_nothing(tokens in prop::collection::vec(0..TRICKY.len(), 1..30)) {
        let index = dept_index();
        let text: String = tokens.iter().map(|&t| TRICKY[t]).collect();
        for l in [labels(), MaskLabels::en("K-TEST-0001")] {
            let once = index.mask(&text, Some(1), Some(13), &l);
            prop_assert_eq!(index.mask(&once, Some(1), Some(13), &l), once.clone(), "{}", text);
        }
    }
}
