//! Loading a prepared history (`Store::seed_history`, used by `careerdock demo`) on a fresh
//! SQLite file and a fresh PostgreSQL database: everything lands, reads back through the
//! ordinary API, stays sealed at rest, and a bad history writes nothing at all.

use crate::{inline_key, raw_pool};
use anyhow::{ensure, Context, Result};
use careerdock_store::{
    Ctx, CycleStatus, NewUser, OpenOptions, SeedCycle, SeedHistory, SeedInterview, SeedReport, SeedRequest, SeedReview, SeedTarget, Store,
    StoreError, TenantRow,
};
use chrono::NaiveDate;
use domain::cycle::TargetRule;
use domain::ids::{EmployeeId, InterviewId, ReportId, UserId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, RequestStatus};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{Locale, Role};
use rand::RngCore;
use sqlx::Row;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(a_history_lands_whole_and_reads_back, a_bad_history_writes_nothing);

const REGISTER: &str = "社員番号,氏名,所属,等級,生年,入社日,在籍区分
E001,鈴木 一郎,営業本部/第一営業部,G5,1976,2000-04-01,在籍
E002,山田 太郎,営業本部/第一営業部,G2,1996,2019-04-01,在籍
E003,佐藤 花子,営業本部/第一営業部,G3,1986,2010-04-01,在籍
E004,高橋 次郎,開発本部,G2,1996,2016-04-01,在籍
E005,田中 三郎,開発本部,G1,2001,2024-04-01,在籍
";

const H: i64 = 3_600_000;
const D: i64 = 24 * H;

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    op: Ctx,
    c1: Ctx,
    c2: Ctx,
    sup: UserId,
    employees: Vec<EmployeeId>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Epoch milliseconds of a JST wall-clock hour.
fn jst(y: i32, m: u32, d: u32, hour: u32) -> i64 {
    day(y, m, d).and_hms_opt(hour, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis() - 9 * H)
}

async fn env(backend: Backend, slug: &str) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse(slug)?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "demo");
    let parsed = parse_employee_csv(REGISTER.as_bytes(), day(2026, 11, 25)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let ids = store.employee_ids_by_number(tenant.id).await?;
    let employees =
        ["E001", "E002", "E003", "E004", "E005"].iter().map(|n| ids.get(*n).copied().context("employee id")).collect::<Result<Vec<_>>>()?;
    let mut users = Vec::new();
    for (login, role) in [("c1", Role::Consultant), ("c2", Role::Consultant), ("sup", Role::Supervisor)] {
        let id = store
            .create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee: None })
            .await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    let sup = users[2].user().context("sup")?;
    let (c1, c2) = (users[0].clone(), users[1].clone());
    Ok(Env { db, store, tenant, op, c1, c2, sup, employees })
}

fn sections(secret: &str) -> ReportSections {
    ReportSections {
        career_awareness: format!("山田太郎さんは入社8年目。今後のキャリアの方向性について迷いがある。{secret}"),
        workplace: "上司の鈴木課長とは月1回の1on1がある。".into(),
        organization: "部門をまたいだ情報共有の仕組みが十分でない。".into(),
        support_plan: "キャリアシートを用いて、これまでの経験を棚卸しする。".into(),
        next_steps: "2月頃にフォローアップ面談を実施する。".into(),
    }
}

fn interview(e: &Env, cycle: Option<usize>, who: usize, by: &Ctx, starts_at: i64, status: InterviewStatus) -> Result<SeedInterview> {
    Ok(SeedInterview {
        cycle,
        employee: e.employees[who],
        consultant: by.user().context("consultant")?,
        kind: if cycle.is_some() { InterviewKind::Initial } else { InterviewKind::Additional },
        mode: InterviewMode::Online,
        place: "https://meet.example.jp/abc-defg-hij".into(),
        starts_at,
        ends_at: starts_at + H,
        status,
        status_note: if status == InterviewStatus::Cancelled {
            "業務都合のため本人より延期の申し出".into()
        } else {
            String::new()
        },
        note: (status == InterviewStatus::Held).then(|| format!("初回面談。{who}番目の記録。")),
        created_at: starts_at - 10 * D,
        updated_at: starts_at + 2 * H,
    })
}

