//! The billing API through the router, on SQLite and PostgreSQL: every type's success and
//! failure paths, idempotency, the error shape, and the Billing Events tab.

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

const TOKEN: &str = "test-billing-token";

async fn post_raw(app: &TestApp, token: Option<&str>, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let mut b = Request::post("/api/billing/v1/requests").header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, _, text) = app.request(b.body(Body::from(body)).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    post_raw(app, Some(TOKEN), "application/json", body.to_string().into_bytes()).await
}

async fn seed_csa(app: &TestApp) {
    for code in ["CSA-1", "CSA-2"] {
        sqlx::query("INSERT INTO csa_codes (code, city, street, house, entrance) VALUES ($1, 'Riga', 'Brivibas iela', '1', '2')")
            .bind(code)
            .execute(&app.db().pool)
            .await
            .unwrap();
    }
}

async fn new_user(app: &TestApp, entity: &str, login: &str) -> i64 {
    let (status, body) = post(
        app,
        json!({"id": format!("new-{entity}"), "type": "billing.new_entity", "entity": entity,
        "login": login, "password": "secret-password", "name": "Anna Berzina", "properties": {"contract": "C-1"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["user_id"].as_i64().unwrap()
}

#[tokio::test]
async fn authentication_and_the_error_shape() {
    each_backend(|app| async move {
        let body = json!({"id": "r1", "type": "billing.pause_entity", "entity": "E"}).to_string().into_bytes();
        assert_eq!(post_raw(&app, None, "application/json", body.clone()).await.0, StatusCode::UNAUTHORIZED);
        let (status, err) = post_raw(&app, Some("wrong"), "application/json", body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(err["message"].is_string() && err["errors"].is_object());
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events").await, 0);
        // A CLI-created token (stored hashed) works too.
        let token = app::backend::token::new_token();
        sqlx::query("INSERT INTO billing_tokens (name, token_hash, created_at) VALUES ('cli', $1, 0)")
            .bind(app::backend::token::hash_token(&token))
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(post_raw(&app, Some(&token), "application/json", body.clone()).await.0, StatusCode::NOT_FOUND);

        assert_eq!(post_raw(&app, Some(TOKEN), "text/plain", body.clone()).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            post_raw(&app, Some(TOKEN), "application/json", b"{not json".to_vec()).await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(post_raw(&app, Some(TOKEN), "application/json", b"[1,2]".to_vec()).await.0, StatusCode::BAD_REQUEST);
        let big = json!({"id": "big", "type": "billing.pause_entity", "entity": "E", "pad": "x".repeat(70_000)});
        assert_eq!(post(&app, big).await.0, StatusCode::PAYLOAD_TOO_LARGE);
        let (status, err) = post(&app, json!({"id": "bad id", "type": "billing.pause_entity"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["errors"]["id"].is_array() && err["errors"]["entity"].is_array());
        // Invalid envelopes are not logged; the 404 above was.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events").await, 1);
        app
    })
    .await;
}

#[tokio::test]
async fn new_entity_pause_unpause_login_password_and_terminate() {
    each_backend(|app| async move {
        let user = new_user(&app, "E1", "anna").await;
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM user_permissions WHERE user_id = {user}")).await, 34);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%'").await, 1);
        let (_, payload): (i64, String) = sqlx::query_as("SELECT user_id, payload FROM billing_events WHERE request_id = 'new-E1'")
            .fetch_one(&app.db().pool).await.unwrap();
        assert!(!payload.contains("secret-password") && payload.contains("[redacted]"));

        let (status, err) = post(&app, json!({"id": "dup", "type": "billing.new_entity", "entity": "E1", "login": "other", "password": "12345678", "name": "X"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        let (status, err) = post(&app, json!({"id": "bad-new", "type": "billing.new_entity", "entity": "E2", "login": "anna", "password": "short", "properties": {"a": 1}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["password", "name", "properties"] {
            assert!(err["errors"][f].is_array(), "{f}: {err}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE entity = 'E2'").await, 0);

        for (id, kind, status) in [("p1", "billing.pause_entity", "paused"), ("u1", "billing.unpause_entity", "active")] {
            let (code, body) = post(&app, json!({"id": id, "type": kind, "entity": "E1"})).await;
            assert_eq!(code, StatusCode::OK, "{body}");
            assert_eq!(body["user_id"], user);
            assert_eq!(body["outcome"], "applied");
            assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM users WHERE id = {user} AND status = '{status}'")).await, 1);
        }
        assert_eq!(post(&app, json!({"id": "nobody", "type": "billing.pause_entity", "entity": "NOPE"})).await.0, StatusCode::NOT_FOUND);

        new_user(&app, "E3", "boris").await;
        let (status, err) = post(&app, json!({"id": "l1", "type": "billing.update_login", "entity": "E1", "login": "BORIS"})).await;
        assert_eq!((status, err["errors"]["login"][0].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("has already been taken")));
        assert_eq!(post(&app, json!({"id": "l2", "type": "billing.update_login", "entity": "E1", "login": "anna.b"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM users WHERE id = {user} AND login = 'anna.b'")).await, 1);

        sqlx::query("INSERT INTO user_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('s', $1, 0, 0, 9999999999999)")
            .bind(user).execute(&app.db().pool).await.unwrap();
        assert_eq!(post(&app, json!({"id": "pw1", "type": "billing.update_password", "entity": "E1", "password": "1234"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_sessions").await, 1);
        assert_eq!(post(&app, json!({"id": "pw2", "type": "billing.update_password", "entity": "E1", "password": "new-password-1"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_sessions").await, 0);

        sqlx::query("INSERT INTO users (parent_id, login, name, password_hash, search, created_at, updated_at) VALUES ($1, 'anna.kid', 'Kid', 'x', 'kid', 0, 0)")
            .bind(user).execute(&app.db().pool).await.unwrap();
        assert_eq!(post(&app, json!({"id": "t1", "type": "billing.terminate_entity", "entity": "E1"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM users WHERE (id = {user} OR parent_id = {user}) AND status = 'deleted' AND deleted_at IS NOT NULL")).await, 2);
        assert_eq!(post(&app, json!({"id": "t2", "type": "billing.pause_entity", "entity": "E1"})).await.0, StatusCode::CONFLICT);
        app
    })
    .await;
}

#[tokio::test]
async fn locations_cameras_and_licences() {
    each_backend(|app| async move {
        seed_csa(&app).await;
        let user = new_user(&app, "E1", "anna").await;
        let (status, err) = post(&app, json!({"id": "loc0", "type": "billing.create_location", "entity": "E1", "csa": "UNKNOWN"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["errors"]["csa"].is_array());
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events WHERE request_id = 'loc0' AND type = 'billing.create_location_unknown_csa' AND outcome = 'rejected'").await, 1);
        for id in ["loc1", "loc1b"] {
            assert_eq!(post(&app, json!({"id": id, "type": "billing.create_location", "entity": "E1", "csa": "CSA-1"})).await.0, StatusCode::OK);
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM locations").await, 1);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM user_locations WHERE user_id = {user}")).await, 1);

        let cam = json!({"type": "billing.new_camera", "entity": "E1", "mac": "00-1A-2B-3C-4D-5E", "serial_number": "SN1", "name": "Door"});
        for id in ["cam1", "cam1b"] {
            let mut c = cam.clone();
            c["id"] = json!(id);
            assert_eq!(post(&app, c).await.0, StatusCode::OK);
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM cameras WHERE mac = '00:1a:2b:3c:4d:5e'").await, 1);
        assert_eq!(post(&app, json!({"id": "cam2", "type": "billing.new_camera", "entity": "E1", "mac": "nope"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        let (status, err) = post(&app, json!({"id": "a0", "type": "billing.attach_camera", "entity": "E1", "mac": "00:1a:2b:3c:4d:5e", "csa": "CSA-2"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["errors"]["csa"].is_array());
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events WHERE type = 'billing.attach_camera_unknown_csa'").await, 1);
        let (_, err) = post(&app, json!({"id": "a1", "type": "billing.attach_camera", "entity": "E1", "mac": "00:00:00:00:00:01", "csa": "CSA-1"})).await;
        assert!(err["errors"]["mac"].is_array());
        assert_eq!(post(&app, json!({"id": "a2", "type": "billing.attach_camera", "entity": "E1", "mac": "00:1a:2b:3c:4d:5e", "csa": "CSA-1"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM camera_access WHERE user_id = {user}")).await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM cameras WHERE location_id IS NOT NULL").await, 1);

        assert_eq!(post(&app, json!({"id": "d1", "type": "billing.detach_camera", "entity": "E1", "mac": "00:1a:2b:3c:4d:5e"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM camera_access").await, 0);
        assert_eq!(post(&app, json!({"id": "a3", "type": "billing.attach_camera", "entity": "E1", "mac": "00:1a:2b:3c:4d:5e", "csa": "CSA-1"})).await.0, StatusCode::OK);
        assert_eq!(post(&app, json!({"id": "dl1", "type": "billing.delete_location", "entity": "E1", "csa": "CSA-1"})).await.0, StatusCode::OK);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM camera_access").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM locations").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM cameras WHERE location_id IS NULL").await, 1);
        assert_eq!(post(&app, json!({"id": "dl2", "type": "billing.delete_location", "entity": "E1", "csa": "CSA-1"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        let (status, err) = post(&app, json!({"id": "lic0", "type": "billing.set_licences", "entity": "E1", "analytics_l1": -1, "analytics_l2": "2"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["analytics_l1", "analytics_l2", "analytics_l3"] {
            assert!(err["errors"][f].is_array(), "{f}");
        }
        assert_eq!(post(&app, json!({"id": "lic1", "type": "billing.set_licences", "entity": "E1", "analytics_l1": 3, "analytics_l2": 0, "analytics_l3": 1})).await.0, StatusCode::OK);
        assert_eq!(app.scalar(&format!("SELECT total FROM licences WHERE user_id = {user} AND level = 1")).await, 3);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM licences WHERE user_id = {user} AND level = 2 AND zero_since IS NOT NULL")).await, 1);
        // Licences in use: a non-zero total below them is refused, zero is accepted.
        let (cam_id,): (i64,) = sqlx::query_as("SELECT id FROM cameras LIMIT 1").fetch_one(&app.db().pool).await.unwrap();
        for n in 0..2 {
            let (case,): (i64,) = sqlx::query_as("INSERT INTO analytics_cases (user_id, account_id, name, type, level, created_at) VALUES ($1, $1, 'c', 'motion-detect', 1, 0) RETURNING id")
                .bind(user).fetch_one(&app.db().pool).await.unwrap();
            let _ = n;
            sqlx::query("INSERT INTO case_cameras (case_id, camera_id) VALUES ($1, $2)").bind(case).bind(cam_id).execute(&app.db().pool).await.unwrap();
        }
        let (status, err) = post(&app, json!({"id": "lic2", "type": "billing.set_licences", "entity": "E1", "analytics_l1": 1, "analytics_l2": 0, "analytics_l3": 1})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["errors"]["analytics_l1"].is_array());
        assert_eq!(post(&app, json!({"id": "lic3", "type": "billing.set_licences", "entity": "E1", "analytics_l1": 0, "analytics_l2": 0, "analytics_l3": 1})).await.0, StatusCode::OK);

        let (status, err) = post(&app, json!({"id": "u1", "type": "billing.reticulate", "entity": "E1"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["errors"]["type"].is_array());
        let (payload,): (String,) = sqlx::query_as("SELECT payload FROM billing_events WHERE request_id = 'u1' AND type = 'billing.unknown_type'")
            .fetch_one(&app.db().pool).await.unwrap();
        assert!(payload.contains("billing.reticulate"));
        // Every logged event about E1 is linked to the user.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events WHERE entity = 'E1' AND user_id IS NULL").await, 0);
        app
    })
    .await;
}

#[tokio::test]
async fn replays_return_the_original_answer_and_change_nothing() {
    each_backend(|app| async move {
        let body = json!({"id": "same", "type": "billing.new_entity", "entity": "E9", "login": "zed", "password": "password-9", "name": "Zed"});
        let futures: Vec<_> = (0..20).map(|_| post(&app, body.clone())).collect();
        let answers = futures::future::join_all(futures).await;
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        assert_eq!(answers[0].0, StatusCode::OK);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE entity = 'E9'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events WHERE request_id = 'same'").await, 1);
        // The answer names its event, and the event stores that very answer.
        let event_id = app.scalar("SELECT id FROM billing_events WHERE request_id = 'same'").await;
        assert_eq!(answers[0].1["event_id"], json!(event_id));
        let (stored,): (String,) = sqlx::query_as("SELECT response FROM billing_events WHERE request_id = 'same'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), answers[0].1);
        let mut other = body.clone();
        other["name"] = json!("Someone else");
        let (status, err) = post(&app, other).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(err["errors"]["id"].is_array());
        // A rejected request replays its rejection.
        let bad = json!({"id": "rej", "type": "billing.pause_entity", "entity": "NOPE"});
        let first = post(&app, bad.clone()).await;
        assert_eq!(first.0, StatusCode::NOT_FOUND);
        assert_eq!(post(&app, bad).await, first);
        app
    })
    .await;
}

/// Requests of many entities arriving together (on SQLite, one batch; on PostgreSQL, side by
/// side), refusals among them: each answer names its own event, each event stores its answer,
/// and nothing a refusal tried stays.
#[tokio::test]
async fn requests_arriving_together_keep_their_outcomes() {
    each_backend(|app| async move {
        new_user(&app, "TAKEN", "taken-login").await;
        let journeys = (0..12).map(|i| {
            let app = &app;
            async move {
                let entity = format!("T{i}");
                let steps = [
                    json!({"id": format!("{entity}-new"), "type": "billing.new_entity", "entity": entity,
                           "login": format!("login-{i}"), "password": "secret-password", "name": "Together"}),
                    json!({"id": format!("{entity}-pause"), "type": "billing.pause_entity", "entity": entity}),
                    json!({"id": format!("{entity}-login"), "type": "billing.update_login", "entity": entity, "login": "taken-login"}),
                    json!({"id": format!("{entity}-unpause"), "type": "billing.unpause_entity", "entity": entity}),
                    json!({"id": format!("{entity}-ghost"), "type": "billing.pause_entity", "entity": format!("GHOST-{i}")}),
                ];
                let mut answers = Vec::new();
                for step in steps {
                    answers.push((step["id"].as_str().unwrap().to_owned(), post(app, step).await));
                }
                answers
            }
        });
        let answers: Vec<_> = futures::future::join_all(journeys).await.into_iter().flatten().collect();
        let statuses: Vec<u16> = answers.iter().map(|(_, (status, _))| status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 36, "{answers:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 12, "{answers:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 12, "{answers:?}");
        for (request_id, (status, answer)) in &answers {
            let (event_id, stored, event_status): (i64, String, i64) =
                sqlx::query_as("SELECT id, response, status FROM billing_events WHERE request_id = $1")
                    .bind(request_id)
                    .fetch_one(&app.db().pool)
                    .await
                    .unwrap();
            assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), *answer, "{request_id}");
            assert_eq!(event_status, i64::from(status.as_u16()), "{request_id}");
            if status.is_success() {
                assert_eq!(answer["event_id"], json!(event_id), "{request_id}");
            }
        }
        // The refused login change left every login as it was, and the last step of each
        // journey (unpause) is what stays.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE login = 'taken-login'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE entity LIKE 'T%' AND status = 'active' AND login LIKE 'login-%'").await, 12);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events").await, 61);
        app
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_matches_the_validation() {
    each_backend(|app| async move {
        let (status, _, text) = app.get("/api/billing/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        new_user(&app, "E1", "anna").await;
        let mut n = 0;
        for t in server::billing::types::TYPES {
            let schema = &schemas[t.name.code().trim_start_matches("billing.")];
            assert_eq!(schema["properties"]["type"]["enum"][0], t.name.code());
            // Each required field of the document is required by the handler.
            for field in schema["required"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()) {
                if ["id", "type", "entity"].contains(&field) {
                    continue;
                }
                n += 1;
                let (status, err) =
                    post(&app, json!({"id": format!("missing-{n}"), "type": t.name, "entity": "E1"})).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{} without {field}", t.name);
                assert!(err["errors"][field].is_array(), "{} without {field}: {err}", t.name);
            }
            // A password is one of two fields: without either, the request names `password`.
            if schema["oneOf"].is_array() {
                n += 1;
                let (status, err) =
                    post(&app, json!({"id": format!("missing-{n}"), "type": t.name, "entity": "E1"})).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
                assert_eq!(err["errors"]["password"][0], "is required", "{}: {err}", t.name);
            }
        }
        // Every required field of every type: 13, and the two password alternatives.
        assert_eq!(n, 15);
        app
    })
    .await;
}
