//! Password-reset tokens: stored hashed, single use, short-lived.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::schema::password_reset_tokens;

/// A reset token to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = password_reset_tokens)]
pub struct NewPasswordReset<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub created_at: PrimitiveDateTime,
    pub expires_at: PrimitiveDateTime,
}

impl NewPasswordReset<'_> {
    /// Stores the token.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(password_reset_tokens::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

/// Uses up the token with this hash if it is unused and unexpired, and every other
/// outstanding token of the same account with it. Returns the account's id, or `None`
/// when the token is unknown, used or expired. Call inside a write transaction.
pub fn consume(conn: &mut DbConn, hash: &str, now: PrimitiveDateTime) -> QueryResult<Option<i64>> {
    let found: Option<(i64, i64)> = password_reset_tokens::table
        .filter(password_reset_tokens::token_hash.eq(hash))
        .filter(password_reset_tokens::used_at.is_null())
        .filter(password_reset_tokens::expires_at.gt(now))
        .select((password_reset_tokens::id, password_reset_tokens::user_id))
        .get_result(conn)
        .optional()?;
    let Some((id, user_id)) = found else {
        return Ok(None);
    };
    // The guarded update decides the race between two uses of one token.
    let used = diesel::update(
        password_reset_tokens::table
            .find(id)
            .filter(password_reset_tokens::used_at.is_null()),
    )
    .set(password_reset_tokens::used_at.eq(now))
    .execute(conn)?;
    if used != 1 {
        return Ok(None);
    }
    diesel::update(
        password_reset_tokens::table
            .filter(password_reset_tokens::user_id.eq(user_id))
            .filter(password_reset_tokens::used_at.is_null()),
    )
    .set(password_reset_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(Some(user_id))
}
