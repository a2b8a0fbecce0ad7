//! One error type for every handler, mapped to HTTP once. The body is rendered later by
//! `render_errors`, which knows whether the client wants JSON or a page, and in which language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::import::RowError;
use domain::{Invalid, Message};
use store::StoreError;

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
    Conflict(Message),
    /// Too many attempts; retry after this many seconds.
    Throttled(u64),
    /// The CSRF token was missing or wrong.
    Csrf,
    /// Anything else: logged with the request id, never shown.
    Internal(String),
    /// Signed in with a one-time password that has not been replaced yet.
    PasswordChangeRequired,
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
            AppError::PasswordChangeRequired => base(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "仮パスワードでログインしています。先にパスワードを変更してください。",
                "You signed in with a one-time password. Change your password first.",
            ),
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
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Rows(r) => AppError::Rows(r),
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
            (AppError::Conflict(Message::new("a", "b")), 409),
            (AppError::Throttled(3), 429),
            (AppError::Csrf, 403),
            (AppError::Internal("db down".into()), 500),
        ];
        for (e, code) in cases {
            assert_eq!(e.into_response().status().as_u16(), code);
        }
    }

    #[test]
    fn store_errors_never_carry_their_text_to_the_message() {
        let e: AppError = StoreError::Config("secret path /etc/x".into()).into();
        let info = e.info();
        assert_eq!(info.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!info.message.ja.contains("/etc/x") && !info.message.en.contains("/etc/x"));
    }
}
