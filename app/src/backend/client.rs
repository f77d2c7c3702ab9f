//! Sessions of users and sub-users (the web client and the client API): opened with a
//! login and password or by an administrator's single-use impersonation token.
//!
//! A Log in as User session lives only as long as its reason: the administrator session
//! that started it must be live, the administrator enabled and still allowed to
//! impersonate; it ends with that session's sign-out, when the administrator is disabled or
//! their grants change, and at the latest `Config::impersonation_max_ms` after it began.

use super::auth::{cookie, expiry, IDLE_MS, TOUCH_EVERY_MS};
use super::db::Db;
use super::exec::Exec;
use super::scope::camera_condition;
use super::state::AppState;
use super::token::{hash_token, new_token};
use crate::args;
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
    /// The hash of the session's token (for per-session limits).
    pub session: String,
}

impl ClientUser {
    /// Refuses what an impersonating administrator may not do: set passwords or logins of the
    /// user or its sub-users (they would let the administrator sign in as them outside the
    /// audit trail and the administrator's scope).
    pub fn may_set_credentials(&self) -> Result<(), AppError> {
        match &self.impersonator {
            Some(_) => Err(AppError::ForbiddenWhy(
                crate::lang::td_string!(crate::lang::current(), client.err_credentials_blocked).into(),
            )),
            None => Ok(()),
        }
    }
}

/// A new session of `user`; with `impersonation` (administrator id, hash of the administrator
/// session) a Log in as User session. Answers the token and when it expires.
pub async fn create_session(
    state: &AppState,
    user: i64,
    impersonation: Option<(i64, &str)>,
) -> Result<(String, i64), AppError> {
    let now = state.clock.now_ms();
    let token = new_token();
    let expires = match impersonation {
        Some(_) => expiry(now, now, state.config.impersonation_max_ms),
        None => now + IDLE_MS,
    };
    sqlx::query(
        "INSERT INTO user_sessions (token_hash, user_id, impersonator_id, admin_session, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $6)",
    )
    .bind(hash_token(&token))
    .bind(user)
    .bind(impersonation.map(|(admin, _)| admin))
    .bind(impersonation.map(|(_, session)| session.to_string()))
    .bind(now)
    .bind(expires)
    .execute(&state.db.pool)
    .await?;
    Ok((token, expires))
}

/// The SQL condition (alias `s` for `user_sessions`) that an impersonation session's reason
/// still holds at `$n` (now), with `$n+1` the oldest live administrator session start.
fn impersonation_live(n: usize) -> String {
    let m = n + 1;
    format!(
        "(s.impersonator_id IS NULL OR EXISTS (SELECT 1 FROM admin_sessions x JOIN administrators ad ON ad.id = x.admin_id \
           WHERE x.token_hash = s.admin_session AND x.admin_id = s.impersonator_id AND x.expires_at > ${n} \
           AND x.created_at > ${m} AND ad.disabled_at IS NULL AND (ad.role = '{superadmin}' OR EXISTS \
           (SELECT 1 FROM administrator_permissions ap WHERE ap.admin_id = ad.id AND ap.slug = '{impersonate}'))))",
        superadmin = crate::domain::admin::Role::Superadmin.slug(),
        impersonate = crate::domain::admin::Permission::UsersImpersonate.slug(),
    )
}

/// The user of a live session token, extending the session.
pub async fn session_user(state: &AppState, token: &str) -> Result<Option<ClientUser>, AppError> {
    find_session(state, token, true).await
}

/// Whether a session token is still live, without extending it (an open event stream
/// checking on its session must not keep it alive).
pub async fn session_live(state: &AppState, token: &str) -> Result<bool, AppError> {
    Ok(find_session(state, token, false).await?.is_some())
}

