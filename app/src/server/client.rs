//! Sessions of users and sub-users (the web client and the client API): opened with a
//! login and password or by an administrator's single-use impersonation token.

use super::auth::{cookie, IDLE_MS, TOUCH_EVERY_MS};
use super::db::Db;
use super::password;
use super::throttle;
use super::token::{hash_token, new_token};
use crate::error::AppError;

/// The web client's session cookie.
pub const USER_COOKIE: &str = "vms_user";
/// How long an impersonation link stays valid.
pub const IMPERSONATION_TTL_MS: i64 = 60_000;

/// The signed-in user or sub-user of a client request.
#[derive(Clone, Debug)]
pub struct ClientUser {
    pub id: i64,
    pub login: String,
    /// The billing user whose licences and status apply (itself, or the parent).
    pub account: i64,
    pub is_sub_user: bool,
    /// The account's status: `active` or `paused`.
    pub status: String,
    /// The administrator acting as this user, when impersonating.
    pub impersonator: Option<(i64, String)>,
}

/// Checks credentials (slowed down per login) and opens a session; a deleted account is
/// refused like a wrong password.
pub async fn open_session(db: &Db, login: &str, password: String, now: i64) -> Result<String, AppError> {
    throttle::check(db, "user", login, now).await?;
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE LOWER(login) = LOWER($1) AND deleted_at IS NULL")
            .bind(login)
            .fetch_optional(&db.pool)
            .await?;
    let ok = password::verify(password, row.as_ref().map(|(_, h)| h.clone())).await;
    let Some((user, _)) = row.filter(|_| ok) else {
        throttle::record_failure(db, "user", login, now).await?;
        return Err(AppError::Unauthorized);
    };
    throttle::clear(db, "user", login).await?;
    create_session(db, user, None, now).await
}

pub async fn create_session(db: &Db, user: i64, impersonator: Option<i64>, now: i64) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO user_sessions (token_hash, user_id, impersonator_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(user)
    .bind(impersonator)
    .bind(now)
    .bind(now + IDLE_MS)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// The user of a live session token, extending the session.
pub async fn session_user(db: &Db, token: &str, now: i64) -> Result<Option<ClientUser>, AppError> {
    #[allow(clippy::type_complexity)]
    let row: Option<(i64, String, Option<i64>, String, i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.login, u.parent_id, COALESCE(p.status, u.status), s.last_seen_at, s.expires_at, s.impersonator_id, a.login \
         FROM user_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN users p ON p.id = u.parent_id \
         LEFT JOIN administrators a ON a.id = s.impersonator_id \
         WHERE s.token_hash = $1 AND u.deleted_at IS NULL AND p.deleted_at IS NULL",
    )
    .bind(hash_token(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, login, parent, status, last_seen, expires, admin_id, admin_login)) = row else { return Ok(None) };
    if expires <= now {
        return Ok(None);
    }
    // Sliding expiry, written at most every few minutes rather than on every request.
    if now - last_seen >= TOUCH_EVERY_MS {
        sqlx::query("UPDATE user_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(now + IDLE_MS)
            .bind(hash_token(token))
            .execute(&db.pool)
            .await?;
    }
    Ok(Some(ClientUser {
        id,
        login,
        account: parent.unwrap_or(id),
        is_sub_user: parent.is_some(),
        status,
        impersonator: admin_id.zip(admin_login),
    }))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1").bind(hash_token(token)).execute(&db.pool).await?;
    Ok(())
}

/// The session token of a request: the bearer token (apps) or the web client's cookie.
pub fn request_token(headers: &http::HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    bearer.or_else(|| cookie(headers, USER_COOKIE))
}

/// A single-use token for an administrator to open the web client as `user`.
pub async fn new_impersonation(db: &Db, admin: i64, user: i64, now: i64) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO impersonation_tokens (token_hash, admin_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(admin)
    .bind(user)
    .bind(now)
    .bind(now + IMPERSONATION_TTL_MS)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// Uses an impersonation token once: (admin id, admin login, user id, user login), or
/// `None` when it is unknown, used, expired, or its administrator lost the permission.
pub async fn redeem_impersonation(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<Option<(i64, String, i64, String)>, AppError> {
    let used = sqlx::query(
        "UPDATE impersonation_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(hash_token(token))
    .execute(&db.pool)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT t.admin_id, t.user_id, u.login FROM impersonation_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND u.deleted_at IS NULL",
    )
    .bind(hash_token(token))
    .fetch_optional(&db.pool)
    .await?;
    let Some((admin_id, user, login)) = row else { return Ok(None) };
    let Some(admin) = super::principal::load_admin(db, admin_id).await? else { return Ok(None) };
    if !admin.can("users-impersonate") {
        return Ok(None);
    }
    Ok(Some((admin.id, admin.login, user, login)))
}

/// The caller's cameras it may use or give to sub-users, as (id, name): while an
/// administrator impersonates, only those within the administrator's scope.
pub async fn usable_cameras(conn: &mut sqlx::AnyConnection, u: &ClientUser) -> Result<Vec<(i64, String)>, AppError> {
    let mut cameras: Vec<(i64, String)> = sqlx::query_as(
        "SELECT c.id, c.name FROM camera_access a JOIN cameras c ON c.id = a.camera_id WHERE a.user_id = $1 ORDER BY c.id",
    )
    .bind(u.id)
    .fetch_all(&mut *conn)
    .await?;
    if let Some((admin, _)) = &u.impersonator {
        let visible = super::environment::visible_to(conn, *admin).await?;
        cameras.retain(|(id, _)| visible.contains(id));
    }
    Ok(cameras)
}
