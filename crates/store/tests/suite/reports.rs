//! Individual reports and their review through the store's public API, on SQLite and
//! PostgreSQL: the status machine end to end, who may read what (identified, pseudonymized or
//! not at all), names masked in shared cases, and report text sealed at rest.

use crate::inline_key;
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, KeySource, NewInterview, NewUser, OpenOptions, ReportFilter, ReviewInput, Store, StoreError};
use domain::ids::{EmployeeId, UserId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use rand::RngCore;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(report_lifecycle_and_access, stale_saves_and_bad_transitions_are_refused);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001
";

pub(super) struct Env {
    pub(super) db: TestDb,
    pub(super) store: Store,
    pub(super) c1: Ctx,
    pub(super) c2: Ctx,
    pub(super) sup: Ctx,
    pub(super) hr: Ctx,
    subject: EmployeeId,
}

async fn env(backend: Backend) -> Result<Env> {
    env_with(backend, inline_key()).await
}

/// Two consultants, a supervisor and HR in a tenant of three employees, with the given keys.
pub(super) async fn env_with(backend: Backend, keys: KeySource) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let mut users = Vec::new();
    for (login, role) in [("c1", Role::Consultant), ("c2", Role::Consultant), ("sup", Role::Supervisor), ("hr", Role::Hr)] {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    let subject = store.employee_by_number(tenant.id, "E002").await?.id;
    for c in &users[..2] {
        super::assign_everyone(&db, tenant.id, c.user().context("consultant")?).await?;
    }
    let mut it = users.into_iter();
    let (c1, c2, sup, hr) = (it.next().context("c1")?, it.next().context("c2")?, it.next().context("sup")?, it.next().context("hr")?);
    Ok(Env { db, store, c1, c2, sup, hr, subject })
}

/// A held interview of `c1` with the subject, a week ago.
async fn held_interview(e: &Env) -> Result<domain::ids::InterviewId> {
    held_interview_ago(e, 7).await
}

/// A held interview of `c1` with the subject, `days` days ago.
pub(super) async fn held_interview_ago(e: &Env, days: i64) -> Result<domain::ids::InterviewId> {
    let start = store_now() - days * 86_400_000;
    let slot = Slot::new(start, start + 3_600_000)?;
    let id = e
        .store
        .schedule_interview(
            &e.c1.as_consultant()?,
            &NewInterview {
                cycle: None,
                employee: e.subject,
                kind: InterviewKind::Initial,
                mode: InterviewMode::InPerson,
                place: "本社 面談室A".into(),
                slot,
            },
        )
        .await?;
    e.store.set_interview_status(&e.c1.as_consultant()?, id, InterviewStatus::Held, "").await?;
    Ok(id)
}

fn store_now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(super) fn sections(secret: &str) -> ReportSections {
    ReportSections {
        career_awareness: format!("山田太郎さんは今後のキャリアの方向性に迷いがある。{secret}"),
        workplace: "上司の佐藤課長とは月1回の1on1がある。鈴木さんとの協働が多い。".into(),
        organization: "ヤマダ タロウ本人によれば、営業と開発の連携に課題がある。".into(),
        support_plan: "太郎さんの強みを言語化する。".into(),
        next_steps: "3か月後に追加面談。".into(),
    }
}

async fn report_lifecycle_and_access(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let interview = held_interview(&e).await?;
    let id = e.store.create_report(&e.c1.as_consultant()?, interview).await?;
    ensure!(e.store.create_report(&e.c1.as_consultant()?, interview).await? == id, "creating twice returns the same report");
    ensure!(
        matches!(e.store.create_report(&e.c2.as_consultant()?, interview).await, Err(StoreError::NotFound)),
        "only the interviewer starts the report"
    );

    let mut phrase = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut phrase);
    let secret = format!("秘密の記述{}", hex_of(&phrase));
    let v = e.store.read_report(&e.c1, id, Locale::Ja).await?.version;
    e.store
        .save_report(
            &e.c1.as_consultant()?,
            id,
            &sections(&secret),
            &["career_direction".into()],
            ReportFlags { life_safety: false, organizational_response: true },
            v,
        )
        .await?;

    // A draft is the author's alone.
    for other in [&e.c2, &e.sup, &e.hr] {
        ensure!(
            matches!(e.store.read_report(other, id, Locale::Ja).await, Err(StoreError::NotFound)),
            "{} must not read a draft",
            other.label()
        );
    }
    e.store.submit_report(&e.c1.as_consultant()?, id, None).await?;

    // The supervisor reviews it pseudonymized: no name of the person, the boss or a colleague survives.
    let seen = e.store.read_report(&e.sup, id, Locale::Ja).await?;
    ensure!(seen.summary.pseudonymized && seen.summary.status == ReportStatus::Submitted, "supervisor sees it pseudonymized");
    let all_text = format!(
        "{} {} {} {} {}",
        seen.sections.career_awareness,
        seen.sections.workplace,
        seen.sections.organization,
        seen.sections.support_plan,
        seen.sections.next_steps
    );
    for name in ["山田", "太郎", "佐藤", "鈴木", "ヤマダ", "タロウ"] {
        ensure!(!all_text.contains(name), "{name} survived pseudonymization: {all_text}");
    }
    ensure!(all_text.contains(&secret), "the content itself is kept");
    ensure!(!seen.summary.subject.contains("山田"), "the subject is a pseudonym");

    // Returning needs a comment; the comment reaches the author beside the section.
    let no_comment = ReviewInput { approve: false, comments: vec![], scores: vec![] };
    ensure!(
        matches!(e.store.review_report(&e.sup.as_supervisor()?, id, &no_comment).await, Err(StoreError::Invalid(_))),
        "a return without comment is refused"
    );
    let ret = ReviewInput {
        approve: false,
        comments: vec![("workplace".into(), "具体的なエピソードを追記してください".into())],
        scores: vec![("evidence".into(), 2)],
    };
    ensure!(e.store.review_report(&e.sup.as_supervisor()?, id, &ret).await? == ReportStatus::Returned, "returned");
    let back = e.store.read_report(&e.c1, id, Locale::Ja).await?;
    ensure!(
        back.editable && back.comments.iter().any(|c| c.section == "workplace" && c.body.contains("エピソード")),
        "author sees the comment"
    );
    let mut revised = sections(&secret);
    revised.workplace.push_str("先月の商談では同僚の支援で受注につながった。");
    e.store.save_report(&e.c1.as_consultant()?, id, &revised, &[], ReportFlags::default(), back.version).await?;
    e.store.submit_report(&e.c1.as_consultant()?, id, None).await?;
    let ok = ReviewInput { approve: true, comments: vec![], scores: vec![("evidence".into(), 4), ("privacy".into(), 3)] };
    ensure!(e.store.review_report(&e.sup.as_supervisor()?, id, &ok).await? == ReportStatus::Approved, "approved");

    // Another consultant reads the approved case, pseudonymized; HR sees nothing (R6).
    let case = e.store.read_report(&e.c2, id, Locale::Ja).await?;
    ensure!(case.summary.pseudonymized && !case.sections.workplace.contains("佐藤"), "shared case is pseudonymized");
    ensure!(matches!(e.store.read_report(&e.hr, id, Locale::Ja).await, Err(StoreError::NotFound)), "hr never reads a report");
    ensure!(e.store.list_reports(&e.hr, &ReportFilter::default(), Locale::Ja).await?.is_empty(), "hr lists none");
    let shared = e.store.list_reports(&e.c2, &ReportFilter { shared_only: true, ..Default::default() }, Locale::Ja).await?;
    ensure!(shared.len() == 1 && shared[0].pseudonymized, "c2 lists the shared case");
    ensure!(!e.store.read_report(&e.c1, id, Locale::Ja).await?.editable, "approved is final");

    // Every read was audited, and the chain holds.
    let verified = e.store.verify_audit(None).await?;
    ensure!(verified.iter().all(|v| v.broken.is_none()), "chain intact");
    let events = e.store.recent_audit(e.c1.tenant(), 500, None).await?;
    ensure!(events.iter().filter(|ev| ev.action == "report_read").count() >= 4, "reads are audited");
    ensure!(
        events.iter().any(|ev| ev.action == "report_read" && ev.detail == "view=pseudonymized" && ev.acting_role == "consultant"),
        "the view is recorded"
    );

    // The report text is sealed: absent from the SQLite file and its WAL.
    if let Some(path) = e.db.sqlite_path() {
        for p in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&p) {
                ensure!(!contains(&bytes, secret.as_bytes()), "phrase found in {}", p.display());
            }
        }
    }
    e.store.close().await;
    Ok(())
}

