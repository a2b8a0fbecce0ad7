//! The questionnaire pages over HTTP: the employee answers on わたしのアンケート (a form sent back
//! keeps every answer) and sees their trajectory; the consultant of their interview sees it and
//! enters paper answers from the interview; a colleague gets "not found"; a questionnaire HR
//! defined is chosen, answered and traced on the same pages.

use crate::records::world::World;
use anyhow::{ensure, Result};
use reqwest::StatusCode;
use testkit::{on_both_backends, Backend};

on_both_backends!(employees_answer_and_their_consultant_sees_the_trajectory; known_bugs:);

async fn employees_answer_and_their_consultant_sees_the_trajectory(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let cycle = home.cycle.get().to_string();
    let today = store::today_jst().format("%Y-%m-%d").to_string();
    let mut me = w.app.signed_in("emp-e002").await?;
    let page = me.get("/my/questionnaires").await?;
    ensure!(page.status == StatusCode::OK, "{}", page.brief());
    ensure!(page.body.contains("キャリア意識アンケート") && page.body.contains("name=\"item-q16\""), "the form: {}", page.brief());

    // A value off the scale is refused with the form as typed.
    let mut form: Vec<(String, String)> =
        vec![("cycle".into(), cycle.clone()), ("timing".into(), "pre".into()), ("answered_on".into(), today.clone())];
    form.push(("item-q01".into(), "3".into()));
    form.push(("item-q02".into(), "9".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let back = me.post_form("/my/questionnaires", &pairs).await?;
    ensure!(back.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", back.brief());
    ensure!(back.body.contains("q02") && back.body.contains("name=\"item-q01\" value=\"3\" checked"), "kept: {}", back.brief());

    // Every item answered 4: the reverse items count 2, so the score is 3.50.
    let mut form: Vec<(String, String)> =
        vec![("cycle".into(), cycle.clone()), ("timing".into(), "pre".into()), ("answered_on".into(), today.clone())];
    form.extend((1..=16).map(|i| (format!("item-q{i:02}"), "4".to_string())));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sent = me.post_form("/my/questionnaires", &pairs).await?;
    ensure!(sent.is_redirect_to("/my/questionnaires?done=answered"), "{}", sent.brief());
    let page = me.get("/my/questionnaires?done=answered").await?;
    ensure!(page.body.contains("3.50") && page.body.contains("回答を記録しました"), "the trajectory: {}", page.brief());

    // The consultant of an interview with E002 sees it and enters paper answers; a colleague cannot.
    let interview = w.interview(home, &home.consultant, "E002").await?;
    let mut consultant = w.app.signed_in("consultant").await?;
    let page = consultant.get(&format!("/interviews/{interview}/questionnaire")).await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("3.50"), "{}", page.brief());
    let mut paper: Vec<(String, String)> = vec![("timing".into(), "post".into()), ("answered_on".into(), today.clone())];
    paper.extend((1..=16).map(|i| (format!("item-q{i:02}"), "5".to_string())));
    let pairs: Vec<(&str, &str)> = paper.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let sent = consultant.post_form(&format!("/interviews/{interview}/questionnaire"), &pairs).await?;
    ensure!(sent.is_redirect_to(&format!("/interviews/{interview}/questionnaire?done=answered")), "{}", sent.brief());
    let page = me.get("/my/questionnaires").await?;
    ensure!(page.body.contains("キャリアコンサルタント（紙）") && page.body.contains("4.00"), "the paper answers: {}", page.brief());
    let mut colleague = w.app.signed_in("consultant2").await?;
    let refused = colleague.get(&format!("/interviews/{interview}/questionnaire")).await?;
    ensure!(refused.status == StatusCode::NOT_FOUND, "{}", refused.brief());
    let mut hr = w.app.signed_in("hr").await?;
    ensure!(hr.get("/my/questionnaires").await?.status == StatusCode::FORBIDDEN);

    // A questionnaire HR defined is answered on the same pages: chosen by its code, sent back
    // with the answers, kept in the address after answering.
    let created = hr.post_form("/questionnaires/new", crate::questionnaire_admin::SATISFACTION).await?;
    ensure!(created.is_redirect_to("/questionnaires?done=created"), "{}", created.brief());
    let page = me.get("/my/questionnaires").await?;
    ensure!(page.body.contains("name=\"q\"") && page.body.contains("value=\"satisfaction\""), "the chooser: {}", page.brief());
    let page = me.get("/my/questionnaires?q=satisfaction").await?;
    ensure!(
        page.status == StatusCode::OK && page.body.contains("仕事にやりがいを感じる。") && !page.body.contains("name=\"item-q16\""),
        "{}",
        page.brief()
    );
    ensure!(page.body.contains("name=\"questionnaire\" value=\"satisfaction\""), "the form names it: {}", page.brief());
    let form = [
        ("questionnaire", "satisfaction"),
        ("cycle", cycle.as_str()),
        ("timing", "pre"),
        ("answered_on", today.as_str()),
        ("item-s1", "3"),
        ("item-s2", "2"),
    ];
    let sent = me.post_form("/my/questionnaires", &form).await?;
    ensure!(sent.is_redirect_to("/my/questionnaires?q=satisfaction&done=answered"), "{}", sent.brief());
    // s1 = 3, s2 reversed = 1 + 3 - 2 = 2: the score is 2.50; the career-awareness page is unchanged.
    let page = me.get("/my/questionnaires?q=satisfaction").await?;
    ensure!(page.body.contains("2.50") && !page.body.contains("3.50"), "its own trajectory: {}", page.brief());
    ensure!(me.get("/my/questionnaires").await?.body.contains("3.50"), "the default one's trajectory stays");
    let page = consultant.get(&format!("/interviews/{interview}/questionnaire?q=satisfaction")).await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("2.50"), "{}", page.brief());
    ensure!(me.get("/my/questionnaires?q=nowhere").await?.status == StatusCode::NOT_FOUND, "an unknown code");
    Ok(())
}
