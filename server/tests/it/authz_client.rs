//! The web client's half of the authorisation matrix: every web client server function and
//! client API route, with what the user gets and what a Log in as User session (an
//! administrator scoped to IN-1, logged in as ulla) gets; and the API routes' tokens.

use crate::common::{each_backend, has_token, world, ClientBody, TestApp, World};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

/// What a Log in as User session (by an administrator scoped to IN-1) gets, beside what the
/// user itself gets.
#[derive(Clone, Copy, Debug)]
enum AsAdmin {
    /// The same as the user.
    Same,
    /// Refused with this status (the user gets `user`).
    Refused(StatusCode),
    /// Answered without these words, which the user's answer has.
    Hides(&'static [&'static str]),
}

pub(crate) struct ClientRow {
    /// `fn:<endpoint>` for a web client server function, else `METHOD /path`.
    pub(crate) endpoint: &'static str,
    /// A JSON body, form fields as `a=b&c=d` for server functions, or nothing.
    body: &'static str,
    /// The status the user gets.
    user: StatusCode,
    /// Needs no session (and the user's status is what anyone gets).
    public: bool,
    as_admin: AsAdmin,
}

const fn client(endpoint: &'static str, body: &'static str, user: StatusCode, as_admin: AsAdmin) -> ClientRow {
    ClientRow { endpoint, body, user, public: false, as_admin }
}

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;
const GONE: StatusCode = StatusCode::NO_CONTENT;
const MISSING: StatusCode = StatusCode::NOT_FOUND;
const REFUSED: AsAdmin = AsAdmin::Refused(StatusCode::FORBIDDEN);
const OUT_OF_SCOPE: AsAdmin = AsAdmin::Refused(StatusCode::NOT_FOUND);
const NOT_GIVEN: AsAdmin = AsAdmin::Refused(StatusCode::UNPROCESSABLE_ENTITY);
const SAME: AsAdmin = AsAdmin::Same;

