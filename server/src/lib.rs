//! The `server` binary's library: router assembly, administrators, CSA import and demo data.

pub mod admins;
pub mod analytics;
pub mod api_error;
pub mod assets;
pub mod billing;
pub mod client_api;
pub mod csa;
pub mod demo;
pub mod export;
pub mod guards;
pub mod http_layers;
pub mod media;
pub mod observe;
pub mod retention;

use app::backend::auth::{admin_session, cookie, ADMIN_COOKIE};
use app::backend::AppState;
use app::{shell, App};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// The sign-in pages, open to everyone.
const SIGN_IN_PAGES: &[&str] = &["/login", "/client/login"];

/// Which pages need which session, read from the app's routes: the web client's pages
/// (under `/client`) a user's; the console's (every other page) an administrator's, and
/// so does anything under their first path segment (`/users/…`).
#[derive(Clone, Debug, PartialEq)]
pub struct Pages {
    pub console_sections: Vec<String>,
    pub client_pages: Vec<String>,
}

impl Pages {
    pub fn from_routes<'a>(paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut pages = Pages { console_sections: Vec::new(), client_pages: Vec::new() };
        for path in paths.into_iter().filter(|p| !SIGN_IN_PAGES.contains(p)) {
            if path == "/client" || path.starts_with("/client/") {
                pages.client_pages.push(path.to_string());
            } else if let Some(section) = path.split('/').nth(1).filter(|s| !s.is_empty()) {
                let section = format!("/{section}");
                if !pages.console_sections.contains(&section) {
                    pages.console_sections.push(section);
                }
            }
        }
        pages
    }

    fn console(&self, path: &str) -> bool {
        self.console_sections
            .iter()
            .any(|p| path == p || path.strip_prefix(p.as_str()).is_some_and(|rest| rest.starts_with('/')))
    }

    fn client(&self, path: &str) -> bool {
        self.client_pages.iter().any(|p| p == path)
    }
}

/// The whole application as one router, so tests can call it without a socket.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let pages = std::sync::Arc::new(Pages::from_routes(routes.iter().map(|r| r.path())));
    let options = state.leptos_options.clone();
    let router = Router::new()
        .route("/", get(|| async { Redirect::to("/users") }))
        .merge(observe::routes())
        .merge(export::routes())
        .merge(billing::routes(&state))
        .merge(media::routes())
        .merge(analytics::routes())
        .merge(client_api::routes())
        .route("/client/impersonate/{token}", get(impersonate))
        .route("/language/{code}", get(choose_language))
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .route_layer(middleware::from_fn(observe::matched_route))
        .fallback(site_files)
        .layer(middleware::from_fn_with_state((state.clone(), pages), console_session))
        .layer(middleware::from_fn(guards::bounded_body))
        .layer(middleware::from_fn_with_state(state.clone(), guards::same_site_only))
        .layer(middleware::from_fn(guards::security_headers))
        .layer(middleware::from_fn(assets::cache_headers))
        .layer(middleware::from_fn_with_state(state.clone(), observe::track))
        .with_state(state);
    http_layers::with_http_layers(router)
}

/// The site's files (precompressed at start-up), and the not-found page for anything else.
///
/// Not leptos_axum's file handler alone: it gives a file's response the headers of whatever
/// page the worker thread was rendering when it ran (it takes them from the thread's
/// reactive owner), so a page could lose its Content-Security-Policy to a script served
/// beside it. Here it only renders the not-found page.
async fn site_files(State(state): State<AppState>, uri: axum::http::Uri, req: Request) -> Response {
    use tower::ServiceExt;
    let mut file = Request::new(axum::body::Body::empty());
    *file.method_mut() = req.method().clone();
    *file.uri_mut() = req.uri().clone();
    *file.headers_mut() = req.headers().clone();
    let dir =
        tower_http::services::ServeDir::new(&*state.leptos_options.site_root).precompressed_br().precompressed_gzip();
    match dir.oneshot(file).await {
        Ok(res) if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED => {
            res.map(axum::body::Body::new)
        }
        _ => leptos_axum::file_and_error_handler::<AppState, _>(shell)(uri, State(state), req).await,
    }
}

