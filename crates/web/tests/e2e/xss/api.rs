//! The JSON API, walked from its OpenAPI document: every operation with a JSON request body gets a
//! payload in each string property of the body's schema (nested objects and arrays included;
//! `format`ted and `enum` strings are no free text), sent as the first role `route_roles.tsv`
//! lets in, in that role's session with its CSRF token. The other fields are valid for the demo
//! world: a base body per operation ([`base`]) built from the records the API lists; an
//! operation without one fails the test until it has one. A refusal naming a field puts a tamer
//! payload there, then the base value back.

use super::walk::{pattern_of, Session};
use super::{Stored, Tally};
use crate::{read_table, Answer};
use anyhow::{bail, Context, Result};
use domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One step into a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

fn show(path: &[Step]) -> String {
    let mut s = String::new();
    for p in path {
        match p {
            Step::Key(k) if s.is_empty() => s.push_str(k),
            Step::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// An operation that takes a JSON body.
struct Op {
    method: Method,
    path: String,
    id: String,
    schema: Value,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (m, op) in item.as_object().into_iter().flatten() {
            let Ok(method) = m.to_ascii_uppercase().parse::<Method>() else { continue };
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            if schema.is_null() {
                continue;
            }
            out.push(Op {
                method,
                path: path.clone(),
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                schema: schema.clone(),
            });
        }
    }
    // An approval follows the request it approves.
    out.sort_by_key(|o| (o.path.len(), o.path.clone()));
    out
}

/// Follows `$ref`s and picks the non-null branch of a nullable `oneOf`/`anyOf`.
fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        if let Some(r) = schema["$ref"].as_str() {
            let name = r.rsplit('/').next().unwrap_or_default();
            schema = &doc["components"]["schemas"][name];
            continue;
        }
        let branches = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
        if let Some(b) = branches.and_then(|b| b.iter().find(|s| s["type"] != json!("null"))) {
            schema = b;
            continue;
        }
        if let Some(b) = schema["allOf"].as_array().and_then(|b| b.first()) {
            schema = b;
            continue;
        }
        break;
    }
    schema
}

fn has_type(schema: &Value, t: &str) -> bool {
    schema["type"] == json!(t) || schema["type"].as_array().is_some_and(|a| a.contains(&json!(t)))
}

/// The string properties (free text: no `format`, no `enum`) of a body's schema, as paths
/// into `base` (array items where `base` has them; an array of strings takes its first).
fn string_paths(doc: &Value, schema: &Value, base: &Value, prefix: Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let schema = resolve(doc, schema);
    if has_type(schema, "string") {
        if schema.get("format").is_none() && schema.get("enum").is_none() {
            out.push(prefix);
        }
        return;
    }
    if let Some(props) = schema["properties"].as_object() {
        for (k, s) in props {
            let mut p = prefix.clone();
            p.push(Step::Key(k.clone()));
            let sub = base.get(k).unwrap_or(&Value::Null);
            string_paths(doc, s, sub, p, out);
        }
        return;
    }
    if has_type(schema, "array") {
        let items = resolve(doc, &schema["items"]);
        let n = base.as_array().map_or(0, Vec::len);
        if has_type(items, "string") && n == 0 {
            let mut p = prefix.clone();
            p.push(Step::Index(0));
            string_paths(doc, items, &Value::Null, p, out);
        }
        for i in 0..n {
            let mut p = prefix.clone();
            p.push(Step::Index(i));
            string_paths(doc, items, &base[i], p, out);
        }
    }
}

/// Sets `path` in `v` to `value`, making objects and arrays on the way.
fn set(v: &mut Value, path: &[Step], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = value;
        return;
    };
    match first {
        Step::Key(k) => {
            if !v.is_object() {
                *v = json!({});
            }
            if let Some(o) = v.as_object_mut() {
                set(o.entry(k.clone()).or_insert(Value::Null), rest, value);
            }
        }
        Step::Index(i) => {
            if !v.is_array() {
                *v = json!([]);
            }
            if let Some(a) = v.as_array_mut() {
                while a.len() <= *i {
                    a.push(Value::Null);
                }
                set(&mut a[*i], rest, value);
            }
        }
    }
}

/// The value at `path`, if any.
fn get<'a>(v: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, p| match p {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

