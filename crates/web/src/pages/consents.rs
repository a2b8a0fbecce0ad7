//! わたしの同意 (R5, R8): the employee reads exactly the text a consultant asks to share, to
//! whom and for what, and agrees, refuses or asks for changes; lists what is shared and since
//! when, withdraws; and prints a receipt (同意記録) of any decision.

use super::form::{sent_back, FormErrors, FormPairs};
use super::history_table::{Cell, HistoryTable};
use super::{render, today_jst, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::consent::{ConsentDecision, DisclosureState, Recipient};
use domain::ids::{ConsentRecordId, DisclosureId};
use domain::policy::Operation;
use domain::Locale;
use serde::Deserialize;
use store::{ConsentInput, Ctx, DisclosureRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/my/consents", Operation::DecideOwnDisclosures, mine)
        .post("/my/consents/{id}/decision", Operation::DecideOwnDisclosures, decide)
        .post("/my/consents/{id}/withdraw", Operation::DecideOwnDisclosures, withdraw)
        .get("/my/consents/receipts/{id}", Operation::DecideOwnDisclosures, receipt)
}

pub(crate) use crate::path_id::path_id;

/// To whom a disclosure goes, in words: a person by name, or a role.
pub(crate) fn recipient_label(t: Tr, row: &DisclosureRow) -> String {
    match row.recipient {
        Recipient::User(_) => t.with("cs-to-user", "name", &row.recipient_name),
        Recipient::Role(role) => t.term(role),
    }
}

/// The last day a grant holds (it ends at the start of the next day in Japan), in words.
pub(crate) fn until_label(t: Tr, expires_at: Option<i64>) -> String {
    expires_at.map(|ms| t.date_ms(ms - 1)).unwrap_or_default()
}

/// What was typed into one disclosure's decision form.
#[derive(Clone, Debug, Default)]
pub struct DecisionForm {
    pub decision: String,
    pub comment: String,
    pub expires_on: String,
}

pub struct PendingView {
    pub id: i64,
    pub purpose: String,
    pub state: String,
    pub state_code: &'static str,
    pub recipient: String,
    pub consultant: String,
    pub asked_at: String,
    pub version: i64,
    pub version_label: String,
    pub text: String,
    pub changes_requested: bool,
    /// The employee's own comment with their request for changes.
    pub comment: String,
    pub form: DecisionForm,
    pub errors: FormErrors,
    pub comment_help: String,
    pub expiry_help: String,
}

pub struct SharedView {
    pub id: i64,
    pub purpose: String,
    pub recipient: String,
    pub since: String,
    pub until: String,
    pub version_label: String,
    pub text: String,
}

/// A disclosure the employee refused or withdrew, or whose grant ran out: its exact text, and
/// a form to grant it again (the same text; the ledger keeps every earlier decision).
pub struct ClosedView {
    pub id: i64,
    pub purpose: String,
    pub state: String,
    pub state_code: &'static str,
    pub recipient: String,
    pub consultant: String,
    /// When the last decision was recorded.
    pub decided_at: String,
    pub version: i64,
    pub version_label: String,
    pub text: String,
    pub form: DecisionForm,
    pub errors: FormErrors,
    pub expiry_help: String,
}

#[derive(Template)]
#[template(path = "my_consents.html")]
struct MinePage {
    ctx: PageCtx,
    notice: String,
    linked: bool,
    pending: Vec<PendingView>,
    shared: Vec<SharedView>,
    closed: Vec<ClosedView>,
    history: HistoryTable,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn mine_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    notice: String,
    typed: Option<(i64, DecisionForm, FormErrors)>,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "cs-title", "/my/consents");
    let t = ctx.t;
    let own = state.store.own_consents(&p.acting(Ctx::as_employee)?).await?;
    let mut pending = Vec::new();
    let mut shared = Vec::new();
    let mut closed = Vec::new();
    for d in &own.disclosures {
        let r = &d.row;
        let version_label = t.with("cs-version", "version", r.version);
        match r.state {
            DisclosureState::Pending | DisclosureState::ChangesRequested => {
                let (form, errors) = match &typed {
                    Some((id, f, e)) if *id == r.id.get() => (f.clone(), e.clone()),
                    _ => (DecisionForm::default(), FormErrors::none()),
                };
                let comment = own
                    .history
                    .iter()
                    .find(|(e, _)| e.disclosure == r.id && e.version == r.version && e.decision == ConsentDecision::RequestChanges)
                    .map(|(e, _)| e.comment.clone())
                    .unwrap_or_default();
                pending.push(PendingView {
                    id: r.id.get(),
                    purpose: t.term(r.purpose),
                    state: t.term(r.state),
                    state_code: r.state.as_str(),
                    recipient: recipient_label(t, r),
                    consultant: r.author_name.clone(),
                    asked_at: t.date_time(r.asked_at),
                    version: r.version,
                    version_label,
                    text: d.text.clone(),
                    changes_requested: r.state == DisclosureState::ChangesRequested,
                    comment,
                    form,
                    errors,
                    comment_help: format!("cs-comment-help-{}", r.id),
                    expiry_help: format!("cs-expiry-help-{}", r.id),
                });
            }
            DisclosureState::Granted => shared.push(SharedView {
                id: r.id.get(),
                purpose: t.term(r.purpose),
                recipient: recipient_label(t, r),
                since: r.granted_at.map(|at| t.date_time(at)).unwrap_or_default(),
                until: until_label(t, r.expires_at),
                version_label,
                text: d.text.clone(),
            }),
            DisclosureState::Refused | DisclosureState::Withdrawn | DisclosureState::Expired => {
                let (form, errors) = match &typed {
                    Some((id, f, e)) if *id == r.id.get() => (f.clone(), e.clone()),
                    _ => (DecisionForm::default(), FormErrors::none()),
                };
                // The history is newest first: its first entry on this disclosure is the last decision.
                let decided_at = own.history.iter().find(|(e, _)| e.disclosure == r.id).map(|(e, _)| t.date_time(e.at)).unwrap_or_default();
                closed.push(ClosedView {
                    id: r.id.get(),
                    purpose: t.term(r.purpose),
                    state: t.term(r.state),
                    state_code: r.state.as_str(),
                    recipient: recipient_label(t, r),
                    consultant: r.author_name.clone(),
                    decided_at,
                    version: r.version,
                    version_label,
                    text: d.text.clone(),
                    form,
                    errors,
                    expiry_help: format!("cs-again-expiry-help-{}", r.id),
                });
            }
        }
    }
    let history = HistoryTable {
        id: "cs-history",
        heading: t.get("cs-history-heading"),
        empty: t.get("cs-history-empty"),
        columns: ["cs-col-when", "cs-col-decision", "cs-purpose", "cs-recipient", "cs-col-method", "cs-col-receipt"]
            .iter()
            .map(|k| t.get(k))
            .collect(),
        rows: own
            .history
            .iter()
            .map(|(e, r)| {
                vec![
                    Cell::text(t.date_time(e.at)).class("date"),
                    Cell::text(t.term(e.decision)).class("nowrap"),
                    Cell::text(t.term(r.purpose)),
                    Cell::text(recipient_label(t, r)).data(),
                    Cell::text(t.term(e.method)),
                    Cell::text(t.get("cs-receipt-link")).class("nowrap").link(format!("/my/consents/receipts/{}", e.id.get()), false),
                ]
            })
            .collect(),
    };
    render(&MinePage { ctx, notice, linked: p.user.employee.is_some(), pending, shared, closed, history })
}

