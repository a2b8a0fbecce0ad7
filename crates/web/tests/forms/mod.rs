//! Forms keep what was typed (issue 7, item 4), over HTTP on SQLite and PostgreSQL: a form sent
//! with several problems answers 422 with the same form, every problem listed at the top (each
//! a link to its field) and said beside its field (`aria-invalid`, `aria-describedby`), and
//! every value as typed — the review's scores and comments included. Interviews are held only
//! once started; a wrong outcome is corrected within the period, audited, and refused after it;
//! what cannot be undone is confirmed first. A report is started from the interview's page; the
//! new-cycle form proposes the next fiscal year.

use crate::records::world::World;
use crate::support::Resp;
use anyhow::{ensure, Context, Result};
use chrono::Datelike;
use domain::ids::InterviewId;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::ReportStatus;
use reqwest::StatusCode;
use store::{NewInterview, Taxonomy};
use testkit::{on_both_backends, Backend};

on_both_backends!(
    a_review_sent_back_keeps_its_scores_and_comments,
    submitting_lists_every_missing_section_at_once,
    held_waits_for_the_start_time,
    a_wrong_outcome_is_corrected_within_the_period_and_audited,
    a_report_is_started_from_the_interview_page,
    the_new_cycle_form_proposes_the_next_fiscal_year,
    the_scheduling_form_lists_every_problem,
    consultation_forms_list_every_problem,
    account_forms_list_every_problem,
    token_and_taxonomy_forms_keep_what_was_typed;
    known_bugs:
);

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// The form came back: 422, the summary at the top, and each `(field, message)` beside its
/// field, linked from the summary, the field marked invalid.
pub(crate) fn expect_sent_back(res: &Resp, what: &str, fields: &[(&str, &str)]) -> Result<()> {
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", res.brief());
    ensure!(res.body.contains(r#"id="form-errors""#), "{what}: no summary of the problems");
    ensure!(!res.body.contains("ホームへ戻る"), "{what}: the error page instead of the form");
    for (field, message) in fields {
        let beside = format!(r#"<p class="field-error" id="err-{field}">"#);
        let at = res.body.find(&beside).with_context(|| format!("{what}: nothing said beside {field}"))?;
        let said = res.body.get(at..).unwrap_or_default().split("</p>").next().unwrap_or_default();
        ensure!(said.contains(message), "{what}: beside {field} is {said:?}, not {message:?}");
        ensure!(res.body.matches(message).count() >= 2, "{what}: {message:?} is not in the summary too");
        ensure!(
            res.body.contains(&format!(r#"aria-describedby="err-{field}""#)) || res.body.contains(&format!(r#" err-{field}""#)),
            "{what}: {field} is not described by its message"
        );
    }
    ensure!(res.body.contains(r#"aria-invalid="true""#), "{what}: no field marked invalid");
    Ok(())
}

/// A one-hour interview of the home consultant with 山田 (E002) starting at `start_ms`.
pub(crate) async fn interview_at(w: &World, start_ms: i64) -> Result<InterviewId> {
    let c = &w.home;
    let new = NewInterview {
        cycle: Some(c.cycle),
        employee: c.employee("E002")?,
        kind: InterviewKind::FollowUp,
        mode: InterviewMode::Online,
        place: String::new(),
        slot: Slot::new(start_ms, start_ms + HOUR).map_err(|e| anyhow::anyhow!("{e:?}"))?,
    };
    Ok(w.store().schedule_interview(&c.consultant.ctx.as_consultant()?, &new).await?)
}

async fn a_review_sent_back_keeps_its_scores_and_comments(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let (c, sup) = (&w.home, &w.home.supervisor);
    let id = w.report(c, &c.consultant, "E002", sup, ReportStatus::Submitted).await?;
    let rubric = w.store().taxonomy(c.tenant, Taxonomy::Rubric, true).await?;
    let (first, second) = (rubric.first().context("rubric")?.code.clone(), rubric.get(1).context("a second rubric item")?.code.clone());
    let mut a = w.app.signed_in("supervisor").await?;
    let path = format!("/reports/{id}/review");

    // Too long a comment on a section, and a score out of range: both said, all kept.
    let long = "具体的に".repeat(1_300);
    let (s1, s2) = (format!("score_{first}"), format!("score_{second}"));
    let res = a.post_form(&path, &[("decision", "return"), ("comment_workplace", &long), (&s1, "3"), (&s2, "9")]).await?;
    expect_sent_back(&res, "a long comment and a bad score", &[("comment_workplace", "5,000文字以内"), ("scores", "評価は1〜4")])?;
    ensure!(res.body.contains(&long), "the comment typed is lost");
    ensure!(res.body.contains(r#"<option value="3" selected>"#), "the score chosen is lost");
    ensure!(
        res.body.contains(r##"href="#comment_workplace""##) && res.body.contains(r##"href="#review-rubric""##),
        "the summary links to the fields"
    );

    // Returned without any comment: said beside the general comment, the scores kept.
    let res = a.post_form(&path, &[("decision", "return"), ("comment_general", "  "), (&s1, "2"), (&s2, "4")]).await?;
    expect_sent_back(&res, "a return without a comment", &[("comment_general", "少なくとも1つのコメント")])?;
    ensure!(res.body.contains(r#"<option value="2" selected>"#) && res.body.contains(r#"<option value="4" selected>"#), "scores lost");
    let still = w.store().read_report(&sup.ctx, id, domain::Locale::Ja).await?;
    ensure!(still.summary.status == ReportStatus::Submitted, "nothing was decided");

    // In English too, and then the review goes through.
    let res = a
        .send(
            a.request(reqwest::Method::POST, &path)
                .header("accept-language", "en")
                .form(&[("decision", "return"), ("csrf", a.csrf.as_str())]),
        )
        .await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains("write at least one comment"), "{}", res.brief());
    let ok = a.post_form(&path, &[("decision", "return"), ("comment_workplace", "具体例を追記してください。"), (&s1, "2")]).await?;
    ensure!(ok.is_redirect_to(&format!("/reports/{id}?notice=returned")), "{}", ok.brief());
    Ok(())
}

async fn submitting_lists_every_missing_section_at_once(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c = &w.home;
    let interview = w.held_interview(c, &c.consultant, "E002").await?;
    let id = w.store().create_report(&c.consultant.ctx.as_consultant()?, interview).await?;
    let mut a = w.app.signed_in("consultant").await?;
    let path = format!("/reports/{id}");

    // Two sections too long at once: both said, the text kept as typed, nothing saved.
    let long = "あ".repeat(20_001);
    let res = a
        .post_form(&path, &[("version", "1"), ("career_awareness", &long), ("workplace", &long), ("support_plan", "支援方針の下書き")])
        .await?;
    expect_sent_back(&res, "two long sections", &[("career_awareness", "20000文字以内"), ("workplace", "20000文字以内")])?;
    ensure!(res.body.contains("支援方針の下書き") && res.body.contains(&long), "the text typed is lost");

    // Saved and submitted with two of the three required sections empty: both said at once.
    let res = a
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("career_awareness", "キャリアの方向性に迷いがある。"),
                ("support_plan", "支援方針の下書き"),
                ("then_submit", "1"),
            ],
        )
        .await?;
    expect_sent_back(
        &res,
        "a submission without two sections",
        &[("workplace", "「職場環境」を記入"), ("organization", "「組織内の問題」を記入")],
    )?;
    ensure!(res.body.contains("キャリアの方向性に迷いがある。") && res.body.contains("支援方針の下書き"), "the saved text is not shown");
    ensure!(!res.body.contains(r#"id="err-career_awareness""#), "a written section is not a problem");
    Ok(())
}

async fn held_waits_for_the_start_time(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut a = w.app.signed_in("consultant").await?;
    let now = store::now_ms();

    // Two weeks ahead: held is refused (confirmed or not); with no outcome chosen and too long
    // a note, both are said and the note kept.
    let later = interview_at(&w, now + 14 * DAY).await?;
    let path = format!("/interviews/{later}/status");
    let page = a.get(&format!("/interviews/{later}")).await?;
    ensure!(page.body.contains("開始時刻") && page.body.contains(r#"value="held" disabled"#), "the page does not say held must wait");
    let res = a.post_form(&path, &[("status", "held"), ("confirm", "1")]).await?;
    expect_sent_back(&res, "held before the start", &[("status", "開始時刻より前")])?;
    let note = "理".repeat(501);
    let res = a.post_form(&path, &[("status", ""), ("note", &note)]).await?;
    expect_sent_back(&res, "no outcome and a long note", &[("status", "状態の指定"), ("note", "500文字以内")])?;
    ensure!(res.body.contains(&note), "the note typed is lost");
    let me = w.home.consultant.ctx.as_consultant()?;
    ensure!(w.store().interview(&me, later).await?.status == InterviewStatus::Scheduled, "the interview changed");

    // The clock's edge: refused a moment before the start, recorded once it has come.
    let start = store::now_ms() + 1_500;
    let soon = interview_at(&w, start).await?;
    let path = format!("/interviews/{soon}/status");
    let early = a.post_form(&path, &[("status", "held")]).await?;
    ensure!(store::now_ms() < start, "the machine was too slow to ask before the start");
    expect_sent_back(&early, "held a moment early", &[("status", "開始時刻より前")])?;
    tokio::time::sleep(std::time::Duration::from_millis((start - store::now_ms()).max(0) as u64 + 50)).await;
    let on_time = a.post_form(&path, &[("status", "held")]).await?;
    ensure!(on_time.is_redirect_to(&format!("/interviews/{soon}?done=status")), "{}", on_time.brief());
    ensure!(w.store().interview(&me, soon).await?.status == InterviewStatus::Held, "not recorded");
    Ok(())
}

async fn a_wrong_outcome_is_corrected_within_the_period_and_audited(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut a = w.app.signed_in("consultant").await?;
    let me = w.home.consultant.ctx.as_consultant()?;
    let now = store::now_ms();

    // Held two hours ago, recorded at once (it can still be corrected: no confirmation).
    let recent = interview_at(&w, now - 2 * HOUR).await?;
    let path = format!("/interviews/{recent}/status");
    let res = a.post_form(&path, &[("status", "held")]).await?;
    ensure!(res.is_redirect_to(&format!("/interviews/{recent}?done=status")), "{}", res.brief());
    let page = a.get(&format!("/interviews/{recent}")).await?;
    ensure!(page.body.contains("記録の修正") && page.body.contains("14日以内"), "the page does not offer the correction and its period");

    // The correction asks first (a page of its own, no script), then is recorded and audited.
    let ask = a.post_form(&path, &[("status", "no_show"), ("note", "本人不在")]).await?;
    ensure!(ask.status == StatusCode::OK && ask.body.contains("「実施済み」から「欠席」に修正します"), "{}", ask.brief());
    ensure!(
        ask.body.contains(r#"name="confirm" value="1""#) && ask.body.contains("本人不在"),
        "the confirmation does not carry the choice"
    );
    ensure!(w.store().interview(&me, recent).await?.status == InterviewStatus::Held, "changed before the confirmation");
    let done = a.post_form(&path, &[("status", "no_show"), ("note", "本人不在"), ("confirm", "1")]).await?;
    ensure!(done.is_redirect_to(&format!("/interviews/{recent}?done=status")), "{}", done.brief());
    ensure!(w.store().interview(&me, recent).await?.status == InterviewStatus::NoShow, "not corrected");
    let events = w.store().recent_audit(w.home.tenant, 20, None).await?;
    let corrected = events.iter().find(|e| e.action == "interview_status_corrected").context("the correction is not audited")?;
    ensure!(corrected.target_id == recent.to_string() && corrected.detail == "held->no_show", "{corrected:?}");

    // Cancelling asks first too.
    let later = interview_at(&w, now + 3 * DAY).await?;
    let ask = a.post_form(&format!("/interviews/{later}/status"), &[("status", "cancelled"), ("note", "本人の都合")]).await?;
    ensure!(ask.status == StatusCode::OK && ask.body.contains("「キャンセル」として記録します"), "{}", ask.brief());

    // Twenty days ago: the record is final; the page says so and a correction is refused.
    let old = interview_at(&w, now - 20 * DAY).await?;
    w.store().set_interview_status(&me, old, InterviewStatus::Held, "").await?;
    let page = a.get(&format!("/interviews/{old}")).await?;
    ensure!(page.body.contains("確定しています"), "the page does not say the record is final");
    let res = a.post_form(&format!("/interviews/{old}/status"), &[("status", "no_show"), ("confirm", "1")]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.body.contains(r#"id="form-errors""#), "{}", res.brief());
    ensure!(res.body.contains("14日を過ぎたため") && res.body.contains(r#"id="err-status""#), "the refusal is not said: {}", res.brief());
    ensure!(w.store().interview(&me, old).await?.status == InterviewStatus::Held, "corrected after the period");
    Ok(())
}

async fn a_report_is_started_from_the_interview_page(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c = &w.home;
    let held = w.held_interview(c, &c.consultant, "E002").await?;
    let mut a = w.app.signed_in("consultant").await?;

    // The old address leads to the interview's page while there is no report.
    let old = a.get(&format!("/reports/new?interview={held}")).await?;
    ensure!(old.is_redirect_to(&format!("/interviews/{held}#report")), "{}", old.brief());
    let page = a.get(&format!("/interviews/{held}")).await?;
    ensure!(page.body.contains(r#"action="/reports""#) && page.body.contains(&format!(r#"name="interview" value="{held}""#)), "no button");

    // One POST starts the draft and opens its editor, with the employee's name and the date.
    let res = a.post_form("/reports", &[("interview", &held.to_string())]).await?;
    let to = res.location().unwrap_or_default().to_string();
    ensure!(to.starts_with("/reports/") && to.ends_with("/edit"), "{}", res.brief());
    let editor = a.get(&to).await?;
    let row = w.store().interview(&c.consultant.ctx.as_consultant()?, held).await?;
    let day = domain::time::format_jst(row.starts_at).chars().take(10).collect::<String>().replace('-', "/");
    ensure!(editor.status == StatusCode::OK && editor.body.contains("山田 太郎") && editor.body.contains(&day), "{}", editor.brief());
    let again = a.get(&format!("/reports/new?interview={held}")).await?;
    ensure!(again.is_redirect_to(&to), "the old address opens the report: {}", again.brief());

    // A colleague's interview answers as one that does not exist.
    let theirs = w.held_interview(c, c.consultant2()?, "E003").await?;
    ensure!(a.get(&format!("/reports/new?interview={theirs}")).await?.status == StatusCode::NOT_FOUND, "colleague's interview");
    ensure!(a.post_form("/reports", &[("interview", &theirs.to_string())]).await?.status == StatusCode::NOT_FOUND, "colleague's POST");
    Ok(())
}

async fn the_new_cycle_form_proposes_the_next_fiscal_year(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut a = w.app.signed_in("hr").await?;
    // The world's active cycle covers the current fiscal year: the next one is proposed.
    let (from, _) = crate::records::world::fiscal_year()?;
    let next = from.year() + 1;
    let (name, starts, ends) = (format!("{next}年度 セルフ・キャリアドック"), format!("{next}-04-01"), format!("{}-03-31", next + 1));
    let page = a.get("/cycles/new").await?;
    for v in [&name, &starts, &ends] {
        ensure!(page.body.contains(&format!(r#"value="{v}""#)), "the form does not propose {v}");
    }

    // Several problems at once, every value kept.
    let res = a
        .post_form(
            "/cycles",
            &[("name", ""), ("starts_on", "4月1日"), ("ends_on", &ends), ("age", "33"), ("department", "営業本部"), ("intent", "create")],
        )
        .await?;
    expect_sent_back(&res, "a cycle form with three problems", &[("name", "名称"), ("starts_on", "開始日"), ("age", "節目年齢")])?;
    ensure!(res.body.contains(r#"value="4月1日""#) && res.body.contains(&format!(r#"value="{ends}""#)), "the dates typed are lost");
    ensure!(res.body.contains(r#"value="営業本部" checked"#), "the department chosen is lost");

    // The proposal is created as it stands.
    let res = a.post_form("/cycles", &[("name", &name), ("starts_on", &starts), ("ends_on", &ends), ("intent", "create")]).await?;
    ensure!(res.is_redirect_to("/cycles/"), "{}", res.brief());
    let page = a.get("/cycles/new").await?;
    ensure!(page.body.contains(&format!(r#"value="{}年度 セルフ・キャリアドック""#, next + 1)), "the year after is proposed next");
    Ok(())
}

async fn the_scheduling_form_lists_every_problem(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut a = w.app.signed_in("consultant").await?;
    let place = "場".repeat(301);
    let res = a
        .post_form(
            "/interviews",
            &[
                ("employee_number", ""),
                ("kind", "x"),
                ("mode", "in_person"),
                ("place", &place),
                ("date", "2026/13/40"),
                ("start", "10:00"),
                ("end", "11:00"),
            ],
        )
        .await?;
    expect_sent_back(
        &res,
        "a scheduling form with four problems",
        &[("employee_number", "社員番号"), ("kind", "種別"), ("place", "文字以内"), ("date", "日付")],
    )?;
    ensure!(
        res.body.contains(&place) && res.body.contains(r#"value="2026/13/40""#) && res.body.contains(r#"value="10:00""#),
        "the values typed are lost"
    );
    Ok(())
}

async fn consultation_forms_list_every_problem(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let id = w.request(&w.home, "E002").await?;
    let mut a = w.app.signed_in("consultant").await?;
    // Answering with a date, a place and a reply all wrong: all three said, all kept.
    let (place, reply) = ("場".repeat(301), "返".repeat(1_001));
    let res = a
        .post_form(
            &format!("/requests/{id}/schedule"),
            &[("date", "来週"), ("start", "10:00"), ("end", "11:00"), ("mode", "online"), ("place", &place), ("reply", &reply)],
        )
        .await?;
    expect_sent_back(&res, "an answer with three problems", &[("date", "日付"), ("place", "文字以内"), ("reply", "1,000文字以内")])?;
    ensure!(res.body.contains(&place) && res.body.contains(&reply) && res.body.contains(r#"value="来週""#), "the answer typed is lost");
    ensure!(res.body.contains(&format!(r##"href="#rq-{id}-date""##)), "the summary links to this request's field");
    // Declining without a reason.
    let res = a.post_form(&format!("/requests/{id}/decline"), &[("reason", " ")]).await?;
    expect_sent_back(&res, "a decline without a reason", &[("reason", "理由")])?;

    // The employee's own request: no preferred time and too long a message, both said.
    let mut e = w.app.signed_in("emp-e003").await?;
    let message = "相".repeat(2_001);
    let res = e.post_form("/my/requests", &[("preferred", " "), ("message", &message)]).await?;
    expect_sent_back(&res, "a request with two problems", &[("preferred", "希望日時を入力"), ("message", "2,000文字以内")])?;
    ensure!(res.body.contains(&message), "the message typed is lost");
    Ok(())
}

async fn account_forms_list_every_problem(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let mut admin = w.app.signed_in("admin").await?;
    // A new account with four problems: all said, everything but the password kept.
    let res = admin
        .post_form(
            "/admin/users",
            &[("login", "山田 太郎"), ("display_name", "新しい 利用者"), ("password", "short"), ("employee_number", "E999")],
        )
        .await?;
    expect_sent_back(
        &res,
        "a new account with four problems",
        &[("login", "ログインID"), ("password", "8"), ("roles", "役割を1つ以上"), ("employee_number", "E999")],
    )?;
    ensure!(res.body.contains(r#"value="山田 太郎""#) && res.body.contains(r#"value="新しい 利用者""#), "the values typed are lost");
    ensure!(!res.body.contains("short"), "a password is never sent back");

    // Changing one's password: the current one wrong, the new one too short and not repeated.
    let mut c = w.app.signed_in("consultant").await?;
    let res = c
        .post_form("/account/password", &[("current_password", "wrong-password"), ("new_password", "short"), ("confirm_password", "other")])
        .await?;
    expect_sent_back(
        &res,
        "a password change with three problems",
        &[("current_password", "現在のパスワード"), ("new_password", "8"), ("confirm_password", "一致しません")],
    )?;
    ensure!(!res.body.contains("wrong-password") && !res.body.contains(r#"value="short""#), "passwords are never sent back");
    Ok(())
}

async fn token_and_taxonomy_forms_keep_what_was_typed(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    // An API token with a role the user does not hold, an unknown expiry and too long a name.
    let mut c = w.app.signed_in("consultant").await?;
    let name = "連".repeat(81);
    let res = c.post_form("/tokens", &[("name", &name), ("role", "admin"), ("expires", "7000")]).await?;
    expect_sent_back(&res, "a token with three problems", &[("name", "80文字以内"), ("role", "役割"), ("expires", "有効期限")])?;
    ensure!(res.body.contains(&name), "the name typed is lost");

    // A taxonomy item without its Japanese name: said beside it, the English name kept.
    let mut hr = w.app.signed_in("hr").await?;
    let res = hr.post_form("/settings/taxonomy/tags", &[("label_ja", " "), ("label_en", "Workload")]).await?;
    expect_sent_back(&res, "a tag without its Japanese name", &[("label_ja", "1〜")])?;
    ensure!(res.body.contains(r#"value="Workload""#) && res.body.contains(r##"href="#new-ja-tags""##), "the tag typed is lost");
    Ok(())
}
