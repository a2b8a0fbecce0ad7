//! Notices (issue 8) over HTTP and SMTP, on both databases: the inbox of every role (the
//! header's count, the list, 「開く」 and 「既読にする」, the API), and the e-mail, sent through a
//! REAL SMTP server that the test starts (Debian's aiosmtpd, with AUTH): it arrives once, links
//! to the app and carries nothing personal, and a server stopped in the middle of sending
//! leaves it to the next, which sends it once.

mod settings;

use crate::support::*;
use anyhow::{ensure, Context, Result};
use base64::Engine;
use careerdock_web::mail::{MailConfig, Mailer, ProductJobs};
use careerdock_web::{AppState, WebConfig};
use domain::ids::{NotificationId, UserId};
use domain::job::{Backoff, JobKind};
use domain::notification::NotificationKind;
use domain::session::SessionLimits;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{JobRow, JobRunner, NewUser, RunnerOptions, StandardJobs, Store};
use testkit::{on_both_backends, Backend, SmtpOptions, SmtpSink};

on_both_backends!(
    the_inbox_counts_lists_opens_and_marks_read,
    a_notice_is_emailed_once_with_a_link_and_nothing_personal,
    a_server_stopped_while_sending_leaves_the_email_to_the_next_which_sends_it_once,
);

const PUBLIC_URL: &str = "https://careerdock.example.co.jp";
const SMTP_LOGIN: &str = "careerdock";
const SMTP_PASSWORD: &str = "smtp-secret-8c1f";
/// The employee the notice is about and for: none of this may appear in the e-mail.
const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,,ken.sato@example.co.jp
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001,taro.yamada@example.co.jp
";
const ADDRESS: &str = "taro.yamada@example.co.jp";
const PERSONAL: &[&str] = &["山田", "太郎", "ヤマダ", "E002", "営業", "佐藤", "山田 太郎（従業員）", "1992"];

fn mailer(sink: &SmtpSink, password: &str) -> Result<Arc<Mailer>> {
    let config = MailConfig {
        smtp_url: sink.url(Some(SMTP_LOGIN)),
        password: Some(password.to_string()),
        from: "careerdock <noreply@example.co.jp>".to_string(),
        public_url: PUBLIC_URL.to_string(),
    };
    Ok(Arc::new(Mailer::new(&config).map_err(|e| anyhow::anyhow!(e))?))
}

fn sink() -> Result<SmtpSink> {
    SmtpSink::start(SmtpOptions { auth: Some((SMTP_LOGIN.into(), SMTP_PASSWORD.into())), delay_first: None })
}

/// The register's E002 and an employee account linked to it (its address is the register's).
async fn linked_employee(app: &App) -> Result<UserId> {
    let op = store::Ctx::operator(app.tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = domain::import::parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    app.store.import_employees(&op, &parsed.rows).await?;
    let employee = Some(app.store.employee_by_number(app.tenant.id, "E002").await?.id);
    let user =
        NewUser {
            login: "taro", display_name: "山田 太郎（従業員）", password: PASSWORD, roles: &[domain::Role::Employee], employee
        };
    Ok(app.store.create_user(&op, &user).await?)
}

async fn email_jobs(store: &Store) -> Result<Vec<JobRow>> {
    Ok(store.recent_jobs(100, false).await?.into_iter().filter(|j| j.kind == JobKind::NotificationEmail.as_str()).collect())
}

// ---------------------------------------------------------------------------------------------
// Reading a message as a mail reader would
// ---------------------------------------------------------------------------------------------

/// Headers (unfolded) and the decoded body of a single-part message.
struct Mail {
    headers: Vec<(String, String)>,
    body: String,
}

impl Mail {
    fn parse(raw: &str) -> Result<Mail> {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").context("a message has headers and a body")?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim_start());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let mut mail = Mail { headers, body: String::new() };
        mail.body = match mail.header("content-transfer-encoding").unwrap_or("7bit").to_ascii_lowercase().as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact)?)?
            }
            "quoted-printable" => quoted_printable(body)?,
            _ => body.to_string(),
        };
        Ok(mail)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A header with its RFC 2047 encoded words decoded.
    fn decoded(&self, name: &str) -> Result<String> {
        let v = self.header(name).with_context(|| format!("no {name} header"))?;
        let mut out = String::new();
        for word in v.split_whitespace() {
            match word.strip_prefix("=?").and_then(|w| w.strip_suffix("?=")) {
                Some(inner) => {
                    let mut parts = inner.splitn(3, '?');
                    let (_charset, enc, text) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                    let bytes = if enc.eq_ignore_ascii_case("b") {
                        base64::engine::general_purpose::STANDARD.decode(text)?
                    } else {
                        quoted_printable(&text.replace('_', " "))?.into_bytes()
                    };
                    out.push_str(&String::from_utf8(bytes)?);
                }
                None => {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(word);
                }
            }
        }
        Ok(out)
    }
}

