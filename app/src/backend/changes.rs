//! Announces environment changes to the event streams of this process (SPEC §7.1).
//!
//! Writing an environment announces `(user, version)` here at once and, on PostgreSQL,
//! queues it for this process's notifier (`notify`), which sends what has queued up as
//! `NOTIFY vms_environment` in one small transaction of its own; the database delivers it
//! to every server process, whose listener (`listen`) announces what it hears here. The
//! changes' own transactions send no NOTIFY: PostgreSQL commits transactions that notify
//! one at a time (under one lock, with the commit's flush), which halved the rate of
//! concurrent billing requests. A stream that hears of its user reads the stored version
//! before telling its client (and waits a moment for a version still committing), so an
//! announcement of a transaction that is rolled back never reaches a client as a change
//! that did not happen; one lost with a process that died is caught by the streams'
//! periodic re-read.

use std::sync::{LazyLock, OnceLock};
use tokio::sync::{broadcast, mpsc};

/// The PostgreSQL channel environment changes are sent on.
pub const CHANNEL: &str = "vms_environment";

/// (user id, version) of every environment written in this process or, on PostgreSQL,
/// in any process on the same database.
static HUB: LazyLock<broadcast::Sender<(i64, i64)>> = LazyLock::new(|| broadcast::channel(4096).0);

/// Announcements on their way to the other server processes (PostgreSQL), when this
/// process runs a notifier.
static OUTBOX: OnceLock<mpsc::UnboundedSender<(i64, i64)>> = OnceLock::new();

pub fn announce(user: i64, version: i64) {
    // No receiver is fine: nobody is watching.
    let _ = HUB.send((user, version));
    if let Some(outbox) = OUTBOX.get() {
        let _ = outbox.send((user, version));
    }
}

/// Wakes the event streams of `users` to check their sessions (whose end was just
/// committed), in every process. Version 0: no new version to wait for.
pub fn wake(users: &[i64]) {
    for &user in users {
        announce(user, 0);
    }
}

pub fn subscribe() -> broadcast::Receiver<(i64, i64)> {
    HUB.subscribe()
}

/// Most bytes of one notification's payload (PostgreSQL takes up to 8,000).
const PAYLOAD_BYTES: usize = 7_000;

/// The payloads of notifications carrying `changes`: `"<user>:<version>"` each, separated
/// by spaces, as many to a payload as fit.
pub fn payloads(changes: &[(i64, i64)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (user, version) in changes {
        let one = format!("{user}:{version}");
        match out.last_mut() {
            Some(last) if last.len() + 1 + one.len() <= PAYLOAD_BYTES => {
                last.push(' ');
                last.push_str(&one);
            }
            _ => out.push(one),
        }
    }
    out
}

/// The changes a payload carries; junk is skipped.
pub fn parse_payload(payload: &str) -> impl Iterator<Item = (i64, i64)> + '_ {
    payload.split_ascii_whitespace().filter_map(|pair| {
        let (user, version) = pair.split_once(':')?;
        Some((user.parse().ok()?, version.parse().ok()?))
    })
}

/// Most announcements sent in one transaction.
const NOTIFY_BATCH: usize = 4_096;

/// Sends this process's announcements to every server process on the PostgreSQL database
/// at `url`: whatever has queued since the last send goes out in one statement (one
/// transaction), so notifying costs a commit per batch, not one per change. Announcements
/// that cannot be sent (the database unreachable) are dropped after a warning; the streams'
/// periodic re-read catches up with them.
pub async fn notify(url: String) {
    use sqlx::Connection as _;
    let (outbox, mut queued) = mpsc::unbounded_channel();
    if OUTBOX.set(outbox).is_err() {
        return; // One notifier a process.
    }
    let mut conn: Option<sqlx_postgres::PgConnection> = None;
    let mut batch = Vec::with_capacity(NOTIFY_BATCH);
    while let Some(change) = queued.recv().await {
        batch.push(change);
        while batch.len() < NOTIFY_BATCH {
            match queued.try_recv() {
                Ok(change) => batch.push(change),
                Err(_) => break,
            }
        }
        let sent = async {
            if conn.is_none() {
                conn = Some(sqlx_postgres::PgConnection::connect(&url).await?);
            }
            let c = conn.as_mut().expect("connected just now");
            sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
                .bind(CHANNEL)
                .bind(payloads(&batch))
                .execute(c)
                .await
        };
        if let Err(e) = sent.await {
            tracing::warn!(error = %e, changes = batch.len(), "environment changes could not be announced to other processes");
            conn = None;
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        batch.clear();
    }
}

/// Listens on PostgreSQL for changes made by every server process and announces them
/// here; reconnects after a lost connection (streams re-read their versions meanwhile).
pub async fn listen(url: String) {
    loop {
        match sqlx_postgres::PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => loop {
                    match listener.recv().await {
                        Ok(n) => {
                            for (user, version) in parse_payload(n.payload()) {
                                // Heard from the database: not sent back to it.
                                let _ = HUB.send((user, version));
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "environment listener lost its connection");
                            break;
                        }
                    }
                },
                Err(e) => tracing::warn!(error = %e, "LISTEN {CHANNEL} failed"),
            },
            Err(e) => tracing::warn!(error = %e, "environment listener cannot connect"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_junk_is_ignored() {
        assert_eq!(parse_payload(&payloads(&[(42, 7)])[0]).collect::<Vec<_>>(), [(42, 7)]);
        assert_eq!(parse_payload("42 a:1 3:4").collect::<Vec<_>>(), [(3, 4)]);
    }

    #[test]
    fn many_changes_fill_payloads_postgresql_accepts() {
        let changes: Vec<(i64, i64)> = (0..5_000).map(|u| (1_000_000_000 + u, u)).collect();
        let sent = payloads(&changes);
        assert!(sent.len() > 1);
        assert!(sent.iter().all(|p| p.len() <= PAYLOAD_BYTES));
        assert_eq!(sent.iter().flat_map(|p| parse_payload(p)).collect::<Vec<_>>(), changes);
        assert!(payloads(&[]).is_empty());
    }
}
