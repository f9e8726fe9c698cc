//! Manual adjustments (C7): a signed amount finance staff add to a membership's
//! available balance. The row is the cause of one ledger transfer (`adjustment:{id}`)
//! written in the same transaction.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::adjustments;

/// A stored adjustment.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = adjustments)]
pub struct Adjustment {
    pub id: i64,
    pub membership_id: i64,
    /// Signed: positive credits the partner, negative debits.
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub actor_id: i64,
    pub created_at: PrimitiveDateTime,
    /// The staff member's `Idempotency-Key`, when the request sent one.
    pub idempotency_key: Option<String>,
    /// The digest of the request that used the key.
    pub request_hash: Option<String>,
}

/// An adjustment to record.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = adjustments)]
pub struct NewAdjustment<'a> {
    pub membership_id: i64,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub reason: &'a str,
    pub actor_id: i64,
    pub created_at: PrimitiveDateTime,
    pub idempotency_key: Option<&'a str>,
    pub request_hash: Option<&'a str>,
}

impl NewAdjustment<'_> {
    /// Stores the adjustment (the caller books its transfer in the same transaction).
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Adjustment> {
        diesel::insert_into(adjustments::table)
            .values(self)
            .returning(adjustments::all_columns)
            .get_result(conn)
    }
}

impl Adjustment {
    /// The adjustment `actor_id` booked under an idempotency key.
    pub fn by_idempotency_key(
        conn: &mut DbConn,
        actor_id: i64,
        key: &str,
    ) -> QueryResult<Option<Adjustment>> {
        adjustments::table
            .filter(adjustments::actor_id.eq(actor_id))
            .filter(adjustments::idempotency_key.eq(key))
            .select(Adjustment::as_select())
            .get_result(conn)
            .optional()
    }

    /// One page, newest first, of one membership's adjustments or everyone's, and the
    /// number of matching adjustments.
    pub fn list(
        conn: &mut DbConn,
        membership_id: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Adjustment>, i64)> {
        let query = || {
            let mut q = adjustments::table.into_boxed();
            if let Some(id) = membership_id {
                q = q.filter(adjustments::membership_id.eq(id));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(adjustments::id.desc())
            .offset(offset)
            .limit(limit)
            .select(Adjustment::as_select())
            .load(conn)?;
        Ok((items, total))
    }
}
