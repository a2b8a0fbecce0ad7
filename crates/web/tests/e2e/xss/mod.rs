//! Stored cross-site scripting: a set of payloads (script tags, attribute breakouts, `javascript:`
//! URLs, a closing `</textarea>`, SVG `onload`, template syntax, a long one) saved in every
//! free-text field the product keeps — report sections and review comments, interview notes,
//! places and cancellation reasons, consultation requests, replies and refusals, cycle names,
//! taxonomy labels, display names, token names, the tenant's name, and employee names,
//! departments and grades imported through the upload form (whose file name is a payload too) —
//! then every page that shows them opened in headless Chromium.
//!
//! The browser runs with the Content-Security-Policy bypassed (`Page.setBypassCSP`), so that a
//! payload rendered as markup would run: the policy is a second wall, this test checks the first
//! (escaping). A page fails if a payload ran (`window.__xss`, the title), if the document holds
//! an element a payload would make (a script of its own, an `onerror`/`onload` attribute, an
//! iframe, a `javascript:` link), and every stored value must be found somewhere, verbatim, as
//! text or as a form field's value.

use super::{Timer, Ui};
use crate::records::world::{fiscal_year, Company, Person, World, SECTION_TEXT};
use crate::support::{open_login_page, PASSWORD};
use anyhow::{anyhow, bail, Context, Result};
use domain::cycle::{CycleStatus, TargetRule};
use domain::ids::{InterviewId, ReportId};
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus};
use domain::report::{ReportFlags, ReportSections};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use fantoccini::Locator;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use store::{Ctx, InterviewChange, NewCycle, NewInterview, ReviewInput, Taxonomy};
use testkit::Backend;

testkit::on_both_backends!(stored_payloads_are_shown_as_text_and_never_run);

/// Each would run, or change the page, if it reached the document as markup.
const PAYLOADS: [&str; 6] = [
    "<script>window.__xss=1</script>",
    "\"><img src=x onerror=\"window.__xss=1;document.title='XSS'\">",
    "javascript:window.__xss=1",
    "</textarea><script>window.__xss=1</script>",
    "<svg onload=window.__xss=1>",
    "{{7*7}}{% raw %}${7*7}#{7*7}",
];

/// Repeated to make the long one.
const LONG_UNIT: &str = "'\"><iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>";

/// How long the long payload gets where a field takes more.
const LONG_MAX: usize = 3_000;

/// Every value stored, with the field it went into.
#[derive(Default)]
struct Stored {
    values: Vec<(String, String)>,
}

impl Stored {
    /// A value for `field`: a tag that makes it unique, then `payload`, cut to `max` characters.
    fn value(&mut self, field: &str, payload: &str, max: usize) -> String {
        let v: String = format!("Z{}:{payload}", self.values.len() + 1).chars().take(max).collect();
        self.values.push((field.to_string(), v.clone()));
        v
    }

    /// Payload `i` of the set, where 6 is the long one (as long as the field takes, up to
    /// [`LONG_MAX`]).
    fn nth(&mut self, field: &str, i: usize, max: usize) -> String {
        match PAYLOADS.get(i) {
            Some(p) => self.value(field, p, max),
            None => self.value(field, &LONG_UNIT.repeat(max.min(LONG_MAX) / LONG_UNIT.len() + 1), max.min(LONG_MAX)),
        }
    }

    /// Every payload in one value, the long one last.
    fn all(&mut self, field: &str, max: usize) -> String {
        let joined = format!("{} {}", PAYLOADS.join(" "), LONG_UNIT.repeat(LONG_MAX / LONG_UNIT.len()));
        self.value(field, &joined, max.min(LONG_MAX))
    }
}

/// How many values a field that takes one payload per record gets: the six and the long one.
const EACH: usize = PAYLOADS.len() + 1;

/// What a page holds after it has loaded, read in one round trip.
const INSPECT: &str = r#"
const bad = [];
const sel = 'script:not([src]), script[src]:not([src="/static/app.js"]), img[src="x"], [onerror], [onload], iframe, [srcdoc], object, embed, '
  + 'a[href^="javascript:" i], [action^="javascript:" i], [formaction]';