/// What the walk of the API needs from the demo world.
struct Ctx<'a> {
    sessions: &'a mut [Session],
    created: BTreeMap<String, i64>,
    day: i64,
    /// The session to act in, when it holds the role asked for (a second responder).
    pin: Option<usize>,
}

impl Ctx<'_> {
    fn session(&mut self, role: Role) -> Result<&mut Session> {
        if let Some(i) = self.pin.filter(|i| self.sessions.get(*i).is_some_and(|s| s.role == role)) {
            return Ok(&mut self.sessions[i]);
        }
        // A login of one role first: `hr-consultant` switches.
        let i = self
            .sessions
            .iter()
            .position(|s| s.role == role && !s.who.contains(" as "))
            .or_else(|| self.sessions.iter().position(|s| s.role == role))
            .with_context(|| format!("no session acts as {}", role.as_str()))?;
        Ok(&mut self.sessions[i])
    }

    async fn get(&mut self, role: Role, path: &str) -> Result<Value> {
        let s = self.session(role)?;
        let res = s.agent.get(path).await?;
        if !res.status.is_success() {
            bail!("GET {path} as {}: {}", s.who, res.brief());
        }
        res.json()
    }

    /// The `items` of a list, filtered.
    async fn items(&mut self, role: Role, path: &str, keep: impl Fn(&Value) -> bool) -> Result<Vec<Value>> {
        let v = self.get(role, path).await?;
        let all = v["items"].as_array().cloned().unwrap_or_default();
        let kept: Vec<Value> = all.iter().filter(|i| keep(i)).cloned().collect();
        if super::walk::verbose() {
            let first = all.first().map(|i| i.to_string().chars().take(300).collect::<String>()).unwrap_or_default();
            eprintln!("  API list {path} as {}: {} items, {} kept; first {first}", role.as_str(), all.len(), kept.len());
        }
        Ok(kept)
    }

    /// A free one-hour slot a few weeks ahead, one per call (Japan time, RFC 3339).
    fn slot(&mut self) -> (String, String) {
        self.day += 1;
        let day = store::today_jst() + chrono::Duration::days(40 + self.day);
        let d = day.format("%Y-%m-%d");
        (format!("{d}T10:00:00+09:00"), format!("{d}T11:00:00+09:00"))
    }

    fn future_day(&mut self) -> String {
        self.day += 1;
        (store::today_jst() + chrono::Duration::days(40 + self.day)).format("%Y-%m-%d").to_string()
    }
}

fn ids(items: &[Value], key: &str) -> Vec<i64> {
    items.iter().filter_map(|i| i[key].as_i64()).take(4).collect()
}

