//! One synthetic person: a name, a birth year fitting the grade, a plausible hire date.

use crate::names;
use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;

/// Grade codes with their Japanese titles, from the newest hire up to the president.
pub const GRADES: [(&str, &str); 8] =
    [("G1", "一般"), ("G2", "一般"), ("G3", "主任"), ("G4", "係長"), ("G5", "課長"), ("G6", "部長"), ("G7", "本部長"), ("G8", "社長")];

/// Rungs of the ladder, as indices into [`GRADES`].
pub(crate) const SECTION_HEAD: usize = 4;
pub(crate) const DEPARTMENT_HEAD: usize = 5;
pub(crate) const DIVISION_HEAD: usize = 6;
pub(crate) const PRESIDENT: usize = 7;

/// Range of `today.year() - birth_year` per grade: managers are older.
const AGES: [(i32, i32); 8] = [(23, 30), (25, 62), (28, 58), (32, 60), (38, 58), (45, 62), (50, 63), (55, 64)];

/// Hired no earlier than 1 January of the year they turn 23, so at least 22 on joining.
const HIRING_AGE: i32 = 23;

pub(crate) struct Person {
    pub name: String,
    pub kana: String,
    pub birth_year: i32,
    pub hire_date: Option<NaiveDate>,
}

/// An ordinary member's grade: mostly 一般, some 主任 and 係長.
pub(crate) fn staff_grade<R: Rng>(rng: &mut R) -> usize {
    match rng.gen::<f64>() {
        r if r < 0.28 => 0,
        r if r < 0.62 => 1,
        r if r < 0.84 => 2,
        _ => 3,
    }
}

pub(crate) fn person<R: Rng>(rng: &mut R, grade: usize, today: NaiveDate) -> Person {
    let (low, high) = AGES[grade.min(AGES.len() - 1)];
    // On 1 January nobody of 23 can have been hired yet "before today".
    let youngest = if today.ordinal() == 1 { HIRING_AGE + 1 } else { HIRING_AGE };
    let low = low.max(youngest);
    let age = rng.gen_range(low..=high.max(low));
    let birth_year = today.year() - age;
    let female = rng.gen_bool(if grade >= SECTION_HEAD { 0.15 } else { 0.38 });
    let (family, family_kana) = names::family(rng);
    let (given, given_kana) = names::given(rng, female, birth_year);
    Person {
        name: format!("{family} {given}"),
        kana: format!("{family_kana} {given_kana}"),
        birth_year,
        hire_date: hire_date(rng, birth_year, today),
    }
}

/// Most join as new graduates on 1 April; the rest mid-career on any day, always before today.
fn hire_date<R: Rng>(rng: &mut R, birth_year: i32, today: NaiveDate) -> Option<NaiveDate> {
    let earliest = NaiveDate::from_ymd_opt(birth_year + HIRING_AGE, 1, 1)?;
    let latest = today.pred_opt()?;
    if latest < earliest {
        return None;
    }
    if rng.gen_bool(0.6) {
        let april = NaiveDate::from_ymd_opt(birth_year + HIRING_AGE, 4, 1).filter(|d| *d <= latest);
        if april.is_some() {
            return april;
        }
    }
    let span = u64::try_from((latest - earliest).num_days()).unwrap_or(0);
    earliest.checked_add_days(Days::new(rng.gen_range(0..=span)))
}
