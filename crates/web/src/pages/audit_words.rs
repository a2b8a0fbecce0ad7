//! The audit log in words: the one mapping from a stored event (its `AuditAction`, its
//! `AuditTarget` kind and id, its `AuditDetail` facts) to a sentence a person reads, in Japanese
//! and English. The words live in `locales/{ja,en}/audit.ftl`; this module says which message
//! each stored name takes. Nothing here reveals content: events never hold any.

use crate::i18n::Tr;
use chrono::Timelike;
use domain::audit::{AuditAction, ChainedEvent};
use domain::Role;

/// Every detail field's stored name (`domain::audit::Key::as_str`).
const KEYS: &[&str] = &[
    "count",
    "offset",
    "from",
    "to",
    "cycle",
    "role",
    "roles",
    "was",
    "status",
    "kind",
    "view",
    "purpose",
    "request",
    "interview",
    "routed",
    "step",
    "left",
    "by",
    "requirement",
    "sessions_ended",
    "other_sessions_ended",
    "tokens_revoked",
    "calendar_feeds_deleted",
    "show_names",
    "events",
    "comments",
    "pending_import",
    "rows",
    "employees",
    "seed",
    "period",
    "targets",
    "rule",
    "added",
    "already",
    "via",
    "removed",
    "assigned",
    "consultant",
    "auto_assigned",
    "consultants",
    "created",
    "updated",
    "unchanged",
    "departments_created",
    "interviews",
    "notes",
    "reports",
    "report_tags",
    "reviews",
    "requests",
    "sealed",
    "cycles",
    "operation",
    "user",
    "encoding",
    "version",
];

/// Every record kind's stored name (`domain::audit::AuditTarget::kind`, sealed texts by purpose).
const TARGETS: &[&str] = &[
    "user",
    "login",
    "employees",
    "employee",
    "cycle_targets",
    "cycle",
    "interview",
    "interviews",
    "report",
    "reports",
    "review_queue",
    "consultation_request",
    "consultation_requests",
    "api_token",
    "tenant",
    "users",
    "calendar_feed",
    "issue_tags",
    "rubric_items",
    "backup",
    "data_key",
    "bench",
    "history",
    "audit_log",
    "disclosure",
    "disclosures",
    "consent_record",
    "escalation",
    "interview_note",
    "note",
    "report_body",
    "report_comment",
    "consultation_message",
    "consultation_reply",
    "pending_import",
    "two_factor_secret",
    "sealed_text",
    "boss_guide",
    "boss_guide_acknowledgments",
    "boss_consultation",
    "boss_consultations",
    "important_case",
    "important_cases",
    "org_issue",
    "org_issues",
    "overall_report",
    "overall_reports",
    "report_settings",
    "overall_narrative",
    "management_report",
    "questionnaire_response",
    "questionnaire_answers",
    "yearly_review",
    "cycle_comparison",
    "follow_up",
    "follow_ups",
    "referral",
    "referrals",
    "tenant_contact",
    "improvement_action",
    "policy_document",
    "questionnaire",
];

fn id_of(name: &str) -> String {
    name.replace('_', "-")
}

/// 「個別報告書を閲覧しました」: what the actor did.
pub fn action(t: Tr, code: &str) -> String {
    match AuditAction::parse(code) {
        Some(a) => t.get(&format!("audit-did-{}", id_of(a.as_str()))),
        None => t.with("audit-did-unknown", "code", code),
    }
}

/// The kind's name alone (for the filter's choices).
pub fn kind_name(t: Tr, a: AuditAction) -> String {
    t.get(&format!("audit-did-{}", id_of(a.as_str())))
}

/// 「個別報告書 #123」, 「従業員 E00123」: the record an event is about. `label` replaces the
/// stored id where the page knows a better one (an employee's number).
pub fn target(t: Tr, kind: &str, id: &str, label: Option<&str>) -> String {
    let shown = label.unwrap_or(id);
    if kind.is_empty() {
        return t.get("audit-target-none");
    }
    if TARGETS.contains(&kind) {
        t.with(&format!("audit-target-{}", id_of(kind)), "id", shown)
    } else {
        t.with_args("audit-target-unknown", &[("kind", kind.to_string()), ("id", shown.to_string())])
    }
}