fn quoted_printable(s: &str) -> Result<String> {
    let s = s.replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 3 <= bytes.len() {
            out.push(u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3])?, 16)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8(out)?)
}

// ---------------------------------------------------------------------------------------------
// The inbox
// ---------------------------------------------------------------------------------------------

async fn the_inbox_counts_lists_opens_and_marks_read(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut a = app.signed_in("employee").await?;
    let me = app.store.user_by_login(app.tenant.id, "employee").await?.id;
    let home = a.get("/").await?;
    ensure!(!home.body.contains("inbox-count"), "no unread notice yet: {}", home.brief());
    ensure!(home.body.contains("href=\"/notifications\""), "every page links to the inbox");

    let first = app.store.notify_for_tests(app.tenant.id, me, NotificationKind::DisclosureRequested, "/my/interviews").await?;
    let second = app.store.notify_for_tests(app.tenant.id, me, NotificationKind::EscalationDisclosureNotice, "/notifications").await?;
    let home = a.get("/").await?;
    ensure!(home.body.contains("<span class=\"inbox-count\" aria-hidden=\"true\">2</span>"), "{}", home.body);
    ensure!(home.body.contains("（未読 2件）"), "the count is said to screen readers");

    let list = a.get("/notifications").await?;
    assert_eq!(list.status, StatusCode::OK, "{}", list.brief());
    for (id, words) in [(first, "同意のお願い"), (second, "同意によらない開示のお知らせ")] {
        ensure!(list.body.contains(&format!("data-notice-id=\"{}\"", id.get())), "{}", list.body);
        ensure!(list.body.contains(words), "{words}");
    }
    ensure!(list.body.find(&format!("notice-{}", second.get())) < list.body.find(&format!("notice-{}", first.get())), "newest first");

    // 「開く」 marks it read and goes to the thing.
    let opened = a.post_form(&format!("/notifications/{}/open", first.get()), &[]).await?;
    assert_eq!((opened.status, opened.location()), (StatusCode::SEE_OTHER, Some("/my/interviews")));
    assert_eq!(app.store.unread_notification_count(app.tenant.id, me).await?, 1);
    let unread = a.get("/notifications?show=unread").await?;
    ensure!(!unread.body.contains(&format!("data-notice-id=\"{}\"", first.get())) && unread.body.contains("1件"), "{}", unread.body);

    // Another user's notice answers as a missing one.
    let hr = app.store.user_by_login(app.tenant.id, "hr").await?.id;
    let theirs = app.store.notify_for_tests(app.tenant.id, hr, NotificationKind::ImportantCaseShared, "/notifications").await?;
    let refused = a.post_form(&format!("/notifications/{}/read", theirs.get()), &[]).await?;
    let missing = a.post_form("/notifications/999999999/read", &[]).await?;
    assert_eq!((refused.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(app.store.unread_notification_count(app.tenant.id, hr).await?, 1);

    let read = a.post_form(&format!("/notifications/{}/read", second.get()), &[("back", "/notifications?show=unread")]).await?;
    assert_eq!((read.status, read.location()), (StatusCode::SEE_OTHER, Some("/notifications?show=unread&done=read")));
    app.store.notify_for_tests(app.tenant.id, me, NotificationKind::DisclosureShared, "/notifications").await?;
    let all = a.post_form("/notifications/read-all", &[("back", "https://evil.example/")]).await?;
    assert_eq!(
        (all.status, all.location()),
        (StatusCode::SEE_OTHER, Some("/notifications?done=all&count=1")),
        "back never leaves the list"
    );
    let after = a.get("/notifications?done=all&count=1").await?;
    ensure!(after.body.contains("1件のお知らせを既読にしました。") && !after.body.contains("inbox-count"), "{}", after.body);

    // The API: the same notices, newest first, with the unread count.
    let api = a.get("/api/v1/notifications").await?;
    assert_eq!(api.status, StatusCode::OK, "{}", api.brief());
    let json = api.json()?;
    assert_eq!((json["total"].as_i64(), json["unread"].as_i64()), (Some(3), Some(0)), "{json}");
    assert_eq!(json["items"][1]["kind"], "escalation_disclosure_notice");
    assert_eq!(json["items"][2]["link"], "/my/interviews");
    assert_eq!(json["items"][2]["read"], true);
    let bad = a.get("/api/v1/notifications?state=maybe").await?;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()?["error"]["field"], "state");

    // In English too.
    let mut en = app.signed_in("hr").await?;
    en.set_cookie("cd_lang", "en");
    let page = en.get("/notifications").await?;
    ensure!(page.body.contains("Important case shared") && page.body.contains("Mark as read"), "{}", page.brief());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The e-mail
// ---------------------------------------------------------------------------------------------

async fn a_notice_is_emailed_once_with_a_link_and_nothing_personal(backend: Backend) -> Result<()> {
    let sink = sink()?;
    let app = spawn_app(backend).await?;
    let taro = linked_employee(&app).await?;

    // The server as `careerdock serve` runs it: it says that this database sends e-mail and
    // runs the mail jobs alongside.
    let config = WebConfig { mail: Some(mailer(&sink, SMTP_PASSWORD)?), ..test_config() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(careerdock_web::serve(AppState::new(app.store.clone(), config), listener, async move {
        let _ = stopped.await;
    }));
    let mut probe = Agent::new(&base);
    let started = Instant::now();
    while probe.get("/healthz").await.map(|r| r.status != StatusCode::OK).unwrap_or(true) {
        ensure!(started.elapsed() < Duration::from_secs(10), "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let sent_at = Instant::now();
    let id = app.store.notify_for_tests(app.tenant.id, taro, NotificationKind::DisclosureRequested, "/my/interviews").await?;
    let got = sink.wait_for(1, Duration::from_secs(15)).await?;
    let latency = sent_at.elapsed();
    eprintln!("notice → SMTP server: {} ms (runner polling every 2 s)", latency.as_millis());
    // Nothing more comes, however long one waits (the runner polls every 2 s).
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let all = sink.messages()?;
    assert_eq!(all.len(), 1, "sent once");
    assert_eq!(got[0].recipients, vec![ADDRESS.to_string()]);

    let mail = Mail::parse(&all[0].raw)?;
    let subject = mail.decoded("subject")?;
    assert_eq!(subject, "【careerdock】同意のお願い");
    assert_eq!(mail.decoded("to")?, ADDRESS, "the address alone, no name");
    ensure!(mail.decoded("from")?.contains("noreply@example.co.jp"));
    assert_eq!(
        mail.header("message-id"),
        Some(format!("<careerdock.{}.{}@careerdock.example.co.jp>", app.tenant.id.get(), id.get()).as_str())
    );
    ensure!(
        mail.header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("charset=utf-8")),
        "{:?}",
        mail.header("content-type")
    );
    let link = format!("{PUBLIC_URL}/my/interviews");
    ensure!(mail.body.contains(&link), "the link: {}", mail.body);
    ensure!(
        mail.body.contains("careerdock に新しいお知らせがあります。") && mail.body.contains("You have a new notice in careerdock."),
        "{}",
        mail.body
    );
    ensure!(mail.body.find("同意のお願い") < mail.body.find("Consent requested"), "Japanese first, English below");
    let everything = format!("{}\n{}\n{}", all[0].raw, subject, mail.body);
    for word in PERSONAL {
        ensure!(!everything.contains(word), "the e-mail carries {word:?}:\n{everything}");
    }
    ensure!(!mail.body.contains('@'), "no address in the body");

    let jobs = email_jobs(&app.store).await?;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].result.as_deref(), Some(format!("{{\"notification\":{},\"sent\":true}}", id.get()).as_str()));
    ensure!(jobs.iter().all(|j| !format!("{j:?}").contains(ADDRESS)), "the job row never holds the address");
    let page = app
        .store
        .notifications_page(
            &store::Ctx::for_tests(app.tenant.id, taro, "taro", Some(domain::Role::Employee)),
            store::InboxFilter::All,
            store::PageRequest::first(5),
        )
        .await?;
    ensure!(page.items[0].emailed_at.is_some(), "the notice records its e-mail");

    // A wrong password is refused by the server, and the error does not name the recipient.
    let wrong = mailer(&sink, "not-the-password")?;
    let content =
        wrong.content(app.tenant.id, id.get(), "term-notice-disclosure-requested", "/my/interviews").map_err(|e| anyhow::anyhow!(e))?;
    let err = wrong.send(ADDRESS, &content).await.err().context("a wrong SMTP password is refused")?;
    ensure!(!err.contains(ADDRESS), "{err}");
    assert_eq!(sink.messages()?.len(), 1);

    // The probe's kept-alive connection would hold the graceful shutdown open.
    drop(probe);
    let _ = stop.send(());
    server.await??;
    Ok(())
}

fn runner_options(owner: &str, lease_ms: i64) -> RunnerOptions {
    RunnerOptions { owner: owner.to_string(), lease_ms, poll_ms: 20, backoff: Backoff::STANDARD, stop_grace_ms: 100 }
}

async fn a_server_stopped_while_sending_leaves_the_email_to_the_next_which_sends_it_once(backend: Backend) -> Result<()> {
    // The server answers the first RCPT TO only after 3 s: the first runner is stopped meanwhile.
    let sink =
        SmtpSink::start(SmtpOptions { auth: Some((SMTP_LOGIN.into(), SMTP_PASSWORD.into())), delay_first: Some(Duration::from_secs(3)) })?;
    let app = spawn_app(backend).await?;
    let taro = linked_employee(&app).await?;
    let mailer = mailer(&sink, SMTP_PASSWORD)?;
    let jobs = || ProductJobs { standard: StandardJobs { session_limits: SessionLimits::default() }, mailer: Some(mailer.clone()) };

    // The notice (and its job) are made while no server runs.
    app.store.set_mail_delivery(true).await?;
    let id: NotificationId =
        app.store.notify_for_tests(app.tenant.id, taro, NotificationKind::EscalationDisclosureNotice, "/notifications").await?;
    let job = email_jobs(&app.store).await?.pop().context("the e-mail job is enqueued with the notice")?;
    assert_eq!(job.attempts, 0);

    // Server A takes it and is stopped while the SMTP server keeps it waiting.
    let a = JobRunner::start(app.store.clone(), jobs(), runner_options("a", 1_000));
    let started = Instant::now();
    while app.store.job(job.id).await?.lease_owner.as_deref() != Some("a") {
        ensure!(started.elapsed() < Duration::from_secs(10), "server A never took the job");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    a.stop().await;
    assert_eq!(sink.messages()?.len(), 0, "nothing was handed over");
    let held = app.store.job(job.id).await?;
    assert_eq!((held.attempts, held.done_at, held.lease_owner.as_deref()), (1, None, Some("a")), "left to its lease");

    // Server B, after A's lease ran out, sends it: once.
    let b = JobRunner::start(app.store.clone(), jobs(), runner_options("b", 30_000));
    sink.wait_for(1, Duration::from_secs(15)).await?;
    let started = Instant::now();
    while app.store.job(job.id).await?.done_at.is_none() {
        ensure!(started.elapsed() < Duration::from_secs(10), "the job was not recorded done");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    b.stop().await;
    let done = app.store.job(job.id).await?;
    assert_eq!((done.attempts, done.lease_owner.as_deref()), (2, None), "{done:?}");

    // Server C starts (a restart), and a late duplicate of the job (if one were enqueued) finds the mark.
    let c = JobRunner::start(app.store.clone(), jobs(), runner_options("c", 30_000));
    let again = store::NewJob::new(JobKind::NotificationEmail, serde_json::json!({ "notification": id.get() })).for_tenant(app.tenant.id);
    let again = app.store.enqueue_job(&again).await?.context("a job without a key")?;
    let started = Instant::now();
    while app.store.job(again).await?.done_at.is_none() {
        ensure!(started.elapsed() < Duration::from_secs(10), "the duplicate job was not run");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    c.stop().await;
    assert_eq!(
        app.store.job(again).await?.result.as_deref(),
        Some(format!("{{\"notification\":{},\"skipped\":\"already_sent\"}}", id.get()).as_str())
    );
    let all = sink.messages()?;
    assert_eq!(all.len(), 1, "sent exactly once");
    let mail = Mail::parse(&all[0].raw)?;
    assert_eq!(mail.decoded("subject")?, "【careerdock】同意によらない開示のお知らせ");
    ensure!(mail.body.contains(&format!("{PUBLIC_URL}/notifications")));
    Ok(())
}
