//! The client API (SPEC §7.1): sessions and analytics cases within licences.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{each_backend, TestApp};
use serde_json::{json, Value};

async fn send(
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

async fn billing(app: &TestApp, body: Value) {
    let (status, v) = {
        let req = Request::post("/api/billing/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, "Bearer test-billing-token")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, _, t) = app.request(req).await;
        (s, t)
    };
    assert_eq!(status, StatusCode::OK, "{v}");
}

async fn session(app: &TestApp, login: &str, password: &str) -> (StatusCode, Value) {
    send(app, "POST", "/api/client/v1/sessions", None, Some(json!({"login": login, "password": password}))).await
}

/// A user with two cameras and `l1` level-1 licences; returns the camera ids.
async fn subscriber(app: &TestApp, l1: i64) -> Vec<i64> {
    app.db();
    sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('C-1', 'Riga', 'Iela', '1')")
        .execute(&app.db().pool)
        .await
        .unwrap();
    billing(app, json!({"id": "c1", "type": "billing.new_entity", "entity": "E", "login": "anna", "password": "anna-password", "name": "Anna"})).await;
    billing(app, json!({"id": "c2", "type": "billing.create_location", "entity": "E", "csa": "C-1"})).await;
    for (i, mac) in ["0d:00:00:00:00:01", "0d:00:00:00:00:02"].iter().enumerate() {
        billing(app, json!({"id": format!("c3{i}"), "type": "billing.new_camera", "entity": "E", "mac": mac, "serial_number": "S"})).await;
        billing(
            app,
            json!({"id": format!("c4{i}"), "type": "billing.attach_camera", "entity": "E", "mac": mac, "csa": "C-1"}),
        )
        .await;
    }
    billing(app, json!({"id": "c5", "type": "billing.set_licences", "entity": "E", "analytics_l1": l1, "analytics_l2": 0, "analytics_l3": 0})).await;
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
        billing(&app, json!({"id": "c9", "type": "billing.terminate_entity", "entity": "E"})).await;
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
        assert!(v.to_string().contains("1 free level 1 licences; this case needs 2"), "{v}");
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
        assert_eq!((tab[0]["total"].clone(), tab[0]["used"].clone()), (json!(1), json!(1)));

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
                    assert_eq!(send(&app, "DELETE", &path, Some(&token), None).await.0, StatusCode::NO_CONTENT);
                }
                _ => {
                    let total = rng.below(5);
                    let body = json!({"id": format!("lic-{step}"), "type": "billing.set_licences", "entity": "E",
                        "analytics_l1": total, "analytics_l2": 0, "analytics_l3": 0});
                    let req = Request::post("/api/billing/v1/requests")
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::AUTHORIZATION, "Bearer test-billing-token")
                        .body(Body::from(body.to_string()))
                        .unwrap();
                    let (status, _, text) = app.request(req).await;
                    assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{text}");
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
                assert_eq!(tab[0]["used"], json!(in_cases), "step {step}");
                assert_eq!(tab[0]["total"], json!(total));
            } else {
                assert!(tab.as_array().unwrap().is_empty(), "no licences: no row");
            }
        }
        app
    })
    .await;
}
