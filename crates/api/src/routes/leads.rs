//! `POST /api/v1/public/leads` (T8): the vendor's "Contact us" form, sent by the
//! vendor-site script with the referral the visit carried. Public (no credentials),
//! so: CORS only for the programs' landing domains (a browser on another site cannot
//! post), a honeypot field, and a limit per IP. The answer is the same whether the lead
//! became a deal or not.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, post, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::deal::{LeadReceived, LeadRequest};
use partnerly_engine::tracking::capture_lead;

use crate::client_ip::client_ip;
use crate::error::ApiError;
use crate::state::AppState;

/// The request's `Origin` when it is an allowed landing domain (or Partnerly's own
/// page); `Err` for any other origin; `Ok(None)` without one (not a browser).
fn allowed_origin(req: &HttpRequest, state: &AppState) -> Result<Option<HeaderValue>, ApiError> {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return Ok(None);
    };
    let refused = || ApiError::Forbidden;
    let host = origin
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .ok_or_else(refused)?;
    let own = url::Url::parse(&state.config.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    if own.as_deref() == Some(host.as_str()) || state.tracking.directory.is_landing_host(&host) {
        Ok(Some(origin.clone()))
    } else {
        Err(refused())
    }
}

fn with_cors(mut response: HttpResponse, origin: Option<HeaderValue>) -> HttpResponse {
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

/// The CORS preflight of the lead form.
pub async fn preflight(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match allowed_origin(&req, &state) {
        Ok(origin) => with_cors(HttpResponse::NoContent().finish(), origin),
        Err(e) => actix_web::ResponseError::error_response(&e),
    }
}

/// A lead from the vendor's contact form. A referred one (its `ref` or `click_id` names
/// an enabled link, a click inside the attribution window) becomes a pending deal of
/// the partner, and the `deal.created` webhook tells the vendor; any other is answered
/// the same and stored nowhere. Browsers may send it from the programs' landing domains
/// only.
#[utoipa::path(
    tag = "public",
    request_body = LeadRequest,
    responses(
        (status = 202, body = LeadReceived),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 403, description = "`forbidden`: sent by a page on another site than the programs' landing domains.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a missing name, a bad email, a field too long.", body = ErrorBody),
        (status = 429, description = "Too many leads from this address; see `Retry-After`.", body = ErrorBody),
    )
)]
#[post("/public/leads")]
pub async fn create_lead(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: crate::body::Json<LeadRequest>,
) -> Result<HttpResponse, ApiError> {
    let origin = allowed_origin(&req, &state)?;
    let lead = body.validate()?;
    let ip = client_ip(&req, state.config.trusted_proxies.as_ref());
    let limits = state.limits;
    let deal = state
        .write(move |conn| {
            let now = partnerly_db::now();
            limits
                .leads_per_ip
                .hit(conn, &ip, time::OffsetDateTime::now_utc().unix_timestamp())?;
            Ok(capture_lead(conn, &lead, now)?)
        })
        .await;
    let deal = match deal {
        Ok(deal) => deal,
        Err(e) => {
            return Ok(with_cors(
                actix_web::ResponseError::error_response(&e),
                origin,
            ));
        }
    };
    if let Some(deal) = &deal {
        state.webhooks_queued.notify_one();
        tracing::info!(
            deal.id = deal.id,
            membership.id = deal.membership_id,
            "lead became a deal"
        );
    }
    Ok(with_cors(
        HttpResponse::Accepted().json(LeadReceived { received: true }),
        origin,
    ))
}