for (const e of document.querySelectorAll(sel)) bad.push(e.outerHTML.slice(0, 200));
const values = [];
for (const e of document.querySelectorAll('input, textarea')) values.push(e.value);
for (const e of document.querySelectorAll('option')) values.push(e.textContent);
return {
  ran: window.__xss !== undefined || (window.parent && window.parent.__xss !== undefined),
  title: document.title,
  bad: bad,
  text: (document.body ? document.body.textContent : '') + '\n' + values.join('\n'),
};
"#;

/// Issues a Chrome DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}

/// What the pages are opened for.
struct Cast {
    interviews: Vec<InterviewId>,
    cancelled: InterviewId,
    noted: InterviewId,
    returned: ReportId,
    approved: ReportId,
    submitted: ReportId,
    cycle: domain::ids::CycleId,
    calendar_day: String,
}

const LOGINS: [&str; 7] = ["xss-consultant", "xss-supervisor", "xss-hr", "xss-admin", "xss-employee", "xss-two", "xss-consultant2"];

async fn stored_payloads_are_shown_as_text_and_never_run(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "stored xss (sqlite)",
        Backend::Postgres => "stored xss (postgres)",
    });
    let w = World::new(backend).await?;
    let ui = Ui::open(&w.app).await?;
    let outcome = walk(&w, &ui).await;
    ui.finish(outcome).await
}

