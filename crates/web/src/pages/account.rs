//! The signed-in user's own password: replacing a one-time password at the first sign-in,
//! or changing it any time. The current password is required and wrong guesses are
//! throttled like sign-ins; every other session of the user ends.

use super::form::{sent_back, FormErrors};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal, Via, PASSWORD_PAGE};
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::policy::Operation;
use domain::session::ThrottlePolicy;
use domain::{Invalid, Locale};
use serde::Deserialize;

pub fn routes(r: Routes) -> Routes {
    // Every signed-in user, with or without a chosen role (a one-time password comes first).
    r.get(PASSWORD_PAGE, Operation::ManageOwnSession, page).post(PASSWORD_PAGE, Operation::ManageOwnSession, submit)
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    ctx: PageCtx,
    must_change: bool,
    notice: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordQuery {
    changed: String,
}

fn draw(p: &Principal, locale: Locale, notice: String, problems: &[Invalid]) -> AppResult<Response> {
    let mut ctx = PageCtx::new(p, locale, "account-password-title", PASSWORD_PAGE);
    let must_change = p.user.must_change_password;
    if must_change {
        // Nothing else is reachable yet: no navigation to pages that would send them back.
        ctx.nav.clear();
    }
    let t = ctx.t;
    let errors = FormErrors::new(t, problems).anchored(&[
        ("current_password", "current-password"),
        ("new_password", "new-password"),
        ("confirm_password", "confirm-password"),
    ]);
    render(&PasswordPage { ctx, must_change, notice, errors })
}

async fn page(Authed(p): Authed, Lang(locale): Lang, Query(q): Query<PasswordQuery>) -> AppResult<Response> {
    let notice = if q.changed == "1" { crate::i18n::Tr::new(locale).get("account-password-changed") } else { String::new() };
    draw(&p, locale, notice, &[])
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

async fn submit(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Form(f): Form<PasswordForm>) -> AppResult<Response> {
    // The same key as the sign-in form's: guessing here or there counts alike.
    let key = format!("acct:{}:{}", p.tenant.slug, p.user.login);
    let wait = state.store.throttle_wait_ms(&key, ThrottlePolicy::ACCOUNT).await?;
    if wait > 0 {
        return Err(AppError::Throttled(((wait + 999) / 1000) as u64));
    }
    let keep = match &p.via {
        Via::Session { secret, .. } => Some(secret.as_str()),
        Via::Token => None,
    };
    match state.store.change_password(&p.ctx(), &f.current_password, &f.new_password, &f.confirm_password, keep).await {
        Ok(()) => {
            state.store.clear_login_failures(&key).await?;
            // A first password leads on to the product; a change returns to this page.
            let to = if p.user.must_change_password { "/".to_string() } else { format!("{PASSWORD_PAGE}?changed=1") };
            Ok(Redirect::to(&to).into_response())
        }
        // Every problem at once, beside its field; passwords are never sent back.
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            if problems.iter().any(|e| e.field == store::WRONG_CURRENT_PASSWORD) {
                state.store.record_login_failure(&[&key]).await?;
            }
            Ok(with_status(draw(&p, locale, String::new(), &problems)?, status))
        }
    }
}
