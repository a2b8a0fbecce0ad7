//! HR's questionnaire pages over HTTP, in Japanese and English: defining a questionnaire with a
//! form that keeps what was typed and says every problem beside its field; editing one, refused
//! field by field once answers exist (nothing changed); uploading an answer file (UTF-8 or
//! CP932), all or nothing, every bad cell listed with its line and column.

use crate::records::world::World;
use crate::support::{Agent, Resp};
use anyhow::{ensure, Context, Result};
use domain::audit::AuditAction;
use domain::questionnaire::{career_awareness, Timing};
use reqwest::{Method, StatusCode};
use store::NewAnswers;
use testkit::{on_both_backends, Backend};

on_both_backends!(hr_defines_and_edits_questionnaires, hr_uploads_an_answer_file_all_or_nothing; known_bugs:);

async fn post_in(agent: &mut Agent, lang: &str, path: &str, form: &[(String, String)]) -> Result<Resp> {
    let mut fields: Vec<(String, String)> = form.to_vec();
    fields.push(("csrf".into(), agent.csrf.clone()));
    let rb = agent.request(Method::POST, path).header("accept-language", lang).form(&fields);
    agent.send(rb).await
}

/// A small questionnaire as HR's form sends it: three-point scale, two items, the second reversed.
pub const SATISFACTION: &[(&str, &str)] = &[
    ("code", "satisfaction"),
    ("title_ja", "職場の満足度"),
    ("title_en", "Workplace satisfaction"),
    ("scale_min", "1"),
    ("scale_max", "3"),
    ("scale.labels[0].ja", "いいえ"),
    ("scale.labels[1].ja", "どちらとも"),
    ("scale.labels[2].ja", "はい"),
    ("items[0].code", "s1"),
    ("items[0].text_ja", "仕事にやりがいを感じる。"),
    ("items[1].code", "s2"),
    ("items[1].text_ja", "職場の人間関係に悩んでいる。"),
    ("items[1].reverse", "1"),
];

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The default questionnaire as its edit form sends it.
fn default_form() -> Vec<(String, String)> {
    let d = career_awareness::draft();
    let mut f = pairs(&[("title_ja", d.title.ja.as_str()), ("title_en", d.title.en.as_str()), ("scale_min", "1"), ("scale_max", "5")]);
    for (i, l) in d.scale.labels.iter().enumerate() {
        f.push((format!("scale.labels[{i}].ja"), l.ja.clone()));
        f.push((format!("scale.labels[{i}].en"), l.en.clone()));
    }
    for (i, s) in d.subscales.iter().enumerate() {
        f.push((format!("subscales[{i}].code"), s.code.clone()));
        f.push((format!("subscales[{i}].name_ja"), s.name.ja.clone()));
        f.push((format!("subscales[{i}].name_en"), s.name.en.clone()));
    }
    for (i, it) in d.items.iter().enumerate() {
        f.push((format!("items[{i}].code"), it.code.clone()));
        f.push((format!("items[{i}].text_ja"), it.text.ja.clone()));
        f.push((format!("items[{i}].text_en"), it.text.en.clone()));
        if it.reverse {
            f.push((format!("items[{i}].reverse"), "1".into()));
        }
        f.push((format!("items[{i}].subscale"), it.subscale.clone().unwrap_or_default()));
    }
    f
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if k == key {
            *v = value.to_string();
        }
    }
}

