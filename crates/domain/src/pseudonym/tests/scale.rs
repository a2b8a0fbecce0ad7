//! The synthetic company of the benchmark (`cargo bench -p careerdock-domain --bench pseudonym`,
//! which times 100,000 people and 2,500 departments), checked here at a small size for what the
//! masking produces.

use super::super::ages::ages;
use super::super::fold::fold;
use super::bank::{forbidden_forms, forbidden_spellings, protected};
use super::synthetic::*;
use super::*;
use std::collections::{HashMap, HashSet};

#[test]
fn pseudonym_demo_departments_have_the_demo_shape() {
    let paths = demo_departments(2_500);
    assert_eq!(paths.len(), 2_500);
    assert_eq!(paths.iter().collect::<HashSet<_>>().len(), 2_500);
    for expected in ["役員室", "第一営業本部/第一営業部/法人営業課", "経営企画本部/法務部/知的財産課", "第二営業本部/第六営業部"]
    {
        assert!(paths.iter().any(|p| p == expected), "{expected}");
    }
}

/// No form of anyone named in `text` survives in `out` (forms a common word protects aside).
fn assert_no_name_survives(people: &[KnownPerson], named: &[usize], text: &str, out: &str) {
    for &who in named {
        for form in forbidden_forms(&people[who]) {
            assert!(protected(&form) || !out.contains(form.as_str()), "{form} survived: {text} → {out}");
        }
    }
}

/// The pseudonymizer over a synthetic company (the benchmark's, at 1,200 people, with many
/// shared family and given names, and a company whose every name is distinct): the index holds
/// each person once, no name of anyone a report-sized text mentions survives in any of the
/// seventeen spellings, nor in Latin letters, nor their employee numbers and e-mail addresses;
/// the subject's own full name (when no one else bears it) becomes the subject's label, and
/// masking the result again changes nothing.
#[test]
fn pseudonym_timing() {
    let mut rng = Lcg(20_261_125);
    let people = synthetic_people(1_200, &mut rng);
    let index = NameIndex::new(&people);
    assert_eq!(index.len(), 1_200);
    let labels = labels();
    let mut full_names: HashMap<(String, String), usize> = HashMap::new();
    for p in &people {
        *full_names.entry((p.family.clone(), p.given.clone())).or_default() += 1;
    }
    let mut subjects_seen = 0;
    for i in 0..150 {
        let (text, named) = names_text(&people, 1_500, &mut rng);
        let subject = &people[named.first().copied().unwrap_or(i)];
        let out = index.mask(&text, Some(subject.id), None, &labels);
        assert_no_name_survives(&people, &named, &text, &out);
        assert_eq!(index.mask(&out, Some(subject.id), None, &labels), out, "{text}");
        let own = format!("{}{}", subject.family, subject.given);
        if full_names.get(&(subject.family.clone(), subject.given.clone())) == Some(&1) && text.contains(&own) {
            assert!(out.contains(&labels.subject), "{own} is the subject: {text} → {out}");
            subjects_seen += 1;
        }
    }
    assert!(subjects_seen >= 5, "the texts name their subject in full ({subjects_seen} times)");

    // The register's other identifiers: names in Latin letters, employee numbers, addresses.
    for i in 0..100 {
        let (text, gone) = identifiers_text(&people, 1_500, &mut rng);
        let out = index.mask(&text, Some(i + 1), None, &labels);
        for mention in &gone {
            assert!(!out.contains(mention.as_str()), "{mention} survived: {text} → {out}");
        }
        assert_eq!(index.mask(&out, Some(i + 1), None, &labels), out, "{text}");
    }

    let distinct = distinct_people(1_200, &mut rng);
    let index = NameIndex::new(&distinct);
    assert_eq!(index.len(), 1_200);
    for _ in 0..50 {
        let (text, named) = names_text(&distinct, 1_500, &mut rng);
        let out = index.mask(&text, None, None, &labels);
        assert_no_name_survives(&distinct, &named, &text, &out);
    }
}

/// The demo's shape at a small size (1,200 people, 120 departments of the demo tree): with the
/// departments indexed, no department spelling, no exact age and no name survives in texts that
/// mention all three, each age leaves its decade, and masking again changes nothing; the index of
/// names only leaves the departments alone.
#[test]
fn department_timing() {
    let mut rng = Lcg(20_261_126);
    let people = synthetic_people(1_200, &mut rng);
    let departments = demo_departments(120);
    assert_eq!(departments.len(), 120);
    let index = NameIndex::with_departments(&people, &departments);
    let names_only = NameIndex::new(&people);
    let forbidden = forbidden_spellings(departments.iter().map(String::as_str));
    assert!(forbidden.len() > 120, "paths and their specific unit names: {}", forbidden.len());
    assert!(index.department_forms() >= departments.len(), "{} department spellings", index.department_forms());
    let labels = labels();
    let mut departments_left = 0;
    for i in 0..100 {
        let (text, named, ages_written) = rich_text(&people, &departments, 1_500, &mut rng);
        let out = index.mask(&text, Some(i + 1), Some(i + 2), &labels);
        for d in &forbidden {
            assert!(!out.contains(d.as_str()), "{d} survived: {text} → {out}");
        }
        assert_no_name_survives(&people, &named, &text, &out);
        assert!(ages(&out, &fold(&out)).is_empty(), "an exact age survived: {text} → {out}");
        let bands = ["10歳未満", "代"].iter().map(|b| out.matches(b).count()).sum::<usize>();
        assert!(bands >= ages_written, "{ages_written} ages, {bands} bands: {text} → {out}");
        assert_eq!(index.mask(&out, Some(i + 1), Some(i + 2), &labels), out, "{text}");
        let plain = names_only.mask(&text, Some(i + 1), Some(i + 2), &labels);
        departments_left += forbidden.iter().filter(|d| plain.contains(d.as_str())).count();
    }
    assert!(departments_left > 100, "without departments in the index, departments stay ({departments_left})");
}
