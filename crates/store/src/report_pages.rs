//! Pages of report lists (`/reports`, `/cases`), counted and cut in SQL.
//!
//! The SQL condition ([`cond`]) holds the policy's read rule as a prefilter
//! ([`policy::read_scope`], equal to `decide`'s rule by a property test of the domain and, on the
//! demo world, by a test that compares the two sets), so `COUNT(*)` is the number of rows the
//! policy shows and `LIMIT/OFFSET` cuts the same ordered list; `decide` still has the final
//! word on each row.
//!
//! Searching by name reaches only the actor's own reports (identified): the condition ties the
//! name match to `r.author_id = me`. Others' cases are searched by what their reader sees — the
//! pseudonym and the tags' labels. A tag filter, a search by a tag's label and the tag order are
//! answered in SQL through the tags' keyed marks (`tag_marks`), so only the page's facts are
//! opened. What the marks cannot answer — a search that may be part of a pseudonym, which only
//! exists once computed, or a tenant with reports not yet marked — opens the facts of every
//! candidate and cuts the page afterwards.

use crate::paging::{like_pattern, Direction, PageRequest, Paged};
use crate::reports::{meta, Meta, ReportFilter, ReportSummary, META_SELECT};
use crate::{Ctx, Result, Store, Taxonomy};
use domain::audit::{AuditAction, AuditDetail, AuditTarget};
use domain::policy::{self, Operation, ReportScope, Target, View};
use domain::pseudonym::pseudonym;
use domain::Locale;
use sqlx::Row;

/// The most candidates a list opens to filter by what only its reader sees (tags, pseudonyms).
const CANDIDATES_MAX: i64 = 20_000;

/// The characters of a pseudonym (`K-XXXX-XXXX`), in lower case: a search made of these alone
/// may be part of one.
const PSEUDONYM_CHARS: &str = "23456789abcdefghjklmnpqrstuvwxyz-";

/// The most cases a search may find by an identified subject's name and pass to SQL by id.
const NAMED_MAX: usize = 400;

/// How a page of reports is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportSort {
    /// Last change (own reports).
    #[default]
    Updated,
    /// When the interview was held.
    Held,
    /// Draft, returned, submitted, approved.
    Status,
    /// The employee's reading (own reports only; others' cases fall back to `Held`).
    Employee,
    /// The first tag's label, then when held.
    Tag,
}

/// A page of reports to answer.
#[derive(Clone, Debug, Default)]
pub struct ReportQuery {
    pub filter: ReportFilter,
    /// Own reports: part of the employee's name, reading or number. Others' cases: part of the
    /// pseudonym or of a tag's label.
    pub search: Option<String>,
    /// A tag code.
    pub tag: Option<String>,
    pub sort: ReportSort,
    pub dir: Direction,
}

/// The number of the first value bound after [`cond`]'s seven ([`Bound::bind`]).
const AFTER_COND: usize = 8;

/// [`META_SELECT`]'s columns without the joins only a shown row needs (department, author's
/// name), for the candidates a list filters by their opened facts.
const CANDIDATE_SELECT: &str = "SELECT r.id, r.interview_id, i.cycle_id, r.employee_id, e.name AS employee_name, e.boss_id,
        CAST('' AS TEXT) AS department, CAST(0 AS BIGINT) AS dept_depth, e.birth_year, r.author_id, CAST('' AS TEXT) AS author_name,
        r.supervisor_id, r.status, r.sealed_id, r.facts_sealed_id, r.life_safety, r.organizational_response,
        r.round, r.version, i.starts_at AS held_at, r.submitted_at, r.updated_at
     FROM reports r
     JOIN interviews i ON i.id = r.interview_id
     JOIN employees e ON e.id = r.employee_id";

