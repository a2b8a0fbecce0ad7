//! HR's questionnaire pages (R13): the tenant's questionnaires, a form to define one and to edit
//! one (checked whole by `domain::questionnaire::Questionnaire::parse`, every problem beside its
//! field; once answers exist the structure is locked, see `domain::questionnaire::edit`), and the
//! upload of an answer file (the same CSV as `careerdock import responses`: parsed by
//! `domain::questionnaire::import`, checked by the store and previewed, kept sealed for its
//! uploader as the employee register's upload is, then written all or nothing on confirmation).

use super::form::{FieldError, FormErrors, FormPairs};
use super::import::ProblemRow;
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path, Query};
use crate::i18n::Tr;
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ids::{CycleId, QuestionnaireId};
use domain::import::RowError;
use domain::policy::Operation;
use domain::questionnaire::edit::locked_changes;
use domain::questionnaire::import::parse_response_csv;
use domain::questionnaire::{
    DefinitionProblem, Item, Place, Questionnaire, QuestionnaireDraft, Scale, Subscale, Text, Timing, MAX_ITEMS, MAX_SUBSCALES,
    SCALE_BOUNDS,
};
use domain::Locale;
use serde::Deserialize;
use store::{CycleStatus, NewPendingImport, PendingImportId, QuestionnaireEntry, StoreError, PENDING_IMPORT_TTL_MS};

pub const PATH: &str = "/questionnaires";
const UPLOAD: &str = "/questionnaires/responses/import";

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Operation::ManageQuestionnaires, list)
        .get("/questionnaires/new", Operation::ManageQuestionnaires, new_form)
        .post("/questionnaires/new", Operation::ManageQuestionnaires, create)
        .get("/questionnaires/{id}", Operation::ManageQuestionnaires, edit_form)
        .post("/questionnaires/{id}", Operation::ManageQuestionnaires, save)
        .get(UPLOAD, Operation::ImportResponses, upload_form)
        .post(UPLOAD, Operation::ImportResponses, upload)
        .post("/questionnaires/responses/import/{id}/confirm", Operation::ImportResponses, confirm)
        .post("/questionnaires/responses/import/{id}/cancel", Operation::ImportResponses, cancel)
}

/// HR's home card.
pub fn home_card(t: Tr) -> super::home::Card {
    super::home::Card {
        key: "questionnaires",
        title: t.get("qa-home-title"),
        figure: String::new(),
        body: t.get("qa-home-body"),
        items: Vec::new(),
        href: PATH.to_string(),
        link: t.get("qa-home-link"),
    }
}

// ---------------------------------------------------------------- the list

struct EntryView {
    id: i64,
    code: String,
    title: String,
    items: usize,
    scale: String,
    answers: String,
    locked: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "questionnaire_admin_list.html")]
struct ListPage {
    ctx: PageCtx,
    notice: String,
    entries: Vec<EntryView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
    from: Option<String>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "qa-list-title", PATH);
    let t = ctx.t;
    let entries = state.store.questionnaire_entries(&p.ctx()).await?;
    let notice = match q.done.as_deref() {
        Some("created") => t.get("qa-done-created"),
        Some("saved") => t.get("qa-done-saved"),
        _ => String::new(),
    };
    let entries = entries
        .iter()
        .map(|e| EntryView {
            id: e.id.get(),
            code: e.questionnaire.code().to_string(),
            title: e.questionnaire.title().in_locale(locale).to_string(),
            items: e.questionnaire.items().len(),
            scale: match locale {
                Locale::Ja => format!("{}〜{}", e.questionnaire.scale().min, e.questionnaire.scale().max),
                Locale::En => format!("{}–{}", e.questionnaire.scale().min, e.questionnaire.scale().max),
            },
            answers: t.with("qa-answer-sets", "count", e.answer_sets),
            locked: e.locked(),
            updated: t.date_time(e.updated_at),
        })
        .collect();
    render(&ListPage { ctx, notice, entries })
}

// ---------------------------------------------------------------- the definition form

/// What was typed, kept when the form is sent back. Rows are as the form lists them; a row
/// whose every field is blank is dropped (that is how an item is removed).
#[derive(Clone, Debug, Default)]
struct DefForm {
    code: String,
    title_ja: String,
    title_en: String,
    instructions_ja: String,
    instructions_en: String,
    scale_min: String,
    scale_max: String,
    labels: Vec<(String, String)>,
    subscales: Vec<[String; 3]>,
    items: Vec<ItemForm>,
}

