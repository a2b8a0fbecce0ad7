//! One error type for every handler, mapped to HTTP once. The body is rendered later by
//! `render_errors`, which knows whether the client wants JSON or a page, and in which language.
//! The extractors at the end (`Path`, `Query`, `Form`) stand in for axum's, so that a request
//! the framework cannot read is answered through this mapping too, never as its plain text.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::import::RowError;
use domain::{Invalid, Message};
use serde::de::DeserializeOwned;
use store::StoreError;

/// The error code of [`AppError::GuideNotAcknowledged`].
pub const GUIDE_NOT_ACKNOWLEDGED: &str = "boss_guide_not_acknowledged";

#[derive(Debug)]
pub enum AppError {
    /// Not signed in.
    Unauthenticated,
    /// Signed in, but no acting role chosen yet.
    NeedsRole,
    Forbidden,
    NotFound,
    /// A value that cannot be accepted: what and where.
    Invalid(Invalid),
    /// An upload with rejected rows.
    Rows(Vec<RowError>),
    /// A body that is not what its `Content-Type` says (a form that is not UTF-8, JSON that
    /// does not parse): 400, before any route reads it (`well_formed`).
    Malformed(Invalid),
    /// Several values that cannot be accepted, all at once (a form sent back whole).
    Problems(Vec<Invalid>),
    Conflict(Message),
    /// Too many attempts; retry after this many seconds.
    Throttled(u64),
    /// The CSRF token was missing or wrong.
    Csrf,
    /// The request body is over the configured limit.
    TooLarge,
    /// The path exists, but not for this method.
    MethodNotAllowed,
    /// The body is not of a kind this route reads (`Content-Type`).
    UnsupportedMediaType,
    /// Anything else: logged with the request id, never shown.
    Internal(String),
    /// Signed in with a one-time password that has not been replaced yet.
    PasswordChangeRequired,
    /// A boss asked for feedback before acknowledging the guide for bosses (R8). Pages lead to
    /// the guide (`render_errors`); the API answers 409 `boss_guide_not_acknowledged`.
    GuideNotAcknowledged,
}

/// What `render_errors` needs to draw the error.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Message,
    pub field: Option<&'static str>,
    pub rows: Vec<RowError>,
    pub retry_after: Option<u64>,
    pub internal: Option<String>,
}

