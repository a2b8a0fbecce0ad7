//! Referrals (関連部署との連携, R9): a consultant refers an employee to the industrial physician
//! or health staff (産業医・保健師: users acting as health staff), the EAP or an outside
//! institution (a contact of the tenant). The rules here are free of storage and clocks: the
//! status machine, the addressee, the basis a referral stands on, the checks of what is typed,
//! and the k-protection of the counts HR sees.
//!
//! A referral stands on one of two bases. Normally the employee's consent for the `referral`
//! purpose: a granted disclosure of that purpose (`consent`), whose exact text is the summary
//! the referral carries ("only the minimum the employee consented to"); the summary is released
//! to the addressee only while that consent holds (`consent::released_version`, decided at each
//! read). Otherwise a life/safety escalation (R4) raised by the referring consultant, open or
//! acknowledged: its designated responders may receive a referral without consent, and the
//! escalation is recorded as the basis.

use crate::ids::{ContactId, UserId};
use crate::limits::TextLimit;
use crate::{Invalid, Role};

/// The summary sent with a referral (sealed): the text the employee consented to, or the
/// consultant's summary under an escalation.
pub const SUMMARY: TextLimit =
    TextLimit { field: "summary", max: 4_000, label_ja: "紹介の要旨", label_en: "the summary", one_line: false };
/// The recipient's note with an acceptance, or the reason of a refusal (sealed).
pub const NOTE: TextLimit = TextLimit { field: "note", max: 2_000, label_ja: "コメント", label_en: "the note", one_line: false };
/// A contact's name (an EAP provider, a clinic).
pub const CONTACT_NAME: TextLimit = TextLimit { field: "name", max: 200, label_ja: "名称", label_en: "the name", one_line: true };
/// A contact's telephone number.
pub const CONTACT_PHONE: TextLimit =
    TextLimit { field: "phone", max: 40, label_ja: "電話番号", label_en: "the telephone number", one_line: true };
/// A contact's e-mail address.
pub const CONTACT_EMAIL: TextLimit =
    TextLimit { field: "email", max: 254, label_ja: "メールアドレス", label_en: "the e-mail address", one_line: true };

/// Where a referral stands. `Declined` and `Closed` are terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferralStatus {
    /// Sent; waits for the recipient.
    Referred,
    Accepted,
    /// The recipient is caring for the employee.
    InCare,
    Closed,
    Declined,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 5] =
        [ReferralStatus::Referred, ReferralStatus::Accepted, ReferralStatus::InCare, ReferralStatus::Closed, ReferralStatus::Declined];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Referred => "referred",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::InCare => "in_care",
            ReferralStatus::Closed => "closed",
            ReferralStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralStatus> {
        ReferralStatus::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, ReferralStatus::Closed | ReferralStatus::Declined)
    }

    /// The decisions the recipient may take now.
    pub fn next_actions(self) -> &'static [ReferralAction] {
        match self {
            ReferralStatus::Referred => &[ReferralAction::Accept, ReferralAction::Decline],
            ReferralStatus::Accepted => &[ReferralAction::StartCare, ReferralAction::Close],
            ReferralStatus::InCare => &[ReferralAction::Close],
            ReferralStatus::Closed | ReferralStatus::Declined => &[],
        }
    }
}

/// A decision of the recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferralAction {
    /// Accept, with an optional note.
    Accept,
    /// Decline, with a reason (required).
    Decline,
    /// Care has started.
    StartCare,
    /// The referral is done.
    Close,
}

impl ReferralAction {
    pub const ALL: [ReferralAction; 4] =
        [ReferralAction::Accept, ReferralAction::Decline, ReferralAction::StartCare, ReferralAction::Close];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralAction::Accept => "accept",
            ReferralAction::Decline => "decline",
            ReferralAction::StartCare => "in_care",
            ReferralAction::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<ReferralAction> {
        ReferralAction::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The status the action leads to.
    pub fn target(self) -> ReferralStatus {
        match self {
            ReferralAction::Accept => ReferralStatus::Accepted,
            ReferralAction::Decline => ReferralStatus::Declined,
            ReferralAction::StartCare => ReferralStatus::InCare,
            ReferralAction::Close => ReferralStatus::Closed,
        }
    }
}

/// The status machine: referred → accepted → in care → closed; referred → declined; accepted →
/// closed (a case that needed no care). Anything else is refused.
pub fn transition(from: ReferralStatus, action: ReferralAction) -> Result<ReferralStatus, Invalid> {
    if from.next_actions().contains(&action) {
        return Ok(action.target());
    }
    Err(if from.is_terminal() {
        Invalid::new(
            "decision",
            "この紹介は終了しているため、これ以上記録できません。",
            "this referral has ended; nothing more can be recorded",
        )
    } else {
        Invalid::new(
            "decision",
            "いまの状態からは、その記録はできません（紹介済み → 受諾 → 対応中 → 終了の順に進みます）。",
            "that step cannot follow the current status (referred → accepted → in care → closed)",
        )
    })
}

/// A decision as typed: the action and its note; a refusal needs its reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedDecision {
    pub action: ReferralAction,
    pub note: String,
}

