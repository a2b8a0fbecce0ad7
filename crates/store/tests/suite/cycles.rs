//! Cycles (実施年度) through the store's public API, on a fresh SQLite file and a fresh
//! PostgreSQL database each. Interviews and reports are inserted with SQL as fixtures, since
//! only their counts are read here.

use crate::{inline_key, raw_pool};
use anyhow::{bail, ensure, Context, Result};
use careerdock_store::{Ctx, CycleStatus, NewCycle, NewUser, OpenOptions, Store, StoreError, TargetFilter, TenantRow};
use chrono::NaiveDate;
use domain::audit::AuditAction;
use domain::cycle::TargetRule;
use domain::ids::{CycleId, EmployeeId, UserId};
use domain::import::parse_employee_csv;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use sqlx::AnyPool;
use std::collections::HashMap;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    cycles_target_by_rule_and_keep_the_rule,
    bad_cycles_write_nothing,
    uploaded_lists_add_all_or_nothing,
    consultants_are_assigned_by_hand_or_balanced,
    overview_counts_interviews_and_reports_per_consultant,
    closed_cycles_freeze_their_targets,
    cycles_stay_in_their_tenant,
);

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

struct Env {
    db: TestDb,
    store: Store,
    tenant: TenantRow,
    hr: Ctx,
    consultants: Vec<UserId>,
    hr_user: UserId,
}

/// FY2026 (2026-04-01 … 2027-03-31). E001 turns 30 and E002 40 in it; E003 and E004 reach ten
/// years of service; E005 has retired, E006 is on leave; E007's department only shares a prefix.
const REGISTER: &str = "社員番号,氏名,所属,等級,生年,入社日,在籍区分
E001,山田 太郎,営業本部/第一営業部,G2,1996,2019-04-01,在籍
E002,佐藤 花子,営業本部,G3,1986,2010-04-01,在籍
E003,鈴木 一郎,営業本部/第二営業部,G2,1990,2016-04-01,在籍
E004,高橋 次郎,開発本部,G2,1996,2016-04-01,在籍
E005,田中 三郎,営業本部,G1,1996,2021-04-01,退職
E006,伊藤 四郎,営業本部,G1,1986,2021-04-01,休職
E007,渡辺 五郎,営業本部別館,G1,1996,2021-04-01,在籍
";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

async fn user(store: &Store, op: &Ctx, login: &str, name: &str, roles: &[Role]) -> Result<UserId> {
    Ok(store.create_user(op, &NewUser { login, display_name: name, password: "long-enough-password", roles, employee: None }).await?)
}

