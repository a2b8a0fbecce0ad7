//! Every state-changing route, walked from `route_table()` (never listed by hand), refuses what
//! a forged or broken request sends it, as the role that may use it (`route_roles.tsv`):
//!
//! * no CSRF token, a wrong one, or a valid one from another origin: 403 `csrf`;
//! * a body over the limit: 413;
//! * a url-encoded form that does not decode to UTF-8, JSON that does not parse, JSON that is
//!   not UTF-8: 400 `malformed`, and the same through an API token (which needs no CSRF token)
//!   on every `/api/` route.
//!
//! Pages answer with our page in Japanese, the API with its JSON error body. The test prints how
//! many routes and requests it covered.

use crate::support::*;
use crate::{read_table, Answer};
use anyhow::{bail, Context, Result};
use domain::Role;
use reqwest::{Method, StatusCode};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use testkit::{on_both_backends, Backend};

on_both_backends!(every_state_changing_route_refuses_forged_oversized_and_malformed_requests;
    known_bugs:
);

const LIMIT: usize = 64 * 1024;
const FOREIGN_ORIGIN: &str = "https://evil.example";

/// What a refusal must look like: its status and error code.
struct Expect {
    status: StatusCode,
    code: &'static str,
}

const CSRF: Expect = Expect { status: StatusCode::FORBIDDEN, code: "csrf" };
const MALFORMED: Expect = Expect { status: StatusCode::BAD_REQUEST, code: "malformed" };
const TOO_LARGE: Expect = Expect { status: StatusCode::PAYLOAD_TOO_LARGE, code: "invalid" };

/// A concrete path for a route pattern: every `{param}` becomes `1`.
fn concrete(path: &str) -> String {
    path.split('/').map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "1" } else { seg }).collect::<Vec<_>>().join("/")
}

/// Whether `res` is the refusal `e`: for the API its JSON code, for a page ours in Japanese
/// with the code's words.
fn check(res: &Resp, api: bool, e: &Expect) -> Result<(), String> {
    if res.status != e.status {
        return Err(format!("expected {}, got {}", e.status, res.brief()));
    }
    if api {
        let code = res.json().ok().and_then(|j| j["error"]["code"].as_str().map(str::to_string));
        if code.as_deref() != Some(e.code) {
            return Err(format!("expected the JSON error {:?}, got {}", e.code, res.brief()));
        }
    } else {
        let words: &[&str] = match e.code {
            "csrf" => &["フォームの有効期限が切れたか"],
            "malformed" => &["UTF-8", "JSONとして読み取れません"],
            _ => &["大きすぎます"],
        };
        if !res.body.contains(r#"<html lang="ja""#) || !words.iter().any(|w| res.body.contains(w)) {
            return Err(format!("expected our Japanese page saying {words:?}, got {}", res.brief()));
        }
    }
    Ok(())
}

