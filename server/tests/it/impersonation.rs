//! Log in as User (SPEC §7.2) and the web client's session functions.

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

/// "ivy" with one camera at each of two locations; returns (user id, camera at IN-1, camera at OUT-1).
async fn subscriber(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('IN-1', 'Riga', 'A', '1'), ('OUT-1', 'Riga', 'B', '2')")
        .execute(&app.db().pool)
        .await
        .unwrap();
    app.billing(json!({"id": "i1", "type": "billing.new_entity", "entity": "IVY", "login": "ivy", "password": "ivy-password", "name": "Ivy"})).await;
    for (i, (csa, mac)) in [("IN-1", "0f:00:00:00:00:01"), ("OUT-1", "0f:00:00:00:00:02")].iter().enumerate() {
        app.billing(json!({"id": format!("i2{i}"), "type": "billing.create_location", "entity": "IVY", "csa": csa}))
            .await;
        app.billing(json!({"id": format!("i3{i}"), "type": "billing.new_camera", "entity": "IVY", "mac": mac, "serial_number": "S"})).await;
        app.billing(
            json!({"id": format!("i4{i}"), "type": "billing.attach_camera", "entity": "IVY", "mac": mac, "csa": csa}),
        )
        .await;
    }
    let user = app.scalar("SELECT id FROM users WHERE login = 'ivy'").await;
    let inside = app.scalar("SELECT id FROM cameras WHERE mac = '0f:00:00:00:00:01'").await;
    let outside = app.scalar("SELECT id FROM cameras WHERE mac = '0f:00:00:00:00:02'").await;
    (user, inside, outside)
}

async fn open(app: &TestApp, url: &str) -> (StatusCode, Option<String>, String) {
    let (status, headers, body) = app.get(url, None).await;
    let cookie = headers.get(header::SET_COOKIE).map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string());
    (status, cookie, body)
}

