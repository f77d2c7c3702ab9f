//! What operators watch the service by: `/healthz` (the process answers), `/readyz` (the
//! database answers and holds every migration) and `/metrics` (Prometheus' text format).
//! `/metrics` is served on the service's address to holders of a `VMS_METRICS_TOKENS`
//! token, and on `VMS_METRICS_ADDR` (a private address) to anyone who reaches it.

use crate::api_error::{bearer_in, ApiError};
use app::backend::metrics::Gauge;
use app::backend::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// `/healthz`, `/readyz` and the token-guarded `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(guarded_metrics))
}

/// `/metrics` alone, without a token: for the address `VMS_METRICS_ADDR` names.
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ready().await {
        Ok(()) => "ready".into_response(),
        Err(why) => {
            tracing::warn!(%why, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {why}")).into_response()
        }
    }
}

async fn guarded_metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if state.config.metrics_tokens.is_empty() {
        // Not served on this address: it is as if there were nothing here.
        return Err(ApiError::new(StatusCode::NOT_FOUND, "Not found."));
    }
    if !bearer_in(&headers, &state.config.metrics_tokens) {
        return Err(ApiError::unauthorized());
    }
    Ok(metrics(State(state)).await)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let pool = &state.db.pool;
    let idle = pool.num_idle() as f64;
    let gauges = [
        Gauge {
            name: "vms_db_pool_connections",
            help: "Database pool connections, by state.",
            values: vec![("state=\"idle\"".into(), idle), ("state=\"in_use\"".into(), f64::from(pool.size()) - idle)],
        },
        Gauge {
            name: "vms_db_pool_max_connections",
            help: "The most connections the pool opens.",
            values: vec![(String::new(), f64::from(pool.options().get_max_connections()))],
        },
        Gauge {
            name: "vms_event_streams_open",
            help: "Event streams open now.",
            values: vec![(String::new(), state.streams.open() as f64)],
        },
    ];
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render(&gauges))
        .into_response()
}

/// Counts every request with its route pattern, status and time to answer. Routes are
/// known only once routed, so the matched pattern comes back on the response (see
/// [`matched_route`]); anything unrouted (site files, unknown paths) counts as `fallback`.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().as_str().to_string();
    let res = next.run(req).await;
    let route = res.extensions().get::<MatchedPath>().map_or("fallback", |m| m.as_str());
    state.metrics.http_request(&method, route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// Puts the matched route pattern on the response, for [`track`].
pub async fn matched_route(req: Request, next: Next) -> Response {
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(m) = matched {
        res.extensions_mut().insert(m);
    }
    res
}
