//! The guide for bosses (versions, acknowledgments, the gate before feedback, HR's list) and
//! boss consultations (recorded sealed, read by their author only), through the store's public
//! API on a fresh SQLite file and a fresh PostgreSQL database.

use super::assign_everyone;
use crate::{assert_absent_from_sqlite_files, contains, inline_key, pg_dump, random_hex, raw_pool};
use anyhow::{bail, Context, Result};
use careerdock_store::{
    AcknowledgmentFilter, AcknowledgmentSort, BossConsultationQuery, Ctx, Direction, NewBossConsultation, NewInterview, NewUser,
    OpenOptions, PageRequest, Store, StoreError, TenantRow,
};
use chrono::NaiveDate;
use domain::boss_guide::{GuideDraft, GuideText};
use domain::consent::Purpose;
use domain::ids::DisclosureId;
use domain::ids::{BossConsultationId, InterviewId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, Slot};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    the_guide_gates_feedback_until_the_required_version_is_acknowledged,
    hr_publishes_versions_and_sees_who_has_acknowledged,
    boss_consultations_are_sealed_and_read_by_their_author_only,
    boss_consultations_refuse_bad_input_all_at_once,
    feedback_waits_for_the_guide,
);

const CSV: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール\r\n\
E001,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G5,1975,2000-04-01,,\r\n\
E002,佐藤 花子,サトウ ハナコ,営業本部/第一営業部,G2,1990,2015-04-01,E001,\r\n\
E003,鈴木 一郎,スズキ イチロウ,管理本部/人事部,G5,1972,1998-04-01,,\r\n\
E004,田中 美咲,タナカ ミサキ,管理本部/人事部,G2,1995,2018-04-01,E003,\r\n";

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    consultant: Ctx,
    colleague: Ctx,
    supervisor: Ctx,
    hr: Ctx,
    /// Linked to E001, 佐藤's boss.
    boss: Ctx,
    /// Linked to E003.
    boss2: Ctx,
    employee: Ctx,
}

impl Env {
    async fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
        let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
        let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        let op = Ctx::operator(tenant.id, "test");
        let today = NaiveDate::from_ymd_opt(2026, 4, 1).context("date")?;
        let parsed = parse_employee_csv(CSV.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.import_employees(&op, &parsed.rows).await?;
        let e = |n: &'static str| {
            let store = store.clone();
            let tenant = tenant.id;
            async move { Ok::<_, StoreError>(store.employee_by_number(tenant, n).await?.id) }
        };
        let (e1, e2, e3) = (e("E001").await?, e("E002").await?, e("E003").await?);
        let mut ctxs = Vec::new();
        for (login, name, role, employee) in [
            ("consultant", "相田 美咲", Role::Consultant, None),
            ("colleague", "石川 健一", Role::Consultant, None),
            ("supervisor", "上野 さくら", Role::Supervisor, None),
            ("hr", "江口 直樹", Role::Hr, None),
            ("boss", "山田 太郎", Role::Boss, Some(e1)),
            ("boss2", "鈴木 一郎", Role::Boss, Some(e3)),
            ("employee", "佐藤 花子", Role::Employee, Some(e2)),
        ] {
            let id =
                store.create_user(&op, &NewUser { login, display_name: name, password: "password-123", roles: &[role], employee }).await?;
            ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
        }
        for c in ctxs.iter().take(2) {
            assign_everyone(&db, tenant.id, c.user().context("user")?).await?;
        }
        let mut it = ctxs.into_iter();
        let mut next = || it.next().context("ctx");
        Ok(Env {
            consultant: next()?,
            colleague: next()?,
            supervisor: next()?,
            hr: next()?,
            boss: next()?,
            boss2: next()?,
            employee: next()?,
            db,
            store,
            tenant,
        })
    }

    async fn actions(&self) -> Result<Vec<String>> {
        let raw = raw_pool(&self.db).await?;
        let rows = sqlx::query("SELECT action FROM audit_events WHERE tenant_id = $1 ORDER BY seq")
            .bind(self.tenant.id.get())
            .fetch_all(&raw)
            .await?;
        raw.close().await;
        rows.iter().map(|r| Ok(sqlx::Row::try_get::<String, _>(r, "action")?)).collect()
    }
}

