//! The record-level matrix (`record_roles.tsv`): every route whose path takes an id, asked by
//! each role for its own record, a colleague's, the same kind in another tenant and an id that
//! does not exist, over HTTP, on both databases. Each (route, subject) gets fresh records made
//! through the store; the answers must be the table's, and a record the role may not see must
//! answer exactly as one that does not exist: same status, same redirect, same page or JSON
//! (up to the path asked and the request id).

mod actions;
mod cases;
mod follow_ups;
pub mod management;
mod overall;
pub mod world;
pub mod yearly_reviews;

use crate::support::{login_as, Agent, Resp};
use anyhow::{bail, Context, Result};
use domain::consent::Purpose;
use domain::ids::{DisclosureId, InterviewId, ReportId, TenantId, TokenId, UserId};
use domain::report::ReportStatus;
use domain::Role;
use reqwest::Method;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use store::{ConsultationRequestId, PendingImportId, Taxonomy};
use testkit::Backend;
use world::{role_login, Person, World, SECTION_TEXT};

testkit::on_both_backends!(every_record_answers_each_role_as_the_table_says);

const TABLE: &str = include_str!("../record_roles.tsv");
const COLUMNS: [&str; 12] =
    ["method", "path", "subject", "record", "consultant", "supervisor", "hr", "executive", "boss", "health", "employee", "admin"];

/// An id that no record has, in any tenant.
const MISSING_ID: &str = "999999999";

/// Whose record the id names, relative to the acting user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Record {
    Own,
    Colleague,
    OtherTenant,
    Missing,
}

impl Record {
    const ALL: [Record; 4] = [Record::Own, Record::Colleague, Record::OtherTenant, Record::Missing];

    fn parse(s: &str) -> Option<Record> {
        Record::ALL.into_iter().find(|r| r.as_str() == s)
    }

    fn as_str(self) -> &'static str {
        match self {
            Record::Own => "own",
            Record::Colleague => "colleague",
            Record::OtherTenant => "other-tenant",
            Record::Missing => "missing",
        }
    }
}

/// What the id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    File,
    Feed,
    Token,
    Import,
    User,
    Cycle,
    Target,
    Interview,
    HeldInterview,
    Request,
    PoolRequest,
    AnsweredRequest,
    Report(ReportStatus),
    TaxonomyKind,
    TaxonomyItem,
    /// A disclosure waiting for the employee's decision (feedback about E002 to their boss).
    Disclosure,
    /// The same, granted by the employee (the boss reads it).
    GrantedDisclosure,
    /// An entry of the consent ledger (a receipt).
    ConsentRecord,
    BossConsultation,
    /// A life/safety escalation raised on a report; acknowledged or not.
    Escalation {
        acknowledged: bool,
    },
    /// A submitted report flagged 組織的対応が必要.
    FlaggedReport,
    /// An organizational issue.
    OrgIssue,
    /// An important case released to HR.
    ImportantCase,
    Notification,
    /// An overall report's version: released, or a draft.
    OverallReport {
        released: bool,
    },
    /// A management report: released, or HR's draft.
    ManagementReport {
        released: bool,
    },
    /// A closed cycle's yearly review: a draft, or final.
    YearlyReview {
        finalized: bool,
    },
    /// A follow-up item planned by a consultant from their report (R7).
    FollowUp,
    /// A referral on the employee's consent, addressed to health staff (R9).
    Referral,
    /// An improvement action of an organizational issue, added by HR.
    Action,
    /// A policy document (方針・規程), published by HR.
    PolicyDocument,
    /// A questionnaire's definition (the tenant's default, `career-awareness`).
    Questionnaire,
}

impl Subject {
    fn parse(s: &str) -> Option<Subject> {
        Some(match s {
            "file" => Subject::File,
            "feed" => Subject::Feed,
            "token" => Subject::Token,
            "import" => Subject::Import,
            "user" => Subject::User,
            "cycle" => Subject::Cycle,
            "target" => Subject::Target,
            "interview" => Subject::Interview,
            "interview:held" => Subject::HeldInterview,
            "request" => Subject::Request,
            "request:pool" => Subject::PoolRequest,
            "request:answered" => Subject::AnsweredRequest,
            "taxonomy-kind" => Subject::TaxonomyKind,
            "taxonomy-item" => Subject::TaxonomyItem,
            "disclosure" => Subject::Disclosure,
            "disclosure:granted" => Subject::GrantedDisclosure,
            "consent-record" => Subject::ConsentRecord,
            "boss-consultation" => Subject::BossConsultation,
            "escalation" => Subject::Escalation { acknowledged: false },
            "escalation:acknowledged" => Subject::Escalation { acknowledged: true },
            "report-flagged" => Subject::FlaggedReport,
            "org-issue" => Subject::OrgIssue,
            "action" => Subject::Action,
            "policy-document" => Subject::PolicyDocument,
            "important-case" => Subject::ImportantCase,
            "notification" => Subject::Notification,
            "overall-report" => Subject::OverallReport { released: true },
            "overall-report:draft" => Subject::OverallReport { released: false },
            "management-report" => Subject::ManagementReport { released: true },
            "management-report:draft" => Subject::ManagementReport { released: false },
            "yearly-review" => Subject::YearlyReview { finalized: false },
            "yearly-review:final" => Subject::YearlyReview { finalized: true },
            "follow-up" => Subject::FollowUp,
            "referral" => Subject::Referral,
            "questionnaire" => Subject::Questionnaire,
            other => Subject::Report(ReportStatus::parse(other.strip_prefix("report:")?)?),
        })
    }
}

/// One line of the table: the expected status per role (`None`: no such record).
struct Row {
    line: usize,
    record: Record,
    answers: Vec<Option<u16>>,
}

/// The rows of one (method, path, subject), one per record, in the table's order.
struct Group {
    method: Method,
    path: String,
    subject: Subject,
    subject_name: String,
    rows: Vec<Row>,
}

