//! The OpenAPI document of the JSON API, served at `/api/v1/openapi.json`. Each module
//! documents its own paths; this one gathers them, names the bearer scheme and describes the
//! error body every endpoint shares.

use crate::error::{AppError, AppResult};
use crate::routes::Routes;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use domain::policy::Operation;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/openapi.json", Operation::Public, serve)
}

/// The body of every error answer under `/api/` (drawn by `render_errors`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorDetail {
    /// Stable and machine-readable: `unauthenticated`, `role_required`, `forbidden`,
    /// `not_found`, `malformed` (400: a body that is not UTF-8 or not JSON), `invalid`,
    /// `rows_rejected`, `conflict`, `throttled`, `csrf`,
    /// `method_not_allowed`, `unsupported_media_type`, `internal`; `boss_guide_not_acknowledged`
    /// (409): a boss asked for feedback before acknowledging the guide for bosses at
    /// `/boss/guide` (R8), which every feedback read requires.
    #[schema(example = "invalid")]
    pub code: String,
    /// The message in the request's language (the user's setting, else `Accept-Language`).
    /// When several values are refused at once (every missing section of a report, say), the
    /// message says them all and `field` names the first.
    pub message: String,
    #[schema(example = "limit には1から500までの整数を指定してください（指定値:「0」）。")]
    pub message_ja: String,
    #[schema(example = "limit must be a whole number from 1 to 500 (got \"0\")")]
    pub message_en: String,
    /// The parameter or field at fault, for `invalid`.
    #[schema(example = "limit")]
    pub field: Option<String>,
    /// Every rejected row of an upload, for `rows_rejected`.
    pub rows: Vec<RowErrorBody>,
    /// Quote this to the administrator; the server log holds the details under it.
    pub request_id: String,
}

/// A problem in an uploaded file: where, and what.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RowErrorBody {
    /// 1-based line of the file; 0 for the file as a whole.
    pub line: u64,
    /// The column's header as written in the file.
    pub column: Option<String>,
    pub message_ja: String,
    pub message_en: String,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token (`careerdock token create`, or the APIトークン page), sent as `Authorization: Bearer <token>`. Each token acts in one role."))
                    .build(),
            ),
        );
    }
}

/// A refusal the server answers before the route runs: `what`, with the API's error body.
fn refusal(what: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(what)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}

/// Every operation that takes a body may answer 400 (`malformed`: not UTF-8, or JSON that does
/// not parse) and 413 (over the size limit), whatever the route: the server refuses them before
/// the route reads the body.
struct BodyRefusals;

impl Modify for BodyRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
                if op.request_body.is_none() {
                    continue;
                }
                let responses = &mut op.responses.responses;
                responses
                    .entry("400".to_string())
                    .or_insert_with(|| refusal("`malformed`: the body is not UTF-8, or is not JSON that parses; `field` is `body`").into());
                responses.entry("413".to_string()).or_insert_with(|| refusal("The body is over the server's size limit").into());
            }
        }
    }
}

/// Every operation behind the bearer scheme may answer 401 (no token, or one unknown, expired or
/// revoked) and 403 (the token's role may not call it; the route table decides before the
/// handler runs), whatever the route: the modules document them where they say more.
struct AuthRefusals;

impl Modify for AuthRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let bearer = |security: &Option<Vec<utoipa::openapi::security::SecurityRequirement>>| {
            let json = serde_json::to_value(security).unwrap_or_default();
            json.as_array().is_some_and(|reqs| reqs.iter().any(|r| r.get("bearerAuth").is_some()))
        };
        let by_default = bearer(&openapi.security);
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
                let needs_token = if op.security.is_some() { bearer(&op.security) } else { by_default };
                if !needs_token {
                    continue;
                }
                let responses = &mut op.responses.responses;
                responses
                    .entry("401".to_string())
                    .or_insert_with(|| refusal("`unauthenticated`: no token, or the token is unknown, expired or revoked").into());
                responses
                    .entry("403".to_string())
                    .or_insert_with(|| refusal("`role_required` or `forbidden`: the token's role may not call this operation").into());
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "careerdock API",
        version = env!("CARGO_PKG_VERSION"),
        description = "The JSON API of careerdock (Self-Career Dock follow-up). Every call acts in the role of its token and is checked by the same policy as the pages; reads of personal data are recorded in the audit log. Errors share one body (`ErrorBody`) with messages in Japanese and English."
    ),
    paths(super::me::me, super::me::healthz, super::employees::list),
    components(schemas(ErrorBody, ErrorDetail, RowErrorBody)),
    modifiers(&BearerAuth),
    security(("bearerAuth" = [])),
    tags(
        (name = "account", description = "The caller's own account"),
        (name = "employees", description = "The employee register (従業員名簿)"),
        (name = "operations", description = "Health checks for load balancers and monitoring"),
    )
)]
struct CoreApi;

/// The documents of the API modules, this one first.
fn parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        CoreApi::openapi(),
        super::tokens::TokensApi::openapi(),
        super::reports::ReportsApi::openapi(),
        super::cycles::CyclesApi::openapi(),
        super::interviews::InterviewsApi::openapi(),
        super::disclosures::DisclosuresApi::openapi(),
        super::boss_consultations::BossConsultationsApi::openapi(),
        super::escalations::EscalationsApi::openapi(),
        super::notifications::NotificationsApi::openapi(),
        super::overall_reports::OverallReportsApi::openapi(),
        super::management_reports::ManagementReportsApi::openapi(),
        super::questionnaires::QuestionnairesApi::openapi(),
        super::yearly_reviews::YearlyReviewsApi::openapi(),
        super::effect_reports::EffectReportsApi::openapi(),
        super::follow_ups::FollowUpsApi::openapi(),
        super::referrals::ReferralsApi::openapi(),
        super::actions::ActionsApi::openapi(),
    ]
}

