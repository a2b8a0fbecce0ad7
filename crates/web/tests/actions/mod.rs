//! Improvement actions and policy documents over HTTP (issue 10, R10): HR adds an action from an
//! organizational issue (a form sent back keeps what was typed, with Japanese errors by field),
//! moves it, notes its progress and evaluates it; the list filters overdue ones; the API's
//! contract for HR and executives (status fields only); executives read no detail; the
//! consultant who raised the issue sees its actions' status, a colleague nothing; every role
//! reads the policy documents, only HR publishes; the pages in English too.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{on_both_backends, Backend};

on_both_backends!(hr_runs_an_action_and_each_role_sees_what_is_theirs, policy_documents_are_read_by_every_role; known_bugs:);

async fn hr_runs_an_action_and_each_role_sees_what_is_theirs(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let issue = w.org_issue(home, &home.consultant, "E002").await?;
    let mut hr = w.app.signed_in("hr").await?;

    let page = hr.get(&format!("/org-issues/{issue}")).await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("施策を追加"), "{}", page.brief());
    ensure!(hr.get(&format!("/org-issues/{issue}/actions/new")).await?.status == StatusCode::OK);

    // Sent back with every problem, in Japanese beside each field, and the input kept.
    let back =
        hr.post_form(&format!("/org-issues/{issue}/actions"), &[("title", ""), ("owner_text", "営業企画部"), ("due_on", "6/30")]).await?;
    ensure!(back.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", back.brief());
    ensure!(back.body.contains("施策名を入力してください。") && back.body.contains("「2026-04-01」の形式"), "errors: {}", back.brief());
    ensure!(back.body.contains("value=\"営業企画部\"") && back.body.contains("value=\"6/30\""), "kept: {}", back.brief());

    // Added (overdue: due yesterday), moved, noted.
    let yesterday = (store::today_jst() - chrono::Days::new(1)).format("%Y-%m-%d").to_string();
    let added = hr
        .post_form(
            &format!("/org-issues/{issue}/actions"),
            &[("title", "管理職向け1on1研修"), ("owner_text", "営業企画部"), ("due_on", &yesterday)],
        )
        .await?;
    let at = added.location().context("the new action")?.split('?').next().unwrap_or("").to_string();
    ensure!(at.starts_with("/actions/"), "{}", added.brief());
    let id = at.trim_start_matches("/actions/").to_string();
    let page = hr.get(&format!("{at}?created=1")).await?;
    ensure!(
        page.body.contains("管理職向け1on1研修") && page.body.contains("期限超過") && page.body.contains("改善施策を登録しました"),
        "{}",
        page.brief()
    );
    let moved = hr.post_form(&format!("{at}/status"), &[("status", "in_progress"), ("status_note", "第1回を開催")]).await?;
    ensure!(moved.is_redirect_to(&format!("{at}?saved=1")), "{}", moved.brief());
    let future = hr.post_form(&format!("{at}/notes"), &[("note", "x"), ("noted_on", "2999-01-01")]).await?;
    ensure!(future.status == StatusCode::UNPROCESSABLE_ENTITY && future.body.contains("未来の日付"), "{}", future.brief());
    let early = hr.post_form(&format!("{at}/evaluation"), &[("result", "effective")]).await?;
    ensure!(early.status == StatusCode::UNPROCESSABLE_ENTITY && early.body.contains("完了してから"), "{}", early.brief());
    let list = hr.get("/actions?overdue=1").await?;
    ensure!(
        list.status == StatusCode::OK && list.body.contains("管理職向け1on1研修") && list.body.contains("第1回を開催"),
        "{}",
        list.brief()
    );
    let home_page = hr.get("/").await?;
    ensure!(
        home_page.body.contains("data-card=\"hr_actions\"") && home_page.body.contains("期限超過 1件"),
        "HR's card: {}",
        home_page.brief()
    );

    // The API: HR every field, and creation.
    let api = hr.get("/api/v1/actions").await?.json()?;
    let item = api["items"].as_array().and_then(|a| a.first()).context("an item")?.clone();
    ensure!(item["owner"] == "営業企画部" && item["status"] == "in_progress" && item["overdue"] == true, "{item}");
    ensure!(item["issue_id"] == json!(issue.get()) && item["progress"]["text"] == "第1回を開催", "{item}");
    let csrf = hr.csrf.clone();
    let rb = hr.request(Method::POST, "/api/v1/actions").header("x-csrf-token", csrf).json(&json!({
        "issue_id": issue.get(), "title": "面談枠の拡大", "owner": "人事部", "due_on": "2099-03-31"
    }));
    let created = hr.send(rb).await?;
    ensure!(created.status == StatusCode::CREATED, "{}", created.brief());
    let csrf = hr.csrf.clone();
    let rb = hr.request(Method::POST, "/api/v1/actions").header("x-csrf-token", csrf).json(&json!({
        "issue_id": issue.get(), "title": "", "due_on": "x"
    }));
    ensure!(hr.send(rb).await?.status == StatusCode::UNPROCESSABLE_ENTITY, "invalid");

    // Done and evaluated.
    hr.post_form(&format!("{at}/status"), &[("status", "done")]).await?;
    let evaluated = hr.post_form(&format!("{at}/evaluation"), &[("result", "partly"), ("comment", "参加率に課題")]).await?;
    ensure!(evaluated.is_redirect_to(&format!("{at}?saved=1")), "{}", evaluated.brief());

    // In English.
    hr.post_form("/locale", &[("locale", "en"), ("next", "/actions")]).await?;
    let en = hr.get(&at).await?;
    ensure!(en.body.contains("Partly effective") && en.body.contains("Progress notes"), "{}", en.brief());
    let en_list = hr.get("/actions").await?;
    ensure!(en_list.body.contains("Improvement actions") && en_list.body.contains("Overdue only"), "{}", en_list.brief());

    // Executives: the status fields, no detail.
    let mut exec = w.app.signed_in("executive").await?;
    let api = exec.get("/api/v1/actions").await?.json()?;
    let items = api["items"].as_array().context("items")?;
    ensure!(
        items.len() == 2 && items.iter().all(|i| i["owner"].is_null() && i["evaluation"].is_null() && i["progress"].is_null()),
        "{api}"
    );
    ensure!(items.iter().any(|i| i["title"] == "管理職向け1on1研修" && i["status"] == "done"), "{api}");
    let page = exec.get("/actions").await?;
    ensure!(
        page.status == StatusCode::OK && page.body.contains("管理職向け1on1研修") && !page.body.contains("営業企画部"),
        "{}",
        page.brief()
    );
    ensure!(!page.body.contains(&format!("href=\"/actions/{id}\"")), "no link to a detail");
    ensure!(exec.get(&at).await?.status == StatusCode::FORBIDDEN, "the detail is HR's");
    let csrf = exec.csrf.clone();
    let rb = exec
        .request(Method::POST, "/api/v1/actions")
        .header("x-csrf-token", csrf)
        .json(&json!({ "issue_id": issue.get(), "title": "x", "due_on": "2099-01-01" }));
    ensure!(exec.send(rb).await?.status == StatusCode::FORBIDDEN, "executives create nothing");

    // The consultant who raised the issue sees the status of its actions; a colleague nothing.
    let mut consultant = w.app.signed_in("consultant").await?;
    let page = consultant.get(&format!("/raised-issues/{issue}")).await?;
    ensure!(
        page.body.contains("管理職向け1on1研修") && !page.body.contains("営業企画部") && !page.body.contains("施策を追加"),
        "{}",
        page.brief()
    );
    ensure!(consultant.get("/api/v1/actions").await?.status == StatusCode::FORBIDDEN, "the API is not the consultant's");
    ensure!(consultant.get(&at).await?.status == StatusCode::FORBIDDEN);
    let mut colleague = w.app.signed_in("consultant2").await?;
    ensure!(colleague.get(&format!("/raised-issues/{issue}")).await?.status == StatusCode::NOT_FOUND);
    for login in ["emp-e002", "boss-e001", "health", "supervisor", "admin"] {
        let mut a = w.app.signed_in(login).await?;
        ensure!(a.get("/api/v1/actions").await?.status == StatusCode::FORBIDDEN, "{login} API");
        ensure!(a.get("/actions").await?.status == StatusCode::FORBIDDEN, "{login} list");
        ensure!(a.get(&at).await?.status == StatusCode::FORBIDDEN, "{login} detail");
    }
    // Another tenant's HR: as if missing.
    let other = w.action(&w.other, &w.other.consultant, "E002").await?;
    ensure!(hr.get(&format!("/actions/{other}")).await?.status == StatusCode::NOT_FOUND, "another tenant's");
    Ok(())
}

