//! Server-rendered pages: the shared frame (`PageCtx`), navigation by role, and error pages.

mod account;
mod actions;
mod admin;
pub(crate) mod audit_log;
mod audit_words;
pub(crate) mod boss_consultations;
pub(crate) mod boss_guide;
mod cases;
mod consents;
mod cycles;
mod disclosures;
mod downloads;
mod effect_reports;
mod employees;
mod escalations;
mod feedback;
mod follow_ups;
pub mod form;
mod history_table;
mod home;
mod import;
mod important_cases;
mod interviews;
pub mod list;
mod list_terms;
mod management_reports;
mod notice_settings;
mod notifications;
mod org_issues;
pub(crate) mod overall_reports;
mod personnel_authority;
mod policy_documents;
mod questionnaire_admin;
mod questionnaires;
mod referrals;
mod reports;
mod requests;
mod review;
mod session;
mod taxonomy;
mod themes;
mod tokens;
mod two_factor;
mod yearly_reviews;

use crate::auth::Principal;
use crate::error::{AppError, AppResult, ErrorInfo};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::security::RequestId;
use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::policy::{decide, Actor, Operation, Target};
use domain::{Locale, Role};

pub fn routes(r: Routes) -> Routes {
    let r = session::routes(r);
    let r = account::routes(r);
    let r = home::routes(r);
    let r = employees::routes(r);
    let r = import::routes(r);
    let r = tokens::routes(r);
    let r = cycles::routes(r);
    let r = interviews::routes(r);
    let r = requests::routes(r);
    let r = reports::routes(r);
    let r = review::routes(r);
    let r = cases::routes(r);
    let r = taxonomy::routes(r);
    let r = two_factor::routes(r);
    let r = consents::routes(r);
    let r = disclosures::routes(r);
    let r = feedback::routes(r);
    let r = escalations::routes(r);
    let r = notifications::routes(r);
    let r = audit_log::routes(r);
    let r = boss_guide::routes(r);
    let r = boss_consultations::routes(r);
    let r = important_cases::routes(r);
    let r = org_issues::routes(r);
    let r = personnel_authority::routes(r);
    let r = themes::routes(r);
    let r = notice_settings::routes(r);
    let r = overall_reports::routes(r);
    let r = management_reports::routes(r);
    let r = questionnaires::routes(r);
    let r = yearly_reviews::routes(r);
    let r = effect_reports::routes(r);
    let r = follow_ups::routes(r);
    let r = referrals::routes(r);
    let r = actions::routes(r);
    let r = policy_documents::routes(r);
    let r = questionnaire_admin::routes(r);
    admin::routes(r)
}

/// One entry of the navigation, shown only to roles whose policy allows its action.
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// One link of the navigation: where it leads, the message key of its label, and the operation
/// whose policy decides who sees it (the action of the page it leads to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavLink {
    pub href: &'static str,
    pub label_key: &'static str,
    pub operation: Operation,
}

const fn link(href: &'static str, label_key: &'static str, operation: Operation) -> NavLink {
    NavLink { href, label_key, operation }
}

