//! Slows down guessing at sign-in. An attempt is counted before its password is checked
//! (compare-and-set on the row), so parallel guesses cannot slip past the count. Three
//! counts: a login at one client address (guessing one login waits long), a client address
//! over all logins (guessing many logins waits long), and a login over all addresses (a
//! spread-out guess at one login waits, but briefly, and only after many attempts: a
//! stranger cannot lock a real administrator out for long, and not at all from one address).

use super::db::Db;
use crate::error::AppError;

pub struct Policy {
    /// Attempts allowed before waiting is imposed.
    pub free: i64,
    /// The longest wait imposed after one attempt.
    pub max_wait_ms: i64,
}

/// A login at one client address: 5 free attempts, then 1 s, 2 s, 4 s … up to 15 min.
pub const LOGIN_AT_ADDRESS: Policy = Policy { free: 5, max_wait_ms: 15 * 60_000 };
/// A client address over all logins: 20 free attempts (an office behind one address), then
/// up to 15 min.
pub const ADDRESS: Policy = Policy { free: 20, max_wait_ms: 15 * 60_000 };
/// A login over all addresses: 50 free attempts, then at most a minute.
pub const LOGIN: Policy = Policy { free: 50, max_wait_ms: 60_000 };
/// Attempts older than this are forgotten.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// The wait imposed after the `attempts`-th attempt.
pub fn wait_after(p: &Policy, attempts: i64) -> i64 {
    if attempts < p.free {
        return 0;
    }
    let exp = (attempts - p.free).min(20) as u32;
    (1_000i64 << exp).min(p.max_wait_ms)
}

pub fn refused(wait_ms: i64) -> AppError {
    let seconds = (wait_ms + 999) / 1000;
    let message = crate::lang::td_string!(crate::lang::current(), common.sign_in_wait, seconds = seconds);
    AppError::TooManyAttempts(message.to_string())
}

/// Counts one attempt for `key`: `Ok(Ok(attempts))` with the attempts counted in the window
/// so far (this one included), `Ok(Err(wait_ms))` while the key must wait.
pub async fn claim(db: &Db, key: &str, p: &Policy, now: i64) -> Result<Result<i64, i64>, AppError> {
    for _ in 0..8 {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT attempts, last_attempt_at, blocked_until FROM sign_in_throttle WHERE throttle_key = $1",
        )
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
        let (counted, done) = match row {
            None => (
                1,
                sqlx::query(
                    "INSERT INTO sign_in_throttle (throttle_key, attempts, last_attempt_at, blocked_until) \
                 VALUES ($1, 1, $2, $3) ON CONFLICT (throttle_key) DO NOTHING",
                )
                .bind(key)
                .bind(now)
                .bind(now + wait_after(p, 1))
                .execute(&db.pool)
                .await?
                .rows_affected(),
            ),
            Some((_, _, blocked_until)) if blocked_until > now => return Ok(Err(blocked_until - now)),
            Some((attempts, last, _)) => {
                let counted = if now - last > WINDOW_MS { 1 } else { attempts + 1 };
                // Only if nobody counted an attempt since we read the row.
                let done = sqlx::query(
                    "UPDATE sign_in_throttle SET attempts = $1, last_attempt_at = $2, blocked_until = $3 \
                     WHERE throttle_key = $4 AND attempts = $5 AND last_attempt_at = $6",
                )
                .bind(counted)
                .bind(now)
                .bind(now + wait_after(p, counted))
                .bind(key)
                .bind(attempts)
                .bind(last)
                .execute(&db.pool)
                .await?
                .rows_affected();
                (counted, done)
            }
        };
        if done == 1 {
            return Ok(Ok(counted));
        }
    }
    // Many attempts racing on one key: treat as too many.
    Ok(Err(1_000))
}

/// A successful sign-in: its login starts afresh (`login_keys`); its address gets its
/// attempt back.
pub async fn succeeded(db: &Db, login_keys: &[&str], address_key: Option<&str>) -> Result<(), AppError> {
    for key in login_keys {
        sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1").bind(key).execute(&db.pool).await?;
    }
    if let Some(key) = address_key {
        sqlx::query(
            "UPDATE sign_in_throttle SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END \
             WHERE throttle_key = $1",
        )
        .bind(key)
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_free_attempts_up_to_their_cap() {
        assert_eq!(wait_after(&LOGIN_AT_ADDRESS, 4), 0);
        assert_eq!(wait_after(&LOGIN_AT_ADDRESS, 5), 1_000);
        assert_eq!(wait_after(&LOGIN_AT_ADDRESS, 6), 2_000);
        assert_eq!(wait_after(&LOGIN, 49), 0);
        assert_eq!(wait_after(&LOGIN, 100), 60_000, "a login waits a minute at most");
        assert_eq!(wait_after(&ADDRESS, 19), 0);
        assert_eq!(wait_after(&ADDRESS, 1_000), 15 * 60_000);
    }
}
