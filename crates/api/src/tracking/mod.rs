//! The tracking redirect's machinery (T6, T10): the in-memory [`directory`] of codes,
//! kept fresh by polling, and the bounded click [`queue`] with its background writer.
//! The redirect handler (`routes::redirect`) reads the one and offers to the other, so a
//! visitor's request touches no database. What the writer stores goes through the
//! engine (`partnerly_engine::tracking::record_clicks`).

pub mod directory;
pub mod queue;

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::TrackingConfig;
use crate::database::Database;
use crate::error::ApiError;
use directory::Directory;
use queue::ClickQueue;

/// What the redirect shares.
#[derive(Debug, Clone)]
pub struct Tracking {
    pub directory: Arc<Directory>,
    pub queue: Arc<ClickQueue>,
    /// The visitor hash, keyed (so that stored hashes cannot be matched to addresses
    /// without the server's secret) and ready to clone for each click.
    visitor_mac: Hmac<Sha256>,
}

impl Tracking {
    /// Loads the directory and starts the refresher and the writer on the current
    /// runtime.
    pub fn start(
        database: Database,
        config: &TrackingConfig,
        secret: &[u8],
    ) -> anyhow::Result<Self> {
        let directory = Arc::new(Directory::new(config.default_landing_url.clone()));
        let mut conn = database.pool.get()?;
        let loaded = directory.refresh(&mut conn, partnerly_db::now())?;
        drop(conn);
        tracing::debug!(links = loaded, "tracking directory loaded");
        tokio::spawn(refresh(directory.clone(), database.clone(), config.refresh));
        let queue = Arc::new(ClickQueue::start(
            database,
            config.queue_capacity,
            config.flush,
        ));
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .map_err(|e| anyhow::anyhow!("visitor key: {e}"))?;
        mac.update(b"partnerly click visitor key v1");
        let visitor_key = mac.finalize().into_bytes();
        let visitor_mac = <Hmac<Sha256> as Mac>::new_from_slice(&visitor_key)
            .map_err(|e| anyhow::anyhow!("visitor key: {e}"))?;
        Ok(Self {
            directory,
            queue,
            visitor_mac,
        })
    }

    /// Reloads this instance's directory at once after a change made here, so the next
    /// click already sees it (other instances see it at their next refresh). A failure
    /// only delays it to the next refresh.
    pub async fn refresh_now(&self, database: &Database) {
        let directory = self.directory.clone();
        let result = database
            .db(move |conn| Ok::<_, ApiError>(directory.refresh(conn, partnerly_db::now())?))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e.chain(), "reloading the link directory failed");
        }
    }

    /// The keyed hash that stands for a visitor: their address and user agent. Never
    /// the address itself (it is not stored anywhere).
    pub fn visitor(&self, ip: &str, user_agent: &str) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut mac = self.visitor_mac.clone();
        mac.update(ip.as_bytes());
        mac.update(b"\n");
        mac.update(user_agent.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut hex = String::with_capacity(32);
        for b in &digest[..16] {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        hex
    }
}

/// Reloads what changed every `every`, until the process stops.
async fn refresh(directory: Arc<Directory>, database: Database, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let directory = directory.clone();
        let result = database
            .db(move |conn| Ok::<_, ApiError>(directory.refresh(conn, partnerly_db::now())?))
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e.chain(), "reloading the link directory failed; retrying");
        }
    }
}
