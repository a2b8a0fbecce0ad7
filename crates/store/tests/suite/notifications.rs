//! Notices (issue 8) through the store's public API, on SQLite and PostgreSQL: each user's
//! inbox is their own (another's notice answers as a missing one), the unread count, marking
//! read; and the e-mail job that `notify_in_tx` enqueues in the notice's own transaction only
//! when this database's servers send e-mail and the recipient has an address, once per notice.

use crate::inline_key;
use anyhow::{ensure, Context, Result};
use careerdock_store::{Ctx, InboxFilter, NewUser, OpenOptions, PageRequest, Store, StoreError, UNREAD_COUNT_CAP};
use domain::employee::Email;
use domain::ids::{NotificationId, TenantId, UserId};
use domain::import::parse_employee_csv;
use domain::job::JobKind;
use domain::notification::NotificationKind;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    each_inbox_is_its_owners_alone,
    the_email_job_is_enqueued_with_the_notice_only_when_mail_is_on_and_there_is_an_address,
    an_accounts_own_address_is_set_by_its_owner_an_administrator_or_the_operator_and_audited,
);

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,,ken.sato@example.co.jp
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001,taro.yamada@example.co.jp
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001,
";

struct Env {
    _db: TestDb,
    store: Store,
    tenant: TenantId,
    op: Ctx,
    /// Linked to E002 (an address in the register).
    employee: (UserId, Ctx),
    /// Linked to E003 (no address).
    quiet: (UserId, Ctx),
    /// Not linked to anyone (no address until the account gets one).
    health: (UserId, Ctx),
    /// Another tenant's user.
    stranger: (UserId, Ctx),
}

async fn user(store: &Store, op: &Ctx, login: &str, role: Role, employee: Option<&str>) -> Result<(UserId, Ctx)> {
    let employee = match employee {
        Some(n) => Some(store.employee_by_number(op.tenant(), n).await?.id),
        None => None,
    };
    let id = store.create_user(op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee }).await?;
    Ok((id, Ctx::for_tests(op.tenant(), id, login, Some(role))))
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() }).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let employee = user(&store, &op, "taro", Role::Employee, Some("E002")).await?;
    let quiet = user(&store, &op, "hanako", Role::Employee, Some("E003")).await?;
    let health = user(&store, &op, "nurse", Role::Health, None).await?;
    let other = store.create_tenant(&TenantSlug::parse("other")?, "別会社", KThreshold::DEFAULT, "test").await?;
    let stranger = user(&store, &Ctx::operator(other.id, "test"), "stranger", Role::Hr, None).await?;
    Ok(Env { _db: db, store, tenant: tenant.id, op, employee, quiet, health, stranger })
}

async fn notify(e: &Env, who: UserId, kind: NotificationKind) -> Result<NotificationId> {
    let tenant = if who == e.stranger.0 { e.stranger.1.tenant() } else { e.tenant };
    Ok(e.store.notify_for_tests(tenant, who, kind, "/notifications").await?)
}

