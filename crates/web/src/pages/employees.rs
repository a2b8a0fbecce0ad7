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

/// Employees in each department including its sub-departments, in the order given. Each
/// department adds its headcount to itself and to every listed ancestor path (linear in the
/// number of departments times their depth, not quadratic: 2,500 departments at 100,000 people).
pub fn subtree_headcounts(departments: &[DepartmentRow]) -> Vec<i64> {
    let index: std::collections::HashMap<&str, usize> = departments.iter().enumerate().map(|(i, d)| (d.path.as_str(), i)).collect();
    let mut totals = vec![0; departments.len()];
    for d in departments {
        let mut path = d.path.as_str();
        loop {
            if let Some(&i) = index.get(path) {
                totals[i] += d.headcount;
            }
            match path.rfind('/') {
                Some(cut) => path = &path[..cut],
                None => break,
            }
        }
    }
    totals
}

/// Up to this many departments, the department filter offers every one of them.
pub const DEPARTMENT_OPTIONS_ALL: usize = 300;

/// Which departments the filter offers (indices into `departments`): every one in a company of
/// up to [`DEPARTMENT_OPTIONS_ALL`]; in a larger one (2,500 at 100,000 people, which would
/// make the page over 300 KiB), the top two levels, and below them only the departments
/// under the chosen one and its ancestors, so that choosing a department and searching offers
/// its sections next. `true` when some were left out.
pub fn department_choices(departments: &[DepartmentRow], selected: &str) -> (Vec<usize>, bool) {
    if departments.len() <= DEPARTMENT_OPTIONS_ALL {
        return ((0..departments.len()).collect(), false);
    }
    let on_chosen_chain = |parent: &str| !selected.is_empty() && (selected == parent || selected.starts_with(&format!("{parent}/")));
    let shown: Vec<usize> = departments
        .iter()
        .enumerate()
        .filter(|(_, d)| d.depth <= 2 || d.path == selected || d.path.rsplit_once('/').is_some_and(|(parent, _)| on_chosen_chain(parent)))
        .map(|(i, _)| i)
        .collect();
    let cut = shown.len() < departments.len();
    (shown, cut)
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
    let (offered, departments_cut) = department_choices(&departments, &department);
    let departments: Vec<(String, String)> = offered
        .into_iter()
        .map(|i| (&departments[i], counts[i]))
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
        .help(if departments_cut { "employees-department-help-drill-down" } else { "employees-department-help" })
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
    fn large_companies_offer_the_top_levels_and_the_chosen_branch() {
        let small = [dept("営業本部", 2), dept("営業本部/第一営業部", 5), dept("営業本部/第一営業部/第一課", 3)];
        assert_eq!(department_choices(&small, ""), (vec![0, 1, 2], false));
        let mut large = Vec::new();
        for h in 0..20 {
            large.push(dept(&format!("本部{h}"), 0));
            for b in 0..5 {
                large.push(dept(&format!("本部{h}/部{b}"), 0));
                for k in 0..4 {
                    large.push(dept(&format!("本部{h}/部{b}/課{k}"), 1));
                }
            }
        }
        assert!(large.len() > DEPARTMENT_OPTIONS_ALL);
        let paths = |selected: &str| -> Vec<String> {
            let (shown, cut) = department_choices(&large, selected);
            assert!(cut);
            shown.into_iter().map(|i| large[i].path.clone()).collect()
        };
        let none = paths("");
        assert_eq!(none.len(), 20 + 100);
        assert!(none.iter().all(|p| p.split('/').count() <= 2));
        // A department chosen: its sections are offered, and only its own.
        let chosen = paths("本部3/部1");
        assert_eq!(chosen.len(), 120 + 4);
        assert!(chosen.contains(&"本部3/部1/課0".to_string()) && !chosen.contains(&"本部3/部2/課0".to_string()));
        // A section chosen: it and its siblings stay offered.
        let section = paths("本部3/部1/課2");
        assert_eq!(section, chosen);
        // 本部1 is not an ancestor of 本部10's sections.
        assert!(!paths("本部1").iter().any(|p| p.starts_with("本部10/") && p.split('/').count() == 3));
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
