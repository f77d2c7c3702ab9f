//! `POST /api/billing/v1/requests`: the billing system provisions and changes users.
//! Every request with a valid envelope is logged with its outcome, in the same
//! transaction as its effect; the request id makes it idempotent.

pub mod effects;
pub mod openapi;
pub mod request;
pub mod types;

use crate::api_error::{bearer, ApiError};
use app::server::state::AppState;
use app::server::token::{constant_time_eq, hash_token};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use effects::Rejection;
use request::{Request, MAX_BODY};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/billing/v1/requests", post(handle))
        .route("/api/billing/v1/openapi.json", get(|| async { Json(openapi::document()) }))
}

async fn authorised(state: &AppState, headers: &HeaderMap) -> Result<bool, ApiError> {
    let Some(token) = bearer(headers) else {
        return Ok(false);
    };
    if state.config.billing_tokens.iter().any(|t| constant_time_eq(t.as_bytes(), token.as_bytes())) {
        return Ok(true);
    }
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM billing_tokens WHERE token_hash = $1")
        .bind(hash_token(token))
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(row.is_some())
}

async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match receive(&state, &headers, body).await {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn receive(state: &AppState, headers: &HeaderMap, body: Body) -> Result<(StatusCode, Value), ApiError> {
    if !authorised(state, headers).await? {
        return Err(ApiError::unauthorized());
    }
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The body must be JSON (Content-Type: application/json).",
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "The body is larger than 64 KiB."))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("The body is not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "The body must be a JSON object."));
    };
    // Keys are sorted (serde_json's map), so equal bodies hash equally.
    let body_hash = body_hash(&map);
    let request = Request::parse(map)?;
    process(state, &request, &body_hash).await
}

/// The idempotency fingerprint of a body. Keys are sorted (serde_json's map), so equal
/// bodies hash equally whatever their key order.
pub fn body_hash(body: &serde_json::Map<String, Value>) -> String {
    hash_token(&Value::Object(body.clone()).to_string())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// The stored answer to a request id already seen.
async fn replay(state: &AppState, r: &Request, body_hash: &str) -> Result<(StatusCode, Value), ApiError> {
    let (hash, status, response): (String, i64, String) =
        sqlx::query_as("SELECT body_hash, status, response FROM billing_events WHERE request_id = $1")
            .bind(&r.id)
            .fetch_one(&state.db.pool)
            .await?;
    if hash != body_hash {
        return Err(ApiError::new(StatusCode::CONFLICT, "This request id was already used with a different body.")
            .with("id", "already used with a different body"));
    }
    let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
    Ok((status, serde_json::from_str(&response).unwrap_or(Value::Null)))
}

/// Handles one parsed request: the database part of the API (also used by the benchmark
/// as the raw baseline).
pub async fn process(state: &AppState, r: &Request, body_hash: &str) -> Result<(StatusCode, Value), ApiError> {
    let now = state.clock.now_ms();
    let logged_type = if types::spec(&r.kind).is_some() { r.kind.as_str() } else { "billing.unknown_type" };
    let payload = r.redacted().to_string();
    let password_hash = match effects::password_to_hash(r) {
        Some(pw) => Some(app::server::password::hash(pw).await?),
        None => None,
    };
    let mut tx = state.db.pool.begin().await?;
    // Claim the request id first: a concurrent duplicate waits here, then replays.
    let claimed: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO billing_events (request_id, type, entity, body_hash, payload, outcome, status, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, '', $6) RETURNING id",
    )
    .bind(&r.id)
    .bind(logged_type)
    .bind(&r.entity)
    .bind(body_hash)
    .bind(&payload)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let event_id = match claimed {
        Ok((id,)) => id,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            return replay(state, r, body_hash).await;
        }
        Err(e) => return Err(e.into()),
    };
    match effects::apply(&mut tx, r, now, password_hash.as_deref()).await {
        Ok(user_id) => {
            let response =
                json!({"id": r.id, "type": r.kind, "event_id": event_id, "user_id": user_id, "outcome": "applied"});
            sqlx::query("UPDATE billing_events SET outcome = 'applied', status = 200, user_id = $1, response = $2 WHERE id = $3")
                .bind(user_id)
                .bind(response.to_string())
                .bind(event_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok((StatusCode::OK, response))
        }
        Err(Rejection { error, .. }) if error.status == StatusCode::INTERNAL_SERVER_ERROR => Err(error),
        Err(rejection) => {
            // Nothing of the effect stays; the event alone records the refusal.
            tx.rollback().await?;
            record_rejection(state, r, body_hash, &payload, rejection, now).await
        }
    }
}

async fn record_rejection(
    state: &AppState,
    r: &Request,
    body_hash: &str,
    payload: &str,
    rejection: Rejection,
    now: i64,
) -> Result<(StatusCode, Value), ApiError> {
    let mut tx = state.db.pool.begin().await?;
    let user = effects::resolve(&mut tx, &r.entity).await?.map(|(id, _)| id);
    let logged_type = rejection.logged_type.unwrap_or(if types::spec(&r.kind).is_some() {
        r.kind.as_str()
    } else {
        "billing.unknown_type"
    });
    let body = rejection.error.body();
    let inserted = sqlx::query(
        "INSERT INTO billing_events (request_id, type, entity, user_id, body_hash, payload, outcome, status, response, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'rejected', $7, $8, $9)",
    )
    .bind(&r.id)
    .bind(logged_type)
    .bind(&r.entity)
    .bind(user)
    .bind(body_hash)
    .bind(payload)
    .bind(i64::from(rejection.error.status.as_u16()))
    .bind(body.to_string())
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            tx.commit().await?;
            Ok((rejection.error.status, body))
        }
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            replay(state, r, body_hash).await
        }
        Err(e) => Err(e.into()),
    }
}
