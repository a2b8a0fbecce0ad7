//! HR's cycle set-up over HTTP (issue 7, item 8): automatic assignment never gives an in-house
//! consultant someone of their own department, their boss or their reports, and says how many
//! it left and why; bulk assignment of ticked targets, refusing targets and consultants of
//! another tenant or outside the cycle as if they did not exist; changes keep the page's place.

use crate::support::*;
use anyhow::{bail, Context, Result};
use domain::audit::AuditAction;
use domain::cycle::TargetRule;
use domain::ids::{CycleId, EmployeeId, UserId};
use domain::import::parse_employee_csv;
use domain::tenant::{KThreshold, TenantSlug};
use domain::Role;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use store::{Ctx, NewCycle, NewUser};
use testkit::{on_both_backends, Backend};

on_both_backends!(
    automatic_assignment_skips_conflicts_and_says_why,
    bulk_assignment_keeps_the_page_and_refuses_strangers,
    the_target_list_searches_filters_and_sorts;
    known_bugs:
);

/// 人事部 with its head (E001) and its 人材開発課, where the two in-house consultants (E002
/// 大野, E003 石田; grade G5, so not targeted) work with E004 and E006; E005 reports to 大野;
/// 営業部 (E010, E011) is nobody's conflict.
const REGISTER: &str = "社員番号,氏名,所属,等級,上司社員番号
E001,人事 部長,管理本部/人事部,G2,
E002,大野 由美,管理本部/人事部/人材開発課,G5,E001
E003,石田 仁,管理本部/人事部/人材開発課,G5,E001
E004,人材 一郎,管理本部/人事部/人材開発課,G2,E001
E005,人材 二郎,管理本部/人事部/人材開発課,G2,E002
E006,人材 三郎,管理本部/人事部/人材開発課,G2,E001
E010,営業 一郎,営業本部/営業部,G2,
E011,営業 二郎,営業本部/営業部,G2,E010
";

struct World {
    app: App,
    cycle: CycleId,
    employees: BTreeMap<&'static str, EmployeeId>,
    /// The in-house consultants 大野 (E002) and 石田 (E003).
    ohno: UserId,
    ishida: UserId,
    hr: Agent,
}

impl World {
    fn e(&self, number: &str) -> Result<EmployeeId> {
        self.employees.get(number).copied().with_context(|| format!("{number} is not in the register"))
    }

    fn targets(&self) -> String {
        format!("/cycles/{}/targets", self.cycle)
    }

    /// Each target's consultant, by employee number.
    async fn assignments(&self) -> Result<BTreeMap<String, Option<UserId>>> {
        let op = Ctx::operator(self.app.tenant.id, "test");
        let filter = store::TargetFilter { unassigned_only: false, limit: 1000, offset: 0, ..Default::default() };
        let (_, rows) = self.app.store.cycle_targets(&op, self.cycle, &filter).await?;
        Ok(rows.into_iter().map(|r| (r.number, r.consultant)).collect())
    }
}

async fn world(backend: Backend) -> Result<World> {
    let app = spawn_app(backend).await?;
    let op = Ctx::operator(app.tenant.id, "test");
    let today = chrono::Utc::now().date_naive();
    let parsed = parse_employee_csv(REGISTER.as_bytes(), today).map_err(|e| anyhow::anyhow!("register: {e:?}"))?;
    app.store.import_employees(&op, &parsed.rows).await?;
    let mut employees = BTreeMap::new();
    for n in ["E001", "E002", "E003", "E004", "E005", "E006", "E010", "E011"] {
        employees.insert(n, app.store.employee_by_number(app.tenant.id, n).await?.id);
    }
    let in_house = |login: &'static str, name: &'static str, employee: EmployeeId| {
        let store = app.store.clone();
        let op = op.clone();
        async move {
            let new = NewUser { login, display_name: name, password: PASSWORD, roles: &[Role::Consultant], employee: Some(employee) };
            store.create_user(&op, &new).await
        }
    };
    let ohno = in_house("ohno", "大野 由美", employees["E002"]).await?;
    let ishida = in_house("ishida", "石田 仁", employees["E003"]).await?;
    // Only the in-house consultants take targets in this world.
    for login in ["consultant", "hr-consultant"] {
        let user = app.store.user_by_login(app.tenant.id, login).await?;
        app.store.disable_user(&op, user.id).await?;
    }
    let (starts_on, ends_on) = domain::cycle::fiscal_year_period(domain::cycle::fiscal_year(today)).context("fiscal year")?;
    let rule = TargetRule { grades: vec!["G2".into()], ..TargetRule::default() };
    let (cycle, n) = app.store.create_cycle(&op, &NewCycle { name: "2026年度", starts_on, ends_on, rule: &rule }).await?;
    if n != 6 {
        bail!("the cycle should target the six G2 employees, not {n}");
    }
    let hr = app.signed_in("hr").await?;
    Ok(World { app, cycle, employees, ohno, ishida, hr })
}

