//! One log line per request: method, path, status, latency and request id. The id comes
//! from `X-Request-Id` when the caller sent a sane one, else it is generated; it is
//! echoed in the response so a support request can quote it.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    sane.then(|| value.to_owned())
}

/// The middleware (`middleware::from_fn(log_requests)`).
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // 128 random bits from the thread's generator: no system call per request (as a
    // UUID v4 would make), which the tracking redirect's throughput notices.
    let id = incoming_id(&req).unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let span = tracing::info_span!(
        "request",
        request.id = %id,
        http.method = %method,
        http.path = %path,
        account.id = tracing::field::Empty,
        api_key.id = tracing::field::Empty,
    );
    let started = Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            http.status = status,
            latency_ms = format!("{latency_ms:.1}"),
            "{method} {path} {status}"
        );
    });
    Ok(response)
}
