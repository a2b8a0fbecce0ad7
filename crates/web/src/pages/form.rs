//! Url-encoded forms with repeated fields (checkbox groups), which `axum::Form` cannot read;
//! and the one way every form is sent back when what was typed cannot be accepted
//! ([`FormErrors`]): the same form, answered 422, with every problem listed at the top (each a
//! link to its field) and said again beside its field (`aria-describedby`, `aria-invalid`),
//! and every value as typed. Only errors that are not about the input (not found, internal)
//! leave the form for the error page ([`sent_back`]).
//!
//! In a template: `{% include "form_errors.html" %}` draws the summary of `errors`; beside a
//! field, `{{ errors.aria("name")|safe }}` goes in the input's tag and `{{ errors.beside("name")|safe }}`
//! after it (`errors.aria_with("name", "help-id")` when the field already has a help text).

use crate::error::AppError;
use crate::i18n::Tr;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use domain::Invalid;

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

/// One problem of a form: the field it is about (the `name` of the input), the element the
/// summary links to (its `id`), and what is wrong, in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub anchor: String,
    pub message: String,
}

/// Every problem of a form sent back, ready for `form_errors.html` and for each field.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    pub items: Vec<FieldError>,
    pub heading: String,
}

/// Text for HTML, escaped (the messages can quote what was typed).
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A field name as an element id: letters, digits, `-` and `_` only.
fn id_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

impl FormErrors {
    pub fn none() -> Self {
        FormErrors::default()
    }

    /// The problems in `t`'s language, each linked to the input of the same name, in order,
    /// the same message once.
    pub fn new(t: Tr, problems: &[Invalid]) -> Self {
        let mut items: Vec<FieldError> = Vec::new();
        for p in problems {
            let item = FieldError { field: p.field.to_string(), anchor: id_safe(p.field), message: t.msg(&p.message).to_string() };
            if !items.contains(&item) {
                items.push(item);
            }
        }
        let heading = if items.is_empty() { String::new() } else { t.with("form-errors-heading", "count", items.len()) };
        FormErrors { items, heading }
    }

    /// Links the summary to other elements than the field's name: (field, element id).
    pub fn anchored(mut self, anchors: &[(&str, &str)]) -> Self {
        for item in self.items.iter_mut() {
            if let Some((_, id)) = anchors.iter().find(|(f, _)| *f == item.field) {
                item.anchor = id_safe(id);
            }
        }
        self
    }

    pub fn any(&self) -> bool {
        !self.items.is_empty()
    }

    pub fn on(&self, field: &str) -> bool {
        self.items.iter().any(|i| i.field == field)
    }

    /// The id of the message beside `field`.
    pub fn id(field: &str) -> String {
        format!("err-{}", id_safe(field))
    }

    /// What is wrong with `field`, each problem once, or nothing.
    pub fn message(&self, field: &str) -> String {
        self.items.iter().filter(|i| i.field == field).map(|i| i.message.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The attributes of `field`'s input: invalid and described by its message, when it has one.
    pub fn aria(&self, field: &str) -> String {
        self.aria_with(field, "")
    }

    /// As [`FormErrors::aria`], for an input already described by the element `help`.
    pub fn aria_with(&self, field: &str, help: &str) -> String {
        let help = id_safe(help);
        match (self.on(field), help.is_empty()) {
            (true, true) => format!(r#" aria-invalid="true" aria-describedby="{}""#, Self::id(field)),
            (true, false) => format!(r#" aria-invalid="true" aria-describedby="{help} {}""#, Self::id(field)),
            (false, true) => String::new(),
            (false, false) => format!(r#" aria-describedby="{help}""#),
        }
    }

    /// The message shown beside `field` (an element with [`FormErrors::id`]), or nothing.
    pub fn beside(&self, field: &str) -> String {
        if !self.on(field) {
            return String::new();
        }
        format!(r#"<p class="field-error" id="{}">{}</p>"#, Self::id(field), escape(&self.message(field)))
    }
}

/// Whether an error is about what was typed, so the form is sent back with it (422, or 409 for
/// a change made meanwhile, said at the top); anything else stays an error for the error page.
pub fn sent_back(e: AppError) -> Result<(StatusCode, Vec<Invalid>), AppError> {
    match e {
        AppError::Invalid(i) => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![i])),
        AppError::Problems(all) => Ok((StatusCode::UNPROCESSABLE_ENTITY, all)),
        AppError::Conflict(message) => Ok((StatusCode::CONFLICT, vec![Invalid { field: "form", message }])),
        other => Err(other),
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
    fn every_problem_is_listed_and_said_beside_its_field() {
        use super::{sent_back, FormErrors};
        use crate::error::AppError;
        use crate::i18n::Tr;
        use domain::{Invalid, Locale};
        let problems = vec![
            Invalid::new("name", "名称を入力してください。", "give a name"),
            Invalid::new("ends_on", "終了日は<開始日>より後に。", "the end must follow the start"),
            Invalid::new("name", "名称を入力してください。", "give a name"),
        ];
        let e = FormErrors::new(Tr::new(Locale::Ja), &problems).anchored(&[("name", "cycle-name")]);
        assert_eq!(e.items.len(), 2, "the same message once");
        assert!(e.heading.contains('2'), "{}", e.heading);
        assert_eq!(e.items[0].anchor, "cycle-name");
        assert_eq!(e.aria("ends_on"), r#" aria-invalid="true" aria-describedby="err-ends_on""#);
        assert_eq!(e.aria_with("name", "help"), r#" aria-invalid="true" aria-describedby="help err-name""#);
        assert_eq!(e.aria_with("grade", "help"), r#" aria-describedby="help""#);
        assert_eq!(e.aria("grade"), "");
        assert!(e.beside("ends_on").contains("&lt;開始日&gt;"), "escaped: {}", e.beside("ends_on"));
        assert_eq!(e.beside("grade"), "");
        let en = FormErrors::new(Tr::new(Locale::En), &problems);
        assert_eq!(en.message("name"), "give a name");
        assert!(sent_back(AppError::NotFound).is_err());
        assert_eq!(sent_back(AppError::Problems(problems)).map(|(s, p)| (s.as_u16(), p.len())).ok(), Some((422, 3)));
    }

    #[test]
    fn repeated_and_prefixed_fields() {
        let f = FormPairs(vec![("tags".into(), "a".into()), ("tags".into(), "b".into()), ("score_x".into(), "3".into())]);
        assert_eq!(f.all("tags"), vec!["a", "b"]);
        assert_eq!(f.prefixed("score_"), vec![("x".to_string(), "3".to_string())]);
        assert_eq!(f.int("nope").ok(), Some(None));
        assert!(FormPairs(vec![("n".into(), "x".into())]).int("n").is_err());
    }
}
