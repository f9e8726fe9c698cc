//! Outgoing webhooks (I2): endpoints, one delivery per message and endpoint, and every
//! HTTP attempt of a delivery.
//!
//! Deliveries are written in the transaction that causes them and sent afterwards by a
//! sender that claims them one at a time (a compare-and-set on `next_attempt_at`, as
//! the email outbox does), so a crash never loses one and several server instances never
//! send one twice at the same moment.

use diesel::prelude::*;
use partnerly_domain::webhook::WebhookDeliveryStatus;
use time::{Duration, PrimitiveDateTime};

use crate::DbConn;
use crate::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};

/// A stored endpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = webhook_endpoints)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// `whsec_` + base64 of the key.
    pub secret: String,
    /// Space-separated event types, or `*`.
    pub events: String,
    pub active: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    /// The secret before the last rotation, still signing until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<PrimitiveDateTime>,
}

/// An endpoint to create.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewWebhookEndpoint<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub secret: &'a str,
    pub events: &'a str,
    pub active: bool,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl NewWebhookEndpoint<'_> {
    /// Creates the endpoint and returns it.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<WebhookEndpoint> {
        diesel::insert_into(webhook_endpoints::table)
            .values(self)
            .returning(webhook_endpoints::all_columns)
            .get_result(conn)
    }
}

/// Changes to an endpoint; `None` leaves a column as it is.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct WebhookEndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub secret: Option<String>,
    pub events: Option<String>,
    pub active: Option<bool>,
    pub updated_at: PrimitiveDateTime,
}

impl WebhookEndpointChanges {
    /// No change but the modification time.
    pub fn touch(now: PrimitiveDateTime) -> Self {
        Self {
            url: None,
            description: None,
            secret: None,
            events: None,
            active: None,
            updated_at: now,
        }
    }
}

impl WebhookEndpoint {
    /// The secrets that sign a message sent at `now`: the current one, and the one
    /// before it while the rotation's overlap lasts.
    pub fn signing_secrets(&self, now: PrimitiveDateTime) -> Vec<&str> {
        let previous = match (&self.previous_secret, self.previous_secret_until) {
            (Some(secret), Some(until)) if now < until => Some(secret.as_str()),
            _ => None,
        };
        std::iter::once(self.secret.as_str())
            .chain(previous)
            .collect()
    }

    /// The end of the overlap, while the previous secret still signs.
    pub fn overlap_ends(&self, now: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
        self.previous_secret_until.filter(|until| now < *until)
    }

    /// Replaces the secret with `secret`; the old one signs beside it until `until`
    /// (none at all when `until` is `now` or earlier). `None` when there is no such
    /// endpoint.
    pub fn rotate_secret(
        conn: &mut DbConn,
        id: i64,
        secret: &str,
        until: PrimitiveDateTime,
        now: PrimitiveDateTime,
    ) -> QueryResult<Option<WebhookEndpoint>> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::previous_secret.eq(webhook_endpoints::secret.nullable()),
                webhook_endpoints::previous_secret_until.eq(Some(until)),
                webhook_endpoints::secret.eq(secret),
                webhook_endpoints::updated_at.eq(now),
            ))
            .returning(webhook_endpoints::all_columns)
            .get_result(conn)
            .optional()
    }

    /// The endpoint with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<WebhookEndpoint>> {
        webhook_endpoints::table
            .find(id)
            .select(WebhookEndpoint::as_select())
            .get_result(conn)
            .optional()
    }

    /// Every endpoint, oldest first.
    pub fn list(conn: &mut DbConn) -> QueryResult<Vec<WebhookEndpoint>> {
        webhook_endpoints::table
            .order(webhook_endpoints::id)
            .select(WebhookEndpoint::as_select())
            .load(conn)
    }

    /// Every active endpoint, oldest first.
    pub fn list_active(conn: &mut DbConn) -> QueryResult<Vec<WebhookEndpoint>> {
        webhook_endpoints::table
            .filter(webhook_endpoints::active.eq(true))
            .order(webhook_endpoints::id)
            .select(WebhookEndpoint::as_select())
            .load(conn)
    }

    /// Applies `changes`; `None` when there is no such endpoint.
    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &WebhookEndpointChanges,
    ) -> QueryResult<Option<WebhookEndpoint>> {
        diesel::update(webhook_endpoints::table.find(id))
            .set(changes)
            .returning(webhook_endpoints::all_columns)
            .get_result(conn)
            .optional()
    }

    /// Deletes the endpoint with its deliveries and their attempts; `false` when there
    /// was no such endpoint.
    pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
        // The foreign keys cascade on both backends; deleting the children explicitly
        // keeps this correct even on an SQLite connection without `foreign_keys = ON`.
        let deliveries = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(id))
            .select(webhook_deliveries::id);
        diesel::delete(
            webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries)),
        )
        .execute(conn)?;
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::endpoint_id.eq(id)))
            .execute(conn)?;
        let deleted = diesel::delete(webhook_endpoints::table.find(id)).execute(conn)?;
        Ok(deleted == 1)
    }
}

