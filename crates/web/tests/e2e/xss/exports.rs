//! The files that show stored text: every download the walk found (CSV in UTF-8 and CP932, PDF),
//! fetched as the first session that links to it, those of the reports the walk released
//! ([`release`]: the overall report the forms wrote, and a management report composed on it), and
//! the consultant's iCalendar feed.
//!
//! * CSV: every cell (headers included) that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//!   return (or their full-width forms) must come with the apostrophe of
//!   `export::csv::formula_safe`, which a spreadsheet shows as text.
//! * PDF: the text (poppler's `pdftotext`) shows the stored values as they are (a typst payload
//!   printed, not run), and the file holds no JavaScript or launch action.
//! * iCalendar: after unfolding (RFC 5545 §3.1), every line is one of the properties the feed
//!   writes, components nest as `VCALENDAR` › `VEVENT` with each property once per event, no
//!   `;` or `,` of a TEXT value is left unescaped, and each stored place comes back whole from
//!   its `LOCATION` once unescaped: a line break, `;`, `,` or `\` in a stored field never starts
//!   a property or a component.

use super::walk::{self, Session, Walk};
use super::{html, markers, Seen, Stored, Tally};
use crate::support::{hidden_csrf, pdf_text, Agent};
use anyhow::{bail, Context, Result};
use domain::Role;
use std::collections::{BTreeMap, BTreeSet};

/// What makes a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Checks the downloads the walk found and those of what it released ([`release`]).
pub async fn check(
    sessions: &mut [Session],
    walks: &[Walk],
    released: &[(String, String)],
    stored: &Stored,
    seen: &mut Seen,
    tally: &mut Tally,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut done = BTreeSet::new();
    for (k, w) in walks.iter().enumerate() {
        let s = &mut sessions[k];
        // Each CSV in both encodings, whichever the page links to.
        let mut urls: Vec<String> = Vec::new();
        let mine = released.iter().filter(|(who, _)| *who == s.who).map(|(_, u)| u.clone());
        for url in w.downloads.iter().cloned().chain(mine) {
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            if path.ends_with(".csv") {
                let kept: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("encoding=")).collect();
                for enc in ["utf8bom", "sjis"] {
                    let mut q = kept.clone();
                    let e = format!("encoding={enc}");
                    q.push(&e);
                    urls.push(format!("{path}?{}", q.join("&")));
                }
            } else {
                urls.push(url.clone());
            }
        }
        for url in &urls {
            if url.ends_with(".ics") || !done.insert(url.clone()) {
                continue;
            }
            let (status, headers, bytes) = s.agent.get_bytes(url).await.with_context(|| format!("GET {url}"))?;
            if !status.is_success() {
                problems.push(format!("the download {url} as {} answered {status}", s.who));
                continue;
            }
            let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
            if let Some(dir) = std::env::var_os("CAREERDOCK_XSS_DUMP") {
                let name: String =
                    format!("export-{}{url}", s.who).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                let _ = std::fs::write(std::path::Path::new(&dir).join(name), &bytes);
            }
            let shown = if ct.starts_with("text/csv") {
                let cp932 = ct.contains("shift_jis");
                *tally.exports.entry(if cp932 { "csv (CP932)" } else { "csv (UTF-8)" }).or_default() += 1;
                let (p, shown) = check_csv(url, &bytes, cp932, stored, seen);
                problems.extend(p);
                shown
            } else if ct.starts_with("application/pdf") {
                *tally.exports.entry("pdf").or_default() += 1;
                let (p, shown) = check_pdf(url, &bytes, stored, seen)?;
                problems.extend(p);
                shown
            } else {
                problems.push(format!("the download {url} is {ct:?}, neither CSV nor PDF"));
                0
            };
            tally.export_values += shown;
            if super::walk::verbose() {
                eprintln!("  export {url} as {}: {ct}, {} bytes, {shown} stored values", s.who, bytes.len());
            }
        }
    }
    if !tally.exports.keys().any(|k| k.starts_with("csv (CP932)")) || !tally.exports.contains_key("csv (UTF-8)") {
        problems.push(format!("the walk found no CSV download in both encodings: {:?}", tally.exports));
    }
    problems.extend(check_feed(sessions, stored, seen, tally).await?);
    Ok(problems)
}

/// The downloads of what the walk released, each with the session that fetches it, and the
/// problems met.
pub type Released = (Vec<(String, String)>, Vec<String>);

