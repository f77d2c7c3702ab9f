//! Administrator sessions, stored in the database so they survive restarts and are shared
//! by every server process. A session ends after `IDLE_MS` without use, and at the latest
//! `Config::admin_session_max_ms` after sign-in however busy it is.

use super::db::Db;
use super::token::{hash_token, new_token};
use crate::domain::time::{HOUR_MS, MINUTE_MS};
use crate::error::AppError;
use http::HeaderMap;

pub const ADMIN_COOKIE: &str = "vms_admin";
/// A session ends after this long without use.
pub const IDLE_MS: i64 = 12 * HOUR_MS;
/// `last_seen_at` is written at most this often, to keep reads cheap.
pub const TOUCH_EVERY_MS: i64 = 5 * MINUTE_MS;

/// When a session used at `now` expires: `IDLE_MS` on, but never past `created + max_ms`.
pub fn expiry(created: i64, now: i64, max_ms: i64) -> i64 {
    (now + IDLE_MS).min(created + max_ms)
}

/// The value of a cookie in the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_ms: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        max_age_ms.max(0) / 1000,
        if secure { "; Secure" } else { "" }
    )
}

/// Whether the current server function was called by a plain HTML form post (the page's
/// script had not loaded yet): the browser then follows a redirect, not an answer.
pub fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// Adds a `Set-Cookie` to the response of the current server function.
pub fn send_cookie(cookie: &str) {
    if let (Some(res), Ok(v)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(cookie))
    {
        res.append_header(http::header::SET_COOKIE, v);
    }
}

pub async fn create_admin_session(db: &Db, admin_id: i64, now: i64, max_ms: i64) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO admin_sessions (token_hash, admin_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(admin_id)
    .bind(now)
    .bind(expiry(now, now, max_ms))
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// The administrator id of a live session (its administrator not disabled), extending it
/// when used.
pub async fn admin_session(db: &Db, token: &str, now: i64, max_ms: i64) -> Result<Option<i64>, AppError> {
    let hash = hash_token(token);
    let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.admin_id, s.created_at, s.last_seen_at, s.expires_at FROM admin_sessions s \
         JOIN administrators a ON a.id = s.admin_id \
         WHERE s.token_hash = $1 AND a.disabled_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((admin_id, created, last_seen, expires)) = row else {
        return Ok(None);
    };
    if expires <= now || created + max_ms <= now {
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE admin_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(expiry(created, now, max_ms))
            .bind(&hash)
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(admin_id))
}

/// Ends an administrator session and the Log in as User sessions it started.
pub async fn end_admin_session(db: &Db, token: &str, now: i64) -> Result<(), AppError> {
    let hash = hash_token(token);
    let mut tx = db.pool.begin().await?;
    let ended =
        super::client::end_impersonations(&mut tx, super::client::Started::BySession(&hash), "sign_out", now).await?;
    sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1").bind(&hash).execute(&mut *tx).await?;
    tx.commit().await?;
    super::changes::wake(&ended);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_slide_until_their_absolute_end() {
        let max = 24 * HOUR_MS;
        assert_eq!(expiry(0, 0, max), IDLE_MS);
        assert_eq!(expiry(0, 20 * HOUR_MS, max), max, "never past created + max");
        assert_eq!(expiry(0, 0, HOUR_MS), HOUR_MS);
        assert_eq!(set_cookie("a", "b", 90_500, true), "a=b; Path=/; HttpOnly; SameSite=Lax; Max-Age=90; Secure");
    }
}
