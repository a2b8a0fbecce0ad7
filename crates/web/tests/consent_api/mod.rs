//! The consent API over HTTP, on both databases (issue 8, item 10): a consultant writes a
//! disclosure (201 with its id) and lists it; the employee lists exactly its text and state,
//! asks for changes, then (after a revision) agrees; the boss lists and reads it; the employee
//! withdraws and the boss's next read answers 404 like an id that does not exist; a form and
//! a body that cannot be accepted are answered with the field at fault.

use crate::records::world::World;
use crate::support::*;
use anyhow::{ensure, Context, Result};
use domain::report::ReportStatus;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{on_both_backends, Backend};

on_both_backends!(the_consent_api_follows_the_ledger; known_bugs:);

async fn send(agent: &mut Agent, method: Method, path: &str, body: Option<Value>) -> Result<Resp> {
    let csrf = agent.csrf.clone();
    let rb = agent.request(method, path).header("x-csrf-token", csrf);
    let rb = match body {
        Some(v) => rb.json(&v),
        None => rb,
    };
    agent.send(rb).await
}

fn items(res: &Resp) -> Result<Vec<Value>> {
    Ok(res.json()?.get("items").and_then(Value::as_array).cloned().unwrap_or_default())
}

async fn the_consent_api_follows_the_ledger(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let report = w.report(home, &home.consultant, "E002", &home.supervisor, ReportStatus::Approved).await?;
    let mut consultant = w.app.signed_in("consultant").await?;
    let mut employee = w.app.signed_in("emp-e002").await?;
    let mut boss = w.app.signed_in("boss-e001").await?;
    let text = "山田さんは企画の仕事に関心があります。1on1で本人の希望を聞いてください。";

    // Written: 201 with the id; a bad purpose names the field.
    let bad = send(
        &mut consultant,
        Method::POST,
        "/api/v1/disclosures",
        Some(json!({"report_id": report.get(), "purpose": "gossip", "text": text})),
    )
    .await?;
    ensure!(bad.status == StatusCode::UNPROCESSABLE_ENTITY && bad.json()?["error"]["field"] == "purpose", "{}", bad.brief());
    let body = json!({"report_id": report.get(), "purpose": "boss_feedback", "recipient_user_id": null, "text": text});
    let created = send(&mut consultant, Method::POST, "/api/v1/disclosures", Some(body)).await?;
    ensure!(created.status == StatusCode::CREATED, "{}", created.brief());
    let id = created.json()?["id"].as_i64().context("the new id")?;
    let listed = items(&consultant.get("/api/v1/disclosures").await?)?;
    ensure!(listed.len() == 1 && listed[0]["id"] == id && listed[0]["state"] == "pending", "{listed:?}");

    // The employee sees exactly the text, to whom, for what, and where it stands.
    let mine = items(&employee.get("/api/v1/my/disclosures").await?)?;
    let d = mine.iter().find(|d| d["id"] == id).context("the employee's list lacks it")?;
    ensure!(d["text"] == text && d["purpose"] == "boss_feedback" && d["state"] == "pending", "{d}");
    ensure!(d["recipient_user_id"] == w.actor(domain::Role::Boss)?.id.get(), "addressed to the boss: {d}");
    ensure!(boss.get(&format!("/api/v1/feedback/{id}")).await?.status == StatusCode::NOT_FOUND, "pending: 404");

    // Asking for changes needs a comment; the revision asks again.
    let decision = format!("/api/v1/my/disclosures/{id}/decision");
    let no_comment = send(&mut employee, Method::POST, &decision, Some(json!({"decision": "request_changes"}))).await?;
    ensure!(
        no_comment.status == StatusCode::UNPROCESSABLE_ENTITY && no_comment.json()?["error"]["field"] == "comment",
        "{}",
        no_comment.brief()
    );
    let asked =
        send(&mut employee, Method::POST, &decision, Some(json!({"decision": "request_changes", "comment": "「企画」は伏せてください。"})))
            .await?;
    ensure!(asked.status == StatusCode::OK && asked.json()?["state"] == "changes_requested", "{}", asked.brief());
    let revised = "山田さんは新しい仕事に関心があります。1on1で本人の希望を聞いてください。";
    let v = w.store().revise_disclosure(&home.consultant.ctx.as_consultant()?, domain::ids::DisclosureId::new(id), revised, 1).await?;
    ensure!(v == 2, "version 2");
    let stale = send(&mut employee, Method::POST, &decision, Some(json!({"decision": "grant", "version": 1}))).await?;
    ensure!(stale.status == StatusCode::UNPROCESSABLE_ENTITY && stale.json()?["error"]["field"] == "version", "{}", stale.brief());
    let granted = send(&mut employee, Method::POST, &decision, Some(json!({"decision": "grant", "version": 2}))).await?;
    ensure!(granted.status == StatusCode::OK && granted.json()?["state"] == "granted", "{}", granted.brief());

    // The boss lists and reads exactly the agreed text.
    let feedback = items(&boss.get("/api/v1/feedback").await?)?;
    ensure!(feedback.len() == 1 && feedback[0]["id"] == id && feedback[0]["text"] == revised, "{feedback:?}");
    let one = boss.get(&format!("/api/v1/feedback/{id}")).await?;
    ensure!(one.status == StatusCode::OK && one.json()?["text"] == revised, "{}", one.brief());

    // Withdrawn: the very next read is 404, exactly like a missing id, and the list is empty.
    let withdrawn = send(&mut employee, Method::POST, &format!("/api/v1/my/disclosures/{id}/withdraw"), None).await?;
    ensure!(withdrawn.status == StatusCode::OK && withdrawn.json()?["state"] == "withdrawn", "{}", withdrawn.brief());
    let gone = boss.get(&format!("/api/v1/feedback/{id}")).await?;
    let missing = boss.get("/api/v1/feedback/999999999").await?;
    ensure!(gone.status == StatusCode::NOT_FOUND && missing.status == StatusCode::NOT_FOUND, "{} / {}", gone.brief(), missing.brief());
    let strip = |r: &Resp| -> Result<Value> {
        let mut v = r.json()?;
        v["error"]["request_id"] = Value::Null;
        Ok(v)
    };
    ensure!(strip(&gone)? == strip(&missing)?, "a withdrawn feedback answers like a missing one");
    ensure!(items(&boss.get("/api/v1/feedback").await?)?.is_empty(), "the list no longer shows it");
    let again = send(&mut employee, Method::POST, &format!("/api/v1/my/disclosures/{id}/withdraw"), None).await?;
    ensure!(again.status == StatusCode::UNPROCESSABLE_ENTITY, "withdrawing twice: {}", again.brief());

    // Granted again through the API, on the same text: the boss reads it again.
    let regrant = send(&mut employee, Method::POST, &decision, Some(json!({"decision": "grant", "version": 2}))).await?;
    ensure!(regrant.status == StatusCode::OK && regrant.json()?["state"] == "granted", "{}", regrant.brief());
    let read = boss.get(&format!("/api/v1/feedback/{id}")).await?;
    ensure!(read.status == StatusCode::OK && read.json()?["text"] == revised, "{}", read.brief());

    // Withdrawn on the page, then granted again from わたしの同意: the card of what is not shared
    // shows the exact text; the box must be ticked (the form keeps the expiry typed), then it is shared.
    let out = employee.post_form(&format!("/my/consents/{id}/withdraw"), &[]).await?;
    ensure!(out.location() == Some("/my/consents?done=withdraw"), "{}", out.brief());
    let page = employee.get("/my/consents").await?;
    let card = format!("id=\"cs-closed-{id}\"");
    ensure!(page.body.contains(&card) && page.body.contains(revised), "the exact text to grant again: {}", page.body);
    ensure!(page.body.contains("文章を確認して改めて同意する"), "{}", page.brief());
    let unticked = employee
        .post_form(&format!("/my/consents/{id}/decision"), &[("version", "2"), ("again", "1"), ("expires_on", "2999-12-31")])
        .await?;
    ensure!(unticked.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", unticked.brief());
    ensure!(
        unticked.body.contains("「同意します」にチェックを入れてください") && unticked.body.contains("value=\"2999-12-31\""),
        "{}",
        unticked.body
    );
    ensure!(unticked.body.contains(&format!("href=\"#cs-again-{id}-decision\"")), "the summary links to the box: {}", unticked.body);
    ensure!(boss.get(&format!("/api/v1/feedback/{id}")).await?.status == StatusCode::NOT_FOUND, "still withdrawn");
    let ticked =
        employee.post_form(&format!("/my/consents/{id}/decision"), &[("version", "2"), ("again", "1"), ("decision", "grant")]).await?;
    ensure!(ticked.location() == Some("/my/consents?done=grant"), "{}", ticked.brief());
    ensure!(boss.get(&format!("/api/v1/feedback/{id}")).await?.status == StatusCode::OK, "shared again");
    let page = employee.get("/my/consents?done=grant").await?;
    ensure!(!page.body.contains(&card) && page.body.contains(&format!("id=\"cs-shared-{id}\"")), "{}", page.brief());

    // The receipt of the newest decision (the history's first row) says it: granted.
    let at = page.body.find("/my/consents/receipts/").context("a receipt link")?;
    let receipt_id: i64 = page.body[at + "/my/consents/receipts/".len()..].split('"').next().unwrap_or("0").parse()?;
    let receipt = employee.get(&format!("/my/consents/receipts/{receipt_id}")).await?;
    ensure!(receipt.status == StatusCode::OK && receipt.body.contains("<dd id=\"rc-decision\">同意</dd>"), "{}", receipt.body);
    Ok(())
}
