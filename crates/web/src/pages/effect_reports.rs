//! 効果把握 (`/reports/effect`): for HR and executives, how a questionnaire's scores changed
//! between before (`pre`) and after (`post`) the program in one cycle: the whole population,
//! then the tables by department, age, tenure and grade. Every figure comes from the store's
//! effect report, which decided with the anonymity engine which groups may be shown; a hidden
//! group is said as the overall report says it (「非表示（10人未満）」) and carries no figure.

use super::overall_reports::Words;
use super::{render, PageCtx};
use crate::auth::{Authed, Lang, Principal};
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use domain::effect_report::{EffectCell, EffectReport};
use domain::policy::Operation;
use domain::Locale;
use std::collections::HashMap;

const PATH: &str = "/reports/effect";
/// Hidden groups a table lists row by row; beyond this many (a register of thousands of
/// departments), they are counted in one sentence instead: they carry no figure, and the
/// JSON and CSV of the API and the command line list them all.
const HIDDEN_LISTED: usize = 30;

pub fn routes(r: Routes) -> Routes {
    r.get(PATH, Operation::ReadEffectReport, page)
}

/// One group's row.
pub struct RowView {
    pub label: String,
    pub hidden: bool,
    pub hidden_text: String,
    pub n: String,
    pub before_after: String,
    pub change: String,
    pub ci: String,
    pub p: String,
    pub d_z: String,
    pub warning: String,
}

pub struct TableView {
    pub id: String,
    pub caption: String,
    pub dim: String,
    pub rows: Vec<RowView>,
    pub all_hidden: bool,
    /// When more than [`HIDDEN_LISTED`] groups are hidden: how many were left out of `rows`.
    pub hidden_left_out: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "effect_report.html")]
struct EffectPage {
    ctx: PageCtx,
    cycles: Vec<Choice>,
    questionnaires: Vec<Choice>,
    chosen: bool,
    summary: String,
    tables: Vec<TableView>,
}

fn fixed(x: Option<f64>, places: usize) -> String {
    match x {
        Some(v) => {
            let s = format!("{v:.places$}");
            // No "-0.00".
            if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        }
        None => "—".to_string(),
    }
}

fn signed(x: Option<f64>) -> String {
    match x {
        Some(v) if v > 0.0 && fixed(Some(v), 2) != "0.00" => format!("+{}", fixed(Some(v), 2)),
        other => fixed(other, 2),
    }
}

fn p_text(x: Option<f64>) -> String {
    match x {
        Some(p) if p < 0.001 => "< 0.001".to_string(),
        other => fixed(other, 3),
    }
}

fn row(t: Tr, k: u32, label: String, c: &EffectCell) -> RowView {
    let v = c.value;
    let get = |f: fn(&domain::effect_report::EffectValue) -> Option<f64>| v.as_ref().and_then(f);
    RowView {
        label,
        hidden: c.suppressed,
        hidden_text: t.with("or-hidden", "k", k),
        n: c.n.map(|n| n.to_string()).unwrap_or_default(),
        before_after: format!("{} → {}", fixed(get(|v| v.mean_pre), 2), fixed(get(|v| v.mean_post), 2)),
        change: signed(get(|v| v.mean_change)),
        ci: match (get(|v| v.ci95_low), get(|v| v.ci95_high)) {
            (Some(lo), Some(hi)) => t.with2("ef-ci", ("low", &fixed(Some(lo), 2)), ("high", &fixed(Some(hi), 2))),
            _ => String::new(),
        },
        p: p_text(get(|v| v.wilcoxon_p)),
        d_z: fixed(get(|v| v.effect_size), 2),
        warning: c.warning.as_ref().map(|w| t.msg(w).to_string()).unwrap_or_default(),
    }
}

