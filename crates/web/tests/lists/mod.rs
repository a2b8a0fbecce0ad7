//! The list pattern on the list pages (issue 7): paging in SQL with the total, search, sort,
//! filters kept in the links, bad parameters answered with the defaults, the empty state; and
//! the report lists' SQL prefilter compared with the policy's decision, actor by actor.

mod account_list;
mod request_list;

use crate::records::world::{Person, World};
use crate::support::Resp;
use anyhow::{ensure, Context, Result};
use domain::report::ReportStatus;
use domain::Role;
use reqwest::StatusCode;
use std::collections::BTreeSet;
use store::ReportFilter;
use testkit::Backend;

testkit::on_both_backends!(
    report_and_case_lists_are_paged_searched_sorted_and_filtered,
    cases_are_filtered_searched_and_sorted_by_their_opened_tags,
    interview_list_has_tabs_statuses_and_reports_to_write,
    review_queue_and_register_sort_and_answer_bad_parameters
);

fn ok(res: &Resp, what: &str) -> Result<()> {
    ensure!(res.status == StatusCode::OK, "{what}: {}", res.brief());
    Ok(())
}

/// Rows of a report table (links to a report from a body cell).
fn report_rows(body: &str) -> usize {
    body.matches("<td><a href=\"/reports/").count() + body.matches("<td class=\"nowrap\"><a href=\"/reports/").count()
}

/// The first row's status code (`status-approved`, …) in a report table.
fn first_status(body: &str) -> Option<&str> {
    let at = body.find("<tbody>")?;
    let rest = &body[at..];
    let s = rest.find("class=\"status status-")? + "class=\"status status-".len();
    rest[s..].split('"').next()
}

async fn reports_of(w: &World, who: &Person, employee: &str, sup: &Person, statuses: &[ReportStatus]) -> Result<()> {
    for s in statuses {
        w.report(&w.home, who, employee, sup, *s).await?;
    }
    Ok(())
}

/// The tags' labels in the order of the table's rows (after the filter's own options).
fn row_order<'a>(body: &str, labels: &[&'a str]) -> Vec<&'a str> {
    let Some(at) = body.find("<tbody>") else { return Vec::new() };
    let rows = &body[at..];
    let mut found: Vec<(usize, &str)> = labels.iter().filter_map(|l| rows.find(l).map(|i| (i, *l))).collect();
    found.sort();
    found.into_iter().map(|(_, l)| l).collect()
}

/// A tag filter, a search by a tag's label and the tag order work on the facts opened for the
/// candidates, and only the page's rows are shown in full.
async fn cases_are_filtered_searched_and_sorted_by_their_opened_tags(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c2 = w.home.consultant2()?.clone();
    let sup = w.actor(Role::Supervisor)?.clone();
    for tags in [&["health"][..], &["career_direction"], &[]] {
        w.tagged_report(&w.home, &c2, "E003", &sup, ReportStatus::Approved, tags).await?;
    }
    let mut a = w.app.signed_in("consultant").await?;
    let res = a.get("/cases?tag=health").await?;
    ok(&res, "tag filter")?;
    ensure!(res.body.contains("1件中 1〜1件") && report_rows(&res.body) == 1, "{}", res.body);
    ensure!(row_order(&res.body, &["健康", "キャリアの方向性"]) == ["健康"], "{}", res.body);
    let res = a.get("/cases?q=%E3%82%AD%E3%83%A3%E3%83%AA%E3%82%A2").await?; // キャリア
    ensure!(
        res.body.contains("1件中 1〜1件") && row_order(&res.body, &["健康", "キャリアの方向性"]) == ["キャリアの方向性"],
        "{}",
        res.body
    );
    // By the first tag's label (キ before 健), untagged last; the other way, untagged still last.
    let res = a.get("/cases?sort=tag").await?;
    ensure!(res.body.contains("3件中 1〜3件") && report_rows(&res.body) == 3, "{}", res.body);
    ensure!(row_order(&res.body, &["健康", "キャリアの方向性"]) == ["キャリアの方向性", "健康"], "{}", res.body);
    let res = a.get("/cases?sort=tag&dir=desc").await?;
    ensure!(row_order(&res.body, &["健康", "キャリアの方向性"]) == ["健康", "キャリアの方向性"], "{}", res.body);
    ensure!(!res.body.contains("鈴木"), "no real name on /cases");
    // A row cut from the opened candidates is shown in full, as the same case on the plain list
    // (subject, department level, period, tags).
    let row = |body: &str| -> Option<String> {
        let rows = &body[body.find("<tbody>")?..];
        rows.split("<tr>").find(|r| r.contains("キャリアの方向性")).and_then(|r| r.split("</tr>").next()).map(str::to_string)
    };
    let filtered = a.get("/cases?tag=career_direction").await?;
    let plain = a.get("/cases").await?;
    ensure!(row(&filtered.body).is_some() && row(&filtered.body) == row(&plain.body), "{}\n{}", filtered.body, plain.body);
    Ok(())
}

