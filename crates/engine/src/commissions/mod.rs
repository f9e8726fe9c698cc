//! Applying the vendor's events (E1, C1–C4, L3): attribution at sign-up, commissions
//! from payments, reversals from refunds, client bonuses, level promotion, and the
//! release of commissions whose hold ended.
//!
//! Every operation runs inside the caller's write transaction, in a [`Batch`] (the unit
//! of work), so an event's state changes, ledger transfers and webhooks commit together
//! or not at all. Ledger keys (`commission:<id>:accrue`, `:release`, `:reverse:<total>`)
//! make every booking idempotent even if a step runs twice (`docs/ledger.md`).
//!
//! Decisions, documented in the README:
//! - A payment for a customer Partnerly has not seen is kept (`deferred`) and applied
//!   when the customer's `customer.signed_up` arrives.
//! - A refund for an unknown payment, or more than was paid, is refused (422): the
//!   vendor can send it again once the payment is known.
//! - Attribution precedence is promo code > click id > ref code; a customer keeps its
//!   partner unless a manager reassigns it.
//! - A flat first-payment amount is paid in the program's currency; percentages in the
//!   payment's currency.
//!
//! Files: [`batch`] (the unit of work), [`ingest`] (an event's receipt and dispatch,
//! customer updates), [`signup`] (attribution and client bonuses), [`payment`]
//! (commission lines), [`reversal`] (refunds, chargebacks, rule corrections),
//! [`levels`] (promotion), [`holds`] (release).

mod batch;
mod figures;
mod holds;
mod ingest;
mod levels;
mod payment;
mod reversal;
mod signup;

pub use batch::Batch;
pub use holds::{release, release_due};
pub use ingest::{Applied, apply, ingest};
pub use levels::promote;

use partnerly_domain::FieldErrors;
use partnerly_domain::ledger::{Account, Transfer};
use partnerly_domain::money::{Currency, Money};
use serde_json::{Value, json};

/// Why a commission operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommissionError {
    /// The event cannot be applied as sent (`unknown_payment`, `refund_exceeds_payment`,
    /// `idempotency_conflict`, ...). Nothing was recorded; the sender may fix it and
    /// send it again with the same id. The API answers 422 with `code`.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// Some fields of the event are not valid (422 `validation_failed`).
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    /// The database failed: the whole transaction fails (and may be retried, see
    /// `partnerly_db::Classify`).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself (a row an event needs is gone, a stored
    /// currency unknown): a bug, never the sender's fault.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl CommissionError {
    /// Whether this refuses the one event for the sender's own reason: the answer to that
    /// event. Anything else fails the whole transaction it happened in.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused { .. } | Self::Invalid(_))
    }

    fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(field.to_owned(), message.into())]))
    }

    /// A row an event needs is gone: the database is inconsistent, not the event wrong.
    fn missing(what: &str) -> Self {
        Self::Inconsistent {
            what: format!("{what} not found"),
            cause: None,
        }
    }

    /// An event or its answer could not be written as JSON.
    fn body(e: serde_json::Error) -> Self {
        Self::inconsistent("event as JSON", e)
    }

    fn inconsistent(
        what: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Inconsistent {
            what: what.into(),
            cause: Some(Box::new(cause)),
        }
    }
}

impl From<FieldErrors> for CommissionError {
    fn from(fields: FieldErrors) -> Self {
        Self::Invalid(fields)
    }
}

/// A stored currency code (every one was checked when it was written).
fn currency(code: &str) -> Result<Currency, CommissionError> {
    Currency::parse(code).map_err(|e| CommissionError::inconsistent("stored currency", e))
}

fn transfer(
    key: String,
    from: Account,
    to: Account,
    amount: Money,
) -> Result<Transfer, CommissionError> {
    Transfer::new(key, from, to, amount)
        .map_err(|e| CommissionError::inconsistent("ledger transfer", e))
}

fn money_json(minor: i64, currency: &str) -> Value {
    match Currency::parse(currency) {
        Ok(c) => json!(Money::from_minor(minor, c).to_view()),
        Err(_) => json!({"amount_minor": minor, "currency": currency}),
    }
}