/// The rows of a report list: the tenant ($1), the list's filters (cycle $2, status $3, own
/// or others' only), the policy's scope for the actor ($5), and a name search ($7) only over
/// the actor's own reports. On `reports r` alone (the cycle and the name are looked up only
/// when asked for), so the count reads no other table.
///
/// Only the terms a query asks for are written, each a plain comparison an index can answer
/// (`r.author_id = $5` finds a consultant's own reports through their index); every value is
/// still bound at its number, and an unused one is simply not read.
fn cond(b: &Bound) -> String {
    let mut c = String::from("r.tenant_id = $1");
    if b.cycle.is_some() {
        c.push_str(" AND EXISTS (SELECT 1 FROM interviews ci WHERE ci.id = r.interview_id AND ci.cycle_id = $2)");
    }
    if b.status.is_some() {
        c.push_str(" AND r.status = $3");
    }
    if b.mine != 0 {
        c.push_str(" AND r.author_id = $5");
    }
    if b.shared != 0 {
        c.push_str(" AND r.author_id <> $5");
    }
    c.push_str(match b.scope {
        ReportScope::OwnOrApproved(_) => " AND (r.author_id = $5 OR r.status = 'approved')",
        ReportScope::OthersNotDraft(_) => " AND r.author_id <> $5 AND r.status <> 'draft'",
        ReportScope::Nothing => " AND 1 = 0",
    });
    if b.name.is_some() {
        c.push_str(
            " AND r.author_id = $5 AND EXISTS (SELECT 1 FROM employees se WHERE se.id = r.employee_id
              AND (LOWER(se.name) LIKE $7 ESCAPE '!' OR LOWER(se.employee_number) LIKE $7 ESCAPE '!'
                   OR LOWER(COALESCE(se.name_kana, '')) LIKE $7 ESCAPE '!'))",
        );
    }
    c
}

/// What a page's order needs besides `reports r`: when held, and for the employee order (own
/// reports) the employee's reading.
fn order_from(sort: ReportSort, own_only: bool) -> &'static str {
    match sort {
        ReportSort::Employee if own_only => {
            "FROM reports r JOIN interviews i ON i.id = r.interview_id JOIN employees e ON e.id = r.employee_id"
        }
        _ => "FROM reports r JOIN interviews i ON i.id = r.interview_id",
    }
}

fn order_by(sort: ReportSort, dir: Direction, own_only: bool) -> String {
    let d = dir.sql();
    match sort {
        ReportSort::Updated => format!("r.updated_at {d}, r.id {d}"),
        ReportSort::Held | ReportSort::Tag => format!("i.starts_at {d}, r.id {d}"),
        ReportSort::Status => format!(
            "CASE r.status WHEN 'draft' THEN 0 WHEN 'returned' THEN 1 WHEN 'submitted' THEN 2 ELSE 3 END {d}, r.updated_at DESC, r.id DESC"
        ),
        ReportSort::Employee if own_only => format!("COALESCE(e.name_kana, e.name) {d}, e.employee_number {d}, r.id {d}"),
        ReportSort::Employee => format!("i.starts_at {d}, r.id {d}"),
    }
}

struct Bound {
    tenant: i64,
    cycle: Option<i64>,
    status: Option<&'static str>,
    mine: i64,
    me: i64,
    shared: i64,
    scope: ReportScope,
    name: Option<String>,
}

impl Bound {
    fn new(ctx: &Ctx, actor: &policy::Actor, q: &ReportQuery) -> Self {
        Bound {
            tenant: ctx.tenant.get(),
            cycle: q.filter.cycle,
            status: q.filter.status.map(|s| s.as_str()),
            mine: i64::from(q.filter.mine_only),
            me: actor.user().get(),
            shared: i64::from(q.filter.shared_only),
            scope: policy::read_scope(actor),
            name: if q.filter.mine_only { q.search.as_deref().and_then(like_pattern) } else { None },
        }
    }

    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        query
            .bind(self.tenant)
            .bind(self.cycle)
            .bind(self.status)
            .bind(self.mine)
            .bind(self.me)
            .bind(self.shared)
            .bind(self.name.as_deref())
    }
}

/// A value bound after [`cond`]'s seven.
enum Arg {
    Bytes(Vec<u8>),
    Int(i64),
}

