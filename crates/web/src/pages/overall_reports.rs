//! The overall report (全体報告書, R3): the versions per cycle (`/overall-reports`, role-aware),
//! one version with its tables and narrative side by side (`/overall-reports/{id}`: a released
//! snapshot, or a draft's preview with what would be hidden and why), the narrative's editor
//! (`/overall-reports/{id}/edit`), the approve / release actions, and HR's reporting settings
//! (`/settings/reports`: the threshold k and the lead consultants). Hidden cells read
//! 「非表示（k人未満）」 and never carry a figure.

use super::form::{escape, sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, with_status, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::breakdown::{self, Hidden, Verdict};
use domain::ids::{TenantId, UserId};
use domain::overall_narrative::{Narrative, SECTIONS};
use domain::overall_report::{Dimension, Dimensions, Measure, OverallReport, Table};
use domain::policy::Operation;
use domain::Locale;
use std::collections::{BTreeMap, HashMap};
use store::{Ctx, Direction, OverallReportId, OverallVersionRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/overall-reports", Operation::ReadOverallReports, list)
        .post("/overall-reports", Operation::WriteOverallReports, start)
        .get("/overall-reports/{id}", Operation::ReadOverallReports, show)
        .get("/overall-reports/{id}/report.pdf", Operation::ReadOverallReports, download_pdf)
        .get("/overall-reports/{id}/report.csv", Operation::ReadOverallReports, download_csv)
        .get("/overall-reports/{id}/edit", Operation::WriteOverallReports, edit_form)
        .post("/overall-reports/{id}/edit", Operation::WriteOverallReports, edit)
        .post("/overall-reports/{id}/approve", Operation::ReleaseOverallReports, approve)
        .post("/overall-reports/{id}/reopen", Operation::ReleaseOverallReports, reopen)
        .post("/overall-reports/{id}/release", Operation::ReleaseOverallReports, release)
        .get("/settings/reports", Operation::ManageReportSettings, settings_form)
        .post("/settings/reports", Operation::ManageReportSettings, save_settings)
}

use super::consents::path_id as positive;

const PATH: &str = "/overall-reports";

// ---------------------------------------------------------------- words for the figures

/// How a report's labels and measures are said in a language (tags by the tenant's taxonomy).
pub struct Words {
    t: Tr,
    tags: HashMap<String, String>,
    /// The tenant's releases by id, as a preview's reasons name them (「2025年度 第1版」).
    releases: HashMap<i64, String>,
}

impl Words {
    pub fn new(t: Tr, tags: HashMap<String, String>) -> Words {
        Words { t, tags, releases: HashMap::new() }
    }

    /// With the names of the tenant's releases (id, cycle, version), for a preview's reasons.
    pub fn with_releases(mut self, releases: &[(i64, domain::overall_report::CycleRef, i64)]) -> Words {
        let t = self.t;
        // HTML: the cycle's name is the tenant's data, escaped and marked lang="ja".
        self.releases = releases
            .iter()
            .map(|(id, c, v)| {
                let cycle = format!("<span lang=\"ja\">{}</span>", escape(&c.name));
                (*id, t.with2("or-release-name", ("cycle", &cycle), ("version", &v.to_string())))
            })
            .collect();
        self
    }

    /// The tenant's tag labels in the locale, by code.
    pub async fn of_tenant(store: &store::Store, tenant: TenantId, t: Tr) -> AppResult<Words> {
        let items = store.taxonomy(tenant, store::Taxonomy::IssueTags, true).await?;
        Ok(Words::new(t, items.iter().map(|i| (i.code.clone(), i.label(t.locale).to_string())).collect()))
    }

    /// The tenant's tag labels in the locale, by code.
    pub fn tag_labels(&self) -> &HashMap<String, String> {
        &self.tags
    }

    pub fn measure(&self, code: &str) -> String {
        match Measure::parse(code) {
            Some(Measure::People) => self.t.get("or-measure-people"),
            Some(Measure::Tag(c)) => self.tags.get(&c).cloned().unwrap_or(c),
            Some(Measure::LifeSafety) => self.t.get("term-flag-life-safety"),
            Some(Measure::OrganizationalResponse) => self.t.get("term-flag-organizational-response"),
            Some(Measure::Theme(term)) => self.t.with("or-measure-theme", "term", term),
            None => code.to_string(),
        }
    }

    pub fn dimension(&self, d: Dimension) -> String {
        self.t.get(&format!("or-dim-{}", d.as_str()))
    }

    /// A group's label: bands in words (「30〜39歳」), departments and grades as they are.
    pub fn label(&self, dims: &Dimensions, d: Dimension, label: &str) -> String {
        let band = match d {
            Dimension::Age => dims.age.as_ref(),
            Dimension::Tenure => dims.tenure.as_ref(),
            _ => None,
        };
        let Some(b) = band.and_then(|b| b.bands.iter().find(|b| b.label == label)) else { return label.to_string() };
        let unit = if d == Dimension::Age { "age" } else { "tenure" };
        match b.max {
            Some(max) => self.t.with2(&format!("or-band-{unit}"), ("min", &b.min.to_string()), ("max", &max.to_string())),
            None => self.t.with(&format!("or-band-{unit}-open"), "min", b.min),
        }
    }

    pub fn table(&self, t: &Table) -> String {
        if t.by.is_empty() {
            return self.t.get("or-table-overall");
        }
        let names: Vec<String> = t.by.iter().map(|d| self.dimension(*d)).collect();
        self.t.with("or-table-by", "dims", names.join(" × "))
    }
}

/// One cell as a page shows it.
pub struct CellView {
    pub text: String,
    pub hidden: bool,
    /// Why it is hidden, or that everyone shares it (previews only), as HTML (`note`).
    pub note: String,
    pub homogeneous: bool,
}

pub struct RowView {
    pub labels: Vec<String>,
    /// Whether the labels are the tenant's data (departments, grades): marked lang="ja".
    pub cells: Vec<CellView>,
    /// The drill-down to the department's sub-departments (a released page's department
    /// label with sub-departments), or empty.
    pub drill: String,
}

/// The department drill-down of a page: which labels link one level down, and where.
pub struct Drill {
    /// The page with the breakdown chosen, to which `&dept=<label>` is added.
    pub base: String,
    /// Department labels with sub-departments of their own.
    pub with_children: std::collections::BTreeSet<String>,
    /// The department shown now (its own row does not link to itself).
    pub current: Option<String>,
}

impl Drill {
    fn href(&self, group: &BTreeMap<Dimension, String>, by: &[Dimension]) -> String {
        // Only the one-way table goes down a level (two-way tables hold the top level).
        let Some(label) = group.get(&Dimension::Department).filter(|_| by == [Dimension::Department]) else { return String::new() };
        if !self.with_children.contains(label) || self.current.as_deref() == Some(label.as_str()) {
            return String::new();
        }
        format!("{}&dept={}", self.base, url::form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>())
    }
}

/// A step of the department breadcrumb: its label and link (empty for the department shown).
pub struct Crumb {
    pub label: String,
    pub href: String,
}

pub struct TableView {
    pub id: String,
    pub caption: String,
    pub dims: Vec<String>,
    pub measures: Vec<String>,
    pub rows: Vec<RowView>,
    /// A preview's groups whose every figure is hidden, taken out of the table and listed
    /// under it by reason (a page of thousands of hidden cells stays readable).
    pub collapsed: Vec<CollapsedRows>,
    /// How many groups `collapsed` lists.
    pub collapsed_count: usize,
}

/// Groups of a preview's table whose every figure is hidden for the same reasons.
pub struct CollapsedRows {
    /// HTML, as a cell's note.
    pub reason: String,
    /// The groups' labels, joined.
    pub labels: String,
}

/// Takes a preview's rows whose every cell is hidden out of `rows`, grouped by their reasons
/// (in the order first met); a row with a shown cell stays.
fn collapse_hidden(t: Tr, rows: &mut Vec<RowView>) -> (Vec<CollapsedRows>, usize) {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut count = 0;
    rows.retain(|r| {
        if r.cells.is_empty() || !r.cells.iter().all(|c| c.hidden) {
            return true;
        }
        let mut reasons: Vec<&str> = Vec::new();
        for c in &r.cells {
            if !c.note.is_empty() && !reasons.contains(&c.note.as_str()) {
                reasons.push(&c.note);
            }
        }
        let reason = reasons.join(if t.locale == Locale::Ja { "／" } else { "; " });
        let label = r.labels.join(" × ");
        match groups.iter_mut().find(|(k, _)| *k == reason) {
            Some((_, labels)) => labels.push(label),
            None => groups.push((reason, vec![label])),
        }
        count += 1;
        false
    });
    let sep = if t.locale == Locale::Ja { "、" } else { ", " };
    (groups.into_iter().map(|(reason, labels)| CollapsedRows { reason, labels: labels.join(sep) }).collect(), count)
}

fn hidden_text(t: Tr, k: u32) -> String {
    t.with("or-hidden", "k", k)
}

fn figure(t: Tr, measure: &str, n: Option<u64>, value: Option<f64>) -> String {
    match (n, value) {
        (Some(n), Some(v)) if measure != "people" && n > 0 => {
            let pct = (v / n as f64 * 100.0).round();
            t.with2("or-share", ("value", &format!("{v:.0}")), ("pct", &format!("{pct:.0}")))
        }
        (Some(n), _) => n.to_string(),
        _ => String::new(),
    }
}

/// Why a preview's cell is hidden (or that everyone shares it), as HTML: our own words, with a
/// release's name marked as the tenant's data.
fn note(w: &Words, v: &Verdict) -> String {
    let t = w.t;
    match v.hidden {
        Some(Hidden::BelowK) => escape(&t.get("or-why-below-k")),
        Some(Hidden::Secondary) => escape(&t.get("or-why-secondary")),
        Some(Hidden::Differencing { release }) => {
            let name = w.releases.get(&release).cloned().unwrap_or_else(|| format!("#{release}"));
            t.with("or-why-differencing", "release", name)
        }
        None if v.homogeneous => escape(&t.get("or-why-homogeneous")),
        None => String::new(),
    }
}

/// The tables of a report as pages show them: rows by group, a column per measure. `verdicts`
/// (a preview's, one per cell in order) add the reasons. A table's themes (`theme:<term>`)
/// follow it in a テーマ section of their own, one column per theme.
pub fn table_views(w: &Words, report: &OverallReport, verdicts: Option<&[Verdict]>, only: Option<&[String]>) -> Vec<TableView> {
    table_views_at(w, report, verdicts, only, None, None)
}

/// [`table_views`] at a level of the department drill-down (`level`: `Some(None)` the top
/// level, `Some(Some(label))` under a department; `None` every department), with the drill
/// links of `drill`.
pub fn table_views_at(
    w: &Words,
    report: &OverallReport,
    verdicts: Option<&[Verdict]>,
    only: Option<&[String]>,
    level: Option<Option<&str>>,
    drill: Option<&Drill>,
) -> Vec<TableView> {
    let mut i = 0usize;
    let mut out = Vec::new();
    for table in &report.tables {
        let start = i;
        i += table.cells.len();
        if only.is_some_and(|names| !names.contains(&table.name)) {
            continue;
        }
        let id = format!("table-{}", table.name.replace('_', "-"));
        let caption = w.table(table);
        let is_theme = |m: &str| matches!(Measure::parse(m), Some(Measure::Theme(_)));
        let at = View { start, verdicts, level, drill };
        if let Some(v) = table_view(w, report, table, &at, |m| !is_theme(m), id.clone(), caption.clone()) {
            out.push(v);
        }
        let themes_caption = w.t.with("or-themes-of", "table", caption);
        if let Some(v) = table_view(w, report, table, &at, is_theme, format!("{id}-themes"), themes_caption) {
            out.push(v);
        }
    }
    out
}

/// How one table is viewed: where its verdicts start, the drill-down level and links.
struct View<'a> {
    start: usize,
    verdicts: Option<&'a [Verdict]>,
    level: Option<Option<&'a str>>,
    drill: Option<&'a Drill>,
}

