//! The client API for desktop and mobile apps (SPEC §7.1): sessions of users and sub-users,
//! their environment and its event stream, analytics cases (which consume licences of the
//! account, the billing user) with their events, and sub-users. The rules live in
//! `app::backend::{cases, sub_users}`, shared with the web client.

use crate::api_error::{json_object, ApiError};
use app::backend::cases::{self, NewCase};
use app::backend::client::{self, ClientUser};
use app::backend::state::AppState;
use app::backend::sub_users::{self, SubUserInput};
use app::domain::time::format_rfc3339;
use app::views::sub_users::SubUserRow;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/client/v1/sessions", post(sign_in))
        .route("/api/client/v1/cases", post(create_case).get(list_cases))
        .route("/api/client/v1/cases/{id}", delete(delete_case))
        .route("/api/client/v1/cases/{id}/events", get(case_events))
        .route("/api/client/v1/sub-users", get(list_sub_users).post(create_sub_user))
        .route("/api/client/v1/sub-users/{id}", put(update_sub_user).delete(delete_sub_user))
        .route("/api/client/v1/environment", get(get_environment))
        .route("/api/client/v1/environment/events", get(environment_events))
}

/// A JSON answer with its status; a 204 has no body.
struct Reply(StatusCode, Value);

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply(StatusCode::NO_CONTENT, _) => StatusCode::NO_CONTENT.into_response(),
            Reply(status, body) => (status, Json(body)).into_response(),
        }
    }
}

fn text(body: &Map<String, Value>, field: &str, max: usize) -> Result<String, ApiError> {
    match body.get(field).and_then(Value::as_str).map(str::trim) {
        Some(s) if !s.is_empty() && s.chars().count() <= max => Ok(s.to_string()),
        _ => Err(ApiError::field(field, format!("is required: 1-{max} characters"))),
    }
}

async fn sign_in(State(state): State<AppState>, req: axum::extract::Request) -> Result<Reply, ApiError> {
    use app::backend::sign_in::{check, client_addr, Checked, Realm};
    let (parts, body) = req.into_parts();
    let body = json_object(&parts.headers, body).await?;
    let login = text(&body, "login", 64)?;
    let password = body.get("password").and_then(Value::as_str).unwrap_or_default().to_string();
    let addr = client_addr(&state, &parts.headers, &parts.extensions);
    let Checked::Valid(user) = check(&state, Realm::User, &login, password, addr).await? else {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Wrong login or password."));
    };
    let (token, _) = {
        let _turn = state.db.write_turn().await;
        client::create_session(&state, user, None).await?
    };
    Ok(Reply(StatusCode::CREATED, json!({"token": token})))
}

/// The user behind a session token (bearer, or the web client's cookie), or `401`.
pub async fn client_user(state: &AppState, headers: &HeaderMap) -> Result<ClientUser, ApiError> {
    let unauthorized = || ApiError::new(StatusCode::UNAUTHORIZED, "A valid session token is required.");
    let token = client::request_token(headers).ok_or_else(unauthorized)?;
    client::session_user(state, token).await?.ok_or_else(unauthorized)
}

async fn create_case(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let body = json_object(&headers, body).await?;
    let camera_ids = match body.get("camera_ids") {
        Some(Value::Array(list)) => list
            .iter()
            .map(Value::as_i64)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::field("camera_ids", "must be camera ids (integers)"))?,
        _ => return Err(ApiError::field("camera_ids", "is required: a list of camera ids")),
    };
    let case = NewCase::validate(&text(&body, "name", 128)?, &text(&body, "type", 64)?, camera_ids)?;
    let id = cases::create(&state.db, &u, case, state.clock.now_ms()).await?;
    Ok(Reply(StatusCode::CREATED, json!({"id": id})))
}

/// The caller's cases of levels the account holds licences for (others are hidden, §8).
async fn list_cases(State(state): State<AppState>, headers: HeaderMap) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let cases: Vec<Value> = cases::list(&state.db, &u)
        .await?
        .into_iter()
        .map(|c| {
            json!({"id": c.id, "name": c.name, "type": c.kind, "level": c.level, "camera_ids": c.camera_ids,
                   "events": c.events, "created_at": format_rfc3339(c.created_at)})
        })
        .collect();
    Ok(Reply(StatusCode::OK, json!({"cases": cases})))
}

fn id_in_path(id: &str, what: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::new(StatusCode::NOT_FOUND, format!("No such {what}.")))
}

/// A case's events, newest first; `?before=<event id>` pages back.
async fn case_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let id = id_in_path(&id, "case")?;
    let before = match q.get("before") {
        Some(b) => Some(b.parse().map_err(|_| ApiError::field("before", "must be an event id"))?),
        None => None,
    };
    let events: Vec<Value> = cases::events(&state.db, &u, id, before)
        .await?
        .into_iter()
        .map(|e| {
            let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::String(e.data));
            json!({"id": e.id, "kind": e.kind, "occurred_at": format_rfc3339(e.occurred_at), "data": data})
        })
        .collect();
    Ok(Reply(StatusCode::OK, json!({"events": events})))
}

async fn delete_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    cases::delete(&state.db, &u, id_in_path(&id, "case")?, state.clock.now_ms()).await?;
    Ok(Reply(StatusCode::NO_CONTENT, Value::Null))
}

