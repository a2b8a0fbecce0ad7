//! Data the browser tests start from, set up through the store as an operator would: a small
//! employee register (山田 太郎 reporting to 佐藤 健), two consultants, and an interview of
//! `consultant1` with 山田 that has been held, so its report can be written.
//! [`held_cycle_interview`] puts that interview in the cycle, as the cycle's initial interview,
//! so that the next cycle can look back on it.

use crate::support::{App, PASSWORD};
use anyhow::{anyhow, Context, Result};
use domain::cycle::TargetRule;
use domain::ids::{CycleId, InterviewId, ReportId, UserId};
use domain::import::parse_employee_csv;
use domain::interview::{InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::Role;
use store::{Ctx, NewCycle, NewInterview, NewUser};

const REGISTER: &str = "社員番号,氏名,氏名カナ,所属,等級,生年,入社日,上司社員番号
E001,佐藤 健,サトウ ケン,営業本部,G5,1975,2000-04-01,
E002,山田 太郎,ヤマダ タロウ,営業本部/第一営業部,G2,1992,2015-04-01,E001
E003,鈴木 花子,スズキ ハナコ,営業本部/第一営業部,G3,1988,2012-04-01,E001
";

pub const CONSULTANT1: &str = "consultant1";
pub const CONSULTANT2: &str = "consultant2";

/// Every way the report's text names the employee or the boss; none may reach a reader who sees
/// the report pseudonymized.
pub const NAMES: &[&str] = &["山田", "太郎", "佐藤", "ヤマダ", "タロウ"];

pub struct Fixture {
    pub interview: InterviewId,
    pub consultant1: Ctx,
    /// The cycle through which `consultant1` is assigned 山田.
    pub cycle: CycleId,
}

impl Fixture {
    /// The report of the held interview, once `consultant1` has created it.
    pub async fn report(&self, app: &App) -> Result<ReportId> {
        app.store.report_of_interview(&self.consultant1.as_consultant()?, self.interview).await?.context("the interview has no report yet")
    }
}

async fn consultant(app: &App, login: &str, name: &str) -> Result<UserId> {
    let op = Ctx::operator(app.tenant.id, "e2e");
    let new = NewUser { login, display_name: name, password: PASSWORD, roles: &[Role::Consultant], employee: None };
    Ok(app.store.create_user(&op, &new).await?)
}

pub async fn held_interview(app: &App) -> Result<Fixture> {
    set_up(app, false).await
}

/// The same, with the interview in the cycle (named as HR's form names a fiscal year's cycle).
pub async fn held_cycle_interview(app: &App) -> Result<Fixture> {
    set_up(app, true).await
}

async fn set_up(app: &App, in_cycle: bool) -> Result<Fixture> {
    let op = Ctx::operator(app.tenant.id, "e2e");
    let today = chrono::Utc::now().date_naive();
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow!("register: {e:?}"))?;
    app.store.import_employees(&op, &parsed.rows).await?;
    let (c1, _) = tokio::try_join!(consultant(app, CONSULTANT1, "相談員 一号"), consultant(app, CONSULTANT2, "相談員 二号"))?;
    let consultant1 = Ctx::for_tests(app.tenant.id, c1, CONSULTANT1, Some(Role::Consultant));
    let subject = app.store.employee_by_number(app.tenant.id, "E002").await?.id;
    let start = chrono::Utc::now().timestamp_millis() - 7 * 86_400_000;
    let slot = Slot::new(start, start + 3_600_000).map_err(|e| anyhow!("{e:?}"))?;
    // A consultant reaches an employee through an assignment in a cycle.
    let fy = chrono::Datelike::year(&today) - i32::from(chrono::Datelike::month(&today) < 4);
    let rule = TargetRule { departments: vec!["営業本部".into()], ..TargetRule::default() };
    let starts_on = chrono::NaiveDate::from_ymd_opt(fy, 4, 1).context("fiscal year")?;
    let ends_on = chrono::NaiveDate::from_ymd_opt(fy + 1, 3, 31).context("fiscal year")?;
    let name = if in_cycle { format!("{fy}年度 セルフ・キャリアドック") } else { "e2e".to_string() };
    let (cycle, _) = app.store.create_cycle(&op, &NewCycle { name: &name, starts_on, ends_on, rule: &rule }).await?;
    app.store.assign_cycle_target(&op, cycle, subject, Some(c1)).await?;
    let new = NewInterview {
        cycle: in_cycle.then_some(cycle),
        employee: subject,
        kind: InterviewKind::Initial,
        mode: InterviewMode::InPerson,
        place: "本社 面談室A".into(),
        slot,
    };
    let interview = app.store.schedule_interview(&consultant1.as_consultant()?, &new).await?;
    app.store.set_interview_status(&consultant1.as_consultant()?, interview, InterviewStatus::Held, "").await?;
    Ok(Fixture { interview, consultant1, cycle })
}