/// One table's cells of the measures `keep` selects, as a page shows them; `None` when none.
fn table_view(
    w: &Words,
    report: &OverallReport,
    table: &Table,
    at: &View<'_>,
    keep: impl Fn(&str) -> bool,
    id: String,
    caption: String,
) -> Option<TableView> {
    let t = w.t;
    let (start, verdicts) = (at.start, at.verdicts);
    let mut measures: Vec<String> = Vec::new();
    let mut rows: Vec<(&BTreeMap<Dimension, String>, Vec<CellView>)> = Vec::new();
    // Rows by group: a table of 2,500 departments × 30 measures is not searched row by row.
    let mut row_of: HashMap<&BTreeMap<Dimension, String>, usize> = HashMap::new();
    for (j, c) in table.cells.iter().enumerate() {
        if !keep(&c.measure) {
            continue;
        }
        if at.level.is_some_and(|level| !breakdown::group_at_department_level(level, &c.group)) {
            continue;
        }
        if !measures.contains(&c.measure) {
            measures.push(c.measure.clone());
        }
        let v = verdicts.and_then(|all| all.get(start + j));
        let view = CellView {
            text: if c.suppressed { hidden_text(t, report.k) } else { figure(t, &c.measure, c.n, c.value) },
            hidden: c.suppressed,
            note: v.map(|v| note(w, v)).unwrap_or_default(),
            homogeneous: v.is_some_and(|v| v.homogeneous && v.hidden.is_none()),
        };
        match row_of.get(&c.group) {
            Some(&i) => rows[i].1.push(view),
            None => {
                row_of.insert(&c.group, rows.len());
                rows.push((&c.group, vec![view]));
            }
        }
    }
    if measures.is_empty() {
        return None;
    }
    let mut rows: Vec<RowView> = rows
        .into_iter()
        .map(|(g, cells)| RowView {
            labels: if table.by.is_empty() {
                vec![t.get("or-everyone")]
            } else {
                table.by.iter().map(|d| w.label(&report.dimensions, *d, g.get(d).map(String::as_str).unwrap_or(""))).collect()
            },
            cells,
            drill: at.drill.map(|d| d.href(g, &table.by)).unwrap_or_default(),
        })
        .collect();
    // A preview lists the groups whose every figure is hidden under the table, with why.
    let (collapsed, collapsed_count) = if verdicts.is_some() { collapse_hidden(t, &mut rows) } else { (Vec::new(), 0) };
    Some(TableView {
        id,
        caption,
        dims: table.by.iter().map(|d| w.dimension(*d)).collect(),
        measures: measures.iter().map(|m| w.measure(m)).collect(),
        rows,
        collapsed,
        collapsed_count,
    })
}