/// A stored value in words: a role, a status, a kind; numbers and dates as they are.
fn value(t: Tr, v: &str) -> String {
    if let Some(role) = Role::parse(v) {
        return super::role_label(t, role);
    }
    if let Some(kind) = AuditAction::parse(v) {
        return kind_name(t, kind);
    }
    if v.contains(',') {
        let parts: Vec<String> = v.split(',').map(|p| value(t, p)).collect();
        return t.join(&parts);
    }
    t.try_get(&format!("audit-value-{}", id_of(v))).unwrap_or_else(|| v.to_string())
}

/// The stored detail (`count=50 offset=0`, `draft->submitted`, …) as phrases
/// (「50件」, 「下書き → レビュー待ち」), joined.
pub fn detail(t: Tr, raw: &str) -> String {
    let raw = raw.replace("expired, deleted", "expired-deleted");
    let mut phrases: Vec<String> = Vec::new();
    let mut tokens = raw.split(' ').filter(|s| !s.is_empty()).peekable();
    while let Some(token) = tokens.next() {
        if let Some(rule) = token.strip_prefix("rule=") {
            // A rule is JSON and may hold spaces: skip to its closing brace.
            let mut depth = rule.matches('{').count() as i64 - rule.matches('}').count() as i64;
            while depth > 0 {
                let Some(next) = tokens.next() else { break };
                depth += next.matches('{').count() as i64 - next.matches('}').count() as i64;
            }
            phrases.push(t.get("audit-fact-rule"));
            continue;
        }
        if let Some((key, v)) = token.split_once('=') {
            match key {
                "count" => phrases.push(t.with("audit-fact-count", "n", v)),
                "offset" => match v.parse::<i64>() {
                    Ok(0) => {}
                    Ok(n) => phrases.push(t.with("audit-fact-offset", "n", n + 1)),
                    Err(_) => phrases.push(pair(t, key, v.to_string())),
                },
                "period" => {
                    let shown = match v.split_once("..") {
                        Some((a, b)) => t.with_args("audit-fact-period", &[("from", a.to_string()), ("to", b.to_string())]),
                        None => v.to_string(),
                    };
                    phrases.push(pair(t, key, shown));
                }
                "operation" => phrases.push(pair(t, key, v.to_string())),
                // The one yes/no field.
                "show_names" => phrases.push(pair(t, key, t.try_get(&format!("audit-flag-{v}")).unwrap_or_else(|| v.to_string()))),
                _ => phrases.push(pair(t, key, value(t, v))),
            }
        } else if let Some((from, to)) = token.split_once("->") {
            phrases.push(format!("{} → {}", value(t, from), value(t, to)));
        } else {
            phrases.push(value(t, token));
        }
    }
    t.join(&phrases)
}

fn pair(t: Tr, key: &str, shown: String) -> String {
    let label = if KEYS.contains(&key) { t.get(&format!("audit-key-{}", id_of(key))) } else { key.to_string() };
    t.with_args("audit-fact-pair", &[("key", label), ("value", shown)])
}

/// 「2026/12/03（木） 10:00:05」: the time of an event in Japan, in the product's one date format
/// (`Tr::date_ms`) and to the second.
pub fn when(t: Tr, at_ms: i64) -> String {
    match domain::time::to_jst(at_ms) {
        Some(at) => format!("{} {:02}:{:02}:{:02}", t.date_ms(at_ms), at.hour(), at.minute(), at.second()),
        None => at_ms.to_string(),
    }
}

