//! HR defines and edits questionnaires (R13) on both databases: defined and audited, a code
//! taken refused, texts edited freely, the structure locked once answers exist (refused whole,
//! nothing written), the code kept, other roles and other tenants "not found".

use super::questionnaires::{all, day, Env};
use anyhow::{ensure, Result};
use careerdock_store::{Ctx, NewAnswers, StoreError};
use domain::audit::AuditAction;
use domain::ids::QuestionnaireId;
use domain::questionnaire::{career_awareness, Item, Questionnaire, QuestionnaireDraft, Text, Timing};
use domain::tenant::{KThreshold, TenantSlug};
use testkit::{on_both_backends, Backend};

on_both_backends!(hr_defines_and_edits_questionnaires, answers_lock_the_structure_but_not_the_texts, answers_wait_for_an_edit_under_way,);

/// The employee's `pre` answers to the default questionnaire in the cycle.
fn pre_answers<'a>(env: &Env, answers: &'a [(String, Option<i64>)]) -> NewAnswers<'a> {
    NewAnswers {
        questionnaire: career_awareness::CODE,
        cycle: env.cycle,
        interview: None,
        timing: Timing::Pre,
        answered_on: day(2026, 5, 1),
        answers,
    }
}

fn checked(d: QuestionnaireDraft) -> Result<Questionnaire> {
    Questionnaire::parse(d).map_err(|p| anyhow::anyhow!("{p:?}"))
}

fn small(code: &str) -> QuestionnaireDraft {
    let mut d = career_awareness::draft();
    d.code = code.into();
    d.title = Text::new("職場の満足度", "Workplace satisfaction");
    d.subscales.clear();
    d.items.truncate(3);
    for i in d.items.iter_mut() {
        i.subscale = None;
    }
    d
}

