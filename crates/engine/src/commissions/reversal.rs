//! Reversals: refunds and chargebacks take back the commission's share (C3), and an
//! earlier first payment arriving late voids lines it makes wrong.

use partnerly_db::DbConn;
use partnerly_db::commission::Commission;
use partnerly_db::customer::Customer;
use partnerly_db::level::Level;
use partnerly_db::payment::{Payment, Reversal as PaymentReversal};
use partnerly_domain::event::Reversal;
use partnerly_domain::ledger::{Account, AccountKind, Cause};
use partnerly_domain::level::{LineKind, PaymentFacts, reversed_total};
use partnerly_domain::money::Money;
use partnerly_domain::partner::CommissionStatus;
use partnerly_domain::webhook_event::WebhookEvent;
use time::PrimitiveDateTime;

use super::batch::Batch;
use super::ingest::Applied;
use super::payment::commission_event;
use super::{CommissionError, currency, money_json, transfer};

pub(super) fn reverse_payment(
    conn: &mut DbConn,
    lk: &mut Batch,
    reversal: &Reversal,
    cause: Cause,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    let payment_id = reversal.payment_id.as_str();
    let payment = lk.payment(conn, payment_id)?.ok_or_else(|| {
        CommissionError::refused(
            "unknown_payment",
            format!("No payment {payment_id} was reported; send payment.succeeded first."),
        )
    })?;
    let payment_currency = currency(&payment.currency)?;
    if let Some(sent) = reversal.currency
        && sent != payment_currency
    {
        return Err(CommissionError::field(
            "data.currency",
            format!(
                "Payment {payment_id} is in {}; a refund is in the payment's currency.",
                payment_currency.code()
            ),
        ));
    }
    let amount = Money::parse(&reversal.amount_text, payment_currency)
        .map_err(|e| CommissionError::field("data.amount", e.to_string()))?;
    if let Some(refund_id) = &reversal.refund_id
        && let Some(known) = PaymentReversal::find(conn, payment.id, refund_id)?
    {
        if known.amount_minor != amount.minor() || known.kind != cause {
            return Err(CommissionError::refused(
                "refund_conflict",
                format!(
                    "Refund {refund_id} of payment {payment_id} was already reported \
                     with another amount or type."
                ),
            ));
        }
        return Ok(Applied::done().note("refund", "already_recorded"));
    }
    // Both are below the accepted amount limit: the sum cannot overflow, but it is
    // checked anyway, so no input can ever wrap it.
    let refunded_total = payment
        .refunded_minor
        .checked_add(amount.minor())
        .filter(|total| *total <= payment.amount_minor)
        .ok_or_else(|| {
            CommissionError::refused(
                "refund_exceeds_payment",
                format!(
                    "Refunds of payment {payment_id} would total more than the {} paid \
                     ({} refunded before).",
                    Money::from_minor(payment.amount_minor, payment_currency),
                    Money::from_minor(payment.refunded_minor, payment_currency)
                ),
            )
        })?;
    if let Some(refund_id) = &reversal.refund_id {
        PaymentReversal::insert(conn, payment.id, refund_id, cause, amount.minor(), now)?;
    }
    let customer = match payment.customer_id {
        Some(id) => Customer::find(conn, id)?,
        None => None,
    };
    lk.set_refunded(
        conn,
        &payment,
        refunded_total,
        customer.as_ref().and_then(|c| c.membership_id),
    )?;
    let mut reversed_lines = 0;
    for commission in Commission::of_payment(conn, payment.id)? {
        if reverse_commission(
            conn,
            lk,
            &commission,
            &payment,
            customer.as_ref(),
            Refunds {
                total: refunded_total,
                cause,
            },
            now,
        )? {
            reversed_lines += 1;
        }
    }
    Ok(Applied::done()
        .note(
            "refunded_total",
            money_json(refunded_total, &payment.currency),
        )
        .note("commissions_reversed", reversed_lines))
}

/// Voids the commissions of a customer's later payments that an earlier first payment
/// (`first`, arriving out of order, or at the same moment with a smaller id) makes wrong: the flat first-payment line, which
/// belongs to the new first payment, and percentage lines now outside the rule's
/// duration. Each is reversed in full, as a refund of the whole payment would be.
pub(super) fn void_outdated(
    conn: &mut DbConn,
    lk: &mut Batch,
    customer: &Customer,
    first: &Payment,
    now: PrimitiveDateTime,
) -> Result<(), CommissionError> {
    for later in Payment::of_customer(conn, customer.id)? {
        if later.id == first.id || !first.precedes(&later) {
            continue;
        }
        for commission in Commission::of_payment(conn, later.id)? {
            if commission.reversed_minor >= commission.amount_minor {
                continue;
            }
            let outdated = if commission.kind == LineKind::Flat {
                true
            } else {
                let Some(level) = Level::find(conn, commission.level_id)? else {
                    continue;
                };
                let c = currency(&later.currency)?;
                let facts = PaymentFacts {
                    amount: Money::from_minor(later.amount_minor, c),
                    paid_at: later.paid_at.assume_utc(),
                    first_paid_at: first.paid_at.assume_utc(),
                    is_first: false,
                };
                !level.rule(c)?.covers(&facts)
            };
            if outdated {
                // Reversing "the whole payment" reverses the whole line.
                reverse_commission(
                    conn,
                    lk,
                    &commission,
                    &later,
                    Some(customer),
                    Refunds {
                        total: later.amount_minor,
                        cause: Cause::RuleCorrection,
                    },
                    now,
                )?;
            }
        }
    }
    Ok(())
}

/// How much of a payment is refunded in all, and why: `refund`, `chargeback`, or
/// `rule_correction` (a whole line voided by an earlier first payment).
#[derive(Debug, Clone, Copy)]
pub(super) struct Refunds {
    pub(super) total: i64,
    pub(super) cause: Cause,
}

/// Brings a commission's reversal up to the payment's refunded total: the commission's
/// share of the refunds, booked back to the vendor. Returns whether anything moved.
pub(super) fn reverse_commission(
    conn: &mut DbConn,
    lk: &mut Batch,
    commission: &Commission,
    payment: &Payment,
    customer: Option<&Customer>,
    refunds: Refunds,
    now: PrimitiveDateTime,
) -> Result<bool, CommissionError> {
    let Refunds {
        total: refunded_total,
        cause,
    } = refunds;
    let target = reversed_total(
        commission.amount_minor,
        payment.amount_minor,
        refunded_total,
    );
    let delta = target - commission.reversed_minor;
    if delta <= 0 {
        return Ok(false);
    }
    let c = currency(&commission.currency)?;
    // Before release the reversal comes out of pending; after, out of available,
    // which may go below zero: a clawback that later commissions repay.
    let from_kind = if commission.status == CommissionStatus::Pending {
        AccountKind::Pending
    } else {
        AccountKind::Available
    };
    lk.post(
        transfer(
            format!("commission:{}:reverse:{target}", commission.id),
            Account::partner(commission.membership_id, from_kind, c),
            Account::vendor(AccountKind::CommissionExpense, c),
            Money::from_minor(delta, c),
        )?,
        cause,
        commission.id,
        now,
    );
    lk.set_reversed(conn, commission, payment, target)?;
    if let Some(customer) = customer {
        let mut event = commission_event(commission, payment, customer)?;
        event.reversed = Money::from_minor(target, c).to_view();
        event.reason = Some(cause.as_str().to_owned());
        lk.enqueue(conn, WebhookEvent::CommissionReversed(event))?;
    }
    Ok(true)
}
