//! One regression test per way around the server's promises found in review (scope,
//! impersonation, sessions, streams, sign-in, redirects, cross-site requests, page headers,
//! body limits, secrets), and a property test of administrators creating administrators.
//! Each runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.

use crate::common::{each_backend, has_token, world, TestApp, OUTSIDE_MAC, OUTSIDE_SERIAL, USER_PASSWORD};
use app::domain::rng::SplitMix64;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

fn admin_form(login: &str, perms: &[&str], scope_all: bool, csa: &str, cameras: &str) -> Value {
    json!({"login": login, "name": login, "role": "admin", "permissions": perms, "scope_all": scope_all,
           "scope_csa": csa, "scope_cameras": cameras})
}

async fn create(app: &TestApp, cookie: &str, form: Value) -> (StatusCode, Value) {
    app.call_json("create_admin", Some(cookie), &json!({"form": form, "password": "password-123"})).await
}

fn logins(list: &Value) -> BTreeSet<String> {
    list.as_array().unwrap().iter().map(|a| a["login"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_administrator_hands_out_and_manages_only_what_it_holds() {
    each_backend(|app| async move {
        let w = world(&app).await;
        app.create_admin("lead", "admin", &["admins-manage", "users-view"], &["IN-1"], &[]).await;
        let victim = app.create_admin("victim", "admin", &[], &["OUT-1"], &[]).await;
        let everywhere = app.create_admin("everywhere", "admin", &[], &[], &[]).await;
        let root = app.create_admin("root", "superadmin", &[], &[], &[]).await;
        let lead = app.sign_in("lead", "password-123").await.unwrap();

        for (form, why) in [
            (admin_form("a1", &["users-view"], true, "", ""), "all cameras"),
            (admin_form("a2", &["users-view"], false, "OUT-1", ""), "location OUT-1"),
            (admin_form("a3", &["audit-view"], false, "IN-1", ""), "audit-view"),
            (
                json!({"login": "a4", "name": "a4", "role": "superadmin", "permissions": [], "scope_all": true,
                    "scope_csa": "", "scope_cameras": ""}),
                "superadmin",
            ),
        ] {
            let (status, body) = create(&app, &lead, form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        }
        // A camera outside the scope and one that does not exist get the same answer.
        let (s1, outside) = create(&app, &lead, admin_form("a5", &[], false, "", &w.outside.to_string())).await;
        let (s2, missing) = create(&app, &lead, admin_form("a5", &[], false, "", "123456789")).await;
        assert_eq!((s1, s2), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(
            outside.to_string().replace(&w.outside.to_string(), "N"),
            missing.to_string().replace("123456789", "N")
        );
        // Within what it holds: fine, and then it manages what it made.
        let (status, made) =
            create(&app, &lead, admin_form("deputy", &["users-view"], false, "IN-1", &w.inside.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{made}");
        let (_, list) = app.call("admins", Some(&lead), &[]).await;
        assert_eq!(logins(&list), ["deputy", "lead"].map(String::from).into());

        // Outside its scope, wider or superadmin: not found, whatever it tries.
        for target in [victim, everywhere, root] {
            let id = target.to_string();
            let (status, _) = app.call("set_admin_disabled", Some(&lead), &[("id", &id), ("disabled", "true")]).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let body = json!({"id": target, "password": "taken-over-1"});
            assert_eq!(app.call_json("reset_admin_password", Some(&lead), &body).await.0, StatusCode::NOT_FOUND);
            let body = json!({"id": target, "form": admin_form("x", &[], false, "IN-1", "")});
            assert_eq!(app.call_json("update_admin", Some(&lead), &body).await.0, StatusCode::NOT_FOUND);
        }
        assert!(app.sign_in("victim", "password-123").await.is_ok(), "the victim keeps its password");
        let disabled = app.scalar("SELECT COUNT(*) FROM administrators WHERE disabled_at IS NOT NULL").await;
        assert_eq!(disabled, 0);
        app
    })
    .await;
}

/// What an administrator holds, read from the database: permissions (all for a
/// superadmin) and the cameras its scope covers.
async fn holdings(app: &TestApp, id: i64) -> (BTreeSet<String>, BTreeSet<i64>) {
    let role: (String,) = sqlx::query_as("SELECT role FROM administrators WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let perms: Vec<(String,)> = sqlx::query_as("SELECT slug FROM administrator_permissions WHERE admin_id = $1")
        .bind(id)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    let mut perms: BTreeSet<String> = perms.into_iter().map(|(p,)| p).collect();
    if role.0 == "superadmin" {
        perms = ALL.iter().map(|p| p.to_string()).collect();
    }
    let cameras: Vec<(i64,)> =
        sqlx::query_as(&format!("SELECT c.id FROM cameras c WHERE {}", app::backend::scope::camera_condition(1)))
            .bind(id)
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
    (perms, cameras.into_iter().map(|(c,)| c).collect())
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

/// Random chains of administrators creating and editing each other with random scopes and
/// permissions, starting from one scoped administrator: after every step, nobody holds a
/// permission or a camera that administrator did not, and what a step granted lies within
/// what its actor held.
#[tokio::test]
async fn random_chains_of_administrators_never_grant_beyond_their_creator() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let cameras = [w.inside, w.outside, 424_242];
        let origin = app
            .create_admin("origin", "admin", &["admins-manage", "users-view", "audit-view"], &["IN-1"], &[w.outside])
            .await;
        let (origin_perms, origin_cams) = holdings(&app, origin).await;
        let mut pool: Vec<(i64, String)> = vec![(origin, app.sign_in("origin", "password-123").await.unwrap())];
        let mut rng = SplitMix64::new(20261202);
        let (mut granted, mut refused) = (0, 0);
        for step in 0..80 {
            let (actor, cookie) = pool[rng.below(pool.len() as u64) as usize].clone();
            // Half the time a modest request (what the origin holds), else anything at all.
            let modest = rng.chance(50);
            let perm_pool: &[&str] = if modest { &["admins-manage", "users-view", "audit-view"] } else { ALL };
            let csa_pool: &[&str] = if modest { &["IN-1"] } else { &["IN-1", "OUT-1", "OTHER-1"] };
            let cam_pool: &[i64] = if modest { &cameras[..2] } else { &cameras };
            let perms: Vec<&str> = perm_pool.iter().copied().filter(|_| rng.chance(50)).collect();
            let csa: Vec<&str> = csa_pool.iter().copied().filter(|_| rng.chance(50)).collect();
            let cams: Vec<String> = cam_pool.iter().filter(|_| rng.chance(40)).map(i64::to_string).collect();
            let all = !modest && rng.chance(20);
            let form = admin_form(&format!("a{step}"), &perms, all, &csa.join(" "), &cams.join(" "));
            let (actor_perms, actor_cams) = holdings(&app, actor).await;
            let (status, target) = if pool.len() > 1 && rng.chance(40) {
                let (target, _) = pool[rng.below(pool.len() as u64) as usize].clone();
                let login: (String,) = sqlx::query_as("SELECT login FROM administrators WHERE id = $1")
                    .bind(target)
                    .fetch_one(&app.db().pool)
                    .await
                    .unwrap();
                let mut form = form;
                form["login"] = json!(login.0);
                let (status, _) =
                    app.call_json("update_admin", Some(&cookie), &json!({"id": target, "form": form})).await;
                (status, target)
            } else {
                let (status, id) = create(&app, &cookie, form).await;
                (status, id.as_i64().unwrap_or(0))
            };
            if status != StatusCode::OK {
                refused += 1;
                continue;
            }
            granted += 1;
            let (perms, cams) = holdings(&app, target).await;
            assert!(perms.is_subset(&actor_perms), "step {step}: {perms:?} beyond the actor's {actor_perms:?}");
            assert!(cams.is_subset(&actor_cams), "step {step}: {cams:?} beyond the actor's {actor_cams:?}");
            if !pool.iter().any(|(id, _)| *id == target) {
                let login: (String,) = sqlx::query_as("SELECT login FROM administrators WHERE id = $1")
                    .bind(target)
                    .fetch_one(&app.db().pool)
                    .await
                    .unwrap();
                if perms.contains("admins-manage") {
                    pool.push((target, app.sign_in(&login.0, "password-123").await.unwrap()));
                }
            }
            let everyone: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM administrators").fetch_all(&app.db().pool).await.unwrap();
            for (id,) in everyone {
                let (p, c) = holdings(&app, id).await;
                assert!(
                    p.is_subset(&origin_perms) && c.is_subset(&origin_cams),
                    "step {step}: admin {id} exceeds origin"
                );
            }
        }
        assert!(granted > 5 && refused > 5, "the chain tried both ways: {granted} granted, {refused} refused");
        app
    })
    .await;
}

#[tokio::test]
async fn an_impersonating_administrator_cannot_set_credentials_or_reach_beyond_its_scope() {
    each_backend(|app| async move {
        let w = world(&app).await;
        app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate"], &["IN-1"], &[]).await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let as_user = app.impersonate(&admin, w.user).await;
        let sub = format!("/api/client/v1/sub-users/{}", w.sub);
        for body in [json!({"password": "taken-over-1"}), json!({"login": "taken-over"})] {
            let (status, text) = app.api("PUT", &sub, Some(&as_user), Some(&body)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}: {text}");
        }
        let new = json!({"login": "spy", "name": "Spy", "password": "spy-password", "permissions": []});
        assert_eq!(
            app.api("POST", "/api/client/v1/sub-users", Some(&as_user), Some(&new)).await.0,
            StatusCode::FORBIDDEN
        );
        // Neither a password nor a new account to sign in with.
        assert_ne!(app.client_sign_in("ulla-kid", "taken-over-1").await.0, StatusCode::OK);
        assert_ne!(app.client_sign_in("spy", "spy-password").await.0, StatusCode::OK);
        // Analytics of the camera outside the scope: not listed, no events, not deletable.
        let (_, cases) = app.api("GET", "/api/client/v1/cases", Some(&as_user), None).await;
        assert!(cases.contains("Inside case") && !cases.contains("Outside case"), "{cases}");
        let events = format!("/api/client/v1/cases/{}/events", w.outside_case);
        assert_eq!(app.api("GET", &events, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        let case = format!("/api/client/v1/cases/{}", w.outside_case);
        assert_eq!(app.api("DELETE", &case, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.api("GET", &events, Some(&w.user_cookie), None).await.0, StatusCode::OK, "still there");
        // The outside camera loses its location (billing unlinks its last user): its case is
        // still out of the administrator's scope.
        app.billing(json!({"id": "unlink-out", "type": "billing.delete_location", "entity": "U-ULLA", "csa": "OUT-1"}))
            .await;
        let unplaced =
            app.scalar(&format!("SELECT COUNT(*) FROM cameras WHERE id = {} AND location_id IS NULL", w.outside)).await;
        assert_eq!(unplaced, 1);
        let (_, cases) = app.api("GET", "/api/client/v1/cases", Some(&as_user), None).await;
        assert!(!cases.contains("Outside case"), "{cases}");
        assert_eq!(app.api("GET", &events, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        app
    })
    .await;
}

async fn client_status(app: &TestApp, cookie: &str) -> StatusCode {
    app.api("GET", "/api/client/v1/environment", Some(cookie), None).await.0
}

#[tokio::test]
async fn impersonation_and_administrator_sessions_end_when_their_reason_ends() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let id = app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate"], &["IN-1"], &[]).await;
        let root = app.superadmin().await;
        // Sign-out of the administrator session that started it.
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let as_user = app.impersonate(&admin, w.user).await;
        assert_eq!(client_status(&app, &as_user).await, StatusCode::OK);
        assert_eq!(app.call("sign_out", Some(&admin), &[]).await.0, StatusCode::OK);
        assert_eq!(client_status(&app, &as_user).await, StatusCode::UNAUTHORIZED, "after sign-out");
        // Disabled, permission lost, scope changed: each ends it.
        let regrant = |perms: Vec<&'static str>, csa: &'static str| {
            json!({"id": id, "form": admin_form("helpdesk", &perms, false, csa, "")})
        };
        let cases: Vec<(&str, Value)> = vec![
            ("disabled", json!({"id": id, "disabled": true})),
            ("permission lost", regrant(vec!["users-view"], "IN-1")),
            ("scope changed", regrant(vec!["users-view", "users-impersonate"], "IN-1 OUT-1")),
        ];
        for (why, change) in cases {
            app.call_json("update_admin", Some(&root), &regrant(vec!["users-view", "users-impersonate"], "IN-1")).await;
            app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "false")]).await;
            let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
            let as_user = app.impersonate(&admin, w.user).await;
            let (status, body) = if why == "disabled" {
                app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "true")]).await
            } else {
                app.call_json("update_admin", Some(&root), &change).await
            };
            assert_eq!(status, StatusCode::OK, "{why}: {body}");
            assert_eq!(client_status(&app, &as_user).await, StatusCode::UNAUTHORIZED, "{why}");
        }
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "user.impersonate_end")]).await;
        let reasons: BTreeSet<String> =
            log["rows"].as_array().unwrap().iter().map(|r| r["details"].as_str().unwrap().to_string()).collect();
        for reason in ["sign_out", "administrator_disabled", "administrator_changed"] {
            assert!(reasons.iter().any(|d| d.contains(reason)), "{reason} in {reasons:?}");
        }
        app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "false")]).await;
        app.call_json("update_admin", Some(&root), &regrant(vec!["users-view", "users-impersonate"], "IN-1")).await;

        // An impersonation lasts an hour at most, however busy.
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let as_user = app.impersonate(&admin, w.user).await;
        for _ in 0..5 {
            app.state.clock.advance_ms(11 * 60_000);
            assert_eq!(client_status(&app, &as_user).await, StatusCode::OK);
            assert_eq!(app.call("me", Some(&admin), &[]).await.0, StatusCode::OK);
        }
        app.state.clock.advance_ms(6 * 60_000);
        assert_eq!(client_status(&app, &as_user).await, StatusCode::UNAUTHORIZED, "past an hour");
        // An administrator session lasts a day at most, however busy.
        for _ in 0..2 {
            app.state.clock.advance_ms(11 * 3_600_000);
            assert_eq!(app.call("me", Some(&admin), &[]).await.0, StatusCode::OK);
        }
        app.state.clock.advance_ms(2 * 3_600_000);
        assert_eq!(app.call("me", Some(&admin), &[]).await.0, StatusCode::UNAUTHORIZED, "past a day");

        // Retention removes expired sessions, used links and stale throttle rows.
        let _ = app.sign_in("helpdesk", "wrong-password").await;
        let used = app.scalar("SELECT COUNT(*) FROM impersonation_tokens").await;
        assert!(used > 0);
        let report = server::retention::run(app.db(), app.now() + 86_400_000, "test").await.unwrap().unwrap();
        assert!(report.expired_sessions > 0 && report.impersonation_links == used as u64, "{report:?}");
        assert!(report.throttle_rows > 0, "{report:?}");
        for table in ["impersonation_tokens", "sign_in_throttle", "admin_sessions", "user_sessions"] {
            assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table}");
        }
        app
    })
    .await;
}

