//! The audit log for people (`/admin/audit`): events in words (who, in which role, did what to
//! which record, when in Japan), filtered by period, account, role and kind (kept in the URL),
//! newest first, a page at a time with the total; the filtered events as a CSV file
//! (formula-safe, UTF-8 with a BOM or CP932); and the check of the hash chain. Reading and
//! exporting are themselves audited, by the store.

use super::admin::{verify_view, VerifyView};
use super::audit_words as words;
use super::{render, role_label, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Form, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::audit::AuditAction;
use domain::csv_text::SourceEncoding;
use domain::ids::UserId;
use domain::policy::Operation;
use domain::{Invalid, Locale, Role};
use serde::Deserialize;
use store::{AuditFilter, AuditLogRow, Ctx};

pub fn routes(r: Routes) -> Routes {
    r.get("/admin/audit", Operation::ViewAuditLog, audit).get("/admin/audit/export.csv", Operation::ViewAuditLog, export).post(
        "/admin/audit/verify",
        Operation::ViewAuditLog,
        verify,
    )
}

/// Events per page.
pub const PAGE_SIZE: i64 = 50;

/// The filter as the URL carries it (every field as typed, so a wrong one is shown again).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AuditQuery {
    pub from: String,
    pub to: String,
    pub user: String,
    pub role: String,
    pub kind: String,
    pub page: String,
    pub encoding: String,
}

fn invalid(field: &'static str, key: &str) -> Invalid {
    Invalid { field, message: Tr::both(key) }
}

fn date(raw: &str, field: &'static str) -> Result<Option<NaiveDate>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(Some).map_err(|_| invalid(field, "audit-error-date"))
}

impl AuditQuery {
    /// The filter, or every problem with what was typed.
    pub fn filter(&self) -> Result<AuditFilter, Vec<Invalid>> {
        let mut problems = Vec::new();
        let mut f = AuditFilter::default();
        match date(&self.from, "from") {
            Ok(d) => f.from = d,
            Err(e) => problems.push(e),
        }
        match date(&self.to, "to") {
            Ok(d) => f.to = d,
            Err(e) => problems.push(e),
        }
        if let (Some(a), Some(b)) = (f.from, f.to) {
            if a > b {
                problems.push(invalid("to", "audit-error-range"));
            }
        }
        let user = self.user.trim();
        if !user.is_empty() {
            match user.parse::<i64>() {
                Ok(n) if n > 0 => f.user = Some(UserId::new(n)),
                _ => problems.push(invalid("user", "audit-error-user")),
            }
        }
        let role = self.role.trim();
        if !role.is_empty() {
            match Role::parse(role) {
                Some(r) => f.role = Some(r),
                None => problems.push(invalid("role", "audit-error-role")),
            }
        }
        let kind = self.kind.trim();
        if !kind.is_empty() {
            match AuditAction::parse(kind) {
                Some(a) => f.action = Some(a),
                None => problems.push(invalid("kind", "audit-error-kind")),
            }
        }
        if problems.is_empty() {
            Ok(f)
        } else {
            Err(problems)
        }
    }

    /// The 1-based page asked for.
    pub fn page(&self) -> Result<i64, Invalid> {
        let raw = self.page.trim();
        if raw.is_empty() {
            return Ok(1);
        }
        raw.parse::<i64>().ok().filter(|n| (1..=10_000_000).contains(n)).ok_or_else(|| invalid("page", "audit-error-page"))
    }

    pub fn encoding(&self) -> Result<SourceEncoding, Invalid> {
        match self.encoding.trim() {
            "" | "utf8bom" => Ok(SourceEncoding::Utf8Bom),
            "sjis" => Ok(SourceEncoding::ShiftJis),
            _ => Err(invalid("encoding", "audit-error-encoding")),
        }
    }

    /// The filter's part of a URL (`from=…&kind=…`), without the page.
    pub fn filter_query(&self) -> String {
        let pairs = [("from", &self.from), ("to", &self.to), ("user", &self.user), ("role", &self.role), ("kind", &self.kind)];
        let kept: Vec<(&str, &str)> = pairs.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (*k, v.trim())).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }

    fn page_link(&self, page: i64) -> String {
        let q = self.filter_query();
        if q.is_empty() {
            format!("/admin/audit?page={page}")
        } else {
            format!("/admin/audit?{q}&page={page}")
        }
    }
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

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    ctx: PageCtx,
    q: AuditQuery,
    users: Vec<Choice>,
    roles: Vec<Choice>,
    kinds: Vec<Choice>,
    errors: Vec<FieldError>,
    events: Vec<EventView>,
    total: i64,
    shown_from: i64,
    shown_to: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    filter_query: String,
    verify: Option<VerifyView>,
}

impl AuditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

