//! Accounts through the store's public API on both databases: disabling ends what the account
//! held at once (and enabling brings none of it back), a password change needs the current
//! password and ends the other sessions, one-time passwords are flagged, and every step is in
//! the audit log. Also: the SQLite files are private to their owner.

use crate::{inline_key, open};
use anyhow::{Context, Result};
use careerdock_store::{Ctx, NewUser, Store, StoreError, TenantRow};
use domain::audit::AuditAction;
use domain::ids::UserId;
use domain::session::SessionLimits;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, on_both_backends, Backend, TestDb};

on_both_backends!(
    disabling_ends_sessions_and_tokens_at_once_and_enabling_brings_none_back,
    a_password_change_needs_the_current_password_and_ends_the_other_sessions,
    account_rules_are_the_domains,
);

const PASSWORD: &str = "long-enough-password";

struct Env {
    _db: TestDb,
    store: Store,
    tenant: TenantRow,
    admin: UserId,
}

impl Env {
    fn admin_ctx(&self) -> Ctx {
        Ctx::for_tests(self.tenant.id, self.admin, "root", Some(Role::Admin))
    }

    async fn user(&self, login: &str, roles: &[Role]) -> Result<UserId> {
        let op = Ctx::operator(self.tenant.id, "test");
        Ok(self.store.create_user(&op, &NewUser { login, display_name: login, password: PASSWORD, roles, employee: None }).await?)
    }

    async fn last_event(&self) -> Result<(String, String)> {
        let e = self.store.recent_audit(self.tenant.id, 1, None).await?.into_iter().next().context("no audit event")?;
        Ok((e.action, e.detail))
    }
}

async fn env(backend: Backend) -> Result<Env> {
    let db = fresh_db(backend)?;
    let store = open(&db.url, inline_key(), true).await?;
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社アクメ", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let admin = store
        .create_user(&op, &NewUser { login: "root", display_name: "管理者", password: PASSWORD, roles: &[Role::Admin], employee: None })
        .await?;
    Ok(Env { _db: db, store, tenant, admin })
}