async fn policy_documents_are_read_by_every_role(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut hr = w.app.signed_in("hr").await?;
    let back =
        hr.post_form("/policies", &[("title", "人材育成方針"), ("body", ""), ("approved_on", ""), ("approved_by", "取締役会")]).await?;
    ensure!(
        back.status == StatusCode::UNPROCESSABLE_ENTITY
            && back.body.contains("本文を入力してください。")
            && back.body.contains("value=\"取締役会\""),
        "{}",
        back.brief()
    );
    let made = hr
        .post_form(
            "/policies",
            &[
                ("title", "人材育成方針"),
                ("body", "# 目的\n<script>x</script>\n- 面談の機会"),
                ("approved_on", "2025-04-01"),
                ("approved_by", "取締役会"),
            ],
        )
        .await?;
    let at = made.location().context("the document")?.split('?').next().unwrap_or("").to_string();
    let revised = hr
        .post_form(
            &format!("{at}/revise"),
            &[("title", "人材育成方針"), ("body", "# 目的\n改訂した本文"), ("approved_on", "2026-04-01"), ("approved_by", "取締役会")],
        )
        .await?;
    ensure!(revised.is_redirect_to(&format!("{at}?saved=1")), "{}", revised.brief());
    for login in ["consultant", "supervisor", "hr", "executive", "boss-e001", "health", "emp-e002", "admin"] {
        let mut a = w.app.signed_in(login).await?;
        let home = a.get("/").await?;
        ensure!(home.body.contains("href=\"/policies\""), "{login}: the navigation links 方針・規程");
        let page = a.get(&at).await?;
        ensure!(
            page.status == StatusCode::OK && page.body.contains("改訂した本文") && page.body.contains("第2版"),
            "{login}: {}",
            page.brief()
        );
        let old = a.get(&format!("{at}?version=1")).await?;
        ensure!(
            old.body.contains("過去の版") && old.body.contains("script&#62;x") && !old.body.contains("<script>x"),
            "{login}: {}",
            old.brief()
        );
        let api = a.get("/api/v1/policy-documents").await?.json()?;
        ensure!(api["items"][0]["version"] == 2 && api["items"][0]["history"].as_array().map(Vec::len) == Some(2), "{login}: {api}");
        if login != "hr" {
            ensure!(a.get(&format!("{at}/revise")).await?.status == StatusCode::FORBIDDEN, "{login} revises nothing");
        }
    }
    ensure!(hr.get(&format!("{at}?version=9")).await?.status == StatusCode::NOT_FOUND);
    hr.post_form("/locale", &[("locale", "en"), ("next", "/policies")]).await?;
    let en = hr.get(&at).await?;
    ensure!(en.body.contains("Version 2") && en.body.contains("History"), "{}", en.brief());
    Ok(())
}
