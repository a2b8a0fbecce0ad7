//! Questionnaires on pages: the employee answers on their own page (わたしのアンケート) and sees
//! their trajectory; the consultant enters an interviewee's paper answers from the interview and
//! sees the interviewee's trajectory. Answers go through the store's policy and audit; a form
//! sent back keeps every answer typed.

use super::form::{sent_back, FormErrors, FormPairs};
use super::{render, today_jst, with_status, Choice, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::{AppResult, Path, Query};
use crate::i18n::Tr;
use crate::path_id::path_id;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::ids::{CycleId, InterviewId};
use domain::policy::Operation;
use domain::questionnaire::{Questionnaire, Timing};
use domain::{Invalid, Locale};
use serde::Deserialize;
use store::{Ctx, CycleStatus, EnteredBy, NewAnswers, StoreError, Trajectory};

pub fn routes(r: Routes) -> Routes {
    r.get("/my/questionnaires", Operation::AnswerOwnQuestionnaires, mine)
        .post("/my/questionnaires", Operation::AnswerOwnQuestionnaires, answer_own)
        .get("/interviews/{id}/questionnaire", Operation::RecordPaperAnswers, for_interview)
        .post("/interviews/{id}/questionnaire", Operation::RecordPaperAnswers, record_paper)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
    /// The questionnaire's code; the default career-awareness questionnaire when absent.
    q: Option<String>,
}

/// The questionnaire asked for (by code; the default one when none is named) and the tenant's
/// questionnaires to choose from. An unknown code answers as a missing page.
async fn chosen(state: &AppState, ctx: &Ctx, locale: Locale, asked: Option<&str>) -> AppResult<(Questionnaire, Vec<Choice>)> {
    let asked = asked.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(code());
    let all = state.store.questionnaires(ctx).await?;
    let q = all.iter().find(|r| r.questionnaire.code() == asked).map(|r| r.questionnaire.clone()).ok_or(StoreError::NotFound)?;
    let choices = all
        .iter()
        .map(|r| Choice {
            value: r.questionnaire.code().to_string(),
            label: r.questionnaire.title().in_locale(locale).to_string(),
            selected: r.questionnaire.code() == asked,
        })
        .collect();
    Ok((q, choices))
}

/// Where a page of `path` shows questionnaire `code` (the default one needs no query).
fn page_of(path: &str, code: &str, done: bool) -> String {
    let mut query: Vec<String> = Vec::new();
    if code != self::code() {
        query.push(format!("q={}", url::form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()));
    }
    if done {
        query.push("done=answered".into());
    }
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// What was typed, kept when the form is sent back.
#[derive(Clone, Debug, Default)]
struct AnswerForm {
    cycle: String,
    timing: String,
    answered_on: String,
    /// Item code → the value typed (`""` when none).
    answers: Vec<(String, String)>,
}

impl AnswerForm {
    fn from_pairs(f: &FormPairs, q: &Questionnaire) -> Self {
        AnswerForm {
            cycle: f.text("cycle"),
            timing: f.text("timing"),
            answered_on: f.text("answered_on"),
            answers: q.items().iter().map(|i| (i.code.clone(), f.text(&format!("item-{}", i.code)))).collect(),
        }
    }

    fn value(&self, code: &str) -> &str {
        self.answers.iter().find(|(c, _)| c == code).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// The typed values as answers; a value that is not a number is said at once.
    fn parsed(&self) -> Result<Parsed, Vec<Invalid>> {
        let mut problems = Vec::new();
        let cycle = self.cycle.trim().parse::<i64>().ok().filter(|n| *n > 0).map(CycleId::new);
        if cycle.is_none() {
            problems.push(Invalid::new("cycle", "実施年度を選んでください。", "choose a cycle"));
        }
        let timing = Timing::parse(&self.timing);
        if timing.is_none() {
            problems.push(Invalid::new("timing", "時点を選んでください。", "choose when you are answering"));
        }
        let date = NaiveDate::parse_from_str(self.answered_on.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            problems.push(Invalid::new(
                "answered_on",
                "回答日を入力してください（例: 2026-05-01）。",
                "enter the answer date (e.g. 2026-05-01)",
            ));
        }
        let mut answers = Vec::with_capacity(self.answers.len());
        for (code, raw) in &self.answers {
            let raw = raw.trim();
            if raw.is_empty() {
                answers.push((code.clone(), None));
            } else if let Ok(v) = raw.parse::<i64>() {
                answers.push((code.clone(), Some(v)));
            } else {
                problems.push(Invalid::new(
                    "answers",
                    format!("設問「{code}」の回答が読めません。"),
                    format!("the answer to item \"{code}\" cannot be read"),
                ));
            }
        }
        match (cycle, timing, date, problems.is_empty()) {
            (Some(c), Some(t), Some(d), true) => Ok((c, t, d, answers)),
            _ => Err(problems),
        }
    }
}

/// A form read: cycle, timing, date and the answers by item code.
type Parsed = (CycleId, Timing, NaiveDate, Vec<(String, Option<i64>)>);

/// One item of the form, with its choices.
struct ItemView {
    code: String,
    text: String,
    choices: Vec<Choice>,
}

/// One answer set in the trajectory table.
struct PointView {
    cycle: String,
    timing: String,
    answered_on: String,
    score: String,
    subscales: Vec<String>,
    by: String,
}

struct QuestionnaireView {
    /// Its code, sent back with the answers.
    code: String,
    /// The tenant's questionnaires (a chooser when there are several).
    choices: Vec<Choice>,
    title: String,
    instructions: String,
    items: Vec<ItemView>,
    subscale_names: Vec<String>,
    cycles: Vec<Choice>,
    timings: Vec<Choice>,
    answered_on: String,
    points: Vec<PointView>,
}

fn view(
    t: Tr,
    q: &Questionnaire,
    choices: Vec<Choice>,
    trajectory: &Trajectory,
    cycles: &[store::CycleRow],
    form: &AnswerForm,
) -> QuestionnaireView {
    let locale = t.locale;
    let scale = q.scale();
    let items = q
        .items()
        .iter()
        .map(|i| ItemView {
            code: i.code.clone(),
            text: i.text.in_locale(locale).to_string(),
            choices: (scale.min..=scale.max)
                .map(|v| Choice {
                    value: v.to_string(),
                    label: scale.label(v).map(|l| format!("{v} {}", l.in_locale(locale))).unwrap_or_else(|| v.to_string()),
                    selected: form.value(&i.code) == v.to_string(),
                })
                .collect(),
        })
        .collect();
    let today = today_jst();
    let open: Vec<&store::CycleRow> = cycles.iter().filter(|c| c.status != CycleStatus::Closed).collect();
    let current = open.iter().find(|c| c.starts_on <= today && today <= c.ends_on).or(open.first()).map(|c| c.id.get().to_string());
    let chosen = if form.cycle.is_empty() { current.unwrap_or_default() } else { form.cycle.clone() };
    let cycle_choices = open
        .iter()
        .map(|c| Choice { value: c.id.get().to_string(), label: c.name.clone(), selected: c.id.get().to_string() == chosen })
        .collect();
    let has_pre = trajectory.points.iter().any(|p| p.timing == Timing::Pre && p.cycle.get().to_string() == chosen);
    let timing_chosen = if form.timing.is_empty() { if has_pre { "post" } else { "pre" }.to_string() } else { form.timing.clone() };
    let timings = Timing::ALL
        .iter()
        .map(|tm| Choice { value: tm.as_str().into(), label: tm.label(locale).into(), selected: tm.as_str() == timing_chosen })
        .collect();
    let points = trajectory
        .points
        .iter()
        .map(|p| PointView {
            cycle: p.cycle_name.clone(),
            timing: p.timing.label(locale).to_string(),
            answered_on: p.answered_on.format("%Y-%m-%d").to_string(),
            score: match (p.scored.score, p.scored.answered_mean) {
                (Some(s), _) => format!("{s:.2}"),
                (None, Some(m)) => t.with("qn-partial", "mean", format!("{m:.2}")),
                (None, None) => "—".into(),
            },
            subscales: p.scored.subscales.iter().map(|s| s.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into())).collect(),
            by: t.get(match p.entered_by {
                EnteredBy::Employee => "qn-by-employee",
                EnteredBy::Consultant => "qn-by-consultant",
                EnteredBy::Import => "qn-by-import",
            }),
        })
        .collect();
    QuestionnaireView {
        code: q.code().to_string(),
        choices,
        title: q.title().in_locale(locale).to_string(),
        instructions: q.instructions().in_locale(locale).to_string(),
        items,
        subscale_names: q.subscales().iter().map(|s| s.name.in_locale(locale).to_string()).collect(),
        cycles: cycle_choices,
        timings,
        answered_on: if form.answered_on.is_empty() { today.format("%Y-%m-%d").to_string() } else { form.answered_on.clone() },
        points,
    }
}

const ANCHORS: &[(&str, &str)] = &[
    ("cycle", "qn-cycle"),
    ("timing", "qn-timing"),
    ("answered_on", "qn-date"),
    ("answers", "qn-items"),
    ("interview", "qn-cycle"),
    ("form", "qn-cycle"),
];

fn code() -> &'static str {
    domain::questionnaire::career_awareness::CODE
}

// ---------------------------------------------------------------- the employee's own page

#[derive(Template)]
#[template(path = "my_questionnaires.html")]
struct MinePage {
    ctx: PageCtx,
    notice: String,
    linked: bool,
    q: QuestionnaireView,
    action: String,
    errors: FormErrors,
}

async fn mine_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    asked: Option<&str>,
    notice: String,
    form: AnswerForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "qn-my-title", "/my/questionnaires");
    let me = p.acting(Ctx::as_employee)?;
    let (q, choices) = chosen(state, me.ctx(), locale, asked).await?;
    let linked = p.user.employee.is_some();
    let trajectory = if linked {
        state.store.own_answer_trajectory(&me, q.code()).await?
    } else {
        Trajectory { employee: domain::ids::EmployeeId::new(0), questionnaire: q.clone(), points: Vec::new() }
    };
    let cycles = state.store.cycles(p.tenant.id).await?;
    let q = view(ctx.t, &q, choices, &trajectory, &cycles, &form);
    render(&MinePage { ctx, notice, linked, q, action: "/my/questionnaires".into(), errors })
}