async fn disabling_ends_sessions_and_tokens_at_once_and_enabling_brings_none_back(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let t = env.tenant.id;
    let hr = env.user("hana", &[Role::Hr, Role::Consultant]).await?;
    let limits = SessionLimits::default();
    let s1 = env.store.create_session(t, hr, Some(Role::Hr), None).await?;
    let s2 = env.store.create_session(t, hr, None, None).await?;
    let hr_ctx = Ctx::for_tests(t, hr, "hana", Some(Role::Hr));
    let (token, _) = env.store.create_token(&hr_ctx, Role::Hr, "連携", None).await?;
    let (token2, _) = env.store.create_token(&hr_ctx, Role::Consultant, "予定", Some(30)).await?;
    let as_consultant = Ctx::for_tests(t, hr, "hana", Some(Role::Consultant));
    let feed = env.store.rotate_calendar_feed(&as_consultant.as_consultant()?, false).await?;
    let root_session = env.store.create_session(t, env.admin, Some(Role::Admin), None).await?;
    assert!(env.store.token_principal(&token).await?.is_some());

    env.store.disable_user(&env.admin_ctx(), hr).await?;
    assert!(env.store.session(&s1.secret, limits).await?.is_none(), "a live session outlived the disabling");
    assert!(env.store.session(&s2.secret, limits).await?.is_none());
    assert!(env.store.token_principal(&token).await?.is_none(), "a live token outlived the disabling");
    assert!(env.store.token_principal(&token2).await?.is_none());
    assert!(env.store.calendar_feed_by_token(&feed).await?.is_none(), "the calendar feed outlived the disabling");
    assert!(env.store.calendar_feed(&as_consultant.as_consultant()?).await?.is_none());
    assert!(env.store.authenticate(t, "hana", PASSWORD).await?.is_none(), "a disabled account signed in");
    assert!(env.store.user(t, hr).await?.disabled);
    assert!(env.store.session(&root_session.secret, limits).await?.is_some(), "another user's session ended");
    let (action, detail) = env.last_event().await?;
    assert_eq!(action, AuditAction::UserDisabled.as_str());
    assert_eq!(detail, "sessions_ended=2 tokens_revoked=2 calendar_feeds_deleted=1");
    let accounts = env.store.accounts(t).await?;
    assert!(accounts.iter().any(|a| a.login == "hana" && a.disabled_at.is_some()));

    // Again: nothing changes, nothing is recorded.
    let events = env.store.audit_stats(t).await?.events;
    env.store.disable_user(&env.admin_ctx(), hr).await?;
    assert_eq!(env.store.audit_stats(t).await?.events, events);

    env.store.enable_user(&env.admin_ctx(), hr).await?;
    assert_eq!(env.last_event().await?.0, AuditAction::UserEnabled.as_str());
    assert!(env.store.authenticate(t, "hana", PASSWORD).await?.is_some(), "an enabled account cannot sign in");
    assert!(env.store.session(&s1.secret, limits).await?.is_none(), "enabling brought a session back");
    assert!(env.store.token_principal(&token).await?.is_none(), "enabling brought a token back");
    assert!(env.store.token_principal(&token2).await?.is_none());
    let events = env.store.audit_stats(t).await?.events;
    env.store.enable_user(&env.admin_ctx(), hr).await?;
    assert_eq!(env.store.audit_stats(t).await?.events, events, "enabling an active account records nothing");

    // Refusals: oneself, an unknown account, another tenant's account.
    let own = env.store.disable_user(&env.admin_ctx(), env.admin).await;
    assert!(matches!(&own, Err(StoreError::Invalid(e)) if e.field == "id"), "{own:?}");
    assert!(matches!(env.store.disable_user(&env.admin_ctx(), UserId::new(999_999)).await, Err(StoreError::NotFound)));
    let other = env.store.create_tenant(&TenantSlug::parse("other")?, "他社", KThreshold::DEFAULT, "test").await?;
    let stranger = env
        .store
        .create_user(
            &Ctx::operator(other.id, "test"),
            &NewUser { login: "x", display_name: "x", password: PASSWORD, roles: &[Role::Hr], employee: None },
        )
        .await?;
    assert!(matches!(env.store.disable_user(&env.admin_ctx(), stranger).await, Err(StoreError::NotFound)));
    assert!(matches!(env.store.enable_user(&env.admin_ctx(), stranger).await, Err(StoreError::NotFound)));
    assert!(!env.store.user(other.id, stranger).await?.disabled);
    assert!(env.store.verify_audit(Some(t)).await?[0].broken.is_none());
    env.store.close().await;
    Ok(())
}

async fn a_password_change_needs_the_current_password_and_ends_the_other_sessions(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let t = env.tenant.id;
    let one_time = careerdock_store::one_time_password();
    let op = Ctx::operator(t, "test");
    let new = NewUser { login: "kenji", display_name: "佐藤 健二", password: &one_time, roles: &[Role::Consultant], employee: None };
    let kenji = env.store.create_user_with_temporary_password(&op, &new).await?;
    assert!(env.store.user(t, kenji).await?.must_change_password);
    assert_eq!(env.last_event().await?.1, "roles=consultant must_change_password");
    assert!(env.store.accounts(t).await?.iter().any(|a| a.login == "kenji" && a.must_change_password));
    assert!(!env.store.user(t, env.admin).await?.must_change_password);

    let here = env.store.create_session(t, kenji, Some(Role::Consultant), None).await?;
    let elsewhere = env.store.create_session(t, kenji, Some(Role::Consultant), None).await?;
    let ctx = Ctx::for_tests(t, kenji, "kenji", Some(Role::Consultant));
    let field = |r: Result<(), StoreError>| match r {
        Err(StoreError::Invalid(e)) => Some(e.field),
        _ => None,
    };
    let events = env.store.audit_stats(t).await?.events;
    let wrong = env.store.change_password(&ctx, "not-the-password", "a-new-password", "a-new-password", Some(&here.secret)).await;
    assert_eq!(field(wrong), Some(careerdock_store::WRONG_CURRENT_PASSWORD));
    let short = env.store.change_password(&ctx, &one_time, "short", "short", Some(&here.secret)).await;
    assert_eq!(field(short), Some("new_password"));
    let typo = env.store.change_password(&ctx, &one_time, "a-new-password", "a-new-passw0rd", Some(&here.secret)).await;
    assert_eq!(field(typo), Some("confirm_password"));
    let same = env.store.change_password(&ctx, &one_time, &one_time, &one_time, Some(&here.secret)).await;
    assert_eq!(field(same), Some("new_password"));
    assert_eq!(env.store.audit_stats(t).await?.events, events, "a refused change records nothing");
    assert!(env.store.session(&elsewhere.secret, SessionLimits::default()).await?.is_some());

    env.store.change_password(&ctx, &one_time, "a-new-password", "a-new-password", Some(&here.secret)).await?;
    let (action, detail) = env.last_event().await?;
    assert_eq!((action.as_str(), detail.as_str()), (AuditAction::PasswordChanged.as_str(), "other_sessions_ended=1"));
    assert!(!env.store.user(t, kenji).await?.must_change_password, "the one-time password is replaced");
    assert!(env.store.session(&here.secret, SessionLimits::default()).await?.is_some(), "the session that changed it stays");
    assert!(env.store.session(&elsewhere.secret, SessionLimits::default()).await?.is_none(), "another session outlived the change");
    assert!(env.store.authenticate(t, "kenji", &one_time).await?.is_none(), "the old password still works");
    assert!(env.store.authenticate(t, "kenji", "a-new-password").await?.is_some());

    // Listing the accounts is a read of personal data: it is audited.
    let listed = env.store.read_accounts(&env.admin_ctx()).await?;
    assert_eq!(listed.len(), 2);
    assert_eq!(env.last_event().await?, (AuditAction::AccountListRead.as_str().to_string(), "count=2".to_string()));
    env.store.close().await;
    Ok(())
}