/// A console page opened without a session goes to `/login` and comes back after sign-in;
/// a web client page without one goes to `/client/login`.
async fn console_session(
    State((state, pages)): State<(AppState, std::sync::Arc<Pages>)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if pages.client(path) {
        // The web client's page needs a user session.
        let signed_in = match app::backend::client::request_token(req.headers()) {
            Some(token) => matches!(app::backend::client::session_user(&state, token).await, Ok(Some(_))),
            None => false,
        };
        return if signed_in { next.run(req).await } else { Redirect::to("/client/login").into_response() };
    }
    if !pages.console(path) {
        return next.run(req).await;
    }
    let now = state.clock.now_ms();
    let signed_in = match cookie(req.headers(), ADMIN_COOKIE) {
        Some(token) => {
            matches!(admin_session(&state.db, token, now, state.config.admin_session_max_ms).await, Ok(Some(_)))
        }
        None => false,
    };
    if signed_in {
        return next.run(req).await;
    }
    let back = req.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/users");
    Redirect::to(&format!("/login?next={}", app::components::url::encode(back))).into_response()
}

/// The header's language switch: remembers the language for a year and goes back to the
/// page (`next`, a path of this site), which the server now renders in it.
async fn choose_language(
    State(state): State<AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(locale) = app::lang::named(&code) else {
        return (axum::http::StatusCode::NOT_FOUND, "Unknown language.").into_response();
    };
    let next = app::domain::redirect::safe_next(query.get("next").map_or("/", String::as_str));
    let cookie = app::backend::auth::set_cookie(
        app::lang::LANG_COOKIE,
        app::lang::code(locale),
        365 * app::domain::time::DAY_MS,
        state.config.secure_cookies,
    );
    ([(axum::http::header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

/// `/client/impersonate/{token}`: exchanges an administrator's single-use link for a web
/// client session as the user (the administrator's own session is untouched). A link that
/// cannot be used answers a page saying why, in the language the browser asks for.
async fn impersonate(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    use app::backend::{audit, auth, client};
    use app::components::states::link_refused_page;
    use axum::http::{header, StatusCode};
    let now = state.clock.now_ms();
    let locale = app::lang::of_request(&headers);
    let refused = |status: StatusCode, error: Option<&app::error::AppError>| {
        let page = link_refused_page(locale, error);
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
    };
    let failed = |e: app::error::AppError| {
        refused(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Some(&e))
    };
    let redeemed = match client::redeem_impersonation(&state, &token).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let Some(imp) = redeemed else {
        // Expired, already used, or its administrator signed out.
        return refused(StatusCode::GONE, None);
    };
    let (session, expires) =
        match client::create_session(&state, imp.user, Some((imp.admin_id, &imp.admin_session))).await {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
    let entry = audit::Entry {
        actor_kind: "admin",
        actor_id: Some(imp.admin_id),
        actor_login: &imp.admin_login,
        impersonator_id: Some(imp.admin_id),
        action: "user.impersonate_start",
        target_kind: "user",
        target_id: Some(imp.user),
        target_label: &imp.login,
        user_id: Some(imp.user),
        details: serde_json::json!({}),
    };
    if let Err(e) = audit::record_db(&state.db, now, entry).await {
        return failed(e);
    }
    let cookie = auth::set_cookie(client::USER_COOKIE, &session, expires - now, state.config.secure_cookies);
    (StatusCode::SEE_OTHER, [(header::LOCATION, "/client".to_string()), (header::SET_COOKIE, cookie)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::Pages;

    // In a runtime, as the server builds its routes: rendering the app to list them
    // starts its effects.
    #[tokio::test]
    async fn the_pages_that_need_a_session_are_read_from_the_routes() {
        let routes = leptos_axum::generate_route_list(app::App);
        let pages = Pages::from_routes(routes.iter().map(|r| r.path()));
        assert_eq!(
            pages.console_sections,
            ["/users", "/cameras", "/intercoms", "/administrators", "/audit-log", "/search"]
        );
        assert_eq!(pages.client_pages, ["/client", "/client/sub-users", "/client/analytics"]);
        assert!(pages.console("/users/7/cameras") && pages.console("/audit-log") && !pages.console("/usersx"));
        assert!(!pages.console("/login") && !pages.client("/client/login") && !pages.client("/client/impersonate/x"));
    }
}
