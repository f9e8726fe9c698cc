//! Commissions (C1–C3): what a payment earned a membership, its hold and reversals.

use diesel::prelude::*;
use partnerly_domain::level::LineKind;
use partnerly_domain::partner::CommissionStatus;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::customer::Customer;
use crate::payment::Payment;
use crate::schema::{commissions, customers, levels, payments};

/// A stored commission line.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = commissions, treat_none_as_default_value = false)]
pub struct Commission {
    pub id: i64,
    pub payment_id: i64,
    pub membership_id: i64,
    pub level_id: i64,
    pub rule_version: i32,
    pub kind: LineKind,
    pub rate: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub reversed_minor: i64,
    pub status: CommissionStatus,
    pub available_at: PrimitiveDateTime,
    pub released_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    /// The link the commission was earned through: its customer's when it was booked.
    pub link_id: Option<i64>,
}

/// A commission line to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = commissions)]
pub struct NewCommission<'a> {
    pub payment_id: i64,
    pub membership_id: i64,
    pub level_id: i64,
    pub rule_version: i32,
    pub kind: LineKind,
    pub rate: Option<String>,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub status: CommissionStatus,
    pub available_at: PrimitiveDateTime,
    pub created_at: PrimitiveDateTime,
    pub link_id: Option<i64>,
}

/// Filters of a partner's commission list.
#[derive(Debug, Clone, Default)]
pub struct CommissionFilter {
    pub status: Option<CommissionStatus>,
    /// Paid at or after: the payment's `paid_at`, not when the line was written.
    pub from: Option<PrimitiveDateTime>,
    /// Paid before.
    pub to: Option<PrimitiveDateTime>,
}

/// A line of a partner's commission list with what it shows: its payment, the
/// payment's customer (if known) and the name of the level whose rule produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedCommission {
    pub commission: Commission,
    pub payment: Payment,
    pub customer: Option<Customer>,
    pub level_name: String,
}

impl NewCommission<'_> {
    /// The stored line this becomes under `id` (see [`Commission::insert_all`]).
    pub fn with_id(&self, id: i64) -> Commission {
        Commission {
            id,
            payment_id: self.payment_id,
            membership_id: self.membership_id,
            level_id: self.level_id,
            rule_version: self.rule_version,
            kind: self.kind,
            rate: self.rate.clone(),
            amount_minor: self.amount_minor,
            currency: self.currency.to_owned(),
            reversed_minor: 0,
            status: self.status,
            available_at: self.available_at,
            released_at: None,
            created_at: self.created_at,
            link_id: self.link_id,
        }
    }
}

impl Commission {
    /// Stores new lines whose ids came from [`crate::conn::next_ids`], a few hundred per
    /// statement. A payment has one line of each kind: a second is refused.
    pub fn insert_all(conn: &mut DbConn, rows: &[Commission]) -> QueryResult<()> {
        crate::insert_in_chunks!(rows, |chunk| {
            crate::conn::on_backend!(conn, |c| diesel::insert_into(commissions::table)
                .values(chunk)
                .execute(c))?
        });
        Ok(())
    }

    /// The line with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Commission>> {
        commissions::table
            .find(id)
            .select(Commission::as_select())
            .get_result(conn)
            .optional()
    }

    /// A payment's lines.
    pub fn of_payment(conn: &mut DbConn, payment_id: i64) -> QueryResult<Vec<Commission>> {
        commissions::table
            .filter(commissions::payment_id.eq(payment_id))
            .order(commissions::id)
            .select(Commission::as_select())
            .load(conn)
    }

    /// Pending lines whose hold ended by `now`, oldest first.
    pub fn due(
        conn: &mut DbConn,
        now: PrimitiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<Commission>> {
        commissions::table
            .filter(commissions::status.eq(CommissionStatus::Pending))
            .filter(commissions::available_at.le(now))
            .order(commissions::available_at)
            .limit(limit)
            .select(Commission::as_select())
            .load(conn)
    }

    /// Moves a line from pending to available if it is still pending: of two instances
    /// releasing the same line, exactly one wins.
    pub fn mark_available(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
        let n = diesel::update(
            commissions::table
                .find(id)
                .filter(commissions::status.eq(CommissionStatus::Pending)),
        )
        .set((
            commissions::status.eq(CommissionStatus::Available),
            commissions::released_at.eq(now),
        ))
        .execute(conn)?;
        Ok(n == 1)
    }

    /// Records a reversal total and, when it covers the line, its reversed status.
    pub fn set_reversed(
        conn: &mut DbConn,
        commission: &Commission,
        reversed_minor: i64,
    ) -> QueryResult<()> {
        let status = if reversed_minor >= commission.amount_minor {
            "reversed"
        } else {
            commission.status.as_str()
        };
        diesel::update(commissions::table.find(commission.id))
            .set((
                commissions::reversed_minor.eq(reversed_minor),
                commissions::status.eq(status),
            ))
            .execute(conn)
            .and_then(crate::one_row)
    }

    /// A page of some memberships' lines, by payment date (newest first, ties by id,
    /// newest first), and the total count. `filter.from` and `filter.to` apply to the
    /// payment's `paid_at`. One query for the page: each line comes with its payment
    /// (`payment_id` is required), the payment's customer and the level's name.
    pub fn list(
        conn: &mut DbConn,
        memberships: &[i64],
        filter: &CommissionFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<ListedCommission>, i64)> {
        let query = || {
            let mut q = commissions::table
                .inner_join(payments::table.left_join(customers::table))
                .inner_join(levels::table.on(levels::id.eq(commissions::level_id)))
                .filter(commissions::membership_id.eq_any(memberships.to_vec()))
                .into_boxed();
            if let Some(status) = &filter.status {
                q = q.filter(commissions::status.eq(*status));
            }
            if let Some(from) = filter.from {
                q = q.filter(payments::paid_at.ge(from));
            }
            if let Some(to) = filter.to {
                q = q.filter(payments::paid_at.lt(to));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let rows: Vec<(Commission, Payment, Option<Customer>, String)> = query()
            .order((payments::paid_at.desc(), commissions::id.desc()))
            .offset(offset)
            .limit(limit)
            .select((
                Commission::as_select(),
                Payment::as_select(),
                Option::<Customer>::as_select(),
                levels::name,
            ))
            .load(conn)?;
        Ok((
            rows.into_iter()
                .map(
                    |(commission, payment, customer, level_name)| ListedCommission {
                        commission,
                        payment,
                        customer,
                        level_name,
                    },
                )
                .collect(),
            total,
        ))
    }
}