/// Opens the event stream of a session.
async fn stream(app: &TestApp, router: &axum::Router, cookie: &str) -> axum::response::Response {
    use tower::ServiceExt;
    let req =
        Request::get("/api/client/v1/environment/events").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let _ = app;
    router.clone().oneshot(req).await.unwrap()
}

/// Whether the stream's body ends within a few seconds.
async fn ends(res: axum::response::Response) -> bool {
    let mut body = res.into_body();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None) => return true,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(_))) => return true,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn event_streams_end_with_their_session_and_are_capped() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let router = app.router.clone();
        // Sign-out.
        let own = app.user_session("ulla", USER_PASSWORD).await;
        let res = stream(&app, &router, &own).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.client_fn("sign_out", Some(&own), crate::common::ClientBody::Form(&[])).await.0, StatusCode::OK);
        assert!(ends(res).await, "the stream outlived its session");
        // The impersonating administrator disabled.
        let id = app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate"], &["IN-1"], &[]).await;
        let root = app.superadmin().await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let as_user = app.impersonate(&admin, w.user).await;
        let res = stream(&app, &router, &as_user).await;
        app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "true")]).await;
        assert!(ends(res).await, "the stream outlived the administrator");
        // Expiry, noticed when the stream next checks (every 10 s, or when woken as here).
        let own = app.user_session("ulla", USER_PASSWORD).await;
        let res = stream(&app, &router, &own).await;
        app.state.clock.advance_ms(13 * 3_600_000);
        app::backend::changes::wake(app.db(), &[w.user]).await;
        assert!(ends(res).await, "the stream outlived its expiry");

        // Expiry noticed by the stream's own re-check, however much news of other users'
        // changes keeps arriving meanwhile.
        let (quick, _) = app.reconfigured(|c| c.stream_recheck_ms = 300);
        let own = app.user_session("ulla", USER_PASSWORD).await;
        let res = stream(&app, &quick, &own).await;
        app.state.clock.advance_ms(13 * 3_600_000);
        let chatter = async {
            for _ in 0..60 {
                app::backend::changes::announce(w.other_sub, 1);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        let (ended, ()) = tokio::join!(ends(res), chatter);
        assert!(ended, "the stream outlived its expiry while other users' news arrived");

        // Caps: per session, and in all.
        let (capped, _) = app.reconfigured(|c| {
            c.max_streams = 3;
            c.max_streams_per_session = 2;
        });
        let one = app.user_session("ulla", USER_PASSWORD).await;
        let two = app.user_session("ulla-kid", "sub-password-1").await;
        let a = stream(&app, &capped, &one).await;
        let b = stream(&app, &capped, &one).await;
        let c = stream(&app, &capped, &one).await;
        assert_eq!(
            (a.status(), b.status(), c.status()),
            (StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS)
        );
        let text = String::from_utf8(c.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(text.contains("\"message\""), "{text}");
        let d = stream(&app, &capped, &two).await;
        let e = stream(&app, &capped, &two).await;
        assert_eq!((d.status(), e.status()), (StatusCode::OK, StatusCode::TOO_MANY_REQUESTS), "3 in all");
        drop(a);
        tokio::task::yield_now().await;
        assert_eq!(stream(&app, &capped, &two).await.status(), StatusCode::OK, "a closed stream gives its place back");
        app
    })
    .await;
}

