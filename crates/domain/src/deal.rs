//! Leads and deals (T8): a visitor a partner referred fills in the vendor's "Contact us"
//! form; the vendor-site script (`/js/partnerly.js`) sends it with the referral the
//! visit carried, and it becomes a deal of the partner: pending, then won (with an
//! amount) or lost, as the vendor reports through the events API (`deal.status_changed`)
//! or staff set in the admin pages.
//!
//! Decisions:
//! - Only a referred lead becomes a deal: a lead without a known `ref` or `click_id` is
//!   answered like any other and stored nowhere (it is the vendor's, not a partner's).
//! - Partners see their deals with the contact's name and company and the email masked;
//!   staff and the vendor's webhooks see it whole.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::email::Email;
use crate::error::{FieldErrors, Validator};
use crate::membership::PartnerRef;
use crate::money::{Currency, Money, MoneyView};
use crate::text::MAX_NAME_LEN;

/// Longest message a lead may carry.
pub const MAX_LEAD_MESSAGE_LEN: usize = 5_000;

/// Where a deal stands (the seeds' pending / closed successfully / closed unsuccessfully).
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// The vendor is working on it.
    Pending,
    /// Closed successfully, with the deal's amount.
    Won,
    /// Closed unsuccessfully.
    Lost,
}

stored_as_text!(DealStatus, "deal status");

impl DealStatus {
    /// Every status, in the order a deal goes through them.
    pub const ALL: [DealStatus; 3] = [Self::Pending, Self::Won, Self::Lost];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "won" => Some(Self::Won),
            "lost" => Some(Self::Lost),
            _ => None,
        }
    }
}

/// `POST /api/v1/public/leads`: what the vendor's form sends, through the script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadRequest {
    #[schema(example = "Jane Roe", min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(example = "jane@roe.example", min_length = 3, max_length = 254)]
    pub email: String,
    #[serde(default)]
    #[schema(example = "Roe Ltd", max_length = 100)]
    pub company: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub message: Option<String>,
    /// The referral code the landing page got (`ref`).
    #[serde(default, rename = "ref")]
    #[schema(max_length = 32)]
    pub ref_code: Option<String>,
    /// The click id the landing page got (`click_id`).
    #[serde(default)]
    #[schema(max_length = 40)]
    pub click_id: Option<String>,
    /// Left empty by people; a form filled in by a bot fills it in. Such a lead is
    /// answered like any other and stored nowhere.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub website: Option<String>,
}

/// A validated lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub name: String,
    pub email: String,
    pub company: Option<String>,
    pub message: String,
    pub ref_code: Option<String>,
    pub click_id: Option<String>,
    /// The honeypot was filled in.
    pub is_bot: bool,
}

fn bounded_text(raw: &str, max: usize, what: &str) -> Result<String, String> {
    if raw.chars().count() > max {
        return Err(format!("{what} has at most {max} characters."));
    }
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(format!("{what} cannot contain control characters."));
    }
    Ok(raw.trim().to_owned())
}

impl LeadRequest {
    pub fn validate(&self) -> Result<Lead, FieldErrors> {
        let mut v = Validator::new();
        let name = v
            .check("name", bounded_text(&self.name, MAX_NAME_LEN, "A name"))
            .filter(|n| {
                let blank = n.is_empty();
                if blank {
                    v.add("name", "Enter your name.");
                }
                !blank
            });
        let email = v.check(
            "email",
            Email::parse(&self.email).map_err(|e| e.to_string()),
        );
        let company = self
            .company
            .as_deref()
            .and_then(|c| v.check("company", bounded_text(c, MAX_NAME_LEN, "A company")))
            .filter(|c| !c.is_empty());
        let message = self
            .message
            .as_deref()
            .map(|m| {
                v.check(
                    "message",
                    bounded_text(m, MAX_LEAD_MESSAGE_LEN, "A message"),
                )
            })
            .unwrap_or(Some(String::new()));
        let code = |raw: &Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty() && c.len() <= 40)
                .filter(|c| {
                    c.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
                .map(str::to_owned)
        };
        v.finish()?;
        Ok(Lead {
            name: name.unwrap_or_default(),
            email: email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
            company,
            message: message.unwrap_or_default(),
            ref_code: code(&self.ref_code),
            click_id: code(&self.click_id),
            is_bot: self
                .website
                .as_deref()
                .is_some_and(|w| !w.trim().is_empty()),
        })
    }
}

/// The answer to a lead: the same whether it became a deal or not, so the form learns
/// nothing about partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeadReceived {
    pub received: bool,
}

/// A deal as its partner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DealView {
    pub id: i64,
    pub membership_id: i64,
    pub program_name: String,
    /// The label of the link the lead came through.
    pub link_label: Option<String>,
    pub name: String,
    pub company: Option<String>,
    /// Masked for partners (`j***@example.com`).
    pub email: String,
    pub status: DealStatus,
    /// Set when won.
    pub amount: Option<MoneyView>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

