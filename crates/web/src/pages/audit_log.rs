//! The audit log for people (`/admin/audit`): events in words (who, in which role, did what to
//! which record, when in Japan), filtered by period, account, role and kind (kept in the URL),
//! newest first, a page at a time with the total; the filtered events as a CSV file
//! (formula-safe, UTF-8 with a BOM or CP932); and the check of the hash chain. Reading and
//! exporting are themselves audited, by the store.

use super::admin::{verify_view, VerifyView};
use super::audit_words as words;
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, role_label, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::audit::AuditAction;
use domain::csv_text::SourceEncoding;
use domain::ids::UserId;
use domain::policy::Operation;
use domain::{Invalid, Locale, Role};
use export::csv::{CsvEncoding, CsvError, CsvFile};
use store::{AuditFilter, AuditLogRow, Ctx, Direction};

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/audit", Operation::ViewAuditLog, audit).get("/admin/audit/export.csv", Operation::ViewAuditLog, export).post(
        "/admin/audit/verify",
        Operation::ViewAuditLog,
        verify,
    )
}

/// The list's shape: newest first by default (oldest first on request), five filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditSort {
    Time,
}

/// The events per page when the reader chooses nothing.
pub const PAGE_SIZE: i64 = 50;

pub static SPEC: ListSpec<AuditSort> = ListSpec {
    path: "/admin/audit",
    default_sort: SortOption::new("time", AuditSort::Time, Direction::Desc),
    sorts: &[],
    filters: &["from", "to", "user", "role", "kind"],
    search: false,
    per_page: PAGE_SIZE,
};

/// A problem with what was typed in a field of the filter, shown beside it.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// The filter the list's parameters describe. Values the page does not know (an account of
/// no one, an unknown role or kind) are dropped, as every list does; a date typed wrong, or an
/// end before the start, is dropped too and said beside its field.
pub fn read_filter(params: &mut ListParams<AuditSort>, accounts: &[UserId]) -> (AuditFilter, Vec<FieldError>) {
    let mut f = AuditFilter::default();
    let mut problems = Vec::new();
    for (field, slot) in [("from", &mut f.from), ("to", &mut f.to)] {
        if let Some(raw) = params.filter(field) {
            match date(raw) {
                Some(d) => *slot = Some(d),
                None => {
                    problems.push(FieldError { field, message: String::from("audit-error-date") });
                    params.drop_filter(field);
                }
            }
        }
    }
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if a > b {
            problems.push(FieldError { field: "to", message: String::from("audit-error-range") });
            f.to = None;
            params.drop_filter("to");
        }
    }
    match params.filter("user").and_then(|u| u.parse::<i64>().ok()).map(UserId::new) {
        Some(id) if accounts.contains(&id) => f.user = Some(id),
        _ => params.drop_filter("user"),
    }
    match params.filter("role").and_then(Role::parse) {
        Some(r) => f.role = Some(r),
        None => params.drop_filter("role"),
    }
    match params.filter("kind").and_then(AuditAction::parse) {
        Some(a) => f.action = Some(a),
        None => params.drop_filter("kind"),
    }
    (f, problems)
}

/// The export's character encoding (`encoding=utf8bom|sjis`, UTF-8 with a BOM by default).
pub fn export_encoding(raw: Option<&str>) -> Result<SourceEncoding, Invalid> {
    let value = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).find(|(k, _)| k == "encoding").map(|(_, v)| v.into_owned());
    match value.as_deref().map(str::trim) {
        None | Some("") | Some("utf8bom") => Ok(SourceEncoding::Utf8Bom),
        Some("sjis") => Ok(SourceEncoding::ShiftJis),
        Some(_) => Err(Invalid { field: "encoding", message: Tr::both("audit-error-encoding") }),
    }
}

/// The value a filter field shows: what was typed, even when it was dropped.
fn typed(raw: Option<&str>, name: &str) -> String {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().chars().take(100).collect())
        .unwrap_or_default()
}

/// One event as the page shows it.
pub struct EventView {
    pub seq: i64,
    pub when: String,
    pub who: String,
    pub login: String,
    pub role: String,
    pub did: String,
    pub code: String,
    pub target: String,
    pub detail: String,
}

