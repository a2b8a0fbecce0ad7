//! The demo's referrals (R9), one in every state: `consultant1` refers employees of their
//! approved reports, on the employee's consent (the exact text below, agreed in writing), to the
//! health staff `health` (木村) and `health2` (森), to health staff as a role, and to the EAP, an
//! outside contact HR registered; one more is opened without consent under an escalation
//! consultant1 raised. The recipients answer: accepted, in care, closed, declined with a reason.
//! Pure: the texts and the paths; `careerdock`'s `demo_referrals` writes them through the store.

/// Who receives a demo referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    /// The `health` login.
    Health,
    /// The `health2` login.
    Health2,
    /// Everyone acting as health staff.
    HealthStaff,
    /// The first outside contact (the EAP).
    Eap,
}

/// One demo referral: what the employee consented to, to whom, and the steps its recipient
/// records after it (decision code, note), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoReferral {
    pub text: &'static str,
    pub to: To,
    pub steps: &'static [(&'static str, &'static str)],
}

/// The tenant's outside contacts: (name, kind, telephone, e-mail).
pub const CONTACTS: [(&str, &str, &str, &str); 2] =
    [("こころの相談室（EAP）", "eap", "0120-000-000", "eap@example.jp"), ("みなとメンタルクリニック", "institution", "03-0000-0000", "")];

/// On consent, one in every state.
pub const REFERRALS: [DemoReferral; 5] = [
    DemoReferral {
        text: "最近、寝つきが悪く日中の集中が続かないとのことです。産業医面談で体調を確認していただけますか。本人は面談を希望しています。",
        to: To::Health,
        steps: &[],
    },
    DemoReferral {
        text: "異動後の業務量の増加で疲れがたまっているとのことです。保健師との面談を希望しています。",
        to: To::Health2,
        steps: &[("accept", "来週火曜に保健師面談を設定します。")],
    },
    DemoReferral {
        text: "残業が続き、食欲が落ちているとの話がありました。産業医による健康相談をお願いします。",
        to: To::HealthStaff,
        steps: &[("accept", "産業医面談を設定しました。"), ("in_care", "月1回の経過観察を行います。")],
    },
    DemoReferral {
        text: "家族の介護と仕事の両立に悩んでいます。外部の相談窓口（EAP）の利用を希望しています。",
        to: To::Eap,
        steps: &[
            ("accept", "EAPで受付済み（電話で確認）。"),
            ("in_care", ""),
            ("close", "3回のカウンセリングで終了。本人は職場で継続して就業。"),
        ],
    },
    DemoReferral {
        text: "職場の人間関係で強い緊張を感じているとのことです。専門の相談先を紹介していただけますか。",
        to: To::Health2,
        steps: &[("decline", "専門外のため、外部の医療機関への紹介をお勧めします。")],
    },
];

/// The summary of the referral opened under an escalation (without consent).
pub const ESCALATION_SUMMARY: &str = "面談中に強い希死念慮の訴えがありました。エスカレーションに基づき、本日中の産業医面談をお願いします。";

/// Every state of the status machine appears among the demo's referrals.
pub fn final_states() -> Vec<domain::referral::ReferralStatus> {
    use domain::referral::{transition, ReferralAction, ReferralStatus};
    REFERRALS
        .iter()
        .map(|r| {
            r.steps
                .iter()
                .fold(ReferralStatus::Referred, |s, (a, _)| ReferralAction::parse(a).and_then(|a| transition(s, a).ok()).unwrap_or(s))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::referral::{check_contact, check_decision, ReferralStatus};

    #[test]
    fn the_demo_shows_every_state_with_valid_steps() {
        let states = final_states();
        for s in ReferralStatus::ALL {
            assert!(states.contains(&s), "{s:?}");
        }
        for r in REFERRALS {
            for (a, note) in r.steps {
                assert!(check_decision(a, note).is_ok(), "{a} {note}");
            }
        }
        for (name, kind, phone, email) in CONTACTS {
            assert!(check_contact(name, kind, phone, email).is_ok(), "{name}");
        }
    }
}
