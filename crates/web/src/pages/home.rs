//! The home page of the acting role: a dashboard of this role's own work, each card linking to
//! where the work is done. Roles whose features come later (executive, boss, health) are told
//! plainly what they will receive and that nothing has been shared with them yet.

use super::{render, role_label, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::dashboard::{agenda, percent};
use domain::display;
use domain::policy::Operation;
use domain::Role;
use store::{AgendaItem, Ctx, ProgressRow};

pub fn routes(r: Routes) -> Routes {
    r.get("/", Operation::ViewHome, home)
}

/// One line of a card's list: what, when, and where it leads.
pub struct Line {
    pub href: String,
    pub text: String,
    pub meta: String,
    /// An interview whose report this line's button starts (`POST /reports`).
    pub start_report: Option<i64>,
}

impl Line {
    fn new(href: String, text: String, meta: String) -> Self {
        Line { href, text, meta, start_report: None }
    }
}

/// A dashboard card: title, figure, a short explanation (or, when there is nothing, a sentence
/// saying so), an optional short list, and a link to where the work is.
pub struct Card {
    pub key: &'static str,
    pub title: String,
    pub figure: String,
    pub body: String,
    pub items: Vec<Line>,
    pub href: String,
    pub link: String,
}

impl Card {
    fn new(t: Tr, key: &'static str, href: impl Into<String>) -> Self {
        let name = key.replace('_', "-");
        Card {
            key,
            title: t.get(&format!("home-{name}-title")),
            figure: String::new(),
            body: String::new(),
            items: Vec::new(),
            href: href.into(),
            link: t.get(&format!("home-{name}-link")),
        }
    }

    /// A card of another page module, by its key (`home-<key>-title`, `home-<key>-link`).
    pub(crate) fn named(t: Tr, key: &'static str, href: impl Into<String>) -> Self {
        Self::new(t, key, href)
    }

    pub(crate) fn with_figure(self, figure: String) -> Self {
        self.figure(figure)
    }

    pub(crate) fn with_body(self, body: String) -> Self {
        self.body(body)
    }

    fn figure(mut self, figure: String) -> Self {
        self.figure = figure;
        self
    }

    fn body(mut self, body: String) -> Self {
        self.body = body;
        self
    }

    fn items(mut self, items: Vec<Line>) -> Self {
        self.items = items;
        self
    }
}

/// One row of HR's progress table.
pub struct ProgressLine {
    pub name: String,
    pub targets: i64,
    pub scheduled: String,
    pub held: String,
    pub approved: String,
}

/// HR's progress table of the active cycle.
pub struct Progress {
    pub caption: String,
    pub rows: Vec<ProgressLine>,
    pub total: ProgressLine,
}

/// What a role whose features come later is told.
pub struct Statement {
    pub receive: String,
    pub now: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting: String,
    cards: Vec<Card>,
    progress: Option<Progress>,
    statement: Option<Statement>,
}

async fn home(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "home-title", "/");
    let t = ctx.t;
    let role = p.role.ok_or(AppError::NeedsRole)?;
    // An executive lands on the latest released management report (issue 9).
    if role == Role::Executive {
        if let Some(page) = super::management_reports::executive_home(&state, &p, locale).await? {
            return Ok(page);
        }
    }
    let mut progress = None;
    let mut statement = None;
    let cards = match role {
        Role::Consultant => consultant(&state, &p, t).await?,
        Role::Supervisor => supervisor(&state, &p, t).await?,
        Role::Hr => {
            let (cards, table) = hr(&state, &p, t).await?;
            progress = table;
            cards
        }
        Role::Admin => admin(&state, &p, t).await?,
        Role::Employee => employee(&state, &p, t).await?,
        Role::Health => super::escalations::health_cards(&state, &p, t).await?,
        Role::Executive | Role::Boss => {
            // A boss is told how much feedback is shared with them now (issue 8).
            // (Until the guide for bosses is acknowledged no feedback is read, not even counted.)
            let now = match role {
                Role::Boss => match state.store.released_to_me(&p.ctx(), domain::consent::Purpose::BossFeedback, false).await {
                    Ok(shared) if !shared.is_empty() => t.with("home-boss-shared", "count", shared.len()),
                    Ok(_) => t.get("home-boss-now"),
                    Err(store::StoreError::GuideNotAcknowledged) => t.get("home-boss-guide-first"),
                    Err(e) => return Err(e.into()),
                },
                _ => t.get(&format!("home-{}-now", role.as_str())),
            };
            statement = Some(Statement { receive: t.get(&format!("home-{}-receive", role.as_str())), now });
            if role == Role::Boss {
                vec![super::boss_guide::home_card(&state, &p, t).await?]
            } else {
                Vec::new()
            }
        }
    };
    let mut cards = cards;
    if matches!(role, Role::Consultant | Role::Supervisor | Role::Hr) {
        cards.push(super::overall_reports::home_card(&state, &p, t).await?);
    }
    if role == Role::Hr {
        cards.push(super::management_reports::home_card(&state, &p, t).await?);
        cards.push(super::actions::hr_card(&state, &p, t).await?);
    }
    if matches!(role, Role::Consultant | Role::Supervisor | Role::Hr) {
        cards.push(super::yearly_reviews::home_card(&state, &p, t).await?);
    }
    if role == Role::Hr {
        cards.push(super::effect_reports::home_card(t));
        cards.push(super::policy_documents::home_card(&state, &p, t).await?);
    }
    if role == Role::Executive {
        cards.extend(executive_cards(&state, &p, t).await?);
    }
    if role == Role::Hr {
        cards.push(super::questionnaire_admin::home_card(t));
    }
    let greeting = t.with("home-greeting", "role", role_label(t, role));
    render(&HomePage { ctx, greeting, cards, progress, statement })
}

