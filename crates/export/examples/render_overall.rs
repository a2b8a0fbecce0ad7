//! Renders an overall report's JSON (as `careerdock report overall --format json` writes it) to
//! PDF and prints the time of each render: a profiling aid for the PDF's layout.
//!
//! `cargo run --workspace --example render_overall -- REPORT.json [OUT.pdf] [RENDERS]`

use careerdock_export::{overall, pdf::Renderer, Locale};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: render_overall REPORT.json [OUT.pdf] [RENDERS]")?;
    let out = args.next();
    let renders: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(2);
    let report: domain::overall_report::OverallReport = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let started = Instant::now();
    let renderer = Renderer::system()?;
    println!("fonts: {:.3} s", started.elapsed().as_secs_f64());
    let sections: Vec<(String, String)> = overall::narrative_headings(Locale::Ja)
        .iter()
        .map(|h| (h.to_string(), "面談で多く挙がったのは、キャリアの方向性でした。".into()))
        .collect();
    for i in 0..renders.max(1) {
        let started = Instant::now();
        let bytes = overall::pdf(&renderer, &report, &sections, None, Locale::Ja)?;
        println!("render {}: {:.3} s, {} KiB", i + 1, started.elapsed().as_secs_f64(), bytes.len() / 1024);
        if let (0, Some(out)) = (i, &out) {
            std::fs::write(out, &bytes)?;
        }
    }
    Ok(())
}
