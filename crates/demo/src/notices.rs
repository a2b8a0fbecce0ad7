//! The demo's notices (issue 8): a few per role, some read and some not, so that each login's
//! inbox and header count show something real. Links lead to pages every such login has.

use domain::notification::NotificationKind;

/// One notice of the demo: for whom (a demo login), what, where it leads, how many hours ago it
/// came, and how many hours ago it was read (`None`: unread).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoNotice {
    pub login: &'static str,
    pub kind: NotificationKind,
    pub link: &'static str,
    pub hours_ago: i64,
    pub read_hours_ago: Option<i64>,
}

const fn notice(login: &'static str, kind: NotificationKind, link: &'static str, hours_ago: i64, read: Option<i64>) -> DemoNotice {
    DemoNotice { login, kind, link, hours_ago, read_hours_ago: read }
}

use NotificationKind as K;

/// Every demo notice, each linking to the page of its kind. The supervisor, the administrator and
/// the executive (who holds personnel authority in the demo, so no important case reaches them)
/// receive none of these kinds: their inboxes show the empty state.
pub const NOTICES: &[DemoNotice] = &[
    notice("employee", K::DisclosureRequested, "/my/consents", 3, None),
    notice("employee", K::DisclosureRequested, "/my/consents", 24 * 20, Some(24 * 19)),
    notice("consultant1", K::DisclosureDecided, "/disclosures", 5, None),
    notice("consultant1", K::EscalationOverdue, "/escalations", 30, None),
    notice("consultant1", K::DisclosureDecided, "/disclosures", 24 * 12, Some(24 * 11)),
    notice("consultant2", K::DisclosureDecided, "/disclosures", 24 * 3, Some(24 * 2)),
    notice("hr", K::ImportantCaseShared, "/important-cases", 2, None),
    notice("hr", K::OrgIssueRaised, "/org-issues", 26, None),
    notice("hr", K::ImportantCaseShared, "/important-cases", 24 * 6, Some(24 * 6 - 1)),
    notice("hr-consultant", K::OrgIssueRaised, "/org-issues", 24 * 2, Some(24)),
    notice("boss", K::DisclosureShared, "/feedback", 4, None),
    notice("boss", K::BossGuideUpdated, "/boss/guide", 24 * 15, Some(24 * 14)),
    notice("health", K::EscalationRaised, "/escalations", 1, None),
    notice("health", K::EscalationApprovalRequested, "/escalations", 6, None),
    notice("health", K::EscalationOverdue, "/escalations", 24 * 4, Some(24 * 4 - 2)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_is_well_formed_and_some_are_read_and_some_not() {
        for n in NOTICES {
            assert!(domain::notification::valid_link(n.link), "{n:?}");
            assert!(n.read_hours_ago.is_none_or(|r| r >= 0 && r < n.hours_ago), "read after it came: {n:?}");
        }
        assert!(NOTICES.iter().any(|n| n.read_hours_ago.is_none()) && NOTICES.iter().any(|n| n.read_hours_ago.is_some()));
    }
}
