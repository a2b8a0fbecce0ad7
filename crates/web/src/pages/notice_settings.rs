//! 通知の設定 (`/account/notifications`): whether the signed-in user's notices are also
//! e-mailed, to which address, and their own address for notices (issue 8). Without one of
//! their own, notices go to the address of their employee in the register. The address is
//! checked by the register's rule ([`Email`]); the form keeps what was typed. Every change is
//! audited by the store (`email_changed`).

use super::form::{sent_back, FormErrors, FormPairs};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::employee::Email;
use domain::policy::Operation;
use domain::{Invalid, Locale};
use store::EmailSettings;

pub const PAGE: &str = "/account/notifications";

pub fn routes(r: Routes) -> Routes {
    // Every signed-in user's own setting, in whatever role they act.
    r.get(PAGE, Operation::ManageOwnSession, page).post(PAGE, Operation::ManageOwnSession, submit)
}

/// Whether notices are e-mailed, in one sentence for the reader, and whether that is "on".
pub fn email_status(t: Tr, s: &EmailSettings) -> (bool, String) {
    match (s.delivery, s.address()) {
        (true, Some(address)) => (true, t.with("notice-settings-email-on", "address", address)),
        (false, _) => (false, t.get("notice-settings-email-off-no-smtp")),
        (true, None) => (false, t.get("notice-settings-email-off-no-address")),
    }
}

#[derive(Template)]
#[template(path = "account_notifications.html")]
struct SettingsPage {
    ctx: PageCtx,
    on: bool,
    status: String,
    /// The register's address, said under the field (empty when there is none).
    register: String,
    /// The field's value: the account's own address, or what was typed.
    value: String,
    has_own: bool,
    notice: String,
    errors: FormErrors,
}

async fn draw(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: Option<&str>,
    notice: String,
    problems: &[Invalid],
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "notice-settings-title", PAGE);
    let t = ctx.t;
    let s = state.store.own_email_settings(&p.ctx()).await?;
    let (on, status) = email_status(t, &s);
    let register = match &s.register {
        Some(a) => t.with("notice-settings-register", "address", a),
        None => String::new(),
    };
    let value = typed.map(str::to_string).unwrap_or_else(|| s.own.clone().unwrap_or_default());
    let errors = FormErrors::new(t, problems).anchored(&[("email", "notice-email"), ("form", "notice-email")]);
    render(&SettingsPage { ctx, on, status, register, value, has_own: s.own.is_some(), notice, errors })
}

async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let t = Tr::new(locale);
    let notice = match raw.as_deref() {
        Some("saved=1") => t.get("notice-settings-saved"),
        Some("cleared=1") => t.get("notice-settings-cleared"),
        _ => String::new(),
    };
    draw(&state, &p, locale, None, notice, &[]).await
}

/// The address as typed: empty clears the account's own address.
pub fn parse_address(raw: &str) -> Result<Option<Email>, Invalid> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        Email::parse(raw).map(Some)
    }
}

async fn submit(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let typed = if f.has("clear") { String::new() } else { f.text("email") };
    let result = match parse_address(&typed) {
        Ok(email) => state.store.set_own_email(&p.ctx(), email.as_ref()).await.map(|_| email.is_some()).map_err(AppError::from),
        Err(e) => Err(AppError::Invalid(e)),
    };
    match result {
        Ok(true) => Ok(Redirect::to(&format!("{PAGE}?saved=1")).into_response()),
        Ok(false) => Ok(Redirect::to(&format!("{PAGE}?cleared=1")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            Ok(with_status(draw(&state, &p, locale, Some(&typed), String::new(), &problems).await?, status))
        }
    }
}