async fn each_inbox_is_its_owners_alone(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let mine = notify(&e, e.employee.0, NotificationKind::DisclosureRequested).await?;
    let second = notify(&e, e.employee.0, NotificationKind::EscalationDisclosureNotice).await?;
    let theirs = notify(&e, e.health.0, NotificationKind::EscalationRaised).await?;
    let foreign = notify(&e, e.stranger.0, NotificationKind::OrgIssueRaised).await?;
    let me = &e.employee.1;

    assert_eq!(e.store.unread_notification_count(e.tenant, e.employee.0).await?, 2);
    let page = e.store.notifications_page(me, InboxFilter::All, PageRequest::first(20)).await?;
    assert_eq!(page.total, 2);
    assert_eq!(page.items.iter().map(|n| n.id).collect::<Vec<_>>(), vec![second, mine], "newest first");
    assert_eq!(page.items[0].kind, Some(NotificationKind::EscalationDisclosureNotice));
    assert_eq!(page.items[0].link, "/notifications");

    // Someone else's notice, another tenant's or none: the same NotFound, and nothing changes.
    for id in [theirs, foreign, NotificationId::new(999_999)] {
        ensure!(matches!(e.store.mark_notification_read(me, id).await, Err(StoreError::NotFound)), "{id:?} is not mine");
    }
    assert_eq!(e.store.unread_notification_count(e.tenant, e.health.0).await?, 1);
    assert_eq!(e.store.unread_notification_count(e.stranger.1.tenant(), e.stranger.0).await?, 1);
    // A user's id in another tenant counts nothing.
    assert_eq!(e.store.unread_notification_count(e.tenant, e.stranger.0).await?, 0);

    let read = e.store.mark_notification_read(me, mine).await?;
    let first_read = read.read_at.context("marked read")?;
    // Marking again keeps the first time.
    assert_eq!(e.store.mark_notification_read(me, mine).await?.read_at, Some(first_read));
    assert_eq!(e.store.unread_notification_count(e.tenant, e.employee.0).await?, 1);
    let unread = e.store.notifications_page(me, InboxFilter::Unread, PageRequest::first(20)).await?;
    assert_eq!((unread.total, unread.items[0].id), (1, second));
    let done = e.store.notifications_page(me, InboxFilter::Read, PageRequest::first(20)).await?;
    assert_eq!((done.total, done.items[0].id), (1, mine));

    assert_eq!(e.store.mark_all_notifications_read(me).await?, 1);
    assert_eq!(e.store.mark_all_notifications_read(me).await?, 0);
    assert_eq!(e.store.unread_notification_count(e.tenant, e.employee.0).await?, 0);
    assert_eq!(e.store.unread_notification_count(e.tenant, e.health.0).await?, 1, "another's inbox is untouched");

    // The header's count stops at the cap.
    for _ in 0..UNREAD_COUNT_CAP + 5 {
        notify(&e, e.quiet.0, NotificationKind::DisclosureShared).await?;
    }
    assert_eq!(e.store.unread_notification_count(e.tenant, e.quiet.0).await?, UNREAD_COUNT_CAP);
    let all = e.store.notifications_page(&e.quiet.1, InboxFilter::All, PageRequest::new(20, 100)).await?;
    assert_eq!((all.total, all.items.len()), (UNREAD_COUNT_CAP + 5, 5));

    // A notice's link must be a plain path of the app.
    let mut bad = 0;
    for link in ["https://evil.example/", "//evil.example", "/employees?q=山田"] {
        bad += usize::from(e.store.notify_for_tests(e.tenant, e.employee.0, NotificationKind::DisclosureShared, link).await.is_err());
    }
    assert_eq!(bad, 3);
    // Demo notices: of the tenant's users only.
    let seed = |user: UserId| careerdock_store::SeedNotice {
        user,
        kind: NotificationKind::BossGuideUpdated,
        link: "/notifications".into(),
        created_at: 1,
        read_at: Some(2),
    };
    assert_eq!(e.store.seed_notices(&e.op, &[seed(e.health.0)]).await?, 1);
    ensure!(e.store.seed_notices(&e.op, &[seed(e.stranger.0)]).await.is_err(), "another tenant's user");
    ensure!(e.store.seed_notices(me, &[seed(e.employee.0)]).await.is_err(), "only an operator seeds");
    e.store.close().await;
    Ok(())
}

async fn email_jobs(store: &Store) -> Result<Vec<careerdock_store::JobRow>> {
    Ok(store.recent_jobs(1000, false).await?.into_iter().filter(|j| j.kind == JobKind::NotificationEmail.as_str()).collect())
}

async fn the_email_job_is_enqueued_with_the_notice_only_when_mail_is_on_and_there_is_an_address(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    // No server with SMTP has said so: no e-mail job.
    notify(&e, e.employee.0, NotificationKind::DisclosureRequested).await?;
    assert!(email_jobs(&e.store).await?.is_empty());

    e.store.set_mail_delivery(true).await?;
    let mailed = notify(&e, e.employee.0, NotificationKind::DisclosureRequested).await?;
    notify(&e, e.quiet.0, NotificationKind::DisclosureRequested).await?; // no address
    notify(&e, e.health.0, NotificationKind::EscalationRaised).await?; // no address yet
    let jobs = email_jobs(&e.store).await?;
    assert_eq!(jobs.len(), 1, "{jobs:#?}");
    let job = &jobs[0];
    assert_eq!(job.unique_key.as_deref(), Some(format!("notification_email:{}", mailed.get()).as_str()));
    assert_eq!(job.tenant, Some(e.tenant));
    assert_eq!(job.payload, format!("{{\"notification\":{}}}", mailed.get()));
    assert!(!job.payload.contains('@'), "the job names the notice, not the address");

    // The account's own address counts, before the register's.
    e.store.set_user_email(&e.op, e.health.0, Some(&Email::parse("nurse@example.co.jp")?)).await?;
    let to_health = notify(&e, e.health.0, NotificationKind::EscalationRaised).await?;
    let due = e.store.notification_email(e.tenant, to_health.get()).await?.context("the notice")?;
    assert_eq!(due.address.as_deref(), Some("nurse@example.co.jp"));
    assert!(!format!("{due:?}").contains("nurse@"), "its Debug hides the address");
    let due = e.store.notification_email(e.tenant, mailed.get()).await?.context("the notice")?;
    assert_eq!(
        (due.address.as_deref(), due.kind, due.emailed_at),
        (Some("taro.yamada@example.co.jp"), NotificationKind::DisclosureRequested, None)
    );
    assert!(e.store.notification_email(e.stranger.1.tenant(), mailed.get()).await?.is_none(), "another tenant's id");
    assert_eq!(email_jobs(&e.store).await?.len(), 2);

    // Sent once: the mark is written once.
    assert!(e.store.mark_notification_emailed(e.tenant, mailed.get()).await?);
    assert!(!e.store.mark_notification_emailed(e.tenant, mailed.get()).await?);
    let page = e.store.notifications_page(&e.employee.1, InboxFilter::All, PageRequest::first(5)).await?;
    assert!(page.items.iter().find(|n| n.id == mailed).is_some_and(|n| n.emailed_at.is_some()));

    // A disabled account gets no e-mail.
    e.store.disable_user(&e.op, e.health.0).await?;
    notify(&e, e.health.0, NotificationKind::EscalationOverdue).await?;
    assert_eq!(email_jobs(&e.store).await?.len(), 2);
    let due = e.store.notification_email(e.tenant, to_health.get()).await?.context("the notice")?;
    assert_eq!(due.address, None, "nor is its address given out once disabled");

    // A server without SMTP turns it off again.
    e.store.set_mail_delivery(false).await?;
    notify(&e, e.employee.0, NotificationKind::DisclosureShared).await?;
    assert_eq!(email_jobs(&e.store).await?.len(), 2);
    e.store.close().await;
    Ok(())
}

