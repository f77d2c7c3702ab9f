//! The error shape of every JSON API: `{"message": "...", "errors": {"field": ["reason"]}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub errors: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), errors: Map::new() }
    }

    /// A 422 naming the field and the reason.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "The request is not valid.").with(field, reason)
    }

    pub fn with(mut self, field: &str, reason: impl Into<String>) -> Self {
        let reasons = self.errors.entry(field.to_string()).or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(list) = reasons {
            list.push(Value::String(reason.into()));
        }
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "A valid bearer token is required.")
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server.")
    }

    pub fn body(&self) -> Value {
        json!({"message": self.message, "errors": self.errors})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        Self::internal()
    }
}

impl From<app::error::AppError> for ApiError {
    fn from(e: app::error::AppError) -> Self {
        if let app::error::AppError::Fields { fields, .. } = e {
            return fields
                .into_iter()
                .fold(Self::new(StatusCode::UNPROCESSABLE_ENTITY, "The request is not valid."), |e, (f, why)| {
                    e.with(&f, why)
                });
        }
        Self::new(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), e.to_string())
    }
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Whether the request carries one of `tokens` as its bearer token (constant-time compare).
pub fn bearer_in(headers: &axum::http::HeaderMap, tokens: &[String]) -> bool {
    bearer(headers)
        .is_some_and(|t| tokens.iter().any(|k| app::backend::token::constant_time_eq(k.as_bytes(), t.as_bytes())))
}

/// Largest body any JSON API accepts.
pub const MAX_BODY: usize = 64 * 1024;

/// Reads a JSON API body: `415` unless JSON, `413` over 64 KiB, `400` unless a JSON object.
pub async fn json_object(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
) -> Result<Map<String, Value>, ApiError> {
    json_object_within(headers, body, MAX_BODY).await
}

/// A JSON object body of at most `limit` bytes.
pub async fn json_object_within(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    let json_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The body must be JSON (Content-Type: application/json).",
        ));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("The body is larger than {} KiB.", limit / 1024))
    })?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("The body is not valid JSON: {e}")))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::new(StatusCode::BAD_REQUEST, "The body must be a JSON object.")),
    }
}
