//! The employee register (従業員名簿) for HR and administrators: search by number, name or
//! reading, narrow to a department and its sub-departments, 50 to a page.

use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, PageCtx};
use crate::auth::{Authed, Lang};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::employee::EmployeeStatus;
use domain::policy::{decide, Operation, Target};
use store::{DepartmentRow, Direction, EmployeeFilter, EmployeeRow, EmployeeSort};

pub fn routes(r: Routes) -> Routes {
    r.get("/employees", Operation::ListEmployees, list)
}

pub const PAGE_SIZE: i64 = 50;

/// Employees in each department including its sub-departments, in the order given.
pub fn subtree_headcounts(departments: &[DepartmentRow]) -> Vec<i64> {
    departments
        .iter()
        .map(|d| {
            let prefix = format!("{}/", d.path);
            departments.iter().filter(|o| o.path == d.path || o.path.starts_with(&prefix)).map(|o| o.headcount).sum()
        })
        .collect()
}

pub use super::list::grouped;

/// The status as the UI names it; an unknown stored code is shown as it is.
pub fn status_label(t: Tr, raw: &str) -> String {
    match EmployeeStatus::parse(raw) {
        Ok(s) => t.term(s),
        Err(_) => raw.to_string(),
    }
}

pub struct EmployeeView {
    pub number: String,
    pub name: String,
    pub kana: String,
    pub department: String,
    pub grade: String,
    pub boss_name: String,
    pub boss_number: String,
    pub status: String,
}

impl EmployeeView {
    fn new(t: Tr, e: EmployeeRow) -> Self {
        EmployeeView {
            status: status_label(t, &e.status),
            number: e.number,
            name: e.name,
            kana: e.name_kana.unwrap_or_default(),
            department: e.department,
            grade: e.grade.unwrap_or_default(),
            boss_name: e.boss_name.unwrap_or_default(),
            boss_number: e.boss_number.unwrap_or_default(),
        }
    }
}

static SPEC: ListSpec<EmployeeSort> = ListSpec {
    path: "/employees",
    default_sort: SortOption::new("number", EmployeeSort::Number, Direction::Asc),
    sorts: &[
        SortOption::new("name", EmployeeSort::Name, Direction::Asc),
        SortOption::new("department", EmployeeSort::Department, Direction::Asc),
    ],
    filters: &["department"],
    search: true,
    per_page: PAGE_SIZE,
};

#[derive(Template)]
#[template(path = "employees.html")]
struct EmployeesPage {
    ctx: PageCtx,
    list: ListView,
    rows: Vec<EmployeeView>,
    caption: String,
    can_import: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let actor = p.actor().ok_or(AppError::NeedsRole)?;
    let ctx = PageCtx::new(&p, locale, "employees-title", "/employees");
    let t = ctx.t;
    let mut params = ListParams::parse(&SPEC, raw.as_deref());
    let departments = state.store.departments(p.tenant.id).await?;
    // A department that does not exist (an old or edited link) is dropped, not searched for.
    if params.filter("department").is_some_and(|d| !departments.iter().any(|o| o.path == d)) {
        params.drop_filter("department");
    }
    let department = params.filter("department").unwrap_or("").to_string();
    let filter = EmployeeFilter {
        query: params.search().map(str::to_string),
        department_prefix: Some(department.clone()).filter(|d| !d.is_empty()),
        limit: params.page_request().limit(),
        offset: params.page_request().offset(),
        sort: params.sort,
        dir: params.dir,
    };
    let (total, rows) = state.store.employees(&p.ctx(), &filter).await?;
    // A page past the end (the list shrank, or the link was edited) goes to the last page.
    if let Some(last) = params.beyond_end(total).filter(|_| rows.is_empty()) {
        return Ok(Redirect::to(&last).into_response());
    }
    let counts = subtree_headcounts(&departments);
    let departments: Vec<(String, String)> = departments
        .iter()
        .zip(counts)
        .map(|(d, n)| {
            // Options cannot hold markup: the tree is shown by indenting with ideographic spaces.
            let label = format!(
                "{}{}{}",
                "\u{3000}".repeat((d.depth.max(1) - 1) as usize),
                d.name,
                t.with("employees-headcount", "count", grouped(n))
            );
            (d.path.clone(), label)
        })
        .collect();
    let list = ListView::new(t, &params, total, rows.len())
        .search(&params.q, "employees-search", "employees-search-help")
        .filter("department", "employees-department", Some(&department), departments)
        .user_data()
        .help("employees-department-help")
        .column("employee-col-number", Some("number"), "nowrap")
        .column("employee-col-name", Some("name"), "")
        .column("employee-col-kana", None, "")
        .column("employee-col-department", Some("department"), "")
        .column("employee-col-grade", None, "nowrap")
        .column("employee-col-boss", None, "")
        .column("employee-col-status", None, "nowrap")
        .empty("employees-empty", "employees-empty-filtered");
    let page = EmployeesPage {
        list,
        rows: rows.into_iter().map(|e| EmployeeView::new(t, e)).collect(),
        caption: if params.active() { t.get("employees-caption-filtered") } else { t.get("employees-caption") },
        can_import: decide(&actor, Operation::ImportEmployees, Target::Route).is_allow(),
        ctx,
    };
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::DepartmentId;
    use domain::Locale;

    fn dept(path: &str, headcount: i64) -> DepartmentRow {
        DepartmentRow {
            id: DepartmentId::new(1),
            parent: None,
            name: path.rsplit('/').next().unwrap_or(path).to_string(),
            path: path.to_string(),
            depth: path.split('/').count() as i64,
            headcount,
        }
    }

    #[test]
    fn headcounts_include_sub_departments_only() {
        let d = [dept("営業本部", 2), dept("営業本部/第一営業部", 5), dept("営業本部/第二営業部", 3), dept("営業本部別館", 7)];
        assert_eq!(subtree_headcounts(&d), vec![10, 5, 3, 7]);
    }

    #[test]
    fn every_status_has_a_label_in_both_languages() {
        for locale in Locale::ALL {
            let t = Tr::new(locale);
            for s in ["active", "on_leave", "retired"] {
                let label = status_label(t, s);
                assert!(!label.is_empty() && !label.contains("Unknown localization"), "{s}: {label}");
            }
        }
        assert_eq!(status_label(Tr::new(Locale::Ja), "on_leave"), "休職");
        assert_eq!(status_label(Tr::new(Locale::En), "mystery"), "mystery");
    }
}
