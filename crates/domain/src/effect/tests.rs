//! Against values computed independently by scipy (`scripts/fixtures/effect_fixtures.py`
//! writes `crates/domain/tests/fixtures/effect.json`), and properties any input must keep.

use super::*;
use proptest::prelude::*;
use serde_json::Value;

const FIXTURE: &str = include_str!("../../tests/fixtures/effect.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("the fixture file is JSON")
}

fn scores(v: &Value) -> Vec<Option<f64>> {
    v.as_array().expect("an array of scores").iter().map(Value::as_f64).collect()
}

fn close(what: &str, got: Option<f64>, want: Option<f64>, tol: f64) {
    match (got, want) {
        (Some(g), Some(w)) => {
            let scale = w.abs().max(1.0);
            assert!((g - w).abs() <= tol * scale, "{what}: got {g}, scipy {w} (tolerance {tol})");
        }
        (None, None) => {}
        _ => panic!("{what}: got {got:?}, scipy {want:?}"),
    }
}

#[test]
fn matches_scipy_fixtures() {
    let doc = fixture();
    let tol = &doc["tolerance"];
    let (t_means, t_ci, t_p, t_power) = (
        tol["means"].as_f64().unwrap(),
        tol["ci"].as_f64().unwrap(),
        tol["p"].as_f64().unwrap(),
        tol["min_detectable_d_z"].as_f64().unwrap(),
    );
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let pairs: Vec<Pair> =
            scores(&case["before"]).into_iter().zip(scores(&case["after"])).map(|(before, after)| Pair { before, after }).collect();
        let want = &case["expected"];
        let got = measure(&pairs);
        let at = |field: &str| format!("{name}.{field}");
        assert_eq!(got.n as u64, want["n"].as_u64().unwrap(), "{}", at("n"));
        close(&at("mean_before"), got.mean_before, want["mean_before"].as_f64(), t_means);
        close(&at("mean_after"), got.mean_after, want["mean_after"].as_f64(), t_means);
        close(&at("mean_change"), got.mean_change, want["mean_change"].as_f64(), t_means);
        close(&at("sd_change"), got.sd_change, want["sd_change"].as_f64(), t_means);
        close(&at("ci95_low"), got.ci95.map(|c| c.low), want["ci95_low"].as_f64(), t_ci);
        close(&at("ci95_high"), got.ci95.map(|c| c.high), want["ci95_high"].as_f64(), t_ci);
        close(&at("d_z"), got.d_z, want["d_z"].as_f64(), t_means);
        close(&at("rank_biserial"), got.rank_biserial, want["rank_biserial"].as_f64(), t_means);
        close(&at("min_detectable_d_z"), got.min_detectable_d_z, want["min_detectable_d_z"].as_f64(), t_power);
        close(&at("min_detectable_change"), got.min_detectable_change, want["min_detectable_change"].as_f64(), t_power);
        let w = &want["wilcoxon"];
        match (&got.wilcoxon, w.is_object()) {
            (Some(g), true) => {
                assert_eq!(g.method.as_str(), w["method"].as_str().unwrap(), "{}", at("wilcoxon.method"));
                assert_eq!(g.r_plus, w["r_plus"].as_f64().unwrap(), "{}", at("r_plus"));
                assert_eq!(g.r_minus, w["r_minus"].as_f64().unwrap(), "{}", at("r_minus"));
                assert_eq!(g.statistic, w["statistic"].as_f64().unwrap(), "{}", at("statistic"));
                close(&at("wilcoxon.p"), Some(g.p_value), w["p"].as_f64(), t_p);
                let changes: Vec<f64> = pairs.iter().filter_map(Pair::complete).map(|(b, a)| a - b).collect();
                let corrected = signed_rank(&changes, true).map(|r| r.p_value);
                close(&at("wilcoxon.p_continuity"), corrected, w["p_continuity"].as_f64(), t_p);
            }
            (None, false) => {}
            (g, _) => panic!("{}: got {g:?}, scipy {w}", at("wilcoxon")),
        }
    }
}

#[test]
fn min_detectable_matches_scipy_noncentral_t() {
    let doc = fixture();
    let tol = doc["tolerance"]["min_detectable_d_z"].as_f64().unwrap();
    for row in doc["min_detectable"].as_array().unwrap() {
        let n = row["n"].as_u64().unwrap() as usize;
        close(&format!("n={n}"), min_detectable_d_z(n), row["min_detectable_d_z"].as_f64(), tol);
    }
}

#[test]
fn degenerate_groups_give_none_not_nan() {
    let e = measure(&[]);
    assert_eq!((e.n, e.mean_change, e.ci95, e.wilcoxon, e.d_z), (0, None, None, None, None));
    assert!(e.warning.is_some());
    let e = measure(&[Pair::new(3.0, 3.5)]);
    assert_eq!((e.n, e.mean_change, e.ci95, e.d_z, e.min_detectable_d_z), (1, Some(0.5), None, None, None));
    assert!(e.warning.unwrap().message.ja.contains("1人"));
    let e = measure(&[Pair { before: Some(f64::NAN), after: Some(3.0) }, Pair { before: Some(2.0), after: Some(f64::INFINITY) }]);
    assert_eq!(e.n, 0);
    let all_equal: Vec<Pair> = (0..40).map(|i| Pair::new(f64::from(i) / 16.0, f64::from(i) / 16.0 + 0.25)).collect();
    let e = measure(&all_equal);
    assert_eq!(e.ci95, Some(Interval { low: 0.25, high: 0.25 }));
    assert_eq!((e.d_z, e.min_detectable_change), (None, None));
    assert!(e.warning.is_none(), "40 pairs detect a medium effect");
}