/// An executive's cards, on this home and on the management report they land on: the yearly
/// review, the status of the improvement actions, the effect report, the policy documents.
pub(crate) async fn executive_cards(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    Ok(vec![
        super::yearly_reviews::home_card(state, p, t).await?,
        super::actions::executive_card(state, p, t).await?,
        super::effect_reports::home_card(t),
        super::policy_documents::home_card(state, p, t).await?,
    ])
}

/// A moment in the business format of `domain::display` (`2026/12/03（木） 10:00`).
fn when(t: Tr, ms: i64) -> String {
    t.date_time(ms)
}

fn count(t: Tr, n: i64) -> String {
    t.with("home-count", "count", super::list::grouped(n))
}

fn people(t: Tr, n: i64) -> String {
    t.with("home-people", "count", super::list::grouped(n))
}

fn person(t: Tr, name: &str) -> String {
    t.with("home-person", "name", data(name))
}

/// The tenant's own data (a name, a place, a cycle's name) inside a card's text: escaped and
/// marked `lang="ja"`. A card's texts (`Card::body`, `Line::text`, `Line::meta`, the progress
/// caption and names) are HTML built from our own messages and these marked parts only.
fn data(s: &str) -> String {
    format!("<span lang=\"ja\">{}</span>", super::form::escape(s))
}

/// How long since `since`: `2日と3時間` / `2 days 3 hours` (`domain::display::duration`).
fn waiting(t: Tr, now: i64, since: i64) -> String {
    t.duration(now - since)
}

fn agenda_line(t: Tr, i: &AgendaItem, with_date: bool) -> Line {
    let when = if with_date { t.time_range(i.starts_at, i.ends_at) } else { display::hours_range(i.starts_at, i.ends_at) };
    let place = if i.place.trim().is_empty() {
        i.mode.label(t.locale).to_string()
    } else {
        format!("{}（{}）", i.mode.label(t.locale), data(&i.place))
    };
    let place = if t.locale == domain::Locale::En { place.replace('（', " (").replace('）', ")") } else { place };
    Line::new(
        format!("/interviews/{}", i.id),
        format!("{when} {}", person(t, &i.employee_name)),
        format!("{} · {place}", i.kind.label(t.locale)),
    )
}

