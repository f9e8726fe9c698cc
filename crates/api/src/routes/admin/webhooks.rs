//! Webhook endpoints and their delivery log, for admins (I2): create, change, delete,
//! rotate the signing secret, read the log, redeliver, and send a test message.

use std::collections::HashMap;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use partnerly_db::DbConn;
use partnerly_db::webhook::{
    self as db, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEndpointChanges,
};
use partnerly_domain::ErrorBody;
use partnerly_domain::webhook::{
    CreateWebhookEndpointRequest, EventFilter, UpdateWebhookEndpointRequest,
    WebhookAttempt as WebhookAttemptView, WebhookDelivery as WebhookDeliveryView,
    WebhookDeliveryPage, WebhookDeliveryStatus, WebhookEndpoint as WebhookEndpointView,
    WebhookEndpointList,
};
use serde::Deserialize;
use serde_json::json;
use time::PrimitiveDateTime;
use utoipa::IntoParams;

use crate::auth::AdminUser;
use crate::error::ApiError;
use crate::routes::admin::Audit;
use crate::routes::paging::Paging;
use crate::state::AppState;
use crate::webhooks;

/// What audit entries name as the changed object.
const AUDIT_TARGET: &str = "webhook_endpoint";

/// The endpoint as the API shows it; the secret in full only when `reveal_secret`.
fn view(endpoint: &WebhookEndpoint, reveal_secret: bool) -> WebhookEndpointView {
    WebhookEndpointView {
        id: endpoint.id,
        url: endpoint.url.clone(),
        description: endpoint.description.clone(),
        events: EventFilter::from_stored(&endpoint.events).to_list(),
        active: endpoint.active,
        secret: if reveal_secret {
            endpoint.secret.clone()
        } else {
            webhooks::mask_secret(&endpoint.secret)
        },
        created_at: partnerly_db::utc(endpoint.created_at),
        updated_at: partnerly_db::utc(endpoint.updated_at),
        previous_secret_expires_at: endpoint
            .overlap_ends(partnerly_db::now())
            .map(partnerly_db::utc),
    }
}

/// The endpoint as the audit log records it: never the secret.
fn audit_json(endpoint: &WebhookEndpoint) -> serde_json::Value {
    json!({
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": EventFilter::from_stored(&endpoint.events).to_list(),
        "active": endpoint.active,
    })
}

/// Applies `row` to endpoint `id` and records `action` in the audit log, before and
/// after; answers the changed endpoint (404 when there is none).
fn change_endpoint(
    conn: &mut DbConn,
    id: i64,
    row: &WebhookEndpointChanges,
    action: &str,
    actor_id: i64,
    now: PrimitiveDateTime,
) -> Result<WebhookEndpoint, ApiError> {
    let before = WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let after = WebhookEndpoint::update(conn, id, row)?.ok_or(ApiError::NotFound)?;
    Audit::changed(
        action,
        AUDIT_TARGET,
        id,
        &audit_json(&before),
        &audit_json(&after),
    )?
    .record(conn, actor_id, now)?;
    Ok(after)
}

fn delivery_view(delivery: WebhookDelivery, attempts: Vec<WebhookAttempt>) -> WebhookDeliveryView {
    let status = delivery.status;
    let payload = serde_json::from_str(&delivery.payload)
        .unwrap_or_else(|_| serde_json::Value::String(delivery.payload.clone()));
    WebhookDeliveryView {
        id: delivery.id,
        endpoint_id: delivery.endpoint_id,
        message_id: delivery.message_id,
        event_type: delivery.event_type,
        status,
        payload,
        body: delivery.payload,
        next_attempt_at: (status == WebhookDeliveryStatus::Pending)
            .then(|| partnerly_db::utc(delivery.next_attempt_at)),
        last_status_code: delivery.last_status_code,
        last_response: delivery.last_response,
        last_error: delivery.last_error,
        created_at: partnerly_db::utc(delivery.created_at),
        delivered_at: delivery.delivered_at.map(partnerly_db::utc),
        attempts: attempts
            .into_iter()
            .map(|a| WebhookAttemptView {
                id: a.id,
                attempted_at: partnerly_db::utc(a.attempted_at),
                status_code: a.status_code,
                response_snippet: a.response_snippet,
                error: a.error,
                duration_ms: a.duration_ms,
            })
            .collect(),
    }
}

