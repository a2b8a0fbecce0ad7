//! Consultation requests (面談の申し出): what is said when a request can no longer be answered.

use crate::interview::RequestStatus;
use crate::limits::{REQUEST_MESSAGE, REQUEST_PREFERRED};
use crate::{Invalid, Message};

/// An employee's request as typed, checked whole: the preferred time (required) and the
/// message, each within its limit; every problem at once, or the two texts as kept.
pub fn check_request(preferred: &str, message: &str) -> Result<(String, String), Vec<Invalid>> {
    let mut problems = Vec::new();
    let preferred = match REQUEST_PREFERRED.check(preferred) {
        Ok(p) if p.is_empty() => {
            problems.push(Invalid::new(
                "preferred",
                "希望日時を入力してください（例：来週の午後、5月20日 10時〜12時）。",
                "give a preferred time (for example: next week in the afternoon, 20 May 10:00–12:00)",
            ));
            p
        }
        Ok(p) => p,
        Err(e) => {
            problems.push(e);
            String::new()
        }
    };
    let message = REQUEST_MESSAGE.check(message).map_err(|e| problems.push(e)).unwrap_or_default();
    if problems.is_empty() {
        Ok((preferred, message))
    } else {
        Err(problems)
    }
}

/// An answer refused because another consultant of the pool answered the request first.
pub fn answered_by_another() -> Message {
    Message::new("この申し出は別のコンサルタントがすでに回答しました。", "another consultant has already answered this request")
}

/// An answer refused because the request was answered already (it is `status` now).
pub fn already_answered(status: RequestStatus) -> Message {
    Message::new(
        format!("この申し出はすでに回答済みです（{}）。", status.label_ja()),
        format!("this request has already been answered ({})", status.label_en()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_checked_whole() {
        let fields = |p: &str, m: &str| check_request(p, m).err().unwrap_or_default().into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(" ", &"x".repeat(2_001)), vec!["preferred", "message"]);
        assert_eq!(fields(&"x".repeat(201), ""), vec!["preferred"]);
        assert!(check_request("来週の午後", "").is_ok());
    }

    #[test]
    fn answered_requests_are_said_in_both_languages() {
        let m = already_answered(RequestStatus::Declined);
        assert_eq!(m.ja, "この申し出はすでに回答済みです（見送り）。");
        assert_eq!(m.en, "this request has already been answered (Declined)");
        let m = answered_by_another();
        assert!(!m.ja.is_empty() && !m.en.is_empty() && m.ja != m.en);
    }
}
