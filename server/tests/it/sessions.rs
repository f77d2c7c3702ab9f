//! Sessions end when their reason ends, and live streams with them (regression tests of the
//! security review). Each runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.

use crate::common::{each_backend, world, TestApp, USER_PASSWORD};
use crate::security::admin_form;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::Duration;

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
        app::backend::changes::wake(&[w.user]);
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
