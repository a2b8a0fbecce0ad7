use super::*;
use crate::generate_company;
use domain::report::DEFAULT_TAGS;
use std::collections::{HashMap, HashSet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn demo(n: usize, seed: u64) -> (Company, History) {
    let company = generate_company(n, seed, today());
    let history = generate_history(&company, seed, today(), 3);
    (company, history)
}

#[test]
fn the_same_seed_gives_the_same_history() {
    let (_, a) = demo(1200, 7);
    let (_, b) = demo(1200, 7);
    assert_eq!(a, b);
    let company = generate_company(1200, 7, today());
    assert_ne!(a, generate_history(&company, 8, today(), 3));
}

#[test]
fn every_cycle_keeps_a_rule_the_product_accepts() {
    for ms in RULES {
        let rule = TargetRule { age_milestones: ms.to_vec(), ..TargetRule::default() };
        assert_eq!(rule.validate(&[]), Ok(()), "{ms:?}");
    }
    let (company, h) = demo(1200, 1);
    let departments: Vec<String> = company.departments.iter().map(|d| d.to_path_string()).collect();
    for c in &h.cycles {
        assert_eq!(c.rule.validate(&departments), Ok(()), "{}", c.name);
        assert_eq!(domain::cycle::validate_cycle(&c.name, c.starts_on, c.ends_on), Ok(()), "{}", c.name);
    }
}

#[test]
fn three_years_two_closed_and_the_current_one_active() {
    let (company, h) = demo(1200, 1);
    let years: Vec<i32> = h.cycles.iter().map(|c| c.fiscal_year).collect();
    assert_eq!(years, vec![2024, 2025, 2026]);
    let states: Vec<CycleState> = h.cycles.iter().map(|c| c.state).collect();
    assert_eq!(states, vec![CycleState::Closed, CycleState::Closed, CycleState::Active]);
    assert_eq!(h.cycles[2].name, "2026年度 セルフ・キャリアドック");
    for c in &h.cycles {
        assert!(c.created_at < jst_ms(c.starts_on, 0, 0));
        let mut seen = HashSet::new();
        for t in &c.targets {
            assert!(seen.insert(t.employee), "{} targeted twice", t.employee);
            assert!(t.consultant < 3);
            assert!(!t.reason.is_empty());
        }
    }
    // The demo employee is a target this year and has an appointment coming.
    let demo = company.employees.iter().position(|e| e.number == company.employee_user_employee).unwrap();
    assert!(h.cycles[2].targets.iter().any(|t| t.employee == demo));
    let now = jst_ms(today(), 0, 0);
    assert!(h.interviews.iter().any(|i| i.employee == demo && i.status == InterviewStatus::Scheduled && i.starts_at > now));
    assert!(h.requests.iter().any(|r| r.employee == demo && r.status == RequestStatus::Open));
}

#[test]
fn targets_are_about_fifteen_percent_per_year() {
    for n in [1200, 5000] {
        let (company, h) = demo(n, 3);
        for c in &h.cycles {
            let current = c.state == CycleState::Active;
            let eligible = company
                .employees
                .iter()
                .filter(|e| e.hire_date.is_none_or(|d| d <= if current { today() } else { c.starts_on }))
                .filter(|e| !current || e.status == EmployeeStatus::Active)
                .count();
            let share = c.targets.len() as f64 / eligible as f64;
            assert!((0.13..=0.17).contains(&share), "n={n} {}: {share:.3}", c.name);
            let by_rule = c.targets.iter().filter(|t| t.reason.contains("age_milestone")).count();
            assert!(by_rule * 2 > c.targets.len(), "{}: mostly chosen by the age rule ({by_rule})", c.name);
        }
    }
}

#[test]
fn every_status_is_present_at_1200() {
    let (_, h) = demo(1200, 20261125);
    let statuses: HashSet<InterviewStatus> = h.interviews.iter().map(|i| i.status).collect();
    for s in InterviewStatus::ALL {
        assert!(statuses.contains(s), "no {s:?} interview");
    }
    let kinds: HashSet<InterviewKind> = h.interviews.iter().map(|i| i.kind).collect();
    assert_eq!(kinds.len(), 3);
    let current = h.cycles.len() - 1;
    let report_statuses: HashSet<ReportStatus> =
        h.reports.iter().filter(|r| h.interviews[r.interview].cycle == Some(current)).map(|r| r.status).collect();
    for s in ReportStatus::ALL {
        assert!(report_statuses.contains(&s), "no {s:?} report this year");
    }
    let requests: HashSet<RequestStatus> = h.requests.iter().map(|r| r.status).collect();
    assert_eq!(requests.len(), 3, "{requests:?}");
    // Closed years: mostly held, mostly approved.
    for c in 0..current {
        let ivs: Vec<&InterviewSpec> = h.interviews.iter().filter(|i| i.cycle == Some(c)).collect();
        let held = ivs.iter().filter(|i| i.status == InterviewStatus::Held).count();
        assert!(held * 10 > ivs.len() * 8, "{held} of {}", ivs.len());
        assert!(ivs.iter().all(|i| i.status != InterviewStatus::Scheduled));
        let reports: Vec<&ReportSpec> = h.reports.iter().filter(|r| h.interviews[r.interview].cycle == Some(c)).collect();
        let approved = reports.iter().filter(|r| r.status == ReportStatus::Approved).count();
        assert!(approved * 10 > reports.len() * 9, "{approved} of {}", reports.len());
        assert!(reports.iter().any(|r| r.status == ReportStatus::Approved && r.round > 1), "a returned-then-approved history");
    }
    assert!(h.reports.iter().any(|r| r.flags.life_safety));
    let org = h.reports.iter().filter(|r| r.flags.organizational_response).count() as f64 / h.reports.len() as f64;
    assert!((0.05..=0.16).contains(&org), "{org}");
}

#[test]
fn interviews_never_overlap_and_keep_office_hours() {
    for (n, seed) in [(1200, 1), (1200, 2), (8000, 3)] {
        let (_, h) = demo(n, seed);
        let now = jst_ms(today(), 0, 0);
        let mut by_consultant: HashMap<usize, Vec<&InterviewSpec>> = HashMap::new();
        for i in &h.interviews {
            assert_eq!(i.ends_at - i.starts_at, INTERVIEW_MINUTES * 60_000);
            let start = chrono::DateTime::from_timestamp_millis(i.starts_at + 9 * 3_600_000).unwrap().naive_utc();
            assert!(!matches!(start.weekday(), Weekday::Sat | Weekday::Sun), "{start}");
            assert!((9..=17).contains(&chrono::Timelike::hour(&start)), "{start}");
            assert!(i.created_at <= i.updated_at && i.created_at <= now && i.updated_at <= now, "{i:?}");
            match i.status {
                InterviewStatus::Scheduled => {
                    assert!(i.starts_at > now && i.starts_at < now + 30 * DAY);
                    assert!(i.created_at < i.starts_at);
                }
                InterviewStatus::Held | InterviewStatus::NoShow => assert!(i.ends_at <= now),
                InterviewStatus::Cancelled => assert!(!i.status_note.is_empty()),
            }
            match i.mode {
                InterviewMode::Online => assert!(i.place.starts_with("https://meet.example.jp/"), "{}", i.place),
                InterviewMode::InPerson => assert!(!i.place.contains("://")),
            }
            by_consultant.entry(i.consultant).or_default().push(i);
        }
        for (c, mut list) in by_consultant {
            list.sort_by_key(|i| i.starts_at);
            for w in list.windows(2) {
                assert!(w[0].ends_at <= w[1].starts_at, "consultant {c}: {:?} overlaps {:?}", w[0], w[1]);
            }
        }
        // Nobody is in two places at once either.
        let mut by_employee: HashMap<usize, Vec<&InterviewSpec>> = HashMap::new();
        for i in &h.interviews {
            by_employee.entry(i.employee).or_default().push(i);
        }
        for list in by_employee.values_mut() {
            list.sort_by_key(|i| i.starts_at);
            assert!(list.windows(2).all(|w| w[0].ends_at <= w[1].starts_at));
        }
    }
}

#[test]
fn reports_follow_their_interviews_and_reviews() {
    let (_, h) = demo(1200, 5);
    let now = jst_ms(today(), 0, 0);
    let codes: HashSet<&str> = DEFAULT_TAGS.iter().map(|t| t.0).collect();
    let mut per_interview = HashSet::new();
    for r in &h.reports {
        assert!(per_interview.insert(r.interview), "one report per interview");
        let iv = &h.interviews[r.interview];
        assert_eq!(iv.status, InterviewStatus::Held);
        assert!(iv.ends_at < r.created_at && r.created_at <= r.updated_at && r.updated_at < now);
        assert!((1..=3).contains(&r.tags.len()) && r.tags.iter().all(|t| codes.contains(t)), "{:?}", r.tags);
        assert!(r.sections.validate(true).is_ok());
        let returns = r.reviews.iter().filter(|v| v.decision == ReportStatus::Returned).count() as i64;
        assert_eq!(r.round, 1 + returns);
        for v in &r.reviews {
            assert!(v.scores.iter().all(|s| (2..=4).contains(&s.1)) && v.scores.len() == DEFAULT_RUBRIC.len());
            if v.decision == ReportStatus::Returned {
                assert!(!v.comments.is_empty());
            }
            assert!(v.comments.iter().all(|c| c.0 == "general" || domain::report::SECTIONS.contains(&c.0)));
        }
        match r.status {
            ReportStatus::Draft => assert!(r.submitted_at.is_none() && r.reviews.is_empty()),
            ReportStatus::Submitted => assert!(r.submitted_at.is_some() && r.approved_at.is_none()),
            ReportStatus::Returned => assert!(r.reviews.last().is_some_and(|v| v.decision == ReportStatus::Returned)),
            ReportStatus::Approved => {
                assert!(r.reviews.last().is_some_and(|v| v.decision == ReportStatus::Approved));
                assert_eq!(r.approved_at, r.reviews.last().map(|v| v.at));
            }
        }
        if r.flags.life_safety {
            assert!(r.tags.contains(&"health") && r.sections.next_steps.contains("保健師"));
        }
        if r.flags.organizational_response {
            assert!(r.sections.next_steps.contains("組織的な対応"));
        }
    }
    let notes = h.interviews.iter().filter(|i| i.note.is_some()).count();
    let held = h.interviews.iter().filter(|i| i.status == InterviewStatus::Held).count();
    assert!(notes * 10 > held * 7 && h.interviews.iter().all(|i| i.note.is_none() || i.status == InterviewStatus::Held));
    for r in &h.requests {
        match r.status {
            RequestStatus::Scheduled => {
                let iv = &h.interviews[r.interview.unwrap()];
                assert_eq!(
                    (iv.kind, iv.status, iv.employee, Some(iv.consultant)),
                    (InterviewKind::Additional, InterviewStatus::Scheduled, r.employee, r.consultant)
                );
            }
            RequestStatus::Declined => assert!(r.reply.is_some() && r.consultant.is_some()),
            RequestStatus::Open => assert!(r.interview.is_none() && r.reply.is_none()),
        }
        assert!(r.created_at <= r.updated_at && r.updated_at < now);
    }
}

/// The name forms a pseudonymizer has to catch, for the person and their boss.
fn name_forms(company: &Company, employee: usize) -> Vec<String> {
    let e = &company.employees[employee];
    let (family, given) = split_name(e.name.as_str());
    let mut forms = vec![format!("{family} {given}"), format!("{family}{given}"), format!("{family}さん")];
    if given.chars().count() >= 2 {
        forms.extend([format!("{given}さん"), format!("{given}くん")]);
    }
    if let Some(k) = &e.name_kana {
        forms.push(format!("{}さん", split_name(k.as_str()).0));
    }
    if let Some(boss) = &e.boss_number {
        let b = company.employees.iter().find(|x| &x.number == boss).unwrap();
        let (bf, _) = split_name(b.name.as_str());
        forms.push(format!("{bf}さん"));
        if let Some(t) = b.grade.as_deref().and_then(title) {
            forms.push(format!("{bf}{t}"));
        }
    }
    forms
}

#[test]
fn many_reports_name_the_person_or_the_boss() {
    let (company, h) = demo(1200, 11);
    let mut named = 0;
    let mut kana = 0;
    let mut titled = 0;
    for r in &h.reports {
        let e = h.interviews[r.interview].employee;
        let all = all_text(&r.sections);
        if name_forms(&company, e).iter().any(|f| all.contains(f.as_str())) {
            named += 1;
        }
        if let Some(k) = &company.employees[e].name_kana {
            kana += usize::from(all.contains(&format!("{}さん", split_name(k.as_str()).0)));
        }
        titled += usize::from(["課長", "部長", "本部長"].iter().any(|t| all.contains(t)));
    }
    let share = named as f64 / h.reports.len() as f64;
    assert!(share >= 0.4, "{named} of {} reports name someone", h.reports.len());
    assert!(kana > 0 && titled > 0, "kana {kana}, titles {titled}");
}

fn all_text(s: &ReportSections) -> String {
    [&s.career_awareness, &s.workplace, &s.organization, &s.support_plan, &s.next_steps].map(|x| x.as_str()).concat()
}

#[test]
fn sentences_vary_from_report_to_report() {
    let (_, h) = demo(1200, 13);
    let mut seen_in: HashMap<String, usize> = HashMap::new();
    for r in &h.reports {
        let all = all_text(&r.sections);
        assert!(!all.contains('{') && !all.contains('}'), "unfilled token in {all}");
        let listed: Vec<&str> = all.split('。').map(str::trim).filter(|s| !s.is_empty()).collect();
        let sentences: HashSet<&str> = listed.iter().copied().collect();
        assert_eq!(sentences.len(), listed.len(), "a sentence repeats in {all}");
        for s in sentences {
            *seen_in.entry(s.to_string()).or_default() += 1;
        }
        for section in domain::report::SECTIONS {
            let n = r.sections.get(section).unwrap_or("").matches('。').count();
            assert!((2..=6).contains(&n), "{section} has {n} sentences: {}", r.sections.get(section).unwrap_or(""));
        }
    }
    let (most, count) = seen_in.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(seen_in.len() >= 400, "only {} distinct sentences", seen_in.len());
    assert!(*count * 4 < h.reports.len(), "「{most}」 is in {count} of {} reports", h.reports.len());
    let texts: HashSet<String> = h.reports.iter().map(|r| all_text(&r.sections)).collect();
    assert_eq!(texts.len(), h.reports.len(), "no two reports alike");
    for t in text::all_templates() {
        assert!(t.ends_with('。'), "{t}");
    }
}

#[test]
fn small_and_empty_companies_work() {
    for n in [0, 1, 2, 5, 12, 40] {
        let company = generate_company(n, 1, today());
        let h = generate_history(&company, 1, today(), 3);
        assert_eq!(h.cycles.len(), 3);
        let none = generate_history(&company, 1, today(), 0);
        assert!(none.interviews.is_empty() && none.cycles.iter().all(|c| c.targets.is_empty()));
    }
    // Any day of the year: the start of the fiscal year, its end, a weekend.
    let company = generate_company(600, 2, today());
    for day in [(2026, 4, 1), (2026, 4, 2), (2027, 3, 31), (2026, 12, 31), (2026, 8, 15)] {
        let d = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
        let h = generate_history(&company, 2, d, 3);
        assert!(h.interviews.iter().any(|i| i.status == InterviewStatus::Scheduled), "{d}");
        assert!(h.reports.iter().any(|r| r.status == ReportStatus::Approved), "{d}");
    }
}