/// Two years: a closed one with a report that was returned and then approved, and the
/// current one with a draft, a scheduled interview and three consultation requests.
fn history(e: &Env, secret: &str) -> Result<SeedHistory> {
    let now = chrono::Utc::now().timestamp_millis();
    let soon = (now / H + 72) * H;
    let c1 = e.c1.user().context("c1")?;
    let c2 = e.c2.user().context("c2")?;
    let cycle = |fy: i32, status: CycleStatus, targets: Vec<SeedTarget>| SeedCycle {
        name: format!("{fy}年度 セルフ・キャリアドック"),
        starts_on: day(fy, 4, 1),
        ends_on: day(fy + 1, 3, 31),
        status,
        rule: TargetRule { age_milestones: vec![30, 40, 50], ..TargetRule::default() },
        created_at: jst(fy, 3, 12, 10),
        targets,
    };
    let target = |who: usize, by: UserId| SeedTarget {
        employee: e.employees[who],
        consultant: Some(by),
        reason: domain::cycle::Reasons(vec![domain::cycle::Reason::AgeMilestone(30)]).encode(),
    };
    let cycles = vec![
        cycle(2025, CycleStatus::Closed, vec![target(1, c1), target(2, c2), target(3, c1)]),
        cycle(2026, CycleStatus::Active, vec![target(1, c1), target(3, c2), target(4, c2)]),
    ];
    let interviews = vec![
        interview(e, Some(0), 1, &e.c1, jst(2025, 6, 2, 10), InterviewStatus::Held)?,
        interview(e, Some(0), 2, &e.c2, jst(2025, 6, 2, 10), InterviewStatus::Held)?,
        interview(e, Some(0), 3, &e.c1, jst(2025, 6, 2, 11), InterviewStatus::Cancelled)?,
        interview(e, Some(1), 1, &e.c1, jst(2026, 6, 1, 14), InterviewStatus::Held)?,
        interview(e, Some(1), 3, &e.c2, soon, InterviewStatus::Scheduled)?,
        SeedInterview { created_at: now - D, updated_at: now - D, ..interview(e, None, 4, &e.c1, soon, InterviewStatus::Scheduled)? },
    ];
    let review = |round: i64, decision: ReportStatus, comments: Vec<(&str, &str)>, at: i64| SeedReview {
        reviewer: e.sup,
        round,
        decision,
        scores: vec![("issue_clarity".into(), 3), ("evidence".into(), 2), ("privacy".into(), 4)],
        comments: comments.into_iter().map(|(s, t)| (s.to_string(), t.to_string())).collect(),
        at,
    };
    let t0 = jst(2025, 6, 3, 9);
    let reports = vec![
        SeedReport {
            interview: 0,
            status: ReportStatus::Approved,
            sections: sections(secret),
            tags: vec!["career_direction".into(), "relationships".into()],
            flags: ReportFlags { life_safety: false, organizational_response: true },
            round: 2,
            version: 4,
            supervisor: Some(e.sup),
            created_at: t0,
            updated_at: t0 + 6 * D,
            submitted_at: Some(t0 + 4 * D),
            approved_at: Some(t0 + 6 * D),
            reviews: vec![
                review(
                    1,
                    ReportStatus::Returned,
                    vec![("career_awareness", "具体的なエピソードを追記してください。"), ("next_steps", "次回面談の時期を具体的に。")],
                    t0 + 2 * D,
                ),
                review(2, ReportStatus::Approved, vec![("general", "全体としてよくまとまっています。")], t0 + 6 * D),
            ],
        },
        SeedReport {
            interview: 1,
            status: ReportStatus::Approved,
            sections: sections("二件目"),
            tags: vec!["work_style".into()],
            flags: ReportFlags::default(),
            round: 1,
            version: 2,
            supervisor: None,
            created_at: t0,
            updated_at: t0 + 3 * D,
            submitted_at: Some(t0 + D),
            approved_at: Some(t0 + 3 * D),
            reviews: vec![review(1, ReportStatus::Approved, vec![], t0 + 3 * D)],
        },
        SeedReport {
            interview: 3,
            status: ReportStatus::Draft,
            sections: sections("下書き"),
            tags: vec!["health".into()],
            flags: ReportFlags { life_safety: true, organizational_response: false },
            round: 1,
            version: 2,
            supervisor: None,
            created_at: jst(2026, 6, 2, 9),
            updated_at: jst(2026, 6, 2, 12),
            submitted_at: None,
            approved_at: None,
            reviews: vec![],
        },
    ];
    let request =
        |who: usize, consultant: Option<UserId>, status: RequestStatus, reply: Option<&str>, interview: Option<usize>| SeedRequest {
            employee: e.employees[who],
            consultant,
            preferred: "来週の午後".into(),
            message: format!("異動について相談したいことがあります。{who}"),
            status,
            reply: reply.map(str::to_string),
            interview,
            created_at: now - 3 * D,
            updated_at: now - D,
        };
    let requests = vec![
        request(4, Some(c1), RequestStatus::Scheduled, Some("上記の日時でお待ちしています。"), Some(5)),
        request(2, Some(c2), RequestStatus::Declined, Some("人事課の制度窓口をご案内します。"), None),
        request(0, None, RequestStatus::Open, None, None),
    ];
    Ok(SeedHistory { cycles, interviews, reports, requests })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn a_history_lands_whole_and_reads_back(backend: Backend) -> Result<()> {
    let e = env(backend, "acme").await?;
    let mut phrase = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut phrase);
    let secret = format!("面談で語られた秘密{}", phrase.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let input = history(&e, &secret)?;
    let s = e.store.seed_history(&e.op, &input).await?;
    ensure!((s.cycles, s.targets, s.interviews, s.notes) == (2, 6, 6, 3), "{s:?}");
    ensure!((s.reports, s.report_tags, s.reviews, s.comments, s.requests) == (3, 4, 3, 3, 3), "{s:?}");
    // 3 notes, 3 reports, 3 comments, 3 messages, 2 replies, 1 cancellation reason, and the
    // flags and tags of the 3 reports.
    ensure!(s.sealed == 18, "{s:?}");
    // Nothing of a report's flags or tags is left in plain (issue 6, data at rest).
    let raw = raw_pool(&e.db).await?;
    let plain: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) AS n FROM reports WHERE life_safety <> 0 OR organizational_response <> 0 OR facts_sealed_id IS NULL")
            .fetch_one(&raw)
            .await?,
        "n",
    )?;
    let tag_rows: i64 = sqlx::Row::try_get(&sqlx::query("SELECT COUNT(*) AS n FROM report_tags").fetch_one(&raw).await?, "n")?;
    raw.close().await;
    ensure!((plain, tag_rows) == (0, 0), "flags or tags readable from the database alone: {plain} reports, {tag_rows} tag rows");

    let cycles = e.store.cycles(e.tenant.id).await?;
    ensure!(cycles.len() == 2 && cycles.iter().all(|c| c.targets == 3 && c.assigned == 3), "{cycles:?}");
    ensure!(cycles[0].status == CycleStatus::Active && cycles[1].status == CycleStatus::Closed);
    ensure!(cycles[0].rule.age_milestones == vec![30, 40, 50]);
    let current = e.store.cycle_overview(e.tenant.id, cycles[0].id).await?;
    ensure!(current.interviews.held == 1 && current.interviews.scheduled == 1 && current.reports.draft == 1, "{current:?}");
    let past = e.store.cycle_overview(e.tenant.id, cycles[1].id).await?;
    ensure!(past.interviews.held == 2 && past.interviews.cancelled == 1 && past.reports.approved == 2, "{past:?}");

    // The returned-then-approved report reads back whole to its author.
    let pool = raw_pool(&e.db).await?;
    let row = sqlx::query(
        "SELECT r.id, r.interview_id FROM reports r JOIN interviews i ON i.id = r.interview_id WHERE r.tenant_id = $1 AND r.round = 2",
    )
    .bind(e.tenant.id.get())
    .fetch_one(&pool)
    .await?;
    let (report, interview) = (ReportId::new(row.try_get("id")?), InterviewId::new(row.try_get("interview_id")?));
    let detail = e.store.read_report(&e.c1, report, Locale::Ja).await?;
    ensure!(detail.sections == sections(&secret) && detail.round == 2 && detail.version == 4, "{detail:?}");
    ensure!(
        detail.summary.status == ReportStatus::Approved && detail.summary.tags.len() == 2 && detail.summary.flags.organizational_response
    );
    ensure!(
        detail.comments.len() == 3 && detail.comments.iter().any(|c| c.body == "具体的なエピソードを追記してください。" && c.round == 1)
    );
    let decisions: Vec<(i64, &str)> = detail.reviews.iter().map(|r| (r.round, r.decision.as_str())).collect();
    ensure!(decisions == vec![(1, "returned"), (2, "approved")], "{decisions:?}");
    ensure!(detail.reviews[0].scores.contains(&("evidence".to_string(), 2)));
    let note = e.store.read_interview_note(&e.c1, interview).await?.context("a note")?;
    ensure!(note.text == "初回面談。1番目の記録。", "{}", note.text);

    // The open request sits in the pool with its message; the scheduled one has its interview.
    let queue = e.store.request_queue(&e.c1.as_consultant()?).await?;
    ensure!(queue.len() == 1 && queue[0].message == "異動について相談したいことがあります。0" && !queue[0].assigned_to_me, "{queue:?}");
    let linked: i64 = sqlx::query("SELECT COUNT(*) AS n FROM consultation_requests c JOIN interviews i ON i.id = c.interview_id WHERE c.tenant_id = $1 AND i.kind = 'additional'")
        .bind(e.tenant.id.get())
        .fetch_one(&pool)
        .await?
        .try_get("n")?;
    ensure!(linked == 1);

    // One audit event for the lot, and the chain holds.
    let events = e.store.recent_audit(e.tenant.id, 50, None).await?;
    let seeded: Vec<_> = events.iter().filter(|ev| ev.action == "demo_generated").collect();
    ensure!(seeded.len() == 1 && seeded[0].detail.contains("reports=3") && seeded[0].detail.contains("interviews=6"), "{seeded:?}");
    let verified = e.store.verify_audit(Some(e.tenant.id)).await?;
    ensure!(verified.iter().all(|v| v.broken.is_none()), "{verified:?}");

    pool.close().await;
    e.store.close().await;
    // Sealed at rest: the phrase is in neither the SQLite file nor its WAL.
    if let Some(path) = e.db.sqlite_path() {
        let mut checked = 0;
        for p in [path.clone(), path.with_extension("db-wal")] {
            if let Ok(bytes) = std::fs::read(&p) {
                checked += 1;
                ensure!(!contains(&bytes, secret.as_bytes()), "phrase found in {}", p.display());
                ensure!(!contains(&bytes, "初回面談。".as_bytes()), "a note found in {}", p.display());
            }
        }
        ensure!(checked > 0, "no database file at {}", path.display());
    }
    Ok(())
}

