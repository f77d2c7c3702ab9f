//! Group commit on SQLite: one thread applies the billing requests that arrive together in
//! a single transaction, each in a savepoint of its own, and answers them once it has
//! committed.
//!
//! SQLite admits one writer at a time; letting every request open its own transaction
//! makes them queue in SQLite's busy handler, which sleeps and retries. Here they queue in
//! a channel instead, and a commit is paid once per batch instead of once per request. The
//! thread has its own connection and runs the statements itself (`Lite`): through the
//! pool, each statement would be a round trip to the connection's worker thread, and those
//! hand-offs, not SQLite, were what limited the throughput. A request's answer is sent only
//! after its batch committed, so an answer never reports an effect that a failed commit
//! took back. Checkpoints (copying the write-ahead log into the database file, with its
//! fsyncs) run in a second thread, so that the writer never stalls on them.
//!
//! PostgreSQL locks rows, not the database: there each request runs in its own transaction
//! side by side with the others (measured faster than one serial writer), which also keeps
//! several server processes on one database free of cross-process batch deadlocks.

use super::{alone, apply_one, record_refusal, replay, Done, Prepared};
use crate::api_error::ApiError;
use app::backend::db::Db;
use app::backend::exec::{Exec, Lite};
use axum::http::StatusCode;
use futures::executor::block_on;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Most requests committed together; bounds the time a batch holds the write lock.
const MAX_BATCH: usize = 256;
/// Requests waiting beyond this make callers wait before queueing (backpressure).
const QUEUE: usize = 4096;

type Answer = Result<(StatusCode, Value), ApiError>;

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<Answer>,
}

/// The handle requests are submitted through; cloning shares the one writer thread.
#[derive(Clone)]
pub struct Writer {
    db: Db,
    /// The SQLite writer thread's queue; `None` on PostgreSQL.
    queue: Option<mpsc::Sender<Job>>,
}

impl Writer {
    /// Starts the writer thread (SQLite); it ends when the last handle is dropped.
    pub fn start(db: Db) -> Self {
        let queue = db.sqlite_path.clone().map(|path| {
            let (queue, jobs) = mpsc::channel(QUEUE);
            let (committed, commits) = std::sync::mpsc::sync_channel(1);
            let checkpoint_path = path.clone();
            let gate = db.write_gate.clone();
            std::thread::Builder::new()
                .name("billing-writer".into())
                .spawn(move || run(&path, jobs, committed, &gate))
                .expect("the billing writer thread starts");
            std::thread::Builder::new()
                .name("billing-checkpoint".into())
                .spawn(move || checkpoint(&checkpoint_path, commits))
                .expect("the checkpoint thread starts");
            queue
        });
        Self { db, queue }
    }

    /// Applies the request and answers once it is durable (or refused).
    pub async fn submit(&self, prepared: Prepared) -> Answer {
        let Some(queue) = &self.queue else {
            return alone(&self.db.pool, &prepared).await;
        };
        let (reply, answer) = oneshot::channel();
        queue.send(Job { prepared, reply }).await.map_err(|_| ApiError::internal())?;
        answer.await.map_err(|_| ApiError::internal())?
    }
}

fn run(
    path: &str,
    mut jobs: mpsc::Receiver<Job>,
    committed: std::sync::mpsc::SyncSender<()>,
    gate: &tokio::sync::Mutex<()>,
) {
    let opened = Lite::open(path).and_then(|mut lite| {
        // The checkpoint thread copies the log into the database instead.
        lite.batch("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864")?;
        Ok(lite)
    });
    let mut lite = match opened {
        Ok(lite) => lite,
        Err(e) => {
            // Dropping the queue makes every submission answer 500.
            tracing::error!(error = %e, "the billing writer cannot open the database");
            return;
        }
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = jobs.blocking_recv() {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Pool writes queued at the gate (sign-ins) go between two batches.
        let outcomes = {
            let _turn = gate.blocking_lock();
            commit(&mut lite, &batch)
        };
        // A full channel means a checkpoint is already due.
        let _ = committed.try_send(());
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            let answer = match outcome {
                Ok(Done::Answer(status, body)) => Ok((status, body)),
                // The first request with this id is committed by now, in this batch or before.
                Ok(Done::Replay) => block_on(replay(&mut lite, &job.prepared)),
                Ok(Done::Refused(_)) => unreachable!("recorded by record_refusal"),
                Err(e) => Err(e),
            };
            let _ = job.reply.send(answer);
        }
    }
}

/// Applies the batch in one transaction. A request that fails on its own is rolled back
/// to its savepoint and answered with its error; if the commit itself fails, every
/// request of the batch gets an error and nothing of it stays.
fn commit(lite: &mut Lite, batch: &[Job]) -> Vec<Result<Done, ApiError>> {
    let mut attempt = || {
        lite.batch("BEGIN IMMEDIATE")?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for job in batch {
            block_on(lite.run("SAVEPOINT billing_request", vec![]))?;
            let outcome = match block_on(apply_one(lite, &job.prepared)) {
                // Nothing of the effect stays; the event alone records the refusal.
                Ok(Done::Refused(rejection)) => {
                    block_on(lite.run("ROLLBACK TO billing_request", vec![]))?;
                    block_on(record_refusal(lite, &job.prepared, rejection))
                }
                other => other,
            };
            if !matches!(outcome, Ok(Done::Answer(..))) {
                block_on(lite.run("ROLLBACK TO billing_request", vec![]))?;
            }
            block_on(lite.run("RELEASE billing_request", vec![]))?;
            outcomes.push(outcome);
        }
        lite.batch("COMMIT")?;
        Ok::<_, sqlx::Error>(outcomes)
    };
    match attempt() {
        Ok(outcomes) => outcomes,
        Err(e) => {
            tracing::error!(error = %e, requests = batch.len(), "billing batch failed to commit");
            let _ = lite.batch("ROLLBACK");
            batch.iter().map(|_| Err(ApiError::internal())).collect()
        }
    }
}

/// Most often the checkpoint thread copies the log into the database while requests flow.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// Log pages (4 KiB each) beyond which the log is started over: a passive checkpoint
/// copies the log while the writer appends to it, so it never catches up with a busy
/// writer on its own.
const RESTART_PAGES: i64 = 16_384;

/// Checkpoints the log after commits, at most every `CHECKPOINT_EVERY`, without blocking
/// the writer (PASSIVE). When the log has grown past `RESTART_PAGES`, a RESTART checkpoint
/// holds the writer back for the few pages the passive ones left, so that the log starts
/// over (the writer's `journal_size_limit` then trims the file). Ends with the writer.
fn checkpoint(path: &str, commits: std::sync::mpsc::Receiver<()>) {
    let mut lite = match Lite::open(path) {
        Ok(lite) => lite,
        Err(e) => {
            tracing::error!(error = %e, "the checkpoint thread cannot open the database");
            return;
        }
    };
    while commits.recv().is_ok() {
        let passive = block_on(lite.one::<(i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)", vec![]));
        let restart = match passive {
            Ok((_, log_pages, _)) if log_pages > RESTART_PAGES => {
                block_on(lite.one::<(i64, i64, i64)>("PRAGMA wal_checkpoint(RESTART)", vec![])).map(|_| ())
            }
            other => other.map(|_| ()),
        };
        if let Err(e) = restart {
            tracing::warn!(error = %e, "checkpoint failed");
        }
        std::thread::sleep(CHECKPOINT_EVERY);
    }
    let _ = lite.batch("PRAGMA wal_checkpoint(PASSIVE)");
}
