//! The events API (E1–E3): the vendor's billing reports sign-ups, payments, refunds and
//! subscription changes. Every event is idempotent by its id per API key owner.

use actix_web::{HttpRequest, HttpResponse, post, web};
use partnerly_domain::ErrorBody;
use partnerly_domain::FieldErrors;
use partnerly_domain::event::{
    BatchResult, EventBatch, EventEnvelope, EventResult, EventStatus, MAX_BATCH,
};
use serde_json::{Map, Value};

use crate::auth::ApiKeyCaller;
use crate::error::ApiError;
use crate::event_groups::{self, with_retry};
use crate::state::AppState;
use partnerly_engine::commissions::{Batch, ingest};

/// The scope a key needs to send events.
pub const EVENTS_WRITE: &str = "events:write";

/// Largest batch body: 1000 events of up to about 4 KiB each. Other routes keep the
/// 64 KiB limit of the JSON extractor.
pub const MAX_BATCH_BODY: usize = 4 * 1024 * 1024;

/// Reads a JSON body of up to `limit` bytes with the same errors as the JSON extractor.
async fn read_json<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit })?
        .map_err(|_| {
            ApiError::bad_request("invalid_body", "The request body could not be read.")
        })?;
    serde_json::from_slice(&body).map_err(|e| crate::error::body_error(&e))
}

/// The batch body as the events it holds: `{"events": [...]}` with 1 to 1000 events,
/// each read like a single event, with mistakes named `events[i].<field>`.
fn read_batch(body: Value) -> Result<EventBatch, ApiError> {
    let events = match body {
        Value::Object(mut fields) if fields.len() == 1 && fields.contains_key("events") => {
            fields.remove("events").unwrap_or_default()
        }
        Value::Array(_) => {
            return Err(ApiError::field(
                "events",
                "The body is a bare list; send an object: {\"events\": [...]}.",
            ));
        }
        other => return Ok(partnerly_domain::read::object_from_value(other, "")?),
    };
    let Value::Array(events) = events else {
        return Err(ApiError::field("events", "Expected a list of events."));
    };
    if events.is_empty() || events.len() > MAX_BATCH {
        return Err(ApiError::field("events", "Send 1 to 1000 events."));
    }
    let mut errors = FieldErrors::new();
    let mut read = Vec::with_capacity(events.len());
    for (i, event) in events.into_iter().enumerate() {
        match EventEnvelope::read(event, &format!("events[{i}]")) {
            Ok(envelope) => read.push(envelope),
            Err(fields) => errors.extend(fields),
        }
    }
    if errors.is_empty() {
        Ok(EventBatch { events: read })
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Send one event.
///
/// Event types: `customer.signed_up` (CustomerSignedUpData), `payment.succeeded`
/// (PaymentSucceededData), `payment.refunded` and `payment.charged_back`
/// (PaymentReversedData), `customer.status_changed` (CustomerStatusChangedData),
/// `subscription.updated` (SubscriptionUpdatedData). Sending an event id again answers
/// the first result with status `duplicate` and changes nothing; the same id with a
/// different body is 422 `idempotency_conflict`. A payment for a customer not yet
/// signed up is kept (202, `deferred`) and applied when the sign-up arrives.
#[utoipa::path(
    tag = "events",
    request_body = EventEnvelope,
    responses(
        (status = 200, description = "Applied, or a duplicate of an event already applied.", body = EventResult),
        (status = 202, description = "Deferred until the customer it refers to signs up.", body = EventResult),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 401, description = "`invalid_api_key`.", body = ErrorBody),
        (status = 403, description = "The key lacks the `events:write` scope.", body = ErrorBody),
        (status = 422, description = "`validation_failed` (field errors under `data.*`), `idempotency_conflict`, `unknown_payment`, `unknown_customer`, `refund_exceeds_payment`, `payment_conflict`.", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    body: crate::body::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    caller.require(EVENTS_WRITE)?;
    let owner = caller.key.owner.clone();
    let envelope = EventEnvelope::read(body.into_inner(), "")?;
    let result =
        event_groups::submit(&state.event_groups, &state.database, owner, envelope).await?;
    if result.status == EventStatus::Applied {
        state.webhooks_queued.notify_one();
    }
    Ok(match result.status {
        EventStatus::Deferred => HttpResponse::Accepted().json(result),
        _ => HttpResponse::Ok().json(result),
    })
}

/// Send up to 1000 events at once, applied in order in one transaction.
///
/// Each event gets its own result; a rejected event (`status: rejected`, with the
/// error body a single event would get) does not stop the others.
#[utoipa::path(
    tag = "events",
    request_body = EventBatch,
    responses(
        (status = 200, description = "One result per event, in order.", body = BatchResult),
        (status = 400, description = "Malformed body.", body = ErrorBody),
        (status = 401, description = "`invalid_api_key`.", body = ErrorBody),
        (status = 403, description = "The key lacks the `events:write` scope.", body = ErrorBody),
        (status = 413, description = "The body is over 4 MiB.", body = ErrorBody),
        (status = 415, description = "The body is not JSON.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no events, more than 1000, or an event that cannot be read (fields `events[i].<field>`).", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[post("/events/batch")]
pub async fn create_event_batch(
    state: web::Data<AppState>,
    caller: ApiKeyCaller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<BatchResult>, ApiError> {
    caller.require(EVENTS_WRITE)?;
    let batch = read_batch(read_json(&req, payload, MAX_BATCH_BODY).await?)?;
    let owner = caller.key.owner.clone();
    let results = with_retry(&state.database, move |conn| {
        Batch::run(conn, |conn, work| {
            let named: Vec<(&str, &EventEnvelope)> =
                batch.events.iter().map(|e| (owner.as_str(), e)).collect();
            work.preload(conn, &named)?;
            let mut results = Vec::with_capacity(batch.events.len());
            for envelope in &batch.events {
                match ingest(conn, work, &owner, envelope) {
                    Ok(result) => results.push(result),
                    Err(e) if !e.is_refusal() => return Err(ApiError::from(e)),
                    Err(e) => results.push(EventResult {
                        id: envelope.id.clone(),
                        status: EventStatus::Rejected,
                        error: Some(ApiError::from(e).body()),
                        effects: Map::new(),
                    }),
                }
            }
            Ok(results)
        })
    })
    .await?;
    state.webhooks_queued.notify_one();
    Ok(web::Json(BatchResult { results }))
}