fn draft(tag: &str) -> GuideDraft {
    GuideDraft {
        ja: GuideText { title: format!("上司ガイド {tag}"), body: format!("## 目的\n- 本人の同意 {tag}") },
        en: GuideText { title: format!("Guide {tag}"), body: format!("## Purpose\n- consent {tag}") },
    }
}

async fn the_guide_gates_feedback_until_the_required_version_is_acknowledged(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (s, boss) = (&env.store, env.boss.as_boss()?);
    // Version 1 is the product's text; nobody has acknowledged it yet.
    let g = s.boss_guide(&boss).await?;
    anyhow::ensure!(g.version == 1 && g.required_version == 1 && g.acknowledged.is_none(), "{g:?}");
    anyhow::ensure!(g.text.ja.body.contains("同意") && g.text.en.body.contains("consent"), "the product's text");
    anyhow::ensure!(!s.boss_guide_acknowledged(&env.boss).await?, "not yet acknowledged");
    // Acknowledging a version other than the latest is refused; the latest is recorded once.
    match s.acknowledge_boss_guide(&boss, 2).await {
        Err(StoreError::Conflict(m)) if !m.ja.is_empty() && !m.en.is_empty() => {}
        other => bail!("acknowledging a version that does not exist: {other:?}"),
    }
    anyhow::ensure!(s.acknowledge_boss_guide(&boss, 1).await?, "first acknowledgment");
    anyhow::ensure!(!s.acknowledge_boss_guide(&boss, 1).await?, "the second changes nothing");
    anyhow::ensure!(s.boss_guide_acknowledged(&env.boss).await?, "acknowledged");
    anyhow::ensure!(!s.boss_guide_acknowledged(&env.boss2).await?, "another boss has not");
    // The gate is a boss's: any other role has not acknowledged anything.
    for other in [&env.hr, &env.consultant, &env.employee, &env.supervisor] {
        anyhow::ensure!(!s.boss_guide_acknowledged(other).await?, "{}", other.label());
    }
    // A minor correction keeps the acknowledgment; a version that asks for it takes it away.
    let hr = env.hr.as_hr()?;
    let v2 = s.publish_boss_guide(&hr, &draft("2"), false, 1).await?;
    anyhow::ensure!(v2 == 2, "{v2}");
    anyhow::ensure!(s.boss_guide_acknowledged(&env.boss).await?, "a minor correction keeps it");
    let v3 = s.publish_boss_guide(&hr, &draft("3"), true, 2).await?;
    anyhow::ensure!(!s.boss_guide_acknowledged(&env.boss).await?, "version {v3} asks again");
    let g = s.boss_guide(&boss).await?;
    anyhow::ensure!(g.version == 3 && g.required_version == 3 && g.acknowledged.map(|a| a.0) == Some(1), "{g:?}");
    anyhow::ensure!(g.text.ja.title == "上司ガイド 3", "{:?}", g.text.ja.title);
    anyhow::ensure!(s.acknowledge_boss_guide(&boss, 3).await?, "acknowledging 3");
    anyhow::ensure!(s.boss_guide_acknowledged(&env.boss).await?, "acknowledged again");
    // Every boss was told about version 3 (a link only), not about the minor correction.
    let raw = raw_pool(&env.db).await?;
    let rows = sqlx::query("SELECT user_id, link FROM notifications WHERE tenant_id = $1 AND kind = 'boss_guide_updated' ORDER BY user_id")
        .bind(env.tenant.id.get())
        .fetch_all(&raw)
        .await?;
    raw.close().await;
    let told: Vec<(i64, String)> =
        rows.iter().map(|r| Ok((sqlx::Row::try_get(r, "user_id")?, sqlx::Row::try_get(r, "link")?))).collect::<Result<_>>()?;
    let bosses = [env.boss.user().context("u")?.get(), env.boss2.user().context("u")?.get()];
    anyhow::ensure!(told == bosses.iter().map(|b| (*b, "/boss/guide".to_string())).collect::<Vec<_>>(), "{told:?}");
    let actions = env.actions().await?;
    let n = |a: &str| actions.iter().filter(|x| *x == a).count();
    anyhow::ensure!(n("boss_guide_acknowledged") == 2 && n("boss_guide_published") == 2, "{actions:?}");
    Ok(())
}

