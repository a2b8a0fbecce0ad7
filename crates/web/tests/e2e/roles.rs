//! Signing in as each role: the header names the acting role, the navigation offers exactly
//! what the policy allows that role, and the language switch turns the frame English and back.

use super::{Timer, Ui};
use crate::support::{spawn_app, ACCOUNTS};
use anyhow::{bail, Context, Result};
use careerdock_web::i18n::Tr;
use domain::ids::{TenantId, UserId};
use domain::policy::{decide, Action, Actor, Target};
use domain::{Locale, Role};
use fantoccini::Locator;
use std::collections::BTreeSet;
use testkit::Backend;

/// The navigation of `crates/web/src/pages/mod.rs` (`NAV`, private there): each link and the
/// action that decides who sees it. Checked against the served routes below, so a link whose
/// route declares another action is caught.
const NAV: &[(&str, Action)] = &[
    ("/", Action::ViewHome),
    ("/cycles", Action::ViewCycles),
    ("/interviews", Action::ManageInterviews),
    ("/requests", Action::HandleRequests),
    ("/reports", Action::WriteReports),
    ("/review", Action::ReviewReports),
    ("/cases", Action::ReadReports),
    ("/my/interviews", Action::ViewOwnInterviews),
    ("/employees", Action::ListEmployees),
    ("/employees/import", Action::ImportEmployees),
    ("/settings/taxonomy", Action::ManageTaxonomy),
    ("/admin/users", Action::ManageUsers),
    ("/admin/audit", Action::ViewAuditLog),
    ("/tokens", Action::ManageOwnTokens),
];

fn allowed(role: Role, action: Action) -> bool {
    let actor = Actor { user: UserId::new(1), tenant: TenantId::new(1), role };
    decide(&actor, action, Target::Route).is_allow()
}

/// The links `role` should see.
fn expected_nav(role: Role) -> BTreeSet<String> {
    NAV.iter().filter(|(_, action)| allowed(role, *action)).map(|(href, _)| href.to_string()).collect()
}

/// The header's Japanese role labels, as the product promises them.
fn ja_label(role: Role) -> &'static str {
    match role {
        Role::Consultant => "キャリアコンサルタント",
        Role::Supervisor => "スーパーバイザー",
        Role::Hr => "人事部門",
        Role::Executive => "経営層",
        Role::Boss => "上司",
        Role::Health => "産業保健スタッフ",
        Role::Employee => "従業員",
        Role::Admin => "システム管理者",
    }
}

#[test]
fn every_nav_link_is_a_page_guarded_by_the_same_action() {
    let table = careerdock_web::route_table();
    for (href, action) in NAV {
        let route = table.iter().find(|r| r.method == "GET" && r.path == *href);
        let route = route.unwrap_or_else(|| panic!("the navigation links {href}, which is not a GET route"));
        // A link shown to a role the page refuses (or hidden from one it serves) misleads.
        for role in Role::ALL {
            assert_eq!(allowed(role, route.action), allowed(role, *action), "{href}: the link and the page disagree for {role}");
        }
    }
}

async fn nav_hrefs(ui: &Ui) -> Result<BTreeSet<String>> {
    let mut hrefs = BTreeSet::new();
    for a in ui.client().find_all(Locator::Css("nav.site-nav a")).await? {
        hrefs.insert(a.attr("href").await?.context("a navigation link without href")?);
    }
    Ok(hrefs)
}

/// Checks the frame of the current page for `role` in `locale`.
async fn expect_frame(ui: &Ui, login: &str, role: Role, locale: Locale) -> Result<()> {
    let badge = match locale {
        Locale::Ja => format!("{}として利用中", ja_label(role)),
        Locale::En => Tr::new(Locale::En).with("acting-as", "role", Tr::new(Locale::En).get(&format!("role-{}", role.as_str()))),
    };
    let lang = ui.js("return document.documentElement.lang;", vec![]).await?;
    if lang != serde_json::json!(Tr::new(locale).code()) {
        bail!("{login}: <html lang> is {lang}, expected {}", Tr::new(locale).code());
    }
    ui.expect_text(".site-header .role-badge", &badge).await.with_context(|| format!("{login} as {role} ({locale:?})"))?;
    let got = nav_hrefs(ui).await?;
    let want = expected_nav(role);
    if got != want {
        bail!("{login} as {role}: the navigation links {got:?}, but the policy allows {want:?}");
    }
    // The labels follow the language too.
    let home = ui.text_of("nav.site-nav a[href='/']").await?.context("no home link")?;
    let want_home = Tr::new(locale).get("nav-home");
    if home.trim() != want_home {
        bail!("{login} ({locale:?}): the home link reads {home:?}, expected {want_home:?}");
    }
    Ok(())
}

/// Clicks the header's language button and waits for the page to come back.
async fn switch_language(ui: &Ui) -> Result<()> {
    ui.click_and_wait("form[action='/locale'] button[type=submit]").await
}

async fn sign_in_as_each_role(ui: &Ui) -> Result<()> {
    for (login, roles) in ACCOUNTS {
        let role = match roles {
            [only] => *only,
            _ => {
                // Several roles: the sign-in leads to the choice; act as HR.
                if *login != "hr-consultant" {
                    bail!("unexpected multi-role account {login}");
                }
                Role::Hr
            }
        };
        ui.sign_in(login).await?;
        if roles.len() > 1 {
            let path = ui.path().await?;
            if !path.starts_with("/role") {
                bail!("{login} holds several roles but landed on {path}, not the role choice");
            }
            for r in *roles {
                if !ui.exists(&format!("button[data-role='{}']", r.as_str())).await? {
                    bail!("the role choice of {login} offers no button for {r}");
                }
            }
            ui.click_and_wait("button[data-role='hr']").await?;
        }
        expect_frame(ui, login, role, Locale::Ja).await?;
        switch_language(ui).await?;
        expect_frame(ui, login, role, Locale::En).await?;
        let english = ui.page_text().await?;
        if english.contains("として利用中") || !english.contains("Sign out") {
            bail!("{login}: the English page still shows Japanese frame text:\n{english}");
        }
        switch_language(ui).await?;
        expect_frame(ui, login, role, Locale::Ja).await?;
        ui.sign_out().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_signs_in_and_sees_its_own_navigation() -> Result<()> {
    let _t = Timer::start("each_role_signs_in_and_sees_its_own_navigation");
    let app = spawn_app(Backend::Sqlite).await?;
    let ui = Ui::open(&app).await?;
    let outcome = sign_in_as_each_role(&ui).await;
    ui.finish(outcome).await
}
