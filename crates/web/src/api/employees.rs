//! The employee register as JSON (`/api/v1/employees`), for HR systems and scripts.

use super::echo;
use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use store::{EmployeeFilter, EmployeeRow};
use utoipa::ToSchema;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/employees", Operation::ListEmployees, list)
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// The list's query, validated by hand so that a bad number answers with the JSON error
/// naming the parameter rather than a plain-text rejection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: i64,
    pub offset: i64,
    pub q: Option<String>,
    pub department: Option<String>,
}

/// `limit` of a list call: 1 to `max`; the error names the parameter and echoes the value.
pub(super) fn parse_limit(v: &str, max: i64) -> Result<i64, Invalid> {
    v.trim().parse::<i64>().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| bad_limit(v, max))
}

/// `offset` of a list call: 0 or more.
pub(super) fn parse_offset(v: &str) -> Result<i64, Invalid> {
    v.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| bad_offset(v))
}

fn bad_limit(v: &str, max: i64) -> Invalid {
    let v = echo(v);
    Invalid::new(
        "limit",
        format!("limit には1から{max}までの整数を指定してください（指定値:「{v}」）。"),
        format!("limit must be a whole number from 1 to {max} (got \"{v}\")"),
    )
}

fn bad_offset(v: &str) -> Invalid {
    let v = echo(v);
    Invalid::new(
        "offset",
        format!("offset には0以上の整数を指定してください（指定値:「{v}」）。"),
        format!("offset must be a whole number, 0 or more (got \"{v}\")"),
    )
}

impl ListQuery {
    /// Reads `limit`, `offset`, `q` and `department`; the first of repeated parameters counts,
    /// unknown ones are ignored.
    pub fn parse(raw: Option<&str>) -> Result<ListQuery, Invalid> {
        let mut out = ListQuery { limit: DEFAULT_LIMIT, offset: 0, q: None, department: None };
        let (mut seen_limit, mut seen_offset) = (false, false);
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "limit" if !seen_limit => {
                    seen_limit = true;
                    out.limit = parse_limit(&v, MAX_LIMIT)?;
                }
                "offset" if !seen_offset => {
                    seen_offset = true;
                    out.offset = parse_offset(&v)?;
                }
                "q" if out.q.is_none() => out.q = Some(v.trim().to_string()).filter(|s| !s.is_empty()),
                "department" if out.department.is_none() => out.department = Some(v.trim().to_string()).filter(|s| !s.is_empty()),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// One page of the register.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeeList {
    /// Employees matching the query, over all pages.
    pub total: i64,
    pub items: Vec<Employee>,
    pub limit: i64,
    pub offset: i64,
}

/// An employee as the register holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Employee {
    #[schema(example = "E0102")]
    pub employee_number: String,
    #[schema(example = "佐藤 花子")]
    pub name: String,
    #[schema(example = "サトウ ハナコ")]
    pub name_kana: Option<String>,
    /// The department's path from the top of the tree.
    #[schema(example = "営業本部/第一営業部")]
    pub department: String,
    #[schema(example = "G3")]
    pub grade: Option<String>,
    #[schema(example = "E0001")]
    pub boss_employee_number: Option<String>,
    #[schema(example = 1990)]
    pub birth_year: Option<i64>,
    /// YYYY-MM-DD.
    #[schema(example = "2013-04-01")]
    pub hire_date: Option<String>,
    #[schema(example = "hanako.sato@example.co.jp")]
    pub email: Option<String>,
    /// `active` (在籍), `on_leave` (休職) or `retired` (退職).
    #[schema(example = "active")]
    pub status: String,
}

impl From<EmployeeRow> for Employee {
    fn from(e: EmployeeRow) -> Self {
        Employee {
            employee_number: e.number,
            name: e.name,
            name_kana: e.name_kana,
            department: e.department,
            grade: e.grade,
            boss_employee_number: e.boss_number,
            birth_year: e.birth_year,
            hire_date: e.hire_date,
            email: e.email,
            status: e.status,
        }
    }
}