/// Who acted: the account's name and login; an operator's command; a login that matched no
/// account.
pub fn actor(t: Tr, e: &ChainedEvent, name: Option<&str>) -> (String, String) {
    match (e.actor_user, name) {
        (Some(_), Some(name)) => (name.to_string(), e.actor_label.clone()),
        (None, _) if e.actor_label.starts_with("cli") || e.actor_label == "backup" || e.actor_label == "restore" => {
            (t.with("audit-operator", "label", &e.actor_label), String::new())
        }
        _ => (t.with("audit-actor-unknown", "label", &e.actor_label), e.actor_label.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::audit::{AuditDetail, AuditTarget, Fact, Key, Outcome};
    use domain::Locale;

    /// Every .ftl file of a locale, read together: a feature may keep its audit sentences beside
    /// its other strings. (The loader would fall back to Japanese, hiding a missing English one.)
    fn catalogue(lang: &str) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        let mut files: Vec<_> = std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        files.sort();
        files.iter().filter(|p| p.extension().is_some_and(|e| e == "ftl")).filter_map(|p| std::fs::read_to_string(p).ok()).collect()
    }

    fn has(catalogue: &str, id: &str) -> bool {
        catalogue.lines().any(|l| l.split_once(" =").is_some_and(|(k, _)| k.trim() == id))
    }

    fn both(id: &str) -> Vec<String> {
        let mut missing = Vec::new();
        for lang in ["ja", "en"] {
            if !has(&catalogue(lang), id) {
                missing.push(format!("{lang}: {id}"));
            }
        }
        missing
    }

    #[test]
    fn every_kind_of_event_has_a_sentence_in_both_languages() {
        let mut missing = Vec::new();
        for a in AuditAction::ALL {
            missing.extend(both(&format!("audit-did-{}", id_of(a.as_str()))));
        }
        for k in TARGETS {
            missing.extend(both(&format!("audit-target-{}", id_of(k))));
        }
        for k in KEYS {
            missing.extend(both(&format!("audit-key-{}", id_of(k))));
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_target_and_key_of_the_domain_is_known() {
        let targets = [
            AuditTarget::User,
            AuditTarget::SignInAttempt,
            AuditTarget::EmployeeRegister,
            AuditTarget::Employee,
            AuditTarget::CycleTargets,
            AuditTarget::Cycle,
            AuditTarget::Interview,
            AuditTarget::InterviewList,
            AuditTarget::Report,
            AuditTarget::ReportList,
            AuditTarget::ReviewQueue,
            AuditTarget::ConsultationRequest,
            AuditTarget::ConsultationRequestList,
            AuditTarget::ApiToken,
            AuditTarget::Tenant,
            AuditTarget::AccountList,
            AuditTarget::CalendarFeed,
            AuditTarget::IssueTags,
            AuditTarget::RubricItems,
            AuditTarget::SealedText { purpose: "interview_note" },
            AuditTarget::Backup,
            AuditTarget::DataKey,
            AuditTarget::Bench,
            AuditTarget::DemoHistory,
            AuditTarget::AuditLog,
            AuditTarget::Disclosure,
            AuditTarget::DisclosureList,
            AuditTarget::ConsentRecord,
            AuditTarget::BossGuide,
            AuditTarget::BossGuideAcknowledgments,
            AuditTarget::BossConsultation,
            AuditTarget::BossConsultationList,
            AuditTarget::Escalation,
            AuditTarget::ImportantCase,
            AuditTarget::ImportantCaseList,
            AuditTarget::OrgIssue,
            AuditTarget::OrgIssueList,
            AuditTarget::OverallReport,
            AuditTarget::OverallReportList,
            AuditTarget::ReportSettings,
            AuditTarget::ManagementReport,
            AuditTarget::QuestionnaireResponse,
            AuditTarget::QuestionnaireAnswers,
            AuditTarget::YearlyReview,
            AuditTarget::CycleComparison,
            AuditTarget::FollowUp,
            AuditTarget::FollowUpList,
            AuditTarget::Referral,
            AuditTarget::ReferralList,
            AuditTarget::TenantContact,
            AuditTarget::Action,
            AuditTarget::PolicyDocument,
            AuditTarget::Questionnaire,
        ];
        for target in targets {
            // A new variant fails to compile here until it is listed (and worded).
            match target {
                AuditTarget::User
                | AuditTarget::SignInAttempt
                | AuditTarget::EmployeeRegister
                | AuditTarget::Employee
                | AuditTarget::CycleTargets
                | AuditTarget::Cycle
                | AuditTarget::Interview
                | AuditTarget::InterviewList
                | AuditTarget::Report
                | AuditTarget::ReportList
                | AuditTarget::ReviewQueue
                | AuditTarget::ConsultationRequest
                | AuditTarget::ConsultationRequestList
                | AuditTarget::ApiToken
                | AuditTarget::Tenant
                | AuditTarget::AccountList
                | AuditTarget::CalendarFeed
                | AuditTarget::IssueTags
                | AuditTarget::RubricItems
                | AuditTarget::SealedText { .. }
                | AuditTarget::Backup
                | AuditTarget::DataKey
                | AuditTarget::Bench
                | AuditTarget::DemoHistory
                | AuditTarget::AuditLog
                | AuditTarget::Disclosure
                | AuditTarget::DisclosureList
                | AuditTarget::ConsentRecord => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
                AuditTarget::BossGuide
                | AuditTarget::BossGuideAcknowledgments
                | AuditTarget::BossConsultation
                | AuditTarget::BossConsultationList => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
                AuditTarget::Escalation => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
                AuditTarget::ImportantCase | AuditTarget::ImportantCaseList | AuditTarget::OrgIssue | AuditTarget::OrgIssueList => {
                    assert!(TARGETS.contains(&target.kind()), "{}", target.kind())
                }
                AuditTarget::OverallReport | AuditTarget::OverallReportList | AuditTarget::ReportSettings => {
                    assert!(TARGETS.contains(&target.kind()), "{}", target.kind())
                }
                AuditTarget::ManagementReport => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
                AuditTarget::QuestionnaireResponse
                | AuditTarget::QuestionnaireAnswers
                | AuditTarget::Action
                | AuditTarget::PolicyDocument => {
                    assert!(TARGETS.contains(&target.kind()), "{}", target.kind())
                }
                AuditTarget::YearlyReview | AuditTarget::CycleComparison => {
                    assert!(TARGETS.contains(&target.kind()), "{}", target.kind())
                }
                AuditTarget::FollowUp | AuditTarget::FollowUpList => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
                AuditTarget::Referral | AuditTarget::ReferralList | AuditTarget::TenantContact => {
                    assert!(TARGETS.contains(&target.kind()), "{}", target.kind())
                }
                AuditTarget::Questionnaire => assert!(TARGETS.contains(&target.kind()), "{}", target.kind()),
            }
        }
        let detail = AuditDetail::none()
            .and(Fact::N(Key::SessionsEnded, 1))
            .and(Fact::N(Key::User, 3))
            .and(Fact::Name(Key::Encoding, "sjis"))
            .and(Fact::N(Key::CalendarFeedsDeleted, 1));
        for part in detail.to_string().split(' ') {
            let key = part.split('=').next().unwrap_or_default();
            assert!(KEYS.contains(&key), "{key}");
        }
    }

    #[test]
    fn internals_become_phrases() {
        let ja = Tr::new(Locale::Ja);
        let en = Tr::new(Locale::En);
        assert_eq!(action(ja, "report_read"), "個別報告書を閲覧しました");
        assert_eq!(action(en, "report_read"), "Read an individual report");
        assert_eq!(target(ja, "report", "123", None), "個別報告書 #123");
        assert_eq!(target(ja, "employee", "17", Some("E00123")), "従業員 E00123");
        assert_eq!(target(ja, "employees", "list", None), "従業員名簿");
        assert_eq!(detail(ja, "count=50 offset=0"), "50件");
        assert_eq!(detail(en, "count=50 offset=100"), "50 items, from item 101");
        assert_eq!(detail(ja, "draft->submitted"), "下書き → レビュー待ち");
        assert_eq!(detail(ja, &AuditDetail::of(Fact::Is(Outcome::ExpiredDeleted)).to_string()), "期限切れのため削除");
        assert_eq!(
            detail(en, "requirement=confidential was=nobody sessions_ended=1"),
            "requirement: roles reading confidential content, was: nobody, sessions ended: 1"
        );
        assert_eq!(detail(ja, "show_names=1"), "氏名の表示：はい");
        assert_eq!(detail(ja, "kind=report_read offset=50 count=0"), "種類：個別報告書を閲覧しました、51件目から、0件");
        assert_eq!(detail(ja, "roles=consultant,hr"), "役割：キャリアコンサルタント、人事部門");
        let rule = r#"rule={"departments":["営業本部 第一"]} count=3"#;
        assert_eq!(detail(ja, rule), "対象者の条件を指定、3件");
        assert_eq!(when(ja, 1_764_723_600_000), "2025/12/03（水） 10:00:00");
        assert_eq!(when(en, 1_764_723_600_000), "Wed 3 Dec 2025 10:00:00");
    }

    #[test]
    fn english_words_hold_no_japanese() {
        let en = Tr::new(Locale::En);
        let japanese =
            |s: &str| s.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF | 0x3000..=0x303F | 0xFF00..=0xFFEF));
        for a in AuditAction::ALL {
            assert!(!japanese(&action(en, a.as_str())), "{}", a.as_str());
        }
        for k in TARGETS {
            assert!(!japanese(&target(en, k, "1", None)), "{k}");
        }
        for k in KEYS {
            assert!(!japanese(&detail(en, &format!("{k}=approved"))), "{k}");
        }
    }
}
