//! A company to probe: the test tenant `demo` and a second tenant `other`, each with a small
//! register, an active cycle whose targets are assigned to consultants, and the accounts that
//! own records (a second consultant, supervisor, HR and administrator; employees linked to the
//! register). Records are made through the store as their owners would make them, each time
//! fresh, so an answer that changes a record never spoils the next question.

use crate::support::{spawn_app, App, PASSWORD};
use anyhow::{anyhow, Context, Result};
use chrono::{Datelike, NaiveDate, TimeZone};
use domain::consent::{ConsentDecision, Purpose};
use domain::cycle::{CycleStatus, TargetRule};
use domain::ids::{CycleId, DisclosureId, EmployeeId, EscalationId, InterviewId, ReportId, TenantId, TokenId, UserId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::report::{ReportFlags, ReportSections, ReportStatus};
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use store::{
    ConsentInput, ConsultationRequestId, Ctx, NewCycle, NewDisclosure, NewInterview, NewPendingImport, NewUser, PendingImportId,
    ReviewInput, Store, Taxonomy,
};
use testkit::Backend;

/// The register of each tenant. 山田 (E002) is assigned to the first consultant and is the
/// signed-in employee; 鈴木 (E003) to the second; 高橋 (E004) and 田中 (E005) to nobody, so
/// their requests go to the pool. 検証部 (E900) is what the probed cycles target; E901 is
/// added to one by a list.
pub const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001
E004,高橋 一郎,タカハシ イチロウ,営業本部/第二営業部,G2,1990,2014-04-01,E001
E005,田中 美咲,タナカ ミサキ,営業本部/第二営業部,G3,1985,2010-04-01,E001
E900,検証 花子,ケンショウ ハナコ,検証部,G1,1995,2020-04-01,
E901,検証 次郎,ケンショウ ジロウ,総務部,G1,1996,2021-04-01,
";

/// Section text complete enough to submit.
pub const SECTION_TEXT: &str = "キャリアの方向性について話し合った。";

/// A user of the world: their context for the store, and their id.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: UserId,
    pub ctx: Ctx,
}

/// One tenant's people and register.
pub struct Company {
    pub tenant: TenantId,
    pub op: Ctx,
    pub consultant: Person,
    /// Another consultant (the first tenant only has both).
    pub consultant2: Option<Person>,
    pub supervisor: Person,
    pub supervisor2: Option<Person>,
    pub hr: Person,
    pub admin: Person,
    /// Employee accounts by employee number (E002, E003, E004, E005).
    pub employees: BTreeMap<&'static str, Person>,
    /// Employee ids by number.
    pub register: BTreeMap<String, EmployeeId>,
    /// The active cycle whose targets are assigned.
    pub cycle: CycleId,
}

impl Company {
    pub fn employee(&self, number: &str) -> Result<EmployeeId> {
        self.register.get(number).copied().with_context(|| format!("{number} is not in the register"))
    }

    pub fn employee_account(&self, number: &str) -> Result<&Person> {
        self.employees.get(number).with_context(|| format!("no account for {number}"))
    }

    pub fn consultant2(&self) -> Result<&Person> {
        self.consultant2.as_ref().context("this tenant has one consultant")
    }

    pub fn supervisor2(&self) -> Result<&Person> {
        self.supervisor2.as_ref().context("this tenant has one supervisor")
    }
}

pub struct World {
    pub app: App,
    /// The tenant the agents sign in to (`demo`).
    pub home: Company,
    /// Another company on the same server.
    pub other: Company,
    /// The signed-in accounts of `home` acting in each role, by role.
    pub actors: BTreeMap<Role, Person>,
    /// The second HR user and the second administrator of `home`.
    pub hr2: Person,
    pub admin2: Person,
    slots: AtomicI64,
    upcoming: AtomicI64,
    serial: AtomicI64,
}

