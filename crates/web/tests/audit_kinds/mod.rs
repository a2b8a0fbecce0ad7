//! Every kind of audit event is written by some operation. A company is set up as the
//! record-level test sets it up (its owners' records made through the store), then people use
//! it over HTTP: they sign in (and fail to), choose a role, read every list, read a report and
//! are refused a colleague's, write and read an interview note, fetch a calendar feed, revoke
//! a token, manage accounts and their roles, change a password and the taxonomy, go through
//! the whole two-factor set, read and export the audit log, sign out. Then the log must hold at
//! least one event of every kind of `AuditAction::ALL` except the operator's own
//! (`AuditAction::OPERATOR_ONLY`, which the command-line test checks): a new kind fails here
//! until an operation writes it.

use crate::records::world::{World, SECTION_TEXT};
use crate::support::*;
use crate::two_factor::{code_for, enroll, recovery_codes_in, submit_code};
use anyhow::{ensure, Context, Result};
use domain::audit::AuditAction;
use domain::report::ReportStatus;
use domain::Role;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use testkit::{on_both_backends, Backend};

on_both_backends!(every_audit_kind_is_written_by_some_operation; known_bugs:);

fn ok(what: &str, res: &Resp) -> Result<()> {
    ensure!(res.status == StatusCode::OK || res.status.is_redirection(), "{what}: {}", res.brief());
    Ok(())
}

