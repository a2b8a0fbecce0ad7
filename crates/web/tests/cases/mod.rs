//! Issue 8's organizational issues and personnel authority over HTTP, on both databases: the
//! consultant raises an issue from their flagged report (the form kept with every problem, names
//! masked), HR reads the register and moves the status, another consultant gets 404; the
//! administrator marks an HR account as holding personnel authority, audited.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::Role;
use reqwest::StatusCode;
use testkit::Backend;

testkit::on_both_backends!(
    an_organizational_issue_goes_from_the_consultant_to_hrs_register,
    the_administrator_marks_personnel_authority,
    an_important_case_reaches_hr_under_consent_and_not_personnel_authority
);

/// The markup of the home's card `key` (up to the next card).
fn card(body: &str, key: &str) -> String {
    let Some(at) = body.find(&format!("data-card=\"{key}\"")) else { return format!("no card {key}") };
    let rest = &body[at..];
    let end = rest[1..].find("data-card=").map_or(rest.len(), |e| e + 1);
    rest[..end].to_string()
}

async fn an_organizational_issue_goes_from_the_consultant_to_hrs_register(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let report = w.flagged_report(&w.home, &w.home.consultant, "E002").await?;
    let plain = w.report(&w.home, &w.home.consultant, "E002", &w.home.supervisor, domain::report::ReportStatus::Submitted).await?;
    let mut c = w.app.signed_in("consultant").await?;

    // The report offers the form; one without the flag does not, and its form answers 404.
    let res = c.get(&format!("/reports/{report}")).await?;
    ensure!(res.body.contains(&format!("href=\"/reports/{report}/org-issue\"")), "no link on the flagged report");
    let res = c.get(&format!("/reports/{plain}")).await?;
    ensure!(!res.body.contains("/org-issue\""), "a link on a report without the flag");
    ensure!(c.get(&format!("/reports/{plain}/org-issue")).await?.status == StatusCode::NOT_FOUND, "form for an unflagged report");
    ensure!(c.get(&format!("/reports/{report}/org-issue")).await?.status == StatusCode::OK, "form");

    // Every problem at once, what was typed kept.
    let path = format!("/reports/{report}/org-issue");
    let res = c.post_form(&path, &[("title", ""), ("body", &"あ".repeat(4_001))]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    ensure!(res.body.contains("件名を入力してください。") && res.body.contains("課題の内容は4,000文字以内"), "both problems");
    ensure!(res.body.contains("aria-invalid=\"true\"") && res.body.contains(&"あ".repeat(4_001)), "kept and marked");

    let body = "山田 太郎さんによると、佐藤 健部長のもとで深夜までの残業が続いている。";
    let res = c.post_form(&path, &[("title", "長時間労働の常態化"), ("body", body)]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let to = res.location().context("redirect")?.to_string();
    ensure!(to.starts_with("/raised-issues/") && to.contains("masked=1"), "{to}");
    let res = c.get(&to).await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("自動的に伏せて保存しました"), "{}", res.brief());
    ensure!(!res.body.contains("山田") && !res.body.contains("佐藤") && res.body.contains("相談者"), "masked: {}", res.body);
    ensure!(!res.body.contains("/status\""), "the consultant does not move the status");
    let id: String = to.trim_start_matches("/raised-issues/").chars().take_while(char::is_ascii_digit).collect();
    let res = c.get("/raised-issues").await?;
    ensure!(res.body.contains(&format!("href=\"/raised-issues/{id}\"")), "the consultant's list");

    // Another consultant: as if it did not exist.
    let mut c2 = w.app.signed_in("consultant2").await?;
    ensure!(c2.get(&format!("/raised-issues/{id}")).await?.status == StatusCode::NOT_FOUND, "another consultant read it");
    ensure!(!c2.get("/raised-issues").await?.body.contains(&format!("/raised-issues/{id}\"")), "listed to another consultant");

    // HR: the home counts it, the register, the issue, the status.
    let mut hr = w.app.signed_in("hr").await?;
    let home = hr.get("/").await?;
    let issues = card(&home.body, "hr_org_issues");
    ensure!(issues.contains("<p class=\"figure\">1件</p>") && issues.contains("未対応1件、対応中0件"), "{issues}");
    ensure!(issues.contains("href=\"/org-issues?status=open\""), "{issues}");
    let res = hr.get("/org-issues").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("長時間労働の常態化") && res.body.contains("1件中"), "{}", res.body);
    ensure!(res.body.contains(&format!("href=\"/org-issues/{id}\"")), "the register links the issue");
    let res = hr.post_form(&format!("/org-issues/{id}/status"), &[("status", "bogus")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("状況を選んでください。"), "{}", res.brief());
    let res = hr.post_form(&format!("/org-issues/{id}/status"), &[("status", "in_progress")]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let res = hr.get(&format!("/org-issues/{id}?saved=1")).await?;
    ensure!(res.body.contains("対応状況を保存しました。") && res.body.contains("status-in_progress"), "{}", res.body);
    let res = hr.get("/org-issues?status=open").await?;
    ensure!(!res.body.contains(&format!("/org-issues/{id}\"")), "filtered out");
    let issues = card(&hr.get("/").await?.body, "hr_org_issues");
    ensure!(issues.contains("未対応0件、対応中1件") && issues.contains("href=\"/org-issues\""), "{issues}");
    let res = hr.get("/org-issues?status=in_progress").await?;
    ensure!(res.body.contains(&format!("/org-issues/{id}\"")), "filtered in");
    // The consultant sees HR's progress.
    ensure!(c.get(&format!("/raised-issues/{id}")).await?.body.contains("status-in_progress"), "progress shown to the author");
    // An English page.
    hr.post_form("/locale", &[("locale", "en"), ("next", "/org-issues")]).await?;
    let res = hr.get("/org-issues").await?;
    ensure!(res.body.contains("Organizational issues") && res.body.contains("In progress"), "{}", res.body);
    Ok(())
}

async fn the_administrator_marks_personnel_authority(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let hr_id = w.actor(Role::Hr)?.id;
    let mut admin = w.app.signed_in("admin").await?;
    let res = admin.get("/admin/personnel-authority").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("data-login=\"hr\""), "{}", res.brief());
    let res = admin.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "maybe")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    let res = admin.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "1")]).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let res = admin.get(res.location().context("redirect")?).await?;
    ensure!(res.body.contains("hr を人事権ありに設定しました。"), "{}", res.body);
    let audit = admin.get("/admin/audit?kind=personnel_authority_changed").await?;
    ensure!(audit.body.contains("人事権の設定を変更しました") && audit.body.contains("人事権なし → 人事権あり"), "{}", audit.body);
    // HR still keeps the register of organizational issues: they name nobody.
    let mut hr = w.app.signed_in("hr").await?;
    ensure!(hr.get("/org-issues").await?.status == StatusCode::OK, "HR's register");
    // HR cannot set it.
    ensure!(
        hr.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "0")]).await?.status == StatusCode::FORBIDDEN,
        "HR set it"
    );
    Ok(())
}