/// Valid requests for an operation: (path, body) candidates tried in turn, `None` for an
/// operation this table does not know (the test fails: add it). Lists are read in the role
/// that will send the request.
async fn base(op: &str, cx: &mut Ctx<'_>, role: Role) -> Result<Option<Vec<(String, Value)>>> {
    let mine_approved = |i: &Value| i["status"] == json!("approved") && i["mine"] == json!(true);
    Ok(Some(match op {
        "scheduleInterview" => {
            let items = cx.items(role, "/api/v1/interviews", |_| true).await?;
            let numbers: BTreeSet<String> =
                items.iter().filter_map(|i| i["employee_number"].as_str().map(str::to_string)).take(4).collect();
            let mut out = Vec::new();
            for n in numbers {
                let (from, to) = cx.slot();
                out.push((
                    "/api/v1/interviews".into(),
                    json!({ "employee_number": n, "cycle_id": null, "kind": "additional", "mode": "in_person", "place": "第3会議室", "starts_at": from, "ends_at": to }),
                ));
            }
            out
        }
        "rescheduleInterview" | "setInterviewStatus" => {
            let items = cx.items(role, "/api/v1/interviews", |i| i["status"] == json!("scheduled")).await?;
            let mut out = Vec::new();
            for id in ids(&items, "id") {
                let (from, to) = cx.slot();
                let (tail, body) = if op == "rescheduleInterview" {
                    ("reschedule", json!({ "mode": "in_person", "place": "第3会議室", "starts_at": from, "ends_at": to }))
                } else {
                    ("status", json!({ "status": "cancelled", "note": "本人の都合により" }))
                };
                out.push((format!("/api/v1/interviews/{id}/{tail}"), body));
            }
            out
        }
        // No string in their bodies: nothing to fill.
        "createReport" | "submitReport" => Vec::new(),
        "saveReport" => {
            // A draft of one's own made for this from a held interview without a report (the
            // forms wrote the others), then the drafts there are.
            let mut drafts = Vec::new();
            let held = cx.items(role, "/api/v1/interviews", |i| i["status"] == json!("held")).await?;
            for id in held.iter().rev().filter_map(|i| i["id"].as_i64()).take(12) {
                let s = cx.session(role)?;
                let rb = s
                    .agent
                    .request(Method::POST, "/api/v1/reports")
                    .header("x-csrf-token", s.agent.csrf.clone())
                    .json(&json!({ "interview_id": id }));
                let res = s.agent.send(rb).await?;
                if let Some(id) = res.status.is_success().then(|| res.json().ok()).flatten().and_then(|v| v["id"].as_i64()) {
                    drafts.push(id);
                    break;
                }
            }
            let mine = |i: &Value| i["status"] == json!("draft") && i["mine"] == json!(true);
            drafts.extend(ids(&cx.items(role, "/api/v1/reports", mine).await?, "id"));
            let mut out = Vec::new();
            for id in drafts {
                let r = cx.get(role, &format!("/api/v1/reports/{id}")).await?;
                // The life/safety flag raised: the escalation summary is kept only then (it opens
                // an escalation, whose page shows the summary to the consultant and responders).
                out.push((
                    format!("/api/v1/reports/{id}"),
                    json!({ "career_awareness": "確認", "workplace": "確認", "organization": "確認", "support_plan": "確認", "next_steps": "確認",
                            "tags": [], "life_safety": true, "organizational_response": false, "escalation_summary": null, "version": r["version"] }),
                ));
            }
            out
        }
        "reviewReport" => {
            let items = cx.items(role, "/api/v1/reports", |i| i["status"] == json!("submitted")).await?;
            let comments = json!([{ "section": "career_awareness", "text": "確認してください。" }, { "section": "general", "text": "確認してください。" }]);
            ids(&items, "id")
                .into_iter()
                .map(|id| (format!("/api/v1/reports/{id}/review"), json!({ "decision": "return", "comments": comments, "scores": [] })))
                .collect()
        }
        "decideMyDisclosure" => {
            let items = cx.items(role, "/api/v1/my/disclosures", |i| i["state"] == json!("pending")).await?;
            ids(&items, "id")
                .into_iter()
                .map(|id| {
                    (
                        format!("/api/v1/my/disclosures/{id}/decision"),
                        json!({ "decision": "request_changes", "comment": "直してください。", "expires_on": "" }),
                    )
                })
                .collect()
        }
        "createDisclosure" => {
            let items = cx.items(role, "/api/v1/reports", mine_approved).await?;
            ids(&items, "id")
                .into_iter()
                .map(|id| {
                    ("/api/v1/disclosures".to_string(), json!({ "report_id": id, "purpose": "important_case", "text": "共有する内容。" }))
                })
                .collect()
        }
        "createBossConsultation" | "recordBossConsultation" => {
            let items = cx.items(role, "/api/v1/interviews", |_| true).await?;
            let numbers: BTreeSet<String> =
                items.iter().filter_map(|i| i["employee_number"].as_str().map(str::to_string)).take(3).collect();
            let day = (store::today_jst() - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
            numbers
                .into_iter()
                .map(|n| ("/api/v1/boss-consultations".to_string(), json!({ "employee_number": n, "interview_id": null, "held_on": day, "changes": "変化", "performance": "成果", "support": "支援" })))
                .collect()
        }
        "requestEscalationDisclosure" | "requestDisclosure" => {
            let items = cx.items(role, "/api/v1/escalations", |_| true).await?;
            ids(&items, "id")
                .into_iter()
                .map(|id| (format!("/api/v1/escalations/{id}/disclosure-requests"), json!({ "reason": "対応のため。" })))
                .collect()
        }
        "approveEscalationDisclosure" | "approveDisclosureRequest" => {
            let Some((esc, rid)) = cx.created.get("escalation").copied().zip(cx.created.get("escalation-request").copied()) else {
                return Ok(Some(Vec::new()));
            };
            vec![(
                format!("/api/v1/escalations/{esc}/disclosure-requests/{rid}/approve"),
                json!({ "notice_delay_days": 7, "delay_reason": "安全のため。" }),
            )]
        }
        "planFollowUp" => {
            let items = cx.items(role, "/api/v1/reports", mine_approved).await?;
            let mut out = Vec::new();
            for id in ids(&items, "id") {
                let due = cx.future_day();
                out.push((format!("/api/v1/reports/{id}/follow-ups"), json!({ "kind": "follow_up", "due_on": due, "what": "確認する。" })));
            }
            out
        }
        "createReferral" => {
            // Under a life/safety escalation of one's own: no consent needed.
            let items = cx.items(role, "/api/v1/escalations", |_| true).await.unwrap_or_default();
            ids(&items, "id")
                .into_iter()
                .map(|id| {
                    (
                        "/api/v1/referrals".to_string(),
                        json!({ "escalation_id": id, "recipient": { "kind": "health" }, "summary": "紹介の理由。" }),
                    )
                })
                .collect()
        }
        "decideReferral" => {
            let items =
                cx.items(role, "/api/v1/referrals", |i| !matches!(i["status"].as_str(), Some("accepted" | "declined" | "closed"))).await?;
            ids(&items, "id")
                .into_iter()
                .map(|id| (format!("/api/v1/referrals/{id}/decision"), json!({ "decision": "accept", "note": "受けます。" })))
                .collect()
        }
        "createAction" => {
            // The issues HR has raised, from their list page.
            let s = cx.session(role)?;
            let page = s.agent.get("/org-issues").await?;
            let tokens = super::html::tokens(&page.body);
            let issues: BTreeSet<i64> = super::html::links(&tokens, "/org-issues", &s.agent.base)
                .iter()
                .filter_map(|l| l.strip_prefix("/org-issues/").and_then(|r| r.split(['/', '?']).next()).and_then(|n| n.parse().ok()))
                .collect();
            let due = cx.future_day();
            issues
                .into_iter()
                .take(3)
                .map(|id| ("/api/v1/actions".to_string(), json!({ "issue_id": id, "title": "施策", "owner": "人事部", "due_on": due })))
                .collect()
        }
        _ => return Ok(None),
    }))
}

/// The roles `route_roles.tsv` lets in, in its order.
fn roles(method: &str, path: &str) -> Result<Vec<Role>> {
    let table = read_table()?;
    let answers =
        table.get(&(method.to_string(), path.to_string())).with_context(|| format!("{method} {path} has no row in route_roles.tsv"))?;
    Ok(Role::ALL.iter().zip(answers).filter(|(_, a)| **a == Answer::Allow).map(|(r, _)| *r).collect())
}

/// Sends every operation's body with payloads; returns the problems (server errors, operations
/// without a base body).
pub async fn fill(sessions: &mut [Session], avoid: &BTreeSet<String>, stored: &mut Stored, tally: &mut Tally) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let doc = {
        let s = sessions.first_mut().context("no session")?;
        let res = s.agent.get("/api/v1/openapi.json").await?;
        res.json()?
    };
    let mut cx = Ctx { sessions, created: BTreeMap::new(), day: 0, pin: None };
    for op in operations(&doc) {
        tally.api_operations += 1;
        let mut counted = false;
        let mut done = false;
        let mut known = false;
        // Each role the table lets in, until one has something to send and it is taken.
        // Each session of each role the table lets in, until one has something to send and it
        // is taken (an approval needs a second responder).
        let allowed = roles(op.method.as_str(), &op.path)?;
        let actors: Vec<(usize, Role)> = allowed
            .iter()
            .flat_map(|r| {
                cx.sessions.iter().enumerate().filter(move |(_, s)| s.role == *r && !s.who.contains(" as ")).map(|(i, s)| (i, s.role))
            })
            .collect();
        for (at, role) in actors {
            if done {
                break;
            }
            cx.pin = Some(at);
            let Some(candidates) = base(&op.id, &mut cx, role).await.with_context(|| format!("the base body of {}", op.id))? else {
                break;
            };
            known = true;
            if candidates.is_empty() && super::walk::verbose() {
                eprintln!("  API {} {} ({}) as {}: nothing to send", op.method, op.path, op.id, cx.sessions[at].who);
            }
            // A record a form of the walk will write comes last.
            let (fresh, later): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|(path, _)| {
                !page_of(path, None).is_some_and(|p| avoid.iter().any(|a| *a == p || a.starts_with(&format!("{p}/"))))
            });
            for (path, body) in fresh.into_iter().chain(later) {
                let mut paths = Vec::new();
                string_paths(&doc, &op.schema, &body, Vec::new(), &mut paths);
                if !counted {
                    tally.api_fields += paths.len();
                    counted = true;
                }
                if paths.is_empty() {
                    break;
                }
                match send(&mut cx, role, &op, &path, &body, &paths, stored, tally).await? {
                    Sent::Accepted => {
                        done = true;
                        break;
                    }
                    Sent::Failed(p) => {
                        problems.push(p);
                        done = true;
                        break;
                    }
                    Sent::Refused(why) => tally.api_refused.push(format!("{} {path} as {}: {why}", op.method, role.as_str())),
                }
            }
        }
        cx.pin = None;
        if !known {
            problems.push(format!("{} {} ({}): no base body in api.rs: add one", op.method, op.path, op.id));
        } else if !done && counted {
            tally.api_refused.push(format!("{} {} ({}): nothing accepted", op.method, op.path, op.id));
        }
    }
    Ok(problems)
}