async fn automatic_assignment_skips_conflicts_and_says_why(backend: Backend) -> Result<()> {
    let mut w = world(backend).await?;
    let res = w.hr.post_form(&format!("/cycles/{}/assign", w.cycle), &[("page", "1")]).await?;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.brief());
    let location = res.location().context("no redirect")?.to_string();
    assert_eq!(location, format!("{}?done=auto&count=2&left_department=2&left_boss=2", w.targets()));

    // 営業部 is shared between the two; everyone of 人事部 is left: E004 and E006 work in their
    // department, E001 is the boss of both, E005 reports to 大野 (and works beside 石田).
    let got = w.assignments().await?;
    for n in ["E001", "E004", "E005", "E006"] {
        assert_eq!(got.get(n), Some(&None), "{n} must stay unassigned: {got:?}");
    }
    let sales: Vec<Option<UserId>> = ["E010", "E011"].iter().map(|n| got.get(*n).copied().flatten()).collect();
    assert!(sales.contains(&Some(w.ohno)) && sales.contains(&Some(w.ishida)), "one each: {sales:?}");

    let page = w.hr.get(&location).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.brief());
    let said = "2名の対象者に担当コンサルタントを自動で割り当てました。4名は、担当できるコンサルタントがいないため割り当てていません（同じ部署のため 2名、上司・部下の関係のため 2名）。";
    assert!(page.body.contains(said), "{}", page.body);
    assert!(page.body.contains("同じ部署の方、本人の上司"), "the help says what automatic assignment avoids");

    // The same in English; a second run finds nobody it may assign and says so again.
    let res = w.hr.post_form(&format!("/cycles/{}/assign", w.cycle), &[("page", "1")]).await?;
    let again = res.location().context("no redirect")?.to_string();
    assert_eq!(again, format!("{}?done=auto&count=0&left_department=2&left_boss=2", w.targets()));
    let en = w.hr.request(reqwest::Method::GET, &again).header("accept-language", "en");
    let en = w.hr.send(en).await?;
    assert!(
        en.body.contains("4 targets were not assigned because no consultant can take them (same department: 2, boss or report: 2)."),
        "{}",
        en.body
    );

    // The run is audited with what it left.
    let events = w.app.store.recent_audit(w.app.tenant.id, 200, None).await?;
    let auto: Vec<String> = events
        .iter()
        .filter(|e| e.action == AuditAction::CycleTargetsChanged.as_str())
        .map(|e| e.detail.clone())
        .filter(|d| d.contains("auto_assigned"))
        .collect();
    assert!(auto.iter().any(|d| d.contains("auto_assigned=2") && d.contains("left=4")), "{auto:?}");
    Ok(())
}

