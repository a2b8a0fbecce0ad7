//! Feature suites of the store, each run on SQLite and PostgreSQL.

mod accounts;
mod actions;
mod boss;
mod cases;
mod consent;
mod cycles;
mod disclosure_pages;
mod effect_reports;
mod escalations;
mod follow_ups;
mod interviews;
mod jobs;
mod management;
mod notifications;
mod overall_reports;
mod pseudonymize;
mod questionnaire_definitions;
mod questionnaires;
mod referrals;
mod reports;
mod seed;
mod tag_marks;
mod themes;
mod two_factor;
mod yearly_reviews;

use crate::{inline_key, raw_pool};
use anyhow::{Context, Result};
use careerdock_store::{Ctx, NewUser, OpenOptions, PasswordCost, Store};
use domain::ids::{EmployeeId, TenantId, UserId};
use domain::import::parse_employee_csv;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use testkit::{fresh_db, Backend, TestDb};

/// 山田 太郎 (E002, the subject) reporting to 佐藤 健 (E001).
pub const TWO_PEOPLE: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
";

/// A tenant on a fresh database with the register `TWO_PEOPLE`, one account per `(login, role)`
/// (an employee account is linked to the subject, E002), and the first two accounts, which must
/// be consultants, assigned to everyone.
pub struct Staffed {
    pub db: TestDb,
    pub store: Store,
    pub op: Ctx,
    pub subject: EmployeeId,
    /// In the order asked for.
    pub users: Vec<Ctx>,
}

pub async fn staffed(backend: Backend, accounts: &[(&str, Role)]) -> Result<Staffed> {
    let db = fresh_db(backend)?;
    // Passwords at the minimal cost: these tests sign in with them, they do not measure them.
    let store = Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: inline_key() })
        .await?
        .with_password_cost(PasswordCost::Minimal);
    let tenant = store.create_tenant(&TenantSlug::parse("acme")?, "株式会社テスト", KThreshold::DEFAULT, "test").await?;
    let op = Ctx::operator(tenant.id, "test");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).context("date")?;
    let parsed = parse_employee_csv(TWO_PEOPLE.as_bytes(), today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store.import_employees(&op, &parsed.rows).await?;
    let subject = store.employee_by_number(tenant.id, "E002").await?.id;
    let mut users = Vec::new();
    for &(login, role) in accounts {
        let employee = (role == Role::Employee).then_some(subject);
        let id =
            store.create_user(&op, &NewUser { login, display_name: login, password: "password-123", roles: &[role], employee }).await?;
        users.push(Ctx::for_tests(tenant.id, id, login, Some(role)));
    }
    for c in users.iter().take(2) {
        assign_everyone(&db, tenant.id, c.user().context("consultant")?).await?;
    }
    Ok(Staffed { db, store, op, subject, users })
}

/// A consultant reaches an employee only through an assignment in a cycle or a consultation
/// request: a past (closed) cycle in which every employee of the tenant was assigned to
/// `consultant`, written with SQL because cycles belong to another part of the store.
pub async fn assign_everyone(db: &TestDb, tenant: TenantId, consultant: UserId) -> Result<()> {
    let raw = raw_pool(db).await?;
    let r = sqlx::query(
        "INSERT INTO cycles (tenant_id, name, starts_on, ends_on, status, rule, created_at) VALUES ($1, $2, '2020-04-01', '2021-03-31', 'closed', '{}', 0) RETURNING id",
    )
    .bind(tenant.get())
    .bind(format!("過去の担当 {consultant}"))
    .fetch_one(&raw)
    .await?;
    let cycle: i64 = sqlx::Row::try_get(&r, "id")?;
    sqlx::query(
        "INSERT INTO cycle_targets (cycle_id, tenant_id, employee_id, consultant_id, reason, added_at) SELECT $1, tenant_id, id, $2, 'test', 0 FROM employees WHERE tenant_id = $3",
    )
    .bind(cycle)
    .bind(consultant.get())
    .bind(tenant.get())
    .execute(&raw)
    .await?;
    raw.close().await;
    Ok(())
}