impl Group {
    /// Whether every role is answered about `record` exactly as about an id that does not exist.
    fn answered_as_missing(&self, record: Record) -> bool {
        let row = |r: Record| self.rows.iter().find(|x| x.record == r);
        match (row(record), row(Record::Missing)) {
            (Some(a), Some(m)) => a.answers.iter().zip(&m.answers).all(|(x, y)| x.is_none() || x == y),
            _ => false,
        }
    }
}

fn read_table() -> Result<Vec<Group>> {
    let mut groups: Vec<Group> = Vec::new();
    let mut header_seen = false;
    for (i, line) in TABLE.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if !header_seen {
            if cells != COLUMNS {
                bail!("record_roles.tsv line {n}: the header must be {:?}", COLUMNS.join("\t"));
            }
            header_seen = true;
            continue;
        }
        if cells.len() != COLUMNS.len() {
            bail!("record_roles.tsv line {n}: {} cells, expected {}", cells.len(), COLUMNS.len());
        }
        let method = Method::from_bytes(cells[0].as_bytes()).with_context(|| format!("record_roles.tsv line {n}: method"))?;
        let subject = Subject::parse(cells[2]).with_context(|| format!("record_roles.tsv line {n}: unknown subject {:?}", cells[2]))?;
        let record = Record::parse(cells[3]).with_context(|| format!("record_roles.tsv line {n}: unknown record {:?}", cells[3]))?;
        let answers = cells[4..]
            .iter()
            .map(|c| {
                match *c {
                    "-" => Some(None),
                    code => code.parse::<u16>().ok().filter(|s| (100..600).contains(s)).map(Some),
                }
                .with_context(|| format!("record_roles.tsv line {n}: {c:?} is neither a status nor -"))
            })
            .collect::<Result<Vec<_>>>()?;
        let row = Row { line: n, record, answers };
        match groups.iter_mut().find(|g| g.method == method && g.path == cells[1] && g.subject_name == cells[2]) {
            Some(g) if g.rows.iter().any(|r| r.record == record) => {
                bail!("record_roles.tsv line {n}: {} {} {} {} is listed twice", cells[0], cells[1], cells[2], cells[3])
            }
            Some(g) => g.rows.push(row),
            None => groups.push(Group { method, path: cells[1].to_string(), subject, subject_name: cells[2].to_string(), rows: vec![row] }),
        }
    }
    for g in &groups {
        let have: BTreeSet<Record> = g.rows.iter().map(|r| r.record).collect();
        if have.len() != Record::ALL.len() {
            bail!(
                "record_roles.tsv: {} {} {} needs one row for each of own, colleague, other-tenant, missing",
                g.method,
                g.path,
                g.subject_name
            );
        }
    }
    Ok(groups)
}

// ---------------------------------------------------------------------------------------------
// Records, made fresh for each group
// ---------------------------------------------------------------------------------------------

/// The ids of one group: per role and record the value of the path parameter that varies, and
/// the values of the route's other parameters.
struct Records {
    vary: &'static str,
    fixed: Vec<(&'static str, String)>,
    ids: BTreeMap<(Role, Record), String>,
    /// How to look at the colleague's and the other tenant's record as their owner would.
    probes: BTreeMap<Record, (Probe, String)>,
}

/// Who can read a record back, and how: to show that a request answered as if the record did
/// not exist also left it as it was.
#[derive(Clone)]
enum Probe {
    Token(Person),
    Import(Person),
    Report(Person),
    Interview(Person),
    Request(Person),
    Cycle(TenantId),
    User(TenantId),
    Tag(TenantId),
    /// A disclosure as its author reads it.
    Disclosure(Person),
    /// The consent ledger about an employee, as they read it.
    Consents(Person),
    BossConsultation(Person),
    Escalation(Person),
    OrgIssue(Person),
    ImportantCase(Person),
    Notice(Person),
    /// A version of an overall report as a consultant of its tenant reads it.
    OverallReport(Person),
    /// A management report as HR reads it.
    ManagementReport(Person),
    /// A yearly review as HR reads it.
    YearlyReview(Person),
    /// A follow-up item as its consultant reads it.
    FollowUp(Person),
    /// A referral as the consultant who made it reads it.
    Referral(Person),
    /// An improvement action as HR reads it.
    Action(Person),
    /// A policy document as anyone of its tenant reads it.
    PolicyDocument(Person),
    /// A questionnaire's definition as the tenant's operator reads it.
    Questionnaire(TenantId),
}

impl Records {
    fn new(vary: &'static str) -> Records {
        let mut r = Records { vary, fixed: Vec::new(), ids: BTreeMap::new(), probes: BTreeMap::new() };
        r.all(Record::Missing, MISSING_ID);
        r
    }

    fn all(&mut self, record: Record, id: impl ToString) {
        for role in Role::ALL {
            self.ids.insert((role, record), id.to_string());
        }
    }

    fn own(&mut self, roles: &[Role], id: impl ToString) {
        for role in roles {
            self.ids.insert((*role, Record::Own), id.to_string());
        }
    }

    /// Sets everyone's `record` (the colleague's or the other tenant's) and how to look at it.
    fn probed(&mut self, record: Record, id: impl ToString, probe: Probe) {
        self.all(record, id.to_string());
        self.probes.insert(record, (probe, id.to_string()));
    }

    fn fixed(mut self, param: &'static str, value: impl ToString) -> Records {
        self.fixed.push((param, value.to_string()));
        self
    }

