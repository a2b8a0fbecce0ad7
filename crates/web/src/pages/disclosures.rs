//! The consultant's disclosures (R5, R8): written from an approved report they authored (the
//! report's sections can be copied in and edited), revised as new versions, decisions recorded
//! on the employee's behalf, and the list of what they asked with where each stands.

use super::consents::{path_id, recipient_label, until_label};
use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::list_terms::{term_options, vocabulary_filter};
use super::reports::section_label;
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::consent::{ConsentDecision, ConsentMethod, DisclosureState, Purpose};
use domain::disclosure::WRITABLE_PURPOSES;
use domain::ids::{DisclosureId, ReportId};
use domain::policy::Operation;
use domain::report::{ReportStatus, SECTIONS};
use domain::{Invalid, Locale, Role};
use serde::Deserialize;
use store::{ConsentInput, Ctx, Direction, DisclosureQuery, NewDisclosure};

pub fn routes(r: Routes) -> Routes {
    r.get("/reports/{id}/disclosures/new", Operation::WriteDisclosures, new_page)
        .post("/reports/{id}/disclosures", Operation::WriteDisclosures, create)
        .get("/disclosures", Operation::WriteDisclosures, list)
        .get("/disclosures/{id}", Operation::WriteDisclosures, show)
        .post("/disclosures/{id}/text", Operation::WriteDisclosures, revise)
        .post("/disclosures/{id}/on-behalf", Operation::WriteDisclosures, on_behalf)
}

// ------------------------------------------------------------------------------ the editor

/// The editor's form as typed.
#[derive(Clone, Debug, Default)]
pub struct EditorForm {
    pub purpose: String,
    pub text: String,
    pub copy: Vec<String>,
}

pub struct SectionChoice {
    pub id: &'static str,
    pub label: &'static str,
    pub text: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "disclosure_new.html")]
struct NewPage {
    ctx: PageCtx,
    report: i64,
    employee: String,
    purposes: Vec<Choice>,
    boss: String,
    boss_missing: bool,
    hr: String,
    sections: Vec<SectionChoice>,
    form: EditorForm,
    errors: FormErrors,
    existing: Vec<RowView>,
}

async fn editor(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    report: ReportId,
    form: EditorForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let me = p.acting(Ctx::as_consultant)?;
    let d = state.store.read_report(me.ctx(), report, locale).await?;
    // Only the author writes from a report: a colleague's shared case answers as missing.
    if !d.summary.is_mine {
        return Err(AppError::NotFound);
    }
    if d.summary.status != ReportStatus::Approved {
        return Err(AppError::Invalid(Invalid::new(
            "report_id",
            "開示文は、スーパーバイザーが承認した報告書からのみ作成できます。",
            "a disclosure can only be written from a report a supervisor has approved",
        )));
    }
    let ctx = PageCtx::new(p, locale, "dc-new-title", "/disclosures");
    let t = ctx.t;
    let boss = state.store.feedback_recipient(&me, report).await?;
    let purpose = Purpose::parse(&form.purpose).unwrap_or(Purpose::BossFeedback);
    let purposes =
        WRITABLE_PURPOSES.iter().map(|p| Choice { value: p.as_str().to_string(), label: t.term(*p), selected: *p == purpose }).collect();
    let sections = SECTIONS
        .iter()
        .map(|s| SectionChoice {
            id: s,
            label: section_label(locale, s),
            text: d.sections.get(s).unwrap_or("").to_string(),
            checked: form.copy.iter().any(|c| c == s),
        })
        .collect();
    let q = DisclosureQuery { report: Some(report), ..Default::default() };
    let existing = state.store.authored_disclosures(&me, &q).await?.iter().map(|r| row_view(t, r)).collect();
    render(&NewPage {
        report: report.get(),
        employee: d.summary.subject.clone(),
        purposes,
        boss: boss.as_ref().map(|(_, n)| t.with("dc-recipient-boss", "name", n)).unwrap_or_default(),
        boss_missing: boss.is_none(),
        hr: t.term(Role::Hr),
        sections,
        form,
        errors,
        existing,
        ctx,
    })
}

fn report_id(raw: &str) -> AppResult<ReportId> {
    path_id(raw)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    purpose: Option<String>,
}

async fn new_page(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let form = EditorForm { purpose: q.purpose.unwrap_or_default(), ..Default::default() };
    editor(&state, &p, locale, report_id(&raw)?, form, FormErrors::none()).await
}

