//! The guide for bosses and boss consultations over HTTP, on SQLite and PostgreSQL: the boss
//! reads the guide and acknowledges it (and is sent back where the gate sent them from); HR
//! previews, publishes (every problem beside its field, the input kept) and sees who has
//! acknowledged; a consultant records a boss consultation (the form keeps what was typed), finds
//! it on the list and on the interview page, and through the API; nobody else reads it.

use crate::forms::expect_sent_back;
use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{on_both_backends, Backend};

on_both_backends!(
    the_boss_acknowledges_the_guide_that_hr_edits,
    boss_consultations_are_recorded_and_read_by_their_consultant_only;
    known_bugs:
);

async fn the_boss_acknowledges_the_guide_that_hr_edits(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut boss = w.app.signed_in("boss").await?;
    // The home card says the guide is not acknowledged yet; the guide offers the button.
    let home = boss.get("/").await?;
    ensure!(home.body.contains(r#"data-card="boss_guide""#) && home.body.contains("未確認"), "the boss's home: {}", home.brief());
    // Feedback waits for the guide: the pages lead to it and back, the API answers 409.
    let res = boss.get("/feedback").await?;
    ensure!(res.location() == Some("/boss/guide?next=%2Ffeedback"), "the feedback page before the guide: {}", res.brief());
    let res = boss.send(boss.request(Method::GET, "/api/v1/feedback")).await?;
    ensure!(res.status == StatusCode::CONFLICT && res.json()?["error"]["code"] == "boss_guide_not_acknowledged", "{}", res.brief());
    let page = boss.get("/boss/guide?next=/feedback").await?;
    ensure!(page.status == StatusCode::OK, "{}", page.brief());
    for must in ["上司の皆さまへ", "してはいけないこと", "読みました・理解しました", r#"name="next" value="/feedback""#]
    {
        ensure!(page.body.contains(must), "the guide lacks {must:?}");
    }
    // A return address off the site is dropped.
    let page = boss.get("/boss/guide?next=//evil.example/x").await?;
    ensure!(!page.body.contains("evil.example"), "an outside address was kept");
    // Acknowledging leads back to where the gate sent the boss from.
    let res = boss.post_form("/boss/guide/acknowledge", &[("version", "1"), ("next", "/feedback")]).await?;
    ensure!(res.status.is_redirection() && res.location() == Some("/feedback"), "{}", res.brief());
    ensure!(boss.get("/feedback").await?.status == StatusCode::OK, "the feedback page after the guide");
    let res = boss.send(boss.request(Method::GET, "/api/v1/feedback")).await?;
    ensure!(res.status == StatusCode::OK, "the API after the guide: {}", res.brief());
    let page = boss.get("/boss/guide").await?;
    ensure!(page.body.contains("第1版を確認しました") && !page.body.contains(r#"action="/boss/guide/acknowledge""#), "acknowledged");

    // HR: a preview keeps the input and shows both languages; an empty text is refused beside
    // its field, the rest kept; publishing asks every boss again.
    let mut hr = w.app.signed_in("hr").await?;
    let settings = hr.get("/settings/boss-guide").await?;
    ensure!(
        settings.body.contains("製品の標準文面") && settings.body.contains("上司の皆さまへ"),
        "the editor starts from the current text"
    );
    let typed = [
        ("title_ja", "上司ガイド（2026年改訂）"),
        ("body_ja", "## 目的\n- 本人の同意を大切に"),
        ("title_en", "Guide (2026 revision)"),
        ("body_en", "## Purpose\n- Consent comes first"),
        ("based_on", "1"),
    ];
    let mut preview = typed.to_vec();
    preview.push(("action", "preview"));
    let res = hr.post_form("/settings/boss-guide", &preview).await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(r#"id="bg-preview""#), "preview: {}", res.brief());
    ensure!(res.body.contains("<h4>目的</h4>") && res.body.contains("<li>Consent comes first</li>"), "the preview draws the text");
    let mut missing = typed.to_vec();
    missing[1] = ("body_ja", " ");
    let res = hr.post_form("/settings/boss-guide", &missing).await?;
    expect_sent_back(&res, "an empty Japanese text", &[("body_ja", "本文（日本語）を入力してください。")])?;
    ensure!(res.body.contains("Guide (2026 revision)"), "the English title was kept");
    let res = hr.post_form("/settings/boss-guide", &typed).await?;
    ensure!(res.location() == Some("/settings/boss-guide?done=published&version=2"), "{}", res.brief());
    // The same edit again (from version 1) meets the new version: 409, the input kept.
    let res = hr.post_form("/settings/boss-guide", &typed).await?;
    ensure!(res.status == StatusCode::CONFLICT && res.body.contains("上司ガイド（2026年改訂）"), "{}", res.brief());

    // The boss is asked again, in either language.
    let page = boss.get("/boss/guide").await?;
    ensure!(page.body.contains("改訂") && page.body.contains("上司ガイド（2026年改訂）"), "{}", page.brief());
    let acks = hr.get("/settings/boss-guide/acknowledgments?state=pending").await?;
    ensure!(acks.status == StatusCode::OK && acks.body.contains("<code>boss</code>"), "the boss is pending again: {}", acks.brief());
    let res = boss.post_form("/boss/guide/acknowledge", &[("version", "1")]).await?;
    ensure!(res.status == StatusCode::CONFLICT, "an old version: {}", res.brief());
    let res = boss.post_form("/boss/guide/acknowledge", &[("version", "2")]).await?;
    ensure!(res.location() == Some("/boss/guide?done=acknowledged"), "{}", res.brief());
    let acks = hr.get("/settings/boss-guide/acknowledgments?state=acknowledged").await?;
    ensure!(acks.body.contains("<code>boss</code>") && acks.body.contains("第2版"), "acknowledged: {}", acks.brief());
    // Nobody else edits or acknowledges.
    let mut consultant = w.app.signed_in("consultant").await?;
    ensure!(consultant.get("/settings/boss-guide").await?.status == StatusCode::FORBIDDEN, "a consultant edits the guide");
    ensure!(hr.post_form("/boss/guide/acknowledge", &[("version", "2")]).await?.status == StatusCode::FORBIDDEN, "HR acknowledges");
    Ok(())
}

async fn boss_consultations_are_recorded_and_read_by_their_consultant_only(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let interview = w.interview(&w.home, &w.home.consultant, "E002").await?;
    let mut consultant = w.app.signed_in("consultant").await?;
    // From the interview page, the form knows the employee and the interview.
    let page = consultant.get(&format!("/interviews/{interview}")).await?;
    let link = format!("/boss-consultations/new?interview={interview}");
    ensure!(page.body.contains("上司へのコンサルテーション") && page.body.contains(&link), "the interview page's section");
    let form = consultant.get(&link).await?;
    ensure!(form.body.contains(r#"value="E002""#) && form.body.contains(&format!(r#"value="{interview}" selected"#)), "prefilled");

    // Every problem at once, beside its field; what was typed is kept.
    let bad = [("employee", "E002"), ("interview", ""), ("held_on", "2999-01-01"), ("changes", ""), ("performance", ""), ("support", "")];
    let res = consultant.post_form("/boss-consultations", &bad).await?;
    expect_sent_back(
        &res,
        "a future date and nothing written",
        &[("held_on", "未来の日付は指定できません"), ("changes", "少なくとも1つを入力してください")],
    )?;
    ensure!(res.body.contains(r#"value="2999-01-01""#), "the date was kept");
    let out_of_reach = [("employee", "E004"), ("held_on", "2026-01-01"), ("support", "支援の内容")];
    let res = consultant.post_form("/boss-consultations", &out_of_reach).await?;
    expect_sent_back(&res, "an employee in nobody's care", &[("employee", "あなたの担当にいません")])?;
    ensure!(res.body.contains("支援の内容"), "the text was kept");

    let today = store::today_jst().format("%Y-%m-%d").to_string();
    let iv = interview.to_string();
    let good = [
        ("employee", "E002"),
        ("interview", iv.as_str()),
        ("held_on", today.as_str()),
        ("changes", "面談後、目標を自分の言葉で話すようになった。"),
        ("performance", "<b>順調</b>"),
        ("support", "月1回の1on1で進み具合を確認する。"),
    ];
    let res = consultant.post_form("/boss-consultations", &good).await?;
    let at = res.location().context("no redirect after recording")?.to_string();
    ensure!(at.starts_with("/boss-consultations/") && at.ends_with("?done=recorded"), "{}", res.brief());
    let shown = consultant.get(&at).await?;
    ensure!(shown.body.contains("目標を自分の言葉で話すようになった") && shown.body.contains("佐藤 健"), "the record: {}", shown.brief());
    ensure!(shown.body.contains("順調") && !shown.body.contains("<b>順調"), "text is escaped");
    let list = consultant.get("/boss-consultations").await?;
    ensure!(list.body.contains("山田 太郎") && list.body.contains("1件"), "the list: {}", list.brief());
    let page = consultant.get(&format!("/interviews/{interview}")).await?;
    let id = at.trim_start_matches("/boss-consultations/").split('?').next().unwrap_or_default().to_string();
    ensure!(page.body.contains(&format!("/boss-consultations/{id}")), "the interview page lists it");

    // The API: the same records, 201 with Location, and fields named as the body names them.
    let res = consultant.send(consultant.request(Method::GET, "/api/v1/boss-consultations")).await?;
    let v = res.json()?;
    ensure!(v["total"] == 1 && v["items"][0]["employee_number"] == "E002", "{v}");
    let one = consultant.send(consultant.request(Method::GET, &format!("/api/v1/boss-consultations/{id}"))).await?.json()?;
    ensure!(one["support"] == "月1回の1on1で進み具合を確認する。" && one["interview_id"] == interview.get(), "{one}");
    let csrf = consultant.csrf.clone();
    let body = json!({"employee_number": "E002", "held_on": today, "performance": "安定している"});
    let res =
        consultant.send(consultant.request(Method::POST, "/api/v1/boss-consultations").header("x-csrf-token", &csrf).json(&body)).await?;
    ensure!(
        res.status == StatusCode::CREATED && res.location().is_some_and(|l| l.starts_with("/api/v1/boss-consultations/")),
        "{}",
        res.brief()
    );
    let body = json!({"employee_number": "E004", "held_on": "x"});
    let res =
        consultant.send(consultant.request(Method::POST, "/api/v1/boss-consultations").header("x-csrf-token", &csrf).json(&body)).await?;
    let v = res.json()?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && v["error"]["field"] == "held_on", "{v}");
    ensure!(v["error"]["message_ja"].as_str().is_some_and(|m| m.contains("担当にいません")), "{v}");

    // The colleague is answered as if it did not exist; other roles are refused the route.
    let mut colleague = w.app.signed_in("consultant2").await?;
    ensure!(colleague.get(&format!("/boss-consultations/{id}")).await?.status == StatusCode::NOT_FOUND, "the colleague");
    let theirs = colleague.get("/boss-consultations").await?;
    ensure!(!theirs.body.contains("山田 太郎"), "the colleague's list");
    for login in ["hr", "boss", "supervisor", "emp-e002"] {
        let mut a = w.app.signed_in(login).await?;
        let res = a.get(&format!("/boss-consultations/{id}")).await?;
        ensure!(res.status == StatusCode::FORBIDDEN, "{login}: {}", res.brief());
        ensure!(!res.body.contains("目標を自分の言葉で"), "{login} saw the text");
    }
    Ok(())
}
