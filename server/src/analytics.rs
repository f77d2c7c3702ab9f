//! `POST /api/analytics/v1/events`: analytics engines report what they saw for a case
//! (`{"case_id", "kind", "occurred_at", "data"}`, SPEC §9), with their own bearer tokens.

use crate::api_error::{bearer_in, json_object, ApiError};
use app::backend::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/analytics/v1/events", post(handle))
}

async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(receive(&state, &headers, body).await?)))
}

/// A valid case event.
#[derive(Debug, PartialEq)]
pub struct CaseEvent {
    pub case_id: i64,
    pub kind: String,
    pub occurred_at: i64,
    pub data: String,
}

/// Checks an event's fields, naming every bad one.
pub fn parse(body: &Map<String, Value>) -> Result<CaseEvent, ApiError> {
    let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "The case event is not valid.");
    let case_id = body.get("case_id").and_then(Value::as_i64).filter(|id| *id > 0);
    if case_id.is_none() {
        err = err.with("case_id", "is required: the id of an analytics case");
    }
    let kind = body.get("kind").and_then(Value::as_str).map(str::trim).filter(|k| (1..=64).contains(&k.len()));
    if kind.is_none() {
        err = err.with("kind", "is required: 1-64 characters");
    }
    let occurred_at = body.get("occurred_at").and_then(Value::as_str).and_then(app::domain::time::parse_rfc3339);
    if occurred_at.is_none() {
        err = err.with("occurred_at", "is required: an RFC 3339 time such as 2026-11-27T10:00:00Z");
    }
    let data = match body.get("data") {
        None | Some(Value::Null) => Some("{}".to_string()),
        Some(v @ Value::Object(_)) => Some(v.to_string()),
        Some(_) => None,
    };
    if data.is_none() {
        err = err.with("data", "must be a JSON object");
    }
    match (case_id, kind, occurred_at, data) {
        (Some(case_id), Some(kind), Some(occurred_at), Some(data)) => {
            Ok(CaseEvent { case_id, kind: kind.to_string(), occurred_at, data })
        }
        _ => Err(err),
    }
}

async fn receive(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    if !bearer_in(headers, &state.config.analytics_tokens) {
        return Err(ApiError::unauthorized());
    }
    let e = parse(&json_object(headers, body).await?)?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO case_events (case_id, kind, occurred_at, data, received_at) \
         SELECT id, $2, $3, $4, $5 FROM analytics_cases WHERE id = $1 RETURNING id",
    )
    .bind(e.case_id)
    .bind(&e.kind)
    .bind(e.occurred_at)
    .bind(&e.data)
    .bind(state.clock.now_ms())
    .fetch_one(&state.db.pool)
    .await;
    match inserted {
        Ok((id,)) => Ok(json!({"id": id, "case_id": e.case_id})),
        Err(sqlx::Error::RowNotFound) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, format!("No case has id {}.", e.case_id))
                .with("case_id", "no analytics case with this id"))
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_checked_field_by_field() {
        let ok =
            parse(json!({"case_id": 3, "kind": "face", "occurred_at": "2026-11-27T10:00:00Z"}).as_object().unwrap())
                .unwrap();
        assert_eq!((ok.case_id, ok.kind.as_str(), ok.data.as_str()), (3, "face", "{}"));
        let e =
            parse(json!({"case_id": "3", "kind": "", "occurred_at": "yesterday", "data": [1]}).as_object().unwrap())
                .unwrap_err();
        assert_eq!(e.errors.keys().cloned().collect::<Vec<_>>(), ["case_id", "data", "kind", "occurred_at"]);
    }
}