async fn report_and_case_lists_are_paged_searched_sorted_and_filtered(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c1 = w.actor(Role::Consultant)?.clone();
    let c2 = w.home.consultant2()?.clone();
    let sup = w.actor(Role::Supervisor)?.clone();
    // 23 own reports of the first consultant (21 approved, a draft, a returned one), 2 approved
    // and a draft of the second.
    let mut mine = vec![ReportStatus::Approved; 21];
    mine.extend([ReportStatus::Draft, ReportStatus::Returned]);
    reports_of(&w, &c1, "E002", &sup, &mine).await?;
    reports_of(&w, &c2, "E003", &sup, &[ReportStatus::Approved, ReportStatus::Approved, ReportStatus::Draft]).await?;

    let mut a = w.app.signed_in("consultant").await?;
    // The first page: 20 of 23, a pager to the second, no badge repeated on every own row.
    let res = a.get("/reports?per_page=20").await?;
    ok(&res, "/reports")?;
    ensure!(res.body.contains("23件中 1〜20件"), "{}", res.body);
    ensure!(report_rows(&res.body) == 20, "20 rows: {}", report_rows(&res.body));
    ensure!(res.body.contains("<nav class=\"pager\" aria-label=\"ページ送り\">"), "pager");
    ensure!(res.body.contains("href=\"/reports?per_page=20&#38;page=2\""), "next link keeps the page size: {}", res.body);
    ensure!(!res.body.contains("自分の報告書"), "no own badge");
    ensure!(res.body.contains("aria-sort=\"descending\""), "the sorted column says so");
    // The default page size holds all 23; the second page of 20 holds the rest.
    let res = a.get("/reports").await?;
    ensure!(res.body.contains("23件中 1〜23件") && report_rows(&res.body) == 23, "{}", res.body);
    let res = a.get("/reports?per_page=20&page=2").await?;
    ensure!(res.body.contains("23件中 21〜23件") && report_rows(&res.body) == 3, "{}", res.body);
    // A page past the end goes to the last one, filters kept.
    let res = a.get("/reports?per_page=20&page=9").await?;
    ensure!(res.status == StatusCode::SEE_OTHER && res.location() == Some("/reports?per_page=20&page=2"), "{}", res.brief());

    // The API's list: the same reports a page at a time, the last changed first, with the
    // total; both pages together are the page's rows, none twice.
    let secret = w.store().create_token(&c1.ctx, Role::Consultant, "一覧", Some(30)).await?.0;
    let api =
        |a: &crate::support::Agent, path: &str| a.request(reqwest::Method::GET, path).header("authorization", format!("Bearer {secret}"));
    let first = a.send(api(&a, "/api/v1/reports?limit=20")).await?;
    ok(&first, "API list")?;
    let first = first.json()?;
    let second = a.send(api(&a, "/api/v1/reports?limit=20&offset=20")).await?.json()?;
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["items"].as_array().map(|i| i.iter().filter_map(|r| r["id"].as_i64()).collect()).unwrap_or_default()
    };
    // 23 own and the colleague's 2 approved ones.
    ensure!((first["total"].as_i64(), first["limit"].as_i64(), first["offset"].as_i64()) == (Some(25), Some(20), Some(0)), "{first}");
    ensure!(ids(&first).len() == 20 && ids(&second).len() == 5 && second["offset"] == 20, "{first}\n{second}");
    let all: BTreeSet<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
    ensure!(all.len() == 25, "no report on both pages: {first}\n{second}");
    let newest = w
        .store()
        .report_page(
            &c1.ctx,
            &store::ReportQuery { sort: store::ReportSort::Updated, dir: store::Direction::Desc, ..Default::default() },
            store::PageRequest::first(1),
            domain::Locale::Ja,
        )
        .await?;
    ensure!(newest.items.first().map(|r| r.id.get()) == ids(&first).first().copied(), "the last changed first: {first}");
    let default = a.send(api(&a, "/api/v1/reports?status=approved")).await?.json()?;
    ensure!(default["limit"] == 50 && default["total"] == 23 && ids(&default).len() == 23, "{default}");
    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset")] {
        let res = a.send(api(&a, &format!("/api/v1/reports?{query}"))).await?;
        ensure!(res.status == StatusCode::UNPROCESSABLE_ENTITY && res.json()?["error"]["field"] == field, "{query}: {}", res.brief());
    }

    // Filters and sort stay in every link.
    let res = a.get("/reports?status=approved&sort=held&per_page=20").await?;
    ok(&res, "filtered")?;
    ensure!(res.body.contains("21件中 1〜20件"), "{}", res.body);
    ensure!(res.body.contains("href=\"/reports?status=approved&#38;sort=held&#38;per_page=20&#38;page=2\""), "{}", res.body);
    ensure!(res.body.contains("href=\"/reports?status=approved&#38;sort=status&#38;per_page=20\""), "sort links keep the filter");
    ensure!(res.body.contains("<option value=\"approved\" selected>"), "the select shows the filter");

    // Sort by status: drafts first, approved first the other way.
    let res = a.get("/reports?sort=status").await?;
    ensure!(first_status(&res.body) == Some("draft"), "{:?}", first_status(&res.body));
    let res = a.get("/reports?sort=status&dir=desc").await?;
    ensure!(first_status(&res.body) == Some("approved"), "{:?}", first_status(&res.body));

    // Search by name, reading and number reaches own reports only.
    for q in ["%E5%B1%B1%E7%94%B0", "%E3%83%A4%E3%83%9E%E3%83%80", "e002"] {
        let res = a.get(&format!("/reports?q={q}")).await?;
        ensure!(res.body.contains("23件中 1〜23件"), "q={q}: {}", res.body);
    }
    let res = a.get("/reports?q=%E9%88%B4%E6%9C%A8").await?; // 鈴木: the colleague's employee
    ok(&res, "search")?;
    ensure!(report_rows(&res.body) == 0 && res.body.contains("条件に一致する報告書はありません"), "{}", res.body);
    ensure!(res.body.contains("条件をクリアしてすべて表示する") && res.body.contains("href=\"/reports\""), "a way back");

    // Bad parameters fall back to the defaults.
    let res = a.get("/reports?page=abc&per_page=7&sort=evil%3BDROP&dir=up&status=evil&cycle=x&q=").await?;
    ok(&res, "bad parameters")?;
    ensure!(res.body.contains("23件中 1〜23件"), "{}", res.body);

    // Cases: the colleague's two approved reports, pseudonymized, never searchable by name.
    let res = a.get("/cases").await?;
    ok(&res, "/cases")?;
    ensure!(res.body.contains("2件中 1〜2件") && report_rows(&res.body) == 2, "{}", res.body);
    ensure!(!res.body.contains("鈴木"), "no real name on /cases");
    let res = a.get("/cases?q=%E9%88%B4%E6%9C%A8").await?;
    ensure!(report_rows(&res.body) == 0 && res.body.contains("条件に一致する事例はありません"), "no real-name search: {}", res.body);
    let res = a.get("/cases?q=k-").await?;
    ensure!(report_rows(&res.body) == 2, "pseudonyms are searchable: {}", res.body);
    let res = a.get("/cases?tag=evil&sort=evil&page=-1").await?;
    ok(&res, "bad case parameters")?;
    ensure!(report_rows(&res.body) == 2, "{}", res.body);

    // The second consultant's cases: 21, a page holds at most the page size.
    let mut b = w.app.signed_in("consultant2").await?;
    let res = b.get("/cases?per_page=20").await?;
    ensure!(res.body.contains("21件中 1〜20件") && report_rows(&res.body) == 20, "{}", res.body);
    let res = b.get("/cases?per_page=20&sort=tag&page=2").await?;
    ensure!(res.body.contains("21件中 21〜21件") && report_rows(&res.body) == 1, "{}", res.body);
    ensure!(!res.body.contains("山田"), "no real name on /cases");

    // The supervisor's cases: every approved one (23), none of their own.
    let mut s = w.app.signed_in("supervisor").await?;
    let res = s.get("/cases").await?;
    ensure!(res.body.contains("23件中 1〜23件"), "{}", res.body);

    // English: the same list in English words.
    let res = a.request(reqwest::Method::GET, "/reports?per_page=20").header("accept-language", "en");
    let res = a.send(res).await?;
    ensure!(res.body.contains("1–20 of 23"), "{}", res.body);

    // The SQL prefilter selects exactly what the policy lets each actor read.
    let mut people: Vec<Person> = w.actors.values().cloned().collect();
    people.extend([c2.clone(), w.home.supervisor2()?.clone(), w.hr2.clone(), w.admin2.clone()]);
    for p in &people {
        prefilter_is_the_policy(&w, p).await?;
    }
    Ok(())
}