async fn walk(w: &World, ui: &Ui) -> Result<()> {
    let mut stored = Stored::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut problems: Vec<String> = Vec::new();
    bypass_csp(ui).await?;

    // The register, through the upload form: names, departments, grades, the file's name.
    ui.sign_in("hr").await?;
    let dir = tempfile::tempdir()?;
    // A refused upload echoes the offending cell in its row errors.
    let cell = stored.nth("cell of a refused upload (echoed by its error)", 1, 200);
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, format!("社員番号,氏名,所属,\nX09,検証 太郎,検証,\"{}\"\n", cell.replace('"', "\"\"")))?;
    upload(ui, &broken).await?;
    inspect(ui, "a refused upload", &stored, &mut seen, &mut problems, true).await?;
    let filename = format!("{}.csv", stored.nth("import file name", 4, 200));
    let file = dir.path().join(&filename);
    std::fs::write(&file, register(&mut stored))?;
    upload(ui, &file).await?;
    inspect(ui, "the import preview", &stored, &mut seen, &mut problems, true).await?;
    ui.click_and_wait("form[action$='/confirm'] button[type=submit]").await?;
    inspect(ui, "the import result", &stored, &mut seen, &mut problems, true).await?;
    ui.sign_out().await?;

    let cast = records(w, &mut stored).await?;

    // A failed sign-in leaves what was typed in the audit log.
    let login = stored.nth("typed login id", 0, 200);
    let mut anon = w.app.agent();
    let (_, csrf) = open_login_page(&mut anon).await?;
    anon.post_raw_form("/login", &[("tenant", crate::support::TENANT), ("login", &login), ("password", "wrong-password"), ("csrf", &csrf)])
        .await?;

    // A company whose name is a payload.
    let tenant_name = stored.nth("tenant name", 1, 200);
    let slug = TenantSlug::parse("xss").map_err(|e| anyhow!("{e}"))?;
    let t3 = w.store().create_tenant(&slug, &tenant_name, KThreshold::DEFAULT, "test").await?.id;
    let name3 = stored.nth("display name", 5, 80);
    w.store()
        .create_user(
            &Ctx::operator(t3, "test"),
            &store::NewUser { login: "owner", display_name: &name3, password: PASSWORD, roles: &[Role::Hr], employee: None },
        )
        .await?;

    let reflected = PAYLOADS[0];
    let encoded: String = url::form_urlencoded::byte_serialize(reflected.as_bytes()).collect();
    let pages: Vec<(&str, Vec<String>)> = vec![
        (LOGINS[0], {
            let mut p: Vec<String> =
                ["/", "/interviews", "/interviews/new", "/requests", "/reports", "/cycles", "/cases", "/tokens", "/interviews/feed"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            p.push(format!("/interviews/calendar?view=week&date={}", cast.calendar_day));
            p.push(format!("/interviews/calendar?view=month&date={}", cast.calendar_day));
            p.extend(cast.interviews.iter().map(|i| format!("/interviews/{i}")));
            p.push(format!("/interviews/{}", cast.cancelled));
            p.push(format!("/interviews/{}", cast.noted));
            p.push(format!("/reports/{}", cast.returned));
            p.push(format!("/reports/{}/edit", cast.returned));
            p.push(format!("/cycles/{}", cast.cycle));
            p.push(format!("/no/such/{encoded}"));
            p
        }),
        (
            LOGINS[1],
            vec![
                "/".into(),
                "/review".into(),
                format!("/reports/{}", cast.submitted),
                format!("/reports/{}", cast.returned),
                "/cases".into(),
            ],
        ),
        (LOGINS[6], vec!["/cases".into(), format!("/reports/{}", cast.approved)]),
        (
            LOGINS[2],
            vec![
                "/".into(),
                "/employees".into(),
                "/cycles".into(),
                format!("/cycles/{}", cast.cycle),
                format!("/cycles/{}/targets", cast.cycle),
                "/settings/taxonomy".into(),
                "/cycles/new".into(),
            ],
        ),
        // The failed sign-ins by kind: the unfiltered log's first page fills with later events.
        (LOGINS[3], vec!["/admin/users".into(), "/admin/audit".into(), "/admin/audit?kind=sign_in_failed".into(), "/employees".into()]),
        (LOGINS[4], vec!["/".into(), "/my/interviews".into()]),
        (LOGINS[5], vec!["/role".into()]),
    ];

    // Reflected on the sign-in page before anyone signs in.
    let next: String = url::form_urlencoded::byte_serialize(format!("/{reflected}").as_bytes()).collect();
    ui.goto(&format!("/login?next={next}")).await?;
    inspect(ui, "the sign-in page with a payload as next", &stored, &mut seen, &mut problems, false).await?;

    for (login, paths) in &pages {
        ui.sign_in(login).await?;
        for path in paths {
            ui.goto(path).await?;
            // The error page only echoes the path asked, which is no stored value.
            let must_show = !path.starts_with("/no/");
            inspect(ui, &format!("{path} as {login}"), &stored, &mut seen, &mut problems, must_show).await?;
        }
        ui.sign_out().await?;
    }
    ui.sign_in_with("/login", "xss", "owner").await?;
    inspect(ui, "the home page of a company named with a payload", &stored, &mut seen, &mut problems, true).await?;
    ui.sign_out().await?;

    for (field, value) in &stored.values {
        if !seen.contains(value) {
            problems.push(format!("{field}: the stored value {} was not found, as text, on any page", clip(value)));
        }
    }
    if !problems.is_empty() {
        bail!("{} problem(s) with stored payloads:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}

/// Sends `file` with the register's upload form.
async fn upload(ui: &Ui, file: &std::path::Path) -> Result<()> {
    ui.goto("/employees/import").await?;
    let input = ui.client().find(Locator::Css("#import-file")).await.context("no file field")?;
    input.send_keys(&file.display().to_string()).await.context("choosing the file")?;
    ui.click_and_wait("form[enctype='multipart/form-data'] button[type=submit]").await
}

/// Turns the Content-Security-Policy off for this browser, and proves it: an inline script
/// added to a page of the application runs.
async fn bypass_csp(ui: &Ui) -> Result<()> {
    ui.client().issue_cmd(Cdp("Page.setBypassCSP", json!({ "enabled": true }))).await.context("Page.setBypassCSP")?;
    ui.goto("/login").await?;
    let ran = ui
        .js(
            "const s = document.createElement('script'); s.textContent = 'window.__probe = 7'; document.body.appendChild(s); return window.__probe === 7;",
            vec![],
        )
        .await?;
    if ran != json!(true) {
        bail!("the Content-Security-Policy still blocks inline scripts: a payload could not run, so the test would prove nothing");
    }
    // The inspection itself sees what a payload would do.
    ui.client().goto("data:text/html,<p>x</p><img src=x onerror=window.__xss=1><script>window.__xss=1</script>").await?;
    ui.wait_loaded().await?;
    let v = ui.js(INSPECT, vec![]).await?;
    if v["ran"] != json!(true) || v["bad"].as_array().is_none_or(Vec::is_empty) {
        bail!("the inspection does not see a payload that ran: {v}");
    }
    Ok(())
}

/// Checks the current page; notes which stored values it shows.
async fn inspect(
    ui: &Ui,
    what: &str,
    stored: &Stored,
    seen: &mut BTreeSet<String>,
    problems: &mut Vec<String>,
    must_show: bool,
) -> Result<()> {
    ui.wait_loaded().await?;
    let v = ui.js(INSPECT, vec![]).await.with_context(|| format!("inspecting {what}"))?;
    if v["ran"] != json!(false) {
        problems.push(format!("{what}: a payload ran (window.__xss is set)"));
    }
    if v["title"].as_str().is_some_and(|t| t.contains("XSS")) {
        problems.push(format!("{what}: a payload changed the title to {}", v["title"]));
    }
    if let Some(bad) = v["bad"].as_array().filter(|b| !b.is_empty()) {
        problems.push(format!("{what}: elements a payload would make: {bad:?}"));
    }
    let text = v["text"].as_str().unwrap_or_default();
    let mut shown = 0;
    for (_, value) in &stored.values {
        if text.contains(value.as_str()) {
            seen.insert(value.clone());
            shown += 1;
        }
    }
    // Every page visited is visited for what it shows; one showing nothing tests nothing.
    if must_show && shown == 0 {
        problems.push(format!("{what}: shows none of the stored values"));
    }
    Ok(())
}

fn clip(s: &str) -> String {
    let c: String = s.chars().take(60).collect();
    format!("{c:?}{}", if s.chars().count() > 60 { "…" } else { "" })
}

/// The uploaded register: seven employees (X01 … X07) under 検証, each with a payload as name and
/// grade, and as department where the payload has no `/` (a department separator).
fn register(stored: &mut Stored) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("社員番号,氏名,所属,等級,生年,入社日,上司社員番号\n");
    for i in 0..EACH {
        let name = stored.nth("employee name", i, 60);
        let department_payload = PAYLOADS.get(i).copied().unwrap_or(LONG_UNIT);
        let department = if department_payload.contains('/') {
            "検証/一般".to_string()
        } else {
            format!("検証/{}", stored.nth("department", i, 60))
        };
        let grade = stored.nth("grade", i, 40);
        let boss = if i == 0 { String::new() } else { "X01".to_string() };
        csv.push_str(&format!("X0{},{},{},{},1990,2015-04-01,{boss}\n", i + 1, quote(&name), quote(&department), quote(&grade)));
    }
    csv
}

/// Everything else, through the store as its owners would write it.
async fn records(w: &World, stored: &mut Stored) -> Result<Cast> {
    let s = w.store();
    let home: &Company = &w.home;
    let t = home.tenant;
    let (x01, x02, x03) =
        (s.employee_by_number(t, "X01").await?.id, s.employee_by_number(t, "X02").await?.id, s.employee_by_number(t, "X03").await?.id);

    // Accounts named with payloads.
    let names: Vec<String> = (0..EACH).map(|i| stored.nth("display name", i, 80)).collect();
    let make = |login: &'static str, roles: &'static [Role], name: String, employee| async move {
        let op = Ctx::operator(t, "test");
        let id = s.create_user(&op, &store::NewUser { login, display_name: &name, password: PASSWORD, roles, employee }).await?;
        Ok::<_, anyhow::Error>(Person { id, ctx: Ctx::for_tests(t, id, login, Some(roles[0])) })
    };
    let consultant = make(LOGINS[0], &[Role::Consultant], names[0].clone(), None).await?;
    let supervisor = make(LOGINS[1], &[Role::Supervisor], names[1].clone(), None).await?;
    let hr = make(LOGINS[2], &[Role::Hr], names[2].clone(), None).await?;
    make(LOGINS[3], &[Role::Admin], names[3].clone(), None).await?;
    let employee = make(LOGINS[4], &[Role::Employee], names[4].clone(), Some(x02)).await?;
    make(LOGINS[5], &[Role::Hr, Role::Consultant], names[5].clone(), None).await?;
    make(LOGINS[6], &[Role::Consultant], names[6].clone(), None).await?;

    // Cycles named with payloads; the first, active, assigns X01–X03 to the consultant.
    let (starts_on, ends_on) = fiscal_year()?;
    let rule = TargetRule { departments: vec!["検証".into()], ..TargetRule::default() };
    let mut cycles = Vec::new();
    for i in 0..EACH {
        let name = stored.nth("cycle name", i, domain::limits::CYCLE_NAME.max);
        cycles.push(s.create_cycle(&home.op, &NewCycle { name: &name, starts_on, ends_on, rule: &rule }).await?.0);
    }
    let cycle = cycles[0];
    for e in [x01, x02, x03] {
        s.assign_cycle_target(&home.op, cycle, e, Some(consultant.id)).await?;
    }
    s.set_cycle_status(&home.op, cycle, CycleStatus::Active).await?;

    // Issue tags and rubric items.
    let hr_ctx = &hr.ctx;
    let mut tags = Vec::new();
    for i in 0..EACH {
        let (ja, en) = (stored.nth("issue tag label (ja)", i, 60), stored.nth("issue tag label (en)", i, 80));
        tags.push(s.add_taxonomy_item(hr_ctx, Taxonomy::IssueTags, &ja, &en).await?);
        let (ja, en) = (stored.nth("rubric label (ja)", i, 60), stored.nth("rubric label (en)", i, 80));
        s.add_taxonomy_item(hr_ctx, Taxonomy::Rubric, &ja, &en).await?;
    }
    let tag_codes: Vec<String> =
        s.taxonomy(t, Taxonomy::IssueTags, false).await?.into_iter().filter(|i| tags.contains(&i.id)).map(|i| i.code).collect();
    let rubric_codes: Vec<String> = s.taxonomy(t, Taxonomy::Rubric, false).await?.into_iter().map(|i| i.code).collect();

    // Token names.
    for i in 0..EACH {
        let name = stored.nth("token name", i, 80);
        s.create_token(&consultant.ctx, Role::Consultant, &name, Some(30)).await?;
    }

    // Interviews: places, a cancellation's reason, a note.
    let me = consultant.ctx.as_consultant()?;
    let first = w.upcoming_slot()?;
    let calendar_day = chrono::DateTime::from_timestamp_millis(first.start_ms)
        .map(|d| d.with_timezone(&domain::time::JST).format("%Y-%m-%d").to_string())
        .context("calendar day")?;
    let mut interviews = Vec::new();
    for i in 0..EACH {
        let place = stored.nth("interview place", i, domain::limits::INTERVIEW_PLACE.max);
        let slot = if i == 0 { first } else { w.upcoming_slot()? };
        let new =
            NewInterview { cycle: Some(cycle), employee: x01, kind: InterviewKind::Initial, mode: InterviewMode::InPerson, place, slot };
        interviews.push(s.schedule_interview(&me, &new).await?);
    }
    let plain = |employee, slot| NewInterview {
        cycle: Some(cycle),
        employee,
        kind: InterviewKind::Initial,
        mode: InterviewMode::Online,
        place: "https://meet.example.jp/a".into(),
        slot,
    };
    let cancelled = s.schedule_interview(&me, &plain(x01, w.upcoming_slot()?)).await?;
    let reason = stored.all("cancellation reason", domain::limits::INTERVIEW_STATUS_NOTE.max);
    s.set_interview_status(&me, cancelled, InterviewStatus::Cancelled, &reason).await?;
    let noted = s.schedule_interview(&me, &plain(x01, w.slot()?)).await?;
    s.set_interview_status(&me, noted, InterviewStatus::Held, "").await?;
    let note = stored.all("interview note", domain::limits::INTERVIEW_NOTE.max);
    s.write_interview_note(&me, noted, &note).await?;

    // Reports: one returned with comments and scores, one approved (a colleague's shared case),
    // one waiting for review.
    let held = |employee| {
        let me = me.clone();
        async move {
            let id = s.schedule_interview(&me, &plain(employee, w.slot()?)).await?;
            s.set_interview_status(&me, id, InterviewStatus::Held, "").await?;
            Ok::<_, anyhow::Error>(s.create_report(&me, id).await?)
        }
    };
    let returned = s.create_report(&me, noted).await?;
    let mut sections = ReportSections::default();
    for sec in domain::report::SECTIONS {
        sections.set(sec, stored.all(&format!("report section {sec}"), ReportSections::MAX_CHARS));
    }
    s.save_report(&me, returned, &sections, &tag_codes, ReportFlags { life_safety: true, organizational_response: true }, 1).await?;
    s.submit_report(&me, returned, Some(supervisor.id)).await?;
    let mut comments: Vec<(String, String)> = domain::report::SECTIONS
        .iter()
        .map(|sec| (sec.to_string(), stored.all(&format!("review comment on {sec}"), domain::limits::REVIEW_COMMENT.max)))
        .collect();
    comments.push(("general".into(), stored.all("general review comment", domain::limits::REVIEW_COMMENT.max)));
    let scores = rubric_codes.iter().map(|c| (c.clone(), 3)).collect();
    s.review_report(&supervisor.ctx.as_supervisor()?, returned, &ReviewInput { approve: false, comments, scores }).await?;

    let mut plain_sections = ReportSections::default();
    for sec in domain::report::SECTIONS {
        plain_sections.set(sec, SECTION_TEXT.to_string());
    }
    let mut decided = Vec::new();
    for (employee, approve) in [(x02, true), (x03, false)] {
        let id = held(employee).await?;
        s.save_report(&me, id, &plain_sections, &tag_codes, ReportFlags::default(), 1).await?;
        s.submit_report(&me, id, Some(supervisor.id)).await?;
        if approve {
            let input = ReviewInput { approve: true, comments: Vec::new(), scores: Vec::new() };
            s.review_report(&supervisor.ctx.as_supervisor()?, id, &input).await?;
        }
        decided.push(id);
    }

    // Consultation requests of X02: one waiting, one scheduled with a reply, one declined.
    let asking = employee.ctx.as_employee()?;
    let ask = |stored: &mut Stored| {
        let preferred = stored.all("request preferred time", domain::limits::REQUEST_PREFERRED.max);
        let message = stored.all("request message", domain::limits::REQUEST_MESSAGE.max);
        (preferred, message)
    };
    let (p1, m1) = ask(stored);
    s.request_consultation(&asking, &p1, &m1).await?;
    let (p2, m2) = ask(stored);
    let (scheduled, _) = s.request_consultation(&asking, &p2, &m2).await?;
    let place = stored.nth("place of a requested interview", 1, domain::limits::INTERVIEW_PLACE.max);
    let reply = stored.all("request reply", domain::limits::REQUEST_REPLY.max);
    let when = InterviewChange { mode: InterviewMode::InPerson, place, slot: w.upcoming_slot()? };
    s.schedule_request(&me, scheduled, &when, &reply).await?;
    let (p3, m3) = ask(stored);
    let (declined, _) = s.request_consultation(&asking, &p3, &m3).await?;
    let reason = stored.all("decline reason", domain::limits::DECLINE_REASON.max);
    s.decline_request(&me, declined, &reason).await?;

    Ok(Cast { interviews, cancelled, noted, returned, approved: decided[0], submitted: decided[1], cycle, calendar_day })
}
