//! The release of held commissions: pending → available when the hold ends (C5).

use std::collections::BTreeSet;

use partnerly_db::commission::Commission;
use partnerly_db::customer::Customer;
use partnerly_db::membership::Membership;
use partnerly_db::payment::Payment;
use partnerly_db::{DbConn, write_transaction};
use partnerly_domain::ledger::{Account, AccountKind, Cause};
use partnerly_domain::money::Money;
use partnerly_domain::partner::CommissionStatus;
use partnerly_domain::webhook_event::WebhookEvent;
use time::PrimitiveDateTime;

use super::batch::Batch;
use super::levels::promote;
use super::payment::commission_event;
use super::{CommissionError, currency, transfer};

/// Commissions released per round trip.
const BATCH: i64 = 200;

/// Releases every commission due by `now`, each in its own short transaction, then
/// promotes the memberships that gained; returns how many this call released. A
/// compare-and-set on the status and the ledger's unique keys make it safe to run on
/// several instances at once and harmless to rerun.
pub fn release_due(conn: &mut DbConn, now: PrimitiveDateTime) -> Result<usize, CommissionError> {
    let mut released = 0;
    let mut memberships = BTreeSet::new();
    loop {
        let due = Commission::due(conn, now, BATCH)?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for commission in &due {
            let released_one = write_transaction(conn, |c| {
                Batch::run(c, |c, batch| release(c, batch, commission, now))
            })?;
            if released_one {
                released += 1;
                progressed = true;
                memberships.insert(commission.membership_id);
            }
        }
        if !progressed {
            break;
        }
    }
    for id in memberships {
        write_transaction(conn, |c| {
            if let Some(membership) = Membership::find(c, id)? {
                Batch::run(c, |c, batch| promote(c, batch, &membership, now))?;
            }
            Ok::<_, CommissionError>(())
        })?;
    }
    Ok(released)
}

/// Releases one commission whose hold ended: pending → available for what was not
/// reversed. Safe to run on several instances at once: the status compare-and-set
/// lets one win, and the ledger key refuses a second booking. The line is read again
/// under its customer's lock: a refund may have reversed part of it since the job
/// listed it.
pub fn release(
    conn: &mut DbConn,
    lk: &mut Batch,
    listed: &Commission,
    now: PrimitiveDateTime,
) -> Result<bool, CommissionError> {
    let Some(payment) = Payment::find(conn, listed.payment_id)? else {
        return Ok(false);
    };
    lk.lock(conn, Some(&payment.customer_external_id), None)?;
    let Some(commission) = Commission::find(conn, listed.id)? else {
        return Ok(false);
    };
    if !Commission::mark_available(conn, commission.id, now)? {
        return Ok(false);
    }
    let remaining = commission.amount_minor - commission.reversed_minor;
    if remaining > 0 {
        let c = currency(&commission.currency)?;
        lk.post(
            transfer(
                format!("commission:{}:release", commission.id),
                Account::partner(commission.membership_id, AccountKind::Pending, c),
                Account::partner(commission.membership_id, AccountKind::Available, c),
                Money::from_minor(remaining, c),
            )?,
            Cause::Commission,
            commission.id,
            now,
        );
    }
    if let (Some(payment), true) = (Payment::find(conn, commission.payment_id)?, remaining > 0) {
        let customer = match payment.customer_id {
            Some(id) => Customer::find(conn, id)?,
            None => None,
        };
        if let Some(customer) = customer {
            let mut event = commission_event(&commission, &payment, &customer)?;
            event.status = CommissionStatus::Available;
            lk.enqueue(conn, WebhookEvent::CommissionAvailable(event))?;
        }
    }
    Ok(true)
}
