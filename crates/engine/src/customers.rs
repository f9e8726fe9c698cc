//! Reassigning a customer to another partner by a manager (A1).
//!
//! A reassignment changes who earns from the customer's future payments; commissions
//! already booked stay with the partner who earned them. The customer is read and moved
//! under its lock, the one events about it take too (PostgreSQL), so a payment applied
//! at the same moment earns for the old partner or the new one, in order. The new
//! partner may reach a level threshold with the customer and is promoted at once (L3,
//! [`crate::commissions::promote`]), which queues `partner.level_changed`.

use partnerly_db::DbConn;
use partnerly_db::customer::Customer;
use partnerly_db::membership::Membership;
use partnerly_domain::FieldErrors;
use partnerly_domain::customer::{AdminCustomerView, Reassignment};
use time::PrimitiveDateTime;

use crate::audit::Audit;
use crate::commissions::{self, Batch, CommissionError};
use crate::views::{self, Owners, ViewError};

/// Why a customer was not reassigned.
#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    /// No customer with this id (404).
    #[error("not found")]
    NotFound,
    /// Some fields are not valid: no membership with the id given (422
    /// `validation_failed`).
    #[error("Some fields are not valid.")]
    Invalid(FieldErrors),
    /// Promoting the new partner failed: answered as the commission operations' errors
    /// are.
    #[error("promotion: {0}")]
    Promotion(#[from] CommissionError),
    /// The database failed: the transaction fails (and may be retried).
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// The stored data contradicts itself: a bug.
    #[error("inconsistent data: {what}")]
    Inconsistent {
        what: String,
        #[source]
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl From<ViewError> for CustomerError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => Self::NotFound,
            ViewError::Database(e) => Self::Database(e),
            ViewError::Inconsistent { what, cause } => Self::Inconsistent { what, cause },
        }
    }
}

/// The audit entry could not be written as JSON.
impl From<serde_json::Error> for CustomerError {
    fn from(e: serde_json::Error) -> Self {
        Self::Inconsistent {
            what: "audit json".into(),
            cause: Some(Box::new(e)),
        }
    }
}

/// What [`reassign`] did.
#[derive(Debug, Clone)]
pub struct Reassigned {
    /// The customer as it is now.
    pub view: AdminCustomerView,
    /// The new partner moved up a level: a webhook may be queued, wake the sender
    /// after the commit.
    pub promoted: bool,
}

/// Gives customer `id` to `change.membership_id` (or to nobody) for `actor_id`, with
/// the audit entry `customer.reassign`, in the caller's transaction. A customer already
/// there is answered as it is, and nothing is recorded.
pub fn reassign(
    conn: &mut DbConn,
    actor_id: i64,
    id: i64,
    change: &Reassignment,
    now: PrimitiveDateTime,
) -> Result<Reassigned, CustomerError> {
    // Read under the customer's lock, which events about it take too: a payment
    // applied at this moment earns for the old partner or the new, in order.
    let found = Customer::find(conn, id)?.ok_or(CustomerError::NotFound)?;
    partnerly_db::conn::lock_customers(conn, &[&found.external_id], &[])?;
    let customer = Customer::find(conn, id)?.ok_or(CustomerError::NotFound)?;
    let target = match change.membership_id {
        Some(mid) => Some(Membership::find(conn, mid)?.ok_or_else(|| {
            CustomerError::Invalid(FieldErrors::from([(
                "membership_id".to_owned(),
                "There is no membership with this id.".to_owned(),
            )]))
        })?),
        None => None,
    };
    let mut owners = Owners::default();
    if customer.membership_id == change.membership_id {
        return Ok(Reassigned {
            view: views::customer_view(conn, &mut owners, customer)?,
            promoted: false,
        });
    }
    let before = views::customer_view(conn, &mut owners, customer.clone())?;
    // One unit of work: the new partner's progress (L3) counts the customer's figures
    // the move adds, before they are written.
    let (updated, promoted) = Batch::run(conn, |conn, batch| {
        let updated = batch.reassign_customer(conn, &customer, change.membership_id, now)?;
        let promoted = match target.as_ref().filter(|m| m.is_active()) {
            Some(membership) => commissions::promote(conn, batch, membership, now)?.is_some(),
            None => false,
        };
        Ok::<_, CommissionError>((updated, promoted))
    })?;
    let view = views::customer_view(conn, &mut owners, updated)?;
    Audit::changed("customer.reassign", "customer", id, &before, &view)?
        .because(change.reason.as_str())
        .record(conn, actor_id, now)?;
    Ok(Reassigned { view, promoted })
}