async fn stale_saves_and_bad_transitions_are_refused(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let interview = held_interview(&e).await?;
    let id = e.store.create_report(&e.c1.as_consultant()?, interview).await?;
    let v = e.store.read_report(&e.c1, id, Locale::Ja).await?.version;
    e.store.save_report(&e.c1.as_consultant()?, id, &sections("x"), &[], ReportFlags::default(), v).await?;
    ensure!(
        matches!(
            e.store.save_report(&e.c1.as_consultant()?, id, &sections("y"), &[], ReportFlags::default(), v).await,
            Err(StoreError::Conflict(_))
        ),
        "a stale version is refused"
    );
    ensure!(e.store.read_report(&e.c1, id, Locale::Ja).await?.sections.career_awareness.ends_with('x'), "the first save is kept");
    ensure!(
        matches!(
            e.store.save_report(&e.c1.as_consultant()?, id, &sections("z"), &["no_such_tag".into()], ReportFlags::default(), v + 1).await,
            Err(StoreError::Invalid(_))
        ),
        "unknown tag"
    );
    let empty = ReportSections::default();
    let v2 = e.store.read_report(&e.c1, id, Locale::Ja).await?.version;
    e.store.save_report(&e.c1.as_consultant()?, id, &empty, &[], ReportFlags::default(), v2).await?;
    // Every missing section is said at once, not one per attempt.
    match e.store.submit_report(&e.c1.as_consultant()?, id, None).await {
        Err(StoreError::Problems(all)) => ensure!(
            all.iter().map(|p| p.field).collect::<Vec<_>>() == ["career_awareness", "workplace", "organization"],
            "empty sections cannot be submitted: {all:?}"
        ),
        other => anyhow::bail!("empty sections cannot be submitted, all three said at once: {other:?}"),
    }
    ensure!(
        matches!(
            e.store.review_report(&e.sup.as_supervisor()?, id, &ReviewInput { approve: true, comments: vec![], scores: vec![] }).await,
            Err(StoreError::NotFound)
        ),
        "a draft is invisible to the supervisor"
    );
    ensure!(
        matches!(
            e.store.submit_report(&e.c1.as_consultant()?, id, Some(UserId::new(e.hr.user().map(|u| u.get()).unwrap_or(0)))).await,
            Err(StoreError::Invalid(_) | StoreError::Problems(_))
        ),
        "only supervisors can be assigned"
    );
    e.store.close().await;
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
