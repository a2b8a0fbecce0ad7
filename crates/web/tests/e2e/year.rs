//! One employee's year in the browser (issue 10): consultant1 writes the report of the interview
//! held with 山田 and submits it; the supervisor approves it; 佐藤, the boss, finds nothing until
//! 山田 agrees on わたしの同意 to the feedback consultant1 wrote, then reads exactly it, and
//! consultant1 records the consultation with the boss; an additional interview planned from the
//! report's support plan is held, with the career-awareness questionnaire answered before (by 山田
//! on わたしのアンケート) and after (on paper, entered by consultant1), and consultant1 sees both
//! points; with 山田's consent to a referral, consultant1 refers 山田 to health staff, who accept;
//! HR creates the next cycle and assigns 山田 to consultant1, whose new interview's page looks
//! back on the year: the support plan, the open follow-up, the questionnaire's two points — in
//! Japanese, and in English after the language switch, which keeps the page.
//!
//! The operator's part is prepared through the store: the register, the accounts, the first
//! cycle and its held interview (`fixture::held_cycle_interview`).

use super::consent::{boss_reads, shown_text};
use super::fixture::{self, Fixture, CONSULTANT1};
use super::{expect_absent, expect_present, Timer, Ui};
use crate::support::{spawn_app, App, PASSWORD};
use anyhow::{bail, Context, Result};
use chrono::{Datelike, Duration, NaiveDate};
use domain::Role;
use fantoccini::Locator;
use store::{Ctx, NewUser};
use testkit::Backend;

testkit::on_both_backends!(one_employee_goes_through_a_year; known_bugs:);

/// 山田 (E002) and their boss 佐藤 (E001).
const EMPLOYEE: &str = "yamada";
const BOSS: &str = "sato";
/// The health staff account every test application has.
const HEALTH: &str = "health";

const SUPPORT_PLAN: &str = "企画職に必要な経験を棚卸しし、上司と異動希望を話し合う場を設ける。";
const SECTIONS: &[(&str, &str)] = &[
    ("career_awareness", "営業の経験を生かして、企画の仕事に挑戦したいと考え始めている。"),
    ("workplace", "上司との1on1は月1回。業務量は適正と感じている。"),
    ("organization", "部門間で顧客の情報が共有されにくいと感じている。"),
    ("support_plan", SUPPORT_PLAN),
    ("next_steps", "追加面談で、上司との対話の結果を確認する。"),
];
/// What consultant1 asks 山田 to share with 佐藤.
const FEEDBACK: &str = "山田さんは企画の仕事に関心があります。月1回の1on1で、本人の希望を聞く時間をとってください。";
/// The consultation with the boss: changes seen, performance, the boss's support.
const BOSS_TALK: [&str; 3] = ["1on1で将来の話をするようになった。", "担当顧客の売上は前年並み。", "企画会議に月1回同席させる。"];
const ADDITIONAL: &str = "上司との対話の結果と、経験の棚卸しの進み具合を確認する。";
const FOLLOW_UP: &str = "半年後に、異動希望の面談の結果を確認する。";
/// What 山田 agrees to send to health staff.
const REFERRAL: &str = "睡眠不足が続いていると本人が話しています。産業医との面談をお願いします。";

/// The career-awareness answers: every item the same, so that the score is known (a reversed
/// item counts 6 − answer): all 2 → (12·2 + 4·4)/16 = 2.50; all 4 → 3.50.
const PRE_ANSWER: &str = "2";
const PRE_SCORE: &str = "2.50";
const POST_ANSWER: &str = "4";
const POST_SCORE: &str = "3.50";

async fn one_employee_goes_through_a_year(backend: Backend) -> Result<()> {
    let _t = Timer::start(match backend {
        Backend::Sqlite => "year flow (sqlite)",
        Backend::Postgres => "year flow (postgres)",
    });
    let app = spawn_app(backend).await?;
    let fx = fixture::held_cycle_interview(&app).await?;
    let op = Ctx::operator(app.tenant.id, "e2e");
    for (login, name, role, number) in [(EMPLOYEE, "山田 太郎", Role::Employee, "E002"), (BOSS, "佐藤 健", Role::Boss, "E001")] {
        let employee = Some(app.store.employee_by_number(app.tenant.id, number).await?.id);
        app.store.create_user(&op, &NewUser { login, display_name: name, password: PASSWORD, roles: &[role], employee }).await?;
    }
    let ui = Ui::open(&app).await?;
    let outcome = year(&app, &fx, &ui).await;
    ui.finish(outcome).await
}