async fn hr_publishes_versions_and_sees_who_has_acknowledged(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (s, hr) = (&env.store, env.hr.as_hr()?);
    // Every text is required; every problem is named at once.
    let empty =
        GuideDraft { ja: GuideText { title: " ".into(), body: String::new() }, en: GuideText { title: "T".into(), body: String::new() } };
    match s.publish_boss_guide(&hr, &empty, true, 1).await {
        Err(StoreError::Problems(p)) => {
            let fields: Vec<&str> = p.iter().map(|i| i.field).collect();
            anyhow::ensure!(fields == ["title_ja", "body_ja", "body_en"], "{fields:?}");
        }
        other => bail!("an empty guide: {other:?}"),
    }
    // Publishing from a version that is no longer the latest is refused (someone else published).
    s.publish_boss_guide(&hr, &draft("a"), true, 1).await?;
    match s.publish_boss_guide(&hr, &draft("b"), true, 1).await {
        Err(StoreError::Conflict(_)) => {}
        other => bail!("a stale edit: {other:?}"),
    }
    s.acknowledge_boss_guide(&env.boss.as_boss()?, 2).await?;
    let page = |f| s.boss_guide_acknowledgments(&hr, f, None, AcknowledgmentSort::State, Direction::Asc, PageRequest::first(50));
    let all = page(AcknowledgmentFilter::All).await?;
    anyhow::ensure!(all.total == 2, "two bosses: {all:?}");
    // Not yet acknowledged first.
    let names: Vec<(&str, bool)> = all.items.iter().map(|r| (r.login.as_str(), r.current)).collect();
    anyhow::ensure!(names == [("boss2", false), ("boss", true)], "{names:?}");
    anyhow::ensure!(all.items.get(1).and_then(|r| r.department.as_deref()) == Some("営業本部/第一営業部"), "{all:?}");
    let pending = page(AcknowledgmentFilter::Pending).await?;
    anyhow::ensure!(pending.total == 1 && pending.items.first().map(|r| r.login.as_str()) == Some("boss2"), "{pending:?}");
    let done = page(AcknowledgmentFilter::Acknowledged).await?;
    anyhow::ensure!(done.total == 1 && done.items.first().and_then(|r| r.acknowledged).map(|a| a.0) == Some(2), "{done:?}");
    let searched = s
        .boss_guide_acknowledgments(
            &hr,
            AcknowledgmentFilter::All,
            Some("鈴木"),
            AcknowledgmentSort::Name,
            Direction::Asc,
            PageRequest::first(50),
        )
        .await?;
    anyhow::ensure!(searched.total == 1, "{searched:?}");
    let versions = s.boss_guide_versions(&hr).await?;
    let summary: Vec<(i64, bool, i64)> = versions.iter().map(|v| (v.version, v.asks_acknowledgment, v.acknowledged_by)).collect();
    anyhow::ensure!(summary == [(2, true, 1), (1, true, 0)], "{summary:?}");
    anyhow::ensure!(env.actions().await?.iter().any(|a| a == "boss_guide_acknowledgments_read"), "HR's reading is audited");
    // Only HR edits and lists; a boss's handle reads only their own guide.
    anyhow::ensure!(env.boss.as_hr().is_err() && env.consultant.as_boss().is_err(), "handles");
    Ok(())
}

async fn held_interview(env: &Env, who: &Ctx, number: &str) -> Result<InterviewId> {
    let employee = env.store.employee_by_number(env.tenant.id, number).await?.id;
    // 2030-01-07 10:00 Japan: scheduled, which is enough to link a consultation to it.
    let start = 1_893_942_000_000 + 10 * 3_600_000;
    let slot = Slot { start_ms: start, end_ms: start + 3_600_000 };
    let new =
        NewInterview {
            cycle: None, employee, kind: InterviewKind::Initial, mode: InterviewMode::InPerson, place: "面談室".into(), slot
        };
    Ok(env.store.schedule_interview(&who.as_consultant()?, &new).await?)
}

