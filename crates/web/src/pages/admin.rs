//! The administrator's pages: accounts and their roles, and the audit log with the check of
//! its hash chain. Metadata only: no consultation content is reachable from here.

use super::form::{sent_back, FormErrors};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, role_label, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Form, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::{check_display_name, check_login, check_password};
use domain::audit::{BreakReason, BrokenLink};
use domain::ids::UserId;
use domain::policy::Operation;
use domain::{Invalid, Locale, Role};
use store::{AccountQuery, AccountSort, AccountState, Direction, NewUser, StoreError, VerifyOutcome};

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/users", Operation::ManageUsers, users)
        .post("/admin/users", Operation::ManageUsers, create_user)
        .post("/admin/users/{id}/roles", Operation::ManageUsers, set_roles)
        .post("/admin/users/{id}/status", Operation::ManageUsers, set_status)
        .post("/admin/users/{id}/email", Operation::ManageUsers, set_email)
}

// ---------------------------------------------------------------- accounts

/// The account form as sent; roles arrive as repeated `roles` fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountForm {
    pub login: String,
    pub display_name: String,
    pub password: String,
    pub employee_number: String,
    pub email: String,
    pub roles: Vec<String>,
}

impl AccountForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = AccountForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "login" => f.login = v.trim().to_string(),
                "display_name" => f.display_name = v.trim().to_string(),
                "password" => f.password = v.clone(),
                "employee_number" => f.employee_number = v.trim().to_string(),
                "email" => f.email = v.trim().to_string(),
                "roles" => f.roles.push(v.clone()),
                _ => {}
            }
        }
        f
    }
}

/// The roles ticked in a form: each must be a known role, at least one, no repeats.
pub fn parse_roles<S: AsRef<str>>(values: &[S]) -> Result<Vec<Role>, Invalid> {
    let mut roles = Vec::new();
    for v in values {
        let role =
            Role::parse(v.as_ref()).ok_or_else(|| Invalid { field: "roles", message: Tr::both("admin-users-error-unknown-role") })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(Invalid { field: "roles", message: Tr::both("admin-users-error-no-role") });
    }
    Ok(roles)
}

/// The checks the form can make on its own, by the account rules of the domain (the store
/// checks them again, and the login's uniqueness).
pub fn validate_account(f: &AccountForm) -> Result<Vec<Role>, Vec<Invalid>> {
    let mut problems: Vec<Invalid> = [check_login(&f.login), check_display_name(&f.display_name), check_password(&f.password)]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    let roles = parse_roles(&f.roles).map_err(|e| problems.push(e)).ok();
    match roles {
        Some(roles) if problems.is_empty() => Ok(roles),
        _ => Err(problems),
    }
}

/// The status an account is set to from its row: `active` or `disabled`.
pub fn parse_status(raw: &str) -> Result<bool, Invalid> {
    match raw.trim() {
        "active" => Ok(true),
        "disabled" => Ok(false),
        _ => Err(Invalid { field: "status", message: Tr::both("admin-users-error-status") }),
    }
}

pub fn parse_user_id(raw: &str) -> Result<UserId, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(UserId::new)
        .ok_or_else(|| Invalid { field: "id", message: Tr::both("admin-users-error-id") })
}

