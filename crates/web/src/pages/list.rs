//! One list pattern for every list page (issue 7): paging in SQL with the total, a search box,
//! filters and a sort kept in the URL, sortable column headers, a pager and a readable empty
//! state. Bad parameters never fail: an unknown sort, direction, page or page size falls back
//! to the list's default, an unknown filter name is ignored, and the page drops a filter value it
//! does not know ([`ListParams::drop_filter`]), so an edited or stale link still shows a list.
//!
//! # Using it on a page
//!
//! ```text
//! // 1. The list's shape: its path, its default sort and the others it allows, its filters.
//! static SPEC: ListSpec<ReportSort> = ListSpec {
//!     path: "/reports",
//!     default_sort: SortOption::new("updated", ReportSort::Updated, Direction::Desc),
//!     sorts: &[SortOption::new("held", ReportSort::Held, Direction::Desc)],
//!     filters: &["status", "cycle"],
//!     search: true,
//!     per_page: 50,
//! };
//!
//! // 2. In the handler (take `RawQuery(raw): RawQuery`):
//! let mut params = ListParams::parse(&SPEC, raw.as_deref());
//! if params.filter("status").is_some_and(|s| ReportStatus::parse(s).is_none()) {
//!     params.drop_filter("status");
//! }
//! let page = state.store.reports_page(&ctx, &filter, params.sort, params.dir, params.page_request()).await?;
//! if let Some(last) = params.beyond_end(page.total) {     // a page past the end: go to the last
//!     return Ok(Redirect::to(&last).into_response());
//! }
//! let list = ListView::new(t, &params, page.total, page.items.len())
//!     .search("reports-search", "reports-search-help")
//!     .filter("status", "report-status", options)             // (value, label) pairs
//!     .column("report-subject", Some("employee"), "")        // sortable by "employee"
//!     .column("report-held", Some("held"), "date")           // nowrap
//!     .column("report-updated", None, "num")                 // not sortable, right-aligned
//!     .empty("reports-empty", "reports-empty-filtered");    // nothing at all / nothing matches
//! // 3. The page's template struct has a field named `list: ListView`, and its template says
//! //    {% include "list_toolbar.html" %}   the search form (label, filters, 検索, reset link)
//! //    {% include "list_summary.html" %}   「1,201件中 1〜50件」
//! //    {% if list.is_empty() %}{% include "list_empty.html" %}{% else %}
//! //    <table class="list">{% include "list_thead.html" %}<tbody>…</tbody></table>
//! //    {% include "list_pager.html" %}{% endif %}
//! ```
//!
//! Cells use the classes of `app.css`: `num` (right-aligned, tabular figures, no wrapping),
//! `date` and `nowrap` (no wrapping); `.status` and `.tag` pills and the headers of a
//! `table.list` never wrap.
//!
//! The store side (`store::paging`): list functions take a `store::PageRequest` (from
//! [`ListParams::page_request`]), a typed sort and a `store::Direction`, and answer a
//! `store::Paged` (rows of the page and the total of the same conditions).

use super::Choice;
use crate::i18n::Tr;
use store::{Direction, PageRequest};

/// Page sizes a reader may choose; any other value falls back to the list's default.
pub const PER_PAGE_CHOICES: [i64; 4] = [20, 50, 100, 200];

/// The furthest page a link may ask for (beyond it, the page is clamped).
const MAX_PAGE: i64 = 1_000_000;

/// The longest search text and filter value kept, in characters.
const MAX_TEXT: usize = 100;

/// One sort a list allows: its key in the URL, the store's typed sort, and the direction a
/// first click on its header gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortOption<S: 'static> {
    pub key: &'static str,
    pub sort: S,
    pub default_dir: Direction,
}

impl<S: Copy> SortOption<S> {
    pub const fn new(key: &'static str, sort: S, default_dir: Direction) -> Self {
        SortOption { key, sort, default_dir }
    }
}

/// The shape of one list: where it lives, its default sort and the other sorts it allows (the
/// whitelist of `sort=`), the names of its filters, whether it has a search box, its default
/// page size.
#[derive(Debug)]
pub struct ListSpec<S: 'static> {
    pub path: &'static str,
    pub default_sort: SortOption<S>,
    pub sorts: &'static [SortOption<S>],
    pub filters: &'static [&'static str],
    pub search: bool,
    pub per_page: i64,
}

