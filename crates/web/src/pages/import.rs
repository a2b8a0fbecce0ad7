//! Importing the employee register from the HR system's CSV, in two steps: the upload is
//! checked and previewed (nothing changes), then applied all-or-nothing on confirmation.
//! Between the two the decoded file is kept sealed, for its uploader only, for an hour.

use super::{format_ms, render, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::import::{parse_employee_csv, ParsedImport, RowError, SourceEncoding};
use domain::policy::{Action, Target};
use domain::register::ImportPlan;
use domain::Locale;
use store::{NewPendingImport, PendingImportId, StoreError, PENDING_IMPORT_TTL_MS};

pub fn routes(r: Routes) -> Routes {
    r.get("/employees/import", Action::ImportEmployees, form)
        .post("/employees/import", Action::ImportEmployees, upload)
        .post("/employees/import/{id}/confirm", Action::ImportEmployees, confirm)
        .post("/employees/import/{id}/cancel", Action::ImportEmployees, cancel)
}

/// Longest list drawn on the preview; the rest is counted.
const PREVIEW_CAP: usize = 200;
/// Most row errors drawn on one page; the rest is counted.
const PROBLEM_CAP: usize = 1000;

/// The accepted columns: header as written by our export, the English header, whether
/// required, and the key of its explanation.
const COLUMNS: [(&str, &str, bool, &str); 10] = [
    ("社員番号", "employee_number", true, "import-col-number"),
    ("氏名", "name", true, "import-col-name"),
    ("氏名カナ", "name_kana", false, "import-col-kana"),
    ("所属", "department", true, "import-col-department"),
    ("等級", "grade", false, "import-col-grade"),
    ("生年", "birth_year", false, "import-col-birth-year"),
    ("入社日", "hire_date", false, "import-col-hire-date"),
    ("上司社員番号", "boss_employee_number", false, "import-col-boss"),
    ("メール", "email", false, "import-col-email"),
    ("在籍区分", "status", false, "import-col-status"),
];

const SAMPLE: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール\nE0001,山田 太郎,ヤマダ タロウ,営業本部,M1,1975,1998-04-01,,taro.yamada@example.co.jp\nE0102,佐藤 花子,サトウ ハナコ,営業本部/第一営業部,G3,1990,2013/04/01,E0001,hanako.sato@example.co.jp";

/// Today in Japan, the day against which birth years are checked.
fn today_jst() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// The stored code of an encoding; read back with `SourceEncoding::from_name`.
fn encoding_code(e: SourceEncoding) -> &'static str {
    match e {
        SourceEncoding::Utf8 => "utf8",
        SourceEncoding::Utf8Bom => "utf8bom",
        SourceEncoding::ShiftJis => "sjis",
    }
}

fn encoding_label(t: Tr, code: &str) -> String {
    match SourceEncoding::from_name(code) {
        Some(SourceEncoding::Utf8) => t.get("import-encoding-utf8"),
        Some(SourceEncoding::Utf8Bom) => t.get("import-encoding-utf8-bom"),
        Some(SourceEncoding::ShiftJis) => t.get("import-encoding-sjis"),
        None => code.to_string(),
    }
}

/// The upload as text, decoded the way the parser decoded it, so that re-reading the kept
/// text yields the same rows on the same lines.
fn decoded_text(bytes: &[u8], encoding: SourceEncoding) -> Option<String> {
    match encoding {
        SourceEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_string),
        SourceEncoding::Utf8Bom => bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).and_then(|b| std::str::from_utf8(b).ok()).map(str::to_string),
        SourceEncoding::ShiftJis => encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes).map(|t| t.into_owned()),
    }
}

/// The file's name without any folder a browser may send, control characters or excess length.
fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    base.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_string()
}

/// The name of a changed field, as the preview shows it.
fn field_label(t: Tr, field: &str) -> String {
    match field {
        "name" => t.get("employee-col-name"),
        "name_kana" => t.get("employee-col-kana"),
        "department" => t.get("employee-col-department"),
        "grade" => t.get("employee-col-grade"),
        "birth_year" => t.get("employee-col-birth-year"),
        "hire_date" => t.get("employee-col-hire-date"),
        "boss_employee_number" => t.get("employee-col-boss"),
        "email" => t.get("employee-col-email"),
        "status" => t.get("employee-col-status"),
        other => other.to_string(),
    }
}

fn parse_id(raw: &str) -> AppResult<PendingImportId> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).map(PendingImportId::new).ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// The upload form, also drawn again with what went wrong
// ---------------------------------------------------------------------------------------------

