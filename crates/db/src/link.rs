//! Referral links: the stored link of a membership, its creation with a fresh code, and
//! the lookups by referral code and promo code.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::membership::Membership;
use crate::schema::{links, memberships};
use crate::{DbConn, insert_new};

/// A stored referral link.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = links)]
pub struct Link {
    pub id: i64,
    pub membership_id: i64,
    pub code: String,
    pub label: String,
    pub promo_code: Option<String>,
    pub is_default: bool,
    pub disabled_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
}

impl Link {
    /// Creates a link with a fresh code; a code already taken is retried in a savepoint.
    pub fn create(
        conn: &mut DbConn,
        membership_id: i64,
        label: &str,
        is_default: bool,
        now: PrimitiveDateTime,
        new_code: &mut impl FnMut() -> String,
    ) -> QueryResult<Link> {
        for _ in 0..10 {
            let code = new_code();
            let inserted = insert_new(conn, |c| {
                diesel::insert_into(links::table)
                    .values((
                        links::membership_id.eq(membership_id),
                        links::code.eq(&code),
                        links::label.eq(label),
                        links::is_default.eq(is_default),
                        links::created_at.eq(now),
                    ))
                    .returning(links::all_columns)
                    .get_result(c)
            })?;
            if let Some(link) = inserted {
                return Ok(link);
            }
        }
        // Ten codes in a row taken: the code space is far too small, not bad luck.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("no free link code after 10 attempts".to_owned()),
        ))
    }

    /// The links of a partner's memberships, default first.
    pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(Link, Membership)>> {
        links::table
            .inner_join(memberships::table)
            .filter(memberships::user_id.eq(user_id))
            .order((links::membership_id, links::is_default.desc(), links::id))
            .select((Link::as_select(), Membership::as_select()))
            .load(conn)
    }

    /// The enabled link with this referral code.
    pub fn by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Link>> {
        links::table
            .filter(links::code.eq(code))
            .filter(links::disabled_at.is_null())
            .select(Link::as_select())
            .get_result(conn)
            .optional()
    }

    /// The enabled link carrying this promo code (compared case-insensitively: codes
    /// are stored upper-case).
    pub fn by_promo_code(conn: &mut DbConn, promo: &str) -> QueryResult<Option<Link>> {
        links::table
            .filter(links::promo_code.eq(promo.trim().to_uppercase()))
            .filter(links::disabled_at.is_null())
            .select(Link::as_select())
            .get_result(conn)
            .optional()
    }
}