/// A stored delivery: one message to one endpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = webhook_deliveries)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    /// `msg_…`, shared by every endpoint the message went to.
    pub message_id: String,
    pub event_type: String,
    /// The JSON body sent.
    pub payload: String,
    /// One of [`status`].
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub last_status_code: Option<i32>,
    pub last_response: Option<String>,
    pub last_error: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub delivered_at: Option<PrimitiveDateTime>,
}

/// A delivery to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewWebhookDelivery<'a> {
    pub endpoint_id: i64,
    pub message_id: &'a str,
    pub event_type: &'a str,
    pub payload: &'a str,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
}

impl<'a> NewWebhookDelivery<'a> {
    /// A pending delivery, due now.
    pub fn new(
        endpoint_id: i64,
        message_id: &'a str,
        event_type: &'a str,
        payload: &'a str,
        now: PrimitiveDateTime,
    ) -> Self {
        Self {
            endpoint_id,
            message_id,
            event_type,
            payload,
            status: WebhookDeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
        }
    }

    /// Queues the delivery and returns it.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<WebhookDelivery> {
        diesel::insert_into(webhook_deliveries::table)
            .values(self)
            .returning(webhook_deliveries::all_columns)
            .get_result(conn)
    }
}

/// What one HTTP attempt ended with, to record on the delivery and in its log.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptOutcome {
    pub attempted_at: PrimitiveDateTime,
    pub status_code: Option<i32>,
    pub response_snippet: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i32,
    /// The endpoint answered 2xx.
    pub delivered: bool,
    /// For a failed attempt, when to try again; `None` gives up (status `failed`).
    pub retry_at: Option<PrimitiveDateTime>,
}

