//! The walk over HTTP: every demo login (each role of `hr-consultant` apart) signs in, starts at
//! `/` and follows same-origin links breadth first, one URL per GET route pattern of
//! [`careerdock_web::route_table`] (as the page walker does), keeping each page's forms and the
//! downloads it links to. Then the forms with free-text fields are filled with payloads and
//! sent with the session's CSRF token, the other fields kept valid from the page's own values.

use super::html::{self, Field, FieldKind, Form, Token};
use super::{Stored, Tally};
use crate::e2e::pages::world::{LOGINS, PASSWORD, TENANT};
use crate::support::{hidden_csrf, Agent, Resp, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use anyhow::{bail, Context, Result};
use domain::Role;
use reqwest::Method;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Paths that are no pages of the product (and `/logout`, which would end the walk).
const NOT_PAGES: &[&str] = &["/static/", "/calendar/", "/api/", "/logout", "/healthz"];

/// Forms never sent: signing in or out, switching language or role (the walk's own session),
/// and anything with a password (credentials are not free text, and changing them would lock
/// the walk out).
const NOT_SENT: &[&str] = &["/login", "/logout", "/locale", "/role"];

/// One signed-in session of a demo login, acting in one role.
pub struct Session {
    pub who: String,
    pub role: Role,
    pub agent: Agent,
}

impl Session {
    /// The session cookie, for the browser to act in this session too.
    pub fn cookie(&self) -> Option<&str> {
        self.agent.cookie(SESSION_COOKIE)
    }
}

/// Signs in every demo login; a login with several roles gives one session per role.
pub async fn sessions(base: &str) -> Result<Vec<Session>> {
    let mut tasks = Vec::new();
    for (login, roles) in LOGINS {
        for role in roles.iter().copied() {
            let base = base.to_string();
            let several = roles.len() > 1;
            tasks.push(tokio::spawn(async move {
                let mut agent = Agent::new(&base);
                sign_in(&mut agent, login).await?;
                if several {
                    let res = agent.post_form("/role", &[("role", role.as_str()), ("next", "/")]).await?;
                    if !res.status.is_redirection() {
                        bail!("{login} could not act as {}: {}", role.as_str(), res.brief());
                    }
                    let home = agent.get("/").await?;
                    agent.csrf = hidden_csrf(&home.body).context("no csrf token on the home page")?;
                }
                let who = if several { format!("{login} as {}", role.as_str()) } else { login.to_string() };
                Ok::<_, anyhow::Error>(Session { who, role, agent })
            }));
        }
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await??);
    }
    Ok(out)
}

async fn sign_in(agent: &mut Agent, login: &str) -> Result<()> {
    let page = agent.get("/login").await?;
    let csrf = hidden_csrf(&page.body).context("the sign-in page has no csrf token")?;
    if agent.cookie(LOGIN_CSRF_COOKIE).is_none() {
        bail!("GET /login set no sign-in cookie");
    }
    let res = agent.post_raw_form("/login", &[("tenant", TENANT), ("login", login), ("password", PASSWORD), ("csrf", &csrf)]).await?;
    if !res.status.is_redirection() {
        bail!("sign-in as {login}: {}", res.brief());
    }
    let landing = res.location().unwrap_or("/").to_string();
    let page = agent.get(&landing).await?;
    agent.csrf = hidden_csrf(&page.body).with_context(|| format!("GET {landing} after signing in as {login} shows no csrf token"))?;
    Ok(())
}

/// The route pattern a path belongs to among the routes of a method: the page walker's.
pub use crate::e2e::pages::route_pattern as pattern_of;

/// What one session's walk found.
#[derive(Default)]
pub struct Walk {
    /// The HTML pages visited, one per route pattern.
    pub pages: Vec<String>,
    /// Forms that post, with the page they were found on.
    pub forms: Vec<(String, Form)>,
    /// Links and GET forms that answer something other than a page (CSV, PDF).
    pub downloads: BTreeSet<String>,
    /// Every same-origin link of the pages visited, followed or not: other ways into a form's
    /// page (`/boss-consultations/new?interview=7`), the records a form may name by id, and,
    /// once the forms are sent, what is new on a page.
    pub links: BTreeSet<String>,
}