async fn mine(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let t = Tr::new(locale);
    let notice = match q.done.as_deref().and_then(ConsentDecision::parse) {
        Some(d) => t.get(&format!("cs-done-{}", d.as_str())),
        None => String::new(),
    };
    mine_page(&state, &p, locale, notice, None).await
}

async fn decide(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = path_id::<DisclosureId>(&raw)?;
    let form =
        DecisionForm { decision: f.text("decision"), comment: f.text("comment").replace("\r\n", "\n"), expires_on: f.text("expires_on") };
    let again = f.has("again");
    let outcome: AppResult<ConsentDecision> = async {
        // Granting again is a grant and nothing else, ticked on purpose after reading the text.
        if again && form.decision != ConsentDecision::Grant.as_str() {
            return Err(AppError::Invalid(domain::Invalid { field: "decision", message: Tr::both("cs-again-need-grant") }));
        }
        let checked =
            domain::disclosure::check_decision(&form.decision, &form.comment, &form.expires_on, today_jst()).map_err(AppError::Problems)?;
        let version = f.int("version")?.unwrap_or(0);
        let input = ConsentInput { decision: checked.decision, version, comment: checked.comment, expires_at_ms: checked.expires_at_ms };
        state.store.decide_disclosure(&p.acting(Ctx::as_employee)?, id, &input).await?;
        Ok(checked.decision)
    }
    .await;
    match outcome {
        Ok(d) => Ok(Redirect::to(&format!("/my/consents?done={}", d.as_str())).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let n = id.get();
            let anchors = [
                ("decision".to_string(), format!("cs-{n}-decision")),
                ("version".to_string(), format!("cs-{n}-decision")),
                ("form".to_string(), format!("cs-{n}-decision")),
                ("comment".to_string(), format!("cs-{n}-comment")),
                ("expires_on".to_string(), format!("cs-{n}-expires")),
            ];
            // A grant again is sent from the card of what is not shared, whose fields have their own ids.
            let anchors = anchors.map(|(field, id)| if again { (field, id.replacen("cs-", "cs-again-", 1)) } else { (field, id) });
            let anchors: Vec<(&str, &str)> = anchors.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&anchors);
            Ok(with_status(mine_page(&state, &p, locale, String::new(), Some((n, form, errors))).await?, status))
        }
    }
}

