//! The authorisation matrix: one table lists every console server function with what it
//! needs and what a scoped administrator gets for targets outside its scope; a second lists
//! every web client server function and client API route with what a Log in as User session
//! gets. A server function registered without a row fails the tests.
//!
//! Console columns: no session; an administrator holding every other permission; a scoped
//! administrator (every permission, scope: location IN-1) aimed at what lies outside its
//! scope (camera OUTSIDE_CAMERA at OUT-1, administrator "victim" scoped to OUT-1); a
//! superadmin, whose answer must hold whatever the scoped one's must not (so the check can
//! fail). Client columns: no session; an administrator (scope IN-1) logged in as ulla; ulla.

use crate::common::{each_backend, has_token, world, ClientBody, TestApp, World, OUTSIDE_MAC, OUTSIDE_SERIAL};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
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

/// What a scoped administrator gets from a function aimed outside its scope.
#[derive(Clone, Copy, Debug)]
enum Scoped {
    /// Nothing the function shows or changes is limited by camera scope (users, intercoms,
    /// permissions are not scoped objects).
    Unscoped,
    /// Refused with this status, as for a target that does not exist.
    Refused(StatusCode),
    /// Answered without these words (placeholders filled), which the superadmin's answer has.
    Hides(&'static [&'static str]),
}