/// The report's tables as the page shows them.
pub fn table_views(t: Tr, r: &EffectReport) -> Vec<TableView> {
    let w = Words::new(t, HashMap::new());
    r.tables
        .iter()
        .map(|table| {
            let dim = table.by.first().copied();
            let mut rows: Vec<RowView> = table
                .cells
                .iter()
                .map(|c| {
                    let label = match dim {
                        Some(d) => w.label(&r.dimensions, d, c.group.get(&d).map_or("", |s| s.as_str())),
                        None => t.get("ef-whole"),
                    };
                    row(t, r.k, label, c)
                })
                .collect();
            let all_hidden = rows.iter().all(|r| r.hidden);
            let hidden = rows.iter().filter(|r| r.hidden).count();
            let hidden_left_out = if hidden > HIDDEN_LISTED {
                rows.retain(|r| !r.hidden);
                // "N more groups" only when some are shown above it.
                t.with(if all_hidden { "ef-hidden-all-left-out" } else { "ef-hidden-left-out" }, "count", hidden)
            } else {
                String::new()
            };
            TableView {
                id: format!("ef-{}", table.name),
                caption: match dim {
                    Some(d) => t.with("or-table-by", "dims", w.dimension(d)),
                    None => t.get("ef-table-whole"),
                },
                dim: match dim {
                    Some(d) => w.dimension(d),
                    None => t.get("or-group"),
                },
                all_hidden,
                hidden_left_out,
                rows,
            }
        })
        .collect()
}

async fn page(State(state): State<AppState>, Authed(p): Authed, Lang(locale): Lang, RawQuery(raw): RawQuery) -> AppResult<Response> {
    render_page(&state, &p, locale, raw.as_deref()).await
}

async fn render_page(state: &AppState, p: &Principal, locale: Locale, raw: Option<&str>) -> AppResult<Response> {
    let ctx = PageCtx::new(p, locale, "ef-title", PATH);
    let t = ctx.t;
    let choices = state.store.effect_report_choices(&p.ctx()).await?;
    let mut asked = (String::new(), String::new());
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "cycle" => asked.0 = v.trim().to_string(),
            "questionnaire" => asked.1 = v.trim().to_string(),
            _ => {}
        }
    }
    // The cycle asked for, or the newest.
    let cycle = choices
        .cycles
        .iter()
        .find(|(id, name)| asked.0 == id.to_string() || asked.0 == *name)
        .or(choices.cycles.first())
        .map(|(id, _)| *id);
    let questionnaire = choices
        .questionnaires
        .iter()
        .find(|(code, _, _)| *code == asked.1)
        .or(choices.questionnaires.first())
        .map(|(code, _, _)| code.clone());
    let cycles = choices
        .cycles
        .iter()
        .map(|(id, name)| Choice { value: id.to_string(), label: name.clone(), selected: Some(*id) == cycle })
        .collect();
    let questionnaires = choices
        .questionnaires
        .iter()
        .map(|(code, ja, en)| Choice {
            value: code.clone(),
            label: if locale == Locale::Ja { ja.clone() } else { en.clone() },
            selected: Some(code) == questionnaire.as_ref(),
        })
        .collect();
    let (chosen, summary, tables) = match (cycle, &questionnaire) {
        (Some(c), Some(q)) => {
            let report = state.store.effect_report(&p.ctx(), domain::ids::CycleId::new(c), q, &[]).await?;
            let summary = match report.population.n {
                Some(n) => t.with2("ef-summary", ("n", &n.to_string()), ("k", &report.k.to_string())),
                None => t.with("ef-summary-hidden", "k", report.k),
            };
            (true, summary, table_views(t, &report))
        }
        _ => (false, String::new(), Vec::new()),
    };
    render(&EffectPage { ctx, cycles, questionnaires, chosen, summary, tables })
}