enum Sent {
    Accepted,
    Refused(String),
    Failed(String),
}

#[allow(clippy::too_many_arguments)]
async fn send(
    cx: &mut Ctx<'_>,
    role: Role,
    op: &Op,
    path: &str,
    base: &Value,
    paths: &[Vec<Step>],
    stored: &mut Stored,
    tally: &mut Tally,
) -> Result<Sent> {
    let label = format!("{} {} {}", op.method, op.path.trim_start_matches("/api/v1"), "");
    // Which payload each string path holds now: Some(value index), or None for the base value.
    let mut fills: Vec<Option<usize>> =
        paths.iter().map(|p| Some(stored.next(&format!("API {label}{}", show(p)), super::LONG_MAX, "text"))).collect();
    let mut tamed = BTreeSet::new();
    for _attempt in 0..6 {
        let mut body = base.clone();
        for (p, f) in paths.iter().zip(&fills) {
            match f {
                Some(i) => set(&mut body, p, json!(stored.sent(*i))),
                None => match get(base, p) {
                    Some(v) => set(&mut body, p, v.clone()),
                    None => set(&mut body, p, Value::Null),
                },
            }
        }
        // An array of strings the base left empty goes back to empty.
        for (p, f) in paths.iter().zip(&fills) {
            if f.is_none() && get(base, p).is_none() {
                if let Some((Step::Index(_), parent)) = p.split_last() {
                    set(&mut body, parent, get(base, parent).cloned().unwrap_or(json!([])));
                }
            }
        }
        let s = cx.session(role)?;
        let rb = s.agent.request(op.method.clone(), path).header("x-csrf-token", s.agent.csrf.clone()).json(&body);
        let res = s.agent.send(rb).await.with_context(|| format!("{} {path}", op.method))?;
        tally.submissions += 1;
        let status = res.status.as_u16();
        if super::walk::verbose() {
            eprintln!("  API {} {path} as {}: {} {}", op.method, role.as_str(), res.status, res.body.chars().take(300).collect::<String>());
        }
        if (200..300).contains(&status) {
            tally.api_accepted += 1;
            for i in fills.iter().flatten() {
                stored.accept(*i);
            }
            let created = res.json().ok().and_then(|v| v["id"].as_i64());
            if op.path.ends_with("/disclosure-requests") {
                if let Some(id) = created {
                    let esc = path.split('/').nth(4).and_then(|s| s.parse().ok());
                    if let Some(esc) = esc {
                        cx.created.insert("escalation".into(), esc);
                        cx.created.insert("escalation-request".into(), id);
                    }
                }
            }
            // The page that shows what was stored: the record's own page, where there is one.
            let page = page_of(path, created);
            let who = cx.session(role)?.who.clone();
            tally.touched.push((who, page.into_iter().collect()));
            return Ok(Sent::Accepted);
        }
        if status >= 500 {
            return Ok(Sent::Failed(format!("{} {path} answered {}: {}", op.method, res.status, res.brief())));
        }
        if !matches!(status, 400 | 422) {
            return Ok(Sent::Refused(format!("{} {}", res.status, res.body.chars().take(200).collect::<String>())));
        }
        let field = res.json().ok().and_then(|v| v["error"]["field"].as_str().map(str::to_string)).unwrap_or_default();
        let at_fault: Vec<usize> = (0..paths.len())
            .filter(|k| fills[*k].is_some())
            .filter(|k| {
                let full = show(&paths[*k]);
                let last =
                    paths[*k].iter().rev().find_map(|s| if let Step::Key(k) = s { Some(k.clone()) } else { None }).unwrap_or_default();
                !field.is_empty()
                    && (full == field || last == field || full.starts_with(&format!("{field}[")) || full.starts_with(&format!("{field}.")))
            })
            .collect();
        let filled: Vec<usize> = (0..paths.len()).filter(|k| fills[*k].is_some()).collect();
        let change: Vec<usize> = if !at_fault.is_empty() {
            at_fault
        } else if !field.is_empty() && field != "body" {
            // A field the payloads left alone: this record does not take the request.
            return Ok(Sent::Refused(format!("{} {}", res.status, res.body.chars().take(200).collect::<String>())));
        } else if filled.len() > 1 {
            filled[1..].to_vec()
        } else {
            filled
        };
        if change.is_empty() {
            return Ok(Sent::Refused(format!("{} {}", res.status, res.body.chars().take(200).collect::<String>())));
        }
        for k in change {
            if tamed.insert(k) && !at_fault_is_enum_like(&paths[k]) {
                fills[k] = Some(stored.tame(&format!("API {label}{}", show(&paths[k])), 200, "text"));
            } else {
                fills[k] = None;
            }
        }
    }
    Ok(Sent::Refused("still refused after six tries".into()))
}

