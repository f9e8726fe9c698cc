//! Customers as staff see them (A1): who each of the vendor's accounts belongs to, and
//! the manager's reassignment of a customer to another partner.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::event::CustomerStatus;
use crate::membership::PartnerRef;
use crate::profile::double_option;
use crate::text::parse_reason;

/// How a customer came to be attributed to its partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum AttributedVia {
    /// The sign-up carried the link's promo code.
    PromoCode,
    /// The sign-up carried the click id of a recorded click on the link.
    Click,
    /// The sign-up carried the link's ref code.
    RefCode,
    /// The partner claimed the customer and a manager agreed.
    Claim,
    /// A manager assigned the customer.
    Manual,
}

stored_as_text!(AttributedVia, "attribution");

impl AttributedVia {
    /// The stable name stored in the database (and sent in webhooks).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PromoCode => "promo_code",
            Self::Click => "click",
            Self::RefCode => "ref_code",
            Self::Claim => "claim",
            Self::Manual => "manual",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "promo_code" => Some(Self::PromoCode),
            "click" => Some(Self::Click),
            "ref_code" => Some(Self::RefCode),
            "claim" => Some(Self::Claim),
            "manual" => Some(Self::Manual),
            _ => None,
        }
    }
}

/// A customer in the staff's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdminCustomerView {
    pub id: i64,
    /// The vendor's id of the account.
    pub external_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub status: CustomerStatus,
    pub plan: Option<String>,
    /// The membership the customer is attributed to; `None` when nobody's.
    pub membership_id: Option<i64>,
    pub partner: Option<PartnerRef>,
    pub program_name: Option<String>,
    pub attributed_via: Option<AttributedVia>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub attributed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub signed_up_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_paid_at: Option<OffsetDateTime>,
}

page_type! {
    /// `GET /api/v1/admin/customers`.
    pub type CustomerPage = Page<AdminCustomerView>;
}

/// `POST /api/v1/admin/customers/{id}/reassign`: the customer's future payments earn
/// `membership_id`'s partner (or nobody, with `null`); commissions already booked stay
/// where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignCustomerRequest {
    /// Required: a membership id, or `null` to detach the customer from any partner.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, required = true)]
    pub membership_id: Option<Option<i64>>,
    /// Why, for the audit log (required, at most 500 characters).
    // What `parse_reason` accepts: no control characters but tabs and newlines once
    // the white space around it is trimmed, and not blank.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 500,
        pattern = "^[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^ \\u0000-\\u001F\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000])?[\\t-\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    pub reason: String,
}

/// A validated reassignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment {
    pub membership_id: Option<i64>,
    pub reason: String,
}

impl ReassignCustomerRequest {
    /// Both fields are required (`membership_id` may be `null`).
    pub fn validate(&self) -> Result<Reassignment, FieldErrors> {
        let mut v = Validator::new();
        if self.membership_id.is_none() {
            v.add(
                "membership_id",
                "Give the membership the customer moves to, or null to detach it.",
            );
        }
        let reason = v
            .check("reason", parse_reason(&self.reason, true))
            .flatten();
        v.finish()?;
        Ok(Reassignment {
            membership_id: self.membership_id.flatten(),
            reason: reason.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> ReassignCustomerRequest {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_reassignment_needs_a_target_or_null_and_a_reason() {
        assert_eq!(
            parse(r#"{"membership_id": 7, "reason": " moved "}"#)
                .validate()
                .unwrap(),
            Reassignment {
                membership_id: Some(7),
                reason: "moved".into()
            }
        );
        assert_eq!(
            parse(r#"{"membership_id": null, "reason": "fraud"}"#)
                .validate()
                .unwrap()
                .membership_id,
            None
        );
        let errors = parse(r#"{"reason": ""}"#).validate().unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["membership_id", "reason"]
        );
    }
}