/// The trend of the whole-population figures over the earlier cycles' releases and this one.
pub fn trend_view(w: &Words, earlier: &[OverallReport], this: &OverallReport) -> Option<TableView> {
    if earlier.is_empty() {
        return None;
    }
    let t = w.t;
    let whole = |r: &OverallReport| r.tables.iter().find(|t| t.by.is_empty()).cloned();
    let this_table = whole(this)?;
    let measures: Vec<String> = this_table.cells.iter().map(|c| c.measure.clone()).collect();
    let rows = earlier
        .iter()
        .chain(std::iter::once(this))
        .map(|r| {
            let table = whole(r);
            let cells = measures
                .iter()
                .map(|m| {
                    let c = table.as_ref().and_then(|t| t.cells.iter().find(|c| &c.measure == m));
                    match c {
                        Some(c) if !c.suppressed => {
                            CellView { text: figure(t, m, c.n, c.value), hidden: false, note: String::new(), homogeneous: false }
                        }
                        Some(_) => CellView { text: hidden_text(t, r.k), hidden: true, note: String::new(), homogeneous: false },
                        None => CellView { text: "—".into(), hidden: false, note: String::new(), homogeneous: false },
                    }
                })
                .collect();
            RowView { labels: vec![format!("{}（v{}）", r.cycle.name, r.version)], cells, drill: String::new() }
        })
        .collect();
    Some(TableView {
        id: "table-trend".into(),
        caption: t.get("or-trend-caption"),
        dims: vec![t.get("or-trend-cycle")],
        measures: measures.iter().map(|m| w.measure(m)).collect(),
        rows,
        collapsed: Vec::new(),
        collapsed_count: 0,
    })
}

