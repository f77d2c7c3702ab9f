//! What every request passes before a handler sees it: cross-site requests refused, bodies
//! bounded without buffering what is too large, and the headers that make pages defend
//! themselves (Content-Security-Policy, nosniff, no framing, a strict referrer policy).

use crate::api_error::ApiError;
use app::backend::state::{origin_of, AppState};
use app::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest body of a server function.
pub const SERVER_FN_BODY: usize = 1024 * 1024;
/// Largest body of anything else (the JSON APIs).
pub const API_BODY: usize = crate::api_error::MAX_BODY;

/// Server functions answer errors in their own encoding (`AppError` as JSON), which the
/// browser side decodes; everything else in the JSON APIs' shape.
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/console/") || (path.starts_with("/api/client/") && !path.starts_with("/api/client/v1/"))
}

/// APIs authenticated by bearer tokens only: a browser's ambient credentials do nothing
/// there, so another site gains nothing by sending requests.
fn is_bearer_only(path: &str) -> bool {
    ["/api/billing/", "/api/media/", "/api/analytics/"].iter().any(|p| path.starts_with(p))
}

fn refuse(path: &str, error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if is_server_fn(path) {
        let body = serde_json::to_string(&error).unwrap_or_default();
        return (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    }
    ApiError::new(status, error.to_string()).into_response()
}

/// Whether a browser sent this request on behalf of another site. `Sec-Fetch-Site` when the
/// browser sends it; else `Origin` against the public URL (or the request's own host).
/// Requests with neither (curl, apps) are not a browser's, and pass.
pub fn cross_site(req: &Request, public_origin: Option<&str>) -> bool {
    let get = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = get("origin") else { return false };
    let Some(origin) = origin_of(origin) else { return true };
    match public_origin {
        Some(expected) => origin != expected,
        None => {
            let host = get("host").unwrap_or_default().to_ascii_lowercase();
            origin.split_once("://").map(|(_, h)| h) != Some(host.as_str())
        }
    }
}

/// Refuses cross-site requests (403) that change state with the browser's session: every
/// request other than GET/HEAD/OPTIONS to a server function or carrying a cookie (outside
/// the bearer-only APIs), and the one GET that signs in (a Log in as User link). SameSite=Lax cookies are the first line; this is the
/// second, and it also stops sign-in forms posted from other sites.
pub async fn same_site_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !is_bearer_only(path);
    // What rides on the browser: its cookies, and server functions (the sign-in form
    // among them). An app's bearer-token request carries no cookie.
    let ambient = req.headers().contains_key(header::COOKIE) || is_server_fn(path);
    let signs_in = path.starts_with("/client/impersonate/");
    if ((changes_state && ambient) || signs_in) && cross_site(&req, state.config.public_origin.as_deref()) {
        let path = path.to_string();
        tracing::warn!(path = %crate::http_layers::loggable_path(&path), "cross-site request refused");
        return refuse(&path, AppError::ForbiddenWhy("Requests from other sites are not accepted.".into()));
    }
    next.run(req).await
}

/// Bounds request bodies: 1 MiB for server functions, 4 MiB for a batch of billing
/// requests, 64 KiB for everything else. A body
/// announced larger is refused (413) before any of it is read; a body without a length is
/// read up to the limit and refused once it passes it.
pub async fn bounded_body(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let limit = if is_server_fn(&path) {
        SERVER_FN_BODY
    } else if path == crate::billing::batch::PATH {
        crate::billing::batch::MAX_BODY
    } else {
        API_BODY
    };
    let too_large = || {
        let what = if limit >= 1024 * 1024 {
            format!("{} MiB", limit / (1024 * 1024))
        } else {
            format!("{} KiB", limit / 1024)
        };
        refuse(&path, AppError::TooLarge(format!("The request body is larger than {what}.")))
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match announced {
        Some(n) if n > limit as u64 => return too_large(),
        Some(_) => return next.run(req).await,
        None if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) => return next.run(req).await,
        None => {}
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => too_large(),
    }
}

/// Headers every answer carries; pages without their own policy get one without a nonce.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    let html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(v) = HeaderValue::from_str(&app::backend::csp::content_security_policy(None)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        let mut b = Request::post("/api/console/users");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_is_told_by_fetch_metadata_or_origin() {
        assert!(!cross_site(&req(&[("sec-fetch-site", "same-origin")]), None));
        assert!(!cross_site(&req(&[("sec-fetch-site", "none")]), None));
        assert!(cross_site(&req(&[("sec-fetch-site", "cross-site")]), None));
        assert!(cross_site(&req(&[("sec-fetch-site", "same-site")]), None));
        assert!(!cross_site(&req(&[("origin", "http://vms.local:3000"), ("host", "vms.local:3000")]), None));
        assert!(cross_site(&req(&[("origin", "https://evil.example"), ("host", "vms.local:3000")]), None));
        assert!(cross_site(&req(&[("origin", "null"), ("host", "vms.local")]), None));
        let public = Some("https://vms.example.net");
        assert!(!cross_site(&req(&[("origin", "https://vms.example.net")]), public));
        assert!(cross_site(&req(&[("origin", "http://vms.example.net")]), public));
        assert!(!cross_site(&req(&[]), None), "no browser headers: not a browser");
    }
}
