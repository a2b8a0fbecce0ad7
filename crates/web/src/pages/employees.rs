//! The employee register (従業員名簿) for HR and administrators: search by number, name or
//! reading, narrow to a department and its sub-departments, 50 to a page.

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
use store::{DepartmentRow, EmployeeFilter, EmployeeRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/employees", Operation::ListEmployees, list)
}

pub const PAGE_SIZE: i64 = 50;

/// The list's query string, read leniently: a page link that was edited by hand shows page 1
/// rather than an error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListParams {
    pub q: String,
    pub department: String,
    pub page: i64,
}

impl ListParams {
    pub fn parse(raw: Option<&str>) -> Self {
        let mut out = ListParams { page: 1, ..ListParams::default() };
        let (mut seen_q, mut seen_dept, mut seen_page) = (false, false, false);
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "q" if !seen_q => {
                    seen_q = true;
                    out.q = v.trim().chars().take(100).collect();
                }
                "department" if !seen_dept => {
                    seen_dept = true;
                    out.department = v.trim().to_string();
                }
                "page" if !seen_page => {
                    seen_page = true;
                    out.page = v.trim().parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1);
                }
                _ => {}
            }
        }
        out
    }

    pub fn filtered(&self) -> bool {
        !self.q.is_empty() || !self.department.is_empty()
    }

    /// The link to another page of the same search.
    pub fn href(&self, page: i64) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        if !self.department.is_empty() {
            s.append_pair("department", &self.department);
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let query = s.finish();
        if query.is_empty() {
            "/employees".to_string()
        } else {
            format!("/employees?{query}")
        }
    }
}

/// Where a page sits in the whole list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageMath {
    pub page: i64,
    pub pages: i64,
    /// 1-based positions of the first and last rows of this page (0, 0 when empty).
    pub from: i64,
    pub to: i64,
}

impl PageMath {
    pub fn offset(page: i64) -> i64 {
        (page.max(1) - 1).saturating_mul(PAGE_SIZE)
    }