// ---------------------------------------------------------------- the list

pub struct VersionLine {
    pub href: String,
    pub cycle: String,
    pub version: i64,
    pub state: String,
    pub state_code: &'static str,
    pub k: u32,
    pub created: String,
    pub released: String,
}

#[derive(Template)]
#[template(path = "overall_reports.html")]
struct ListPage {
    ctx: PageCtx,
    lead: String,
    list: ListView,
    lines: Vec<VersionLine>,
    cycles: Vec<(i64, String)>,
    errors: FormErrors,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListSort {
    Cycle,
}

static LIST: ListSpec<ListSort> = ListSpec {
    path: PATH,
    default_sort: SortOption::new("cycle", ListSort::Cycle, Direction::Desc),
    sorts: &[],
    filters: &[],
    search: false,
    per_page: 50,
};

fn line(t: Tr, r: &OverallVersionRow) -> VersionLine {
    VersionLine {
        href: format!("{PATH}/{}", r.id),
        cycle: r.cycle.name.clone(),
        version: r.version,
        state: t.term(r.state),
        state_code: r.state.as_str(),
        k: r.k,
        created: t.date_time(r.created_at),
        released: r.released_at.map(|at| t.date_time(at)).unwrap_or_else(|| "—".into()),
    }
}

async fn list_page(state: &AppState, p: &Principal, locale: Locale, raw: Option<&str>, errors: FormErrors) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "or-list-title", PATH);
    let t = ctx.t;
    let params = ListParams::parse(&LIST, raw);
    let page = state.store.overall_report_page(&p.ctx(), params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let writer = matches!(p.role, Some(domain::Role::Consultant | domain::Role::Supervisor));
    let list = ListView::new(t, &params, page.total, page.items.len())
        .column("or-col-cycle", None, "")
        .column("or-col-version", None, "num")
        .column("or-col-state", None, "nowrap")
        .column("or-col-k", None, "num")
        .column("or-col-created", None, "date")
        .column("or-col-released", None, "date")
        .empty(if writer { "or-list-empty-writer" } else { "or-list-empty-reader" }, "or-list-empty-reader");
    let cycles = state.store.cycles_for_overall(&p.ctx()).await?;
    let lead = t.get(if writer { "or-list-lead-writer" } else { "or-list-lead-reader" });
    render(&ListPage { lines: page.items.iter().map(|r| line(t, r)).collect(), ctx, lead, list, cycles, errors })
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    list_page(&state, &p, locale, raw.as_deref(), FormErrors::none()).await
}

async fn start(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let cycle = f.text("cycle").trim().parse::<i64>().ok().filter(|c| *c > 0);
    let Some(cycle) = cycle else {
        let problem = domain::Invalid::new("cycle", "対象の実施年度を選んでください。", "Choose the cycle");
        let page = list_page(&state, &p, locale, None, FormErrors::new(Tr::new(locale), &[problem])).await?;
        return Ok(with_status(page, axum::http::StatusCode::UNPROCESSABLE_ENTITY));
    };
    let id = state.store.start_overall_report(&p.ctx(), cycle).await?;
    Ok(Redirect::to(&format!("{PATH}/{id}/edit")).into_response())
}

// ---------------------------------------------------------------- one version

pub struct SectionView {
    pub field: &'static str,
    pub heading: String,
    pub text: String,
    pub max: usize,
}

fn sections(t: Tr, n: &Narrative) -> Vec<SectionView> {
    SECTIONS
        .iter()
        .map(|s| SectionView {
            field: s.field,
            heading: if t.locale == Locale::Ja { s.label_ja.to_string() } else { s.label_en.to_string() },
            text: n.get(s.field).to_string(),
            max: s.max,
        })
        .collect()
}

/// A breakdown a reader may choose.
pub struct Choice {
    pub href: String,
    pub label: String,
    pub current: bool,
    /// A preview's table: how many of its cells will be hidden, and why.
    pub meta: String,
}

