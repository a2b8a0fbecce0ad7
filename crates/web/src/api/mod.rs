//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//! Errors answer `{"error": {"code", "message", "message_ja", "message_en", "field", "rows", "request_id"}}`.

mod employees;
mod me;
mod openapi;
mod tokens;

use crate::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    let r = openapi::routes(r);
    let r = me::routes(r);
    let r = employees::routes(r);
    tokens::routes(r)
}
