//! The audit log for people (`/admin/audit`) over HTTP, on both databases: the filters narrow
//! what is shown and the totals and pages add up; the CSV export starts with a BOM or decodes as
//! CP932, neutralizes a cell a spreadsheet would run, and is named by the day; reading and
//! exporting are themselves in the log; the English page has no Japanese outside user data;
//! nobody but the administrator reaches it.

use crate::support::*;
use anyhow::{ensure, Context, Result};
use domain::audit::{AuditAction, AuditTarget};
use domain::Role;
use reqwest::{Method, StatusCode};
use store::Ctx;
use testkit::{on_both_backends, Backend};

on_both_backends!(
    the_audit_log_filters_and_pages_with_totals,
    the_audit_log_exports_safe_csv_and_records_each_read,
    the_english_audit_log_has_no_japanese_outside_user_data;
    known_bugs:
);

fn total(res: &Resp) -> Option<i64> {
    let at = res.body.find("data-total=\"")? + "data-total=\"".len();
    res.body[at..].split('"').next()?.parse().ok()
}

fn rows(res: &Resp) -> Vec<String> {
    res.body
        .split("<tr data-seq=")
        .skip(1)
        .filter_map(|r| r.split("data-action=\"").nth(1)?.split('"').next().map(str::to_string))
        .collect()
}