/// What a preview's table will hide, by reason: 「非表示 12件（最小人数未満 8、逆算の防止 4）」.
fn hidden_meta(t: Tr, verdicts: &[Verdict]) -> String {
    let (mut below, mut secondary, mut differencing) = (0usize, 0usize, 0usize);
    for v in verdicts {
        match v.hidden {
            Some(Hidden::BelowK) => below += 1,
            Some(Hidden::Secondary) => secondary += 1,
            Some(Hidden::Differencing { .. }) => differencing += 1,
            None => {}
        }
    }
    let total = below + secondary + differencing;
    if total == 0 {
        return t.get("or-choice-none-hidden");
    }
    let parts: Vec<String> = [("or-reason-below-k", below), ("or-reason-secondary", secondary), ("or-reason-differencing", differencing)]
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(key, n)| t.with(key, "count", *n))
        .collect();
    let sep = if t.locale == Locale::Ja { "、" } else { ", " };
    t.with2("or-choice-hidden", ("count", &total.to_string()), ("reasons", &parts.join(sep)))
}

/// A preview shows the whole and one breakdown at a time (`?by=`, the first breakdown when
/// none is asked), every breakdown offered with what it will hide and why: the page of a large
/// company stays small. Answers the tables' names to show and the choices; `None` for a
/// breakdown the version has no table of.
fn preview_choice(
    w: &Words,
    report: &OverallReport,
    verdicts: &[Verdict],
    id: OverallReportId,
    asked: Vec<Dimension>,
) -> Option<(Vec<String>, Vec<Choice>)> {
    use std::collections::BTreeSet;
    let set = |by: &[Dimension]| by.iter().copied().collect::<BTreeSet<Dimension>>();
    let all: Vec<&Table> = report.tables.iter().filter(|t| !t.by.is_empty()).collect();
    let chosen = if asked.is_empty() { all.first().map(|t| t.by.clone()).unwrap_or_default() } else { asked };
    let want = set(&chosen);
    let names: Vec<String> = report
        .tables
        .iter()
        .filter(|t| t.by.is_empty() || (set(&t.by) == want && t.by.len() == want.len()))
        .map(|t| t.name.clone())
        .collect();
    if !want.is_empty() && !all.iter().any(|t| set(&t.by) == want) {
        return None;
    }
    let mut start = 0usize;
    let mut offsets = HashMap::new();
    for t in &report.tables {
        offsets.insert(t.name.clone(), start);
        start += t.cells.len();
    }
    let choices = all
        .iter()
        .map(|table| {
            let from = offsets.get(&table.name).copied().unwrap_or(0);
            let of_table = verdicts.get(from..from + table.cells.len()).unwrap_or(&[]);
            let q: Vec<String> = table.by.iter().map(|d| format!("by={}", d.as_str())).collect();
            Choice {
                href: format!("{PATH}/{id}?{}", q.join("&")),
                label: table.by.iter().map(|d| w.dimension(*d)).collect::<Vec<_>>().join(" × "),
                current: set(&table.by) == want,
                meta: hidden_meta(w.t, of_table),
            }
        })
        .collect();
    Some((names, choices))
}

#[derive(Template)]
#[template(path = "overall_report.html")]
struct ShowPage {
    ctx: PageCtx,
    id: i64,
    cycle: String,
    version: i64,
    state: String,
    state_code: &'static str,
    k: u32,
    as_of: String,
    population: String,
    released: String,
    preview: bool,
    hidden_total: usize,
    homogeneous_total: usize,
    sections: Vec<SectionView>,
    tables: Vec<TableView>,
    trend: Option<TableView>,
    choices: Vec<Choice>,
    notices: Vec<String>,
    can_write: bool,
    can_approve: bool,
    can_release: bool,
    /// The narrative's sections still empty (approval needs all four), joined.
    missing: String,
    errors: FormErrors,
    /// A release's charts (the chosen tables and the trend) and download links.
    charts: Vec<super::downloads::ChartView>,
    downloads: Vec<super::downloads::DownloadLink>,
    /// The department drill-down's way down (empty when the tables shown have no department).
    crumbs: Vec<Crumb>,
}

/// The department asked for (`?dept=<label>`), if any.
fn dept_of(raw: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, v)| k == "dept" && !v.trim().is_empty())
        .map(|(_, v)| v.into_owned())
}

/// The breadcrumb of the department drill-down: every department at the top, then the way
/// down to the one shown; each step links to its level (`base` + `&dept=`), the last does not.
fn crumbs(t: Tr, base: &str, dept: Option<&str>) -> Vec<Crumb> {
    let mut out = vec![Crumb { label: t.get("or-dept-top"), href: if dept.is_some() { base.to_string() } else { String::new() } }];
    if let Some(dept) = dept {
        let trail = breakdown::department_trail(dept);
        let last = trail.len().saturating_sub(1);
        for (i, label) in trail.iter().enumerate() {
            let name = label.rsplit('/').next().unwrap_or(label).to_string();
            let href = if i == last {
                String::new()
            } else {
                format!("{base}&dept={}", url::form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>())
            };
            out.push(Crumb { label: name, href });
        }
    }
    out
}

