//! Events from the vendor's billing (E1–E2): the envelope, each type's data, and the
//! result the API answers per event.
//!
//! An event is `{id, type, occurred_at, data}`. The envelope is read first; `data` is
//! then read as the type's struct, so a bad field is reported as `data.<field>`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::money::{Currency, Money, MoneyView};

/// Longest id, external id or code we accept, in bytes.
pub const MAX_ID_LEN: usize = 200;
/// Most events in one batch.
pub const MAX_BATCH: usize = 1000;

/// One event as sent; its OpenAPI schema (a union by `type`) is in
/// [`crate::event_schema`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventEnvelope {
    /// The sender's unique id for this event; sending it again changes nothing.
    pub id: String,
    /// One of `customer.signed_up`, `payment.succeeded`, `payment.refunded`,
    /// `payment.charged_back`, `customer.status_changed`, `subscription.updated`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The type's fields, read once `type` is known.
    pub data: serde_json::Value,
}

/// A batch: `POST /api/v1/events/batch`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// 1 to 1000 events, applied in order.
    #[schema(min_items = 1, max_items = 1000)]
    pub events: Vec<EventEnvelope>,
}

/// `customer.signed_up`: an account was created in the vendor's product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerSignedUpData {
    /// The vendor's id of the customer account.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub customer_id: String,
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub name: Option<String>,
    /// The referral code from the link (`?ref=`).
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub ref_code: Option<String>,
    /// The click id Partnerly's redirect added to the landing URL.
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub click_id: Option<String>,
    /// A promo code the customer entered.
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub promo_code: Option<String>,
}

/// `payment.succeeded`: a customer paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentSucceededData {
    /// The vendor's id of the payment (unique).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub payment_id: String,
    /// The vendor's id of the customer.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub customer_id: String,
    /// A positive decimal with at most the currency's decimals, e.g. "49.00".
    #[schema(
        example = "49.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: String,
    #[schema(value_type = Currency)]
    pub currency: String,
    /// How many months the payment covers (1 monthly, 12 yearly).
    #[serde(default = "one")]
    #[schema(minimum = 1, maximum = 120, default = 1)]
    pub period_months: u16,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(max_length = 40)]
    pub paid_at: OffsetDateTime,
}

fn one() -> u16 {
    1
}

/// `payment.refunded` / `payment.charged_back`: money went back to the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentReversedData {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub payment_id: String,
    /// The billing system's id of this refund or chargeback, unique per payment.
    /// Send it: a refund reported again under a new event id (a retry after a
    /// timeout, a re-sync) is then recognised and reverses nothing twice. Without it,
    /// only the event id protects against double reversals.
    #[schema(
        example = "re_3Nk2",
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub refund_id: Option<String>,
    /// The amount refunded by this event (partial refunds allowed), in the payment's
    /// currency.
    #[schema(
        example = "24.50",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: String,
    /// The payment's currency, if the sender includes it; another currency is refused.
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
}

/// A refund or chargeback, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversal {
    pub payment_id: String,
    pub refund_id: Option<String>,
    /// The amount as sent, read in the payment's currency once the payment is known.
    pub amount_text: String,
    pub currency: Option<Currency>,
}

/// A customer account's state in the vendor's product.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    Active,
    /// Did not renew.
    Frozen,
    Deleted,
}

stored_as_text!(CustomerStatus, "customer status");

impl CustomerStatus {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "active",
            CustomerStatus::Frozen => "frozen",
            CustomerStatus::Deleted => "deleted",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(CustomerStatus::Active),
            "frozen" => Some(CustomerStatus::Frozen),
            "deleted" => Some(CustomerStatus::Deleted),
            _ => None,
        }
    }
}

/// `customer.status_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerStatusChangedData {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub customer_id: String,
    pub status: CustomerStatus,
}

/// `subscription.updated`: what the vendor knows of the customer's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionUpdatedData {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub customer_id: String,
    #[schema(max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub plan: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(max_length = 40)]
    pub ends_at: Option<OffsetDateTime>,
    /// The customer's account balance in the product.
    pub balance: Option<MoneyView>,
}

/// A validated event, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    CustomerSignedUp(CustomerSignedUpData),
    PaymentSucceeded {
        data: PaymentSucceededData,
        amount: Money,
    },
    PaymentRefunded(Reversal),
    PaymentChargedBack(Reversal),
    CustomerStatusChanged(CustomerStatusChangedData),
    SubscriptionUpdated(SubscriptionUpdatedData),
    /// A deal's outcome (T8); the amount is checked against the program's currency when
    /// the event is applied.
    DealStatusChanged {
        deal_id: i64,
        change: crate::deal::ChangeDealRequest,
    },
}

