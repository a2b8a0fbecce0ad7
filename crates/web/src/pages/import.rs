//! Importing the employee register from the HR system's CSV, in two steps: the upload is
//! checked and previewed (nothing changes), then applied all-or-nothing on confirmation.
//! Between the two the decoded file is kept sealed, for its uploader only, for an hour.

use super::{render, today_jst, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::employee::EmployeeStatus;
use domain::import::{parse_employee_csv, RowError, SourceEncoding};
use domain::policy::Operation;
use domain::register::ImportPlan;
use domain::Locale;
use store::{Ctx, NewPendingImport, PendingImportId, StoreError, PENDING_IMPORT_TTL_MS};

pub fn routes(r: Routes) -> Routes {
    r.get("/employees/import", Operation::ImportEmployees, form)
        .post("/employees/import", Operation::ImportEmployees, upload)
        .post("/employees/import/{id}/confirm", Operation::ImportEmployees, confirm)
        .post("/employees/import/{id}/cancel", Operation::ImportEmployees, cancel)
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

fn encoding_label(t: Tr, code: &str) -> String {
    match SourceEncoding::from_name(code) {
        Some(SourceEncoding::Utf8) => t.get("import-encoding-utf8"),
        Some(SourceEncoding::Utf8Bom) => t.get("import-encoding-utf8-bom"),
        Some(SourceEncoding::ShiftJis) => t.get("import-encoding-sjis"),
        None => code.to_string(),
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

use crate::path_id::path_id as parse_id;

// ---------------------------------------------------------------------------------------------
// The upload form, also drawn again with what went wrong
// ---------------------------------------------------------------------------------------------

pub struct ColumnHelp {
    pub header: &'static str,
    pub alias: &'static str,
    pub required: bool,
    pub help: String,
    /// A value as written in a register file (Japanese where the register is).
    pub example: &'static str,
}

/// The example value of a column, by its English header.
fn column_example(alias: &str) -> &'static str {
    match alias {
        "employee_number" => "E0102",
        "name" => "佐藤 花子",
        "name_kana" => "サトウ ハナコ",
        "department" => "営業本部/第一営業部",
        "grade" => "G3",
        "birth_year" => "1990",
        "hire_date" => "2013-04-01",
        "boss_employee_number" => "E0001",
        "email" => "hanako.sato@example.co.jp",
        "status" => "在籍 / 休職 / 退職",
        _ => "",
    }
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
        notice,
        error,
        problems,
        problems_more,
        columns: COLUMNS
            .iter()
            .map(|(header, alias, required, key)| ColumnHelp {
                header,
                alias,
                required: *required,
                help: t.get(key),
                example: column_example(alias),
            })
            .collect(),
        sample: SAMPLE,
        size_limit: t.with("import-size-limit", "size", (state.config.body_limit / (1024 * 1024)).max(1)),
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
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
    pub changes: Vec<ChangeView>,
}

/// One changed field: its label and its values before and after, as shown.
pub struct ChangeView {
    pub label: String,
    pub old: String,
    pub new: String,
}

/// A field's value as the preview shows it: a status in words, an empty value said so.
fn change_value(t: Tr, field: &str, value: Option<&str>) -> String {
    let status = |code: &str| match EmployeeStatus::parse(code) {
        Ok(s) => t.term(s),
        Err(_) => code.to_string(),
    };
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => t.get("import-change-empty"),
        Some(v) if field == "status" => status(v),
        Some(v) => v.to_string(),
    }
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

/// The upload being previewed, as it was kept.
struct Held<'a> {
    id: PendingImportId,
    filename: &'a str,
    encoding: &'a str,
    rows: usize,
    created_at: i64,
}

fn preview_page(p: &Principal, locale: Locale, held: &Held<'_>, plan: &ImportPlan) -> PreviewPage {
    let ctx = PageCtx::new(p, locale, "import-preview-title", "/employees/import");
    let t = ctx.t;
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
            changes: r
                .changes
                .iter()
                .map(|c| ChangeView {
                    label: field_label(t, c.field),
                    old: change_value(t, c.field, c.old.as_deref()),
                    new: change_value(t, c.field, c.new.as_deref()),
                })
                .collect(),
        })
        .collect();
    let count = |key: &str, n: usize| Count {
        label: t.get(key),
        value: t.with("import-count-value", "count", super::employees::grouped(n as i64)),
    };
    PreviewPage {
        id: held.id.get(),
        filename: held.filename.to_string(),
        encoding: encoding_label(t, held.encoding),
        counts: vec![
            count("import-count-rows", held.rows),
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
        expires: t.with("import-expires", "time", t.date_time(held.created_at + PENDING_IMPORT_TTL_MS)),
        ctx,
    }
}

async fn upload(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let t = Tr::new(locale);
    let upload = match read_upload(multipart).await {
        Ok(u) => u,
        // The body limit is reported by the global error page (413).
        Err(UploadProblem::TooLarge) => return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        Err(UploadProblem::Missing) => {
            return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Error(t.get("import-no-file")))
        }
        Err(UploadProblem::Unreadable) => {
            return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Error(t.get("import-unreadable")))
        }
    };
    // Every problem of the file at once: bad cells, and unknown bosses of the other rows.
    let (encoding_found, rows, plan) = match state.store.check_employee_csv(p.tenant.id, &upload.bytes, today_jst()).await {
        Ok(x) => x,
        Err(StoreError::Rows(errors)) => return form_page(&state, &p, locale, StatusCode::UNPROCESSABLE_ENTITY, Feedback::Rows(errors)),
        Err(e) => return Err(e.into()),
    };
    // The text kept is decoded by the decoder the parser used, so re-reading it yields the
    // same rows on the same lines.
    let text = domain::csv_text::decode(&upload.bytes)
        .map_err(|_| AppError::Internal("a parsed upload could not be decoded again".into()))?
        .text
        .into_owned();
    let encoding = encoding_found.code();
    let pending = NewPendingImport { filename: &upload.filename, encoding, rows: rows.len() as i64, text: &text };
    let id = state.store.create_pending_import(&p.acting(Ctx::as_registrar)?, &pending).await?;
    let held = Held { id, filename: &upload.filename, encoding, rows: rows.len(), created_at: store::now_ms() };
    render(&preview_page(&p, locale, &held, &plan))
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
    let t = Tr::new(locale);
    let id = parse_id(&raw_id)?;
    let ctx = p.ctx();
    let pending = match state.store.pending_import(&ctx.as_registrar()?, id).await {
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
    match state.store.delete_pending_import(&ctx.as_registrar()?, id).await {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => tracing::warn!(error = %e, pending_import = %id, "could not discard a confirmed upload"),
    }
    let ctx = PageCtx::new(&p, locale, "import-done-title", "/employees/import");
    let t = ctx.t;
    let count = |key: &str, n: usize| Count {
        label: t.get(key),
        value: t.with("import-count-value", "count", super::employees::grouped(n as i64)),
    };
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
    let id = parse_id(&raw_id)?;
    match state.store.delete_pending_import(&p.acting(Ctx::as_registrar)?, id).await {
        // Already gone (expired, or cancelled twice): the outcome the user asked for.
        Ok(()) | Err(StoreError::NotFound) => Ok(Redirect::to("/employees/import?cancelled=1").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn decoding_matches_the_parser() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let text = "社員番号,氏名,所属\r\nE1,山田 太郎,営業本部\r\n\r\nE2,佐藤 花子,営業本部/第一営業部\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, sjis.into_owned()] {
            let parsed = parse_employee_csv(&bytes, today).map_err(|e| format!("{e:?}")).unwrap();
            let decoded = domain::csv_text::decode(&bytes).map(|d| d.text.into_owned()).unwrap_or_default();
            assert_eq!(decoded, text, "{:?}", parsed.encoding);
            let again = parse_employee_csv(decoded.as_bytes(), today).map_err(|e| format!("{e:?}")).unwrap();
            assert_eq!(again.rows, parsed.rows, "same rows on the same lines");
        }
    }

    #[test]
    fn encodings_round_trip_through_their_codes() {
        for e in SourceEncoding::ALL {
            assert_eq!(SourceEncoding::from_name(e.code()), Some(e));
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
        assert!(parse_id::<PendingImportId>("0").is_err());
        assert!(parse_id::<PendingImportId>("-1").is_err());
        assert!(parse_id::<PendingImportId>("abc").is_err());
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

    // -----------------------------------------------------------------------------------------
    // The whole flow through the real router, on both databases
    // -----------------------------------------------------------------------------------------

    use crate::{app, AppState, WebConfig};
    use axum::body::Body;
    use axum::http::Request;
    use domain::tenant::{KThreshold, TenantSlug};
    use domain::Role;
    use store::{Ctx, KeySource, NewUser, OpenOptions, Store};
    use tower::ServiceExt;

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
    const BOUNDARY: &str = "cd-test-boundary";

    struct Reply {
        status: StatusCode,
        location: String,
        body: String,
    }

    async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
        let res = app.clone().oneshot(req).await.unwrap_or_else(|never| match never {});
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.unwrap_or_default();
        Reply { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    fn request(method: &str, uri: &str, token: &str) -> axum::http::request::Builder {
        Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}")).header("accept-language", "ja")
    }

    /// A multipart upload with one file field (or none when `file` is `None`).
    async fn upload_file(app: &axum::Router, token: &str, file: Option<&[u8]>) -> Reply {
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n").as_bytes());
        if let Some(bytes) = file {
            body.extend_from_slice(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\hr\\社員.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        let req = request("POST", "/employees/import", token)
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(Body::from(body))
            .unwrap_or_default();
        send(app, req).await
    }

    async fn post(app: &axum::Router, token: &str, uri: &str) -> Reply {
        send(
            app,
            request("POST", uri, token).header("content-type", "application/x-www-form-urlencoded").body(Body::empty()).unwrap_or_default(),
        )
        .await
    }

    async fn get(app: &axum::Router, token: &str, uri: &str) -> Reply {
        send(app, request("GET", uri, token).body(Body::empty()).unwrap_or_default()).await
    }

    /// The pending import's id, from the preview's confirm form.
    fn pending_id(body: &str) -> String {
        body.split("/employees/import/").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or_default().to_string()
    }

    async fn setup(backend: testkit::Backend) -> (testkit::TestDb, Store, domain::ids::TenantId, axum::Router, String, String) {
        let db = testkit::fresh_db(backend).expect("db");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("store");
        let tenant =
            store.create_tenant(&TenantSlug::parse("acme").expect("slug"), "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let mut tokens = Vec::new();
        for login in ["hana", "jiro"] {
            let user = NewUser { login, display_name: login, password: "password1", roles: &[Role::Hr], employee: None };
            let id = store.create_user(&op, &user).await.expect("user");
            let (token, _) =
                store.create_token(&Ctx::for_tests(tenant.id, id, login, Some(Role::Hr)), Role::Hr, "t", None).await.expect("token");
            tokens.push(token);
        }
        let app = app(AppState::new(store.clone(), WebConfig::default()));
        let jiro = tokens.pop().unwrap_or_default();
        let hana = tokens.pop().unwrap_or_default();
        (db, store, tenant.id, app, hana, jiro)
    }

    #[tokio::test]
    async fn hr_uploads_reviews_and_confirms_an_import() {
        for backend in testkit::Backend::ALL {
            upload_review_confirm(backend).await;
        }
    }

    async fn upload_review_confirm(backend: testkit::Backend) {
        let (_db, store, tenant, app, hana, jiro) = setup(backend).await;

        let form = get(&app, &hana, "/employees/import").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("action=\"/employees/import\" enctype=\"multipart/form-data\""), "{}", form.body);
        assert!(!form.body.contains("csrf="), "the CSRF token never travels in a URL");
        assert!(form.body.contains("上司社員番号") && form.body.contains("Shift_JIS"));

        let missing = upload_file(&app, &hana, None).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("ファイルが選択されていないか、空のファイルです。"));
        assert_eq!(upload_file(&app, &hana, Some(b"")).await.status, StatusCode::UNPROCESSABLE_ENTITY);

        let bad = "社員番号,氏名,所属,生年\nE1,山田 太郎,営業本部,1850\nE1,佐藤 花子,,1990\n";
        let rejected = upload_file(&app, &hana, Some(bad.as_bytes())).await;
        assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(rejected.body.contains("件の誤りがあるため、取り込みませんでした。"), "{}", rejected.body);
        assert!(rejected.body.contains("<th scope=\"row\">2</th>") && rejected.body.contains("<th scope=\"row\">3</th>"));
        let unknown_boss = upload_file(&app, &hana, Some("社員番号,氏名,所属,上司社員番号\nE1,山田 太郎,営業本部,E9\n".as_bytes())).await;
        assert_eq!(unknown_boss.status, StatusCode::UNPROCESSABLE_ENTITY, "plan errors are shown too");
        assert_eq!(store.employee_count(tenant).await.ok(), Some(0));

        let csv = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号,メール\r\nE0001,山田 太郎,ヤマダ タロウ,営業本部,M1,1975,1998-04-01,,taro@example.co.jp\r\nE0102,佐藤 花子,サトウ ハナコ,営業本部/第一営業部,G3,1990,2013/04/01,E0001,\r\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
        let preview = upload_file(&app, &hana, Some(&sjis)).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert!(preview.body.contains("Shift_JIS（CP932）") && preview.body.contains("社員.csv") && !preview.body.contains("C:"));
        assert!(preview.body.contains("佐藤 花子") && preview.body.contains("営業本部/第一営業部"));
        assert_eq!(store.employee_count(tenant).await.ok(), Some(0), "a preview changes nothing");
        let id = pending_id(&preview.body);
        assert!(id.parse::<i64>().is_ok(), "{id}");

        assert_eq!(
            post(&app, &jiro, &format!("/employees/import/{id}/confirm")).await.status,
            StatusCode::NOT_FOUND,
            "only the uploader confirms"
        );
        let done = post(&app, &hana, &format!("/employees/import/{id}/confirm")).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert!(done.body.contains("従業員データを取り込みました。"));
        assert_eq!(store.employee_count(tenant).await.ok(), Some(2));
        let again = post(&app, &hana, &format!("/employees/import/{id}/confirm")).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert!(again.body.contains("有効期限"));

        // A second file changes two fields; the preview shows each with its old and new value;
        // cancelling discards it.
        let changed = csv.replace("G3,1990", "G4,1990").replace("営業本部/第一営業部,G4", "企画部,G4").replace(",E0001,\r\n", ",,\r\n");
        let preview = upload_file(&app, &hana, Some(changed.as_bytes())).await;
        assert!(preview.body.contains("内容を更新する従業員") && preview.body.contains("変更内容（変更前 → 変更後）"), "{}", preview.body);
        let change = |label: &str, old: &str, new: &str| {
            format!("<span class=\"field-name\">{label}</span><span class=\"change\"><span class=\"visually-hidden\">変更前: </span><del>{old}</del><span aria-hidden=\"true\"> → </span><span class=\"visually-hidden\"> 変更後: </span><ins>{new}</ins></span>")
        };
        for (label, old, new) in [("等級", "G3", "G4"), ("所属", "営業本部/第一営業部", "企画部"), ("上司", "E0001", "（空欄）")]
        {
            assert!(preview.body.contains(&change(label, old, new)), "{label}: {}", preview.body);
        }
        let id = pending_id(&preview.body);
        let cancelled = post(&app, &hana, &format!("/employees/import/{id}/cancel")).await;
        assert_eq!((cancelled.status, cancelled.location.as_str()), (StatusCode::SEE_OTHER, "/employees/import?cancelled=1"));
        assert!(get(&app, &hana, &cancelled.location).await.body.contains("取込を取り消しました。"));
        assert_eq!(store.sealed_by_key().await.map(|k| k.iter().map(|(_, n)| n).sum::<i64>()).ok(), Some(0), "no upload is kept");
        assert_eq!(store.employee_by_number(tenant, "E0102").await.map(|e| e.grade).ok(), Some(Some("G3".to_string())));

        // The register shows what was imported, searchable and filtered by department.
        let list = get(&app, &hana, "/employees").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("<caption>従業員一覧</caption>") && list.body.contains("山田 太郎") && list.body.contains("在籍"));
        assert!(list.body.contains("営業本部（2名）") && list.body.contains("\u{3000}第一営業部（1名）"));
        let found = get(&app, &hana, "/employees?q=%E3%82%B5%E3%83%88%E3%82%A6").await;
        assert!(found.body.contains("佐藤 花子") && !found.body.contains("<td>山田 太郎</td>"), "{}", found.body);
        let none = get(&app, &hana, "/employees?q=zzz").await;
        assert!(none.body.contains("条件に一致する従業員はいません。"));
        let past_the_end = get(&app, &hana, "/employees?q=%E5%B1%B1&page=9").await;
        assert_eq!((past_the_end.status, past_the_end.location.as_str()), (StatusCode::SEE_OTHER, "/employees?q=%E5%B1%B1"));
        store.close().await;
    }
}
