//! `POST /api/media/v1/streams`: media servers report a camera stream up or down
//! (`{"mac", "stream": "high"|"low", "up": bool}`, SPEC §9). The camera's status is derived
//! from its streams wherever it is shown, so it follows at once.

use crate::api_error::{bearer_in, json_object, ApiError};
use crate::billing::request::normalise_mac;
use app::backend::state::AppState;
use app::domain::camera::{CameraStatus, Stream};
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/media/v1/streams", post(handle))
}

async fn handle(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Json<Value>, ApiError> {
    report(&state, &headers, body).await.map(Json)
}

/// A valid stream report.
#[derive(Debug, PartialEq)]
pub struct Report {
    pub mac: String,
    pub stream: Stream,
    pub up: bool,
}

/// Checks a report's fields, naming every bad one.
pub fn parse(body: &Map<String, Value>) -> Result<Report, ApiError> {
    let mut err = ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "The stream report is not valid.");
    let mac = match body.get("mac") {
        Some(Value::String(s)) => normalise_mac(s),
        _ => None,
    };
    if mac.is_none() {
        err = err.with("mac", "is required: a MAC address like 00:1a:2b:3c:4d:5e");
    }
    let stream = body.get("stream").and_then(Value::as_str).and_then(Stream::from_name);
    if stream.is_none() {
        err = err.with("stream", "must be \"high\" or \"low\"");
    }
    let up = body.get("up").and_then(Value::as_bool);
    if up.is_none() {
        err = err.with("up", "is required: true or false");
    }
    match (mac, stream, up) {
        (Some(mac), Some(stream), Some(up)) => Ok(Report { mac, stream, up }),
        _ => Err(err),
    }
}

async fn report(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    if !bearer_in(headers, &state.config.media_tokens) {
        return Err(ApiError::unauthorized());
    }
    let r = parse(&json_object(headers, body).await?)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.pool.begin().await?;
    let camera: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM cameras WHERE mac = $1").bind(&r.mac).fetch_optional(&mut *tx).await?;
    let Some((camera,)) = camera else {
        return Err(ApiError::field("mac", "no camera with this MAC address is registered"));
    };
    // `changed_at` moves only when the state changes; repeated reports just confirm it.
    sqlx::query(
        "INSERT INTO camera_streams (camera_id, stream, up, changed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (camera_id, stream) DO UPDATE SET up = excluded.up, \
         changed_at = CASE WHEN camera_streams.up = excluded.up THEN camera_streams.changed_at ELSE excluded.changed_at END",
    )
    .bind(camera)
    .bind(r.stream.name())
    .bind(i64::from(r.up))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (streams, up): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(CASE WHEN up = 1 THEN 1 END) FROM camera_streams WHERE camera_id = $1")
            .bind(camera)
            .fetch_one(&mut *tx)
            .await?;
    let viewers = app::backend::environment::camera_viewers(&mut tx, camera).await?;
    app::backend::environment::refresh(&mut tx, &viewers, now).await?;
    tx.commit().await?;
    let status = CameraStatus::from_counts(streams, up);
    Ok(json!({"camera_id": camera, "mac": r.mac, "stream": r.stream, "up": r.up, "status": status.label()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: Value) -> Result<Report, ApiError> {
        parse(v.as_object().unwrap())
    }

    #[test]
    fn reports_are_checked_field_by_field() {
        assert_eq!(
            p(json!({"mac": "00-1A-2B-3C-4D-5E", "stream": "low", "up": false})).unwrap(),
            Report { mac: "00:1a:2b:3c:4d:5e".into(), stream: Stream::Low, up: false }
        );
        let e = p(json!({"mac": "nope", "stream": "medium", "up": "yes"})).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.errors.keys().cloned().collect::<Vec<_>>(), ["mac", "stream", "up"]);
        assert_eq!(p(json!({"mac": "00:1a:2b:3c:4d:5e", "stream": "high"})).unwrap_err().errors.len(), 1);
    }
}
