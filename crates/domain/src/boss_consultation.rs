//! 上司へのコンサルテーション (R8): the consultant meets an employee's boss and records when, what
//! changed in the employee before and after the interview, how their work is going, and the
//! support the boss will give. The record is the consultant's own (sealed; see
//! `policy::boss_consultation` for who reads it): never shown to HR, the boss or the employee.

use crate::limits::TextLimit;
use crate::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What changed in the employee before and after the interview, as the boss saw it.
pub const CHANGES: TextLimit = TextLimit {
    field: "changes",
    max: 5_000,
    label_ja: "面談前後の変化",
    label_en: "the changes before and after the interview",
    one_line: false,
};
/// How the employee's work is going.
pub const PERFORMANCE: TextLimit =
    TextLimit { field: "performance", max: 5_000, label_ja: "業務遂行の状況", label_en: "the work performance", one_line: false };
/// The support the boss will give.
pub const SUPPORT: TextLimit =
    TextLimit {
        field: "support", max: 5_000, label_ja: "上司が行う支援", label_en: "the support the boss will give", one_line: false
    };

/// How far back a consultation may be dated, in days (a typo such as 2002 for 2026 is refused).
pub const MAX_AGE_DAYS: i64 = 2 * 366;

/// The sealed part of a boss consultation (stored as one sealed JSON value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationText {
    pub changes: String,
    pub performance: String,
    pub support: String,
}

/// A consultation as typed, checked whole against `today` (Japan): the date (required, not in
/// the future, not older than [`MAX_AGE_DAYS`]) and the three texts (each within its limit; at
/// least one written). Every problem at once, or the date and the texts as kept.
pub fn check_consultation(
    held_on: &str,
    today: NaiveDate,
    changes: &str,
    performance: &str,
    support: &str,
) -> Result<(NaiveDate, ConsultationText), Vec<Invalid>> {
    let mut problems = Vec::new();
    let date = match NaiveDate::parse_from_str(held_on.trim(), "%Y-%m-%d") {
        Err(_) if held_on.trim().is_empty() => {
            problems.push(Invalid::new("held_on", "実施日を入力してください。", "enter the date of the consultation"));
            None
        }
        Err(_) => {
            problems.push(Invalid::new(
                "held_on",
                "実施日は「2026-04-01」の形式で入力してください。",
                "give the date as YYYY-MM-DD (for example 2026-04-01)",
            ));
            None
        }
        Ok(d) if d > today => {
            problems.push(Invalid::new(
                "held_on",
                "実施日に未来の日付は指定できません。実施した後に記録してください。",
                "the date cannot be in the future; record the consultation once it has taken place",
            ));
            None
        }
        Ok(d) if (today - d).num_days() > MAX_AGE_DAYS => {
            problems.push(Invalid::new(
                "held_on",
                "実施日が2年以上前になっています。日付をご確認ください。",
                "the date is more than two years ago; check the year",
            ));
            None
        }
        Ok(d) => Some(d),
    };
    let mut text = |limit: TextLimit, value: &str| limit.check(value).map_err(|e| problems.push(e)).unwrap_or_default();
    let t =
        ConsultationText { changes: text(CHANGES, changes), performance: text(PERFORMANCE, performance), support: text(SUPPORT, support) };
    let all_blank = [changes, performance, support].iter().all(|v| v.trim().is_empty());
    if all_blank {
        problems.push(Invalid::new(
            "changes",
            "面談前後の変化・業務遂行の状況・上司が行う支援のうち、少なくとも1つを入力してください。",
            "write at least one of: the changes, the work performance, the support",
        ));
    }
    match date {
        Some(d) if problems.is_empty() => Ok((d, t)),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
    }

    fn fields(date: &str, c: &str, p: &str, s: &str) -> Vec<&'static str> {
        check_consultation(date, today(), c, p, s).err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_consultation_is_checked_whole() {
        assert_eq!(fields("", "", "", ""), vec!["held_on", "changes"]);
        assert_eq!(fields("2026/12/01", &"x".repeat(5_001), "", ""), vec!["held_on", "changes"]);
        assert_eq!(fields("2026-12-04", "", "", "支援"), vec!["held_on"]);
        assert_eq!(fields("2024-11-30", "", "良好", ""), vec!["held_on"]);
        assert_eq!(fields("2024-12-03", "", "良好", ""), Vec::<&str>::new());
        assert_eq!(fields("2026-12-03", "", "", &"x".repeat(5_001)), vec!["support"]);
        let (d, t) = check_consultation(" 2026-12-03 ", today(), " 前向きになった ", "", "1on1を月1回").unwrap_or_default();
        assert_eq!(d, today());
        assert_eq!(t, ConsultationText { changes: "前向きになった".into(), performance: String::new(), support: "1on1を月1回".into() });
    }

    #[test]
    fn the_sealed_value_round_trips_as_json() {
        let t = ConsultationText { changes: "a\n\"b\"".into(), performance: "業務".into(), support: String::new() };
        let json = serde_json::to_string(&t).unwrap_or_default();
        assert_eq!(serde_json::from_str::<ConsultationText>(&json).ok(), Some(t));
    }

    #[test]
    fn messages_are_in_both_languages() {
        for e in check_consultation("x", today(), "", "", "").err().unwrap_or_default() {
            assert!(!e.message.ja.is_empty() && !e.message.en.is_empty() && e.message.ja != e.message.en);
        }
    }
}