async fn mine(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, Query(q): Query<DoneQuery>) -> AppResult<Response> {
    let notice = if q.done.as_deref() == Some("answered") { Tr::new(locale).get("qn-done") } else { String::new() };
    mine_page(&state, &p, locale, q.q.as_deref(), notice, AnswerForm::default(), FormErrors::none()).await
}

async fn answer_own(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, f: FormPairs) -> AppResult<Response> {
    let me = p.acting(Ctx::as_employee)?;
    let asked = f.text("questionnaire");
    let (q, _) = chosen(&state, me.ctx(), locale, Some(&asked)).await?;
    let form = AnswerForm::from_pairs(&f, &q);
    let result = match form.parsed() {
        Ok((cycle, timing, answered_on, answers)) => {
            let new = NewAnswers { questionnaire: q.code(), cycle, interview: None, timing, answered_on, answers: &answers };
            state.store.answer_own_questionnaire(&me, &new).await.map(|_| ()).map_err(Into::into)
        }
        Err(problems) => Err(StoreError::problems(problems).into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&page_of("/my/questionnaires", q.code(), true)).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(ANCHORS);
            Ok(with_status(mine_page(&state, &p, locale, Some(q.code()), String::new(), form, errors).await?, status))
        }
    }
}

// ---------------------------------------------------------------- the consultant's entry

