//! Arbitrary bodies and headers: the billing API never answers 5xx and never leaves a
//! half-applied change. Seeded, so a failure reproduces.

use crate::common::each_backend;
use app::domain::rng::SplitMix64;
use axum::body::Body;
use axum::http::{header, Request};
use serde_json::{json, Map, Value};

const TYPES: &[&str] = &[
    "billing.new_entity",
    "billing.pause_entity",
    "billing.unpause_entity",
    "billing.create_location",
    "billing.delete_location",
    "billing.update_login",
    "billing.update_password",
    "billing.new_camera",
    "billing.attach_camera",
    "billing.detach_camera",
    "billing.set_licences",
    "billing.bogus",
    "",
    "BILLING.NEW_ENTITY",
];
const FIELDS: &[&str] = &[
    "login",
    "password",
    "name",
    "properties",
    "csa",
    "mac",
    "serial_number",
    "model",
    "analytics_l1",
    "analytics_l2",
    "analytics_l3",
];

fn value(rng: &mut SplitMix64, depth: u32) -> Value {
    match rng.below(if depth > 1 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(rng.below(10) as i64 - 2),
        3 => json!(f64::from(rng.below(1000) as u32) / 7.0),
        4 => json!(
            ["E1", "E2", "CSA-1", "00:11:22:33:44:55", "short", "long-enough-pw", "ünïcödé", "a b", ""]
                [rng.below(9) as usize]
        ),
        5 => json!("x".repeat(rng.below(300) as usize)),
        6 => Value::Array((0..rng.below(3)).map(|_| value(rng, depth + 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..rng.below(3) {
                m.insert(FIELDS[rng.below(FIELDS.len() as u64) as usize].into(), value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

fn body(rng: &mut SplitMix64, i: u64) -> Vec<u8> {
    match rng.below(20) {
        0 => b"{\"id\": \"x\", ".to_vec(),
        1 => (0..rng.below(64)).map(|_| rng.below(256) as u8).collect(),
        2 => json!([1, 2, 3]).to_string().into_bytes(),
        _ => {
            let mut m = Map::new();
            if rng.below(20) > 0 {
                m.insert("id".into(), json!(format!("req-{}", if rng.chance(20) { rng.below(5) } else { i })));
            }
            if rng.below(20) > 0 {
                // Terminating is rare: after it, every request about the entity is refused.
                let t = if rng.below(200) == 0 {
                    "billing.terminate_entity"
                } else {
                    TYPES[rng.below(TYPES.len() as u64) as usize]
                };
                m.insert("type".into(), json!(t));
            }
            if rng.below(20) > 0 {
                m.insert("entity".into(), json!(["E1", "E2", "E3", ""][rng.below(4) as usize]));
            }
            for _ in 0..rng.below(6) {
                let f = FIELDS[rng.below(FIELDS.len() as u64) as usize];
                let v = match (f, rng.below(3)) {
                    ("password", 0) => json!("good-password"),
                    ("login", 0) => json!(format!("login{}", rng.below(5))),
                    ("csa", 0) => json!("CSA-1"),
                    ("mac", 0) => json!(format!("00:11:22:33:44:0{}", rng.below(3))),
                    ("serial_number" | "name", 0) => json!("S"),
                    (f, 0) if f.starts_with("analytics") => json!(rng.below(3)),
                    _ => value(rng, 0),
                };
                m.insert(f.into(), v);
            }
            Value::Object(m).to_string().into_bytes()
        }
    }
}

#[tokio::test]
async fn arbitrary_requests_never_fail_the_server_or_half_apply() {
    each_backend(|app| async move {
        sqlx::query(
            "INSERT INTO csa_codes (code, city, street, house, entrance) VALUES ('CSA-1', 'Riga', 'Iela', '1', '')",
        )
        .execute(&app.db().pool)
        .await
        .unwrap();
        for (n, entity) in ["E1", "E2"].iter().enumerate() {
            let body = json!({"id": format!("seed-{n}"), "type": "billing.new_entity", "entity": entity,
                "login": format!("seed{n}"), "password": "good-password", "name": "Seed"});
            let req = Request::post("/api/billing/v1/requests")
                .header(header::AUTHORIZATION, "Bearer test-billing-token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            assert_eq!(app.request(req).await.0, 200);
        }
        let mut rng = SplitMix64::new(20261126);
        for i in 0..400 {
            let mut b = Request::post("/api/billing/v1/requests");
            match rng.below(12) {
                0 => {}
                1 => b = b.header(header::AUTHORIZATION, "Bearer wrong"),
                2 => b = b.header(header::AUTHORIZATION, "Basic abc"),
                _ => b = b.header(header::AUTHORIZATION, "Bearer test-billing-token"),
            }
            b = match rng.below(10) {
                0 => b,
                1 => b.header(header::CONTENT_TYPE, "text/plain"),
                2 => b.header(header::CONTENT_TYPE, "application/json; charset=utf-8"),
                _ => b.header(header::CONTENT_TYPE, "application/json"),
            };
            let body = body(&mut rng, i);
            let (status, _, text) = app.request(b.body(Body::from(body.clone())).unwrap()).await;
            assert!(status.as_u16() < 500, "request {i} {:?} got {status}: {text}", String::from_utf8_lossy(&body));
            let parsed: Value = serde_json::from_str(&text).expect("always JSON");
            assert!(parsed.get("message").is_some() || parsed.get("outcome").is_some(), "{text}");
        }
        // Every logged event finished; every applied effect has its event and nothing else.
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM billing_events WHERE outcome NOT IN ('applied', 'rejected')").await,
            0
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM users").await,
            app.scalar("SELECT COUNT(*) FROM billing_events WHERE type = 'billing.new_entity' AND outcome = 'applied'")
                .await
        );
        let outcomes: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT type, outcome, COUNT(*) FROM billing_events GROUP BY type, outcome ORDER BY type, outcome",
        )
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
        let applied: i64 = outcomes.iter().filter(|o| o.1 == "applied").map(|o| o.2).sum();
        assert!(applied > 10, "{outcomes:?}");
        assert_eq!(
            app.scalar("SELECT COUNT(*) FROM user_permissions").await,
            34 * app.scalar("SELECT COUNT(*) FROM users").await
        );
        app
    })
    .await;
}