impl Env {
    async fn new(backend: Backend) -> Result<Env> {
        let db = fresh_db(backend)?;
        let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
        let slug = TenantSlug::parse("acme").map_err(|e| anyhow::anyhow!("{e}"))?;
        let tenant = store.create_tenant(&slug, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
        let op = Ctx::operator(tenant.id, "test");
        let parsed = parse_employee_csv(REGISTER.as_bytes(), d(2026, 4, 1)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.import_employees(&op, &parsed.rows).await?;
        let hr_user = user(&store, &op, "hr", "人事 花子", &[Role::Hr]).await?;
        let mut consultants = Vec::new();
        for (login, name) in [("cc-a", "相田 聡"), ("cc-b", "井上 恵"), ("cc-c", "上田 航")] {
            consultants.push(user(&store, &op, login, name, &[Role::Consultant]).await?);
        }
        let hr = Ctx::for_tests(tenant.id, hr_user, "hr", Some(Role::Hr));
        Ok(Env { db, store, tenant, hr, consultants, hr_user })
    }

    async fn employee(&self, number: &str) -> Result<EmployeeId> {
        Ok(self.store.employee_by_number(self.tenant.id, number).await?.id)
    }

    async fn create(&self, name: &str, rule: &TargetRule) -> Result<(CycleId, usize), StoreError> {
        self.store.create_cycle(&self.hr, &NewCycle { name, starts_on: d(2026, 4, 1), ends_on: d(2027, 3, 31), rule }).await
    }

    /// Numbers of every target with its reason and consultant.
    async fn targets(&self, id: CycleId) -> Result<Vec<(String, String, Option<UserId>)>> {
        let (total, rows) = self
            .store
            .cycle_targets(&self.hr, id, &TargetFilter { unassigned_only: false, limit: 1000, offset: 0, ..Default::default() })
            .await?;
        ensure!(total == rows.len() as i64, "total {total} but {} rows", rows.len());
        Ok(rows.into_iter().map(|r| (r.number, r.reason, r.consultant)).collect())
    }

    async fn numbers(&self, id: CycleId) -> Result<Vec<String>> {
        Ok(self.targets(id).await?.into_iter().map(|t| t.0).collect())
    }

    async fn last_audit(&self) -> Result<(String, String)> {
        let e = self.store.recent_audit(self.tenant.id, 1, None).await?;
        let e = e.into_iter().next().context("no audit event")?;
        Ok((e.action, e.detail))
    }

    async fn recent_audit(&self, n: i64) -> Result<Vec<(String, String)>> {
        Ok(self.store.recent_audit(self.tenant.id, n, None).await?.into_iter().map(|e| (e.action, e.detail)).collect())
    }

    async fn audit_count(&self) -> Result<i64> {
        Ok(self.store.audit_stats(self.tenant.id).await?.events)
    }

    async fn chain_intact(&self) -> Result<()> {
        let out = self.store.verify_audit(Some(self.tenant.id)).await?;
        ensure!(out.iter().all(|o| o.broken.is_none()), "broken chain: {out:?}");
        Ok(())
    }

    async fn raw(&self) -> Result<AnyPool> {
        raw_pool(&self.db).await
    }
}

fn invalid_field(r: Result<impl std::fmt::Debug, StoreError>) -> Result<&'static str> {
    match r {
        Err(StoreError::Invalid(i)) => Ok(i.field),
        other => bail!("expected an invalid value, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn cycles_target_by_rule_and_keep_the_rule(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let rule = TargetRule { departments: vec!["営業本部".into()], age_milestones: vec![30, 40], ..Default::default() };
    let (id, n) = env.create("2026年度 セルフ・キャリアドック", &rule).await?;
    assert_eq!(n, 2);
    let (action, detail) = env.last_audit().await?;
    assert_eq!(action, AuditAction::CycleCreated.as_str());
    assert!(detail.contains("targets=2") && detail.contains("age_milestones"), "{detail}");
    let targets = env.targets(id).await?;
    assert_eq!(targets.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), ["E001", "E002"]);
    let why = domain::cycle::reason_words(&targets[0].1, domain::Locale::Ja);
    assert!(why.contains("所属: 営業本部") && why.contains("30歳"), "{why}");
    assert!(targets.iter().all(|t| t.2.is_none()));

    let c = env.store.cycle(env.tenant.id, id).await?;
    assert_eq!(
        (c.name.as_str(), c.starts_on, c.ends_on, c.status),
        ("2026年度 セルフ・キャリアドック", d(2026, 4, 1), d(2027, 3, 31), CycleStatus::Planning)
    );
    assert_eq!((c.targets, c.assigned), (2, 0));
    assert_eq!(c.rule, rule, "the rule reads back as it was given");

    // Without criteria every employee at work is targeted: not the retired, not those on leave.
    let (all, n) = env.create("全員", &TargetRule::default()).await?;
    assert_eq!(n, 5);
    assert_eq!(env.numbers(all).await?, ["E001", "E002", "E003", "E004", "E007"]);
    assert!(env.targets(all).await?.iter().all(|t| t.1 == "全従業員"));
    let (tenure, _) = env.create("勤続10年", &TargetRule { tenure_years: vec![10], ..Default::default() }).await?;
    assert_eq!(env.numbers(tenure).await?, ["E003", "E004"]);
    let (grade, _) = env.create("G3", &TargetRule { grades: vec!["G3".into()], ..Default::default() }).await?;
    assert_eq!(env.numbers(grade).await?, ["E002"]);
    assert_eq!(env.store.preview_cycle_targets(env.tenant.id, &rule, d(2026, 4, 1)).await?, 2);
    assert_eq!(env.store.grades_in_use(env.tenant.id).await?, ["G1", "G2", "G3"]);

    let list = env.store.cycles(env.tenant.id).await?;
    assert_eq!(list.len(), 4);
    assert_eq!(list.iter().find(|c| c.id == all).map(|c| c.targets), Some(5));

    // Listing targets names employees: it is audited.
    env.store.cycle_targets(&env.hr, id, &TargetFilter { unassigned_only: true, limit: 1, offset: 1, ..Default::default() }).await?;
    let (action, detail) = env.last_audit().await?;
    assert_eq!(action, AuditAction::EmployeeListRead.as_str());
    assert!(detail.contains(&format!("cycle={id}")) && detail.contains("offset=1 count=1"), "{detail}");
    env.chain_intact().await
}

async fn bad_cycles_write_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let rule = TargetRule::default();
    env.create("2026年度", &rule).await?;
    let events = env.audit_count().await?;
    assert_eq!(invalid_field(env.create("2026年度", &rule).await)?, "name", "a name is used once per tenant");
    assert_eq!(invalid_field(env.create("  ", &rule).await)?, "name");
    let backwards = NewCycle { name: "逆", starts_on: d(2027, 3, 31), ends_on: d(2026, 4, 1), rule: &rule };
    assert_eq!(invalid_field(env.store.create_cycle(&env.hr, &backwards).await)?, "ends_on");
    let unknown = TargetRule { departments: vec!["存在しない部".into()], ..Default::default() };
    assert_eq!(invalid_field(env.create("未登録の部署", &unknown).await)?, "department", "the rule's departments must be registered");
    let odd = TargetRule { age_milestones: vec![33], ..Default::default() };
    assert_eq!(invalid_field(env.create("33歳", &odd).await)?, "age", "milestones come from the offered list");
    assert_eq!(env.store.cycles(env.tenant.id).await?.len(), 1);
    assert_eq!(env.audit_count().await?, events);
    env.chain_intact().await
}

async fn uploaded_lists_add_all_or_nothing(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (id, _) = env.create("30歳", &TargetRule { age_milestones: vec![30], ..Default::default() }).await?;
    assert_eq!(env.numbers(id).await?, ["E001", "E004", "E007"]);
    let events = env.audit_count().await?;

    // An unknown number, a malformed one and a retired employee: each named by its line, nothing added.
    let bad = "社員番号\nE002\nE999\nE0 03\nE005\n";
    match env.store.add_cycle_targets_from_list(&env.hr, id, bad.as_bytes()).await {
        Err(StoreError::Rows(rows)) => {
            let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [3, 4, 5]);
            assert!(rows[0].message.ja.contains("E999") && rows[0].message.en.contains("E999"));
            assert!(rows[2].message.ja.contains("退職"));
            assert_eq!(rows[0].column.as_deref(), Some("社員番号"));
        }
        other => bail!("expected rejected rows, got {other:?}"),
    }
    match env.store.add_cycle_targets_from_list(&env.hr, id, b"\n\n").await {
        Err(StoreError::Rows(rows)) => assert_eq!(rows.first().map(|r| r.line), Some(0)),
        other => bail!("an empty list is refused, got {other:?}"),
    }
    // A file that is neither UTF-8 nor Shift_JIS: its first unreadable line is named.
    let broken = [b"E002\n".as_slice(), &[0x82, 0xFF], b"\n"].concat();
    match env.store.add_cycle_targets_from_list(&env.hr, id, &broken).await {
        Err(StoreError::Rows(rows)) => {
            assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2]);
            assert!(rows[0].message.ja.contains("Shift_JIS") && rows[0].message.en.contains("byte"), "{:?}", rows[0].message);
        }
        other => bail!("an undecodable list is refused, got {other:?}"),
    }
    assert_eq!(env.audit_count().await?, events);
    assert_eq!(env.numbers(id).await?, ["E001", "E004", "E007"]);

    // Without a header, from a CSV with more columns; one already targeted, one on leave.
    let added = env
        .store
        .add_cycle_targets_from_list(&env.hr, id, "E002,佐藤 花子\r\nE001,山田 太郎\r\nE006,伊藤 四郎\r\nE002\r\n".as_bytes())
        .await?;
    assert_eq!((added.added, added.already), (2, 1));
    let (action, detail) = env.last_audit().await?;
    assert_eq!((action.as_str(), detail.as_str()), (AuditAction::CycleTargetsChanged.as_str(), "added=2 already=1 via=list"));
    // The same people again, from a Shift_JIS (CP932) file with a Japanese header: nothing new.
    let sjis = domain::import::SourceEncoding::ShiftJis.encode("社員番号\r\nE001\r\nＥ００２\r\n");
    let again = env.store.add_cycle_targets_from_list(&env.hr, id, &sjis).await?;
    assert_eq!((again.added, again.already), (0, 2));
    let targets = env.targets(id).await?;
    assert_eq!(targets.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), ["E001", "E002", "E004", "E006", "E007"]);
    assert!(targets.iter().any(|t| t.0 == "E002" && t.1 == domain::cycle::LISTED_REASON));

    // Removal, only without interviews.
    env.store.remove_cycle_target(&env.hr, id, env.employee("E006").await?).await?;
    assert!(matches!(env.store.remove_cycle_target(&env.hr, id, env.employee("E006").await?).await, Err(StoreError::NotFound)));
    assert_eq!(env.numbers(id).await?, ["E001", "E002", "E004", "E007"]);
    env.chain_intact().await
}

