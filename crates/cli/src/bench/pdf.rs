//! `careerdock bench pdf`: the overall report's PDF through typst, on a generated report (no
//! database): the fonts' load time, the first render, the median of the later renders with the
//! same renderer, the page count and the size. Figures are printed, never asserted.

use anyhow::anyhow;
use domain::overall_report::OverallReport;
use domain::Locale;
use std::time::{Duration, Instant};

pub struct PdfArgs {
    pub departments: usize,
    pub renders: usize,
}

/// A released report of `departments` departments: the whole population and tables by
/// department, age band and department × age band, with people, three tags and the two flags;
/// one department in five is small enough to be hidden.
fn report(departments: usize) -> anyhow::Result<OverallReport> {
    let measures = ["people", "tag:キャリアの方向性", "tag:業務量", "tag:人間関係", "flag:life_safety", "flag:organizational_response"];
    let ages = ["20〜29歳", "30〜39歳", "40〜49歳", "50歳以上"];
    let cell = |group: serde_json::Value, m: &str, n: u64, hidden: bool| {
        let value = if m == "people" { n } else { n / 3 };
        if hidden {
            serde_json::json!({"group": group, "measure": m, "suppressed": true})
        } else {
            serde_json::json!({"group": group, "measure": m, "suppressed": false, "n": n, "value": value as f64})
        }
    };
    let dept = |i: usize| format!("第{}営業部", i + 1);
    let mut overall = Vec::new();
    for m in measures {
        overall.push(cell(serde_json::json!({}), m, 40 * departments as u64, false));
    }
    let mut by_dept = Vec::new();
    let mut by_age = Vec::new();
    let mut by_both = Vec::new();
    for i in 0..departments {
        for m in measures {
            by_dept.push(cell(serde_json::json!({"department": dept(i)}), m, 40, i % 5 == 4));
        }
        for a in ages {
            by_both.push(cell(serde_json::json!({"department": dept(i), "age": a}), "people", 10, i % 5 == 4));
        }
    }
    for a in ages {
        for m in measures {
            by_age.push(cell(serde_json::json!({"age": a}), m, 10 * departments as u64, false));
        }
    }
    let json = serde_json::json!({
        "tenant": "bench", "cycle": {"id": 1, "name": "2026年度"}, "version": 1,
        "released_at": "2027-04-01T00:00:00Z", "k": 5,
        "population": {"rule": "approved_reports", "as_of": "2027-03-31T00:00:00Z", "n": 40 * departments},
        "dimensions": {},
        "tables": [
            {"name": "overall", "by": [], "cells": overall},
            {"name": "department", "by": ["department"], "cells": by_dept},
            {"name": "age", "by": ["age"], "cells": by_age},
            {"name": "department_age", "by": ["department", "age"], "cells": by_both},
        ]
    });
    Ok(serde_json::from_value(json)?)
}

/// Pages of a PDF: pdfinfo's count when it is installed, else the page objects in the bytes.
fn pages(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("careerdock-bench-pdf-{}.pdf", std::process::id()));
    let from_pdfinfo = std::fs::write(&dir, pdf)
        .ok()
        .and_then(|_| std::process::Command::new("pdfinfo").arg(&dir).output().ok())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().to_string())));
    let _ = std::fs::remove_file(&dir);
    from_pdfinfo.unwrap_or_else(|| {
        let needle = b"/Type /Page";
        let n = pdf.windows(needle.len() + 1).filter(|w| w.starts_with(needle) && w[needle.len()] != b's').count();
        format!("{n} (counted in the bytes)")
    })
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn run(a: PdfArgs) -> anyhow::Result<()> {
    let report = report(a.departments.max(1))?;
    let sections: Vec<(String, String)> = export::overall::narrative_headings(Locale::Ja)
        .iter()
        .map(|h| (h.to_string(), "面談で多く挙がったのは、キャリアの方向性と業務量に関する悩みでした。\n\n".repeat(6)))
        .collect();
    let doc = export::overall::document(&report, &sections, None, Locale::Ja);
    let started = Instant::now();
    let renderer = export::pdf::Renderer::system().map_err(|e| anyhow!("{e}"))?;
    let fonts = started.elapsed();
    let started = Instant::now();
    let first = renderer.render(&doc).map_err(|e| anyhow!("{e}"))?;
    let first_time = started.elapsed();
    let mut later = Vec::new();
    for _ in 0..a.renders {
        let started = Instant::now();
        renderer.render(&doc).map_err(|e| anyhow!("{e}"))?;
        later.push(started.elapsed());
    }
    later.sort();
    let charts = export::overall::charts(&report, Locale::Ja).len();
    println!("PDF of a generated overall report: {} departments, {} tables, {charts} charts", a.departments, report.tables.len());
    println!("  fonts loaded (once per process): {}", ms(fonts));
    println!("  first render:                    {}", ms(first_time));
    match later.get(later.len() / 2) {
        Some(median) => println!(
            "  later renders (median of {}):     {} (min {}, max {})",
            later.len(),
            ms(*median),
            ms(later[0]),
            ms(later[later.len() - 1])
        ),
        None => println!("  later renders: none asked (--renders 0)"),
    }
    println!("  pages: {}; size: {} KiB", pages(&first), first.len() / 1024);
    Ok(())
}
