//! Pages of the administrator's account list (`/admin/users`), counted and cut in SQL: search
//! by login or name, filters by role and by enabled / disabled, a typed sort.

use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::{AccountRow, Ctx, Result, Store};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Key};
use domain::ids::UserId;
use domain::policy::Operation;
use domain::Role;
use sqlx::Row;

/// Enabled (may sign in) or disabled accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountState {
    Enabled,
    Disabled,
}

impl AccountState {
    pub const ALL: [AccountState; 2] = [AccountState::Enabled, AccountState::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Enabled => "enabled",
            AccountState::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How a page of accounts is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AccountSort {
    #[default]
    Login,
    Name,
    Created,
}

#[derive(Clone, Debug, Default)]
pub struct AccountQuery {
    /// Part of the login or the display name.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub state: Option<AccountState>,
    pub sort: AccountSort,
    pub dir: Direction,
}

const FROM: &str = "FROM users u LEFT JOIN employees e ON e.id = u.employee_id AND e.tenant_id = u.tenant_id";

const COND: &str = "u.tenant_id = $1
    AND ($2 IS NULL OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = $2))
    AND ($3 IS NULL OR ($3 = 'enabled' AND u.disabled_at IS NULL) OR ($3 = 'disabled' AND u.disabled_at IS NOT NULL))
    AND ($4 IS NULL OR LOWER(u.login) LIKE $4 ESCAPE '!' OR LOWER(u.display_name) LIKE $4 ESCAPE '!')";

fn order_by(sort: AccountSort, dir: Direction) -> String {
    let d = dir.sql();
    match sort {
        AccountSort::Login => format!("u.login {d}, u.id {d}"),
        AccountSort::Name => format!("u.display_name {d}, u.login {d}, u.id {d}"),
        AccountSort::Created => format!("u.created_at {d}, u.id {d}"),
    }
}

impl Store {
    /// One page of the tenant's accounts, with the total of the same conditions. Reading it is
    /// audited as reading the account list.
    pub async fn read_accounts_page(&self, ctx: &Ctx, q: &AccountQuery, page: PageRequest) -> Result<Paged<AccountRow>> {
        ctx.check(Operation::ManageUsers)?;
        let like = q.search.as_deref().and_then(like_pattern);
        let role = q.role.map(|r| r.as_str());
        let state = q.state.map(|s| s.as_str());
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n {FROM} WHERE {COND}"))
            .bind(ctx.tenant.get())
            .bind(role)
            .bind(state)
            .bind(like.as_deref())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        let sql = format!(
            "SELECT u.id, u.login, u.display_name, u.created_at, u.disabled_at, u.must_change_password, e.employee_number, u.email
             {FROM} WHERE {COND} ORDER BY {} LIMIT $5 OFFSET $6",
            order_by(q.sort, q.dir)
        );
        let rows = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(role)
            .bind(state)
            .bind(like.as_deref())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        // The roles of the page's accounts in one query: the same conditions, order and cut.
        let roles_sql = format!(
            "SELECT r.user_id, r.role FROM user_roles r WHERE r.user_id IN
             (SELECT u.id {FROM} WHERE {COND} ORDER BY {} LIMIT $5 OFFSET $6)",
            order_by(q.sort, q.dir)
        );
        let role_rows = sqlx::query(&roles_sql)
            .bind(ctx.tenant.get())
            .bind(role)
            .bind(state)
            .bind(like.as_deref())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let mut roles: std::collections::HashMap<i64, Vec<Role>> = std::collections::HashMap::new();
        for r in &role_rows {
            if let Some(role) = Role::parse(&r.try_get::<String, _>("role")?) {
                roles.entry(r.try_get("user_id")?).or_default().push(role);
            }
        }
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let mut held = roles.remove(&id).unwrap_or_default();
            held.sort();
            items.push(AccountRow {
                id: UserId::new(id),
                login: r.try_get("login")?,
                display_name: r.try_get("display_name")?,
                roles: held,
                employee_number: r.try_get("employee_number")?,
                email: r.try_get::<Option<String>, _>("email")?.filter(|e| !e.trim().is_empty()),
                created_at: r.try_get("created_at")?,
                disabled_at: r.try_get("disabled_at")?,
                must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
            });
        }
        let detail = AuditDetail::none().n(Key::Offset, page.offset()).n(Key::Count, items.len());
        self.audit(ctx, ctx.event(AuditAction::AccountListRead, AuditTarget::AccountList, "").detail(detail)).await?;
        Ok(Paged { total, items })
    }

    /// The login of one of the tenant's accounts (for the notice after a change), if it exists.
    pub async fn account_login(&self, ctx: &Ctx, user: UserId) -> Result<Option<String>> {
        ctx.check(Operation::ManageUsers)?;
        let row = sqlx::query("SELECT login FROM users WHERE id = $1 AND tenant_id = $2")
            .bind(user.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&self.db.read)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("login")?),
            None => None,
        })
    }
}