async fn user(
    store: &Store,
    tenant: TenantId,
    login: &'static str,
    roles: &'static [Role],
    employee: Option<EmployeeId>,
) -> Result<Person> {
    let op = Ctx::operator(tenant, "test");
    let id = store.create_user(&op, &NewUser { login, display_name: login, password: PASSWORD, roles, employee }).await?;
    Ok(Person { id, ctx: Ctx::for_tests(tenant, id, login, Some(roles[0])) })
}

async fn existing(store: &Store, tenant: TenantId, login: &'static str, role: Role) -> Result<Person> {
    let u = store.user_by_login(tenant, login).await?;
    Ok(Person { id: u.id, ctx: Ctx::for_tests(tenant, u.id, login, Some(role)) })
}

/// The current fiscal year (April to March), as the cycles' period.
pub fn fiscal_year() -> Result<(NaiveDate, NaiveDate)> {
    let today = store::today_jst();
    let fy = today.year() - i32::from(today.month() < 4);
    let from = NaiveDate::from_ymd_opt(fy, 4, 1).context("fiscal year")?;
    let to = NaiveDate::from_ymd_opt(fy + 1, 3, 31).context("fiscal year")?;
    Ok((from, to))
}

async fn import_register(store: &Store, op: &Ctx) -> Result<BTreeMap<String, EmployeeId>> {
    let parsed = parse_employee_csv(REGISTER.as_bytes(), store::today_jst()).map_err(|e| anyhow!("register: {e:?}"))?;
    store.import_employees(op, &parsed.rows).await?;
    let mut out = BTreeMap::new();
    for line in REGISTER.lines().skip(1) {
        let number = line.split(',').next().unwrap_or_default().to_string();
        let id = store.employee_by_number(op.tenant(), &number).await?.id;
        out.insert(number, id);
    }
    Ok(out)
}

/// The active cycle of the sales division: E002 with `c1`, E003 with `c2` (if any).
async fn active_cycle(store: &Store, op: &Ctx, register: &BTreeMap<String, EmployeeId>, c1: UserId, c2: Option<UserId>) -> Result<CycleId> {
    let (starts_on, ends_on) = fiscal_year()?;
    let rule = TargetRule { departments: vec!["営業本部".into()], ..TargetRule::default() };
    let (cycle, _) = store.create_cycle(op, &NewCycle { name: "今年度", starts_on, ends_on, rule: &rule }).await?;
    let e = |n: &str| register.get(n).copied().with_context(|| format!("{n} missing"));
    store.assign_cycle_target(op, cycle, e("E002")?, Some(c1)).await?;
    if let Some(c2) = c2 {
        store.assign_cycle_target(op, cycle, e("E003")?, Some(c2)).await?;
    }
    store.set_cycle_status(op, cycle, CycleStatus::Active).await?;
    Ok(cycle)
}