fn is_html(res: &Resp) -> bool {
    res.status == reqwest::StatusCode::OK && res.header("content-type").is_some_and(|c| c.starts_with("text/html"))
}

/// Walks the pages of one session.
pub async fn walk(s: &mut Session) -> Result<Walk> {
    let mut out = Walk::default();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([String::from("/")]);
    let base = s.agent.base.clone();
    while let Some(url) = queue.pop_front() {
        if NOT_PAGES.iter().any(|p| url.starts_with(p)) {
            continue;
        }
        let Some(pattern) = pattern_of("GET", &url) else { continue };
        let download = is_download(&url);
        if download {
            out.downloads.insert(url);
            continue;
        }
        if !seen.insert(pattern) {
            continue;
        }
        let res = s.agent.get(&url).await.with_context(|| format!("GET {url} as {}", s.who))?;
        if !is_html(&res) {
            if res.status.is_success() {
                out.downloads.insert(url);
            }
            continue;
        }
        let tokens = html::tokens(&res.body);
        for link in html::links(&tokens, &url, &base) {
            if is_download(&link) {
                out.downloads.insert(link);
                continue;
            }
            if pattern_of("GET", &link).is_some_and(|p| !seen.contains(p)) {
                queue.push_back(link.clone());
            }
            out.links.insert(link);
        }
        for form in html::forms(&tokens, &url, &base) {
            if form.method == "post" {
                out.forms.push((url.clone(), form));
            } else {
                // A GET form that downloads (the audit log's export): one URL per choice of its
                // encoding.
                for link in get_form_urls(&form) {
                    if is_download(&link) {
                        out.downloads.insert(link);
                    }
                }
            }
        }
        out.pages.push(url);
    }
    Ok(out)
}

/// Whether a path is a file to download rather than a page.
pub fn is_download(path: &str) -> bool {
    let p = path.split('?').next().unwrap_or(path);
    p.ends_with(".csv") || p.ends_with(".pdf") || p.ends_with(".ics")
}

/// The URLs a GET form leads to: its fields as they are, once per option of a select named
/// `encoding`.
fn get_form_urls(form: &Form) -> Vec<String> {
    let encodings: Vec<String> = form
        .fields
        .iter()
        .find(|f| f.name == "encoding" && f.kind == FieldKind::Select)
        .map(|f| f.options.iter().map(|(v, _)| v.clone()).collect())
        .unwrap_or_else(|| vec![String::new()]);
    encodings
        .into_iter()
        .map(|enc| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for f in &form.fields {
                match &f.kind {
                    FieldKind::Select if f.name == "encoding" => {
                        q.append_pair(&f.name, &enc);
                    }
                    FieldKind::Select => {
                        if let Some((v, _)) = f.options.iter().find(|(_, s)| *s) {
                            q.append_pair(&f.name, v);
                        }
                    }
                    FieldKind::Input(t) if matches!(t.as_str(), "checkbox" | "radio") && f.checked => {
                        q.append_pair(&f.name, &f.value);
                    }
                    FieldKind::Input(t) if matches!(t.as_str(), "checkbox" | "radio") => {}
                    _ if !f.value.is_empty() => {
                        q.append_pair(&f.name, &f.value);
                    }
                    _ => {}
                }
            }
            let q = q.finish();
            if q.is_empty() {
                form.action.clone()
            } else {
                format!("{}?{q}", form.action.split('?').next().unwrap_or_default())
            }
        })
        .collect()
}

/// Whether a field takes a code rather than text (a second factor's one-time code).
fn is_code(f: &Field) -> bool {
    f.input_type() != "textarea" && (f.name == "code" || f.name.ends_with("_code"))
}

/// A form worth filling: it posts, has free text, no password and no file, and is not one of
/// [`NOT_SENT`].
pub fn fillable(form: &Form) -> bool {
    form.method == "post"
        && !form.enctype.contains("multipart")
        && !NOT_SENT.iter().any(|p| form.action.split('?').next() == Some(*p))
        && !form.fields.iter().any(|f| matches!(f.input_type(), "password" | "file"))
        && form.free_text().any(|f| !is_code(f))
}