/// The dashboard card on the HR and executive homes (no answer is read to draw it).
pub fn home_card(t: Tr) -> super::home::Card {
    super::home::Card {
        key: "effect_report",
        title: t.get("ef-home-title"),
        figure: String::new(),
        body: t.get("ef-home-body"),
        items: Vec::new(),
        href: PATH.to_string(),
        link: t.get("ef-home-link"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_said_plainly() {
        assert_eq!(fixed(Some(-0.0001), 2), "0.00");
        assert_eq!(signed(Some(0.256)), "+0.26");
        assert_eq!(signed(Some(-0.256)), "-0.26");
        assert_eq!(p_text(Some(0.0001)), "< 0.001");
        assert_eq!(p_text(None), "—");
    }

    /// 40 departments of one person each and one of 40: the one-person groups are hidden, and
    /// the department table counts them in a sentence instead of listing 40 empty rows; the
    /// age table, with few groups, keeps its hidden rows in place.
    #[test]
    fn many_hidden_groups_are_counted_not_listed() {
        use domain::breakdown::Department;
        use domain::effect_report::{build, EffectHeading, PairedPerson, QuestionnaireRef};
        use domain::overall_report::{CycleRef, Dimension};
        let mut departments = vec![Department { id: 1, parent: None, path: "本部".into() }];
        departments.extend((2..=42).map(|id| Department { id, parent: Some(1), path: format!("本部/課{id}") }));
        let person = |employee: i64, department: i64, birth_year: i32| PairedPerson {
            employee,
            department,
            birth_year: Some(birth_year),
            hire_date: None,
            grade: None,
            pre: 3.0,
            post: 3.0 + (employee % 3) as f64 * 0.5,
        };
        let mut people: Vec<PairedPerson> = (2..=41).map(|d| person(d, d, 1980)).collect();
        people.extend((100..140).map(|e| person(e, 42, if e < 135 { 1990 } else { 1960 })));
        let head = EffectHeading {
            tenant: "t".into(),
            cycle: CycleRef { id: 1, name: "2026".into() },
            questionnaire: QuestionnaireRef { code: "q".into(), title: "q".into(), title_en: "q".into(), scale_min: 1, scale_max: 5 },
            k: 10,
        };
        let reference = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let report = build(head, &people, &departments, reference, &[]);
        let hidden_departments =
            report.tables.iter().find(|t| t.name == "department").map_or(0, |t| t.cells.iter().filter(|c| c.suppressed).count());
        assert!(hidden_departments > HIDDEN_LISTED, "{hidden_departments} hidden departments");
        for locale in [Locale::Ja, Locale::En] {
            let views = table_views(Tr::new(locale), &report);
            let dept = views.iter().find(|v| v.id == "ef-department").map(|v| (v.rows.len(), v.hidden_left_out.clone()));
            let (shown_rows, left_out) = dept.unwrap_or_default();
            assert!(shown_rows > 0, "the shown departments stay");
            assert!(views.iter().find(|v| v.id == "ef-department").is_some_and(|v| v.rows.iter().all(|r| !r.hidden)));
            assert!(left_out.contains(&hidden_departments.to_string()), "{left_out}");
            let age = views.iter().find(|v| v.id == "ef-age");
            assert!(
                age.is_some_and(|v| v.hidden_left_out.is_empty() && v.rows.iter().any(|r| r.hidden)),
                "the age table keeps its hidden row"
            );
        }
        assert!(table_views(Tr::new(Locale::Ja), &report).iter().any(|v| v.hidden_left_out.starts_with("ほかに")));

        // Every department hidden (40 top-level departments of one person): the sentence says
        // all of them are left out, not "N more".
        let flat: Vec<Department> = (2..=41).map(|id| Department { id, parent: None, path: format!("課{id}") }).collect();
        let lone: Vec<PairedPerson> = (2..=41).map(|d| person(d, d, 1980)).collect();
        let head = EffectHeading {
            tenant: "t".into(),
            cycle: CycleRef { id: 1, name: "2026".into() },
            questionnaire: QuestionnaireRef { code: "q".into(), title: "q".into(), title_en: "q".into(), scale_min: 1, scale_max: 5 },
            k: 10,
        };
        let report = build(head, &lone, &flat, reference, &[Dimension::Department]);
        for (locale, more) in [(Locale::Ja, "ほかに"), (Locale::En, "more")] {
            let views = table_views(Tr::new(locale), &report);
            let dept = views.iter().find(|v| v.id == "ef-department");
            assert!(
                dept.is_some_and(|v| v.all_hidden
                    && v.rows.is_empty()
                    && v.hidden_left_out.contains("40")
                    && !v.hidden_left_out.contains(more)),
                "{:?}",
                dept.map(|v| v.hidden_left_out.clone())
            );
        }
    }

    #[test]
    fn the_card_has_its_words_in_both_languages() {
        for locale in [Locale::Ja, Locale::En] {
            let c = home_card(Tr::new(locale));
            assert!(!c.title.contains("ef-") && !c.body.contains("ef-") && !c.link.contains("ef-"));
        }
    }
}