/// Deliveries with their attempts, in the order given.
fn with_attempts(
    conn: &mut DbConn,
    deliveries: Vec<WebhookDelivery>,
) -> diesel::QueryResult<Vec<WebhookDeliveryView>> {
    let ids: Vec<i64> = deliveries.iter().map(|d| d.id).collect();
    let mut by_delivery: HashMap<i64, Vec<WebhookAttempt>> = HashMap::new();
    for attempt in WebhookAttempt::for_deliveries(conn, &ids)? {
        by_delivery
            .entry(attempt.delivery_id)
            .or_default()
            .push(attempt);
    }
    Ok(deliveries
        .into_iter()
        .map(|d| {
            let attempts = by_delivery.remove(&d.id).unwrap_or_default();
            delivery_view(d, attempts)
        })
        .collect())
}

fn inactive() -> ApiError {
    ApiError::conflict(
        "endpoint_inactive",
        "The endpoint is inactive; activate it first.",
    )
}

/// Create a webhook endpoint (admins only). The answer shows the signing secret in
/// full, once.
#[utoipa::path(
    tag = "admin",
    request_body = CreateWebhookEndpointRequest,
    responses(
        (status = 201, description = "The endpoint, with its secret in full.", body = WebhookEndpointView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad URL, description or event type.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/webhooks")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    body: crate::body::Json<CreateWebhookEndpointRequest>,
) -> Result<HttpResponse, ApiError> {
    let spec = body.validate()?;
    let endpoint = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let endpoint = db::NewWebhookEndpoint {
                url: spec.url.as_str(),
                description: &spec.description,
                secret: &webhooks::new_secret(),
                events: &spec.events.to_stored(),
                active: true,
                created_at: now,
                updated_at: now,
            }
            .insert(conn)?;
            Audit::created(
                "webhook_endpoint.create",
                AUDIT_TARGET,
                endpoint.id,
                &audit_json(&endpoint),
            )?
            .record(conn, admin.id, now)?;
            Ok::<_, ApiError>(endpoint)
        })
        .await?;
    tracing::info!(
        webhook.endpoint_id = endpoint.id,
        "webhook endpoint created"
    );
    Ok(HttpResponse::Created().json(view(&endpoint, true)))
}

/// List the webhook endpoints, oldest first, secrets masked (admins only).
#[utoipa::path(
    tag = "admin",
    responses(
        (status = 200, body = WebhookEndpointList),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/webhooks")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<web::Json<WebhookEndpointList>, ApiError> {
    let endpoints = state.db(|conn| Ok(WebhookEndpoint::list(conn)?)).await?;
    Ok(web::Json(WebhookEndpointList {
        items: endpoints.iter().map(|e| view(e, false)).collect(),
    }))
}

/// One webhook endpoint, secret masked (admins only).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, body = WebhookEndpointView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/webhooks/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<i64>,
) -> Result<web::Json<WebhookEndpointView>, ApiError> {
    let id = id.into_inner();
    let endpoint = state
        .db(move |conn| WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound))
        .await?;
    Ok(web::Json(view(&endpoint, false)))
}

/// Change a webhook endpoint (admins only). Absent fields stay as they are;
/// `active: false` pauses deliveries.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id.")),
    request_body = UpdateWebhookEndpointRequest,
    responses(
        (status = 200, description = "The changed endpoint, secret masked.", body = WebhookEndpointView),
        (status = 400, description = "Malformed body or unknown field.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a bad URL, description or event type.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[patch("/admin/webhooks/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<i64>,
    body: crate::body::Json<UpdateWebhookEndpointRequest>,
) -> Result<web::Json<WebhookEndpointView>, ApiError> {
    let id = id.into_inner();
    let changes = body.validate()?;
    let endpoint = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let row = WebhookEndpointChanges {
                url: changes.url.map(|u| u.into_string()),
                description: changes.description,
                events: changes.events.map(|e| e.to_stored()),
                active: changes.active,
                ..WebhookEndpointChanges::touch(now)
            };
            change_endpoint(conn, id, &row, "webhook_endpoint.update", admin.id, now)
        })
        .await?;
    if endpoint.active {
        // Re-activation releases messages that waited.
        state.webhooks_queued.notify_one();
    }
    Ok(web::Json(view(&endpoint, false)))
}

/// Delete a webhook endpoint with its delivery log (admins only).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[delete("/admin/webhooks/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .write(move |conn| {
            let before = WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound)?;
            WebhookEndpoint::delete(conn, id)?;
            Audit::deleted(
                "webhook_endpoint.delete",
                AUDIT_TARGET,
                id,
                &audit_json(&before),
            )?
            .record(conn, admin.id, partnerly_db::now())?;
            Ok::<_, ApiError>(())
        })
        .await?;
    tracing::info!(webhook.endpoint_id = id, "webhook endpoint deleted");
    Ok(HttpResponse::NoContent().finish())
}

