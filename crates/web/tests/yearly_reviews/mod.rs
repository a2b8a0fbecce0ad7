//! Issue 10's yearly review over HTTP, on both databases: closing a cycle opens its review; a
//! consultant proposes (an empty proposal is refused beside the field); HR's plan form keeps
//! what was typed when it is refused; finalizing needs a plan and freezes the review (a later
//! proposal answers 409); an executive never sees the draft and reads the final one, in Japanese
//! and English, page and JSON; cycles are compared side by side for HR and executives only,
//! for the whole population or one department of the releases.

use crate::records::world::{role_login, World};
use anyhow::{ensure, Context, Result};
use domain::Role;
use reqwest::StatusCode;
use testkit::Backend;

testkit::on_both_backends!(a_closed_cycle_gets_a_yearly_review_that_hr_finalizes; known_bugs:);

const PROPOSAL: &str = "面談の案内を人事部長名で出すと参加率が上がると思います。";
const PLAN: &str = "来年度は面談の案内を一か月早め、管理職向け説明会を開きます。";

async fn a_closed_cycle_gets_a_yearly_review_that_hr_finalizes(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    // A cycle of its own with a released overall report.
    let overall = w.overall_report(home, true).await?;
    let detail = w.store().overall_report(&home.consultant.ctx, store::OverallReportId::new(overall)).await?;
    let cycle = detail.row.cycle.id;
    let cycle_name = detail.row.cycle.name.clone();
    let page = format!("/reviews/{cycle}");

    let mut hr = w.app.signed_in(role_login(Role::Hr)).await?;
    let mut exec = w.app.signed_in(role_login(Role::Executive)).await?;
    let mut consultant = w.app.signed_in(role_login(Role::Consultant)).await?;

    // No review before the cycle closes: the page answers as for any missing review.
    ensure!(hr.get(&page).await?.status == StatusCode::NOT_FOUND, "a review before closing");

    // Closing the cycle opens the draft; the consultant's home card invites proposals.
    let res = hr.post_form(&format!("/cycles/{cycle}/status"), &[("status", "closed")]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let res = hr.get("/reviews").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(&cycle_name) && res.body.contains("作成中"), "{}", res.brief());
    let card = |body: &str| body.split("data-card=\"yearly_review\"").nth(1).and_then(|r| r.split("</li>").next()).map(String::from);
    let c = card(&consultant.get("/").await?.body).context("no yearly review card on the consultant's home")?;
    ensure!(c.contains("提案を受け付けています"), "{c}");

    // The draft's figures: participation, and the release's flags (no previous cycle).
    let res = consultant.get(&page).await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(
        res.body.contains("参加状況") && res.body.contains("課題タグとフラグの推移") && res.body.contains("全体報告書（第1版"),
        "{}",
        res.brief()
    );

    // Executives see no draft: not on the page, the list or the API.
    ensure!(exec.get(&page).await?.status == StatusCode::NOT_FOUND, "an executive reads a draft");
    ensure!(!exec.get("/reviews").await?.body.contains(&cycle_name), "a draft listed to an executive");
    ensure!(exec.get(&format!("/api/v1/reviews/{cycle}")).await?.status == StatusCode::NOT_FOUND, "the API shows a draft");

    // A proposal: empty is refused beside the field; then it is added and shown.
    let res = consultant.post_form(&format!("{page}/proposals"), &[("proposal", "  ")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("提案を入力してください"), "{}", res.brief());
    let res = consultant.post_form(&format!("{page}/proposals"), &[("proposal", PROPOSAL)]).await?;
    ensure!(res.is_redirect_to(&format!("{page}?done=proposed")), "{}", res.brief());
    ensure!(consultant.get(&page).await?.body.contains(PROPOSAL), "the proposal is shown");

    // HR: finalizing without a plan says what to do; a plan too long is refused and kept.
    let res = hr.post_form(&format!("{page}/finalize"), &[]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("改善計画を入力して保存してください"), "{}", res.brief());
    let long = format!("{PLAN}{}", "あ".repeat(domain::yearly_review::PLAN.max));
    let res = hr.post_form(&format!("{page}/plan"), &[("plan", &long)]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("8,000文字以内"), "{}", res.brief());
    ensure!(res.body.contains(&long), "the refused plan is kept in the form");
    let res = hr.post_form(&format!("{page}/plan"), &[("plan", PLAN)]).await?;
    ensure!(res.is_redirect_to(&format!("{page}?done=plan")), "{}", res.brief());
    let res = hr.post_form(&format!("{page}/refresh"), &[]).await?;
    ensure!(res.is_redirect_to(&format!("{page}?done=refreshed")), "{}", res.brief());
    let res = hr.post_form(&format!("{page}/finalize"), &[]).await?;
    ensure!(res.is_redirect_to(&format!("{page}?done=finalized")), "{}", res.brief());

    // Final: frozen (a proposal now answers 409), read by executives in both languages.
    let res = consultant.post_form(&format!("{page}/proposals"), &[("proposal", "追加の提案")]).await?;
    ensure!(res.status == StatusCode::CONFLICT && res.body.contains("先に確定しました"), "{}", res.brief());
    let res = exec.get(&page).await?;
    ensure!(
        res.status == StatusCode::OK && res.body.contains(PLAN) && res.body.contains(PROPOSAL) && res.body.contains("確定済み"),
        "{}",
        res.brief()
    );
    ensure!(!res.body.contains("name=\"plan\""), "an executive gets no plan form");
    exec.post_form("/locale", &[("locale", "en"), ("next", "/")]).await?;
    let res = exec.get(&page).await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("Yearly review:") && res.body.contains("Participation"), "{}", res.brief());
    ensure!(res.body.contains("Final") && res.body.contains("Proposals for next year"), "{}", res.brief());
    let json = exec.get(&format!("/api/v1/reviews/{cycle}")).await?.json()?;
    ensure!(json["state"] == "final" && json["plan"] == PLAN, "{json}");
    ensure!(json["proposals"][0]["body"] == PROPOSAL && json["proposals"][0]["role"] == "consultant", "{json}");
    ensure!(json["release"]["id"] == overall, "{json}");
    // The actions due within the cycle are counted (none here); the awareness change of a
    // cycle without questionnaire pairs is hidden and carries no figure.
    ensure!(json["actions"]["done"] == 0 && json["actions"]["overdue"] == 0 && json["actions"]["completion"].is_null(), "{json}");
    ensure!(json["awareness"].is_null() || (json["awareness"]["suppressed"] == true && json["awareness"].get("n").is_none()), "{json}");
    let listed = exec.get("/api/v1/reviews").await?.json()?;
    ensure!(listed["items"].as_array().is_some_and(|a| a.iter().any(|i| i["cycle_id"] == cycle)), "{listed}");

    // Cycles side by side: HR and executives; the whole population and one department.
    let res = hr.get("/reviews/compare").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(&cycle_name) && res.body.contains("実施率"), "{}", res.brief());
    let res = exec.get("/reviews/compare").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("Compare cycles"), "{}", res.brief());
    ensure!(consultant.get("/reviews/compare").await?.status == StatusCode::FORBIDDEN, "consultants do not compare cycles");
    let json = hr.get("/api/v1/cycle-comparison").await?.json()?;
    let columns = json["columns"].as_array().context("columns")?;
    let col = columns.iter().position(|c| c["cycle_id"] == cycle).context("the cycle's column")?;
    ensure!(columns[col]["release"]["id"] == overall, "{json}");
    ensure!(columns[col]["actions"]["planned"] == 0, "the final review's frozen actions: {json}");
    let rows = json["rows"].as_array().context("rows")?;
    ensure!(rows.first().is_some_and(|r| r["measure"] == "people"), "people first: {json}");
    ensure!(rows.iter().all(|r| r["cells"].as_array().is_some_and(|c| c.len() == columns.len())), "{json}");
    let dept = json["departments"].as_array().and_then(|d| d.first()).and_then(|d| d.as_str()).map(String::from);
    if let Some(dept) = dept {
        let path = format!("/reviews/compare?dept={}", url::form_urlencoded::byte_serialize(dept.as_bytes()).collect::<String>());
        let res = hr.get(&path).await?;
        ensure!(res.status == StatusCode::OK && res.body.contains(&dept), "{}", res.brief());
    }
    ensure!(hr.get("/reviews/compare?dept=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84%E9%83%A8").await?.status == StatusCode::NOT_FOUND);

    Ok(())
}