impl<S: Copy> ListSpec<S> {
    /// The allowed sort of this key, if any.
    fn option(&self, key: &str) -> Option<SortOption<S>> {
        std::iter::once(&self.default_sort).chain(self.sorts.iter()).find(|o| o.key == key).copied()
    }
}

/// A list's query string, read leniently against its [`ListSpec`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListParams<S: 'static> {
    pub path: &'static str,
    pub page: i64,
    pub per_page: i64,
    pub q: String,
    pub sort: S,
    pub sort_key: &'static str,
    pub dir: Direction,
    /// Set filters, in the spec's order, with non-empty values.
    pub filters: Vec<(&'static str, String)>,
    default_per_page: i64,
    default_sort: SortOption<S>,
    sorts: &'static [SortOption<S>],
}

fn clip(v: &str) -> String {
    v.trim().chars().take(MAX_TEXT).collect()
}

impl<S: Copy + 'static> ListParams<S> {
    /// Reads `raw` (the query string without '?'). The first value of a repeated name counts.
    pub fn parse(spec: &ListSpec<S>, raw: Option<&str>) -> Self {
        let default_per_page = if PER_PAGE_CHOICES.contains(&spec.per_page) { spec.per_page } else { 50 };
        let mut page = None;
        let mut per_page = None;
        let mut q = None;
        let mut sort = None;
        let mut dir = None;
        let mut filters: Vec<(&'static str, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "page" if page.is_none() => page = Some(v.trim().parse::<i64>().ok().filter(|p| *p >= 1).map_or(1, |p| p.min(MAX_PAGE))),
                "per_page" if per_page.is_none() => {
                    per_page = Some(v.trim().parse::<i64>().ok().filter(|n| PER_PAGE_CHOICES.contains(n)).unwrap_or(default_per_page))
                }
                "q" if q.is_none() && spec.search => q = Some(clip(&v)),
                "sort" if sort.is_none() => sort = Some(spec.option(v.trim())),
                "dir" if dir.is_none() => dir = Some(Direction::parse(v.trim())),
                name => {
                    if let Some(f) = spec.filters.iter().find(|f| **f == name) {
                        if !filters.iter().any(|(n, _)| n == f) {
                            filters.push((f, clip(&v)));
                        }
                    }
                }
            }
        }
        filters.retain(|(_, v)| !v.is_empty());
        filters.sort_by_key(|(n, _)| spec.filters.iter().position(|f| f == n));
        let chosen = sort.flatten().unwrap_or(spec.default_sort);
        ListParams {
            path: spec.path,
            page: page.unwrap_or(1),
            per_page: per_page.unwrap_or(default_per_page),
            q: q.unwrap_or_default(),
            sort: chosen.sort,
            sort_key: chosen.key,
            dir: dir.flatten().unwrap_or(chosen.default_dir),
            filters,
            default_per_page,
            default_sort: spec.default_sort,
            sorts: spec.sorts,
        }
    }

    /// The value of a filter, if set.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Forgets a filter whose value the page does not know, so links no longer carry it.
    pub fn drop_filter(&mut self, name: &str) {
        self.filters.retain(|(n, _)| *n != name);
    }

    /// Whether a search or a filter narrows the list.
    pub fn active(&self) -> bool {
        !self.q.is_empty() || !self.filters.is_empty()
    }

    /// The search text, if any.
    pub fn search(&self) -> Option<&str> {
        Some(self.q.as_str()).filter(|q| !q.is_empty())
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// The rows to fetch, for the store.
    pub fn page_request(&self) -> PageRequest {
        PageRequest::new(self.per_page, self.offset())
    }

    /// How many pages `total` rows fill (at least one).
    pub fn pages(&self, total: i64) -> i64 {
        ((total.max(0) + self.per_page - 1) / self.per_page).max(1)
    }

    /// Where to go when this page lies past the end of `total` rows: the last page.
    pub fn beyond_end(&self, total: i64) -> Option<String> {
        (self.page > self.pages(total)).then(|| self.href(self.pages(total)))
    }

    fn serialize(&self, page: i64, sort: &str, dir: Direction, with_filters: bool) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if with_filters {
            if !self.q.is_empty() {
                s.append_pair("q", &self.q);
            }
            for (n, v) in &self.filters {
                s.append_pair(n, v);
            }
        }
        let sort_default_dir = self.option(sort).map_or(self.default_sort.default_dir, |o| o.default_dir);
        if sort != self.default_sort.key || dir != sort_default_dir {
            s.append_pair("sort", sort);
            if dir != sort_default_dir {
                s.append_pair("dir", dir.as_str());
            }
        }
        if self.per_page != self.default_per_page {
            s.append_pair("per_page", &self.per_page.to_string());
        }
        if page > 1 {
            s.append_pair("page", &page.to_string());
        }
        let query = s.finish();
        if query.is_empty() {
            self.path.to_string()
        } else {
            format!("{}?{query}", self.path)
        }
    }

    fn option(&self, key: &str) -> Option<SortOption<S>> {
        std::iter::once(&self.default_sort).chain(self.sorts.iter()).find(|o| o.key == key).copied()
    }

    /// This list at another page, with every search, filter, sort and page size kept.
    pub fn href(&self, page: i64) -> String {
        self.serialize(page, self.sort_key, self.dir, true)
    }

    /// This list sorted by `key`: the other direction when it is already the sort, else the
    /// key's own first direction; back on page 1.
    pub fn sort_href(&self, key: &str) -> String {
        let dir = if key == self.sort_key { self.dir.reversed() } else { self.option(key).map_or(Direction::Asc, |o| o.default_dir) };
        self.serialize(1, key, dir, true)
    }

    /// This list without search and filters (sort and page size kept).
    pub fn clear_href(&self) -> String {
        self.serialize(1, self.sort_key, self.dir, false)
    }

    /// Fields the search form carries unchanged (sort, direction, page size), as hidden inputs.
    pub fn hidden_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let sort_default_dir = self.option(self.sort_key).map_or(self.default_sort.default_dir, |o| o.default_dir);
        if self.sort_key != self.default_sort.key || self.dir != sort_default_dir {
            out.push(("sort", self.sort_key.to_string()));
            out.push(("dir", self.dir.as_str().to_string()));
        }
        out
    }
}