/// `GET /api/v1/me/deals`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DealList {
    pub items: Vec<DealView>,
}

/// A deal as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdminDealView {
    #[serde(flatten)]
    pub deal: DealView,
    pub partner: PartnerRef,
    pub message: String,
}

page_type! {
    /// A page of deals, newest first.
    pub type DealPage = Page<AdminDealView>;
}

/// A change of a deal's status: `PATCH /api/v1/admin/deals/{id}`, and the data of the
/// `deal.status_changed` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeDealRequest {
    pub status: DealStatus,
    /// Required when won: the deal's value, a plain decimal.
    #[serde(default)]
    #[schema(
        example = "1200.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: Option<String>,
    /// The amount's currency (default: the program's).
    #[serde(default)]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
}

/// A validated [`ChangeDealRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealChange {
    pub status: DealStatus,
    pub amount: Option<Money>,
}

impl ChangeDealRequest {
    /// Checks the change; `program_currency` is the amount's currency when none is given.
    pub fn validate(&self, program_currency: Currency) -> Result<DealChange, FieldErrors> {
        let mut v = Validator::new();
        let currency = match self.currency.as_deref() {
            Some(c) => v.check("currency", Currency::parse(c)),
            None => Some(program_currency),
        };
        let amount = match (&self.amount, currency) {
            (Some(raw), Some(currency)) => v.check("amount", Money::parse(raw, currency)),
            _ => None,
        };
        match (self.status, &amount) {
            (DealStatus::Won, None) if self.amount.is_none() => {
                v.add("amount", "A won deal has an amount.");
            }
            (DealStatus::Pending | DealStatus::Lost, Some(_)) => {
                v.add("amount", "Only a won deal has an amount.");
            }
            _ => {}
        }
        if amount.is_some_and(|a| !a.is_positive()) {
            v.add("amount", "A positive amount, like \"1200.00\".");
        }
        v.finish()?;
        Ok(DealChange {
            status: self.status,
            amount,
        })
    }
}

/// `deal.status_changed` from the vendor: Partnerly's deal id (from the `deal.created`
/// webhook) and the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealStatusChangedData {
    /// The deal's id as Partnerly sent it in `deal.created`.
    #[schema(
        example = "42",
        min_length = 1,
        max_length = 19,
        pattern = "^[0-9]{1,19}$"
    )]
    pub deal_id: String,
    pub status: DealStatus,
    #[serde(default)]
    #[schema(
        example = "1200.00",
        max_length = 25,
        pattern = "^[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(json: serde_json::Value) -> LeadRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_lead_needs_a_name_and_an_email_and_keeps_its_referral() {
        let ok = lead(
            serde_json::json!({"name": " Jane ", "email": "Jane@Roe.example",
            "ref": "jane-doe", "click_id": "abc123", "message": "Call me\nplease"}),
        )
        .validate()
        .unwrap();
        assert_eq!(ok.name, "Jane");
        assert_eq!(ok.ref_code.as_deref(), Some("jane-doe"));
        assert_eq!(ok.message, "Call me\nplease");
        assert!(!ok.is_bot);
        let bad = lead(serde_json::json!({"name": " ", "email": "nope"}))
            .validate()
            .unwrap_err();
        assert!(bad.contains_key("name") && bad.contains_key("email"));
        let odd_ref = lead(serde_json::json!({"name": "J", "email": "j@r.example", "ref": "a b"}))
            .validate()
            .unwrap();
        assert_eq!(odd_ref.ref_code, None, "a malformed code is no referral");
    }

    #[test]
    fn the_honeypot_marks_a_bot() {
        let bot = lead(
            serde_json::json!({"name": "J", "email": "j@r.example", "website": "http://spam"}),
        );
        assert!(bot.validate().unwrap().is_bot);
    }

    #[test]
    fn only_a_won_deal_has_an_amount() {
        let change = |status, amount: Option<&str>| ChangeDealRequest {
            status,
            amount: amount.map(str::to_owned),
            currency: None,
        };
        let usd = Currency::parse("USD").unwrap();
        assert!(change(DealStatus::Won, Some("1200")).validate(usd).is_ok());
        assert!(change(DealStatus::Won, None).validate(usd).is_err());
        assert!(change(DealStatus::Won, Some("0")).validate(usd).is_err());
        assert!(change(DealStatus::Lost, Some("5")).validate(usd).is_err());
        assert!(change(DealStatus::Lost, None).validate(usd).is_ok());
    }

    #[test]
    fn every_status_round_trips_its_stored_name() {
        assert_eq!(
            DealStatus::ALL.map(|s| DealStatus::parse(s.as_str())),
            DealStatus::ALL.map(Some)
        );
    }
}