fn dims_of(raw: Option<&str>) -> Vec<Dimension> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k == "by" {
            for part in v.split([',', ' ']) {
                if let Some(d) = Dimension::parse(part.trim()) {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

fn flag(raw: Option<&str>, name: &str) -> bool {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()).any(|(k, _)| k == name)
}

async fn show_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: OverallReportId,
    raw: Option<&str>,
    errors: FormErrors,
) -> AppResult<Response> {
    let asked = dims_of(raw);
    let dept = dept_of(raw);
    // A release's snapshot is read for the tables shown only (the others counted).
    let choice = if asked.is_empty() { store::TableChoice::FirstOffered } else { store::TableChoice::Breakdown(asked.clone()) };
    // Of the department tables, only the cells of the level shown (a preview is read whole).
    let d = state.store.overall_report_at(&p.ctx(), id, &choice, dept.as_deref()).await?;
    let mut ctx = PageCtx::new(p, locale, "or-list-title", PATH);
    let t = ctx.t;
    ctx.title = t.with("or-page-title", "version", d.row.version);
    ctx.title_data = d.row.cycle.name.clone();
    let w = Words::of_tenant(&state.store, p.tenant.id, t).await?.with_releases(&d.releases);
    let preview = d.preview.is_some();
    // A department drill-down to a department the version does not know is "not found".
    if dept.as_deref().is_some_and(|l| !breakdown::knows_department(&d.report, l)) {
        return Err(AppError::NotFound);
    }
    let with_children = breakdown::departments_with_children(&d.report);
    // The page with a breakdown chosen, as the drill-down's links and the breadcrumb start it.
    let base = |by: &[Dimension]| {
        let q: Vec<String> = by.iter().map(|d| format!("by={}", d.as_str())).collect();
        format!("{PATH}/{id}?{}", q.join("&"))
    };
    let dept_q = dept.as_deref().map(|l| format!("&dept={}", url::form_urlencoded::byte_serialize(l.as_bytes()).collect::<String>()));
    // A release: the whole population and one chosen breakdown among those with shown cells.
    // A preview: the whole and one breakdown, with the reasons. Department tables show one level
    // of the tree at a time (`?dept=`), with a breadcrumb.
    let mut charts = Vec::new();
    let mut downloads = Vec::new();
    let (tables, choices, shown_by) = if let Some(notes) = &d.preview {
        let (names, mut choices) = preview_choice(&w, &d.report, &notes.verdicts, id, asked).ok_or(AppError::NotFound)?;
        let shown_by: Vec<Dimension> =
            d.report.tables.iter().filter(|t| names.contains(&t.name) && !t.by.is_empty()).flat_map(|t| t.by.clone()).collect();
        for c in &mut choices {
            if c.href.contains("by=department") {
                c.href.push_str(dept_q.as_deref().unwrap_or(""));
            }
        }
        let drill = Drill { base: base(&shown_by), with_children, current: dept.clone() };
        let views = table_views_at(&w, &d.report, Some(&notes.verdicts), Some(&names), Some(dept.as_deref()), Some(&drill));
        (views, choices, shown_by)
    } else {
        let offered: Vec<Vec<Dimension>> = d.tables.iter().filter(|t| !t.by.is_empty() && t.shown > 0).map(|t| t.by.clone()).collect();
        let chosen: Vec<Dimension> = if asked.is_empty() { offered.first().cloned().unwrap_or_default() } else { asked };
        // The store read the whole and the chosen table only, of the level shown: its counts
        // (of every cell) say whether the choice is offered, as `breakdown::select` would.
        let same = |by: &Vec<Dimension>| by.len() == chosen.len() && chosen.iter().all(|d| by.contains(d));
        if !chosen.is_empty() && !offered.iter().any(same) {
            return Err(AppError::NotFound);
        }
        let shown = breakdown::at_department(&d.report, dept.as_deref());
        if let Some(trend) = super::downloads::trend(&d.earlier, &d.report, locale) {
            charts.extend(super::downloads::chart_view(&trend));
        }
        for i in 0..shown.tables.len() {
            if let Some(c) = export::overall::table_chart(&shown, i, locale) {
                charts.extend(super::downloads::chart_view(&c));
            }
        }
        downloads = super::downloads::links(t, &format!("{PATH}/{id}"));
        let choices = offered
            .iter()
            .map(|by| {
                let label = by.iter().map(|d| w.dimension(*d)).collect::<Vec<_>>().join(" × ");
                let current = by.iter().collect::<std::collections::BTreeSet<_>>() == chosen.iter().collect();
                let mut href = base(by);
                if by.contains(&Dimension::Department) {
                    href.push_str(dept_q.as_deref().unwrap_or(""));
                }
                Choice { href, label, current, meta: String::new() }
            })
            .collect();
        let drill = Drill { base: base(&chosen), with_children, current: dept.clone() };
        (table_views_at(&w, &shown, None, None, None, Some(&drill)), choices, chosen)
    };
    let crumbs = if shown_by.contains(&Dimension::Department) { crumbs(t, &base(&shown_by), dept.as_deref()) } else { Vec::new() };
    // The totals are of every table, shown on this page or not.
    let hidden_total: usize = d.tables.iter().map(|t| t.cells - t.shown).sum();
    let homogeneous_total = d.preview.as_ref().map_or(0, |n| n.verdicts.iter().filter(|v| v.homogeneous && v.hidden.is_none()).count());
    let mut notices = Vec::new();
    for (key, msg) in
        [("saved", "or-saved"), ("approved", "or-approved-notice"), ("released", "or-released-notice"), ("reopened", "or-reopened-notice")]
    {
        if flag(raw, key) {
            notices.push(t.get(msg));
        }
    }
    let as_of =
        chrono::DateTime::parse_from_rfc3339(&d.report.population.as_of).map(|x| t.date_time(x.timestamp_millis())).unwrap_or_default();
    render(&ShowPage {
        id: id.get(),
        cycle: d.row.cycle.name.clone(),
        version: d.row.version,
        state: t.term(d.row.state),
        state_code: d.row.state.as_str(),
        k: d.report.k,
        as_of,
        population: match d.report.population.n {
            Some(n) => t.with("home-people", "count", n),
            None => hidden_text(t, d.report.k),
        },
        released: d.row.released_at.map(|at| t.date_time(at)).unwrap_or_default(),
        preview,
        hidden_total,
        homogeneous_total,
        missing: sections(t, &d.narrative)
            .iter()
            .filter(|s| s.text.trim().is_empty())
            .map(|s| s.heading.clone())
            .collect::<Vec<_>>()
            .join(if locale == Locale::Ja { "、" } else { ", " }),
        sections: sections(t, &d.narrative),
        trend: trend_view(&w, &d.earlier, &d.report),
        tables,
        choices,
        notices,
        can_write: d.can_write,
        can_approve: d.can_approve,
        can_release: d.can_release,
        errors,
        charts,
        downloads,
        crumbs,
        ctx,
    })
}

async fn show(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    show_page(&state, &p, locale, id, raw.as_deref(), FormErrors::none()).await
}

// ---------------------------------------------------------------- downloads (PDF, CSV)

/// A released version as the reader may read it (the page's check and audited read), with the
/// tables `?by=` chooses (every table without it). A draft answers "not found" to everyone,
/// refused by the store before any audited read: only released versions are downloaded.
async fn released_for_download(state: &AppState, p: &Principal, raw_id: &str, raw: Option<&str>) -> AppResult<store::OverallReportDetail> {
    let id = OverallReportId::new(positive(raw_id)?);
    let by = dims_of(raw);
    // Only the tables asked for are read out of the snapshot (every table without a choice).
    let choice = if by.is_empty() { store::TableChoice::Every } else { store::TableChoice::Breakdown(by.clone()) };
    let mut d = state.store.released_overall_report_by_id_with(&p.ctx(), id, &choice).await?;
    if !by.is_empty() {
        d.report = breakdown::select(&d.report, &by).ok_or(AppError::NotFound)?;
    }
    Ok(d)
}

async fn download_pdf(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let d = released_for_download(&state, &p, &id, raw.as_deref()).await?;
    let report = &d.report;
    let trend = super::downloads::trend(&d.earlier, report, locale);
    let words = Words::of_tenant(&state.store, p.tenant.id, Tr::new(locale)).await?;
    let named = super::downloads::overall_tags_named(report, words.tag_labels());
    let doc = export::overall::document(&named, &super::downloads::sections(&d.narrative, locale), trend, locale);
    let bytes = super::downloads::render_pdf(doc).await?;
    super::downloads::attachment(bytes, "application/pdf", export::file_names("overall-report", &report.cycle.name, report.version, "pdf"))
}

async fn download_csv(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let report = released_for_download(&state, &p, &id, raw.as_deref()).await?.report;
    let encoding = super::downloads::encoding(raw.as_deref());
    let file = export::overall::csv(&report, locale, encoding).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    super::downloads::attachment(
        file.bytes,
        &super::downloads::csv_type(encoding),
        export::file_names("overall-report", &report.cycle.name, report.version, "csv"),
    )
}

// ---------------------------------------------------------------- the narrative's editor

#[derive(Template)]
#[template(path = "overall_report_edit.html")]
struct EditPage {
    ctx: PageCtx,
    id: i64,
    sections: Vec<SectionView>,
    errors: FormErrors,
}

async fn edit_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: OverallReportId,
    typed: Option<Narrative>,
    errors: FormErrors,
) -> AppResult<Response> {
    let d = state.store.overall_report_with(&p.ctx(), id, &store::TableChoice::Whole).await?;
    if !d.can_write {
        return Err(AppError::NotFound);
    }
    let mut ctx = PageCtx::new(p, locale, "or-list-title", PATH);
    let t = ctx.t;
    ctx.title = t.with("or-edit-page-title", "version", d.row.version);
    ctx.title_data = d.row.cycle.name.clone();
    let n = typed.unwrap_or(d.narrative);
    render(&EditPage { id: id.get(), sections: sections(t, &n), errors, ctx })
}