/// A field whose refusal no tamer payload cures: a code or a choice.
fn at_fault_is_enum_like(path: &[Step]) -> bool {
    matches!(path.last(), Some(Step::Key(k)) if matches!(k.as_str(), "kind" | "mode" | "status" | "decision" | "purpose" | "section" | "employee_number" | "item"))
        || matches!(path.last(), Some(Step::Index(_)))
}

/// The page of the record an API call wrote: `/api/v1/reports/7/…` is `/reports/7`; a record
/// made anew is `/<collection>/<its id>`; where no such page exists, none.
fn page_of(path: &str, created: Option<i64>) -> Option<String> {
    let rest = path.strip_prefix("/api/v1")?;
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let candidate = match (segs.as_slice(), created) {
        ([collection], Some(id)) => format!("/{collection}/{id}"),
        ([collection, id, ..], _) if id.parse::<i64>().is_ok() => format!("/{collection}/{id}"),
        ([a, collection, id, ..], _) if id.parse::<i64>().is_ok() => format!("/{a}/{collection}/{id}"),
        _ => return None,
    };
    pattern_of("GET", &candidate).filter(|p| p.contains('{')).map(|_| candidate)
}

#[test]
fn string_paths_follow_the_schema() {
    let doc = json!({ "components": { "schemas": {
        "C": { "type": "object", "properties": { "section": { "type": "string" }, "text": { "type": "string" } } },
        "B": { "type": "object", "properties": {
            "decision": { "type": "string" }, "due": { "type": "string", "format": "date" }, "n": { "type": "integer" },
            "note": { "type": ["string", "null"] }, "tags": { "type": "array", "items": { "type": "string" } },
            "comments": { "type": "array", "items": { "$ref": "#/components/schemas/C" } },
            "kind": { "type": "string", "enum": ["a"] } } } } } });
    let base = json!({ "comments": [{ "section": "x", "text": "y" }] });
    let mut out = Vec::new();
    string_paths(&doc, &json!({ "$ref": "#/components/schemas/B" }), &base, Vec::new(), &mut out);
    let shown: Vec<String> = out.iter().map(|p| show(p)).collect();
    assert_eq!(shown, ["comments[0].section", "comments[0].text", "decision", "note", "tags[0]"]);
    let mut v = json!({});
    set(&mut v, &out[4], json!("p"));
    assert_eq!(v, json!({ "tags": ["p"] }));
}
