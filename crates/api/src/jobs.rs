//! Background jobs: every 30 seconds, the release of commissions whose hold period
//! ended (C2) and the promotion of their memberships (L3), through the engine's
//! [`release_due`] (safe on several instances at once, harmless to rerun).

use std::sync::Arc;
use std::time::Duration;

use partnerly_engine::commissions::release_due;
use tokio::sync::Notify;

use crate::database::Database;
use crate::error::ApiError;

/// How often the job looks for due commissions.
const INTERVAL: Duration = Duration::from_secs(30);

/// Runs [`release_due`] every 30 seconds until the process stops.
pub async fn run(database: Database, webhooks_queued: Arc<Notify>) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        match database
            .db(|conn| Ok::<_, ApiError>(release_due(conn, partnerly_db::now())?))
            .await
        {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(released, "commissions released");
                webhooks_queued.notify_one();
            }
            Err(e) => {
                tracing::warn!(error = %e.chain(), "hold release failed; retrying next round")
            }
        }
    }
}
