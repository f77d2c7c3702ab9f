//! The `server` binary's library: router assembly, administrators, CSA import and demo data.

pub mod admins;
pub mod analytics;
pub mod api_error;
pub mod billing;
pub mod client_api;
pub mod csa;
pub mod demo;
pub mod http_layers;
pub mod media;
pub mod retention;

use app::server::auth::{admin_session, cookie, ADMIN_COOKIE};
use app::server::AppState;
use app::{shell, App};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// Console pages that need a signed-in administrator.
const CONSOLE_PREFIXES: &[&str] = &["/users", "/cameras", "/intercoms", "/administrators", "/audit-log"];

/// The whole application as one router, so tests can call it without a socket.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let router = Router::new()
        .route("/", get(|| async { Redirect::to("/users") }))
        .route("/healthz", get(|| async { "ok" }))
        .merge(billing::routes(&state))
        .merge(media::routes())
        .merge(analytics::routes())
        .merge(client_api::routes())
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), console_session))
        .with_state(state);
    http_layers::with_http_layers(router)
}

/// A console page opened without a session goes to `/login` and comes back after sign-in.
async fn console_session(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let guarded =
        CONSOLE_PREFIXES.iter().any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')));
    if !guarded {
        return next.run(req).await;
    }
    let now = state.clock.now_ms();
    let signed_in = match cookie(req.headers(), ADMIN_COOKIE) {
        Some(token) => matches!(admin_session(&state.db, token, now).await, Ok(Some(_))),
        None => false,
    };
    if signed_in {
        return next.run(req).await;
    }
    let back = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/users");
    Redirect::to(&format!("/login?next={}", app::components::url::encode(back))).into_response()
}
