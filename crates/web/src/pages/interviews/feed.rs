//! The consultant's iCalendar feed: managed on `/interviews/feed`, served publicly at
//! `/calendar/{token}.ics` (the token is the only credential, so it is shown once, stored
//! hashed, and can be rotated or revoked). No employee name unless the consultant turns it on.

use super::DoneQuery;
use crate::auth::{secure_request, Authed, Lang};
use crate::error::{AppError, AppResult, Path, Query};
use crate::i18n::Tr;
use crate::pages::form::FormPairs;
use crate::pages::{render, PageCtx};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use domain::interview::InterviewStatus;
use store::Ctx;
use store::{CalendarFeed, FeedEvent, StoreError};

#[derive(Template)]
#[template(path = "interview_feed.html")]
struct FeedPage {
    ctx: PageCtx,
    notice: String,
    active: bool,
    show_names: bool,
    created: String,
    /// The new URL, shown once right after it was made.
    url: String,
    webcal: String,
}

fn feed_notice(t: Tr, done: Option<&str>) -> String {
    match done {
        Some("names") => t.get("feed-done-names"),
        Some("revoked") => t.get("feed-done-revoked"),
        _ => String::new(),
    }
}

async fn feed_page(
    state: &AppState,
    p: &crate::auth::Principal,
    locale: domain::Locale,
    notice: String,
    url: (String, String),
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "feed-title", "/interviews");
    let info = state.store.calendar_feed(&p.acting(Ctx::as_consultant)?).await?;
    render(&FeedPage {
        ctx,
        notice,
        active: info.is_some(),
        show_names: info.as_ref().is_some_and(|i| i.show_names),
        created: info.as_ref().map(|i| Tr::new(locale).date_time(i.created_at)).unwrap_or_default(),
        url: url.0,
        webcal: url.1,
    })
}

pub async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = feed_notice(Tr::new(locale), q.done.as_deref());
    feed_page(&state, &p, locale, notice, (String::new(), String::new())).await
}

/// Where this server is reached, for the URL to paste into a calendar application.
fn feed_urls(state: &AppState, headers: &HeaderMap, token: &str) -> (String, String) {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = if secure_request(state, headers) { "https" } else { "http" };
    (format!("{scheme}://{host}/calendar/{token}.ics"), format!("webcal://{host}/calendar/{token}.ics"))
}

fn checked(f: &FormPairs, key: &str) -> bool {
    matches!(f.first(key), Some("1" | "on" | "true"))
}

/// Creates the feed, or replaces its secret; shows the new URL this once.
pub async fn rotate(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    headers: HeaderMap,
    f: FormPairs,
) -> AppResult<Response> {
    let token = state.store.rotate_calendar_feed(&p.acting(Ctx::as_consultant)?, checked(&f, "show_names")).await?;
    let notice = Tr::new(locale).get("feed-done-created");
    feed_page(&state, &p, locale, notice, feed_urls(&state, &headers, &token)).await
}

pub async fn names(State(state): State<AppState>, Authed(p): Authed, f: FormPairs) -> AppResult<Response> {
    state.store.set_calendar_feed_names(&p.acting(Ctx::as_consultant)?, checked(&f, "show_names")).await?;
    Ok(Redirect::to("/interviews/feed?done=names").into_response())
}

