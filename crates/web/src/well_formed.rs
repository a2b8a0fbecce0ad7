//! A body that is not what its `Content-Type` says is refused with 400 before any route reads
//! it: a url-encoded form whose names or values do not decode to UTF-8, and JSON that is not
//! UTF-8 or does not parse. Without this, a form reader would turn the bytes into U+FFFD and
//! store the damage as if it had been typed, and each JSON reader would say it differently.
//! The check runs after the CSRF check (a cross-site post is refused as such first) and reads
//! the body once under the same limit as the handlers (413 beyond it); multipart uploads are
//! left to their readers, which take CP932 files on purpose.

use crate::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Invalid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Form,
    Json,
}

fn kind(headers: &HeaderMap) -> Option<Kind> {
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())?.trim_start().to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence == "application/x-www-form-urlencoded" {
        Some(Kind::Form)
    } else if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Some(Kind::Json)
    } else {
        None
    }
}

/// Global middleware: 400 for a form or JSON body that cannot be read as one.
pub async fn bodies(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(kind) = kind(req.headers()) else { return next.run(req).await };
    let (parts, body) = req.into_parts();
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(b) => b,
        Err(rejection) => return AppError::from(rejection).into_response(),
    };
    let checked = match kind {
        Kind::Form => form(&bytes),
        Kind::Json => json(&bytes),
    };
    if let Err(problem) = checked {
        return AppError::Malformed(problem).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A field name as a message may quote it: decoded as far as it goes, cut short.
fn shown_name(raw: &[u8]) -> String {
    let name: String = String::from_utf8_lossy(&percent_encoding::percent_decode(raw).collect::<Vec<u8>>()).chars().take(40).collect();
    name.replace('\u{FFFD}', "?")
}

/// Every name and value of a url-encoded body decodes (`+` and `%XX`) to UTF-8.
fn form(bytes: &[u8]) -> Result<(), Invalid> {
    for pair in bytes.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        for part in [name, value] {
            let decoded: Vec<u8> = percent_encoding::percent_decode(part).collect();
            if std::str::from_utf8(&decoded).is_err() {
                let field = shown_name(name);
                return Err(Invalid::new(
                    "body",
                    format!("送信内容の「{field}」に、文字として読み取れないデータ（UTF-8ではないバイト列）が含まれています。ページを再読み込みして、入力し直してください。"),
                    format!("the form field {field} is not valid UTF-8; reload the page and type it again"),
                ));
            }
        }
    }
    Ok(())
}

/// The body is UTF-8 and one JSON value (an empty body is left to the route, which may take none).
fn json(bytes: &[u8]) -> Result<(), Invalid> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        return Err(Invalid::new(
            "body",
            format!("JSONがUTF-8ではありません（{at}バイト目の後）。"),
            format!("the JSON body is not UTF-8 (after byte {at})"),
        ));
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(Invalid::new(
            "body",
            format!("JSONとして読み取れません（{}行{}文字目）。", e.line(), e.column()),
            format!("the JSON body cannot be parsed (line {}, column {}): {e}", e.line(), e.column()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms_must_decode_to_utf8() {
        assert!(form(b"").is_ok());
        assert!(form(b"a=1&b=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&c").is_ok());
        assert!(form("name=山田".as_bytes()).is_ok(), "raw UTF-8 bytes are UTF-8");
        for bad in [&b"note=%FF"[..], b"note=%E5%B1", b"%FE=1", b"note=\xff\xfe", b"a=1&note=abc%C3"] {
            let e = form(bad).err().map(|i| i.message);
            assert!(
                e.as_ref().is_some_and(|m| m.ja.contains("UTF-8") && m.en.contains("UTF-8")),
                "{:?}: {e:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let named = form(b"csrf=x&summary=%FF").err().map(|i| i.message.ja).unwrap_or_default();
        assert!(named.contains("「summary」"), "{named}");
    }

    #[test]
    fn json_must_be_utf8_and_parse() {
        assert!(json(b"").is_ok() && json(b" \n").is_ok());
        assert!(json(br#"{"a": [1, "\u00e9"], "b": null}"#).is_ok());
        assert!(json("\"山田\"".as_bytes()).is_ok());
        for bad in [&b"{oops"[..], b"{\"a\": 1", b"{\"a\": \"\xff\"}", b"[1,]", b"{} {}"] {
            assert!(json(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let said = json(b"{\n  \"a\": }").err().map(|i| i.message.ja).unwrap_or_default();
        assert!(said.contains("2行"), "{said}");
    }

    #[test]
    fn only_forms_and_json_are_checked() {
        let with = |ct: &str| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_TYPE, ct.parse().unwrap_or_else(|_| axum::http::HeaderValue::from_static("x/x")));
            kind(&h)
        };
        assert_eq!(with("application/x-www-form-urlencoded; charset=UTF-8"), Some(Kind::Form));
        assert_eq!(with("Application/JSON"), Some(Kind::Json));
        assert_eq!(with("application/problem+json"), Some(Kind::Json));
        assert_eq!(with("multipart/form-data; boundary=x"), None);
        assert_eq!(with("text/csv"), None);
        assert_eq!(kind(&HeaderMap::new()), None);
    }

    proptest! {
        /// Any text, encoded as a browser would, passes; any body passes or is refused without panicking.
        #[test]
        fn encoded_text_passes(name in "\\PC{0,12}", value in "\\PC{0,40}") {
            let body: String = url::form_urlencoded::Serializer::new(String::new()).append_pair(&name, &value).finish();
            prop_assert!(form(body.as_bytes()).is_ok());
        }

        #[test]
        fn any_bytes_are_judged(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = form(&bytes);
            let _ = json(&bytes);
        }
    }
}
