//! Individual reports (R1) and their supervision (R2). Sections are one sealed JSON value;
//! who may read or change what, identified or pseudonymized, is decided by `domain::policy` with
//! the report's facts at each read and write, and every read goes through the sealed gate, which
//! audits it durably before the text is opened.

use crate::{now_ms, Acting, Consultant, Ctx, Result, Store, StoreError, Supervisor};
use domain::audit::{AuditAction, AuditDetail, AuditTarget, Fact, Key, Outcome};
use domain::ids::{EmployeeId, InterviewId, ReportId, SealedId, TenantId, UserId};
use domain::interview::InterviewStatus;
use domain::policy::{self, InterviewFacts, Operation, Permit, ReportFacts, Target, View};
use domain::pseudonym::{age_band, coarse_date, department_level, pseudonym, MaskLabels};
use domain::report::{transition, ReportEvent, ReportFlags, ReportSections, ReportStatus, SECTIONS};
use domain::{Invalid, Locale};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// The sealed purpose of a report's flags and tags.
pub(crate) const FACTS_PURPOSE: &str = "report_facts";

/// The most reports one list returns.
const LIST_MAX: usize = 2000;

/// One line of a report list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSummary {
    pub id: ReportId,
    pub interview_id: InterviewId,
    pub cycle_id: Option<i64>,
    pub status: ReportStatus,
    pub pseudonymized: bool,
    /// The person: their name, or their pseudonym.
    pub subject: String,
    /// Their department: the path, or its level only.
    pub department: String,
    pub author_name: String,
    pub is_mine: bool,
    /// When the interview was held: exact, or coarse (fiscal half-year).
    pub held: String,
    /// The day it was held (Japan time), only in the identified view: for pages to word.
    pub held_on: Option<chrono::NaiveDate>,
    pub tags: Vec<String>,
    pub flags: ReportFlags,
    /// Exact times, only in the identified view.
    pub submitted_at: Option<i64>,
    pub updated_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentRow {
    pub section: String,
    pub round: i64,
    pub author_name: String,
    pub body: String,
    /// Exact time, only in the identified view.
    pub created_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub round: i64,
    pub decision: String,
    pub reviewer_name: String,
    pub scores: Vec<(String, i64)>,
    /// Exact time, only in the identified view.
    pub created_at: Option<i64>,
}

/// A report as the actor may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportDetail {
    pub summary: ReportSummary,
    pub sections: ReportSections,
    pub version: i64,
    pub round: i64,
    pub editable: bool,
    /// Whether the actor may return or approve it now (the policy, with its facts).
    pub reviewable: bool,
    pub age_band: String,
    pub comments: Vec<CommentRow>,
    pub reviews: Vec<ReviewRow>,
    pub assigned_supervisor: Option<UserId>,
}

/// A supervisor's decision with its comments and rubric scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewInput {
    pub approve: bool,
    /// (section id or "general", text)
    pub comments: Vec<(String, String)>,
    /// (rubric item code, 1–4)
    pub scores: Vec<(String, i64)>,
}

/// A report waiting in the supervisors' queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItem {
    pub id: ReportId,
    pub subject: String,
    pub author_name: String,
    pub round: i64,
    pub submitted_at: i64,
    pub assigned_to_me: bool,
}

/// Filters of a report list.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    pub cycle: Option<i64>,
    pub status: Option<ReportStatus>,
    /// Only the actor's own reports (consultants) / only others' approved cases.
    pub mine_only: bool,
    pub shared_only: bool,
}

pub(crate) struct Meta {
    pub(crate) id: ReportId,
    interview_id: InterviewId,
    cycle_id: Option<i64>,
    pub(crate) employee_id: EmployeeId,
    pub(crate) employee_name: String,
    boss_id: Option<i64>,
    department: String,
    dept_depth: i64,
    birth_year: Option<i64>,
    author: UserId,
    author_name: String,
    supervisor: Option<UserId>,
    status: ReportStatus,
    sealed: SealedId,
    /// The sealed flags and tags; `None` only for a row written before they were sealed (its
    /// plain columns still hold them until the store seals them at its next start).
    facts_sealed: Option<SealedId>,
    flags: ReportFlags,
    round: i64,
    version: i64,
    held_at: i64,
    submitted_at: Option<i64>,
    updated_at: i64,
}

pub(crate) const META_SELECT: &str = "SELECT r.id, r.interview_id, i.cycle_id, r.employee_id, e.name AS employee_name, e.boss_id, d.path AS department, d.depth AS dept_depth,
        e.birth_year, r.author_id, u.display_name AS author_name, r.supervisor_id, r.status, r.sealed_id, r.facts_sealed_id, r.life_safety, r.organizational_response,
        r.round, r.version, i.starts_at AS held_at, r.submitted_at, r.updated_at
     FROM reports r
     JOIN interviews i ON i.id = r.interview_id
     JOIN employees e ON e.id = r.employee_id
     JOIN departments d ON d.id = e.department_id
     JOIN users u ON u.id = r.author_id";