pub struct ColumnHelp {
    pub header: &'static str,
    pub alias: &'static str,
    pub required: bool,
    pub help: String,
}

pub struct ProblemRow {
    pub line: String,
    pub column: String,
    pub message: String,
}

enum Feedback {
    None,
    Notice(String),
    Error(String),
    Rows(Vec<RowError>),
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    action: String,
    notice: String,
    error: String,
    problems: Vec<ProblemRow>,
    problems_more: String,
    columns: Vec<ColumnHelp>,
    sample: &'static str,
    size_limit: String,
}

fn problem_rows(t: Tr, errors: &[RowError]) -> Vec<ProblemRow> {
    errors
        .iter()
        .take(PROBLEM_CAP)
        .map(|e| ProblemRow {
            line: if e.line == 0 { t.get("import-whole-file") } else { e.line.to_string() },
            column: e.column.clone().unwrap_or_default(),
            message: t.msg(&e.message).to_string(),
        })
        .collect()
}

fn form_page(state: &AppState, p: &Principal, locale: Locale, status: StatusCode, feedback: Feedback) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "import-title", "/employees/import");
    let t = ctx.t;
    // Multipart bodies are not read by the CSRF check, so the token travels in the URL.
    let csrf: String = url::form_urlencoded::byte_serialize(ctx.csrf.as_bytes()).collect();
    let (notice, error, problems, problems_more) = match feedback {
        Feedback::None => (String::new(), String::new(), Vec::new(), String::new()),
        Feedback::Notice(n) => (n, String::new(), Vec::new(), String::new()),
        Feedback::Error(e) => (String::new(), e, Vec::new(), String::new()),
        Feedback::Rows(rows) => {
            let more = rows.len().saturating_sub(PROBLEM_CAP);
            (
                String::new(),
                t.with("import-rows-rejected", "count", rows.len()),
                problem_rows(t, &rows),
                if more > 0 { t.with("import-more", "count", more) } else { String::new() },
            )
        }
    };
    let page = ImportPage {
        action: format!("/employees/import?csrf={csrf}"),
        notice,
        error,
        problems,
        problems_more,
        columns: COLUMNS.iter().map(|(header, alias, required, key)| ColumnHelp { header, alias, required: *required, help: t.get(key) }).collect(),
        sample: SAMPLE,
        size_limit: t.with("import-size-limit", "size", (state.config.body_limit / (1024 * 1024)).max(1)),
        ctx,
    };
    let mut res = render(&page)?;
    *res.status_mut() = status;
    Ok(res)
}

async fn form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    p.check(Action::ImportEmployees, Target::Route)?;
    let cancelled = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).any(|(k, v)| k == "cancelled" && v == "1");
    let feedback = if cancelled { Feedback::Notice(Tr::new(locale).get("import-cancelled")) } else { Feedback::None };
    form_page(&state, &p, locale, StatusCode::OK, feedback)
}

// ---------------------------------------------------------------------------------------------
// Upload → preview
// ---------------------------------------------------------------------------------------------

struct Upload {
    filename: String,
    bytes: Vec<u8>,
}

enum UploadProblem {
    TooLarge,
    Missing,
    Unreadable,
}

impl UploadProblem {
    fn from_status(status: StatusCode) -> Self {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            UploadProblem::TooLarge
        } else {
            UploadProblem::Unreadable
        }
    }
}

/// The first non-empty file field named `file`.
async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Upload, UploadProblem> {
    let mut multipart = multipart.map_err(|_| UploadProblem::Unreadable)?;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(UploadProblem::Missing),
            Err(e) => return Err(UploadProblem::from_status(e.status())),
        };
        if field.name() != Some("file") {
            continue;
        }
        let filename = clean_filename(field.file_name().unwrap_or(""));
        let bytes = field.bytes().await.map_err(|e| UploadProblem::from_status(e.status()))?;
        if bytes.is_empty() {
            return Err(UploadProblem::Missing);
        }
        return Ok(Upload { filename, bytes: bytes.to_vec() });
    }
}

pub struct Count {
    pub label: String,
    pub value: String,
}

pub struct NewRowView {
    pub line: usize,
    pub number: String,
    pub name: String,
    pub department: String,
    pub boss: String,
}

pub struct ChangedRowView {
    pub line: usize,
    pub number: String,
    pub name: String,
    pub fields: String,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    ctx: PageCtx,
    id: i64,
    filename: String,
    encoding: String,
    counts: Vec<Count>,
    new_rows: Vec<NewRowView>,
    new_more: String,
    changed_rows: Vec<ChangedRowView>,
    changed_more: String,
    new_departments: Vec<String>,
    departments_more: String,
    has_changes: bool,
    expires: String,
}

