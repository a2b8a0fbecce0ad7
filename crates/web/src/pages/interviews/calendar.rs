//! The acting consultant's week and month calendars: plain tables whose header cells name
//! the day (and hour), so each interview is announced with its place in time.

use super::{local, midnight_ms, DAY_MS};
use crate::auth::{Authed, Lang};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::pages::today_jst;
use crate::pages::{render, PageCtx};
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{Datelike, Days, Months, NaiveDate, Timelike};
use domain::interview::InterviewStatus;
use domain::{Invalid, Locale};
use store::Ctx;
use store::InterviewRow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalView {
    Week,
    Month,
}

impl CalView {
    fn as_str(self) -> &'static str {
        match self {
            CalView::Week => "week",
            CalView::Month => "month",
        }
    }
}

/// Reads `view` (week or month, default week) and `date` (YYYY-MM-DD, default today).
pub fn parse_query(raw: Option<&str>, today: NaiveDate) -> Result<(CalView, NaiveDate), Invalid> {
    let (mut view, mut date) = (None, None);
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "view" if view.is_none() => {
                view = Some(match v.trim() {
                    "" | "week" => CalView::Week,
                    "month" => CalView::Month,
                    _ => {
                        return Err(Invalid::new("view", "view には week または month を指定してください。", "view must be week or month"))
                    }
                })
            }
            "date" if date.is_none() && !v.trim().is_empty() => {
                date = Some(NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok().filter(|d| (2000..=2100).contains(&d.year())).ok_or_else(
                    || {
                        Invalid::new(
                            "date",
                            "date は YYYY-MM-DD の形式で指定してください（例：2026-05-12）。",
                            "date must be YYYY-MM-DD, e.g. 2026-05-12",
                        )
                    },
                )?)
            }
            _ => {}
        }
    }
    Ok((view.unwrap_or(CalView::Week), date.unwrap_or(today)))
}

/// The Monday on or before a date.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// The first and last day shown: a week from Monday, or the whole weeks covering a month.
pub fn range(view: CalView, d: NaiveDate) -> (NaiveDate, NaiveDate) {
    match view {
        CalView::Week => {
            let from = monday_of(d);
            (from, from + Days::new(6))
        }
        CalView::Month => {
            let first = d.with_day(1).unwrap_or(d);
            let last = (first + Months::new(1)).pred_opt().unwrap_or(first);
            let to = last + Days::new(u64::from(6 - last.weekday().num_days_from_monday()));
            (monday_of(first), to)
        }
    }
}

/// The same day a week or a month before or after (the 31st becomes the month's last day).
pub fn step(view: CalView, d: NaiveDate, forward: bool) -> NaiveDate {
    match (view, forward) {
        (CalView::Week, true) => d + Days::new(7),
        (CalView::Week, false) => d - Days::new(7),
        (CalView::Month, true) => d.checked_add_months(Months::new(1)).unwrap_or(d),
        (CalView::Month, false) => d.checked_sub_months(Months::new(1)).unwrap_or(d),
    }
}

fn dow(t: Tr, d: NaiveDate) -> String {
    t.get(&format!("cal-dow-{}", d.weekday().number_from_monday()))
}

fn day_label(t: Tr, d: NaiveDate) -> String {
    match t.locale {
        Locale::Ja => format!("{}/{}（{}）", d.month(), d.day(), dow(t, d)),
        Locale::En => format!("{} {}/{}", dow(t, d), d.month(), d.day()),
    }
}

fn month_label(t: Tr, d: NaiveDate) -> String {
    match t.locale {
        Locale::Ja => format!("{}年{}月", d.year(), d.month()),
        Locale::En => d.format("%B %Y").to_string(),
    }
}

pub struct CalItem {
    pub id: i64,
    pub time: String,
    /// The employee's name (register data) and the kind of interview, in parentheses.
    pub name: String,
    pub kind: String,
    pub status: String,
    pub cancelled: bool,
}

pub struct DayCell {
    pub label: String,
    pub day: u32,
    pub in_month: bool,
    pub is_today: bool,
    pub items: Vec<CalItem>,
}

pub struct HourRow {
    pub label: String,
    pub cells: Vec<Vec<CalItem>>,
}

pub struct WeekRow {
    pub days: Vec<DayCell>,
}

#[derive(Template)]
#[template(path = "interview_calendar.html")]
struct CalendarPage {
    ctx: PageCtx,
    is_week: bool,
    caption: String,
    prev: String,
    next: String,
    today_href: String,
    week_href: String,
    month_href: String,
    day_heads: Vec<String>,
    hours: Vec<HourRow>,
    weeks: Vec<WeekRow>,
    total: usize,
}

