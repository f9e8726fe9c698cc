//! An event's receipt (idempotent by its id) and its dispatch to the rule that applies
//! it; the customer updates that book nothing.

use partnerly_db::DbConn;
use partnerly_db::customer::CustomerChanges;
use partnerly_db::to_db;
use partnerly_domain::event::{
    CustomerStatusChangedData, Event, EventEnvelope, EventResult, EventStatus,
    SubscriptionUpdatedData, is_storable_key,
};
use partnerly_domain::ledger::Cause;
use partnerly_domain::money::Money;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::CommissionError;
use super::batch::{Batch, ReceivedEvent};
use super::payment::payment_succeeded;
use super::reversal::reverse_payment;
use super::signup::signed_up;

/// What applying an event did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub status: EventStatus,
    pub effects: Map<String, Value>,
}

impl Applied {
    pub(super) fn done() -> Self {
        Self {
            status: EventStatus::Applied,
            effects: Map::new(),
        }
    }

    pub(super) fn note(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.effects.insert(key.to_owned(), value.into());
        self
    }
}

/// Applies one event inside the caller's transaction, or repeats the result recorded
/// for its id. A refused event (a client's mistake: see [`CommissionError::is_refusal`])
/// records nothing, so the sender can fix it and send it again with the same id.
///
/// Events are applied without a savepoint each: every refusal comes before the event's
/// first write, and any error after it fails the whole transaction.
pub fn ingest(
    conn: &mut DbConn,
    batch: &mut Batch,
    owner: &str,
    envelope: &EventEnvelope,
) -> Result<EventResult, CommissionError> {
    let hash = digest(&serde_json::to_string(envelope).map_err(CommissionError::body)?);
    if !is_storable_key(&envelope.id) {
        // Refused with the field named; such an id was never stored.
        envelope.validate()?;
    }
    let key = (owner.to_owned(), envelope.id.clone());
    let seen = match batch.events_seen.get(&key) {
        Some(known) => known.clone(),
        None => partnerly_db::event::seen(conn, owner, &envelope.id)?,
    };
    if let Some((seen_hash, result)) = seen {
        if seen_hash != hash {
            return Err(CommissionError::refused(
                "idempotency_conflict",
                format!(
                    "Event {} was already received with a different body; give a new event a new id.",
                    envelope.id
                ),
            ));
        }
        let mut first: EventResult = serde_json::from_str(&result)
            .map_err(|e| CommissionError::inconsistent("stored event result", e))?;
        first.status = EventStatus::Duplicate;
        return Ok(first);
    }
    let event = envelope.validate()?;
    let applied = apply(conn, batch, &event, envelope.occurred_at)?;
    let result = EventResult {
        id: envelope.id.clone(),
        status: applied.status,
        error: None,
        effects: applied.effects,
    };
    let answer = serde_json::to_string(&result).map_err(CommissionError::body)?;
    batch
        .events_seen
        .insert(key, Some((hash.clone(), answer.clone())));
    batch.received.push(ReceivedEvent {
        owner: owner.to_owned(),
        event_id: envelope.id.clone(),
        kind: envelope.kind.clone(),
        body_hash: hash,
        status: result.status,
        result: answer,
        received_at: partnerly_db::now(),
    });
    Ok(result)
}

/// Applies one validated event.
pub fn apply(
    conn: &mut DbConn,
    lk: &mut Batch,
    event: &Event,
    occurred_at: OffsetDateTime,
) -> Result<Applied, CommissionError> {
    let now = partnerly_db::now();
    // Only payments are kept back; every other event reads what they wrote.
    if !matches!(event, Event::PaymentSucceeded { .. }) {
        lk.flush(conn)?;
    }
    match event {
        Event::CustomerSignedUp(data) => signed_up(conn, lk, data, occurred_at, now),
        Event::PaymentSucceeded { data, amount } => payment_succeeded(conn, lk, data, *amount, now),
        Event::PaymentRefunded(reversal) => reverse_payment(conn, lk, reversal, Cause::Refund, now),
        Event::PaymentChargedBack(reversal) => {
            reverse_payment(conn, lk, reversal, Cause::Chargeback, now)
        }
        Event::CustomerStatusChanged(data) => status_changed(conn, lk, data, now),
        Event::SubscriptionUpdated(data) => subscription_updated(conn, lk, data, now),
        Event::DealStatusChanged { deal_id, change } => {
            deal_status_changed(conn, *deal_id, change, now)
        }
    }
}

/// `deal.status_changed`: the vendor closes (or reopens) a deal from a referred lead.
fn deal_status_changed(
    conn: &mut DbConn,
    deal_id: i64,
    change: &partnerly_domain::deal::ChangeDealRequest,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    use crate::tracking::TrackingError;
    match crate::tracking::change_deal(conn, deal_id, change, now) {
        Ok((deal, changed)) => Ok(Applied::done()
            .note("deal", deal.status.as_str())
            .note("changed", changed)),
        Err(TrackingError::NotFound) => Err(CommissionError::refused(
            "unknown_deal",
            format!("No deal {deal_id}; use the deal_id of the deal.created webhook."),
        )),
        Err(TrackingError::Invalid(fields)) => Err(CommissionError::Invalid(
            fields
                .into_iter()
                .map(|(field, message)| (format!("data.{field}"), message))
                .collect(),
        )),
        Err(TrackingError::Database(e)) => Err(CommissionError::Database(e)),
        Err(other) => Err(CommissionError::Inconsistent {
            what: other.to_string(),
            cause: None,
        }),
    }
}

fn status_changed(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &CustomerStatusChangedData,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    let customer = lk.customer(conn, &data.customer_id)?.ok_or_else(|| {
        CommissionError::refused(
            "unknown_customer",
            format!("No customer {} was reported.", data.customer_id),
        )
    })?;
    lk.update_customer(
        conn,
        &customer,
        &CustomerChanges {
            status: Some(data.status),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Applied::done().note("status", data.status.as_str()))
}

fn subscription_updated(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &SubscriptionUpdatedData,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    let customer = lk.customer(conn, &data.customer_id)?.ok_or_else(|| {
        CommissionError::refused(
            "unknown_customer",
            format!("No customer {} was reported.", data.customer_id),
        )
    })?;
    let balance = match &data.balance {
        Some(view) => Some(
            view.parse()
                .map_err(|e| CommissionError::field("data.balance", e.to_string()))?,
        ),
        None => None,
    };
    lk.update_customer(
        conn,
        &customer,
        &CustomerChanges {
            plan: data.plan.clone().map(Some),
            subscription_ends_at: data.ends_at.map(|t| Some(to_db(t))),
            balance_minor: balance.map(|b: Money| Some(b.minor())),
            balance_currency: balance.map(|b| Some(b.currency().code().to_owned())),
            updated_at: Some(now),
            ..Default::default()
        },
    )?;
    Ok(Applied::done())
}

/// The hex SHA-256 of an event's body: what is stored to recognise a repeat.
fn digest(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
