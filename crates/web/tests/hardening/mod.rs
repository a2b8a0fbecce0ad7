//! Hardening found when the product was probed as an attacker would (issue 6, item 6): each
//! test names what an attacker tried and fails if it works again. Run on SQLite and
//! PostgreSQL like the rest of the `http` binary.

use crate::support::*;
use anyhow::{Context, Result};
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use testkit::{on_both_backends, Backend};

on_both_backends!(
    return_targets_never_leave_the_site,
    sign_in_tokens_the_server_did_not_issue_are_refused,
    origins_are_compared_by_scheme_host_and_port,
    choosing_a_role_renews_the_session_id,
    uploads_carry_the_csrf_token_in_the_body_never_in_the_url,
    framework_rejections_go_through_the_error_mapping,
    employee_search_treats_wildcards_literally,
    interviews_outside_2000_to_2100_are_refused_by_api_and_form;
    known_bugs:
);

/// The variants of "another site" a `next` parameter has been seen to smuggle.
const FOREIGN_NEXTS: &[&str] = &[
    "/%09/evil.example/",
    "/\t/evil.example/",
    "/%0a/evil.example/",
    "//evil.example/",
    "/%2F%2Fevil.example/",
    "/%252F%252Fevil.example/",
    "/\\evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where a browser would go from `location`, read as relative to this site.
fn stays_on_site(location: &str) -> bool {
    let base = url::Url::parse("http://app.example/page").ok();
    let joined = base.as_ref().and_then(|b| b.join(location).ok());
    joined.is_some_and(|u| u.host_str() == Some("app.example")) && !location.chars().any(|c| c.is_control())
}

/// A signed-in user sent to `/login?next=/%09/evil.example/` was answered `Location: /\t/evil…`,
/// which browsers follow as `//evil…`. Every place that honours a return target (sign-in page
/// and form, role choice, language switch) now sends such a user home.
async fn return_targets_never_leave_the_site(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut signed_in = app.signed_in("hr").await?;
    let mut two_roles = app.signed_in("hr-consultant").await?;
    for next in FOREIGN_NEXTS {
        let res = signed_in.get(&format!("/login?next={}", enc(next))).await?;
        assert_eq!(res.location(), Some("/"), "signed in, GET /login?next={next:?}: {}", res.brief());

        let mut anon = app.agent();
        let page = anon.get(&format!("/login?next={}", enc(next))).await?;
        assert!(!page.body.contains("evil.example"), "the sign-in form carries a foreign next: {next:?}");
        let csrf = hidden_csrf(&page.body).context("csrf")?;
        let res = anon
            .post_raw_form("/login", &[("tenant", TENANT), ("login", "hr"), ("password", PASSWORD), ("csrf", &csrf), ("next", next)])
            .await?;
        assert_eq!(res.location(), Some("/"), "sign-in with next={next:?}: {}", res.brief());

        let res = two_roles.post_form("/role", &[("role", "hr"), ("next", next)]).await?;
        assert_eq!(res.location(), Some("/"), "role choice with next={next:?}: {}", res.brief());
        let page = two_roles.get(&format!("/role?next={}", enc(next))).await?;
        assert!(!page.body.contains("evil.example"), "the role form carries a foreign next: {next:?}");

        let res = signed_in.post_form("/locale", &[("locale", "ja"), ("next", next)]).await?;
        let to = res.location().context("no redirect")?;
        assert!(stays_on_site(to) && to == "/", "language switch with next={next:?} sends the user to {to:?}");
    }
    // A path of the site is still followed.
    let res = signed_in.get("/login?next=%2Ftokens%3Fx%3D1").await?;
    assert_eq!(res.location(), Some("/tokens?x=1"));
    let res = signed_in.post_form("/locale", &[("locale", "ja"), ("next", "/employees?q=%E5%B1%B1")]).await?;
    assert_eq!(res.location(), Some("/employees?q=%E5%B1%B1"));
    Ok(())
}

/// The sign-in form's double-submit token was any value the client chose for both the cookie
/// and the field; now it must have been issued by a server holding this installation's keys.
async fn sign_in_tokens_the_server_did_not_issue_are_refused(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let form = |csrf: &str| {
        [("tenant", TENANT.to_string()), ("login", "hr".to_string()), ("password", PASSWORD.to_string()), ("csrf", csrf.to_string())]
    };

    // An attacker's own pair, planted as cookie and field alike.
    let mut a = app.agent();
    for made_up in ["attacker-chosen", "0123456789abcdef0123456789abcdef", "00000000000000000000000000000000.1700000000000.00"] {
        a.set_cookie(LOGIN_CSRF_COOKIE, made_up);
        let res = a.post_raw_form("/login", &form(made_up).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await?;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "a made-up pair {made_up:?}: {}", res.brief());
        assert!(a.cookie(SESSION_COOKIE).is_none());
    }

    // One drawn by another installation (other keys) is as good as made up.
    let other = spawn_app(backend).await?;
    let mut elsewhere = other.agent();
    let (_, foreign) = open_login_page(&mut elsewhere).await?;
    let mut b = app.agent();
    b.set_cookie(LOGIN_CSRF_COOKIE, &foreign);
    let res = b.post_raw_form("/login", &form(&foreign).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "another installation's token: {}", res.brief());

    // A token issued here, with its MAC altered, is refused; as issued, it signs in.
    let (_, issued) = open_login_page(&mut b).await?;
    let (body, mac) = issued.rsplit_once('.').context("token shape")?;
    let flipped = format!("{body}.{}{}", if mac.starts_with('0') { "1" } else { "0" }, &mac[1..]);
    b.set_cookie(LOGIN_CSRF_COOKIE, &flipped);
    let res = b.post_raw_form("/login", &form(&flipped).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "an altered token: {}", res.brief());
    b.set_cookie(LOGIN_CSRF_COOKIE, &issued);
    let res = b.post_raw_form("/login", &form(&issued).iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await?;
    assert!(res.is_redirect_to("/"), "the issued token: {}", res.brief());
    Ok(())
}

/// The `Origin` check compared the host only: an `https://` page of another scheme or port
/// passed. Now scheme, host and port must be the server's own, and `null` is refused.
async fn origins_are_compared_by_scheme_host_and_port(backend: Backend) -> Result<()> {
    let mut app = spawn_app(backend).await?;
    let host = app.base.trim_start_matches("http://").to_string();
    let port = app.addr.port();
    let mut s = app.signed_in("hr").await?;
    let post = |s: &Agent, origin: &str| {
        s.request(Method::POST, "/locale").header("origin", origin).header("x-csrf-token", s.csrf.clone()).form(&[("locale", "ja")])
    };
    for foreign in [
        format!("https://{host}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        "http://127.0.0.1".to_string(),
        format!("http://evil.example:{port}"),
        format!("http://{host}/"),
        "null".to_string(),
    ] {
        let rb = post(&s, &foreign);
        let res = s.send(rb).await?;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "Origin {foreign}: {}", res.brief());
    }
    let rb = post(&s, &format!("http://{host}"));
    let res = s.send(rb).await?;
    assert!(res.status.is_redirection(), "its own origin: {}", res.brief());

    // Behind a TLS-terminating proxy that says so, the origin is https (http is refused).
    let proxied = app.second_server(careerdock_web::WebConfig { behind_proxy: true, ..test_config() }).await?;
    let proxied_host = proxied.trim_start_matches("http://").to_string();
    let mut p = Agent::new(&proxied);
    p.set_cookie(SESSION_COOKIE, s.cookie(SESSION_COOKIE).context("session")?);
    p.csrf = s.csrf.clone();
    for (origin, ok) in [(format!("https://{proxied_host}"), true), (format!("http://{proxied_host}"), false)] {
        let rb = post(&p, &origin).header("x-forwarded-proto", "https");
        let res = p.send(rb).await?;
        assert_eq!(res.status.is_redirection(), ok, "behind the proxy, Origin {origin}: {}", res.brief());
    }
    Ok(())
}

/// The session id stayed the same when the acting role changed; now each change issues a new
/// secret, and the one from before it stops working at once.
async fn choosing_a_role_renews_the_session_id(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.signed_in("hr-consultant").await?;
    let mut seen = BTreeSet::new();
    let first = a.cookie(SESSION_COOKIE).context("session")?.to_string();
    seen.insert(first.clone());
    for role in ["hr", "consultant", "hr"] {
        let before = a.cookie(SESSION_COOKIE).context("session")?.to_string();
        let res = a.post_form("/role", &[("role", role), ("next", "/")]).await?;
        assert!(res.is_redirect_to("/"), "{}", res.brief());
        let line = res.set_cookie(SESSION_COOKIE).context("no new session cookie")?;
        let attrs: Vec<String> = line.split(';').map(|p| p.trim().to_ascii_lowercase()).collect();
        assert!(attrs.contains(&"httponly".into()) && attrs.contains(&"samesite=strict".into()), "{line}");
        let after = a.cookie(SESSION_COOKIE).context("session")?.to_string();
        assert!(seen.insert(after.clone()), "the session id was not renewed for {role}");
        let mut stale = app.agent();
        stale.set_cookie(SESSION_COOKIE, &before);
        assert!(stale.get("/").await?.is_redirect_to("/login"), "the id from before choosing {role} still works");
        assert_eq!(a.get("/").await?.status, StatusCode::OK, "the renewed id works");
    }
    // A refused choice changes nothing.
    let before = a.cookie(SESSION_COOKIE).context("session")?.to_string();
    let res = a.post_form("/role", &[("role", "admin"), ("next", "/")]).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(a.cookie(SESSION_COOKIE), Some(before.as_str()));
    assert_eq!(a.get("/").await?.status, StatusCode::OK);
    Ok(())
}

fn multipart(fields: &[(&str, &str)], csv: &str) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("社員.csv").mime_str("text/csv");
    match part {
        Ok(p) => form.part("file", p),
        Err(_) => form,
    }
}

/// The import form put the session's CSRF token in its URL (`?csrf=`), where the address bar,
/// the history and `Referer` showed it. The token now travels in the multipart body, and a
/// token in the query string is not accepted at all.
async fn uploads_carry_the_csrf_token_in_the_body_never_in_the_url(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut hr = app.signed_in("hr").await?;
    let page = hr.get("/employees/import").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.brief());
    assert!(!page.body.contains("csrf="), "a CSRF token in a URL of the page");
    let form_at = page.body.find(r#"enctype="multipart/form-data""#).context("no upload form")?;
    let form_html = &page.body[form_at..];
    let form_html = &form_html[..form_html.find("</form>").unwrap_or(form_html.len())];
    assert!(form_html.contains(&format!(r#"name="csrf" value="{}""#, hr.csrf)), "the upload form has no hidden token");

    let csv = "社員番号,氏名,所属\nE0001,山田 太郎,営業本部\n";
    let token = hr.csrf.clone();
    let rb = hr.request(Method::POST, "/employees/import").multipart(multipart(&[("csrf", &token)], csv));
    let res = hr.send(rb).await?;
    assert_eq!(res.status, StatusCode::OK, "the token in the body: {}", res.brief());
    assert!(res.body.contains("山田 太郎"), "the preview: {}", res.brief());

    let rb = hr.request(Method::POST, &format!("/employees/import?csrf={token}")).multipart(multipart(&[], csv));
    let res = hr.send(rb).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a token in the query string: {}", res.brief());
    let rb = hr.request(Method::POST, "/employees/import").multipart(multipart(&[("csrf", "0000")], csv));
    let res = hr.send(rb).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a wrong token in the body: {}", res.brief());
    let rb = hr.request(Method::POST, "/employees/import").multipart(multipart(&[], csv));
    let res = hr.send(rb).await?;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "no token: {}", res.brief());
    assert!(res.body.contains("不正な送信"), "explained: {}", res.brief());
    Ok(())
}

fn api_error(res: &Resp) -> Result<(String, String, String)> {
    assert_eq!(res.header("content-type"), Some("application/json"), "{}", res.brief());
    let json: Value = res.json()?;
    let e = &json["error"];
    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
    assert!(!s("message_ja").is_empty() && !s("message_en").is_empty() && !s("request_id").is_empty(), "{}", res.body);
    Ok((s("code"), s("message_ja"), s("message_en")))
}

fn is_our_page(res: &Resp, lang: &str) -> bool {
    res.header("content-type").is_some_and(|c| c.starts_with("text/html")) && res.body.contains(&format!(r#"<html lang="{lang}""#))
}

/// Framework rejections reached the client as axum's plain text (`missing field \`tenant\``,
/// `Invalid UTF-8 in \`id\``). Now every one is drawn by the one error mapping: a page in the
/// user's language, or JSON under `/api/`.
async fn framework_rejections_go_through_the_error_mapping(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;

    // A form missing a field: named, in Japanese, then in English.
    let mut a = app.agent();
    let (_, csrf) = open_login_page(&mut a).await?;
    let res = a.post_raw_form("/login", &[("login", "hr"), ("password", PASSWORD), ("csrf", &csrf)]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(is_our_page(&res, "ja") && res.body.contains("「tenant」が指定されていません。"), "{}", res.brief());
    assert!(!res.body.contains("missing field"), "the framework's text: {}", res.brief());
    let rb = a.request(Method::POST, "/login").header("accept-language", "en").form(&[("login", "hr"), ("csrf", &csrf)]);
    let res = a.send(rb).await?;
    assert!(is_our_page(&res, "en") && res.body.contains("tenant is missing"), "{}", res.brief());

    // A form sent as another kind of body.
    let mut s = app.signed_in("consultant").await?;
    let rb = s.request(Method::POST, "/locale").header("x-csrf-token", s.csrf.clone()).json(&serde_json::json!({"locale": "en"}));
    let res = s.send(rb).await?;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", res.brief());
    assert!(is_our_page(&res, "ja") && res.body.contains("Content-Type"), "{}", res.brief());

    // A bad query parameter, and a path id that is not even UTF-8.
    let res = s.get("/requests?interview=abc").await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert!(is_our_page(&res, "ja") && res.body.contains("「interview」の値が正しくありません。"), "{}", res.brief());
    for path in ["/interviews/%FF", "/interviews/abc", "/interviews/99999999999999999999"] {
        let res = s.get(path).await?;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.brief());
        assert!(is_our_page(&res, "ja") && res.body.contains("見つかりません"), "{path}: {}", res.brief());
        assert!(!res.body.contains("Invalid UTF-8"), "{path}: {}", res.brief());
    }

    // A method the path does not take.
    let rb = s.request(Method::PUT, "/login").header("x-csrf-token", s.csrf.clone());
    let res = s.send(rb).await?;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{}", res.brief());
    assert!(is_our_page(&res, "ja"), "{}", res.brief());

    // The API answers the same refusals as JSON.
    let t = app.tenant.id;
    let user = app.store.user_by_login(t, "consultant").await?;
    let ctx = store::Ctx::for_tests(t, user.id, "consultant", Some(Role::Consultant));
    let (token, _) = app.store.create_token(&ctx, Role::Consultant, "テスト", Some(1)).await?;
    let call = |a: &mut Agent, method: Method, path: &str| a.request(method, path).bearer_auth(&token);
    let mut api = app.agent();
    for (method, path) in [(Method::GET, "/api/v1/reports/%FF"), (Method::DELETE, "/api/v1/tokens/%FF%FE")] {
        let rb = call(&mut api, method, path);
        let res = api.send(rb).await?;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.brief());
        assert_eq!(api_error(&res)?.0, "not_found", "{path}");
    }
    // JSON that does not parse is malformed (400), with or without its Content-Type; JSON
    // that parses but lacks a field is invalid (422).
    let rb = call(&mut api, Method::POST, "/api/v1/reports").header("content-type", "application/json").body("{oops");
    let res = api.send(rb).await?;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.brief());
    let (code, ja, en) = api_error(&res)?;
    assert_eq!(code, "malformed");
    assert!(ja.contains("JSON") && en.contains("JSON"), "{ja} / {en}");
    let rb = call(&mut api, Method::POST, "/api/v1/reports").body("{oops");
    let res = api.send(rb).await?;
    assert_eq!((res.status, api_error(&res)?.0.as_str()), (StatusCode::BAD_REQUEST, "malformed"), "no Content-Type: {}", res.brief());
    let rb = call(&mut api, Method::POST, "/api/v1/reports").header("content-type", "application/json").body("{}");
    let res = api.send(rb).await?;
    assert_eq!((res.status, api_error(&res)?.0.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"), "{}", res.brief());
    let rb = call(&mut api, Method::DELETE, "/api/v1/me");
    let res = api.send(rb).await?;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED, "{}", res.brief());
    assert_eq!(api_error(&res)?.0, "method_not_allowed");
    let rb = call(&mut api, Method::GET, "/api/v1/interviews?cycle=x").header("accept-language", "en");
    let res = api.send(rb).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    assert_eq!(api_error(&res)?.0, "invalid");
    Ok(())
}

/// `q=%` matched every employee (LIKE's wildcards were not escaped), in the API and the page.
async fn employee_search_treats_wildcards_literally(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let csv = "社員番号,氏名,所属\nE1,山田 太郎,営業本部\nE2,佐藤 100%,営業本部\nE3,田中_花子,営業本部\nE4,鈴木 一郎,営業本部\n";
    let parsed = domain::import::parse_employee_csv(csv.as_bytes(), chrono::Utc::now().date_naive())
        .map_err(|e| anyhow::anyhow!("{:?}", e.iter().map(|r| r.describe(domain::Locale::En)).collect::<Vec<_>>()))?;
    app.store.import_employees(&store::Ctx::operator(app.tenant.id, "test"), &parsed.rows).await?;

    let t = app.tenant.id;
    let user = app.store.user_by_login(t, "hr").await?;
    let (token, _) = app.store.create_token(&store::Ctx::for_tests(t, user.id, "hr", Some(Role::Hr)), Role::Hr, "テスト", Some(1)).await?;
    let mut api = app.agent();
    let mut page = app.signed_in("hr").await?;
    for (q, expected) in
        [("%", vec!["E2"]), ("_", vec!["E3"]), ("%25", Vec::new()), ("山田", vec!["E1"]), ("", vec!["E1", "E2", "E3", "E4"])]
    {
        let rb = api.request(Method::GET, &format!("/api/v1/employees?q={}", enc(q))).bearer_auth(&token);
        let res = api.send(rb).await?;
        assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
        let json = res.json()?;
        let numbers: Vec<&str> = json["items"].as_array().into_iter().flatten().filter_map(|e| e["employee_number"].as_str()).collect();
        assert_eq!(numbers, expected, "API q={q:?}");
        assert_eq!(json["total"].as_i64(), Some(expected.len() as i64), "API total for q={q:?}");

        let res = page.get(&format!("/employees?q={}", enc(q))).await?;
        assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
        for number in ["E1", "E2", "E3", "E4"] {
            let shown = res.body.contains(&format!(">{number}<"));
            assert_eq!(shown, expected.contains(&number), "page q={q:?}: {number} shown={shown}");
        }
    }
    Ok(())
}

/// The API accepted interviews in 1970 and 9999 while the form allowed 2000–2100: one rule of
/// the domain now answers both, with the same message.
async fn interviews_outside_2000_to_2100_are_refused_by_api_and_form(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let t = app.tenant.id;
    let user = app.store.user_by_login(t, "consultant").await?;
    let ctx = store::Ctx::for_tests(t, user.id, "consultant", Some(Role::Consultant));
    let (token, _) = app.store.create_token(&ctx, Role::Consultant, "テスト", Some(1)).await?;
    let mut api = app.agent();
    let mut form = app.signed_in("consultant").await?;
    for (day, refused) in [("1970-01-01", true), ("9999-06-01", true), ("1999-12-31", true), ("2101-01-01", true), ("2026-05-12", false)] {
        let body = serde_json::json!({
            "employee_number": "E-NOBODY", "kind": "initial", "mode": "online",
            "starts_at": format!("{day}T10:00:00+09:00"), "ends_at": format!("{day}T11:00:00+09:00"),
        });
        let rb = api.request(Method::POST, "/api/v1/interviews").bearer_auth(&token).json(&body);
        let res = api.send(rb).await?;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{day}: {}", res.brief());
        let json = res.json()?;
        let field = json["error"]["field"].as_str().unwrap_or_default();
        // Within the years, the slot passes and the unknown employee is what is refused.
        assert_eq!(field, if refused { "starts_at" } else { "employee_number" }, "API {day}: {}", res.body);
        if refused {
            let ja = json["error"]["message_ja"].as_str().unwrap_or_default();
            let en = json["error"]["message_en"].as_str().unwrap_or_default();
            assert!(ja.contains("2000年1月1日から2100年12月31日"), "{ja}");
            assert!(en.contains("between 2000-01-01 and 2100-12-31"), "{en}");
        }

        let res = form
            .post_form(
                "/interviews",
                &[
                    ("employee_number", "E-NOBODY"),
                    ("kind", "initial"),
                    ("mode", "online"),
                    ("date", day),
                    ("start", "10:00"),
                    ("end", "11:00"),
                ],
            )
            .await?;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "form {day}: {}", res.brief());
        assert_eq!(res.body.contains("2000年1月1日から2100年12月31日"), refused, "form {day}: {}", res.brief());
    }
    Ok(())
}

/// Client generators refused the OpenAPI document: three operations shared the operationId
/// `list`. The served document must validate against the official OpenAPI 3.1 schema
/// (`openapi-3.1-schema.json`, the OpenAPI Initiative's schema of 2022-10-07, committed
/// beside this file since tests have no network) and name every operation once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_validates_and_names_each_operation_once() -> Result<()> {
    let app = spawn_app(Backend::Sqlite).await?;
    let mut a = app.agent();
    let res = a.get("/api/v1/openapi.json").await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    let doc: Value = res.json()?;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "the schema is for 3.1: {}", doc["openapi"]);

    let schema: Value = serde_json::from_str(include_str!("../openapi-3.1-schema.json"))?;
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| anyhow::anyhow!("the OpenAPI schema does not compile: {e}"))?;
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the served document does not validate:\n{}", errors.join("\n"));

    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().context("no paths")? {
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            if let Some(op) = item.get(method) {
                let id = op["operationId"].as_str().with_context(|| format!("{method} {path} has no operationId"))?;
                ids.push(id.to_string());
            }
        }
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operationIds used twice: {ids:?}");
    assert!(ids.len() >= 16, "{ids:?}");

    // The validator is not a formality: the document as it was (three `list`s aside, which
    // the schema cannot see) and a broken one are told apart.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/me"]["get"]["responses"] = Value::String("ok".into());
    assert!(!validator.is_valid(&broken), "a broken document validates");
    Ok(())
}
