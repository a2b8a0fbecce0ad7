//! Security headers on every response, and a request log without personal content.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A request id, carried in logs and shown on error pages so support can find the cause.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", CSP);
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(h, "permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    if !is_static {
        // Pages carry personal data: never keep them in a shared or browser cache.
        set(h, "cache-control", "no-store");
    }
    res
}

/// Logs method, route, status and time — never query strings, bodies or names.
pub async fn request_log(mut req: Request, next: Next) -> Response {
    let id = store_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let mut res = next.run(req).await;
    let status = res.status().as_u16();
    tracing::info!(request_id = %id, %method, path = %redact_path(&path), status, ms = start.elapsed().as_millis() as u64, "request");
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    res
}

fn store_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Numeric path segments are ids, and a calendar feed's segment is its secret: keep the shape
/// of the route, never the record or the secret.
fn redact_path(path: &str) -> String {
    if path.starts_with("/calendar/") {
        return "/calendar/:secret".to_string();
    }
    path.split('/').map(|s| if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) { ":id" } else { s }).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_redacted_from_logged_paths() {
        assert_eq!(super::redact_path("/api/v1/tokens/42"), "/api/v1/tokens/:id");
        assert_eq!(super::redact_path("/calendar/0123abcdef.ics"), "/calendar/:secret");
    }
}