async fn consultants_are_assigned_by_hand_or_balanced(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (id, n) = env.create("全員", &TargetRule::default()).await?;
    assert_eq!(n, 5);
    let [a, b, c] = [env.consultants[0], env.consultants[1], env.consultants[2]];
    let e1 = env.employee("E001").await?;

    // Only a consultant of the tenant can take a target.
    assert_eq!(invalid_field(env.store.assign_cycle_target(&env.hr, id, e1, Some(env.hr_user)).await)?, "consultant");
    assert_eq!(invalid_field(env.store.assign_cycle_target(&env.hr, id, e1, Some(UserId::new(99_999))).await)?, "consultant");
    assert!(
        matches!(env.store.assign_cycle_target(&env.hr, id, env.employee("E005").await?, Some(a)).await, Err(StoreError::NotFound)),
        "E005 is no target"
    );

    // By hand: two to A; auto-assign then gives the rest to the least loaded, ties by name
    // (上田 C, 井上 B, 相田 A): C, B, C.
    env.store.assign_cycle_target(&env.hr, id, e1, Some(a)).await?;
    env.store.assign_cycle_target(&env.hr, id, env.employee("E002").await?, Some(a)).await?;
    let (action, detail) = env.last_audit().await?;
    assert_eq!(action, AuditAction::CycleTargetsChanged.as_str());
    assert!(detail.contains(&format!("consultant={a}")), "{detail}");
    assert_eq!(env.store.auto_assign_cycle(&env.hr, id).await?.assigned, 3);
    let mut load: HashMap<UserId, usize> = HashMap::new();
    for (_, _, who) in env.targets(id).await? {
        *load.entry(who.context("every target assigned")?).or_default() += 1;
    }
    assert_eq!((load.get(&a), load.get(&b), load.get(&c)), (Some(&2), Some(&1), Some(&2)));
    assert_eq!(env.store.auto_assign_cycle(&env.hr, id).await?.assigned, 0, "nothing left to assign");
    let cycle = env.store.cycle(env.tenant.id, id).await?;
    assert_eq!((cycle.targets, cycle.assigned), (5, 5));

    // Taking an assignment away.
    env.store.assign_cycle_target(&env.hr, id, e1, None).await?;
    let (total, rows) =
        env.store.cycle_targets(&env.hr, id, &TargetFilter { unassigned_only: true, limit: 50, offset: 0, ..Default::default() }).await?;
    assert_eq!((total, rows.first().map(|r| r.number.as_str())), (1, Some("E001")));
    let names = env.store.users_with_role(env.tenant.id, Role::Consultant).await?;
    assert_eq!(names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["上田 航", "井上 恵", "相田 聡"], "by name, code point order");
    env.chain_intact().await
}

