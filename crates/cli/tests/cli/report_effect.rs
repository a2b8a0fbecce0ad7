//! `careerdock report effect` against the demo: the JSON (the overall report's `k`,
//! `dimensions` and cells, each shown one with its figures), the CSV, and bad arguments said
//! plainly with exit status 2.

use super::*;

pub(super) fn report_effect_prints_json_and_csv(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    // Enough people that the whole population's pairs reach k (the default 60 give about nine).
    env.demo_of(400)?;
    let cycle = env.sql("SELECT name FROM cycles WHERE status = 'closed' ORDER BY starts_on DESC LIMIT 1")?;
    let cycle = cycle.trim().to_string();
    let args = ["report", "effect", "--tenant", "demo", "--cycle", &cycle, "--questionnaire", "career-awareness"];
    let out = env.run(&args)?.ok()?;
    let v: serde_json::Value = serde_json::from_str(&out.stdout).with_context(|| format!("not JSON: {out}"))?;
    ensure!(v["k"] == 10 && v["population"]["rule"] == "complete_pairs" && v["dimensions"]["department"].is_object(), "{}", out.stdout);
    let tables = v["tables"].as_array().context("tables")?;
    let names: Vec<&str> = tables.iter().filter_map(|t| t["name"].as_str()).collect();
    ensure!(names == ["overall", "department", "age", "tenure", "grade"], "{names:?}");
    let whole = &tables[0]["cells"][0];
    ensure!(whole["suppressed"] == false && whole["n"].as_u64().is_some_and(|n| n >= 30), "most interviewees answered: {whole}");
    let keys: Vec<&str> = whole["value"].as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    ensure!(keys.len() == 8 && keys.contains(&"min_detectable_effect") && keys.contains(&"wilcoxon_p"), "{keys:?}");
    for c in tables.iter().flat_map(|t| t["cells"].as_array().cloned().unwrap_or_default()) {
        if c["suppressed"] == true {
            ensure!(c.get("n").is_none() && c.get("value").is_none() && c.get("warning").is_none(), "a hidden cell with figures: {c}");
        } else {
            ensure!(c["n"].as_u64().is_some_and(|n| n >= 10), "a shown cell below k: {c}");
            ensure!(c["n"].as_u64().is_some_and(|n| n >= 34) || c["warning"]["ja"].is_string(), "a small group unwarned: {c}");
        }
    }
    // CSV, one table, in English.
    let file = env.path("effect.csv");
    let file_arg = file.to_string_lossy().to_string();
    let mut csv_args = args.to_vec();
    csv_args.extend(["--by", "department", "--format", "csv", "--lang", "en", "-o", &file_arg]);
    env.run(&csv_args)?.ok()?;
    let csv = std::fs::read_to_string(&file)?;
    ensure!(csv.starts_with("\u{feff}table,department,age,tenure,grade,suppressed,n,mean_pre"), "{csv:.300}");
    ensure!(
        csv.lines().filter(|l| l.starts_with("overall,")).count() == 1 && csv.lines().any(|l| l.starts_with("department,")),
        "{csv:.600}"
    );
    // Bad arguments: said, with exit status 2.
    for (bad, said) in [
        (
            ["report", "effect", "--tenant", "demo", "--cycle", "no-such-cycle", "--questionnaire", "career-awareness"],
            "no cycle 'no-such-cycle'",
        ),
        (["report", "effect", "--tenant", "demo", "--cycle", &cycle, "--questionnaire", "no-such"], "no questionnaire 'no-such'"),
    ] {
        let out = env.run(&bad)?;
        ensure!(out.code() == Some(2) && out.stderr.contains(said), "{out}");
    }
    let out =
        env.run(&["report", "effect", "--tenant", "demo", "--cycle", &cycle, "--questionnaire", "career-awareness", "--by", "salary"])?;
    ensure!(out.code() == Some(2) && out.stderr.contains("salary"), "{out}");
    Ok(())
}
