//! `careerdock report overall` against the demo: the latest release as the JSON contract and as
//! print-friendly HTML written to a file; a cycle without a release and an unknown cycle are
//! errors that say so.

use super::*;

pub(super) fn report_overall_prints_the_released_version(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let out = env.run(&["report", "overall", "--tenant", "demo", "--cycle", "latest"])?.ok()?;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).with_context(|| format!("not JSON: {out}"))?;
    let keys: Vec<&str> = v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    for k in ["tenant", "cycle", "version", "released_at", "k", "population", "dimensions", "tables"] {
        ensure!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    ensure!(v["tenant"] == "demo" && v["population"]["rule"] == "approved_reports", "{}", out.stdout);
    let name = v["cycle"]["name"].as_str().context("the cycle's name")?.to_string();
    for c in v["tables"].as_array().context("tables")?.iter().flat_map(|t| t["cells"].as_array().cloned().unwrap_or_default()) {
        ensure!(c["suppressed"] == false || (c.get("n").is_none() && c.get("value").is_none()), "a hidden cell with figures: {c}");
    }
    // The demo's history is indexed before its releases, so they carry themes, each of at least
    // k people (this small demo's population is below k: none reaches it; a demo of 600 has twenty).
    let k = v["k"].as_u64().context("k")?;
    let themes: Vec<&serde_json::Value> = v["tables"]
        .as_array()
        .context("tables")?
        .iter()
        .filter(|t| t["name"] == "overall")
        .flat_map(|t| t["cells"].as_array().into_iter().flatten())
        .filter(|c| c["measure"].as_str().is_some_and(|m| m.starts_with("theme:")))
        .collect();
    for c in themes {
        ensure!(c["suppressed"] == true || c["value"].as_f64().is_some_and(|x| x >= k as f64), "a theme of fewer than k: {c}");
    }
    // By name and version, one breakdown, as HTML to a file.
    let file = env.path("report.html");
    let file_arg = file.to_string_lossy().to_string();
    let args = ["report", "overall", "--tenant", "demo", "--cycle", &name, "--version", "1", "--format", "html", "-o", &file_arg];
    env.run(&args)?.ok()?;
    let html = std::fs::read_to_string(&file)?;
    ensure!(html.contains("全体報告書") && html.contains("面談対象者全体の傾向") && html.contains("非表示（"), "the HTML: {html:.400}");
    // The current cycle has a draft only; an unknown cycle is named.
    let active = env.sql("SELECT name FROM cycles WHERE status = 'active'")?;
    let out = env.run(&["report", "overall", "--tenant", "demo", "--cycle", active.trim()])?;
    ensure!(!out.success() && out.stderr.contains("No overall report has been released"), "a draft only: {out}");
    let out = env.run(&["report", "overall", "--tenant", "demo", "--cycle", "no-such-cycle"])?;
    ensure!(!out.success() && out.stderr.contains("no cycle 'no-such-cycle'"), "an unknown cycle: {out}");
    Ok(())
}
