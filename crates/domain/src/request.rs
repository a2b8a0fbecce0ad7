//! Consultation requests (面談の申し出): what is said when a request can no longer be answered.

use crate::interview::RequestStatus;
use crate::Message;

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
    fn answered_requests_are_said_in_both_languages() {
        let m = already_answered(RequestStatus::Declined);
        assert_eq!(m.ja, "この申し出はすでに回答済みです（見送り）。");
        assert_eq!(m.en, "this request has already been answered (Declined)");
        let m = answered_by_another();
        assert!(!m.ja.is_empty() && !m.en.is_empty() && m.ja != m.en);
    }
}
