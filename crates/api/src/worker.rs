//! The one claim/lease/retry loop of the background senders (email, webhooks; next the
//! click writer and the payout jobs).
//!
//! Work waits in a table. A worker claims one due row with a lease (a compare-and-set
//! that moves the row's next attempt forward, so no other worker, in this process or
//! another instance on the same database, takes it meanwhile), does the work, and
//! records the outcome: done, or the time of the next attempt from a [`Backoff`]. A
//! worker that finds nothing due waits to be woken ([`Workers::wake`], notified after a
//! commit that queued work) or for its poll interval, so work queued by another
//! instance is found too. A crash between the claim and the record loses nothing: the
//! lease runs out and the row is claimed again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use partnerly_db::{DbConn, DbError, DbPool};
use tokio::sync::Notify;

/// What went wrong in a worker's own machinery (the database, a blocking task), not in
/// the work it does: the worker logs it once and tries again after its poll interval.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("blocking task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl From<diesel::result::Error> for WorkError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

/// A kind of queued work: how to claim one due item and how to do it.
pub trait Job: Send + Sync + 'static {
    /// A claimed item, leased to this worker.
    type Claimed: Send + 'static;

    /// The name in logs (`"email"`, `"webhook"`).
    const NAME: &'static str;

    /// Claims one due item with a lease, or `None` when nothing is due.
    fn claim(&self) -> impl Future<Output = Result<Option<Self::Claimed>, WorkError>> + Send;

    /// Does the work and records its outcome, including when to try again.
    fn run(&self, claimed: Self::Claimed) -> impl Future<Output = Result<(), WorkError>> + Send;
}

/// How many workers run a job in this process, and what wakes them.
#[derive(Debug, Clone)]
pub struct Workers {
    pub count: usize,
    /// Notified after a transaction queued work.
    pub wake: Arc<Notify>,
    /// How often an idle worker looks for due work when nobody wakes it.
    pub poll: Duration,
}

/// Runs `job` on `workers.count` workers until the process stops.
pub async fn run<J: Job>(job: Arc<J>, workers: Workers) {
    let tasks: Vec<_> = (0..workers.count.max(1))
        .map(|_| tokio::spawn(work(job.clone(), workers.clone())))
        .collect();
    for task in tasks {
        if let Err(e) = task.await {
            tracing::error!(error = %e, job = J::NAME, "a worker stopped");
        }
    }
}

/// One worker: runs items while some are due, then waits to be woken (or polls).
async fn work<J: Job>(job: Arc<J>, workers: Workers) {
    // Logged when the database first fails and when it is back, not every poll.
    let mut failing = false;
    loop {
        loop {
            let step = match job.claim().await {
                Ok(Some(claimed)) => job.run(claimed).await.map(|()| true),
                Ok(None) => Ok(false),
                Err(e) => Err(e),
            };
            match step {
                Ok(found) => {
                    if failing {
                        tracing::info!(job = J::NAME, "worker reaches the database again");
                        failing = false;
                    }
                    if !found {
                        break;
                    }
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, job = J::NAME, "worker could not reach the database");
                        failing = true;
                    }
                    break;
                }
            }
        }
        let _ = tokio::time::timeout(workers.poll, workers.wake.notified()).await;
    }
}

/// Runs `f` with a pooled connection on the blocking thread pool.
pub async fn with_conn<T, F>(pool: &DbPool, f: F) -> Result<T, WorkError>
where
    F: FnOnce(&mut DbConn) -> Result<T, WorkError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(DbError::from)?;
        f(&mut conn)
    })
    .await?
}

/// When to try again after a failed attempt: the wait after the 1st, 2nd, ... failure;
/// past the end of the schedule, give up.
#[derive(Debug, Clone, Copy)]
pub struct Backoff(pub &'static [time::Duration]);

impl Backoff {
    /// The wait after the `failures`-th failed attempt; `None`: give up.
    pub fn after(self, failures: i32) -> Option<time::Duration> {
        let index = usize::try_from(failures.checked_sub(1)?).ok()?;
        self.0.get(index).copied()
    }

    /// How many attempts are made in all.
    pub fn attempts(self) -> i32 {
        i32::try_from(self.0.len()).map_or(i32::MAX, |n| n + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_waits_by_the_schedule_then_gives_up() {
        const SCHEDULE: Backoff =
            Backoff(&[time::Duration::seconds(5), time::Duration::minutes(5)]);
        assert_eq!(SCHEDULE.after(0), None);
        assert_eq!(SCHEDULE.after(-1), None);
        assert_eq!(SCHEDULE.after(1), Some(time::Duration::seconds(5)));
        assert_eq!(SCHEDULE.after(2), Some(time::Duration::minutes(5)));
        assert_eq!(SCHEDULE.after(3), None);
        assert_eq!(SCHEDULE.attempts(), 3);
    }
}