async fn prefilter_is_the_policy(w: &World, p: &Person) -> Result<()> {
    let by_sql: BTreeSet<i64> = w.store().report_ids_by_prefilter(&p.ctx).await?.iter().map(|id| id.get()).collect();
    let by_policy: BTreeSet<i64> =
        w.store().list_reports(&p.ctx, &ReportFilter::default(), domain::Locale::Ja).await?.iter().map(|r| r.id.get()).collect();
    ensure!(by_sql == by_policy, "{:?}: prefilter {by_sql:?} policy {by_policy:?}", p.ctx);
    Ok(())
}

async fn interview_list_has_tabs_statuses_and_reports_to_write(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c1 = w.actor(Role::Consultant)?.clone();
    let me = c1.ctx.as_consultant()?;
    // Past: a held interview without a report, a held one with a report, a no-show.
    let held = w.held_interview(&w.home, &c1, "E002").await?;
    let reported = w.held_interview(&w.home, &c1, "E002").await?;
    w.store().create_report(&me, reported).await?;
    let missed = w.interview(&w.home, &c1, "E002").await?;
    w.store().set_interview_status(&me, missed, domain::interview::InterviewStatus::NoShow, "連絡なし").await?;
    // Upcoming: one.
    let new = store::NewInterview {
        cycle: Some(w.home.cycle),
        employee: w.home.employee("E002")?,
        kind: domain::interview::InterviewKind::FollowUp,
        mode: domain::interview::InterviewMode::Online,
        place: "https://meet.example.jp/x".into(),
        slot: w.upcoming_slot()?,
    };
    let upcoming = w.store().schedule_interview(&me, &new).await?;

    let mut a = w.app.signed_in("consultant").await?;
    let res = a.get("/interviews").await?;
    ok(&res, "/interviews")?;
    let row = |id: domain::ids::InterviewId| format!("data-interview-id=\"{id}\"");
    ensure!(res.body.contains(&row(upcoming)) && !res.body.contains(&row(held)), "upcoming only by default");
    ensure!(res.body.contains("1件中 1〜1件"), "{}", res.body);
    ensure!(res.body.contains("aria-current=\"page\">今後の予定</a>"), "the tab says where we are");
    // Held without a report: listed with a button that creates the report.
    let to_report = res.body.split("id=\"iv-report-heading\"").nth(1).context("the held-without-report section")?;
    let to_report = to_report.split("</section>").next().unwrap_or_default();
    ensure!(to_report.contains(&format!("href=\"/interviews/{held}\"")), "{to_report}");
    ensure!(!to_report.contains(&format!("href=\"/interviews/{reported}\"")), "a reported interview is not listed");
    ensure!(to_report.contains(&format!("name=\"interview\" value=\"{held}\"")) && to_report.contains("action=\"/reports\""));

    // Past: three, with their statuses in words.
    let res = a.get("/interviews?when=past").await?;
    ok(&res, "past")?;
    ensure!(res.body.contains("3件中 1〜3件"), "{}", res.body);
    ensure!(res.body.contains(&row(held)) && res.body.contains(&row(missed)) && !res.body.contains(&row(upcoming)));
    ensure!(res.body.contains("<span class=\"status status-no_show\">欠席</span>"), "status column");
    ensure!(res.body.contains("<input type=\"hidden\" name=\"when\" value=\"past\">"), "the tab travels with the search");
    let res = a.get("/interviews?when=past&status=no_show").await?;
    ensure!(res.body.contains("1件中 1〜1件") && res.body.contains(&row(missed)), "{}", res.body);
    ensure!(res.body.contains("href=\"/interviews?status=no_show\""), "tabs keep the status filter: {}", res.body);
    // All, searched by number and name; sorted by status.
    let res = a.get("/interviews?when=all&q=E002").await?;
    ensure!(res.body.contains("4件中 1〜4件"), "{}", res.body);
    let res = a.get("/interviews?when=all&q=%E9%88%B4%E6%9C%A8").await?;
    ensure!(res.body.contains("条件に一致する面談はありません"), "{}", res.body);
    let res = a.get("/interviews?when=all&sort=status").await?;
    let first = res.body.split("<tbody>").last().and_then(|b| b.split("data-interview-id=\"").nth(1)).and_then(|s| s.split('"').next());
    ensure!(first == Some(upcoming.to_string().as_str()), "scheduled first: {first:?}");
    // Bad parameters: defaults.
    let res = a.get("/interviews?when=later&status=x&sort=y&page=z").await?;
    ok(&res, "bad parameters")?;
    ensure!(res.body.contains(&row(upcoming)) && res.body.contains("1件中 1〜1件"), "{}", res.body);
    Ok(())
}

