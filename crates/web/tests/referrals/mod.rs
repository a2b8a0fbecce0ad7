//! Referrals (R9) over HTTP, on both databases: the API's contract (a referral refused with 422
//! without the employee's referral consent, made on it, listed to the consultant and the health
//! staff addressed, answered through the decision endpoint), the pages in Japanese and English
//! (list, detail with the decision form, the health home card, HR's counts and contacts), another
//! health staff member and HR answered 404 for the record, and a withdrawal hiding it at once.

use crate::records::world::{Person, World};
use crate::support::*;
use anyhow::{ensure, Context, Result};
use domain::consent::Purpose;
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use store::NewUser;
use testkit::{on_both_backends, Backend};

on_both_backends!(referrals_over_the_api_and_the_pages);

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

async fn referrals_over_the_api_and_the_pages(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let subject = home.employee("E002")?;
    let mut a = w.app.agent();
    let consultant = token(&w, &home.consultant, Role::Consultant).await?;
    let health = token(&w, w.actor(Role::Health)?, Role::Health).await?;
    let hr = token(&w, &home.hr, Role::Hr).await?;
    let health_id = w.actor(Role::Health)?.id.get();
    // A second health staff member, to whom nothing is addressed.
    let other_health = w
        .store()
        .create_user(
            &home.op,
            &NewUser { login: "health-b", display_name: "health-b", password: PASSWORD, roles: &[Role::Health], employee: None },
        )
        .await?;
    let other_health_token = w
        .store()
        .create_token(&store::Ctx::for_tests(home.tenant, other_health, "health-b", Some(Role::Health)), Role::Health, "t", Some(1))
        .await?
        .0;

    // Without the employee's referral consent: 422 naming the consent.
    let body = json!({ "employee_id": subject.get(), "recipient": { "kind": "user", "id": health_id } });
    let res = api(&mut a, Method::POST, "/api/v1/referrals", &consultant, Some(body.clone())).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.json()?["error"]["field"] == "consent", "{}", res.brief());
    let bad = api(
        &mut a,
        Method::POST,
        "/api/v1/referrals",
        &consultant,
        Some(json!({ "employee_id": subject.get(), "recipient": { "kind": "nobody" } })),
    )
    .await?;
    ensure!(bad.status == StatusCode::UNPROCESSABLE_ENTITY && bad.json()?["error"]["field"] == "recipient", "{}", bad.brief());
    ensure!(api(&mut a, Method::POST, "/api/v1/referrals", &health, Some(body.clone())).await?.status == StatusCode::FORBIDDEN);

    // The employee grants a referral disclosure: the referral is made with its text.
    let disclosure = w.disclosure(home, &home.consultant, "E002", &home.supervisor, Purpose::Referral, true).await?;
    let res = api(&mut a, Method::POST, "/api/v1/referrals", &consultant, Some(body)).await?;
    ensure!(res.status == StatusCode::CREATED, "{}", res.brief());
    let id = res.json()?["id"].as_i64().context("the referral's id")?;

    // Listed to the consultant and to the addressee; to nobody else.
    let list = api(&mut a, Method::GET, "/api/v1/referrals", &consultant, None).await?.json()?;
    let item = &list["items"][0];
    ensure!(
        item["id"] == json!(id) && item["status"] == "referred" && item["basis"] == "consent" && item["consent_state"] == "granted",
        "{list}"
    );
    ensure!(
        item["recipient"] == json!({ "kind": "user", "id": health_id })
            && item["referred_at"].as_str().is_some_and(|d| d.ends_with("+09:00"))
    );
    ensure!(api(&mut a, Method::GET, "/api/v1/referrals", &health, None).await?.json()?["total"] == json!(1));
    ensure!(api(&mut a, Method::GET, "/api/v1/referrals", &other_health_token, None).await?.json()?["total"] == json!(0));
    ensure!(api(&mut a, Method::GET, "/api/v1/referrals", &hr, None).await?.status == StatusCode::FORBIDDEN);

    // The decision: a refusal needs its reason; another health staff member and HR get 404/403.
    let decide = format!("/api/v1/referrals/{id}/decision");
    let res = api(&mut a, Method::POST, &decide, &health, Some(json!({ "decision": "decline" }))).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.json()?["error"]["field"] == "note", "{}", res.brief());
    ensure!(
        api(&mut a, Method::POST, &decide, &other_health_token, Some(json!({ "decision": "accept" }))).await?.status
            == StatusCode::NOT_FOUND
    );
    ensure!(api(&mut a, Method::POST, &decide, &hr, Some(json!({ "decision": "accept" }))).await?.status == StatusCode::FORBIDDEN);
    let res = api(&mut a, Method::POST, &decide, &health, Some(json!({ "decision": "accept", "note": "来週面談します" }))).await?;
    ensure!(res.status == StatusCode::OK && res.json()?["status"] == "accepted", "{}", res.brief());
    let res = api(&mut a, Method::POST, &decide, &health, Some(json!({ "decision": "accept" }))).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.json()?["error"]["field"] == "decision", "{}", res.brief());

    // The pages, in Japanese and English: the health staff member reads the summary and answers.
    let mut page = w.app.signed_in("health").await?;
    let home_page = page.get("/").await?;
    ensure!(home_page.body.contains("data-card=\"referrals\"") && home_page.body.contains("対応中の紹介は 1 件"), "{}", home_page.brief());
    let shown = page.get(&format!("/referrals/{id}")).await?;
    ensure!(
        shown.status == StatusCode::OK && shown.body.contains("本人の同意を得て伝える内容です") && shown.body.contains("来週面談します"),
        "{}",
        shown.brief()
    );
    ensure!(shown.body.contains("対応中にする") && shown.body.contains("受け入れ"), "the decision form in Japanese");
    let en = page.send(page.request(Method::GET, &format!("/referrals/{id}")).header("accept-language", "en")).await?;
    ensure!(en.status == StatusCode::OK && en.body.contains("Mark in care"), "{}", en.brief());
    let listed = page.get("/referrals").await?;
    ensure!(listed.status == StatusCode::OK && listed.body.contains(&format!("/referrals/{id}")) && listed.body.contains("受け入れ"));
    let res = page.post_form(&format!("/referrals/{id}/decision"), &[("decision", "in_care"), ("note", "")]).await?;
    ensure!(res.is_redirect_to(&format!("/referrals/{id}")), "{}", res.brief());
    let res = page.post_form(&format!("/referrals/{id}/decision"), &[("decision", "decline"), ("note", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("いまの状態からは"), "{}", res.brief());

    // Another health staff member and HR: 404 for the record, as for one that does not exist.
    let mut other = w.app.signed_in("health-b").await?;
    let theirs = other.get(&format!("/referrals/{id}")).await?;
    let missing = other.get("/referrals/999999999").await?;
    ensure!(theirs.status == StatusCode::NOT_FOUND && missing.status == StatusCode::NOT_FOUND);
    let mut hr_page = w.app.signed_in("hr").await?;
    ensure!(hr_page.get(&format!("/referrals/{id}")).await?.status == StatusCode::FORBIDDEN, "HR may not reach referrals at all");
    // HR: counts only, suppressed below k.
    let counts = hr_page.get("/referral-counts").await?;
    ensure!(
        counts.status == StatusCode::OK && !counts.body.contains("山田") && !counts.body.contains("本人の同意を得て伝える内容"),
        "{}",
        counts.brief()
    );
    let counts_en = hr_page.send(hr_page.request(Method::GET, "/referral-counts").header("accept-language", "en")).await?;
    ensure!(counts_en.body.contains("Referral counts"));
    // HR registers an outside contact; a contact without a way to reach it is sent back.
    let res =
        hr_page.post_form("/settings/referral-contacts", &[("name", "外部EAP"), ("kind", "eap"), ("phone", ""), ("email", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("電話番号かメールアドレス"), "{}", res.brief());
    let res = hr_page
        .post_form("/settings/referral-contacts", &[("name", "外部EAP"), ("kind", "eap"), ("phone", "03-0000-0000"), ("email", "")])
        .await?;
    ensure!(res.is_redirect_to("/settings/referral-contacts"), "{}", res.brief());
    ensure!(hr_page.get("/settings/referral-contacts").await?.body.contains("外部EAP"));

    // The consultant's pages: the list with status, the form with the consent and the contact.
    let mut c = w.app.signed_in("consultant").await?;
    let mine = c.get("/referrals").await?;
    ensure!(mine.status == StatusCode::OK && mine.body.contains("対応中"), "{}", mine.brief());
    let form = c.get("/referrals/new").await?;
    ensure!(
        form.status == StatusCode::OK && form.body.contains(&format!("value=\"{disclosure}\"")) && form.body.contains("外部EAP"),
        "{}",
        form.brief()
    );
    let res = c.post_form("/referrals", &[("disclosure_id", ""), ("recipient", "health"), ("escalation_id", ""), ("summary", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("同意が得られていません"), "{}", res.brief());
    let res = c
        .post_form(
            "/referrals",
            &[("disclosure_id", &disclosure.to_string()), ("recipient", "health"), ("escalation_id", ""), ("summary", "")],
        )
        .await?;
    ensure!(res.is_redirect_to("/referrals/"), "{}", res.brief());

    // The employee withdraws: at once, health staff see nothing of either referral.
    let mut employee = w.app.signed_in("emp-e002").await?;
    let res = employee.post_form(&format!("/my/consents/{disclosure}/withdraw"), &[]).await?;
    ensure!(res.status.is_redirection(), "{}", res.brief());
    ensure!(page.get(&format!("/referrals/{id}")).await?.status == StatusCode::NOT_FOUND, "withdrawn: not found");
    ensure!(api(&mut a, Method::GET, "/api/v1/referrals", &health, None).await?.json()?["total"] == json!(0));
    let list = api(&mut a, Method::GET, "/api/v1/referrals", &consultant, None).await?.json()?;
    ensure!(list["items"].as_array().is_some_and(|i| i.iter().all(|x| x["consent_state"] == "withdrawn")), "{list}");
    Ok(())
}