/// 12345 → "12,345".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where a page sits in the whole list, with the links of the pager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// 1-based positions of the first and last rows shown (0, 0 when none).
    pub from: i64,
    pub to: i64,
    /// 「1,201件中 1〜50件」
    pub summary: String,
    /// 「2 / 25 ページ」
    pub position: String,
    pub first: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
}

impl PageInfo {
    pub fn new<S: Copy>(t: Tr, params: &ListParams<S>, total: i64, shown: usize) -> Self {
        let pages = params.pages(total);
        let page = params.page;
        let shown = shown as i64;
        let (from, to) = if shown == 0 { (0, 0) } else { (params.offset() + 1, params.offset() + shown) };
        let summary = if shown == 0 {
            t.with("list-summary-none", "total", grouped(total))
        } else {
            t.with_args("list-summary", &[("total", grouped(total)), ("from", grouped(from)), ("to", grouped(to))])
        };
        let position = t.with_args("list-position", &[("page", grouped(page)), ("pages", grouped(pages))]);
        PageInfo {
            total,
            page,
            pages,
            from,
            to,
            summary,
            position,
            first: (page > 2).then(|| params.href(1)),
            prev: (page > 1).then(|| params.href(page - 1)),
            next: (page < pages).then(|| params.href(page + 1)),
            last: (page + 1 < pages).then(|| params.href(pages)),
        }
    }

    /// Whether the pager has anything to offer (more than one page).
    pub fn has_pager(&self) -> bool {
        self.pages > 1
    }
}

/// A column header: sortable ones are links, the current sort says `aria-sort`.
pub struct Column {
    pub label: String,
    pub href: Option<String>,
    /// "ascending" / "descending" on the column the list is sorted by, else empty.
    pub aria_sort: &'static str,
    /// A visible arrow for the sorted column (hidden from screen readers, which hear aria-sort).
    pub arrow: &'static str,
    /// The link's accessible hint: 「並べ替え」 etc.
    pub hint: String,
    /// Extra classes of the header cell: "num", "date", "nowrap".
    pub class: &'static str,
}

/// One select of the toolbar.
pub struct FilterSelect {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub all_label: String,
    /// A sentence under the select saying what it does, or empty.
    pub help: String,
    pub options: Vec<Choice>,
}

/// The search box of the toolbar.
pub struct SearchBox {
    pub value: String,
    pub label: String,
    pub help: String,
}