/// The fields a payload goes into.
fn targets(form: &Form) -> Vec<usize> {
    form.fields.iter().enumerate().filter(|(_, f)| f.free_text() && !is_code(f)).map(|(i, _)| i).collect()
}

/// Where a form posts, as a route (`POST /reports/{id}`), and the names of its free-text fields.
pub fn form_key(form: &Form) -> (String, String) {
    let pattern = pattern_of("POST", &form.action).unwrap_or(form.action.as_str()).to_string();
    let mut names: Vec<&str> = targets(form).into_iter().map(|i| form.fields[i].name.as_str()).collect();
    names.sort_unstable();
    (format!("POST {pattern}"), names.join(","))
}

/// How a submission ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    /// Sent back with a problem (422, 400): a validation message.
    Refused,
    /// 403, 404, 409 and the like: the record's state or the role.
    Declined,
}

/// How many places a form the page's own values do not make valid is tried from.
const PLACES: usize = 6;
/// How many submissions of one form from one place.
const ATTEMPTS: usize = 10;

/// How sending one form from one page ended.
pub enum Sent {
    /// Saved (sent on, or answered in place).
    Accepted,
    /// Declined by the record's state or the role, or no longer on its page: why.
    Declined(String),
    /// Refused whatever the walk changed.
    Refused,
    /// A server error: the problem.
    Failed(String),
}

/// Fills the free-text fields of each distinct form (once per route and set of fields, the
/// first session that shows it), sends it, and notes what was stored. A form that its page's
/// own values do not make valid is sent again from the other places that show it
/// ([`places`]): the same page reached another way, another record's, another session's.
pub async fn fill_forms(sessions: &mut [Session], walks: &[Walk], stored: &mut Stored, tally: &mut Tally) -> Result<Vec<String>> {
    let mut done = BTreeSet::new();
    let mut problems = Vec::new();
    let mut day = 0;
    for (k, w) in walks.iter().enumerate() {
        for (page, form) in &w.forms {
            if !fillable(form) || !done.insert(form_key(form)) {
                continue;
            }
            tally.forms += 1;
            day += 1;
            let key = form_key(form).0;
            let mut settled = false;
            let mut tried = Vec::new();
            // The other places are looked for only when the first does not take it.
            let mut others: Vec<(usize, String)> = Vec::new();
            for n in 0..PLACES {
                let (at, from) = match n.checked_sub(1) {
                    None => (k, page.clone()),
                    Some(i) => match others.get(i) {
                        Some(place) => place.clone(),
                        None => break,
                    },
                };
                let s = &mut sessions[at];
                tried.push(format!("{from} as {}", s.who));
                match fill_one(s, &from, form, &walks[at].links, stored, tally, day, n == 0).await? {
                    Sent::Accepted => settled = true,
                    Sent::Failed(p) => {
                        problems.push(p);
                        settled = true;
                    }
                    // Declined where the walk found it: the record's state, not what was typed.
                    Sent::Declined(why) if n == 0 => {
                        tally.declined_forms.push(format!("{key} as {}: {why}", s.who));
                        settled = true;
                    }
                    Sent::Declined(_) | Sent::Refused => {}
                }
                if settled {
                    break;
                }
                if n == 0 {
                    others = places(walks, k, page, form);
                }
            }
            if !settled {
                tally.refused_forms.push(format!("{key} (tried from {})", tried.join(", ")));
            }
        }
    }
    Ok(problems)
}