/// One role checkbox.
pub struct RoleCheck {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

fn role_checks(t: Tr, held: &[Role]) -> Vec<RoleCheck> {
    Role::ALL.iter().map(|r| RoleCheck { value: r.as_str(), label: role_label(t, *r), checked: held.contains(r) }).collect()
}

pub struct AccountView {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub employee: String,
    /// When the account was created.
    pub created: String,
    pub active: bool,
    pub status: String,
    pub must_change: bool,
    pub is_self: bool,
    /// The label of the disable / enable button, naming the account (for screen readers).
    pub status_action: String,
    pub legend: String,
    pub checks: Vec<RoleCheck>,
    /// The account's own address for notices (empty: none).
    pub email: String,
    /// The e-mail form of the row: its label, the value shown, and what is wrong with what
    /// was typed (the row's form is then open).
    pub email_label: String,
    pub email_value: String,
    pub email_error: String,
}

/// The create form as redrawn after a refusal: what was typed (never the password) and why.
pub struct FormView {
    pub login: String,
    pub display_name: String,
    pub employee_number: String,
    pub email: String,
    pub checks: Vec<RoleCheck>,
}

/// The account list: by login, name or creation, searched by login or name, filtered by role
/// and by enabled / disabled.
static USERS: ListSpec<AccountSort> = ListSpec {
    path: "/admin/users",
    default_sort: SortOption::new("login", AccountSort::Login, Direction::Asc),
    sorts: &[SortOption::new("name", AccountSort::Name, Direction::Asc), SortOption::new("created", AccountSort::Created, Direction::Desc)],
    filters: &["role", "state"],
    search: true,
    per_page: 50,
};

/// The list's state as a row's form sends it back (`back`: the list's relative address, e.g.
/// `/admin/users?role=hr&page=2`), read as leniently as the address bar: anything else than
/// the list's own parameters is dropped, so it can only lead back to this list.
fn users_params(back: &str) -> ListParams<AccountSort> {
    let query = back.trim().strip_prefix(USERS.path).and_then(|q| q.strip_prefix('?')).unwrap_or("");
    let mut params = ListParams::parse(&USERS, Some(query));
    if params.filter("role").is_some_and(|r| Role::parse(r).is_none()) {
        params.drop_filter("role");
    }
    if params.filter("state").is_some_and(|s| AccountState::parse(s).is_none()) {
        params.drop_filter("state");
    }
    params
}

/// The list at the same page, search, filters and sort, with what happened (`done=id`).
fn users_href(params: &ListParams<AccountSort>, done: &str, id: UserId) -> String {
    let href = params.href(params.page);
    let sep = if href.contains('?') { '&' } else { '?' };
    format!("{href}{sep}{done}={id}")
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    ctx: PageCtx,
    caption: String,
    list: ListView,
    /// The list's relative address, sent back by every row's form so that the page keeps its place.
    back: String,
    accounts: Vec<AccountView>,
    form: FormView,
    errors: FormErrors,
    notice: String,
}

/// Which change the notice above the list reports (`?saved=<id>` …).
#[derive(Default)]
pub struct UsersQuery {
    created: String,
    saved: String,
    disabled: String,
    enabled: String,
    email: String,
}

impl UsersQuery {
    fn parse(raw: Option<&str>) -> Self {
        let mut q = UsersQuery::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let slot = match k.as_ref() {
                "created" => &mut q.created,
                "saved" => &mut q.saved,
                "disabled" => &mut q.disabled,
                "enabled" => &mut q.enabled,
                "email" => &mut q.email,
                _ => continue,
            };
            if slot.is_empty() {
                *slot = v.trim().to_string();
            }
        }
        q
    }
}