async fn a_bad_history_writes_nothing(backend: Backend) -> Result<()> {
    let e = env(backend, "acme").await?;
    let events = e.store.audit_stats(e.tenant.id).await?.events;
    let refused = |r: Result<_, StoreError>| matches!(r, Err(StoreError::Invalid(_)));

    // Two held interviews of one consultant at overlapping times.
    let mut bad = history(&e, "x")?;
    bad.interviews[2] = SeedInterview {
        starts_at: jst(2025, 6, 2, 10) + 30 * 60_000,
        ends_at: jst(2025, 6, 2, 11) + 30 * 60_000,
        ..bad.interviews[0].clone()
    };
    bad.interviews[2].employee = e.employees[3];
    ensure!(refused(e.store.seed_history(&e.op, &bad).await), "overlap refused");

    // An unknown tag, found only after the checks that need no database.
    let mut bad = history(&e, "x")?;
    bad.reports[1].tags.push("no_such_tag".into());
    ensure!(refused(e.store.seed_history(&e.op, &bad).await), "unknown tag refused");

    // A report of an interview that was not held, and an employee of another tenant.
    let mut bad = history(&e, "x")?;
    bad.reports[2].interview = 4;
    ensure!(refused(e.store.seed_history(&e.op, &bad).await), "report of a scheduled interview refused");
    let other = e.store.create_tenant(&TenantSlug::parse("other")?, "別会社", KThreshold::DEFAULT, "test").await?;
    let other_op = Ctx::operator(other.id, "demo");
    ensure!(refused(e.store.seed_history(&other_op, &history(&e, "x")?).await), "another tenant's people refused");

    // A failure late in the transaction (a duplicate cycle name) rolls everything back.
    let mut bad = history(&e, "x")?;
    bad.cycles[1].name = bad.cycles[0].name.clone();
    ensure!(e.store.seed_history(&e.op, &bad).await.is_err(), "duplicate cycle names refused");

    ensure!(e.store.cycles(e.tenant.id).await?.is_empty(), "no cycle left behind");
    let pool = raw_pool(&e.db).await?;
    for table in [
        "cycle_targets",
        "interviews",
        "interview_notes",
        "reports",
        "report_reviews",
        "report_comments",
        "consultation_requests",
        "sealed_texts",
    ] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&pool).await?.try_get("n")?;
        ensure!(n == 0, "{n} rows left in {table}");
    }
    ensure!(e.store.audit_stats(e.tenant.id).await?.events == events, "nothing audited");

    // The good one still goes in afterwards.
    e.store.seed_history(&e.op, &history(&e, "x")?).await?;
    ensure!(e.store.cycles(e.tenant.id).await?.len() == 2);
    pool.close().await;
    e.store.close().await;
    Ok(())
}