    pub fn new(total: i64, page: i64, shown: usize) -> Self {
        let pages = ((total.max(0) + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let shown = shown as i64;
        let from = if shown == 0 { 0 } else { Self::offset(page) + 1 };
        let to = if shown == 0 { 0 } else { Self::offset(page) + shown };
        PageMath { page, pages, from, to }
    }
}

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

/// 12345 → "12,345".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    // Digits are ASCII, so every chunk is valid UTF-8.
    let groups: Vec<&str> = digits.as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", groups.join(","))
}

/// The status as the UI names it; an unknown stored code is shown as it is.
pub fn status_label(t: Tr, raw: &str) -> String {
    match EmployeeStatus::parse(raw) {
        Ok(EmployeeStatus::Active) => t.get("employee-status-active"),
        Ok(EmployeeStatus::OnLeave) => t.get("employee-status-on-leave"),
        Ok(EmployeeStatus::Retired) => t.get("employee-status-retired"),
        Err(_) => raw.to_string(),
    }
}

pub struct DepartmentOption {
    pub path: String,
    pub label: String,
    pub selected: bool,
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

#[derive(Template)]
#[template(path = "employees.html")]
struct EmployeesPage {
    ctx: PageCtx,
    q: String,
    filtered: bool,
    departments: Vec<DepartmentOption>,
    departments_cut: bool,
    rows: Vec<EmployeeView>,
    summary: String,
    caption: String,
    empty_message: String,
    position: String,
    prev: Option<String>,
    next: Option<String>,
    can_import: bool,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let actor = p.actor().ok_or(AppError::NeedsRole)?;
    let ctx = PageCtx::new(&p, locale, "employees-title", "/employees");
    let t = ctx.t;
    let params = ListParams::parse(raw.as_deref());
    let filter = EmployeeFilter {
        query: Some(params.q.clone()).filter(|q| !q.is_empty()),
        department_prefix: Some(params.department.clone()).filter(|d| !d.is_empty()),
        limit: PAGE_SIZE,
        offset: PageMath::offset(params.page),
    };
    let (total, rows) = state.store.employees(&p.ctx(), &filter).await?;
    let math = PageMath::new(total, params.page, rows.len());
    // A page past the end (the list shrank, or the link was edited) goes to the last page.
    if rows.is_empty() && params.page > math.pages {
        return Ok(Redirect::to(&params.href(math.pages)).into_response());
    }
    let departments = state.store.departments(p.tenant.id).await?;
    let counts = subtree_headcounts(&departments);
    let (offered, departments_cut) = department_choices(&departments, &params.department);
    let departments = offered
        .into_iter()
        .map(|i| (&departments[i], counts[i]))
        .map(|(d, n)| DepartmentOption {
            // Options cannot hold markup: the tree is shown by indenting with ideographic spaces.
            label: format!(
                "{}{}{}",
                "\u{3000}".repeat((d.depth.max(1) - 1) as usize),
                d.name,
                t.with("employees-headcount", "count", grouped(n))
            ),
            selected: d.path == params.department,
            path: d.path.clone(),
        })
        .collect();
    let empty_message = if params.filtered() { t.get("employees-empty-filtered") } else { t.get("employees-empty") };
    let summary = if rows.is_empty() {
        t.with("employees-total", "count", grouped(total))
    } else {
        format!(
            "{}{}",
            t.with("employees-total", "count", grouped(total)),
            t.with("employees-range", "range", format!("{}–{}", grouped(math.from), grouped(math.to)))
        )
    };
    let page = EmployeesPage {
        q: params.q.clone(),
        filtered: params.filtered(),
        departments,
        departments_cut,
        rows: rows.into_iter().map(|e| EmployeeView::new(t, e)).collect(),
        caption: if params.filtered() { t.get("employees-caption-filtered") } else { t.get("employees-caption") },
        summary,
        empty_message,
        position: t.with("employees-page-of", "position", format!("{} / {}", math.page, math.pages)),
        prev: (math.page > 1).then(|| params.href(math.page - 1)),
        next: (math.page < math.pages).then(|| params.href(math.page + 1)),
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

    #[test]
    fn params_are_read_leniently() {
        let p = ListParams::parse(Some("q=%E5%B1%B1%E7%94%B0&department=%E5%96%B6%E6%A5%AD%E6%9C%AC%E9%83%A8&page=3"));
        assert_eq!(p, ListParams { q: "山田".into(), department: "営業本部".into(), page: 3 });
        assert_eq!(ListParams::parse(Some("page=abc")).page, 1);
        assert_eq!(ListParams::parse(Some("page=-2")).page, 1);
        assert_eq!(ListParams::parse(Some("page=0")).page, 1);
        assert_eq!(ListParams::parse(None), ListParams { page: 1, ..ListParams::default() });
        assert_eq!(ListParams::parse(Some("q=+a+&q=b")).q, "a");
        assert!(!ListParams::parse(Some("q=&department=")).filtered());
    }

    #[test]
    fn links_keep_the_search() {
        let p = ListParams { q: "山田 太郎".into(), department: "営業本部/第一営業部".into(), page: 2 };
        let href = p.href(3);
        assert!(href.starts_with("/employees?q="));
        assert_eq!(ListParams::parse(href.split_once('?').map(|(_, q)| q)), ListParams { page: 3, ..p.clone() });
        assert_eq!(ListParams::default().href(1), "/employees");
        assert_eq!(ListParams::default().href(2), "/employees?page=2");
    }

    #[test]
    fn page_math() {
        assert_eq!(PageMath::offset(1), 0);
        assert_eq!(PageMath::offset(3), 100);
        assert_eq!(PageMath::new(0, 1, 0), PageMath { page: 1, pages: 1, from: 0, to: 0 });
        assert_eq!(PageMath::new(50, 1, 50), PageMath { page: 1, pages: 1, from: 1, to: 50 });
        assert_eq!(PageMath::new(51, 2, 1), PageMath { page: 2, pages: 2, from: 51, to: 51 });
        assert_eq!(PageMath::new(120, 2, 50), PageMath { page: 2, pages: 3, from: 51, to: 100 });
        assert_eq!(PageMath::new(120, 9, 0).pages, 3);
        assert_eq!(PageMath::offset(i64::MAX), i64::MAX);
    }

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
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(-1234), "-1,234");
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
