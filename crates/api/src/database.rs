//! The database as handlers, jobs and the event groups use it: a pooled connection on
//! the blocking thread pool, and write transactions that queue for SQLite's one writer.

use std::sync::Arc;

use actix_web::web;
use partnerly_db::{Backend, DbConn, DbPool, write_transaction};
use tokio::sync::Mutex;

use crate::error::ApiError;

/// The pool and, on SQLite, this process's turn to write. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub pool: DbPool,
    /// On SQLite, which has one writer at a time, this process's writers queue here
    /// ([`Database::write`]): the next one starts the moment the last commits, where
    /// SQLite's busy handler would sleep and poll. `None` on PostgreSQL.
    write_turn: Option<Arc<Mutex<()>>>,
}

impl Database {
    /// The database over an existing pool of `backend`.
    pub fn new(pool: DbPool, backend: Backend) -> Self {
        Self {
            write_turn: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            pool,
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
    /// after the writers ahead of it on SQLite.
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
}
