//! Group commit for single events (`POST /api/v1/events`).
//!
//! A vendor's billing often sends many single events at once. Applying each in its
//! own transaction makes every event pay for a commit (an fsync on PostgreSQL) and,
//! on SQLite, for a turn at the one write lock. Here concurrent requests join a group:
//! the first request to get the turn applies every event waiting at that moment in one
//! transaction, as one batch (`partnerly_engine::commissions::Batch`), and answers each request after the
//! commit. A request whose event another request applied just
//! takes its answer. With no concurrency a group is one event, as before.
//!
//! If the group's transaction fails as a whole (a database error, or another instance
//! inserting the same event at the same moment), each event of the group is applied
//! again on its own, so one event's trouble never becomes another's.

use std::sync::{Arc, Mutex};

use partnerly_db::DbConn;
use partnerly_domain::event::{EventEnvelope, EventResult};
use tokio::sync::oneshot;

use crate::database::Database;
use crate::error::ApiError;
use partnerly_engine::commissions::{Batch, ingest};

/// The most events one group applies; later arrivals form the next group.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<EventResult, ApiError>>;

/// An event waiting for a group, with where to send its result.
struct Waiting {
    owner: String,
    envelope: EventEnvelope,
    reply: Reply,
}

/// The events waiting to be applied, and the turn to apply a group.
#[derive(Default)]
pub struct EventGroups {
    waiting: Mutex<Vec<Waiting>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl EventGroups {
    fn take_group(&self) -> Vec<Waiting> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let size = waiting.len().min(MAX_GROUP);
        let rest = waiting.split_off(size);
        std::mem::replace(&mut *waiting, rest)
    }
}

/// Applies one event (see [`ingest`]), in a group with the events other requests are
/// sending at the same moment.
pub async fn submit(
    groups: &Arc<EventGroups>,
    database: &Database,
    owner: String,
    envelope: EventEnvelope,
) -> Result<EventResult, ApiError> {
    let groups = groups.clone();
    let (reply, mut answer) = oneshot::channel();
    groups
        .waiting
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Waiting {
            owner,
            envelope,
            reply,
        });
    loop {
        tokio::select! {
            biased;
            result = &mut answer => return result.map_err(|_| ApiError::Unavailable)?,
            turn = groups.turn.clone().lock_owned() => {
                let group = groups.take_group();
                if group.is_empty() {
                    continue;
                }
                // A task of its own, holding the turn: if this request goes away (the
                // client disconnects), the others in the group still get their answers.
                let database = database.clone();
                let _ = actix_web::rt::spawn(async move {
                    apply_group(&database, group).await;
                    drop(turn);
                })
                .await;
                // Ours was in this group or in an earlier one, which answered before
                // giving up the turn; if it is still waiting (over MAX_GROUP), go again.
            }
        }
    }
}

/// Applies `group` in one transaction and answers every request in it.
async fn apply_group(database: &Database, group: Vec<Waiting>) {
    let (replies, events): (Vec<Reply>, Vec<(String, EventEnvelope)>) = group
        .into_iter()
        .map(|w| (w.reply, (w.owner, w.envelope)))
        .unzip();
    let together = if events.len() == 1 {
        None
    } else {
        let events = events.clone();
        Some(database.write(move |conn| apply_all(conn, &events)).await)
    };
    match together {
        Some(Ok(results)) => {
            tracing::debug!(events = results.len(), "applied a group of single events");
            for (reply, result) in replies.into_iter().zip(results) {
                // A request that went away (client disconnected) needs no answer.
                let _ = reply.send(result);
            }
        }
        _ => {
            for (reply, (owner, envelope)) in replies.into_iter().zip(events) {
                let result = apply_one(database, owner, envelope).await;
                let _ = reply.send(result);
            }
        }
    }
}

/// Every event of a group in the caller's transaction. A database error fails the
/// whole group (the transaction is rolled back and each event retried on its own);
/// a client's mistake is that event's answer only.
fn apply_all(
    conn: &mut DbConn,
    events: &[(String, EventEnvelope)],
) -> Result<Vec<Result<EventResult, ApiError>>, ApiError> {
    Batch::run(conn, |conn, batch| {
        let named: Vec<(&str, &EventEnvelope)> = events
            .iter()
            .map(|(owner, envelope)| (owner.as_str(), envelope))
            .collect();
        batch.preload(conn, &named)?;
        let mut results = Vec::with_capacity(events.len());
        for (owner, envelope) in events {
            match ingest(conn, batch, owner, envelope) {
                Err(e) if !e.is_refusal() => return Err(e.into()),
                other => results.push(other.map_err(ApiError::from)),
            }
        }
        Ok(results)
    })
}

/// One event in its own transaction.
async fn apply_one(
    database: &Database,
    owner: String,
    envelope: EventEnvelope,
) -> Result<EventResult, ApiError> {
    with_retry(database, move |conn| {
        Batch::run(conn, |conn, batch| {
            batch.preload(conn, &[(&owner, &envelope)])?;
            Ok(ingest(conn, batch, &owner, &envelope)?)
        })
    })
    .await
}

/// Runs `f` in a write transaction, once more ([`ApiError::is_retryable`]) if a concurrent writer (another
/// instance on PostgreSQL) inserted the same event or payment first, so that the
/// second run sees its result, or if PostgreSQL broke a deadlock by failing this one.
pub async fn with_retry<T, F>(database: &Database, f: F) -> Result<T, ApiError>
where
    F: Fn(&mut DbConn) -> Result<T, ApiError> + Send + Clone + 'static,
    T: Send + 'static,
{
    match database.write(f.clone()).await {
        Err(e) if e.is_retryable() => database.write(f).await,
        other => other,
    }
}
