//! The web application: server-rendered pages (Japanese first), the JSON API under
//! `/api/v1`, sign-in and sessions. Handlers parse, authorize, call the store, render.

mod api;
mod assets;
mod auth;
mod error;
pub mod i18n;
mod pages;
mod routes;
mod security;
mod state;

pub use pages::{navigation, NavLink};
pub use routes::{route_table, RouteSpec};
pub use state::{AppState, WebConfig};

use std::net::SocketAddr;
use std::time::Duration;

/// The whole application as a router, ready to serve.
pub fn app(state: AppState) -> axum::Router {
    routes::build(state).0
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let limits = state.config.session_limits;
    // Expired sessions are purged in the background so the table stays small.
    let purge = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = store.purge_sessions(limits).await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    let router = app(state.clone());
    let result = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await;
    purge.abort();
    state.store.close().await;
    result
}