/// The whole document: the paths documented here and those of the other API modules. A schema
/// is named once for the whole document (merging keeps the first of a name: two modules naming
/// different bodies alike would document one with the other's fields).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut parts = parts().into_iter();
    let mut doc = parts.next().unwrap_or_else(CoreApi::openapi);
    for part in parts {
        doc.merge(part);
    }
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    BodyRefusals.modify(&mut doc);
    AuthRefusals.modify(&mut doc);
    doc
}

static DOCUMENT: OnceLock<String> = OnceLock::new();

async fn serve() -> AppResult<Response> {
    let json = match DOCUMENT.get() {
        Some(json) => json,
        None => {
            let json = document().to_json().map_err(|e| AppError::Internal(format!("openapi: {e}")))?;
            DOCUMENT.get_or_init(|| json)
        }
    };
    Ok(([(CONTENT_TYPE, "application/json")], json.clone()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use axum::middleware::from_fn;
    use axum::routing::get;
    use axum::Router;
    use domain::import::RowError;
    use domain::Message;
    use tower::ServiceExt;

    fn has_operation(item: &utoipa::openapi::PathItem, method: &Method) -> bool {
        match *method {
            Method::GET => item.get.is_some(),
            Method::POST => item.post.is_some(),
            Method::PUT => item.put.is_some(),
            Method::PATCH => item.patch.is_some(),
            Method::DELETE => item.delete.is_some(),
            _ => false,
        }
    }

    /// Fails until every module under `/api/v1/` documents its paths (tokens included).
    #[test]
    fn every_api_route_is_documented() {
        let doc = document();
        let missing: Vec<String> = crate::route_table()
            .into_iter()
            .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
            .filter(|r| !doc.paths.paths.get(r.path).is_some_and(|item| has_operation(item, &r.method)))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    }

    /// Every operation with a body documents the 400 and 413 the server answers before it.
    #[test]
    fn operations_with_a_body_document_malformed_and_too_large() {
        let doc = document();
        let mut with_body = 0;
        for (path, item) in &doc.paths.paths {
            for op in [&item.post, &item.put, &item.patch, &item.delete].into_iter().flatten() {
                if op.request_body.is_some() {
                    with_body += 1;
                    for status in ["400", "413"] {
                        assert!(op.responses.responses.contains_key(status), "{path}: no {status}");
                    }
                }
            }
        }
        assert!(with_body >= 10, "only {with_body} operations take a body");
    }

    /// Two modules never give one name to two different schemas: the merged document would keep
    /// the first, and the second's operations would document a body they do not read (the
    /// referral decision once showed the consent decision's fields).
    #[test]
    fn schema_names_are_unique_across_modules() {
        let mut seen: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        let mut clashes = Vec::new();
        for part in parts() {
            for (name, schema) in part.components.map(|c| c.schemas).unwrap_or_default() {
                let json = serde_json::to_string(&schema).unwrap_or_default();
                match seen.get(&name) {
                    Some(earlier) if *earlier != json => clashes.push(name),
                    Some(_) => {}
                    None => {
                        seen.insert(name, json);
                    }
                }
            }
        }
        assert!(clashes.is_empty(), "schemas named alike in two modules, with different fields: {clashes:?}");
        let json = document().to_json().unwrap_or_default();
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let body = |path: &str| {
            let schema = &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            let name = schema.as_str().and_then(|r| r.rsplit('/').next()).unwrap_or_default().to_string();
            doc["components"]["schemas"][name]["properties"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()
        };
        assert_eq!(body("/api/v1/referrals/{id}/decision"), ["decision", "note"]);
        assert!(body("/api/v1/my/disclosures/{id}/decision").contains(&"expires_on".to_string()));
    }

    #[test]
    fn document_names_the_api_and_its_bearer_scheme() {
        let doc = document();
        assert_eq!(doc.info.title, "careerdock API");
        assert_eq!(doc.info.version, env!("CARGO_PKG_VERSION"));
        let schemes = doc.components.as_ref().map(|c| c.security_schemes.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(schemes, ["bearerAuth"]);
        for path in ["/api/v1/me", "/api/v1/employees", "/healthz"] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
        let json = doc.to_json().unwrap_or_default();
        for schema in ["ErrorBody", "Me", "EmployeeList", "Employee", "Health"] {
            assert!(json.contains(&format!("\"{schema}\"")), "{schema}");
        }
    }

    async fn error_body(e: fn() -> AppError) -> ErrorBody {
        let app = Router::new().route("/api/x", get(move || async move { e() })).layer(from_fn(crate::pages::render_errors));
        let res = app.oneshot(Request::get("/api/x").body(Body::empty()).unwrap_or_default()).await;
        let res = res.unwrap_or_else(|never| match never {});
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
    }

    /// The documented schema is the body `render_errors` really writes.
    #[tokio::test]
    async fn error_schema_matches_the_rendered_body() {
        let invalid = error_body(|| AppError::Invalid(domain::Invalid::new("limit", "ja", "en"))).await;
        assert_eq!((invalid.error.code.as_str(), invalid.error.field.as_deref()), ("invalid", Some("limit")));
        let rows = error_body(|| {
            AppError::Rows(vec![RowError {
                line: 3,
                column: Some("生年".into()),
                message: Message::new("生年が不正です。", "bad birth year"),
            }])
        })
        .await;
        assert_eq!(rows.error.code, "rows_rejected");
        assert_eq!(rows.error.rows.first().map(|r| (r.line, r.column.as_deref())), Some((3, Some("生年"))));
    }
}