async fn overview_counts_interviews_and_reports_per_consultant(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (id, _) = env.create("全員", &TargetRule::default()).await?;
    let [a, b, _] = [env.consultants[0], env.consultants[1], env.consultants[2]];
    for (number, who) in [("E001", a), ("E002", a), ("E003", b)] {
        env.store.assign_cycle_target(&env.hr, id, env.employee(number).await?, Some(who)).await?;
    }
    let pool = env.raw().await?;
    let sealed = env.store.write_sealed(&env.hr, "report", "本文").await?;
    // (employee, consultant, interview status, report status)
    let fixtures = [
        ("E001", a, "held", Some("approved")),
        ("E001", a, "cancelled", None),
        ("E002", a, "held", Some("draft")),
        ("E002", a, "no_show", None),
        ("E003", b, "held", Some("submitted")),
        ("E003", b, "scheduled", None),
    ];
    for (i, (number, who, status, report)) in fixtures.iter().enumerate() {
        let start = 1_790_000_000_000i64 + i as i64 * 7_200_000;
        let employee = env.employee(number).await?;
        let row = sqlx::query(
            "INSERT INTO interviews (tenant_id, cycle_id, employee_id, consultant_id, kind, mode, place, starts_at, ends_at, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'initial', 'in_person', '', $5, $6, $7, $5, $5) RETURNING id",
        )
        .bind(env.tenant.id.get())
        .bind(id.get())
        .bind(employee.get())
        .bind(who.get())
        .bind(start)
        .bind(start + 3_600_000)
        .bind(*status)
        .fetch_one(&pool)
        .await?;
        let interview: i64 = sqlx::Row::try_get(&row, "id")?;
        if let Some(report) = report {
            sqlx::query(
                "INSERT INTO reports (tenant_id, interview_id, employee_id, author_id, status, sealed_id, life_safety, organizational_response, round, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 1, 1, $7, $7)",
            )
            .bind(env.tenant.id.get())
            .bind(interview)
            .bind(employee.get())
            .bind(who.get())
            .bind(*report)
            .bind(sealed.get())
            .bind(start)
            .execute(&pool)
            .await?;
        }
    }
    pool.close().await;

    let o = env.store.cycle_overview(env.tenant.id, id).await?;
    assert_eq!((o.cycle.targets, o.cycle.assigned, o.interviewed), (5, 3, 3));
    assert_eq!((o.interviews.scheduled, o.interviews.held, o.interviews.no_show, o.interviews.cancelled), (1, 3, 1, 1));
    assert_eq!((o.reports.draft, o.reports.submitted, o.reports.returned, o.reports.approved), (1, 1, 0, 1));
    let rows: Vec<(&str, i64, i64, i64, i64, i64, i64)> = o
        .consultants
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.targets,
                p.interviews.scheduled,
                p.interviews.held,
                p.interviews.no_show,
                p.reports.draft,
                p.reports.approved,
            )
        })
        .collect();
    assert_eq!(rows, [("井上 恵", 1, 1, 1, 0, 0, 0), ("相田 聡", 2, 0, 2, 1, 1, 1)]);

    // A target with an interview stays; one without can go.
    assert_eq!(invalid_field(env.store.remove_cycle_target(&env.hr, id, env.employee("E001").await?).await)?, "employee_id");
    env.store.remove_cycle_target(&env.hr, id, env.employee("E004").await?).await?;
    assert_eq!(env.store.cycle(env.tenant.id, id).await?.targets, 4);
    let (_, rows) =
        env.store.cycle_targets(&env.hr, id, &TargetFilter { unassigned_only: false, limit: 50, offset: 0, ..Default::default() }).await?;
    assert_eq!(rows.iter().map(|r| r.interviews).collect::<Vec<_>>(), [2, 2, 2, 0]);
    env.chain_intact().await
}

