//! Queueing webhook messages (I2) in the transaction of the change that causes them, so
//! a rolled-back change sends nothing. The API's sender (`partnerly_api::webhooks`)
//! signs and delivers what is queued here; after the commit the caller wakes it.

use partnerly_db::DbConn;
use partnerly_db::webhook::{NewWebhookDelivery, WebhookDelivery, WebhookEndpoint};
use partnerly_domain::webhook::EventFilter;
use partnerly_domain::webhook_event::{WebhookEvent, WebhookTest};
use serde::Serialize;
use time::OffsetDateTime;

/// The body of every message (Standard Webhooks payload shape).
#[derive(Serialize)]
pub struct Message<'a> {
    #[serde(rename = "type")]
    pub event_type: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    pub data: &'a serde_json::Value,
}

/// Queues `event` to every active endpoint subscribed to its type, in the caller's
/// transaction; returns how many deliveries were queued. Every endpoint gets the same
/// message id (`msg_…`) and body `{"type": ..., "timestamp": now, "data": ...}`.
pub fn enqueue(conn: &mut DbConn, event: &WebhookEvent) -> diesel::QueryResult<usize> {
    Subscribers::default().enqueue(conn, event)
}

/// Queues a message of any type and data: for the delivery machinery's own tests and
/// tools. What Partnerly itself sends goes through [`enqueue`], typed.
pub fn enqueue_raw(
    conn: &mut DbConn,
    event_type: &str,
    data: &serde_json::Value,
) -> diesel::QueryResult<usize> {
    let subscribed = Subscribers::default().subscribed(conn, event_type)?;
    Ok(queue_message(conn, &subscribed, event_type, data)?.len())
}

/// The active endpoints and the event types they subscribe to, read at the first
/// message and kept for the rest of a request or batch of events: queueing many
/// messages then costs one query, and none when nobody subscribes to a type.
#[derive(Debug, Default)]
pub struct Subscribers(Option<Vec<(i64, EventFilter)>>);

impl Subscribers {
    /// Like [`enqueue`], with the subscribers read once per batch.
    pub fn enqueue(
        &mut self,
        conn: &mut DbConn,
        event: &WebhookEvent,
    ) -> diesel::QueryResult<usize> {
        let subscribed = self.subscribed(conn, event.event_type())?;
        if subscribed.is_empty() {
            return Ok(0);
        }
        Ok(queue_message(conn, &subscribed, event.event_type(), &event.data())?.len())
    }

    /// The active endpoints subscribed to `event_type`.
    fn subscribed(&mut self, conn: &mut DbConn, event_type: &str) -> diesel::QueryResult<Vec<i64>> {
        let endpoints = match &mut self.0 {
            Some(endpoints) => endpoints,
            none => none.insert(
                WebhookEndpoint::list_active(conn)?
                    .into_iter()
                    .map(|e| (e.id, EventFilter::from_stored(&e.events)))
                    .collect(),
            ),
        };
        Ok(endpoints
            .iter()
            .filter(|(_, filter)| filter.matches(event_type))
            .map(|(id, _)| *id)
            .collect())
    }
}

/// Queues a `webhook.test` message to one endpoint, whatever it subscribes to.
pub fn enqueue_test(conn: &mut DbConn, endpoint_id: i64) -> diesel::QueryResult<WebhookDelivery> {
    let event = WebhookEvent::Test(WebhookTest {
        endpoint_id,
        message: "This is a test message from Partnerly.".into(),
    });
    queue_message(conn, &[endpoint_id], event.event_type(), &event.data())?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

fn queue_message(
    conn: &mut DbConn,
    endpoint_ids: &[i64],
    event_type: &str,
    data: &serde_json::Value,
) -> diesel::QueryResult<Vec<WebhookDelivery>> {
    if endpoint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let now = partnerly_db::now();
    let body = serde_json::to_string(&Message {
        event_type,
        timestamp: partnerly_db::utc(now),
        data,
    })
    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    endpoint_ids
        .iter()
        .map(|&endpoint_id| {
            NewWebhookDelivery::new(endpoint_id, &message_id, event_type, &body, now).insert(conn)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_body_has_the_standard_webhooks_shape() {
        let data = serde_json::json!({"id": 7});
        let body = serde_json::to_string(&Message {
            event_type: "commission.created",
            timestamp: time::macros::datetime!(2026-01-02 03:04:05 UTC),
            data: &data,
        })
        .unwrap();
        assert_eq!(
            body,
            r#"{"type":"commission.created","timestamp":"2026-01-02T03:04:05Z","data":{"id":7}}"#
        );
    }
}