fn event_view(t: Tr, row: &AuditLogRow) -> EventView {
    let e = &row.event;
    let (who, login) = words::actor(t, e, row.actor_name.as_deref());
    EventView {
        seq: e.seq,
        when: words::when(t, e.at_ms),
        who,
        login,
        role: Role::parse(&e.acting_role).map(|r| role_label(t, r)).unwrap_or_else(|| t.get("admin-audit-no-role")),
        did: words::action(t, &e.action),
        code: e.action.clone(),
        target: words::target(t, &e.target_kind, &e.target_id, row.target_label.as_deref()),
        detail: words::detail(t, &e.detail),
    }
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    ctx: PageCtx,
    list: ListView,
    /// The dates as typed (kept when wrong).
    from: String,
    to: String,
    errors: Vec<FieldError>,
    events: Vec<EventView>,
    /// The filters (not the page), as hidden fields of the export and verify forms.
    kept: Vec<(&'static str, String)>,
    /// `?…` of this very list, for the verify form to come back to.
    here: String,
    verify: Option<VerifyView>,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

async fn audit_page(state: &AppState, p: &Principal, locale: Locale, raw: Option<&str>, verify: Option<VerifyView>) -> AppResult<Response> {
    let me = p.acting(Ctx::as_admin)?;
    let ctx = PageCtx::new(p, locale, "admin-audit-title", "/admin/audit");
    let t = ctx.t;
    let accounts = state.store.users(p.tenant.id).await?;
    let ids: Vec<UserId> = accounts.iter().map(|u| u.id).collect();
    let mut params = ListParams::parse(&SPEC, raw);
    let (filter, mut errors) = read_filter(&mut params, &ids);
    for e in &mut errors {
        e.message = t.get(&e.message);
    }
    let found = state.store.audit_log(&me, &filter, params.dir, params.page_request()).await?;
    if verify.is_none() {
        if let Some(last) = params.beyond_end(found.total).filter(|_| found.items.is_empty()) {
            return Ok(Redirect::to(&last).into_response());
        }
    }
    let users = accounts
        .iter()
        .map(|u| (u.id.to_string(), t.with_args("audit-user-choice", &[("name", u.display_name.clone()), ("login", u.login.clone())])))
        .collect();
    let roles = Role::ALL.into_iter().map(|r| (r.as_str().to_string(), role_label(t, r))).collect();
    let kinds = AuditAction::ALL.into_iter().map(|a| (a.as_str().to_string(), words::kind_name(t, a))).collect();
    let list = ListView::new(t, &params, found.total, found.items.len())
        .filter("user", "audit-filter-user", params.filter("user"), users)
        .user_data()
        .filter("role", "audit-filter-role", params.filter("role"), roles)
        .filter("kind", "audit-filter-kind", params.filter("kind"), kinds)
        .column("admin-audit-col-time", Some("time"), "date")
        .column("admin-audit-col-actor", None, "")
        .column("admin-audit-col-role", None, "nowrap")
        .column("admin-audit-col-action", None, "")
        .column("admin-audit-col-target", None, "")
        .column("admin-audit-col-detail", None, "")
        .empty("admin-audit-empty", "audit-empty-filtered");
    let here = params.href(params.page);
    let page = AuditPage {
        ctx,
        list,
        from: typed(raw, "from"),
        to: typed(raw, "to"),
        events: found.items.iter().map(|r| event_view(t, r)).collect(),
        kept: params.filters.clone(),
        here: here.strip_prefix(SPEC.path).unwrap_or_default().to_string(),
        errors,
        verify,
    };
    render(&page)
}

async fn audit(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    audit_page(&state, &p, locale, raw.as_deref(), None).await
}

async fn verify(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    // The store walks the chain in pages, so this stays cheap in memory however long it is.
    let outcomes = state.store.verify_audit(Some(p.tenant.id)).await?;
    let outcome = outcomes.iter().find(|o| o.tenant == p.tenant.id);
    if let Some(o) = outcome {
        // Recorded, so the home can say when the chain was last checked and what was found.
        state.store.record_audit_verification(&p.acting(store::Ctx::as_admin)?, o).await?;
    }
    let view = verify_view(Tr::new(locale), outcome);
    audit_page(&state, &p, locale, raw.as_deref(), Some(view)).await
}

/// The events as a CSV file in `encoding`, a header row in the reader's language first. Every
/// cell goes through [`export::csv::formula_safe`] (the one rule of every CSV download: `= + - @`,
/// a tab, a carriage return and their full-width forms get a `'` before them), and a character
/// CP932 cannot encode becomes 〓 rather than an HTML character reference.
pub fn csv_file(t: Tr, rows: &[AuditLogRow], encoding: SourceEncoding) -> Result<CsvFile, CsvError> {
    let header: Vec<String> = ["seq", "time", "actor", "login", "role", "action", "target", "detail", "code"]
        .iter()
        .map(|c| t.get(&format!("audit-csv-{c}")))
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let v = event_view(t, row);
            vec![v.seq.to_string(), v.when, v.who, v.login, v.role, v.did, v.target, v.detail, v.code]
        })
        .collect();
    let encoding = match encoding {
        SourceEncoding::ShiftJis => CsvEncoding::Cp932,
        _ => CsvEncoding::Utf8Bom,
    };
    export::csv::write(&header, &cells, encoding)
}

