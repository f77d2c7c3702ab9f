//! The client API for desktop and mobile apps (SPEC §7.1): sessions of users and sub-users,
//! and their analytics cases, which consume licences of the account (the billing user).

use crate::api_error::{json_object, ApiError};
use app::domain::permissions::{analytics_level, analytics_slug};
use app::error::AppError;
use app::server::client::{self, ClientUser};
use app::server::environment;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/client/v1/sessions", post(sign_in))
        .route("/api/client/v1/cases", post(create_case).get(list_cases))
        .route("/api/client/v1/cases/{id}", delete(delete_case))
        .route("/api/client/v1/environment", get(get_environment))
        .route("/api/client/v1/environment/events", get(environment_events))
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
            let token =
                client::open_session(&state.db, &login, password, state.clock.now_ms()).await.map_err(|e| match e {
                    AppError::Unauthorized => ApiError::new(StatusCode::UNAUTHORIZED, "Wrong login or password."),
                    other => other.into(),
                })?;
            Ok((StatusCode::CREATED, json!({"token": token})))
        }
        .await,
    )
}

/// The user behind a session token (bearer, or the web client's cookie), or `401`.
pub async fn client_user(state: &AppState, headers: &HeaderMap) -> Result<ClientUser, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "A valid session token is required.");
    let token = client::request_token(headers).ok_or_else(unauthorized)?;
    client::session_user(&state.db, token, state.clock.now_ms()).await?.ok_or_else(unauthorized)
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
    let parent = u.is_sub_user.then_some(u.account);
    if !environment::effective_slugs(&mut tx, u.id, parent).await?.contains(&analytics_slug(&kind)) {
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

async fn get_environment(State(state): State<AppState>, headers: HeaderMap) -> Response {
    reply(
        async {
            let u = client_user(&state, &headers).await?;
            let mut conn = state.db.pool.acquire().await?;
            let mut env = environment::current(&mut conn, u.id, state.clock.now_ms())
                .await?
                .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The account was deleted."))?;
            if let Some((admin, _)) = u.impersonator {
                let visible = environment::visible_to(&mut conn, admin).await?;
                if let Some(cams) = env["cameras"].as_array_mut() {
                    cams.retain(|c| c["id"].as_i64().is_some_and(|id| visible.contains(&id)));
                }
            }
            Ok((StatusCode::OK, env))
        }
        .await,
    )
}

/// Server-sent events: a message with the new `version` whenever the environment changes.
/// Each connection watches the stored version (so a change made by any server process on
/// the same database reaches it) and sends a comment every 15 s to keep proxies open.
async fn environment_events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let u = match client_user(&state, &headers).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let version = |db: app::server::db::Db, user: i64| async move {
        let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM environments WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&db.pool)
            .await
            .ok()
            .flatten();
        row.map(|(v,)| v)
    };
    // The version the client has now; every later one is announced.
    let seen = version(state.db.clone(), u.id).await;
    let stream = futures::stream::unfold((state.db.clone(), u.id, seen), move |(db, user, seen)| async move {
        loop {
            let now = version(db.clone(), user).await;
            if now.is_some() && now != seen {
                let event = Event::default().event("environment").data(json!({"version": now}).to_string());
                return Some((Ok::<_, std::convert::Infallible>(event), (db, user, now)));
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15))).into_response()
}