fn item(t: Tr, i: &InterviewRow) -> Option<(NaiveDate, u32, CalItem)> {
    let (s, e) = (local(i.starts_at)?, local(i.ends_at)?);
    let sep = if t.locale == Locale::Ja { "〜" } else { "–" };
    let status = if i.status == InterviewStatus::Scheduled { String::new() } else { i.status.label(t.locale).to_string() };
    Some((
        s.date(),
        s.hour(),
        CalItem {
            id: i.id.get(),
            time: format!("{}{sep}{}", s.format("%H:%M"), e.format("%H:%M")),
            name: i.employee_name.clone(),
            kind: super::parenthesized(t, i.kind.label(t.locale)),
            status,
            cancelled: i.status == InterviewStatus::Cancelled,
        },
    ))
}

fn href(view: CalView, d: NaiveDate) -> String {
    format!("/interviews/calendar?view={}&date={}", view.as_str(), d.format("%Y-%m-%d"))
}

pub async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let now = today_jst();
    let (view, date) = parse_query(raw.as_deref(), now)?;
    let ctx = PageCtx::new(&p, locale, "cal-title", "/interviews");
    let t = ctx.t;
    let (from, to) = range(view, date);
    let rows = state.store.consultant_interviews(&p.acting(Ctx::as_consultant)?, midnight_ms(from), midnight_ms(to) + DAY_MS).await?;
    let mut placed: Vec<(NaiveDate, u32, CalItem)> = rows.iter().filter_map(|i| item(t, i)).collect();
    let total = placed.iter().filter(|(_, _, i)| !i.cancelled).count();
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let (mut hours, mut weeks) = (Vec::new(), Vec::new());
    match view {
        CalView::Week => {
            let first = placed.iter().map(|(_, h, _)| *h).min().unwrap_or(9).min(9);
            let last = placed.iter().map(|(_, h, _)| *h).max().unwrap_or(17).max(17);
            for h in first..=last {
                let mut cells = Vec::with_capacity(7);
                for d in &days {
                    let (here, rest): (Vec<_>, Vec<_>) = placed.into_iter().partition(|(pd, ph, _)| pd == d && *ph == h);
                    placed = rest;
                    cells.push(here.into_iter().map(|(_, _, i)| i).collect());
                }
                hours.push(HourRow { label: format!("{h:02}:00"), cells });
            }
        }
        CalView::Month => {
            for week in days.chunks(7) {
                let mut cells = Vec::with_capacity(7);
                for d in week {
                    let (here, rest): (Vec<_>, Vec<_>) = placed.into_iter().partition(|(pd, _, _)| pd == d);
                    placed = rest;
                    cells.push(DayCell {
                        label: day_label(t, *d),
                        day: d.day(),
                        in_month: d.month() == date.month(),
                        is_today: *d == now,
                        items: here.into_iter().map(|(_, _, i)| i).collect(),
                    });
                }
                weeks.push(WeekRow { days: cells });
            }
        }
    }
    let caption = match view {
        CalView::Week => t.with("cal-week-caption", "range", format!("{}–{}", day_label(t, from), day_label(t, to))),
        CalView::Month => t.with("cal-month-caption", "month", month_label(t, date)),
    };
    let day_heads = match view {
        CalView::Week => days.iter().map(|d| day_label(t, *d)).collect(),
        CalView::Month => days.iter().take(7).map(|d| dow(t, *d)).collect(),
    };
    render(&CalendarPage {
        ctx,
        is_week: view == CalView::Week,
        caption,
        prev: href(view, step(view, date, false)),
        next: href(view, step(view, date, true)),
        today_href: href(view, now),
        week_href: href(CalView::Week, date),
        month_href: href(CalView::Month, date),
        day_heads,
        hours,
        weeks,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn weeks_start_on_monday_and_months_cover_whole_weeks() {
        assert_eq!(range(CalView::Week, d(2030, 1, 10)), (d(2030, 1, 7), d(2030, 1, 13)));
        assert_eq!(range(CalView::Week, d(2030, 1, 7)), (d(2030, 1, 7), d(2030, 1, 13)));
        // January 2030 starts on a Tuesday and ends on a Thursday.
        assert_eq!(range(CalView::Month, d(2030, 1, 20)), (d(2029, 12, 31), d(2030, 2, 3)));
        // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
        assert_eq!(range(CalView::Month, d(2027, 2, 14)), (d(2027, 2, 1), d(2027, 2, 28)));
    }

    #[test]
    fn steps_keep_the_day_where_they_can() {
        assert_eq!(step(CalView::Month, d(2030, 1, 31), true), d(2030, 2, 28));
        assert_eq!(step(CalView::Month, d(2030, 3, 15), false), d(2030, 2, 15));
        assert_eq!(step(CalView::Week, d(2030, 1, 1), false), d(2029, 12, 25));
    }

    #[test]
    fn queries_name_the_bad_parameter() {
        let today = d(2030, 1, 10);
        assert_eq!(parse_query(None, today), Ok((CalView::Week, today)));
        assert_eq!(parse_query(Some("view=month&date=2030-02-03"), today), Ok((CalView::Month, d(2030, 2, 3))));
        assert_eq!(parse_query(Some("view=year"), today).err().map(|e| e.field), Some("view"));
        assert_eq!(parse_query(Some("date=2030-13-01"), today).err().map(|e| e.field), Some("date"));
    }
}
