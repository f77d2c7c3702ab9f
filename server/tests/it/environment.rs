//! Environments (SPEC §7.3): kept up to date by changes, rebuilt by Synchronize cameras,
//! served to apps with a stream of version changes.

use crate::client::camera_ids;
use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn post(app: &TestApp, path: &str, auth: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, auth)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = app.request(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn environment(app: &TestApp, token: &str) -> Value {
    let req = Request::get("/api/client/v1/environment")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, text) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A user "eve" with two cameras at one location; returns (session token, user id, camera ids).
async fn subscriber(app: &TestApp) -> (String, i64, Vec<i64>) {
    sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('E-1', 'Riga', 'Iela', '2')")
        .execute(&app.db().pool)
        .await
        .unwrap();
    app.billing(json!({"id": "e1", "type": "billing.new_entity", "entity": "EVE", "login": "eve", "password": "eve-password", "name": "Eve"})).await;
    app.billing(json!({"id": "e2", "type": "billing.create_location", "entity": "EVE", "csa": "E-1"})).await;
    for (i, mac) in ["0e:00:00:00:00:01", "0e:00:00:00:00:02"].iter().enumerate() {
        app.billing(json!({"id": format!("e3{i}"), "type": "billing.new_camera", "entity": "EVE", "mac": mac, "serial_number": "S"})).await;
        app.billing(
            json!({"id": format!("e4{i}"), "type": "billing.attach_camera", "entity": "EVE", "mac": mac, "csa": "E-1"}),
        )
        .await;
    }
    let (status, v) =
        post(app, "/api/client/v1/sessions", "", json!({"login": "eve", "password": "eve-password"})).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let user = app.scalar("SELECT id FROM users WHERE login = 'eve'").await;
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM cameras ORDER BY id").fetch_all(&app.db().pool).await.unwrap();
    (v["token"].as_str().unwrap().to_string(), user, rows.into_iter().map(|(c,)| c).collect())
}

#[tokio::test]
async fn every_kind_of_change_moves_the_version() {
    each_backend(|app| async move {
        let (token, user, cams) = subscriber(&app).await;
        let mut env = environment(&app, &token).await;
        assert_eq!(camera_ids(&env), cams);
        assert_eq!((env["status"].clone(), env["cameras"][0]["locked"].clone()), (json!("active"), json!(false)));
        let mut version = env["version"].as_i64().unwrap();
        let mut changed = |app: &TestApp, what: &str, env_now: Value| {
            let v = env_now["version"].as_i64().unwrap();
            assert!(v > version, "{what} did not move the version: {env_now}");
            version = v;
            let _ = app;
        };

        app.billing(json!({"id": "p1", "type": "billing.pause_entity", "entity": "EVE"})).await;
        env = environment(&app, &token).await;
        assert_eq!((env["status"].clone(), env["cameras"][1]["locked"].clone()), (json!("paused"), json!(true)));
        changed(&app, "pause", env.clone());

        let (status, _) = post(&app, "/api/media/v1/streams", "Bearer test-media-token", json!({"mac": "0e:00:00:00:00:01", "stream": "high", "up": true})).await;
        assert_eq!(status, StatusCode::OK);
        env = environment(&app, &token).await;
        assert_eq!(env["cameras"][0]["status"], "active");
        changed(&app, "stream report", env.clone());

        app.billing(json!({"id": "d1", "type": "billing.detach_camera", "entity": "EVE", "mac": "0e:00:00:00:00:02"})).await;
        env = environment(&app, &token).await;
        assert_eq!(camera_ids(&env), [cams[0]]);
        changed(&app, "detach", env.clone());

        let root = app.superadmin().await;
        let body = json!({"id": user, "slugs": ["cameras-live"], "version": app.scalar(&format!("SELECT access_version FROM users WHERE id = {user}")).await});
        assert_eq!(app.call_json("save_user_access", Some(&root), &body).await.0, StatusCode::OK);
        env = environment(&app, &token).await;
        assert_eq!(env["permissions"], json!(["cameras-live"]));
        changed(&app, "access change", env.clone());

        // A repeated report that changes nothing leaves the version alone.
        post(&app, "/api/media/v1/streams", "Bearer test-media-token", json!({"mac": "0e:00:00:00:00:01", "stream": "high", "up": true})).await;
        assert_eq!(environment(&app, &token).await["version"].as_i64().unwrap(), version);
        app
    })
    .await;
}

#[tokio::test]
async fn synchronize_cameras_repairs_a_drifted_environment() {
    each_backend(|app| async move {
        let (token, user, cams) = subscriber(&app).await;
        let before = environment(&app, &token).await["version"].as_i64().unwrap();
        // Drift: the stored environment lost its cameras and permissions.
        sqlx::query(
            r#"UPDATE environments SET data = '{"status":"active","cameras":[],"permissions":[]}' WHERE user_id = $1"#,
        )
        .bind(user)
        .execute(&app.db().pool)
        .await
        .unwrap();
        let root = app.superadmin().await;
        let (status, r) = app.call("sync_user_cameras", Some(&root), &[("id", &user.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["accounts"][0]["cameras_added"], json!(cams));
        assert!(r["accounts"][0]["permissions_added"].as_array().unwrap().contains(&json!("cameras-live")));
        let env = environment(&app, &token).await;
        assert_eq!(camera_ids(&env), cams);
        assert!(env["version"].as_i64().unwrap() > before);
        assert!(env["synced_at"].is_string(), "{env}");
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM sync_runs WHERE user_id = {user}")).await, 1);
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "user.sync_cameras")]).await;
        assert_eq!(log["rows"][0]["target_label"], "eve");
        // A second sync finds nothing to change but still bumps the version.
        let (_, again) = app.call("sync_user_cameras", Some(&root), &[("id", &user.to_string())]).await;
        assert_eq!(again["accounts"][0]["cameras_added"], json!([]));
        assert_eq!(again["accounts"][0]["version"].as_i64().unwrap(), env["version"].as_i64().unwrap() + 1);
        app
    })
    .await;
}

#[tokio::test]
async fn the_events_stream_delivers_a_message_after_a_change() {
    each_backend(|app| async move {
        let (token, _, _) = subscriber(&app).await;
        environment(&app, &token).await;
        let req = Request::get("/api/client/v1/environment/events")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let res = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
        let mut body = res.into_body();
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        app.billing(json!({"id": "s1", "type": "billing.pause_entity", "entity": "EVE"})).await;
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            loop {
                let f = body.frame().await.expect("stream open").expect("frame");
                if let Some(data) = f.data_ref() {
                    let text = String::from_utf8_lossy(data).to_string();
                    if text.contains("event: environment") {
                        return text;
                    }
                }
            }
        })
        .await
        .expect("a message within 5 s");
        assert!(frame.contains(r#""version""#), "{frame}");
        app
    })
    .await;
}
