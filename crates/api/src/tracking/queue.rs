//! The bounded click queue between the redirect and the click writer, and the writer.
//!
//! The redirect never waits for the database: it offers the click to the queue
//! ([`ClickQueue::offer`]) and redirects whatever happens; a full queue counts the click
//! as dropped. The writer takes what is waiting, waits up to the flush time for more
//! (up to [`MAX_BATCH`]), and stores the batch in one transaction through the engine's
//! `record_clicks`. A failed write is retried with backoff, the batch kept.
//! [`ClickQueue::drain`] (on SIGTERM, after the server stopped taking requests) closes the
//! queue and waits until the writer stored everything in it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use partnerly_engine::tracking::{ClickToStore, record_clicks};
use tokio::sync::{Mutex, Notify, mpsc};
use tokio::task::JoinHandle;

use crate::database::Database;
use crate::error::ApiError;

/// Most clicks stored in one transaction.
pub const MAX_BATCH: usize = 2_000;

/// What the queue has seen since the process started.
#[derive(Debug, Default)]
pub struct Counters {
    pub accepted: AtomicU64,
    pub dropped: AtomicU64,
    pub written: AtomicU64,
}

/// The sending side of the queue, shared by every request.
#[derive(Debug)]
pub struct ClickQueue {
    sender: mpsc::Sender<ClickToStore>,
    capacity: usize,
    pub counters: Arc<Counters>,
    closing: Arc<AtomicBool>,
    wake: Arc<Notify>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl ClickQueue {
    /// A queue of `capacity` clicks and its writer, started on the current runtime.
    pub fn start(database: Database, capacity: usize, flush: Duration) -> Self {
        let (sender, receiver) = mpsc::channel(capacity);
        let counters = Arc::new(Counters::default());
        let closing = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let writer = tokio::spawn(write_clicks(Writer {
            database,
            receiver,
            // A batch is never larger than the queue: at most twice the capacity waits
            // in memory (the queue and the batch being filled).
            batch_limit: capacity.min(MAX_BATCH),
            flush,
            counters: counters.clone(),
            closing: closing.clone(),
            wake: wake.clone(),
        }));
        Self {
            sender,
            capacity,
            counters,
            closing,
            wake,
            writer: Mutex::new(Some(writer)),
        }
    }

    /// Hands a click to the writer; `false` when the queue is full (counted as dropped).
    pub fn offer(&self, click: ClickToStore) -> bool {
        match self.sender.try_send(click) {
            Ok(()) => {
                self.counters.accepted.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(_) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Clicks waiting for the writer now.
    pub fn waiting(&self) -> usize {
        self.capacity - self.sender.capacity()
    }

    /// Stops taking clicks and waits until the writer stored every waiting one.
    pub async fn drain(&self) {
        self.closing.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        if let Some(writer) = self.writer.lock().await.take()
            && let Err(e) = writer.await
        {
            tracing::error!(error = %e, "the click writer stopped abnormally");
        }
    }
}

struct Writer {
    database: Database,
    receiver: mpsc::Receiver<ClickToStore>,
    batch_limit: usize,
    flush: Duration,
    counters: Arc<Counters>,
    closing: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

impl Writer {
    /// Waits for the flush time (or the drain) while the batch is not full.
    async fn fill(&mut self, batch: &mut Vec<ClickToStore>) {
        let deadline = tokio::time::Instant::now() + self.flush;
        while batch.len() < self.batch_limit && !self.closing.load(Ordering::SeqCst) {
            let room = self.batch_limit - batch.len();
            tokio::select! {
                received = self.receiver.recv_many(batch, room) => {
                    if received == 0 {
                        return;
                    }
                }
                () = tokio::time::sleep_until(deadline) => return,
                () = self.wake.notified() => {}
            }
        }
        // Draining: take what is there without waiting.
        while batch.len() < self.batch_limit {
            match self.receiver.try_recv() {
                Ok(click) => batch.push(click),
                Err(_) => return,
            }
        }
    }

    /// Stores a batch, retrying with backoff until it is stored.
    async fn store(&self, batch: Vec<ClickToStore>) {
        let batch = Arc::new(batch);
        // 100 ms, doubling, at most 30 s: the batch is kept until the database is back.
        let mut wait = Duration::from_millis(100);
        loop {
            let clicks = batch.clone();
            let result = self
                .database
                .write(move |conn| Ok::<_, ApiError>(record_clicks(conn, &clicks)?))
                .await;
            match result {
                Ok(recorded) => {
                    self.counters
                        .written
                        .fetch_add(recorded.clicks as u64, Ordering::Relaxed);
                    return;
                }
                Err(e) => {
                    tracing::warn!(
                        error = %e.chain(),
                        clicks = batch.len(),
                        retry_in_ms = wait.as_millis() as u64,
                        "storing clicks failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}

async fn write_clicks(mut writer: Writer) {
    let limit = writer.batch_limit;
    let mut batch = Vec::with_capacity(limit);
    loop {
        if writer.closing.load(Ordering::SeqCst) {
            // Refuse new clicks; what is queued is still received below.
            writer.receiver.close();
        }
        tokio::select! {
            received = writer.receiver.recv_many(&mut batch, limit) => {
                if received == 0 {
                    // Closed and empty: every click is stored.
                    return;
                }
            }
            () = writer.wake.notified() => continue,
        }
        writer.fill(&mut batch).await;
        let full = std::mem::replace(&mut batch, Vec::with_capacity(limit));
        writer.store(full).await;
    }
}
