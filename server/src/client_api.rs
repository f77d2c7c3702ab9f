//! The client API for desktop and mobile apps (SPEC §7.1): sessions of users and sub-users,
//! and their analytics cases, which consume licences of the account (the billing user).

use crate::api_error::{bearer, json_object, ApiError};
use app::domain::permissions::{
    analytics_level, analytics_slug, effective_user_slugs, licensed_levels, sub_user_allowed,
};
use app::server::auth::IDLE_MS;
use app::server::password;
use app::server::state::AppState;
use app::server::throttle;
use app::server::token::{hash_token, new_token};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use sqlx::AnyConnection;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/client/v1/sessions", post(sign_in))
        .route("/api/client/v1/cases", post(create_case).get(list_cases))
        .route("/api/client/v1/cases/{id}", delete(delete_case))
}

fn reply(result: Result<(StatusCode, Value), ApiError>) -> Response {
    match result {
        Ok((StatusCode::NO_CONTENT, _)) => StatusCode::NO_CONTENT.into_response(),
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn text(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, ApiError> {
    match body.get(field).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.to_string()),
        _ => Err(ApiError::field(field, format!("is required: 1-{max} characters"))),
    }
}

async fn sign_in(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(
        async {
            let body = json_object(&headers, body).await?;
            let login = text(&body, "login", 64)?;
            let password = body.get("password").and_then(Value::as_str).unwrap_or_default().to_string();
            let token = open_session(&state, &login, password).await?;
            Ok((StatusCode::CREATED, json!({"token": token})))
        }
        .await,
    )
}

/// Checks a user's or sub-user's credentials (slowed down per login) and opens a session;
/// a deleted account is refused like a wrong password.
pub async fn open_session(state: &AppState, login: &str, password: String) -> Result<String, ApiError> {
    let db = &state.db;
    let now = state.clock.now_ms();
    throttle::check(db, "user", login, now).await?;
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE LOWER(login) = LOWER($1) AND deleted_at IS NULL")
            .bind(login)
            .fetch_optional(&db.pool)
            .await?;
    let ok = password::verify(password, row.as_ref().map(|(_, h)| h.clone())).await;
    let Some((user, _)) = row.filter(|_| ok) else {
        throttle::record_failure(db, "user", login, now).await?;
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Wrong login or password."));
    };
    throttle::clear(db, "user", login).await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO user_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(user)
    .bind(now)
    .bind(now + IDLE_MS)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

/// The signed-in user or sub-user of a client request.
pub struct ClientUser {
    pub id: i64,
    /// The billing user whose licences and status apply (itself, or the parent).
    pub account: i64,
    pub is_sub_user: bool,
    /// The account's status: `active` or `paused`.
    pub status: String,
}

/// The user behind a bearer token, or `401`.
pub async fn client_user(state: &AppState, headers: &HeaderMap) -> Result<ClientUser, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "A valid session token is required.");
    let token = bearer(headers).ok_or_else(unauthorized)?;
    let now = state.clock.now_ms();
    let row: Option<(i64, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.parent_id, COALESCE(p.status, u.status), s.expires_at FROM user_sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN users p ON p.id = u.parent_id \
         WHERE s.token_hash = $1 AND u.deleted_at IS NULL AND p.deleted_at IS NULL",
    )
    .bind(hash_token(token))
    .fetch_optional(&state.db.pool)
    .await?;
    let (id, parent, status, expires) = row.ok_or_else(unauthorized)?;
    if expires <= now {
        return Err(unauthorized());
    }
    sqlx::query("UPDATE user_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(now)
        .bind(now + IDLE_MS)
        .bind(hash_token(token))
        .execute(&state.db.pool)
        .await?;
    Ok(ClientUser { id, account: parent.unwrap_or(id), is_sub_user: parent.is_some(), status })
}

async fn slugs(conn: &mut AnyConnection, user: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1").bind(user).fetch_all(&mut *conn).await?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// The slugs that take effect for a user or sub-user now (SPEC §3).
pub async fn effective_slugs(conn: &mut AnyConnection, u: &ClientUser) -> Result<Vec<String>, sqlx::Error> {
    let totals: Vec<(i64, i64)> = sqlx::query_as("SELECT level, total FROM licences WHERE user_id = $1")
        .bind(u.account)
        .fetch_all(&mut *conn)
        .await?;
    let licensed = licensed_levels(&totals.iter().map(|(l, t)| (*l as u8, *t)).collect::<Vec<_>>());
    let account = slugs(conn, u.account).await?;
    if !u.is_sub_user {
        return Ok(effective_user_slugs(&account, &licensed));
    }
    let allowed = sub_user_allowed(&account, &licensed);
    Ok(slugs(conn, u.id).await?.into_iter().filter(|s| allowed.contains(s)).collect())
}

async fn create_case(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    reply(
        async {
            let u = client_user(&state, &headers).await?;
            let body = json_object(&headers, body).await?;
            let id = new_case(&state, &u, &body).await?;
            Ok((StatusCode::CREATED, json!({"id": id})))
        }
        .await,
    )
}

/// Creates a case if the type's permission is effective, the cameras are the caller's, and
/// the account has a free licence of the type's level for each camera.
pub async fn new_case(state: &AppState, u: &ClientUser, body: &Map<String, Value>) -> Result<i64, ApiError> {
    let name = text(body, "name", 128)?;
    let kind = text(body, "type", 64)?;
    let level = analytics_level(&kind).ok_or_else(|| ApiError::field("type", "is not a known analytics type"))?;
    let cameras: Vec<i64> = match body.get("camera_ids").and_then(Value::as_array) {
        Some(list) if !list.is_empty() && list.len() <= 500 => {
            let mut ids = list
                .iter()
                .map(Value::as_i64)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ApiError::field("camera_ids", "must be camera ids (integers)"))?;
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        _ => return Err(ApiError::field("camera_ids", "is required: 1-500 camera ids")),
    };
    if u.status != "active" {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "The account is paused."));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.pool.begin().await?;
    // Take the licence row first: concurrent creations of the account queue here.
    let locked = sqlx::query("UPDATE licences SET updated_at = updated_at WHERE user_id = $1 AND level = $2")
        .bind(u.account)
        .bind(i64::from(level))
        .execute(&mut *tx)
        .await?;
    if !effective_slugs(&mut tx, u).await?.contains(&analytics_slug(&kind)) {
        return Err(ApiError::field("type", format!("{kind} analytics is not enabled for this account")));
    }
    let owned: (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM camera_access WHERE user_id = $1 AND camera_id IN ({})",
        cameras.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    ))
    .bind(u.id)
    .fetch_one(&mut *tx)
    .await?;
    if owned.0 != cameras.len() as i64 {
        return Err(ApiError::field("camera_ids", "include cameras you have no access to"));
    }
    let (total, used): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE((SELECT total FROM licences WHERE user_id = $1 AND level = $2), 0), \
           (SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases c ON c.id = cc.case_id \
             WHERE c.account_id = $1 AND c.level = $2)",
    )
    .bind(u.account)
    .bind(i64::from(level))
    .fetch_one(&mut *tx)
    .await?;
    let free = if locked.rows_affected() == 0 { 0 } else { (total - used).max(0) };
    if (cameras.len() as i64) > free {
        return Err(ApiError::field(
            "camera_ids",
            format!("{free} free level {level} licences; this case needs {}", cameras.len()),
        ));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO analytics_cases (user_id, account_id, name, type, level, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(u.id)
    .bind(u.account)
    .bind(&name)
    .bind(&kind)
    .bind(i64::from(level))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for camera in &cameras {
        sqlx::query("INSERT INTO case_cameras (case_id, camera_id) VALUES ($1, $2)")
            .bind(id)
            .bind(camera)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The caller's cases of levels the account holds licences for (others are hidden, §8).
async fn list_cases(State(state): State<AppState>, headers: HeaderMap) -> Response {
    reply(
        async {
            let u = client_user(&state, &headers).await?;
            let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
                "SELECT c.id, c.name, c.type, c.level, c.created_at FROM analytics_cases c \
                 JOIN licences l ON l.user_id = c.account_id AND l.level = c.level AND l.total > 0 \
                 WHERE c.user_id = $1 ORDER BY c.id DESC LIMIT 500",
            )
            .bind(u.id)
            .fetch_all(&state.db.pool)
            .await?;
            let mut cases = Vec::with_capacity(rows.len());
            for (id, name, kind, level, created_at) in rows {
                let cams: Vec<(i64,)> =
                    sqlx::query_as("SELECT camera_id FROM case_cameras WHERE case_id = $1 ORDER BY camera_id")
                        .bind(id)
                        .fetch_all(&state.db.pool)
                        .await?;
                let camera_ids: Vec<i64> = cams.into_iter().map(|(c,)| c).collect();
                cases.push(json!({"id": id, "name": name, "type": kind, "level": level,
                                  "camera_ids": camera_ids, "created_at": created_at}));
            }
            Ok((StatusCode::OK, json!({"cases": cases})))
        }
        .await,
    )
}

async fn delete_case(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    reply(
        async {
            let u = client_user(&state, &headers).await?;
            let not_found = || ApiError::new(StatusCode::NOT_FOUND, "No such case.");
            let id: i64 = id.parse().map_err(|_| not_found())?;
            let mut tx = state.db.pool.begin().await?;
            let owned: Option<(i64,)> = sqlx::query_as("SELECT id FROM analytics_cases WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(u.id)
                .fetch_optional(&mut *tx)
                .await?;
            owned.ok_or_else(not_found)?;
            for sql in [
                "DELETE FROM case_events WHERE case_id = $1",
                "DELETE FROM case_cameras WHERE case_id = $1",
                "DELETE FROM analytics_cases WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        .await,
    )
}