async fn an_important_case_reaches_hr_under_consent_and_not_personnel_authority(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let report = w.report(&w.home, &w.home.consultant, "E002", &w.home.supervisor, domain::report::ReportStatus::Approved).await?;
    let mut c = w.app.signed_in("consultant").await?;
    ensure!(c.get(&format!("/reports/{report}")).await?.body.contains(&format!("href=\"/reports/{report}/important-case\"")), "no link");
    let path = format!("/reports/{report}/important-case");
    let res = c.post_form(&path, &[("summary", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("事案の概要を入力してください。"), "{}", res.brief());
    let summary = "上司との関係に悩み、異動を希望している。配置の検討をお願いしたい。";
    let res = c.post_form(&path, &[("summary", summary)]).await?;
    ensure!(res.is_redirect_to(&format!("/reports/{report}?notice=important-case")), "{}", res.brief());
    ensure!(c.get(res.location().context("to")?).await?.body.contains("同意の確認を依頼しました"), "the notice");

    // Before consent HR sees nothing, on the list or the home.
    let mut hr = w.app.signed_in("hr").await?;
    let home = hr.get("/").await?;
    ensure!(card(&home.body, "hr_cases").contains("いま共有されている重要事案はありません。"), "{}", card(&home.body, "hr_cases"));
    let res = hr.get("/important-cases").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("同意を得て共有された重要事案はありません。"), "{}", res.body);
    let me = w.home.consultant.ctx.as_consultant()?;
    let rows = w.store().authored_disclosures(&me, &store::DisclosureQuery::default()).await?;
    let id = rows.first().map(|r| r.id).context("the disclosure")?;
    ensure!(hr.get(&format!("/important-cases/{id}")).await?.status == StatusCode::NOT_FOUND, "read before consent");
    let grant =
        store::ConsentInput { decision: domain::consent::ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
    w.store().record_consent_on_behalf(&me, id, &grant, domain::consent::ConsentMethod::Written, "書面で同意を確認").await?;

    // Granted: the home counts it as waiting for HR's answer; the list, the summary, the record
    // with every problem at once.
    let home = hr.get("/").await?;
    let waiting = card(&home.body, "hr_cases");
    ensure!(waiting.contains("<p class=\"figure\">1件</p>") && waiting.contains("重要事案1件のうち"), "{waiting}");
    ensure!(waiting.contains("href=\"/important-cases?status=open\""), "{waiting}");
    let res = hr.get("/important-cases").await?;
    ensure!(res.body.contains(&format!("href=\"/important-cases/{id}\"")) && res.body.contains("1件中"), "{}", res.body);
    let res = hr.get(&format!("/important-cases/{id}")).await?;
    ensure!(res.status == StatusCode::OK && res.body.contains(summary), "{}", res.brief());
    let res = hr.post_form(&format!("/important-cases/{id}"), &[("status", "resolved"), ("owner", ""), ("solution", "")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    ensure!(
        res.body.contains("担当を入力してください。") && res.body.contains("解決策を入力してください。"),
        "both problems: {}",
        res.body
    );
    let form = [("status", "resolved"), ("owner", "人事部 労務課"), ("solution", "配置転換を実施した。"), ("in_report", "1")];
    let res = hr.post_form(&format!("/important-cases/{id}"), &form).await?;
    ensure!(res.status == StatusCode::SEE_OTHER, "{}", res.brief());
    let home = hr.get("/").await?;
    ensure!(card(&home.body, "hr_cases").contains("1件すべてに、対応を記録済みです。"), "{}", card(&home.body, "hr_cases"));
    let res = hr.get(&format!("/important-cases/{id}?saved=1")).await?;
    ensure!(res.body.contains("配置転換を実施した。") && res.body.contains("value=\"resolved\" checked"), "{}", res.body);
    let res = hr.get("/important-cases?status=resolved&report=yes").await?;
    ensure!(res.body.contains(&format!("/important-cases/{id}\"")) && res.body.contains("人事部 労務課"), "filtered");
    ensure!(!hr.get("/important-cases?status=open").await?.body.contains(&format!("/important-cases/{id}\"")), "filtered out");

    // Personnel authority: the same HR account, marked by the administrator, at its next request.
    let mut admin = w.app.signed_in("admin").await?;
    let hr_id = w.actor(Role::Hr)?.id;
    ensure!(admin.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "1")]).await?.status == StatusCode::SEE_OTHER);
    let home = hr.get("/").await?;
    ensure!(card(&home.body, "hr_cases").contains("人事権をお持ちのアカウントには"), "{}", card(&home.body, "hr_cases"));
    let res = hr.get("/important-cases").await?;
    ensure!(
        res.body.contains("人事権を持つ方として設定されている") && !res.body.contains(&format!("/important-cases/{id}\"")),
        "{}",
        res.body
    );
    ensure!(hr.get(&format!("/important-cases/{id}")).await?.status == StatusCode::NOT_FOUND, "read with personnel authority");
    let res = hr.post_form(&format!("/important-cases/{id}"), &form).await?;
    ensure!(res.status == StatusCode::NOT_FOUND, "recorded with personnel authority: {}", res.brief());
    ensure!(admin.post_form(&format!("/admin/personnel-authority/{hr_id}"), &[("marked", "0")]).await?.status == StatusCode::SEE_OTHER);
    ensure!(hr.get(&format!("/important-cases/{id}")).await?.status == StatusCode::OK, "unmarked at once");
    Ok(())
}
