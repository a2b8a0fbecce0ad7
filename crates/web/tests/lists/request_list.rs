//! The consultant's consultation requests (`/requests`) in the list pattern: only the requests
//! the consultant may handle (their own and the pool's), paging in SQL with the total, search by
//! the employee's name or number, sort, the status filter kept in the links, bad parameters
//! answered with the defaults, the empty state, and the answer forms coming back to the same page.

use crate::records::world::World;
use anyhow::{ensure, Context, Result};
use domain::Role;
use reqwest::StatusCode;
use testkit::Backend;

testkit::on_both_backends!(request_list_is_paged_searched_sorted_and_filtered);

/// The first row's status code and request id.
fn first_row(body: &str) -> Option<(&str, &str)> {
    let rest = &body[body.find("<tbody>")?..];
    let i = rest.find("data-request-id=\"")? + "data-request-id=\"".len();
    let id = rest[i..].split('"').next()?;
    let s = rest.find("data-status=\"")? + "data-status=\"".len();
    Some((rest[s..].split('"').next()?, id))
}

async fn request_list_is_paged_searched_sorted_and_filtered(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c1 = w.actor(Role::Consultant)?.clone();
    let c2 = w.home.consultant2()?.clone();
    // Seen by the first consultant: 山田 (E002, theirs) with 8 declined, 高橋 (E004, pool) with
    // 6 declined by them, then 3 waiting of each of E002, E004 and E005 (pool): 23 in all.
    // Not seen: 鈴木's (E003, the second consultant's) and a pool request the second declined.
    for _ in 0..8 {
        w.answered_request(&w.home, "E002", &c1).await?;
    }
    for _ in 0..6 {
        w.answered_request(&w.home, "E004", &c1).await?;
    }
    w.answered_request(&w.home, "E004", &c2).await?;
    w.request(&w.home, "E003").await?;
    let mut last = None;
    for e in ["E002", "E004", "E005"] {
        for _ in 0..3 {
            last = Some(w.request(&w.home, e).await?);
        }
    }
    let newest = last.context("a request")?.to_string();
    let mut a = w.app.signed_in("consultant").await?;

    // Paging: 20 of 23 (waiting ones first), the rest on the second page; past the end, the last.
    let res = a.get("/requests").await?;
    ensure!(res.status == StatusCode::OK, "{}", res.brief());
    ensure!(res.body.contains("23件中 1〜20件"), "{}", res.body);
    ensure!(res.body.matches("<tr id=\"rq-").count() == 20, "20 rows");
    ensure!(first_row(&res.body).map(|r| r.0) == Some("open"), "waiting first: {:?}", first_row(&res.body));
    ensure!(res.body.contains("href=\"/requests?page=2\""), "pager: {}", res.body);
    ensure!(
        res.body.contains("<td class=\"date\">") && res.body.contains("<td class=\"nowrap\"><span class=\"status status-open\""),
        "no wrapping"
    );
    ensure!(res.body.contains("<td lang=\"ja\">営業本部/第二営業部</td>"), "departments are marked Japanese");
    ensure!(res.body.matches("/schedule\"").count() == 9, "answer forms for the 9 waiting ones");
    let res = a.get("/requests?page=2").await?;
    ensure!(res.body.contains("23件中 21〜23件") && first_row(&res.body).map(|r| r.0) == Some("declined"), "{}", res.body);
    let res = a.get("/requests?page=9").await?;
    ensure!(res.status == StatusCode::SEE_OTHER && res.location() == Some("/requests?page=2"), "{}", res.brief());

    // The status filter, kept in the sort links; answered requests have no forms.
    let res = a.get("/requests?status=declined&sort=employee").await?;
    ensure!(res.body.contains("14件中 1〜14件"), "{}", res.body);
    ensure!(!res.body.contains("/schedule\""), "no forms on answered requests");
    ensure!(res.body.contains("href=\"/requests?status=declined&#38;sort=employee&#38;dir=desc\""), "{}", res.body);
    ensure!(res.body.contains("<option value=\"declined\" selected>"), "the filter shows its value");
    let res = a.get("/requests?status=open").await?;
    ensure!(res.body.contains("9件中 1〜9件"), "{}", res.body);

    // Search by number and by name; never another consultant's requests.
    let res = a.get("/requests?q=E004").await?;
    ensure!(res.body.contains("9件中 1〜9件"), "{}", res.body);
    let res = a.get("/requests?q=%E5%B1%B1%E7%94%B0").await?; // 山田
    ensure!(res.body.contains("11件中 1〜11件"), "{}", res.body);
    // The empty state: 鈴木's requests are the second consultant's.
    let res = a.get("/requests?q=%E9%88%B4%E6%9C%A8").await?; // 鈴木
    ensure!(res.body.contains("条件に一致する申し出はありません") && !res.body.contains("<table class=\"list\""), "{}", res.body);

    // Sort by employee (reading) and by reception (newest first).
    let res = a.get("/requests?sort=employee").await?;
    let at = res.body.find("<tbody>").context("a table")?;
    ensure!(res.body[at..].find("高橋").unwrap_or(usize::MAX) < res.body[at..].find("山田").unwrap_or(0), "タカハシ before ヤマダ");
    let res = a.get("/requests?sort=received").await?;
    ensure!(first_row(&res.body).map(|r| r.1) == Some(newest.as_str()), "newest first: {:?}", first_row(&res.body));

    // Bad parameters fall back to the defaults.
    let res = a.get("/requests?status=evil&sort=x%27--&dir=up&page=-1&per_page=3").await?;
    ensure!(res.status == StatusCode::OK && res.body.contains("23件中 1〜20件"), "{}", res.brief());
    ensure!(!res.body.contains("status=evil"), "an unknown status leaves the links");

    // The answer forms carry the list's place and come back to it.
    let page = a.get("/requests?q=E004&status=open").await?;
    ensure!(page.body.contains("name=\"back\" value=\"/requests?q=E004&#38;status=open\""), "{}", page.body);
    let ids: Vec<String> = page
        .body
        .match_indices("action=\"/requests/")
        .filter_map(|(i, _)| page.body[i + "action=\"/requests/".len()..].split('/').next().map(str::to_string))
        .collect();
    let id = ids.first().context("a waiting E004 request")?;
    let back = "/requests?q=E004&status=open";
    // A refused answer redraws the same list, with the same place in its forms.
    let res = a.post_form(&format!("/requests/{id}/decline"), &[("reason", " "), ("back", back)]).await?;
    ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", res.brief());
    ensure!(
        res.body.contains("3件中 1〜3件") && res.body.contains("name=\"back\" value=\"/requests?q=E004&#38;status=open\""),
        "{}",
        res.body
    );
    let res = a.post_form(&format!("/requests/{id}/decline"), &[("reason", "今月は予定が埋まっています。"), ("back", back)]).await?;
    ensure!(res.location() == Some("/requests?q=E004&status=open&done=declined"), "{}", res.brief());
    let shown = a.get("/requests?q=E004&status=open&done=declined").await?;
    ensure!(shown.body.contains("申し出をお断りしました") && shown.body.contains("2件中 1〜2件"), "{}", shown.body);
    let other = ids.iter().find(|i| *i != id).context("another waiting E004 request")?;
    let (date, start, end) = w.form_slot()?;
    let res = a
        .post_form(
            &format!("/requests/{other}/schedule"),
            &[("date", &date), ("start", &start), ("end", &end), ("mode", "in_person"), ("place", "本社 面談室B"), ("back", back)],
        )
        .await?;
    ensure!(res.is_redirect_to("/requests?q=E004&status=open&done=scheduled&interview="), "{}", res.brief());
    // A `back` that is not this list's address leads to the list, never elsewhere.
    let third = a.get("/requests?q=E004&status=open").await?;
    ensure!(third.body.contains("1件中 1〜1件"), "{}", third.body);
    let last_id = third
        .body
        .split("action=\"/requests/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .context("the last waiting E004 request")?
        .to_string();
    let res = a
        .post_form(
            &format!("/requests/{last_id}/decline"),
            &[("reason", "ご連絡ありがとうございます。"), ("back", "https://evil.example/requests?q=E004")],
        )
        .await?;
    ensure!(res.location() == Some("/requests?done=declined"), "{}", res.brief());
    Ok(())
}
