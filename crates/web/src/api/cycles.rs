//! Cycles (実施年度) as JSON (`/api/v1/cycles`): the list with head counts, for dashboards and
//! scripts. Setting cycles up is done on the pages.

use super::openapi::ErrorBody;
use crate::auth::Authed;
use crate::error::AppResult;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use domain::policy::Operation;
use serde::Serialize;
use store::CycleRow;
use utoipa::{OpenApi, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/cycles", Operation::ViewCycles, list_cycles)
}

/// The paths and schemas of this module, merged into `/api/v1/openapi.json` by `openapi.rs`.
#[derive(OpenApi)]
#[openapi(
    paths(list_cycles),
    components(schemas(CycleList, CycleItem)),
    tags((name = "cycles", description = "Cycles (実施年度): period, targets and their assignment to consultants"))
)]
pub struct CyclesApi;

/// The tenant's cycles, newest period first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleList {
    pub items: Vec<CycleItem>,
}

/// A cycle with its head counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleItem {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "2026年度 セルフ・キャリアドック")]
    pub name: String,
    /// First day, YYYY-MM-DD.
    #[schema(example = "2026-04-01")]
    pub starts_on: String,
    /// Last day, YYYY-MM-DD.
    #[schema(example = "2027-03-31")]
    pub ends_on: String,
    /// `planning` (準備中), `active` (実施中) or `closed` (終了).
    #[schema(example = "active")]
    pub status: String,
    /// Employees targeted by the cycle.
    #[schema(example = 120)]
    pub targets: i64,
    /// Targets assigned to a consultant.
    #[schema(example = 96)]
    pub assigned: i64,
}

impl From<&CycleRow> for CycleItem {
    fn from(c: &CycleRow) -> Self {
        CycleItem {
            id: c.id.get(),
            name: c.name.clone(),
            starts_on: c.starts_on.format("%Y-%m-%d").to_string(),
            ends_on: c.ends_on.format("%Y-%m-%d").to_string(),
            status: c.status.as_str().to_string(),
            targets: c.targets,
            assigned: c.assigned,
        }
    }
}

/// The tenant's cycles with their numbers of targets and assigned targets.
#[utoipa::path(
    get,
    path = "/api/v1/cycles",
    operation_id = "listCycles",
    tag = "cycles",
    responses(
        (status = 200, description = "The tenant's cycles, newest period first", body = CycleList),
        (status = 401, description = "Not signed in, or the token is unknown, expired or revoked", body = ErrorBody),
        (status = 403, description = "No acting role chosen, or the role may not read cycles (HR, consultants and supervisors may)", body = ErrorBody),
    ),
    security(("bearerAuth" = []))
)]
pub async fn list_cycles(State(state): State<AppState>, Authed(p): Authed) -> AppResult<Json<CycleList>> {
    let rows = state.store.cycles(p.tenant.id).await?;
    Ok(Json(CycleList { items: rows.iter().map(CycleItem::from).collect() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_documents_its_path_and_schemas() {
        let doc = CyclesApi::openapi();
        assert!(doc.paths.paths.get("/api/v1/cycles").is_some_and(|p| p.get.is_some()));
        let json = doc.to_json().unwrap_or_default();
        for schema in ["CycleList", "CycleItem"] {
            assert!(json.contains(&format!("\"{schema}\"")), "{schema}");
        }
    }
}
