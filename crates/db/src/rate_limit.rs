//! Fixed-window counters for rate limits, kept in the database so that several server
//! instances share them.

use diesel::prelude::*;

use crate::schema::rate_limit_hits;
use crate::{DbConn, insert_new};

/// The number of hits recorded for `bucket` in the window starting at `window_start`
/// (Unix seconds).
pub fn count(conn: &mut DbConn, bucket: &str, window_start: i64) -> QueryResult<i32> {
    rate_limit_hits::table
        .find((bucket, window_start))
        .select(rate_limit_hits::hits)
        .get_result(conn)
        .optional()
        .map(Option::unwrap_or_default)
}

/// Adds one hit and returns the new count. Two instances racing to create the window's
/// row are reconciled: the loser's insert fails inside a savepoint and it increments.
pub fn hit(conn: &mut DbConn, bucket: &str, window_start: i64) -> QueryResult<i32> {
    for _ in 0..3 {
        let updated = diesel::update(rate_limit_hits::table.find((bucket, window_start)))
            .set(rate_limit_hits::hits.eq(rate_limit_hits::hits + 1))
            .returning(rate_limit_hits::hits)
            .get_result::<i32>(conn)
            .optional()?;
        if let Some(hits) = updated {
            return Ok(hits);
        }
        let inserted = insert_new(conn, |c| {
            diesel::insert_into(rate_limit_hits::table)
                .values((
                    rate_limit_hits::bucket.eq(bucket),
                    rate_limit_hits::window_start.eq(window_start),
                    rate_limit_hits::hits.eq(1),
                ))
                .execute(c)
        });
        if inserted?.is_some() {
            return Ok(1);
        }
    }
    count(conn, bucket, window_start)
}

/// Forgets every window that started before `before` (Unix seconds).
pub fn prune(conn: &mut DbConn, before: i64) -> QueryResult<usize> {
    diesel::delete(rate_limit_hits::table.filter(rate_limit_hits::window_start.lt(before)))
        .execute(conn)
}

/// Forgets every window of `bucket` (a successful sign-in clears its failure count).
pub fn clear(conn: &mut DbConn, bucket: &str) -> QueryResult<usize> {
    diesel::delete(rate_limit_hits::table.filter(rate_limit_hits::bucket.eq(bucket))).execute(conn)
}