async fn create(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let report = report_id(&raw)?;
    let mut form = EditorForm { purpose: f.text("purpose"), text: f.text("text").replace("\r\n", "\n"), copy: f.all("copy") };
    if f.text("action") == "copy" {
        // Copy the chosen sections in at the end of the text, then show the form again.
        let me = p.acting(Ctx::as_consultant)?;
        let d = state.store.read_report(me.ctx(), report, locale).await?;
        for s in SECTIONS.iter().filter(|s| form.copy.iter().any(|c| c == *s)) {
            let text = d.sections.get(s).unwrap_or("").trim();
            if !text.is_empty() {
                if !form.text.trim().is_empty() {
                    form.text.push_str("\n\n");
                }
                form.text.push_str(text);
            }
        }
        form.copy.clear();
        return editor(&state, &p, locale, report, form, FormErrors::none()).await;
    }
    let outcome: AppResult<DisclosureId> = async {
        let purpose = Purpose::parse(&form.purpose)
            .filter(|p| WRITABLE_PURPOSES.contains(p))
            .ok_or_else(|| AppError::Invalid(Invalid::new("purpose", "目的を選んでください。", "choose the purpose")))?;
        let new = NewDisclosure { report, purpose, recipient_user: None, text: &form.text };
        Ok(state.store.create_disclosure(&p.acting(Ctx::as_consultant)?, &new).await?)
    }
    .await;
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/disclosures/{id}?done=created")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[
                ("purpose", "dc-purpose"),
                ("recipient_user_id", "dc-purpose"),
                ("report_id", "dc-purpose"),
                ("text", "dc-text"),
                ("form", "dc-text"),
            ]);
            Ok(with_status(editor(&state, &p, locale, report, form, errors).await?, status))
        }
    }
}

// ------------------------------------------------------------------------------ the list

/// One line of the list (and of a report's disclosures on the editor).
pub struct RowView {
    pub id: i64,
    pub employee: String,
    pub employee_number: String,
    pub purpose: String,
    pub recipient: String,
    pub state: String,
    pub state_code: &'static str,
    pub version: i64,
    pub updated: String,
}

fn row_view(t: Tr, r: &store::DisclosureRow) -> RowView {
    RowView {
        id: r.id.get(),
        employee: r.employee_name.clone(),
        employee_number: r.employee_number.clone(),
        purpose: t.term(r.purpose),
        recipient: recipient_label(t, r),
        state: t.term(r.state),
        state_code: r.state.as_str(),
        version: r.version,
        updated: t.date_time(r.updated_at),
    }
}

/// The one order of the list: the latest change first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DisclosureSort {
    #[default]
    Updated,
}

static SPEC: ListSpec<DisclosureSort> = ListSpec {
    path: "/disclosures",
    default_sort: SortOption::new("updated", DisclosureSort::Updated, Direction::Desc),
    sorts: &[],
    filters: &["state"],
    search: true,
    per_page: 50,
};

#[derive(Template)]
#[template(path = "disclosures.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    rows: Vec<RowView>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "dc-list-title", "/disclosures");
    let t = ctx.t;
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let wanted = vocabulary_filter(&mut params, "state", DisclosureState::parse);
    let q = DisclosureQuery { state: wanted, report: None, search: params.search().map(str::to_string) };
    // Counted, filtered and paged in SQL; each row of the page decided again from its ledger.
    let page = state.store.authored_disclosure_page(&p.acting(Ctx::as_consultant)?, &q, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let total = page.total;
    let rows: Vec<RowView> = page.items.iter().map(|r| row_view(t, r)).collect();
    let states = term_options(t, &DisclosureState::ALL, DisclosureState::as_str);
    let list = ListView::new(t, &params, total, rows.len())
        .search(&params.q, "dc-list-search", "dc-list-search-help")
        .filter("state", "cs-state", params.filter("state"), states)
        .column("dc-col-employee", None, "")
        .column("cs-purpose", None, "")
        .column("cs-recipient", None, "")
        .column("cs-state", None, "nowrap")
        .column("dc-col-version", None, "num")
        .column("dc-col-updated", None, "date")
        .empty("dc-list-empty", "dc-list-empty-filtered");
    render(&ListPage { ctx, list, rows })
}

// ------------------------------------------------------------------------------ one disclosure

pub struct EntryView {
    pub when: String,
    pub version: i64,
    pub decision: String,
    pub method: String,
    pub recorded_by: String,
    pub until: String,
    pub comment: String,
    pub evidence: String,
}

/// The on-behalf form as typed.
#[derive(Clone, Debug, Default)]
pub struct BehalfForm {
    pub decision: String,
    pub method: String,
    pub evidence: String,
    pub expires_on: String,
}