async fn find_session(state: &AppState, token: &str, touch: bool) -> Result<Option<ClientUser>, AppError> {
    let now = state.clock.now_ms();
    let config = &state.config;
    let hash = hash_token(token);
    #[allow(clippy::type_complexity)]
    let row: Option<(i64, String, Option<i64>, String, i64, i64, Option<i64>, Option<String>)> =
        sqlx::query_as(&format!(
            "SELECT u.id, u.login, u.parent_id, COALESCE(p.status, u.status), s.created_at, s.last_seen_at, \
           s.impersonator_id, a.login \
         FROM user_sessions s JOIN users u ON u.id = s.user_id LEFT JOIN users p ON p.id = u.parent_id \
         LEFT JOIN administrators a ON a.id = s.impersonator_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL AND p.deleted_at IS NULL AND {}",
            impersonation_live(2)
        ))
        .bind(&hash)
        .bind(now)
        .bind(now - config.admin_session_max_ms)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some((id, login, parent, status, created, last_seen, admin_id, admin_login)) = row else { return Ok(None) };
    if admin_id.is_some() && created + config.impersonation_max_ms <= now {
        return Ok(None);
    }
    // Sliding expiry, written at most every few minutes rather than on every request.
    if touch && now - last_seen >= TOUCH_EVERY_MS {
        let expires =
            if admin_id.is_some() { expiry(created, now, config.impersonation_max_ms) } else { now + IDLE_MS };
        sqlx::query("UPDATE user_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(expires)
            .bind(&hash)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(Some(ClientUser {
        id,
        login,
        account: parent.unwrap_or(id),
        is_sub_user: parent.is_some(),
        status,
        impersonator: admin_id.zip(admin_login),
        session: hash,
    }))
}

pub async fn end_session(db: &Db, token: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM user_sessions WHERE token_hash = $1").bind(hash_token(token)).execute(&db.pool).await?;
    Ok(())
}

/// Which Log in as User sessions end.
pub enum Started<'a> {
    /// Those started from this administrator session (by its token hash).
    BySession(&'a str),
    /// Every one of this administrator.
    ByAdmin(i64),
}

/// Ends Log in as User sessions (audited as ended, with `reason`) inside the caller's
/// transaction; answers the users whose sessions ended, whose event streams the caller wakes
/// after commit (`changes::wake`) so that they close at once.
pub async fn end_impersonations<C: Exec>(
    conn: &mut C,
    which: Started<'_>,
    reason: &str,
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let (filter, arg): (&str, crate::backend::sql::Arg) = match which {
        Started::BySession(hash) => ("s.admin_session = $1", hash.into()),
        Started::ByAdmin(id) => ("s.impersonator_id = $1", id.into()),
    };
    let ended: Vec<(String, i64, String, Option<i64>, i64, String)> = conn
        .rows(
            &format!(
                "SELECT s.token_hash, u.id, u.login, u.parent_id, a.id, a.login FROM user_sessions s \
                 JOIN users u ON u.id = s.user_id JOIN administrators a ON a.id = s.impersonator_id \
                 WHERE {filter} AND s.impersonator_id IS NOT NULL"
            ),
            vec![arg],
        )
        .await?;
    let mut users = Vec::with_capacity(ended.len());
    for (token_hash, user, login, parent, admin_id, admin_login) in ended {
        conn.run("DELETE FROM user_sessions WHERE token_hash = $1", args![&token_hash]).await?;
        let entry = super::audit::Entry {
            actor_kind: "admin",
            actor_id: Some(admin_id),
            actor_login: &admin_login,
            impersonator_id: Some(admin_id),
            action: "user.impersonate_end",
            target_kind: "user",
            target_id: Some(user),
            target_label: &login,
            user_id: Some(parent.unwrap_or(user)),
            details: serde_json::json!({"reason": reason}),
        };
        super::audit::record_exec(conn, now, entry).await?;
        users.push(user);
    }
    Ok(users)
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

/// A single-use token for an administrator, signed in with the session whose token hash is
/// `admin_session`, to open the web client as `user`.
pub async fn new_impersonation(
    db: &Db,
    admin: i64,
    admin_session: &str,
    user: i64,
    now: i64,
) -> Result<String, AppError> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO impersonation_tokens (token_hash, admin_id, admin_session, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_token(&token))
    .bind(admin)
    .bind(admin_session)
    .bind(user)
    .bind(now)
    .bind(now + IMPERSONATION_TTL_MS)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// A redeemed impersonation link.
pub struct Impersonation {
    pub admin_id: i64,
    pub admin_login: String,
    pub admin_session: String,
    pub user: i64,
    pub login: String,
}

/// Uses an impersonation token once, or `None` when it is unknown, used, expired, or its
/// reason is gone (the administrator session ended, the administrator was disabled or lost
/// the permission).
pub async fn redeem_impersonation(state: &AppState, token: &str) -> Result<Option<Impersonation>, AppError> {
    let now = state.clock.now_ms();
    let hash = hash_token(token);
    let used = sqlx::query(
        "UPDATE impersonation_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(&hash)
    .execute(&state.db.pool)
    .await?;
    if used.rows_affected() != 1 {
        return Ok(None);
    }
    // The same test as for the session it becomes, on the token's own columns.
    let live =
        impersonation_live(2).replace("s.impersonator_id", "t.admin_id").replace("s.admin_session", "t.admin_session");
    let row: Option<(i64, String, String, i64, String)> = sqlx::query_as(&format!(
        "SELECT t.admin_id, a.login, t.admin_session, t.user_id, u.login FROM impersonation_tokens t \
         JOIN users u ON u.id = t.user_id JOIN administrators a ON a.id = t.admin_id \
         WHERE t.token_hash = $1 AND u.deleted_at IS NULL AND t.admin_session IS NOT NULL AND {live}"
    ))
    .bind(&hash)
    .bind(now)
    .bind(now - state.config.admin_session_max_ms)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(|(admin_id, admin_login, admin_session, user, login)| Impersonation {
        admin_id,
        admin_login,
        admin_session,
        user,
        login,
    }))
}

/// The caller's cameras it may use or give to sub-users, as (id, name): while an
/// administrator impersonates, only those within the administrator's scope.
pub async fn usable_cameras<C: Exec>(conn: &mut C, u: &ClientUser) -> Result<Vec<(i64, String)>, AppError> {
    let cameras: Vec<(i64, String)> = match &u.impersonator {
        None => {
            conn.rows(
                "SELECT c.id, c.name FROM camera_access a JOIN cameras c ON c.id = a.camera_id \
                 WHERE a.user_id = $1 ORDER BY c.id",
                args![u.id],
            )
            .await?
        }
        Some((admin, _)) => {
            conn.rows(
                &format!(
                    "SELECT c.id, c.name FROM camera_access a JOIN cameras c ON c.id = a.camera_id \
                     WHERE a.user_id = $1 AND {} ORDER BY c.id",
                    camera_condition(2)
                ),
                args![u.id, *admin],
            )
            .await?
        }
    };
    Ok(cameras)
}

/// The caller's environment as its clients get it: while an administrator impersonates,
/// only the cameras within the administrator's scope. `None` for a deleted account.
pub async fn client_environment<C: Exec>(
    conn: &mut C,
    u: &ClientUser,
    now: i64,
) -> Result<Option<serde_json::Value>, AppError> {
    let Some(mut env) = super::environment::current(conn, u.id, now).await? else { return Ok(None) };
    if u.impersonator.is_some() {
        let visible: std::collections::BTreeSet<i64> =
            usable_cameras(conn, u).await?.into_iter().map(|(id, _)| id).collect();
        if let Some(cameras) = env["cameras"].as_array_mut() {
            cameras.retain(|c| c["id"].as_i64().is_some_and(|id| visible.contains(&id)));
        }
    }
    Ok(Some(env))
}