async fn hr_defines_and_edits_questionnaires(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (store, hr) = (&env.store, &env.hr);
    let id = match store.define_questionnaire(hr, &checked(small("satisfaction"))?).await? {
        Ok(id) => id,
        Err(p) => anyhow::bail!("{p:?}"),
    };
    ensure!(env.count(AuditAction::QuestionnaireDefined).await? == 1);
    let entries = store.questionnaire_entries(hr).await?;
    let codes: Vec<&str> = entries.iter().map(|e| e.questionnaire.code()).collect();
    ensure!(codes == ["career-awareness", "satisfaction"], "the default stays: {codes:?}");
    ensure!(entries.iter().all(|e| !e.locked()));

    // The same code again is a problem at `code`, nothing written.
    match store.define_questionnaire(hr, &checked(small("satisfaction"))?).await? {
        Err(p) => ensure!(p.len() == 1 && p[0].place.path() == "code" && p[0].message.ja.contains("すでにあります"), "{p:?}"),
        Ok(_) => anyhow::bail!("a taken code was accepted"),
    }
    ensure!(env.count(AuditAction::QuestionnaireDefined).await? == 1);

    // Without answers anything but the code may change: a fourth item, another scale.
    let mut d = small("satisfaction");
    d.items.push(Item { code: "q99".into(), text: Text::new("新しい設問です。", ""), reverse: true, subscale: None });
    d.scale.max = 4;
    d.scale.labels.truncate(4);
    match store.edit_questionnaire(hr, id, &checked(d.clone())?).await? {
        Ok(()) => {}
        Err(p) => anyhow::bail!("{p:?}"),
    }
    let e = store.questionnaire_entry(hr, id).await?;
    ensure!(e.questionnaire.items().len() == 4 && e.questionnaire.scale().max == 4);
    ensure!(env.count(AuditAction::QuestionnaireEdited).await? == 1);
    d.code = "renamed".into();
    match store.edit_questionnaire(hr, id, &checked(d)?).await? {
        Err(p) => ensure!(p.len() == 1 && p[0].place.path() == "code", "{p:?}"),
        Ok(()) => anyhow::bail!("the code changed"),
    }
    ensure!(store.questionnaire_entry(hr, id).await?.questionnaire.code() == "satisfaction");

    // Other roles and other tenants: not found.
    ensure!(matches!(store.questionnaire_entries(&env.consultant).await, Err(StoreError::NotFound)));
    ensure!(matches!(store.define_questionnaire(&env.consultant, &checked(small("x"))?).await, Err(StoreError::NotFound)));
    ensure!(matches!(store.questionnaire_entry(&env.employee, id).await, Err(StoreError::NotFound)));
    let slug = TenantSlug::parse("other").map_err(|e| anyhow::anyhow!("{e}"))?;
    let other = store.create_tenant(&slug, "他社", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(other.id, "test");
    ensure!(matches!(store.questionnaire_entry(&op, id).await, Err(StoreError::NotFound)));
    ensure!(matches!(store.edit_questionnaire(&op, id, &checked(small("satisfaction"))?).await, Err(StoreError::NotFound)));
    ensure!(matches!(store.questionnaire_entry(hr, QuestionnaireId::new(id.get() + 1000)).await, Err(StoreError::NotFound)));
    ensure!(store.questionnaire_entries(&op).await?.len() == 1, "the other tenant has its default only");
    Ok(())
}

async fn answers_lock_the_structure_but_not_the_texts(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (store, hr) = (&env.store, &env.hr);
    let entry = store.questionnaire_entries(hr).await?.into_iter().find(|e| e.questionnaire.code() == career_awareness::CODE);
    let Some(entry) = entry else { anyhow::bail!("no default questionnaire") };
    let answers = all(4);
    let new = pre_answers(&env, &answers);
    store.answer_own_questionnaire(&env.employee.as_employee()?, &new).await?;
    let locked = store.questionnaire_entry(hr, entry.id).await?;
    ensure!(locked.locked() && locked.answer_sets == 1);

    // A structural change is refused whole, each at its place, and nothing is written.
    let mut d = career_awareness::draft();
    d.title.ja = "変えたい名称".into();
    d.items.remove(0);
    d.items[0].reverse = !d.items[0].reverse;
    d.scale.max = 6;
    d.scale.labels.push(Text::new("とてもあてはまる", ""));
    let problems = match store.edit_questionnaire(hr, entry.id, &checked(d)?).await? {
        Err(p) => p,
        Ok(()) => anyhow::bail!("a locked structure changed"),
    };
    let paths: Vec<String> = problems.iter().map(|p| p.place.path()).collect();
    ensure!(paths == ["scale_max", "items", "items[0].reverse"], "{paths:?}");
    ensure!(problems[1].message.ja.contains("「q01」"), "{}", problems[1].message.ja);
    let after = store.questionnaire_entry(hr, entry.id).await?;
    ensure!(after.questionnaire == entry.questionnaire, "nothing written");
    ensure!(env.count(AuditAction::QuestionnaireEdited).await? == 0);

    // Texts and order change; the answers keep their score.
    let mut d = career_awareness::draft();
    d.title.ja = "キャリア意識アンケート（改訂）".into();
    d.items[3].text.ja = "言い換えた設問です。".into();
    d.items.reverse();
    match store.edit_questionnaire(hr, entry.id, &checked(d)?).await? {
        Ok(()) => {}
        Err(p) => anyhow::bail!("{p:?}"),
    }
    ensure!(env.count(AuditAction::QuestionnaireEdited).await? == 1);
    let own = store.own_answer_trajectory(&env.employee.as_employee()?, career_awareness::CODE).await?;
    ensure!(own.questionnaire.title().ja == "キャリア意識アンケート（改訂）");
    ensure!(own.points.len() == 1 && own.points[0].scored.score == Some((12.0 * 4.0 + 4.0 * 2.0) / 16.0), "{:?}", own.points);
    Ok(())
}

/// An edit under way (its transaction holds the row with one item fewer) and an answer recorded at
/// that moment: the answer waits for the edit, sees that the questionnaire changed under it and
/// is refused whole; nothing of it is stored.
async fn answers_wait_for_an_edit_under_way(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let entry = env.store.questionnaire_entries(&env.hr).await?.into_iter().find(|e| e.questionnaire.code() == career_awareness::CODE);
    let Some(entry) = entry else { anyhow::bail!("no default questionnaire") };
    let raw = crate::raw_pool(&env.db).await?;
    let mut edit = raw.begin().await?;
    let mut d = career_awareness::draft();
    d.items.remove(0);
    sqlx::query("UPDATE questionnaires SET definition = $1 WHERE id = $2")
        .bind(serde_json::to_string(&d)?)
        .bind(entry.id.get())
        .execute(&mut *edit)
        .await?;
    let answers = all(4);
    let new = pre_answers(&env, &answers);
    let me = env.employee.as_employee()?;
    let (answered, committed) = tokio::join!(env.store.answer_own_questionnaire(&me, &new), async {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        edit.commit().await
    });
    committed?;
    ensure!(matches!(answered, Err(StoreError::Conflict(_))), "answered past the edit: {answered:?}");
    ensure!(env.store.questionnaire_entry(&env.hr, entry.id).await?.answer_sets == 0, "nothing stored");
    raw.close().await;
    Ok(())
}
