//! The events received from the vendor, kept by (owner, event id) so that an event
//! sent again gets its first answer (E2 idempotency).

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use partnerly_domain::event::EventStatus;
use time::PrimitiveDateTime;

use crate::DbConn;
use crate::conn::on_backend;
use crate::schema::events;

/// An event as received: what it was and the answer it got.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub owner: &'a str,
    pub event_id: &'a str,
    pub kind: &'a str,
    /// Digest of the event's canonical JSON: the same id with another body is a conflict.
    pub body_hash: &'a str,
    pub status: EventStatus,
    /// The answer (an `EventResult` as JSON).
    pub result: &'a str,
    pub received_at: PrimitiveDateTime,
}

impl NewEvent<'_> {
    /// Stores the event.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        on_backend!(conn, |c| diesel::insert_into(events::table)
            .values(self)
            .execute(c))
        .map(drop)
    }

    /// Stores many events, a few hundred per statement.
    pub fn insert_all(conn: &mut DbConn, rows: &[NewEvent<'_>]) -> QueryResult<()> {
        for chunk in rows.chunks(crate::INSERT_ROWS_CHUNK) {
            on_backend!(conn, |c| diesel::insert_into(events::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(())
    }
}

/// The body digests and answers of those of `event_ids` of `owner` that were received,
/// by event id, in one query.
pub fn seen_many(
    conn: &mut DbConn,
    owner: &str,
    event_ids: &[&str],
) -> QueryResult<Vec<(String, String, String)>> {
    #[derive(QueryableByName)]
    struct Seen {
        #[diesel(sql_type = Text)]
        event_id: String,
        #[diesel(sql_type = Text)]
        body_hash: String,
        #[diesel(sql_type = Text)]
        result: String,
    }
    let mut found = Vec::new();
    for chunk in event_ids.chunks(crate::IN_LIST_CHUNK) {
        match conn {
            DbConn::Sqlite(c) => found.extend(
                events::table
                    .filter(events::owner.eq(owner))
                    .filter(events::event_id.eq_any(chunk))
                    .select((events::event_id, events::body_hash, events::result))
                    .load::<(String, String, String)>(c)?,
            ),
            DbConn::Postgres(c) => found.extend(
                diesel::sql_query(crate::conn::pg_rows_by_keys(
                    "event_id, body_hash, result",
                    "events",
                    "event_id",
                    " AND owner = $2",
                ))
                .bind::<Array<Text>, _>(chunk)
                .bind::<Text, _>(owner)
                .load::<Seen>(c)?
                .into_iter()
                .map(|s| (s.event_id, s.body_hash, s.result)),
            ),
        }
    }
    Ok(found)
}

/// The body digest and answer of the event `event_id` of `owner`, if it was received.
pub fn seen(
    conn: &mut DbConn,
    owner: &str,
    event_id: &str,
) -> QueryResult<Option<(String, String)>> {
    on_backend!(conn, |c| events::table
        .filter(events::owner.eq(owner))
        .filter(events::event_id.eq(event_id))
        .select((events::body_hash, events::result))
        .get_result(c)
        .optional())
}