impl AppError {
    pub fn info(&self) -> ErrorInfo {
        let base = |status, code, ja: &str, en: &str| ErrorInfo {
            status,
            code,
            message: Message::new(ja, en),
            field: None,
            rows: Vec::new(),
            retry_after: None,
            internal: None,
        };
        match self {
            AppError::Unauthenticated => base(StatusCode::UNAUTHORIZED, "unauthenticated", "ログインが必要です。", "Please sign in."),
            AppError::NeedsRole => base(StatusCode::FORBIDDEN, "role_required", "利用する役割を選択してください。", "Choose the role you act in."),
            AppError::Forbidden => base(StatusCode::FORBIDDEN, "forbidden", "この操作を行う権限がありません。", "You are not allowed to do this."),
            AppError::NotFound => base(StatusCode::NOT_FOUND, "not_found", "お探しのページまたはデータは見つかりません。", "Not found."),
            AppError::Invalid(inv) => ErrorInfo {
                field: Some(inv.field),
                message: inv.message.clone(),
                ..base(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "", "")
            },
            AppError::Malformed(inv) => ErrorInfo {
                field: Some(inv.field),
                message: inv.message.clone(),
                ..base(StatusCode::BAD_REQUEST, "malformed", "", "")
            },
            AppError::Problems(all) => ErrorInfo {
                field: all.first().map(|i| i.field),
                message: Message::new(
                    all.iter().map(|i| i.message.ja.as_str()).collect::<Vec<_>>().join(""),
                    all.iter().map(|i| i.message.en.as_str()).collect::<Vec<_>>().join("; "),
                ),
                ..base(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "", "")
            },
            AppError::Rows(rows) => ErrorInfo {
                rows: rows.clone(),
                message: Message::new(
                    format!("{}件の誤りがあるため、取り込みませんでした。何も変更されていません。", rows.len()),
                    format!("{} problem(s) found; nothing was imported or changed.", rows.len()),
                ),
                ..base(StatusCode::UNPROCESSABLE_ENTITY, "rows_rejected", "", "")
            },
            AppError::Conflict(m) => ErrorInfo { message: m.clone(), ..base(StatusCode::CONFLICT, "conflict", "", "") },
            AppError::Throttled(secs) => ErrorInfo {
                retry_after: Some(*secs),
                message: Message::new(
                    format!("試行回数が多すぎます。{secs}秒後にもう一度お試しください。"),
                    format!("Too many attempts. Try again in {secs} seconds."),
                ),
                ..base(StatusCode::TOO_MANY_REQUESTS, "throttled", "", "")
            },
            AppError::Csrf => base(
                StatusCode::FORBIDDEN,
                "csrf",
                "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてやり直してください。",
                "The form expired or was not sent from this site. Reload the page and try again.",
            ),
            // 409: the role may read feedback; the account's state (the guide not yet
            // acknowledged) is what stands in the way, and acknowledging it resolves it.
            AppError::GuideNotAcknowledged => base(
                StatusCode::CONFLICT,
                GUIDE_NOT_ACKNOWLEDGED,
                "フィードバックをご覧いただく前に、上司ガイド（/boss/guide）を読んで「読みました・理解しました」を押してください。",
                "Before you see feedback, read the guide for managers (/boss/guide) and acknowledge it.",
            ),
            AppError::PasswordChangeRequired => base(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "仮パスワードでログインしています。先にパスワードを変更してください。",
                "You signed in with a one-time password. Change your password first.",
            ),
            AppError::TooLarge => ErrorInfo {
                field: Some("body"),
                ..base(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "invalid",
                    "送信されたデータが大きすぎます。ファイルを分割してお試しください。",
                    "The request is too large. Split the file and try again.",
                )
            },
            AppError::MethodNotAllowed => base(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "このアドレスはこの方法（HTTPメソッド）では利用できません。",
                "This address does not accept this method.",
            ),
            AppError::UnsupportedMediaType => ErrorInfo {
                field: Some("content-type"),
                ..base(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "送信内容の形式（Content-Type）がこの操作では受け付けられません。",
                    "This kind of content (Content-Type) is not accepted here.",
                )
            },
            AppError::Internal(cause) => ErrorInfo {
                internal: Some(cause.clone()),
                ..base(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "申し訳ありません。システムで問題が発生しました。時間をおいてお試しいただき、解決しない場合は下記の問い合わせ番号を管理者にお伝えください。",
                    "Sorry, something went wrong on our side. If it persists, give the reference below to your administrator.",
                )
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound | StoreError::Refused { .. } => AppError::NotFound,
            StoreError::GuideNotAcknowledged => AppError::GuideNotAcknowledged,
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Rows(r) => AppError::Rows(r),
            StoreError::Problems(all) => AppError::Problems(all),
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(format!("{other:?}")),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let info = self.info();
        let mut res = info.status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The error for a response the framework drew itself (no `ErrorInfo`): an unrouted
    /// method, a body over the limit, or any other refusal answered as plain text.
    pub fn from_framework(status: StatusCode) -> AppError {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge,
            StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            s if s.is_client_error() => AppError::Invalid(unreadable_request()),
            s => AppError::Internal(format!("the framework answered {s}")),
        }
    }
}

fn unreadable_request() -> Invalid {
    Invalid::new("request", "送信内容を読み取れませんでした。", "the request could not be read")
}

/// What went wrong reading a query string or a form, said in both languages and naming the
/// parameter (`where` is "query" or "form"; the parameter is in the message).
fn unreadable_fields(place: &'static str, path: &str, inner: &str) -> Invalid {
    let quoted = |s: &str| s.split('`').nth(1).map(|n| n.chars().take(40).collect::<String>());
    let name = match path {
        "" | "." => None,
        p => Some(p.chars().take(40).collect::<String>()),
    };
    if let (Some(field), true) = (quoted(inner), inner.starts_with("missing field")) {
        return Invalid::new(place, format!("「{field}」が指定されていません。"), format!("{field} is missing"));
    }
    if let (Some(field), true) = (quoted(inner), inner.starts_with("unknown field")) {
        return Invalid::new(place, format!("「{field}」は受け付けていない項目です。"), format!("{field} is not accepted here"));
    }
    let detail: String = inner.chars().take(120).collect();
    match name {
        Some(field) => Invalid::new(place, format!("「{field}」の値が正しくありません。"), format!("{field}: {detail}")),
        None => Invalid::new(place, "送信内容を読み取れませんでした。", format!("the request could not be read: {detail}")),
    }
}

/// A url-encoded text (query string or form body) into `T`, or the reason it is not one.
fn from_urlencoded<T: DeserializeOwned>(place: &'static str, bytes: &[u8]) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de)
        .map_err(|e| AppError::Invalid(unreadable_fields(place, &e.path().to_string(), &e.inner().to_string())))
}

impl From<BytesRejection> for AppError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::Invalid(Invalid::new("body", "送信内容を読み取れませんでした。", "the request body could not be read"))
        }
    }
}

