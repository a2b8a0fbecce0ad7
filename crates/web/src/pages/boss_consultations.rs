//! 上司へのコンサルテーション (R8): the consultant records a consultation with an employee's boss
//! (date, what changed before and after the interview, work performance, the support the boss
//! will give) and reads their own records back: a list (the one list pattern), a form that keeps
//! what was typed, one record, and a section on the interview page of the employee. Only the
//! consultant who recorded one reads it (`domain::policy::boss_consultation`).

use super::form::{sent_back, FormErrors, FormPairs};
use super::list::{ListParams, ListSpec, ListView, SortOption};
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path, Query};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::boss_consultation::{CHANGES, PERFORMANCE, SUPPORT};
use domain::ids::{EmployeeId, InterviewId};
use domain::policy::Operation;
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::{BossConsultationQuery, BossConsultationRow, BossConsultationSort, Ctx, Direction, NewBossConsultation, PageRequest};

const PATH: &str = "/boss-consultations";

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Operation::RecordBossConsultations, list)
        .get("/boss-consultations/new", Operation::RecordBossConsultations, new_form)
        .post(PATH, Operation::RecordBossConsultations, create)
        .get("/boss-consultations/{id}", Operation::RecordBossConsultations, show)
}

use crate::path_id::path_id as parse_id;

/// One consultation as a row of a list.
pub struct Line {
    pub id: i64,
    pub held: String,
    pub employee_number: String,
    pub employee_name: String,
    pub boss: String,
    pub interview: Option<(i64, String)>,
}

impl Line {
    fn new(t: Tr, r: BossConsultationRow) -> Self {
        Line {
            id: r.id.get(),
            held: t.date(r.held_on),
            employee_number: r.employee_number,
            employee_name: r.employee_name,
            boss: r.boss_name.unwrap_or_default(),
            interview: r.interview.map(|i| (i.get(), r.interview_at.map(|at| t.date_time(at)).unwrap_or_default())),
        }
    }
}

// ---------------------------------------------------------------- the list

static LIST: ListSpec<BossConsultationSort> = ListSpec {
    path: PATH,
    default_sort: SortOption::new("held", BossConsultationSort::Held, Direction::Desc),
    sorts: &[SortOption::new("employee", BossConsultationSort::Employee, Direction::Asc)],
    filters: &[],
    search: true,
    per_page: 50,
};

#[derive(Template)]
#[template(path = "boss_consultations.html")]
struct ListPage {
    ctx: PageCtx,
    list: ListView,
    rows: Vec<Line>,
}

async fn list(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    let ctx = PageCtx::new(&p, locale, "bc-title", PATH);
    let t = ctx.t;
    let params = ListParams::parse(&LIST, raw.as_deref());
    let q = BossConsultationQuery { employee: None, search: params.search().map(str::to_string), sort: params.sort, dir: params.dir };
    let page = state.store.boss_consultation_page(&p.acting(Ctx::as_consultant)?, &q, params.page_request()).await?;
    if let Some(last) = params.beyond_end(page.total) {
        return Ok(Redirect::to(&last).into_response());
    }
    let list = ListView::new(t, &params, page.total, page.items.len())
        .search(params.search().unwrap_or(""), "bc-search", "bc-search-help")
        .column("bc-held", Some("held"), "date")
        .column("bc-employee-number", None, "nowrap")
        .column("bc-employee", Some("employee"), "")
        .column("bc-boss", None, "")
        .column("bc-interview", None, "date")
        .empty("bc-empty", "bc-empty-filtered");
    let rows = page.items.into_iter().map(|r| Line::new(t, r)).collect();
    render(&ListPage { ctx, list, rows })
}

// ---------------------------------------------------------------- the form

/// What the consultant typed (kept when the form is sent back).
#[derive(Clone, Debug, Default)]
pub struct ConsultationForm {
    pub employee: String,
    pub interview: String,
    pub held_on: String,
    pub changes: String,
    pub performance: String,
    pub support: String,
}

impl ConsultationForm {
    fn read(f: &FormPairs) -> Self {
        ConsultationForm {
            employee: f.text("employee"),
            interview: f.text("interview"),
            held_on: f.text("held_on"),
            changes: f.text("changes"),
            performance: f.text("performance"),
            support: f.text("support"),
        }
    }

