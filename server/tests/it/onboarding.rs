//! Bulk onboarding: passwords billing hashed already (argon2id PHC strings), kept as they
//! are, checked, and never logged.

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.billing_request(&body).await
}

/// An argon2id hash as billing would make it, with its own parameters.
pub(crate) fn billing_hash(password: &str, m: u32, t: u32) -> String {
    use argon2::password_hash::PasswordHasher;
    use argon2::{Algorithm, Argon2, Params, Version};
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(m, t, 1, None).unwrap())
        .hash_password(password.as_bytes())
        .unwrap()
        .to_string()
}

async fn client_sign_in(app: &TestApp, login: &str, password: &str) -> StatusCode {
    let req = Request::post("/api/client/v1/sessions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"login": login, "password": password}).to_string()))
        .unwrap();
    app.request(req).await.0
}

#[tokio::test]
async fn a_password_billing_hashed_is_kept_checked_and_never_logged() {
    each_backend(|app| async move {
        let hash = billing_hash("hashed-by-billing", 19456, 2);
        let (status, body) = post(
            &app,
            json!({"id": "h-1", "type": "billing.new_entity", "entity": "H1",
            "login": "hanna", "name": "Hanna", "password_hash": hash}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let stored = sqlx::query_as::<_, (String,)>("SELECT password_hash FROM users WHERE login = 'hanna'")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(stored.0, hash, "kept as billing made it");
        assert_eq!(client_sign_in(&app, "hanna", "hashed-by-billing").await, StatusCode::CREATED);
        assert_eq!(client_sign_in(&app, "hanna", "something-else").await, StatusCode::UNAUTHORIZED);

        // A new one through billing.update_password, also hashed by billing.
        let newer = billing_hash("newer-password", 12288, 3);
        let (status, _) =
            post(&app, json!({"id": "h-2", "type": "billing.update_password", "entity": "H1", "password_hash": newer}))
                .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(client_sign_in(&app, "hanna", "newer-password").await, StatusCode::CREATED);

        // The event log keeps neither the password nor its hash.
        let payloads: Vec<(String,)> =
            sqlx::query_as("SELECT payload FROM billing_events ORDER BY id").fetch_all(&app.db().pool).await.unwrap();
        for (p,) in &payloads {
            assert!(!p.contains("argon2") && p.contains("\"password_hash\":\"[redacted]\""), "{p}");
        }

        // Refused, each with its reason, and logged as refused.
        let weak = billing_hash("weak", 4096, 1);
        let cases = [
            (json!({"password_hash": weak}), "password_hash", "too weak"),
            (
                json!({"password_hash": "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"}),
                "password_hash",
                "PHC",
            ),
            (json!({"password_hash": 7}), "password_hash", "string"),
            (json!({"password": "plain-password", "password_hash": hash}), "password_hash", "not both"),
            (json!({}), "password", "required"),
        ];
        for (i, (fields, field, why)) in cases.into_iter().enumerate() {
            let mut body = json!({"id": format!("bad-{i}"), "type": "billing.new_entity", "entity": format!("B{i}"),
                "login": format!("bad{i}"), "name": "Bad"});
            body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
            let (status, err) = post(&app, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
            assert!(err["errors"][field][0].as_str().unwrap().contains(why), "{field}: {err}");
        }
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE login LIKE 'bad%'").await, 0);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events WHERE outcome = 'rejected'").await, 5);

        // The OpenAPI document offers the alternative.
        let (_, _, doc) = app.get("/api/billing/v1/openapi.json", None).await;
        let doc: Value = serde_json::from_str(&doc).unwrap();
        let new_entity = &doc["components"]["schemas"]["new_entity"];
        assert!(new_entity["properties"]["password_hash"].is_object());
        assert_eq!(new_entity["oneOf"], json!([{"required": ["password"]}, {"required": ["password_hash"]}]));
        app
    })
    .await;
}

async fn batch(app: &TestApp, requests: Value) -> (StatusCode, Value) {
    let req = Request::post("/api/billing/v1/batch")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer test-billing-token")
        .body(Body::from(json!({ "requests": requests }).to_string()))
        .unwrap();
    let (status, _, text) = app.request(req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn a_batch_answers_each_request_as_alone_in_order_per_entity() {
    each_backend(|app| async move {
        sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('B-1', 'Riga', 'Batch', '1')")
            .execute(&app.db().pool)
            .await
            .unwrap();
        let hash = billing_hash("batch-password", 19456, 2);
        let mut requests = Vec::new();
        for n in 0..3 {
            let entity = format!("BATCH-{n}");
            requests.push(json!({"id": format!("b{n}-new"), "type": "billing.new_entity", "entity": entity,
                "login": format!("batch{n}"), "name": format!("Batch {n}"), "password_hash": hash}));
            // Needs the entity the request before it creates: order per entity holds.
            requests.push(
                json!({"id": format!("b{n}-loc"), "type": "billing.create_location", "entity": entity, "csa": "B-1"}),
            );
        }
        requests.push(json!({"id": "b0-pause", "type": "billing.pause_entity", "entity": "BATCH-0"}));
        requests.push(json!("not an object"));
        requests.push(json!({"id": "b-odd", "type": "billing.nope", "entity": "BATCH-1"}));
        requests.push(json!({"id": "b0-new", "type": "billing.new_entity", "entity": "BATCH-0", "login": "batch0",
            "name": "Batch 0", "password_hash": hash}));
        let (status, answer) = batch(&app, Value::Array(requests.clone())).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let results = answer["results"].as_array().unwrap();
        let statuses: Vec<u64> = results.iter().map(|r| r["status"].as_u64().unwrap()).collect();
        assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 400, 422, 200]);
        assert_eq!(results[9]["body"], results[0]["body"], "a repeated id is a replay");
        assert_eq!(results[8]["body"]["errors"]["type"][0], "unknown request type billing.nope");
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE login LIKE 'batch%'").await, 3);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM user_locations").await, 3);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE login = 'batch0' AND status = 'paused'").await, 1);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events").await, 8, "every valid envelope once");

        // The whole batch again: the same answers, nothing changed.
        let (_, again) = batch(&app, Value::Array(requests)).await;
        assert_eq!(again, answer);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM billing_events").await, 8);

        // Bounds and authentication.
        let too_many: Vec<Value> = (0..1001).map(|i| json!({"id": format!("x{i}")})).collect();
        let (status, err) = batch(&app, Value::Array(too_many)).await;
        assert_eq!((status, err["errors"]["requests"].is_array()), (StatusCode::UNPROCESSABLE_ENTITY, true));
        assert_eq!(batch(&app, json!([])).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let anonymous = Request::post("/api/billing/v1/batch")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"requests": []}"#))
            .unwrap();
        assert_eq!(app.request(anonymous).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

/// `n` new subscribers with one password hash, as JSON Lines.
fn onboarding_file(n: usize, hash: &str) -> String {
    (0..n)
        .map(|i| {
            json!({"id": format!("imp-{i}"), "type": "billing.new_entity", "entity": format!("IMP-{i}"),
                "login": format!("imp{i}"), "name": format!("Imported {i}"), "password_hash": hash})
            .to_string()
                + "\n"
        })
        .collect()
}

#[tokio::test]
async fn an_import_killed_midway_and_run_again_applies_every_request_exactly_once() {
    let dir = std::env::temp_dir().join(format!("vms_import_{}_{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("onboarding.jsonl");
    const N: usize = 20_000;
    std::fs::write(&file, onboarding_file(N, &billing_hash("imported-password", 19456, 2))).unwrap();
    let url = format!("sqlite://{}/import.db", dir.display());
    let import = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.args(["billing", "import"]).arg(&file).env("DATABASE_URL", &url).env("RUST_LOG", "warn");
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null());
        cmd
    };
    let db = app::backend::db::Db::connect(&url).await.unwrap();
    let events = || async {
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM billing_events").fetch_one(&db.pool).await.unwrap().0
    };

    // Killed (SIGKILL) once some of the requests are in.
    let mut first = import().spawn().unwrap();
    let mut seen = 0;
    for _ in 0..600 {
        seen = events().await;
        if seen >= 2_000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    first.kill().unwrap();
    first.wait().unwrap();
    let at_kill = events().await;
    assert!(seen >= 2_000 && at_kill < N as i64, "killed midway: {at_kill} of {N}");

    // Run again: it finishes, and every request is in exactly once.
    let out = import().output().unwrap();
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains(&format!("{N} requests")) && report.contains(&format!("{N} applied")), "{report}");
    assert_eq!(events().await, N as i64);
    let distinct =
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(DISTINCT request_id) FROM billing_events WHERE outcome = 'applied'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(distinct.0, N as i64);
    let users = sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await.unwrap();
    assert_eq!(users.0, N as i64, "no subscriber lost or doubled");
    db.pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