async fn year(app: &App, fx: &Fixture, ui: &Ui) -> Result<()> {
    let report = write_and_submit(ui, fx).await.context("1. the report")?;
    approve(ui, report).await.context("2. the approval")?;
    feedback_with_consent(ui, fx, report).await.context("3. the boss's feedback")?;
    additional_interview(ui, fx, report).await.context("4. the additional interview")?;
    referral(ui, report).await.context("5. the referral")?;
    next_cycle(app, fx, ui).await.context("6. the next cycle")
}

// ---------------------------------------------------------------- 1, 2: the report

/// consultant1 starts the report from the held interview's page, writes it and submits it.
async fn write_and_submit(ui: &Ui, fx: &Fixture) -> Result<i64> {
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&format!("/interviews/{}", fx.interview)).await?;
    ui.click_and_wait("#iv-report-write").await?;
    let path = ui.path().await?;
    let report = id_after(&path, "/reports/")?;
    if path != format!("/reports/{report}/edit") {
        bail!("writing the report led to {path}");
    }
    for (section, text) in SECTIONS {
        ui.type_into(&format!("textarea#{section}"), text).await?;
    }
    ui.click_and_wait("#report-submit").await?;
    ui.expect_text("#report-status", "レビュー待ち").await?;
    ui.wait_text("#text-support_plan", SUPPORT_PLAN).await?;
    ui.sign_out().await?;
    Ok(report)
}

/// The supervisor finds the report in the review queue and approves it.
async fn approve(ui: &Ui, report: i64) -> Result<()> {
    ui.sign_in("supervisor").await?;
    ui.goto("/review").await?;
    ui.click_and_wait(&format!("main a[href='/reports/{report}']")).await?;
    ui.expect_text("#report-status", "レビュー待ち").await?;
    ui.wait_text("#text-support_plan", SUPPORT_PLAN).await?;
    ui.click_and_wait("#review-approve").await?;
    ui.expect_text("#report-status", "承認済み").await?;
    ui.sign_out().await
}

// ---------------------------------------------------------------- 3: feedback to the boss

async fn feedback_with_consent(ui: &Ui, fx: &Fixture, report: i64) -> Result<()> {
    // consultant1 writes, from the approved report, what 山田 is asked to share with 佐藤.
    ui.sign_in(CONSULTANT1).await?;
    let disclosure = ask_consent(ui, report, "boss_feedback", FEEDBACK).await?;
    ui.wait_text("#dc-state", "確認待ち").await?;
    ui.sign_out().await?;

    // Before 山田 agrees, 佐藤 (reading the guide for bosses first) finds no feedback.
    ui.sign_in(BOSS).await?;
    ui.goto("/feedback").await?;
    if !ui.path().await?.starts_with("/boss/guide") {
        bail!("a boss who has not read the guide reached {}", ui.path().await?);
    }
    ui.click_and_wait("form[action='/boss/guide/acknowledge'] button[type=submit]").await?;
    if ui.path().await? != "/feedback" || !ui.exists("#fb-empty").await? {
        bail!("after the guide, the boss's feedback page ({}) is not empty before the consent", ui.path().await?);
    }
    expect_absent("the boss's page before the consent", &ui.page_text().await?, &["山田", "企画の仕事"])?;
    if ui.status_of(&format!("/feedback/{disclosure}")).await? != 404 {
        bail!("the boss can open the feedback before the consent");
    }
    ui.sign_out().await?;

    // 山田 reads exactly that text on わたしの同意 and agrees.
    ui.sign_in(EMPLOYEE).await?;
    grant(ui, disclosure, FEEDBACK).await?;
    ui.wait_text(&format!("#cs-shared-{disclosure}"), "佐藤 健").await?;
    ui.sign_out().await?;

    // 佐藤 now finds it and reads exactly it.
    ui.sign_in(BOSS).await?;
    boss_reads(ui, &format!("#fb-list a[href='/feedback/{disclosure}']"), FEEDBACK, &[SUPPORT_PLAN]).await?;
    ui.sign_out().await?;

    // consultant1 records the consultation with 佐藤, from the interview's page.
    ui.sign_in(CONSULTANT1).await?;
    let interview = format!("/interviews/{}", fx.interview);
    ui.goto(&interview).await?;
    ui.click_and_wait("a[href^='/boss-consultations/new']").await?;
    if ui.value_of("#bc-employee").await? != "E002" {
        bail!("the consultation form does not know the employee: {:?}", ui.value_of("#bc-employee").await?);
    }
    for (field, text) in ["#bc-changes", "#bc-performance", "#bc-support"].into_iter().zip(BOSS_TALK) {
        ui.type_into(field, text).await?;
    }
    ui.click_and_wait("form[action='/boss-consultations'] button[type=submit]").await?;
    let path = ui.path().await?;
    let consultation = id_after(&path, "/boss-consultations/")?;
    ui.wait_text("[role=status]", "上司へのコンサルテーションを記録しました").await?;
    let mut expected = vec!["佐藤 健", "E002", "山田 太郎"];
    expected.extend(BOSS_TALK);
    expect_present("the recorded consultation", &ui.page_text().await?, &expected)?;
    ui.goto(&interview).await?;
    if !ui.exists(&format!("#bc-section-heading ~ ul a[href='/boss-consultations/{consultation}']")).await? {
        bail!("the interview's page does not list the consultation {consultation}");
    }
    ui.sign_out().await
}