impl World {
    pub async fn new(backend: Backend) -> Result<World> {
        let app = spawn_app(backend).await?;
        let store = app.store.clone();
        let t1 = app.tenant.id;
        let op1 = Ctx::operator(t1, "test");
        let register1 = import_register(&store, &op1).await?;
        let slug = TenantSlug::parse("other").map_err(|e| anyhow!("{e}"))?;
        let t2 = store.create_tenant(&slug, "他社株式会社", KThreshold::DEFAULT, "test").await?.id;
        let op2 = Ctx::operator(t2, "test");
        let register2 = import_register(&store, &op2).await?;

        // Accounts are hashed in parallel, as the harness does.
        let r1 = |n: &str| register1.get(n).copied();
        let r2 = |n: &str| register2.get(n).copied();
        let (consultant2, supervisor2, hr2, admin2, e2, e3, e4, e5, boss) = tokio::try_join!(
            user(&store, t1, "consultant2", &[Role::Consultant], None),
            user(&store, t1, "supervisor2", &[Role::Supervisor], None),
            user(&store, t1, "hr2", &[Role::Hr], None),
            user(&store, t1, "admin2", &[Role::Admin], None),
            user(&store, t1, "emp-e002", &[Role::Employee], r1("E002")),
            user(&store, t1, "emp-e003", &[Role::Employee], r1("E003")),
            user(&store, t1, "emp-e004", &[Role::Employee], r1("E004")),
            user(&store, t1, "emp-e005", &[Role::Employee], r1("E005")),
            // 佐藤 (E001), the boss of E002–E005: feedback about them is addressed to this account.
            user(&store, t1, "boss-e001", &[Role::Boss], r1("E001")),
        )?;
        let (oc, os, oh, oa, o2, o4, o5) = tokio::try_join!(
            user(&store, t2, "consultant", &[Role::Consultant], None),
            user(&store, t2, "supervisor", &[Role::Supervisor], None),
            user(&store, t2, "hr", &[Role::Hr], None),
            user(&store, t2, "admin", &[Role::Admin], None),
            user(&store, t2, "emp-e002", &[Role::Employee], r2("E002")),
            user(&store, t2, "emp-e004", &[Role::Employee], r2("E004")),
            user(&store, t2, "emp-e005", &[Role::Employee], r2("E005")),
        )?;

        // The boss has acknowledged the guide for bosses, which every read of feedback requires.
        store.acknowledge_boss_guide(&boss.ctx.as_boss()?, 1).await?;
        let mut actors = BTreeMap::new();
        for role in Role::ALL {
            let person = match role {
                Role::Employee => e2.clone(),
                Role::Boss => boss.clone(),
                _ => existing(&store, t1, role_login(role), role).await?,
            };
            actors.insert(role, person);
        }
        // The boss of E002–E005 has read the guide for bosses, so feedback reaches them.
        store.acknowledge_boss_guide(&boss.ctx.as_boss()?, 1).await?;
        let consultant = actors.get(&Role::Consultant).cloned().context("consultant")?;
        let cycle1 = active_cycle(&store, &op1, &register1, consultant.id, Some(consultant2.id)).await?;
        let cycle2 = active_cycle(&store, &op2, &register2, oc.id, None).await?;
        let home = Company {
            tenant: t1,
            op: op1,
            consultant,
            consultant2: Some(consultant2),
            supervisor: actors.get(&Role::Supervisor).cloned().context("supervisor")?,
            supervisor2: Some(supervisor2),
            hr: actors.get(&Role::Hr).cloned().context("hr")?,
            admin: actors.get(&Role::Admin).cloned().context("admin")?,
            employees: BTreeMap::from([("E002", e2), ("E003", e3), ("E004", e4), ("E005", e5)]),
            register: register1,
            cycle: cycle1,
        };
        let other = Company {
            tenant: t2,
            op: op2,
            consultant: oc,
            consultant2: None,
            supervisor: os,
            supervisor2: None,
            hr: oh,
            admin: oa,
            employees: BTreeMap::from([("E002", o2), ("E004", o4), ("E005", o5)]),
            register: register2,
            cycle: cycle2,
        };
        Ok(World {
            app,
            home,
            other,
            actors,
            hr2,
            admin2,
            slots: AtomicI64::new(0),
            upcoming: AtomicI64::new(0),
            serial: AtomicI64::new(0),
        })
    }

    pub fn store(&self) -> &Store {
        &self.app.store
    }

    pub fn actor(&self, role: Role) -> Result<&Person> {
        self.actors.get(&role).with_context(|| format!("no account acting as {role}"))
    }

