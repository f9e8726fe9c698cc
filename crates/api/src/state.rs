//! What every handler shares: the pool, the configuration and the token keys.

use std::sync::Arc;

use actix_web::web;
use partnerly_db::{Backend, DbConn, DbPool, DbUrl, write_transaction};
use tokio::sync::{Mutex, Notify};

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::error::ApiError;
use crate::event_groups::EventGroups;
use crate::rate_limit::RateLimits;

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
    /// On SQLite, which has one writer at a time, this process's writers queue here
    /// ([`AppState::write`]): the next one starts the moment the last commits, where
    /// SQLite's busy handler would sleep and poll. `None` on PostgreSQL.
    write_turn: Option<Arc<Mutex<()>>>,
    /// Single events waiting to be applied together ([`crate::event_groups`]).
    pub event_groups: Arc<EventGroups>,
}

impl AppState {
    /// State over an existing pool.
    pub fn new(pool: DbPool, config: Config) -> Self {
        let sqlite =
            DbUrl::parse(&config.database_url).is_ok_and(|u| u.backend() == Backend::Sqlite);
        Self {
            write_turn: sqlite.then(|| Arc::new(Mutex::new(()))),
            event_groups: Arc::default(),
            pool,
            jwt: JwtKeys::new(&config.jwt_secret),
            limits: RateLimits::new(config.rate_limit_ip_factor),
            config: Arc::new(config),
            mail_queued: Arc::new(Notify::new()),
            webhooks_queued: Arc::new(Notify::new()),
        }
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                tracing::warn!(error = %e, "no database connection available");
                ApiError::Unavailable
            })?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in a write transaction ([`write_transaction`]) with a pooled connection,
    /// after the writers ahead of it on SQLite. Handlers that write use this.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.write_turn {
            Some(turn) => Some(turn.clone().lock_owned().await),
            None => None,
        };
        self.db(move |conn| write_transaction(conn, f)).await
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