async fn bulk_assignment_keeps_the_page_and_refuses_strangers(backend: Backend) -> Result<()> {
    let mut w = world(backend).await?;
    let path = format!("/cycles/{}/targets/assign", w.cycle);
    let (e4, e6) = (w.e("E004")?.to_string(), w.e("E006")?.to_string());
    let ohno = w.ohno.to_string();

    // The page offers the checkboxes, a select-all for the page, and the one consultant select.
    let page = w.hr.get(&format!("{}?consultant=none", w.targets())).await?;
    assert!(page.body.contains(&format!("form=\"bulk-assign\" name=\"employee\" value=\"{e4}\"")), "{}", page.body);
    assert!(page.body.contains("data-select-all=\"bulk-employee\"") && page.body.contains("選択した対象者を割り当てる"));
    assert!(page.body.contains(&format!("<tr id=\"target-{e4}\">")));

    // Ticked rows go to one consultant in one POST, and the list comes back where it was.
    let res =
        w.hr.post_form(&path, &[("employee", &e4), ("employee", &e6), ("consultant", &ohno), ("back", "targets?consultant=none")]).await?;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.brief());
    let location = res.location().context("no redirect")?.to_string();
    assert_eq!(location, format!("{}?consultant=none&done=bulk&count=2&to={ohno}", w.targets()));
    let page = w.hr.get(&location).await?;
    assert!(page.body.contains("2名の担当を大野 由美にしました。"), "{}", page.body);
    let got = w.assignments().await?;
    assert_eq!((got.get("E004"), got.get("E006")), (Some(&Some(w.ohno)), Some(&Some(w.ohno))));
    let events = w.app.store.recent_audit(w.app.tenant.id, 200, None).await?;
    assert!(
        events.iter().any(|e| e.action == AuditAction::CycleTargetsChanged.as_str()
            && e.detail.contains("via=bulk")
            && e.detail.contains("count=2")),
        "the bulk change is audited once"
    );

    // Taking the assignment away in bulk.
    let res = w.hr.post_form(&path, &[("employee", &e6), ("consultant", "")]).await?;
    assert_eq!(res.location(), Some(format!("{}?done=bulkout&count=1", w.targets()).as_str()));
    assert!(w.hr.get(res.location().unwrap_or_default()).await?.body.contains("1名の担当の割り当てを外しました。"));

    // One row by hand: back to the same page and filter, at the row, naming who and to whom.
    let e5 = w.e("E005")?;
    let ishida = w.ishida.to_string();
    let res = w.hr.post_form(&format!("/cycles/{}/targets/{e5}/assign", w.cycle), &[("consultant", &ishida), ("back", "targets")]).await?;
    let location = res.location().context("no redirect")?.to_string();
    assert_eq!(location, format!("{}?done=assigned&employee={e5}&to={ishida}#target-{e5}", w.targets()));
    let page = w.hr.get(location.split('#').next().unwrap_or_default()).await?;
    assert!(page.body.contains("人材 二郎さんの担当を石田 仁にしました。"), "{}", page.body);
    let res =
        w.hr.post_form(
            &format!("/cycles/{}/targets/{e5}/assign", w.cycle),
            &[("consultant", ""), ("back", "targets?consultant=none&sort=kana")],
        )
        .await?;
    let location = res.location().context("no redirect")?.to_string();
    assert_eq!(location, format!("{}?consultant=none&sort=kana&done=unassigned&employee={e5}#target-{e5}", w.targets()));
    assert!(w.hr.get(location.split('#').next().unwrap_or_default()).await?.body.contains("担当の割り当てを外しました。"));

    // Nothing ticked: the list again, saying what to do.
    let res = w.hr.post_form(&path, &[("consultant", &ohno)]).await?;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("割り当てる対象者を一覧で選択してください。"), "{}", res.body);

    // Another tenant's employee and consultant, an employee outside the cycle, an account that
    // is no consultant, a cycle of another tenant: each answers as a record that does not
    // exist, and nothing changes.
    let slug = TenantSlug::parse("other").map_err(|e| anyhow::anyhow!("{e}"))?;
    let other = w.app.store.create_tenant(&slug, "他社株式会社", KThreshold::DEFAULT, "test").await?;
    let other_op = Ctx::operator(other.id, "test");
    let parsed = parse_employee_csv("社員番号,氏名,所属\nX001,他社 太郎,総務部\n".as_bytes(), chrono::Utc::now().date_naive())
        .map_err(|e| anyhow::anyhow!("register: {e:?}"))?;
    w.app.store.import_employees(&other_op, &parsed.rows).await?;
    let stranger = w.app.store.employee_by_number(other.id, "X001").await?.id.to_string();
    let new = NewUser { login: "x", display_name: "他社 相談員", password: PASSWORD, roles: &[Role::Consultant], employee: None };
    let foreign_consultant = w.app.store.create_user(&other_op, &new).await?.to_string();
    let hr_user = w.app.store.user_by_login(w.app.tenant.id, "hr").await?.id.to_string();
    let (other_cycle, _) = w
        .app
        .store
        .create_cycle(
            &other_op,
            &NewCycle {
                name: "他社",
                starts_on: chrono::Utc::now().date_naive(),
                ends_on: chrono::Utc::now().date_naive() + chrono::Duration::days(30),
                rule: &TargetRule::default(),
            },
        )
        .await?;
    let e2 = w.e("E002")?.to_string(); // G5: not a target of the cycle
    let e1 = w.e("E001")?.to_string();
    let before = w.assignments().await?;
    for (what, at, form) in [
        (
            "another tenant's employee",
            path.clone(),
            vec![("employee", e1.as_str()), ("employee", stranger.as_str()), ("consultant", ohno.as_str())],
        ),
        (
            "an employee outside the cycle",
            path.clone(),
            vec![("employee", e1.as_str()), ("employee", e2.as_str()), ("consultant", ohno.as_str())],
        ),
        ("another tenant's consultant", path.clone(), vec![("employee", e1.as_str()), ("consultant", foreign_consultant.as_str())]),
        ("an account that is no consultant", path.clone(), vec![("employee", e1.as_str()), ("consultant", hr_user.as_str())]),
        ("a malformed employee id", path.clone(), vec![("employee", "E001"), ("consultant", ohno.as_str())]),
        (
            "another tenant's cycle",
            format!("/cycles/{other_cycle}/targets/assign"),
            vec![("employee", stranger.as_str()), ("consultant", ohno.as_str())],
        ),
    ] {
        let res = w.hr.post_form(&at, &form).await?;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{what}: {}", res.brief());
    }
    assert_eq!(w.assignments().await?, before, "nothing changed");
    Ok(())
}

