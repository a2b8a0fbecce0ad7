//! `/api/v1/tokens`: the caller's own API tokens (list, revoke). Issuing a token is done
//! on the web page only, from a signed-in session, so a token can never mint another.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::{AppError, AppResult, Path};
use crate::i18n::Tr;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::ids::TokenId;
use domain::policy::Operation;
use domain::Invalid;
use serde::Serialize;
use store::TokenRow;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/tokens", Operation::ManageOwnTokens, list_tokens).delete("/api/v1/tokens/{id}", Operation::ManageOwnTokens, revoke_token)
}

/// The paths and schemas of this module, merged into `/api/v1/openapi.json` by `openapi.rs`.
#[derive(OpenApi)]
#[openapi(paths(list_tokens, revoke_token), components(schemas(ApiToken, ApiTokenList)), tags((name = "tokens", description = "The caller's own API tokens")))]
pub struct TokensApi;

/// One token, without its secret (which is shown once, when issued).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = "HR system sync")]
    pub name: String,
    /// The role the token acts in.
    #[schema(example = "hr")]
    pub role: String,
    /// The first characters of the token, to recognise it.
    #[schema(example = "cdk_1a2b3c4d")]
    pub prefix: String,
    #[schema(format = DateTime, example = "2026-11-25T01:02:03.000Z")]
    pub created_at: String,
    /// `null`: never expires.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<String>,
    /// `null`: never used.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<String>,
    /// `null`: not revoked.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}

/// Epoch milliseconds as RFC 3339 in UTC, e.g. `2026-11-25T01:02:03.000Z`.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)).unwrap_or_default()
}

impl From<&TokenRow> for ApiToken {
    fn from(t: &TokenRow) -> Self {
        ApiToken {
            id: t.id.get(),
            name: t.name.clone(),
            role: t.role.as_str().to_string(),
            prefix: t.prefix.clone(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

/// A path id that is not a positive number is refused as a JSON 422 naming `id`, rather
/// than with axum's plain-text rejection.
pub fn parse_id(raw: &str) -> Result<TokenId, Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(TokenId::new)
        .ok_or_else(|| Invalid { field: "id", message: Tr::both("tokens-error-id") })
}

/// The caller's own tokens, newest first, active or not.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    operation_id = "listTokens",
    tag = "tokens",
    responses(
        (status = 200, description = "The caller's tokens, newest first", body = ApiTokenList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or acting as an employee (employees hold no API tokens)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list_tokens(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<ApiTokenList>> {
    let rows = state.store.tokens_of(p.tenant.id, p.user.id).await?;
    Ok(Json(ApiTokenList { items: rows.iter().map(ApiToken::from).collect() }))
}

/// Revokes one of the caller's own tokens (a token may revoke itself).
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    operation_id = "revokeToken",
    tag = "tokens",
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or acting as an employee (employees hold no API tokens)", body = ErrorBody),
        (status = 404, description = "No such active token of the caller (another user's tokens are not found either)", body = ErrorBody),
        (status = 422, description = "The id is not a positive number (`error.field` is `id`)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn revoke_token(State(state): State<AppState>, Authed(p): Authed, Path(raw): Path<String>) -> AppResult<StatusCode> {
    let id = parse_id(&raw).map_err(AppError::Invalid)?;
    state.store.revoke_token(&p.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{app, AppState, WebConfig};
    use axum::body::Body;
    use axum::http::Request;
    use domain::tenant::{KThreshold, TenantSlug};
    use domain::Role;
    use store::{Ctx, KeySource, NewUser, OpenOptions, Store};
    use tower::ServiceExt;

    const KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_032_523_456), "2025-11-25T01:02:03.456Z");
    }

    #[test]
    fn ids_must_be_positive_numbers() {
        assert_eq!(parse_id("7"), Ok(TokenId::new(7)));
        assert_eq!(parse_id("abc").map_err(|e| e.field), Err("id"));
        assert_eq!(parse_id("0").map_err(|e| e.field), Err("id"));
    }

    #[test]
    fn the_document_lists_both_paths() {
        let doc = TokensApi::openapi();
        let json = serde_json::to_value(&doc).expect("json");
        assert!(json["paths"]["/api/v1/tokens"]["get"].is_object());
        assert!(json["paths"]["/api/v1/tokens/{id}"]["delete"].is_object());
        assert!(json["components"]["schemas"]["ApiTokenList"].is_object());
    }

    async fn call(app: &axum::Router, method: &str, uri: &str, bearer: &str) -> (StatusCode, serde_json::Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {bearer}"))
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    #[tokio::test]
    async fn tokens_are_listed_and_revoked_by_their_owner_only() {
        let db = testkit::fresh_db(testkit::Backend::Sqlite).expect("db");
        let store =
            Store::open(&db.url, OpenOptions { create: true, migrate: true, keys: KeySource::Inline(KEY.into()) }).await.expect("store");
        let tenant =
            store.create_tenant(&TenantSlug::parse("acme").expect("slug"), "Acme", KThreshold::DEFAULT, "test").await.expect("tenant");
        let op = Ctx::operator(tenant.id, "test");
        let mut ctxs = Vec::new();
        for login in ["alice", "bob"] {
            let new = NewUser { login, display_name: login, password: "password1", roles: &[Role::Hr, Role::Consultant], employee: None };
            let id = store.create_user(&op, &new).await.expect("user");
            ctxs.push(Ctx::for_tests(tenant.id, id, login, Some(Role::Hr)));
        }
        let (alice, _) = store.create_token(&ctxs[0], Role::Hr, "sync", Some(30)).await.expect("token");
        let (_, alice_spare) = store.create_token(&ctxs[0], Role::Consultant, "spare", None).await.expect("token");
        let (_, bob_token) = store.create_token(&ctxs[1], Role::Hr, "bob", None).await.expect("token");
        let app = app(AppState::new(store.clone(), WebConfig::default()));

        let (status, body) = call(&app, "GET", "/api/v1/tokens", &alice).await;
        assert_eq!(status, StatusCode::OK);
        let items = body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["name"], "spare");
        assert_eq!(items[0]["role"], "consultant");
        assert!(items[0]["expires_at"].is_null() && items[0]["revoked_at"].is_null());
        assert!(items[1]["expires_at"].as_str().is_some_and(|s| s.ends_with('Z')));
        assert!(items[1]["prefix"].as_str().is_some_and(|s| s.starts_with("cdk_") && s.len() == 12));
        assert!(!body.to_string().contains(&alice), "the secret is never listed");

        let (status, body) = call(&app, "DELETE", "/api/v1/tokens/abc", &alice).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["field"], "id");

        let (status, body) = call(&app, "DELETE", &format!("/api/v1/tokens/{bob_token}"), &alice).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
        let (status, _) = call(&app, "DELETE", "/api/v1/tokens/999999", &alice).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, _) = call(&app, "DELETE", &format!("/api/v1/tokens/{alice_spare}"), &alice).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, body) = call(&app, "GET", "/api/v1/tokens", &alice).await;
        assert!(body["items"][0]["revoked_at"].as_str().is_some());
        let (status, _) = call(&app, "DELETE", &format!("/api/v1/tokens/{alice_spare}"), &alice).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "already revoked");

        // A token cannot issue tokens through the web page.
        let req = Request::builder()
            .method("POST")
            .uri("/tokens")
            .header("authorization", format!("Bearer {alice}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("name=x&role=hr&expires=7"))
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(store.tokens_of(tenant.id, ctxs[0].user().expect("user")).await.expect("tokens").len(), 2);
    }
}