#[test]
fn warning_names_the_detectable_effect() {
    let pairs: Vec<Pair> = (0..10).map(|i| Pair::new(3.0, 3.0 + f64::from(i % 4) / 4.0)).collect();
    let e = measure(&pairs);
    let w = e.warning.expect("10 pairs is a small group");
    assert_eq!(w.n, 10);
    let d = w.min_detectable_d_z.unwrap();
    assert!((d - 0.996).abs() < 1e-3);
    assert!(w.message.ja.contains("10人") && w.message.ja.contains(&format!("{d:.2}倍")), "{}", w.message.ja);
    assert!(w.message.en.contains("Only 10 people") && w.message.en.contains("points"), "{}", w.message.en);
    // docs/effect-measurement.md quotes this very warning.
    let doc = include_str!("../../../../docs/effect-measurement.md");
    assert!(doc.contains(&format!("> {}\n", w.message.ja)), "the doc's Japanese example is out of date:\n{}", w.message.ja);
    assert!(doc.contains(&format!("> {}\n", w.message.en)), "the doc's English example is out of date:\n{}", w.message.en);
    let big: Vec<Pair> = (0..34).map(|i| Pair::new(3.0, 3.0 + f64::from(i % 4) / 4.0)).collect();
    assert!(measure(&big).warning.is_none());
    let not_quite: Vec<Pair> = (0..33).map(|i| Pair::new(3.0, 3.0 + f64::from(i % 4) / 4.0)).collect();
    assert!(measure(&not_quite).warning.is_some());
}

/// Scores on a 1/16 grid (means of 16 whole answers), so sums and differences are exact.
fn score() -> impl Strategy<Value = f64> {
    (16i32..=80).prop_map(|k| f64::from(k) / 16.0)
}

fn pairs(max: usize) -> impl Strategy<Value = Vec<Pair>> {
    prop::collection::vec((score(), score()).prop_map(|(b, a)| Pair::new(b, a)), 0..max)
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn swapping_before_and_after_negates_the_change(ps in pairs(70)) {
        let swapped: Vec<Pair> = ps.iter().map(|p| Pair { before: p.after, after: p.before }).collect();
        let (e, s) = (measure(&ps), measure(&swapped));
        prop_assert!(same(e.mean_change, s.mean_change.map(|m| -m)));
        prop_assert!(same(e.d_z, s.d_z.map(|d| -d)));
        prop_assert!(same(e.rank_biserial, s.rank_biserial.map(|r| -r)));
        prop_assert!(same(e.ci95.map(|c| c.low), s.ci95.map(|c| -c.high)));
        prop_assert!(same(e.wilcoxon.map(|w| w.p_value), s.wilcoxon.map(|w| w.p_value)));
        prop_assert!(same(e.wilcoxon.map(|w| w.statistic), s.wilcoxon.map(|w| w.statistic)));
        prop_assert_eq!(e.wilcoxon.map(|w| w.method), s.wilcoxon.map(|w| w.method));
    }

    #[test]
    fn the_interval_holds_the_mean_change(ps in pairs(70)) {
        let e = measure(&ps);
        if let (Some(m), Some(c)) = (e.mean_change, e.ci95) {
            prop_assert!(c.low <= m && m <= c.high, "{:?} {}", c, m);
        }
        prop_assert_eq!(e.ci95.is_some(), e.n >= 2);
    }

    #[test]
    fn adding_a_constant_to_both_changes_only_the_means(ps in pairs(70), k in -32i32..=32) {
        let c = f64::from(k) / 16.0;
        let shifted: Vec<Pair> = ps.iter().map(|p| Pair { before: p.before.map(|b| b + c), after: p.after.map(|a| a + c) }).collect();
        let (e, s) = (measure(&ps), measure(&shifted));
        prop_assert!(same(e.mean_before.map(|m| m + c), s.mean_before));
        prop_assert!(same(e.mean_change, s.mean_change));
        prop_assert!(same(e.sd_change, s.sd_change));
        prop_assert!(same(e.ci95.map(|c| c.low), s.ci95.map(|c| c.low)));
        prop_assert!(same(e.d_z, s.d_z));
        prop_assert_eq!(e.wilcoxon, s.wilcoxon);
        prop_assert_eq!(e.warning, s.warning);
    }

    #[test]
    fn everything_is_finite_and_in_range(ps in pairs(120), noise in prop::collection::vec(prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1e300), Just(1e300)], 0..3)) {
        let mut ps = ps;
        for (i, x) in noise.into_iter().enumerate() {
            ps.push(if i % 2 == 0 { Pair { before: Some(x), after: Some(3.0) } } else { Pair { before: None, after: Some(x) } });
        }
        let e = measure(&ps);
        for v in [e.mean_before, e.mean_after, e.mean_change, e.sd_change, e.d_z, e.rank_biserial, e.min_detectable_d_z, e.min_detectable_change].into_iter().flatten() {
            prop_assert!(v.is_finite());
        }
        if let Some(w) = e.wilcoxon {
            prop_assert!((0.0..=1.0).contains(&w.p_value));
        }
        if let Some(r) = e.rank_biserial {
            prop_assert!((-1.0..=1.0).contains(&r));
        }
    }
}
