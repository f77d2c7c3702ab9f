//! `POST /api/billing/v1/batch`: many billing requests in one call, for bulk onboarding.
//! `{"requests": [ …1 to 1,000 requests… ]}` → `200 {"results": [{"status", "body"}, …]}`,
//! one result per request in the order sent, each exactly what `POST /requests` would have
//! answered it (same idempotency, same event log). Requests about one entity are applied in
//! the order sent; requests about different entities go on side by side.

use super::writer::Writer;
use crate::api_error::{json_object_within, ApiError};
use app::backend::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use futures::StreamExt;
use serde_json::{json, Value};

pub const PATH: &str = "/api/billing/v1/batch";
/// The most requests in one call.
pub const MAX_REQUESTS: usize = 1_000;
/// The largest body: a thousand requests with their passwords' hashes fit easily.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Entities whose requests are applied at once.
const SIDE_BY_SIDE: usize = 64;

pub async fn handle(
    State(state): State<AppState>,
    Extension(writer): Extension<Writer>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    if !super::authorised(&state, &headers).await? {
        return Err(ApiError::unauthorized());
    }
    let mut body = json_object_within(&headers, body, MAX_BODY).await?;
    let requests = match body.remove("requests") {
        Some(Value::Array(r)) if (1..=MAX_REQUESTS).contains(&r.len()) => r,
        _ => return Err(ApiError::field("requests", format!("is required: an array of 1 to {MAX_REQUESTS} requests"))),
    };
    Ok(Json(json!({"results": apply(&state, &writer, requests).await})))
}

/// Answers every request, in the order given (see the module's notes).
pub async fn apply(state: &AppState, writer: &Writer, requests: Vec<Value>) -> Vec<Value> {
    // The requests of each entity, in order; groups in the order their entity first comes.
    let total = requests.len();
    let mut groups: Vec<Vec<(usize, Value)>> = Vec::new();
    let mut of_entity = std::collections::HashMap::new();
    for (i, r) in requests.into_iter().enumerate() {
        let entity = r.get("entity").map(Value::to_string).unwrap_or_default();
        let g = *of_entity.entry(entity).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push((i, r));
    }
    let answered: Vec<(usize, Value)> = futures::stream::iter(groups)
        .map(|group| async move {
            let mut out = Vec::with_capacity(group.len());
            for (i, request) in group {
                out.push((i, answer(state, writer, request).await));
            }
            out
        })
        .buffer_unordered(SIDE_BY_SIDE)
        .flat_map(futures::stream::iter)
        .collect()
        .await;
    let mut results = vec![Value::Null; total];
    for (i, result) in answered {
        results[i] = result;
    }
    results
}

async fn answer(state: &AppState, writer: &Writer, request: Value) -> Value {
    let (status, body) = match request {
        Value::Object(map) => match super::one(state, writer, map).await {
            Ok(answer) => answer,
            Err(e) => (e.status, e.body()),
        },
        _ => {
            let e = ApiError::new(StatusCode::BAD_REQUEST, "Each request must be a JSON object.");
            (e.status, e.body())
        }
    };
    json!({"status": status.as_u16(), "body": body})
}