fn more(t: Tr, total: usize) -> String {
    if total > PREVIEW_CAP {
        t.with("import-more", "count", total - PREVIEW_CAP)
    } else {
        String::new()
    }
}

fn preview_page(p: &Principal, locale: Locale, id: PendingImportId, filename: &str, encoding: &str, total: usize, plan: &ImportPlan, created_at: i64) -> PreviewPage {
    let ctx = PageCtx::new(p, locale, "import-preview-title", "/employees/import");
    let t = ctx.t;
    let separator = t.get("import-field-separator");
    let new_rows: Vec<NewRowView> = plan
        .rows
        .iter()
        .filter(|r| r.is_new)
        .take(PREVIEW_CAP)
        .map(|r| NewRowView {
            line: r.line,
            number: r.record.number.as_str().to_string(),
            name: r.record.name.as_str().to_string(),
            department: r.record.department.to_path_string(),
            boss: r.record.boss_number.as_ref().map(|b| b.as_str().to_string()).unwrap_or_default(),
        })
        .collect();
    let changed_rows: Vec<ChangedRowView> = plan
        .rows
        .iter()
        .filter(|r| !r.is_new)
        .take(PREVIEW_CAP)
        .map(|r| ChangedRowView {
            line: r.line,
            number: r.record.number.as_str().to_string(),
            name: r.record.name.as_str().to_string(),
            fields: r.changed.iter().map(|f| field_label(t, f)).collect::<Vec<_>>().join(&separator),
        })
        .collect();
    let count = |key: &str, n: usize| Count { label: t.get(key), value: t.with("import-count-value", "count", super::employees::grouped(n as i64)) };
    PreviewPage {
        id: id.get(),
        filename: filename.to_string(),
        encoding: encoding_label(t, encoding),
        counts: vec![
            count("import-count-rows", total),
            count("import-count-new", plan.created()),
            count("import-count-changed", plan.updated()),
            count("import-count-unchanged", plan.unchanged),
            count("import-count-departments", plan.new_departments.len()),
        ],
        new_rows,
        new_more: more(t, plan.created()),
        changed_rows,
        changed_more: more(t, plan.updated()),
        new_departments: plan.new_departments.iter().take(PREVIEW_CAP).map(|d| d.to_path_string()).collect(),
        departments_more: more(t, plan.new_departments.len()),
        has_changes: !plan.rows.is_empty() || !plan.new_departments.is_empty(),
        expires: t.with("import-expires", "time", format_ms(created_at + PENDING_IMPORT_TTL_MS)),
        ctx,
    }
}

async fn upload(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, multipart: Result<Multipart, MultipartRejection>) -> AppResult<Response> {
    p.check(Action::ImportEmployees, Target::Route)?;
    let t = Tr::new(locale);
    let upload = match read_upload(multipart).await {
        Ok(u) => u,
        // The body limit is reported by the global error page (413).
        Err(UploadProblem::TooLarge) => return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        Err(UploadProblem::Missing) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Error(t.get("import-no-file"))),
        Err(UploadProblem::Unreadable) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Error(t.get("import-unreadable"))),
    };
    let parsed: ParsedImport = match parse_employee_csv(&upload.bytes, today_jst()) {
        Ok(parsed) => parsed,
        Err(errors) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Rows(errors)),
    };
    let plan = match state.store.plan_employee_import(p.tenant.id, &parsed.rows).await {
        Ok(plan) => plan,
        Err(StoreError::Rows(errors)) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Rows(errors)),
        Err(e) => return Err(e.into()),
    };
    let text = decoded_text(&upload.bytes, parsed.encoding).ok_or_else(|| AppError::Internal("a parsed upload could not be decoded again".into()))?;
    let encoding = encoding_code(parsed.encoding);
    let pending = NewPendingImport { filename: &upload.filename, encoding, rows: parsed.rows.len() as i64, text: &text };
    let id = state.store.create_pending_import(&p.ctx(), &pending).await?;
    render(&preview_page(&p, locale, id, &upload.filename, encoding, parsed.rows.len(), &plan, store::now_ms()))
}

// ---------------------------------------------------------------------------------------------
// Confirm or cancel
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "import_done.html")]
struct DonePage {
    ctx: PageCtx,
    filename: String,
    counts: Vec<Count>,
}