/// Where else a form is sent from, in turn, after the page the walk found it on (by session
/// `k`): the same route reached another way by that session (a link whose query fills fields
/// in, such as `/boss-consultations/new?interview=7`, or another record's page), then the pages
/// of the other sessions that show the same form, each reached those ways too; [`PLACES`] in
/// all at most.
fn places(walks: &[Walk], k: usize, page: &str, form: &Form) -> Vec<(usize, String)> {
    let key = form_key(form);
    let mut out = vec![(k, page.to_string())];
    for j in std::iter::once(k).chain((0..walks.len()).filter(|j| *j != k)) {
        let Some(first) = walks[j].forms.iter().find(|(_, f)| form_key(f) == key).map(|(p, _)| p.as_str()) else { continue };
        let first = if j == k { page } else { first };
        let pattern = pattern_of("GET", first);
        let path = first.split('?').next().unwrap_or(first);
        // The same path with a query first, then other records' pages.
        let mut others: Vec<&String> =
            walks[j].links.iter().filter(|l| l.as_str() != first && pattern_of("GET", l) == pattern && !is_download(l)).collect();
        others.sort_by_key(|l| !l.starts_with(&format!("{path}?")));
        for l in std::iter::once(first).chain(others.into_iter().take(2).map(String::as_str)) {
            if !out.iter().any(|(a, p)| *a == j && p == l) {
                out.push((j, l.to_string()));
            }
        }
    }
    out.truncate(PLACES);
    out.remove(0);
    out
}

/// What a field gets in a submission.
#[derive(Clone)]
enum Fill {
    /// Payload number `i` of [`Stored`].
    Payload(usize),
    /// The page's own value (or a valid stand-in where it is empty and required).
    Own,
    /// For a date the answer named as wrong: a later day (the time was taken)…
    Later,
    /// …or a day in the past (an approval, a meeting held).
    Past,
}