/// Signs in to the console from an address (through the trusted header).
async fn sign_in_from(app: &TestApp, router: &axum::Router, login: &str, password: &str, addr: &str) -> StatusCode {
    let body = format!("login={login}&password={password}");
    let req = Request::post("/api/console/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", format!("10.9.9.9, {addr}"))
        .body(Body::from(body))
        .unwrap();
    app.request_via(router, req).await.0
}

#[tokio::test]
async fn sign_in_is_counted_before_hashing_throttled_per_login_and_address_and_bounded() {
    each_backend(|app| async move {
        app.create_admin("boss", "admin", &["users-view"], &[], &[]).await;
        let (router, _) = app.reconfigured(|c| c.client_ip_header = Some("x-forwarded-for".into()));
        // Parallel guesses at one login: only the free attempts reach a password check.
        let guesses = (0..16).map(|_| sign_in_from(&app, &router, "boss", "guess", "10.0.0.1"));
        let statuses = futures::future::join_all(guesses).await;
        let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
        assert!((1..=5).contains(&checked), "{statuses:?}");
        // The stranger goes on guessing, waiting out each wait: the waits grow long (a minute
        // now) for it, while the real administrator, elsewhere, is not kept out at all.
        for _ in 0..6 {
            app.state.clock.advance_ms(40_000);
            assert_ne!(sign_in_from(&app, &router, "boss", "guess", "10.0.0.1").await, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(sign_in_from(&app, &router, "boss", "guess", "10.0.0.1").await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await, StatusCode::OK);
        // Guesses at one login from many addresses: after 50, the login waits, a minute at most.
        let mut spread = Vec::new();
        for i in 0..60 {
            spread.push(sign_in_from(&app, &router, "boss", "guess", &format!("10.2.0.{i}")).await);
        }
        assert!(spread[..50].iter().all(|s| *s != StatusCode::TOO_MANY_REQUESTS), "{spread:?}");
        assert!(spread[50..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{spread:?}");
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await, StatusCode::TOO_MANY_REQUESTS);
        app.state.clock.advance_ms(61_000);
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.9").await, StatusCode::OK);
        // One address guessing many logins is stopped after 20, other addresses are not.
        for i in 0..20 {
            assert_ne!(sign_in_from(&app, &router, &format!("nobody{i}"), "guess", "10.0.0.3").await, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(sign_in_from(&app, &router, "nobody-else", "guess", "10.0.0.3").await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(sign_in_from(&app, &router, "boss", "password-123", "10.0.0.4").await, StatusCode::OK);
        // Hashing is bounded: one at a time (held here), one waiting, the rest refused at once.
        let (narrow, state) = app.reconfigured(|c| {
            c.sign_in_hashers = 1;
            c.sign_in_queue = 1;
            c.client_ip_header = Some("x-forwarded-for".into());
        });
        let turn = state.sign_ins.enter(false).await.expect("the only turn");
        let flood = (0..10).map(|i| {
            let narrow = narrow.clone();
            let app = &app;
            async move { sign_in_from(app, &narrow, &format!("flood{i}"), "guess", &format!("10.1.0.{i}")).await }
        });
        let release = async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            drop(turn);
        };
        let (statuses, ()) = tokio::join!(futures::future::join_all(flood), release);
        let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(refused, 9, "{statuses:?}");
        // A password typed as a login is not kept anywhere.
        let _ = app.sign_in("Correct-Horse-Battery", "x").await;
        for (table, column) in [("audit_entries", "actor_login"), ("audit_entries", "target_label"), ("audit_entries", "details"), ("sign_in_throttle", "throttle_key")] {
            let n = app.scalar(&format!("SELECT COUNT(*) FROM {table} WHERE LOWER({column}) LIKE '%correct-horse%'")).await;
            assert_eq!(n, 0, "{table}.{column}");
        }
        let unknown = app.scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'admin.sign_in_failed' AND target_label = '(unknown login)'").await;
        assert!(unknown > 0);
        app
    })
    .await;
}

#[tokio::test]
async fn sign_in_follows_only_same_site_next_paths() {
    each_backend(|app| async move {
        app.create_admin("boss", "admin", &["users-view"], &[], &[]).await;
        for (next, expected) in [
            ("/users/1/cameras", "/users/1/cameras"),
            ("//evil.example", "/users"),
            ("/\\evil.example", "/users"),
            ("/\t/evil.example", "/users"),
            ("/%09/evil.example", "/users"),
            ("/%2F%2Fevil.example", "/users"),
            ("https://evil.example", "/users"),
            ("javascript:alert(1)", "/users"),
        ] {
            let (status, target) =
                app.call("sign_in", None, &[("login", "boss"), ("password", "password-123"), ("next", next)]).await;
            assert_eq!((status, target.as_str()), (StatusCode::OK, Some(expected)), "{next:?}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let root = app.superadmin().await;
        let post = |headers: &[(&str, &str)]| {
            let mut b = Request::post("/api/console/users")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &root)
                .header(header::HOST, "vms.local");
            for (k, v) in headers {
                b = b.header(*k, *v);
            }
            b.body(Body::empty()).unwrap()
        };
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("origin", "https://evil.example")],
            &[("origin", "null")],
        ] {
            let (status, _, text) = app.request(post(headers)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}: {text}");
        }
        for headers in [&[("sec-fetch-site", "same-origin")][..], &[("origin", "http://vms.local")], &[]] {
            assert_eq!(app.request(post(headers)).await.0, StatusCode::OK, "{headers:?}");
        }
        // Sign-in forms posted from another site, and Log in as User links followed from one.
        let req = Request::post("/api/console/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("login=root&password=password-123"))
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::FORBIDDEN);
        let (_, url) = app.call("impersonate_user", Some(&root), &[("id", &w.user.to_string())]).await;
        let req =
            Request::get(url.as_str().unwrap()).header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::FORBIDDEN);
        // Apps with bearer tokens are not browsers' sessions: not refused.
        let (_, text) = app
            .api("POST", "/api/client/v1/sessions", None, Some(&json!({"login": "ulla", "password": USER_PASSWORD})))
            .await;
        let token = serde_json::from_str::<Value>(&text).unwrap()["token"].as_str().unwrap().to_string();
        let req = Request::delete(format!("/api/client/v1/cases/{}", w.inside_case))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::NO_CONTENT);
        app
    })
    .await;
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_and_defensive_headers() {
    each_backend(|app| async move {
        let (status, headers, html) = app.get("/login", None).await;
        assert_eq!(status, StatusCode::OK);
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_string();
        let nonce = policy.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce in the policy");
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the policy's nonce");
        for part in ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "'wasm-unsafe-eval'"] {
            assert!(policy.contains(part), "{policy}");
        }
        // Every inline script carries the nonce.
        for script in html.split("<script").skip(1) {
            let open = script.split('>').next().unwrap();
            assert!(open.contains("src=") || open.contains(&format!("nonce=\"{nonce}\"")), "<script{open}>");
        }
        let (_, again, _) = app.get("/login", None).await;
        assert_ne!(
            again[header::CONTENT_SECURITY_POLICY],
            headers[header::CONTENT_SECURITY_POLICY],
            "a nonce per page"
        );
        for (name, value) in
            [("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"), ("referrer-policy", "same-origin")]
        {
            assert_eq!(headers[name], value);
        }
        let (_, api, _) = app.get("/api/billing/v1/openapi.json", None).await;
        assert_eq!(api["x-content-type-options"], "nosniff");
        app
    })
    .await;
}

#[tokio::test]
async fn bodies_over_their_limit_are_refused_without_being_read() {
    each_backend(|app| async move {
        let root = app.superadmin().await;
        let form = |size: usize, chunked: bool| {
            let body = format!("q={}", "a".repeat(size));
            let mut b = Request::post("/api/console/users")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, &root);
            if !chunked {
                b = b.header(header::CONTENT_LENGTH, body.len());
            }
            if chunked {
                let chunks = body
                    .into_bytes()
                    .chunks(64 * 1024)
                    .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                    .collect::<Vec<_>>();
                b.body(Body::from_stream(futures::stream::iter(chunks))).unwrap()
            } else {
                b.body(Body::from(body)).unwrap()
            }
        };
        for (size, chunked) in [(1_536 * 1024, false), (3 * 1024 * 1024, false), (2 * 1024 * 1024, true)] {
            let (status, _, text) = app.request(form(size, chunked)).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{size} chunked={chunked}: {text}");
            assert!(text.contains("larger than 1 MiB"), "{text}");
        }
        assert_eq!(app.request(form(100, true)).await.0, StatusCode::OK, "a small chunked body passes");
        let big = json!({"id": "big", "type": "billing.new_entity", "entity": "E", "pad": "x".repeat(70 * 1024)});
        let (status, text) =
            app.api("POST", "/api/billing/v1/requests", Some("Bearer test-billing-token"), Some(&big)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
        assert!(text.contains("\"message\""), "the APIs' error shape: {text}");
        app
    })
    .await;
}

#[tokio::test]
async fn secrets_stay_out_of_storage() {
    each_backend(|app| async move {
        let body = json!({"id": "pw-1", "type": "billing.new_entity", "entity": "E-PW", "login": "pw", "password": "hunter2-secret", "name": "PW"});
        let first = app.billing(body.clone()).await;
        let (hash,): (String,) = sqlx::query_as("SELECT body_hash FROM billing_events WHERE request_id = 'pw-1'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_ne!(hash, app::backend::token::hash_token(&body.to_string()), "not a plain hash of the body");
        let payload = app.scalar("SELECT COUNT(*) FROM billing_events WHERE payload LIKE '%hunter2%' OR response LIKE '%hunter2%'").await;
        assert_eq!(payload, 0);
        // Still idempotent: the same body replays, another password is a conflict.
        assert_eq!(app.billing(body.clone()).await, first);
        let mut other = body.clone();
        other["password"] = json!("another-secret");
        let (status, _) = app.api("POST", "/api/billing/v1/requests", Some("Bearer test-billing-token"), Some(&other)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        app
    })
    .await;
}

/// `server admin create` takes the password from the environment or standard input, and
/// warns when it is given on the command line.
#[tokio::test]
async fn admin_create_keeps_the_password_off_the_command_line() {
    let dir = std::env::temp_dir().join(format!("vms-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/cli.db", dir.display());
    let run = |args: &[&str], env: Option<&str>, stdin: &str| {
        use std::io::Write;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(args).env("DATABASE_URL", &url).env_remove("VMS_ADMIN_PASSWORD");
        if let Some(p) = env {
            cmd.env("VMS_ADMIN_PASSWORD", p);
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let from_env = run(&["admin", "create", "--login", "env-admin"], Some("env-password-1"), "");
    assert!(from_env.status.success(), "{}", String::from_utf8_lossy(&from_env.stderr));
    let from_stdin = run(&["admin", "create", "--login", "stdin-admin"], None, "stdin-password-1\n");
    assert!(from_stdin.status.success(), "{}", String::from_utf8_lossy(&from_stdin.stderr));
    let given = run(&["admin", "create", "--login", "argv-admin", "--password", "argv-password-1"], None, "");
    assert!(given.status.success());
    assert!(String::from_utf8_lossy(&given.stderr).contains("warning"), "a warning for a password in the arguments");
    let db = app::backend::db::Db::connect(&url).await.unwrap();
    for (login, password) in [("env-admin", "env-password-1"), ("stdin-admin", "stdin-password-1")] {
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM administrators WHERE login = $1")
            .bind(login)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert!(app::backend::password::verify(password.into(), Some(hash)).await, "{login}");
    }
    db.pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn scoped_administrators_see_only_their_cameras_everywhere() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let all = ["users-view", "users-sync-cameras", "audit-view"];
        app.create_admin("district", "admin", &all, &["IN-1"], &[]).await;
        let scoped = app.sign_in("district", "password-123").await.unwrap();
        let root = app.superadmin().await;
        let user = w.user.to_string();
        let outside = w.outside.to_string();
        // Billing Events: the outside camera's MAC, serial and name are masked, and said so.
        let (_, events) = app.call("user_billing_events", Some(&scoped), &[("id", &user)]).await;
        let text = events.to_string();
        assert!(!text.contains(OUTSIDE_MAC) && !text.contains(OUTSIDE_SERIAL), "{text}");
        let masked = events["rows"].as_array().unwrap().iter().filter(|r| r["masked"] == true).count();
        assert_eq!(masked, 3, "the outside camera's new_camera and attach_camera, the outside location: {text}");
        assert!(!text.contains("OUT-1"), "{text}");
        let (_, events) = app.call("user_billing_events", Some(&root), &[("id", &user)]).await;
        assert!(events.to_string().contains(OUTSIDE_MAC));
        // Synchronize cameras: what changed within the scope, and that more did.
        sqlx::query("DELETE FROM environments").execute(&app.db().pool).await.unwrap();
        let (_, sync) = app.call("sync_user_cameras", Some(&scoped), &[("id", &user)]).await;
        let own = &sync["accounts"][0];
        assert_eq!(own["cameras_added"], json!([w.inside]), "{sync}");
        assert_eq!(own["cameras_hidden"], true);
        // Analytics licences: used within the scope, and that more are used elsewhere.
        let (_, licences) = app.call("user_licences", Some(&scoped), &[("id", &user)]).await;
        let level = &licences["rows"][0];
        assert_eq!((level["used"].as_i64(), level["used_elsewhere"].as_bool()), (Some(1), Some(true)));
        assert_eq!(level["free"], 18, "the account's free licences");
        let (_, licences) = app.call("user_licences", Some(&root), &[("id", &user)]).await;
        let level = &licences["rows"][0];
        assert_eq!((level["used"].as_i64(), level["used_elsewhere"].as_bool()), (Some(2), Some(false)));
        // Audit log: the outside camera is left out of the details (sub-user, sync, cases).
        let (_, log) = app.call("audit_log", Some(&scoped), &[]).await;
        for row in log["rows"].as_array().unwrap() {
            let details = row["details"].as_str().unwrap();
            assert!(!has_token(details, &outside), "{row}");
        }
        let hidden = log["rows"].as_array().unwrap().iter().filter(|r| r["hidden"] == true).count();
        assert!(hidden >= 2, "{log}");
        let (_, log) = app.call("audit_log", Some(&root), &[]).await;
        assert!(has_token(&log.to_string(), &outside));
        // Administrators it does not manage are not named to it.
        app.create_admin("elsewhere", "admin", &["users-view"], &["OUT-1"], &[]).await;
        app.sign_in("elsewhere", "password-123").await.unwrap();
        let (_, log) = app.call("audit_log", Some(&scoped), &[("action", "admin.sign_in")]).await;
        assert!(!log.to_string().contains("elsewhere"), "{log}");
        assert!(log.to_string().contains("outside your scope"), "{log}");
        app
    })
    .await;
}
