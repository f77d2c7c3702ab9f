//! The authorisation matrix: one table lists every console server function with what it
//! needs and what a scoped administrator gets for targets outside its scope; a second
//! (`authz_client`) lists every web client server function and client API route with what a
//! Log in as User session gets. A server function registered without a row fails the tests.
//!
//! Console columns: no session; an administrator holding every other permission; a scoped
//! administrator (every permission, scope: location IN-1) aimed at what lies outside its
//! scope (camera OUTSIDE_CAMERA at OUT-1, administrator "victim" scoped to OUT-1); a
//! superadmin, whose answer must hold whatever the scoped one's must not (so the check can
//! fail). Client columns: no session; an administrator (scope IN-1) logged in as ulla; ulla.

use crate::authz_client::CLIENT_MATRIX;
use crate::common::{each_backend, has_token, world, TestApp, World, OUTSIDE_MAC, OUTSIDE_SERIAL};
use axum::http::StatusCode;
use serde_json::Value;
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
    row("search", Perm("users-view"), Hides(&["{outside}", OUTSIDE_MAC]), Form(&[("q", "{outside}")])),
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
