//! Caps on what one process gives at once: open event streams (in all and per session) and
//! sign-ins checking passwords (a few at a time, a short queue, then refused).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Counts open event streams; a slot is given back when its guard drops (the stream ends).
#[derive(Clone)]
pub struct StreamSlots(Arc<Slots>);

struct Slots {
    max_total: usize,
    max_per_session: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    sessions: HashMap<String, usize>,
    accounts: HashMap<i64, usize>,
}

/// An account (its user and sub-users, over all their sessions) may hold this many times
/// a session's streams.
const SESSIONS_PER_ACCOUNT: usize = 4;

/// Why no slot was given.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    Session,
    Account,
    Server,
}

pub struct StreamSlot {
    slots: Arc<Slots>,
    session: String,
    account: i64,
}

impl StreamSlots {
    pub fn new(max_total: usize, max_per_session: usize) -> Self {
        Self(Arc::new(Slots { max_total, max_per_session, open: Mutex::new(Open::default()) }))
    }

    /// A slot for one more stream of `session` (a token hash) of `account`, unless a cap is
    /// reached.
    pub fn take(&self, session: &str, account: i64) -> Result<StreamSlot, Full> {
        let mut open = self.0.open.lock().unwrap_or_else(PoisonError::into_inner);
        let in_session = open.sessions.get(session).copied().unwrap_or(0);
        let in_account = open.accounts.get(&account).copied().unwrap_or(0);
        if in_session >= self.0.max_per_session {
            return Err(Full::Session);
        }
        if in_account >= self.0.max_per_session * SESSIONS_PER_ACCOUNT {
            return Err(Full::Account);
        }
        if open.total >= self.0.max_total {
            return Err(Full::Server);
        }
        open.total += 1;
        open.sessions.insert(session.to_string(), in_session + 1);
        open.accounts.insert(account, in_account + 1);
        Ok(StreamSlot { slots: self.0.clone(), session: session.to_string(), account })
    }

    pub fn open(&self) -> usize {
        self.0.open.lock().unwrap_or_else(PoisonError::into_inner).total
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.sessions.get_mut(&self.session) {
            *n -= 1;
            if *n == 0 {
                open.sessions.remove(&self.session);
            }
        }
        if let Some(n) = open.accounts.get_mut(&self.account) {
            *n -= 1;
            if *n == 0 {
                open.accounts.remove(&self.account);
            }
        }
    }
}

/// Sign-ins check passwords a few at a time; a few more may wait; the rest are refused at
/// once, so that a flood of sign-ins (known logins or not, each costs an argon2 hash) can
/// neither take every core nor pile up waiting.
#[derive(Clone)]
pub struct SignInGate(Arc<Gate>);

struct Gate {
    hashing: Arc<Semaphore>,
    /// Waiting now: clients with few recent attempts, and the others.
    waiting: [AtomicUsize; 2],
    max_waiting: usize,
    /// Throttle keys known to wait, until when (ms): their attempts are refused without a
    /// trip to the database. The database stays the record (and is shared by processes).
    refused: Mutex<HashMap<String, i64>>,
}

impl SignInGate {
    pub fn new(at_once: usize, max_waiting: usize) -> Self {
        Self(Arc::new(Gate {
            hashing: Arc::new(Semaphore::new(at_once.max(1))),
            waiting: [AtomicUsize::new(0), AtomicUsize::new(0)],
            max_waiting,
            refused: Mutex::new(HashMap::new()),
        }))
    }

    /// Until when `key` is known to wait, if it is at `now`.
    pub fn known_wait(&self, key: &str, now: i64) -> Option<i64> {
        self.0.refused.lock().unwrap_or_else(PoisonError::into_inner).get(key).copied().filter(|until| *until > now)
    }

    /// Remembers that `key` waits until `until`; forgets past waits once many are kept.
    pub fn remember_wait(&self, key: &str, until: i64, now: i64) {
        let mut refused = self.0.refused.lock().unwrap_or_else(PoisonError::into_inner);
        if refused.len() >= 10_000 {
            refused.retain(|_, u| *u > now);
        }
        refused.insert(key.to_string(), until);
    }

    /// A turn to check a password, or `None` when its queue is full. `quiet`: a client with
    /// few recent attempts, which queues apart from the rest.
    pub async fn enter(&self, quiet: bool) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = self.0.hashing.clone().try_acquire_owned() {
            return Some(permit);
        }
        let waiting = &self.0.waiting[usize::from(quiet)];
        let queued = waiting.fetch_add(1, Ordering::AcqRel);
        let permit = if queued < self.0.max_waiting { self.0.hashing.clone().acquire_owned().await.ok() } else { None };
        waiting.fetch_sub(1, Ordering::AcqRel);
        permit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_slots_cap_each_session_account_and_the_total_and_come_back() {
        let slots = StreamSlots::new(3, 2);
        let a1 = slots.take("a", 1).unwrap();
        let _a2 = slots.take("a", 1).unwrap();
        assert_eq!(slots.take("a", 1).err(), Some(Full::Session));
        let _b1 = slots.take("b", 2).unwrap();
        assert_eq!(slots.take("c", 3).err(), Some(Full::Server));
        drop(a1);
        assert_eq!(slots.open(), 2);
        assert!(slots.take("c", 3).is_ok());
        // One account over many sessions.
        let slots = StreamSlots::new(100, 1);
        let held: Vec<_> = (0..SESSIONS_PER_ACCOUNT).map(|i| slots.take(&format!("s{i}"), 7).unwrap()).collect();
        assert_eq!(slots.take("another", 7).err(), Some(Full::Account));
        assert!(slots.take("another", 8).is_ok());
        drop(held);
    }

    #[tokio::test]
    async fn the_gate_queues_a_few_then_refuses_with_a_queue_for_quiet_clients() {
        let gate = SignInGate::new(1, 1);
        let first = gate.enter(false).await.expect("a free turn");
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter(false).await.is_some() })
        };
        while gate.0.waiting[0].load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(gate.enter(false).await.is_none(), "the queue is full");
        let quiet = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter(true).await.is_some() })
        };
        while gate.0.waiting[1].load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        drop(first);
        assert!(waiter.await.unwrap(), "the one waiting gets its turn");
        assert!(quiet.await.unwrap(), "a quiet client has a place of its own");
    }
}
