//! Static files, compiled into the binary.

use crate::error::Path;
use crate::routes::Routes;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use domain::policy::Operation;

const FILES: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../static/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../static/app.js")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../static/favicon.svg")),
    ("print.css", "text/css; charset=utf-8", include_bytes!("../static/print.css")),
];

pub fn routes(r: Routes) -> Routes {
    r.get("/static/{file}", Operation::Public, serve_static)
}

async fn serve_static(Path(file): Path<String>) -> impl IntoResponse {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => ([(CONTENT_TYPE, *mime), (CACHE_CONTROL, "public, max-age=3600")], *body).into_response(),
        None => crate::error::AppError::NotFound.into_response(),
    }
}