    /// The concrete path for `role`'s `record`, or `None` when there is no such record.
    fn path(&self, pattern: &str, role: Role, record: Record) -> Result<Option<String>> {
        let Some(id) = self.ids.get(&(role, record)) else { return Ok(None) };
        let mut out = String::new();
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map(|c| open + c).with_context(|| format!("unclosed parameter in {pattern}"))?;
            let name = &rest[open + 1..close];
            out.push_str(&rest[..open]);
            if name == self.vary {
                out.push_str(id);
            } else {
                let value = self.fixed.iter().find(|(p, _)| *p == name).map(|(_, v)| v);
                out.push_str(value.with_context(|| format!("{pattern}: no value for {{{name}}}"))?);
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Ok(Some(out))
    }
}

const OWNERS: [Role; 2] = [Role::Consultant, Role::Employee];

async fn build(w: &World, subject: Subject) -> Result<Records> {
    let (home, other) = (&w.home, &w.other);
    let consultant2 = home.consultant2()?;
    Ok(match subject {
        Subject::File => {
            let mut r = Records::new("file");
            r.all(Record::Missing, "no-such-file.css");
            r
        }
        Subject::Feed => {
            let mut r = Records::new("file");
            r.own(&[Role::Consultant], w.feed(&home.consultant).await?);
            r.all(Record::Colleague, w.feed(consultant2).await?);
            r.all(Record::OtherTenant, w.feed(&other.consultant).await?);
            r.all(Record::Missing, format!("cal_{}.ics", "0".repeat(64)));
            r
        }
        Subject::Token => {
            let mut r = Records::new("id");
            // Employees hold no API tokens (the policy offers them none).
            for role in Role::ALL.into_iter().filter(|r| *r != Role::Employee) {
                r.own(&[role], w.token(w.actor(role)?, role).await?);
            }
            r.probed(Record::Colleague, w.token(consultant2, Role::Consultant).await?, Probe::Token(consultant2.clone()));
            r.probed(Record::OtherTenant, w.token(&other.consultant, Role::Consultant).await?, Probe::Token(other.consultant.clone()));
            r
        }
        Subject::Import => {
            let mut r = Records::new("id");
            r.own(&[Role::Hr], w.pending_import(&home.hr).await?);
            r.own(&[Role::Admin], w.pending_import(&home.admin).await?);
            r.probed(Record::Colleague, w.pending_import(&w.hr2).await?, Probe::Import(w.hr2.clone()));
            r.probed(Record::OtherTenant, w.pending_import(&other.hr).await?, Probe::Import(other.hr.clone()));
            r
        }
        Subject::User => {
            let mut r = Records::new("id");
            for role in Role::ALL {
                r.own(&[role], w.actor(role)?.id);
            }
            r.probed(Record::Colleague, w.admin2.id, Probe::User(home.tenant));
            r.probed(Record::OtherTenant, other.admin.id, Probe::User(other.tenant));
            r
        }
        Subject::Cycle => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.probe_cycle(home).await?, Probe::Cycle(home.tenant));
            r.probed(Record::OtherTenant, w.probe_cycle(other).await?, Probe::Cycle(other.tenant));
            r.fixed("employee_id", home.employee("E900")?)
        }
        Subject::Target => {
            let mut r = Records::new("employee_id");
            w.probe_cycle(other).await?;
            r.all(Record::Colleague, home.employee("E900")?);
            r.all(Record::OtherTenant, other.employee("E900")?);
            r.fixed("id", w.probe_cycle(home).await?)
        }
        Subject::Interview => {
            let mut r = Records::new("id");
            r.own(&OWNERS, w.interview(home, &home.consultant, "E002").await?);
            r.probed(Record::Colleague, w.interview(home, consultant2, "E003").await?, Probe::Interview(consultant2.clone()));
            r.probed(Record::OtherTenant, w.interview(other, &other.consultant, "E002").await?, Probe::Interview(other.consultant.clone()));
            r
        }
        Subject::HeldInterview => {
            let mut r = Records::new("id");
            for (record, c, who, employee) in [
                (Record::Own, home, &home.consultant, "E002"),
                (Record::Colleague, home, consultant2, "E003"),
                (Record::OtherTenant, other, &other.consultant, "E002"),
            ] {
                let id = w.held_interview(c, who, employee).await?;
                w.store().create_report(&who.ctx.as_consultant()?, id).await?;
                match record {
                    Record::Own => r.own(&OWNERS, id),
                    _ => r.probed(record, id, Probe::Interview(who.clone())),
                }
            }
            r
        }
        Subject::Request => {
            let mut r = Records::new("id");
            r.own(&OWNERS, w.request(home, "E002").await?);
            r.probed(Record::Colleague, w.request(home, "E003").await?, Probe::Request(home.employee_account("E003")?.clone()));
            r.probed(Record::OtherTenant, w.request(other, "E002").await?, Probe::Request(other.employee_account("E002")?.clone()));
            r
        }
        Subject::PoolRequest => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.request(home, "E004").await?, Probe::Request(home.employee_account("E004")?.clone()));
            r.probed(Record::OtherTenant, w.request(other, "E004").await?, Probe::Request(other.employee_account("E004")?.clone()));
            r
        }
        Subject::AnsweredRequest => {
            let mut r = Records::new("id");
            r.own(&OWNERS, w.answered_request(home, "E002", &home.consultant).await?);
            let asker = |c: &world::Company| c.employee_account("E005").cloned();
            r.probed(Record::Colleague, w.answered_request(home, "E005", consultant2).await?, Probe::Request(asker(home)?));
            r.probed(Record::OtherTenant, w.answered_request(other, "E005", &other.consultant).await?, Probe::Request(asker(other)?));
            r
        }
        Subject::Report(status) => {
            let mut r = Records::new("id");
            let own = w.report(home, &home.consultant, "E002", &home.supervisor, status).await?;
            r.own(&OWNERS, own);
            // A supervisor's own report is one submitted to them; a draft has not been yet.
            if status != ReportStatus::Draft {
                r.own(&[Role::Supervisor], own);
            }
            let colleague = w.report(home, consultant2, "E003", home.supervisor2()?, status).await?;
            r.probed(Record::Colleague, colleague, Probe::Report(consultant2.clone()));
            let foreign = w.report(other, &other.consultant, "E002", &other.supervisor, status).await?;
            r.probed(Record::OtherTenant, foreign, Probe::Report(other.consultant.clone()));
            r
        }
        Subject::TaxonomyKind => {
            let mut r = Records::new("kind");
            r.all(Record::Colleague, "tags");
            r.all(Record::Missing, "no-such-kind");
            r
        }
        Subject::Disclosure | Subject::GrantedDisclosure => {
            let granted = subject == Subject::GrantedDisclosure;
            let mut r = Records::new("id");
            let own = w.disclosure(home, &home.consultant, "E002", &home.supervisor, Purpose::BossFeedback, granted).await?;
            // Its author, the employee it is about, and the boss it is addressed to.
            r.own(&[Role::Consultant, Role::Employee, Role::Boss], own);
            // Someone else's: another consultant's important case about 鈴木, for HR.
            let colleague = w.disclosure(home, consultant2, "E003", home.supervisor2()?, Purpose::ImportantCase, granted).await?;
            r.probed(Record::Colleague, colleague, Probe::Disclosure(consultant2.clone()));
            let foreign = w.disclosure(other, &other.consultant, "E002", &other.supervisor, Purpose::ImportantCase, granted).await?;
            r.probed(Record::OtherTenant, foreign, Probe::Disclosure(other.consultant.clone()));
            r
        }
        Subject::ConsentRecord => {
            let mut r = Records::new("id");
            w.disclosure(home, &home.consultant, "E002", &home.supervisor, Purpose::BossFeedback, true).await?;
            r.own(&[Role::Employee], w.consent_record(home, "E002").await?);
            w.disclosure(home, consultant2, "E003", home.supervisor2()?, Purpose::ImportantCase, true).await?;
            r.probed(Record::Colleague, w.consent_record(home, "E003").await?, Probe::Consents(home.employee_account("E003")?.clone()));
            w.disclosure(other, &other.consultant, "E002", &other.supervisor, Purpose::ImportantCase, true).await?;
            r.probed(Record::OtherTenant, w.consent_record(other, "E002").await?, Probe::Consents(other.employee_account("E002")?.clone()));
            r
        }
        Subject::Escalation { acknowledged } => {
            // The health staff member acting here and the second HR user are the named responders.
            w.designate_responders().await?;
            let mut r = Records::new("id");
            let own = w.escalation(home, &home.consultant, "E002", acknowledged).await?;
            r.own(&[Role::Consultant, Role::Health], own);
            let colleague = w.escalation(home, consultant2, "E003", acknowledged).await?;
            r.probed(Record::Colleague, colleague, Probe::Escalation(consultant2.clone()));
            let foreign = w.escalation(other, &other.consultant, "E002", acknowledged).await?;
            r.probed(Record::OtherTenant, foreign, Probe::Escalation(other.consultant.clone()));
            // The own escalation's disclosure request, asked by the second responder.
            let rid = w.store().request_escalation_disclosure(&w.hr2.ctx.as_responder()?, own, "生命の危険が切迫しているため").await?;
            r.fixed("rid", rid)
        }
        Subject::FlaggedReport => {
            let mut r = Records::new("id");
            r.own(&[Role::Consultant], w.flagged_report(home, &home.consultant, "E002").await?);
            r.probed(Record::Colleague, w.flagged_report(home, consultant2, "E003").await?, Probe::Report(consultant2.clone()));
            r.probed(
                Record::OtherTenant,
                w.flagged_report(other, &other.consultant, "E002").await?,
                Probe::Report(other.consultant.clone()),
            );
            r
        }
        Subject::OrgIssue => {
            let mut r = Records::new("id");
            r.own(&[Role::Consultant], w.org_issue(home, &home.consultant, "E002").await?);
            r.probed(Record::Colleague, w.org_issue(home, consultant2, "E003").await?, Probe::OrgIssue(consultant2.clone()));
            r.probed(Record::OtherTenant, w.org_issue(other, &other.consultant, "E002").await?, Probe::OrgIssue(other.consultant.clone()));
            r
        }
        Subject::Action => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.action(home, &home.consultant, "E002").await?, Probe::Action(home.hr.clone()));
            r.probed(Record::OtherTenant, w.action(other, &other.consultant, "E002").await?, Probe::Action(other.hr.clone()));
            r
        }
        Subject::PolicyDocument => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.policy_document(home).await?, Probe::PolicyDocument(home.hr.clone()));
            r.probed(Record::OtherTenant, w.policy_document(other).await?, Probe::PolicyDocument(other.hr.clone()));
            r
        }
        Subject::ImportantCase => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.important_case(home, &home.consultant, "E002").await?, Probe::ImportantCase(home.hr.clone()));
            r.probed(
                Record::OtherTenant,
                w.important_case(other, &other.consultant, "E002").await?,
                Probe::ImportantCase(other.hr.clone()),
            );
            r
        }
        Subject::TaxonomyItem => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.issue_tag(home).await?, Probe::Tag(home.tenant));
            r.probed(Record::OtherTenant, w.issue_tag(other).await?, Probe::Tag(other.tenant));
            r.fixed("kind", "tags")
        }
        Subject::BossConsultation => {
            let mut r = Records::new("id");
            r.own(&[Role::Consultant], w.boss_consultation(&home.consultant, "E002").await?);
            r.probed(Record::Colleague, w.boss_consultation(consultant2, "E003").await?, Probe::BossConsultation(consultant2.clone()));
            r.probed(
                Record::OtherTenant,
                w.boss_consultation(&other.consultant, "E002").await?,
                Probe::BossConsultation(other.consultant.clone()),
            );
            r
        }
        Subject::FollowUp => {
            let mut r = Records::new("id");
            r.own(&[Role::Consultant], w.follow_up(home, &home.consultant, "E002").await?);
            r.probed(Record::Colleague, w.follow_up(home, consultant2, "E003").await?, Probe::FollowUp(consultant2.clone()));
            r.probed(Record::OtherTenant, w.follow_up(other, &other.consultant, "E002").await?, Probe::FollowUp(other.consultant.clone()));
            r
        }
        Subject::OverallReport { released } => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.overall_report(home, released).await?, Probe::OverallReport(consultant2.clone()));
            r.probed(Record::OtherTenant, w.overall_report(other, released).await?, Probe::OverallReport(other.consultant.clone()));
            r
        }
        Subject::ManagementReport { released } => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.management_report(home, released).await?, Probe::ManagementReport(home.hr.clone()));
            r.probed(Record::OtherTenant, w.management_report(other, released).await?, Probe::ManagementReport(other.hr.clone()));
            r
        }
        Subject::YearlyReview { finalized } => {
            let mut r = Records::new("id");
            r.probed(Record::Colleague, w.yearly_review(home, finalized).await?, Probe::YearlyReview(home.hr.clone()));
            r.probed(Record::OtherTenant, w.yearly_review(other, finalized).await?, Probe::YearlyReview(other.hr.clone()));
            r
        }
        Subject::Referral => {
            let mut r = Records::new("id");
            // Own: the consultant's referral about 山田 to health staff (the acting health user
            // among them). Colleague: the second consultant's, to an outside contact. Another
            // tenant's: to its health staff.
            let own = referral(w, home, &home.consultant, "E002", &home.supervisor, None).await?;
            r.own(&[Role::Consultant, Role::Health], own);
            let contact = domain::referral::check_contact("外部EAP", "eap", "03-0000-0000", "").map_err(|p| anyhow::anyhow!("{p:?}"))?;
            let cid = w.store().save_contact(&home.hr.ctx.as_hr()?, None, &contact, true).await?;
            let colleague = referral(w, home, consultant2, "E003", home.supervisor2()?, Some(cid)).await?;
            r.probed(Record::Colleague, colleague, Probe::Referral(consultant2.clone()));
            let foreign = referral(w, other, &other.consultant, "E002", &other.supervisor, None).await?;
            r.probed(Record::OtherTenant, foreign, Probe::Referral(other.consultant.clone()));
            r
        }
        Subject::Questionnaire => {
            let mut r = Records::new("id");
            let home_q = w.store().questionnaire(&home.op, "career-awareness").await?.id.get();
            let other_q = w.store().questionnaire(&other.op, "career-awareness").await?.id.get();
            r.probed(Record::Colleague, home_q, Probe::Questionnaire(home.tenant));
            r.probed(Record::OtherTenant, other_q, Probe::Questionnaire(other.tenant));
            r
        }
        Subject::Notification => {
            let mut r = Records::new("id");
            for role in Role::ALL {
                r.own(&[role], w.notice(w.actor(role)?).await?);
            }
            r.probed(Record::Colleague, w.notice(consultant2).await?, Probe::Notice(consultant2.clone()));
            r.probed(Record::OtherTenant, w.notice(&other.consultant).await?, Probe::Notice(other.consultant.clone()));
            r
        }
    })
}