async fn edit_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    edit_page(&state, &p, locale, id, None, FormErrors::none()).await
}

async fn edit(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(id): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    let typed = Narrative {
        trends: f.text("trends"),
        issues: f.text("issues"),
        solutions: f.text("solutions"),
        development: f.text("development"),
    };
    match state.store.save_overall_narrative(&p.ctx(), id, &typed).await {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}/{id}?saved=1")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(edit_page(&state, &p, locale, id, Some(typed), errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- approve, reopen, release

async fn decided(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: OverallReportId,
    result: store::Result<()>,
    done: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{PATH}/{id}?{done}=1")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(show_page(state, p, locale, id, None, errors).await?, status))
        }
    }
}

async fn approve(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    let r = state.store.approve_overall_report(&p.ctx(), id).await;
    decided(&state, &p, locale, id, r, "approved").await
}

async fn reopen(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    let r = state.store.reopen_overall_report(&p.ctx(), id).await;
    decided(&state, &p, locale, id, r, "reopened").await
}

async fn release(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Path(id): Path<String>) -> AppResult<Response> {
    let id = OverallReportId::new(positive(&id)?);
    let r = state.store.release_overall_report(&p.ctx(), id).await.map(|_| ());
    decided(&state, &p, locale, id, r, "released").await
}