async fn client_call(app: &TestApp, endpoint: &str, cookie: &str) -> (StatusCode, Value) {
    let req = Request::post(format!("/api/client/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, text) = app.request(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn a_single_use_link_opens_the_client_within_the_scope_and_is_audited() {
    each_backend(|app| async move {
        let (user, inside, outside) = subscriber(&app).await;
        app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate", "audit-view"], &["IN-1"], &[]).await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let (status, url) = app.call("impersonate_user", Some(&admin), &[("id", &user.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let url = url.as_str().unwrap().to_string();
        assert!(url.starts_with("/client/impersonate/"));

        let (status, cookie, _) = open(&app, &url).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let cookie = cookie.expect("a user session cookie");
        assert!(cookie.starts_with("vms_user="));
        // Used once: the same link again is refused with a page, not a session.
        let (status, again, page) = open(&app, &url).await;
        assert_eq!((status, again.is_none()), (StatusCode::GONE, true));
        assert!(page.contains("already used"), "{page}");

        // The client shows the banner's administrator and only the in-scope camera.
        let (status, home) = client_call(&app, "home", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{home}");
        assert_eq!(client_call(&app, "me", &cookie).await.1["impersonator"], "helpdesk");
        let ids: Vec<i64> = home["cameras"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![inside]);
        assert!(!ids.contains(&outside));
        let req =
            Request::get("/api/client/v1/environment").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
        let (_, _, env) = app.request(req).await;
        assert!(!env.contains(&format!("\"id\":{outside}")), "{env}");
        // The administrator's own session is untouched.
        assert_eq!(app.call("me", Some(&admin), &[]).await.0, StatusCode::OK);

        assert_eq!(client_call(&app, "sign_out", &cookie).await.0, StatusCode::OK);
        assert_eq!(client_call(&app, "home", &cookie).await.0, StatusCode::UNAUTHORIZED);
        let (_, log) = app.call("audit_log", Some(&admin), &[("target", "ivy")]).await;
        let actions: Vec<&str> =
            log["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        for a in ["user.impersonate", "user.impersonate_start", "user.impersonate_end"] {
            assert!(actions.contains(&a), "{actions:?}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn expired_links_and_links_of_administrators_who_lost_the_permission_are_refused() {
    each_backend(|app| async move {
        let (user, _, _) = subscriber(&app).await;
        let id = app.create_admin("temp", "admin", &["users-view", "users-impersonate"], &[], &[]).await;
        let admin = app.sign_in("temp", "password-123").await.unwrap();
        let (_, url) = app.call("impersonate_user", Some(&admin), &[("id", &user.to_string())]).await;
        app.state.clock.advance_ms(61_000);
        assert_eq!(open(&app, url.as_str().unwrap()).await.0, StatusCode::GONE);

        let (_, url) = app.call("impersonate_user", Some(&admin), &[("id", &user.to_string())]).await;
        sqlx::query("DELETE FROM administrator_permissions WHERE admin_id = $1 AND slug = 'users-impersonate'")
            .bind(id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        let (status, cookie, _) = open(&app, url.as_str().unwrap()).await;
        assert_eq!((status, cookie), (StatusCode::GONE, None));
        assert_eq!(open(&app, "/client/impersonate/not-a-token").await.0, StatusCode::GONE);
        // The client's functions take a user session, never an administrator's cookie.
        assert_eq!(client_call(&app, "home", &admin).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/client", Some(&admin)).await.0, StatusCode::SEE_OTHER);
        app
    })
    .await;
}

#[tokio::test]
async fn users_sign_in_to_the_web_client_and_a_paused_account_is_locked() {
    each_backend(|app| async move {
        subscriber(&app).await;
        let req = Request::post("/api/client/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from("login=ivy&password=ivy-password"))
            .unwrap();
        let (status, headers, text) = app.request(req).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
        assert_eq!(app.get("/client", Some(&cookie)).await.0, StatusCode::OK);
        app.billing(json!({"id": "ip", "type": "billing.pause_entity", "entity": "IVY"})).await;
        let (_, home) = client_call(&app, "home", &cookie).await;
        assert_eq!(home["status"], "paused");
        assert!(home["cameras"].as_array().unwrap().iter().all(|c| c["locked"] == true));
        let (_, me) = client_call(&app, "me", &cookie).await;
        assert_eq!((me["impersonator"].clone(), me["status"].clone()), (Value::Null, json!("paused")));
        app
    })
    .await;
}

async fn api(app: &TestApp, method: &str, path: &str, cookie: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = app.request(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn cameras_of(app: &TestApp, user: i64) -> Vec<i64> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT camera_id FROM camera_access WHERE user_id = $1 ORDER BY camera_id")
        .bind(user)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    rows.into_iter().map(|(c,)| c).collect()
}

#[tokio::test]
async fn actions_while_impersonating_stay_in_scope_and_are_audited_with_both_identities() {
    each_backend(|app| async move {
        let (user, inside, outside) = subscriber(&app).await;
        app.billing(json!({"id": "il", "type": "billing.set_licences", "entity": "IVY", "analytics_l1": 5, "analytics_l2": 0, "analytics_l3": 0})).await;
        sqlx::query("INSERT INTO user_permissions (user_id, slug) VALUES ($1, 'subusers-manage')")
            .bind(user)
            .execute(&app.db().pool)
            .await
            .unwrap();
        app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate", "audit-view"], &["IN-1"], &[]).await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let (_, url) = app.call("impersonate_user", Some(&admin), &[("id", &user.to_string())]).await;
        let (_, cookie, _) = open(&app, url.as_str().unwrap()).await;
        let cookie = cookie.unwrap();

        // Cameras outside the administrator's scope cannot be used or given.
        let case = |cams: Vec<i64>| json!({"name": "Door", "type": "motion-detect", "camera_ids": cams});
        assert_eq!(api(&app, "POST", "/api/client/v1/cases", &cookie, case(vec![outside])).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, v) = api(&app, "POST", "/api/client/v1/cases", &cookie, case(vec![inside])).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        // Sub-users come with a login and password: the administrator cannot create one.
        let kid = json!({"login": "ivy-kid", "name": "Kid", "password": "kid-password-1", "permissions": ["cameras-live"]});
        let (status, v) = api(&app, "POST", "/api/client/v1/sub-users", &cookie, kid.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
        // The user itself creates the kid with both cameras; the administrator's save keeps the
        // one outside its scope, and cannot give it either.
        let own = own_session(&app).await;
        let mut both = kid.clone();
        both["camera_ids"] = json!([inside, outside]);
        let (status, v) = api(&app, "POST", "/api/client/v1/sub-users", &own, both).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let kid = v["id"].as_i64().unwrap();
        let path = format!("/api/client/v1/sub-users/{kid}");
        assert_eq!(api(&app, "PUT", &path, &cookie, json!({"camera_ids": [outside]})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, v) = api(&app, "PUT", &path, &cookie, json!({"name": "Kid B", "camera_ids": [inside]})).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(cameras_of(&app, kid).await, vec![inside, outside]);

        // The audit log names both: the user as actor, the administrator who acted.
        let (_, log) = app.call("audit_log", Some(&admin), &[("actor", "helpdesk")]).await;
        let rows = log["rows"].as_array().unwrap();
        for action in ["case.create", "subuser.update"] {
            let row = rows.iter().find(|r| r["action"] == action).unwrap_or_else(|| panic!("{action} in {log}"));
            assert_eq!((row["actor_login"].as_str(), row["impersonator"].as_str()), (Some("ivy"), Some("helpdesk")));
            assert!(row["details"].as_str().unwrap().contains("\"impersonated_by\":\"helpdesk\""), "{row}");
        }
        // The user's own change is the user's alone.
        let (_, log) = app.call("audit_log", Some(&admin), &[("actor", "ivy"), ("action", "subuser.create")]).await;
        assert!(log["rows"].as_array().unwrap().iter().any(|r| r["impersonator"].is_null()), "{log}");
        app
    })
    .await;
}

/// A web client session of ivy herself, as a cookie.
async fn own_session(app: &TestApp) -> String {
    let req = Request::post("/api/client/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from("login=ivy&password=ivy-password"))
        .unwrap();
    let (status, headers, text) = app.request(req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string()
}