/// Sends `walked` from `page` (found again there) with payloads until it is taken or nothing is
/// left to change. `links` are the session's, for an id a field may take. Only the first place a
/// form is sent from counts its fields and its first answer.
#[allow(clippy::too_many_arguments)]
pub async fn fill_one(
    s: &mut Session,
    page: &str,
    walked: &Form,
    links: &BTreeSet<String>,
    stored: &mut Stored,
    tally: &mut Tally,
    day: i64,
    first_place: bool,
) -> Result<Sent> {
    let key = form_key(walked).0;
    // The page as it is now: earlier submissions may have changed what it holds (a text's
    // version, a record's state).
    let fresh = s.agent.get(page).await?;
    let tokens = html::tokens(&fresh.body);
    let forms = html::forms(&tokens, page, &s.agent.base);
    // The form the walk found, else the same record's with other fields now (a draft report
    // whose flag an API call raised), else, elsewhere (another record's page, a copy with more
    // rows), one that posts to the same route.
    let Some(form) = forms
        .iter()
        .find(|f| f.action == walked.action && form_key(f) == form_key(walked))
        .or_else(|| forms.iter().find(|f| form_key(f) == form_key(walked)))
        .or_else(|| forms.iter().find(|f| f.method == "post" && f.action == walked.action && fillable(f)))
        .or_else(|| (!first_place).then(|| forms.iter().find(|f| f.method == "post" && form_key(f).0 == key && fillable(f))).flatten())
        .cloned()
    else {
        if first_place {
            tally.declined += 1;
        }
        if verbose() {
            eprintln!("  {key} as {} from {page}: not on the page", s.who);
        }
        return Ok(Sent::Declined(format!("no longer on {page}")));
    };
    let form = &form;
    let targets = targets(form);
    let mut fills: BTreeMap<usize, Fill> = BTreeMap::new();
    for &i in &targets {
        let f = &form.fields[i];
        let v = stored.next(&format!("{key} {}", f.name), f.max_len.unwrap_or(super::LONG_MAX), f.input_type());
        fills.insert(i, Fill::Payload(v));
        if first_place {
            tally.fields += 1;
        }
    }
    // Each refusal takes the payloads out of the fields it names (a tamer payload first, then
    // the page's own value); a refusal naming none tries the fields one at a time. When neither
    // the payloads nor the dates are at fault, a value the page did not choose ([`another`]).
    let mut tamed: BTreeSet<usize> = BTreeSet::new();
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    let mut tried: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for attempt in 0..ATTEMPTS {
        let body = pairs(s, form, &fills, &chosen, stored, day);
        let rb = s.agent.request(Method::POST, &form.action).form(&body);
        let res = s.agent.send(rb).await.with_context(|| format!("{key} as {}", s.who))?;
        tally.submissions += 1;
        let outcome = match res.status.as_u16() {
            200..=399 => Outcome::Accepted,
            400 | 413 | 422 => Outcome::Refused,
            // A conflict that names a field, or where a date can move (a time taken by another
            // interview), is sent again.
            409 if !invalid_fields(&res.body).is_empty() || form.fields.iter().any(|f| f.input_type() == "date") => Outcome::Refused,
            500..=599 => {
                return Ok(Sent::Failed(format!("{key} as {} answered {} (from {page}): {}", s.who, res.status, res.brief())));
            }
            _ => Outcome::Declined,
        };
        if verbose() {
            let mut filled: Vec<String> = fills
                .iter()
                .map(|(i, f)| match f {
                    Fill::Payload(v) => format!("{}={}", form.fields[*i].name, super::PAYLOADS[stored.values[*v].kind].0),
                    Fill::Own => format!("{}=own", form.fields[*i].name),
                    Fill::Past => format!("{}=past", form.fields[*i].name),
                    Fill::Later => format!("{}=later", form.fields[*i].name),
                })
                .collect();
            filled.extend(chosen.iter().map(|(n, v)| format!("{n}:={v}")));
            let why = if res.status.is_redirection() {
                String::new()
            } else {
                format!(" {:?} {}", invalid_fields(&res.body), main_text(&res.body))
            };
            if let (Some(dir), false) = (std::env::var_os("CAREERDOCK_XSS_DUMP"), res.status.is_redirection()) {
                let name: String = format!("answer-{}-{key}", tally.submissions)
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let _ = std::fs::write(std::path::Path::new(&dir).join(format!("{name}.html")), &res.body);
            }
            eprintln!("  {key} as {} from {page}: {} {:?} [{}]{why}", s.who, res.status, res.location(), filled.join(", "));
        }
        if res.status.is_redirection() && res.location().is_some_and(|l| l.starts_with("/login")) {
            bail!("{key} as {} signed the session out: {}", s.who, res.brief());
        }
        if first_place && attempt == 0 {
            match outcome {
                Outcome::Accepted => tally.accepted_first += 1,
                Outcome::Refused => tally.refused_first += 1,
                Outcome::Declined => tally.declined += 1,
            }
        }
        match outcome {
            Outcome::Accepted => {
                tally.accepted += 1;
                let mut touched = vec![page.to_string()];
                if res.status.is_redirection() {
                    // Saved, and the browser is sent on: every value now lives somewhere.
                    for fill in fills.values() {
                        if let Fill::Payload(v) = fill {
                            stored.accept(*v);
                            tally.fields_stored += 1;
                        }
                    }
                    if let Some(l) = res.location().and_then(|l| html::resolve(l, &form.action, &s.agent.base)) {
                        touched.push(l);
                    }
                } else {
                    // Answered in place (a preview, a form shown again, a secret shown once):
                    // what it holds must be escaped; whether it was kept is not known here.
                    tally.answered += 1;
                    problems_in(&res.body, &format!("the answer to {key} as {}", s.who), &mut tally.answer_problems);
                }
                tally.touched.push((s.who.clone(), touched));
                return Ok(Sent::Accepted);
            }
            Outcome::Declined => return Ok(Sent::Declined(res.status.to_string())),
            Outcome::Refused => {}
        }
        // Which fields the answer marks as wrong.
        let named = invalid_fields(&res.body);
        let mut changed = false;
        let payload_fields: Vec<usize> = fills.iter().filter(|(_, f)| matches!(f, Fill::Payload(_))).map(|(i, _)| *i).collect();
        let at_fault: Vec<usize> = payload_fields.iter().copied().filter(|i| named.contains(&form.fields[*i].name)).collect();
        // A date named as wrong (or its times) goes later, then to the past.
        let times_named = form.fields.iter().any(|f| f.input_type() == "time" && named.contains(&f.name))
            || (res.status == reqwest::StatusCode::CONFLICT && named.is_empty());
        for (i, f) in form.fields.iter().enumerate() {
            if f.input_type() == "date" && (named.contains(&f.name) || times_named) {
                let next = match fills.get(&i) {
                    None | Some(Fill::Own) => Some(Fill::Later),
                    Some(Fill::Later) => Some(Fill::Past),
                    _ => None,
                };
                if let Some(next) = next {
                    fills.insert(i, next);
                    changed = true;
                }
            }
        }
        if !at_fault.is_empty() {
            for i in at_fault {
                let f = &form.fields[i];
                if tamed.insert(i) {
                    let v = stored.tame(&format!("{key} {}", f.name), f.max_len.unwrap_or(super::LONG_MAX), f.input_type());
                    fills.insert(i, Fill::Payload(v));
                } else {
                    fills.insert(i, Fill::Own);
                }
                changed = true;
            }
        } else if changed {
            // Only a date was wrong: send the payloads again.
        } else if !named.is_empty() {
            // A field the payloads left alone is wrong: a row the payloads started is incomplete
            // (an item of a questionnaire without its scale), so its payloads go; otherwise the
            // page's own values do not make this form valid (an employee number to type).
            let rows: BTreeSet<&str> = named.iter().filter_map(|n| n.rsplit_once('.').map(|(row, _)| row)).collect();
            for i in payload_fields {
                if form.fields[i].name.rsplit_once('.').is_some_and(|(row, _)| rows.contains(row)) {
                    fills.insert(i, Fill::Own);
                    changed = true;
                }
            }
        } else if payload_fields.len() > 1 {
            // No field named: keep the payload in the first field only.
            for i in payload_fields.into_iter().skip(1) {
                fills.insert(i, Fill::Own);
            }
            changed = true;
        } else if let Some(&i) = payload_fields.first() {
            if tamed.insert(i) {
                let f = &form.fields[i];
                let v = stored.tame(&format!("{key} {}", f.name), f.max_len.unwrap_or(super::LONG_MAX), f.input_type());
                fills.insert(i, Fill::Payload(v));
                changed = true;
            }
        }
        if !changed && !another(form, &named, &fills, &mut chosen, &mut tried, links) {
            break;
        }
    }
    Ok(Sent::Refused)
}