impl WebhookDelivery {
    /// The delivery with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<WebhookDelivery>> {
        webhook_deliveries::table
            .find(id)
            .select(WebhookDelivery::as_select())
            .get_result(conn)
            .optional()
    }

    /// One page of an endpoint's deliveries, newest first, optionally only those in
    /// `status`, and the number of matching deliveries.
    pub fn list_for_endpoint(
        conn: &mut DbConn,
        endpoint_id: i64,
        status: Option<WebhookDeliveryStatus>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<WebhookDelivery>, i64)> {
        let query = || {
            let q = webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .into_boxed();
            match status {
                Some(s) => q.filter(webhook_deliveries::status.eq(s)),
                None => q,
            }
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(webhook_deliveries::id.desc())
            .offset(offset)
            .limit(limit)
            .select(WebhookDelivery::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Claims the most overdue pending delivery of an active endpoint for `lease`: its
    /// `next_attempt_at` moves forward, so no other sender takes it while this one
    /// works. The claim is a compare-and-set on `next_attempt_at`, which works the same
    /// on both backends. Deliveries of the endpoints in `skip_endpoints` (those the
    /// caller's other workers are sending to) are left for later. Returns the delivery
    /// with its endpoint.
    pub fn claim_due(
        conn: &mut DbConn,
        now: PrimitiveDateTime,
        lease: Duration,
        skip_endpoints: &[i64],
    ) -> QueryResult<Option<(WebhookDelivery, WebhookEndpoint)>> {
        for _ in 0..5 {
            let candidate = webhook_deliveries::table
                .inner_join(webhook_endpoints::table)
                .filter(webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending))
                .filter(webhook_deliveries::next_attempt_at.le(now))
                .filter(webhook_endpoints::active.eq(true))
                .filter(webhook_endpoints::id.ne_all(skip_endpoints))
                .order((webhook_deliveries::next_attempt_at, webhook_deliveries::id))
                .select((WebhookDelivery::as_select(), WebhookEndpoint::as_select()))
                .first::<(WebhookDelivery, WebhookEndpoint)>(conn)
                .optional()?;
            let Some((delivery, endpoint)) = candidate else {
                return Ok(None);
            };
            let claimed = diesel::update(
                webhook_deliveries::table
                    .find(delivery.id)
                    .filter(webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending))
                    .filter(webhook_deliveries::next_attempt_at.eq(delivery.next_attempt_at)),
            )
            .set(webhook_deliveries::next_attempt_at.eq(now + lease))
            .execute(conn)?;
            if claimed == 1 {
                return Ok(Some((delivery, endpoint)));
            }
        }
        Ok(None)
    }

    /// Records an attempt of the delivery claimed as `claimed`: the attempt in the log,
    /// and the delivery's counters and status. Returns `false`, recording nothing, when
    /// the delivery is gone (its endpoint was deleted meanwhile). Call it inside a
    /// transaction so the log and the delivery agree.
    pub fn record_attempt(
        conn: &mut DbConn,
        claimed: &WebhookDelivery,
        outcome: &AttemptOutcome,
    ) -> QueryResult<bool> {
        let (new_status, next_attempt_at, delivered_at) =
            match (outcome.delivered, outcome.retry_at) {
                (true, _) => (
                    WebhookDeliveryStatus::Delivered,
                    outcome.attempted_at,
                    Some(outcome.attempted_at),
                ),
                (false, Some(retry_at)) => (
                    WebhookDeliveryStatus::Pending,
                    retry_at,
                    claimed.delivered_at,
                ),
                (false, None) => (
                    WebhookDeliveryStatus::Failed,
                    outcome.attempted_at,
                    claimed.delivered_at,
                ),
            };
        let updated = diesel::update(webhook_deliveries::table.find(claimed.id))
            .set((
                webhook_deliveries::status.eq(new_status),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next_attempt_at),
                webhook_deliveries::last_status_code.eq(outcome.status_code),
                webhook_deliveries::last_response.eq(outcome.response_snippet.as_deref()),
                webhook_deliveries::last_error.eq(outcome.error.as_deref()),
                webhook_deliveries::delivered_at.eq(delivered_at),
            ))
            .execute(conn)?;
        if updated == 0 {
            return Ok(false);
        }
        NewWebhookAttempt {
            delivery_id: claimed.id,
            attempted_at: outcome.attempted_at,
            status_code: outcome.status_code,
            response_snippet: outcome.response_snippet.as_deref(),
            error: outcome.error.as_deref(),
            duration_ms: outcome.duration_ms,
        }
        .insert(conn)?;
        Ok(true)
    }

    /// Queues the delivery again, due now, keeping its history; `false` when there is
    /// no such delivery.
    pub fn redeliver(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
        let updated = diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(WebhookDeliveryStatus::Pending),
                webhook_deliveries::next_attempt_at.eq(now),
            ))
            .execute(conn)?;
        Ok(updated == 1)
    }
}

/// One recorded HTTP attempt.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = webhook_attempts)]
pub struct WebhookAttempt {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: PrimitiveDateTime,
    pub status_code: Option<i32>,
    pub response_snippet: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

/// An attempt to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct NewWebhookAttempt<'a> {
    pub delivery_id: i64,
    pub attempted_at: PrimitiveDateTime,
    pub status_code: Option<i32>,
    pub response_snippet: Option<&'a str>,
    pub error: Option<&'a str>,
    pub duration_ms: i32,
}

impl NewWebhookAttempt<'_> {
    /// Records the attempt.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(webhook_attempts::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

impl WebhookAttempt {
    /// The attempts of these deliveries, oldest first.
    pub fn for_deliveries(
        conn: &mut DbConn,
        delivery_ids: &[i64],
    ) -> QueryResult<Vec<WebhookAttempt>> {
        if delivery_ids.is_empty() {
            return Ok(Vec::new());
        }
        webhook_attempts::table
            .filter(webhook_attempts::delivery_id.eq_any(delivery_ids))
            .order(webhook_attempts::id)
            .select(WebhookAttempt::as_select())
            .load(conn)
    }
}