#[derive(Template)]
#[template(path = "disclosure_show.html")]
struct ShowPage {
    ctx: PageCtx,
    notice: String,
    row: RowView,
    report: i64,
    text: String,
    versions: Vec<(i64, String)>,
    entries: Vec<EntryView>,
    /// The text in the revision form (the current one, or what was typed).
    draft: String,
    revise_errors: FormErrors,
    behalf: BehalfForm,
    behalf_decisions: Vec<Choice>,
    behalf_methods: Vec<Choice>,
    behalf_errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn show_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: DisclosureId,
    notice: String,
    revise: Option<(String, FormErrors)>,
    behalf: Option<(BehalfForm, FormErrors)>,
) -> AppResult<Response> {
    let d = state.store.authored_disclosure(&p.acting(Ctx::as_consultant)?, id).await?;
    let ctx = PageCtx::new(p, locale, "dc-show-title", "/disclosures");
    let t = ctx.t;
    let entries = d
        .entries
        .iter()
        .rev()
        .map(|e| EntryView {
            when: t.date_time(e.at),
            version: e.version,
            decision: t.term(e.decision),
            method: t.term(e.method),
            recorded_by: e.recorded_by_name.clone(),
            until: until_label(t, e.expires_at),
            comment: e.comment.clone(),
            evidence: e.evidence.clone(),
        })
        .collect();
    let (draft, revise_errors) = revise.unwrap_or_else(|| (d.text.clone(), FormErrors::none()));
    let (behalf, behalf_errors) = behalf.unwrap_or_else(|| (BehalfForm::default(), FormErrors::none()));
    let behalf_decisions = [ConsentDecision::Grant, ConsentDecision::Refuse, ConsentDecision::Withdraw]
        .iter()
        .map(|x| Choice { value: x.as_str().into(), label: t.term(*x), selected: behalf.decision == x.as_str() })
        .collect();
    let behalf_methods = [ConsentMethod::Written, ConsentMethod::Verbal]
        .iter()
        .map(|m| Choice { value: m.as_str().into(), label: t.term(*m), selected: behalf.method == m.as_str() })
        .collect();
    render(&ShowPage {
        notice,
        row: row_view(t, &d.row),
        report: d.row.report.map(|r| r.get()).unwrap_or_default(),
        text: d.text,
        versions: d.versions.iter().map(|(v, at)| (*v, t.date_time(at))).collect(),
        entries,
        draft,
        revise_errors,
        behalf,
        behalf_decisions,
        behalf_methods,
        behalf_errors,
        ctx,
    })
}

fn disclosure_id(raw: &str) -> AppResult<DisclosureId> {
    path_id(raw)
}

async fn show(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let notice = match q.done.as_deref() {
        Some("created") => t.get("dc-done-created"),
        Some("revised") => t.get("dc-done-revised"),
        Some("recorded") => t.get("dc-done-recorded"),
        _ => String::new(),
    };
    show_page(&state, &p, locale, disclosure_id(&raw)?, notice, None, None).await
}

async fn revise(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = disclosure_id(&raw)?;
    let text = f.text("text").replace("\r\n", "\n");
    let outcome: AppResult<i64> = async {
        let version = f.int("version")?.unwrap_or(0);
        Ok(state.store.revise_disclosure(&p.acting(Ctx::as_consultant)?, id, &text, version).await?)
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/disclosures/{id}?done=revised")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[("text", "dc-revise-text"), ("form", "dc-revise-text")]);
            Ok(with_status(show_page(&state, &p, locale, id, String::new(), Some((text, errors)), None).await?, status))
        }
    }
}

async fn on_behalf(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = disclosure_id(&raw)?;
    let form = BehalfForm {
        decision: f.text("decision"),
        method: f.text("method"),
        evidence: f.text("evidence").replace("\r\n", "\n"),
        expires_on: f.text("expires_on"),
    };
    let outcome: AppResult<()> = async {
        let (decision, method, evidence, expires_at_ms) =
            domain::disclosure::check_on_behalf(&form.decision, &form.method, &form.evidence, &form.expires_on, today_jst())
                .map_err(AppError::Problems)?;
        let version = f.int("version")?.unwrap_or(0);
        let input = ConsentInput { decision, version, comment: String::new(), expires_at_ms };
        state.store.record_consent_on_behalf(&p.acting(Ctx::as_consultant)?, id, &input, method, &evidence).await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/disclosures/{id}?done=recorded")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(&[
                ("decision", "dc-behalf-decision"),
                ("version", "dc-behalf-decision"),
                ("form", "dc-behalf-decision"),
                ("method", "dc-behalf-method"),
                ("evidence", "dc-evidence"),
                ("expires_on", "dc-behalf-expires"),
            ]);
            Ok(with_status(show_page(&state, &p, locale, id, String::new(), None, Some((form, errors))).await?, status))
        }
    }
}
