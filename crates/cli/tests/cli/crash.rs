//! Nothing lost (issue 11, item 1). The server is killed with SIGKILL at random moments while
//! many tasks write through it: report autosaves (sealed sections, tags), life/safety flags
//! that open escalations, interviews scheduled, disclosures written, granted and withdrawn,
//! improvement actions, the employee's questionnaire answers. Every write the server
//! acknowledged is recorded; after each restart every acknowledged write must be there with the
//! acknowledged content, a write in flight at the kill is either wholly there or wholly absent,
//! every acknowledged withdrawal is still in force (the boss reads 404), and `audit verify`
//! passes. The same for `keys rotate` and `import employees` killed midway.
//!
//! The test command runs a few cycles with the debug binary; `scripts/crash-test.sh` runs the
//! long form against the release binary (`CAREERDOCK_CRASH_BIN`, `CAREERDOCK_CRASH_CYCLES`).

use super::*;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Kill cycles per database: a few in the test command, more when asked for.
fn cycles(backend: Backend) -> usize {
    let default = match backend {
        Backend::Sqlite => 3,
        Backend::Postgres => 2,
    };
    std::env::var("CAREERDOCK_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server under test: the release binary in the long form, else the test's own.
fn server_bin() -> PathBuf {
    std::env::var_os("CAREERDOCK_CRASH_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(BIN))
}

/// The seed of the kill moments, printed so that a failure can be replayed.
pub(super) fn seed() -> u64 {
    std::env::var("CAREERDOCK_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(11))
}

/// A server process that is killed, never stopped.
pub(super) struct Victim {
    child: Child,
    pub(super) addr: String,
}

impl Victim {
    pub(super) fn start(env: &Env, n: usize) -> Result<Victim> {
        Victim::start_with(env, n, &[])
    }

    /// The server with more arguments (mail settings, say).
    pub(super) fn start_with(env: &Env, n: usize, extra: &[&str]) -> Result<Victim> {
        let log = env.path(&format!("victim-{n}.stderr"));
        let mut cmd = bin_command(env, &["serve", "--listen", "127.0.0.1:0"]);
        cmd.args(extra).stdout(Stdio::null()).stderr(std::fs::File::create(&log)?);
        let mut child = cmd.spawn().context("spawning the server")?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(addr) = text.split("serving http://").nth(1).and_then(|r| r.split('/').next()) {
                return Ok(Victim { child, addr: addr.to_string() });
            }
            if let Some(status) = child.try_wait()? {
                bail!("the server exited during startup ({status}):\n{text}");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("the server did not start:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub(super) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub(super) fn kill(mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A report's save: its version and the marker written.
pub(super) type Save = Option<(i64, String)>;

/// The writes the server acknowledged, and the one in flight of each writer.
#[derive(Default)]
pub(super) struct Ledger {
    /// Report id → (version, marker) acknowledged, and the one sent but not answered.
    pub(super) saves: BTreeMap<i64, (Save, Save)>,
    /// (table, id, what): rows the server said it created.
    created: Vec<(&'static str, i64, String)>,
    /// Disclosure id → the state acknowledged last, and the one asked for but not answered.
    consents: BTreeMap<i64, (String, Option<String>)>,
    /// Questionnaire answer sets acknowledged, and whether one was in flight.
    answers: (usize, bool),
    /// Acknowledged writes of every kind, for the summary.
    pub(super) acked: usize,
}

pub(super) type Shared = Arc<Mutex<Ledger>>;

pub(super) fn ledger(l: &Shared) -> std::sync::MutexGuard<'_, Ledger> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// An API client with a bearer token (no CSRF needed), or a signed-in browser-like session.
#[derive(Clone)]
pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    csrf: Option<String>,
}

/// What a request ended in: an answer, or the connection broke (the server died).
pub(super) enum Sent {
    Answer(StatusCode, String),
    Broken,
}

impl Client {
    pub(super) fn api(base: &str, token: &str) -> Result<Client> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Client { http, base: base.to_string(), token: Some(token.to_string()), csrf: None })
    }

    pub(super) async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Sent {
        let mut rb = self.http.request(method, format!("{}{path}", self.base)).header("accept-language", "ja");
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(c) = &self.csrf {
            rb = rb.header("x-csrf-token", c);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        match rb.send().await {
            Ok(res) => {
                let status = res.status();
                match res.text().await {
                    Ok(text) => Sent::Answer(status, text),
                    Err(_) => Sent::Broken,
                }
            }
            Err(_) => Sent::Broken,
        }
    }

    /// A request that must be answered (the server is up): its status and JSON.
    pub(super) async fn must(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Result<(StatusCode, Value)> {
        match self.send(method.clone(), path, body).await {
            Sent::Answer(status, text) => Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text)))),
            Sent::Broken => bail!("{method} {path}: no answer from a running server"),
        }
    }

    pub(super) async fn get(&self, path: &str) -> Result<Value> {
        let (status, v) = self.must(reqwest::Method::GET, path, None).await?;
        ensure!(status.is_success(), "GET {path}: {status} {v}");
        Ok(v)
    }

    fn rebase(&mut self, base: &str) {
        self.base = base.to_string();
    }
}

/// The accounts and records the writers work on, found or made before the first kill.
struct Cast {
    consultant: Client,
    employee: Client,
    boss: Client,
    hr: Client,
    /// The employee's report that disclosures are written on.
    consent_report: i64,
    /// The org issue improvement actions are added to.
    issue: i64,
    /// Employee numbers the consultant may schedule follow-up interviews with.
    numbers: Vec<String>,
    /// The employee's questionnaire form: (code, cycle id, item codes).
    questionnaire: (String, String, Vec<String>),
    /// Draft reports, one per autosave writer.
    drafts: Vec<i64>,
}

pub(super) fn token(env: &Env, login: &str, role: &str) -> Result<String> {
    let out = env.run(&["token", "create", "--tenant", "demo", "--login", login, "--role", role, "--name", "crash"])?.ok()?;
    Ok(out.stdout.trim().to_string())
}

/// Everything the demo's employee sees on their questionnaire page that a valid answer needs.
fn questionnaire_form(page: &str) -> Result<(String, String, Vec<String>)> {
    let value_of = |name: &str| -> Option<String> {
        let at = page.find(&format!("name=\"{name}\""))?;
        let rest = &page[at..];
        let v = rest.split("value=\"").nth(1)?.split('"').next()?;
        Some(v.to_string())
    };
    let code = value_of("questionnaire").context("the questionnaire page has no questionnaire field")?;
    let cycle = value_of("cycle").context("the questionnaire page offers no cycle")?;
    let items: Vec<String> = page
        .split("name=\"item-")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    ensure!(!items.is_empty(), "the questionnaire page has no items");
    Ok((code, cycle, items))
}

/// Signs the demo employee in through the sign-in form; the session's cookie and CSRF token.
pub(super) async fn employee_session(base: &str) -> Result<(reqwest::Client, String)> {
    let http = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let login = http.get(format!("{base}/login?tenant=demo")).send().await?.text().await?;
    let csrf = login.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).context("no sign-in token")?;
    let form = [("tenant", "demo"), ("login", "employee"), ("password", "demo-password"), ("csrf", csrf), ("next", "/")];
    let res = http.post(format!("{base}/login")).form(&form).send().await?;
    ensure!(res.status() == StatusCode::SEE_OTHER, "employee sign-in: {}", res.status());
    let page = http.get(format!("{base}/my/questionnaires")).send().await?.text().await?;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).context("no form token")?;
    Ok((http, csrf.to_string()))
}

async fn cast(env: &Env, base: &str) -> Result<Cast> {
    let consultant = Client::api(base, &token(env, "consultant1", "consultant")?)?;
    // The employee holds no API token: their own API is used with a session and its CSRF token.
    let (session, csrf) = employee_session(base).await?;
    let employee = Client { http: session, base: base.to_string(), token: None, csrf: Some(csrf) };
    let boss = Client::api(base, &token(env, "boss", "boss")?)?;
    let hr = Client::api(base, &token(env, "hr", "hr")?)?;

    // The employee's report: the one the demo's consent story was written on.
    let written = consultant.get("/api/v1/disclosures").await?;
    let mine = employee.get("/api/v1/my/disclosures").await?;
    let my_ids: Vec<i64> = mine["items"].as_array().into_iter().flatten().filter_map(|d| d["id"].as_i64()).collect();
    let consent_report = written["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["id"].as_i64().is_some_and(|id| my_ids.contains(&id)))
        .and_then(|d| d["report_id"].as_i64())
        .with_context(|| format!("no disclosure of consultant1 about the demo employee: {written}"))?;

    let issue = env.sql("SELECT MIN(id) FROM org_issues")?.trim().parse::<i64>().context("the demo has no organizational issue")?;

    // Follow-up interviews (no cycle needed) with people of the register.
    let numbers = active_numbers(env, 6)?;

    let page = employee.http.get(format!("{base}/my/questionnaires")).send().await?.text().await?;
    let questionnaire = questionnaire_form(&page)?;

    // One draft per autosave writer: a held interview of the past, then its report.
    let mut drafts = Vec::new();
    for number in numbers.iter().take(3) {
        let id = held_interview(&consultant, number).await?.context("scheduling a draft's interview")?;
        let (status, v) = consultant.must(reqwest::Method::POST, "/api/v1/reports", Some(&json!({"interview_id": id}))).await?;
        ensure!(status == StatusCode::CREATED, "creating a draft: {status} {v}");
        drafts.push(v["id"].as_i64().context("the draft's id")?);
    }
    Ok(Cast { consultant, employee, boss, hr, consent_report, issue, numbers, questionnaire, drafts })
}

/// A past half hour no other interview of the consultant takes: nights in Japan (00:00–04:00
/// JST, when the demo books nobody), four a night, going back from two days ago.
fn night_slot() -> chrono::DateTime<chrono::Utc> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) as i64;
    let midnight_jst =
        (chrono::Utc::now() - chrono::Duration::days(2 + n / 4)).date_naive().and_hms_opt(15, 0, 0).unwrap_or_default().and_utc();
    midnight_jst + chrono::Duration::hours(n % 4)
}

/// The first `n` employee numbers of the active people assigned to consultant1 (whom they may
/// schedule).
pub(super) fn active_numbers(env: &Env, n: usize) -> Result<Vec<String>> {
    let out = env.sql(&format!(
        "SELECT DISTINCT e.employee_number FROM employees e JOIN tenants t ON t.id = e.tenant_id
           JOIN cycle_targets c ON c.employee_id = e.id JOIN users u ON u.id = c.consultant_id
         WHERE t.slug = 'demo' AND u.login = 'consultant1' AND e.status = 'active' ORDER BY e.employee_number LIMIT {n}"
    ))?;
    let numbers: Vec<String> = out.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
    ensure!(numbers.len() == n, "the demo has fewer than {n} active people: {numbers:?}");
    Ok(numbers)
}

/// Schedules a follow-up interview in the past and records it held; `None` when the server died
/// on the way.
pub(super) async fn held_interview(c: &Client, number: &str) -> Result<Option<i64>> {
    let start = night_slot();
    let body = json!({
        "employee_number": number, "cycle_id": null, "kind": "follow_up", "mode": "online", "place": null,
        "starts_at": start.to_rfc3339(), "ends_at": (start + chrono::Duration::minutes(30)).to_rfc3339(),
    });
    let id = match c.send(reqwest::Method::POST, "/api/v1/interviews", Some(&body)).await {
        Sent::Answer(s, text) if s == StatusCode::CREATED => {
            serde_json::from_str::<Value>(&text)?["id"].as_i64().context("the interview's id")?
        }
        Sent::Answer(s, text) => bail!("scheduling an interview: {s} {text}"),
        Sent::Broken => return Ok(None),
    };
    match c.send(reqwest::Method::POST, &format!("/api/v1/interviews/{id}/status"), Some(&json!({"status": "held"}))).await {
        Sent::Answer(s, _) if s.is_success() => Ok(Some(id)),
        Sent::Answer(s, text) => bail!("recording interview {id} held: {s} {text}"),
        Sent::Broken => Ok(None),
    }
}

/// The text a save writes into every section: the marker twice, so a torn save would show.
pub(super) fn sections(marker: &str, version: i64, flag: bool) -> Value {
    json!({
        "career_awareness": format!("キャリア意識 {marker}"),
        "workplace": format!("職場 {marker}"),
        "organization": "",
        "support_plan": format!("支援方針 {marker}"),
        "next_steps": "",
        "tags": [],
        "life_safety": flag,
        "organizational_response": false,
        "escalation_summary": if flag { Some(format!("至急 {marker}")) } else { None },
        "version": version,
    })
}

/// Writes until the server dies. Each writer records before sending and after the answer.
pub(super) async fn autosave_writer(c: Client, report: i64, mut version: i64, round: usize, l: Shared) -> Result<()> {
    for k in 0.. {
        let marker = format!("r{report}-c{round}-s{k}");
        ledger(&l).saves.entry(report).or_default().1 = Some((version + 1, marker.clone()));
        match c.send(reqwest::Method::PUT, &format!("/api/v1/reports/{report}"), Some(&sections(&marker, version, false))).await {
            Sent::Answer(s, text) if s == StatusCode::OK => {
                let v: Value = serde_json::from_str(&text)?;
                version = v["version"].as_i64().context("the saved version")?;
                let mut g = ledger(&l);
                g.saves.insert(report, (Some((version, marker)), None));
                g.acked += 1;
            }
            Sent::Answer(s, text) => bail!("saving report {report}: {s} {text}"),
            Sent::Broken => return Ok(()),
        }
    }
    Ok(())
}

/// A follow-up interview, its report, a life/safety flag on it: three acknowledged creations.
async fn escalation_writer(c: Client, numbers: Vec<String>, round: usize, l: Shared) -> Result<()> {
    for k in 0.. {
        let number = &numbers[k % numbers.len()];
        let Some(interview) = held_interview(&c, number).await? else { return Ok(()) };
        ledger(&l).created.push(("interviews", interview, format!("round {round}")));
        let report = match c.send(reqwest::Method::POST, "/api/v1/reports", Some(&json!({"interview_id": interview}))).await {
            Sent::Answer(s, text) if s == StatusCode::CREATED => {
                serde_json::from_str::<Value>(&text)?["id"].as_i64().context("report id")?
            }
            Sent::Answer(s, text) => bail!("creating a report: {s} {text}"),
            Sent::Broken => return Ok(()),
        };
        ledger(&l).created.push(("reports", report, String::new()));
        let marker = format!("e{report}-c{round}");
        let first = match c.send(reqwest::Method::GET, &format!("/api/v1/reports/{report}"), None).await {
            Sent::Answer(s, text) if s == StatusCode::OK => serde_json::from_str::<Value>(&text)?["version"].as_i64().context("version")?,
            Sent::Answer(s, text) => bail!("reading report {report}: {s} {text}"),
            Sent::Broken => return Ok(()),
        };
        ledger(&l).saves.insert(report, (Some((first, String::new())), Some((first + 1, marker.clone()))));
        match c.send(reqwest::Method::PUT, &format!("/api/v1/reports/{report}"), Some(&sections(&marker, first, true))).await {
            Sent::Answer(s, text) if s == StatusCode::OK => {
                let v: Value = serde_json::from_str(&text)?;
                let esc = v["escalation_id"].as_i64().with_context(|| format!("raising the flag opened no escalation: {text}"))?;
                let mut g = ledger(&l);
                g.saves.insert(report, (Some((v["version"].as_i64().unwrap_or(first + 1), marker)), None));
                g.created.push(("escalations", esc, String::new()));
                g.acked += 4;
            }
            Sent::Answer(s, text) => bail!("raising the flag on report {report}: {s} {text}"),
            Sent::Broken => return Ok(()),
        }
    }
    Ok(())
}

/// A disclosure written, granted, withdrawn; again and again.
async fn consent_writer(consultant: Client, employee: Client, report: i64, round: usize, l: Shared) -> Result<()> {
    for k in 0.. {
        let text = format!("本人の希望を1on1で聞いてください（{round}-{k}）。");
        let body = json!({"report_id": report, "purpose": "boss_feedback", "recipient_user_id": null, "text": text});
        let id = match consultant.send(reqwest::Method::POST, "/api/v1/disclosures", Some(&body)).await {
            Sent::Answer(s, t) if s == StatusCode::CREATED => serde_json::from_str::<Value>(&t)?["id"].as_i64().context("id")?,
            Sent::Answer(s, t) => bail!("writing a disclosure: {s} {t}"),
            Sent::Broken => return Ok(()),
        };
        {
            let mut g = ledger(&l);
            g.created.push(("disclosures", id, text));
            g.consents.insert(id, ("pending".into(), None));
            g.acked += 1;
        }
        for (step, path, body) in [
            ("granted", format!("/api/v1/my/disclosures/{id}/decision"), Some(json!({"decision": "grant", "version": 1}))),
            ("withdrawn", format!("/api/v1/my/disclosures/{id}/withdraw"), None),
        ] {
            ledger(&l).consents.entry(id).or_insert(("pending".into(), None)).1 = Some(step.to_string());
            match employee.send(reqwest::Method::POST, &path, body.as_ref()).await {
                Sent::Answer(s, t) if s == StatusCode::OK => {
                    let state = serde_json::from_str::<Value>(&t)?["state"].as_str().unwrap_or_default().to_string();
                    ensure!(state == step, "{path} answered {t}");
                    let mut g = ledger(&l);
                    g.consents.insert(id, (state, None));
                    g.acked += 1;
                }
                Sent::Answer(s, t) => bail!("{path}: {s} {t}"),
                Sent::Broken => return Ok(()),
            }
        }
    }
    Ok(())
}

async fn action_writer(hr: Client, issue: i64, round: usize, l: Shared) -> Result<()> {
    for k in 0.. {
        let title = format!("1on1の定着支援 {round}-{k}");
        let body = json!({"issue_id": issue, "title": title, "owner_user_id": null, "owner": "人事部", "due_on": "2027-03-31"});
        match hr.send(reqwest::Method::POST, "/api/v1/actions", Some(&body)).await {
            Sent::Answer(s, t) if s == StatusCode::CREATED => {
                let id = serde_json::from_str::<Value>(&t)?["id"].as_i64().context("id")?;
                let mut g = ledger(&l);
                g.created.push(("improvement_actions", id, title));
                g.acked += 1;
            }
            Sent::Answer(s, t) => bail!("adding an action: {s} {t}"),
            Sent::Broken => return Ok(()),
        }
    }
    Ok(())
}

/// The employee answers the questionnaire on their page (a form with the session's token).
async fn answer_writer(base: String, form: (String, String, Vec<String>), l: Shared) -> Result<()> {
    let Ok((http, csrf)) = employee_session(&base).await else { return Ok(()) };
    let (code, cycle, items) = form;
    let today = chrono::Utc::now().date_naive().to_string();
    for k in 0.. {
        let mut fields: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("questionnaire".into(), code.clone()),
            ("cycle".into(), cycle.clone()),
            ("timing".into(), "follow_up".into()),
            ("answered_on".into(), today.clone()),
        ];
        fields.extend(items.iter().map(|i| (format!("item-{i}"), (1 + k % 4).to_string())));
        ledger(&l).answers.1 = true;
        match http.post(format!("{base}/my/questionnaires")).form(&fields).send().await {
            Ok(res) if res.status() == StatusCode::SEE_OTHER => {
                let mut g = ledger(&l);
                g.answers = (g.answers.0 + 1, false);
                g.acked += 1;
            }
            Ok(res) => {
                let status = res.status();
                bail!("answering the questionnaire: {status} {:.600}", res.text().await.unwrap_or_default())
            }
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// The marker of the save a report holds, checked to come from one save: a torn save would
/// mix markers across the sections.
pub(super) fn marker_of(report: i64, r: &Value) -> Result<(i64, String)> {
    let version = r["version"].as_i64().context("version")?;
    let text = r["career_awareness"].as_str().unwrap_or_default();
    let marker = text.strip_prefix("キャリア意識 ").unwrap_or(text);
    let expect = |prefix: &str| if marker.is_empty() { String::new() } else { format!("{prefix} {marker}") };
    ensure!(
        r["workplace"].as_str() == Some(expect("職場").as_str()) && r["support_plan"].as_str() == Some(expect("支援方針").as_str()),
        "report {report} mixes saves: {r}"
    );
    Ok((version, marker.to_string()))
}

/// The employee's questionnaire answer sets entered on their page at the writers' timing.
fn answer_sets(env: &Env) -> Result<usize> {
    let n = env.sql("SELECT COUNT(*) FROM questionnaire_responses WHERE entered_by = 'employee' AND timing = 'follow_up'")?;
    n.trim().parse::<usize>().with_context(|| format!("counting answer sets: {n}"))
}

/// Every acknowledged write is there; what was in flight is wholly there or wholly absent.
async fn verify(env: &Env, cast: &Cast, l: &Shared) -> Result<()> {
    let (saves, created, consents, answers) = {
        let g = ledger(l);
        (g.saves.clone(), g.created.clone(), g.consents.clone(), g.answers)
    };
    for (report, (acked, inflight)) in &saves {
        let r = cast.consultant.get(&format!("/api/v1/reports/{report}")).await?;
        let (version, marker) = marker_of(*report, &r)?;
        let was_acked = acked.as_ref().is_some_and(|(v, m)| *v == version && *m == marker);
        let was_inflight = inflight.as_ref().is_some_and(|(_, m)| *m == marker);
        ensure!(
            was_acked || was_inflight,
            "report {report} holds version {version} «{marker}»; acknowledged {acked:?}, in flight {inflight:?}"
        );
    }
    // One query per table: the ids of the acknowledged rows that are there.
    let mut by_table: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (table, id, _) in &created {
        by_table.entry(table).or_default().push(*id);
    }
    for (table, ids) in &by_table {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let out = env.sql(&format!("SELECT id FROM {table} WHERE id IN ({list})"))?;
        let present: std::collections::BTreeSet<i64> = out.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if let Some((_, id, what)) = created.iter().find(|(t, id, _)| t == table && !present.contains(id)) {
            bail!("{table} {id} ({what}) was acknowledged and is gone");
        }
    }
    let titles = cast.hr.get("/api/v1/actions").await?;
    for (_, id, title) in created.iter().filter(|c| c.0 == "improvement_actions").rev().take(50) {
        let found = titles["items"].as_array().into_iter().flatten().any(|a| a["id"].as_i64() == Some(*id) && a["title"] == *title);
        let total = titles["total"].as_i64().unwrap_or(0);
        ensure!(found || total > 200, "action {id} «{title}» is not listed as acknowledged");
    }
    let mine = cast.employee.get("/api/v1/my/disclosures").await?;
    for (id, (acked, inflight)) in &consents {
        let d = mine["items"].as_array().into_iter().flatten().find(|d| d["id"].as_i64() == Some(*id));
        let state = d.and_then(|d| d["state"].as_str()).with_context(|| format!("disclosure {id} is gone"))?;
        ensure!(
            state == acked || inflight.as_deref() == Some(state),
            "disclosure {id} is {state}; acknowledged {acked}, in flight {inflight:?}"
        );
        if acked == "withdrawn" {
            let (status, _) = cast.boss.must(reqwest::Method::GET, &format!("/api/v1/feedback/{id}"), None).await?;
            ensure!(status == StatusCode::NOT_FOUND, "disclosure {id} was withdrawn and the boss reads it: {status}");
        }
    }
    let stored = answer_sets(env)?;
    let (acked, inflight) = answers;
    ensure!(
        stored == acked || (inflight && stored == acked + 1),
        "{stored} answer sets stored; {acked} acknowledged, one in flight: {inflight}"
    );
    Ok(())
}

/// After a kill, what was in flight is settled by what the restarted server shows; the
/// reports' versions to go on from.
async fn settle(env: &Env, cast: &Cast, l: &Shared) -> Result<BTreeMap<i64, i64>> {
    let stored = answer_sets(env)?;
    let mut versions = BTreeMap::new();
    let mine = cast.employee.get("/api/v1/my/disclosures").await?;
    let reports: Vec<i64> = ledger(l).saves.keys().copied().collect();
    let mut held = BTreeMap::new();
    for report in reports {
        let r = cast.consultant.get(&format!("/api/v1/reports/{report}")).await?;
        let (version, marker) = marker_of(report, &r)?;
        versions.insert(report, version);
        held.insert(report, (Some((version, marker)), None));
    }
    let mut g = ledger(l);
    g.answers = (stored, false);
    g.saves = held;
    for (id, entry) in g.consents.iter_mut() {
        if let Some(state) =
            mine["items"].as_array().into_iter().flatten().find(|d| d["id"].as_i64() == Some(*id)).and_then(|d| d["state"].as_str())
        {
            *entry = (state.to_string(), None);
        }
    }
    Ok(versions)
}

pub(super) fn crash_cycles_lose_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let seed = seed();
    let cycles = cycles(backend);
    eprintln!("[crash] {backend}: {cycles} kill cycles, seed {seed}, server {}", server_bin().display());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build()?;
    let l: Shared = Arc::default();
    let mut server = Victim::start(&env, 0)?;
    let mut cast = rt.block_on(cast(&env, &server.base()))?;
    for d in &cast.drafts {
        ledger(&l).saves.insert(*d, (None, None));
    }
    let mut versions = rt.block_on(settle(&env, &cast, &l))?;
    let started = Instant::now();
    for round in 0..cycles {
        let base = server.base();
        for c in [&mut cast.consultant, &mut cast.employee, &mut cast.boss, &mut cast.hr] {
            c.rebase(&base);
        }
        let mut tasks = Vec::new();
        for d in &cast.drafts {
            tasks.push(rt.spawn(autosave_writer(cast.consultant.clone(), *d, versions[d], round, l.clone())));
        }
        tasks.push(rt.spawn(escalation_writer(cast.consultant.clone(), cast.numbers.clone(), round, l.clone())));
        tasks.push(rt.spawn(consent_writer(cast.consultant.clone(), cast.employee.clone(), cast.consent_report, round, l.clone())));
        tasks.push(rt.spawn(action_writer(cast.hr.clone(), cast.issue, round, l.clone())));
        tasks.push(rt.spawn(answer_writer(base.clone(), cast.questionnaire.clone(), l.clone())));
        std::thread::sleep(Duration::from_millis(rng.gen_range(300..1500)));
        server.kill()?;
        for t in tasks {
            rt.block_on(t)??;
        }
        // The database as the kill left it: the chain holds.
        env.run(&["audit", "verify"])?.ok()?;
        server = Victim::start(&env, round + 1)?;
        for c in [&mut cast.consultant, &mut cast.employee, &mut cast.boss, &mut cast.hr] {
            c.rebase(&server.base());
        }
        rt.block_on(verify(&env, &cast, &l)).with_context(|| format!("after kill {} (seed {seed})", round + 1))?;
        versions = rt.block_on(settle(&env, &cast, &l))?;
    }
    server.kill()?;
    env.run(&["audit", "verify"])?.ok()?;
    let g = ledger(&l);
    eprintln!(
        "[crash] {backend}: {cycles} kills in {:.1}s; {} acknowledged writes checked ({} reports, {} created rows, {} consents, {} answer sets)",
        started.elapsed().as_secs_f64(),
        g.acked,
        g.saves.len(),
        g.created.len(),
        g.consents.len(),
        g.answers.0
    );
    ensure!(g.acked > cycles * 5, "too few writes were acknowledged to prove anything: {}", g.acked);
    Ok(())
}

/// `careerdock <args>` on the test's database with the binary under test (the release one in the
/// long form), nothing inherited from the environment.
fn bin_command(env: &Env, args: &[&str]) -> Command {
    let mut cmd = Command::new(server_bin());
    cmd.args(env.command(args).get_args()).current_dir(env.dir.path()).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CAREERDOCK_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Starts a command whose standard error is kept in a file, to be read while it runs.
fn spawn_logged(env: &Env, args: &[&str], log: &Path) -> Result<Child> {
    let mut cmd = bin_command(env, args);
    cmd.stdout(Stdio::null()).stderr(std::fs::File::create(log)?);
    cmd.spawn().with_context(|| format!("spawning careerdock {}", args.join(" ")))
}

/// Waits until `log` holds `needle` (true), or the command ended first (false).
fn wait_for_log(child: &mut Child, log: &Path, needle: &str) -> Result<bool> {
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        if std::fs::read_to_string(log).unwrap_or_default().contains(needle) {
            return Ok(true);
        }
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        ensure!(Instant::now() < deadline, "no «{needle}» within {}s", COMMAND_TIMEOUT.as_secs());
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// SIGKILL unless it already ended; true when the kill interrupted it.
fn kill_now(child: &mut Child) -> Result<bool> {
    if child.try_wait()?.is_some() {
        return Ok(false);
    }
    child.kill()?;
    let status = child.wait()?;
    Ok(status.code().is_none())
}

/// Every sealed value by key, from `keys status`: (key id, count).
fn sealed_by_key(env: &Env) -> Result<Vec<(String, usize)>> {
    let status = env.run(&["keys", "status"])?.ok()?;
    Ok(status
        .stdout
        .lines()
        .filter_map(|l| l.trim().split_once(": "))
        .filter_map(|(k, rest)| Some((k.to_string(), rest.split_whitespace().next()?.parse().ok()?)))
        .collect())
}

/// `keys rotate` killed after some batches, then `--resume` killed again, then resumed to the
/// end: no value is lost or left unreadable at any point, and the chain holds.
pub(super) fn keys_rotate_killed_midway_resumes(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let key_file = env.key_file();
    let rt = runtime()?;
    let ids = seal_secrets(&env, &key_file, &rt)?;
    let total: usize = sealed_by_key(&env)?.iter().map(|(_, n)| n).sum();
    ensure!(total > 50, "the demo seals too little to interrupt a rotation: {total}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed());
    let kills = std::env::var("CAREERDOCK_CRASH_CYCLES").ok().and_then(|v| v.parse::<usize>().ok()).map_or(2, |n| n.clamp(2, 10));
    let mut interrupted = 0;
    for attempt in 0..=kills {
        let log = env.path(&format!("rotate-{attempt}.stderr"));
        let args: &[&str] =
            if attempt == 0 { &["keys", "rotate", "--batch", "1"] } else { &["keys", "rotate", "--resume", "--batch", "1"] };
        let mut child = spawn_logged(&env, args, &log)?;
        if attempt < kills && wait_for_log(&mut child, &log, "re-encrypted")? {
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..60)));
            if kill_now(&mut child)? {
                interrupted += 1;
            }
        }
        let status = child.wait()?;
        ensure!(status.success() || status.code().is_none(), "{}: {status}\n{}", args.join(" "), std::fs::read_to_string(&log)?);
        // Whatever the moment: one whole key file with both keys, every value under one of them.
        let keys = key_ids(&key_file)?;
        ensure!(keys.len() == 2, "the key file holds {keys:?} after attempt {attempt}");
        let now: usize = sealed_by_key(&env)?.iter().map(|(_, n)| n).sum();
        ensure!(now == total, "{now} sealed values after attempt {attempt}, {total} before");
        env.run(&["audit", "verify"])?.ok()?;
    }
    ensure!(interrupted > 0, "no rotation was interrupted: the kills came too late");
    let keys = key_ids(&key_file)?;
    let by_key = sealed_by_key(&env)?;
    ensure!(by_key == vec![(keys[1].clone(), total)], "after the last resume: {by_key:?}");
    let texts = read_sealed(&env, &key_file, &rt, &ids)?;
    ensure!(texts == SECRETS, "sealed text after an interrupted rotation: {texts:?}");
    eprintln!("[crash] keys rotate ({backend}): {interrupted} of {kills} runs killed midway, {total} values, none lost");
    Ok(())
}

/// `import employees` of a 10,000-person file killed at random moments: the register is as before or
/// as after, never between; the import run to the end then gives exactly the file's people.
pub(super) fn import_killed_midway_is_all_or_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    let before = env.exported_rows("demo")?;
    const NEW: usize = 10_000;
    let mut body = String::from(JA_HEADER);
    body.push('\n');
    for i in 0..NEW {
        body.push_str(&format!("K{i:05},大量 太郎{i},タイリョウ タロウ,新規事業本部/企画部,主任,1990,2015-04-01,,\n"));
    }
    let file = env.path("many.csv");
    std::fs::write(&file, body)?;
    let file = file.display().to_string();
    let args = ["import", "employees", file.as_str(), "--tenant", "demo"];
    // The kills fall around the end of the check, when the one transaction is being written:
    // from half the check's time to one and a half times it, each attempt in a later slice of
    // that span, so that the first falls inside the check (a kill after the commit ends the
    // attempts: the file's people are in, there is nothing left to interrupt).
    let dry = ["import", "employees", file.as_str(), "--tenant", "demo", "--dry-run"];
    let check = run_with_timeout(bin_command(&env, &dry), COMMAND_TIMEOUT)?.ok()?.took.as_millis() as u64;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed());
    let kills = std::env::var("CAREERDOCK_CRASH_CYCLES").ok().and_then(|v| v.parse::<usize>().ok()).map_or(3, |n| n.clamp(3, 20));
    let slice = (check / kills as u64).max(1);
    let (mut nothing, mut everything) = (0, 0);
    for attempt in 0..kills {
        let log = env.path(&format!("import-{attempt}.stderr"));
        let mut child = spawn_logged(&env, &args, &log)?;
        let from = check / 2 + slice * attempt as u64;
        std::thread::sleep(Duration::from_millis(rng.gen_range(from..from + slice)));
        kill_now(&mut child)?;
        let rows = env.exported_rows("demo")?;
        if rows == before {
            nothing += 1;
        } else {
            ensure!(
                rows.len() == before.len() + NEW,
                "a killed import left {} people ({} before, {NEW} in the file)",
                rows.len(),
                before.len()
            );
            everything += 1;
            break;
        }
        env.run(&["audit", "verify"])?.ok()?;
    }
    let done = run_with_timeout(bin_command(&env, &args), COMMAND_TIMEOUT)?.ok()?;
    let rows = env.exported_rows("demo")?;
    ensure!(rows.len() == before.len() + NEW, "after the import ran to the end: {} people; {done}", rows.len());
    ensure!(before.iter().all(|r| rows.contains(r)), "the import changed people who were not in the file");
    let again = run_with_timeout(bin_command(&env, &args), COMMAND_TIMEOUT)?.ok()?;
    ensure!(env.exported_rows("demo")? == rows, "importing the same file again changed the register: {again}");
    env.run(&["audit", "verify"])?.ok()?;
    eprintln!("[crash] import ({backend}): {nothing} kills left nothing, {everything} came after the commit; never a part");
    ensure!(nothing > 0, "no import was killed before its commit: the kills came too late");
    Ok(())
}
