//! フィードバック (R8): the feedback a boss's team members agreed to share with them, and only
//! while their consent holds. Anything else — withdrawn, expired, refused, pending, someone
//! else's, or no such id — answers exactly as a missing page. Every reading is audited.

use super::consents::{path_id, until_label};
use super::{render, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::consent::Purpose;
use domain::ids::DisclosureId;
use domain::policy::Operation;
use store::Ctx;

pub fn routes(r: Routes) -> Routes {
    r.get("/feedback", Operation::ReadFeedback, list).get("/feedback/{id}", Operation::ReadFeedback, show)
}

/// The guide for bosses (上司ガイド) must be acknowledged before any feedback is read (R8). This
/// is the one place both feedback pages pass through: while the acting boss has not acknowledged
/// the guide as it now requires, they are led to it, and from it back to the feedback list. (The
/// store's reads of feedback hold the same gate, so the API answers 409 boss_guide_not_acknowledged.)
async fn boss_guide_gate(state: &AppState, p: &Principal) -> AppResult<Option<Response>> {
    p.acting(Ctx::as_boss)?;
    super::boss_guide::gate(state, p, "/feedback").await
}

pub struct FeedbackRow {
    pub id: i64,
    pub member: String,
    pub since: String,
    pub until: String,
    pub from: String,
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct ListPage {
    ctx: PageCtx,
    rows: Vec<FeedbackRow>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    if let Some(guide) = boss_guide_gate(&state, &p).await? {
        return Ok(guide);
    }
    let ctx = PageCtx::new(&p, locale, "fb-title", "/feedback");
    let t = ctx.t;
    let rows = state
        .store
        .released_to_me(&p.ctx(), Purpose::BossFeedback, false)
        .await?
        .into_iter()
        .map(|r| FeedbackRow {
            id: r.row.id.get(),
            member: r.row.employee_name.clone(),
            since: r.row.granted_at.map(|at| t.date_time(at)).unwrap_or_default(),
            until: until_label(t, r.row.expires_at),
            from: r.row.author_name.clone(),
        })
        .collect();
    render(&ListPage { ctx, rows })
}

#[derive(Template)]
#[template(path = "feedback_show.html")]
struct ShowPage {
    ctx: PageCtx,
    member: String,
    from: String,
    since: String,
    until: String,
    text: String,
}

async fn show(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    if let Some(guide) = boss_guide_gate(&state, &p).await? {
        return Ok(guide);
    }
    let id = path_id::<DisclosureId>(&raw)?;
    let r = state.store.read_released(&p.ctx(), id, Purpose::BossFeedback).await?;
    let ctx = PageCtx::new(&p, locale, "fb-show-title", "/feedback");
    let t = ctx.t;
    render(&ShowPage {
        member: r.row.employee_name.clone(),
        from: r.row.author_name.clone(),
        since: r.row.granted_at.map(|at| t.date_time(at)).unwrap_or_default(),
        until: until_label(t, r.row.expires_at),
        text: r.text,
        ctx,
    })
}
