//! A payment: its commission lines (C1–C3), booked to the partner's pending balance.

use partnerly_db::DbConn;
use partnerly_db::commission::{Commission, NewCommission};
use partnerly_db::customer::{Customer, CustomerChanges};
use partnerly_db::payment::{NewPayment, Payment};
use partnerly_db::to_db;
use partnerly_domain::event::{EventStatus, PaymentSucceededData};
use partnerly_domain::ledger::{Account, AccountKind, Cause};
use partnerly_domain::level::PaymentFacts;
use partnerly_domain::level_settings::BonusTrigger;
use partnerly_domain::money::Money;
use partnerly_domain::partner::CommissionStatus;
use partnerly_domain::webhook_event::{CommissionEvent, WebhookEvent};
use serde_json::Map;
use time::{Duration, PrimitiveDateTime};

use super::batch::Batch;
use super::ingest::Applied;
use super::levels::promote;
use super::reversal::{Refunds, reverse_commission, void_outdated};
use super::signup::grant_bonus;
use super::{CommissionError, currency, transfer};

pub(super) fn payment_succeeded(
    conn: &mut DbConn,
    lk: &mut Batch,
    data: &PaymentSucceededData,
    amount: Money,
    now: PrimitiveDateTime,
) -> Result<Applied, CommissionError> {
    if let Some(existing) = lk.payment(conn, &data.payment_id)? {
        if existing.amount_minor != amount.minor() || existing.currency != amount.currency().code()
        {
            return Err(CommissionError::refused(
                "payment_conflict",
                format!(
                    "Payment {} was already reported with another amount.",
                    data.payment_id
                ),
            ));
        }
        return Ok(Applied::done().note("payment", "already_recorded"));
    }
    let customer = lk.customer(conn, &data.customer_id)?;
    let payment = lk.add_payment(
        conn,
        &NewPayment {
            external_id: &data.payment_id,
            customer_external_id: &data.customer_id,
            customer_id: customer.as_ref().map(|c| c.id),
            amount_minor: amount.minor(),
            currency: amount.currency().code(),
            period_months: i32::from(data.period_months),
            paid_at: to_db(data.paid_at),
            created_at: now,
        },
        customer.as_ref().and_then(|c| c.membership_id),
    )?;
    let Some(customer) = customer else {
        return Ok(Applied {
            status: EventStatus::Deferred,
            effects: Map::new(),
        }
        .note(
            "reason",
            "unknown_customer: applied when customer.signed_up arrives",
        ));
    };
    let commissions = commission_payment(conn, lk, &payment, &customer, now)?;
    Ok(Applied::done().note("commissions", commissions))
}

