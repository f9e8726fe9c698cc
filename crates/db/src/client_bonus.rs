//! Client bonuses (C4): what a level grants a partner once per customer.

use diesel::prelude::*;
use partnerly_domain::level_settings::BonusTrigger;
use time::PrimitiveDateTime;

use crate::schema::client_bonuses;
use crate::{DbConn, insert_new};

/// A bonus to grant.
#[derive(Debug, Insertable)]
#[diesel(table_name = client_bonuses)]
pub struct NewClientBonus<'a> {
    pub customer_id: i64,
    pub membership_id: i64,
    pub level_id: i64,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub trigger: BonusTrigger,
    pub created_at: PrimitiveDateTime,
}

impl NewClientBonus<'_> {
    /// Records the bonus unless the customer has one already (the table's unique
    /// customer); returns whether it was recorded.
    pub fn insert_once(&self, conn: &mut DbConn) -> QueryResult<bool> {
        let inserted = insert_new(conn, |c| {
            diesel::insert_into(client_bonuses::table)
                .values(self)
                .execute(c)
        })?;
        Ok(inserted.is_some())
    }
}