/// Releases the overall report the forms wrote ([`release_overall`]) and composes a management
/// report on it ([`compose_management`]): the downloads carry released reports only.
pub async fn release(sessions: &mut [Session], walks: &[Walk], stored: &mut Stored, tally: &mut Tally) -> Result<Released> {
    let (mut downloads, overall) = release_overall(sessions, tally).await?;
    let (more, problems) = compose_management(sessions, walks, overall, stored, tally).await?;
    downloads.extend(more);
    Ok((downloads, problems))
}

/// Releases the overall report whose narrative a submission wrote (approved and released with
/// the report page's own forms, as the supervisor). Returns its downloads, with the session that
/// may fetch them, and its id once released.
async fn release_overall(sessions: &mut [Session], tally: &Tally) -> Result<(Vec<(String, String)>, Option<i64>)> {
    let Some(report) = tally
        .touched
        .iter()
        .flat_map(|(_, t)| t.iter())
        .filter_map(|u| u.strip_prefix("/overall-reports/"))
        .filter_map(|r| r.split(['/', '?']).next().and_then(|n| n.parse::<i64>().ok()))
        .next()
    else {
        return Ok((Vec::new(), None));
    };
    let Some(s) = sessions.iter_mut().find(|s| s.role == domain::Role::Supervisor) else { bail!("no supervisor") };
    let page = format!("/overall-reports/{report}");
    for step in ["approve", "release"] {
        let res = s.agent.get(&page).await?;
        let tokens = super::html::tokens(&res.body);
        let forms = super::html::forms(&tokens, &page, &s.agent.base);
        // Already approved (or not the supervisor's to approve): the next step, or nothing new.
        let Some(form) = forms.iter().find(|f| f.action.ends_with(&format!("/{step}"))) else {
            continue;
        };
        let mut body: Vec<(String, String)> = form.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect();
        body.retain(|(k, _)| k != "csrf");
        body.push(("csrf".into(), s.agent.csrf.clone()));
        let rb = s.agent.request(reqwest::Method::POST, &form.action).form(&body);
        let res = s.agent.send(rb).await?;
        if res.status.is_server_error() {
            bail!("{step} {page} as {}: {}", s.who, res.brief());
        }
        if !res.status.is_redirection() {
            // Refused as the report stands: the downloads the walk found are checked all the same.
            return Ok((Vec::new(), None));
        }
    }
    Ok((["report.csv", "report.pdf"].iter().map(|f| (s.who.clone(), format!("{page}/{f}"))).collect(), Some(report)))
}

