//! Stream reports from media servers (SPEC §9) and the camera profile (§5.3).

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

async fn report(app: &TestApp, body: Value, token: &str) -> (StatusCode, Value) {
    let req = Request::post("/api/media/v1/streams")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = app.request(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn camera_with_mac(app: &TestApp) -> (i64, String, i64) {
    let (camera, mac, user): (i64, String, i64) = sqlx::query_as(
        "SELECT c.id, c.mac, a.user_id FROM cameras c JOIN camera_access a ON a.camera_id = c.id \
         JOIN users u ON u.id = a.user_id WHERE u.parent_id IS NULL ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM camera_streams WHERE camera_id = $1").bind(camera).execute(&app.db().pool).await.unwrap();
    (camera, mac, user)
}

/// The camera's status as the user's Cameras tab shows it.
async fn status_in_tab(app: &TestApp, root: &str, user: i64, camera: i64) -> Value {
    let (_, page) = app.call("user_cameras", Some(root), &[("id", &user.to_string())]).await;
    page["rows"].as_array().unwrap().iter().find(|r| r["id"] == camera).unwrap()["status"].clone()
}

#[tokio::test]
async fn stream_reports_drive_the_camera_status_everywhere() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 5, 11, app.now()).await.unwrap();
        let (camera, mac, user) = camera_with_mac(&app).await;
        let root = app.superadmin().await;
        assert_eq!(status_in_tab(&app, &root, user, camera).await, "Empty");
        // (stream, up, expected status) in order: every combination of the two streams.
        let steps = [
            ("high", true, "active"),
            ("low", false, "partially active"),
            ("high", false, "inactive"),
            ("low", true, "partially active"),
            ("high", true, "active"),
        ];
        let upper = mac.to_uppercase().replace(':', "-");
        for (i, (stream, up, expected)) in steps.iter().enumerate() {
            // MAC spelled differently each time: the media server's notation does not matter.
            let m = if i % 2 == 0 { mac.clone() } else { upper.clone() };
            let (status, body) = report(&app, json!({"mac": m, "stream": stream, "up": up}), "test-media-token").await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["status"], *expected, "after {stream} {up}");
            let (_, profile) = app.call("camera_profile", Some(&root), &[("id", &camera.to_string())]).await;
            assert_eq!(profile["status"], status_in_tab(&app, &root, user, camera).await);
        }
        let (_, profile) = app.call("camera_profile", Some(&root), &[("id", &camera.to_string())]).await;
        assert_eq!(profile["status"], "Active");
        assert_eq!(profile["mac"], mac);
        // Both streams up now, each since its last change (the third and fourth reports).
        let streams: Vec<(&str, bool)> = profile["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["stream"].as_str().unwrap(), s["up"].as_bool().unwrap()))
            .collect();
        assert_eq!(streams, [("high", true), ("low", true)]);
        assert!(profile["users"].as_array().unwrap().iter().any(|u| u["id"] == user));

        // A repeated report keeps the time of the last change.
        let changed = |p: &Value| p["streams"][0]["changed_at"].as_i64().unwrap();
        let before = changed(&profile);
        app.state.clock.advance_ms(5_000);
        report(&app, json!({"mac": mac, "stream": "high", "up": true}), "test-media-token").await;
        let (_, again) = app.call("camera_profile", Some(&root), &[("id", &camera.to_string())]).await;
        assert_eq!(changed(&again), before);
        app
    })
    .await;
}

#[tokio::test]
async fn bad_stream_reports_get_the_error_shape_and_change_nothing() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 2, 12, app.now()).await.unwrap();
        let (camera, mac, _) = camera_with_mac(&app).await;
        let cases = [
            (
                json!({"mac": "00:00:00:00:00:99", "stream": "high", "up": true}),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("mac"),
            ),
            (json!({"mac": mac, "stream": "4k", "up": true}), StatusCode::UNPROCESSABLE_ENTITY, Some("stream")),
            (json!({"mac": mac, "stream": "low", "up": "yes"}), StatusCode::UNPROCESSABLE_ENTITY, Some("up")),
            (json!({"mac": 5}), StatusCode::UNPROCESSABLE_ENTITY, Some("mac")),
            (json!([1, 2]), StatusCode::BAD_REQUEST, None),
        ];
        for (body, expected, field) in cases {
            let (status, answer) = report(&app, body.clone(), "test-media-token").await;
            assert_eq!(status, expected, "{body}: {answer}");
            assert!(answer["message"].is_string(), "{answer}");
            if let Some(f) = field {
                assert!(answer["errors"][f].is_array(), "{answer}");
            }
        }
        let (status, answer) = report(&app, json!({"mac": mac, "stream": "high", "up": true}), "not-a-token").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(answer["message"].is_string());
        let req = Request::post("/api/media/v1/streams")
            .header(header::AUTHORIZATION, "Bearer test-media-token")
            .body(Body::from("mac=1"))
            .unwrap();
        assert_eq!(app.request(req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM camera_streams WHERE camera_id = {camera}")).await, 0);
        app
    })
    .await;
}

#[tokio::test]
async fn the_camera_profile_is_404_outside_the_scope() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 5, 13, app.now()).await.unwrap();
        let (inside, code): (i64, String) = sqlx::query_as(
            "SELECT c.id, l.csa_code FROM cameras c JOIN locations l ON l.id = c.location_id ORDER BY c.id LIMIT 1",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let outside = app
            .scalar(&format!(
                "SELECT c.id FROM cameras c LEFT JOIN locations l ON l.id = c.location_id \
                 WHERE l.csa_code IS NULL OR l.csa_code <> '{code}' ORDER BY c.id LIMIT 1"
            ))
            .await;
        app.create_admin("scoped", "admin", &["users-view"], &[&code], &[]).await;
        let cookie = app.sign_in("scoped", "password-123").await.unwrap();
        let (status, body) = app.call("camera_profile", Some(&cookie), &[("id", &inside.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.call("camera_profile", Some(&cookie), &[("id", &outside.to_string())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.to_string().contains(&format!("\"id\":{outside}")));
        // An ID that does not exist looks the same.
        assert_eq!(app.call("camera_profile", Some(&cookie), &[("id", "987654321")]).await.0, StatusCode::NOT_FOUND);
        let (outside_mac,): (String,) = sqlx::query_as("SELECT mac FROM cameras WHERE id = $1")
            .bind(outside)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        let (_, _, page) = app.get(&format!("/cameras/{outside}/general"), Some(&cookie)).await;
        assert!(page.contains("Not found") && !page.contains(&outside_mac), "{page}");
        app
    })
    .await;
}
