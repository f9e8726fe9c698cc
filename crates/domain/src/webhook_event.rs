//! What Partnerly tells the vendor (I2): every webhook message's `type` and its `data`,
//! as types. The body of a message is `{"type": ..., "timestamp": ..., "data": ...}`
//! (Standard Webhooks); [`WebhookEvent`] is the `type` and `data` part, and its schema is
//! in the OpenAPI document (`WebhookEvent`, one variant per type), so a vendor can write
//! a receiver without reading Rust.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::customer::AttributedVia;
use crate::deal::DealStatus;
use crate::level::LineKind;
use crate::level_settings::BonusTrigger;
use crate::membership::LevelChangeReason;
use crate::money::MoneyView;
use crate::partner::CommissionStatus;

/// One webhook message's type and data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "data")]
pub enum WebhookEvent {
    /// A new customer was attributed to a partner.
    #[serde(rename = "customer.attributed")]
    CustomerAttributed(CustomerAttributed),
    /// A commission was earned; it is pending until its hold ends.
    #[serde(rename = "commission.created")]
    CommissionCreated(CommissionEvent),
    /// A commission's hold ended: it counts toward the partner's available balance.
    #[serde(rename = "commission.available")]
    CommissionAvailable(CommissionEvent),
    /// A commission was reversed in part or in full (`reason`).
    #[serde(rename = "commission.reversed")]
    CommissionReversed(CommissionEvent),
    /// A partner's level granted a bonus for a client.
    #[serde(rename = "client_bonus.granted")]
    ClientBonusGranted(ClientBonusGranted),
    /// A partner moved to another level.
    #[serde(rename = "partner.level_changed")]
    LevelChanged(LevelChanged),
    /// A referred visitor left their details on the vendor's form: a pending deal of the
    /// partner (T8). Report its outcome with the `deal.status_changed` event.
    #[serde(rename = "deal.created")]
    DealCreated(DealEvent),
    /// A deal was won (with its amount) or lost, or reopened.
    #[serde(rename = "deal.status_changed")]
    DealStatusChanged(DealEvent),
    /// "Send test message" in the admin pages, to one endpoint.
    #[serde(rename = "webhook.test")]
    Test(WebhookTest),
}

impl WebhookEvent {
    /// The message's `type`.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::CustomerAttributed(_) => "customer.attributed",
            Self::CommissionCreated(_) => "commission.created",
            Self::CommissionAvailable(_) => "commission.available",
            Self::CommissionReversed(_) => "commission.reversed",
            Self::ClientBonusGranted(_) => "client_bonus.granted",
            Self::LevelChanged(_) => "partner.level_changed",
            Self::DealCreated(_) => "deal.created",
            Self::DealStatusChanged(_) => "deal.status_changed",
            Self::Test(_) => crate::webhook::TEST_EVENT_TYPE,
        }
    }

    /// The message's `data`.
    pub fn data(&self) -> serde_json::Value {
        let data = match self {
            Self::CustomerAttributed(d) => serde_json::to_value(d),
            Self::CommissionCreated(d)
            | Self::CommissionAvailable(d)
            | Self::CommissionReversed(d) => serde_json::to_value(d),
            Self::ClientBonusGranted(d) => serde_json::to_value(d),
            Self::LevelChanged(d) => serde_json::to_value(d),
            Self::DealCreated(d) | Self::DealStatusChanged(d) => serde_json::to_value(d),
            Self::Test(d) => serde_json::to_value(d),
        };
        // Plain structs of strings and numbers always serialize.
        data.unwrap_or_default()
    }
}

/// `customer.attributed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomerAttributed {
    /// The vendor's id of the customer.
    pub customer_id: String,
    pub membership_id: i64,
    pub program_id: i64,
    /// The code of the link (or promo code's link) the customer came through.
    pub link_code: String,
    pub via: AttributedVia,
}

/// `commission.created`, `commission.available` and `commission.reversed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommissionEvent {
    pub commission_id: i64,
    pub membership_id: i64,
    pub kind: LineKind,
    /// The percentage of a `percent` line, e.g. `"20"`.
    pub rate: Option<String>,
    pub amount: MoneyView,
    /// How much of the amount is reversed (in `commission.reversed`, after this reversal).
    pub reversed: MoneyView,
    pub status: CommissionStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub available_at: Option<OffsetDateTime>,
    /// The vendor's ids of the payment and its customer.
    pub payment_id: String,
    pub customer_id: String,
    /// Why it was reversed (`commission.reversed` only): `refund`, `chargeback` or
    /// `rule_correction` (an earlier first payment arrived late).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
}

/// `client_bonus.granted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClientBonusGranted {
    pub customer_id: String,
    pub amount: MoneyView,
    pub trigger: BonusTrigger,
    pub membership_id: i64,
}

/// `partner.level_changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LevelChanged {
    pub membership_id: i64,
    pub program_id: i64,
    pub from_level: String,
    pub to_level: String,
    pub reason: LevelChangeReason,
}

/// `deal.created` and `deal.status_changed`: the deal and the contact, in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DealEvent {
    /// Partnerly's id of the deal: what `deal.status_changed` names.
    pub deal_id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    pub status: DealStatus,
    pub amount: Option<MoneyView>,
    pub name: String,
    pub email: String,
    pub company: Option<String>,
    pub message: String,
}

/// `webhook.test`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookTest {
    pub endpoint_id: i64,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subscribable_type_is_an_event_and_types_round_trip() {
        let level = WebhookEvent::LevelChanged(LevelChanged {
            membership_id: 1,
            program_id: 2,
            from_level: "Iron".into(),
            to_level: "Bronze".into(),
            reason: LevelChangeReason::Promotion,
        });
        let json = serde_json::to_value(&level).unwrap();
        assert_eq!(json["type"], level.event_type());
        assert_eq!(json["data"], level.data());
        assert_eq!(json["data"]["reason"], "promotion");
        let back: WebhookEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, level);
        // The names endpoints subscribe to are exactly the types sent (and the test).
        let sent = [
            "customer.attributed",
            "commission.created",
            "commission.available",
            "commission.reversed",
            "client_bonus.granted",
            "partner.level_changed",
            "deal.created",
            "deal.status_changed",
        ];
        assert_eq!(crate::webhook::EVENT_TYPES, sent);
    }
}