async fn every_state_changing_route_refuses_forged_oversized_and_malformed_requests(backend: Backend) -> Result<()> {
    let config = careerdock_web::WebConfig { body_limit: LIMIT, ..test_config() };
    let app = spawn_app_with(backend, config).await?;
    let table = read_table()?;
    let routes: Vec<_> = careerdock_web::route_table().into_iter().filter(|r| r.method != Method::GET).collect();
    if routes.len() < 50 {
        bail!("only {} state-changing routes: the route table is not what it was", routes.len());
    }
    let mut agents: BTreeMap<Role, Agent> = BTreeMap::new();
    let mut tokens: BTreeMap<Role, String> = BTreeMap::new();
    let mut problems = Vec::new();
    let (mut requests, mut api_routes) = (0usize, 0usize);
    let big_form = format!("note={}", "a".repeat(LIMIT + 1));
    for route in &routes {
        let key = (route.method.as_str().to_string(), route.path.to_string());
        let answers = table.get(&key).with_context(|| format!("{} {} has no row in route_roles.tsv", key.0, key.1))?;
        // The first role the table lets in (the checks must hold for those who may post), or HR.
        let role = Role::ALL.iter().zip(answers).find(|(_, a)| **a == Answer::Allow).map_or(Role::Hr, |(r, _)| *r);
        let agent = match agents.entry(role) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => v.insert(app.signed_in(role.as_str()).await?),
        };
        let path = concrete(route.path);
        let api = route.path.starts_with("/api/");
        let token = agent.csrf.clone();
        let said =
            |what: &str, r: Result<(), String>| r.err().map(|e| format!("{} {path} as {} — {what}: {e}", route.method, role.as_str()));

        let form = |rb: reqwest::RequestBuilder| rb.header("content-type", "application/x-www-form-urlencoded");
        let json = |rb: reqwest::RequestBuilder| rb.header("content-type", "application/json");
        let cases: Vec<(&str, reqwest::RequestBuilder, &Expect)> = vec![
            ("no CSRF token", form(agent.request(route.method.clone(), &path)).body("note=x"), &CSRF),
            (
                "a wrong CSRF token",
                form(agent.request(route.method.clone(), &path)).header("x-csrf-token", "0".repeat(token.len().max(8))).body("note=x"),
                &CSRF,
            ),
            (
                "another origin",
                form(agent.request(route.method.clone(), &path))
                    .header("origin", FOREIGN_ORIGIN)
                    .header("x-csrf-token", &token)
                    .body("note=x"),
                &CSRF,
            ),
            // The server answers before reading the rest: the connection is not reused after.
            (
                "a body over the limit",
                form(agent.request(route.method.clone(), &path))
                    .header("connection", "close")
                    .header("x-csrf-token", &token)
                    .body(big_form.clone()),
                &TOO_LARGE,
            ),
            (
                "a form that is not UTF-8",
                form(agent.request(route.method.clone(), &path))
                    .body(format!("csrf={token}&note=%FF%FE&raw=").into_bytes().into_iter().chain([0xff, 0xfe]).collect::<Vec<u8>>()),
                &MALFORMED,
            ),
            (
                "JSON that does not parse",
                json(agent.request(route.method.clone(), &path)).header("x-csrf-token", &token).body("{\"note\": "),
                &MALFORMED,
            ),
            (
                "JSON that is not UTF-8",
                json(agent.request(route.method.clone(), &path)).header("x-csrf-token", &token).body(b"{\"note\": \"\xff\"}".to_vec()),
                &MALFORMED,
            ),
        ];
        for (what, rb, expect) in cases {
            let res = agent.send(rb).await.with_context(|| format!("{} {path}: {what}", route.method))?;
            requests += 1;
            problems.extend(said(what, check(&res, api, expect)));
        }
        if api {
            api_routes += 1;
            // The role's own token; a role that cannot hold one (the employee) sends HR's, which
            // the body's check meets first all the same.
            for r in [role, Role::Hr] {
                if let Entry::Vacant(v) = tokens.entry(r) {
                    let user = app.store.user_by_login(app.tenant.id, r.as_str()).await?;
                    let ctx = store::Ctx::for_tests(app.tenant.id, user.id, r.as_str(), Some(r));
                    if let Ok((secret, _)) = app.store.create_token(&ctx, r, "refusals", Some(1)).await {
                        v.insert(secret);
                    }
                }
            }
            let Some(bearer) = tokens.get(&role).or(tokens.get(&Role::Hr)).cloned() else { bail!("no API token for {role:?} or HR") };
            let mut client = app.agent();
            for (what, body) in
                [("JSON that does not parse, by token", b"[1,".to_vec()), ("JSON that is not UTF-8, by token", b"\"\xc3\x28\"".to_vec())]
            {
                let rb =
                    client.request(route.method.clone(), &path).bearer_auth(&bearer).header("content-type", "application/json").body(body);
                let res = client.send(rb).await?;
                requests += 1;
                problems.extend(said(what, check(&res, true, &MALFORMED)));
            }
        }
    }
    // Every agent is still signed in: no refused request ended a session.
    for (role, agent) in &mut agents {
        let res = agent.get("/").await?;
        if !res.status.is_success() {
            problems.push(format!("{} is no longer signed in after the refusals: {}", role.as_str(), res.brief()));
        }
    }
    eprintln!(
        "request refusals on {backend}: {} state-changing routes ({api_routes} of the API), {} roles, {requests} requests",
        routes.len(),
        agents.len()
    );
    if !problems.is_empty() {
        bail!("{} refusal(s) not as they should be on {backend}:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}