async fn users_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    params: &ListParams<AccountSort>,
    q: &UsersQuery,
    form: Option<(&AccountForm, &[Invalid])>,
    email_edit: Option<(UserId, &str, &Invalid)>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "admin-users-title", "/admin/users");
    let t = ctx.t;
    let query = AccountQuery {
        search: params.search().map(str::to_string),
        role: params.filter("role").and_then(Role::parse),
        state: params.filter("state").and_then(AccountState::parse),
        sort: params.sort,
        dir: params.dir,
    };
    let page = state.store.read_accounts_page(&p.ctx(), &query, params.page_request()).await?;
    if form.is_none() && email_edit.is_none() {
        if let Some(last) = params.beyond_end(page.total) {
            return Ok(Redirect::to(&last).into_response());
        }
    }
    let mut notice = String::new();
    for (raw, key) in [
        (&q.created, "admin-users-created"),
        (&q.saved, "admin-users-roles-saved"),
        (&q.disabled, "admin-users-disabled"),
        (&q.enabled, "admin-users-enabled"),
        (&q.email, "admin-users-email-saved"),
    ] {
        let Some(id) = raw.parse::<i64>().ok().filter(|n| *n > 0) else { continue };
        if let Some(login) = state.store.account_login(&p.ctx(), UserId::new(id)).await? {
            notice = t.with(key, "login", login);
            break;
        }
    }
    let accounts: Vec<AccountView> = page
        .items
        .iter()
        .map(|a| AccountView {
            id: a.id.get(),
            login: a.login.clone(),
            display_name: a.display_name.clone(),
            roles: a.roles.iter().map(|r| role_label(t, *r)).collect(),
            employee: a.employee_number.clone().unwrap_or_default(),
            created: t.date_time(a.created_at),
            active: a.disabled_at.is_none(),
            status: match (a.disabled_at, a.must_change_password) {
                (Some(_), _) => t.get("admin-users-status-disabled"),
                (None, true) => t.get("admin-users-status-must-change"),
                (None, false) => t.get("admin-users-status-active"),
            },
            must_change: a.must_change_password,
            is_self: a.id == p.user.id,
            status_action: if a.disabled_at.is_none() {
                t.with("admin-users-disable-label", "login", &a.login)
            } else {
                t.with("admin-users-enable-label", "login", &a.login)
            },
            legend: t.with("admin-users-roles-legend", "login", &a.login),
            checks: role_checks(t, &a.roles),
            email: a.email.clone().unwrap_or_default(),
            email_label: t.with("admin-users-email-label", "login", &a.login),
            email_value: match email_edit {
                Some((id, typed, _)) if id == a.id => typed.to_string(),
                _ => a.email.clone().unwrap_or_default(),
            },
            email_error: match email_edit {
                Some((id, _, problem)) if id == a.id => t.msg(&problem.message).to_string(),
                _ => String::new(),
            },
        })
        .collect();
    let (form, errors) = match form {
        Some((f, problems)) => (
            FormView {
                login: f.login.clone(),
                display_name: f.display_name.clone(),
                employee_number: f.employee_number.clone(),
                email: f.email.clone(),
                checks: role_checks(t, &f.roles.iter().filter_map(|r| Role::parse(r)).collect::<Vec<_>>()),
            },
            FormErrors::new(t, problems).anchored(&[
                ("login", "new-login"),
                ("display_name", "new-display-name"),
                ("password", "new-password"),
                ("roles", "new-roles"),
                ("employee_number", "new-employee"),
                ("email", "new-email"),
                ("form", "new-login"),
            ]),
        ),
        None => (
            FormView {
                login: String::new(),
                display_name: String::new(),
                employee_number: String::new(),
                email: String::new(),
                checks: role_checks(t, &[]),
            },
            FormErrors::none(),
        ),
    };
    let caption = t.with("admin-users-caption", "count", super::list::grouped(page.total));
    let roles = Role::ALL.iter().map(|r| (r.as_str().to_string(), role_label(t, *r))).collect();
    let states = AccountState::ALL.iter().map(|s| (s.as_str().to_string(), t.get(&format!("admin-users-state-{}", s.as_str())))).collect();
    let list = ListView::new(t, params, page.total, accounts.len())
        .search(&params.q, "admin-users-search", "admin-users-search-help")
        .filter("role", "admin-users-filter-role", params.filter("role"), roles)
        .filter("state", "admin-users-filter-state", params.filter("state"), states)
        .column("admin-users-col-login", Some("login"), "nowrap")
        .column("admin-users-col-name", Some("name"), "")
        .column("admin-users-col-roles", None, "")
        .column("admin-users-col-employee", None, "nowrap")
        .column("admin-users-col-email", None, "")
        .column("admin-users-col-created", Some("created"), "date")
        .column("admin-users-col-status", None, "nowrap")
        .column("admin-users-col-actions", None, "")
        .empty("admin-users-empty", "admin-users-empty-filtered");
    let back = params.href(params.page);
    render(&UsersPage { ctx, caption, list, back, accounts, form, errors, notice })
}

async fn users(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let params = users_params(&format!("{}?{}", USERS.path, raw.as_deref().unwrap_or("")));
    users_page(&state, &p, locale, &params, &UsersQuery::parse(raw.as_deref()), None, None).await
}

async fn create_account(state: &AppState, p: &Principal, f: &AccountForm) -> AppResult<UserId> {
    let checked = validate_account(f);
    let employee = if f.employee_number.is_empty() {
        Ok(None)
    } else {
        match state.store.employee_by_number(p.tenant.id, &f.employee_number).await {
            Ok(e) => Ok(Some(e.id)),
            Err(StoreError::NotFound) => Err(Invalid {
                field: "employee_number",
                message: Tr::both_with("admin-users-error-employee", "number", &f.employee_number),
            }),
            Err(e) => return Err(e.into()),
        }
    };
    let email = super::notice_settings::parse_address(&f.email);
    // Every problem of the form at once.
    let (roles, employee, email) = match (checked, employee, email) {
        (Ok(roles), Ok(employee), Ok(email)) => (roles, employee, email),
        (checked, employee, email) => {
            let problems = checked.err().unwrap_or_default().into_iter().chain(employee.err()).chain(email.err());
            return Err(AppError::Problems(problems.collect()));
        }
    };
    let new = NewUser { login: &f.login, display_name: &f.display_name, password: &f.password, roles: &roles, employee };
    // The administrator chose this password: its owner replaces it at the first sign-in.
    match state.store.create_user_with_temporary_password(&p.ctx(), &new).await {
        Ok(id) => {
            if let Some(email) = &email {
                state.store.set_user_email(&p.ctx(), id, Some(email)).await?;
            }
            Ok(id)
        }
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict(Tr::both_with("admin-users-error-duplicate", "login", &f.login))),
        Err(e) => Err(e.into()),
    }
}