/// Composes a management report as HR, as the route table lets HR: a draft on the overall report
/// released above, else on the one `/management-reports/new` offers (`POST /management-reports`),
/// its commentary filled with payloads as every form of the walk is ([`walk::fill_one`]), then
/// released (`POST /management-reports/{id}/release`). Its page is fetched again and opened as HR
/// and as the executive; returns its PDF and CSV, as HR, and the problems met.
async fn compose_management(
    sessions: &mut [Session],
    walks: &[Walk],
    overall: Option<i64>,
    stored: &mut Stored,
    tally: &mut Tally,
) -> Result<Released> {
    let mut problems = Vec::new();
    let hr = sessions.iter().position(|s| s.role == Role::Hr && !s.who.contains(" as ")).context("no session of hr")?;
    let s = &mut sessions[hr];
    let new = "/management-reports/new";
    let res = s.agent.get(new).await?;
    let forms = html::forms(&html::tokens(&res.body), new, &s.agent.base);
    let Some(form) = forms.iter().find(|f| f.method == "post" && f.action == "/management-reports") else {
        problems.push(format!("{new} as {} offers no released overall report to compose on: {}", s.who, res.brief()));
        return Ok((Vec::new(), problems));
    };
    // The overall report released above when the page offers it, else the page's own choice.
    let wanted = overall.map(|id| id.to_string()).filter(|id| form.fields.iter().any(|f| f.name == "overall" && f.value == *id));
    let mut body: Vec<(String, String)> = vec![("csrf".into(), s.agent.csrf.clone())];
    for f in form.fields.iter().filter(|f| f.name != "csrf") {
        let take = match (f.input_type(), &wanted) {
            ("radio", Some(id)) => f.value == *id,
            ("radio", None) => f.checked,
            _ => true,
        };
        if take {
            body.push((f.name.clone(), f.value.clone()));
        }
    }
    let rb = s.agent.request(reqwest::Method::POST, &form.action).form(&body);
    let res = s.agent.send(rb).await?;
    tally.submissions += 1;
    let edit = res.location().filter(|_| res.status.is_redirection()).and_then(|l| html::resolve(l, new, &s.agent.base));
    let Some((id, edit)) = edit.and_then(|e| {
        let id = e.strip_prefix("/management-reports/")?.split(['/', '?']).next()?.parse::<i64>().ok()?;
        Some((id, e))
    }) else {
        problems.push(format!("POST /management-reports as {} (overall report {wanted:?}): {}", s.who, res.brief()));
        return Ok((Vec::new(), problems));
    };
    tally.accepted += 1;
    let page = format!("/management-reports/{id}");
    if walk::verbose() {
        eprintln!("  POST /management-reports as {} (overall report {wanted:?}): {}", s.who, res.brief());
    }
    // The commentary, as any form: found on its page, filled with payloads, sent.
    let res = s.agent.get(&edit).await?;
    let forms = html::forms(&html::tokens(&res.body), &edit, &s.agent.base);
    let Some(form) = forms.into_iter().find(walk::fillable) else {
        problems.push(format!("{edit} as {} shows no form to fill: {}", s.who, res.brief()));
        return Ok((Vec::new(), problems));
    };
    tally.forms += 1;
    let key = walk::form_key(&form).0;
    match walk::fill_one(s, &edit, &form, &walks[hr].links, stored, tally, tally.forms as i64, true).await? {
        walk::Sent::Accepted => {}
        walk::Sent::Failed(p) => problems.push(p),
        walk::Sent::Declined(why) => tally.declined_forms.push(format!("{key} as {}: {why}", s.who)),
        walk::Sent::Refused => tally.refused_forms.push(format!("{key} (tried from {edit} as {})", s.who)),
    }
    // Released with the page's own form.
    let res = s.agent.get(&edit).await?;
    let forms = html::forms(&html::tokens(&res.body), &edit, &s.agent.base);
    let mut released = false;
    let mut shown = vec![page.clone()];
    match forms.iter().find(|f| f.method == "post" && f.action.ends_with("/release")) {
        None => problems.push(format!("{edit} as {} shows no release form", s.who)),
        Some(form) => {
            let mut body: Vec<(String, String)> =
                form.fields.iter().filter(|f| f.name != "csrf").map(|f| (f.name.clone(), f.value.clone())).collect();
            body.push(("csrf".into(), s.agent.csrf.clone()));
            let rb = s.agent.request(reqwest::Method::POST, &form.action).form(&body);
            let res = s.agent.send(rb).await?;
            tally.submissions += 1;
            if walk::verbose() {
                eprintln!("  POST {} as {}: {}", form.action, s.who, res.brief());
            }
            match res.location().filter(|_| res.status.is_redirection()) {
                Some(l) => {
                    tally.accepted += 1;
                    released = true;
                    shown.extend(html::resolve(l, &form.action, &s.agent.base));
                }
                None => problems.push(format!("releasing {page} as {}: {}", s.who, res.brief())),
            }
        }
    }
    let who = s.who.clone();
    tally.touched.push((who.clone(), shown));
    tally.management = Some((page.clone(), released));
    if !released {
        return Ok((Vec::new(), problems));
    }
    // An executive reads the released version too (and on their home page, walked).
    for e in sessions.iter().filter(|s| s.role == Role::Executive) {
        tally.touched.push((e.who.clone(), vec![page.clone()]));
    }
    Ok((["report.csv", "report.pdf"].iter().map(|f| (who.clone(), format!("{page}/{f}"))).collect(), problems))
}

/// Decodes a CSV download and checks every cell; returns the problems and how many stored values
/// it shows.
fn check_csv(url: &str, bytes: &[u8], cp932: bool, stored: &Stored, seen: &mut Seen) -> (Vec<String>, usize) {
    let text = if cp932 {
        let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
        if bad {
            return (vec![format!("{url}: not valid CP932")], 0);
        }
        t.into_owned()
    } else {
        match std::str::from_utf8(bytes) {
            Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).to_string(),
            Err(e) => return (vec![format!("{url}: not UTF-8: {e}")], 0),
        }
    };
    let mut shown = BTreeSet::new();
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    for (line, record) in reader.records().enumerate() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{url}: line {} does not parse: {e}", line + 1));
                continue;
            }
        };
        for (col, cell) in record.iter().enumerate() {
            if cell.starts_with(FORMULA_STARTS) {
                problems.push(format!(
                    "{url}: line {}, column {}: a cell a spreadsheet runs as a formula: {}",
                    line + 1,
                    col + 1,
                    super::clip(cell)
                ));
            }
            let found = markers(cell);
            if !found.is_empty() {
                seen.note(cell, stored);
                shown.extend(found);
            }
        }
    }
    (problems, shown.len())
}

