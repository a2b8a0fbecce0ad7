//! Life/safety escalations over HTTP, on both databases: a report saved through the API with
//! `"life_safety": true` opens the escalation at once; the API lists it to the consultant who
//! raised it and to the named responders only; acknowledging, asking to disclose more and the
//! second responder's approval answer as documented; the pages show the released text to the
//! responders and the notice to the employee. Prints the time from the flag to the notice.

use crate::records::world::{Person, World, SECTION_TEXT};
use crate::support::*;
use anyhow::{ensure, Context, Result};
use domain::report::ReportStatus;
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{on_both_backends, Backend};

on_both_backends!(escalations_over_the_api_and_the_pages);

async fn token(w: &World, who: &Person, role: Role) -> Result<String> {
    Ok(w.store().create_token(&who.ctx, role, "連携テスト", Some(1)).await?.0)
}

async fn api(a: &mut Agent, method: Method, path: &str, token: &str, body: Option<Value>) -> Result<Resp> {
    let mut rb = a.request(method, path).bearer_auth(token);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    a.send(rb).await
}

async fn escalations_over_the_api_and_the_pages(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    w.designate_responders().await?;
    let home = &w.home;
    let report = w.report(home, &home.consultant, "E002", &home.supervisor, ReportStatus::Draft).await?;
    let mut a = w.app.agent();
    let consultant = token(&w, &home.consultant, Role::Consultant).await?;
    let colleague = token(&w, home.consultant2()?, Role::Consultant).await?;
    let health = token(&w, w.actor(Role::Health)?, Role::Health).await?;
    let hr_lead = token(&w, &w.hr2, Role::Hr).await?;
    let hr = token(&w, &home.hr, Role::Hr).await?;
    let supervisor = token(&w, &home.supervisor, Role::Supervisor).await?;

    // The flag, through the API: the escalation is opened by the save itself.
    let mut body: serde_json::Map<String, Value> = domain::report::SECTIONS.iter().map(|s| (s.to_string(), json!(SECTION_TEXT))).collect();
    body.insert("version".into(), json!(2));
    body.insert("life_safety".into(), json!(true));
    body.insert("escalation_summary".into(), json!("自傷のおそれ。本日中に産業医面談を。"));
    let started = std::time::Instant::now();
    let res = api(&mut a, Method::PUT, &format!("/api/v1/reports/{report}"), &consultant, Some(Value::Object(body))).await?;
    let took = started.elapsed();
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    let id = res.json()?["escalation_id"].as_i64().context("the save names the escalation it opened")?;
    eprintln!("{backend}: PUT with life_safety to the escalation and its notices committed: {} ms", took.as_millis());

    // Listed to the consultant who raised it and to the named responders; to nobody else.
    let res = api(&mut a, Method::GET, "/api/v1/escalations", &consultant, None).await?;
    let list = res.json()?;
    let item = &list["items"][0];
    ensure!(item["id"] == json!(id) && item["report_id"] == json!(report.get()) && item["state"] == "open", "{list}");
    ensure!(item["overdue"] == json!(false) && item["due_at"].as_str().is_some_and(|d| d.ends_with("+09:00")), "{list}");
    ensure!(api(&mut a, Method::GET, "/api/v1/escalations", &health, None).await?.json()?["total"] == json!(1));
    for (who, t) in [("a colleague", &colleague), ("HR not named", &hr)] {
        ensure!(api(&mut a, Method::GET, "/api/v1/escalations", t, None).await?.json()?["total"] == json!(0), "{who}");
    }
    ensure!(api(&mut a, Method::GET, "/api/v1/escalations", &supervisor, None).await?.status == StatusCode::FORBIDDEN);

    // Acknowledging: responders only, once.
    let ack = format!("/api/v1/escalations/{id}/acknowledge");
    ensure!(api(&mut a, Method::POST, &ack, &consultant, None).await?.status == StatusCode::FORBIDDEN);
    ensure!(api(&mut a, Method::POST, &ack, &hr, None).await?.status == StatusCode::NOT_FOUND, "HR not named");
    ensure!(api(&mut a, Method::POST, &ack, &health, None).await?.status == StatusCode::NO_CONTENT);
    let again = api(&mut a, Method::POST, &ack, &health, None).await?;
    ensure!(again.status == StatusCode::UNPROCESSABLE_ENTITY && again.json()?["error"]["field"] == "state", "{}", again.brief());

    // Disclosure without consent: a written reason, then a second, different responder.
    let ask = format!("/api/v1/escalations/{id}/disclosure-requests");
    let res = api(&mut a, Method::POST, &ask, &health, Some(json!({ "reason": " " }))).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.json()?["error"]["field"] == "reason", "{}", res.brief());
    let res = api(&mut a, Method::POST, &ask, &health, Some(json!({ "reason": "本人と連絡が取れず危険が切迫" }))).await?;
    ensure!(res.status == StatusCode::CREATED, "{}", res.brief());
    let rid = res.json()?["id"].as_i64().context("the request's id")?;
    let approve = format!("/api/v1/escalations/{id}/disclosure-requests/{rid}/approve");
    let own = api(&mut a, Method::POST, &approve, &health, Some(json!({}))).await?;
    ensure!(own.status == StatusCode::UNPROCESSABLE_ENTITY && own.json()?["error"]["field"] == "approver", "{}", own.brief());
    ensure!(api(&mut a, Method::POST, &approve, &hr, Some(json!({}))).await?.status == StatusCode::NOT_FOUND);
    ensure!(api(&mut a, Method::POST, &approve, &hr_lead, Some(json!({}))).await?.status == StatusCode::NO_CONTENT);

    // The pages: the responder reads who and what; a colleague gets "not found"; the employee
    // is told when and why.
    let mut page = w.app.signed_in("health").await?;
    let shown = page.get(&format!("/escalations/{id}")).await?;
    ensure!(shown.status == StatusCode::OK && shown.body.contains("山田 太郎") && shown.body.contains("本日中に産業医面談を"));
    ensure!(page.get("/").await?.body.contains("data-card=\"referrals\""), "the health home's referrals card");
    let mut colleague_page = w.app.agent();
    login_as(&mut colleague_page, "consultant2").await?;
    ensure!(colleague_page.get(&format!("/escalations/{id}")).await?.status == StatusCode::NOT_FOUND);
    let mut employee = w.app.agent();
    login_as(&mut employee, "emp-e002").await?;
    let told = employee.get("/my/escalation-notices").await?;
    ensure!(told.status == StatusCode::OK && told.body.contains("本人と連絡が取れず危険が切迫"), "{}", told.brief());
    let mut other = w.app.agent();
    login_as(&mut other, "emp-e003").await?;
    ensure!(!other.get("/my/escalation-notices").await?.body.contains("危険が切迫"));

    // An interview note's flag opens one too, and leads to it to write the summary.
    let interview = w.held_interview(home, &home.consultant, "E002").await?;
    let mut page = w.app.agent();
    login_as(&mut page, "consultant").await?;
    let res = page.post_form(&format!("/interviews/{interview}/notes"), &[("note", "希死念慮の訴えあり。"), ("life_safety", "on")]).await?;
    ensure!(res.is_redirect_to("/escalations/") && res.location().is_some_and(|l| l.ends_with("#summary")), "{}", res.brief());
    let shown = page.get(&format!("/interviews/{interview}")).await?;
    ensure!(
        shown.body.contains("id=\"iv-note-life-safety\" aria-describedby=\"iv-note-life-safety-help\" checked"),
        "the note's flag shows as raised"
    );
    let res = page.post_form(&format!("/interviews/{interview}/notes"), &[("note", "追記。"), ("life_safety", "on")]).await?;
    ensure!(res.is_redirect_to(&format!("/interviews/{interview}")), "saved again: no second escalation: {}", res.brief());
    ensure!(api(&mut a, Method::GET, "/api/v1/escalations", &consultant, None).await?.json()?["total"] == json!(2));
    Ok(())
}
