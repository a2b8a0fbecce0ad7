//! The signed-in user's own API tokens: the list, issuing one (shown once), revoking one.

use super::form::{sent_back, FormErrors};
use super::{render, role_label, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal, Via};
use crate::error::{AppError, AppResult, Form, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::TokenId;
use domain::policy::{decide, Actor, Operation, Target};
use domain::{Invalid, Locale, Role};
use serde::Deserialize;
use store::TokenRow;

pub fn routes(r: Routes) -> Routes {
    r.get("/tokens", Operation::ManageOwnTokens, list).post("/tokens", Operation::ManageOwnTokens, create).post(
        "/tokens/{id}/revoke",
        Operation::ManageOwnTokens,
        revoke,
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

/// Revocation wins over expiry; a token expires at the instant of `expires_at` (as the store
/// stops accepting it then).
pub fn token_status(t: &TokenRow, now_ms: i64) -> TokenStatus {
    if t.revoked_at.is_some() {
        TokenStatus::Revoked
    } else if t.expires_at.is_some_and(|e| e <= now_ms) {
        TokenStatus::Expired
    } else {
        TokenStatus::Active
    }
}

fn status_label(t: Tr, s: TokenStatus) -> String {
    match s {
        TokenStatus::Active => t.get("tokens-status-active"),
        TokenStatus::Expired => t.get("tokens-status-expired"),
        TokenStatus::Revoked => t.get("tokens-status-revoked"),
    }
}

/// The lifetimes offered, in days; `None` never expires.
const EXPIRIES: [Option<u32>; 5] = [Some(7), Some(30), Some(90), Some(365), None];
const DEFAULT_EXPIRY: Option<u32> = Some(90);

fn expiry_value(e: Option<u32>) -> String {
    e.map(|d| d.to_string()).unwrap_or_else(|| "none".to_string())
}

/// Only the offered lifetimes are accepted, so a hand-made request cannot ask for 10 years.
pub fn parse_expiry(raw: &str) -> Result<Option<u32>, Invalid> {
    let raw = raw.trim();
    EXPIRIES
        .into_iter()
        .find(|e| expiry_value(*e) == raw)
        .ok_or_else(|| Invalid { field: "expires", message: Tr::both("tokens-error-expiry") })
}

/// A token may act only in a role its owner holds.
pub fn parse_role(raw: &str, held: &[Role]) -> Result<Role, Invalid> {
    Role::parse(raw).filter(|r| held.contains(r)).ok_or_else(|| Invalid { field: "role", message: Tr::both("tokens-error-role") })
}

pub fn parse_token_id(raw: &str) -> Result<TokenId, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(TokenId::new)
        .ok_or_else(|| Invalid { field: "id", message: Tr::both("tokens-error-id") })
}

/// A token must not mint tokens: issuing needs a signed-in browser session.
fn require_session(p: &Principal) -> AppResult<()> {
    match p.via {
        Via::Session { .. } => Ok(()),
        Via::Token => Err(AppError::Forbidden),
    }
}

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub prefix: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub status: String,
    pub active: bool,
    pub revoke_label: String,
}

impl TokenView {
    fn new(t: Tr, row: &TokenRow, now_ms: i64) -> Self {
        let status = token_status(row, now_ms);
        TokenView {
            id: row.id.get(),
            name: row.name.clone(),
            role: role_label(t, row.role),
            prefix: row.prefix.clone(),
            created: t.date_time(row.created_at),
            expires: row.expires_at.map(|ms| t.date_time(ms)).unwrap_or_else(|| t.get("tokens-no-expiry")),
            last_used: row.last_used_at.map(|ms| t.date_time(ms)).unwrap_or_else(|| t.get("tokens-never-used")),
            status: status_label(t, status),
            active: status == TokenStatus::Active,
            revoke_label: t.with("tokens-revoke-label", "name", &row.name),
        }
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<TokenView>,
    roles: Vec<Choice>,
    expiries: Vec<Choice>,
    notice: String,
    can_issue: bool,
    /// The name typed in the form, kept when it is sent back.
    name: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "tokens_created.html")]
struct CreatedPage {
    ctx: PageCtx,
    lead: String,
    secret: String,
    role: String,
    expires: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    revoked: Option<String>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<ListQuery>) -> AppResult<Response> {
    list_page(&state, &p, locale, &q, &CreateForm::default(), &[]).await
}

/// The token list with its form: as typed and with every problem when it was sent back.
async fn list_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    q: &ListQuery,
    typed: &CreateForm,
    problems: &[Invalid],
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "tokens-title", "/tokens");
    let t = ctx.t;
    let now = store::now_ms();
    let tokens = state.store.tokens_of(p.tenant.id, p.user.id).await?.iter().map(|row| TokenView::new(t, row, now)).collect();
    let roles = p
        .user
        .roles
        .iter()
        .filter(|r| decide(&Actor::new(p.user.id, p.tenant.id, **r), Operation::ManageOwnTokens, Target::Route).is_allow())
        .map(|r| Choice {
            value: r.as_str().to_string(),
            label: role_label(t, *r),
            selected: if typed.role.is_empty() { p.role == Some(*r) } else { typed.role == r.as_str() },
        })
        .collect();
    let expiries = EXPIRIES
        .into_iter()
        .map(|e| Choice {
            value: expiry_value(e),
            label: match e {
                Some(days) => t.with("tokens-expiry-days", "days", days),
                None => t.get("tokens-expiry-none"),
            },
            selected: if typed.expires.is_empty() { e == DEFAULT_EXPIRY } else { typed.expires == expiry_value(e) },
        })
        .collect();
    let notice = if q.revoked.is_some() { t.get("tokens-revoked-notice") } else { String::new() };
    let can_issue = matches!(p.via, Via::Session { .. });
    let errors = FormErrors::new(t, problems).anchored(&[
        ("name", "token-name"),
        ("role", "token-role"),
        ("expires", "token-expires"),
        ("form", "token-name"),
    ]);
    let page = TokensPage { ctx, tokens, roles, expiries, notice, can_issue, name: typed.name.clone(), errors };
    Ok(with_status(render(&page)?, if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    role: String,
    expires: String,
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Form(f): Form<CreateForm>) -> AppResult<Response> {
    require_session(&p)?;
    // Every problem at once, the form sent back as typed.
    let mut problems = Vec::new();
    let role = parse_role(&f.role, &p.user.roles).map_err(|e| problems.push(e)).ok();
    let expires = parse_expiry(&f.expires).map_err(|e| problems.push(e)).ok();
    if let Err(e) = domain::limits::TOKEN_NAME.check(&f.name) {
        problems.push(e);
    }
    let (Some(role), Some(expires), true) = (role, expires, problems.is_empty()) else {
        return list_page(&state, &p, locale, &ListQuery::default(), &f, &problems).await;
    };
    let (secret, id) = match state.store.create_token(&p.ctx(), role, &f.name, expires).await {
        Ok(made) => made,
        Err(e) => {
            let (_, problems) = sent_back(e.into())?;
            return list_page(&state, &p, locale, &ListQuery::default(), &f, &problems).await;
        }
    };
    // Read back what was stored (the name as trimmed, the exact expiry) to show it.
    let row = state.store.tokens_of(p.tenant.id, p.user.id).await?.into_iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
    let ctx = PageCtx::new(&p, locale, "tokens-created-title", "/tokens");
    let t = ctx.t;
    render(&CreatedPage {
        lead: t.with("tokens-created-lead", "name", &row.name),
        secret,
        role: t.with("tokens-created-role", "role", role_label(t, row.role)),
        expires: t.with(
            "tokens-created-expires",
            "date",
            row.expires_at.map(|ms| t.date_time(ms)).unwrap_or_else(|| t.get("tokens-no-expiry")),
        ),
        ctx,
    })
}

async fn revoke(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Response> {
    let id = parse_token_id(&raw)?;
    // The store only revokes the caller's own tokens; anyone else's is "not found".
    state.store.revoke_token(&p.ctx(), id).await?;
    Ok(Redirect::to("/tokens?revoked=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(expires_at: Option<i64>, revoked_at: Option<i64>) -> TokenRow {
        TokenRow {
            id: TokenId::new(1),
            name: "n".into(),
            role: Role::Hr,
            prefix: "cdk_12345678".into(),
            created_at: 0,
            expires_at,
            revoked_at,
            last_used_at: None,
        }
    }

    #[test]
    fn status_follows_revocation_then_expiry() {
        assert_eq!(token_status(&row(None, None), 1_000), TokenStatus::Active);
        assert_eq!(token_status(&row(Some(2_000), None), 1_999), TokenStatus::Active);
        assert_eq!(token_status(&row(Some(2_000), None), 2_000), TokenStatus::Expired);
        assert_eq!(token_status(&row(Some(2_000), Some(500)), 3_000), TokenStatus::Revoked);
        assert_eq!(token_status(&row(None, Some(500)), 3_000), TokenStatus::Revoked);
    }

    #[test]
    fn only_offered_expiries_are_accepted() {
        assert_eq!(parse_expiry("7"), Ok(Some(7)));
        assert_eq!(parse_expiry(" 365 "), Ok(Some(365)));
        assert_eq!(parse_expiry("none"), Ok(None));
        for bad in ["", "3650", "-1", "0", "never"] {
            assert_eq!(parse_expiry(bad).map_err(|e| e.field), Err("expires"), "{bad}");
        }
        assert!(EXPIRIES.contains(&DEFAULT_EXPIRY));
    }

    #[test]
    fn a_token_acts_only_in_a_held_role() {
        let held = [Role::Hr, Role::Consultant];
        assert_eq!(parse_role("hr", &held), Ok(Role::Hr));
        assert_eq!(parse_role("admin", &held).map_err(|e| e.field), Err("role"));
        assert_eq!(parse_role("root", &held).map_err(|e| e.field), Err("role"));
    }

    #[test]
    fn token_ids_are_positive_numbers() {
        assert_eq!(parse_token_id("42"), Ok(TokenId::new(42)));
        for bad in ["", "abc", "0", "-3", "1.5", "99999999999999999999"] {
            assert_eq!(parse_token_id(bad).map_err(|e| e.field), Err("id"), "{bad}");
        }
    }

    #[test]
    fn error_messages_come_from_both_locales() {
        let m = Tr::both("tokens-error-id");
        assert_ne!(m.ja, m.en);
        assert!(!m.ja.is_empty() && !m.en.contains("Unknown localization"));
    }
}
