//! Words and dates as people read them (issue 7, item 5): every date on a page carries its
//! weekday in the reader's language and no page shows an ISO date; one status reads alike on
//! every page that shows it.

use crate::records::world::{role_login, World};
use crate::support::{login_as, Agent};
use anyhow::{ensure, Result};
use domain::interview::{InterviewKind, InterviewMode};
use domain::report::ReportStatus;
use domain::Role;
use store::NewInterview;
use testkit::Backend;

testkit::on_both_backends!(pages_show_dates_with_the_weekday_and_never_iso, one_status_reads_alike_on_every_page);

const JA_WEEKDAYS: [char; 7] = ['月', '火', '水', '木', '金', '土', '日'];
const EN_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The text a person reads: tags, attributes, scripts and styles taken out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let after = &rest[open..];
        let skip_to =
            ["<script", "<style"].iter().find(|t| after.starts_with(**t)).and_then(|t| after.find(&format!("</{}>", &t[1..]))).unwrap_or(0);
        match after[skip_to..].find('>') {
            Some(close) => rest = &after[skip_to + close + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Whether `w` reads `dddd?dd?dd` with `sep` at the two `?`.
fn ymd(w: &[char], sep: char) -> bool {
    let d = |r: std::ops::Range<usize>| w[r].iter().all(|c| c.is_ascii_digit());
    w.len() >= 10 && d(0..4) && w[4] == sep && d(5..7) && w[7] == sep && d(8..10)
}

/// `2026-11-25` anywhere in the text.
fn iso_dates(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(10).filter(|w| ymd(w, '-')).map(|w| w.iter().collect()).collect()
}

/// `2026/12/03（木）` anywhere in the text.
fn has_japanese_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(13).any(|w| ymd(w, '/') && w[10] == '（' && JA_WEEKDAYS.contains(&w[11]) && w[12] == '）')
}

/// `Thu 3 Dec 2026` anywhere in the text.
fn has_english_date(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(4).any(|w| {
        EN_WEEKDAYS.contains(&w[0]) && digits(w[1]) && w[1].len() <= 2 && EN_MONTHS.contains(&w[2]) && digits(w[3].get(..4).unwrap_or(""))
    })
}

async fn agent(world: &World, role: Role, english: bool) -> Result<Agent> {
    let mut a = world.app.agent();
    login_as(&mut a, role_login(role)).await?;
    if english {
        a.set_cookie("cd_lang", "en");
    }
    Ok(a)
}

async fn pages_show_dates_with_the_weekday_and_never_iso(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let (c, s) = (&w.home.consultant, &w.home.supervisor);
    let report = w.report(&w.home, c, "E002", s, ReportStatus::Submitted).await?;
    // An upcoming interview, for the list of interviews.
    let upcoming = NewInterview {
        cycle: Some(w.home.cycle),
        employee: w.home.employee("E002")?,
        kind: InterviewKind::Additional,
        mode: InterviewMode::Online,
        place: "https://meet.example.jp/abc".into(),
        slot: w.upcoming_slot()?,
    };
    w.store().schedule_interview(&c.ctx.as_consultant()?, &upcoming).await?;
    let cases = [
        (Role::Consultant, vec!["/reports".to_string(), format!("/reports/{}", report.get()), "/interviews".to_string()]),
        (Role::Supervisor, vec!["/review".to_string()]),
        (Role::Hr, vec!["/cycles".to_string()]),
    ];
    for english in [false, true] {
        for (role, paths) in &cases {
            let mut a = agent(&w, *role, english).await?;
            for path in paths {
                let res = a.get(path).await?;
                ensure!(res.status == 200, "{role:?} {path}: {}", res.brief());
                let text = visible_text(&res.body);
                let iso = iso_dates(&text);
                ensure!(iso.is_empty(), "{role:?} {path} (en={english}) shows ISO dates {iso:?}");
                let worded = if english { has_english_date(&text) } else { has_japanese_date(&text) };
                ensure!(worded, "{role:?} {path} (en={english}) shows no date with its weekday:\n{text}");
            }
        }
    }
    Ok(())
}

async fn one_status_reads_alike_on_every_page(backend: Backend) -> Result<()> {
    let w = World::new(backend).await?;
    let (c, s) = (&w.home.consultant, &w.home.supervisor);
    w.report(&w.home, c, "E002", s, ReportStatus::Submitted).await?;
    for (english, word, old) in [(false, "レビュー待ち", "提出済み"), (true, "Awaiting review", "Waiting for review")] {
        let pages = [
            (Role::Consultant, "/reports".to_string()),
            (Role::Hr, format!("/cycles/{}", w.home.cycle.get())),
            (Role::Supervisor, "/review".to_string()),
        ];
        for (role, path) in pages {
            let mut a = agent(&w, role, english).await?;
            let res = a.get(&path).await?;
            ensure!(res.status == 200, "{role:?} {path}: {}", res.brief());
            let text = visible_text(&res.body);
            ensure!(text.contains(word), "{role:?} {path} does not call the submitted report 「{word}」:\n{text}");
            ensure!(!text.contains(old), "{role:?} {path} still says 「{old}」");
        }
    }
    Ok(())
}

#[test]
fn the_scanners_find_what_they_look_for() {
    assert!(has_japanese_date("面談 2026/12/03（木） 10:00"));
    assert!(!has_japanese_date("2026/12/03"));
    assert!(has_english_date("Held Thu 3 Dec 2026 10:00"));
    assert_eq!(iso_dates(&visible_text("<input value=\"2026-11-25\"> 2026-11-26")), ["2026-11-26"]);
    assert_eq!(visible_text("a<script>var x = '2026-01-01';</script>b"), "a b");
}