/// A page of the employee register, ordered by employee number. Each call is recorded in
/// the audit log. Roles: hr, admin.
#[utoipa::path(
    get,
    path = "/api/v1/employees",
    operation_id = "listEmployees",
    tag = "employees",
    params(
        ("limit" = Option<i64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = "Rows to skip (default 0)", minimum = 0),
        ("q" = Option<String>, Query, description = "Part of the employee number, name or reading (kana)"),
        ("department" = Option<String>, Query, description = "A department path such as 営業本部/第一営業部; its sub-departments are included"),
    ),
    responses(
        (status = 200, description = "A page of employees", body = EmployeeList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "The acting role may not list employees", body = ErrorBody),
        (status = 422, description = "A bad limit or offset; `field` names it", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list(State(state): State<AppState>, Authed(p): Authed, RawQuery(raw): RawQuery) -> AppResult<Json<EmployeeList>> {
    let q = ListQuery::parse(raw.as_deref())?;
    let filter = EmployeeFilter { query: q.q, department_prefix: q.department, limit: q.limit, offset: q.offset, ..Default::default() };
    let (total, rows) = state.store.employees(&p.ctx(), &filter).await?;
    Ok(Json(EmployeeList { total, items: rows.into_iter().map(Employee::from).collect(), limit: q.limit, offset: q.offset }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(raw: &str) -> Option<&'static str> {
        ListQuery::parse(Some(raw)).err().map(|e| e.field)
    }

    #[test]
    fn defaults_and_values() {
        assert_eq!(ListQuery::parse(None), Ok(ListQuery { limit: 50, offset: 0, q: None, department: None }));
        assert_eq!(
            ListQuery::parse(Some("limit=500&offset=1000&q=%E5%B1%B1%E7%94%B0&department=&other=x")),
            Ok(ListQuery { limit: 500, offset: 1000, q: Some("山田".into()), department: None })
        );
        assert_eq!(ListQuery::parse(Some("limit=1&limit=abc")).map(|q| q.limit), Ok(1), "the first one counts");
    }

    #[test]
    fn bad_numbers_name_their_parameter() {
        for raw in ["limit=0", "limit=501", "limit=-1", "limit=abc", "limit=", "limit=1.5", "limit=99999999999999999999"] {
            assert_eq!(field_of(raw), Some("limit"), "{raw}");
        }
        for raw in ["offset=-1", "offset=x", "offset=", "limit=10&offset=-5"] {
            assert_eq!(field_of(raw), Some("offset"), "{raw}");
        }
    }

    #[test]
    fn messages_echo_a_short_value_in_both_languages() {
        let e = ListQuery::parse(Some(&format!("limit={}", "9".repeat(100)))).err().map(|e| e.message);
        let m = e.unwrap_or_else(|| domain::Message::new("", ""));
        assert!(m.ja.contains("limit には1から500までの整数"), "{}", m.ja);
        assert!(m.en.starts_with("limit must be"), "{}", m.en);
        assert!(m.en.len() < 120);
    }

    // -----------------------------------------------------------------------------------------
    // Through the real router, on both databases
    // -----------------------------------------------------------------------------------------

    use crate::{app, AppState, WebConfig};
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use domain::import::parse_employee_csv;
    use domain::tenant::{KThreshold, TenantSlug};
    use domain::Role;
    use serde_json::Value;
    use store::{Ctx, KeySource, NewUser, OpenOptions, Store};
    use tower::ServiceExt;

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

    async fn get(app: &axum::Router, token: &str, uri: &str) -> (StatusCode, Value) {
        let mut req = Request::get(uri).header("accept-language", "en");
        if !token.is_empty() {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let res = app.clone().oneshot(req.body(Body::empty()).unwrap_or_default()).await.unwrap_or_else(|never| match never {});
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.unwrap_or_default();
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())))
    }

    #[tokio::test]
    async fn the_api_lists_employees_and_explains_bad_parameters() {
        for backend in testkit::Backend::ALL {
            api_on(backend).await;
        }
    }

    async fn api_on(backend: testkit::Backend) {
        let db = testkit::fresh_db(backend).expect("db");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("store");
        let tenant =
            store.create_tenant(&TenantSlug::parse("acme").expect("slug"), "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let mut tokens = Vec::new();
        for (login, role) in [("hana", Role::Hr), ("kei", Role::Consultant)] {
            let user = NewUser { login, display_name: "人事 花子", password: "password1", roles: &[role], employee: None };
            let id = store.create_user(&op, &user).await.expect("user");
            let (token, _) = store.create_token(&Ctx::for_tests(tenant.id, id, login, Some(role)), role, "t", None).await.expect("token");
            tokens.push(token);
        }
        let csv = "社員番号,氏名,所属,上司社員番号,生年,入社日,在籍区分\nE1,山田 太郎,営業本部,,1975,1998-04-01,\nE2,佐藤 花子,営業本部/第一営業部,E1,1990,2013/4/1,休職\nE3,鈴木 一郎,管理本部,E1,,,\n";
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let rows = parse_employee_csv(csv.as_bytes(), today).map(|p| p.rows).unwrap_or_default();
        store.import_employees(&op, &rows).await.expect("import");
        let app = app(AppState::new(store.clone(), WebConfig::default()));
        let (hana, kei) = (&tokens[0], &tokens[1]);

        let (status, me) = get(&app, hana, "/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (me["user"]["login"].as_str(), me["tenant"]["slug"].as_str(), me["acting_role"].as_str()),
            (Some("hana"), Some("acme"), Some("hr"))
        );
        assert_eq!(me["user"]["roles"], serde_json::json!(["hr"]));

        let (status, page) = get(&app, hana, "/api/v1/employees?limit=2").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((page["total"].as_i64(), page["limit"].as_i64(), page["offset"].as_i64()), (Some(3), Some(2), Some(0)));
        let second = &page["items"][1];
        assert_eq!(second["employee_number"], "E2");
        assert_eq!(second["boss_employee_number"], "E1");
        assert_eq!(
            (second["hire_date"].as_str(), second["birth_year"].as_i64(), second["status"].as_str()),
            (Some("2013-04-01"), Some(1990), Some("on_leave"))
        );
        let (_, rest) = get(&app, hana, "/api/v1/employees?limit=2&offset=2").await;
        assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
        let (_, sales) = get(&app, hana, "/api/v1/employees?department=%E5%96%B6%E6%A5%AD%E6%9C%AC%E9%83%A8").await;
        assert_eq!(sales["total"].as_i64(), Some(2));
        let (_, found) = get(&app, hana, "/api/v1/employees?q=%E9%88%B4%E6%9C%A8").await;
        assert_eq!(found["items"][0]["employee_number"], "E3");

        for (uri, field) in
            [("/api/v1/employees?limit=0", "limit"), ("/api/v1/employees?limit=abc", "limit"), ("/api/v1/employees?offset=-1", "offset")]
        {
            let (status, err) = get(&app, hana, uri).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
            assert_eq!((err["error"]["code"].as_str(), err["error"]["field"].as_str()), (Some("invalid"), Some(field)), "{uri}: {err}");
            assert!(err["error"]["message"].as_str().is_some_and(|m| m.starts_with(field)), "English message: {err}");
        }

        let (status, err) = get(&app, kei, "/api/v1/employees").await;
        assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (status, err) = get(&app, "", "/api/v1/me").await;
        assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));

        let (status, health) = get(&app, "", "/healthz").await;
        assert_eq!((status, health["status"].as_str(), health["database"].as_str()), (StatusCode::OK, Some("ok"), Some(backend.as_str())));
        let (status, doc) = get(&app, "", "/api/v1/openapi.json").await;
        assert_eq!((status, doc["info"]["title"].as_str()), (StatusCode::OK, Some("careerdock API")));
        assert!(doc["paths"]["/api/v1/employees"]["get"].is_object());
        store.close().await;
    }
}