pub async fn revoke(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Response> {
    state.store.revoke_calendar_feed(&p.acting(Ctx::as_consultant)?).await?;
    Ok(Redirect::to("/interviews/feed?done=revoked").into_response())
}

/// The public feed. Anything but a live token is "not found", whatever the reason.
pub async fn ics(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let feed = match state.store.calendar_feed_by_token(token).await {
        Ok(Some(feed)) => feed,
        Ok(None) | Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let mut res = calendar_text(&feed).into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    Ok(res)
}

// ---------------------------------------------------------------- iCalendar (RFC 5545)

/// Escapes a TEXT value (RFC 5545 §3.3.11): a tab is kept (TSAFE-CHAR holds white space), a
/// line break becomes `\n`, other control characters go.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line so that no line exceeds 75 octets (§3.1), never inside a UTF-8
/// character, and ends it with CRLF.
pub fn fold(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// Epoch milliseconds as a UTC DATE-TIME, `20260512T010000Z`.
pub fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

/// The title of an event: 「キャリア面談（初回面談）」, with the employee's name only when the
/// consultant turned names on, and a mark when it was cancelled or missed. The feed is in
/// Japanese (calendar applications show it as it is), in the words of the vocabulary.
pub fn summary(e: &FeedEvent) -> String {
    let ja = Tr::new(domain::Locale::Ja);
    let mut s = format!("キャリア面談（{}）", ja.term(e.kind));
    if let Some(name) = &e.employee_name {
        s.push_str(&format!(" {name}"));
    }
    match e.status {
        InterviewStatus::Cancelled | InterviewStatus::NoShow => format!("【{}】{s}", ja.term(e.status)),
        _ => s,
    }
}

pub fn calendar_text(feed: &CalendarFeed) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold(&s, &mut out);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//careerdock//interviews//JA".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape_text("キャリア面談（careerdock）")));
    line("X-WR-TIMEZONE:Asia/Tokyo".into());
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".into());
    line("X-PUBLISHED-TTL:PT1H".into());
    for e in &feed.events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:interview-{}@{}.careerdock", e.id, feed.tenant_slug));
        line(format!("DTSTAMP:{}", utc(e.updated_at)));
        line(format!("CREATED:{}", utc(e.created_at)));
        line(format!("LAST-MODIFIED:{}", utc(e.updated_at)));
        line(format!("DTSTART:{}", utc(e.starts_at)));
        line(format!("DTEND:{}", utc(e.ends_at)));
        line(format!("SUMMARY:{}", escape_text(&summary(e))));
        if !e.place.trim().is_empty() {
            line(format!("LOCATION:{}", escape_text(e.place.trim())));
        }
        line(format!(
            "DESCRIPTION:{}",
            escape_text(&format!(
                "形式：{}\n状態：{}",
                Tr::new(domain::Locale::Ja).term(e.mode),
                Tr::new(domain::Locale::Ja).term(e.status)
            ))
        ));
        line(format!("STATUS:{}", if e.status == InterviewStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" }));
        line("TRANSP:OPAQUE".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::{InterviewId, TenantId, UserId};
    use domain::interview::{InterviewKind, InterviewMode};

    fn event(name: Option<&str>, status: InterviewStatus, place: &str) -> FeedEvent {
        FeedEvent {
            id: InterviewId::new(7),
            kind: InterviewKind::Initial,
            mode: InterviewMode::Online,
            place: place.into(),
            starts_at: 1_778_547_600_000,
            ends_at: 1_778_551_200_000,
            status,
            employee_name: name.map(str::to_string),
            created_at: 1_778_000_000_000,
            updated_at: 1_778_100_000_000,
        }
    }

    fn feed(events: Vec<FeedEvent>) -> CalendarFeed {
        CalendarFeed {
            tenant: TenantId::new(1),
            tenant_slug: "acme".into(),
            consultant: UserId::new(2),
            consultant_name: "相談 一郎".into(),
            show_names: false,
            events,
        }
    }

    /// Undoes folding (§3.1): a CRLF followed by one space or tab joins the lines.
    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "").replace("\r\n\t", "")
    }

    #[test]
    fn events_are_titled_without_names_unless_asked() {
        let text = calendar_text(&feed(vec![event(None, InterviewStatus::Scheduled, "第3会議室")]));
        let u = unfold(&text);
        assert!(u.contains("\r\nSUMMARY:キャリア面談（初回面談）\r\n"), "{u}");
        assert!(u.contains("DTSTART:20260512T010000Z\r\nDTEND:20260512T020000Z"), "{u}");
        assert!(u.contains("STATUS:CONFIRMED") && u.contains("LOCATION:第3会議室") && !u.contains("相談 一郎"));
        let named = unfold(&calendar_text(&feed(vec![event(Some("山田 太郎"), InterviewStatus::Cancelled, "")])));
        assert!(
            named.contains("SUMMARY:【キャンセル】キャリア面談（初回面談） 山田 太郎\r\n") && named.contains("STATUS:CANCELLED"),
            "{named}"
        );
        assert!(!named.contains("LOCATION"));
    }

    #[test]
    fn lines_end_in_crlf_and_fold_at_75_octets_on_character_boundaries() {
        let long = "オンライン会議室（https://meet.example.jp/abc-def-ghi?pwd=1;x=2,y=3）".repeat(3);
        let text = calendar_text(&feed(vec![event(Some("山田 太郎"), InterviewStatus::Scheduled, &long)]));
        assert!(text.ends_with("END:VCALENDAR\r\n") && text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n') && !text.replace("\r\n", "").contains('\r'), "bare line breaks");
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let u = unfold(&text);
        assert!(u.contains(&format!("LOCATION:{}", escape_text(&long))), "folding round-trips");
        assert!(u.contains("\\;x=2\\,y=3"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a\\b;c,d\r\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(escape_text("x\u{7}y"), "xy");
        // A place may hold a tab (a one-line field takes one): it comes back as it was.
        assert_eq!(escape_text("会議室\tA"), "会議室\tA");
    }

    /// A tab falling where a line folds is kept: the fold's space goes, the tab stays.
    #[test]
    fn a_tab_survives_folding() {
        let place = format!("{}\tB", "a".repeat(66));
        let u = unfold(&calendar_text(&feed(vec![event(None, InterviewStatus::Scheduled, &place)])));
        assert!(u.contains(&format!("\r\nLOCATION:{place}\r\n")), "{u:?}");
    }
}