/// Every web client server function and client API route. Rows that remove something are
/// called by the administrator first, then by the user.
pub(crate) const CLIENT_MATRIX: &[ClientRow] = &[
    ClientRow {
        endpoint: "fn:sign_in",
        body: "login=ulla&password=ulla-password",
        user: OK,
        public: true,
        as_admin: SAME,
    },
    ClientRow {
        endpoint: "POST /api/client/v1/sessions",
        body: r#"{"login": "ulla", "password": "ulla-password"}"#,
        user: CREATED,
        public: true,
        as_admin: SAME,
    },
    client("fn:home", "", OK, AsAdmin::Hides(&["{outside}"])),
    client("fn:me", "", OK, SAME),
    client("GET /api/client/v1/environment", "", OK, AsAdmin::Hides(&["{outside}"])),
    client("GET /api/client/v1/environment/events", "", OK, SAME),
    client("fn:analytics", "", OK, AsAdmin::Hides(&["Outside case"])),
    client("GET /api/client/v1/cases", "", OK, AsAdmin::Hides(&["Outside case"])),
    client("fn:create_case", r#"{"name": "More", "kind": "motion-detect", "camera_ids": [{outside}]}"#, OK, NOT_GIVEN),
    client(
        "POST /api/client/v1/cases",
        r#"{"name": "More", "type": "motion-detect", "camera_ids": [{outside}]}"#,
        CREATED,
        NOT_GIVEN,
    ),
    client("fn:case_events", "id={outside_case}", OK, OUT_OF_SCOPE),
    client("GET /api/client/v1/cases/{outside_case}/events", "", OK, OUT_OF_SCOPE),
    client("fn:case_events", "id={other_case}", MISSING, OUT_OF_SCOPE),
    client("GET /api/client/v1/cases/{other_case}/events", "", MISSING, OUT_OF_SCOPE),
    client("DELETE /api/client/v1/cases/{other_case}", "", MISSING, OUT_OF_SCOPE),
    client("fn:delete_case", "id={other_case}", MISSING, OUT_OF_SCOPE),
    client("DELETE /api/client/v1/cases/{fresh_outside_case}", "", GONE, OUT_OF_SCOPE),
    client("fn:delete_case", "id={fresh_outside_case}", OK, OUT_OF_SCOPE),
    client("fn:sub_users", "", OK, AsAdmin::Hides(&["{outside}"])),
    client("GET /api/client/v1/sub-users", "", OK, AsAdmin::Hides(&["{outside}"])),
    client(
        "fn:save_sub_user",
        r#"{"id": null, "login": "kid{n}", "name": "Kid", "password": "kid-password-1", "permissions": [], "camera_ids": [], "version": null}"#,
        OK,
        REFUSED,
    ),
    client(
        "POST /api/client/v1/sub-users",
        r#"{"login": "kid{n}", "name": "Kid", "password": "kid-password-1", "permissions": []}"#,
        CREATED,
        REFUSED,
    ),
    client("PUT /api/client/v1/sub-users/{sub}", r#"{"password": "another-password"}"#, OK, REFUSED),
    client("PUT /api/client/v1/sub-users/{sub}", r#"{"login": "ulla-kid-{n}"}"#, OK, REFUSED),
    client(
        "fn:save_sub_user",
        r#"{"id": {sub}, "login": "ulla-kid-{n}", "name": "Kid", "password": "", "permissions": [], "camera_ids": [], "version": null}"#,
        OK,
        REFUSED,
    ),
    client(
        "fn:save_sub_user",
        r#"{"id": {sub}, "login": "{sub_login}", "name": "Kid", "password": "another-password", "permissions": [], "camera_ids": [], "version": null}"#,
        OK,
        REFUSED,
    ),
    client("PUT /api/client/v1/sub-users/{sub}", r#"{"name": "Kid {n}", "camera_ids": [{outside}]}"#, OK, NOT_GIVEN),
    client("PUT /api/client/v1/sub-users/{sub}", r#"{"name": "Kid {n}"}"#, OK, SAME),
    client("PUT /api/client/v1/sub-users/{other_sub}", r#"{"name": "Kid {n}"}"#, MISSING, OUT_OF_SCOPE),
    client("DELETE /api/client/v1/sub-users/{other_sub}", "", MISSING, OUT_OF_SCOPE),
    client("fn:delete_sub_user", "id={other_sub}", MISSING, OUT_OF_SCOPE),
    client("DELETE /api/client/v1/sub-users/{fresh_sub}", "", GONE, SAME),
    client("fn:delete_sub_user", "id={fresh_sub}", OK, SAME),
    client("fn:sign_out", "", OK, SAME),
];

/// Fills a client row's placeholders; `{fresh_sub}` and `{fresh_outside_case}` are made anew
/// for each call (the call may remove them).
async fn fill_client(app: &TestApp, w: &World, text: &str, n: usize) -> String {
    let mut text = text.to_string();
    if text.contains("{fresh_sub}") {
        static LOGINS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = LOGINS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let body = serde_json::json!({"login": format!("fresh{k}"), "name": "Fresh", "password": "fresh-password", "permissions": []});
        let (status, made) = app.api("POST", "/api/client/v1/sub-users", Some(&w.user_cookie), Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let id = serde_json::from_str::<Value>(&made).unwrap()["id"].as_i64().unwrap();
        text = text.replace("{fresh_sub}", &id.to_string());
    }
    if text.contains("{fresh_outside_case}") {
        let body =
            serde_json::json!({"name": format!("Fresh {n}"), "type": "motion-detect", "camera_ids": [w.outside]});
        let (status, made) = app.api("POST", "/api/client/v1/cases", Some(&w.user_cookie), Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let id = serde_json::from_str::<Value>(&made).unwrap()["id"].as_i64().unwrap();
        text = text.replace("{fresh_outside_case}", &id.to_string());
    }
    let sub_login: (String,) =
        sqlx::query_as("SELECT login FROM users WHERE id = $1").bind(w.sub).fetch_one(&app.db().pool).await.unwrap();
    text.replace("{outside_case}", &w.outside_case.to_string())
        .replace("{other_case}", &w.other_case.to_string())
        .replace("{other_sub}", &w.other_sub.to_string())
        .replace("{sub_login}", &sub_login.0)
        .replace("{sub}", &w.sub.to_string())
        .replace("{outside}", &w.outside.to_string())
        .replace("{n}", &n.to_string())
}

/// Calls a client row with a session cookie; the event stream is only opened (its status),
/// never read to its end.
async fn call_client(app: &TestApp, w: &World, r: &ClientRow, cookie: Option<&str>, n: usize) -> (StatusCode, String) {
    let body = fill_client(app, w, r.body, n).await;
    if let Some(endpoint) = r.endpoint.strip_prefix("fn:") {
        let (status, v) = if body.starts_with('{') {
            app.client_fn(endpoint, cookie, ClientBody::Json(serde_json::from_str(&body).unwrap())).await
        } else {
            let fields: Vec<(&str, &str)> = body.split('&').filter_map(|p| p.split_once('=')).collect();
            app.client_fn(endpoint, cookie, ClientBody::Form(&fields)).await
        };
        return (status, v.to_string());
    }
    let (method, path) = r.endpoint.split_once(' ').unwrap();
    let path = fill_client(app, w, path, n).await;
    if path.ends_with("/events") && !path.contains("/cases/") {
        use tower::ServiceExt;
        let mut req = axum::http::Request::get(&path).body(axum::body::Body::empty()).unwrap();
        if let Some(c) = cookie {
            req.headers_mut().insert(axum::http::header::COOKIE, c.parse().unwrap());
        }
        let res = app.router.clone().oneshot(req).await.unwrap();
        return (res.status(), String::new());
    }
    let json: Option<Value> = (!body.is_empty()).then(|| serde_json::from_str(&body).unwrap());
    app.api(method, &path, cookie, json.as_ref()).await
}

#[tokio::test]
async fn each_client_route_serves_the_user_and_keeps_an_impersonating_administrator_inside() {
    each_backend(|app| async move {
        let w = world(&app).await;
        app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate"], &["IN-1"], &[]).await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        for (i, r) in CLIENT_MATRIX.iter().enumerate() {
            let n = i + 1;
            let ctx = format!("{} {}", r.endpoint, r.body);
            let (status, text) = call_client(&app, &w, r, None, n).await;
            if r.public {
                assert_eq!(status, r.user, "{ctx} without a session: {text}");
                continue;
            }
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx} without a session: {text}");
            // Fresh sessions: a row may end its own.
            let as_admin = app.impersonate(&admin, w.user).await;
            let own = app.user_session("ulla", crate::common::USER_PASSWORD).await;
            let (admin_status, admin_text) = call_client(&app, &w, r, Some(&as_admin), n).await;
            let (status, text) = call_client(&app, &w, r, Some(&own), n + 100).await;
            assert_eq!(status, r.user, "{ctx} by the user: {text}");
            match r.as_admin {
                AsAdmin::Same => assert_eq!(admin_status, r.user, "{ctx} as the user: {admin_text}"),
                AsAdmin::Refused(expected) => assert_eq!(admin_status, expected, "{ctx} as the user: {admin_text}"),
                AsAdmin::Hides(words) => {
                    assert_eq!(admin_status, r.user, "{ctx} as the user: {admin_text}");
                    for word in words.iter() {
                        let word = fill_client(&app, &w, word, n).await;
                        assert!(!has_token(&admin_text, &word), "{ctx}: the administrator sees {word}: {admin_text}");
                        assert!(has_token(&text, &word), "{ctx}: the user should see {word}: {text}");
                    }
                }
            }
        }
        app
    })
    .await;
}

/// The JSON API routes: billing, media and analytics need their own bearer tokens, the client
/// API a user session; the billing OpenAPI document is public.
#[tokio::test]
async fn api_routes_need_their_tokens() {
    each_backend(|app| async move {
        let post = |auth: Option<&str>| {
            let mut b = Request::post("/api/billing/v1/requests").header(header::CONTENT_TYPE, "application/json");
            if let Some(a) = auth {
                b = b.header(header::AUTHORIZATION, a);
            }
            b.body(Body::from(json!({"id": "authz-1", "type": "billing.pause_entity", "entity": "none"}).to_string()))
                .unwrap()
        };
        assert_eq!(app.request(post(None)).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(post(Some("Bearer wrong"))).await.0, StatusCode::UNAUTHORIZED);
        // An admin session is no billing credential.
        let cookie = app.superadmin().await;
        let mut with_cookie = post(None);
        with_cookie.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        assert_eq!(app.request(with_cookie).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(post(Some("Bearer test-billing-token"))).await.0, StatusCode::NOT_FOUND);
        let media = |auth: &str| {
            Request::post("/api/media/v1/streams")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, auth)
                .body(Body::from(json!({"mac": "00:00:00:00:00:01", "stream": "high", "up": true}).to_string()))
                .unwrap()
        };
        assert_eq!(app.request(media("Bearer wrong")).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(media("Bearer test-billing-token")).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(media("Bearer test-media-token")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let event = |auth: &str| {
            Request::post("/api/analytics/v1/events")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, auth)
                .body(Body::from(
                    json!({"case_id": 999, "kind": "face", "occurred_at": "2026-11-27T10:00:00Z"}).to_string(),
                ))
                .unwrap()
        };
        assert_eq!(app.request(event("Bearer test-media-token")).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(event("Bearer test-analytics-token")).await.0, StatusCode::NOT_FOUND);
        // The client API takes user session tokens only: not an admin cookie, not an API token.
        for auth in [None, Some("Bearer test-billing-token")] {
            let mut b = Request::get("/api/client/v1/cases").header(header::COOKIE, cookie.as_str());
            if let Some(a) = auth {
                b = b.header(header::AUTHORIZATION, a);
            }
            assert_eq!(app.request(b.body(Body::empty()).unwrap()).await.0, StatusCode::UNAUTHORIZED);
        }
        let (status, _, _) = app.get("/api/billing/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        app
    })
    .await;
}