fn id_field(v: &mut Validator, field: &str, value: &str) {
    if let Some(problem) = id_problem(value) {
        v.add(field, problem);
    }
}

fn optional_code(v: &mut Validator, field: &str, value: &Option<String>) {
    if let Some(problem) = value.as_deref().and_then(text_problem) {
        v.add(field, problem);
    }
}

/// Whether `key` can be an id Partnerly stored (what [`EventEnvelope::validate`]
/// accepts as an id): keys that cannot are not looked up at all.
pub fn is_storable_key(key: &str) -> bool {
    id_problem(key).is_none()
}

/// What is wrong with an id: blank, or see [`text_problem`].
fn id_problem(value: &str) -> Option<&'static str> {
    if value.trim().is_empty() {
        Some("Required.")
    } else {
        text_problem(value)
    }
}

/// At most [`MAX_ID_LEN`] bytes and no control characters (PostgreSQL cannot store a
/// NUL in text, and no id, code, name or plan needs one).
fn text_problem(value: &str) -> Option<&'static str> {
    if value.chars().count() > MAX_ID_LEN {
        Some("At most 200 characters.")
    } else if value.chars().any(char::is_control) {
        Some("Control characters are not allowed.")
    } else {
        None
    }
}

fn event_time(v: &mut Validator, field: &str, value: OffsetDateTime) {
    v.check(field, crate::timestamp::accepted(value));
}

fn data<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Result<T, FieldErrors> {
    crate::read::from_value(value.clone(), "data")
}

impl EventEnvelope {
    /// Reads an envelope from JSON; mistakes are field errors under `prefix` (`""`
    /// for a single event, `events[3]` in a batch), like those of [`Self::validate`].
    pub fn read(value: serde_json::Value, prefix: &str) -> Result<Self, FieldErrors> {
        crate::read::object_from_value(value, prefix)
    }

    /// Reads `data` as the event's type and validates every field.
    pub fn validate(&self) -> Result<Event, FieldErrors> {
        let mut v = Validator::new();
        id_field(&mut v, "id", &self.id);
        event_time(&mut v, "occurred_at", self.occurred_at);
        let event = match self.kind.as_str() {
            "customer.signed_up" => {
                let d: CustomerSignedUpData = data(&self.data)?;
                id_field(&mut v, "data.customer_id", &d.customer_id);
                optional_code(&mut v, "data.ref_code", &d.ref_code);
                optional_code(&mut v, "data.click_id", &d.click_id);
                optional_code(&mut v, "data.promo_code", &d.promo_code);
                optional_code(&mut v, "data.name", &d.name);
                if let Some(email) = &d.email
                    && crate::Email::parse(email).is_err()
                {
                    v.add("data.email", "Not an email address.");
                }
                Event::CustomerSignedUp(d)
            }
            "payment.succeeded" => {
                let d: PaymentSucceededData = data(&self.data)?;
                id_field(&mut v, "data.payment_id", &d.payment_id);
                id_field(&mut v, "data.customer_id", &d.customer_id);
                if d.period_months == 0 || d.period_months > 120 {
                    v.add("data.period_months", "Between 1 and 120 months.");
                }
                event_time(&mut v, "data.paid_at", d.paid_at);
                let amount = v
                    .check("data.currency", Currency::parse(&d.currency))
                    .and_then(|c| v.check("data.amount", Money::parse(&d.amount, c)))
                    .filter(|m| {
                        let ok = m.is_positive();
                        if !ok {
                            v.add("data.amount", "A payment is a positive amount.");
                        }
                        ok
                    });
                v.finish()?;
                let amount = amount.ok_or_else(FieldErrors::new)?;
                return Ok(Event::PaymentSucceeded { data: d, amount });
            }
            "payment.refunded" | "payment.charged_back" => {
                let d: PaymentReversedData = data(&self.data)?;
                id_field(&mut v, "data.payment_id", &d.payment_id);
                optional_code(&mut v, "data.refund_id", &d.refund_id);
                if d.refund_id.as_deref().is_some_and(|r| r.trim().is_empty()) {
                    v.add("data.refund_id", "Leave it out or give the refund's id.");
                }
                match crate::money::parse_amount(&d.amount) {
                    Ok(a) if a > rust_decimal::Decimal::ZERO => {}
                    Err(e @ crate::money::MoneyError::TooLarge) => {
                        v.add("data.amount", e.to_string());
                    }
                    _ => v.add("data.amount", "A positive amount, like \"24.50\"."),
                }
                let currency = d
                    .currency
                    .as_deref()
                    .and_then(|c| v.check("data.currency", Currency::parse(c)));
                let reversal = Reversal {
                    payment_id: d.payment_id,
                    refund_id: d.refund_id.map(|r| r.trim().to_owned()),
                    amount_text: d.amount,
                    currency,
                };
                if self.kind == "payment.refunded" {
                    Event::PaymentRefunded(reversal)
                } else {
                    Event::PaymentChargedBack(reversal)
                }
            }
            "customer.status_changed" => {
                let d: CustomerStatusChangedData = data(&self.data)?;
                id_field(&mut v, "data.customer_id", &d.customer_id);
                Event::CustomerStatusChanged(d)
            }
            "subscription.updated" => {
                let d: SubscriptionUpdatedData = data(&self.data)?;
                id_field(&mut v, "data.customer_id", &d.customer_id);
                optional_code(&mut v, "data.plan", &d.plan);
                if let Some(ends_at) = d.ends_at {
                    event_time(&mut v, "data.ends_at", ends_at);
                }
                if let Some(balance) = &d.balance {
                    v.check("data.balance", balance.parse());
                }
                Event::SubscriptionUpdated(d)
            }
            "deal.status_changed" => {
                let d: crate::deal::DealStatusChangedData = data(&self.data)?;
                let deal_id = v.check(
                    "data.deal_id",
                    d.deal_id
                        .parse::<i64>()
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or("The deal's id from the deal.created webhook, like \"42\"."),
                );
                if let Some(currency) = d.currency.as_deref() {
                    v.check("data.currency", Currency::parse(currency));
                }
                Event::DealStatusChanged {
                    deal_id: deal_id.unwrap_or_default(),
                    change: crate::deal::ChangeDealRequest {
                        status: d.status,
                        amount: d.amount,
                        currency: d.currency,
                    },
                }
            }
            other => {
                v.add(
                    "type",
                    format!(
                        "Unknown event type {other:?}; use customer.signed_up, payment.succeeded, \
                         payment.refunded, payment.charged_back, customer.status_changed, \
                         subscription.updated or deal.status_changed."
                    ),
                );
                return Err(v.finish().err().unwrap_or_default());
            }
        };
        v.finish().map(|()| event)
    }
}

