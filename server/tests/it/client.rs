//! The client API (SPEC §7.1): sessions and analytics cases within licences (sub-users:
//! `client_sub_users`).

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

pub(crate) async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = body.map(|v| Body::from(v.to_string())).unwrap_or_else(Body::empty);
    let (status, _, text) = app.request(b.body(body).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The ids of the cameras an environment lists, in its order.
pub(crate) fn camera_ids(env: &Value) -> Vec<i64> {
    env["cameras"].as_array().expect("cameras").iter().map(|c| c["id"].as_i64().expect("camera id")).collect()
}

pub(crate) async fn session(app: &TestApp, login: &str, password: &str) -> (StatusCode, Value) {
    send(app, "POST", "/api/client/v1/sessions", None, Some(json!({"login": login, "password": password}))).await
}

/// A user with two cameras and `l1` level-1 licences; returns the camera ids.
pub(crate) async fn subscriber(app: &TestApp, l1: i64) -> Vec<i64> {
    app.db();
    sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('C-1', 'Riga', 'Iela', '1')")
        .execute(&app.db().pool)
        .await
        .unwrap();
    app.billing(json!({"id": "c1", "type": "billing.new_entity", "entity": "E", "login": "anna", "password": "anna-password", "name": "Anna"})).await;
    app.billing(json!({"id": "c2", "type": "billing.create_location", "entity": "E", "csa": "C-1"})).await;
    for (i, mac) in ["0d:00:00:00:00:01", "0d:00:00:00:00:02"].iter().enumerate() {
        app.billing(json!({"id": format!("c3{i}"), "type": "billing.new_camera", "entity": "E", "mac": mac, "serial_number": "S"})).await;
        app.billing(
            json!({"id": format!("c4{i}"), "type": "billing.attach_camera", "entity": "E", "mac": mac, "csa": "C-1"}),
        )
        .await;
    }
    app.billing(json!({"id": "c5", "type": "billing.set_licences", "entity": "E", "analytics_l1": l1, "analytics_l2": 0, "analytics_l3": 0})).await;
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM cameras ORDER BY id").fetch_all(&app.db().pool).await.unwrap();
    rows.into_iter().map(|(c,)| c).collect()
}

#[tokio::test]
async fn sessions_refuse_wrong_and_deleted_accounts_and_slow_down_guessing() {
    each_backend(|app| async move {
        subscriber(&app, 1).await;
        let (status, v) = session(&app, "ANNA", "anna-password").await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["token"].as_str().unwrap().len(), 64);
        assert_eq!(session(&app, "anna", "wrong-password").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(session(&app, "nobody", "anna-password").await.0, StatusCode::UNAUTHORIZED);
        let (status, v) = send(&app, "POST", "/api/client/v1/sessions", None, Some(json!({"password": "x"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        for _ in 0..6 {
            session(&app, "anna", "wrong-password").await;
        }
        assert_eq!(session(&app, "anna", "anna-password").await.0, StatusCode::TOO_MANY_REQUESTS);
        app.state.clock.advance_ms(10 * 60_000);
        let (_, v) = session(&app, "anna", "anna-password").await;
        let token = v["token"].as_str().unwrap().to_string();
        // Termination ends the session and refuses new ones.
        app.billing(json!({"id": "c9", "type": "billing.terminate_entity", "entity": "E"})).await;
        assert_eq!(send(&app, "GET", "/api/client/v1/cases", Some(&token), None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(session(&app, "anna", "anna-password").await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

#[tokio::test]
async fn cases_consume_licences_and_are_refused_beyond_them() {
    each_backend(|app| async move {
        let cams = subscriber(&app, 1).await;
        let (_, v) = session(&app, "anna", "anna-password").await;
        let token = v["token"].as_str().unwrap().to_string();
        let create = |body: Value| {
            let token = token.clone();
            let app = &app;
            async move { send(app, "POST", "/api/client/v1/cases", Some(&token), Some(body)).await }
        };
        // Two cameras, one free level-1 licence: refused, nothing stored.
        let (status, v) = create(json!({"name": "Yard", "type": "motion-detect", "camera_ids": cams})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("1 licence free at level 1; this case needs 2"), "{v}");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM analytics_cases").await, 0);
        // Level 3 has no licences: the permission is not effective.
        let (status, v) = create(json!({"name": "Faces", "type": "face", "camera_ids": [cams[0]]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(
            create(json!({"name": "X", "type": "teleport", "camera_ids": [cams[0]]})).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            create(json!({"name": "X", "type": "smoke-fire", "camera_ids": [999_999]})).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            create(json!({"name": "X", "type": "smoke-fire", "camera_ids": []})).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let (status, v) = create(json!({"name": "Gate", "type": "smoke-fire", "camera_ids": [cams[0]]})).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        let case = v["id"].as_i64().unwrap();
        assert_eq!(
            create(json!({"name": "More", "type": "loud-sounds", "camera_ids": [cams[1]]})).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );

        // The console's Analytics tab counts it.
        let root = app.superadmin().await;
        let user = app.scalar("SELECT id FROM users WHERE login = 'anna'").await;
        let (_, tab) = app.call("user_licences", Some(&root), &[("id", &user.to_string())]).await;
        assert_eq!((tab["rows"][0]["total"].clone(), tab["rows"][0]["used"].clone()), (json!(1), json!(1)));

        let (_, list) = send(&app, "GET", "/api/client/v1/cases", Some(&token), None).await;
        assert_eq!(list["cases"][0]["camera_ids"], json!([cams[0]]));
        assert_eq!(
            send(&app, "DELETE", "/api/client/v1/cases/999999", Some(&token), None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            send(&app, "DELETE", &format!("/api/client/v1/cases/{case}"), Some(&token), None).await.0,
            StatusCode::NO_CONTENT
        );
        let (status, _) = create(json!({"name": "Again", "type": "loud-sounds", "camera_ids": [cams[1]]})).await;
        assert_eq!(status, StatusCode::CREATED, "the licence is free again");
        assert_eq!(send(&app, "GET", "/api/client/v1/cases", None, None).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

/// Random creations, deletions and licence changes: the used count always equals the
/// cameras in cases, never exceeds a positive total, and refusals change nothing.
#[tokio::test]
async fn licence_arithmetic_holds_under_random_operations() {
    each_backend(|app| async move {
        let cams = subscriber(&app, 2).await;
        let (_, v) = session(&app, "anna", "anna-password").await;
        let token = v["token"].as_str().unwrap().to_string();
        let root = app.superadmin().await;
        let user = app.scalar("SELECT id FROM users WHERE login = 'anna'").await;
        let mut rng = app::domain::rng::SplitMix64::new(7);
        let mut cases: Vec<i64> = Vec::new();
        for step in 0..60 {
            match rng.below(3) {
                0 => {
                    let n = 1 + rng.below(2) as usize;
                    let body = json!({"name": "c", "type": "smoke-fire", "camera_ids": cams[..n]});
                    let (status, v) = send(&app, "POST", "/api/client/v1/cases", Some(&token), Some(body)).await;
                    match status {
                        StatusCode::CREATED => cases.push(v["id"].as_i64().unwrap()),
                        StatusCode::UNPROCESSABLE_ENTITY => {}
                        other => panic!("{other}: {v}"),
                    }
                }
                1 if !cases.is_empty() => {
                    let id = cases.remove(rng.below(cases.len() as u64) as usize);
                    let path = format!("/api/client/v1/cases/{id}");
                    let licensed =
                        app.scalar(&format!("SELECT COUNT(*) FROM licences WHERE user_id = {user} AND total > 0")).await;
                    // A case of a level without licences is hidden (SPEC §8), so it cannot be deleted either.
                    let status = send(&app, "DELETE", &path, Some(&token), None).await.0;
                    if licensed > 0 {
                        assert_eq!(status, StatusCode::NO_CONTENT);
                    } else {
                        assert_eq!(status, StatusCode::NOT_FOUND);
                        cases.push(id);
                    }
                }
                _ => {
                    let total = rng.below(5);
                    let body = json!({"id": format!("lic-{step}"), "type": "billing.set_licences", "entity": "E",
                        "analytics_l1": total, "analytics_l2": 0, "analytics_l3": 0});
                    let (status, answer) = app.billing_request(&body).await;
                    assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
                }
            }
            let in_cases = app
                .scalar(&format!(
                    "SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases c ON c.id = cc.case_id WHERE c.account_id = {user}"
                ))
                .await;
            let total = app.scalar(&format!("SELECT total FROM licences WHERE user_id = {user} AND level = 1")).await;
            assert!(total == 0 || in_cases <= total, "step {step}: {in_cases} used of {total}");
            let (_, tab) = app.call("user_licences", Some(&root), &[("id", &user.to_string())]).await;
            if total > 0 {
                assert_eq!(tab["rows"][0]["used"], json!(in_cases), "step {step}");
                assert_eq!(tab["rows"][0]["total"], json!(total));
            } else {
                assert!(tab["rows"].as_array().unwrap().is_empty(), "no licences: no row");
            }
        }
        app
    })
    .await;
}

#[tokio::test]
async fn case_events_are_listed_newest_first_for_the_case_owner_only() {
    each_backend(|app| async move {
        let cams = subscriber(&app, 2).await;
        let (_, v) = session(&app, "anna", "anna-password").await;
        let token = v["token"].as_str().unwrap().to_string();
        let body = json!({"name": "Gate", "type": "smoke-fire", "camera_ids": [cams[0]]});
        let (_, v) = send(&app, "POST", "/api/client/v1/cases", Some(&token), Some(body)).await;
        let case = v["id"].as_i64().unwrap();
        for (i, kind) in ["smoke", "fire", "smoke"].iter().enumerate() {
            let req = Request::post("/api/analytics/v1/events")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, "Bearer test-analytics-token")
                .body(Body::from(
                    json!({"case_id": case, "kind": kind, "occurred_at": format!("2026-11-0{}T10:00:00Z", i + 1), "data": {"n": i}})
                        .to_string(),
                ))
                .unwrap();
            assert_eq!(app.request(req).await.0, StatusCode::CREATED);
        }
        let path = format!("/api/client/v1/cases/{case}/events");
        let (status, v) = send(&app, "GET", &path, Some(&token), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let kinds: Vec<&str> = v["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["smoke", "fire", "smoke"].iter().rev().copied().collect::<Vec<_>>());
        assert_eq!(v["events"][0]["data"], json!({"n": 2}));
        let before = v["events"][0]["id"].as_i64().unwrap();
        let (_, older) = send(&app, "GET", &format!("{path}?before={before}"), Some(&token), None).await;
        assert_eq!(older["events"].as_array().unwrap().len(), 2);
        let (_, list) = send(&app, "GET", "/api/client/v1/cases", Some(&token), None).await;
        assert_eq!(list["cases"][0]["events"], json!(3));
        assert_eq!(send(&app, "GET", &format!("{path}?before=x"), Some(&token), None).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(send(&app, "GET", "/api/client/v1/cases/999999/events", Some(&token), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(send(&app, "GET", &path, None, None).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

/// The slugs of a user, from the database.
/// Every web client server function but sign-in needs a user session (an administrator's
/// cookie is not one). Each is called with valid arguments, so only the session is missing.
#[tokio::test]
async fn web_client_functions_need_a_user_session() {
    const BODIES: &[(&str, &str)] = &[
        ("me", ""),
        ("home", ""),
        ("sign_out", ""),
        ("sub_users", ""),
        ("analytics", ""),
        ("delete_sub_user", "id=1"),
        ("delete_case", "id=1"),
        ("case_events", "id=1"),
        (
            "save_sub_user",
            r#"{"id":null,"login":"kid","name":"Kid","password":"kid-password","permissions":[],"camera_ids":[],"version":null}"#,
        ),
        ("create_case", r#"{"name":"Gate","kind":"smoke-fire","camera_ids":[1]}"#),
    ];
    each_backend(|app| async move {
        subscriber(&app, 1).await;
        let admin = app.superadmin().await;
        let paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_string())
            .filter(|p| p.starts_with("/api/client/") && p != "/api/client/sign_in")
            .collect();
        for path in paths {
            let endpoint = path.trim_start_matches("/api/client/");
            let (_, body) = BODIES.iter().find(|(e, _)| *e == endpoint).unwrap_or_else(|| panic!("no row for {path}"));
            let kind = if body.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" };
            for cookie in [None, Some(admin.as_str())] {
                let mut b = Request::post(path.as_str())
                    .header(header::CONTENT_TYPE, kind)
                    .header(header::ACCEPT, "application/json");
                if let Some(c) = cookie {
                    b = b.header(header::COOKIE, c);
                }
                let (status, _, text) = app.request(b.body(Body::from(*body)).unwrap()).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} with {cookie:?}: {text}");
            }
        }
        app
    })
    .await;
}
