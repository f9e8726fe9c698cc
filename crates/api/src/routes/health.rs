//! Liveness and readiness probes (I4), outside `/api` so load balancers need no token.

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is up.")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers and accepts writes; a load balancer should send traffic here
/// only when this is 200.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve."),
        (status = 503, description = "The database is unreachable or cannot write (SQLite's write lock not granted within its busy timeout, or a read-only PostgreSQL).", body = partnerly_domain::ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db(|conn| {
            conn.check_writable().map_err(|e| {
                tracing::warn!(error = %e, "readiness: the database cannot write");
                ApiError::Unavailable
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