const NAV: &[NavLink] = &[
    link("/", "nav-home", Operation::ViewHome),
    link("/cycles", "nav-cycles", Operation::ViewCycles),
    link("/interviews", "nav-interviews", Operation::ManageInterviews),
    link("/requests", "nav-requests", Operation::HandleRequests),
    link("/follow-ups", "nav-follow-ups", Operation::ManageFollowUps),
    link("/reports", "nav-reports", Operation::WriteReports),
    link("/review", "nav-review", Operation::ReviewReports),
    link("/cases", "nav-cases", Operation::ReadReports),
    link("/my/interviews", "nav-my-interviews", Operation::ViewOwnInterviews),
    link("/my/questionnaires", "nav-my-questionnaires", Operation::AnswerOwnQuestionnaires),
    link("/my/consents", "nav-my-consents", Operation::DecideOwnDisclosures),
    link("/disclosures", "nav-disclosures", Operation::WriteDisclosures),
    link("/feedback", "nav-feedback", Operation::ReadFeedback),
    link("/boss-consultations", "nav-boss-consultations", Operation::RecordBossConsultations),
    link("/boss/guide", "nav-boss-guide", Operation::AcknowledgeBossGuide),
    link("/employees", "nav-employees", Operation::ListEmployees),
    link("/employees/import", "nav-import", Operation::ImportEmployees),
    link("/settings/taxonomy", "nav-taxonomy", Operation::ManageTaxonomy),
    link("/settings/boss-guide", "nav-boss-guide-settings", Operation::EditBossGuide),
    link("/admin/users", "nav-users", Operation::ManageUsers),
    link("/admin/audit", "nav-audit", Operation::ViewAuditLog),
    link("/admin/security", "nav-security", Operation::ManageUsers),
    link("/escalations", "nav-escalations", Operation::ViewEscalations),
    link("/settings/escalations", "nav-escalation-settings", Operation::ManageResponders),
    link("/my/escalation-notices", "nav-escalation-notices", Operation::DecideOwnDisclosures),
    link("/important-cases", "nav-important-cases", Operation::ManageImportantCases),
    link("/org-issues", "nav-org-issues", Operation::ViewOrgIssues),
    link("/raised-issues", "nav-raised-issues", Operation::WriteOrgIssues),
    link("/admin/personnel-authority", "nav-personnel-authority", Operation::SetPersonnelAuthority),
    link("/settings/themes", "nav-theme-settings", Operation::ManageReportSettings),
    link("/overall-reports", "nav-overall-reports", Operation::ReadOverallReports),
    link("/settings/reports", "nav-report-settings", Operation::ManageReportSettings),
    link("/management-reports", "nav-management-reports", Operation::ReadManagementReports),
    link("/reviews", "nav-reviews", Operation::ReadYearlyReviews),
    link("/reviews/compare", "nav-compare", Operation::CompareCycles),
    link("/referrals", "nav-referrals", Operation::ViewReferrals),
    link("/referral-counts", "nav-referral-counts", Operation::ViewReferralCounts),
    link("/settings/referral-contacts", "nav-referral-contacts", Operation::ManageReferralContacts),
    link("/actions", "nav-actions", Operation::ReadActionStatus),
    link("/policies", "nav-policies", Operation::ReadPolicyDocuments),
    link("/questionnaires", "nav-questionnaires", Operation::ManageQuestionnaires),
];

/// The navigation `actor` sees, in order: the links whose action the policy allows the actor's
/// role. The page frame shows exactly these.
pub fn navigation(actor: &Actor) -> Vec<NavLink> {
    NAV.iter().filter(|l| decide(actor, l.operation, Target::Route).is_allow()).copied().collect()
}

/// One `<option>` of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What every page's frame shows: who, in which role, for which company, and where to go.
pub struct PageCtx {
    pub t: Tr,
    pub title: String,
    /// User data the title ends with (a cycle's name), marked as such (lang="ja") in the heading.
    pub title_data: String,
    pub user_name: String,
    pub tenant_name: String,
    pub role_label: String,
    pub can_switch_role: bool,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub path: String,
    /// Where the language switch returns to: the page itself when it was asked for with a GET
    /// and no query but a `done` notice (`auth::page_address`), else `path`.
    pub return_to: String,
    pub signed_in: bool,
    /// Whether the user menu offers API tokens (the policy's `ManageOwnTokens`).
    pub can_manage_tokens: bool,
    /// The header's link to the inbox: unread notices and how they are said.
    pub notices: notifications::HeaderNotices,
}

impl PageCtx {
    pub fn new(p: &Principal, locale: Locale, title_key: &str, path: &str) -> Self {
        let t = Tr::new(locale);
        let nav = match p.actor() {
            Some(actor) => navigation(&actor)
                .into_iter()
                .map(|l| NavItem {
                    href: l.href,
                    label: t.get(l.label_key),
                    current: l.href == path
                        || (l.href != "/"
                            && path.starts_with(l.href)
                            && !NAV.iter().any(|o| o.href.len() > l.href.len() && path.starts_with(o.href))),
                })
                .collect(),
            None => Vec::new(),
        };
        PageCtx {
            t,
            title: t.get(title_key),
            title_data: String::new(),
            user_name: p.user.display_name.clone(),
            tenant_name: p.tenant.name.clone(),
            role_label: p.role.map(|r| role_label(t, r)).unwrap_or_default(),
            can_switch_role: p.user.roles.len() > 1,
            nav,
            csrf: p.csrf().to_string(),
            path: path.to_string(),
            return_to: p.here.as_deref().and_then(domain::session::local_return_path).unwrap_or(path).to_string(),
            signed_in: true,
            can_manage_tokens: p.actor().is_some_and(|a| decide(&a, Operation::ManageOwnTokens, Target::Route).is_allow()),
            notices: notifications::HeaderNotices::new(t, p),
        }
    }