#[derive(Clone, Debug, Default)]
struct ItemForm {
    code: String,
    text_ja: String,
    text_en: String,
    reverse: bool,
    subscale: String,
}

/// Most label rows (a scale of 0..10) and rows of each list read from a form.
const MAX_LABELS: usize = 11;
const MAX_ROWS: usize = MAX_ITEMS + 20;

impl DefForm {
    fn from_draft(d: &QuestionnaireDraft) -> Self {
        DefForm {
            code: d.code.clone(),
            title_ja: d.title.ja.clone(),
            title_en: d.title.en.clone(),
            instructions_ja: d.instructions.ja.clone(),
            instructions_en: d.instructions.en.clone(),
            scale_min: d.scale.min.to_string(),
            scale_max: d.scale.max.to_string(),
            labels: d.scale.labels.iter().map(|l| (l.ja.clone(), l.en.clone())).collect(),
            subscales: d.subscales.iter().map(|s| [s.code.clone(), s.name.ja.clone(), s.name.en.clone()]).collect(),
            items: d
                .items
                .iter()
                .map(|i| ItemForm {
                    code: i.code.clone(),
                    text_ja: i.text.ja.clone(),
                    text_en: i.text.en.clone(),
                    reverse: i.reverse,
                    subscale: i.subscale.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// A new questionnaire's form: a five-point scale with its usual labels.
    fn blank() -> Self {
        let labels = [
            ("あてはまらない", "Not at all"),
            ("あまりあてはまらない", "Not really"),
            ("どちらともいえない", "Neither"),
            ("ややあてはまる", "Somewhat"),
            ("あてはまる", "Very much"),
        ];
        DefForm {
            scale_min: "1".into(),
            scale_max: "5".into(),
            labels: labels.iter().map(|(j, e)| (j.to_string(), e.to_string())).collect(),
            ..DefForm::default()
        }
    }

    fn from_pairs(f: &FormPairs) -> Self {
        let labels = (0..MAX_LABELS)
            .filter(|i| f.has(&format!("scale.labels[{i}].ja")) || f.has(&format!("scale.labels[{i}].en")))
            .map(|i| (f.text(&format!("scale.labels[{i}].ja")), f.text(&format!("scale.labels[{i}].en"))))
            .collect();
        let subscales = (0..MAX_ROWS)
            .map(|i| ["code", "name_ja", "name_en"].map(|k| f.text(&format!("subscales[{i}].{k}"))))
            .filter(|row| row.iter().any(|v| !v.trim().is_empty()))
            .collect();
        let items = (0..MAX_ROWS)
            .map(|i| {
                let at = |k: &str| f.text(&format!("items[{i}].{k}"));
                ItemForm {
                    code: at("code"),
                    text_ja: at("text_ja"),
                    text_en: at("text_en"),
                    reverse: f.has(&format!("items[{i}].reverse")),
                    subscale: at("subscale"),
                }
            })
            .filter(|i| [&i.code, &i.text_ja, &i.text_en, &i.subscale].iter().any(|v| !v.trim().is_empty()))
            .collect();
        DefForm {
            code: f.text("code"),
            title_ja: f.text("title_ja"),
            title_en: f.text("title_en"),
            instructions_ja: f.text("instructions_ja"),
            instructions_en: f.text("instructions_en"),
            scale_min: f.text("scale_min"),
            scale_max: f.text("scale_max"),
            labels,
            subscales,
            items,
        }
    }

    /// The scale's bounds when both are whole numbers in range, min below max.
    fn bounds(&self) -> Option<(i64, i64)> {
        let (lo, hi) = SCALE_BOUNDS;
        let min = self.scale_min.trim().parse::<i64>().ok()?;
        let max = self.scale_max.trim().parse::<i64>().ok()?;
        ((lo..=hi).contains(&min) && (lo..=hi).contains(&max) && min < max).then_some((min, max))
    }

    /// The draft the form says, with what is wrong before the definition's own checks (a bound
    /// that is not a number).
    fn draft(&self) -> (QuestionnaireDraft, Vec<DefinitionProblem>) {
        let mut early = Vec::new();
        let mut bound = |raw: &str, field: &'static str, fallback: i64| match raw.trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                early.push(DefinitionProblem {
                    place: Place::Questionnaire { field },
                    message: domain::Message::new("半角数字の整数で入力してください。", "enter a whole number"),
                });
                fallback
            }
        };
        let min = bound(&self.scale_min, "scale_min", 1);
        let max = bound(&self.scale_max, "scale_max", 5);
        let mut labels: Vec<Text> = self.labels.iter().map(|(j, e)| Text::new(j.clone(), e.clone())).collect();
        if let Some((lo, hi)) = self.bounds() {
            labels.resize(usize::try_from(hi - lo + 1).unwrap_or(0), Text::default());
        }
        let draft = QuestionnaireDraft {
            code: self.code.clone(),
            title: Text::new(self.title_ja.clone(), self.title_en.clone()),
            instructions: Text::new(self.instructions_ja.clone(), self.instructions_en.clone()),
            scale: Scale { min, max, labels },
            subscales: self
                .subscales
                .iter()
                .map(|[code, ja, en]| Subscale { code: code.clone(), name: Text::new(ja.clone(), en.clone()) })
                .collect(),
            items: self
                .items
                .iter()
                .map(|i| Item {
                    code: i.code.clone(),
                    text: Text::new(i.text_ja.clone(), i.text_en.clone()),
                    reverse: i.reverse,
                    subscale: Some(i.subscale.clone()).filter(|s| !s.trim().is_empty()),
                })
                .collect(),
        };
        (draft, early)
    }
}

