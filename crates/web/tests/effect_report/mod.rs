//! 効果把握 over HTTP: HR and executives read the page (Japanese and English) and the JSON at
//! `GET /api/v1/reports/effect`; the small groups of this register are hidden as the overall
//! report hides them; consultants, employees, bosses and health staff cannot; a cycle of another
//! tenant answers as not found.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::questionnaire::import::ResponseRow;
use domain::questionnaire::Timing;
use reqwest::{Method, StatusCode};
use store::Ctx;
use testkit::{on_both_backends, Backend};

on_both_backends!(hr_and_executives_read_the_effect_report; known_bugs:);

async fn hr_and_executives_read_the_effect_report(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let op = Ctx::operator(w.app.tenant.id, "test");
    let today = store::today_jst();
    let rows: Vec<ResponseRow> = ["E002", "E003", "E004", "E005"]
        .iter()
        .flat_map(|n| {
            [(Timing::Pre, 3), (Timing::Post, 4)].map(|(timing, v)| ResponseRow {
                line: 2,
                employee_number: domain::employee::EmployeeNumber::parse(n).unwrap_or_else(|_| unreachable!()),
                timing,
                answered_on: if timing == Timing::Pre { today - chrono::Duration::days(30) } else { today },
                answers: (1..=16).map(|i| (format!("q{i:02}"), Some(v))).collect(),
                number_column: "employee_number".into(),
            })
        })
        .collect();
    ensure!(w.app.store.import_responses(&op, "career-awareness", home.cycle, &rows).await? == 8);
    let cycle = home.cycle.get().to_string();
    for login in ["hr", "executive"] {
        let mut a = w.app.signed_in(login).await?;
        let homepage = a.get("/").await?;
        ensure!(homepage.body.contains("href=\"/reports/effect\""), "{login}'s home links to it: {}", homepage.brief());
        let page = a.get(&format!("/reports/effect?cycle={cycle}&questionnaire=career-awareness")).await?;
        ensure!(page.status == StatusCode::OK, "{login}: {}", page.brief());
        ensure!(page.body.contains("効果把握") && page.body.contains("非表示（10人未満）"), "{login}: {}", page.brief());
        ensure!(page.body.contains("事前と事後の回答がそろった人が10人未満"), "{login}: {}", page.brief());
        let rb = a.request(Method::GET, "/reports/effect").header("accept-language", "en");
        let en = a.send(rb).await?;
        ensure!(
            en.status == StatusCode::OK && en.body.contains("Effect measurement") && en.body.contains("Hidden (fewer than 10)"),
            "{}",
            en.brief()
        );
        let json = a.get(&format!("/api/v1/reports/effect?cycle={cycle}&questionnaire=career-awareness")).await?;
        ensure!(json.status == StatusCode::OK, "{login}: {}", json.brief());
        let v = json.json()?;
        ensure!(v["k"] == 10 && v["population"]["rule"] == "complete_pairs" && v.get("dimensions").is_some(), "{v}");
        let cells: Vec<&serde_json::Value> =
            v["tables"].as_array().context("tables")?.iter().flat_map(|t| t["cells"].as_array().into_iter().flatten()).collect();
        ensure!(
            !cells.is_empty() && cells.iter().all(|c| c["suppressed"] == true && c.get("n").is_none() && c.get("value").is_none()),
            "{v}"
        );
        let by = a.get(&format!("/api/v1/reports/effect?cycle={cycle}&by=department")).await?.json()?;
        ensure!(by["tables"].as_array().map(Vec::len) == Some(2), "{by}");
        ensure!(a.get(&format!("/api/v1/reports/effect?cycle={cycle}&by=salary")).await?.status == StatusCode::UNPROCESSABLE_ENTITY);
        // Another tenant's cycle: not found.
        let theirs = w.other.cycle.get().to_string();
        ensure!(a.get(&format!("/api/v1/reports/effect?cycle={theirs}")).await?.status == StatusCode::NOT_FOUND);
    }
    for login in ["consultant", "emp-e002", "boss-e001", "health"] {
        let mut a = w.app.signed_in(login).await?;
        ensure!(a.get("/reports/effect").await?.status == StatusCode::FORBIDDEN, "{login}");
        ensure!(a.get(&format!("/api/v1/reports/effect?cycle={cycle}")).await?.status == StatusCode::FORBIDDEN, "{login}");
    }
    Ok(())
}
