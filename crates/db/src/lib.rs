//! Partnerly's storage: one diesel connection type over SQLite or PostgreSQL, the pool,
//! the embedded migrations, and the queries of each table as functions on its model.
//!
//! Query functions take `&mut DbConn`, so the caller (a handler or a job) decides where a
//! transaction begins and ends. Where SQL must differ between the backends there is one
//! `match` on the connection variant, here and nowhere else.
//!
//! Lookups by a key or a unique column use `get_result`, not `first`: `first` adds
//! `LIMIT ?`, and SQLite re-prepares a statement whose plan used a bound value every time
//! the value is bound again, which made such lookups several times slower.

/// Most values in one `IN (...)` list, and most rows in one multi-row INSERT: both well
/// under the bound-parameter limits of the backends (SQLite 32766, PostgreSQL 65535).
pub(crate) const IN_LIST_CHUNK: usize = 500;
pub(crate) const INSERT_ROWS_CHUNK: usize = 200;

/// Runs a multi-row INSERT for every [`INSERT_ROWS_CHUNK`] rows and one for the rest;
/// returns the rows inserted. A full chunk goes as an array (`$full` gets
/// `&[T; INSERT_ROWS_CHUNK]`): diesel knows the statement's shape from the type, so each
/// connection prepares it once and reuses it, where a slice of any length is parsed and
/// planned again every time (measured: about a quarter of PostgreSQL's time on a batch).
macro_rules! insert_in_chunks {
    ($rows:expr, |$chunk:ident| $insert:expr) => {{
        let rows = $rows;
        let mut inserted = 0usize;
        let mut full = rows.chunks_exact($crate::INSERT_ROWS_CHUNK);
        for chunk in &mut full {
            let $chunk: &[_; $crate::INSERT_ROWS_CHUNK] = chunk
                .try_into()
                .map_err(|_| diesel::result::Error::NotFound)?;
            inserted += $insert;
        }
        let rest = full.remainder();
        if !rest.is_empty() {
            let $chunk = rest;
            inserted += $insert;
        }
        inserted
    }};
}
pub(crate) use insert_in_chunks;

/// One row changed, as an update by id must: anything else is `NotFound`, so that an
/// update of a row not (yet) stored fails loudly instead of changing nothing.
pub(crate) fn one_row(changed: usize) -> diesel::QueryResult<()> {
    match changed {
        1 => Ok(()),
        _ => Err(diesel::result::Error::NotFound),
    }
}

/// The ids for an `IN (...)` list of a formatted statement: integers, so formatting them
/// is safe.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// `SUM(column)` as a BIGINT on both backends (PostgreSQL sums BIGINT to NUMERIC), zero
/// over no rows. `column` is a fixed column name, never input.
pub(crate) fn sum_bigint(
    column: &'static str,
) -> diesel::expression::SqlLiteral<diesel::sql_types::BigInt> {
    diesel::dsl::sql(&format!("CAST(COALESCE(SUM({column}), 0) AS BIGINT)"))
}

pub mod adjustment;
pub mod api_key;
pub mod audit;
pub mod click;
pub mod client_bonus;
pub mod commission;
pub mod conn;
pub mod customer;
pub mod deal;
pub mod error;
pub mod event;
pub mod figures;
pub mod invitation;
pub mod ledger;
pub mod level;
pub mod link;
pub mod membership;
pub mod outbox;
pub mod password_reset;
pub mod payment;
pub mod program;
pub mod rate_limit;
pub mod refresh_token;
pub mod schema;
pub mod track_request;
pub mod user;
pub mod webhook;

pub use conn::{
    Backend, DbConn, DbError, DbPool, DbUrl, PooledConn, read_snapshot, run_migrations,
    write_transaction,
};
pub use error::{Classify, FailureKind, insert_new};

/// The current time in UTC, at the precision both backends store (microseconds), so a
/// value read back compares equal to the one written.
pub fn now() -> time::PrimitiveDateTime {
    let now = time::OffsetDateTime::now_utc();
    let micros = now.microsecond();
    let now = now.replace_microsecond(micros).unwrap_or(now);
    time::PrimitiveDateTime::new(now.date(), now.time())
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on both backends for ASCII text.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// A `LIKE` pattern matching `needle` anywhere, lower-cased, with `%`, `_` and the
/// backslash escaped by a backslash (use it with `.escape('\\')`).
pub(crate) fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::from("%");
    for c in needle.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A UTC `OffsetDateTime` as stored (microsecond precision). Times from clients are
/// checked against the accepted range first (`partnerly_domain::timestamp::accepted`);
/// the conversion itself is total, so an unchecked one can never panic.
pub fn to_db(t: time::OffsetDateTime) -> time::PrimitiveDateTime {
    let t = partnerly_domain::timestamp::clamped_utc(t);
    let t = t
        .replace_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t);
    time::PrimitiveDateTime::new(t.date(), t.time())
}

/// Converts a stored UTC timestamp to an `OffsetDateTime` for the API.
pub fn utc(t: time::PrimitiveDateTime) -> time::OffsetDateTime {
    t.assume_utc()
}
