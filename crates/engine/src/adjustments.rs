//! Manual adjustments by finance staff (C7, A3): a credit moves money from the vendor's
//! `adjustments` account to the partner's `available` balance, a debit the other way.
//!
//! [`book`] writes the adjustment row, its ledger transfer (key `adjustment:{id}`) and
//! the audit entry in the caller's transaction, so they commit together. A debit may
//! take `available` below zero: a documented clawback that the partner's next
//! commissions repay, and no withdrawal is possible meanwhile.
//!
//! A retried request is booked once: with an idempotency key (the API's
//! `Idempotency-Key` header, scoped to the staff member), the same key and request
//! answer the adjustment the first one booked, and the same key with another request is
//! [`AdjustmentError::IdempotencyConflict`]. Two requests with one key racing each other
//! meet at the unique index on the key: the loser's transaction fails with a unique
//! violation (retryable, see `partnerly_db::Classify`), and run again it finds the
//! winner's adjustment.

use partnerly_db::adjustment::{Adjustment, NewAdjustment};
use partnerly_db::membership::Membership;
use partnerly_db::{DbConn, ledger};
use partnerly_domain::FieldErrors;
use partnerly_domain::adjustment::{AdjustmentView, CreateAdjustmentRequest, ledger_key};
use partnerly_domain::ledger::{Account, AccountKind, Cause, Transfer};
use partnerly_domain::money::Money;
use time::PrimitiveDateTime;

use crate::audit::Audit;
use crate::views::{self, ViewError};

/// Why an adjustment was not booked.
#[derive(Debug, thiserror::Error)]
pub enum AdjustmentError {
    /// Some fields are not valid: an unknown membership, a zero or malformed amount, a
    /// bad currency, a missing reason (422 `validation_failed`).
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    /// The idempotency key was used before with another request (422
    /// `idempotency_conflict`).
    #[error("the idempotency key was already used with a different request")]
    IdempotencyConflict,
    /// A row the adjustment's view reads (its membership, the partner) is gone (404).
    #[error("not found")]
    NotFound,
    /// The database failed: the transaction fails (and may be retried).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself (a stored currency unknown, a fresh ledger key
    /// already booked): a bug.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl AdjustmentError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(field.to_owned(), message.into())]))
    }
}

impl From<FieldErrors> for AdjustmentError {
    fn from(fields: FieldErrors) -> Self {
        Self::Invalid(fields)
    }
}

impl From<ViewError> for AdjustmentError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => Self::NotFound,
            ViewError::Database(e) => Self::Database(e),
            ViewError::Inconsistent { what, cause } => Self::Inconsistent { what, cause },
        }
    }
}

/// The audit entry could not be written as JSON.
impl From<serde_json::Error> for AdjustmentError {
    fn from(e: serde_json::Error) -> Self {
        Self::Inconsistent {
            what: "audit json".into(),
            cause: Some(Box::new(e)),
        }
    }
}

/// A request's idempotency key and the digest of its body.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    /// The client's key, scoped to the staff member booking.
    pub key: &'a str,
    /// A digest of the request, to tell a retry from another request with the same key.
    pub request_hash: &'a str,
}

/// What [`book`] did.
#[derive(Debug, Clone)]
pub struct Booked {
    /// The adjustment, as staff see it.
    pub view: AdjustmentView,
    /// `true`: nothing was booked now; this is the adjustment an earlier request with the
    /// same idempotency key and request booked.
    pub replayed: bool,
}

/// Books one adjustment for `actor_id` with its ledger transfer and audit entry, in the
/// caller's transaction; or, for a known idempotency key and the same request, answers
/// the adjustment booked then.
pub fn book(
    conn: &mut DbConn,
    actor_id: i64,
    request: &CreateAdjustmentRequest,
    idempotency: Option<Idempotency<'_>>,
    now: PrimitiveDateTime,
) -> Result<Booked, AdjustmentError> {
    if let Some(Idempotency { key, request_hash }) = idempotency
        && let Some(earlier) = Adjustment::by_idempotency_key(conn, actor_id, key)?
    {
        if earlier.request_hash.as_deref() != Some(request_hash) {
            return Err(AdjustmentError::IdempotencyConflict);
        }
        return Ok(Booked {
            view: views::adjustment_view(conn, &earlier)?,
            replayed: true,
        });
    }
    let (membership, program, _) = Membership::with_program(conn, request.membership_id)?
        .ok_or_else(|| {
            AdjustmentError::field("membership_id", "There is no membership with this id.")
        })?;
    let adjustment = request.validate(views::program_currency(&program)?)?;
    let currency = adjustment.amount.currency();
    let magnitude = adjustment
        .amount
        .minor()
        .checked_abs()
        .map(|m| Money::from_minor(m, currency))
        .ok_or_else(|| AdjustmentError::field("amount", "The amount is too large."))?;
    let row = NewAdjustment {
        membership_id: membership.id,
        amount_minor: adjustment.amount.minor(),
        currency: currency.code(),
        reason: &adjustment.reason,
        actor_id,
        created_at: now,
        idempotency_key: idempotency.map(|i| i.key),
        request_hash: idempotency.map(|i| i.request_hash),
    }
    .insert(conn)?;
    let vendor = Account::vendor(AccountKind::Adjustments, currency);
    let available = Account::partner(membership.id, AccountKind::Available, currency);
    let (from, to) = if adjustment.amount.is_positive() {
        (vendor, available)
    } else {
        (available, vendor)
    };
    let transfer = Transfer::new(ledger_key(row.id), from, to, magnitude).map_err(|e| {
        AdjustmentError::Inconsistent {
            what: "ledger transfer".into(),
            cause: Some(Box::new(e)),
        }
    })?;
    if !ledger::post(conn, &transfer, Cause::Adjustment, row.id, now)? {
        // A fresh row's key cannot exist; if it does, the ledger is wrong.
        return Err(AdjustmentError::Inconsistent {
            what: format!("ledger key {} already booked", transfer.key),
            cause: None,
        });
    }
    let view = views::adjustment_view(conn, &row)?;
    Audit::created("adjustment.create", "adjustment", row.id, &view)?
        .because(adjustment.reason.as_str())
        .record(conn, actor_id, now)?;
    Ok(Booked {
        view,
        replayed: false,
    })
}
