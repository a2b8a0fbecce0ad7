//! Url-encoded forms with repeated fields (checkbox groups), which `axum::Form` cannot read.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};

pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    pub fn first(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn text(&self, key: &str) -> String {
        self.first(key).unwrap_or("").to_string()
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    pub fn has(&self, key: &str) -> bool {
        self.first(key).is_some()
    }

    /// Fields whose names start with `prefix`, with the prefix removed.
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        self.0.iter().filter_map(|(k, v)| k.strip_prefix(prefix).map(|rest| (rest.to_string(), v.clone()))).collect()
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, AppError> {
        match self.first(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                AppError::Invalid(domain::Invalid::new(
                    "form",
                    format!("「{key}」には数値を入力してください。"),
                    format!("{key} must be a number"),
                ))
            }),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Over the limit: 413; otherwise unreadable: 422 naming the body (see `AppError`).
        let bytes = Bytes::from_request(req, state).await.map_err(AppError::from)?;
        Ok(FormPairs(url::form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::FormPairs;

    #[test]
    fn repeated_and_prefixed_fields() {
        let f = FormPairs(vec![("tags".into(), "a".into()), ("tags".into(), "b".into()), ("score_x".into(), "3".into())]);
        assert_eq!(f.all("tags"), vec!["a", "b"]);
        assert_eq!(f.prefixed("score_"), vec![("x".to_string(), "3".to_string())]);
        assert_eq!(f.int("nope").ok(), Some(None));
        assert!(FormPairs(vec![("n".into(), "x".into())]).int("n").is_err());
    }
}
