//! Background jobs: releasing commissions whose hold period ended (C2), and promoting
//! the memberships they belong to (L3). Each commission is released in its own short
//! transaction; a compare-and-set on its status and the ledger's unique keys make the
//! job safe to run on several instances at once and harmless to rerun.

use std::collections::BTreeSet;
use std::time::Duration;

use partnerly_db::commission::Commission;
use partnerly_db::program::Membership;
use partnerly_db::{DbConn, write_transaction};
use time::PrimitiveDateTime;

use crate::error::ApiError;
use crate::events;
use crate::state::AppState;

/// How often the job looks for due commissions.
const INTERVAL: Duration = Duration::from_secs(30);
/// Commissions released per round trip.
const BATCH: i64 = 200;

/// Releases every commission due by `now`; returns how many this call released.
pub fn release_due(conn: &mut DbConn, now: PrimitiveDateTime) -> Result<usize, ApiError> {
    let mut released = 0;
    let mut memberships = BTreeSet::new();
    loop {
        let due = Commission::due(conn, now, BATCH)?;
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for commission in &due {
            let released_one = write_transaction(conn, |c| {
                events::Batch::run(c, |c, batch| events::release(c, batch, commission, now))
            })?;
            if released_one {
                released += 1;
                progressed = true;
                memberships.insert(commission.membership_id);
            }
        }
        if !progressed {
            break;
        }
    }
    for id in memberships {
        write_transaction(conn, |c| {
            if let Some(membership) = Membership::find(c, id)? {
                events::Batch::run(c, |c, batch| events::promote(c, batch, &membership, now))?;
            }
            Ok::<_, ApiError>(())
        })?;
    }
    Ok(released)
}

/// Runs [`release_due`] every 30 seconds until the process stops.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        match state
            .db(|conn| release_due(conn, partnerly_db::now()))
            .await
        {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(released, "commissions released");
                state.webhooks_queued.notify_one();
            }
            Err(e) => tracing::warn!(error = %e, "hold release failed; retrying next round"),
        }
    }
}
