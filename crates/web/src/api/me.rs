//! Who am I (`/api/v1/me`), and is the server well (`/healthz`, for load balancers).

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::policy::Operation;
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", Operation::ViewSelf, me).get("/healthz", Operation::Public, healthz)
}

/// The signed-in user, the company, and the role the request acts in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub tenant: MeTenant,
    /// The role of this session or token (`consultant`, `supervisor`, `hr`, `executive`,
    /// `boss`, `health`, `employee`, `admin`).
    #[schema(example = "hr")]
    pub acting_role: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: i64,
    #[schema(example = "hr")]
    pub login: String,
    #[schema(example = "人事 花子")]
    pub display_name: String,
    /// Every role the user holds in this company.
    #[schema(example = json!(["hr", "consultant"]))]
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeTenant {
    pub id: i64,
    #[schema(example = "demo")]
    pub slug: String,
    #[schema(example = "株式会社デモ")]
    pub name: String,
}

/// The server's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database does not answer.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// The caller's account, company and acting role.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    operation_id = "getMe",
    tag = "account",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn me(Authed(p): Authed) -> AppResult<Json<Me>> {
    Ok(Json(Me {
        user: MeUser {
            id: p.user.id.get(),
            login: p.user.login.clone(),
            display_name: p.user.display_name.clone(),
            roles: p.user.roles.iter().map(|r| r.as_str().to_string()).collect(),
        },
        tenant: MeTenant { id: p.tenant.id.get(), slug: p.tenant.slug.clone(), name: p.tenant.name.clone() },
        acting_role: p.role.map(|r| r.as_str().to_string()),
    }))
}

/// Whether the server and its database answer. No sign-in needed.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
    ),
    security(())
)]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.store.backend().as_str();
    if state.store.ping().await {
        (StatusCode::OK, Json(Health { status: "ok", database })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable", database })).into_response()
    }
}
