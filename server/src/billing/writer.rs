//! Group commit on SQLite: one task applies the billing requests that arrive together in a
//! single transaction, each in a savepoint of its own, and answers them once it has
//! committed.
//!
//! SQLite admits one writer at a time; letting every request open its own transaction
//! makes them queue in SQLite's busy handler, which sleeps and retries. Here they queue in
//! a channel instead, and a commit is paid once per batch instead of once per request. A
//! request's answer is sent only after its batch committed, so an answer never reports an
//! effect that a failed commit took back.
//!
//! PostgreSQL locks rows, not the database: there each request runs in its own transaction
//! side by side with the others (measured faster than one serial writer), which also keeps
//! several server processes on one database free of cross-process batch deadlocks.

use super::{alone, answer, apply_one, Done, Prepared};
use crate::api_error::ApiError;
use app::server::db::{Backend, Db};
use axum::http::StatusCode;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Most requests committed together; bounds the time a batch holds the write lock.
const MAX_BATCH: usize = 128;
/// Requests waiting beyond this make callers wait before queueing (backpressure).
const QUEUE: usize = 4096;

type Answer = Result<(StatusCode, Value), ApiError>;

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<Answer>,
}

/// The handle requests are submitted through; cloning shares the one writer task.
#[derive(Clone)]
pub struct Writer {
    db: Db,
    /// The SQLite writer task's queue; `None` on PostgreSQL.
    queue: Option<mpsc::Sender<Job>>,
}

impl Writer {
    /// Starts the writer task (SQLite); it ends when the last handle is dropped.
    pub fn start(db: Db) -> Self {
        let queue = (db.backend == Backend::Sqlite).then(|| {
            let (queue, jobs) = mpsc::channel(QUEUE);
            tokio::spawn(run(db.clone(), jobs));
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

async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcomes = commit(&db, &batch).await;
        for (job, outcome) in batch.drain(..).zip(outcomes) {
            match outcome {
                Ok(Done::Replay) => {
                    // Reading the stored answer must not hold up the next batch.
                    let pool = db.pool.clone();
                    tokio::spawn(async move {
                        let _ = job.reply.send(answer(&pool, &job.prepared, Done::Replay).await);
                    });
                }
                Ok(Done::Answer(status, body)) => {
                    let _ = job.reply.send(Ok((status, body)));
                }
                Err(e) => {
                    let _ = job.reply.send(Err(e));
                }
            }
        }
    }
}

/// Applies the batch in one transaction. A request that fails on its own is rolled back
/// to its savepoint and answered with its error; if the commit itself fails, every
/// request of the batch gets an error and nothing of it stays.
async fn commit(db: &Db, batch: &[Job]) -> Vec<Result<Done, ApiError>> {
    let attempt = async {
        let mut tx = db.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for job in batch {
            outcomes.push(apply_one(&mut tx, &job.prepared).await);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(outcomes)
    };
    match attempt.await {
        Ok(outcomes) => outcomes,
        Err(e) => {
            tracing::error!(error = %e, requests = batch.len(), "billing batch failed to commit");
            batch.iter().map(|_| Err(ApiError::internal())).collect()
        }
    }
}
