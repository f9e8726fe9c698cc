//! What every handler shares: the pool, the configuration and the token keys.

use std::sync::Arc;

use actix_web::web;
use partnerly_db::{DbConn, DbPool};
use tokio::sync::Notify;

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::error::ApiError;
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
}

impl AppState {
    /// State over an existing pool.
    pub fn new(pool: DbPool, config: Config) -> Self {
        Self {
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

    /// Runs CPU-heavy work (password hashing) on the blocking thread pool.
    pub async fn cpu<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Ok(web::block(f).await?)
    }
}