/// A value the page did not choose, for a form its own values do not make valid, one change per
/// submission and each value once: first another option of a choice (a select, a radio group)
/// the answer names or the page leaves empty ("none"); then, for an empty field that names a
/// record by id (`escalation_id`), the id of a record of that kind the session's walk linked to
/// (`/escalations/1`); then another option of any other choice. False when none is left.
fn another(
    form: &Form,
    named: &BTreeSet<String>,
    fills: &BTreeMap<usize, Fill>,
    chosen: &mut BTreeMap<String, String>,
    tried: &mut BTreeMap<String, BTreeSet<String>>,
    links: &BTreeSet<String>,
) -> bool {
    // The choices in the form's order: name, options, the value sent now.
    let mut choices: Vec<(String, Vec<String>, String)> = Vec::new();
    for f in form.fields.iter().filter(|f| !f.disabled) {
        let (options, own) = match (&f.kind, f.input_type()) {
            (FieldKind::Select, _) => {
                let options: Vec<String> = f.options.iter().map(|(v, _)| v.clone()).collect();
                let own = f.options.iter().find(|(_, s)| *s).or(f.options.first()).map(|(v, _)| v.clone()).unwrap_or_default();
                (options, own)
            }
            (_, "radio") => (vec![f.value.clone()], f.value.clone()),
            _ => continue,
        };
        match choices.iter_mut().find(|(n, _, _)| *n == f.name) {
            Some((_, o, now)) => {
                o.extend(options);
                // A radio group sends its checked one, else its first.
                if f.checked && !chosen.contains_key(&f.name) {
                    *now = own;
                }
            }
            None => {
                let now = chosen.get(&f.name).cloned().unwrap_or(own);
                choices.push((f.name.clone(), options, now));
            }
        }
    }
    for (name, _, now) in &choices {
        tried.entry(name.clone()).or_default().insert(now.clone());
    }
    let mut pick = |name: &str, values: &[String]| {
        let t = tried.entry(name.to_string()).or_default();
        let Some(v) = values.iter().find(|v| !v.is_empty() && !t.contains(*v)).cloned() else { return false };
        t.insert(v.clone());
        chosen.insert(name.to_string(), v);
        true
    };
    for (name, options, now) in &choices {
        if (named.contains(name) || now.is_empty()) && pick(name, options) {
            return true;
        }
    }
    for (i, f) in form.fields.iter().enumerate() {
        let Some(stem) = f.name.strip_suffix("_id") else { continue };
        let typed = matches!(&f.kind, FieldKind::Input(t) if matches!(t.as_str(), "text" | "number" | "search"));
        if !typed || f.disabled || !f.value.is_empty() || matches!(fills.get(&i), Some(Fill::Payload(_))) {
            continue;
        }
        let prefix = format!("/{}s/", stem.replace('_', "-"));
        let ids: Vec<String> = links
            .iter()
            .filter_map(|l| l.strip_prefix(prefix.as_str()))
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
            .collect();
        if pick(&f.name, &ids) {
            return true;
        }
    }
    choices.iter().any(|(name, options, _)| pick(name, options))
}

