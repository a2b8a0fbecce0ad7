//! The API's JSON bodies as far as the domain reads them: any bytes that the API's
//! well-formedness check lets through (UTF-8 JSON), walked value by value, every string through
//! the domain parsers the handlers give body fields to (employee numbers, names, departments,
//! e-mail addresses, dates and times of interviews, text limits, the codes of kinds, states,
//! purposes and roles, breakdown dimensions and measures), every number through the k
//! threshold. Besides not panicking: what a parser accepts, it accepts again as it wrote it
//! (codes and canonical forms are fixed points), and accepted texts fit their limits.
//!
//! The body structs and `json_body` themselves live in the web crate, which is not built here
//! (it would instrument axum, sqlx and typst): see docs/fuzzing.md.
#![no_main]

use careerdock_fuzz::today;
use domain::consent::{ConsentDecision, ConsentMethod, Purpose};
use domain::employee::{parse_birth_year, parse_date, DepartmentPath, Email, EmployeeNumber, EmployeeStatus, NameKana, PersonName};
use domain::follow_up::FollowUpKind;
use domain::improvement_action::{ActionStatus, Evaluation};
use domain::interview::{change_status_at, correction_deadline, InterviewKind, InterviewMode, InterviewStatus, Slot};
use domain::overall_report::{Dimension, Measure};
use domain::questionnaire::Timing;
use domain::referral::{ContactKind, ReferralAction};
use domain::tenant::{KThreshold, TenantSlug};
use domain::{limits, Role};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// `parse(s)` accepted: `parse(as_str)` gives the same value back.
macro_rules! fixed_point {
    ($s:expr, $($ty:ty),*) => {$(
        if let Some(v) = <$ty>::parse($s) {
            assert_eq!(<$ty>::parse(v.as_str()), Some(v), concat!(stringify!($ty), " code is not a fixed point"));
        }
    )*};
}

fn string(s: &str, times: &mut Vec<i64>) {
    if let Ok(n) = EmployeeNumber::parse(s) {
        assert_eq!(EmployeeNumber::parse(n.as_str()).as_ref(), Ok(&n));
    }
    if let Ok(n) = PersonName::parse(s) {
        assert_eq!(PersonName::parse(n.as_str()).as_ref(), Ok(&n));
    }
    if let Ok(n) = NameKana::parse(s) {
        assert_eq!(NameKana::parse(n.as_str()).as_ref(), Ok(&n));
    }
    if let Ok(d) = DepartmentPath::parse(s) {
        assert_eq!(DepartmentPath::parse(&d.to_path_string()).as_ref(), Ok(&d));
        assert_eq!(d.ancestry().last(), Some(&d));
        assert_eq!(d.depth(), d.segments().len());
    }
    if let Ok(e) = Email::parse(s) {
        assert_eq!(Email::parse(e.as_str()).as_ref(), Ok(&e));
    }
    if let Ok(t) = TenantSlug::parse(s) {
        assert_eq!(TenantSlug::parse(t.as_str()).as_ref(), Ok(&t));
    }
    if let Ok(d) = parse_date("date", s) {
        assert_eq!(parse_date("date", &d.format("%Y-%m-%d").to_string()), Ok(d));
    }
    let _ = parse_birth_year(s, today());
    if let Ok(st) = EmployeeStatus::parse(s) {
        assert_eq!(EmployeeStatus::parse(st.as_str()), Ok(st));
    }
    for limit in limits::ALL {
        if let Ok(v) = limit.check(s) {
            assert!(limit.fits(&v), "{}: an accepted text does not fit", limit.field);
            assert_eq!(limit.check(&v).as_ref(), Ok(&v), "{}: an accepted text changes when checked again", limit.field);
        }
    }
    fixed_point!(s, Purpose, ConsentDecision, ConsentMethod, ReferralAction, ContactKind, ActionStatus, Evaluation, FollowUpKind);
    fixed_point!(s, InterviewKind, InterviewMode, InterviewStatus, Role, Timing, Dimension);
    if let Some(m) = Measure::parse(s) {
        assert_eq!(Measure::parse(&m.code()), Some(m));
    }
    // starts_at / ends_at as the API reads them.
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        times.push(t.timestamp_millis());
    }
}

fn walk(v: &Value, times: &mut Vec<i64>) {
    match v {
        Value::String(s) => string(s, times),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if let Ok(k) = domain::anonymity::check_k(i) {
                    assert_eq!(KThreshold::parse(i64::from(k)).map(|t| t.get()), Ok(k));
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, times)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            string(k, times);
            walk(v, times)
        }),
        _ => {}
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else { return };
    let mut times = Vec::new();
    walk(&v, &mut times);
    for pair in times.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        if let Ok(slot) = Slot::bookable(start, end) {
            assert!(slot.end_ms > slot.start_ms && slot.overlaps(slot));
            let _ = correction_deadline(slot.start_ms);
            for (from, to) in [(InterviewStatus::Scheduled, InterviewStatus::Held), (InterviewStatus::Held, InterviewStatus::Cancelled)] {
                let _ = change_status_at(from, to, slot.start_ms, end);
            }
        }
        let _ = domain::time::format_jst(start);
    }
});