async fn the_audit_log_filters_and_pages_with_totals(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let store = &app.store;
    let health = store.user_by_login(app.tenant.id, "health").await?;
    let boss = store.user_by_login(app.tenant.id, "boss").await?;
    // 120 report reads by the health account acting as health, 7 interview-list reads by boss.
    let as_health = Ctx::for_tests(app.tenant.id, health.id, "health", Some(Role::Health));
    for i in 0..120 {
        store.audit(&as_health, as_health.event(AuditAction::ReportRead, AuditTarget::Report, i)).await?;
    }
    let as_boss = Ctx::for_tests(app.tenant.id, boss.id, "boss", Some(Role::Boss));
    for i in 0..7 {
        store.audit(&as_boss, as_boss.event(AuditAction::InterviewListRead, AuditTarget::InterviewList, i)).await?;
    }
    let mut admin = app.signed_in("admin").await?;

    // By kind: three pages of 50, 50 and 20, newest first.
    let first = admin.get("/admin/audit?kind=report_read").await?;
    ensure!(first.status == StatusCode::OK, "{}", first.brief());
    ensure!(total(&first) == Some(120), "total of report reads: {:?}", total(&first));
    ensure!(rows(&first).len() == 50 && rows(&first).iter().all(|a| a == "report_read"), "{:?}", rows(&first));
    ensure!(first.body.contains("個別報告書 #119") && first.body.contains("個別報告書を閲覧しました"), "newest first, in words");
    ensure!(first.body.contains("health") && first.body.contains("120件中 1〜50件"), "{}", first.brief());
    let next = first.body.split("rel=\"next\"").next().and_then(|b| b.rsplit("href=\"").next()).unwrap_or_default();
    ensure!(next.starts_with("/admin/audit?kind=report_read&"), "the next page keeps the filter: {next}");
    let third = admin.get("/admin/audit?kind=report_read&page=3").await?;
    ensure!(rows(&third).len() == 20 && third.body.contains("個別報告書 #0") && !third.body.contains("page=4"), "{}", third.brief());
    let beyond = admin.get("/admin/audit?kind=report_read&page=9").await?;
    ensure!(beyond.is_redirect_to("/admin/audit?kind=report_read&page=3"), "past the end: the last page: {}", beyond.brief());
    let oldest_first = admin.get("/admin/audit?kind=report_read&sort=time&dir=asc").await?;
    ensure!(oldest_first.body.find("個別報告書 #0<") < oldest_first.body.find("個別報告書 #1<"), "oldest first on request");

    // By account, by role, both, and by a period.
    let by_boss = admin.get(&format!("/admin/audit?user={}", boss.id)).await?;
    ensure!(total(&by_boss) == Some(7) && rows(&by_boss).iter().all(|a| a == "interview_list_read"), "{:?}", rows(&by_boss));
    let by_role = admin.get("/admin/audit?role=health").await?;
    ensure!(total(&by_role) == Some(120), "health's events: {:?}", total(&by_role));
    let none = admin.get(&format!("/admin/audit?user={}&kind=report_read", boss.id)).await?;
    ensure!(total(&none) == Some(0) && none.body.contains("記録はありません"), "{}", none.brief());
    let today = store::today_jst();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let tomorrow = today.succ_opt().context("tomorrow")?;
    let yesterday = today.pred_opt().context("yesterday")?;
    let todays = admin.get(&format!("/admin/audit?kind=report_read&from={}&to={}", day(today), day(today))).await?;
    ensure!(total(&todays) == Some(120), "{:?}", total(&todays));
    let later = admin.get(&format!("/admin/audit?from={}", day(tomorrow))).await?;
    ensure!(total(&later) == Some(0), "{:?}", total(&later));
    let earlier = admin.get(&format!("/admin/audit?to={}", day(yesterday))).await?;
    ensure!(total(&earlier) == Some(0), "{:?}", total(&earlier));
    let everything = admin.get("/admin/audit").await?;
    let all = total(&everything).context("a total")?;
    ensure!(all > 127, "everything: {all}");

    // Wrong filters, as every list treats them: dropped, so the list and its links no longer
    // narrow by them; a date typed wrong is shown again with a word beside it.
    let bad = admin.get("/admin/audit?from=2026-13-40&role=king&kind=nope").await?;
    // (Unfiltered: everything, and the read of the page just before, itself an event.)
    ensure!(bad.status == StatusCode::OK && total(&bad) == Some(all + 1), "{:?} {}", total(&bad), bad.brief());
    ensure!(
        bad.body.contains(r#"value="2026-13-40""#) && bad.body.contains("日付は「2026-12-03」の形式で入力してください。"),
        "{}",
        bad.brief()
    );
    ensure!(bad.body.contains(r#"aria-invalid="true" aria-describedby="audit-from-error""#), "{}", bad.brief());
    ensure!(!bad.body.contains("kind=nope") && !bad.body.contains("role=king"), "a dropped filter is not carried on");
    let reversed = admin.get(&format!("/admin/audit?from={}&to={}", day(today), day(yesterday))).await?;
    ensure!(reversed.status == StatusCode::OK && reversed.body.contains("終了日は開始日以降"), "{}", reversed.brief());
    let export = admin.get("/admin/audit/export.csv?from=yesterday").await?;
    ensure!(export.status == StatusCode::UNPROCESSABLE_ENTITY, "an export with a wrong date: {}", export.brief());

    // Only the administrator, as the route table says.
    for login in ["hr", "consultant", "supervisor", "employee"] {
        let mut other = app.signed_in(login).await?;
        for path in ["/admin/audit", "/admin/audit/export.csv"] {
            let res = other.get(path).await?;
            ensure!(res.status == StatusCode::FORBIDDEN, "{login} {path}: {}", res.brief());
        }
    }
    Ok(())
}

async fn the_audit_log_exports_safe_csv_and_records_each_read(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    // A failed sign-in with a formula as its login: the login is written to the log.
    let mut stranger = app.agent();
    let res = submit_login(&mut stranger, "=cmd()", "whatever").await?;
    ensure!(res.status == StatusCode::UNAUTHORIZED, "{}", res.brief());
    let mut admin = app.signed_in("admin").await?;
    let page = admin.get("/admin/audit?kind=sign_in_failed").await?;
    ensure!(page.body.contains("ログインに失敗しました") && page.body.contains("ログインID「=cmd()」"), "{}", page.brief());

    let res = admin.get("/admin/audit/export.csv?kind=sign_in_failed&encoding=utf8bom").await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(res.header("content-type") == Some("text/csv; charset=utf-8"), "{:?}", res.header("content-type"));
    let name = format!("careerdock-audit-{}.csv", store::today_jst().format("%Y-%m-%d"));
    ensure!(res.header("content-disposition").is_some_and(|d| d.contains(&name)), "{:?}", res.header("content-disposition"));
    let rb = admin.request(Method::GET, "/admin/audit/export.csv?kind=sign_in_failed&encoding=utf8bom");
    let bytes = raw_bytes(rb).await?;
    ensure!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM: {:?}", &bytes[..bytes.len().min(8)]);
    let text = String::from_utf8(bytes[3..].to_vec())?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers()?.clone();
    ensure!(header.iter().any(|h| h == "操作") && header.iter().any(|h| h == "日時（日本時間）"), "{header:?}");
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    ensure!(records.len() == 1, "one failed sign-in: {records:?}");
    let cells: Vec<&str> = records[0].iter().collect();
    ensure!(cells.iter().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "a cell a spreadsheet would run: {cells:?}");
    ensure!(cells.contains(&"'=cmd()") && cells.contains(&"ログインに失敗しました"), "{cells:?}");

    let rb = admin.request(Method::GET, "/admin/audit/export.csv?kind=sign_in_failed&encoding=sjis");
    let sjis = raw_bytes(rb).await?;
    ensure!(!sjis.starts_with(&[0xEF, 0xBB, 0xBF]), "CP932 has no BOM");
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis);
    ensure!(!bad && decoded.contains("ログインに失敗しました") && decoded.contains("'=cmd()"), "{decoded}");
    let wrong = admin.get("/admin/audit/export.csv?encoding=latin1").await?;
    ensure!(wrong.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.brief());

    // The reads and the exports are in the log, with their filters.
    let log = app.store.recent_audit(app.tenant.id, 100, None).await?;
    let has = |action: AuditAction, detail: &str| log.iter().any(|e| e.action == action.as_str() && e.detail.contains(detail));
    ensure!(has(AuditAction::AuditLogRead, "kind=sign_in_failed offset=0 count=1"), "{log:#?}");
    ensure!(has(AuditAction::AuditLogExported, "kind=sign_in_failed encoding=utf8bom count=1"), "{log:#?}");
    ensure!(has(AuditAction::AuditLogExported, "encoding=sjis"), "{log:#?}");
    ensure!(
        log.iter()
            .filter(|e| e.action == AuditAction::AuditLogExported.as_str())
            .all(|e| e.actor_label == "admin" && e.acting_role == "admin"),
        "exports are recorded as the administrator's"
    );
    let shown = admin.get("/admin/audit?kind=audit_log_exported").await?;
    ensure!(shown.body.contains("監査ログを書き出しました") && shown.body.contains("文字コード：UTF-8（BOM付き）"), "{}", shown.brief());
    Ok(())
}

/// The raw bytes of an answer (the agent's `Resp` holds text).
async fn raw_bytes(rb: reqwest::RequestBuilder) -> Result<Vec<u8>> {
    let res = rb.send().await?;
    ensure!(res.status() == StatusCode::OK, "{}", res.status());
    Ok(res.bytes().await?.to_vec())
}

fn japanese(s: &str) -> Vec<String> {
    let is_ja = |c: char| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xFF00..=0xFFEF | 0x3000..=0x303F);
    let mut found = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if is_ja(c) {
            run.push(c);
        } else if !run.is_empty() {
            found.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        found.push(run);
    }
    found
}

async fn the_english_audit_log_has_no_japanese_outside_user_data(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let mut stranger = app.agent();
    submit_login(&mut stranger, "hr", "wrong-password").await?;
    let hr = app.store.user_by_login(app.tenant.id, "hr").await?;
    let ctx = Ctx::for_tests(app.tenant.id, hr.id, "hr", Some(Role::Hr));
    app.store
        .audit(
            &ctx,
            ctx.event(AuditAction::EmployeeListRead, AuditTarget::EmployeeRegister, "list").detail(domain::audit::AuditDetail::count(50)),
        )
        .await?;
    let mut admin = app.signed_in("admin").await?;
    let res = admin.post_form("/locale", &[("locale", "en"), ("next", "/admin/audit")]).await?;
    ensure!(res.is_redirect_to("/admin/audit"), "{}", res.brief());
    for path in ["/admin/audit", "/admin/audit?kind=nope", "/admin/audit?kind=employee_list_read"] {
        let page = admin.get(path).await?;
        ensure!(page.body.contains(r#"<html lang="en""#), "{}", page.brief());
        // User data: the organization's name; the language switch names Japanese in Japanese.
        let body = page.body.replace(&app.tenant.name, "").replace("日本語", "");
        let left = japanese(&body);
        ensure!(left.is_empty(), "{path} in English still shows {left:?}");
    }
    let page = admin.get("/admin/audit?kind=employee_list_read").await?;
    ensure!(page.body.contains("Read a list of employees") && page.body.contains("50 items"), "{}", page.brief());
    ensure!(page.body.contains("Employee register") && !page.body.contains("count=50"), "{}", page.brief());
    let rb = admin.request(Method::GET, "/admin/audit/export.csv?encoding=utf8bom");
    let csv = String::from_utf8(raw_bytes(rb).await?)?;
    ensure!(csv.contains("Action code") && japanese(&csv.replace(&app.tenant.name, "")).is_empty(), "{csv}");
    Ok(())
}
