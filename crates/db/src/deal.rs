//! Deals from referred leads (T8): the stored deal, its creation, its status change and
//! the lists partners and staff read.

use diesel::prelude::*;
use partnerly_domain::deal::DealStatus;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::link::Link;
use crate::membership::Membership;
use crate::schema::{deals, links, memberships};

/// A stored deal.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = deals)]
pub struct Deal {
    pub id: i64,
    pub membership_id: i64,
    pub program_id: i64,
    pub link_id: Option<i64>,
    pub click_id: Option<String>,
    pub name: String,
    pub email: String,
    pub company: Option<String>,
    pub message: String,
    pub status: DealStatus,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
    pub closed_at: Option<PrimitiveDateTime>,
}

/// A deal to store: always pending.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = deals)]
pub struct NewDeal<'a> {
    pub membership_id: i64,
    pub program_id: i64,
    pub link_id: Option<i64>,
    pub click_id: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
    pub company: Option<&'a str>,
    pub message: &'a str,
    pub status: DealStatus,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl NewDeal<'_> {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<Deal> {
        diesel::insert_into(deals::table)
            .values(self)
            .returning(deals::all_columns)
            .get_result(conn)
    }
}

/// A deal with its membership and the link it came through.
pub type ListedDeal = (Deal, Membership, Option<Link>);

impl Deal {
    pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Deal>> {
        deals::table
            .find(id)
            .select(Deal::as_select())
            .get_result(conn)
            .optional()
    }

    /// One deal with its membership and link.
    pub fn listed(conn: &mut DbConn, id: i64) -> QueryResult<Option<ListedDeal>> {
        deals::table
            .inner_join(memberships::table)
            .left_join(links::table.on(deals::link_id.eq(links::id.nullable())))
            .filter(deals::id.eq(id))
            .select((
                Deal::as_select(),
                Membership::as_select(),
                Option::<Link>::as_select(),
            ))
            .get_result(conn)
            .optional()
    }

    /// Sets the status and amount; `closed_at` is set when won or lost and cleared when
    /// reopened.
    pub fn set_status(
        conn: &mut DbConn,
        id: i64,
        status: DealStatus,
        amount: Option<(i64, &str)>,
        now: PrimitiveDateTime,
    ) -> QueryResult<Deal> {
        let closed_at = (status != DealStatus::Pending).then_some(now);
        diesel::update(deals::table.find(id))
            .set((
                deals::status.eq(status),
                deals::amount_minor.eq(amount.map(|(m, _)| m)),
                deals::currency.eq(amount.map(|(_, c)| c)),
                deals::closed_at.eq(closed_at),
                deals::updated_at.eq(now),
            ))
            .returning(deals::all_columns)
            .get_result(conn)
    }

    /// The deals of a partner's memberships, newest first (at most `limit`).
    pub fn of_user(conn: &mut DbConn, user_id: i64, limit: i64) -> QueryResult<Vec<ListedDeal>> {
        deals::table
            .inner_join(memberships::table)
            .left_join(links::table.on(deals::link_id.eq(links::id.nullable())))
            .filter(memberships::user_id.eq(user_id))
            .order((deals::created_at.desc(), deals::id.desc()))
            .limit(limit)
            .select((
                Deal::as_select(),
                Membership::as_select(),
                Option::<Link>::as_select(),
            ))
            .load(conn)
    }

    /// Every deal, newest first, with a status filter, one page; and the count.
    pub fn list(
        conn: &mut DbConn,
        status: Option<DealStatus>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<ListedDeal>, i64)> {
        let mut count = deals::table.into_boxed();
        let mut page = deals::table
            .inner_join(memberships::table)
            .left_join(links::table.on(deals::link_id.eq(links::id.nullable())))
            .into_boxed();
        if let Some(status) = status {
            count = count.filter(deals::status.eq(status));
            page = page.filter(deals::status.eq(status));
        }
        let total = count.count().get_result(conn)?;
        let rows = page
            .order((deals::created_at.desc(), deals::id.desc()))
            .offset(offset)
            .limit(limit)
            .select((
                Deal::as_select(),
                Membership::as_select(),
                Option::<Link>::as_select(),
            ))
            .load(conn)?;
        Ok((rows, total))
    }
}