#[derive(Template)]
#[template(path = "interview_questionnaire.html")]
struct InterviewPage {
    ctx: PageCtx,
    notice: String,
    interview: i64,
    q: QuestionnaireView,
    action: String,
    errors: FormErrors,
}

#[allow(clippy::too_many_arguments)] // the page's parts, as the other pages that redraw a form
async fn interview_page(
    state: &AppState,
    p: &Principal,
    locale: Locale,
    id: InterviewId,
    asked: Option<&str>,
    notice: String,
    form: AnswerForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let mut ctx = PageCtx::new(p, locale, "qn-interview-title", "/interviews");
    let me = p.acting(Ctx::as_consultant)?;
    let iv = state.store.interview(&me, id).await?;
    let (q, choices) = chosen(state, me.ctx(), locale, asked).await?;
    let trajectory = state.store.answer_trajectory(me.ctx(), iv.employee, q.code()).await?;
    let cycles = state.store.cycles(p.tenant.id).await?;
    let mut form = form;
    if form.cycle.is_empty() {
        form.cycle = iv.cycle.map(|c| c.get().to_string()).unwrap_or_default();
    }
    let q = view(ctx.t, &q, choices, &trajectory, &cycles, &form);
    ctx.title_data = iv.employee_name.clone();
    render(&InterviewPage { ctx, notice, interview: id.get(), q, action: format!("/interviews/{id}/questionnaire"), errors })
}

async fn for_interview(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let id: InterviewId = path_id(&raw)?;
    let notice = if q.done.as_deref() == Some("answered") { Tr::new(locale).get("qn-done-paper") } else { String::new() };
    interview_page(&state, &p, locale, id, q.q.as_deref(), notice, AnswerForm::default(), FormErrors::none()).await
}

async fn record_paper(
    State(state): State<AppState>,
    Authed(p): Authed,
    Lang(locale): Lang,
    Path(raw): Path<String>,
    f: FormPairs,
) -> AppResult<Response> {
    let id: InterviewId = path_id(&raw)?;
    let me = p.acting(Ctx::as_consultant)?;
    let iv = state.store.interview(&me, id).await?;
    let asked = f.text("questionnaire");
    let (q, _) = chosen(&state, me.ctx(), locale, Some(&asked)).await?;
    let mut form = AnswerForm::from_pairs(&f, &q);
    if form.cycle.is_empty() {
        form.cycle = iv.cycle.map(|c| c.get().to_string()).unwrap_or_default();
    }
    let result = match form.parsed() {
        Ok((cycle, timing, answered_on, answers)) => {
            let new = NewAnswers { questionnaire: q.code(), cycle, interview: Some(id), timing, answered_on, answers: &answers };
            state.store.record_paper_answers(&me, iv.employee, &new).await.map(|_| ()).map_err(Into::into)
        }
        Err(problems) => Err(StoreError::problems(problems).into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&page_of(&format!("/interviews/{id}/questionnaire"), q.code(), true)).into_response()),
        Err(e) => {
            let (status, problems) = sent_back(e)?;
            let errors = FormErrors::new(Tr::new(locale), &problems).anchored(ANCHORS);
            Ok(with_status(interview_page(&state, &p, locale, id, Some(q.code()), String::new(), form, errors).await?, status))
        }
    }
}