/// The PDF's text shows the stored values; the file has no script or action. Returns the
/// problems and how many stored values it shows.
fn check_pdf(url: &str, bytes: &[u8], stored: &Stored, seen: &mut Seen) -> Result<(Vec<String>, usize)> {
    let mut problems = Vec::new();
    if !bytes.starts_with(b"%PDF") {
        problems.push(format!("{url}: not a PDF"));
        return Ok((problems, 0));
    }
    for name in ["/JavaScript", "/JS ", "/JS(", "/JS<", "/Launch", "/SubmitForm", "/ImportData"] {
        if bytes.windows(name.len()).any(|w| w == name.as_bytes()) {
            problems.push(format!("{url}: the PDF holds {name}"));
        }
    }
    let text = pdf_text(bytes)?;
    // pdftotext's text has no white space (lines wrap where the layout wants): compare so.
    let found = markers(&text);
    for &n in &found {
        let Some(i) = n.checked_sub(1).filter(|i| *i < stored.values.len()) else { continue };
        let squeezed: String = stored.shown(i).chars().filter(|c| !c.is_whitespace()).collect();
        seen.marker.insert(n);
        if text.contains(&squeezed) {
            seen.verbatim.insert(n);
        }
    }
    Ok((problems, found.len()))
}

/// The properties the feed writes, by component.
const CALENDAR_PROPS: [&str; 8] =
    ["VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL"];
const EVENT_PROPS: [&str; 12] = [
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "STATUS",
    "TRANSP",
    "SEQUENCE",
];
/// TEXT properties (RFC 5545 §3.3.11), whose `;` and `,` must be escaped.
const TEXT_PROPS: [&str; 4] = ["SUMMARY", "LOCATION", "DESCRIPTION", "X-WR-CALNAME"];

/// A content line after unfolding: its name, its parameters and its raw value.
#[derive(Debug, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    pub params: String,
    pub value: String,
}

/// Unfolds and splits a feed (RFC 5545 §3.1); a bare CR or LF is an error.
pub fn content_lines(feed: &str) -> Result<Vec<Line>> {
    let Some(body) = feed.strip_suffix("\r\n") else { bail!("the feed does not end with CRLF") };
    let mut logical: Vec<String> = Vec::new();
    for (i, physical) in body.split("\r\n").enumerate() {
        if physical.contains(['\r', '\n']) {
            bail!("physical line {} holds a bare CR or LF: {physical:?}", i + 1);
        }
        if physical.len() > 75 {
            bail!("physical line {} is {} octets long (at most 75)", i + 1, physical.len());
        }
        match (physical.strip_prefix([' ', '\t']), logical.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            (Some(_), None) => bail!("the feed starts with a continuation line"),
            (None, _) => logical.push(physical.to_string()),
        }
    }
    logical
        .into_iter()
        .map(|l| {
            let name_len = l.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').count();
            let (name, rest) = l.split_at(name_len);
            let (params, value) = match rest.as_bytes().first() {
                Some(b':') => ("", &rest[1..]),
                Some(b';') => rest[1..].split_once(':').with_context(|| format!("no value in {l:?}"))?,
                _ => bail!("not a content line: {l:?}"),
            };
            if name.is_empty() {
                bail!("a content line without a name: {l:?}");
            }
            Ok(Line { name: name.to_ascii_uppercase(), params: params.to_string(), value: value.to_string() })
        })
        .collect()
}

