//! In-app notices and their e-mails. A notice says what kind of thing needs the reader's
//! attention and links to it; it never carries personal content (no name, no text of a report or
//! a disclosure), because e-mail leaves the system and an inbox is read over shoulders.

/// What a notice is about. The text is the UI's (per language); the record is behind the link,
/// where the policy decides again whether the reader may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// An employee: a consultant asks for a decision on a text to be shared.
    DisclosureRequested,
    /// A consultant: the employee decided on a disclosure they asked for.
    DisclosureDecided,
    /// A recipient (a boss, HR): a text was shared with them.
    DisclosureShared,
    /// A responder: a life/safety escalation was opened.
    EscalationRaised,
    /// A responder and the consultant: an escalation passed its acknowledgment deadline.
    EscalationOverdue,
    /// A responder: another responder asks for a second approval of a disclosure without consent.
    EscalationApprovalRequested,
    /// An employee: something was disclosed without their consent under the life/safety rule.
    EscalationDisclosureNotice,
    /// HR: an important case was shared with consent.
    ImportantCaseShared,
    /// HR: an organizational issue was raised.
    OrgIssueRaised,
    /// A boss: the guide changed and asks for a new acknowledgment.
    BossGuideUpdated,
    /// A consultant: a follow-up item is due soon and no interview is scheduled for it (R7).
    FollowUpDueSoon,
    /// A consultant: a follow-up item passed its due date and is still open (R7).
    FollowUpOverdue,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 12] = [
        NotificationKind::DisclosureRequested,
        NotificationKind::DisclosureDecided,
        NotificationKind::DisclosureShared,
        NotificationKind::EscalationRaised,
        NotificationKind::EscalationOverdue,
        NotificationKind::EscalationApprovalRequested,
        NotificationKind::EscalationDisclosureNotice,
        NotificationKind::ImportantCaseShared,
        NotificationKind::OrgIssueRaised,
        NotificationKind::BossGuideUpdated,
        NotificationKind::FollowUpDueSoon,
        NotificationKind::FollowUpOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::DisclosureRequested => "disclosure_requested",
            NotificationKind::DisclosureDecided => "disclosure_decided",
            NotificationKind::DisclosureShared => "disclosure_shared",
            NotificationKind::EscalationRaised => "escalation_raised",
            NotificationKind::EscalationOverdue => "escalation_overdue",
            NotificationKind::EscalationApprovalRequested => "escalation_approval_requested",
            NotificationKind::EscalationDisclosureNotice => "escalation_disclosure_notice",
            NotificationKind::ImportantCaseShared => "important_case_shared",
            NotificationKind::OrgIssueRaised => "org_issue_raised",
            NotificationKind::BossGuideUpdated => "boss_guide_updated",
            NotificationKind::FollowUpDueSoon => "follow_up_due_soon",
            NotificationKind::FollowUpOverdue => "follow_up_overdue",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Whether `link` may go into a notice: a path inside the app (no scheme, no host, no query
/// string that could carry a name), so that a notice and its e-mail point at the record and
/// nothing else.
pub fn valid_link(link: &str) -> bool {
    link.starts_with('/')
        && !link.starts_with("//")
        && link.len() <= 200
        && link.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NotificationKind::parse("nope"), None);
    }

    #[test]
    fn links_stay_inside_the_app_and_carry_no_words() {
        assert!(valid_link("/my/consents/12"));
        assert!(valid_link("/escalations/3#summary"));
        assert!(!valid_link("https://evil.example/x"));
        assert!(!valid_link("//evil.example/x"));
        assert!(!valid_link("/employees?q=山田"));
        assert!(!valid_link("/employees?q=yamada"));
        assert!(!valid_link("relative"));
    }
}