/// The fields of a sub-user body; on create every one but `camera_ids` is required.
fn sub_user_input(body: &Map<String, Value>) -> Result<SubUserInput, ApiError> {
    let string = |field: &str| match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::field(field, "must be a string")),
    };
    let list = |field: &str| match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.clone())),
        Some(_) => Err(ApiError::field(field, "must be a list")),
    };
    let permissions = match list("permissions")? {
        None => None,
        Some(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ApiError::field("permissions", "must be permission slugs (strings)"))?,
        ),
    };
    let camera_ids = match list("camera_ids")? {
        None => None,
        Some(items) => Some(
            items
                .iter()
                .map(Value::as_i64)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ApiError::field("camera_ids", "must be camera ids (integers)"))?,
        ),
    };
    Ok(SubUserInput {
        login: string("login")?.map(|l| l.trim().to_string()),
        name: string("name")?,
        password: string("password")?,
        permissions,
        camera_ids,
    })
}

fn sub_user_json(s: SubUserRow) -> Value {
    json!({"id": s.id, "login": s.login, "name": s.name, "permissions": s.permissions,
           "camera_ids": s.camera_ids, "created_at": format_rfc3339(s.created_at)})
}

async fn list_sub_users(State(state): State<AppState>, headers: HeaderMap) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let v = sub_users::list(&state.db, &u).await?;
    let list: Vec<Value> = v.sub_users.into_iter().map(sub_user_json).collect();
    Ok(Reply(StatusCode::OK, json!({"sub_users": list, "allowed_permissions": v.allowed})))
}

async fn create_sub_user(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let input = sub_user_input(&json_object(&headers, body).await?)?;
    let id = sub_users::create(&state.db, &u, input, state.clock.now_ms()).await?;
    Ok(Reply(StatusCode::CREATED, json!({"id": id})))
}

async fn update_sub_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let id = id_in_path(&id, "sub-user")?;
    let input = sub_user_input(&json_object(&headers, body).await?)?;
    sub_users::update(&state.db, &u, id, input, None, state.clock.now_ms()).await?;
    Ok(Reply(StatusCode::OK, json!({"id": id})))
}

async fn delete_sub_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    sub_users::delete(&state.db, &u, id_in_path(&id, "sub-user")?, state.clock.now_ms()).await?;
    Ok(Reply(StatusCode::NO_CONTENT, Value::Null))
}

async fn get_environment(State(state): State<AppState>, headers: HeaderMap) -> Result<Reply, ApiError> {
    let u = client_user(&state, &headers).await?;
    let mut conn = state.db.pool.acquire().await?;
    let env = client::client_environment(&mut conn, &u, state.clock.now_ms())
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The account was deleted."))?;
    Ok(Reply(StatusCode::OK, env))
}

/// Server-sent events: a message with the new `version` whenever the environment changes.
/// The stream wakes on announcements of its user's changes (from this process, or from any
/// process through PostgreSQL's LISTEN/NOTIFY, see `app::backend::changes`) and reads the
/// stored version, so only committed changes are sent. It also re-reads every 10 s, which
/// covers announcements lost while a listener reconnected, and comments every 15 s to keep
/// proxies open. Each time it wakes it checks its session: the stream ends with the session
/// (sign-out, expiry, an impersonating administrator disabled). Streams are capped per
/// session and per process (429 past the cap).
async fn environment_events(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    use app::backend::limits::Full;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    use tokio::time::{sleep, Duration, Instant};
    let u = client_user(&state, &headers).await?;
    let token = client::request_token(&headers).unwrap_or_default().to_string();
    let slot = state.streams.take(&u.session, u.account).map_err(|full| {
        let message = match full {
            Full::Session => format!(
                "This session has {} event streams open already; close one first.",
                state.config.max_streams_per_session
            ),
            Full::Account => "This account has too many event streams open; close some first.".into(),
            Full::Server => "The server has too many event streams open; try again in a minute.".into(),
        };
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, message)
    })?;
    async fn version(db: &app::backend::db::Db, user: i64) -> Option<i64> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM environments WHERE user_id = $1")
            .bind(user)
            .fetch_optional(&db.pool)
            .await
            .ok()
            .flatten();
        row.map(|(v,)| v)
    }
    let recheck = Duration::from_millis(state.config.stream_recheck_ms);
    // An announced version not yet readable (its transaction still committing) is
    // awaited this long, then left to the next re-check.
    const COMMIT_WAIT: Duration = Duration::from_secs(3);
    let changes = app::backend::changes::subscribe();
    // The version the client has now; every later one is announced.
    let seen = version(&state.db, u.id).await;
    let user = u.id;
    let recheck_at = Instant::now() + recheck;
    let stream = futures::stream::unfold(
        (state, token, slot, seen, changes, recheck_at),
        move |(state, token, slot, seen, mut changes, mut recheck_at)| async move {
            loop {
                // The re-check keeps its own time: news of other users' changes do not put it off.
                let awaited = tokio::select! {
                    heard = changes.recv() => match heard {
                        Ok((who, v)) if who == user => Some(v),
                        Ok(_) => continue,
                        Err(RecvError::Lagged(_)) => None,
                        Err(RecvError::Closed) => return None,
                    },
                    () = tokio::time::sleep_until(recheck_at) => {
                        recheck_at = Instant::now() + recheck;
                        None
                    }
                };
                if !matches!(client::session_live(&state, &token).await, Ok(true)) {
                    // The session ended: so does the stream (its slot is given back).
                    return None;
                }
                let deadline = Instant::now() + COMMIT_WAIT;
                let mut now = version(&state.db, user).await;
                while let Some(v) = awaited {
                    if now.is_some_and(|n| n >= v) || Instant::now() >= deadline {
                        break;
                    }
                    sleep(Duration::from_millis(25)).await;
                    now = version(&state.db, user).await;
                }
                if now.is_some() && now != seen {
                    let event = Event::default().event("environment").data(json!({"version": now}).to_string());
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (state, token, slot, now, changes, recheck_at),
                    ));
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response())
}