async fn consultant(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    let me = p.acting(Ctx::as_consultant)?;
    let now = store::now_ms();
    let d = state.store.consultant_dashboard(&me, agenda(super::today_jst())).await?;
    let mut cards = Vec::new();

    let today = Card::new(t, "today", "/interviews");
    cards.push(if d.today.is_empty() {
        today.body(t.get("home-today-empty"))
    } else {
        today
            .figure(count(t, d.today.len() as i64))
            .body(t.get("home-today-body"))
            .items(d.today.iter().map(|i| agenda_line(t, i, false)).collect())
    });

    let week = Card::new(t, "week", "/interviews/calendar");
    cards.push(if d.this_week.is_empty() {
        week.body(t.get("home-week-empty"))
    } else {
        week.figure(count(t, d.this_week.len() as i64))
            .body(t.get("home-week-body"))
            .items(d.this_week.iter().map(|i| agenda_line(t, i, true)).collect())
    });

    let held = Card::new(t, "held", "/interviews");
    cards.push(if d.held_without_report == 0 {
        held.body(t.get("home-held-empty"))
    } else {
        let items = d
            .held_without_report_list
            .iter()
            .map(|h| Line {
                href: format!("/interviews/{}", h.id),
                text: person(t, &h.employee_name),
                meta: format!("{} · {}", when(t, h.starts_at), h.kind.label(t.locale)),
                start_report: Some(h.id.get()),
            })
            .collect();
        held.figure(count(t, d.held_without_report)).body(t.get("home-held-body")).items(items)
    });

    let returned = Card::new(t, "returned", "/reports?status=returned");
    cards.push(if d.returned == 0 {
        returned.body(t.get("home-returned-empty"))
    } else {
        let items = d
            .returned_list
            .iter()
            .map(|r| {
                Line::new(
                    format!("/reports/{}/edit", r.id),
                    person(t, &r.employee_name),
                    format!("{} · {}", t.with("home-returned-comments", "count", r.comments), when(t, r.updated_at)),
                )
            })
            .collect();
        returned.figure(count(t, d.returned)).body(t.get("home-returned-body")).items(items)
    });

    let drafts = Card::new(t, "drafts", "/reports?status=draft");
    cards.push(if d.drafts == 0 {
        drafts.body(t.get("home-drafts-empty"))
    } else {
        let items = d
            .drafts_list
            .iter()
            .map(|r| {
                Line::new(
                    format!("/reports/{}/edit", r.id),
                    person(t, &r.employee_name),
                    t.with("home-updated", "at", when(t, r.updated_at)),
                )
            })
            .collect();
        drafts.figure(count(t, d.drafts)).body(t.get("home-drafts-body")).items(items)
    });

    let requests = Card::new(t, "requests", "/requests");
    cards.push(match d.oldest_request_at {
        Some(oldest) if d.requests_waiting > 0 => {
            requests.figure(count(t, d.requests_waiting)).body(t.with("home-requests-body", "wait", waiting(t, now, oldest)))
        }
        _ => requests.body(t.get("home-requests-empty")),
    });
    cards.push(super::follow_ups::consultant_card(state, p, t).await?);
    Ok(cards)
}

async fn supervisor(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    let me = p.acting(Ctx::as_supervisor)?;
    let now = store::now_ms();
    let d = state.store.supervisor_dashboard(&me).await?;
    let mut cards = Vec::new();
    let queue = Card::new(t, "queue", "/review");
    cards.push(if d.queue == 0 {
        queue.body(t.get("home-queue-empty"))
    } else {
        queue.figure(count(t, d.queue)).body(t.with("home-queue-body", "count", d.assigned_to_me))
    });
    let oldest = Card::new(t, "oldest", "/review");
    cards.push(match d.oldest_submitted_at {
        Some(at) => oldest.figure(waiting(t, now, at)).body(t.with("home-oldest-body", "at", when(t, at))),
        None => oldest.body(t.get("home-queue-empty")),
    });
    let again = Card::new(t, "resubmitted", "/review");
    cards.push(if d.resubmitted == 0 {
        again.body(t.get("home-resubmitted-empty"))
    } else {
        let items = d
            .resubmitted_list
            .iter()
            .map(|w| {
                let mut meta = t.with("home-submitted-at", "at", when(t, w.submitted_at));
                if w.assigned_to_me {
                    meta = format!("{meta} · {}", t.get("home-assigned-to-me"));
                }
                Line::new(format!("/reports/{}", w.id), t.with("home-round", "round", w.round), meta)
            })
            .collect();
        again.figure(count(t, d.resubmitted)).body(t.get("home-resubmitted-body")).items(items)
    });
    // Returned reports are with their authors: there is no page of them for a supervisor to go to.
    let returned = Card::new(t, "returned_by_me", "");
    cards.push(if d.returned_by_me == 0 {
        returned.body(t.get("home-returned-by-me-empty"))
    } else {
        returned.figure(count(t, d.returned_by_me)).body(t.get("home-returned-by-me-body"))
    });
    Ok(cards)
}