async fn export(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let me = p.acting(Ctx::as_admin)?;
    let t = Tr::new(locale);
    let encoding = export_encoding(raw.as_deref())?;
    let ids: Vec<UserId> = state.store.users(p.tenant.id).await?.iter().map(|u| u.id).collect();
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let (filter, problems) = read_filter(&mut params, &ids);
    if let Some(problem) = problems.first() {
        return Err(Invalid { field: problem.field, message: Tr::both(&problem.message) }.into());
    }
    let rows = state.store.audit_log_export(&me, &filter, encoding.code()).await?;
    let file = csv_file(t, &rows, encoding).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let today = super::today_jst().format("%Y-%m-%d");
    let charset = file.encoding.charset();
    Ok((
        [
            (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"careerdock-audit-{today}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed_sign_in(seq: i64, login: &str) -> AuditLogRow {
        AuditLogRow {
            event: domain::audit::ChainedEvent {
                tenant: 1,
                seq,
                at_ms: 1_778_547_600_000,
                actor_user: Some(1),
                actor_label: login.into(),
                acting_role: "admin".into(),
                action: AuditAction::SignInFailed.as_str().into(),
                target_kind: String::new(),
                target_id: String::new(),
                detail: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            },
            actor_name: Some(login.into()),
            target_label: None,
        }
    }

    /// The export's cells go through the export crate's rule: full-width formulas too, and 〓
    /// for what CP932 lacks.
    #[test]
    fn the_export_neutralizes_formulas_as_every_csv_does() {
        let t = Tr::new(Locale::Ja);
        let rows: Vec<AuditLogRow> = ["=cmd()", "+1", "-1", "@SUM(A1)", "\tx", "＝1+1", "＋1", "－1", "＠x", "個別報告書 #1", "𠮷田"]
            .iter()
            .enumerate()
            .map(|(i, l)| failed_sign_in(i as i64 + 1, l))
            .collect();
        for encoding in [SourceEncoding::Utf8Bom, SourceEncoding::ShiftJis] {
            let file = csv_file(t, &rows, encoding).unwrap_or_else(|e| panic!("{e}"));
            let text = match encoding {
                SourceEncoding::ShiftJis => encoding_rs::SHIFT_JIS.decode(&file.bytes).0.into_owned(),
                _ => String::from_utf8(file.bytes[3..].to_vec()).unwrap_or_default(),
            };
            let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
            let logins: Vec<String> = reader.records().map(|r| r.map(|r| r[3].to_string()).unwrap_or_default()).collect();
            let cp932 = encoding == SourceEncoding::ShiftJis;
            let yoshida = if cp932 { "〓田" } else { "𠮷田" };
            assert_eq!(
                logins,
                ["'=cmd()", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'＝1+1", "'＋1", "'－1", "'＠x", "個別報告書 #1", yoshida],
                "{encoding:?}"
            );
            // 𠮷 (the account's name and login) is not in CP932; the dash of an event without a
            // target (—) is written as ― rather than lost.
            assert_eq!(file.replaced.len(), 2 * usize::from(cp932), "{encoding:?} {:?}", file.replaced);
            assert!(text.contains(if cp932 { ",―," } else { ",—," }), "{text}");
        }
    }

    fn params(q: &str) -> ListParams<AuditSort> {
        ListParams::parse(&SPEC, Some(q))
    }

    #[test]
    fn the_filter_reads_the_url_and_drops_what_it_does_not_know() {
        let mut p = params("from=2026-12-01&to=2026-12-03&kind=report_read&user=7&role=hr&page=2");
        let (f, problems) = read_filter(&mut p, &[UserId::new(7)]);
        assert!(problems.is_empty());
        assert_eq!(f.action, Some(AuditAction::ReportRead));
        assert_eq!((f.user, f.role), (Some(UserId::new(7)), Some(Role::Hr)));
        assert_eq!(f.from.map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
        assert_eq!(p.href(3), "/admin/audit?from=2026-12-01&to=2026-12-03&user=7&role=hr&kind=report_read&page=3");

        let mut bad = params("from=12%2F01&user=8&role=king&kind=nope");
        let (f, problems) = read_filter(&mut bad, &[UserId::new(7)]);
        assert_eq!(f, AuditFilter::default());
        assert_eq!(problems.iter().map(|e| e.field).collect::<Vec<_>>(), ["from"]);
        assert_eq!(bad.href(1), "/admin/audit", "links no longer carry what was dropped");

        let mut reversed = params("from=2026-12-03&to=2026-12-01");
        let (f, problems) = read_filter(&mut reversed, &[]);
        assert_eq!((problems[0].field, f.to), ("to", None));
        assert_eq!(params("sort=time&dir=asc").dir, Direction::Asc);
    }

    #[test]
    fn the_export_encoding_is_one_of_two() {
        assert_eq!(export_encoding(None), Ok(SourceEncoding::Utf8Bom));
        assert_eq!(export_encoding(Some("kind=x&encoding=sjis")), Ok(SourceEncoding::ShiftJis));
        assert_eq!(export_encoding(Some("encoding=latin1")).map_err(|e| e.field), Err("encoding"));
    }
}