/// Everything the list partials show; a page template holds it as the field `list`.
pub struct ListView {
    pub path: &'static str,
    pub id: &'static str,
    pub search: Option<SearchBox>,
    pub filters: Vec<FilterSelect>,
    pub hidden: Vec<(&'static str, String)>,
    pub per_page: Vec<Choice>,
    pub active: bool,
    pub clear_href: String,
    pub columns: Vec<Column>,
    pub page: PageInfo,
    pub empty_message: String,
    pub shown: usize,
    t: Tr,
    sort_key: &'static str,
    dir: Direction,
    sort_hrefs: Vec<(&'static str, String)>,
}

impl ListView {
    pub fn new<S: Copy>(t: Tr, params: &ListParams<S>, total: i64, shown: usize) -> Self {
        ListView {
            path: params.path,
            id: "list",
            search: None,
            filters: Vec::new(),
            hidden: params.hidden_fields(),
            per_page: PER_PAGE_CHOICES
                .iter()
                .map(|n| Choice {
                    value: n.to_string(),
                    label: t.with("list-per-page-option", "count", n),
                    selected: *n == params.per_page,
                })
                .collect(),
            active: params.active(),
            clear_href: params.clear_href(),
            columns: Vec::new(),
            page: PageInfo::new(t, params, total, shown),
            empty_message: t.get(if params.active() { "list-empty-filtered" } else { "list-empty" }),
            shown,
            t,
            sort_key: params.sort_key,
            dir: params.dir,
            sort_hrefs: std::iter::once(&params.default_sort)
                .chain(params.sorts.iter())
                .map(|o| (o.key, params.sort_href(o.key)))
                .collect(),
        }
    }

    /// A search box labelled by the message `label_key`, with the help text `help_key` (which
    /// says what is searched, e.g. 「氏名・社員番号の一部」).
    pub fn search(mut self, value: &str, label_key: &str, help_key: &str) -> Self {
        self.search = Some(SearchBox { value: value.to_string(), label: self.t.get(label_key), help: self.t.get(help_key) });
        self
    }

    /// A filter select named `name` (a filter of the spec), its options as (value, label).
    pub fn filter(mut self, name: &'static str, label_key: &str, current: Option<&str>, options: Vec<(String, String)>) -> Self {
        self.filters.push(FilterSelect {
            name,
            id: format!("{}-{}", self.id, name),
            label: self.t.get(label_key),
            all_label: self.t.get("list-all"),
            help: String::new(),
            options: options.into_iter().map(|(value, label)| Choice { selected: current == Some(value.as_str()), value, label }).collect(),
        });
        self
    }

    /// A help sentence under the last filter added.
    pub fn help(mut self, key: &str) -> Self {
        let text = self.t.get(key);
        if let Some(f) = self.filters.last_mut() {
            f.help = text;
        }
        self
    }

    /// A column header: its label's message key, the sort key it sorts by (one of the spec's),
    /// and its classes ("num", "date", "nowrap" or "").
    pub fn column(mut self, label_key: &str, sort: Option<&str>, class: &'static str) -> Self {
        let label = self.t.get(label_key);
        self.push_column(label, sort, class);
        self
    }

    fn push_column(&mut self, label: String, sort: Option<&str>, class: &'static str) {
        let href = sort.and_then(|k| self.sort_hrefs.iter().find(|(key, _)| *key == k).map(|(_, h)| h.clone()));
        let current = sort.is_some_and(|k| k == self.sort_key) && href.is_some();
        let (aria_sort, arrow) = match (current, self.dir) {
            (false, _) => ("", ""),
            (true, Direction::Asc) => ("ascending", "▲"),
            (true, Direction::Desc) => ("descending", "▼"),
        };
        let hint = match (href.is_some(), current, self.dir) {
            (false, _, _) => String::new(),
            (true, true, Direction::Asc) => self.t.get("list-sort-to-desc"),
            (true, true, Direction::Desc) => self.t.get("list-sort-to-asc"),
            (true, false, _) => self.t.get("list-sort-by"),
        };
        self.columns.push(Column { label, href, aria_sort, arrow, hint, class });
    }

    /// The sentences of the empty state: `key` when the list has nothing at all, `filtered_key`
    /// when a search or filter leaves nothing (the state then offers to clear them). Without
    /// this call the list says `list-empty` / `list-empty-filtered`.
    pub fn empty(mut self, key: &str, filtered_key: &str) -> Self {
        self.empty_message = self.t.get(if self.active { filtered_key } else { key });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.shown == 0
    }

    /// The toolbar's words.
    pub fn tr(&self, key: &str) -> String {
        self.t.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Locale;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Sort {
        Date,
        Name,
    }

    static SPEC: ListSpec<Sort> = ListSpec {
        path: "/things",
        default_sort: SortOption::new("date", Sort::Date, Direction::Desc),
        sorts: &[SortOption::new("name", Sort::Name, Direction::Asc)],
        filters: &["status", "cycle"],
        search: true,
        per_page: 50,
    };

    fn parse(q: &str) -> ListParams<Sort> {
        ListParams::parse(&SPEC, Some(q))
    }

    #[test]
    fn defaults_without_a_query() {
        let p = ListParams::parse(&SPEC, None);
        assert_eq!((p.page, p.per_page, p.sort, p.dir, p.q.as_str()), (1, 50, Sort::Date, Direction::Desc, ""));
        assert!(!p.active());
        assert_eq!(p.href(1), "/things");
        assert_eq!(p.page_request(), PageRequest::new(50, 0));
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        for q in ["page=abc", "page=-3", "page=0", "page=", "page=1.5", "page=99999999999999999999999"] {
            assert_eq!(parse(q).page, 1, "{q}");
        }
        assert_eq!(parse("page=99999999999").page, MAX_PAGE);
        assert_eq!(parse("per_page=7").per_page, 50);
        assert_eq!(parse("per_page=100000").per_page, 50);
        assert_eq!(parse("per_page=abc").per_page, 50);
        assert_eq!(parse("per_page=20").per_page, 20);
        let evil = parse("sort=evil;DROP%20TABLE&dir=sideways");
        assert_eq!((evil.sort, evil.sort_key, evil.dir), (Sort::Date, "date", Direction::Desc));
        assert_eq!(parse("sort=name").dir, Direction::Asc);
        assert_eq!(parse("sort=name&dir=desc").dir, Direction::Desc);
        assert_eq!(parse("dir=asc").dir, Direction::Asc);
        // Unknown names are ignored, repeated names keep their first value.
        let p = parse("evil=1&status=a&status=b&q=x&q=y");
        assert_eq!(p.filters, vec![("status", "a".to_string())]);
        assert_eq!(p.q, "x");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let long = "あ".repeat(300);
        let p = parse(&format!("q=%20{}%20&cycle=%20", url::form_urlencoded::byte_serialize(long.as_bytes()).collect::<String>()));
        assert_eq!(p.q.chars().count(), MAX_TEXT);
        assert!(p.filter("cycle").is_none());
        let s = ListSpec { search: false, ..SPEC };
        assert_eq!(ListParams::parse(&s, Some("q=x")).q, "");
    }

    #[test]
    fn links_keep_every_filter() {
        let p = parse("cycle=3&q=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&status=approved&sort=name&per_page=20&page=2");
        assert!(p.active());
        let href = p.href(3);
        let back = parse(href.split_once('?').map_or("", |(_, q)| q));
        assert_eq!(back, ListParams { page: 3, ..p.clone() });
        // Filters come out in the spec's order, whatever order they came in.
        assert_eq!(href, "/things?q=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&status=approved&cycle=3&sort=name&per_page=20&page=3");
        assert_eq!(p.clear_href(), "/things?sort=name&per_page=20");
        assert_eq!(p.offset(), 20);
        assert_eq!(p.page_request(), PageRequest::new(20, 20));
    }

    #[test]
    fn sort_links_toggle_the_current_column() {
        let p = parse("status=draft&page=4");
        assert_eq!(p.sort_href("date"), "/things?status=draft&sort=date&dir=asc");
        assert_eq!(p.sort_href("name"), "/things?status=draft&sort=name");
        let q = parse("sort=name");
        assert_eq!(q.sort_href("name"), "/things?sort=name&dir=desc");
        assert_eq!(q.hidden_fields(), vec![("sort", "name".to_string()), ("dir", "asc".to_string())]);
        assert!(parse("").hidden_fields().is_empty());
    }

    #[test]
    fn dropped_filters_leave_the_links() {
        let mut p = parse("status=evil&cycle=2");
        p.drop_filter("status");
        assert_eq!(p.href(1), "/things?cycle=2");
    }

    #[test]
    fn pages_and_the_end() {
        let p = parse("page=3");
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(101), 3);
        assert_eq!(p.beyond_end(101), None);
        assert_eq!(p.beyond_end(100).as_deref(), Some("/things?page=2"));
        assert_eq!(parse("").beyond_end(0), None);
    }

    #[test]
    fn page_info_in_words() {
        let t = Tr::new(Locale::Ja);
        let p = parse("page=2");
        let info = PageInfo::new(t, &p, 1201, 50);
        assert_eq!((info.from, info.to, info.pages), (51, 100, 25));
        assert_eq!(info.summary, "1,201件中 51〜100件");
        assert_eq!(info.first.as_deref(), None);
        assert_eq!(info.prev.as_deref(), Some("/things"));
        assert_eq!(info.next.as_deref(), Some("/things?page=3"));
        assert_eq!(info.last.as_deref(), Some("/things?page=25"));
        let en = PageInfo::new(Tr::new(Locale::En), &parse(""), 1201, 50);
        assert_eq!(en.summary, "1–50 of 1,201");
        let none = PageInfo::new(t, &parse(""), 0, 0);
        assert_eq!((none.from, none.to, none.has_pager()), (0, 0, false));
        assert_eq!(none.summary, "0件");
    }

    #[test]
    fn headers_say_how_the_list_is_sorted() {
        let t = Tr::new(Locale::Ja);
        let p = parse("sort=name");
        let v = ListView::new(t, &p, 3, 3)
            .column("list-all", Some("date"), "date")
            .column("list-all", Some("name"), "")
            .column("list-all", None, "num");
        assert_eq!(v.columns[0].aria_sort, "");
        assert_eq!(v.columns[0].href.as_deref(), Some("/things"));
        assert_eq!(v.columns[1].aria_sort, "ascending");
        assert_eq!(v.columns[1].href.as_deref(), Some("/things?sort=name&dir=desc"));
        assert!(v.columns[2].href.is_none());
        // An unknown sort key gives no link.
        let w = ListView::new(t, &p, 0, 0).column("list-all", Some("evil"), "");
        assert!(w.columns[0].href.is_none());
    }

    #[test]
    fn the_empty_state_knows_about_filters() {
        let t = Tr::new(Locale::Ja);
        let plain = ListView::new(t, &parse(""), 0, 0).empty("list-empty", "list-empty-filtered");
        assert!(plain.is_empty() && !plain.active);
        let filtered = ListView::new(t, &parse("q=zz"), 0, 0).empty("list-empty", "list-empty-filtered");
        assert!(filtered.active);
        assert_eq!(filtered.empty_message, t.get("list-empty-filtered"));
        assert_eq!(filtered.clear_href, "/things");
    }

    #[derive(askama::Template)]
    #[template(
        source = r#"{% include "list_toolbar.html" %}{% include "list_summary.html" %}{% if list.is_empty() %}{% include "list_empty.html" %}{% else %}<table class="list">{% include "list_thead.html" %}</table>{% include "list_pager.html" %}{% endif %}"#,
        ext = "html"
    )]
    struct Partials {
        list: ListView,
    }