/// From the report's page, writes a disclosure of `purpose` (`boss_feedback`, `referral`) with
/// `text` and asks the employee; returns its id.
async fn ask_consent(ui: &Ui, report: i64, purpose: &str, text: &str) -> Result<i64> {
    ui.goto(&format!("/reports/{report}")).await?;
    ui.expect_text("#report-status", "承認済み").await?;
    ui.click_and_wait("#report-disclose").await?;
    ui.click(&format!("#dc-purpose-{purpose}")).await?;
    ui.type_into("#dc-text", text).await?;
    ui.click_and_wait("#dc-create").await?;
    let disclosure = id_after(&ui.path().await?, "/disclosures/")?;
    ui.wait_text("#dc-notice", "従業員に確認を依頼しました").await?;
    if shown_text(ui, "#dc-current").await? != text {
        bail!("the disclosure keeps another text: {:?}", shown_text(ui, "#dc-current").await?);
    }
    Ok(disclosure)
}

/// The signed-in employee reads the request `disclosure` on わたしの同意 — exactly `text` — and
/// agrees.
async fn grant(ui: &Ui, disclosure: i64, text: &str) -> Result<()> {
    ui.goto("/my/consents").await?;
    if shown_text(ui, &format!("#cs-{disclosure}-text")).await? != text {
        bail!("わたしの同意 does not show the exact text: {:?}", shown_text(ui, &format!("#cs-{disclosure}-text")).await?);
    }
    ui.wait_text(&format!("#cs-{disclosure}"), "確認待ち").await?;
    ui.click(&format!("#cs-{disclosure}-grant")).await?;
    ui.click_and_wait(&format!("#cs-{disclosure}-send")).await?;
    ui.wait_text("#cs-notice", "同意を記録しました").await?;
    Ok(())
}

// ---------------------------------------------------------------- 4: the additional interview

