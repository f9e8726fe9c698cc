//! What every handler shares: the pool, the configuration and the token keys.

use std::sync::Arc;

use actix_web::web;
use partnerly_db::{Backend, DbConn, DbPool, DbUrl};
use tokio::sync::Notify;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::database::Database;
use crate::error::ApiError;
use crate::event_groups::EventGroups;
use crate::rate_limit::RateLimits;
use crate::tracking::Tracking;

/// Shared state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub jwt: JwtKeys,
    pub limits: RateLimits,
    /// Wakes the email sender when a handler queued an email.
    pub mail_queued: Arc<Notify>,
    /// Wakes the webhook sender when a transaction queued deliveries.
    pub webhooks_queued: Arc<Notify>,
    /// The pool with SQLite's write turn ([`AppState::db`], [`AppState::write`]).
    pub database: Database,
    /// Single events waiting to be applied together ([`crate::event_groups`]).
    pub event_groups: Arc<EventGroups>,
    /// The tracking redirect's directory of codes and click queue.
    pub tracking: Tracking,
}

impl AppState {
    /// State over an existing pool; loads the tracking directory and starts its
    /// refresher and the click writer on the current runtime.
    pub fn new(pool: DbPool, config: Config) -> anyhow::Result<Self> {
        let backend = DbUrl::parse(&config.database_url).map_or(Backend::Postgres, |u| u.backend());
        let database = Database::new(pool.clone(), backend);
        let tracking = Tracking::start(database.clone(), &config.tracking, &config.jwt_secret)?;
        Ok(Self {
            tracking,
            database,
            event_groups: Arc::default(),
            pool,
            jwt: JwtKeys::new(&config.jwt_secret),
            limits: RateLimits::new(config.rate_limit_ip_factor),
            config: Arc::new(config),
            mail_queued: Arc::new(Notify::new()),
            webhooks_queued: Arc::new(Notify::new()),
        })
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.database.db(f).await
    }

    /// Runs `f` in a write transaction after the writers ahead of it on SQLite
    /// ([`Database::write`]). Handlers that write use this.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.database.write(f).await
    }

    /// Runs CPU-heavy work (password hashing) on the blocking thread pool.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Ok(web::block(f).await?)
    }
}
