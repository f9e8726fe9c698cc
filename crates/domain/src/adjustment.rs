//! Manual adjustments (C7): finance staff credit or debit a membership's available
//! balance, with a reason kept in the audit log. A debit may take the balance below
//! zero: a clawback the partner's next commissions repay.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::error::{FieldErrors, Validator};
use crate::membership::PartnerRef;
use crate::money::{Currency, Money, MoneyView};
use crate::text::parse_reason;

/// `POST /api/v1/admin/adjustments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAdjustmentRequest {
    pub membership_id: i64,
    /// Signed and non-zero: "10.00" credits, "-10.00" debits.
    #[schema(
        example = "-10.00",
        max_length = 26,
        pattern = "^-?[0-9]{1,12}(\\.[0-9]{1,12})?$"
    )]
    pub amount: String,
    /// ISO 4217 code; the program's currency when left out.
    #[serde(default)]
    #[schema(value_type = Option<Currency>)]
    pub currency: Option<String>,
    /// Why (required, at most 500 characters); shown in the audit log.
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

/// A validated adjustment: a signed, non-zero amount and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub amount: Money,
    pub reason: String,
}

impl CreateAdjustmentRequest {
    /// Validates the amount (in `currency` when given, else in `program_currency`) and
    /// the reason.
    pub fn validate(&self, program_currency: Currency) -> Result<Adjustment, FieldErrors> {
        let mut v = Validator::new();
        let currency = match self.currency.as_deref() {
            Some(code) => v.check(
                "currency",
                Currency::parse(code).map_err(|_| "Choose an ISO 4217 currency code, like USD."),
            ),
            None => Some(program_currency),
        };
        let amount = currency.and_then(|c| {
            let money = v.check("amount", Money::parse(&self.amount, c))?;
            if money.minor() == 0 {
                v.add("amount", "An adjustment moves a non-zero amount.");
                return None;
            }
            Some(money)
        });
        let reason = v
            .check("reason", parse_reason(&self.reason, true))
            .flatten();
        v.finish()?;
        match (amount, reason) {
            (Some(amount), Some(reason)) => Ok(Adjustment { amount, reason }),
            // Every `None` recorded an error, so `finish` returned it.
            _ => Err(FieldErrors::new()),
        }
    }
}

/// An adjustment as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdjustmentView {
    pub id: i64,
    pub membership_id: i64,
    pub partner: PartnerRef,
    pub program_name: String,
    /// Signed: positive credits the partner, negative debits.
    pub amount: MoneyView,
    pub reason: String,
    /// The finance staff member or admin who made it.
    pub actor_id: i64,
    /// The ledger transfer's key, `adjustment:{id}`.
    pub ledger_key: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

page_type! {
    /// `GET /api/v1/admin/adjustments`.
    pub type AdjustmentPage = Page<AdjustmentView>;
}

/// The ledger key of an adjustment: one transfer per adjustment, ever.
pub fn ledger_key(adjustment_id: i64) -> String {
    format!("adjustment:{adjustment_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn request(amount: &str, currency: Option<&str>, reason: &str) -> CreateAdjustmentRequest {
        CreateAdjustmentRequest {
            membership_id: 1,
            amount: amount.into(),
            currency: currency.map(str::to_owned),
            reason: reason.into(),
        }
    }

    #[test]
    fn adjustments_are_signed_non_zero_amounts_with_a_reason() {
        let debit = request("-15", None, "Duplicate payout")
            .validate(usd())
            .unwrap();
        assert_eq!(debit.amount.minor(), -1500);
        assert_eq!(debit.reason, "Duplicate payout");
        let yen = request("500", Some("jpy"), "Bonus")
            .validate(usd())
            .unwrap();
        assert_eq!(yen.amount.currency().code(), "JPY");
        let errors = request("0.00", None, " ").validate(usd()).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["amount", "reason"]);
        let errors = request("1.005", Some("XXX1"), "r")
            .validate(usd())
            .unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["currency"]);
        assert!(
            request("1.005", None, "r")
                .validate(usd())
                .unwrap_err()
                .contains_key("amount")
        );
        assert!(
            request("x", None, &"r".repeat(501))
                .validate(usd())
                .unwrap_err()
                .contains_key("reason")
        );
    }

    #[test]
    fn the_ledger_key_names_the_adjustment() {
        assert_eq!(ledger_key(12), "adjustment:12");
    }
}