/// A condition and an order over the tags' marks, with the values they bind: the condition's
/// first (from `$8`), then the order's, so the count binds a prefix of the page's values.
#[derive(Default)]
struct ByMarks {
    cond: String,
    order: Option<String>,
    cond_args: Vec<Arg>,
    order_args: Vec<Arg>,
}

impl ByMarks {
    /// The placeholder number after the values bound so far.
    fn next(&self) -> usize {
        AFTER_COND + self.cond_args.len() + self.order_args.len()
    }

    fn cond_arg(&mut self, a: Arg) -> String {
        // Every condition value is taken before the first order value.
        let n = AFTER_COND + self.cond_args.len();
        self.cond_args.push(a);
        format!("${n}")
    }

    fn order_arg(&mut self, a: Arg) -> String {
        let n = self.next();
        self.order_args.push(a);
        format!("${n}")
    }

    fn bind_cond<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        bind_args(query, &self.cond_args)
    }

    fn bind_all<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        bind_args(bind_args(query, &self.cond_args), &self.order_args)
    }
}

fn bind_args<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        query = match a {
            Arg::Bytes(v) => query.bind(v.clone()),
            Arg::Int(i) => query.bind(*i),
        };
    }
    query
}

impl Store {
    /// One page of the reports the actor may read, with the total of the same conditions.
    pub async fn report_page(&self, ctx: &Ctx, q: &ReportQuery, page: PageRequest, locale: Locale) -> Result<Paged<ReportSummary>> {
        let actor = ctx.actor()?;
        let b = Bound::new(ctx, &actor, q);
        let own_only = q.filter.mine_only;
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
        let after_opening = q.tag.is_some() || q.sort == ReportSort::Tag || (!own_only && search.is_some());
        let order = order_by(q.sort, q.dir, own_only);
        let event = |n: usize| ctx.event(AuditAction::ReportListRead, AuditTarget::ReportList, "list").detail(AuditDetail::count(n));
        // Counted on `reports` alone; the page ordered with only what its order needs, and only
        // its rows read in full.
        let by = if !after_opening {
            Some(ByMarks { cond: "1 = 1".to_string(), ..Default::default() })
        } else if self.tags_all_marked(ctx.tenant).await? {
            self.by_marks(ctx, &actor, &b, q, search.as_deref(), locale).await?
        } else {
            None
        };
        if let Some(by) = by {
            let cond = cond(&b);
            let count = format!("SELECT COUNT(*) AS n FROM reports r WHERE {cond} AND {}", by.cond);
            let total: i64 = by.bind_cond(b.bind(sqlx::query(&count))).fetch_one(&self.db.read).await?.try_get("n")?;
            let order = by.order.clone().unwrap_or(order);
            let (limit, offset) = (by.next(), by.next() + 1);
            let from = order_from(q.sort, own_only);
            let sql = format!("SELECT r.id {from} WHERE {cond} AND {} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}", by.cond);
            let rows = by.bind_all(b.bind(sqlx::query(&sql))).bind(page.limit()).bind(page.offset()).fetch_all(&self.db.read).await?;
            let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<std::result::Result<_, _>>()?;
            let visible = self.decided(ctx, &actor, self.metas_in_order(ctx, &ids).await?);
            let items = self.summaries(ctx, &visible, event(visible.len()), locale).await?;
            return Ok(Paged { total, items });
        }
        // Candidates without what only a shown row needs (department, author's name): the policy
        // decides each, their facts are opened once, and the page is cut from them.
        let sql = format!("{CANDIDATE_SELECT} WHERE {} ORDER BY {order} LIMIT ${AFTER_COND}", cond(&b));
        let rows = b.bind(sqlx::query(&sql)).bind(CANDIDATES_MAX).fetch_all(&self.db.read).await?;
        let candidates = self.decided(ctx, &actor, rows.iter().map(meta).collect::<Result<Vec<_>>>()?);
        let facts = self.report_facts(ctx, &candidates, event(candidates.len())).await?;
        let secret =
            if candidates.iter().any(|(_, v)| *v == View::Pseudonymized) { self.pseudonym_secret(ctx.tenant).await? } else { Vec::new() };
        let labels = self.taxonomy(ctx.tenant, Taxonomy::IssueTags, true).await?;
        let label = |code: &str| {
            labels.iter().find(|x| x.code == code).map(|x| x.label(locale).to_lowercase()).unwrap_or_else(|| code.to_lowercase())
        };
        let no_tags = Vec::new();
        let mut keyed: Vec<(&Meta, &Vec<String>)> =
            candidates.iter().map(|(m, _)| (m, facts.get(&m.id).map(|(_, t)| t).unwrap_or(&no_tags))).collect();
        if let Some(tag) = &q.tag {
            keyed.retain(|(_, tags)| tags.contains(tag));
        }
        if let (Some(s), false) = (&search, own_only) {
            // What the reader sees as the subject: the pseudonym, or the name where identified.
            let views: std::collections::HashMap<_, _> = candidates.iter().map(|(m, v)| (m.id, *v)).collect();
            keyed.retain(|(m, tags)| {
                let subject = match views.get(&m.id) {
                    Some(View::Pseudonymized) => pseudonym(&secret, m.employee_id.get()),
                    _ => m.employee_name.clone(),
                };
                subject.to_lowercase().contains(s.as_str()) || tags.iter().any(|t| label(t).contains(s.as_str()))
            });
        }
        if q.sort == ReportSort::Tag {
            // Stable: equal first tags keep the SQL order (when held). Untagged cases go last.
            keyed.sort_by(|(_, a), (_, b)| {
                let key = |tags: &Vec<String>| tags.iter().map(|t| label(t)).min();
                match (key(a), key(b)) {
                    (Some(x), Some(y)) if q.dir == Direction::Desc => y.cmp(&x),
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
            });
        }
        let total = keyed.len() as i64;
        let shown: Vec<i64> = keyed
            .into_iter()
            .skip(page.offset().try_into().unwrap_or(usize::MAX))
            .take(page.limit().try_into().unwrap_or(0))
            .map(|(m, _)| m.id.get())
            .collect();
        let items = self.page_summaries(ctx, &actor, &shown, &facts, locale).await?;
        Ok(Paged { total, items })
    }

    /// The tag filter, the search and the tag order of a list of others' cases as SQL over the
    /// tags' marks; `None` where the marks cannot answer (a search that may be part of a
    /// pseudonym; more identified subjects by that name than are passed by id).
    async fn by_marks(
        &self,
        ctx: &Ctx,
        actor: &policy::Actor,
        b: &Bound,
        q: &ReportQuery,
        search: Option<&str>,
        locale: Locale,
    ) -> Result<Option<ByMarks>> {
        let tags = self.taxonomy(ctx.tenant, Taxonomy::IssueTags, true).await?;
        let mut by = ByMarks::default();
        let has_tag = |by: &mut ByMarks, codes: &[&str]| -> Result<String> {
            let mut marks = Vec::new();
            for code in codes {
                marks.extend(self.tag_marks(ctx.tenant, code)?);
            }
            let list: Vec<String> = marks.into_iter().map(|m| by.cond_arg(Arg::Bytes(m))).collect();
            Ok(format!("EXISTS (SELECT 1 FROM report_tag_marks m WHERE m.report_id = r.id AND m.mark IN ({}))", list.join(", ")))
        };
        let mut conds = Vec::new();
        if let Some(tag) = &q.tag {
            conds.push(has_tag(&mut by, &[tag.as_str()])?);
        }
        if let (Some(s), false) = (search, q.filter.mine_only) {
            if s.chars().all(|c| PSEUDONYM_CHARS.contains(c)) {
                return Ok(None);
            }
            // The subject the reader sees: a pseudonym (which this search cannot be part of) or,
            // where the case is identified to the reader, the name.
            let named = self.identified_by_name(ctx, actor, b, s).await?;
            if named.len() > NAMED_MAX {
                return Ok(None);
            }
            let codes: Vec<&str> = tags.iter().filter(|t| t.label(locale).to_lowercase().contains(s)).map(|t| t.code.as_str()).collect();
            let mut any = Vec::new();
            if !codes.is_empty() {
                any.push(has_tag(&mut by, &codes)?);
            }
            if !named.is_empty() {
                let list: Vec<String> = named.into_iter().map(|id| by.cond_arg(Arg::Int(id))).collect();
                any.push(format!("r.id IN ({})", list.join(", ")));
            }
            conds.push(if any.is_empty() { "1 = 0".to_string() } else { format!("({})", any.join(" OR ")) });
        }
        by.cond = if conds.is_empty() { "1 = 1".to_string() } else { conds.join(" AND ") };
        if q.sort == ReportSort::Tag {
            // By the first tag's label: each code's rank among the labels (equal labels, equal
            // ranks), the smallest of a report's; untagged cases last either way, then when held.
            let mut labelled: Vec<(String, &str)> = tags.iter().map(|t| (t.label(locale).to_lowercase(), t.code.as_str())).collect();
            labelled.sort();
            let mut whens = Vec::new();
            let mut rank = 0;
            for (i, (label, code)) in labelled.iter().enumerate() {
                if i > 0 && labelled[i - 1].0 != *label {
                    rank += 1;
                }
                for m in self.tag_marks(ctx.tenant, code)? {
                    whens.push(format!("WHEN {} THEN {rank}", by.order_arg(Arg::Bytes(m))));
                }
            }
            if !whens.is_empty() {
                let d = q.dir.sql();
                by.order = Some(format!(
                    "(SELECT MIN(CASE m.mark {} END) FROM report_tag_marks m WHERE m.report_id = r.id) {d} NULLS LAST, i.starts_at {d}, r.id {d}",
                    whens.join(" ")
                ));
            }
        }
        Ok(Some(by))
    }

    /// The cases the actor sees identified whose subject's name holds `search`.
    async fn identified_by_name(&self, ctx: &Ctx, actor: &policy::Actor, b: &Bound, search: &str) -> Result<Vec<i64>> {
        let Some(pattern) = like_pattern(search) else { return Ok(Vec::new()) };
        let like = self.db.ilike();
        let sql = format!("{CANDIDATE_SELECT} WHERE {} AND e.name {like} ${AFTER_COND} ESCAPE '!' LIMIT ${}", cond(b), AFTER_COND + 1);
        let rows = b.bind(sqlx::query(&sql)).bind(pattern).bind(CANDIDATES_MAX).fetch_all(&self.db.read).await?;
        let candidates = self.decided(ctx, actor, rows.iter().map(meta).collect::<Result<Vec<_>>>()?);
        Ok(candidates
            .into_iter()
            .filter(|(m, v)| *v == View::Identified && m.employee_name.to_lowercase().contains(search))
            .map(|(m, _)| m.id.get())
            .collect())
    }

    /// The full rows of one page's reports, in the page's order, decided again by the policy and
    /// presented with the facts already opened.
    async fn page_summaries(
        &self,
        ctx: &Ctx,
        actor: &policy::Actor,
        ids: &[i64],
        facts: &std::collections::HashMap<domain::ids::ReportId, (domain::report::ReportFlags, Vec<String>)>,
        locale: Locale,
    ) -> Result<Vec<ReportSummary>> {
        let visible = self.decided(ctx, actor, self.metas_in_order(ctx, ids).await?);
        self.summaries_with(ctx, &visible, facts, locale).await
    }

    /// The full rows of the tenant's reports `ids` (at most a page), in that order.
    async fn metas_in_order(&self, ctx: &Ctx, ids: &[i64]) -> Result<Vec<Meta>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        // `+r.tenant_id`: the tenant is checked on each row found by id, not used to find rows
        // (SQLite, without statistics, otherwise walks the tenant's index over every report).
        let sql = format!("{META_SELECT} WHERE +r.tenant_id = $1 AND r.id IN ({})", placeholders.join(","));
        let mut query = sqlx::query(&sql).bind(ctx.tenant.get());
        for id in ids {
            query = query.bind(*id);
        }
        let mut metas = query.fetch_all(&self.db.read).await?.iter().map(meta).collect::<Result<Vec<_>>>()?;
        metas.sort_by_key(|m| ids.iter().position(|id| *id == m.id.get()));
        Ok(metas)
    }