async fn hr_defines_and_edits_questionnaires(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let home = &w.home;
    let mut hr = w.app.signed_in("hr").await?;
    let list = hr.get("/questionnaires").await?;
    ensure!(
        list.status == StatusCode::OK && list.body.contains("キャリア意識アンケート") && list.body.contains("career-awareness"),
        "{}",
        list.brief()
    );
    let home_page = hr.get("/").await?;
    ensure!(home_page.body.contains("href=\"/questionnaires\""), "HR's home leads there: {}", home_page.brief());
    ensure!(hr.get("/questionnaires/new").await?.status == StatusCode::OK);

    // Everything wrong at once: each problem beside its field, what was typed kept.
    let bad = pairs(&[
        ("code", "Bad Code"),
        ("title_ja", ""),
        ("scale_min", "一"),
        ("scale_max", "5"),
        ("items[0].code", "q1"),
        ("items[0].text_ja", ""),
        ("items[1].code", "q1"),
        ("items[1].text_ja", "二つ目の設問です。"),
        ("items[1].subscale", "nowhere"),
    ]);
    let back = post_in(&mut hr, "ja", "/questionnaires/new", &bad).await?;
    ensure!(back.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", back.brief());
    for expected in [
        "コードは半角英小文字で始め",
        "名称（日本語）を入力してください。",
        "尺度の最小値: 半角数字の整数で入力してください。",
        "設問1の本文（日本語）: 本文（日本語）を入力してください。",
        "設問2のコード: コード「q1」は設問1と重複しています。",
        "設問2の下位尺度: 下位尺度「nowhere」は登録されていません。",
        "value=\"Bad Code\"",
        "value=\"二つ目の設問です。\"",
        "id=\"items-1--subscale\"",
    ] {
        ensure!(back.body.contains(expected), "{expected}: {}", back.body);
    }
    let en = post_in(&mut hr, "en", "/questionnaires/new", &bad).await?;
    ensure!(en.status == StatusCode::UNPROCESSABLE_ENTITY && en.body.contains("is already used by item 1"), "{}", en.body);
    ensure!(w.store().questionnaire_entries(&home.hr.ctx).await?.len() == 1, "nothing was defined");

    // More rows: drawn again with what was typed, nothing saved.
    let mut more = bad.clone();
    more.push(("intent".into(), "more".into()));
    let more = post_in(&mut hr, "ja", "/questionnaires/new", &more).await?;
    ensure!(
        more.status == StatusCode::OK && more.body.contains("name=\"items[6].code\"") && more.body.contains("value=\"Bad Code\""),
        "{}",
        more.brief()
    );

    // A sound questionnaire is defined and audited.
    let mut good = pairs(SATISFACTION);
    good.push(("items[2].code".into(), String::new()));
    let created = post_in(&mut hr, "ja", "/questionnaires/new", &good).await?;
    ensure!(created.is_redirect_to("/questionnaires?done=created"), "{}", created.brief());
    let list = hr.get("/questionnaires?done=created").await?;
    ensure!(list.body.contains("職場の満足度") && list.body.contains("アンケートを作成しました。"), "{}", list.brief());
    let entries = w.store().questionnaire_entries(&home.hr.ctx).await?;
    let made = entries.iter().find(|e| e.questionnaire.code() == "satisfaction").context("defined")?;
    ensure!(made.questionnaire.items().len() == 2 && made.questionnaire.items()[1].reverse);
    let default = entries.iter().find(|e| e.questionnaire.code() == career_awareness::CODE).context("the default stays")?;

    // Once answered, the default's structure is locked: refused field by field, nothing changed.
    let answers: Vec<(String, Option<i64>)> = (1..=16).map(|i| (format!("q{i:02}"), Some(3))).collect();
    let new = NewAnswers {
        questionnaire: career_awareness::CODE,
        cycle: home.cycle,
        interview: None,
        timing: Timing::Pre,
        answered_on: store::today_jst(),
        answers: &answers,
    };
    w.store().answer_own_questionnaire(&home.employee_account("E002")?.ctx.as_employee()?, &new).await?;
    let path = format!("/questionnaires/{}", default.id.get());
    let page = hr.get(&path).await?;
    ensure!(page.status == StatusCode::OK && page.body.contains("回答が1件記録されています"), "{}", page.brief());
    ensure!(page.body.contains("/questionnaires/new?from="), "a copy is offered: {}", page.brief());
    let mut changed = default_form();
    set(&mut changed, "scale_max", "6");
    changed.retain(|(k, _)| !k.starts_with("items[15]."));
    set(&mut changed, "title_ja", "キャリア意識アンケート（改訂）");
    let refused = post_in(&mut hr, "ja", &path, &changed).await?;
    ensure!(refused.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.brief());
    for expected in [
        "尺度の最大値: 回答が記録されているため、尺度の最大値は変更できません（5のままにしてください）。",
        "設問: 回答が記録されているため、設問「q16」は削除できません。",
    ] {
        ensure!(refused.body.contains(expected), "{expected}: {}", refused.body);
    }
    let en = post_in(&mut hr, "en", &path, &changed).await?;
    ensure!(en.body.contains("answers are recorded, so the scale maximum cannot change (keep 5)"), "{}", en.body);
    let after = w.store().questionnaire_entry(&home.hr.ctx, default.id).await?;
    ensure!(after.questionnaire == default.questionnaire, "nothing changed");
    ensure!(count(&w, AuditAction::QuestionnaireEdited).await? == 0);

    // Texts only: saved, audited.
    let mut reworded = default_form();
    set(&mut reworded, "title_ja", "キャリア意識アンケート（改訂）");
    let saved = post_in(&mut hr, "ja", &path, &reworded).await?;
    ensure!(saved.is_redirect_to("/questionnaires?done=saved"), "{}", saved.brief());
    ensure!(w.store().questionnaire_entry(&home.hr.ctx, default.id).await?.questionnaire.title().ja == "キャリア意識アンケート（改訂）");
    ensure!(count(&w, AuditAction::QuestionnaireEdited).await? == 1 && count(&w, AuditAction::QuestionnaireDefined).await? == 1);

    // Other roles: refused.
    let mut consultant = w.app.signed_in("consultant").await?;
    ensure!(consultant.get("/questionnaires").await?.status == StatusCode::FORBIDDEN);
    ensure!(consultant.get(&path).await?.status == StatusCode::FORBIDDEN);
    Ok(())
}

/// The pending upload's id, from the preview's confirm form.
fn pending_id(body: &str) -> Result<String> {
    let id = body.split("/questionnaires/responses/import/").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or_default();
    ensure!(id.parse::<i64>().is_ok(), "no pending id in {body}");
    Ok(id.to_string())
}

async fn count(w: &World, action: AuditAction) -> Result<usize> {
    let events = w.store().recent_audit(w.home.tenant, 100_000, None).await?;
    Ok(events.iter().filter(|e| e.action == action.as_str()).count())
}

async fn upload(agent: &mut Agent, lang: &str, cycle: &str, bytes: Vec<u8>) -> Result<Resp> {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("回答.csv").mime_str("text/csv")?;
    let form = reqwest::multipart::Form::new()
        .text("csrf", agent.csrf.clone())
        .text("questionnaire", career_awareness::CODE)
        .text("cycle", cycle.to_string());
    let rb =
        agent.request(Method::POST, "/questionnaires/responses/import").header("accept-language", lang).multipart(form.part("file", part));
    agent.send(rb).await
}

async fn hr_uploads_an_answer_file_all_or_nothing(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let cycle = w.home.cycle.get().to_string();
    let mut hr = w.app.signed_in("hr").await?;
    let page = hr.get("/questionnaires/responses/import").await?;
    ensure!(
        page.status == StatusCode::OK
            && page.body.contains("enctype=\"multipart/form-data\"")
            && page.body.contains("社員番号,時点,回答日,q01,"),
        "{}",
        page.brief()
    );

    let items: Vec<String> = (1..=16).map(|i| format!("q{i:02}")).collect();
    let header = format!("社員番号,時点,回答日,{}\r\n", items.join(","));
    let row = |n: &str, t: &str, d: &str, v: &str| format!("{n},{t},{d},{}\r\n", vec![v; 16].join(","));
    let today = store::today_jst().format("%Y-%m-%d").to_string();

    // Bad cells in the file: every one listed with its line and column; nothing stored.
    let bad = format!(
        "{header}{}{}{}",
        row("E002", "いつか", &today, "3"),
        row("E003", "事前", "2026-13-01", "3"),
        row("E004", "事後", &today, "9")
    );
    let rejected = upload(&mut hr, "ja", &cycle, bad.clone().into_bytes()).await?;
    ensure!(rejected.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", rejected.brief());
    for expected in [
        "<th scope=\"row\">2</th>",
        "<td>時点</td>",
        "<th scope=\"row\">3</th>",
        "<td>回答日</td>",
        "<th scope=\"row\">4</th>",
        "<td>q01</td>",
        "<td>q16</td>",
        "何も取り込んでいません。",
    ] {
        ensure!(rejected.body.contains(expected), "{expected}: {}", rejected.body);
    }
    ensure!(
        rejected.body.contains("18件の誤りがあるため、取り込みませんでした。"),
        "a timing, a date and 16 answers off the scale: {}",
        rejected.body
    );
    let en = upload(&mut hr, "en", &cycle, bad.into_bytes()).await?;
    ensure!(en.status == StatusCode::UNPROCESSABLE_ENTITY && en.body.contains("Nothing was imported."), "{}", en.brief());

    // An unknown employee (the store's check) is reported the same way.
    let unknown = format!("{header}{}{}", row("E002", "事前", &today, "3"), row("E999", "事前", &today, "3"));
    let rejected = upload(&mut hr, "ja", &cycle, unknown.into_bytes()).await?;
    ensure!(
        rejected.status == StatusCode::UNPROCESSABLE_ENTITY && rejected.body.contains("社員番号「E999」の従業員は登録されていません。"),
        "{}",
        rejected.body
    );
    ensure!(count(&w, AuditAction::QuestionnaireAnswered).await? == 0, "nothing stored");

    // CP932: previewed (nothing stored), cancelled, previewed again and confirmed.
    let good = format!("{header}{}{}", row("E002", "事前", &today, "4"), row("E003", "事前", &today, "2"));
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&good);
    let preview = upload(&mut hr, "ja", &cycle, sjis.to_vec()).await?;
    ensure!(
        preview.status == StatusCode::OK && preview.body.contains("Shift_JIS") && preview.body.contains("回答.csv"),
        "{}",
        preview.body
    );
    ensure!(
        preview.body.contains("<th scope=\"row\">回答数</th><td>2件</td>")
            && preview.body.contains("<th scope=\"row\">事前</th><td>2件</td>"),
        "{}",
        preview.body
    );
    ensure!(count(&w, AuditAction::QuestionnaireAnswered).await? == 0, "a preview stores nothing");
    let id = pending_id(&preview.body)?;
    let cancelled = hr.post_form(&format!("/questionnaires/responses/import/{id}/cancel"), &[]).await?;
    ensure!(cancelled.is_redirect_to("/questionnaires/responses/import?cancelled=1"), "{}", cancelled.brief());
    let preview = upload(&mut hr, "ja", &cycle, sjis.to_vec()).await?;
    let id = pending_id(&preview.body)?;
    let confirm = format!("/questionnaires/responses/import/{id}/confirm");
    let mut colleague = w.app.signed_in("hr2").await?;
    let form = [("questionnaire", career_awareness::CODE), ("cycle", cycle.as_str())];
    ensure!(colleague.post_form(&confirm, &form).await?.status == StatusCode::NOT_FOUND, "only the uploader confirms");
    let done = hr.post_form(&confirm, &form).await?;
    ensure!(done.is_redirect_to("/questionnaires/responses/import?done=2"), "{}", done.brief());
    let shown = hr.get("/questionnaires/responses/import?done=2").await?;
    ensure!(shown.body.contains("2件の回答を取り込みました。"), "{}", shown.brief());
    ensure!(count(&w, AuditAction::QuestionnaireAnswered).await? == 2);
    ensure!(hr.post_form(&confirm, &form).await?.status == StatusCode::NOT_FOUND, "confirmed once");
    // The same file again is refused whole (already recorded).
    let again = upload(&mut hr, "en", &cycle, sjis.to_vec()).await?;
    ensure!(again.status == StatusCode::UNPROCESSABLE_ENTITY && again.body.contains("are already recorded"), "{}", again.body);
    ensure!(count(&w, AuditAction::QuestionnaireAnswered).await? == 2);

    // The employee sees the imported answers; HR cannot read them.
    let mut me = w.app.signed_in("emp-e002").await?;
    let mine = me.get("/my/questionnaires").await?;
    ensure!(mine.body.contains("3.50"), "12 items at 4 and 4 reverse-scored at 2: {}", mine.brief());
    let mut consultant = w.app.signed_in("consultant").await?;
    ensure!(consultant.get("/questionnaires/responses/import").await?.status == StatusCode::FORBIDDEN);
    Ok(())
}