/// The store refuses what the domain's account rules refuse, before writing anything.
async fn account_rules_are_the_domains(backend: Backend) -> Result<()> {
    let env = env(backend).await?;
    let op = Ctx::operator(env.tenant.id, "test");
    let cases: [(&str, &str, &str, &str); 5] = [
        ("bad login", "名前", PASSWORD, "login"),
        ("ok", "", PASSWORD, "display_name"),
        ("ok", "改行\nあり", PASSWORD, "display_name"),
        ("ok", "名前", "short", "password"),
        ("ok", "名前", &"x".repeat(257), "password"),
    ];
    let events = env.store.audit_stats(env.tenant.id).await?.events;
    for (login, name, password, expected) in cases {
        let new = NewUser { login, display_name: name, password, roles: &[Role::Hr], employee: None };
        let got = env.store.create_user(&op, &new).await;
        assert!(matches!(&got, Err(StoreError::Invalid(e)) if e.field == expected), "{login:?} {name:?}: {got:?}");
        let domain_says = domain::account::check_login(login)
            .and_then(|_| domain::account::check_display_name(name))
            .and_then(|_| domain::account::check_password(password));
        assert_eq!(domain_says.err().map(|e| e.field), Some(expected));
    }
    assert_eq!(env.store.accounts(env.tenant.id).await?.len(), 1);
    assert_eq!(env.store.audit_stats(env.tenant.id).await?.events, events);
    env.store.close().await;
    Ok(())
}

/// The SQLite database holds personal data: it and its -wal and -shm files are created
/// readable by their owner only, like the key file beside them, and a sidecar left behind
/// with a wider mode is narrowed when the database is opened.
#[tokio::test]
async fn sqlite_files_are_private_to_their_owner() -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let db = fresh_db(Backend::Sqlite)?;
    let keys = inline_key();
    let store = open(&db.url, keys.clone(), true).await?;
    store.create_tenant(&TenantSlug::parse("acme")?, "Acme", KThreshold::DEFAULT, "test").await?;
    let mode = |suffix: &str| -> Result<u32> {
        let path = format!("{}{suffix}", db.url);
        Ok(std::fs::metadata(&path).with_context(|| format!("{path} is missing"))?.permissions().mode() & 0o777)
    };
    for suffix in ["", "-wal", "-shm"] {
        assert_eq!(mode(suffix)?, 0o600, "careerdock.db{suffix} has mode {:o}", mode(suffix)?);
    }
    store.close().await;

    // A world-readable -shm left beside the database (by an older version, say).
    let shm = format!("{}-shm", db.url);
    if std::fs::metadata(&shm).is_err() {
        std::fs::write(&shm, b"")?;
    }
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o644))?;
    let store = open(&db.url, keys, false).await?;
    assert_eq!(store.tenants().await?.len(), 1);
    assert_eq!(mode("")?, 0o600);
    assert_eq!(mode("-shm")?, 0o600, "the -shm file kept its wider mode");
    store.close().await;
    Ok(())
}
