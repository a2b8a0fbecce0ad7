//! A small fixed company with every suppression worked out by hand (k = 5).
//!
//! Twenty interviewed employees, ids 1..=20:
//! - 営業部 (sales): 1..=11, of which 第一課: 1..=7 and 第二課: 8..=11 (4 people);
//! - 開発部 (development): 12..=20 (9 people).
//!
//! Issue tag キャリア: 1..=5 (sales) and 12..=18 (development: 7 of 9).
//! Flag life_safety: nobody.

use super::*;

const K: u32 = 5;

fn range(a: i64, b: i64) -> Vec<i64> {
    (a..=b).collect()
}

fn total() -> Vec<i64> {
    range(1, 20)
}
fn sales() -> Vec<i64> {
    range(1, 11)
}
fn sales1() -> Vec<i64> {
    range(1, 7)
}
fn sales2() -> Vec<i64> {
    range(8, 11)
}
fn dev() -> Vec<i64> {
    range(12, 20)
}
fn career() -> Vec<i64> {
    let mut v = range(1, 5);
    v.extend(range(12, 18));
    v
}
fn within(group: &[i64], attr: &[i64]) -> Vec<i64> {
    group.iter().copied().filter(|m| attr.contains(m)).collect()
}

const SHOWN: Verdict = Verdict::Shown { homogeneous: false };

#[test]
fn a_department_table_hides_the_small_section_and_one_cell_that_would_give_it_back() {
    let cells = vec![
        Candidate::people(total()),  // 20
        Candidate::people(sales()),  // 11
        Candidate::people(dev()),    // 9
        Candidate::people(sales1()), // 7
        Candidate::people(sales2()), // 4
    ];
    let v = decide_release(K, &cells, &[]);
    // 第二課 (4 < 5): primary. 営業部 − 第一課 = 第二課, so one of them must go: the larger
    // cells are kept first (total 20, 営業部 11; 開発部 = total − 営業部 adds nothing new),
    // so 第一課 (7) is hidden as secondary. Total, 営業部 and 開発部 stay.
    assert_eq!(v, vec![SHOWN, SHOWN, SHOWN, Verdict::Suppressed(Reason::Secondary), Verdict::Suppressed(Reason::BelowK)]);
}

#[test]
fn attribute_cells_hide_small_values_and_small_remainders_and_flag_homogeneous_groups() {
    let cells = vec![
        Candidate::people(total()),
        Candidate::people(sales()),
        Candidate::people(dev()),
        // 開発部 キャリア: 7 of 9 have it, so the 2 without it (19, 20) are isolated: primary.
        Candidate::attribute(dev(), within(&dev(), &career())),
        // 営業部 キャリア: 5 of 11, 6 without: both sides at least 5, shown.
        Candidate::attribute(sales(), within(&sales(), &career())),
        // 営業部 life_safety: nobody; shown (0 isolates no one) but flagged as homogeneous.
        Candidate::attribute(sales(), vec![]),
        // 第二課 キャリア: the group has 4 people: primary.
        Candidate::attribute(sales2(), within(&sales2(), &career())),
    ];
    let v = decide_release(K, &cells, &[]);
    assert_eq!(
        v,
        vec![
            SHOWN,
            SHOWN,
            SHOWN,
            Verdict::Suppressed(Reason::BelowK),
            SHOWN,
            Verdict::Shown { homogeneous: true },
            Verdict::Suppressed(Reason::BelowK),
        ]
    );
}

#[test]
fn a_total_of_an_attribute_would_give_back_a_hidden_remainder() {
    let cells = vec![
        Candidate::people(total()),
        Candidate::people(sales()),
        Candidate::people(dev()),
        // Total キャリア: 12 of 20. Considered before the sales cell below (20 > 11): shown.
        Candidate::attribute(total(), career()),
        // 営業部 キャリア (5 of 11) would now give 開発部 キャリア = total − sales (7 people)
        // and then 開発部 − that = {19, 20}: 2 people. Secondary.
        Candidate::attribute(sales(), within(&sales(), &career())),
        // 開発部 キャリア: primary (2 without it), as above.
        Candidate::attribute(dev(), within(&dev(), &career())),
    ];
    let v = decide_release(K, &cells, &[]);
    assert_eq!(v, vec![SHOWN, SHOWN, SHOWN, SHOWN, Verdict::Suppressed(Reason::Secondary), Verdict::Suppressed(Reason::BelowK)]);
}

#[test]
fn a_second_version_that_would_isolate_one_person_is_suppressed_against_the_first() {
    // Release 101 showed the total (20) and 開発部 (9).
    let first = vec![Candidate::people(total()), Candidate::people(dev())];
    let v1 = decide_release(K, &first, &[]);
    assert_eq!(v1, vec![SHOWN, SHOWN]);
    let history = vec![PriorRelease::from_decision(101, &first, &v1)];
    // Release 102: one more report approved, employee 21 of 開発部. Total 21 − total 20 =
    // {21}, and 開発部 10 − 開発部 9 = {21}: each would isolate employee 21. The total is
    // considered first and hidden (differencing against 101); then 開発部 still would, and is
    // hidden too. 営業部 is the same 11 people as before in effect (not released in 101, but
    // 20 − 9 = 11 was derivable): shown, it adds nothing.
    let mut total2 = total();
    total2.push(21);
    let mut dev2 = dev();
    dev2.push(21);
    let second = vec![Candidate::people(total2), Candidate::people(dev2), Candidate::people(sales())];
    let v2 = decide_release(K, &second, &history);
    assert_eq!(
        v2,
        vec![Verdict::Suppressed(Reason::Differencing { release: 101 }), Verdict::Suppressed(Reason::Differencing { release: 101 }), SHOWN]
    );
    // Without the history, the same cells would all be shown.
    assert!(decide_release(K, &second, &[]).iter().all(Verdict::is_shown));
}

#[test]
fn k_is_never_below_five() {
    assert!(check_k(4).is_err());
    assert!(check_k(-1).is_err());
    assert_eq!(check_k(5), Ok(5));
    assert_eq!(check_k(i64::from(DEFAULT_K)), Ok(10));
    assert!(check_k(1001).is_err());
    let e = check_k(3).err().map(|e| e.message).unwrap_or_else(|| Message::new("", ""));
    assert!(e.ja.contains("5人以上") && e.en.contains("at least 5"));
    // The engine itself raises a smaller k to 5: a group of 4 is hidden even with k = 2.
    assert_eq!(decide_release(2, &[Candidate::people(sales2())], &[]), vec![Verdict::Suppressed(Reason::BelowK)]);
}

#[test]
fn an_empty_group_is_shown_and_nothing_needs_no_history() {
    assert_eq!(decide_release(K, &[Candidate::people(vec![])], &[]), vec![SHOWN]);
    assert_eq!(decide_release(K, &[], &[]), Vec::<Verdict>::new());
    // Re-showing a released cell adds nothing: shown, whatever its neighbours.
    let history = vec![PriorRelease { id: 7, shown: vec![sales()], hidden: vec![] }];
    assert_eq!(decide_release(K, &[Candidate::people(sales())], &history), vec![SHOWN]);
}

#[test]
fn reasons_explain_themselves_in_both_languages() {
    let m = Reason::Differencing { release: 3 }.message(10);
    assert!(m.ja.contains("リリース 3") && m.en.contains("release 3"));
    assert!(Reason::BelowK.message(10).ja.contains("10人未満"));
    let json = serde_json::to_value(Verdict::Suppressed(Reason::Differencing { release: 3 })).unwrap_or_default();
    assert_eq!(json["verdict"], "suppressed");
}