async fn every_audit_kind_is_written_by_some_operation(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let consultant2 = home.consultant2()?;

    // Records their owners make: interviews, reports reviewed both ways, requests answered,
    // tokens, feeds, an uploaded register waiting for confirmation.
    let own_report = w.report(home, &home.consultant, "E002", &home.supervisor, ReportStatus::Returned).await?;
    let approved = w.report(home, &home.consultant, "E002", &home.supervisor, ReportStatus::Approved).await?;
    let colleagues = w.report(home, consultant2, "E003", home.supervisor2()?, ReportStatus::Draft).await?;
    w.answered_request(home, "E005", &home.consultant).await?;
    let token = w.token(&home.consultant, Role::Consultant).await?;
    let feed = w.feed(&home.consultant).await?;
    w.pending_import(&home.hr).await?;
    let interview = w.interview(home, &home.consultant, "E002").await?;

    // Signing in: a wrong password, then the right one; a user with two roles chooses one.
    let mut stranger = w.app.agent();
    let res = submit_login(&mut stranger, "hr", "not-the-password").await?;
    ensure!(res.status == StatusCode::UNAUTHORIZED, "a wrong password: {}", res.brief());
    let mut two_roles = w.app.signed_in("hr-consultant").await?;
    ok("choosing a role", &two_roles.post_form("/role", &[("role", "hr"), ("next", "/")]).await?)?;

    // The consultant's lists, a report, a colleague's report (refused, as if missing), a note.
    let mut consultant = w.app.signed_in("consultant").await?;
    for path in ["/reports", "/interviews", "/requests", "/review", "/cases"] {
        let res = consultant.get(path).await?;
        ensure!(res.status == StatusCode::OK || res.status == StatusCode::FORBIDDEN, "GET {path}: {}", res.brief());
    }
    ok("reading one's own report", &consultant.get(&format!("/reports/{own_report}")).await?)?;
    let refused = consultant.get(&format!("/reports/{colleagues}")).await?;
    ensure!(refused.status == StatusCode::NOT_FOUND, "a colleague's report: {}", refused.brief());
    ok("writing a note", &consultant.post_form(&format!("/interviews/{interview}/notes"), &[("note", SECTION_TEXT)]).await?)?;
    ok("reading the note", &consultant.get(&format!("/interviews/{interview}")).await?)?;
    // An outcome recorded two hours after the start, then corrected within the period.
    let recent = crate::forms::interview_at(&w, store::now_ms() - 2 * 3_600_000).await?;
    let status = format!("/interviews/{recent}/status");
    ok("recording the outcome", &consultant.post_form(&status, &[("status", "held")]).await?)?;
    let correction = [("status", "no_show"), ("note", "本人不在"), ("confirm", "1")];
    ok("correcting the outcome", &consultant.post_form(&status, &correction).await?)?;
    ok("revoking a token", &consultant.post_form(&format!("/tokens/{token}/revoke"), &[]).await?)?;
    ok("the calendar feed", &w.app.agent().get(&format!("/calendar/{feed}")).await?)?;

    // Consent: the consultant writes a disclosure, the employee agrees, the boss reads it.
    let text = [("purpose", "boss_feedback"), ("text", "本人の同意を得て伝える内容です。"), ("action", "save")];
    ok("writing a disclosure", &consultant.post_form(&format!("/reports/{approved}/disclosures"), &text).await?)?;
    let asked = w.store().authored_disclosures(&home.consultant.ctx.as_consultant()?, &Default::default()).await?;
    let disclosure = asked.first().map(|d| d.id).ok_or_else(|| anyhow::anyhow!("the disclosure was not written"))?;
    let mut employee = w.app.signed_in("emp-e002").await?;
    let grant = [("decision", "grant"), ("version", "1")];
    ok("agreeing", &employee.post_form(&format!("/my/consents/{disclosure}/decision"), &grant).await?)?;
    ok("reading the feedback", &w.app.signed_in("boss-e001").await?.get(&format!("/feedback/{disclosure}")).await?)?;

    // HR: the register and the taxonomy.
    let mut hr = w.app.signed_in("hr").await?;
    ok("the register", &hr.get("/employees").await?)?;
    let res = hr.post_form("/settings/taxonomy/tags", &[("label_ja", "検証タグ"), ("label_en", "Probe tag")]).await?;
    ok("adding an issue tag", &res)?;

    // The guide for bosses: HR publishes a version and reads who has acknowledged; the boss
    // acknowledges it. A boss consultation recorded and read by its consultant.
    let guide = [("title_ja", "上司ガイド"), ("body_ja", "本文"), ("title_en", "Guide"), ("body_en", "Text"), ("based_on", "1")];
    ok("publishing the guide", &hr.post_form("/settings/boss-guide", &guide).await?)?;
    ok("who has acknowledged", &hr.get("/settings/boss-guide/acknowledgments").await?)?;
    let mut boss = w.app.signed_in("boss").await?;
    ok("acknowledging the guide", &boss.post_form("/boss/guide/acknowledge", &[("version", "2")]).await?)?;
    let today = store::today_jst().format("%Y-%m-%d").to_string();
    let consultation = [("employee", "E002"), ("held_on", today.as_str()), ("support", "1on1を続ける")];
    let res = consultant.post_form("/boss-consultations", &consultation).await?;
    ensure!(res.status.is_redirection(), "recording a boss consultation: {}", res.brief());
    ok("reading the boss consultation", &consultant.get(res.location().unwrap_or("/boss-consultations")).await?)?;
    // A life/safety escalation: HR names the responders, a consultant raises the flag, health
    // staff read and acknowledge it and ask to disclose more, the HR lead approves.
    let health_id = w.actor(Role::Health)?.id.to_string();
    let hr2_id = w.hr2.id.to_string();
    let res = hr
        .post_form(
            "/settings/escalations",
            &[("ack_hours", "24"), ("notice_delay_max_days", "14"), ("responders", &health_id), ("responders", &hr2_id)],
        )
        .await?;
    ok("naming the responders", &res)?;
    let escalation = w.escalation(home, &home.consultant, "E002", false).await?;
    let mut health = w.app.signed_in("health").await?;
    ok("reading the escalation", &health.get(&format!("/escalations/{escalation}")).await?)?;
    ok("acknowledging it", &health.post_form(&format!("/escalations/{escalation}/acknowledge"), &[]).await?)?;
    let res = health.post_form(&format!("/escalations/{escalation}/disclosure-requests"), &[("reason", "危険が切迫しているため")]).await?;
    ok("asking to disclose more", &res)?;
    let asked = w.store().escalation(&w.actor(Role::Health)?.ctx, escalation).await?;
    let rid = asked.requests.first().map(|q| q.id).unwrap_or_default();
    w.store().approve_escalation_disclosure(&w.hr2.ctx.as_responder()?, escalation, rid, 0, "").await?;

    // The administrator: accounts, roles, disabling and enabling.
    let mut admin = w.app.signed_in("admin").await?;
    ok("the accounts", &admin.get("/admin/users").await?)?;
    let res = admin
        .post_form(
            "/admin/users",
            &[("login", "newcomer"), ("display_name", "新人 太郎"), ("password", "a-long-enough-password"), ("roles", "executive")],
        )
        .await?;
    ok("creating an account", &res)?;
    let hr2 = w.hr2.id;
    ok("changing roles", &admin.post_form(&format!("/admin/users/{hr2}/roles"), &[("roles", "hr"), ("roles", "consultant")]).await?)?;
    ok("disabling", &admin.post_form(&format!("/admin/users/{hr2}/status"), &[("status", "disabled")]).await?)?;
    ok("enabling", &admin.post_form(&format!("/admin/users/{hr2}/status"), &[("status", "active")]).await?)?;

    // A password change.
    let mut executive = w.app.signed_in("executive").await?;
    let res = executive
        .post_form(
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "another-long-password"), ("confirm_password", "another-long-password")],
        )
        .await?;
    ok("changing the password", &res)?;
    ok("an address for notices", &executive.post_form("/account/notifications", &[("email", "exec@example.co.jp")]).await?)?;

    // Two factors: enrol, sign in with a recovery code, reissue the codes, turn it off.
    let mut boss = w.app.signed_in("boss").await?;
    let (secret, recovery) = enroll(&mut boss).await?;
    let mut again = w.app.agent();
    ensure!(submit_login(&mut again, "boss", PASSWORD).await?.is_redirect_to("/login/code"));
    ensure!(submit_code(&mut again, &recovery[0]).await?.is_redirect_to("/"), "a recovery code");
    let res = boss.post_form("/account/two-factor/recovery-codes", &[("code", &code_for(&secret, 1))]).await?;
    ok("new recovery codes", &res)?;
    let renewed = recovery_codes_in(&res.body);
    ensure!(renewed.len() == 10, "new recovery codes: {}", res.brief());
    ok("turning two factors off", &boss.post_form("/account/two-factor/disable", &[("code", &renewed[0])]).await?)?;

    // Issue 8: an organizational issue raised, read and moved by HR; a personnel-authority mark.
    let flagged = w.flagged_report(home, &home.consultant, "E002").await?;
    let raised =
        consultant.post_form(&format!("/reports/{flagged}/org-issue"), &[("title", "長時間労働"), ("body", "残業が続いている。")]).await?;
    ok("raising an organizational issue", &raised)?;
    let issue = raised.location().and_then(|l| l.strip_prefix("/raised-issues/")).map(|l| l.split('?').next().unwrap_or("").to_string());
    let issue = issue.filter(|i| !i.is_empty()).context("the raised issue's address")?;
    ok("HR's register", &hr.get("/org-issues").await?)?;
    ok("moving an issue", &hr.post_form(&format!("/org-issues/{issue}/status"), &[("status", "resolved")]).await?)?;
    // Issue 10: an improvement action added to the issue; a policy document published.
    let added = hr
        .post_form(&format!("/org-issues/{issue}/actions"), &[("title", "1on1研修"), ("owner_text", "人事部"), ("due_on", "2026-06-30")])
        .await?;
    ok("adding an improvement action", &added)?;
    let published = hr
        .post_form("/policies", &[("title", "人材育成方針"), ("body", "本文"), ("approved_on", "2026-04-01"), ("approved_by", "取締役会")])
        .await?;
    ok("publishing a policy document", &published)?;
    let case = w.important_case(home, &home.consultant, "E002").await?;
    ok("an important case read", &hr.get(&format!("/important-cases/{case}")).await?)?;
    ok("an important case answered", &hr.post_form(&format!("/important-cases/{case}"), &[("status", "open")]).await?)?;
    // The management report: drafted, written, released and read over HTTP.
    let overall = w.overall_report(home, true).await?;
    let drafted = hr.post_form("/management-reports", &[("overall", &overall.to_string())]).await?;
    ok("drafting a management report", &drafted)?;
    let edit = drafted.location().context("the draft's address")?.to_string();
    ok("its commentary", &hr.post_form(&edit, &[("commentary", "所見")]).await?)?;
    let report = edit.trim_end_matches("/edit").to_string();
    ok("releasing it", &hr.post_form(&format!("{report}/release"), &[]).await?)?;
    ok("reading it", &hr.get(&report).await?)?;
    let hr_id = w.actor(Role::Hr)?.id;
    ok("a personnel-authority mark", &admin.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "1")]).await?)?;

    // Issue 9: an overall report drafted, written, approved, released and read; the settings.
    let started = consultant.post_form("/overall-reports", &[("cycle", &home.cycle.get().to_string())]).await?;
    ok("starting an overall report", &started)?;
    let report = started.location().and_then(|l| l.strip_prefix("/overall-reports/")).and_then(|l| l.strip_suffix("/edit"));
    let report = report.context("the overall report's address")?.to_string();
    let narrative = [("trends", "傾向"), ("issues", "課題"), ("solutions", "解決策"), ("development", "育成策")];
    ok("writing its narrative", &consultant.post_form(&format!("/overall-reports/{report}/edit"), &narrative).await?)?;
    let mut supervisor = w.app.signed_in("supervisor").await?;
    ok("approving it", &supervisor.post_form(&format!("/overall-reports/{report}/approve"), &[]).await?)?;
    ok("releasing it", &supervisor.post_form(&format!("/overall-reports/{report}/release"), &[]).await?)?;
    ok("HR reads it", &hr.get(&format!("/overall-reports/{report}")).await?)?;
    ok("the report settings", &hr.post_form("/settings/reports", &[("k", "12")]).await?)?;

    // Issue 10: paper answers entered from an interview and the interviewee's trajectory read.
    let today = store::today_jst().format("%Y-%m-%d").to_string();
    let answers = [("timing", "pre"), ("answered_on", today.as_str()), ("item-q01", "3")];
    ok("paper answers", &consultant.post_form(&format!("/interviews/{interview}/questionnaire"), &answers).await?)?;
    ok("the trajectory", &consultant.get(&format!("/interviews/{interview}/questionnaire")).await?)?;
    ok("the effect report", &hr.get("/reports/effect").await?)?;
    // HR defines a questionnaire and edits it (R13).
    let mut pulse = vec![
        ("code", "pulse"),
        ("title_ja", "パルス調査"),
        ("scale_min", "1"),
        ("scale_max", "2"),
        ("scale.labels[0].ja", "いいえ"),
        ("scale.labels[1].ja", "はい"),
        ("items[0].code", "p1"),
        ("items[0].text_ja", "今の仕事に満足している。"),
    ];
    ok("defining a questionnaire", &hr.post_form("/questionnaires/new", &pulse).await?)?;
    let pulse_id = w.store().questionnaire(&home.op, "pulse").await?.id.get();
    pulse[1] = ("title_ja", "パルス調査（改訂）");
    ok("editing it", &hr.post_form(&format!("/questionnaires/{pulse_id}"), &pulse).await?)?;

    // Issue 10: a referral made on the employee's consent, read and accepted by health staff.
    let consent = w.disclosure(home, &home.consultant, "E002", &home.supervisor, domain::consent::Purpose::Referral, true).await?;
    let form = [
        ("disclosure_id", consent.to_string()),
        ("recipient", "health".to_string()),
        ("escalation_id", String::new()),
        ("summary", String::new()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = consultant.post_form("/referrals", &form).await?;
    ok("making a referral", &made)?;
    let referral = made.location().map(|l| l.split('?').next().unwrap_or("").to_string()).context("the referral's address")?;
    let mut health = w.app.signed_in("health").await?;
    ok("reading the referral", &health.get(&referral).await?)?;
    ok("accepting the referral", &health.post_form(&format!("{referral}/decision"), &[("decision", "accept"), ("note", "")]).await?)?;

    // Issue 10: closing the cycle opens its yearly review; a proposal, the plan, finalized, read.
    let cycle = home.cycle.get();
    ok("closing the cycle", &hr.post_form(&format!("/cycles/{cycle}/status"), &[("status", "closed")]).await?)?;
    ok("a proposal", &consultant.post_form(&format!("/reviews/{cycle}/proposals"), &[("proposal", "案内を早める")]).await?)?;
    ok("the plan", &hr.post_form(&format!("/reviews/{cycle}/plan"), &[("plan", "案内を一か月早める")]).await?)?;
    ok("finalizing", &hr.post_form(&format!("/reviews/{cycle}/finalize"), &[]).await?)?;
    ok("reading the review", &hr.get(&format!("/reviews/{cycle}")).await?)?;

    // Issue 10: a follow-up planned from a report and the list read; next year's interview
    // page reads this year's support plan (前回の振り返り).
    let due = (store::today_jst() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let plan = [("kind", "follow_up"), ("due_on", due.as_str()), ("what", "状況を確認する")];
    ok("planning a follow-up", &consultant.post_form(&format!("/reports/{own_report}/follow-ups"), &plan).await?)?;
    ok("the follow-ups", &consultant.get("/follow-ups").await?)?;
    let next = crate::follow_ups::next_cycle_interview(&w).await?;
    ok("the previous plan", &consultant.get(&format!("/interviews/{next}")).await?)?;

    // The tenant's requirement, the audit log read and exported, and signing out.
    ok("the requirement", &admin.post_form("/admin/security", &[("requirement", "confidential")]).await?)?;
    ok("verifying the chain", &admin.post_form("/admin/audit/verify", &[]).await?)?;
    ok("the audit log", &admin.get("/admin/audit").await?)?;
    ok("the audit export", &admin.get("/admin/audit/export.csv?encoding=utf8bom").await?)?;
    ok("signing out", &hr.post_form("/logout", &[]).await?)?;

    // Every kind but the operator's is in the log.
    let store = w.store();
    let mut written = BTreeSet::new();
    for tenant in [home.tenant, w.other.tenant] {
        for e in store.recent_audit(tenant, 1_000_000, None).await? {
            written.insert(e.action);
        }
    }
    let never: Vec<&str> = AuditAction::ALL
        .into_iter()
        .filter(|a| !AuditAction::OPERATOR_ONLY.contains(a))
        .map(AuditAction::as_str)
        .filter(|a| !written.contains(*a))
        .collect();
    ensure!(never.is_empty(), "no operation above wrote these audit kinds: {never:?}");
    ensure!(!AuditAction::OPERATOR_ONLY.is_empty(), "the operator's kinds are listed");
    Ok(())
}