    /// The frame for pages seen before signing in.
    pub fn anonymous(locale: Locale, title_key: &str, path: &str) -> Self {
        let t = Tr::new(locale);
        PageCtx {
            t,
            title: t.get(title_key),
            title_data: String::new(),
            user_name: String::new(),
            tenant_name: String::new(),
            role_label: String::new(),
            can_switch_role: false,
            nav: Vec::new(),
            csrf: String::new(),
            path: path.to_string(),
            return_to: path.to_string(),
            signed_in: false,
            can_manage_tokens: false,
            notices: notifications::HeaderNotices::default(),
        }
    }

    /// The other language, for the switch in the header.
    pub fn other_locale(&self) -> &'static str {
        match self.t.locale {
            Locale::Ja => "en",
            Locale::En => "ja",
        }
    }
}

pub fn role_label(t: Tr, role: Role) -> String {
    t.term(role)
}

pub fn render(tpl: &impl Template) -> AppResult<Response> {
    tpl.render().map(|html| Html(html).into_response()).map_err(|e| AppError::Internal(format!("template: {e}")))
}

/// A page answered with another status than 200 (a form sent back with its error, say).
pub fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

/// Today's date in Japan, from the store's clock (`domain::time::today_in_japan`).
pub use store::today_jst;

/// The trend chart across cycles of the pages' PDF downloads (the command line draws the same).
pub use downloads::trend as overall_trend_chart;
/// The exports' tag names (the tenant's labels instead of the codes): the PDFs, and the management CSV.
pub use downloads::{management_tags_named, overall_tags_named};
/// An escalation's id from a path (the API shares the pages' reading).
pub(crate) use escalations::parse_id as escalation_id;
pub use management_reports::print_html as management_print_html;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
    rows: Vec<String>,
    reference: String,
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// An error status with no page or JSON of ours: empty, or the framework's plain text.
fn drawn_by_framework(res: &Response) -> bool {
    let plain = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|c| c.trim_start().to_ascii_lowercase().starts_with("text/plain"));
    (res.status().is_client_error() || res.status().is_server_error()) && plain
}

/// Draws the body of every error response: JSON under `/api/`, a page elsewhere, in the
/// request's language. Internal causes go to the log with the request id, never to the client.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let path = req.uri().path().to_string();
    let asked = req.uri().path_and_query().map_or_else(|| path.clone(), |p| p.as_str().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let res = next.run(req).await;
    let (info, status) = match res.extensions().get::<ErrorInfo>() {
        Some(info) if res.status() == StatusCode::PAYLOAD_TOO_LARGE => (info.clone(), res.status()),
        Some(info) => (info.clone(), info.status),
        // A refusal drawn by the framework itself (a method not routed, a body over the
        // limit, an extractor's plain text) is explained through the same mapping, with the
        // framework's status.
        None if drawn_by_framework(&res) => (AppError::from_framework(res.status()).info(), res.status()),
        None => return res,
    };
    if !is_api && info.code == crate::error::GUIDE_NOT_ACKNOWLEDGED {
        // A boss's feedback page leads to the guide first, and the guide back to the page.
        return Redirect::to(&boss_guide::guide_href(&asked)).into_response();
    }
    let locale = res.extensions().get::<Locale>().copied().unwrap_or_default();
    if let Some(cause) = &info.internal {
        tracing::error!(request_id = %request_id, cause = %cause, "internal error");
    }
    let mut out = if is_api {
        let body = serde_json::json!({
            "error": {
                "code": info.code,
                "message": info.message.in_locale(locale),
                "message_ja": info.message.ja,
                "message_en": info.message.en,
                "field": info.field,
                "rows": info.rows.iter().map(|r| serde_json::json!({
                    "line": r.line, "column": r.column, "message_ja": r.message.ja, "message_en": r.message.en,
                })).collect::<Vec<_>>(),
                "request_id": request_id,
            }
        });
        let mut r = Response::new(Body::from(body.to_string()));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r
    } else {
        let ctx = match res.extensions().get::<Principal>() {
            Some(p) => PageCtx::new(p, locale, "error-title", &path),
            None => PageCtx::anonymous(locale, "error-title", &path),
        };
        let page = ErrorPage {
            ctx,
            status: status.as_u16(),
            message: info.message.in_locale(locale).to_string(),
            rows: info.rows.iter().take(200).map(|r| r.describe(locale)).collect(),
            reference: request_id,
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => Response::new(Body::from(info.message.in_locale(locale).to_string())),
        }
    };
    *out.status_mut() = status;
    if let Some(secs) = info.retry_after {
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            out.headers_mut().insert(RETRY_AFTER, v);
        }
    }
    out
}
