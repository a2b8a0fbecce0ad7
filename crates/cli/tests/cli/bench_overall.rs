//! `careerdock bench overall` at a small size without DuckDB: every figure of the final table is
//! printed (the ones that need the dictionary or the fonts say "skipped" when they are missing),
//! the latest cycle is released against the earlier one, the real server answers HR, and a
//! second run on the same database reuses the tenant while another size is refused.

use super::*;

/// The figures the final table names, whatever their values.
const FIGURES: [&str; 10] = [
    "generation",
    "themes: extraction / bare tokenizer",
    "overall build: start (every check)",
    "overall build: approve (verdicts reused)",
    "overall build: release (verdicts reused)",
    "of which population and tables",
    "engine alone, no history",
    "ratio full build / DuckDB",
    "PDF of the report",
    "server peak RSS (VmHWM)",
];

fn table(out: &Out) -> Result<Vec<String>> {
    let rest = out.stdout.split("bench overall: results").nth(1).with_context(|| format!("no results table: {out}"))?;
    Ok(rest.lines().skip(2).map(str::to_string).collect())
}

pub(super) fn bench_overall_prints_every_figure(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    let args = ["bench", "overall", "--employees", "60", "--cycles", "2", "--no-duckdb", "--requests", "1"];
    let out = env.run(&args)?.ok()?;
    ensure!(out.stdout.contains("generated the history: 2 cycles"), "no generation: {out}");
    ensure!(out.stdout.contains("against 1 earlier release(s)"), "the latest cycle was not checked against the earlier one: {out}");
    ensure!(out.stdout.contains("DuckDB: skipped (--no-duckdb)"), "DuckDB was not skipped: {out}");
    ensure!(out.stdout.contains("GET /overall-reports/") && out.stdout.contains("VmHWM"), "the server was not read: {out}");
    let rows = table(&out)?;
    for figure in FIGURES {
        let row = rows.iter().find(|r| r.trim_start().starts_with(figure)).with_context(|| format!("no row {figure}: {out}"))?;
        ensure!(row.ends_with("PASS") || row.ends_with("MISS") || row.ends_with('—'), "row without a result: {row}");
    }
    let ratio = rows.iter().find(|r| r.starts_with("ratio full build / DuckDB")).context("ratio row")?;
    ensure!(ratio.contains("skipped (--no-duckdb)") && ratio.contains("≤ 1.5"), "{ratio}");
    for page in ["GET /overall-reports/", "GET /api/v1/reports/overall ", "GET / "] {
        let line = out.stdout.lines().find(|l| l.contains(page)).with_context(|| format!("no {page}: {out}"))?;
        ensure!(line.trim_end().ends_with("200"), "{line}");
    }

    // The same database again: reused, and the latest cycle released once more (version 2).
    let again = env.run(&args)?.ok()?;
    ensure!(again.stdout.contains("reusing the bench tenant of 60 employees and 2 cycles"), "not reused: {again}");
    ensure!(again.stdout.contains("against 2 earlier release(s)"), "{again}");
    let other = env.run(&["bench", "overall", "--employees", "61", "--cycles", "2", "--no-duckdb"])?;
    ensure!(!other.success() && other.stderr.contains("--employees 60 --cycles 2"), "another size was not refused: {other}");
    Ok(())
}