    /// A number used once, for names that must differ.
    pub fn serial(&self) -> i64 {
        self.serial.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// A one-hour slot used by nobody else: every interview of the world gets its own, two
    /// hours apart from midnight (Japan time) a year ago, so no two ever clash.
    pub fn slot(&self) -> Result<Slot> {
        let n = self.slots.fetch_add(1, Ordering::SeqCst);
        let start_day = store::today_jst() - chrono::Duration::days(365);
        let midnight = domain::time::JST
            .from_local_datetime(&start_day.and_time(chrono::NaiveTime::MIN))
            .single()
            .context("midnight in Japan")?
            .timestamp_millis();
        let start = midnight + n * 2 * 3_600_000;
        Slot::new(start, start + 3_600_000).map_err(|e| anyhow!("{e:?}"))
    }

    /// A one-hour slot from tomorrow on (Japan time), two hours after the previous one: for
    /// interviews the upcoming lists and the calendar show.
    pub fn upcoming_slot(&self) -> Result<Slot> {
        let n = self.upcoming.fetch_add(1, Ordering::SeqCst);
        let tomorrow = store::today_jst() + chrono::Duration::days(1);
        let start = domain::time::JST
            .from_local_datetime(&tomorrow.and_time(chrono::NaiveTime::MIN))
            .single()
            .context("midnight in Japan")?
            .timestamp_millis()
            + n * 2 * 3_600_000;
        Slot::new(start, start + 3_600_000).map_err(|e| anyhow!("{e:?}"))
    }

    /// A fresh slot as the forms take it: date, start and end in Japan time.
    pub fn form_slot(&self) -> Result<(String, String, String)> {
        let slot = self.slot()?;
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&domain::time::JST));
        let (s, e) = (at(slot.start_ms).context("start")?, at(slot.end_ms).context("end")?);
        Ok((s.format("%Y-%m-%d").to_string(), s.format("%H:%M").to_string(), e.format("%H:%M").to_string()))
    }

    /// The same slot as the API takes it (RFC 3339).
    pub fn api_slot(&self) -> Result<(String, String)> {
        let slot = self.slot()?;
        let at = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339());
        Ok((at(slot.start_ms).context("start")?, at(slot.end_ms).context("end")?))
    }

    // ------------------------------------------------------------------------------ records

    /// A scheduled interview of `consultant` with `employee`.
    pub async fn interview(&self, c: &Company, consultant: &Person, employee: &str) -> Result<InterviewId> {
        let new = NewInterview {
            cycle: Some(c.cycle),
            employee: c.employee(employee)?,
            kind: InterviewKind::Initial,
            mode: InterviewMode::InPerson,
            place: "本社 面談室A".into(),
            slot: self.slot()?,
        };
        Ok(self.store().schedule_interview(&consultant.ctx.as_consultant()?, &new).await?)
    }

    /// An interview that was held.
    pub async fn held_interview(&self, c: &Company, consultant: &Person, employee: &str) -> Result<InterviewId> {
        let id = self.interview(c, consultant, employee).await?;
        self.store().set_interview_status(&consultant.ctx.as_consultant()?, id, InterviewStatus::Held, "").await?;
        Ok(id)
    }

    /// A report of a held interview, complete, in `status`: saved once (so at version 2),
    /// submitted to `supervisor` (who sees it identified) and decided by them.
    pub async fn report(
        &self,
        c: &Company,
        consultant: &Person,
        employee: &str,
        supervisor: &Person,
        status: ReportStatus,
    ) -> Result<ReportId> {
        self.tagged_report(c, consultant, employee, supervisor, status, &[]).await
    }

    /// [`World::report`] with issue tags (codes of the tenant's taxonomy).
    pub async fn tagged_report(
        &self,
        c: &Company,
        consultant: &Person,
        employee: &str,
        supervisor: &Person,
        status: ReportStatus,
        tags: &[&str],
    ) -> Result<ReportId> {
        let interview = self.held_interview(c, consultant, employee).await?;
        let me = consultant.ctx.as_consultant()?;
        let id = self.store().create_report(&me, interview).await?;
        let mut sections = ReportSections::default();
        for s in domain::report::SECTIONS {
            sections.set(s, SECTION_TEXT.to_string());
        }
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        self.store().save_report(&me, id, &sections, &tags, ReportFlags::default(), 1).await?;
        if status == ReportStatus::Draft {
            return Ok(id);
        }
        self.store().submit_report(&me, id, Some(supervisor.id)).await?;
        let review = |approve: bool| ReviewInput {
            approve,
            comments: vec![("workplace".to_string(), "具体例を追記してください。".to_string())],
            scores: Vec::new(),
        };
        match status {
            ReportStatus::Returned => {
                self.store().review_report(&supervisor.ctx.as_supervisor()?, id, &review(false)).await?;
            }
            ReportStatus::Approved => {
                self.store().review_report(&supervisor.ctx.as_supervisor()?, id, &review(true)).await?;
            }
            _ => {}
        }
        Ok(id)
    }

    /// An employee's request for a consultation (routed as the store routes it).
    pub async fn request(&self, c: &Company, employee: &str) -> Result<ConsultationRequestId> {
        let who = c.employee_account(employee)?;
        let (id, _) = self.store().request_consultation(&who.ctx.as_employee()?, "来週の午後", "今後のキャリアについて相談したい").await?;
        Ok(id)
    }

    /// A request answered (declined) by `consultant`.
    pub async fn answered_request(&self, c: &Company, employee: &str, consultant: &Person) -> Result<ConsultationRequestId> {
        let id = self.request(c, employee).await?;
        self.store().decline_request(&consultant.ctx.as_consultant()?, id, "今月は予定が埋まっています。").await?;
        Ok(id)
    }

    pub async fn token(&self, owner: &Person, role: Role) -> Result<TokenId> {
        let n = self.serial();
        Ok(self.store().create_token(&owner.ctx, role, &format!("連携 {n}"), Some(30)).await?.1)
    }

    /// An unread notice for `owner`, leading to the inbox itself.
    pub async fn notice(&self, owner: &Person) -> Result<i64> {
        let kind = domain::notification::NotificationKind::DisclosureRequested;
        Ok(self.store().notify_for_tests(owner.ctx.tenant(), owner.id, kind, "/notifications").await?.get())
    }

    /// An uploaded register waiting for its uploader's confirmation (the register as it is, so
    /// confirming changes nothing).
    pub async fn pending_import(&self, uploader: &Person) -> Result<PendingImportId> {
        let rows = REGISTER.lines().count() as i64 - 1;
        let new = NewPendingImport { filename: "社員名簿.csv", encoding: "utf8", rows, text: REGISTER };
        Ok(self.store().create_pending_import(&uploader.ctx.as_registrar()?, &new).await?)
    }

    /// A cycle in planning whose one target is E900 (検証部).
    pub async fn probe_cycle(&self, c: &Company) -> Result<CycleId> {
        let (starts_on, ends_on) = fiscal_year()?;
        let rule = TargetRule { departments: vec!["検証部".into()], ..TargetRule::default() };
        let name = format!("検証サイクル {}", self.serial());
        let (id, targets) = self.store().create_cycle(&c.op, &NewCycle { name: &name, starts_on, ends_on, rule: &rule }).await?;
        anyhow::ensure!(targets == 1, "the probe cycle should target E900 alone, not {targets}");
        Ok(id)
    }

    /// The feed URL's file name (`<token>.ics`) of a consultant's new calendar feed.
    pub async fn feed(&self, consultant: &Person) -> Result<String> {
        Ok(format!("{}.ics", self.store().rotate_calendar_feed(&consultant.ctx.as_consultant()?, false).await?))
    }

    /// A disclosure written by `author` from a new approved report about `employee`: feedback to
    /// their boss, or an important case for HR; granted by the employee when `granted`.
    pub async fn disclosure(
        &self,
        c: &Company,
        author: &Person,
        employee: &str,
        supervisor: &Person,
        purpose: Purpose,
        granted: bool,
    ) -> Result<DisclosureId> {
        let report = self.report(c, author, employee, supervisor, ReportStatus::Approved).await?;
        let text = format!("本人の同意を得て伝える内容です（{}）。", self.serial());
        let new = NewDisclosure { report, purpose, recipient_user: None, text: &text };
        let id = self.store().create_disclosure(&author.ctx.as_consultant()?, &new).await?;
        if granted {
            let input = ConsentInput { decision: ConsentDecision::Grant, version: 1, comment: String::new(), expires_at_ms: None };
            self.store().decide_disclosure(&c.employee_account(employee)?.ctx.as_employee()?, id, &input).await?;
        }
        Ok(id)
    }

    /// Names the acting health staff member and the second HR user (the HR lead) as the home
    /// tenant's escalation responders (again: the same setting).
    pub async fn designate_responders(&self) -> Result<()> {
        let named = [self.actor(Role::Health)?.id, self.hr2.id];
        let settings = domain::escalation::EscalationSettings::default();
        self.store().save_responder_settings(&self.home.hr.ctx.as_hr()?, settings, &named).await?;
        Ok(())
    }

    /// A life/safety escalation raised by `consultant` on a draft report about `employee`
    /// (with a summary), acknowledged by a named responder when asked (home tenant only).
    pub async fn escalation(&self, c: &Company, consultant: &Person, employee: &str, acknowledged: bool) -> Result<EscalationId> {
        let report = self.report(c, consultant, employee, &c.supervisor, ReportStatus::Draft).await?;
        let me = consultant.ctx.as_consultant()?;
        let mut sections = ReportSections::default();
        for s in domain::report::SECTIONS {
            sections.set(s, SECTION_TEXT.to_string());
        }
        let flags = ReportFlags { life_safety: true, organizational_response: false };
        let (_, id) = self.store().save_report_escalating(&me, report, &sections, &[], flags, 2, Some("自傷のおそれ。")).await?;
        let id = id.context("the flag opens an escalation")?;
        // Only the home tenant names responders; another tenant's stays open (nobody here may see it).
        if acknowledged && c.tenant == self.home.tenant {
            self.store().acknowledge_escalation(&self.hr2.ctx.as_responder()?, id).await?;
        }
        Ok(id)
    }

    /// The id of the newest entry of the consent ledger about `employee` (their receipt).
    pub async fn consent_record(&self, c: &Company, employee: &str) -> Result<i64> {
        let own = self.store().own_consents(&c.employee_account(employee)?.ctx.as_employee()?).await?;
        Ok(own.history.first().context("no consent record")?.0.id.get())
    }

    /// A consultation with the boss of `employee` (E001 in every tenant), recorded by `consultant`.
    pub async fn boss_consultation(&self, consultant: &Person, employee: &str) -> Result<domain::ids::BossConsultationId> {
        let new = store::NewBossConsultation {
            employee_number: employee.to_string(),
            interview: None,
            held_on: store::today_jst().format("%Y-%m-%d").to_string(),
            changes: format!("面談後の変化 {}", self.serial()),
            performance: "順調".into(),
            support: "1on1を続ける".into(),
        };
        Ok(self.store().record_boss_consultation(&consultant.ctx.as_consultant()?, &new).await?)
    }

    /// The id of the first issue tag of a tenant.
    pub async fn issue_tag(&self, c: &Company) -> Result<i64> {
        Ok(self.store().taxonomy(c.tenant, Taxonomy::IssueTags, true).await?.first().context("no issue tags")?.id)
    }
}

/// The harness's login for each role.
pub fn role_login(role: Role) -> &'static str {
    match role {
        Role::Consultant => "consultant",
        Role::Supervisor => "supervisor",
        Role::Hr => "hr",
        Role::Executive => "executive",
        Role::Boss => "boss-e001",
        Role::Health => "health",
        Role::Employee => "emp-e002",
        Role::Admin => "admin",
    }
}