async fn additional_interview(ui: &Ui, fx: &Fixture, report: i64) -> Result<()> {
    let today = store::today_jst();
    // Before the interview, 山田 answers the questionnaire on わたしのアンケート.
    ui.sign_in(EMPLOYEE).await?;
    ui.goto("/my/questionnaires").await?;
    expect_choice(ui, "#qn-cycle", &fx.cycle.get().to_string()).await?;
    expect_choice(ui, "#qn-timing", "pre").await?;
    ui.set_value("#qn-date", &ymd(today - Duration::days(2))).await?;
    answer_all(ui, PRE_ANSWER).await?;
    ui.click_and_wait("form[action='/my/questionnaires'] button[type=submit]").await?;
    ui.wait_text("[role=status]", "回答を記録しました").await?;
    let row = trajectory_rows(ui, "section[aria-labelledby=qn-trajectory-heading]").await?;
    expect_row(&row, &["事前", &ymd(today - Duration::days(2)), PRE_SCORE, "本人"])?;
    ui.sign_out().await?;

    // consultant1 plans the additional interview from the report's support plan. It was held
    // yesterday (an interview is recorded as held only after it starts).
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&format!("/reports/{report}")).await?;
    ui.click_and_wait("#report-plan-follow-up").await?;
    ui.wait_text("section[aria-labelledby=fu-plan-heading]", SUPPORT_PLAN).await?;
    ui.click("#fu-kind input[value=additional]").await?;
    ui.type_into("#fu-what", ADDITIONAL).await?;
    ui.click("#fu-schedule").await?;
    ui.set_value("#fu-date", &ymd(today - Duration::days(1))).await?;
    ui.set_value("#fu-start", "10:00").await?;
    ui.set_value("#fu-end", "11:00").await?;
    ui.click("#fu-mode input[value=in_person]").await?;
    ui.type_into("#fu-place", "本社 面談室B").await?;
    ui.click_and_wait("#fu-plan-submit").await?;
    let item = id_after(&ui.path().await?, "/follow-ups/")?;
    ui.wait_text("#fu-what-text", ADDITIONAL).await?;
    ui.wait_text("#fu-state", "面談予定あり").await?;

    // The interview is held.
    ui.click_and_wait("#fu-item-heading ~ dl a[href^='/interviews/']").await?;
    let additional = id_after(&ui.path().await?, "/interviews/")?;
    ui.wait_text("section[aria-labelledby=iv-summary-heading]", "追加面談").await?;
    ui.click("#iv-status-choices input[value=held]").await?;
    ui.click_and_wait("#iv-status-submit").await?;
    ui.wait_text("[role=status]", "面談の状態を記録しました").await?;
    ui.expect_text("section[aria-labelledby=iv-summary-heading] .tag[data-status]", "実施済み").await?;
    ui.goto(&format!("/follow-ups/{item}")).await?;
    ui.wait_text("#fu-state", "実施済み").await?;

    // After it, consultant1 enters 山田's paper answers from the interview and sees both points.
    ui.goto(&format!("/interviews/{additional}")).await?;
    ui.click_and_wait(&format!("a[href='/interviews/{additional}/questionnaire']")).await?;
    expect_choice(ui, "#qn-timing", "post").await?;
    answer_all(ui, POST_ANSWER).await?;
    ui.click_and_wait(&format!("form[action='/interviews/{additional}/questionnaire'] button[type=submit]")).await?;
    ui.wait_text("[role=status]", "紙の回答を記録しました").await?;
    let rows = trajectory_rows(ui, "section[aria-labelledby=qn-trajectory-heading]").await?;
    expect_row(&rows, &["事前", PRE_SCORE, "本人"])?;
    expect_row(&rows, &["事後", &ymd(today), POST_SCORE, "キャリアコンサルタント（紙）"])?;

    // The next step stays open: a follow-up interview half a year on, not yet scheduled.
    ui.goto(&format!("/reports/{report}")).await?;
    ui.click_and_wait("#report-plan-follow-up").await?;
    ui.click("#fu-kind input[value=follow_up]").await?;
    ui.set_value("#fu-due", &ymd(today + Duration::days(180))).await?;
    ui.type_into("#fu-what", FOLLOW_UP).await?;
    ui.click_and_wait("#fu-plan-submit").await?;
    ui.wait_text("#fu-state", "未登録").await?;
    ui.sign_out().await
}

// ---------------------------------------------------------------- 5: the referral

