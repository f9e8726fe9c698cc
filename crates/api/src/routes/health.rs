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

/// The database answers; a load balancer should send traffic here only when this is 200.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve."),
        (status = 503, description = "The database is unreachable.", body = partnerly_domain::ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db(|conn| conn.ping().map_err(|_| ApiError::Unavailable))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
