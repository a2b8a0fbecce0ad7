//! Referrals (紹介, R9): the consultant's referrals with where each stands (`/referrals`, a new one
//! at `/referrals/new`), health staff's referrals addressed to them with the summary and the
//! decision form (`/referrals/{id}`), HR's k-protected counts per cycle (`/referral-counts`) and
//! HR's outside contacts (`/settings/referral-contacts`). Who sees what is the store's and the
//! policy's: a referral the reader may not see answers as one that does not exist.

use super::form::{sent_back, FormErrors, FormPairs};
use super::home::{Card, Line};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::list_terms::{term_options, vocabulary_filter};
use super::{render, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{ContactId, DisclosureId, EscalationId, ReferralId, UserId};
use domain::policy::Operation;
use domain::referral::{check_contact, Addressee, ContactKind, ReferralStatus, CONTACT_EMAIL, CONTACT_NAME, CONTACT_PHONE, NOTE, SUMMARY};
use domain::{Invalid, Locale, Role};
use serde::Deserialize;
use store::{Ctx, Direction, NewReferral, PageRequest, ReferralBasis, ReferralRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/referrals", Operation::ViewReferrals, list)
        .get("/referrals/new", Operation::MakeReferrals, new_form)
        .post("/referrals", Operation::MakeReferrals, create)
        .get("/referrals/{id}", Operation::ViewReferrals, one)
        .post("/referrals/{id}/decision", Operation::DecideReferrals, decide)
        .get("/referral-counts", Operation::ViewReferralCounts, counts)
        .get("/settings/referral-contacts", Operation::ManageReferralContacts, contacts)
        .post("/settings/referral-contacts", Operation::ManageReferralContacts, add_contact)
}

fn referral_id(raw: &str) -> AppResult<ReferralId> {
    crate::path_id::path_id(raw)
}

/// The recipient as the list and the page say it.
fn recipient_label(t: Tr, r: &ReferralRow) -> String {
    match (r.addressee, r.contact_kind) {
        (Addressee::Role(_), _) => t.get("rf-to-health"),
        (Addressee::User(_), _) => t.with("rf-to-person", "name", &r.addressee_name),
        (Addressee::Contact(_), Some(kind)) => t.with2("rf-contact-label", ("name", &r.addressee_name), ("kind", &t.term(kind))),
        (Addressee::Contact(_), None) => r.addressee_name.clone(),
    }
}

fn basis_label(t: Tr, r: &ReferralRow) -> String {
    match (r.basis, r.consent_state) {
        (ReferralBasis::Escalation(e), _) => t.with("rf-basis-escalation", "id", e.get()),
        (ReferralBasis::Consent { .. }, Some(state)) => t.with("rf-basis-consent", "state", t.term(state)),
        (ReferralBasis::Consent { .. }, None) => t.get("rf-basis-consent-unknown"),
    }
}

// ---------------------------------------------------------------- the list

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralSort {
    Updated,
}

static LIST: ListSpec<ReferralSort> = ListSpec {
    path: "/referrals",
    default_sort: SortOption::new("updated", ReferralSort::Updated, Direction::Desc),
    sorts: &[],
    filters: &["status"],
    search: false,
    per_page: 50,
};

pub struct ReferralLine {
    pub id: i64,
    pub employee: String,
    pub employee_number: String,
    pub recipient: String,
    pub basis: String,
    pub status: String,
    pub status_code: &'static str,
    pub referred: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    lines: Vec<ReferralLine>,
    consultant: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "rf-title", "/referrals");
    let t = ctx.t;
    let mut params = ListParams::parse(&LIST, raw.as_deref());
    let status = vocabulary_filter(&mut params, "status", ReferralStatus::parse);
    let page = state.store.referrals_page(&p.ctx(), status, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let lines: Vec<ReferralLine> = page
        .items
        .iter()
        .map(|r| ReferralLine {
            id: r.id.get(),
            employee: r.employee_name.clone(),
            employee_number: r.employee_number.clone(),
            recipient: recipient_label(t, r),
            basis: basis_label(t, r),
            status: t.term(r.status),
            status_code: r.status.as_str(),
            referred: t.date_time(r.created_at),
            updated: t.date_time(r.updated_at),
        })
        .collect();
    let consultant = p.role == Some(Role::Consultant);
    let statuses = term_options(t, &ReferralStatus::ALL, ReferralStatus::as_str);
    let list = ListView::new(t, &params, page.total, lines.len())
        .filter("status", "rf-status", status.map(ReferralStatus::as_str), statuses)
        .column("rf-employee", None, "")
        .column("rf-recipient", None, "")
        .column("rf-basis", None, "")
        .column("rf-status", None, "nowrap")
        .column("rf-referred", None, "date")
        .column("rf-updated", Some("updated"), "date")
        .empty(if consultant { "rf-empty-consultant" } else { "rf-empty-health" }, "rf-empty-filtered");
    render(&ListPage { ctx, list, lines, consultant })
}

/// The health staff's home card: referrals addressed to them that wait for an answer, and
/// those in care.
pub(crate) async fn health_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<Card> {
    let page = state.store.referrals_page(&p.ctx(), Some(ReferralStatus::Referred), PageRequest::first(5)).await?;
    let (waiting, caring) = state.store.referral_counts_for_me(&p.ctx()).await?;
    let mut card = Card {
        key: "referrals",
        title: t.get("home-referrals-title"),
        figure: String::new(),
        body: String::new(),
        items: Vec::new(),
        href: "/referrals".to_string(),
        link: t.get("home-referrals-link"),
    };
    if waiting == 0 && caring == 0 {
        card.body = t.get("home-referrals-empty");
        return Ok(card);
    }
    card.figure = t.with("home-count", "count", waiting);
    card.body = t.with("rf-home-body", "caring", caring);
    card.items = page
        .items
        .iter()
        .map(|r| Line {
            href: format!("/referrals/{}", r.id),
            text: t.with("rf-home-line", "id", r.id.get()),
            meta: t.with("rf-home-meta", "when", t.date_time(r.created_at)),
            start_report: None,
        })
        .collect();
    Ok(card)
}

// ---------------------------------------------------------------- a new referral

#[derive(Template)]
#[template(path = "referral_new.html")]
struct NewPage {
    ctx: PageCtx,
    consents: Vec<Choice>,
    recipients: Vec<Choice>,
    escalation: String,
    summary: String,
    summary_max: usize,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    escalation: Option<String>,
}

struct Typed {
    disclosure: String,
    recipient: String,
    escalation: String,
    summary: String,
}

async fn new_page(state: &AppState, p: &Principal, locale: Locale, typed: Typed, errors: FormErrors) -> AppResult<Response> {
    let me = p.acting(Ctx::as_consultant)?;
    let ctx = PageCtx::new(p, locale, "rf-new-title", "/referrals");
    let t = ctx.t;
    let consents = state
        .store
        .referral_consents(&me)
        .await?
        .into_iter()
        .map(|c| Choice {
            value: c.disclosure.get().to_string(),
            label: t.with_args(
                "rf-consent-option",
                &[
                    ("name", format!("{} {}", c.employee_name, c.employee_number)),
                    ("when", c.granted_at.map(|at| t.date_time(at)).unwrap_or_default()),
                ],
            ),
            selected: typed.disclosure == c.disclosure.get().to_string(),
        })
        .collect();
    let who = state.store.referral_recipients(&me).await?;
    let mut recipients = vec![Choice { value: "health".into(), label: t.get("rf-to-health"), selected: typed.recipient == "health" }];
    for (id, name) in who.health {
        let value = format!("user:{id}");
        recipients.push(Choice { selected: typed.recipient == value, label: t.with("rf-to-person", "name", name), value });
    }
    for c in who.contacts {
        let value = format!("contact:{}", c.id);
        recipients.push(Choice {
            selected: typed.recipient == value,
            label: t.with2("rf-contact-label", ("name", &c.name), ("kind", &t.term(c.kind))),
            value,
        });
    }
    render(&NewPage { ctx, consents, recipients, escalation: typed.escalation, summary: typed.summary, summary_max: SUMMARY.max, errors })
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let typed = Typed {
        disclosure: String::new(),
        recipient: "health".into(),
        escalation: q.escalation.unwrap_or_default(),
        summary: String::new(),
    };
    new_page(&state, &p, locale, typed, FormErrors::none()).await
}

fn parse_recipient(s: &str) -> AppResult<Addressee> {
    let bad = || AppError::Invalid(Invalid::new("recipient", "紹介先を選んでください。", "choose the recipient"));
    let s = s.trim();
    if s == "health" {
        return Ok(Addressee::Role(Role::Health));
    }
    let (kind, id) = s.split_once(':').ok_or_else(bad)?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    match kind {
        "user" => Ok(Addressee::User(UserId::new(id))),
        "contact" => Ok(Addressee::Contact(ContactId::new(id))),
        _ => Err(bad()),
    }
}

fn optional_id(field: &'static str, s: &str) -> AppResult<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(Some)
        .ok_or_else(|| AppError::Invalid(Invalid::new(field, "番号を正しく入力してください。", "enter a valid number")))
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let typed = Typed {
        disclosure: f.text("disclosure_id"),
        recipient: f.text("recipient"),
        escalation: f.text("escalation_id"),
        summary: f.text("summary"),
    };
    let outcome: AppResult<ReferralId> = async {
        let addressee = parse_recipient(&typed.recipient)?;
        let escalation = optional_id("escalation_id", &typed.escalation)?.map(EscalationId::new);
        let disclosure = if escalation.is_some() { None } else { optional_id("disclosure_id", &typed.disclosure)?.map(DisclosureId::new) };
        if escalation.is_none() && disclosure.is_none() {
            return Err(AppError::Invalid(domain::referral::no_basis()));
        }
        let new = NewReferral { employee: None, report: None, disclosure, escalation, addressee, summary: &typed.summary };
        Ok(state.store.create_referral(&p.acting(Ctx::as_consultant)?, &new).await?)
    }
    .await;
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/referrals/{id}?done=created")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors =
                FormErrors::new(Tr::new(locale), &problems).anchored(&[("consent", "disclosure_id"), ("employee_id", "disclosure_id")]);
            Ok(with_status(new_page(&state, &p, locale, typed, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- one referral

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub struct EventLine {
    pub status: String,
    pub by: String,
    pub at: String,
    pub note: String,
}

pub struct ActionChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "referral_show.html")]
struct OnePage {
    ctx: PageCtx,
    id: i64,
    employee: String,
    employee_number: String,
    recipient: String,
    basis: String,
    status: String,
    status_code: &'static str,
    summary: String,
    events: Vec<EventLine>,
    may_decide: bool,
    actions: Vec<ActionChoice>,
    note: String,
    note_max: usize,
    notice: String,
    errors: FormErrors,
}

async fn one_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: ReferralId,
    typed: Option<(String, String)>,
    notice: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.referral(&p.ctx(), id).await?;
    let mut ctx = PageCtx::new(p, locale, "rf-title", "/referrals");
    let t = ctx.t;
    ctx.title = t.with("rf-heading", "id", id.get());
    let (action, note) = typed.unwrap_or_default();
    let actions = d
        .row
        .status
        .next_actions()
        .iter()
        .map(|a| ActionChoice {
            value: a.as_str(),
            label: t.get(&format!("rf-action-{}", a.as_str().replace('_', "-"))),
            checked: a.as_str() == action,
        })
        .collect();
    render(&OnePage {
        id: id.get(),
        employee: d.row.employee_name.clone(),
        employee_number: d.row.employee_number.clone(),
        recipient: recipient_label(t, &d.row),
        basis: basis_label(t, &d.row),
        status: t.term(d.row.status),
        status_code: d.row.status.as_str(),
        summary: d.summary,
        events: d
            .events
            .iter()
            .map(|e| EventLine { status: t.term(e.status), by: e.by_name.clone(), at: t.date_time(e.at), note: e.note.clone() })
            .collect(),
        may_decide: d.may_decide,
        actions,
        note,
        note_max: NOTE.max,
        notice,
        errors,
        ctx,
    })
}

async fn one(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = referral_id(&id)?;
    let t = Tr::new(locale);
    let notice = match q.done.as_deref() {
        Some("created") => t.get("rf-done-created"),
        Some("decided") => t.get("rf-done-decided"),
        _ => String::new(),
    };
    one_page(&state, &p, locale, id, None, notice, FormErrors::none()).await
}

async fn decide(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = referral_id(&id)?;
    let (action, note) = (f.text("decision"), f.text("note"));
    let result = state.store.decide_referral_as_typed(&p.ctx(), id, &action, &note).await.map_err(AppError::from);
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/referrals/{id}?done=decided")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(one_page(&state, &p, locale, id, Some((action, note)), String::new(), errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- HR

pub struct CountLine {
    pub cycle: String,
    pub referred: String,
    pub accepted: String,
    pub closed: String,
}

#[derive(Template)]
#[template(path = "referral_counts.html")]
struct CountsPage {
    ctx: PageCtx,
    k: i64,
    lines: Vec<CountLine>,
}

async fn counts(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "rf-counts-title", "/referral-counts");
    let view = state.store.referral_counts(&p.acting(Ctx::as_hr)?).await?;
    let shown = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(|| ctx.t.get("rf-suppressed"));
    let lines = view
        .cycles
        .iter()
        .map(|c| CountLine { cycle: c.cycle.clone(), referred: shown(c.referred), accepted: shown(c.accepted), closed: shown(c.closed) })
        .collect();
    render(&CountsPage { k: view.k, lines, ctx })
}

pub struct ContactLine {
    pub name: String,
    pub kind: String,
    pub phone: String,
    pub email: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "referral_contacts.html")]
struct ContactsPage {
    ctx: PageCtx,
    lines: Vec<ContactLine>,
    kinds: Vec<Choice>,
    name: String,
    phone: String,
    email: String,
    name_max: usize,
    phone_max: usize,
    email_max: usize,
    notice: String,
    errors: FormErrors,
}

async fn contacts_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: [String; 4],
    notice: String,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "rf-contacts-title", "/settings/referral-contacts");
    let t = ctx.t;
    let lines = state
        .store
        .referral_contacts(&p.ctx())
        .await?
        .into_iter()
        .map(|c| ContactLine { name: c.name, kind: t.term(c.kind), phone: c.phone, email: c.email, active: c.active })
        .collect();
    let [name, kind, phone, email] = typed;
    let kinds =
        ContactKind::ALL.iter().map(|k| Choice { value: k.as_str().into(), label: t.term(*k), selected: k.as_str() == kind }).collect();
    render(&ContactsPage {
        ctx,
        lines,
        kinds,
        name,
        phone,
        email,
        name_max: CONTACT_NAME.max,
        phone_max: CONTACT_PHONE.max,
        email_max: CONTACT_EMAIL.max,
        notice,
        errors,
    })
}

async fn contacts(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = if q.done.is_some() { Tr::new(locale).get("rf-contact-saved") } else { String::new() };
    contacts_page(&state, &p, locale, Default::default(), notice, FormErrors::none()).await
}

async fn add_contact(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let typed = [f.text("name"), f.text("kind"), f.text("phone"), f.text("email")];
    let result = match check_contact(&typed[0], &typed[1], &typed[2], &typed[3]) {
        Ok(c) => state.store.save_contact(&p.acting(Ctx::as_hr)?, None, &c, true).await.map_err(AppError::from),
        Err(problems) => Err(AppError::Problems(problems)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/settings/referral-contacts?done=1").into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(contacts_page(&state, &p, locale, typed, String::new(), errors).await?, status))
        }
    }
}
