//! The consultant's disclosures and the employee's decisions on them, as forms and API bodies
//! take them (R5, R8): the text's and the comments' limits, and every problem of a decision
//! said at once. The rules of the ledger itself (`state`, `may_decide`, `release`) are in
//! [`crate::consent`]; this module words their refusals for people.

use crate::consent::{ConsentDecision, ConsentMethod, DecisionRefused, Purpose};
use crate::limits::TextLimit;
use crate::Invalid;
use chrono::NaiveDate;

/// The text meant for the recipient.
pub const DISCLOSURE_TEXT: TextLimit =
    TextLimit { field: "text", max: 10_000, label_ja: "伝える文章", label_en: "the text", one_line: false };
/// The employee's comment with a decision (required when asking for changes).
pub const CONSENT_COMMENT: TextLimit =
    TextLimit { field: "comment", max: 2_000, label_ja: "コメント", label_en: "the comment", one_line: false };
/// The consultant's note of how a decision recorded on the employee's behalf was confirmed.
pub const CONSENT_EVIDENCE: TextLimit =
    TextLimit { field: "evidence", max: 2_000, label_ja: "証跡メモ", label_en: "the evidence note", one_line: false };

/// The checked text of a disclosure: trimmed, not empty, within its limit.
pub fn check_text(text: &str) -> Result<String, Invalid> {
    let text = DISCLOSURE_TEXT.check(text)?;
    if text.is_empty() {
        return Err(Invalid::new("text", "伝える文章を入力してください。", "write the text to be shared"));
    }
    Ok(text)
}

/// The purposes a consultant writes from a report: feedback to the boss, an important case for
/// HR, and the text a referral to health staff or an outside contact may carry (R9: the employee
/// consents to that exact text; `store::referrals` sends nothing else).
pub const WRITABLE_PURPOSES: [Purpose; 3] = [Purpose::BossFeedback, Purpose::ImportantCase, Purpose::Referral];

/// A decision as typed: every problem at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedDecision {
    pub decision: ConsentDecision,
    pub comment: String,
    /// The end of the chosen day in Japan (epoch milliseconds), for a grant.
    pub expires_at_ms: Option<i64>,
}

/// Checks an employee's decision (`grant`, `refuse` or `request_changes`), its comment and its
/// optional expiry date (`YYYY-MM-DD`, a day after `today`). A withdrawal has its own button.
pub fn check_decision(decision: &str, comment: &str, expires_on: &str, today: NaiveDate) -> Result<CheckedDecision, Vec<Invalid>> {
    let mut problems = Vec::new();
    let decision = match ConsentDecision::parse(decision) {
        Some(d) if d != ConsentDecision::Withdraw => Some(d),
        _ => {
            problems.push(Invalid::new(
                "decision",
                "「同意する」「同意しない」「修正を依頼する」のいずれかを選んでください。",
                "choose to agree, not to agree, or to ask for changes",
            ));
            None
        }
    };
    let comment = match CONSENT_COMMENT.check(comment) {
        Ok(c) => c,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    if decision == Some(ConsentDecision::RequestChanges) && comment.is_empty() && problems.iter().all(|p| p.field != "comment") {
        problems.push(Invalid::new(
            "comment",
            "修正を依頼する場合は、どこをどう直してほしいかをコメントに書いてください。",
            "say in the comment what should be changed",
        ));
    }
    let expires_at_ms = match check_expiry(expires_on, today) {
        Ok(x) => x,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    match decision {
        Some(decision) if problems.is_empty() => {
            Ok(CheckedDecision { decision, comment, expires_at_ms: if decision == ConsentDecision::Grant { expires_at_ms } else { None } })
        }
        _ => Err(problems),
    }
}

/// An expiry date (`YYYY-MM-DD`, Japan time): empty for none; the consent ends at the end of that
/// day, which must come after today.
pub fn check_expiry(expires_on: &str, today: NaiveDate) -> Result<Option<i64>, Invalid> {
    let s = expires_on.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        Invalid::new("expires_on", "有効期限は年-月-日（例: 2027-03-31）で指定してください。", "give the end date as YYYY-MM-DD")
    })?;
    if day < today {
        return Err(Invalid::new("expires_on", "有効期限には今日以降の日付を指定してください。", "the end date must be today or later"));
    }
    let next = day.succ_opt().unwrap_or(day);
    Ok(Some(crate::time::jst_ms(next, 0, 0)))
}

