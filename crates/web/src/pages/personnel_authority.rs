//! Personnel authority (人事権): the administrator marks the accounts of people who decide
//! hiring, evaluation, promotion or transfers. A marked user reads no important case, escalation
//! or boss feedback, whatever role they act in (the practice of 労働安全衛生規則 第52条の10). The
//! administrator sets it, not HR, whose members may hold the authority themselves; every change
//! is audited (`personnel_authority_changed`).

use super::{render, role_label, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::{AppError, AppResult, Path, Query};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::UserId;
use domain::policy::Operation;
use serde::Deserialize;
use store::Ctx;

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/personnel-authority", Operation::SetPersonnelAuthority, page).post(
        "/admin/personnel-authority/{id}",
        Operation::SetPersonnelAuthority,
        set,
    )
}

/// One account of the page.
pub struct AccountLine {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub roles: String,
    pub marked: bool,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_personnel_authority.html")]
struct Page {
    ctx: PageCtx,
    accounts: Vec<AccountLine>,
    notice: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    changed: Option<String>,
}

async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "pa-title", "/admin/personnel-authority");
    let t = ctx.t;
    let rows = state.store.personnel_authority_accounts(&p.acting(Ctx::as_admin)?).await?;
    let notice = match q.changed.as_deref().and_then(|l| rows.iter().find(|r| r.login == l)) {
        Some(r) if r.marked => t.with("pa-marked", "login", &r.login),
        Some(r) => t.with("pa-unmarked", "login", &r.login),
        None => String::new(),
    };
    let accounts = rows
        .into_iter()
        .map(|r| AccountLine {
            id: r.id.get(),
            roles: t.join(&r.roles.iter().map(|x| role_label(t, *x)).collect::<Vec<_>>()),
            login: r.login,
            display_name: r.display_name,
            marked: r.marked,
            disabled: r.disabled,
        })
        .collect();
    render(&Page { ctx, accounts, notice })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MarkForm {
    marked: String,
}

async fn set(
    State(state): State<AppState>,
    Authed(p): Authed,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<MarkForm>,
) -> AppResult<Response> {
    let user: UserId = crate::path_id::path_id(&id)?;
    let marked = match f.marked.trim() {
        "1" => true,
        "0" => false,
        _ => {
            return Err(AppError::Invalid(domain::Invalid::new(
                "marked",
                "人事権の有無を選んでください。",
                "Say whether the account holds personnel authority",
            )))
        }
    };
    let me = p.acting(Ctx::as_admin)?;
    state.store.set_personnel_authority(&me, user, marked).await?;
    let login = state.store.user(p.tenant.id, user).await?.login;
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("changed", &login);
    Ok(Redirect::to(&format!("/admin/personnel-authority?{}", s.finish())).into_response())
}