/// What happened to one event.
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Applied now.
    Applied,
    /// Seen before with the same body: nothing changed; the first result is repeated.
    Duplicate,
    /// Kept until something it refers to arrives (a payment before its customer).
    Deferred,
    /// Refused; see `error`.
    Rejected,
}

stored_as_text!(EventStatus, "event status");

impl EventStatus {
    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Deferred => "deferred",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "applied" => Some(Self::Applied),
            "duplicate" => Some(Self::Duplicate),
            "deferred" => Some(Self::Deferred),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// The answer for one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventResult {
    pub id: String,
    pub status: EventStatus,
    /// For rejected events: the same body as a single event's error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorBody>,
    /// What the event did, e.g. `{"commissions": 1}`.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    pub effects: serde_json::Map<String, serde_json::Value>,
}

/// The answer to a batch: one result per event, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub results: Vec<EventResult>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn envelope(kind: &str, data: serde_json::Value) -> EventEnvelope {
        serde_json::from_value(json!({
            "id": "evt_1", "type": kind, "occurred_at": "2026-11-01T10:00:00Z", "data": data
        }))
        .unwrap()
    }

    #[test]
    fn a_payment_is_read_with_its_exact_amount() {
        let e = envelope(
            "payment.succeeded",
            json!({"payment_id": "pay_1", "customer_id": "cus_1", "amount": "49.00", "currency": "usd",
                   "paid_at": "2026-11-01T10:00:00Z"}),
        );
        match e.validate().unwrap() {
            Event::PaymentSucceeded { data, amount } => {
                assert_eq!(amount.minor(), 4900);
                assert_eq!(data.period_months, 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_fields_are_reported_under_data() {
        let e = envelope(
            "payment.succeeded",
            json!({"payment_id": "", "customer_id": "cus_1", "amount": "49.001", "currency": "USD",
                   "paid_at": "2026-11-01T10:00:00Z", "period_months": 0}),
        );
        let errors = e.validate().unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["data.amount", "data.payment_id", "data.period_months"]
        );
    }

    #[test]
    fn unknown_types_and_wrong_data_shapes_are_refused() {
        assert!(
            envelope("payment.exploded", json!({}))
                .validate()
                .unwrap_err()
                .contains_key("type")
        );
        let errors = envelope("customer.signed_up", json!({"customer": "x"}))
            .validate()
            .unwrap_err();
        assert_eq!(
            errors["data.customer"],
            "Unknown field; use customer_id, email, name, ref_code, click_id, promo_code."
        );
    }
}