/// Path parameters; a path that cannot be read (a bad id, bytes that are not UTF-8) names no
/// record and is answered as one that does not exist.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(AppError::NotFound),
            Err(other) => Err(AppError::Internal(format!("path parameters: {}", other.body_text()))),
        }
    }
}

/// The query string as `T`; a bad one answers 422 naming the parameter.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        from_urlencoded("query", parts.uri.query().unwrap_or("").as_bytes()).map(Query)
    }
}

/// A url-encoded form body as `T` (the query string for GET); a bad one answers 422 naming
/// the field, another kind of body 415, one over the limit 413.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return from_urlencoded("query", req.uri().query().unwrap_or("").as_bytes()).map(Form);
        }
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await?;
        from_urlencoded("form", &bytes).map(Form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_conflict_reaches_the_client_in_both_languages_as_said() {
        let said = Message::new("報告書の状態が変わっています。", "the report's status has changed");
        let info = AppError::from(StoreError::Conflict(said.clone())).info();
        assert_eq!((info.status, info.message), (StatusCode::CONFLICT, said));
    }

    #[test]
    fn each_error_maps_to_its_status() {
        let cases = [
            (AppError::Unauthenticated, 401),
            (AppError::NeedsRole, 403),
            (AppError::Forbidden, 403),
            (AppError::NotFound, 404),
            (AppError::Invalid(Invalid::new("x", "a", "b")), 422),
            (AppError::Rows(vec![]), 422),
            (AppError::Malformed(Invalid::new("body", "a", "b")), 400),
            (AppError::Problems(vec![Invalid::new("x", "a", "b")]), 422),
            (AppError::Conflict(Message::new("a", "b")), 409),
            (AppError::Throttled(3), 429),
            (AppError::Csrf, 403),
            (AppError::TooLarge, 413),
            (AppError::MethodNotAllowed, 405),
            (AppError::UnsupportedMediaType, 415),
            (AppError::Internal("db down".into()), 500),
        ];
        for (e, code) in cases {
            assert_eq!(e.into_response().status().as_u16(), code);
        }
    }

    #[test]
    fn framework_statuses_map_to_our_errors() {
        let code = |status: u16| AppError::from_framework(StatusCode::from_u16(status).unwrap_or_default()).info().code;
        let cases = [
            (400, "invalid"),
            (401, "unauthenticated"),
            (403, "forbidden"),
            (404, "not_found"),
            (405, "method_not_allowed"),
            (413, "invalid"),
            (415, "unsupported_media_type"),
            (422, "invalid"),
            (500, "internal"),
            (503, "internal"),
        ];
        for (status, expected) in cases {
            assert_eq!(code(status), expected, "{status}");
        }
        assert!(AppError::from_framework(StatusCode::INTERNAL_SERVER_ERROR).info().internal.is_some(), "logged, never shown");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Login {
        tenant: String,
        limit: Option<u32>,
    }

    #[test]
    fn unreadable_fields_are_named_in_both_languages() {
        let err = |q: &str| match from_urlencoded::<Login>("query", q.as_bytes()) {
            Err(AppError::Invalid(inv)) => (inv.field, inv.message.ja, inv.message.en),
            other => panic!("{q}: {other:?}"),
        };
        assert_eq!(err("limit=3"), ("query", "「tenant」が指定されていません。".into(), "tenant is missing".into()));
        let (field, ja, en) = err("tenant=a&limit=lots");
        assert_eq!((field, ja.as_str()), ("query", "「limit」の値が正しくありません。"));
        assert!(en.starts_with("limit: "), "{en}");
        assert!(from_urlencoded::<Login>("query", b"tenant=%FF%FE").is_ok(), "bytes that are not UTF-8 are read leniently");
    }

    #[test]
    fn store_errors_never_carry_their_text_to_the_message() {
        let e: AppError = StoreError::Config("secret path /etc/x".into()).into();
        let info = e.info();
        assert_eq!(info.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!info.message.ja.contains("/etc/x") && !info.message.en.contains("/etc/x"));
    }
}
