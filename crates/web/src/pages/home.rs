//! The home page of the acting role: what this role can do here, with live figures.

use super::{render, role_label, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::policy::{decide, Operation, Target};

pub fn routes(r: Routes) -> Routes {
    r.get("/", Operation::ViewHome, home)
}

pub struct Card {
    pub href: &'static str,
    pub title: String,
    pub body: String,
    pub figure: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting: String,
    cards: Vec<Card>,
}

async fn home(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "home-title", "/");
    let t = ctx.t;
    let actor = p.actor().ok_or(AppError::NeedsRole)?;
    let allowed = |a: Operation| decide(&actor, a, Target::Route).is_allow();
    let mut cards = Vec::new();
    if allowed(Operation::ListEmployees) {
        let n = state.store.employee_count(p.tenant.id).await?;
        cards.push(Card {
            href: "/employees",
            title: t.get("nav-employees"),
            body: t.get("home-employees-body"),
            figure: t.with("home-employees-figure", "count", n),
        });
    }
    if allowed(Operation::ImportEmployees) {
        cards.push(Card { href: "/employees/import", title: t.get("nav-import"), body: t.get("home-import-body"), figure: String::new() });
    }
    if allowed(Operation::ManageUsers) {
        let n = state.store.users(p.tenant.id).await?.len();
        cards.push(Card {
            href: "/admin/users",
            title: t.get("nav-users"),
            body: t.get("home-users-body"),
            figure: t.with("home-users-figure", "count", n),
        });
    }
    if allowed(Operation::ViewAuditLog) {
        let stats = state.store.audit_stats(p.tenant.id).await?;
        cards.push(Card {
            href: "/admin/audit",
            title: t.get("nav-audit"),
            body: t.get("home-audit-body"),
            figure: t.with("home-audit-figure", "count", stats.events),
        });
    }
    if allowed(Operation::ManageOwnTokens) {
        cards.push(Card { href: "/tokens", title: t.get("nav-tokens"), body: t.get("home-tokens-body"), figure: String::new() });
    }
    let role = p.role.map(|r| role_label(t, r)).unwrap_or_default();
    let greeting = t.with("home-greeting", "role", role);
    render(&HomePage { ctx, greeting, cards })
}