/// Unescapes a TEXT value; an unescaped `;` or `,`, or a backslash before anything else, is an
/// error.
pub fn unescape(value: &str) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some(';') => out.push(';'),
                Some(',') => out.push(','),
                Some('n' | 'N') => out.push('\n'),
                other => bail!("a backslash before {other:?} in {value:?}"),
            },
            ';' | ',' => bail!("an unescaped {c:?} in {value:?}"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Checks the structure of a feed; returns its events' properties (name → unescaped or raw value).
pub fn parse_feed(feed: &str) -> Result<Vec<BTreeMap<String, String>>> {
    let lines = content_lines(feed)?;
    let mut events = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut event: Option<BTreeMap<String, String>> = None;
    let mut calendars = 0;
    for l in &lines {
        match l.name.as_str() {
            "BEGIN" => {
                match (stack.last().map(String::as_str), l.value.as_str()) {
                    (None, "VCALENDAR") => calendars += 1,
                    (Some("VCALENDAR"), "VEVENT") => event = Some(BTreeMap::new()),
                    (parent, v) => bail!("BEGIN:{v} inside {parent:?}"),
                }
                stack.push(l.value.clone());
            }
            "END" => {
                if stack.pop().as_deref() != Some(l.value.as_str()) {
                    bail!("END:{} does not close what was begun", l.value);
                }
                if l.value == "VEVENT" {
                    events.push(event.take().context("an event ended twice")?);
                }
            }
            name => {
                let allowed: &[&str] = match stack.last().map(String::as_str) {
                    Some("VCALENDAR") => &CALENDAR_PROPS,
                    Some("VEVENT") => &EVENT_PROPS,
                    _ => &[],
                };
                if !allowed.contains(&name) {
                    bail!("a property {name} in {:?}: {l:?}", stack.last());
                }
                if !l.params.is_empty() && (name, l.params.as_str()) != ("REFRESH-INTERVAL", "VALUE=DURATION") {
                    bail!("parameters {:?} on {name}", l.params);
                }
                let value = if TEXT_PROPS.contains(&name) { unescape(&l.value)? } else { l.value.clone() };
                if let Some(e) = event.as_mut() {
                    if e.insert(name.to_string(), value).is_some() {
                        bail!("{name} twice in one event");
                    }
                }
            }
        }
    }
    if calendars != 1 || !stack.is_empty() {
        bail!("{calendars} calendar(s), {stack:?} left open");
    }
    for e in &events {
        for p in ["UID", "DTSTART", "DTEND", "SUMMARY", "DTSTAMP"] {
            if !e.contains_key(p) {
                bail!("an event without {p}: {e:?}");
            }
        }
    }
    Ok(events)
}

/// Turns on the consultants' feeds (names shown) and checks them.
async fn check_feed(sessions: &mut [Session], stored: &Stored, seen: &mut Seen, tally: &mut Tally) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut places = 0;
    for s in sessions.iter_mut().filter(|s| s.role == domain::Role::Consultant) {
        let res = s.agent.post_form("/interviews/feed", &[("show_names", "1")]).await?;
        if !res.status.is_success() {
            problems.push(format!("turning the feed on as {}: {}", s.who, res.brief()));
            continue;
        }
        s.agent.csrf = hidden_csrf(&res.body).unwrap_or_else(|| s.agent.csrf.clone());
        let Some(at) = res.body.find("/calendar/") else {
            problems.push(format!("the feed page shows no URL to {}", s.who));
            continue;
        };
        let rest = &res.body[at..];
        let path = &rest[..rest.find(".ics").map_or(0, |n| n + 4)];
        let mut anon = Agent::new(&s.agent.base);
        let (status, headers, bytes) = anon.get_bytes(path).await?;
        let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !status.is_success() || !ct.starts_with("text/calendar") {
            problems.push(format!("the feed of {} answered {status} {ct}", s.who));
            continue;
        }
        *tally.exports.entry("iCalendar").or_default() += 1;
        let feed = String::from_utf8_lossy(&bytes);
        let events = match parse_feed(&feed) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("the feed of {}: {e:#}", s.who));
                continue;
            }
        };
        for e in &events {
            for (name, value) in e {
                for n in markers(value) {
                    let Some(i) = n.checked_sub(1).filter(|i| *i < stored.values.len()) else { continue };
                    let expected = stored.shown(i);
                    if name == "LOCATION" {
                        places += 1;
                        if *value != expected {
                            problems.push(format!(
                                "the feed of {}: LOCATION reads back as {:?}, stored {:?}",
                                s.who,
                                super::clip(value),
                                super::clip(&expected)
                            ));
                        }
                    }
                }
                seen.note(value, stored);
            }
        }
    }
    if places == 0 {
        problems.push("no feed shows a stored place: the iCalendar check tested nothing".into());
    }
    Ok(problems)
}

#[test]
fn feeds_are_parsed_as_a_calendar_application_would() -> Result<()> {
    let good = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:x\r\nDTSTART:x\r\nDTEND:x\r\nSUMMARY:a\\;b\\,c\\\\d\\ne\r\nLOCATION:ro\r\n om\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let events = parse_feed(good)?;
    assert_eq!(events[0]["SUMMARY"], "a;b,c\\d\ne");
    assert_eq!(events[0]["LOCATION"], "room");
    // A line break that starts a new property, an unescaped separator, a component out of place.
    for bad in [
        good.replace("LOCATION:ro", "LOCATION:x\r\nATTACH:http://evil.example/\r\nX:ro"),
        good.replace("LOCATION:ro", "LOCATION:a;b"),
        good.replace("LOCATION:ro", "LOCATION:a\nb"),
        good.replace("LOCATION:ro", "LOCATION:x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:y"),
        good.replace("LOCATION:ro", "LOCATION:a\\qb"),
    ] {
        assert!(parse_feed(&bad).is_err(), "{bad:?}");
    }
    Ok(())
}
