//! The web application: server-rendered pages (Japanese first), the JSON API under
//! `/api/v1`, sign-in and sessions. Handlers parse, authorize, call the store, render.

mod api;
mod assets;
mod auth;
mod display;
mod error;
pub mod i18n;
pub mod mail;
mod pages;
mod path_id;
mod routes;
mod security;
mod state;
mod vocabulary;
mod well_formed;

/// The management report as print-friendly HTML (`careerdock report management --format html`).
pub use pages::management_print_html;
pub use pages::overall_reports::{print_html as overall_print_html, Words as OverallWords};
pub use pages::{management_tags_named, overall_tags_named, overall_trend_chart};
pub use pages::{navigation, NavLink};
pub use routes::{route_table, RouteSpec};
pub use state::{AppState, WebConfig};

use std::net::SocketAddr;
use store::{JobRunner, RunnerOptions, StandardJobs};

/// The whole application as a router, ready to serve.
pub fn app(state: AppState) -> axum::Router {
    routes::build(state).0
}

/// Serves until `shutdown` resolves, then lets requests in flight finish. The process's job
/// runner (session purge and the other background jobs) runs alongside and stops with it.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    if let Err(e) = store.schedule_recurring_jobs().await {
        tracing::warn!(error = %e, "cannot schedule the recurring jobs");
    }
    // Whether notices are mailed is the database's to know: `notify_in_tx` enqueues the e-mail
    // only while a server with SMTP serves it.
    if let Err(e) = store.set_mail_delivery(state.config.mail.is_some()).await {
        tracing::warn!(error = %e, "cannot record whether notification e-mail is sent");
    }
    let jobs =
        mail::ProductJobs { standard: StandardJobs { session_limits: state.config.session_limits }, mailer: state.config.mail.clone() };
    let runner = JobRunner::start(store.clone(), jobs, RunnerOptions::default());
    let router = app(state.clone());
    let result = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await;
    runner.stop().await;
    state.store.close().await;
    result
}
