//! HR's settings of the text themes (R13): the synonyms mapped to one canonical term and the
//! stop words, both typed as lines; the form keeps what was typed and puts each problem (with
//! its line) beside its field. A save is audited and re-indexes every approved report.

use super::form::{sent_back, FormErrors, FormPairs};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Operation;
use domain::Locale;
use store::Ctx;

const PATH: &str = "/settings/themes";

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Operation::ManageReportSettings, settings).post(PATH, Operation::ManageReportSettings, save)
}

#[derive(Template)]
#[template(path = "theme_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    synonyms: String,
    stop_words: String,
    updated: Option<String>,
    saved: bool,
    errors: FormErrors,
    max_entries: usize,
}

async fn settings_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: Option<(String, String)>,
    saved: bool,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "themes-settings-title", PATH);
    let current = state.store.theme_settings(&p.acting(Ctx::as_hr)?).await?;
    let updated = current.updated_at.map(|at| ctx.t.with("themes-settings-updated", "when", ctx.t.date_time(at)));
    let (synonyms, stop_words) = typed.unwrap_or((current.synonyms, current.stop_words));
    render(&SettingsPage { ctx, synonyms, stop_words, updated, saved, errors, max_entries: domain::themes::MAX_ENTRIES })
}

async fn settings(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let saved = raw.as_deref() == Some("saved=1");
    settings_page(&state, &p, locale, None, saved, FormErrors::none()).await
}

async fn save(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let (synonyms, stop_words) = (f.text("synonyms"), f.text("stop_words"));
    let outcome = state.store.save_theme_settings(&p.acting(Ctx::as_hr)?, &synonyms, &stop_words).await;
    match outcome {
        Ok(_) => Ok(Redirect::to("/settings/themes?saved=1").into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[
                ("synonyms", "themes-synonyms"),
                ("stop_words", "themes-stop-words"),
                ("form", "themes-synonyms"),
            ]);
            Ok(with_status(settings_page(&state, &p, locale, Some((synonyms, stop_words)), false, errors).await?, status))
        }
    }
}