/// A referral by `author` about `employee` on the employee's granted referral consent: to health
/// staff, or to an outside contact.
async fn referral(
    w: &World,
    c: &world::Company,
    author: &Person,
    employee: &str,
    supervisor: &Person,
    contact: Option<domain::ids::ContactId>,
) -> Result<domain::ids::ReferralId> {
    w.disclosure(c, author, employee, supervisor, Purpose::Referral, true).await?;
    let addressee = match contact {
        Some(cid) => domain::referral::Addressee::Contact(cid),
        None => domain::referral::Addressee::Role(Role::Health),
    };
    let new = store::NewReferral {
        employee: Some(c.employee(employee)?),
        report: None,
        disclosure: None,
        escalation: None,
        addressee,
        summary: "",
    };
    Ok(w.store().create_referral(&author.ctx.as_consultant()?, &new).await?)
}

/// A record as its owner reads it back, in a form to compare.
async fn look(w: &World, probe: &Probe, raw: &str) -> Result<String> {
    let id: i64 = raw.parse().with_context(|| format!("{raw} is not an id"))?;
    let store = w.store();
    Ok(match probe {
        Probe::Token(owner) => {
            let rows = store.tokens_of(owner.ctx.tenant(), owner.id).await?;
            format!("{:?}", rows.iter().find(|t| t.id == TokenId::new(id)).map(|t| t.revoked_at))
        }
        Probe::Import(owner) => {
            let found = store.pending_import(&owner.ctx.as_registrar()?, PendingImportId::new(id)).await;
            format!("present={}", found.is_ok())
        }
        Probe::Report(author) => {
            let d = store.read_report(&author.ctx, ReportId::new(id), domain::Locale::Ja).await?;
            format!("{:?} v{} round {} {:?} {:?}", d.summary.status, d.version, d.round, d.sections, d.assigned_supervisor)
        }
        Probe::Interview(consultant) => {
            let i = store.interview(&consultant.ctx.as_consultant()?, InterviewId::new(id)).await?;
            format!(
                "{:?} {} {} {:?} notes={}/{} at {}",
                i.status, i.starts_at, i.place, i.mode, i.has_note, i.has_status_note, i.updated_at
            )
        }
        Probe::Request(asker) => {
            let own = store.own_requests(&asker.ctx.as_employee()?).await?;
            let r = own.iter().find(|r| r.id == ConsultationRequestId::new(id)).context("the asker's request is gone")?;
            format!("{:?} {:?} {:?} at {}", r.status, r.consultant_name, r.reply, r.updated_at)
        }
        Probe::Cycle(tenant) => {
            let c = store.cycle(*tenant, domain::ids::CycleId::new(id)).await?;
            format!("{:?} targets={} assigned={}", c.status, c.targets, c.assigned)
        }
        Probe::OrgIssue(author) => {
            let d = store.org_issue(&author.ctx, store::OrgIssueId::new(id)).await?;
            format!("{:?} {} {}", d.row.status, d.row.updated_at, d.row.title)
        }
        Probe::ImportantCase(hr) => {
            let d = store.important_case(&hr.ctx, domain::ids::DisclosureId::new(id)).await?;
            format!("{:?} {}", d.record, d.solution)
        }
        Probe::User(tenant) => format!("{:?}", store.user(*tenant, UserId::new(id)).await?.roles),
        Probe::Disclosure(author) => {
            let d = store.authored_disclosure(&author.ctx.as_consultant()?, DisclosureId::new(id)).await?;
            format!("{:?} v{} {:?} {}", d.row.state, d.row.version, d.entries.iter().map(|e| e.decision).collect::<Vec<_>>(), d.text)
        }
        Probe::Consents(employee) => {
            let own = store.own_consents(&employee.ctx.as_employee()?).await?;
            format!("{:?}", own.history.iter().map(|(e, _)| (e.id, e.decision)).collect::<Vec<_>>())
        }
        Probe::BossConsultation(author) => {
            let d = store.boss_consultation(&author.ctx.as_consultant()?, domain::ids::BossConsultationId::new(id)).await?;
            format!("{:?} {:?}", d.row, d.text)
        }
        Probe::Escalation(raiser) => {
            let d = store.escalation(&raiser.ctx, domain::ids::EscalationId::new(id)).await?;
            let requests: Vec<_> = d.requests.iter().map(|q| (q.state, q.approved_at)).collect();
            format!("{:?} {:?} {:?} {:?} {requests:?}", d.row.state, d.row.acknowledged_at, d.summary, d.actions)
        }
        Probe::Notice(owner) => {
            let page = store.notifications_page(&owner.ctx, store::InboxFilter::All, store::PageRequest::first(200)).await?;
            format!("{:?}", page.items.iter().find(|n| n.id.get() == id).map(|n| n.read_at))
        }
        Probe::OverallReport(reader) => {
            let d = store.overall_report(&reader.ctx, store::OverallReportId::new(id)).await?;
            format!("{:?} v{} {:?} {:?}", d.row.state, d.row.version, d.row.released_at, d.narrative)
        }
        Probe::YearlyReview(hr) => {
            let v = store.yearly_review(&hr.ctx, domain::ids::CycleId::new(id)).await?;
            format!("{:?} {} {:?} {}", v.row.state, v.row.updated_at, v.proposals, v.plan)
        }
        Probe::FollowUp(author) => {
            let d = store.follow_up(&author.ctx.as_consultant()?, domain::ids::FollowUpId::new(id)).await?;
            format!("{d:?}")
        }
        Probe::Questionnaire(tenant) => {
            let e = store.questionnaire_entry(&store::Ctx::operator(*tenant, "probe"), domain::ids::QuestionnaireId::new(id)).await?;
            format!("{:?} {}", e.questionnaire, e.updated_at)
        }
        Probe::ManagementReport(hr) => {
            let v = store.management_report(&hr.ctx, store::ManagementReportId::new(id)).await?;
            format!("{:?} v{} {} {}", v.row.state, v.row.version, v.row.updated_at, v.doc.commentary)
        }
        Probe::Referral(author) => {
            let d = store.referral(&author.ctx, domain::ids::ReferralId::new(id)).await?;
            format!("{:?} {} {:?}", d.row.status, d.row.updated_at, d.events.iter().map(|e| (e.status, e.at)).collect::<Vec<_>>())
        }
        Probe::Action(hr) => {
            let d = store.action(&hr.ctx, store::ActionId::new(id)).await?;
            format!("{:?} {} {:?} {} {:?}", d.row.status, d.row.updated_at, d.notes, d.evidence, d.row.evaluation)
        }
        Probe::PolicyDocument(reader) => {
            let d = store.policy_document(&reader.ctx, store::PolicyDocumentId::new(id)).await?;
            format!("{:?}", d.history)
        }
        Probe::Tag(tenant) => {
            let items = store.taxonomy(*tenant, Taxonomy::IssueTags, true).await?;
            format!("{:?}", items.iter().find(|t| t.id == id).map(|t| (&t.label_ja, &t.label_en, t.active)))
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Plausible bodies
// ---------------------------------------------------------------------------------------------

enum Body {
    Empty,
    Form(Vec<(String, String)>),
    Json(serde_json::Value),
    /// A multipart upload of one file; the CSRF token travels in the body, as the page sends it.
    Upload(Vec<u8>),
}

fn form(pairs: &[(&str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn sections_form() -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = domain::report::SECTIONS.iter().map(|s| (s.to_string(), SECTION_TEXT.to_string())).collect();
    f.push(("version".into(), "2".into()));
    f
}

/// What a client would send to `method path`: valid for the record it is meant for (a fresh
/// slot for anything that schedules, the version the world's reports are at).
fn body_for(w: &World, method: &Method, pattern: &str) -> Result<Body> {
    let n = w.serial();
    Ok(match (method.as_str(), pattern) {
        ("GET", _) => Body::Empty,
        ("POST", "/admin/users/{id}/roles") => form(&[("roles", "admin")]),
        ("POST", "/admin/users/{id}/email") => form(&[("email", "someone@example.co.jp")]),
        ("POST", "/admin/users/{id}/status") => form(&[("status", "disabled")]),
        ("POST", "/admin/users/{id}/two-factor/reset") => Body::Empty,
        ("POST", "/cycles/{id}/status") => form(&[("status", "closed")]),
        ("POST", "/cycles/{id}/targets/upload") => Body::Upload("社員番号\nE901\n".as_bytes().to_vec()),
        ("POST", "/cycles/{id}/targets/{employee_id}/assign") => form(&[("consultant", &w.home.consultant.id.to_string())]),
        ("POST", "/cycles/{id}/targets/assign") => {
            form(&[("consultant", &w.home.consultant.id.to_string()), ("employee", &w.home.employee("E900")?.to_string())])
        }
        ("POST", "/interviews/{id}/reschedule") => {
            let (date, start, end) = w.form_slot()?;
            form(&[("date", &date), ("start", &start), ("end", &end), ("mode", "online"), ("place", "https://meet.example.jp/r")])
        }
        ("POST", "/interviews/{id}/status") => form(&[("status", "held"), ("confirm", "1")]),
        ("POST", "/interviews/{id}/notes") => form(&[("note", "面談の記録")]),
        ("POST", "/interviews/{id}/questionnaire") => {
            form(&[("timing", "pre"), ("answered_on", &store::today_jst().format("%Y-%m-%d").to_string()), ("item-q01", "3")])
        }
        ("POST", "/requests/{id}/schedule") => {
            let (date, start, end) = w.form_slot()?;
            form(&[
                ("date", &date),
                ("start", &start),
                ("end", &end),
                ("mode", "in_person"),
                ("place", "本社 面談室B"),
                ("reply", "お待ちしています。"),
            ])
        }
        ("POST", "/follow-ups/{id}/schedule") => {
            let (date, start, end) = w.form_slot()?;
            form(&[("date", &date), ("start", &start), ("end", &end), ("mode", "online"), ("place", "")])
        }
        ("POST", "/follow-ups/{id}/close") => form(&[("reason", "本人の異動により不要となった")]),
        ("POST", "/reports/{id}/follow-ups") => {
            let due = (store::today_jst() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
            form(&[("kind", "follow_up"), ("due_on", &due), ("what", "三か月後の状況確認")])
        }
        ("POST", "/api/v1/reports/{id}/follow-ups") => {
            let due = (store::today_jst() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
            Body::Json(json!({ "kind": "follow_up", "due_on": due, "what": "三か月後の状況確認" }))
        }
        ("POST", "/requests/{id}/decline") => form(&[("reason", "今月は予定が埋まっています。")]),
        ("POST", "/reports/{id}" | "/reports/{id}/autosave") => Body::Form(sections_form()),
        ("POST", "/reports/{id}/review") => form(&[("decision", "approve")]),
        ("POST", "/management-reports/{id}/edit") => form(&[("commentary", "検証の所見")]),
        ("POST", "/reviews/{id}/proposals") => form(&[("proposal", "面談の時間を60分にしたい。")]),
        ("POST", "/reviews/{id}/plan") => form(&[("plan", "面談の案内を早めます。")]),
        ("POST", "/settings/taxonomy/{kind}") => form(&[("label_ja", &format!("検証タグ{n}")), ("label_en", &format!("Probe tag {n}"))]),
        ("POST", "/settings/taxonomy/{kind}/{id}") => {
            form(&[("label_ja", &format!("検証{n}")), ("label_en", &format!("Probe {n}")), ("active", "1")])
        }
        ("POST", "/api/v1/interviews/{id}/reschedule") => {
            let (starts_at, ends_at) = w.api_slot()?;
            Body::Json(json!({ "mode": "online", "place": "https://meet.example.jp/r", "starts_at": starts_at, "ends_at": ends_at }))
        }
        ("POST", "/api/v1/interviews/{id}/status") => Body::Json(json!({ "status": "held" })),
        ("PUT", "/api/v1/reports/{id}") => {
            let mut body: serde_json::Map<String, serde_json::Value> =
                domain::report::SECTIONS.iter().map(|s| (s.to_string(), json!(SECTION_TEXT))).collect();
            body.insert("version".into(), json!(2));
            Body::Json(serde_json::Value::Object(body))
        }
        ("POST", "/api/v1/reports/{id}/submit") => Body::Json(json!({})),
        ("POST", "/api/v1/reports/{id}/review") => Body::Json(json!({ "decision": "approve" })),
        ("POST", "/reports/{id}/disclosures") => {
            form(&[("purpose", "boss_feedback"), ("text", "本人の同意を得て伝える内容です。"), ("action", "save")])
        }
        ("POST", "/disclosures/{id}/text") => form(&[("text", &format!("改訂した文章です（{n}）。")), ("version", "1")]),
        ("POST", "/disclosures/{id}/on-behalf") => {
            form(&[("decision", "refuse"), ("method", "verbal"), ("evidence", "面談で口頭で確認した。"), ("version", "1")])
        }
        ("POST", "/my/consents/{id}/decision") => form(&[("decision", "grant"), ("version", "1")]),
        ("POST", "/api/v1/disclosures") => Body::Json(json!({ "report_id": 0, "purpose": "boss_feedback", "text": "x" })),
        ("POST", "/api/v1/my/disclosures/{id}/decision") => Body::Json(json!({ "decision": "grant", "version": 1 })),
        ("POST", "/escalations/{id}/summary") => form(&[("summary", "自傷のおそれ。至急の面談を。")]),
        ("POST", "/escalations/{id}/disclosure-requests") => form(&[("reason", "生命の危険が切迫しているため")]),
        ("POST", "/escalations/{id}/close") => form(&[("actions", "産業医面談を設定した。")]),
        ("POST", "/api/v1/escalations/{id}/disclosure-requests") => Body::Json(json!({ "reason": "生命の危険が切迫しているため" })),
        ("POST", "/api/v1/escalations/{id}/acknowledge" | "/api/v1/escalations/{id}/disclosure-requests/{rid}/approve") => {
            Body::Json(json!({}))
        }
        ("POST", "/overall-reports/{id}/edit") => {
            form(&[("trends", "傾向"), ("issues", "課題"), ("solutions", "解決策"), ("development", &format!("育成策{n}"))])
        }
        ("POST", "/referrals/{id}/decision") => form(&[("decision", "accept"), ("note", "")]),
        ("POST", "/api/v1/referrals/{id}/decision") => Body::Json(json!({ "decision": "accept" })),
        ("DELETE", _) => Body::Empty,
        // Confirm, cancel, revoke, remove, automatic assignment, submit: the token is the body.
        _ => Body::Form(Vec::new()),
    })
}

async fn send(agent: &mut Agent, method: &Method, path: &str, body: Body) -> Result<Resp> {
    let csrf = agent.csrf.clone();
    let rb = match body {
        Body::Empty if *method == Method::GET => agent.request(Method::GET, path),
        Body::Empty => agent.request(method.clone(), path).header("x-csrf-token", csrf),
        Body::Form(mut fields) => {
            fields.push(("csrf".into(), csrf));
            agent.request(method.clone(), path).form(&fields)
        }
        Body::Json(v) => agent.request(method.clone(), path).header("x-csrf-token", csrf).json(&v),
        Body::Upload(bytes) => {
            // The token travels first in the multipart body, as the page sends it (never in the URL).
            let part = reqwest::multipart::Part::bytes(bytes).file_name("targets.csv").mime_str("text/csv")?;
            let form = reqwest::multipart::Form::new().text("csrf", csrf.to_string()).part("file", part);
            agent.request(method.clone(), path).multipart(form)
        }
    };
    agent.send(rb).await
}

/// An answer with what differs between two asks of the same thing taken out: the path asked
/// (the frame's language switch returns to it) and the request id.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Answer {
    fn of(res: &Resp, path: &str) -> Answer {
        let mut body = res.body.clone();
        if let Some(id) = res.header("x-request-id").filter(|id| !id.is_empty()) {
            body = body.replace(id, "{request-id}");
        }
        let path_only = path.split('?').next().unwrap_or(path);
        body = body.replace(path_only, "{path}");
        Answer { status: res.status.as_u16(), location: res.location().map(|l| l.replace(path_only, "{path}")), body }
    }
}

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

async fn every_record_answers_each_role_as_the_table_says(backend: Backend) -> Result<()> {
    let started = std::time::Instant::now();
    let groups = read_table()?;
    let mut problems: Vec<String> = Vec::new();

    // Every route with a parameter has rows, and every row names a served route.
    let routes = careerdock_web::route_table();
    for r in routes.iter().filter(|r| r.path.contains('{')) {
        if !groups.iter().any(|g| g.method == r.method && g.path.split('?').next() == Some(r.path)) {
            problems.push(format!("{} {} takes an id but has no rows in record_roles.tsv", r.method, r.path));
        }
    }
    for g in &groups {
        let route = g.path.split('?').next().unwrap_or_default();
        if !routes.iter().any(|r| r.method == g.method && r.path == route) {
            problems.push(format!("record_roles.tsv lists {} {}, which route_table() does not serve", g.method, g.path));
        }
        if !g.path.contains('{') {
            problems.push(format!("record_roles.tsv lists {} {}, which takes no id", g.method, g.path));
        }
    }
    if !problems.is_empty() {
        bail!("record_roles.tsv does not match the routes:\n  {}", problems.join("\n  "));
    }

    let w = World::new(backend).await?;
    let mut agents: Vec<(Role, Agent)> = Vec::new();
    for role in Role::ALL {
        let mut a = w.app.agent();
        login_as(&mut a, role_login(role)).await?;
        agents.push((role, a));
    }

    let (mut asked, mut kept) = (0usize, 0usize);
    for g in &groups {
        let records =
            build(&w, g.subject).await.with_context(|| format!("making the records for {} {} {}", g.method, g.path, g.subject_name))?;
        // A record every role is answered about as if it did not exist must also stay as it was.
        let mut untouched = Vec::new();
        for (record, (probe, id)) in &records.probes {
            if g.answered_as_missing(*record) {
                untouched.push((*record, probe, id, look(&w, probe, id).await?));
            }
        }
        for (i, (role, agent)) in agents.iter_mut().enumerate() {
            let mut answers: BTreeMap<Record, (Answer, u16)> = BTreeMap::new();
            for row in &g.rows {
                let expected = row.answers[i];
                let path = records.path(&g.path, *role, row.record)?;
                let where_ = format!("line {}: {} {} ({} {}) as {role}", row.line, g.method, g.path, g.subject_name, row.record.as_str());
                let (expected, path) = match (expected, path) {
                    (None, None) => continue,
                    (None, Some(p)) => {
                        problems.push(format!("{where_}: the table says there is no such record, but the test made one ({p})"));
                        continue;
                    }
                    (Some(_), None) => {
                        problems
                            .push(format!("{where_}: the table expects an answer, but the test has no such record (make one or write -)"));
                        continue;
                    }
                    (Some(e), Some(p)) => (e, p),
                };
                let body = body_for(&w, &g.method, &g.path)?;
                let res = send(agent, &g.method, &path, body).await?;
                asked += 1;
                if res.status.as_u16() != expected {
                    problems.push(format!("{where_}: {} {path}: expected {expected}, got {}", g.method, res.brief()));
                } else if res.status.is_redirection() != res.location().is_some() || (res.status.as_u16() >= 400 && res.body.is_empty()) {
                    // A refusal is explained (a page or JSON), and only a redirect says where to go.
                    problems.push(format!(
                        "{where_}: {} {path}: a {} with location={:?} and {} bytes",
                        g.method,
                        res.status,
                        res.location(),
                        res.body.len()
                    ));
                }
                answers.insert(row.record, (Answer::of(&res, &path), expected));
            }
            // What the role may not see answers as what does not exist.
            let Some((missing, missing_expected)) = answers.remove(&Record::Missing) else { continue };
            for (record, (answer, expected)) in &answers {
                if *expected == missing_expected && answer.status == missing.status && *answer != missing {
                    problems.push(format!(
                        "{} {} ({} {}) as {role}: answers {} like an id that does not exist, but not exactly alike: {}",
                        g.method,
                        g.path,
                        g.subject_name,
                        record.as_str(),
                        answer.status,
                        difference(answer, &missing)
                    ));
                }
            }
        }
        for (record, probe, id, before) in untouched {
            kept += 1;
            let after = look(&w, probe, id).await?;
            if after != before {
                problems.push(format!(
                    "{} {} ({} {}): answered as an id that does not exist, yet the record changed:\n      {before}\n    → {after}",
                    g.method,
                    g.path,
                    g.subject_name,
                    record.as_str()
                ));
            }
        }
    }
    eprintln!(
        "record_roles.tsv on {backend}: {asked} requests, {kept} refused records seen unchanged, {} ms",
        started.elapsed().as_millis()
    );
    if !problems.is_empty() {
        bail!("{} problem(s) with records × roles on {backend}:\n  {}", problems.len(), problems.join("\n  "));
    }
    Ok(())
}

/// Where two answers part, for the failure message.
fn difference(a: &Answer, b: &Answer) -> String {
    if a.location != b.location {
        return format!("redirect {:?} vs {:?}", a.location, b.location);
    }
    let (x, y): (Vec<char>, Vec<char>) = (a.body.chars().collect(), b.body.chars().collect());
    let at = x.iter().zip(&y).take_while(|(p, q)| p == q).count();
    let around = |v: &[char]| v[at.saturating_sub(80)..(at + 120).min(v.len())].iter().collect::<String>();
    format!("at character {at}:\n      {:?}\n    vs {:?}", around(&x), around(&y))
}
