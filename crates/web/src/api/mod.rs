//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//! Errors answer `{"error": {"code", "message", "message_ja", "message_en", "field", "rows", "request_id"}}`.

mod actions;
mod boss_consultations;
mod cycles;
mod disclosures;
mod effect_reports;
mod employees;
mod escalations;
mod follow_ups;
mod interviews;
mod management_reports;
mod me;
mod notifications;
mod openapi;
mod overall_reports;
mod questionnaires;
mod referrals;
mod reports;
mod tokens;
mod yearly_reviews;

use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use domain::Invalid;
use serde::de::DeserializeOwned;

pub fn routes(r: Routes) -> Routes {
    let r = openapi::routes(r);
    let r = me::routes(r);
    let r = employees::routes(r);
    let r = cycles::routes(r);
    let r = interviews::routes(r);
    let r = reports::routes(r);
    let r = disclosures::routes(r);
    let r = boss_consultations::routes(r);
    let r = escalations::routes(r);
    let r = notifications::routes(r);
    let r = overall_reports::routes(r);
    let r = management_reports::routes(r);
    let r = questionnaires::routes(r);
    let r = yearly_reviews::routes(r);
    let r = effect_reports::routes(r);
    let r = follow_ups::routes(r);
    let r = referrals::routes(r);
    let r = actions::routes(r);
    tokens::routes(r)
}

/// Reads a JSON body: one that does not parse is malformed (400, as `well_formed` answers a
/// body sent as JSON); one that parses but does not fit (a missing field, a wrong type) is
/// invalid (422). Both name `body`.
pub fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        let said = Invalid::new("body", format!("JSONの形式が正しくありません: {e}"), format!("the JSON body is invalid: {e}"));
        match e.classify() {
            serde_json::error::Category::Data => AppError::Invalid(said),
            _ => AppError::Malformed(said),
        }
    })
}

/// A value echoed in a message, cut short so a huge parameter is not sent back whole.
fn echo(v: &str) -> String {
    v.chars().take(40).collect()
}