/// The employee numbers of the register's rows, in order.
fn numbers(body: &str) -> Vec<String> {
    body.split("<th scope=\"row\" class=\"nowrap\"><code>").skip(1).filter_map(|s| s.split('<').next()).map(str::to_string).collect()
}

async fn review_queue_and_register_sort_and_answer_bad_parameters(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let c1 = w.actor(Role::Consultant)?.clone();
    let sup = w.actor(Role::Supervisor)?.clone();
    let first = w.report(&w.home, &c1, "E002", &sup, ReportStatus::Submitted).await?;
    let second = w.report(&w.home, &c1, "E002", &sup, ReportStatus::Submitted).await?;
    let mut s = w.app.signed_in("supervisor").await?;
    let order = |body: &str| -> Vec<String> {
        body.split("<td><a href=\"/reports/").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect()
    };
    // The longest wait first by default; the other way on request.
    let res = s.get("/review").await?;
    ok(&res, "/review")?;
    ensure!(res.body.contains("2件中 1〜2件"), "{}", res.body);
    let both = order(&res.body);
    ensure!(both.len() >= 2 && both[0] == first.to_string() && both[1] == second.to_string(), "{both:?}");
    ensure!(res.body.contains("aria-sort=\"descending\"") && res.body.contains("<th scope=\"col\" class=\"num\""), "{}", res.body);
    let res = s.get("/review?sort=waiting&dir=asc").await?;
    let both = order(&res.body);
    ensure!(both.len() >= 2 && both[0] == second.to_string(), "{both:?}");
    let res = s.get("/review?sort=evil&page=abc&per_page=-1").await?;
    ok(&res, "bad parameters")?;
    ensure!(order(&res.body).first() == Some(&first.to_string()), "defaults");
    let res = s.get("/review?page=5").await?;
    ensure!(res.status == StatusCode::SEE_OTHER && res.location() == Some("/review"), "{}", res.brief());

    // The register: sorted by number, reading or department; unknown values fall back.
    let mut hr = w.app.signed_in("hr").await?;
    let res = hr.get("/employees").await?;
    ok(&res, "/employees")?;
    ensure!(numbers(&res.body).first().map(String::as_str) == Some("E001"), "{:?}", numbers(&res.body));
    let res = hr.get("/employees?sort=name").await?;
    ensure!(numbers(&res.body).first().map(String::as_str) == Some("E901"), "by reading: {:?}", numbers(&res.body));
    let res = hr.get("/employees?sort=number&dir=desc").await?;
    ensure!(numbers(&res.body).first().map(String::as_str) == Some("E901"), "{:?}", numbers(&res.body));
    let res = hr.get("/employees?sort=department&q=E00").await?;
    ensure!(res.body.contains("href=\"/employees?q=E00&#38;sort=department&#38;dir=desc\""), "search kept in sort links");
    let res = hr.get("/employees?department=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84&sort=evil&page=abc&per_page=9999").await?;
    ok(&res, "bad parameters")?;
    ensure!(res.body.contains("7件中 1〜7件") && numbers(&res.body).first().map(String::as_str) == Some("E001"), "{}", res.body);
    let res = hr.get("/employees?q=zzzz").await?;
    ensure!(
        numbers(&res.body).is_empty() && res.body.contains("条件に一致する従業員はいません") && res.body.contains("href=\"/employees\""),
        "{}",
        res.body
    );
    Ok(())
}
