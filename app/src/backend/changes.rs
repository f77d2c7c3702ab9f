//! Announces environment changes to the event streams of this process (SPEC §7.1).
//!
//! Writing an environment announces `(user, version)` here at once and, on PostgreSQL, also
//! sends `NOTIFY vms_environment` in the same transaction, which the database delivers to
//! every server process at commit; each process's listener (`listen`) announces what it
//! hears here. A stream that hears of its user reads the stored version before telling its
//! client, so an announcement of a transaction that is rolled back, or not yet committed,
//! never reaches a client as a change that did not happen.

use std::sync::LazyLock;
use tokio::sync::broadcast;

/// The PostgreSQL channel environment changes are sent on.
pub const CHANNEL: &str = "vms_environment";

/// (user id, version) of every environment written in this process or, on PostgreSQL,
/// in any process on the same database.
static HUB: LazyLock<broadcast::Sender<(i64, i64)>> = LazyLock::new(|| broadcast::channel(4096).0);

pub fn announce(user: i64, version: i64) {
    // No receiver is fine: nobody is watching.
    let _ = HUB.send((user, version));
}

/// Wakes the event streams of `users` to check their sessions (whose end was just
/// committed): here at once and, on PostgreSQL, in every process. Version 0: no new version
/// to wait for.
pub async fn wake(db: &super::db::Db, users: &[i64]) {
    for &user in users {
        announce(user, 0);
        if db.backend == super::db::Backend::Postgres {
            let sent =
                sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload(user, 0)).execute(&db.pool).await;
            if let Err(e) = sent {
                // The stream's own re-check closes it a few seconds later.
                tracing::warn!(error = %e, "could not announce the end of a session");
            }
        }
    }
}

pub fn subscribe() -> broadcast::Receiver<(i64, i64)> {
    HUB.subscribe()
}

/// The payload of a notification: `"<user>:<version>"`.
pub fn payload(user: i64, version: i64) -> String {
    format!("{user}:{version}")
}

pub fn parse_payload(payload: &str) -> Option<(i64, i64)> {
    let (user, version) = payload.split_once(':')?;
    Some((user.parse().ok()?, version.parse().ok()?))
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
                            if let Some((user, version)) = parse_payload(n.payload()) {
                                announce(user, version);
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
        assert_eq!(parse_payload(&payload(42, 7)), Some((42, 7)));
        assert_eq!(parse_payload("42"), None);
        assert_eq!(parse_payload("a:1"), None);
    }
}
