//! The administrator's account list (`/admin/users`) in the list pattern: paging in SQL with
//! the total, search by login or name, sort, role and enabled / disabled filters kept in the
//! links, bad parameters answered with the defaults, the empty state, and the row forms coming
//! back to the same page with the same filters.

use crate::support::*;
use anyhow::{ensure, Context, Result};
use domain::Role;
use reqwest::StatusCode;
use store::NewUser;
use testkit::Backend;

testkit::on_both_backends!(account_list_is_paged_searched_sorted_and_filtered);

/// The login of the first row of the list.
fn first_login(body: &str) -> Option<&str> {
    let rest = &body[body.find("<tbody>")?..];
    let s = rest.find("data-login=\"")? + "data-login=\"".len();
    rest[s..].split('"').next()
}

async fn account_list_is_paged_searched_sorted_and_filtered(backend: Backend) -> Result<()> {
    let app = spawn_app(backend).await?;
    let admin_user = app.store.user_by_login(app.tenant.id, "admin").await?;
    let ctx = store::Ctx::for_tests(app.tenant.id, admin_user.id, "admin", Some(Role::Admin));
    // 15 staff accounts: the odd ones consultants, the even ones HR; staff03 disabled.
    for i in 1..=15 {
        let login = format!("staff{i:02}");
        let name = format!("職員 {i:02}");
        let roles = if i % 2 == 1 { [Role::Consultant] } else { [Role::Hr] };
        let new = NewUser { login: &login, display_name: &name, password: "staff-password-1", roles: &roles, employee: None };
        app.store.create_user(&ctx, &new).await?;
    }
    let staff03 = app.store.user_by_login(app.tenant.id, "staff03").await?;
    app.store.disable_user(&ctx, staff03.id).await?;
    let total = app.store.accounts(app.tenant.id).await?.len();
    ensure!(total > 20, "{total} accounts");
    let mut admin = app.signed_in("admin").await?;

    // Paging: 20 of all, a pager to the second page, the rest there; past the end, the last.
    let res = admin.get("/admin/users?per_page=20").await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(res.body.contains(&format!("{total}件中 1〜20件")), "{}", res.body);
    ensure!(res.body.matches("<tr data-login=").count() == 20, "20 rows");
    ensure!(res.body.contains("href=\"/admin/users?per_page=20&#38;page=2\""), "pager: {}", res.body);
    ensure!(res.body.contains("aria-sort=\"ascending\""), "sorted by login");
    ensure!(res.body.contains("<td class=\"date\">"), "dates do not wrap");
    let res = admin.get("/admin/users?per_page=20&page=2").await?;
    ensure!(res.body.contains(&format!("{total}件中 21〜{total}件")), "{}", res.body);
    let res = admin.get("/admin/users?per_page=20&page=9").await?;
    ensure!(res.status == StatusCode::SEE_OTHER && res.location() == Some("/admin/users?per_page=20&page=2"), "{}", res.brief());

    // Search by login and by name.
    let res = admin.get("/admin/users?q=staff").await?;
    ensure!(res.body.contains("15件中 1〜15件"), "{}", res.body);
    let res = admin.get("/admin/users?q=%E8%81%B7%E5%93%A1+1").await?; // 職員 1
    ensure!(res.body.contains("6件中 1〜6件"), "by name: {}", res.body);
    ensure!(res.body.contains("<td lang=\"ja\">職員 10</td>"), "names are marked Japanese");
    let res = admin.get("/admin/users?q=STAFF1").await?;
    ensure!(res.body.contains("6件中 1〜6件"), "case-insensitive: {}", res.body);

    // Sort: by login both ways, by name, by creation (newest first).
    let res = admin.get("/admin/users?q=staff&sort=login&dir=desc").await?;
    ensure!(first_login(&res.body) == Some("staff15"), "{:?}", first_login(&res.body));
    let res = admin.get("/admin/users?q=staff&sort=name").await?;
    ensure!(first_login(&res.body) == Some("staff01"), "{:?}", first_login(&res.body));
    ensure!(res.body.contains("href=\"/admin/users?q=staff&#38;sort=name&#38;dir=desc\""), "header toggles: {}", res.body);
    let res = admin.get("/admin/users?q=staff&sort=created").await?;
    ensure!(first_login(&res.body) == Some("staff15"), "{:?}", first_login(&res.body));

    // Filters, kept in the sort links.
    let res = admin.get("/admin/users?q=staff&role=hr").await?;
    ensure!(res.body.contains("7件中 1〜7件"), "{}", res.body);
    ensure!(res.body.contains("href=\"/admin/users?q=staff&#38;role=hr&#38;sort=name\""), "filters kept: {}", res.body);
    ensure!(res.body.contains("<option value=\"hr\" selected>"), "the filter shows its value");
    let res = admin.get("/admin/users?state=disabled").await?;
    ensure!(res.body.contains("1件中 1〜1件") && first_login(&res.body) == Some("staff03"), "{}", res.body);
    let res = admin.get("/admin/users?q=staff&state=enabled&role=consultant").await?;
    ensure!(res.body.contains("7件中 1〜7件"), "{}", res.body);

    // Bad parameters fall back to the defaults.
    let res = admin.get("/admin/users?role=evil&state=gone&sort=x%3BDROP&dir=up&page=abc&per_page=7").await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(res.body.contains(&format!("{total}件中 1〜{}件", total.min(50))), "{}", res.body);
    ensure!(!res.body.contains("role=evil") && !res.body.contains("state=gone"), "unknown values leave the links");

    // The empty state.
    let res = admin.get("/admin/users?q=nobody-here").await?;
    ensure!(res.body.contains("条件に一致するアカウントはありません"), "{}", res.body);
    ensure!(!res.body.contains("<table class=\"list\""), "no empty table");

    // A row's forms carry the list's place and come back to it.
    let staff04 = app.store.user_by_login(app.tenant.id, "staff04").await?;
    let page = admin.get("/admin/users?q=staff&role=hr&sort=name").await?;
    ensure!(page.body.contains("name=\"back\" value=\"/admin/users?q=staff&#38;role=hr&#38;sort=name\""), "{}", page.body);
    let back = "/admin/users?q=staff&role=hr&sort=name";
    let res = admin.post_form(&format!("/admin/users/{}/status", staff04.id), &[("status", "disabled"), ("back", back)]).await?;
    let to = format!("/admin/users?q=staff&role=hr&sort=name&disabled={}", staff04.id);
    ensure!(res.location() == Some(to.as_str()), "{}", res.brief());
    let shown = admin.get(&to).await?;
    ensure!(shown.body.contains("アカウント「staff04」を停止しました。"), "{}", shown.body);
    ensure!(shown.body.contains("7件中 1〜7件"), "same filters: {}", shown.body);
    let res = admin.post_form(&format!("/admin/users/{}/status", staff04.id), &[("status", "active"), ("back", back)]).await?;
    ensure!(res.location() == Some(format!("/admin/users?q=staff&role=hr&sort=name&enabled={}", staff04.id).as_str()), "{}", res.brief());
    let res =
        admin.post_form(&format!("/admin/users/{}/roles", staff04.id), &[("roles", "hr"), ("roles", "consultant"), ("back", back)]).await?;
    ensure!(res.location() == Some(format!("/admin/users?q=staff&role=hr&sort=name&saved={}", staff04.id).as_str()), "{}", res.brief());
    let roles = app.store.user_by_login(app.tenant.id, "staff04").await?.roles;
    ensure!(roles.contains(&Role::Consultant), "{roles:?}");
    // A `back` that is not this list's address leads to the list, never elsewhere.
    for bad in
        ["https://evil.example/admin/users?q=staff", "//evil.example", "/admin/usersX?q=staff", "/admin/users?q=staff&evil=1&role=nope"]
    {
        let res = admin.post_form(&format!("/admin/users/{}/status", staff04.id), &[("status", "active"), ("back", bad)]).await?;
        let loc = res.location().context("a redirect")?;
        ensure!(loc.starts_with("/admin/users?") && !loc.contains("evil") && !loc.contains("nope"), "{bad} → {loc}");
    }
    Ok(())
}
