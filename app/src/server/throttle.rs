//! Slows down repeated failed sign-ins for one login (administrators and users alike).

use super::db::Db;
use crate::error::AppError;

/// Failures allowed before waiting is imposed.
const FREE_FAILURES: i64 = 5;
const MAX_WAIT_MS: i64 = 5 * 60_000;

/// How long the login must wait after `failures` failures, the last at `last_ms`.
pub fn wait_ms(failures: i64, last_ms: i64, now_ms: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let exp = (failures - FREE_FAILURES).min(10) as u32;
    let wait = (1_000i64 << exp).min(MAX_WAIT_MS);
    (last_ms + wait - now_ms).max(0)
}

pub async fn check(db: &Db, realm: &str, login: &str, now: i64) -> Result<(), AppError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, last_failure_at FROM login_throttle WHERE realm = $1 AND login = $2")
            .bind(realm)
            .bind(login.to_lowercase())
            .fetch_optional(&db.pool)
            .await?;
    match row.map(|(f, at)| wait_ms(f, at, now)) {
        Some(wait) if wait > 0 => {
            Err(AppError::TooManyAttempts(format!("Too many failed attempts. Try again in {} s.", (wait + 999) / 1000)))
        }
        _ => Ok(()),
    }
}

pub async fn record_failure(db: &Db, realm: &str, login: &str, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO login_throttle (realm, login, failures, last_failure_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (realm, login) DO UPDATE SET failures = login_throttle.failures + 1, \
         last_failure_at = excluded.last_failure_at",
    )
    .bind(realm)
    .bind(login.to_lowercase())
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn clear(db: &Db, realm: &str, login: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_throttle WHERE realm = $1 AND login = $2")
        .bind(realm)
        .bind(login.to_lowercase())
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::wait_ms;

    #[test]
    fn waits_grow_after_free_failures() {
        assert_eq!(wait_ms(4, 0, 0), 0);
        assert_eq!(wait_ms(5, 0, 0), 1_000);
        assert_eq!(wait_ms(6, 0, 500), 1_500);
        assert_eq!(wait_ms(7, 0, 10_000), 0);
        assert_eq!(wait_ms(100, 0, 0), 5 * 60_000);
    }
}
