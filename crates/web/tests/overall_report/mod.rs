//! The overall report through the HTTP API, on SQLite and PostgreSQL: a small company's
//! released report as HR and an executive read it at `GET /api/v1/reports/overall`, compared
//! with a golden file (the JSON contract's keys exactly; moments and ids that differ from run
//! to run replaced by placeholders), the breakdown choice, and 404 while nothing is released.
//!
//! Five employees of 営業本部 have approved reports (k = 5): the whole and 営業本部 (which
//! includes its sub-departments) are shown; every smaller group is hidden, with neither `n`
//! nor `value`.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::audit::AuditAction;
use domain::report::ReportStatus;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use testkit::{on_both_backends, Backend};

on_both_backends!(a_released_report_reads_as_the_contract_through_the_api);

const GOLDEN: &str = include_str!("golden.json");

/// The report with what differs between runs replaced: moments, the cycle's id, department ids.
fn normalized(mut v: Value) -> Value {
    v["released_at"] = Value::from("<released_at>");
    v["population"]["as_of"] = Value::from("<as_of>");
    v["cycle"]["id"] = Value::from(0);
    for dim in ["age", "tenure"] {
        if v["dimensions"][dim].is_object() {
            v["dimensions"][dim]["reference_date"] = Value::from("<reference_date>");
        }
    }
    if let Some(labels) = v["dimensions"]["department"]["labels"].as_array_mut() {
        for l in labels {
            let n = l["department_ids"].as_array().map(|a| a.len()).unwrap_or(0);
            l["department_ids"] = Value::from(vec![0; n]);
        }
    }
    v
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

async fn a_released_report_reads_as_the_contract_through_the_api(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let store = w.store();
    store.set_report_settings(&home.hr.ctx.as_hr()?, "5", &[]).await?;
    for n in ["E001", "E004", "E005"] {
        store.assign_cycle_target(&home.op, home.cycle, home.employee(n)?, Some(home.consultant.id)).await?;
    }
    for (n, tags) in [("E001", &["career_direction"][..]), ("E002", &[]), ("E004", &["career_direction"]), ("E005", &[])] {
        w.tagged_report(home, &home.consultant, n, &home.supervisor, ReportStatus::Approved, tags).await?;
    }
    w.report(home, home.consultant2()?, "E003", home.supervisor2()?, ReportStatus::Approved).await?;

    let mut hr = w.app.signed_in("hr").await?;
    let mut executive = w.app.signed_in("executive").await?;
    ensure!(hr.get("/api/v1/reports/overall").await?.status == StatusCode::NOT_FOUND, "nothing released: 404");

    // The consultant drafts and writes; the supervisor approves and releases.
    let mut consultant = w.app.signed_in("consultant").await?;
    let started = consultant.post_form("/overall-reports", &[("cycle", &home.cycle.get().to_string())]).await?;
    let edit = started.location().context("the draft's editor")?.to_string();
    let id = edit.trim_start_matches("/overall-reports/").trim_end_matches("/edit").to_string();
    // The approver is told which sections are still to be written.
    let mut approver = w.app.signed_in("supervisor").await?;
    let empty = approver.get(&format!("/overall-reports/{id}")).await?;
    ensure!(
        empty.body.contains("承認するには、4つの所見をすべて記入してください（未記入：面談対象者全体の傾向、組織的な課題、解決策、従業員育成策に関する提案）"),
        "the missing sections are not said: {}",
        empty.brief()
    );
    let narrative = [("trends", "傾向"), ("issues", "課題"), ("solutions", "解決策"), ("development", "育成策")];
    ensure!(consultant.post_form(&edit, &narrative).await?.status.is_redirection(), "the narrative saved");
    ensure!(executive.get(&format!("/overall-reports/{id}")).await?.status == StatusCode::NOT_FOUND, "a draft: 404");
    // The draft's preview: the whole and one breakdown at a time (the first by default), every
    // breakdown offered with how many cells it will hide and why; the groups whose every
    // figure is hidden are listed under their table, with the reason, in a disclosure.
    let preview = consultant.get(&format!("/overall-reports/{id}")).await?;
    ensure!(preview.status == StatusCode::OK, "{}", preview.brief());
    let body = &preview.body;
    ensure!(
        body.contains("id=\"table-overall-caption\"") && body.contains("id=\"table-department-caption\""),
        "the whole and one breakdown"
    );
    ensure!(!body.contains("id=\"table-age-caption\"") && !body.contains("id=\"table-department-age-caption\""), "one breakdown at a time");
    ensure!(body.contains(&format!("href=\"/overall-reports/{id}?by=department&#38;by=age\"")), "every breakdown is offered");
    ensure!(body.contains("非表示") && body.contains("最小人数未満 "), "what each breakdown hides and why");
    // Departments one level at a time: the top level, 営業本部 linked to its sub-departments.
    let sales = urlencode("営業本部");
    ensure!(!body.contains("営業本部/第一営業部"), "the top level only by default");
    ensure!(body.contains(&format!("href=\"/overall-reports/{id}?by=department&#38;dept={sales}\"")), "the drill-down link");
    ensure!(body.contains("aria-label=\"部署の階層\"") && body.contains("すべての部署"), "the breadcrumb");
    let down = consultant.get(&format!("/overall-reports/{id}?by=department&dept={sales}")).await?;
    ensure!(down.status == StatusCode::OK, "{}", down.brief());
    let body = &down.body;
    ensure!(body.contains("営業本部/第一営業部") && body.contains("営業本部/第二営業部"), "its sub-departments");
    ensure!(body.contains("<details class=\"hidden-rows\">") && body.contains("すべての値が非表示になるグループ"), "the hidden groups");
    ensure!(body.contains("<span class=\"hidden-reason\">最小人数未満</span>"), "the reason of the hidden groups");
    ensure!(body.contains("aria-current=\"location\" lang=\"ja\">営業本部</span>"), "where the reader is");
    let unknown = consultant.get(&format!("/overall-reports/{id}?by=department&dept={}", urlencode("総務部"))).await?;
    ensure!(unknown.status == StatusCode::NOT_FOUND, "an unknown department: {}", unknown.brief());
    let by_age = consultant.get(&format!("/overall-reports/{id}?by=age")).await?;
    ensure!(by_age.status == StatusCode::OK, "{}", by_age.brief());
    ensure!(by_age.body.contains("id=\"table-age-caption\"") && !by_age.body.contains("id=\"table-department-caption\""), "by age");
    ensure!(hr.get("/api/v1/reports/overall").await?.status == StatusCode::NOT_FOUND, "a draft is no release");
    // Downloads are of released versions only: a draft answers as a missing version, to its
    // consultant too.
    let of_draft = |events: &[domain::audit::ChainedEvent]| -> Vec<String> {
        events.iter().filter(|e| e.target_id == id && e.target_kind == "overall_report").map(|e| e.action.clone()).collect()
    };
    let before = of_draft(&w.app.store.recent_audit(w.app.tenant.id, 500, None).await?);
    for (who, client) in [("consultant", &mut consultant), ("hr", &mut hr), ("executive", &mut executive)] {
        for path in [
            format!("/overall-reports/{id}/report.pdf"),
            format!("/overall-reports/{id}/report.csv"),
            "/overall-reports/987654/report.pdf".into(),
        ] {
            let res = client.get(&path).await?;
            ensure!(res.status == StatusCode::NOT_FOUND, "{who} {path}: {}", res.brief());
        }
    }
    // The store refuses the draft itself, as a missing record: neither a read of it (its
    // consultant's included) nor a refusal is audited.
    let after = of_draft(&w.app.store.recent_audit(w.app.tenant.id, 500, None).await?);
    ensure!(after == before, "the draft's downloads were audited: {before:?} then {after:?}");
    ensure!(before.contains(&AuditAction::OverallReportRead.as_str().to_string()), "the preview's reads are audited: {before:?}");
    let mut supervisor = approver;
    ensure!(!supervisor.get(&format!("/overall-reports/{id}")).await?.body.contains("承認するには"), "every section is written");
    ensure!(supervisor.post_form(&format!("/overall-reports/{id}/approve"), &[]).await?.status.is_redirection(), "approved");
    ensure!(supervisor.post_form(&format!("/overall-reports/{id}/release"), &[]).await?.status.is_redirection(), "released");

    let res = hr.get("/api/v1/reports/overall?cycle=latest").await?;
    ensure!(res.status == StatusCode::OK, "HR reads the release: {}", res.brief());
    let report = res.json()?;
    let expected: Value = serde_json::from_str(GOLDEN)?;
    let got = normalized(report.clone());
    if std::env::var_os("CAREERDOCK_UPDATE_GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/overall_report/golden.json");
        std::fs::write(path, serde_json::to_string_pretty(&got)? + "\n")?;
    }
    ensure!(got == expected, "the golden report differs:\n{}", serde_json::to_string_pretty(&got)?);

    // The contract's keys, exactly; a hidden cell carries neither n nor value.
    let top: BTreeSet<String> =
        ["tenant", "cycle", "version", "released_at", "k", "population", "dimensions", "tables"].iter().map(|s| s.to_string()).collect();
    ensure!(keys(&report) == top, "top-level keys: {:?}", keys(&report));
    for t in report["tables"].as_array().context("tables")? {
        ensure!(keys(t) == ["by", "cells", "name"].iter().map(|s| s.to_string()).collect(), "table keys");
        for c in t["cells"].as_array().context("cells")? {
            let k = keys(c);
            if c["suppressed"] == Value::Bool(true) {
                ensure!(k == ["group", "measure", "suppressed"].iter().map(|s| s.to_string()).collect(), "a hidden cell: {c}");
            } else {
                ensure!(k == ["group", "measure", "n", "suppressed", "value"].iter().map(|s| s.to_string()).collect(), "a shown cell: {c}");
            }
        }
    }

    // The executive reads the same; by cycle name and version; the breakdown choice.
    let name = report["cycle"]["name"].as_str().context("the cycle's name")?.to_string();
    let as_exec = executive.get(&format!("/api/v1/reports/overall?cycle={}&version=1", urlencode(&name))).await?;
    ensure!(as_exec.status == StatusCode::OK && as_exec.json()? == report, "the executive reads the same: {}", as_exec.brief());
    let by = hr.get("/api/v1/reports/overall?by=department").await?.json()?;
    let names: Vec<&str> = by["tables"].as_array().map(|a| a.iter().filter_map(|t| t["name"].as_str()).collect()).unwrap_or_default();
    ensure!(names == ["overall", "department"], "by department: {names:?}");
    ensure!(hr.get("/api/v1/reports/overall?by=age").await?.status == StatusCode::NOT_FOUND, "no age band has a shown cell");
    ensure!(hr.get("/api/v1/reports/overall?by=salary").await?.status == StatusCode::UNPROCESSABLE_ENTITY, "an unknown dimension");
    ensure!(hr.get("/api/v1/reports/overall?cycle=nosuch").await?.status == StatusCode::NOT_FOUND, "an unknown cycle");
    // The page offers only what has shown cells.
    let page = hr.get(&format!("/overall-reports/{id}")).await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("非表示（5人未満）"), "the page marks hidden cells");
    ensure!(!page.body.contains("by=age"), "no age breakdown offered");
    // The released page: departments one level at a time, with the breadcrumb; the API and the
    // CSV keep every department.
    let sales = urlencode("営業本部");
    ensure!(!page.body.contains("営業本部/第一営業部"), "the top level only by default");
    let link = format!("href=\"/overall-reports/{id}?by=department&#38;dept={sales}\"");
    ensure!(page.body.contains(&link), "the drill-down link on the release");
    let down = hr.get(&format!("/overall-reports/{id}?by=department&dept={sales}")).await?;
    ensure!(down.status == StatusCode::OK && down.body.contains("営業本部/第一営業部"), "one level down: {}", down.brief());
    ensure!(down.body.contains("aria-current=\"location\" lang=\"ja\">営業本部</span>"), "the breadcrumb says where");
    let leaf = hr.get(&format!("/overall-reports/{id}?by=department&dept={}", urlencode("営業本部/第一営業部"))).await?;
    ensure!(leaf.status == StatusCode::OK && leaf.body.contains("第一営業部"), "a department without sub-departments: {}", leaf.brief());
    for bad in ["総務部", "営業本部/第三営業部", "営業"] {
        let res = hr.get(&format!("/overall-reports/{id}?by=department&dept={}", urlencode(bad))).await?;
        ensure!(res.status == StatusCode::NOT_FOUND, "{bad}: {}", res.brief());
    }
    let english =
        hr.request(reqwest::Method::GET, &format!("/overall-reports/{id}?by=department&dept={sales}")).header("accept-language", "en");
    let english = hr.send(english).await?;
    ensure!(english.status == StatusCode::OK, "{}", english.brief());
    ensure!(
        english.body.contains("aria-label=\"Department levels\"") && english.body.contains("All departments"),
        "the breadcrumb in English: {}",
        english.brief()
    );
    ensure!(english.body.contains("The CSV and the API hold every department."), "what the downloads hold");
    let every = hr.get("/api/v1/reports/overall?by=department").await?.json()?;
    ensure!(every.to_string().contains("営業本部/第一営業部"), "the API keeps every department");
    let csv = hr.get(&format!("/overall-reports/{id}/report.csv")).await?;
    ensure!(csv.body.contains("営業本部/第一営業部"), "the CSV keeps every department");

    // The released page: charts inline with their text, the download links.
    ensure!(page.body.contains("<svg role=\"img\"") && page.body.contains("chart-summary"), "no chart on the page");
    ensure!(
        page.body.contains("PDFをダウンロード") && page.body.contains(&format!("/overall-reports/{id}/report.csv?encoding=cp932")),
        "no links"
    );

    // The downloads: PDF and CSV (UTF-8 with a BOM, CP932), as HR and the executive.
    for (who, client) in [("hr", &mut hr), ("executive", &mut executive)] {
        let pdf = client.get(&format!("/overall-reports/{id}/report.pdf")).await?;
        ensure!(pdf.status == StatusCode::OK && pdf.header("content-type") == Some("application/pdf"), "{who}: {}", pdf.brief());
        ensure!(pdf.body.starts_with("%PDF"), "{who}: not a PDF");
        let cd = pdf.header("content-disposition").unwrap_or_default();
        ensure!(cd.starts_with("attachment; filename=\"overall-report-") && cd.contains("filename*=UTF-8''overall-report-"), "{cd}");
        let csv = client.get(&format!("/overall-reports/{id}/report.csv")).await?;
        ensure!(csv.status == StatusCode::OK && csv.header("content-type") == Some("text/csv; charset=utf-8"), "{who}: {}", csv.brief());
        ensure!(csv.body.starts_with('\u{feff}') && csv.body.contains("非表示（5人未満）"), "{who}: the CSV");
        let sjis = client.get(&format!("/overall-reports/{id}/report.csv?encoding=cp932")).await?;
        ensure!(sjis.header("content-type") == Some("text/csv; charset=Shift_JIS"), "{who}: {}", sjis.brief());
    }
    Ok(())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
