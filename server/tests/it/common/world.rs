//! The subscriber, cameras and sessions many tests start from, inside and outside a
//! scoped administrator's scope.

use super::TestApp;
use axum::http::StatusCode;

/// Whether `text` holds `token` as a whole word (not inside a longer number or name).
pub fn has_token(text: &str, token: &str) -> bool {
    text.match_indices(token).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + token.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// A subscriber with cameras inside and outside a scoped administrator's scope, and what
/// lies around them (see `world`).
pub struct World {
    /// "ulla": two locations (IN-1, OUT-1), a camera at each, level 1 licences, a case on
    /// each camera, `subusers-manage`, and a sub-user given both cameras.
    pub user: i64,
    pub sub: i64,
    pub inside: i64,
    /// Camera `OUTSIDE_CAMERA` at OUT-1, MAC `OUTSIDE_MAC`, serial `OUTSIDE_SERIAL`.
    pub outside: i64,
    pub inside_case: i64,
    pub outside_case: i64,
    /// ulla's own web client session.
    pub user_cookie: String,
    /// Another subscriber, "otto", with a sub-user and a case of its own.
    pub other_sub: i64,
    pub other_case: i64,
}

pub const OUTSIDE_CAMERA: i64 = 900_001;
pub const OUTSIDE_MAC: &str = "0a:00:00:00:00:02";
pub const OUTSIDE_SERIAL: &str = "SER-OUTSIDE";
pub const USER_PASSWORD: &str = "ulla-password";

/// Builds the `World` through the billing and client APIs.
pub async fn world(app: &TestApp) -> World {
    use serde_json::json;
    sqlx::query(
        "INSERT INTO csa_codes (code, city, street, house) VALUES ('IN-1', 'Riga', 'Inner', '1'), \
         ('OUT-1', 'Riga', 'Outer', '2'), ('OTHER-1', 'Riga', 'Other', '3')",
    )
    .execute(&app.db().pool)
    .await
    .unwrap();
    // The outside camera gets an id no other number in an answer is like.
    sqlx::query("INSERT INTO cameras (id, mac, serial_number, name, created_at) VALUES ($1, $2, $3, 'Yard', 0)")
        .bind(OUTSIDE_CAMERA)
        .bind(OUTSIDE_MAC)
        .bind(OUTSIDE_SERIAL)
        .execute(&app.db().pool)
        .await
        .unwrap();
    for (entity, login) in [("U-ULLA", "ulla"), ("U-OTTO", "otto")] {
        app.billing(json!({"id": format!("{login}-new"), "type": "billing.new_entity", "entity": entity,
            "login": login, "password": USER_PASSWORD, "name": login.to_uppercase()}))
            .await;
        app.billing(json!({"id": format!("{login}-lic"), "type": "billing.set_licences", "entity": entity,
            "analytics_l1": 20, "analytics_l2": 0, "analytics_l3": 0}))
            .await;
    }
    let cameras = [
        ("IN-1", "0a:00:00:00:00:01", "SER-INSIDE", "U-ULLA"),
        ("OUT-1", OUTSIDE_MAC, OUTSIDE_SERIAL, "U-ULLA"),
        ("OTHER-1", "0a:00:00:00:00:03", "SER-OTHER", "U-OTTO"),
    ];
    for (i, (csa, mac, serial, entity)) in cameras.iter().enumerate() {
        app.billing(json!({"id": format!("loc-{i}"), "type": "billing.create_location", "entity": entity, "csa": csa}))
            .await;
        app.billing(json!({"id": format!("cam-{i}"), "type": "billing.new_camera", "entity": entity, "mac": mac,
            "serial_number": serial, "name": "Yard"}))
            .await;
        app.billing(json!({"id": format!("att-{i}"), "type": "billing.attach_camera", "entity": entity, "mac": mac, "csa": csa})).await;
    }
    let id = |sql: String| async move { app.scalar(&sql).await };
    let user = id("SELECT id FROM users WHERE login = 'ulla'".into()).await;
    let other = id("SELECT id FROM users WHERE login = 'otto'".into()).await;
    let inside = id("SELECT id FROM cameras WHERE mac = '0a:00:00:00:00:01'".into()).await;
    let other_camera = id("SELECT id FROM cameras WHERE mac = '0a:00:00:00:00:03'".into()).await;
    for u in [user, other] {
        sqlx::query("INSERT INTO user_permissions (user_id, slug) VALUES ($1, 'subusers-manage')")
            .bind(u)
            .execute(&app.db().pool)
            .await
            .unwrap();
    }
    let user_cookie = app.user_session("ulla", USER_PASSWORD).await;
    let other_cookie = app.user_session("otto", USER_PASSWORD).await;
    let created = |cookie: String, path: &'static str, body: serde_json::Value| async move {
        let (status, text) = app.api("POST", path, Some(&cookie), Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{path} {body} → {text}");
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap()
    };
    let sub_body = |login: &str, cameras: Vec<i64>| json!({"login": login, "name": login, "password": "sub-password-1", "permissions": ["cameras-live"], "camera_ids": cameras});
    let sub =
        created(user_cookie.clone(), "/api/client/v1/sub-users", sub_body("ulla-kid", vec![inside, OUTSIDE_CAMERA]))
            .await;
    let other_sub =
        created(other_cookie.clone(), "/api/client/v1/sub-users", sub_body("otto-kid", vec![other_camera])).await;
    let case = |name: &str, camera: i64| json!({"name": name, "type": "motion-detect", "camera_ids": [camera]});
    let inside_case = created(user_cookie.clone(), "/api/client/v1/cases", case("Inside case", inside)).await;
    let outside_case = created(user_cookie.clone(), "/api/client/v1/cases", case("Outside case", OUTSIDE_CAMERA)).await;
    let other_case = created(other_cookie.clone(), "/api/client/v1/cases", case("Other case", other_camera)).await;
    for case in [inside_case, outside_case, other_case] {
        sqlx::query(
            "INSERT INTO case_events (case_id, kind, occurred_at, data, received_at) VALUES ($1, 'motion', 0, '{}', 0)",
        )
        .bind(case)
        .execute(&app.db().pool)
        .await
        .unwrap();
    }
    World { user, sub, inside, outside: OUTSIDE_CAMERA, inside_case, outside_case, user_cookie, other_sub, other_case }
}