async fn closed_cycles_freeze_their_targets(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (id, _) = env.create("全員", &TargetRule::default()).await?;
    env.store.set_cycle_status(&env.hr, id, CycleStatus::Active).await?;
    env.store.set_cycle_status(&env.hr, id, CycleStatus::Closed).await?;
    // Closing also opens the cycle's yearly review: the cycle's own event is among the last ones.
    let recent = env.recent_audit(3).await?;
    assert!(recent.iter().any(|(a, d)| a == AuditAction::CycleChanged.as_str() && d == "status=closed was=active"), "{recent:?}");
    assert!(recent.iter().any(|(a, _)| a == AuditAction::YearlyReviewWritten.as_str()), "{recent:?}");
    let events = env.audit_count().await?;
    env.store.set_cycle_status(&env.hr, id, CycleStatus::Closed).await?;
    assert_eq!(env.audit_count().await?, events, "no change, no event");

    let e1 = env.employee("E001").await?;
    assert_eq!(invalid_field(env.store.assign_cycle_target(&env.hr, id, e1, Some(env.consultants[0])).await)?, "status");
    assert_eq!(invalid_field(env.store.auto_assign_cycle(&env.hr, id).await)?, "status");
    assert_eq!(invalid_field(env.store.remove_cycle_target(&env.hr, id, e1).await)?, "status");
    assert!(matches!(env.store.add_cycle_targets_from_list(&env.hr, id, b"E005").await, Err(StoreError::Invalid(_))));
    assert_eq!(env.audit_count().await?, events);

    // Reopened, it can change again.
    env.store.set_cycle_status(&env.hr, id, CycleStatus::Active).await?;
    assert_eq!(env.store.auto_assign_cycle(&env.hr, id).await?.assigned, 5);
    env.chain_intact().await
}

