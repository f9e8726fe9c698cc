//! Customers: the vendor's accounts, attributed to a partner's membership (or not yet).

use diesel::prelude::*;
use partnerly_domain::customer::AttributedVia;
use partnerly_domain::event::CustomerStatus;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::conn::on_backend;
use crate::schema::customers;

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Queryable, QueryableByName, Selectable, Identifiable)]
#[diesel(table_name = customers)]
pub struct Customer {
    pub id: i64,
    pub external_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub membership_id: Option<i64>,
    pub link_id: Option<i64>,
    pub attributed_via: Option<AttributedVia>,
    pub attributed_at: Option<PrimitiveDateTime>,
    pub status: CustomerStatus,
    pub plan: Option<String>,
    pub subscription_ends_at: Option<PrimitiveDateTime>,
    pub balance_minor: Option<i64>,
    pub balance_currency: Option<String>,
    pub signed_up_at: PrimitiveDateTime,
    pub first_paid_at: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
}

/// A customer to create.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers)]
pub struct NewCustomer<'a> {
    pub external_id: &'a str,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub membership_id: Option<i64>,
    pub link_id: Option<i64>,
    pub attributed_via: Option<AttributedVia>,
    pub attributed_at: Option<PrimitiveDateTime>,
    pub status: CustomerStatus,
    pub signed_up_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

/// Changes the vendor reported.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChanges {
    pub status: Option<CustomerStatus>,
    pub plan: Option<Option<String>>,
    pub subscription_ends_at: Option<Option<PrimitiveDateTime>>,
    pub balance_minor: Option<Option<i64>>,
    pub balance_currency: Option<Option<String>>,
    pub first_paid_at: Option<Option<PrimitiveDateTime>>,
    pub updated_at: Option<PrimitiveDateTime>,
}

/// Counts of a membership's customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CustomerCounts {
    pub active: i64,
    pub frozen: i64,
    pub deleted: i64,
    /// Customers who paid at least once.
    pub paying: i64,
}

impl NewCustomer<'_> {
    /// Stores the customer.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Customer> {
        diesel::insert_into(customers::table)
            .values(self)
            .returning(customers::all_columns)
            .get_result(conn)
    }
}

impl Customer {
    /// The customer with this vendor id.
    pub fn by_external_id(conn: &mut DbConn, external_id: &str) -> QueryResult<Option<Customer>> {
        on_backend!(conn, |c| customers::table
            .filter(customers::external_id.eq(external_id))
            .select(Customer::as_select())
            .get_result(c)
            .optional())
    }

    /// The customers with these vendor ids (those that exist), in one query.
    pub fn by_external_ids(conn: &mut DbConn, external_ids: &[&str]) -> QueryResult<Vec<Customer>> {
        crate::conn::rows_by_keys(
            conn,
            "customers",
            "external_id",
            external_ids,
            |c, chunk| {
                customers::table
                    .filter(customers::external_id.eq_any(chunk))
                    .select(Customer::as_select())
                    .load(c)
            },
        )
    }

    /// The customer with this id.
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Customer>> {
        customers::table
            .find(id)
            .select(Customer::as_select())
            .get_result(conn)
            .optional()
    }

    /// Applies changes.
    pub fn update(conn: &mut DbConn, id: i64, changes: &CustomerChanges) -> QueryResult<Customer> {
        diesel::update(customers::table.find(id))
            .set(changes)
            .returning(customers::all_columns)
            .get_result(conn)
    }
}

/// Filters of the staff's customer list.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Part of the external id, email or name (case-insensitive).
    pub q: Option<String>,
    /// Only customers of these memberships.
    pub memberships: Option<Vec<i64>>,
    /// Only attributed (`true`) or unattributed (`false`) customers.
    pub attributed: Option<bool>,
}

impl Customer {
    /// One page, newest first, and the number of matching customers.
    pub fn list(
        conn: &mut DbConn,
        filter: &CustomerFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<Customer>, i64)> {
        let query = || {
            let mut q = customers::table.into_boxed();
            if let Some(needle) = filter.q.as_deref().filter(|s| !s.trim().is_empty()) {
                let pattern = crate::contains_pattern(needle);
                q = q.filter(
                    crate::lower(customers::external_id)
                        .like(pattern.clone())
                        .escape('\\')
                        // NULL emails and names match nothing: NULL LIKE x is NULL.
                        .or(crate::lower(customers::email.assume_not_null())
                            .like(pattern.clone())
                            .escape('\\'))
                        .or(crate::lower(customers::name.assume_not_null())
                            .like(pattern)
                            .escape('\\')),
                );
            }
            if let Some(ids) = &filter.memberships {
                q = q.filter(customers::membership_id.eq_any(ids.clone()));
            }
            match filter.attributed {
                Some(true) => q = q.filter(customers::membership_id.is_not_null()),
                Some(false) => q = q.filter(customers::membership_id.is_null()),
                None => {}
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order(customers::id.desc())
            .offset(offset)
            .limit(limit)
            .select(Customer::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Attributes the customer to `membership_id` by a manager's decision (or to
    /// nobody): the referral link is forgotten, `attributed_via` becomes `manual`.
    pub fn reassign(
        conn: &mut DbConn,
        id: i64,
        membership_id: Option<i64>,
        now: PrimitiveDateTime,
    ) -> QueryResult<Customer> {
        diesel::update(customers::table.find(id))
            .set((
                customers::membership_id.eq(membership_id),
                customers::link_id.eq(None::<i64>),
                customers::attributed_via.eq(membership_id.map(|_| AttributedVia::Manual)),
                customers::attributed_at.eq(membership_id.map(|_| now)),
                customers::updated_at.eq(now),
            ))
            .returning(customers::all_columns)
            .get_result(conn)
    }
}