enum Args {
    /// Form fields; placeholders in braces are filled in per call (see `fill`).
    Form(&'static [(&'static str, &'static str)]),
    /// A JSON body with the same placeholders.
    Json(&'static str),
}

struct Row {
    endpoint: &'static str,
    need: Need,
    scoped: Scoped,
    args: Args,
    /// SQL run before each call (placeholders filled).
    before: Option<&'static str>,
}

const fn row(endpoint: &'static str, need: Need, scoped: Scoped, args: Args) -> Row {
    Row { endpoint, need, scoped, args, before: None }
}

use Args::{Form, Json};
use Need::{Perm, Public, Session};
use Scoped::{Hides, Refused, Unscoped};

const NOT_FOUND: Scoped = Refused(StatusCode::NOT_FOUND);

/// Every console server function: what it needs, and what a scoped administrator gets.
const MATRIX: &[Row] = &[
    row("sign_in", Public, Unscoped, Form(&[("login", "victim"), ("password", "password-123")])),
    row("me", Session, Unscoped, Form(&[])),
    row("sign_out", Session, Unscoped, Form(&[])),
    row("users", Perm("users-view"), Unscoped, Form(&[])),
    row("user_header", Perm("users-view"), Unscoped, Form(&[("id", "{user}")])),
    row("user_profile", Perm("users-view"), Unscoped, Form(&[("id", "{user}")])),
    row("user_cameras", Perm("users-view"), Hides(&["{outside}"]), Form(&[("id", "{user}")])),
    row("user_intercoms", Perm("users-view"), Unscoped, Form(&[("id", "{user}")])),
    row("user_sub_users", Perm("users-view"), Unscoped, Form(&[("id", "{user}")])),
    row(
        "user_billing_events",
        Perm("users-view"),
        Hides(&[OUTSIDE_MAC, OUTSIDE_SERIAL]),
        Form(&[("id", "{user}"), ("event_type", "billing.new_camera")]),
    ),
    row("user_access", Perm("users-view"), Unscoped, Form(&[("id", "{user}")])),
    // ulla's two cases use a licence each, one on the camera outside the scope.
    row("user_licences", Perm("users-view"), Hides(&["\"used\":2"]), Form(&[("id", "{user}")])),
    row(
        "save_user_access",
        Perm("users-access-edit"),
        Unscoped,
        Json(r#"{"id": {user}, "slugs": ["cameras-live", "subusers-manage"], "version": {version}}"#),
    ),
    row("sub_user_access", Perm("users-view"), Unscoped, Form(&[("id", "{sub}")])),
    row(
        "save_sub_user_access",
        Perm("subusers-access-edit"),
        Unscoped,
        Json(r#"{"id": {sub}, "slugs": ["cameras-live"], "version": {sub_version}}"#),
    ),
    // Each call finds every camera new (the environments are dropped before it).
    Row {
        endpoint: "sync_user_cameras",
        need: Perm("users-sync-cameras"),
        scoped: Hides(&["{outside}"]),
        args: Form(&[("id", "{user}")]),
        before: Some("DELETE FROM environments WHERE user_id IN ({user}, {sub})"),
    },
    row("impersonate_user", Perm("users-impersonate"), Unscoped, Form(&[("id", "{user}")])),
    row("admins", Perm("admins-manage"), Hides(&["victim"]), Form(&[])),
    row(
        "create_admin",
        Perm("admins-manage"),
        Refused(StatusCode::UNPROCESSABLE_ENTITY),
        Json(
            r#"{"form": {"login": "new{n}", "name": "New", "role": "admin", "permissions": [], "scope_all": false,
                "scope_csa": "OUT-1", "scope_cameras": ""}, "password": "password-123"}"#,
        ),
    ),
    row(
        "update_admin",
        Perm("admins-manage"),
        NOT_FOUND,
        Json(
            r#"{"id": {victim}, "form": {"login": "victim", "name": "Victim {n}", "role": "admin", "permissions": [],
                "scope_all": false, "scope_csa": "OUT-1", "scope_cameras": ""}}"#,
        ),
    ),
    row("set_admin_disabled", Perm("admins-manage"), NOT_FOUND, Form(&[("id", "{victim}"), ("disabled", "true")])),
    row(
        "reset_admin_password",
        Perm("admins-manage"),
        NOT_FOUND,
        Json(r#"{"id": {victim}, "password": "another-password"}"#),
    ),
    // ulla's sub-user was given both cameras: the entry names the outside one.
    row("audit_log", Perm("audit-view"), Hides(&["{outside}"]), Form(&[("action", "subuser.create")])),
    row("intercoms", Perm("users-view"), Unscoped, Form(&[])),
    row("intercom", Perm("users-view"), Unscoped, Form(&[("id", "{intercom}")])),
    row(
        "save_intercom",
        Perm("intercoms-edit"),
        Unscoped,
        Json(
            r#"{"id": null, "form": {"name": "Door {n}", "csa_code": "IN-1", "department": "1", "flat_from": 1,
                "flat_to": 10}}"#,
        ),
    ),
    row("intercom_apartments", Perm("users-view"), Unscoped, Form(&[("id", "{intercom}"), ("linked_only", "false")])),
    row(
        "link_apartment",
        Perm("intercoms-edit"),
        Unscoped,
        Json(r#"{"intercom_id": {intercom}, "flat": {n}, "login": "ulla"}"#),
    ),
    row("unlink_apartment", Perm("intercoms-edit"), Unscoped, Form(&[("link_id", "{link}")])),
    row("add_apartment_key", Perm("intercoms-edit"), Unscoped, Json(r#"{"link_id": {link}, "code": "KEY-{n}"}"#)),
    row("remove_apartment_key", Perm("intercoms-edit"), Unscoped, Form(&[("key_id", "{key}")])),
    row("camera_profile", Perm("users-view"), NOT_FOUND, Form(&[("id", "{outside}")])),
];

struct Fixture {
    w: World,
    /// An administrator scoped to OUT-1: outside the scoped administrator's scope.
    victim: i64,
    /// An intercom with flats 1–5000 for apartment links (calls link flats below 2100; fresh
    /// links take flats from 4000).
    intercom: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let w = world(app).await;
    let victim = app.create_admin("victim", "admin", &[], &["OUT-1"], &[]).await;
    let (intercom,): (i64,) = sqlx::query_as(
        "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
         VALUES ('Matrix door', 'IN-1', '1', 1, 5000, 'matrix door', 0) RETURNING id",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    Fixture { w, victim, intercom }
}

static FRESH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Fills the placeholders of a row; `{link}` and `{key}` make a fresh apartment link (and key)
/// for each call, since the calls before may have removed the last one.
async fn fill(app: &TestApp, fx: &Fixture, text: &str, n: usize) -> String {
    let version = app.scalar(&format!("SELECT access_version FROM users WHERE id = {}", fx.w.user)).await;
    let sub_version = app.scalar(&format!("SELECT access_version FROM users WHERE id = {}", fx.w.sub)).await;
    let (mut link, mut key) = (0, 0);
    if text.contains("{link}") || text.contains("{key}") {
        (link,) = sqlx::query_as(
            "INSERT INTO apartment_links (intercom_id, flat, user_id, created_at) VALUES ($1, $2, $3, 0) RETURNING id",
        )
        .bind(fx.intercom)
        .bind(4000 + FRESH.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as i64)
        .bind(fx.w.user)
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
    text.replace("{user}", &fx.w.user.to_string())
        .replace("{sub_version}", &sub_version.to_string())
        .replace("{sub}", &fx.w.sub.to_string())
        .replace("{intercom}", &fx.intercom.to_string())
        .replace("{link}", &link.to_string())
        .replace("{key}", &key.to_string())
        .replace("{victim}", &fx.victim.to_string())
        .replace("{outside}", &fx.w.outside.to_string())
        .replace("{version}", &version.to_string())
        .replace("{n}", &n.to_string())
}

async fn call(app: &TestApp, fx: &Fixture, r: &Row, cookie: Option<&str>, n: usize) -> (StatusCode, Value) {
    if let Some(sql) = r.before {
        sqlx::query(&fill(app, fx, sql, n).await).execute(&app.db().pool).await.unwrap();
    }
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

fn registered(prefix: &str) -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .filter(|p| p.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn every_server_function_is_in_a_matrix() {
    for (prefix, listed) in [
        ("/api/console/", MATRIX.iter().map(|r| r.endpoint).collect::<Vec<_>>()),
        ("/api/client/", CLIENT_MATRIX.iter().filter_map(|r| r.endpoint.strip_prefix("fn:")).collect()),
    ] {
        let listed: BTreeSet<String> = listed.iter().map(|e| format!("{prefix}{e}")).collect();
        let registered = registered(prefix);
        let missing: Vec<_> = registered.difference(&listed).collect();
        assert!(missing.is_empty(), "server functions without a row in the authorisation matrix: {missing:?}");
        let stale: Vec<_> = listed.difference(&registered).collect();
        assert!(stale.is_empty(), "matrix rows naming no server function: {stale:?}");
    }
}

#[tokio::test]
async fn each_console_function_allows_denies_and_scopes_as_its_row_says() {
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

            // A scoped administrator holding every permission, aimed outside its scope.
            let login = format!("scoped{n}");
            app.create_admin(&login, "admin", ALL, &["IN-1"], &[]).await;
            let cookie = app.sign_in(&login, "password-123").await.unwrap();
            let (status, scoped) = call(&app, &fx, r, Some(&cookie), n).await;
            let root = format!("root{n}");
            app.create_admin(&root, "superadmin", &[], &[], &[]).await;
            let root = app.sign_in(&root, "password-123").await.unwrap();
            match r.scoped {
                Unscoped => assert_eq!(status, StatusCode::OK, "{ctx} by a scoped administrator: {scoped}"),
                Refused(expected) => assert_eq!(status, expected, "{ctx} by a scoped administrator: {scoped}"),
                Hides(words) => {
                    assert_eq!(status, StatusCode::OK, "{ctx} by a scoped administrator: {scoped}");
                    let (status, full) = call(&app, &fx, r, Some(&root), n + 1000).await;
                    assert_eq!(status, StatusCode::OK, "{ctx} by a superadmin: {full}");
                    for word in words.iter() {
                        let word = fill(&app, &fx, word, n).await;
                        let (scoped, full) = (scoped.to_string(), full.to_string());
                        assert!(!has_token(&scoped, &word), "{ctx}: a scoped administrator sees {word}: {scoped}");
                        assert!(has_token(&full, &word), "{ctx}: a superadmin should see {word}: {full}");
                    }
                }
            }
            let (status, body) = call(&app, &fx, r, Some(&root), n + 2000).await;
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

struct ClientRow {
    /// `fn:<endpoint>` for a web client server function, else `METHOD /path`.
    endpoint: &'static str,
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
const CLIENT_MATRIX: &[ClientRow] = &[
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
