//! Every route declares the operation it performs; the table of (method, path, operation) is
//! built with the router, so the route × role test sees each route the server serves.

use crate::auth::{authenticate, authorize};
use crate::state::AppState;
use crate::{api, assets, pages, security, well_formed};
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{on, MethodFilter};
use axum::Router;
use domain::policy::Operation;
use tower_http::limit::RequestBodyLimitLayer;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub operation: Operation,
}

pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Routes {
    fn new() -> Self {
        Self { router: Router::new(), table: Vec::new() }
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, operation: Operation, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            Method::POST => MethodFilter::POST,
            Method::DELETE => MethodFilter::DELETE,
            Method::PUT => MethodFilter::PUT,
            Method::PATCH => MethodFilter::PATCH,
            _ => MethodFilter::GET,
        };
        let route = on(filter, handler).route_layer(from_fn_with_state(operation, authorize));
        self.router = self.router.route(path, route);
        self.table.push(RouteSpec { method, path, operation });
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, operation: Operation, handler: H) -> Self {
        self.add(Method::GET, path, operation, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, operation: Operation, handler: H) -> Self {
        self.add(Method::POST, path, operation, handler)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, operation: Operation, handler: H) -> Self {
        self.add(Method::PUT, path, operation, handler)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, operation: Operation, handler: H) -> Self {
        self.add(Method::DELETE, path, operation, handler)
    }
}

fn all_routes() -> Routes {
    let r = Routes::new();
    let r = assets::routes(r);
    let r = pages::routes(r);
    api::routes(r)
}

/// Every route with its declared operation.
pub fn route_table() -> Vec<RouteSpec> {
    all_routes().table
}

pub fn build(state: AppState) -> (Router, Vec<RouteSpec>) {
    let Routes { router, table } = all_routes();
    let limit = state.config.body_limit;
    let router = router
        .fallback(pages::not_found)
        // Inside `authenticate`: a cross-site post is refused as such before its body is judged.
        .layer(from_fn(well_formed::bodies))
        .layer(from_fn_with_state(state.clone(), authenticate))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        // Outside the limits, so that a refused body is explained like every other error.
        .layer(from_fn(pages::render_errors))
        .layer(from_fn(security::headers))
        .layer(from_fn(security::request_log))
        .with_state(state);
    (router, table)
}