    fn interview_id(&self) -> Result<Option<InterviewId>, Invalid> {
        match self.interview.trim() {
            "" => Ok(None),
            v => v.parse::<i64>().ok().filter(|n| *n > 0).map(|n| Some(InterviewId::new(n))).ok_or_else(|| {
                Invalid::new("interview", "面談の指定が正しくありません。一覧から選んでください。", "choose the interview from the list")
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "boss_consultation_new.html")]
struct FormPage {
    ctx: PageCtx,
    form: ConsultationForm,
    interviews: Vec<Choice>,
    errors: FormErrors,
    today: String,
    changes_max: usize,
    performance_max: usize,
    support_max: usize,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    employee: Option<String>,
    interview: Option<String>,
}

async fn form_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    form: ConsultationForm,
    problems: Vec<Invalid>,
    status: StatusCode,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "bc-new-title", PATH);
    let t = ctx.t;
    let me = p.acting(Ctx::as_consultant)?;
    let mut interviews =
        vec![Choice { value: String::new(), label: t.get("bc-interview-none"), selected: form.interview.trim().is_empty() }];
    if !form.employee.trim().is_empty() {
        for (id, at, kind) in state.store.boss_consultation_interviews(&me, &form.employee).await? {
            interviews.push(Choice {
                value: id.to_string(),
                label: format!("{} {}", t.date_time(at), kind.label(locale)),
                selected: form.interview.trim() == id.to_string(),
            });
        }
    }
    let errors = FormErrors::new(t, &problems).anchored(&[
        ("employee", "bc-employee"),
        ("interview", "bc-interview"),
        ("held_on", "bc-held-on"),
        ("changes", "bc-changes"),
        ("performance", "bc-performance"),
        ("support", "bc-support"),
        ("form", "bc-employee"),
    ]);
    let page = FormPage {
        form,
        interviews,
        errors,
        today: today_jst().format("%Y-%m-%d").to_string(),
        changes_max: CHANGES.max,
        performance_max: PERFORMANCE.max,
        support_max: SUPPORT.max,
        ctx,
    };
    Ok(with_status(render(&page)?, status))
}

async fn new_form(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<NewQuery>) -> AppResult<Response> {
    let mut form = ConsultationForm { held_on: today_jst().format("%Y-%m-%d").to_string(), ..Default::default() };
    if let Some(raw) = q.interview.as_deref().filter(|s| !s.trim().is_empty()) {
        let id: InterviewId = parse_id(raw)?;
        let row = state.store.interview(&p.acting(Ctx::as_consultant)?, id).await?;
        form.employee = row.employee_number;
        form.interview = id.to_string();
    } else if let Some(number) = q.employee {
        form.employee = number.trim().chars().take(40).collect();
    }
    form_page(&state, &p, locale, form, Vec::new(), StatusCode::OK).await
}

async fn create(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let form = ConsultationForm::read(&f);
    let interview = match form.interview_id() {
        Ok(i) => i,
        Err(e) => return form_page(&state, &p, locale, form, vec![e], StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let new = NewBossConsultation {
        employee_number: form.employee.clone(),
        interview,
        held_on: form.held_on.clone(),
        changes: form.changes.clone(),
        performance: form.performance.clone(),
        support: form.support.clone(),
    };
    match state.store.record_boss_consultation(&p.acting(Ctx::as_consultant)?, &new).await {
        Ok(id) => Ok(Redirect::to(&format!("/boss-consultations/{id}?done=recorded")).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e.into())?;
            form_page(&state, &p, locale, form, problems, status).await
        }
    }
}

// ---------------------------------------------------------------- one record

#[derive(Template)]
#[template(path = "boss_consultation_show.html")]
struct ShowPage {
    ctx: PageCtx,
    notice: String,
    line: Line,
    recorded: String,
    changes: String,
    performance: String,
    support: String,
    new_same_href: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id = parse_id(&raw)?;
    let d = state.store.boss_consultation(&p.acting(Ctx::as_consultant)?, id).await?;
    let mut ctx = PageCtx::new(&p, locale, "bc-show-title", PATH);
    let t = ctx.t;
    ctx.title_data = d.row.employee_name.clone();
    let notice = if q.done.as_deref() == Some("recorded") { t.get("bc-done-recorded") } else { String::new() };
    let recorded = t.date_time(d.row.created_at);
    let mut href = url::form_urlencoded::Serializer::new(String::new());
    href.append_pair("employee", &d.row.employee_number);
    let new_same_href = format!("/boss-consultations/new?{}", href.finish());
    render(&ShowPage {
        new_same_href,
        notice,
        line: Line::new(t, d.row),
        recorded,
        changes: d.text.changes,
        performance: d.text.performance,
        support: d.text.support,
        ctx,
    })
}

// ---------------------------------------------------------------- on the interview page

/// The consultant's consultations with the boss of the interview's employee, for the
/// interview page (the newest 20), and where to record another.
pub struct InterviewSection {
    pub lines: Vec<Line>,
    /// More than the lines shown: the list has them all.
    pub more: bool,
    pub new_href: String,
}

pub async fn interview_section(
    state: &AppState,
    p: &Principal,
    t: Tr,
    employee: EmployeeId,
    interview: InterviewId,
) -> AppResult<InterviewSection> {
    let q = BossConsultationQuery { employee: Some(employee), search: None, sort: BossConsultationSort::Held, dir: Direction::Desc };
    let page = state.store.boss_consultation_page(&p.acting(Ctx::as_consultant)?, &q, PageRequest::first(20)).await?;
    Ok(InterviewSection {
        more: page.total > page.items.len() as i64,
        lines: page.items.into_iter().map(|r| Line::new(t, r)).collect(),
        new_href: format!("/boss-consultations/new?interview={interview}"),
    })
}
