//! Administrator sessions, stored in the database so they survive restarts and are shared
//! by every server process.

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

pub fn set_cookie(name: &str, value: &str, max_age_s: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub async fn create_admin_session(db: &Db, admin_id: i64, now: i64) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO admin_sessions (token_hash, admin_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(admin_id)
    .bind(now)
    .bind(now + IDLE_MS)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// The administrator id of a live session, extending it when used.
pub async fn admin_session(db: &Db, token: &str, now: i64) -> Result<Option<i64>, AppError> {
    let hash = hash_token(token);
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT s.admin_id, s.last_seen_at, s.expires_at FROM admin_sessions s \
         JOIN administrators a ON a.id = s.admin_id \
         WHERE s.token_hash = $1 AND a.disabled_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((admin_id, last_seen, expires)) = row else {
        return Ok(None);
    };
    if expires <= now {
        end_admin_session(db, token).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE admin_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(now + IDLE_MS)
            .bind(&hash)
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(admin_id))
}

pub async fn end_admin_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1").bind(hash_token(token)).execute(&db.pool).await?;
    Ok(())
}
