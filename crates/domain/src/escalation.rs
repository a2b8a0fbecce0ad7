//! Life/safety escalation (生命・安全, R4): the rules, free of storage and clocks.
//!
//! Raising the life/safety flag on a report or an interview note opens an escalation at once,
//! before any review. The tenant's designated responders must acknowledge it within a deadline
//! (a tenant setting, 24 hours unless changed); until then it shows as overdue and is notified
//! again. Disclosing more than the consultant's summary without the employee's consent needs a
//! written reason and a second approver who is a different responder; the employee is told
//! afterwards, at most a bounded number of days later.

use crate::ids::UserId;
use crate::limits::TextLimit;
use crate::Invalid;

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Where an escalation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EscalationState {
    /// Raised; no responder has acknowledged it yet.
    Open,
    /// A responder has taken it on.
    Acknowledged,
    /// Closed with the actions taken recorded.
    Closed,
}

impl EscalationState {
    pub const ALL: [EscalationState; 3] = [EscalationState::Open, EscalationState::Acknowledged, EscalationState::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            EscalationState::Open => "open",
            EscalationState::Acknowledged => "acknowledged",
            EscalationState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<EscalationState> {
        EscalationState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the flag was raised on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EscalationSource {
    Report,
    InterviewNote,
}

impl EscalationSource {
    pub const ALL: [EscalationSource; 2] = [EscalationSource::Report, EscalationSource::InterviewNote];

    pub fn as_str(self) -> &'static str {
        match self {
            EscalationSource::Report => "report",
            EscalationSource::InterviewNote => "interview_note",
        }
    }

    pub fn parse(s: &str) -> Option<EscalationSource> {
        EscalationSource::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a request to disclose more without consent stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisclosureRequestState {
    /// Written by one responder; waits for a second.
    Pending,
    /// Approved by a second, different responder: the report is released to the responders.
    Approved,
}

impl DisclosureRequestState {
    pub const ALL: [DisclosureRequestState; 2] = [DisclosureRequestState::Pending, DisclosureRequestState::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureRequestState::Pending => "pending",
            DisclosureRequestState::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<DisclosureRequestState> {
        DisclosureRequestState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The acknowledgment deadline unless the tenant sets another (hours).
pub const DEFAULT_ACK_HOURS: i64 = 24;
/// The shortest and longest deadline a tenant may set (hours): a week at most, since an
/// unacknowledged life/safety matter must not wait longer.
pub const ACK_HOURS_MIN: i64 = 1;
pub const ACK_HOURS_MAX: i64 = 168;
/// How long the tenant may delay the employee's notice of a disclosure unless it sets another
/// bound (days), and the bound no tenant setting may pass.
pub const DEFAULT_NOTICE_DELAY_MAX_DAYS: i64 = 14;
pub const NOTICE_DELAY_CAP_DAYS: i64 = 30;
/// An overdue escalation is notified again this long after the last notice, until acknowledged.
pub const RENOTIFY_EVERY_MS: i64 = 6 * HOUR_MS;

/// The consultant's summary written for the responders (sealed).
pub const SUMMARY: TextLimit =
    TextLimit {
        field: "summary", max: 4_000, label_ja: "対応者向けの要約", label_en: "the summary for responders", one_line: false
    };
/// Why more is disclosed without consent.
pub const REASON: TextLimit =
    TextLimit { field: "reason", max: 2_000, label_ja: "開示の理由", label_en: "the reason", one_line: false };
/// The actions taken, recorded when closing.
pub const ACTIONS: TextLimit =
    TextLimit { field: "actions", max: 4_000, label_ja: "実施した対応", label_en: "the actions taken", one_line: false };
/// Why the employee's notice is delayed.
pub const DELAY_REASON: TextLimit =
    TextLimit {
        field: "delay_reason", max: 1_000, label_ja: "通知を遅らせる理由", label_en: "the reason for the delay", one_line: false
    };

/// A tenant's escalation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscalationSettings {
    pub ack_hours: i64,
    pub notice_delay_max_days: i64,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        EscalationSettings { ack_hours: DEFAULT_ACK_HOURS, notice_delay_max_days: DEFAULT_NOTICE_DELAY_MAX_DAYS }
    }
}

impl EscalationSettings {
    /// The settings as HR enters them, or every problem at once.
    pub fn check(ack_hours: i64, notice_delay_max_days: i64) -> Result<EscalationSettings, Vec<Invalid>> {
        let mut problems = Vec::new();
        if !(ACK_HOURS_MIN..=ACK_HOURS_MAX).contains(&ack_hours) {
            problems.push(Invalid::new(
                "ack_hours",
                format!("確認期限は{ACK_HOURS_MIN}〜{ACK_HOURS_MAX}時間の範囲で入力してください。"),
                format!("the acknowledgment deadline must be {ACK_HOURS_MIN} to {ACK_HOURS_MAX} hours"),
            ));
        }
        if !(0..=NOTICE_DELAY_CAP_DAYS).contains(&notice_delay_max_days) {
            problems.push(Invalid::new(
                "notice_delay_max_days",
                format!("本人への通知を遅らせる上限は0〜{NOTICE_DELAY_CAP_DAYS}日の範囲で入力してください。"),
                format!("the longest delay of the employee's notice must be 0 to {NOTICE_DELAY_CAP_DAYS} days"),
            ));
        }
        if problems.is_empty() {
            Ok(EscalationSettings { ack_hours, notice_delay_max_days })
        } else {
            Err(problems)
        }
    }
}

/// When an escalation opened at `opened_at` must be acknowledged by.
pub fn due_at(opened_at: i64, ack_hours: i64) -> i64 {
    opened_at.saturating_add(ack_hours.clamp(ACK_HOURS_MIN, ACK_HOURS_MAX).saturating_mul(HOUR_MS))
}

/// Overdue: still unacknowledged after its deadline.
pub fn is_overdue(state: EscalationState, due_at: i64, now: i64) -> bool {
    state == EscalationState::Open && now > due_at
}

/// Whether the recurring job notifies the responders of an escalation again now: it is overdue,
/// and no notice went out since it became overdue or for [`RENOTIFY_EVERY_MS`].
pub fn renotify_due(state: EscalationState, due_at: i64, last_notified_at: i64, now: i64) -> bool {
    is_overdue(state, due_at, now) && (last_notified_at <= due_at || now - last_notified_at >= RENOTIFY_EVERY_MS)
}

/// An earlier escalation of the same report or note, as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Earlier {
    pub state: EscalationState,
    /// Whether the flag was lowered after it was closed.
    pub flag_lowered_since: bool,
}

/// Whether saving with the flag raised opens a new escalation: once per raising of the flag.
/// An escalation still open or acknowledged covers the source; a closed one covers it until the
/// flag is lowered and raised again.
pub fn opens_escalation(flag_raised: bool, earlier: &[Earlier]) -> bool {
    flag_raised && earlier.iter().all(|e| e.state == EscalationState::Closed && e.flag_lowered_since)
}

/// Acknowledging: only an open escalation.
pub fn check_acknowledge(state: EscalationState) -> Result<(), Invalid> {
    match state {
        EscalationState::Open => Ok(()),
        EscalationState::Acknowledged => {
            Err(Invalid::new("state", "このエスカレーションは既に確認済みです。", "this escalation has already been acknowledged"))
        }
        EscalationState::Closed => Err(closed()),
    }
}

/// Closing: once acknowledged, with the actions taken.
pub fn check_close(state: EscalationState, actions: &str) -> Result<String, Vec<Invalid>> {
    let mut problems = Vec::new();
    match state {
        EscalationState::Acknowledged => {}
        EscalationState::Open => {
            problems.push(Invalid::new("state", "確認してから完了にしてください。", "acknowledge the escalation before closing it"))
        }
        EscalationState::Closed => problems.push(closed()),
    }
    let actions = required(ACTIONS, actions).map_err(|e| problems.push(e)).ok();
    match actions {
        Some(a) if problems.is_empty() => Ok(a),
        _ => Err(problems),
    }
}

fn closed() -> Invalid {
    Invalid::new("state", "このエスカレーションは完了しています。", "this escalation is closed")
}

/// A required free text, trimmed and within its limit.
pub fn required(limit: TextLimit, value: &str) -> Result<String, Invalid> {
    let v = limit.check(value)?;
    if v.is_empty() {
        return Err(Invalid::new(limit.field, format!("{}を入力してください。", limit.label_ja), format!("enter {}", limit.label_en)));
    }
    Ok(v)
}

/// Asking to disclose more: a written reason, while the escalation is not closed.
pub fn check_disclosure_request(state: EscalationState, reason: &str) -> Result<String, Vec<Invalid>> {
    let mut problems = Vec::new();
    if state == EscalationState::Closed {
        problems.push(closed());
    }
    let reason = required(REASON, reason).map_err(|e| problems.push(e)).ok();
    match reason {
        Some(r) if problems.is_empty() => Ok(r),
        _ => Err(problems),
    }
}

/// The two-person rule: a pending request is approved by a designated responder who is not the
/// one who asked.
pub fn check_second_approval(
    requested_by: UserId,
    approver: UserId,
    approver_designated: bool,
    state: DisclosureRequestState,
) -> Result<(), Invalid> {
    if state != DisclosureRequestState::Pending {
        return Err(Invalid::new("request", "この開示の申請は既に承認されています。", "this disclosure request is already approved"));
    }
    if approver == requested_by {
        return Err(Invalid::new(
            "approver",
            "申請した本人は承認できません。別の対応者の承認が必要です。",
            "the responder who asked cannot approve: a second, different responder must",
        ));
    }
    if !approver_designated {
        return Err(Invalid::new("approver", "承認できるのは指定された対応者だけです。", "only a designated responder can approve"));
    }
    Ok(())
}

/// When the employee is told of a disclosure approved at `approved_at`: at once, or after a
/// delay the tenant decided (with a reason), never past its bound nor [`NOTICE_DELAY_CAP_DAYS`].
pub fn notice_at(approved_at: i64, delay_days: i64, max_days: i64, delay_reason: &str) -> Result<(i64, Option<String>), Vec<Invalid>> {
    let max = max_days.clamp(0, NOTICE_DELAY_CAP_DAYS);
    let mut problems = Vec::new();
    if !(0..=max).contains(&delay_days) {
        problems.push(Invalid::new(
            "delay_days",
            format!("本人への通知を遅らせる日数は0〜{max}日の範囲で入力してください。"),
            format!("the notice may be delayed by 0 to {max} days"),
        ));
    }
    let reason =
        if delay_days > 0 { required(DELAY_REASON, delay_reason).map(Some).map_err(|e| problems.push(e)).ok().flatten() } else { None };
    if problems.is_empty() {
        Ok((approved_at.saturating_add(delay_days.saturating_mul(DAY_MS)), reason))
    } else {
        Err(problems)
    }
}

/// Whether the employee sees the notice now.
pub fn notice_visible(notice_at: i64, now: i64) -> bool {
    now >= notice_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const T0: i64 = 1_780_000_000_000;

    #[test]
    fn names_round_trip() {
        for s in EscalationState::ALL {
            assert_eq!(EscalationState::parse(s.as_str()), Some(s));
        }
        for s in EscalationSource::ALL {
            assert_eq!(EscalationSource::parse(s.as_str()), Some(s));
        }
        for s in DisclosureRequestState::ALL {
            assert_eq!(DisclosureRequestState::parse(s.as_str()), Some(s));
        }
        assert_eq!(EscalationState::parse("overdue"), None);
    }

    #[test]
    fn the_default_deadline_is_a_day_and_overdue_means_unacknowledged_after_it() {
        let due = due_at(T0, EscalationSettings::default().ack_hours);
        assert_eq!(due - T0, 24 * HOUR_MS);
        assert!(!is_overdue(EscalationState::Open, due, due));
        assert!(is_overdue(EscalationState::Open, due, due + 1));
        assert!(!is_overdue(EscalationState::Acknowledged, due, due + DAY_MS));
        assert!(!is_overdue(EscalationState::Closed, due, due + DAY_MS));
    }

    #[test]
    fn settings_are_bounded_and_every_problem_is_named() {
        assert_eq!(EscalationSettings::check(24, 14), Ok(EscalationSettings::default()));
        let e = EscalationSettings::check(0, 31).unwrap_err();
        assert_eq!(e.iter().map(|i| i.field).collect::<Vec<_>>(), vec!["ack_hours", "notice_delay_max_days"]);
        assert!(EscalationSettings::check(169, 0).is_err());
        assert!(EscalationSettings::check(1, 30).is_ok());
    }

    #[test]
    fn a_flag_opens_one_escalation_until_lowered_after_closing() {
        let open = Earlier { state: EscalationState::Open, flag_lowered_since: false };
        let closed_kept = Earlier { state: EscalationState::Closed, flag_lowered_since: false };
        let closed_lowered = Earlier { state: EscalationState::Closed, flag_lowered_since: true };
        assert!(opens_escalation(true, &[]));
        assert!(!opens_escalation(false, &[]));
        assert!(!opens_escalation(true, &[open]));
        assert!(!opens_escalation(true, &[closed_kept]));
        assert!(opens_escalation(true, &[closed_lowered]));
        assert!(!opens_escalation(true, &[closed_lowered, open]));
    }

    #[test]
    fn acknowledging_and_closing_follow_the_states() {
        assert!(check_acknowledge(EscalationState::Open).is_ok());
        assert!(check_acknowledge(EscalationState::Acknowledged).is_err());
        assert!(check_acknowledge(EscalationState::Closed).is_err());
        assert_eq!(check_close(EscalationState::Acknowledged, "  産業医面談を設定 "), Ok("産業医面談を設定".into()));
        assert_eq!(check_close(EscalationState::Open, "").unwrap_err().len(), 2);
        assert_eq!(check_close(EscalationState::Acknowledged, " ").unwrap_err()[0].field, "actions");
    }

    #[test]
    fn the_two_person_rule() {
        let (a, b) = (UserId::new(1), UserId::new(2));
        assert!(check_second_approval(a, b, true, DisclosureRequestState::Pending).is_ok());
        assert_eq!(check_second_approval(a, a, true, DisclosureRequestState::Pending).unwrap_err().field, "approver");
        assert!(check_second_approval(a, b, false, DisclosureRequestState::Pending).is_err());
        assert!(check_second_approval(a, b, true, DisclosureRequestState::Approved).is_err());
        assert!(check_disclosure_request(EscalationState::Open, "").is_err());
        assert!(check_disclosure_request(EscalationState::Closed, "危険が切迫").is_err());
        assert_eq!(check_disclosure_request(EscalationState::Acknowledged, " 危険が切迫 "), Ok("危険が切迫".into()));
    }

    #[test]
    fn a_notice_is_delayed_only_with_a_reason_and_within_the_bound() {
        assert_eq!(notice_at(T0, 0, 14, ""), Ok((T0, None)));
        assert_eq!(notice_at(T0, 3, 14, "治療中のため"), Ok((T0 + 3 * DAY_MS, Some("治療中のため".into()))));
        assert_eq!(notice_at(T0, 3, 14, " ").unwrap_err()[0].field, "delay_reason");
        assert!(notice_at(T0, 15, 14, "理由").is_err());
        assert!(notice_at(T0, 31, 99, "理由").is_err(), "the cap holds whatever the setting");
        assert!(notice_at(T0, -1, 14, "").is_err());
    }

    proptest! {
        #[test]
        fn overdue_exactly_when_open_past_the_deadline(opened in 0i64..4_000_000_000_000, hours in -5i64..400, dt in -10i64 * DAY_MS..10 * DAY_MS) {
            let due = due_at(opened, hours);
            prop_assert!(due - opened >= ACK_HOURS_MIN * HOUR_MS && due - opened <= ACK_HOURS_MAX * HOUR_MS);
            let now = opened + dt;
            for s in EscalationState::ALL {
                prop_assert_eq!(is_overdue(s, due, now), s == EscalationState::Open && now > due);
                // Re-notification only ever happens to an overdue escalation.
                prop_assert!(!renotify_due(s, due, opened, now) || is_overdue(s, due, now));
            }
        }

        #[test]
        fn renotified_at_most_once_per_interval(due in 0i64..1_000_000_000, last in 0i64..2_000_000_000, now in 0i64..3_000_000_000) {
            if renotify_due(EscalationState::Open, due, last, now) && last > due {
                prop_assert!(now - last >= RENOTIFY_EVERY_MS);
            }
            // The first notice after the deadline always goes out.
            if now > due && last <= due {
                prop_assert!(renotify_due(EscalationState::Open, due, last, now));
            }
        }

        #[test]
        fn no_one_approves_their_own_request(a in 1i64..50, b in 1i64..50, designated: bool, approved: bool) {
            let state = if approved { DisclosureRequestState::Approved } else { DisclosureRequestState::Pending };
            let ok = check_second_approval(UserId::new(a), UserId::new(b), designated, state).is_ok();
            prop_assert_eq!(ok, a != b && designated && !approved);
        }

        #[test]
        fn a_notice_never_waits_past_the_bound(delay in -5i64..60, max in -5i64..60, approved in 0i64..4_000_000_000_000) {
            if let Ok((at, reason)) = notice_at(approved, delay, max, "理由") {
                prop_assert!(at >= approved);
                prop_assert!(at - approved <= max.clamp(0, NOTICE_DELAY_CAP_DAYS) * DAY_MS);
                prop_assert_eq!(reason.is_some(), delay > 0);
            }
        }
    }
}