async fn referral(ui: &Ui, report: i64) -> Result<()> {
    // consultant1 asks 山田 to agree to what health staff would read; until then it cannot be
    // referred on.
    ui.sign_in(CONSULTANT1).await?;
    let disclosure = ask_consent(ui, report, "referral", REFERRAL).await?;
    ui.goto("/referrals/new").await?;
    if ui.exists(&format!("#disclosure_id option[value='{disclosure}']")).await? {
        bail!("the referral form offers a consent 山田 has not given");
    }
    ui.sign_out().await?;

    // 山田 agrees, and finds both questionnaire answers on their own page.
    ui.sign_in(EMPLOYEE).await?;
    grant(ui, disclosure, REFERRAL).await?;
    ui.wait_text(&format!("#cs-shared-{disclosure}"), "関連部署への紹介").await?;
    ui.goto("/my/questionnaires").await?;
    let rows = trajectory_rows(ui, "section[aria-labelledby=qn-trajectory-heading]").await?;
    expect_row(&rows, &["事前", PRE_SCORE])?;
    expect_row(&rows, &["事後", POST_SCORE])?;
    ui.sign_out().await?;

    // consultant1 refers 山田 to health staff on that consent; the summary is the agreed text.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto("/referrals/new").await?;
    let select = ui.client().find(Locator::Css("#disclosure_id")).await?;
    select.select_by_value(&disclosure.to_string()).await?;
    expect_choice(ui, "#recipient", "health").await?;
    ui.click_and_wait("form[action='/referrals'] button[type=submit]").await?;
    let id = id_after(&ui.path().await?, "/referrals/")?;
    ui.wait_text("[role=status]", "紹介しました").await?;
    let summary = "section[aria-labelledby=rf-summary-heading]";
    ui.wait_text(summary, "紹介済み").await?;
    expect_present("the referral", &shown_text(ui, summary).await?, &[REFERRAL, "山田 太郎", "本人の同意"])?;
    ui.sign_out().await?;

    // Health staff find it on their home page, read it and accept it.
    ui.sign_in(HEALTH).await?;
    ui.goto("/").await?;
    let link = format!("[data-card=referrals] a[href='/referrals/{id}']");
    if !ui.exists(&link).await? {
        bail!("the health staff's home does not list referral {id}");
    }
    ui.click_and_wait(&link).await?;
    expect_present("the referral for health staff", &shown_text(ui, summary).await?, &[REFERRAL, "山田 太郎", "紹介済み"])?;
    ui.click("#decision input[value=accept]").await?;
    ui.type_into("#note", "来週、産業医面談を設定します。").await?;
    ui.click_and_wait(&format!("form[action='/referrals/{id}/decision'] button[type=submit]")).await?;
    ui.wait_text("[role=status]", "記録しました").await?;
    ui.wait_text(summary, "受け入れ").await?;
    ui.sign_out().await?;

    // consultant1 sees it accepted, and by whom.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto(&format!("/referrals/{id}")).await?;
    ui.wait_text(summary, "受け入れ").await?;
    ui.wait_text("section[aria-labelledby=rf-history-heading]", "来週、産業医面談を設定します。").await?;
    ui.sign_out().await
}

// ---------------------------------------------------------------- 6: the next cycle

async fn next_cycle(app: &App, fx: &Fixture, ui: &Ui) -> Result<()> {
    let first = cycle_name(app, fx).await?;
    // HR creates the next fiscal year's cycle (the form proposes it) and assigns 山田 to consultant1.
    ui.sign_in("hr").await?;
    ui.goto("/cycles/new").await?;
    let today = store::today_jst();
    let fy = today.year() - i32::from(today.month() < 4) + 1;
    let name = format!("{fy}年度 セルフ・キャリアドック");
    if ui.value_of("#cycle-name").await? != name || ui.value_of("#cycle-starts").await? != format!("{fy}-04-01") {
        bail!("the form proposes {:?} from {:?}", ui.value_of("#cycle-name").await?, ui.value_of("#cycle-starts").await?);
    }
    ui.click("#cycle-departments input[value='営業本部']").await?;
    ui.click_and_wait("button[name=intent][value=create]").await?;
    let cycle = id_after(&ui.path().await?, "/cycles/")?;
    ui.wait_text("[role=status]", "実施年度を作成しました").await?;
    ui.goto(&format!("/cycles/{cycle}/targets")).await?;
    let yamada = app.store.employee_by_number(app.tenant.id, "E002").await?.id;
    let row = format!("#target-{yamada}");
    ui.wait_text(&row, "山田 太郎").await?;
    ui.client().find(Locator::Css(&format!("#consultant-{yamada}"))).await?.select_by_label("相談員 一号").await?;
    ui.click_and_wait(&format!("{row} form[action$='/assign'] button[type=submit]")).await?;
    ui.wait_text("[role=status]", "相談員 一号").await?;
    ui.sign_out().await?;

    // consultant1 schedules the new cycle's interview with 山田.
    ui.sign_in(CONSULTANT1).await?;
    ui.goto("/interviews/new").await?;
    ui.client().find(Locator::Css("#iv-target")).await?.select_by_value(&format!("{cycle}:E002")).await?;
    expect_choice(ui, "#iv-kind", "initial").await?;
    ui.click("#iv-mode input[value=in_person]").await?;
    ui.type_into("#iv-place", "本社 面談室A").await?;
    ui.set_value("#iv-date", &format!("{fy}-06-01")).await?;
    ui.set_value("#iv-start", "10:00").await?;
    ui.set_value("#iv-end", "11:00").await?;
    ui.click_and_wait("form[action='/interviews'] button[type=submit]").await?;
    let path = ui.path().await?;
    let interview = id_after(&path, "/interviews/")?;
    if interview == fx.interview.get() {
        bail!("scheduling led back to the first interview");
    }
    ui.wait_text("[role=status]", "面談予定を登録しました").await?;

    // Its page looks back on the year: the plan, the open follow-up, both answers.
    ui.wait_text("#previous-review", "前回の振り返り").await?;
    ui.wait_text("#previous-review", &format!("前回の面談：{first}")).await?;
    ui.expect_text("#fu-review-plan", SUPPORT_PLAN).await?;
    let panel = shown_text(ui, "#previous-review").await?;
    expect_present("the look back", &panel, &["未完了のフォローアップ予定", FOLLOW_UP, "フォローアップ面談", "アンケートの推移"])?;
    expect_absent("the look back's open follow-ups", &panel, &[ADDITIONAL])?;
    let rows = trajectory_rows(ui, "#previous-review").await?;
    expect_row(&rows, &[&first, "事前", PRE_SCORE])?;
    expect_row(&rows, &[&first, "事後", POST_SCORE])?;

    // The same page in English, through the header's language switch: the page stays.
    let here = format!("/interviews/{interview}");
    ui.click_and_wait("form[action='/locale'] button[type=submit]").await?;
    if ui.path().await? != here {
        bail!("switching the language on {here} led to {}", ui.path().await?);
    }
    ui.wait_text("#fu-review-heading", "Review of the previous interview").await?;
    ui.wait_text("#previous-review", &format!("Previous interview: {first}")).await?;
    ui.expect_text("#fu-review-plan", SUPPORT_PLAN).await?;
    let panel = shown_text(ui, "#previous-review").await?;
    expect_present("the look back in English", &panel, &["Support plan", "Open follow-ups", "Follow-up interview", FOLLOW_UP])?;
    expect_absent("the look back in English", &panel, &["前回の振り返り", "支援方針"])?;
    let rows = trajectory_rows(ui, "#previous-review").await?;
    expect_row(&rows, &["Before", PRE_SCORE])?;
    expect_row(&rows, &["After", POST_SCORE])?;
    Ok(())
}

