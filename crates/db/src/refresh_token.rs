//! Refresh tokens (stored as hashes), grouped in families for reuse detection.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::refresh_tokens;

/// A stored refresh token.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub family: String,
    pub token_hash: String,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
    pub rotated_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
}

/// A refresh token to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub user_id: i64,
    pub family: &'a str,
    pub token_hash: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

impl NewRefreshToken<'_> {
    /// Stores the token.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(refresh_tokens::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

impl RefreshToken {
    /// The token with this hash, whatever its state.
    pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> QueryResult<Option<RefreshToken>> {
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .select(RefreshToken::as_select())
            .get_result(conn)
            .optional()
    }

    /// Marks the token rotated if it is still live. Returns false when another request
    /// rotated or revoked it first: exactly one of two racing refreshes wins.
    pub fn mark_rotated(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<bool> {
        let changed = diesel::update(
            refresh_tokens::table
                .find(id)
                .filter(refresh_tokens::rotated_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::rotated_at.eq(now))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Revokes every live token of a family (sign-out, or reuse detected).
    pub fn revoke_family(
        conn: &mut DbConn,
        family: &str,
        now: PrimitiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::family.eq(family))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(now))
        .execute(conn)
    }

    /// Revokes every live token of an account except those of `keep_family` (the
    /// session that changed the password stays signed in).
    pub fn revoke_user(
        conn: &mut DbConn,
        user_id: i64,
        keep_family: Option<&str>,
        now: PrimitiveDateTime,
    ) -> QueryResult<usize> {
        let query = refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null())
            .into_boxed();
        let query = match keep_family {
            Some(family) => query.filter(refresh_tokens::family.ne(family)),
            None => query,
        };
        // Boxed queries cannot be updated directly; select the ids, then update them.
        let ids: Vec<i64> = query.select(refresh_tokens::id).load(conn)?;
        diesel::update(refresh_tokens::table.filter(refresh_tokens::id.eq_any(ids)))
            .set(refresh_tokens::revoked_at.eq(now))
            .execute(conn)
    }

    /// Deletes tokens that expired before `before` (housekeeping).
    pub fn delete_expired(conn: &mut DbConn, before: PrimitiveDateTime) -> QueryResult<usize> {
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(before)))
            .execute(conn)
    }
}
