//! `careerdock bench proof` end to end at a tiny size: the tenant is made, the real server is
//! loaded over HTTP (every endpoint answering 200), confidential reports are read through the
//! gate, the register is imported by the binary and by sqlite3, and every figure of the final
//! table is printed with a result. Figures are never asserted: this only shows the bench runs.

use super::*;

/// The figures the final table names, whatever their values.
const FIGURES: [&str; 10] = [
    "generation",
    "load: trivial endpoint /healthz",
    "load: HR's home (dashboard) p99 / trivial p99",
    "load: consultant's home (dashboard) p99 / trivial p99",
    "load: API list: employees (HR) p99 / trivial p99",
    "load: API list: reports (consultant) p99 / trivial p99",
    "durable single-row commits, sequential",
    "audited reads, 4 tasks / single-row commits",
    "import: careerdock / sqlite3 .import (speed)",
    "ratio full build / DuckDB",
];

pub(super) fn bench_proof_prints_every_figure(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    let args = [
        "bench",
        "proof",
        "--employees",
        "300",
        "--cycles",
        "2",
        "--connections",
        "4",
        "--seconds",
        "1",
        "--tasks",
        "4",
        "--audit-seconds",
        "1",
        "--raw-commits",
        "20",
        "--requests",
        "1",
        "--no-duckdb",
        "--no-themes",
    ];
    let out = env.run(&args)?.ok()?;
    ensure!(out.stdout.contains("generated the history: 2 cycles"), "no generation: {out}");
    // Every endpoint under load answered 200 throughout (the errors column is 0).
    for endpoint in [
        "trivial endpoint",
        "HR's home (dashboard)",
        "consultant's home (dashboard)",
        "API list: employees (HR)",
        "API list: reports (consultant)",
    ] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("  {endpoint} ")))
            .with_context(|| format!("{endpoint} was not loaded: {out}"))?;
        let cols: Vec<&str> = line.split_whitespace().collect();
        ensure!(cols.len() >= 8 && cols[cols.len() - 2] == "0", "errors under load: {line}");
    }
    ensure!(out.stdout.contains("characters decrypted"), "no confidential report was read: {out}");
    ensure!(out.stdout.contains("imported: 新規 created 300"), "the import did not create every row: {out}");
    let rest = out.stdout.split("bench proof: results").nth(1).with_context(|| format!("no results table: {out}"))?;
    let rows: Vec<&str> = rest.lines().skip(2).collect();
    for figure in FIGURES.iter().chain(["PDF of the report", "server peak RSS (VmHWM)"].iter()) {
        let row = rows.iter().find(|r| r.starts_with(figure)).with_context(|| format!("no row {figure}: {out}"))?;
        ensure!(row.ends_with("PASS") || row.ends_with("MISS") || row.ends_with('—'), "row without a result: {row}");
    }
    Ok(())
}
