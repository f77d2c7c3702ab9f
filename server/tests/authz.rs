//! The authorisation matrix: one table lists every console server function and API route
//! with what it needs. Each is called with no session, by an administrator lacking that
//! permission, by a scoped administrator holding it, and by a superadmin. A server function
//! registered without a row here fails the test.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{each_backend, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Need {
    /// Anyone may call it (the sign-in form).
    Public,
    /// Any signed-in administrator.
    Session,
    /// This console permission.
    Perm(&'static str),
}

enum Args {
    /// Form fields; `{user}`, `{victim}`, `{version}` and `{n}` are filled in per call.
    Form(&'static [(&'static str, &'static str)]),
    /// A JSON body with the same placeholders.
    Json(&'static str),
}

struct Row {
    endpoint: &'static str,
    need: Need,
    /// What a scoped administrator holding the permission gets (404 for an object outside
    /// the scope).
    scoped: StatusCode,
    args: Args,
}

const fn row(endpoint: &'static str, need: Need, args: Args) -> Row {
    Row { endpoint, need, scoped: StatusCode::OK, args }
}

use Args::{Form, Json};
use Need::{Perm, Public, Session};

/// Every console server function and what it needs.
const MATRIX: &[Row] = &[
    row("sign_in", Public, Form(&[("login", "victim"), ("password", "password-123")])),
    row("me", Session, Form(&[])),
    row("sign_out", Session, Form(&[])),
    row("users", Perm("users-view"), Form(&[])),
    row("user_header", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_profile", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_cameras", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_intercoms", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_sub_users", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_billing_events", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_access", Perm("users-view"), Form(&[("id", "{user}")])),
    row("user_licences", Perm("users-view"), Form(&[("id", "{user}")])),
    row(
        "save_user_access",
        Perm("users-access-edit"),
        Json(r#"{"id": {user}, "slugs": ["cameras-live"], "version": {version}}"#),
    ),
    row("sub_user_access", Perm("users-view"), Form(&[("id", "{sub}")])),
    row(
        "save_sub_user_access",
        Perm("subusers-access-edit"),
        Json(r#"{"id": {sub}, "slugs": ["cameras-live"], "version": {sub_version}}"#),
    ),
    row("sync_user_cameras", Perm("users-sync-cameras"), Form(&[("id", "{user}")])),
    row("impersonate_user", Perm("users-impersonate"), Form(&[("id", "{user}")])),
    row("admins", Perm("admins-manage"), Form(&[])),
    row(
        "create_admin",
        Perm("admins-manage"),
        Json(
            r#"{"form": {"login": "new{n}", "name": "New", "role": "admin", "permissions": [], "scope_all": false,
                "scope_csa": "", "scope_cameras": ""}, "password": "password-123"}"#,
        ),
    ),
    row(
        "update_admin",
        Perm("admins-manage"),
        Json(
            r#"{"id": {victim}, "form": {"login": "victim", "name": "Victim {n}", "role": "admin", "permissions": [],
                "scope_all": false, "scope_csa": "", "scope_cameras": ""}}"#,
        ),
    ),
    row("set_admin_disabled", Perm("admins-manage"), Form(&[("id", "{victim}"), ("disabled", "true")])),
    row("reset_admin_password", Perm("admins-manage"), Json(r#"{"id": {victim}, "password": "another-password"}"#)),
    row("audit_log", Perm("audit-view"), Form(&[])),
    row("intercoms", Perm("users-view"), Form(&[])),
    row("intercom", Perm("users-view"), Form(&[("id", "{intercom}")])),
    row(
        "save_intercom",
        Perm("intercoms-edit"),
        Json(
            r#"{"id": null, "form": {"name": "Door {n}", "csa_code": "{csa}", "department": "1", "flat_from": 1,
                "flat_to": 10}}"#,
        ),
    ),
    row("intercom_apartments", Perm("users-view"), Form(&[("id", "{intercom}"), ("linked_only", "false")])),
    row(
        "link_apartment",
        Perm("intercoms-edit"),
        Json(r#"{"intercom_id": {intercom}, "flat": {n}, "login": "{login}"}"#),
    ),
    row("unlink_apartment", Perm("intercoms-edit"), Form(&[("link_id", "{link}")])),
    row("add_apartment_key", Perm("intercoms-edit"), Json(r#"{"link_id": {link}, "code": "KEY-{n}"}"#)),
    row("remove_apartment_key", Perm("intercoms-edit"), Form(&[("key_id", "{key}")])),
    Row {
        endpoint: "camera_profile",
        need: Perm("users-view"),
        scoped: StatusCode::NOT_FOUND,
        args: Form(&[("id", "{outside_camera}")]),
    },
];

struct Fixture {
    user: i64,
    victim: i64,
    csa: String,
    /// A camera that is not placed at `csa`: outside the scoped administrator's scope.
    outside_camera: i64,
    login: String,
    /// An intercom with flats 1–5000 for apartment links.
    intercom: i64,
    /// A sub-user of `user` holding cameras-live (which `user` holds by default).
    sub: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    server::demo::generate(app.db(), 5, 7, app.now()).await.unwrap();
    let (user, csa): (i64, String) = sqlx::query_as(
        "SELECT ul.user_id, l.csa_code FROM user_locations ul JOIN locations l ON l.id = ul.location_id \
         JOIN users u ON u.id = ul.user_id WHERE u.parent_id IS NULL AND u.status <> 'deleted' ORDER BY ul.user_id LIMIT 1",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let (outside_camera,): (i64,) = sqlx::query_as(
        "SELECT c.id FROM cameras c LEFT JOIN locations l ON l.id = c.location_id \
         WHERE l.csa_code IS NULL OR l.csa_code <> $1 ORDER BY c.id LIMIT 1",
    )
    .bind(&csa)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let victim = app.create_admin("victim", "admin", &[], &[], &[]).await;
    let (login,): (String,) =
        sqlx::query_as("SELECT login FROM users WHERE id = $1").bind(user).fetch_one(&app.db().pool).await.unwrap();
    let (intercom,): (i64,) = sqlx::query_as(
        "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
         VALUES ('Matrix door', $1, '1', 1, 5000, 'matrix door', 0) RETURNING id",
    )
    .bind(&csa)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    let (sub,): (i64,) = sqlx::query_as(
        "INSERT INTO users (parent_id, login, name, password_hash, search, created_at, updated_at) \
         VALUES ($1, 'matrix-sub', 'Matrix Sub', 'x', 'matrix sub', 0, 0) RETURNING id",
    )
    .bind(user)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    Fixture { user, victim, csa, outside_camera, login, intercom, sub }
}

static FRESH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Fills the placeholders of a row; `{link}` and `{key}` make a fresh apartment link (and key)
/// for each call, since the calls before may have removed the last one.
async fn fill(app: &TestApp, fx: &Fixture, text: &str, n: usize) -> String {
    let version = app.scalar(&format!("SELECT access_version FROM users WHERE id = {}", fx.user)).await;
    let sub_version = app.scalar(&format!("SELECT access_version FROM users WHERE id = {}", fx.sub)).await;
    let (mut link, mut key) = (0, 0);
    if text.contains("{link}") || text.contains("{key}") {
        (link,) = sqlx::query_as(
            "INSERT INTO apartment_links (intercom_id, flat, user_id, created_at) VALUES ($1, $2, $3, 0) RETURNING id",
        )
        .bind(fx.intercom)
        .bind(2000 + FRESH.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as i64)
        .bind(fx.user)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        (key,) = sqlx::query_as(
            "INSERT INTO apartment_keys (link_id, intercom_id, code, created_at) VALUES ($1, $2, $3, 0) RETURNING id",
        )
        .bind(link)
        .bind(fx.intercom)
        .bind(format!("FIX-{link}"))
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    }
    text.replace("{user}", &fx.user.to_string())
        .replace("{sub_version}", &sub_version.to_string())
        .replace("{sub}", &fx.sub.to_string())
        .replace("{login}", &fx.login)
        .replace("{csa}", &fx.csa)
        .replace("{intercom}", &fx.intercom.to_string())
        .replace("{link}", &link.to_string())
        .replace("{key}", &key.to_string())
        .replace("{victim}", &fx.victim.to_string())
        .replace("{outside_camera}", &fx.outside_camera.to_string())
        .replace("{version}", &version.to_string())
        .replace("{n}", &n.to_string())
}

async fn call(app: &TestApp, fx: &Fixture, r: &Row, cookie: Option<&str>, n: usize) -> (StatusCode, Value) {
    match &r.args {
        Form(fields) => {
            let mut filled = Vec::new();
            for (k, v) in fields.iter() {
                filled.push((k.to_string(), fill(app, fx, v, n).await));
            }
            let form: Vec<(&str, &str)> = filled.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call(r.endpoint, cookie, &form).await
        }
        Json(text) => {
            let body: Value = serde_json::from_str(&fill(app, fx, text, n).await).expect("matrix JSON");
            app.call_json(r.endpoint, cookie, &body).await
        }
    }
}

const ALL: &[&str] = &[
    "users-view",
    "users-impersonate",
    "users-sync-cameras",
    "users-access-edit",
    "subusers-access-edit",
    "intercoms-edit",
    "admins-manage",
    "audit-view",
];

/// The web client's server functions: they take a user session (tested in client.rs),
/// never an administrator's.
/// The web client's functions take user sessions: tests/client.rs checks them.
fn is_client_function(path: &str) -> bool {
    path.starts_with("/api/client/")
}

#[tokio::test]
async fn every_server_function_is_in_the_matrix() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .filter(|p| !is_client_function(p))
        .collect();
    let listed: BTreeSet<String> = MATRIX.iter().map(|r| format!("/api/console/{}", r.endpoint)).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(missing.is_empty(), "server functions without a row in the authorisation matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "matrix rows naming no server function: {stale:?}");
}

#[tokio::test]
async fn each_server_function_allows_and_denies_as_its_row_says() {
    each_backend(|app| async move {
        let fx = fixture(&app).await;
        let mut n = 0;
        for r in MATRIX {
            n += 1;
            let ctx = format!("{} ({:?})", r.endpoint, r.need);
            let (status, body) = call(&app, &fx, r, None, n).await;
            match r.need {
                Public => assert_ne!(status, StatusCode::UNAUTHORIZED, "{ctx} without a session: {body}"),
                _ => assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx} without a session: {body}"),
            }
            let Perm(needed) = r.need else { continue };

            // An administrator holding every other permission, with every camera in scope.
            let others: Vec<&str> = ALL.iter().copied().filter(|p| *p != needed).collect();
            let login = format!("lacks{n}");
            app.create_admin(&login, "admin", &others, &[], &[]).await;
            let cookie = app.sign_in(&login, "password-123").await.unwrap();
            let (status, body) = call(&app, &fx, r, Some(&cookie), n).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{ctx} lacking the permission: {body}");

            // A scoped administrator holding every permission.
            let login = format!("scoped{n}");
            app.create_admin(&login, "admin", ALL, &[&fx.csa], &[]).await;
            let cookie = app.sign_in(&login, "password-123").await.unwrap();
            let (status, body) = call(&app, &fx, r, Some(&cookie), n).await;
            assert_eq!(status, r.scoped, "{ctx} by a scoped administrator: {body}");

            let login = format!("root{n}");
            app.create_admin(&login, "superadmin", &[], &[], &[]).await;
            let cookie = app.sign_in(&login, "password-123").await.unwrap();
            let (status, body) = call(&app, &fx, r, Some(&cookie), n + 1000).await;
            assert_eq!(status, StatusCode::OK, "{ctx} by a superadmin: {body}");
        }
        // Session-only functions work for an administrator without any permission.
        app.create_admin("bare", "admin", &[], &[], &[]).await;
        let cookie = app.sign_in("bare", "password-123").await.unwrap();
        for r in MATRIX.iter().filter(|r| r.need == Session) {
            let (status, body) = call(&app, &fx, r, Some(&cookie), 0).await;
            assert_eq!(status, StatusCode::OK, "{} by an administrator without permissions: {body}", r.endpoint);
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
