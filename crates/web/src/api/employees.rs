//! The employee register as JSON (`/api/v1/employees`), for HR systems and scripts.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use domain::policy::{Action, Target};
use domain::Invalid;
use serde::Serialize;
use store::{EmployeeFilter, EmployeeRow};
use utoipa::ToSchema;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/employees", Action::ListEmployees, list)
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

/// A value echoed in a message, cut short so a huge parameter is not sent back whole.
fn echo(v: &str) -> String {
    v.chars().take(40).collect()
}

fn bad_limit(v: &str) -> Invalid {
    let v = echo(v);
    Invalid::new(
        "limit",
        format!("limit には1から{MAX_LIMIT}までの整数を指定してください（指定値:「{v}」）。"),
        format!("limit must be a whole number from 1 to {MAX_LIMIT} (got \"{v}\")"),
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
                    out.limit = v.trim().parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| bad_limit(&v))?;
                }
                "offset" if !seen_offset => {
                    seen_offset = true;
                    out.offset = v.trim().parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| bad_offset(&v))?;
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
    p.check(Action::ListEmployees, Target::Route)?;
    let q = ListQuery::parse(raw.as_deref())?;
    let filter = EmployeeFilter { query: q.q, department_prefix: q.department, limit: q.limit, offset: q.offset };
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
}