/// Whether to tell every submission (`CAREERDOCK_XSS_VERBOSE=1`).
pub fn verbose() -> bool {
    std::env::var_os("CAREERDOCK_XSS_VERBOSE").is_some()
}

/// Notes markup a payload left unescaped in `body`.
pub fn problems_in(body: &str, what: &str, problems: &mut Vec<String>) {
    for u in super::UNESCAPED {
        if let Some(at) = body.find(u) {
            let at = at.saturating_sub(80);
            let at = (0..=at).rev().find(|i| body.is_char_boundary(*i)).unwrap_or(0);
            let around: String = body[at..].chars().take(200).collect();
            problems.push(format!("{what}: unescaped {u:?} in the HTML: …{around}…"));
        }
    }
}

/// The text of a page's `<main>`, squeezed, for telling why a form was refused.
fn main_text(body: &str) -> String {
    let tokens = html::tokens(body);
    let mut inside = false;
    let mut out = String::new();
    for t in &tokens {
        match t {
            Token::Start(tag) if tag.name == "main" => inside = true,
            Token::End(name) if name == "main" => inside = false,
            Token::Text(s) if inside => {
                out.push_str(s.trim());
                out.push(' ');
            }
            _ => {}
        }
    }
    out.chars().take(300).collect()
}

/// The `name`s of the fields a page sent back marks `aria-invalid`.
fn invalid_fields(body: &str) -> BTreeSet<String> {
    html::tokens(body)
        .into_iter()
        .filter_map(|t| match t {
            Token::Start(tag) if tag.attr("aria-invalid") == Some("true") => tag.attr("name").map(str::to_string),
            _ => None,
        })
        .collect()
}

/// The form's fields as a browser would send them, with the payloads in and the values
/// [`another`] chose.
fn pairs(
    s: &Session,
    form: &Form,
    fills: &BTreeMap<usize, Fill>,
    chosen: &BTreeMap<String, String>,
    stored: &Stored,
    day: i64,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut radios: BTreeSet<String> = BTreeSet::new();
    let checked_radio: BTreeSet<&str> =
        form.fields.iter().filter(|f| f.input_type() == "radio" && f.checked).map(|f| f.name.as_str()).collect();
    for (i, f) in form.fields.iter().enumerate() {
        if f.disabled {
            continue;
        }
        let value = match fills.get(&i) {
            Some(Fill::Payload(v)) => Some(stored.sent(*v).to_string()),
            Some(Fill::Past) => Some((store::today_jst() - chrono::Duration::days(1)).format("%Y-%m-%d").to_string()),
            Some(Fill::Later) => Some((store::today_jst() + chrono::Duration::days(200 + 3 * day)).format("%Y-%m-%d").to_string()),
            Some(Fill::Own) | None => match chosen.get(&f.name) {
                Some(v) if f.input_type() == "radio" => (f.value == *v).then(|| v.clone()),
                Some(v) => Some(v.clone()),
                None => own_value(f, i, day, &mut radios, &checked_radio),
            },
        };
        if let Some(v) = value {
            let v = if f.name == "csrf" { s.agent.csrf.clone() } else { v };
            out.push((f.name.clone(), v));
        }
    }
    if let Some((n, v)) = &form.button {
        out.push((n.clone(), v.clone()));
    }
    out
}