async fn the_target_list_searches_filters_and_sorts(backend: Backend) -> Result<()> {
    let mut w = world(backend).await?;
    let base = w.targets();
    let names = |body: &str| -> Vec<&'static str> {
        let mut found: Vec<(usize, &'static str)> = ["人事 部長", "人材 一郎", "人材 二郎", "人材 三郎", "営業 一郎", "営業 二郎"]
            .iter()
            .filter_map(|n| body.find(&format!("<th scope=\"row\" lang=\"ja\">{n}</th>")).map(|at| (at, *n)))
            .collect();
        found.sort();
        found.into_iter().map(|(_, n)| n).collect()
    };

    let all = w.hr.get(&base).await?;
    assert_eq!(names(&all.body), ["人事 部長", "人材 一郎", "人材 二郎", "人材 三郎", "営業 一郎", "営業 二郎"], "by number");
    assert!(all.body.contains("6件中 1〜6件") || all.body.contains("6件"), "the total is shown");
    assert!(all.body.contains("href=\"targets?sort=kana\""), "sortable headers link within the cycle");

    let found = w.hr.get(&format!("{base}?q=%E4%BA%BA%E6%9D%90")).await?; // 人材
    assert_eq!(names(&found.body), ["人材 一郎", "人材 二郎", "人材 三郎"]);
    let by_number = w.hr.get(&format!("{base}?q=E01")).await?;
    assert_eq!(names(&by_number.body), ["営業 一郎", "営業 二郎"]);
    let none = w.hr.get(&format!("{base}?q=zzz")).await?;
    assert!(none.body.contains("条件に一致する対象者はいません。"), "{}", none.body);

    let desc = w.hr.get(&format!("{base}?sort=number&dir=desc")).await?;
    assert_eq!(names(&desc.body).first(), Some(&"営業 二郎"));

    // After automatic assignment, one consultant's targets, and those of nobody.
    w.hr.post_form(&format!("/cycles/{}/assign", w.cycle), &[("back", "targets")]).await?;
    let ohno = w.hr.get(&format!("{base}?consultant={}", w.ohno)).await?;
    assert_eq!(names(&ohno.body).len(), 1, "{}", ohno.body);
    let unassigned = w.hr.get(&format!("{base}?consultant=none")).await?;
    assert_eq!(names(&unassigned.body), ["人事 部長", "人材 一郎", "人材 二郎", "人材 三郎"]);
    // A consultant of nobody is dropped rather than answered with an empty list.
    let stale = w.hr.get(&format!("{base}?consultant=99999")).await?;
    assert_eq!(names(&stale.body).len(), 6);
    // A page past the end goes to the last page.
    let beyond = w.hr.get(&format!("{base}?q=%E4%BA%BA%E6%9D%90&page=9")).await?;
    assert_eq!((beyond.status, beyond.location()), (StatusCode::SEE_OTHER, Some(format!("{base}?q=%E4%BA%BA%E6%9D%90").as_str())));
    Ok(())
}