/// "12名（55%）" / "12 (55%)".
fn share(t: Tr, part: i64, whole: i64) -> String {
    match percent(part, whole) {
        Some(pc) => t.with_args("home-share", &[("n", part.to_string()), ("pc", pc.to_string())]),
        None => part.to_string(),
    }
}

async fn hr(state: &AppState, p: &Principal, t: Tr) -> AppResult<(Vec<Card>, Option<Progress>)> {
    let me = p.acting(Ctx::as_hr)?;
    let d = state.store.hr_dashboard(&me).await?;
    let mut cards = Vec::new();
    let mut table = None;
    match &d.cycle {
        None => cards.push(Card::new(t, "cycle", "/cycles").body(t.get("home-cycle-empty"))),
        Some((id, name)) => {
            let href = format!("/cycles/{id}");
            let total = &d.total;
            cards.push(Card::new(t, "targets", href.clone()).figure(people(t, total.targets)).body(t.with(
                "home-targets-body",
                "cycle",
                data(name),
            )));
            let pct = |key: &'static str, n: i64| {
                let figure = match percent(n, total.targets) {
                    Some(pc) => t.with_args("home-people-share", &[("count", n.to_string()), ("pc", pc.to_string())]),
                    None => people(t, n),
                };
                Card::new(t, key, href.clone()).figure(figure).body(t.get(&format!("home-{key}-body")))
            };
            cards.push(pct("scheduled", total.scheduled));
            cards.push(pct("interviewed", total.held));
            cards.push(pct("approved", total.approved));
            let line = |r: &ProgressRow| ProgressLine {
                name: if r.consultant.is_some() { data(&r.name) } else { t.get("home-unassigned") },
                targets: r.targets,
                scheduled: share(t, r.scheduled, r.targets),
                held: share(t, r.held, r.targets),
                approved: share(t, r.approved, r.targets),
            };
            table = Some(Progress {
                caption: t.with("home-progress-caption", "cycle", data(name)),
                rows: d.consultants.iter().map(line).collect(),
                total: ProgressLine { name: t.get("home-progress-total"), ..line(total) },
            });
        }
    }
    cards.extend(hr_issue_cards(t, &state.store.hr_issue_counts(&me).await?));
    cards.push(super::follow_ups::hr_card(state, p, t).await?);
    cards.push(Card::new(t, "employees", "/employees").figure(people(t, d.employees)).body(t.get("home-employees-body")));
    Ok((cards, table))
}

/// Issue 8: the important cases shared with HR that wait for HR's answer, and the
/// organizational issues still open (counted in SQL; nothing is opened).
fn hr_issue_cards(t: Tr, c: &store::HrIssueCounts) -> Vec<Card> {
    let cases = Card::new(t, "hr_cases", "/important-cases?status=open");
    let cases = match c.cases_shared {
        None => cases.body(t.get("home-hr-cases-personnel-authority")),
        Some(0) => cases.body(t.get("home-hr-cases-empty")),
        Some(shared) if c.cases_unanswered == 0 => cases.figure(count(t, 0)).body(t.with("home-hr-cases-all-answered", "shared", shared)),
        Some(shared) => cases.figure(count(t, c.cases_unanswered)).body(t.with("home-hr-cases-body", "shared", shared)),
    };
    let open = c.issues_open + c.issues_in_progress;
    let href = if c.issues_open > 0 { "/org-issues?status=open" } else { "/org-issues" };
    let issues = Card::new(t, "hr_org_issues", href);
    let issues = if open == 0 {
        issues.body(t.get("home-hr-org-issues-empty"))
    } else {
        issues.figure(count(t, open)).body(t.with_args(
            "home-hr-org-issues-body",
            &[("open", c.issues_open.to_string()), ("in_progress", c.issues_in_progress.to_string())],
        ))
    };
    vec![cases, issues]
}

async fn admin(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    let me = p.acting(Ctx::as_admin)?;
    let d = state.store.admin_dashboard(&me).await?;
    let accounts = Card::new(t, "accounts", "/admin/users").figure(count(t, d.accounts)).body(if d.disabled == 0 {
        t.get("home-accounts-none-disabled")
    } else {
        t.with("home-accounts-disabled", "count", d.disabled)
    });
    let chain = match d.last_check {
        None => t.get("home-audit-unchecked"),
        Some(c) if c.intact => t.with_args("home-audit-intact", &[("at", when(t, c.at)), ("count", c.events.to_string())]),
        Some(c) => t.with("home-audit-broken", "at", when(t, c.at)),
    };
    let audit = Card::new(t, "audit", "/admin/audit").figure(t.with("home-audit-figure", "count", d.events)).body(chain);
    let mut backup = Card::new(t, "backup", "");
    backup = match d.last_backup_at {
        Some(at) => backup.figure(when(t, at)).body(t.get("home-backup-body")),
        None => backup.body(t.get("home-backup-empty")),
    };
    Ok(vec![accounts, audit, backup])
}