// ---------------------------------------------------------------- settings (HR)

pub struct LeadChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "report_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    k: String,
    leads: Vec<LeadChoice>,
    locked: Vec<(String, u32)>,
    saved: bool,
    errors: FormErrors,
}

async fn settings_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    typed: Option<(String, Vec<i64>)>,
    saved: bool,
    errors: FormErrors,
) -> AppResult<Response> {
    let s = state.store.report_settings(&p.ctx()).await?;
    let ctx = PageCtx::new(p, locale, "or-settings-title", "/settings/reports");
    let (k, chosen) = match typed {
        Some((k, ids)) => (k, Some(ids)),
        None => (s.k.to_string(), None),
    };
    let leads = s
        .consultants
        .iter()
        .map(|(id, name, lead)| LeadChoice {
            id: id.get(),
            name: name.clone(),
            checked: chosen.as_ref().map_or(*lead, |ids| ids.contains(&id.get())),
        })
        .collect();
    render(&SettingsPage { ctx, k, leads, locked: s.locked, saved, errors })
}

async fn settings_form(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    settings_page(&state, &p, locale, None, flag(raw.as_deref(), "saved"), FormErrors::none()).await
}

async fn save_settings(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let k = f.text("k");
    let leads: Vec<i64> = f.all("leads").iter().filter_map(|v| v.trim().parse().ok()).collect();
    let ids: Vec<UserId> = leads.iter().map(|i| UserId::new(*i)).collect();
    match state.store.set_report_settings(&p.acting(Ctx::as_hr)?, &k, &ids).await {
        Ok(_) => Ok(Redirect::to("/settings/reports?saved=1").into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            let errors = FormErrors::new(Tr::new(locale), &problems);
            Ok(with_status(settings_page(&state, &p, locale, Some((k, leads)), false, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- home card and print

/// The home card of consultants, the supervisor and HR: the latest version they may read.
pub async fn home_card(state: &AppState, p: &Principal, t: Tr) -> AppResult<super::home::Card> {
    let page = state.store.overall_report_page(&p.ctx(), store::PageRequest::first(1)).await?;
    let (figure, body, href) = match page.items.first() {
        Some(r) => (
            t.term(r.state),
            t.with2(
                "or-home-latest",
                ("cycle", &format!("<span lang=\"ja\">{}</span>", escape(&r.cycle.name))),
                ("version", &r.version.to_string()),
            ),
            format!("{PATH}/{}", r.id),
        ),
        None => (String::new(), escape(&t.get("or-home-none")), PATH.to_string()),
    };
    Ok(super::home::Card {
        key: "overall_report",
        title: t.get("or-home-title"),
        figure,
        body,
        items: Vec::new(),
        href,
        link: t.get("or-home-link"),
    })
}

#[derive(Template)]
#[template(path = "overall_print.html")]
struct PrintPage {
    lang: &'static str,
    title: String,
    t: Tr,
    meta: Vec<(String, String)>,
    sections: Vec<SectionView>,
    tables: Vec<TableView>,
}

/// A released report as one print-friendly HTML document (the command line's `--format html`).
pub fn print_html(report: &OverallReport, narrative: &Narrative, words: &Words) -> AppResult<String> {
    let t = words.t;
    let meta = vec![
        (t.get("or-col-cycle"), report.cycle.name.clone()),
        (t.get("or-col-version"), report.version.to_string()),
        (t.get("or-col-k"), report.k.to_string()),
        (t.get("or-population"), report.population.n.map(|n| n.to_string()).unwrap_or_else(|| hidden_text(t, report.k))),
        (t.get("or-as-of"), report.population.as_of.clone()),
        (t.get("or-col-released"), report.released_at.clone().unwrap_or_default()),
    ];
    let page = PrintPage {
        lang: t.code(),
        title: t.with("or-show-title", "version", report.version),
        t,
        meta,
        sections: sections(t, narrative),
        tables: table_views(words, report, None, None),
    };
    page.render().map_err(|e| AppError::Internal(format!("template: {e}")))
}
