//! The writes that change what the dashboard counts, each with its change to the
//! rollups ([`partnerly_db::figures`]): customers appearing, changing status, paying for
//! the first time and moving to another partner; payments arriving, attached and
//! refunded; commissions booked and reversed.
//!
//! The batch keeps the changes ([`Batch::figures`]) and writes them when it ends, in the
//! same transaction as the rows they count. Nothing else in the engine writes these
//! rows, so the rollups cannot drift from them; `partnerly ledger-check` recounts them
//! to prove it.

use partnerly_db::DbConn;
use partnerly_db::commission::{Commission, NewCommission};
use partnerly_db::customer::{Customer, CustomerChanges, NewCustomer};
use partnerly_db::figures::CustomerFacts;
use partnerly_db::payment::{NewPayment, Payment};
use time::{Date, PrimitiveDateTime};

use super::CommissionError;
use super::batch::Batch;

/// What a customer counts for in its membership's figures.
fn facts(customer: &Customer) -> CustomerFacts {
    CustomerFacts {
        status: customer.status,
        paying: customer.first_paid_at.is_some(),
    }
}

impl Batch {
    /// Stores a new customer, counted in its membership's figures.
    pub(super) fn insert_customer(
        &mut self,
        conn: &mut DbConn,
        new: &NewCustomer,
    ) -> Result<Customer, CommissionError> {
        let customer = new.insert(conn)?;
        if let Some(membership) = customer.membership_id {
            self.figures.customer(membership, facts(&customer), 1);
        }
        self.customers
            .insert(customer.external_id.clone(), Some(customer.clone()));
        Ok(customer)
    }

    /// Applies changes to `customer` (as it is stored now) and moves it between the
    /// status and paying figures they change.
    pub(super) fn update_customer(
        &mut self,
        conn: &mut DbConn,
        customer: &Customer,
        changes: &CustomerChanges,
    ) -> Result<(), CommissionError> {
        let updated = Customer::update(conn, customer.id, changes)?;
        if let Some(membership) = customer.membership_id {
            self.figures
                .customer_changed(membership, facts(customer), facts(&updated));
        }
        self.customers.remove(&customer.external_id);
        Ok(())
    }

    /// Gives `customer` (as it is stored now) to `membership_id` (or to nobody) by a
    /// manager's decision: its place in the customer figures and its payments' sales
    /// move with it. Commissions already booked stay where they were earned.
    pub fn reassign_customer(
        &mut self,
        conn: &mut DbConn,
        customer: &Customer,
        membership_id: Option<i64>,
        now: PrimitiveDateTime,
    ) -> Result<Customer, CommissionError> {
        let updated = Customer::reassign(conn, customer.id, membership_id, now)?;
        self.flush(conn)?;
        let payments = Payment::of_customer(conn, customer.id)?;
        for (membership, sign) in [(customer.membership_id, -1), (membership_id, 1)] {
            let Some(membership) = membership else {
                continue;
            };
            self.figures.customer(membership, facts(customer), sign);
            for p in &payments {
                self.figures.sales(
                    membership,
                    &p.currency,
                    sign,
                    sign * (p.amount_minor - p.refunded_minor),
                );
            }
        }
        self.customers.remove(&customer.external_id);
        Ok(updated)
    }

    /// A new payment, written at the next flush, counted in the sales of `membership`
    /// (its customer's, if it has one).
    pub(super) fn add_payment(
        &mut self,
        conn: &mut DbConn,
        new: &NewPayment,
        membership: Option<i64>,
    ) -> Result<Payment, CommissionError> {
        let payment = self.new_payment(conn, new)?;
        if let Some(membership) = membership {
            self.figures
                .sales(membership, &payment.currency, 1, payment.amount_minor);
        }
        Ok(payment)
    }

    /// Attaches a payment that waited for its customer's sign-up: its sales (net of any
    /// refund reported meanwhile) join the customer's membership's.
    pub(super) fn attach_payment(
        &mut self,
        conn: &mut DbConn,
        payment: &Payment,
        customer: &Customer,
    ) -> Result<(), CommissionError> {
        Payment::attach(conn, payment.id, customer.id)?;
        if let Some(membership) = customer.membership_id {
            self.figures.sales(
                membership,
                &payment.currency,
                1,
                payment.amount_minor - payment.refunded_minor,
            );
        }
        self.payments.remove(&payment.external_id);
        Ok(())
    }

    /// Records the payment's new refunded total, taken off the sales of `membership`
    /// (its customer's, if it has one).
    pub(super) fn set_refunded(
        &mut self,
        conn: &mut DbConn,
        payment: &Payment,
        refunded_total: i64,
        membership: Option<i64>,
    ) -> Result<(), CommissionError> {
        Payment::set_refunded(conn, payment.id, refunded_total)?;
        if let Some(membership) = membership {
            self.figures.sales(
                membership,
                &payment.currency,
                0,
                payment.refunded_minor - refunded_total,
            );
        }
        self.payments.remove(&payment.external_id);
        Ok(())
    }

    /// A new commission line, written at the next flush (after its payment), counted in
    /// its membership's earnings of `sale_day` (its payment's day).
    pub(super) fn add_commission(
        &mut self,
        conn: &mut DbConn,
        new: &NewCommission,
        sale_day: Date,
    ) -> Result<Commission, CommissionError> {
        let commission = self.new_commission(conn, new)?;
        self.figures.earned(
            commission.membership_id,
            sale_day,
            commission.link_id,
            &commission.currency,
            commission.amount_minor,
        );
        Ok(commission)
    }

    /// Brings the commission's reversed total to `reversed_minor`, taken off the earnings
    /// of its payment's day.
    pub(super) fn set_reversed(
        &mut self,
        conn: &mut DbConn,
        commission: &Commission,
        payment: &Payment,
        reversed_minor: i64,
    ) -> Result<(), CommissionError> {
        Commission::set_reversed(conn, commission, reversed_minor)?;
        self.figures.earned(
            commission.membership_id,
            payment.paid_at.date(),
            commission.link_id,
            &commission.currency,
            commission.reversed_minor - reversed_minor,
        );
        Ok(())
    }
}
