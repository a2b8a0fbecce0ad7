//! Improvement actions (改善施策, R10): what the company does about an organizational issue or a
//! finding of a released overall report, who owns it, by when, how it went, and whether it worked.
//!
//! Pure rules: the status machine ([`ActionStatus::can_move_to`]), the overdue rule
//! ([`is_overdue`]), what a new action, a progress note and an evaluation must hold.

use crate::limits::TextLimit;
use crate::Invalid;
use chrono::NaiveDate;

/// Where an action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionStatus {
    /// Decided, not started.
    Planned,
    /// Being carried out.
    InProgress,
    /// Carried out.
    Done,
    /// Given up (the reason goes in a progress note).
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [ActionStatus::Planned, ActionStatus::InProgress, ActionStatus::Done, ActionStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether nothing more is done about it (done or cancelled).
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Cancelled)
    }

    /// The moves allowed: planned → in progress → done; planned or in progress → cancelled;
    /// a done or cancelled action is reopened to in progress (a correction). Staying put is no move.
    pub fn can_move_to(self, to: ActionStatus) -> bool {
        use ActionStatus as S;
        matches!(
            (self, to),
            (S::Planned, S::InProgress)
                | (S::Planned, S::Done)
                | (S::InProgress, S::Done)
                | (S::Planned, S::Cancelled)
                | (S::InProgress, S::Cancelled)
                | (S::Done, S::InProgress)
                | (S::Cancelled, S::Planned)
        )
    }

    /// The statuses this one may move to, in the vocabulary's order.
    pub fn next(self) -> Vec<ActionStatus> {
        ActionStatus::ALL.into_iter().filter(|s| self.can_move_to(*s)).collect()
    }
}

/// The evaluation after the fact (事後評価).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Evaluation {
    Effective,
    Partly,
    NotEffective,
}

impl Evaluation {
    pub const ALL: [Evaluation; 3] = [Evaluation::Effective, Evaluation::Partly, Evaluation::NotEffective];

    pub fn as_str(self) -> &'static str {
        match self {
            Evaluation::Effective => "effective",
            Evaluation::Partly => "partly",
            Evaluation::NotEffective => "not_effective",
        }
    }

    pub fn parse(s: &str) -> Option<Evaluation> {
        Evaluation::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// An action is overdue when its due date has passed (the day after it, in Japan) and it is
/// neither done nor cancelled.
pub fn is_overdue(due_on: NaiveDate, status: ActionStatus, today: NaiveDate) -> bool {
    !status.is_closed() && due_on < today
}

pub const ACTION_TITLE: TextLimit = TextLimit { field: "title", max: 100, label_ja: "施策名", label_en: "the title", one_line: true };
pub const ACTION_OWNER: TextLimit = TextLimit { field: "owner", max: 60, label_ja: "担当", label_en: "the owner", one_line: true };
pub const ACTION_EVIDENCE: TextLimit =
    TextLimit { field: "evidence", max: 4_000, label_ja: "根拠資料", label_en: "the evidence", one_line: false };
pub const ACTION_NOTE: TextLimit =
    TextLimit { field: "note", max: 2_000, label_ja: "進捗メモ", label_en: "the progress note", one_line: false };
pub const ACTION_COMMENT: TextLimit =
    TextLimit { field: "comment", max: 2_000, label_ja: "評価のコメント", label_en: "the comment", one_line: false };

/// Every limit of this module (the pages' `maxlength` take the same numbers).
pub const LIMITS: [TextLimit; 5] = [ACTION_TITLE, ACTION_OWNER, ACTION_EVIDENCE, ACTION_NOTE, ACTION_COMMENT];

/// A new action as checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAction {
    pub title: String,
    /// A department or a person's name as text (an HR account is named by `owner_user`).
    pub owner: String,
    pub due_on: NaiveDate,
}

fn text(limit: TextLimit, value: &str, needed: bool, problems: &mut Vec<Invalid>) -> String {
    match limit.check(value) {
        Ok(v) if v.is_empty() && needed => {
            problems.push(Invalid::new(
                limit.field,
                format!("{}を入力してください。", limit.label_ja),
                format!("Enter {}", limit.label_en),
            ));
            v
        }
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            value.trim().to_string()
        }
    }
}

fn day(field: &'static str, label_ja: &str, label_en: &str, raw: &str, problems: &mut Vec<Invalid>) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        problems.push(Invalid::new(field, format!("{label_ja}を入力してください。"), format!("Enter {label_en}")));
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            problems.push(Invalid::new(
                field,
                format!("{label_ja}は「2026-04-01」の形式で入力してください。"),
                format!("Give {label_en} as YYYY-MM-DD (for example 2026-04-01)"),
            ));
            None
        }
    }
}

/// A new action as typed (the owner either an account, `owner_is_user`, or text), or every
/// problem at once.
pub fn check_new_action(title: &str, owner: &str, owner_is_user: bool, due_on: &str) -> Result<NewAction, Vec<Invalid>> {
    let mut problems = Vec::new();
    let title = text(ACTION_TITLE, title, true, &mut problems);
    let owner = text(ACTION_OWNER, owner, !owner_is_user, &mut problems);
    let due = day("due_on", "期限", "the due date", due_on, &mut problems);
    match (problems.is_empty(), due) {
        (true, Some(due_on)) => Ok(NewAction { title, owner, due_on }),
        _ => Err(problems),
    }
}

/// A progress note as typed, or why not: the text (required) and its date, not in the future.
pub fn check_note(note: &str, noted_on: &str, today: NaiveDate) -> Result<(String, NaiveDate), Vec<Invalid>> {
    let mut problems = Vec::new();
    let note = text(ACTION_NOTE, note, true, &mut problems);
    let on = day("noted_on", "日付", "the date", noted_on, &mut problems);
    if on.is_some_and(|d| d > today) {
        problems.push(Invalid::new("noted_on", "日付に未来の日付は指定できません。", "The date cannot be in the future"));
    }
    match (problems.is_empty(), on) {
        (true, Some(on)) => Ok((note, on)),
        _ => Err(problems),
    }
}