/// Checks a decision: every problem at once.
pub fn check_decision(action: &str, note: &str) -> Result<CheckedDecision, Vec<Invalid>> {
    let mut problems = Vec::new();
    let action = ReferralAction::parse(action);
    if action.is_none() {
        problems.push(Invalid::new(
            "decision",
            "「受け入れる」「受け入れない」「対応中にする」「終了にする」のいずれかを選んでください。",
            "choose accept, decline, in care or close",
        ));
    }
    let note = match NOTE.check(note) {
        Ok(n) => n,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    if action == Some(ReferralAction::Decline) && note.is_empty() && problems.iter().all(|p| p.field != "note") {
        problems.push(Invalid::new("note", "受け入れない理由を入力してください。", "give the reason for declining"));
    }
    match action {
        Some(action) if problems.is_empty() => Ok(CheckedDecision { action, note }),
        _ => Err(problems),
    }
}

/// Checks a decision against the referral's status as it stands: a step that cannot follow it is
/// refused as such, alone (a reason is not asked for a refusal that cannot be recorded anyway);
/// otherwise as `check_decision`.
pub fn check_decision_at(from: ReferralStatus, action: &str, note: &str) -> Result<CheckedDecision, Vec<Invalid>> {
    if let Some(action) = ReferralAction::parse(action) {
        transition(from, action).map_err(|e| vec![e])?;
    }
    check_decision(action, note)
}

/// The kind of an outside contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactKind {
    /// 従業員支援プログラム (EAP).
    Eap,
    /// An outside medical or counselling institution (外部医療機関・相談機関).
    Institution,
}

impl ContactKind {
    pub const ALL: [ContactKind; 2] = [ContactKind::Eap, ContactKind::Institution];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Eap => "eap",
            ContactKind::Institution => "institution",
        }
    }

    pub fn parse(s: &str) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// A contact as HR enters it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedContact {
    pub name: String,
    pub kind: ContactKind,
    pub phone: String,
    pub email: String,
}

/// Checks a contact: a name, a kind, and a telephone number or an e-mail address.
pub fn check_contact(name: &str, kind: &str, phone: &str, email: &str) -> Result<CheckedContact, Vec<Invalid>> {
    let mut problems = Vec::new();
    let name = match CONTACT_NAME.check(name) {
        Ok(n) if n.is_empty() => {
            problems.push(Invalid::new("name", "名称を入力してください。", "enter the name"));
            n
        }
        Ok(n) => n,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let kind = ContactKind::parse(kind);
    if kind.is_none() {
        problems.push(Invalid::new("kind", "種類（EAP・外部機関）を選んでください。", "choose the kind: EAP or outside institution"));
    }
    let phone = CONTACT_PHONE.check(phone).map_err(|e| problems.push(e)).unwrap_or_default();
    let email = CONTACT_EMAIL.check(email).map_err(|e| problems.push(e)).unwrap_or_default();
    let looks_like_address = email.contains('@') && !email.starts_with('@') && !email.ends_with('@');
    if !email.is_empty() && !looks_like_address {
        problems.push(Invalid::new("email", "メールアドレスの形式が正しくありません。", "the e-mail address is not valid"));
    }
    if phone.is_empty() && email.is_empty() && problems.iter().all(|p| p.field != "phone" && p.field != "email") {
        problems.push(Invalid::new(
            "phone",
            "電話番号かメールアドレスのどちらかを入力してください。",
            "give a telephone number or an e-mail address",
        ));
    }
    match kind {
        Some(kind) if problems.is_empty() => Ok(CheckedContact { name, kind, phone, email }),
        _ => Err(problems),
    }
}

/// To whom a referral is addressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Addressee {
    /// One health staff member (an industrial physician, a public health nurse).
    User(UserId),
    /// Everyone acting as health staff (産業保健スタッフ).
    Role(Role),
    /// An outside contact of the tenant: no one reads in the app; the referring consultant
    /// records its answers.
    Contact(ContactId),
}

impl Addressee {
    /// Whether `user` acting in `role` is this addressee (a contact is no user).
    pub fn is(self, user: UserId, role: Role) -> bool {
        role == Role::Health
            && match self {
                Addressee::User(u) => u == user,
                Addressee::Role(r) => r == role,
                Addressee::Contact(_) => false,
            }
    }
}

/// Whether a count HR sees may be shown: a count of people between 1 and `k - 1` is suppressed,
/// like every other figure HR sees (zero reveals no one).
pub fn shown_count(n: i64, k: i64) -> Option<i64> {
    (n == 0 || n >= k.max(1)).then_some(n)
}

/// The summary of a new referral: under a consent it must be the consented text itself (an
/// empty summary takes it); under an escalation the consultant writes it.
pub fn check_summary(summary: &str, consented: Option<&str>) -> Result<String, Invalid> {
    let typed = SUMMARY.check(summary)?;
    match consented {
        Some(text) if typed.is_empty() => Ok(text.trim().to_string()),
        Some(text) if typed == text.trim() => Ok(typed),
        Some(_) => Err(Invalid::new(
            "summary",
            "紹介の要旨は、本人が同意した文章と同じでなければなりません。変える場合は開示文を改訂し、改めて本人の同意を得てください。",
            "the summary must be the text the employee consented to; to change it, revise the disclosure and ask the employee again",
        )),
        None if typed.is_empty() => Err(Invalid::new("summary", "紹介の要旨を入力してください。", "enter the summary")),
        None => Ok(typed),
    }
}