async fn withdraw(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Response> {
    let id = path_id::<DisclosureId>(&raw)?;
    state.store.withdraw_consent(&p.acting(Ctx::as_employee)?, id).await?;
    Ok(Redirect::to("/my/consents?done=withdraw").into_response())
}

#[derive(Template)]
#[template(path = "consent_receipt.html")]
struct ReceiptPage {
    ctx: PageCtx,
    number: i64,
    company: String,
    employee: String,
    purpose: String,
    recipient: String,
    decision: String,
    when: String,
    method: String,
    recorded_by: String,
    /// Recorded by the consultant on the employee's behalf (the name is user data).
    on_behalf: bool,
    on_behalf_note: String,
    until: String,
    version_label: String,
    text: String,
    comment: String,
}

async fn receipt(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    let id = path_id::<ConsentRecordId>(&raw)?;
    let r = state.store.consent_receipt(&p.acting(Ctx::as_employee)?, id).await?;
    let ctx = PageCtx::new(&p, locale, "rc-title", "/my/consents");
    let t = ctx.t;
    let method = t.term(r.entry.method);
    let on_behalf = r.entry.method.on_behalf();
    let (recorded_by, on_behalf_note) = if on_behalf {
        (r.entry.recorded_by_name.clone(), t.with("rc-on-behalf", "method", &method))
    } else {
        (t.get("cs-recorded-by-you"), String::new())
    };
    let page = ReceiptPage {
        number: id.get(),
        company: p.tenant.name.clone(),
        employee: r.row.employee_name.clone(),
        purpose: t.term(r.row.purpose),
        recipient: recipient_label(t, &r.row),
        decision: t.term(r.entry.decision),
        when: t.date_time(r.entry.at),
        method,
        recorded_by,
        on_behalf,
        on_behalf_note,
        until: until_label(t, r.entry.expires_at),
        version_label: t.with("rc-text", "version", r.entry.version),
        text: r.text,
        comment: r.entry.comment,
        ctx,
    };
    render(&page)
}