/// Replace an endpoint's signing secret (admins only). The answer shows the new one in
/// full, once. The old secret keeps signing beside it (two signatures in
/// `webhook-signature`) until `previous_secret_expires_at`, 24 hours by default
/// (`PARTNERLY_WEBHOOK_SECRET_OVERLAP_HOURS`), so the receiver can switch at its own
/// moment.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id.")),
    responses(
        (status = 200, description = "The endpoint, with its new secret in full.", body = WebhookEndpointView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    AdminUser(admin): AdminUser,
    id: web::Path<i64>,
) -> Result<web::Json<WebhookEndpointView>, ApiError> {
    let id = id.into_inner();
    let overlap = state.config.webhook_secret_overlap;
    let endpoint = state
        .write(move |conn| {
            let now = partnerly_db::now();
            let before = WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let secret = webhooks::new_secret();
            let after = WebhookEndpoint::rotate_secret(conn, id, &secret, now + overlap, now)?
                .ok_or(ApiError::NotFound)?;
            Audit::changed(
                "webhook_endpoint.rotate_secret",
                AUDIT_TARGET,
                id,
                &audit_json(&before),
                &audit_json(&after),
            )?
            .record(conn, admin.id, now)?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    tracing::info!(webhook.endpoint_id = id, "webhook secret rotated");
    Ok(web::Json(view(&endpoint, true)))
}

/// Paging and filter of the delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this status.
    pub status: Option<WebhookDeliveryStatus>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 4294967295_u64, format = Int64, default = 1)]
    pub page: Option<u32>,
    /// Deliveries per page (default 20, at most 100).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// An endpoint's delivery log, newest first, each delivery with its attempts (admins
/// only).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id."), DeliveryQuery),
    responses(
        (status = 200, body = WebhookDeliveryPage),
        (status = 400, description = "`invalid_query`.", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: page or per_page out of range.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[get("/admin/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<i64>,
    query: web::Query<DeliveryQuery>,
) -> Result<web::Json<WebhookDeliveryPage>, ApiError> {
    let id = id.into_inner();
    let paging = Paging::new(query.page, query.per_page)?;
    let status = query.status;
    let (items, total) = state
        .db(move |conn| {
            // One snapshot: a delivery and its attempts agree even while the sender
            // records an attempt between the two reads.
            partnerly_db::read_snapshot(conn, |conn| {
                WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound)?;
                let (rows, total) = WebhookDelivery::list_for_endpoint(
                    conn,
                    id,
                    status,
                    paging.offset(),
                    paging.limit(),
                )?;
                Ok((with_attempts(conn, rows)?, total))
            })
        })
        .await?;
    Ok(web::Json(paging.page_of(items, total)))
}

/// Send a delivery again now, whatever its status; its history stays (admins only).
/// Automatic retries continue only while it has made fewer than 8 attempts.
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The delivery's id.")),
    responses(
        (status = 202, description = "Queued; the delivery as it now stands.", body = WebhookDeliveryView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such delivery.", body = ErrorBody),
        (status = 409, description = "`endpoint_inactive`: activate the endpoint first.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/webhooks/deliveries/{id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let delivery = state
        .write(move |conn| {
            let delivery = WebhookDelivery::find(conn, id)?.ok_or(ApiError::NotFound)?;
            let endpoint =
                WebhookEndpoint::find(conn, delivery.endpoint_id)?.ok_or(ApiError::NotFound)?;
            if !endpoint.active {
                return Err(inactive());
            }
            WebhookDelivery::redeliver(conn, id, partnerly_db::now())?;
            let delivery = WebhookDelivery::find(conn, id)?.ok_or(ApiError::NotFound)?;
            Ok(with_attempts(conn, vec![delivery])?)
        })
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    state.webhooks_queued.notify_one();
    tracing::info!(webhook.delivery_id = id, "webhook redelivery queued");
    Ok(HttpResponse::Accepted().json(delivery))
}

/// Send a `webhook.test` message to one endpoint, whatever it subscribes to (admins
/// only).
#[utoipa::path(
    tag = "admin",
    params(("id" = i64, Path, description = "The endpoint's id.")),
    responses(
        (status = 202, description = "Queued; the new delivery.", body = WebhookDeliveryView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such endpoint.", body = ErrorBody),
        (status = 409, description = "`endpoint_inactive`: activate the endpoint first.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[post("/admin/webhooks/{id}/test")]
pub async fn send_test_webhook(
    state: web::Data<AppState>,
    _admin: AdminUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let delivery = state
        .write(move |conn| {
            let endpoint = WebhookEndpoint::find(conn, id)?.ok_or(ApiError::NotFound)?;
            if !endpoint.active {
                return Err(inactive());
            }
            Ok(partnerly_engine::webhooks::enqueue_test(conn, id)?)
        })
        .await?;
    state.webhooks_queued.notify_one();
    Ok(HttpResponse::Accepted().json(delivery_view(delivery, Vec::new())))
}
