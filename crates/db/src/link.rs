//! Referral links: the stored link of a membership, its creation with a fresh or chosen
//! code, its changes, the lookups by referral code and promo code, and what the
//! redirect's directory of codes loads.
//!
//! Codes are unique by `lower(code)` (index `links_code_lower`) and looked up the same way;
//! promo codes are stored upper-case and unique. Every change sets `updated_at`, which
//! the directories of other server instances poll ([`Link::directory_since`]).

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::membership::Membership;
use crate::schema::{links, memberships};
use crate::{DbConn, insert_new, one_row};

diesel::define_sql_function! {
    /// SQL's `lower(text)`, the expression of the `links_code_lower` index.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

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
    pub updated_at: PrimitiveDateTime,
}

/// A link to create; its code comes with [`NewLink::insert_with_code`] or
/// [`NewLink::insert_random`].
#[derive(Debug, Clone, Copy)]
pub struct NewLink<'a> {
    pub membership_id: i64,
    pub label: &'a str,
    /// Upper-case.
    pub promo_code: Option<&'a str>,
    pub is_default: bool,
    pub now: PrimitiveDateTime,
}

/// Why a link could not be stored as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Code,
    PromoCode,
}

impl NewLink<'_> {
    /// Stores the link with `code`, or says which of its codes another link has.
    pub fn insert_with_code(
        &self,
        conn: &mut DbConn,
        code: &str,
    ) -> QueryResult<Result<Link, Taken>> {
        let inserted = insert_new(conn, |c| {
            diesel::insert_into(links::table)
                .values((
                    links::membership_id.eq(self.membership_id),
                    links::code.eq(code),
                    links::label.eq(self.label),
                    links::promo_code.eq(self.promo_code),
                    links::is_default.eq(self.is_default),
                    links::created_at.eq(self.now),
                    links::updated_at.eq(self.now),
                ))
                .returning(links::all_columns)
                .get_result(c)
        })?;
        match inserted {
            Some(link) => Ok(Ok(link)),
            None => match self.promo_code {
                Some(promo) if Link::promo_code_taken(conn, promo, None)? => {
                    Ok(Err(Taken::PromoCode))
                }
                _ => Ok(Err(Taken::Code)),
            },
        }
    }

    /// Stores the link with a fresh code from `new_code`; a code already taken is
    /// replaced by another, up to ten times.
    pub fn insert_random(
        &self,
        conn: &mut DbConn,
        new_code: &mut impl FnMut() -> String,
    ) -> QueryResult<Result<Link, Taken>> {
        for _ in 0..10 {
            match self.insert_with_code(conn, &new_code())? {
                Err(Taken::Code) => continue,
                done => return Ok(done),
            }
        }
        // Ten codes in a row taken: the code space is far too small, not bad luck.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("no free link code after 10 attempts".to_owned()),
        ))
    }
}

/// A change to a link; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct LinkUpdate<'a> {
    pub label: Option<&'a str>,
    /// `Some(None)` removes the promo code.
    pub promo_code: Option<Option<&'a str>>,
    /// `Some(Some(at))` disables the link, `Some(None)` enables it.
    pub disabled_at: Option<Option<PrimitiveDateTime>>,
}

/// What the redirect's directory keeps of a link.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DirectoryLink {
    pub id: i64,
    pub code: String,
    pub membership_id: i64,
    pub program_id: i64,
    pub enabled: bool,
    pub updated_at: PrimitiveDateTime,
}

impl Link {
    /// Creates a link with a fresh code (a membership's default link).
    pub fn create(
        conn: &mut DbConn,
        membership_id: i64,
        label: &str,
        is_default: bool,
        now: PrimitiveDateTime,
        new_code: &mut impl FnMut() -> String,
    ) -> QueryResult<Link> {
        let new = NewLink {
            membership_id,
            label,
            promo_code: None,
            is_default,
            now,
        };
        new.insert_random(conn, new_code)?.map_err(|_| {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                Box::new("a link without promo code found its promo code taken".to_owned()),
            )
        })
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

    /// The link with this id when it belongs to one of the partner's memberships.
    pub fn of_user_by_id(
        conn: &mut DbConn,
        user_id: i64,
        id: i64,
    ) -> QueryResult<Option<(Link, Membership)>> {
        links::table
            .inner_join(memberships::table)
            .filter(links::id.eq(id))
            .filter(memberships::user_id.eq(user_id))
            .select((Link::as_select(), Membership::as_select()))
            .get_result(conn)
            .optional()
    }

    /// How many links a membership has.
    pub fn count_of_membership(conn: &mut DbConn, membership_id: i64) -> QueryResult<i64> {
        links::table
            .filter(links::membership_id.eq(membership_id))
            .count()
            .get_result(conn)
    }

    /// Whether a link has this code, compared without regard to case.
    pub fn code_taken(conn: &mut DbConn, code: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            links::table.filter(lower(links::code).eq(code.to_ascii_lowercase())),
        ))
        .get_result(conn)
    }

    /// Whether a link other than `except` has this (upper-case) promo code.
    pub fn promo_code_taken(
        conn: &mut DbConn,
        promo: &str,
        except: Option<i64>,
    ) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            links::table
                .filter(links::promo_code.eq(promo))
                .filter(links::id.ne(except.unwrap_or(0))),
        ))
        .get_result(conn)
    }

    /// Changes a link; `Err(Taken::PromoCode)` when another link has the promo code.
    pub fn update(
        conn: &mut DbConn,
        id: i64,
        change: &LinkUpdate<'_>,
        now: PrimitiveDateTime,
    ) -> QueryResult<Result<Link, Taken>> {
        let updated = insert_new(conn, |c| {
            if let Some(label) = change.label {
                one_row(
                    diesel::update(links::table.find(id))
                        .set(links::label.eq(label))
                        .execute(c)?,
                )?;
            }
            if let Some(promo) = change.promo_code {
                one_row(
                    diesel::update(links::table.find(id))
                        .set(links::promo_code.eq(promo))
                        .execute(c)?,
                )?;
            }
            if let Some(disabled_at) = change.disabled_at {
                one_row(
                    diesel::update(links::table.find(id))
                        .set(links::disabled_at.eq(disabled_at))
                        .execute(c)?,
                )?;
            }
            diesel::update(links::table.find(id))
                .set(links::updated_at.eq(now))
                .returning(links::all_columns)
                .get_result(c)
        })?;
        Ok(updated.ok_or(Taken::PromoCode))
    }

    /// The enabled link with this referral code (compared without regard to case).
    pub fn by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<Link>> {
        links::table
            .filter(lower(links::code).eq(code.to_ascii_lowercase()))
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

    /// The enabled link with this id.
    pub fn enabled(conn: &mut DbConn, id: i64) -> QueryResult<Option<Link>> {
        links::table
            .find(id)
            .filter(links::disabled_at.is_null())
            .select(Link::as_select())
            .get_result(conn)
            .optional()
    }

    /// Every link changed at or after `since` (every link for `None`), as the redirect's
    /// directory keeps them.
    pub fn directory_since(
        conn: &mut DbConn,
        since: Option<PrimitiveDateTime>,
    ) -> QueryResult<Vec<DirectoryLink>> {
        let query = links::table
            .inner_join(memberships::table)
            .select((
                links::id,
                links::code,
                links::membership_id,
                memberships::program_id,
                links::disabled_at.is_null(),
                links::updated_at,
            ))
            .into_boxed();
        match since {
            Some(since) => query.filter(links::updated_at.ge(since)).load(conn),
            None => query.load(conn),
        }
    }
}
