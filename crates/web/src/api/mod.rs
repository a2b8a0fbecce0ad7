//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//! Errors answer `{"error": {"code", "message", "message_ja", "message_en", "field", "rows", "request_id"}}`.

mod cycles;
mod employees;
mod interviews;
mod me;
mod openapi;
mod reports;
mod tokens;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    let r = openapi::routes(r);
    let r = me::routes(r);
    let r = employees::routes(r);
    let r = cycles::routes(r);
    let r = interviews::routes(r);
    let r = reports::routes(r);
    tokens::routes(r)
}
