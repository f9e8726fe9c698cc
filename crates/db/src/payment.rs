//! Payments the vendor reported, and refunds against them.

use diesel::prelude::*;
use partnerly_domain::ledger::Cause;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::conn::on_backend;
use crate::schema::{payment_reversals, payments};

/// A stored payment.
#[derive(
    Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Identifiable, Insertable,
)]
#[diesel(table_name = payments, treat_none_as_default_value = false)]
pub struct Payment {
    pub id: i64,
    pub external_id: String,
    pub customer_external_id: String,
    pub customer_id: Option<i64>,
    pub amount_minor: i64,
    pub currency: String,
    pub period_months: i32,
    pub paid_at: PrimitiveDateTime,
    pub refunded_minor: i64,
    pub created_at: PrimitiveDateTime,
}

/// A payment to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment<'a> {
    pub external_id: &'a str,
    pub customer_external_id: &'a str,
    pub customer_id: Option<i64>,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub period_months: i32,
    pub paid_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
}

impl NewPayment<'_> {
    /// The stored payment this becomes under `id` (see [`Payment::insert_all`]).
    pub fn with_id(&self, id: i64) -> Payment {
        Payment {
            id,
            external_id: self.external_id.to_owned(),
            customer_external_id: self.customer_external_id.to_owned(),
            customer_id: self.customer_id,
            amount_minor: self.amount_minor,
            currency: self.currency.to_owned(),
            period_months: self.period_months,
            paid_at: self.paid_at,
            refunded_minor: 0,
            created_at: self.created_at,
        }
    }
}

/// Sales figures of some memberships' customers in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sales {
    /// Payments made (successful sales).
    pub count: i64,
    /// Paid minus refunded, minor units.
    pub net_minor: i64,
}

impl Payment {
    /// Stores new payments whose ids came from [`crate::conn::next_ids`], a few hundred
    /// per statement.
    pub fn insert_all(conn: &mut DbConn, rows: &[Payment]) -> QueryResult<()> {
        crate::insert_in_chunks!(rows, |chunk| {
            on_backend!(conn, |c| diesel::insert_into(payments::table)
                .values(chunk)
                .execute(c))?
        });
        Ok(())
    }

    /// The payments with these vendor ids (those that exist), in one query.
    pub fn by_external_ids(conn: &mut DbConn, external_ids: &[&str]) -> QueryResult<Vec<Payment>> {
        crate::conn::rows_by_keys(conn, "payments", "external_id", external_ids, |c, chunk| {
            payments::table
                .filter(payments::external_id.eq_any(chunk))
                .select(Payment::as_select())
                .load(c)
        })
    }

    /// The payment with this vendor id.
    pub fn by_external_id(conn: &mut DbConn, external_id: &str) -> QueryResult<Option<Payment>> {
        on_backend!(conn, |c| payments::table
            .filter(payments::external_id.eq(external_id))
            .select(Payment::as_select())
            .get_result(c)
            .optional())
    }

    /// The payment with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Payment>> {
        payments::table
            .find(id)
            .select(Payment::as_select())
            .get_result(conn)
            .optional()
    }

    /// Payments waiting for a customer who has not signed up yet, oldest first.
    pub fn waiting_for(conn: &mut DbConn, customer_external_id: &str) -> QueryResult<Vec<Payment>> {
        payments::table
            .filter(payments::customer_external_id.eq(customer_external_id))
            .filter(payments::customer_id.is_null())
            .order((payments::paid_at, payments::external_id))
            .select(Payment::as_select())
            .load(conn)
    }

    /// A customer's payments, oldest first ([`Payment::precedes`]).
    pub fn of_customer(conn: &mut DbConn, customer_id: i64) -> QueryResult<Vec<Payment>> {
        payments::table
            .filter(payments::customer_id.eq(customer_id))
            .order((payments::paid_at, payments::external_id))
            .select(Payment::as_select())
            .load(conn)
    }

    /// Attaches a waiting payment to its customer.
    pub fn attach(conn: &mut DbConn, id: i64, customer_id: i64) -> QueryResult<()> {
        diesel::update(payments::table.find(id))
            .set(payments::customer_id.eq(customer_id))
            .execute(conn)
            .and_then(crate::one_row)
    }

    /// Whether this payment comes before `other` in a customer's history: paid
    /// earlier, or at the same moment with the smaller vendor id. A total order that
    /// does not depend on the order of arrival, so exactly one payment is a customer's
    /// first however its payments arrive (billing systems that stamp by day, or charge
    /// a setup fee with the first month, report several payments at one time).
    pub fn precedes(&self, other: &Payment) -> bool {
        (self.paid_at, &self.external_id) < (other.paid_at, &other.external_id)
    }

    /// Whether the customer has a payment that precedes `payment` ([`Payment::precedes`]).
    /// Ties are compared here, byte by byte, not in SQL: PostgreSQL would compare the
    /// ids under the database's collation, which need not agree with `precedes`.
    pub fn has_earlier(
        conn: &mut DbConn,
        customer_id: i64,
        payment: &Payment,
    ) -> QueryResult<bool> {
        let of_customer = || {
            payments::table
                .filter(payments::customer_id.eq(customer_id))
                .filter(payments::id.ne(payment.id))
        };
        let before: i64 = of_customer()
            .filter(payments::paid_at.lt(payment.paid_at))
            .count()
            .get_result(conn)?;
        if before > 0 {
            return Ok(true);
        }
        let same_moment: Vec<String> = of_customer()
            .filter(payments::paid_at.eq(payment.paid_at))
            .select(payments::external_id)
            .load(conn)?;
        Ok(same_moment.iter().any(|id| id < &payment.external_id))
    }

    /// Records a refund: the new refunded total.
    pub fn set_refunded(conn: &mut DbConn, id: i64, refunded_minor: i64) -> QueryResult<()> {
        diesel::update(payments::table.find(id))
            .set(payments::refunded_minor.eq(refunded_minor))
            .execute(conn)
            .and_then(crate::one_row)
    }
}

/// A refund or chargeback the billing system identified by its own id.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = payment_reversals)]
pub struct Reversal {
    pub id: i64,
    pub payment_id: i64,
    pub refund_id: String,
    /// `refund` or `chargeback`.
    pub kind: Cause,
    pub amount_minor: i64,
    pub created_at: PrimitiveDateTime,
}

impl Reversal {
    /// The reversal of `payment_id` recorded under `refund_id`, if any.
    pub fn find(
        conn: &mut DbConn,
        payment_id: i64,
        refund_id: &str,
    ) -> QueryResult<Option<Reversal>> {
        payment_reversals::table
            .filter(payment_reversals::payment_id.eq(payment_id))
            .filter(payment_reversals::refund_id.eq(refund_id))
            .select(Reversal::as_select())
            .get_result(conn)
            .optional()
    }

    /// Records a reversal under its refund id (unique per payment).
    pub fn insert(
        conn: &mut DbConn,
        payment_id: i64,
        refund_id: &str,
        kind: Cause,
        amount_minor: i64,
        now: PrimitiveDateTime,
    ) -> QueryResult<()> {
        diesel::insert_into(payment_reversals::table)
            .values((
                payment_reversals::payment_id.eq(payment_id),
                payment_reversals::refund_id.eq(refund_id),
                payment_reversals::kind.eq(kind),
                payment_reversals::amount_minor.eq(amount_minor),
                payment_reversals::created_at.eq(now),
            ))
            .execute(conn)
            .map(drop)
    }
}