    #[test]
    fn the_partials_render_the_list() {
        use askama::Template;
        let t = Tr::new(Locale::Ja);
        let p = parse("q=%3Cb%3E&status=draft&sort=name&page=2");
        let list = ListView::new(t, &p, 120, 50)
            .search(&p.q, "list-search-submit", "list-search-form")
            .filter(
                "status",
                "list-all",
                p.filter("status"),
                vec![("draft".into(), "下書き".into()), ("approved".into(), "承認済み".into())],
            )
            .column("list-all", Some("name"), "")
            .column("list-all", None, "num");
        let html = Partials { list }.render().unwrap_or_default();
        assert!(html.contains(r#"value="&#60;b&#62;""#) || html.contains(r#"value="&lt;b&gt;""#), "{html}");
        assert!(html.contains(r#"<option value="draft" selected>"#), "{html}");
        assert!(html.contains(r#"aria-sort="ascending""#), "{html}");
        assert!(html.contains(r#"<th scope="col" class="num">"#), "{html}");
        assert!(html.contains(r#"<nav class="pager" aria-label="ページ送り">"#), "{html}");
        assert!(html.contains("120件中 51〜100件"), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="sort" value="name">"#), "{html}");
        assert!(html.contains("条件をクリア"), "{html}");
        let empty = Partials { list: ListView::new(t, &parse("q=zz"), 0, 0).empty("list-empty", "list-empty-filtered") }
            .render()
            .unwrap_or_default();
        assert!(empty.contains("条件に一致する項目はありません") && empty.contains("条件をクリアしてすべて表示する"), "{empty}");
        assert!(!empty.contains("<table"), "{empty}");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(-1234), "-1,234");
    }
}