async fn create_user(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = AccountForm::from_pairs(&pairs);
    let (status, refusal) = match create_account(&state, &p, &form).await {
        Ok(id) => return Ok(Redirect::to(&users_href(&back_of(&pairs), "created", id)).into_response()),
        // A taken login is said on the login (409).
        Err(AppError::Conflict(message)) => (StatusCode::CONFLICT, vec![Invalid { field: "login", message }]),
        Err(e) => sent_back(e)?,
    };
    // Redraw the form with what was typed (422, or 409 for a taken login), so a typo costs
    // one field rather than the whole form.
    let page = users_page(&state, &p, locale, &back_of(&pairs), &UsersQuery::default(), Some((&form, &refusal[..])), None).await?;
    Ok(with_status(page, status))
}

async fn set_roles(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_user_id(&raw)?;
    let ticked: Vec<&str> = pairs.iter().filter(|(k, _)| k == "roles").map(|(_, v)| v.as_str()).collect();
    let roles = parse_roles(&ticked)?;
    // The store refuses an administrator removing their own administrator role (422).
    state.store.set_user_roles(&p.ctx(), id, &roles).await?;
    Ok(Redirect::to(&users_href(&back_of(&pairs), "saved", id)).into_response())
}

/// Sets or (empty) clears an account's own address for notices. A malformed address redraws
/// the list with the row's form open, what was typed in it and the problem beside it (422).
async fn set_email(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_user_id(&raw)?;
    let typed = pairs.iter().find(|(k, _)| k == "email").map(|(_, v)| v.trim()).unwrap_or_default();
    match super::notice_settings::parse_address(typed) {
        Ok(email) => {
            state.store.set_user_email(&p.ctx(), id, email.as_ref()).await?;
            Ok(Redirect::to(&users_href(&back_of(&pairs), "email", id)).into_response())
        }
        Err(problem) => {
            let page = users_page(&state, &p, locale, &back_of(&pairs), &UsersQuery::default(), None, Some((id, typed, &problem))).await?;
            Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// Where the account list was when a row's form was sent (the hidden `back` field).
fn back_of(pairs: &[(String, String)]) -> ListParams<AccountSort> {
    users_params(pairs.iter().find(|(k, _)| k == "back").map_or("", |(_, v)| v.as_str()))
}

/// Disables or enables an account. Disabling ends its sessions and revokes its API tokens
/// at once; enabling lets it sign in again without bringing those back.
async fn set_status(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = parse_user_id(&raw)?;
    let status = pairs.iter().find(|(k, _)| k == "status").map(|(_, v)| v.as_str()).unwrap_or_default();
    // The store refuses an administrator disabling their own account (422).
    if parse_status(status)? {
        state.store.enable_user(&p.ctx(), id).await?;
        Ok(Redirect::to(&users_href(&back_of(&pairs), "enabled", id)).into_response())
    } else {
        state.store.disable_user(&p.ctx(), id).await?;
        Ok(Redirect::to(&users_href(&back_of(&pairs), "disabled", id)).into_response())
    }
}

// ---------------------------------------------------------------- audit log

/// Where the chain breaks, in plain words.
pub fn break_reason(t: Tr, b: &BrokenLink) -> String {
    match &b.reason {
        BreakReason::SequenceGap { found } => t.with("admin-audit-break-gap", "found", found),
        BreakReason::PrevHashMismatch => t.get("admin-audit-break-prev"),
        BreakReason::HashMismatch => t.get("admin-audit-break-hash"),
        BreakReason::HeadMismatch { head_seq } => t.with("admin-audit-break-head", "head", head_seq),
    }
}

pub struct VerifyView {
    pub ok: bool,
    pub lines: Vec<String>,
}

pub fn verify_view(t: Tr, outcome: Option<&VerifyOutcome>) -> VerifyView {
    match outcome {
        None => VerifyView { ok: false, lines: vec![t.get("admin-audit-verify-none")] },
        Some(VerifyOutcome { broken: None, events, .. }) => {
            VerifyView { ok: true, lines: vec![t.with("admin-audit-verify-ok", "count", events)] }
        }
        Some(VerifyOutcome { broken: Some(b), events, .. }) => VerifyView {
            ok: false,
            lines: vec![
                t.with("admin-audit-verify-broken", "seq", b.seq),
                break_reason(t, b),
                t.with("admin-audit-verify-checked", "count", events),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{app, AppState, WebConfig};
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::audit::{AuditAction, AuditTarget};
    use domain::tenant::{KThreshold, TenantSlug};
    use store::{Ctx, KeySource, OpenOptions, Store};
    use tower::ServiceExt;

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_form_collects_repeated_roles() {
        let f = AccountForm::from_pairs(&pairs(&[
            ("csrf", "x"),
            ("login", " kenji "),
            ("display_name", "佐藤 健二"),
            ("password", " pass word "),
            ("roles", "hr"),
            ("roles", "consultant"),
        ]));
        assert_eq!(f.login, "kenji");
        assert_eq!(f.password, " pass word ", "passwords are taken as typed");
        assert_eq!(validate_account(&f), Ok(vec![Role::Consultant, Role::Hr]));
    }

    #[test]
    fn the_form_says_which_field_is_wrong() {
        let good = AccountForm {
            login: "a".into(),
            display_name: "A".into(),
            password: "12345678".into(),
            employee_number: String::new(),
            email: String::new(),
            roles: vec!["hr".into()],
        };
        let field = |f: AccountForm| validate_account(&f).err().and_then(|e| e.into_iter().next()).map(|e| e.field);
        assert_eq!(field(good.clone()), None);
        assert_eq!(field(AccountForm { display_name: String::new(), ..good.clone() }), Some("display_name"));
        assert_eq!(field(AccountForm { display_name: "あ".repeat(101), ..good.clone() }), Some("display_name"));
        assert_eq!(field(AccountForm { password: "1234567".into(), ..good.clone() }), Some("password"));
        assert_eq!(field(AccountForm { roles: vec![], ..good.clone() }), Some("roles"));
        assert_eq!(field(AccountForm { roles: vec!["root".into()], ..good }), Some("roles"));
        assert_eq!(parse_roles(&["hr", "hr"]), Ok(vec![Role::Hr]));
    }

    #[test]
    fn paging_and_ids_reject_garbage() {
        assert_eq!(parse_user_id("3"), Ok(UserId::new(3)));
        assert_eq!(parse_user_id("3x").map_err(|e| e.field), Err("id"));
    }

    #[test]
    fn every_break_is_explained_in_both_languages() {
        let reasons = [
            BreakReason::SequenceGap { found: 9 },
            BreakReason::PrevHashMismatch,
            BreakReason::HashMismatch,
            BreakReason::HeadMismatch { head_seq: 12 },
        ];
        for reason in reasons {
            let b = BrokenLink { tenant: 1, seq: 7, reason };
            let outcome = VerifyOutcome { tenant: domain::ids::TenantId::new(1), slug: "acme".into(), events: 6, broken: Some(b.clone()) };
            for locale in [Locale::Ja, Locale::En] {
                let v = verify_view(Tr::new(locale), Some(&outcome));
                assert!(!v.ok);
                assert_eq!(v.lines.len(), 3);
                assert!(v.lines[0].contains('7') && v.lines[2].contains('6'), "{:?}", v.lines);
                assert!(v.lines.iter().all(|l| !l.is_empty() && !l.contains("Unknown localization")));
            }
        }
        let ok = VerifyOutcome { tenant: domain::ids::TenantId::new(1), slug: "acme".into(), events: 42, broken: None };
        let v = verify_view(Tr::new(Locale::Ja), Some(&ok));
        assert!(v.ok && v.lines[0].contains("42"));
        assert!(!verify_view(Tr::new(Locale::En), None).ok);
    }

    struct Call {
        status: StatusCode,
        location: String,
        body: String,
    }

    async fn call(app: &axum::Router, method: &str, uri: &str, bearer: &str, form: &str) -> Call {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {bearer}"))
            .header("accept-language", "ja")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_string()))
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
        Call { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    #[tokio::test]
    async fn an_administrator_manages_accounts_and_reads_the_audit_log() {
        let db = testkit::fresh_db(testkit::Backend::Sqlite).expect("db");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("store");
        let tenant =
            store.create_tenant(&TenantSlug::parse("acme").expect("slug"), "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let admin = store
            .create_user(
                &op,
                &NewUser { login: "root", display_name: "管理者", password: "password1", roles: &[Role::Admin], employee: None },
            )
            .await
            .expect("admin");
        let hr = store
            .create_user(
                &op,
                &NewUser { login: "hana", display_name: "人事 花子", password: "password1", roles: &[Role::Hr], employee: None },
            )
            .await
            .expect("hr");
        let (root, _) =
            store.create_token(&Ctx::for_tests(tenant.id, admin, "root", Some(Role::Admin)), Role::Admin, "t", None).await.expect("token");
        let (hana, _) =
            store.create_token(&Ctx::for_tests(tenant.id, hr, "hana", Some(Role::Hr)), Role::Hr, "t", None).await.expect("token");
        let app = app(AppState::new(store.clone(), WebConfig::default()));

        assert_eq!(call(&app, "GET", "/admin/users", &hana, "").await.status, StatusCode::FORBIDDEN);
        assert_eq!(call(&app, "GET", "/admin/audit", &hana, "").await.status, StatusCode::FORBIDDEN);

        let page = call(&app, "GET", "/admin/users", &root, "").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-login=\"hana\"") && page.body.contains("人事部門"));

        let form = "login=kenji&display_name=%E4%BD%90%E8%97%A4&password=password1&roles=hr&roles=consultant";
        let created = call(&app, "POST", "/admin/users", &root, form).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER);
        let kenji = store.user_by_login(tenant.id, "kenji").await.expect("kenji");
        assert_eq!(kenji.roles, vec![Role::Consultant, Role::Hr]);
        assert_eq!(created.location, format!("/admin/users?created={}", kenji.id));
        assert!(call(&app, "GET", &created.location, &root, "").await.body.contains("アカウント「kenji」を作成しました。"));

        let dup = call(&app, "POST", "/admin/users", &root, form).await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.body.contains("ログインID「kenji」は既に使われています。"));
        assert!(dup.body.contains("value=\"kenji\"") && dup.body.contains("aria-invalid=\"true\""));
        assert!(!dup.body.contains("password1"), "the password is never echoed");

        let no_roles = call(&app, "POST", "/admin/users", &root, "login=aki&display_name=A&password=password1").await;
        assert_eq!(no_roles.status, StatusCode::UNPROCESSABLE_ENTITY);
        let unknown =
            call(&app, "POST", "/admin/users", &root, "login=aki&display_name=A&password=password1&roles=hr&employee_number=E999").await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.body.contains("社員番号「E999」の従業員は名簿に見つかりません。"));
        assert!(store.user_by_login(tenant.id, "aki").await.is_err());

        let own = call(&app, "POST", &format!("/admin/users/{admin}/roles"), &root, "roles=hr").await;
        assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(own.body.contains("システム管理者"));
        assert_eq!(call(&app, "POST", "/admin/users/abc/roles", &root, "roles=hr").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(call(&app, "POST", "/admin/users/99999/roles", &root, "roles=hr").await.status, StatusCode::NOT_FOUND);
        let saved = call(&app, "POST", &format!("/admin/users/{}/roles", kenji.id), &root, "roles=employee").await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        assert_eq!(store.user(tenant.id, kenji.id).await.expect("kenji").roles, vec![Role::Employee]);

        // Enough events for two pages.
        let ctx = Ctx::for_tests(tenant.id, admin, "root", Some(Role::Admin));
        let size = crate::pages::audit_log::PAGE_SIZE;
        for i in 0..size {
            store.audit(&ctx, ctx.event(AuditAction::EmployeeListRead, AuditTarget::EmployeeRegister, i)).await.expect("audit");
        }
        let first = call(&app, "GET", "/admin/audit", &root, "").await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.body.matches("<tr data-seq=").count(), size as usize);
        assert!(first.body.contains("従業員一覧を閲覧しました"));
        assert!(first.body.contains("href=\"/admin/audit?page=2\""), "a link to the older page");
        let second = call(&app, "GET", "/admin/audit?page=2", &root, "").await;
        assert!(second.body.contains("data-action=\"roles_changed\"") && second.body.contains("data-action=\"tenant_created\""));
        assert!(!second.body.contains("/admin/audit?page=3"), "the oldest page has no older link");
        assert_eq!(call(&app, "GET", "/admin/audit?page=x", &root, "").await.status, StatusCode::OK, "a bad page is the first");

        let verified = call(&app, "POST", "/admin/audit/verify", &root, "kind=").await;
        assert_eq!(verified.status, StatusCode::OK);
        assert!(verified.body.contains("data-verified=\"ok\""), "{}", verified.body);
    }
}