    /// The rows the policy lets the actor read, each with its view: the final word after the
    /// SQL prefilter.
    fn decided(&self, ctx: &Ctx, actor: &policy::Actor, metas: Vec<Meta>) -> Vec<(Meta, View)> {
        metas
            .into_iter()
            .filter_map(|m| {
                let view = policy::decide(actor, Operation::ReadReports, Target::Report(m.facts(ctx.tenant))).view()?;
                Some((m, view))
            })
            .collect()
    }

    /// The ids of the reports the SQL prefilter alone selects for the actor (no `decide`), for
    /// the test that compares it with the policy.
    #[cfg(feature = "test-support")]
    pub async fn report_ids_by_prefilter(&self, ctx: &Ctx) -> Result<Vec<domain::ids::ReportId>> {
        let actor = ctx.actor()?;
        let b = Bound::new(ctx, &actor, &ReportQuery::default());
        let sql = format!("SELECT r.id FROM reports r JOIN interviews i ON i.id = r.interview_id JOIN employees e ON e.id = r.employee_id WHERE {} ORDER BY r.id", cond(&b));
        let rows = b.bind(sqlx::query(&sql)).fetch_all(&self.db.read).await?;
        rows.iter().map(|r| Ok(domain::ids::ReportId::new(r.try_get("id")?))).collect()
    }
}

