//! Charts: the same input gives the same bytes; a suppressed value never reaches the SVG.

mod common;

use careerdock_export::charts::{Bar, Chart, ChartKind, Series, StackedBar};
use careerdock_export::{overall, Locale};
use common::{report, HIDDEN_N, HIDDEN_VALUE};

fn all_kinds() -> Vec<Chart> {
    let base = |id: &str, kind| Chart {
        id: id.into(),
        title: "部署別の人数".into(),
        description: Some("承認済みの個別報告書がある従業員".into()),
        unit: "人".into(),
        locale: Locale::Ja,
        k: 10,
        kind,
    };
    vec![
        base("bars", ChartKind::Bars(vec![Bar { label: "営業部".into(), value: Some(48.0) }, Bar { label: "法務部".into(), value: None }])),
        base(
            "stacked",
            ChartKind::Stacked {
                series: vec!["20〜39歳".into(), "40歳以上".into()],
                bars: vec![
                    StackedBar { label: "営業部".into(), values: vec![Some(30.0), Some(18.0)] },
                    StackedBar { label: "開発部".into(), values: vec![Some(40.0), None] },
                    StackedBar { label: "法務部".into(), values: vec![None, None] },
                ],
            },
        ),
        base(
            "trend",
            ChartKind::Trend {
                x_labels: vec!["2023年度".into(), "2024年度".into(), "2025年度".into()],
                series: vec![
                    Series { name: "人数".into(), values: vec![Some(110.0), None, Some(131.0)] },
                    Series { name: "組織的対応が必要な事項".into(), values: vec![Some(9.0), Some(12.0), Some(14.0)] },
                ],
            },
        ),
    ]
}

#[test]
fn charts_are_deterministic() {
    for chart in all_kinds().into_iter().chain(overall::charts(&report(), Locale::Ja)) {
        let a = chart.svg().unwrap_or_else(|e| panic!("{e}"));
        let b = chart.clone().svg().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a, b, "{}", chart.id);
        assert!(a.starts_with("<svg role=\"img\""), "{a}");
        assert!(a.contains("<title id=") && a.contains("<desc id="));
    }
    // Across threads too (no per-process randomness such as a HashMap's seed).
    let chart = overall::charts(&report(), Locale::Ja).remove(1);
    let here = chart.svg().unwrap_or_default();
    let there = std::thread::spawn(move || chart.svg().unwrap_or_default()).join().unwrap_or_default();
    assert_eq!(here, there);
}

#[test]
fn every_kind_marks_hidden_values() {
    for chart in all_kinds() {
        let svg = chart.svg().unwrap_or_default();
        assert!(svg.contains("非表示（10人未満）"), "{}: {svg}", chart.id);
    }
}

#[test]
fn a_suppressed_cells_value_never_appears_in_the_svg() {
    for locale in [Locale::Ja, Locale::En] {
        let charts = overall::charts(&report(), locale);
        assert_eq!(charts.len(), 4);
        for chart in charts {
            let svg = chart.svg().unwrap_or_default();
            assert!(!svg.contains(HIDDEN_N) && !svg.contains(HIDDEN_VALUE), "{svg}");
        }
    }
}

#[test]
fn the_overall_charts_read_their_data_out() {
    let charts = overall::charts(&report(), Locale::Ja);
    let by_department = charts.iter().find(|c| c.title == "部署別・人数").map(Chart::summary).unwrap_or_default();
    assert_eq!(
        by_department,
        "集計対象：承認済みの個別報告書がある従業員 131人、営業部：48人、開発部：63人、法務部：非表示（10人未満）、総務部：非表示（10人未満）"
    );
    let trend =
        overall::trend_chart(&[&report(), &report()], &["people", "flag:life_safety"], Locale::Ja).map(|c| c.summary()).unwrap_or_default();
    assert_eq!(
        trend,
        "人数：2025年度 131人, 2025年度 131人、生命・安全に関わる事案：2025年度 非表示（10人未満）, 2025年度 非表示（10人未満）"
    );
}