fn consultation(number: &str, interview: Option<InterviewId>, phrase: &str) -> NewBossConsultation {
    NewBossConsultation {
        employee_number: number.into(),
        interview,
        held_on: careerdock_store::today_jst().format("%Y-%m-%d").to_string(),
        changes: format!("面談後、自分から相談してくるようになった。{phrase}"),
        performance: "担当案件は期限どおり。".into(),
        support: "月1回の1on1で計画を確認する。".into(),
    }
}

async fn boss_consultations_are_sealed_and_read_by_their_author_only(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let me = env.consultant.as_consultant()?;
    let interview = held_interview(&env, &env.consultant, "E002").await?;
    let phrase = format!("上司面談{}", random_hex(8));
    let id = s.record_boss_consultation(&me, &consultation("E002", Some(interview), &phrase)).await?;
    let d = s.boss_consultation(&me, id).await?;
    anyhow::ensure!(d.text.changes.contains(&phrase) && d.row.boss_name.as_deref() == Some("山田 太郎"), "{d:?}");
    anyhow::ensure!(d.row.interview == Some(interview) && d.row.employee_number == "E002", "{d:?}");
    // The colleague (who could reach the same employee) is answered as if it did not exist,
    // and the refusal is audited; other roles have no consultant's handle at all.
    match s.boss_consultation(&env.colleague.as_consultant()?, id).await {
        Err(StoreError::NotFound) => {}
        other => bail!("a colleague read it: {other:?}"),
    }
    match s.boss_consultation(&me, BossConsultationId::new(id.get() + 1000)).await {
        Err(StoreError::NotFound) => {}
        other => bail!("a missing id: {other:?}"),
    }
    for other in [&env.hr, &env.boss, &env.employee, &env.supervisor] {
        anyhow::ensure!(other.as_consultant().is_err(), "{} has no consultant's handle", other.label());
    }
    // Lists: the author's own only, also per employee.
    s.record_boss_consultation(&env.colleague.as_consultant()?, &consultation("E004", None, "同僚の記録")).await?;
    let mine = s.boss_consultation_page(&me, &BossConsultationQuery::default(), PageRequest::first(50)).await?;
    anyhow::ensure!(mine.total == 1 && mine.items.first().map(|r| r.id) == Some(id), "{mine:?}");
    let e2 = s.employee_by_number(env.tenant.id, "E002").await?.id;
    let e4 = s.employee_by_number(env.tenant.id, "E004").await?.id;
    let of = |employee| BossConsultationQuery { employee: Some(employee), ..Default::default() };
    anyhow::ensure!(s.boss_consultation_page(&me, &of(e2), PageRequest::first(20)).await?.total == 1, "E002's");
    anyhow::ensure!(s.boss_consultation_page(&me, &of(e4), PageRequest::first(20)).await?.total == 0, "not the colleague's");
    let searched = BossConsultationQuery { search: Some("佐藤".into()), ..Default::default() };
    anyhow::ensure!(s.boss_consultation_page(&me, &searched, PageRequest::first(20)).await?.total == 1, "search");
    let actions = env.actions().await?;
    for a in ["boss_consultation_recorded", "boss_consultation_read", "access_refused"] {
        anyhow::ensure!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    // What was said is sealed: the phrase is nowhere on the disk.
    match backend {
        Backend::Sqlite => assert_absent_from_sqlite_files(&env.db, &[phrase.as_bytes()], "after recording")?,
        Backend::Postgres => anyhow::ensure!(!contains(&pg_dump(&env.db)?, phrase.as_bytes()), "the phrase is in pg_dump"),
    }
    Ok(())
}

async fn boss_consultations_refuse_bad_input_all_at_once(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let me = env.consultant.as_consultant()?;
    let fields = |r: Result<BossConsultationId, StoreError>| -> Vec<&'static str> {
        match r {
            Err(StoreError::Problems(p)) => p.iter().map(|i| i.field).collect(),
            Err(StoreError::Invalid(i)) => vec![i.field],
            other => vec![if other.is_ok() { "accepted" } else { "other error" }],
        }
    };
    let blank = NewBossConsultation { employee_number: String::new(), interview: None, held_on: "2999-01-01".into(), ..Default::default() };
    anyhow::ensure!(fields(s.record_boss_consultation(&me, &blank).await) == ["held_on", "changes", "employee"], "blank");
    // An unknown number, and an employee without a boss in the register.
    anyhow::ensure!(fields(s.record_boss_consultation(&me, &consultation("E999", None, "")).await) == ["employee"], "unknown");
    anyhow::ensure!(fields(s.record_boss_consultation(&me, &consultation("E001", None, "")).await) == ["employee"], "no boss");
    // An interview of someone else, or with another employee, is refused on its field.
    let theirs = held_interview(&env, &env.colleague, "E002").await?;
    anyhow::ensure!(fields(s.record_boss_consultation(&me, &consultation("E002", Some(theirs), "")).await) == ["interview"], "theirs");
    let other_employee = held_interview(&env, &env.consultant, "E004").await?;
    anyhow::ensure!(
        fields(s.record_boss_consultation(&me, &consultation("E002", Some(other_employee), "")).await) == ["interview"],
        "another employee's"
    );
    let page = s.boss_consultation_page(&me, &BossConsultationQuery::default(), PageRequest::first(20)).await?;
    anyhow::ensure!(page.total == 0, "nothing was recorded: {page:?}");
    // The interviews offered in the form: the consultant's own with this employee.
    let offered = s.boss_consultation_interviews(&me, "E004").await?;
    anyhow::ensure!(offered.iter().map(|o| o.0).collect::<Vec<_>>() == [other_employee], "{offered:?}");
    anyhow::ensure!(s.boss_consultation_interviews(&me, "E002").await?.is_empty(), "not the colleague's interview");
    Ok(())
}