/// Checks a decision the consultant records on the employee's behalf: written or verbal, with an
/// evidence note.
pub fn check_on_behalf(
    decision: &str,
    method: &str,
    evidence: &str,
    expires_on: &str,
    today: NaiveDate,
) -> Result<(ConsentDecision, ConsentMethod, String, Option<i64>), Vec<Invalid>> {
    let mut problems = Vec::new();
    let decision = ConsentDecision::parse(decision).filter(|d| *d != ConsentDecision::RequestChanges);
    if decision.is_none() {
        problems.push(Invalid::new(
            "decision",
            "「同意」「不同意」「同意の取り消し」のいずれかを選んでください。",
            "choose agreed, did not agree, or withdrew",
        ));
    }
    let method = ConsentMethod::parse(method).filter(|m| m.on_behalf());
    if method.is_none() {
        problems.push(Invalid::new(
            "method",
            "確認の方法（書面・口頭）を選んでください。",
            "choose how it was confirmed: in writing or verbally",
        ));
    }
    let evidence = match CONSENT_EVIDENCE.check(evidence) {
        Ok(e) if e.is_empty() => {
            problems.push(Invalid::new(
                "evidence",
                "証跡メモを入力してください（いつ、どのように本人の判断を確認したか）。",
                "write the evidence note: when and how the employee's decision was confirmed",
            ));
            String::new()
        }
        Ok(e) => e,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let expires = match check_expiry(expires_on, today) {
        Ok(x) => x,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    match (decision, method) {
        (Some(d), Some(m)) if problems.is_empty() => Ok((d, m, evidence, if d == ConsentDecision::Grant { expires } else { None })),
        _ => Err(problems),
    }
}

/// Why the ledger refused a decision, for people.
pub fn refusal(r: DecisionRefused) -> Invalid {
    match r {
        DecisionRefused::AlreadyGranted => Invalid::new(
            "decision",
            "すでに同意しています。共有をやめる場合は「同意を取り消す」を使ってください。",
            "you have already agreed; to stop sharing, withdraw your consent",
        ),
        DecisionRefused::NotGranted => {
            Invalid::new("decision", "同意していない内容は取り消せません。", "only a consent that was given can be withdrawn")
        }
        DecisionRefused::NotPending => Invalid::new(
            "decision",
            "この内容はいま確認を待っていないため、修正の依頼や不同意は記録できません。",
            "this text is not waiting for a decision now",
        ),
        DecisionRefused::ExpiryInPast => {
            Invalid::new("expires_on", "有効期限には今日以降の日付を指定してください。", "the end date must be today or later")
        }
        DecisionRefused::StaleVersion => Invalid::new(
            "version",
            "確認中に文章が改訂されました。新しい文章を読んでから、改めて判断してください。",
            "the text was revised meanwhile; read the new text and decide again",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
    }

    #[test]
    fn every_problem_of_a_decision_is_said_at_once() {
        let e = check_decision("maybe", &"あ".repeat(2001), "2026/12/31", today()).err().unwrap_or_default();
        let fields: Vec<&str> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["decision", "comment", "expires_on"]);
        let e = check_decision("request_changes", "  ", "", today()).err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["comment"]);
        assert!(check_decision("withdraw", "", "", today()).is_err(), "withdrawing has its own button");
    }

    #[test]
    fn an_expiry_ends_with_its_day_in_japan_and_only_a_grant_keeps_it() {
        let ok = check_decision("grant", "", "2026-12-31", today()).unwrap_or_else(|e| panic!("{e:?}"));
        // 2027-01-01 00:00 JST is 2026-12-31 15:00 UTC.
        assert_eq!(ok.expires_at_ms, Some(1_798_729_200_000));
        assert_eq!(check_decision("refuse", "", "2026-12-31", today()).map(|d| d.expires_at_ms), Ok(None));
        assert!(check_decision("grant", "", "2026-12-02", today()).is_err());
        assert!(check_decision("grant", "", "2026-12-03", today()).is_ok(), "today is still allowed: it ends tonight");
    }

    #[test]
    fn on_behalf_needs_a_method_and_evidence() {
        let e = check_on_behalf("grant", "app", "", "", today()).err().unwrap_or_default();
        assert_eq!(e.iter().map(|p| p.field).collect::<Vec<_>>(), ["method", "evidence"]);
        let ok = check_on_behalf("withdraw", "verbal", "面談で口頭で確認した", "", today());
        assert_eq!(ok.map(|(d, m, _, _)| (d, m)), Ok((ConsentDecision::Withdraw, ConsentMethod::Verbal)));
    }

    #[test]
    fn a_text_is_needed() {
        assert!(check_text(" \n ").is_err());
        assert_eq!(check_text(" 伝えます ").as_deref(), Ok("伝えます"));
        assert!(check_text(&"あ".repeat(10_001)).is_err());
    }
}
