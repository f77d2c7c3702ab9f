//! Cross-cutting HTTP layers: request ids, tracing and compression.

use axum::http::Request;
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:x}-{n}", std::process::id());
        axum::http::HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// Every request gets an `x-request-id` (kept if the client sent one), echoed in the
/// response and carried by the request's log span.
pub fn with_http_layers(router: Router) -> Router {
    router
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<axum::body::Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %loggable_path(req.uri().path()))
        }))
        .layer(SetRequestIdLayer::x_request_id(Counter::default()))
}

/// A path as logs may show it: the single-use token of a Log in as User link is a
/// credential for its minute of life, so it never reaches a log.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    const SECRET_AFTER: &str = "/client/impersonate/";
    match path.strip_prefix(SECRET_AFTER) {
        Some(rest) if !rest.is_empty() => format!("{SECRET_AFTER}…").into(),
        _ => path.into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn impersonation_tokens_are_not_logged() {
        assert_eq!(super::loggable_path("/client/impersonate/abc123"), "/client/impersonate/…");
        assert_eq!(super::loggable_path("/users/3/cameras"), "/users/3/cameras");
    }
}
