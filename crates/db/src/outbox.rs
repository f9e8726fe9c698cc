//! The email outbox: emails are written in the transaction that causes them and sent
//! afterwards by a sender that claims them one at a time, so a crash never loses one and
//! several server instances never send one twice at the same moment.

use diesel::prelude::*;
use time::{Duration, PrimitiveDateTime};

use crate::DbConn;
use crate::schema::outbox_emails;

/// After this many failed attempts an email stays in the outbox, visible to admins.
pub const MAX_ATTEMPTS: i32 = 8;

/// A stored email.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = outbox_emails)]
pub struct OutboxEmail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: PrimitiveDateTime,
    pub sent_at: Option<PrimitiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: PrimitiveDateTime,
    /// The body with its secret hidden, for emails that carry one.
    pub redacted_body: Option<String>,
}

/// An email to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox_emails)]
pub struct NewOutboxEmail<'a> {
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub created_at: PrimitiveDateTime,
    pub next_attempt_at: PrimitiveDateTime,
    pub redacted_body: Option<&'a str>,
}

impl<'a> NewOutboxEmail<'a> {
    /// An email due now; `redacted_body` when the body carries a secret.
    pub fn new(
        to: &'a str,
        subject: &'a str,
        body: &'a str,
        redacted_body: Option<&'a str>,
        now: PrimitiveDateTime,
    ) -> Self {
        Self {
            to_address: to,
            subject,
            body,
            created_at: now,
            next_attempt_at: now,
            redacted_body,
        }
    }

    /// Queues the email.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(outbox_emails::table)
            .values(self)
            .execute(conn)
            .map(drop)
    }
}

impl OutboxEmail {
    /// One page, newest first, optionally only those sent to `to`.
    pub fn list(
        conn: &mut DbConn,
        to: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<OutboxEmail>, i64)> {
        let filtered = || {
            let q = outbox_emails::table.into_boxed();
            match to {
                Some(to) => q.filter(outbox_emails::to_address.eq(to.to_owned())),
                None => q,
            }
        };
        let total = filtered().count().get_result(conn)?;
        let items = filtered()
            .order(outbox_emails::id.desc())
            .offset(offset)
            .limit(limit)
            .select(OutboxEmail::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Claims the oldest due email for `lease`: its `next_attempt_at` moves forward, so no
    /// other sender takes it while this one works. The claim is a compare-and-set on
    /// `next_attempt_at`, which works the same on both backends.
    pub fn claim_due(
        conn: &mut DbConn,
        now: PrimitiveDateTime,
        lease: Duration,
    ) -> QueryResult<Option<OutboxEmail>> {
        for _ in 0..5 {
            let candidate = outbox_emails::table
                .filter(outbox_emails::sent_at.is_null())
                .filter(outbox_emails::attempts.lt(MAX_ATTEMPTS))
                .filter(outbox_emails::next_attempt_at.le(now))
                .order(outbox_emails::id)
                .select(OutboxEmail::as_select())
                .first(conn)
                .optional()?;
            let Some(email) = candidate else {
                return Ok(None);
            };
            let claimed = diesel::update(
                outbox_emails::table
                    .find(email.id)
                    .filter(outbox_emails::next_attempt_at.eq(email.next_attempt_at)),
            )
            .set(outbox_emails::next_attempt_at.eq(now + lease))
            .execute(conn)?;
            if claimed == 1 {
                return Ok(Some(email));
            }
        }
        Ok(None)
    }

    /// Records a successful delivery. A secret the body carried is dropped from
    /// storage: the body becomes its redacted copy.
    pub fn mark_sent(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> QueryResult<()> {
        diesel::update(outbox_emails::table.find(id))
            .set((
                outbox_emails::sent_at.eq(now),
                outbox_emails::attempts.eq(outbox_emails::attempts + 1),
                outbox_emails::last_error.eq(None::<String>),
                outbox_emails::body.eq(diesel::dsl::sql::<diesel::sql_types::Text>(
                    "COALESCE(redacted_body, body)",
                )),
            ))
            .execute(conn)
            .map(drop)
    }

    /// Records a failed attempt and when to try again.
    pub fn mark_failed(
        conn: &mut DbConn,
        id: i64,
        error: &str,
        retry_at: PrimitiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(outbox_emails::table.find(id))
            .set((
                outbox_emails::attempts.eq(outbox_emails::attempts + 1),
                outbox_emails::last_error.eq(error),
                outbox_emails::next_attempt_at.eq(retry_at),
            ))
            .execute(conn)
            .map(drop)
    }
}