/// How the supervisor's queue is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// By how long a report has waited (descending: the longest wait first).
    #[default]
    Waiting,
    /// By review round, then the longest wait first.
    Round,
}

/// The queue's rows: submitted reports of others — the policy's rule for `ReviewReports` by a
/// supervisor, so the count is the queue's.
const QUEUE_COND: &str = "r.tenant_id = $1 AND r.status = 'submitted' AND r.author_id <> $2";

impl Store {
    /// One page of the submitted reports waiting for a supervisor, with the queue's size; each
    /// row decided by the policy and shown in its view (the author's name only where identified).
    pub async fn review_queue_page(
        &self,
        me: &crate::Acting<crate::Supervisor>,
        sort: QueueSort,
        dir: Direction,
        page: PageRequest,
    ) -> Result<Paged<crate::QueueItem>> {
        let ctx = me.ctx();
        let actor = me.actor();
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM reports r WHERE {QUEUE_COND}"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .fetch_one(&self.db.read)
            .await?
            .try_get("n")?;
        // Waiting longer is submitted earlier: the direction of the wait is the other one of time.
        let order = match sort {
            QueueSort::Waiting => format!("COALESCE(r.submitted_at, r.updated_at) {}, r.id {}", dir.reversed().sql(), dir.reversed().sql()),
            QueueSort::Round => format!("r.round {}, COALESCE(r.submitted_at, r.updated_at) ASC, r.id ASC", dir.sql()),
        };
        let rows = sqlx::query(&format!("{META_SELECT} WHERE {QUEUE_COND} ORDER BY {order} LIMIT $3 OFFSET $4"))
            .bind(ctx.tenant.get())
            .bind(actor.user().get())
            .bind(page.limit())
            .bind(page.offset())
            .fetch_all(&self.db.read)
            .await?;
        let secret = self.pseudonym_secret(ctx.tenant).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let m = meta(r)?;
            let Some(view) = policy::decide(&actor, Operation::ReviewReports, Target::Report(m.facts(ctx.tenant))).view() else { continue };
            items.push(m.queue_item(view, &secret, actor.user()));
        }
        self.audit(ctx, ctx.event(AuditAction::ReportListRead, AuditTarget::ReviewQueue, "list").detail(AuditDetail::count(items.len())))
            .await?;
        Ok(Paged { total, items })
    }
}