/// Records the payment against its customer (first payment date) and books the
/// commissions its partner earns. Returns how many commission lines were created.
pub(super) fn commission_payment(
    conn: &mut DbConn,
    lk: &mut Batch,
    payment: &Payment,
    customer: &Customer,
    now: PrimitiveDateTime,
) -> Result<usize, CommissionError> {
    // The customer's first payment to arrive makes it a paying customer of its link,
    // counted on that payment's day.
    if customer.first_paid_at.is_none()
        && let (Some(link_id), Some(membership_id)) = (customer.link_id, customer.membership_id)
    {
        lk.count_on(link_id, membership_id, payment.paid_at.date(), |d| {
            d.paying_customers += 1;
        });
    }
    let first_paid_at = match customer.first_paid_at {
        Some(first) if first <= payment.paid_at => first,
        _ => {
            lk.update_customer(
                conn,
                customer,
                &CustomerChanges {
                    first_paid_at: Some(Some(payment.paid_at)),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            payment.paid_at
        }
    };
    let Some(membership_id) = customer.membership_id else {
        return Ok(0);
    };
    // An earlier payment arriving late moves the customer's first payment: commissions
    // booked on later payments under the old date are corrected first. A payment at
    // the very moment of the first one may precede it too (ties go by vendor id).
    if customer.first_paid_at.is_some_and(|f| payment.paid_at <= f) {
        lk.flush(conn)?;
        void_outdated(conn, lk, customer, payment, now)?;
    }
    let membership = lk
        .membership(conn, membership_id)?
        .ok_or_else(|| CommissionError::missing("membership"))?;
    if !membership.is_active() {
        return Ok(0);
    }
    let program = lk.program(conn, membership.program_id)?;
    let program_currency = currency(&program.currency)?;
    let hold_days = program.hold_days;
    let level = lk.level(conn, &membership)?;
    let payment_currency = currency(&payment.currency)?;
    // A known earlier first payment settles it without asking the database.
    let is_first = customer.first_paid_at.is_none_or(|f| f >= payment.paid_at)
        && !lk.has_earlier_payment(conn, customer.id, payment)?;
    let facts = PaymentFacts {
        amount: Money::from_minor(payment.amount_minor, payment_currency),
        paid_at: payment.paid_at.assume_utc(),
        first_paid_at: first_paid_at.assume_utc(),
        is_first,
    };
    let lines = level
        .rule(program_currency)?
        .lines(membership.rate_override(), &facts)
        .map_err(|e| CommissionError::inconsistent("commission rule", e))?;
    // Event times are checked to end a year before the calendar does
    // (`partnerly_domain::timestamp`): adding the hold cannot leave it.
    let available_at = payment
        .paid_at
        .checked_add(Duration::days(i64::from(hold_days)))
        .ok_or_else(|| CommissionError::missing("a hold end inside the calendar"))?;
    let mut created = 0;
    for line in lines {
        let commission = lk.add_commission(
            conn,
            &NewCommission {
                payment_id: payment.id,
                membership_id: membership.id,
                level_id: level.id,
                rule_version: level.rule_version,
                kind: line.kind,
                rate: line.rate.map(|r| r.percent().to_string()),
                amount_minor: line.amount.minor(),
                currency: line.amount.currency().code(),
                status: CommissionStatus::Pending,
                available_at,
                created_at: now,
                link_id: customer.link_id,
            },
            payment.paid_at.date(),
        )?;
        let c = line.amount.currency();
        lk.post(
            transfer(
                format!("commission:{}:accrue", commission.id),
                Account::vendor(AccountKind::CommissionExpense, c),
                Account::partner(membership.id, AccountKind::Pending, c),
                line.amount,
            )?,
            Cause::Commission,
            commission.id,
            now,
        );
        let event = commission_event(&commission, payment, customer)?;
        lk.enqueue(conn, WebhookEvent::CommissionCreated(event))?;
        // A deferred payment may have been refunded before its customer arrived.
        if payment.refunded_minor > 0 {
            lk.flush(conn)?;
            reverse_commission(
                conn,
                lk,
                &commission,
                payment,
                Some(customer),
                Refunds {
                    total: payment.refunded_minor,
                    cause: Cause::Refund,
                },
                now,
            )?;
        }
        created += 1;
    }
    if is_first && level.bonus_trigger == Some(BonusTrigger::FirstPayment) {
        grant_bonus(
            conn,
            lk,
            customer,
            &membership,
            &level,
            BonusTrigger::FirstPayment,
            now,
        )?;
    }
    promote(conn, lk, &membership, now)?;
    Ok(created)
}

/// A commission line as its webhooks tell it.
pub(super) fn commission_event(
    c: &Commission,
    payment: &Payment,
    customer: &Customer,
) -> Result<CommissionEvent, CommissionError> {
    let currency = currency(&c.currency)?;
    Ok(CommissionEvent {
        commission_id: c.id,
        membership_id: c.membership_id,
        kind: c.kind,
        rate: c.rate.clone(),
        amount: Money::from_minor(c.amount_minor, currency).to_view(),
        reversed: Money::from_minor(c.reversed_minor, currency).to_view(),
        status: c.status,
        available_at: Some(partnerly_db::utc(c.available_at)),
        payment_id: payment.external_id.clone(),
        customer_id: customer.external_id.clone(),
        reason: None,
    })
}