pub(crate) fn meta(r: &AnyRow) -> Result<Meta> {
    let status: String = r.try_get("status")?;
    Ok(Meta {
        id: ReportId::new(r.try_get("id")?),
        interview_id: InterviewId::new(r.try_get("interview_id")?),
        cycle_id: r.try_get("cycle_id")?,
        employee_id: EmployeeId::new(r.try_get("employee_id")?),
        employee_name: r.try_get("employee_name")?,
        boss_id: r.try_get("boss_id")?,
        department: r.try_get("department")?,
        dept_depth: r.try_get("dept_depth")?,
        birth_year: r.try_get("birth_year")?,
        author: UserId::new(r.try_get("author_id")?),
        author_name: r.try_get("author_name")?,
        supervisor: r.try_get::<Option<i64>, _>("supervisor_id")?.map(UserId::new),
        status: ReportStatus::parse(&status).ok_or_else(|| StoreError::Config(format!("unknown report status {status}")))?,
        sealed: SealedId::new(r.try_get("sealed_id")?),
        facts_sealed: r.try_get::<Option<i64>, _>("facts_sealed_id")?.map(SealedId::new),
        flags: ReportFlags {
            life_safety: r.try_get::<i64, _>("life_safety")? != 0,
            organizational_response: r.try_get::<i64, _>("organizational_response")? != 0,
        },
        round: r.try_get("round")?,
        version: r.try_get("version")?,
        held_at: r.try_get("held_at")?,
        submitted_at: r.try_get("submitted_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Meta {
    /// The line of the review queue, in the view the policy gave.
    pub(crate) fn queue_item(&self, view: View, secret: &[u8], me: UserId) -> QueueItem {
        let identified = view == View::Identified;
        QueueItem {
            id: self.id,
            subject: if identified { self.employee_name.clone() } else { pseudonym(secret, self.employee_id.get()) },
            author_name: if identified { self.author_name.clone() } else { String::new() },
            round: self.round,
            submitted_at: self.submitted_at.unwrap_or(self.updated_at),
            assigned_to_me: self.supervisor == Some(me),
        }
    }

    pub(crate) fn facts(&self, tenant: TenantId) -> ReportFacts {
        ReportFacts { tenant, author: self.author, status: self.status, assigned_supervisor: self.supervisor }
    }
}

/// What is sealed beside the sections: the flags and the issue tags, which say more about a
/// person (a life/safety matter, a health tag) than a database file alone may reveal.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct SealedFacts {
    life_safety: bool,
    organizational_response: bool,
    tags: Vec<String>,
}

fn encode_facts(flags: ReportFlags, tags: &[String]) -> Result<String> {
    let f = SealedFacts { life_safety: flags.life_safety, organizational_response: flags.organizational_response, tags: tags.to_vec() };
    serde_json::to_string(&f).map_err(|e| StoreError::Crypto(format!("cannot encode report facts: {e}")))
}

fn decode_facts(text: &str) -> Result<SealedFacts> {
    serde_json::from_str(text).map_err(|e| StoreError::Crypto(format!("damaged report facts: {e}")))
}

/// The codes a report's opened facts are marked under: its tags and its flags.
pub(crate) fn sealed_tags(text: &str) -> Result<Vec<String>> {
    let f = decode_facts(text)?;
    Ok(mark_codes(ReportFlags { life_safety: f.life_safety, organizational_response: f.organizational_response }, &f.tags))
}

/// The codes a report is marked under (`report_tag_marks`): each tag's code, and
/// `flag:life_safety` / `flag:organizational_response` for a flag it carries, so that the
/// overall report counts flags as it counts tags, without opening any report. A tag's code never
/// holds a colon, so the two never meet.
pub(crate) fn mark_codes(flags: ReportFlags, tags: &[String]) -> Vec<String> {
    use domain::overall_report::Measure;
    let mut codes = tags.to_vec();
    if flags.life_safety {
        codes.push(Measure::LifeSafety.code());
    }
    if flags.organizational_response {
        codes.push(Measure::OrganizationalResponse.code());
    }
    codes
}

impl Meta {
    /// The flags and tags: from the opened sealed value, or (a row not yet sealed) from the plain
    /// columns and `legacy_tags`.
    fn facts_from(&self, texts: &HashMap<SealedId, String>, legacy_tags: Vec<String>) -> Result<(ReportFlags, Vec<String>)> {
        match self.facts_sealed {
            Some(id) => {
                let f = decode_facts(texts.get(&id).map(String::as_str).unwrap_or("{}"))?;
                Ok((ReportFlags { life_safety: f.life_safety, organizational_response: f.organizational_response }, f.tags))
            }
            None => Ok((self.flags, legacy_tags)),
        }
    }
}

pub(crate) fn decode_sections(text: &str) -> Result<ReportSections> {
    serde_json::from_str(text).map_err(|e| StoreError::Crypto(format!("damaged report sections: {e}")))
}

fn encode_sections(s: &ReportSections) -> Result<String> {
    serde_json::to_string(s).map_err(|e| StoreError::Crypto(format!("cannot encode sections: {e}")))
}

fn invalid_all(errors: Vec<Invalid>) -> StoreError {
    StoreError::problems(errors)
}

/// Everything needed to present a report in one of the two views.
struct Presenter {
    view: View,
    locale: Locale,
    secret: Vec<u8>,
    index: Option<std::sync::Arc<domain::pseudonym::NameIndex>>,
}

impl Presenter {
    fn pseudonymized(&self) -> bool {
        self.view == View::Pseudonymized
    }

    fn subject(&self, m: &Meta) -> String {
        if self.pseudonymized() {
            pseudonym(&self.secret, m.employee_id.get())
        } else {
            m.employee_name.clone()
        }
    }

    fn department(&self, m: &Meta) -> String {
        if self.pseudonymized() {
            let (ja, en) = department_level(m.dept_depth.max(0) as usize);
            if self.locale == Locale::Ja {
                ja
            } else {
                en
            }
        } else {
            m.department.clone()
        }
    }

    fn held(&self, m: &Meta) -> String {
        let Some(date) = domain::time::jst_date(m.held_at) else { return String::new() };
        if self.pseudonymized() {
            let (ja, en) = coarse_date(date);
            if self.locale == Locale::Ja {
                ja
            } else {
                en
            }
        } else {
            date.format("%Y-%m-%d").to_string()
        }
    }

    fn text(&self, m: &Meta, text: &str) -> String {
        match (&self.index, self.pseudonymized()) {
            (Some(idx), true) => {
                let code = pseudonym(&self.secret, m.employee_id.get());
                let labels = if self.locale == Locale::Ja { MaskLabels::ja(&code) } else { MaskLabels::en(&code) };
                idx.mask(text, Some(m.employee_id.get()), m.boss_id, &labels)
            }
            _ => text.to_string(),
        }
    }
}

impl Store {
    async fn report_meta(&self, tenant: TenantId, id: ReportId) -> Result<Meta> {
        let r = sqlx::query(&format!("{META_SELECT} WHERE r.tenant_id = $1 AND r.id = $2"))
            .bind(tenant.get())
            .bind(id.get())
            .fetch_optional(&self.db.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        meta(&r)
    }

    async fn tags_of(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(400) {
            if chunk.is_empty() {
                continue;
            }
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT rt.report_id, t.code FROM report_tags rt JOIN issue_tags t ON t.id = rt.tag_id WHERE rt.report_id IN ({}) ORDER BY t.position",
                placeholders.join(",")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.db.read).await? {
                out.entry(r.try_get("report_id")?).or_default().push(r.try_get("code")?);
            }
        }
        Ok(out)
    }

    async fn presenter(&self, tenant: TenantId, view: View, locale: Locale) -> Result<Presenter> {
        let (secret, index) = if view == View::Pseudonymized {
            (self.pseudonym_secret(tenant).await?, Some(self.name_index(tenant).await?))
        } else {
            (Vec::new(), None)
        };
        Ok(Presenter { view, locale, secret, index })
    }

    fn summary(&self, m: &Meta, p: &Presenter, me: UserId, (flags, tags): (ReportFlags, Vec<String>)) -> ReportSummary {
        ReportSummary {
            id: m.id,
            interview_id: m.interview_id,
            cycle_id: m.cycle_id,
            status: m.status,
            pseudonymized: p.pseudonymized(),
            subject: p.subject(m),
            department: p.department(m),
            author_name: if p.pseudonymized() { String::new() } else { m.author_name.clone() },
            is_mine: m.author == me,
            held: p.held(m),
            held_on: if p.pseudonymized() { None } else { domain::time::jst_date(m.held_at) },
            tags,
            flags,
            submitted_at: if p.pseudonymized() { None } else { m.submitted_at },
            updated_at: (!p.pseudonymized()).then_some(m.updated_at),
        }
    }

    /// Decides `op` on a report for the context. A refusal is audited and answers exactly as a
    /// report that does not exist.
    async fn report_permit(&self, ctx: &Ctx, op: Operation, m: &Meta) -> Result<Permit> {
        let actor = ctx.actor()?;
        match policy::permit(&actor, op, Target::Report(m.facts(ctx.tenant))) {
            Some(p) => Ok(p),
            None => Err(self.refused(ctx, op, AuditTarget::Report, m.id).await),
        }
    }

    /// Starts the report of a held interview, written by its interviewer; returns the existing
    /// one if there is one. Another consultant's interview answers as one that does not exist.
    pub async fn create_report(&self, me: &Acting<Consultant>, interview: InterviewId) -> Result<ReportId> {
        let ctx = me.ctx();
        let actor = me.actor();
        let mut tx = self.db.write.begin().await?;
        let i = sqlx::query("SELECT employee_id, consultant_id, status FROM interviews WHERE id = $1 AND tenant_id = $2")
            .bind(interview.get())
            .bind(ctx.tenant.get())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let facts = InterviewFacts { tenant: ctx.tenant, consultant: UserId::new(i.try_get("consultant_id")?), employee_user: None };
        if !policy::decide(&actor, Operation::WriteReports, Target::Interview(facts)).is_allow() {
            drop(tx);
            return Err(self.refused(ctx, Operation::WriteReports, AuditTarget::Interview, interview).await);
        }
        if let Some(r) =
            sqlx::query("SELECT id FROM reports WHERE interview_id = $1").bind(interview.get()).fetch_optional(&mut *tx).await?
        {
            return Ok(ReportId::new(r.try_get("id")?));
        }
        let status: String = i.try_get("status")?;
        if InterviewStatus::parse(&status) != Some(InterviewStatus::Held) {
            return Err(Invalid::new(
                "interview",
                "個別報告書は実施済みの面談についてのみ作成できます。",
                "a report can only be written for an interview that was held",
            )
            .into());
        }
        let sealed = self.seal_in_tx(&mut tx, ctx.tenant, "report", &encode_sections(&ReportSections::default())?).await?;
        let facts = self.seal_in_tx(&mut tx, ctx.tenant, FACTS_PURPOSE, &encode_facts(ReportFlags::default(), &[])?).await?;
        let now = now_ms();
        let row = sqlx::query(
            "INSERT INTO reports (tenant_id, interview_id, employee_id, author_id, status, sealed_id, facts_sealed_id, life_safety, organizational_response, round, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'draft', $5, $7, 0, 0, 1, 1, $6, $6) RETURNING id",
        )
        .bind(ctx.tenant.get())
        .bind(interview.get())
        .bind(i.try_get::<i64, _>("employee_id")?)
        .bind(actor.user().get())
        .bind(sealed.get())
        .bind(now)
        .bind(facts.get())
        .fetch_one(&mut *tx)
        .await?;
        let id = ReportId::new(row.try_get("id")?);
        sqlx::query("UPDATE interviews SET reported = 1 WHERE id = $1").bind(interview.get()).execute(&mut *tx).await?;
        self.mark_tags_in_tx(&mut tx, ctx.tenant, id.get(), &[]).await?;
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx.event(AuditAction::ReportWritten, AuditTarget::Report, id).detail(Fact::Is(Outcome::Created))],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The report of one of the consultant's own interviews, if one was started. Another
    /// consultant's interview answers as one that does not exist (never its report's id).
    pub async fn report_of_interview(&self, me: &Acting<Consultant>, interview: InterviewId) -> Result<Option<ReportId>> {
        let ctx = me.ctx();
        let r = sqlx::query(
            "SELECT i.consultant_id, r.id AS report_id FROM interviews i LEFT JOIN reports r ON r.interview_id = i.id WHERE i.tenant_id = $1 AND i.id = $2",
        )
        .bind(ctx.tenant.get())
        .bind(interview.get())
        .fetch_optional(&self.db.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        let facts = InterviewFacts { tenant: ctx.tenant, consultant: UserId::new(r.try_get("consultant_id")?), employee_user: None };
        if !policy::decide(&me.actor(), Operation::WriteReports, Target::Interview(facts)).is_allow() {
            return Err(self.refused(ctx, Operation::WriteReports, AuditTarget::Interview, interview).await);
        }
        Ok(r.try_get::<Option<i64>, _>("report_id")?.map(ReportId::new))
    }

    /// Reads a report as the actor may see it; NotFound when they may not. The sections and
    /// comments open through the gate, audited with the view used. A pseudonymized view carries
    /// no exact date or time, and a colleague's shared case no review history.
    pub async fn read_report(&self, ctx: &Ctx, id: ReportId, locale: Locale) -> Result<ReportDetail> {
        let actor = ctx.actor()?;
        let m = self.report_meta(ctx.tenant, id).await?;
        let permit = self.report_permit(ctx, Operation::ReadReports, &m).await?;
        let view = permit.view();
        let p = self.presenter(ctx.tenant, view, locale).await?;
        let history = policy::review_history_visible(&actor, view);
        let comment_rows = if history {
            sqlx::query(
                "SELECT c.section, c.round, c.sealed_id, c.created_at, u.display_name FROM report_comments c JOIN users u ON u.id = c.author_id WHERE c.report_id = $1 ORDER BY c.id",
            )
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?
        } else {
            Vec::new()
        };
        let comment_ids: Vec<SealedId> =
            comment_rows.iter().map(|r| r.try_get::<i64, _>("sealed_id").map(SealedId::new)).collect::<Result<_, _>>()?;
        let mut sealed_ids = vec![m.sealed];
        sealed_ids.extend(m.facts_sealed);
        sealed_ids.extend(&comment_ids);
        let event = ctx.event(AuditAction::ReportRead, AuditTarget::Report, id).detail(Fact::View(view));
        let mut texts = self.open_permitted(ctx, &permit, &[event], &sealed_ids).await?;
        let raw = decode_sections(&texts.remove(&m.sealed).unwrap_or_default())?;
        let mut sections = ReportSections::default();
        for s in SECTIONS {
            sections.set(s, p.text(&m, raw.get(s).unwrap_or("")));
        }
        let exact = |at: i64| (!p.pseudonymized()).then_some(at);
        let mut comments = Vec::new();
        for (r, sid) in comment_rows.iter().zip(&comment_ids) {
            comments.push(CommentRow {
                section: r.try_get("section")?,
                round: r.try_get("round")?,
                author_name: r.try_get("display_name")?,
                body: p.text(&m, texts.get(sid).map(String::as_str).unwrap_or("")),
                created_at: exact(r.try_get("created_at")?),
            });
        }
        let review_rows = if history {
            sqlx::query(
                "SELECT v.round, v.decision, v.scores, v.created_at, u.display_name FROM report_reviews v JOIN users u ON u.id = v.reviewer_id WHERE v.report_id = $1 ORDER BY v.id",
            )
            .bind(id.get())
            .fetch_all(&self.db.read)
            .await?
        } else {
            Vec::new()
        };
        let mut reviews = Vec::new();
        for r in &review_rows {
            let scores: Vec<(String, i64)> = serde_json::from_str(&r.try_get::<String, _>("scores")?).unwrap_or_default();
            reviews.push(ReviewRow {
                round: r.try_get("round")?,
                decision: r.try_get("decision")?,
                reviewer_name: r.try_get("display_name")?,
                scores,
                created_at: exact(r.try_get("created_at")?),
            });
        }
        let legacy_tags =
            if m.facts_sealed.is_none() { self.tags_of(&[id.get()]).await?.remove(&id.get()).unwrap_or_default() } else { Vec::new() };
        let facts = m.facts_from(&texts, legacy_tags)?;
        let this_year = crate::today_jst();
        let band = m
            .birth_year
            .map(|y| {
                let (ja, en) = age_band(y as i32, chrono::Datelike::year(&this_year));
                if locale == Locale::Ja {
                    ja
                } else {
                    en
                }
            })
            .unwrap_or_default();
        Ok(ReportDetail {
            summary: self.summary(&m, &p, actor.user(), facts),
            sections,
            version: m.version,
            round: m.round,
            editable: policy::decide(&actor, Operation::WriteReports, Target::Report(m.facts(ctx.tenant))).is_allow(),
            reviewable: policy::decide(&actor, Operation::ReviewReports, Target::Report(m.facts(ctx.tenant))).is_allow(),
            age_band: band,
            comments,
            reviews,
            assigned_supervisor: if p.pseudonymized() { None } else { m.supervisor },
        })
    }

    /// Saves the author's text, tags and flags. `expected_version` guards against two tabs
    /// overwriting each other: a stale save is refused, not merged silently.
    pub async fn save_report(
        &self,
        me: &Acting<Consultant>,
        id: ReportId,
        sections: &ReportSections,
        tag_codes: &[String],
        flags: ReportFlags,
        expected_version: i64,
    ) -> Result<i64> {
        Ok(self.save_report_escalating(me, id, sections, tag_codes, flags, expected_version, None).await?.0)
    }

    /// [`Store::save_report`], and, in the same transaction, the life/safety escalation a raised
    /// flag opens (with the consultant's summary for the responders, when given): its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report_escalating(
        &self,
        me: &Acting<Consultant>,
        id: ReportId,
        sections: &ReportSections,
        tag_codes: &[String],
        flags: ReportFlags,
        expected_version: i64,
        summary: Option<&str>,
    ) -> Result<(i64, Option<domain::ids::EscalationId>)> {
        let ctx = me.ctx();
        let actor = me.actor();
        sections.validate(false).map_err(invalid_all)?;
        let m = self.report_meta(ctx.tenant, id).await?;
        self.report_permit(ctx, Operation::ReadReports, &m).await?;
        if !policy::decide(&actor, Operation::WriteReports, Target::Report(m.facts(ctx.tenant))).is_allow() {
            return Err(Invalid::new(
                "status",
                "この報告書は現在編集できません（提出済み・承認済み、または作成者ではありません）。",
                "this report cannot be edited now",
            )
            .into());
        }
        let tags = self.taxonomy(ctx.tenant, crate::Taxonomy::IssueTags, true).await?;
        for code in tag_codes {
            if !tags.iter().any(|t| &t.code == code) {
                return Err(
                    Invalid::new("tags", format!("分類「{code}」は登録されていません。"), format!("unknown issue tag {code}")).into()
                );
            }
        }
        // In the taxonomy's order, once each.
        let codes: Vec<String> = tags.iter().filter(|t| tag_codes.contains(&t.code)).map(|t| t.code.clone()).collect();
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        let updated = sqlx::query("UPDATE reports SET version = version + 1, life_safety = 0, organizational_response = 0, updated_at = $1 WHERE id = $2 AND tenant_id = $3 AND version = $4")
            .bind(now)
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(domain::report::edited_elsewhere()));
        }
        self.reseal_in_tx(&mut tx, ctx.tenant, m.sealed, &encode_sections(sections)?).await?;
        let facts = encode_facts(flags, &codes)?;
        match m.facts_sealed {
            Some(f) => self.reseal_in_tx(&mut tx, ctx.tenant, f, &facts).await?,
            None => {
                let f = self.seal_in_tx(&mut tx, ctx.tenant, FACTS_PURPOSE, &facts).await?;
                sqlx::query("UPDATE reports SET facts_sealed_id = $1 WHERE id = $2").bind(f.get()).bind(id.get()).execute(&mut *tx).await?;
            }
        }
        sqlx::query("DELETE FROM report_tags WHERE report_id = $1").bind(id.get()).execute(&mut *tx).await?;
        self.mark_tags_in_tx(&mut tx, ctx.tenant, id.get(), &mark_codes(flags, &codes)).await?;
        Store::audit_in_tx(&mut tx, ctx, &[ctx.event(AuditAction::ReportWritten, AuditTarget::Report, id)]).await?;
        let raise = crate::escalations::Raise {
            source: domain::escalation::EscalationSource::Report,
            interview: m.interview_id,
            report: Some(id),
            employee: m.employee_id,
            flag: flags.life_safety,
        };
        let escalation = self.raise_in_tx(&mut tx, ctx, raise, summary).await?;
        tx.commit().await?;
        Ok((expected_version + 1, escalation))
    }

    /// Submits (or resubmits) for review, optionally naming the supervisor who may see the
    /// case identified.
    pub async fn submit_report(&self, me: &Acting<Consultant>, id: ReportId, supervisor: Option<UserId>) -> Result<()> {
        let ctx = me.ctx();
        let actor = me.actor();
        let m = self.report_meta(ctx.tenant, id).await?;
        let permit = self.report_permit(ctx, Operation::SubmitReport, &m).await?;
        let to = transition(m.status, ReportEvent::Submit, actor.role(), actor.user() == m.author)?;
        // The sections are read to check they are complete: an audited read like any other.
        let event = ctx
            .event(AuditAction::ReportRead, AuditTarget::Report, id)
            .detail(AuditDetail::of(Fact::View(View::Identified)).and(Fact::Name(Key::Purpose, "submission_check")));
        let mut texts = self.open_permitted(ctx, &permit, &[event], &[m.sealed]).await?;
        let sections = decode_sections(&texts.remove(&m.sealed).unwrap_or_default())?;
        sections.validate(true).map_err(invalid_all)?;
        if let Some(s) = supervisor {
            let holds = sqlx::query("SELECT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.user_id = $1 AND u.tenant_id = $2 AND ur.role = 'supervisor'")
                .bind(s.get())
                .bind(ctx.tenant.get())
                .fetch_optional(&self.db.read)
                .await?;
            if holds.is_none() || s == actor.user() {
                return Err(
                    Invalid::new("supervisor", "指定されたスーパーバイザーは選択できません。", "that supervisor cannot be chosen").into()
                );
            }
        }
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        let n = sqlx::query("UPDATE reports SET status = $1, submitted_at = $2, updated_at = $2, supervisor_id = COALESCE($3, supervisor_id) WHERE id = $4 AND tenant_id = $5 AND status = $6")
            .bind(to.as_str())
            .bind(now)
            .bind(supervisor.map(|s| s.get()))
            .bind(id.get())
            .bind(ctx.tenant.get())
            .bind(m.status.as_str())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(domain::report::status_changed()));
        }
        Store::audit_in_tx(
            &mut tx,
            ctx,
            &[ctx
                .event(AuditAction::ReportStatusChanged, AuditTarget::Report, id)
                .detail(Fact::Transition { from: m.status.as_str(), to: to.as_str() })],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A supervisor returns (with at least one comment) or approves a submitted report.
    pub async fn review_report(&self, me: &Acting<Supervisor>, id: ReportId, input: &ReviewInput) -> Result<ReportStatus> {
        let ctx = me.ctx();
        let actor = me.actor();
        let m = self.report_meta(ctx.tenant, id).await?;
        self.report_permit(ctx, Operation::ReadReports, &m).await?;
        let event = if input.approve { ReportEvent::Approve } else { ReportEvent::Return };
        let to = transition(m.status, event, actor.role(), actor.user() == m.author)?;
        if !policy::decide(&actor, Operation::ReviewReports, Target::Report(m.facts(ctx.tenant))).is_allow() {
            return Err(self.refused(ctx, Operation::ReviewReports, AuditTarget::Report, id).await);
        }
        let comments: Vec<&(String, String)> = input.comments.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
        let rubric: Vec<String> = self.taxonomy(ctx.tenant, crate::Taxonomy::Rubric, false).await?.into_iter().map(|r| r.code).collect();
        let typed: Vec<(String, Option<i64>)> = input.scores.iter().map(|(c, n)| (c.clone(), Some(*n))).collect();
        let problems = domain::report::review_problems(Some(input.approve), &input.comments, &typed, &rubric);
        if !problems.is_empty() {
            return Err(StoreError::problems(problems));
        }
        let scores: Vec<(String, i64)> = input.scores.clone();
        let scores_json = serde_json::to_string(&scores).map_err(|e| StoreError::Config(e.to_string()))?;
        let mut tx = self.db.write.begin().await?;
        let now = now_ms();
        for (section, text) in &comments {
            let sealed = self.seal_in_tx(&mut tx, ctx.tenant, "report_comment", text.trim()).await?;
            sqlx::query("INSERT INTO report_comments (tenant_id, report_id, author_id, round, section, sealed_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(ctx.tenant.get())
                .bind(id.get())
                .bind(actor.user().get())
                .bind(m.round)
                .bind(section.as_str())
                .bind(sealed.get())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO report_reviews (tenant_id, report_id, reviewer_id, round, decision, scores, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(ctx.tenant.get())
            .bind(id.get())
            .bind(actor.user().get())
            .bind(m.round)
            .bind(to.as_str())
            .bind(&scores_json)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let n = sqlx::query(
            "UPDATE reports SET status = $1, round = round + $2, approved_at = CASE WHEN $1 = 'approved' THEN $3 ELSE approved_at END, updated_at = $3 WHERE id = $4 AND status = 'submitted'",
        )
        .bind(to.as_str())
        .bind(if input.approve { 0i64 } else { 1i64 })
        .bind(now)
        .bind(id.get())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(domain::report::status_changed()));
        }
        if to == ReportStatus::Approved {
            self.enqueue_report_terms_in_tx(&mut tx, ctx.tenant, id.get()).await?;
        }
        let mut events = vec![ctx
            .event(AuditAction::ReportStatusChanged, AuditTarget::Report, id)
            .detail(Fact::Transition { from: ReportStatus::Submitted.as_str(), to: to.as_str() })];
        if !comments.is_empty() {
            events.push(
                ctx.event(AuditAction::ReportCommented, AuditTarget::Report, id)
                    .detail(AuditDetail::none().n(Key::Comments, comments.len())),
            );
        }
        Store::audit_in_tx(&mut tx, ctx, &events).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The reports the actor may see, newest first, each decided by the policy with its facts:
    /// a consultant's own (any status) and colleagues' approved cases; a supervisor's everything
    /// submitted. Other roles see none.
    pub async fn list_reports(&self, ctx: &Ctx, filter: &ReportFilter, locale: Locale) -> Result<Vec<ReportSummary>> {
        let actor = ctx.actor()?;
        let sql = format!(
            "{META_SELECT} WHERE r.tenant_id = $1 AND ($2 IS NULL OR i.cycle_id = $2) AND ($3 IS NULL OR r.status = $3) ORDER BY r.updated_at DESC, r.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(ctx.tenant.get())
            .bind(filter.cycle)
            .bind(filter.status.map(|s| s.as_str()))
            .fetch_all(&self.db.read)
            .await?;
        let mut visible = Vec::new();
        for r in &rows {
            let m = meta(r)?;
            if filter.mine_only && m.author != actor.user() || filter.shared_only && m.author == actor.user() {
                continue;
            }
            if let Some(view) = policy::decide(&actor, Operation::ReadReports, Target::Report(m.facts(ctx.tenant))).view() {
                visible.push((m, view));
            }
            if visible.len() >= LIST_MAX {
                break;
            }
        }
        let event = ctx.event(AuditAction::ReportListRead, AuditTarget::ReportList, "list").detail(AuditDetail::count(visible.len()));
        self.summaries(ctx, &visible, event, locale).await
    }

    /// The lines of a list of reports the policy let the actor see (each with its view): the
    /// flags and tags opened through the sealed gate under `event`.
    pub(crate) async fn summaries(
        &self,
        ctx: &Ctx,
        visible: &[(Meta, View)],
        event: domain::audit::AuditEvent,
        locale: Locale,
    ) -> Result<Vec<ReportSummary>> {
        let facts = self.report_facts(ctx, visible, event).await?;
        self.summaries_with(ctx, visible, &facts, locale).await
    }

    /// The flags and tags of the reports the actor may read: sealed ones opened through the
    /// policy's permits under one audited event, a legacy row's from its plain columns.
    pub(crate) async fn report_facts(
        &self,
        ctx: &Ctx,
        visible: &[(Meta, View)],
        event: domain::audit::AuditEvent,
    ) -> Result<HashMap<ReportId, (ReportFlags, Vec<String>)>> {
        let actor = ctx.actor()?;
        let legacy: Vec<i64> = visible.iter().filter(|(m, _)| m.facts_sealed.is_none()).map(|(m, _)| m.id.get()).collect();
        let mut tags = self.tags_of(&legacy).await?;
        let mut sealed = Vec::new();
        for (m, _) in visible {
            if let (Some(f), Some(permit)) =
                (m.facts_sealed, policy::permit(&actor, Operation::ReadReports, Target::Report(m.facts(ctx.tenant))))
            {
                sealed.push((permit, f));
            }
        }
        let texts = self.open_permitted_each(ctx, &[event], &sealed).await?;
        let mut out = HashMap::with_capacity(visible.len());
        for (m, _) in visible {
            out.insert(m.id, m.facts_from(&texts, tags.remove(&m.id.get()).unwrap_or_default())?);
        }
        Ok(out)
    }

    /// The summaries of reports whose facts are already opened (a report without facts is one
    /// the actor may not read: left out).
    pub(crate) async fn summaries_with(
        &self,
        ctx: &Ctx,
        visible: &[(Meta, View)],
        facts: &HashMap<ReportId, (ReportFlags, Vec<String>)>,
        locale: Locale,
    ) -> Result<Vec<ReportSummary>> {
        let actor = ctx.actor()?;
        let identified = Presenter { view: View::Identified, locale, secret: Vec::new(), index: None };
        let pseudo = if visible.iter().any(|(_, v)| *v == View::Pseudonymized) {
            Some(Presenter { view: View::Pseudonymized, locale, secret: self.pseudonym_secret(ctx.tenant).await?, index: None })
        } else {
            None
        };
        let mut out = Vec::with_capacity(visible.len());
        for (m, view) in visible {
            let p = match (view, &pseudo) {
                (View::Pseudonymized, Some(p)) => p,
                _ => &identified,
            };
            if let Some((flags, tags)) = facts.get(&m.id) {
                out.push(self.summary(m, p, actor.user(), (*flags, tags.clone())));
            }
        }
        Ok(out)
    }

    /// Submitted reports waiting for a supervisor, oldest first, each shown as the policy lets
    /// this supervisor read it (the author's name only where the case is identified).
    pub async fn review_queue(&self, me: &Acting<Supervisor>) -> Result<Vec<QueueItem>> {
        let ctx = me.ctx();
        let actor = me.actor();
        let rows = sqlx::query(&format!("{META_SELECT} WHERE r.tenant_id = $1 AND r.status = 'submitted' ORDER BY r.submitted_at, r.id"))
            .bind(ctx.tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        let secret = self.pseudonym_secret(ctx.tenant).await?;
        let mut out = Vec::new();
        for r in &rows {
            let m = meta(r)?;
            let Some(view) = policy::decide(&actor, Operation::ReviewReports, Target::Report(m.facts(ctx.tenant))).view() else { continue };
            let identified = view == View::Identified;
            out.push(QueueItem {
                id: m.id,
                subject: if identified { m.employee_name.clone() } else { pseudonym(&secret, m.employee_id.get()) },
                author_name: if identified { m.author_name.clone() } else { String::new() },
                round: m.round,
                submitted_at: m.submitted_at.unwrap_or(m.updated_at),
                assigned_to_me: m.supervisor == Some(actor.user()),
            });
        }
        self.audit(ctx, ctx.event(AuditAction::ReportListRead, AuditTarget::ReviewQueue, "list").detail(AuditDetail::count(out.len())))
            .await?;
        Ok(out)
    }

    /// Mean hours from submission to decision over the last decisions, for the queue page.
    pub async fn review_turnaround_hours(&self, tenant: TenantId) -> Result<Option<f64>> {
        let rows = sqlx::query(
            "SELECT v.created_at AS decided, r.submitted_at FROM report_reviews v JOIN reports r ON r.id = v.report_id WHERE v.tenant_id = $1 ORDER BY v.id DESC LIMIT 200",
        )
        .bind(tenant.get())
        .fetch_all(&self.db.read)
        .await?;
        let spans: Vec<i64> = rows
            .iter()
            .filter_map(|r| Some(r.try_get::<i64, _>("decided").ok()? - r.try_get::<Option<i64>, _>("submitted_at").ok()??))
            .filter(|d| *d >= 0)
            .collect();
        if spans.is_empty() {
            return Ok(None);
        }
        Ok(Some(spans.iter().sum::<i64>() as f64 / spans.len() as f64 / 3_600_000.0))
    }

    /// Supervisors of the tenant, for the author's choice at submission.
    pub async fn supervisors(&self, tenant: TenantId) -> Result<Vec<(UserId, String)>> {
        let rows = sqlx::query("SELECT u.id, u.display_name FROM users u JOIN user_roles ur ON ur.user_id = u.id WHERE u.tenant_id = $1 AND ur.role = 'supervisor' AND u.disabled_at IS NULL ORDER BY u.display_name")
            .bind(tenant.get())
            .fetch_all(&self.db.read)
            .await?;
        rows.iter().map(|r| Ok((UserId::new(r.try_get("id")?), r.try_get("display_name")?))).collect()
    }
}

impl Store {
    /// Seals the flags and tags of every report that still has them in plain (rows written
    /// before they were sealed, and the demo's bulk insert), zeroing the plain columns and
    /// deleting the tag rows in the same transaction. Idempotent; returns how many were sealed.
    pub(crate) async fn seal_plain_report_facts(&self) -> Result<usize> {
        let mut done = 0;
        loop {
            let rows = sqlx::query(
                "SELECT id, tenant_id, life_safety, organizational_response FROM reports WHERE facts_sealed_id IS NULL ORDER BY id LIMIT 500",
            )
            .fetch_all(&self.db.read)
            .await?;
            if rows.is_empty() {
                return Ok(done);
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<Result<_, _>>()?;
            let mut tags = self.tags_of(&ids).await?;
            let mut tx = self.db.write.begin().await?;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let tenant = TenantId::new(r.try_get("tenant_id")?);
                let flags = ReportFlags {
                    life_safety: r.try_get::<i64, _>("life_safety")? != 0,
                    organizational_response: r.try_get::<i64, _>("organizational_response")? != 0,
                };
                let codes = tags.remove(&id).unwrap_or_default();
                let text = encode_facts(flags, &codes)?;
                let sealed = self.seal_in_tx(&mut tx, tenant, FACTS_PURPOSE, &text).await?;
                self.mark_tags_in_tx(&mut tx, tenant, id, &mark_codes(flags, &codes)).await?;
                sqlx::query(
                    "UPDATE reports SET facts_sealed_id = $1, life_safety = 0, organizational_response = 0 WHERE id = $2 AND facts_sealed_id IS NULL",
                )
                .bind(sealed.get())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM report_tags WHERE report_id = $1").bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            done += rows.len();
        }
    }
}

/// Figures of the pseudonymizer over a tenant's reports (for `careerdock bench reports`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PseudonymizeFigures {
    pub people: usize,
    pub reports: usize,
    pub chars: usize,
    pub index_build: std::time::Duration,
    pub mask_total: std::time::Duration,
    pub mask_max: std::time::Duration,
}

impl Store {
    /// Builds the tenant's name index afresh and masks every report's sections once, timing
    /// both; nothing is returned but figures. An operator's command: the reports open through the
    /// gate with an operator's permit, and the read is audited like any other.
    pub async fn bench_pseudonymize(&self, op: &Ctx, tenant: TenantId) -> Result<PseudonymizeFigures> {
        let permit = policy::operator_permit(tenant, Operation::RunBenchmark).ok_or(StoreError::NotFound)?;
        if !op.is_operator() || op.tenant != tenant {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(&format!("{META_SELECT} WHERE r.tenant_id = $1")).bind(tenant.get()).fetch_all(&self.db.read).await?;
        let metas = rows.iter().map(meta).collect::<Result<Vec<_>>>()?;
        let sealed: Vec<SealedId> = metas.iter().map(|m| m.sealed).collect();
        let event = op
            .event(AuditAction::ReportRead, AuditTarget::ReportList, "benchmark")
            .detail(AuditDetail::count(sealed.len()).and(Fact::Name(Key::Purpose, "benchmark")));
        let texts = self.open_permitted(op, &permit, &[event], &sealed).await?;
        let secret = self.pseudonym_secret(tenant).await?;
        let start = std::time::Instant::now();
        self.names.inner.lock().await.remove(&tenant);
        let index = self.name_index(tenant).await?;
        let index_build = start.elapsed();
        let mut f = PseudonymizeFigures { people: index.len(), reports: metas.len(), index_build, ..Default::default() };
        for m in &metas {
            let s = decode_sections(texts.get(&m.sealed).map(String::as_str).unwrap_or("{}"))?;
            let labels = MaskLabels::ja(&pseudonym(&secret, m.employee_id.get()));
            let t = std::time::Instant::now();
            for id in SECTIONS {
                let text = s.get(id).unwrap_or("");
                f.chars += text.chars().count();
                let _ = index.mask(text, Some(m.employee_id.get()), m.boss_id, &labels);
            }
            let took = t.elapsed();
            f.mask_total += took;
            f.mask_max = f.mask_max.max(took);
        }
        Ok(f)
    }
}
