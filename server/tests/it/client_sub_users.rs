//! Sub-users through the client API, within the rules of SPEC §3.

use crate::client::{camera_ids, send, session, subscriber};
use crate::common::{each_backend, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn stored_slugs(app: &TestApp, user: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
        .bind(user)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

#[tokio::test]
async fn sub_users_are_managed_within_the_rules_of_section_3() {
    each_backend(|app| async move {
        let cams = subscriber(&app, 1).await;
        let anna = app.scalar("SELECT id FROM users WHERE login = 'anna'").await;
        let (_, v) = session(&app, "anna", "anna-password").await;
        let token = v["token"].as_str().unwrap().to_string();
        let call = |method: &'static str, path: String, body: Option<Value>| {
            let token = token.clone();
            let app = &app;
            async move { send(app, method, &path, Some(&token), body).await }
        };
        // Without subusers-manage (not in the default set): refused.
        assert_eq!(call("GET", "/api/client/v1/sub-users".into(), None).await.0, StatusCode::FORBIDDEN);
        sqlx::query("INSERT INTO user_permissions (user_id, slug) VALUES ($1, 'subusers-manage')")
            .bind(anna)
            .execute(&app.db().pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM user_permissions WHERE user_id = $1 AND slug = 'ptz-control'")
            .bind(anna)
            .execute(&app.db().pool)
            .await
            .unwrap();
        let (status, v) = call("GET", "/api/client/v1/sub-users".into(), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let allowed: Vec<&str> = v["allowed_permissions"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(allowed.contains(&"cameras-live") && allowed.contains(&"analytic-cases-smoke-fire"));
        assert!(!allowed.contains(&"subusers-manage") && !allowed.contains(&"ptz-control"));
        assert!(!allowed.contains(&"analytic-cases-face"), "level 3 has no licences");

        // Every missing field is named; every refused permission is named with its reason.
        let (status, v) = call("POST", "/api/client/v1/sub-users".into(), Some(json!({}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["login", "name", "password", "permissions"] {
            assert!(v["errors"][field].is_array(), "{field}: {v}");
        }
        let kid = |perms: Value| json!({"login": "kid", "name": "Kid", "password": "kid-password", "permissions": perms});
        for slug in ["subusers-manage", "ptz-control", "analytic-cases-face", "no-such-slug"] {
            let (status, v) = call("POST", "/api/client/v1/sub-users".into(), Some(kid(json!(["cameras-live", slug])))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
            assert!(v["errors"][slug].is_array(), "{slug}: {v}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE parent_id IS NOT NULL").await, 0, "nothing stored");
        let mut body = kid(json!(["cameras-live", "analytic-cases-smoke-fire"]));
        body["camera_ids"] = json!([cams[0]]);
        let (status, v) = call("POST", "/api/client/v1/sub-users".into(), Some(body.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        let (status, v) = call("POST", "/api/client/v1/sub-users".into(), Some(body)).await;
        assert_eq!((status, v["errors"]["login"].is_array()), (StatusCode::UNPROCESSABLE_ENTITY, true), "{v}");

        // The sub-user signs in and sees what it was given, and cannot manage sub-users.
        let (status, v) = session(&app, "kid", "kid-password").await;
        assert_eq!(status, StatusCode::CREATED);
        let kid_token = v["token"].as_str().unwrap().to_string();
        let (_, env) = send(&app, "GET", "/api/client/v1/environment", Some(&kid_token), None).await;
        assert_eq!(camera_ids(&env), [cams[0]], "only the camera it was given");
        assert_eq!(env["permissions"], json!(["analytic-cases-smoke-fire", "cameras-live"]));
        let version = env["version"].as_i64().unwrap();
        assert_eq!(send(&app, "GET", "/api/client/v1/sub-users", Some(&kid_token), None).await.0, StatusCode::FORBIDDEN);

        // Changes: cameras (the environment follows), then the password (sessions end).
        let path = format!("/api/client/v1/sub-users/{id}");
        let (status, v) = call("PUT", path.clone(), Some(json!({"camera_ids": cams}))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let (_, env) = send(&app, "GET", "/api/client/v1/environment", Some(&kid_token), None).await;
        assert_eq!((camera_ids(&env), env["version"].as_i64().unwrap() > version), (cams.clone(), true));
        let (status, _) = call("PUT", path.clone(), Some(json!({"permissions": ["subusers-manage"]}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(stored_slugs(&app, id).await, ["analytic-cases-smoke-fire", "cameras-live"], "unchanged");
        assert_eq!(call("PUT", path.clone(), Some(json!({"password": "short"}))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(call("PUT", path.clone(), Some(json!({"password": "new-kid-password"}))).await.0, StatusCode::OK);
        assert_eq!(send(&app, "GET", "/api/client/v1/environment", Some(&kid_token), None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(session(&app, "kid", "new-kid-password").await.0, StatusCode::CREATED);
        assert_eq!(call("PUT", "/api/client/v1/sub-users/999999".into(), Some(json!({}))).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call("PUT", "/api/client/v1/sub-users/abc".into(), Some(json!({}))).await.0, StatusCode::NOT_FOUND);

        // A parent that loses the level's licences: the stored slug stays, not effective.
        app.billing(json!({"id": "c6", "type": "billing.set_licences", "entity": "E", "analytics_l1": 0, "analytics_l2": 0, "analytics_l3": 0})).await;
        let (_, kid_v) = session(&app, "kid", "new-kid-password").await;
        let (_, env) = send(&app, "GET", "/api/client/v1/environment", Some(kid_v["token"].as_str().unwrap()), None).await;
        assert_eq!(env["permissions"], json!(["cameras-live"]));
        assert_eq!(stored_slugs(&app, id).await, ["analytic-cases-smoke-fire", "cameras-live"]);

        // Deletion: no more sign-in, gone from the list, every step audited.
        assert_eq!(call("DELETE", path.clone(), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(call("DELETE", path.clone(), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(session(&app, "kid", "new-kid-password").await.0, StatusCode::UNAUTHORIZED);
        let (_, v) = call("GET", "/api/client/v1/sub-users".into(), None).await;
        assert_eq!(v["sub_users"], json!([]));
        let audited: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT action, actor_login, target_id FROM audit_entries WHERE user_id = $1 AND action LIKE 'subuser.%' ORDER BY id",
        )
        .bind(anna)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
        let who = |action: &str| (action.to_string(), "anna".to_string(), id);
        // Created once; changed twice (cameras, then password); deleted once.
        assert_eq!(audited, [who("subuser.create"), who("subuser.update"), who("subuser.update"), who("subuser.delete")]);
        app
    })
    .await;
}