/// The first cycle's name, as the fixture made it.
async fn cycle_name(app: &App, fx: &Fixture) -> Result<String> {
    let cycles = app.store.cycles(app.tenant.id).await?;
    Ok(cycles.into_iter().find(|c| c.id == fx.cycle).context("the first cycle")?.name)
}

// ---------------------------------------------------------------- helpers

/// The number after `prefix` in `path` (`/reports/12/edit` → 12).
fn id_after(path: &str, prefix: &str) -> Result<i64> {
    let rest = path.strip_prefix(prefix).with_context(|| format!("expected a page under {prefix}, got {path}"))?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().with_context(|| format!("no id in {path}"))
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Fails unless the select `css` has `value` chosen.
async fn expect_choice(ui: &Ui, css: &str, value: &str) -> Result<()> {
    let got = ui.value_of(css).await?;
    if got != value {
        bail!("{css} has {got:?} chosen, expected {value:?}");
    }
    Ok(())
}

/// Gives every item of the questionnaire on the page the answer `value`.
async fn answer_all(ui: &Ui, value: &str) -> Result<()> {
    let radios = ui.client().find_all(Locator::Css(&format!("#qn-items input[type=radio][value='{value}']"))).await?;
    if radios.len() != 16 {
        bail!("the career-awareness questionnaire shows {} items, not 16", radios.len());
    }
    for r in radios {
        r.click().await?;
    }
    Ok(())
}

/// The rows of the table body inside `css`, each as its cells' texts.
async fn trajectory_rows(ui: &Ui, css: &str) -> Result<Vec<Vec<String>>> {
    let script = "const s = document.querySelector(arguments[0]); if (!s) return null;
        return [...s.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()));";
    let v = ui.js(script, vec![serde_json::json!(css)]).await?;
    serde_json::from_value::<Option<Vec<Vec<String>>>>(v)?.with_context(|| format!("no {css} on the page"))
}

/// Fails unless one of `rows` has every one of `cells` as a cell.
fn expect_row(rows: &[Vec<String>], cells: &[&str]) -> Result<()> {
    if rows.iter().any(|r| cells.iter().all(|c| r.iter().any(|x| x == c))) {
        return Ok(());
    }
    bail!("no row with {cells:?} in {rows:?}")
}