async fn choices(state: &AppState, p: &Principal, t: Tr, q: &AuditQuery) -> AppResult<(Vec<Choice>, Vec<Choice>, Vec<Choice>)> {
    let users = state
        .store
        .users(p.tenant.id)
        .await?
        .into_iter()
        .map(|u| Choice {
            selected: q.user.trim() == u.id.to_string(),
            value: u.id.to_string(),
            label: t.with_args("audit-user-choice", &[("name", &u.display_name), ("login", &u.login)]),
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .map(|r| Choice { value: r.as_str().into(), label: role_label(t, r), selected: q.role.trim() == r.as_str() })
        .collect();
    let kinds = AuditAction::ALL
        .into_iter()
        .map(|a| Choice { value: a.as_str().into(), label: words::kind_name(t, a), selected: q.kind.trim() == a.as_str() })
        .collect();
    Ok((users, roles, kinds))
}

async fn audit_page(state: &AppState, p: &Principal, locale: Locale, q: AuditQuery, verify: Option<VerifyView>) -> AppResult<Response> {
    let me = p.acting(Ctx::as_admin)?;
    let ctx = PageCtx::new(p, locale, "admin-audit-title", "/admin/audit");
    let t = ctx.t;
    let (users, roles, kinds) = choices(state, p, t, &q).await?;
    let checked = q.filter().and_then(|f| q.page().map(|page| (f, page)).map_err(|e| vec![e]));
    let mut page = AuditPage {
        ctx,
        filter_query: q.filter_query(),
        q,
        users,
        roles,
        kinds,
        errors: Vec::new(),
        events: Vec::new(),
        total: 0,
        shown_from: 0,
        shown_to: 0,
        page: 1,
        pages: 1,
        prev: None,
        next: None,
        verify,
    };
    let (filter, number) = match checked {
        Ok(ok) => ok,
        Err(problems) => {
            page.errors = problems.iter().map(|i| FieldError { field: i.field, message: t.msg(&i.message).to_string() }).collect();
            return Ok(with_status(render(&page)?, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let found = state.store.audit_log(&me, &filter, PAGE_SIZE, (number - 1) * PAGE_SIZE).await?;
    page.total = found.total;
    page.pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    page.page = number;
    page.shown_from = if found.rows.is_empty() { 0 } else { (number - 1) * PAGE_SIZE + 1 };
    page.shown_to = (number - 1) * PAGE_SIZE + found.rows.len() as i64;
    page.prev = (number > 1).then(|| page.q.page_link((number - 1).min(page.pages)));
    page.next = (number < page.pages).then(|| page.q.page_link(number + 1));
    page.events = found.rows.iter().map(|r| event_view(t, r)).collect();
    render(&page)
}

async fn audit(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    audit_page(&state, &p, locale, q, None).await
}

async fn verify(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Form(q): Form<AuditQuery>) -> AppResult<Response> {
    // The store walks the chain in pages, so this stays cheap in memory however long it is.
    let outcomes = state.store.verify_audit(Some(p.tenant.id)).await?;
    let view = verify_view(Tr::new(locale), outcomes.iter().find(|o| o.tenant == p.tenant.id));
    audit_page(&state, &p, locale, q, Some(view)).await
}

/// A cell a spreadsheet will not run: text starting with `= + - @`, a tab or a carriage return
/// gets a `'` before it.
pub fn formula_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The events as CSV text, a header row in the reader's language first.
pub fn csv_text(t: Tr, rows: &[AuditLogRow]) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let header = ["seq", "time", "actor", "login", "role", "action", "target", "detail", "code"].map(|c| t.get(&format!("audit-csv-{c}")));
    w.write_record(&header)?;
    for row in rows {
        let v = event_view(t, row);
        let cells = [v.seq.to_string(), v.when, v.who, v.login, v.role, v.did, v.target, v.detail, v.code];
        w.write_record(cells.iter().map(|c| formula_safe(c)))?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

async fn export(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<AuditQuery>) -> AppResult<Response> {
    let me = p.acting(Ctx::as_admin)?;
    let t = Tr::new(locale);
    let filter = q.filter().map_err(|mut problems| problems.remove(0))?;
    let encoding = q.encoding()?;
    let rows = state.store.audit_log_export(&me, &filter, encoding.code()).await?;
    let text = csv_text(t, &rows).map_err(|e| crate::error::AppError::Internal(format!("csv: {e}")))?;
    let today = super::today_jst().format("%Y-%m-%d");
    let charset = match encoding {
        SourceEncoding::ShiftJis => "Shift_JIS",
        _ => "utf-8",
    };
    Ok((
        [
            (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"careerdock-audit-{today}.csv\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        encoding.encode(&text),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(formula_safe("=cmd()"), "'=cmd()");
        assert_eq!(formula_safe("+1"), "'+1");
        assert_eq!(formula_safe("-1"), "'-1");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("\tx"), "'\tx");
        assert_eq!(formula_safe("\rx"), "'\rx");
        assert_eq!(formula_safe("個別報告書 #1"), "個別報告書 #1");
    }

    #[test]
    fn the_filter_reads_what_was_typed_and_names_each_problem() {
        let q = AuditQuery { from: "2026-12-01".into(), to: "2026-12-03".into(), kind: "report_read".into(), ..Default::default() };
        let f = q.filter().expect("valid");
        assert_eq!(f.action, Some(AuditAction::ReportRead));
        assert_eq!(q.filter_query(), "from=2026-12-01&to=2026-12-03&kind=report_read");
        let bad = AuditQuery { from: "12/01".into(), user: "x".into(), role: "king".into(), kind: "nope".into(), ..Default::default() };
        let fields: Vec<&str> = bad.filter().err().unwrap_or_default().iter().map(|i| i.field).collect();
        assert_eq!(fields, ["from", "user", "role", "kind"]);
        let reversed = AuditQuery { from: "2026-12-03".into(), to: "2026-12-01".into(), ..Default::default() };
        assert_eq!(reversed.filter().err().map(|p| p[0].field), Some("to"));
        assert_eq!(AuditQuery { page: "0".into(), ..Default::default() }.page().map_err(|e| e.field), Err("page"));
        assert_eq!(AuditQuery { encoding: "latin1".into(), ..Default::default() }.encoding().map_err(|e| e.field), Err("encoding"));
    }
}