async fn email_events(e: &Env) -> Result<Vec<(Option<i64>, String, String)>> {
    let events = e.store.recent_audit(e.tenant, 200, None).await?;
    Ok(events.into_iter().filter(|ev| ev.action == "email_changed").map(|ev| (ev.actor_user, ev.target_id, ev.detail)).collect())
}

async fn an_accounts_own_address_is_set_by_its_owner_an_administrator_or_the_operator_and_audited(backend: Backend) -> Result<()> {
    let e = env(backend).await?;
    let me = &e.employee.1;
    // The register's address counts until the account has its own; no e-mail while no server sends it.
    let s = e.store.own_email_settings(me).await?;
    assert_eq!((s.own.as_deref(), s.register.as_deref(), s.delivery), (None, Some("taro.yamada@example.co.jp"), false));
    assert_eq!((s.address(), s.emailed()), (Some("taro.yamada@example.co.jp"), false));
    e.store.set_mail_delivery(true).await?;
    assert!(e.store.own_email_settings(me).await?.emailed());
    assert!(!e.store.own_email_settings(&e.health.1).await?.emailed(), "no address anywhere");

    // The owner sets their own (full-width letters folded by the domain's rule); the same value again changes nothing.
    let own = Email::parse("ｔａｒｏ@example.jp")?;
    e.store.set_own_email(me, Some(&own)).await?;
    e.store.set_own_email(me, Some(&own)).await?;
    let s = e.store.own_email_settings(me).await?;
    assert_eq!((s.own.as_deref(), s.address()), (Some("taro@example.jp"), Some("taro@example.jp")));
    let events = email_events(&e).await?;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0], (Some(e.employee.0.get()), e.employee.0.get().to_string(), "added".to_string()));
    ensure!(!events[0].2.contains('@'), "the log holds no address");

    // Only an administrator (or the operator) sets another account's address; a stranger's id is not found.
    let nurse = Email::parse("nurse@example.co.jp")?;
    ensure!(matches!(e.store.set_user_email(me, e.health.0, Some(&nurse)).await, Err(StoreError::NotFound)), "an employee");
    let (admin, admin_ctx) = user(&e.store, &e.op, "admin", Role::Admin, None).await?;
    e.store.set_user_email(&admin_ctx, e.health.0, Some(&nurse)).await?;
    ensure!(matches!(e.store.set_user_email(&admin_ctx, e.stranger.0, Some(&nurse)).await, Err(StoreError::NotFound)), "another tenant");
    assert_eq!(e.store.own_email_settings(&e.health.1).await?.address(), Some("nurse@example.co.jp"));
    let listed = e.store.accounts(e.tenant).await?;
    let nurse_row = listed.iter().find(|a| a.id == e.health.0).context("the nurse's account")?;
    assert_eq!(nurse_row.email.as_deref(), Some("nurse@example.co.jp"));
    // Cleared by the operator: the register's address counts again for the employee.
    e.store.set_user_email(&e.op, e.employee.0, None).await?;
    assert_eq!(e.store.own_email_settings(me).await?.address(), Some("taro.yamada@example.co.jp"));
    let events = email_events(&e).await?;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0], (None, e.employee.0.get().to_string(), "deleted".to_string()), "newest first");
    assert_eq!(events[1], (Some(admin.get()), e.health.0.get().to_string(), "added".to_string()));
    e.store.close().await;
    Ok(())
}
