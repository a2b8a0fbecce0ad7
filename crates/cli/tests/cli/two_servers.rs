//! Two servers, one PostgreSQL (issue 11, item 4): the way past one machine is stateless servers
//! behind a load balancer. Two `careerdock serve` processes on different ports share one
//! database: a session made on one works on the other and ends on both; concurrent saves of
//! one report through both are told apart by the version check (one wins, the other answers
//! 409, nothing is overwritten silently); the notification e-mail jobs run once, not once per
//! server, and the recurring jobs keep one next run each; one server killed in the middle of
//! requests loses nothing it acknowledged while the other goes on; the audit chain stays one.

use super::crash::{
    active_numbers, autosave_writer, employee_session, held_interview, ledger, marker_of, sections, seed, token, Client, Sent, Shared,
    Victim,
};
use super::*;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::Arc;

/// `jobs list` as (kind, state) pairs.
fn jobs(env: &Env) -> Result<Vec<(String, String)>> {
    let out = env.run(&["jobs", "list", "--limit", "100000"])?.ok()?;
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('\t').skip(1);
            Some((cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect())
}

/// Creates a held follow-up interview and its report through `c`; the report's id and version.
async fn draft(c: &Client, number: &str) -> Result<(i64, i64)> {
    let interview = held_interview(c, number).await?.context("the server died while scheduling")?;
    let (status, v) = c.must(Method::POST, "/api/v1/reports", Some(&json!({"interview_id": interview}))).await?;
    ensure!(status == StatusCode::CREATED, "creating a report: {status} {v}");
    let id = v["id"].as_i64().context("the report's id")?;
    let version = c.get(&format!("/api/v1/reports/{id}")).await?["version"].as_i64().context("version")?;
    Ok((id, version))
}

pub(super) fn two_servers_share_one_postgresql(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;
    // Every account gets an address, so that each notice is also an e-mail job.
    env.sql("UPDATE users SET email = login || '@example.jp'")?;
    let sink = testkit::SmtpSink::start(testkit::SmtpOptions::default())?;
    let smtp = sink.url(None);
    let mail = ["--smtp-url", smtp.as_str(), "--mail-from", "careerdock@example.jp", "--public-url", "https://careerdock.example.jp"];
    let a = Victim::start_with(&env, 0, &mail)?;
    let b = Victim::start_with(&env, 1, &mail)?;
    ensure!(a.addr != b.addr, "both servers on {}", a.addr);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build()?;
    let consultant = token(&env, "consultant1", "consultant")?;
    let (ca, cb) = (Client::api(&a.base(), &consultant)?, Client::api(&b.base(), &consultant)?);

    // A session made on one server works on the other, and signing out on one ends it on both.
    rt.block_on(async {
        let (session, csrf) = employee_session(&a.base()).await?;
        let on_b = session.get(format!("{}/my/questionnaires", b.base())).send().await?;
        ensure!(on_b.status() == StatusCode::OK, "the session made on A, on B: {}", on_b.status());
        let out = session.post(format!("{}/logout", b.base())).form(&[("csrf", csrf.as_str())]).send().await?;
        ensure!(out.status().is_redirection(), "signing out on B: {}", out.status());
        let on_a = session.get(format!("{}/my/questionnaires", a.base())).send().await?;
        ensure!(on_a.status() == StatusCode::SEE_OTHER, "the session ended on B still works on A: {}", on_a.status());
        anyhow::Ok(())
    })?;

    // Concurrent saves of one report through both servers with the same version: one wins.
    let numbers = active_numbers(&env, 4)?;
    let rounds = 10;
    rt.block_on(async {
        let (report, mut version) = draft(&ca, &numbers[0]).await?;
        for round in 0..rounds {
            let path = format!("/api/v1/reports/{report}");
            let (ma, mb) = (format!("A{round}"), format!("B{round}"));
            let (sa, sb) = (sections(&ma, version, false), sections(&mb, version, false));
            let (ra, rb) = tokio::join!(ca.must(Method::PUT, &path, Some(&sa)), cb.must(Method::PUT, &path, Some(&sb)));
            let ((sa, va), (sb, vb)) = (ra?, rb?);
            let winner = match (sa, sb) {
                (StatusCode::OK, StatusCode::CONFLICT) => (&ma, &va),
                (StatusCode::CONFLICT, StatusCode::OK) => (&mb, &vb),
                _ => bail!("round {round}: A answered {sa} {va}, B answered {sb} {vb}: exactly one save must win"),
            };
            let stored = cb.get(&path).await?;
            let (v, marker) = marker_of(report, &stored)?;
            ensure!(
                marker == *winner.0 && Some(v) == winner.1["version"].as_i64(),
                "round {round}: stored «{marker}» v{v}, the winner {winner:?}"
            );
            version = v;
        }
        anyhow::Ok(())
    })?;

    // Life/safety flags raised through both servers: each notifies its responders, and each
    // notice's e-mail goes out once although two job runners look for it.
    let raised = 4;
    rt.block_on(async {
        for i in 0..raised {
            let c = if i % 2 == 0 { &ca } else { &cb };
            let (report, version) = draft(c, &numbers[1 + i % 3]).await?;
            let (status, v) =
                c.must(Method::PUT, &format!("/api/v1/reports/{report}"), Some(&sections(&format!("F{i}"), version, true))).await?;
            ensure!(status == StatusCode::OK && v["escalation_id"].as_i64().is_some(), "raising the flag: {status} {v}");
        }
        anyhow::Ok(())
    })?;
    let deadline = Instant::now() + Duration::from_secs(90);
    let sent = loop {
        let all = jobs(&env)?;
        let mails: Vec<&(String, String)> = all.iter().filter(|(k, _)| k == "notification_email").collect();
        if !mails.is_empty() && mails.iter().all(|(_, s)| s == "done") {
            break mails.len();
        }
        ensure!(
            Instant::now() < deadline,
            "the e-mail jobs did not all run: {mails:?}\n{}",
            String::from_utf8_lossy(&std::fs::read(env.path("victim-0.stderr"))?)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    ensure!(sent >= raised, "only {sent} e-mail jobs for {raised} escalations");
    // Give a second sending (were there one) time to arrive, then count.
    std::thread::sleep(Duration::from_millis(1500));
    let received = sink.messages()?.len();
    ensure!(received == sent, "{received} messages arrived for {sent} e-mail jobs: a job ran on both servers");
    let all = jobs(&env)?;
    for kind in ["session_purge", "job_history_purge", "escalation_sweep", "follow_up_reminders"] {
        let next = all.iter().filter(|(k, s)| k == kind && (s == "pending" || s == "running")).count();
        ensure!(next <= 1, "{next} next runs of {kind} with two servers: {all:?}");
    }

    // One server killed in the middle of requests: the other goes on; nothing acknowledged is lost.
    let l: Shared = Arc::default();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed());
    let drafts = rt.block_on(async {
        let mut d = Vec::new();
        for i in 0..4 {
            d.push(draft(if i % 2 == 0 { &ca } else { &cb }, &numbers[i % numbers.len()]).await?);
        }
        anyhow::Ok(d)
    })?;
    let writers: Vec<_> = drafts
        .iter()
        .enumerate()
        .map(|(i, (report, version))| {
            let c = if i % 2 == 0 { ca.clone() } else { cb.clone() };
            let l = l.clone();
            let (report, version) = (*report, *version);
            rt.spawn(async move { tokio::time::timeout(Duration::from_secs(3), autosave_writer(c, report, version, 0, l)).await })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(rng.gen_range(300..1200)));
    let acked_at_kill = ledger(&l).acked;
    a.kill()?;
    for w in writers {
        // B's writers stop at the time limit (an `Err` of the timeout), mid-request perhaps.
        if let Ok(done) = rt.block_on(w)? {
            done?;
        }
    }
    let acked = ledger(&l).acked;
    ensure!(acked > acked_at_kill, "no write was acknowledged by B after A was killed ({acked})");
    rt.block_on(async {
        let saves = ledger(&l).saves.clone();
        for (report, (done, inflight)) in &saves {
            let (version, marker) = marker_of(*report, &cb.get(&format!("/api/v1/reports/{report}")).await?)?;
            let was_acked = done.as_ref().is_some_and(|(v, m)| *v == version && *m == marker);
            let was_inflight = inflight.as_ref().is_some_and(|(_, m)| *m == marker);
            ensure!(was_acked || was_inflight, "report {report}: v{version} «{marker}»; acknowledged {done:?}, in flight {inflight:?}");
        }
        // B still answers, and A's writes are there when read through B.
        match cb.send(Method::GET, "/api/v1/me", None).await {
            Sent::Answer(s, _) if s == StatusCode::OK => anyhow::Ok(()),
            _ => bail!("B stopped answering after A was killed"),
        }
    })?;
    drop(b);
    // One chain, written by both servers and the kill in between.
    let verified = env.run(&["audit", "verify"])?.ok()?;
    eprintln!(
        "[two servers] {rounds} concurrent saves with one winner each; {sent} e-mails for {raised} escalations, each sent once; \
         {acked} saves acknowledged ({} after A was killed), none lost; {}",
        acked - acked_at_kill,
        verified.stdout.trim()
    );
    Ok(())
}