/// The refusal of a referral with neither basis.
pub fn no_basis() -> Invalid {
    Invalid::new(
        "consent",
        "本人の「関連部署への紹介」への同意が得られていません。本人の同意を得るか、生命・安全に関わるエスカレーションに基づいて紹介してください。",
        "the employee has not consented to a referral; ask for their consent, or refer under a life/safety escalation",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralAction as A;
    use ReferralStatus as S;

    #[test]
    fn the_status_machine_goes_forward_only() {
        assert_eq!(transition(S::Referred, A::Accept), Ok(S::Accepted));
        assert_eq!(transition(S::Referred, A::Decline), Ok(S::Declined));
        assert_eq!(transition(S::Accepted, A::StartCare), Ok(S::InCare));
        assert_eq!(transition(S::Accepted, A::Close), Ok(S::Closed));
        assert_eq!(transition(S::InCare, A::Close), Ok(S::Closed));
        assert!(transition(S::Referred, A::StartCare).is_err());
        assert!(transition(S::Referred, A::Close).is_err());
        assert!(transition(S::InCare, A::Accept).is_err());
        assert!(transition(S::Accepted, A::Decline).is_err(), "declining is an answer to the referral, not a later step");
        for terminal in [S::Closed, S::Declined] {
            for a in A::ALL {
                assert!(transition(terminal, a).is_err(), "{terminal:?} {a:?}");
            }
        }
    }

    #[test]
    fn every_path_ends_in_a_terminal_status_in_at_most_three_steps() {
        fn walk(s: S, depth: usize) -> usize {
            s.next_actions().iter().map(|a| walk(a.target(), depth + 1)).max().unwrap_or(depth)
        }
        assert_eq!(walk(S::Referred, 0), 3);
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            assert_eq!(s.next_actions().is_empty(), s.is_terminal());
        }
    }

    #[test]
    fn a_refusal_needs_its_reason_and_every_problem_is_said_at_once() {
        let e = check_decision("decline", "  ").err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["note"]);
        let e = check_decision("maybe", &"あ".repeat(2001)).err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["decision", "note"]);
        assert_eq!(check_decision("accept", "").map(|d| d.action), Ok(A::Accept));
        assert_eq!(check_decision("decline", " 専門外のため ").map(|d| d.note), Ok("専門外のため".to_string()));
        // Against the status: a step that cannot follow is said alone, before a missing reason.
        let e = check_decision_at(S::InCare, "decline", "").err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["decision"]);
        assert!(e[0].message.ja.starts_with("いまの状態からは"));
        let e = check_decision_at(S::Referred, "decline", "").err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["note"]);
        let e = check_decision_at(S::Closed, "maybe", "").err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["decision"]);
        assert_eq!(check_decision_at(S::Accepted, "in_care", "").map(|d| d.action), Ok(A::StartCare));
    }

    #[test]
    fn a_contact_needs_a_name_a_kind_and_a_way_to_reach_it() {
        let e = check_contact(" ", "clinic", "", "").err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["name", "kind", "phone"]);
        assert!(check_contact("EAP", "eap", "", "not-an-address").is_err());
        let ok = check_contact("こころの相談室", "eap", "", "eap@example.jp");
        assert_eq!(ok.map(|c| c.kind), Ok(ContactKind::Eap));
        assert!(check_contact("クリニック", "institution", "03-0000-0000", "").is_ok());
    }

    #[test]
    fn only_health_staff_are_addressees_in_the_app() {
        let (me, other) = (UserId::new(5), UserId::new(6));
        assert!(Addressee::User(me).is(me, Role::Health));
        assert!(!Addressee::User(me).is(other, Role::Health));
        assert!(!Addressee::User(me).is(me, Role::Hr));
        assert!(Addressee::Role(Role::Health).is(other, Role::Health));
        assert!(!Addressee::Contact(ContactId::new(1)).is(me, Role::Health));
    }

    #[test]
    fn the_summary_is_the_consented_text_or_written_under_an_escalation() {
        assert_eq!(check_summary("", Some(" 同意した文 ")), Ok("同意した文".to_string()));
        assert_eq!(check_summary("同意した文", Some("同意した文")), Ok("同意した文".to_string()));
        assert!(check_summary("もっと詳しい文", Some("同意した文")).is_err());
        assert!(check_summary(" ", None).is_err());
        assert_eq!(check_summary("緊急の要旨", None), Ok("緊急の要旨".to_string()));
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(shown_count(0, 5), Some(0));
        assert_eq!(shown_count(4, 5), None);
        assert_eq!(shown_count(5, 5), Some(5));
        assert_eq!(shown_count(1, 0), Some(1));
    }
}
