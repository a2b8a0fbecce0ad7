//! Issue 9's management report over HTTP, on both databases: HR drafts it on a released overall
//! report, the form keeps what was typed with the problem beside it, HR releases it; an
//! executive never sees the draft (404, and not on their home), lands on the released version,
//! reads it in the API; a withdrawal of consent removes the case from the released version's
//! page and JSON, and the page says how many cases are not shown, never which.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::consent::{ConsentDecision, ConsentMethod};
use domain::important_case::check_case_response;
use domain::Role;
use reqwest::StatusCode;
use testkit::Backend;

testkit::on_both_backends!(a_management_report_is_drafted_released_and_follows_consent);

const SUMMARY: &str = "配置の検討をお願いしたい。";

async fn a_management_report_is_drafted_released_and_follows_consent(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    // A consented case HR marked for the report.
    let case = w.important_case(home, &home.consultant, "E002").await?;
    let response = check_case_response("in_progress", "人事部", "業務配分を見直す。", true).map_err(|p| anyhow::anyhow!("{p:?}"))?;
    w.store().record_case_response(&home.hr.ctx.as_hr()?, case, &response).await?;
    let overall = w.overall_report(home, true).await?;
    let hr_login = crate::records::world::role_login(Role::Hr);
    let exec_login = crate::records::world::role_login(Role::Executive);
    let mut hr = w.app.signed_in(hr_login).await?;
    let mut exec = w.app.signed_in(exec_login).await?;

    // Before anything is released the executive's home says what will come.
    let res = exec.get("/").await?;
    ensure!(res.status == StatusCode::OK && !res.body.contains("最新の経営層への報告"), "{}", res.brief());

    // HR's home has a card for the management report: none yet, so the way to compose one.
    let card = |body: &str| body.split("data-card=\"management_report\"").nth(1).and_then(|r| r.split("</li>").next()).map(String::from);
    let res = hr.get("/").await?;
    let c = card(&res.body).context("no management report card on HR's home")?;
    ensure!(c.contains("href=\"/management-reports/new\"") && c.contains("経営層への報告はまだありません"), "{c}");

    // HR chooses the released overall report; a missing choice is said beside the field.
    let res = hr.get("/management-reports/new").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(&format!("value=\"{overall}\"")), "{}", res.brief());
    let res = hr.post_form("/management-reports", &[("overall", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("もとにする全体報告書を選んでください"), "{}", res.brief());
    let res = hr.post_form("/management-reports", &[("overall", &overall.to_string())]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let edit = res.location().context("redirect")?.to_string();
    let id: String = edit.trim_start_matches("/management-reports/").chars().take_while(char::is_ascii_digit).collect();
    let page = format!("/management-reports/{id}");

    // The card now leads to the draft's editor.
    let c = card(&hr.get("/").await?.body).context("the card")?;
    ensure!(c.contains(&format!("href=\"{edit}\"")) && c.contains("作成中です") && c.contains("下書き"), "{c}");

    // The draft: HR previews the case; the executive gets 404 and does not see it listed.
    let res = hr.get(&edit).await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(SUMMARY) && res.body.contains("業務配分を見直す。"), "{}", res.brief());
    ensure!(exec.get(&page).await?.status == StatusCode::NOT_FOUND, "an executive reads a draft");
    ensure!(!exec.get("/management-reports").await?.body.contains(&format!("href=\"{page}\"")), "a draft listed to an executive");
    // A draft downloads for no one: the store refuses it as a missing record before any
    // audited read (HR's own preview above is the draft's one read).
    let events_of_draft = |events: &[domain::audit::ChainedEvent]| -> Vec<String> {
        events.iter().filter(|e| e.target_id == id && e.target_kind == "management_report").map(|e| e.action.clone()).collect()
    };
    let before = events_of_draft(&w.app.store.recent_audit(w.app.tenant.id, 500, None).await?);
    for (who, agent) in [("hr", &mut hr), ("executive", &mut exec)] {
        for file in ["report.pdf", "report.csv", "report.csv?encoding=cp932"] {
            let res = agent.get(&format!("{page}/{file}")).await?;
            ensure!(res.status == StatusCode::NOT_FOUND, "{who} downloads the draft's {file}: {}", res.brief());
        }
    }
    let after = events_of_draft(&w.app.store.recent_audit(w.app.tenant.id, 500, None).await?);
    ensure!(after == before, "the draft's downloads were audited: {before:?} then {after:?}");

    // Releasing without commentary is refused with the reason; an overlong one keeps the text.
    let res = hr.post_form(&format!("{page}/release"), &[]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("所見を入力して保存してください"), "{}", res.brief());
    let long = "あ".repeat(8_001);
    let res = hr.post_form(&format!("{page}/edit"), &[("commentary", &long)]).await?;
    ensure!(
        res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains(&long) && res.body.contains("8,000文字以内"),
        "{}",
        res.brief()
    );
    let res = hr.post_form(&format!("{page}/edit"), &[("commentary", "来年度の研修予算をお願いします。")]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let res = hr.post_form(&format!("{page}/release"), &[]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    // Released: frozen, a late edit answers 409 with the reason.
    let res = hr.post_form(&format!("{page}/edit"), &[("commentary", "変更")]).await?;
    ensure!(res.status == StatusCode::CONFLICT && res.body.contains("先に公開しました"), "{}", res.brief());

    // HR's card: the latest released version.
    let c = card(&hr.get("/").await?.body).context("the card")?;
    ensure!(c.contains(&format!("href=\"{page}\"")) && c.contains("公開済みの最新版") && !c.contains("作成中"), "{c}");

    // The executive lands on it, and reads it in the API.
    let res = exec.get("/").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("最新の経営層への報告") && res.body.contains(SUMMARY), "{}", res.brief());
    ensure!(res.body.contains("来年度の研修予算をお願いします。"), "the commentary");
    let cycle = w.store().management_report(&home.hr.ctx, store::ManagementReportId::new(id.parse()?)).await?.doc.cycle.name;
    let api = format!("/api/v1/reports/management?cycle={}", urlencode(&cycle));
    let res = exec.get(&api).await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    let doc: serde_json::Value = serde_json::from_str(&res.body)?;
    ensure!(doc["cases"][0]["summary"] == SUMMARY && doc["cases_withheld"] == 0 && doc["state"] == "released", "{doc}");
    ensure!(doc["overall_report"]["id"] == overall && doc["commentary"] == "来年度の研修予算をお願いします。", "{doc}");
    ensure!(exec.get("/api/v1/reports/management?cycle=1999").await?.status == StatusCode::NOT_FOUND, "a cycle without a release");
    ensure!(exec.get("/api/v1/reports/management").await?.status == StatusCode::UNPROCESSABLE_ENTITY, "no cycle");

    // The downloads carry the consented case while consent is in force.
    let squeezed: String = SUMMARY.chars().filter(|c| !c.is_whitespace()).take(12).collect();
    let (status, headers, pdf) = exec.get_bytes(&format!("{page}/report.pdf")).await?;
    ensure!(status == StatusCode::OK && headers.get("content-type").is_some_and(|v| v == "application/pdf"), "{status}");
    ensure!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = crate::support::pdf_text(&pdf)?;
    ensure!(text.contains("経営層への報告") && text.contains(&squeezed), "the PDF lacks the case: {text:.400}");
    ensure!(!text.contains("career_direction"), "a tag's code in the PDF: {text:.400}");
    let (status, headers, csv) = hr.get_bytes(&format!("{page}/report.csv")).await?;
    ensure!(status == StatusCode::OK && headers.get("content-type").is_some_and(|v| v == "text/csv; charset=utf-8"), "{status}");
    let csv = String::from_utf8(csv)?;
    ensure!(csv.contains(SUMMARY), "the CSV lacks the case");
    // A tag is named by its label, as in the PDF (the file has no column of codes).
    ensure!(csv.contains("キャリアの方向性") && !csv.contains("career_direction"), "the CSV names a tag by its code: {csv:.600}");

    // The employee withdraws: the case leaves the released version's page and JSON at once.
    let withdraw = store::ConsentInput { decision: ConsentDecision::Withdraw, version: 1, comment: String::new(), expires_at_ms: None };
    w.store()
        .record_consent_on_behalf(&home.consultant.ctx.as_consultant()?, case, &withdraw, ConsentMethod::Verbal, "電話で撤回の意思を確認")
        .await?;
    for agent in [&mut hr, &mut exec] {
        let res = agent.get(&page).await?;
        ensure!(res.status == StatusCode::OK && !res.body.contains(SUMMARY) && !res.body.contains("業務配分を見直す。"), "{}", res.body);
        ensure!(res.body.contains("1件の重要事案は、ご本人の同意の撤回などにより表示されません。"), "the withdrawal is not said");
    }
    let doc: serde_json::Value = serde_json::from_str(&exec.get(&api).await?.body)?;
    ensure!(doc["cases"].as_array().is_some_and(|c| c.is_empty()) && doc["cases_withheld"] == 1, "{doc}");
    // … and its downloads: the PDF and the CSV (UTF-8 and CP932) no longer carry it.
    let (status, _, pdf) = exec.get_bytes(&format!("{page}/report.pdf")).await?;
    ensure!(status == StatusCode::OK, "{status}");
    let text = crate::support::pdf_text(&pdf)?;
    ensure!(!text.contains(&squeezed) && text.contains("同意の撤回などにより表示していません"), "the PDF still has the case");
    for q in ["", "?encoding=cp932"] {
        let (status, _, csv) = hr.get_bytes(&format!("{page}/report.csv{q}")).await?;
        let (text, _, _) = encoding_rs::SHIFT_JIS.decode(&csv);
        let text = if q.is_empty() { String::from_utf8(csv)? } else { text.into_owned() };
        ensure!(
            status == StatusCode::OK && !text.contains(SUMMARY) && !text.contains("業務配分を見直す。"),
            "the CSV{q} still has the case"
        );
        ensure!(text.contains("来年度の研修予算をお願いします。"), "the CSV{q} lacks the commentary");
    }
    Ok(())
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
