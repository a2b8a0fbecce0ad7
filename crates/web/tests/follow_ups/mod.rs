//! Follow-up items over HTTP (R7): planning from the report page (a form sent back keeps what
//! was typed), the consultant's list and item pages in Japanese and English, closing with a
//! reason, the home card, the API, another consultant answered "not found", and HR seeing
//! k-protected counts only.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::report::ReportStatus;
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{on_both_backends, Backend};

on_both_backends!(consultants_plan_and_close_follow_ups_and_hr_sees_counts_only; known_bugs:);

const WHAT: &str = "社内公募への応募状況を確認する";

async fn consultants_plan_and_close_follow_ups_and_hr_sees_counts_only(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let report = w.report(home, &home.consultant, "E002", &home.supervisor, ReportStatus::Draft).await?;
    let mut me = w.app.signed_in("consultant").await?;
    let page = me.get(&format!("/reports/{report}")).await?;
    ensure!(page.body.contains(&format!("/reports/{report}/follow-ups/new")), "the report links to planning: {}", page.brief());
    let form = me.get(&format!("/reports/{report}/follow-ups/new")).await?;
    ensure!(form.status == StatusCode::OK && form.body.contains("支援方針"), "{}", form.brief());

    // Every problem beside its field, in Japanese, with the input kept.
    let back =
        me.post_form(&format!("/reports/{report}/follow-ups"), &[("kind", "additional"), ("due_on", "2001-01-01"), ("what", "")]).await?;
    ensure!(back.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", back.brief());
    ensure!(
        back.body.contains("期限に過去の日付は指定できません") && back.body.contains("フォローする内容を入力してください"),
        "{}",
        back.brief()
    );
    ensure!(back.body.contains("value=\"2001-01-01\"") && back.body.contains("value=\"additional\" checked"), "kept: {}", back.brief());

    let due = (store::today_jst() + chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
    let sent = me.post_form(&format!("/reports/{report}/follow-ups"), &[("kind", "follow_up"), ("due_on", &due), ("what", WHAT)]).await?;
    let at = sent.location().context("a redirect")?.to_string();
    ensure!(at.starts_with("/follow-ups/") && at.ends_with("?done=planned"), "{}", sent.brief());
    let item = at.trim_start_matches("/follow-ups/").split('?').next().unwrap_or_default().to_string();
    let page = me.get(&at).await?;
    ensure!(
        page.body.contains(WHAT) && page.body.contains("フォローアップ予定を登録しました") && page.body.contains("面談の日時を登録"),
        "{}",
        page.brief()
    );
    let list = me.get("/follow-ups").await?;
    ensure!(list.status == StatusCode::OK && list.body.contains(WHAT) && list.body.contains("期限間近"), "{}", list.brief());
    let homepage = me.get("/").await?;
    ensure!(homepage.body.contains("フォローアップ予定") && homepage.body.contains("期限間近 1件"), "the home card: {}", homepage.brief());

    // English.
    me.set_cookie("cd_lang", "en");
    let list = me.get("/follow-ups?state=open").await?;
    ensure!(list.body.contains("Follow-ups") && list.body.contains("Due soon"), "{}", list.brief());
    let page = me.get(&format!("/follow-ups/{item}")).await?;
    ensure!(page.body.contains("Schedule the interview") && page.body.contains("Close without an interview"), "{}", page.brief());
    me.set_cookie("cd_lang", "ja");

    // Another consultant: not found, as a missing one.
    let mut colleague = w.app.signed_in("consultant2").await?;
    let theirs = colleague.get(&format!("/follow-ups/{item}")).await?;
    let missing = colleague.get("/follow-ups/999999").await?;
    ensure!(theirs.status == StatusCode::NOT_FOUND && missing.status == StatusCode::NOT_FOUND, "{}", theirs.brief());
    ensure!(colleague.get(&format!("/reports/{report}/follow-ups/new")).await?.status == StatusCode::NOT_FOUND);
    ensure!(!colleague.get("/follow-ups").await?.body.contains(WHAT));

    // The API: the caller's items; planning answers 201, another consultant's report 404.
    let v = me.send(me.request(Method::GET, "/api/v1/follow-ups")).await?.json()?;
    ensure!(
        v["total"] == 1 && v["items"][0]["what"] == WHAT && v["items"][0]["state"] == "planned" && v["items"][0]["due_soon"] == true,
        "{v}"
    );
    let body = json!({ "kind": "additional", "due_on": due, "what": "上司との面談結果を確認する" });
    let csrf = me.csrf.clone();
    let res = me
        .send(me.request(Method::POST, &format!("/api/v1/reports/{report}/follow-ups")).header("x-csrf-token", &csrf).json(&body))
        .await?;
    ensure!(res.status == StatusCode::CREATED && res.json()?["kind"] == "additional", "{}", res.brief());
    let csrf2 = colleague.csrf.clone();
    let res = colleague
        .send(colleague.request(Method::POST, &format!("/api/v1/reports/{report}/follow-ups")).header("x-csrf-token", &csrf2).json(&body))
        .await?;
    ensure!(res.status == StatusCode::NOT_FOUND, "{}", res.brief());
    let bad = me
        .send(
            me.request(Method::POST, &format!("/api/v1/reports/{report}/follow-ups"))
                .header("x-csrf-token", &csrf)
                .json(&json!({"kind": "x"})),
        )
        .await?;
    ensure!(bad.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.brief());
    ensure!(colleague.send(colleague.request(Method::GET, "/api/v1/follow-ups")).await?.json()?["total"] == 0);

    // Closing needs a reason; then the item is closed.
    let back = me.post_form(&format!("/follow-ups/{item}/close"), &[("reason", " ")]).await?;
    ensure!(back.status == StatusCode::UNPROCESSABLE_ENTITY && back.body.contains("終了の理由を入力してください"), "{}", back.brief());
    let closed = me.post_form(&format!("/follow-ups/{item}/close"), &[("reason", "本人の異動により不要となった")]).await?;
    ensure!(closed.is_redirect_to(&format!("/follow-ups/{item}?done=closed")), "{}", closed.brief());
    let page = me.get(&format!("/follow-ups/{item}?done=closed")).await?;
    ensure!(page.body.contains("本人の異動により不要となった") && !page.body.contains("面談の日時を登録"), "{}", page.brief());

    // Next year's interview with E002 reviews this year's report: its support plan, the open
    // items, the questionnaire trajectory; the colleague's interview with E003 has no earlier cycle.
    let next = next_cycle_interview(&w).await?;
    let page = me.get(&format!("/interviews/{next}")).await?;
    ensure!(page.body.contains("前回の振り返り") && page.body.contains(crate::records::world::SECTION_TEXT), "{}", page.brief());
    ensure!(page.body.contains("上司との面談結果を確認する") && page.body.contains("アンケートの推移"), "{}", page.brief());

    // HR: counts per cycle only, withheld below k; never a name or a text; no list.
    let mut hr = w.app.signed_in("hr").await?;
    let page = hr.get("/").await?;
    ensure!(page.body.contains("追加・フォローアップ面談") && page.body.contains("少人数のため件数は表示しません"), "{}", page.brief());
    ensure!(!page.body.contains(WHAT) && !page.body.contains("上司との面談結果"), "no text reaches HR");
    ensure!(hr.get("/follow-ups").await?.status == StatusCode::FORBIDDEN);
    ensure!(hr.get(&format!("/follow-ups/{item}")).await?.status == StatusCode::FORBIDDEN);
    Ok(())
}

/// An interview of the consultant with E002 in next year's cycle (a cycle in planning that
/// starts when this fiscal year ends): its page reviews this year's report (R11).
pub async fn next_cycle_interview(w: &World) -> Result<domain::ids::InterviewId> {
    let home = &w.home;
    let (_, to) = crate::records::world::fiscal_year()?;
    let starts_on = to + chrono::Duration::days(1);
    let ends_on = starts_on + chrono::Duration::days(364);
    let rule = domain::cycle::TargetRule::default();
    let (cycle, _) = w.store().create_cycle(&home.op, &store::NewCycle { name: "翌年度", starts_on, ends_on, rule: &rule }).await?;
    w.store().assign_cycle_target(&home.op, cycle, home.employee("E002")?, Some(home.consultant.id)).await?;
    let new = store::NewInterview {
        cycle: Some(cycle),
        employee: home.employee("E002")?,
        kind: domain::interview::InterviewKind::Initial,
        mode: domain::interview::InterviewMode::Online,
        place: String::new(),
        slot: w.slot()?,
    };
    Ok(w.store().schedule_interview(&home.consultant.ctx.as_consultant()?, &new).await?)
}
