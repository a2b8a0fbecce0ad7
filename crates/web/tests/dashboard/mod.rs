//! The home dashboards, over HTTP on both databases: each role's home shows its own work with
//! the right figures (a consultant's held interviews without a report, returned reports with
//! their comment count, drafts and requests; the supervisor's queue and oldest report; HR's
//! progress per consultant; the administrator's accounts, chain check and backup; the
//! employee's next interview and requests), never a colleague's; employees are offered no API
//! tokens; health staff see open escalations and referrals (empty states); roles whose features
//! come later read a plain statement; English homes hold no
//! Japanese outside user data.

use crate::records::world::{World, REGISTER};
use crate::support::Agent;
use anyhow::{anyhow, bail, Context, Result};
use careerdock_web::i18n::Tr;
use domain::audit::{AuditAction, AuditTarget};
use domain::dashboard::{agenda, percent};
use domain::interview::{InterviewKind, InterviewMode, Slot};
use domain::report::ReportStatus;
use domain::{Locale, Role};
use reqwest::StatusCode;
use store::{Ctx, NewInterview};
use testkit::Backend;

testkit::on_both_backends!(each_role_sees_its_own_work_on_its_home);

/// The visible text of some HTML, tags dropped and spaces collapsed.
fn text(html: &str) -> String {
    // The tenant's data is marked `<span lang="ja">…</span>` inside sentences: read through it.
    let html = html.replace("<span lang=\"ja\">", "").replace("</span>", "");
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of one dashboard card (`data-card="key"`).
fn card(html: &str, key: &str) -> Result<String> {
    let marker = format!(r#"data-card="{key}""#);
    let start = html.find(&marker).with_context(|| format!("the home has no card {key}: {}", text(html)))?;
    let rest = &html[start + marker.len()..];
    let end = rest.find("data-card=").or_else(|| rest.find("</section>")).unwrap_or(rest.len());
    Ok(text(&rest[..end]))
}

/// The raw HTML of one card, for its links.
fn card_html<'a>(html: &'a str, key: &str) -> Result<&'a str> {
    let marker = format!(r#"data-card="{key}""#);
    let start = html.find(&marker).with_context(|| format!("no card {key}"))?;
    let rest = &html[start..];
    let end = rest[marker.len()..].find("data-card=").map_or(rest.len(), |i| i + marker.len());
    Ok(&rest[..end])
}

/// The text of HR's progress row of one consultant (by display name).
fn progress_row(html: &str, name: &str) -> Result<String> {
    let marked = format!(r#"<th scope="row"><span lang="ja">{name}</span></th>"#);
    let plain = format!(r#"<th scope="row">{name}</th>"#);
    let start = html.find(&marked).or_else(|| html.find(&plain)).with_context(|| format!("no progress row for {name}"))?;
    let rest = &html[start..];
    Ok(text(&rest[..rest.find("</tr>").unwrap_or(rest.len())]))
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    &html[start..end]
}

async fn home(a: &mut Agent) -> Result<String> {
    let res = a.get("/").await?;
    if res.status != StatusCode::OK {
        bail!("GET /: {}", res.brief());
    }
    Ok(res.body)
}

async fn signed_in(w: &World, login: &str) -> Result<Agent> {
    w.app.signed_in(login).await
}

/// Acts as `role` (a user holding several roles).
async fn act_as(a: &mut Agent, role: Role) -> Result<()> {
    let res = a.post_form("/role", &[("role", role.as_str()), ("next", "/")]).await?;
    if !res.is_redirect_to("/") {
        bail!("choosing {role}: {}", res.brief());
    }
    Ok(())
}

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// Japanese left in an English page once the user data it shows is taken out.
fn japanese_outside_user_data(html: &str, user_data: &[String]) -> Vec<String> {
    let mut t = text(html);
    for d in user_data {
        t = t.replace(d.as_str(), " ");
    }
    t.split_whitespace().filter(|w| w.chars().any(is_japanese)).map(str::to_string).collect()
}

/// What the tests' data puts on pages: names, kana, departments, places, the cycle's and the
/// company's names, and the language switch (which names Japanese in Japanese).
fn user_data() -> Vec<String> {
    let mut out: Vec<String> = ["本社 面談室A", "本社 面談室B", "今年度", "デモ株式会社", "日本語"].iter().map(|s| s.to_string()).collect();
    for line in REGISTER.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        out.extend(f.iter().skip(1).take(3).flat_map(|v| v.split('/')).map(str::to_string));
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    out
}

async fn each_role_sees_its_own_work_on_its_home(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let store = w.store();
    let home_co = &w.home;
    let consultant = w.actor(Role::Consultant)?.clone();
    let consultant2 = home_co.consultant2()?.clone();
    let supervisor = w.actor(Role::Supervisor)?.clone();
    let supervisor2 = home_co.supervisor2()?.clone();

    // The consultant's work: an interview today, one later this week (unless today is Sunday),
    // a held interview without report, reports returned, resubmitted, approved and drafted,
    // and a request waiting (another answered).
    let today = store::today_jst();
    let me = consultant.ctx.as_consultant()?;
    let start = domain::time::jst_ms(today, 6, 0);
    let slot = Slot::new(start, start + 1_800_000).map_err(|e| anyhow!("{e:?}"))?;
    let at = |slot: Slot, place: &str, mode: InterviewMode| -> Result<NewInterview> {
        Ok(NewInterview {
            cycle: Some(home_co.cycle),
            employee: home_co.employee("E002")?,
            kind: InterviewKind::Initial,
            mode,
            place: place.into(),
            slot,
        })
    };
    store.schedule_interview(&me, &at(slot, "本社 面談室A", InterviewMode::InPerson)?).await?;
    let week = agenda(today);
    let later_this_week = week.week_from < week.week_to;
    if later_this_week {
        let start = week.week_to - 2 * 3_600_000;
        let slot = Slot::new(start, start + 3_600_000).map_err(|e| anyhow!("{e:?}"))?;
        store.schedule_interview(&me, &at(slot, "本社 面談室B", InterviewMode::InPerson)?).await?;
    }
    let held = w.held_interview(home_co, &consultant, "E002").await?;
    let returned = w.report(home_co, &consultant, "E002", &supervisor, ReportStatus::Returned).await?;
    let resubmitted = w.report(home_co, &consultant, "E002", &supervisor, ReportStatus::Returned).await?;
    store.submit_report(&me, resubmitted, Some(supervisor.id)).await?;
    w.report(home_co, &consultant, "E002", &supervisor, ReportStatus::Approved).await?;
    let draft = w.report(home_co, &consultant, "E002", &supervisor, ReportStatus::Draft).await?;
    w.request(home_co, "E002").await?;
    w.answered_request(home_co, "E002", &consultant).await?;
    // A colleague's work, with another employee (鈴木), submitted to the second supervisor.
    w.held_interview(home_co, &consultant2, "E003").await?;
    let colleagues = w.report(home_co, &consultant2, "E003", &supervisor2, ReportStatus::Submitted).await?;
    // The employee's next interview.
    let upcoming = NewInterview { slot: w.upcoming_slot()?, ..at(slot, "https://meet.example.jp/next", InterviewMode::Online)? };
    store.schedule_interview(&me, &upcoming).await?;

    // ------------------------------------------------------------------ consultant
    let mut c = signed_in(&w, "consultant").await?;
    let page = home(&mut c).await?;
    let today_card = card(&page, "today")?;
    assert!(today_card.contains("1件") && today_card.contains("06:00–06:30") && today_card.contains("山田 太郎さん"), "{today_card}");
    assert!(today_card.contains("本社 面談室A") && today_card.contains("対面"), "{today_card}");
    let week_card = card(&page, "week")?;
    if later_this_week {
        assert!(week_card.contains("本社 面談室B"), "{week_card}");
    }
    let held_card = card(&page, "held")?;
    assert!(held_card.contains("1件") && held_card.contains("山田 太郎さん"), "{held_card}");
    let held_html = card_html(&page, "held")?;
    assert!(held_html.contains(&format!(r#"href="/interviews/{held}""#)), "{held_html}");
    assert!(
        held_html.contains(&format!(r#"name="interview" value="{held}""#)) && held_html.contains(r#"action="/reports""#),
        "starts the report"
    );
    let returned_card = card(&page, "returned")?;
    assert!(returned_card.contains("1件") && returned_card.contains("コメント1件"), "{returned_card}");
    assert!(card_html(&page, "returned")?.contains(&format!(r#"href="/reports/{returned}/edit""#)));
    let drafts_card = card(&page, "drafts")?;
    assert!(drafts_card.contains("1件") && card_html(&page, "drafts")?.contains(&format!("/reports/{draft}/edit")), "{drafts_card}");
    let requests_card = card(&page, "requests")?;
    assert!(requests_card.contains("1件") && requests_card.contains("1時間未満"), "{requests_card}");
    assert!(!main_of(&page).contains("鈴木"), "a colleague's interviewee appears on the consultant's home");
    assert!(!page.contains(&format!("/reports/{colleagues}")));
    // The second consultant sees their own, not the first one's.
    let mut c2 = signed_in(&w, "consultant2").await?;
    let page2 = home(&mut c2).await?;
    assert!(card(&page2, "today")?.contains("今日の面談はありません"), "{}", card(&page2, "today")?);
    assert!(card(&page2, "returned")?.contains("差し戻された報告書はありません"));
    assert!(!main_of(&page2).contains("山田"), "the first consultant's interviewee appears on the second's home");

    // ------------------------------------------------------------------ supervisor
    let mut s = signed_in(&w, "supervisor").await?;
    let page = home(&mut s).await?;
    let queue = card(&page, "queue")?;
    assert!(queue.contains("2件") && queue.contains("あなたが指名されているもの：1件"), "{queue}");
    assert!(card(&page, "oldest")?.contains("1時間未満"), "{}", card(&page, "oldest")?);
    let again = card(&page, "resubmitted")?;
    assert!(again.contains("1件") && again.contains("2回目の提出"), "{again}");
    assert!(card_html(&page, "resubmitted")?.contains(&format!(r#"href="/reports/{resubmitted}""#)));
    assert!(card(&page, "returned_by_me")?.contains("1件"), "{}", card(&page, "returned_by_me")?);
    assert!(page.contains(r#"href="/review""#));
    assert!(!main_of(&page).contains("山田") && !main_of(&page).contains("鈴木"), "the supervisor's home names nobody");
    // The second supervisor returned nothing and is named on one report.
    let mut s2 = signed_in(&w, "supervisor2").await?;
    let page = home(&mut s2).await?;
    assert!(card(&page, "queue")?.contains("あなたが指名されているもの：1件"));
    assert!(card(&page, "returned_by_me")?.contains("修正中の報告書はありません"), "{}", card(&page, "returned_by_me")?);

    // ------------------------------------------------------------------ HR
    let targets = store.cycle(home_co.tenant, home_co.cycle).await?.targets;
    let mut h = signed_in(&w, "hr").await?;
    let page = home(&mut h).await?;
    let share = |n: i64| format!("{n}名（{}%）", percent(n, targets).unwrap_or(0));
    assert!(card(&page, "targets")?.contains(&format!("{targets}名")), "{}", card(&page, "targets")?);
    assert!(card(&page, "scheduled")?.contains(&share(2)), "{}", card(&page, "scheduled")?);
    assert!(card(&page, "interviewed")?.contains(&share(2)), "{}", card(&page, "interviewed")?);
    assert!(card(&page, "approved")?.contains(&share(1)), "{}", card(&page, "approved")?);
    assert!(card_html(&page, "targets")?.contains(&format!(r#"href="/cycles/{}""#, home_co.cycle)));
    assert_eq!(progress_row(&page, "consultant")?, "consultant 1 1（100%） 1（100%） 1（100%）");
    assert_eq!(progress_row(&page, "consultant2")?, "consultant2 1 1（100%） 1（100%） 0（0%）");
    assert_eq!(progress_row(&page, "未割り当て")?, format!("未割り当て {n} 0（0%） 0（0%） 0（0%）", n = targets - 2));
    assert!(!main_of(&page).contains("山田"), "HR's home names no interviewee");

    // A user holding two roles sees the home of the role they act in.
    let mut hc = signed_in(&w, "hr-consultant").await?;
    act_as(&mut hc, Role::Consultant).await?;
    let page = home(&mut hc).await?;
    assert!(page.contains(r#"data-card="today""#) && !page.contains(r#"data-card="targets""#));
    act_as(&mut hc, Role::Hr).await?;
    let page = home(&mut hc).await?;
    assert!(page.contains(r#"data-card="targets""#) && !page.contains(r#"data-card="today""#));

    // ------------------------------------------------------------------ admin
    store.disable_user(&w.home.admin.ctx, w.hr2.id).await?;
    let accounts = store.users(home_co.tenant).await?.len();
    let mut ad = signed_in(&w, "admin").await?;
    let page = home(&mut ad).await?;
    let acc = card(&page, "accounts")?;
    assert!(acc.contains(&format!("{accounts}件")) && acc.contains("うち停止中：1件"), "{acc}");
    assert!(card(&page, "audit")?.contains("まだ行われていません"), "{}", card(&page, "audit")?);
    assert!(card(&page, "backup")?.contains("バックアップの記録はまだありません"));
    let res = ad.post_form("/admin/audit/verify", &[("before", "")]).await?;
    assert_eq!(res.status, StatusCode::OK, "{}", res.brief());
    let op = Ctx::operator(home_co.tenant, "backup");
    store.audit(&op, op.event(AuditAction::BackupWritten, AuditTarget::Backup, "0123abcd")).await?;
    let page = home(&mut ad).await?;
    assert!(card(&page, "audit")?.contains("改ざんは見つかりませんでした"), "{}", card(&page, "audit")?);
    let backup = card(&page, "backup")?;
    assert!(!backup.contains("まだありません") && backup.contains(&domain::display::date(store::today_jst(), Locale::Ja)), "{backup}");

    // ------------------------------------------------------------------ employee
    let mut e = signed_in(&w, "emp-e002").await?;
    let page = home(&mut e).await?;
    let next = card(&page, "next")?;
    assert!(next.contains("担当：consultant"), "{next}");
    let mine = card(&page, "my_requests")?;
    assert!(mine.contains("2件") && mine.contains("受付中") && mine.contains("見送り"), "{mine}");
    assert!(!main_of(&page).contains("今月は予定が埋まっています"), "the answer's text stays on the employee's own page");
    let mut e3 = signed_in(&w, "emp-e003").await?;
    let page3 = home(&mut e3).await?;
    assert!(card(&page3, "my_requests")?.contains("相談の申し出はまだありません"), "{}", card(&page3, "my_requests")?);
    assert!(card(&page3, "next")?.contains("予定されている面談はありません"));

    // ------------------------------------------------------------------ API tokens
    assert!(!page.contains(r#"href="/tokens""#), "an employee is offered API tokens");
    assert_eq!(e.get("/tokens").await?.status, StatusCode::FORBIDDEN);
    for (login, a) in [("consultant", &mut c), ("supervisor", &mut s), ("hr", &mut h), ("admin", &mut ad)] {
        let page = home(a).await?;
        let nav = page.split(r#"class="site-nav""#).nth(1).unwrap_or_default();
        let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
        assert!(!nav.contains("/tokens"), "{login}: API tokens are in the main navigation");
        let menu = page.split(r#"class="user-menu""#).nth(1).with_context(|| format!("{login}: no user menu"))?;
        let menu = &menu[..menu.find("</details>").unwrap_or(menu.len())];
        for href in ["/tokens", "/account/password", "/account/two-factor"] {
            assert!(menu.contains(&format!(r#"href="{href}""#)), "{login}: the user menu lacks {href}");
        }
    }

    // ------------------------------------------------------------------ later roles
    let ja = Tr::new(Locale::Ja);
    let mut later = Vec::new();
    for role in [Role::Executive, Role::Boss] {
        let mut a = signed_in(&w, role.as_str()).await?;
        let page = home(&mut a).await?;
        // A boss who has not acknowledged the guide for bosses is told to read it first.
        let now = if role == Role::Boss { "home-boss-guide-first".to_string() } else { format!("home-{}-now", role.as_str()) };
        for key in [format!("home-{}-receive", role.as_str()), now] {
            let said = ja.get(&key);
            assert!(page.contains(&said), "{role}: the home does not say {said:?}");
        }
        // A boss's only card is the guide for bosses, which they read before any feedback; an
        // executive's are the yearly review and the effect report (both program-level, naming no one).
        let cards: Vec<&str> = page.split(r#"data-card=""#).skip(1).filter_map(|c| c.split('"').next()).collect();
        let expected: &[&str] = if role == Role::Boss { &["boss_guide"] } else { &["yearly_review", "effect_report"] };
        assert_eq!(cards, expected, "{role}: cards on a home with nothing shared");
        later.push(a);
    }
    // Health staff: open escalations (none here) and referrals, each with its empty state.
    let mut health = signed_in(&w, Role::Health.as_str()).await?;
    let page = home(&mut health).await?;
    for (card, empty) in [("escalations", "home-escalations-empty"), ("referrals", "home-referrals-empty")] {
        assert!(page.contains(&format!(r#"data-card="{card}""#)), "health: no {card} card");
        assert!(page.contains(&ja.get(empty)), "health: the {card} card does not say it is empty");
    }
    later.push(health);

    // ------------------------------------------------------------------ English
    let data = user_data();
    let mut agents = vec![c, c2, s, h, ad, e];
    agents.extend(later);
    for a in &mut agents {
        let res = a.post_form("/locale", &[("locale", "en"), ("next", "/")]).await?;
        assert!(res.is_redirect_to("/"), "{}", res.brief());
        let page = home(a).await?;
        assert!(page.contains(r#"<html lang="en""#));
        let left = japanese_outside_user_data(&page, &data);
        assert!(left.is_empty(), "Japanese left on an English home: {left:?}\n{}", text(main_of(&page)));
    }
    Ok(())
}