/// A valid value for a field the payloads leave alone: the page's own, or a stand-in.
fn own_value(f: &Field, i: usize, day: i64, radios: &mut BTreeSet<String>, checked_radio: &BTreeSet<&str>) -> Option<String> {
    let date = store::today_jst() + chrono::Duration::days(20 + day);
    match &f.kind {
        // The selected option, else the first, as a browser sends it (a "none" first is chosen
        // again by [`another`] when the answer wants a choice).
        FieldKind::Select => f.options.iter().find(|(_, s)| *s).or(f.options.first()).map(|(v, _)| v.clone()),
        FieldKind::Textarea => {
            Some(if f.value.trim().is_empty() && f.required { "検証のための記入。".into() } else { f.value.clone() })
        }
        FieldKind::Input(t) => match t.as_str() {
            "checkbox" => f.checked.then(|| f.value.clone()).map(|v| if v.is_empty() { "on".into() } else { v }),
            "radio" => {
                let take = if checked_radio.contains(f.name.as_str()) { f.checked } else { !radios.contains(&f.name) };
                if take {
                    radios.insert(f.name.clone());
                    Some(f.value.clone())
                } else {
                    None
                }
            }
            _ if !f.value.is_empty() => Some(f.value.clone()),
            // An optional field left empty stays empty (an expiry, a second date).
            _ if !f.required => Some(String::new()),
            "date" => Some(date.format("%Y-%m-%d").to_string()),
            "month" => Some(date.format("%Y-%m").to_string()),
            "time" => Some(if f.name.contains("end") { "11:00".into() } else { "10:00".into() }),
            "datetime-local" => Some(format!("{}T10:00", date.format("%Y-%m-%d"))),
            "number" | "range" => Some(f.min.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| "1".into())),
            "email" => Some("kensho@example.jp".into()),
            "url" => Some("https://example.jp/".into()),
            "tel" => Some("03-1234-5678".into()),
            // Lower-case letters: a name, and a code too.
            "text" | "search" => Some(format!("kensho{day}x{i}")),
            _ => Some(String::new()),
        },
    }
}

#[test]
fn another_value_is_a_choice_then_an_id_then_any_choice() {
    let page = r#"<form method="post" action="/referrals"><select name="disclosure_id"><option value="">none</option></select>
<input type="text" inputmode="numeric" name="escalation_id" value="">
<select name="recipient"><option value="role:health" selected>h</option><option value="user:7">u</option></select>
<input type="radio" name="purpose" value="a" checked><input type="radio" name="purpose" value="b"><textarea name="summary"></textarea></form>"#;
    let forms = html::forms(&html::tokens(page), "/referrals/new", "http://127.0.0.1:1");
    let form = &forms[0];
    let links: BTreeSet<String> =
        ["/escalations/3", "/escalations/3/ack", "/escalations?page=2", "/reports/9"].iter().map(|l| l.to_string()).collect();
    let named = BTreeSet::from(["disclosure_id".to_string()]);
    let fills = BTreeMap::from([(5, Fill::Payload(0))]);
    let (mut chosen, mut tried) = (BTreeMap::new(), BTreeMap::new());
    let mut next = |chosen: &mut BTreeMap<String, String>| another(form, &named, &fills, chosen, &mut tried, &links);
    // The choice named has no other option: the id of an escalation the walk linked to.
    assert!(next(&mut chosen));
    assert_eq!(chosen.get("escalation_id").map(String::as_str), Some("3"));
    // Then the other choices, one option at a time, each once.
    assert!(next(&mut chosen));
    assert_eq!(chosen.get("recipient").map(String::as_str), Some("user:7"));
    assert!(next(&mut chosen));
    assert_eq!(chosen.get("purpose").map(String::as_str), Some("b"));
    assert!(!next(&mut chosen));
}