/// The evidence (text and links, one a line) as typed.
pub fn check_evidence(evidence: &str) -> Result<String, Vec<Invalid>> {
    let mut problems = Vec::new();
    let e = text(ACTION_EVIDENCE, evidence, false, &mut problems);
    if problems.is_empty() {
        Ok(e)
    } else {
        Err(problems)
    }
}

/// The evaluation after the fact, or why not: only of a done action, with a result chosen.
pub fn check_evaluation(status: ActionStatus, result: &str, comment: &str) -> Result<(Evaluation, String), Vec<Invalid>> {
    let mut problems = Vec::new();
    let parsed = Evaluation::parse(result.trim());
    if parsed.is_none() {
        problems.push(Invalid::new("result", "評価を選んでください。", "Choose an evaluation"));
    }
    let comment = text(ACTION_COMMENT, comment, false, &mut problems);
    if status != ActionStatus::Done {
        problems.push(Invalid::new(
            "result",
            "評価は施策が完了してから記録してください。",
            "Record the evaluation once the action is done",
        ));
    }
    match (problems.is_empty(), parsed) {
        (true, Some(e)) => Ok((e, comment)),
        _ => Err(problems),
    }
}

/// The lines of evidence that are links (http or https), for the page to make clickable; the
/// others are shown as text.
pub fn evidence_link(line: &str) -> Option<&str> {
    let l = line.trim();
    let scheme = l.starts_with("https://") || l.starts_with("http://");
    (scheme && !l.contains(char::is_whitespace) && !l.contains(['"', '<', '>', '\'', '`'])).then_some(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap_or_default()
    }

    #[test]
    fn statuses_round_trip() {
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
        for e in Evaluation::ALL {
            assert_eq!(Evaluation::parse(e.as_str()), Some(e));
        }
        assert_eq!(ActionStatus::parse("open"), None);
    }

    #[test]
    fn the_state_machine() {
        use ActionStatus as S;
        assert!(S::Planned.can_move_to(S::InProgress));
        assert!(S::InProgress.can_move_to(S::Done));
        assert!(S::InProgress.can_move_to(S::Cancelled));
        assert!(!S::Done.can_move_to(S::Cancelled));
        assert!(!S::Cancelled.can_move_to(S::Done));
        assert!(!S::Done.can_move_to(S::Planned));
        for s in S::ALL {
            assert!(!s.can_move_to(s), "{s:?}");
        }
        assert_eq!(S::Planned.next(), vec![S::InProgress, S::Done, S::Cancelled]);
    }

    #[test]
    fn overdue_is_after_the_due_day_and_not_closed() {
        let due = d(2026, 6, 30);
        assert!(!is_overdue(due, ActionStatus::InProgress, d(2026, 6, 30)), "the due day itself is not late");
        assert!(is_overdue(due, ActionStatus::InProgress, d(2026, 7, 1)));
        assert!(is_overdue(due, ActionStatus::Planned, d(2026, 7, 1)));
        assert!(!is_overdue(due, ActionStatus::Done, d(2027, 1, 1)));
        assert!(!is_overdue(due, ActionStatus::Cancelled, d(2027, 1, 1)));
    }

    #[test]
    fn a_new_action_reports_every_problem_in_japanese() {
        let e = check_new_action("", "", false, "6/30").unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["title", "owner", "due_on"]);
        assert!(e[2].message.ja.contains("2026-04-01"));
        let ok = check_new_action(" 1on1研修 ", "", true, "2026-06-30").unwrap_or_else(|_| unreachable!());
        assert_eq!(ok.title, "1on1研修");
        assert_eq!(ok.due_on, d(2026, 6, 30));
    }

    #[test]
    fn notes_and_evaluations() {
        assert!(check_note("研修を実施", "2026-05-01", d(2026, 5, 1)).is_ok());
        assert_eq!(check_note("x", "2026-05-02", d(2026, 5, 1)).unwrap_err()[0].field, "noted_on");
        assert_eq!(check_note("", "", d(2026, 5, 1)).unwrap_err().len(), 2);
        assert!(check_evaluation(ActionStatus::Done, "partly", "").is_ok());
        assert!(check_evaluation(ActionStatus::InProgress, "partly", "").is_err());
        assert!(check_evaluation(ActionStatus::Done, "great", "").is_err());
    }

    #[test]
    fn links_are_http_only() {
        assert_eq!(evidence_link(" https://intra.example/report.pdf "), Some("https://intra.example/report.pdf"));
        assert_eq!(evidence_link("javascript:alert(1)"), None);
        assert_eq!(evidence_link("https://a b"), None);
        assert_eq!(evidence_link("研修資料（共有フォルダ）"), None);
    }

    proptest! {
        /// Closed actions are never overdue; open ones are exactly when the day is past.
        #[test]
        fn overdue_rule(days in -400i64..400, st in prop::sample::select(ActionStatus::ALL.to_vec())) {
            let due = d(2026, 6, 30);
            let today = due + chrono::Duration::days(days);
            prop_assert_eq!(is_overdue(due, st, today), days > 0 && !st.is_closed());
        }

        /// Every status can reach done or be reopened: no status is a dead end except by design.
        #[test]
        fn moves_are_never_to_the_same(a in prop::sample::select(ActionStatus::ALL.to_vec())) {
            prop_assert!(!a.next().contains(&a));
            prop_assert!(!a.next().is_empty());
        }
    }
}
