//! Signing in as each role: the header names the acting role, the navigation offers exactly
//! what the policy allows that role, and the language switch turns the frame English and back.

use super::{Timer, Ui};
use crate::support::{spawn_app, ACCOUNTS};
use anyhow::{bail, Result};
use careerdock_web::i18n::Tr;
use careerdock_web::{navigation, NavLink};
use domain::ids::{TenantId, UserId};
use domain::policy::{decide, Actor, Operation, Target};
use domain::{Locale, Role};
use std::collections::BTreeSet;
use testkit::Backend;

fn actor(role: Role) -> Actor {
    Actor::new(UserId::new(1), TenantId::new(1), role)
}

fn allowed(role: Role, action: Operation) -> bool {
    decide(&actor(role), action, Target::Route).is_allow()
}

/// The links `role` should see: the product's navigation (`careerdock_web::navigation`, which
/// the page frame shows), checked against the served routes by the test below.
fn expected_nav(role: Role) -> BTreeSet<String> {
    navigation(&actor(role)).iter().map(|l| l.href.to_string()).collect()
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
    // Every link of the product's navigation that some role sees.
    let mut links: Vec<NavLink> = Vec::new();
    for role in Role::ALL {
        let nav = navigation(&actor(role));
        assert!(nav.iter().any(|l| l.href == "/"), "{role} sees no home link: {nav:?}");
        for link in nav {
            if !links.contains(&link) {
                links.push(link);
            }
        }
    }
    assert!(links.len() >= 10, "the navigation offers {} pages in all: {links:?}", links.len());
    for link in &links {
        let href = link.href;
        let route = table.iter().find(|r| r.method == "GET" && r.path == href);
        let route = route.unwrap_or_else(|| panic!("the navigation links {href}, which is not a GET route"));
        // A link shown to a role the page refuses (or hidden from one it serves) misleads.
        for role in Role::ALL {
            let shown = navigation(&actor(role)).iter().any(|l| l.href == href);
            assert_eq!(allowed(role, route.operation), shown, "{href}: the link and the page disagree for {role}");
        }
    }
}

/// What the frame of the current page shows, read in one round trip.
#[derive(serde::Deserialize)]
struct Frame {
    lang: String,
    badge: Option<String>,
    nav: Vec<String>,
    home: Option<String>,
}

async fn frame(ui: &Ui) -> Result<Frame> {
    let script = "const text = (css) => { const e = document.querySelector(css); return e ? e.innerText.trim() : null; };
        return {
          lang: document.documentElement.lang,
          badge: text('.site-header .role-badge'),
          nav: Array.from(document.querySelectorAll('nav.site-nav a')).map((a) => a.getAttribute('href')),
          home: text(\"nav.site-nav a[href='/']\"),
        };";
    Ok(serde_json::from_value(ui.js(script, vec![]).await?)?)
}

/// Checks the frame of the current page for `role` in `locale`.
async fn expect_frame(ui: &Ui, login: &str, role: Role, locale: Locale) -> Result<()> {
    let t = Tr::new(locale);
    let badge = match locale {
        Locale::Ja => format!("{}として利用中", ja_label(role)),
        Locale::En => t.with("acting-as", "role", t.get(&format!("role-{}", role.as_str()))),
    };
    let f = frame(ui).await?;
    let at = ui.path().await?;
    if f.lang != t.code() {
        bail!("{login} on {at}: <html lang> is {:?}, expected {}", f.lang, t.code());
    }
    if f.badge.as_deref() != Some(badge.as_str()) {
        bail!("{login} on {at}: the header shows {:?}, expected {badge:?}", f.badge);
    }
    let got: BTreeSet<String> = f.nav.iter().cloned().collect();
    let want = expected_nav(role);
    if got != want || got.len() != f.nav.len() {
        bail!("{login} as {role}: the page shows the links {:?}, but navigation() gives {want:?}", f.nav);
    }
    // The labels follow the language too.
    if f.home.as_deref() != Some(t.get("nav-home").as_str()) {
        bail!("{login} ({locale:?}): the home link reads {:?}, expected {:?}", f.home, t.get("nav-home"));
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
            let button = ui.text_of("button[data-role='hr']").await?.unwrap_or_default();
            if !button.contains(ja_label(Role::Hr)) {
                bail!("the HR choice reads {button:?}");
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
    error_page_keeps_the_frame(ui).await
}

/// A refused page keeps the frame of the signed-in user: who acts in which role, a working
/// language switch, and a way out (error pages were once drawn anonymous: no badge, no sign-out,
/// and a language button that failed its CSRF check).
async fn error_page_keeps_the_frame(ui: &Ui) -> Result<()> {
    ui.sign_in("hr").await?;
    for locale in [Locale::Ja, Locale::En] {
        if locale == Locale::En {
            switch_language(ui).await?;
        }
        if ui.path().await? != "/reports" {
            ui.goto("/reports").await?;
        }
        let text = ui.page_text().await?;
        if !text.contains("403") {
            bail!("hr should be refused /reports ({locale:?}):\n{text}");
        }
        expect_frame(ui, "hr on a refused page", Role::Hr, locale).await?;
    }
    switch_language(ui).await?;
    expect_frame(ui, "hr on a refused page", Role::Hr, Locale::Ja).await?;
    ui.sign_out().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_signs_in_and_sees_its_own_navigation() -> Result<()> {
    let _t = Timer::start("each_role_signs_in_and_sees_its_own_navigation");
    let app = spawn_app(Backend::Sqlite).await?;
    let ui = Ui::open(&app).await?;
    let outcome = sign_in_as_each_role(&ui).await;
    ui.finish(outcome).await
}