/// A boss's every read of feedback waits for the guide as it now requires; nothing else does.
async fn feedback_waits_for_the_guide(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let s = &env.store;
    let gated = |r: Result<(), StoreError>| matches!(r, Err(StoreError::GuideNotAcknowledged));
    let list = |c: &Ctx, p: Purpose| {
        let c = c.clone();
        let s = s.clone();
        async move { s.released_to_me(&c, p, true).await.map(|_| ()) }
    };
    let one = |c: &Ctx| {
        let c = c.clone();
        let s = s.clone();
        async move { s.read_released(&c, DisclosureId::new(1), Purpose::BossFeedback).await.map(|_| ()) }
    };
    anyhow::ensure!(gated(list(&env.boss, Purpose::BossFeedback).await), "the list before the guide");
    anyhow::ensure!(gated(one(&env.boss).await), "one before the guide");
    // Other purposes and other roles are not the gate's.
    anyhow::ensure!(list(&env.boss, Purpose::ImportantCase).await.is_ok(), "another purpose");
    anyhow::ensure!(list(&env.hr, Purpose::ImportantCase).await.is_ok(), "HR's cases");
    s.acknowledge_boss_guide(&env.boss.as_boss()?, 1).await?;
    anyhow::ensure!(list(&env.boss, Purpose::BossFeedback).await.is_ok(), "the list after the guide");
    anyhow::ensure!(matches!(one(&env.boss).await, Err(StoreError::NotFound)), "a missing one is not found, no longer gated");
    anyhow::ensure!(gated(list(&env.boss2, Purpose::BossFeedback).await), "another boss still waits");
    // A new version that asks again closes the gate until it is acknowledged.
    s.publish_boss_guide(&env.hr.as_hr()?, &draft("v2"), true, 1).await?;
    anyhow::ensure!(gated(list(&env.boss, Purpose::BossFeedback).await), "after a new version");
    s.acknowledge_boss_guide(&env.boss.as_boss()?, 2).await?;
    anyhow::ensure!(list(&env.boss, Purpose::BossFeedback).await.is_ok(), "acknowledged again");
    Ok(())
}