async fn confirm(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(raw_id): Path<String>) -> AppResult<Response> {
    p.check(Action::ImportEmployees, Target::Route)?;
    let t = Tr::new(locale);
    let id = parse_id(&raw_id)?;
    let ctx = p.ctx();
    let pending = match state.store.pending_import(&ctx, id).await {
        Ok(pending) => pending,
        Err(StoreError::NotFound) => return form_page(&state, &p, locale, StatusCode::NOT_FOUND, Feedback::Error(t.get("import-expired"))),
        Err(e) => return Err(e.into()),
    };
    // The kept text is read again: the register may have changed since the preview.
    let parsed = match parse_employee_csv(pending.text.as_bytes(), today_jst()) {
        Ok(parsed) => parsed,
        Err(errors) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Rows(errors)),
    };
    let summary = match state.store.import_employees(&ctx, &parsed.rows).await {
        Ok(summary) => summary,
        Err(StoreError::Rows(errors)) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Rows(errors)),
        Err(e) => return Err(e.into()),
    };
    // The import is committed; a failure to discard the upload only leaves it to expire.
    match state.store.delete_pending_import(&ctx, id).await {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => tracing::warn!(error = %e, pending_import = %id, "could not discard a confirmed upload"),
    }
    let ctx = PageCtx::new(&p, locale, "import-done-title", "/employees/import");
    let t = ctx.t;
    let count = |key: &str, n: usize| Count { label: t.get(key), value: t.with("import-count-value", "count", super::employees::grouped(n as i64)) };
    let page = DonePage {
        filename: pending.filename,
        counts: vec![
            count("import-count-created", summary.created),
            count("import-count-updated", summary.updated),
            count("import-count-kept", summary.unchanged),
            count("import-count-departments-created", summary.departments_created),
        ],
        ctx,
    };
    render(&page)
}

async fn cancel(State(state): State<AppState>, Authed(p): Authed, Path(raw_id): Path<String>) -> AppResult<Response> {
    p.check(Action::ImportEmployees, Target::Route)?;
    let id = parse_id(&raw_id)?;
    match state.store.delete_pending_import(&p.ctx(), id).await {
        // Already gone (expired, or cancelled twice): the outcome the user asked for.
        Ok(()) | Err(StoreError::NotFound) => Ok(Redirect::to("/employees/import?cancelled=1").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_matches_the_parser() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let text = "社員番号,氏名,所属\r\nE1,山田 太郎,営業本部\r\n\r\nE2,佐藤 花子,営業本部/第一営業部\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, sjis.into_owned()] {
            let parsed = parse_employee_csv(&bytes, today).map_err(|e| format!("{e:?}")).unwrap();
            let decoded = decoded_text(&bytes, parsed.encoding).unwrap_or_default();
            assert_eq!(decoded, text, "{:?}", parsed.encoding);
            let again = parse_employee_csv(decoded.as_bytes(), today).map_err(|e| format!("{e:?}")).unwrap();
            assert_eq!(again.rows, parsed.rows, "same rows on the same lines");
        }
    }

    #[test]
    fn encodings_round_trip_through_their_codes() {
        for e in SourceEncoding::ALL {
            assert_eq!(SourceEncoding::from_name(encoding_code(e)), Some(e));
        }
    }

    #[test]
    fn filenames_lose_folders_and_control_characters() {
        assert_eq!(clean_filename("C:\\Users\\hr\\社員一覧.csv"), "社員一覧.csv");
        assert_eq!(clean_filename("/tmp/a\u{0}b.csv"), "ab.csv");
        assert_eq!(clean_filename(""), "");
        assert_eq!(clean_filename(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(parse_id("12").ok(), Some(PendingImportId::new(12)));
        assert!(parse_id("0").is_err());
        assert!(parse_id("-1").is_err());
        assert!(parse_id("abc").is_err());
    }

    #[test]
    fn every_label_key_exists_in_both_languages() {
        let fields = ["name", "name_kana", "department", "grade", "birth_year", "hire_date", "boss_employee_number", "email", "status"];
        for locale in Locale::ALL {
            let t = Tr::new(locale);
            let labels = COLUMNS.iter().map(|(_, _, _, key)| t.get(key)).chain(fields.iter().map(|f| field_label(t, f)));
            for label in labels.chain(["utf8", "utf8bom", "sjis"].iter().map(|c| encoding_label(t, c))) {
                assert!(!label.contains("Unknown localization") && !label.is_empty(), "{locale:?}: {label}");
            }
            for f in fields {
                assert_ne!(field_label(t, f), f, "{f} has a label");
            }
        }
    }
}