/// A field's name and element id.
fn field(name: String) -> FieldView {
    let id = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    FieldView { name, id }
}

struct FieldView {
    name: String,
    id: String,
}

struct LabelRow {
    point: i64,
    ja: FieldView,
    en: FieldView,
    ja_value: String,
    en_value: String,
}

struct SubscaleRow {
    number: usize,
    code: FieldView,
    name_ja: FieldView,
    name_en: FieldView,
    items_field: String,
    values: [String; 3],
}

struct ItemRow {
    number: usize,
    code: FieldView,
    text_ja: FieldView,
    text_en: FieldView,
    reverse: FieldView,
    subscale: FieldView,
    value: ItemForm,
}

#[derive(Template)]
#[template(path = "questionnaire_admin_form.html")]
struct FormPage {
    ctx: PageCtx,
    notice: String,
    action: String,
    editing: bool,
    locked: String,
    copy_href: String,
    form: DefForm,
    labels: Vec<LabelRow>,
    subscales: Vec<SubscaleRow>,
    items: Vec<ItemRow>,
    errors: FormErrors,
}

/// The problems as the form's errors, each beside its field; list-wide ones beside the list.
fn form_errors(t: Tr, problems: &[DefinitionProblem]) -> FormErrors {
    let mut items: Vec<FieldError> = Vec::new();
    for p in problems {
        let name = p.place.path();
        let anchor = field(name.clone()).id;
        let item = FieldError { field: name, anchor, message: p.describe(t.locale) };
        if !items.contains(&item) {
            items.push(item);
        }
    }
    let heading = if items.is_empty() { String::new() } else { t.with("form-errors-heading", "count", items.len()) };
    FormErrors { items, heading }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    p: &Principal,
    locale: Locale,
    entry: Option<&QuestionnaireEntry>,
    form: DefForm,
    extra_rows: usize,
    notice: String,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let (title, action) = match entry {
        Some(e) => ("qa-edit-title", format!("{PATH}/{}", e.id.get())),
        None => ("qa-new-title", "/questionnaires/new".to_string()),
    };
    let mut ctx = PageCtx::new(p, locale, title, PATH);
    let t = ctx.t;
    if let Some(e) = entry {
        ctx.title_data = e.questionnaire.title().ja.clone();
    }
    let points: Vec<i64> = match form.bounds() {
        Some((lo, hi)) => (lo..=hi).collect(),
        None => (0..form.labels.len().max(1) as i64).collect(),
    };
    let labels = points
        .iter()
        .enumerate()
        .map(|(i, point)| {
            let (ja, en) = form.labels.get(i).cloned().unwrap_or_default();
            LabelRow {
                point: *point,
                ja: field(format!("scale.labels[{i}].ja")),
                en: field(format!("scale.labels[{i}].en")),
                ja_value: ja,
                en_value: en,
            }
        })
        .collect();
    let sub_rows = (form.subscales.len() + 1 + extra_rows / 3).min(MAX_SUBSCALES + 2);
    let subscales = (0..sub_rows)
        .map(|i| SubscaleRow {
            number: i + 1,
            code: field(format!("subscales[{i}].code")),
            name_ja: field(format!("subscales[{i}].name_ja")),
            name_en: field(format!("subscales[{i}].name_en")),
            items_field: format!("subscales[{i}].items"),
            values: form.subscales.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let item_rows = (form.items.len() + extra_rows).clamp(1, MAX_ROWS);
    let items = (0..item_rows)
        .map(|i| ItemRow {
            number: i + 1,
            code: field(format!("items[{i}].code")),
            text_ja: field(format!("items[{i}].text_ja")),
            text_en: field(format!("items[{i}].text_en")),
            reverse: field(format!("items[{i}].reverse")),
            subscale: field(format!("items[{i}].subscale")),
            value: form.items.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let locked = match entry {
        Some(e) if e.locked() => t.with("qa-locked", "count", e.answer_sets),
        _ => String::new(),
    };
    let page = FormPage {
        notice,
        action,
        editing: entry.is_some(),
        locked,
        copy_href: entry.map(|e| format!("/questionnaires/new?from={}", e.id.get())).unwrap_or_default(),
        form,
        labels,
        subscales,
        items,
        errors,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    // "from": a copy of another questionnaire (to change a locked structure), without its code.
    let form = match q.from.as_deref().map(path_id::<QuestionnaireId>) {
        Some(Ok(id)) => {
            let e = state.store.questionnaire_entry(&p.ctx(), id).await?;
            DefForm { code: String::new(), ..DefForm::from_draft(e.questionnaire.as_draft()) }
        }
        Some(Err(e)) => return Err(e),
        None => DefForm::blank(),
    };
    let extra = if form.items.is_empty() { 5 } else { 3 };
    form_page(&p, locale, None, form, extra, String::new(), FormErrors::none(), StatusCode::OK)
}

async fn edit_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw): Path<String>) -> AppResult<Response> {
    let id: QuestionnaireId = path_id(&raw)?;
    let e = state.store.questionnaire_entry(&p.ctx(), id).await?;
    let form = DefForm::from_draft(e.questionnaire.as_draft());
    form_page(&p, locale, Some(&e), form, 3, String::new(), FormErrors::none(), StatusCode::OK)
}

/// "More rows" draws the form again with five more item rows, nothing saved.
fn wants_more_rows(f: &FormPairs) -> bool {
    f.first("intent") == Some("more")
}

/// The form's questionnaire, checked whole; problems before the checks come first.
fn checked(form: &DefForm) -> Result<Questionnaire, Vec<DefinitionProblem>> {
    let (draft, mut early) = form.draft();
    let early_fields: Vec<String> = early.iter().map(|p| p.place.path()).collect();
    match Questionnaire::parse(draft) {
        Ok(q) if early.is_empty() => Ok(q),
        Ok(_) => Err(early),
        Err(problems) => {
            early.extend(problems.into_iter().filter(|p| !early_fields.contains(&p.place.path())));
            Err(early)
        }
    }
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let form = DefForm::from_pairs(&f);
    let t = Tr::new(locale);
    if wants_more_rows(&f) {
        return form_page(&p, locale, None, form, 5, String::new(), FormErrors::none(), StatusCode::OK);
    }
    let problems = match checked(&form) {
        Ok(q) => match state.store.define_questionnaire(&p.ctx(), &q).await? {
            Ok(_) => return Ok(Redirect::to("/questionnaires?done=created").into_response()),
            Err(problems) => problems,
        },
        Err(problems) => problems,
    };
    form_page(&p, locale, None, form, 1, String::new(), form_errors(t, &problems), StatusCode::UNPROCESSABLE_ENTITY)
}

async fn save(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id: QuestionnaireId = path_id(&raw)?;
    let e = state.store.questionnaire_entry(&p.ctx(), id).await?;
    let t = Tr::new(locale);
    let mut form = DefForm::from_pairs(&f);
    // The code is not a field of the edit form: it never changes.
    form.code = e.questionnaire.code().to_string();
    if wants_more_rows(&f) {
        return form_page(&p, locale, Some(&e), form, 5, String::new(), FormErrors::none(), StatusCode::OK);
    }
    let problems = match checked(&form) {
        Ok(q) => match state.store.edit_questionnaire(&p.ctx(), id, &q).await? {
            Ok(()) => return Ok(Redirect::to("/questionnaires?done=saved").into_response()),
            Err(problems) => problems,
        },
        // With answers recorded, what the lock refuses is said beside the other problems.
        Err(mut problems) if e.locked() => {
            for l in locked_changes(e.questionnaire.as_draft(), &form.draft().0) {
                if !problems.contains(&l) {
                    problems.push(l);
                }
            }
            problems
        }
        Err(problems) => problems,
    };
    form_page(&p, locale, Some(&e), form, 1, String::new(), form_errors(t, &problems), StatusCode::UNPROCESSABLE_ENTITY)
}

// ---------------------------------------------------------------- the answer file upload

#[derive(Template)]
#[template(path = "questionnaire_upload.html")]
struct UploadPage {
    ctx: PageCtx,
    notice: String,
    error: String,
    problems: Vec<ProblemRow>,
    problems_more: String,
    questionnaires: Vec<Choice>,
    cycles: Vec<Choice>,
    columns: String,
}

/// Most row errors drawn on one page; the rest is counted.
const PROBLEM_CAP: usize = 1000;

/// What the upload form sent.
#[derive(Default)]
struct UploadForm {
    questionnaire: String,
    cycle: String,
    filename: String,
    file: Option<Vec<u8>>,
    unreadable: bool,
}

enum Outcome {
    None,
    Done(String),
    Error(String),
    Rows(Vec<RowError>),
}

async fn upload_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    form: &UploadForm,
    outcome: Outcome,
    status: StatusCode,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "qa-upload-title", UPLOAD);
    let t = ctx.t;
    let list = state.store.questionnaires(&p.ctx()).await?;
    let chosen_q = if form.questionnaire.is_empty() { domain::questionnaire::career_awareness::CODE } else { form.questionnaire.as_str() };
    let columns = list
        .iter()
        .find(|r| r.questionnaire.code() == chosen_q)
        .map(|r| r.questionnaire.items().iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    let questionnaires = list
        .iter()
        .map(|r| Choice {
            value: r.questionnaire.code().to_string(),
            label: format!("{}（{}）", r.questionnaire.title().in_locale(locale), r.questionnaire.code()),
            selected: r.questionnaire.code() == chosen_q,
        })
        .collect();
    let cycles = state.store.cycles(p.tenant.id).await?;
    let today = today_jst();
    let current = cycles
        .iter()
        .filter(|c| c.status != CycleStatus::Closed)
        .find(|c| c.starts_on <= today && today <= c.ends_on)
        .or(cycles.first())
        .map(|c| c.id.get().to_string())
        .unwrap_or_default();
    let chosen_c = if form.cycle.is_empty() { current } else { form.cycle.clone() };
    let cycles = cycles
        .iter()
        .map(|c| Choice { value: c.id.get().to_string(), label: c.name.clone(), selected: c.id.get().to_string() == chosen_c })
        .collect();
    let (notice, error, problems, problems_more) = match outcome {
        Outcome::None => (String::new(), String::new(), Vec::new(), String::new()),
        Outcome::Done(n) => (n, String::new(), Vec::new(), String::new()),
        Outcome::Error(e) => (String::new(), e, Vec::new(), String::new()),
        Outcome::Rows(rows) => {
            let more = rows.len().saturating_sub(PROBLEM_CAP);
            let shown = rows
                .iter()
                .take(PROBLEM_CAP)
                .map(|e| ProblemRow {
                    line: if e.line == 0 { t.get("import-whole-file") } else { e.line.to_string() },
                    column: e.column.clone().unwrap_or_default(),
                    message: t.msg(&e.message).to_string(),
                })
                .collect();
            (
                String::new(),
                t.with("import-rows-rejected", "count", rows.len()),
                shown,
                if more > 0 { t.with("import-more", "count", more) } else { String::new() },
            )
        }
    };
    let page = UploadPage { notice, error, problems, problems_more, questionnaires, cycles, columns, ctx };
    Ok(with_status(render(&page)?, status))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadQuery {
    done: Option<usize>,
    cancelled: Option<String>,
}

async fn upload_form(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Query(q): Query<UploadQuery>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let outcome = match (q.done, q.cancelled.as_deref()) {
        (Some(n), _) => Outcome::Done(t.with("qa-upload-done", "count", n)),
        (None, Some("1")) => Outcome::Done(t.get("qa-upload-cancelled")),
        _ => Outcome::None,
    };
    upload_page(&state, &p, locale, &UploadForm::default(), outcome, StatusCode::OK).await
}

/// The file's name without any folder a browser may send, control characters or excess length.
fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_string()
}

/// The multipart form's fields; a body over the limit is said as such.
async fn read_form(multipart: Result<Multipart, MultipartRejection>) -> Result<UploadForm, StatusCode> {
    let mut form = UploadForm::default();
    let Ok(mut multipart) = multipart else {
        form.unreadable = true;
        return Ok(form);
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(form),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(StatusCode::PAYLOAD_TOO_LARGE),
            Err(_) => {
                form.unreadable = true;
                return Ok(form);
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let filename = clean_filename(field.file_name().unwrap_or(""));
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(StatusCode::PAYLOAD_TOO_LARGE),
            Err(_) => {
                form.unreadable = true;
                return Ok(form);
            }
        };
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "questionnaire" => form.questionnaire = text(),
            "cycle" => form.cycle = text(),
            "file" if !bytes.is_empty() => {
                form.filename = filename;
                form.file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
}

/// The questionnaire and the cycle a form names, or what to say.
async fn target(
    state: &AppState,
    p: &Principal,
    t: Tr,
    questionnaire: &str,
    cycle: &str,
) -> AppResult<Result<(Questionnaire, store::CycleRow), String>> {
    let q = match state.store.questionnaire(&p.ctx(), questionnaire).await {
        Ok(q) => q.questionnaire,
        Err(StoreError::NotFound) => return Ok(Err(t.get("qa-upload-no-questionnaire"))),
        Err(e) => return Err(e.into()),
    };
    let id = cycle.trim().parse::<i64>().ok().filter(|n| *n > 0).map(CycleId::new);
    let found = match id {
        Some(id) => state.store.cycles(p.tenant.id).await?.into_iter().find(|r| r.id == id),
        None => None,
    };
    Ok(found.map(|c| (q, c)).ok_or_else(|| t.get("qa-upload-no-cycle")))
}

pub struct Count {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "questionnaire_upload_preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    id: i64,
    filename: String,
    encoding: String,
    questionnaire_code: String,
    questionnaire: String,
    cycle_id: i64,
    cycle: String,
    counts: Vec<Count>,
    expires: String,
}

/// Upload → every check of the file and of the database, nothing written → the preview, the
/// decoded file kept sealed for its uploader (as the employee register's upload) until confirmed.
async fn upload(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(status) => return Ok(status.into_response()),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if form.unreadable {
        return upload_page(&state, &p, locale, &form, Outcome::Error(t.get("import-unreadable")), unprocessable).await;
    }
    let (q, cycle) = match target(&state, &p, t, &form.questionnaire, &form.cycle).await? {
        Ok(x) => x,
        Err(message) => return upload_page(&state, &p, locale, &form, Outcome::Error(message), unprocessable).await,
    };
    let Some(bytes) = form.file.as_deref() else {
        return upload_page(&state, &p, locale, &form, Outcome::Error(t.get("import-no-file")), unprocessable).await;
    };
    let parsed = match parse_response_csv(bytes, &q, today_jst()) {
        Ok(parsed) => parsed,
        Err(rows) => return upload_page(&state, &p, locale, &form, Outcome::Rows(rows), unprocessable).await,
    };
    let ctx = p.ctx();
    let n = match state.store.check_responses(&ctx, q.code(), cycle.id, &parsed.rows).await {
        Ok(n) => n,
        Err(StoreError::Rows(rows)) => return upload_page(&state, &p, locale, &form, Outcome::Rows(rows), unprocessable).await,
        Err(e) => return Err(e.into()),
    };
    // The text kept is decoded by the decoder the parser used: read again, it yields the same rows.
    let text = domain::csv_text::decode(bytes)
        .map_err(|_| crate::error::AppError::Internal("a parsed upload could not be decoded again".into()))?
        .text
        .into_owned();
    let pending = NewPendingImport { filename: &form.filename, encoding: parsed.encoding.code(), rows: n as i64, text: &text };
    let id = state.store.create_pending_import(&p.acting(store::Ctx::as_registrar)?, &pending).await?;
    let page_ctx = PageCtx::new(&p, locale, "qa-preview-title", UPLOAD);
    let count = |key: &str, n: usize| Count { label: t.get(key), value: t.with("import-count-value", "count", n) };
    let mut counts = vec![count("qa-preview-sets", n)];
    for timing in Timing::ALL {
        let k = parsed.rows.iter().filter(|r| r.timing == timing).count();
        if k > 0 {
            counts.push(Count { label: timing.label(locale).to_string(), value: t.with("import-count-value", "count", k) });
        }
    }
    let people: std::collections::HashSet<&str> = parsed.rows.iter().map(|r| r.employee_number.as_str()).collect();
    counts.push(count("qa-preview-people", people.len()));
    let page = PreviewPage {
        id: id.get(),
        filename: form.filename.clone(),
        encoding: parsed.encoding.label().to_string(),
        questionnaire_code: q.code().to_string(),
        questionnaire: q.title().in_locale(locale).to_string(),
        cycle_id: cycle.id.get(),
        cycle: cycle.name.clone(),
        counts,
        expires: t.with("import-expires", "time", t.date_time(store::now_ms() + PENDING_IMPORT_TTL_MS)),
        ctx: page_ctx,
    };
    render(&page)
}

/// The kept file read again and written, all or nothing (the register may have changed since).
async fn confirm(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let id: PendingImportId = path_id(&raw)?;
    let registrar = p.acting(store::Ctx::as_registrar)?;
    let form = UploadForm { questionnaire: f.text("questionnaire"), cycle: f.text("cycle"), ..UploadForm::default() };
    let pending = match state.store.pending_import(&registrar, id).await {
        Ok(pending) => pending,
        Err(StoreError::NotFound) => {
            return upload_page(&state, &p, locale, &UploadForm::default(), Outcome::Error(t.get("import-expired")), StatusCode::NOT_FOUND)
                .await
        }
        Err(e) => return Err(e.into()),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (q, cycle) = match target(&state, &p, t, &form.questionnaire, &form.cycle).await? {
        Ok(x) => x,
        Err(message) => return upload_page(&state, &p, locale, &form, Outcome::Error(message), unprocessable).await,
    };
    let parsed = match parse_response_csv(pending.text.as_bytes(), &q, today_jst()) {
        Ok(parsed) => parsed,
        Err(rows) => return upload_page(&state, &p, locale, &form, Outcome::Rows(rows), unprocessable).await,
    };
    let n = match state.store.import_responses(&p.ctx(), q.code(), cycle.id, &parsed.rows).await {
        Ok(n) => n,
        Err(StoreError::Rows(rows)) => return upload_page(&state, &p, locale, &form, Outcome::Rows(rows), unprocessable).await,
        Err(e) => return Err(e.into()),
    };
    // The answers are committed; a failure to discard the upload only leaves it to expire.
    match state.store.delete_pending_import(&registrar, id).await {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => tracing::warn!(error = %e, pending_import = %id, "could not discard a confirmed answer upload"),
    }
    Ok(Redirect::to(&format!("{UPLOAD}?done={n}")).into_response())
}

async fn cancel(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<Response> {
    let id: PendingImportId = path_id(&raw)?;
    match state.store.delete_pending_import(&p.acting(store::Ctx::as_registrar)?, id).await {
        // Already gone (expired, or cancelled twice): the outcome the user asked for.
        Ok(()) | Err(StoreError::NotFound) => Ok(Redirect::to(&format!("{UPLOAD}?cancelled=1")).into_response()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_dropped_and_rows_keep_their_order() {
        let pairs = vec![
            ("code".to_string(), "x".to_string()),
            ("items[0].code".into(), "a".into()),
            ("items[1].code".into(), "".into()),
            ("items[2].code".into(), "c".into()),
            ("items[2].reverse".into(), "1".into()),
            ("subscales[0].code".into(), "".into()),
            ("scale_min".into(), "x".into()),
        ];
        let form = DefForm::from_pairs(&FormPairs(pairs));
        assert_eq!(form.items.iter().map(|i| (i.code.as_str(), i.reverse)).collect::<Vec<_>>(), [("a", false), ("c", true)]);
        assert!(form.subscales.is_empty());
        let problems = checked(&form).err().unwrap_or_default();
        assert_eq!(problems.iter().filter(|p| p.place.path() == "scale_min").count(), 1, "a bound that is not a number is said once");
    }

    #[test]
    fn the_default_questionnaire_round_trips_through_the_form() {
        let q = domain::questionnaire::career_awareness::questionnaire().unwrap_or_else(|_| panic!("valid"));
        let form = DefForm::from_draft(q.as_draft());
        assert_eq!(checked(&form).ok(), Some(q));
    }
}