async fn employee(state: &AppState, p: &Principal, t: Tr) -> AppResult<Vec<Card>> {
    let me = p.acting(Ctx::as_employee)?;
    let d = state.store.employee_dashboard(&me, store::now_ms()).await?;
    let next = Card::new(t, "next", "/my/interviews");
    let next = match &d.next {
        Some(n) => {
            let place = if n.place.trim().is_empty() {
                n.mode.label(t.locale).to_string()
            } else {
                format!("{} · {}", n.mode.label(t.locale), data(&n.place))
            };
            next.figure(t.time_range(n.starts_at, n.ends_at))
                .body(t.with("home-next-with", "name", data(&n.consultant_name)))
                .items(vec![Line::new("/my/interviews".into(), place, t.with("home-kind", "kind", n.kind.label(t.locale)))])
        }
        None => next.body(t.get("home-next-empty")),
    };
    let requests = Card::new(t, "my_requests", "/my/interviews");
    let requests = if d.requests == 0 {
        requests.body(t.get("home-my-requests-empty"))
    } else {
        let items = d
            .requests_list
            .iter()
            .map(|r| {
                let answer = match (r.status, r.interview_at) {
                    (domain::interview::RequestStatus::Scheduled, Some(at)) => t.with("home-request-scheduled", "at", when(t, at)),
                    (s, _) => s.label(t.locale).to_string(),
                };
                let meta = match &r.consultant_name {
                    Some(name) if r.status != domain::interview::RequestStatus::Open => format!("{answer} · {}", data(name)),
                    _ => answer,
                };
                Line::new("/my/interviews".into(), t.with("home-request-sent", "at", when(t, r.created_at)), meta)
            })
            .collect();
        requests.figure(count(t, d.requests)).body(t.get("home-my-requests-body")).items(items)
    };
    // Issue 8: what a consultant asks to share, and what is shared.
    let (waiting, shared) = state.store.own_consent_counts(&me).await?;
    let consents = Card::new(t, "my_consents", "/my/consents");
    let consents = if waiting == 0 && shared == 0 {
        consents.body(t.get("home-my-consents-empty"))
    } else {
        consents.figure(count(t, waiting as i64)).body(t.with("home-my-consents-body", "shared", shared))
    };
    Ok(vec![next, requests, consents])
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Locale;

    #[test]
    fn waiting_reads_naturally_in_both_languages() {
        let (ja, en) = (Tr::new(Locale::Ja), Tr::new(Locale::En));
        let h = 3_600_000;
        assert_eq!(waiting(ja, 50 * h, 0), "2日と2時間");
        assert_eq!(waiting(en, 25 * h, 0), "1 day 1 hour");
        assert_eq!(waiting(ja, 10, 0), "1時間未満");
    }

    #[test]
    fn shares_carry_their_percentage() {
        let (ja, en) = (Tr::new(Locale::Ja), Tr::new(Locale::En));
        assert_eq!(share(ja, 127, 174), "127（73%）");
        assert_eq!(share(en, 1, 8), "1 (13%)");
        assert_eq!(share(ja, 0, 0), "0");
    }

    #[test]
    fn every_card_has_its_words_in_both_languages() {
        let keys = [
            "today",
            "week",
            "held",
            "returned",
            "drafts",
            "requests",
            "queue",
            "oldest",
            "resubmitted",
            "returned_by_me",
            "cycle",
            "targets",
            "scheduled",
            "interviewed",
            "approved",
            "employees",
            "accounts",
            "audit",
            "backup",
            "next",
            "my_requests",
            "hr_cases",
            "hr_org_issues",
        ];
        for locale in [Locale::Ja, Locale::En] {
            let t = Tr::new(locale);
            for key in keys {
                let c = Card::new(t, key, "/");
                assert!(!c.title.is_empty() && !c.title.contains("home-"), "{key} title in {locale:?}");
                assert!(!c.link.is_empty() && !c.link.contains("home-"), "{key} link in {locale:?}");
            }
        }
    }
}