async fn cycles_stay_in_their_tenant(backend: Backend) -> Result<()> {
    let env = Env::new(backend).await?;
    let (id, _) = env.create("全員", &TargetRule::default()).await?;
    let other = env
        .store
        .create_tenant(&TenantSlug::parse("other").map_err(|e| anyhow::anyhow!("{e}"))?, "他社", KThreshold::DEFAULT, "test")
        .await?;
    let op = Ctx::operator(other.id, "test");
    let stranger = user(&env.store, &op, "cc-x", "他社 相談員", &[Role::Consultant]).await?;
    let ctx = Ctx::for_tests(other.id, stranger, "cc-x", Some(Role::Hr));
    assert!(env.store.cycles(other.id).await?.is_empty());
    assert!(matches!(env.store.cycle(other.id, id).await, Err(StoreError::NotFound)));
    assert!(matches!(env.store.cycle_overview(other.id, id).await, Err(StoreError::NotFound)));
    assert!(matches!(
        env.store.cycle_targets(&ctx, id, &TargetFilter { unassigned_only: false, limit: 10, offset: 0, ..Default::default() }).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(env.store.set_cycle_status(&ctx, id, CycleStatus::Closed).await, Err(StoreError::NotFound)));
    assert!(matches!(env.store.auto_assign_cycle(&ctx, id).await, Err(StoreError::NotFound)));
    // Another tenant's consultant cannot take this tenant's target.
    let e1 = env.employee("E001").await?;
    assert_eq!(invalid_field(env.store.assign_cycle_target(&env.hr, id, e1, Some(stranger)).await)?, "consultant");
    assert_eq!(env.store.cycle(env.tenant.id, id).await?.status, CycleStatus::Planning);
    env.chain_intact().await
}
